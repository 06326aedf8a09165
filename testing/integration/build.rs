//! Builds the test actors to wasm (wasm-build's `TEST_ACTORS` group: the crates under
//! `testing/test-actors/`) before the test crate compiles, in a cargo invocation of their own:
//! the product modules come from `suite-devnet`, built without them. Cargo reruns this only
//! when the test actors or the crates they use change.

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("workspace root");
    wasm_build::build_for_build_script(
        workspace,
        &wasm_build::TEST_ACTORS,
        &[
            "testing/test-actors",
            "actors/runtime",
            "actors/interfaces",
            "Cargo.toml",
            "Cargo.lock",
        ],
    )?;
    Ok(())
}
