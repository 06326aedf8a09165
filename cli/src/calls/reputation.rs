//! Typed operations on the reputation registry.

use anyhow::Result;
use fvm_shared::address::Address;
use fvm_shared::ActorID;
use suite_devnet::{Account, ReputationClient};
use suite_interfaces::reputation::{self as rep, Metadata, ReputationView};

use crate::calls::*;
use crate::devnet::Devnet;

fn registry(d: &Devnet) -> ReputationClient {
    d.suite().reputation_client()
}

pub fn register_provider(
    d: &mut Devnet,
    from: &Account,
    miner_id: ActorID,
    metadata: Metadata,
) -> Result<()> {
    registry(d).register(d, from, Address::new_id(miner_id), metadata)?;
    Ok(())
}

pub fn update_metadata(d: &mut Devnet, from: &Account, miner_id: ActorID, metadata: Metadata) -> Result<()> {
    registry(d).update_metadata(d, from, Address::new_id(miner_id), metadata)?;
    Ok(())
}

pub fn reputation_of(d: &mut Devnet, provider: ActorID) -> Result<ReputationView> {
    answer(registry(d).reputation(d, Address::new_id(provider)))
}

pub fn list_providers(d: &mut Devnet) -> Result<Vec<rep::ProviderSummary>> {
    registry(d).all_providers(d, 100)
}
