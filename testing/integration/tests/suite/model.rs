//! Model-based random sequences on the real wasm (issue 21, part 1; the escrow's slice): a
//! seeded generator of operations over a small population, each run both on the devnet (the
//! real escrow, registry, stand-in miners and market) and on a pure model of the escrow that
//! predicts the exit code, the return and every tracked balance. Any difference fails with the
//! seed and the shortest sequence that still fails (the failing prefix, then shrunk by dropping
//! operations one at a time). After every operation every book is checked (the escrow's and the
//! registry's checkers, the cross-actor checker, FIL conserved) and the escrow's totals are
//! compared with the model's.
//!
//! The population: two clients (lockers and beneficiaries), two watchers, a stranger, two
//! providers (a miner each with three sectors and two deals), and a hostile notify actor
//! (`test-actor-reentrant-notify`) whose mode the sequence changes. The operations: locks with
//! sector, deal or both as evidence (valid and invalid: zero or too little collateral, ends in
//! the past or too far, another provider's deal, a dead or faulty sector, a stale location),
//! top-ups, fault reports with true and false proofs and stale locations, releases early and
//! on time, epochs advancing, and the operator faulting, recovering and terminating sectors and
//! terminating deals.
//!
//! `MODEL_SEEDS` (default 200) and `MODEL_OPS` (default 50) set the size; `MODEL_SEED_BASE`
//! the first seed; `scripts/soak.sh` runs any number.

use std::collections::BTreeMap;
use std::rc::Rc;

use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;
use integration_tests::escrow as esc;
use integration_tests::invariants::{self, Books};
use integration_tests::ledger::message_fee;
use integration_tests::miner::{self, create_miner, SECTOR_SIZE_32GIB};
use integration_tests::storage_market::{deal_proposal, StorageMarketExt};
use integration_tests::{bounty as bm, Account, EscrowClient, Harness, Receipt, Snapshot};
use suite_interfaces::escrow::{
    EvidenceParams, FaultProof, LockParams, Policy, ReportFaultReturn, SectorLocation, Totals,
};
use test_actor_reentrant_notify as hostile;

use super::common::{fil, milli};

const FAULT_FEE_BPS: u64 = 1_000;
const REWARD_BPS: u64 = 500;
const COOLDOWN: ChainEpoch = 2_880;
const MAX_LOCK: ChainEpoch = 100_000;
const SECTOR_EXPIRATION: ChainEpoch = 2_000_000;
const DEAL_END: ChainEpoch = 1_000_000;

fn policy() -> Policy {
    Policy {
        reporter_reward_bps: REWARD_BPS,
        fault_fee_bps: FAULT_FEE_BPS,
        fault_cooldown: COOLDOWN,
        min_collateral: milli(1),
        max_lock_duration: MAX_LOCK,
    }
}

/// splitmix64: a seeded generator with no dependency, the same on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len() as u64) as usize]
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Evidence {
    Sector(SectorNumber),
    Deal(usize),
    DealAndSector(usize, SectorNumber),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    /// No location: the escrow asks the miner.
    Ask,
    Right,
    /// Another deadline: where the sector is not.
    Stale,
    /// (-1, -1): "removed", while the sector is still in the miner's AMT.
    Removed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Deal,
    Faulty,
    Dead,
}

/// One operation. Accounts are indexes into the population; a lock is an index into the locks
/// made so far (modulo their count), or an id nobody made.
#[derive(Debug, Clone, Copy)]
enum Op {
    Lock {
        locker: usize,
        provider: usize,
        evidence: Evidence,
        location: Where,
        beneficiary: usize,
        end_in: ChainEpoch,
        atto: u64,
        hostile: bool,
    },
    TopUp {
        lock: Option<u64>,
        from: usize,
        atto: u64,
    },
    Report {
        lock: Option<u64>,
        from: usize,
        kind: Kind,
        location: Where,
    },
    Release {
        lock: Option<u64>,
        from: usize,
    },
    Advance(ChainEpoch),
    FaultSector(usize, SectorNumber),
    RecoverSector(usize, SectorNumber),
    TerminateSector(usize, SectorNumber),
    TerminateDeal(usize),
    HostileMode(hostile::Mode),
}

const FIL_ATTO: u64 = 1_000_000_000_000_000_000;
/// Accounts that send: clients 0 and 1, watchers 2 and 3, the stranger 4.
const SENDERS: usize = 5;
const SECTORS: [SectorNumber; 3] = [1, 2, 3];

fn generate(rng: &mut Rng, ops: usize) -> Vec<Op> {
    let lock_ref = |rng: &mut Rng| (rng.below(12) != 0).then(|| rng.below(1_000));
    (0..ops)
        .map(|_| match rng.below(100) {
            0..=24 => {
                let provider = rng.below(2) as usize;
                let hostile = rng.below(4) == 0;
                let sector = rng.pick(&SECTORS);
                let deal = provider * 2 + rng.below(2) as usize;
                // Another provider's deal now and then.
                let deal = if rng.below(10) == 0 { (deal + 2) % 4 } else { deal };
                let evidence = match (hostile, rng.below(3)) {
                    (true, _) | (_, 0) => Evidence::Sector(sector),
                    (_, 1) => Evidence::Deal(deal),
                    _ => Evidence::DealAndSector(
                        deal,
                        if rng.below(3) == 0 {
                            sector
                        } else {
                            deal_sector(deal)
                        },
                    ),
                };
                Op::Lock {
                    locker: rng.pick(&[0, 1, 4]),
                    provider,
                    evidence,
                    location: rng.pick(&[Where::Ask, Where::Ask, Where::Right, Where::Stale]),
                    beneficiary: rng.below(2) as usize,
                    end_in: rng.pick(&[0, 1, 500, 3_000, 6_000, MAX_LOCK, MAX_LOCK + 1]),
                    atto: rng.pick(&[0, 1, FIL_ATTO, 5 * FIL_ATTO, 7 * FIL_ATTO + 3]),
                    hostile,
                }
            }
            25..=31 => Op::TopUp {
                lock: lock_ref(rng),
                from: rng.below(SENDERS as u64) as usize,
                atto: rng.pick(&[0, FIL_ATTO, 3]),
            },
            32..=56 => Op::Report {
                lock: lock_ref(rng),
                from: rng.pick(&[2, 3, 4]),
                kind: rng.pick(&[Kind::Deal, Kind::Faulty, Kind::Faulty, Kind::Dead]),
                location: rng.pick(&[
                    Where::Right,
                    Where::Right,
                    Where::Right,
                    Where::Stale,
                    Where::Removed,
                ]),
            },
            57..=66 => Op::Release {
                lock: lock_ref(rng),
                from: rng.below(SENDERS as u64) as usize,
            },
            67..=79 => Op::Advance(rng.pick(&[1, 100, 1_000, 2_880, 3_000])),
            80..=87 => Op::FaultSector(rng.below(2) as usize, rng.pick(&SECTORS)),
            88..=91 => Op::RecoverSector(rng.below(2) as usize, rng.pick(&SECTORS)),
            92..=94 => Op::TerminateSector(rng.below(2) as usize, rng.pick(&SECTORS)),
            95..=97 => Op::TerminateDeal(rng.below(4) as usize),
            _ => Op::HostileMode(rng.pick(&[
                hostile::Mode::Record,
                hostile::Mode::ReenterReport,
                hostile::Mode::ReenterRelease,
                hostile::Mode::ReenterBoth,
                hostile::Mode::Abort,
                hostile::Mode::BurnGas,
            ])),
        })
        .collect()
}

/// Deal `i` (0..4) belongs to provider i / 2 and lives in sector 1 or 2.
fn deal_sector(deal: usize) -> SectorNumber {
    1 + (deal % 2) as SectorNumber
}

/// Sector n of every miner sits at deadline n, partition 0.
fn deadline_of(n: SectorNumber) -> i64 {
    n as i64
}

// ---------------------------------------------------------------------------------------------
// The model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Default)]
struct SectorModel {
    faulty: bool,
    terminated: bool,
}

#[derive(Debug, Clone)]
struct LockModel {
    id: u64,
    provider: usize,
    deal: Option<usize>,
    sector: Option<SectorNumber>,
    beneficiary: ActorID,
    refund_to: ActorID,
    end: ChainEpoch,
    original: u128,
    remaining: u128,
    last_fee: Option<ChainEpoch>,
    open: bool,
    settled_by_slash: bool,
}

/// What the model predicts of one operation: the exit code, the return it can check, and the
/// FIL each account gains (the sender's fee apart).
#[derive(Debug, Default, PartialEq, Eq)]
struct Outcome {
    exit: u32,
    lock_id: Option<u64>,
    report: Option<(u128, u128, u128, u128)>,
    gains: BTreeMap<ActorID, i128>,
}

struct Model {
    epoch: ChainEpoch,
    next_lock: u64,
    locks: Vec<LockModel>,
    /// (provider, sector) → state.
    sectors: BTreeMap<(usize, SectorNumber), SectorModel>,
    /// deal index → live.
    deals: [bool; 4],
    totals: TotalsModel,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct TotalsModel {
    held: u128,
    locked: u128,
    slashed: u128,
    rewards: u128,
    released: u128,
    created: u64,
    open: u64,
}

fn bps(amount: u128, bps: u64) -> u128 {
    amount * bps as u128 / 10_000
}

impl Model {
    /// The base state: no lock yet, every sector active, every deal live.
    fn new(epoch: ChainEpoch, next_lock: u64) -> Self {
        Self {
            epoch,
            next_lock,
            locks: Vec::new(),
            sectors: (0..2)
                .flat_map(|p| SECTORS.map(|n| ((p, n), SectorModel::default())))
                .collect(),
            deals: [true; 4],
            totals: TotalsModel::default(),
        }
    }

    fn lock_index(&self, r: Option<u64>) -> Option<usize> {
        let r = r?;
        (!self.locks.is_empty()).then(|| (r % self.locks.len() as u64) as usize)
    }

    fn lock_id(&self, r: Option<u64>) -> u64 {
        match self.lock_index(r) {
            Some(i) => self.locks[i].id,
            None => 1_000_000,
        }
    }

    fn sector(&self, p: usize, n: SectorNumber) -> &SectorModel {
        &self.sectors[&(p, n)]
    }

    fn apply(&mut self, op: &Op, w: &Population) -> Outcome {
        let mut out = Outcome::default();
        let refuse = |code: u32| Outcome {
            exit: code,
            ..Outcome::default()
        };
        match *op {
            Op::Lock {
                provider,
                evidence,
                location,
                beneficiary,
                end_in,
                atto,
                ..
            } => {
                let (deal, sector) = match evidence {
                    Evidence::Sector(n) => (None, Some(n)),
                    Evidence::Deal(d) => (Some(d), None),
                    Evidence::DealAndSector(d, n) => (Some(d), Some(n)),
                };
                if let Some(d) = deal {
                    if !self.deals[d] || d / 2 != provider {
                        return refuse(16);
                    }
                }
                if let Some(n) = sector {
                    let s = self.sector(provider, n);
                    match location {
                        // The miner's 17 for a place the sector is not: the escrow's 33.
                        Where::Stale | Where::Removed => return refuse(33),
                        Where::Ask | Where::Right => {
                            if s.terminated || s.faulty {
                                return refuse(16);
                            }
                        }
                    }
                    if let Some(d) = deal {
                        if deal_sector(d) != n {
                            return refuse(16);
                        }
                    }
                }
                let end = self.epoch + end_in;
                if atto < 1_000_000_000_000_000 || !(1..=MAX_LOCK).contains(&end_in) {
                    return refuse(16);
                }
                if (deal.is_some() && end > DEAL_END) || (sector.is_some() && end > SECTOR_EXPIRATION) {
                    return refuse(16);
                }
                let id = self.next_lock;
                self.next_lock += 1;
                self.locks.push(LockModel {
                    id,
                    provider,
                    deal,
                    sector,
                    beneficiary: w.ids[beneficiary],
                    refund_to: w.owners[provider],
                    end,
                    original: atto as u128,
                    remaining: atto as u128,
                    last_fee: None,
                    open: true,
                    settled_by_slash: false,
                });
                self.totals.held += atto as u128;
                self.totals.locked += atto as u128;
                self.totals.created += 1;
                self.totals.open += 1;
                out.lock_id = Some(id);
                *out.gains.entry(w.escrow).or_default() += atto as i128;
                *out.gains.entry(w.ids_of_locker(op)).or_default() -= atto as i128;
            }
            Op::TopUp { lock, from, atto } => {
                if atto == 0 {
                    return refuse(16);
                }
                let Some(i) = self.lock_index(lock) else {
                    return refuse(17);
                };
                let l = &mut self.locks[i];
                if !l.open || self.epoch >= l.end {
                    return refuse(20);
                }
                l.original += atto as u128;
                l.remaining += atto as u128;
                self.totals.held += atto as u128;
                self.totals.locked += atto as u128;
                *out.gains.entry(w.escrow).or_default() += atto as i128;
                *out.gains.entry(w.ids[from]).or_default() -= atto as i128;
            }
            Op::Report {
                lock,
                from,
                kind,
                location,
            } => {
                let Some(i) = self.lock_index(lock) else {
                    return refuse(17);
                };
                let l = self.locks[i].clone();
                if !l.open {
                    return refuse(20);
                }
                if self.epoch >= l.end {
                    return refuse(32);
                }
                match kind {
                    Kind::Deal if l.deal.is_none() => return refuse(16),
                    Kind::Faulty | Kind::Dead if l.sector.is_none() => return refuse(16),
                    _ => {}
                }
                if let (Kind::Faulty, Some(last)) = (kind, l.last_fee) {
                    if self.epoch < last + COOLDOWN {
                        return refuse(34);
                    }
                }
                let all = match kind {
                    Kind::Deal => {
                        if self.deals[l.deal.unwrap()] {
                            return refuse(32);
                        }
                        true
                    }
                    Kind::Faulty | Kind::Dead => {
                        if location != Where::Right {
                            // A wrong place, or "removed" while the sector is still listed.
                            return refuse(33);
                        }
                        let s = self.sector(l.provider, l.sector.unwrap());
                        let proven = if kind == Kind::Faulty {
                            s.faulty
                        } else {
                            s.terminated
                        };
                        if !proven {
                            return refuse(32);
                        }
                        kind == Kind::Dead
                    }
                };
                let amount = if all {
                    l.remaining
                } else {
                    bps(l.original, FAULT_FEE_BPS).min(l.remaining)
                };
                let reward = bps(amount, REWARD_BPS);
                let compensation = amount - reward;
                let m = &mut self.locks[i];
                m.remaining -= amount;
                if !all {
                    m.last_fee = Some(self.epoch);
                }
                if m.remaining == 0 {
                    m.open = false;
                    m.settled_by_slash = true;
                    self.totals.open -= 1;
                }
                self.totals.held -= amount;
                self.totals.slashed += amount;
                self.totals.rewards += reward;
                out.report = Some((amount, reward, compensation, m.remaining));
                *out.gains.entry(w.escrow).or_default() -= amount as i128;
                *out.gains.entry(w.ids[from]).or_default() += reward as i128;
                *out.gains.entry(l.beneficiary).or_default() += compensation as i128;
            }
            Op::Release { lock, .. } => {
                let Some(i) = self.lock_index(lock) else {
                    return refuse(17);
                };
                let l = &mut self.locks[i];
                if !l.open || self.epoch < l.end {
                    return refuse(20);
                }
                let amount = l.remaining;
                l.remaining = 0;
                l.open = false;
                self.totals.open -= 1;
                self.totals.held -= amount;
                self.totals.released += amount;
                *out.gains.entry(w.escrow).or_default() -= amount as i128;
                *out.gains.entry(l.refund_to).or_default() += amount as i128;
            }
            Op::Advance(n) => self.epoch += n,
            Op::FaultSector(p, n) => {
                let s = self.sectors.get_mut(&(p, n)).unwrap();
                if !s.terminated {
                    s.faulty = true;
                }
            }
            Op::RecoverSector(p, n) => {
                let s = self.sectors.get_mut(&(p, n)).unwrap();
                if !s.terminated {
                    s.faulty = false;
                }
            }
            Op::TerminateSector(p, n) => {
                let s = self.sectors.get_mut(&(p, n)).unwrap();
                s.terminated = true;
                s.faulty = false;
                for d in 0..4 {
                    if d / 2 == p && deal_sector(d) == n {
                        self.deals[d] = false;
                    }
                }
            }
            Op::TerminateDeal(d) => self.deals[d] = false,
            Op::HostileMode(_) => {}
        }
        out
    }
}

// ---------------------------------------------------------------------------------------------
// The devnet side
// ---------------------------------------------------------------------------------------------

/// Who is who in the base state every seed starts from.
#[derive(Clone)]
struct Population {
    accounts: Vec<Account>,
    ids: Vec<ActorID>,
    owners: [ActorID; 2],
    miners: [ActorID; 2],
    deals: [DealID; 4],
    escrow: ActorID,
    hostile: ActorID,
    books: Books,
    tracked: Vec<ActorID>,
}

impl Population {
    fn ids_of_locker(&self, op: &Op) -> ActorID {
        match op {
            Op::Lock { locker, .. } => self.ids[*locker],
            _ => unreachable!(),
        }
    }
}

struct Base {
    store: MemoryBlockstore,
    snapshot: Snapshot,
    w: Population,
    first_lock: u64,
}

fn base() -> Base {
    let mut h = Harness::new().unwrap();
    let accounts: Vec<Account> = (0..SENDERS)
        .map(|_| h.create_account(fil(10_000)).unwrap())
        .collect();
    let admin = h.create_account(fil(1_000)).unwrap();
    let mut owners = [0; 2];
    let mut miners = [0; 2];
    for p in 0..2 {
        let owner = h.create_account(fil(1_000)).unwrap();
        let worker = h.create_bls_account(fil(1_000)).unwrap();
        let m = create_miner(
            &mut h,
            &owner,
            owner.address(),
            worker.address(),
            vec![],
            SECTOR_SIZE_32GIB,
        )
        .unwrap();
        for n in SECTORS {
            let r = miner::add_sector(&mut h, m, n, deadline_of(n) as u64, 0, SECTOR_EXPIRATION).unwrap();
            assert!(r.exit_code.is_success());
        }
        owners[p] = owner.id;
        miners[p] = m;
    }
    let mut deals = [0; 4];
    for (d, deal) in deals.iter_mut().enumerate() {
        let proposal = deal_proposal(accounts[d % 2].id, miners[d / 2], 0, DEAL_END, 10 + d as u8);
        *deal = h.publish_deal(&proposal).unwrap();
        h.activate_deal(*deal, deal_sector(d)).unwrap();
    }
    let market_policy = suite_interfaces::bounty::MarketPolicy {
        max_replicas: 4,
        max_allowlist: 3,
        max_page: 10,
        min_duration_floor: 1_000,
        max_duration: MAX_LOCK,
        max_claims_per_withdraw: 32,
    };
    let suite = bm::deploy(&mut h, &admin, &admin, policy(), market_policy).unwrap();
    let hostile = h
        .deploy(
            &admin,
            "test-actor-reentrant-notify",
            &hostile::ConstructorParams {
                escrow: suite.escrow,
                mode: hostile::Mode::Record,
                proof: Some(FaultProof::DealTerminated),
            },
        )
        .unwrap();
    let books = Books {
        market: Some(suite.market),
        escrow: Some(suite.escrow),
        registry: Some(suite.reputation),
    };
    invariants::assert_books(&mut h, &books);
    let ids: Vec<ActorID> = accounts.iter().map(|a| a.id).collect();
    let mut tracked = ids.clone();
    tracked.extend(owners);
    tracked.extend([suite.escrow, hostile]);
    let first_lock = esc::state(&h, suite.escrow).unwrap().next_lock_id;
    let snapshot = h.snapshot().unwrap();
    Base {
        store: (**h.store()).clone(),
        snapshot,
        w: Population {
            accounts,
            ids,
            owners,
            miners,
            deals,
            escrow: suite.escrow,
            hostile,
            books,
            tracked,
        },
        first_lock,
    }
}

fn location_for(n: SectorNumber, at: Where) -> Option<SectorLocation> {
    match at {
        Where::Ask => None,
        Where::Right => Some(SectorLocation {
            deadline: deadline_of(n),
            partition: 0,
        }),
        Where::Stale => Some(SectorLocation {
            deadline: deadline_of(n) + 10,
            partition: 0,
        }),
        Where::Removed => Some(SectorLocation {
            deadline: -1,
            partition: -1,
        }),
    }
}

/// Runs `op` on the devnet: the receipt of the user's message (None for the operator's steps).
fn run(h: &mut Harness, w: &Population, model: &Model, op: &Op) -> Option<(ActorID, Receipt)> {
    let escrow = EscrowClient::at(w.escrow);
    let operator_step = |r: anyhow::Result<Receipt>| {
        r.unwrap();
        None
    };
    match *op {
        Op::Lock {
            locker,
            provider,
            evidence,
            location,
            beneficiary,
            end_in,
            atto,
            hostile,
        } => {
            let (deal, sector) = match evidence {
                Evidence::Sector(n) => (None, Some(n)),
                Evidence::Deal(d) => (Some(w.deals[d]), None),
                Evidence::DealAndSector(d, n) => (Some(w.deals[d]), Some(n)),
            };
            let p = LockParams {
                provider: Address::new_id(w.miners[provider]),
                beneficiary: Address::new_id(w.ids[beneficiary]),
                refund_to: Address::new_id(w.owners[provider]),
                evidence: EvidenceParams {
                    deal,
                    sector,
                    sector_location: sector.and_then(|n| location_for(n, location)),
                },
                end_epoch: model.epoch + end_in,
                notify: hostile.then(|| Address::new_id(w.hostile)),
                reference: None,
            };
            let from = w.accounts[locker];
            Some((
                from.id,
                escrow.lock(h, &from, &p, TokenAmount::from_atto(atto)).unwrap(),
            ))
        }
        Op::TopUp { lock, from, atto } => {
            let from = w.accounts[from];
            let id = model.lock_id(lock);
            Some((
                from.id,
                escrow.top_up(h, &from, id, TokenAmount::from_atto(atto)).unwrap(),
            ))
        }
        Op::Report {
            lock,
            from,
            kind,
            location,
        } => {
            let from = w.accounts[from];
            let id = model.lock_id(lock);
            let n = model
                .lock_index(lock)
                .and_then(|i| model.locks[i].sector)
                .unwrap_or(1);
            let at = location_for(n, location).unwrap_or(SectorLocation {
                deadline: 0,
                partition: 0,
            });
            let proof = match kind {
                Kind::Deal => FaultProof::DealTerminated,
                Kind::Faulty => FaultProof::SectorFaulty(at),
                Kind::Dead => FaultProof::SectorDead(at),
            };
            Some((from.id, escrow.report_fault(h, &from, id, proof).unwrap()))
        }
        Op::Release { lock, from } => {
            let from = w.accounts[from];
            let id = model.lock_id(lock);
            Some((from.id, escrow.release(h, &from, id).unwrap()))
        }
        Op::Advance(n) => {
            h.advance(n).unwrap();
            None
        }
        Op::FaultSector(p, n) => {
            // The operator's steps may be refused (a terminated sector cannot fault, a deal
            // ends once): the model makes those no-ops, and the next check compares states.
            let _ = miner::fault_sector(h, w.miners[p], n);
            None
        }
        Op::RecoverSector(p, n) => {
            let _ = miner::recover_sector(h, w.miners[p], n);
            None
        }
        Op::TerminateSector(p, n) => {
            let _ = miner::terminate_sector(h, w.miners[p], n);
            None
        }
        Op::TerminateDeal(d) => {
            let _ = h.terminate_deal(w.deals[d]);
            None
        }
        Op::HostileMode(mode) => {
            let operator = h.operator();
            operator_step(h.call(
                &operator,
                w.hostile,
                hostile::METHOD_SET_MODE,
                &hostile::SetModeParams {
                    mode,
                    proof: Some(FaultProof::DealTerminated),
                },
                TokenAmount::default(),
            ))
        }
    }
}

fn totals_of(t: &Totals) -> TotalsModel {
    let atto = |a: &TokenAmount| u128::try_from(a.atto().clone()).unwrap();
    TotalsModel {
        held: atto(&t.held),
        locked: atto(&t.locked_total),
        slashed: atto(&t.slashed_total),
        rewards: atto(&t.reporter_rewards_total),
        released: atto(&t.released_total),
        created: t.locks_created,
        open: t.locks_open,
    }
}

/// Runs `ops` from the base state; the first difference between the devnet and the model, as
/// (operation index, what differed).
fn check_sequence(base: &Base, ops: &[Op]) -> Result<(), (usize, String)> {
    let store = Rc::new(base.store.clone());
    let mut h = Harness::resume(store, &base.snapshot).unwrap();
    let w = &base.w;
    let mut model = Model::new(h.epoch(), base.first_lock);
    for (i, op) in ops.iter().enumerate() {
        let before: Vec<TokenAmount> = w.tracked.iter().map(|id| h.balance(*id).unwrap()).collect();
        let sent = run(&mut h, w, &model, op);
        let want = model.apply(op, w);
        let fail = |what: String| Err((i, what));
        if let Some((sender, r)) = &sent {
            let got_exit = r.exit_code.value();
            if got_exit != want.exit {
                return fail(format!(
                    "exit {got_exit} ({}), the model says {}",
                    r.failure.as_deref().unwrap_or("").lines().next().unwrap_or(""),
                    want.exit
                ));
            }
            if let Some(id) = want.lock_id {
                let got = esc::lock_id(r).unwrap();
                if got != id {
                    return fail(format!("lock id {got}, the model says {id}"));
                }
            }
            if let Some((slashed, reward, compensation, remaining)) = want.report {
                let ret: Option<ReportFaultReturn> = r.ret().unwrap();
                let ret = ret.unwrap();
                let got = (
                    u128::try_from(ret.slashed.atto().clone()).unwrap(),
                    u128::try_from(ret.reporter_reward.atto().clone()).unwrap(),
                    u128::try_from(ret.compensation.atto().clone()).unwrap(),
                    u128::try_from(ret.remaining.atto().clone()).unwrap(),
                );
                if got != (slashed, reward, compensation, remaining) {
                    return fail(format!(
                        "report returned {got:?}, the model says {:?}",
                        (slashed, reward, compensation, remaining)
                    ));
                }
            }
            for (k, id) in w.tracked.iter().enumerate() {
                let mut expected = i128::try_from(before[k].atto().clone()).unwrap();
                expected += want.gains.get(id).copied().unwrap_or(0);
                if id == sender {
                    expected -= i128::try_from(message_fee().atto().clone()).unwrap();
                }
                let got = i128::try_from(h.balance(*id).unwrap().atto().clone()).unwrap();
                if got != expected {
                    return fail(format!("balance of f0{id} is {got}, the model says {expected}"));
                }
            }
        } else {
            for (k, id) in w.tracked.iter().enumerate() {
                if h.balance(*id).unwrap() != before[k] {
                    return fail(format!("an operator step moved the FIL of f0{id}"));
                }
            }
        }
        if let Err(failures) = invariants::check(&mut h, &w.books) {
            return fail(format!("books: {}", failures.join("; ")));
        }
        let totals = EscrowClient::at(w.escrow).totals(&mut h).unwrap().unwrap();
        if totals_of(&totals) != model.totals {
            return fail(format!(
                "escrow totals {:?}, the model says {:?}",
                totals_of(&totals),
                model.totals
            ));
        }
    }
    Ok(())
}

/// The shortest sequence found that still fails: the failing prefix, then every operation
/// whose removal keeps it failing removed.
fn shrink(base: &Base, ops: &[Op], failed_at: usize) -> Vec<Op> {
    let mut ops = ops[..=failed_at].to_vec();
    let mut i = 0;
    while i < ops.len() {
        let mut fewer = ops.clone();
        fewer.remove(i);
        match check_sequence(base, &fewer) {
            Err((at, _)) => ops = fewer[..=at].to_vec(),
            Ok(()) => i += 1,
        }
    }
    ops
}

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn random_sequences_match_the_model_on_the_real_wasm() {
    let seeds = env_or("MODEL_SEEDS", 200);
    let ops_per_seed = env_or("MODEL_OPS", 50) as usize;
    let first = env_or("MODEL_SEED_BASE", 1);
    let base = base();
    let started = std::time::Instant::now();
    let mut counts = BTreeMap::<u32, u64>::new();
    for seed in first..first + seeds {
        let ops = generate(&mut Rng(seed), ops_per_seed);
        if let Err((at, what)) = check_sequence(&base, &ops) {
            let shortest = shrink(&base, &ops, at);
            let replay = check_sequence(&base, &shortest).unwrap_err();
            panic!(
                "seed {seed}: operation {at} ({:?}): {what}\nshortest failing sequence ({} operations, fails at {}: {}):\n  {}",
                ops[at],
                shortest.len(),
                replay.0,
                replay.1,
                shortest.iter().map(|o| format!("{o:?}")).collect::<Vec<_>>().join("\n  ")
            );
        }
        // What the seeds exercised, so that a generator that stopped reaching the escrow shows.
        let mut model_only = Model::new(0, base.first_lock);
        for op in &ops {
            if matches!(
                op,
                Op::Lock { .. } | Op::TopUp { .. } | Op::Report { .. } | Op::Release { .. }
            ) {
                *counts.entry(model_only.apply(op, &base.w).exit).or_default() += 1;
            } else {
                model_only.apply(op, &base.w);
            }
        }
    }
    let messages: u64 = counts.values().sum();
    println!(
        "{seeds} seeds × {ops_per_seed} operations in {:.1} s; {messages} escrow messages by exit code: {counts:?}",
        started.elapsed().as_secs_f64()
    );
    // The sequences reach every outcome the model knows, not only refusals.
    for code in [0, 16, 17, 20, 32, 33, 34] {
        assert!(
            counts.get(&code).copied().unwrap_or(0) > 0 || seeds < 50,
            "no escrow message ended with exit {code}: the generator no longer reaches it"
        );
    }
}
