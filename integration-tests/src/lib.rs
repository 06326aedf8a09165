//! The local FVM harness: a real ref-fvm 4.8 machine with this repo's stand-in builtin actors
//! (manifest in canonical order) running the suite's wasm, plus the API scenario tests use.

pub mod actors;
pub mod bounty;
pub mod escrow;
pub mod genesis;
pub mod harness;
pub mod ledger;
pub mod market;
pub mod miner;
pub mod reputation;

pub use harness::{Account, Harness, Receipt, Snapshot};
