//! The registry as plain state transitions: every function takes the store, the state, the
//! facts of the call and what the shell learnt from other actors, and returns what to return
//! and which events to emit. Host tests drive these directly.

use actor_runtime::map::{split_varint, MapKey};
use actor_runtime::{actor_error, ensure, ActorError, ActorResult, EventBuilder, Facts, OrNotFound};
use fvm_ipld_blockstore::Blockstore;
use fvm_shared::event::ActorEvent;
use fvm_shared::ActorID;

use crate::score::{Effect, Stake};
use crate::state::State;
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
    let existing = providers.get(&miner)?.cloned();
    if existing.is_none() {
        state.provider_count += 1;
    }
    let record = ProviderRecord {
        registered_at: Some(facts.epoch),
        ..existing.unwrap_or_default()
    };
    providers.set(&miner, record)?;
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

/// The key under which an outcome is counted once.
pub fn outcome_key(provider: ActorID, subject: &Subject, kind: OutcomeKind) -> Vec<u8> {
    let mut key = provider.to_key_bytes();
    key.push(u8::from(subject.kind));
    key.extend(subject.id.to_key_bytes());
    key.push(u8::from(kind));
    key
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
pub fn record_outcome<BS: Blockstore>(
    store: &BS,
    state: &mut State,
    facts: &Facts,
    p: &RecordOutcomeParams,
) -> ActorResult<(bool, RecordOutcomeReturn, Vec<ActorEvent>)> {
    ensure!(p.weight > 0, illegal_argument; "weight must be positive");
    let mut providers = state.providers(store)?;
    let existing = providers.get(&p.provider)?.cloned();
    let mut outcomes = state.outcomes(store)?;
    let key = outcome_key(p.provider, &p.subject, p.kind);
    let counted_before = outcomes.get(&key)?.copied();
    let added = p.weight - counted_before.unwrap_or(0).min(p.weight);
    if added == 0 {
        let score = existing
            .map(|r| r.evidence.score(facts.epoch))
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
    outcomes.set(&key, p.weight)?;
    let first = counted_before.is_none();
    let is_new = existing.is_none();
    let mut record = existing.unwrap_or_default();
    let previous = record.evidence.score(facts.epoch);
    // Counts and bytes are per subject: only the first report of it adds to them.
    let bytes = if first { p.bytes } else { 0 };
    let count = u64::from(first);
    match p.kind {
        OutcomeKind::ClaimAccepted => {
            record.counts.claims_accepted += count;
            add(&mut record.bytes.claimed, bytes);
        }
        OutcomeKind::Completed => {
            record.counts.completed += count;
            add(&mut record.bytes.completed, bytes);
            add(&mut record.stake_completed, added);
        }
        OutcomeKind::Fault => {
            record.counts.faults += count;
            add(&mut record.bytes.faulted, bytes);
            add(&mut record.stake_failed, added);
        }
        OutcomeKind::Slashed => {
            record.counts.slashes += count;
            add(&mut record.bytes.lost, bytes);
            add(&mut record.stake_failed, added);
        }
    }
    let (effect, stake) = effect_of(p.kind, added);
    record.evidence = record.evidence.add(facts.epoch, effect, stake);
    record.first_outcome.get_or_insert(facts.epoch);
    record.last_outcome = Some(facts.epoch);
    let score = record.evidence.score(facts.epoch);
    providers.set(&p.provider, record)?;
    state.providers = providers.flush()?;
    state.outcomes = outcomes.flush()?;
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

pub fn reputation<BS: Blockstore>(
    store: &BS,
    state: &State,
    facts: &Facts,
    provider: ActorID,
) -> ActorResult<ReputationView> {
    let record = state
        .providers(store)?
        .get(&provider)?
        .cloned()
        .or_not_found(format_args!("provider f0{provider}"))?;
    let registration = match record.registered_at {
        Some(_) => state.registrations(store)?.get(&provider)?.cloned(),
        None => None,
    };
    Ok(ReputationView {
        provider,
        score: record.evidence.score(facts.epoch),
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
                .get(p)?
                .map(|r| r.evidence.score(facts.epoch))
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
        ensure!(map.contains(&cursor)?, illegal_argument; "cursor f0{cursor} is not a listed provider");
    }
    let page = map.page(p.cursor.as_ref(), p.limit as usize)?;
    let providers = page
        .entries
        .into_iter()
        .map(|(provider, r)| ProviderSummary {
            provider,
            registered: r.registered_at.is_some(),
            score: r.evidence.score(facts.epoch),
            counts: r.counts,
        })
        .collect();
    Ok(ListProvidersReturn {
        providers,
        next: page.next,
        total: state.provider_count,
    })
}

/// Splits an [`outcome_key`] back into its parts.
fn parse_outcome_key(key: &[u8]) -> Option<(ActorID, Subject, OutcomeKind)> {
    let (provider, rest) = split_varint(key).ok()?;
    let (&subject_kind, rest) = rest.split_first()?;
    let (id, rest) = split_varint(rest).ok()?;
    let [kind] = rest else { return None };
    let subject = Subject {
        kind: SubjectKind::try_from(subject_kind).ok()?,
        id,
    };
    Some((provider, subject, OutcomeKind::try_from(*kind).ok()?))
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

/// The registry's books, every failure collected (not only the first): per provider, the
/// counts per kind are the number of outcome keys of that kind, `stake_completed` is the sum of
/// the weights of its Completed keys and `stake_failed` that of its Fault and Slashed keys, a
/// kind never counted has no bytes, a provider with outcomes has its first and last outcome
/// epochs (first ≤ last) and one without any is registered; every outcome key parses and names a
/// provider with a record; `registered_at` is set exactly for the providers in `registrations`
/// (at the registration's epoch); `provider_count` and `reporter_count` match their maps.
/// Reading the maps failing is a failure too.
pub fn check_invariants<BS: Blockstore>(store: &BS, state: &State) -> Result<(), Vec<String>> {
    let mut failures = Vec::new();
    fn read<T>(r: ActorResult<T>, what: &str, failures: &mut Vec<String>) -> Option<T> {
        r.map_err(|e| failures.push(format!("reading {what}: {e}"))).ok()
    }
    let providers = read(
        state.providers(store).and_then(|m| entries(&m)),
        "providers",
        &mut failures,
    );
    let outcomes = read(
        state.outcomes(store).and_then(|m| entries(&m)),
        "outcomes",
        &mut failures,
    );
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
    let (Some(providers), Some(outcomes), Some(registrations)) = (providers, outcomes, registrations) else {
        return Err(failures);
    };
    if providers.len() as u64 != state.provider_count {
        failures.push(format!(
            "provider_count is {} but {} provider records are stored",
            state.provider_count,
            providers.len()
        ));
    }
    // What the outcomes map says each provider's record should hold.
    #[derive(Default)]
    struct Expected {
        counts: OutcomeCounts,
        stake_completed: u128,
        stake_failed: u128,
    }
    let mut expected: std::collections::BTreeMap<ActorID, Expected> = Default::default();
    for (key, weight) in &outcomes {
        let Some((provider, subject, kind)) = parse_outcome_key(key) else {
            failures.push(format!("outcome key {key:02x?} does not parse"));
            continue;
        };
        if *weight == 0 {
            failures.push(format!(
                "f0{provider} {subject:?} {kind:?}: counted with weight 0"
            ));
        }
        let e = expected.entry(provider).or_default();
        let w = u128::from(*weight);
        match kind {
            OutcomeKind::ClaimAccepted => e.counts.claims_accepted += 1,
            OutcomeKind::Completed => {
                e.counts.completed += 1;
                e.stake_completed += w;
            }
            OutcomeKind::Fault => {
                e.counts.faults += 1;
                e.stake_failed += w;
            }
            OutcomeKind::Slashed => {
                e.counts.slashes += 1;
                e.stake_failed += w;
            }
        }
    }
    let records: std::collections::BTreeMap<ActorID, &ProviderRecord> =
        providers.iter().map(|(p, r)| (*p, r)).collect();
    for provider in expected.keys() {
        if !records.contains_key(provider) {
            failures.push(format!("f0{provider} has counted outcomes but no record"));
        }
    }
    let registered: std::collections::BTreeMap<ActorID, &Registration> =
        registrations.iter().map(|(p, r)| (*p, r)).collect();
    for (provider, registration) in &registered {
        match records.get(provider) {
            None => failures.push(format!("f0{provider} is registered but has no record")),
            Some(r) if r.registered_at != Some(registration.registered_at) => failures.push(format!(
                "f0{provider}: registered_at {:?}, its registration says {}",
                r.registered_at, registration.registered_at
            )),
            Some(_) => {}
        }
    }
    for (provider, record) in &records {
        let e = expected.remove(provider).unwrap_or_default();
        let who = format!("f0{provider}");
        if record.counts != e.counts {
            failures.push(format!(
                "{who}: counts {:?}, the outcomes map has {:?}",
                record.counts, e.counts
            ));
        }
        if record.stake_completed.0 != e.stake_completed {
            failures.push(format!(
                "{who}: stake_completed {}, Σ Completed weights {}",
                record.stake_completed.0, e.stake_completed
            ));
        }
        if record.stake_failed.0 != e.stake_failed {
            failures.push(format!(
                "{who}: stake_failed {}, Σ Fault and Slashed weights {}",
                record.stake_failed.0, e.stake_failed
            ));
        }
        let bytes = [
            ("claimed", &record.bytes.claimed, e.counts.claims_accepted),
            ("completed", &record.bytes.completed, e.counts.completed),
            ("faulted", &record.bytes.faulted, e.counts.faults),
            ("lost", &record.bytes.lost, e.counts.slashes),
        ];
        for (name, total, count) in bytes {
            if count == 0 && total.0 != 0 {
                failures.push(format!(
                    "{who}: {} bytes {name} with no outcome of that kind",
                    total.0
                ));
            }
        }
        let any = e.counts != OutcomeCounts::default();
        match (any, record.first_outcome, record.last_outcome) {
            (true, Some(first), Some(last)) if first <= last => {}
            (false, None, None) => {}
            (_, first, last) => failures.push(format!(
                "{who}: first_outcome {first:?}, last_outcome {last:?} with{} outcomes counted",
                if any { "" } else { " no" }
            )),
        }
        if !any && record.registered_at.is_none() {
            failures.push(format!(
                "{who}: a record with neither outcomes nor a registration"
            ));
        }
        if record.registered_at.is_some() && !registered.contains_key(provider) {
            failures.push(format!(
                "{who}: registered_at {:?} but no registration",
                record.registered_at
            ));
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures)
    }
}
