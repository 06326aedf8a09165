//! CommP throughput next to `sha256sum` (and `openssl dgst -sha256`) of the same files, in one
//! run: a 1 GiB sparse file (zeros, as the issue asks) and a 1 GiB file of pseudo-random bytes
//! (in the page cache after it is written). Each tool runs as its own process, three times
//! alternating, and the median wall time counts; peak memory is the maximum resident set size
//! reported by `/usr/bin/time` (when installed). Prints a Markdown section, "## CommP".
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

use suite_commp::{piece_commitment_of_file, piece_commitment_with, zero_root};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
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
    let own_dir;
    let dir = match dir {
        Some(d) => d,
        None => {
            own_dir = std::env::temp_dir().join(format!("commp-bench-{}", std::process::id()));
            own_dir.clone()
        }
    };
    std::fs::create_dir_all(&dir).expect("bench dir");
    let started = Instant::now();

    let sparse = dir.join("sparse.bin");
    File::create(&sparse)
        .and_then(|f| f.set_len(size))
        .expect("sparse file");
    let random = dir.join("random.bin");
    write_random(&random, size);

    let me = std::env::current_exe().expect("own path");
    let threads = suite_commp::default_threads();
    let time = Path::new("/usr/bin/time").exists();
    let child = |exe: &Path, threads: usize| -> Vec<String> {
        vec![
            exe.display().to_string(),
            "--child".into(),
            "{}".into(),
            threads.to_string(),
        ]
    };
    let no_shani = vec![("SUITE_COMMP_NO_SHANI".to_string(), "1".to_string())];
    let mut tools: Vec<Tool> = vec![Tool {
        label: format!("CommP, suite-commp ({threads} threads)"),
        argv: child(&me, threads),
        env: vec![],
    }];
    if threads > 1 {
        tools.push(Tool {
            label: "CommP, suite-commp (1 thread)".into(),
            argv: child(&me, 1),
            env: vec![],
        });
    }
    tools.push(Tool {
        label: format!("CommP, nodes by `sha2::compress256` ({threads} threads)"),
        argv: child(&me, threads),
        env: no_shani.clone(),
    });
    for (label, path) in &variants {
        tools.push(Tool {
            label: format!("CommP, nodes by `sha2::compress256`, {label} ({threads} threads)"),
            argv: child(path, threads),
            env: no_shani.clone(),
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
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();

    let mut rows: Vec<(String, &str, f64, Option<u64>)> = Vec::new();
    let mut checks = Vec::new();
    for (file_label, file) in [("1 GiB sparse (zeros)", &sparse), ("1 GiB random", &random)] {
        let mut walls: Vec<Vec<f64>> = vec![Vec::new(); tools.len()];
        let mut rss: Vec<Option<u64>> = vec![None; tools.len()];
        let mut outputs: Vec<String> = vec![String::new(); tools.len()];
        for _ in 0..reps {
            for (i, tool) in tools.iter().enumerate() {
                let (wall, max_rss, stdout) = run(tool, file, time);
                walls[i].push(wall);
                rss[i] = rss[i].max(max_rss);
                outputs[i] = stdout;
            }
        }
        // Every CommP run must give the same piece; for the sparse file, the zero piece.
        let commps: Vec<&String> = tools
            .iter()
            .zip(&outputs)
            .filter(|(tool, _)| tool.label.starts_with("CommP"))
            .map(|(_, o)| o)
            .collect();
        assert!(
            commps.windows(2).all(|w| w[0] == w[1]),
            "CommP runs disagree: {commps:?}"
        );
        if file == &sparse {
            let level = (suite_commp::padded_size_for(size).unwrap() / 32).trailing_zeros();
            assert!(
                commps[0].starts_with(&hex(zero_root(level))),
                "the sparse file's CommP is not the zero piece: {}",
                commps[0]
            );
            checks.push(format!(
                "the sparse file's CommP is the zero piece's root (level {level}), computed without shortcuts"
            ));
        }
        checks.push(format!(
            "{file_label}: every CommP run gave `{}`",
            commps[0].split_whitespace().next().unwrap_or("")
        ));
        for (i, tool) in tools.iter().enumerate() {
            let mut w = walls[i].clone();
            w.sort_by(f64::total_cmp);
            rows.push((tool.label.clone(), file_label, w[w.len() / 2], rss[i]));
        }
    }
    let _ = std::fs::remove_file(&sparse);
    let _ = std::fs::remove_file(&random);
    let _ = std::fs::remove_dir(&dir);

    let load = format!(
        "{} before, {} after",
        load_before.split_whitespace().next().unwrap_or("?"),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .next()
            .unwrap_or("?")
    );
    let md = report(
        size,
        reps,
        threads,
        &rows,
        &checks,
        started.elapsed().as_secs_f64(),
        time,
        &load,
    );
    match out {
        Some(path) => std::fs::write(&path, &md).expect("writing the report"),
        None => print!("{md}"),
    }
}

/// One CommP in this process, for the parent to time.
fn child(file: &Path, threads: usize) {
    let c = if threads == 0 {
        piece_commitment_of_file(file, &mut |_| {})
    } else {
        piece_commitment_with(File::open(file).expect("open"), threads, &mut |_| {})
    }
    .expect("CommP");
    println!(
        "{} {} {} {}",
        hex(c.root()),
        c.padded_size(),
        c.payload_size(),
        c.cid()
    );
}

/// A program the benchmark times: its row label, arguments (`{}` is the file) and environment.
struct Tool {
    label: String,
    argv: Vec<String>,
    env: Vec<(String, String)>,
}

/// Runs one tool on `file`: wall seconds, peak RSS in KiB (if measured), stdout.
fn run(tool: &Tool, file: &Path, time: bool) -> (f64, Option<u64>, String) {
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
        c.args(["-f", "%M"]).args(&argv);
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
    assert!(
        out.status.success(),
        "{argv:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rss = time
        .then(|| {
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()?
                .trim()
                .parse()
                .ok()
        })
        .flatten();
    (wall, rss, String::from_utf8_lossy(&out.stdout).into_owned())
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

#[allow(clippy::too_many_arguments)] // one call, each figure named
fn report(
    size: u64,
    reps: usize,
    threads: usize,
    rows: &[(String, &str, f64, Option<u64>)],
    checks: &[String],
    elapsed: f64,
    time: bool,
    load: &str,
) -> String {
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
    let mib = size as f64 / f64::from(1 << 20);
    let mut md = String::new();
    let _ = writeln!(md, "## CommP\n");
    let _ = writeln!(
        md,
        "Piece commitments of files (`suite piece commp`, crate `suite-commp`) next to plain SHA-256 of the same \
         files on the same machine, in one run of `scripts/bench-commp.sh` (release build of `commp/src/bin/commp-bench.rs`; \
         {:.0} s). Each tool is its own process; the median wall time of {reps} alternating runs counts; throughput \
         is payload bytes per second; peak memory is the maximum resident set size{}.\n",
        elapsed,
        if time { " (`/usr/bin/time -f %M`)" } else { " (not measured: no /usr/bin/time)" }
    );
    let _ = writeln!(
        md,
        "CommP does about 4 times the hashing of a plain SHA-256 of the same bytes: each 127 payload \
         bytes become four 32-byte leaves, and the tree hashes about one node per leaf, each node two \
         SHA-256 compressions (the 64-byte pair and the padding block), so 8 compressions per 127 bytes \
         where a plain hash does 2 per 128 (×4.03). With {threads} cores hashing subtrees in parallel it \
         can at best take about {:.1} × the wall time of a single-threaded SHA-256 on the same \
         implementation. Both CommP and `openssl` use the CPU's SHA extensions when it has them \
         (`sha2` detects them at run time); GNU `sha256sum` does not.\n",
        4.03 / threads as f64
    );
    let _ = writeln!(md, "| machine | |\n|---|---|");
    let _ = writeln!(
        md,
        "| CPU | {model} (SHA extensions: {}) |",
        if sha_ni { "yes" } else { "no" }
    );
    let _ = writeln!(md, "| cores available | {threads} |");
    let _ = writeln!(md, "| load average (1 min) | {load} |");
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
        "| tool | file | wall time | throughput | × sha256sum | peak memory |"
    );
    let _ = writeln!(md, "|---|---|---:|---:|---:|---:|");
    for (label, file, wall, rss) in rows {
        let base = rows
            .iter()
            .find(|r| r.1 == *file && r.0.starts_with("sha256sum"))
            .map(|r| r.2)
            .unwrap_or(f64::NAN);
        let _ = writeln!(
            md,
            "| {label} | {file} | {wall:.2} s | {:.0} MiB/s | {:.2} | {} |",
            mib / wall,
            wall / base,
            rss.map_or("–".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0))
        );
    }
    let _ = writeln!(md);
    let ours: Vec<_> = rows
        .iter()
        .filter(|r| r.0.starts_with("CommP, suite-commp (") && !r.0.contains("1 thread"))
        .collect();
    for (label, file, wall, rss) in &ours {
        let base = rows
            .iter()
            .find(|r| r.1 == *file && r.0.starts_with("sha256sum"))
            .map_or(f64::NAN, |r| r.2);
        let _ = writeln!(
            md,
            "- {file}: {label} took {:.2} × the wall time of `sha256sum` (goal ≤ 1.2: {}); peak memory {} (goal ≤ 16 MiB: {}).",
            wall / base,
            if wall / base <= 1.2 { "met" } else { "not met" },
            rss.map_or("not measured".into(), |k| format!("{:.1} MiB", k as f64 / 1024.0)),
            match rss {
                Some(k) if (*k as f64) / 1024.0 <= 16.0 => "met",
                Some(_) => "not met",
                None => "not measured",
            }
        );
    }
    for c in checks {
        let _ = writeln!(md, "- Checked: {c}.");
    }
    md
}
