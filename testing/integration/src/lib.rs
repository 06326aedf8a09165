//! The scenario tests' and the benchmark's view of the devnet: `suite-devnet`'s chain and
//! its clients, with the test actors (`testing/test-actors/*`, built to wasm by this crate's
//! build script in a wasm-build invocation of their own) deployable by name on every
//! [`Harness`] made here, and the test-only support (the balance [`ledger`], the relay
//! reporter in [`reputation`]).

use std::ops::{Deref, DerefMut};
use std::rc::Rc;

use anyhow::Result;
use cid::Cid;
use fvm_ipld_blockstore::{Blockstore, MemoryBlockstore};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::{ActorID, MethodNum};
use serde::Serialize;
use stand_in_market::{DealProposal, State};
pub use suite_devnet::harness::StorageMarketPolicy;
pub use suite_devnet::{bounty, escrow, genesis, miner, storage_market};
pub use suite_devnet::{client, Account, Chain, Receipt, Snapshot};
pub use suite_devnet::{
    BountyMarketClient, EscrowClient, MinerClient, ReputationClient, StorageMarketClient,
};

pub mod actors;
pub mod invariants;
pub mod ledger;
pub mod reputation;

/// The devnet's harness module, with this crate's [`Harness`] in place of the devnet's.
pub mod harness {
    pub use crate::Harness;
    pub use suite_devnet::harness::*;
}

/// A devnet chain ([`suite_devnet::Harness`], which it derefs to) on which the test actors can
/// be deployed by package name too (`h.deploy(&from, "test-actor-counter", &params)`).
pub struct Harness<B: Blockstore + Clone + 'static = Rc<MemoryBlockstore>>(suite_devnet::Harness<B>);

impl Harness<Rc<MemoryBlockstore>> {
    /// [`suite_devnet::Harness::new`] with the test actors.
    pub fn new() -> Result<Self> {
        suite_devnet::Harness::new().map(Self::from_devnet)
    }

    /// [`suite_devnet::Harness::with_storage_market_policy`] with the test actors.
    pub fn with_storage_market_policy(policy: StorageMarketPolicy) -> Result<Self> {
        suite_devnet::Harness::with_storage_market_policy(policy).map(Self::from_devnet)
    }
}

impl<B: Blockstore + Clone + 'static> Harness<B> {
    /// [`suite_devnet::Harness::create`] with the test actors.
    pub fn create(store: B) -> Result<Self> {
        suite_devnet::Harness::create(store).map(Self::from_devnet)
    }

    /// [`suite_devnet::Harness::create_with_storage_market_policy`] with the test actors.
    pub fn create_with_storage_market_policy(store: B, policy: StorageMarketPolicy) -> Result<Self> {
        suite_devnet::Harness::create_with_storage_market_policy(store, policy).map(Self::from_devnet)
    }

    /// [`suite_devnet::Harness::resume`] with the test actors.
    pub fn resume(store: B, snapshot: &Snapshot) -> Result<Self> {
        suite_devnet::Harness::resume(store, snapshot).map(Self::from_devnet)
    }

    /// Adds the test actors to a devnet chain.
    pub fn from_devnet(mut h: suite_devnet::Harness<B>) -> Self {
        h.add_modules(actors::TEST_ACTORS);
        Self(h)
    }

    /// The devnet chain underneath.
    pub fn into_devnet(self) -> suite_devnet::Harness<B> {
        self.0
    }
}

impl<B: Blockstore + Clone + 'static> Deref for Harness<B> {
    type Target = suite_devnet::Harness<B>;

    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<B: Blockstore + Clone + 'static> DerefMut for Harness<B> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// The devnet's [`Chain`], through to the chain underneath.
impl<B: Blockstore + Clone + 'static> Chain for Harness<B> {
    fn send(
        &mut self,
        from: &Account,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> Result<Receipt> {
        Chain::send(&mut self.0, from, to, method, params, value)
    }

    fn read(&mut self, to: Address, method: MethodNum, params: RawBytes) -> Result<Receipt> {
        self.0.read(to, method, params)
    }

    fn epoch(&self) -> Result<ChainEpoch> {
        Chain::epoch(&self.0)
    }

    fn balance(&self, address: &Address) -> Result<TokenAmount> {
        Chain::balance(&self.0, address)
    }

    fn resolve(&self, address: &Address) -> Result<Option<ActorID>> {
        Chain::resolve(&self.0, address)
    }
}

/// The devnet's storage market (f05) calls on this crate's harness too. Found on [`Harness`]
/// itself (not through `DerefMut`), so a call can borrow the harness mutably while its arguments
/// still read the fixture holding it, as on the devnet's own harness.
impl<B: Blockstore + Clone + 'static> storage_market::StorageMarketExt for Harness<B> {
    fn storage_market_state(&self) -> Result<State> {
        self.0.storage_market_state()
    }

    fn storage_market_state_cid(&self) -> Result<Cid> {
        self.0.storage_market_state_cid()
    }

    fn storage_market_call<P: Serialize>(
        &mut self,
        from: &Account,
        method: MethodNum,
        p: &P,
    ) -> Result<Receipt> {
        self.0.storage_market_call(from, method, p)
    }

    fn storage_market_send_raw(
        &mut self,
        from: &Account,
        method: MethodNum,
        raw: Vec<u8>,
    ) -> Result<Receipt> {
        self.0.storage_market_send_raw(from, method, raw)
    }

    fn storage_market_operator(&mut self) -> Result<ActorID> {
        self.0.storage_market_operator()
    }

    fn publish_deal_as(&mut self, from: &Account, proposal: &DealProposal) -> Result<Receipt> {
        self.0.publish_deal_as(from, proposal)
    }

    fn publish_deal(&mut self, proposal: &DealProposal) -> Result<DealID> {
        self.0.publish_deal(proposal)
    }

    fn activate_deal_as(&mut self, from: &Account, id: DealID, sector: SectorNumber) -> Result<Receipt> {
        self.0.activate_deal_as(from, id, sector)
    }

    fn activate_deal(&mut self, id: DealID, sector: SectorNumber) -> Result<Receipt> {
        self.0.activate_deal(id, sector)
    }

    fn terminate_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt> {
        self.0.terminate_deal_as(from, id)
    }

    fn terminate_deal(&mut self, id: DealID) -> Result<Receipt> {
        self.0.terminate_deal(id)
    }

    fn settle_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt> {
        self.0.settle_deal_as(from, id)
    }

    fn settle_deal(&mut self, id: DealID) -> Result<Receipt> {
        self.0.settle_deal(id)
    }

    fn timeout_deal_as(&mut self, from: &Account, id: DealID) -> Result<Receipt> {
        self.0.timeout_deal_as(from, id)
    }

    fn timeout_deal(&mut self, id: DealID) -> Result<Receipt> {
        self.0.timeout_deal(id)
    }

    fn deal_query(&mut self, method: MethodNum, id: DealID) -> Result<Receipt> {
        self.0.deal_query(method, id)
    }
}
