//! The smallest useful actor: proves the harness runs real wasm end to end, and that the
//! runtime layer's glue (dispatch, caller validation, panics, events, params) behaves.

use actor_runtime::method_hash;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_shared::ActorID;

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub owner: ActorID,
    pub count: u64,
}

pub const METHOD_INCREMENT: u64 = method_hash!("Increment");
pub const METHOD_GET: u64 = method_hash!("Get");
pub const METHOD_PANIC: u64 = method_hash!("Panic");
pub const METHOD_SKIP_VALIDATION: u64 = method_hash!("SkipValidation");
pub const METHOD_VALIDATE_TWICE: u64 = method_hash!("ValidateTwice");
pub const METHOD_OWNER_ONLY_RESET: u64 = method_hash!("Reset");
pub const METHOD_EPOCH: u64 = method_hash!("Epoch");

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::INIT_ACTOR_ID;
    use actor_runtime::params::encode_return;
    use actor_runtime::shell::Runtime;
    use actor_runtime::{actor_error, ActorResult, EventBuilder, METHOD_CONSTRUCTOR};
    use fvm_ipld_encoding::ipld_block::IpldBlock;

    use super::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_is(&[INIT_ACTOR_ID])?;
                let owner: ActorID = rt.params()?;
                rt.save_state(&State { owner, count: 0 })?;
                Ok(None)
            }
            METHOD_INCREMENT => {
                rt.validate_caller_any()?;
                let by: u64 = rt.params()?;
                let mut state: State = rt.state()?;
                state.count = state
                    .count
                    .checked_add(by)
                    .ok_or_else(|| actor_error!(illegal_argument; "count would overflow"))?;
                rt.save_state(&state)?;
                rt.emit(
                    &EventBuilder::new("counter-incremented")
                        .indexed("by", &by)
                        .field("count", &state.count)
                        .build()?,
                )?;
                encode_return(&state.count)
            }
            METHOD_GET => {
                rt.validate_caller_any()?;
                rt.no_params()?;
                encode_return(&rt.state::<State>()?.count)
            }
            METHOD_OWNER_ONLY_RESET => {
                let state: State = rt.state()?;
                rt.validate_caller_is(&[state.owner])?;
                rt.no_params()?;
                rt.save_state(&State { count: 0, ..state })?;
                Ok(None)
            }
            METHOD_PANIC => {
                rt.validate_caller_any()?;
                let n: u64 = rt.params()?;
                // Overflow checks are on in the wasm profile: this panics for n > 0.
                encode_return(&(u64::MAX + n))
            }
            METHOD_EPOCH => {
                rt.validate_caller_any()?;
                rt.no_params()?;
                encode_return(&rt.facts().epoch)
            }
            METHOD_SKIP_VALIDATION => Ok(None),
            METHOD_VALIDATE_TWICE => {
                rt.validate_caller_any()?;
                rt.validate_caller_any()?;
                Ok(None)
            }
            _ => rt.unhandled("counter"),
        }
    }
}
