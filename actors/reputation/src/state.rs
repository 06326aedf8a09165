//! ProviderReputation's state: small root, three HAMTs.

use actor_runtime::{ActorResult, Map};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_ipld_encoding::tuple::{Deserialize_tuple, Serialize_tuple};
use fvm_shared::ActorID;

use crate::types::{ProviderRecord, Registration};

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
    /// Registered providers → registration (metadata).
    pub registrations: Cid,
    /// Outcomes already counted: (provider, subject, kind) key → the largest weight counted
    /// for it (a later report of the same subject counts only what exceeds it).
    pub outcomes: Cid,
}

pub type Reporters<BS> = Map<BS, u64, bool>;
pub type Providers<BS> = Map<BS, u64, ProviderRecord>;
pub type Registrations<BS> = Map<BS, u64, Registration>;
pub type Outcomes<BS> = Map<BS, Vec<u8>, u64>;

impl State {
    pub fn new<BS: Blockstore>(store: &BS, admin: ActorID) -> ActorResult<Self> {
        // Every map starts as the same empty HAMT root.
        let empty = Reporters::empty_root(store, "reporters")?;
        Ok(Self {
            admin,
            pending_admin: None,
            reporters: empty,
            reporter_count: 0,
            providers: empty,
            provider_count: 0,
            registrations: empty,
            outcomes: empty,
        })
    }

    pub fn reporters<BS: Blockstore>(&self, store: BS) -> ActorResult<Reporters<BS>> {
        Map::load(store, &self.reporters, "reporters")
    }

    pub fn providers<BS: Blockstore>(&self, store: BS) -> ActorResult<Providers<BS>> {
        Map::load(store, &self.providers, "providers")
    }

    pub fn registrations<BS: Blockstore>(&self, store: BS) -> ActorResult<Registrations<BS>> {
        Map::load(store, &self.registrations, "registrations")
    }

    pub fn outcomes<BS: Blockstore>(&self, store: BS) -> ActorResult<Outcomes<BS>> {
        Map::load(store, &self.outcomes, "outcomes")
    }
}
