//! A CollateralEscrow `notify` target (`OnCollateralChanged`) that misbehaves on demand, to
//! prove a locker's callback can neither double-pay nor block a settlement:
//!
//! - it accepts the callback only from the escrow it was built for (exit 18 otherwise) and
//!   records every callback it got, with its params;
//! - in a re-entrant mode it calls the escrow back *during* the callback (`ReportFault` on the
//!   same lock with the proof given at construction, and/or `Release`) and records the exit
//!   code each re-entry got;
//! - in `Abort` mode it aborts with [`ABORT_EXIT`] (so nothing it did is kept);
//! - in `BurnGas` mode it loops until the callback's gas budget is gone.

use actor_runtime::method_hash;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_shared::{ActorID, MethodNum};
use suite_interfaces::escrow::{FaultProof, OnCollateralChangedParams};

pub use suite_interfaces::escrow::METHOD_ON_COLLATERAL_CHANGED;

/// Switches the mode (any caller: a test actor).
pub const METHOD_SET_MODE: MethodNum = method_hash!("SetMode");
/// The state, as a return (any caller).
pub const METHOD_GET_STATE: MethodNum = method_hash!("GetState");

/// The exit code of the `Abort` mode.
pub const ABORT_EXIT: u32 = 42;

suite_interfaces::u8_enum! {
    /// What the actor does when called back.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Mode("mode") {
        /// Record the callback and return.
        Record = 0,
        /// Record, then call `ReportFault { lock, proof }` on the escrow and record its exit.
        ReenterReport = 1,
        /// Record, then call `Release { lock }` on the escrow and record its exit.
        ReenterRelease = 2,
        /// Record, then both re-entries (report first).
        ReenterBoth = 3,
        /// Abort with `ABORT_EXIT` (the recording is rolled back with everything else).
        Abort = 4,
        /// Loop until the gas runs out.
        BurnGas = 5,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct ConstructorParams {
    /// The only caller whose callbacks count, and the actor re-entered.
    pub escrow: ActorID,
    pub mode: Mode,
    /// The proof a re-entrant `ReportFault` carries (`DealTerminated` when absent).
    pub proof: Option<FaultProof>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct SetModeParams {
    pub mode: Mode,
    pub proof: Option<FaultProof>,
}

/// One re-entry attempt and the exit code it got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Reentry {
    pub method: MethodNum,
    pub lock_id: u64,
    pub exit_code: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub escrow: ActorID,
    pub mode: Mode,
    pub proof: Option<FaultProof>,
    /// Every callback accepted, in order.
    pub callbacks: Vec<OnCollateralChangedParams>,
    /// Every re-entry attempted, in order.
    pub reentries: Vec<Reentry>,
}

impl State {
    pub fn new(p: ConstructorParams) -> Self {
        Self {
            escrow: p.escrow,
            mode: p.mode,
            proof: p.proof,
            callbacks: Vec::new(),
            reentries: Vec::new(),
        }
    }

    /// The re-entries the current mode makes after a callback, in order: `true` for
    /// `ReportFault`, `false` for `Release`.
    pub fn planned_reentries(&self) -> &'static [bool] {
        match self.mode {
            Mode::ReenterReport => &[true],
            Mode::ReenterRelease => &[false],
            Mode::ReenterBoth => &[true, false],
            Mode::Record | Mode::Abort | Mode::BurnGas => &[],
        }
    }
}

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::INIT_ACTOR_ID;
    use actor_runtime::params::{encode_params, encode_return};
    use actor_runtime::shell::Runtime;
    use actor_runtime::{ActorError, ActorResult, METHOD_CONSTRUCTOR};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_shared::address::Address;
    use fvm_shared::econ::TokenAmount;
    use suite_interfaces::escrow::{LockIdParams, ReportFaultParams, METHOD_RELEASE, METHOD_REPORT_FAULT};

    use super::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_is(&[INIT_ACTOR_ID])?;
                let p: ConstructorParams = rt.params()?;
                rt.save_state(&State::new(p))?;
                Ok(None)
            }
            METHOD_ON_COLLATERAL_CHANGED => on_collateral_changed(rt),
            METHOD_SET_MODE => {
                rt.validate_caller_any()?;
                let p: SetModeParams = rt.params()?;
                let state: State = rt.state()?;
                rt.save_state(&State {
                    mode: p.mode,
                    proof: p.proof,
                    ..state
                })?;
                Ok(None)
            }
            METHOD_GET_STATE => {
                rt.validate_caller_any()?;
                rt.no_params()?;
                encode_return(&rt.state::<State>()?)
            }
            _ => rt.unhandled("reentrant notify"),
        }
    }

    fn on_collateral_changed(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        let mut state: State = rt.state()?;
        rt.validate_caller_is(&[state.escrow])?;
        let p: OnCollateralChangedParams = rt.params()?;
        match state.mode {
            Mode::Abort => {
                return Err(ActorError::actor_specific(
                    ABORT_EXIT,
                    "reentrant notify aborts as configured",
                ))
            }
            Mode::BurnGas => burn(),
            _ => {}
        }
        let lock_id = p.lock_id;
        state.callbacks.push(p);
        // Saved before re-entering, as a careful actor would; the re-entries are appended after.
        rt.save_state(&state)?;
        let escrow = Address::new_id(state.escrow);
        for &is_report in state.planned_reentries() {
            let (method, params) = if is_report {
                let proof = state.proof.clone().unwrap_or(FaultProof::DealTerminated);
                (
                    METHOD_REPORT_FAULT,
                    encode_params(&ReportFaultParams { lock_id, proof })?,
                )
            } else {
                (METHOD_RELEASE, encode_params(&LockIdParams { lock_id })?)
            };
            let exit_code = match rt.send(&escrow, method, params, TokenAmount::default(), false) {
                Ok(r) => r.exit_code.value(),
                Err(e) => e.exit_code().value(),
            };
            state.reentries.push(Reentry {
                method,
                lock_id,
                exit_code,
            });
        }
        rt.save_state(&state)?;
        Ok(None)
    }

    /// Spins until the VM stops it for want of gas.
    fn burn() -> ! {
        let mut x: u64 = 0;
        loop {
            x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fvm_ipld_encoding::{from_slice, to_vec};
    use suite_interfaces::escrow::SectorLocation;

    #[test]
    fn params_round_trip() {
        for mode in [
            Mode::Record,
            Mode::ReenterReport,
            Mode::ReenterRelease,
            Mode::ReenterBoth,
            Mode::Abort,
            Mode::BurnGas,
        ] {
            for proof in [
                None,
                Some(FaultProof::DealTerminated),
                Some(FaultProof::SectorDead(SectorLocation {
                    deadline: 3,
                    partition: 0,
                })),
            ] {
                let p = ConstructorParams {
                    escrow: 1000,
                    mode,
                    proof,
                };
                assert_eq!(from_slice::<ConstructorParams>(&to_vec(&p).unwrap()).unwrap(), p);
            }
        }
        assert!(from_slice::<Mode>(&to_vec(&6u8).unwrap()).is_err());
    }

    #[test]
    fn only_reentrant_modes_reenter() {
        let state = |mode| {
            State::new(ConstructorParams {
                escrow: 1,
                mode,
                proof: None,
            })
        };
        assert!(state(Mode::Record).planned_reentries().is_empty());
        assert_eq!(state(Mode::ReenterReport).planned_reentries(), &[true]);
        assert_eq!(state(Mode::ReenterRelease).planned_reentries(), &[false]);
        assert_eq!(state(Mode::ReenterBoth).planned_reentries(), &[true, false]);
        assert!(state(Mode::Abort).planned_reentries().is_empty());
    }
}
