//! The suite's local devnet: a real ref-fvm 4.8 machine with this repo's stand-in builtin
//! actors (manifest in canonical order) running the product's wasm (the three actors of
//! `actors/` and the stand-ins of `devnet/stand-ins/`), snapshot and resume. The harness is a
//! [`Chain`], so the typed clients of `suite-client` (re-exported here) run on it; the modules
//! below keep what is devnet-only: the suite's deployment, params builders, the stand-ins'
//! operator controls and the books checks. Test actors are not part of it: the test crate (`testing/integration`)
//! builds them and adds them to a harness with [`Harness::add_modules`].

pub mod actors;
pub mod bounty;
pub mod escrow;
pub mod genesis;
pub mod harness;
pub mod miner;
pub mod reputation;
pub mod storage_market;

pub use fvm;
pub use harness::{Account, Chain, Harness, Receipt, Snapshot};
pub use suite_client as client;
pub use suite_client::{
    BountyMarketClient, EscrowClient, MinerClient, ReputationClient, StorageMarketClient,
};
