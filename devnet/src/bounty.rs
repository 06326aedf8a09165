//! The BountyMarket on the devnet: deployment of the whole suite in the design's order, params
//! builders, and the books check the scenario tests run after each message (the market's own
//! `logic::check_invariants`, plus the escrow's). Its calls are [`BountyMarketClient`]'s.

use anyhow::{anyhow, Context, Result};
use bounty_market::state::State;
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::address::Address;
use fvm_shared::deal::DealID;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;
use suite_interfaces::bounty::*;
use suite_interfaces::escrow::{Policy, SectorLocation};

use crate::{escrow, reputation, Account, Chain, Harness, Receipt};
use suite_client::{BountyMarketClient, EscrowClient, ReputationClient, StorageMarketClient};

pub const PACKAGE: &str = "bounty-market";

/// A deployed suite: registry, escrow and market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    pub reputation: ActorID,
    pub escrow: ActorID,
    pub market: ActorID,
}

impl Suite {
    pub fn market_client(&self) -> BountyMarketClient {
        BountyMarketClient::at(self.market)
    }

    pub fn escrow_client(&self) -> EscrowClient {
        EscrowClient::at(self.escrow)
    }

    pub fn reputation_client(&self) -> ReputationClient {
        ReputationClient::at(self.reputation)
    }
}

/// Deploys the suite in the design's order: a registry administered by `admin`, an escrow
/// reporting to it with `policy`, a market using both with `market_policy`; then the admin
/// registers the escrow and the market as reporters.
pub fn deploy<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    deployer: &Account,
    admin: &Account,
    policy: Policy,
    market_policy: MarketPolicy,
) -> Result<Suite> {
    let registry = reputation::deploy(h, deployer, admin.id).context("deploying the registry")?;
    let escrow = escrow::deploy_escrow(h, deployer, Address::new_id(registry), policy)?;
    let market = deploy_market(
        h,
        deployer,
        Address::new_id(escrow),
        Address::new_id(registry),
        market_policy,
    )?;
    let registry_client = ReputationClient::at(registry);
    registry_client
        .add_reporter(h, admin, Address::new_id(escrow))?
        .ok()
        .context("AddReporter(escrow)")?;
    registry_client
        .add_reporter(h, admin, Address::new_id(market))?
        .ok()
        .context("AddReporter(market)")?;
    Ok(Suite {
        reputation: registry,
        escrow,
        market,
    })
}

/// Deploys a market alone; returns its ID.
pub fn deploy_market<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    deployer: &Account,
    escrow: Address,
    reputation: Address,
    policy: MarketPolicy,
) -> Result<ActorID> {
    let p = ConstructorParams {
        escrow,
        reputation,
        policy,
    };
    h.deploy(deployer, PACKAGE, &p).context("deploying the market")
}

/// The bounty id a successful `PostBounty` returned.
pub fn bounty_id(r: &Receipt) -> Result<u64> {
    r.ret().context("PostBounty return")
}

/// Claim params with ID addresses.
pub fn claim_params(
    bounty_id: u64,
    provider: ActorID,
    deal_id: DealID,
    sector: SectorNumber,
    sector_location: Option<SectorLocation>,
) -> ClaimBountyParams {
    ClaimBountyParams {
        bounty_id,
        provider: Address::new_id(provider),
        deal_id,
        sector,
        sector_location,
    }
}

/// The sector f05 says holds `deal` (what a provider's tooling reads before claiming), or 0
/// when f05 knows none (a deal not activated or gone), which the escrow then refuses as it
/// refuses the deal.
pub fn deal_sector<C: Chain + ?Sized>(chain: &mut C, deal: DealID) -> Result<SectorNumber> {
    Ok(StorageMarketClient::new().deal_sector(chain, deal)?.unwrap_or(0))
}

/// The DDO notification of one sector with one piece whose payload names `bounty_id` (the
/// CBOR of the id, what the market reads), as a miner sends it to the market after
/// activating the piece in `sector`, committed until `committed_until`.
pub fn ddo_activation(
    sector: SectorNumber,
    committed_until: fvm_shared::clock::ChainEpoch,
    piece_cid: Cid,
    piece_size: u64,
    bounty_id: u64,
) -> crate::miner::SectorContentChangedParams {
    crate::miner::SectorContentChangedParams {
        sectors: vec![crate::miner::SectorChanges {
            sector,
            minimum_commitment_epoch: committed_until,
            added: vec![crate::miner::PieceChange {
                data: piece_cid,
                size: fvm_shared::piece::PaddedPieceSize(piece_size),
                payload: ddo_payload(bounty_id),
            }],
        }],
    }
}

/// List params.
pub fn list_params(
    client: Option<ActorID>,
    piece_cid: Option<Cid>,
    cursor: Option<u64>,
    limit: u32,
) -> ListBountiesParams {
    ListBountiesParams {
        client,
        piece_cid,
        cursor,
        limit,
    }
}

/// The market's decoded state root.
pub fn state<B: Blockstore + Clone + 'static>(h: &Harness<B>, market: ActorID) -> Result<State> {
    h.state(market)
}

/// The market's books over its whole state (`logic::check_invariants`): what the state owes
/// equals Σ pools + Σ refundables + Σ (entitled − paid) of claims, every claim is consistent
/// with its bounty's slots, and the market's balance covers what it owes. Flushes first, so
/// the check reads the blocks the last message wrote.
pub fn check_market_books<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    market: ActorID,
) -> Result<()> {
    h.flush()?;
    let state = state(h, market)?;
    let balance = h.balance(market)?;
    bounty_market::logic::check_invariants(h.store(), &state, &balance)
        .map_err(|e| anyhow!("market f0{market} books do not balance: {e}"))
}

/// [`check_market_books`], panicking with the discrepancy.
pub fn assert_market_books<B: Blockstore + Clone + 'static>(h: &mut Harness<B>, market: ActorID) {
    if let Err(e) = check_market_books(h, market) {
        panic!("{e:#}");
    }
}

/// Both books of a suite: the market's and the escrow's.
pub fn assert_suite_books<B: Blockstore + Clone + 'static>(h: &mut Harness<B>, suite: &Suite) {
    assert_market_books(h, suite.market);
    escrow::assert_escrow_books(h, suite.escrow);
}
