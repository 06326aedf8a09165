//! The books a scenario checks after every message, each checker collecting every failure
//! with its message instead of stopping at the first: the market's, the escrow's and the
//! reputation registry's own books, the books across the market and the escrow (every open
//! claim has an open lock holding its collateral with the market as notify, and every lock
//! naming the market as notify backs one of its claims), and FIL conserved across all actors
//! and accounts (Σ balances in the state tree, burnt funds included, = the genesis supply).

use std::collections::BTreeMap;

use anyhow::{anyhow, Result};
use fvm::state_tree::StateTree;
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::econ::TokenAmount;
use fvm_shared::ActorID;
use suite_devnet::harness::OPERATOR_GENESIS_FIL;
use suite_devnet::Harness;
use suite_interfaces::bounty::{Claim, ClaimStatus};
use suite_interfaces::escrow::{Lock, LockStatus};

/// What a scenario's world follows: the actors whose books are checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Books {
    pub market: Option<ActorID>,
    pub escrow: Option<ActorID>,
    pub registry: Option<ActorID>,
}

fn split(e: &str) -> Vec<String> {
    e.lines().map(str::to_owned).collect()
}

/// Every check of `books` on the chain as it is (flushed first), every failure collected.
pub fn check<B: Blockstore + Clone + 'static>(h: &mut Harness<B>, books: &Books) -> Result<(), Vec<String>> {
    let mut failures = Vec::new();
    if let Err(e) = h.flush() {
        return Err(vec![format!("flushing the state: {e:#}")]);
    }
    if let Some(market) = books.market {
        if let Err(e) = crate::bounty::check_market_books(h, market) {
            failures.extend(split(&format!("{e:#}")));
        }
        if let Err(f) = check_market_sponsors(h, market) {
            failures.extend(f);
        }
        if let Some(escrow) = books.escrow {
            if let Err(f) = check_market_escrow(h, market, escrow) {
                failures.extend(f);
            }
        }
    }
    if let Some(escrow) = books.escrow {
        if let Err(e) = crate::escrow::check_escrow_books(h, escrow) {
            failures.extend(split(&format!("{e:#}")));
        }
    }
    if let Some(registry) = books.registry {
        if let Err(f) = check_registry_books(h, registry) {
            failures.extend(f);
        }
    }
    if let Err(e) = check_fil_conserved(h) {
        failures.push(format!("{e:#}"));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

/// [`check`], panicking with every failure.
pub fn assert_books<B: Blockstore + Clone + 'static>(h: &mut Harness<B>, books: &Books) {
    if let Err(failures) = check(h, books) {
        panic!("{} book failure(s):\n  {}", failures.len(), failures.join("\n  "));
    }
}

/// The registry's books (`provider_reputation::logic::check_invariants`).
pub fn check_registry_books<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    registry: ActorID,
) -> Result<(), Vec<String>> {
    let state: provider_reputation::state::State = h
        .state(registry)
        .map_err(|e| vec![format!("registry f0{registry} state: {e:#}")])?;
    provider_reputation::logic::check_invariants(h.store(), &state).map_err(|f| {
        f.into_iter()
            .map(|m| format!("registry f0{registry}: {m}"))
            .collect()
    })
}

/// The market's claims against the escrow's locks: every Active claim has an Open lock whose
/// collateral (`original`) is the claim's, for the claim's provider, locked by the market with
/// the market as notify; every claim's lock exists and names the claim as its reference (what
/// routes the escrow's callbacks to it); every escrow lock the market made naming itself as notify is one of its claims'
/// locks. (Anyone may lock naming the market as notify; the market ignores such locks, so only
/// the market's own are held to its claims.) Nothing to compare when the market is wired to
/// another escrow than `escrow` (a scenario's stand-in).
pub fn check_market_escrow<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    market: ActorID,
    escrow: ActorID,
) -> Result<(), Vec<String>> {
    let err = |what: &str, e: &dyn std::fmt::Display| vec![format!("market f0{market}: reading {what}: {e}")];
    let ms: bounty_market::state::State = h.state(market).map_err(|e| err("state", &e))?;
    if ms.escrow != escrow {
        return Ok(());
    }
    let es: collateral_escrow::state::State = h.state(escrow).map_err(|e| err("the escrow's state", &e))?;
    let store = h.store();
    let claims: Vec<(u64, Claim)> = ms
        .claims(store)
        .and_then(|m| m.page(None, usize::MAX))
        .map_err(|e| err("claims", &e))?
        .entries;
    let locks: BTreeMap<u64, Lock> = es
        .locks(store)
        .and_then(|m| m.page(None, usize::MAX))
        .map_err(|e| err("the escrow's locks", &e))?
        .entries
        .into_iter()
        .collect();
    let mut failures = Vec::new();
    let mut fail = |m: String| failures.push(format!("market f0{market} / escrow f0{escrow}: {m}"));
    let mut backed = BTreeMap::new();
    for (id, claim) in &claims {
        if claim.lock_id.is_none() && claim.status == ClaimStatus::Active {
            fail(format!("open claim {id} has no lock"));
        }
        // Every term's lock (the earlier terms' of a renewed claim, then the current one's):
        // each routes back to the claim and is on that term's own evidence.
        let terms = claim
            .history
            .iter()
            .map(|t| (t.lock_id, &t.deal, false))
            .chain(std::iter::once((claim.lock_id, &claim.deal, true)));
        for (lock_id, deal, current) in terms {
            let Some(lock_id) = lock_id else { continue };
            if let Some(other) = backed.insert(lock_id, *id) {
                fail(format!("lock {lock_id} backs claim {other} and claim {id}"));
            }
            let Some(lock) = locks.get(&lock_id) else {
                fail(format!("claim {id}'s lock {lock_id} is not in the escrow"));
                continue;
            };
            if lock.reference != Some(*id) {
                fail(format!(
                    "claim {id}'s lock {lock_id} references claim {:?}: its callbacks would not reach it",
                    lock.reference
                ));
            }
            if lock.notify != Some(market) || lock.locker != market {
                fail(format!(
                    "claim {id}'s lock {lock_id} was locked by f0{} notifying {:?}, not by and to the market",
                    lock.locker, lock.notify
                ));
            }
            if lock.provider != claim.provider {
                fail(format!(
                    "claim {id} is f0{}'s, its lock {lock_id} f0{}'s",
                    claim.provider, lock.provider
                ));
            }
            // A deal term's lock is on its deal; a DDO term's on its sector alone.
            let on_its_evidence = if deal.deal_id == suite_interfaces::bounty::NO_DEAL {
                lock.deal.is_none() && lock.sector.as_ref().map(|s| s.sector_number) == Some(deal.sector)
            } else {
                lock.deal.as_ref().map(|d| d.deal_id) == Some(deal.deal_id)
            };
            if !on_its_evidence {
                fail(format!(
                    "claim {id}'s lock {lock_id} is not on its term's evidence (deal {}, sector {})",
                    deal.deal_id, deal.sector
                ));
            }
            if current && claim.status == ClaimStatus::Active {
                if lock.status != LockStatus::Open {
                    fail(format!("open claim {id}'s lock {lock_id} is {:?}", lock.status));
                }
                // Anyone may top up a lock (a provider adding margin), so a claim's lock holds
                // at least the claim's collateral; never less.
                if lock.original < claim.collateral {
                    fail(format!(
                        "open claim {id} has collateral {}, its lock {lock_id} only {}",
                        claim.collateral, lock.original
                    ));
                }
                if lock.end_epoch != claim.vest_end {
                    fail(format!(
                        "open claim {id}'s term ends at {}, its lock {lock_id} at {}",
                        claim.vest_end, lock.end_epoch
                    ));
                }
            }
        }
    }
    for (lock_id, lock) in &locks {
        if lock.locker == market && lock.notify == Some(market) && !backed.contains_key(lock_id) {
            fail(format!("the market's lock {lock_id} backs none of its claims"));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

/// The market's sponsors against the state tree: every contribution names an actor that exists
/// (its refund is sent there), and the FIL the market holds covers, bounty by bounty, what its
/// sponsors are still due (the market's own books check the sums; this checks where they go).
pub fn check_market_sponsors<B: Blockstore + Clone + 'static>(
    h: &mut Harness<B>,
    market: ActorID,
) -> Result<(), Vec<String>> {
    let err = |what: &str, e: &dyn std::fmt::Display| vec![format!("market f0{market}: reading {what}: {e}")];
    let ms: bounty_market::state::State = h.state(market).map_err(|e| err("state", &e))?;
    let store = h.store();
    let contributions = ms
        .contributions(store)
        .and_then(|m| m.page(None, usize::MAX))
        .map_err(|e| err("contributions", &e))?
        .entries;
    let mut failures = Vec::new();
    let mut due = TokenAmount::default();
    for (key, c) in &contributions {
        match h.actor(key.sponsor) {
            Ok(Some(_)) => {}
            Ok(None) => failures.push(format!(
                "market f0{market}: sponsor f0{} of bounty {} is no actor: its refund could not be sent",
                key.sponsor, key.bounty_id
            )),
            Err(e) => failures.push(format!(
                "market f0{market}: reading sponsor f0{}: {e:#}",
                key.sponsor
            )),
        }
        let bounty = ms
            .bounties(store)
            .and_then(|b| b.get(key.bounty_id).map(|x| x.cloned()))
            .map_err(|e| err("bounties", &e))?;
        if let Some(b) = bounty {
            let share = suite_interfaces::bounty::refund_share(&b.returned(), &c.amount, &b.raised());
            due += share - &c.refunded;
        }
    }
    let balance = h.balance(market).map_err(|e| err("balance", &e))?;
    if due > balance {
        failures.push(format!(
            "market f0{market}: sponsors are due {due}, it holds {balance}"
        ));
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}

/// Σ balances of every actor in the state tree (burnt funds included).
pub fn total_fil<B: Blockstore + Clone + 'static>(h: &mut Harness<B>) -> Result<TokenAmount> {
    let root = h.flush()?;
    let tree = StateTree::new_from_root(h.store().clone(), &root).map_err(|e| anyhow!("state tree: {e}"))?;
    let mut total = TokenAmount::default();
    tree.for_each(|_, actor| {
        total += &actor.balance;
        Ok(())
    })
    .map_err(|e| anyhow!("walking the state tree: {e}"))?;
    Ok(total)
}

/// No FIL made or lost: Σ balances of every actor and account (burnt funds included) is the
/// genesis supply, the operator's [`OPERATOR_GENESIS_FIL`].
pub fn check_fil_conserved<B: Blockstore + Clone + 'static>(h: &mut Harness<B>) -> Result<()> {
    let total = total_fil(h)?;
    let genesis = TokenAmount::from_whole(OPERATOR_GENESIS_FIL);
    if total != genesis {
        return Err(anyhow!(
            "FIL not conserved: Σ balances {total}, genesis supply {genesis} (off by {})",
            &total - &genesis
        ));
    }
    Ok(())
}
