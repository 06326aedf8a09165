//! `bounty`.

use anyhow::Result;
use serde_json::{json, Value};
use suite_interfaces::bounty::*;
use suite_interfaces::escrow::SectorLocation;

use crate::calls::*;
use crate::output::{Output, Table};
use crate::session::Session;
use crate::units::{atto_json, fil, parse_amount, parse_piece_cid};
use crate::views::*;
use crate::BountyCmd;

pub(crate) fn bounty_cmd(d: &mut Session, c: BountyCmd) -> Result<(Output, bool)> {
    Ok(match c {
        BountyCmd::Post {
            from,
            piece,
            replicas,
            reward,
            collateral,
            min_duration,
            expiry,
            min_reputation,
            allowed,
            distinct_owners,
            max_per_region,
            renewals,
        } => {
            let from = d.account(&from)?;
            let allowed_providers = if allowed.is_empty() {
                None
            } else {
                Some(
                    allowed
                        .iter()
                        .map(|a| d.miner_id(a))
                        .collect::<Result<Vec<_>>>()?,
                )
            };
            let (piece_cid, piece_size) = piece.resolve()?;
            let p = PostBountyParams {
                piece_cid,
                piece_size,
                replicas,
                reward_per_replica: parse_amount(&reward)?,
                collateral_per_replica: parse_amount(&collateral)?,
                min_duration,
                expiry,
                min_reputation,
                allowed_providers,
                distinct_owners,
                max_per_region,
                renewals,
            };
            let value = &p.reward_per_replica * (p.replicas + p.renewals);
            let id = post_bounty(d, &from, &p)?;
            let out = Output::new(
                json!({ "bounty_id": id, "value": atto_json(&value) }),
                format!(
                    "bounty {id}: {} × {} for piece {} ({}), collateral {}, at least {} epochs, claimable before epoch {} — {} escrowed",
                    plural(p.replicas, "replica", "replicas"),
                    fil(&p.reward_per_replica),
                    p.piece_cid,
                    bytes(p.piece_size.into()),
                    fil(&p.collateral_per_replica),
                    p.min_duration,
                    p.expiry,
                    fil(&value)
                ),
            );
            (out, true)
        }
        BountyCmd::List { client, piece } => {
            let client = client.map(|c| d.actor_id(&c)).transpose()?;
            let piece = piece.map(|p| parse_piece_cid(&p)).transpose()?;
            let mut all = list_bounties(d, client, piece)?;
            all.sort_by_key(|b| b.bounty_id);
            let now = d.epoch()?;
            let mut table = Table::new(&[
                ">id",
                "client",
                "piece",
                ">replicas",
                ">open",
                ">reward",
                ">collateral",
                ">expiry",
                "status",
            ]);
            for b in &all {
                let x = &b.bounty;
                let piece = x.piece_cid.to_string();
                let short = format!("…{}", &piece[piece.len().saturating_sub(10)..]);
                table.row(vec![
                    b.bounty_id.to_string(),
                    d.name_of(x.client),
                    short,
                    x.replicas.to_string(),
                    x.open_slots.to_string(),
                    fil(&x.reward_per_replica),
                    fil(&x.collateral_per_replica),
                    x.expiry.to_string(),
                    bounty_status(x, now).into(),
                ]);
            }
            let json = Value::Array(all.iter().map(|b| bounty_json(d, b, now)).collect());
            (Output::new(json, table.render()), false)
        }
        BountyCmd::Show { id } => {
            let b = get_bounty(d, id)?;
            let claims = claims_of_bounty(d, id)?;
            let now = d.epoch()?;
            let x = &b.bounty;
            let mut text = format!(
                "bounty {id} ({}), client {}\npiece {} ({})\n{} × {} (collateral {}), {} open; at least {} epochs; claimable before epoch {}\nminimum reputation {}, providers {}\ndiversity: {}\npool {}, refundable {}, reclaimed {}\n{}",
                bounty_status(x, now),
                d.name_of(x.client),
                x.piece_cid,
                bytes(x.piece_size.into()),
                plural(x.replicas, "replica", "replicas"),
                fil(&x.reward_per_replica),
                fil(&x.collateral_per_replica),
                x.open_slots,
                x.min_duration,
                x.expiry,
                x.min_reputation
                    .map(|r| format!("{:.2}% ({r} bps)", f64::from(r) / 100.0))
                    .unwrap_or_else(|| "none".into()),
                x.allowed_providers
                    .as_ref()
                    .map(|ids| ids.iter().map(|id| d.name_of(*id)).collect::<Vec<_>>().join(", "))
                    .unwrap_or_else(|| "any".into()),
                diversity_text(x),
                fil(&x.pool),
                fil(&x.refundable),
                fil(&x.reclaimed),
                sponsors_text(x),
            );
            text.push_str(&renewals_text(x));
            if !claims.is_empty() {
                let mut table = Table::new(&[
                    ">claim",
                    "provider",
                    ">deal",
                    ">vested",
                    ">paid",
                    ">vest end",
                    ">lock",
                    "status",
                ]);
                for c in &claims {
                    table.row(vec![
                        c.claim_id.to_string(),
                        d.name_of(c.claim.provider),
                        claim_evidence(&c.claim),
                        fil(&c.vested),
                        fil(&c.claim.paid),
                        c.claim.vest_end.to_string(),
                        c.claim.lock_id.map(|l| l.to_string()).unwrap_or("-".into()),
                        claim_status(c.claim.status).into(),
                    ]);
                }
                text.push('\n');
                text.push_str(&table.render());
                for c in &claims {
                    text.push_str(&history_text(c.claim_id, &c.claim));
                }
            }
            let mut json = bounty_json(d, &b, now);
            json["claims"] = Value::Array(claims.iter().map(|c| claim_json(d, c)).collect());
            (Output::new(json, text), false)
        }
        BountyCmd::Claim {
            id,
            provider,
            deal,
            from,
            deadline,
            partition,
        } => {
            let from = d.account(&from)?;
            let provider_id = d.miner_id(&provider)?;
            let location = deadline
                .zip(partition)
                .map(|(deadline, partition)| SectorLocation { deadline, partition });
            let ret = claim_bounty(d, &from, id, provider_id, deal, location)?;
            let out = Output::new(
                json!({ "claim_id": ret.claim_id, "lock_id": ret.lock_id, "reward": atto_json(&ret.reward) }),
                format!(
                    "claim {}: {provider} holds a slot of bounty {id} with deal {deal}; reward {} vests, collateral in lock {}",
                    ret.claim_id,
                    fil(&ret.reward),
                    ret.lock_id
                ),
            );
            (out, true)
        }
        BountyCmd::ShowClaim { id } => {
            let c = get_claim(d, id)?;
            let x = &c.claim;
            let text = format!(
                "claim {id} ({}) on bounty {} by {} (deal {}, sector {})\nclaimed at {}, vests until {}: {} of {} vested, {} paid\ncollateral {} in lock {}",
                claim_status(x.status),
                x.bounty_id,
                d.name_of(x.provider),
                claim_evidence(x),
                x.deal.sector,
                x.claimed_at,
                x.vest_end,
                fil(&c.vested),
                fil(&x.total_reward()),
                fil(&x.paid),
                fil(&x.collateral),
                x.lock_id.map(|l| l.to_string()).unwrap_or("-".into()),
            );
            let text = format!("{text}\n{}", history_text(id, x)).trim_end().to_owned();
            (Output::new(claim_json(d, &c), text), false)
        }
        BountyCmd::Renew {
            claim,
            deal,
            from,
            deadline,
            partition,
        } => {
            let from = d.account(&from)?;
            let location = deadline
                .zip(partition)
                .map(|(deadline, partition)| SectorLocation { deadline, partition });
            let ret = renew_claim(d, &from, claim, deal, location)?;
            let out = Output::new(
                json!({
                    "claim_id": ret.claim_id,
                    "lock_id": ret.lock_id,
                    "reward": atto_json(&ret.reward),
                    "term_start": ret.term_start,
                    "term_end": ret.term_end,
                }),
                format!(
                    "claim {} renewed with deal {deal}: {} vests over [{}, {}), collateral in lock {}",
                    ret.claim_id,
                    fil(&ret.reward),
                    ret.term_start,
                    ret.term_end,
                    ret.lock_id
                ),
            );
            (out, true)
        }
        BountyCmd::FundRenewals { id, renewals, from } => {
            let from = d.account(&from)?;
            let b = fund_renewals(d, &from, id, renewals)?;
            (
                Output::new(
                    json!({ "bounty_id": id, "renewals_left": b.renewals_left, "renewal_pool": atto_json(&b.renewal_pool) }),
                    format!(
                        "bounty {id}: {} funded; {} left, {} in the renewal pool",
                        plural(renewals, "renewal", "renewals"),
                        b.renewals_left,
                        fil(&b.renewal_pool)
                    ),
                ),
                true,
            )
        }
        BountyCmd::ReclaimRenewals { id, from } => {
            let from = d.account(&from)?;
            let amount = reclaim_renewals(d, &from, id)?;
            (
                Output::new(
                    json!({ "bounty_id": id, "reclaimed": atto_json(&amount) }),
                    format!(
                        "reclaimed {} of renewal money from bounty {id}: its claims renew no more",
                        fil(&amount)
                    ),
                ),
                true,
            )
        }
        BountyCmd::Cancel { id, from } => {
            let from = d.account(&from)?;
            let before = cancel_bounty(d, &from, id)?;
            let text = if before.open_slots == 0 {
                format!(
                    "bounty {id} cancelled: every slot is claimed, so nothing is refundable now; from now on a claim that fails refunds its unvested reward to {} instead of reopening its slot",
                    d.name_of(before.client)
                )
            } else {
                format!(
                    "bounty {id} cancelled: {} freed, {} refundable (bounty reclaim {id})",
                    plural(before.open_slots, "open slot", "open slots"),
                    fil(&(&before.pool + &before.refundable))
                )
            };
            (
                Output::new(
                    json!({ "bounty_id": id, "status": "cancelled", "slots_freed": before.open_slots, "freed": atto_json(&before.pool) }),
                    text,
                ),
                true,
            )
        }
        BountyCmd::Withdraw { provider, from } => {
            let from = d.account(&from)?;
            let provider_id = d.miner_id(&provider)?;
            let ret = withdraw(d, &from, provider_id)?;
            let out = Output::new(
                json!({ "paid": atto_json(&ret.paid), "to": address_json(d, ret.to), "more": ret.more }),
                format!(
                    "paid {} to {} (owner of {provider}){}",
                    fil(&ret.paid),
                    d.name_of(ret.to),
                    if ret.more {
                        "; more claims remain: withdraw again"
                    } else {
                        ""
                    }
                ),
            );
            (out, true)
        }
        BountyCmd::Reclaim { id, from } => {
            let from = d.account(&from)?;
            let amount = reclaim(d, &from, id)?;
            (
                Output::new(
                    json!({ "bounty_id": id, "reclaimed": atto_json(&amount) }),
                    format!("reclaimed {} from bounty {id}", fil(&amount)),
                ),
                true,
            )
        }
        BountyCmd::Deposit {
            provider,
            amount,
            from,
        } => {
            let from = d.account(&from)?;
            let provider_id = d.miner_id(&provider)?;
            let amount = parse_amount(&amount)?;
            let got = deposit_collateral(d, &from, provider_id, &amount)?;
            let out = Output::new(
                collateral_json(d, provider_id, &got),
                format!(
                    "deposited {} of collateral for {provider}: {} available to DDO claims",
                    fil(&amount),
                    fil(&got.available)
                ),
            );
            (out, true)
        }
        BountyCmd::WithdrawCollateral {
            provider,
            amount,
            from,
        } => {
            let from = d.account(&from)?;
            let provider_id = d.miner_id(&provider)?;
            let amount = match amount {
                Some(a) => parse_amount(&a)?,
                None => collateral_of(d, provider_id)?.available,
            };
            let ret = withdraw_collateral(d, &from, provider_id, &amount)?;
            let out = Output::new(
                json!({ "paid": atto_json(&ret.paid), "to": address_json(d, ret.to), "available": atto_json(&ret.available) }),
                format!(
                    "paid {} of {provider}'s collateral to {} (its owner); {} still deposited",
                    fil(&ret.paid),
                    d.name_of(ret.to),
                    fil(&ret.available)
                ),
            );
            (out, true)
        }
        BountyCmd::Collateral { provider } => {
            let provider_id = d.miner_id(&provider)?;
            let got = collateral_of(d, provider_id)?;
            let out = Output::new(
                collateral_json(d, provider_id, &got),
                format!(
                    "{provider}: {} of collateral available to DDO claims, {} locked by DDO claims so far",
                    fil(&got.available),
                    fil(&got.locked_total)
                ),
            );
            (out, false)
        }
        BountyCmd::Activate { id, provider, sector } => {
            let provider_id = d.miner_id(&provider)?;
            let outcome = activate_ddo(d, id, provider_id, sector)?;
            let text = match &outcome.refusal {
                None => format!(
                    "{provider} activated bounty {id}'s piece in sector {sector}: the market accepted it as claim {} (collateral from its deposit)",
                    outcome.claim_id.map(|c| c.to_string()).unwrap_or("?".into())
                ),
                Some(why) => format!(
                    "{provider} activated bounty {id}'s piece in sector {sector}, but the market refused it: {why}"
                ),
            };
            let out = Output::new(
                json!({ "bounty_id": id, "sector": sector, "accepted": outcome.refusal.is_none(), "claim_id": outcome.claim_id, "refusal": outcome.refusal }),
                text,
            );
            (out, true)
        }
        BountyCmd::Fund { id, from, amount } => {
            let from = d.account(&from)?;
            let amount = parse_amount(&amount)?;
            let after = fund_bounty(d, &from, id, &amount)?;
            let per_slot = after.pool.div_floor(after.open_slots.max(1));
            (
                Output::new(
                    json!({ "bounty_id": id, "funded": atto_json(&amount), "pool": atto_json(&after.pool), "open_slots": after.open_slots, "sponsored": atto_json(&after.sponsored) }),
                    format!(
                        "added {} to bounty {id}: its {} now pay about {} each ({} from {})",
                        fil(&amount),
                        plural(after.open_slots, "open slot", "open slots"),
                        fil(&per_slot),
                        fil(&after.sponsored),
                        plural(after.sponsors, "sponsor", "sponsors"),
                    ),
                ),
                true,
            )
        }
        BountyCmd::Refund { id, from } => {
            let from = d.account(&from)?;
            let ret = refund_sponsor(d, &from, id)?;
            (
                Output::new(
                    json!({ "bounty_id": id, "refunded": atto_json(&ret.amount), "settled": ret.settled }),
                    format!(
                        "refunded {} from bounty {id}{}",
                        fil(&ret.amount),
                        if ret.settled {
                            ": its returns are final, nothing more will come"
                        } else {
                            "; claims still hold slots: a slash would return more, refund again later"
                        }
                    ),
                ),
                true,
            )
        }
        BountyCmd::Contribution { id, sponsor } => {
            let sponsor_id = d.actor_id(&sponsor)?;
            let c = get_contribution(d, id, sponsor_id)?;
            (
                Output::new(
                    json!({ "bounty_id": id, "sponsor": address_json(d, sponsor_id), "amount": atto_json(&c.contribution.amount), "refunded": atto_json(&c.contribution.refunded), "settled": c.contribution.settled, "refundable_now": atto_json(&c.refundable_now) }),
                    format!(
                        "{sponsor} gave {} to bounty {id}; refunded {}, refundable now {}{}",
                        fil(&c.contribution.amount),
                        fil(&c.contribution.refunded),
                        fil(&c.refundable_now),
                        if c.contribution.settled { " (settled)" } else { "" }
                    ),
                ),
                false,
            )
        }
        BountyCmd::Balance { provider } => {
            let id = d.miner_id(&provider)?;
            let b = provider_balance(d, id)?;
            let out = Output::new(
                json!({ "provider": address_json(d, id), "vested": atto_json(&b.vested), "paid": atto_json(&b.paid), "withdrawable": atto_json(&b.withdrawable), "pending": atto_json(&b.pending), "open_claims": b.open_claims }),
                format!(
                    "{provider}: vested {}, paid {}, withdrawable {}, still vesting {}, {}",
                    fil(&b.vested),
                    fil(&b.paid),
                    fil(&b.withdrawable),
                    fil(&b.pending),
                    plural(b.open_claims, "open claim", "open claims")
                ),
            );
            (out, false)
        }
    })
}
