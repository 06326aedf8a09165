//! Host tests: the reference's byte vectors and method numbers, and the functional core.

use std::collections::{HashMap, HashSet};

use actor_runtime::builtin::BuiltinType;
use actor_runtime::params::{decode_params, encode_params};
use actor_runtime::{ActorResult, Facts, MapKey};
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::{from_slice, to_vec, CBOR};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::{ActorEvent, Flags};
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::ActorID;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::logic::{self, Chain, Effects, SectorView, SECTOR_ACTIVE, SECTOR_DEAD, SECTOR_FAULTY};
use crate::types::*;

// ---------------------------------------------------------------------------------------------
// Encodings (docs/builtin-actors-interface.md §0 verified encodings, §2.1 shapes).

fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// Encodes to exactly `hex` and decodes back to the same value.
fn pin<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: &T, hex: &str) {
    let bytes = to_vec(value).unwrap();
    assert_eq!(hex::encode(&bytes), hex.replace(' ', ""), "encoding of {value:?}");
    assert_eq!(&from_slice::<T>(&unhex(hex)).unwrap(), value);
}

#[test]
fn reference_vectors_for_the_market() {
    pin(&DealQueryParams { id: 1000 }, "19 03 e8");
    pin(
        &GetDealActivationReturn {
            activated: 1234,
            terminated: -1,
        },
        "82 19 04 d2 20",
    );
    pin(
        &GetDealActivationReturn {
            activated: -1,
            terminated: -1,
        },
        "82 20 20",
    );
    pin(
        &GetBalanceReturn {
            balance: TokenAmount::from_whole(1),
            locked: TokenAmount::default(),
        },
        "82 49 00 0d e0 b6 b3 a7 64 00 00 40",
    );
    pin(
        &GetBalanceParams {
            account: Address::new_id(100),
        },
        "42 00 64",
    );
    pin(
        &AddBalanceParams {
            provider_or_client: Address::new_id(100),
        },
        "42 00 64",
    );
}

#[test]
fn getter_shapes_are_transparent_or_tuples() {
    pin(&GetDealClientReturn { client: 101 }, "18 65");
    pin(&GetDealProviderReturn { provider: 1000 }, "19 03 e8");
    pin(&GetDealSectorReturn { sector: 7 }, "07");
    pin(&GetDealVerifiedReturn { verified: true }, "f5");
    pin(
        &GetDealTermReturn {
            start: 10,
            duration: 20,
        },
        "82 0a 14",
    );
    pin(
        &GetDealTotalPriceReturn {
            total_price: TokenAmount::from_atto(5),
        },
        "42 00 05",
    );
    pin(
        &GetDealClientCollateralReturn {
            collateral: TokenAmount::default(),
        },
        "40",
    );
    pin(
        &GetDealProviderCollateralReturn {
            collateral: TokenAmount::from_atto(-5),
        },
        "42 01 05",
    );
    pin(
        &GetDealLabelReturn {
            label: Label::from("ab"),
        },
        "62 61 62",
    );
    pin(
        &GetDealLabelReturn {
            label: Label::Bytes(vec![1, 2]),
        },
        "42 01 02",
    );
    let commp = piece_cid([0x11; 32]);
    pin(
        &GetDealDataCommitmentReturn {
            data: commp,
            size: PaddedPieceSize(2048),
        },
        &format!(
            "82 d8 2a 58 28 00 01 81 e2 03 92 20 20 {} 19 08 00",
            "11".repeat(32)
        ),
    );
    pin(
        &HarnessActivateDealParams {
            deal_id: 3,
            sector_number: 7,
        },
        "82 03 07",
    );
    pin(
        &OnMinerSectorsTerminateParams {
            epoch: 5,
            sectors: vec![1, 2],
        },
        "82 05 82 01 02",
    );
    pin(
        &ConstructorParams {
            operator: 100,
            policy: StorageMarketPolicy {
                min_deal_duration: 10,
                max_deal_duration: 1000,
            },
        },
        "82 18 64 82 0a 19 03 e8",
    );
    // 2,880 and 3,680,640 epochs.
    pin(&StorageMarketPolicy::DEVNET, "82 19 0b 40 1a 00 38 29 80");
    pin(&StorageMarketPolicy::MAINNET, "82 1a 00 07 e9 00 1a 00 38 29 80");
    pin(
        &AuthenticateMessageParams {
            signature: Default::default(),
            message: vec![0x80].into(),
        },
        "82 40 41 80",
    );
    pin(&SectorNumberTuple { sector_number: 7 }, "81 07");
}

#[test]
fn policies_are_the_documented_numbers_of_days() {
    assert_eq!(
        StorageMarketPolicy::MAINNET.min_deal_duration,
        518_400,
        "180 days"
    );
    assert_eq!(
        StorageMarketPolicy::MAINNET.max_deal_duration,
        3_680_640,
        "1,278 days"
    );
    assert_eq!(StorageMarketPolicy::DEVNET.min_deal_duration, 2_880, "one day");
    assert_eq!(
        StorageMarketPolicy::DEVNET.max_deal_duration,
        StorageMarketPolicy::MAINNET.max_deal_duration
    );
    let store = MemoryBlockstore::new();
    for (min, max) in [(0, 10), (-1, 10), (11, 10), (1, 0)] {
        let policy = StorageMarketPolicy {
            min_deal_duration: min,
            max_deal_duration: max,
        };
        let params = ConstructorParams {
            operator: OPERATOR,
            policy,
        };
        assert_eq!(code(&logic::construct(&store, params)), 16, "[{min}, {max}]");
    }
    for policy in [
        StorageMarketPolicy::MAINNET,
        StorageMarketPolicy::DEVNET,
        StorageMarketPolicy {
            min_deal_duration: 1,
            max_deal_duration: 1,
        },
    ] {
        let params = ConstructorParams {
            operator: OPERATOR,
            policy,
        };
        assert_eq!(logic::construct(&store, params).unwrap().policy, policy);
    }
}

#[test]
fn label_is_text_or_bytes_and_nothing_else() {
    assert_eq!(
        from_slice::<Label>(&unhex("60")).unwrap(),
        Label::String(String::new())
    );
    assert_eq!(from_slice::<Label>(&unhex("40")).unwrap(), Label::Bytes(vec![]));
    assert!(from_slice::<Label>(&unhex("01")).is_err());
    assert!(from_slice::<Label>(&unhex("80")).is_err());
    assert_eq!(Label::from("héllo").len(), 6);
}

#[test]
fn proposal_is_an_eleven_field_tuple_in_builtin_order() {
    let p = proposal(1000, 101, 10, 20);
    let bytes = to_vec(&p).unwrap();
    assert_eq!(bytes[0], 0x8b);
    assert_eq!(from_slice::<HarnessPublishDealParams>(&bytes).unwrap(), p);
    // The label is the sixth field: after piece CID (45 bytes), size, verified, client, provider.
    let expected_prefix = format!(
        "8b d8 2a 58 28 00 01 81 e2 03 92 20 20 {} 19 08 00 f4 42 00 65 43 00 e8 07 61 65",
        "22".repeat(32)
    );
    assert!(
        hex::encode(&bytes).starts_with(&expected_prefix.replace(' ', "")),
        "{}",
        hex::encode(&bytes)
    );
}

#[test]
fn params_follow_the_dispatch_rules() {
    let missing = decode_params::<DealQueryParams>(None).unwrap_err();
    assert_eq!(missing.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    let not_a_tuple = encode_params(&1000u64).unwrap();
    let bad = decode_params::<HarnessActivateDealParams>(not_a_tuple.as_ref()).unwrap_err();
    assert_eq!(bad.exit_code(), ExitCode::USR_SERIALIZATION);
    let negative = encode_params(&-1i64).unwrap();
    let bad = decode_params::<DealQueryParams>(negative.as_ref()).unwrap_err();
    assert_eq!(bad.exit_code(), ExitCode::USR_SERIALIZATION);
}

#[test]
fn sector_keys_round_trip() {
    for (provider, sector) in [(0, 0), (1000, 7), (127, 128), (u64::MAX, 300), (5, u64::MAX)] {
        let key = SectorKey { provider, sector };
        assert_eq!(SectorKey::from_key_bytes(&key.to_key_bytes()).unwrap(), key);
    }
    assert_ne!(
        SectorKey {
            provider: 1,
            sector: 128
        }
        .to_key_bytes(),
        SectorKey {
            provider: 128,
            sector: 1
        }
        .to_key_bytes()
    );
    assert!(SectorKey::from_key_bytes(&[0x80]).is_err());
}

#[test]
fn piece_cids_are_recognised() {
    assert!(is_piece_cid(&piece_cid([0; 32])));
    let raw = cid::Cid::new_v1(0x55, piece_cid([0; 32]).hash().to_owned());
    assert!(!is_piece_cid(&raw));
}

// ---------------------------------------------------------------------------------------------
// Method numbers.

/// FRC-42, computed independently of frc42_dispatch: the first 4-byte big-endian chunk of
/// blake2b-512("1|" + name) that is at least 2^24.
fn frc42(name: &str) -> u64 {
    let digest = blake2b_simd::Params::new()
        .hash_length(64)
        .hash(format!("1|{name}").as_bytes());
    digest
        .as_bytes()
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as u64)
        .find(|n| *n >= FIRST_EXPORTED_METHOD)
        .unwrap()
}

const EXPORTED: [(&str, u64); 23] = [
    ("AddBalance", METHOD_ADD_BALANCE),
    ("GetBalance", METHOD_GET_BALANCE),
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
    ("HarnessPublishDeal", METHOD_HARNESS_PUBLISH_DEAL),
    ("HarnessActivateDeal", METHOD_HARNESS_ACTIVATE_DEAL),
    ("HarnessTerminateDeal", METHOD_HARNESS_TERMINATE_DEAL),
    ("HarnessSettleDeal", METHOD_HARNESS_SETTLE_DEAL),
    ("HarnessTimeoutDeal", METHOD_HARNESS_TIMEOUT_DEAL),
    ("HarnessOperator", METHOD_HARNESS_OPERATOR),
    ("AuthenticateMessage", METHOD_AUTHENTICATE_MESSAGE),
    ("GetSectorSize", METHOD_MINER_GET_SECTOR_SIZE),
    ("GenerateSectorLocation", METHOD_MINER_GENERATE_SECTOR_LOCATION),
    (
        "GetNominalSectorExpiration",
        METHOD_MINER_GET_NOMINAL_SECTOR_EXPIRATION,
    ),
];

#[test]
fn method_numbers_match_the_reference_table() {
    assert_eq!(METHOD_ADD_BALANCE, 822473126);
    assert_eq!(METHOD_GET_BALANCE, 726108461);
    assert_eq!(METHOD_GET_DEAL_DATA_COMMITMENT, 1157985802);
    assert_eq!(METHOD_GET_DEAL_CLIENT, 128053329);
    assert_eq!(METHOD_GET_DEAL_PROVIDER, 935081690);
    assert_eq!(METHOD_GET_DEAL_LABEL, 46363526);
    assert_eq!(METHOD_GET_DEAL_TERM, 163777312);
    assert_eq!(METHOD_GET_DEAL_TOTAL_PRICE, 4287162428);
    assert_eq!(METHOD_GET_DEAL_CLIENT_COLLATERAL, 200567895);
    assert_eq!(METHOD_GET_DEAL_PROVIDER_COLLATERAL, 2986712137);
    assert_eq!(METHOD_GET_DEAL_VERIFIED, 2627389465);
    assert_eq!(METHOD_GET_DEAL_ACTIVATION, 2567238399);
    assert_eq!(METHOD_GET_DEAL_SECTOR, 2611213344);
    assert_eq!(METHOD_CONSTRUCTOR, 1);
    assert_eq!(METHOD_ON_MINER_SECTORS_TERMINATE, 7);
    // docs/builtin-actors-interface.md §1: what the market sends the client and the provider's
    // miner.
    assert_eq!(METHOD_AUTHENTICATE_MESSAGE, 2643134072);
    assert_eq!(METHOD_MINER_GET_SECTOR_SIZE, 3858292296);
    assert_eq!(METHOD_MINER_GENERATE_SECTOR_LOCATION, 1321604665);
    assert_eq!(METHOD_MINER_GET_NOMINAL_SECTOR_EXPIRATION, 3010055991);
}

#[test]
fn method_numbers_are_frc42_hashes_and_distinct() {
    let mut seen = std::collections::HashSet::new();
    for (name, number) in EXPORTED {
        assert_eq!(frc42(name), number, "{name}");
        assert!(number >= FIRST_EXPORTED_METHOD, "{name}");
        assert!(seen.insert(number), "{name} collides");
    }
}

// ---------------------------------------------------------------------------------------------
// The functional core.

const OPERATOR: ActorID = 100;
const CLIENT: ActorID = 101;
const STRANGER: ActorID = 102;
const EVM_ACTOR: ActorID = 103;
const USER_ACTOR: ActorID = 104;
const MINER: ActorID = 1000;
const OTHER_MINER: ActorID = 1001;
/// A key address the chain knows as CLIENT.
const CLIENT_KEY_SEED: u8 = 9;

fn client_key() -> Address {
    Address::new_secp256k1(&[CLIENT_KEY_SEED; 65]).unwrap()
}

/// A 32 GiB sector.
const SECTOR_SIZE: u64 = 32 << 30;
/// The expiration of every sector the fake miners have unless a test says otherwise.
const SECTOR_EXPIRATION: ChainEpoch = 1_000_000;

struct FakeChain {
    ids: HashMap<Address, ActorID>,
    types: HashMap<ActorID, BuiltinType>,
    /// Actors that answer AuthenticateMessage with true: the accounts, and a user contract
    /// that implements it.
    authenticators: HashSet<ActorID>,
    /// Sectors a test set up; any other sector of a miner is active, 32 GiB, expiring at
    /// [`SECTOR_EXPIRATION`]. `None`: the miner has no such sector.
    sectors: HashMap<(ActorID, u64), Option<SectorView>>,
    /// Every AuthenticateMessage sent, in order.
    authentications: std::cell::RefCell<Vec<(ActorID, AuthenticateMessageParams)>>,
}

impl FakeChain {
    fn new() -> Self {
        let mut chain = Self {
            ids: HashMap::new(),
            types: HashMap::new(),
            authenticators: [OPERATOR, CLIENT, STRANGER, USER_ACTOR].into_iter().collect(),
            sectors: HashMap::new(),
            authentications: Default::default(),
        };
        for (id, kind) in [
            (OPERATOR, Some(BuiltinType::Account)),
            (CLIENT, Some(BuiltinType::Account)),
            (STRANGER, Some(BuiltinType::Account)),
            (EVM_ACTOR, Some(BuiltinType::Evm)),
            (USER_ACTOR, None),
            (MINER, Some(BuiltinType::Miner)),
            (OTHER_MINER, Some(BuiltinType::Miner)),
        ] {
            chain.ids.insert(Address::new_id(id), id);
            if let Some(kind) = kind {
                chain.types.insert(id, kind);
            }
        }
        chain.ids.insert(client_key(), CLIENT);
        chain
    }
}

impl Chain for FakeChain {
    fn resolve(&self, address: &Address) -> Option<ActorID> {
        // As the VM: an ID address resolves to itself, whether or not an actor lives there.
        address.id().ok().or_else(|| self.ids.get(address).copied())
    }

    fn exists(&self, id: ActorID) -> bool {
        self.ids.values().any(|known| *known == id)
    }

    fn actor_type(&self, id: ActorID) -> Option<BuiltinType> {
        self.types.get(&id).copied()
    }

    fn authenticates(&self, client: ActorID, params: &AuthenticateMessageParams) -> bool {
        self.authentications.borrow_mut().push((client, params.clone()));
        self.authenticators.contains(&client)
    }

    fn sector(&self, miner: ActorID, sector: u64) -> ActorResult<Option<SectorView>> {
        assert_eq!(
            self.actor_type(miner),
            Some(BuiltinType::Miner),
            "asked f0{miner}"
        );
        Ok(self
            .sectors
            .get(&(miner, sector))
            .copied()
            .unwrap_or(Some(SectorView {
                size: SECTOR_SIZE,
                expiration: SECTOR_EXPIRATION,
                status: SECTOR_ACTIVE,
            })))
    }
}

/// The deal duration policy of the host tests: short, so the tests' epochs stay small.
const TEST_POLICY: StorageMarketPolicy = StorageMarketPolicy {
    min_deal_duration: 10,
    max_deal_duration: 1000,
};

fn proposal(provider: ActorID, client: ActorID, start: ChainEpoch, end: ChainEpoch) -> DealProposal {
    DealProposal {
        piece_cid: piece_cid([0x22; 32]),
        piece_size: PaddedPieceSize(2048),
        verified_deal: false,
        client: Address::new_id(client),
        provider: Address::new_id(provider),
        label: Label::from("e"),
        start_epoch: start,
        end_epoch: end,
        storage_price_per_epoch: TokenAmount::from_atto(3),
        provider_collateral: TokenAmount::from_atto(50),
        client_collateral: TokenAmount::from_atto(7),
    }
}

/// The exit code of a result, 0 for success.
fn code<R>(r: &ActorResult<R>) -> u32 {
    match r {
        Ok(_) => 0,
        Err(e) => e.exit_code().value(),
    }
}

struct Fx {
    store: MemoryBlockstore,
    chain: FakeChain,
    state: State,
    epoch: ChainEpoch,
}

impl Fx {
    fn new() -> Self {
        let store = MemoryBlockstore::new();
        let params = ConstructorParams {
            operator: OPERATOR,
            policy: TEST_POLICY,
        };
        let state = logic::construct(&store, params).unwrap();
        Self {
            store,
            chain: FakeChain::new(),
            state,
            epoch: 0,
        }
    }

    fn facts(&self, caller: ActorID) -> Facts {
        self.facts_with_value(caller, TokenAmount::default())
    }

    fn facts_with_value(&self, caller: ActorID, value: TokenAmount) -> Facts {
        Facts {
            caller,
            receiver: 5,
            method: 0,
            epoch: self.epoch,
            value_received: value,
        }
    }

    /// Keeps the new state of a successful call; a failed call leaves the state as it was.
    fn apply<R>(&mut self, r: ActorResult<Effects<R>>) -> ActorResult<(R, Vec<ActorEvent>)> {
        let effects = r?;
        self.state = effects.state;
        Ok((effects.ret, effects.events))
    }

    fn publish_as(&mut self, caller: ActorID, p: &DealProposal) -> ActorResult<DealID> {
        let r = logic::publish_deal(&self.store, &self.state, &self.facts(caller), &self.chain, p);
        self.apply(r).map(|(id, _)| id)
    }

    fn publish(&mut self, p: &DealProposal) -> DealID {
        self.publish_as(OPERATOR, p).unwrap()
    }

    fn activate_as(&mut self, caller: ActorID, deal_id: DealID, sector_number: u64) -> ActorResult<()> {
        let params = HarnessActivateDealParams {
            deal_id,
            sector_number,
        };
        let r = logic::activate_deal(
            &self.store,
            &self.state,
            &self.facts(caller),
            &self.chain,
            &params,
        );
        self.apply(r).map(|_| ())
    }

    fn terminate_as(&mut self, caller: ActorID, id: DealID) -> ActorResult<Vec<ActorEvent>> {
        let r = logic::terminate_deal(
            &self.store,
            &self.state,
            &self.facts(caller),
            &DealQueryParams { id },
        );
        self.apply(r).map(|(_, events)| events)
    }

    fn settle_as(&mut self, caller: ActorID, id: DealID) -> ActorResult<Vec<ActorEvent>> {
        let r = logic::settle_deal(
            &self.store,
            &self.state,
            &self.facts(caller),
            &DealQueryParams { id },
        );
        self.apply(r).map(|(_, events)| events)
    }

    fn timeout_as(&mut self, caller: ActorID, id: DealID) -> ActorResult<Vec<ActorEvent>> {
        let r = logic::timeout_deal(
            &self.store,
            &self.state,
            &self.facts(caller),
            &DealQueryParams { id },
        );
        self.apply(r).map(|(_, events)| events)
    }

    fn sectors_terminated(
        &mut self,
        caller: ActorID,
        epoch: ChainEpoch,
        sectors: Vec<u64>,
    ) -> ActorResult<Vec<ActorEvent>> {
        let params = OnMinerSectorsTerminateParams { epoch, sectors };
        let r = logic::on_miner_sectors_terminate(
            &self.store,
            &self.state,
            &self.facts(caller),
            &self.chain,
            &params,
        );
        self.apply(r).map(|(_, events)| events)
    }

    fn activation(&self, id: DealID) -> ActorResult<GetDealActivationReturn> {
        logic::get_deal_activation(&self.store, &self.state, id)
    }

    fn sector(&self, id: DealID) -> ActorResult<GetDealSectorReturn> {
        logic::get_deal_sector(&self.store, &self.state, id)
    }

    /// Exit codes of the nine getters that only read the proposal.
    fn other_getter_codes(&self, id: DealID) -> Vec<u32> {
        let (s, st) = (&self.store, &self.state);
        vec![
            code(&logic::get_deal_data_commitment(s, st, id)),
            code(&logic::get_deal_client(s, st, id)),
            code(&logic::get_deal_provider(s, st, id)),
            code(&logic::get_deal_label(s, st, id)),
            code(&logic::get_deal_term(s, st, id)),
            code(&logic::get_deal_total_price(s, st, id)),
            code(&logic::get_deal_client_collateral(s, st, id)),
            code(&logic::get_deal_provider_collateral(s, st, id)),
            code(&logic::get_deal_verified(s, st, id)),
        ]
    }
}

fn assert_event(event: &ActorEvent, kind: &str, id: DealID, client: ActorID, provider: ActorID) {
    let keys: Vec<&str> = event.entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(keys, ["$type", "id", "client", "provider"]);
    assert!(event
        .entries
        .iter()
        .all(|e| e.flags == Flags::FLAG_INDEXED_ALL && e.codec == CBOR));
    assert_eq!(from_slice::<String>(&event.entries[0].value).unwrap(), kind);
    assert_eq!(from_slice::<u64>(&event.entries[1].value).unwrap(), id);
    assert_eq!(from_slice::<u64>(&event.entries[2].value).unwrap(), client);
    assert_eq!(from_slice::<u64>(&event.entries[3].value).unwrap(), provider);
}

/// What GetDealActivation / GetDealSector answer: a value or an exit code.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    Activation(ChainEpoch, ChainEpoch),
    Sector(u64),
    Exit(u32),
}

/// docs/builtin-actors-interface.md §2.3, row by row.
#[test]
fn deal_lifecycle_table() {
    const START: ChainEpoch = 100;
    const END: ChainEpoch = 200;
    const SECTOR: u64 = 9;
    struct Row {
        situation: &'static str,
        /// Builds the situation from a fresh fixture; returns the deal id to query.
        setup: fn(&mut Fx) -> DealID,
        activation: Answer,
        sector: Answer,
        others: u32,
    }
    fn published(fx: &mut Fx) -> DealID {
        fx.publish(&proposal(MINER, CLIENT, START, END))
    }
    fn active(fx: &mut Fx) -> DealID {
        let id = published(fx);
        fx.epoch = 40;
        fx.activate_as(OPERATOR, id, SECTOR).unwrap();
        id
    }
    let rows = [
        Row {
            situation: "never published",
            setup: |fx| published(fx) + 1,
            activation: Answer::Exit(17),
            sector: Answer::Exit(17),
            others: 17,
        },
        Row {
            situation: "published, not activated",
            setup: published,
            activation: Answer::Activation(-1, -1),
            sector: Answer::Exit(33),
            others: 0,
        },
        Row {
            situation: "published, start passed, timeout not processed",
            setup: |fx| {
                let id = published(fx);
                fx.epoch = START + 5;
                id
            },
            activation: Answer::Activation(-1, -1),
            sector: Answer::Exit(33),
            others: 0,
        },
        Row {
            situation: "activated and live (before start)",
            setup: active,
            activation: Answer::Activation(40, -1),
            sector: Answer::Sector(SECTOR),
            others: 0,
        },
        Row {
            situation: "activated, after end, not settled",
            setup: |fx| {
                let id = active(fx);
                fx.epoch = END + 1000;
                id
            },
            activation: Answer::Activation(40, -1),
            sector: Answer::Sector(SECTOR),
            others: 0,
        },
        Row {
            situation: "terminated early",
            setup: |fx| {
                let id = active(fx);
                fx.epoch = START + 10;
                fx.terminate_as(OPERATOR, id).unwrap();
                id
            },
            activation: Answer::Exit(32),
            sector: Answer::Exit(32),
            others: 32,
        },
        Row {
            situation: "sector terminated by the miner",
            setup: |fx| {
                let id = active(fx);
                fx.sectors_terminated(MINER, START + 10, vec![SECTOR]).unwrap();
                id
            },
            activation: Answer::Exit(32),
            sector: Answer::Exit(32),
            others: 32,
        },
        Row {
            situation: "completed and settled",
            setup: |fx| {
                let id = active(fx);
                fx.epoch = END;
                fx.settle_as(OPERATOR, id).unwrap();
                id
            },
            activation: Answer::Exit(32),
            sector: Answer::Exit(32),
            others: 32,
        },
        Row {
            situation: "timed out",
            setup: |fx| {
                let id = published(fx);
                fx.epoch = START + 1;
                fx.timeout_as(OPERATOR, id).unwrap();
                id
            },
            activation: Answer::Exit(32),
            sector: Answer::Exit(32),
            others: 32,
        },
        Row {
            situation: "timed out by settlement",
            setup: |fx| {
                let id = published(fx);
                fx.epoch = START + 1;
                fx.settle_as(OPERATOR, id).unwrap();
                id
            },
            activation: Answer::Exit(32),
            sector: Answer::Exit(32),
            others: 32,
        },
    ];
    for row in rows {
        let mut fx = Fx::new();
        let id = (row.setup)(&mut fx);
        let activation = match fx.activation(id) {
            Ok(r) => Answer::Activation(r.activated, r.terminated),
            Err(e) => Answer::Exit(e.exit_code().value()),
        };
        let sector = match fx.sector(id) {
            Ok(r) => Answer::Sector(r.sector),
            Err(e) => Answer::Exit(e.exit_code().value()),
        };
        assert_eq!(activation, row.activation, "{}: GetDealActivation", row.situation);
        assert_eq!(sector, row.sector, "{}: GetDealSector", row.situation);
        assert_eq!(
            fx.other_getter_codes(id),
            vec![row.others; 9],
            "{}: other getters",
            row.situation
        );
    }
}

#[test]
fn getters_report_the_normalised_proposal() {
    let mut fx = Fx::new();
    let mut p = proposal(MINER, CLIENT, 10, 30);
    p.client = client_key();
    p.verified_deal = true;
    p.label = Label::Bytes(vec![0xde, 0xad]);
    let id = fx.publish(&p);
    assert_eq!(id, 0, "deal ids start at 0");
    assert_eq!(fx.publish(&p), 1);
    let (s, st) = (&fx.store, &fx.state);
    assert_eq!(
        logic::get_deal_data_commitment(s, st, id).unwrap(),
        GetDealDataCommitmentReturn {
            data: p.piece_cid,
            size: PaddedPieceSize(2048)
        }
    );
    assert_eq!(logic::get_deal_client(s, st, id).unwrap().client, CLIENT);
    assert_eq!(logic::get_deal_provider(s, st, id).unwrap().provider, MINER);
    assert_eq!(
        logic::get_deal_label(s, st, id).unwrap().label,
        Label::Bytes(vec![0xde, 0xad])
    );
    assert_eq!(
        logic::get_deal_term(s, st, id).unwrap(),
        GetDealTermReturn {
            start: 10,
            duration: 20
        }
    );
    assert_eq!(
        logic::get_deal_total_price(s, st, id).unwrap().total_price,
        TokenAmount::from_atto(60)
    );
    assert_eq!(
        logic::get_deal_client_collateral(s, st, id).unwrap().collateral,
        TokenAmount::from_atto(7)
    );
    assert_eq!(
        logic::get_deal_provider_collateral(s, st, id).unwrap().collateral,
        TokenAmount::from_atto(50)
    );
    assert!(logic::get_deal_verified(s, st, id).unwrap().verified);
    assert_eq!(logic::operator(st), OPERATOR);
}

#[test]
fn lifecycle_events_name_the_deal_and_its_parties() {
    let mut fx = Fx::new();
    let p = proposal(MINER, CLIENT, 10, 30);
    let r = logic::publish_deal(&fx.store, &fx.state, &fx.facts(OPERATOR), &fx.chain, &p);
    let (id, events) = fx.apply(r).unwrap();
    assert_eq!(events.len(), 1);
    assert_event(&events[0], "deal-published", id, CLIENT, MINER);

    let params = HarnessActivateDealParams {
        deal_id: id,
        sector_number: 3,
    };
    let r = logic::activate_deal(&fx.store, &fx.state, &fx.facts(OPERATOR), &fx.chain, &params);
    let (_, events) = fx.apply(r).unwrap();
    assert_event(&events[0], "deal-activated", id, CLIENT, MINER);

    fx.epoch = 30;
    let events = fx.settle_as(OPERATOR, id).unwrap();
    assert_eq!(events.len(), 1);
    assert_event(&events[0], "deal-completed", id, CLIENT, MINER);

    let other = fx.publish(&proposal(MINER, CLIENT, 40, 50));
    fx.activate_as(OPERATOR, other, 4).unwrap();
    let events = fx.terminate_as(OPERATOR, other).unwrap();
    assert_event(&events[0], "deal-terminated", other, CLIENT, MINER);

    let late = fx.publish(&proposal(MINER, CLIENT, 40, 50));
    fx.epoch = 41;
    assert!(
        fx.timeout_as(OPERATOR, late).unwrap().is_empty(),
        "timeouts emit nothing"
    );
}

#[test]
fn control_methods_are_for_the_operator_only() {
    let mut fx = Fx::new();
    let p = proposal(MINER, CLIENT, 10, 30);
    let id = fx.publish(&p);
    let before = fx.state.clone();
    for caller in [CLIENT, MINER, STRANGER, USER_ACTOR, 0] {
        assert_eq!(code(&fx.publish_as(caller, &p)), 18);
        assert_eq!(code(&fx.activate_as(caller, id, 1)), 18);
        assert_eq!(code(&fx.terminate_as(caller, id)), 18);
        assert_eq!(code(&fx.settle_as(caller, id)), 18);
        assert_eq!(code(&fx.timeout_as(caller, id)), 18);
        assert_eq!(code(&logic::require_operator(&fx.state, caller)), 18);
    }
    assert_eq!(fx.state, before);
    assert!(logic::require_operator(&fx.state, OPERATOR).is_ok());
}

#[test]
fn publish_refuses_bad_proposals() {
    let mut fx = Fx::new();
    fx.epoch = 50;
    let good = proposal(MINER, CLIENT, 50, 80);
    let unknown = Address::new_id(4242);
    let cases: Vec<(&str, DealProposal)> = vec![
        (
            "unknown client",
            DealProposal {
                client: unknown,
                ..good.clone()
            },
        ),
        (
            "client is a miner (cannot answer AuthenticateMessage)",
            DealProposal {
                client: Address::new_id(MINER),
                ..good.clone()
            },
        ),
        (
            "client is a contract that does not authenticate",
            DealProposal {
                client: Address::new_id(EVM_ACTOR),
                ..good.clone()
            },
        ),
        (
            "duration one epoch under the minimum",
            DealProposal {
                end_epoch: 50 + TEST_POLICY.min_deal_duration - 1,
                ..good.clone()
            },
        ),
        (
            "duration one epoch over the maximum",
            DealProposal {
                end_epoch: 50 + TEST_POLICY.max_deal_duration + 1,
                ..good.clone()
            },
        ),
        (
            "ends at i64::MAX",
            DealProposal {
                end_epoch: i64::MAX,
                ..good.clone()
            },
        ),
        (
            "price above the FIL supply",
            DealProposal {
                storage_price_per_epoch: total_filecoin() + TokenAmount::from_atto(1),
                ..good.clone()
            },
        ),
        (
            "provider collateral above the FIL supply",
            DealProposal {
                provider_collateral: total_filecoin() + TokenAmount::from_atto(1),
                ..good.clone()
            },
        ),
        (
            "client collateral above the FIL supply",
            DealProposal {
                client_collateral: total_filecoin() + TokenAmount::from_atto(1),
                ..good.clone()
            },
        ),
        (
            "provider is an account",
            DealProposal {
                provider: Address::new_id(STRANGER),
                ..good.clone()
            },
        ),
        (
            "provider is a user actor",
            DealProposal {
                provider: Address::new_id(USER_ACTOR),
                ..good.clone()
            },
        ),
        (
            "start equals end",
            DealProposal {
                end_epoch: 50,
                ..good.clone()
            },
        ),
        (
            "start after end",
            DealProposal {
                start_epoch: 90,
                ..good.clone()
            },
        ),
        (
            "start elapsed",
            DealProposal {
                start_epoch: 49,
                ..good.clone()
            },
        ),
        (
            "piece too small",
            DealProposal {
                piece_size: PaddedPieceSize(64),
                ..good.clone()
            },
        ),
        (
            "piece not a power of two",
            DealProposal {
                piece_size: PaddedPieceSize(3072),
                ..good.clone()
            },
        ),
        (
            "piece size zero",
            DealProposal {
                piece_size: PaddedPieceSize(0),
                ..good.clone()
            },
        ),
        (
            "not a piece CID",
            DealProposal {
                piece_cid: cid::Cid::new_v1(0x55, good.piece_cid.hash().to_owned()),
                ..good.clone()
            },
        ),
        (
            "label too long",
            DealProposal {
                label: Label::String("x".repeat(257)),
                ..good.clone()
            },
        ),
        (
            "byte label too long",
            DealProposal {
                label: Label::Bytes(vec![0; 257]),
                ..good.clone()
            },
        ),
        (
            "negative price",
            DealProposal {
                storage_price_per_epoch: TokenAmount::from_atto(-1),
                ..good.clone()
            },
        ),
        (
            "negative provider collateral",
            DealProposal {
                provider_collateral: TokenAmount::from_atto(-1),
                ..good.clone()
            },
        ),
        (
            "negative client collateral",
            DealProposal {
                client_collateral: TokenAmount::from_atto(-1),
                ..good.clone()
            },
        ),
    ];
    let before = fx.state.clone();
    for (what, p) in cases {
        assert_eq!(code(&fx.publish_as(OPERATOR, &p)), 16, "{what}");
    }
    // A provider that does not resolve, or has no code, aborts the builtin's whole message
    // with 17 before any deal is validated.
    let unknown_key = Address::new_secp256k1(&[0x42; 65]).unwrap();
    for provider in [unknown, unknown_key] {
        let p = DealProposal {
            provider,
            ..good.clone()
        };
        assert_eq!(code(&fx.publish_as(OPERATOR, &p)), 17, "provider {provider}");
    }
    assert_eq!(fx.state, before, "nothing was published");

    // The limits themselves are accepted: a deal starting now, the shortest and the longest
    // duration, a 128-byte piece, the whole FIL supply, a contract client that authenticates.
    let edges = [
        DealProposal {
            label: Label::String("x".repeat(256)),
            piece_size: PaddedPieceSize(128),
            storage_price_per_epoch: TokenAmount::default(),
            end_epoch: 50 + TEST_POLICY.min_deal_duration,
            ..good.clone()
        },
        DealProposal {
            end_epoch: 50 + TEST_POLICY.max_deal_duration,
            storage_price_per_epoch: total_filecoin(),
            provider_collateral: total_filecoin(),
            client_collateral: total_filecoin(),
            ..good.clone()
        },
        DealProposal {
            client: Address::new_id(USER_ACTOR),
            ..good.clone()
        },
        // No upper bound on the piece at publish, and no look at the provider's sectors:
        // 128 GiB with 32 GiB sectors publishes (and can never be activated).
        DealProposal {
            piece_size: PaddedPieceSize(128 << 30),
            ..good
        },
    ];
    for (i, edge) in edges.iter().enumerate() {
        assert_eq!(fx.publish(edge), i as DealID);
    }
    assert_eq!(fx.state.next_id, 4);
}

#[test]
fn publish_authenticates_the_client_with_the_proposal_as_submitted() {
    let mut fx = Fx::new();
    // By key address: the market sends AuthenticateMessage to the resolved client, with the
    // CBOR of the proposal exactly as given (key address inside) and no signature.
    let p = DealProposal {
        client: client_key(),
        ..proposal(MINER, CLIENT, 10, 30)
    };
    let id = fx.publish(&p);
    let sent = fx.chain.authentications.borrow().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].0, CLIENT);
    assert!(sent[0].1.signature.is_empty());
    assert_eq!(sent[0].1.message.bytes(), to_vec(&p).unwrap().as_slice());
    // Stored normalised.
    assert_eq!(
        logic::get_deal_client(&fx.store, &fx.state, id).unwrap().client,
        CLIENT
    );
    // A client the chain does not know is refused before anything is sent to it.
    let unknown = DealProposal {
        client: Address::new_id(4242),
        ..p
    };
    assert_eq!(code(&fx.publish_as(OPERATOR, &unknown)), 16);
    assert_eq!(fx.chain.authentications.borrow().len(), 1);
}

#[test]
fn activation_rules() {
    let mut fx = Fx::new();
    let id = fx.publish(&proposal(MINER, CLIENT, 10, 30));
    assert_eq!(code(&fx.activate_as(OPERATOR, id + 1, 1)), 17, "never published");
    fx.epoch = 10;
    fx.activate_as(OPERATOR, id, 1).unwrap();
    assert_eq!(
        fx.activation(id).unwrap().activated,
        10,
        "activation at the start epoch itself"
    );
    let before = fx.state.clone();
    assert_eq!(code(&fx.activate_as(OPERATOR, id, 2)), 16, "already activated");
    assert_eq!(fx.state, before);

    let late = fx.publish(&proposal(MINER, CLIENT, 20, 30));
    fx.epoch = 21;
    assert_eq!(code(&fx.activate_as(OPERATOR, late, 1)), 32, "start elapsed");
    fx.timeout_as(OPERATOR, late).unwrap();
    assert_eq!(code(&fx.activate_as(OPERATOR, late, 1)), 32, "deleted");
}

/// builtin-actors v18 `actors/market/src/lib.rs`: `validate_deal_can_activate` (deal end ≤
/// sector expiration, 16) and `validate_deals_for_sector` (Σ piece sizes ≤ sector size, 16);
/// the sector itself as its miner reports it (absent 17, terminated or faulty 16).
#[test]
fn activation_needs_a_live_sector_that_outlasts_and_holds_the_deal() {
    const GIB: u64 = 1 << 30;
    let mut fx = Fx::new();
    let sector = |size: u64, expiration: ChainEpoch, status: u8| {
        Some(SectorView {
            size,
            expiration,
            status,
        })
    };
    fx.chain
        .sectors
        .insert((MINER, 1), sector(32 * GIB, 500, SECTOR_ACTIVE));
    fx.chain.sectors.insert((MINER, 2), None);
    fx.chain
        .sectors
        .insert((MINER, 3), sector(32 * GIB, 500, SECTOR_DEAD));
    fx.chain
        .sectors
        .insert((MINER, 4), sector(32 * GIB, 500, SECTOR_FAULTY));
    fx.chain.sectors.insert((MINER, 5), sector(32 * GIB, 500, 7));
    // OTHER_MINER's sector 1 is unknown: the market asks the deal's own provider.
    fx.chain.sectors.insert((OTHER_MINER, 1), None);
    let sized = |size: u64, end: ChainEpoch| DealProposal {
        piece_size: PaddedPieceSize(size),
        ..proposal(MINER, CLIENT, 100, end)
    };
    let d32 = fx.publish(&sized(32 * GIB, 500));
    let d64 = fx.publish(&sized(64 * GIB, 500));
    let small = fx.publish(&sized(2048, 500));
    let outlives = fx.publish(&sized(2048, 501));
    let theirs = fx.publish(&DealProposal {
        provider: Address::new_id(OTHER_MINER),
        ..sized(2048, 500)
    });
    let before = fx.state.clone();
    let refusals = [
        ("sector the miner does not have", small, 2, 17),
        ("terminated sector", small, 3, 16),
        ("faulty sector", small, 4, 16),
        ("the other miner has no sector 1", theirs, 1, 17),
        ("a piece larger than the sector", d64, 1, 16),
        ("ends one epoch after the sector", outlives, 1, 16),
    ];
    for (what, id, n, want) in refusals {
        assert_eq!(code(&fx.activate_as(OPERATOR, id, n)), want, "{what}");
    }
    assert_eq!(code(&fx.activate_as(OPERATOR, small, 5)), 20, "unknown status");
    assert_eq!(fx.state, before, "a refused activation changes nothing");

    // A piece the size of the sector fills it, ending with it; nothing more fits.
    fx.activate_as(OPERATOR, d32, 1).unwrap();
    assert_eq!(code(&fx.activate_as(OPERATOR, small, 1)), 16, "sector full");
    // Another (default) sector takes it; the full sector's index is per provider.
    fx.activate_as(OPERATOR, small, 6).unwrap();
    // The start check comes first for a deal that also ends too late (as in the builtin).
    fx.epoch = 101;
    assert_eq!(code(&fx.activate_as(OPERATOR, outlives, 1)), 32);
}

#[test]
fn pieces_of_one_sector_add_up_to_at_most_its_size() {
    let mut fx = Fx::new();
    fx.chain.sectors.insert(
        (MINER, 1),
        Some(SectorView {
            size: 8192,
            expiration: SECTOR_EXPIRATION,
            status: SECTOR_ACTIVE,
        }),
    );
    let piece = |size: u64, seed: u8| DealProposal {
        piece_size: PaddedPieceSize(size),
        piece_cid: piece_cid([seed; 32]),
        ..proposal(MINER, CLIENT, 10, 30)
    };
    let a = fx.publish(&piece(4096, 1));
    let b = fx.publish(&piece(2048, 2));
    let c = fx.publish(&piece(4096, 3));
    let d = fx.publish(&piece(2048, 4));
    let other = fx.publish(&DealProposal {
        provider: Address::new_id(OTHER_MINER),
        ..piece(4096, 5)
    });
    fx.activate_as(OPERATOR, a, 1).unwrap();
    fx.activate_as(OPERATOR, b, 1).unwrap();
    // 4096 + 2048 + 4096 > 8192.
    assert_eq!(code(&fx.activate_as(OPERATOR, c, 1)), 16);
    // 4096 + 2048 + 2048 = 8192 exactly.
    fx.activate_as(OPERATOR, d, 1).unwrap();
    // The other miner's sector 1 is its own.
    fx.activate_as(OPERATOR, other, 1).unwrap();
    // A slashed deal's space is free again (its sector would be terminated on a real chain;
    // here only the deal is).
    fx.terminate_as(OPERATOR, b).unwrap();
    assert_eq!(code(&fx.activate_as(OPERATOR, c, 1)), 16);
    fx.terminate_as(OPERATOR, d).unwrap();
    fx.activate_as(OPERATOR, c, 1).unwrap();
}

#[test]
fn settle_terminate_and_timeout_refuse_illegal_states() {
    let mut fx = Fx::new();
    let pending = fx.publish(&proposal(MINER, CLIENT, 10, 30));
    let live = fx.publish(&proposal(MINER, CLIENT, 10, 30));
    fx.activate_as(OPERATOR, live, 1).unwrap();
    fx.epoch = 10;
    let before = fx.state.clone();
    assert_eq!(
        code(&fx.settle_as(OPERATOR, pending)),
        20,
        "not activated, start not passed"
    );
    assert_eq!(code(&fx.timeout_as(OPERATOR, pending)), 20, "start not passed");
    assert_eq!(
        code(&fx.terminate_as(OPERATOR, pending)),
        20,
        "never activated: nothing to slash"
    );
    assert_eq!(code(&fx.settle_as(OPERATOR, live)), 20, "active before its end");
    assert_eq!(code(&fx.timeout_as(OPERATOR, live)), 20, "activated");
    assert_eq!(fx.state, before);

    fx.epoch = 30;
    assert_eq!(
        code(&fx.terminate_as(OPERATOR, live)),
        20,
        "ended deals are settled, not slashed"
    );
    assert_eq!(code(&fx.timeout_as(OPERATOR, live)), 20);
    fx.settle_as(OPERATOR, live).unwrap();
    fx.settle_as(OPERATOR, pending).unwrap();
    for id in [pending, live] {
        assert_eq!(code(&fx.settle_as(OPERATOR, id)), 32);
        assert_eq!(code(&fx.terminate_as(OPERATOR, id)), 32);
        assert_eq!(code(&fx.timeout_as(OPERATOR, id)), 32);
    }
    assert_eq!(code(&fx.settle_as(OPERATOR, 2)), 17);
    assert_eq!(code(&fx.terminate_as(OPERATOR, 2)), 17);
    assert_eq!(code(&fx.timeout_as(OPERATOR, 2)), 17);
}

#[test]
fn miner_sector_termination_deletes_only_that_miners_live_deals_in_those_sectors() {
    let mut fx = Fx::new();
    let p = proposal(MINER, CLIENT, 10, 100);
    let a = fx.publish(&p); // MINER sector 1
    let b = fx.publish(&p); // MINER sector 1
    let c = fx.publish(&p); // MINER sector 2
    let d = fx.publish(&proposal(OTHER_MINER, CLIENT, 10, 100)); // OTHER_MINER sector 1
    let short = fx.publish(&proposal(MINER, CLIENT, 10, 20)); // MINER sector 3, ends at 20
    let pending = fx.publish(&p); // never activated
    for (id, sector) in [(a, 1), (b, 1), (c, 2), (d, 1), (short, 3)] {
        fx.activate_as(OPERATOR, id, sector).unwrap();
    }

    for caller in [STRANGER, OPERATOR, USER_ACTOR, EVM_ACTOR] {
        assert_eq!(code(&fx.sectors_terminated(caller, 50, vec![1])), 18);
        assert_eq!(code(&logic::require_miner(&fx.chain, caller)), 18);
    }

    fx.epoch = 50;
    let events = fx.sectors_terminated(MINER, 50, vec![1, 3, 77, 1]).unwrap();
    assert_eq!(events.len(), 2);
    assert_event(&events[0], "deal-terminated", a, CLIENT, MINER);
    assert_event(&events[1], "deal-terminated", b, CLIENT, MINER);
    for gone in [a, b] {
        assert_eq!(code(&fx.activation(gone)), 32);
    }
    assert_eq!(fx.sector(c).unwrap().sector, 2, "other sector untouched");
    assert_eq!(
        fx.sector(d).unwrap().sector,
        1,
        "other miner's sector 1 untouched"
    );
    assert_eq!(
        fx.sector(short).unwrap().sector,
        3,
        "a deal that ended is not slashed"
    );
    assert_eq!(fx.activation(pending).unwrap().activated, -1);

    // The ended deal is still settled normally.
    let events = fx.settle_as(OPERATOR, short).unwrap();
    assert_event(&events[0], "deal-completed", short, CLIENT, MINER);

    // Terminating the same sectors again finds nothing.
    assert!(fx.sectors_terminated(MINER, 60, vec![1, 3]).unwrap().is_empty());
    // OTHER_MINER's sector 1 goes independently.
    let events = fx.sectors_terminated(OTHER_MINER, 60, vec![1]).unwrap();
    assert_event(&events[0], "deal-terminated", d, CLIENT, OTHER_MINER);
}

#[test]
fn settled_or_slashed_deals_leave_the_sector_index() {
    let mut fx = Fx::new();
    let a = fx.publish(&proposal(MINER, CLIENT, 10, 30));
    let b = fx.publish(&proposal(MINER, CLIENT, 10, 300));
    fx.activate_as(OPERATOR, a, 1).unwrap();
    fx.activate_as(OPERATOR, b, 1).unwrap();
    fx.epoch = 30;
    fx.settle_as(OPERATOR, a).unwrap();
    fx.terminate_as(OPERATOR, b).unwrap();
    let params = ConstructorParams {
        operator: OPERATOR,
        policy: TEST_POLICY,
    };
    let empty = logic::construct(&fx.store, params).unwrap();
    assert_eq!(fx.state.sector_deals, empty.sector_deals);
    assert_eq!(fx.state.deals, empty.deals);
}

#[test]
fn escrow_balances() {
    let mut fx = Fx::new();
    let add = |fx: &mut Fx, caller: ActorID, to: Address, atto: i64| {
        let facts = fx.facts_with_value(caller, TokenAmount::from_atto(atto));
        let params = AddBalanceParams {
            provider_or_client: to,
        };
        let r = logic::add_balance(&fx.store, &fx.state, &facts, &fx.chain, &params);
        fx.apply(r).map(|_| ())
    };
    let balance = |fx: &Fx, of: Address| {
        logic::get_balance(&fx.store, &fx.state, &fx.chain, &GetBalanceParams { account: of })
    };

    assert_eq!(
        balance(&fx, Address::new_id(CLIENT)).unwrap(),
        GetBalanceReturn {
            balance: TokenAmount::default(),
            locked: TokenAmount::default()
        }
    );
    add(&mut fx, CLIENT, client_key(), 5).unwrap();
    add(&mut fx, STRANGER, Address::new_id(CLIENT), 7).unwrap();
    add(&mut fx, USER_ACTOR, Address::new_id(MINER), 1).unwrap();
    assert_eq!(
        balance(&fx, client_key()).unwrap().balance,
        TokenAmount::from_atto(12)
    );
    assert_eq!(
        balance(&fx, Address::new_id(CLIENT)).unwrap().locked,
        TokenAmount::default()
    );
    assert_eq!(
        balance(&fx, Address::new_id(MINER)).unwrap().balance,
        TokenAmount::from_atto(1)
    );

    let before = fx.state.clone();
    assert_eq!(
        code(&add(&mut fx, CLIENT, Address::new_id(CLIENT), 0)),
        16,
        "no value"
    );
    assert_eq!(
        code(&add(&mut fx, CLIENT, Address::new_id(4242), 3)),
        16,
        "an ID address with no actor behind it"
    );
    let unknown_key = Address::new_secp256k1(&[0x42; 65]).unwrap();
    assert_eq!(code(&add(&mut fx, CLIENT, unknown_key, 3)), 16, "unresolvable");
    assert_eq!(fx.state, before);
    // GetBalance only resolves, as the builtin: an ID address always does (empty escrow), a
    // key address with no actor does not.
    assert_eq!(
        balance(&fx, Address::new_id(4242)).unwrap(),
        GetBalanceReturn {
            balance: TokenAmount::default(),
            locked: TokenAmount::default()
        }
    );
    assert_eq!(code(&balance(&fx, unknown_key)), 16);
}

#[test]
fn internal_numbers_are_for_builtin_callers() {
    let chain = FakeChain::new();
    assert!(logic::require_builtin_caller(&chain, OPERATOR).is_ok());
    assert!(logic::require_builtin_caller(&chain, MINER).is_ok());
    assert_eq!(code(&logic::require_builtin_caller(&chain, USER_ACTOR)), 18);
    assert_eq!(code(&logic::require_builtin_caller(&chain, EVM_ACTOR)), 18);
    assert_eq!(code(&logic::require_builtin_caller(&chain, 4242)), 18);
}

#[test]
fn state_survives_a_round_trip_through_the_store() {
    let mut fx = Fx::new();
    let id = fx.publish(&proposal(MINER, CLIENT, 10, 30));
    fx.activate_as(OPERATOR, id, 6).unwrap();
    let reloaded: State = from_slice(&to_vec(&fx.state).unwrap()).unwrap();
    assert_eq!(
        logic::get_deal_sector(&fx.store, &reloaded, id).unwrap().sector,
        6
    );
    assert_eq!(reloaded.operator, OPERATOR);
    assert_eq!(reloaded.next_id, 1);
}
