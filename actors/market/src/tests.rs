//! Host tests of the bounty market's core: posting, claim checks, vesting, slashes that reopen
//! slots, withdrawals, cancel and reclaim, and the books.

use actor_runtime::Facts;
use cid::Cid;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::econ::TokenAmount;
use suite_interfaces::bounty::*;
use suite_interfaces::escrow::{
    CollateralChange, DealSnapshot, LockReturn, OnCollateralChangedParams, SectorSnapshot,
};

use crate::logic::*;
use crate::state::State;

const CLIENT: u64 = 100;
const P1: u64 = 201;
const P2: u64 = 202;
const ESCROW: u64 = 50;
/// The escrow's minimum collateral; `params` offers exactly this much.
const MIN_COLLATERAL: u64 = 50;

fn atto(v: u64) -> TokenAmount {
    TokenAmount::from_atto(v)
}

fn facts(caller: u64, epoch: i64, value: u64) -> Facts {
    Facts {
        caller,
        receiver: 1000,
        method: 0,
        epoch,
        value_received: atto(value),
    }
}

/// A well-formed piece commitment whose digest is 32 bytes of `seed`.
fn commp(seed: u8) -> Cid {
    Cid::new_v1(
        FIL_COMMITMENT_UNSEALED,
        cid::multihash::Multihash::wrap(SHA2_256_TRUNC254_PADDED, &[seed; 32]).unwrap(),
    )
}

fn params(replicas: u64) -> PostBountyParams {
    PostBountyParams {
        piece_cid: commp(1),
        piece_size: 2048,
        replicas,
        reward_per_replica: atto(1000),
        collateral_per_replica: atto(MIN_COLLATERAL),
        min_duration: 10_000,
        expiry: 5_000,
        min_reputation: None,
        allowed_providers: None,
        distinct_owners: false,
        max_per_region: None,
    }
}

fn setup() -> (MemoryBlockstore, State) {
    let store = MemoryBlockstore::new();
    let state = State::new(&store, ESCROW, 60, MarketPolicy::default(), atto(MIN_COLLATERAL)).unwrap();
    (store, state)
}

/// What the escrow answers after locking on `deal_id` (piece 1, 2 KiB, ending at `end`) and
/// sector 1.
fn locked(lock_id: u64, deal_id: u64, end: i64) -> LockReturn {
    LockReturn {
        lock_id,
        deal: Some(DealSnapshot {
            deal_id,
            piece_cid: commp(1),
            piece_size: 2048,
            start_epoch: 0,
            end_epoch: end,
            activated: 0,
        }),
        sector: Some(SectorSnapshot {
            sector_number: 1,
            sector_size: 32 << 30,
            expiration: end,
        }),
    }
}

/// Posts, then claims with `provider` and `deal_id` at `epoch`; returns the claim id.
fn claim(
    store: &MemoryBlockstore,
    state: &mut State,
    bounty_id: u64,
    provider: u64,
    deal_id: u64,
    epoch: i64,
) -> u64 {
    let f = facts(provider, epoch, 50);
    let bounty = precheck_claim(store, state, &f, bounty_id, provider, deal_id).unwrap();
    let lock_id = 1000 + state.next_claim_id;
    let receipt =
        verify_locked_evidence(&bounty, &f, deal_id, 1, &locked(lock_id, deal_id, 100_000)).unwrap();
    let (id, claim, _) =
        create_claim(store, state, &f, bounty_id, bounty, provider, receipt, lock_id, ClaimantProfile::default()).unwrap();
    assert_eq!(claim.lock_id, Some(lock_id));
    id
}

fn code(e: actor_runtime::ActorError) -> u32 {
    e.exit_code().value()
}

#[test]
fn posting_validates_everything() {
    let (store, mut state) = setup();
    let good = params(2);
    let cases: Vec<(&str, PostBountyParams, u64)> = vec![
        ("wrong value", good.clone(), 1999),
        (
            "not a commp",
            PostBountyParams {
                piece_cid: Cid::new_v1(0x55, *commp(1).hash()),
                ..good.clone()
            },
            2000,
        ),
        (
            "size not a power of two",
            PostBountyParams {
                piece_size: 3000,
                ..good.clone()
            },
            2000,
        ),
        (
            "size too small",
            PostBountyParams {
                piece_size: 64,
                ..good.clone()
            },
            2000,
        ),
        (
            "no replicas",
            PostBountyParams {
                replicas: 0,
                ..good.clone()
            },
            0,
        ),
        (
            "too many replicas",
            PostBountyParams {
                replicas: 17,
                ..good.clone()
            },
            17_000,
        ),
        (
            "zero reward",
            PostBountyParams {
                reward_per_replica: atto(0),
                ..good.clone()
            },
            0,
        ),
        (
            "zero collateral",
            PostBountyParams {
                collateral_per_replica: atto(0),
                ..good.clone()
            },
            2000,
        ),
        (
            "collateral under the escrow's minimum",
            PostBountyParams {
                collateral_per_replica: atto(MIN_COLLATERAL - 1),
                ..good.clone()
            },
            2000,
        ),
        (
            "duration too short",
            PostBountyParams {
                min_duration: 100,
                ..good.clone()
            },
            2000,
        ),
        (
            "expired",
            PostBountyParams {
                expiry: 0,
                ..good.clone()
            },
            2000,
        ),
        (
            "expiry beyond max_duration from now",
            PostBountyParams {
                expiry: MarketPolicy::default().max_duration + 1,
                ..good.clone()
            },
            2000,
        ),
        (
            "expiry never",
            PostBountyParams {
                expiry: i64::MAX,
                ..good.clone()
            },
            2000,
        ),
        (
            "score above range",
            PostBountyParams {
                min_reputation: Some(10_001),
                ..good.clone()
            },
            2000,
        ),
        (
            "duplicate allowlist",
            PostBountyParams {
                allowed_providers: Some(vec![P1, P1]),
                ..good.clone()
            },
            2000,
        ),
        (
            "empty allowlist",
            PostBountyParams {
                allowed_providers: Some(vec![]),
                ..good.clone()
            },
            2000,
        ),
    ];
    for (what, p, value) in cases {
        let before = state.clone();
        assert_eq!(
            code(post_bounty(&store, &mut state, &facts(CLIENT, 0, value), p).unwrap_err()),
            16,
            "{what}"
        );
        assert_eq!(state, before, "{what} changed state");
    }
    let (id, events) = post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), good).unwrap();
    assert_eq!((id, events.len()), (0, 1));
    check_invariants(&store, &state, &atto(2000)).unwrap();
}

#[test]
fn claim_checks_each_fail_on_their_own() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 1000), params(1)).unwrap();
    let allow = PostBountyParams {
        allowed_providers: Some(vec![P2]),
        ..params(2)
    };
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), allow).unwrap();
    let f = facts(P1, 10, 50);
    assert_eq!(
        code(precheck_claim(&store, &state, &facts(P1, 10, 49), 0, P1, 7).unwrap_err()),
        16,
        "collateral"
    );
    assert_eq!(
        code(precheck_claim(&store, &state, &f, 9, P1, 7).unwrap_err()),
        17,
        "no bounty"
    );
    assert_eq!(
        code(precheck_claim(&store, &state, &facts(P1, 5_000, 50), 0, P1, 7).unwrap_err()),
        20,
        "expired"
    );
    assert_eq!(
        code(precheck_claim(&store, &state, &f, 1, P1, 7).unwrap_err()),
        18,
        "allowlist"
    );
    let bounty = precheck_claim(&store, &state, &f, 0, P1, 7).unwrap();
    let ok = locked(1000, 7, 100_000);
    let with_deal = |change: &dyn Fn(&mut DealSnapshot)| {
        let mut l = ok.clone();
        change(l.deal.as_mut().unwrap());
        l
    };
    let bad: Vec<(&str, LockReturn)> = vec![
        ("wrong piece", with_deal(&|d| d.piece_cid = commp(2))),
        ("wrong size", with_deal(&|d| d.piece_size = 4096)),
        ("not activated", with_deal(&|d| d.activated = -1)),
        ("too short", with_deal(&|d| d.end_epoch = 10_009)),
    ];
    for (what, l) in bad {
        assert_eq!(
            code(verify_locked_evidence(&bounty, &f, 7, 1, &l).unwrap_err()),
            16,
            "{what}"
        );
    }
    // An answer about other evidence than asked is the escrow's fault, not the provider's.
    assert_eq!(
        code(verify_locked_evidence(&bounty, &f, 8, 1, &ok).unwrap_err()),
        20,
        "another deal"
    );
    assert_eq!(
        code(verify_locked_evidence(&bounty, &f, 7, 2, &ok).unwrap_err()),
        20,
        "another sector"
    );
    let no_deal = LockReturn {
        deal: None,
        ..ok.clone()
    };
    assert_eq!(
        code(verify_locked_evidence(&bounty, &f, 7, 1, &no_deal).unwrap_err()),
        20,
        "no deal"
    );
    assert!(verify_locked_evidence(&bounty, &f, 7, 1, &with_deal(&|d| d.end_epoch = 10_010)).is_ok());
    let gated = Bounty {
        min_reputation: Some(6000),
        ..bounty
    };
    assert_eq!(code(check_reputation(&gated, P1, Some(5999)).unwrap_err()), 18);
    assert!(check_reputation(&gated, P1, Some(6000)).is_ok());
    // Once claimed: slots full, the same deal again, the same provider again.
    claim(&store, &mut state, 0, P1, 7, 10);
    assert_eq!(
        code(precheck_claim(&store, &state, &facts(P2, 11, 50), 0, P2, 8).unwrap_err()),
        20,
        "full"
    );
    assert_eq!(
        code(precheck_claim(&store, &state, &facts(P2, 11, 50), 1, P2, 7).unwrap_err()),
        20,
        "deal reused"
    );
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), params(2)).unwrap();
    claim(&store, &mut state, 2, P1, 8, 10);
    assert_eq!(
        code(precheck_claim(&store, &state, &facts(P1, 11, 50), 2, P1, 9).unwrap_err()),
        20,
        "same provider"
    );
    check_invariants(&store, &state, &atto(5000)).unwrap();
}

#[test]
fn rewards_vest_linearly_and_withdrawals_add_up() {
    let (store, mut state) = setup();
    post_bounty(
        &store,
        &mut state,
        &facts(CLIENT, 0, 3001),
        PostBountyParams {
            reward_per_replica: atto(1000),
            ..params(3)
        },
    )
    .map(|_| ())
    .unwrap_err();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 3000), params(3)).unwrap();
    let c = claim(&store, &mut state, 0, P1, 7, 100);
    assert_eq!(get_claim(&store, &state, c).unwrap().reward, atto(1000));
    let mut balance = atto(3000);
    let mut paid = TokenAmount::default();
    for epoch in [100, 2_600, 5_100, 10_099, 10_100, 20_000] {
        match withdraw(&store, &mut state, &facts(P1, epoch, 0), P1) {
            Ok((amount, more, _)) => {
                assert!(!more);
                paid += &amount;
                balance -= amount;
            }
            Err(e) => assert_eq!(code(e), 20, "nothing to withdraw at {epoch}"),
        }
        let claim = get_claim(&store, &state, c).unwrap();
        assert_eq!(claim.paid, paid);
        assert_eq!(
            claim.vested(epoch),
            atto(1000).min(atto((1000 * (epoch - 100).max(0) / 10_000) as u64))
        );
        check_invariants(&store, &state, &balance).unwrap();
    }
    assert_eq!(paid, atto(1000), "withdrawals sum to the reward");
    assert!(
        provider_balance(&store, &state, &facts(P1, 30_000, 0), P1)
            .unwrap()
            .open_claims
            == 0
    );
}

#[test]
fn a_slash_stops_vesting_and_reopens_the_slot_for_another_provider() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 1000), params(1)).unwrap();
    let c1 = claim(&store, &mut state, 0, P1, 7, 0);
    let slash = |lock_id: u64, epoch| OnCollateralChangedParams {
        lock_id,
        reference: lock_id.checked_sub(1000),
        change: CollateralChange::Slashed,
        amount: atto(50),
        remaining: atto(0),
        epoch,
    };
    // A fault fee changes nothing; the slash at 2500 freezes vesting at a quarter.
    let fee = OnCollateralChangedParams {
        change: CollateralChange::FaultFee,
        ..slash(1000, 2_000)
    };
    assert!(
        on_collateral_changed(&store, &mut state, &facts(ESCROW, 2_000, 0), &fee)
            .unwrap()
            .is_empty()
    );
    on_collateral_changed(&store, &mut state, &facts(ESCROW, 2_500, 0), &slash(1000, 2_500)).unwrap();
    let claim1 = get_claim(&store, &state, c1).unwrap();
    assert_eq!(
        (claim1.status, claim1.vested(9_999)),
        (ClaimStatus::Slashed, atto(250))
    );
    let bounty = get_bounty(&store, &state, 0).unwrap();
    assert_eq!(
        (bounty.open_slots, bounty.pool.clone(), bounty.holders.len()),
        (1, atto(750), 0)
    );
    // A repeat is a no-op; an unknown lock is 17.
    let before = state.clone();
    assert!(
        on_collateral_changed(&store, &mut state, &facts(ESCROW, 2_600, 0), &slash(1000, 2_600))
            .unwrap()
            .is_empty()
    );
    assert_eq!(state, before);
    assert_eq!(
        code(
            on_collateral_changed(&store, &mut state, &facts(ESCROW, 2_600, 0), &slash(77, 2_600))
                .unwrap_err()
        ),
        17
    );
    // P2 takes the reopened slot for what is left; P1 still gets its vested quarter.
    let c2 = claim(&store, &mut state, 0, P2, 8, 3_000);
    assert_eq!(get_claim(&store, &state, c2).unwrap().reward, atto(750));
    let (p1, _, _) = withdraw(&store, &mut state, &facts(P1, 50_000, 0), P1).unwrap();
    let (p2, _, _) = withdraw(&store, &mut state, &facts(P2, 50_000, 0), P2).unwrap();
    assert_eq!((p1.clone(), p2.clone()), (atto(250), atto(750)));
    check_invariants(&store, &state, &(atto(1000) - p1 - p2)).unwrap();
    // Release completes P2's claim.
    let release = OnCollateralChangedParams {
        change: CollateralChange::Released,
        ..slash(1001, 13_000)
    };
    on_collateral_changed(&store, &mut state, &facts(ESCROW, 13_000, 0), &release).unwrap();
    assert_eq!(
        get_claim(&store, &state, c2).unwrap().status,
        ClaimStatus::Completed
    );
    check_invariants(&store, &state, &atto(0)).unwrap();
}

#[test]
fn cancel_and_reclaim_pay_back_once() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 3000), params(3)).unwrap();
    claim(&store, &mut state, 0, P1, 7, 0);
    assert_eq!(
        code(reclaim(&store, &mut state, &facts(CLIENT, 10, 0), 0).unwrap_err()),
        20,
        "still open"
    );
    assert_eq!(
        code(cancel(&store, &mut state, &facts(P1, 10, 0), 0).unwrap_err()),
        18
    );
    cancel(&store, &mut state, &facts(CLIENT, 10, 0), 0).unwrap();
    assert_eq!(
        code(cancel(&store, &mut state, &facts(CLIENT, 11, 0), 0).unwrap_err()),
        20
    );
    assert_eq!(
        code(precheck_claim(&store, &state, &facts(P2, 11, 50), 0, P2, 8).unwrap_err()),
        20,
        "cancelled"
    );
    let (amount, _) = reclaim(&store, &mut state, &facts(CLIENT, 12, 0), 0).unwrap();
    assert_eq!(amount, atto(2000));
    assert_eq!(
        code(reclaim(&store, &mut state, &facts(CLIENT, 13, 0), 0).unwrap_err()),
        20,
        "twice"
    );
    // The claim's slash after the cancel returns its unvested reward to the client instead.
    let slash = OnCollateralChangedParams {
        lock_id: 1000,
        reference: Some(0),
        change: CollateralChange::Slashed,
        amount: atto(50),
        remaining: atto(0),
        epoch: 5_000,
    };
    on_collateral_changed(&store, &mut state, &facts(ESCROW, 5_000, 0), &slash).unwrap();
    let (back, _) = reclaim(&store, &mut state, &facts(CLIENT, 5_001, 0), 0).unwrap();
    assert_eq!(back, atto(500));
    let bounty = get_bounty(&store, &state, 0).unwrap();
    assert_eq!(bounty.reclaimed, atto(2500));
    check_invariants(&store, &state, &atto(500)).unwrap();
}

#[test]
fn expiry_is_at_most_max_duration_from_the_post() {
    let (store, mut state) = setup();
    let max = MarketPolicy::default().max_duration;
    let at = |expiry: i64| PostBountyParams { expiry, ..params(1) };
    // The horizon moves with the chain: exactly now + max_duration is accepted.
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 1000), at(max)).unwrap();
    post_bounty(&store, &mut state, &facts(CLIENT, 700, 1000), at(700 + max)).unwrap();
    let before = state.clone();
    let e = post_bounty(&store, &mut state, &facts(CLIENT, 700, 1000), at(701 + max)).unwrap_err();
    assert_eq!(code(e.clone()), 16);
    assert!(
        e.message().contains(&format!("at most epoch {}", 700 + max)),
        "{}",
        e.message()
    );
    assert_eq!(state, before);
}

#[test]
fn cancel_after_the_expiry_is_refused_and_a_full_bounty_cancel_stops_reopening() {
    let (store, mut state) = setup();
    // Bounty 0: expired, one slot unclaimed. Cancelling it would change nothing.
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), params(2)).unwrap();
    claim(&store, &mut state, 0, P1, 7, 0);
    let before = state.clone();
    let e = cancel(&store, &mut state, &facts(CLIENT, 5_000, 0), 0).unwrap_err();
    assert_eq!(code(e.clone()), 20);
    assert!(e.message().contains("expired at 5000"), "{}", e.message());
    assert_eq!(state, before, "a refused cancel changes nothing");
    let (amount, _) = reclaim(&store, &mut state, &facts(CLIENT, 5_000, 0), 0).unwrap();
    assert_eq!(amount, atto(1000));

    // Bounty 1: every slot claimed before the expiry. The cancel frees nothing now, but a
    // claim that fails later refunds the client instead of reopening its slot.
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 1000), params(1)).unwrap();
    claim(&store, &mut state, 1, P2, 8, 0);
    let events = cancel(&store, &mut state, &facts(CLIENT, 1_000, 0), 1).unwrap();
    assert_eq!(events.len(), 1);
    let bounty = get_bounty(&store, &state, 1).unwrap();
    assert_eq!(
        (bounty.status, bounty.open_slots, bounty.refundable.clone()),
        (BountyStatus::Cancelled, 0, atto(0))
    );
    let slash = OnCollateralChangedParams {
        lock_id: 1001,
        reference: Some(1),
        change: CollateralChange::Slashed,
        amount: atto(50),
        remaining: atto(0),
        epoch: 2_500,
    };
    on_collateral_changed(&store, &mut state, &facts(ESCROW, 2_500, 0), &slash).unwrap();
    let bounty = get_bounty(&store, &state, 1).unwrap();
    assert_eq!((bounty.open_slots, bounty.refundable), (0, atto(750)));
    check_invariants(&store, &state, &atto(2000)).unwrap();
}

#[test]
fn expiry_frees_the_unclaimed_rewards() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), params(2)).unwrap();
    claim(&store, &mut state, 0, P1, 7, 0);
    let (amount, _) = reclaim(&store, &mut state, &facts(CLIENT, 5_000, 0), 0).unwrap();
    assert_eq!(amount, atto(1000));
    assert_eq!(
        code(reclaim(&store, &mut state, &facts(P1, 5_000, 0), 0).unwrap_err()),
        18
    );
    check_invariants(&store, &state, &atto(1000)).unwrap();
}

#[test]
fn listing_by_client_and_piece() {
    let (store, mut state) = setup();
    for i in 0..5u64 {
        let client = if i % 2 == 0 { CLIENT } else { CLIENT + 1 };
        post_bounty(&store, &mut state, &facts(client, 0, 1000), params(1)).unwrap();
    }
    let all = |p: ListBountiesParams| {
        let mut ids = Vec::new();
        let mut p = p;
        loop {
            let page = list_bounties(&store, &state, &p).unwrap();
            ids.extend(page.bounties.iter().map(|b| b.bounty_id));
            match page.next {
                Some(n) => p.cursor = Some(n),
                None => break,
            }
        }
        ids.sort_unstable();
        ids
    };
    let base = ListBountiesParams {
        client: None,
        piece_cid: None,
        cursor: None,
        limit: 2,
    };
    assert_eq!(all(base.clone()), vec![0, 1, 2, 3, 4]);
    assert_eq!(
        all(ListBountiesParams {
            client: Some(CLIENT),
            ..base.clone()
        }),
        vec![0, 2, 4]
    );
    assert_eq!(
        all(ListBountiesParams {
            piece_cid: Some(commp(1)),
            ..base.clone()
        }),
        vec![0, 1, 2, 3, 4]
    );
    assert!(all(ListBountiesParams {
        piece_cid: Some(commp(9)),
        ..base.clone()
    })
    .is_empty());
    assert_eq!(
        code(list_bounties(&store, &state, &ListBountiesParams { limit: 0, ..base }).unwrap_err()),
        16
    );
}

#[test]
fn a_callback_must_name_the_lock_of_the_claim_it_references() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), params(2)).unwrap();
    let first = claim(&store, &mut state, 0, P1, 1, 10);
    let second = claim(&store, &mut state, 0, P2, 2, 10);
    let before = state.clone();
    let callback = |lock_id, reference| OnCollateralChangedParams {
        lock_id,
        reference,
        change: CollateralChange::Slashed,
        amount: atto(50),
        remaining: atto(0),
        epoch: 20,
    };
    for (lock_id, reference) in [
        (1000 + second, Some(first)),
        (1000 + first, None),
        (1000 + first, Some(9)),
    ] {
        let err = on_collateral_changed(
            &store,
            &mut state,
            &facts(ESCROW, 20, 0),
            &callback(lock_id, reference),
        );
        assert_eq!(
            code(err.unwrap_err()),
            17,
            "lock {lock_id} reference {reference:?}"
        );
        assert_eq!(state, before);
    }
    assert!(!on_collateral_changed(
        &store,
        &mut state,
        &facts(ESCROW, 20, 0),
        &callback(1000 + first, Some(first))
    )
    .unwrap()
    .is_empty());
}

#[test]
fn a_deal_backs_one_claim_only_even_past_the_precheck() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), params(2)).unwrap();
    claim(&store, &mut state, 0, P1, 1, 10);
    let f = facts(P2, 10, MIN_COLLATERAL);
    assert_eq!(
        code(precheck_claim(&store, &state, &f, 0, P2, 1).unwrap_err()),
        20
    );
    // create_claim re-checks: a deal is indexed once whatever the caller checked before.
    let bounty = get_bounty(&store, &state, 0).unwrap();
    let receipt = verify_locked_evidence(&bounty, &f, 1, 1, &locked(1005, 1, 100_000)).unwrap();
    let before = state.clone();
    let err = create_claim(&store, &mut state, &f, 0, bounty, P2, receipt, 1005, ClaimantProfile::default()).unwrap_err();
    assert_eq!(code(err), 20);
    assert_eq!(state, before);
}

#[test]
fn a_bounty_that_takes_its_last_claim_refunds_the_slot_left_open() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), params(2)).unwrap();
    let slash = |claim_id: u64| OnCollateralChangedParams {
        lock_id: 1000 + claim_id,
        reference: Some(claim_id),
        change: CollateralChange::Slashed,
        amount: atto(MIN_COLLATERAL),
        remaining: atto(0),
        epoch: 10,
    };
    // Seven providers take a slot and are slashed at once, each reopening it (at epoch 10,
    // nothing vested: the whole reward goes back to the pool).
    let cap = MAX_CLAIMS_PER_REPLICA * 2;
    for i in 0..cap - 1 {
        let claim_id = claim(&store, &mut state, 0, 300 + i, 500 + i, 10);
        on_collateral_changed(&store, &mut state, &facts(ESCROW, 10, 0), &slash(claim_id)).unwrap();
    }
    let before = get_bounty(&store, &state, 0).unwrap();
    assert_eq!((before.open_slots, before.claimants.len() as u64), (2, cap - 1));
    // The eighth claim is the bounty's last: it takes one slot, the other is refunded.
    let last = claim(&store, &mut state, 0, 300 + cap, 500 + cap, 10);
    let after = get_bounty(&store, &state, 0).unwrap();
    let reward = get_claim(&store, &state, last).unwrap().reward;
    assert_eq!(reward, atto(1000));
    assert_eq!((after.open_slots, after.pool.clone()), (0, atto(0)));
    assert_eq!(after.refundable, atto(2000) - reward);
    check_invariants(&store, &state, &atto(2000)).unwrap();
    let f = facts(399, 10, MIN_COLLATERAL);
    assert_eq!(
        code(precheck_claim(&store, &state, &f, 0, 399, 600).unwrap_err()),
        20
    );
}
