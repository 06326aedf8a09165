//! The ProviderReputation on the devnet: deployment and sample metadata. Its calls are
//! [`suite_client::ReputationClient`]'s.

use anyhow::Result;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::address::Address;
use fvm_shared::ActorID;
use suite_interfaces::reputation::*;

use crate::{Account, Harness};

pub const PACKAGE: &str = "provider-reputation";

/// Deploys a registry administered by `admin`; returns its ID.
pub fn deploy<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    deployer: &Account,
    admin: ActorID,
) -> Result<ActorID> {
    h.deploy(
        deployer,
        PACKAGE,
        &ConstructorParams {
            admin: Address::new_id(admin),
        },
    )
}

/// Metadata that passes validation.
pub fn sample_metadata(name: &str) -> Metadata {
    Metadata {
        name: name.into(),
        region: "FR".into(),
        peer_id: vec![0x00, 0x24, 0x08, 0x01, 0x12, 0x20],
        links: vec!["https://storage.example/sp".into()],
    }
}
