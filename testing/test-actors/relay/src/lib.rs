//! A contract that forwards its owner's calls, transparently: the callee's return comes back
//! as this actor's return, and a callee's failure as this actor's abort with the same user
//! exit code. Tests use it wherever the caller must be a contract rather than an account.

use actor_runtime::method_hash;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;

pub const METHOD_RELAY: u64 = method_hash!("Relay");

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub owner: ActorID,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct RelayParams {
    pub to: Address,
    pub method: u64,
    /// CBOR params for the callee; empty for none.
    pub params: RawBytes,
    /// Forwarded from what the owner attached.
    pub value: TokenAmount,
}

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::INIT_ACTOR_ID;
    use actor_runtime::shell::Runtime;
    use actor_runtime::{actor_error, ActorError, ActorResult, METHOD_CONSTRUCTOR};
    use fvm_ipld_encoding::ipld_block::IpldBlock;

    use super::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_is(&[INIT_ACTOR_ID])?;
                let owner: ActorID = rt.params()?;
                rt.save_state(&State { owner })?;
                Ok(None)
            }
            METHOD_RELAY => {
                let state: State = rt.state()?;
                rt.validate_caller_is(&[state.owner])?;
                let p: RelayParams = rt.params()?;
                let block = actor_runtime::params::cbor_block(&p.params);
                let r = rt.send(&p.to, p.method, block, p.value, false)?;
                if r.exit_code.is_success() {
                    return Ok(r.return_data);
                }
                let message = format!(
                    "relayed call to {} failed with exit {}",
                    p.to,
                    r.exit_code.value()
                );
                Err(if r.exit_code.is_system_error() {
                    actor_error!(unspecified; "{message}")
                } else {
                    ActorError::new(r.exit_code, message)
                })
            }
            _ => rt.unhandled("relay"),
        }
    }
}
