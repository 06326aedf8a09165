//! ProviderReputation on the real FVM: authorization of every method, registration against
//! real (stand-in) miners, idempotent outcomes, the score's properties over real epochs,
//! pagination, bad inputs and events. (An aborted message never changes state — the VM rolls
//! it back — so "nothing changed" is checked in the host tests of the logic, and here only for
//! calls that succeed as no-ops.) The registry's books (`logic::check_invariants`: counts and
//! stakes against the weights each provider's book counted per subject) and FIL conservation
//! are checked after every message.

use super::common::Checked;
use integration_tests::invariants::Books;
use integration_tests::ReputationClient;

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::Flags;
use fvm_shared::ActorID;
use integration_tests::harness::params;
use integration_tests::miner::{create_miner, SECTOR_SIZE_32GIB};
use integration_tests::reputation::{self as rep, sample_metadata, Reporter};
use integration_tests::{Account, Harness};
use suite_interfaces::reputation::score::{OUTCOME_HALF_LIFE_EPOCHS, PRIOR_STAKE};
use suite_interfaces::reputation::*;

/// The registry's books (and FIL conserved) are checked after every message: `h` is
/// [`Checked`].
struct World {
    h: Checked,
    admin: Account,
    reporter: Reporter,
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
    let [admin, reporter_owner, owner] = [0; 3].map(|_| h.create_account(fil(100)).unwrap());
    // A miner's worker has a BLS key.
    let worker = h.create_bls_account(fil(100)).unwrap();
    let [control, stranger] = [0; 2].map(|_| h.create_account(fil(100)).unwrap());
    let registry = rep::deploy(&mut h, &admin, admin.id).unwrap();
    let reporter = rep::deploy_reporter(&mut h, &reporter_owner).unwrap();
    ReputationClient::at(registry)
        .add_reporter(&mut h, &admin, Address::new_id(reporter.relay))
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
        h: Checked::new(
            h,
            Books {
                registry: Some(registry),
                ..Books::default()
            },
        ),
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

fn state_of(w: &World) -> cid::Cid {
    w.h.actor(w.registry).unwrap().unwrap().state
}

/// The registry refuses value on every method, so its balance stays zero.
fn assert_no_fil(w: &World) {
    assert!(
        w.h.balance(w.registry).unwrap().is_zero(),
        "the registry holds FIL"
    );
}

fn address(id: ActorID) -> AddressParams {
    AddressParams {
        address: Address::new_id(id),
    }
}

#[test]
fn every_admin_method_is_the_admins_alone() {
    let mut w = world();
    let registry = w.registry;
    for caller in [w.stranger, w.reporter.owner, w.owner] {
        for method in [METHOD_ADD_REPORTER, METHOD_REMOVE_REPORTER, METHOD_TRANSFER_ADMIN] {
            let r = ReputationClient::at(registry)
                .send(&mut w.h, &caller, method, &address(w.stranger.id))
                .unwrap();
            r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
        }
    }
    // Two-step transfer: the proposal alone changes nothing; only the proposed admin accepts.
    let (admin, stranger, owner) = (w.admin, w.stranger, w.owner);
    let r = ReputationClient::at(registry)
        .send(&mut w.h, &admin, METHOD_TRANSFER_ADMIN, &address(stranger.id))
        .unwrap();
    assert_eq!(r.ok().unwrap().events_of(EVENT_ADMIN_PROPOSED).len(), 1);
    let got: GetAdminReturn =
        w.h.call_no_params(&admin, registry, METHOD_GET_ADMIN)
            .unwrap()
            .ret()
            .unwrap();
    assert_eq!(
        (got.admin, got.pending_admin, got.reporters),
        (admin.id, Some(stranger.id), 1)
    );
    w.h.call_no_params(&owner, registry, METHOD_ACCEPT_ADMIN)
        .unwrap()
        .expect_exit(ExitCode::USR_FORBIDDEN)
        .unwrap();
    let r =
        w.h.call_no_params(&stranger, registry, METHOD_ACCEPT_ADMIN)
            .unwrap()
            .ok()
            .unwrap();
    assert_eq!(r.events_of(EVENT_ADMIN_CHANGED).len(), 1);
    // The old admin lost its powers; the new one has them.
    let other = rep::deploy_reporter(&mut w.h, &owner).unwrap();
    let r = ReputationClient::at(registry)
        .add_reporter(&mut w.h, &admin, Address::new_id(other.relay))
        .unwrap();
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    let r = ReputationClient::at(registry)
        .add_reporter(&mut w.h, &stranger, Address::new_id(other.relay))
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(r.events_of(EVENT_REPORTER_ADDED).len(), 1);
    // Adding it again is a no-op: no event, no state change.
    let before = state_of(&w);
    let r = ReputationClient::at(registry)
        .add_reporter(&mut w.h, &stranger, Address::new_id(other.relay))
        .unwrap()
        .ok()
        .unwrap();
    assert!(r.events.is_empty());
    assert_eq!(state_of(&w), before);
    // A proposal can be cancelled by proposing the current admin.
    ReputationClient::at(registry)
        .send(&mut w.h, &stranger, METHOD_TRANSFER_ADMIN, &address(owner.id))
        .unwrap()
        .ok()
        .unwrap();
    ReputationClient::at(registry)
        .send(&mut w.h, &stranger, METHOD_TRANSFER_ADMIN, &address(stranger.id))
        .unwrap()
        .ok()
        .unwrap();
    w.h.call_no_params(&owner, registry, METHOD_ACCEPT_ADMIN)
        .unwrap()
        .expect_exit(ExitCode::USR_FORBIDDEN)
        .unwrap();
}

#[test]
fn reporters_must_be_contracts() {
    let mut w = world();
    let (registry, admin) = (w.registry, w.admin);
    // Key holders (accounts) and the admin itself could write any score: refused.
    for target in [w.stranger.id, admin.id, w.owner.id] {
        ReputationClient::at(registry)
            .add_reporter(&mut w.h, &admin, Address::new_id(target))
            .unwrap()
            .expect_exit(ExitCode::USR_ILLEGAL_ARGUMENT)
            .unwrap();
    }
    // So is an address with no actor.
    ReputationClient::at(registry)
        .add_reporter(&mut w.h, &admin, Address::new_id(987_654))
        .unwrap()
        .expect_exit(ExitCode::USR_ILLEGAL_ARGUMENT)
        .unwrap();
    // Removing an unknown reporter is "not found".
    let r = ReputationClient::at(registry)
        .send(&mut w.h, &admin, METHOD_REMOVE_REPORTER, &address(w.stranger.id))
        .unwrap();
    r.expect_exit(ExitCode::USR_NOT_FOUND).unwrap();
}

#[test]
fn only_registered_reporters_record_outcomes() {
    let mut w = world();
    let (registry, miner, reporter, admin) = (w.registry, w.miner, w.reporter, w.admin);
    let p = outcome(miner, 1, OutcomeKind::Completed, 1 << 40);
    // Nobody else, not even the reporter contract's owner calling directly.
    for caller in [w.stranger, admin, w.owner, reporter.owner] {
        let r = ReputationClient::at(registry)
            .send(&mut w.h, &caller, METHOD_RECORD_OUTCOME, &p)
            .unwrap();
        r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    }
    // A contract that is not registered is refused too.
    let rogue = rep::deploy_reporter(&mut w.h, &w.stranger.clone()).unwrap();
    rep::record(&mut w.h, &rogue, registry, &p)
        .unwrap()
        .expect_exit(ExitCode::USR_FORBIDDEN)
        .unwrap();
    rep::record(&mut w.h, &reporter, registry, &p)
        .unwrap()
        .ok()
        .unwrap();
    // Once removed, the reporter is refused.
    let r = ReputationClient::at(registry)
        .send(&mut w.h, &admin, METHOD_REMOVE_REPORTER, &address(reporter.relay))
        .unwrap();
    assert_eq!(r.ok().unwrap().events_of(EVENT_REPORTER_REMOVED).len(), 1);
    let r = rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(miner, 2, OutcomeKind::Completed, 1 << 40),
    )
    .unwrap();
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    let is: bool = ReputationClient::at(registry)
        .send(
            &mut w.h,
            &admin,
            METHOD_IS_REPORTER,
            &IsReporterParams {
                actor: reporter.relay,
            },
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
    // A stranger, or the registry's own admin, cannot register someone else's miner.
    for caller in [w.stranger, w.admin] {
        let r = ReputationClient::at(registry)
            .register(&mut w.h, &caller, Address::new_id(miner), sample_metadata("x"))
            .unwrap();
        r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    }
    let worker = w.worker;
    let r = ReputationClient::at(registry)
        .register(&mut w.h, &worker, Address::new_id(miner), sample_metadata("Acme"))
        .unwrap()
        .ok()
        .unwrap();
    let events = r.events_of(EVENT_PROVIDER_REGISTERED);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.entries[1].key, "provider");
    assert_eq!(
        events[0].event.entries[1].value,
        fvm_ipld_encoding::to_vec(&miner).unwrap()
    );
    println!("gas RegisterProvider: {}", r.gas_used);
    // A second registration is refused; the control address updates the metadata instead, a
    // stranger cannot.
    let (control, stranger) = (w.control, w.stranger);
    ReputationClient::at(registry)
        .register(
            &mut w.h,
            &control,
            Address::new_id(miner),
            sample_metadata("Acme"),
        )
        .unwrap()
        .expect_exit(ExitCode::USR_ILLEGAL_STATE)
        .unwrap();
    let update = RegisterProviderParams {
        miner: Address::new_id(miner),
        metadata: sample_metadata("Acme Two"),
    };
    ReputationClient::at(registry)
        .send(&mut w.h, &stranger, METHOD_UPDATE_METADATA, &update)
        .unwrap()
        .expect_exit(ExitCode::USR_FORBIDDEN)
        .unwrap();
    let r = ReputationClient::at(registry)
        .send(&mut w.h, &control, METHOD_UPDATE_METADATA, &update)
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(r.events_of(EVENT_METADATA_UPDATED).len(), 1);
    let owner = w.owner;
    let view = ReputationClient::at(registry)
        .reputation(&mut w.h, Address::new_id(miner))
        .unwrap()
        .unwrap();
    let reg = view.registration.unwrap();
    assert_eq!(reg.metadata.name, "Acme Two");
    assert_eq!(reg.registered_by, worker.id);
    assert_eq!(view.record.registered_at, Some(0));
    assert_eq!(view.score, NEUTRAL_SCORE);
    // An account is not a miner, and an address with no actor is refused too.
    for not_a_miner in [owner.id, 999_999] {
        ReputationClient::at(registry)
            .register(
                &mut w.h,
                &owner,
                Address::new_id(not_a_miner),
                sample_metadata("me"),
            )
            .unwrap()
            .expect_exit(ExitCode::USR_ILLEGAL_ARGUMENT)
            .unwrap();
    }
    assert_no_fil(&w);
}

/// Invisible, bidi, private-use and look-alike text in any metadata field is refused with 16
/// by RegisterProvider and UpdateMetadata on the real wasm, the message names the field and
/// the code point, and the registry's state stays as it was.
#[test]
fn invisible_bidi_and_look_alike_metadata_is_refused_and_changes_nothing() {
    let mut w = world();
    let (registry, miner, worker) = (w.registry, w.miner, w.worker);
    let with_name = |name: &str| Metadata {
        name: name.into(),
        ..sample_metadata("x")
    };
    let bad: Vec<(Metadata, &str)> = vec![
        (
            with_name("good\u{202E}lam"),
            "name contains U+202E RIGHT-TO-LEFT OVERRIDE (format character) at character 5",
        ),
        (
            with_name("pay\u{200B}pal"),
            "name contains U+200B ZERO WIDTH SPACE (format character)",
        ),
        (
            with_name("\u{FEFF}Acme"),
            "name contains U+FEFF ZERO WIDTH NO-BREAK SPACE",
        ),
        (
            with_name("Ac\u{A0}me"),
            "name contains U+00A0 NO-BREAK SPACE (space other than U+0020)",
        ),
        (
            with_name("Acme\u{FE0F}"),
            "name contains U+FE0F VARIATION SELECTOR-16 (invisible character)",
        ),
        (
            with_name("Acme\u{E000}"),
            "name contains U+E000 (private-use character)",
        ),
        (with_name("Acme\u{FFFF}"), "name contains U+FFFF (noncharacter)"),
        (with_name("p\u{430}ypal"), "name mixes Latin and Cyrillic letters"),
        (with_name("\u{FF50}aypal"), "fullwidth form of an ASCII character"),
        (
            with_name("z\u{300}\u{301}\u{302}\u{303}\u{304}algo"),
            "more than 4 combining marks in a row",
        ),
        (
            Metadata {
                region: "F\u{200B}R".into(),
                ..sample_metadata("x")
            },
            "region contains U+200B ZERO WIDTH SPACE",
        ),
        (
            Metadata {
                links: vec!["https://storage.example/\u{202E}".into()],
                ..sample_metadata("x")
            },
            "link 1 contains U+202E RIGHT-TO-LEFT OVERRIDE",
        ),
    ];
    let refused = |w: &mut World, method: u64, metadata: &Metadata, why: &str| {
        let before = state_of(w);
        let p = RegisterProviderParams {
            miner: Address::new_id(miner),
            metadata: metadata.clone(),
        };
        let failure = ReputationClient::at(registry)
            .send(&mut w.h, &worker, method, &p)
            .unwrap()
            .expect_exit(ExitCode::USR_ILLEGAL_ARGUMENT)
            .unwrap();
        assert!(failure.contains(why), "{metadata:?}: {failure}");
        assert_eq!(state_of(w), before, "a refused {metadata:?} changed the registry");
    };
    for (metadata, why) in &bad {
        refused(&mut w, METHOD_REGISTER_PROVIDER, metadata, why);
    }
    let unknown = ReputationClient::at(registry)
        .reputation(&mut w.h, Address::new_id(miner))
        .unwrap();
    assert_eq!(
        unknown.unwrap_err(),
        ExitCode::USR_NOT_FOUND,
        "nothing was registered"
    );
    // A registered provider cannot switch to any of them either.
    ReputationClient::at(registry)
        .register(&mut w.h, &worker, Address::new_id(miner), sample_metadata("Acme"))
        .unwrap()
        .ok()
        .unwrap();
    for (metadata, why) in &bad {
        refused(&mut w, METHOD_UPDATE_METADATA, metadata, why);
    }
    let view = ReputationClient::at(registry)
        .reputation(&mut w.h, Address::new_id(miner))
        .unwrap()
        .unwrap();
    assert_eq!(view.registration.unwrap().metadata, sample_metadata("Acme"));
    assert_no_fil(&w);
}

#[test]
fn bad_inputs_get_clear_codes() {
    let mut w = world();
    let (registry, miner, owner, reporter) = (w.registry, w.miner, w.owner, w.reporter);
    let register = |metadata: Metadata| {
        params(&RegisterProviderParams {
            miner: Address::new_id(miner),
            metadata,
        })
    };
    let zero = TokenAmount::default;
    let direct: Vec<(&str, u64, RawBytes, TokenAmount, ExitCode)> = vec![
        (
            "missing params",
            METHOD_REGISTER_PROVIDER,
            RawBytes::default(),
            zero(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "params to GetAdmin",
            METHOD_GET_ADMIN,
            params(&1u8),
            zero(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "unknown method",
            0xabcdef01,
            RawBytes::default(),
            zero(),
            ExitCode::USR_UNHANDLED_MESSAGE,
        ),
        (
            "value sent",
            METHOD_GET_ADMIN,
            RawBytes::default(),
            TokenAmount::from_atto(1),
            ExitCode::USR_NOT_PAYABLE,
        ),
        (
            "undecodable",
            METHOD_REGISTER_PROVIDER,
            RawBytes::new(vec![0x82, 0x01]),
            zero(),
            ExitCode::USR_SERIALIZATION,
        ),
        (
            "oversize name",
            METHOD_REGISTER_PROVIDER,
            register(Metadata {
                name: "n".repeat(65),
                ..sample_metadata("x")
            }),
            zero(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "bad region",
            METHOD_REGISTER_PROVIDER,
            register(Metadata {
                region: "France".into(),
                ..sample_metadata("x")
            }),
            zero(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "too many links",
            METHOD_REGISTER_PROVIDER,
            register(Metadata {
                links: vec!["https://a.b".into(); 5],
                ..sample_metadata("x")
            }),
            zero(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "unregistered update",
            METHOD_UPDATE_METADATA,
            register(sample_metadata("x")),
            zero(),
            ExitCode::USR_NOT_FOUND,
        ),
        (
            "scores batch too large",
            METHOD_GET_SCORES,
            params(&GetScoresParams {
                providers: vec![miner; MAX_SCORES_BATCH + 1],
            }),
            zero(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "page too large",
            METHOD_LIST_PROVIDERS,
            params(&ListProvidersParams {
                cursor: None,
                limit: MAX_PAGE + 1,
            }),
            zero(),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "unknown provider",
            METHOD_GET_REPUTATION,
            params(&GetReputationParams {
                provider: Address::new_id(miner),
            }),
            zero(),
            ExitCode::USR_NOT_FOUND,
        ),
    ];
    for (what, method, p, value, code) in direct {
        let r =
            w.h.send(&owner, Address::new_id(registry), method, p, value)
                .unwrap();
        assert_eq!(r.exit_code, code, "{what}: {:?}", r.failure);
    }
    // Through the registered reporter.
    let reported: Vec<(&str, RawBytes, ExitCode)> = vec![
        (
            "undecodable",
            RawBytes::new(vec![0x83, 0x01]),
            ExitCode::USR_SERIALIZATION,
        ),
        (
            "zero weight",
            params(&outcome(miner, 1, OutcomeKind::Fault, 0)),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "provider not a miner",
            params(&outcome(owner.id, 1, OutcomeKind::Fault, 9)),
            ExitCode::USR_ILLEGAL_ARGUMENT,
        ),
        (
            "unknown kind",
            params(&(miner, (0u8, 1u64), 7u8, 9u64, 1u64)),
            ExitCode::USR_SERIALIZATION,
        ),
        (
            "unknown subject kind",
            params(&(miner, (5u8, 1u64), 1u8, 9u64, 1u64)),
            ExitCode::USR_SERIALIZATION,
        ),
    ];
    for (what, raw, code) in reported {
        let p = test_actor_relay::RelayParams {
            to: Address::new_id(registry),
            method: METHOD_RECORD_OUTCOME,
            params: raw,
            value: zero(),
        };
        let r =
            w.h.call(
                &reporter.owner,
                reporter.relay,
                test_actor_relay::METHOD_RELAY,
                &p,
                zero(),
            )
            .unwrap();
        assert_eq!(r.exit_code, code, "{what}: {:?}", r.failure);
    }
    assert_no_fil(&w);
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
    println!(
        "gas RecordOutcome (first for a provider, via relay): {}",
        r.gas_used
    );
    let done = rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(miner, 1, OutcomeKind::Completed, stake),
    )
    .unwrap();
    let up: RecordOutcomeReturn = done.ret().unwrap();
    assert_eq!(
        up,
        RecordOutcomeReturn {
            counted: true,
            score: 6666
        },
        "(P + P) / 3P"
    );
    println!("gas RecordOutcome (via relay): {}", done.gas_used);
    // The event: provider and kind indexed, then the subject, weight and scores.
    let events = done.events_of(EVENT_REPUTATION_UPDATED);
    assert_eq!(events.len(), 1);
    let entries = &events[0].event.entries;
    let keys: Vec<&str> = entries.iter().map(|e| e.key.as_str()).collect();
    assert_eq!(
        keys,
        ["$type", "provider", "kind", "subject", "weight", "previous", "score", "reporter"]
    );
    assert_eq!(
        (entries[1].flags, entries[2].flags, entries[3].flags),
        (
            Flags::FLAG_INDEXED_ALL,
            Flags::FLAG_INDEXED_ALL,
            Flags::FLAG_INDEXED_KEY
        )
    );
    assert_eq!(
        entries[5].value,
        fvm_ipld_encoding::to_vec(&NEUTRAL_SCORE).unwrap()
    );
    assert_eq!(entries[6].value, fvm_ipld_encoding::to_vec(&6666u16).unwrap());
    assert_eq!(
        entries[7].value,
        fvm_ipld_encoding::to_vec(&reporter.relay).unwrap()
    );
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
            score: 6666
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
    assert_eq!(fault.score, 6153, "2P / (2P + 1.25P)");
    let slash: RecordOutcomeReturn = rep::record(
        &mut w.h,
        &reporter,
        registry,
        &outcome(miner, 3, OutcomeKind::Slashed, stake),
    )
    .unwrap()
    .ret()
    .unwrap();
    assert_eq!(slash.score, 3809, "2P / (2P + 3.25P)");
    let view = ReputationClient::at(registry)
        .reputation(&mut w.h, Address::new_id(miner))
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
    assert!(view.registration.is_none(), "a record exists before registration");
    // Decay over real epochs: 360 days later (two outcome half-lives) the completion and the
    // fault weigh a quarter, the loss (half-life 540 days) 2^(-2/3) of itself.
    w.h.advance(2 * OUTCOME_HALF_LIFE_EPOCHS).unwrap();
    let later = ReputationClient::at(registry)
        .scores(&mut w.h, vec![miner])
        .unwrap()
        .unwrap()[0];
    // good P/4 + prior P, bad P/16 + 2P · 2^(-2/3) + prior P
    assert_eq!(later, 3499);
    assert_no_fil(&w);
}

#[test]
fn weight_decides_and_tiny_outcomes_do_not_buy_a_score() {
    let mut w = world();
    let (registry, reporter, owner) = (w.registry, w.reporter, w.owner);
    let small = create_miner(
        &mut w.h,
        &owner,
        owner.address(),
        w.worker.address(),
        vec![],
        SECTOR_SIZE_32GIB,
    )
    .unwrap();
    let large = w.miner;
    // Forty completed 2 KiB deals for a day (self-dealing is cheap)…
    for deal in 0..40 {
        let p = outcome(small, deal, OutcomeKind::Completed, 2048 * 2880);
        rep::record(&mut w.h, &reporter, registry, &p)
            .unwrap()
            .ok()
            .unwrap();
    }
    // …versus one completed 32 GiB deal for 180 days.
    let p = outcome(large, 99, OutcomeKind::Completed, (32 << 30) * 518_400);
    rep::record(&mut w.h, &reporter, registry, &p)
        .unwrap()
        .ok()
        .unwrap();
    let s = ReputationClient::at(registry)
        .scores(&mut w.h, vec![small, large, 424_242])
        .unwrap()
        .unwrap();
    assert_eq!(
        s,
        vec![NEUTRAL_SCORE, 6666, NEUTRAL_SCORE],
        "tiny deals barely register; no history is neutral"
    );
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
                w.worker.address(),
                vec![],
                SECTOR_SIZE_32GIB,
            )
            .unwrap(),
        );
    }
    for (i, m) in miners.iter().enumerate() {
        let p = outcome(*m, i as u64, OutcomeKind::ClaimAccepted, 1);
        rep::record(&mut w.h, &reporter, registry, &p)
            .unwrap()
            .ok()
            .unwrap();
    }
    let worker = w.worker;
    ReputationClient::at(registry)
        .register(
            &mut w.h,
            &worker,
            Address::new_id(miners[0]),
            sample_metadata("first"),
        )
        .unwrap()
        .ok()
        .unwrap();
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let r = ReputationClient::at(registry).send(
            &mut w.h,
            &owner,
            METHOD_LIST_PROVIDERS,
            &ListProvidersParams { cursor, limit: 5 },
        );
        let page: ListProvidersReturn = r.unwrap().ret().unwrap();
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
