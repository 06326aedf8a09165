//! CollateralEscrow on the real FVM: locks made against real (stand-in) deals and sectors,
//! failures proven with the market's and the miner's own answers after the operator drives
//! real lifecycles (deal terminated, sector faulty, recovered, terminated, moved, compacted),
//! slashes paid to the client with the reporter's reward, releases at the end, the reputation
//! registry told of each outcome, locker callbacks that misbehave, bad inputs, events.
//!
//! Every message goes through the shared world core's `send` (`common::Scenario`), which
//! checks every book over the whole state afterwards, every failure at once: the escrow's
//! (`logic::check_invariants` against the escrow's real balance), the registry's, and FIL
//! conserved across every actor and account; every FIL
//! movement is asserted exactly with [`World::moved`], which accounts for the sender's fee.

use super::common::{assert_event, entry, fil, milli, neg, Scenario};
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;
use integration_tests::escrow::{self as esc, deal_evidence, sector_evidence, Suite};
use integration_tests::invariants::Books;
use integration_tests::ledger::Ledger;
use integration_tests::miner::{self, SectorStatusCode, SECTOR_SIZE_32GIB};
use integration_tests::reputation as rep;
use integration_tests::storage_market::{
    deal_proposal, provider_miner, StorageMarketExt, DEFAULT_PIECE_SIZE,
};
use integration_tests::{Account, Harness, Receipt};
use integration_tests::{EscrowClient, MinerClient, ReputationClient, StorageMarketClient};
use suite_interfaces::escrow::*;
use suite_interfaces::reputation::score::{Effect, Evidence};
use suite_interfaces::reputation::{OutcomeCounts, ReputationView, EVENT_REPUTATION_UPDATED};
use test_actor_reentrant_notify as notify;

const NOTIFY_PACKAGE: &str = "test-actor-reentrant-notify";
/// Exit codes of the escrow.
const NOT_PROVEN: ExitCode = ExitCode::new(EX_NOT_PROVEN);
const STALE_LOCATION: ExitCode = ExitCode::new(EX_STALE_LOCATION);
const FAULT_COOLDOWN: ExitCode = ExitCode::new(EX_FAULT_COOLDOWN);

/// The test policy: 5% reporter reward, 10% fault fee, one proving period of cooldown,
/// at least 1 milliFIL per lock.
fn policy() -> Policy {
    Policy {
        reporter_reward_bps: 500,
        fault_fee_bps: 1_000,
        fault_cooldown: DEFAULT_FAULT_COOLDOWN,
        min_collateral: milli(1),
        max_lock_duration: 3 * 1_051_200,
    }
}

/// The reporter's share of a slash under [`policy`] (5%, rounded down).
fn reward_of(slashed: &TokenAmount) -> TokenAmount {
    TokenAmount::from_atto(slashed.atto() * 500u64 / 10_000u64)
}

fn loc(deadline: i64, partition: i64) -> SectorLocation {
    SectorLocation { deadline, partition }
}

struct World {
    h: Harness,
    admin: Account,
    client: Account,
    owner: Account,
    watcher: Account,
    stranger: Account,
    /// A miner owned and worked by `owner`.
    miner: ActorID,
    suite: Suite,
    ledger: Ledger,
}

impl World {
    fn new() -> Self {
        Self::with_policy(policy())
    }

    fn with_policy(policy: Policy) -> Self {
        let mut h = Harness::new().unwrap();
        let [admin, client, owner, watcher, stranger] = [0; 5].map(|_| h.create_account(fil(1_000)).unwrap());
        let miner = provider_miner(&mut h, &owner).unwrap();
        let suite = esc::deploy(&mut h, &admin, &admin, policy).unwrap();
        let tracked = vec![
            admin.id,
            client.id,
            owner.id,
            watcher.id,
            stranger.id,
            miner,
            suite.escrow,
            suite.reputation,
        ];
        let mut w = Self {
            h,
            admin,
            client,
            owner,
            watcher,
            stranger,
            miner,
            suite,
            ledger: Ledger::new(tracked, vec![suite.escrow, suite.reputation]),
        };
        w.books();
        w
    }

    fn escrow(&self) -> ActorID {
        self.suite.escrow
    }

    // --- escrow messages ---

    fn lock_as(&mut self, from: Account, p: &LockParams, value: TokenAmount) -> Receipt {
        let escrow = self.escrow();
        self.send(from, |h, a| EscrowClient::at(escrow).lock(h, a, p, value))
    }

    /// A lock by the owner that must succeed; checks the FIL moved; returns its id and receipt.
    fn lock_ok(&mut self, p: &LockParams, value: TokenAmount) -> (u64, Receipt) {
        let owner = self.owner;
        let r = self.lock_as(owner, p, value.clone()).ok().unwrap();
        self.moved(&[(owner.id, neg(value.clone())), (self.escrow(), value)]);
        (esc::lock_id(&r).unwrap(), r)
    }

    fn top_up(&mut self, from: Account, lock_id: u64, value: TokenAmount) -> Receipt {
        let escrow = self.escrow();
        self.send(from, |h, a| EscrowClient::at(escrow).top_up(h, a, lock_id, value))
    }

    fn report(&mut self, from: Account, lock_id: u64, proof: FaultProof) -> Receipt {
        let escrow = self.escrow();
        self.send(from, |h, a| {
            EscrowClient::at(escrow).report_fault(h, a, lock_id, proof)
        })
    }

    /// A report by the watcher that must slash `slashed`: checks the return and that the
    /// client got the compensation, the watcher the reward, and the escrow paid both.
    fn report_ok(
        &mut self,
        lock_id: u64,
        proof: FaultProof,
        slashed: TokenAmount,
    ) -> (ReportFaultReturn, Receipt) {
        let watcher = self.watcher;
        let lock = self.lock(lock_id);
        let r = self.report(watcher, lock_id, proof).ok().unwrap();
        let ret: ReportFaultReturn = r.ret().unwrap();
        let reward = reward_of(&slashed);
        let compensation = &slashed - &reward;
        assert_eq!(
            ret,
            ReportFaultReturn {
                slashed: slashed.clone(),
                reporter_reward: reward.clone(),
                compensation: compensation.clone(),
                remaining: &lock.remaining - &slashed,
            }
        );
        self.moved(&[
            (lock.beneficiary, compensation),
            (watcher.id, reward),
            (self.escrow(), neg(slashed)),
        ]);
        (ret, r)
    }

    fn release(&mut self, from: Account, lock_id: u64) -> Receipt {
        let escrow = self.escrow();
        self.send(from, |h, a| EscrowClient::at(escrow).release(h, a, lock_id))
    }

    /// A release by the stranger that must pay the lock's remainder back to `refund_to`.
    fn release_ok(&mut self, lock_id: u64) -> Receipt {
        let stranger = self.stranger;
        let lock = self.lock(lock_id);
        let r = self.release(stranger, lock_id).ok().unwrap();
        assert!(r.return_data.is_empty());
        self.moved(&[
            (lock.refund_to, lock.remaining.clone()),
            (self.escrow(), neg(lock.remaining)),
        ]);
        r
    }

    fn get_lock(&mut self, lock_id: u64) -> Result<GetLockReturn, ExitCode> {
        let got = EscrowClient::at(self.escrow())
            .get_lock(&mut self.h, lock_id)
            .unwrap();
        self.books();
        got
    }

    fn lock(&mut self, lock_id: u64) -> Lock {
        let got = self.get_lock(lock_id).unwrap();
        assert_eq!(got.lock_id, lock_id);
        got.lock
    }

    fn totals(&mut self) -> Totals {
        let got = EscrowClient::at(self.escrow())
            .totals(&mut self.h)
            .unwrap()
            .unwrap();
        self.books();
        got
    }

    // --- reputation ---

    fn reputation(&mut self, provider: ActorID) -> Option<ReputationView> {
        let registry = self.suite.reputation;
        let view = ReputationClient::at(registry)
            .reputation(&mut self.h, Address::new_id(provider))
            .unwrap();
        self.books();
        match view {
            Ok(v) => Some(v),
            Err(c) => {
                assert_eq!(c, ExitCode::USR_NOT_FOUND);
                None
            }
        }
    }

    fn counts(&mut self, provider: ActorID) -> OutcomeCounts {
        self.reputation(provider)
            .map(|v| v.record.counts)
            .unwrap_or_default()
    }

    // --- the chain: deals and sectors, driven by the operator ---

    fn add_sector(&mut self, n: SectorNumber, deadline: u64, partition: u64, expiration: ChainEpoch) {
        let miner = self.miner;
        self.quiet(|h| miner::add_sector(h, miner, n, deadline, partition, expiration))
            .ok()
            .unwrap();
    }

    /// Publishes a deal between the client and `provider` for [start, end) and activates it
    /// now in `sector`.
    fn deal_of(
        &mut self,
        provider: ActorID,
        start: ChainEpoch,
        end: ChainEpoch,
        seed: u8,
        sector: SectorNumber,
    ) -> DealID {
        let p = deal_proposal(self.client.id, provider, start, end, seed);
        let id = self.h.publish_deal(&p).unwrap();
        self.books();
        self.h.activate_deal(id, sector).unwrap();
        self.books();
        id
    }

    fn deal(&mut self, start: ChainEpoch, end: ChainEpoch, seed: u8, sector: SectorNumber) -> DealID {
        self.deal_of(self.miner, start, end, seed, sector)
    }

    fn terminate_deal(&mut self, deal: DealID) {
        self.quiet(|h| h.terminate_deal(deal));
    }

    /// The market answers 32 (EX_DEAL_EXPIRED) for the deal: it forgot it.
    fn assert_deal_gone(&mut self, deal: DealID) {
        assert_eq!(
            StorageMarketClient::new()
                .deal_activation(&mut self.h, deal)
                .unwrap(),
            Err(ExitCode::new(32))
        );
        self.books();
    }

    /// What the miner itself answers to `ValidateSectorStatus`.
    fn validate(
        &mut self,
        n: SectorNumber,
        status: SectorStatusCode,
        at: SectorLocation,
    ) -> Result<bool, ExitCode> {
        let at = miner::SectorLocation {
            deadline: at.deadline,
            partition: at.partition,
        };
        let got = MinerClient::at(self.miner)
            .validate_sector_status(&mut self.h, n, status, at)
            .unwrap();
        self.books();
        got
    }

    fn fault(&mut self, n: SectorNumber) {
        let miner = self.miner;
        self.quiet(|h| miner::fault_sector(h, miner, n)).ok().unwrap();
    }

    /// The provider stops proving the sector: its deadline's next window passes without a proof.
    fn stop_proving(&mut self, n: SectorNumber) {
        let miner = self.miner;
        self.quiet(|h| miner::stop_proving(h, miner, n)).ok().unwrap();
    }

    fn resume_proving(&mut self, n: SectorNumber) {
        let miner = self.miner;
        self.quiet(|h| miner::resume_proving(h, miner, n)).ok().unwrap();
    }

    /// `DeclareFaultsRecovered` from the owner (a controlling address) for the sector at `at`.
    fn declare_recovered(&mut self, n: SectorNumber, at: SectorLocation) {
        let (owner, miner) = (self.owner, self.miner);
        let declaration = vec![miner::FaultDeclaration {
            deadline: at.deadline as u64,
            partition: at.partition as u64,
            sectors: vec![n],
        }];
        self.quiet(|h| miner::declare_faults_recovered(h, &owner, miner, declaration))
            .ok()
            .unwrap();
    }

    /// Advances past the end of the challenge window of `deadline` that ends at or after now.
    fn advance_past_window(&mut self, deadline: u64) {
        let end = miner::window_end(deadline, self.h.epoch());
        self.advance_to(end + 1);
    }

    fn terminate_sector(&mut self, n: SectorNumber) -> Receipt {
        let miner = self.miner;
        self.quiet(|h| miner::terminate_sector(h, miner, n)).ok().unwrap()
    }

    fn location(&mut self, n: SectorNumber) -> (SectorStatusCode, SectorLocation) {
        let (status, l) = MinerClient::at(self.miner)
            .sector_location(&mut self.h, n)
            .unwrap()
            .unwrap();
        self.books();
        (status, loc(l.deadline, l.partition))
    }

    /// Lock params: provider = the miner, beneficiary = the client, refund to the owner.
    fn params(&self, evidence: EvidenceParams, end: ChainEpoch) -> LockParams {
        esc::lock_params(self.miner, self.client.id, self.owner.id, evidence, end)
    }

    fn deploy_notify(&mut self, mode: notify::Mode, proof: Option<FaultProof>) -> ActorID {
        let admin = self.admin;
        let p = notify::ConstructorParams {
            escrow: self.escrow(),
            mode,
            proof,
        };
        let id = self.h.deploy(&admin, NOTIFY_PACKAGE, &p).unwrap();
        self.books();
        self.track(id);
        id
    }

    fn notify_state(&self, id: ActorID) -> notify::State {
        self.h.state(id).unwrap()
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
            market: None,
            escrow: Some(self.suite.escrow),
            registry: Some(self.suite.reputation),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Events
// ---------------------------------------------------------------------------------------------

fn slashed_event(
    lock: u64,
    provider: ActorID,
    kind: CollateralChange,
    amount: &TokenAmount,
    reporter: ActorID,
    beneficiary: ActorID,
    remaining: &TokenAmount,
) -> Vec<(String, bool, Vec<u8>)> {
    let reward = reward_of(amount);
    vec![
        entry("lock", true, &lock),
        entry("provider", true, &provider),
        entry("kind", false, &kind),
        entry("amount", false, amount),
        entry("reporter", false, &reporter),
        entry("reward", false, &reward),
        entry("beneficiary", false, &beneficiary),
        entry("remaining", false, remaining),
    ]
}

// ---------------------------------------------------------------------------------------------
// 1. A deal slashed mid-term, then reported.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_deal_terminated_mid_term_is_slashed_to_the_client_with_a_reward_for_the_reporter() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let deal = w.deal(10, 10_000, 1, 1);
    let p = w.params(deal_evidence(deal), 10_000);
    let (id, r) = w.lock_ok(&p, fil(10));
    println!("gas: Lock (deal evidence) = {}", r.gas_used);
    let (escrow, miner, client, owner) = (w.escrow(), w.miner, w.client, w.owner);
    assert_eq!(w.h.balance(escrow).unwrap(), fil(10));

    // The lock keeps a durable snapshot of the deal as the market reported it.
    let lock = w.lock(id);
    assert_eq!(
        lock,
        Lock {
            locker: owner.id,
            provider: miner,
            beneficiary: client.id,
            refund_to: owner.id,
            deal: Some(DealSnapshot {
                deal_id: deal,
                piece_cid: stand_in_market::piece_cid([1; 32]),
                piece_size: DEFAULT_PIECE_SIZE,
                start_epoch: 10,
                end_epoch: 10_000,
                activated: 0,
            }),
            sector: None,
            created_at: 0,
            end_epoch: 10_000,
            notify: None,
            reference: None,
            original: fil(10),
            remaining: fil(10),
            slashed: TokenAmount::default(),
            released: TokenAmount::default(),
            faults_charged: 0,
            last_fault_fee_at: None,
            status: LockStatus::Open,
        }
    );

    // Mid-term, the operator (the chain) terminates the deal: the market forgets it.
    w.advance_to(500);
    w.terminate_deal(deal);
    w.assert_deal_gone(deal);

    let (_, r) = w.report_ok(id, FaultProof::DealTerminated, fil(10));
    println!("gas: ReportFault DealTerminated (slash all) = {}", r.gas_used);
    assert_eq!(w.h.balance(escrow).unwrap(), TokenAmount::default());
    let lock = w.lock(id);
    assert_eq!(lock.status, LockStatus::Slashed);
    assert_eq!((lock.remaining, lock.slashed), (TokenAmount::default(), fil(10)));
    assert_eq!(r.events_of(EVENT_REPUTATION_UPDATED).len(), 1);
    assert_eq!(r.events_of(EVENT_REPUTATION_FAILED).len(), 0);
    assert_eq!(
        w.counts(miner),
        OutcomeCounts {
            slashes: 1,
            ..Default::default()
        }
    );

    // The same report again: the lock is settled, nothing moves, nothing is recorded twice.
    let watcher = w.watcher;
    let r = w.report(watcher, id, FaultProof::DealTerminated);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let stranger = w.stranger;
    let r = w.report(stranger, id, FaultProof::DealTerminated);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    // Nor can it be released at its end.
    w.advance_to(10_000);
    let r = w.release(stranger, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    assert_eq!(w.counts(miner).slashes, 1);
    let t = w.totals();
    assert_eq!(
        t,
        Totals {
            held: TokenAmount::default(),
            locked_total: fil(10),
            slashed_total: fil(10),
            reporter_rewards_total: milli(500),
            released_total: TokenAmount::default(),
            locks_created: 1,
            locks_open: 0,
        }
    );
}

#[test]
fn a_deal_lost_with_its_terminated_sector_is_slashed_and_settles_once() {
    let mut w = World::new();
    w.add_sector(2, 3, 1, 100_000);
    let deal = w.deal(10, 20_000, 2, 2);
    // Both deal and sector as evidence.
    let p = w.params(
        EvidenceParams {
            deal: Some(deal),
            sector: Some(2),
            sector_location: None,
        },
        20_000,
    );
    let (id, _) = w.lock_ok(&p, fil(4));
    assert_eq!(
        w.lock(id).sector,
        Some(SectorSnapshot {
            sector_number: 2,
            sector_size: SECTOR_SIZE_32GIB,
            expiration: 100_000,
        })
    );
    w.advance_to(1_000);
    // The operator terminates the sector: the miner tells the market, which deletes the deal.
    let r = w.terminate_sector(2);
    assert_eq!(r.events_of("deal-terminated").len(), 1);
    w.assert_deal_gone(deal);

    w.report_ok(id, FaultProof::DealTerminated, fil(4));
    assert_eq!(w.lock(id).status, LockStatus::Slashed);
    // The sector's death is the same failure: the settled lock pays nothing more.
    let watcher = w.watcher;
    let r = w.report(watcher, id, FaultProof::SectorDead(loc(3, 1)));
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let r = w.report(watcher, id, FaultProof::DealTerminated);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let miner = w.miner;
    assert_eq!(w.counts(miner).slashes, 1);
}

// ---------------------------------------------------------------------------------------------
// 2. A sector faulted: fault fees, cooldown, recovery.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_faulty_sector_pays_a_fault_fee_once_per_cooldown_and_one_whose_recovery_is_proven_nothing() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let p = w.params(sector_evidence(1), 50_000);
    let (id, r) = w.lock_ok(&p, fil(10));
    println!("gas: Lock (sector evidence) = {}", r.gas_used);
    let (watcher, miner) = (w.watcher, w.miner);

    // Active: no fault to prove.
    w.advance_to(100);
    let r = w.report(watcher, id, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, NOT_PROVEN);

    // Faulty: a fee of 10% of the original collateral.
    w.fault(1);
    let (ret, r) = w.report_ok(id, FaultProof::SectorFaulty(loc(0, 0)), fil(1));
    println!("gas: ReportFault SectorFaulty (fault fee) = {}", r.gas_used);
    assert_eq!(ret.remaining, fil(9));
    let lock = w.lock(id);
    assert_eq!(lock.status, LockStatus::Open);
    assert_eq!((lock.faults_charged, lock.last_fault_fee_at), (1, Some(100)));
    assert_eq!(
        (&lock.original, &lock.remaining, &lock.slashed),
        (&fil(10), &fil(9), &fil(1))
    );
    assert_eq!(
        w.counts(miner),
        OutcomeCounts {
            faults: 1,
            ..Default::default()
        }
    );

    // Again inside the cooldown: 34, up to its last epoch.
    let r = w.report(watcher, id, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, FAULT_COOLDOWN);
    w.advance_to(100 + DEFAULT_FAULT_COOLDOWN - 1);
    let r = w.report(watcher, id, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, FAULT_COOLDOWN);

    // Past the cooldown, still faulty: a second fee, again 10% of the original.
    w.advance_to(100 + DEFAULT_FAULT_COOLDOWN);
    let (ret, _) = w.report_ok(id, FaultProof::SectorFaulty(loc(0, 0)), fil(1));
    assert_eq!(ret.remaining, fil(8));
    let lock = w.lock(id);
    assert_eq!(
        (lock.faults_charged, lock.last_fault_fee_at),
        (2, Some(100 + DEFAULT_FAULT_COOLDOWN))
    );
    // The registry counts a fault once per (provider, sector).
    assert_eq!(w.counts(miner).faults, 1);

    // A faulty sector is not dead.
    let r = w.report(watcher, id, FaultProof::SectorDead(loc(0, 0)));
    w.refused(&r, NOT_PROVEN);

    // Its recovery is declared: still Faulty, inside the cooldown still 34.
    w.declare_recovered(1, loc(0, 0));
    assert_eq!(w.location(1), (SectorStatusCode::Faulty, loc(0, 0)));
    let r = w.report(watcher, id, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, FAULT_COOLDOWN);
    // The recovery is proven at its next window: Active; after the cooldown 32 and no fee.
    w.advance_past_window(0);
    assert_eq!(w.location(1), (SectorStatusCode::Active, loc(0, 0)));
    w.advance_to(100 + 2 * DEFAULT_FAULT_COOLDOWN + 1);
    let r = w.report(watcher, id, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, NOT_PROVEN);

    // At the end the remainder goes back to the provider side.
    w.advance_to(50_000);
    w.release_ok(id);
    let lock = w.lock(id);
    assert_eq!(lock.status, LockStatus::Released);
    assert_eq!((&lock.slashed, &lock.released), (&fil(2), &fil(8)));
    assert_eq!(
        w.counts(miner),
        OutcomeCounts {
            faults: 1,
            completed: 1,
            ..Default::default()
        }
    );
}

#[test]
fn a_missed_window_faults_without_a_declaration_and_an_unproven_recovery_pays_again() {
    let mut w = World::new();
    w.add_sector(1, 2, 0, 200_000);
    let p = w.params(sector_evidence(1), 100_000);
    let (id, _) = w.lock_ok(&p, fil(10));
    let watcher = w.watcher;

    // The provider stops proving; nobody declares anything. Active until deadline 2's
    // window (epochs 120–179) is over.
    w.stop_proving(1);
    w.advance_to(miner::window_end(2, 0));
    let r = w.report(watcher, id, FaultProof::SectorFaulty(loc(2, 0)));
    w.refused(&r, NOT_PROVEN);
    w.advance_past_window(2);
    assert_eq!(w.location(1), (SectorStatusCode::Faulty, loc(2, 0)));
    w.report_ok(id, FaultProof::SectorFaulty(loc(2, 0)), fil(1));
    let charged = w.h.epoch();

    // A recovery declared but never proven: Faulty for every getter, also after its next
    // window (the provider still does not prove it).
    w.declare_recovered(1, loc(2, 0));
    assert_eq!(w.location(1), (SectorStatusCode::Faulty, loc(2, 0)));
    assert_eq!(w.validate(1, SectorStatusCode::Faulty, loc(2, 0)), Ok(true));
    assert_eq!(w.validate(1, SectorStatusCode::Active, loc(2, 0)), Ok(false));
    w.advance_past_window(2);
    assert_eq!(w.location(1), (SectorStatusCode::Faulty, loc(2, 0)));
    // So after the cooldown it is charged again: still not proven.
    w.advance_to(charged + DEFAULT_FAULT_COOLDOWN);
    let (ret, _) = w.report_ok(id, FaultProof::SectorFaulty(loc(2, 0)), fil(1));
    assert_eq!(ret.remaining, fil(8));
    assert_eq!(w.lock(id).faults_charged, 2);

    // Proven again and declared recovered: Active at its next window, nothing to charge.
    w.resume_proving(1);
    w.declare_recovered(1, loc(2, 0));
    w.advance_past_window(2);
    assert_eq!(w.location(1), (SectorStatusCode::Active, loc(2, 0)));
    w.advance_to(w.h.epoch() + DEFAULT_FAULT_COOLDOWN);
    let r = w.report(watcher, id, FaultProof::SectorFaulty(loc(2, 0)));
    w.refused(&r, NOT_PROVEN);
}

#[test]
fn a_sector_unproven_for_forty_two_periods_dies_with_its_deal_and_both_proofs_slash() {
    let mut w = World::new();
    w.add_sector(2, 3, 0, 400_000);
    let deal = w.deal(10, 300_000, 2, 2);
    let both = EvidenceParams {
        deal: Some(deal),
        sector: Some(2),
        sector_location: None,
    };
    let p = w.params(both, 200_000);
    let (by_deal, _) = w.lock_ok(&p, fil(4));
    let p = w.params(sector_evidence(2), 200_000);
    let (by_sector, _) = w.lock_ok(&p, fil(3));

    w.stop_proving(2);
    w.advance_past_window(3);
    assert_eq!(w.location(2), (SectorStatusCode::Faulty, loc(3, 0)));
    // FAULT_MAX_AGE after the missed window the deadline cron terminates it: before, the deal
    // is alive and the sector not dead.
    let expiry = miner::window_end(3, 0) + miner::FAULT_MAX_AGE;
    w.advance_to(expiry);
    let watcher = w.watcher;
    let r = w.report(watcher, by_deal, FaultProof::DealTerminated);
    w.refused(&r, NOT_PROVEN);
    let r = w.report(watcher, by_sector, FaultProof::SectorDead(loc(3, 0)));
    w.refused(&r, NOT_PROVEN);
    w.advance_to(expiry + 1);
    assert_eq!(w.location(2), (SectorStatusCode::Dead, loc(3, 0)));
    w.assert_deal_gone(deal);
    w.report_ok(by_deal, FaultProof::DealTerminated, fil(4));
    w.report_ok(by_sector, FaultProof::SectorDead(loc(3, 0)), fil(3));
    assert_eq!(w.lock(by_deal).status, LockStatus::Slashed);
    assert_eq!(w.lock(by_sector).status, LockStatus::Slashed);
    let miner = w.miner;
    assert_eq!(w.counts(miner).slashes, 2);
}

#[test]
fn fault_fees_that_empty_a_lock_settle_it_as_slashed() {
    let mut w = World::with_policy(Policy {
        fault_fee_bps: 4_000,
        fault_cooldown: 10,
        ..policy()
    });
    w.add_sector(1, 0, 0, 100_000);
    let p = w.params(sector_evidence(1), 50_000);
    let (id, _) = w.lock_ok(&p, fil(10));
    w.fault(1);
    // 40% of the original twice, then only what remains.
    for (epoch, fee) in [(1, fil(4)), (11, fil(4)), (21, fil(2))] {
        w.advance_to(epoch);
        let (_, r) = w.report_ok(id, FaultProof::SectorFaulty(loc(0, 0)), fee.clone());
        let lock = w.lock(id);
        let kind = if lock.remaining.is_zero() {
            CollateralChange::Slashed
        } else {
            CollateralChange::FaultFee
        };
        let (miner, watcher, client) = (w.miner, w.watcher.id, w.client.id);
        assert_event(
            &r,
            EVENT_SLASHED,
            w.escrow(),
            &slashed_event(id, miner, kind, &fee, watcher, client, &lock.remaining),
        );
    }
    let lock = w.lock(id);
    assert_eq!(lock.status, LockStatus::Slashed);
    assert_eq!(lock.faults_charged, 3);
    assert_eq!(w.totals().locks_open, 0);
    w.advance_to(31);
    let watcher = w.watcher;
    let r = w.report(watcher, id, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    w.advance_to(50_000);
    let stranger = w.stranger;
    let r = w.release(stranger, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
}

// ---------------------------------------------------------------------------------------------
// 3. A dead sector.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_sector_terminated_before_the_end_forfeits_everything_also_after_compaction() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    w.add_sector(2, 7, 3, 100_000);
    let p = w.params(sector_evidence(1), 50_000);
    let (a, _) = w.lock_ok(&p, fil(10));
    let p = w.params(sector_evidence(2), 50_000);
    let (b, _) = w.lock_ok(&p, fil(6));
    let (watcher, miner) = (w.watcher, w.miner);

    // Alive: not dead.
    w.advance_to(1_000);
    let r = w.report(watcher, a, FaultProof::SectorDead(loc(0, 0)));
    w.refused(&r, NOT_PROVEN);

    w.terminate_sector(1);
    assert_eq!(w.location(1), (SectorStatusCode::Dead, loc(0, 0)));
    // Terminated is not faulty.
    let r = w.report(watcher, a, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, NOT_PROVEN);
    // Before compaction the sector is still in its partition: the miner answers 17 to (-1,-1),
    // which the escrow reports as a stale location.
    assert_eq!(
        w.validate(1, SectorStatusCode::Dead, loc(-1, -1)),
        Err(ExitCode::USR_NOT_FOUND)
    );
    let r = w.report(watcher, a, FaultProof::SectorDead(loc(-1, -1)));
    w.refused(&r, STALE_LOCATION);
    let (_, r) = w.report_ok(a, FaultProof::SectorDead(loc(0, 0)), fil(10));
    println!("gas: ReportFault SectorDead (slash all) = {}", r.gas_used);
    assert_eq!(w.lock(a).status, LockStatus::Slashed);
    assert_eq!(w.counts(miner).slashes, 1);

    // Sector 2 dies and compaction removes it: the miner no longer knows where it was.
    w.terminate_sector(2);
    w.quiet(|h| miner::compact_sector(h, miner, 2)).ok().unwrap();
    assert_eq!(w.location(2), (SectorStatusCode::Dead, loc(-1, -1)));
    assert_eq!(
        w.validate(2, SectorStatusCode::Dead, loc(7, 3)),
        Err(ExitCode::USR_NOT_FOUND)
    );
    assert_eq!(w.validate(2, SectorStatusCode::Dead, loc(-1, -1)), Ok(true));
    w.books();
    let r = w.report(watcher, b, FaultProof::SectorDead(loc(7, 3)));
    w.refused(&r, STALE_LOCATION);
    let r = w.report(watcher, b, FaultProof::SectorFaulty(loc(-1, -1)));
    w.refused(&r, NOT_PROVEN);
    let (_, r) = w.report_ok(b, FaultProof::SectorDead(loc(-1, -1)), fil(6));
    println!(
        "gas: ReportFault SectorDead at (-1,-1) after compaction = {}",
        r.gas_used
    );
    assert_eq!(w.lock(b).status, LockStatus::Slashed);
    // Two sectors lost, two slashes.
    assert_eq!(w.counts(miner).slashes, 2);
    assert_eq!(w.h.balance(w.escrow()).unwrap(), TokenAmount::default());
}

// ---------------------------------------------------------------------------------------------
// 4. Stale locations.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_stale_location_is_never_evidence() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let p = w.params(sector_evidence(1), 50_000);
    let (id, _) = w.lock_ok(&p, fil(10));
    let (watcher, miner) = (w.watcher, w.miner);
    w.advance_to(10);
    w.fault(1);
    // Compaction moves the faulty sector.
    w.quiet(|h| miner::move_sector(h, miner, 1, 5, 2)).ok().unwrap();
    assert_eq!(w.location(1), (SectorStatusCode::Faulty, loc(5, 2)));
    let r = w.report(watcher, id, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, STALE_LOCATION);
    // A location the miner refuses outright (out of range, half -1) is a bad argument.
    for bad in [loc(48, 0), loc(-1, 0), loc(0, -1)] {
        let r = w.report(watcher, id, FaultProof::SectorFaulty(bad));
        w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    }
    // At the fresh location the fault is proven.
    w.report_ok(id, FaultProof::SectorFaulty(loc(5, 2)), fil(1));

    // It dies where it now is; the old location is stale for death too.
    w.terminate_sector(1);
    let r = w.report(watcher, id, FaultProof::SectorDead(loc(0, 0)));
    w.refused(&r, STALE_LOCATION);
    w.report_ok(id, FaultProof::SectorDead(loc(5, 2)), fil(9));
    assert_eq!(w.lock(id).status, LockStatus::Slashed);
}

// ---------------------------------------------------------------------------------------------
// 5. Normal completion.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_deal_kept_to_the_end_releases_the_collateral_back_to_the_provider_side() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let deal = w.deal(10, 5_000, 1, 1);
    // The deal and its sector: after the deal is settled, the live sector shows it completed.
    let evidence = EvidenceParams {
        sector: Some(1),
        ..deal_evidence(deal)
    };
    let p = w.params(evidence, 5_000);
    let (id, _) = w.lock_ok(&p, fil(10));
    let (stranger, watcher, miner) = (w.stranger, w.watcher, w.miner);

    w.advance_to(4_999);
    let r = w.release(stranger, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let owner = w.owner;
    let r = w.release(owner, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);

    // At the end the deal is over: no report can slash it (the market still knows it, and
    // the lock has ended either way).
    w.advance_to(5_000);
    let r = w.report(watcher, id, FaultProof::DealTerminated);
    w.refused(&r, NOT_PROVEN);
    // The market settles the deal (forgets it): still not a slash.
    w.quiet(|h| h.settle_deal(deal));
    w.assert_deal_gone(deal);
    let r = w.report(watcher, id, FaultProof::DealTerminated);
    w.refused(&r, NOT_PROVEN);

    // Anyone releases; refund_to gets everything back.
    let r = w.release_ok(id);
    println!("gas: Release = {}", r.gas_used);
    let escrow = w.escrow();
    assert_eq!(w.h.balance(escrow).unwrap(), TokenAmount::default());
    let lock = w.lock(id);
    assert_eq!(lock.status, LockStatus::Released);
    assert_eq!(
        (&lock.released, &lock.slashed),
        (&fil(10), &TokenAmount::default())
    );
    assert_eq!(
        w.counts(miner),
        OutcomeCounts {
            completed: 1,
            ..Default::default()
        }
    );
    assert_event(
        &r,
        EVENT_RELEASED,
        escrow,
        &[
            entry("lock", true, &id),
            entry("provider", true, &miner),
            entry("amount", false, &fil(10)),
            entry("to", false, &owner.id),
            entry("completed", false, &true),
        ],
    );

    // Settled: a second release, a report, a top-up are all refused.
    let r = w.release(stranger, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let r = w.release(owner, id);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let r = w.report(watcher, id, FaultProof::DealTerminated);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let r = w.top_up(owner, id, fil(1));
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    assert_eq!(w.counts(miner).completed, 1);
}

/// What the registry holds for `provider`: (completed, slashes, stake completed, stake failed).
fn stakes(view: &Option<ReputationView>) -> (u64, u64, u128, u128) {
    view.as_ref().map_or((0, 0, 0, 0), |v| {
        let r = &v.record;
        (
            r.counts.completed,
            r.counts.slashes,
            r.stake_completed.0,
            r.stake_failed.0,
        )
    })
}

#[test]
fn a_lock_shorter_than_its_deal_earns_only_its_term_and_a_later_termination_changes_nothing() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 2_000_000);
    // A deal of about 200 days, locked for one day.
    let deal = w.deal(10, 600_000, 1, 1);
    let p = w.params(deal_evidence(deal), 2_890);
    let (id, _) = w.lock_ok(&p, fil(1));
    let lock = w.lock(id);
    let term = (lock.end_epoch - lock.created_at) as u128;
    w.advance_to(2_890);
    w.release_ok(id);
    let miner = w.miner;
    let view = w.reputation(miner);
    let piece = DEFAULT_PIECE_SIZE as u128;
    assert_eq!(
        stakes(&view),
        (1, 0, piece * term, 0),
        "credit for the lock's term only"
    );
    let earned = Evidence::default()
        .add(2_890, Effect::Success, piece * term)
        .score(2_890);
    let score = view.unwrap().score;
    assert_eq!(score, earned);
    let whole_deal = Evidence::default()
        .add(2_890, Effect::Success, piece * 599_990)
        .score(2_890);
    assert!(score <= whole_deal);
    // The deal is terminated after the lock was released: the lock is settled, so it is no
    // evidence, and the score is what the lock earned.
    w.advance_to(10_000);
    w.terminate_deal(deal);
    w.assert_deal_gone(deal);
    let watcher = w.watcher;
    let r = w.report(watcher, id, FaultProof::DealTerminated);
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    let view = w.reputation(miner);
    assert_eq!(stakes(&view), (1, 0, piece * term, 0));
    assert!(view.unwrap().score <= earned);
}

#[test]
fn storage_lost_during_a_lock_and_never_reported_earns_no_completion() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 2_000_000);
    w.add_sector(2, 0, 0, 2_000_000);
    let deal = w.deal(10, 600_000, 1, 1);
    let p = w.params(deal_evidence(deal), 5_000);
    let (by_deal, _) = w.lock_ok(&p, fil(1));
    let p = w.params(sector_evidence(2), 5_000);
    let (by_sector, _) = w.lock_ok(&p, fil(1));
    // Both storages go early and nobody reports it before the locks end.
    w.advance_to(1_000);
    w.terminate_deal(deal);
    w.terminate_sector(2);
    w.advance_to(5_000);
    let escrow = w.escrow();
    let (miner, owner) = (w.miner, w.owner);
    for id in [by_deal, by_sector] {
        // The collateral goes back (the slash window has closed) …
        let r = w.release_ok(id);
        assert_event(
            &r,
            EVENT_RELEASED,
            escrow,
            &[
                entry("lock", true, &id),
                entry("provider", true, &miner),
                entry("amount", false, &fil(1)),
                entry("to", false, &owner.id),
                entry("completed", false, &false),
            ],
        );
        // … and the registry is told nothing.
        assert!(r.events_of(EVENT_REPUTATION_UPDATED).is_empty());
    }
    assert_eq!(stakes(&w.reputation(miner)), (0, 0, 0, 0));
}

#[test]
fn a_deal_settled_at_its_end_completes_only_where_a_live_sector_vouches_for_it() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 2_000_000);
    let with_sector = w.deal(10, 5_000, 1, 1);
    let deal_only = w.deal(10, 5_000, 2, 1);
    let evidence = EvidenceParams {
        sector: Some(1),
        ..deal_evidence(with_sector)
    };
    let p = w.params(evidence, 5_000);
    let (a, _) = w.lock_ok(&p, fil(1));
    let p = w.params(deal_evidence(deal_only), 5_000);
    let (b, _) = w.lock_ok(&p, fil(1));
    w.advance_to(5_000);
    w.quiet(|h| h.settle_deal(with_sector));
    w.quiet(|h| h.settle_deal(deal_only));
    w.release_ok(a);
    w.release_ok(b);
    let miner = w.miner;
    let (completed, ..) = stakes(&w.reputation(miner));
    assert_eq!(
        completed, 1,
        "the deal-only lock cannot tell its settled deal from a lost one"
    );
}

#[test]
fn a_small_lock_reported_first_neither_shrinks_a_loss_nor_adds_to_a_completion() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 2_000_000);
    let deal = w.deal(10, 600_000, 1, 1);
    let p = w.params(deal_evidence(deal), 100_000);
    let (big, _) = w.lock_ok(&p, fil(1));
    let big_term = {
        let l = w.lock(big);
        (l.end_epoch - l.created_at) as u128
    };
    // Just before it drops the deal, the provider's side locks a sliver of it for 10 epochs.
    w.advance_to(50_000);
    let p = w.params(deal_evidence(deal), 50_010);
    let (small, _) = w.lock_ok(&p, fil(1));
    w.terminate_deal(deal);
    w.report_ok(small, FaultProof::DealTerminated, fil(1));
    let miner = w.miner;
    let piece = DEFAULT_PIECE_SIZE as u128;
    assert_eq!(stakes(&w.reputation(miner)), (0, 1, 0, piece * 10));
    w.report_ok(big, FaultProof::DealTerminated, fil(1));
    assert_eq!(
        stakes(&w.reputation(miner)),
        (0, 1, 0, piece * big_term),
        "the loss weighs the larger lock, counted once"
    );
}

#[test]
fn a_lock_may_end_before_its_deal_and_a_sector_after_its_lock() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 9_000);
    let deal = w.deal(10, 8_000, 1, 1);
    // Ends halfway through the deal.
    let p = w.params(deal_evidence(deal), 4_000);
    let (a, _) = w.lock_ok(&p, fil(3));
    let p = w.params(sector_evidence(1), 4_000);
    let (b, _) = w.lock_ok(&p, fil(2));
    w.advance_to(4_000);
    // The deal is still alive, the sector too; both locks release.
    w.release_ok(a);
    // A sector that dies after the lock's end costs the lock nothing …
    w.terminate_sector(1);
    let watcher = w.watcher;
    let r = w.report(watcher, b, FaultProof::SectorDead(loc(0, 0)));
    w.refused(&r, NOT_PROVEN);
    w.release_ok(b);
    let miner = w.miner;
    // … but, released after the sector died, it earns no completion: the escrow cannot tell
    // when a dead sector died. Only the deal completed.
    assert_eq!(w.counts(miner).completed, 1);
}

// ---------------------------------------------------------------------------------------------
// 6. A live deal is not a fault.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_live_deal_cannot_be_reported() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let deal = w.deal(10, 10_000, 1, 1);
    let p = w.params(deal_evidence(deal), 10_000);
    let (id, _) = w.lock_ok(&p, fil(10));
    let (watcher, client) = (w.watcher, w.client);
    for epoch in [0, 10, 5_000, 9_999] {
        w.advance_to(epoch);
        let r = w.report(watcher, id, FaultProof::DealTerminated);
        w.refused(&r, NOT_PROVEN);
        // The beneficiary itself gets no further.
        let r = w.report(client, id, FaultProof::DealTerminated);
        w.refused(&r, NOT_PROVEN);
    }
    assert_eq!(w.lock(id).remaining, fil(10));
    let miner = w.miner;
    assert_eq!(w.reputation(miner), None, "nothing was reported for the provider");
}

// ---------------------------------------------------------------------------------------------
// 7. Lock validation and unknown locks.
// ---------------------------------------------------------------------------------------------

#[test]
fn bad_locks_are_refused_with_16_and_change_nothing() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    w.add_sector(2, 0, 1, 3_000);
    w.add_sector(3, 0, 2, 10_000_000);
    let deal = w.deal(10, 10_000, 1, 1);
    // A deal published and not activated.
    let pending =
        w.h.publish_deal(&deal_proposal(w.client.id, w.miner, 50, 10_000, 2))
            .unwrap();
    w.books();
    // Another provider's deal.
    let stranger = w.stranger;
    let other = provider_miner(&mut w.h, &stranger).unwrap();
    w.books();
    w.quiet(|h| miner::add_sector(h, other, 1, 0, 0, 100_000))
        .ok()
        .unwrap();
    let foreign = w.deal_of(other, 10, 10_000, 3, 1);
    // A terminated deal.
    let dead = w.deal(10, 10_000, 4, 1);
    w.terminate_deal(dead);
    w.advance_to(5);

    let owner = w.owner;
    let base = w.params(deal_evidence(deal), 10_000);
    let missing = Address::new_id(999_999);
    let cases: Vec<(&str, LockParams, TokenAmount)> = vec![
        (
            "provider is an account, not a miner",
            LockParams {
                provider: w.client.address(),
                ..base.clone()
            },
            fil(1),
        ),
        (
            "provider does not exist",
            LockParams {
                provider: missing,
                ..base.clone()
            },
            fil(1),
        ),
        (
            "deal of another provider",
            w.params(deal_evidence(foreign), 10_000),
            fil(1),
        ),
        (
            "deal not activated",
            w.params(deal_evidence(pending), 10_000),
            fil(1),
        ),
        (
            "deal never published",
            w.params(deal_evidence(77), 10_000),
            fil(1),
        ),
        ("deal terminated", w.params(deal_evidence(dead), 10_000), fil(1)),
        (
            "lock end after the deal's end",
            w.params(deal_evidence(deal), 10_001),
            fil(1),
        ),
        ("end now", w.params(deal_evidence(deal), 5), fil(1)),
        ("end in the past", w.params(deal_evidence(deal), 4), fil(1)),
        ("zero value", base.clone(), TokenAmount::default()),
        (
            "below the minimum collateral",
            base.clone(),
            TokenAmount::from_atto(1),
        ),
        (
            "sector does not exist",
            w.params(sector_evidence(9), 10_000),
            fil(1),
        ),
        (
            "sector expires before the lock's end",
            w.params(sector_evidence(2), 3_001),
            fil(1),
        ),
        (
            "longer than max_lock_duration",
            w.params(sector_evidence(3), 5 + 3 * 1_051_200 + 1),
            fil(1),
        ),
        (
            "no evidence",
            w.params(
                EvidenceParams {
                    deal: None,
                    sector: None,
                    sector_location: None,
                },
                10_000,
            ),
            fil(1),
        ),
        (
            "good deal, missing sector",
            w.params(
                EvidenceParams {
                    deal: Some(deal),
                    sector: Some(9),
                    sector_location: None,
                },
                10_000,
            ),
            fil(1),
        ),
        (
            "beneficiary does not exist",
            LockParams {
                beneficiary: missing,
                ..base.clone()
            },
            fil(1),
        ),
        (
            "refund_to does not exist",
            LockParams {
                refund_to: missing,
                ..base.clone()
            },
            fil(1),
        ),
        (
            "notify does not exist",
            LockParams {
                notify: Some(missing),
                ..base.clone()
            },
            fil(1),
        ),
    ];
    for (case, p, value) in cases {
        let r = w.lock_as(owner, &p, value);
        assert_eq!(
            r.exit_code,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "{case}: {:?}",
            r.failure
        );
        w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    }
    let t = w.totals();
    assert_eq!(t, Totals::default());

    // The base case and the sector expiring exactly at the lock's end are fine.
    w.lock_ok(&base, fil(1));
    let p = w.params(sector_evidence(2), 3_000);
    w.lock_ok(&p, milli(1));
    assert_eq!(w.totals().locks_created, 2);
}

#[test]
fn unknown_locks_wrong_proofs_and_bad_calls_are_refused() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let deal = w.deal(10, 10_000, 1, 1);
    let p = w.params(deal_evidence(deal), 10_000);
    let (by_deal, _) = w.lock_ok(&p, fil(2));
    let p = w.params(sector_evidence(1), 10_000);
    let (by_sector, _) = w.lock_ok(&p, fil(2));
    let (watcher, stranger, owner, escrow) = (w.watcher, w.stranger, w.owner, w.escrow());
    w.fault(1);
    w.terminate_deal(deal);

    // Unknown lock id: 17 everywhere.
    assert_eq!(w.get_lock(99), Err(ExitCode::USR_NOT_FOUND));
    let r = w.release(stranger, 99);
    w.refused(&r, ExitCode::USR_NOT_FOUND);
    let r = w.report(watcher, 99, FaultProof::DealTerminated);
    w.refused(&r, ExitCode::USR_NOT_FOUND);
    let r = w.report(watcher, 99, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, ExitCode::USR_NOT_FOUND);
    let r = w.top_up(owner, 99, fil(1));
    w.refused(&r, ExitCode::USR_NOT_FOUND);

    // A proof that does not fit the evidence: 16, though the other failure is real.
    let r = w.report(watcher, by_deal, FaultProof::SectorFaulty(loc(0, 0)));
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    let r = w.report(watcher, by_deal, FaultProof::SectorDead(loc(0, 0)));
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    let r = w.report(watcher, by_sector, FaultProof::DealTerminated);
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);

    // FIL sent to methods that take none: 26, the transfer rolled back.
    let r = w.send(watcher, |h, a| {
        h.call(
            a,
            escrow,
            METHOD_REPORT_FAULT,
            &ReportFaultParams {
                lock_id: by_deal,
                proof: FaultProof::DealTerminated,
            },
            fil(1),
        )
    });
    w.refused(&r, ExitCode::USR_NOT_PAYABLE);
    let r = w.send(stranger, |h, a| {
        h.call(
            a,
            escrow,
            METHOD_RELEASE,
            &LockIdParams { lock_id: by_deal },
            fil(1),
        )
    });
    w.refused(&r, ExitCode::USR_NOT_PAYABLE);
    let r = w.top_up(owner, by_deal, TokenAmount::default());
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);

    // Malformed params: a proof of an unknown kind, a proof without its location, none at all.
    for raw in [
        vec![0x82, 0x00, 0x81, 0x03], // [0, [3]]
        vec![0x82, 0x00, 0x81, 0x01], // [0, [1]]: SectorFaulty without location
        vec![0x82, 0x00, 0x82, 0x01, 0x80],
    ] {
        let r = w.send(watcher, |h, a| {
            h.send(
                a,
                Address::new_id(escrow),
                METHOD_REPORT_FAULT,
                RawBytes::new(raw),
                TokenAmount::default(),
            )
        });
        w.refused(&r, ExitCode::USR_SERIALIZATION);
    }
    let r = w.send(watcher, |h, a| h.call_no_params(a, escrow, METHOD_REPORT_FAULT));
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    // Not a method.
    let r = w.send(watcher, |h, a| h.call_no_params(a, escrow, 12345678));
    w.refused(&r, ExitCode::USR_UNHANDLED_MESSAGE);
    // Only init constructs.
    let r = w.send(stranger, |h, a| {
        h.call(
            a,
            escrow,
            METHOD_CONSTRUCTOR,
            &ConstructorParams {
                reputation: Address::new_id(escrow),
                policy: policy(),
            },
            TokenAmount::default(),
        )
    });
    w.refused(&r, ExitCode::USR_FORBIDDEN);

    // Listing bounds.
    let miner = w.miner;
    for limit in [0, MAX_PAGE + 1] {
        let got = EscrowClient::at(escrow)
            .list_locks(&mut w.h, miner, None, limit)
            .unwrap();
        assert_eq!(got, Err(ExitCode::USR_ILLEGAL_ARGUMENT), "limit {limit}");
    }
    let got = EscrowClient::at(escrow)
        .list_locks(&mut w.h, miner, Some(99), 10)
        .unwrap();
    assert_eq!(got, Err(ExitCode::USR_ILLEGAL_ARGUMENT));
    w.books();

    // Both locks are untouched by all of it.
    for id in [by_deal, by_sector] {
        let lock = w.lock(id);
        assert_eq!((lock.status, lock.remaining), (LockStatus::Open, fil(2)));
    }
}

#[test]
fn the_constructor_checks_its_policy_and_registry() {
    let mut h = Harness::new().unwrap();
    let admin = h.create_account(fil(100)).unwrap();
    let registry = rep::deploy(&mut h, &admin, admin.id).unwrap();
    let module = integration_tests::actors::require_wasm(esc::PACKAGE).unwrap();
    let code = h.install_code(&admin, module).unwrap();
    let bad = [
        (
            Address::new_id(registry),
            Policy {
                reporter_reward_bps: 10_001,
                ..policy()
            },
        ),
        (
            Address::new_id(registry),
            Policy {
                fault_fee_bps: 0,
                ..policy()
            },
        ),
        (
            Address::new_id(registry),
            Policy {
                fault_cooldown: 0,
                ..policy()
            },
        ),
        (
            Address::new_id(registry),
            Policy {
                min_collateral: TokenAmount::from_atto(-1),
                ..policy()
            },
        ),
        (
            Address::new_id(registry),
            Policy {
                max_lock_duration: MAX_LOCK_DURATION_LIMIT + 1,
                ..policy()
            },
        ),
        (Address::new_id(999_999), policy()),
    ];
    for (reputation, policy) in bad {
        let r = h
            .exec_actor(
                &admin,
                code,
                &ConstructorParams {
                    reputation,
                    policy: policy.clone(),
                },
                TokenAmount::default(),
            )
            .unwrap();
        assert!(!r.is_ok(), "{policy:?} at {reputation} was accepted");
    }
    let escrow = esc::deploy_escrow(&mut h, &admin, Address::new_id(registry), policy()).unwrap();
    let s = esc::state(&h, escrow).unwrap();
    assert_eq!((s.reputation, s.policy, s.next_lock_id), (registry, policy(), 0));
    // Anyone reads the policy back; it takes no params and no value.
    let r = h.call_no_params(&admin, escrow, METHOD_GET_POLICY).unwrap();
    assert_eq!(r.ret::<Policy>().unwrap(), policy());
    let r = h
        .call(&admin, escrow, METHOD_GET_POLICY, &(), TokenAmount::from_atto(1))
        .unwrap();
    r.expect_exit(ExitCode::USR_NOT_PAYABLE).unwrap();
    esc::assert_escrow_books(&mut h, escrow);
}

// ---------------------------------------------------------------------------------------------
// 8. The locker's callback.
// ---------------------------------------------------------------------------------------------

#[test]
fn the_notify_actor_is_called_once_per_settlement_with_the_right_params() {
    let mut w = World::new();
    let recorder = w.deploy_notify(notify::Mode::Record, None);
    w.add_sector(1, 0, 0, 100_000);
    let deal = w.deal(10, 10_000, 1, 1);
    // Each lock carries the locker's reference, echoed in its callbacks.
    let notified = |mut p: LockParams, reference| {
        p.notify = Some(Address::new_id(recorder));
        p.reference = Some(reference);
        p
    };
    let p = notified(w.params(deal_evidence(deal), 10_000), 41);
    let (by_deal, _) = w.lock_ok(&p, fil(10));
    let p = notified(w.params(sector_evidence(1), 8_000), 42);
    let (by_sector, _) = w.lock_ok(&p, fil(10));
    assert_eq!(w.lock(by_deal).notify, Some(recorder));

    w.advance_to(100);
    w.fault(1);
    let (_, r) = w.report_ok(by_sector, FaultProof::SectorFaulty(loc(0, 0)), fil(1));
    assert_eq!(r.events_of(EVENT_NOTIFY_FAILED).len(), 0);
    w.advance_to(200);
    w.terminate_deal(deal);
    w.report_ok(by_deal, FaultProof::DealTerminated, fil(10));
    w.advance_to(8_000);
    w.release_ok(by_sector);

    let s = w.notify_state(recorder);
    assert_eq!(
        s.callbacks,
        vec![
            OnCollateralChangedParams {
                lock_id: by_sector,
                reference: Some(42),
                change: CollateralChange::FaultFee,
                amount: fil(1),
                remaining: fil(9),
                epoch: 100,
            },
            OnCollateralChangedParams {
                lock_id: by_deal,
                reference: Some(41),
                change: CollateralChange::Slashed,
                amount: fil(10),
                remaining: TokenAmount::default(),
                epoch: 200,
            },
            OnCollateralChangedParams {
                lock_id: by_sector,
                reference: Some(42),
                change: CollateralChange::Released,
                amount: fil(9),
                remaining: TokenAmount::default(),
                epoch: 8_000,
            },
        ]
    );
    assert!(s.reentries.is_empty());
    // The callback is the escrow's alone.
    let stranger = w.stranger;
    let r = w.send(stranger, |h, a| {
        h.call(
            a,
            recorder,
            notify::METHOD_ON_COLLATERAL_CHANGED,
            &s.callbacks[0],
            TokenAmount::default(),
        )
    });
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    assert_eq!(w.notify_state(recorder).callbacks.len(), 3);
}

#[test]
fn a_reentrant_callback_cannot_settle_a_lock_twice() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    w.add_sector(2, 1, 0, 100_000);
    w.add_sector(3, 2, 0, 100_000);
    let deal = w.deal(10, 10_000, 1, 1);
    let reporter = w.deploy_notify(notify::Mode::ReenterBoth, Some(FaultProof::DealTerminated));
    let faulter = w.deploy_notify(
        notify::Mode::ReenterBoth,
        Some(FaultProof::SectorFaulty(loc(0, 0))),
    );
    let killer = w.deploy_notify(notify::Mode::ReenterBoth, Some(FaultProof::SectorDead(loc(1, 0))));
    let releaser = w.deploy_notify(notify::Mode::ReenterRelease, None);
    let with = |mut p: LockParams, n: ActorID| {
        p.notify = Some(Address::new_id(n));
        p
    };
    let p = with(w.params(deal_evidence(deal), 10_000), reporter);
    let (a, _) = w.lock_ok(&p, fil(10));
    let p = with(w.params(sector_evidence(1), 9_000), faulter);
    let (b, _) = w.lock_ok(&p, fil(10));
    let p = with(w.params(sector_evidence(2), 9_000), killer);
    let (c, _) = w.lock_ok(&p, fil(10));
    let p = with(w.params(sector_evidence(3), 300), releaser);
    let (d, _) = w.lock_ok(&p, fil(3));

    // A slash: the re-entrant ReportFault and Release both find the lock settled (20). The
    // watcher and the client are paid once (report_ok checks every balance, the notify
    // actors' included).
    w.advance_to(100);
    w.terminate_deal(deal);
    w.report_ok(a, FaultProof::DealTerminated, fil(10));
    let s = w.notify_state(reporter);
    assert_eq!(s.callbacks.len(), 1);
    assert_eq!(
        s.reentries,
        vec![
            notify::Reentry {
                method: METHOD_REPORT_FAULT,
                lock_id: a,
                exit_code: 20
            },
            notify::Reentry {
                method: METHOD_RELEASE,
                lock_id: a,
                exit_code: 20
            },
        ]
    );

    // A fault fee: the lock stays open, but a re-entrant report is inside the cooldown (34)
    // and a release before the end is refused (20). One fee.
    w.fault(1);
    w.report_ok(b, FaultProof::SectorFaulty(loc(0, 0)), fil(1));
    let s = w.notify_state(faulter);
    assert_eq!(
        s.reentries.iter().map(|x| x.exit_code).collect::<Vec<_>>(),
        vec![EX_FAULT_COOLDOWN, 20]
    );
    assert_eq!(w.lock(b).remaining, fil(9));

    // A dead sector: the re-entrant SectorDead finds the lock settled.
    w.terminate_sector(2);
    w.report_ok(c, FaultProof::SectorDead(loc(1, 0)), fil(10));
    let s = w.notify_state(killer);
    assert_eq!(
        s.reentries.iter().map(|x| x.exit_code).collect::<Vec<_>>(),
        vec![20, 20]
    );

    // A release: the re-entrant Release finds the lock settled; refund_to is paid once.
    w.advance_to(300);
    w.release_ok(d);
    let s = w.notify_state(releaser);
    assert_eq!(s.callbacks.len(), 1);
    assert_eq!(s.callbacks[0].change, CollateralChange::Released);
    assert_eq!(
        s.reentries,
        vec![notify::Reentry {
            method: METHOD_RELEASE,
            lock_id: d,
            exit_code: 20
        }]
    );
    // And the fault-fee lock released at its end: both re-entries refused, paid once.
    w.advance_to(9_000);
    w.release_ok(b);
    let s = w.notify_state(faulter);
    assert_eq!(s.callbacks.len(), 2);
    assert_eq!(
        s.reentries.iter().map(|x| x.exit_code).collect::<Vec<_>>(),
        vec![EX_FAULT_COOLDOWN, 20, 20, 20]
    );
    let t = w.totals();
    assert_eq!(t.held, TokenAmount::default());
    assert_eq!(t.slashed_total, fil(21));
    assert_eq!(t.released_total, fil(12));
    assert_eq!(t.locked_total, fil(33));
}

#[test]
fn a_callback_that_aborts_or_burns_its_gas_cannot_block_a_slash_or_a_release() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    w.add_sector(2, 1, 0, 100_000);
    let aborter = w.deploy_notify(notify::Mode::Abort, None);
    let burner = w.deploy_notify(notify::Mode::BurnGas, None);
    let with = |mut p: LockParams, n: ActorID| {
        p.notify = Some(Address::new_id(n));
        p
    };
    let p = with(w.params(sector_evidence(1), 9_000), aborter);
    let (a, _) = w.lock_ok(&p, fil(10));
    let p = with(w.params(sector_evidence(2), 9_000), burner);
    let (b, _) = w.lock_ok(&p, fil(10));
    let p = with(w.params(sector_evidence(2), 200), aborter);
    let (c, _) = w.lock_ok(&p, fil(1));
    let p = with(w.params(sector_evidence(2), 200), burner);
    let (d, _) = w.lock_ok(&p, fil(1));
    let escrow = w.escrow();
    let failed = |lock: u64, notify: ActorID, exit: u32| {
        vec![
            entry("lock", true, &lock),
            entry("notify", true, &notify),
            entry("exit", false, &exit),
        ]
    };

    // Releases first (at the end of c and d).
    w.advance_to(200);
    let r = w.release_ok(c);
    assert_event(
        &r,
        EVENT_NOTIFY_FAILED,
        escrow,
        &failed(c, aborter, notify::ABORT_EXIT),
    );
    assert_eq!(r.events_of(EVENT_RELEASED).len(), 1);
    let r = w.release_ok(d);
    assert_event(
        &r,
        EVENT_NOTIFY_FAILED,
        escrow,
        &failed(d, burner, ExitCode::SYS_OUT_OF_GAS.value()),
    );
    println!(
        "gas: Release with a notify that burns all its gas = {}",
        r.gas_used
    );

    // A slash (fault fee) whose callback aborts: the fee is paid, the failure is an event.
    w.fault(1);
    let (_, r) = w.report_ok(a, FaultProof::SectorFaulty(loc(0, 0)), fil(1));
    assert_event(
        &r,
        EVENT_NOTIFY_FAILED,
        escrow,
        &failed(a, aborter, notify::ABORT_EXIT),
    );
    assert_eq!(r.events_of(EVENT_SLASHED).len(), 1);
    // The aborted callback kept nothing.
    assert!(w.notify_state(aborter).callbacks.is_empty());

    // A slash whose callback burns every unit of gas it is given.
    w.terminate_sector(2);
    let (_, r) = w.report_ok(b, FaultProof::SectorDead(loc(1, 0)), fil(10));
    assert_event(
        &r,
        EVENT_NOTIFY_FAILED,
        escrow,
        &failed(b, burner, ExitCode::SYS_OUT_OF_GAS.value()),
    );
    println!(
        "gas: ReportFault SectorDead with a notify that burns all its gas = {}",
        r.gas_used
    );
    assert!(
        r.gas_used > NOTIFY_GAS_LIMIT && r.gas_used < NOTIFY_GAS_LIMIT + 100_000_000,
        "the callback's budget bounds the message: {}",
        r.gas_used
    );
    assert_eq!(w.lock(b).status, LockStatus::Slashed);
    assert!(w.notify_state(burner).callbacks.is_empty());
    let miner = w.miner;
    assert_eq!(w.counts(miner).slashes, 1);
}

#[test]
fn a_slash_stands_when_the_registry_refuses_the_report() {
    // An escrow the registry's admin never registered as a reporter.
    let mut w = World::new();
    let admin = w.admin;
    let registry = w.suite.reputation;
    let unregistered = esc::deploy_escrow(&mut w.h, &admin, Address::new_id(registry), policy()).unwrap();
    w.suite.escrow = unregistered;
    w.track(unregistered);
    w.books();
    w.add_sector(1, 0, 0, 100_000);
    let p = w.params(sector_evidence(1), 9_000);
    let (id, _) = w.lock_ok(&p, fil(10));
    w.terminate_sector(1);
    let (_, r) = w.report_ok(id, FaultProof::SectorDead(loc(0, 0)), fil(10));
    let miner = w.miner;
    assert_event(
        &r,
        EVENT_REPUTATION_FAILED,
        unregistered,
        &[
            entry("provider", true, &miner),
            entry("exit", false, &ExitCode::USR_FORBIDDEN.value()),
        ],
    );
    assert_eq!(w.reputation(miner), None);
}

// ---------------------------------------------------------------------------------------------
// 9. Top-ups, listing, totals.
// ---------------------------------------------------------------------------------------------

#[test]
fn top_ups_raise_the_stake_and_the_fee() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let p = w.params(sector_evidence(1), 9_000);
    let (id, _) = w.lock_ok(&p, fil(10));
    let (stranger, escrow, miner) = (w.stranger, w.escrow(), w.miner);
    // Anyone may add to a lock.
    let r = w.top_up(stranger, id, fil(5)).ok().unwrap();
    println!("gas: TopUp = {}", r.gas_used);
    w.moved(&[(stranger.id, neg(fil(5))), (escrow, fil(5))]);
    assert_event(
        &r,
        EVENT_TOPPED_UP,
        escrow,
        &[
            entry("lock", true, &id),
            entry("provider", true, &miner),
            entry("by", false, &stranger.id),
            entry("amount", false, &fil(5)),
            entry("remaining", false, &fil(15)),
        ],
    );
    let lock = w.lock(id);
    assert_eq!((&lock.original, &lock.remaining), (&fil(15), &fil(15)));
    // The fee is a share of the new original.
    w.fault(1);
    w.report_ok(id, FaultProof::SectorFaulty(loc(0, 0)), milli(1_500));
    let owner = w.owner;
    w.top_up(owner, id, fil(1)).ok().unwrap();
    w.moved(&[(owner.id, neg(fil(1))), (escrow, fil(1))]);
    let lock = w.lock(id);
    assert_eq!(
        (&lock.original, &lock.remaining, &lock.slashed),
        (&fil(16), &milli(14_500), &milli(1_500))
    );
    // Not after the end.
    w.advance_to(9_000);
    let r = w.top_up(owner, id, fil(1));
    w.refused(&r, ExitCode::USR_ILLEGAL_STATE);
    w.release_ok(id);
    let t = w.totals();
    assert_eq!(t.locked_total, fil(16));
    assert_eq!(t.released_total, milli(14_500));
}

#[test]
fn list_locks_pages_through_a_providers_locks_and_totals_add_up() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let stranger = w.stranger;
    let other = provider_miner(&mut w.h, &stranger).unwrap();
    w.books();
    w.quiet(|h| miner::add_sector(h, other, 1, 0, 0, 100_000))
        .ok()
        .unwrap();
    let escrow = w.escrow();
    let mut mine = Vec::new();
    for i in 0..7u64 {
        let p = w.params(sector_evidence(1), 1_000 + i as i64);
        // Interleave the other provider's locks.
        if i % 3 == 0 {
            let p = esc::lock_params(other, w.client.id, stranger.id, sector_evidence(1), 500);
            let r = w.lock_as(stranger, &p, fil(1)).ok().unwrap();
            w.moved(&[(stranger.id, neg(fil(1))), (escrow, fil(1))]);
            let _ = esc::lock_id(&r).unwrap();
        }
        mine.push(w.lock_ok(&p, fil(i + 1)).0);
    }
    let (all, pages) = EscrowClient::at(escrow).all_locks(&mut w.h, w.miner, 3).unwrap();
    w.books();
    assert_eq!(pages, vec![3, 3, 1]);
    let mut ids: Vec<u64> = all.iter().map(|l| l.lock_id).collect();
    ids.sort();
    assert_eq!(ids, mine);
    for l in &all {
        assert_eq!(l.lock, w.lock(l.lock_id));
        assert_eq!(l.lock.provider, w.miner);
    }
    let (theirs, pages) = EscrowClient::at(escrow).all_locks(&mut w.h, other, 100).unwrap();
    assert_eq!((theirs.len(), pages), (3, vec![3]));
    // A page of exactly the rest ends the walk; one provider with no lock lists nothing.
    let (_, pages) = EscrowClient::at(escrow).all_locks(&mut w.h, w.miner, 7).unwrap();
    assert_eq!(pages, vec![7]);
    let none = EscrowClient::at(escrow)
        .list_locks(&mut w.h, w.client.id, None, 10)
        .unwrap()
        .unwrap();
    assert_eq!(
        none,
        ListLocksReturn {
            locks: vec![],
            next: None
        }
    );
    w.books();

    // Totals: 28 + 3 FIL in, then one slash and one release.
    let t = w.totals();
    assert_eq!(
        t,
        Totals {
            held: fil(31),
            locked_total: fil(31),
            slashed_total: TokenAmount::default(),
            reporter_rewards_total: TokenAmount::default(),
            released_total: TokenAmount::default(),
            locks_created: 10,
            locks_open: 10,
        }
    );
    assert_eq!(t, esc::state(&w.h, escrow).unwrap().totals);
    w.advance_to(1_000);
    w.release_ok(mine[0]);
    w.terminate_sector(1);
    w.report_ok(mine[6], FaultProof::SectorDead(loc(0, 0)), fil(7));
    let t = w.totals();
    assert_eq!(t.held, w.h.balance(escrow).unwrap());
    assert_eq!(
        t,
        Totals {
            held: fil(23),
            locked_total: fil(31),
            slashed_total: fil(7),
            reporter_rewards_total: milli(350),
            released_total: fil(1),
            locks_created: 10,
            locks_open: 8,
        }
    );
}

// ---------------------------------------------------------------------------------------------
// 10. Events.
// ---------------------------------------------------------------------------------------------

#[test]
fn every_change_emits_its_event_with_the_builtin_conventions() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let deal = w.deal(10, 10_000, 1, 1);
    let (escrow, miner, owner, client, watcher) =
        (w.escrow(), w.miner, w.owner.id, w.client.id, w.watcher.id);
    let p = w.params(deal_evidence(deal), 10_000);
    let (id, r) = w.lock_ok(&p, fil(10));
    assert_event(
        &r,
        EVENT_LOCKED,
        escrow,
        &[
            entry("lock", true, &id),
            entry("provider", true, &miner),
            entry("locker", false, &owner),
            entry("amount", false, &fil(10)),
            entry("end", false, &10_000i64),
        ],
    );
    assert_eq!(r.events.len(), 1);
    let p = w.params(sector_evidence(1), 10_000);
    let (by_sector, _) = w.lock_ok(&p, fil(10));

    w.advance_to(100);
    w.fault(1);
    let (_, r) = w.report_ok(by_sector, FaultProof::SectorFaulty(loc(0, 0)), fil(1));
    assert_event(
        &r,
        EVENT_SLASHED,
        escrow,
        &slashed_event(
            by_sector,
            miner,
            CollateralChange::FaultFee,
            &fil(1),
            watcher,
            client,
            &fil(9),
        ),
    );
    // The registry's own event follows in the same receipt.
    assert_eq!(
        r.events_of(EVENT_REPUTATION_UPDATED)[0].emitter,
        w.suite.reputation
    );

    w.terminate_deal(deal);
    let (_, r) = w.report_ok(id, FaultProof::DealTerminated, fil(10));
    assert_event(
        &r,
        EVENT_SLASHED,
        escrow,
        &slashed_event(
            id,
            miner,
            CollateralChange::Slashed,
            &fil(10),
            watcher,
            client,
            &TokenAmount::default(),
        ),
    );
    // Refusals emit nothing.
    let r = w.report(w.watcher, id, FaultProof::DealTerminated);
    assert!(r.events.is_empty());
}

// ---------------------------------------------------------------------------------------------
// Gas, for the report.
// ---------------------------------------------------------------------------------------------

#[test]
fn gas_of_each_escrow_method() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    w.add_sector(2, 1, 0, 100_000);
    w.add_sector(3, 2, 0, 100_000);
    let deal = w.deal(10, 10_000, 1, 1);
    let end_deal = w.deal(10, 10_000, 2, 1);
    let mut rows: Vec<(&str, u64)> = Vec::new();
    let p = w.params(deal_evidence(deal), 10_000);
    let (by_deal, r) = w.lock_ok(&p, fil(10));
    rows.push(("Lock (deal evidence)", r.gas_used));
    let p = w.params(sector_evidence(1), 10_000);
    let (faulty, r) = w.lock_ok(&p, fil(10));
    rows.push(("Lock (sector evidence)", r.gas_used));
    let p = w.params(
        EvidenceParams {
            deal: Some(end_deal),
            sector: Some(1),
            sector_location: None,
        },
        10_000,
    );
    let (released, r) = w.lock_ok(&p, fil(10));
    rows.push(("Lock (deal + sector evidence)", r.gas_used));
    let p = w.params(sector_evidence(2), 10_000);
    let (dead, _) = w.lock_ok(&p, fil(10));
    let p = w.params(sector_evidence(3), 10_000);
    let (compacted, _) = w.lock_ok(&p, fil(10));
    let owner = w.owner;
    let r = w.top_up(owner, faulty, fil(1)).ok().unwrap();
    rows.push(("TopUp", r.gas_used));

    w.advance_to(100);
    let watcher = w.watcher;
    let r = w.report(watcher, by_deal, FaultProof::DealTerminated);
    rows.push(("ReportFault DealTerminated, refused 32 (deal live)", r.gas_used));
    w.terminate_deal(deal);
    w.fault(1);
    w.terminate_sector(2);
    w.terminate_sector(3);
    let miner = w.miner;
    w.quiet(|h| miner::compact_sector(h, miner, 3)).ok().unwrap();
    let (_, r) = w.report_ok(by_deal, FaultProof::DealTerminated, fil(10));
    rows.push(("ReportFault DealTerminated (slash all)", r.gas_used));
    let (_, r) = w.report_ok(faulty, FaultProof::SectorFaulty(loc(0, 0)), milli(1_100));
    rows.push(("ReportFault SectorFaulty (fault fee)", r.gas_used));
    let r = w.report(watcher, faulty, FaultProof::SectorFaulty(loc(0, 0)));
    rows.push(("ReportFault SectorFaulty, refused 34 (cooldown)", r.gas_used));
    let (_, r) = w.report_ok(dead, FaultProof::SectorDead(loc(1, 0)), fil(10));
    rows.push(("ReportFault SectorDead (slash all)", r.gas_used));
    let (_, r) = w.report_ok(compacted, FaultProof::SectorDead(loc(-1, -1)), fil(10));
    rows.push(("ReportFault SectorDead at (-1,-1) (slash all)", r.gas_used));
    w.advance_to(10_000);
    let r = w.release_ok(released);
    rows.push(("Release", r.gas_used));
    let stranger = w.stranger;
    let r = w.release(stranger, released);
    rows.push(("Release, refused 20 (settled)", r.gas_used));
    let escrow = w.escrow();
    let r = w.quiet(|h| {
        h.call(
            &stranger,
            escrow,
            METHOD_GET_LOCK,
            &LockIdParams { lock_id: released },
            TokenAmount::default(),
        )
    });
    rows.push(("GetLock", r.gas_used));
    let r = w.quiet(|h| {
        h.call(
            &stranger,
            escrow,
            METHOD_LIST_LOCKS,
            &ListLocksParams {
                provider: miner,
                cursor: None,
                limit: 10,
            },
            TokenAmount::default(),
        )
    });
    rows.push(("ListLocks (5 locks)", r.gas_used));
    let r = w.quiet(|h| h.call_no_params(&stranger, escrow, METHOD_GET_TOTALS));
    rows.push(("GetTotals", r.gas_used));
    println!("CollateralEscrow gas (real wasm, ref-fvm 4.8, harness message):");
    for (what, gas) in rows {
        println!("gas: {what:<52} {gas:>12}");
    }
}

// ---------------------------------------------------------------------------------------------
// Findings: behaviour the interface promises and the actor does not (yet) give.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_sector_that_is_not_live_cannot_back_a_lock() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    w.add_sector(2, 1, 0, 100_000);
    w.terminate_sector(1);
    w.fault(2);
    // Anyone (here a stranger who names itself beneficiary and refund_to) could otherwise
    // lock the minimum against a failure that already happened, report it at once, get
    // everything back as beneficiary + reporter, and have a slash or fault of a weight it
    // chose (sector size × any term up to the nominal expiration) recorded against the
    // provider.
    let stranger = w.stranger;
    for (sector, what) in [(1, "terminated"), (2, "faulty")] {
        let p = esc::lock_params(w.miner, stranger.id, stranger.id, sector_evidence(sector), 90_000);
        let r = w.lock_as(stranger, &p, milli(1));
        assert_eq!(
            r.exit_code,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "a lock on a {what} sector was accepted"
        );
        w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    }
}

#[test]
fn the_escrow_is_never_its_own_payee() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    let escrow = Address::new_id(w.escrow());
    let owner = w.owner;
    for p in [
        LockParams {
            beneficiary: escrow,
            ..w.params(sector_evidence(1), 9_000)
        },
        LockParams {
            refund_to: escrow,
            ..w.params(sector_evidence(1), 9_000)
        },
    ] {
        let r = w.lock_as(owner, &p, fil(1));
        assert_eq!(
            r.exit_code,
            ExitCode::USR_ILLEGAL_ARGUMENT,
            "the escrow was accepted as a payee"
        );
        w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    }
}

#[test]
fn fil_pushed_by_a_plain_send_does_not_break_the_books() {
    let mut w = World::new();
    let (stranger, escrow) = (w.stranger, w.escrow());
    let r = w.h.send(
        &stranger,
        Address::new_id(escrow),
        fvm_shared::METHOD_SEND,
        RawBytes::default(),
        fil(1),
    );
    r.unwrap().ok().unwrap();
    assert_eq!(w.h.balance(escrow).unwrap(), fil(1));
    esc::check_escrow_books(&mut w.h, escrow).unwrap();
}

#[test]
fn a_deal_and_a_sector_must_match_and_a_given_location_is_checked() {
    let mut w = World::new();
    w.add_sector(1, 0, 0, 100_000);
    w.add_sector(2, 3, 1, 100_000);
    let deal = w.deal(10, 20_000, 4, 1);
    let owner = w.owner;
    // The deal lives in sector 1: naming sector 2 with it is refused.
    let evidence = |sector, location| EvidenceParams {
        deal: Some(deal),
        sector: Some(sector),
        sector_location: location,
    };
    let r = w.lock_as(owner, &w.params(evidence(2, None), 20_000), fil(1));
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
    // A location where the sector is not is a stale location (33, as for ReportFault); the
    // right one is accepted (the cheap path).
    let r = w.lock_as(owner, &w.params(evidence(1, Some(loc(3, 1))), 20_000), fil(1));
    w.refused(&r, STALE_LOCATION);
    assert!(
        r.failure
            .as_deref()
            .unwrap_or("")
            .contains("is not at deadline 3 partition 1"),
        "{:?}",
        r.failure
    );
    let (id, r) = w.lock_ok(&w.params(evidence(1, Some(loc(0, 0))), 20_000), fil(1));
    println!("gas Lock (deal + sector, location given): {}", r.gas_used);
    assert_eq!(w.lock(id).sector.unwrap().sector_number, 1);
    // The escrow is never its own notify actor either.
    let p = LockParams {
        notify: Some(Address::new_id(w.escrow())),
        ..w.params(evidence(1, None), 20_000)
    };
    let r = w.lock_as(owner, &p, fil(1));
    w.refused(&r, ExitCode::USR_ILLEGAL_ARGUMENT);
}
