//! The scenario tests, one test binary (each former `tests/*.rs` file a module here): ref-fvm
//! and wasmtime linked once instead of once per file. Tests are named by module
//! (`bounty::…`, `escrow::…`), so `cargo test -p integration-tests bounty::` runs one group.

mod bounty;
mod callers;
mod common;
mod escrow;
mod foundation;
mod gas;
mod market_standin;
mod miner_standin;
mod model;
mod proving;
mod reputation;
