//! BountyMarket on the real FVM, with the whole suite (registry, escrow, market) and the
//! stand-in market and miners: bounties posted, claimed with deals the stand-in market
//! published and activated, rewards vesting and pulled by the miners' controlling addresses,
//! collateral locked in the escrow and released at the end (the escrow's callback completes the
//! claim) or slashed to the client when the operator terminates the deal (the callback stops
//! vesting and reopens the slot), cancel and reclaim, forged callbacks, bad inputs, listings and
//! events.
//!
//! Every message goes through the shared world core's `send` (or `quiet` for getters and the
//! operator's controls; `common::Scenario`), which checks every book over the whole state
//! afterwards, every failure at once (`integration_tests::invariants`): the market's
//! (`bounty_market::logic::check_invariants` against its real balance), the escrow's, the
//! registry's, the market's claims against the escrow's locks, and FIL conserved across every
//! actor and account. Every FIL movement is asserted exactly with [`World::moved`], which accounts for
//! the sender's fee; every refusal with [`World::refused`]: the exit code, the three actors'
//! state roots unchanged and no FIL moved.

use super::common::{assert_event, entry, fil, milli, neg, zero, Scenario};
use cid::multihash::Multihash;
use cid::Cid;
use fvm_ipld_encoding::to_vec;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;
use integration_tests::bounty::{self as bm, Suite};
use integration_tests::escrow as esc;
use integration_tests::invariants::Books;
use integration_tests::ledger::Ledger;
use integration_tests::miner::{self, create_miner, SectorStatusCode, SECTOR_SIZE_32GIB};
use integration_tests::storage_market::{deal_proposal, StorageMarketExt};
use integration_tests::{Account, Harness, Receipt};
use integration_tests::{
    BountyMarketClient, EscrowClient, MinerClient, ReputationClient, StorageMarketClient,
};
use suite_interfaces::bounty::*;
use suite_interfaces::escrow::{
    CollateralChange, FaultProof, Lock, LockStatus, OnCollateralChangedParams, Policy, SectorLocation,
    DEFAULT_FAULT_COOLDOWN, EVENT_LOCKED, EVENT_NOTIFY_FAILED, EVENT_RELEASED, EVENT_SLASHED,
};
use suite_interfaces::reputation::score::{Effect, Evidence};
use suite_interfaces::reputation::{
    GetAdminReturn, IsReporterParams, OutcomeCounts, EVENT_REPUTATION_UPDATED, METHOD_GET_ADMIN,
    METHOD_IS_REPORTER, NEUTRAL_SCORE,
};
use test_actor_rogue_escrow as rogue_escrow;

/// Crowdfunded bounties and replica diversity.
mod crowd;
/// DDO claims: the same world, another file.
mod ddo;
/// Claim renewal.
mod renew;

/// The piece CID of seed `seed` (a valid CommP, as the stand-in market's deals use).
fn piece(seed: u8) -> Cid {
    stand_in_market::piece_cid([seed; 32])
}

/// The test market policy: up to 4 replicas and 3 allowed providers, pages of 10, durations
/// from 1000 to 200000 epochs.
fn market_policy() -> MarketPolicy {
    MarketPolicy {
        max_replicas: 4,
        max_allowlist: 3,
        max_page: 10,
        min_duration_floor: 1_000,
        max_duration: 200_000,
        max_claims_per_withdraw: 32,
    }
}

/// The test escrow policy: 5% reporter reward, 10% fault fee, one proving period of cooldown.
fn escrow_policy() -> Policy {
    Policy {
        reporter_reward_bps: 500,
        fault_fee_bps: 1_000,
        fault_cooldown: DEFAULT_FAULT_COOLDOWN,
        min_collateral: milli(1),
        max_lock_duration: 3 * 1_051_200,
    }
}

/// The reporter's share of a slash under [`escrow_policy`] (5%, rounded down).
fn reward_of(slashed: &TokenAmount) -> TokenAmount {
    TokenAmount::from_atto(slashed.atto() * 500u64 / 10_000u64)
}

/// The standard bounty: piece `seed` of 2 KiB, 2 replicas of 12 FIL, 3 FIL collateral each,
/// 4000 epochs of vesting, open until epoch 5000.
fn bounty(seed: u8) -> PostBountyParams {
    PostBountyParams {
        piece_cid: piece(seed),
        piece_size: 2048,
        replicas: 2,
        reward_per_replica: fil(12),
        collateral_per_replica: fil(3),
        min_duration: 4_000,
        expiry: 5_000,
        min_reputation: None,
        allowed_providers: None,
        distinct_owners: false,
        max_per_region: None,
        renewals: 0,
    }
}

/// Its value: (replicas + renewals) × reward.
fn value_of(p: &PostBountyParams) -> TokenAmount {
    &p.reward_per_replica * (p.replicas + p.renewals)
}

/// A storage provider: a miner with an owner (who is paid), a worker and a control address.
#[derive(Debug, Clone, Copy)]
struct Provider {
    owner: Account,
    worker: Account,
    control: Account,
    miner: ActorID,
}

struct World {
    h: Harness,
    admin: Account,
    client: Account,
    client2: Account,
    watcher: Account,
    stranger: Account,
    a: Provider,
    b: Provider,
    suite: Suite,
    ledger: Ledger,
}

impl World {
    fn new() -> Self {
        Self::with_policy(market_policy())
    }

    fn with_policy(policy: MarketPolicy) -> Self {
        let mut h = Harness::new().unwrap();
        let [admin, client, client2, watcher, stranger] =
            [0; 5].map(|_| h.create_account(fil(1_000)).unwrap());
        let provider = |h: &mut Harness| {
            let owner = h.create_account(fil(1_000)).unwrap();
            let worker = h.create_bls_account(fil(1_000)).unwrap();
            let control = h.create_account(fil(1_000)).unwrap();
            let miner = create_miner(
                h,
                &owner,
                owner.address(),
                worker.address(),
                vec![control.address()],
                SECTOR_SIZE_32GIB,
            )
            .unwrap();
            Provider {
                owner,
                worker,
                control,
                miner,
            }
        };
        let a = provider(&mut h);
        let b = provider(&mut h);
        let suite = bm::deploy(&mut h, &admin, &admin, escrow_policy(), policy).unwrap();
        let mut tracked = vec![
            admin.id,
            client.id,
            client2.id,
            watcher.id,
            stranger.id,
            suite.market,
            suite.escrow,
            suite.reputation,
        ];
        for p in [a, b] {
            tracked.extend([p.owner.id, p.worker.id, p.control.id, p.miner]);
        }
        let mut w = Self {
            h,
            admin,
            client,
            client2,
            watcher,
            stranger,
            a,
            b,
            suite,
            ledger: Ledger::new(tracked, vec![suite.market, suite.escrow, suite.reputation]),
        };
        w.books();
        // Every provider starts with sector 1 at (0, 0), live long after every test.
        w.add_sector(a, 1, 0, 0, 1_000_000);
        w.add_sector(b, 1, 0, 0, 1_000_000);
        w
    }

    fn market(&self) -> ActorID {
        self.suite.market
    }

    fn escrow(&self) -> ActorID {
        self.suite.escrow
    }

    // --- market messages ---

    fn post(&mut self, from: Account, p: &PostBountyParams, value: TokenAmount) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| BountyMarketClient::at(market).post(h, a, p, value))
    }

    /// A post by `from` that must succeed: its value moves from `from` to the market.
    fn post_by(&mut self, from: Account, p: &PostBountyParams) -> (u64, Receipt) {
        let value = value_of(p);
        let r = self.post(from, p, value.clone()).ok().unwrap();
        self.moved(&[(from.id, neg(value.clone())), (self.market(), value)]);
        (bm::bounty_id(&r).unwrap(), r)
    }

    /// A post by the client that must succeed.
    fn post_ok(&mut self, p: &PostBountyParams) -> (u64, Receipt) {
        let client = self.client;
        self.post_by(client, p)
    }

    /// Claim params naming the deal's sector as f05 reports it (0 when it has none).
    fn claim_params(
        &mut self,
        bounty_id: u64,
        miner: ActorID,
        deal: DealID,
        location: Option<SectorLocation>,
    ) -> ClaimBountyParams {
        let sector = bm::deal_sector(&mut self.h, deal).unwrap();
        bm::claim_params(bounty_id, miner, deal, sector, location)
    }

    fn claim(&mut self, from: Account, p: &ClaimBountyParams, value: TokenAmount) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| BountyMarketClient::at(market).claim(h, a, p, value))
    }

    /// A claim by `by` (a controlling address of `prov`) that must succeed: the collateral
    /// moves from `by` to the escrow and nothing else moves.
    fn claim_by(
        &mut self,
        by: Account,
        prov: Provider,
        bounty_id: u64,
        deal: DealID,
        location: Option<SectorLocation>,
    ) -> (ClaimBountyReturn, Receipt) {
        let collateral = self.bounty(bounty_id).collateral_per_replica;
        let p = self.claim_params(bounty_id, prov.miner, deal, location);
        let r = self.claim(by, &p, collateral.clone()).ok().unwrap();
        self.moved(&[(by.id, neg(collateral.clone())), (self.escrow(), collateral)]);
        (r.ret().unwrap(), r)
    }

    /// A claim by the provider's worker that must succeed.
    fn claim_ok(&mut self, prov: Provider, bounty_id: u64, deal: DealID) -> (ClaimBountyReturn, Receipt) {
        self.claim_by(prov.worker, prov, bounty_id, deal, None)
    }

    /// A claim of `bounty_id` by `prov`'s worker with `deal` and the right collateral.
    fn claim_with(&mut self, prov: Provider, bounty_id: u64, deal: DealID) -> Receipt {
        let collateral = self.bounty(bounty_id).collateral_per_replica;
        let p = self.claim_params(bounty_id, prov.miner, deal, None);
        self.claim(prov.worker, &p, collateral)
    }

    fn withdraw(&mut self, from: Account, miner: ActorID) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| {
            BountyMarketClient::at(market).withdraw(h, a, Address::new_id(miner))
        })
    }

    /// A withdrawal by the provider's control address that must pay `amount` to its owner.
    fn withdraw_ok(&mut self, prov: Provider, amount: TokenAmount) -> Receipt {
        let r = self.withdraw(prov.control, prov.miner).ok().unwrap();
        let ret: WithdrawReturn = r.ret().unwrap();
        assert_eq!(
            ret,
            WithdrawReturn {
                paid: amount.clone(),
                to: prov.owner.id,
                more: false,
            }
        );
        self.moved(&[(prov.owner.id, amount.clone()), (self.market(), neg(amount))]);
        r
    }

    fn cancel(&mut self, from: Account, bounty_id: u64) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| {
            BountyMarketClient::at(market).cancel(h, a, bounty_id)
        })
    }

    fn reclaim(&mut self, from: Account, bounty_id: u64) -> Receipt {
        let market = self.market();
        self.send(from, |h, a| {
            BountyMarketClient::at(market).reclaim(h, a, bounty_id)
        })
    }

    /// A reclaim by `client` that must pay it `amount`.
    fn reclaim_by(&mut self, client: Account, bounty_id: u64, amount: TokenAmount) -> Receipt {
        let r = self.reclaim(client, bounty_id).ok().unwrap();
        assert_eq!(r.ret::<TokenAmount>().unwrap(), amount);
        self.moved(&[(client.id, amount.clone()), (self.market(), neg(amount))]);
        r
    }

    fn reclaim_ok(&mut self, bounty_id: u64, amount: TokenAmount) -> Receipt {
        let client = self.client;
        self.reclaim_by(client, bounty_id, amount)
    }

    fn get_bounty(&mut self, bounty_id: u64) -> Result<GetBountyReturn, ExitCode> {
        let market = self.market();
        let got = BountyMarketClient::at(market)
            .get_bounty(&mut self.h, bounty_id)
            .unwrap();
        self.books();
        got
    }

    fn bounty(&mut self, bounty_id: u64) -> Bounty {
        let got = self.get_bounty(bounty_id).unwrap();
        assert_eq!(got.bounty_id, bounty_id);
        got.bounty
    }

    fn get_claim(&mut self, claim_id: u64) -> Result<GetClaimReturn, ExitCode> {
        let market = self.market();
        let got = BountyMarketClient::at(market)
            .get_claim(&mut self.h, claim_id)
            .unwrap();
        self.books();
        got
    }

    fn claim_of(&mut self, claim_id: u64) -> Claim {
        let got = self.get_claim(claim_id).unwrap();
        assert_eq!(got.claim_id, claim_id);
        got.claim
    }

    fn vested(&mut self, claim_id: u64) -> TokenAmount {
        self.get_claim(claim_id).unwrap().vested
    }

    fn balance_of(&mut self, miner: ActorID) -> ProviderBalance {
        let market = self.market();
        let got = BountyMarketClient::at(market)
            .provider_balance(&mut self.h, Address::new_id(miner))
            .unwrap()
            .unwrap();
        self.books();
        // The parts add up whatever the state.
        assert_eq!(got.vested, &got.paid + &got.withdrawable, "{got:?}");
        got
    }

    fn list(&mut self, p: &ListBountiesParams) -> Result<ListBountiesReturn, ExitCode> {
        let market = self.market();
        let got = BountyMarketClient::at(market)
            .list_bounties(&mut self.h, p)
            .unwrap();
        self.books();
        got
    }

    /// Every bounty id matching the filter, walking pages of `limit`, and the page sizes.
    fn list_all(
        &mut self,
        client: Option<ActorID>,
        piece: Option<Cid>,
        limit: u32,
    ) -> (Vec<u64>, Vec<usize>) {
        let market = self.market();
        let (all, pages) = BountyMarketClient::at(market)
            .all_bounties(&mut self.h, client, piece, limit)
            .unwrap();
        self.books();
        let mut ids: Vec<u64> = all.iter().map(|b| b.bounty_id).collect();
        ids.sort_unstable();
        (ids, pages)
    }

    // --- escrow messages ---

    fn report(&mut self, from: Account, lock_id: u64, proof: FaultProof) -> Receipt {
        let escrow = self.escrow();
        self.send(from, |h, a| {
            EscrowClient::at(escrow).report_fault(h, a, lock_id, proof)
        })
    }

    /// A report by the watcher that must slash everything the lock holds: the client (the
    /// lock's beneficiary) gets it minus the watcher's reward.
    fn report_ok(&mut self, lock_id: u64, proof: FaultProof) -> Receipt {
        let watcher = self.watcher;
        let lock = self.lock(lock_id);
        let r = self.report(watcher, lock_id, proof).ok().unwrap();
        let reward = reward_of(&lock.remaining);
        self.moved(&[
            (lock.beneficiary, &lock.remaining - &reward),
            (watcher.id, reward),
            (self.escrow(), neg(lock.remaining)),
        ]);
        r
    }

    fn release(&mut self, from: Account, lock_id: u64) -> Receipt {
        let escrow = self.escrow();
        self.send(from, |h, a| EscrowClient::at(escrow).release(h, a, lock_id))
    }

    /// A release by the stranger that must pay the lock's remainder to its refund_to.
    fn release_ok(&mut self, lock_id: u64) -> Receipt {
        let stranger = self.stranger;
        let lock = self.lock(lock_id);
        let r = self.release(stranger, lock_id).ok().unwrap();
        self.moved(&[
            (lock.refund_to, lock.remaining.clone()),
            (self.escrow(), neg(lock.remaining)),
        ]);
        r
    }

    fn lock(&mut self, lock_id: u64) -> Lock {
        let got = EscrowClient::at(self.escrow())
            .get_lock(&mut self.h, lock_id)
            .unwrap()
            .unwrap();
        self.books();
        got.lock
    }

    // --- reputation ---

    fn score(&mut self, miner: ActorID) -> u16 {
        let registry = self.suite.reputation;
        let s = ReputationClient::at(registry)
            .scores(&mut self.h, vec![miner])
            .unwrap()
            .unwrap()[0];
        self.books();
        s
    }

    fn counts(&mut self, miner: ActorID) -> OutcomeCounts {
        let registry = self.suite.reputation;
        let view = ReputationClient::at(registry)
            .reputation(&mut self.h, Address::new_id(miner))
            .unwrap();
        self.books();
        view.map(|v| v.record.counts).unwrap_or_default()
    }

    // --- the chain: deals and sectors, driven by the operator ---

    fn add_sector(
        &mut self,
        p: Provider,
        n: SectorNumber,
        deadline: u64,
        partition: u64,
        expiration: ChainEpoch,
    ) {
        self.quiet(|h| miner::add_sector(h, p.miner, n, deadline, partition, expiration))
            .ok()
            .unwrap();
    }

    /// Publishes a deal between the client and `p` for piece `seed` of `size` bytes over
    /// [start, end), unactivated.
    fn publish(&mut self, p: Provider, seed: u8, size: u64, start: ChainEpoch, end: ChainEpoch) -> DealID {
        let proposal = stand_in_market::DealProposal {
            piece_size: PaddedPieceSize(size),
            ..deal_proposal(self.client.id, p.miner, start, end, seed)
        };
        let id = self.h.publish_deal(&proposal).unwrap();
        self.books();
        id
    }

    /// Publishes a deal and activates it now in `sector`.
    fn deal_sized(
        &mut self,
        p: Provider,
        seed: u8,
        size: u64,
        start: ChainEpoch,
        end: ChainEpoch,
        sector: SectorNumber,
    ) -> DealID {
        let id = self.publish(p, seed, size, start, end);
        self.h.activate_deal(id, sector).unwrap();
        self.books();
        id
    }

    /// The usual deal: piece `seed` of 2 KiB over [start, end), activated now in sector 1.
    fn deal(&mut self, p: Provider, seed: u8, start: ChainEpoch, end: ChainEpoch) -> DealID {
        self.deal_sized(p, seed, 2048, start, end, 1)
    }

    fn terminate_deal(&mut self, deal: DealID) {
        self.quiet(|h| h.terminate_deal(deal));
        assert_eq!(
            StorageMarketClient::new()
                .deal_activation(&mut self.h, deal)
                .unwrap(),
            Err(ExitCode::new(32))
        );
        self.books();
    }

    fn terminate_sector(&mut self, p: Provider, n: SectorNumber) -> Receipt {
        self.quiet(|h| miner::terminate_sector(h, p.miner, n))
            .ok()
            .unwrap()
    }

    fn location(&mut self, p: Provider, n: SectorNumber) -> SectorLocation {
        let (status, l) = MinerClient::at(p.miner)
            .sector_location(&mut self.h, n)
            .unwrap()
            .unwrap();
        self.books();
        assert_eq!(status, SectorStatusCode::Active);
        SectorLocation {
            deadline: l.deadline,
            partition: l.partition,
        }
    }
}

/// The shared world core: every message, then every book (the market's, the escrow's, the
/// registry's, claims against locks, FIL conserved).
impl Scenario for World {
    fn chain(&mut self) -> (&mut Harness, &mut Ledger) {
        (&mut self.h, &mut self.ledger)
    }

    fn chain_ref(&self) -> (&Harness, &Ledger) {
        (&self.h, &self.ledger)
    }

    fn books_checked(&self) -> Books {
        Books {
            market: Some(self.suite.market),
            escrow: Some(self.suite.escrow),
            registry: Some(self.suite.reputation),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

/// No event of any of these types in the receipt.
fn assert_no_events(r: &Receipt, types: &[&str]) {
    for t in types {
        assert!(r.events_of(t).is_empty(), "unexpected {t} event");
    }
}

const MARKET_EVENTS: [&str; 7] = [
    EVENT_POSTED,
    EVENT_CLAIMED,
    EVENT_CANCELLED,
    EVENT_RECLAIMED,
    EVENT_WITHDRAWN,
    EVENT_CLAIM_SLASHED,
    EVENT_CLAIM_COMPLETED,
];

fn withdrawn_event(provider: ActorID, amount: &TokenAmount, by: ActorID) -> Vec<(String, bool, Vec<u8>)> {
    vec![
        entry("provider", true, &provider),
        entry("amount", false, amount),
        entry("by", false, &by),
    ]
}

// ---------------------------------------------------------------------------------------------
// 1. The happy path.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_bounty_is_claimed_vests_is_withdrawn_and_completes_through_the_escrow() {
    let mut w = World::new();
    let (market, escrow, a, client) = (w.market(), w.escrow(), w.a, w.client);
    let owner_start = w.h.balance(a.owner.id).unwrap();

    // The suite was deployed in the design's order; the admin registered both reporters.
    let (admin, registry) = (w.admin, w.suite.reputation);
    let got: GetAdminReturn = w
        .quiet(|h| h.call_no_params(&admin, registry, METHOD_GET_ADMIN))
        .ret()
        .unwrap();
    assert_eq!((got.admin, got.pending_admin, got.reporters), (admin.id, None, 2));
    for reporter in [escrow, market] {
        let r = w.quiet(|h| {
            ReputationClient::at(registry).send(
                h,
                &admin,
                METHOD_IS_REPORTER,
                &IsReporterParams { actor: reporter },
            )
        });
        assert!(r.ret::<bool>().unwrap());
    }

    // Post: 2 replicas of 12 FIL.
    let p = bounty(1);
    let (id, r) = w.post_ok(&p);
    println!("gas: PostBounty = {}", r.gas_used);
    assert_eq!(id, 0);
    assert_event(
        &r,
        EVENT_POSTED,
        market,
        &[
            entry("bounty", true, &0u64),
            entry("client", true, &client.id),
            entry("piece", true, &piece(1)),
            entry("replicas", false, &2u64),
            entry("reward", false, &fil(12)),
            entry("expiry", false, &5_000i64),
            entry("collateral", false, &fil(3)),
            entry("min_duration", false, &4_000i64),
            entry("renewals", false, &0u64),
            entry("distinct_owners", false, &false),
            entry("max_per_region", false, &None::<u32>),
        ],
    );
    let posted = Bounty {
        client: client.id,
        piece_cid: piece(1),
        piece_size: 2048,
        replicas: 2,
        reward_per_replica: fil(12),
        collateral_per_replica: fil(3),
        min_duration: 4_000,
        expiry: 5_000,
        min_reputation: None,
        allowed_providers: None,
        posted_at: 0,
        status: BountyStatus::Open,
        open_slots: 2,
        pool: fil(24),
        holders: vec![],
        claimants: vec![],
        refundable: zero(),
        reclaimed: zero(),
        distinct_owners: false,
        max_per_region: None,
        sponsored: zero(),
        sponsors: 0,
        sponsors_unsettled: 0,
        sponsor_refunded: zero(),
        renewal_pool: zero(),
        renewals_left: 0,
        renewals_funded: zero(),
        renewals_reclaimed: zero(),
    };
    assert_eq!(w.bounty(id), posted);
    assert_eq!(w.h.balance(market).unwrap(), fil(24));

    // The operator publishes and activates the deal; the worker claims with it.
    let deal = w.deal(a, 1, 100, 20_000);
    w.advance_to(10);
    let (ret, r) = w.claim_ok(a, id, deal);
    println!("gas: ClaimBounty (no sector_location) = {}", r.gas_used);
    assert_eq!(
        ret,
        ClaimBountyReturn {
            claim_id: 0,
            lock_id: 0,
            reward: fil(12),
        }
    );
    assert_event(
        &r,
        EVENT_CLAIMED,
        market,
        &[
            entry("bounty", true, &0u64),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("deal", false, &deal),
            entry("reward", false, &fil(12)),
            entry("vest_end", false, &4_010i64),
        ],
    );
    assert_eq!(r.events_of(EVENT_LOCKED).len(), 1);
    // A claim accepted moves no score: the registry hears of the claim at its outcome.
    assert_eq!(r.events_of(EVENT_REPUTATION_UPDATED).len(), 0);
    assert_eq!(w.h.balance(escrow).unwrap(), fil(3));
    let claim = Claim {
        bounty_id: id,
        provider: a.miner,
        claimed_by: a.worker.id,
        deal: DealReceipt {
            deal_id: deal,
            start_epoch: 100,
            end_epoch: 20_000,
            activated: 0,
            sector: 1,
        },
        claimed_at: 10,
        vest_end: 4_010,
        reward: fil(12),
        paid: zero(),
        collateral: fil(3),
        lock_id: Some(0),
        status: ClaimStatus::Active,
        stopped_at: None,
        term_start: 10,
        history: vec![],
    };
    assert_eq!(
        w.get_claim(0).unwrap(),
        GetClaimReturn {
            claim_id: 0,
            claim: claim.clone(),
            vested: zero(),
        }
    );
    assert_eq!(
        w.bounty(id),
        Bounty {
            open_slots: 1,
            pool: fil(12),
            holders: vec![SlotHolder {
                claim_id: 0,
                provider: a.miner,
                owner: None,
                region: None,
            }],
            claimants: vec![a.miner],
            ..posted.clone()
        }
    );
    // The escrow holds the collateral for the market, slashable to the client until vesting
    // ends, refundable to the miner's owner; the market is called back.
    let lock = w.lock(0);
    assert_eq!(
        (
            lock.locker,
            lock.provider,
            lock.beneficiary,
            lock.refund_to,
            lock.end_epoch,
            lock.notify,
            lock.original.clone(),
        ),
        (
            market,
            a.miner,
            client.id,
            a.owner.id,
            4_010,
            Some(market),
            fil(3)
        )
    );
    assert_eq!(lock.deal.unwrap().deal_id, deal);
    assert_eq!(lock.sector.unwrap().sector_number, 1);
    // A claim is a promise, not an outcome: the market tells the registry nothing, so the
    // record and the score are unchanged until the escrow reports how the claim ended.
    assert_eq!(w.counts(a.miner), OutcomeCounts::default());
    assert_eq!(w.score(a.miner), NEUTRAL_SCORE);

    // Nothing has vested yet.
    let r = w.withdraw(a.control, a.miner);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);

    // A quarter of the term: 3 FIL vested, paid to the owner on the control address's call.
    w.advance_to(1_010);
    assert_eq!(
        w.balance_of(a.miner),
        ProviderBalance {
            vested: fil(3),
            paid: zero(),
            withdrawable: fil(3),
            pending: fil(9),
            open_claims: 1,
        }
    );
    let r = w.withdraw_ok(a, fil(3));
    println!("gas: Withdraw = {}", r.gas_used);
    assert_event(
        &r,
        EVENT_WITHDRAWN,
        market,
        &withdrawn_event(a.miner, &fil(3), a.control.id),
    );
    let r = w.withdraw(a.control, a.miner);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);

    // Three quarters: 6 FIL more, this time the worker asks.
    w.advance_to(3_010);
    let r = w.withdraw(a.worker, a.miner).ok().unwrap();
    w.moved(&[(a.owner.id, fil(6)), (market, neg(fil(6)))]);
    assert_event(
        &r,
        EVENT_WITHDRAWN,
        market,
        &withdrawn_event(a.miner, &fil(6), a.worker.id),
    );
    assert_eq!(
        w.balance_of(a.miner),
        ProviderBalance {
            vested: fil(9),
            paid: fil(9),
            withdrawable: zero(),
            pending: fil(3),
            open_claims: 1,
        }
    );

    // The lock cannot be released before its end.
    w.advance_to(4_009);
    let stranger = w.stranger;
    let r = w.release(stranger, 0);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);

    // At the end: the last 3 FIL; the withdrawals add up to the reward, and the claim leaves
    // the provider's unpaid set.
    w.advance_to(4_010);
    w.withdraw_ok(a, fil(3));
    let claim_now = w.claim_of(0);
    assert_eq!((claim_now.paid, claim_now.status), (fil(12), ClaimStatus::Active));
    assert_eq!(w.balance_of(a.miner), ProviderBalance::default());
    let r = w.withdraw(a.control, a.miner);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    // The owner got exactly the reward (it sent no message).
    assert_eq!(w.h.balance(a.owner.id).unwrap(), &owner_start + fil(12));

    // Anyone releases the lock: the collateral goes back to the owner, the escrow calls the
    // market back and the claim completes.
    let r = w.release_ok(0);
    println!("gas: Release (with the market's callback) = {}", r.gas_used);
    assert_eq!(r.events_of(EVENT_RELEASED).len(), 1);
    assert_event(
        &r,
        EVENT_CLAIM_COMPLETED,
        market,
        &[
            entry("bounty", true, &0u64),
            entry("claim", true, &0u64),
            entry("provider", true, &a.miner),
            entry("reward", false, &fil(12)),
        ],
    );
    assert_no_events(&r, &[EVENT_NOTIFY_FAILED]);
    assert_eq!(
        w.claim_of(0),
        Claim {
            paid: fil(12),
            status: ClaimStatus::Completed,
            ..claim
        }
    );
    assert_eq!(w.lock(0).status, LockStatus::Released);
    assert_eq!(w.h.balance(a.owner.id).unwrap(), &owner_start + fil(15));
    assert_eq!(w.h.balance(escrow).unwrap(), zero());
    assert_eq!(
        w.counts(a.miner),
        OutcomeCounts {
            completed: 1,
            ..Default::default()
        }
    );
    // A 2 KiB deal weighs next to nothing against the prior (one 32 GiB sector for 180 days
    // on each side): the score stays at neutral after flooring.
    assert_eq!(w.score(a.miner), NEUTRAL_SCORE);
    // The slot is free again (the claim no longer holds it), the pool unchanged.
    let b = w.bounty(id);
    assert_eq!((b.open_slots, b.pool.clone(), b.holders.len()), (1, fil(12), 0));

    // The second replica was never claimed: after the expiry the client takes it back.
    w.advance_to(5_000);
    let r = w.reclaim_ok(id, fil(12));
    println!("gas: Reclaim (after expiry) = {}", r.gas_used);
    assert_event(
        &r,
        EVENT_RECLAIMED,
        market,
        &[
            entry("bounty", true, &0u64),
            entry("client", true, &client.id),
            entry("amount", false, &fil(12)),
        ],
    );
    let r = w.reclaim(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    assert_eq!(w.h.balance(market).unwrap(), zero());
    let b = w.bounty(id);
    assert_eq!(
        (b.open_slots, b.pool, b.refundable, b.reclaimed),
        (0, zero(), zero(), fil(12))
    );
}

// ---------------------------------------------------------------------------------------------
// 2. Every claim check, failing on its own.
// ---------------------------------------------------------------------------------------------

#[test]
fn each_claim_check_refuses_on_its_own_and_changes_nothing() {
    let mut w = World::new();
    let (a, b, stranger, client) = (w.a, w.b, w.stranger, w.client);
    let (id, _) = w.post_ok(&bounty(1));
    let good = w.deal(a, 1, 100, 20_000);
    // Sends the claim, which must be refused with `code` for the reason `why`.
    let claim = |w: &mut World, from: Account, p: ClaimBountyParams, value: TokenAmount, code, why: &str| {
        let r = w.claim(from, &p, value);
        w.refused_because(&r, code, why);
    };
    let ok = |w: &mut World, deal| w.claim_params(id, a.miner, deal, None);
    let (bad, forbidden, state) = (
        ExitCode::USR_ILLEGAL_ARGUMENT,
        ExitCode::USR_FORBIDDEN,
        ExitCode::USR_ILLEGAL_STATE,
    );

    // Wrong piece.
    let other_piece = w.deal(a, 2, 100, 20_000);
    let p = ok(&mut w, other_piece);
    claim(&mut w, a.worker, p, fil(3), bad, "not the bounty's piece");
    // Wrong size.
    let other_size = w.deal_sized(a, 1, 4096, 100, 20_000, 1);
    let p = ok(&mut w, other_size);
    claim(&mut w, a.worker, p, fil(3), bad, "piece size is 4096");
    // Wrong provider: b's deal for the right piece, claimed for a.
    let bs = w.deal(b, 1, 100, 20_000);
    let p = ok(&mut w, bs);
    claim(&mut w, a.worker, p, fil(3), bad, "belongs to");
    // ... and claimed in b's name by a's worker, which does not control b.
    let p = w.claim_params(id, b.miner, bs, None);
    claim(
        &mut w,
        a.worker,
        p,
        fil(3),
        forbidden,
        "is not a controlling address",
    );
    // Not activated: published only (the market answers 33 for its sector).
    let unactivated = w.publish(a, 1, 2048, 100, 20_000);
    assert_eq!(
        StorageMarketClient::new()
            .deal_sector(&mut w.h, unactivated)
            .unwrap(),
        Err(ExitCode::new(33))
    );
    w.books();
    // The claim names sector 0 (what GetDealSector gave); the escrow refuses the deal first.
    let p = ok(&mut w, unactivated);
    claim(
        &mut w,
        a.worker,
        p,
        fil(3),
        bad,
        &format!("deal {unactivated} is not activated"),
    );
    // Never published (the market answers 17).
    let p = ok(&mut w, 999);
    claim(&mut w, a.worker, p, fil(3), bad, "market exit 17");
    // Terminated: the market answers 32 for it.
    let terminated = w.deal(a, 1, 100, 20_000);
    w.terminate_deal(terminated);
    let p = ok(&mut w, terminated);
    claim(&mut w, a.worker, p, fil(3), bad, "market exit 32");
    // Too short: the deal ends one epoch before min_duration from now.
    let short = w.deal(a, 1, 100, 3_999);
    let p = ok(&mut w, short);
    claim(
        &mut w,
        a.worker,
        p,
        fil(3),
        bad,
        // The escrow refuses first: the lock (vesting) would outlast the deal.
        "lock end 4000 is after deal",
    );
    // Long enough for the bounty but in a sector expiring before the vesting ends: that deal
    // cannot exist, as the market refuses to activate a deal ending after its sector (the
    // builtin's validate_deal_can_activate). A deal that fits such a sector is too short for
    // the bounty; the escrow's own refusal of a sector expiring before the lock's end is
    // covered in tests/escrow.rs.
    w.add_sector(a, 7, 1, 0, 3_000);
    let outlives_sector = w.publish(a, 1, 2048, 100, 20_000);
    let operator = w.h.operator();
    let r = w.quiet(|h| h.activate_deal_as(&operator, outlives_sector, 7));
    let why = r.expect_exit(bad).unwrap();
    assert!(why.contains("after sector 7's expiration 3000"), "{why}");
    // A deal in a faulty sector: the escrow finds the sector not active.
    w.add_sector(a, 8, 2, 0, 1_000_000);
    let in_faulty = w.deal_sized(a, 1, 2048, 100, 20_000, 8);
    w.quiet(|h| miner::fault_sector(h, a.miner, 8)).ok().unwrap();
    let p = ok(&mut w, in_faulty);
    claim(&mut w, a.worker, p, fil(3), bad, "sector 8 of");
    // Caller not controlling the miner: a stranger, the client, b's addresses.
    for from in [stranger, client, b.owner, b.worker] {
        let p = ok(&mut w, good);
        claim(&mut w, from, p, fil(3), forbidden, "is not a controlling address");
    }
    // Wrong collateral value.
    for value in [zero(), fil(2), fil(4), fil(3) - TokenAmount::from_atto(1)] {
        let p = ok(&mut w, good);
        claim(&mut w, a.worker, p, value, bad, "send exactly the collateral");
    }
    // The provider is not a miner.
    let p = w.claim_params(id, client.id, good, None);
    claim(&mut w, a.worker, p, fil(3), bad, "is not a storage miner");
    // No such bounty.
    let p = w.claim_params(7, a.miner, good, None);
    claim(&mut w, a.worker, p, fil(3), ExitCode::USR_NOT_FOUND, "bounty 7");
    // Not allowlisted: a bounty for b only.
    let (only_b, _) = w.post_ok(&PostBountyParams {
        allowed_providers: Some(vec![b.miner]),
        ..bounty(1)
    });
    let p = w.claim_params(only_b, a.miner, good, None);
    claim(&mut w, a.worker, p, fil(3), forbidden, "is not allowed");

    // None of that touched anything: the good deal claims, by any controlling address.
    assert_eq!(w.bounty(id).open_slots, 2);
    let (ret, _) = w.claim_by(a.control, a, id, good, None);
    assert_eq!(ret.claim_id, 0);
    assert_eq!(w.claim_of(0).claimed_by, a.control.id);

    // Same provider twice, with another good deal.
    let second = w.deal(a, 1, 100, 20_000);
    let p = ok(&mut w, second);
    claim(&mut w, a.worker, p, fil(3), state, "already claimed");
    // The deal already backs a claim: not on another bounty for the same piece either.
    let (other, _) = w.post_ok(&bounty(1));
    let p = w.claim_params(other, a.miner, good, None);
    claim(&mut w, a.worker, p, fil(3), state, "already backs claim 0");
    // The second deal is fine there.
    w.claim_ok(a, other, second);

    // Slots full: a one-replica bounty claimed by a, then b.
    let (single, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        ..bounty(1)
    });
    let third = w.deal(a, 1, 100, 20_000);
    w.claim_ok(a, single, third);
    let p = w.claim_params(single, b.miner, bs, None);
    claim(&mut w, b.worker, p, fil(3), state, "has no open slot");
    // On the allowlisted bounty b is welcome.
    w.claim_ok(b, only_b, bs);

    // Expired: b's deal qualifies for bounty 0 (15000 epochs left), but the bounty closed at
    // 5000.
    let b2 = w.deal(b, 1, 100, 20_000);
    w.advance_to(5_000);
    let p = w.claim_params(id, b.miner, b2, None);
    claim(&mut w, b.worker, p, fil(3), state, "expired at 5000");
}

#[test]
fn a_claim_may_name_its_sector_location_and_a_wrong_one_is_refused() {
    let mut w = World::new();
    let (a, b) = (w.a, w.b);
    let (id, _) = w.post_ok(&bounty(1));
    let da = w.deal(a, 1, 100, 20_000);
    let db = w.deal(b, 1, 100, 20_000);
    // A location where the sector is not: the escrow refuses the lock as a stale location
    // (its 33, which the market passes through as builtin actors pass a callee's code), the
    // market's message names the method, and nothing changes.
    let p = w.claim_params(
        id,
        a.miner,
        da,
        Some(SectorLocation {
            deadline: 3,
            partition: 0,
        }),
    );
    let r = w.claim(a.worker, &p, fil(3));
    let stale = ExitCode::new(suite_interfaces::escrow::EX_STALE_LOCATION);
    let escrow = w.escrow();
    w.refused_because(
        &r,
        stale,
        &format!("escrow Lock on f0{escrow} failed with exit 33"),
    );
    w.refused_because(&r, stale, "is not at deadline 3 partition 0");
    w.refused_because(&r, stale, "stale location");
    // The right one works (for b, without one, the escrow searches).
    let at = w.location(a, 1);
    w.claim_by(a.worker, a, id, da, Some(at));
    w.claim_ok(b, id, db);
    // The same first claim in two identical worlds. The stand-in miner's search
    // (GenerateSectorLocation) is one lookup in its sector map, as cheap as the check at a
    // given location, so here the location saves nothing (its bytes cost a little); on a real
    // miner the search walks the deadlines.
    let (with, without) = (first_claim_gas(true), first_claim_gas(false));
    println!("gas: ClaimBounty (with sector_location) = {with}");
    println!("gas: ClaimBounty (no sector_location) = {without}");
    assert!(with.abs_diff(without) < without / 100, "{with} vs {without}");
}

/// The gas of the first claim in a fresh world, with or without the sector's location.
fn first_claim_gas(with_location: bool) -> u64 {
    let mut w = World::new();
    let a = w.a;
    let (id, _) = w.post_ok(&bounty(1));
    let deal = w.deal(a, 1, 100, 20_000);
    let location = with_location.then(|| w.location(a, 1));
    let (_, r) = w.claim_by(a.worker, a, id, deal, location);
    r.gas_used
}

#[test]
fn min_reputation_gates_claims_on_the_registry_score() {
    let mut w = World::new();
    let (a, b, client, market) = (w.a, w.b, w.client, w.market());

    // A provider with no history scores neutral: it passes 5000 and fails 5001.
    let (above, _) = w.post_ok(&PostBountyParams {
        min_reputation: Some(NEUTRAL_SCORE + 1),
        ..bounty(1)
    });
    let (neutral, _) = w.post_ok(&PostBountyParams {
        min_reputation: Some(NEUTRAL_SCORE),
        ..bounty(1)
    });
    let da = w.deal(a, 1, 100, 20_000);
    let r = w.claim_with(a, above, da);
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    w.claim_ok(a, neutral, da);

    // b loses data elsewhere: its owner locks collateral in the escrow against another deal
    // (naming the market as notify, which the market does not know as one of its locks), the
    // operator terminates that deal and the watcher proves it. The registry records a slash.
    w.add_sector(b, 2, 2, 0, 1_000_000);
    let lost = w.deal_sized(b, 9, 2048, 100, 20_000, 2);
    let lp = suite_interfaces::escrow::LockParams {
        notify: Some(Address::new_id(market)),
        ..esc::lock_params(b.miner, client.id, b.owner.id, esc::deal_evidence(lost), 10_000)
    };
    let escrow = w.escrow();
    let r = w.send(b.owner, |h, from| {
        EscrowClient::at(escrow).lock(h, from, &lp, fil(2))
    });
    let lock = esc::lock_id(&r).unwrap();
    w.moved(&[(b.owner.id, neg(fil(2))), (escrow, fil(2))]);
    // The market's state is untouched by a lock it did not make.
    w.unchanged(&[market]);
    w.advance_to(100);
    w.terminate_deal(lost);
    let r = w.report_ok(lock, FaultProof::DealTerminated);
    // The market refused the callback for a lock it does not know; the slash stands.
    w.unchanged(&[market]);
    assert_eq!(r.events_of(EVENT_NOTIFY_FAILED).len(), 1);
    assert_no_events(&r, &MARKET_EVENTS);
    assert_eq!(w.lock(lock).status, LockStatus::Slashed);
    assert_eq!(w.counts(b.miner).slashes, 1);
    let score = w.score(b.miner);
    assert!(score < NEUTRAL_SCORE, "score {score}");

    // Now b fails the neutral bounty's gate, with a deal that is otherwise fine.
    let db = w.deal(b, 1, 200, 20_000);
    let r = w.claim_with(b, neutral, db);
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    // A bounty that asks for no reputation takes it, and one whose gate is at its score.
    let (open, _) = w.post_ok(&bounty(1));
    let (at_score, _) = w.post_ok(&PostBountyParams {
        min_reputation: Some(score),
        ..bounty(1)
    });
    w.claim_ok(b, at_score, db);
    let db2 = w.deal(b, 1, 200, 20_000);
    w.claim_ok(b, open, db2);
}

// ---------------------------------------------------------------------------------------------
// 4. A slash mid-term: vesting stops, the slot reopens, another provider is paid.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_slashed_claim_stops_vesting_returns_the_rest_and_reopens_the_slot_for_another_provider() {
    let mut w = World::new();
    let (a, b, market, escrow, client, watcher) = (w.a, w.b, w.market(), w.escrow(), w.client, w.watcher);
    let (id, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        ..bounty(1)
    });
    let da = w.deal(a, 1, 100, 20_000);
    let db = w.deal(b, 1, 100, 20_000);
    let (ra, _) = w.claim_ok(a, id, da);
    assert_eq!(ra.reward, fil(12));
    // The only slot is taken.
    let r = w.claim_with(b, id, db);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);

    w.advance_to(1_000);
    w.withdraw_ok(a, fil(3));

    // A sector fault is not a loss: the escrow charges its fee, the market's callback leaves
    // the claim vesting.
    w.advance_to(1_500);
    let miner_a = a.miner;
    w.quiet(|h| miner::fault_sector(h, miner_a, 1)).ok().unwrap();
    let r = w.report(
        watcher,
        ra.lock_id,
        FaultProof::SectorFaulty(SectorLocation {
            deadline: 0,
            partition: 0,
        }),
    );
    let r = r.ok().unwrap();
    let fee = fil(3).div_floor(10u64);
    w.moved(&[
        (client.id, &fee - &reward_of(&fee)),
        (watcher.id, reward_of(&fee)),
        (escrow, neg(fee.clone())),
    ]);
    assert_no_events(&r, &MARKET_EVENTS);
    assert_no_events(&r, &[EVENT_NOTIFY_FAILED]);
    assert_eq!(w.claim_of(ra.claim_id).status, ClaimStatus::Active);
    w.quiet(|h| miner::recover_sector(h, miner_a, 1)).ok().unwrap();

    // Half-way, the operator terminates a's sector: the market deletes the deal. The watcher
    // proves it in the same epoch.
    w.advance_to(2_000);
    let r = w.terminate_sector(a, 1);
    assert_eq!(r.events_of("deal-terminated").len(), 1);
    assert_eq!(
        StorageMarketClient::new().deal_activation(&mut w.h, da).unwrap(),
        Err(ExitCode::new(32))
    );
    w.books();
    let r = w.report_ok(ra.lock_id, FaultProof::DealTerminated);
    println!(
        "gas: ReportFault DealTerminated (with the market's callback) = {}",
        r.gas_used
    );
    let remaining = fil(3) - fee;
    assert_eq!(r.events_of(EVENT_SLASHED).len(), 1);
    assert_no_events(&r, &[EVENT_NOTIFY_FAILED]);
    assert_event(
        &r,
        EVENT_CLAIM_SLASHED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &ra.claim_id),
            entry("provider", true, &a.miner),
            entry("returned", false, &fil(6)),
            entry("collateral_slashed", false, &remaining),
        ],
    );
    // Vesting stopped at the report: 6 FIL vested, 6 FIL back in the pool, the slot open.
    let claim = w.claim_of(ra.claim_id);
    assert_eq!(
        (claim.status, claim.stopped_at, claim.paid.clone()),
        (ClaimStatus::Slashed, Some(2_000), fil(3))
    );
    assert_eq!(w.vested(ra.claim_id), fil(6));
    let bounty_now = w.bounty(id);
    assert_eq!(
        (
            bounty_now.open_slots,
            bounty_now.pool.clone(),
            bounty_now.holders.len()
        ),
        (1, fil(6), 0)
    );
    assert_eq!(
        w.balance_of(a.miner),
        ProviderBalance {
            vested: fil(6),
            paid: fil(3),
            withdrawable: fil(3),
            pending: zero(),
            open_claims: 1,
        }
    );
    assert_eq!(
        w.counts(a.miner),
        OutcomeCounts {
            slashes: 1,
            faults: 1,
            ..Default::default()
        }
    );
    // The slash settles once.
    let r = w.report(watcher, ra.lock_id, FaultProof::DealTerminated);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);

    // Later, nothing more vests: a withdraws what vested before the slash, once.
    w.advance_to(3_000);
    assert_eq!(w.vested(ra.claim_id), fil(6));
    w.withdraw_ok(a, fil(3));
    let r = w.withdraw(a.control, a.miner);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    assert_eq!(w.balance_of(a.miner), ProviderBalance::default());

    // b claims the reopened slot: its reward is what returned.
    let (rb, r) = w.claim_ok(b, id, db);
    assert_eq!(rb.reward, fil(6));
    assert_event(
        &r,
        EVENT_CLAIMED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &rb.claim_id),
            entry("provider", true, &b.miner),
            entry("deal", false, &db),
            entry("reward", false, &fil(6)),
            entry("vest_end", false, &7_000i64),
        ],
    );
    let bounty_now = w.bounty(id);
    assert_eq!((bounty_now.open_slots, bounty_now.pool.clone()), (0, zero()));
    w.advance_to(7_000);
    w.withdraw_ok(b, fil(6));
    let r = w.release_ok(rb.lock_id);
    assert_eq!(r.events_of(EVENT_CLAIM_COMPLETED).len(), 1);
    assert_eq!(w.claim_of(rb.claim_id).status, ClaimStatus::Completed);

    // The 12 FIL went to the providers (6 + 6), nothing is left to reclaim.
    assert_eq!(w.h.balance(market).unwrap(), zero());
    assert_eq!(w.h.balance(escrow).unwrap(), zero());
    let client = w.client;
    let r = w.reclaim(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    assert_eq!(
        w.counts(b.miner),
        OutcomeCounts {
            completed: 1,
            ..Default::default()
        }
    );
}

// ---------------------------------------------------------------------------------------------
// 5. Cancel and reclaim.
// ---------------------------------------------------------------------------------------------

#[test]
fn two_replicas_locked_alike_earn_alike_however_long_their_deals_run() {
    // The attack of issue 11: the same 32 GiB piece, the same collateral and lock, one deal
    // ending just after the lock and one running for months. Only the lock's term counts.
    let mut w = World::new();
    let (a, b) = (w.a, w.b);
    let size = 32u64 << 30;
    let (id, _) = w.post_ok(&PostBountyParams {
        piece_size: size,
        ..bounty(7)
    });
    let short = w.deal_sized(a, 7, size, 100, 4_100, 1);
    let long = w.deal_sized(b, 7, size, 100, 190_000, 1);
    let (ra, _) = w.claim_ok(a, id, short);
    let (rb, _) = w.claim_ok(b, id, long);
    let lock = w.lock(ra.lock_id);
    assert_eq!(lock.end_epoch - lock.created_at, 4_000);
    w.advance_to(4_000);
    w.release_ok(ra.lock_id);
    w.release_ok(rb.lock_id);
    let earned = Evidence::default()
        .add(4_000, Effect::Success, size as u128 * 4_000)
        .score(4_000);
    assert!(earned > NEUTRAL_SCORE);
    assert_eq!((w.score(a.miner), w.score(b.miner)), (earned, earned));
    // The long deal is then lost: the lock is settled, so nothing changes.
    w.advance_to(10_000);
    w.terminate_deal(long);
    let watcher = w.watcher;
    let r = w.report(watcher, rb.lock_id, FaultProof::DealTerminated);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    assert!(w.score(b.miner) <= w.score(a.miner));
}

#[test]
fn a_cancelled_bounty_refunds_its_open_slots_and_later_what_a_slash_returns() {
    let mut w = World::new();
    let (a, b, market, client, stranger) = (w.a, w.b, w.market(), w.client, w.stranger);
    let (id, _) = w.post_ok(&PostBountyParams {
        replicas: 3,
        reward_per_replica: fil(10),
        ..bounty(1)
    });
    let da = w.deal(a, 1, 100, 20_000);
    let db = w.deal(b, 1, 100, 20_000);
    let (ra, _) = w.claim_ok(a, id, da);
    assert_eq!(ra.reward, fil(10));

    // Only the client cancels and reclaims, and nothing is reclaimable before a cancel or
    // the expiry.
    let r = w.cancel(stranger, id);
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    let r = w.reclaim(stranger, id);
    w.refused(&r, ExitCode::USR_FORBIDDEN);
    let r = w.reclaim(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let r = w.cancel(client, 9);
    w.refused(&r, ExitCode::USR_NOT_FOUND);
    // No value on a cancel.
    let r = w.send(client, |h, from| {
        h.call(from, market, METHOD_CANCEL_BOUNTY, &IdParams { id }, fil(1))
    });
    w.refused(&r, ExitCode::USR_NOT_PAYABLE);

    w.advance_to(1_000);
    let r = w.cancel(client, id).ok().unwrap();
    println!("gas: CancelBounty = {}", r.gas_used);
    w.moved(&[]);
    assert_event(
        &r,
        EVENT_CANCELLED,
        market,
        &[
            entry("bounty", true, &id),
            entry("client", true, &client.id),
            entry("slots", false, &2u64),
            entry("freed", false, &fil(20)),
        ],
    );
    let bounty_now = w.bounty(id);
    assert_eq!(
        (
            bounty_now.status,
            bounty_now.open_slots,
            bounty_now.pool.clone(),
            bounty_now.refundable.clone(),
            bounty_now.holders.len()
        ),
        (BountyStatus::Cancelled, 0, zero(), fil(20), 1)
    );
    let r = w.cancel(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    // No claim on a cancelled bounty.
    let r = w.claim_with(b, id, db);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);

    // The client takes the two open slots back at once (before the expiry), once.
    let r = w.reclaim_ok(id, fil(20));
    println!("gas: Reclaim (after cancel) = {}", r.gas_used);
    let r = w.reclaim(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);

    // a's claim keeps vesting; its deal is slashed at 2000: the unvested half of its reward
    // returns to the client (the bounty takes no claims any more), reclaimable at once.
    w.advance_to(2_000);
    w.terminate_deal(da);
    let r = w.report_ok(ra.lock_id, FaultProof::DealTerminated);
    assert_event(
        &r,
        EVENT_CLAIM_SLASHED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &ra.claim_id),
            entry("provider", true, &a.miner),
            entry("returned", false, &fil(5)),
            entry("collateral_slashed", false, &fil(3)),
        ],
    );
    let bounty_now = w.bounty(id);
    assert_eq!(
        (bounty_now.open_slots, bounty_now.refundable.clone()),
        (0, fil(5))
    );
    w.reclaim_ok(id, fil(5));
    let r = w.reclaim(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    // a keeps what vested before the slash.
    w.withdraw_ok(a, fil(5));
    assert_eq!(w.h.balance(market).unwrap(), zero());
    assert_eq!(w.bounty(id).reclaimed, fil(25));
}

#[test]
fn unclaimed_rewards_are_reclaimable_from_the_expiry_and_only_once() {
    let mut w = World::new();
    let (a, client, client2, market) = (w.a, w.client, w.client2, w.market());
    let (id, _) = w.post_ok(&PostBountyParams {
        replicas: 2,
        reward_per_replica: fil(5),
        expiry: 3_000,
        ..bounty(1)
    });
    let (other, _) = w.post_by(client2, &bounty(2));
    let da = w.deal(a, 1, 100, 20_000);
    let (c, _) = w.claim_ok(a, id, da);

    w.advance_to(2_999);
    let r = w.reclaim(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    // Another client's bounty is not this client's to reclaim.
    let r = w.reclaim(client, other);
    w.refused(&r, ExitCode::USR_FORBIDDEN);

    // From the expiry: the open slot's 5 FIL; a's claim is untouched.
    w.advance_to(3_000);
    let r = w.reclaim_ok(id, fil(5));
    assert_no_events(&r, &[EVENT_CANCELLED]);
    let r = w.reclaim(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let bounty_now = w.bounty(id);
    assert_eq!(
        (
            bounty_now.status,
            bounty_now.open_slots,
            bounty_now.pool.clone(),
            bounty_now.holders.len()
        ),
        (BountyStatus::Open, 0, zero(), 1)
    );
    // The claim still vests. Its deal is slashed at 3500, after the expiry: the unvested
    // eighth goes to the client, not back to the closed bounty.
    w.advance_to(3_500);
    w.terminate_deal(da);
    let r = w.report_ok(c.lock_id, FaultProof::DealTerminated);
    assert_event(
        &r,
        EVENT_CLAIM_SLASHED,
        market,
        &[
            entry("bounty", true, &id),
            entry("claim", true, &c.claim_id),
            entry("provider", true, &a.miner),
            entry("returned", false, &milli(625)),
            entry("collateral_slashed", false, &fil(3)),
        ],
    );
    let bounty_now = w.bounty(id);
    assert_eq!(
        (
            bounty_now.open_slots,
            bounty_now.pool.clone(),
            bounty_now.refundable.clone()
        ),
        (0, zero(), milli(625))
    );
    w.reclaim_ok(id, milli(625));
    let r = w.reclaim(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    // The provider keeps what vested before the slash.
    w.advance_to(4_000);
    w.withdraw_ok(a, milli(4_375));
    // A cancel after the expiry would change nothing (no claims are taken, a slash refunds
    // anyway): refused with 20, and still nothing to reclaim.
    let r = w.cancel(client, id);
    w.refused_because(
        &r,
        ExitCode::USR_ILLEGAL_STATE,
        "expired at 3000: it takes no more claims, nothing to cancel",
    );
    let r = w.reclaim(client, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    // The other client reclaims its own, whole, from its expiry.
    w.advance_to(5_000);
    w.reclaim_by(client2, other, fil(24));
}

/// Cancelling a bounty whose every slot is claimed frees nothing at once, and is still a
/// choice: a claim that fails afterwards refunds its unvested reward to the client instead of
/// reopening its slot for another provider.
#[test]
fn a_fully_claimed_bounty_cancelled_refunds_a_failed_claim_instead_of_reopening_its_slot() {
    let mut w = World::new();
    let (a, b, market, client) = (w.a, w.b, w.market(), w.client);
    let (id, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        reward_per_replica: fil(10),
        ..bounty(1)
    });
    let da = w.deal(a, 1, 100, 20_000);
    let db = w.deal(b, 1, 100, 20_000);
    let (ra, _) = w.claim_ok(a, id, da);
    w.advance_to(1_000);
    let r = w.cancel(client, id).ok().unwrap();
    w.moved(&[]);
    assert_event(
        &r,
        EVENT_CANCELLED,
        market,
        &[
            entry("bounty", true, &id),
            entry("client", true, &client.id),
            entry("slots", false, &0u64),
            entry("freed", false, &zero()),
        ],
    );
    let r = w.reclaim(client, id);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "nothing to reclaim");
    // a's deal is slashed at 2000, before the expiry: the unvested half goes to the client and
    // the slot stays closed, so b cannot take it.
    w.advance_to(2_000);
    w.terminate_deal(da);
    w.report_ok(ra.lock_id, FaultProof::DealTerminated);
    let bounty_now = w.bounty(id);
    assert_eq!(
        (bounty_now.open_slots, bounty_now.refundable.clone()),
        (0, fil(5))
    );
    let r = w.claim_with(b, id, db);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    w.reclaim_ok(id, fil(5));
}

// ---------------------------------------------------------------------------------------------
// 6. Forged escrow callbacks.
// ---------------------------------------------------------------------------------------------

#[test]
fn only_the_escrow_can_call_the_market_back() {
    let mut w = World::new();
    let (a, market, stranger) = (w.a, w.market(), w.stranger);
    let (id, _) = w.post_ok(&bounty(1));
    let da = w.deal(a, 1, 100, 20_000);
    let (ra, _) = w.claim_ok(a, id, da);
    w.advance_to(1_000);
    let relay = w.h.deploy(&stranger, "test-actor-relay", &stranger.id).unwrap();
    w.books();
    w.track(relay);

    for change in [
        CollateralChange::Slashed,
        CollateralChange::Released,
        CollateralChange::FaultFee,
    ] {
        let forged = OnCollateralChangedParams {
            lock_id: ra.lock_id,
            reference: Some(ra.claim_id),
            change,
            amount: fil(3),
            remaining: zero(),
            epoch: 1_000,
        };
        // From an account.
        for from in [stranger, a.owner, a.worker] {
            let r = w.send(from, |h, from| {
                h.call(from, market, METHOD_ON_COLLATERAL_CHANGED, &forged, zero())
            });
            w.refused(&r, ExitCode::USR_FORBIDDEN);
        }
        // From a contract that is not the escrow (the relay forwards the market's exit).
        let p = test_actor_relay::RelayParams {
            to: Address::new_id(market),
            method: METHOD_ON_COLLATERAL_CHANGED,
            params: integration_tests::harness::params(&forged),
            value: zero(),
        };
        let r = w.send(stranger, |h, from| {
            h.call(from, relay, test_actor_relay::METHOD_RELAY, &p, zero())
        });
        w.refused(&r, ExitCode::USR_FORBIDDEN);
    }
    // The claim is untouched and keeps vesting.
    let claim = w.claim_of(ra.claim_id);
    assert_eq!((claim.status, claim.stopped_at), (ClaimStatus::Active, None));
    assert_eq!(w.vested(ra.claim_id), fil(3));
}

// ---------------------------------------------------------------------------------------------
// 7. Bad inputs.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_claim_is_refused_when_the_escrow_re_enters_the_market_during_lock() {
    let mut w = World::new();
    let (a, admin) = (w.a, w.admin);
    // A market whose escrow is not the suite's: it answers GetPolicy like the real one, keeps
    // the collateral, and can make a call of its own during Lock.
    let rogue =
        w.h.deploy(&admin, "test-actor-rogue-escrow", &escrow_policy())
            .unwrap();
    let market = bm::deploy_market(
        &mut w.h,
        &admin,
        Address::new_id(rogue),
        Address::new_id(w.suite.reputation),
        market_policy(),
    )
    .unwrap();
    w.suite.market = market;
    w.ledger.watch(market);
    w.ledger.watch(rogue);
    let (bounty_id, _) = w.post_ok(&bounty(1));
    let deal = w.deal(a, 1, 0, 10_000);
    let set_reentry = |w: &mut World, reentry: Option<rogue_escrow::Reentry>| {
        let stranger = w.stranger;
        w.quiet(|h| {
            h.call(
                &stranger,
                rogue,
                rogue_escrow::METHOD_SET_REENTRY,
                &reentry,
                zero(),
            )
        })
        .ok()
        .unwrap();
    };

    // During Lock, the rogue posts a bounty of its own with the collateral it was just sent.
    let inner = PostBountyParams {
        replicas: 1,
        reward_per_replica: fil(3),
        ..bounty(2)
    };
    let reentry = rogue_escrow::Reentry {
        to: Address::new_id(market),
        method: METHOD_POST_BOUNTY,
        params: to_vec(&inner).unwrap().into(),
        value: fil(3),
    };
    set_reentry(&mut w, Some(reentry));
    let r = w.claim_with(a, bounty_id, deal);
    w.refused_because(
        &r,
        ExitCode::USR_ILLEGAL_STATE,
        "changed the market's state during Lock",
    );
    assert_eq!(w.get_bounty(bounty_id + 1), Err(ExitCode::USR_NOT_FOUND));

    // An escrow that does not re-enter: the claim is written once, with the lock id it got.
    set_reentry(&mut w, None);
    let r = w.claim_with(a, bounty_id, deal).ok().unwrap();
    w.moved(&[(a.worker.id, neg(fil(3))), (rogue, fil(3))]);
    let ret: ClaimBountyReturn = r.ret().unwrap();
    assert_eq!(ret.lock_id, 0);
    assert_eq!(w.get_claim(ret.claim_id).unwrap().claim.lock_id, Some(0));
}

#[test]
fn the_market_takes_its_terms_from_a_real_escrow_at_construction() {
    let mut h = Harness::new().unwrap();
    let admin = h.create_account(fil(100)).unwrap();
    let suite = bm::deploy(&mut h, &admin, &admin, escrow_policy(), market_policy()).unwrap();
    let code = h
        .install_code(
            &admin,
            integration_tests::actors::require_wasm(bm::PACKAGE).unwrap(),
        )
        .unwrap();
    let constructor = |escrow: ActorID, policy: MarketPolicy| ConstructorParams {
        escrow: Address::new_id(escrow),
        reputation: Address::new_id(suite.reputation),
        policy,
    };
    let too_long = MarketPolicy {
        max_duration: escrow_policy().max_lock_duration + 1,
        ..market_policy()
    };
    let bad = [
        (constructor(admin.id, market_policy()), "not a CollateralEscrow"),
        (
            constructor(suite.reputation, market_policy()),
            "not a CollateralEscrow",
        ),
        (
            constructor(suite.escrow, too_long),
            "exceeds the escrow's max_lock_duration",
        ),
    ];
    for (params, why) in bad {
        let r = h.exec_actor(&admin, code, &params, zero()).unwrap();
        let failure = r.expect_exit(ExitCode::USR_ILLEGAL_ARGUMENT).unwrap();
        assert!(failure.contains(why), "{why}: {failure}");
    }
    // The escrow's policy as it publishes it, and the market's copy of its minimum.
    let stranger = h.create_account(fil(1)).unwrap();
    let r = h
        .call_no_params(
            &stranger,
            suite.escrow,
            suite_interfaces::escrow::METHOD_GET_POLICY,
        )
        .unwrap();
    assert_eq!(r.ret::<Policy>().unwrap(), escrow_policy());
    let r = h
        .call_no_params(&stranger, suite.market, METHOD_GET_POLICY)
        .unwrap();
    assert_eq!(
        r.ret::<GetPolicyReturn>().unwrap(),
        GetPolicyReturn {
            escrow: suite.escrow,
            reputation: suite.reputation,
            policy: market_policy(),
            min_collateral: escrow_policy().min_collateral,
        }
    );
    // The longest duration the escrow admits is fine.
    let longest = MarketPolicy {
        max_duration: escrow_policy().max_lock_duration,
        ..market_policy()
    };
    let r = h
        .exec_actor(&admin, code, &constructor(suite.escrow, longest), zero())
        .unwrap();
    assert!(r.is_ok(), "{:?}", r.failure);
}

#[test]
fn bad_posts_are_refused_with_16_and_move_nothing() {
    let mut w = World::new();
    let (a, b, client) = (w.a, w.b, w.client);
    w.advance_to(100);
    let base = bounty(1);
    let refused = |w: &mut World, p: PostBountyParams, value: TokenAmount| {
        let r = w.post(client, &p, value);
        w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    };
    // Value ≠ replicas × reward.
    for value in [
        zero(),
        fil(12),
        fil(23),
        fil(25),
        fil(24) + TokenAmount::from_atto(1),
    ] {
        refused(&mut w, base.clone(), value);
    }
    // Not a piece commitment: a raw sha2-256 CID, a CommP codec with another hash, a short
    // digest.
    let sha256 = Multihash::<64>::wrap(0x12, &[1; 32]).unwrap();
    let trunc = Multihash::<64>::wrap(0x1012, &[1; 32]).unwrap();
    let short = Multihash::<64>::wrap(0x1012, &[1; 31]).unwrap();
    for cid in [
        Cid::new_v1(0x55, sha256),
        Cid::new_v1(0x55, trunc),
        Cid::new_v1(FIL_COMMITMENT_UNSEALED, sha256),
        Cid::new_v1(FIL_COMMITMENT_UNSEALED, short),
    ] {
        let p = PostBountyParams {
            piece_cid: cid,
            ..base.clone()
        };
        refused(&mut w, p, fil(24));
    }
    // Size: not a power of two, below 128, above 64 GiB.
    for size in [0, 64, 127, 2000, 3 << 10, 128 << 30] {
        let p = PostBountyParams {
            piece_size: size,
            ..base.clone()
        };
        refused(&mut w, p, fil(24));
    }
    // Replicas 0 and above the policy's 4.
    for replicas in [0u64, 5] {
        let p = PostBountyParams {
            replicas,
            ..base.clone()
        };
        let value = &p.reward_per_replica * replicas;
        refused(&mut w, p, value);
    }
    // Zero reward or collateral.
    let p = PostBountyParams {
        reward_per_replica: zero(),
        ..base.clone()
    };
    refused(&mut w, p, zero());
    let p = PostBountyParams {
        collateral_per_replica: zero(),
        ..base.clone()
    };
    refused(&mut w, p, fil(24));
    // Collateral under the escrow's minimum (1 milliFIL): no claim could ever lock it.
    let p = PostBountyParams {
        collateral_per_replica: milli(1) - TokenAmount::from_atto(1),
        ..base.clone()
    };
    let r = w.post(client, &p, fil(24));
    w.refused_because(&r, ExitCode::USR_ILLEGAL_ARGUMENT, "below the escrow's minimum");
    // Expiry now or in the past.
    for expiry in [0, 99, 100] {
        let p = PostBountyParams {
            expiry,
            ..base.clone()
        };
        refused(&mut w, p, fil(24));
    }
    // Expiry more than max_duration (200000) from now (epoch 100), or never.
    for expiry in [200_101, i64::MAX] {
        let p = PostBountyParams {
            expiry,
            ..base.clone()
        };
        let r = w.post(client, &p, fil(24));
        w.refused_because(
            &r,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "more than max_duration = 200000 epochs away: at most epoch 200100",
        );
    }
    // min_duration outside [1000, 200000].
    for min_duration in [0, 999, 200_001] {
        let p = PostBountyParams {
            min_duration,
            ..base.clone()
        };
        refused(&mut w, p, fil(24));
    }
    // min_reputation above 10000.
    let p = PostBountyParams {
        min_reputation: Some(10_001),
        ..base.clone()
    };
    refused(&mut w, p, fil(24));
    // Allowlist: a repeat, empty, longer than the policy's 3.
    for allowed in [
        vec![a.miner, b.miner, a.miner],
        vec![],
        vec![a.miner, b.miner, 1_000, 1_001],
    ] {
        let p = PostBountyParams {
            allowed_providers: Some(allowed),
            ..base.clone()
        };
        refused(&mut w, p, fil(24));
    }
    // Nothing was posted; the edges of the policy are fine.
    assert_eq!(w.get_bounty(0), Err(ExitCode::USR_NOT_FOUND));
    let edges = PostBountyParams {
        piece_size: 128,
        replicas: 4,
        min_duration: 1_000,
        expiry: 101,
        min_reputation: Some(10_000),
        allowed_providers: Some(vec![a.miner, b.miner, 1_000]),
        collateral_per_replica: milli(1),
        ..base.clone()
    };
    let (id, _) = w.post_ok(&edges);
    assert_eq!(id, 0);
    let edges = PostBountyParams {
        piece_size: 64 << 30,
        replicas: 1,
        min_duration: 200_000,
        expiry: 200_100,
        ..base
    };
    w.post_ok(&edges);
}

#[test]
fn only_a_controlling_address_withdraws_and_the_owner_is_paid() {
    let mut w = World::new();
    let (a, b, client, stranger, market) = (w.a, w.b, w.client, w.stranger, w.market());
    let (id, _) = w.post_ok(&bounty(1));
    let da = w.deal(a, 1, 100, 20_000);
    w.claim_ok(a, id, da);
    w.advance_to(2_000);
    for from in [stranger, client, b.owner, b.worker, b.control] {
        let r = w.withdraw(from, a.miner);
        w.refused(&r, ExitCode::USR_FORBIDDEN);
    }
    // Not a miner; a miner with no claims.
    let r = w.withdraw(a.control, client.id);
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    let r = w.withdraw(b.control, b.miner);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    // No value on a withdraw.
    let p = ProviderParams {
        provider: Address::new_id(a.miner),
    };
    let r = w.send(a.control, |h, from| {
        h.call(from, market, METHOD_WITHDRAW, &p, fil(1))
    });
    w.refused(&r, ExitCode::USR_NOT_PAYABLE);
    // The owner itself may withdraw; it pays the fee and receives the reward.
    let r = w.withdraw(a.owner, a.miner).ok().unwrap();
    w.moved(&[(a.owner.id, fil(6)), (market, neg(fil(6)))]);
    assert_event(
        &r,
        EVENT_WITHDRAWN,
        market,
        &withdrawn_event(a.miner, &fil(6), a.owner.id),
    );
}

// ---------------------------------------------------------------------------------------------
// 8. Provider balances, listings.
// ---------------------------------------------------------------------------------------------

#[test]
fn provider_balances_add_up_across_claims_withdrawals_and_slashes() {
    let mut w = World::new();
    let a = w.a;
    assert_eq!(w.balance_of(a.miner), ProviderBalance::default());
    // Two bounties: 12 FIL over 4000 epochs, 8 FIL over 2000 epochs.
    let (x, _) = w.post_ok(&bounty(1));
    let (y, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        reward_per_replica: fil(8),
        min_duration: 2_000,
        ..bounty(2)
    });
    let dx = w.deal(a, 1, 100, 20_000);
    let dy = w.deal(a, 2, 100, 20_000);
    let (cx, _) = w.claim_ok(a, x, dx);
    w.advance_to(1_000);
    let (cy, _) = w.claim_ok(a, y, dy);
    assert_eq!(
        w.balance_of(a.miner),
        ProviderBalance {
            vested: fil(3),
            paid: zero(),
            withdrawable: fil(3),
            pending: fil(9) + fil(8),
            open_claims: 2,
        }
    );
    w.advance_to(2_000);
    // x: 6 vested; y: 4 vested.
    assert_eq!(
        w.balance_of(a.miner),
        ProviderBalance {
            vested: fil(10),
            paid: zero(),
            withdrawable: fil(10),
            pending: fil(10),
            open_claims: 2,
        }
    );
    w.withdraw_ok(a, fil(10));
    w.advance_to(2_500);
    // x: 7.5 vested, y: 6 vested; then y's deal is slashed: y stops at 6.
    w.terminate_deal(dy);
    w.report_ok(cy.lock_id, FaultProof::DealTerminated);
    assert_eq!(
        w.balance_of(a.miner),
        ProviderBalance {
            vested: milli(7_500) + fil(6),
            paid: fil(10),
            withdrawable: milli(3_500),
            pending: milli(4_500),
            open_claims: 2,
        }
    );
    // After x's end: x owes 6 more, y 2; both then leave the balance.
    w.advance_to(4_000);
    w.withdraw_ok(a, fil(8));
    assert_eq!(w.balance_of(a.miner), ProviderBalance::default());
    assert_eq!(w.claim_of(cx.claim_id).paid, fil(12));
    assert_eq!(w.claim_of(cy.claim_id).paid, fil(6));
    // An address that is not an actor is refused; a key address resolves.
    let (market, stranger) = (w.market(), w.stranger);
    let unknown = Address::new_id(999_999);
    let r = w.send(stranger, |h, from| {
        h.call(
            from,
            market,
            METHOD_GET_PROVIDER_BALANCE,
            &ProviderParams { provider: unknown },
            zero(),
        )
    });
    // An ID address always resolves: no claims, an empty balance.
    assert_eq!(r.ret::<ProviderBalance>().unwrap(), ProviderBalance::default());
    let r = w.send(stranger, |h, from| {
        h.call(
            from,
            market,
            METHOD_GET_PROVIDER_BALANCE,
            &ProviderParams {
                provider: integration_tests::harness::key_address(424_242),
            },
            zero(),
        )
    });
    w.refused(&r, ExitCode::USR_NOT_FOUND);
}

#[test]
fn list_bounties_pages_through_all_by_client_and_by_piece() {
    let mut w = World::new();
    let (client, client2, stranger) = (w.client, w.client2, w.stranger);
    // client: pieces 1, 1, 2, 3, 1 (ids 0-4); client2: pieces 1, 4 (ids 5, 6).
    for seed in [1u8, 1, 2, 3, 1] {
        w.post_ok(&PostBountyParams {
            replicas: 1,
            ..bounty(seed)
        });
    }
    for seed in [1u8, 4] {
        w.post_by(
            client2,
            &PostBountyParams {
                replicas: 1,
                ..bounty(seed)
            },
        );
    }
    let (ids, pages) = w.list_all(None, None, 2);
    assert_eq!(ids, (0..7).collect::<Vec<_>>());
    assert_eq!(pages, vec![2, 2, 2, 1]);
    let (ids, pages) = w.list_all(None, None, 10);
    assert_eq!((ids.len(), pages), (7, vec![7]));
    let (ids, pages) = w.list_all(Some(client.id), None, 2);
    assert_eq!((ids, pages), (vec![0, 1, 2, 3, 4], vec![2, 2, 1]));
    let (ids, _) = w.list_all(Some(client2.id), None, 10);
    assert_eq!(ids, vec![5, 6]);
    let (ids, pages) = w.list_all(None, Some(piece(1)), 3);
    assert_eq!((ids, pages), (vec![0, 1, 4, 5], vec![3, 1]));
    let (ids, _) = w.list_all(None, Some(piece(4)), 3);
    assert_eq!(ids, vec![6]);
    // Client and piece together: the client's pages, other pieces left out.
    let (ids, _) = w.list_all(Some(client.id), Some(piece(1)), 2);
    assert_eq!(ids, vec![0, 1, 4]);
    // Nothing for a client with no bounties or an unknown piece.
    for p in [
        bm::list_params(Some(stranger.id), None, None, 10),
        bm::list_params(None, Some(piece(9)), None, 10),
    ] {
        assert_eq!(
            w.list(&p).unwrap(),
            ListBountiesReturn {
                bounties: vec![],
                next: None,
            }
        );
    }
    // The listing carries the bounties themselves.
    let got = w.list(&bm::list_params(None, Some(piece(3)), None, 10)).unwrap();
    assert_eq!(got.bounties.len(), 1);
    assert_eq!(got.bounties[0].bounty_id, 3);
    assert_eq!(got.bounties[0].bounty, w.bounty(3));
    // Bad pages: limit 0 or above the policy's 10; a cursor that is not in the listing.
    for p in [
        bm::list_params(None, None, None, 0),
        bm::list_params(None, None, None, 11),
        bm::list_params(None, None, Some(99), 2),
        bm::list_params(Some(client2.id), None, Some(0), 2),
        bm::list_params(None, Some(piece(4)), Some(0), 2),
        bm::list_params(Some(stranger.id), None, Some(0), 2),
    ] {
        assert_eq!(w.list(&p), Err(ExitCode::USR_ILLEGAL_ARGUMENT), "{p:?}");
    }
    assert_eq!(w.get_bounty(7), Err(ExitCode::USR_NOT_FOUND));
    assert_eq!(w.get_claim(0), Err(ExitCode::USR_NOT_FOUND));
}

// ---------------------------------------------------------------------------------------------
// 9. Withdraw pages.
// ---------------------------------------------------------------------------------------------

#[test]
fn withdraw_settles_a_page_of_claims_at_a_time() {
    let mut w = World::with_policy(MarketPolicy {
        max_claims_per_withdraw: 1,
        ..market_policy()
    });
    let (a, market) = (w.a, w.market());
    let (x, _) = w.post_ok(&bounty(1));
    let (y, _) = w.post_ok(&bounty(2));
    let dx = w.deal(a, 1, 100, 20_000);
    let dy = w.deal(a, 2, 100, 20_000);
    w.claim_ok(a, x, dx);
    w.claim_ok(a, y, dy);
    // After both ends, each withdraw settles one claim; the first says there is more.
    w.advance_to(4_000);
    let r = w.withdraw(a.control, a.miner).ok().unwrap();
    let ret: WithdrawReturn = r.ret().unwrap();
    assert_eq!((ret.paid.clone(), ret.to, ret.more), (fil(12), a.owner.id, true));
    w.moved(&[(a.owner.id, fil(12)), (market, neg(fil(12)))]);
    w.withdraw_ok(a, fil(12));
    let r = w.withdraw(a.control, a.miner);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
}

#[test]
fn gas_of_each_market_method() {
    let mut w = World::new();
    let (a, b, client) = (w.a, w.b, w.client);
    let (id, r) = w.post_ok(&bounty(1));
    println!("gas: PostBounty = {}", r.gas_used);
    let (gated, r) = w.post_ok(&PostBountyParams {
        min_reputation: Some(4_000),
        allowed_providers: Some(vec![a.miner, b.miner]),
        ..bounty(1)
    });
    println!(
        "gas: PostBounty (min_reputation, allowlist of 2) = {}",
        r.gas_used
    );
    let da = w.deal(a, 1, 100, 20_000);
    let db = w.deal(b, 1, 100, 20_000);
    let da2 = w.deal(a, 1, 100, 20_000);
    let (_, r) = w.claim_ok(a, id, da);
    println!(
        "gas: ClaimBounty (first slot, no sector_location) = {}",
        r.gas_used
    );
    let at = w.location(b, 1);
    let (_, r) = w.claim_by(b.worker, b, id, db, Some(at));
    println!(
        "gas: ClaimBounty (second slot, with sector_location) = {}",
        r.gas_used
    );
    // The same first claim in identical worlds, with and without the location.
    println!(
        "gas: ClaimBounty (first slot, with sector_location) = {}",
        first_claim_gas(true)
    );
    println!(
        "gas: ClaimBounty (first slot, no sector_location) = {}",
        first_claim_gas(false)
    );
    let (_, r) = w.claim_ok(a, gated, da2);
    println!(
        "gas: ClaimBounty (reputation gate, no sector_location) = {}",
        r.gas_used
    );
    w.advance_to(1_000);
    let r = w.withdraw_ok(b, fil(3));
    println!("gas: Withdraw (1 claim) = {}", r.gas_used);
    let r = w.withdraw_ok(a, fil(6));
    println!("gas: Withdraw (2 claims) = {}", r.gas_used);
    let (c, _) = w.post_ok(&bounty(2));
    let r = w.cancel(client, c).ok().unwrap();
    println!("gas: CancelBounty = {}", r.gas_used);
    let r = w.reclaim_ok(c, fil(24));
    println!("gas: Reclaim (after cancel) = {}", r.gas_used);
    // A slash and a release, each with the market's callback.
    w.advance_to(3_000);
    w.terminate_deal(db);
    let r = w.report_ok(1, FaultProof::DealTerminated);
    println!(
        "gas: escrow ReportFault + OnCollateralChanged(Slashed) = {}",
        r.gas_used
    );
    w.advance_to(4_000);
    let r = w.release_ok(0);
    println!(
        "gas: escrow Release + OnCollateralChanged(Released) = {}",
        r.gas_used
    );
    let stranger = w.stranger;
    let market = w.market();
    let r = w.send(stranger, |h, from| {
        h.call(from, market, METHOD_GET_BOUNTY, &IdParams { id }, zero())
    });
    println!("gas: GetBounty = {}", r.gas_used);
}

#[test]
fn a_provider_never_claims_the_same_bounty_twice_even_after_its_claim_ends() {
    let mut w = World::new();
    let (a, b) = (w.a, w.b);
    let (id, _) = w.post_ok(&bounty(1));
    let first = w.deal(a, 1, 100, 20_000);
    let (claim, _) = w.claim_ok(a, id, first);
    // Vesting ends (claim at 0 + 4000): the collateral is released and the claim completes.
    w.advance_to(4_000);
    w.release_ok(claim.lock_id);
    assert_eq!(w.claim_of(claim.claim_id).status, ClaimStatus::Completed);
    // The other slot is still open, but not to a: one replica per provider.
    let second = w.deal(a, 1, 4_100, 20_000);
    let r = w.claim_with(a, id, second);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "already claimed");
    // b takes it.
    let other = w.deal(b, 1, 4_100, 20_000);
    w.claim_ok(b, id, other);
}

#[test]
fn a_slashed_provider_cannot_claim_the_slot_it_lost() {
    let mut w = World::new();
    let (a, b) = (w.a, w.b);
    let (id, _) = w.post_ok(&PostBountyParams {
        replicas: 1,
        ..bounty(1)
    });
    let lost = w.deal(a, 1, 100, 20_000);
    let (claim, _) = w.claim_ok(a, id, lost);
    w.advance_to(1_000);
    w.terminate_deal(lost);
    w.report_ok(claim.lock_id, FaultProof::DealTerminated);
    assert_eq!(w.bounty(id).open_slots, 1, "the slot reopened");
    let again = w.deal(a, 1, 1_100, 20_000);
    let r = w.claim_with(a, id, again);
    w.refused_because(&r, ExitCode::USR_ILLEGAL_STATE, "already claimed");
    let other = w.deal(b, 1, 1_100, 20_000);
    let (taken, _) = w.claim_ok(b, id, other);
    // The reopened slot pays what a left unvested: 12 FIL × 3/4.
    assert_eq!(taken.reward, fil(9));
}

#[test]
fn anyone_may_top_up_a_claims_lock_and_the_extra_follows_the_lock() {
    // Found by the model-based sequences: TopUp is open to anyone, on a claim's lock too, and
    // the books (the claim against its lock) must hold when it is.
    let mut w = World::new();
    let a = w.a;
    let (id, _) = w.post_ok(&bounty(1));
    let deal = w.deal(a, 1, 100, 20_000);
    let (claim, _) = w.claim_ok(a, id, deal);
    let (watcher, escrow) = (w.watcher, w.escrow());
    w.send(watcher, |h, from| {
        EscrowClient::at(escrow).top_up(h, from, claim.lock_id, fil(1))
    })
    .ok()
    .unwrap();
    w.moved(&[(watcher.id, neg(fil(1))), (escrow, fil(1))]);
    assert_eq!(w.lock(claim.lock_id).original, fil(4));
    assert_eq!(w.claim_of(claim.claim_id).collateral, fil(3));
    // At the end the release pays all four to the provider's owner, and the claim completes.
    w.advance_to(4_000);
    w.release_ok(claim.lock_id);
    assert_eq!(w.claim_of(claim.claim_id).status, ClaimStatus::Completed);
}

#[test]
fn withdraw_again_pays_the_claims_beyond_the_first_page_while_they_vest() {
    let mut w = World::with_policy(MarketPolicy {
        max_claims_per_withdraw: 1,
        ..market_policy()
    });
    let a = w.a;
    let (one, _) = w.post_ok(&bounty(1));
    let (two, _) = w.post_ok(&bounty(2));
    let d1 = w.deal(a, 1, 100, 20_000);
    let d2 = w.deal(a, 2, 100, 20_000);
    w.claim_ok(a, one, d1);
    w.claim_ok(a, two, d2);
    // A quarter vested on each claim (3 FIL each); one claim per Withdraw.
    w.advance_to(1_000);
    let first = w.withdraw(a.control, a.miner).ok().unwrap();
    let ret: WithdrawReturn = first.ret().unwrap();
    assert_eq!((ret.paid.clone(), ret.more), (fil(3), true));
    let second = w.withdraw(a.control, a.miner).ok().unwrap();
    let ret2: WithdrawReturn = second.ret().unwrap();
    assert_eq!(ret2.paid, fil(3), "the second call reaches the other claim");
    assert_eq!(w.balance_of(a.miner).withdrawable, fil(0));
    // Both claims are fully paid by the end, however the pages fall.
    w.advance_to(4_000);
    let mut total = TokenAmount::default();
    for _ in 0..4 {
        let r = w.withdraw(a.control, a.miner);
        if !r.is_ok() {
            break;
        }
        total += r.ret::<WithdrawReturn>().unwrap().paid;
    }
    assert_eq!(total, fil(18));
    assert_eq!(w.balance_of(a.miner).open_claims, 0);
}
