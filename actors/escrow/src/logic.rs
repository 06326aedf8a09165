//! The escrow as plain state transitions. The shell verifies evidence and proofs with the
//! market and miner and passes their answers in; these functions decide and update state, and
//! say what to pay, what to report and whom to call back. Host tests drive them directly.

use actor_runtime::builtin::market::DealActivation;
use actor_runtime::builtin::EX_DEAL_EXPIRED;
use actor_runtime::{actor_error, ensure, token, ActorError, ActorResult, EventBuilder, Facts, OrNotFound};
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::ActorEvent;
use fvm_shared::ActorID;
use suite_interfaces::escrow::*;
use suite_interfaces::reputation::{OutcomeKind, RecordOutcomeParams, Subject, SubjectKind};

use crate::state::State;

/// A lock request after the shell resolved addresses and verified the evidence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedLock {
    pub provider: ActorID,
    pub beneficiary: ActorID,
    pub refund_to: ActorID,
    pub notify: Option<ActorID>,
    pub reference: Option<u64>,
    pub deal: Option<DealSnapshot>,
    pub sector: Option<SectorSnapshot>,
    pub end_epoch: ChainEpoch,
}

/// Checks a lock request against the policy and the verified evidence, then records it.
/// `facts.value_received` is the collateral. Returns the new lock id.
pub fn create_lock<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    req: VerifiedLock,
) -> ActorResult<(u64, Vec<ActorEvent>)> {
    let amount = facts.value_received.clone();
    token::positive(&amount, "collateral")?;
    ensure!(amount >= state.policy.min_collateral, illegal_argument;
        "collateral {amount} is below the minimum {}", state.policy.min_collateral);
    check_end(state, facts, &req)?;

    let lock_id = state.next_lock_id;
    let lock = Lock {
        locker: facts.caller,
        provider: req.provider,
        beneficiary: req.beneficiary,
        refund_to: req.refund_to,
        deal: req.deal,
        sector: req.sector,
        created_at: facts.epoch,
        end_epoch: req.end_epoch,
        notify: req.notify,
        reference: req.reference,
        original: amount.clone(),
        remaining: amount.clone(),
        slashed: TokenAmount::default(),
        released: TokenAmount::default(),
        faults_charged: 0,
        last_fault_fee_at: None,
        status: LockStatus::Open,
    };
    let mut locks = state.locks(store)?;
    locks.set(lock_id, lock)?;
    state.locks = locks.flush()?;

    let mut index = state.by_provider(store)?;
    index.insert(&req.provider, lock_id)?;
    state.by_provider = index.flush()?;

    state.next_lock_id += 1;
    state.totals.held = token::add(&state.totals.held, &amount)?;
    state.totals.locked_total = token::add(&state.totals.locked_total, &amount)?;
    state.totals.locks_created += 1;
    state.totals.locks_open += 1;
    let event = EventBuilder::new(EVENT_LOCKED)
        .indexed("lock", &lock_id)
        .indexed("provider", &req.provider)
        .field("locker", &facts.caller)
        .field("amount", &amount)
        .field("end", &req.end_epoch)
        .build()?;
    Ok((lock_id, vec![event]))
}

fn check_end(state: &State, facts: &Facts, req: &VerifiedLock) -> ActorResult<()> {
    ensure!(req.deal.is_some() || req.sector.is_some(), illegal_argument; "a lock needs a deal or a sector as evidence");
    ensure!(req.end_epoch > facts.epoch, illegal_argument; "end epoch {} is not in the future", req.end_epoch);
    let duration = req.end_epoch - facts.epoch;
    ensure!(duration <= state.policy.max_lock_duration, illegal_argument;
        "a lock may run at most {} epochs, asked {duration}", state.policy.max_lock_duration);
    if let Some(deal) = &req.deal {
        // After the deal's end the market cannot tell a slash from a normal end: the lock must
        // not outlive the deal it relies on.
        ensure!(req.end_epoch <= deal.end_epoch, illegal_argument;
            "lock end {} is after deal {} ends at {}", req.end_epoch, deal.deal_id, deal.end_epoch);
    }
    if let Some(sector) = &req.sector {
        // A sector expiring on schedule before the lock's end would look dead: refuse.
        ensure!(req.end_epoch <= sector.expiration, illegal_argument;
            "lock end {} is after sector {} expires at {}", req.end_epoch, sector.sector_number, sector.expiration);
    }
    Ok(())
}

/// The lock, or 17.
pub fn get_lock<BS: Blockstore>(store: &BS, state: &State, lock_id: u64) -> ActorResult<Lock> {
    state
        .locks(store)?
        .get(lock_id)?
        .cloned()
        .or_not_found(format_args!("lock {lock_id}"))
}

fn open_lock<BS: Blockstore>(store: &BS, state: &State, lock_id: u64) -> ActorResult<Lock> {
    let lock = get_lock(store, state, lock_id)?;
    ensure!(lock.status == LockStatus::Open, illegal_state; "lock {lock_id} is already settled ({:?})", lock.status);
    Ok(lock)
}

pub fn top_up<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    lock_id: u64,
) -> ActorResult<Vec<ActorEvent>> {
    let amount = facts.value_received.clone();
    token::positive(&amount, "top-up")?;
    let mut lock = open_lock(store, state, lock_id)?;
    ensure!(facts.epoch < lock.end_epoch, illegal_state; "lock {lock_id} has ended");
    lock.original = token::add(&lock.original, &amount)?;
    lock.remaining = token::add(&lock.remaining, &amount)?;
    let mut locks = state.locks(store)?;
    locks.set(lock_id, lock.clone())?;
    state.locks = locks.flush()?;
    state.totals.held = token::add(&state.totals.held, &amount)?;
    state.totals.locked_total = token::add(&state.totals.locked_total, &amount)?;
    Ok(vec![EventBuilder::new(EVENT_TOPPED_UP)
        .indexed("lock", &lock_id)
        .indexed("provider", &lock.provider)
        .field("by", &facts.caller)
        .field("amount", &amount)
        .field("remaining", &lock.remaining)
        .build()?])
}

/// The checks a report passes before anyone is asked anything: the lock is open and not
/// ended, the proof fits the evidence, and a fault is not inside the cooldown.
pub fn precheck_report<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    p: &ReportFaultParams,
) -> ActorResult<Lock> {
    let lock = open_lock(store, state, p.lock_id)?;
    if facts.epoch >= lock.end_epoch {
        return Err(ActorError::actor_specific(
            EX_NOT_PROVEN,
            format!("lock {} ended at {}: release it", p.lock_id, lock.end_epoch),
        ));
    }
    match &p.proof {
        FaultProof::DealTerminated => {
            ensure!(lock.deal.is_some(), illegal_argument; "lock {} is not backed by a deal", p.lock_id)
        }
        FaultProof::SectorFaulty(_) | FaultProof::SectorDead(_) => {
            ensure!(lock.sector.is_some(), illegal_argument; "lock {} is not backed by a sector", p.lock_id)
        }
    }
    if let (FaultProof::SectorFaulty(_), Some(last)) = (&p.proof, lock.last_fault_fee_at) {
        let next = last.saturating_add(state.policy.fault_cooldown);
        if facts.epoch < next {
            return Err(ActorError::actor_specific(
                EX_FAULT_COOLDOWN,
                format!(
                    "lock {} was charged a fault fee at {last}; next possible at {next}",
                    p.lock_id
                ),
            ));
        }
    }
    Ok(lock)
}

/// What the market said about the deal (Ok) or its exit code (Err).
pub type DealAnswer = Result<DealActivation, ExitCode>;
/// What the miner said about the claimed status (Ok) or its exit code (Err).
pub type SectorAnswer = Result<bool, ExitCode>;

/// The verdict on a report, from the VM's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    FaultFee,
    SlashAll,
}

pub fn judge_deal(lock: &Lock, facts: &Facts, answer: DealAnswer) -> ActorResult<Verdict> {
    let deal = lock
        .deal
        .as_ref()
        .ok_or_else(|| ActorError::illegal_argument("no deal evidence"))?;
    match answer {
        Ok(_) => Err(ActorError::actor_specific(
            EX_NOT_PROVEN,
            format!("deal {} is still live", deal.deal_id),
        )),
        Err(code) if code.value() == EX_DEAL_EXPIRED => {
            // Gone before its end: terminated early. (precheck guarantees epoch < lock end ≤ deal end.)
            if facts.epoch < deal.end_epoch {
                Ok(Verdict::SlashAll)
            } else {
                Err(ActorError::actor_specific(
                    EX_NOT_PROVEN,
                    format!("deal {} ended normally", deal.deal_id),
                ))
            }
        }
        Err(code) => {
            Err(actor_error!(unspecified; "market answered exit {} for deal {}", code.value(), deal.deal_id))
        }
    }
}

/// The miner answered 17 for a sector at `at`: the location is stale (compaction moved the
/// sector), never evidence. The escrow's own 33, for Lock and ReportFault alike.
pub fn stale_location(provider: ActorID, sector_number: u64, at: &SectorLocation) -> ActorError {
    ActorError::actor_specific(
        EX_STALE_LOCATION,
        format!(
            "sector {sector_number} is not at deadline {} partition {} of f0{provider} (stale location: ask GenerateSectorLocation again)",
            at.deadline, at.partition
        ),
    )
}

pub fn judge_sector(lock: &Lock, proof: &FaultProof, answer: SectorAnswer) -> ActorResult<Verdict> {
    let sector = lock
        .sector
        .as_ref()
        .ok_or_else(|| ActorError::illegal_argument("no sector evidence"))?;
    let (verdict, claimed, at) = match proof {
        FaultProof::SectorFaulty(at) => (Verdict::FaultFee, "faulty", at),
        FaultProof::SectorDead(at) => (Verdict::SlashAll, "dead", at),
        FaultProof::DealTerminated => return Err(ActorError::illegal_argument("not a sector proof")),
    };
    match answer {
        Ok(true) => Ok(verdict),
        Ok(false) => Err(ActorError::actor_specific(
            EX_NOT_PROVEN,
            format!("sector {} is not {claimed}", sector.sector_number),
        )),
        Err(code) if code == ExitCode::USR_NOT_FOUND => {
            Err(stale_location(lock.provider, sector.sector_number, at))
        }
        Err(code) if code == ExitCode::USR_ILLEGAL_ARGUMENT => {
            Err(actor_error!(illegal_argument; "the miner refused that location"))
        }
        Err(code) => Err(actor_error!(unspecified; "miner answered exit {}", code.value())),
    }
}

/// Everything a settlement asks the shell to do after the state is saved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Method-0 payments, in order.
    pub payouts: Vec<(ActorID, TokenAmount)>,
    pub outcome: Option<RecordOutcomeParams>,
    pub notify: Option<(ActorID, OnCollateralChangedParams)>,
    pub events: Vec<ActorEvent>,
    pub report: Option<ReportFaultReturn>,
}

fn outcome_for(lock: &Lock, kind: OutcomeKind, on_sector: bool) -> Option<RecordOutcomeParams> {
    let (bytes, weight) = lock.stake();
    let subject = match (&lock.deal, &lock.sector) {
        (_, Some(s)) if on_sector => Subject {
            kind: SubjectKind::Sector,
            id: s.sector_number,
        },
        (Some(d), _) => Subject {
            kind: SubjectKind::Deal,
            id: d.deal_id,
        },
        (None, Some(s)) => Subject {
            kind: SubjectKind::Sector,
            id: s.sector_number,
        },
        (None, None) => return None,
    };
    (weight > 0).then_some(RecordOutcomeParams {
        provider: lock.provider,
        subject,
        kind,
        weight,
        bytes,
    })
}

/// Takes the slash from the lock and splits it between the reporter (the caller) and the
/// beneficiary. The lock settles when nothing remains.
pub fn slash<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    lock_id: u64,
    mut lock: Lock,
    verdict: Verdict,
    proof: &FaultProof,
) -> ActorResult<Settlement> {
    let amount = match verdict {
        Verdict::SlashAll => lock.remaining.clone(),
        Verdict::FaultFee => {
            token::share_bps(&lock.original, state.policy.fault_fee_bps)?.min(lock.remaining.clone())
        }
    };
    let reward = token::share_bps(&amount, state.policy.reporter_reward_bps)?;
    let compensation = token::sub(&amount, &reward)?;
    lock.remaining = token::sub(&lock.remaining, &amount)?;
    lock.slashed = token::add(&lock.slashed, &amount)?;
    if verdict == Verdict::FaultFee {
        lock.faults_charged += 1;
        lock.last_fault_fee_at = Some(facts.epoch);
    }
    let settled = lock.remaining.is_zero();
    if settled {
        lock.status = LockStatus::Slashed;
        state.totals.locks_open -= 1;
    }
    state.totals.held = token::sub(&state.totals.held, &amount)?;
    state.totals.slashed_total = token::add(&state.totals.slashed_total, &amount)?;
    state.totals.reporter_rewards_total = token::add(&state.totals.reporter_rewards_total, &reward)?;
    let mut locks = state.locks(store)?;
    locks.set(lock_id, lock.clone())?;
    state.locks = locks.flush()?;

    let (kind, on_sector, change) = match proof {
        FaultProof::DealTerminated => (OutcomeKind::Slashed, false, CollateralChange::Slashed),
        FaultProof::SectorFaulty(_) => (OutcomeKind::Fault, true, CollateralChange::FaultFee),
        FaultProof::SectorDead(_) => (OutcomeKind::Slashed, true, CollateralChange::Slashed),
    };
    // A fault fee that emptied the lock settles it like a slash.
    let change = if settled {
        CollateralChange::Slashed
    } else {
        change
    };
    let event = EventBuilder::new(EVENT_SLASHED)
        .indexed("lock", &lock_id)
        .indexed("provider", &lock.provider)
        .field("kind", &change)
        .field("amount", &amount)
        .field("reporter", &facts.caller)
        .field("reward", &reward)
        .field("beneficiary", &lock.beneficiary)
        .field("remaining", &lock.remaining)
        .build()?;
    let mut payouts = Vec::new();
    if !reward.is_zero() {
        payouts.push((facts.caller, reward.clone()));
    }
    if !compensation.is_zero() {
        payouts.push((lock.beneficiary, compensation.clone()));
    }
    Ok(Settlement {
        payouts,
        outcome: outcome_for(&lock, kind, on_sector),
        notify: lock.notify.map(|n| {
            (
                n,
                OnCollateralChangedParams {
                    lock_id,
                    reference: lock.reference,
                    change,
                    amount: amount.clone(),
                    remaining: lock.remaining.clone(),
                    epoch: facts.epoch,
                },
            )
        }),
        events: vec![event],
        report: Some(ReportFaultReturn {
            slashed: amount,
            reporter_reward: reward,
            compensation,
            remaining: lock.remaining,
        }),
    })
}

/// The lock, if it can be released now: open, and at or after its end.
pub fn releasable_lock<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    lock_id: u64,
) -> ActorResult<Lock> {
    let lock = open_lock(store, state, lock_id)?;
    ensure!(facts.epoch >= lock.end_epoch, illegal_state;
        "lock {lock_id} can be released from epoch {}, now {}", lock.end_epoch, facts.epoch);
    Ok(lock)
}

/// At or after the end, anyone may release: the remainder goes to `refund_to`. The release is
/// reported to the registry as a completion only if the shell found the storage still there
/// (`storage`); either way the collateral goes back, since the slash window has closed.
pub fn release<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    lock_id: u64,
    mut lock: Lock,
    storage: StorageAtRelease,
) -> ActorResult<Settlement> {
    let amount = lock.remaining.clone();
    lock.released = token::add(&lock.released, &amount)?;
    lock.remaining = TokenAmount::default();
    lock.status = LockStatus::Released;
    state.totals.locks_open -= 1;
    state.totals.held = token::sub(&state.totals.held, &amount)?;
    state.totals.released_total = token::add(&state.totals.released_total, &amount)?;
    let mut locks = state.locks(store)?;
    locks.set(lock_id, lock.clone())?;
    state.locks = locks.flush()?;
    let credited = storage == StorageAtRelease::Live;
    let event = EventBuilder::new(EVENT_RELEASED)
        .indexed("lock", &lock_id)
        .indexed("provider", &lock.provider)
        .field("amount", &amount)
        .field("to", &lock.refund_to)
        .field("completed", &credited)
        .build()?;
    Ok(Settlement {
        payouts: if amount.is_zero() {
            vec![]
        } else {
            vec![(lock.refund_to, amount.clone())]
        },
        outcome: if credited {
            outcome_for(&lock, OutcomeKind::Completed, false)
        } else {
            None
        },
        notify: lock.notify.map(|n| {
            (
                n,
                OnCollateralChangedParams {
                    lock_id,
                    reference: lock.reference,
                    change: CollateralChange::Released,
                    amount,
                    remaining: TokenAmount::default(),
                    epoch: facts.epoch,
                },
            )
        }),
        events: vec![event],
        report: None,
    })
}

pub fn list<BS: Blockstore>(store: &BS, state: &State, p: &ListLocksParams) -> ActorResult<ListLocksReturn> {
    ensure!((1..=MAX_PAGE).contains(&p.limit), illegal_argument; "limit must be 1 to {MAX_PAGE}, got {}", p.limit);
    let page = state
        .by_provider(store)?
        .page(&p.provider, p.cursor, p.limit as usize)?;
    let locks = state.locks(store)?;
    let locks = page
        .entries
        .into_iter()
        .map(|(lock_id, _)| {
            let lock = locks
                .get(lock_id)?
                .cloned()
                .ok_or_else(|| actor_error!(illegal_state; "indexed lock {lock_id} missing"))?;
            Ok(GetLockReturn { lock_id, lock })
        })
        .collect::<ActorResult<Vec<_>>>()?;
    Ok(ListLocksReturn {
        locks,
        next: page.next,
    })
}

/// The books, checked over the whole state (a test and audit tool: it walks every lock).
/// `balance` is the escrow actor's balance.
/// Every failure is collected, one a line, rather than the first alone (reading the state
/// failing still stops it).
pub fn check_invariants<BS: Blockstore>(
    store: &BS,
    state: &State,
    balance: &TokenAmount,
) -> Result<(), String> {
    let mut failures = Vec::new();
    let locks = state.locks(store).map_err(|e| e.to_string())?;
    let all = locks.page(None, usize::MAX).map_err(|e| e.to_string())?.entries;
    let mut held = TokenAmount::default();
    let mut open = 0u64;
    let index = state.by_provider(store).map_err(|e| e.to_string())?;
    for (id, lock) in &all {
        let accounted = &lock.remaining + &lock.slashed + &lock.released;
        if accounted != lock.original {
            failures.push(format!(
                "lock {id}: original {} ≠ remaining + slashed + released {accounted}",
                lock.original
            ));
        }
        if lock.remaining.is_negative() || lock.slashed.is_negative() || lock.released.is_negative() {
            failures.push(format!("lock {id} has a negative amount"));
        }
        match lock.status {
            LockStatus::Open => {
                open += 1;
                held += &lock.remaining;
            }
            LockStatus::Slashed | LockStatus::Released => {
                if !lock.remaining.is_zero() {
                    failures.push(format!("settled lock {id} still holds {}", lock.remaining));
                }
                if lock.status == LockStatus::Slashed && !lock.released.is_zero() {
                    failures.push(format!("slashed lock {id} was also released"));
                }
                if lock.status == LockStatus::Released
                    && lock.released.is_zero()
                    && !lock.original.is_zero()
                    && lock.slashed != lock.original
                {
                    failures.push(format!("released lock {id} released nothing"));
                }
            }
        }
        let indexed = index.contains(&lock.provider, *id).map_err(|e| e.to_string())?;
        if !indexed {
            failures.push(format!("lock {id} is missing from f0{}'s index", lock.provider));
        }
    }
    if all.len() as u64 != state.next_lock_id || state.totals.locks_created != state.next_lock_id {
        failures.push(format!(
            "{} locks stored, {} ids issued",
            all.len(),
            state.next_lock_id
        ));
    }
    if open != state.totals.locks_open {
        failures.push(format!(
            "{open} open locks, totals say {}",
            state.totals.locks_open
        ));
    }
    if held != state.totals.held {
        failures.push(format!("locks hold {held}, totals say {}", state.totals.held));
    }
    // Plain transfers cannot be refused, so the balance may exceed what is owed, never fall short.
    if balance < &held {
        failures.push(format!(
            "locks hold {held} but the escrow's balance is only {balance}"
        ));
    }
    let paid_out = &state.totals.held + &state.totals.slashed_total + &state.totals.released_total;
    if paid_out != state.totals.locked_total {
        failures.push(format!(
            "locked {} ≠ held + slashed + released {paid_out}",
            state.totals.locked_total
        ));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}
