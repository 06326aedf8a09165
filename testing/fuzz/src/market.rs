//! `market_ops`: sequences of bounty market calls on the host, on the market's functional core
//! (`bounty_market::logic`), with arbitrary facts (any caller, any value, any epoch step) and
//! any answer the other actors could give the shell: a registry score or none, a miner owner, a
//! region, an escrow `Lock` refused or answered with evidence that matches the bounty or not,
//! and escrow callbacks (`OnCollateralChanged`) with arbitrary params. Params come from raw
//! bytes decoded as the wasm decodes them, or are built from the input so that most calls reach
//! the logic. The operations: post, claim with a deal, DDO pieces (`SectorContentChanged`),
//! withdraw, cancel, reclaim, fund, refund a sponsor, deposit and withdraw collateral, fund
//! and reclaim renewals, renew a claim with a deal or a DDO piece (payload `[bounty, claim]`),
//! the escrow's callback and the getters.
//!
//! A crash: a panic; a refusal that is not a `USR_*` exit with a reason; a refused call that
//! changed the state (its CBOR, hence its root CID; the VM would roll it back, so a change is
//! a shell that commits on a refusal waiting to happen); an accepted call after which the
//! market's books (`logic::check_invariants`, against the balance this target keeps: value in,
//! payouts out) break; ids handed out twice or out of order; a `Withdraw` paying more than the
//! provider's balance said was withdrawable; a getter that changes the state.

use actor_runtime::params::{cbor_block, decode_params};
use actor_runtime::{actor_error, ActorError, ActorResult, Facts};
use bounty_market::logic::{self, ClaimantProfile, NotifiedPiece};
use bounty_market::state::State;
use cid::Cid;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_ipld_encoding::{to_vec, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;
use suite_interfaces::bounty::*;
use suite_interfaces::escrow::{
    CollateralChange, DealSnapshot, LockReturn, OnCollateralChangedParams, SectorSnapshot,
};

use crate::assert_user_refusal;
use crate::input::Input;

const ESCROW: ActorID = 90;
const REGISTRY: ActorID = 91;
const MARKET: ActorID = 92;
const CALLERS: [ActorID; 4] = [100, 101, 102, 103];
const PROVIDERS: [ActorID; 3] = [1000, 1001, 1002];
const OWNERS: [ActorID; 3] = [2000, 2001, 2000];
const REGIONS: [&str; 3] = ["eu", "us", UNKNOWN_REGION];
const SIZES: [u64; 5] = [2048, 128, 1 << 35, 3000, 0];

/// Operations 0 to 12; 11 and 12 are the getters.
const METHODS: u8 = 16;

struct World {
    store: MemoryBlockstore,
    state: State,
    epoch: i64,
    /// The market's balance as the VM would hold it: values received less payouts (claim
    /// collateral passes through to the escrow).
    balance: TokenAmount,
    /// The escrow's lock ids, handed out in order; a claim names one.
    next_lock_id: u64,
}

/// A well-formed piece commitment whose digest is 32 bytes of `seed`.
fn commp(seed: u8) -> Cid {
    Cid::new_v1(
        FIL_COMMITMENT_UNSEALED,
        cid::multihash::Multihash::wrap(SHA2_256_TRUNC254_PADDED, &[seed; 32]).unwrap(),
    )
}

/// One of two piece commitments, or a CID that is not one.
fn piece(input: &mut Input) -> Cid {
    match input.u8() % 4 {
        0 | 1 => commp(1),
        2 => commp(2),
        _ => Cid::default(),
    }
}

fn policy(input: &mut Input) -> MarketPolicy {
    let default = MarketPolicy::default();
    let policy = MarketPolicy {
        max_replicas: input.pick(&[1, 3, 16]),
        max_allowlist: input.pick(&[0, 2, 32]),
        max_page: input.pick(&[1, 2, 100]),
        min_duration_floor: input.pick(&[1, 100]),
        max_duration: input.pick(&[100, 10_000, default.max_duration]),
        max_claims_per_withdraw: input.pick(&[1, 2, 32]),
    };
    if policy.validate().is_ok() {
        policy
    } else {
        default
    }
}

fn amount(input: &mut Input) -> TokenAmount {
    match input.u8() % 4 {
        0 => TokenAmount::default(),
        1 => TokenAmount::from_atto(input.u8()),
        2 => TokenAmount::from_atto(input.u64()),
        _ => TokenAmount::from_whole(input.u8()),
    }
}

fn epoch_step(input: &mut Input) -> i64 {
    match input.u8() % 6 {
        0 => 0,
        1 => 1,
        2 => 10,
        3 => 100,
        4 => 1_000,
        _ => i64::from(input.u16()),
    }
}

fn params<T: serde::de::DeserializeOwned>(
    input: &mut Input,
    raw: bool,
    build: impl FnOnce(&mut Input) -> T,
) -> ActorResult<T> {
    if raw {
        decode_params(cbor_block(input.bytes()).as_ref())
    } else {
        Ok(build(input))
    }
}

/// A bounty id: mostly one that exists.
fn bounty_ref(world: &World, input: &mut Input) -> u64 {
    match (world.state.next_bounty_id, input.u8() % 8) {
        (n, 0..=6) if n > 0 => u64::from(input.u8()) % n,
        _ => u64::from(input.u8()),
    }
}

/// A claim id: mostly one that exists.
fn claim_ref(world: &World, input: &mut Input) -> u64 {
    match (world.state.next_claim_id, input.u8() % 8) {
        (n, 0..=6) if n > 0 => u64::from(input.u8()) % n,
        _ => u64::from(input.u8()),
    }
}

/// The miner an address names, as the shell's `storage_miner` resolves it.
fn miner(address: &Address) -> ActorResult<ActorID> {
    address
        .id()
        .ok()
        .filter(|id| PROVIDERS.contains(id))
        .ok_or_else(|| actor_error!(illegal_argument; "provider {address} is not a storage miner"))
}

/// What the registry and the miner told the shell: a score (asked only with a
/// `min_reputation`), the owner and the region.
fn profile_answers(input: &mut Input, bounty: &Bounty, provider: ActorID) -> ActorResult<ClaimantProfile> {
    let score = input.bool().then(|| input.u16() % 10_001);
    logic::check_reputation(bounty, provider, bounty.min_reputation.and(score))?;
    let index = PROVIDERS.iter().position(|p| *p == provider).unwrap_or(0);
    let owner = if input.u8() < 32 {
        input.pick(&OWNERS)
    } else {
        OWNERS[index]
    };
    let region = logic::region_of(input.bool().then(|| input.pick(&REGIONS)));
    Ok(ClaimantProfile {
        owner: logic::needs_owner(bounty).then_some(owner),
        region: logic::needs_region(bounty).then_some(region),
    })
}

/// The escrow's `Lock`: refused with a user exit, or answered with the next lock id and
/// evidence that is the bounty's (mostly) or not.
fn lock_answer(
    world: &mut World,
    input: &mut Input,
    bounty: &Bounty,
    deal_id: Option<u64>,
    sector: u64,
) -> ActorResult<LockReturn> {
    if input.u8() < 16 {
        return Err(ActorError::new(
            ExitCode::new(input.pick(&[16, 18, 20, 23, 33])),
            "the escrow refused the lock",
        ));
    }
    let faithful = input.u8() >= 32;
    let deal = deal_id.map(|deal_id| DealSnapshot {
        deal_id: if faithful { deal_id } else { u64::from(input.u8()) },
        piece_cid: if faithful { bounty.piece_cid } else { piece(input) },
        piece_size: if faithful {
            bounty.piece_size
        } else {
            input.pick(&SIZES)
        },
        start_epoch: world.epoch,
        end_epoch: world.epoch + i64::from(input.u32() % 4_000_000),
        activated: i64::from(input.u8()) - 1,
    });
    let lock = LockReturn {
        lock_id: world.next_lock_id,
        deal,
        sector: Some(SectorSnapshot {
            sector_number: if faithful { sector } else { u64::from(input.u8()) },
            sector_size: 1 << 35,
            expiration: world.epoch + i64::from(input.u32() % 8_000_000),
        }),
    };
    world.next_lock_id += 1;
    Ok(lock)
}

fn post(world: &mut World, input: &mut Input, facts: &mut Facts, raw: bool) -> ActorResult<()> {
    let epoch = world.epoch;
    let p: PostBountyParams = params(input, raw, |input| {
        let replicas = input.pick(&[1, 2, 3, 0, 17]);
        let allowed_providers = match input.u8() % 4 {
            0 => Some(vec![input.pick(&PROVIDERS)]),
            1 => Some(vec![PROVIDERS[0], PROVIDERS[1], input.pick(&PROVIDERS)]),
            _ => None,
        };
        PostBountyParams {
            piece_cid: piece(input),
            piece_size: input.pick(&SIZES),
            replicas,
            reward_per_replica: amount(input),
            collateral_per_replica: amount(input),
            min_duration: input.pick(&[1, 100, 1_000, 0]),
            expiry: epoch + input.pick(&[1, 100, 1_000, 10_000, 0, -1]),
            min_reputation: input.bool().then(|| input.u16() % 10_100),
            allowed_providers,
            distinct_owners: input.u8() < 64,
            max_per_region: (input.u8() < 64).then(|| u32::from(input.u8() % 3)),
            renewals: input.pick(&[0, 0, 1, 2, 9, 200]),
        }
    })?;
    // Mostly exactly what the post costs, so that posts succeed.
    if input.u8() >= 32 {
        if let Ok(total) =
            actor_runtime::token::mul(&p.reward_per_replica, p.replicas.saturating_add(p.renewals))
        {
            facts.value_received = total;
        }
    }
    let before = world.state.next_bounty_id;
    let (id, _) = logic::post_bounty(&world.store, &mut world.state, facts, p)?;
    assert_eq!(id, before, "bounty ids are handed out in order");
    assert_eq!(world.state.next_bounty_id, id + 1, "a bounty id handed out twice");
    world.balance += &facts.value_received;
    Ok(())
}

fn claim(world: &mut World, input: &mut Input, facts: &mut Facts, raw: bool) -> ActorResult<()> {
    let p: ClaimBountyParams = params(input, raw, |input| ClaimBountyParams {
        bounty_id: bounty_ref(world, input),
        provider: Address::new_id(input.pick(&PROVIDERS)),
        deal_id: if input.u8() < 8 {
            NO_DEAL
        } else {
            u64::from(input.u8() % 16)
        },
        sector: u64::from(input.u8() % 4),
        sector_location: None,
    })?;
    let provider = miner(&p.provider)?;
    // Mostly the collateral the bounty asks for.
    if input.u8() >= 32 {
        if let Ok(b) = logic::get_bounty(&world.store, &world.state, p.bounty_id) {
            facts.value_received = b.collateral_per_replica;
        }
    }
    let bounty = logic::precheck_claim(
        &world.store,
        &world.state,
        facts,
        p.bounty_id,
        provider,
        p.deal_id,
    )?;
    let profile = profile_answers(input, &bounty, provider)?;
    logic::check_diversity(p.bounty_id, &bounty, provider, &profile)?;
    let claim_id = world.state.next_claim_id;
    // The collateral went to the escrow with the Lock: the market's balance does not change.
    let locked = lock_answer(world, input, &bounty, Some(p.deal_id), p.sector)?;
    let receipt = logic::verify_locked_evidence(&bounty, facts, p.deal_id, p.sector, &locked)?;
    let (created, claim, _) = logic::create_claim(
        &world.store,
        &mut world.state,
        facts,
        p.bounty_id,
        bounty,
        provider,
        receipt,
        locked.lock_id,
        profile,
    )?;
    assert_eq!(created, claim_id, "the claim id is the lock's reference");
    assert_eq!(
        claim.collateral, facts.value_received,
        "the claim holds the value sent"
    );
    Ok(())
}

/// A `SectorContentChanged` notification from the caller, a miner: each piece is claimed or
/// refused on its own, as the shell does (a refused piece changes nothing; an accepted one is
/// committed and checked).
fn ddo(world: &mut World, input: &mut Input, facts: &mut Facts, raw: bool, step: usize) -> ActorResult<()> {
    facts.caller = input.pick(&PROVIDERS);
    let p: SectorContentChangedParams = params(input, raw, |input| {
        let sectors = (0..1 + input.u8() % 2)
            .map(|_| SectorChanges {
                sector: u64::from(input.u8() % 4),
                minimum_commitment_epoch: world.epoch + i64::from(input.u16()),
                added: (0..1 + input.u8() % 2)
                    .map(|_| PieceChange {
                        data: piece(input),
                        size: input.pick(&SIZES),
                        payload: match input.u8() {
                            0..16 => RawBytes::new(input.bytes().to_vec()),
                            16..64 => ddo_renewal_payload(bounty_ref(world, input), claim_ref(world, input)),
                            _ => ddo_payload(bounty_ref(world, input)),
                        },
                    })
                    .collect(),
            })
            .collect();
        SectorContentChangedParams { sectors }
    })?;
    let provider = facts.caller;
    for sector in &p.sectors {
        // The lower of the notified commitment and the miner's nominal expiration, if it answered.
        let committed_until = match input.bool() {
            true => sector
                .minimum_commitment_epoch
                .min(world.epoch + i64::from(input.u16())),
            false => sector.minimum_commitment_epoch,
        };
        for piece in &sector.added {
            let notified = NotifiedPiece {
                sector: sector.sector,
                committed_until,
                piece,
            };
            let before = to_vec(&world.state).unwrap();
            match ddo_piece(world, input, facts, provider, &notified) {
                Ok(()) => check_books(world, step),
                Err(refusal) => {
                    assert_user_refusal(&format!("step {step}: a DDO piece"), &refusal);
                    assert!(
                        to_vec(&world.state).unwrap() == before,
                        "step {step}: a refused DDO piece changed the state: {refusal}"
                    );
                    logic::ddo_refused_event(provider, &notified, &refusal)
                        .expect("the refusal event of a DDO piece builds");
                }
            }
        }
    }
    Ok(())
}

fn ddo_piece(
    world: &mut World,
    input: &mut Input,
    facts: &Facts,
    provider: ActorID,
    notified: &NotifiedPiece,
) -> ActorResult<()> {
    // The shell's dispatch: a `[bounty, claim]` payload renews, anything else claims.
    if decode_ddo_renewal(notified.piece.payload.bytes()).is_some() {
        return ddo_renewal(world, input, facts, provider, notified);
    }
    let (bounty_id, bounty) =
        logic::precheck_ddo_piece(&world.store, &world.state, facts, provider, notified)?;
    let profile = profile_answers(input, &bounty, provider)?;
    logic::check_diversity(bounty_id, &bounty, provider, &profile)?;
    let claim_id = world.state.next_claim_id;
    let locked = lock_answer(world, input, &bounty, None, notified.sector)?;
    // The shell checks the lock is on the notified sector alone (or aborts the notification:
    // the escrow misbehaved); refused here, as that abort changes nothing either.
    if locked.sector.as_ref().map(|s| s.sector_number) != Some(notified.sector) {
        return Err(actor_error!(illegal_state; "the escrow's lock is not on sector {}", notified.sector));
    }
    // The collateral left the market's balance for the escrow.
    let collateral = bounty.collateral_per_replica.clone();
    let (created, claim, _) = logic::create_ddo_claim(
        &world.store,
        &mut world.state,
        facts,
        bounty_id,
        bounty,
        notified,
        locked.lock_id,
        profile,
    )?;
    assert_eq!(created, claim_id, "the claim id is the lock's reference");
    assert_eq!(
        claim.collateral, collateral,
        "a DDO claim holds the bounty's collateral"
    );
    world.balance -= collateral;
    Ok(())
}

/// A DDO piece renewing a claim from the provider's deposit, as the shell does.
fn ddo_renewal(
    world: &mut World,
    input: &mut Input,
    facts: &Facts,
    provider: ActorID,
    notified: &NotifiedPiece,
) -> ActorResult<()> {
    let (claim_id, claim, bounty, term_end) =
        logic::precheck_ddo_renewal(&world.store, &world.state, facts, provider, notified)?;
    let locked = lock_answer(world, input, &bounty, None, notified.sector)?;
    if locked.sector.as_ref().map(|s| s.sector_number) != Some(notified.sector) {
        return Err(actor_error!(illegal_state; "the escrow's lock is not on sector {}", notified.sector));
    }
    let collateral = bounty.collateral_per_replica.clone();
    let reward_before = claim.total_reward();
    let (ret, _) = logic::create_ddo_renewal(
        &world.store,
        &mut world.state,
        facts,
        claim_id,
        (claim, bounty),
        notified,
        locked.lock_id,
    )?;
    check_renewed(world, claim_id, &reward_before, &ret, term_end);
    world.balance -= collateral;
    Ok(())
}

/// After an accepted renewal: the claim's current term is the one answered, its reward added.
fn check_renewed(
    world: &World,
    claim_id: u64,
    reward_before: &TokenAmount,
    ret: &RenewClaimReturn,
    term_end: i64,
) {
    let claim = logic::get_claim(&world.store, &world.state, claim_id).expect("a renewed claim is stored");
    assert_eq!(ret.claim_id, claim_id, "a renewal answers its own claim");
    assert_eq!((claim.term_start, claim.vest_end), (ret.term_start, ret.term_end));
    assert_eq!(ret.term_end, term_end, "the term the checks were made for");
    assert_eq!(
        claim.lock_id,
        Some(ret.lock_id),
        "the renewal's lock is the claim's current one"
    );
    assert_eq!(
        claim.total_reward(),
        reward_before + &ret.reward,
        "the term's reward adds to the claim's"
    );
    assert_eq!(claim.status, ClaimStatus::Active, "a renewed claim vests");
}

fn renew(world: &mut World, input: &mut Input, facts: &mut Facts, raw: bool) -> ActorResult<()> {
    let p: RenewClaimParams = params(input, raw, |input| RenewClaimParams {
        claim_id: claim_ref(world, input),
        deal_id: if input.u8() < 8 {
            NO_DEAL
        } else {
            u64::from(input.u8() % 16)
        },
        sector: u64::from(input.u8() % 4),
        sector_location: None,
    })?;
    let claim = logic::get_claim(&world.store, &world.state, p.claim_id)?;
    // Mostly the collateral the bounty asks for.
    if input.u8() >= 32 {
        if let Ok(b) = logic::get_bounty(&world.store, &world.state, claim.bounty_id) {
            facts.value_received = b.collateral_per_replica;
        }
    }
    let bounty = logic::precheck_renew(&world.store, &world.state, facts, &p, &claim)?;
    let (_, term_end) = logic::renewal_term(&claim, &bounty, facts.epoch);
    let locked = lock_answer(world, input, &bounty, Some(p.deal_id), p.sector)?;
    let receipt = logic::verify_renewal_evidence(&bounty, p.deal_id, p.sector, term_end, &locked)?;
    let reward_before = claim.total_reward();
    let (ret, _) = logic::record_renewal(
        &world.store,
        &mut world.state,
        facts,
        p.claim_id,
        (claim, bounty),
        receipt,
        locked.lock_id,
        facts.value_received.clone(),
    )?;
    check_renewed(world, p.claim_id, &reward_before, &ret, term_end);
    // The collateral went to the escrow with the Lock: the market's balance does not change.
    Ok(())
}

fn check_books(world: &World, step: usize) {
    if let Err(failures) = logic::check_invariants(&world.store, &world.state, &world.balance) {
        panic!("step {step}: the market's books broke: {failures}");
    }
}

/// One call; `Ok` when it changed or read state as the actor would have.
fn call(world: &mut World, input: &mut Input, method: u8, step: usize) -> ActorResult<()> {
    let raw = input.u8() < 24;
    let mut facts = Facts {
        caller: input.pick(&CALLERS),
        receiver: MARKET,
        method: 0,
        epoch: world.epoch,
        // What a method that refuses value would refuse before the logic (`no_value`) is not
        // sent to it: only posts, claims, funds and deposits receive value.
        value_received: if matches!(method, 0 | 1 | 7 | 9 | 13 | 15) {
            amount(input)
        } else {
            TokenAmount::default()
        },
    };
    let provider = |input: &mut Input| input.pick(&PROVIDERS);
    match method {
        0 => post(world, input, &mut facts, raw)?,
        1 => claim(world, input, &mut facts, raw)?,
        2 => ddo(world, input, &mut facts, raw, step)?,
        3 => {
            let p: ProviderParams = params(input, raw, |input| ProviderParams {
                provider: Address::new_id(provider(input)),
            })?;
            let provider = miner(&p.provider)?;
            let balance = logic::provider_balance(&world.store, &world.state, &facts, provider)?;
            let (paid, _, _) = logic::withdraw(&world.store, &mut world.state, &facts, provider)?;
            if balance.open_claims < u64::from(world.state.policy.max_page) {
                assert!(
                    paid <= balance.withdrawable,
                    "Withdraw paid {paid}, the balance said {} was withdrawable",
                    balance.withdrawable
                );
            }
            world.balance -= paid;
        }
        4 => {
            let p: IdParams = params(input, raw, |input| IdParams {
                id: bounty_ref(world, input),
            })?;
            logic::cancel(&world.store, &mut world.state, &facts, p.id)?;
        }
        5 => {
            let p: IdParams = params(input, raw, |input| IdParams {
                id: bounty_ref(world, input),
            })?;
            let (amount, _) = logic::reclaim(&world.store, &mut world.state, &facts, p.id)?;
            assert!(amount.is_positive(), "Reclaim paid {amount}");
            world.balance -= amount;
        }
        6 => {
            let p: IdParams = params(input, raw, |input| IdParams {
                id: bounty_ref(world, input),
            })?;
            let (ret, _) = logic::refund_sponsor(&world.store, &mut world.state, &facts, p.id)?;
            assert!(!ret.amount.is_negative(), "RefundSponsor paid {}", ret.amount);
            world.balance -= ret.amount;
        }
        7 => {
            let p: IdParams = params(input, raw, |input| IdParams {
                id: bounty_ref(world, input),
            })?;
            logic::fund_bounty(&world.store, &mut world.state, &facts, p.id)?;
            world.balance += &facts.value_received;
        }
        8 => {
            let p: WithdrawCollateralParams = params(input, raw, |input| WithdrawCollateralParams {
                provider: Address::new_id(provider(input)),
                amount: amount(input),
            })?;
            let provider = miner(&p.provider)?;
            logic::withdraw_collateral(&world.store, &mut world.state, &facts, provider, &p.amount)?;
            world.balance -= p.amount;
        }
        9 => {
            let p: ProviderParams = params(input, raw, |input| ProviderParams {
                provider: Address::new_id(provider(input)),
            })?;
            let provider = miner(&p.provider)?;
            logic::deposit_collateral(&world.store, &mut world.state, &facts, provider)?;
            world.balance += &facts.value_received;
        }
        10 => {
            // The escrow's callback (the shell checks the caller is the escrow).
            facts.caller = ESCROW;
            let p: OnCollateralChangedParams = params(input, raw, |input| {
                let claim_id = claim_ref(world, input);
                let lock_id = match logic::get_claim(&world.store, &world.state, claim_id) {
                    Ok(c) if input.u8() >= 16 => c.lock_id.unwrap_or_default(),
                    _ => u64::from(input.u8()),
                };
                OnCollateralChangedParams {
                    lock_id,
                    reference: (input.u8() >= 8).then_some(claim_id),
                    change: input.pick(&[
                        CollateralChange::FaultFee,
                        CollateralChange::Slashed,
                        CollateralChange::Released,
                    ]),
                    amount: amount(input),
                    remaining: amount(input),
                    epoch: world.epoch,
                }
            })?;
            let before = to_vec(&world.state).unwrap();
            let events = logic::on_collateral_changed(&world.store, &mut world.state, &facts, &p)?;
            // The shell commits only when something happened: a no-op must change nothing.
            if events.is_empty() {
                assert!(
                    to_vec(&world.state).unwrap() == before,
                    "an OnCollateralChanged without events changed the state"
                );
            }
        }
        11 => getters(world, input, &facts, raw)?,
        13 => {
            let p: FundRenewalsParams = params(input, raw, |input| FundRenewalsParams {
                bounty_id: bounty_ref(world, input),
                renewals: input.pick(&[1, 1, 2, 0, 100]),
            })?;
            // Mostly the client, sending what the renewals cost.
            if let Ok(b) = logic::get_bounty(&world.store, &world.state, p.bounty_id) {
                if input.u8() >= 32 {
                    facts.caller = b.client;
                    if let Ok(cost) = actor_runtime::token::mul(&b.reward_per_replica, p.renewals) {
                        facts.value_received = cost;
                    }
                }
            }
            logic::fund_renewals(&world.store, &mut world.state, &facts, &p)?;
            world.balance += &facts.value_received;
        }
        14 => {
            let p: IdParams = params(input, raw, |input| IdParams {
                id: bounty_ref(world, input),
            })?;
            if let Ok(b) = logic::get_bounty(&world.store, &world.state, p.id) {
                if input.u8() >= 32 {
                    facts.caller = b.client;
                }
            }
            let (amount, _) = logic::reclaim_renewals(&world.store, &mut world.state, &facts, p.id)?;
            assert!(amount.is_positive(), "ReclaimRenewals paid {amount}");
            world.balance -= amount;
        }
        15 => renew(world, input, &mut facts, raw)?,
        _ => {
            let p: ListBountiesParams = params(input, raw, |input| ListBountiesParams {
                client: input.bool().then(|| input.pick(&CALLERS)),
                piece_cid: input.bool().then(|| piece(input)),
                cursor: input.bool().then(|| u64::from(input.u8() % 8)),
                limit: u32::from(input.u8() % 4),
            })?;
            let page = logic::list_bounties(&world.store, &world.state, &p)?;
            assert!(
                page.bounties.len() <= p.limit as usize,
                "ListBounties answered more than its limit"
            );
            for b in &page.bounties {
                assert!(
                    p.client.is_none_or(|c| c == b.bounty.client),
                    "another client's bounty"
                );
                assert!(
                    p.piece_cid.is_none_or(|c| c == b.bounty.piece_cid),
                    "another piece's bounty"
                );
            }
        }
    }
    Ok(())
}

/// The getters, which read and must not change anything.
fn getters(world: &World, input: &mut Input, facts: &Facts, raw: bool) -> ActorResult<()> {
    match input.u8() % 5 {
        0 => {
            let p: IdParams = params(input, raw, |input| IdParams {
                id: bounty_ref(world, input),
            })?;
            logic::get_bounty(&world.store, &world.state, p.id)?;
        }
        1 => {
            let p: IdParams = params(input, raw, |input| IdParams {
                id: claim_ref(world, input),
            })?;
            let claim = logic::get_claim(&world.store, &world.state, p.id)?;
            let vested = claim.vested(facts.epoch);
            // Over every term: a renewed claim's `reward` is its current term's alone.
            assert!(
                claim.paid <= vested && vested <= claim.total_reward(),
                "claim {} paid {} of {vested} vested, reward over its terms {}",
                p.id,
                claim.paid,
                claim.total_reward()
            );
        }
        2 => {
            let p: ProviderParams = params(input, raw, |input| ProviderParams {
                provider: Address::new_id(input.pick(&PROVIDERS)),
            })?;
            let b = logic::provider_balance(&world.store, &world.state, facts, miner(&p.provider)?)?;
            assert!(!b.withdrawable.is_negative() && !b.pending.is_negative(), "{b:?}");
        }
        3 => {
            let p: ProviderParams = params(input, raw, |input| ProviderParams {
                provider: Address::new_id(input.pick(&PROVIDERS)),
            })?;
            logic::deposit_of(&world.store, &world.state, miner(&p.provider)?)?;
        }
        _ => {
            let p: GetContributionParams = params(input, raw, |input| GetContributionParams {
                bounty_id: bounty_ref(world, input),
                sponsor: Address::new_id(input.pick(&CALLERS)),
            })?;
            let sponsor = p
                .sponsor
                .id()
                .map_err(|_| actor_error!(not_found; "{} does not resolve", p.sponsor))?;
            let c = logic::get_contribution(&world.store, &world.state, facts, p.bounty_id, sponsor)?;
            assert!(!c.refundable_now.is_negative(), "{c:?}");
        }
    }
    Ok(())
}

pub fn fuzz(data: &[u8]) {
    run(data);
}

/// Runs the calls of `data`; answers how many were accepted and how many refused.
pub fn run(data: &[u8]) -> (usize, usize) {
    let (_, accepted, refused) = execute(data);
    (accepted, refused)
}

fn execute(data: &[u8]) -> (World, usize, usize) {
    let mut input = Input::new(data);
    let store = MemoryBlockstore::new();
    let min_collateral = TokenAmount::from_atto(input.pick(&[0u64, 1, 1_000]));
    let state = State::new(&store, ESCROW, REGISTRY, policy(&mut input), min_collateral).unwrap();
    let mut world = World {
        store,
        state,
        epoch: 1,
        balance: TokenAmount::default(),
        next_lock_id: 0,
    };
    let (mut accepted, mut refused) = (0, 0);
    for step in 0..64 {
        if input.is_empty() {
            break;
        }
        world.epoch += epoch_step(&mut input);
        let before = to_vec(&world.state).unwrap();
        let method = input.u8() % METHODS;
        match call(&mut world, &mut input, method, step) {
            Ok(()) => {
                if method == 11 || method == 12 {
                    assert!(
                        to_vec(&world.state).unwrap() == before,
                        "step {step}: a getter changed the state"
                    );
                }
                check_books(&world, step);
                accepted += 1;
            }
            Err(refusal) => {
                assert_user_refusal(&format!("step {step}"), &refusal);
                assert!(
                    to_vec(&world.state).unwrap() == before,
                    "step {step}: a refused call changed the state: {refusal}"
                );
                refused += 1;
            }
        }
    }
    (world, accepted, refused)
}

/// A seed reaching each part of the logic: a bounty posted, claimed with a deal, claimed by a
/// DDO piece on a deposit, funded, withdrawn from, slashed by the escrow, cancelled and
/// reclaimed; and a post whose params are raw CBOR.
pub fn seeds() -> Vec<Vec<u8>> {
    let mut seeds = Vec::new();
    // min collateral 1 atto; policy: 3 replicas max, allowlist 32, page 100, floor 1,
    // max_duration 10 000, 32 claims a withdraw.
    let head = [1u8, 1, 2, 2, 0, 1, 2];
    // A post: epoch step 1, method 0, built, caller 100, value (fixed below), 2 replicas,
    // no allowlist, piece 1, 2048 bytes, reward 100 atto, collateral 5 atto, min_duration
    // 1 000, expiry +10 000, no min reputation, not distinct, no region cap, `renewals`
    // renewal terms (a pick: 0 for 0, 2 for 1), exact value.
    let post_with = |renewals: u8| {
        [
            1u8, 0, 200, 0, 0, 1, 2, 0, 0, 1, 100, 1, 5, 2, 3, 0, 200, 200, renewals, 200,
        ]
    };
    let post = post_with(0);
    // A deal claim on bounty 0 by 1000 with deal 3 in sector 1, the exact collateral, a
    // score, the provider's own owner, a region, a faithful lock ending far away.
    let claim = |provider: u8, deal: u8| {
        let mut op = vec![
            1u8, 1, 200, 0, 0, 0, 0, provider, 200, deal, 1, 200, 0, 200, 0, 200, 200,
        ];
        op.extend(3_000_000u32.to_le_bytes());
        op.push(1);
        op.extend(3_000_000u32.to_le_bytes());
        op
    };
    // A deposit of 5 atto for 1001, then its DDO piece for bounty 0 (sector 2, committed
    // 60 000 epochs, 1 sector, 1 piece, piece 1, 2048, a bounty id payload), the lock faithful.
    let deposit = [1u8, 9, 200, 0, 1, 5, 1];
    let mut ddo = vec![
        1u8, 2, 200, 0, 1, 0, 2, 0x60, 0xea, 0, 0, 0, 200, 0, 0, 0, 0, 200, 0, 200, 200,
    ];
    ddo.extend(3_000_000u32.to_le_bytes());
    let fund = [1u8, 7, 200, 1, 1, 7, 0, 0];
    let withdraw = [3u8, 3, 200, 0, 0];
    // The escrow slashes claim 0 (its lock 0).
    let slash = [1u8, 10, 200, 0, 0, 0, 200, 200, 1, 0, 0];
    let cancel = [1u8, 4, 200, 0, 0, 0];
    let reclaim = [1u8, 5, 200, 0, 0, 0];
    let refund = [1u8, 6, 200, 1, 0, 0];
    let mut all = head.to_vec();
    all.extend(post);
    all.extend(fund);
    all.extend(claim(0, 3));
    all.extend(deposit);
    all.extend(ddo);
    all.extend(withdraw);
    all.extend(slash);
    all.extend(cancel);
    all.extend(reclaim);
    all.extend(refund);
    seeds.push(all);
    let raw_post = to_vec(&PostBountyParams {
        piece_cid: commp(1),
        piece_size: 2048,
        replicas: 1,
        reward_per_replica: TokenAmount::from_atto(10),
        collateral_per_replica: TokenAmount::from_atto(5),
        min_duration: 100,
        expiry: 1_000,
        min_reputation: None,
        allowed_providers: None,
        distinct_owners: false,
        max_per_region: None,
        renewals: 0,
    })
    .unwrap();
    let mut raw = head.to_vec();
    raw.extend([1, 0, 0, 0, 0, raw_post.len() as u8]);
    raw.extend(raw_post);
    raw.push(200);
    raw.extend(claim(0, 4));
    seeds.push(raw);
    // A bounty with one renewal term, claimed; 1 000 epochs later (the claim's term ends) its
    // provider renews claim 0 with deal 5 in sector 1, the exact collateral, a faithful lock
    // ending far away; then withdraws.
    let mut renewal = head.to_vec();
    renewal.extend(post_with(2));
    renewal.extend(claim(0, 3));
    renewal.extend([4u8, 15, 200, 0, 0, 0, 0, 200, 5, 1, 200, 200, 200]);
    renewal.extend(3_000_000u32.to_le_bytes());
    renewal.push(1);
    renewal.extend(3_000_000u32.to_le_bytes());
    renewal.extend(withdraw);
    seeds.push(renewal);
    seeds
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_seeds_reach_the_logic() {
        let seeds = super::seeds();
        let (world, accepted, refused) = super::execute(&seeds[0]);
        assert_eq!(
            (accepted, refused),
            (10, 0),
            "every call of the first seed is accepted"
        );
        assert_eq!(world.state.next_claim_id, 2, "a deal claim and a DDO claim");
        let deposit = bounty_market::logic::deposit_of(&world.store, &world.state, 1001).unwrap();
        assert_eq!(
            deposit.locked_total.atto(),
            &5.into(),
            "the DDO claim locked the deposit"
        );
        let (accepted, _) = super::run(&seeds[1]);
        assert_eq!(accepted, 2, "a post from raw CBOR, then a claim on it");
        let (world, accepted, refused) = super::execute(&seeds[2]);
        assert_eq!(
            (accepted, refused),
            (4, 0),
            "a post with a renewal, a claim, its renewal, a withdraw"
        );
        let claim = bounty_market::logic::get_claim(&world.store, &world.state, 0).unwrap();
        assert_eq!(claim.history.len(), 1, "the claim renewed once");
        assert_eq!(
            claim.reward.atto(),
            &100.into(),
            "the renewal term took the funded 100 atto"
        );
    }
}
