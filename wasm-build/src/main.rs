//! `cargo run -p wasm-build -- [--out DIR] [--target-dir DIR] [--package NAME]... [--verify-reproducible]`
//!
//! Builds every actor crate to wasm and prints each module's size and code CID. With
//! `--verify-reproducible` it also builds everything a second time from an empty target dir
//! and fails unless every code CID is identical.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use wasm_build::{build, Options, Report};

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
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .context("workspace root")?
        .to_path_buf();
    let mut opts = Options::for_workspace(&workspace);
    let mut verify = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--out" => opts.out_dir = PathBuf::from(args.next().context("--out needs a directory")?),
            "--target-dir" => {
                opts.target_dir = PathBuf::from(args.next().context("--target-dir needs a directory")?)
            }
            "--package" | "-p" => opts.packages.push(args.next().context("--package needs a name")?),
            "--verify-reproducible" => verify = true,
            "-h" | "--help" => {
                println!("usage: wasm-build [--out DIR] [--target-dir DIR] [--package NAME]... [--verify-reproducible]");
                return Ok(());
            }
            other => bail!("unknown argument {other} (see --help)"),
        }
    }
    let report = build(&opts)?;
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
