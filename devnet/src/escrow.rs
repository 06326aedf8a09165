//! The CollateralEscrow on the devnet: deployment with its reputation registry, params
//! builders, and the books check the scenario tests run after each message. Its calls are
//! [`EscrowClient`]'s.

use anyhow::{anyhow, Context, Result};
use collateral_escrow::state::State;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;
use suite_interfaces::escrow::*;

use crate::{reputation, Account, Harness, Receipt};
use suite_client::{EscrowClient, ReputationClient};

pub const PACKAGE: &str = "collateral-escrow";

pub use crate::harness::message_fee;

/// A deployed registry and escrow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    pub reputation: ActorID,
    pub escrow: ActorID,
}

impl Suite {
    pub fn escrow_client(&self) -> EscrowClient {
        EscrowClient::at(self.escrow)
    }

    pub fn reputation_client(&self) -> ReputationClient {
        ReputationClient::at(self.reputation)
    }
}

/// Deploys a reputation registry administered by `admin`, then an escrow reporting to it with
/// `policy`, then has the admin register the escrow as a reporter (the design's order).
pub fn deploy<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    deployer: &Account,
    admin: &Account,
    policy: Policy,
) -> Result<Suite> {
    let registry = reputation::deploy(h, deployer, admin.id).context("deploying the registry")?;
    let escrow = deploy_escrow(h, deployer, Address::new_id(registry), policy)?;
    ReputationClient::at(registry)
        .add_reporter(h, admin, Address::new_id(escrow))?
        .ok()
        .context("AddReporter(escrow)")?;
    Ok(Suite {
        reputation: registry,
        escrow,
    })
}

/// Deploys an escrow alone; returns its ID.
pub fn deploy_escrow<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    deployer: &Account,
    reputation: Address,
    policy: Policy,
) -> Result<ActorID> {
    h.deploy(deployer, PACKAGE, &ConstructorParams { reputation, policy })
        .context("deploying the escrow")
}

/// Evidence naming a deal only.
pub fn deal_evidence(deal: DealID) -> EvidenceParams {
    EvidenceParams {
        deal: Some(deal),
        sector: None,
        sector_location: None,
    }
}

/// Evidence naming a sector only.
pub fn sector_evidence(sector: SectorNumber) -> EvidenceParams {
    EvidenceParams {
        deal: None,
        sector: Some(sector),
        sector_location: None,
    }
}

/// Lock params with ID addresses and no notify.
pub fn lock_params(
    provider: ActorID,
    beneficiary: ActorID,
    refund_to: ActorID,
    evidence: EvidenceParams,
    end_epoch: ChainEpoch,
) -> LockParams {
    LockParams {
        provider: Address::new_id(provider),
        beneficiary: Address::new_id(beneficiary),
        refund_to: Address::new_id(refund_to),
        evidence,
        end_epoch,
        notify: None,
        reference: None,
    }
}

/// The lock id a successful `Lock` returned.
pub fn lock_id(r: &Receipt) -> Result<u64> {
    Ok(r.ret::<LockReturn>().context("Lock return")?.lock_id)
}

/// The escrow's decoded state root.
pub fn state<B: Blockstore + Clone + 'static>(h: &Harness<B>, escrow: ActorID) -> Result<State> {
    h.state(escrow)
}

/// The escrow's books over its whole state (`logic::check_invariants`): every lock balances,
/// the totals match the locks, and the escrow's balance is exactly what its open locks hold.
/// Flushes first, so the check reads the blocks the last message wrote.
pub fn check_escrow_books<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    escrow: ActorID,
) -> Result<()> {
    h.flush()?;
    let state = state(h, escrow)?;
    let balance = h.balance(escrow)?;
    collateral_escrow::logic::check_invariants(h.store(), &state, &balance)
        .map_err(|e| anyhow!("escrow f0{escrow} books do not balance: {e}"))
}

/// [`check_escrow_books`], panicking with the discrepancy.
pub fn assert_escrow_books<B: Blockstore + Clone + 'static>(h: &mut Harness<B>, escrow: ActorID) {
    if let Err(e) = check_escrow_books(h, escrow) {
        panic!("{e:#}");
    }
}
