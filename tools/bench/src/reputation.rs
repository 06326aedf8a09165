//! Section: the provider reputation registry.

use fvm_shared::address::Address;
use integration_tests::ReputationClient;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context, Result};
use cid::Cid;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use integration_tests::miner::{create_miner, SECTOR_SIZE_32GIB};
use integration_tests::reputation::{self as rep, sample_metadata, Reporter, PACKAGE};
use integration_tests::{Account, Harness};
use suite_interfaces::reputation::*;

use provider_reputation::state::{Book, ProviderEntry, Providers, State, BOOK_CONFIG, PROVIDERS_CONFIG};

use super::hamt::{shape, Counting, MapShape};
use super::report::{Section, Table};
use super::{
    gas_table, kib, rate, seconds, spread, spread_table, thousands, Clock, GasRow, Options, SAMPLES,
};

/// The batch of GetScores and the page of ListProviders.
const BATCH: usize = 100;
/// One 32 GiB sector for 180 days, in bytes × epochs.
const WEIGHT: u64 = SECTOR_SIZE_32GIB * 518_400;

/// Gas of every sample, per method, at one N.
#[derive(Debug, Default)]
struct Gas {
    register: Vec<u64>,
    record_existing: Vec<u64>,
    record_new: Vec<u64>,
    record_repeat: Vec<u64>,
    get_reputation: Vec<u64>,
    get_scores: Vec<u64>,
    list: Vec<u64>,
    get_admin: Vec<u64>,
    is_reporter: Vec<u64>,
    add_reporter: Vec<u64>,
    remove_reporter: Vec<u64>,
    transfer_admin: Vec<u64>,
    accept_admin: Vec<u64>,
    update_metadata: Vec<u64>,
    constructor: Vec<u64>,
    /// What the relay adds to a message it forwards (see `relay_share`).
    relay: Vec<u64>,
}

impl Gas {
    /// In table order.
    fn rows(&self) -> [(&'static str, &[u64]); 16] {
        [
            (
                "Constructor (init Exec of installed code, whole message)",
                &self.constructor,
            ),
            ("AddReporter (a relay contract)", &self.add_reporter),
            ("RemoveReporter", &self.remove_reporter),
            ("TransferAdmin (to an account)", &self.transfer_admin),
            ("AcceptAdmin", &self.accept_admin),
            ("UpdateMetadata (a registered provider)", &self.update_metadata),
            ("RegisterProvider (fresh miner, by its owner)", &self.register),
            ("RecordOutcome (provider has a record)", &self.record_existing),
            ("RecordOutcome (new provider)", &self.record_new),
            ("RecordOutcome (repeat: no-op)", &self.record_repeat),
            ("GetReputation", &self.get_reputation),
            ("GetScores (100 providers)", &self.get_scores),
            ("ListProviders (limit 100)", &self.list),
            ("GetAdmin", &self.get_admin),
            ("IsReporter", &self.is_reporter),
            ("(relay's share of each RecordOutcome above)", &self.relay),
        ]
    }
}

/// Building the population from one N to the next.
struct Step {
    from: usize,
    to: usize,
    exec: Clock,
    record: Clock,
    wall: Duration,
}

/// The registry's HAMTs, by what they hold.
type Maps = Vec<(&'static str, MapShape)>;

/// What was measured at one N.
struct Point {
    n: usize,
    gas: Gas,
    /// The registry's HAMTs, recognised by what they hold.
    maps: Maps,
    reads: Option<Reads>,
    /// The first RecordOutcome on an existing provider and the first GetScores, traced.
    record_trace: super::trace::Tree,
    scores_trace: super::trace::Tree,
}

/// Blocks and bytes of the providers HAMT that one call reads (each node once: the HAMT
/// keeps what it loaded, as the actor's does within one message).
struct Reads {
    /// Mean over every provider of the nodes on its path, root included.
    lookup_blocks: f64,
    lookup_bytes: f64,
    /// The 100 providers of the first GetScores sample.
    batch_blocks: u64,
    batch_bytes: u64,
    /// The first ListProviders page.
    page_blocks: u64,
    page_bytes: u64,
}

/// A chain with a registry, its reporter and the providers it knows.
struct Bench {
    h: Harness,
    registry: ActorID,
    /// A relay contract registered as reporter (reporters must be contracts), and its owner.
    reporter: Reporter,
    /// Creates and owns every miner (one account: the cheapest way to many miners).
    owner: Account,
    /// Sends the getters.
    reader: Account,
    /// The registry's admin now, and the account the admin role goes to and back.
    admin: Account,
    other_admin: Account,
    /// Relay contracts added and removed as reporters by the measured messages.
    spare_reporters: Vec<ActorID>,
    /// The registry's installed code, for the measured constructors.
    code: Cid,
    /// Every provider the registry has a record of, in creation order.
    providers: Vec<ActorID>,
    /// Providers with one counted outcome, and its subject (the deal id).
    outcomes: Vec<(ActorID, u64)>,
    next_subject: u64,
    exec: Clock,
    record: Clock,
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
    let total_messages = b.h.actor(b.owner.id)?.map(|a| a.sequence).unwrap_or(0)
        + b.h.actor(b.reporter.owner.id)?.map(|a| a.sequence).unwrap_or(0)
        + b.h.actor(b.reader.id)?.map(|a| a.sequence).unwrap_or(0);

    let sizes: Vec<usize> = points.iter().map(|p| p.n).collect();
    let (mut exec, mut record) = (Clock::default(), Clock::default());
    for s in &steps {
        exec.add(&s.exec);
        record.add(&s.record);
    }
    let facts = vec![
        format!("wasm module `{PACKAGE}`: {} bytes", thousands(wasm.len() as u64)),
        format!(
            "population: one stand-in miner per provider (init Exec from one owner account), \
             then one RecordOutcome (Completed, 32 GiB × 180 days) from the registered reporter, a \
             relay contract (reporters must be contracts); \
             {} harness messages in all",
            thousands(total_messages)
        ),
        format!(
            "harness while populating: {} messages/s; {} ms per miner Exec, {} ms per \
             RecordOutcome (wall time, {} profile)",
            rate(&[exec, record]),
            exec.ms_per_message(),
            record.ms_per_message(),
            if cfg!(debug_assertions) { "dev" } else { "release" }
        ),
        format!(
            "section wall time {} (boot and deploy {})",
            seconds(started.elapsed()),
            seconds(boot)
        ),
    ];
    findings.growth(
        "registry",
        &sizes,
        &gas_rows(&points),
        &[
            "RecordOutcome (provider has a record)",
            "RegisterProvider (fresh miner, by its owner)",
            "GetScores (100 providers)",
        ],
    );
    Ok(Section {
        title: "Provider reputation registry".into(),
        facts,
        tables: vec![
            gas_table(&sizes, &gas_rows(&points), gas_notes()),
            growth(&sizes, &points),
            spread_table(&sizes, &gas_rows(&points)),
            charges_table(&points),
            shape_table(&points),
            reads_table(&points),
            population_table(&steps, &b),
        ],
    })
}

/// Each method's samples at each N, in table order.
fn gas_rows(points: &[Point]) -> Vec<GasRow<'_>> {
    (0..points[0].gas.rows().len())
        .map(|i| {
            let name = points[0].gas.rows()[i].0;
            (name, points.iter().map(|p| p.gas.rows()[i].1).collect())
        })
        .collect()
}

fn gas_notes() -> Vec<String> {
    vec![
        format!(
            "N = providers in the registry before the first message at that size; the \
             {SAMPLES} new-provider outcomes and then the {SAMPLES} registrations each add one \
             as they go."
        ),
        "GetScores asks for 100 existing providers spread over the population (with \
         repeats while N < 100); ListProviders pages from the start (at most N entries)."
            .into(),
        format!(
            "Admin methods: GetAdmin, IsReporter (alternately a reporter and not), AddReporter \
             then RemoveReporter of {SAMPLES} spare relay contracts, TransferAdmin then \
             AcceptAdmin between two accounts ({SAMPLES} rounds), {SAMPLES} constructors (new \
             registries from the installed code: init's Exec with the constructor inside). \
             UpdateMetadata renames each provider right after its RegisterProvider."
        ),
        "Constructor: the whole message, init's Exec included: init records the new actor in \
         its address map, which grows with every actor the chain creates (the population's \
         miners and contracts), so its gas grows with N while the constructor's own work does \
         not."
            .into(),
    ]
}

/// Where the gas of a RecordOutcome and of a GetScores goes: the top charges of each, traced.
fn charges_table(points: &[Point]) -> Table {
    use super::trace::by_name;
    let mut header = vec!["message".to_string(), "charge".to_string()];
    for p in points {
        header.push(super::n_header(p.n));
        header.push("count".into());
    }
    let mut rows = Vec::new();
    type Traced = fn(&Point) -> &super::trace::Tree;
    let traces: [(&str, Traced); 2] = [
        ("RecordOutcome (provider has a record)", |p| &p.record_trace),
        ("GetScores (100 providers)", |p| &p.scores_trace),
    ];
    for (what, trace) in traces {
        let sums: Vec<_> = points.iter().map(|p| by_name(&trace(p).all_charges())).collect();
        let mut total = vec![what.to_string(), "all (traced)".into()];
        for p in points {
            total.push(thousands(trace(p).total() / 1000));
            total.push(String::new());
        }
        rows.push(total);
        let mut written = vec![String::new(), "bytes of each block written".into()];
        for p in points {
            let sizes = super::trace::bytes_written(&trace(p).all_charges());
            written.push(
                sizes
                    .iter()
                    .map(|b| thousands(*b))
                    .collect::<Vec<_>>()
                    .join(" + "),
            );
            written.push(String::new());
        }
        rows.push(written);
        for (name, ..) in sums[sums.len() - 1].iter().take(6) {
            let mut row = vec![String::new(), name.clone()];
            for sum in &sums {
                let (count, gas) = sum
                    .iter()
                    .find(|(n, ..)| n == name)
                    .map_or((0, 0), |(_, count, c, o)| (*count, c + o));
                row.push(thousands(gas / 1000));
                row.push(thousands(count));
            }
            rows.push(row);
        }
    }
    Table {
        caption: "Where the gas goes: the top charges of the first RecordOutcome on an existing \
                  provider and of the first GetScores at each N (traced; the whole message, relay \
                  included)"
            .into(),
        header,
        rows,
        notes: vec![
            "OnBlockLink is a block written (506,000 gas + 3,340 a byte), OnBlockOpenBase a block \
             read (187,440), wasm_exec the actor's own instructions (decoding and encoding those \
             blocks among them); count is the number of charges of that name."
                .into(),
        ],
    }
}

fn shape_table(points: &[Point]) -> Table {
    let (p, b) = (PROVIDERS_CONFIG, BOOK_CONFIG);
    super::hamt::shape_table(
        format!(
            "Registry HAMTs after the messages at each N (providers: bit width {}, buckets of {}; \
             books: bit width {}, buckets of {}; the others: bit width {}, buckets of 3)",
            p.bit_width,
            p.max_array_width,
            b.bit_width,
            b.max_array_width,
            actor_runtime::map::HAMT_BIT_WIDTH
        ),
        points.iter().map(|p| (p.n, p.maps.clone())),
        vec![
            "Providers: an entry per provider (its evidence, counts and registered flag packed in \
             one byte string, and the link to its book). Books: one small HAMT per provider with \
             outcomes (its byte, stake and epoch totals, and the weight counted per subject), \
             summed over every provider."
                .into(),
        ],
    )
}

fn reads_table(points: &[Point]) -> Table {
    let rows = points
        .iter()
        .map(|p| {
            let mut row = vec![thousands(p.n as u64)];
            match &p.reads {
                Some(r) => row.extend([
                    format!("{:.2}", r.lookup_blocks),
                    kib(r.lookup_bytes),
                    thousands(r.batch_blocks),
                    kib(r.batch_bytes as f64),
                    thousands(r.page_blocks),
                    kib(r.page_bytes as f64),
                ]),
                None => row.extend(["?"; 6].map(String::from)),
            }
            row
        })
        .collect();
    Table {
        caption: "Providers HAMT nodes one call reads (blocks, KiB), after the messages at each N".into(),
        header: [
            "N",
            "one lookup",
            "KiB",
            "100 lookups",
            "KiB",
            "page of 100",
            "KiB",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![
            "One lookup: mean over every provider; 100 lookups: the first GetScores batch; \
             a node is read once per call. In ref-fvm 4's price list a block read costs \
             about 187,700 gas + 10 per byte and a block written about 506,300 + 3,360 per byte, \
             besides the wasm's own work (4 gas per instruction) decoding and encoding it."
                .into(),
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
                s.exec.ms_per_message(),
                thousands(s.record.messages),
                s.record.ms_per_message(),
                rate(&[s.exec, s.record]),
                seconds(s.wall),
            ]
        })
        .collect();
    rows.push(vec![
        "all (incl. measured messages)".into(),
        thousands(b.exec.messages),
        b.exec.ms_per_message(),
        thousands(b.record.messages),
        b.record.ms_per_message(),
        rate(&[b.exec, b.record]),
        seconds(b.exec.time + b.record.time),
    ]);
    Table {
        caption: "Harness throughput while building the population (wall time)".into(),
        header: [
            "providers",
            "miner Execs",
            "ms / Exec",
            "RecordOutcomes",
            "ms / RecordOutcome",
            "messages/s",
            "wall time",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![
            "Wall time of the step includes the checks of every receipt; the last row counts \
             message time only."
                .into(),
        ],
    }
}

/// The shape of every provider's book together (one HAMT per provider with outcomes).
fn books_shape<B: Blockstore>(store: &B, providers: &[(ActorID, ProviderEntry)]) -> Result<MapShape> {
    let mut all = MapShape::default();
    for (_, entry) in providers {
        let Some(root) = &entry.book else { continue };
        let counting = Counting::new(store);
        let entries = Book::open(&counting, Some(root))?.entries()?;
        let (nodes, bytes) = counting.counts();
        all.entries += entries.len() as u64;
        all.nodes += nodes;
        all.bytes += bytes;
    }
    Ok(all)
}

fn outcome(provider: ActorID, subject: u64) -> RecordOutcomeParams {
    RecordOutcomeParams {
        provider,
        subject: Subject {
            kind: SubjectKind::Deal,
            id: subject,
        },
        kind: OutcomeKind::Completed,
        weight: WEIGHT,
        bytes: SECTOR_SIZE_32GIB,
    }
}

impl Bench {
    fn new() -> Result<Self> {
        let mut h = Harness::new()?;
        let fil = TokenAmount::from_whole;
        let admin = h.create_account(fil(1_000))?;
        let reporter_owner = h.create_account(fil(1_000))?;
        let owner = h.create_bls_account(fil(1_000))?;
        let reader = h.create_account(fil(1_000))?;
        let other_admin = h.create_account(fil(1_000))?;
        let registry = rep::deploy(&mut h, &admin, admin.id)?;
        let code = h.install_code(&admin, integration_tests::actors::require_wasm(PACKAGE)?)?;
        let reporter = rep::deploy_reporter(&mut h, &reporter_owner)?;
        let mut spare_reporters = Vec::new();
        for _ in 0..SAMPLES {
            spare_reporters.push(rep::deploy_reporter(&mut h, &reporter_owner)?.relay);
        }
        ReputationClient::at(registry)
            .add_reporter(&mut h, &admin, Address::new_id(reporter.relay))?
            .ok()
            .context("AddReporter")?;
        // A first miner outside the registry, so that compiling and loading the miner's
        // code does not count in the throughput.
        create_miner(
            &mut h,
            &owner,
            owner.address(),
            owner.address(),
            vec![],
            SECTOR_SIZE_32GIB,
        )?;
        Ok(Self {
            h,
            registry,
            reporter,
            owner,
            reader,
            admin,
            other_admin,
            spare_reporters,
            code,
            providers: Vec::new(),
            outcomes: Vec::new(),
            next_subject: 1,
            exec: Clock::default(),
            record: Clock::default(),
        })
    }

    fn subject(&mut self) -> u64 {
        self.next_subject += 1;
        self.next_subject
    }

    /// A new miner owned (and worked) by the owner account.
    fn new_miner(&mut self) -> Result<ActorID> {
        let owner = self.owner;
        self.exec.time(|| {
            create_miner(
                &mut self.h,
                &owner,
                owner.address(),
                owner.address(),
                vec![],
                SECTOR_SIZE_32GIB,
            )
        })
    }

    /// Sends RecordOutcome; its gas and whether it was counted.
    fn record(&mut self, p: &RecordOutcomeParams) -> Result<(u64, bool)> {
        let (reporter, registry) = (self.reporter, self.registry);
        let r = self
            .record
            .time(|| rep::record(&mut self.h, &reporter, registry, p))?;
        let ret: RecordOutcomeReturn = r.ret().context("RecordOutcome")?;
        Ok((r.gas_used, ret.counted))
    }

    /// What relaying adds to a message: the same RecordOutcome params sent to an account
    /// (which accepts any exported method and does nothing) through the relay, less the
    /// same message sent to it directly. The relay's invocation, its send and the larger
    /// message; the same at every N.
    fn relay_share(&mut self, p: &RecordOutcomeParams) -> Result<u64> {
        let (reporter, target) = (self.reporter, self.reader.id);
        let relayed = rep::relay(&mut self.h, &reporter, target, METHOD_RECORD_OUTCOME, p)?
            .ok()
            .context("relay to an account")?;
        let direct = self
            .h
            .call(
                &reporter.owner,
                target,
                METHOD_RECORD_OUTCOME,
                p,
                TokenAmount::default(),
            )?
            .ok()
            .context("direct to an account")?;
        Ok(relayed.gas_used.saturating_sub(direct.gas_used))
    }

    /// A new miner with one counted outcome.
    fn add_provider(&mut self) -> Result<u64> {
        let miner = self.new_miner()?;
        let subject = self.subject();
        let (gas, counted) = self.record(&outcome(miner, subject))?;
        ensure!(counted, "the first outcome of f0{miner} was not counted");
        self.providers.push(miner);
        self.outcomes.push((miner, subject));
        Ok(gas)
    }

    /// Adds providers until there are `target`, printing progress on stderr.
    fn populate(&mut self, target: usize) -> Result<Step> {
        let from = self.providers.len();
        let (exec, record) = (self.exec, self.record);
        let started = Instant::now();
        // A line per thousand providers on long steps.
        let mut next_report = if target - from >= 2_000 {
            (from / 1_000 + 1) * 1_000
        } else {
            usize::MAX
        };
        while self.providers.len() < target {
            self.add_provider()?;
            let n = self.providers.len();
            if n >= next_report {
                next_report += 1_000;
                let messages = self.exec.since(&exec).messages + self.record.since(&record).messages;
                eprintln!(
                    "  populating: {} / {} providers, {} messages in {:.1} s ({:.0} messages/s)",
                    thousands(n as u64),
                    thousands(target as u64),
                    thousands(messages),
                    started.elapsed().as_secs_f64(),
                    messages as f64 / started.elapsed().as_secs_f64()
                );
            }
        }
        let step = Step {
            from,
            to: target,
            exec: self.exec.since(&exec),
            record: self.record.since(&record),
            wall: started.elapsed(),
        };
        eprintln!(
            "  N = {}: populated in {} ({} messages/s)",
            thousands(target as u64),
            seconds(step.wall),
            rate(&[step.exec, step.record])
        );
        Ok(step)
    }

    /// Every method at the current population: getters and the no-op first, then the
    /// messages that add outcomes, then those that add providers.
    fn measure(&mut self, n: usize) -> Result<Point> {
        ensure!(self.providers.len() == n, "population is not {n}");
        let mut gas = Gas::default();
        let (reader, registry) = (self.reader, self.registry);

        for i in 0..SAMPLES {
            let provider = self.providers[spread(n, i)];
            let r = ReputationClient::at(registry).send(
                &mut self.h,
                &reader,
                METHOD_GET_REPUTATION,
                &GetReputationParams {
                    provider: fvm_shared::address::Address::new_id(provider),
                },
            )?;
            let view: ReputationView = r.ret().context("GetReputation")?;
            ensure!(
                view.provider == provider,
                "GetReputation answered for another provider"
            );
            gas.get_reputation.push(r.gas_used);
        }

        let batch = |providers: &[ActorID], i: usize| -> Vec<ActorID> {
            let step = (n / BATCH).max(1);
            (0..BATCH).map(|j| providers[(i + j * step) % n]).collect()
        };
        let scores_batch = batch(&self.providers, 0);
        let mut scores_trace = None;
        for i in 0..SAMPLES {
            let providers = batch(&self.providers, i);
            if i == 0 {
                self.h.set_tracing(true)?;
            }
            let r = ReputationClient::at(registry).send(
                &mut self.h,
                &reader,
                METHOD_GET_SCORES,
                &GetScoresParams { providers },
            )?;
            if i == 0 {
                scores_trace = Some(super::trace::parse(self.h.last_trace())?);
                self.h.set_tracing(false)?;
            }
            let ret: GetScoresReturn = r.ret().context("GetScores")?;
            ensure!(
                ret.scores.len() == BATCH,
                "GetScores answered {} scores",
                ret.scores.len()
            );
            gas.get_scores.push(r.gas_used);
        }

        let p = outcome(self.providers[0], 0);
        for _ in 0..SAMPLES {
            let share = self.relay_share(&p)?;
            gas.relay.push(share);
        }

        let mut cursor = None;
        for _ in 0..SAMPLES {
            let r = ReputationClient::at(registry).send(
                &mut self.h,
                &reader,
                METHOD_LIST_PROVIDERS,
                &ListProvidersParams {
                    cursor,
                    limit: BATCH as u32,
                },
            )?;
            let page: ListProvidersReturn = r.ret().context("ListProviders")?;
            ensure!(page.total == n as u64, "ListProviders total {} ≠ {n}", page.total);
            ensure!(
                page.providers.len() == BATCH || (page.next.is_none() && !page.providers.is_empty()),
                "a short page that is not the last"
            );
            cursor = page.next;
            gas.list.push(r.gas_used);
        }

        self.measure_admin(&mut gas)?;

        for i in 0..SAMPLES {
            let (provider, subject) = self.outcomes[spread(self.outcomes.len(), i)];
            let (g, counted) = self.record(&outcome(provider, subject))?;
            ensure!(!counted, "a repeated outcome was counted");
            gas.record_repeat.push(g);
        }

        let mut record_trace = None;
        for i in 0..SAMPLES {
            let provider = self.providers[spread(n, i)];
            let subject = self.subject();
            if i == 0 {
                self.h.set_tracing(true)?;
            }
            let (g, counted) = self.record(&outcome(provider, subject))?;
            if i == 0 {
                record_trace = Some(super::trace::parse(self.h.last_trace())?);
                self.h.set_tracing(false)?;
            }
            ensure!(counted, "a new outcome of f0{provider} was not counted");
            gas.record_existing.push(g);
        }

        for _ in 0..SAMPLES {
            gas.record_new.push(self.add_provider()?);
        }

        for _ in 0..SAMPLES {
            let miner = self.new_miner()?;
            let owner = self.owner;
            let r = ReputationClient::at(registry)
                .register(
                    &mut self.h,
                    &owner,
                    Address::new_id(miner),
                    sample_metadata(&format!("bench provider f0{miner}")),
                )?
                .ok()
                .context("RegisterProvider")?;
            ensure!(
                r.events_of(EVENT_PROVIDER_REGISTERED).len() == 1,
                "no registration event"
            );
            self.providers.push(miner);
            gas.register.push(r.gas_used);
            let r = ReputationClient::at(registry)
                .send(
                    &mut self.h,
                    &owner,
                    METHOD_UPDATE_METADATA,
                    &RegisterProviderParams {
                        miner: fvm_shared::address::Address::new_id(miner),
                        metadata: sample_metadata(&format!("bench provider f0{miner}, renamed")),
                    },
                )?
                .ok()
                .context("UpdateMetadata")?;
            gas.update_metadata.push(r.gas_used);
        }

        let (maps, reads) = self.shapes(&scores_batch)?;
        eprintln!("  N = {}: measured", thousands(n as u64));
        Ok(Point {
            n,
            gas,
            maps,
            reads,
            record_trace: record_trace.context("no RecordOutcome traced")?,
            scores_trace: scores_trace.context("no GetScores traced")?,
        })
    }

    /// The admin's methods, the admin getters and the constructor: none touches the
    /// providers, so N changes only the state root they load.
    fn measure_admin(&mut self, gas: &mut Gas) -> Result<()> {
        let (reader, registry) = (self.reader, self.registry);
        for i in 0..SAMPLES {
            let r = self.h.call_no_params(&reader, registry, METHOD_GET_ADMIN)?;
            let got: GetAdminReturn = r.ret().context("GetAdmin")?;
            ensure!(got.admin == self.admin.id, "GetAdmin answered f0{}", got.admin);
            gas.get_admin.push(r.gas_used);
            // Alternately a reporter and an account that is not one.
            let actor = if i % 2 == 0 {
                self.reporter.relay
            } else {
                reader.id
            };
            let r = ReputationClient::at(registry).send(
                &mut self.h,
                &reader,
                METHOD_IS_REPORTER,
                &IsReporterParams { actor },
            )?;
            let is: bool = r.ret().context("IsReporter")?;
            ensure!(is == (i % 2 == 0), "IsReporter(f0{actor}) answered {is}");
            gas.is_reporter.push(r.gas_used);
        }
        for relay in self.spare_reporters.clone() {
            let address = AddressParams {
                address: fvm_shared::address::Address::new_id(relay),
            };
            let admin = self.admin;
            let r = ReputationClient::at(registry)
                .send(&mut self.h, &admin, METHOD_ADD_REPORTER, &address)?
                .ok()
                .context("AddReporter")?;
            gas.add_reporter.push(r.gas_used);
            let r = ReputationClient::at(registry)
                .send(&mut self.h, &admin, METHOD_REMOVE_REPORTER, &address)?
                .ok()
                .context("RemoveReporter")?;
            gas.remove_reporter.push(r.gas_used);
        }
        for _ in 0..SAMPLES {
            let (admin, next) = (self.admin, self.other_admin);
            let to = AddressParams {
                address: next.address(),
            };
            let r = ReputationClient::at(registry)
                .send(&mut self.h, &admin, METHOD_TRANSFER_ADMIN, &to)?
                .ok()
                .context("TransferAdmin")?;
            gas.transfer_admin.push(r.gas_used);
            let r = self
                .h
                .call_no_params(&next, registry, METHOD_ACCEPT_ADMIN)?
                .ok()
                .context("AcceptAdmin")?;
            gas.accept_admin.push(r.gas_used);
            (self.admin, self.other_admin) = (next, admin);
        }
        for _ in 0..SAMPLES {
            let params = ConstructorParams {
                admin: reader.address(),
            };
            let code = self.code;
            let r = self
                .h
                .exec_actor(&reader, code, &params, TokenAmount::default())?
                .ok()
                .context("Constructor")?;
            gas.constructor.push(r.gas_used);
        }
        Ok(())
    }

    /// The registry's HAMTs as they are now, and what calls read of the providers map.
    fn shapes(&mut self, scores_batch: &[ActorID]) -> Result<(Maps, Option<Reads>)> {
        self.h.flush()?;
        let state: State = self.h.state(self.registry).context("registry state")?;
        let store = self.h.store();
        let root = state.providers;
        let counting = Counting::new(store);
        let providers = Providers::load(&counting, &root)?.page(None, usize::MAX)?.entries;
        let (nodes, bytes) = counting.counts();
        let maps = vec![
            ("reporters", shape::<_, u64, bool>(store, &state.reporters)?),
            (
                "providers",
                MapShape {
                    entries: providers.len() as u64,
                    nodes,
                    bytes,
                },
            ),
            (
                "registrations",
                shape::<_, u64, Registration>(store, &state.registrations)?,
            ),
            ("books (all providers)", books_shape(store, &providers)?),
        ];
        let lookup = |ids: &[ActorID]| -> Result<(u64, u64)> {
            let counting = Counting::new(store);
            let map = Providers::load(&counting, &root)?;
            for p in ids {
                ensure!(map.contains(*p)?, "f0{p} is not in the providers map");
            }
            Ok(counting.counts())
        };
        let (mut blocks, mut bytes) = (0, 0);
        for p in &self.providers {
            let (b, n) = lookup(std::slice::from_ref(p))?;
            blocks += b;
            bytes += n;
        }
        let count = self.providers.len() as f64;
        let (batch_blocks, batch_bytes) = lookup(scores_batch)?;
        let counting = Counting::new(store);
        Providers::load(&counting, &root)?.page(None, BATCH)?;
        let (page_blocks, page_bytes) = counting.counts();
        let reads = Reads {
            lookup_blocks: blocks as f64 / count,
            lookup_bytes: bytes as f64 / count,
            batch_blocks,
            batch_bytes,
            page_blocks,
            page_bytes,
        };
        Ok((maps, Some(reads)))
    }
}

/// Each method's growth against the providers HAMT blocks it reads.
fn growth(sizes: &[usize], points: &[Point]) -> Table {
    let (first, last) = (&points[0], &points[points.len() - 1]);
    let pick = |f: fn(&Reads) -> (f64, f64), p: &Point| p.reads.as_ref().map_or((f64::NAN, f64::NAN), f);
    let bound = |what: &str, f: fn(&Reads) -> (f64, f64)| super::Bound {
        what: what.into(),
        blocks: (pick(f, first).0, pick(f, last).0),
        bytes: (pick(f, first).1, pick(f, last).1),
    };
    super::growth_table(
        sizes,
        &gas_rows(points),
        &bound("one providers path", |r| (r.lookup_blocks, r.lookup_bytes)),
        &[
            (
                "GetScores (100 providers)",
                bound("100 lookups' nodes", |r| {
                    (r.batch_blocks as f64, r.batch_bytes as f64)
                }),
            ),
            (
                "ListProviders (limit 100)",
                bound("the page's nodes", |r| {
                    (r.page_blocks as f64, r.page_bytes as f64)
                }),
            ),
        ],
        &[
            (
                "Constructor (init Exec of installed code, whole message)",
                "init's work: its address map holds every actor the chain created (N miners here)",
            ),
            (
                "RecordOutcome (provider has a record)",
                "it rewrites one providers path (read once, written once) and its provider's \
                 book, whose size is that provider's history, not N",
            ),
        ],
    )
}
