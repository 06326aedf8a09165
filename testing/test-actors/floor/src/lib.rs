//! The benchmark's floor: the least a flow of the suite could cost. `Run` loads the state
//! root, saves a new one if the script says so, then makes the script's sends in order: the
//! same builtin queries with the same params, the same method-0 payments, and, where the suite
//! calls one of its own actors, a `Run` of another floor instance with that actor's script.
//! No checks, no HAMTs, no events: what is left is what any implementation must pay.

use actor_runtime::method_hash;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::MethodNum;

pub const METHOD_RUN: MethodNum = method_hash!("Run");

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    /// Bumped by every saving run, so that each save writes a new root.
    pub runs: u64,
}

/// What one actor invocation of a flow does, reduced to its unavoidable work.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize_tuple, Deserialize_tuple)]
pub struct Script {
    /// Whether the actor changes its state (writes a new state root).
    pub save: bool,
    pub steps: Vec<Step>,
}

/// One send of a script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct Step {
    pub to: Address,
    pub method: MethodNum,
    /// The params block's codec (0: no params) and bytes.
    pub codec: u64,
    pub params: RawBytes,
    pub value: TokenAmount,
    pub read_only: bool,
    pub gas_limit: Option<u64>,
    /// `to` is a floor standing in for a suite actor: send it `Run` with this script instead
    /// of `method` and `params`.
    pub nested: Option<Script>,
}

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::INIT_ACTOR_ID;
    use actor_runtime::shell::Runtime;
    use actor_runtime::{actor_error, ActorResult, METHOD_CONSTRUCTOR};
    use fvm_ipld_encoding::ipld_block::IpldBlock;
    use fvm_shared::sys::SendFlags;

    use super::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_is(&[INIT_ACTOR_ID])?;
                rt.save_state(&State { runs: 0 })?;
                Ok(None)
            }
            METHOD_RUN => {
                rt.validate_caller_any()?;
                let script: Script = rt.params()?;
                let mut state: State = rt.state()?;
                if script.save {
                    state.runs += 1;
                    rt.save_state(&state)?;
                }
                for step in script.steps {
                    let (method, params) = match step.nested {
                        Some(nested) => (
                            METHOD_RUN,
                            Some(IpldBlock::serialize_cbor(&nested)?.unwrap_or_default()),
                        ),
                        None => (
                            step.method,
                            (step.codec != 0).then(|| IpldBlock {
                                codec: step.codec,
                                data: step.params.into(),
                            }),
                        ),
                    };
                    let flags = if step.read_only {
                        SendFlags::READ_ONLY
                    } else {
                        SendFlags::empty()
                    };
                    // The floor judges nothing: a callee's exit code is ignored, as the
                    // suite's best-effort sends and classified queries would handle it.
                    fvm_sdk::send::send(&step.to, method, params, step.value, step.gas_limit, flags)
                        .map_err(|e| actor_error!(unspecified; "send to {}: {e}", step.to))?;
                }
                Ok(None)
            }
            _ => rt.unhandled("floor"),
        }
    }
}
