//! ProviderReputation on the real FVM: authorization of every method, registration against
//! real (stand-in) miners, idempotent outcomes, the score's properties over real epochs,
//! pagination, bad inputs, events, and the books (the registry never holds FIL).

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::ActorID;
use integration_tests::miner::{create_miner, SECTOR_SIZE_32GIB};
use integration_tests::reputation::{self as rep, sample_metadata};
use integration_tests::{Account, Harness, Receipt};
use provider_reputation::score::PRIOR_STAKE;
use provider_reputation::types::*;

struct World {
    h: Harness,
    admin: Account,
    reporter: Account,
    owner: Account,
    worker: Account,
    control: Account,
    stranger: Account,
    registry: ActorID,
    miner: ActorID,
}

fn world() -> World {
    let mut h = Harness::new().unwrap();
    let fil = |n| TokenAmount::from_whole(n);
    let [admin, reporter, owner, worker, control, stranger] =
        [0; 6].map(|_| h.create_account(fil(100)).unwrap());
    let registry = rep::deploy(&mut h, &admin, admin.id).unwrap();
    rep::add_reporter(&mut h, &admin, registry, reporter.id)
        .unwrap()
        .ok()
        .unwrap();
    let miner = create_miner(
        &mut h,
        &owner,
        owner.address(),
        worker.address(),
        vec![control.address()],
        SECTOR_SIZE_32GIB,
    )
    .unwrap();
    World {
        h,
        admin,
        reporter,
        owner,
        worker,
        control,
        stranger,
        registry,
        miner,
    }
}

fn outcome(provider: ActorID, subject: u64, kind: OutcomeKind, weight: u64) -> RecordOutcomeParams {
    RecordOutcomeParams {
        provider,
        subject: Subject {
            kind: SubjectKind::Deal,
            id: subject,
        },
        kind,
        weight,
        bytes: SECTOR_SIZE_32GIB,
    }
}

/// The registry's state root, to prove a refused call changed nothing.
fn state_of(w: &World) -> cid::Cid {
    w.h.actor(w.registry).unwrap().unwrap().state
}

/// The books: the registry takes no FIL, so its balance is always zero.
fn assert_books(w: &World) {
    assert!(
        w.h.balance(w.registry).unwrap().is_zero(),
        "the registry holds FIL"
    );
}

fn refused(w: &mut World, r: Receipt, code: ExitCode, before: cid::Cid) {
    r.expect_exit(code).unwrap();
    assert_eq!(state_of(w), before, "a refused call changed state");
    assert_books(w);
}

#[test]
fn every_admin_method_is_the_admins_alone() {
    let mut w = world();
    let registry = w.registry;
    let target = Address::new_id(w.stranger.id);
    for caller in [w.stranger, w.reporter, w.owner] {
        for method in [METHOD_ADD_REPORTER, METHOD_REMOVE_REPORTER, METHOD_TRANSFER_ADMIN] {
            let before = state_of(&w);
            let r = rep::send(
                &mut w.h,
                &caller,
                registry,
                method,
                &AddressParams { address: target },
            )
            .unwrap();
            refused(&mut w, r, ExitCode::USR_FORBIDDEN, before);
        }
    }
    // Two-step transfer: the proposal alone changes nothing; only the proposed admin accepts.
    let admin = w.admin;
    rep::send(
        &mut w.h,
        &admin,
        registry,
        METHOD_TRANSFER_ADMIN,
        &AddressParams { address: target },
    )
    .unwrap()
    .ok()
    .unwrap();
    let got: GetAdminReturn =
        w.h.call_no_params(&admin, registry, METHOD_GET_ADMIN)
            .unwrap()
            .ret()
            .unwrap();
    assert_eq!((got.admin, got.pending_admin), (admin.id, Some(w.stranger.id)));
    let before = state_of(&w);
    let r =
        w.h.call_no_params(&w.owner.clone(), registry, METHOD_ACCEPT_ADMIN)
            .unwrap();
    refused(&mut w, r, ExitCode::USR_FORBIDDEN, before);
    let stranger = w.stranger;
    let r =
        w.h.call_no_params(&stranger, registry, METHOD_ACCEPT_ADMIN)
            .unwrap()
            .ok()
            .unwrap();
    assert_eq!(r.events_of(EVENT_ADMIN_CHANGED).len(), 1);
    // The old admin lost its powers; the new one has them.
    let before = state_of(&w);
    let r = rep::add_reporter(&mut w.h, &admin, registry, admin.id).unwrap();
    refused(&mut w, r, ExitCode::USR_FORBIDDEN, before);
    let r = rep::add_reporter(&mut w.h, &stranger, registry, admin.id)
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(r.events_of(EVENT_REPORTER_ADDED).len(), 1);
    // Reporters must be existing actors.
    let before = state_of(&w);
    let r = rep::add_reporter(&mut w.h, &stranger, registry, 987_654).unwrap();
    refused(&mut w, r, ExitCode::USR_ILLEGAL_ARGUMENT, before);
}

#[test]
fn only_registered_reporters_record_outcomes() {
    let mut w = world();
    let (registry, miner) = (w.registry, w.miner);
    let p = outcome(miner, 1, OutcomeKind::Completed, 1 << 40);
    for caller in [w.stranger, w.admin, w.owner] {
        let before = state_of(&w);
        let r = rep::record(&mut w.h, &caller, registry, &p).unwrap();
        refused(&mut w, r, ExitCode::USR_FORBIDDEN, before);
    }
    let reporter = w.reporter;
    rep::record(&mut w.h, &reporter, registry, &p)
        .unwrap()
        .ok()
        .unwrap();
    // Once removed, the reporter is refused too.
    let admin = w.admin;
    let r = rep::send(
        &mut w.h,
        &admin,
        registry,
        METHOD_REMOVE_REPORTER,
        &AddressParams {
            address: reporter.address(),
        },
    );
    assert_eq!(
        r.unwrap().ok().unwrap().events_of(EVENT_REPORTER_REMOVED).len(),
        1
    );
    let before = state_of(&w);
    let r = rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(miner, 2, OutcomeKind::Completed, 1 << 40),
    )
    .unwrap();
    refused(&mut w, r, ExitCode::USR_FORBIDDEN, before);
    let is: bool = rep::send(
        &mut w.h,
        &admin,
        registry,
        METHOD_IS_REPORTER,
        &IsReporterParams { actor: reporter.id },
    )
    .unwrap()
    .ret()
    .unwrap();
    assert!(!is);
}

#[test]
fn controlling_addresses_register_their_miner() {
    let mut w = world();
    let (registry, miner) = (w.registry, w.miner);
    // A stranger or the registry's own admin cannot register someone else's miner.
    for caller in [w.stranger, w.admin] {
        let before = state_of(&w);
        let r = rep::register(&mut w.h, &caller, registry, miner, sample_metadata("x")).unwrap();
        refused(&mut w, r, ExitCode::USR_FORBIDDEN, before);
    }
    let worker = w.worker;
    let r = rep::register(&mut w.h, &worker, registry, miner, sample_metadata("Acme"))
        .unwrap()
        .ok()
        .unwrap();
    let events = r.events_of(EVENT_PROVIDER_REGISTERED);
    assert_eq!(events.len(), 1);
    println!("gas RegisterProvider: {}", r.gas_used);
    // A second registration is refused; the control address updates the metadata instead.
    let control = w.control;
    let before = state_of(&w);
    let r = rep::register(&mut w.h, &control, registry, miner, sample_metadata("Acme")).unwrap();
    refused(&mut w, r, ExitCode::USR_ILLEGAL_STATE, before);
    let p = RegisterProviderParams {
        miner: Address::new_id(miner),
        metadata: sample_metadata("Acme Two"),
    };
    let r = rep::send(&mut w.h, &control, registry, METHOD_UPDATE_METADATA, &p)
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(r.events_of(EVENT_METADATA_UPDATED).len(), 1);
    let owner = w.owner;
    let view = rep::reputation(&mut w.h, &owner, registry, miner)
        .unwrap()
        .unwrap();
    let reg = view.record.registration.unwrap();
    assert_eq!(reg.metadata.name, "Acme Two");
    assert_eq!(reg.registered_by, worker.id);
    assert_eq!(view.score, NEUTRAL_SCORE);
    // An account is not a miner, and an address with no actor is refused too.
    let before = state_of(&w);
    let r = rep::register(&mut w.h, &owner, registry, owner.id, sample_metadata("me")).unwrap();
    refused(&mut w, r, ExitCode::USR_ILLEGAL_ARGUMENT, before);
    let r = rep::register(&mut w.h, &owner, registry, 999_999, sample_metadata("ghost")).unwrap();
    refused(&mut w, r, ExitCode::USR_ILLEGAL_ARGUMENT, before);
}

#[test]
fn bad_inputs_get_clear_codes_and_change_nothing() {
    let mut w = world();
    let (registry, miner) = (w.registry, w.miner);
    let (owner, reporter) = (w.owner, w.reporter);
    let cases: Vec<(&str, Account, u64, RawBytes, TokenAmount, ExitCode)> = vec![
        (
            "undecodable",
            reporter,
            METHOD_RECORD_OUTCOME,
            RawBytes::new(vec![0x83, 0x01]),
            TokenAmount::default(),
            ExitCode::USR_SERIALIZATION,
        ),
        (
            "missing params",
            owner,
            METHOD_REGISTER_PROVIDER,
            RawBytes::default(),
            TokenAmount::default(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "params to GetAdmin",
            owner,
            METHOD_GET_ADMIN,
            integration_tests::harness::params(&1u8),
            TokenAmount::default(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "unknown method",
            owner,
            0xabcdef01,
            RawBytes::default(),
            TokenAmount::default(),
            ExitCode::USR_UNHANDLED_MESSAGE,
        ),
        (
            "value sent",
            owner,
            METHOD_GET_ADMIN,
            RawBytes::default(),
            TokenAmount::from_atto(1),
            ExitCode::USR_NOT_PAYABLE,
        ),
        (
            "zero weight",
            reporter,
            METHOD_RECORD_OUTCOME,
            integration_tests::harness::params(&outcome(miner, 1, OutcomeKind::Fault, 0)),
            TokenAmount::default(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "provider not a miner",
            reporter,
            METHOD_RECORD_OUTCOME,
            integration_tests::harness::params(&outcome(owner.id, 1, OutcomeKind::Fault, 9)),
            TokenAmount::default(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "unknown outcome kind",
            reporter,
            METHOD_RECORD_OUTCOME,
            integration_tests::harness::params(&(miner, (0u8, 1u64), 7u8, 9u64, 1u64)),
            TokenAmount::default(),
            ExitCode::USR_SERIALIZATION,
        ),
        (
            "oversize metadata",
            owner,
            METHOD_REGISTER_PROVIDER,
            integration_tests::harness::params(&RegisterProviderParams {
                miner: Address::new_id(miner),
                metadata: Metadata {
                    name: "n".repeat(65),
                    ..sample_metadata("x")
                },
            }),
            TokenAmount::default(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "bad region",
            owner,
            METHOD_REGISTER_PROVIDER,
            integration_tests::harness::params(&RegisterProviderParams {
                miner: Address::new_id(miner),
                metadata: Metadata {
                    region: "France".into(),
                    ..sample_metadata("x")
                },
            }),
            TokenAmount::default(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "unregistered update",
            owner,
            METHOD_UPDATE_METADATA,
            integration_tests::harness::params(&RegisterProviderParams {
                miner: Address::new_id(miner),
                metadata: sample_metadata("x"),
            }),
            TokenAmount::default(),
            ExitCode::USR_NOT_FOUND,
        ),
        (
            "scores batch too large",
            owner,
            METHOD_GET_SCORES,
            integration_tests::harness::params(&GetScoresParams {
                providers: vec![miner; MAX_SCORES_BATCH + 1],
            }),
            TokenAmount::default(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "page too large",
            owner,
            METHOD_LIST_PROVIDERS,
            integration_tests::harness::params(&ListProvidersParams {
                cursor: None,
                limit: MAX_PAGE + 1,
            }),
            TokenAmount::default(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "unknown provider",
            owner,
            METHOD_GET_REPUTATION,
            integration_tests::harness::params(&GetReputationParams {
                provider: Address::new_id(miner),
            }),
            TokenAmount::default(),
            ExitCode::USR_NOT_FOUND,
        ),
    ];
    for (what, from, method, params, value, code) in cases {
        let before = state_of(&w);
        let r =
            w.h.send(&from, Address::new_id(registry), method, params, value)
                .unwrap();
        assert_eq!(r.exit_code, code, "{what}: {:?}", r.failure);
        assert_eq!(state_of(&w), before, "{what} changed state");
        assert_books(&w);
    }
}

#[test]
fn outcomes_count_once_and_move_the_score_as_documented() {
    let mut w = world();
    let (registry, miner, reporter) = (w.registry, w.miner, w.reporter);
    let stake = PRIOR_STAKE as u64;
    let r = rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(miner, 1, OutcomeKind::ClaimAccepted, stake),
    )
    .unwrap();
    let ret: RecordOutcomeReturn = r.ret().unwrap();
    assert_eq!(
        ret,
        RecordOutcomeReturn {
            counted: true,
            score: NEUTRAL_SCORE
        },
        "a claim is a promise"
    );
    println!("gas RecordOutcome (first for a provider): {}", r.gas_used);
    let done = rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(miner, 1, OutcomeKind::Completed, stake),
    )
    .unwrap();
    let up: RecordOutcomeReturn = done.ret().unwrap();
    assert!(up.counted && up.score > NEUTRAL_SCORE, "a success raises: {up:?}");
    assert_eq!(done.events_of(EVENT_REPUTATION_UPDATED).len(), 1);
    println!("gas RecordOutcome: {}", done.gas_used);
    // The same outcome again is a no-op: counted false, nothing changes, no event.
    let before = state_of(&w);
    let again = rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(miner, 1, OutcomeKind::Completed, stake),
    )
    .unwrap();
    assert_eq!(
        again.ret::<RecordOutcomeReturn>().unwrap(),
        RecordOutcomeReturn {
            counted: false,
            score: up.score
        }
    );
    assert!(again.events.is_empty());
    assert_eq!(state_of(&w), before);
    // A failure lowers; a slash lowers more than a fault of the same stake.
    let fault: RecordOutcomeReturn = rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(miner, 2, OutcomeKind::Fault, stake),
    )
    .unwrap()
    .ret()
    .unwrap();
    assert!(fault.score < up.score);
    let slash: RecordOutcomeReturn = rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(miner, 3, OutcomeKind::Slashed, stake),
    )
    .unwrap()
    .ret()
    .unwrap();
    assert!(up.score - fault.score < fault.score - slash.score);
    let owner = w.owner;
    let view = rep::reputation(&mut w.h, &owner, registry, miner)
        .unwrap()
        .unwrap();
    assert_eq!(
        view.record.counts,
        OutcomeCounts {
            claims_accepted: 1,
            completed: 1,
            faults: 1,
            slashes: 1
        }
    );
    assert_eq!(view.score, slash.score);
    assert!(
        view.record.registration.is_none(),
        "a record exists before registration"
    );
    // Decay over real epochs: two half-lives later the failures weigh a quarter: nearer 5000.
    w.h.advance(2 * provider_reputation::score::HALF_LIFE_EPOCHS)
        .unwrap();
    let later = rep::scores(&mut w.h, &owner, registry, vec![miner]).unwrap()[0];
    assert!(
        later > slash.score && later < NEUTRAL_SCORE,
        "{} → {later}",
        slash.score
    );
    assert_books(&w);
}

#[test]
fn weight_decides_and_tiny_outcomes_do_not_buy_a_score() {
    let mut w = world();
    let (registry, reporter, owner) = (w.registry, w.reporter, w.owner);
    let small = create_miner(
        &mut w.h,
        &owner,
        owner.address(),
        owner.address(),
        vec![],
        SECTOR_SIZE_32GIB,
    )
    .unwrap();
    let large = w.miner;
    // Forty completed 2 KiB deals for a day (self-dealing is cheap)…
    for deal in 0..40 {
        rep::record(
            &mut w.h,
            &reporter,
            registry,
            &outcome(small, deal, OutcomeKind::Completed, 2048 * 2880),
        )
        .unwrap()
        .ok()
        .unwrap();
    }
    // …versus one completed 32 GiB deal for 180 days.
    rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(large, 99, OutcomeKind::Completed, (32 << 30) * 518_400),
    )
    .unwrap()
    .ok()
    .unwrap();
    let s = rep::scores(&mut w.h, &owner, registry, vec![small, large, 424_242]).unwrap();
    assert_eq!(s[0], NEUTRAL_SCORE, "tiny deals barely register");
    assert!(s[1] >= 6_600, "{s:?}");
    assert_eq!(s[2], NEUTRAL_SCORE, "no history is neutral");
}

#[test]
fn providers_are_listed_page_by_page() {
    let mut w = world();
    let (registry, reporter, owner) = (w.registry, w.reporter, w.owner);
    let mut miners = vec![w.miner];
    for _ in 0..11 {
        miners.push(
            create_miner(
                &mut w.h,
                &owner,
                owner.address(),
                owner.address(),
                vec![],
                SECTOR_SIZE_32GIB,
            )
            .unwrap(),
        );
    }
    for (i, m) in miners.iter().enumerate() {
        rep::record(
            &mut w.h,
            &reporter,
            registry,
            &outcome(*m, i as u64, OutcomeKind::ClaimAccepted, 1),
        )
        .unwrap()
        .ok()
        .unwrap();
    }
    let worker = w.worker;
    rep::register(&mut w.h, &worker, registry, miners[0], sample_metadata("first"))
        .unwrap()
        .ok()
        .unwrap();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let r = rep::send(
            &mut w.h,
            &owner,
            registry,
            METHOD_LIST_PROVIDERS,
            &ListProvidersParams { cursor, limit: 5 },
        )
        .unwrap();
        let page: ListProvidersReturn = r.ret().unwrap();
        assert!(page.providers.len() <= 5);
        assert_eq!(page.total, 12);
        seen.extend(page.providers.iter().map(|p| (p.provider, p.registered)));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    seen.sort_unstable();
    let mut expected: Vec<_> = miners.iter().map(|m| (*m, *m == miners[0])).collect();
    expected.sort_unstable();
    assert_eq!(seen, expected);
}
