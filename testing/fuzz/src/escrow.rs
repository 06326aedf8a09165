//! `escrow_ops`: sequences of escrow calls on the host, on the escrow's functional core
//! (`collateral_escrow::logic`), with arbitrary facts: any caller, any value, any epoch step, and
//! any answer the market and the miners could give the shell (a deal live, gone or refused with
//! any exit code; a sector status true, false or any exit code). Params come from raw bytes
//! decoded as the wasm decodes them, or are built from the input so that most calls reach the
//! logic.
//!
//! A crash: a panic; a refusal that is not a `USR_*` exit with a reason; an accepted call after
//! which the escrow's books (`logic::check_invariants`, against the balance this target keeps:
//! value in, payouts out) break; a settlement paying more than it took or paying a reporter more
//! than the policy's share; a lock id handed out twice. A refused call leaves the state as it
//! was (the VM rolls it back), so it is restored.

use actor_runtime::builtin::market::DealActivation;
use actor_runtime::params::{cbor_block, decode_params};
use actor_runtime::{ActorResult, Facts};
use collateral_escrow::logic::{self, VerifiedLock};
use collateral_escrow::state::State;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::to_vec;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;
use suite_interfaces::escrow::*;

use crate::assert_user_refusal;
use crate::input::Input;

const REGISTRY: ActorID = 90;
const ESCROW: ActorID = 91;
const CALLERS: [ActorID; 5] = [100, 101, 102, 103, 104];
const PROVIDERS: [ActorID; 3] = [1000, 1001, 1002];

struct World {
    store: MemoryBlockstore,
    state: State,
    epoch: i64,
    /// The escrow's balance as the VM would hold it: values received less payouts.
    balance: TokenAmount,
    lock_ids: Vec<u64>,
}

fn policy(input: &mut Input) -> Policy {
    let default = Policy::default();
    let policy = Policy {
        reporter_reward_bps: input.pick(&[0, 500, 10_000]),
        fault_fee_bps: input.pick(&[1, 1_000, 10_000]),
        fault_cooldown: input.pick(&[1, 2_880]),
        min_collateral: TokenAmount::from_atto(input.pick(&[0u64, 1, 1_000])),
        max_lock_duration: input.pick(&[1, 100_000, MAX_LOCK_DURATION_LIMIT]),
    };
    if policy.validate().is_ok() {
        policy
    } else {
        default
    }
}

fn amount(input: &mut Input) -> TokenAmount {
    match input.u8() % 4 {
        0 => TokenAmount::default(),
        1 => TokenAmount::from_atto(input.u8()),
        2 => TokenAmount::from_atto(input.u64()),
        _ => TokenAmount::from_whole(input.u8()),
    }
}

fn evidence(input: &mut Input, provider: ActorID) -> (Option<DealSnapshot>, Option<SectorSnapshot>) {
    let deal = input.bool().then(|| DealSnapshot {
        deal_id: u64::from(input.u8() % 8),
        piece_cid: cid::Cid::default(),
        piece_size: input.pick(&[0, 2048, 1 << 35]),
        start_epoch: i64::from(input.u16()),
        end_epoch: i64::from(input.u32() % 4_000_000),
        activated: i64::from(input.u8()),
    });
    let sector = input.bool().then(|| SectorSnapshot {
        sector_number: u64::from(input.u8() % 8) + provider % 7,
        sector_size: input.pick(&[2048, 1 << 35]),
        expiration: i64::from(input.u32() % 8_000_000),
    });
    (deal, sector)
}

fn location(input: &mut Input) -> SectorLocation {
    SectorLocation {
        deadline: i64::from(input.u8() % 50) - 1,
        partition: i64::from(input.u8() % 3) - 1,
    }
}

fn proof(input: &mut Input) -> FaultProof {
    match input.u8() % 3 {
        0 => FaultProof::DealTerminated,
        1 => FaultProof::SectorFaulty(location(input)),
        _ => FaultProof::SectorDead(location(input)),
    }
}

/// What the market answers `GetDealActivation`: live, gone (32) or another exit.
fn deal_answer(input: &mut Input) -> logic::DealAnswer {
    match input.u8() % 4 {
        0 => Ok(DealActivation {
            activated: i64::from(input.u8()),
            terminated: -1,
        }),
        1 | 2 => Err(ExitCode::new(actor_runtime::builtin::EX_DEAL_EXPIRED)),
        _ => Err(ExitCode::new(input.pick(&[16, 17, 18, 20, 21, 33]))),
    }
}

/// What a miner answers `ValidateSectorStatus`: a verdict or an exit.
fn sector_answer(input: &mut Input) -> logic::SectorAnswer {
    match input.u8() % 4 {
        0 | 1 => Ok(true),
        2 => Ok(false),
        _ => Err(ExitCode::new(input.pick(&[16, 17, 18, 20, 23]))),
    }
}

fn params<T: serde::de::DeserializeOwned>(
    input: &mut Input,
    raw: bool,
    build: impl FnOnce(&mut Input) -> T,
) -> ActorResult<T> {
    if raw {
        decode_params(cbor_block(input.bytes()).as_ref())
    } else {
        Ok(build(input))
    }
}

fn lock_ref(world: &World, input: &mut Input) -> u64 {
    match (world.lock_ids.is_empty(), input.u8() % 8) {
        (false, 0..=6) => world.lock_ids[usize::from(input.u8()) % world.lock_ids.len()],
        _ => u64::from(input.u8()),
    }
}

/// A settlement pays no more than the lock gave up, and the reporter no more than its share.
fn check_settlement(world: &World, s: &logic::Settlement, taken: &TokenAmount, reported: bool) {
    let paid: TokenAmount = s.payouts.iter().map(|(_, a)| a.clone()).sum();
    assert!(&paid <= taken, "paid {paid} out of {taken} taken from the lock");
    assert!(
        s.payouts.iter().all(|(_, a)| a.is_positive()),
        "a payout of nothing or less: {:?}",
        s.payouts
    );
    if let (true, Some(report)) = (reported, &s.report) {
        let cap = TokenAmount::from_atto(
            report.slashed.atto() * world.state.policy.reporter_reward_bps / 10_000u64,
        );
        assert!(
            report.reporter_reward <= cap,
            "reporter reward {} over its share {cap}",
            report.reporter_reward
        );
        assert_eq!(
            &report.slashed, taken,
            "the report's slashed is what the lock gave up"
        );
        assert_eq!(
            &report.reporter_reward + &report.compensation,
            report.slashed,
            "reward + compensation is the slash"
        );
    }
}

/// One call; `Ok` when it changed or read state as the actor would have.
fn call(world: &mut World, input: &mut Input) -> ActorResult<()> {
    let method = input.u8() % 6;
    let raw = input.u8() < 24;
    let facts = Facts {
        caller: input.pick(&CALLERS),
        receiver: ESCROW,
        method: 0,
        epoch: world.epoch,
        value_received: if method <= 1 {
            amount(input)
        } else {
            TokenAmount::default()
        },
    };
    let store = &world.store;
    match method {
        0 => {
            let provider = input.pick(&PROVIDERS);
            let (deal, sector) = evidence(input, provider);
            let req = VerifiedLock {
                provider,
                beneficiary: input.pick(&CALLERS),
                refund_to: input.pick(&CALLERS),
                notify: input.bool().then(|| input.pick(&CALLERS)),
                reference: input.bool().then(|| input.u64()),
                deal,
                sector,
                end_epoch: world.epoch + i64::from(input.u32() % 8_000_000) - 100,
            };
            let before = world.state.next_lock_id;
            let (id, _) = logic::create_lock(store, &mut world.state, &facts, req)?;
            assert_eq!(id, before, "lock ids are handed out in order");
            assert!(!world.lock_ids.contains(&id), "lock id {id} handed out twice");
            world.lock_ids.push(id);
            world.balance += &facts.value_received;
        }
        1 => {
            let p: LockIdParams = params(input, raw, |input| LockIdParams {
                lock_id: lock_ref(world, input),
            })?;
            logic::top_up(store, &mut world.state, &facts, p.lock_id)?;
            world.balance += &facts.value_received;
        }
        2 => {
            let p: ReportFaultParams = params(input, raw, |input| ReportFaultParams {
                lock_id: lock_ref(world, input),
                proof: proof(input),
            })?;
            let lock = logic::precheck_report(store, &world.state, &facts, &p)?;
            let verdict = match &p.proof {
                FaultProof::DealTerminated => logic::judge_deal(&lock, &facts, deal_answer(input))?,
                sector_proof => logic::judge_sector(&lock, sector_proof, sector_answer(input))?,
            };
            let before = lock.remaining.clone();
            let s = logic::slash(
                store,
                &mut world.state,
                &facts,
                p.lock_id,
                lock,
                verdict,
                &p.proof,
            )?;
            let after = logic::get_lock(store, &world.state, p.lock_id)?;
            let taken = &before - &after.remaining;
            check_settlement(world, &s, &taken, true);
            world.balance -= s.payouts.iter().map(|(_, a)| a.clone()).sum::<TokenAmount>();
        }
        3 => {
            let p: LockIdParams = params(input, raw, |input| LockIdParams {
                lock_id: lock_ref(world, input),
            })?;
            let lock = logic::releasable_lock(store, &world.state, &facts, p.lock_id)?;
            let taken = lock.remaining.clone();
            let storage = input.pick(&[StorageAtRelease::Live, StorageAtRelease::Gone]);
            let s = logic::release(store, &mut world.state, &facts, p.lock_id, lock, storage)?;
            check_settlement(world, &s, &taken, false);
            world.balance -= s.payouts.iter().map(|(_, a)| a.clone()).sum::<TokenAmount>();
        }
        4 => {
            let p: ListLocksParams = params(input, raw, |input| ListLocksParams {
                provider: input.pick(&PROVIDERS),
                cursor: input.bool().then(|| u64::from(input.u8())),
                limit: u32::from(input.u8()),
            })?;
            let page = logic::list(store, &world.state, &p)?;
            assert!(
                page.locks.len() <= p.limit as usize,
                "ListLocks answered more than its limit"
            );
            assert!(
                page.locks.iter().all(|l| l.lock.provider == p.provider),
                "ListLocks answered another provider's lock"
            );
        }
        _ => {
            let p: LockIdParams = params(input, raw, |input| LockIdParams {
                lock_id: lock_ref(world, input),
            })?;
            logic::get_lock(store, &world.state, p.lock_id)?;
        }
    }
    Ok(())
}

pub fn fuzz(data: &[u8]) {
    run(data);
}

/// Runs the calls of `data`; answers how many were accepted and how many refused.
pub fn run(data: &[u8]) -> (usize, usize) {
    let mut input = Input::new(data);
    let store = MemoryBlockstore::new();
    let state = State::new(&store, REGISTRY, policy(&mut input)).unwrap();
    let mut world = World {
        store,
        state,
        epoch: 1,
        balance: TokenAmount::default(),
        lock_ids: Vec::new(),
    };
    let (mut accepted, mut refused) = (0, 0);
    for step in 0..64 {
        if input.is_empty() {
            break;
        }
        world.epoch += i64::from(input.u16());
        let (state, balance, ids) = (world.state.clone(), world.balance.clone(), world.lock_ids.clone());
        match call(&mut world, &mut input) {
            Ok(()) => {
                if let Err(failures) = logic::check_invariants(&world.store, &world.state, &world.balance) {
                    panic!("step {step}: the escrow's books broke: {failures}");
                }
                accepted += 1;
            }
            Err(refusal) => {
                assert_user_refusal(&format!("step {step}"), &refusal);
                (world.state, world.balance, world.lock_ids) = (state, balance, ids);
                refused += 1;
            }
        }
    }
    (accepted, refused)
}

/// A lock on a deal and a sector, a top-up, a fault fee, a slash and a release of a second lock;
/// and a ReportFault whose params are raw CBOR.
pub fn seeds() -> Vec<Vec<u8>> {
    // The policy (5 picks: 500 bps reward, 1000 bps fee, cooldown 1, min 1 atto, 100000 max).
    let mut built = vec![1, 1, 0, 1, 1];
    // Lock: epoch step, method 0, built, caller, value (whole FIL 5), provider, deal (end
    // 10000), sector (expiration 20000), beneficiary, refund_to, no notify, no reference, end.
    let lock = |end: u32| {
        let mut op = vec![0, 0, 0, 200, 0, 3, 5, 0];
        op.extend([1, 1, 1, 0, 0]); // a deal: id 1, size 2048, start 0 (2 bytes)
        op.extend(10_000u32.to_le_bytes());
        op.push(1); // activated
        op.extend([1, 1, 1]); // a sector: number 1, size 2048
        op.extend(20_000u32.to_le_bytes());
        op.extend([1, 2, 0, 0]);
        op.extend((end + 100).to_le_bytes());
        op
    };
    built.extend(lock(5_000));
    built.extend([1, 0, 1, 200, 1, 3, 1, 0, 0]); // a top-up of 1 FIL on lock 0
    built.extend([1, 0, 2, 200, 2, 0, 0, 1, 5, 1, 0]); // SectorFaulty on lock 0, miner says true
    built.extend([0, 1, 2, 200, 2, 0, 0, 2, 5, 1, 0]); // SectorDead on lock 0 after the cooldown
    built.extend(lock(10));
    built.extend([0xff, 0x00, 3, 200, 0, 0, 1, 0]); // release lock 1 after its end
    let report = to_vec(&ReportFaultParams {
        lock_id: 0,
        proof: FaultProof::DealTerminated,
    })
    .unwrap();
    let mut raw = vec![1, 1, 0, 1, 1];
    raw.extend(lock(5_000));
    raw.extend([1, 0, 2, 0, 3, report.len() as u8]);
    raw.extend(report);
    raw.push(1); // the market says the deal is gone
    vec![built, raw]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_seeds_reach_the_logic() {
        let seeds = super::seeds();
        // A lock, a top-up, a fault fee, a slash of the rest, a second lock and its release.
        assert_eq!(super::run(&seeds[0]), (6, 0));
        let (accepted, _) = super::run(&seeds[1]);
        assert_eq!(accepted, 2, "a lock, then a DealTerminated report from raw CBOR");
    }
}
