//! Section: the wasm modules, their sizes by section and their code CIDs.

use anyhow::{anyhow, Result};

use super::report::{Section, Table};
use super::thousands;

/// Bytes of a module's code, data and other sections, and its function count.
#[derive(Default)]
struct Layout {
    code: u64,
    data: u64,
    other: u64,
    functions: u64,
}

/// Reads the LEB128 at `*at` and moves `*at` past it. unsigned-varint refuses a padded
/// (non-minimal) encoding, which wasm allows; wasm-ld writes minimal ones, and a padded one
/// would fail the report rather than skew it.
fn leb128(bytes: &[u8], at: &mut usize) -> Result<u64> {
    let rest = bytes.get(*at..).unwrap_or_default();
    let (value, after) = unsigned_varint::decode::u64(rest).map_err(|e| anyhow!("LEB128 at {at}: {e}"))?;
    *at += rest.len() - after.len();
    Ok(value)
}

/// Walks the module's sections (id, size) after the 8-byte header.
fn layout(module: &[u8]) -> Result<Layout> {
    let mut out = Layout::default();
    let mut at = 8;
    while at < module.len() {
        let id = module[at];
        at += 1;
        let size = leb128(module, &mut at)?;
        let body = at;
        match id {
            10 => {
                out.code += size;
                let mut count_at = body;
                out.functions = leb128(module, &mut count_at)?;
            }
            11 => out.data += size,
            _ => out.other += size,
        }
        at = body + size as usize;
    }
    Ok(out)
}

pub fn run(_: &super::Options, findings: &mut super::Findings) -> Result<Section> {
    let mut rows = Vec::new();
    for (package, module) in integration_tests::actors::ACTORS {
        let l = layout(module)?;
        rows.push(vec![
            format!("`{package}`"),
            thousands(module.len() as u64),
            thousands(l.code),
            thousands(l.functions),
            thousands(l.data),
            thousands(l.other + 8),
            format!("`{}`", wasm_build::code_cid(module)),
        ]);
    }
    let suite: Vec<String> = integration_tests::actors::ACTORS
        .iter()
        .filter(|(p, _)| ["provider-reputation", "collateral-escrow", "bounty-market"].contains(p))
        .map(|(p, m)| format!("`{p}` {} bytes", thousands(m.len() as u64)))
        .collect();
    findings
        .headlines
        .push(format!("wasm modules as built: {}", suite.join(", ")));
    Ok(Section {
        title: "Wasm modules".into(),
        facts: vec![
            "built by `wasm-build` with `[profile.wasm]` of the root `Cargo.toml` (as committed: \
             opt-level 3, LTO, one codegen unit, panic = abort, overflow checks on, stripped); the \
             code CID is the FVM's (raw, blake2b-256)"
                .into(),
        ],
        tables: vec![Table {
            caption: "Every module the harness runs: bytes by section and code CID".into(),
            header: [
                "module",
                "bytes",
                "code",
                "functions",
                "data",
                "other",
                "code CID",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            notes: vec![super::report::prose("module-sections")],
        }],
    })
}
