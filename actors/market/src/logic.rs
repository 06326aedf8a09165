//! The bounty market as plain state transitions. The shell asks the builtin market, the miner,
//! the registry and the escrow, and passes their answers in; these functions decide, update
//! state and say what to pay. Host tests drive them directly.

use actor_runtime::{actor_error, ensure, token, ActorError, ActorResult, EventBuilder, Facts, OrNotFound};
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::ActorEvent;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::ActorID;
use suite_interfaces::bounty::*;
use suite_interfaces::escrow::{CollateralChange, LockReturn, OnCollateralChangedParams};

use crate::state::{SponsorKey, State};

/// The largest padded piece a sector can hold (64 GiB).
pub const MAX_PIECE_SIZE: u64 = 64 << 30;

pub fn post_bounty<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    p: PostBountyParams,
) -> ActorResult<(u64, Vec<ActorEvent>)> {
    let policy = &state.policy;
    ensure!(is_piece_cid(&p.piece_cid), illegal_argument;
        "{} is not a piece commitment (fil-commitment-unsealed, sha2-256-trunc254-padded)", p.piece_cid);
    ensure!(PaddedPieceSize(p.piece_size).validate().is_ok() && p.piece_size <= MAX_PIECE_SIZE,
        illegal_argument; "piece size {} must be a power of two from 128 to 64 GiB", p.piece_size);
    ensure!((1..=policy.max_replicas).contains(&p.replicas), illegal_argument;
        "replicas must be 1 to {}, got {}", policy.max_replicas, p.replicas);
    token::positive(&p.reward_per_replica, "reward per replica")?;
    token::positive(&p.collateral_per_replica, "collateral per replica")?;
    ensure!(p.collateral_per_replica >= state.min_collateral, illegal_argument;
        "collateral per replica {} is below the escrow's minimum {}: no claim could lock it",
        p.collateral_per_replica, state.min_collateral);
    ensure!((policy.min_duration_floor..=policy.max_duration).contains(&p.min_duration), illegal_argument;
        "min duration must be {} to {} epochs, got {}", policy.min_duration_floor, policy.max_duration, p.min_duration);
    ensure!(p.expiry > facts.epoch, illegal_argument; "expiry {} is not in the future", p.expiry);
    // A bounty takes claims for at most `max_duration` epochs, so whatever it holds is settled
    // by now + 2 × max_duration (a last claim vests for at most max_duration): no bounty is
    // open forever (an expiry of i64::MAX would be).
    let horizon = facts.epoch.saturating_add(policy.max_duration);
    ensure!(p.expiry <= horizon, illegal_argument;
        "expiry {} is more than max_duration = {} epochs away: at most epoch {horizon}", p.expiry, policy.max_duration);
    if let Some(score) = p.min_reputation {
        ensure!(score <= 10_000, illegal_argument; "min reputation {score} exceeds 10000");
    }
    if let Some(allowed) = &p.allowed_providers {
        ensure!(!allowed.is_empty() && allowed.len() as u64 <= policy.max_allowlist, illegal_argument;
            "the allowlist must hold 1 to {} providers", policy.max_allowlist);
        let mut sorted = allowed.clone();
        sorted.sort_unstable();
        sorted.dedup();
        ensure!(sorted.len() == allowed.len(), illegal_argument; "the allowlist repeats a provider");
    }
    ensure!(!p.distinct_owners || p.replicas >= 2, illegal_argument;
        "distinct_owners needs at least 2 replicas: one slot holder is always distinct");
    if let Some(k) = p.max_per_region {
        ensure!(k >= 1 && u64::from(k) < p.replicas, illegal_argument;
            "max_per_region must be 1 to replicas − 1 = {}, got {k} (0 refuses every claim, replicas or more refuses none)",
            p.replicas.saturating_sub(1));
    }
    let renewal_cap = p.replicas.saturating_mul(MAX_RENEWALS_PER_CLAIM);
    ensure!(p.renewals <= renewal_cap, illegal_argument;
        "renewals {} exceed replicas × MAX_RENEWALS_PER_CLAIM = {renewal_cap}", p.renewals);
    let total = token::mul(&p.reward_per_replica, p.replicas)?;
    let renewal_pool = token::mul(&p.reward_per_replica, p.renewals)?;
    let value = token::add(&total, &renewal_pool)?;
    ensure!(facts.value_received == value, illegal_argument;
        "send exactly (replicas + renewals) × reward = {value}, got {}", facts.value_received);

    let bounty_id = state.next_bounty_id;
    let bounty = Bounty {
        client: facts.caller,
        piece_cid: p.piece_cid,
        piece_size: p.piece_size,
        replicas: p.replicas,
        reward_per_replica: p.reward_per_replica,
        collateral_per_replica: p.collateral_per_replica,
        min_duration: p.min_duration,
        expiry: p.expiry,
        min_reputation: p.min_reputation,
        allowed_providers: p.allowed_providers,
        posted_at: facts.epoch,
        status: BountyStatus::Open,
        open_slots: p.replicas,
        pool: total.clone(),
        holders: vec![],
        claimants: vec![],
        refundable: TokenAmount::default(),
        reclaimed: TokenAmount::default(),
        distinct_owners: p.distinct_owners,
        max_per_region: p.max_per_region,
        sponsored: TokenAmount::default(),
        sponsors: 0,
        sponsors_unsettled: 0,
        sponsor_refunded: TokenAmount::default(),
        renewal_pool: renewal_pool.clone(),
        renewals_left: p.renewals,
        renewals_funded: renewal_pool,
        renewals_reclaimed: TokenAmount::default(),
    };
    let event = EventBuilder::new(EVENT_POSTED)
        .indexed("bounty", &bounty_id)
        .indexed("client", &facts.caller)
        .indexed("piece", &bounty.piece_cid)
        .field("replicas", &bounty.replicas)
        .field("reward", &bounty.reward_per_replica)
        .field("expiry", &bounty.expiry)
        // The terms a claimant weighs, so that an indexer needs no GetBounty per post.
        .field("collateral", &bounty.collateral_per_replica)
        .field("min_duration", &bounty.min_duration)
        .field("renewals", &bounty.renewals_left)
        .field("distinct_owners", &bounty.distinct_owners)
        .field("max_per_region", &bounty.max_per_region)
        .build()?;
    let mut bounties = state.bounties(store)?;
    bounties.set(bounty_id, bounty.clone())?;
    state.bounties = bounties.flush()?;
    let mut by_client = state.by_client(store)?;
    by_client.insert(&facts.caller, bounty_id)?;
    state.by_client = by_client.flush()?;
    let mut by_piece = state.by_piece(store)?;
    by_piece.insert(&bounty.piece_cid.to_bytes(), bounty_id)?;
    state.by_piece = by_piece.flush()?;
    state.next_bounty_id += 1;
    state.owed = token::add(&state.owed, &value)?;
    Ok((bounty_id, vec![event]))
}

pub fn get_bounty<BS: Blockstore>(store: &BS, state: &State, bounty_id: u64) -> ActorResult<Bounty> {
    state
        .bounties(store)?
        .get(bounty_id)?
        .cloned()
        .or_not_found(format_args!("bounty {bounty_id}"))
}

pub fn get_claim<BS: Blockstore>(store: &BS, state: &State, claim_id: u64) -> ActorResult<Claim> {
    state
        .claims(store)?
        .get(claim_id)?
        .cloned()
        .or_not_found(format_args!("claim {claim_id}"))
}

/// Everything about a deal claim that needs no other actor: the bounty takes this provider's
/// claim ([`check_claimable`]), the value is the collateral, the deal backs no claim yet.
pub fn precheck_claim<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    bounty_id: u64,
    provider: ActorID,
    deal_id: u64,
) -> ActorResult<Bounty> {
    let bounty = get_bounty(store, state, bounty_id)?;
    check_claimable(bounty_id, &bounty, facts, provider)?;
    ensure!(facts.value_received == bounty.collateral_per_replica, illegal_argument;
        "send exactly the collateral {}, got {}", bounty.collateral_per_replica, facts.value_received);
    ensure!(deal_id != NO_DEAL, illegal_argument; "deal id {deal_id} is reserved for DDO claims");
    if let Some(claim) = state.deals(store)?.get(&deal_id)? {
        return Err(actor_error!(illegal_state; "deal {deal_id} already backs claim {claim}"));
    }
    Ok(bounty)
}

/// The checks every claim passes whichever way it comes, a deal (`ClaimBounty`) or a DDO
/// activation (`SectorContentChanged`): the bounty takes claims now, has an open slot, allows
/// the provider, which holds none of its claims yet, and has not taken its last claim. A new
/// claim-time rule belongs here, so that both paths apply it (with [`check_reputation`] and
/// [`check_stored_piece`], the checks that need another actor's answer).
pub fn check_claimable(bounty_id: u64, bounty: &Bounty, facts: &Facts, provider: ActorID) -> ActorResult<()> {
    ensure!(bounty.status == BountyStatus::Open, illegal_state; "bounty {bounty_id} is cancelled");
    ensure!(facts.epoch < bounty.expiry, illegal_state; "bounty {bounty_id} expired at {}", bounty.expiry);
    ensure!(bounty.open_slots > 0, illegal_state; "bounty {bounty_id} has no open slot");
    if let Some(allowed) = &bounty.allowed_providers {
        ensure!(allowed.contains(&provider), forbidden; "f0{provider} is not allowed on bounty {bounty_id}");
    }
    // Once per bounty, ever: a replica is a distinct provider, and a provider that lost its
    // slot to a slash does not get it back.
    ensure!(!bounty.claimants.contains(&provider), illegal_state;
        "f0{provider} already claimed bounty {bounty_id}");
    ensure!((bounty.claimants.len() as u64) < claim_cap(bounty), illegal_state;
        "bounty {bounty_id} has taken its {} claims (MAX_CLAIMS_PER_REPLICA × replicas)", claim_cap(bounty));
    Ok(())
}

/// What the storage behind a claim must be, whichever way it comes: the bounty's piece and
/// size, stored until at least `min_duration` epochs from now. `what` names the evidence in
/// errors ("deal 7", "sector 3").
pub fn check_stored_piece(
    bounty: &Bounty,
    facts: &Facts,
    what: &str,
    piece_cid: &cid::Cid,
    piece_size: u64,
    end_epoch: ChainEpoch,
) -> ActorResult<()> {
    check_same_piece(bounty, what, piece_cid, piece_size)?;
    let left = end_epoch.saturating_sub(facts.epoch);
    ensure!(left >= bounty.min_duration, illegal_argument;
        "{what} ends at {end_epoch}: {left} epochs left, the bounty needs {}", bounty.min_duration);
    Ok(())
}

/// [`check_stored_piece`] for a renewal: the storage must last until the new term's end
/// `until` (not just `min_duration` from now: an early renewal's term starts later).
pub fn check_renewal_piece(
    bounty: &Bounty,
    what: &str,
    piece_cid: &cid::Cid,
    piece_size: u64,
    end_epoch: ChainEpoch,
    until: ChainEpoch,
) -> ActorResult<()> {
    check_same_piece(bounty, what, piece_cid, piece_size)?;
    ensure!(end_epoch >= until, illegal_argument;
        "{what} ends at {end_epoch}: the renewed term runs until {until}; use storage lasting that long");
    Ok(())
}

/// The evidence stores the bounty's piece at the bounty's size (a claim's and a renewal's).
fn check_same_piece(bounty: &Bounty, what: &str, piece_cid: &cid::Cid, piece_size: u64) -> ActorResult<()> {
    ensure!(*piece_cid == bounty.piece_cid, illegal_argument;
        "{what} stores {piece_cid}, not the bounty's piece {}", bounty.piece_cid);
    ensure!(piece_size == bounty.piece_size, illegal_argument;
        "{what} piece size is {piece_size}, the bounty's {}", bounty.piece_size);
    Ok(())
}

/// How many claims a bounty takes over its life.
pub fn claim_cap(bounty: &Bounty) -> u64 {
    bounty.replicas.saturating_mul(MAX_CLAIMS_PER_REPLICA)
}

/// Checks the evidence the escrow verified and locked on (its `Lock` answer: the deal is the
/// provider's, activated, in the named sector, and that sector is active) against the bounty:
/// the deal stores the bounty's piece and lasts long enough. Returns the claim's receipt.
pub fn verify_locked_evidence(
    bounty: &Bounty,
    facts: &Facts,
    deal_id: u64,
    sector_number: u64,
    locked: &LockReturn,
) -> ActorResult<DealReceipt> {
    let id = deal_id;
    let deal = locked.deal.as_ref().filter(|d| d.deal_id == id).ok_or_else(
        || actor_error!(illegal_state; "the escrow's lock {} is not on deal {id}", locked.lock_id),
    )?;
    ensure!(locked.sector.as_ref().is_some_and(|s| s.sector_number == sector_number), illegal_state;
        "the escrow's lock {} is not on sector {sector_number}", locked.lock_id);
    check_stored_piece(
        bounty,
        facts,
        &format!("deal {id}"),
        &deal.piece_cid,
        deal.piece_size,
        deal.end_epoch,
    )?;
    ensure!(deal.activated >= 0, illegal_argument; "deal {id} is not activated");
    Ok(DealReceipt {
        deal_id: id,
        start_epoch: deal.start_epoch,
        end_epoch: deal.end_epoch,
        activated: deal.activated,
        sector: sector_number,
    })
}

/// Who a claimant is for a bounty's diversity rules, as the shell learnt it at claim time:
/// its miner's owner (asked when the bounty has `distinct_owners`) and its registry region
/// (asked when it has `max_per_region`; [`UNKNOWN_REGION`] when the registry has none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimantProfile {
    pub owner: Option<ActorID>,
    pub region: Option<String>,
}

/// What the shell must learn about a claimant for this bounty's rules.
pub fn needs_owner(bounty: &Bounty) -> bool {
    bounty.distinct_owners
}

pub fn needs_region(bounty: &Bounty) -> bool {
    bounty.max_per_region.is_some()
}

/// The replica-diversity rules against the claims holding a slot now (a slashed claim no
/// longer stores the piece, a completed one is no longer paid to): `distinct_owners` refuses
/// a second slot to an owner, `max_per_region` a (k+1)-th slot in a region. The refusal names
/// the rule and the existing claims. Every claim path (deal or DDO) calls this before locking.
pub fn check_diversity(
    bounty_id: u64,
    bounty: &Bounty,
    provider: ActorID,
    profile: &ClaimantProfile,
) -> ActorResult<()> {
    if bounty.distinct_owners {
        let owner = profile.owner.ok_or_else(
            || actor_error!(illegal_state; "distinct_owners: the owner of f0{provider} is not known"),
        )?;
        if let Some(h) = bounty.holders.iter().find(|h| h.owner == Some(owner)) {
            return Err(actor_error!(forbidden;
                "distinct_owners: f0{provider}'s owner f0{owner} already holds claim {} (by f0{}) on bounty {bounty_id}",
                h.claim_id, h.provider));
        }
    }
    if let Some(k) = bounty.max_per_region {
        let region = profile.region.as_deref().ok_or_else(
            || actor_error!(illegal_state; "max_per_region: the region of f0{provider} is not known"),
        )?;
        let same: Vec<u64> = bounty
            .holders
            .iter()
            .filter(|h| h.region.as_deref() == Some(region))
            .map(|h| h.claim_id)
            .collect();
        if same.len() as u64 >= u64::from(k) {
            return Err(actor_error!(forbidden;
                "max_per_region = {k}: region {region:?} of f0{provider} already has claims {same:?} on bounty {bounty_id}"));
        }
    }
    Ok(())
}

/// The region the registry's `GetReputation` answer gives a provider: its registered region,
/// or [`UNKNOWN_REGION`] when unregistered (`None`) or registered without one.
pub fn region_of(registered: Option<&str>) -> String {
    match registered {
        Some(r) if !r.is_empty() => r.to_owned(),
        _ => UNKNOWN_REGION.to_owned(),
    }
}

pub fn check_reputation(bounty: &Bounty, provider: ActorID, score: Option<u16>) -> ActorResult<()> {
    if let Some(min) = bounty.min_reputation {
        let score = score.ok_or_else(|| ActorError::illegal_state("no reputation score"))?;
        ensure!(score >= min, forbidden; "f0{provider} scores {score}, the bounty needs {min}");
    }
    Ok(())
}

/// When a claim made now stops vesting, and its collateral lock ends.
pub fn vest_end(bounty: &Bounty, facts: &Facts) -> ChainEpoch {
    facts.epoch + bounty.min_duration
}

/// Records a deal claim on a free slot, its collateral (the value received) held by escrow
/// lock `lock_id`: the slot's share of the pool becomes the claim's reward.
#[allow(clippy::too_many_arguments)]
pub fn create_claim<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    bounty_id: u64,
    bounty: Bounty,
    provider: ActorID,
    receipt: DealReceipt,
    lock_id: u64,
    profile: ClaimantProfile,
) -> ActorResult<(u64, Claim, Vec<ActorEvent>)> {
    let collateral = facts.value_received.clone();
    let (claim_id, claim) = record_claim(
        store, state, facts, bounty_id, bounty, provider, receipt, lock_id, collateral, profile,
    )?;
    let event = EventBuilder::new(EVENT_CLAIMED)
        .indexed("bounty", &bounty_id)
        .indexed("claim", &claim_id)
        .indexed("provider", &provider)
        .field("deal", &claim.deal.deal_id)
        .field("reward", &claim.reward)
        .field("vest_end", &claim.vest_end)
        .build()?;
    Ok((claim_id, claim, vec![event]))
}

/// A claim on a free slot, with its receipt and its collateral in escrow lock `lock_id`,
/// whichever way it came; a deal receipt's deal is marked used.
#[allow(clippy::too_many_arguments)]
fn record_claim<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    bounty_id: u64,
    mut bounty: Bounty,
    provider: ActorID,
    receipt: DealReceipt,
    lock_id: u64,
    collateral: TokenAmount,
    profile: ClaimantProfile,
) -> ActorResult<(u64, Claim)> {
    ensure!(!bounty.claimants.contains(&provider), illegal_state;
        "f0{provider} already claimed bounty {bounty_id}");
    check_diversity(bounty_id, &bounty, provider, &profile)?;
    let mut deals = state.deals(store)?;
    let by_deal = receipt.deal_id != NO_DEAL;
    if by_deal {
        if let Some(claim) = deals.get(&receipt.deal_id)? {
            return Err(actor_error!(illegal_state; "deal {} already backs claim {claim}", receipt.deal_id));
        }
    }
    // Equal shares of what the open slots hold; the last slot takes the remainder.
    let reward = if bounty.open_slots == 1 {
        bounty.pool.clone()
    } else {
        bounty.pool.div_floor(bounty.open_slots)
    };
    bounty.pool = token::sub(&bounty.pool, &reward)?;
    bounty.open_slots -= 1;
    let claim_id = state.next_claim_id;
    bounty.holders.push(SlotHolder {
        claim_id,
        provider,
        owner: profile.owner.filter(|_| bounty.distinct_owners),
        region: profile.region.filter(|_| bounty.max_per_region.is_some()),
    });
    bounty.claimants.push(provider);
    // The bounty's last claim ever: a slot still open could never be taken, so its reward is
    // the client's again.
    if bounty.claimants.len() as u64 >= claim_cap(&bounty) && bounty.open_slots > 0 {
        bounty.refundable = token::add(&bounty.refundable, &bounty.pool)?;
        bounty.pool = TokenAmount::default();
        bounty.open_slots = 0;
    }
    let claim = Claim {
        bounty_id,
        provider,
        claimed_by: facts.caller,
        deal: receipt,
        claimed_at: facts.epoch,
        vest_end: vest_end(&bounty, facts),
        reward,
        paid: TokenAmount::default(),
        collateral,
        lock_id: Some(lock_id),
        status: ClaimStatus::Active,
        stopped_at: None,
        term_start: facts.epoch,
        history: vec![],
    };
    let mut bounties = state.bounties(store)?;
    bounties.set(bounty_id, bounty)?;
    state.bounties = bounties.flush()?;
    let mut claims = state.claims(store)?;
    claims.set(claim_id, claim.clone())?;
    state.claims = claims.flush()?;
    if by_deal {
        // Absent: checked above, before anything changed.
        deals.set(&claim.deal.deal_id, claim_id)?;
        state.deals = deals.flush()?;
    }
    let mut unpaid = state.unpaid(store)?;
    unpaid.insert(&provider, claim_id)?;
    state.unpaid = unpaid.flush()?;
    state.next_claim_id += 1;
    // The reward moved from the pool to the claim: what the market owes is unchanged.
    Ok((claim_id, claim))
}

// --- renewals ---

/// `FundRenewals`: the bounty's client adds `renewals` terms, sending exactly renewals ×
/// reward_per_replica, into its renewal pool (its money alone). Allowed after the expiry
/// (renewals happen after it), not on a cancelled bounty.
pub fn fund_renewals<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    p: &FundRenewalsParams,
) -> ActorResult<Vec<ActorEvent>> {
    let bounty_id = p.bounty_id;
    let mut bounties = state.bounties(store)?;
    let mut bounty = bounties
        .get(bounty_id)?
        .cloned()
        .or_not_found(format_args!("bounty {bounty_id}"))?;
    ensure!(bounty.client == facts.caller, forbidden;
        "only the client funds renewals of bounty {bounty_id}");
    ensure!(bounty.status == BountyStatus::Open, illegal_argument;
        "bounty {bounty_id} is cancelled: no claim of it can renew");
    ensure!(p.renewals >= 1, illegal_argument; "fund at least 1 renewal");
    let left = bounty.renewals_left.saturating_add(p.renewals);
    ensure!(left <= bounty.renewal_cap(), illegal_argument;
        "bounty {bounty_id} would hold {left} renewals, more than replicas × MAX_RENEWALS_PER_CLAIM = {}",
        bounty.renewal_cap());
    let amount = token::mul(&bounty.reward_per_replica, p.renewals)?;
    ensure!(facts.value_received == amount, illegal_argument;
        "send exactly renewals × reward = {amount}, got {}", facts.value_received);
    bounty.renewals_left = left;
    bounty.renewal_pool = token::add(&bounty.renewal_pool, &amount)?;
    bounty.renewals_funded = token::add(&bounty.renewals_funded, &amount)?;
    bounties.set(bounty_id, bounty)?;
    state.bounties = bounties.flush()?;
    state.owed = token::add(&state.owed, &amount)?;
    Ok(vec![EventBuilder::new(EVENT_RENEWALS_FUNDED)
        .indexed("bounty", &bounty_id)
        .indexed("client", &facts.caller)
        .field("renewals", &p.renewals)
        .field("amount", &amount)
        .build()?])
}

/// `ReclaimRenewals`: the client takes back the whole renewal pool and withdraws the offer
/// (renewals_left = 0), at any time. Returns the amount the shell pays it.
pub fn reclaim_renewals<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    bounty_id: u64,
) -> ActorResult<(TokenAmount, Vec<ActorEvent>)> {
    let mut bounties = state.bounties(store)?;
    let mut bounty = bounties
        .get(bounty_id)?
        .cloned()
        .or_not_found(format_args!("bounty {bounty_id}"))?;
    ensure!(bounty.client == facts.caller, forbidden;
        "only the client reclaims the renewals of bounty {bounty_id}");
    ensure!(bounty.renewal_pool.is_positive(), illegal_argument;
        "bounty {bounty_id} holds no renewal money to reclaim");
    let amount = std::mem::take(&mut bounty.renewal_pool);
    bounty.renewals_left = 0;
    bounty.renewals_reclaimed = token::add(&bounty.renewals_reclaimed, &amount)?;
    bounties.set(bounty_id, bounty)?;
    state.bounties = bounties.flush()?;
    state.owed = token::sub(&state.owed, &amount)?;
    let event = EventBuilder::new(EVENT_RENEWALS_RECLAIMED)
        .indexed("bounty", &bounty_id)
        .indexed("client", &facts.caller)
        .field("amount", &amount)
        .build()?;
    Ok((amount, vec![event]))
}

/// The epochs a claim may renew in: from `vest_end − min_duration/4` (its storage is about to
/// end) to `vest_end + min_duration` (it completed; later, the provider starts over).
pub fn renewal_window(claim: &Claim, bounty: &Bounty) -> (ChainEpoch, ChainEpoch) {
    (
        claim.vest_end.saturating_sub(bounty.min_duration / 4),
        claim.vest_end.saturating_add(bounty.min_duration),
    )
}

/// The renewed term of a claim renewed at `epoch`: from max(epoch, vest_end) (continuous when
/// renewed early) for `min_duration`.
pub fn renewal_term(claim: &Claim, bounty: &Bounty, epoch: ChainEpoch) -> (ChainEpoch, ChainEpoch) {
    let start = epoch.max(claim.vest_end);
    (start, start.saturating_add(bounty.min_duration))
}

/// Every renewal check that needs no other actor, whichever way it comes (deal or DDO), on
/// a claim and its bounty already read: the claim is Active or Completed, its bounty is not
/// cancelled and has a funded renewal, the history has room, and now is inside the window.
pub fn check_renewal_rules(claim_id: u64, claim: &Claim, bounty: &Bounty, facts: &Facts) -> ActorResult<()> {
    let bounty_id = claim.bounty_id;
    ensure!(claim.status != ClaimStatus::Slashed, illegal_argument;
        "claim {claim_id} was slashed at {:?}: a slashed claim does not renew, claim a new bounty",
        claim.stopped_at);
    ensure!(bounty.status == BountyStatus::Open, illegal_argument;
        "bounty {bounty_id} is cancelled: its claims do not renew");
    ensure!(bounty.renewals_left > 0, illegal_argument;
        "the client has funded no renewal of bounty {bounty_id}: ask it to FundRenewals");
    ensure!((claim.history.len() as u64) < MAX_RENEWALS_PER_CLAIM, illegal_argument;
        "claim {claim_id} has renewed {} times, MAX_RENEWALS_PER_CLAIM: claim a new bounty",
        claim.history.len());
    let (from, until) = renewal_window(claim, bounty);
    ensure!(facts.epoch >= from, illegal_argument;
        "claim {claim_id} renews from epoch {from} (its term ends at {}): renew later", claim.vest_end);
    ensure!(facts.epoch <= until, illegal_argument;
        "claim {claim_id}'s renewal window closed at {until}: claim a new bounty instead");
    Ok(())
}

/// [`check_renewal_rules`] for a `RenewClaim` of `claim` (read by the shell to check the
/// caller), plus the value (the collateral) and the deal: a real deal, backing no claim yet.
/// Returns the bounty.
pub fn precheck_renew<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    p: &RenewClaimParams,
    claim: &Claim,
) -> ActorResult<Bounty> {
    let bounty = get_bounty(store, state, claim.bounty_id)?;
    check_renewal_rules(p.claim_id, claim, &bounty, facts)?;
    ensure!(facts.value_received == bounty.collateral_per_replica, illegal_argument;
        "send exactly the collateral {}, got {}", bounty.collateral_per_replica, facts.value_received);
    let deal_id = p.deal_id;
    ensure!(deal_id != NO_DEAL, illegal_argument; "deal id {deal_id} is reserved for DDO claims");
    if let Some(other) = state.deals(store)?.get(&deal_id)? {
        return Err(actor_error!(illegal_state;
            "deal {deal_id} already backs claim {other}: renew with a new deal"));
    }
    Ok(bounty)
}

/// Checks the escrow's `Lock` answer for a renewal (as [`verify_locked_evidence`]): the deal
/// stores the bounty's piece until the new term's end `until`. Returns the term's receipt.
pub fn verify_renewal_evidence(
    bounty: &Bounty,
    deal_id: u64,
    sector_number: u64,
    until: ChainEpoch,
    locked: &LockReturn,
) -> ActorResult<DealReceipt> {
    let deal = locked.deal.as_ref().filter(|d| d.deal_id == deal_id).ok_or_else(
        || actor_error!(illegal_state; "the escrow's lock {} is not on deal {deal_id}", locked.lock_id),
    )?;
    ensure!(locked.sector.as_ref().is_some_and(|s| s.sector_number == sector_number), illegal_state;
        "the escrow's lock {} is not on sector {sector_number}", locked.lock_id);
    check_renewal_piece(
        bounty,
        &format!("deal {deal_id}"),
        &deal.piece_cid,
        deal.piece_size,
        deal.end_epoch,
        until,
    )?;
    ensure!(deal.activated >= 0, illegal_argument; "deal {deal_id} is not activated");
    Ok(DealReceipt {
        deal_id,
        start_epoch: deal.start_epoch,
        end_epoch: deal.end_epoch,
        activated: deal.activated,
        sector: sector_number,
    })
}

/// Records a renewal of `claim_id` (`claim` and its `bounty` as read and checked by
/// [`check_renewal_rules`] in this message, the state unchanged since: the escrow's `Lock` is
/// checked to leave it so) with its new evidence, lock and collateral: the current term joins
/// the history, the new term takes `renewal_pool / renewals_left` (the last the rest), the
/// claim is Active and unpaid again. The reward moves from the bounty's renewal pool to the
/// claim: what is owed is unchanged.
#[allow(clippy::too_many_arguments)]
pub fn record_renewal<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    claim_id: u64,
    (mut claim, mut bounty): (Claim, Bounty),
    receipt: DealReceipt,
    lock_id: u64,
    collateral: TokenAmount,
) -> ActorResult<(RenewClaimReturn, Vec<ActorEvent>)> {
    let bounty_id = claim.bounty_id;
    ensure!(bounty.renewals_left > 0 && claim.status != ClaimStatus::Slashed, illegal_state;
        "claim {claim_id} is not renewable");
    ensure!(claim.locks().all(|l| l != lock_id), illegal_state;
        "lock {lock_id} already backs claim {claim_id}");
    let mut deals = state.deals(store)?;
    let by_deal = receipt.deal_id != NO_DEAL;
    if by_deal {
        if let Some(other) = deals.get(&receipt.deal_id)? {
            return Err(actor_error!(illegal_state; "deal {} already backs claim {other}", receipt.deal_id));
        }
    }
    let (term_start, term_end) = renewal_term(&claim, &bounty, facts.epoch);
    let reward = if bounty.renewals_left == 1 {
        bounty.renewal_pool.clone()
    } else {
        bounty.renewal_pool.div_floor(bounty.renewals_left)
    };
    bounty.renewal_pool = token::sub(&bounty.renewal_pool, &reward)?;
    bounty.renewals_left -= 1;
    let previous = ClaimTerm {
        deal: std::mem::replace(&mut claim.deal, receipt),
        lock_id: claim.lock_id.replace(lock_id),
        collateral: std::mem::replace(&mut claim.collateral, collateral),
        start: claim.term_start,
        end: claim.vest_end,
        reward: std::mem::replace(&mut claim.reward, reward.clone()),
    };
    claim.history.push(previous);
    claim.term_start = term_start;
    claim.vest_end = term_end;
    claim.status = ClaimStatus::Active;
    let event = EventBuilder::new(EVENT_CLAIM_RENEWED)
        .indexed("bounty", &bounty_id)
        .indexed("claim", &claim_id)
        .indexed("provider", &claim.provider)
        .field("deal", &claim.deal.deal_id)
        .field("lock", &lock_id)
        .field("reward", &reward)
        .field("term_start", &term_start)
        .field("term_end", &term_end)
        .build()?;
    let provider = claim.provider;
    if by_deal {
        deals.set(&claim.deal.deal_id, claim_id)?;
        state.deals = deals.flush()?;
    }
    let mut claims = state.claims(store)?;
    claims.set(claim_id, claim)?;
    state.claims = claims.flush()?;
    let mut bounties = state.bounties(store)?;
    bounties.set(bounty_id, bounty)?;
    state.bounties = bounties.flush()?;
    // Withdraw may have dropped a completed, fully paid claim: it owes again.
    let mut unpaid = state.unpaid(store)?;
    if !unpaid.contains(&provider, claim_id)? {
        unpaid.insert(&provider, claim_id)?;
        state.unpaid = unpaid.flush()?;
    }
    Ok((
        RenewClaimReturn {
            claim_id,
            lock_id,
            reward,
            term_start,
            term_end,
        },
        vec![event],
    ))
}

/// A DDO renewal's checks that need no other actor: the payload names `[bounty, claim]`, the
/// claim is that bounty's and the notifying miner's, [`check_renewal_rules`], the piece is the
/// bounty's and the sector is committed until the new term's end, the deposit holds the
/// collateral. Returns the claim id, the claim, its bounty and the new term's end.
pub fn precheck_ddo_renewal<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    provider: ActorID,
    notified: &NotifiedPiece,
) -> Result<(u64, Claim, Bounty, ChainEpoch), Refusal> {
    let (bounty_id, claim_id) = decode_ddo_renewal(notified.piece.payload.bytes()).ok_or_else(
        || actor_error!(illegal_argument; "the payload is not the CBOR of [bounty id, claim id]"),
    )?;
    // Whose claim it is comes first, as the caller check of a `RenewClaim`.
    let claim = get_claim(store, state, claim_id)?;
    ensure!(claim.provider == provider, forbidden;
        "claim {claim_id} is f0{}'s: f0{provider} cannot renew it", claim.provider);
    ensure!(claim.bounty_id == bounty_id, illegal_argument;
        "claim {claim_id} is on bounty {}, the payload names bounty {bounty_id}", claim.bounty_id);
    let bounty = get_bounty(store, state, bounty_id)?;
    check_renewal_rules(claim_id, &claim, &bounty, facts)?;
    let (_, term_end) = renewal_term(&claim, &bounty, facts.epoch);
    check_renewal_piece(
        &bounty,
        &format!("sector {}", notified.sector),
        &notified.piece.data,
        notified.piece.size,
        notified.committed_until,
        term_end,
    )?;
    let available = deposit_of(store, state, provider)?.available;
    ensure!(available >= bounty.collateral_per_replica, insufficient_funds;
        "f0{provider} has {available} of collateral deposited, renewing claim {claim_id} needs {}: DepositCollateral first",
        bounty.collateral_per_replica);
    Ok((claim_id, claim, bounty, term_end))
}

/// Records a DDO renewal whose collateral the escrow locked in `lock_id` from the provider's
/// deposit (sector evidence, no deal).
#[allow(clippy::too_many_arguments)]
pub fn create_ddo_renewal<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    claim_id: u64,
    checked: (Claim, Bounty),
    notified: &NotifiedPiece,
    lock_id: u64,
) -> ActorResult<(RenewClaimReturn, Vec<ActorEvent>)> {
    let collateral = checked.1.collateral_per_replica.clone();
    take_deposit(store, state, facts.caller, &collateral)?;
    let receipt = DealReceipt {
        deal_id: NO_DEAL,
        start_epoch: facts.epoch,
        end_epoch: notified.committed_until,
        activated: facts.epoch,
        sector: notified.sector,
    };
    record_renewal(
        store, state, facts, claim_id, checked, receipt, lock_id, collateral,
    )
}

// --- DDO claims ---

/// Why a notified piece was not accepted: the exit code a `ClaimBounty` with the same
/// evidence would have failed with, and the message. Answered `accepted: false` and told in a
/// `ddo-piece-refused` event; the notification itself never aborts for it.
pub type Refusal = ActorError;

/// A notified piece as the market sees it: which sector, until when it is committed (the
/// lower of the notification's `minimum_commitment_epoch` and the miner's nominal expiration,
/// when the shell could read it), the piece and its payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotifiedPiece<'a> {
    pub sector: u64,
    pub committed_until: ChainEpoch,
    pub piece: &'a PieceChange,
}

/// Everything about a DDO claim that needs no other actor, in the order a deal claim checks
/// them: the payload names a bounty ([`decode_ddo_payload`]), the bounty takes this provider's
/// claim ([`check_claimable`]), the piece and size are the bounty's and the sector lasts
/// `min_duration` ([`check_stored_piece`]), and the provider's deposit holds the collateral.
/// Returns the bounty id and the bounty.
pub fn precheck_ddo_piece<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    provider: ActorID,
    notified: &NotifiedPiece,
) -> Result<(u64, Bounty), Refusal> {
    let bounty_id = decode_ddo_payload(notified.piece.payload.bytes()).ok_or_else(
        || actor_error!(illegal_argument; "the payload is not the CBOR of a bounty id (a u64)"),
    )?;
    let bounty = get_bounty(store, state, bounty_id)?;
    check_claimable(bounty_id, &bounty, facts, provider)?;
    check_stored_piece(
        &bounty,
        facts,
        &format!("sector {}", notified.sector),
        &notified.piece.data,
        notified.piece.size,
        notified.committed_until,
    )?;
    let available = deposit_of(store, state, provider)?.available;
    ensure!(available >= bounty.collateral_per_replica, insufficient_funds;
        "f0{provider} has {available} of collateral deposited, bounty {bounty_id} needs {}: DepositCollateral first",
        bounty.collateral_per_replica);
    Ok((bounty_id, bounty))
}

/// Records a DDO claim whose collateral the escrow locked in `lock_id` (sector evidence, no
/// deal): the collateral leaves the provider's deposit, the receipt names the sector and its
/// commitment epoch, `claimed_by` is the miner that notified.
#[allow(clippy::too_many_arguments)]
pub fn create_ddo_claim<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    bounty_id: u64,
    bounty: Bounty,
    notified: &NotifiedPiece,
    lock_id: u64,
    profile: ClaimantProfile,
) -> ActorResult<(u64, Claim, Vec<ActorEvent>)> {
    let provider = facts.caller;
    let collateral = bounty.collateral_per_replica.clone();
    take_deposit(store, state, provider, &collateral)?;
    let receipt = DealReceipt {
        deal_id: NO_DEAL,
        start_epoch: facts.epoch,
        end_epoch: notified.committed_until,
        activated: facts.epoch,
        sector: notified.sector,
    };
    let (claim_id, claim) = record_claim(
        store, state, facts, bounty_id, bounty, provider, receipt, lock_id, collateral, profile,
    )?;
    let event = EventBuilder::new(EVENT_DDO_CLAIMED)
        .indexed("bounty", &bounty_id)
        .indexed("claim", &claim_id)
        .indexed("provider", &provider)
        .field("sector", &notified.sector)
        .field("reward", &claim.reward)
        .field("vest_end", &claim.vest_end)
        .build()?;
    Ok((claim_id, claim, vec![event]))
}

/// The event telling why a notified piece was answered `accepted: false`.
pub fn ddo_refused_event(
    provider: ActorID,
    notified: &NotifiedPiece,
    refusal: &Refusal,
) -> ActorResult<ActorEvent> {
    let bounty = ddo_payload_bounty(notified.piece.payload.bytes());
    EventBuilder::new(EVENT_DDO_REFUSED)
        .indexed("provider", &provider)
        .indexed("bounty", &bounty)
        .field("sector", &notified.sector)
        .field("piece", &notified.piece.data)
        .field("exit", &refusal.exit_code().value())
        .field("reason", refusal.message())
        .build()
}

// --- collateral deposits ---

pub fn deposit_of<BS: Blockstore>(
    store: &BS,
    state: &State,
    provider: ActorID,
) -> ActorResult<CollateralDeposit> {
    Ok(state
        .deposits(store)?
        .get(&provider)?
        .cloned()
        .unwrap_or_default())
}

/// `DepositCollateral`: the value received joins the provider's deposit.
pub fn deposit_collateral<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    provider: ActorID,
) -> ActorResult<(CollateralDeposit, Vec<ActorEvent>)> {
    token::positive(&facts.value_received, "the deposit")?;
    let mut deposits = state.deposits(store)?;
    let mut deposit = deposits.get(&provider)?.cloned().unwrap_or_default();
    deposit.available = token::add(&deposit.available, &facts.value_received)?;
    deposits.set(&provider, deposit.clone())?;
    state.deposits = deposits.flush()?;
    state.owed = token::add(&state.owed, &facts.value_received)?;
    let event = EventBuilder::new(EVENT_COLLATERAL_DEPOSITED)
        .indexed("provider", &provider)
        .field("amount", &facts.value_received)
        .field("available", &deposit.available)
        .field("by", &facts.caller)
        .build()?;
    Ok((deposit, vec![event]))
}

/// `WithdrawCollateral`: `amount` (positive, at most what is available) leaves the deposit;
/// the shell pays it to the miner's owner.
pub fn withdraw_collateral<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    provider: ActorID,
    amount: &TokenAmount,
) -> ActorResult<(CollateralDeposit, Vec<ActorEvent>)> {
    token::positive(amount, "the amount")?;
    let mut deposits = state.deposits(store)?;
    let mut deposit = deposits.get(&provider)?.cloned().unwrap_or_default();
    ensure!(*amount <= deposit.available, insufficient_funds;
        "f0{provider} has {} of collateral not locked, cannot withdraw {amount}", deposit.available);
    deposit.available = token::sub(&deposit.available, amount)?;
    deposits.set(&provider, deposit.clone())?;
    state.deposits = deposits.flush()?;
    state.owed = token::sub(&state.owed, amount)?;
    let event = EventBuilder::new(EVENT_COLLATERAL_WITHDRAWN)
        .indexed("provider", &provider)
        .field("amount", amount)
        .field("available", &deposit.available)
        .field("by", &facts.caller)
        .build()?;
    Ok((deposit, vec![event]))
}

/// Moves `amount` of the provider's deposit into a lock (the shell sent it to the escrow).
fn take_deposit<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    provider: ActorID,
    amount: &TokenAmount,
) -> ActorResult<()> {
    let mut deposits = state.deposits(store)?;
    let mut deposit = deposits.get(&provider)?.cloned().unwrap_or_default();
    ensure!(*amount <= deposit.available, illegal_state;
        "f0{provider} has {} deposited, the lock took {amount}", deposit.available);
    deposit.available = token::sub(&deposit.available, amount)?;
    deposit.locked_total = token::add(&deposit.locked_total, amount)?;
    deposits.set(&provider, deposit)?;
    state.deposits = deposits.flush()?;
    state.owed = token::sub(&state.owed, amount)?;
    Ok(())
}

/// The escrow's callback: a slash stops vesting and gives the unvested reward back (the slot
/// term's to the bounty, reopening the slot while the bounty takes claims; renewal terms' to
/// the client's `renewal_pool`); a release of the current lock completes the claim, a release
/// of an earlier term's lock completes that term alone. A fault fee changes nothing here (the
/// storage may recover). Repeats, and anything on a claim no longer Active, are no-ops.
pub fn on_collateral_changed<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    p: &OnCollateralChangedParams,
) -> ActorResult<Vec<ActorEvent>> {
    // The lock's reference is the claim id the market gave at Lock; the claim names the lock,
    // as its current term's or an earlier one's.
    let claim_id = p
        .reference
        .ok_or_else(|| actor_error!(not_found; "lock {} carries no claim reference", p.lock_id))?;
    let mut claims = state.claims(store)?;
    let mut claim = claims
        .get(claim_id)?
        .cloned()
        .or_not_found(format_args!("claim {claim_id}"))?;
    let current = claim.lock_id == Some(p.lock_id);
    ensure!(current || claim.history.iter().any(|t| t.lock_id == Some(p.lock_id)), not_found;
        "lock {} does not back claim {claim_id}", p.lock_id);
    let bounty_id = claim.bounty_id;
    if claim.status != ClaimStatus::Active || p.change == CollateralChange::FaultFee {
        return Ok(vec![]);
    }
    let mut bounties = state.bounties(store)?;
    let mut bounty = bounties
        .get(bounty_id)?
        .cloned()
        .or_not_found(format_args!("bounty {bounty_id}"))?;
    let holds = bounty.holders.iter().any(|h| h.claim_id == claim_id);
    bounty.holders.retain(|h| h.claim_id != claim_id);
    let event = if p.change == CollateralChange::Slashed {
        // Either term's storage failed: the whole claim stops. Split what had not vested by
        // whose money it was.
        let slot_unvested = token::sub(claim.slot_term().2, &claim.slot_vested(facts.epoch))?;
        let unvested = token::sub(&claim.total_reward(), &claim.vested(facts.epoch))?;
        let renewal_unvested = token::sub(&unvested, &slot_unvested)?;
        claim.status = ClaimStatus::Slashed;
        claim.stopped_at = Some(facts.epoch);
        let reopens = holds
            && bounty.status == BountyStatus::Open
            && facts.epoch < bounty.expiry
            && (bounty.claimants.len() as u64) < claim_cap(&bounty);
        if reopens {
            bounty.open_slots += 1;
            bounty.pool = token::add(&bounty.pool, &slot_unvested)?;
        } else {
            bounty.refundable = token::add(&bounty.refundable, &slot_unvested)?;
        }
        // The client's renewal money stays the client's: back to its pool for a later
        // renewal, or ReclaimRenewals.
        bounty.renewal_pool = token::add(&bounty.renewal_pool, &renewal_unvested)?;
        let event = EventBuilder::new(EVENT_CLAIM_SLASHED)
            .indexed("bounty", &bounty_id)
            .indexed("claim", &claim_id)
            .indexed("provider", &claim.provider)
            .field("returned", &slot_unvested)
            .field("collateral_slashed", &p.amount);
        // A renewed claim also says what went back to the client's renewal pool.
        match claim.history.is_empty() {
            true => event.build()?,
            false => event.field("renewal_returned", &renewal_unvested).build()?,
        }
    } else if current {
        claim.status = ClaimStatus::Completed;
        EventBuilder::new(EVENT_CLAIM_COMPLETED)
            .indexed("bounty", &bounty_id)
            .indexed("claim", &claim_id)
            .indexed("provider", &claim.provider)
            .field("reward", &claim.total_reward())
            .build()?
    } else {
        // An earlier term delivered (its slot, if it was the slot term); the claim goes on.
        EventBuilder::new(EVENT_CLAIM_TERM_COMPLETED)
            .indexed("bounty", &bounty_id)
            .indexed("claim", &claim_id)
            .indexed("provider", &claim.provider)
            .field("lock", &p.lock_id)
            .build()?
    };
    claims.set(claim_id, claim)?;
    state.claims = claims.flush()?;
    bounties.set(bounty_id, bounty)?;
    state.bounties = bounties.flush()?;
    Ok(vec![event])
}

/// Pays a provider what vested on up to `max_claims_per_withdraw` of its unpaid claims,
/// resuming where its previous `Withdraw` stopped, so repeated calls reach every claim.
/// Returns the amount, whether claims remain beyond this page, and the events. A claim leaves
/// the index once everything it will ever pay is paid.
pub fn withdraw<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    provider: ActorID,
) -> ActorResult<(TokenAmount, bool, Vec<ActorEvent>)> {
    let mut unpaid = state.unpaid(store)?;
    let mut cursors = state.withdraw_cursors(store)?;
    // A cursor whose claim settled meanwhile restarts the walk.
    let cursor = match cursors.get(&provider)? {
        Some(c) if unpaid.contains(&provider, *c)? => Some(*c),
        _ => None,
    };
    let page = unpaid.page(&provider, cursor, state.policy.max_claims_per_withdraw as usize)?;
    let mut claims = state.claims(store)?;
    let mut total = TokenAmount::default();
    let mut settled = Vec::new();
    for (claim_id, _) in &page.entries {
        let mut claim = claims
            .get(*claim_id)?
            .cloned()
            .or_not_found(format_args!("claim {claim_id}"))?;
        let vested = claim.vested(facts.epoch);
        let due = token::sub(&vested, &claim.paid)?;
        if !due.is_zero() {
            total = token::add(&total, &due)?;
            claim.paid = vested;
            claims.set(*claim_id, claim.clone())?;
        }
        let done = claim.paid == claim.entitled()
            && (claim.status != ClaimStatus::Active || facts.epoch >= claim.vest_end);
        if done {
            settled.push(*claim_id);
        }
    }
    let more = page.next.is_some();
    ensure!(!total.is_zero() || !settled.is_empty() || more || cursor.is_some(), illegal_state;
        "f0{provider} has nothing to withdraw now");
    unpaid.remove_all(&provider, &settled)?;
    match page.next {
        Some(next) => {
            cursors.set(&provider, next)?;
        }
        None => {
            cursors.delete(&provider)?;
        }
    }
    state.claims = claims.flush()?;
    state.unpaid = unpaid.flush()?;
    state.withdraw_cursors = cursors.flush()?;
    state.owed = token::sub(&state.owed, &total)?;
    let event = EventBuilder::new(EVENT_WITHDRAWN)
        .indexed("provider", &provider)
        .field("amount", &total)
        .field("by", &facts.caller)
        .build()?;
    Ok((total, more, vec![event]))
}

pub fn cancel<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    bounty_id: u64,
) -> ActorResult<Vec<ActorEvent>> {
    let mut bounties = state.bounties(store)?;
    let mut bounty = bounties
        .get(bounty_id)?
        .cloned()
        .or_not_found(format_args!("bounty {bounty_id}"))?;
    ensure!(bounty.client == facts.caller, forbidden; "only the client cancels bounty {bounty_id}");
    ensure!(bounty.status == BountyStatus::Open, illegal_state; "bounty {bounty_id} is already cancelled");
    // Past its expiry a bounty takes no claim and a slash refunds the client anyway: a cancel
    // would change nothing. Before it, a cancel of a fully claimed bounty frees nothing now but
    // is still a choice: a claim that fails later refunds its unvested reward instead of
    // reopening its slot.
    ensure!(facts.epoch < bounty.expiry, illegal_state;
        "bounty {bounty_id} expired at {}: it takes no more claims, nothing to cancel (Reclaim takes back what is unclaimed)", bounty.expiry);
    bounty.status = BountyStatus::Cancelled;
    bounty.refundable = token::add(&bounty.refundable, &bounty.pool)?;
    let freed = std::mem::take(&mut bounty.pool);
    let slots = std::mem::take(&mut bounty.open_slots);
    bounties.set(bounty_id, bounty)?;
    state.bounties = bounties.flush()?;
    Ok(vec![EventBuilder::new(EVENT_CANCELLED)
        .indexed("bounty", &bounty_id)
        .indexed("client", &facts.caller)
        .field("slots", &slots)
        .field("freed", &freed)
        .build()?])
}

/// From the expiry on, the open slots' reward is returned (done lazily by the first refund).
fn close_if_expired(bounty: &mut Bounty, epoch: ChainEpoch) -> ActorResult<()> {
    if epoch >= bounty.expiry && bounty.status == BountyStatus::Open {
        bounty.refundable = token::add(&bounty.refundable, &bounty.pool)?;
        bounty.pool = TokenAmount::default();
        bounty.open_slots = 0;
    }
    Ok(())
}

/// After a cancel or the expiry, the client takes back its share of every unclaimed or
/// returned reward: all of it without sponsors, else its pro-rata share (rounded up), and the
/// rounding dust once the returns are final and every sponsor took its final share.
pub fn reclaim<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    bounty_id: u64,
) -> ActorResult<(TokenAmount, Vec<ActorEvent>)> {
    let mut bounties = state.bounties(store)?;
    let mut bounty = bounties
        .get(bounty_id)?
        .cloned()
        .or_not_found(format_args!("bounty {bounty_id}"))?;
    ensure!(bounty.client == facts.caller, forbidden; "only the client reclaims bounty {bounty_id}");
    let expired = facts.epoch >= bounty.expiry;
    ensure!(bounty.status == BountyStatus::Cancelled || expired, illegal_state;
        "bounty {bounty_id} takes claims until {}: cancel it first", bounty.expiry);
    close_if_expired(&mut bounty, facts.epoch)?;
    let amount = token::sub(&bounty.client_refund_entitlement(facts.epoch), &bounty.reclaimed)?;
    ensure!(!amount.is_zero(), illegal_state; "bounty {bounty_id} has nothing to reclaim");
    bounty.refundable = token::sub(&bounty.refundable, &amount)?;
    bounty.reclaimed = token::add(&bounty.reclaimed, &amount)?;
    bounties.set(bounty_id, bounty)?;
    state.bounties = bounties.flush()?;
    state.owed = token::sub(&state.owed, &amount)?;
    let event = EventBuilder::new(EVENT_RECLAIMED)
        .indexed("bounty", &bounty_id)
        .indexed("client", &facts.caller)
        .field("amount", &amount)
        .build()?;
    Ok((amount, vec![event]))
}

/// `FundBounty`: the caller adds the value to the reward of the bounty's open slots (each
/// later claim takes `pool / open_slots`, so every unclaimed replica earns more). Only while
/// the bounty takes claims and has an open slot: nothing has been returned yet then, so every
/// contribution shares every later return.
pub fn fund_bounty<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    bounty_id: u64,
) -> ActorResult<Vec<ActorEvent>> {
    let amount = facts.value_received.clone();
    token::positive(&amount, "the contribution")?;
    let mut bounties = state.bounties(store)?;
    let mut bounty = bounties
        .get(bounty_id)?
        .cloned()
        .or_not_found(format_args!("bounty {bounty_id}"))?;
    ensure!(bounty.status == BountyStatus::Open, illegal_state; "bounty {bounty_id} is cancelled");
    ensure!(facts.epoch < bounty.expiry, illegal_state; "bounty {bounty_id} expired at {}", bounty.expiry);
    ensure!(bounty.open_slots > 0, illegal_state;
        "bounty {bounty_id} has no open slot: a contribution could raise no reward");
    ensure!(bounty.returned().is_zero(), illegal_state;
        "bounty {bounty_id} has already returned {}: contributions are taken before any return", bounty.returned());
    let key = SponsorKey {
        bounty_id,
        sponsor: facts.caller,
    };
    let mut contributions = state.contributions(store)?;
    let mut entry = contributions.get(&key)?.cloned().unwrap_or_default();
    if entry.amount.is_zero() {
        bounty.sponsors += 1;
        bounty.sponsors_unsettled += 1;
    }
    entry.amount = token::add(&entry.amount, &amount)?;
    bounty.pool = token::add(&bounty.pool, &amount)?;
    bounty.sponsored = token::add(&bounty.sponsored, &amount)?;
    let event = EventBuilder::new(EVENT_FUNDED)
        .indexed("bounty", &bounty_id)
        .indexed("sponsor", &facts.caller)
        .field("amount", &amount)
        .field("contributed", &entry.amount)
        .field("pool", &bounty.pool)
        .build()?;
    contributions.set(&key, entry)?;
    state.contributions = contributions.flush()?;
    bounties.set(bounty_id, bounty)?;
    state.bounties = bounties.flush()?;
    state.owed = token::add(&state.owed, &amount)?;
    Ok(vec![event])
}

/// What a sponsor can pull now, on a bounty whose expiry has been applied: its share
/// floor(returned × contribution / raised) less what it took, and whether the returns are final.
fn sponsor_due(bounty: &Bounty, c: &Contribution, epoch: ChainEpoch) -> ActorResult<(TokenAmount, bool)> {
    let share = refund_share(&bounty.returned(), &c.amount, &bounty.raised());
    Ok((token::sub(&share, &c.refunded)?, bounty.returns_final(epoch)))
}

/// `RefundSponsor`: after a cancel or the expiry, the caller pulls its pro-rata share of what
/// the bounty returned so far. Once the returns are final (no claim holds a slot) its pull
/// settles it, even for 0; the last settled sponsor leaves the rounding dust to the client.
pub fn refund_sponsor<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    bounty_id: u64,
) -> ActorResult<(SponsorRefundReturn, Vec<ActorEvent>)> {
    let mut bounties = state.bounties(store)?;
    let mut bounty = bounties
        .get(bounty_id)?
        .cloned()
        .or_not_found(format_args!("bounty {bounty_id}"))?;
    let key = SponsorKey {
        bounty_id,
        sponsor: facts.caller,
    };
    let mut contributions = state.contributions(store)?;
    let mut entry = contributions.get(&key)?.cloned().or_not_found(format_args!(
        "a contribution of f0{} to bounty {bounty_id}",
        facts.caller
    ))?;
    ensure!(bounty.status == BountyStatus::Cancelled || facts.epoch >= bounty.expiry, illegal_state;
        "bounty {bounty_id} takes claims until {}: refunds start at its cancel or expiry", bounty.expiry);
    ensure!(!entry.settled, illegal_state;
        "f0{} already took its final refund of bounty {bounty_id}", facts.caller);
    close_if_expired(&mut bounty, facts.epoch)?;
    let (amount, last) = sponsor_due(&bounty, &entry, facts.epoch)?;
    ensure!(!amount.is_zero() || last, illegal_state;
        "nothing to refund to f0{} now: claims still hold {} slot(s) of bounty {bounty_id}; a slash would return more",
        facts.caller, bounty.holders.len());
    entry.refunded = token::add(&entry.refunded, &amount)?;
    if last {
        entry.settled = true;
        bounty.sponsors_unsettled = bounty
            .sponsors_unsettled
            .checked_sub(1)
            .ok_or_else(|| actor_error!(illegal_state; "bounty {bounty_id} counts no unsettled sponsor"))?;
    }
    bounty.refundable = token::sub(&bounty.refundable, &amount)?;
    bounty.sponsor_refunded = token::add(&bounty.sponsor_refunded, &amount)?;
    let event = EventBuilder::new(EVENT_SPONSOR_REFUNDED)
        .indexed("bounty", &bounty_id)
        .indexed("sponsor", &facts.caller)
        .field("amount", &amount)
        .field("settled", &last)
        .build()?;
    contributions.set(&key, entry)?;
    state.contributions = contributions.flush()?;
    bounties.set(bounty_id, bounty)?;
    state.bounties = bounties.flush()?;
    state.owed = token::sub(&state.owed, &amount)?;
    Ok((
        SponsorRefundReturn {
            amount,
            settled: last,
        },
        vec![event],
    ))
}

/// A sponsor's contribution and what `RefundSponsor` would pay it now.
pub fn get_contribution<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    bounty_id: u64,
    sponsor: ActorID,
) -> ActorResult<GetContributionReturn> {
    let mut bounty = get_bounty(store, state, bounty_id)?;
    let contribution = state
        .contributions(store)?
        .get(&SponsorKey { bounty_id, sponsor })?
        .cloned()
        .or_not_found(format_args!(
            "a contribution of f0{sponsor} to bounty {bounty_id}"
        ))?;
    let refunds = bounty.status == BountyStatus::Cancelled || facts.epoch >= bounty.expiry;
    let refundable_now = if refunds && !contribution.settled {
        close_if_expired(&mut bounty, facts.epoch)?;
        sponsor_due(&bounty, &contribution, facts.epoch)?.0
    } else {
        TokenAmount::default()
    };
    Ok(GetContributionReturn {
        bounty_id,
        sponsor,
        contribution,
        refundable_now,
    })
}

pub fn list_bounties<BS: Blockstore>(
    store: &BS,
    state: &State,
    p: &ListBountiesParams,
) -> ActorResult<ListBountiesReturn> {
    ensure!((1..=state.policy.max_page).contains(&p.limit), illegal_argument;
        "limit must be 1 to {}, got {}", state.policy.max_page, p.limit);
    let bounties = state.bounties(store)?;
    let limit = p.limit as usize;
    let (ids, next): (Vec<u64>, Option<u64>) = match (&p.client, &p.piece_cid) {
        (Some(client), _) => {
            let page = state.by_client(store)?.page(client, p.cursor, limit)?;
            (page.entries.into_iter().map(|(id, _)| id).collect(), page.next)
        }
        (None, Some(piece)) => {
            let page = state.by_piece(store)?.page(&piece.to_bytes(), p.cursor, limit)?;
            (page.entries.into_iter().map(|(id, _)| id).collect(), page.next)
        }
        (None, None) => {
            if let Some(c) = p.cursor {
                ensure!(bounties.contains(c)?, illegal_argument; "cursor {c} is not a bounty");
            }
            let page = bounties.page(p.cursor, limit)?;
            (page.entries.into_iter().map(|(id, _)| id).collect(), page.next)
        }
    };
    let mut out = Vec::with_capacity(ids.len());
    for bounty_id in ids {
        let bounty = bounties
            .get(bounty_id)?
            .cloned()
            .or_not_found(format_args!("bounty {bounty_id}"))?;
        // Filtering by client and piece together keeps the client's page, minus other pieces.
        if p.piece_cid.is_some_and(|piece| piece != bounty.piece_cid) {
            continue;
        }
        out.push(GetBountyReturn { bounty_id, bounty });
    }
    Ok(ListBountiesReturn { bounties: out, next })
}

/// A provider's balance over (at most a page of) its unpaid claims.
pub fn provider_balance<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    provider: ActorID,
) -> ActorResult<ProviderBalance> {
    let page = state
        .unpaid(store)?
        .page(&provider, None, state.policy.max_page as usize)?;
    let claims = state.claims(store)?;
    let mut b = ProviderBalance::default();
    for (claim_id, _) in &page.entries {
        let claim = claims
            .get(*claim_id)?
            .cloned()
            .or_not_found(format_args!("claim {claim_id}"))?;
        let vested = claim.vested(facts.epoch);
        b.withdrawable += &vested - &claim.paid;
        b.pending += &claim.entitled() - &vested;
        b.vested += vested;
        b.paid += &claim.paid;
        b.open_claims += 1;
    }
    Ok(b)
}

/// The books, over the whole state (a test and audit tool: it walks everything): what the
/// market owes equals Σ pools + Σ refundables + Σ renewal pools + Σ (entitled − paid) +
/// deposits, every claim keeps paid ≤ vested ≤ Σ its terms' rewards, each bounty's slot money
/// and renewal money are each conserved, every term's lock is distinct and its deal indexed,
/// and the balance covers what is owed (plain transfers can only add).
/// Every failure is collected, one a line, rather than the first alone (reading the state
/// failing still stops it).
pub fn check_invariants<BS: Blockstore>(
    store: &BS,
    state: &State,
    balance: &TokenAmount,
) -> Result<(), String> {
    let mut failures = Vec::new();
    let e = |e: ActorError| e.to_string();
    let bounties = state
        .bounties(store)
        .map_err(e)?
        .page(None, usize::MAX)
        .map_err(e)?
        .entries;
    let claims = state
        .claims(store)
        .map_err(e)?
        .page(None, usize::MAX)
        .map_err(e)?
        .entries;
    let mut owed = TokenAmount::default();
    for (id, b) in &bounties {
        owed += &b.pool + &b.refundable + &b.renewal_pool;
        if b.renewals_left > b.renewal_cap() || b.renewal_pool < &b.reward_per_replica * b.renewals_left {
            failures.push(format!(
                "bounty {id}: {} renewals left (cap {}) with a renewal pool of {}",
                b.renewals_left,
                b.renewal_cap(),
                b.renewal_pool
            ));
        }
        if b.holders.len() as u64 + b.open_slots > b.replicas {
            failures.push(format!(
                "bounty {id}: {} holders + {} open slots > {} replicas",
                b.holders.len(),
                b.open_slots,
                b.replicas
            ));
        }
        if b.status == BountyStatus::Cancelled && (b.open_slots != 0 || !b.pool.is_zero()) {
            failures.push(format!("cancelled bounty {id} still has open slots or a pool"));
        }
        let mut claimants = b.claimants.clone();
        claimants.sort_unstable();
        claimants.dedup();
        if claimants.len() != b.claimants.len() || b.claimants.len() as u64 > claim_cap(b) {
            failures.push(format!(
                "bounty {id}: claimants {:?} repeat or exceed the cap",
                b.claimants
            ));
        }
        if b.claimants.len() as u64 >= claim_cap(b) && b.open_slots > 0 {
            failures.push(format!(
                "bounty {id} has taken its last claim but still has open slots"
            ));
        }
        if b.open_slots == 0 && !b.pool.is_zero() {
            failures.push(format!("bounty {id} holds a pool {} with no open slot", b.pool));
        }
    }
    // Sponsors: each bounty's records add up to its totals, no sponsor took more than its
    // share, a settled one took exactly its share of final returns, and the client and the
    // sponsors together can never be owed more than the bounty holds as refundable.
    let contributions = state
        .contributions(store)
        .map_err(e)?
        .page(None, usize::MAX)
        .map_err(e)?
        .entries;
    #[derive(Default)]
    struct SponsorTotals {
        sponsored: TokenAmount,
        refunded: TokenAmount,
        count: u64,
        unsettled: u64,
        due: TokenAmount,
    }
    let mut per_bounty: std::collections::BTreeMap<u64, SponsorTotals> = Default::default();
    for (key, c) in &contributions {
        let Some((_, b)) = bounties.iter().find(|(id, _)| *id == key.bounty_id) else {
            failures.push(format!(
                "f0{}'s contribution names bounty {}, which does not exist",
                key.sponsor, key.bounty_id
            ));
            continue;
        };
        let share = refund_share(&b.returned(), &c.amount, &b.raised());
        if !c.amount.is_positive() || c.refunded > share {
            failures.push(format!(
                "bounty {}: f0{} contributed {} and took {}, more than its share {share}",
                key.bounty_id, key.sponsor, c.amount, c.refunded
            ));
        }
        if c.settled && c.refunded != share {
            failures.push(format!(
                "bounty {}: f0{} is settled having taken {}, its share is {share}",
                key.bounty_id, key.sponsor, c.refunded
            ));
        }
        let t = per_bounty.entry(key.bounty_id).or_default();
        t.sponsored += &c.amount;
        t.refunded += &c.refunded;
        t.count += 1;
        t.unsettled += u64::from(!c.settled);
        t.due += &share - &c.refunded;
    }
    let mut entitled_by_bounty: std::collections::BTreeMap<u64, TokenAmount> = Default::default();
    let mut renewed_by_bounty: std::collections::BTreeMap<u64, TokenAmount> = Default::default();
    for (_, c) in &claims {
        *entitled_by_bounty.entry(c.bounty_id).or_default() += c.slot_entitled();
        *renewed_by_bounty.entry(c.bounty_id).or_default() += c.renewal_entitled();
    }
    for (id, b) in &bounties {
        let SponsorTotals {
            sponsored,
            refunded,
            count,
            unsettled,
            due: sponsors_due,
        } = per_bounty.remove(id).unwrap_or_default();
        if sponsored != b.sponsored
            || refunded != b.sponsor_refunded
            || count != b.sponsors
            || unsettled != b.sponsors_unsettled
        {
            failures.push(format!(
                "bounty {id}: its sponsor records add up to {sponsored} contributed, {refunded} refunded, {count} sponsors ({unsettled} unsettled); the bounty says {}, {}, {} ({})",
                b.sponsored, b.sponsor_refunded, b.sponsors, b.sponsors_unsettled
            ));
        }
        // While a sponsor may still pull, the client's due (its share rounded up) plus every
        // sponsor's due never exceeds what the bounty holds; once all settled, the client's
        // due is simply what is left.
        if b.sponsors_unsettled > 0 {
            let returned = b.returned();
            let client_share = &returned - refund_share(&returned, &b.sponsored, &b.raised());
            let client_due = &client_share - &b.reclaimed;
            if client_due.is_negative() || client_due + &sponsors_due > b.refundable {
                failures.push(format!(
                    "bounty {id}: the client and sponsors are due more than its refundable {}",
                    b.refundable
                ));
            }
        }
        let entitled = entitled_by_bounty.remove(id).unwrap_or_default();
        let accounted = &b.pool + &b.refundable + &b.reclaimed + &b.sponsor_refunded + &entitled;
        if accounted != b.raised() {
            failures.push(format!(
                "bounty {id} raised {} but pool + returns + claims' entitlements are {accounted}",
                b.raised()
            ));
        }
        // The client's renewal money: what it funded is in the pool, taken back, or what
        // renewal terms are entitled to.
        let renewed = renewed_by_bounty.remove(id).unwrap_or_default();
        let renewal_accounted = &b.renewal_pool + &b.renewals_reclaimed + &renewed;
        if renewal_accounted != b.renewals_funded {
            failures.push(format!(
                "bounty {id} funded {} of renewals but renewal pool + reclaimed + renewal terms' entitlements are {renewal_accounted}",
                b.renewals_funded
            ));
        }
    }
    let unpaid = state.unpaid(store).map_err(e)?;
    let deal_index = state.deals(store).map_err(e)?;
    let mut lock_owner: std::collections::BTreeMap<u64, u64> = Default::default();
    for (id, c) in &claims {
        let vested = c.vested(i64::MAX);
        let total = c.total_reward();
        if c.paid > c.entitled() || c.entitled() > total || vested > total {
            failures.push(format!(
                "claim {id}: paid {} entitled {} reward {total}",
                c.paid,
                c.entitled()
            ));
        }
        if c.history.len() as u64 > MAX_RENEWALS_PER_CLAIM {
            failures.push(format!("claim {id} has {} earlier terms", c.history.len()));
        }
        // Terms follow one another: each starts at or after the previous one's end.
        let terms: Vec<_> = c.terms().collect();
        if terms.first().map(|t| t.0) != Some(c.claimed_at)
            || terms.iter().any(|t| t.0 > t.1)
            || terms.windows(2).any(|w| w[1].0 < w[0].1)
        {
            failures.push(format!(
                "claim {id}: its terms {terms:?} do not follow one another"
            ));
        }
        for lock in c.locks() {
            if let Some(other) = lock_owner.insert(lock, *id) {
                failures.push(format!("lock {lock} backs claim {other} and claim {id}"));
            }
        }
        for receipt in c.history.iter().map(|t| &t.deal).chain(std::iter::once(&c.deal)) {
            if receipt.deal_id != NO_DEAL
                && deal_index.get(&receipt.deal_id).map_err(e)?.copied() != Some(*id)
            {
                failures.push(format!(
                    "claim {id}'s deal {} is not indexed to it",
                    receipt.deal_id
                ));
            }
        }
        owed += c.entitled() - &c.paid;
        let indexed = unpaid.contains(&c.provider, *id).map_err(e)?;
        if c.paid < c.entitled() && !indexed {
            failures.push(format!(
                "claim {id} is owed {} but not indexed for withdrawal",
                c.entitled() - &c.paid
            ));
        }
        if !bounties
            .iter()
            .any(|(b, bounty)| *b == c.bounty_id && bounty.claimants.contains(&c.provider))
        {
            failures.push(format!(
                "claim {id}: f0{} is not among bounty {}'s claimants",
                c.provider, c.bounty_id
            ));
        }
        let holds = bounties
            .iter()
            .any(|(b, bounty)| *b == c.bounty_id && bounty.holders.iter().any(|h| h.claim_id == *id));
        // A claim holds its slot while its slot term runs: an Active renewed claim may have
        // delivered it already.
        let active = c.status == ClaimStatus::Active;
        if (holds && !active) || (active && c.history.is_empty() && !holds) {
            failures.push(format!(
                "claim {id} is {:?} but {} a slot",
                c.status,
                if holds { "holds" } else { "does not hold" }
            ));
        }
    }
    // Deposits: each available amount is owed; what DDO claims locked from a deposit is
    // exactly the collateral of that provider's DDO claims.
    let deposits = state
        .deposits(store)
        .map_err(e)?
        .page(None, usize::MAX)
        .map_err(e)?
        .entries;
    for (provider, d) in &deposits {
        owed += &d.available;
        let locked: TokenAmount = claims
            .iter()
            .filter(|(_, c)| c.provider == *provider)
            .flat_map(|(_, c)| {
                c.history
                    .iter()
                    .map(|t| (&t.deal, &t.collateral))
                    .chain(std::iter::once((&c.deal, &c.collateral)))
            })
            .filter(|(deal, _)| deal.deal_id == NO_DEAL)
            .map(|(_, collateral)| collateral.clone())
            .sum();
        if locked != d.locked_total {
            failures.push(format!(
                "f0{provider}'s deposit says {} locked, its DDO claims hold {locked}",
                d.locked_total
            ));
        }
        if d.available.is_negative() {
            failures.push(format!("f0{provider}'s deposit is negative: {}", d.available));
        }
    }
    for (id, c) in &claims {
        let by_ddo = c.deal.deal_id == NO_DEAL || c.history.iter().any(|t| t.deal.deal_id == NO_DEAL);
        if by_ddo && !deposits.iter().any(|(p, _)| *p == c.provider) {
            failures.push(format!(
                "DDO claim {id} has no deposit of f0{} behind it",
                c.provider
            ));
        }
    }
    if owed != state.owed {
        failures.push(format!(
            "bounties, claims and deposits owe {owed}, the state says {}",
            state.owed
        ));
    }
    if balance < &owed {
        failures.push(format!("the market owes {owed} but holds only {balance}"));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}
