//! Typed operations on the reputation registry.

use anyhow::Result;
use fvm_shared::address::Address;
use fvm_shared::ActorID;
use suite_devnet::{Account, ReputationClient};
use suite_interfaces::reputation::{self as rep, Metadata, ReputationView};

use crate::calls::*;
use crate::session::Session;

fn registry(d: &mut Session) -> Result<ReputationClient> {
    Ok(d.suite()?.reputation_client())
}

pub fn register_provider(
    d: &mut Session,
    from: &Account,
    miner_id: ActorID,
    metadata: Metadata,
) -> Result<()> {
    registry(d)?.register(d, from, Address::new_id(miner_id), metadata)?;
    Ok(())
}

pub fn update_metadata(d: &mut Session, from: &Account, miner_id: ActorID, metadata: Metadata) -> Result<()> {
    registry(d)?.update_metadata(d, from, Address::new_id(miner_id), metadata)?;
    Ok(())
}

pub fn reputation_of(d: &mut Session, provider: ActorID) -> Result<ReputationView> {
    answer(registry(d)?.reputation(d, Address::new_id(provider)))
}

pub fn list_providers(d: &mut Session) -> Result<Vec<rep::ProviderSummary>> {
    registry(d)?.all_providers(d, 100)
}
