//! The registry as plain state transitions: every function takes the store, the state, the
//! facts of the call and what the shell learnt from other actors, and returns what to return
//! and which events to emit. Host tests drive these directly.

use actor_runtime::map::MapKey;
use actor_runtime::{actor_error, ensure, ActorError, ActorResult, EventBuilder, Facts, OrNotFound};
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::event::ActorEvent;
use fvm_shared::ActorID;

use crate::score::{Effect, Stake};
use crate::state::{parse_subject_key, Book, ProviderEntry, State, Totals, Weights, TOTALS_KEY};
use crate::types::*;

/// Only the admin.
pub fn authorize_admin(state: &State, caller: ActorID) -> ActorResult<()> {
    ensure!(caller == state.admin, forbidden; "f0{caller} is not the admin");
    Ok(())
}

/// Only a registered reporter.
pub fn authorize_reporter<BS: Blockstore>(store: &BS, state: &State, caller: ActorID) -> ActorResult<()> {
    let is_reporter = state.reporters(store)?.contains(&caller)?;
    ensure!(is_reporter, forbidden; "f0{caller} is not a registered reporter");
    Ok(())
}

pub fn add_reporter<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    reporter: ActorID,
) -> ActorResult<Vec<ActorEvent>> {
    let mut reporters = state.reporters(store)?;
    if !reporters.set_if_absent(&reporter, true)? {
        return Ok(vec![]);
    }
    state.reporters = reporters.flush()?;
    state.reporter_count += 1;
    Ok(vec![EventBuilder::new(EVENT_REPORTER_ADDED)
        .indexed("reporter", &reporter)
        .build()?])
}

pub fn remove_reporter<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    reporter: ActorID,
) -> ActorResult<Vec<ActorEvent>> {
    let mut reporters = state.reporters(store)?;
    reporters
        .delete(&reporter)?
        .or_not_found(format_args!("reporter f0{reporter}"))?;
    state.reporters = reporters.flush()?;
    state.reporter_count -= 1;
    Ok(vec![EventBuilder::new(EVENT_REPORTER_REMOVED)
        .indexed("reporter", &reporter)
        .build()?])
}

/// Proposes `new_admin`; proposing the current admin cancels a pending transfer.
pub fn transfer_admin(state: &mut State, new_admin: ActorID) -> ActorResult<Vec<ActorEvent>> {
    state.pending_admin = (new_admin != state.admin).then_some(new_admin);
    Ok(vec![EventBuilder::new(EVENT_ADMIN_PROPOSED)
        .indexed("admin", &state.admin)
        .indexed("proposed", &state.pending_admin)
        .build()?])
}

pub fn accept_admin(state: &mut State, caller: ActorID) -> ActorResult<Vec<ActorEvent>> {
    ensure!(state.pending_admin == Some(caller), forbidden; "f0{caller} is not the proposed admin");
    let previous = state.admin;
    state.admin = caller;
    state.pending_admin = None;
    Ok(vec![EventBuilder::new(EVENT_ADMIN_CHANGED)
        .indexed("previous", &previous)
        .indexed("admin", &caller)
        .build()?])
}

/// Registers `miner` (a miner actor whose controlling address is the caller: the shell checked
/// both with the VM and the miner).
pub fn register<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    miner: ActorID,
    metadata: Metadata,
) -> ActorResult<Vec<ActorEvent>> {
    metadata.validate().map_err(ActorError::illegal_argument)?;
    let mut registrations = state.registrations(store)?;
    let registration = Registration {
        registered_at: facts.epoch,
        updated_at: facts.epoch,
        registered_by: facts.caller,
        metadata,
    };
    ensure!(registrations.set_if_absent(&miner, registration)?, illegal_state;
        "f0{miner} is already registered; use UpdateMetadata");
    let mut providers = state.providers(store)?;
    let existing = providers.get(miner)?;
    if existing.is_none() {
        state.provider_count += 1;
    }
    let entry = ProviderEntry {
        registered: true,
        ..existing.unwrap_or_default()
    };
    providers.set(miner, &entry)?;
    state.providers = providers.flush()?;
    state.registrations = registrations.flush()?;
    Ok(vec![EventBuilder::new(EVENT_PROVIDER_REGISTERED)
        .indexed("provider", &miner)
        .field("by", &facts.caller)
        .build()?])
}

pub fn update_metadata<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    miner: ActorID,
    metadata: Metadata,
) -> ActorResult<Vec<ActorEvent>> {
    metadata.validate().map_err(ActorError::illegal_argument)?;
    let mut registrations = state.registrations(store)?;
    let mut registration = registrations
        .get(&miner)?
        .cloned()
        .ok_or_else(|| actor_error!(not_found; "f0{miner} is not registered"))?;
    registration.metadata = metadata;
    registration.updated_at = facts.epoch;
    registrations.set(&miner, registration)?;
    state.registrations = registrations.flush()?;
    Ok(vec![EventBuilder::new(EVENT_METADATA_UPDATED)
        .indexed("provider", &miner)
        .field("by", &facts.caller)
        .build()?])
}

/// How an outcome kind moves the evidence, with its stake multiplier applied.
pub fn effect_of(kind: OutcomeKind, weight: u64) -> (Effect, u128) {
    let w = weight as u128;
    match kind {
        OutcomeKind::ClaimAccepted => (Effect::Neutral, 0),
        OutcomeKind::Completed => (Effect::Success, w),
        OutcomeKind::Fault => (Effect::Fault, w / 4),
        OutcomeKind::Slashed => (Effect::Loss, 2 * w),
    }
}

fn add(total: &mut Stake, v: u64) {
    total.0 = total.0.saturating_add(v as u128);
}

/// Counts an outcome once per (provider, subject, kind), with the largest weight any report of
/// it carried: a repeat with no more weight changes nothing, one with more counts only the
/// difference. So several locks on one deal cannot add up to more than the largest of them,
/// and a small lock reported first can neither shrink a loss nor deny a completion. Returns
/// whether state changed, the answer, and the events.
///
/// Reads and writes the provider's entry (one path of `providers`) and its book (one path of a
/// map of that provider's subjects only), each once.
pub fn record_outcome<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    p: &RecordOutcomeParams,
) -> ActorResult<(bool, RecordOutcomeReturn, Vec<ActorEvent>)> {
    ensure!(p.weight > 0, illegal_argument; "weight must be positive");
    let mut providers = state.providers(store)?;
    let existing = providers.get(p.provider)?;
    let mut book = Book::open(store, existing.as_ref().and_then(|e| e.book.as_ref()))?;
    let mut weights = book.weights(&p.subject)?;
    let counted_before = weights.of(p.kind);
    let added = p.weight - counted_before.min(p.weight);
    if added == 0 {
        let score = existing
            .map(|e| e.evidence.score(facts.epoch))
            .unwrap_or(NEUTRAL_SCORE);
        return Ok((
            false,
            RecordOutcomeReturn {
                counted: false,
                score,
            },
            vec![],
        ));
    }
    weights.set(p.kind, p.weight);
    book.set_weights(&p.subject, &weights)?;
    let first = counted_before == 0;
    let is_new = existing.is_none();
    let mut entry = existing.unwrap_or_default();
    let mut totals = match entry.book {
        Some(_) => book.totals()?,
        None => Totals {
            first_outcome: facts.epoch,
            ..Totals::default()
        },
    };
    let previous = entry.evidence.score(facts.epoch);
    // Counts and bytes are per subject: only the first report of it adds to them.
    let bytes = if first { p.bytes } else { 0 };
    let count = u64::from(first);
    match p.kind {
        OutcomeKind::ClaimAccepted => {
            entry.counts.claims_accepted += count;
            add(&mut totals.bytes.claimed, bytes);
        }
        OutcomeKind::Completed => {
            entry.counts.completed += count;
            add(&mut totals.bytes.completed, bytes);
            add(&mut totals.stake_completed, added);
        }
        OutcomeKind::Fault => {
            entry.counts.faults += count;
            add(&mut totals.bytes.faulted, bytes);
            add(&mut totals.stake_failed, added);
        }
        OutcomeKind::Slashed => {
            entry.counts.slashes += count;
            add(&mut totals.bytes.lost, bytes);
            add(&mut totals.stake_failed, added);
        }
    }
    totals.last_outcome = facts.epoch;
    book.set_totals(&totals)?;
    let (effect, stake) = effect_of(p.kind, added);
    entry.evidence = entry.evidence.add(facts.epoch, effect, stake);
    entry.book = Some(book.flush()?);
    let score = entry.evidence.score(facts.epoch);
    providers.set(p.provider, &entry)?;
    state.providers = providers.flush()?;
    if is_new {
        state.provider_count += 1;
    }
    let event = EventBuilder::new(EVENT_REPUTATION_UPDATED)
        .indexed("provider", &p.provider)
        .indexed("kind", &p.kind)
        .field("subject", &p.subject)
        .field("weight", &added)
        .field("previous", &previous)
        .field("score", &score)
        .field("reporter", &facts.caller)
        .build()?;
    Ok((true, RecordOutcomeReturn { counted: true, score }, vec![event]))
}

/// The record as the interface shows it: the entry, its book's totals and the registration.
fn record_of<BS: Blockstore>(
    store: &BS,
    entry: &ProviderEntry,
    registration: Option<&Registration>,
) -> ActorResult<ProviderRecord> {
    let totals = match &entry.book {
        Some(root) => Some(Book::open(store, Some(root))?.totals()?),
        None => None,
    };
    let t = totals.clone().unwrap_or_default();
    Ok(ProviderRecord {
        registered_at: registration.map(|r| r.registered_at),
        counts: entry.counts.clone(),
        bytes: t.bytes,
        stake_completed: t.stake_completed,
        stake_failed: t.stake_failed,
        evidence: entry.evidence.clone(),
        first_outcome: totals.as_ref().map(|t| t.first_outcome),
        last_outcome: totals.as_ref().map(|t| t.last_outcome),
    })
}

pub fn reputation<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    provider: ActorID,
) -> ActorResult<ReputationView> {
    let entry = state
        .providers(store)?
        .get(provider)?
        .or_not_found(format_args!("provider f0{provider}"))?;
    let registration = match entry.registered {
        true => state.registrations(store)?.get(&provider)?.cloned(),
        false => None,
    };
    let record = record_of(store, &entry, registration.as_ref())?;
    Ok(ReputationView {
        provider,
        score: entry.evidence.score(facts.epoch),
        epoch: facts.epoch,
        record,
        registration,
    })
}

pub fn scores<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    providers: &[ActorID],
) -> ActorResult<GetScoresReturn> {
    ensure!(providers.len() <= MAX_SCORES_BATCH, illegal_argument; "at most {MAX_SCORES_BATCH} providers per call, got {}", providers.len());
    let map = state.providers(store)?;
    let scores = providers
        .iter()
        .map(|p| {
            Ok(map
                .evidence(*p)?
                .map(|e| e.score(facts.epoch))
                .unwrap_or(NEUTRAL_SCORE))
        })
        .collect::<ActorResult<Vec<u16>>>()?;
    Ok(GetScoresReturn { scores })
}

pub fn list<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    p: &ListProvidersParams,
) -> ActorResult<ListProvidersReturn> {
    ensure!((1..=MAX_PAGE).contains(&p.limit), illegal_argument; "limit must be 1 to {MAX_PAGE}, got {}", p.limit);
    let map = state.providers(store)?;
    if let Some(cursor) = p.cursor {
        ensure!(map.contains(cursor)?, illegal_argument; "cursor f0{cursor} is not a listed provider");
    }
    let page = map.page(p.cursor, p.limit as usize)?;
    let providers = page
        .entries
        .into_iter()
        .map(|(provider, e)| ProviderSummary {
            provider,
            registered: e.registered,
            score: e.evidence.score(facts.epoch),
            counts: e.counts,
        })
        .collect();
    Ok(ListProvidersReturn {
        providers,
        next: page.next,
        total: state.provider_count,
    })
}

/// Every entry of a map, page by page.
fn entries<BS: Blockstore, K: MapKey, V>(map: &actor_runtime::Map<BS, K, V>) -> ActorResult<Vec<(K, V)>>
where
    V: serde::Serialize + serde::de::DeserializeOwned + Clone + PartialEq,
{
    let mut all = Vec::new();
    let mut cursor: Option<K> = None;
    loop {
        let page = map.page(cursor.as_ref(), 1024)?;
        all.extend(page.entries);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(all),
        }
    }
}

/// Every provider entry, page by page.
fn all_providers<BS: Blockstore>(state: &State, store: &BS) -> ActorResult<Vec<(ActorID, ProviderEntry)>> {
    let map = state.providers(store)?;
    let mut all = Vec::new();
    let mut cursor = None;
    loop {
        let page = map.page(cursor, 1024)?;
        all.extend(page.entries);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return Ok(all),
        }
    }
}

/// The registry's books, every failure collected (not only the first): per provider, the
/// counts per kind are the number of subjects of its book with a weight of that kind,
/// `stake_completed` is the sum of its Completed weights and `stake_failed` that of its Fault
/// and Slashed weights, a kind never counted has no bytes, a provider with outcomes has a book
/// with totals whose first outcome epoch is at most its last, and one without any has no book
/// and is registered; every book key parses (a subject, or the totals) and no subject is
/// stored with no weight; `registered` is set exactly for the providers in `registrations`;
/// `provider_count` and `reporter_count` match their maps. Reading the maps failing is a
/// failure too.
pub fn check_invariants<BS: Blockstore>(store: &BS, state: &State) -> Result<(), Vec<String>> {
    let mut failures = Vec::new();
    fn read<T>(r: ActorResult<T>, what: &str, failures: &mut Vec<String>) -> Option<T> {
        r.map_err(|e| failures.push(format!("reading {what}: {e}"))).ok()
    }
    let providers = read(all_providers(state, store), "providers", &mut failures);
    let registrations = read(
        state.registrations(store).and_then(|m| entries(&m)),
        "registrations",
        &mut failures,
    );
    let reporters = read(
        state.reporters(store).and_then(|m| entries(&m)),
        "reporters",
        &mut failures,
    );
    if let Some(reporters) = &reporters {
        if reporters.len() as u64 != state.reporter_count {
            failures.push(format!(
                "reporter_count is {} but {} reporters are stored",
                state.reporter_count,
                reporters.len()
            ));
        }
    }
    let (Some(providers), Some(registrations)) = (providers, registrations) else {
        return Err(failures);
    };
    if providers.len() as u64 != state.provider_count {
        failures.push(format!(
            "provider_count is {} but {} provider records are stored",
            state.provider_count,
            providers.len()
        ));
    }
    let registered: std::collections::BTreeSet<ActorID> = registrations.iter().map(|(p, _)| *p).collect();
    let entries: std::collections::BTreeMap<ActorID, &ProviderEntry> =
        providers.iter().map(|(p, e)| (*p, e)).collect();
    for provider in &registered {
        if !entries.contains_key(provider) {
            failures.push(format!("f0{provider} is registered but has no record"));
        }
    }
    for (provider, entry) in &entries {
        let who = format!("f0{provider}");
        if entry.registered != registered.contains(provider) {
            failures.push(format!(
                "{who}: registered is {} but its registration is {}",
                entry.registered,
                if entry.registered { "missing" } else { "present" }
            ));
        }
        let any = entry.counts != OutcomeCounts::default();
        let Some(root) = &entry.book else {
            if any {
                failures.push(format!("{who}: counts {:?} but no book", entry.counts));
            }
            if !entry.registered {
                failures.push(format!(
                    "{who}: a record with neither outcomes nor a registration"
                ));
            }
            continue;
        };
        let Some(book) = read(
            Book::open(store, Some(root)).and_then(|b| b.entries()),
            &format!("{who}'s book"),
            &mut failures,
        ) else {
            continue;
        };
        // What the book's subjects say the entry and the totals should hold.
        let mut counts = OutcomeCounts::default();
        let (mut stake_completed, mut stake_failed) = (0u128, 0u128);
        let mut totals = None;
        for (key, value) in &book {
            if key.as_slice() == TOTALS_KEY {
                totals = read(Totals::unpack(value), &format!("{who}'s totals"), &mut failures);
                continue;
            }
            let Some(subject) = parse_subject_key(key) else {
                failures.push(format!("{who}: book key {key:02x?} does not parse"));
                continue;
            };
            let Some(w) = read(
                Weights::unpack(value),
                &format!("{who} {subject:?}"),
                &mut failures,
            ) else {
                continue;
            };
            if w == Weights::default() {
                failures.push(format!("{who} {subject:?}: stored with no weight"));
            }
            let counted = |kind| u64::from(w.of(kind) > 0);
            counts.claims_accepted += counted(OutcomeKind::ClaimAccepted);
            counts.completed += counted(OutcomeKind::Completed);
            counts.faults += counted(OutcomeKind::Fault);
            counts.slashes += counted(OutcomeKind::Slashed);
            stake_completed += u128::from(w.of(OutcomeKind::Completed));
            stake_failed += u128::from(w.of(OutcomeKind::Fault)) + u128::from(w.of(OutcomeKind::Slashed));
        }
        if entry.counts != counts {
            failures.push(format!(
                "{who}: counts {:?}, its book has {counts:?}",
                entry.counts
            ));
        }
        let Some(t) = totals else {
            failures.push(format!("{who}: a book without totals"));
            continue;
        };
        if t.stake_completed.0 != stake_completed {
            failures.push(format!(
                "{who}: stake_completed {}, Σ Completed weights {stake_completed}",
                t.stake_completed.0
            ));
        }
        if t.stake_failed.0 != stake_failed {
            failures.push(format!(
                "{who}: stake_failed {}, Σ Fault and Slashed weights {stake_failed}",
                t.stake_failed.0
            ));
        }
        let bytes = [
            ("claimed", &t.bytes.claimed, counts.claims_accepted),
            ("completed", &t.bytes.completed, counts.completed),
            ("faulted", &t.bytes.faulted, counts.faults),
            ("lost", &t.bytes.lost, counts.slashes),
        ];
        for (name, total, count) in bytes {
            if count == 0 && total.0 != 0 {
                failures.push(format!(
                    "{who}: {} bytes {name} with no outcome of that kind",
                    total.0
                ));
            }
        }
        if counts == OutcomeCounts::default() {
            failures.push(format!("{who}: a book with no counted outcome"));
        }
        if t.first_outcome > t.last_outcome {
            failures.push(format!(
                "{who}: first_outcome {} after last_outcome {}",
                t.first_outcome, t.last_outcome
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}
