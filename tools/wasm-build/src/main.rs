//! `cargo run -p wasm-build -- [--group NAME]... [--out DIR] [--target-dir DIR] [--package NAME]... [--verify-reproducible]`
//!
//! Builds the actor crates to wasm, each group (`product`, `test-actors`: see
//! `wasm_build::GROUPS`) whole and in a cargo invocation of its own, and prints each module's
//! size and code CID. With `--verify-reproducible` it also builds everything a second time from
//! an empty target dir and fails unless every code CID is identical.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use wasm_build::{build, Options, Report, GROUPS};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm-build: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<()> {
    // This crate sits at `tools/wasm-build` of the workspace.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .context("workspace root")?
        .to_path_buf();
    let mut groups = Vec::new();
    let mut out = None;
    let mut target_dir = None;
    let mut packages = Vec::new();
    let mut verify = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--group" | "-g" => {
                let name = args.next().context("--group needs a name")?;
                let names: Vec<&str> = GROUPS.iter().map(|g| g.name).collect();
                match GROUPS.iter().find(|g| g.name == name) {
                    Some(g) => groups.push(*g),
                    None => bail!("no group {name} (groups: {})", names.join(", ")),
                }
            }
            "--out" => out = Some(PathBuf::from(args.next().context("--out needs a directory")?)),
            "--target-dir" => {
                target_dir = Some(PathBuf::from(
                    args.next().context("--target-dir needs a directory")?,
                ))
            }
            "--package" | "-p" => packages.push(args.next().context("--package needs a name")?),
            "--verify-reproducible" => verify = true,
            "-h" | "--help" => {
                println!("usage: wasm-build [--group NAME]... [--out DIR] [--target-dir DIR] [--package NAME]... [--verify-reproducible]");
                return Ok(());
            }
            other => bail!("unknown argument {other} (see --help)"),
        }
    }
    if groups.is_empty() {
        groups = GROUPS.to_vec();
    }
    if out.is_some() && groups.len() > 1 {
        bail!("--out needs one --group: each group writes its own manifest and CAR");
    }
    // `-p` only selects what is printed: each group it names is built whole.
    let mut unmatched = packages.clone();
    for group in groups {
        let mut opts = Options::for_group(&workspace, &group);
        if let Some(dir) = &out {
            opts.out_dir = dir.clone();
        }
        if let Some(dir) = &target_dir {
            opts.target_dir = dir.clone();
        }
        let members = wasm_build::actor_packages_under(&workspace, &opts.under)?;
        opts.packages = packages.iter().filter(|p| members.contains(p)).cloned().collect();
        unmatched.retain(|p| !members.contains(p));
        if !packages.is_empty() && opts.packages.is_empty() {
            continue;
        }
        println!("== group {}", group.name);
        build_group(&opts, verify)?;
    }
    if !unmatched.is_empty() {
        bail!("not an actor crate of the groups built: {}", unmatched.join(", "));
    }
    Ok(())
}

fn build_group(opts: &Options, verify: bool) -> Result<()> {
    let report = build(opts)?;
    for w in &report.warnings {
        eprintln!("{w}");
    }
    print_report(&report, &opts.out_dir);

    if verify {
        let scratch = std::env::temp_dir().join(format!("wasm-build-verify-{}", std::process::id()));
        let second = Options {
            target_dir: scratch.join("target"),
            out_dir: scratch.join("actors"),
            ..opts.clone()
        };
        let again = build(&second)?;
        let mut differ = Vec::new();
        for (a, b) in report.actors.iter().zip(&again.actors) {
            if a.code_cid != b.code_cid {
                differ.push(format!("{}: {} vs {}", a.package, a.code_cid, b.code_cid));
            }
        }
        std::fs::remove_dir_all(&scratch).ok();
        if !differ.is_empty() {
            bail!("a clean rebuild gave different code CIDs:\n{}", differ.join("\n"));
        }
        println!(
            "reproducible: a clean rebuild gave the same {} code CIDs",
            report.actors.len()
        );
    }
    Ok(())
}

fn print_report(report: &Report, out: &Path) {
    println!("toolchain: {:?}", report.toolchain);
    println!("{:<24} {:>9}  code CID", "actor", "bytes");
    for a in &report.actors {
        println!("{:<24} {:>9}  {}", a.package, a.bytes, a.code_cid);
    }
    println!(
        "wrote {}/{{<actor>.wasm, manifest.json, actors.car}}",
        out.display()
    );
}
