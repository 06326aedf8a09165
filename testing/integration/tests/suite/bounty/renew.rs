//! Claim renewal on the real FVM: a client funds renewal terms (at post or with
//! `FundRenewals`), the provider of a claim whose deal is about to end (or whose claim
//! completed) continues it with a new deal of the same piece (`RenewClaim`), the claim keeps
//! every term in its history, each term's lock answers for that term, and the client's renewal
//! money stays its own (`ReclaimRenewals`; a slashed renewal term's unvested reward returns to
//! the renewal pool, never to the sponsors). Every refusal changes nothing.
//!
//! The world is the bounty scenarios' (`super::World`): every message's books are checked,
//! the renewal books and every term's lock against the escrow included.

use super::*;

/// One replica of 12 FIL, 3 FIL collateral, 4000 epochs, with `renewals` renewal terms.
fn renewable(seed: u8, renewals: u64) -> PostBountyParams {
    PostBountyParams {
        replicas: 1,
        renewals,
        ..bounty(seed)
    }
}

impl World {
    fn renew(&mut self, from: Account, p: &RenewClaimParams, value: TokenAmount) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| BountyMarketClient::at(market).renew(h, a, p, value))
    }

    /// Renew params naming the deal's sector as f05 reports it.
    fn renew_params(&mut self, claim_id: u64, deal: DealID) -> RenewClaimParams {
        let sector = bm::deal_sector(&mut self.h, deal).unwrap();
        RenewClaimParams {
            claim_id,
            deal_id: deal,
            sector,
            sector_location: None,
        }
    }

    /// A renewal by `prov`'s worker with the bounty's collateral.
    fn renew_with(&mut self, prov: Provider, claim_id: u64, deal: DealID) -> Receipt {
        let bounty_id = self.claim_of(claim_id).bounty_id;
        let collateral = self.bounty(bounty_id).collateral_per_replica;
        let p = self.renew_params(claim_id, deal);
        self.renew(prov.worker, &p, collateral)
    }

    /// A renewal that must succeed: the collateral moves from the worker to the escrow and
    /// nothing else moves.
    fn renew_ok(&mut self, prov: Provider, claim_id: u64, deal: DealID) -> (RenewClaimReturn, Receipt) {
        let bounty_id = self.claim_of(claim_id).bounty_id;
        let collateral = self.bounty(bounty_id).collateral_per_replica;
        let r = self.renew_with(prov, claim_id, deal).ok().unwrap();
        self.moved(&[
            (prov.worker.id, neg(collateral.clone())),
            (self.escrow(), collateral),
        ]);
        (r.ret().unwrap(), r)
    }

    fn fund_renewals(&mut self, from: Account, bounty_id: u64, renewals: u64, value: TokenAmount) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| {
            BountyMarketClient::at(market).fund_renewals(h, a, bounty_id, renewals, value)
        })
    }

    /// The client funds `renewals` terms: renewals × reward moves to the market.
    fn fund_renewals_ok(&mut self, bounty_id: u64, renewals: u64) -> Receipt {
        let client = self.client;
        let value = &self.bounty(bounty_id).reward_per_replica * renewals;
        let r = self
            .fund_renewals(client, bounty_id, renewals, value.clone())
            .ok()
            .unwrap();
        self.moved(&[(client.id, neg(value.clone())), (self.market(), value)]);
        r
    }

    fn reclaim_renewals(&mut self, from: Account, bounty_id: u64) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| {
            BountyMarketClient::at(market).reclaim_renewals(h, a, bounty_id)
        })
    }

    /// The client takes back `amount`, the whole renewal pool.
    fn reclaim_renewals_ok(&mut self, bounty_id: u64, amount: TokenAmount) -> Receipt {
        let client = self.client;
        let r = self.reclaim_renewals(client, bounty_id).ok().unwrap();
        assert_eq!(r.ret::<TokenAmount>().unwrap(), amount);
        self.moved(&[(client.id, amount.clone()), (self.market(), neg(amount))]);
        r
    }
}

fn receipt(deal: DealID, start: ChainEpoch, end: ChainEpoch, activated: ChainEpoch) -> DealReceipt {
    DealReceipt {
        deal_id: deal,
        start_epoch: start,
        end_epoch: end,
        activated,
        sector: 1,
    }
}

#[test]
fn a_claim_renewed_before_its_deal_ends_vests_over_both_terms_and_completes_with_its_last_lock() {
    let mut w = World::new();
    let (a, market, escrow, client) = (w.a, w.market(), w.escrow(), w.client);
    // The post escrows the slot's reward and one renewal term: 24 FIL.
    let p = renewable(1, 1);
    let bad = w.post(client, &p, fil(12));
    w.refused_because(
        &bad,
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "(replicas + renewals) × reward",
    );
    let (id, r) = w.post_ok(&p);
    println!("gas: PostBounty (renewals 1) = {}", r.gas_used);
    let b = w.bounty(id);
    assert_eq!(
        (
            b.pool.clone(),
            b.renewal_pool.clone(),
            b.renewals_left,
            b.renewals_funded.clone()
        ),
        (fil(12), fil(12), 1, fil(12))
    );
    assert_eq!(w.h.balance(market).unwrap(), fil(24));

    // The first deal ends at 4500: the claim's term ends at 4010.
    let d1 = w.deal(a, 1, 100, 4_500);
    w.advance_to(10);
    let (c, _) = w.claim_ok(a, id, d1);
    assert_eq!((c.claim_id, c.lock_id, c.reward.clone()), (0, 0, fil(12)));
    w.advance_to(2_010);
    w.withdraw_ok(a, fil(6));

    // Inside the lead window (from 4010 − 1000), a new deal for the same piece.
    w.advance_to(3_100);
    let d2 = w.deal(a, 1, 3_200, 20_000);
    let (ret, r) = w.renew_ok(a, 0, d2);
    println!("gas: RenewClaim = {}", r.gas_used);
    assert_eq!(
        ret,
        RenewClaimReturn {
            claim_id: 0,
            lock_id: 1,
            reward: fil(12),
            term_start: 4_010,
            term_end: 8_010,
        }
    );
    assert_event(
        &r,
        EVENT_CLAIM_RENEWED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("deal", false, &d2),
            entry("lock", false, &1u64),
            entry("reward", false, &fil(12)),
            entry("term_start", false, &4_010i64),
            entry("term_end", false, &8_010i64),
        ],
    );
    assert_eq!(r.events_of(EVENT_LOCKED).len(), 1);
    let claim = w.claim_of(0);
    assert_eq!(
        claim.history,
        vec![ClaimTerm {
            deal: receipt(d1, 100, 4_500, 0),
            lock_id: Some(0),
            collateral: fil(3),
            start: 10,
            end: 4_010,
            reward: fil(12),
        }]
    );
    assert_eq!(
        (
            claim.deal.clone(),
            claim.lock_id,
            claim.term_start,
            claim.vest_end,
            claim.reward.clone(),
            claim.status,
            claim.total_reward(),
            claim.paid.clone()
        ),
        (
            receipt(d2, 3_200, 20_000, 3_100),
            Some(1),
            4_010,
            8_010,
            fil(12),
            ClaimStatus::Active,
            fil(24),
            fil(6)
        )
    );
    let b = w.bounty(id);
    assert_eq!((b.renewal_pool.clone(), b.renewals_left), (zero(), 0));
    // The new lock runs to the new term's end, on the new deal, for the same claim.
    let lock = w.lock(1);
    assert_eq!(
        (
            lock.end_epoch,
            lock.reference,
            lock.beneficiary,
            lock.refund_to,
            lock.original.clone()
        ),
        (8_010, Some(0), client.id, a.owner.id, fil(3))
    );
    assert_eq!(lock.deal.unwrap().deal_id, d2);
    // Nothing of the new term vests before it starts: 9 FIL of the first term by 3100.
    assert_eq!(
        w.vested(0),
        TokenAmount::from_atto(fil(12).atto() * 3_090u64 / 4_000u64)
    );

    // The first term's lock releases at its end: that term is done, the claim goes on and its
    // slot is free of it.
    w.advance_to(4_010);
    let r = w.release_ok(0);
    assert_event(
        &r,
        EVENT_CLAIM_TERM_COMPLETED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("lock", false, &0u64),
        ],
    );
    assert_no_events(&r, &[EVENT_CLAIM_COMPLETED]);
    assert_eq!(w.claim_of(0).status, ClaimStatus::Active);
    assert!(w.bounty(id).holders.is_empty());

    // Half the new term: 12 + 6 vested, 6 paid before.
    w.advance_to(6_010);
    assert_eq!(w.vested(0), fil(18));
    w.withdraw_ok(a, fil(12));

    // The new lock releases at the new term's end: the claim completes.
    w.advance_to(8_010);
    let r = w.release_ok(1);
    assert_event(
        &r,
        EVENT_CLAIM_COMPLETED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("reward", false, &fil(24)),
        ],
    );
    assert_eq!(w.claim_of(0).status, ClaimStatus::Completed);
    w.withdraw_ok(a, fil(6));
    let r = w.withdraw(a.control, a.miner);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    // Everything the client put in was paid, both collaterals went back: the market and the
    // escrow hold nothing.
    assert_eq!(w.h.balance(market).unwrap(), zero());
    assert_eq!(w.h.balance(escrow).unwrap(), zero());
    assert_eq!(w.claim_of(0).paid, fil(24));
}

#[test]
fn a_renewal_is_refused_outside_its_rules_and_each_refusal_changes_nothing() {
    let mut w = World::new();
    let (a, b, client) = (w.a, w.b, w.client);
    let (unfunded, _) = w.post_ok(&renewable(1, 0));
    let (id, _) = w.post_ok(&PostBountyParams {
        replicas: 2,
        renewals: 2,
        ..bounty(1)
    });
    let d0 = w.deal(a, 1, 100, 20_000);
    let d1 = w.deal(a, 1, 101, 20_000);
    let db = w.deal(b, 1, 102, 20_000);
    w.advance_to(10);
    let (c0, _) = w.claim_ok(a, unfunded, d0);
    let (c1, _) = w.claim_ok(a, id, d1);
    let (cb, _) = w.claim_ok(b, id, db);
    let fresh = w.deal(a, 1, 103, 20_000);

    // Too early: the window opens at 4010 − 1000.
    w.advance_to(3_009);
    let r = w.renew_with(a, c1.claim_id, fresh);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "renews from epoch 3010");
    w.advance_to(3_010);

    // No renewal funded.
    let r = w.renew_with(a, c0.claim_id, fresh);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "ask it to FundRenewals");
    // A claim that does not exist.
    let p = w.renew_params(99, fresh);
    let r = w.renew(a.worker, &p, fil(3));
    w.refused(&r, ExitCode::USR_NOT_FOUND);
    // Another provider's caller (as ClaimBounty: the caller must control the claim's miner).
    let p = w.renew_params(c1.claim_id, fresh);
    let r = w.renew(b.worker, &p, fil(3));
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    let r = w.renew(client, &p, fil(3));
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    // The same deal again, and a deal already backing another claim.
    let r = w.renew_with(a, c1.claim_id, d1);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "already backs claim");
    let r = w.renew_with(a, c1.claim_id, db);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "already backs claim");
    let r = w.renew_with(a, c1.claim_id, NO_DEAL);
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    // Another piece.
    let other = w.deal(a, 2, 3_100, 20_000);
    let r = w.renew_with(a, c1.claim_id, other);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "not the bounty's piece");
    // A deal lasting min_duration from now but not until the new term's end (8010): the
    // escrow refuses a lock outliving its deal.
    let short = w.deal(a, 1, 3_101, 7_500);
    let r = w.renew_with(a, c1.claim_id, short);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "escrow Lock");
    // The wrong collateral, too little and too much.
    let p = w.renew_params(c1.claim_id, fresh);
    for value in [fil(2), fil(4), zero()] {
        let r = w.renew(a.worker, &p, value);
        w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "send exactly the collateral");
    }
    // The claim has not moved.
    let claim = w.claim_of(c1.claim_id);
    assert!(claim.history.is_empty());

    // A slashed claim does not renew.
    w.terminate_deal(db);
    w.report_ok(cb.lock_id, FaultProof::DealTerminated);
    assert_eq!(w.claim_of(cb.claim_id).status, ClaimStatus::Slashed);
    let fresh_b = w.deal(b, 1, 3_102, 30_000);
    let r = w.renew_with(b, cb.claim_id, fresh_b);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "slashed");

    // Too late: after vest_end + min_duration the provider starts over.
    w.advance_to(8_011);
    let r = w.renew_with(a, c1.claim_id, fresh);
    w.refused_because(
        &r,
        ExitCode::USR_ILLEGAL_ARGUMENT,
        "renewal window closed at 8010",
    );
}

#[test]
fn a_cancelled_bounty_renews_no_claim_and_a_claim_renews_at_most_max_renewals_times() {
    let mut w = World::new();
    let a = w.a;
    let (cancelled, _) = w.post_ok(&renewable(1, 1));
    let (id, _) = w.post_ok(&PostBountyParams {
        replicas: 2,
        renewals: MAX_RENEWALS_PER_CLAIM + 1,
        ..bounty(1)
    });
    let d0 = w.deal(a, 1, 100, 200_000);
    let d1 = w.deal(a, 1, 101, 200_000);
    w.advance_to(10);
    let (c0, _) = w.claim_ok(a, cancelled, d0);
    let (c1, _) = w.claim_ok(a, id, d1);
    w.advance_to(3_100);
    let client = w.client;
    w.cancel(client, cancelled).ok().unwrap();
    let fresh = w.deal(a, 1, 3_200, 200_000);
    let r = w.renew_with(a, c0.claim_id, fresh);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "is cancelled");

    // Eight renewals, each inside its window, each term following the last.
    let mut end = 4_010;
    for k in 0..MAX_RENEWALS_PER_CLAIM {
        w.advance_to(end - 900);
        let deal = w.deal(a, 1, end - 800 + k as i64, 200_000);
        let (ret, _) = w.renew_ok(a, c1.claim_id, deal);
        assert_eq!((ret.term_start, ret.term_end), (end, end + 4_000));
        end += 4_000;
    }
    let claim = w.claim_of(c1.claim_id);
    assert_eq!(claim.history.len() as u64, MAX_RENEWALS_PER_CLAIM);
    assert_eq!(claim.total_reward(), fil(12) * (MAX_RENEWALS_PER_CLAIM + 1));
    w.advance_to(end - 900);
    let deal = w.deal(a, 1, end, 200_000);
    let r = w.renew_with(a, c1.claim_id, deal);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "MAX_RENEWALS_PER_CLAIM");
    assert_eq!(w.bounty(id).renewals_left, 1);
}

#[test]
fn a_completed_claim_renews_and_owes_again() {
    let mut w = World::new();
    let a = w.a;
    let (id, _) = w.post_ok(&renewable(1, 1));
    let d1 = w.deal(a, 1, 100, 4_500);
    w.advance_to(10);
    w.claim_ok(a, id, d1);
    w.advance_to(4_010);
    w.release_ok(0);
    assert_eq!(w.claim_of(0).status, ClaimStatus::Completed);
    // Fully paid and completed: Withdraw drops it.
    w.withdraw_ok(a, fil(12));
    assert_eq!(w.balance_of(a.miner).open_claims, 0);

    // Renewed 990 epochs later: the new term starts now.
    w.advance_to(5_000);
    let d2 = w.deal(a, 1, 5_000, 20_000);
    let (ret, _) = w.renew_ok(a, 0, d2);
    assert_eq!(
        (ret.term_start, ret.term_end, ret.reward),
        (5_000, 9_000, fil(12))
    );
    assert_eq!(w.claim_of(0).status, ClaimStatus::Active);
    assert_eq!(w.balance_of(a.miner).open_claims, 1);
    w.advance_to(7_000);
    assert_eq!(
        w.balance_of(a.miner),
        ProviderBalance {
            vested: fil(18),
            paid: fil(12),
            withdrawable: fil(6),
            pending: fil(6),
            open_claims: 1,
        }
    );
    w.withdraw_ok(a, fil(6));
    w.advance_to(9_000);
    let r = w.release_ok(1);
    assert_eq!(r.events_of(EVENT_CLAIM_COMPLETED).len(), 1);
    w.withdraw_ok(a, fil(6));
    assert_eq!(w.h.balance(w.market()).unwrap(), zero());
}

#[test]
fn fund_renewals_later_then_renew_and_reclaim_renewals_withdraws_the_offer() {
    let mut w = World::new();
    let (a, client, client2, market) = (w.a, w.client, w.client2, w.market());
    let (id, _) = w.post_ok(&renewable(1, 0));
    let (other, _) = w.post_ok(&renewable(2, 0));
    w.cancel(client, other).ok().unwrap();

    // Only the client, the exact value, at least one, not over the cap, not cancelled.
    let r = w.fund_renewals(client2, id, 1, fil(12));
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    let r = w.fund_renewals(client, id, 1, fil(11));
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "renewals × reward");
    let r = w.fund_renewals(client, id, 0, zero());
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "at least 1");
    let over = MAX_RENEWALS_PER_CLAIM + 1;
    let r = w.fund_renewals(client, id, over, fil(12) * over);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "MAX_RENEWALS_PER_CLAIM");
    let r = w.fund_renewals(client, other, 1, fil(12));
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "cancelled");
    let r = w.fund_renewals(client, 77, 1, fil(12));
    w.refused(&r, ExitCode::USR_NOT_FOUND);
    let r = w.reclaim_renewals(client, id);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "no renewal money");

    let r = w.fund_renewals_ok(id, 2);
    println!("gas: FundRenewals = {}", r.gas_used);
    assert_event(
        &r,
        EVENT_RENEWALS_FUNDED,
        market,
        &[
            entry("bounty", true, &id),
            entry("client", true, &client.id),
            entry("renewals", false, &2u64),
            entry("amount", false, &fil(24)),
        ],
    );
    // The cap counts what is already funded.
    let r = w.fund_renewals(
        client,
        id,
        MAX_RENEWALS_PER_CLAIM - 1,
        fil(12) * (MAX_RENEWALS_PER_CLAIM - 1),
    );
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);

    let d1 = w.deal(a, 1, 100, 20_000);
    w.advance_to(10);
    w.claim_ok(a, id, d1);
    w.advance_to(3_500);
    let d2 = w.deal(a, 1, 3_500, 20_000);
    let (ret, _) = w.renew_ok(a, 0, d2);
    // Two funded: the first takes half.
    assert_eq!(ret.reward, fil(12));
    let b = w.bounty(id);
    assert_eq!((b.renewal_pool.clone(), b.renewals_left), (fil(12), 1));

    // The client withdraws the rest of the offer, at any time; only it.
    let r = w.reclaim_renewals(client2, id);
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    let r = w.reclaim_renewals_ok(id, fil(12));
    println!("gas: ReclaimRenewals = {}", r.gas_used);
    assert_event(
        &r,
        EVENT_RENEWALS_RECLAIMED,
        market,
        &[
            entry("bounty", true, &id),
            entry("client", true, &client.id),
            entry("amount", false, &fil(12)),
        ],
    );
    let b = w.bounty(id);
    assert_eq!(
        (
            b.renewal_pool.clone(),
            b.renewals_left,
            b.renewals_reclaimed.clone(),
            b.renewals_funded.clone()
        ),
        (zero(), 0, fil(12), fil(24))
    );
    let r = w.reclaim_renewals(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    // Now the claim cannot renew again.
    w.advance_to(7_100);
    let d3 = w.deal(a, 1, 7_100, 20_000);
    let r = w.renew_with(a, 0, d3);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "ask it to FundRenewals");
    // After the expiry the client can fund again, and the claim renews.
    w.fund_renewals_ok(id, 1);
    let (ret, _) = w.renew_ok(a, 0, d3);
    assert_eq!((ret.term_start, ret.reward), (8_010, fil(12)));
}

#[test]
fn a_renewal_term_slashed_returns_its_unvested_reward_to_the_client_not_to_the_sponsors() {
    let mut w = World::new();
    let (a, market, sponsor) = (w.a, w.market(), w.client2);
    let (id, _) = w.post_ok(&renewable(1, 1));
    // A sponsor adds 6 FIL to the slot: its share is of the slot money alone.
    w.send(sponsor, |h, from| {
        BountyMarketClient::at(market).fund(h, from, id, fil(6))
    })
    .ok()
    .unwrap();
    w.moved(&[(sponsor.id, neg(fil(6))), (market, fil(6))]);
    let d1 = w.deal(a, 1, 100, 4_500);
    w.advance_to(10);
    let (c, _) = w.claim_ok(a, id, d1);
    assert_eq!(c.reward, fil(18));
    w.advance_to(3_100);
    let d2 = w.deal(a, 1, 3_100, 20_000);
    let (ret, _) = w.renew_ok(a, 0, d2);
    assert_eq!(ret.reward, fil(12));
    w.advance_to(4_010);
    w.release_ok(0);

    // Half the renewal term, the new deal is terminated and the watcher slashes its lock.
    w.advance_to(6_010);
    w.terminate_deal(d2);
    let r = w.report_ok(ret.lock_id, FaultProof::DealTerminated);
    assert_event(
        &r,
        EVENT_CLAIM_SLASHED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("returned", false, &zero()),
            entry("collateral_slashed", false, &fil(3)),
            entry("renewal_returned", false, &fil(6)),
        ],
    );
    let claim = w.claim_of(0);
    assert_eq!((claim.status, claim.entitled()), (ClaimStatus::Slashed, fil(24)));
    let b = w.bounty(id);
    // The renewal term's unvested 6 FIL is the client's renewal money again; nothing was
    // returned to share with the sponsor.
    assert_eq!(
        (b.renewal_pool.clone(), b.renewals_left, b.refundable.clone()),
        (fil(6), 0, zero())
    );
    let got = BountyMarketClient::at(market)
        .get_contribution(&mut w.h, id, Address::new_id(sponsor.id))
        .unwrap()
        .unwrap();
    assert_eq!(got.refundable_now, zero());
    w.withdraw_ok(a, fil(24));
    w.reclaim_renewals_ok(id, fil(6));
    // The sponsor settles for nothing: its refund is unaffected by the renewal money.
    let r = w.send(sponsor, |h, from| {
        BountyMarketClient::at(market).refund_sponsor(h, from, id)
    });
    let ret: SponsorRefundReturn = r.ok().unwrap().ret().unwrap();
    assert_eq!(
        ret,
        SponsorRefundReturn {
            amount: zero(),
            settled: true
        }
    );
    assert_eq!(w.h.balance(market).unwrap(), zero());
}

#[test]
fn a_slot_term_slashed_after_an_early_renewal_reopens_the_slot_and_returns_the_renewal_term_whole() {
    let mut w = World::new();
    let (a, b, market) = (w.a, w.b, w.market());
    let (id, _) = w.post_ok(&renewable(1, 1));
    let d1 = w.deal(a, 1, 100, 4_500);
    w.advance_to(10);
    w.claim_ok(a, id, d1);
    w.advance_to(3_010);
    let d2 = w.deal(a, 1, 3_010, 20_000);
    w.renew_ok(a, 0, d2);
    // The first deal fails before its term ends: the whole claim stops; the slot term's
    // unvested quarter reopens the slot, the renewal term (not begun) returns whole.
    w.terminate_deal(d1);
    let r = w.report_ok(0, FaultProof::DealTerminated);
    assert_event(
        &r,
        EVENT_CLAIM_SLASHED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("returned", false, &fil(3)),
            entry("collateral_slashed", false, &fil(3)),
            entry("renewal_returned", false, &fil(12)),
        ],
    );
    let bounty = w.bounty(id);
    assert_eq!(
        (
            bounty.open_slots,
            bounty.pool.clone(),
            bounty.renewal_pool.clone(),
            bounty.renewals_left
        ),
        (1, fil(3), fil(12), 0)
    );
    // Another provider takes the reopened slot for the slot term's unvested reward.
    let db = w.deal(b, 1, 3_010, 20_000);
    let (cb, _) = w.claim_ok(b, id, db);
    assert_eq!(cb.reward, fil(3));
}
