//! Typed helpers for the ProviderReputation actor.

use anyhow::Result;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;
use serde::Serialize;
use suite_interfaces::reputation::*;

use crate::{Account, Harness, Receipt};

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

/// Sends `method` with CBOR params and no value.
pub fn send<B: Blockstore + Clone + 'static, P: Serialize>(
    h: &mut Harness<B>,
    from: &Account,
    registry: ActorID,
    method: u64,
    params: &P,
) -> Result<Receipt> {
    h.call(from, registry, method, params, TokenAmount::default())
}

pub fn add_reporter<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    admin: &Account,
    registry: ActorID,
    reporter: ActorID,
) -> Result<Receipt> {
    send(
        h,
        admin,
        registry,
        METHOD_ADD_REPORTER,
        &AddressParams {
            address: Address::new_id(reporter),
        },
    )
}

pub fn register<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    caller: &Account,
    registry: ActorID,
    miner: ActorID,
    metadata: Metadata,
) -> Result<Receipt> {
    let p = RegisterProviderParams {
        miner: Address::new_id(miner),
        metadata,
    };
    send(h, caller, registry, METHOD_REGISTER_PROVIDER, &p)
}

pub fn reputation<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    caller: &Account,
    registry: ActorID,
    provider: ActorID,
) -> Result<Result<ReputationView, ExitCode>> {
    let r = send(
        h,
        caller,
        registry,
        METHOD_GET_REPUTATION,
        &GetReputationParams {
            provider: Address::new_id(provider),
        },
    )?;
    r.outcome()
}

pub fn scores<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    caller: &Account,
    registry: ActorID,
    providers: Vec<ActorID>,
) -> Result<Vec<u16>> {
    let r = send(
        h,
        caller,
        registry,
        METHOD_GET_SCORES,
        &GetScoresParams { providers },
    )?;
    Ok(r.ok()?.ret::<GetScoresReturn>()?.scores)
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
