//! The suite's benchmark: the gas each actor method uses (`Receipt::gas_used`) on the real wasm
//! through the local FVM harness, at growing state sizes, and the harness's own throughput.
//! One section per actor; the provider reputation registry is the first. `scripts/bench.sh`
//! runs it.
//!
//! ```text
//! bench [--quick] [--out FILE]
//!   --quick      N = 10 and 100 only (a smoke run)
//!   --out FILE   also write the tables as Markdown to FILE
//! ```
//!
//! Text tables go to stdout, progress to stderr. The program is deterministic in gas (the
//! same messages on the same chain), not in wall time.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

/// What the command line asked for.
struct Options {
    quick: bool,
    out: Option<PathBuf>,
}

const USAGE: &str = "usage: bench [--quick] [--out FILE]
  --quick      N = 10 and 100 only (a smoke run)
  --out FILE   also write the tables as Markdown to FILE";

impl Options {
    /// `None` when help was asked for.
    fn parse(args: impl IntoIterator<Item = String>) -> Result<Option<Self>> {
        let mut options = Options {
            quick: false,
            out: None,
        };
        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--quick" => options.quick = true,
                "--out" => {
                    let file = args.next().context("--out needs a file name")?;
                    options.out = Some(file.into());
                }
                "-h" | "--help" => return Ok(None),
                _ => match arg.strip_prefix("--out=") {
                    Some(file) if !file.is_empty() => options.out = Some(file.into()),
                    _ => bail!("unknown argument {arg:?}\n{USAGE}"),
                },
            }
        }
        Ok(Some(options))
    }

    /// The state sizes every section measures at.
    fn sizes(&self) -> &'static [usize] {
        if self.quick {
            &[10, 100]
        } else {
            &[10, 1_000, 10_000]
        }
    }
}

/// A section's benchmark: runs on its own chain and returns its tables.
type SectionRun = fn(&Options) -> Result<report::Section>;

/// The benchmark sections, in report order. Each actor adds one.
const SECTIONS: &[(&str, SectionRun)] = &[
    ("provider reputation registry", reputation::run),
    ("collateral escrow", escrow::run),
    ("bounty market", market::run),
];

fn main() -> Result<()> {
    let Some(options) = Options::parse(std::env::args().skip(1))? else {
        println!("{USAGE}");
        return Ok(());
    };
    let started = Instant::now();
    let mut sections = Vec::new();
    for (name, run) in SECTIONS {
        eprintln!("bench: {name}");
        sections.push(run(&options).with_context(|| format!("section {name}"))?);
    }
    let report = report::Report {
        sections,
        quick: options.quick,
        elapsed: started.elapsed(),
    };
    print!("{}", report.text());
    if let Some(path) = &options.out {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(path, report.markdown()).with_context(|| format!("writing {}", path.display()))?;
        eprintln!("bench: wrote {}", path.display());
    }
    Ok(())
}

/// Wall time spent in one kind of message.
#[derive(Debug, Default, Clone, Copy)]
struct Clock {
    messages: u64,
    time: Duration,
}

impl Clock {
    /// Runs one message through `send`, adding its wall time.
    fn time<T>(&mut self, send: impl FnOnce() -> Result<T>) -> Result<T> {
        let started = Instant::now();
        let out = send();
        self.time += started.elapsed();
        self.messages += 1;
        out
    }

    fn add(&mut self, other: &Clock) {
        self.messages += other.messages;
        self.time += other.time;
    }

    fn since(&self, earlier: &Clock) -> Clock {
        Clock {
            messages: self.messages - earlier.messages,
            time: self.time - earlier.time,
        }
    }

    fn ms_per_message(&self) -> String {
        if self.messages == 0 {
            return "–".into();
        }
        format!("{:.2}", self.time.as_secs_f64() * 1000.0 / self.messages as f64)
    }
}

/// Messages per second over several clocks.
fn rate(clocks: &[Clock]) -> String {
    let messages: u64 = clocks.iter().map(|c| c.messages).sum();
    let time: f64 = clocks.iter().map(|c| c.time.as_secs_f64()).sum();
    if messages == 0 || time == 0.0 {
        return "–".into();
    }
    thousands((messages as f64 / time).round() as u64)
}

/// 1234567 → "1,234,567".
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let head = digits.len() - (digits.len() - 1) / 3 * 3;
    let mut out = digits[..head].to_string();
    for group in digits.as_bytes()[head..].chunks(3) {
        out.push(',');
        out.push_str(std::str::from_utf8(group).expect("ascii digits"));
    }
    out
}

fn kib(bytes: f64) -> String {
    format!("{:.1}", bytes / 1024.0)
}

fn seconds(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn mean(samples: &[u64]) -> u64 {
    if samples.is_empty() {
        return 0;
    }
    (samples.iter().map(|&g| g as u128).sum::<u128>() / samples.len() as u128) as u64
}

/// Messages measured per method at each N, each on a different key: the HAMT path to a key
/// depends on its hash, so one message alone may land on a shallow or a deep branch.
const SAMPLES: usize = 5;

/// The index of sample `i` of `SAMPLES`, spread over `len` items.
fn spread(len: usize, i: usize) -> usize {
    (2 * i + 1) * len / (2 * SAMPLES)
}

fn n_header(n: usize) -> String {
    format!("N = {}", thousands(n as u64))
}

/// One method's gas samples at each N, in the order of the sizes.
type GasRow<'a> = (&'a str, Vec<&'a [u64]>);

/// Mean gas per method at each N and its growth from the first N to the last.
fn gas_table(sizes: &[usize], rows: &[GasRow], notes: Vec<String>) -> report::Table {
    let (first, last) = (sizes[0], sizes[sizes.len() - 1]);
    let mut header = vec!["method".to_string()];
    header.extend(sizes.iter().map(|&n| n_header(n)));
    header.push(format!(
        "{} → {}",
        thousands(first as u64),
        thousands(last as u64)
    ));
    let rows = rows
        .iter()
        .map(|(name, samples)| {
            let means: Vec<u64> = samples.iter().map(|s| mean(s)).collect();
            let mut row = vec![name.to_string()];
            row.extend(means.iter().map(|&g| thousands(g)));
            let growth = means[means.len() - 1] as f64 / means[0].max(1) as f64;
            row.push(format!("×{growth:.2}"));
            row
        })
        .collect();
    report::Table {
        caption: format!("Gas used per message (mean of {SAMPLES} messages on different keys)"),
        header,
        rows,
        notes,
    }
}

/// Lowest and highest gas of the samples of each method at each N.
fn spread_table(sizes: &[usize], rows: &[GasRow]) -> report::Table {
    let mut header = vec!["method".to_string()];
    header.extend(sizes.iter().map(|&n| n_header(n)));
    let rows = rows
        .iter()
        .map(|(name, samples)| {
            let mut row = vec![name.to_string()];
            row.extend(samples.iter().map(|s| {
                let (lo, hi) = (
                    s.iter().min().copied().unwrap_or(0),
                    s.iter().max().copied().unwrap_or(0),
                );
                format!("{} – {}", thousands(lo), thousands(hi))
            }));
            row
        })
        .collect();
    report::Table {
        caption: format!("Spread: lowest – highest gas of the {SAMPLES} messages"),
        header,
        rows,
        notes: vec![],
    }
}

// ---------------------------------------------------------------------------------------------
// HAMT inspection: the nodes a walk or a lookup reads, as an actor would load them
// ---------------------------------------------------------------------------------------------

mod hamt {
    use std::cell::Cell;

    use actor_runtime::Map;
    use anyhow::Result;
    use cid::Cid;
    use fvm_ipld_blockstore::Blockstore;

    /// A blockstore that counts the blocks read through it.
    pub struct Counting<'a, B> {
        inner: &'a B,
        reads: Cell<u64>,
        bytes: Cell<u64>,
    }

    impl<'a, B: Blockstore> Counting<'a, B> {
        pub fn new(inner: &'a B) -> Self {
            Self {
                inner,
                reads: Cell::new(0),
                bytes: Cell::new(0),
            }
        }
    }

    impl<B: Blockstore> Blockstore for Counting<'_, B> {
        fn get(&self, k: &Cid) -> Result<Option<Vec<u8>>> {
            let block = self.inner.get(k)?;
            if let Some(b) = &block {
                self.reads.set(self.reads.get() + 1);
                self.bytes.set(self.bytes.get() + b.len() as u64);
            }
            Ok(block)
        }

        fn put_keyed(&self, k: &Cid, block: &[u8]) -> Result<()> {
            self.inner.put_keyed(k, block)
        }
    }

    /// The shape of one HAMT.
    #[derive(Debug, Default, Clone, Copy)]
    pub struct MapShape {
        pub entries: u64,
        pub nodes: u64,
        pub bytes: u64,
    }

    /// Every node of a HAMT, read once (a full walk loads each node once).
    pub fn shape<B, K, V>(store: &B, root: &Cid) -> Result<MapShape>
    where
        B: Blockstore,
        K: actor_runtime::map::MapKey,
        V: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
    {
        let counting = Counting::new(store);
        let map: Map<_, K, V> = Map::load(&counting, root, "walked")?;
        let page = map.page(None, usize::MAX)?;
        Ok(MapShape {
            entries: page.entries.len() as u64,
            nodes: counting.reads.get(),
            bytes: counting.bytes.get(),
        })
    }

    /// What `f` answers, and the blocks and bytes it reads from the HAMT at `root`, the root
    /// included (each node once: the map keeps what it loaded, as the actor's does within one
    /// message).
    pub fn read<B, K, V, T>(
        store: &B,
        root: &Cid,
        f: impl FnOnce(&Map<&Counting<'_, B>, K, V>) -> Result<T>,
    ) -> Result<(T, u64, u64)>
    where
        B: Blockstore,
        K: actor_runtime::map::MapKey,
        V: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
    {
        let counting = Counting::new(store);
        let map = Map::load(&counting, root, "read")?;
        let answer = f(&map)?;
        Ok((answer, counting.reads.get(), counting.bytes.get()))
    }
}

// ---------------------------------------------------------------------------------------------
// Report: sections of tables, printed as text and as Markdown
// ---------------------------------------------------------------------------------------------

mod report {
    use std::fmt::Write as _;
    use std::time::Duration;

    pub struct Report {
        pub sections: Vec<Section>,
        pub quick: bool,
        pub elapsed: Duration,
    }

    pub struct Section {
        pub title: String,
        /// One-line facts printed before the tables.
        pub facts: Vec<String>,
        pub tables: Vec<Table>,
    }

    pub struct Table {
        pub caption: String,
        pub header: Vec<String>,
        pub rows: Vec<Vec<String>>,
        pub notes: Vec<String>,
    }

    fn profile() -> &'static str {
        if cfg!(debug_assertions) {
            "dev"
        } else {
            "release"
        }
    }

    fn cores() -> String {
        std::thread::available_parallelism()
            .map(|n| n.to_string())
            .unwrap_or_else(|_| "?".into())
    }

    impl Report {
        fn mode(&self) -> &'static str {
            if self.quick {
                "quick run (N = 10, 100)"
            } else {
                "full run (N = 10, 1,000, 10,000)"
            }
        }

        pub fn text(&self) -> String {
            let mut out = String::new();
            for s in &self.sections {
                let _ = writeln!(out, "\n=== {} ===", s.title);
                for f in &s.facts {
                    let _ = writeln!(out, "{f}");
                }
                for t in &s.tables {
                    out.push('\n');
                    t.text(&mut out);
                }
            }
            let _ = writeln!(
                out,
                "\nbench: {}, {} profile, {} cores, {:.1} s",
                self.mode(),
                profile(),
                cores(),
                self.elapsed.as_secs_f64()
            );
            out
        }

        pub fn markdown(&self) -> String {
            let mut out = String::from("# Benchmarks\n\n");
            let _ = writeln!(
                out,
                "Gas is `gas_used` of each message's receipt: the suite's real wasm on ref-fvm 4.8 \
                 through the local harness (`integration-tests`). Produced by `scripts/bench.sh`: \
                 {}; harness built with the {} profile; {} cores; {:.0} s. Gas does not depend on \
                 the machine, wall times do.",
                self.mode(),
                profile(),
                cores(),
                self.elapsed.as_secs_f64()
            );
            for s in &self.sections {
                let _ = writeln!(out, "\n## {}\n", s.title);
                for f in &s.facts {
                    let _ = writeln!(out, "- {f}");
                }
                for t in &s.tables {
                    out.push('\n');
                    t.markdown(&mut out);
                }
            }
            out
        }
    }

    impl Table {
        fn widths(&self) -> Vec<usize> {
            let mut w: Vec<usize> = self.header.iter().map(|h| h.chars().count()).collect();
            for row in &self.rows {
                for (i, cell) in row.iter().enumerate() {
                    w[i] = w[i].max(cell.chars().count());
                }
            }
            w
        }

        /// First column left-aligned, the others right-aligned.
        fn line(out: &mut String, cells: &[String], widths: &[usize]) {
            let mut line = String::new();
            for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
                let pad = w - cell.chars().count();
                if i == 0 {
                    line.push_str(cell);
                    line.push_str(&" ".repeat(pad));
                } else {
                    line.push_str("  ");
                    line.push_str(&" ".repeat(pad));
                    line.push_str(cell);
                }
            }
            let _ = writeln!(out, "{}", line.trim_end());
        }

        fn text(&self, out: &mut String) {
            let _ = writeln!(out, "{}", self.caption);
            let widths = self.widths();
            Self::line(out, &self.header, &widths);
            let total = widths.iter().sum::<usize>() + 2 * (widths.len() - 1);
            let _ = writeln!(out, "{}", "-".repeat(total));
            for row in &self.rows {
                Self::line(out, row, &widths);
            }
            for n in &self.notes {
                let _ = writeln!(out, "  {n}");
            }
        }

        fn markdown(&self, out: &mut String) {
            let _ = writeln!(out, "### {}\n", self.caption);
            let _ = writeln!(out, "| {} |", self.header.join(" | "));
            let align: Vec<&str> = (0..self.header.len())
                .map(|i| if i == 0 { "---" } else { "---:" })
                .collect();
            let _ = writeln!(out, "|{}|", align.join("|"));
            for row in &self.rows {
                let _ = writeln!(out, "| {} |", row.join(" | "));
            }
            for n in &self.notes {
                let _ = writeln!(out, "\n{n}");
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Section: the provider reputation registry
// ---------------------------------------------------------------------------------------------

mod reputation {
    use std::fmt;
    use std::time::{Duration, Instant};

    use anyhow::{ensure, Context, Result};
    use cid::Cid;
    use fvm_ipld_blockstore::Blockstore;
    use fvm_shared::clock::ChainEpoch;
    use fvm_shared::econ::TokenAmount;
    use fvm_shared::ActorID;
    use integration_tests::miner::{create_miner, SECTOR_SIZE_32GIB};
    use integration_tests::reputation::{self as rep, sample_metadata, Reporter, PACKAGE};
    use integration_tests::{Account, Harness};
    use serde::de::{self, Deserialize, Deserializer, Visitor};
    use suite_interfaces::reputation::*;

    use super::hamt::{read, shape, MapShape};
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
        /// What the relay adds to a message it forwards (see `relay_share`).
        relay: Vec<u64>,
    }

    impl Gas {
        /// In table order.
        fn rows(&self) -> [(&'static str, &[u64]); 8] {
            [
                ("RegisterProvider (fresh miner, by its owner)", &self.register),
                ("RecordOutcome (provider has a record)", &self.record_existing),
                ("RecordOutcome (new provider)", &self.record_new),
                ("RecordOutcome (repeat: no-op)", &self.record_repeat),
                ("GetReputation", &self.get_reputation),
                ("GetScores (100 providers)", &self.get_scores),
                ("ListProviders (limit 100)", &self.list),
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
        /// Every provider the registry has a record of, in creation order.
        providers: Vec<ActorID>,
        /// Providers with one counted outcome, and its subject (the deal id).
        outcomes: Vec<(ActorID, u64)>,
        next_subject: u64,
        exec: Clock,
        record: Clock,
    }

    pub fn run(options: &Options) -> Result<Section> {
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
        Ok(Section {
            title: "Provider reputation registry".into(),
            facts,
            tables: vec![
                gas_table(&sizes, &gas_rows(&points), gas_notes()),
                spread_table(&sizes, &gas_rows(&points)),
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
        ]
    }

    fn shape_table(points: &[Point]) -> Table {
        let mut rows = Vec::new();
        for p in points {
            for (name, m) in &p.maps {
                rows.push(vec![
                    thousands(p.n as u64),
                    name.to_string(),
                    thousands(m.entries),
                    thousands(m.nodes),
                    kib(m.bytes as f64),
                    format!("{:.0}", m.bytes as f64 / m.entries.max(1) as f64),
                ]);
            }
        }
        Table {
            caption: "Registry HAMTs after the messages at each N (bit width 5, buckets of 3)".into(),
            header: ["N", "HAMT", "entries", "nodes", "KiB", "bytes / entry"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![],
        }
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

    /// One field of an actor's state tuple: a link (a HAMT root, say) or anything else. The
    /// bench finds the registry's maps this way, whatever the order of its state's fields.
    enum Field {
        Link(Cid),
        Other,
    }

    impl<'de> Deserialize<'de> for Field {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(FieldVisitor)
        }
    }

    struct FieldVisitor;

    impl<'de> Visitor<'de> for FieldVisitor {
        type Value = Field;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a state field")
        }

        /// DAG-CBOR hands a CID (tag 42) over as a newtype.
        fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
            let bytes = d.deserialize_bytes(CidBytes)?;
            Cid::try_from(bytes.as_slice())
                .map(Field::Link)
                .map_err(de::Error::custom)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Field, D::Error> {
            Field::deserialize(d)
        }

        fn visit_none<E: de::Error>(self) -> Result<Field, E> {
            Ok(Field::Other)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Field, E> {
            Ok(Field::Other)
        }

        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Field, E> {
            Ok(Field::Other)
        }

        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Field, E> {
            Ok(Field::Other)
        }

        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Field, E> {
            Ok(Field::Other)
        }

        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Field, E> {
            Ok(Field::Other)
        }

        fn visit_str<E: de::Error>(self, _: &str) -> Result<Field, E> {
            Ok(Field::Other)
        }

        fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Field, E> {
            Ok(Field::Other)
        }

        fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Field, A::Error> {
            while seq.next_element::<de::IgnoredAny>()?.is_some() {}
            Ok(Field::Other)
        }

        fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<Field, A::Error> {
            while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
            Ok(Field::Other)
        }
    }

    /// The bytes of a CID inside DAG-CBOR's tag 42.
    struct CidBytes;

    impl<'de> Visitor<'de> for CidBytes {
        type Value = Vec<u8>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("CID bytes")
        }

        fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Vec<u8>, E> {
            Ok(v.to_vec())
        }
    }

    /// What a non-empty HAMT of the registry holds, by the first value type its walk decodes.
    fn recognise<B: Blockstore>(store: &B, root: &Cid) -> Option<(&'static str, MapShape)> {
        let non_empty = |s: Result<MapShape>| s.ok().filter(|s| s.entries > 0);
        if let Some(s) = non_empty(shape::<_, u64, ProviderRecord>(store, root)) {
            return Some(("providers", s));
        }
        if let Some(s) = non_empty(shape::<_, u64, Registration>(store, root)) {
            return Some(("registrations", s));
        }
        if let Some(s) = non_empty(shape::<_, u64, bool>(store, root)) {
            return Some(("reporters", s));
        }
        if let Some(s) = non_empty(shape::<_, Vec<u8>, ChainEpoch>(store, root)) {
            return Some(("outcomes", s));
        }
        None
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
            let owner = h.create_account(fil(1_000))?;
            let reader = h.create_account(fil(1_000))?;
            let registry = rep::deploy(&mut h, &admin, admin.id)?;
            let reporter = rep::deploy_reporter(&mut h, &reporter_owner)?;
            rep::add_reporter(&mut h, &admin, registry, reporter.relay)?
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
                let r = rep::send(
                    &mut self.h,
                    &reader,
                    registry,
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
            for i in 0..SAMPLES {
                let providers = batch(&self.providers, i);
                let r = rep::send(
                    &mut self.h,
                    &reader,
                    registry,
                    METHOD_GET_SCORES,
                    &GetScoresParams { providers },
                )?;
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
                let r = rep::send(
                    &mut self.h,
                    &reader,
                    registry,
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

            for i in 0..SAMPLES {
                let (provider, subject) = self.outcomes[spread(self.outcomes.len(), i)];
                let (g, counted) = self.record(&outcome(provider, subject))?;
                ensure!(!counted, "a repeated outcome was counted");
                gas.record_repeat.push(g);
            }

            for i in 0..SAMPLES {
                let provider = self.providers[spread(n, i)];
                let subject = self.subject();
                let (g, counted) = self.record(&outcome(provider, subject))?;
                ensure!(counted, "a new outcome of f0{provider} was not counted");
                gas.record_existing.push(g);
            }

            for _ in 0..SAMPLES {
                gas.record_new.push(self.add_provider()?);
            }

            for _ in 0..SAMPLES {
                let miner = self.new_miner()?;
                let owner = self.owner;
                let r = rep::register(
                    &mut self.h,
                    &owner,
                    registry,
                    miner,
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
            }

            let (maps, reads) = self.shapes(&scores_batch)?;
            eprintln!("  N = {}: measured", thousands(n as u64));
            Ok(Point { n, gas, maps, reads })
        }

        /// The registry's HAMTs as they are now, and what calls read of the providers map.
        fn shapes(&mut self, scores_batch: &[ActorID]) -> Result<(Maps, Option<Reads>)> {
            self.h.flush()?;
            let fields: Vec<Field> = self.h.state(self.registry).context("registry state")?;
            let store = self.h.store();
            let mut maps = Vec::new();
            let mut root = None;
            for field in &fields {
                let Field::Link(cid) = field else { continue };
                if let Some((name, shape)) = recognise(store, cid) {
                    if name == "providers" {
                        root = Some(*cid);
                    }
                    maps.push((name, shape));
                }
            }
            let Some(root) = root else {
                eprintln!("  no providers map found in the registry's state: read figures skipped");
                return Ok((maps, None));
            };
            let (mut blocks, mut bytes) = (0, 0);
            for p in &self.providers {
                let ((), b, n) = read::<_, u64, ProviderRecord, _>(store, &root, |map| {
                    ensure!(map.contains(p)?, "f0{p} is not in the providers map");
                    Ok(())
                })?;
                blocks += b;
                bytes += n;
            }
            let count = self.providers.len() as f64;
            let ((), batch_blocks, batch_bytes) = read::<_, u64, ProviderRecord, _>(store, &root, |map| {
                for p in scores_batch {
                    map.get(p)?;
                }
                Ok(())
            })?;
            let ((), page_blocks, page_bytes) = read::<_, u64, ProviderRecord, _>(store, &root, |map| {
                map.page(None, BATCH)?;
                Ok(())
            })?;
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
}

// ---------------------------------------------------------------------------------------------
// Section: the collateral escrow
// ---------------------------------------------------------------------------------------------

mod escrow {
    use std::time::{Duration, Instant};

    use anyhow::{ensure, Context, Result};
    use cid::Cid;
    use collateral_escrow::state::State;
    use fvm_shared::clock::ChainEpoch;
    use fvm_shared::deal::DealID;
    use fvm_shared::econ::TokenAmount;
    use fvm_shared::sector::SectorNumber;
    use fvm_shared::ActorID;
    use integration_tests::escrow::{self as esc, lock_params, Suite, PACKAGE};
    use integration_tests::market::{deal_proposal, MarketExt};
    use integration_tests::miner::{self, create_miner, SECTOR_SIZE_32GIB, WPOST_PERIOD_DEADLINES};
    use integration_tests::{Account, Harness, Receipt};
    use suite_interfaces::escrow::{
        EvidenceParams, FaultProof, GetLockReturn, ListLocksParams, ListLocksReturn, Lock, LockIdParams,
        Policy, ReportFaultReturn, SectorLocation, Totals, EVENT_LOCKED, EVENT_RELEASED, EVENT_SLASHED,
        EVENT_TOPPED_UP, METHOD_GET_LOCK, METHOD_GET_TOTALS, METHOD_LIST_LOCKS,
    };

    use super::hamt::{read, shape, MapShape};
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
    }

    impl Gas {
        /// In table order.
        fn rows(&self) -> [(&'static str, &[u64]); 12] {
            [
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
    }

    pub fn run(options: &Options) -> Result<Section> {
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
        Ok(Section {
            title: "Collateral escrow".into(),
            facts,
            tables: vec![
                gas_table(&sizes, &rows, gas_notes(&points)),
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
        ]
    }

    fn shape_table(points: &[Point]) -> Table {
        let mut rows = Vec::new();
        for p in points {
            let s = &p.shapes;
            for (name, m) in [
                ("locks", &s.locks),
                ("by provider", &s.by_provider),
                ("provider lock ids (all)", &s.ids),
            ] {
                rows.push(vec![
                    thousands(p.n as u64),
                    name.to_string(),
                    thousands(m.entries),
                    thousands(m.nodes),
                    kib(m.bytes as f64),
                    format!("{:.0}", m.bytes as f64 / m.entries.max(1) as f64),
                ]);
            }
        }
        Table {
            caption: "Escrow HAMTs at each N, before its messages (bit width 5, buckets of 3)".into(),
            header: ["N", "HAMT", "entries", "nodes", "KiB", "bytes / entry"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![
                "provider lock ids (all): every provider's map lock id → true, summed (one map per \
                 miner with locks)."
                    .into(),
            ],
        }
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
                "Paths, before the messages at N: mean over every lock of the nodes from the root \
                 of `locks` to it (what GetLock reads; TopUp, ReportFault and Release read it twice \
                 and write it back; Lock writes a new entry there); over every miner of its path \
                 in `by provider`; over the locks of the miners the measured Locks go to of their \
                 path in their miner's ids map (Lock reads and writes both)."
                    .into(),
                "Page, when ListLocks runs: the first ListLocks message walks its miner's ids map \
                 for 100 ids, then looks each lock up in `locks` (a node is read once per call). \
                 In ref-fvm 4's \
                 price list a block read costs about 187,700 gas + 10 per byte and a block \
                 written about 506,300 + 3,360 per byte, besides the wasm's own work (4 gas per \
                 instruction) decoding and encoding it."
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
            let owner = h.create_account(fil(1_000))?;
            // Every lock's collateral: about 10,500 locks of 5 FIL on a full run.
            let locker = h.create_account(fil(1_000_000))?;
            let client = h.create_account(fil(1_000))?;
            let watcher = h.create_account(fil(1_000))?;
            let reader = h.create_account(fil(1_000))?;
            let suite = esc::deploy(&mut h, &admin, &admin, Policy::default())?;
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
                .time(|| esc::lock(&mut self.h, &locker, escrow, &p, fil(COLLATERAL)))?
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
            let r = esc::report_fault(&mut self.h, &watcher, escrow, lock_id, proof)?
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
                let r = self.h.call_no_params(&reader, escrow, METHOD_GET_TOTALS)?;
                let totals: Totals = r.ret().context("GetTotals")?;
                ensure!(
                    totals.locks_created == n as u64,
                    "GetTotals counts {} locks",
                    totals.locks_created
                );
                gas.totals.push(r.gas_used);
            }

            for i in 0..SAMPLES {
                let held = self.sample_held(i);
                let r = esc::top_up(&mut self.h, &locker, escrow, held.id, fil(TOP_UP))?
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
                let r = esc::release(&mut self.h, &watcher, escrow, id)?
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
                    page.locks.len() == PAGE as usize
                        && page.locks.iter().all(|l| l.lock.provider == provider),
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
            let locks = shape::<_, u64, Lock>(store, &state.locks)?;
            let by_provider = shape::<_, u64, Cid>(store, &state.by_provider)?;
            let roots = actor_runtime::Map::<_, u64, Cid>::load(store, &state.by_provider, "by provider")?
                .page(None, usize::MAX)?
                .entries;
            let mut ids = MapShape::default();
            for (_, root) in &roots {
                let s = shape::<_, u64, bool>(store, root)?;
                ids.entries += s.entries;
                ids.nodes += s.nodes;
                ids.bytes += s.bytes;
            }

            let mut lock_path = Mean::default();
            for id in 0..state.next_lock_id {
                let (found, b, n) = read::<_, u64, Lock, _>(store, &state.locks, |m| Ok(m.contains(&id)?))?;
                ensure!(found, "lock {id} is missing");
                lock_path.add(b, n);
            }
            let mut provider_path = Mean::default();
            for (provider, _) in &roots {
                let (_, b, n) =
                    read::<_, u64, Cid, _>(store, &state.by_provider, |m| Ok(m.get(provider)?.copied()))?;
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
            let (root, _, _) = read::<_, u64, Cid, _>(store, &state.by_provider, |m| {
                m.get(&listed)?.copied().context("the listed miner has no locks")
            })?;
            let (page, ib, inb) =
                read::<_, u64, bool, _>(store, &root, |m| Ok(m.page(None, PAGE as usize)?))?;
            let ((), lb, ln) = read::<_, u64, Lock, _>(store, &state.locks, |m| {
                for (id, _) in &page.entries {
                    ensure!(m.get(id)?.is_some(), "lock {id} is missing");
                }
                Ok(())
            })?;
            Ok(PageReads {
                ids: (ib, inb),
                locks: (lb, ln),
            })
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Section: the bounty market
// ---------------------------------------------------------------------------------------------

mod market {
    use std::time::{Duration, Instant};

    use actor_runtime::map::MapKey;
    use actor_runtime::Map;
    use anyhow::{bail, ensure, Context, Result};
    use bounty_market::state::State;
    use cid::Cid;
    use fvm_ipld_blockstore::Blockstore;
    use fvm_shared::address::Address;
    use fvm_shared::clock::ChainEpoch;
    use fvm_shared::deal::DealID;
    use fvm_shared::econ::TokenAmount;
    use fvm_shared::sector::SectorNumber;
    use fvm_shared::ActorID;
    use integration_tests::bounty::{self as bm, Suite, PACKAGE};
    use integration_tests::market::{deal_proposal, MarketExt, DEFAULT_PIECE_SIZE};
    use integration_tests::miner::{self, create_miner, SECTOR_SIZE_32GIB};
    use integration_tests::reputation::{self as rep, Reporter};
    use integration_tests::{Account, Harness, Receipt};
    use stand_in_market::{piece_cid, DealProposal, Label};
    use suite_interfaces::bounty::{
        Bounty, Claim, ClaimBountyReturn, GetBountyReturn, GetClaimReturn, IdParams, ListBountiesReturn,
        MarketPolicy, PostBountyParams, ProviderBalance, ProviderParams, WithdrawReturn, EVENT_CANCELLED,
        EVENT_CLAIMED, EVENT_POSTED, EVENT_RECLAIMED, EVENT_WITHDRAWN, METHOD_GET_BOUNTY, METHOD_GET_CLAIM,
        METHOD_GET_PROVIDER_BALANCE, METHOD_LIST_BOUNTIES,
    };
    use suite_interfaces::escrow::{
        EvidenceParams, LockParams, Policy, SectorLocation, EVENT_LOCKED, EVENT_REPUTATION_FAILED,
        METHOD_LOCK,
    };
    use suite_interfaces::reputation::{
        OutcomeKind, RecordOutcomeParams, RecordOutcomeReturn, Subject, SubjectKind,
        EVENT_REPUTATION_UPDATED, METHOD_RECORD_OUTCOME,
    };

    use super::hamt::{read, shape, MapShape};
    use super::report::{Section, Table};
    use super::{
        gas_table, kib, mean, rate, seconds, spread, spread_table, thousands, Clock, GasRow, Options, SAMPLES,
    };

    /// The clients that post the population's bounties, in turn.
    const CLIENTS: usize = 5;
    /// Odd population bounties share these pieces, in turn; even ones each have their own.
    const POPULAR_PIECES: usize = 5;
    /// Every 10th population bounty is claimed (by a population miner) right after it is posted.
    const CLAIM_EVERY: usize = 10;
    /// Claims per population miner: 10,000 bounties are 1,000 claims by 100 miners.
    const CLAIMS_PER_MINER: usize = 10;
    /// Replicas of every population and sample bounty.
    const REPLICAS: u64 = 4;
    /// Claims of each veteran provider (Withdraw's page under the default policy).
    const VETERAN_CLAIMS: usize = 32;
    /// The ListBounties page.
    const PAGE: u32 = 100;
    /// FIL per replica, and per claim as collateral.
    const REWARD: u64 = 1;
    const COLLATERAL: u64 = 1;
    /// Vesting of every bounty: 180 days.
    const MIN_DURATION: ChainEpoch = 518_400;
    /// Every bounty but the sample posts takes claims until here (about 312 days).
    const EXPIRY: ChainEpoch = 900_000;
    /// The sample posts expire this many epochs after they are posted.
    const EXPIRES_SOON: ChainEpoch = 2;
    /// Deals end after every vesting; sectors after every deal.
    const DEAL_END: ChainEpoch = 1_000_000;
    const SECTOR_EXPIRATION: ChainEpoch = 1_500_000;
    /// Every miner stores its deals in one sector, there.
    const SECTOR: SectorNumber = 0;
    const LOCATION: SectorLocation = SectorLocation {
        deadline: 0,
        partition: 0,
    };
    /// Subjects of the RecordOutcomes the breakdown sends alone (far above any deal id).
    const FIRST_SUBJECT: u64 = 1 << 40;

    fn fil(n: u64) -> TokenAmount {
        TokenAmount::from_whole(n)
    }

    fn zero() -> TokenAmount {
        TokenAmount::default()
    }

    /// A well-formed piece commitment: `n` in the first 8 digest bytes, `space` in byte 30
    /// (population, popular, sample, veteran), the last byte 0 (trunc254).
    fn piece(space: u8, n: u64) -> Cid {
        let mut digest = [0u8; 32];
        digest[..8].copy_from_slice(&n.to_le_bytes());
        digest[30] = space;
        piece_cid(digest)
    }

    fn popular(p: usize) -> Cid {
        piece(2, p as u64)
    }

    /// Gas of every sample, per method, at one N.
    #[derive(Debug, Default)]
    struct Gas {
        post: Vec<u64>,
        claim_located: Vec<u64>,
        claim_search: Vec<u64>,
        claim_new: Vec<u64>,
        withdraw_one: Vec<u64>,
        withdraw_many: Vec<u64>,
        cancel: Vec<u64>,
        reclaim_cancelled: Vec<u64>,
        reclaim_expired: Vec<u64>,
        get_bounty: Vec<u64>,
        list_all: Vec<u64>,
        list_client: Vec<u64>,
        list_piece: Vec<u64>,
        get_claim: Vec<u64>,
        balance_one: Vec<u64>,
        balance_many: Vec<u64>,
    }

    impl Gas {
        /// In table order.
        fn rows(&self) -> [(&'static str, &[u64]); 16] {
            [
                ("PostBounty", &self.post),
                ("ClaimBounty (with sector_location)", &self.claim_located),
                (
                    "ClaimBounty (no sector_location: the miner searches)",
                    &self.claim_search,
                ),
                (
                    "ClaimBounty (new provider, with sector_location)",
                    &self.claim_new,
                ),
                ("Withdraw (provider with 1 claim)", &self.withdraw_one),
                ("Withdraw (provider with 32 claims)", &self.withdraw_many),
                ("CancelBounty", &self.cancel),
                ("Reclaim (after cancel)", &self.reclaim_cancelled),
                ("Reclaim (after expiry)", &self.reclaim_expired),
                ("GetBounty", &self.get_bounty),
                ("ListBounties (all, limit 100)", &self.list_all),
                ("ListBounties (by client, limit 100)", &self.list_client),
                ("ListBounties (by piece, limit 100)", &self.list_piece),
                ("GetClaim", &self.get_claim),
                ("GetProviderBalance (1 claim)", &self.balance_one),
                ("GetProviderBalance (32 claims)", &self.balance_many),
            ]
        }
    }

    /// What the other actors take of a ClaimBounty (with location, existing provider).
    #[derive(Debug, Default)]
    struct Breakdown {
        claim: Vec<u64>,
        lock: Vec<u64>,
        record: Vec<u64>,
        rest: Vec<u64>,
    }

    impl Breakdown {
        fn rows(&self) -> [(&'static str, &[u64]); 4] {
            [
                ("ClaimBounty (with sector_location), whole message", &self.claim),
                (
                    "  escrow Lock (≈ Lock alone − the same message to an account)",
                    &self.lock,
                ),
                (
                    "  registry RecordOutcome (≈ relayed − relayed to an account)",
                    &self.record,
                ),
                (
                    "  the rest: market, builtin market and miner queries, message",
                    &self.rest,
                ),
            ]
        }
    }

    /// Bounties returned by each ListBounties sample.
    #[derive(Debug, Default)]
    struct Listed {
        all: Vec<u64>,
        client: Vec<u64>,
        piece: Vec<u64>,
    }

    /// Building the population from one N to the next.
    struct Step {
        from: usize,
        to: usize,
        exec: Clock,
        sectors: Clock,
        deals: Clock,
        posts: Clock,
        claims: Clock,
        wall: Duration,
    }

    /// The market's HAMTs, and the paths to its bounties and claims, before the messages at N.
    struct Shapes {
        maps: Vec<(&'static str, MapShape)>,
        /// Mean over every bounty (claim) of the nodes from the root to it (blocks, bytes).
        bounty_path: (f64, f64),
        claim_path: (f64, f64),
    }

    /// What a set walk then lookups read: (blocks, bytes) of the set, of the lookups.
    type PageReads = ((u64, u64), (u64, u64));

    /// What three calls read, after the messages at N.
    struct Reads {
        /// ListBounties by client 0: its ids set walked for a page, then the page's bounties.
        client: PageReads,
        /// ListBounties by popular piece 0, likewise.
        piece: PageReads,
        /// Withdraw of the first veteran: its unpaid set walked, then its 32 claims.
        veteran: PageReads,
    }

    /// What was measured at one N.
    struct Point {
        n: usize,
        claims: u64,
        gas: Gas,
        breakdown: Breakdown,
        listed: Listed,
        shapes: Shapes,
        reads: Reads,
        /// Bounties and claims in the market when the veterans' messages ran.
        veterans_at: (usize, u64),
    }

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Kind {
        /// Posted by `populate`.
        Population,
        /// A measured PostBounty, expiring soon.
        Sample,
        /// Claimed by every veteran.
        Veteran,
    }

    /// A bounty the bench posted (its id is its index).
    struct Posted {
        client: usize,
        piece: Cid,
        replicas: u64,
        expiry: ChainEpoch,
        kind: Kind,
        claimers: Vec<ActorID>,
        cancelled: bool,
    }

    /// A population miner and its claims.
    struct Miner {
        id: ActorID,
        claims: usize,
    }

    /// A chain with the whole suite, the bounties, the miners and their claims.
    struct Bench {
        h: Harness,
        suite: Suite,
        /// Deployed the suite; administers the registry.
        admin: Account,
        /// Creates, owns and works every miner: sends every claim and withdrawal, is paid.
        owner: Account,
        clients: Vec<Account>,
        /// Sends the getters; the account the breakdown's comparison messages go to.
        reader: Account,
        /// A relay registered as a reporter, for RecordOutcome alone.
        reporter: Reporter,
        bounties: Vec<Posted>,
        /// Population bounties posted (the ordinal of the next one).
        population: usize,
        miners: Vec<Miner>,
        /// Miners made for the measured claims and the veterans.
        other_miners: usize,
        /// Providers with 32 claims each, on the same 32 bounties of 5 replicas.
        veterans: Vec<ActorID>,
        claims: u64,
        sample_posts: u64,
        next_subject: u64,
        exec: Clock,
        sectors: Clock,
        deals: Clock,
        posts: Clock,
        claim_clock: Clock,
    }

    pub fn run(options: &Options) -> Result<Section> {
        let started = Instant::now();
        let wasm = integration_tests::actors::require_wasm(PACKAGE)?;
        ensure!(
            MarketPolicy::default().max_claims_per_withdraw as usize == VETERAN_CLAIMS
                && MarketPolicy::default().max_page == PAGE,
            "the default market policy changed: update the bench's pages"
        );
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
        for a in [operator, b.admin, b.owner, b.reader, b.reporter.owner]
            .iter()
            .chain(&b.clients)
        {
            total_messages += b.h.actor(a.id)?.map(|a| a.sequence).unwrap_or(0);
        }
        let mut all = [Clock::default(); 5];
        for s in &steps {
            for (total, c) in all
                .iter_mut()
                .zip([s.exec, s.sectors, s.deals, s.posts, s.claims])
            {
                total.add(&c);
            }
        }
        let [exec, sectors, deals, posts, claims] = all;
        let sizes: Vec<usize> = points.iter().map(|p| p.n).collect();
        let rows = gas_rows(&points);
        let mut breakdown = gas_table(&sizes, &breakdown_rows(&points), breakdown_notes());
        breakdown.caption = format!(
            "Inside ClaimBounty (with sector_location, existing provider): gas by actor (mean of {SAMPLES} \
             claims)"
        );
        let facts = vec![
            format!("wasm module `{PACKAGE}`: {} bytes", thousands(wasm.len() as u64)),
            format!(
                "population: {CLIENTS} clients post in turn bounties of {REPLICAS} replicas × {REWARD} FIL \
                 ({COLLATERAL} FIL collateral each, 2 KiB piece, {} epochs of vesting, open until epoch \
                 {}); odd ones share {POPULAR_PIECES} popular pieces, even ones have their own; every \
                 {CLAIM_EVERY}th is claimed at once by a stand-in miner ({CLAIMS_PER_MINER} claims per \
                 miner, one sector each): the operator publishes and activates a deal for its piece, \
                 the miner's owner claims with the sector's location; {} population miners ({} more for \
                 the measured claims and the veterans), {} claims, {} harness messages in all",
                thousands(MIN_DURATION as u64),
                thousands(EXPIRY as u64),
                b.miners.len(),
                b.other_miners,
                thousands(b.claims),
                thousands(total_messages)
            ),
            format!(
                "harness while populating: {} messages/s; {} ms per PostBounty, {} ms per deal message \
                 (publish, activate), {} ms per ClaimBounty, {} ms per miner Exec (wall time, {} \
                 profile)",
                rate(&[exec, sectors, deals, posts, claims]),
                posts.ms_per_message(),
                deals.ms_per_message(),
                claims.ms_per_message(),
                exec.ms_per_message(),
                if cfg!(debug_assertions) { "dev" } else { "release" }
            ),
            format!(
                "section wall time {} (boot and deploy {})",
                seconds(started.elapsed()),
                seconds(boot)
            ),
        ];
        Ok(Section {
            title: "Bounty market".into(),
            facts,
            tables: vec![
                gas_table(&sizes, &rows, gas_notes(&points)),
                spread_table(&sizes, &rows),
                breakdown,
                list_table(&points),
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

    fn breakdown_rows(points: &[Point]) -> Vec<GasRow<'_>> {
        (0..points[0].breakdown.rows().len())
            .map(|i| {
                let name = points[0].breakdown.rows()[i].0;
                (name, points.iter().map(|p| p.breakdown.rows()[i].1).collect())
            })
            .collect()
    }

    fn gas_notes(points: &[Point]) -> Vec<String> {
        let at: Vec<String> = points
            .iter()
            .map(|p| {
                format!(
                    "{} bounties and {} claims at N = {}",
                    thousands(p.veterans_at.0 as u64),
                    thousands(p.veterans_at.1),
                    thousands(p.n as u64)
                )
            })
            .collect();
        let claims: Vec<String> = points
            .iter()
            .map(|p| format!("{} at N = {}", thousands(p.claims), thousands(p.n as u64)))
            .collect();
        vec![
            format!(
                "N = bounties in the market before the first message at that size (claims then: {}). \
                 In order: the getters (GetBounty and GetClaim spread over every bounty and claim; \
                 ListBounties all in consecutive pages from the start, by each client and by each \
                 popular piece from the start), {SAMPLES} PostBounty (sample bounties expiring {} \
                 epochs later), then the claims, each on an open bounty found from a spread position \
                 (a deal for its piece published and activated first): {SAMPLES} by new miners, \
                 {SAMPLES} with and {SAMPLES} without location by population miners.",
                claims.join(", "),
                EXPIRES_SOON
            ),
            format!(
                "CancelBounty and Reclaim (after cancel) on {SAMPLES} open population bounties, by their \
                 clients; GetProviderBalance (1 claim) on the new miners; the chain then moves past the \
                 sample bounties' expiry: Reclaim (after expiry) on them, Withdraw (1 claim) by the new \
                 miners (pays what vested since their claims)."
            ),
            format!(
                "32 claims: {SAMPLES} veteran miners each claim the same {VETERAN_CLAIMS} bounties of \
                 {SAMPLES} replicas, made at the end of the first N's messages (so the first N's two \
                 rows run with more than N bounties); GetProviderBalance then Withdraw (one page of 32 \
                 claims, what vested since the last) run last at each N: {}.",
                at.join(", ")
            ),
            "Without sector_location the escrow asks the miner's GenerateSectorLocation; the \
             stand-in miner answers from one HAMT lookup, as cheap as ValidateSectorStatus, where the \
             builtin miner searches its deadlines and partitions."
                .into(),
        ]
    }

    fn breakdown_notes() -> Vec<String> {
        vec![
            "After each claim, the same LockParams and collateral are sent alone to the escrow by the \
             claimant, and to an account (which accepts any method and does nothing); the difference is \
             the escrow's invocation and work, as in the claim (its 8 deal and miner queries included). \
             Likewise RecordOutcome (ClaimAccepted, a new subject, the same provider) through a relay \
             registered as reporter, to the registry and to an account. Approximate: an internal send \
             and a message differ in their fixed charges by a few thousand gas; the rest is the \
             claim less both."
                .into(),
        ]
    }

    fn list_table(points: &[Point]) -> Table {
        let rows = points
            .iter()
            .map(|p| {
                let mut row = vec![thousands(p.n as u64)];
                for (listed, gas) in [
                    (&p.listed.all, &p.gas.list_all),
                    (&p.listed.client, &p.gas.list_client),
                    (&p.listed.piece, &p.gas.list_piece),
                ] {
                    let entries = listed.iter().sum::<u64>() as f64 / listed.len().max(1) as f64;
                    row.push(format!("{entries:.1}"));
                    row.push(thousands((mean(gas) as f64 / entries.max(1.0)).round() as u64));
                }
                row
            })
            .collect();
        Table {
            caption:
                "ListBounties pages: bounties returned (mean of the samples) and gas per bounty returned"
                    .into(),
            header: [
                "N",
                "all: bounties",
                "gas / bounty",
                "by client",
                "gas / bounty",
                "by piece",
                "gas / bounty",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            notes: vec![format!(
                "A page holds at most the bounties that match: every bounty, one client's (1/{CLIENTS} of \
                 the population), one popular piece's (1/{} of it).",
                2 * POPULAR_PIECES
            )],
        }
    }

    fn shape_table(points: &[Point]) -> Table {
        let mut rows = Vec::new();
        for p in points {
            for (name, m) in &p.shapes.maps {
                rows.push(vec![
                    thousands(p.n as u64),
                    name.to_string(),
                    thousands(m.entries),
                    thousands(m.nodes),
                    kib(m.bytes as f64),
                    format!("{:.0}", m.bytes as f64 / m.entries.max(1) as f64),
                ]);
            }
        }
        Table {
            caption: "Market HAMTs at each N, before its messages (bit width 5, buckets of 3)".into(),
            header: ["N", "HAMT", "entries", "nodes", "KiB", "bytes / entry"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![
                "Indexes are maps key → root of a set id → true: `(sets)` rows sum every key's set.".into(),
            ],
        }
    }

    fn reads_table(points: &[Point]) -> Table {
        let pair = |(blocks, bytes): (f64, f64)| [format!("{blocks:.2}"), kib(bytes)];
        let page = |((sb, sn), (lb, ln)): PageReads| [format!("{sb} + {lb}"), kib((sn + ln) as f64)];
        let rows = points
            .iter()
            .map(|p| {
                let mut row = vec![thousands(p.n as u64)];
                row.extend(pair(p.shapes.bounty_path));
                row.extend(pair(p.shapes.claim_path));
                row.extend(page(p.reads.client));
                row.extend(page(p.reads.piece));
                row.extend(page(p.reads.veteran));
                row
            })
            .collect();
        Table {
            caption: "Market HAMT nodes one call reads (blocks, KiB) at each N".into(),
            header: [
                "N",
                "bounty path",
                "KiB",
                "claim path",
                "KiB",
                "client page",
                "KiB",
                "piece page",
                "KiB",
                "32 claims",
                "KiB",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            notes: vec![
                "Paths, before the messages at N: mean over every bounty (claim) of the nodes from the \
                 root of `bounties` (`claims`) to it: what GetBounty (GetClaim) reads; a message changing \
                 one reads it and writes it back."
                    .into(),
                "After the messages at N, as set nodes + map nodes: ListBounties by the first client \
                 (popular piece) walks its set for 100 ids, then looks each bounty up in `bounties`; \
                 Withdraw of the first veteran walks its unpaid set, then looks up and rewrites its 32 \
                 claims in `claims`. A node is read once per call. A set is keyed by bounty id with the \
                 map's hash, so a page is the ids of lowest hash: the smaller the set, the wider the \
                 part of `bounties` its page spans. In ref-fvm 4's price list a block read costs about \
                 187,700 gas + 10 per byte and a block written about 506,300 + 3,360 per byte, besides \
                 the wasm's own work decoding and encoding whole nodes."
                    .into(),
            ],
        }
    }

    fn population_table(steps: &[Step], b: &Bench) -> Table {
        let row = |label: String, c: [Clock; 5], wall: Duration| {
            let [exec, sectors, deals, posts, claims] = c;
            vec![
                label,
                thousands(posts.messages),
                posts.ms_per_message(),
                thousands(claims.messages),
                claims.ms_per_message(),
                thousands(deals.messages),
                thousands(exec.messages + sectors.messages),
                rate(&c),
                seconds(wall),
            ]
        };
        let mut rows: Vec<Vec<String>> = steps
            .iter()
            .map(|s| {
                row(
                    format!("{} → {}", thousands(s.from as u64), thousands(s.to as u64)),
                    [s.exec, s.sectors, s.deals, s.posts, s.claims],
                    s.wall,
                )
            })
            .collect();
        let all = [b.exec, b.sectors, b.deals, b.posts, b.claim_clock];
        let time = all.iter().map(|c| c.time).sum();
        rows.push(row("all (incl. measured messages)".into(), all, time));
        Table {
            caption: "Harness throughput while building the population (wall time)".into(),
            header: [
                "bounties",
                "PostBounty",
                "ms / post",
                "ClaimBounty",
                "ms / claim",
                "deal messages",
                "miner messages",
                "messages/s",
                "wall time",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            notes: vec![
                "Deal messages: the operator's publish and activate, two per claim; miner messages: \
                 Exec and AddSector. Wall time of the step includes the checks of every receipt; the \
                 last row counts message time only (population, measured messages and the veterans)."
                    .into(),
            ],
        }
    }

    /// Every map of a set index summed: the outer map and its sets.
    fn index_shapes<B: Blockstore, K: MapKey>(store: &B, root: &Cid) -> Result<(MapShape, MapShape)> {
        let outer = shape::<_, K, Cid>(store, root)?;
        let roots = Map::<_, K, Cid>::load(store, root, "index")?
            .page(None, usize::MAX)?
            .entries;
        let mut sets = MapShape::default();
        for (_, r) in &roots {
            let s = shape::<_, u64, bool>(store, r)?;
            sets.entries += s.entries;
            sets.nodes += s.nodes;
            sets.bytes += s.bytes;
        }
        Ok((outer, sets))
    }

    /// Mean blocks and bytes on the paths to keys `0..count` of a map.
    fn mean_path<B: Blockstore, V>(store: &B, root: &Cid, count: u64) -> Result<(f64, f64)>
    where
        V: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
    {
        let (mut blocks, mut bytes) = (0, 0);
        for id in 0..count {
            let (found, b, n) = read::<_, u64, V, _>(store, root, |m| Ok(m.contains(&id)?))?;
            ensure!(found, "key {id} is missing");
            blocks += b;
            bytes += n;
        }
        let count = count.max(1) as f64;
        Ok((blocks as f64 / count, bytes as f64 / count))
    }

    /// What walking `key`'s set in `index` for `limit` ids and then looking each id up in
    /// `map` reads: (blocks, bytes) of the set, of the lookups.
    fn page_reads<B: Blockstore, K: MapKey, V>(
        store: &B,
        index: &Cid,
        key: &K,
        limit: usize,
        map: &Cid,
    ) -> Result<PageReads>
    where
        V: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
    {
        let (root, _, _) =
            read::<_, K, Cid, _>(store, index, |m| m.get(key)?.copied().context("no such key"))?;
        let (page, ib, inb) = read::<_, u64, bool, _>(store, &root, |m| Ok(m.page(None, limit)?))?;
        let ((), mb, mnb) = read::<_, u64, V, _>(store, map, |m| {
            for (id, _) in &page.entries {
                ensure!(m.get(id)?.is_some(), "{id} is missing");
            }
            Ok(())
        })?;
        Ok(((ib, inb), (mb, mnb)))
    }

    impl Bench {
        fn new() -> Result<Self> {
            let mut h = Harness::new()?;
            let admin = h.create_account(fil(1_000))?;
            // Every claim's collateral, and the breakdown's locks.
            let owner = h.create_account(fil(100_000))?;
            let mut clients = Vec::new();
            for _ in 0..CLIENTS {
                // About 2,000 bounties of 4 FIL each on a full run.
                clients.push(h.create_account(fil(100_000))?);
            }
            let reader = h.create_account(fil(1_000))?;
            let reporter_owner = h.create_account(fil(1_000))?;
            let suite = bm::deploy(&mut h, &admin, &admin, Policy::default(), MarketPolicy::default())?;
            let reporter = rep::deploy_reporter(&mut h, &reporter_owner)?;
            rep::add_reporter(&mut h, &admin, suite.reputation, reporter.relay)?
                .ok()
                .context("AddReporter(relay)")?;
            Ok(Self {
                h,
                suite,
                admin,
                owner,
                clients,
                reader,
                reporter,
                bounties: Vec::new(),
                population: 0,
                miners: Vec::new(),
                other_miners: 0,
                veterans: Vec::new(),
                claims: 0,
                sample_posts: 0,
                next_subject: FIRST_SUBJECT,
                exec: Clock::default(),
                sectors: Clock::default(),
                deals: Clock::default(),
                posts: Clock::default(),
                claim_clock: Clock::default(),
            })
        }

        fn market(&self) -> ActorID {
            self.suite.market
        }

        /// A new miner owned and worked by the owner account, with its sector.
        fn new_miner(&mut self) -> Result<ActorID> {
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
            self.sectors.time(|| {
                miner::add_sector(
                    &mut self.h,
                    id,
                    SECTOR,
                    LOCATION.deadline as u64,
                    LOCATION.partition as u64,
                    SECTOR_EXPIRATION,
                )?
                .ok()
                .context("HarnessAddSector")
            })?;
            Ok(id)
        }

        /// Posts a bounty of `client` for `piece`; its receipt.
        fn post(
            &mut self,
            kind: Kind,
            client: usize,
            piece: Cid,
            replicas: u64,
            expiry: ChainEpoch,
        ) -> Result<Receipt> {
            let (from, market) = (self.clients[client], self.market());
            let p = PostBountyParams {
                piece_cid: piece,
                piece_size: DEFAULT_PIECE_SIZE,
                replicas,
                reward_per_replica: fil(REWARD),
                collateral_per_replica: fil(COLLATERAL),
                min_duration: MIN_DURATION,
                expiry,
                min_reputation: None,
                allowed_providers: None,
            };
            let r = self
                .posts
                .time(|| bm::post(&mut self.h, &from, market, &p, fil(REWARD * replicas)))?
                .ok()
                .context("PostBounty")?;
            let id = bm::bounty_id(&r)?;
            ensure!(
                id == self.bounties.len() as u64,
                "bounty id {id}, expected {}",
                self.bounties.len()
            );
            ensure!(r.events_of(EVENT_POSTED).len() == 1, "no posted event");
            self.bounties.push(Posted {
                client,
                piece,
                replicas,
                expiry,
                kind,
                claimers: Vec::new(),
                cancelled: false,
            });
            Ok(r)
        }

        /// A deal between bounty `b`'s client and `miner` for its piece, published and activated
        /// now in the miner's sector.
        fn deal(&mut self, miner: ActorID, b: usize) -> Result<DealID> {
            let (client, piece, epoch) = (
                self.clients[self.bounties[b].client].id,
                self.bounties[b].piece,
                self.h.epoch(),
            );
            let proposal = DealProposal {
                piece_cid: piece,
                label: Label::String(format!("bounty {b}")),
                ..deal_proposal(client, miner, epoch + 10, DEAL_END, 1)
            };
            let deal = self.deals.time(|| self.h.publish_deal(&proposal))?;
            self.deals.time(|| self.h.activate_deal(deal, SECTOR))?;
            Ok(deal)
        }

        /// `miner` claims bounty `b` with a new deal; the deal and the receipt.
        fn claim(
            &mut self,
            miner: ActorID,
            b: usize,
            location: Option<SectorLocation>,
        ) -> Result<(DealID, Receipt)> {
            let deal = self.deal(miner, b)?;
            let (owner, market) = (self.owner, self.market());
            let p = bm::claim_params(b as u64, miner, deal, location);
            let r = self
                .claim_clock
                .time(|| bm::claim(&mut self.h, &owner, market, &p, fil(COLLATERAL)))?
                .ok()
                .context("ClaimBounty")?;
            let ret: ClaimBountyReturn = r.ret()?;
            ensure!(
                ret.claim_id == self.claims,
                "claim id {}, expected {}",
                ret.claim_id,
                self.claims
            );
            ensure!(
                r.events_of(EVENT_CLAIMED).len() == 1
                    && r.events_of(EVENT_LOCKED).len() == 1
                    && r.events_of(EVENT_REPUTATION_UPDATED).len() == 1
                    && r.events_of(EVENT_REPUTATION_FAILED).is_empty(),
                "a claim without its claimed, locked and reputation events"
            );
            self.claims += 1;
            self.bounties[b].claimers.push(miner);
            Ok((deal, r))
        }

        /// One population bounty; every 10th claimed at once by the current population miner.
        fn add_bounty(&mut self) -> Result<()> {
            let i = self.population;
            let piece = if i % 2 == 1 {
                popular(i / 2 % POPULAR_PIECES)
            } else {
                piece(1, i as u64)
            };
            self.post(Kind::Population, i % CLIENTS, piece, REPLICAS, EXPIRY)?;
            self.population += 1;
            if i.is_multiple_of(CLAIM_EVERY) {
                let m = match self.miners.last() {
                    Some(m) if m.claims < CLAIMS_PER_MINER => self.miners.len() - 1,
                    _ => {
                        let id = self.new_miner()?;
                        self.miners.push(Miner { id, claims: 0 });
                        self.miners.len() - 1
                    }
                };
                let b = self.bounties.len() - 1;
                self.claim(self.miners[m].id, b, Some(LOCATION))?;
                self.miners[m].claims += 1;
            }
            Ok(())
        }

        fn clocks(&self) -> [Clock; 5] {
            [self.exec, self.sectors, self.deals, self.posts, self.claim_clock]
        }

        /// Adds population bounties until the market holds `target`; progress on stderr.
        fn populate(&mut self, target: usize) -> Result<Step> {
            let from = self.bounties.len();
            ensure!(
                from <= target,
                "the market already holds {from} bounties, more than {target}"
            );
            let before = self.clocks();
            let started = Instant::now();
            let messages = |b: &Bench| -> u64 {
                b.clocks()
                    .iter()
                    .zip(&before)
                    .map(|(c, e)| c.since(e).messages)
                    .sum()
            };
            // A line per thousand bounties on long steps.
            let mut next_report = if target - from >= 2_000 {
                (from / 1_000 + 1) * 1_000
            } else {
                usize::MAX
            };
            while self.bounties.len() < target {
                self.add_bounty()?;
                if self.bounties.len() >= next_report {
                    next_report += 1_000;
                    let secs = started.elapsed().as_secs_f64();
                    eprintln!(
                        "  populating: {} / {} bounties, {} claims, {} messages in {secs:.1} s ({:.0} \
                         messages/s)",
                        thousands(self.bounties.len() as u64),
                        thousands(target as u64),
                        thousands(self.claims),
                        thousands(messages(self)),
                        messages(self) as f64 / secs
                    );
                }
            }
            let now = self.clocks();
            let since: Vec<Clock> = now.iter().zip(&before).map(|(c, e)| c.since(e)).collect();
            let step = Step {
                from,
                to: target,
                exec: since[0],
                sectors: since[1],
                deals: since[2],
                posts: since[3],
                claims: since[4],
                wall: started.elapsed(),
            };
            eprintln!(
                "  N = {}: populated in {} ({} messages/s)",
                thousands(target as u64),
                seconds(step.wall),
                rate(&since)
            );
            Ok(step)
        }

        /// Whether `provider` may claim bounty `b` now (sample bounties keep a slot, for the
        /// Reclaim after their expiry).
        fn claimable(&self, b: usize, provider: ActorID) -> bool {
            let p = &self.bounties[b];
            let slots = match p.kind {
                Kind::Population => p.replicas,
                Kind::Sample => p.replicas - 1,
                Kind::Veteran => 0,
            };
            !p.cancelled
                && p.expiry > self.h.epoch()
                && (p.claimers.len() as u64) < slots
                && !p.claimers.contains(&provider)
        }

        /// The first bounty from sample `i`'s spread position that `provider` may claim.
        fn pick(&self, i: usize, provider: ActorID) -> Result<usize> {
            let len = self.bounties.len();
            let start = spread(len, i);
            (0..len)
                .map(|k| (start + k) % len)
                .find(|&b| self.claimable(b, provider))
                .with_context(|| format!("no bounty f0{provider} can claim"))
        }

        fn get<P: serde::Serialize>(&mut self, method: u64, p: &P) -> Result<Receipt> {
            let (reader, market) = (self.reader, self.market());
            self.h.call(&reader, market, method, p, zero())
        }

        fn list(
            &mut self,
            client: Option<usize>,
            piece: Option<Cid>,
            cursor: Option<u64>,
        ) -> Result<(ListBountiesReturn, u64)> {
            let p = bm::list_params(client.map(|c| self.clients[c].id), piece, cursor, PAGE);
            let r = self.get(METHOD_LIST_BOUNTIES, &p)?;
            let page: ListBountiesReturn = r.ret().context("ListBounties")?;
            ensure!(
                page.bounties.len() == PAGE as usize || (page.next.is_none() && !page.bounties.is_empty()),
                "a short page ({} bounties) that is not the last",
                page.bounties.len()
            );
            for got in &page.bounties {
                let posted = &self.bounties[got.bounty_id as usize];
                ensure!(
                    client.is_none_or(|c| got.bounty.client == self.clients[c].id)
                        && piece.is_none_or(|p| got.bounty.piece_cid == p)
                        && got.bounty.piece_cid == posted.piece,
                    "ListBounties answered bounty {} that does not match",
                    got.bounty_id
                );
            }
            Ok((page, r.gas_used))
        }

        fn balance(&mut self, provider: ActorID, open_claims: u64) -> Result<u64> {
            let p = ProviderParams {
                provider: Address::new_id(provider),
            };
            let r = self.get(METHOD_GET_PROVIDER_BALANCE, &p)?;
            let got: ProviderBalance = r.ret().context("GetProviderBalance")?;
            ensure!(
                got.open_claims == open_claims,
                "f0{provider} has {} open claims, not {open_claims}",
                got.open_claims
            );
            Ok(r.gas_used)
        }

        fn withdraw(&mut self, provider: ActorID) -> Result<u64> {
            let (owner, market) = (self.owner, self.market());
            let r = bm::withdraw(&mut self.h, &owner, market, provider)?
                .ok()
                .context("Withdraw")?;
            let ret: WithdrawReturn = r.ret()?;
            ensure!(
                !ret.paid.is_zero() && ret.to == owner.id && !ret.more,
                "Withdraw of f0{provider} answered {ret:?}"
            );
            ensure!(r.events_of(EVENT_WITHDRAWN).len() == 1, "no withdrawn event");
            Ok(r.gas_used)
        }

        /// Reclaim by bounty `b`'s client, which must pay the unclaimed slots' rewards.
        fn reclaim(&mut self, b: usize) -> Result<u64> {
            let p = &self.bounties[b];
            let (client, market) = (self.clients[p.client], self.market());
            let want = fil(REWARD * (p.replicas - p.claimers.len() as u64));
            let r = bm::reclaim(&mut self.h, &client, market, b as u64)?
                .ok()
                .context("Reclaim")?;
            let paid: TokenAmount = r.ret()?;
            ensure!(paid == want, "Reclaim of bounty {b} paid {paid}, not {want}");
            ensure!(r.events_of(EVENT_RECLAIMED).len() == 1, "no reclaimed event");
            Ok(r.gas_used)
        }

        /// The breakdown of the claim of bounty `b` by `miner` with `deal`: the same Lock alone,
        /// and a RecordOutcome like the market's, each less the same message to an account.
        fn breakdown(&mut self, miner: ActorID, b: usize, deal: DealID) -> Result<(u64, u64)> {
            let (owner, reader, escrow) = (self.owner, self.reader, self.suite.escrow);
            let lock = LockParams {
                provider: Address::new_id(miner),
                beneficiary: Address::new_id(self.clients[self.bounties[b].client].id),
                refund_to: owner.address(),
                evidence: EvidenceParams {
                    deal: Some(deal),
                    sector: Some(SECTOR),
                    sector_location: Some(LOCATION),
                },
                end_epoch: self.h.epoch() + MIN_DURATION,
                notify: Some(Address::new_id(self.market())),
            };
            let alone = self
                .h
                .call(&owner, escrow, METHOD_LOCK, &lock, fil(COLLATERAL))?
                .ok()
                .context("Lock alone")?;
            ensure!(alone.events_of(EVENT_LOCKED).len() == 1, "no lock event");
            let sink = self
                .h
                .call(&owner, reader.id, METHOD_LOCK, &lock, fil(COLLATERAL))?
                .ok()
                .context("Lock to an account")?;

            let outcome = RecordOutcomeParams {
                provider: miner,
                subject: Subject {
                    kind: SubjectKind::Deal,
                    id: self.next_subject,
                },
                kind: OutcomeKind::ClaimAccepted,
                weight: DEFAULT_PIECE_SIZE * MIN_DURATION as u64,
                bytes: DEFAULT_PIECE_SIZE,
            };
            self.next_subject += 1;
            let (reporter, registry) = (self.reporter, self.suite.reputation);
            let relayed = rep::relay(&mut self.h, &reporter, registry, METHOD_RECORD_OUTCOME, &outcome)?
                .ok()
                .context("RecordOutcome alone")?;
            let ret: RecordOutcomeReturn = relayed.ret()?;
            ensure!(ret.counted, "the breakdown's outcome was not counted");
            let to_account = rep::relay(&mut self.h, &reporter, reader.id, METHOD_RECORD_OUTCOME, &outcome)?
                .ok()
                .context("RecordOutcome to an account")?;
            Ok((
                alone.gas_used.saturating_sub(sink.gas_used),
                relayed.gas_used.saturating_sub(to_account.gas_used),
            ))
        }

        /// The veterans: {SAMPLES} new miners each claim the same 32 new bounties.
        fn add_veterans(&mut self) -> Result<()> {
            eprintln!(
                "  adding {SAMPLES} veteran providers of {VETERAN_CLAIMS} claims each ({} messages)",
                VETERAN_CLAIMS * (1 + 3 * SAMPLES) + 2 * SAMPLES
            );
            let first = self.bounties.len();
            for k in 0..VETERAN_CLAIMS {
                self.post(
                    Kind::Veteran,
                    k % CLIENTS,
                    piece(4, k as u64),
                    SAMPLES as u64,
                    EXPIRY,
                )?;
            }
            for _ in 0..SAMPLES {
                let miner = self.new_miner()?;
                self.other_miners += 1;
                for b in first..first + VETERAN_CLAIMS {
                    self.claim(miner, b, Some(LOCATION))?;
                }
                self.veterans.push(miner);
            }
            Ok(())
        }

        /// Every method at the current population; see `gas_notes` for the order.
        fn measure(&mut self, n: usize) -> Result<Point> {
            ensure!(
                self.bounties.len() == n,
                "the market holds {} bounties, not {n}",
                self.bounties.len()
            );
            ensure!(self.claims > 0, "no claim to get");
            let (claims, shapes) = (self.claims, self.shapes()?);
            let (mut gas, mut breakdown, mut listed) =
                (Gas::default(), Breakdown::default(), Listed::default());

            for i in 0..SAMPLES {
                let id = spread(n, i) as u64;
                let r = self.get(METHOD_GET_BOUNTY, &IdParams { id })?;
                let got: GetBountyReturn = r.ret().context("GetBounty")?;
                ensure!(
                    got.bounty_id == id && got.bounty.piece_cid == self.bounties[id as usize].piece,
                    "GetBounty answered another bounty"
                );
                gas.get_bounty.push(r.gas_used);
            }
            for i in 0..SAMPLES {
                let id = spread(self.claims as usize, i) as u64;
                let r = self.get(METHOD_GET_CLAIM, &IdParams { id })?;
                let got: GetClaimReturn = r.ret().context("GetClaim")?;
                ensure!(got.claim_id == id, "GetClaim answered another claim");
                gas.get_claim.push(r.gas_used);
            }
            let mut cursor = None;
            for _ in 0..SAMPLES {
                let (page, g) = self.list(None, None, cursor)?;
                cursor = page.next;
                listed.all.push(page.bounties.len() as u64);
                gas.list_all.push(g);
            }
            for i in 0..SAMPLES {
                let (page, g) = self.list(Some(i % CLIENTS), None, None)?;
                listed.client.push(page.bounties.len() as u64);
                gas.list_client.push(g);
            }
            for i in 0..SAMPLES {
                let (page, g) = self.list(None, Some(popular(i % POPULAR_PIECES)), None)?;
                listed.piece.push(page.bounties.len() as u64);
                gas.list_piece.push(g);
            }

            let posted_at = self.h.epoch();
            let mut expiring = Vec::new();
            for i in 0..SAMPLES {
                let p = piece(3, self.sample_posts);
                self.sample_posts += 1;
                let r = self.post(Kind::Sample, i % CLIENTS, p, REPLICAS, posted_at + EXPIRES_SOON)?;
                gas.post.push(r.gas_used);
                expiring.push(self.bounties.len() - 1);
            }

            let mut fresh = Vec::new();
            for i in 0..SAMPLES {
                let miner = self.new_miner()?;
                self.other_miners += 1;
                let b = self.pick(i, miner)?;
                let (_, r) = self.claim(miner, b, Some(LOCATION))?;
                gas.claim_new.push(r.gas_used);
                fresh.push(miner);
            }
            for i in 0..SAMPLES {
                let m = spread(self.miners.len(), i);
                let miner = self.miners[m].id;
                let b = self.pick(i, miner)?;
                let (deal, r) = self.claim(miner, b, Some(LOCATION))?;
                self.miners[m].claims += 1;
                let (lock, record) = self.breakdown(miner, b, deal)?;
                gas.claim_located.push(r.gas_used);
                breakdown.claim.push(r.gas_used);
                breakdown.lock.push(lock);
                breakdown.record.push(record);
                breakdown.rest.push(r.gas_used.saturating_sub(lock + record));
            }
            for i in 0..SAMPLES {
                let m = spread(self.miners.len(), i);
                let miner = self.miners[m].id;
                let b = self.pick(i, miner)?;
                let (_, r) = self.claim(miner, b, None)?;
                self.miners[m].claims += 1;
                gas.claim_search.push(r.gas_used);
            }

            let mut cancelled = Vec::new();
            for i in 0..SAMPLES {
                let len = self.bounties.len();
                let start = spread(len, i);
                let epoch = self.h.epoch();
                let b = (0..len)
                    .map(|k| (start + k) % len)
                    .find(|&b| {
                        let p = &self.bounties[b];
                        p.kind == Kind::Population
                            && !p.cancelled
                            && p.expiry > epoch
                            && (p.claimers.len() as u64) < p.replicas
                    })
                    .context("no open bounty to cancel")?;
                let (client, market) = (self.clients[self.bounties[b].client], self.market());
                let r = bm::cancel(&mut self.h, &client, market, b as u64)?
                    .ok()
                    .context("CancelBounty")?;
                ensure!(r.events_of(EVENT_CANCELLED).len() == 1, "no cancelled event");
                self.bounties[b].cancelled = true;
                gas.cancel.push(r.gas_used);
                cancelled.push(b);
            }
            for b in cancelled {
                gas.reclaim_cancelled.push(self.reclaim(b)?);
            }
            for &miner in &fresh {
                gas.balance_one.push(self.balance(miner, 1)?);
            }

            self.h.advance_to(posted_at + EXPIRES_SOON)?;
            for b in expiring {
                gas.reclaim_expired.push(self.reclaim(b)?);
            }
            for &miner in &fresh {
                gas.withdraw_one.push(self.withdraw(miner)?);
            }

            if self.veterans.is_empty() {
                self.add_veterans()?;
                let next = self.h.epoch() + 1;
                self.h.advance_to(next)?;
            }
            let veterans_at = (self.bounties.len(), self.claims);
            for v in self.veterans.clone() {
                gas.balance_many.push(self.balance(v, VETERAN_CLAIMS as u64)?);
            }
            let reads = self.reads()?;
            for v in self.veterans.clone() {
                gas.withdraw_many.push(self.withdraw(v)?);
            }
            eprintln!("  N = {}: measured", thousands(n as u64));
            Ok(Point {
                n,
                claims,
                gas,
                breakdown,
                listed,
                shapes,
                reads,
                veterans_at,
            })
        }

        /// The market's HAMTs as they are now, and the paths to every bounty and claim.
        fn shapes(&mut self) -> Result<Shapes> {
            self.h.flush()?;
            let state: State = bm::state(&self.h, self.market())?;
            let store = self.h.store();
            let (by_client, client_sets) = index_shapes::<_, u64>(store, &state.by_client)?;
            let (by_piece, piece_sets) = index_shapes::<_, Vec<u8>>(store, &state.by_piece)?;
            let (unpaid, unpaid_sets) = index_shapes::<_, u64>(store, &state.unpaid)?;
            let (claimants, claimant_sets) = index_shapes::<_, u64>(store, &state.claimants)?;
            let maps = vec![
                ("bounties", shape::<_, u64, Bounty>(store, &state.bounties)?),
                ("claims", shape::<_, u64, Claim>(store, &state.claims)?),
                ("by client", by_client),
                ("by client (sets)", client_sets),
                ("by piece", by_piece),
                ("by piece (sets)", piece_sets),
                ("deals", shape::<_, u64, u64>(store, &state.deals)?),
                ("locks", shape::<_, u64, u64>(store, &state.locks)?),
                ("unpaid", unpaid),
                ("unpaid (sets)", unpaid_sets),
                ("claimants", claimants),
                ("claimants (sets)", claimant_sets),
            ];
            Ok(Shapes {
                maps,
                bounty_path: mean_path::<_, Bounty>(store, &state.bounties, state.next_bounty_id)?,
                claim_path: mean_path::<_, Claim>(store, &state.claims, state.next_claim_id)?,
            })
        }

        /// What ListBounties by the first client and the first veteran's Withdraw read.
        fn reads(&mut self) -> Result<Reads> {
            self.h.flush()?;
            let state: State = bm::state(&self.h, self.market())?;
            let store = self.h.store();
            let Some(&veteran) = self.veterans.first() else {
                bail!("no veteran");
            };
            let page = PAGE as usize;
            let client = self.clients[0].id;
            Ok(Reads {
                client: page_reads::<_, u64, Bounty>(
                    store,
                    &state.by_client,
                    &client,
                    page,
                    &state.bounties,
                )?,
                piece: page_reads::<_, Vec<u8>, Bounty>(
                    store,
                    &state.by_piece,
                    &popular(0).to_bytes(),
                    page,
                    &state.bounties,
                )?,
                veteran: page_reads::<_, u64, Claim>(
                    store,
                    &state.unpaid,
                    &veteran,
                    VETERAN_CLAIMS,
                    &state.claims,
                )?,
            })
        }
    }
}
