//! Every wasm module the tests know: the product's (`suite_devnet::actors::ACTORS`, built
//! without any test actor) and the test actors (`TEST_ACTORS`, built by this crate's build
//! script in a wasm-build invocation of their own).

use std::ops::Deref;
use std::sync::OnceLock;

pub use suite_devnet::actors::with_custom_section;

mod built {
    include!(concat!(env!("OUT_DIR"), "/actors.rs"));
}

/// (package, wasm module) of every test actor (`testing/test-actors/*`).
pub const TEST_ACTORS: &[(&str, &[u8])] = built::ACTORS;

/// Every module, product and test, sorted by package: a slice (`ACTORS.len()`, `ACTORS.iter()`,
/// `for (name, module) in ACTORS`).
pub const ACTORS: AllModules = AllModules;

/// The product modules and the test actors together (see [`ACTORS`]).
#[derive(Debug, Clone, Copy)]
pub struct AllModules;

impl AllModules {
    fn modules() -> &'static [(&'static str, &'static [u8])] {
        static ALL: OnceLock<Vec<(&'static str, &'static [u8])>> = OnceLock::new();
        ALL.get_or_init(|| {
            let mut all: Vec<_> = suite_devnet::actors::ACTORS
                .iter()
                .chain(TEST_ACTORS)
                .copied()
                .collect();
            all.sort_by_key(|(name, _)| *name);
            all
        })
    }
}

impl Deref for AllModules {
    type Target = [(&'static str, &'static [u8])];

    fn deref(&self) -> &Self::Target {
        Self::modules()
    }
}

impl IntoIterator for AllModules {
    type Item = &'static (&'static str, &'static [u8]);
    type IntoIter = std::slice::Iter<'static, (&'static str, &'static [u8])>;

    fn into_iter(self) -> Self::IntoIter {
        Self::modules().iter()
    }
}

/// The module of a product or test actor crate, by package name.
pub fn wasm(package: &str) -> Option<&'static [u8]> {
    ACTORS
        .iter()
        .find(|(name, _)| *name == package)
        .map(|(_, bytes)| *bytes)
}

/// The module of a product or test actor crate, or an error naming what was built.
pub fn require_wasm(package: &str) -> anyhow::Result<&'static [u8]> {
    wasm(package).ok_or_else(|| {
        let built: Vec<&str> = ACTORS.iter().map(|(n, _)| *n).collect();
        anyhow::anyhow!("no wasm for {package}; built: {built:?}")
    })
}
