//! Builds every actor of the workspace to wasm before the harness compiles, so `cargo test`
//! needs no separate build step. Cargo reruns this only when actor sources change.

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    wasm_build::build_for_build_script(
        workspace,
        &[
            "actors",
            "integration-tests/stand-ins",
            "integration-tests/test-actors",
            "Cargo.toml",
            "Cargo.lock",
        ],
    )?;
    Ok(())
}
