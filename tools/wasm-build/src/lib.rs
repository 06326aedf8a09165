//! Turns the workspace's actor crates (every member with a `cdylib` target) into wasm modules
//! the FVM accepts, and describes them: code CID (raw codec, blake2b-256, exactly as the FVM
//! computes it), byte size, a JSON manifest and a CAR bundle of all the code; for the product,
//! also the custom actors bundle IPC's Fendermint loads at genesis ([`ipc`]).
//!
//! Used from build scripts (so `cargo test` needs no separate build step) and from the
//! `wasm-build` command line.

use std::collections::BTreeMap;
use std::env;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use fvm_ipld_car::{Block, CarHeader, CarWriter};
use multihash_codetable::{Code, MultihashDigest};
use serde::{Deserialize, Serialize};

pub mod ipc;

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Cargo profile used for every module (see the workspace `Cargo.toml`).
pub const WASM_PROFILE: &str = "wasm";
/// The codec of actor code blocks.
pub const IPLD_RAW: u64 = 0x55;

/// Codegen flags matching what the FVM's wasmtime accepts: it disables multi-value, SIMD,
/// tail calls, multi-memory and memory64, and enables bulk memory. Reference types are turned
/// off so `call_indirect` keeps the MVP encoding. The table is exported as builtin-actors do.
///
/// The stack is 128 KiB instead of rustc's 1 MiB: every invocation pays gas for its module's
/// initial memory (stack included), so the default stack cost ~0.4 M gas per call
/// (`docs/benchmarks.md` measures it). wasm32 links the stack first, so an overflow traps at
/// address 0 instead of corrupting data.
pub const WASM_RUSTFLAGS: &[&str] = &[
    "-Ctarget-feature=+bulk-memory,+crt-static,+mutable-globals,+sign-ext,-reference-types,-multivalue,-nontrapping-fptoint,-simd128,-tail-call",
    "-Clink-arg=--export-table",
    "-Clink-arg=-zstack-size=131072",
];

/// How this machine can produce wasm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Toolchain {
    /// The active toolchain ships a prebuilt wasm32 std: a plain build.
    PrebuiltStd { rustc: PathBuf },
    /// Only std sources are available (Debian's rustc-web + rust-web-src): build std too.
    BuildStd { rustc: PathBuf },
}

impl Toolchain {
    /// Picks the toolchain: `WASM_BUILD_RUSTC` if set, else the active `rustc`, else the
    /// system compiler `/usr/bin/rustc` that scripts/setup.sh installs as a fallback.
    pub fn detect() -> Result<Self> {
        let mut candidates = Vec::new();
        if let Some(explicit) = env::var_os("WASM_BUILD_RUSTC") {
            candidates.push(PathBuf::from(explicit));
        } else {
            candidates.push(PathBuf::from(
                env::var_os("RUSTC").unwrap_or_else(|| "rustc".into()),
            ));
            candidates.push(PathBuf::from("/usr/bin/rustc"));
        }
        let mut seen = Vec::new();
        for rustc in candidates {
            let Ok(sysroot) = sysroot_of(&rustc) else { continue };
            seen.push(format!("{} (sysroot {})", rustc.display(), sysroot.display()));
            if has_prebuilt_wasm_std(&sysroot) {
                return Ok(Toolchain::PrebuiltStd { rustc });
            }
        }
        // No prebuilt std anywhere: build std from sources, preferring the system compiler.
        let mut with_sources = Vec::new();
        match env::var_os("WASM_BUILD_RUSTC") {
            Some(explicit) => with_sources.push(PathBuf::from(explicit)),
            None => with_sources.extend([PathBuf::from("/usr/bin/rustc"), PathBuf::from("rustc")]),
        }
        for rustc in with_sources {
            let Ok(sysroot) = sysroot_of(&rustc) else { continue };
            if sysroot
                .join("lib/rustlib/src/rust/library/std/Cargo.toml")
                .exists()
            {
                return Ok(Toolchain::BuildStd { rustc });
            }
        }
        bail!(
            "no toolchain can build {WASM_TARGET}: none of [{}] has a prebuilt wasm std or std \
             sources. Run scripts/setup.sh (it adds the target with rustup, or installs Debian's \
             rustc-web, rust-web-src and lld-22).",
            seen.join(", ")
        )
    }

    pub fn rustc(&self) -> &Path {
        match self {
            Toolchain::PrebuiltStd { rustc } | Toolchain::BuildStd { rustc } => rustc,
        }
    }
}

fn sysroot_of(rustc: &Path) -> Result<PathBuf> {
    let out = Command::new(rustc).args(["--print", "sysroot"]).output()?;
    if !out.status.success() {
        bail!("{} --print sysroot failed", rustc.display());
    }
    Ok(PathBuf::from(String::from_utf8(out.stdout)?.trim()))
}

/// rustc links wasm with its bundled `rust-lld`. A distribution compiler (Debian's
/// rustc-web) ships none; then the system `wasm-ld` (package lld-22) links instead.
fn wasm_linker_for(rustc: &Path) -> Result<Option<PathBuf>> {
    let sysroot = sysroot_of(rustc)?;
    let bundled = fs::read_dir(sysroot.join("lib/rustlib"))
        .map(|dirs| dirs.flatten().any(|d| d.path().join("bin/rust-lld").exists()))
        .unwrap_or(false);
    if bundled {
        return Ok(None);
    }
    let mut candidates: Vec<PathBuf> = vec![PathBuf::from("/usr/bin/wasm-ld")];
    for version in (14..=30).rev() {
        candidates.push(PathBuf::from(format!("/usr/bin/wasm-ld-{version}")));
        candidates.push(PathBuf::from(format!("/usr/lib/llvm-{version}/bin/wasm-ld")));
    }
    match candidates.into_iter().find(|c| c.exists()) {
        Some(linker) => Ok(Some(linker)),
        None => bail!(
            "{} has no bundled rust-lld and no wasm-ld was found: run scripts/setup.sh (installs lld-22)",
            rustc.display()
        ),
    }
}

fn has_prebuilt_wasm_std(sysroot: &Path) -> bool {
    let lib = sysroot.join("lib/rustlib").join(WASM_TARGET).join("lib");
    fs::read_dir(lib)
        .map(|entries| {
            entries
                .flatten()
                .any(|e| e.file_name().to_string_lossy().starts_with("libstd-"))
        })
        .unwrap_or(false)
}

/// One built actor module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuiltActor {
    /// The cargo package name.
    pub package: String,
    /// Where the module was written.
    pub wasm: PathBuf,
    /// Code CID as the FVM computes it (raw codec, blake2b-256), in its string form.
    pub code_cid: String,
    pub bytes: u64,
}

impl BuiltActor {
    pub fn cid(&self) -> Result<Cid> {
        Cid::try_from(self.code_cid.as_str()).map_err(|e| anyhow!("bad CID {}: {e}", self.code_cid))
    }
}

/// The code CID the FVM gives a wasm module.
pub fn code_cid(wasm: &[u8]) -> Cid {
    Cid::new_v1(IPLD_RAW, Code::Blake2b256.digest(wasm))
}

/// What to build and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// The workspace whose cdylib members are actors.
    pub workspace: PathBuf,
    /// Cargo's target dir for the wasm builds (kept apart from the host build).
    pub target_dir: PathBuf,
    /// Where the modules, `manifest.json` and `actors.car` are written.
    pub out_dir: PathBuf,
    /// Build only the actor crates whose directory is under one of these paths (relative to
    /// the workspace); empty: every actor crate. Always the whole of that set: see `build`.
    pub under: Vec<PathBuf>,
    /// Only report these packages (every actor crate of the set is always built: see `build`).
    pub packages: Vec<String>,
    /// A Fendermint custom actors bundle whose actors `ipc::BUNDLE_FILE` also holds (Fendermint
    /// requires its own); none: the suite's actors alone. Only for a build holding the suite.
    pub ipc_base: Option<PathBuf>,
}

impl Options {
    /// Every actor crate of the workspace, written to `target/wasm-build/actors`.
    pub fn for_workspace(workspace: impl Into<PathBuf>) -> Self {
        let workspace = workspace.into();
        Self {
            target_dir: workspace.join("target/wasm-build"),
            out_dir: workspace.join("target/wasm-build/actors"),
            workspace,
            under: Vec::new(),
            packages: Vec::new(),
            ipc_base: None,
        }
    }

    /// The actor crates of `group`, written to `target/wasm-build/<group name>`.
    pub fn for_group(workspace: impl Into<PathBuf>, group: &Group) -> Self {
        let workspace = workspace.into();
        Self {
            target_dir: workspace.join("target/wasm-build"),
            out_dir: workspace.join("target/wasm-build").join(group.name),
            under: group.under.iter().map(PathBuf::from).collect(),
            workspace,
            packages: Vec::new(),
            ipc_base: None,
        }
    }
}

/// A set of actor crates always built together, in one cargo invocation of its own: the
/// crates whose directory is under one of `under` (paths relative to the workspace).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Group {
    pub name: &'static str,
    pub under: &'static [&'static str],
}

/// The product: the suite's actors and the devnet's stand-in builtins. Their code CIDs never
/// depend on a test actor, because no test actor is ever in their build.
pub const PRODUCT: Group = Group {
    name: "product",
    under: &["actors", "devnet/stand-ins"],
};

/// The test actors, built apart from the product.
pub const TEST_ACTORS: Group = Group {
    name: "test-actors",
    under: &["testing/test-actors"],
};

/// Every group; each actor crate of the workspace belongs to exactly one.
pub const GROUPS: &[Group] = &[PRODUCT, TEST_ACTORS];

/// The result of a build: the modules, and the compiler's warnings for the caller to forward.
#[derive(Debug, Clone)]
pub struct Report {
    pub toolchain: Toolchain,
    pub actors: Vec<BuiltActor>,
    pub warnings: Vec<String>,
}

/// The workspace members that have a `cdylib` target, i.e. the actors.
pub fn actor_packages(workspace: &Path) -> Result<Vec<String>> {
    Ok(actor_crates(workspace)?
        .into_iter()
        .map(|(name, _)| name)
        .collect())
}

/// The actor crates whose directory is under one of `under` (relative to the workspace; empty:
/// all of them), sorted by name.
pub fn actor_packages_under(workspace: &Path, under: &[PathBuf]) -> Result<Vec<String>> {
    let root = fs::canonicalize(workspace).with_context(|| format!("{}", workspace.display()))?;
    let prefixes: Vec<PathBuf> = under.iter().map(|u| root.join(u)).collect();
    Ok(actor_crates(workspace)?
        .into_iter()
        .filter(|(_, dir)| {
            let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.clone());
            prefixes.is_empty() || prefixes.iter().any(|p| dir.starts_with(p))
        })
        .map(|(name, _)| name)
        .collect())
}

/// (package, crate directory) of every actor crate, sorted by package.
pub fn actor_crates(workspace: &Path) -> Result<Vec<(String, PathBuf)>> {
    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args([
            "metadata",
            "--no-deps",
            "--format-version",
            "1",
            "--offline",
            "--manifest-path",
        ])
        .arg(workspace.join("Cargo.toml"))
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!("cargo metadata failed: {}", String::from_utf8_lossy(&out.stderr));
    }
    #[derive(Deserialize)]
    struct Metadata {
        packages: Vec<Package>,
    }
    #[derive(Deserialize)]
    struct Package {
        name: String,
        manifest_path: PathBuf,
        targets: Vec<Target>,
    }
    #[derive(Deserialize)]
    struct Target {
        crate_types: Vec<String>,
    }
    let meta: Metadata = serde_json::from_slice(&out.stdout)?;
    let mut crates: Vec<(String, PathBuf)> = meta
        .packages
        .into_iter()
        .filter(|p| {
            p.targets
                .iter()
                .any(|t| t.crate_types.iter().any(|c| c == "cdylib"))
        })
        .map(|p| {
            let dir = p
                .manifest_path
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default();
            (p.name, dir)
        })
        .collect();
    crates.sort();
    Ok(crates)
}

/// Builds the actors, writes `<out_dir>/<package>.wasm`, `manifest.json`, `actors.car` and,
/// when the build holds every actor of `ipc::SUITE_ACTORS`, `ipc::BUNDLE_FILE`.
pub fn build(opts: &Options) -> Result<Report> {
    let toolchain = Toolchain::detect()?;
    // Always the whole set (of the group): cargo unifies dependency features across the
    // packages of one build, so building a subset could change a module's bytes, hence its
    // code CID. A group is built alone, so crates outside it never take part in that.
    let mut packages = actor_packages_under(&opts.workspace, &opts.under)?;
    for wanted in &opts.packages {
        if !packages.contains(wanted) {
            bail!(
                "{wanted} is not an actor crate of this build (actors: {})",
                packages.join(", ")
            );
        }
    }
    // A development aid: WASM_BUILD_SKIP=a,b leaves those crates out (e.g. one being written).
    if let Ok(skip) = env::var("WASM_BUILD_SKIP") {
        packages.retain(|p| !skip.split(',').any(|s| s.trim() == p));
    }
    if packages.is_empty() {
        bail!(
            "no actor crates (cdylib members) under {:?} in {}",
            opts.under,
            opts.workspace.display()
        );
    }

    let cargo = env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    // A build script's environment describes the outer build; none of it applies here.
    for (key, _) in env::vars_os() {
        let key = key.to_string_lossy().into_owned();
        if key.starts_with("CARGO_FEATURE_")
            || key.starts_with("CARGO_CFG_")
            || matches!(
                key.as_str(),
                "RUSTFLAGS"
                    | "CARGO_ENCODED_RUSTFLAGS"
                    | "CARGO_BUILD_RUSTFLAGS"
                    | "CARGO_TARGET_DIR"
                    | "CARGO_BUILD_TARGET"
                    | "RUSTC_WRAPPER"
                    | "RUSTC_WORKSPACE_WRAPPER"
                    | "CARGO_PRIMARY_PACKAGE"
                    | "CARGO_MANIFEST_DIR"
                    | "CARGO_PKG_NAME"
                    | "TARGET"
                    | "HOST"
                    | "PROFILE"
                    | "OPT_LEVEL"
                    | "DEBUG"
                    | "OUT_DIR"
            )
        {
            cmd.env_remove(&key);
        }
    }
    cmd.arg("build")
        .args(["--target", WASM_TARGET, "--profile", WASM_PROFILE])
        .arg("--manifest-path")
        .arg(opts.workspace.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&opts.target_dir)
        .env("RUSTC", toolchain.rustc());
    for p in &packages {
        cmd.args(["-p", p]);
    }
    let mut flags: Vec<String> = WASM_RUSTFLAGS.iter().map(|s| s.to_string()).collect();
    // Paths end up in panic messages; remap them so the code CID does not depend on where
    // the repository or the cargo home sits.
    flags.push(format!("--remap-path-prefix={}=/suite", opts.workspace.display()));
    if let Some(home) = cargo_home() {
        flags.push(format!("--remap-path-prefix={}=/cargo", home.display()));
    }
    if let Toolchain::BuildStd { .. } = toolchain {
        cmd.env("RUSTC_BOOTSTRAP", "1").arg("-Zbuild-std=std,panic_abort");
    }
    if let Some(linker) = wasm_linker_for(toolchain.rustc())? {
        flags.push(format!("-Clinker={}", linker.display()));
    }
    cmd.env("CARGO_ENCODED_RUSTFLAGS", flags.join("\x1f"));

    let out = cmd.output().context("running cargo build for wasm")?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        bail!("wasm build failed ({:?}):\n{stderr}", toolchain);
    }
    let warnings = stderr
        .lines()
        .filter(|l| l.trim_start().starts_with("warning"))
        .map(str::to_owned)
        .collect();

    fs::create_dir_all(&opts.out_dir)?;
    let built_dir = opts.target_dir.join(WASM_TARGET).join(WASM_PROFILE);
    let mut actors = Vec::new();
    for package in &packages {
        let file = format!("{}.wasm", package.replace('-', "_"));
        let bytes = fs::read(built_dir.join(&file)).with_context(|| format!("reading {file}"))?;
        let dest = opts.out_dir.join(format!("{package}.wasm"));
        write_if_changed(&dest, &bytes)?;
        actors.push(BuiltActor {
            package: package.clone(),
            wasm: dest,
            code_cid: code_cid(&bytes).to_string(),
            bytes: bytes.len() as u64,
        });
    }
    write_if_changed(
        &opts.out_dir.join("manifest.json"),
        manifest_json(&actors)?.as_bytes(),
    )?;
    write_if_changed(&opts.out_dir.join("actors.car"), &bundle_car(&actors)?)?;
    write_ipc_bundle(opts, &actors)?;
    if !opts.packages.is_empty() {
        actors.retain(|a| opts.packages.contains(&a.package));
    }
    Ok(Report {
        toolchain,
        actors,
        warnings,
    })
}

/// Writes the IPC custom actors bundle if this build holds the suite; else removes a stale one
/// (a build that skipped a suite actor must not leave an older bundle looking current).
fn write_ipc_bundle(opts: &Options, actors: &[BuiltActor]) -> Result<()> {
    let path = opts.out_dir.join(ipc::BUNDLE_FILE);
    let holds_suite = ipc::SUITE_ACTORS
        .iter()
        .all(|p| actors.iter().any(|a| a.package == *p));
    if !holds_suite {
        if let Some(base) = &opts.ipc_base {
            bail!(
                "--ipc-base {}: the IPC bundle needs {} in the build (the product group)",
                base.display(),
                ipc::SUITE_ACTORS.join(", ")
            );
        }
        if path.exists() {
            fs::remove_file(&path).with_context(|| format!("removing stale {}", path.display()))?;
        }
        return Ok(());
    }
    let base = opts.ipc_base.as_deref().map(ipc::read_bundle_file).transpose()?;
    write_if_changed(&path, &ipc::bundle_car(actors, base.as_ref())?)
}

fn cargo_home() -> Option<PathBuf> {
    env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| env::var_os("HOME").map(|h| Path::new(&h).join(".cargo")))
}

/// Keeps the file's mtime when nothing changed, so nothing downstream rebuilds.
fn write_if_changed(path: &Path, bytes: &[u8]) -> Result<()> {
    if fs::read(path).map(|old| old == bytes).unwrap_or(false) {
        return Ok(());
    }
    fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// `{ "<package>": { "code_cid": "...", "bytes": N } }`, sorted by package.
pub fn manifest_json(actors: &[BuiltActor]) -> Result<String> {
    #[derive(Serialize)]
    struct Entry<'a> {
        code_cid: &'a str,
        bytes: u64,
    }
    let map: BTreeMap<&str, Entry> = actors
        .iter()
        .map(|a| {
            (
                a.package.as_str(),
                Entry {
                    code_cid: &a.code_cid,
                    bytes: a.bytes,
                },
            )
        })
        .collect();
    Ok(serde_json::to_string_pretty(&map)? + "\n")
}

/// A CARv1 whose root is the DAG-CBOR list `[[name, code CID], ...]` and whose blocks are
/// that list and every module, in package order.
pub fn bundle_car(actors: &[BuiltActor]) -> Result<Vec<u8>> {
    let mut modules = Vec::new();
    let mut entries: Vec<(String, Cid)> = Vec::new();
    for a in actors {
        let data = fs::read(&a.wasm)?;
        let cid = code_cid(&data);
        entries.push((a.package.clone(), cid));
        modules.push(Block { cid, data });
    }
    let manifest = fvm_ipld_encoding::to_vec(&entries)?;
    let root = Cid::new_v1(fvm_ipld_encoding::DAG_CBOR, Code::Blake2b256.digest(&manifest));

    let mut car = Vec::new();
    let mut writer = CarWriter::new(CarHeader::from(vec![root]), &mut car)?;
    writer.write(Block {
        cid: root,
        data: manifest,
    })?;
    for module in modules {
        writer.write(module)?;
    }
    drop(writer);
    Ok(car)
}

/// Appends `v` as an unsigned LEB128 varint (CAR framing, wasm section sizes).
pub fn push_varint(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(unsigned_varint::encode::u64(
        v,
        &mut unsigned_varint::encode::u64_buffer(),
    ));
}

/// Call from a build script: builds the actors of `group` in `workspace` (one cargo
/// invocation, the whole group), forwards warnings, asks cargo to rerun when the `watch`ed
/// paths change, and writes `$OUT_DIR/actors.rs` with `pub const ACTORS: &[(&str, &[u8])]`
/// (package, wasm bytes) of that group only.
pub fn build_for_build_script(workspace: &Path, group: &Group, watch: &[&str]) -> Result<Report> {
    for dir in watch {
        println!("cargo:rerun-if-changed={}", workspace.join(dir).display());
    }
    println!("cargo:rerun-if-env-changed=WASM_BUILD_RUSTC");
    println!("cargo:rerun-if-env-changed=WASM_BUILD_SKIP");
    let report = build(&Options::for_group(workspace, group))?;
    for w in &report.warnings {
        println!("cargo:warning=[wasm] {w}");
    }
    let mut src = format!(
        "/// (package, wasm module) for every actor crate of the `{}` group, built by wasm-build.\npub const ACTORS: &[(&str, &[u8])] = &[\n",
        group.name
    );
    for a in &report.actors {
        src.push_str(&format!(
            "    ({:?}, include_bytes!({:?})),\n",
            a.package,
            a.wasm.display().to_string()
        ));
    }
    src.push_str("];\n");
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").context("OUT_DIR not set: not in a build script")?);
    write_if_changed(&out_dir.join("actors.rs"), src.as_bytes())?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace() -> PathBuf {
        // This crate sits at `tools/wasm-build` of the workspace.
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .unwrap()
            .to_path_buf()
    }

    #[test]
    fn every_actor_crate_is_in_exactly_one_group() {
        let ws = workspace();
        let all = actor_packages(&ws).unwrap();
        let mut seen: Vec<String> = Vec::new();
        for g in GROUPS {
            let under: Vec<PathBuf> = g.under.iter().map(PathBuf::from).collect();
            let members = actor_packages_under(&ws, &under).unwrap();
            assert!(!members.is_empty(), "group {} is empty", g.name);
            for m in members {
                assert!(!seen.contains(&m), "{m} is in two groups");
                seen.push(m);
            }
        }
        seen.sort();
        assert_eq!(seen, all, "every actor crate belongs to a group");
    }

    #[test]
    fn the_product_group_holds_no_crate_under_testing() {
        let ws = workspace();
        let testing = fs::canonicalize(ws.join("testing")).unwrap();
        let under: Vec<PathBuf> = PRODUCT.under.iter().map(PathBuf::from).collect();
        let product = actor_packages_under(&ws, &under).unwrap();
        let crates = actor_crates(&ws).unwrap();
        for (name, dir) in &crates {
            let in_testing = fs::canonicalize(dir).unwrap().starts_with(&testing);
            assert_eq!(
                product.contains(name),
                !in_testing,
                "{name} ({}): the product is every actor crate outside testing/",
                dir.display()
            );
        }
        assert!(
            product.iter().all(|p| !p.starts_with("test-actor")),
            "{product:?}"
        );
        assert!(product.contains(&"bounty-market".to_string()), "{product:?}");
    }

    #[test]
    fn varints_are_leb128() {
        for (v, bytes) in [
            (0u64, vec![0u8]),
            (127, vec![0x7f]),
            (128, vec![0x80, 0x01]),
            (300, vec![0xac, 0x02]),
        ] {
            let mut out = vec![0xaa];
            push_varint(&mut out, v);
            assert_eq!(out[1..], bytes, "{v}");
        }
        let mut max = Vec::new();
        push_varint(&mut max, u64::MAX);
        assert_eq!(max, [[0xff; 9].as_slice(), &[0x01]].concat());
    }

    #[test]
    fn code_cid_is_raw_blake2b_256() {
        let cid = code_cid(b"\0asm\x01\0\0\0");
        assert_eq!(cid.codec(), IPLD_RAW);
        assert_eq!(cid.hash().code(), 0xb220);
        assert_eq!(cid.hash().size(), 32);
        assert_ne!(cid, code_cid(b"\0asm\x01\0\0\0\0"));
    }

    #[test]
    fn the_ipc_bundle_is_written_for_a_build_holding_the_suite_and_removed_otherwise() {
        let dir = env::temp_dir().join(format!("wasm-build-ipc-write-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let actor = |name: &str| {
            let wasm = dir.join(format!("{name}.wasm"));
            let bytes = format!("\0asm\x01\0\0\0{name}").into_bytes();
            fs::write(&wasm, &bytes).unwrap();
            BuiltActor {
                package: name.into(),
                wasm,
                code_cid: code_cid(&bytes).to_string(),
                bytes: bytes.len() as u64,
            }
        };
        let mut opts = Options::for_workspace(&dir);
        opts.out_dir = dir.clone();
        let bundle = dir.join(ipc::BUNDLE_FILE);

        let product: Vec<BuiltActor> = ipc::SUITE_ACTORS.iter().map(|p| actor(p)).collect();
        write_ipc_bundle(&opts, &product).unwrap();
        let read = ipc::read_bundle_file(&bundle).unwrap();
        assert_eq!(read.entries.len(), 3);

        // A build missing a suite actor (WASM_BUILD_SKIP, or another group) leaves no bundle.
        write_ipc_bundle(&opts, &product[..2]).unwrap();
        assert!(!bundle.exists(), "a stale bundle was left behind");

        // Asking for a base in such a build is an error, not a silent skip.
        opts.ipc_base = Some(dir.join("base.car"));
        let e = format!(
            "{:#}",
            write_ipc_bundle(&opts, &[actor("test-actor-x")]).unwrap_err()
        );
        assert!(
            e.contains("needs provider-reputation, collateral-escrow, bounty-market"),
            "{e}"
        );
        // And a base that is not there is named.
        let e = format!("{:#}", write_ipc_bundle(&opts, &product).unwrap_err());
        assert!(e.contains("base.car"), "{e}");
        fs::remove_dir_all(dir).ok();
    }

    #[test]
    fn bundle_is_a_car_that_loads_with_its_manifest_root() {
        let dir = env::temp_dir().join(format!("wasm-build-test-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let mut actors = Vec::new();
        for (name, bytes) in [
            ("a", b"\0asm\x01\0\0\0".as_slice()),
            ("b", b"\0asm\x01\0\0\0\0\0".as_slice()),
        ] {
            let wasm = dir.join(format!("{name}.wasm"));
            fs::write(&wasm, bytes).unwrap();
            actors.push(BuiltActor {
                package: name.into(),
                wasm,
                code_cid: code_cid(bytes).to_string(),
                bytes: bytes.len() as u64,
            });
        }
        let car = bundle_car(&actors).unwrap();
        let store = fvm_ipld_blockstore::MemoryBlockstore::new();
        let roots = fvm_ipld_car::load_car_unchecked(&store, car.as_slice()).unwrap();
        assert_eq!(roots.len(), 1);
        use fvm_ipld_blockstore::Blockstore;
        let manifest: Vec<(String, Cid)> =
            fvm_ipld_encoding::from_slice(&store.get(&roots[0]).unwrap().unwrap()).unwrap();
        assert_eq!(manifest.len(), 2);
        for (entry, actor) in manifest.iter().zip(&actors) {
            assert_eq!(entry.0, actor.package);
            assert_eq!(entry.1, actor.cid().unwrap());
            assert_eq!(
                store.get(&entry.1).unwrap().unwrap(),
                fs::read(&actor.wasm).unwrap()
            );
        }
        let json: serde_json::Value = serde_json::from_str(&manifest_json(&actors).unwrap()).unwrap();
        assert_eq!(json["b"]["bytes"], 10);

        // CARv1 framing, byte for byte: varint(len) ‖ header {roots, version: 1}, then
        // varint(len) ‖ CID ‖ data for the manifest and each module.
        let manifest_bytes = fvm_ipld_encoding::to_vec(&manifest).unwrap();
        #[derive(Serialize)]
        struct Header {
            roots: Vec<Cid>,
            version: u64,
        }
        let header = fvm_ipld_encoding::to_vec(&Header {
            roots: roots.clone(),
            version: 1,
        })
        .unwrap();
        let mut expected = Vec::new();
        push_varint(&mut expected, header.len() as u64);
        expected.extend_from_slice(&header);
        let blocks = [(roots[0], manifest_bytes)].into_iter().chain(
            actors
                .iter()
                .map(|a| (a.cid().unwrap(), fs::read(&a.wasm).unwrap())),
        );
        for (cid, data) in blocks {
            let cid = cid.to_bytes();
            push_varint(&mut expected, (cid.len() + data.len()) as u64);
            expected.extend_from_slice(&cid);
            expected.extend_from_slice(&data);
        }
        assert_eq!(car, expected);
        fs::remove_dir_all(dir).ok();
    }
}
