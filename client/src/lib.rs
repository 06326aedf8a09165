//! Typed clients of the suite over any chain.
//!
//! A [`Chain`] sends messages from an account and answers read-only calls; the in-process
//! devnet (`suite-devnet`'s `Harness`) implements it, and so does a client of a Lotus-style
//! JSON-RPC node. On top of it, one client per actor writes each typed call once:
//! [`BountyMarketClient`], [`EscrowClient`], [`ReputationClient`], and the builtin getters the
//! suite relies on, [`StorageMarketClient`] (f05) and [`MinerClient`].
//!
//! Messages answer their [`Receipt`] (exit code, return, gas, events), so a caller can assert a
//! refusal; getters answer `Result<Result<T, ExitCode>>`: the outer error is the chain's (it
//! could not run the call), the inner one the actor's exit code.

use anyhow::{bail, Context, Result};
use fvm_ipld_encoding::{from_slice, to_vec, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::StampedEvent;
use fvm_shared::{ActorID, MethodNum};
use serde::de::DeserializeOwned;
use serde::Serialize;

pub mod bounty;
pub mod escrow;
pub mod miner;
pub mod reputation;
pub mod storage_market;
pub mod text;
pub mod wallet;

pub use bounty::BountyMarketClient;
pub use escrow::EscrowClient;
pub use miner::MinerClient;
pub use reputation::ReputationClient;
pub use storage_market::StorageMarketClient;

/// An account that signs messages: its ID (for state lookups) and its key address (the
/// message's `from`, what a wallet holds the key of).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Account {
    pub id: ActorID,
    pub key: Address,
}

impl Account {
    /// Its ID address.
    pub fn address(&self) -> Address {
        Address::new_id(self.id)
    }
}

/// What a message or a read-only call did.
#[derive(Debug, Clone)]
pub struct Receipt {
    pub exit_code: ExitCode,
    pub return_data: RawBytes,
    pub gas_used: u64,
    pub events: Vec<StampedEvent>,
    /// The chain's account of a failure (the actor's abort message, the call's backtrace).
    pub failure: Option<String>,
}

impl Receipt {
    pub fn is_ok(&self) -> bool {
        self.exit_code.is_success()
    }

    /// This receipt if the message succeeded, else an error with the chain's explanation.
    pub fn ok(self) -> Result<Self> {
        if !self.is_ok() {
            bail!(
                "message failed with exit {}: {}",
                self.exit_code.value(),
                self.failure.unwrap_or_default()
            );
        }
        Ok(self)
    }

    /// Decodes the return value of a successful message.
    pub fn ret<T: DeserializeOwned>(&self) -> Result<T> {
        if !self.is_ok() {
            bail!(
                "no return: exit {}: {}",
                self.exit_code.value(),
                self.failure.clone().unwrap_or_default()
            );
        }
        from_slice(&self.return_data).context("decoding return")
    }

    /// The decoded return of a success, or the exit code of a failure.
    pub fn outcome<T: DeserializeOwned>(&self) -> Result<Result<T, ExitCode>> {
        if !self.is_ok() {
            return Ok(Err(self.exit_code));
        }
        self.ret().map(Ok)
    }

    /// `Ok(())` for a success that returned nothing (as methods returning `()` do), or the exit
    /// code of a failure.
    pub fn unit_outcome(&self) -> Result<Result<(), ExitCode>> {
        if !self.is_ok() {
            return Ok(Err(self.exit_code));
        }
        if !self.return_data.is_empty() {
            bail!("expected no return block, got {:02x?}", self.return_data.bytes());
        }
        Ok(Ok(()))
    }

    /// Fails unless the message exited with `code`; returns the chain's failure text.
    pub fn expect_exit(&self, code: ExitCode) -> Result<String> {
        if self.exit_code != code {
            bail!(
                "expected exit {}, got {}: {}",
                code.value(),
                self.exit_code.value(),
                self.failure.clone().unwrap_or_default()
            );
        }
        Ok(self.failure.clone().unwrap_or_default())
    }

    /// Events with `$type` equal to `event_type`.
    pub fn events_of(&self, event_type: &str) -> Vec<&StampedEvent> {
        let wanted = to_vec(&event_type).expect("a string encodes");
        self.events
            .iter()
            .filter(|e| {
                e.event
                    .entries
                    .first()
                    .is_some_and(|x| x.key == "$type" && x.value == wanted)
            })
            .collect()
    }
}

/// CBOR-encodes message parameters.
pub fn params<P: Serialize>(p: &P) -> RawBytes {
    RawBytes::new(to_vec(p).expect("parameters encode"))
}

/// A chain the clients can use: the in-process devnet, or a node over JSON-RPC.
///
/// An implementation may answer a failed message or call with an error rather than a failed
/// receipt (the `suite` CLI does, to name the exit code and what to do next); callers that
/// assert refusals use one that answers receipts, as the devnet harness does.
pub trait Chain {
    /// Sends a message signed by `from` and answers its receipt once it has executed.
    fn send(
        &mut self,
        from: &Account,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> Result<Receipt>;

    /// Runs a read-only call at the current state (as Lotus's `StateCall`): nobody pays for
    /// it and nothing it does is kept.
    fn read(&mut self, to: Address, method: MethodNum, params: RawBytes) -> Result<Receipt>;

    /// The epoch the next message executes at.
    fn epoch(&self) -> Result<ChainEpoch>;

    /// An actor's balance (zero for an address with no actor).
    fn balance(&self, address: &Address) -> Result<TokenAmount>;

    /// The ID an address resolves to, if it has an actor.
    fn resolve(&self, address: &Address) -> Result<Option<ActorID>>;
}

/// A getter: `read` with CBOR params, decoded.
pub(crate) fn get<C: Chain + ?Sized, P: Serialize, T: DeserializeOwned>(
    chain: &mut C,
    to: Address,
    method: MethodNum,
    p: &P,
) -> Result<Result<T, ExitCode>> {
    chain.read(to, method, params(p))?.outcome()
}

/// A getter with no params block.
pub(crate) fn get_no_params<C: Chain + ?Sized, T: DeserializeOwned>(
    chain: &mut C,
    to: Address,
    method: MethodNum,
) -> Result<Result<T, ExitCode>> {
    chain.read(to, method, RawBytes::default())?.outcome()
}

/// Walks the pages of a listing until its cursor runs out; answers the items and the page
/// sizes. `fetch` answers one page and the next cursor.
pub fn all_pages<K, T>(
    what: &str,
    mut fetch: impl FnMut(Option<K>) -> Result<(Vec<T>, Option<K>)>,
) -> Result<(Vec<T>, Vec<usize>)> {
    // A listing longer than this is not terminating: refuse rather than loop.
    const MAX_PAGES: usize = 100_000;
    let (mut items, mut pages, mut cursor) = (Vec::new(), Vec::new(), None);
    loop {
        let (page, next) = fetch(cursor)?;
        pages.push(page.len());
        items.extend(page);
        match next {
            Some(next) => cursor = Some(next),
            None => return Ok((items, pages)),
        }
        if pages.len() > MAX_PAGES {
            bail!("{what} does not terminate after {MAX_PAGES} pages");
        }
    }
}
