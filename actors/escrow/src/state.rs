//! CollateralEscrow's state: a small root, the locks, and a per-provider index of lock ids.

use actor_runtime::map::SetIndex;
use actor_runtime::{ActorResult, Map, Vector};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_shared::ActorID;
use suite_interfaces::escrow::{Lock, Policy, Totals};

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub reputation: ActorID,
    pub policy: Policy,
    pub next_lock_id: u64,
    /// lock id → lock (an AMT: ids are sequential).
    pub locks: Cid,
    /// provider → root of a map lock id → true (that provider's locks, for listing).
    pub by_provider: Cid,
    pub totals: Totals,
}

pub type Locks<BS> = Vector<BS, Lock>;

impl State {
    pub fn new<BS: Blockstore>(store: &BS, reputation: ActorID, policy: Policy) -> ActorResult<Self> {
        Ok(Self {
            reputation,
            policy,
            next_lock_id: 0,
            locks: Locks::empty_root(store, "locks")?,
            by_provider: Map::<_, u64, Cid>::empty_root(store, "locks by provider")?,
            totals: Totals::default(),
        })
    }

    pub fn locks<BS: Blockstore>(&self, store: BS) -> ActorResult<Locks<BS>> {
        Vector::load(store, &self.locks, "locks")
    }

    pub fn by_provider<BS: Blockstore + Clone>(&self, store: BS) -> ActorResult<SetIndex<BS, u64>> {
        SetIndex::load(store, &self.by_provider, "locks by provider")
    }
}
