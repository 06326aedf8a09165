//! Crowdfunded bounties and replica diversity on the real wasm: sponsors add to a bounty's
//! open slots with `FundBounty`, pull their pro-rata share of what a cancelled or expired bounty
//! returns with `RefundSponsor` (exact to the attoFIL, the rounding dust to the client once
//! every sponsor settled); `distinct_owners` and `max_per_region` refuse claims naming the rule
//! and the claim already holding a slot. Every message through the world's `send`, so every
//! book (the market's, with contributions, the escrow's, claims against locks, FIL conserved) is
//! checked after it.

use super::*;
use suite_interfaces::reputation::Metadata;

fn atto(v: u128) -> TokenAmount {
    TokenAmount::from_atto(v)
}

fn fund(w: &mut World, from: Account, id: u64, value: TokenAmount) -> Receipt {
    let market = w.market();
    w.send(from, |h, a| BountyMarketClient::at(market).fund(h, a, id, value))
}

/// A contribution that must succeed: the value moves from the sponsor to the market.
fn fund_ok(w: &mut World, from: Account, id: u64, value: TokenAmount) -> Receipt {
    let r = fund(w, from, id, value.clone()).ok().unwrap();
    w.moved(&[(from.id, neg(value.clone())), (w.market(), value)]);
    r
}

fn refund(w: &mut World, from: Account, id: u64) -> Receipt {
    let market = w.market();
    w.send(from, |h, a| {
        BountyMarketClient::at(market).refund_sponsor(h, a, id)
    })
}

/// A sponsor refund that must pay `amount` (and say whether it settled the sponsor).
fn refund_ok(w: &mut World, from: Account, id: u64, amount: TokenAmount, settled: bool) -> Receipt {
    let r = refund(w, from, id).ok().unwrap();
    assert_eq!(
        r.ret::<SponsorRefundReturn>().unwrap(),
        SponsorRefundReturn {
            amount: amount.clone(),
            settled
        }
    );
    w.moved(&[(from.id, amount.clone()), (w.market(), neg(amount.clone()))]);
    assert_event(
        &r,
        EVENT_SPONSOR_REFUNDED,
        w.market(),
        &[
            entry("bounty", true, &id),
            entry("sponsor", true, &from.id),
            entry("amount", false, &amount),
            entry("settled", false, &settled),
        ],
    );
    r
}

fn contribution(w: &mut World, id: u64, sponsor: ActorID) -> Result<GetContributionReturn, ExitCode> {
    let market = w.market();
    let got = BountyMarketClient::at(market)
        .get_contribution(&mut w.h, id, Address::new_id(sponsor))
        .unwrap();
    w.books();
    got
}

/// floor(returned × part / whole), computed here in plain u128.
fn share(returned: u128, part: u128, whole: u128) -> u128 {
    returned * part / whole
}

fn atto_of(a: &TokenAmount) -> u128 {
    a.atto().try_into().unwrap()
}

#[test]
fn a_crowdfunded_bounty_pays_more_per_slot_and_refunds_every_sponsor_pro_rata_to_the_atto() {
    let mut w = World::new();
    let (a, b, market, client, client2, stranger) = (w.a, w.b, w.market(), w.client, w.client2, w.stranger);
    let (id, _) = w.post_ok(&bounty(1)); // 2 × 12 FIL
                                         // Two sponsors; odd attoFIL so that the pro-rata split leaves dust.
    let s1 = &fil(5) + atto(1);
    let s2 = &fil(1) + atto(1);
    let r = fund_ok(&mut w, stranger, id, s1.clone());
    println!("gas: FundBounty (new sponsor) = {}", r.gas_used);
    assert_event(
        &r,
        EVENT_FUNDED,
        market,
        &[
            entry("bounty", true, &id),
            entry("sponsor", true, &stranger.id),
            entry("amount", false, &s1),
            entry("contributed", false, &s1),
            entry("pool", false, &(&fil(24) + &s1)),
        ],
    );
    fund_ok(&mut w, client2, id, fil(1));
    let r = fund_ok(&mut w, client2, id, atto(1));
    println!("gas: FundBounty (same sponsor again) = {}", r.gas_used);
    assert_event(
        &r,
        EVENT_FUNDED,
        market,
        &[
            entry("bounty", true, &id),
            entry("sponsor", true, &client2.id),
            entry("amount", false, &atto(1)),
            entry("contributed", false, &s2),
            entry("pool", false, &(&fil(24) + &s1 + &s2)),
        ],
    );
    let raised = &fil(24) + &s1 + &s2;
    let got = w.bounty(id);
    assert_eq!(
        (
            got.pool.clone(),
            got.sponsored.clone(),
            got.sponsors,
            got.sponsors_unsettled
        ),
        (raised.clone(), &s1 + &s2, 2, 2)
    );
    assert_eq!(
        contribution(&mut w, id, client2.id).unwrap(),
        GetContributionReturn {
            bounty_id: id,
            sponsor: client2.id,
            contribution: Contribution {
                amount: s2.clone(),
                refunded: zero(),
                settled: false
            },
            refundable_now: zero(),
        }
    );
    assert_eq!(contribution(&mut w, id, b.owner.id), Err(ExitCode::USR_NOT_FOUND));

    // The first claim takes half of everything raised.
    let da = w.deal(a, 1, 100, 20_000);
    let (ra, _) = w.claim_ok(a, id, da);
    assert_eq!(ra.reward, raised.div_floor(2));

    // Only the original client cancels.
    for sponsor in [stranger, client2] {
        let r = w.cancel(sponsor, id);
        w.refused_because(&r, ExitCode::USR_FORBIDDEN, "only the client cancels");
        let r = w.reclaim(sponsor, id);
        w.refused(&r, ExitCode::USR_FORBIDDEN);
    }
    w.advance_to(1_000);
    w.cancel(client, id).ok().unwrap();
    let returned = atto_of(&(&raised - &ra.reward));
    let (t, c1, c2) = (atto_of(&raised), atto_of(&s1), atto_of(&s2));

    // a's claim still holds its slot: the sponsors' shares so far, nobody settled.
    let r = refund_ok(&mut w, stranger, id, atto(share(returned, c1, t)), false);
    println!("gas: RefundSponsor = {}", r.gas_used);
    let client_share = returned - share(returned, c1 + c2, t);
    w.reclaim_ok(id, atto(client_share));
    let r = refund(&mut w, stranger, id);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "nothing to refund");

    // a keeps the piece to the end: its lock is released, its claim completes; the returns
    // are final.
    let end = ra_end(&mut w, ra.claim_id);
    w.advance_to(end);
    w.release_ok(ra.lock_id);
    assert_eq!(w.claim_of(ra.claim_id).status, ClaimStatus::Completed);
    assert_eq!(
        contribution(&mut w, id, client2.id).unwrap().refundable_now,
        atto(share(returned, c2, t))
    );
    refund_ok(&mut w, stranger, id, zero(), true);
    // The dust stays until the last sponsor settles.
    let r = w.reclaim(client, id);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "nothing to reclaim");
    refund_ok(&mut w, client2, id, atto(share(returned, c2, t)), true);
    let r = refund(&mut w, client2, id);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "already took its final refund");
    let dust = returned - client_share - share(returned, c1, t) - share(returned, c2, t);
    assert_eq!(dust, 1, "the example is chosen to leave dust");
    w.reclaim_ok(id, atto(dust));
    let got = w.bounty(id);
    assert_eq!(
        (
            got.refundable.clone(),
            atto_of(&got.reclaimed) + atto_of(&got.sponsor_refunded),
            got.sponsors_unsettled
        ),
        (zero(), returned, 0)
    );
    // a's reward is all that remains in the market for this bounty.
    w.withdraw_ok(a, ra.reward.clone());
    assert_eq!(w.h.balance(market).unwrap(), zero());
}

/// When claim `claim_id` stops vesting (its lock's end).
fn ra_end(w: &mut World, claim_id: u64) -> ChainEpoch {
    w.claim_of(claim_id).vest_end
}

#[test]
fn an_expired_crowdfunded_bounty_refunds_its_open_slots_then_what_a_slash_returns() {
    let mut w = World::new();
    let (a, client, stranger) = (w.a, w.client, w.stranger);
    let (id, _) = w.post_ok(&bounty(1));
    fund_ok(&mut w, stranger, id, fil(24)); // half of everything
    let da = w.deal(a, 1, 100, 20_000);
    let (ra, _) = w.claim_ok(a, id, da);
    assert_eq!(ra.reward, fil(24));
    // At the expiry the open slot's 24 FIL is returned, half of it the sponsor's; a's claim
    // (fully vested at 4000) still holds its slot until its lock is released.
    w.advance_to(5_000);
    refund_ok(&mut w, stranger, id, fil(12), false);
    w.release_ok(ra.lock_id);
    refund_ok(&mut w, stranger, id, zero(), true);
    w.reclaim_ok(id, fil(12));

    // A second bounty, its claim slashed after the expiry: the unvested reward returns and is
    // shared again.
    let (id2, _) = w.post_ok(&PostBountyParams {
        expiry: 6_000,
        ..bounty(2)
    });
    fund_ok(&mut w, stranger, id2, fil(8)); // raised 32: the sponsor's quarter
    let d2 = w.deal(a, 2, 5_100, 40_000);
    let (r2, _) = w.claim_ok(a, id2, d2); // 16 FIL vesting from 5000 to 9000
    assert_eq!(r2.reward, fil(16));
    w.advance_to(6_000);
    refund_ok(&mut w, stranger, id2, fil(4), false); // a quarter of the open slot's 16
    w.reclaim_ok(id2, fil(12));
    // Slashed at 7000, half vested: 8 FIL returns, 2 of it the sponsor's.
    w.advance_to(7_000);
    w.terminate_deal(d2);
    w.report_ok(r2.lock_id, FaultProof::DealTerminated);
    assert_eq!(
        contribution(&mut w, id2, stranger.id).unwrap().refundable_now,
        fil(2)
    );
    refund_ok(&mut w, stranger, id2, fil(2), true);
    w.reclaim_ok(id2, fil(6));
    let r = w.reclaim(client, id2);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
}

#[test]
fn fund_bounty_refuses_bad_input_and_changes_nothing() {
    let mut w = World::new();
    let (a, market, client, stranger) = (w.a, w.market(), w.client, w.stranger);
    let (id, _) = w.post_ok(&bounty(1));
    let r = fund(&mut w, stranger, id, zero());
    w.refused_because(
        &r,
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "the contribution must be positive",
    );
    let r = fund(&mut w, stranger, 99, fil(1));
    w.refused(&r, ExitCode::USR_NOT_FOUND);
    // Params that are not a bounty id.
    let r = w.send(stranger, |h, from| {
        h.call(from, market, METHOD_FUND_BOUNTY, &"seven", fil(1))
    });
    w.refused(&r, ExitCode::USR_SERIALIZATION);
    // A full bounty has no open slot to raise.
    let (full, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        ..bounty(2)
    });
    let d = w.deal(a, 2, 100, 20_000);
    w.claim_ok(a, full, d);
    let r = fund(&mut w, stranger, full, fil(1));
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "no open slot");
    // Cancelled, and expired.
    let (cancelled, _) = w.post_ok(&bounty(3));
    w.cancel(client, cancelled).ok().unwrap();
    let r = fund(&mut w, stranger, cancelled, fil(1));
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "cancelled");
    w.advance_to(5_000);
    let r = fund(&mut w, stranger, id, fil(1));
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "expired at 5000");
}

#[test]
fn refund_sponsor_refuses_strangers_early_pulls_and_value() {
    let mut w = World::new();
    let (market, client, client2, stranger) = (w.market(), w.client, w.client2, w.stranger);
    let (id, _) = w.post_ok(&bounty(1));
    fund_ok(&mut w, stranger, id, fil(6));
    // Before a cancel or the expiry.
    let r = refund(&mut w, stranger, id);
    w.refused_because(
        &r,
        ExitCode::USR_ILLEGAL_STATE,
        "refunds start at its cancel or expiry",
    );
    w.cancel(client, id).ok().unwrap();
    // Not a sponsor (the client included: its share is Reclaim's), an unknown bounty.
    for who in [client2, client] {
        let r = refund(&mut w, who, id);
        w.refused_because(&r, ExitCode::USR_NOT_FOUND, "contribution of");
    }
    let r = refund(&mut w, stranger, 42);
    w.refused(&r, ExitCode::USR_NOT_FOUND);
    // No value on a refund.
    let r = w.send(stranger, |h, from| {
        h.call(from, market, METHOD_REFUND_SPONSOR, &IdParams { id }, fil(1))
    });
    w.refused(&r, ExitCode::USR_NOT_PAYABLE);
    // No claim: everything returns, a fifth to the sponsor (6 of 30), settled at once.
    refund_ok(&mut w, stranger, id, fil(6), true);
    w.reclaim_ok(id, fil(24));
}

// --- replica diversity ---

/// A new miner whose owner is `owner` (a fresh account when None), with sector 1 live.
fn new_provider(w: &mut World, owner: Option<Account>) -> Provider {
    let owner = owner.unwrap_or_else(|| w.h.create_account(fil(1_000)).unwrap());
    let worker = w.h.create_bls_account(fil(1_000)).unwrap();
    let control = w.h.create_account(fil(1_000)).unwrap();
    let miner = create_miner(
        &mut w.h,
        &owner,
        owner.address(),
        worker.address(),
        vec![control.address()],
        SECTOR_SIZE_32GIB,
    )
    .unwrap();
    for id in [owner.id, worker.id, control.id, miner] {
        w.track(id);
    }
    w.books();
    let p = Provider {
        owner,
        worker,
        control,
        miner,
    };
    w.add_sector(p, 1, 0, 0, 1_000_000);
    p
}

fn register(w: &mut World, p: Provider, region: &str) {
    let registry = w.suite.reputation;
    let metadata = Metadata {
        name: format!("SP {}", p.miner),
        region: region.to_owned(),
        peer_id: vec![],
        links: vec![],
    };
    w.send(p.worker, |h, from| {
        ReputationClient::at(registry).register(h, from, Address::new_id(p.miner), metadata)
    })
    .ok()
    .unwrap();
}

#[test]
fn distinct_owners_refuses_a_second_miner_of_one_owner_while_its_first_holds_a_slot() {
    let mut w = World::new();
    let (a, b) = (w.a, w.b);
    let twin = new_provider(&mut w, Some(a.owner));
    let (id, r) = w.post_ok(&PostBountyParams {
        distinct_owners: true,
        ..bounty(1)
    });
    assert!(w.bounty(id).distinct_owners);
    assert_eq!(r.events_of(EVENT_POSTED).len(), 1);
    let da = w.deal(a, 1, 100, 20_000);
    let (ra, r) = w.claim_ok(a, id, da);
    println!("gas: ClaimBounty (distinct_owners) = {}", r.gas_used);
    assert_eq!(
        w.bounty(id).holders,
        vec![SlotHolder {
            claim_id: ra.claim_id,
            provider: a.miner,
            owner: Some(a.owner.id),
            region: None,
        }]
    );
    let dt = w.deal(twin, 1, 100, 20_000);
    let r = w.claim_with(twin, id, dt);
    w.refused_because(
        &r,
        ExitCode::USR_FORBIDDEN,
        &format!(
            "distinct_owners: f0{}'s owner f0{} already holds claim {} (by f0{})",
            twin.miner, a.owner.id, ra.claim_id, a.miner
        ),
    );
    let db = w.deal(b, 1, 100, 20_000);
    w.claim_ok(b, id, db);
    // a's storage fails: its slot reopens and the owner's other miner may now take it.
    w.advance_to(1_000);
    w.terminate_deal(da);
    w.report_ok(ra.lock_id, FaultProof::DealTerminated);
    let (rt, _) = w.claim_ok(twin, id, dt);
    assert_eq!(w.claim_of(rt.claim_id).provider, twin.miner);
}

#[test]
fn max_per_region_counts_registry_regions_and_the_unregistered_as_one() {
    let mut w = World::new();
    let (a, b) = (w.a, w.b);
    let (c, d) = (new_provider(&mut w, None), new_provider(&mut w, None));
    register(&mut w, a, "DE");
    register(&mut w, b, "DE");
    let p = PostBountyParams {
        replicas: 3,
        max_per_region: Some(1),
        ..bounty(1)
    };
    let (id, _) = w.post_ok(&p);
    let da = w.deal(a, 1, 100, 20_000);
    let (ra, r) = w.claim_ok(a, id, da);
    println!("gas: ClaimBounty (max_per_region) = {}", r.gas_used);
    let db = w.deal(b, 1, 100, 20_000);
    let r = w.claim_with(b, id, db);
    w.refused_because(
        &r,
        ExitCode::USR_FORBIDDEN,
        &format!(
            "max_per_region = 1: region \"DE\" of f0{} already has claims [{}]",
            b.miner, ra.claim_id
        ),
    );
    // Unregistered providers share the region "unknown".
    let dc = w.deal(c, 1, 100, 20_000);
    let (rc, _) = w.claim_ok(c, id, dc);
    let dd = w.deal(d, 1, 100, 20_000);
    let r = w.claim_with(d, id, dd);
    w.refused_because(
        &r,
        ExitCode::USR_FORBIDDEN,
        &format!(
            "region \"unknown\" of f0{} already has claims [{}]",
            d.miner, rc.claim_id
        ),
    );
    let holders = w.bounty(id).holders;
    assert_eq!(
        holders.iter().map(|h| h.region.clone()).collect::<Vec<_>>(),
        vec![Some("DE".to_owned()), Some(UNKNOWN_REGION.to_owned())]
    );
    // Bad options at post.
    for bad in [
        PostBountyParams {
            max_per_region: Some(0),
            ..p.clone()
        },
        PostBountyParams {
            max_per_region: Some(3),
            ..p.clone()
        },
        PostBountyParams {
            replicas: 1,
            distinct_owners: true,
            ..bounty(2)
        },
    ] {
        let value = value_of(&bad);
        let client = w.client;
        let r = w.post(client, &bad, value);
        w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    }
}
