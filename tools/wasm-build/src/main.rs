//! The `wasm-build` command line: builds the actor crates to wasm, each group (`product`,
//! `test-actors`: see `wasm_build::GROUPS`) whole and in a cargo invocation of its own, and
//! prints each module's size and code CID. `--help` has the options and examples.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Parser;
use wasm_build::{build, ipc, Group, Options, Report, GROUPS};

/// Builds the workspace's actor crates to FVM-ready wasm, with code CIDs, a manifest and a CAR
/// bundle, into target/wasm-build/<group>/ (<actor>.wasm, manifest.json, actors.car). The
/// product group also gets custom_actors_bundle.car: the suite's three actors as the custom
/// actors bundle IPC's Fendermint loads at genesis (docs/ipc.md).
#[derive(Parser)]
#[command(
    name = "wasm-build",
    after_help = r#"Examples:
  cargo run -p wasm-build                           # every group
  cargo run -p wasm-build -- --group product        # the product only
  cargo run -p wasm-build -- -p stand-in-miner      # print one crate (its group is built whole)
  cargo run -p wasm-build -- --verify-reproducible  # also rebuild from scratch, compare CIDs
  cargo run -p wasm-build -- --group product --out DIR  # one group into DIR (scripts/bench.sh)
  cargo run -p wasm-build -- --group product --ipc-base fendermint/actors/output/custom_actors_bundle.car
                                                    # IPC bundle = Fendermint's actors + the suite's"#
)]
struct Args {
    /// Build only this group (repeatable; every group when absent)
    #[arg(short, long = "group", value_name = "NAME", value_parser = group)]
    groups: Vec<Group>,
    /// Write the modules, manifest.json and actors.car to DIR (needs exactly one --group)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
    /// Cargo's target dir for the wasm builds [default: target/wasm-build]
    #[arg(long, value_name = "DIR")]
    target_dir: Option<PathBuf>,
    /// Print only this actor crate (repeatable); the groups it is in are still built whole
    #[arg(short, long = "package", value_name = "NAME")]
    packages: Vec<String>,
    /// Also build everything again from an empty target dir and fail unless every code CID is
    /// the same
    #[arg(long = "verify-reproducible")]
    verify: bool,
    /// Put the actors of this Fendermint custom actors bundle (its chainmetadata, eam, ...) into
    /// custom_actors_bundle.car before the suite's: Fendermint refuses a bundle without its own.
    /// Without it the bundle holds the suite's three actors only. Needs the product group
    #[arg(long, value_name = "FENDERMINT_CAR")]
    ipc_base: Option<PathBuf>,
}

/// A `--group` name.
fn group(name: &str) -> Result<Group, String> {
    GROUPS.iter().find(|g| g.name == name).copied().ok_or_else(|| {
        let names: Vec<&str> = GROUPS.iter().map(|g| g.name).collect();
        format!("no group {name} (groups: {})", names.join(", "))
    })
}

fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("wasm-build: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<()> {
    // This crate sits at `tools/wasm-build` of the workspace.
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .context("workspace root")?
        .to_path_buf();
    let Args {
        mut groups,
        out,
        target_dir,
        packages,
        verify,
        ipc_base,
    } = args;
    if groups.is_empty() {
        groups = GROUPS.to_vec();
    }
    if out.is_some() && groups.len() > 1 {
        bail!("--out needs one --group: each group writes its own manifest and CAR");
    }
    if ipc_base.is_some() && !groups.contains(&wasm_build::PRODUCT) {
        bail!("--ipc-base needs the product group: it holds the suite's actors");
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
        if group == wasm_build::PRODUCT {
            opts.ipc_base = ipc_base.clone();
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
    print_report(&report, &opts.out_dir)?;

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

fn print_report(report: &Report, out: &Path) -> Result<()> {
    println!("toolchain: {:?}", report.toolchain);
    let width = report
        .actors
        .iter()
        .map(|a| a.package.len())
        .max()
        .unwrap_or(0)
        .max(5);
    println!("{:<width$} {:>9}  code CID", "actor", "bytes");
    for a in &report.actors {
        println!("{:<width$} {:>9}  {}", a.package, a.bytes, a.code_cid);
    }
    println!(
        "wrote {}/{{<actor>.wasm, manifest.json, actors.car}}",
        out.display()
    );
    let ipc_bundle = out.join(ipc::BUNDLE_FILE);
    if ipc_bundle.exists() {
        // Read back as Fendermint would: what is printed is what a subnet would load.
        let bundle = ipc::read_bundle_file(&ipc_bundle)?;
        println!(
            "wrote {} (IPC custom actors bundle, root {}, manifest v{}):",
            ipc_bundle.display(),
            bundle.root,
            bundle.version
        );
        for (name, cid) in &bundle.entries {
            println!("  {name:<width$} {cid}");
        }
    }
    Ok(())
}
