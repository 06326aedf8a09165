//! Builds the product's actors to wasm (wasm-build's `PRODUCT` group: the crates under
//! `actors/` and `devnet/stand-ins/`, always the whole group in one cargo invocation) before the
//! devnet compiles, so `cargo build` needs no separate step. No test actor is built here:
//! `testing/integration` builds those in its own invocation, so they cannot change a product
//! code CID. Cargo reruns this only when product sources change.

use std::path::Path;

fn main() -> anyhow::Result<()> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    wasm_build::build_for_build_script(
        workspace,
        &wasm_build::PRODUCT,
        &["actors", "devnet/stand-ins", "Cargo.toml", "Cargo.lock"],
    )?;
    Ok(())
}
