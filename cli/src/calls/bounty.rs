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
    let value = &p.reward_per_replica * (p.replicas + p.renewals);
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

/// Renews a claim with a new deal, the bounty's collateral as value.
pub fn renew_claim(
    d: &mut Session,
    from: &Account,
    claim_id: u64,
    deal_id: DealID,
    sector_location: Option<SectorLocation>,
) -> Result<RenewClaimReturn> {
    let claim = get_claim(d, claim_id)?.claim;
    let bounty = get_bounty(d, claim.bounty_id)?.bounty;
    // What the chain would refuse only after moving the fee, said with the way forward.
    if bounty.renewals_left == 0 {
        bail!(
            "bounty {} has no renewal funded: ask its client to `suite bounty fund-renewals {} --renewals 1`",
            claim.bounty_id,
            claim.bounty_id
        );
    }
    let collateral = bounty.collateral_per_replica;
    check_funds(d, from, &collateral, "renewing (the bounty's collateral)")?;
    let sector = StorageMarketClient::new().deal_sector(d, deal_id)?.map_err(|code| {
        anyhow!(
            "deal {deal_id} is in no sector (f05 GetDealSector exit {}): a renewal needs an activated, live deal; check it with `suite deal show {deal_id}`",
            code.value()
        )
    })?;
    let p = RenewClaimParams {
        claim_id,
        deal_id,
        sector,
        sector_location,
    };
    market(d)?.renew(d, from, &p, collateral)?.ret()
}

/// Funds `renewals` renewal terms (renewals × reward as value); the bounty after.
pub fn fund_renewals(d: &mut Session, from: &Account, id: u64, renewals: u64) -> Result<Bounty> {
    let b = get_bounty(d, id)?.bounty;
    let value = &b.reward_per_replica * renewals;
    check_funds(d, from, &value, "funding renewals")?;
    market(d)?.fund_renewals(d, from, id, renewals, value)?;
    Ok(get_bounty(d, id)?.bounty)
}

pub fn reclaim_renewals(d: &mut Session, from: &Account, id: u64) -> Result<TokenAmount> {
    market(d)?.reclaim_renewals(d, from, id)?.ret()
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

/// Every claim ever made on a bounty, current or settled: the market's `bounty-claimed` and
/// `bounty-claimed-ddo` events (indexed by bounty) name them.
pub fn claims_of_bounty(d: &mut Session, bounty_id: u64) -> Result<Vec<GetClaimReturn>> {
    let market = d.suite()?.market;
    let mut events = Vec::new();
    for kind in [EVENT_CLAIMED, EVENT_DDO_CLAIMED] {
        events.extend(crate::rpc::actor_events(
            d.rpc(),
            market,
            kind,
            &[("bounty", fvm_ipld_encoding::to_vec(&bounty_id)?)],
            0,
        )?);
    }
    let mut ids: Vec<u64> = events
        .iter()
        .filter_map(|e| e.event.event.entries.iter().find(|x| x.key == "claim"))
        .filter_map(|x| fvm_ipld_encoding::from_slice(&x.value).ok())
        .collect();
    // And the claims holding a slot now: on a devnet a DDO claim comes from an operator control
    // (the miner's notification), whose events the node's event index does not hold.
    ids.extend(
        get_bounty(d, bounty_id)?
            .bounty
            .holders
            .iter()
            .map(|h| h.claim_id),
    );
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter().map(|id| get_claim(d, id)).collect()
}

/// `DepositCollateral` of `amount` for `provider`, by one of its controlling addresses.
pub fn deposit_collateral(
    d: &mut Session,
    from: &Account,
    provider: ActorID,
    amount: &TokenAmount,
) -> Result<CollateralDeposit> {
    check_funds(d, from, amount, "depositing this collateral")?;
    market(d)?
        .deposit_collateral(d, from, Address::new_id(provider), amount.clone())?
        .ret()
}

pub fn withdraw_collateral(
    d: &mut Session,
    from: &Account,
    provider: ActorID,
    amount: &TokenAmount,
) -> Result<WithdrawCollateralReturn> {
    market(d)?
        .withdraw_collateral(d, from, Address::new_id(provider), amount.clone())?
        .ret()
}

pub fn collateral_of(d: &mut Session, provider: ActorID) -> Result<CollateralDeposit> {
    answer(market(d)?.collateral(d, Address::new_id(provider)))
}

/// What the market answered a DDO activation: the claim it made, or why it refused.
pub struct DdoOutcome {
    pub claim_id: Option<u64>,
    pub refusal: Option<String>,
}

/// Devnet only: the provider's miner activates bounty `bounty_id`'s piece in `sector` and
/// notifies the market (`Devnet.NotifySectorContentChanged`, as a real miner does after
/// ProveCommitSectors3 with the market in the piece's notify list and the CBOR of the bounty id
/// as payload), committed until the sector's nominal expiration.
pub fn activate_ddo(d: &mut Session, bounty_id: u64, provider: ActorID, sector: u64) -> Result<DdoOutcome> {
    let bounty = get_bounty(d, bounty_id)?.bounty;
    let market_id = d.suite()?.market;
    let expiration = answer(suite_devnet::MinerClient::at(provider).nominal_sector_expiration(d, sector))
        .map_err(|e| {
            anyhow!("sector {sector} of f0{provider}: {e:#}; add it first with `suite miner add-sector`")
        })?;
    let sectors = suite_devnet::bounty::ddo_activation(
        sector,
        expiration,
        bounty.piece_cid,
        bounty.piece_size,
        bounty_id,
    );
    let params = fvm_ipld_encoding::to_vec(&sectors)?;
    let answer = d.devnet(
        "Devnet.NotifySectorContentChanged",
        serde_json::json!([
            crate::node::json::address(&Address::new_id(provider)),
            crate::node::json::address(&Address::new_id(market_id)),
            crate::node::json::bytes(&params)
        ]),
    )?;
    let exit = answer["ExitCode"].as_u64().unwrap_or(u64::MAX);
    if exit != 0 {
        bail!("the market aborted the notification with exit {exit}");
    }
    let raw = base64_decode(answer["Return"].as_str().unwrap_or(""))?;
    let accepted: SectorContentChangedReturn = fvm_ipld_encoding::from_slice(&raw)?;
    // The market's event for the piece: the claim it made, or why it refused.
    let field = |kind: &str, key: &str| -> Option<Vec<u8>> {
        let events = answer["Events"].as_array()?;
        let typed = fvm_ipld_encoding::to_vec(&kind).ok()?;
        let event = events.iter().find(|e| {
            e["Emitter"].as_u64() == Some(market_id)
                && e["Entries"].as_array().is_some_and(|entries| {
                    entries.iter().any(|x| {
                        x["Key"] == "$type"
                            && x["Value"].as_str().and_then(|v| base64_decode(v).ok()) == Some(typed.clone())
                    })
                })
        })?;
        let entry = event["Entries"].as_array()?.iter().find(|x| x["Key"] == key)?;
        base64_decode(entry["Value"].as_str()?).ok()
    };
    if accepted.first().and_then(|s| s.first()) == Some(&true) {
        let claim_id = field(EVENT_DDO_CLAIMED, "claim").and_then(|v| fvm_ipld_encoding::from_slice(&v).ok());
        return Ok(DdoOutcome {
            claim_id,
            refusal: None,
        });
    }
    let reason = field(EVENT_DDO_REFUSED, "reason")
        .and_then(|v| fvm_ipld_encoding::from_slice::<String>(&v).ok())
        .unwrap_or_else(|| "the market gave no reason".into());
    Ok(DdoOutcome {
        claim_id: None,
        refusal: Some(reason),
    })
}

fn base64_decode(s: &str) -> Result<Vec<u8>> {
    data_encoding::BASE64
        .decode(s.as_bytes())
        .map_err(|e| anyhow!("the node's return is not base64: {e}"))
}
