//! The miner's functional core: every method as a plain function of the blockstore, the state,
//! the message facts and the params, returning the new state or the answer. The wasm shell
//! only reads the VM, calls these and performs the sends they describe.
//!
//! What the stand-in models: one record per sector (location, nominal expiration, faulty,
//! recovering and terminated flags), which is all FIP-0112's three methods look at, and the
//! proving cycle in miniature: each sector's deadline `d` has a challenge window at epochs
//! `[k·2880 + 60·d, k·2880 + 60·d + 60)` of every proving period `k` (every miner's period
//! starts at epoch 0). The deadline cron at the window's last epoch ([`deadline_end`]):
//! - an Active sector whose provider does not prove it (`HarnessStopProving`) becomes Faulty
//!   (a missed WindowPoSt: nobody declares anything);
//! - a sector declared recovered (`DeclareFaultsRecovered`) becomes Active if its provider
//!   proves it, and stays Faulty otherwise (the recovery fails);
//! - a sector Faulty for FAULT_MAX_AGE (42 proving periods) is terminated, and the market told.
//!
//! The crons run in closed form over any span ([`run_deadline_crons`]: at most three events
//! per sector), so advancing a year costs what advancing a day does. It models no power, no
//! pledge, no fees, no declaration cut-offs and no expiry at the nominal expiration (a sector
//! past it stays Active until terminated).

use actor_runtime::builtin::BuiltinType;
use actor_runtime::map::BUILTIN_HAMT_BIT_WIDTH;
use actor_runtime::{actor_error, ensure, ActorError, ActorResult, Facts, Map};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;

use crate::types::*;

type Sectors<BS> = Map<BS, SectorNumber, Option<SectorInfo>>;

const SECTORS: &str = "sectors";

// ---------------------------------------------------------------------------------------------
// Constructor
// ---------------------------------------------------------------------------------------------

/// Builds the initial state. `resolve` maps an address to the ID of an existing actor;
/// `worker_key` answers the key address of an account actor (`None` if the actor is not an
/// account); `operator` asks the market who the harness operator is (called once the params
/// are known to be good).
pub fn construct<BS: Blockstore>(
    store: &BS,
    facts: &Facts,
    params: ConstructorParams,
    resolve: impl Fn(&Address) -> Option<ActorID>,
    worker_key: impl Fn(ActorID) -> ActorResult<Option<Address>>,
    operator: impl FnOnce() -> ActorResult<ActorID>,
) -> ActorResult<State> {
    ensure!(
        SECTOR_SIZES.contains(&params.sector_size),
        illegal_argument; "unsupported sector size {}", params.sector_size
    );
    ensure!(
        params.control_addresses.len() <= MAX_CONTROL_ADDRESSES,
        illegal_argument; "{} control addresses, at most {MAX_CONTROL_ADDRESSES}",
        params.control_addresses.len()
    );
    let to_id = |what: &str, a: &Address| {
        resolve(a)
            .ok_or_else(|| actor_error!(illegal_argument; "{what} address {a} does not resolve to an actor"))
    };
    let owner = to_id("owner", &params.owner)?;
    let worker = to_id("worker", &params.worker)?;
    check_worker_key(worker, worker_key(worker)?)?;
    let control_addresses = params
        .control_addresses
        .iter()
        .map(|a| to_id("control", a))
        .collect::<ActorResult<Vec<_>>>()?;
    let operator = operator()?;
    let sectors = Sectors::<&BS>::empty_root(store, SECTORS)?;
    Ok(State {
        owner,
        worker,
        control_addresses,
        sector_size: params.sector_size,
        operator,
        cron_epoch: facts.epoch,
        enrolled: None,
        sectors,
    })
}

/// The builtin miner's `resolve_worker_address`: the worker must be an account whose key is
/// BLS (exit 16 otherwise, as power's CreateMiner answers).
pub fn check_worker_key(worker: ActorID, key: Option<Address>) -> ActorResult<()> {
    let key =
        key.ok_or_else(|| actor_error!(illegal_argument; "worker actor f0{worker} must be an account"))?;
    ensure!(
        key.protocol() == fvm_shared::address::Protocol::BLS,
        illegal_argument; "worker account f0{worker} must have BLS pubkey, was {key}"
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Getters (§3.1)
// ---------------------------------------------------------------------------------------------

pub fn get_owner(state: &State) -> GetOwnerReturn {
    GetOwnerReturn {
        owner: Address::new_id(state.owner),
        proposed: None,
    }
}

/// `resolved` is the queried address's ID, `None` when it does not resolve (answer: false).
pub fn is_controlling_address(state: &State, resolved: Option<ActorID>) -> IsControllingAddressReturn {
    let is_controlling = resolved
        .is_some_and(|id| id == state.owner || id == state.worker || state.control_addresses.contains(&id));
    IsControllingAddressReturn { is_controlling }
}

pub fn get_sector_size(state: &State) -> GetSectorSizeReturn {
    GetSectorSizeReturn {
        sector_size: state.sector_size,
    }
}

/// The stand-in locks nothing (no pre-commit deposits, pledge, vesting or fee debt), so the
/// whole balance is available. The builtin answer can be lower, even negative.
pub fn available_balance(balance: TokenAmount) -> GetAvailableBalanceReturn {
    GetAvailableBalanceReturn {
        available_balance: balance,
    }
}

// ---------------------------------------------------------------------------------------------
// Sector status (§3.3)
// ---------------------------------------------------------------------------------------------

fn load<'a, BS: Blockstore>(store: &'a BS, state: &State) -> ActorResult<Sectors<&'a BS>> {
    Map::load_with_bit_width(store, &state.sectors, SECTORS, BUILTIN_HAMT_BIT_WIDTH)
}

/// The sector's info if it is "in the sectors AMT" (added and not compacted away).
fn lookup<BS: Blockstore>(sectors: &Sectors<BS>, n: SectorNumber) -> ActorResult<Option<SectorInfo>> {
    Ok(sectors.get(&n)?.cloned().flatten())
}

fn status_of(info: &SectorInfo) -> SectorStatusCode {
    if info.terminated {
        SectorStatusCode::Dead
    } else if info.faulty {
        SectorStatusCode::Faulty
    } else {
        SectorStatusCode::Active
    }
}

pub fn generate_sector_location<BS: Blockstore>(
    store: &BS,
    state: &State,
    params: GenerateSectorLocationParams,
) -> ActorResult<GenerateSectorLocationReturn> {
    let sectors = load(store, state)?;
    let (status, location) = match lookup(&sectors, params.sector_number)? {
        None => (SectorStatusCode::Dead, SectorLocation::NONE),
        Some(info) => (
            status_of(&info),
            SectorLocation::new(info.deadline, info.partition),
        ),
    };
    Ok(GenerateSectorLocationReturn {
        status,
        aux_data: location.to_aux_data(),
    })
}

/// Decodes and checks a claimed location: `None` for (-1, -1), else (deadline, partition).
fn parse_location(aux_data: &RawBytes) -> ActorResult<Option<(u64, u64)>> {
    let location: SectorLocation = fvm_ipld_encoding::from_slice(aux_data.bytes())
        .map_err(|e| actor_error!(illegal_argument; "aux_data is not a sector location: {e}"))?;
    let (d, p) = (location.deadline, location.partition);
    match (d == NO_DEADLINE, p == NO_PARTITION) {
        (true, true) => Ok(None),
        (true, false) | (false, true) => {
            Err(actor_error!(illegal_argument; "only one of deadline {d} and partition {p} is -1"))
        }
        (false, false) => {
            let deadline = u64::try_from(d)
                .ok()
                .filter(|d| *d < WPOST_PERIOD_DEADLINES)
                .ok_or_else(|| actor_error!(illegal_argument; "deadline index {d} out of range"))?;
            let partition = u64::try_from(p)
                .map_err(|_| actor_error!(illegal_argument; "partition index {p} is negative"))?;
            Ok(Some((deadline, partition)))
        }
    }
}

pub fn validate_sector_status<BS: Blockstore>(
    store: &BS,
    state: &State,
    params: ValidateSectorStatusParams,
) -> ActorResult<ValidateSectorStatusReturn> {
    let status = SectorStatusCode::try_from(params.status).map_err(ActorError::illegal_argument)?;
    let location = parse_location(&params.aux_data)?;
    let n = params.sector_number;
    let sectors = load(store, state)?;
    let info = lookup(&sectors, n)?;
    let valid = match (location, info) {
        (None, None) => status == SectorStatusCode::Dead,
        (None, Some(_)) => {
            return Err(actor_error!(not_found; "sector {n} is still in the sectors AMT, give its location"))
        }
        (Some((d, p)), Some(info)) if info.deadline == d && info.partition == p => match status {
            SectorStatusCode::Active => !info.terminated && !info.faulty,
            SectorStatusCode::Dead => info.terminated,
            SectorStatusCode::Faulty => info.faulty,
        },
        (Some((d, p)), _) => {
            return Err(actor_error!(not_found; "sector {n} is not in deadline {d} partition {p}"))
        }
    };
    Ok(ValidateSectorStatusReturn { valid })
}

/// The nominal expiration, also for a terminated sector that compaction has not removed yet.
pub fn get_nominal_sector_expiration<BS: Blockstore>(
    store: &BS,
    state: &State,
    params: GetNominalSectorExpirationParams,
) -> ActorResult<GetNominalSectorExpirationReturn> {
    let n = params.sector_number;
    let info =
        lookup(&load(store, state)?, n)?.ok_or_else(|| actor_error!(not_found; "sector {n} not found"))?;
    Ok(GetNominalSectorExpirationReturn {
        expiration: info.expiration,
    })
}

// ---------------------------------------------------------------------------------------------
// Harness controls
// ---------------------------------------------------------------------------------------------

/// Only the operator the market named may drive the sectors.
pub fn check_operator(state: &State, caller: ActorID) -> ActorResult<()> {
    ensure!(
        caller == state.operator,
        forbidden; "caller f0{caller} is not the harness operator f0{}", state.operator
    );
    Ok(())
}

/// The proving declarations come from the owner, the worker or a control address (18
/// otherwise), as the builtin's.
pub fn check_controlling(state: &State, caller: ActorID) -> ActorResult<()> {
    ensure!(
        is_controlling_address(state, Some(caller)).is_controlling,
        forbidden; "caller f0{caller} is not the owner, the worker or a control address"
    );
    Ok(())
}

/// For method numbers below 2^24: only builtin actors other than EVM may call them (18
/// otherwise), as builtin dispatch checks before looking the method up. `kind` is the
/// caller's builtin type, `None` for user actors.
pub fn require_builtin_caller(caller: ActorID, kind: Option<BuiltinType>) -> ActorResult<()> {
    ensure!(
        kind.is_some_and(|k| k != BuiltinType::Evm),
        forbidden; "caller f0{caller} of type {kind:?} may not call internal methods"
    );
    Ok(())
}

fn check_location(deadline: u64, partition: u64) -> ActorResult<()> {
    ensure!(
        deadline < WPOST_PERIOD_DEADLINES,
        illegal_argument; "deadline {deadline} out of range (< {WPOST_PERIOD_DEADLINES})"
    );
    ensure!(partition <= i64::MAX as u64, illegal_argument; "partition {partition} out of range");
    Ok(())
}

/// Loads the sector (17 if not in the AMT), lets `change` edit it, and stores the result
/// (`None` removes the info, keeping the number allocated).
fn update<BS: Blockstore>(
    store: &BS,
    state: &State,
    n: SectorNumber,
    change: impl FnOnce(SectorInfo) -> ActorResult<Option<SectorInfo>>,
) -> ActorResult<State> {
    let mut sectors = load(store, state)?;
    let info = lookup(&sectors, n)?.ok_or_else(|| actor_error!(not_found; "sector {n} not found"))?;
    sectors.set(&n, change(info)?)?;
    Ok(State {
        sectors: sectors.flush()?,
        ..state.clone()
    })
}

pub fn add_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: HarnessAddSectorParams,
) -> ActorResult<State> {
    let n = params.sector_number;
    ensure!(n <= MAX_SECTOR_NUMBER, illegal_argument; "sector number {n} out of range");
    check_location(params.deadline, params.partition)?;
    ensure!(
        params.expiration > facts.epoch,
        illegal_argument; "expiration {} is not after the current epoch {}", params.expiration, facts.epoch
    );
    let mut sectors = load(store, state)?;
    let info = SectorInfo {
        deadline: params.deadline,
        partition: params.partition,
        expiration: params.expiration,
        faulty: false,
        terminated: false,
        recovering: false,
        faulty_since: 0,
        proving: true,
    };
    ensure!(sectors.set_if_absent(&n, Some(info))?, illegal_argument; "sector number {n} already allocated");
    Ok(State {
        sectors: sectors.flush()?,
        cron_epoch: state.cron_epoch.max(facts.epoch),
        ..state.clone()
    })
}

pub fn fault_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: HarnessSectorParams,
) -> ActorResult<Changed> {
    let n = params.sector_number;
    let state = update(store, state, n, |info| {
        ensure!(!info.terminated, illegal_state; "sector {n} is terminated");
        ensure!(!info.faulty, illegal_state; "sector {n} is already faulty");
        Ok(Some(faulted(info, facts.epoch)))
    })?;
    schedule(store, state, facts, n)
}

/// Instantly Active again, as if proven now (an operator shortcut: the realistic path is
/// `DeclareFaultsRecovered` and a proof at the next window).
pub fn recover_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: HarnessSectorParams,
) -> ActorResult<Changed> {
    let n = params.sector_number;
    let state = update(store, state, n, |info| {
        ensure!(info.faulty, illegal_state; "sector {n} is not faulty");
        Ok(Some(SectorInfo {
            faulty: false,
            recovering: false,
            ..info
        }))
    })?;
    // A sector whose proving is stopped faults again at its next window: enrol that.
    schedule(store, state, facts, n)
}

/// `HarnessStopProving` (`proving: false`) / `HarnessResumeProving` (`true`): whether the
/// devnet proves the sector at its windows. 20 for a terminated sector or no change.
pub fn set_proving<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: HarnessSectorParams,
    proving: bool,
) -> ActorResult<Changed> {
    let n = params.sector_number;
    let state = update(store, state, n, |info| {
        ensure!(!info.terminated, illegal_state; "sector {n} is terminated");
        ensure!(
            info.proving != proving,
            illegal_state; "sector {n} is already {}", if proving { "proven" } else { "not proven" }
        );
        Ok(Some(SectorInfo { proving, ..info }))
    })?;
    schedule(store, state, facts, n)
}

/// What a sector becomes when its fault begins at `epoch`.
fn faulted(info: SectorInfo, epoch: ChainEpoch) -> SectorInfo {
    SectorInfo {
        faulty: true,
        recovering: false,
        faulty_since: epoch,
        ..info
    }
}

/// A state after a change, and the epoch to enrol with the market's cron when the change
/// brought the miner's next deadline event forward.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    pub state: State,
    pub enroll: Option<ChainEpoch>,
}

/// Every deadline cron before `facts.epoch` has run (the devnet runs the market's cron
/// whenever one is due before it advances), so the miner's crons are done up to here; then
/// sector `n`'s next event, enrolled if it is earlier than the one enrolled.
fn schedule<BS: Blockstore>(
    store: &BS,
    state: State,
    facts: &Facts,
    n: SectorNumber,
) -> ActorResult<Changed> {
    let cron_epoch = state.cron_epoch.max(facts.epoch);
    let info =
        lookup(&load(store, &state)?, n)?.ok_or_else(|| actor_error!(not_found; "sector {n} not found"))?;
    let next = next_event(&info, cron_epoch);
    let enroll = next.filter(|e| state.enrolled.is_none_or(|enrolled| *e < enrolled));
    Ok(Changed {
        state: State {
            cron_epoch,
            enrolled: enroll.or(state.enrolled),
            ..state
        },
        enroll,
    })
}

// ---------------------------------------------------------------------------------------------
// Proving
// ---------------------------------------------------------------------------------------------

/// The last epoch of deadline `deadline`'s challenge window at or after `epoch`: its deadline
/// cron runs at the end of it.
pub fn deadline_end(deadline: u64, epoch: ChainEpoch) -> ChainEpoch {
    let first = (deadline as ChainEpoch + 1) * WPOST_CHALLENGE_WINDOW - 1;
    if epoch <= first {
        return first;
    }
    let periods = (epoch - first + WPOST_PROVING_PERIOD - 1) / WPOST_PROVING_PERIOD;
    first + periods * WPOST_PROVING_PERIOD
}

/// The epoch of the first deadline cron at or after `from` that changes the sector, if any.
pub fn next_event(info: &SectorInfo, from: ChainEpoch) -> Option<ChainEpoch> {
    if info.terminated {
        None
    } else if info.faulty && info.recovering {
        Some(deadline_end(info.deadline, from))
    } else if info.faulty {
        let expiry = info.faulty_since.saturating_add(FAULT_MAX_AGE);
        Some(deadline_end(info.deadline, from.max(expiry)))
    } else if !info.proving {
        Some(deadline_end(info.deadline, from))
    } else {
        None
    }
}

/// The sector after every deadline cron of the epochs `from..=through`, and the epoch of the
/// cron that terminated it, if one did.
pub fn run_sector_crons(
    mut info: SectorInfo,
    mut from: ChainEpoch,
    through: ChainEpoch,
) -> (SectorInfo, Option<ChainEpoch>) {
    while let Some(at) = next_event(&info, from).filter(|at| *at <= through) {
        if info.faulty && info.recovering {
            // The window's proof covers the declared recovery, or the recovery fails.
            if info.proving {
                info = SectorInfo {
                    faulty: false,
                    recovering: false,
                    ..info
                };
            } else {
                info = SectorInfo {
                    recovering: false,
                    ..info
                };
                // A fault that reached its age at this same window ends here, not a period
                // later: look again from this window (it terminates, or the next is later).
                from = at;
                continue;
            }
        } else if info.faulty {
            return (
                SectorInfo {
                    terminated: true,
                    faulty: false,
                    recovering: false,
                    ..info
                },
                Some(at),
            );
        } else {
            // A window passed without a proof.
            info = faulted(info, at);
        }
        from = at + 1;
    }
    (info, None)
}

/// What the deadline crons did: the new state, the sectors they terminated by epoch (for the
/// market's `OnMinerSectorsTerminate`, one message per epoch, in order) and the next event to
/// enrol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronOutcome {
    pub state: State,
    pub terminated: Vec<OnMinerSectorsTerminateParams>,
    pub next: Option<ChainEpoch>,
}

/// `OnDeferredCronEvent`: every deadline cron from `state.cron_epoch` through the end of
/// `through`, sector by sector in closed form, so the work is one pass over the sectors
/// whatever the span.
pub fn run_deadline_crons<BS: Blockstore>(
    store: &BS,
    state: &State,
    through: ChainEpoch,
) -> ActorResult<CronOutcome> {
    let from = state.cron_epoch;
    let mut sectors = load(store, state)?;
    let all = sectors.page(None, usize::MAX)?.entries;
    let mut terminated: Vec<OnMinerSectorsTerminateParams> = Vec::new();
    let mut next: Option<ChainEpoch> = None;
    let after = through.max(from - 1) + 1;
    for (n, info) in all {
        let Some(info) = info else { continue };
        if info.terminated {
            continue;
        }
        let (new, ended) = run_sector_crons(info.clone(), from, through);
        if let Some(epoch) = ended {
            match terminated.iter_mut().find(|t| t.epoch == epoch) {
                Some(t) => t.sectors.push(n),
                None => terminated.push(OnMinerSectorsTerminateParams {
                    epoch,
                    sectors: vec![n],
                }),
            }
        }
        if let Some(e) = next_event(&new, after) {
            next = Some(next.map_or(e, |m| m.min(e)));
        }
        if new != info {
            sectors.set(&n, Some(new))?;
        }
    }
    terminated.sort_by_key(|t| t.epoch);
    for t in &mut terminated {
        t.sectors.sort_unstable();
    }
    Ok(CronOutcome {
        state: State {
            sectors: sectors.flush()?,
            cron_epoch: after,
            enrolled: next,
            ..state.clone()
        },
        terminated,
        next,
    })
}

/// Declarations name sectors by (deadline, partition), as the builtin's: each must be there
/// (16 otherwise: a wrong location, an unknown sector, a deadline out of range).
fn declared<BS: Blockstore>(
    sectors: &Sectors<&BS>,
    declarations: &[FaultDeclaration],
) -> ActorResult<Vec<(SectorNumber, SectorInfo)>> {
    let mut found = Vec::new();
    for d in declarations {
        check_location(d.deadline, d.partition)?;
        for &n in &d.sectors {
            let info = lookup(sectors, n)?
                .filter(|i| (i.deadline, i.partition) == (d.deadline, d.partition))
                .ok_or_else(|| {
                    actor_error!(illegal_argument; "sector {n} is not in deadline {} partition {}", d.deadline, d.partition)
                })?;
            found.push((n, info));
        }
    }
    Ok(found)
}

/// Applies `change` to every declared sector (it answers `None` to skip one, as the builtin
/// skips terminated sectors and faults already declared) and enrols the earliest new event.
fn declare<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    declarations: &[FaultDeclaration],
    change: impl Fn(&SectorInfo) -> Option<SectorInfo>,
) -> ActorResult<Changed> {
    check_controlling(state, facts.caller)?;
    let mut sectors = load(store, state)?;
    let cron_epoch = state.cron_epoch.max(facts.epoch);
    let mut earliest: Option<ChainEpoch> = None;
    for (n, info) in declared(&sectors, declarations)? {
        let Some(new) = change(&info) else { continue };
        if let Some(e) = next_event(&new, cron_epoch) {
            earliest = Some(earliest.map_or(e, |m| m.min(e)));
        }
        sectors.set(&n, Some(new))?;
    }
    let enroll = earliest.filter(|e| state.enrolled.is_none_or(|enrolled| *e < enrolled));
    Ok(Changed {
        state: State {
            sectors: sectors.flush()?,
            cron_epoch,
            enrolled: enroll.or(state.enrolled),
            ..state.clone()
        },
        enroll,
    })
}

/// `DeclareFaults` (10), from the owner, the worker or a control address: each live sector
/// not already faulty becomes Faulty now (terminated and faulty ones are skipped).
pub fn declare_faults<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: &DeclareFaultsParams,
) -> ActorResult<Changed> {
    declare(store, state, facts, &params.faults, |info| {
        if info.terminated {
            None
        } else if !info.faulty {
            Some(faulted(info.clone(), facts.epoch))
        } else if info.recovering {
            // As the builtin's Partition::record_faults: a new declaration retracts a declared
            // recovery (the fault keeps its age).
            Some(SectorInfo {
                recovering: false,
                ..info.clone()
            })
        } else {
            None
        }
    })
}

/// `DeclareFaultsRecovered` (11): each faulty sector is marked recovering and **stays
/// Faulty** until a proof at its deadline's next window (others are skipped).
pub fn declare_faults_recovered<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: &DeclareFaultsRecoveredParams,
) -> ActorResult<Changed> {
    declare(store, state, facts, &params.recoveries, |info| {
        (info.faulty && !info.recovering).then(|| SectorInfo {
            recovering: true,
            ..info.clone()
        })
    })
}

/// Terminates the sector (faulty or not) and returns what to tell the market, which deletes
/// the sector's deals. The state must be saved before that send.
pub fn terminate_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: HarnessSectorParams,
) -> ActorResult<(State, OnMinerSectorsTerminateParams)> {
    let n = params.sector_number;
    let state = update(store, state, n, |info| {
        ensure!(!info.terminated, illegal_state; "sector {n} is already terminated");
        Ok(Some(SectorInfo {
            terminated: true,
            faulty: false,
            recovering: false,
            ..info
        }))
    })?;
    Ok((
        state,
        OnMinerSectorsTerminateParams {
            epoch: facts.epoch,
            sectors: vec![n],
        },
    ))
}

/// Compaction moving a live (active or faulty) sector to another partition.
/// Its deadline events follow it: an event of the new deadline is enrolled.
pub fn move_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    params: HarnessMoveSectorParams,
) -> ActorResult<Changed> {
    let n = params.sector_number;
    check_location(params.deadline, params.partition)?;
    let state = update(store, state, n, |info| {
        ensure!(
            !info.terminated,
            illegal_state; "sector {n} is terminated: compaction removes it, not moves it"
        );
        ensure!(
            (info.deadline, info.partition) != (params.deadline, params.partition),
            illegal_argument; "sector {n} is already in deadline {} partition {}",
            info.deadline, info.partition
        );
        Ok(Some(SectorInfo {
            deadline: params.deadline,
            partition: params.partition,
            ..info
        }))
    })?;
    schedule(store, state, facts, n)
}

/// Compaction removing a terminated sector's info: afterwards the sector is unknown.
pub fn compact_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    params: HarnessSectorParams,
) -> ActorResult<State> {
    let n = params.sector_number;
    update(store, state, n, |info| {
        ensure!(info.terminated, illegal_state; "sector {n} is not terminated");
        Ok(None)
    })
}

/// What `HarnessNotifySectorContentChanged` reports of the receiver's answer.
pub fn notify_return(exit_code: ExitCode, return_data: Option<&IpldBlock>) -> HarnessNotifyReturn {
    HarnessNotifyReturn {
        exit_code,
        return_data: return_data
            .map(|b| RawBytes::new(b.data.clone()))
            .unwrap_or_default(),
    }
}

/// A callee's non-zero exit as this actor's error: its user code is kept, a system code
/// becomes USR_UNSPECIFIED (an actor may not abort with one).
pub fn callee_failed(what: &str, code: ExitCode) -> ActorError {
    let message = format!("{what} failed with exit {}", code.value());
    if code.is_system_error() || code.is_success() {
        ActorError::unspecified(message)
    } else {
        ActorError::new(code, message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_blockstore::MemoryBlockstore;
    use fvm_shared::bigint::Zero;

    const OPERATOR: ActorID = 100;
    const OWNER: ActorID = 101;
    const WORKER: ActorID = 102;
    const CONTROL: ActorID = 103;
    const STRANGER: ActorID = 104;
    const SECTOR: SectorNumber = 7;
    const EXPIRATION: i64 = 1000;

    fn facts(caller: ActorID, epoch: i64) -> Facts {
        Facts {
            caller,
            receiver: 1000,
            method: 0,
            epoch,
            value_received: TokenAmount::zero(),
        }
    }

    /// Every worker of these tests is an account with a BLS key.
    fn bls(_: ActorID) -> ActorResult<Option<Address>> {
        Ok(Some(Address::new_bls(&[7; 48]).unwrap()))
    }

    /// f0100..f0104 exist; f0999 does not.
    fn resolve(a: &Address) -> Option<ActorID> {
        a.id().ok().filter(|id| (100..=104).contains(id))
    }

    fn params() -> ConstructorParams {
        ConstructorParams {
            owner: Address::new_id(OWNER),
            worker: Address::new_id(WORKER),
            control_addresses: vec![Address::new_id(CONTROL)],
            sector_size: SECTOR_SIZE_32GIB,
        }
    }

    fn new_miner(store: &MemoryBlockstore) -> State {
        construct(store, &facts(OPERATOR, 0), params(), resolve, bls, || {
            Ok(OPERATOR)
        })
        .unwrap()
    }

    fn code<T: std::fmt::Debug>(r: ActorResult<T>) -> u32 {
        r.unwrap_err().exit_code().value()
    }

    fn add(store: &MemoryBlockstore, state: &State, n: SectorNumber, d: u64, p: u64) -> ActorResult<State> {
        let params = HarnessAddSectorParams {
            sector_number: n,
            deadline: d,
            partition: p,
            expiration: EXPIRATION,
        };
        add_sector(store, state, &facts(OPERATOR, 10), params)
    }

    fn sp(n: SectorNumber) -> HarnessSectorParams {
        HarnessSectorParams { sector_number: n }
    }

    fn validate(
        store: &MemoryBlockstore,
        state: &State,
        n: SectorNumber,
        status: SectorStatusCode,
        location: SectorLocation,
    ) -> Result<bool, u32> {
        validate_sector_status(store, state, ValidateSectorStatusParams::new(n, status, location))
            .map(|r| r.valid)
            .map_err(|e| e.exit_code().value())
    }

    fn validate_raw(store: &MemoryBlockstore, state: &State, status: u8, aux: Vec<u8>) -> u32 {
        let params = ValidateSectorStatusParams {
            sector_number: SECTOR,
            status,
            aux_data: RawBytes::new(aux),
        };
        code(validate_sector_status(store, state, params))
    }

    #[test]
    fn constructor_resolves_addresses_and_asks_for_the_operator() {
        let store = MemoryBlockstore::new();
        let state = new_miner(&store);
        assert_eq!(
            (
                state.owner,
                state.worker,
                state.control_addresses.clone(),
                state.operator
            ),
            (OWNER, WORKER, vec![CONTROL], OPERATOR)
        );
        assert_eq!(get_sector_size(&state).sector_size, 34359738368);
        assert_eq!(
            get_owner(&state),
            GetOwnerReturn {
                owner: Address::new_id(OWNER),
                proposed: None
            }
        );
        for size in SECTOR_SIZES {
            assert!(construct(
                &store,
                &facts(OPERATOR, 0),
                ConstructorParams {
                    sector_size: size,
                    ..params()
                },
                resolve,
                bls,
                || Ok(1)
            )
            .is_ok());
        }
    }

    #[test]
    fn constructor_refuses_bad_params_before_asking_the_market() {
        let store = MemoryBlockstore::new();
        let never = || -> ActorResult<ActorID> { panic!("the market must not be asked") };
        for size in [0, 1024, 4096, SECTOR_SIZE_32GIB + 1, u64::MAX] {
            let p = ConstructorParams {
                sector_size: size,
                ..params()
            };
            assert_eq!(
                code(construct(&store, &facts(OPERATOR, 0), p, resolve, bls, never)),
                16,
                "size {size}"
            );
        }
        let unknown = Address::new_id(999);
        for p in [
            ConstructorParams {
                owner: unknown,
                ..params()
            },
            ConstructorParams {
                worker: unknown,
                ..params()
            },
            ConstructorParams {
                control_addresses: vec![Address::new_id(CONTROL), unknown],
                ..params()
            },
            ConstructorParams {
                control_addresses: vec![Address::new_id(CONTROL); 11],
                ..params()
            },
        ] {
            assert_eq!(
                code(construct(&store, &facts(OPERATOR, 0), p, resolve, bls, never)),
                16
            );
        }
        let ten = ConstructorParams {
            control_addresses: vec![Address::new_id(CONTROL); 10],
            ..params()
        };
        assert!(construct(&store, &facts(OPERATOR, 0), ten, resolve, bls, || Ok(OPERATOR)).is_ok());
        // The market's failure is the constructor's failure.
        let failing = || Err(callee_failed("HarnessOperator", ExitCode::USR_UNHANDLED_MESSAGE));
        assert_eq!(
            code(construct(
                &store,
                &facts(OPERATOR, 0),
                params(),
                resolve,
                bls,
                failing
            )),
            22
        );
        assert_eq!(
            callee_failed("x", ExitCode::SYS_OUT_OF_GAS).exit_code(),
            ExitCode::USR_UNSPECIFIED
        );
    }

    #[test]
    fn controlling_addresses() {
        let store = MemoryBlockstore::new();
        let state = new_miner(&store);
        for id in [OWNER, WORKER, CONTROL] {
            assert!(is_controlling_address(&state, Some(id)).is_controlling);
        }
        for id in [OPERATOR, STRANGER, 0] {
            assert!(!is_controlling_address(&state, Some(id)).is_controlling);
        }
        assert!(!is_controlling_address(&state, None).is_controlling);
    }

    #[test]
    fn available_balance_is_the_whole_balance() {
        let b = TokenAmount::from_whole(3);
        assert_eq!(available_balance(b.clone()).available_balance, b);
    }

    #[test]
    fn only_the_operator_drives_sectors() {
        let store = MemoryBlockstore::new();
        let state = new_miner(&store);
        assert!(check_operator(&state, OPERATOR).is_ok());
        for caller in [OWNER, WORKER, CONTROL, STRANGER, 1, 5] {
            assert_eq!(code(check_operator(&state, caller)), 18);
        }
    }

    #[test]
    fn internal_methods_are_for_builtin_callers_only() {
        assert_eq!(code(require_builtin_caller(STRANGER, None)), 18);
        assert_eq!(code(require_builtin_caller(STRANGER, Some(BuiltinType::Evm))), 18);
        for kind in [
            BuiltinType::Account,
            BuiltinType::Market,
            BuiltinType::Power,
            BuiltinType::Miner,
        ] {
            assert!(require_builtin_caller(STRANGER, Some(kind)).is_ok(), "{kind:?}");
        }
        assert_eq!(FIRST_EXPORTED_METHOD, 16777216);
    }

    #[derive(Debug, Clone, Copy)]
    enum Case {
        Active,
        Faulty,
        Recovered,
        Terminated,
        FaultyThenTerminated,
        /// Queried at its old location.
        MovedOld,
        /// Queried at its new location.
        MovedNew,
        Compacted,
        NeverAdded,
    }

    const OLD: (u64, u64) = (3, 0);
    const NEW: (u64, u64) = (5, 2);

    fn setup(store: &MemoryBlockstore, case: Case) -> (State, SectorLocation) {
        let s0 = new_miner(store);
        // A neighbour in the same partition, to show the answers are per sector.
        let s0 = add(store, &s0, SECTOR + 1, OLD.0, OLD.1).unwrap();
        if let Case::NeverAdded = case {
            return (s0, SectorLocation::new(OLD.0, OLD.1));
        }
        let s = add(store, &s0, SECTOR, OLD.0, OLD.1).unwrap();
        let ops = facts(OPERATOR, 20);
        let s = match case {
            Case::Active | Case::NeverAdded => s,
            Case::Faulty => {
                fault_sector(store, &s, &facts(OPERATOR, 20), sp(SECTOR))
                    .unwrap()
                    .state
            }
            Case::Recovered => {
                let s = fault_sector(store, &s, &facts(OPERATOR, 20), sp(SECTOR))
                    .unwrap()
                    .state;
                recover_sector(store, &s, &ops, sp(SECTOR)).unwrap().state
            }
            Case::Terminated => terminate_sector(store, &s, &ops, sp(SECTOR)).unwrap().0,
            Case::FaultyThenTerminated => {
                let s = fault_sector(store, &s, &facts(OPERATOR, 20), sp(SECTOR))
                    .unwrap()
                    .state;
                terminate_sector(store, &s, &ops, sp(SECTOR)).unwrap().0
            }
            Case::MovedOld | Case::MovedNew => {
                let mv = HarnessMoveSectorParams {
                    sector_number: SECTOR,
                    deadline: NEW.0,
                    partition: NEW.1,
                };
                move_sector(store, &s, &ops, mv).unwrap().state
            }
            Case::Compacted => {
                let s = terminate_sector(store, &s, &ops, sp(SECTOR)).unwrap().0;
                compact_sector(store, &s, sp(SECTOR)).unwrap()
            }
        };
        let at = if let Case::MovedNew = case { NEW } else { OLD };
        (s, SectorLocation::new(at.0, at.1))
    }

    /// The sector-status table of docs/builtin-actors-interface.md §3.3.
    #[test]
    fn sector_status_table() {
        use SectorStatusCode::{Active as A, Dead as D, Faulty as F};
        const NF: Result<bool, u32> = Err(17);
        const T: Result<bool, u32> = Ok(true);
        const X: Result<bool, u32> = Ok(false);
        let none = SectorLocation::NONE;
        // case, GenerateSectorLocation, nominal expiration, [Dead, Active, Faulty] at the real
        // location, then at (-1, -1).
        type Answers = [Result<bool, u32>; 3];
        type Row = (
            Case,
            (SectorStatusCode, Option<(u64, u64)>),
            Result<i64, u32>,
            Answers,
            Answers,
        );
        #[rustfmt::skip]
        let table: [Row; 9] = [
            (Case::Active,               (A, Some(OLD)), Ok(EXPIRATION), [X, T, X],    [NF, NF, NF]),
            (Case::Faulty,               (F, Some(OLD)), Ok(EXPIRATION), [X, X, T],    [NF, NF, NF]),
            (Case::Recovered,            (A, Some(OLD)), Ok(EXPIRATION), [X, T, X],    [NF, NF, NF]),
            (Case::Terminated,           (D, Some(OLD)), Ok(EXPIRATION), [T, X, X],    [NF, NF, NF]),
            (Case::FaultyThenTerminated, (D, Some(OLD)), Ok(EXPIRATION), [T, X, X],    [NF, NF, NF]),
            (Case::MovedOld,             (A, Some(NEW)), Ok(EXPIRATION), [NF, NF, NF], [NF, NF, NF]),
            (Case::MovedNew,             (A, Some(NEW)), Ok(EXPIRATION), [X, T, X],    [NF, NF, NF]),
            (Case::Compacted,            (D, None),      Err(17),        [NF, NF, NF], [T, X, X]),
            (Case::NeverAdded,           (D, None),      Err(17),        [NF, NF, NF], [T, X, X]),
        ];
        for (case, (gen_status, gen_at), expiration, at_location, at_none) in table {
            let store = MemoryBlockstore::new();
            let (state, location) = setup(&store, case);

            let generated = generate_sector_location(
                &store,
                &state,
                GenerateSectorLocationParams {
                    sector_number: SECTOR,
                },
            )
            .unwrap();
            let gen_location = gen_at.map_or(none, |(d, p)| SectorLocation::new(d, p));
            assert_eq!(
                generated,
                GenerateSectorLocationReturn {
                    status: gen_status,
                    aux_data: gen_location.to_aux_data()
                },
                "{case:?}"
            );

            let got = get_nominal_sector_expiration(
                &store,
                &state,
                GetNominalSectorExpirationParams {
                    sector_number: SECTOR,
                },
            )
            .map(|r| r.expiration)
            .map_err(|e| e.exit_code().value());
            assert_eq!(got, expiration, "{case:?} expiration");

            for (i, status) in [D, A, F].into_iter().enumerate() {
                assert_eq!(
                    validate(&store, &state, SECTOR, status, location),
                    at_location[i],
                    "{case:?} {status:?} at {location:?}"
                );
                assert_eq!(
                    validate(&store, &state, SECTOR, status, none),
                    at_none[i],
                    "{case:?} {status:?} at (-1, -1)"
                );
            }
            // Whatever happened to sector 7, its neighbour is untouched.
            let neighbour = SectorLocation::new(OLD.0, OLD.1);
            assert_eq!(
                validate(&store, &state, SECTOR + 1, A, neighbour),
                T,
                "{case:?} neighbour"
            );
            // The location GenerateSectorLocation gives always validates its own status.
            let params = ValidateSectorStatusParams {
                sector_number: SECTOR,
                status: generated.status.into(),
                aux_data: generated.aux_data,
            };
            assert!(
                validate_sector_status(&store, &state, params).unwrap().valid,
                "{case:?} round trip"
            );
        }
    }

    #[test]
    fn validate_sector_status_bad_inputs() {
        let store = MemoryBlockstore::new();
        let (state, _) = setup(&store, Case::Active);
        let cbor = |d: i64, p: i64| {
            SectorLocation {
                deadline: d,
                partition: p,
            }
            .to_aux_data()
            .to_vec()
        };
        // aux_data that does not decode.
        assert_eq!(validate_raw(&store, &state, 1, vec![]), 16);
        assert_eq!(validate_raw(&store, &state, 1, vec![0xff]), 16);
        assert_eq!(validate_raw(&store, &state, 1, vec![0x81, 0x03]), 16);
        assert_eq!(validate_raw(&store, &state, 1, vec![0x82, 0x03, 0x00, 0x00]), 16);
        assert_eq!(validate_raw(&store, &state, 1, vec![0x83, 0x03, 0x00, 0x00]), 16);
        // Only one of the two is -1.
        assert_eq!(validate_raw(&store, &state, 1, cbor(-1, 0)), 16);
        assert_eq!(validate_raw(&store, &state, 1, cbor(3, -1)), 16);
        // Deadline out of range, negative indices.
        assert_eq!(validate_raw(&store, &state, 1, cbor(48, 0)), 16);
        assert_eq!(validate_raw(&store, &state, 1, cbor(i64::MAX, 0)), 16);
        assert_eq!(validate_raw(&store, &state, 1, cbor(-2, 0)), 16);
        assert_eq!(validate_raw(&store, &state, 1, cbor(3, -2)), 16);
        // Unknown status byte, even at the right location.
        assert_eq!(validate_raw(&store, &state, 3, cbor(3, 0)), 16);
        assert_eq!(validate_raw(&store, &state, 255, cbor(-1, -1)), 16);
        // Valid shape, but no such partition / wrong deadline: 17.
        assert_eq!(validate_raw(&store, &state, 1, cbor(3, 9)), 17);
        assert_eq!(validate_raw(&store, &state, 1, cbor(47, 0)), 17);
        // The control: the same sector at its real location answers.
        assert_eq!(
            validate(
                &store,
                &state,
                SECTOR,
                SectorStatusCode::Active,
                SectorLocation::new(3, 0)
            ),
            Ok(true)
        );
    }

    #[test]
    fn add_sector_checks() {
        let store = MemoryBlockstore::new();
        let state = new_miner(&store);
        let ok = HarnessAddSectorParams {
            sector_number: SECTOR,
            deadline: 47,
            partition: 0,
            expiration: 11,
        };
        let at = |epoch| facts(OPERATOR, epoch);
        assert_eq!(
            code(add_sector(
                &store,
                &state,
                &at(10),
                HarnessAddSectorParams { deadline: 48, ..ok }
            )),
            16
        );
        assert_eq!(
            code(add_sector(
                &store,
                &state,
                &at(10),
                HarnessAddSectorParams {
                    partition: u64::MAX,
                    ..ok
                }
            )),
            16
        );
        assert_eq!(code(add_sector(&store, &state, &at(11), ok)), 16);
        assert_eq!(code(add_sector(&store, &state, &at(12), ok)), 16);
        assert_eq!(
            code(add_sector(
                &store,
                &state,
                &at(10),
                HarnessAddSectorParams {
                    sector_number: u64::MAX,
                    ..ok
                }
            )),
            16
        );
        let state = add_sector(&store, &state, &at(10), ok).unwrap();
        assert_eq!(
            generate_sector_location(
                &store,
                &state,
                GenerateSectorLocationParams {
                    sector_number: SECTOR
                }
            )
            .unwrap()
            .aux_data
            .to_vec(),
            vec![0x82, 0x18, 0x2f, 0x00]
        );
        // Numbers are never reused: not while the sector lives, nor after compaction.
        assert_eq!(code(add_sector(&store, &state, &at(10), ok)), 16);
        let state = terminate_sector(&store, &state, &at(10), sp(SECTOR)).unwrap().0;
        assert_eq!(code(add_sector(&store, &state, &at(10), ok)), 16);
        let state = compact_sector(&store, &state, sp(SECTOR)).unwrap();
        assert_eq!(code(add_sector(&store, &state, &at(10), ok)), 16);
    }

    #[test]
    fn transitions_refused_in_the_wrong_state() {
        let store = MemoryBlockstore::new();
        let (active, _) = setup(&store, Case::Active);
        let (faulty, _) = setup(&store, Case::Faulty);
        let (terminated, _) = setup(&store, Case::Terminated);
        let (compacted, _) = setup(&store, Case::Compacted);
        let (never, _) = setup(&store, Case::NeverAdded);
        let ops = facts(OPERATOR, 20);
        let mv = |d, p| HarnessMoveSectorParams {
            sector_number: SECTOR,
            deadline: d,
            partition: p,
        };

        for unknown in [&compacted, &never] {
            assert_eq!(code(fault_sector(&store, unknown, &ops, sp(SECTOR))), 17);
            assert_eq!(code(recover_sector(&store, unknown, &ops, sp(SECTOR))), 17);
            assert_eq!(code(terminate_sector(&store, unknown, &ops, sp(SECTOR))), 17);
            assert_eq!(code(move_sector(&store, unknown, &ops, mv(1, 1))), 17);
            assert_eq!(code(compact_sector(&store, unknown, sp(SECTOR))), 17);
        }
        assert_eq!(code(fault_sector(&store, &terminated, &ops, sp(SECTOR))), 20);
        assert_eq!(code(fault_sector(&store, &faulty, &ops, sp(SECTOR))), 20);
        assert_eq!(code(recover_sector(&store, &active, &ops, sp(SECTOR))), 20);
        assert_eq!(code(recover_sector(&store, &terminated, &ops, sp(SECTOR))), 20);
        assert_eq!(code(terminate_sector(&store, &terminated, &ops, sp(SECTOR))), 20);
        assert_eq!(code(compact_sector(&store, &active, sp(SECTOR))), 20);
        assert_eq!(code(compact_sector(&store, &faulty, sp(SECTOR))), 20);
        assert_eq!(code(move_sector(&store, &terminated, &ops, mv(1, 1))), 20);
        assert_eq!(code(move_sector(&store, &active, &ops, mv(48, 0))), 16);
        assert_eq!(code(move_sector(&store, &active, &ops, mv(1, u64::MAX))), 16);
        assert_eq!(code(move_sector(&store, &active, &ops, mv(3, 0))), 16);

        // A faulty sector moves with its fault.
        let moved = move_sector(&store, &faulty, &ops, mv(1, 1)).unwrap().state;
        let f = SectorStatusCode::Faulty;
        assert_eq!(
            validate(&store, &moved, SECTOR, f, SectorLocation::new(1, 1)),
            Ok(true)
        );
    }

    #[test]
    fn termination_tells_the_market_the_epoch_and_the_sector() {
        let store = MemoryBlockstore::new();
        let (state, _) = setup(&store, Case::Active);
        let (_, market) = terminate_sector(&store, &state, &facts(OPERATOR, 1234), sp(SECTOR)).unwrap();
        assert_eq!(
            market,
            OnMinerSectorsTerminateParams {
                epoch: 1234,
                sectors: vec![SECTOR]
            }
        );
        // The input state is a value: terminating did not change it.
        let a = SectorStatusCode::Active;
        assert_eq!(
            validate(&store, &state, SECTOR, a, SectorLocation::new(3, 0)),
            Ok(true)
        );
    }

    #[test]
    fn notify_return_carries_the_receivers_raw_answer() {
        let block = IpldBlock {
            codec: fvm_ipld_encoding::CBOR,
            data: vec![0x81, 0x81, 0xf5],
        };
        let r = notify_return(ExitCode::OK, Some(&block));
        assert_eq!(r.return_data.to_vec(), vec![0x81, 0x81, 0xf5]);
        let decoded: SectorContentChangedReturn =
            fvm_ipld_encoding::from_slice(r.return_data.bytes()).unwrap();
        assert!(decoded.sectors[0].added[0].accepted);
        let r = notify_return(ExitCode::USR_FORBIDDEN, None);
        assert_eq!(
            (r.exit_code, r.return_data.to_vec()),
            (ExitCode::USR_FORBIDDEN, vec![])
        );
    }

    #[test]
    fn the_worker_must_be_an_account_with_a_bls_key() {
        let secp = Address::new_secp256k1(&[4; 65]).unwrap();
        let e = check_worker_key(WORKER, Some(secp)).unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
        assert!(e.message().contains("must have BLS pubkey"), "{}", e.message());
        assert_eq!(code(check_worker_key(WORKER, None)), 16);
        assert!(check_worker_key(WORKER, Some(Address::new_bls(&[1; 48]).unwrap())).is_ok());
        // Through the constructor, before the market is asked.
        let never = || -> ActorResult<ActorID> { panic!("the market must not be asked") };
        let store = MemoryBlockstore::new();
        let secp_worker = |_: ActorID| Ok(Some(secp));
        assert_eq!(
            code(construct(
                &store,
                &facts(OPERATOR, 0),
                params(),
                resolve,
                secp_worker,
                never
            )),
            16
        );
    }

    #[test]
    fn deadline_windows_end_every_proving_period() {
        assert_eq!(deadline_end(0, 0), 59);
        assert_eq!(deadline_end(0, 59), 59);
        assert_eq!(deadline_end(0, 60), 59 + 2880);
        assert_eq!(deadline_end(3, 0), 239);
        assert_eq!(deadline_end(47, 0), 2879);
        assert_eq!(deadline_end(47, 2880), 2 * 2880 - 1);
        assert_eq!(deadline_end(5, 10 * 2880 + 5 * 60 + 59), 10 * 2880 + 5 * 60 + 59);
    }

    fn active_at(deadline: u64) -> SectorInfo {
        SectorInfo {
            deadline,
            partition: 0,
            expiration: i64::MAX,
            faulty: false,
            terminated: false,
            recovering: false,
            faulty_since: 0,
            proving: true,
        }
    }

    #[test]
    fn a_missed_window_faults_and_forty_two_periods_terminate() {
        // Proven: nothing happens, however long.
        let (info, ended) = run_sector_crons(active_at(2), 0, 10 * FAULT_MAX_AGE);
        assert_eq!((info, ended), (active_at(2), None));
        // Not proven: faulty at the end of its window, terminated FAULT_MAX_AGE later.
        let stopped = SectorInfo {
            proving: false,
            ..active_at(2)
        };
        let (info, ended) = run_sector_crons(stopped.clone(), 0, 178);
        assert_eq!((info.faulty, ended), (false, None));
        let (info, ended) = run_sector_crons(stopped.clone(), 0, 179);
        assert_eq!((info.faulty, info.faulty_since, ended), (true, 179, None));
        let (_, ended) = run_sector_crons(info.clone(), 180, 179 + FAULT_MAX_AGE - 1);
        assert_eq!(ended, None);
        let (dead, ended) = run_sector_crons(info, 180, 179 + FAULT_MAX_AGE);
        assert_eq!(
            (dead.terminated, dead.faulty, ended),
            (true, false, Some(179 + FAULT_MAX_AGE))
        );
        // The same in one span.
        let (_, ended) = run_sector_crons(stopped, 0, i64::MAX / 2);
        assert_eq!(ended, Some(179 + FAULT_MAX_AGE));
    }

    #[test]
    fn a_declared_recovery_is_active_only_once_proven() {
        let faulty = faulted(active_at(1), 100);
        let recovering = SectorInfo {
            recovering: true,
            ..faulty.clone()
        };
        // Before its window ends (epoch 119 of the next period) it is still faulty.
        assert_eq!(
            run_sector_crons(recovering.clone(), 200, 2880 + 118).0,
            recovering
        );
        let (info, _) = run_sector_crons(recovering.clone(), 200, 2880 + 119);
        assert_eq!((info.faulty, info.recovering), (false, false));
        // Not proven at that window: the recovery fails, the fault keeps its age.
        let unproven = SectorInfo {
            proving: false,
            ..recovering
        };
        let (info, ended) = run_sector_crons(unproven.clone(), 200, 2880 + 119);
        assert_eq!(
            (info.faulty, info.recovering, info.faulty_since, ended),
            (true, false, 100, None)
        );
        let (_, ended) = run_sector_crons(unproven, 200, i64::MAX / 2);
        assert_eq!(ended, Some(deadline_end(1, 100 + FAULT_MAX_AGE)));
    }

    #[test]
    fn declarations_come_from_controlling_addresses_and_name_the_partition() {
        let store = MemoryBlockstore::new();
        let s = add(&store, &new_miner(&store), SECTOR, 3, 0).unwrap();
        let decl = |deadline, partition| DeclareFaultsParams {
            faults: vec![FaultDeclaration {
                deadline,
                partition,
                sectors: vec![SECTOR],
            }],
        };
        for caller in [OPERATOR, STRANGER] {
            assert_eq!(
                code(declare_faults(&store, &s, &facts(caller, 30), &decl(3, 0))),
                18
            );
        }
        assert_eq!(
            code(declare_faults(&store, &s, &facts(WORKER, 30), &decl(3, 1))),
            16
        );
        assert_eq!(
            code(declare_faults(&store, &s, &facts(WORKER, 30), &decl(48, 0))),
            16
        );
        let faulty = declare_faults(&store, &s, &facts(WORKER, 30), &decl(3, 0)).unwrap();
        // It enrols the fault's expiry.
        assert_eq!(faulty.enroll, Some(deadline_end(3, 30 + FAULT_MAX_AGE)));
        let f = SectorStatusCode::Faulty;
        assert_eq!(
            validate(&store, &faulty.state, SECTOR, f, SectorLocation::new(3, 0)),
            Ok(true)
        );
        let recoveries = DeclareFaultsRecoveredParams {
            recoveries: decl(3, 0).faults,
        };
        let recovering =
            declare_faults_recovered(&store, &faulty.state, &facts(OWNER, 40), &recoveries).unwrap();
        // Declared, not proven: still Faulty; its window's cron is enrolled.
        assert_eq!(recovering.enroll, Some(239));
        assert_eq!(
            validate(&store, &recovering.state, SECTOR, f, SectorLocation::new(3, 0)),
            Ok(true)
        );
        let done = run_deadline_crons(&store, &recovering.state, 239).unwrap();
        let a = SectorStatusCode::Active;
        assert_eq!(
            validate(&store, &done.state, SECTOR, a, SectorLocation::new(3, 0)),
            Ok(true)
        );
        assert_eq!(
            (done.next, done.state.cron_epoch, done.terminated.len()),
            (None, 240, 0)
        );
    }

    #[test]
    fn a_recovery_failing_at_the_faults_last_window_terminates_there() {
        let faulty = faulted(active_at(1), 100);
        let last = deadline_end(1, 100 + FAULT_MAX_AGE);
        let unproven = SectorInfo {
            recovering: true,
            proving: false,
            ..faulty
        };
        // The recovery's window is the fault's last one: it fails and the sector ends there,
        // not a proving period later.
        let (dead, ended) = run_sector_crons(unproven, last - 10, last);
        assert_eq!((dead.terminated, ended), (true, Some(last)));
    }

    #[test]
    fn a_new_fault_declaration_retracts_a_declared_recovery() {
        let store = MemoryBlockstore::new();
        let s = add(&store, &new_miner(&store), SECTOR, 3, 0).unwrap();
        let faults = vec![FaultDeclaration {
            deadline: 3,
            partition: 0,
            sectors: vec![SECTOR],
        }];
        let declare = DeclareFaultsParams {
            faults: faults.clone(),
        };
        let recover = DeclareFaultsRecoveredParams { recoveries: faults };
        let s = declare_faults(&store, &s, &facts(WORKER, 30), &declare)
            .unwrap()
            .state;
        let s = declare_faults_recovered(&store, &s, &facts(WORKER, 31), &recover)
            .unwrap()
            .state;
        let s = declare_faults(&store, &s, &facts(WORKER, 32), &declare)
            .unwrap()
            .state;
        // Its window passes with a proof, yet no recovery is declared any more: still Faulty,
        // from the first declaration.
        let done = run_deadline_crons(&store, &s, 239).unwrap();
        let f = SectorStatusCode::Faulty;
        assert_eq!(
            validate(&store, &done.state, SECTOR, f, SectorLocation::new(3, 0)),
            Ok(true)
        );
        let info = lookup(&load(&store, &done.state).unwrap(), SECTOR)
            .unwrap()
            .unwrap();
        assert_eq!((info.faulty_since, info.recovering), (30, false));
    }

    #[test]
    fn an_instant_recovery_of_an_unproven_sector_enrols_its_next_window() {
        let store = MemoryBlockstore::new();
        let ops = facts(OPERATOR, 20);
        let s = add(&store, &new_miner(&store), SECTOR, 3, 0).unwrap();
        let s = set_proving(&store, &s, &ops, sp(SECTOR), false).unwrap().state;
        let s = fault_sector(&store, &s, &ops, sp(SECTOR)).unwrap().state;
        let s = State { enrolled: None, ..s };
        let recovered = recover_sector(&store, &s, &ops, sp(SECTOR)).unwrap();
        // Active now, and its window (still unproven) is enrolled: it faults again at 239.
        assert_eq!(recovered.enroll, Some(239));
        let done = run_deadline_crons(&store, &recovered.state, 239).unwrap();
        let f = SectorStatusCode::Faulty;
        assert_eq!(
            validate(&store, &done.state, SECTOR, f, SectorLocation::new(3, 0)),
            Ok(true)
        );
    }
}
