//! The machine and versions a report was produced with.

use std::process::Command;

/// The first line of a file that starts with `key`, the part after `sep`.
fn field(path: &str, key: &str, sep: char) -> Option<String> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    Some(line.split_once(sep)?.1.trim().trim_matches('"').to_string())
}

fn command(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The version of a package in the workspace's Cargo.lock.
fn locked_version(package: &str) -> Option<String> {
    let lock = concat!(env!("CARGO_MANIFEST_DIR"), "/../../Cargo.lock");
    let text = std::fs::read_to_string(lock).ok()?;
    let wanted = format!("name = \"{package}\"");
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line == wanted {
            return lines
                .next()?
                .strip_prefix("version = ")?
                .trim_matches('"')
                .to_string()
                .into();
        }
    }
    None
}

/// (what, value) pairs: CPU, cores, memory, OS, compiler, FVM, network version, build profile,
/// commit.
pub fn environment() -> Vec<(String, String)> {
    let unknown = || "?".to_string();
    let cores = std::thread::available_parallelism()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| unknown());
    let memory = field("/proc/meminfo", "MemTotal", ':')
        .and_then(|m| m.trim_end_matches(" kB").trim().parse::<u64>().ok())
        .map(|kb| format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0));
    let os = field("/etc/os-release", "PRETTY_NAME", '=');
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|k| k.trim().to_string());
    let commit = command("git", &["rev-parse", "--short", "HEAD"]).map(|c| {
        let dirty =
            command("git", &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
        if dirty {
            format!("{c} (with uncommitted changes in the working tree)")
        } else {
            c
        }
    });
    vec![
        (
            "CPU".into(),
            field("/proc/cpuinfo", "model name", ':').unwrap_or_else(unknown),
        ),
        ("cores available".into(), cores),
        ("memory".into(), memory.unwrap_or_else(unknown)),
        (
            "OS".into(),
            format!(
                "{}, Linux {}",
                os.unwrap_or_else(unknown),
                kernel.unwrap_or_else(unknown)
            ),
        ),
        ("rustc".into(), command("rustc", &["-V"]).unwrap_or_else(unknown)),
        (
            "FVM".into(),
            format!(
                "fvm {}, fvm_sdk {} (actors), fvm_ipld_hamt {}",
                locked_version("fvm").unwrap_or_else(unknown),
                locked_version("fvm_sdk").unwrap_or_else(unknown),
                locked_version("fvm_ipld_hamt").unwrap_or_else(unknown)
            ),
        ),
        (
            "network version".into(),
            integration_tests::harness::NETWORK_VERSION.to_string(),
        ),
        (
            "harness build".into(),
            if cfg!(debug_assertions) {
                "dev profile (dependencies at opt-level 1)".into()
            } else {
                "release profile".into()
            },
        ),
        ("commit".into(), commit.unwrap_or_else(unknown)),
    ]
}
