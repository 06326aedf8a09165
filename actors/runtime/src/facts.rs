//! The explicit facts a method runs on. The shell reads them from the VM; host tests write
//! them by hand, so actor logic can be tested as plain state transitions.

use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::{ActorID, MethodNum};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    /// The immediate caller.
    pub caller: ActorID,
    /// This actor.
    pub receiver: ActorID,
    pub method: MethodNum,
    pub epoch: ChainEpoch,
    /// FIL attached to this call (already in this actor's balance).
    pub value_received: TokenAmount,
}
