//! What the scenario modules share: amounts, hex, event layouts, and the world core every
//! scenario's world plugs into ([`Scenario`]: one message at a time, the balances it moved,
//! refusals, and every book after every message).

use fvm_ipld_encoding::to_vec;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::{Flags, StampedEvent};
use fvm_shared::ActorID;
use integration_tests::invariants::{self, Books};
use integration_tests::ledger::Ledger;
use integration_tests::{Account, Chain, Harness, Receipt};

pub fn fil(n: u64) -> TokenAmount {
    TokenAmount::from_whole(n)
}

pub fn milli(n: u64) -> TokenAmount {
    TokenAmount::from_nano(n * 1_000_000)
}

pub fn neg(a: TokenAmount) -> TokenAmount {
    TokenAmount::default() - a
}

pub fn zero() -> TokenAmount {
    TokenAmount::default()
}

pub fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s.replace(' ', "")).unwrap()
}

/// One expected event entry: key, indexed, CBOR value.
pub fn entry<T: serde::Serialize + ?Sized>(key: &str, indexed: bool, value: &T) -> (String, bool, Vec<u8>) {
    (key.to_owned(), indexed, to_vec(value).unwrap())
}

/// Asserts the receipt carries exactly one `event_type` event, emitted by `emitter`, laid out
/// with the builtin conventions: `$type` first (flags 0x03), then the fields in order, CBOR
/// (codec 0x51), flags 0x03 when indexed and 0x01 otherwise.
pub fn assert_event(r: &Receipt, event_type: &str, emitter: ActorID, fields: &[(String, bool, Vec<u8>)]) {
    let found: Vec<&StampedEvent> = r.events_of(event_type);
    assert_eq!(found.len(), 1, "{event_type} events: {found:?}");
    let e = found[0];
    assert_eq!(e.emitter, emitter, "{event_type} emitter");
    let got: Vec<(u64, String, u64, Vec<u8>)> = e
        .event
        .entries
        .iter()
        .map(|x| (x.flags.bits(), x.key.clone(), x.codec, x.value.clone()))
        .collect();
    let mut want = vec![(
        Flags::FLAG_INDEXED_ALL.bits(),
        "$type".to_owned(),
        fvm_ipld_encoding::CBOR,
        to_vec(event_type).unwrap(),
    )];
    for (key, indexed, value) in fields {
        let flags = if *indexed {
            Flags::FLAG_INDEXED_ALL
        } else {
            Flags::FLAG_INDEXED_KEY
        };
        want.push((flags.bits(), key.clone(), fvm_ipld_encoding::CBOR, value.clone()));
    }
    assert_eq!(got, want, "{event_type} entries");
}

/// The core every scenario's world shares: one message at a time through [`Scenario::send`]
/// (judged afterwards by [`Scenario::moved`] / [`Scenario::refused`]) or [`Scenario::quiet`]
/// (getters, operator controls), and after every message and every epoch advance, every book
/// of [`Scenario::books_checked`] ([`invariants::check`], all failures at once). A world
/// provides its chain, its ledger and which books it follows.
pub trait Scenario {
    fn chain(&mut self) -> (&mut Harness, &mut Ledger);
    fn chain_ref(&self) -> (&Harness, &Ledger);
    /// The actors whose books are checked after every message.
    fn books_checked(&self) -> Books;

    /// Every book, panicking with every failure.
    fn books(&mut self) {
        let books = self.books_checked();
        invariants::assert_books(self.chain().0, &books);
    }

    /// Sends one message from `from`, then checks the books.
    fn send(
        &mut self,
        from: Account,
        f: impl FnOnce(&mut Harness, &Account) -> anyhow::Result<Receipt>,
    ) -> Receipt {
        let (h, ledger) = self.chain();
        ledger.before(h, from.id);
        let r = f(h, &from).unwrap();
        self.books();
        r
    }

    /// A message that is not judged (getters, operator controls): books checked, `last` kept.
    fn quiet(&mut self, f: impl FnOnce(&mut Harness) -> anyhow::Result<Receipt>) -> Receipt {
        let r = f(self.chain().0).unwrap();
        self.books();
        r
    }

    fn advance_to(&mut self, epoch: fvm_shared::clock::ChainEpoch) {
        self.chain().0.advance_to(epoch).unwrap();
        self.books();
    }

    fn track(&mut self, id: ActorID) {
        self.chain().1.track(id);
    }

    /// Every tracked balance moved by exactly `deltas` in the last message (see [`Ledger`]).
    fn moved(&self, deltas: &[(ActorID, TokenAmount)]) {
        let (h, ledger) = self.chain_ref();
        ledger.moved(h, deltas);
    }

    /// The last message exited with `code` and changed nothing (see [`Ledger::refused`]).
    fn refused(&self, r: &Receipt, code: ExitCode) {
        let (h, ledger) = self.chain_ref();
        ledger.refused(h, r, code);
    }

    /// [`Scenario::refused`], and the failure text says `why`.
    fn refused_because(&self, r: &Receipt, code: ExitCode, why: &str) {
        let (h, ledger) = self.chain_ref();
        ledger.refused_because(h, r, code, why);
    }

    /// The last message left the state of these watched actors as it was.
    fn unchanged(&self, ids: &[ActorID]) {
        let (h, ledger) = self.chain_ref();
        ledger.unchanged(h, ids);
    }
}

/// A chain whose books are checked before every mutable use of it and once more when it is
/// dropped: for worlds whose messages go straight to the harness (`ReputationClient::at(id).send(&mut w.h, …)`)
/// rather than through [`Scenario::send`], every message's books are thus checked before the
/// next message is sent and after the last, every failure at once.
pub struct Checked {
    h: Harness,
    books: Books,
}

impl Checked {
    pub fn new(mut h: Harness, books: Books) -> Self {
        invariants::assert_books(&mut h, &books);
        Self { h, books }
    }
}

impl std::ops::Deref for Checked {
    type Target = Harness;

    fn deref(&self) -> &Harness {
        &self.h
    }
}

impl std::ops::DerefMut for Checked {
    fn deref_mut(&mut self) -> &mut Harness {
        invariants::assert_books(&mut self.h, &self.books);
        &mut self.h
    }
}

/// Through [`Checked`]'s `DerefMut`: the books are checked before every message and read.
impl Chain for Checked {
    fn send(
        &mut self,
        from: &Account,
        to: fvm_shared::address::Address,
        method: fvm_shared::MethodNum,
        params: fvm_ipld_encoding::RawBytes,
        value: TokenAmount,
    ) -> anyhow::Result<Receipt> {
        Chain::send(&mut **self, from, to, method, params, value)
    }

    fn read(
        &mut self,
        to: fvm_shared::address::Address,
        method: fvm_shared::MethodNum,
        params: fvm_ipld_encoding::RawBytes,
    ) -> anyhow::Result<Receipt> {
        Chain::read(&mut **self, to, method, params)
    }

    fn epoch(&self) -> anyhow::Result<fvm_shared::clock::ChainEpoch> {
        Chain::epoch(&**self)
    }

    fn balance(&self, address: &fvm_shared::address::Address) -> anyhow::Result<TokenAmount> {
        Chain::balance(&**self, address)
    }

    fn resolve(&self, address: &fvm_shared::address::Address) -> anyhow::Result<Option<ActorID>> {
        Chain::resolve(&**self, address)
    }
}

impl Drop for Checked {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            invariants::assert_books(&mut self.h, &self.books);
        }
    }
}
