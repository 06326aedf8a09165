//! Bounties and claims as JSON and text.

use fvm_shared::clock::ChainEpoch;
use serde_json::{json, Value};
use suite_interfaces::bounty::*;

use crate::session::Session;
use crate::units::atto_json;
use crate::views::*;

pub(crate) fn bounty_status(b: &Bounty, now: ChainEpoch) -> &'static str {
    match b.status {
        BountyStatus::Cancelled => "cancelled",
        BountyStatus::Open if now >= b.expiry => "expired",
        BountyStatus::Open if b.open_slots == 0 => "full",
        BountyStatus::Open => "open",
    }
}

pub(crate) fn bounty_json(d: &Session, b: &GetBountyReturn, now: ChainEpoch) -> Value {
    let x = &b.bounty;
    json!({
        "id": b.bounty_id,
        "client": address_json(d, x.client),
        "piece_cid": x.piece_cid.to_string(),
        "piece_size": x.piece_size,
        "replicas": x.replicas,
        "reward_per_replica": atto_json(&x.reward_per_replica),
        "collateral_per_replica": atto_json(&x.collateral_per_replica),
        "min_duration": x.min_duration,
        "expiry": x.expiry,
        "min_reputation": x.min_reputation,
        "allowed_providers": x.allowed_providers.as_ref().map(|ids| ids.iter().map(|id| address_json(d, *id)).collect::<Vec<_>>()),
        "posted_at": x.posted_at,
        "status": bounty_status(x, now),
        "open_slots": x.open_slots,
        "pool": atto_json(&x.pool),
        "holders": x.holders.iter().map(|h| json!({"claim_id": h.claim_id, "provider": address_json(d, h.provider), "owner": h.owner.map(|o| address_json(d, o)), "region": h.region})).collect::<Vec<_>>(),
        "refundable": atto_json(&x.refundable),
        "reclaimed": atto_json(&x.reclaimed),
        "distinct_owners": x.distinct_owners,
        "max_per_region": x.max_per_region,
        "sponsored": atto_json(&x.sponsored),
        "sponsors": x.sponsors,
        "sponsors_unsettled": x.sponsors_unsettled,
        "sponsor_refunded": atto_json(&x.sponsor_refunded),
        "renewal_pool": atto_json(&x.renewal_pool),
        "renewals_left": x.renewals_left,
        "renewals_funded": atto_json(&x.renewals_funded),
        "renewals_reclaimed": atto_json(&x.renewals_reclaimed),
    })
}

/// The bounty's renewal line (empty when no renewal was ever funded).
pub(crate) fn renewals_text(b: &Bounty) -> String {
    if b.renewals_funded.is_zero() {
        return String::new();
    }
    format!(
        "renewals: {} left, {} in the renewal pool ({} funded, {} reclaimed)\n",
        b.renewals_left,
        crate::units::fil(&b.renewal_pool),
        crate::units::fil(&b.renewals_funded),
        crate::units::fil(&b.renewals_reclaimed)
    )
}

/// A claim's earlier terms, one a line (empty when it never renewed).
pub(crate) fn history_text(claim_id: u64, c: &Claim) -> String {
    c.history
        .iter()
        .enumerate()
        .map(|(i, t)| {
            format!(
                "claim {claim_id} term {}: {} [{}, {}) reward {}, collateral {} in lock {}\n",
                i + 1,
                if t.deal.deal_id == NO_DEAL {
                    format!("DDO sector {}", t.deal.sector)
                } else {
                    format!("deal {} (sector {})", t.deal.deal_id, t.deal.sector)
                },
                t.start,
                t.end,
                crate::units::fil(&t.reward),
                crate::units::fil(&t.collateral),
                t.lock_id.map(|l| l.to_string()).unwrap_or("-".into()),
            )
        })
        .collect()
}

/// The bounty's replica-diversity rules, in words.
pub(crate) fn diversity_text(b: &Bounty) -> String {
    let mut rules = Vec::new();
    if b.distinct_owners {
        rules.push("distinct owners".to_owned());
    }
    if let Some(k) = b.max_per_region {
        rules.push(format!("at most {k} per region"));
    }
    if rules.is_empty() {
        "none".into()
    } else {
        rules.join(", ")
    }
}

/// The bounty's sponsors line (empty without sponsors).
pub(crate) fn sponsors_text(b: &Bounty) -> String {
    if b.sponsors == 0 {
        return String::new();
    }
    format!(
        "crowdfunded: {} from {} ({} refunded to them, {} yet to settle)\n",
        crate::units::fil(&b.sponsored),
        plural(b.sponsors, "sponsor", "sponsors"),
        crate::units::fil(&b.sponsor_refunded),
        b.sponsors_unsettled
    )
}

pub(crate) fn claim_status(s: ClaimStatus) -> &'static str {
    match s {
        ClaimStatus::Active => "active",
        ClaimStatus::Slashed => "slashed",
        ClaimStatus::Completed => "completed",
    }
}

pub(crate) fn claim_json(d: &Session, c: &GetClaimReturn) -> Value {
    let x = &c.claim;
    json!({
        "id": c.claim_id,
        "bounty_id": x.bounty_id,
        "provider": address_json(d, x.provider),
        "claimed_by": address_json(d, x.claimed_by),
        // A DDO claim has no deal: its evidence is the sector, committed until `deal_end`.
        "deal_id": (x.deal.deal_id != NO_DEAL).then_some(x.deal.deal_id),
        "via": if x.deal.deal_id == NO_DEAL { "ddo" } else { "deal" },
        "sector": x.deal.sector,
        "deal_end": x.deal.end_epoch,
        "claimed_at": x.claimed_at,
        "vest_end": x.vest_end,
        // Every term's reward; `term_reward` is the current term's.
        "reward": atto_json(&x.total_reward()),
        "term_reward": atto_json(&x.reward),
        "term_start": x.term_start,
        "history": x.history.iter().map(|t| json!({
            "deal_id": (t.deal.deal_id != NO_DEAL).then_some(t.deal.deal_id),
            "sector": t.deal.sector,
            "lock_id": t.lock_id,
            "collateral": atto_json(&t.collateral),
            "start": t.start,
            "end": t.end,
            "reward": atto_json(&t.reward),
        })).collect::<Vec<_>>(),
        "vested": atto_json(&c.vested),
        "paid": atto_json(&x.paid),
        "collateral": atto_json(&x.collateral),
        "lock_id": x.lock_id,
        "status": claim_status(x.status),
        "stopped_at": x.stopped_at,
    })
}

/// The evidence column of a claim: its deal, or "DDO" for a claim made by a sector activation.
pub(crate) fn claim_evidence(c: &Claim) -> String {
    if c.deal.deal_id == NO_DEAL {
        "DDO".into()
    } else {
        c.deal.deal_id.to_string()
    }
}

pub(crate) fn collateral_json(d: &Session, provider: fvm_shared::ActorID, c: &CollateralDeposit) -> Value {
    json!({
        "provider": address_json(d, provider),
        "available": atto_json(&c.available),
        "locked_total": atto_json(&c.locked_total),
    })
}
