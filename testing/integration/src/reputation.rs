//! The ProviderReputation helpers of the devnet (`suite_devnet::reputation`), plus the test-only
//! reporter: a relay test actor (`testing/test-actors/relay`) that forwards its owner's calls.

use anyhow::Result;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use serde::Serialize;
pub use suite_devnet::reputation::*;
use suite_devnet::{Account, Harness, Receipt};
use suite_interfaces::reputation::*;

/// A reporter: reporters must be contracts, so tests report through a relay contract that
/// forwards its owner's calls.
#[derive(Debug, Clone, Copy)]
pub struct Reporter {
    pub owner: Account,
    pub relay: ActorID,
}

/// Deploys a relay contract owned by `owner`, to be registered as a reporter.
pub fn deploy_reporter<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    owner: &Account,
) -> Result<Reporter> {
    let relay = h.deploy(owner, "test-actor-relay", &owner.id)?;
    Ok(Reporter { owner: *owner, relay })
}

/// Sends `method` to `to` through the reporter's relay (the callee sees the relay as caller).
pub fn relay<B: Blockstore + Clone + 'static, P: Serialize>(
    h: &mut Harness<B>,
    reporter: &Reporter,
    to: ActorID,
    method: u64,
    params: &P,
) -> Result<Receipt> {
    let p = test_actor_relay::RelayParams {
        to: Address::new_id(to),
        method,
        params: suite_devnet::harness::params(params),
        value: TokenAmount::default(),
    };
    h.call(
        &reporter.owner,
        reporter.relay,
        test_actor_relay::METHOD_RELAY,
        &p,
        TokenAmount::default(),
    )
}

pub fn record<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    reporter: &Reporter,
    registry: ActorID,
    p: &RecordOutcomeParams,
) -> Result<Receipt> {
    relay(h, reporter, registry, METHOD_RECORD_OUTCOME, p)
}
