//! Stand-in account actor. Its state is the FVM's own account state (the key address the VM
//! checks signatures against). Like the builtin account it answers `PubkeyAddress` and
//! `AuthenticateMessage`, and accepts any other exported method (≥ 2^24) with an empty return,
//! the universal receiver hook.
//!
//! `AuthenticateMessage` answers `true` for any well-formed params: the builtin account
//! verifies the signature against its key address, but the harness publishes deals without
//! signatures (the operator vouches for them), so there is nothing to verify. What the market
//! relies on is that an account *can* authenticate a proposal while a miner, the market or a
//! no-op actor cannot (docs/builtin-actors-interface.md §2.4).

use actor_runtime::method_hash;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;

/// The FVM's account state layout: a 1-tuple holding the key address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub address: Address,
}

pub const METHOD_PUBKEY_ADDRESS: u64 = 2;
/// FRC-42 `AuthenticateMessage` (2643134072): params [`AuthenticateMessageParams`], returns
/// a transparent bool.
pub const METHOD_AUTHENTICATE_MESSAGE: u64 = method_hash!("AuthenticateMessage");

/// `AuthenticateMessage` params: `[signature bytes, message bytes]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct AuthenticateMessageParams {
    pub signature: RawBytes,
    pub message: RawBytes,
}
/// Exported numbers start here (FRC-42).
pub const FIRST_EXPORTED_METHOD: u64 = 1 << 24;

#[cfg(any(target_arch = "wasm32", clippy))]
mod actor {
    use actor_runtime::builtin::SYSTEM_ACTOR_ID;
    use actor_runtime::params::encode_return;
    use actor_runtime::shell::Runtime;
    use actor_runtime::{ActorResult, METHOD_CONSTRUCTOR};
    use fvm_ipld_encoding::ipld_block::IpldBlock;

    use super::*;

    actor_runtime::entry_point!(dispatch);

    fn dispatch(rt: &Runtime) -> ActorResult<Option<IpldBlock>> {
        match rt.method() {
            METHOD_CONSTRUCTOR => {
                rt.validate_caller_is(&[SYSTEM_ACTOR_ID])?;
                let address: Address = rt.params()?;
                rt.save_state(&State { address })?;
                Ok(None)
            }
            METHOD_PUBKEY_ADDRESS => {
                rt.validate_caller_any()?;
                rt.no_params()?;
                let state: State = rt.state()?;
                encode_return(&state.address)
            }
            METHOD_AUTHENTICATE_MESSAGE => {
                rt.validate_caller_any()?;
                let _: AuthenticateMessageParams = rt.params()?;
                encode_return(&true)
            }
            m if m >= FIRST_EXPORTED_METHOD => {
                rt.validate_caller_any()?;
                Ok(None)
            }
            _ => rt.unhandled("account"),
        }
    }
}
