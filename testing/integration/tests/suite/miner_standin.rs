//! The stand-in miner on the real FVM: its wasm created through init, answering the builtin
//! miner's getters and FIP-0112 sector-status methods byte for byte
//! (docs/builtin-actors-interface.md §3), telling the stand-in market when a sector is terminated,
//! and sending DDO `SectorContentChanged` notifications (§5) to a user actor.

use super::common::{fil, unhex, zero};
use actor_runtime::builtin::{BuiltinType, STORAGE_MARKET_ACTOR_ID};
use actor_runtime::METHOD_CONSTRUCTOR;
use cid::Cid;
use fvm_ipld_encoding::{to_vec, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::{ActorID, MethodNum, METHOD_SEND};
use integration_tests::harness::key_address;
use integration_tests::miner::{self, Control, SectorLocation, SectorStatusCode};
use integration_tests::MinerClient;
use integration_tests::{Account, Harness, Receipt};
use stand_in_market as storage_market;
use test_actor_ddo_receiver as receiver;

const SECTOR_CONTENT_CHANGED: MethodNum = 2034386435;

fn hex_of(r: &Receipt) -> String {
    hex::encode(r.return_data.bytes())
}

fn code(c: ExitCode) -> u32 {
    c.value()
}

/// A chain with a 32 GiB miner: owner f0101, worker given by key address, one control by ID
/// and one by key address; created by a stranger, since anyone may create a miner.
struct World {
    h: Harness,
    owner: Account,
    worker: Account,
    controls: [Account; 2],
    stranger: Account,
    miner: ActorID,
}

fn world() -> World {
    let mut h = Harness::new().unwrap();
    let owner = h.create_account(fil(10)).unwrap();
    let worker = h.create_bls_account(fil(10)).unwrap();
    let controls = [
        h.create_account(fil(1)).unwrap(),
        h.create_account(fil(1)).unwrap(),
    ];
    let stranger = h.create_account(fil(10)).unwrap();
    let miner = miner::create_miner(
        &mut h,
        &stranger,
        owner.address(),
        worker.key,
        vec![controls[0].address(), controls[1].key],
        miner::SECTOR_SIZE_32GIB,
    )
    .unwrap();
    World {
        h,
        owner,
        worker,
        controls,
        stranger,
        miner,
    }
}

fn state_cid(h: &Harness, id: ActorID) -> Cid {
    h.actor(id).unwrap().unwrap().state
}

// ---------------------------------------------------------------------------------------------
// Creation and getters
// ---------------------------------------------------------------------------------------------

#[test]
fn anyone_creates_a_miner_of_builtin_type_6() {
    let World {
        mut h,
        owner,
        worker,
        controls,
        stranger,
        miner,
    } = world();
    let t = h.builtin_type(miner).unwrap();
    assert_eq!(t, Some(BuiltinType::Miner));
    assert_eq!(t.unwrap() as u32, 6);
    assert_eq!(
        h.actor(miner).unwrap().unwrap().code,
        h.code_of(BuiltinType::Miner)
    );
    // Every address is stored resolved; the operator was asked from the market.
    let state = miner::state(&h, miner).unwrap();
    assert_eq!(
        (
            state.owner,
            state.worker,
            state.control_addresses.clone(),
            state.operator
        ),
        (
            owner.id,
            worker.id,
            vec![controls[0].id, controls[1].id],
            h.operator().id
        )
    );
    assert_eq!(state.sector_size, 34359738368);

    // The constructor's refusals, through the same Exec.
    let good = miner::ConstructorParams {
        owner: owner.address(),
        worker: worker.address(),
        control_addresses: vec![],
        sector_size: miner::SECTOR_SIZE_2KIB,
    };
    let nobody = key_address(9_999);
    assert_eq!(h.resolve(&nobody).unwrap(), None);
    for (bad, why) in [
        (
            miner::ConstructorParams {
                sector_size: 4096,
                ..good.clone()
            },
            "sector size",
        ),
        (
            miner::ConstructorParams {
                owner: nobody,
                ..good.clone()
            },
            "unresolvable owner",
        ),
        (
            miner::ConstructorParams {
                worker: Address::new_id(999_999),
                ..good.clone()
            },
            "no actor behind the worker ID",
        ),
        (
            miner::ConstructorParams {
                control_addresses: vec![controls[0].address(); 11],
                ..good.clone()
            },
            "eleven controls",
        ),
    ] {
        let r = miner::exec_miner(&mut h, &stranger, &bad).unwrap();
        assert_eq!(
            r.exit_code,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "{why}: {:?}",
            r.failure
        );
    }
    // The constructor is init's to call.
    let r = h
        .call(&stranger, miner, METHOD_CONSTRUCTOR, &good, zero())
        .unwrap();
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    // A good Exec still works, with every sector size.
    for size in miner::SECTOR_SIZES {
        let p = miner::ConstructorParams {
            sector_size: size,
            ..good.clone()
        };
        let ret: stand_in_init::ExecReturn = miner::exec_miner(&mut h, &owner, &p).unwrap().ret().unwrap();
        let id = ret.id_address.id().unwrap();
        assert_eq!(MinerClient::at(id).sector_size(&mut h).unwrap(), Ok(size));
    }
}

#[test]
fn getters_answer_the_reference_bytes() {
    let World {
        mut h, owner, miner, ..
    } = world();
    assert_eq!(owner.id, 101, "the reference vector needs owner f0101");

    let r = MinerClient::at(miner)
        .read_raw(&mut h, miner::METHOD_GET_OWNER, RawBytes::default())
        .unwrap();
    assert_eq!(r.return_data.to_vec(), unhex("82 42 00 65 f6"));
    assert_eq!(
        MinerClient::at(miner).owner(&mut h).unwrap(),
        Ok(miner::GetOwnerReturn {
            owner: Address::new_id(101),
            proposed: None
        })
    );

    let r = MinerClient::at(miner)
        .read_raw(&mut h, miner::METHOD_GET_SECTOR_SIZE, RawBytes::default())
        .unwrap();
    assert_eq!(r.return_data.to_vec(), unhex("1b 00 00 00 08 00 00 00 00"));

    // The stand-in locks nothing: available = balance, zero as the empty byte string.
    let r = MinerClient::at(miner)
        .read_raw(&mut h, miner::METHOD_GET_AVAILABLE_BALANCE, RawBytes::default())
        .unwrap();
    assert_eq!(hex_of(&r), "40");
    h.send(
        &owner,
        Address::new_id(miner),
        METHOD_SEND,
        RawBytes::default(),
        fil(1),
    )
    .unwrap()
    .ok()
    .unwrap();
    let r = MinerClient::at(miner)
        .read_raw(&mut h, miner::METHOD_GET_AVAILABLE_BALANCE, RawBytes::default())
        .unwrap();
    assert_eq!(r.return_data.to_vec(), unhex("49 00 0d e0 b6 b3 a7 64 00 00"));
    assert_eq!(
        MinerClient::at(miner).available_balance(&mut h).unwrap(),
        Ok(fil(1))
    );
    assert_eq!(h.balance(miner).unwrap(), fil(1));

    // IsControllingAddress: the reference's transparent address in, a bare bool out.
    let r = MinerClient::at(miner)
        .read_raw(
            &mut h,
            miner::METHOD_IS_CONTROLLING_ADDRESS,
            RawBytes::new(unhex("42 00 65")),
        )
        .unwrap();
    assert_eq!(hex_of(&r), "f5");
    let r = MinerClient::at(miner)
        .read_raw(
            &mut h,
            miner::METHOD_IS_CONTROLLING_ADDRESS,
            RawBytes::new(unhex("42 00 64")),
        )
        .unwrap();
    assert_eq!(
        hex_of(&r),
        "f4",
        "f0100 is the operator, not a controlling address"
    );
}

#[test]
fn controlling_addresses_by_id_and_by_key() {
    let World {
        mut h,
        owner,
        worker,
        controls,
        stranger,
        miner,
    } = world();
    for (who, a) in [
        ("owner", owner),
        ("worker", worker),
        ("control 0", controls[0]),
        ("control 1", controls[1]),
    ] {
        for address in [a.address(), a.key] {
            assert_eq!(
                MinerClient::at(miner)
                    .is_controlling_address(&mut h, address)
                    .unwrap(),
                Ok(true),
                "{who} as {address}"
            );
        }
    }
    let nobody = key_address(9_999);
    assert_eq!(h.resolve(&nobody).unwrap(), None);
    let operator = h.operator();
    for (who, address) in [
        ("stranger by ID", stranger.address()),
        ("stranger by key", stranger.key),
        ("operator", operator.address()),
        ("the miner itself", Address::new_id(miner)),
        ("the market", Address::new_id(STORAGE_MARKET_ACTOR_ID)),
        ("a key address that resolves to nothing", nobody),
        ("an ID with no actor", Address::new_id(999_999)),
    ] {
        assert_eq!(
            MinerClient::at(miner)
                .is_controlling_address(&mut h, address)
                .unwrap(),
            Ok(false),
            "{who}"
        );
    }
    // Asking created nothing.
    assert_eq!(h.resolve(&nobody).unwrap(), None);
}

// ---------------------------------------------------------------------------------------------
// Sector status (docs/builtin-actors-interface.md §3.3)
// ---------------------------------------------------------------------------------------------

const OLD: SectorLocation = SectorLocation {
    deadline: 3,
    partition: 0,
};
const NEW: SectorLocation = SectorLocation {
    deadline: 5,
    partition: 2,
};
const NONE: SectorLocation = SectorLocation::NONE;

/// Answers of ValidateSectorStatus for Dead, Active, Faulty: the bool or the exit code.
type Answers = [Result<bool, u32>; 3];
const NOT_FOUND: Answers = [Err(17), Err(17), Err(17)];
const IS_DEAD: Answers = [Ok(true), Ok(false), Ok(false)];
const IS_ACTIVE: Answers = [Ok(false), Ok(true), Ok(false)];
const IS_FAULTY: Answers = [Ok(false), Ok(false), Ok(true)];

fn expiration_of(n: u64) -> ChainEpoch {
    10_000 + n as ChainEpoch
}

struct Row {
    case: &'static str,
    sector: u64,
    /// What GenerateSectorLocation answers.
    generated: (SectorStatusCode, SectorLocation),
    /// ValidateSectorStatus at each location.
    validated: Vec<(SectorLocation, Answers)>,
    nominal_expiration: Result<ChainEpoch, u32>,
}

fn ok(r: Receipt) {
    r.ok().unwrap();
}

#[test]
fn sector_status_table_on_real_wasm() {
    use SectorStatusCode::{Active, Dead, Faulty};
    let World { mut h, miner, .. } = world();
    let h = &mut h;
    let add = |h: &mut Harness, n: u64| ok(miner::add_sector(h, miner, n, 3, 0, expiration_of(n)).unwrap());

    // 7 is the reference vectors' sector; the others each reach one state.
    add(h, 7);
    add(h, 2);
    ok(miner::fault_sector(h, miner, 2).unwrap());
    add(h, 3);
    ok(miner::fault_sector(h, miner, 3).unwrap());
    ok(miner::recover_sector(h, miner, 3).unwrap());
    add(h, 4);
    ok(miner::terminate_sector(h, miner, 4).unwrap());
    add(h, 5);
    ok(miner::fault_sector(h, miner, 5).unwrap());
    ok(miner::terminate_sector(h, miner, 5).unwrap());
    add(h, 6);
    ok(miner::move_sector(h, miner, 6, 5, 2).unwrap());
    add(h, 8);
    ok(miner::terminate_sector(h, miner, 8).unwrap());
    ok(miner::compact_sector(h, miner, 8).unwrap());

    let rows = vec![
        Row {
            case: "active",
            sector: 7,
            generated: (Active, OLD),
            validated: vec![
                (OLD, IS_ACTIVE),
                (NONE, NOT_FOUND),
                (SectorLocation::new(3, 1), NOT_FOUND),
                (SectorLocation::new(4, 0), NOT_FOUND),
            ],
            nominal_expiration: Ok(expiration_of(7)),
        },
        Row {
            case: "faulty",
            sector: 2,
            generated: (Faulty, OLD),
            validated: vec![(OLD, IS_FAULTY), (NONE, NOT_FOUND)],
            nominal_expiration: Ok(expiration_of(2)),
        },
        Row {
            case: "recovered",
            sector: 3,
            generated: (Active, OLD),
            validated: vec![(OLD, IS_ACTIVE), (NONE, NOT_FOUND)],
            nominal_expiration: Ok(expiration_of(3)),
        },
        Row {
            case: "terminated (still in the sectors AMT)",
            sector: 4,
            generated: (Dead, OLD),
            validated: vec![(OLD, IS_DEAD), (NONE, NOT_FOUND)],
            nominal_expiration: Ok(expiration_of(4)),
        },
        Row {
            case: "faulty, then terminated",
            sector: 5,
            generated: (Dead, OLD),
            validated: vec![(OLD, IS_DEAD), (NONE, NOT_FOUND)],
            nominal_expiration: Ok(expiration_of(5)),
        },
        Row {
            case: "moved",
            sector: 6,
            generated: (Active, NEW),
            validated: vec![(NEW, IS_ACTIVE), (OLD, NOT_FOUND), (NONE, NOT_FOUND)],
            nominal_expiration: Ok(expiration_of(6)),
        },
        Row {
            case: "compacted",
            sector: 8,
            generated: (Dead, NONE),
            validated: vec![(OLD, NOT_FOUND), (NONE, IS_DEAD)],
            nominal_expiration: Err(17),
        },
        Row {
            case: "never added",
            sector: 9,
            generated: (Dead, NONE),
            validated: vec![(OLD, NOT_FOUND), (NONE, IS_DEAD)],
            nominal_expiration: Err(17),
        },
    ];

    for row in rows {
        let n = row.sector;
        let case = row.case;
        assert_eq!(
            MinerClient::at(miner).sector_location(h, n).unwrap(),
            Ok(row.generated),
            "{case}: GenerateSectorLocation"
        );
        for (location, answers) in row.validated {
            for (status, expected) in [Dead, Active, Faulty].into_iter().zip(answers) {
                let got = MinerClient::at(miner)
                    .validate_sector_status(h, n, status, location)
                    .unwrap()
                    .map_err(code);
                assert_eq!(
                    got, expected,
                    "{case}: ValidateSectorStatus {status:?} at {location:?}"
                );
            }
        }
        assert_eq!(
            MinerClient::at(miner)
                .nominal_sector_expiration(h, n)
                .unwrap()
                .map_err(code),
            row.nominal_expiration,
            "{case}: GetNominalSectorExpiration"
        );
    }
}

#[test]
fn sector_status_methods_speak_the_reference_bytes() {
    let World { mut h, miner, .. } = world();
    ok(miner::add_sector(&mut h, miner, 7, 3, 0, 1_500_000).unwrap());
    let raw = |h: &mut Harness, method, p: &str| {
        MinerClient::at(miner)
            .read_raw(h, method, RawBytes::new(unhex(p)))
            .unwrap()
    };
    let r = raw(&mut h, miner::METHOD_GENERATE_SECTOR_LOCATION, "81 07");
    assert_eq!(r.return_data.to_vec(), unhex("82 01 43 82 03 00"));
    let r = raw(
        &mut h,
        miner::METHOD_VALIDATE_SECTOR_STATUS,
        "83 07 01 43 82 03 00",
    );
    assert_eq!(hex_of(&r), "f5");
    let r = raw(&mut h, miner::METHOD_GET_NOMINAL_SECTOR_EXPIRATION, "07");
    assert_eq!(r.return_data.to_vec(), to_vec(&1_500_000i64).unwrap());
    assert_eq!(hex_of(&r), "1a0016e360");
    // An unknown sector: Dead, at (-1, -1).
    let r = raw(&mut h, miner::METHOD_GENERATE_SECTOR_LOCATION, "81 08");
    assert_eq!(r.return_data.to_vec(), unhex("82 00 43 82 20 20"));
    // The 1-tuple and the bare number are not interchangeable.
    let r = raw(&mut h, miner::METHOD_GENERATE_SECTOR_LOCATION, "07");
    r.expect_exit(ExitCode::USR_SERIALIZATION).unwrap();
    let r = raw(&mut h, miner::METHOD_GET_NOMINAL_SECTOR_EXPIRATION, "81 07");
    r.expect_exit(ExitCode::USR_SERIALIZATION).unwrap();
}

#[test]
fn validate_sector_status_refuses_malformed_locations() {
    let World { mut h, miner, .. } = world();
    ok(miner::add_sector(&mut h, miner, 7, 3, 0, 1000).unwrap());
    let raw = |h: &mut Harness, status: u8, aux: Vec<u8>| {
        let p = miner::ValidateSectorStatusParams {
            sector_number: 7,
            status,
            aux_data: RawBytes::new(aux),
        };
        MinerClient::at(miner)
            .validate_sector_status_raw(h, p)
            .unwrap()
            .map_err(code)
    };
    let cbor = |d: i64, p: i64| to_vec(&(d, p)).unwrap();
    // The control: the well-formed claim answers.
    assert_eq!(raw(&mut h, 1, cbor(3, 0)), Ok(true));
    // 16: aux_data that is not a location, one of the two -1, a deadline out of range.
    assert_eq!(raw(&mut h, 1, vec![]), Err(16));
    assert_eq!(raw(&mut h, 1, vec![0xff]), Err(16));
    assert_eq!(raw(&mut h, 1, to_vec(&(3i64,)).unwrap()), Err(16));
    assert_eq!(raw(&mut h, 1, cbor(-1, 0)), Err(16));
    assert_eq!(raw(&mut h, 1, cbor(3, -1)), Err(16));
    assert_eq!(raw(&mut h, 1, cbor(48, 0)), Err(16));
    // 17: well-formed, but the sector is not there.
    assert_eq!(raw(&mut h, 1, cbor(47, 0)), Err(17));
    assert_eq!(raw(&mut h, 1, cbor(3, 9)), Err(17));
}

// ---------------------------------------------------------------------------------------------
// Termination reaches the market
// ---------------------------------------------------------------------------------------------

fn publish(h: &mut Harness, client: &Account, provider: ActorID, fill: u8) -> DealID {
    let proposal = storage_market::HarnessPublishDealParams {
        piece_cid: storage_market::piece_cid([fill; 32]),
        piece_size: PaddedPieceSize(2048),
        verified_deal: false,
        client: client.address(),
        provider: Address::new_id(provider),
        label: storage_market::Label::from("miner stand-in test"),
        start_epoch: 100,
        end_epoch: 5_000,
        storage_price_per_epoch: zero(),
        provider_collateral: zero(),
        client_collateral: zero(),
    };
    let operator = h.operator();
    h.call(
        &operator,
        STORAGE_MARKET_ACTOR_ID,
        storage_market::METHOD_HARNESS_PUBLISH_DEAL,
        &proposal,
        zero(),
    )
    .unwrap()
    .ret()
    .unwrap()
}

fn activate(h: &mut Harness, deal_id: DealID, sector_number: u64) {
    let operator = h.operator();
    let p = storage_market::HarnessActivateDealParams {
        deal_id,
        sector_number,
    };
    h.call(
        &operator,
        STORAGE_MARKET_ACTOR_ID,
        storage_market::METHOD_HARNESS_ACTIVATE_DEAL,
        &p,
        zero(),
    )
    .unwrap()
    .ok()
    .unwrap();
}

fn deal_query<T: serde::de::DeserializeOwned>(
    h: &mut Harness,
    method: MethodNum,
    id: DealID,
) -> Result<T, u32> {
    let operator = h.operator();
    let r = h
        .call(
            &operator,
            STORAGE_MARKET_ACTOR_ID,
            method,
            &storage_market::DealQueryParams { id },
            zero(),
        )
        .unwrap();
    r.outcome().unwrap().map_err(code)
}

fn activation(h: &mut Harness, id: DealID) -> Result<(ChainEpoch, ChainEpoch), u32> {
    deal_query::<storage_market::GetDealActivationReturn>(h, storage_market::METHOD_GET_DEAL_ACTIVATION, id)
        .map(|r| (r.activated, r.terminated))
}

#[test]
fn terminating_a_sector_terminates_its_deals_at_the_market() {
    let World {
        mut h,
        owner,
        worker,
        stranger: client,
        miner,
        ..
    } = world();
    let other = miner::create_miner(
        &mut h,
        &client,
        worker.address(),
        worker.address(),
        vec![],
        miner::SECTOR_SIZE_32GIB,
    )
    .unwrap();
    let h = &mut h;
    // Sector 1 of each miner and sector 2 of the first, each with one deal.
    for (m, n) in [(miner, 1), (miner, 2), (other, 1)] {
        ok(miner::add_sector(h, m, n, 0, 0, 10_000).unwrap());
    }
    let doomed = publish(h, &client, miner, 1);
    let neighbour = publish(h, &client, miner, 2);
    let elsewhere = publish(h, &client, other, 3);
    h.advance_to(10).unwrap();
    activate(h, doomed, 1);
    activate(h, neighbour, 2);
    activate(h, elsewhere, 1);
    for id in [doomed, neighbour, elsewhere] {
        assert_eq!(activation(h, id), Ok((10, -1)));
    }
    assert_eq!(
        deal_query::<u64>(h, storage_market::METHOD_GET_DEAL_SECTOR, doomed),
        Ok(1)
    );

    h.advance_to(20).unwrap();
    let r = miner::terminate_sector(h, miner, 1).unwrap().ok().unwrap();
    // The market (not the miner) reports the slashed deal, inside the operator's message.
    let events = r.events_of("deal-terminated");
    assert_eq!(events.len(), 1, "{:?}", r.events);
    assert_eq!(events[0].emitter, STORAGE_MARKET_ACTOR_ID);
    let entries = &events[0].event.entries;
    assert_eq!(
        (entries[1].key.as_str(), entries[1].value.clone()),
        ("id", to_vec(&doomed).unwrap())
    );
    assert_eq!(entries[3].value, to_vec(&miner).unwrap(), "provider");

    // Gone: every getter of the deal is 32 (EX_DEAL_EXPIRED), as in builtin v13+.
    assert_eq!(activation(h, doomed), Err(32));
    assert_eq!(
        deal_query::<u64>(h, storage_market::METHOD_GET_DEAL_SECTOR, doomed),
        Err(32)
    );
    assert_eq!(
        deal_query::<u64>(h, storage_market::METHOD_GET_DEAL_CLIENT, doomed),
        Err(32)
    );
    // The miner says Dead; the other deals, in another sector or another miner's sector 1,
    // are untouched.
    assert_eq!(
        MinerClient::at(miner)
            .validate_sector_status(h, 1, SectorStatusCode::Dead, SectorLocation::new(0, 0))
            .unwrap(),
        Ok(true)
    );
    assert_eq!(activation(h, neighbour), Ok((10, -1)));
    assert_eq!(activation(h, elsewhere), Ok((10, -1)));
    assert_eq!(
        deal_query::<u64>(h, storage_market::METHOD_GET_DEAL_SECTOR, elsewhere),
        Ok(1)
    );

    // A sector with no deals terminates quietly; the other miner's sector 1 takes its own deal.
    ok(miner::add_sector(h, miner, 3, 0, 0, 10_000).unwrap());
    let r = miner::terminate_sector(h, miner, 3).unwrap().ok().unwrap();
    assert!(r.events.is_empty(), "{:?}", r.events);
    let r = miner::terminate_sector(h, other, 1).unwrap().ok().unwrap();
    assert_eq!(r.events_of("deal-terminated").len(), 1);
    assert_eq!(activation(h, elsewhere), Err(32));
    assert_eq!(activation(h, neighbour), Ok((10, -1)));
    // The owner cannot terminate: the operator drives the stand-in.
    let r = miner::control_from(h, &owner, miner, &Control::Terminate(2)).unwrap();
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    assert_eq!(activation(h, neighbour), Ok((10, -1)));
}

// ---------------------------------------------------------------------------------------------
// DDO notifications to a user actor (docs/builtin-actors-interface.md §5)
// ---------------------------------------------------------------------------------------------

fn piece(fill: u8, payload: Vec<u8>) -> miner::PieceChange {
    miner::PieceChange {
        data: storage_market::piece_cid([fill; 32]),
        size: PaddedPieceSize(2048),
        payload: RawBytes::new(payload),
    }
}

fn sector(n: u64, added: Vec<miner::PieceChange>) -> miner::SectorChanges {
    miner::SectorChanges {
        sector: n,
        minimum_commitment_epoch: 1_500_000,
        added,
    }
}

fn deploy_receiver(h: &mut Harness, from: &Account) -> ActorID {
    h.deploy(from, "test-actor-ddo-receiver", &()).unwrap()
}

#[test]
fn the_miner_notifies_a_user_receiver() {
    let World {
        mut h,
        stranger: alice,
        miner,
        ..
    } = world();
    let h = &mut h;
    let rcv = deploy_receiver(h, &alice);
    assert_eq!(
        h.state::<receiver::State>(rcv).unwrap(),
        receiver::State::default()
    );
    for n in [7, 8, 9] {
        ok(miner::add_sector(h, miner, n, 1, 0, 1_500_000).unwrap());
    }

    // The reference's 1-sector, 1-piece notification (payload = CBOR of deal 42).
    let one = miner::SectorContentChangedParams {
        sectors: vec![sector(7, vec![piece(0xab, to_vec(&42u64).unwrap())])],
    };
    assert_eq!(
        hex::encode(to_vec(&one).unwrap()),
        format!(
            "8183071a0016e3608183d82a5828000181e203922020{}19080042182a",
            "ab".repeat(32)
        )
    );
    let ret = miner::notify_sector_content_changed(h, miner, Address::new_id(rcv), one)
        .unwrap()
        .unwrap();
    assert_eq!(ret.exit_code, ExitCode::OK);
    assert_eq!(ret.return_data.to_vec(), unhex("81 81 f5"));
    assert_eq!(
        h.state::<receiver::State>(rcv).unwrap(),
        receiver::State {
            notifications: 1,
            pieces_accepted: 1,
            pieces_rejected: 0,
            last_miner: Some(miner),
            last_sector: Some(7),
            last_payload: Some(42),
        }
    );

    // Several sectors: the answer mirrors the shape, piece by piece.
    let mixed = miner::SectorContentChangedParams {
        sectors: vec![
            sector(
                7,
                vec![piece(1, to_vec(&5u64).unwrap()), piece(2, b"no".to_vec())],
            ),
            sector(8, vec![]),
            sector(9, vec![piece(3, to_vec(&6u64).unwrap())]),
        ],
    };
    let ret = miner::notify_sector_content_changed(h, miner, Address::new_id(rcv), mixed)
        .unwrap()
        .unwrap();
    assert_eq!(ret.exit_code, ExitCode::OK);
    assert_eq!(ret.return_data.to_vec(), unhex("83 82 f5 f4 80 81 f5"));
    let answer: miner::SectorContentChangedReturn =
        fvm_ipld_encoding::from_slice(ret.return_data.bytes()).unwrap();
    let bools: Vec<Vec<bool>> = answer
        .sectors
        .iter()
        .map(|s| s.added.iter().map(|p| p.accepted).collect())
        .collect();
    assert_eq!(bools, vec![vec![true, false], vec![], vec![true]]);
    assert_eq!(
        h.state::<receiver::State>(rcv).unwrap(),
        receiver::State {
            notifications: 2,
            pieces_accepted: 3,
            pieces_rejected: 1,
            last_miner: Some(miner),
            last_sector: Some(9),
            last_payload: Some(6),
        }
    );

    // The miner relays what any receiver answers: an actor without the method aborts with
    // 22 (the miner's own message still succeeds), an account accepts with no return.
    let counter = h.deploy(&alice, "test-actor-counter", &alice.id).unwrap();
    let empty = || miner::SectorContentChangedParams { sectors: vec![] };
    let ret = miner::notify_sector_content_changed(h, miner, Address::new_id(counter), empty())
        .unwrap()
        .unwrap();
    assert_eq!(
        (ret.exit_code, ret.return_data.to_vec()),
        (ExitCode::USR_UNHANDLED_MESSAGE, vec![])
    );
    let ret = miner::notify_sector_content_changed(h, miner, alice.key, empty())
        .unwrap()
        .unwrap();
    assert_eq!((ret.exit_code, ret.return_data.to_vec()), (ExitCode::OK, vec![]));
}

#[test]
fn the_receiver_refuses_callers_that_are_not_miners() {
    let World {
        mut h,
        owner,
        stranger: alice,
        miner,
        ..
    } = world();
    let h = &mut h;
    let rcv = deploy_receiver(h, &alice);
    let before = state_cid(h, rcv);
    let p = miner::SectorContentChangedParams {
        sectors: vec![sector(7, vec![piece(1, to_vec(&42u64).unwrap())])],
    };
    // An account calling directly, even the miner's owner or the operator: 18, nothing kept.
    let operator = h.operator();
    for from in [alice, owner, operator] {
        let r = h.call(&from, rcv, SECTOR_CONTENT_CHANGED, &p, zero()).unwrap();
        assert!(r
            .expect_exit(ExitCode::USR_FORBIDDEN)
            .unwrap()
            .contains("not one of [Miner]"));
    }
    assert_eq!(state_cid(h, rcv), before);
    // Other numbers are unhandled; the constructor is init's.
    let r = h.call_no_params(&alice, rcv, 0xdead_beef).unwrap();
    r.expect_exit(ExitCode::USR_UNHANDLED_MESSAGE).unwrap();
    let r = h.call(&alice, rcv, METHOD_CONSTRUCTOR, &(), zero()).unwrap();
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    assert_eq!(state_cid(h, rcv), before);
    // The same params through the miner are accepted.
    let ret = miner::notify_sector_content_changed(h, miner, Address::new_id(rcv), p)
        .unwrap()
        .unwrap();
    assert_eq!(ret.return_data.to_vec(), unhex("81 81 f5"));
    assert_ne!(state_cid(h, rcv), before);
}

// ---------------------------------------------------------------------------------------------
// Who may drive the miner, bad inputs, dispatch
// ---------------------------------------------------------------------------------------------

#[test]
fn every_control_is_refused_to_anyone_but_the_operator() {
    let World {
        mut h,
        owner,
        worker,
        controls,
        stranger,
        miner,
    } = world();
    let h = &mut h;
    ok(miner::add_sector(h, miner, 7, 3, 0, 1000).unwrap());
    ok(miner::add_sector(h, miner, 8, 3, 0, 1000).unwrap());
    ok(miner::terminate_sector(h, miner, 8).unwrap());
    ok(miner::add_sector(h, miner, 9, 3, 0, 1000).unwrap());
    ok(miner::fault_sector(h, miner, 9).unwrap());
    // Each of these would succeed from the operator (checked below).
    let all = [
        Control::Add(miner::HarnessAddSectorParams {
            sector_number: 1,
            deadline: 0,
            partition: 0,
            expiration: 1000,
        }),
        Control::Fault(7),
        Control::Recover(9),
        Control::Move(miner::HarnessMoveSectorParams {
            sector_number: 7,
            deadline: 1,
            partition: 1,
        }),
        Control::Terminate(7),
        Control::Compact(8),
        Control::Notify(miner::HarnessNotifyParams {
            receiver: stranger.address(),
            sectors: miner::SectorContentChangedParams { sectors: vec![] },
        }),
    ];
    let before = state_cid(h, miner);
    for from in [owner, worker, controls[0], controls[1], stranger] {
        for c in &all {
            let r = miner::control_from(h, &from, miner, c).unwrap();
            let why = r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
            assert!(
                why.contains("not the harness operator"),
                "{c:?} from f0{}: {why}",
                from.id
            );
            assert_eq!(state_cid(h, miner), before, "{c:?} from f0{}", from.id);
        }
    }
    // Refused before the params are read: garbage from a stranger is still 18.
    for c in &all {
        let r = h
            .send(
                &stranger,
                Address::new_id(miner),
                c.method(),
                RawBytes::new(vec![0xff]),
                zero(),
            )
            .unwrap();
        r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    }
    // The operator is obeyed, in the same order (Fault before Recover would not matter).
    for c in &all {
        let r = miner::control(h, miner, c).unwrap();
        assert!(r.is_ok(), "{c:?}: {:?}", r.failure);
    }
    assert_ne!(state_cid(h, miner), before);
}

#[test]
fn controls_refuse_bad_inputs_and_change_nothing() {
    let World { mut h, miner, .. } = world();
    let h = &mut h;
    ok(miner::add_sector(h, miner, 7, 3, 0, 1000).unwrap());
    ok(miner::add_sector(h, miner, 8, 3, 0, 1000).unwrap());
    ok(miner::terminate_sector(h, miner, 8).unwrap());
    h.advance_to(10).unwrap();
    let add = |n, deadline, partition, expiration| {
        Control::Add(miner::HarnessAddSectorParams {
            sector_number: n,
            deadline,
            partition,
            expiration,
        })
    };
    let mv = |n, deadline, partition| {
        Control::Move(miner::HarnessMoveSectorParams {
            sector_number: n,
            deadline,
            partition,
        })
    };
    let cases: Vec<(&str, Control, u32)> = vec![
        ("deadline 48", add(1, 48, 0, 1000), 16),
        ("partition beyond i64", add(1, 0, u64::MAX, 1000), 16),
        ("sector number beyond i64", add(u64::MAX, 0, 0, 1000), 16),
        ("expiration now", add(1, 0, 0, 10), 16),
        ("expiration in the past", add(1, 0, 0, 5), 16),
        ("duplicate live sector", add(7, 0, 0, 1000), 16),
        ("duplicate terminated sector", add(8, 0, 0, 1000), 16),
        ("fault unknown", Control::Fault(99), 17),
        ("fault terminated", Control::Fault(8), 20),
        ("recover active", Control::Recover(7), 20),
        ("recover unknown", Control::Recover(99), 17),
        ("terminate unknown", Control::Terminate(99), 17),
        ("terminate twice", Control::Terminate(8), 20),
        ("move to deadline 48", mv(7, 48, 0), 16),
        ("move where it is", mv(7, 3, 0), 16),
        ("move terminated", mv(8, 1, 1), 20),
        ("move unknown", mv(99, 1, 1), 17),
        ("compact active", Control::Compact(7), 20),
        ("compact unknown", Control::Compact(99), 17),
    ];
    let before = state_cid(h, miner);
    for (why, c, expected) in &cases {
        let r = miner::control(h, miner, c).unwrap();
        assert_eq!(code(r.exit_code), *expected, "{why}: {:?}", r.failure);
        assert_eq!(state_cid(h, miner), before, "{why}");
    }
    // Params rules apply to controls too.
    let operator = h.operator();
    for c in [add(1, 0, 0, 1000), Control::Fault(7)] {
        let r = h.call_no_params(&operator, miner, c.method()).unwrap();
        r.expect_exit(ExitCode::USR_ILLEGAL_ARGUMENT).unwrap();
        let r = h
            .send(
                &operator,
                Address::new_id(miner),
                c.method(),
                RawBytes::new(vec![0xff]),
                zero(),
            )
            .unwrap();
        r.expect_exit(ExitCode::USR_SERIALIZATION).unwrap();
    }
    assert_eq!(state_cid(h, miner), before);
    // A fault is refused twice; the sector number stays taken after compaction.
    ok(miner::fault_sector(h, miner, 7).unwrap());
    let r = miner::fault_sector(h, miner, 7).unwrap();
    r.expect_exit(ExitCode::USR_ILLEGAL_STATE).unwrap();
    ok(miner::compact_sector(h, miner, 8).unwrap());
    let r = miner::control(h, miner, &add(8, 0, 0, 1000)).unwrap();
    r.expect_exit(ExitCode::USR_ILLEGAL_ARGUMENT).unwrap();
}

#[test]
fn dispatch_follows_the_builtin_rules() {
    let World {
        mut h,
        owner,
        stranger,
        miner,
        ..
    } = world();
    let h = &mut h;
    let before = state_cid(h, miner);
    let with = |h: &mut Harness, method, p: Option<Vec<u8>>| {
        let r = h
            .send(
                &stranger,
                Address::new_id(miner),
                method,
                RawBytes::new(p.unwrap_or_default()),
                zero(),
            )
            .unwrap();
        code(r.exit_code)
    };
    let some_u64 = Some(to_vec(&7u64).unwrap());
    // No-param getters refuse any block: 16.
    for m in [
        miner::METHOD_GET_OWNER,
        miner::METHOD_GET_SECTOR_SIZE,
        miner::METHOD_GET_AVAILABLE_BALANCE,
    ] {
        assert_eq!(with(h, m, None), 0, "{m} without params");
        assert_eq!(with(h, m, some_u64.clone()), 16, "{m} with params");
        assert_eq!(with(h, m, Some(vec![0xf6])), 16, "{m} with null");
    }
    // Getters with params: none is 16, undecodable is 21.
    for m in [
        miner::METHOD_IS_CONTROLLING_ADDRESS,
        miner::METHOD_GENERATE_SECTOR_LOCATION,
        miner::METHOD_VALIDATE_SECTOR_STATUS,
        miner::METHOD_GET_NOMINAL_SECTOR_EXPIRATION,
    ] {
        assert_eq!(with(h, m, None), 16, "{m} without params");
        assert_eq!(with(h, m, Some(vec![0xff])), 21, "{m} undecodable");
    }
    // A number where an address is expected does not decode.
    assert_eq!(
        with(h, miner::METHOD_IS_CONTROLLING_ADDRESS, some_u64.clone()),
        21
    );
    // Unknown exported numbers: 22. Legacy numbers (below 2^24) are for builtin callers; an
    // account is one (workers send SubmitWindowedPoSt as 5), so it gets the stand-in's 22 for
    // the methods it does not model. A user actor gets 18: see the test after this one.
    assert_eq!(with(h, 0xdead_beef, None), 22);
    assert_eq!(
        with(h, miner::METHOD_HARNESS_ADD_SECTOR + 1, some_u64.clone()),
        22
    );
    for legacy in [2, 9, 13, 16_777_215] {
        assert_eq!(with(h, legacy, None), 22, "legacy method {legacy}");
    }
    // The constructor is init's, whoever else calls it.
    let r = h.call_no_params(&owner, miner, METHOD_CONSTRUCTOR).unwrap();
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    assert_eq!(state_cid(h, miner), before);
}

/// A call from a user wasm actor (the receiver's `Query` relay), read-only.
fn relay(
    h: &mut Harness,
    from: &Account,
    via: ActorID,
    to: Address,
    method: MethodNum,
    p: Vec<u8>,
) -> (u32, String) {
    let q = receiver::QueryParams {
        to,
        method,
        params: RawBytes::new(p),
    };
    let ret: receiver::QueryReturn = h
        .call(from, via, receiver::METHOD_QUERY, &q, zero())
        .unwrap()
        .ret()
        .unwrap();
    (code(ret.exit_code), hex::encode(ret.return_data.bytes()))
}

#[test]
fn a_user_actor_reads_the_getters_but_no_legacy_method() {
    let World {
        mut h,
        owner,
        stranger: alice,
        miner,
        ..
    } = world();
    let h = &mut h;
    ok(miner::add_sector(h, miner, 7, 3, 0, 1_500_000).unwrap());
    let user = deploy_receiver(h, &alice);
    assert_eq!(h.builtin_type(user).unwrap(), None, "a user actor");
    let to = Address::new_id(miner);
    let mut ask = |method, p: &str| relay(h, &alice, user, to, method, unhex(p));
    // Every getter answers any caller, a user actor included, with the same bytes.
    assert_eq!(owner.id, 101);
    assert_eq!(ask(miner::METHOD_GET_OWNER, ""), (0, "82420065f6".into()));
    assert_eq!(
        ask(miner::METHOD_GET_SECTOR_SIZE, ""),
        (0, "1b0000000800000000".into())
    );
    assert_eq!(
        ask(miner::METHOD_IS_CONTROLLING_ADDRESS, "42 00 65"),
        (0, "f5".into())
    );
    assert_eq!(
        ask(miner::METHOD_GENERATE_SECTOR_LOCATION, "81 07"),
        (0, "820143820300".into())
    );
    assert_eq!(
        ask(miner::METHOD_VALIDATE_SECTOR_STATUS, "83 07 01 43 82 03 00"),
        (0, "f5".into())
    );
    assert_eq!(
        ask(miner::METHOD_GET_NOMINAL_SECTOR_EXPIRATION, "07"),
        (0, "1a0016e360".into())
    );
    // Legacy numbers are refused to it before dispatch (docs/builtin-actors-interface.md §0): 18,
    // not 22.
    for legacy in [2, 9, 10, 11, 13, 16_777_215] {
        assert_eq!(ask(legacy, ""), (18, String::new()), "legacy method {legacy}");
    }
    // The controls are the operator's, and unknown exported numbers stay 22.
    assert_eq!(ask(miner::METHOD_HARNESS_FAULT_SECTOR, "07").0, 18);
    assert_eq!(ask(0xdead_beef, "").0, 22);
}

/// Power's CreateMiner refuses a worker whose key is not BLS with 16 ("worker account … must
/// have BLS pubkey"): so does the stand-in's constructor, and a worker that is no account at
/// all; a BLS account is a worker.
#[test]
fn a_worker_without_a_bls_key_is_refused_with_16() {
    let World {
        mut h,
        owner,
        worker,
        stranger,
        miner,
        ..
    } = world();
    assert_eq!(worker.key.protocol(), fvm_shared::address::Protocol::BLS);
    let with_worker = |w: Address| miner::ConstructorParams {
        owner: owner.address(),
        worker: w,
        control_addresses: vec![],
        sector_size: miner::SECTOR_SIZE_32GIB,
    };
    for (w, why) in [
        (owner.key, "must have BLS pubkey"),
        (owner.address(), "must have BLS pubkey"),
        (Address::new_id(miner), "must be an account"),
    ] {
        let r = miner::exec_miner(&mut h, &stranger, &with_worker(w)).unwrap();
        assert_eq!(r.exit_code, ExitCode::USR_ILLEGAL_ARGUMENT, "{w}");
        let failure = r.failure.unwrap_or_default();
        assert!(failure.contains(why), "{w}: {failure}");
    }
    let r = miner::exec_miner(&mut h, &stranger, &with_worker(worker.key)).unwrap();
    assert!(r.is_ok(), "{:?}", r.failure);
}
