//! Stand-in storage miners on the devnet: creation through init's Exec (as the power actor's
//! CreateMiner would; the worker must be a BLS account), the provider's proving declarations
//! (`DeclareFaults`, `DeclareFaultsRecovered`, from a controlling address) and the operator's
//! `Harness*` controls, among them stopping and resuming the proofs of a sector (the devnet
//! proves every other sector at its deadline's windows, in the epoch advance's cron). Each
//! answers the `Receipt` so tests can `.ok()` them or check the exit code and the events. The
//! exported getters are [`suite_client::MinerClient`]'s.

use actor_runtime::builtin::BuiltinType;
use anyhow::{Context, Result};
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::{ActorID, MethodNum};
pub use stand_in_miner::*;

use crate::harness::params;
use crate::{Account, Chain, Harness, Receipt};

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
/// of existing actors; the miner stores them as IDs. The worker must be an account with a BLS
/// key ([`crate::Harness::create_bls_account`]): any other is refused with 16.
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
    /// The provider stops proving the sector: its next window passes without a proof.
    StopProving(SectorNumber),
    ResumeProving(SectorNumber),
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
            Control::StopProving(_) => METHOD_HARNESS_STOP_PROVING,
            Control::ResumeProving(_) => METHOD_HARNESS_RESUME_PROVING,
        }
    }

    pub fn params(&self) -> RawBytes {
        let sector = |n: &SectorNumber| params(&HarnessSectorParams { sector_number: *n });
        match self {
            Control::Add(p) => params(p),
            Control::Fault(n)
            | Control::Recover(n)
            | Control::Terminate(n)
            | Control::Compact(n)
            | Control::StopProving(n)
            | Control::ResumeProving(n) => sector(n),
            Control::Move(p) => params(p),
            Control::Notify(p) => params(p),
        }
    }
}

/// Sends a control message from any account (only the operator is obeyed), on any chain.
pub fn control_from<C: Chain + ?Sized>(
    chain: &mut C,
    from: &Account,
    miner: ActorID,
    control: &Control,
) -> Result<Receipt> {
    chain.send(
        from,
        Address::new_id(miner),
        control.method(),
        control.params(),
        TokenAmount::default(),
    )
}

/// `DeclareFaults` (10) from `from` (the owner, the worker or a control address is obeyed),
/// on any chain: the sectors become Faulty now.
pub fn declare_faults<C: Chain + ?Sized>(
    chain: &mut C,
    from: &Account,
    miner: ActorID,
    faults: Vec<FaultDeclaration>,
) -> Result<Receipt> {
    chain.send(
        from,
        Address::new_id(miner),
        METHOD_DECLARE_FAULTS,
        params(&DeclareFaultsParams { faults }),
        TokenAmount::default(),
    )
}

/// `DeclareFaultsRecovered` (11) from `from`: the sectors stay Faulty until their deadline's
/// next window, where the devnet proves them unless their proofs are stopped.
pub fn declare_faults_recovered<C: Chain + ?Sized>(
    chain: &mut C,
    from: &Account,
    miner: ActorID,
    recoveries: Vec<FaultDeclaration>,
) -> Result<Receipt> {
    chain.send(
        from,
        Address::new_id(miner),
        METHOD_DECLARE_FAULTS_RECOVERED,
        params(&DeclareFaultsRecoveredParams { recoveries }),
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
    r.outcome()
}

/// The provider stops proving sector `n`: at the end of its deadline's next window it is
/// Faulty, and FAULT_MAX_AGE later terminated.
pub fn stop_proving<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    n: SectorNumber,
) -> Result<Receipt> {
    control(h, miner, &Control::StopProving(n))
}

/// The provider proves sector `n` again at its windows (a faulty sector still needs its
/// recovery declared).
pub fn resume_proving<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    miner: ActorID,
    n: SectorNumber,
) -> Result<Receipt> {
    control(h, miner, &Control::ResumeProving(n))
}

/// The last epoch of the challenge window of `deadline` at or after `epoch`: once the chain
/// has advanced past it, the window's deadline cron has run.
pub fn window_end(deadline: u64, epoch: ChainEpoch) -> ChainEpoch {
    stand_in_miner::logic::deadline_end(deadline, epoch)
}

/// The miner's decoded state.
pub fn state<B: Blockstore + Clone + 'static>(h: &Harness<B>, miner: ActorID) -> Result<State> {
    h.state(miner)
}
