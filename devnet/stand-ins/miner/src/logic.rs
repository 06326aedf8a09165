//! The miner's functional core: every method as a plain function of the blockstore, the state,
//! the message facts and the params, returning the new state or the answer. The wasm shell
//! only reads the VM, calls these and performs the sends they describe.
//!
//! What the stand-in models: one record per sector (location, nominal expiration, faulty and
//! terminated flags), which is all FIP-0112's three methods look at. It models no power, no
//! pledge, no vesting, no proving deadlines and no cron: a sector changes state only through
//! the operator's `Harness*` messages (a sector past its expiration stays Active until the
//! operator terminates it).

use actor_runtime::builtin::BuiltinType;
use actor_runtime::{actor_error, ensure, ActorError, ActorResult, Facts, Map};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::ipld_block::IpldBlock;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
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
/// `operator` asks the market who the harness operator is (called once the params are known
/// to be good).
pub fn construct<BS: Blockstore>(
    store: &BS,
    params: ConstructorParams,
    resolve: impl Fn(&Address) -> Option<ActorID>,
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
        sectors,
    })
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
    Map::load(store, &state.sectors, SECTORS)
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
    };
    ensure!(sectors.set_if_absent(&n, Some(info))?, illegal_argument; "sector number {n} already allocated");
    Ok(State {
        sectors: sectors.flush()?,
        ..state.clone()
    })
}

pub fn fault_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    params: HarnessSectorParams,
) -> ActorResult<State> {
    let n = params.sector_number;
    update(store, state, n, |info| {
        ensure!(!info.terminated, illegal_state; "sector {n} is terminated");
        ensure!(!info.faulty, illegal_state; "sector {n} is already faulty");
        Ok(Some(SectorInfo { faulty: true, ..info }))
    })
}

pub fn recover_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    params: HarnessSectorParams,
) -> ActorResult<State> {
    let n = params.sector_number;
    update(store, state, n, |info| {
        ensure!(info.faulty, illegal_state; "sector {n} is not faulty");
        Ok(Some(SectorInfo {
            faulty: false,
            ..info
        }))
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
pub fn move_sector<BS: Blockstore>(
    store: &BS,
    state: &State,
    params: HarnessMoveSectorParams,
) -> ActorResult<State> {
    let n = params.sector_number;
    check_location(params.deadline, params.partition)?;
    update(store, state, n, |info| {
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
    })
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
        construct(store, params(), resolve, || Ok(OPERATOR)).unwrap()
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
                ConstructorParams {
                    sector_size: size,
                    ..params()
                },
                resolve,
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
            assert_eq!(code(construct(&store, p, resolve, never)), 16, "size {size}");
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
            assert_eq!(code(construct(&store, p, resolve, never)), 16);
        }
        let ten = ConstructorParams {
            control_addresses: vec![Address::new_id(CONTROL); 10],
            ..params()
        };
        assert!(construct(&store, ten, resolve, || Ok(OPERATOR)).is_ok());
        // The market's failure is the constructor's failure.
        let failing = || Err(callee_failed("HarnessOperator", ExitCode::USR_UNHANDLED_MESSAGE));
        assert_eq!(code(construct(&store, params(), resolve, failing)), 22);
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
            Case::Faulty => fault_sector(store, &s, sp(SECTOR)).unwrap(),
            Case::Recovered => {
                let s = fault_sector(store, &s, sp(SECTOR)).unwrap();
                recover_sector(store, &s, sp(SECTOR)).unwrap()
            }
            Case::Terminated => terminate_sector(store, &s, &ops, sp(SECTOR)).unwrap().0,
            Case::FaultyThenTerminated => {
                let s = fault_sector(store, &s, sp(SECTOR)).unwrap();
                terminate_sector(store, &s, &ops, sp(SECTOR)).unwrap().0
            }
            Case::MovedOld | Case::MovedNew => {
                let mv = HarnessMoveSectorParams {
                    sector_number: SECTOR,
                    deadline: NEW.0,
                    partition: NEW.1,
                };
                move_sector(store, &s, mv).unwrap()
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
            assert_eq!(code(fault_sector(&store, unknown, sp(SECTOR))), 17);
            assert_eq!(code(recover_sector(&store, unknown, sp(SECTOR))), 17);
            assert_eq!(code(terminate_sector(&store, unknown, &ops, sp(SECTOR))), 17);
            assert_eq!(code(move_sector(&store, unknown, mv(1, 1))), 17);
            assert_eq!(code(compact_sector(&store, unknown, sp(SECTOR))), 17);
        }
        assert_eq!(code(fault_sector(&store, &terminated, sp(SECTOR))), 20);
        assert_eq!(code(fault_sector(&store, &faulty, sp(SECTOR))), 20);
        assert_eq!(code(recover_sector(&store, &active, sp(SECTOR))), 20);
        assert_eq!(code(recover_sector(&store, &terminated, sp(SECTOR))), 20);
        assert_eq!(code(terminate_sector(&store, &terminated, &ops, sp(SECTOR))), 20);
        assert_eq!(code(compact_sector(&store, &active, sp(SECTOR))), 20);
        assert_eq!(code(compact_sector(&store, &faulty, sp(SECTOR))), 20);
        assert_eq!(code(move_sector(&store, &terminated, mv(1, 1))), 20);
        assert_eq!(code(move_sector(&store, &active, mv(48, 0))), 16);
        assert_eq!(code(move_sector(&store, &active, mv(1, u64::MAX))), 16);
        assert_eq!(code(move_sector(&store, &active, mv(3, 0))), 16);

        // A faulty sector moves with its fault.
        let moved = move_sector(&store, &faulty, mv(1, 1)).unwrap();
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
}
