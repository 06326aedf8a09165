//! The suite's benchmark on the real wasm through the local FVM harness: the gas each exported
//! method uses (`Receipt::gas_used`) at growing state sizes, floors of the heavy flows (a test
//! actor replaying only their unavoidable work), where a claim's gas goes (the FVM's execution
//! trace), the harness's messages per second, the wasm modules, and the heavy flows on other
//! builds of the suite. One module per section. `scripts/bench.sh` runs it and writes
//! `docs/benchmarks.md`.
//!
//! ```text
//! cargo run -p suite-bench -- [--quick] [--out FILE] [--variant LABEL=DIR]... [--only NAME]...
//! ```
//!
//! Text tables go to stdout, progress to stderr. The program is deterministic in gas (the
//! same messages on the same chain), not in wall time.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Parser;
use integration_tests::client::text::thousands;

mod cron;
mod escrow;
mod flows;
mod hamt;
mod machine;
mod market;
mod node;
mod report;
mod reputation;
mod sizes;
mod trace;

/// The suite's benchmark on the local FVM: gas of every exported method at growing state
/// sizes, floors of the heavy flows, where a claim's gas goes, the wasm modules. Text tables go
/// to stdout, progress to stderr.
#[derive(Parser)]
#[command(
    name = "bench",
    after_help = r#"Examples:
  cargo run --locked -q -p suite-bench -- --quick --only market     # a smoke run of one section
  cargo run --locked -q -p suite-bench -- --out docs/benchmarks.md \
      --variant "opt-level s=target/bench-wasm/opt-s"               # what scripts/bench.sh runs"#
)]
struct Options {
    /// N = 10 and 100 only, fewer flow rounds (a smoke run)
    #[arg(long)]
    quick: bool,
    /// Also write the tables as Markdown to FILE
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Also run the heavy flows on the suite modules in DIR (a wasm-build output directory),
    /// e.g. built at another opt-level; LABEL names them in the report
    #[arg(long = "variant", value_name = "LABEL=DIR", value_parser = variant)]
    variants: Vec<(String, PathBuf)>,
    /// Run only the sections whose name contains NAME (repeatable; all when absent): provider
    /// reputation registry, collateral escrow, bounty market, heavy flows, wasm modules
    #[arg(long, value_name = "NAME")]
    only: Vec<String>,
}

/// `LABEL=DIR` of `--variant`.
fn variant(v: &str) -> Result<(String, PathBuf), String> {
    match v.split_once('=') {
        Some((label, dir)) if !label.is_empty() && !dir.is_empty() => Ok((label.into(), dir.into())),
        _ => Err(format!("{v:?} is not LABEL=DIR")),
    }
}

impl Options {
    /// The state sizes every section measures at.
    fn sizes(&self) -> &'static [usize] {
        if self.quick {
            &[10, 100]
        } else {
            &[10, 1_000, 10_000]
        }
    }
}

/// A section's benchmark: runs on its own chain, returns its tables and adds its headline
/// figures to the findings.
type SectionRun = fn(&Options, &mut Findings) -> Result<report::Section>;

/// What the report's summary says, each sentence written by the section that measured it.
#[derive(Default)]
pub struct Findings {
    /// Headline figures.
    pub headlines: Vec<String>,
    /// The biggest costs found, each with what could cut it.
    pub costs: Vec<String>,
    /// A ClaimBounty traced at the largest N of the market section.
    pub claim_at_scale: Option<ClaimAtScale>,
    /// Every headline row's mean gas: "actor row" → (first N, gas there, last N, gas there).
    pub measured: Vec<(String, (usize, u64, usize, u64))>,
}

/// What a ClaimBounty at the market section's largest N spent (gas), from its trace.
pub struct ClaimAtScale {
    pub n: usize,
    pub total: u64,
    pub blocks_written: u64,
    pub bytes_written: u64,
    pub link: u64,
    pub exec: u64,
    pub reads: u64,
    pub read_gas: u64,
}

impl Findings {
    /// A headline per named row: its mean gas at the first and last N and the growth.
    fn growth(&mut self, actor: &str, sizes: &[usize], rows: &[GasRow], names: &[&str]) {
        let (first, last) = (sizes[0], sizes[sizes.len() - 1]);
        for (name, samples) in rows.iter().filter(|(n, _)| names.contains(n)) {
            let (a, b) = (mean(samples[0]), mean(samples[samples.len() - 1]));
            self.measured
                .push((format!("{actor} {name}"), (first, a, last, b)));
            self.headlines.push(format!(
                "{actor} {name}: {} gas at N = {}, {} at N = {} (×{:.2})",
                thousands(a),
                thousands(first as u64),
                thousands(b),
                thousands(last as u64),
                b as f64 / a.max(1) as f64
            ));
        }
    }
}

/// The benchmark sections, in report order. Each actor adds one.
const SECTIONS: &[(&str, SectionRun)] = &[
    ("provider reputation registry", reputation::run),
    ("collateral escrow", escrow::run),
    ("bounty market", market::run),
    ("heavy flows", flows::run),
    ("devnet cron", cron::run),
    ("wasm modules", sizes::run),
    ("suite node", node::run),
];

fn main() -> Result<()> {
    let options = Options::parse();
    let started = Instant::now();
    let mut findings = Findings::default();
    let mut sections = Vec::new();
    for (name, run) in SECTIONS {
        if !options.only.is_empty() && !options.only.iter().any(|o| name.contains(o.as_str())) {
            continue;
        }
        eprintln!("bench: {name}");
        sections.push(run(&options, &mut findings).with_context(|| format!("section {name}"))?);
    }
    let report = report::Report {
        sections,
        findings,
        environment: machine::environment(),
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

/// What bounds a method's growth: the HAMT blocks it reads at the first and the last N, and
/// their bytes.
pub struct Bound {
    pub what: String,
    pub blocks: (f64, f64),
    pub bytes: (f64, f64),
}

fn ratio_of((first, last): (f64, f64)) -> f64 {
    last / first.max(f64::MIN_POSITIVE)
}

/// Each method's gas growth from the first N to the last against the growth of the HAMT
/// blocks it reads: the nodes on one path (`depth`) or, by row name, those of its page or
/// batch (`special`). Within the blocks' growth it grows no faster than the depth; within
/// their bytes' growth, no faster than the nodes it reads and writes fill up (a node is paid,
/// decoded and encoded by the byte). Beyond both it is flagged, with `reasons` by row name.
fn growth_table(
    sizes: &[usize],
    rows: &[GasRow],
    depth: &Bound,
    special: &[(&str, Bound)],
    reasons: &[(&str, &str)],
) -> report::Table {
    let (first, last) = (sizes[0], sizes[sizes.len() - 1]);
    let rows = rows
        .iter()
        .map(|(name, samples)| {
            let gas = mean(samples[samples.len() - 1]) as f64 / mean(samples[0]).max(1) as f64;
            let bound = special.iter().find(|(n, _)| n == name).map_or(depth, |(_, b)| b);
            let reason = reasons.iter().find(|(n, _)| n == name).map(|(_, why)| *why);
            // 3 % of slack: the samples land on different keys at each N.
            let verdict = match reason {
                Some(why) => why.to_string(),
                None if gas <= ratio_of(bound.blocks) * 1.03 => "no faster than the blocks".into(),
                None if gas <= ratio_of(bound.bytes) * 1.03 => "no faster than their bytes".into(),
                None => "faster than both".into(),
            };
            vec![
                name.to_string(),
                format!("×{gas:.2}"),
                bound.what.clone(),
                format!(
                    "{:.2} → {:.2} (×{:.2})",
                    bound.blocks.0,
                    bound.blocks.1,
                    ratio_of(bound.blocks)
                ),
                format!(
                    "{} → {} (×{:.2})",
                    kib(bound.bytes.0),
                    kib(bound.bytes.1),
                    ratio_of(bound.bytes)
                ),
                verdict,
            ]
        })
        .collect();
    report::Table {
        caption: format!(
            "Growth {} → {}: gas against the HAMT blocks each method reads",
            thousands(first as u64),
            thousands(last as u64)
        ),
        header: ["method", "gas growth", "bounded by", "blocks", "KiB", "verdict"]
            .map(String::from)
            .to_vec(),
        rows,
        notes: vec![report::prose("hamt-growth")],
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
