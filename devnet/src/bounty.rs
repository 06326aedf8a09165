//! Typed helpers for the BountyMarket actor: deployment of the whole suite in the design's
//! order, every method, and the books check the scenario tests run after each message (the
//! market's own `logic::check_invariants`, plus the escrow's).
//!
//! Messages answer their `Receipt` (so tests can check the exit code, gas and events);
//! getters answer `Result<Result<T, ExitCode>>` like the other helpers.

use anyhow::{anyhow, Context, Result};
use bounty_market::state::State;
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::address::Address;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;
use suite_interfaces::bounty::*;
use suite_interfaces::escrow::{Policy, SectorLocation};

use crate::{escrow, reputation, Account, Harness, Receipt};

pub const PACKAGE: &str = "bounty-market";

/// A deployed suite: registry, escrow and market.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suite {
    pub reputation: ActorID,
    pub escrow: ActorID,
    pub market: ActorID,
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
    reputation::add_reporter(h, admin, registry, escrow)?
        .ok()
        .context("AddReporter(escrow)")?;
    reputation::add_reporter(h, admin, registry, market)?
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

/// `PostBounty` with `value` (replicas × reward_per_replica for a valid post).
pub fn post<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    from: &Account,
    market: ActorID,
    p: &PostBountyParams,
    value: TokenAmount,
) -> Result<Receipt> {
    h.call(from, market, METHOD_POST_BOUNTY, p, value)
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
    sector_location: Option<SectorLocation>,
) -> ClaimBountyParams {
    ClaimBountyParams {
        bounty_id,
        provider: Address::new_id(provider),
        deal_id,
        sector_location,
    }
}

/// `ClaimBounty` with `value` (the bounty's collateral_per_replica for a valid claim).
pub fn claim<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    from: &Account,
    market: ActorID,
    p: &ClaimBountyParams,
    value: TokenAmount,
) -> Result<Receipt> {
    h.call(from, market, METHOD_CLAIM_BOUNTY, p, value)
}

/// `Withdraw` for `provider` (a miner).
pub fn withdraw<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    from: &Account,
    market: ActorID,
    provider: ActorID,
) -> Result<Receipt> {
    let p = ProviderParams {
        provider: Address::new_id(provider),
    };
    h.call(from, market, METHOD_WITHDRAW, &p, TokenAmount::default())
}

pub fn cancel<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    from: &Account,
    market: ActorID,
    bounty_id: u64,
) -> Result<Receipt> {
    h.call(
        from,
        market,
        METHOD_CANCEL_BOUNTY,
        &IdParams { id: bounty_id },
        TokenAmount::default(),
    )
}

pub fn reclaim<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    from: &Account,
    market: ActorID,
    bounty_id: u64,
) -> Result<Receipt> {
    h.call(
        from,
        market,
        METHOD_RECLAIM,
        &IdParams { id: bounty_id },
        TokenAmount::default(),
    )
}

pub fn get_bounty<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    caller: &Account,
    market: ActorID,
    bounty_id: u64,
) -> Result<Result<GetBountyReturn, ExitCode>> {
    h.call(
        caller,
        market,
        METHOD_GET_BOUNTY,
        &IdParams { id: bounty_id },
        TokenAmount::default(),
    )?
    .outcome()
}

pub fn get_claim<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    caller: &Account,
    market: ActorID,
    claim_id: u64,
) -> Result<Result<GetClaimReturn, ExitCode>> {
    h.call(
        caller,
        market,
        METHOD_GET_CLAIM,
        &IdParams { id: claim_id },
        TokenAmount::default(),
    )?
    .outcome()
}

pub fn provider_balance<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    caller: &Account,
    market: ActorID,
    provider: ActorID,
) -> Result<Result<ProviderBalance, ExitCode>> {
    let p = ProviderParams {
        provider: Address::new_id(provider),
    };
    h.call(
        caller,
        market,
        METHOD_GET_PROVIDER_BALANCE,
        &p,
        TokenAmount::default(),
    )?
    .outcome()
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

pub fn list_bounties<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    caller: &Account,
    market: ActorID,
    p: &ListBountiesParams,
) -> Result<Result<ListBountiesReturn, ExitCode>> {
    h.call(caller, market, METHOD_LIST_BOUNTIES, p, TokenAmount::default())?
        .outcome()
}

/// Every bounty matching `client` / `piece_cid`, walking pages of `limit`; also returns the
/// page sizes.
pub fn all_bounties<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    caller: &Account,
    market: ActorID,
    client: Option<ActorID>,
    piece_cid: Option<Cid>,
    limit: u32,
) -> Result<(Vec<GetBountyReturn>, Vec<usize>)> {
    let (mut bounties, mut pages, mut cursor) = (Vec::new(), Vec::new(), None);
    loop {
        let p = list_params(client, piece_cid, cursor, limit);
        let page = list_bounties(h, caller, market, &p)?
            .map_err(|c| anyhow!("ListBounties failed with exit {}", c.value()))?;
        pages.push(page.bounties.len());
        bounties.extend(page.bounties);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok((bounties, pages)),
        }
        if pages.len() > 1_000 {
            return Err(anyhow!("ListBounties does not terminate"));
        }
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
