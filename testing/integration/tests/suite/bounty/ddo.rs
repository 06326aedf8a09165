//! DDO claims on the real FVM: a provider deposits collateral with the market, the stand-in
//! miner sends the `SectorContentChanged` notification a real miner sends after
//! ProveCommitSectors3, and the market claims the bounty each piece's payload names, with the
//! sector as the escrow's evidence (the escrow asks the miner about the sector while the miner
//! is still sending the notification). Each piece the market cannot accept is answered `false`
//! with its reason in a `ddo-piece-refused` event, and the notification never aborts. The
//! deposit methods' callers and bad inputs, and a DDO claim slashed through `SectorDead`.
//!
//! The world is the bounty scenarios' (`super::World`): every message's books are checked,
//! deposits included.

use super::*;
use fvm_ipld_encoding::from_slice;
use integration_tests::miner::{
    Control, HarnessNotifyReturn, PieceChange as MinerPiece, SectorChanges as MinerSector,
    SectorContentChangedParams as Notification,
};

/// The market's answer to a notification: per sector, per piece, accepted.
type Answer = Vec<Vec<bool>>;

/// A piece of the notification: `seed`'s CID, `size` bytes, naming bounty `bounty_id`.
fn named(seed: u8, size: u64, bounty_id: u64) -> MinerPiece {
    MinerPiece {
        data: piece(seed),
        size: PaddedPieceSize(size),
        payload: ddo_payload(bounty_id),
    }
}

/// One sector of a notification, committed until `until`.
fn sector_of(sector: SectorNumber, until: ChainEpoch, added: Vec<MinerPiece>) -> MinerSector {
    MinerSector {
        sector,
        minimum_commitment_epoch: until,
        added,
    }
}

/// What a `ddo-piece-refused` event says: the bounty its payload named, the exit code, why.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Refused {
    bounty: Option<u64>,
    sector: SectorNumber,
    exit: u32,
    reason: String,
}

fn refusals(r: &Receipt) -> Vec<Refused> {
    r.events_of(EVENT_DDO_REFUSED)
        .iter()
        .map(|e| {
            let value = |key: &str| {
                &e.event
                    .entries
                    .iter()
                    .find(|x| x.key == key)
                    .unwrap_or_else(|| panic!("no {key} in {e:?}"))
                    .value
            };
            Refused {
                bounty: from_slice(value("bounty")).unwrap(),
                sector: from_slice(value("sector")).unwrap(),
                exit: from_slice(value("exit")).unwrap(),
                reason: from_slice(value("reason")).unwrap(),
            }
        })
        .collect()
}

impl World {
    /// The operator has `prov`'s miner send `sectors` to the market (as after
    /// ProveCommitSectors3); the notification itself must succeed. Returns the market's answer
    /// and the receipt.
    fn notify(&mut self, prov: Provider, sectors: Vec<MinerSector>) -> (Answer, Receipt) {
        let (market, miner_id) = (self.market(), prov.miner);
        let operator = self.h.operator();
        let control = Control::Notify(integration_tests::miner::HarnessNotifyParams {
            receiver: Address::new_id(market),
            sectors: Notification { sectors },
        });
        let r = self.send(operator, |h, from| {
            miner::control_from(h, from, miner_id, &control)
        });
        let relayed: HarnessNotifyReturn = r.ret().unwrap();
        assert_eq!(
            relayed.exit_code,
            ExitCode::OK,
            "the market aborted the notification: {r:?}"
        );
        (from_slice(relayed.return_data.bytes()).unwrap(), r)
    }

    /// A notification of one piece naming `bounty_id` in sector 1 (live until 1,000,000).
    fn activate(&mut self, prov: Provider, bounty_id: u64, seed: u8, size: u64) -> (Answer, Receipt) {
        self.notify(
            prov,
            vec![sector_of(1, 1_000_000, vec![named(seed, size, bounty_id)])],
        )
    }

    fn deposit(&mut self, from: Account, prov: Provider, value: TokenAmount) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| {
            BountyMarketClient::at(market).deposit_collateral(h, a, Address::new_id(prov.miner), value)
        })
    }

    /// A deposit by `prov`'s control address that must succeed: `value` moves to the market.
    fn deposit_ok(&mut self, prov: Provider, value: TokenAmount) -> CollateralDeposit {
        let r = self.deposit(prov.control, prov, value.clone()).ok().unwrap();
        self.moved(&[(prov.control.id, neg(value.clone())), (self.market(), value)]);
        r.ret().unwrap()
    }

    fn withdraw_collateral(&mut self, from: Account, prov: Provider, amount: TokenAmount) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| {
            BountyMarketClient::at(market).withdraw_collateral(h, a, Address::new_id(prov.miner), amount)
        })
    }

    fn deposit_of(&mut self, prov: Provider) -> CollateralDeposit {
        let market = self.market();
        let got = BountyMarketClient::at(market)
            .collateral(&mut self.h, Address::new_id(prov.miner))
            .unwrap()
            .unwrap();
        self.books();
        got
    }
}

#[test]
fn a_ddo_activation_claims_a_bounty_with_deposited_collateral_and_completes() {
    let mut w = World::new();
    let (a, market, escrow, client) = (w.a, w.market(), w.escrow(), w.client);
    let (id, _) = w.post_ok(&bounty(1));

    // The deposit: any controlling address, the market holds it for the miner.
    let got = w.deposit_ok(a, fil(5));
    assert_eq!(
        got,
        CollateralDeposit {
            available: fil(5),
            locked_total: zero()
        }
    );
    assert_eq!(w.deposit_of(a), got);

    // The miner activates piece 1 in sector 1 naming bounty 0: claimed, 3 FIL of the deposit
    // locked in the escrow on the sector alone.
    let (answer, r) = w.activate(a, id, 1, 2048);
    println!(
        "gas: SectorContentChanged, 1 piece claimed (the miner's whole message) = {}",
        r.gas_used
    );
    assert_eq!(answer, vec![vec![true]]);
    w.moved(&[(market, neg(fil(3))), (escrow, fil(3))]);
    assert!(refusals(&r).is_empty());
    assert_event(
        &r,
        EVENT_DDO_CLAIMED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("sector", false, &1u64),
            entry("reward", false, &fil(12)),
            entry("vest_end", false, &4_000i64),
        ],
    );
    assert_eq!(r.events_of(EVENT_LOCKED).len(), 1);
    let claim = w.claim_of(0);
    assert_eq!(
        claim,
        Claim {
            bounty_id: id,
            provider: a.miner,
            claimed_by: a.miner,
            deal: DealReceipt {
                deal_id: NO_DEAL,
                start_epoch: 0,
                end_epoch: 1_000_000,
                activated: 0,
                sector: 1,
            },
            claimed_at: 0,
            vest_end: 4_000,
            reward: fil(12),
            paid: zero(),
            collateral: fil(3),
            lock_id: claim.lock_id,
            status: ClaimStatus::Active,
            stopped_at: None,
            term_start: 0,
            history: vec![],
        }
    );
    let lock = w.lock(claim.lock_id.unwrap());
    assert_eq!(
        (
            lock.locker,
            lock.provider,
            lock.beneficiary,
            lock.refund_to,
            lock.notify,
            lock.reference
        ),
        (market, a.miner, client.id, a.owner.id, Some(market), Some(0))
    );
    assert!(lock.deal.is_none());
    assert_eq!(lock.sector.as_ref().map(|s| s.sector_number), Some(1));
    assert_eq!((lock.original, lock.end_epoch), (fil(3), 4_000));
    assert_eq!(
        w.deposit_of(a),
        CollateralDeposit {
            available: fil(2),
            locked_total: fil(3)
        }
    );
    let b = w.bounty(id);
    assert_eq!(
        (b.open_slots, b.claimants.clone(), b.pool.clone()),
        (1, vec![a.miner], fil(12))
    );

    // The same piece notified again (a replica update) claims nothing twice.
    let (answer, r) = w.activate(a, id, 1, 2048);
    assert_eq!(answer, vec![vec![false]]);
    w.moved(&[]);
    assert_eq!(refusals(&r)[0].bounty, Some(id));
    assert!(
        refusals(&r)[0].reason.contains("already claimed"),
        "{:?}",
        refusals(&r)
    );

    // It vests like a deal claim, is withdrawn by a controlling address, and completes when
    // the escrow releases the lock: the collateral goes to the miner's owner.
    w.advance_to(2_000);
    w.withdraw_ok(a, fil(6));
    w.advance_to(4_000);
    w.withdraw_ok(a, fil(6));
    let r = w.release_ok(claim.lock_id.unwrap());
    assert_eq!(r.events_of(EVENT_CLAIM_COMPLETED).len(), 1);
    assert_eq!(w.claim_of(0).status, ClaimStatus::Completed);
    assert_eq!(w.counts(a.miner).completed, 1);

    // What was not locked comes back to the owner.
    let r = w.withdraw_collateral(a.worker, a, fil(2)).ok().unwrap();
    assert_eq!(
        r.ret::<WithdrawCollateralReturn>().unwrap(),
        WithdrawCollateralReturn {
            paid: fil(2),
            to: a.owner.id,
            available: zero(),
        }
    );
    w.moved(&[(a.owner.id, fil(2)), (market, neg(fil(2)))]);
}

#[test]
fn each_ddo_check_refuses_its_piece_with_a_reason_and_never_the_notification() {
    let mut w = World::new();
    let (a, b, market) = (w.a, w.b, w.market());
    // 0: the standard bounty; 1: one replica, to be filled by b's deal; 2: a only;
    // 3: a reputation no one has.
    let (open, _) = w.post_ok(&bounty(1));
    let (full, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        ..bounty(2)
    });
    let (only_b, _) = w.post_ok(&PostBountyParams {
        allowed_providers: Some(vec![b.miner]),
        ..bounty(3)
    });
    let (reputed, _) = w.post_ok(&PostBountyParams {
        min_reputation: Some(10_000),
        ..bounty(4)
    });
    let db = w.deal(b, 2, 100, 20_000);
    w.claim_ok(b, full, db);
    w.deposit_ok(a, fil(100));
    // Sector 2 exists but is faulty: the escrow will not lock on it.
    w.add_sector(a, 2, 0, 0, 1_000_000);
    let miner_a = a.miner;
    w.quiet(|h| miner::fault_sector(h, miner_a, 2)).ok().unwrap();

    let undecodable = MinerPiece {
        payload: fvm_ipld_encoding::RawBytes::new(vec![0x61, 0x78]),
        ..named(1, 2048, open)
    };
    let sectors = vec![
        sector_of(
            1,
            1_000_000,
            vec![
                named(9, 2048, open),    // wrong piece
                named(1, 4096, open),    // wrong size
                named(1, 2048, 77),      // unknown bounty
                undecodable,             // no bounty id
                named(2, 2048, full),    // full
                named(3, 2048, only_b),  // not allowed
                named(4, 2048, reputed), // reputation
            ],
        ),
        // Too short: 3999 epochs left, the bounty needs 4000.
        sector_of(1, 3_999, vec![named(1, 2048, open)]),
        // Not active.
        sector_of(2, 1_000_000, vec![named(1, 2048, open)]),
    ];
    let (answer, r) = w.notify(a, sectors);
    println!("gas: SectorContentChanged, 9 pieces refused = {}", r.gas_used);
    assert_eq!(answer, vec![vec![false; 7], vec![false], vec![false]]);
    // Nothing moved, the market's and the escrow's state as they were.
    w.moved(&[]);
    w.unchanged(&[market, w.escrow()]);
    let got = refusals(&r);
    let want: [(Option<u64>, SectorNumber, ExitCode, &str); 9] = [
        (Some(open), 1, ExitCode::USR_ILLEGAL_ARGUMENT, "sector 1 stores"),
        (
            Some(open),
            1,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "sector 1 piece size is 4096",
        ),
        (Some(77), 1, ExitCode::USR_NOT_FOUND, "bounty 77"),
        (
            None,
            1,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "not the CBOR of a bounty id",
        ),
        (Some(full), 1, ExitCode::USR_ILLEGAL_STATE, "has no open slot"),
        (
            Some(only_b),
            1,
            ExitCode::USR_FORBIDDEN,
            "is not allowed on bounty",
        ),
        (
            Some(reputed),
            1,
            ExitCode::USR_FORBIDDEN,
            "the bounty needs 10000",
        ),
        (
            Some(open),
            1,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "3999 epochs left, the bounty needs 4000",
        ),
        (
            Some(open),
            2,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "the escrow refused to lock on sector 2",
        ),
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, (bounty, sector, exit, why)) in got.iter().zip(want) {
        assert_eq!(
            (g.bounty, g.sector, g.exit),
            (bounty, sector, exit.value()),
            "{g:?}"
        );
        assert!(g.reason.contains(why), "expected {why:?} in {g:?}");
    }
    assert_no_events(&r, &[EVENT_DDO_CLAIMED, EVENT_LOCKED]);

    // Without collateral deposited, b's right piece is refused too; a's is accepted in the
    // same notification, next to a refused one.
    let (answer, r) = w.activate(b, open, 1, 2048);
    assert_eq!(answer, vec![vec![false]]);
    w.moved(&[]);
    let got = refusals(&r);
    assert_eq!(got[0].exit, ExitCode::USR_INSUFFICIENT_FUNDS.value());
    assert!(got[0].reason.contains("DepositCollateral first"), "{got:?}");
    let (answer, r) = w.notify(
        a,
        vec![sector_of(
            1,
            1_000_000,
            vec![named(9, 2048, open), named(1, 2048, open)],
        )],
    );
    assert_eq!(answer, vec![vec![false, true]]);
    w.moved(&[(market, neg(fil(3))), (w.escrow(), fil(3))]);
    assert_eq!(refusals(&r).len(), 1);
    assert_eq!(r.events_of(EVENT_DDO_CLAIMED).len(), 1);
    assert_eq!(w.bounty(open).claimants, vec![a.miner]);
}

#[test]
fn a_notification_from_anything_but_a_miner_is_refused_with_18() {
    let mut w = World::new();
    let (a, market, stranger) = (w.a, w.market(), w.stranger);
    let (id, _) = w.post_ok(&bounty(1));
    w.deposit_ok(a, fil(3));
    let forged = Notification {
        sectors: vec![sector_of(1, 1_000_000, vec![named(1, 2048, id)])],
    };
    // From accounts, the miner's owner and worker among them.
    for from in [stranger, a.owner, a.worker] {
        let r = w.send(from, |h, from| {
            h.call(from, market, METHOD_SECTOR_CONTENT_CHANGED, &forged, zero())
        });
        w.refused_because(&r, ExitCode::USR_FORBIDDEN, "is not one of [Miner]");
    }
    // From a contract (the relay forwards the market's exit).
    let relay = w.h.deploy(&stranger, "test-actor-relay", &stranger.id).unwrap();
    w.books();
    w.track(relay);
    let p = test_actor_relay::RelayParams {
        to: Address::new_id(market),
        method: METHOD_SECTOR_CONTENT_CHANGED,
        params: integration_tests::harness::params(&forged),
        value: zero(),
    };
    let r = w.send(stranger, |h, from| {
        h.call(from, relay, test_actor_relay::METHOD_RELAY, &p, zero())
    });
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    assert_eq!(w.bounty(id).open_slots, 2);
    assert_eq!(w.deposit_of(a).available, fil(3));
}

#[test]
fn a_ddo_claim_is_slashed_to_the_client_when_its_sector_dies() {
    let mut w = World::new();
    let (a, market, escrow) = (w.a, w.market(), w.escrow());
    let (id, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        ..bounty(1)
    });
    w.deposit_ok(a, fil(3));
    let (answer, _) = w.activate(a, id, 1, 2048);
    assert_eq!(answer, vec![vec![true]]);
    let claim = w.claim_of(0);
    let lock_id = claim.lock_id.unwrap();

    // Half-way, the sector is terminated (no deal to lose: the sector is the evidence). The
    // watcher proves it dead at its location.
    w.advance_to(2_000);
    w.terminate_sector(a, 1);
    let r = w.report_ok(
        lock_id,
        FaultProof::SectorDead(SectorLocation {
            deadline: 0,
            partition: 0,
        }),
    );
    assert_event(
        &r,
        EVENT_CLAIM_SLASHED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("returned", false, &fil(6)),
            entry("collateral_slashed", false, &fil(3)),
        ],
    );
    let claim = w.claim_of(0);
    assert_eq!(
        (claim.status, claim.stopped_at),
        (ClaimStatus::Slashed, Some(2_000))
    );
    let bounty_now = w.bounty(id);
    assert_eq!((bounty_now.open_slots, bounty_now.pool.clone()), (1, fil(6)));
    assert_eq!(w.counts(a.miner).slashes, 1);
    assert_eq!(w.h.balance(escrow).unwrap(), zero());
    // The deposit's record keeps what the claim locked; nothing of it is left to withdraw.
    assert_eq!(
        w.deposit_of(a),
        CollateralDeposit {
            available: zero(),
            locked_total: fil(3)
        }
    );
    let r = w.withdraw_collateral(a.owner, a, milli(1));
    w.refused(&r, ExitCode::USR_INSUFFICIENT_FUNDS);
    // The provider is paid what vested before the slash, once; the slot is open for another
    // provider, by deal or by DDO.
    w.withdraw_ok(a, fil(6));
    let b = w.b;
    w.deposit_ok(b, fil(3));
    let (answer, _) = w.activate(b, id, 1, 2048);
    assert_eq!(answer, vec![vec![true]]);
    assert_eq!(w.claim_of(1).reward, fil(6));
}

#[test]
fn collateral_is_deposited_and_withdrawn_by_controlling_addresses_only_and_never_what_is_locked() {
    let mut w = World::new();
    let (a, b, market, stranger) = (w.a, w.b, w.market(), w.stranger);

    // Deposits: a controlling address of the miner, a positive value, a miner.
    let r = w.deposit(stranger, a, fil(1));
    w.refused_because(&r, ExitCode::USR_FORBIDDEN, "is not a controlling address");
    let r = w.deposit(b.worker, a, fil(1));
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    let r = w.deposit(a.worker, a, zero());
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "the deposit");
    let not_a_miner = Provider {
        miner: stranger.id,
        ..a
    };
    let r = w.deposit(a.worker, not_a_miner, fil(1));
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "is not a storage miner");
    let r = w.send(a.worker, |h, from| {
        h.call(from, market, METHOD_DEPOSIT_COLLATERAL, &7u64, fil(1))
    });
    w.refused(&r, ExitCode::USR_SERIALIZATION);
    assert_eq!(w.deposit_of(a), CollateralDeposit::default());

    // Two deposits add up, by any controlling address; the events say so.
    let r = w.deposit(a.owner, a, fil(2)).ok().unwrap();
    w.moved(&[(a.owner.id, neg(fil(2))), (market, fil(2))]);
    assert_event(
        &r,
        EVENT_COLLATERAL_DEPOSITED,
        market,
        &[
            entry("provider", true, &a.miner),
            entry("amount", false, &fil(2)),
            entry("available", false, &fil(2)),
            entry("by", false, &a.owner.id),
        ],
    );
    println!("gas: DepositCollateral (first) = {}", r.gas_used);
    let got = w.deposit_ok(a, fil(2));
    assert_eq!(got.available, fil(4));

    // A DDO claim locks 3 of the 4.
    let (id, _) = w.post_ok(&bounty(1));
    let (answer, _) = w.activate(a, id, 1, 2048);
    assert_eq!(answer, vec![vec![true]]);

    // Withdrawals: a controlling address, no value, positive, at most what is not locked.
    let r = w.withdraw_collateral(stranger, a, fil(1));
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    let r = w.withdraw_collateral(a.worker, a, fil(2));
    w.refused_because(
        &r,
        ExitCode::USR_INSUFFICIENT_FUNDS,
        "not locked, cannot withdraw",
    );
    let r = w.withdraw_collateral(a.worker, a, zero());
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    let r = w.withdraw_collateral(a.worker, a, neg(fil(1)));
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    let p = WithdrawCollateralParams {
        provider: Address::new_id(a.miner),
        amount: fil(1),
    };
    let r = w.send(a.worker, |h, from| {
        h.call(from, market, METHOD_WITHDRAW_COLLATERAL, &p, fil(1))
    });
    w.refused(&r, ExitCode::USR_NOT_PAYABLE);
    // b's deposit is b's: a cannot take from it.
    w.deposit_ok(b, fil(5));
    let r = w.withdraw_collateral(a.worker, b, fil(1));
    w.refused(&r, ExitCode::USR_FORBIDDEN);

    // The 1 FIL not locked goes to a's owner.
    let r = w.withdraw_collateral(a.control, a, fil(1)).ok().unwrap();
    println!("gas: WithdrawCollateral = {}", r.gas_used);
    w.moved(&[(a.owner.id, fil(1)), (market, neg(fil(1)))]);
    assert_event(
        &r,
        EVENT_COLLATERAL_WITHDRAWN,
        market,
        &[
            entry("provider", true, &a.miner),
            entry("amount", false, &fil(1)),
            entry("available", false, &zero()),
            entry("by", false, &a.control.id),
        ],
    );
    assert_eq!(
        w.deposit_of(a),
        CollateralDeposit {
            available: zero(),
            locked_total: fil(3)
        }
    );
    assert_eq!(w.deposit_of(b).available, fil(5));
    // The getter answers zero for a miner that never deposited, 19 for an address that
    // does not resolve.
    let c = w.h.create_account(fil(1)).unwrap();
    w.books();
    assert_eq!(
        BountyMarketClient::at(market)
            .collateral(&mut w.h, c.address())
            .unwrap()
            .unwrap(),
        CollateralDeposit::default()
    );
    let nowhere = Address::new_secp256k1(&[7; 65]).unwrap();
    assert_eq!(
        BountyMarketClient::at(market)
            .collateral(&mut w.h, nowhere)
            .unwrap(),
        Err(ExitCode::USR_NOT_FOUND)
    );
}

/// A piece renewing claim `claim_id` of bounty `bounty_id` (payload `[bounty, claim]`).
fn renewing(seed: u8, bounty_id: u64, claim_id: u64) -> MinerPiece {
    MinerPiece {
        data: piece(seed),
        size: PaddedPieceSize(2048),
        payload: ddo_renewal_payload(bounty_id, claim_id),
    }
}

#[test]
fn a_ddo_activation_naming_bounty_and_claim_renews_it_from_the_deposit_and_is_refused_without_funds() {
    let mut w = World::new();
    let (a, b, market, escrow) = (w.a, w.b, w.market(), w.escrow());
    let (id, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        renewals: 1,
        ..bounty(1)
    });
    let (unfunded, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        ..bounty(1)
    });
    w.deposit_ok(a, fil(9));
    let (answer, _) = w.activate(a, id, 1, 2048);
    assert_eq!(answer, vec![vec![true]]);
    let (answer, _) = w.activate(a, unfunded, 1, 2048);
    assert_eq!(answer, vec![vec![true]]);
    assert_eq!(
        (w.claim_of(0).vest_end, w.claim_of(1).bounty_id),
        (4_000, unfunded)
    );

    w.advance_to(3_100);
    // Without renewal funds: answered false, with the reason, nothing changed.
    let (answer, r) = w.notify(a, vec![sector_of(1, 1_000_000, vec![renewing(1, unfunded, 1)])]);
    assert_eq!(answer, vec![vec![false]]);
    w.unchanged(&[market, escrow]);
    let refused = refusals(&r);
    assert_eq!(refused.len(), 1);
    assert_eq!((refused[0].bounty, refused[0].exit), (Some(unfunded), 16));
    assert!(refused[0].reason.contains("FundRenewals"), "{refused:?}");
    // Another miner cannot renew a's claim; a payload naming the wrong bounty is refused.
    let (answer, r) = w.notify(b, vec![sector_of(1, 1_000_000, vec![renewing(1, id, 0)])]);
    assert_eq!(answer, vec![vec![false]]);
    assert_eq!(refusals(&r)[0].exit, 18);
    let (answer, r) = w.notify(a, vec![sector_of(1, 1_000_000, vec![renewing(1, unfunded, 0)])]);
    assert_eq!(answer, vec![vec![false]]);
    assert_eq!(refusals(&r)[0].exit, 16);
    // A sector committed short of the new term's end (8000).
    let (answer, r) = w.notify(a, vec![sector_of(1, 7_999, vec![renewing(1, id, 0)])]);
    assert_eq!(answer, vec![vec![false]]);
    assert!(
        refusals(&r)[0].reason.contains("renewed term runs until 8000"),
        "{:?}",
        refusals(&r)
    );
    w.unchanged(&[market, escrow]);

    // With them: renewed, 3 FIL of the deposit locked on the sector for the new term.
    let (answer, r) = w.notify(a, vec![sector_of(1, 1_000_000, vec![renewing(1, id, 0)])]);
    println!(
        "gas: SectorContentChanged, 1 piece renewing a claim (the miner's whole message) = {}",
        r.gas_used
    );
    assert_eq!(answer, vec![vec![true]]);
    assert!(refusals(&r).is_empty());
    w.moved(&[(market, neg(fil(3))), (escrow, fil(3))]);
    assert_event(
        &r,
        EVENT_CLAIM_RENEWED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("deal", false, &NO_DEAL),
            entry("lock", false, &2u64),
            entry("reward", false, &fil(12)),
            entry("term_start", false, &4_000i64),
            entry("term_end", false, &8_000i64),
        ],
    );
    let claim = w.claim_of(0);
    assert_eq!(claim.history.len(), 1);
    assert_eq!(
        (
            claim.deal.deal_id,
            claim.deal.sector,
            claim.lock_id,
            claim.term_start,
            claim.vest_end
        ),
        (NO_DEAL, 1, Some(2), 4_000, 8_000)
    );
    assert_eq!(
        w.deposit_of(a),
        CollateralDeposit {
            available: zero(),
            locked_total: fil(9)
        }
    );
    let lock = w.lock(2);
    assert_eq!(
        (lock.end_epoch, lock.reference, lock.deal),
        (8_000, Some(0), None)
    );
    // Both terms vest: at 6000, 12 + 6.
    w.advance_to(6_000);
    assert_eq!(w.vested(0), fil(18));
}
