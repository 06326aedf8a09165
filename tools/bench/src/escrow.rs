//! Section: the collateral escrow.

use integration_tests::EscrowClient;
use std::time::{Duration, Instant};

use actor_runtime::map::Members;
use anyhow::{ensure, Context, Result};
use cid::Cid;
use collateral_escrow::state::State;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::deal::DealID;
use fvm_shared::econ::TokenAmount;
use fvm_shared::sector::SectorNumber;
use fvm_shared::ActorID;
use integration_tests::escrow::{self as esc, lock_params, Suite, PACKAGE};
use integration_tests::miner::{self, create_miner, SECTOR_SIZE_32GIB, WPOST_PERIOD_DEADLINES};
use integration_tests::storage_market::{deal_proposal, StorageMarketExt};
use integration_tests::{Account, Harness, Receipt};
use suite_interfaces::escrow::{
    ConstructorParams, EvidenceParams, FaultProof, GetLockReturn, ListLocksParams, ListLocksReturn, Lock,
    LockIdParams, Policy, ReportFaultReturn, SectorLocation, Totals, EVENT_LOCKED, EVENT_RELEASED,
    EVENT_SLASHED, EVENT_TOPPED_UP, METHOD_GET_LOCK, METHOD_GET_POLICY, METHOD_GET_TOTALS, METHOD_LIST_LOCKS,
};

use super::hamt::{read, shape, vector_read, vector_shape, MapShape};
use super::report::{Section, Table};
use super::{
    gas_table, kib, rate, seconds, spread, spread_table, thousands, Clock, GasRow, Options, SAMPLES,
};

/// Locks per miner in the population (one per sector): 10,000 locks are 100 miners × 100
/// sectors.
const LOCKS_PER_MINER: usize = 100;
/// The ListLocks page.
const PAGE: u32 = 100;
/// FIL put in each lock, and in each top-up.
const COLLATERAL: u64 = 5;
const TOP_UP: u64 = 1;
/// Every lock but the released ones ends here (about 347 days on).
const LOCK_END: ChainEpoch = 1_000_000;
/// Sectors expire after every lock; deals end with the locks.
const SECTOR_EXPIRATION: ChainEpoch = 1_500_000;
const DEAL_END: ChainEpoch = LOCK_END;

fn fil(n: u64) -> TokenAmount {
    TokenAmount::from_whole(n)
}

/// Where the bench puts a miner's sector: spread over the 48 deadlines, partition 0 (a
/// partition holds 2,349 sectors of 32 GiB).
fn location(sector: SectorNumber) -> SectorLocation {
    SectorLocation {
        deadline: (sector % WPOST_PERIOD_DEADLINES) as i64,
        partition: 0,
    }
}

fn located(sector: SectorNumber) -> EvidenceParams {
    EvidenceParams {
        deal: None,
        sector: Some(sector),
        sector_location: Some(location(sector)),
    }
}

/// Gas of every sample, per method, at one N.
#[derive(Debug, Default)]
struct Gas {
    lock_deal: Vec<u64>,
    lock_located: Vec<u64>,
    lock_search: Vec<u64>,
    lock_both: Vec<u64>,
    top_up: Vec<u64>,
    deal_terminated: Vec<u64>,
    sector_faulty: Vec<u64>,
    sector_dead: Vec<u64>,
    release: Vec<u64>,
    get_lock: Vec<u64>,
    list: Vec<u64>,
    totals: Vec<u64>,
    policy: Vec<u64>,
    constructor: Vec<u64>,
}

impl Gas {
    /// In table order.
    fn rows(&self) -> [(&'static str, &[u64]); 14] {
        [
            (
                "Constructor (init Exec of installed code, whole message)",
                &self.constructor,
            ),
            ("Lock (deal evidence)", &self.lock_deal),
            ("Lock (sector evidence, with location)", &self.lock_located),
            (
                "Lock (sector evidence, no location: miner searches)",
                &self.lock_search,
            ),
            ("Lock (deal + sector, with location)", &self.lock_both),
            ("TopUp", &self.top_up),
            ("ReportFault DealTerminated (slash all)", &self.deal_terminated),
            ("ReportFault SectorFaulty (fault fee)", &self.sector_faulty),
            ("ReportFault SectorDead (slash all)", &self.sector_dead),
            ("Release", &self.release),
            ("GetLock", &self.get_lock),
            ("ListLocks (limit 100, provider with ≥ 100 locks)", &self.list),
            ("GetTotals", &self.totals),
            ("GetPolicy", &self.policy),
        ]
    }
}

/// Building the population from one N to the next.
struct Step {
    from: usize,
    to: usize,
    exec: Clock,
    sectors: Clock,
    locks: Clock,
    wall: Duration,
}

/// The escrow's HAMTs, and what one call reads of them.
struct Shapes {
    /// lock id → lock.
    locks: MapShape,
    /// provider → root of its lock ids.
    by_provider: MapShape,
    /// Every provider's map lock id → true, summed.
    ids: MapShape,
    /// Mean over every lock of the nodes on its path in `locks` (blocks, bytes): what
    /// GetLock reads, and what a message changing the lock reads and writes again.
    lock_path: (f64, f64),
    /// Mean over every provider of its path in `by_provider`.
    provider_path: (f64, f64),
    /// Mean over the locks of the miners the measured Locks go to of their path in their
    /// miner's ids map.
    ids_path: (f64, f64),
}

/// What the first ListLocks message reads (blocks, bytes): its miner's ids map walked for
/// a page, and the page's locks looked up in `locks`.
struct PageReads {
    ids: (u64, u64),
    locks: (u64, u64),
}

/// A mean of blocks and bytes over many lookups.
#[derive(Default)]
struct Mean {
    count: u64,
    blocks: u64,
    bytes: u64,
}

impl Mean {
    fn add(&mut self, blocks: u64, bytes: u64) {
        self.count += 1;
        self.blocks += blocks;
        self.bytes += bytes;
    }

    fn get(&self) -> (f64, f64) {
        let n = self.count.max(1) as f64;
        (self.blocks as f64 / n, self.bytes as f64 / n)
    }
}

/// What was measured at one N.
struct Point {
    n: usize,
    gas: Gas,
    /// Locks in the escrow when ListLocks ran (it runs last).
    listed_at: usize,
    /// Before the first message at this N.
    shapes: Shapes,
    page: PageReads,
}

/// A miner of the bench and how many locks name it.
struct Miner {
    id: ActorID,
    locks: usize,
    sectors: u64,
}

/// A lock of the population: sector evidence, never reported on or released.
#[derive(Debug, Clone, Copy)]
struct Held {
    id: u64,
    miner: ActorID,
}

/// A chain with a registry and an escrow reporting to it, the miners and the locks.
struct Bench {
    h: Harness,
    suite: Suite,
    /// Creates and owns every miner; `refund_to` of every lock.
    owner: Account,
    /// Sends every Lock and TopUp (the dApp side).
    locker: Account,
    /// The beneficiary of every lock and the client of every deal.
    client: Account,
    /// Sends the reports and the releases.
    watcher: Account,
    /// Sends the getters.
    reader: Account,
    miners: Vec<Miner>,
    population: Vec<Held>,
    /// Locks the escrow holds (ids issued), whatever their state.
    locks: usize,
    next_seed: u8,
    exec: Clock,
    sectors: Clock,
    lock_clock: Clock,
    /// The escrow's installed code, for the measured constructors.
    code: Cid,
}

pub fn run(options: &Options, findings: &mut super::Findings) -> Result<Section> {
    let started = Instant::now();
    let wasm = integration_tests::actors::require_wasm(PACKAGE)?;
    let mut b = Bench::new()?;
    let boot = started.elapsed();
    let mut steps = Vec::new();
    let mut points = Vec::new();
    for &n in options.sizes() {
        steps.push(b.populate(n)?);
        points.push(b.measure(n)?);
    }
    let operator = b.h.operator();
    let mut total_messages = 0;
    for a in [operator, b.owner, b.locker, b.client, b.watcher, b.reader] {
        total_messages += b.h.actor(a.id)?.map(|a| a.sequence).unwrap_or(0);
    }
    let (mut exec, mut sectors, mut locks) = (Clock::default(), Clock::default(), Clock::default());
    for s in &steps {
        exec.add(&s.exec);
        sectors.add(&s.sectors);
        locks.add(&s.locks);
    }
    let sizes: Vec<usize> = points.iter().map(|p| p.n).collect();
    let rows = gas_rows(&points);
    let facts = vec![
        format!("wasm module `{PACKAGE}`: {} bytes", thousands(wasm.len() as u64)),
        format!(
            "population: stand-in miners (init Exec from one owner account) filled with \
             {LOCKS_PER_MINER} locks each, one per sector: the operator adds the sector \
             (HarnessAddSector, 48 deadlines × partition 0), then one Lock of {COLLATERAL} FIL \
             with sector evidence and its location (ValidateSectorStatus Active), ending at \
             epoch {}; miners: {}; {} harness messages in all",
            thousands(LOCK_END as u64),
            b.miners.len(),
            thousands(total_messages)
        ),
        format!(
            "harness while populating: {} messages/s; {} ms per miner Exec, {} ms per \
             AddSector, {} ms per Lock (wall time, {} profile)",
            rate(&[exec, sectors, locks]),
            exec.ms_per_message(),
            sectors.ms_per_message(),
            locks.ms_per_message(),
            if cfg!(debug_assertions) { "dev" } else { "release" }
        ),
        format!(
            "section wall time {} (boot and deploy {})",
            seconds(started.elapsed()),
            seconds(boot)
        ),
    ];
    findings.growth(
        "escrow",
        &sizes,
        &rows,
        &[
            "Lock (deal + sector, with location)",
            "ReportFault DealTerminated (slash all)",
            "Release",
            "ListLocks (limit 100, provider with ≥ 100 locks)",
        ],
    );
    Ok(Section {
        title: "Collateral escrow".into(),
        facts,
        tables: vec![
            gas_table(&sizes, &rows, gas_notes(&points)),
            growth(&sizes, &points),
            spread_table(&sizes, &rows),
            shape_table(&points),
            reads_table(&points),
            population_table(&steps, &b),
        ],
    })
}

fn gas_rows(points: &[Point]) -> Vec<GasRow<'_>> {
    (0..points[0].gas.rows().len())
        .map(|i| {
            let name = points[0].gas.rows()[i].0;
            (name, points.iter().map(|p| p.gas.rows()[i].1).collect())
        })
        .collect()
}

fn gas_notes(points: &[Point]) -> Vec<String> {
    let listed: Vec<String> = points
        .iter()
        .map(|p| {
            format!(
                "{} at N = {}",
                thousands(p.listed_at as u64),
                thousands(p.n as u64)
            )
        })
        .collect();
    vec![
        format!(
            "N = locks in the escrow before the first message at that size. In order: the \
             getters, TopUp on population locks, then {SAMPLES} Locks of each kind on \
             population miners (each on a fresh sector, a deal published and activated \
             there by the operator for the deal kinds), each adding a lock."
        ),
        "Reports: DealTerminated on the deal locks just made (the operator terminates the \
         deal first), SectorFaulty on the located sector locks (sector faulted first), \
         SectorDead on the searched ones (sector terminated first, location given). Each \
         pays the reporter and the beneficiary and records the outcome at the registry."
            .into(),
        format!(
            "Release: {SAMPLES} more located sector locks ending at the next epoch, released \
             after the chain moves one epoch (pays refund_to, records Completed)."
        ),
        format!(
            "ListLocks runs last, from the start of the providers' lists, on {SAMPLES} miners \
             spread over those with at least 100 locks; below 100 locks the first miner is \
             first filled to 100 with population locks. Locks in the escrow then: {}.",
            listed.join(", ")
        ),
        "Lock with no location: the escrow asks the miner's GenerateSectorLocation; the \
         stand-in miner answers from one HAMT lookup, as cheap as ValidateSectorStatus, where \
         the builtin miner searches its deadlines and partitions."
            .into(),
        "Constructor: the whole message, init's Exec included: init records the new actor in \
         its address map, which grows with every actor the chain creates (the population's \
         miners and contracts), so its gas grows with N while the constructor's own work does \
         not."
            .into(),
    ]
}

fn shape_table(points: &[Point]) -> Table {
    let maps = points.iter().map(|p| {
        let s = &p.shapes;
        let maps = vec![
            ("locks", s.locks),
            ("by provider", s.by_provider),
            ("provider lock ids (all)", s.ids),
        ];
        (p.n, maps)
    });
    super::hamt::shape_table(
        "Escrow AMT and HAMTs at each N, before its messages (locks: AMT of bit width 3; by provider: HAMT of bit width 3, buckets of 3, a provider's first 8 lock ids inline)".into(),
        maps,
        vec![
            "provider lock ids (all): every provider's map lock id → true, summed (one map per \
              miner with locks)."
                .into(),
        ],
    )
}

fn reads_table(points: &[Point]) -> Table {
    let pair = |(blocks, bytes): (f64, f64)| [format!("{blocks:.2}"), kib(bytes)];
    let whole = |(blocks, bytes): (u64, u64)| [thousands(blocks), kib(bytes as f64)];
    let rows = points
        .iter()
        .map(|p| {
            let s = &p.shapes;
            let mut row = vec![thousands(p.n as u64)];
            row.extend(pair(s.lock_path));
            row.extend(pair(s.provider_path));
            row.extend(pair(s.ids_path));
            row.extend(whole(p.page.ids));
            row.extend(whole(p.page.locks));
            row
        })
        .collect();
    Table {
        caption: "Escrow HAMT nodes one call reads (blocks, KiB) at each N".into(),
        header: [
            "N",
            "lock path",
            "KiB",
            "provider path",
            "KiB",
            "lock id path",
            "KiB",
            "page: ids",
            "KiB",
            "page: 100 locks",
            "KiB",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![
            super::report::prose("escrow-paths"),
            super::report::prose("escrow-page"),
        ],
    }
}

fn population_table(steps: &[Step], b: &Bench) -> Table {
    let mut rows: Vec<Vec<String>> = steps
        .iter()
        .map(|s| {
            vec![
                format!("{} → {}", thousands(s.from as u64), thousands(s.to as u64)),
                thousands(s.exec.messages),
                thousands(s.sectors.messages),
                s.sectors.ms_per_message(),
                thousands(s.locks.messages),
                s.locks.ms_per_message(),
                rate(&[s.exec, s.sectors, s.locks]),
                seconds(s.wall),
            ]
        })
        .collect();
    rows.push(vec![
        "all (incl. measured messages)".into(),
        thousands(b.exec.messages),
        thousands(b.sectors.messages),
        b.sectors.ms_per_message(),
        thousands(b.lock_clock.messages),
        b.lock_clock.ms_per_message(),
        rate(&[b.exec, b.sectors, b.lock_clock]),
        seconds(b.exec.time + b.sectors.time + b.lock_clock.time),
    ]);
    Table {
        caption: "Harness throughput while building the population (wall time)".into(),
        header: [
            "locks",
            "miner Execs",
            "AddSectors",
            "ms / AddSector",
            "Locks",
            "ms / Lock",
            "messages/s",
            "wall time",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![
            "Wall time of the step includes the checks of every receipt; the last row counts \
             message time only (population, the fill before ListLocks and the measured \
             Locks)."
                .into(),
        ],
    }
}

impl Bench {
    fn new() -> Result<Self> {
        let mut h = Harness::new()?;
        let admin = h.create_account(fil(1_000))?;
        let owner = h.create_bls_account(fil(1_000))?;
        // Every lock's collateral: about 10,500 locks of 5 FIL on a full run.
        let locker = h.create_account(fil(1_000_000))?;
        let client = h.create_account(fil(1_000))?;
        let watcher = h.create_account(fil(1_000))?;
        let reader = h.create_account(fil(1_000))?;
        let suite = esc::deploy(&mut h, &admin, &admin, Policy::default())?;
        let code = h.install_code(&admin, integration_tests::actors::require_wasm(PACKAGE)?)?;
        Ok(Self {
            h,
            suite,
            owner,
            locker,
            client,
            watcher,
            reader,
            miners: Vec::new(),
            population: Vec::new(),
            locks: 0,
            next_seed: 0,
            exec: Clock::default(),
            sectors: Clock::default(),
            lock_clock: Clock::default(),
            code,
        })
    }

    fn escrow(&self) -> ActorID {
        self.suite.escrow
    }

    /// A new miner owned (and worked) by the owner account.
    fn new_miner(&mut self) -> Result<usize> {
        let owner = self.owner;
        let id = self.exec.time(|| {
            create_miner(
                &mut self.h,
                &owner,
                owner.address(),
                owner.address(),
                vec![],
                SECTOR_SIZE_32GIB,
            )
        })?;
        self.miners.push(Miner {
            id,
            locks: 0,
            sectors: 0,
        });
        Ok(self.miners.len() - 1)
    }

    /// A new Active sector of miner `m` at its `location`.
    fn add_sector(&mut self, m: usize) -> Result<SectorNumber> {
        let (miner, sector) = (self.miners[m].id, self.miners[m].sectors);
        let l = location(sector);
        self.sectors.time(|| {
            miner::add_sector(
                &mut self.h,
                miner,
                sector,
                l.deadline as u64,
                l.partition as u64,
                SECTOR_EXPIRATION,
            )?
            .ok()
            .context("HarnessAddSector")
        })?;
        self.miners[m].sectors += 1;
        Ok(sector)
    }

    /// A deal between the client and miner `m`, published and activated now in `sector`.
    fn deal(&mut self, m: usize, sector: SectorNumber) -> Result<DealID> {
        let (client, miner, epoch) = (self.client.id, self.miners[m].id, self.h.epoch());
        self.next_seed = self.next_seed % 0x3f + 1;
        let proposal = deal_proposal(client, miner, epoch + 10, DEAL_END, self.next_seed);
        let deal = self.h.publish_deal(&proposal)?;
        self.h.activate_deal(deal, sector)?;
        Ok(deal)
    }

    /// Sends Lock for miner `m`; the new lock's id and the receipt.
    fn lock(&mut self, m: usize, evidence: EvidenceParams, end: ChainEpoch) -> Result<(u64, Receipt)> {
        let (locker, escrow) = (self.locker, self.escrow());
        let p = lock_params(self.miners[m].id, self.client.id, self.owner.id, evidence, end);
        let r = self
            .lock_clock
            .time(|| EscrowClient::at(escrow).lock(&mut self.h, &locker, &p, fil(COLLATERAL)))?
            .ok()
            .context("Lock")?;
        let id = esc::lock_id(&r)?;
        ensure!(id == self.locks as u64, "lock id {id}, expected {}", self.locks);
        ensure!(r.events_of(EVENT_LOCKED).len() == 1, "no lock event");
        self.locks += 1;
        self.miners[m].locks += 1;
        Ok((id, r))
    }

    /// One population lock on miner `m`: a fresh sector, a located sector lock.
    fn add_held(&mut self, m: usize) -> Result<()> {
        let sector = self.add_sector(m)?;
        let (id, _) = self.lock(m, located(sector), LOCK_END)?;
        self.population.push(Held {
            id,
            miner: self.miners[m].id,
        });
        Ok(())
    }

    /// Adds population locks until the escrow holds `target`, filling one miner after
    /// another; progress on stderr.
    fn populate(&mut self, target: usize) -> Result<Step> {
        let from = self.locks;
        let (exec, sectors, locks) = (self.exec, self.sectors, self.lock_clock);
        let started = Instant::now();
        // A line per thousand locks on long steps.
        let mut next_report = if target - from >= 2_000 {
            (from / 1_000 + 1) * 1_000
        } else {
            usize::MAX
        };
        while self.locks < target {
            let m = match self.miners.last() {
                Some(m) if m.locks < LOCKS_PER_MINER => self.miners.len() - 1,
                _ => self.new_miner()?,
            };
            self.add_held(m)?;
            if self.locks >= next_report {
                next_report += 1_000;
                let messages = self.exec.since(&exec).messages
                    + self.sectors.since(&sectors).messages
                    + self.lock_clock.since(&locks).messages;
                let secs = started.elapsed().as_secs_f64();
                eprintln!(
                    "  populating: {} / {} locks on {} miners, {} messages in {secs:.1} s ({:.0} \
                     messages/s)",
                    thousands(self.locks as u64),
                    thousands(target as u64),
                    self.miners.len(),
                    thousands(messages),
                    messages as f64 / secs
                );
            }
        }
        let step = Step {
            from,
            to: target,
            exec: self.exec.since(&exec),
            sectors: self.sectors.since(&sectors),
            locks: self.lock_clock.since(&locks),
            wall: started.elapsed(),
        };
        eprintln!(
            "  N = {}: populated in {} ({} messages/s)",
            thousands(target as u64),
            seconds(step.wall),
            rate(&[step.exec, step.sectors, step.locks])
        );
        Ok(step)
    }

    /// The miner of sample `i`, spread over the miners.
    fn sample_miner(&self, i: usize) -> usize {
        spread(self.miners.len(), i)
    }

    /// The population lock of sample `i`.
    fn sample_held(&self, i: usize) -> Held {
        self.population[spread(self.population.len(), i)]
    }

    fn report(&mut self, lock_id: u64, proof: FaultProof) -> Result<(ReportFaultReturn, u64)> {
        let (watcher, escrow) = (self.watcher, self.escrow());
        let r = EscrowClient::at(escrow)
            .report_fault(&mut self.h, &watcher, lock_id, proof)?
            .ok()
            .context("ReportFault")?;
        ensure!(r.events_of(EVENT_SLASHED).len() == 1, "no slash event");
        Ok((r.ret()?, r.gas_used))
    }

    /// Every method at the current population; see `gas_notes` for the order.
    fn measure(&mut self, n: usize) -> Result<Point> {
        ensure!(self.locks == n, "the escrow holds {} locks, not {n}", self.locks);
        let sampled: Vec<ActorID> = (0..SAMPLES)
            .map(|i| self.miners[self.sample_miner(i)].id)
            .collect();
        let shapes = self.shapes(&sampled)?;
        let mut gas = Gas::default();
        let (reader, locker, escrow) = (self.reader, self.locker, self.escrow());

        for i in 0..SAMPLES {
            let held = self.sample_held(i);
            let r = self.h.call(
                &reader,
                escrow,
                METHOD_GET_LOCK,
                &LockIdParams { lock_id: held.id },
                TokenAmount::default(),
            )?;
            let got: GetLockReturn = r.ret().context("GetLock")?;
            ensure!(
                got.lock_id == held.id && got.lock.provider == held.miner,
                "GetLock answered another lock"
            );
            gas.get_lock.push(r.gas_used);
        }

        for _ in 0..SAMPLES {
            let params = ConstructorParams {
                reputation: fvm_shared::address::Address::new_id(self.suite.reputation),
                policy: Policy::default(),
            };
            let code = self.code;
            let r = self
                .h
                .exec_actor(&reader, code, &params, TokenAmount::default())?
                .ok()
                .context("Constructor")?;
            gas.constructor.push(r.gas_used);
        }

        for _ in 0..SAMPLES {
            let r = self.h.call_no_params(&reader, escrow, METHOD_GET_TOTALS)?;
            let totals: Totals = r.ret().context("GetTotals")?;
            ensure!(
                totals.locks_created == n as u64,
                "GetTotals counts {} locks",
                totals.locks_created
            );
            gas.totals.push(r.gas_used);
        }

        for _ in 0..SAMPLES {
            let r = self.h.call_no_params(&reader, escrow, METHOD_GET_POLICY)?;
            let policy: Policy = r.ret().context("GetPolicy")?;
            ensure!(policy == Policy::default(), "GetPolicy answered {policy:?}");
            gas.policy.push(r.gas_used);
        }

        for i in 0..SAMPLES {
            let held = self.sample_held(i);
            let r = EscrowClient::at(escrow)
                .top_up(&mut self.h, &locker, held.id, fil(TOP_UP))?
                .ok()
                .context("TopUp")?;
            ensure!(r.events_of(EVENT_TOPPED_UP).len() == 1, "no top-up event");
            gas.top_up.push(r.gas_used);
        }

        // Locks of each kind; the reports below use them.
        let mut faulty = Vec::new();
        for i in 0..SAMPLES {
            let m = self.sample_miner(i);
            let sector = self.add_sector(m)?;
            let (id, r) = self.lock(m, located(sector), LOCK_END)?;
            gas.lock_located.push(r.gas_used);
            faulty.push((id, m, sector));
        }
        let mut dead = Vec::new();
        for i in 0..SAMPLES {
            let m = self.sample_miner(i);
            let sector = self.add_sector(m)?;
            let evidence = EvidenceParams {
                sector_location: None,
                ..located(sector)
            };
            let (id, r) = self.lock(m, evidence, LOCK_END)?;
            gas.lock_search.push(r.gas_used);
            dead.push((id, m, sector));
        }
        let mut terminated = Vec::new();
        for i in 0..SAMPLES {
            let m = self.sample_miner(i);
            let sector = self.add_sector(m)?;
            let deal = self.deal(m, sector)?;
            let evidence = EvidenceParams {
                deal: Some(deal),
                sector: None,
                sector_location: None,
            };
            let (id, r) = self.lock(m, evidence, LOCK_END)?;
            gas.lock_deal.push(r.gas_used);
            terminated.push((id, deal));
        }
        for i in 0..SAMPLES {
            let m = self.sample_miner(i);
            let sector = self.add_sector(m)?;
            let deal = self.deal(m, sector)?;
            let evidence = EvidenceParams {
                deal: Some(deal),
                ..located(sector)
            };
            let (_, r) = self.lock(m, evidence, LOCK_END)?;
            gas.lock_both.push(r.gas_used);
        }

        for (id, deal) in terminated {
            self.h.terminate_deal(deal)?;
            let (ret, g) = self.report(id, FaultProof::DealTerminated)?;
            ensure!(
                ret.slashed == fil(COLLATERAL) && ret.remaining.is_zero(),
                "DealTerminated slashed {}",
                ret.slashed
            );
            gas.deal_terminated.push(g);
        }
        for (id, m, sector) in faulty {
            let miner = self.miners[m].id;
            miner::fault_sector(&mut self.h, miner, sector)?
                .ok()
                .context("HarnessFaultSector")?;
            let (ret, g) = self.report(id, FaultProof::SectorFaulty(location(sector)))?;
            ensure!(
                !ret.slashed.is_zero() && !ret.remaining.is_zero(),
                "SectorFaulty slashed {} of {}",
                ret.slashed,
                fil(COLLATERAL)
            );
            gas.sector_faulty.push(g);
        }
        for (id, m, sector) in dead {
            let miner = self.miners[m].id;
            miner::terminate_sector(&mut self.h, miner, sector)?
                .ok()
                .context("HarnessTerminateSector")?;
            let (ret, g) = self.report(id, FaultProof::SectorDead(location(sector)))?;
            ensure!(ret.remaining.is_zero(), "SectorDead left {}", ret.remaining);
            gas.sector_dead.push(g);
        }

        let end = self.h.epoch() + 1;
        let mut ending = Vec::new();
        for i in 0..SAMPLES {
            let m = self.sample_miner(i);
            let sector = self.add_sector(m)?;
            ending.push(self.lock(m, located(sector), end)?.0);
        }
        self.h.advance_to(end)?;
        let watcher = self.watcher;
        for id in ending {
            let r = EscrowClient::at(escrow)
                .release(&mut self.h, &watcher, id)?
                .ok()
                .context("Release")?;
            ensure!(r.events_of(EVENT_RELEASED).len() == 1, "no release event");
            gas.release.push(r.gas_used);
        }

        if !self.miners.iter().any(|m| m.locks >= PAGE as usize) {
            let m = (0..self.miners.len())
                .max_by_key(|&m| self.miners[m].locks)
                .context("no miner")?;
            while self.miners[m].locks < PAGE as usize {
                self.add_held(m)?;
            }
        }
        let listed_at = self.locks;
        let full: Vec<ActorID> = self
            .miners
            .iter()
            .filter(|m| m.locks >= PAGE as usize)
            .map(|m| m.id)
            .collect();
        let mut listed = Vec::new();
        for i in 0..SAMPLES {
            let provider = full[spread(full.len(), i)];
            let r = self.h.call(
                &reader,
                escrow,
                METHOD_LIST_LOCKS,
                &ListLocksParams {
                    provider,
                    cursor: None,
                    limit: PAGE,
                },
                TokenAmount::default(),
            )?;
            let page: ListLocksReturn = r.ret().context("ListLocks")?;
            ensure!(
                page.locks.len() == PAGE as usize && page.locks.iter().all(|l| l.lock.provider == provider),
                "ListLocks answered {} locks",
                page.locks.len()
            );
            listed.push(provider);
            gas.list.push(r.gas_used);
        }

        let page = self.page_reads(listed[0])?;
        eprintln!("  N = {}: measured", thousands(n as u64));
        Ok(Point {
            n,
            gas,
            listed_at,
            shapes,
            page,
        })
    }

    /// The escrow's HAMTs as they are now, and what calls read of them.
    /// The escrow's HAMTs as they are now, and the paths to the locks and lock ids of
    /// `miners` (the miners the measured Locks go to).
    fn shapes(&mut self, miners: &[ActorID]) -> Result<Shapes> {
        self.h.flush()?;
        let state: State = esc::state(&self.h, self.escrow())?;
        let store = self.h.store();
        let locks = vector_shape::<_, Lock>(store, &state.locks)?;
        let by_provider = shape::<_, u64, Members>(store, &state.by_provider)?;
        let all_members =
            actor_runtime::Map::<_, u64, Members>::load(store, &state.by_provider, "by provider")?
                .page(None, usize::MAX)?
                .entries;
        // Providers with a few locks keep their ids inline in by_provider: only the others have
        // an ids map.
        let roots: Vec<(ActorID, Cid)> = all_members
            .iter()
            .filter_map(|(p, m)| m.tree.map(|root| (*p, root)))
            .collect();
        let mut ids = MapShape::default();
        for (_, root) in &roots {
            let s = shape::<_, u64, bool>(store, root)?;
            ids.entries += s.entries;
            ids.nodes += s.nodes;
            ids.bytes += s.bytes;
        }

        let mut lock_path = Mean::default();
        for id in 0..state.next_lock_id {
            let (found, b, n) = vector_read::<_, Lock, _>(store, &state.locks, |m| Ok(m.contains(id)?))?;
            ensure!(found, "lock {id} is missing");
            lock_path.add(b, n);
        }
        let mut provider_path = Mean::default();
        for (provider, _) in &all_members {
            let (_, b, n) =
                read::<_, u64, Members, _>(store, &state.by_provider, |m| Ok(m.get(provider)?.cloned()))?;
            provider_path.add(b, n);
        }
        let mut ids_path = Mean::default();
        for miner in miners {
            let Some((_, root)) = roots.iter().find(|(p, _)| p == miner) else {
                continue;
            };
            let all = read::<_, u64, bool, _>(store, root, |m| Ok(m.page(None, usize::MAX)?.entries))?.0;
            for (id, _) in &all {
                let (_, b, n) = read::<_, u64, bool, _>(store, root, |m| Ok(m.contains(id)?))?;
                ids_path.add(b, n);
            }
        }
        Ok(Shapes {
            locks,
            by_provider,
            ids,
            lock_path: lock_path.get(),
            provider_path: provider_path.get(),
            ids_path: ids_path.get(),
        })
    }

    /// What the ListLocks of `listed` reads: its ids map walked for a page, then the page's
    /// locks looked up in `locks` (blocks, bytes each).
    fn page_reads(&mut self, listed: ActorID) -> Result<PageReads> {
        self.h.flush()?;
        let state: State = esc::state(&self.h, self.escrow())?;
        let store = self.h.store();
        let (members, _, _) = read::<_, u64, Members, _>(store, &state.by_provider, |m| {
            m.get(&listed)?.cloned().context("the listed miner has no locks")
        })?;
        let (page, ib, inb) = match &members.tree {
            Some(root) => read::<_, u64, bool, _>(store, root, |m| Ok(m.page(None, PAGE as usize)?.entries))?,
            None => (members.inline.iter().map(|id| (*id, true)).collect(), 0, 0),
        };
        let ((), lb, ln) = vector_read::<_, Lock, _>(store, &state.locks, |m| {
            for (id, _) in &page {
                ensure!(m.get(*id)?.is_some(), "lock {id} is missing");
            }
            Ok(())
        })?;
        Ok(PageReads {
            ids: (ib, inb),
            locks: (lb, ln),
        })
    }
}

/// Each method's growth against the escrow HAMT blocks it reads.
fn growth(sizes: &[usize], points: &[Point]) -> Table {
    let (first, last) = (&points[0], &points[points.len() - 1]);
    let paths = |p: &Point| {
        let s = &p.shapes;
        (
            s.lock_path.0 + s.provider_path.0 + s.ids_path.0,
            s.lock_path.1 + s.provider_path.1 + s.ids_path.1,
        )
    };
    let page = |p: &Point| {
        (
            (p.page.ids.0 + p.page.locks.0) as f64,
            (p.page.ids.1 + p.page.locks.1) as f64,
        )
    };
    let bound = |what: &str, f: &dyn Fn(&Point) -> (f64, f64)| super::Bound {
        what: what.into(),
        blocks: (f(first).0, f(last).0),
        bytes: (f(first).1, f(last).1),
    };
    let locks = || bound("lock + provider + lock-id paths", &paths);
    super::growth_table(
        sizes,
        &gas_rows(points),
        &bound("a lock's path", &|p| p.shapes.lock_path),
        &[
            ("Lock (deal evidence)", locks()),
            ("Lock (sector evidence, with location)", locks()),
            ("Lock (sector evidence, no location: miner searches)", locks()),
            ("Lock (deal + sector, with location)", locks()),
            (
                "ListLocks (limit 100, provider with ≥ 100 locks)",
                bound("the page's id and lock nodes", &page),
            ),
        ],
        &[(
            "Constructor (init Exec of installed code, whole message)",
            "init's work: its address map holds every actor the chain created (the miners here)",
        )],
    )
}
