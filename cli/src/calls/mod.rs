//! Typed operations on a devnet, one module per noun: what the handlers and the demo call.

mod chain;
pub use chain::*;
mod bounty;
pub use bounty::*;
mod escrow;
pub use escrow::*;
mod reputation;
pub use reputation::*;

use anyhow::{anyhow, Result};
use fvm_shared::error::ExitCode;

/// A getter's answer on the devnet: its chain turns an actor's refusal into an error already
/// ([`crate::devnet::Refused`]), so an exit code left here is only named.
pub fn answer<T>(got: Result<Result<T, ExitCode>>) -> Result<T> {
    got?.map_err(|code| anyhow!("refused with exit {}", code.value()))
}
