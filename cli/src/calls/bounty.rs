//! Typed operations on the bounty market, with the checks that give a clearer error than the
//! chain would.

use anyhow::{anyhow, bail, Result};
use fvm_shared::address::Address;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use suite_devnet::{Account, BountyMarketClient, StorageMarketClient};
use suite_interfaces::bounty::*;
use suite_interfaces::escrow::SectorLocation;

use crate::calls::*;
use crate::session::Session;
use crate::units::fil;

fn market(d: &mut Session) -> Result<BountyMarketClient> {
    Ok(d.suite()?.market_client())
}

pub fn post_bounty(d: &mut Session, from: &Account, p: &PostBountyParams) -> Result<u64> {
    let value = &p.reward_per_replica * p.replicas;
    // What the chain would refuse in a less helpful order or way: the value transfer fails
    // before the market can say the replicas are too many, and the market states the escrow's
    // minimum collateral in attoFIL.
    let terms = answer(market(d)?.policy(d))?;
    if !(1..=terms.policy.max_replicas).contains(&p.replicas) {
        bail!(
            "replicas must be 1 to {} (the market's policy)",
            terms.policy.max_replicas
        );
    }
    if p.collateral_per_replica < terms.min_collateral {
        bail!(
            "collateral {} is below the escrow's minimum {}: no claim could lock it",
            fil(&p.collateral_per_replica),
            fil(&terms.min_collateral)
        );
    }
    // The market's bound, checked before the value is moved (as the chain would refuse).
    let horizon = d.epoch()?.saturating_add(terms.policy.max_duration);
    if p.expiry > horizon {
        bail!(
            "expiry {} is more than max_duration = {} epochs away (the market's policy): at most epoch {horizon}",
            p.expiry,
            terms.policy.max_duration
        );
    }
    check_funds(d, from, &value, "posting this bounty")?;
    market(d)?.post(d, from, p, value)?.ret()
}

pub fn get_bounty(d: &mut Session, id: u64) -> Result<GetBountyReturn> {
    answer(market(d)?.get_bounty(d, id))
}

pub fn get_claim(d: &mut Session, id: u64) -> Result<GetClaimReturn> {
    answer(market(d)?.get_claim(d, id))
}

/// Claims with the bounty's collateral as value.
pub fn claim_bounty(
    d: &mut Session,
    from: &Account,
    bounty_id: u64,
    provider: ActorID,
    deal_id: DealID,
    sector_location: Option<SectorLocation>,
) -> Result<ClaimBountyReturn> {
    let collateral = get_bounty(d, bounty_id)?.bounty.collateral_per_replica;
    check_funds(d, from, &collateral, "claiming (the bounty's collateral)")?;
    // The claim names the deal's sector, as f05 reports it now (the escrow checks it again).
    let sector = StorageMarketClient::new().deal_sector(d, deal_id)?.map_err(|code| {
        anyhow!(
            "deal {deal_id} is in no sector (f05 GetDealSector exit {}): a claim needs an activated, live deal; check it with `suite deal show {deal_id}`",
            code.value()
        )
    })?;
    let p = ClaimBountyParams {
        bounty_id,
        provider: Address::new_id(provider),
        deal_id,
        sector,
        sector_location,
    };
    market(d)?.claim(d, from, &p, collateral)?.ret()
}

pub fn withdraw(d: &mut Session, from: &Account, provider: ActorID) -> Result<WithdrawReturn> {
    market(d)?.withdraw(d, from, Address::new_id(provider))?.ret()
}

/// Cancels a bounty; returns it as it was just before (what the cancel freed: its open slots
/// and their pool).
pub fn cancel_bounty(d: &mut Session, from: &Account, id: u64) -> Result<Bounty> {
    let before = get_bounty(d, id)?.bounty;
    market(d)?.cancel(d, from, id)?;
    Ok(before)
}

pub fn reclaim(d: &mut Session, from: &Account, id: u64) -> Result<TokenAmount> {
    market(d)?.reclaim(d, from, id)?.ret()
}

/// Adds `amount` to a bounty's open slots.
pub fn fund_bounty(d: &mut Session, from: &Account, id: u64, amount: &TokenAmount) -> Result<Bounty> {
    // What the chain would refuse only after moving nothing but the fee.
    let b = get_bounty(d, id)?.bounty;
    let now = d.epoch()?;
    if b.status == BountyStatus::Cancelled {
        bail!("bounty {id} is cancelled: it takes no contribution");
    }
    if now >= b.expiry {
        bail!(
            "bounty {id} expired at epoch {}: it takes no contribution",
            b.expiry
        );
    }
    if b.open_slots == 0 {
        bail!("bounty {id} has no open slot: a contribution could raise no reward (see `suite bounty show {id}`)");
    }
    check_funds(d, from, amount, "funding this bounty")?;
    market(d)?.fund(d, from, id, amount.clone())?;
    Ok(get_bounty(d, id)?.bounty)
}

pub fn refund_sponsor(d: &mut Session, from: &Account, id: u64) -> Result<SponsorRefundReturn> {
    market(d)?.refund_sponsor(d, from, id)?.ret()
}

pub fn get_contribution(d: &mut Session, id: u64, sponsor: ActorID) -> Result<GetContributionReturn> {
    answer(market(d)?.get_contribution(d, id, Address::new_id(sponsor)))
}

pub fn provider_balance(d: &mut Session, provider: ActorID) -> Result<ProviderBalance> {
    answer(market(d)?.provider_balance(d, Address::new_id(provider)))
}

/// Every bounty matching the filter, page by page.
pub fn list_bounties(
    d: &mut Session,
    client: Option<ActorID>,
    piece_cid: Option<cid::Cid>,
) -> Result<Vec<GetBountyReturn>> {
    Ok(market(d)?.all_bounties(d, client, piece_cid, 100)?.0)
}

/// Every claim ever made on a bounty, current or settled: the market's `bounty-claimed` events
/// (indexed by bounty) name them.
pub fn claims_of_bounty(d: &mut Session, bounty_id: u64) -> Result<Vec<GetClaimReturn>> {
    let market = d.suite()?.market;
    let events = crate::rpc::actor_events(
        d.rpc(),
        market,
        EVENT_CLAIMED,
        &[("bounty", fvm_ipld_encoding::to_vec(&bounty_id)?)],
        0,
    )?;
    let mut ids: Vec<u64> = events
        .iter()
        .filter_map(|e| e.event.event.entries.iter().find(|x| x.key == "claim"))
        .filter_map(|x| fvm_ipld_encoding::from_slice(&x.value).ok())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().map(|id| get_claim(d, id)).collect()
}
