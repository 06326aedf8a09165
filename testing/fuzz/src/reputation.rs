//! `reputation_ops`: sequences of registry calls on the host, on the registry's own functional
//! core (`provider_reputation::logic`), with the checks its shell makes before the core
//! (params decoding, the caller, the miner). Each operation is a method, a caller, an epoch
//! step and params: raw bytes decoded as the wasm decodes them, or values built from the input
//! so that most calls reach the logic. A refusal must be a `USR_*` exit with a reason and, as in
//! the VM, leaves the state as it was; after every accepted call the registry's books checker
//! (`logic::check_invariants`) must pass and every score must be a fraction (≤ 100.00 %).

use actor_runtime::params::{cbor_block, decode_params};
use actor_runtime::{actor_error, ActorResult, Facts};
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::to_vec;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use provider_reputation::logic;
use provider_reputation::state::State;
use suite_interfaces::reputation::*;

use crate::assert_user_refusal;
use crate::input::Input;

const ADMIN: ActorID = 100;
const REPORTER: ActorID = 101;
const STRANGER: ActorID = 102;
/// Miners 1000.. and the accounts that control them (`OWNERS[i]` controls `1000 + i`).
const MINERS: [ActorID; 4] = [1000, 1001, 1002, 1003];
const OWNERS: [ActorID; 4] = [2000, 2001, 2002, 2003];
const CALLERS: [ActorID; 7] = [ADMIN, REPORTER, STRANGER, OWNERS[0], OWNERS[1], MINERS[0], 3000];
/// What the registry is asked about: the miners, a non-miner and an unknown id.
const PROVIDERS: [ActorID; 6] = [MINERS[0], MINERS[1], MINERS[2], MINERS[3], STRANGER, 9999];

struct World {
    store: MemoryBlockstore,
    state: State,
    epoch: i64,
}

impl World {
    fn new() -> Self {
        let store = MemoryBlockstore::new();
        let mut state = State::new(&store, ADMIN).unwrap();
        logic::add_reporter(&store, &mut state, REPORTER).unwrap();
        Self {
            store,
            state,
            epoch: 1,
        }
    }

    fn facts(&self, caller: ActorID) -> Facts {
        Facts {
            caller,
            receiver: 10,
            method: 0,
            epoch: self.epoch,
            value_received: TokenAmount::default(),
        }
    }
}

/// The shell's resolution of an address on this small chain: ID addresses of its actors.
fn resolve(address: &Address) -> ActorResult<ActorID> {
    let known = |id: &ActorID| CALLERS.contains(id) || MINERS.contains(id) || OWNERS.contains(id);
    match address.id() {
        Ok(id) if known(&id) => Ok(id),
        _ => Err(actor_error!(not_found; "no actor at {address}")),
    }
}

/// The shell's `storage_miner` check: the address must be one of the miners.
fn miner(address: &Address) -> ActorResult<ActorID> {
    let id = resolve(address)?;
    if !MINERS.contains(&id) {
        return Err(actor_error!(illegal_argument; "f0{id} is not a storage miner"));
    }
    Ok(id)
}

/// The shell's `validate_caller_controls`: the miner's owner (its worker and control
/// addresses are the same check).
fn controls(caller: ActorID, miner: ActorID) -> ActorResult<()> {
    let owner = OWNERS[MINERS.iter().position(|m| *m == miner).unwrap()];
    if caller != owner {
        return Err(actor_error!(forbidden; "f0{caller} does not control f0{miner}"));
    }
    Ok(())
}

/// Params of method `T`: the input's raw bytes as the wasm would decode them, or a value
/// built from the input.
fn params<T: serde::de::DeserializeOwned>(
    input: &mut Input,
    raw: bool,
    build: impl FnOnce(&mut Input) -> T,
) -> ActorResult<T> {
    if raw {
        let bytes = input.bytes();
        decode_params(cbor_block(bytes).as_ref())
    } else {
        Ok(build(input))
    }
}

fn metadata(input: &mut Input) -> Metadata {
    let valid = input.bool();
    Metadata {
        name: if valid {
            "Acme Storage".into()
        } else {
            input.text()
        },
        region: input.pick(&["DE", "US-CA", "", "unknown", "xx-\u{202e}"]).into(),
        peer_id: input.bytes().to_vec(),
        links: (0..input.u8() % 4)
            .map(|_| {
                input
                    .pick(&["https://a.example", "ftp://x", "", "https://b.example/p"])
                    .into()
            })
            .collect(),
    }
}

fn outcome(input: &mut Input) -> RecordOutcomeParams {
    RecordOutcomeParams {
        provider: input.pick(&PROVIDERS),
        subject: Subject {
            kind: input.pick(&[SubjectKind::Deal, SubjectKind::Sector]),
            id: u64::from(input.u8() % 8),
        },
        kind: input.pick(&[
            OutcomeKind::ClaimAccepted,
            OutcomeKind::Completed,
            OutcomeKind::Fault,
            OutcomeKind::Slashed,
        ]),
        weight: input.pick(&[0, 1, 2_880, 518_400, u64::MAX]),
        bytes: input.pick(&[0, 1 << 35, u64::MAX]),
    }
}

/// One call; `Ok` when it changed or read state as the actor would have.
fn call(world: &mut World, input: &mut Input) -> ActorResult<()> {
    let method = input.u8() % 10;
    let raw = input.u8() < 32;
    let caller = input.pick(&CALLERS);
    let (store, facts) = (&world.store, world.facts(caller));
    let state = &mut world.state;
    let address = |input: &mut Input| AddressParams {
        address: Address::new_id(input.pick(&[REPORTER, STRANGER, MINERS[0], OWNERS[0], 3000, 9999])),
    };
    match method {
        0..=2 => {
            logic::authorize_admin(state, caller)?;
            let p: AddressParams = params(input, raw, address)?;
            let id = resolve(&p.address)?;
            match method {
                0 => {
                    // The shell refuses key holders and the admin as reporters.
                    if OWNERS.contains(&id) || id == STRANGER || id == state.admin {
                        return Err(
                            actor_error!(illegal_argument; "reporter f0{id} must be a contract other than the admin"),
                        );
                    }
                    logic::add_reporter(store, state, id)?;
                }
                1 => {
                    logic::remove_reporter(store, state, id)?;
                }
                _ => {
                    logic::transfer_admin(state, id)?;
                }
            }
        }
        3 => {
            logic::accept_admin(state, caller)?;
        }
        4 | 5 => {
            let p: RegisterProviderParams = params(input, raw, |input| RegisterProviderParams {
                miner: Address::new_id(input.pick(&PROVIDERS)),
                metadata: metadata(input),
            })?;
            p.metadata
                .validate()
                .map_err(|why| actor_error!(illegal_argument; "metadata: {why}"))?;
            let miner = miner(&p.miner)?;
            controls(caller, miner)?;
            if method == 4 {
                logic::register(store, state, &facts, miner, p.metadata)?;
            } else {
                logic::update_metadata(store, state, &facts, miner, p.metadata)?;
            }
        }
        6 => {
            logic::authorize_reporter(store, state, caller)?;
            let p: RecordOutcomeParams = params(input, raw, outcome)?;
            miner(&Address::new_id(p.provider))?;
            let (_, ret, _) = logic::record_outcome(store, state, &facts, &p)?;
            assert!(ret.score <= 10_000, "RecordOutcome answered score {}", ret.score);
        }
        7 => {
            let p: GetReputationParams = params(input, raw, |input| GetReputationParams {
                provider: Address::new_id(input.pick(&PROVIDERS)),
            })?;
            let provider = resolve(&p.provider)?;
            let view = logic::reputation(store, state, &facts, provider)?;
            assert!(
                view.score <= 10_000,
                "GetReputation answered score {}",
                view.score
            );
        }
        8 => {
            let p: GetScoresParams = params(input, raw, |input| GetScoresParams {
                providers: (0..input.u8() % 8).map(|_| input.pick(&PROVIDERS)).collect(),
            })?;
            let scores = logic::scores(store, state, &facts, &p.providers)?;
            assert_eq!(
                scores.scores.len(),
                p.providers.len(),
                "GetScores answered a score per provider"
            );
            assert!(
                scores.scores.iter().all(|s| *s <= 10_000),
                "GetScores answered {:?}",
                scores.scores
            );
        }
        _ => {
            let p: ListProvidersParams = params(input, raw, |input| ListProvidersParams {
                cursor: input.bool().then(|| input.pick(&PROVIDERS)),
                limit: u32::from(input.u8()),
            })?;
            let page = logic::list(store, state, &facts, &p)?;
            assert!(
                page.providers.len() <= p.limit as usize,
                "ListProviders answered more than its limit"
            );
        }
    }
    Ok(())
}

pub fn fuzz(data: &[u8]) {
    run(data);
}

/// Runs the calls of `data`; answers how many were accepted and how many refused.
pub fn run(data: &[u8]) -> (usize, usize) {
    let mut world = World::new();
    let mut input = Input::new(data);
    let (mut accepted, mut refused) = (0, 0);
    for step in 0..64 {
        if input.is_empty() {
            break;
        }
        world.epoch += i64::from(input.u16());
        let before = world.state.clone();
        match call(&mut world, &mut input) {
            Ok(()) => {
                if let Err(failures) = logic::check_invariants(&world.store, &world.state) {
                    panic!("step {step}: the registry's books broke: {failures:?}");
                }
                accepted += 1;
            }
            Err(refusal) => {
                assert_user_refusal(&format!("step {step}"), &refusal);
                // The VM discards an aborted call's state.
                world.state = before;
                refused += 1;
            }
        }
    }
    (accepted, refused)
}

/// Register two providers, record outcomes of every kind for them, read them back; and a
/// RecordOutcome whose params are raw CBOR.
pub fn seeds() -> Vec<Vec<u8>> {
    // Each call: the epoch step (2 bytes), the method, raw (< 32) or built params, the
    // caller's index in CALLERS, then the params' bytes.
    let register = |owner: u8, miner: u8| [0, 0, 4, 200, 3 + owner, miner, 1, 0, 0, 0];
    let record = |miner: u8, kind: u8| [1, 0, 6, 200, 1, miner, 0, kind, kind, 3, 1];
    let mut built = Vec::new();
    built.extend(register(0, 0));
    built.extend(register(1, 1));
    for kind in 0..4 {
        built.extend(record(0, kind));
        built.extend(record(1, 3 - kind));
    }
    built.extend([0, 0, 8, 200, 2, 4, 0, 1, 2, 3]);
    built.extend([0, 0, 9, 200, 0, 0, 10]);
    let outcome = to_vec(&RecordOutcomeParams {
        provider: MINERS[0],
        subject: Subject {
            kind: SubjectKind::Deal,
            id: 1,
        },
        kind: OutcomeKind::Completed,
        weight: 518_400,
        bytes: 1 << 35,
    })
    .unwrap();
    let mut raw = vec![0, 0, 6, 0, 1, outcome.len() as u8];
    raw.extend(outcome);
    vec![built, raw]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_seeds_reach_the_logic() {
        let seeds = super::seeds();
        // 2 registrations, 8 outcomes, a GetScores and a ListProviders, all accepted.
        assert_eq!(super::run(&seeds[0]), (12, 0));
        // RecordOutcome from raw CBOR params, as the wasm decodes them (no registration needed).
        assert_eq!(super::run(&seeds[1]), (1, 0));
    }
}
