//! The command-line handlers: each parses what the user typed, calls [`crate::calls`] and
//! prints with [`crate::views`]. Writes commit only when every message succeeded.

mod bounty;
mod chain;
mod escrow;
mod reputation;
pub(crate) use bounty::*;
pub(crate) use chain::*;
pub(crate) use escrow::*;
pub(crate) use reputation::*;

use std::path::Path;
use std::time::Duration;

use anyhow::Result;

use crate::devnet::Devnet;
use crate::output::Output;
use crate::Command;

/// Runs one command. Writes commit only when every message succeeded.
pub fn run(dir: &Path, command: Command, json: bool, wait: Duration) -> Result<Output> {
    match command {
        Command::Init => {
            let mut d = Devnet::init(dir, wait)?;
            d.commit()?;
            describe_devnet(&mut d, "initialised")
        }
        Command::Demo(args) => crate::demo::run(args, json),
        Command::Piece(c) => crate::piece::run(dir, c, json, wait),
        Command::Wallet(c) => crate::wallet::run(dir, c, wait),
        Command::Node(args) => crate::node::run(dir, args, wait),
        command => {
            let mut d = Devnet::open(dir, wait)?;
            let (out, writes) = dispatch(&mut d, command)?;
            if writes {
                d.commit()?;
            }
            Ok(out)
        }
    }
}

/// The command's output and whether it changed the chain.
pub(crate) fn dispatch(d: &mut Devnet, command: Command) -> Result<(Output, bool)> {
    Ok(match command {
        Command::Init | Command::Demo(_) | Command::Piece(_) | Command::Wallet(_) | Command::Node(_) => {
            unreachable!("handled by run")
        }
        Command::Status => (describe_devnet(d, "status")?, false),
        Command::Advance(a) => (advance_cmd(d, a)?, true),
        Command::Account(c) => account_cmd(d, c)?,
        Command::Miner(c) => miner_cmd(d, c)?,
        Command::Deal(c) => deal_cmd(d, c)?,
        Command::Bounty(c) => bounty_cmd(d, c)?,
        Command::Escrow(c) => escrow_cmd(d, c)?,
        Command::Reputation(c) => reputation_cmd(d, c)?,
    })
}
