//! Typed helpers for stand-in storage miners: creation through init's Exec (as the power
//! actor's CreateMiner would), the operator's `Harness*` controls, and the exported getters.
//!
//! Getters answer `Result<Result<T, ExitCode>>`: the outer error is a harness failure, the
//! inner one the miner's exit code, so tests can assert refusals. Controls answer the
//! `Receipt`, so tests can `.ok()` them or check the exit code and the events.

use actor_runtime::builtin::BuiltinType;
use anyhow::{Context, Result};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::{from_slice, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, MethodNum};
use serde::de::DeserializeOwned;
pub use stand_in_miner::*;

use crate::harness::params;
use crate::{Account, Harness, Receipt};

/// The Exec message creating a miner; its receipt, so a refusal can be asserted.
pub fn exec_miner<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    creator: &Account,
    params: &ConstructorParams,
) -> Result<Receipt> {
    let code = h.code_of(BuiltinType::Miner);
    h.exec_actor(creator, code, params, TokenAmount::default())
}

/// Creates a miner (anyone may); returns its ID. The addresses may be ID or key addresses
/// of existing actors; the miner stores them as IDs.
pub fn create_miner<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    creator: &Account,
    owner: Address,
    worker: Address,
    controls: Vec<Address>,
    sector_size: u64,
) -> Result<ActorID> {
    let p = ConstructorParams {
        owner,
        worker,
        control_addresses: controls,
        sector_size,
    };
    let ret: stand_in_init::ExecReturn = exec_miner(h, creator, &p)?.ok().context("miner Exec")?.ret()?;
    Ok(ret.id_address.id()?)
}

/// The decoded answer of a message, or its exit code.
pub fn answer<T: DeserializeOwned>(r: &Receipt) -> Result<Result<T, ExitCode>> {
    if !r.is_ok() {
        return Ok(Err(r.exit_code));
    }
    r.ret().map(Ok)
}

// ---------------------------------------------------------------------------------------------
// Operator controls
// ---------------------------------------------------------------------------------------------

/// One `Harness*` control message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Control {
    Add(HarnessAddSectorParams),
    Fault(SectorNumber),
    Recover(SectorNumber),
    Terminate(SectorNumber),
    Move(HarnessMoveSectorParams),
    Compact(SectorNumber),
    Notify(HarnessNotifyParams),
}

impl Control {
    pub fn method(&self) -> MethodNum {
        match self {
            Control::Add(_) => METHOD_HARNESS_ADD_SECTOR,
            Control::Fault(_) => METHOD_HARNESS_FAULT_SECTOR,
            Control::Recover(_) => METHOD_HARNESS_RECOVER_SECTOR,
            Control::Terminate(_) => METHOD_HARNESS_TERMINATE_SECTOR,
            Control::Move(_) => METHOD_HARNESS_MOVE_SECTOR,
            Control::Compact(_) => METHOD_HARNESS_COMPACT_SECTOR,
            Control::Notify(_) => METHOD_HARNESS_NOTIFY_SECTOR_CONTENT_CHANGED,
        }
    }

    pub fn params(&self) -> RawBytes {
        let sector = |n: &SectorNumber| params(&HarnessSectorParams { sector_number: *n });
        match self {
            Control::Add(p) => params(p),
            Control::Fault(n) | Control::Recover(n) | Control::Terminate(n) | Control::Compact(n) => {
                sector(n)
            }
            Control::Move(p) => params(p),
            Control::Notify(p) => params(p),
        }
    }
}

/// Sends a control message from any account (only the operator is obeyed).
pub fn control_from<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    from: &Account,
    miner: ActorID,
    control: &Control,
) -> Result<Receipt> {
    h.send(
        from,
        Address::new_id(miner),
        control.method(),
        control.params(),
        TokenAmount::default(),
    )
}

/// Sends a control message from the operator.
pub fn control<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    control: &Control,
) -> Result<Receipt> {
    let operator = h.operator();
    control_from(h, &operator, miner, control)
}

/// Adds a sector at (deadline, partition), Active, expiring at `expiration`.
pub fn add_sector<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    sector_number: SectorNumber,
    deadline: u64,
    partition: u64,
    expiration: ChainEpoch,
) -> Result<Receipt> {
    let p = HarnessAddSectorParams {
        sector_number,
        deadline,
        partition,
        expiration,
    };
    control(h, miner, &Control::Add(p))
}

/// Puts the sector in its partition's faults set.
pub fn fault_sector<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    n: SectorNumber,
) -> Result<Receipt> {
    control(h, miner, &Control::Fault(n))
}

/// Takes a faulty sector out of the faults set.
pub fn recover_sector<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    n: SectorNumber,
) -> Result<Receipt> {
    control(h, miner, &Control::Recover(n))
}

/// Terminates the sector; the market deletes its deals that have not ended.
pub fn terminate_sector<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    n: SectorNumber,
) -> Result<Receipt> {
    control(h, miner, &Control::Terminate(n))
}

/// Moves a live sector to another (deadline, partition), as compaction does.
pub fn move_sector<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    n: SectorNumber,
    deadline: u64,
    partition: u64,
) -> Result<Receipt> {
    let p = HarnessMoveSectorParams {
        sector_number: n,
        deadline,
        partition,
    };
    control(h, miner, &Control::Move(p))
}

/// Removes a terminated sector's info, as compaction does: afterwards it is unknown.
pub fn compact_sector<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    n: SectorNumber,
) -> Result<Receipt> {
    control(h, miner, &Control::Compact(n))
}

/// Has the miner send `SectorContentChanged` to `receiver` (as after ProveCommitSectors3);
/// the answer carries the receiver's exit code and raw return.
pub fn notify_sector_content_changed<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    receiver: Address,
    sectors: SectorContentChangedParams,
) -> Result<Result<HarnessNotifyReturn, ExitCode>> {
    let r = control(
        h,
        miner,
        &Control::Notify(HarnessNotifyParams { receiver, sectors }),
    )?;
    answer(&r)
}

// ---------------------------------------------------------------------------------------------
// Getters (any caller; sent from the operator)
// ---------------------------------------------------------------------------------------------

/// A getter message with a params block, or none.
pub fn query<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    method: MethodNum,
    params: Option<RawBytes>,
) -> Result<Receipt> {
    let operator = h.operator();
    h.send(
        &operator,
        Address::new_id(miner),
        method,
        params.unwrap_or_default(),
        TokenAmount::default(),
    )
}

pub fn get_owner<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
) -> Result<Result<GetOwnerReturn, ExitCode>> {
    answer(&query(h, miner, METHOD_GET_OWNER, None)?)
}

pub fn is_controlling_address<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    address: Address,
) -> Result<Result<bool, ExitCode>> {
    let p = params(&IsControllingAddressParams { address });
    let r = query(h, miner, METHOD_IS_CONTROLLING_ADDRESS, Some(p))?;
    Ok(answer::<IsControllingAddressReturn>(&r)?.map(|r| r.is_controlling))
}

/// Bytes.
pub fn get_sector_size<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
) -> Result<Result<u64, ExitCode>> {
    let r = query(h, miner, METHOD_GET_SECTOR_SIZE, None)?;
    Ok(answer::<GetSectorSizeReturn>(&r)?.map(|r| r.sector_size))
}

pub fn get_available_balance<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
) -> Result<Result<TokenAmount, ExitCode>> {
    let r = query(h, miner, METHOD_GET_AVAILABLE_BALANCE, None)?;
    Ok(answer::<GetAvailableBalanceReturn>(&r)?.map(|r| r.available_balance))
}

/// The sector's status and location, its `aux_data` decoded.
pub fn generate_sector_location<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    sector_number: SectorNumber,
) -> Result<Result<(SectorStatusCode, SectorLocation), ExitCode>> {
    let p = params(&GenerateSectorLocationParams { sector_number });
    let r = query(h, miner, METHOD_GENERATE_SECTOR_LOCATION, Some(p))?;
    match answer::<GenerateSectorLocationReturn>(&r)? {
        Ok(ret) => {
            let location: SectorLocation = from_slice(ret.aux_data.bytes()).context("aux_data")?;
            Ok(Ok((ret.status, location)))
        }
        Err(code) => Ok(Err(code)),
    }
}

pub fn validate_sector_status<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    sector_number: SectorNumber,
    status: SectorStatusCode,
    location: SectorLocation,
) -> Result<Result<bool, ExitCode>> {
    validate_sector_status_raw(
        h,
        miner,
        ValidateSectorStatusParams::new(sector_number, status, location),
    )
}

/// With params as given (any status byte, any `aux_data`).
pub fn validate_sector_status_raw<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    p: ValidateSectorStatusParams,
) -> Result<Result<bool, ExitCode>> {
    let r = query(h, miner, METHOD_VALIDATE_SECTOR_STATUS, Some(params(&p)))?;
    Ok(answer::<ValidateSectorStatusReturn>(&r)?.map(|r| r.valid))
}

pub fn get_nominal_sector_expiration<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    sector_number: SectorNumber,
) -> Result<Result<ChainEpoch, ExitCode>> {
    let p = params(&GetNominalSectorExpirationParams { sector_number });
    let r = query(h, miner, METHOD_GET_NOMINAL_SECTOR_EXPIRATION, Some(p))?;
    Ok(answer::<GetNominalSectorExpirationReturn>(&r)?.map(|r| r.expiration))
}

/// The miner's decoded state.
pub fn state<B: Blockstore + Clone + 'static>(h: &Harness<B>, miner: ActorID) -> Result<State> {
    h.state(miner)
}
