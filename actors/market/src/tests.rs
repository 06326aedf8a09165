//! Host tests of the bounty market's core: posting, claim checks, vesting, slashes that reopen
//! slots, withdrawals, cancel and reclaim, and the books.

use actor_runtime::{ActorResult, Facts};
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
        renewals: 0,
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
    let (id, claim, _) = create_claim(
        store,
        state,
        &f,
        bounty_id,
        bounty,
        provider,
        receipt,
        lock_id,
        ClaimantProfile::default(),
    )
    .unwrap();
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
    assert_eq!(e.exit_code().value(), 16);
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
    assert_eq!(e.exit_code().value(), 20);
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
    let err = create_claim(
        &store,
        &mut state,
        &f,
        0,
        bounty,
        P2,
        receipt,
        1005,
        ClaimantProfile::default(),
    )
    .unwrap_err();
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

// --- crowdfunding ---

const S1: u64 = 301;
const S2: u64 = 302;

/// The slot-holder lock of claim `claim_id` released (completed) or slashed at `epoch`.
fn lock_change(claim_id: u64, change: CollateralChange, epoch: i64) -> OnCollateralChangedParams {
    OnCollateralChangedParams {
        lock_id: 1000 + claim_id,
        reference: Some(claim_id),
        change,
        amount: atto(50),
        remaining: atto(0),
        epoch,
    }
}

#[test]
fn contributions_raise_the_open_slots_reward_and_are_recorded_per_sponsor() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), params(2)).unwrap();
    let events = fund_bounty(&store, &mut state, &facts(S1, 10, 300), 0).unwrap();
    assert_eq!(events.len(), 1);
    fund_bounty(&store, &mut state, &facts(S1, 11, 100), 0).unwrap();
    fund_bounty(&store, &mut state, &facts(S2, 12, 200), 0).unwrap();
    let b = get_bounty(&store, &state, 0).unwrap();
    assert_eq!(
        (
            b.pool.clone(),
            b.sponsored.clone(),
            b.sponsors,
            b.sponsors_unsettled
        ),
        (atto(2600), atto(600), 2, 2)
    );
    assert_eq!(state.owed, atto(2600));
    let c = get_contribution(&store, &state, &facts(S1, 12, 0), 0, S1).unwrap();
    assert_eq!((c.contribution.amount, c.refundable_now), (atto(400), atto(0)));
    // Each of the two slots now pays half of 2600.
    let c1 = claim(&store, &mut state, 0, P1, 7, 20);
    assert_eq!(get_claim(&store, &state, c1).unwrap().reward, atto(1300));
    check_invariants(&store, &state, &atto(2600)).unwrap();
}

#[test]
fn funding_is_refused_when_it_could_raise_nothing() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 1000), params(1)).unwrap();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 1000), params(1)).unwrap();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 1000), params(1)).unwrap();
    let before = state.clone();
    // Zero value (16), an unknown bounty (17), an expired one (20).
    assert_eq!(
        code(fund_bounty(&store, &mut state, &facts(S1, 1, 0), 0).unwrap_err()),
        16
    );
    assert_eq!(
        code(fund_bounty(&store, &mut state, &facts(S1, 1, 5), 9).unwrap_err()),
        17
    );
    assert_eq!(
        code(fund_bounty(&store, &mut state, &facts(S1, 5_000, 5), 0).unwrap_err()),
        20
    );
    assert_eq!(state, before);
    // A cancelled one, and one with no open slot (20).
    cancel(&store, &mut state, &facts(CLIENT, 1, 0), 1).unwrap();
    claim(&store, &mut state, 2, P1, 7, 1);
    let before = state.clone();
    let e = fund_bounty(&store, &mut state, &facts(S1, 2, 5), 1).unwrap_err();
    assert_eq!(e.exit_code().value(), 20);
    assert!(e.message().contains("cancelled"), "{}", e.message());
    let e = fund_bounty(&store, &mut state, &facts(S1, 2, 5), 2).unwrap_err();
    assert!(e.message().contains("no open slot"), "{}", e.message());
    assert_eq!(state, before);
}

/// The worked example of the README: 3 × 1000 from the client, 7 and 11 from two sponsors
/// (raised 3018); one claim takes 1006, the cancel returns 2012, shared 2000 / 4 / 7 rounded
/// and the 1 attoFIL of dust goes to the client once both sponsors settled.
#[test]
fn refunds_are_pro_rata_exact_to_the_atto_with_the_dust_to_the_client() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 3000), params(3)).unwrap();
    fund_bounty(&store, &mut state, &facts(S1, 1, 7), 0).unwrap();
    fund_bounty(&store, &mut state, &facts(S2, 1, 11), 0).unwrap();
    let c0 = claim(&store, &mut state, 0, P1, 7, 2);
    assert_eq!(get_claim(&store, &state, c0).unwrap().reward, atto(1006));
    // Before a cancel or the expiry nobody is refunded.
    let before = state.clone();
    assert_eq!(
        code(refund_sponsor(&store, &mut state, &facts(S1, 3, 0), 0).unwrap_err()),
        20
    );
    assert_eq!(state, before);
    cancel(&store, &mut state, &facts(CLIENT, 3, 0), 0).unwrap();
    // The claim still holds its slot: shares of 2012 so far, nobody settled.
    let (r1, _) = refund_sponsor(&store, &mut state, &facts(S1, 4, 0), 0).unwrap();
    assert_eq!(
        r1,
        SponsorRefundReturn {
            amount: atto(4),
            settled: false
        }
    );
    let (client, _) = reclaim(&store, &mut state, &facts(CLIENT, 4, 0), 0).unwrap();
    assert_eq!(client, atto(2000));
    check_invariants(&store, &state, &(atto(3018) - atto(4) - atto(2000))).unwrap();
    // Nothing more for S1 while the claim may still return reward.
    let before = state.clone();
    let e = refund_sponsor(&store, &mut state, &facts(S1, 5, 0), 0).unwrap_err();
    assert!(e.message().contains("nothing to refund"), "{}", e.message());
    assert_eq!(state, before);
    // A stranger never funded (17).
    assert_eq!(
        code(refund_sponsor(&store, &mut state, &facts(P2, 5, 0), 0).unwrap_err()),
        17
    );
    // The claim completes: the returns are final.
    on_collateral_changed(
        &store,
        &mut state,
        &facts(ESCROW, 10_002, 0),
        &lock_change(c0, CollateralChange::Released, 10_002),
    )
    .unwrap();
    let (r1, _) = refund_sponsor(&store, &mut state, &facts(S1, 10_003, 0), 0).unwrap();
    assert_eq!(
        r1,
        SponsorRefundReturn {
            amount: atto(0),
            settled: true
        }
    );
    // The dust is not the client's while S2 has not settled.
    let e = reclaim(&store, &mut state, &facts(CLIENT, 10_003, 0), 0).unwrap_err();
    assert!(e.message().contains("nothing to reclaim"), "{}", e.message());
    let (r2, _) = refund_sponsor(&store, &mut state, &facts(S2, 10_004, 0), 0).unwrap();
    assert_eq!(
        r2,
        SponsorRefundReturn {
            amount: atto(7),
            settled: true
        }
    );
    assert_eq!(
        code(refund_sponsor(&store, &mut state, &facts(S2, 10_005, 0), 0).unwrap_err()),
        20
    );
    let (dust, _) = reclaim(&store, &mut state, &facts(CLIENT, 10_005, 0), 0).unwrap();
    assert_eq!(dust, atto(1));
    // 2000 + 1 + 4 + 7 = 2012 returned; 1006 is the provider's.
    let b = get_bounty(&store, &state, 0).unwrap();
    assert_eq!(
        (
            b.refundable.clone(),
            b.reclaimed.clone(),
            b.sponsor_refunded.clone(),
            b.sponsors_unsettled
        ),
        (atto(0), atto(2001), atto(11), 0)
    );
    check_invariants(&store, &state, &atto(1006)).unwrap();
}

#[test]
fn a_slash_after_the_expiry_returns_more_to_every_contributor() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 2000), params(2)).unwrap();
    fund_bounty(&store, &mut state, &facts(S1, 1, 2000), 0).unwrap();
    let c0 = claim(&store, &mut state, 0, P1, 7, 0);
    // Expiry at 5000: the open slot's 2000 is returned, half of it S1's.
    let (r1, _) = refund_sponsor(&store, &mut state, &facts(S1, 5_000, 0), 0).unwrap();
    assert_eq!(
        r1,
        SponsorRefundReturn {
            amount: atto(1000),
            settled: false
        }
    );
    assert_eq!(
        get_contribution(&store, &state, &facts(S1, 5_000, 0), 0, S1)
            .unwrap()
            .refundable_now,
        atto(0)
    );
    // A slash at 7500 freezes P1's 2000 at three quarters: 500 returned, half S1's.
    on_collateral_changed(
        &store,
        &mut state,
        &facts(ESCROW, 7_500, 0),
        &lock_change(c0, CollateralChange::Slashed, 7_500),
    )
    .unwrap();
    assert_eq!(
        get_contribution(&store, &state, &facts(S1, 7_500, 0), 0, S1)
            .unwrap()
            .refundable_now,
        atto(250)
    );
    let (r1, _) = refund_sponsor(&store, &mut state, &facts(S1, 7_501, 0), 0).unwrap();
    assert_eq!(
        r1,
        SponsorRefundReturn {
            amount: atto(250),
            settled: true
        }
    );
    let (client, _) = reclaim(&store, &mut state, &facts(CLIENT, 7_502, 0), 0).unwrap();
    assert_eq!(client, atto(1250));
    let (paid, _, _) = withdraw(&store, &mut state, &facts(P1, 7_503, 0), P1).unwrap();
    assert_eq!(paid, atto(1500));
    check_invariants(&store, &state, &atto(0)).unwrap();
}

proptest::proptest! {
    /// Whatever the contributions and the order of the pulls, everything returned is paid out
    /// exactly: each sponsor its floor share, the client the rest.
    #[test]
    fn refunds_add_up_to_what_was_returned(
        sponsors in proptest::collection::vec(1u64..1_000_000, 1..8),
        replicas in 1u64..4,
        claimed in proptest::bool::ANY,
    ) {
        let (store, mut state) = setup();
        let mut p = params(replicas);
        p.reward_per_replica = atto(999_983);
        let client_total = 999_983 * replicas;
        post_bounty(&store, &mut state, &facts(CLIENT, 0, client_total), p).unwrap();
        for (i, v) in sponsors.iter().enumerate() {
            fund_bounty(&store, &mut state, &facts(400 + i as u64, 1, *v), 0).unwrap();
        }
        let raised: u64 = client_total + sponsors.iter().sum::<u64>();
        let kept = if claimed {
            let c = claim(&store, &mut state, 0, P1, 7, 2);
            on_collateral_changed(&store, &mut state, &facts(ESCROW, 3, 0), &lock_change(c, CollateralChange::Released, 3)).unwrap();
            get_claim(&store, &state, c).unwrap().reward
        } else {
            atto(0)
        };
        cancel(&store, &mut state, &facts(CLIENT, 4, 0), 0).unwrap();
        let returned = atto(raised) - &kept;
        let mut paid = TokenAmount::default();
        for (i, v) in sponsors.iter().enumerate() {
            let (r, _) = refund_sponsor(&store, &mut state, &facts(400 + i as u64, 5, 0), 0).unwrap();
            proptest::prop_assert!(r.settled);
            proptest::prop_assert_eq!(&r.amount, &refund_share(&returned, &atto(*v), &atto(raised)));
            paid += r.amount;
        }
        // The client takes the rest, dust included (nothing is left when every slot was taken).
        match reclaim(&store, &mut state, &facts(CLIENT, 6, 0), 0) {
            Ok((client, _)) => paid += client,
            Err(e) => proptest::prop_assert!(paid == returned, "{}", e.message()),
        }
        proptest::prop_assert_eq!(paid, returned);
        check_invariants(&store, &state, &kept).unwrap();
    }
}

// --- replica diversity ---

fn holder(claim_id: u64, provider: u64, owner: Option<u64>, region: Option<&str>) -> SlotHolder {
    SlotHolder {
        claim_id,
        provider,
        owner,
        region: region.map(str::to_owned),
    }
}

#[test]
fn diversity_rules_refuse_naming_the_rule_and_the_claims() {
    let (store, mut state) = setup();
    post_bounty(
        &store,
        &mut state,
        &facts(CLIENT, 0, 3000),
        PostBountyParams {
            distinct_owners: true,
            max_per_region: Some(1),
            ..params(3)
        },
    )
    .unwrap();
    let mut b = get_bounty(&store, &state, 0).unwrap();
    b.holders = vec![holder(4, P1, Some(900), Some("DE"))];
    let profile = |owner: u64, region: &str| ClaimantProfile {
        owner: Some(owner),
        region: Some(region.to_owned()),
    };
    let e = check_diversity(0, &b, P2, &profile(900, "FR")).unwrap_err();
    assert_eq!(e.exit_code().value(), 18);
    assert!(
        e.message().contains("distinct_owners") && e.message().contains("claim 4"),
        "{}",
        e.message()
    );
    let e = check_diversity(0, &b, P2, &profile(901, "DE")).unwrap_err();
    assert!(
        e.message().contains("max_per_region = 1") && e.message().contains("[4]"),
        "{}",
        e.message()
    );
    check_diversity(0, &b, P2, &profile(901, "FR")).unwrap();
    // Unregistered providers share the region "unknown".
    b.holders = vec![holder(5, P1, Some(900), Some(UNKNOWN_REGION))];
    assert!(check_diversity(0, &b, P2, &profile(901, &region_of(None))).is_err());
    assert_eq!(region_of(Some("")), UNKNOWN_REGION);
    assert_eq!(region_of(Some("US-CA")), "US-CA");
    // A profile without what a rule needs is refused, never waved through.
    assert!(check_diversity(0, &b, P2, &ClaimantProfile::default()).is_err());
}

#[test]
fn diversity_options_are_validated_at_post_and_kept_on_the_holders() {
    let (store, mut state) = setup();
    let bad = [
        PostBountyParams {
            distinct_owners: true,
            ..params(1)
        },
        PostBountyParams {
            max_per_region: Some(0),
            ..params(2)
        },
        PostBountyParams {
            max_per_region: Some(2),
            ..params(2)
        },
    ];
    for p in bad {
        let value = 1000 * p.replicas;
        assert_eq!(
            code(post_bounty(&store, &mut state, &facts(CLIENT, 0, value), p).unwrap_err()),
            16
        );
    }
    post_bounty(
        &store,
        &mut state,
        &facts(CLIENT, 0, 2000),
        PostBountyParams {
            max_per_region: Some(1),
            ..params(2)
        },
    )
    .unwrap();
    let f = facts(P1, 1, 50);
    let bounty = precheck_claim(&store, &state, &f, 0, P1, 7).unwrap();
    let receipt = verify_locked_evidence(&bounty, &f, 7, 1, &locked(1000, 7, 100_000)).unwrap();
    let profile = ClaimantProfile {
        owner: Some(900),
        region: Some("DE".into()),
    };
    create_claim(&store, &mut state, &f, 0, bounty, P1, receipt, 1000, profile).unwrap();
    // The region is kept (the rule needs it), the owner not (no distinct_owners).
    assert_eq!(
        get_bounty(&store, &state, 0).unwrap().holders,
        vec![holder(0, P1, None, Some("DE"))]
    );
}

// --- DDO claims and collateral deposits ---

fn ddo_piece(seed: u8, size: u64, payload: fvm_ipld_encoding::RawBytes) -> PieceChange {
    PieceChange {
        data: commp(seed),
        size,
        payload,
    }
}

#[test]
fn deposits_are_owed_until_withdrawn_and_a_ddo_claim_locks_from_them() {
    let (store, mut state) = setup();
    let post = facts(CLIENT, 0, 2000);
    post_bounty(&store, &mut state, &post, params(2)).unwrap();
    // Deposits must be positive and add up; they are owed.
    assert_eq!(
        code(deposit_collateral(&store, &mut state, &facts(P1, 0, 0), P1).unwrap_err()),
        16
    );
    deposit_collateral(&store, &mut state, &facts(P1, 0, 30), P1).unwrap();
    let (d, events) = deposit_collateral(&store, &mut state, &facts(P1, 0, 40), P1).unwrap();
    assert_eq!((d.available, events.len()), (atto(70), 1));
    check_invariants(&store, &state, &atto(2070)).unwrap();
    assert!(check_invariants(&store, &state, &atto(2069)).is_err());

    // A DDO piece naming bounty 0 passes every check; the claim takes 50 of the 70.
    let piece = ddo_piece(1, 2048, ddo_payload(0));
    let notified = NotifiedPiece {
        sector: 7,
        committed_until: 10_000,
        piece: &piece,
    };
    let ddo = facts(P1, 0, 0);
    let (bounty_id, bounty) = precheck_ddo_piece(&store, &state, &ddo, P1, &notified).unwrap();
    assert_eq!(bounty_id, 0);
    let (id, claim, events) = create_ddo_claim(
        &store,
        &mut state,
        &ddo,
        bounty_id,
        bounty,
        &notified,
        900,
        ClaimantProfile::default(),
    )
    .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (
            claim.deal.deal_id,
            claim.deal.sector,
            claim.deal.end_epoch,
            claim.collateral.clone(),
            claim.lock_id
        ),
        (NO_DEAL, 7, 10_000, atto(50), Some(900))
    );
    assert_eq!(
        deposit_of(&store, &state, P1).unwrap(),
        CollateralDeposit {
            available: atto(20),
            locked_total: atto(50)
        }
    );
    // 50 left the market for the escrow.
    check_invariants(&store, &state, &atto(2020)).unwrap();
    assert_eq!(get_claim(&store, &state, id).unwrap().reward, atto(1000));
    // No deal was marked used: NO_DEAL stays out of the deal index.
    assert!(state.deals(&store).unwrap().get(&NO_DEAL).unwrap().is_none());

    // Withdrawals: at most what is available, positive.
    let w = facts(P1, 1, 0);
    assert_eq!(
        code(withdraw_collateral(&store, &mut state, &w, P1, &atto(21)).unwrap_err()),
        19
    );
    assert_eq!(
        code(withdraw_collateral(&store, &mut state, &w, P1, &atto(0)).unwrap_err()),
        16
    );
    let (d, _) = withdraw_collateral(&store, &mut state, &w, P1, &atto(20)).unwrap();
    assert_eq!(d.available, atto(0));
    check_invariants(&store, &state, &atto(2000)).unwrap();
}

#[test]
fn each_ddo_check_refuses_the_piece() {
    let (store, mut state) = setup();
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 1000), params(1)).unwrap();
    post_bounty(
        &store,
        &mut state,
        &facts(CLIENT, 0, 1000),
        PostBountyParams {
            allowed_providers: Some(vec![P2]),
            ..params(1)
        },
    )
    .unwrap();
    let f = facts(P1, 0, 0);
    let check = |state: &State, piece: &PieceChange, until: i64| {
        let notified = NotifiedPiece {
            sector: 1,
            committed_until: until,
            piece,
        };
        precheck_ddo_piece(&store, state, &f, P1, &notified).map(|(id, _)| id)
    };
    let good = ddo_piece(1, 2048, ddo_payload(0));
    // No deposit yet: 19.
    assert_eq!(code(check(&state, &good, 10_000).unwrap_err()), 19);
    deposit_collateral(&store, &mut state, &facts(P1, 0, 50), P1).unwrap();
    assert_eq!(check(&state, &good, 10_000).unwrap(), 0);
    let cases: Vec<(PieceChange, i64, u32)> = vec![
        (ddo_piece(2, 2048, ddo_payload(0)), 10_000, 16),
        (ddo_piece(1, 1024, ddo_payload(0)), 10_000, 16),
        (good.clone(), 9_999, 16),
        (ddo_piece(1, 2048, ddo_payload(5)), 10_000, 17),
        (
            ddo_piece(1, 2048, fvm_ipld_encoding::RawBytes::new(vec![0xf6])),
            10_000,
            16,
        ),
        (
            ddo_piece(1, 2048, fvm_ipld_encoding::RawBytes::new(vec![])),
            10_000,
            16,
        ),
        (ddo_piece(1, 2048, ddo_payload(1)), 10_000, 18),
    ];
    for (piece, until, want) in cases {
        assert_eq!(
            code(check(&state, &piece, until).unwrap_err()),
            want,
            "{piece:?} until {until}"
        );
    }
    // Once per provider: after a deal claim by P1, its DDO piece is refused.
    claim(&store, &mut state, 0, P1, 5, 0);
    assert_eq!(code(check(&state, &good, 10_000).unwrap_err()), 20);
}

#[test]
fn the_books_catch_a_deposit_that_does_not_match_its_ddo_claims() {
    let (store, mut state) = setup();
    deposit_collateral(&store, &mut state, &facts(P1, 0, 30), P1).unwrap();
    check_invariants(&store, &state, &atto(30)).unwrap();
    let mut deposits = state.deposits(&store).unwrap();
    deposits
        .set(
            &P1,
            CollateralDeposit {
                available: atto(30),
                locked_total: atto(5),
            },
        )
        .unwrap();
    state.deposits = deposits.flush().unwrap();
    let failures = check_invariants(&store, &state, &atto(30)).unwrap_err();
    assert!(failures.contains("locked, its DDO claims hold"), "{failures}");
}

#[test]
fn a_ddo_payload_is_the_cbor_of_a_bounty_id() {
    assert_eq!(ddo_payload(42).bytes(), &[0x18, 0x2a]);
    assert_eq!(decode_ddo_payload(&[0x18, 0x2a]), Some(42));
    assert_eq!(decode_ddo_payload(&[0x18, 0x2a, 0x00]), None);
    assert_eq!(decode_ddo_payload(&[0x61, 0x78]), None);
}

// --- renewals ---

/// A claim of `reward` over [start, end) with the given earlier terms.
fn renewed_claim(history: Vec<(i64, i64, u64)>, current: (i64, i64, u64)) -> Claim {
    let receipt = DealReceipt {
        deal_id: 1,
        start_epoch: 0,
        end_epoch: 1_000_000,
        activated: 0,
        sector: 1,
    };
    Claim {
        bounty_id: 0,
        provider: P1,
        claimed_by: P1,
        deal: receipt.clone(),
        claimed_at: history.first().map_or(current.0, |t| t.0),
        vest_end: current.1,
        reward: atto(current.2),
        paid: TokenAmount::default(),
        collateral: atto(50),
        lock_id: Some(9),
        status: ClaimStatus::Active,
        stopped_at: None,
        term_start: current.0,
        history: history
            .into_iter()
            .enumerate()
            .map(|(i, (start, end, reward))| ClaimTerm {
                deal: receipt.clone(),
                lock_id: Some(i as u64),
                collateral: atto(50),
                start,
                end,
                reward: atto(reward),
            })
            .collect(),
    }
}

#[test]
fn vesting_sums_every_term_each_over_its_own_span_and_stops_at_a_slash() {
    // Slot term [0, 1000) of 1000, a renewal [1000, 2000) of 500, a gap, then [2500, 3500) of 2000.
    let mut c = renewed_claim(
        vec![(0, 1_000, 1_000), (1_000, 2_000, 500)],
        (2_500, 3_500, 2_000),
    );
    assert_eq!(c.total_reward(), atto(3_500));
    let cases = [
        (0, 0),
        (500, 500),
        (1_000, 1_000),
        (1_500, 1_250),
        (2_000, 1_500),
        (2_400, 1_500),
        (3_000, 2_500),
        (3_500, 3_500),
        (10_000, 3_500),
    ];
    for (epoch, vested) in cases {
        assert_eq!(c.vested(epoch), atto(vested), "at {epoch}");
    }
    assert_eq!(
        (c.entitled(), c.slot_entitled(), c.renewal_entitled()),
        (atto(3_500), atto(1_000), atto(2_500))
    );
    assert_eq!(c.locks().collect::<Vec<_>>(), vec![0, 1, 9]);
    // Slashed at 1500: everything freezes there, the slot term was paid in full.
    c.status = ClaimStatus::Slashed;
    c.stopped_at = Some(1_500);
    assert_eq!(c.vested(10_000), atto(1_250));
    assert_eq!(
        (c.entitled(), c.slot_entitled(), c.renewal_entitled()),
        (atto(1_250), atto(1_000), atto(250))
    );
    // Slashed inside the slot term: the renewal terms earned nothing.
    c.stopped_at = Some(250);
    assert_eq!(
        (c.entitled(), c.slot_entitled(), c.renewal_entitled()),
        (atto(250), atto(250), atto(0))
    );
    // Without history the claim is exactly one term, as before renewals.
    let single = renewed_claim(vec![], (100, 10_100, 1_000));
    assert_eq!(single.vested(5_100), atto(500));
    assert_eq!(
        (single.slot_entitled(), single.renewal_entitled()),
        (atto(1_000), atto(0))
    );
}

/// Posts 1 replica of 1000 with `renewals`, claims it with P1 at epoch 0 (term [0, 10000)).
fn renewable(renewals: u64) -> (MemoryBlockstore, State, u64) {
    let (store, mut state) = setup();
    let value = 1_000 * (1 + renewals);
    post_bounty(
        &store,
        &mut state,
        &facts(CLIENT, 0, value),
        PostBountyParams {
            renewals,
            ..params(1)
        },
    )
    .unwrap();
    let c = claim(&store, &mut state, 0, P1, 7, 0);
    (store, state, c)
}

fn renew_at(
    store: &MemoryBlockstore,
    state: &mut State,
    claim_id: u64,
    deal_id: u64,
    epoch: i64,
) -> ActorResult<RenewClaimReturn> {
    let f = facts(P1, epoch, 50);
    let p = RenewClaimParams {
        claim_id,
        deal_id,
        sector: 1,
        sector_location: None,
    };
    let claim = get_claim(store, state, claim_id)?;
    let bounty = precheck_renew(store, state, &f, &p, &claim)?;
    let (_, term_end) = renewal_term(&claim, &bounty, epoch);
    let lock_id = 5_000 + deal_id;
    let receipt = verify_renewal_evidence(
        &bounty,
        deal_id,
        1,
        term_end,
        &locked(lock_id, deal_id, 1_000_000),
    )?;
    Ok(record_renewal(
        store,
        state,
        &f,
        claim_id,
        (claim, bounty),
        receipt,
        lock_id,
        atto(50),
    )?
    .0)
}

#[test]
fn the_renewal_window_runs_from_a_quarter_term_before_the_end_to_a_term_after() {
    let (store, mut state, c) = renewable(2);
    // Window [10000 − 2500, 10000 + 10000].
    assert_eq!(code(renew_at(&store, &mut state, c, 8, 7_499).unwrap_err()), 16);
    let bounty = get_bounty(&store, &state, 0).unwrap();
    let claim = get_claim(&store, &state, c).unwrap();
    assert_eq!(renewal_window(&claim, &bounty), (7_500, 20_000));
    // Early: the new term starts where the old one ends.
    assert_eq!(renewal_term(&claim, &bounty, 7_500), (10_000, 20_000));
    // Late: it starts now.
    assert_eq!(renewal_term(&claim, &bounty, 12_000), (12_000, 22_000));
    let got = renew_at(&store, &mut state, c, 8, 7_500).unwrap();
    assert_eq!((got.term_start, got.term_end), (10_000, 20_000));
    // The next window is from the new end's quarter-term lead.
    assert_eq!(code(renew_at(&store, &mut state, c, 9, 17_499).unwrap_err()), 16);
    assert_eq!(code(renew_at(&store, &mut state, c, 9, 30_001).unwrap_err()), 16);
    let got = renew_at(&store, &mut state, c, 9, 30_000).unwrap();
    assert_eq!((got.term_start, got.term_end), (30_000, 40_000));
    check_invariants(&store, &state, &atto(3_000)).unwrap();
}

#[test]
fn each_renewal_takes_an_equal_share_of_the_pool_and_the_last_takes_the_rest() {
    // 3 renewals funded of 1000 each, plus 1 atto slashed back: 3001 in the pool.
    let (store, mut state, c) = renewable(3);
    let mut bounties = state.bounties(&store).unwrap();
    let mut b = bounties.get(0).unwrap().cloned().unwrap();
    b.renewal_pool += atto(1);
    b.renewals_funded += atto(1);
    bounties.set(0, b).unwrap();
    state.bounties = bounties.flush().unwrap();
    state.owed += atto(1);
    let mut epoch = 7_500;
    let mut rewards = vec![];
    for deal in [8, 9, 10] {
        let got = renew_at(&store, &mut state, c, deal, epoch).unwrap();
        rewards.push(got.reward);
        epoch = got.term_end - 2_500;
    }
    assert_eq!(rewards, vec![atto(1_000), atto(1_000), atto(1_001)]);
    let b = get_bounty(&store, &state, 0).unwrap();
    assert_eq!((b.renewal_pool.clone(), b.renewals_left), (atto(0), 0));
    assert_eq!(get_claim(&store, &state, c).unwrap().total_reward(), atto(4_001));
    check_invariants(&store, &state, &atto(4_001)).unwrap();
    // Nothing left: refused with the way forward.
    let e = renew_at(&store, &mut state, c, 11, epoch).unwrap_err();
    assert!(e.message().contains("FundRenewals"), "{}", e.message());
}

#[test]
fn renewal_funds_are_capped_exact_and_the_clients_alone() {
    let (store, mut state) = setup();
    let cap = MAX_RENEWALS_PER_CLAIM;
    let too_many = PostBountyParams {
        renewals: cap + 1,
        ..params(1)
    };
    assert_eq!(
        code(post_bounty(&store, &mut state, &facts(CLIENT, 0, 1_000 * (cap + 2)), too_many).unwrap_err()),
        16
    );
    post_bounty(&store, &mut state, &facts(CLIENT, 0, 1_000), params(1)).unwrap();
    let fund = |n| FundRenewalsParams {
        bounty_id: 0,
        renewals: n,
    };
    assert_eq!(
        code(fund_renewals(&store, &mut state, &facts(P1, 0, 1_000), &fund(1)).unwrap_err()),
        18
    );
    assert_eq!(
        code(fund_renewals(&store, &mut state, &facts(CLIENT, 0, 999), &fund(1)).unwrap_err()),
        16
    );
    assert_eq!(
        code(fund_renewals(&store, &mut state, &facts(CLIENT, 0, 0), &fund(0)).unwrap_err()),
        16
    );
    fund_renewals(&store, &mut state, &facts(CLIENT, 0, 1_000 * cap), &fund(cap)).unwrap();
    assert_eq!(
        code(fund_renewals(&store, &mut state, &facts(CLIENT, 0, 1_000), &fund(1)).unwrap_err()),
        16
    );
    check_invariants(&store, &state, &atto(1_000 * (cap + 1))).unwrap();
    assert_eq!(
        code(reclaim_renewals(&store, &mut state, &facts(P1, 0, 0), 0).unwrap_err()),
        18
    );
    let (amount, _) = reclaim_renewals(&store, &mut state, &facts(CLIENT, 0, 0), 0).unwrap();
    assert_eq!(amount, atto(1_000 * cap));
    assert_eq!(
        code(reclaim_renewals(&store, &mut state, &facts(CLIENT, 0, 0), 0).unwrap_err()),
        16
    );
    check_invariants(&store, &state, &atto(1_000)).unwrap();
}

#[test]
fn a_slash_splits_the_unvested_reward_between_the_slot_and_the_renewal_pool() {
    let (store, mut state, c) = renewable(1);
    renew_at(&store, &mut state, c, 8, 7_500).unwrap();
    // Release of the slot term's lock: that term is done, the slot is free, the claim goes on.
    let release_slot = OnCollateralChangedParams {
        lock_id: 1000 + c,
        ..lock_change(c, CollateralChange::Released, 10_000)
    };
    let events = on_collateral_changed(&store, &mut state, &facts(ESCROW, 10_000, 0), &release_slot).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(get_claim(&store, &state, c).unwrap().status, ClaimStatus::Active);
    assert!(get_bounty(&store, &state, 0).unwrap().holders.is_empty());
    // A lock the claim never had is not found.
    let stranger = OnCollateralChangedParams {
        lock_id: 77,
        ..lock_change(c, CollateralChange::Slashed, 15_000)
    };
    assert_eq!(
        code(on_collateral_changed(&store, &mut state, &facts(ESCROW, 15_000, 0), &stranger).unwrap_err()),
        17
    );
    // Slash of the renewal lock at 15000: half the renewal term's 1000 returns to the pool.
    let slash = OnCollateralChangedParams {
        lock_id: 5_008,
        ..lock_change(c, CollateralChange::Slashed, 15_000)
    };
    on_collateral_changed(&store, &mut state, &facts(ESCROW, 15_000, 0), &slash).unwrap();
    let b = get_bounty(&store, &state, 0).unwrap();
    assert_eq!(
        (
            b.renewal_pool.clone(),
            b.renewals_left,
            b.refundable.clone(),
            b.pool.clone()
        ),
        (atto(500), 0, atto(0), atto(0))
    );
    let claim = get_claim(&store, &state, c).unwrap();
    assert_eq!(
        (claim.status, claim.entitled()),
        (ClaimStatus::Slashed, atto(1_500))
    );
    check_invariants(&store, &state, &atto(2_000)).unwrap();
    // A slashed claim does not renew.
    assert_eq!(code(renew_at(&store, &mut state, c, 9, 16_000).unwrap_err()), 16);
}
