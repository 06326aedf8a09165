//! ProviderReputation's state: small root, three HAMTs.

use actor_runtime::{ActorResult, Map};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_shared::clock::ChainEpoch;
use fvm_shared::ActorID;

use crate::types::ProviderRecord;

#[derive(Debug, Clone, PartialEq, Eq, Serialize_tuple, Deserialize_tuple)]
pub struct State {
    pub admin: ActorID,
    /// Proposed by `TransferAdmin`, effective once it calls `AcceptAdmin`.
    pub pending_admin: Option<ActorID>,
    /// Reporters: ActorID → true.
    pub reporters: Cid,
    pub reporter_count: u64,
    /// Providers (miner ActorID) → record.
    pub providers: Cid,
    pub provider_count: u64,
    /// Outcomes already counted: (provider, subject, kind) key → epoch counted.
    pub outcomes: Cid,
}

pub type Reporters<BS> = Map<BS, u64, bool>;
pub type Providers<BS> = Map<BS, u64, ProviderRecord>;
pub type Outcomes<BS> = Map<BS, Vec<u8>, ChainEpoch>;

impl State {
    pub fn new<BS: Blockstore>(store: &BS, admin: ActorID) -> ActorResult<Self> {
        Ok(Self {
            admin,
            pending_admin: None,
            reporters: Reporters::empty_root(store, "reporters")?,
            reporter_count: 0,
            providers: Providers::empty_root(store, "providers")?,
            provider_count: 0,
            outcomes: Outcomes::empty_root(store, "outcomes")?,
        })
    }

    pub fn reporters<BS: Blockstore>(&self, store: BS) -> ActorResult<Reporters<BS>> {
        Map::load(store, &self.reporters, "reporters")
    }

    pub fn providers<BS: Blockstore>(&self, store: BS) -> ActorResult<Providers<BS>> {
        Map::load(store, &self.providers, "providers")
    }

    pub fn outcomes<BS: Blockstore>(&self, store: BS) -> ActorResult<Outcomes<BS>> {
        Map::load(store, &self.outcomes, "outcomes")
    }
}
