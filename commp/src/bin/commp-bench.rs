//! CommP throughput next to `sha256sum` (and `openssl dgst -sha256`) of the same files, in one
//! run: a 1 GiB sparse file (zeros, as the issue asks) and a 1 GiB file of pseudo-random bytes
//! (in the page cache after it is written). Each tool runs as its own process, three times
//! alternating; the median wall and CPU times count; peak memory is the maximum resident set
//! size reported by `/usr/bin/time` (when installed). Prints a Markdown section, "## CommP".
//!
//! ```sh
//! cargo run --release -p suite-commp --bin commp-bench -- [--size 1GiB] [--dir DIR] [--reps 3]
//!     [--variant LABEL=PATH-TO-ANOTHER-BUILD-OF-THIS-PROGRAM] [--out FILE]
//! scripts/bench-commp.sh   # also builds the `asm` variant and updates docs/benchmarks.md
//! ```
//!
//! A binary of the crate rather than an example or a cargo bench: those link the
//! dev-dependencies, and a release build of `filecoin-proofs-api` (the test oracle) would cost
//! minutes. Internally `commp-bench --child FILE THREADS` computes one CommP and prints
//! `root padded payload cid`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use suite_commp::{padded_size_for, piece_commitment_with, zero_root};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// A program the benchmark times: its row label, arguments (`{}` is the file) and environment.
struct Tool {
    label: String,
    argv: Vec<String>,
    env: Vec<(String, String)>,
}

/// One run of a tool.
struct Measured {
    wall: f64,
    /// Peak resident set size (KiB) and user + system CPU seconds, from `/usr/bin/time`.
    rss_cpu: Option<(u64, f64)>,
    stdout: String,
}

/// One line of the table: medians of the runs, the largest peak memory.
struct Row {
    label: String,
    file: String,
    wall: f64,
    cpu: Option<f64>,
    rss: Option<u64>,
}

/// What the report says about the run besides the rows.
struct Context {
    size: u64,
    reps: usize,
    threads: usize,
    elapsed: f64,
    time: bool,
    load: String,
    checks: Vec<String>,
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--child") {
        child(Path::new(&args[1]), args[2].parse().expect("threads"));
        return;
    }
    let mut size: u64 = 1 << 30;
    let mut dir: Option<PathBuf> = None;
    let mut reps = 3usize;
    let mut variants: Vec<(String, PathBuf)> = Vec::new();
    let mut out: Option<PathBuf> = None;
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut val = || it.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--size" => size = parse_size(&val()),
            "--dir" => dir = Some(PathBuf::from(val())),
            "--reps" => reps = val().parse().expect("--reps N"),
            "--variant" => {
                let v = val();
                let (label, path) = v.split_once('=').expect("--variant LABEL=PATH");
                variants.push((label.to_string(), PathBuf::from(path)));
            }
            "--out" => out = Some(PathBuf::from(val())),
            other => panic!("unknown argument {other:?}"),
        }
    }
    let dir = dir.unwrap_or_else(|| std::env::temp_dir().join(format!("commp-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir).expect("bench dir");
    let started = Instant::now();
    let load_before = load_average();

    let sparse = dir.join("sparse.bin");
    File::create(&sparse)
        .and_then(|f| f.set_len(size))
        .expect("sparse file");
    let random = dir.join("random.bin");
    write_random(&random, size);

    let threads = suite_commp::default_threads();
    let tools = tools(&std::env::current_exe().expect("own path"), threads, &variants);
    let time = Path::new("/usr/bin/time").exists();
    let mut rows = Vec::new();
    let mut checks = Vec::new();
    let human = if size.trailing_zeros() >= 30 {
        format!("{} GiB", size >> 30)
    } else {
        format!("{} MiB", size >> 20)
    };
    let files = [
        (format!("{human} sparse (zeros)"), &sparse),
        (format!("{human} random"), &random),
    ];
    for (file_label, file) in files {
        let mut runs: Vec<Vec<Measured>> = tools.iter().map(|_| Vec::new()).collect();
        for _ in 0..reps {
            for (tool, runs) in tools.iter().zip(&mut runs) {
                runs.push(run(tool, file, time));
            }
        }
        // Every CommP run must give the same piece; for the sparse file, the zero piece.
        let commps: Vec<&str> = tools
            .iter()
            .zip(&runs)
            .filter(|(tool, _)| tool.label.starts_with("CommP"))
            .flat_map(|(_, runs)| runs.iter().map(|r| r.stdout.trim()))
            .collect();
        assert!(
            commps.windows(2).all(|w| w[0] == w[1]),
            "CommP runs disagree: {commps:?}"
        );
        let root = commps[0].split_whitespace().next().unwrap_or("");
        if file == &sparse {
            let level = (padded_size_for(size).unwrap() / 32).trailing_zeros();
            assert_eq!(
                root,
                hex(zero_root(level)),
                "the sparse file's CommP is not the zero piece"
            );
            checks.push(format!(
                "the sparse file's CommP is the zero piece's root (level {level}), every byte hashed"
            ));
        }
        checks.push(format!(
            "{file_label}: all {} CommP runs gave root `{root}`",
            commps.len()
        ));
        for (tool, runs) in tools.iter().zip(&runs) {
            rows.push(Row {
                label: tool.label.clone(),
                file: file_label.clone(),
                wall: median(runs.iter().map(|r| r.wall)).expect("runs"),
                cpu: median(runs.iter().filter_map(|r| r.rss_cpu.map(|(_, cpu)| cpu))),
                rss: runs.iter().filter_map(|r| r.rss_cpu.map(|(rss, _)| rss)).max(),
            });
        }
    }
    let _ = std::fs::remove_file(&sparse);
    let _ = std::fs::remove_file(&random);
    let _ = std::fs::remove_dir(&dir);

    let context = Context {
        size,
        reps,
        threads,
        elapsed: started.elapsed().as_secs_f64(),
        time,
        load: format!("{load_before} before, {} after", load_average()),
        checks,
    };
    let md = report(&rows, &context);
    match out {
        Some(path) => std::fs::write(&path, &md).expect("writing the report"),
        None => print!("{md}"),
    }
}

/// The rows: this crate on every core and on one, the variants (other
/// builds of this program), and the plain SHA-256 tools.
fn tools(me: &Path, threads: usize, variants: &[(String, PathBuf)]) -> Vec<Tool> {
    let child = |exe: &Path, threads: usize| -> Vec<String> {
        vec![
            exe.display().to_string(),
            "--child".into(),
            "{}".into(),
            threads.to_string(),
        ]
    };
    let mut tools = vec![Tool {
        label: format!("CommP, suite-commp ({threads} threads)"),
        argv: child(me, threads),
        env: vec![],
    }];
    if threads > 1 {
        tools.push(Tool {
            label: "CommP, suite-commp (1 thread)".into(),
            argv: child(me, 1),
            env: vec![],
        });
    }
    for (label, path) in variants {
        tools.push(Tool {
            label: format!("CommP, suite-commp, {label} ({threads} threads)"),
            argv: child(path, threads),
            env: vec![],
        });
    }
    tools.push(Tool {
        label: "sha256sum (GNU coreutils)".into(),
        argv: vec!["sha256sum".into(), "{}".into()],
        env: vec![],
    });
    if Command::new("openssl").arg("version").output().is_ok() {
        tools.push(Tool {
            label: "openssl dgst -sha256".into(),
            argv: vec!["openssl".into(), "dgst".into(), "-sha256".into(), "{}".into()],
            env: vec![],
        });
    }
    tools
}

/// One CommP in this process, for the parent to time.
fn child(file: &Path, threads: usize) {
    let c = piece_commitment_with(File::open(file).expect("open"), threads, &mut |_| {}).expect("CommP");
    println!(
        "{} {} {} {}",
        hex(c.root()),
        c.padded_size(),
        c.payload_size(),
        c.cid()
    );
}

/// Runs one tool on `file`.
fn run(tool: &Tool, file: &Path, time: bool) -> Measured {
    let argv: Vec<String> = tool
        .argv
        .iter()
        .map(|a| {
            if a == "{}" {
                file.display().to_string()
            } else {
                a.clone()
            }
        })
        .collect();
    let mut c = if time {
        let mut c = Command::new("/usr/bin/time");
        c.args(["-f", "%M %U %S"]).args(&argv);
        c
    } else {
        let mut c = Command::new(&argv[0]);
        c.args(&argv[1..]);
        c
    };
    c.envs(tool.env.iter().map(|(k, v)| (k, v)));
    let start = Instant::now();
    let out = c.output().unwrap_or_else(|e| panic!("running {argv:?}: {e}"));
    let wall = start.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{argv:?} failed: {stderr}");
    // `/usr/bin/time`'s last line: peak RSS in KiB, user and system CPU seconds.
    let figures: Vec<f64> = stderr
        .lines()
        .last()
        .unwrap_or("")
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    let rss_cpu = match figures[..] {
        [rss, user, sys] if time => Some((rss as u64, user + sys)),
        _ => None,
    };
    Measured {
        wall,
        rss_cpu,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.collect();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

fn write_random(path: &Path, size: u64) {
    let mut w = BufWriter::with_capacity(1 << 20, File::create(path).expect("random file"));
    let mut state = 0x853c_49e6_748f_ea9bu64;
    let mut buf = vec![0u8; 1 << 20];
    let mut left = size;
    while left > 0 {
        for chunk in buf.chunks_exact_mut(8) {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        let n = left.min(buf.len() as u64) as usize;
        w.write_all(&buf[..n]).expect("writing");
        left -= n as u64;
    }
    w.flush().expect("writing");
}

fn parse_size(s: &str) -> u64 {
    let (num, shift) = if let Some(n) = s.strip_suffix("GiB") {
        (n, 30)
    } else if let Some(n) = s.strip_suffix("MiB") {
        (n, 20)
    } else {
        (s, 0)
    };
    num.parse::<u64>().expect("a size") << shift
}

fn sh(cmd: &str, args: &[&str]) -> String {
    Command::new(cmd)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

fn report(rows: &[Row], cx: &Context) -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| {
            l.strip_prefix("model name")
                .map(|r| r.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown".into());
    let sha_ni = cpuinfo
        .lines()
        .find(|l| l.starts_with("flags"))
        .is_some_and(|l| l.split_whitespace().any(|f| f == "sha_ni"));
    let size_mib = cx.size as f64 / f64::from(1 << 20);
    let base = |file: &str| {
        rows.iter()
            .find(|r| r.file == file && r.label.starts_with("sha256sum"))
            .map_or(f64::NAN, |r| r.wall)
    };

    let mut md = String::new();
    let _ = writeln!(md, "## CommP\n");
    let _ = writeln!(
        md,
        "Piece commitments of files (`suite piece commp`, crate `suite-commp`) next to plain SHA-256 of the \
         same files on the same machine, in one run of `scripts/bench-commp.sh` (release build of \
         `commp/src/bin/commp-bench.rs`; {:.0} s). Each tool is its own process; the medians of {} alternating \
         runs count; throughput is payload bytes per wall second; CPU time is user + system; peak memory is \
         the maximum resident set size{}. The machine was shared with other builds (load average below), \
         which shows in the wall times more than in the CPU times.\n",
        cx.elapsed,
        cx.reps,
        if cx.time { " (`/usr/bin/time`)" } else { " (not measured: no /usr/bin/time)" }
    );
    let _ = writeln!(
        md,
        "CommP does about 4 times the hashing of a plain SHA-256 of the same bytes: each 127 payload bytes \
         become four 32-byte leaves, and the tree hashes about one node per leaf, each node two SHA-256 \
         compressions (the 64-byte pair and the padding block), so 8 compressions per 127 bytes where a plain \
         hash does 2 per 128 (×4.03). With {} cores hashing subtrees in parallel it can at best take about \
         {:.1} × the wall time of a single-threaded SHA-256 of the same speed per compression. CommP and \
         `openssl` use the CPU's SHA extensions when it has them (CommP through `sha2`, which \
         detects them); GNU `sha256sum` does not. The `asm` row is sha2's `asm` feature, which replaces only sha2's \
         fallback for CPUs without the extensions, so it cannot matter here and stays off.\n",
        cx.threads,
        4.03 / cx.threads as f64
    );
    let _ = writeln!(md, "| machine | |\n|---|---|");
    let _ = writeln!(
        md,
        "| CPU | {model} (SHA extensions: {}) |",
        if sha_ni { "yes" } else { "no" }
    );
    let _ = writeln!(md, "| cores available | {} |", cx.threads);
    let _ = writeln!(md, "| load average (1 min) | {} |", cx.load);
    let _ = writeln!(md, "| rustc | {} |", sh("rustc", &["--version"]));
    let _ = writeln!(
        md,
        "| sha256sum | {} |",
        sh("sha256sum", &["--version"]).lines().next().unwrap_or("")
    );
    let _ = writeln!(md, "| openssl | {} |", sh("openssl", &["version"]));
    let commit = sh("git", &["rev-parse", "--short", "HEAD"]);
    if !commit.is_empty() {
        let _ = writeln!(md, "| commit | {commit} |");
    }
    let _ = writeln!(md);
    let _ = writeln!(
        md,
        "| tool | file | wall time | throughput | × sha256sum | CPU time | peak memory |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let _ = writeln!(
            md,
            "| {} | {} | {:.2} s | {:.0} MiB/s | {:.2} | {} | {} |",
            r.label,
            r.file,
            r.wall,
            size_mib / r.wall,
            r.wall / base(&r.file),
            r.cpu.map_or("–".into(), |c| format!("{c:.2} s")),
            r.rss.map_or("–".into(), mib)
        );
    }
    let _ = writeln!(md);
    let product = format!("CommP, suite-commp ({} threads)", cx.threads);
    for r in rows.iter().filter(|r| r.label == product) {
        let ratio = r.wall / base(&r.file);
        let memory = match r.rss {
            Some(k) if k as f64 / 1024.0 <= 16.0 => format!("{} (goal ≤ 16 MiB: met)", mib(k)),
            Some(k) => format!("{} (goal ≤ 16 MiB: not met)", mib(k)),
            None => "not measured".into(),
        };
        let _ = writeln!(
            md,
            "- {}: CommP took {ratio:.2} × the wall time of `sha256sum` (goal ≤ 1.2: {}); peak memory {memory}.",
            r.file,
            if ratio <= 1.2 { "met" } else { "not met" },
        );
    }
    for c in &cx.checks {
        let _ = writeln!(md, "- Checked: {c}.");
    }
    md
}
