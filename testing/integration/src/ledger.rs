//! What a message did to the actors a scenario follows: every tracked balance must move by
//! exactly what the test says (the sender also paying the message fee), and a refused message
//! must leave the watched actors' state roots as they were.

use fvm_ipld_blockstore::Blockstore;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;

pub use suite_devnet::harness::message_fee;
use suite_devnet::{Harness, Receipt};

struct Before {
    sender: ActorID,
    balances: Vec<(ActorID, TokenAmount)>,
    roots: Vec<(ActorID, cid::Cid)>,
}

pub struct Ledger {
    tracked: Vec<ActorID>,
    watched: Vec<ActorID>,
    last: Option<Before>,
}

impl Ledger {
    /// Follows the balances of `tracked` and the state roots of `watched`.
    pub fn new(tracked: Vec<ActorID>, watched: Vec<ActorID>) -> Self {
        Self {
            tracked,
            watched,
            last: None,
        }
    }

    pub fn track(&mut self, id: ActorID) {
        self.tracked.push(id);
    }

    /// Follows the balance and the state root of `id` from now on.
    pub fn watch(&mut self, id: ActorID) {
        self.tracked.push(id);
        self.watched.push(id);
    }

    /// Records balances and roots before a message from `sender`.
    pub fn before<B: Blockstore + Clone + 'static>(&mut self, h: &Harness<B>, sender: ActorID) {
        self.last = Some(Before {
            sender,
            balances: self
                .tracked
                .iter()
                .map(|id| (*id, h.balance(*id).unwrap()))
                .collect(),
            roots: self
                .watched
                .iter()
                .map(|id| (*id, h.actor(*id).unwrap().unwrap().state))
                .collect(),
        });
    }

    fn last(&self) -> &Before {
        self.last.as_ref().expect("a message was sent")
    }

    /// Every tracked balance moved by exactly `deltas` (zero if unlisted) in the last message.
    pub fn moved<B: Blockstore + Clone + 'static>(&self, h: &Harness<B>, deltas: &[(ActorID, TokenAmount)]) {
        let before = self.last();
        for (id, was) in &before.balances {
            let mut want: TokenAmount = deltas
                .iter()
                .filter(|(d, _)| d == id)
                .map(|(_, a)| a.clone())
                .sum();
            if *id == before.sender {
                want -= message_fee();
            }
            let now = h.balance(*id).unwrap();
            assert_eq!(
                &now - was,
                want,
                "balance of f0{id} moved by {}, expected {want}",
                &now - was
            );
        }
    }

    /// The last message exited with `code` and changed nothing: watched state roots as before,
    /// no FIL moved but the sender's fee.
    pub fn refused<B: Blockstore + Clone + 'static>(&self, h: &Harness<B>, r: &Receipt, code: ExitCode) {
        r.expect_exit(code).unwrap();
        self.unchanged(h, &self.watched);
        self.moved(h, &[]);
    }

    /// [`Ledger::refused`], and the VM's failure text (the actors' abort messages) says `why`.
    pub fn refused_because<B: Blockstore + Clone + 'static>(
        &self,
        h: &Harness<B>,
        r: &Receipt,
        code: ExitCode,
        why: &str,
    ) {
        self.refused(h, r, code);
        let text = r.failure.clone().unwrap_or_default();
        assert!(text.contains(why), "expected {why:?} in: {text}");
    }

    /// The last message left the state of these watched actors as it was.
    pub fn unchanged<B: Blockstore + Clone + 'static>(&self, h: &Harness<B>, ids: &[ActorID]) {
        for (id, root) in self.last().roots.iter().filter(|(id, _)| ids.contains(id)) {
            assert_eq!(&h.actor(*id).unwrap().unwrap().state, root, "f0{id} changed");
        }
    }
}
