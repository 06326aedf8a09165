//! The suite's actor interfaces, usable without fvm_sdk: method numbers (FRC-42), parameter
//! and return types (tuple-encoded CBOR), event names, and the reputation score function.
//! Actors, the harness, the CLI and dApps all encode calls with these.

pub mod bounty;
pub mod escrow;
pub mod reputation;

pub use frc42_dispatch::method_hash;

/// The constructor's method number (never hashed).
pub const METHOD_CONSTRUCTOR: fvm_shared::MethodNum = 1;
