//! The suite's fuzz targets, as plain functions of bytes so that three drivers share them:
//! libFuzzer (`testing/fuzz/libfuzzer`, run by `scripts/fuzz.sh`), the replay of the saved
//! corpus in `tests/replay.rs` (every `cargo test`, on stable), and anyone's own loop.
//!
//! A target panics when it finds a bug, and only then: a decoder that panics, a value that
//! does not survive encode → decode, an actor call that fails with anything but a `USR_*` exit
//! and a message, a call that succeeds and leaves the actor's books broken, a call refused after
//! changing the state, or a node error that is not a proper JSON-RPC error.

pub mod cbor;
pub mod cli;
pub mod escrow;
pub mod input;
pub mod market;
pub mod reputation;
pub mod rpc;

/// A fuzz target: bytes in, a panic on a bug.
pub type Target = fn(&[u8]);

/// Every target by name (the name is its corpus directory and its libFuzzer binary).
pub const TARGETS: &[(&str, Target)] = &[
    ("interface_cbor", cbor::fuzz),
    ("reputation_ops", reputation::fuzz),
    ("escrow_ops", escrow::fuzz),
    ("cli_parsers", cli::fuzz),
    ("market_ops", market::fuzz),
    ("rpc_envelope", rpc::fuzz),
];

/// Seeds each target's corpus starts from: valid inputs, so that the fuzzer begins past the
/// decoders (`scripts/fuzz.sh` writes them before a run; the replay test runs them too).
pub fn seeds(target: &str) -> Vec<Vec<u8>> {
    match target {
        "interface_cbor" => cbor::seeds(),
        "reputation_ops" => reputation::seeds(),
        "escrow_ops" => escrow::seeds(),
        "cli_parsers" => cli::seeds(),
        "market_ops" => market::seeds(),
        "rpc_envelope" => rpc::seeds(),
        _ => Vec::new(),
    }
}

/// Asserts that a refusal is what an actor may answer: a user exit code (16 and up, as
/// builtin-actors use them) and a message saying why.
pub fn assert_user_refusal(what: &str, error: &actor_runtime::ActorError) {
    let code = error.exit_code().value();
    assert!(
        (16..=u32::MAX).contains(&code) && !error.message().is_empty(),
        "{what}: refused with exit {code} and message {:?}: want a USR_* code and a reason",
        error.message()
    );
}
