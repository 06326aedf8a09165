//! The stand-in storage market (f05) on the real FVM: its wasm, called through messages, must
//! answer as the builtin market v18 does (docs/builtin-actors-interface.md §0, §2, §6.3, §7):
//! method numbers, the CBOR bytes on the wire, the deal lifecycle of §2.3 as every getter sees it,
//! events, caller checks and the dispatch rules. Expected bytes are written out by hand, not
//! produced by the types under test.

use super::common::{fil, unhex};
use actor_runtime::method_hash;
use fvm_ipld_encoding::to_vec;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::StampedEvent;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::{ActorID, MethodNum};
use integration_tests::storage_market::{deal_proposal, provider_miner, StorageMarketExt, STORAGE_MARKET};
use integration_tests::StorageMarketClient;
use integration_tests::{Account, Harness, Receipt};
use stand_in_market::{
    AddBalanceParams, DealProposal, DealQueryParams, GetBalanceParams, GetBalanceReturn,
    GetDealActivationReturn, GetDealDataCommitmentReturn, GetDealTermReturn, Label,
    OnMinerSectorsTerminateParams, StorageMarketPolicy, METHOD_ADD_BALANCE, METHOD_GET_BALANCE,
    METHOD_GET_DEAL_ACTIVATION, METHOD_GET_DEAL_CLIENT, METHOD_GET_DEAL_CLIENT_COLLATERAL,
    METHOD_GET_DEAL_DATA_COMMITMENT, METHOD_GET_DEAL_LABEL, METHOD_GET_DEAL_PROVIDER,
    METHOD_GET_DEAL_PROVIDER_COLLATERAL, METHOD_GET_DEAL_SECTOR, METHOD_GET_DEAL_TERM,
    METHOD_GET_DEAL_TOTAL_PRICE, METHOD_GET_DEAL_VERIFIED, METHOD_HARNESS_ACTIVATE_DEAL,
    METHOD_HARNESS_OPERATOR, METHOD_HARNESS_PUBLISH_DEAL, METHOD_HARNESS_SETTLE_DEAL,
    METHOD_HARNESS_TERMINATE_DEAL, METHOD_HARNESS_TIMEOUT_DEAL, METHOD_ON_MINER_SECTORS_TERMINATE,
};

// Hand-written CBOR, independent of the serde encoders under test.

fn cbor_head(major: u8, n: u64) -> Vec<u8> {
    let m = major << 5;
    match n {
        0..=23 => vec![m | n as u8],
        24..=0xff => vec![m | 24, n as u8],
        0x100..=0xffff => [vec![m | 25], (n as u16).to_be_bytes().to_vec()].concat(),
        0x1_0000..=0xffff_ffff => [vec![m | 26], (n as u32).to_be_bytes().to_vec()].concat(),
        _ => [vec![m | 27], n.to_be_bytes().to_vec()].concat(),
    }
}

fn cbor_uint(n: u64) -> Vec<u8> {
    cbor_head(0, n)
}

fn cbor_text(s: &str) -> Vec<u8> {
    [cbor_head(3, s.len() as u64), s.as_bytes().to_vec()].concat()
}

fn cbor_bytes(b: &[u8]) -> Vec<u8> {
    [cbor_head(2, b.len() as u64), b.to_vec()].concat()
}

/// An ID address as a CBOR byte string: protocol 0, then the LEB128 varint of the ID.
fn cbor_id_address(id: ActorID) -> Vec<u8> {
    let mut raw = vec![0u8];
    let mut v = id;
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            raw.push(byte);
            break;
        }
        raw.push(byte | 0x80);
    }
    cbor_bytes(&raw)
}

/// The eleven deal getters, by reference name (§2.1).
const GETTERS: [(&str, MethodNum); 11] = [
    ("GetDealDataCommitment", METHOD_GET_DEAL_DATA_COMMITMENT),
    ("GetDealClient", METHOD_GET_DEAL_CLIENT),
    ("GetDealProvider", METHOD_GET_DEAL_PROVIDER),
    ("GetDealLabel", METHOD_GET_DEAL_LABEL),
    ("GetDealTerm", METHOD_GET_DEAL_TERM),
    ("GetDealTotalPrice", METHOD_GET_DEAL_TOTAL_PRICE),
    ("GetDealClientCollateral", METHOD_GET_DEAL_CLIENT_COLLATERAL),
    ("GetDealProviderCollateral", METHOD_GET_DEAL_PROVIDER_COLLATERAL),
    ("GetDealVerified", METHOD_GET_DEAL_VERIFIED),
    ("GetDealActivation", METHOD_GET_DEAL_ACTIVATION),
    ("GetDealSector", METHOD_GET_DEAL_SECTOR),
];

/// The operator-only controls.
const CONTROLS: [(&str, MethodNum); 5] = [
    ("HarnessPublishDeal", METHOD_HARNESS_PUBLISH_DEAL),
    ("HarnessActivateDeal", METHOD_HARNESS_ACTIVATE_DEAL),
    ("HarnessTerminateDeal", METHOD_HARNESS_TERMINATE_DEAL),
    ("HarnessSettleDeal", METHOD_HARNESS_SETTLE_DEAL),
    ("HarnessTimeoutDeal", METHOD_HARNESS_TIMEOUT_DEAL),
];

struct Fx {
    h: Harness,
    client: Account,
    owner: Account,
    miner: ActorID,
    /// Every proposal published, by deal id.
    published: Vec<DealProposal>,
}

fn setup() -> Fx {
    let mut h = Harness::new().unwrap();
    let client = h.create_account(fil(100)).unwrap();
    let owner = h.create_account(fil(100)).unwrap();
    let miner = provider_miner(&mut h, &owner).unwrap();
    Fx {
        h,
        client,
        owner,
        miner,
        published: Vec::new(),
    }
}

impl Fx {
    fn proposal(&self, start: ChainEpoch, end: ChainEpoch, seed: u8) -> DealProposal {
        deal_proposal(self.client.id, self.miner, start, end, seed)
    }

    /// Publishes a deal for `[start, end)` with the default terms.
    fn publish(&mut self, start: ChainEpoch, end: ChainEpoch, seed: u8) -> DealID {
        let p = self.proposal(start, end, seed);
        self.publish_proposal(p)
    }

    fn publish_proposal(&mut self, p: DealProposal) -> DealID {
        let id = self.h.publish_deal(&p).unwrap();
        assert_eq!(
            id as usize,
            self.published.len(),
            "deal ids are handed out in order"
        );
        self.published.push(p);
        id
    }

    /// What deal `id` was published with (a default for ids never published).
    fn published(&self, id: DealID) -> DealProposal {
        self.published
            .get(id as usize)
            .cloned()
            .unwrap_or_else(|| self.proposal(0, 1, 0))
    }

    fn check(&mut self, row: &str, id: DealID, seen: Seen) {
        let proposal = self.published(id);
        check_getters(&mut self.h, row, id, seen, &proposal);
    }
}

/// The miner's operator control: a sector in deadline 0, partition 0, expiring far ahead.
fn add_sector(h: &mut Harness, miner: ActorID, sector: u64) {
    add_sector_expiring(h, miner, sector, 1_000_000);
}

/// A sector in deadline 0, partition 0, expiring at `expiration`.
fn add_sector_expiring(h: &mut Harness, miner: ActorID, sector: u64, expiration: ChainEpoch) {
    let operator = h.operator();
    let p = stand_in_miner::HarnessAddSectorParams {
        sector_number: sector,
        deadline: 0,
        partition: 0,
        expiration,
    };
    h.call(
        &operator,
        miner,
        stand_in_miner::METHOD_HARNESS_ADD_SECTOR,
        &p,
        TokenAmount::default(),
    )
    .unwrap()
    .ok()
    .unwrap();
}

/// The miner terminates a sector, which calls the market's OnMinerSectorsTerminate (7).
fn terminate_sector(h: &mut Harness, miner: ActorID, sector: u64) -> Receipt {
    let operator = h.operator();
    let p = stand_in_miner::HarnessSectorParams {
        sector_number: sector,
    };
    h.call(
        &operator,
        miner,
        stand_in_miner::METHOD_HARNESS_TERMINATE_SECTOR,
        &p,
        TokenAmount::default(),
    )
    .unwrap()
    .ok()
    .unwrap()
}

/// Asserts one market event exactly as §6.3 lays it out: four entries, flags 0x03, codec
/// 0x51 (CBOR), `$type` text then `id`, `client`, `provider` integers; emitted by f05.
fn assert_deal_event(e: &StampedEvent, kind: &str, id: DealID, client: ActorID, provider: ActorID) {
    assert_eq!(e.emitter, STORAGE_MARKET, "{kind} emitter");
    let got: Vec<(u64, &str, u64, Vec<u8>)> = e
        .event
        .entries
        .iter()
        .map(|x| (x.flags.bits(), x.key.as_str(), x.codec, x.value.clone()))
        .collect();
    let want = vec![
        (0x03, "$type", 0x51, cbor_text(kind)),
        (0x03, "id", 0x51, cbor_uint(id)),
        (0x03, "client", 0x51, cbor_uint(client)),
        (0x03, "provider", 0x51, cbor_uint(provider)),
    ];
    assert_eq!(got, want, "{kind} event of deal {id}");
}

/// The events the market (f05) emitted during a message (a miner's message may carry the
/// miner's own events too).
fn market_events(r: &Receipt) -> Vec<&StampedEvent> {
    r.events.iter().filter(|e| e.emitter == STORAGE_MARKET).collect()
}

/// The one market event of a receipt, which must be of `kind`.
fn only_event<'a>(r: &'a Receipt, kind: &str) -> &'a StampedEvent {
    let events = market_events(r);
    assert_eq!(events.len(), 1, "market events: {:?}", r.events);
    let of_kind = r.events_of(kind);
    assert_eq!(of_kind.len(), 1, "no {kind} event in {:?}", r.events);
    of_kind[0]
}

fn code(r: &Receipt) -> u32 {
    r.exit_code.value()
}

#[test]
fn method_numbers_are_the_reference_frc42_numbers() {
    // docs/builtin-actors-interface.md §1, decimal column.
    let expected: [(&str, MethodNum, MethodNum); 13] = [
        ("AddBalance", METHOD_ADD_BALANCE, 822473126),
        ("GetBalance", METHOD_GET_BALANCE, 726108461),
        (
            "GetDealDataCommitment",
            METHOD_GET_DEAL_DATA_COMMITMENT,
            1157985802,
        ),
        ("GetDealClient", METHOD_GET_DEAL_CLIENT, 128053329),
        ("GetDealProvider", METHOD_GET_DEAL_PROVIDER, 935081690),
        ("GetDealLabel", METHOD_GET_DEAL_LABEL, 46363526),
        ("GetDealTerm", METHOD_GET_DEAL_TERM, 163777312),
        ("GetDealTotalPrice", METHOD_GET_DEAL_TOTAL_PRICE, 4287162428),
        (
            "GetDealClientCollateral",
            METHOD_GET_DEAL_CLIENT_COLLATERAL,
            200567895,
        ),
        (
            "GetDealProviderCollateral",
            METHOD_GET_DEAL_PROVIDER_COLLATERAL,
            2986712137,
        ),
        ("GetDealVerified", METHOD_GET_DEAL_VERIFIED, 2627389465),
        ("GetDealActivation", METHOD_GET_DEAL_ACTIVATION, 2567238399),
        ("GetDealSector", METHOD_GET_DEAL_SECTOR, 2611213344),
    ];
    for (name, ours, reference) in expected {
        assert_eq!(ours, reference, "{name}");
    }
    assert_eq!(METHOD_ON_MINER_SECTORS_TERMINATE, 7);
    assert_eq!(
        stand_in_miner::METHOD_MARKET_ON_MINER_SECTORS_TERMINATE,
        METHOD_ON_MINER_SECTORS_TERMINATE,
        "the miner calls the number the market answers"
    );
    // The harness controls are exported numbers too, distinct from every builtin one.
    let mut all: Vec<MethodNum> = expected.iter().map(|(_, n, _)| *n).collect();
    all.extend(CONTROLS.iter().map(|(_, n)| *n));
    all.push(METHOD_HARNESS_OPERATOR);
    assert!(all.iter().all(|m| *m >= 1 << 24));
    let n = all.len();
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), n, "method numbers collide");
}

#[test]
fn getters_put_the_reference_bytes_on_the_wire() {
    let mut fx = setup();
    let client = fx.client;
    // Published with the client's key address: the market stores it as an ID.
    let proposal = DealProposal {
        client: client.key,
        label: Label::String("hello".into()),
        ..fx.proposal(2000, 5000, 0x11)
    };
    let operator = fx.h.operator();
    let r = fx.h.publish_deal_as(&operator, &proposal).unwrap().ok().unwrap();
    assert_eq!(
        r.return_data.bytes(),
        [0x00],
        "HarnessPublishDeal returns the bare id 0"
    );
    let id: DealID = 0;

    // Published, not activated (§0 vector).
    let r = fx.h.deal_query(METHOD_GET_DEAL_ACTIVATION, id).unwrap();
    assert_eq!(r.return_data.bytes(), unhex("82 20 20"));
    let r = fx.h.deal_query(METHOD_GET_DEAL_SECTOR, id).unwrap();
    assert_eq!(code(&r), 33);
    assert!(r.return_data.is_empty());

    // Activated at epoch 1234 in sector 7 (§0 vector).
    add_sector(&mut fx.h, fx.miner, 7);
    fx.h.advance_to(1234).unwrap();
    let r = fx.h.activate_deal(id, 7).unwrap();
    assert!(r.return_data.is_empty(), "HarnessActivateDeal returns no block");
    let r = fx.h.deal_query(METHOD_GET_DEAL_ACTIVATION, id).unwrap();
    assert_eq!(r.return_data.bytes(), unhex("82 19 04 d2 20"));

    let comm_p = format!("d8 2a 58 28 00 01 81 e2 03 92 20 20 {}", "11".repeat(32));
    let expected: [(MethodNum, Vec<u8>); 11] = [
        (
            METHOD_GET_DEAL_DATA_COMMITMENT,
            unhex(&format!("82 {comm_p} 19 08 00")),
        ),
        (METHOD_GET_DEAL_CLIENT, cbor_uint(client.id)),
        (METHOD_GET_DEAL_PROVIDER, cbor_uint(fx.miner)),
        (METHOD_GET_DEAL_LABEL, unhex("65 68 65 6c 6c 6f")),
        // [start 2000, duration 3000]
        (METHOD_GET_DEAL_TERM, unhex("82 19 07 d0 19 0b b8")),
        // 1000 attoFIL x 3000 epochs = 3,000,000 = 0x2dc6c0
        (METHOD_GET_DEAL_TOTAL_PRICE, unhex("44 00 2d c6 c0")),
        // 1 FIL and 2 FIL in attoFIL, sign byte first
        (
            METHOD_GET_DEAL_CLIENT_COLLATERAL,
            unhex("49 00 0d e0 b6 b3 a7 64 00 00"),
        ),
        (
            METHOD_GET_DEAL_PROVIDER_COLLATERAL,
            unhex("49 00 1b c1 6d 67 4e c8 00 00"),
        ),
        (METHOD_GET_DEAL_VERIFIED, unhex("f4")),
        (METHOD_GET_DEAL_ACTIVATION, unhex("82 19 04 d2 20")),
        (METHOD_GET_DEAL_SECTOR, unhex("07")),
    ];
    for ((name, method), (m, bytes)) in GETTERS.iter().zip(&expected) {
        assert_eq!(method, m);
        let r = fx.h.deal_query(*method, id).unwrap();
        assert!(r.is_ok(), "{name}: exit {}", code(&r));
        assert_eq!(hex::encode(r.return_data.bytes()), hex::encode(bytes), "{name}");
        assert!(r.events.is_empty(), "{name} emitted events");
    }

    // A second deal: verified, byte-string label; its id comes back as 01.
    let second = DealProposal {
        verified_deal: true,
        label: Label::Bytes(vec![1, 2, 3]),
        ..fx.proposal(3000, 6000, 0x22)
    };
    let r = fx.h.publish_deal_as(&operator, &second).unwrap().ok().unwrap();
    assert_eq!(r.return_data.bytes(), [0x01]);
    let r = fx.h.deal_query(METHOD_GET_DEAL_VERIFIED, 1).unwrap();
    assert_eq!(r.return_data.bytes(), unhex("f5"));
    let r = fx.h.deal_query(METHOD_GET_DEAL_LABEL, 1).unwrap();
    assert_eq!(r.return_data.bytes(), unhex("43 01 02 03"));

    // Params on the wire: deal id 1000 is the transparent integer 19 03 e8 (§0). Sent as raw
    // bytes to every getter, it names a deal never published: 17, no return block.
    assert_eq!(to_vec(&DealQueryParams { id: 1000 }).unwrap(), unhex("19 03 e8"));
    for (name, method) in GETTERS {
        let r =
            fx.h.storage_market_send_raw(&operator, method, unhex("19 03 e8"))
                .unwrap();
        assert_eq!(code(&r), 17, "{name} of deal 1000");
        assert!(r.return_data.is_empty(), "{name}");
        // The same getter with the raw bytes of deal 0 (a single 00) answers.
        let r =
            fx.h.storage_market_send_raw(&operator, method, vec![0x00])
                .unwrap();
        assert!(r.is_ok(), "{name} of deal 0: exit {}", code(&r));
    }

    // Escrow: AddBalance returns no block; GetBalance of 1 FIL is the §0 vector.
    let p = AddBalanceParams {
        provider_or_client: client.address(),
    };
    let market_before = fx.h.balance(STORAGE_MARKET).unwrap();
    let r =
        fx.h.send(
            &client,
            Address::new_id(STORAGE_MARKET),
            METHOD_ADD_BALANCE,
            integration_tests::harness::params(&p),
            fil(1),
        )
        .unwrap()
        .ok()
        .unwrap();
    assert!(r.return_data.is_empty());
    assert_eq!(fx.h.balance(STORAGE_MARKET).unwrap(), market_before + fil(1));
    let account = cbor_id_address(client.id);
    assert_eq!(
        to_vec(&GetBalanceParams {
            account: client.address()
        })
        .unwrap(),
        account
    );
    let r =
        fx.h.storage_market_send_raw(&operator, METHOD_GET_BALANCE, account)
            .unwrap();
    assert_eq!(
        r.return_data.bytes(),
        unhex("82 49 00 0d e0 b6 b3 a7 64 00 00 40")
    );
    // By key address, the same escrow; an account with none has [0, 0] (empty byte strings).
    assert_eq!(
        StorageMarketClient::new()
            .balance(&mut fx.h, client.key)
            .unwrap()
            .unwrap(),
        GetBalanceReturn {
            balance: fil(1),
            locked: TokenAmount::default()
        }
    );
    let r =
        fx.h.storage_market_send_raw(&operator, METHOD_GET_BALANCE, cbor_id_address(fx.owner.id))
            .unwrap();
    assert_eq!(r.return_data.bytes(), unhex("82 40 40"));

    // HarnessOperator: the operator as a bare integer.
    let r =
        fx.h.call_no_params(&client, STORAGE_MARKET, METHOD_HARNESS_OPERATOR)
            .unwrap();
    assert_eq!(r.return_data.bytes(), cbor_uint(operator.id));
    assert_eq!(fx.h.storage_market_operator().unwrap(), operator.id);
}

/// What a deal's getters report in one situation of docs/builtin-actors-interface.md §2.3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// Never published: 17 everywhere.
    NotFound,
    /// Published, not activated: `[-1, -1]`, sector 33, the others answer.
    Pending,
    /// Activated: `[epoch, -1]`, the sector, the others answer.
    Active { epoch: ChainEpoch, sector: u64 },
    /// Deleted (terminated, settled, timed out): 32 everywhere.
    Expired,
}

/// Checks every getter of deal `id` against `seen`; `proposal` is what was published.
fn check_getters(h: &mut Harness, row: &str, id: DealID, seen: Seen, proposal: &DealProposal) {
    let codes: Vec<(&str, u32, bool)> = GETTERS
        .iter()
        .map(|(name, m)| {
            let r = h.deal_query(*m, id).unwrap();
            assert!(r.events.is_empty(), "{row}: {name} emitted events");
            (*name, code(&r), r.return_data.is_empty())
        })
        .collect();
    let want = |name: &str| -> u32 {
        match seen {
            Seen::NotFound => 17,
            Seen::Expired => 32,
            Seen::Pending if name == "GetDealSector" => 33,
            Seen::Pending | Seen::Active { .. } => 0,
        }
    };
    for (name, got, empty) in &codes {
        assert_eq!(*got, want(name), "{row}: {name} of deal {id}");
        if *got != 0 {
            assert!(empty, "{row}: {name} failed but returned data");
        }
    }
    match seen {
        Seen::NotFound | Seen::Expired => return,
        Seen::Pending => {
            assert_eq!(
                StorageMarketClient::new().deal_activation(h, id).unwrap(),
                Ok(GetDealActivationReturn {
                    activated: -1,
                    terminated: -1
                }),
                "{row}"
            );
        }
        Seen::Active { epoch, sector } => {
            assert_eq!(
                StorageMarketClient::new().deal_activation(h, id).unwrap(),
                Ok(GetDealActivationReturn {
                    activated: epoch,
                    terminated: -1
                }),
                "{row}"
            );
            assert_eq!(
                StorageMarketClient::new().deal_sector(h, id).unwrap(),
                Ok(sector),
                "{row}"
            );
        }
    }
    // The other getters read the stored (ID-normalised) proposal.
    let client = h.resolve(&proposal.client).unwrap().unwrap();
    let provider = h.resolve(&proposal.provider).unwrap().unwrap();
    let duration = proposal.end_epoch - proposal.start_epoch;
    assert_eq!(
        StorageMarketClient::new().deal_data_commitment(h, id).unwrap(),
        Ok(GetDealDataCommitmentReturn {
            data: proposal.piece_cid,
            size: proposal.piece_size
        }),
        "{row}"
    );
    assert_eq!(
        StorageMarketClient::new().deal_client(h, id).unwrap(),
        Ok(client),
        "{row}"
    );
    assert_eq!(
        StorageMarketClient::new().deal_provider(h, id).unwrap(),
        Ok(provider),
        "{row}"
    );
    assert_eq!(
        StorageMarketClient::new().deal_label(h, id).unwrap(),
        Ok(proposal.label.clone()),
        "{row}"
    );
    assert_eq!(
        StorageMarketClient::new().deal_term(h, id).unwrap(),
        Ok(GetDealTermReturn {
            start: proposal.start_epoch,
            duration
        }),
        "{row}"
    );
    assert_eq!(
        StorageMarketClient::new().deal_total_price(h, id).unwrap(),
        Ok(&proposal.storage_price_per_epoch * duration),
        "{row}"
    );
    assert_eq!(
        StorageMarketClient::new().deal_client_collateral(h, id).unwrap(),
        Ok(proposal.client_collateral.clone()),
        "{row}"
    );
    assert_eq!(
        StorageMarketClient::new()
            .deal_provider_collateral(h, id)
            .unwrap(),
        Ok(proposal.provider_collateral.clone()),
        "{row}"
    );
    assert_eq!(
        StorageMarketClient::new().deal_verified(h, id).unwrap(),
        Ok(proposal.verified_deal),
        "{row}"
    );
}

#[test]
fn deal_lifecycle_table_on_real_wasm() {
    // One chain; every row's deal is driven to its situation, then all rows are read at
    // epoch 5000. Deals start at 1000 or later and are activated at 500, before their start
    // (activation may precede start_epoch, §2.3). Every deal lasts at least the devnet's
    // minimum of 2,880 epochs.
    let mut fx = setup();
    let miner = fx.miner;
    for sector in 1..=6 {
        add_sector(&mut fx.h, miner, sector);
    }

    let live = fx.publish(10_000, 25_000, 1);
    let ended = fx.publish(1000, 4000, 2);
    let slashed_by_operator = fx.publish(1000, 25_000, 3);
    let slashed_by_miner = fx.publish(1000, 25_000, 4);
    let sector_ended_first = fx.publish(1000, 4000, 5);
    let settled = fx.publish(1000, 4000, 6);
    let timed_out = fx.publish(2500, 7500, 7);
    let timed_out_by_settle = fx.publish(2500, 7500, 8);
    let missed_start = fx.publish(2500, 7500, 9);
    let pending = fx.publish(10_000, 25_000, 10);

    let active_in = |sector| Seen::Active { epoch: 500, sector };
    fx.h.advance_to(500).unwrap();
    for (id, sector) in [
        (live, 1),
        (ended, 2),
        (slashed_by_operator, 3),
        (slashed_by_miner, 4),
        (sector_ended_first, 5),
        (settled, 6),
    ] {
        fx.h.activate_deal(id, sector).unwrap();
    }

    fx.h.advance_to(1500).unwrap();
    fx.check("before its sector is terminated", slashed_by_miner, active_in(4));
    fx.h.terminate_deal(slashed_by_operator).unwrap();
    terminate_sector(&mut fx.h, miner, 4);

    fx.h.advance_to(3000).unwrap();
    fx.h.timeout_deal(timed_out).unwrap();
    fx.h.settle_deal(timed_out_by_settle).unwrap();

    fx.h.advance_to(4500).unwrap();
    // The sector ends after the deal did: not a slash, the deal stays readable (§2.3).
    terminate_sector(&mut fx.h, miner, 5);
    fx.h.settle_deal(settled).unwrap();

    fx.h.advance_to(5000).unwrap();
    let next = fx.h.storage_market_state().unwrap().next_id;
    assert_eq!(next, 10);
    let rows: Vec<(&str, DealID, Seen)> = vec![
        ("never published: the next id", next, Seen::NotFound),
        ("never published: id 1000", 1000, Seen::NotFound),
        ("published, not activated", pending, Seen::Pending),
        (
            "published, start passed, timeout not processed",
            missed_start,
            Seen::Pending,
        ),
        ("activated and live", live, active_in(1)),
        ("active after end_epoch, not settled", ended, active_in(2)),
        (
            "sector terminated after end_epoch",
            sector_ended_first,
            active_in(5),
        ),
        ("terminated by the operator", slashed_by_operator, Seen::Expired),
        (
            "terminated through the miner's sector termination",
            slashed_by_miner,
            Seen::Expired,
        ),
        ("completed and settled", settled, Seen::Expired),
        ("timed out", timed_out, Seen::Expired),
        ("timed out by settlement", timed_out_by_settle, Seen::Expired),
    ];
    for (row, id, seen) in rows {
        fx.check(row, id, seen);
    }

    // The readable finished deals settle as completed; then they too are gone.
    for id in [ended, sector_ended_first] {
        let r = fx.h.settle_deal(id).unwrap();
        only_event(&r, "deal-completed");
        fx.check("settled after the end", id, Seen::Expired);
    }
    fx.check("still live", live, active_in(1));
}

#[test]
fn lifecycle_events_follow_the_reference_schema() {
    let mut fx = setup();
    let (client, miner) = (fx.client.id, fx.miner);
    for sector in [1, 2, 9] {
        add_sector(&mut fx.h, miner, sector);
    }

    // deal-published, once per deal, in the publishing receipt.
    let operator = fx.h.operator();
    let p = fx.proposal(200, 4000, 1);
    let r = fx.h.publish_deal_as(&operator, &p).unwrap().ok().unwrap();
    assert_deal_event(
        only_event(&r, "deal-published"),
        "deal-published",
        0,
        client,
        miner,
    );
    fx.published.push(p);
    let slashed = 0;
    let completed = fx.publish(200, 4000, 2);
    let in_sector_a = fx.publish(200, 20_000, 3);
    let in_sector_b = fx.publish(200, 20_000, 4);
    let ended_in_sector = fx.publish(200, 3100, 5);
    let timed_out = fx.publish(200, 4000, 6);
    let timed_out_by_settle = fx.publish(200, 4000, 7);

    fx.h.advance_to(100).unwrap();
    for (id, sector) in [
        (slashed, 1),
        (completed, 2),
        (in_sector_a, 9),
        (in_sector_b, 9),
        (ended_in_sector, 9),
    ] {
        let r = fx.h.activate_deal(id, sector).unwrap();
        assert_deal_event(
            only_event(&r, "deal-activated"),
            "deal-activated",
            id,
            client,
            miner,
        );
    }

    // deal-terminated from the operator's slash.
    let r = fx.h.terminate_deal(slashed).unwrap();
    assert_deal_event(
        only_event(&r, "deal-terminated"),
        "deal-terminated",
        slashed,
        client,
        miner,
    );

    // deal-terminated from OnMinerSectorsTerminate: emitted by the market inside the miner's
    // message, once per live deal of the sector; the deal that had ended gets none.
    fx.h.advance_to(3500).unwrap();
    let r = terminate_sector(&mut fx.h, miner, 9);
    let terminated = market_events(&r);
    assert_eq!(terminated.len(), 2, "events: {:?}", r.events);
    assert_deal_event(terminated[0], "deal-terminated", in_sector_a, client, miner);
    assert_deal_event(terminated[1], "deal-terminated", in_sector_b, client, miner);
    fx.check(
        "ended before its sector",
        ended_in_sector,
        Seen::Active {
            epoch: 100,
            sector: 9,
        },
    );

    // Timeouts emit nothing, whichever way they are processed.
    let r = fx.h.timeout_deal(timed_out).unwrap();
    assert!(r.events.is_empty(), "timeout events: {:?}", r.events);
    let r = fx.h.settle_deal(timed_out_by_settle).unwrap();
    assert!(r.events.is_empty(), "timeout events: {:?}", r.events);

    // deal-completed at final settlement after the end epoch.
    fx.h.advance_to(4000).unwrap();
    for id in [completed, ended_in_sector] {
        let r = fx.h.settle_deal(id).unwrap();
        assert_deal_event(
            only_event(&r, "deal-completed"),
            "deal-completed",
            id,
            client,
            miner,
        );
    }
    for id in [
        slashed,
        completed,
        in_sector_a,
        in_sector_b,
        ended_in_sector,
        timed_out,
    ] {
        fx.check("after its last event", id, Seen::Expired);
    }
    // A failed control emits nothing (its events are rolled back with it).
    let r = fx.h.settle_deal_as(&operator, completed).unwrap();
    assert_eq!(code(&r), 32);
    assert!(r.events.is_empty());
}

#[test]
fn sector_termination_touches_only_the_calling_miners_deals() {
    let mut fx = setup();
    let other_owner = fx.h.create_account(fil(10)).unwrap();
    let other = provider_miner(&mut fx.h, &other_owner).unwrap();
    assert_ne!(other, fx.miner);
    add_sector(&mut fx.h, other, 7);
    add_sector(&mut fx.h, fx.miner, 7);
    add_sector(&mut fx.h, fx.miner, 8);
    let mine = fx.publish(200, 5000, 1);
    let theirs = fx.publish_proposal(deal_proposal(fx.client.id, other, 200, 5000, 2));
    let mine_elsewhere = fx.publish(200, 5000, 3);
    fx.h.activate_deal(mine, 7).unwrap();
    fx.h.activate_deal(theirs, 7).unwrap();
    fx.h.activate_deal(mine_elsewhere, 8).unwrap();

    // The other miner terminates its sector 7: only its own deal there is slashed.
    let r = terminate_sector(&mut fx.h, other, 7);
    assert_deal_event(
        only_event(&r, "deal-terminated"),
        "deal-terminated",
        theirs,
        fx.client.id,
        other,
    );
    fx.check("other miner's deal", theirs, Seen::Expired);
    fx.check(
        "same sector number, first miner",
        mine,
        Seen::Active { epoch: 0, sector: 7 },
    );
    fx.check(
        "first miner, other sector",
        mine_elsewhere,
        Seen::Active { epoch: 0, sector: 8 },
    );
    assert_eq!(
        StorageMarketClient::new()
            .deal_provider(&mut fx.h, theirs)
            .unwrap(),
        Err(ExitCode::new(32))
    );
    assert_eq!(
        StorageMarketClient::new().deal_provider(&mut fx.h, mine).unwrap(),
        Ok(fx.miner)
    );
}

#[test]
fn controls_refuse_everyone_but_the_operator_and_change_nothing() {
    let mut fx = setup();
    let mallory = fx.h.create_account(fil(10)).unwrap();
    add_sector(&mut fx.h, fx.miner, 3);
    add_sector(&mut fx.h, fx.miner, 4);
    let pending = fx.publish(200, 3200, 1);
    let active = fx.publish(200, 5000, 2);
    fx.h.activate_deal(active, 3).unwrap();
    let old = fx.publish(50, 3000, 3);
    fx.h.advance_to(150).unwrap();
    let fresh = fx.proposal(1000, 4000, 9);
    let before = fx.h.storage_market_state_cid().unwrap();
    for caller in [mallory, fx.client, fx.owner] {
        let attempts: [(&str, Receipt); 5] = [
            ("publish", fx.h.publish_deal_as(&caller, &fresh).unwrap()),
            ("activate", fx.h.activate_deal_as(&caller, pending, 4).unwrap()),
            ("terminate", fx.h.terminate_deal_as(&caller, active).unwrap()),
            ("settle", fx.h.settle_deal_as(&caller, old).unwrap()),
            ("timeout", fx.h.timeout_deal_as(&caller, old).unwrap()),
        ];
        for (what, r) in &attempts {
            assert_eq!(code(r), 18, "{what} by f0{}", caller.id);
            assert!(r.events.is_empty() && r.return_data.is_empty(), "{what}");
        }
        // The caller is checked before the params are read: missing or garbage params are
        // still 18, not 16 or 21.
        for (name, method) in CONTROLS {
            let r = fx.h.storage_market_send_raw(&caller, method, Vec::new()).unwrap();
            assert_eq!(code(&r), 18, "{name} without params by f0{}", caller.id);
            let r = fx.h.storage_market_send_raw(&caller, method, vec![0xff]).unwrap();
            assert_eq!(code(&r), 18, "{name} with garbage by f0{}", caller.id);
        }
    }
    assert_eq!(
        fx.h.storage_market_state_cid().unwrap(),
        before,
        "a refused control changed the state"
    );
    fx.check("pending", pending, Seen::Pending);
    fx.check("active", active, Seen::Active { epoch: 0, sector: 3 });
    fx.check("missed its start", old, Seen::Pending);
    fx.check("never published", 3, Seen::NotFound);

    // The operator may do each of them, and each changes the state.
    let mut state = before;
    for step in ["publish", "activate", "terminate", "timeout", "settle"] {
        match step {
            "publish" => assert_eq!(fx.publish_proposal(fresh.clone()), 3),
            "activate" => drop(fx.h.activate_deal(pending, 4).unwrap()),
            "terminate" => drop(fx.h.terminate_deal(active).unwrap()),
            "timeout" => drop(fx.h.timeout_deal(old).unwrap()),
            _ => {
                fx.h.advance_to(3200).unwrap();
                drop(fx.h.settle_deal(pending).unwrap());
            }
        }
        let now = fx.h.storage_market_state_cid().unwrap();
        assert_ne!(now, state, "{step} by the operator left the state unchanged");
        state = now;
    }
    for id in [pending, active, old] {
        fx.check("after the operator's controls", id, Seen::Expired);
    }
    fx.check("published by the operator", 3, Seen::Pending);
}

#[test]
fn dispatch_follows_the_builtin_rules() {
    let mut fx = setup();
    add_sector(&mut fx.h, fx.miner, 1);
    let id = fx.publish(200, 3200, 1);
    fx.h.activate_deal(id, 1).unwrap();
    let operator = fx.h.operator();
    let client = fx.client;
    let before = fx.h.storage_market_state_cid().unwrap();

    // Every method with params, called by a caller it accepts (the operator for controls).
    let mut with_params: Vec<(&str, MethodNum)> = GETTERS.to_vec();
    with_params.extend(CONTROLS);
    with_params.push(("GetBalance", METHOD_GET_BALANCE));
    with_params.push(("AddBalance", METHOD_ADD_BALANCE));
    for (name, method) in &with_params {
        // Missing params: 16.
        let r =
            fx.h.storage_market_send_raw(&operator, *method, Vec::new())
                .unwrap();
        assert_eq!(code(&r), 16, "{name} without params");
        // A block that is not CBOR at all, or CBOR of the wrong shape: 21.
        let r =
            fx.h.storage_market_send_raw(&operator, *method, vec![0xff])
                .unwrap();
        assert_eq!(code(&r), 21, "{name} with 0xff");
        let r =
            fx.h.storage_market_call(&operator, *method, &[[1u8; 3]; 3])
                .unwrap();
        assert_eq!(code(&r), 21, "{name} with a nested array");
    }
    // A deal id that is not a u64 (negative, text) does not decode: 21.
    for bad in ["20", "61 31", "1b 00 00 00 00 00 00 00"] {
        let r =
            fx.h.storage_market_send_raw(&client, METHOD_GET_DEAL_TERM, unhex(bad))
                .unwrap();
        assert_eq!(code(&r), 21, "GetDealTerm with {bad}");
    }
    // Trailing bytes after a valid deal id do not decode either.
    let r =
        fx.h.storage_market_send_raw(&client, METHOD_GET_DEAL_TERM, vec![0x00, 0x00])
            .unwrap();
    assert_eq!(code(&r), 21, "trailing bytes");
    // AddBalance with a good address but no value: 16.
    let r =
        fx.h.storage_market_call(&client, METHOD_ADD_BALANCE, &client.address())
            .unwrap();
    assert_eq!(code(&r), 16, "AddBalance of nothing");
    // GetBalance of an address that resolves to no actor: 16.
    let nobody = integration_tests::harness::key_address(999);
    assert_eq!(
        StorageMarketClient::new().balance(&mut fx.h, nobody).unwrap(),
        Err(ExitCode::USR_ILLEGAL_ARGUMENT)
    );
    let r = StorageMarketClient::new()
        .add_balance(&mut fx.h, &client, nobody, fil(1))
        .and_then(|r| r.unit_outcome())
        .unwrap();
    assert_eq!(r, Err(ExitCode::USR_ILLEGAL_ARGUMENT), "AddBalance to nobody");

    // The one method without params refuses a block: 16, even an empty CBOR array.
    let r =
        fx.h.storage_market_send_raw(&client, METHOD_HARNESS_OPERATOR, unhex("80"))
            .unwrap();
    assert_eq!(code(&r), 16, "HarnessOperator with params");
    let r =
        fx.h.storage_market_call(&client, METHOD_HARNESS_OPERATOR, &operator.id)
            .unwrap();
    assert_eq!(code(&r), 16, "HarnessOperator with params");

    // Exported numbers the market does not answer: 22. This includes the builtin methods the
    // stand-in does not model, so a caller never mistakes them for a success.
    for (name, method) in [
        ("0xdeadbeef", 0xdead_beef),
        ("u64::MAX", u64::MAX),
        ("WithdrawBalance", method_hash!("WithdrawBalance")),
        ("PublishStorageDeals", method_hash!("PublishStorageDeals")),
        ("SettleDealPayments", method_hash!("SettleDealPayments")),
        ("NoSuchMethod", method_hash!("NoSuchMethod")),
    ] {
        let r = fx.h.storage_market_send_raw(&client, method, Vec::new()).unwrap();
        assert_eq!(code(&r), 22, "{name}");
        let r =
            fx.h.storage_market_send_raw(&client, method, unhex("00"))
                .unwrap();
        assert_eq!(code(&r), 22, "{name} with params");
    }
    // Internal numbers: the constructor is the system's (18); other legacy numbers are for
    // builtin callers, and an account (builtin) reaches the table's end (22).
    let r = fx.h.storage_market_call(&client, 1, &client.id).unwrap();
    assert_eq!(code(&r), 18, "Constructor from an account");
    for legacy in [2, 3, 4, 5, 6, 8, (1 << 24) - 1] {
        let r =
            fx.h.storage_market_send_raw(&client, legacy, unhex("00"))
                .unwrap();
        assert_eq!(code(&r), 22, "legacy method {legacy} from an account");
    }
    // CronTick (9) is the cron actor's, as the builtin's: 18 from an account.
    let r = fx.h.storage_market_send_raw(&client, 9, Vec::new()).unwrap();
    assert_eq!(code(&r), 18, "CronTick from an account");

    // Nothing above changed the market, and every getter still answers from any caller.
    assert_eq!(fx.h.storage_market_state_cid().unwrap(), before);
    for (name, method) in GETTERS {
        let r =
            fx.h.storage_market_call(&client, method, &DealQueryParams { id })
                .unwrap();
        assert!(r.is_ok(), "{name} from the client: exit {}", code(&r));
    }
    assert_eq!(
        fx.h.deal_query(METHOD_GET_DEAL_ACTIVATION, id)
            .unwrap()
            .outcome::<GetDealActivationReturn>()
            .unwrap(),
        Ok(GetDealActivationReturn {
            activated: 0,
            terminated: -1
        })
    );
}

#[test]
fn on_miner_sectors_terminate_is_for_miners_only() {
    let mut fx = setup();
    add_sector(&mut fx.h, fx.miner, 7);
    let id = fx.publish(200, 5000, 1);
    fx.h.activate_deal(id, 7).unwrap();
    let before = fx.h.storage_market_state_cid().unwrap();
    let p = OnMinerSectorsTerminateParams {
        epoch: 0,
        sectors: vec![7],
    };
    // Accounts are builtin actors, but not miners: 18, for the operator and the miner's owner
    // alike, and whatever the params.
    let operator = fx.h.operator();
    for caller in [operator, fx.owner, fx.client] {
        let r =
            fx.h.storage_market_call(&caller, METHOD_ON_MINER_SECTORS_TERMINATE, &p)
                .unwrap();
        assert_eq!(code(&r), 18, "method 7 from f0{}", caller.id);
        assert!(r.events.is_empty());
        let r =
            fx.h.storage_market_send_raw(&caller, METHOD_ON_MINER_SECTORS_TERMINATE, Vec::new())
                .unwrap();
        assert_eq!(code(&r), 18, "method 7 without params from f0{}", caller.id);
    }
    assert_eq!(fx.h.storage_market_state_cid().unwrap(), before);
    fx.check(
        "after refused terminations",
        id,
        Seen::Active { epoch: 0, sector: 7 },
    );
    // The miner itself gets through.
    terminate_sector(&mut fx.h, fx.miner, 7);
    assert_ne!(fx.h.storage_market_state_cid().unwrap(), before);
    fx.check("after the miner's termination", id, Seen::Expired);
}

#[test]
fn escrow_balances_accumulate_per_resolved_address() {
    let mut fx = setup();
    let client = fx.client;
    let market_before = fx.h.balance(STORAGE_MARKET).unwrap();
    let client_before = fx.h.balance(client.id).unwrap();
    // Anyone may add to anyone's escrow; key and ID addresses name the same escrow.
    StorageMarketClient::new()
        .add_balance(&mut fx.h, &client, client.address(), fil(2))
        .and_then(|r| r.unit_outcome())
        .unwrap()
        .unwrap();
    StorageMarketClient::new()
        .add_balance(&mut fx.h, &fx.owner, client.key, fil(3))
        .and_then(|r| r.unit_outcome())
        .unwrap()
        .unwrap();
    StorageMarketClient::new()
        .add_balance(&mut fx.h, &fx.owner, Address::new_id(fx.miner), fil(4))
        .and_then(|r| r.unit_outcome())
        .unwrap()
        .unwrap();
    let balance = |h: &mut Harness, a: Address| StorageMarketClient::new().balance(h, a).unwrap().unwrap();
    assert_eq!(
        balance(&mut fx.h, client.key),
        GetBalanceReturn {
            balance: fil(5),
            locked: TokenAmount::default()
        }
    );
    assert_eq!(balance(&mut fx.h, Address::new_id(fx.miner)).balance, fil(4));
    assert_eq!(
        balance(&mut fx.h, fx.owner.address()).balance,
        TokenAmount::default()
    );
    // The FIL really moved into the market.
    assert_eq!(
        fx.h.balance(STORAGE_MARKET).unwrap(),
        market_before.clone() + fil(9)
    );
    assert!(fx.h.balance(client.id).unwrap() <= client_before - fil(2));
    // A refused AddBalance moves nothing: no value, an address that does not resolve, or an
    // ID address with no actor behind it (the builtin's escrow_address wants its code).
    let state = fx.h.storage_market_state_cid().unwrap();
    let r = StorageMarketClient::new()
        .add_balance(&mut fx.h, &client, client.address(), TokenAmount::default())
        .and_then(|r| r.unit_outcome())
        .unwrap();
    assert_eq!(r, Err(ExitCode::USR_ILLEGAL_ARGUMENT));
    let nobody = integration_tests::harness::key_address(999);
    let r = StorageMarketClient::new()
        .add_balance(&mut fx.h, &client, nobody, fil(1))
        .and_then(|r| r.unit_outcome())
        .unwrap();
    assert_eq!(
        r,
        Err(ExitCode::USR_ILLEGAL_ARGUMENT),
        "AddBalance to an unknown key"
    );
    let r = StorageMarketClient::new()
        .add_balance(&mut fx.h, &client, Address::new_id(999_999), fil(1))
        .and_then(|r| r.unit_outcome())
        .unwrap();
    assert_eq!(
        r,
        Err(ExitCode::USR_ILLEGAL_ARGUMENT),
        "AddBalance to f0999999 (no actor)"
    );
    // GetBalance only resolves (as the builtin): an unknown key is 16, while an ID address
    // always resolves and reads an empty escrow.
    assert_eq!(
        StorageMarketClient::new().balance(&mut fx.h, nobody).unwrap(),
        Err(ExitCode::USR_ILLEGAL_ARGUMENT)
    );
    assert_eq!(
        StorageMarketClient::new()
            .balance(&mut fx.h, Address::new_id(999_999))
            .unwrap(),
        Ok(GetBalanceReturn {
            balance: TokenAmount::default(),
            locked: TokenAmount::default()
        })
    );
    assert_eq!(fx.h.storage_market_state_cid().unwrap(), state);
    assert_eq!(
        fx.h.balance(STORAGE_MARKET).unwrap(),
        market_before.clone() + fil(9)
    );
}

/// A refused control: `code`, the abort message containing `text`, no events, and the
/// market's state as it was.
fn assert_refused(h: &mut Harness, r: &Receipt, code: u32, text: &str, before: cid::Cid, what: &str) {
    let message = r
        .expect_exit(ExitCode::new(code))
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(message.contains(text), "{what}: {message:?} lacks {text:?}");
    assert!(r.events.is_empty(), "{what}: events {:?}", r.events);
    assert!(r.return_data.is_empty(), "{what}");
    assert_eq!(
        h.storage_market_state_cid().unwrap(),
        before,
        "{what} changed the market"
    );
}

/// Publish checks as builtin-actors v18 `actors/market/src/lib.rs` makes them
/// (`publish_storage_deals`, then `validate_deal` per deal): a provider that does not resolve
/// or has no code aborts with 17, one that is not a miner with 16; every per-deal failure
/// drops the deal, and a message with no valid deal is 16.
#[test]
fn publish_refuses_proposals_the_vm_cannot_back() {
    let mut fx = setup();
    fx.h.advance_to(10).unwrap();
    let good = fx.proposal(100, 3100, 1);
    let owner = fx.owner.address();
    let bad: Vec<(&str, DealProposal, u32, &str)> = vec![
        (
            "client key with no actor",
            DealProposal {
                client: integration_tests::harness::key_address(999),
                ..good.clone()
            },
            16,
            "failed to resolve",
        ),
        (
            "client ID with no actor",
            DealProposal {
                client: Address::new_id(999_999),
                ..good.clone()
            },
            16,
            "no code for address",
        ),
        (
            "provider key with no actor",
            DealProposal {
                provider: integration_tests::harness::key_address(998),
                ..good.clone()
            },
            17,
            "failed to resolve provider",
        ),
        (
            "provider ID with no actor",
            DealProposal {
                provider: Address::new_id(999_999),
                ..good.clone()
            },
            17,
            "no code for provider",
        ),
        (
            "provider is an account",
            DealProposal {
                provider: owner,
                ..good.clone()
            },
            16,
            "is not a storage miner actor",
        ),
        (
            "start already elapsed",
            DealProposal {
                start_epoch: 9,
                ..good.clone()
            },
            16,
            "has already elapsed",
        ),
        (
            "not a piece CID",
            DealProposal {
                piece_cid: fx.h.storage_market_state_cid().unwrap(),
                ..good.clone()
            },
            16,
            "is not a piece CID",
        ),
        (
            "price above the FIL supply",
            DealProposal {
                storage_price_per_epoch: fil(2_000_000_001),
                ..good.clone()
            },
            16,
            "exceeds the total FIL supply",
        ),
    ];
    let before = fx.h.storage_market_state_cid().unwrap();
    let operator = fx.h.operator();
    for (what, p, code, text) in &bad {
        let r = fx.h.publish_deal_as(&operator, p).unwrap();
        assert_refused(&mut fx.h, &r, *code, text, before, what);
    }
    // The good one, with the provider named by its owner's miner ID, goes through as deal 0;
    // a deal may start at the current epoch.
    assert_eq!(fx.publish_proposal(good), 0);
    assert_eq!(fx.publish(10, 10 + 2880, 2), 1);
}

/// builtin-actors v18 `validate_deal`: `deal_duration_bounds` (inclusive; 180 and 1,278 days,
/// `actors/market/src/policy.rs`), here the market's construction-time policy. The devnet's
/// bounds are one day to 1,278 days.
#[test]
fn publish_enforces_the_devnet_duration_bounds() {
    let mut fx = setup();
    fx.h.advance_to(100).unwrap();
    let policy = fx.h.storage_market_state().unwrap().policy;
    assert_eq!(policy, StorageMarketPolicy::DEVNET);
    assert_eq!(
        (policy.min_deal_duration, policy.max_deal_duration),
        (2880, 3_680_640)
    );
    let start = 200;
    let operator = fx.h.operator();
    let before = fx.h.storage_market_state_cid().unwrap();
    for (what, end) in [
        ("one epoch under a day", start + 2879),
        ("a day and one epoch over 1,278", start + 3_680_641),
        ("ending at i64::MAX", i64::MAX),
    ] {
        let r =
            fx.h.publish_deal_as(&operator, &fx.proposal(start, end, 1))
                .unwrap();
        assert_refused(&mut fx.h, &r, 16, "out of bounds [2880, 3680640]", before, what);
    }
    // The bounds themselves are in.
    assert_eq!(fx.publish(start, start + 2880, 1), 0);
    assert_eq!(fx.publish(start, start + 3_680_640, 2), 1);
}

#[test]
fn a_mainnet_market_wants_180_to_1278_days() {
    let mut h = Harness::with_storage_market_policy(StorageMarketPolicy::MAINNET).unwrap();
    let client = h.create_account(fil(10)).unwrap();
    let owner = h.create_account(fil(10)).unwrap();
    let miner = provider_miner(&mut h, &owner).unwrap();
    assert_eq!(
        h.storage_market_state().unwrap().policy,
        StorageMarketPolicy::MAINNET
    );
    let operator = h.operator();
    let before = h.storage_market_state_cid().unwrap();
    for (what, days_in_epochs) in [
        ("180 days less an epoch", 518_399),
        ("1,278 days and an epoch", 3_680_641),
    ] {
        let p = deal_proposal(client.id, miner, 10, 10 + days_in_epochs, 1);
        let r = h.publish_deal_as(&operator, &p).unwrap();
        assert_refused(&mut h, &r, 16, "out of bounds [518400, 3680640]", before, what);
    }
    for (i, duration) in [518_400, 3_680_640].into_iter().enumerate() {
        let p = deal_proposal(client.id, miner, 10, 10 + duration, i as u8);
        assert_eq!(h.publish_deal(&p).unwrap(), i as DealID);
    }
    // A policy that is no bounds at all is refused at construction.
    let bad = StorageMarketPolicy {
        min_deal_duration: 10,
        max_deal_duration: 9,
    };
    let err = Harness::with_storage_market_policy(bad).err().expect("refused");
    assert!(format!("{err:#}").contains("exit 16"), "{err:#}");
}

/// builtin-actors v18 `deal_proposal_is_internally_valid`: the market sends the client
/// `AuthenticateMessage` (read-only) and drops the deal unless it answers true. An account
/// does (the stand-in account, having no signature to check, always); a miner, the market
/// itself or a builtin without that method cannot be a client.
#[test]
fn publish_requires_a_client_that_authenticates() {
    let mut fx = setup();
    let other_owner = fx.h.create_account(fil(10)).unwrap();
    let other_miner = provider_miner(&mut fx.h, &other_owner).unwrap();
    let operator = fx.h.operator();
    let before = fx.h.storage_market_state_cid().unwrap();
    for (what, client) in [
        ("a miner", other_miner),
        ("the provider itself", fx.miner),
        ("the market", STORAGE_MARKET),
        ("the power actor (no AuthenticateMessage)", 4),
    ] {
        let p = DealProposal {
            client: Address::new_id(client),
            ..fx.proposal(200, 5000, 1)
        };
        let r = fx.h.publish_deal_as(&operator, &p).unwrap();
        assert_refused(&mut fx.h, &r, 16, "proposal authentication failed", before, what);
    }
    // Accounts are clients: the deal's client, the miner's owner, the operator.
    for (i, client) in [fx.client.id, fx.owner.id, operator.id].into_iter().enumerate() {
        let p = deal_proposal(client, fx.miner, 200, 5000, i as u8);
        assert_eq!(fx.publish_proposal(p), i as DealID);
    }
    // The account answers the reference shape: [signature, message] in, `true` (f5) out.
    let p = stand_in_account::AuthenticateMessageParams {
        signature: vec![1, 2].into(),
        message: vec![0x80].into(),
    };
    let r =
        fx.h.call(
            &operator,
            fx.client.id,
            stand_in_account::METHOD_AUTHENTICATE_MESSAGE,
            &p,
            TokenAmount::default(),
        )
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(r.return_data.bytes(), [0xf5]);
    assert_eq!(stand_in_account::METHOD_AUTHENTICATE_MESSAGE, 2643134072);
    assert_eq!(stand_in_market::METHOD_AUTHENTICATE_MESSAGE, 2643134072);
}

/// The activation checks of builtin-actors v18 `actors/market/src/lib.rs`
/// (`validate_deal_can_activate` through `preactivate_deal`, and `validate_deals_for_sector`),
/// against the sector as the provider's miner reports it.
#[test]
fn activation_needs_a_live_sector_of_the_provider_that_outlasts_the_deal() {
    let mut fx = setup();
    let miner = fx.miner;
    // A year of epochs, as the CLI's default sector.
    add_sector_expiring(&mut fx.h, miner, 1, 1_051_200);
    add_sector(&mut fx.h, miner, 2);
    add_sector(&mut fx.h, miner, 3);
    let faulty = stand_in_miner::HarnessSectorParams { sector_number: 2 };
    let operator = fx.h.operator();
    fx.h.call(
        &operator,
        miner,
        stand_in_miner::METHOD_HARNESS_FAULT_SECTOR,
        &faulty,
        TokenAmount::default(),
    )
    .unwrap()
    .ok()
    .unwrap();
    terminate_sector(&mut fx.h, miner, 3);
    let other_owner = fx.h.create_account(fil(10)).unwrap();
    let other = provider_miner(&mut fx.h, &other_owner).unwrap();
    add_sector(&mut fx.h, other, 4);

    let long = fx.publish(200, 1_051_201, 1);
    let fits = fx.publish(200, 1_051_200, 2);
    let before = fx.h.storage_market_state_cid().unwrap();
    let refusals: [(&str, DealID, u64, u32, &str); 5] = [
        (
            "ends one epoch after its sector",
            long,
            1,
            16,
            "ends at epoch 1051201, after sector 1's expiration 1051200",
        ),
        ("a sector the provider never had", fits, 9, 17, "has no sector 9"),
        ("a faulty sector", fits, 2, 16, "is faulty"),
        ("a terminated sector", fits, 3, 16, "is terminated"),
        ("another miner's sector", fits, 4, 17, "has no sector 4"),
    ];
    for (what, id, sector, code, text) in refusals {
        let r = fx.h.activate_deal_as(&operator, id, sector).unwrap();
        assert_refused(&mut fx.h, &r, code, text, before, what);
    }
    fx.check("refused everywhere", fits, Seen::Pending);
    // The deal ending with its sector activates.
    fx.h.activate_deal(fits, 1).unwrap();
    fx.check("ends with its sector", fits, Seen::Active { epoch: 0, sector: 1 });
    // After its start, the start check comes first: 32 even into the sector it outlives.
    fx.h.advance_to(201).unwrap();
    let before = fx.h.storage_market_state_cid().unwrap();
    let r = fx.h.activate_deal_as(&operator, long, 1).unwrap();
    assert_refused(&mut fx.h, &r, 32, "start epoch 200 has passed", before, "late");
}

/// builtin-actors v18 `validate_deals_for_sector`: the pieces of a sector's deals sum to at
/// most the sector size (16 "deals too large to fit in sector"). Publish does not compare a
/// piece with the provider's sector size (`validate_deal` only checks
/// `PaddedPieceSize::validate`), so an oversized piece publishes and never activates.
#[test]
fn pieces_must_fit_their_sector() {
    const GIB: u64 = 1 << 30;
    let mut fx = setup();
    let miner = fx.miner;
    add_sector(&mut fx.h, miner, 1);
    add_sector(&mut fx.h, miner, 2);
    let sized = |fx: &mut Fx, size: u64, seed: u8| {
        let p = DealProposal {
            piece_size: PaddedPieceSize(size),
            ..fx.proposal(200, 5000, seed)
        };
        fx.publish_proposal(p)
    };
    let huge = sized(&mut fx, 128 * GIB, 1);
    let d64 = sized(&mut fx, 64 * GIB, 2);
    let d32 = sized(&mut fx, 32 * GIB, 3);
    let d16 = sized(&mut fx, 16 * GIB, 4);
    let small = sized(&mut fx, 2048, 5);
    let operator = fx.h.operator();
    let before = fx.h.storage_market_state_cid().unwrap();
    for (what, id) in [("128 GiB in a 32 GiB sector", huge), ("64 GiB", d64)] {
        let r = fx.h.activate_deal_as(&operator, id, 1).unwrap();
        assert_refused(
            &mut fx.h,
            &r,
            16,
            "deals too large to fit in sector 1",
            before,
            what,
        );
    }
    // 32 GiB fills sector 1; nothing more goes in.
    fx.h.activate_deal(d32, 1).unwrap();
    let before = fx.h.storage_market_state_cid().unwrap();
    let r = fx.h.activate_deal_as(&operator, small, 1).unwrap();
    assert_refused(
        &mut fx.h,
        &r,
        16,
        "34359740416 > 34359738368 (34359738368 already activated, deal 4 brings 2048)",
        before,
        "2 KiB more",
    );
    // Sector 2 takes 16 GiB and the 2 KiB piece.
    fx.h.activate_deal(d16, 2).unwrap();
    fx.h.activate_deal(small, 2).unwrap();
    fx.check("in sector 2", small, Seen::Active { epoch: 0, sector: 2 });
    fx.check("still pending", d64, Seen::Pending);
}

/// A published deal never activated answers `[-1,-1]` and GetDealSector 33 after its start,
/// until the market's cron reaches the epoch it scheduled for the deal (the first at or after
/// the start that is congruent to the deal id modulo 86,400): at the end of that epoch it times
/// out, and every getter answers 32. An activated deal is not touched.
#[test]
fn a_deal_never_activated_times_out_at_its_scheduled_cron_epoch() {
    let mut fx = setup();
    add_sector(&mut fx.h, fx.miner, 1);
    // Ids 0, 1, 2: deal 2 starts at 100, so its visit is the next epoch ≡ 2 (mod 86400).
    let activated = fx.publish(50, 200_000, 1);
    let early = fx.publish(0, 200_000, 2);
    let late = fx.publish(100, 200_000, 3);
    fx.h.activate_deal(activated, 1).unwrap().ok().unwrap();
    assert_eq!(stand_in_market::deal_update_epoch(0, early), Some(1));
    let visit = stand_in_market::deal_update_epoch(100, late).unwrap();
    assert_eq!(visit, 86_402);
    let market = StorageMarketClient::new();

    // Deal 1 starts at 0 and is visited at the end of epoch 1.
    fx.h.advance_to(1).unwrap();
    assert_eq!(
        market.deal_sector(&mut fx.h, early).unwrap(),
        Err(ExitCode::new(33))
    );
    fx.h.advance_to(2).unwrap();
    assert_eq!(
        market.deal_activation(&mut fx.h, early).unwrap(),
        Err(ExitCode::new(32))
    );

    // Deal 2: long past its start, still published until its visit.
    fx.h.advance_to(visit).unwrap();
    let unactivated = GetDealActivationReturn {
        activated: -1,
        terminated: -1,
    };
    assert_eq!(market.deal_activation(&mut fx.h, late).unwrap(), Ok(unactivated));
    assert_eq!(
        market.deal_sector(&mut fx.h, late).unwrap(),
        Err(ExitCode::new(33))
    );
    fx.h.advance_to(visit + 1).unwrap();
    fx.check("timed out by cron", late, Seen::Expired);
    // The activated deal is still active, and nothing else is due.
    assert_eq!(market.deal_sector(&mut fx.h, activated).unwrap(), Ok(1));
    let state = fx.h.storage_market_state().unwrap();
    assert_eq!(state.next_cron, None);
}
