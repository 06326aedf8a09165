//! Host tests of the functional core: the registry's transitions without a VM.

use actor_runtime::Facts;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;

use crate::logic::*;
use crate::score::{OUTCOME_HALF_LIFE_EPOCHS, PRIOR_STAKE};
use crate::state::{Book, State, Weights};
use crate::types::*;

const ADMIN: u64 = 100;
const REPORTER: u64 = 101;
const MINER: u64 = 200;
const OWNER: u64 = 300;

fn facts(caller: u64, epoch: i64) -> Facts {
    Facts {
        caller,
        receiver: 1000,
        method: 0,
        epoch,
        value_received: TokenAmount::default(),
    }
}

fn setup() -> (MemoryBlockstore, State) {
    let store = MemoryBlockstore::new();
    let mut state = State::new(&store, ADMIN).unwrap();
    add_reporter(&store, &mut state, REPORTER).unwrap();
    (store, state)
}

fn metadata() -> Metadata {
    Metadata {
        name: "Acme Storage".into(),
        region: "DE".into(),
        peer_id: vec![0x00, 0x24, 0x08, 0x01],
        links: vec!["https://acme.example".into()],
    }
}

fn outcome(subject: u64, kind: OutcomeKind, weight: u64) -> RecordOutcomeParams {
    RecordOutcomeParams {
        provider: MINER,
        subject: Subject {
            kind: SubjectKind::Deal,
            id: subject,
        },
        kind,
        weight,
        bytes: 1 << 35,
    }
}

#[test]
fn only_the_admin_administers_and_transfer_takes_two_steps() {
    let (store, mut state) = setup();
    assert!(authorize_admin(&state, ADMIN).is_ok());
    assert_eq!(
        authorize_admin(&state, OWNER).unwrap_err().exit_code(),
        ExitCode::USR_FORBIDDEN
    );
    transfer_admin(&mut state, OWNER).unwrap();
    assert_eq!(state.admin, ADMIN, "a proposal changes nothing yet");
    assert_eq!(
        accept_admin(&mut state, REPORTER).unwrap_err().exit_code(),
        ExitCode::USR_FORBIDDEN
    );
    accept_admin(&mut state, OWNER).unwrap();
    assert_eq!((state.admin, state.pending_admin), (OWNER, None));
    // Proposing the current admin cancels a proposal.
    transfer_admin(&mut state, ADMIN).unwrap();
    transfer_admin(&mut state, OWNER).unwrap();
    assert_eq!(state.pending_admin, None);
    let _ = store;
}

#[test]
fn reporters_are_added_once_and_removed_only_if_present() {
    let (store, mut state) = setup();
    assert!(authorize_reporter(&store, &state, REPORTER).is_ok());
    assert_eq!(
        authorize_reporter(&store, &state, OWNER).unwrap_err().exit_code(),
        ExitCode::USR_FORBIDDEN
    );
    assert!(
        add_reporter(&store, &mut state, REPORTER).unwrap().is_empty(),
        "a repeat emits nothing"
    );
    assert_eq!(state.reporter_count, 1);
    remove_reporter(&store, &mut state, REPORTER).unwrap();
    assert_eq!(state.reporter_count, 0);
    assert_eq!(
        remove_reporter(&store, &mut state, REPORTER)
            .unwrap_err()
            .exit_code(),
        ExitCode::USR_NOT_FOUND
    );
    assert_eq!(
        authorize_reporter(&store, &state, REPORTER)
            .unwrap_err()
            .exit_code(),
        ExitCode::USR_FORBIDDEN
    );
}

#[test]
fn metadata_limits() {
    let ok = metadata();
    assert!(ok.validate().is_ok());
    let cases: Vec<(&str, Metadata)> = vec![
        (
            "empty name",
            Metadata {
                name: String::new(),
                ..ok.clone()
            },
        ),
        (
            "long name",
            Metadata {
                name: "x".repeat(65),
                ..ok.clone()
            },
        ),
        (
            "control char",
            Metadata {
                name: "a\nb".into(),
                ..ok.clone()
            },
        ),
        (
            "lowercase region",
            Metadata {
                region: "de".into(),
                ..ok.clone()
            },
        ),
        (
            "long region",
            Metadata {
                region: "DEU".into(),
                ..ok.clone()
            },
        ),
        (
            "bad subdivision",
            Metadata {
                region: "US-CALI".into(),
                ..ok.clone()
            },
        ),
        (
            "long peer id",
            Metadata {
                peer_id: vec![0; 65],
                ..ok.clone()
            },
        ),
        (
            "too many links",
            Metadata {
                links: vec!["https://a.b".into(); 5],
                ..ok.clone()
            },
        ),
        (
            "bad scheme",
            Metadata {
                links: vec!["http://a.b".into()],
                ..ok.clone()
            },
        ),
        (
            "bare scheme",
            Metadata {
                links: vec!["ipfs://".into()],
                ..ok.clone()
            },
        ),
        (
            "space in link",
            Metadata {
                links: vec!["https://a b".into()],
                ..ok.clone()
            },
        ),
        (
            "long link",
            Metadata {
                links: vec![format!("https://{}", "a".repeat(121))],
                ..ok.clone()
            },
        ),
    ];
    for (what, m) in cases {
        assert!(m.validate().is_err(), "{what} should be refused");
    }
    for region in ["", "US", "US-CA", "FR-75", "GB-ENG"] {
        assert!(
            Metadata {
                region: region.into(),
                ..ok.clone()
            }
            .validate()
            .is_ok(),
            "{region}"
        );
    }
    assert!(Metadata {
        name: "x".repeat(64),
        links: vec![format!("https://{}", "a".repeat(120))],
        ..ok
    }
    .validate()
    .is_ok());
}

#[test]
fn registration_then_updates() {
    let (store, mut state) = setup();
    let f = facts(OWNER, 10);
    let e = update_metadata(&store, &mut state, &f, MINER, metadata()).unwrap_err();
    assert_eq!(e.exit_code(), ExitCode::USR_NOT_FOUND);
    let bad = Metadata {
        region: "xx".into(),
        ..metadata()
    };
    let before = state.clone();
    assert_eq!(
        register(&store, &mut state, &f, MINER, bad)
            .unwrap_err()
            .exit_code(),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    assert_eq!(state, before, "refused metadata changes nothing");
    let events = register(&store, &mut state, &f, MINER, metadata()).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(state.provider_count, 1);
    let before = state.clone();
    let again = register(&store, &mut state, &f, MINER, metadata()).unwrap_err();
    assert_eq!(again.exit_code(), ExitCode::USR_ILLEGAL_STATE);
    assert_eq!(state, before, "a refused registration changes nothing");
    let renamed = Metadata {
        name: "Acme 2".into(),
        ..metadata()
    };
    update_metadata(&store, &mut state, &facts(OWNER, 20), MINER, renamed.clone()).unwrap();
    let view = reputation(&store, &state, &facts(OWNER, 20), MINER).unwrap();
    let reg = view.registration.unwrap();
    assert_eq!(view.record.registered_at, Some(10));
    assert_eq!(
        (reg.registered_at, reg.updated_at, reg.registered_by),
        (10, 20, OWNER)
    );
    assert_eq!(reg.metadata, renamed);
    assert_eq!(view.score, NEUTRAL_SCORE);
}

#[test]
fn outcomes_count_once_per_provider_subject_and_kind() {
    let (store, mut state) = setup();
    let f = facts(REPORTER, 100);
    let big = PRIOR_STAKE as u64;
    let (changed, ret, events) =
        record_outcome(&store, &mut state, &f, &outcome(1, OutcomeKind::Completed, big)).unwrap();
    assert!(changed && ret.counted && events.len() == 1);
    assert!(ret.score > NEUTRAL_SCORE);
    let root = state.clone();
    let (changed, again, events) =
        record_outcome(&store, &mut state, &f, &outcome(1, OutcomeKind::Completed, big)).unwrap();
    assert!(!changed && !again.counted && events.is_empty());
    assert_eq!(again.score, ret.score);
    assert_eq!(state, root, "a repeat changes nothing");
    // Another kind on the same subject, or the same kind on another subject, counts.
    assert!(
        record_outcome(&store, &mut state, &f, &outcome(1, OutcomeKind::Slashed, big))
            .unwrap()
            .1
            .counted
    );
    assert!(
        record_outcome(&store, &mut state, &f, &outcome(2, OutcomeKind::Completed, big))
            .unwrap()
            .1
            .counted
    );
    let sector = RecordOutcomeParams {
        subject: Subject {
            kind: SubjectKind::Sector,
            id: 1,
        },
        ..outcome(1, OutcomeKind::Completed, big)
    };
    assert!(record_outcome(&store, &mut state, &f, &sector).unwrap().1.counted);
    let view = reputation(&store, &state, &f, MINER).unwrap();
    assert_eq!(
        view.record.counts,
        OutcomeCounts {
            claims_accepted: 0,
            completed: 3,
            faults: 0,
            slashes: 1
        }
    );
    assert_eq!(view.record.bytes.completed.0, 3 << 35);
    assert_eq!(view.record.bytes.lost.0, 1 << 35);
    assert_eq!(view.record.first_outcome, Some(100));
    assert_eq!(state.provider_count, 1);
    assert_eq!(
        record_outcome(&store, &mut state, &f, &outcome(9, OutcomeKind::Fault, 0))
            .unwrap_err()
            .exit_code(),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
}

#[test]
fn kinds_move_the_score_the_documented_way() {
    let (store, mut state) = setup();
    let w = PRIOR_STAKE as u64;
    let f = facts(REPORTER, 0);
    let claim = record_outcome(&store, &mut state, &f, &outcome(1, OutcomeKind::ClaimAccepted, w))
        .unwrap()
        .1;
    assert_eq!(claim.score, NEUTRAL_SCORE, "a claim is a promise");
    let fault = record_outcome(&store, &mut state, &f, &outcome(1, OutcomeKind::Fault, w))
        .unwrap()
        .1;
    // good = P, bad = P + P/4 → 10000 × 1 / 2.25
    assert_eq!(fault.score, 4444);
    let slash = record_outcome(&store, &mut state, &f, &outcome(2, OutcomeKind::Slashed, w))
        .unwrap()
        .1;
    // bad = P + P/4 + 2P → 10000 / 4.25
    assert_eq!(slash.score, 2352);
    // 180 days later the fault has halved (P/8) and the loss has kept 2^(-1/3) of itself
    // (half-life 540 days): 10000 / (2 + 1/8 + 2^(2/3)).
    let later = scores(&store, &state, &facts(1, OUTCOME_HALF_LIFE_EPOCHS), &[MINER])
        .unwrap()
        .scores[0];
    assert_eq!(later, 2693);
}

#[test]
fn a_heavier_report_of_a_counted_subject_adds_only_the_difference() {
    let (store, mut state) = setup();
    let w = PRIOR_STAKE as u64;
    let f = facts(REPORTER, 0);
    // A small lock's loss is reported first, then the real one of the same deal.
    let small = record_outcome(&store, &mut state, &f, &outcome(1, OutcomeKind::Slashed, w / 100)).unwrap();
    assert!(small.1.counted);
    let (changed, ret, events) =
        record_outcome(&store, &mut state, &f, &outcome(1, OutcomeKind::Slashed, w)).unwrap();
    assert!(changed && ret.counted && events.len() == 1);
    // As if only the heavy one had been reported: bad = P + 2P.
    assert_eq!(ret.score, 2500);
    let view = reputation(&store, &state, &f, MINER).unwrap();
    assert_eq!(view.record.counts.slashes, 1, "one subject, one count");
    assert_eq!(view.record.bytes.lost.0, 1 << 35, "its bytes once");
    assert_eq!(view.record.stake_failed.0, w as u128);
    // A lighter or equal report afterwards changes nothing.
    let root = state.clone();
    for weight in [w / 2, w] {
        let (changed, again, _) =
            record_outcome(&store, &mut state, &f, &outcome(1, OutcomeKind::Slashed, weight)).unwrap();
        assert!(!changed && !again.counted);
    }
    assert_eq!(state, root);
    // Completions likewise: two locks on one deal earn the larger, not the sum.
    record_outcome(&store, &mut state, &f, &outcome(2, OutcomeKind::Completed, w)).unwrap();
    record_outcome(&store, &mut state, &f, &outcome(2, OutcomeKind::Completed, w / 2)).unwrap();
    record_outcome(&store, &mut state, &f, &outcome(2, OutcomeKind::Completed, 2 * w)).unwrap();
    let view = reputation(&store, &state, &f, MINER).unwrap();
    assert_eq!(view.record.stake_completed.0, 2 * w as u128);
    assert_eq!(view.record.counts.completed, 1);
    // good = P + 2P, bad = P + 2P.
    assert_eq!(view.score, 5000);
}

#[test]
fn scores_are_batched_and_neutral_for_strangers() {
    let (store, mut state) = setup();
    record_outcome(
        &store,
        &mut state,
        &facts(REPORTER, 0),
        &outcome(1, OutcomeKind::Completed, PRIOR_STAKE as u64),
    )
    .unwrap();
    let s = scores(&store, &state, &facts(1, 0), &[MINER, 999])
        .unwrap()
        .scores;
    assert_eq!(s, vec![6666, NEUTRAL_SCORE]);
    let too_many: Vec<u64> = (0..=MAX_SCORES_BATCH as u64).collect();
    assert_eq!(
        scores(&store, &state, &facts(1, 0), &too_many)
            .unwrap_err()
            .exit_code(),
        ExitCode::USR_ILLEGAL_ARGUMENT
    );
    assert_eq!(
        reputation(&store, &state, &facts(1, 0), 999)
            .unwrap_err()
            .exit_code(),
        ExitCode::USR_NOT_FOUND
    );
}

#[test]
fn listing_pages_through_every_provider_once() {
    let (store, mut state) = setup();
    for p in 0..57u64 {
        let mut o = outcome(p, OutcomeKind::ClaimAccepted, 1);
        o.provider = 1000 + p;
        record_outcome(&store, &mut state, &facts(REPORTER, 0), &o).unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = list(
            &store,
            &state,
            &facts(1, 0),
            &ListProvidersParams { cursor, limit: 10 },
        )
        .unwrap();
        assert!(page.providers.len() <= 10);
        assert_eq!(page.total, 57);
        seen.extend(page.providers.iter().map(|s| s.provider));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, (1000..1057).collect::<Vec<_>>());
    for limit in [0, MAX_PAGE + 1] {
        let e = list(
            &store,
            &state,
            &facts(1, 0),
            &ListProvidersParams { cursor: None, limit },
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
    }
    let e = list(
        &store,
        &state,
        &facts(1, 0),
        &ListProvidersParams {
            cursor: Some(5),
            limit: 5,
        },
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), ExitCode::USR_ILLEGAL_ARGUMENT);
}

#[test]
fn wire_shapes_are_stable() {
    // OutcomeKind and SubjectKind travel as small integers; params are tuples.
    let p = outcome(7, OutcomeKind::Slashed, 5);
    let bytes = fvm_ipld_encoding::to_vec(&p).unwrap();
    assert_eq!(hex(&bytes), "8518c882000703051b0000000800000000");
    assert_eq!(
        fvm_ipld_encoding::from_slice::<RecordOutcomeParams>(&bytes).unwrap(),
        p
    );
    let bad_kind = fvm_ipld_encoding::to_vec(&(200u64, (0u8, 7u64), 9u8, 5u64, 1u64)).unwrap();
    assert!(fvm_ipld_encoding::from_slice::<RecordOutcomeParams>(&bad_kind).is_err());
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

#[test]
fn the_books_check_after_every_transition_and_a_corrupted_state_fails_with_every_failure() {
    let (store, mut state) = setup();
    assert_eq!(check_invariants(&store, &state), Ok(()));
    register(&store, &mut state, &facts(OWNER, 1), MINER, metadata()).unwrap();
    assert_eq!(check_invariants(&store, &state), Ok(()));
    let steps = [
        (1, OutcomeKind::ClaimAccepted, 10),
        (1, OutcomeKind::Completed, 10),
        (1, OutcomeKind::Completed, 25), // counts only the 15 more
        (1, OutcomeKind::Completed, 5),  // a no-op
        (2, OutcomeKind::Fault, 8),
        (3, OutcomeKind::Slashed, 40),
    ];
    for (epoch, (subject, kind, weight)) in steps.into_iter().enumerate() {
        record_outcome(
            &store,
            &mut state,
            &facts(REPORTER, 10 + epoch as i64),
            &outcome(subject, kind, weight),
        )
        .unwrap();
        assert_eq!(
            check_invariants(&store, &state),
            Ok(()),
            "after {kind:?} of {subject}"
        );
    }
    // An unregistered provider known by its outcomes only.
    let other = RecordOutcomeParams {
        provider: MINER + 1,
        ..outcome(9, OutcomeKind::Fault, 3)
    };
    record_outcome(&store, &mut state, &facts(REPORTER, 30), &other).unwrap();
    assert_eq!(check_invariants(&store, &state), Ok(()));
    let record = reputation(&store, &state, &facts(REPORTER, 30), MINER)
        .unwrap()
        .record;
    assert_eq!(record.stake_completed.0, 25);
    assert_eq!(record.stake_failed.0, 48);

    // Corrupt an entry, its book, another entry's flag and the count at once: every failure
    // is reported.
    let mut bad = state.clone();
    let mut providers = bad.providers(&store).unwrap();
    let mut entry = providers.get(MINER).unwrap().unwrap();
    entry.counts.faults = 0;
    let mut book = Book::open(&store, entry.book.as_ref()).unwrap();
    let mut totals = book.totals().unwrap();
    totals.stake_completed.0 += 1;
    book.set_totals(&totals).unwrap();
    book.put_raw(vec![0xff], Weights([1, 0, 0, 0]).pack()).unwrap();
    entry.book = Some(book.flush().unwrap());
    providers.set(MINER, &entry).unwrap();
    let mut stranger = providers.get(MINER + 1).unwrap().unwrap();
    stranger.registered = true;
    providers.set(MINER + 1, &stranger).unwrap();
    bad.providers = providers.flush().unwrap();
    bad.provider_count += 1;
    let failures = check_invariants(&store, &bad).unwrap_err();
    let expect = [
        "provider_count is 3 but 2 provider records are stored",
        "f0200: stake_completed 26, Σ Completed weights 25",
        "f0200: counts",
        "f0200: book key [ff] does not parse",
        "f0201: registered is true but its registration is missing",
    ];
    for e in expect {
        assert!(
            failures.iter().any(|f| f.starts_with(e)),
            "no {e:?} in {failures:#?}"
        );
    }
    assert_eq!(failures.len(), expect.len(), "{failures:#?}");
    // The original state is untouched and still consistent.
    assert_eq!(check_invariants(&store, &state), Ok(()));
}

#[test]
fn a_long_history_spreads_over_its_book_and_still_counts_once() {
    // Enough subjects for the book to grow past its root node (bit width 3, buckets of 3).
    let (store, mut state) = setup();
    let f = facts(REPORTER, 5);
    for subject in 0..200 {
        let (changed, ret, _) = record_outcome(
            &store,
            &mut state,
            &f,
            &outcome(subject, OutcomeKind::Completed, 10),
        )
        .unwrap();
        assert!(changed && ret.counted, "subject {subject}");
    }
    assert_eq!(check_invariants(&store, &state), Ok(()));
    let root = state.clone();
    for subject in [0, 77, 199] {
        let (changed, again, _) = record_outcome(
            &store,
            &mut state,
            &f,
            &outcome(subject, OutcomeKind::Completed, 10),
        )
        .unwrap();
        assert!(!changed && !again.counted, "subject {subject} counted twice");
    }
    assert_eq!(state, root);
    let record = reputation(&store, &state, &f, MINER).unwrap().record;
    assert_eq!(record.counts.completed, 200);
    assert_eq!(record.stake_completed.0, 2_000);
    assert_eq!(record.bytes.completed.0, 200 << 35);
    assert_eq!((record.first_outcome, record.last_outcome), (Some(5), Some(5)));
    let entry = state.providers(&store).unwrap().get(MINER).unwrap().unwrap();
    let book = Book::open(&store, entry.book.as_ref()).unwrap();
    assert_eq!(book.entries().unwrap().len(), 201, "200 subjects and the totals");
}
