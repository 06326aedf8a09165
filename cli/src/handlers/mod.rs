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

use crate::output::Output;
use crate::session::{Options, Session};
use crate::Command;

/// Runs one command.
pub fn run(
    options: &Options,
    data_dir: &Path,
    command: Command,
    json: bool,
    wait: Duration,
) -> Result<Output> {
    match command {
        Command::Demo(args) => crate::demo::run(args, json),
        Command::Piece(c) => crate::piece::run(options, c, json),
        Command::Wallet(c) => crate::wallet::run(options, c),
        Command::Node(args) => crate::node::run(data_dir, args, wait),
        Command::Watch(args) => crate::watch::run(options, args),
        command => {
            let mut d = Session::open(options)?;
            d.check_book()?;
            let out = dispatch(&mut d, command)?;
            d.save()?;
            Ok(out)
        }
    }
}

/// The command's output.
pub(crate) fn dispatch(d: &mut Session, command: Command) -> Result<Output> {
    Ok(match command {
        Command::Demo(_) | Command::Piece(_) | Command::Wallet(_) | Command::Node(_) | Command::Watch(_) => {
            unreachable!("handled by run")
        }
        Command::Status => describe_chain(d)?,
        Command::Deploy(args) => crate::deploy::run(d, args)?,
        Command::Advance(a) => advance_cmd(d, a)?,
        Command::Account(c) => account_cmd(d, c)?.0,
        Command::Miner(c) => miner_cmd(d, c)?.0,
        Command::Deal(c) => deal_cmd(d, c)?.0,
        Command::Bounty(c) => bounty_cmd(d, c)?.0,
        Command::Escrow(c) => escrow_cmd(d, c)?.0,
        Command::Reputation(c) => reputation_cmd(d, c)?.0,
    })
}
