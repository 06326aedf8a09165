//! The devnet is the product: it embeds the product's modules and nothing else, and their code
//! CIDs are those of a build of the product alone, so no test actor can change them.

use std::fs;
use std::path::{Path, PathBuf};

use suite_devnet::actors::ACTORS;
use wasm_build::{Options, PRODUCT};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root")
        .to_path_buf()
}

fn product_under() -> Vec<PathBuf> {
    PRODUCT.under.iter().map(PathBuf::from).collect()
}

#[test]
fn the_devnet_embeds_exactly_the_product_crates() {
    let ws = workspace();
    let embedded: Vec<&str> = ACTORS.iter().map(|(name, _)| *name).collect();
    let product = wasm_build::actor_packages_under(&ws, &product_under()).unwrap();
    assert_eq!(embedded, product, "the devnet embeds the product group, whole");

    // The product group is every actor crate outside testing/, and no test actor.
    let testing = fs::canonicalize(ws.join("testing")).unwrap();
    let mut outside_testing = Vec::new();
    for (name, dir) in wasm_build::actor_crates(&ws).unwrap() {
        if fs::canonicalize(&dir).unwrap().starts_with(&testing) {
            assert!(!embedded.contains(&name.as_str()), "{name} is a test crate");
        } else {
            outside_testing.push(name);
        }
    }
    assert_eq!(embedded, outside_testing);
    assert!(
        embedded.iter().all(|name| !name.starts_with("test-actor")),
        "{embedded:?}"
    );
    for name in [
        "provider-reputation",
        "collateral-escrow",
        "bounty-market",
        "stand-in-market",
    ] {
        assert!(embedded.contains(&name), "{name} missing from {embedded:?}");
    }
}

#[test]
fn the_product_code_cids_are_those_of_a_product_only_build() {
    // A build of the product group alone (the same cargo invocation the build script ran, so
    // up to date: no compilation), written to a scratch directory.
    let ws = workspace();
    let mut opts = Options::for_group(&ws, &PRODUCT);
    let scratch = std::env::temp_dir().join(format!("suite-devnet-product-{}", std::process::id()));
    opts.out_dir = scratch.clone();
    let report = wasm_build::build(&opts).unwrap();
    fs::remove_dir_all(&scratch).ok();
    let built: Vec<(String, String)> = report
        .actors
        .iter()
        .map(|a| (a.package.clone(), a.code_cid.clone()))
        .collect();
    let embedded: Vec<(String, String)> = ACTORS
        .iter()
        .map(|(name, module)| (name.to_string(), wasm_build::code_cid(module).to_string()))
        .collect();
    assert_eq!(embedded, built, "embedded modules = a product-only build");
    // That build's package set: the product crates, none under testing/.
    let testing = fs::canonicalize(ws.join("testing")).unwrap();
    for (name, dir) in wasm_build::actor_crates(&ws).unwrap() {
        if fs::canonicalize(&dir).unwrap().starts_with(&testing) {
            assert!(
                built.iter().all(|(p, _)| *p != name),
                "{name} was in the product build"
            );
        }
    }
}
