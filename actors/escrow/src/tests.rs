//! Host tests of the escrow's core: validation, verdicts, settlement arithmetic and the books.

use actor_runtime::builtin::market::DealActivation;
use actor_runtime::Facts;
use cid::Cid;
use fvm_ipld_blockstore::MemoryBlockstore;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use proptest::prelude::*;
use suite_interfaces::escrow::*;
use suite_interfaces::reputation::{OutcomeKind, SubjectKind};

use crate::logic::*;
use crate::state::State;

const LOCKER: u64 = 100;
const PROVIDER: u64 = 200;
const CLIENT: u64 = 300;
const REFUND: u64 = 400;
const WATCHER: u64 = 500;

fn atto(v: u64) -> TokenAmount {
    TokenAmount::from_atto(v)
}

fn facts(caller: u64, epoch: i64, value: u64) -> Facts {
    Facts {
        caller,
        receiver: 1000,
        method: 0,
        epoch,
        value_received: atto(value),
    }
}

fn policy() -> Policy {
    Policy {
        reporter_reward_bps: 1_000,
        fault_fee_bps: 2_500,
        fault_cooldown: 2880,
        min_collateral: atto(10),
        max_lock_duration: 1_000_000,
    }
}

fn deal(end: i64) -> DealSnapshot {
    DealSnapshot {
        deal_id: 7,
        piece_cid: Cid::default(),
        piece_size: 2048,
        start_epoch: 0,
        end_epoch: end,
        activated: 0,
    }
}

fn sector(expiration: i64) -> SectorSnapshot {
    SectorSnapshot {
        sector_number: 3,
        sector_size: 32 << 30,
        expiration,
    }
}

fn request(end: i64) -> VerifiedLock {
    VerifiedLock {
        provider: PROVIDER,
        beneficiary: CLIENT,
        refund_to: REFUND,
        notify: Some(LOCKER),
        reference: Some(7),
        deal: Some(deal(10_000)),
        sector: Some(sector(20_000)),
        end_epoch: end,
    }
}

/// `releasable_lock` then `release`, as the shell does.
fn release_at(
    store: &MemoryBlockstore,
    state: &mut State,
    f: &Facts,
    lock_id: u64,
    storage: StorageAtRelease,
) -> actor_runtime::ActorResult<Settlement> {
    let lock = releasable_lock(store, state, f, lock_id)?;
    release(store, state, f, lock_id, lock, storage)
}

fn setup() -> (MemoryBlockstore, State) {
    let store = MemoryBlockstore::new();
    let state = State::new(&store, 99, policy()).unwrap();
    (store, state)
}

fn code(e: actor_runtime::ActorError) -> u32 {
    e.exit_code().value()
}

#[test]
fn lock_requests_are_validated() {
    let (store, mut state) = setup();
    let bad: Vec<(&str, Facts, VerifiedLock, u32)> = vec![
        ("zero value", facts(LOCKER, 0, 0), request(5_000), 16),
        ("below minimum", facts(LOCKER, 0, 9), request(5_000), 16),
        ("end now", facts(LOCKER, 100, 50), request(100), 16),
        (
            "too long",
            facts(LOCKER, 0, 50),
            VerifiedLock {
                deal: None,
                sector: Some(sector(5_000_000)),
                ..request(1_000_001)
            },
            16,
        ),
        ("after the deal", facts(LOCKER, 0, 50), request(10_001), 16),
        (
            "after the sector",
            facts(LOCKER, 0, 50),
            VerifiedLock {
                deal: None,
                ..request(20_001)
            },
            16,
        ),
        (
            "no evidence",
            facts(LOCKER, 0, 50),
            VerifiedLock {
                deal: None,
                sector: None,
                ..request(5_000)
            },
            16,
        ),
    ];
    for (what, f, req, expected) in bad {
        let before = state.clone();
        assert_eq!(
            code(create_lock(&store, &mut state, &f, req).unwrap_err()),
            expected,
            "{what}"
        );
        assert_eq!(state, before, "{what} changed state");
    }
    let (id, events) = create_lock(&store, &mut state, &facts(LOCKER, 0, 50), request(10_000)).unwrap();
    assert_eq!((id, events.len()), (0, 1));
    let (id, _) = create_lock(&store, &mut state, &facts(LOCKER, 0, 60), request(5_000)).unwrap();
    assert_eq!(id, 1);
    assert_eq!(state.totals.held, atto(110));
    assert_eq!(state.totals.locks_open, 2);
    check_invariants(&store, &state, &atto(110)).unwrap();
    assert!(
        check_invariants(&store, &state, &atto(109)).is_err(),
        "the checker notices a wrong balance"
    );
    // Every failure is reported, one a line, not only the first.
    let mut bad = state.clone();
    bad.totals.locks_open += 1;
    bad.totals.held = atto(111);
    let failures = check_invariants(&store, &bad, &atto(110)).unwrap_err();
    let lines: Vec<&str> = failures.lines().collect();
    assert_eq!(lines.len(), 3, "{failures}");
    assert!(lines[0].starts_with("2 open locks, totals say 3"), "{failures}");
    assert!(lines[1].starts_with("locks hold "), "{failures}");
    assert!(lines[2].starts_with("locked "), "{failures}");
}

#[test]
fn verdicts_follow_the_evidence() {
    let (store, mut state) = setup();
    create_lock(&store, &mut state, &facts(LOCKER, 0, 100), request(10_000)).unwrap();
    let lock = get_lock(&store, &state, 0).unwrap();
    let at = |epoch| facts(WATCHER, epoch, 0);
    let alive = Ok(DealActivation {
        activated: 0,
        terminated: -1,
    });
    assert_eq!(
        code(judge_deal(&lock, &at(50), alive).unwrap_err()),
        EX_NOT_PROVEN
    );
    assert_eq!(
        judge_deal(&lock, &at(50), Err(ExitCode::new(32))).unwrap(),
        Verdict::SlashAll
    );
    assert_eq!(
        code(judge_deal(&lock, &at(10_000), Err(ExitCode::new(32))).unwrap_err()),
        EX_NOT_PROVEN
    );
    assert_eq!(
        code(judge_deal(&lock, &at(50), Err(ExitCode::USR_NOT_FOUND)).unwrap_err()),
        23
    );
    let faulty = FaultProof::SectorFaulty(SectorLocation {
        deadline: 1,
        partition: 0,
    });
    let dead = FaultProof::SectorDead(SectorLocation {
        deadline: -1,
        partition: -1,
    });
    assert_eq!(judge_sector(&lock, &faulty, Ok(true)).unwrap(), Verdict::FaultFee);
    assert_eq!(judge_sector(&lock, &dead, Ok(true)).unwrap(), Verdict::SlashAll);
    assert_eq!(
        code(judge_sector(&lock, &faulty, Ok(false)).unwrap_err()),
        EX_NOT_PROVEN
    );
    assert_eq!(
        code(judge_sector(&lock, &faulty, Err(ExitCode::USR_NOT_FOUND)).unwrap_err()),
        EX_STALE_LOCATION
    );
    assert_eq!(
        code(judge_sector(&lock, &faulty, Err(ExitCode::USR_ILLEGAL_ARGUMENT)).unwrap_err()),
        16
    );
}

#[test]
fn fault_fees_respect_the_cooldown_and_the_remainder() {
    let (store, mut state) = setup();
    create_lock(
        &store,
        &mut state,
        &facts(LOCKER, 0, 1000),
        VerifiedLock {
            deal: None,
            ..request(20_000)
        },
    )
    .unwrap();
    let proof = FaultProof::SectorFaulty(SectorLocation {
        deadline: 0,
        partition: 0,
    });
    let report = ReportFaultParams {
        lock_id: 0,
        proof: proof.clone(),
    };
    let mut balance = atto(1000);
    let mut epoch = 100;
    for round in 0..4 {
        let f = facts(WATCHER, epoch, 0);
        let lock = precheck_report(&store, &state, &f, &report).unwrap();
        let s = slash(&store, &mut state, &f, 0, lock, Verdict::FaultFee, &proof).unwrap();
        let r = s.report.clone().unwrap();
        // 25% of the original, 10% of it to the watcher.
        assert_eq!(r.slashed, atto(250), "round {round}");
        assert_eq!(
            (r.reporter_reward.clone(), r.compensation.clone()),
            (atto(25), atto(225))
        );
        assert_eq!(s.payouts, vec![(WATCHER, atto(25)), (CLIENT, atto(225))]);
        let outcome = s.outcome.unwrap();
        assert_eq!(
            (outcome.kind, outcome.subject.kind),
            (OutcomeKind::Fault, SubjectKind::Sector)
        );
        balance -= r.slashed;
        check_invariants(&store, &state, &balance).unwrap();
        // Inside the cooldown: refused with 34.
        let e = precheck_report(&store, &state, &facts(WATCHER, epoch + 2879, 0), &report);
        if round < 3 {
            assert_eq!(code(e.unwrap_err()), EX_FAULT_COOLDOWN);
        }
        epoch += 2880;
    }
    // The fourth fee emptied the lock: it settled as slashed, and nothing more can be taken.
    let lock = get_lock(&store, &state, 0).unwrap();
    assert_eq!((lock.status, lock.faults_charged), (LockStatus::Slashed, 4));
    assert_eq!(state.totals.locks_open, 0);
    assert_eq!(
        code(precheck_report(&store, &state, &facts(WATCHER, epoch, 0), &report).unwrap_err()),
        20
    );
}

#[test]
fn a_slash_takes_everything_once() {
    let (store, mut state) = setup();
    create_lock(&store, &mut state, &facts(LOCKER, 0, 1001), request(10_000)).unwrap();
    let report = ReportFaultParams {
        lock_id: 0,
        proof: FaultProof::DealTerminated,
    };
    let f = facts(WATCHER, 500, 0);
    let lock = precheck_report(&store, &state, &f, &report).unwrap();
    let s = slash(
        &store,
        &mut state,
        &f,
        0,
        lock,
        Verdict::SlashAll,
        &FaultProof::DealTerminated,
    )
    .unwrap();
    // Rounding favours the client: the reward is floored.
    assert_eq!(s.payouts, vec![(WATCHER, atto(100)), (CLIENT, atto(901))]);
    let (kind, subject) = (
        s.outcome.as_ref().unwrap().kind,
        s.outcome.as_ref().unwrap().subject,
    );
    assert_eq!(
        (kind, subject.kind, subject.id),
        (OutcomeKind::Slashed, SubjectKind::Deal, 7)
    );
    assert_eq!(s.notify.as_ref().unwrap().1.change, CollateralChange::Slashed);
    check_invariants(&store, &state, &atto(0)).unwrap();
    assert_eq!(
        code(precheck_report(&store, &state, &f, &report).unwrap_err()),
        20
    );
    assert_eq!(
        code(
            release_at(
                &store,
                &mut state,
                &facts(WATCHER, 10_000, 0),
                0,
                StorageAtRelease::Live
            )
            .unwrap_err()
        ),
        20
    );
}

#[test]
fn release_only_at_the_end_and_only_once() {
    let (store, mut state) = setup();
    create_lock(&store, &mut state, &facts(LOCKER, 0, 700), request(5_000)).unwrap();
    assert_eq!(
        code(
            release_at(
                &store,
                &mut state,
                &facts(WATCHER, 4_999, 0),
                0,
                StorageAtRelease::Live
            )
            .unwrap_err()
        ),
        20
    );
    // After the end, faults can no longer be reported: the lock is the provider's again.
    let report = ReportFaultParams {
        lock_id: 0,
        proof: FaultProof::DealTerminated,
    };
    assert_eq!(
        code(precheck_report(&store, &state, &facts(WATCHER, 5_000, 0), &report).unwrap_err()),
        EX_NOT_PROVEN
    );
    let s = release_at(
        &store,
        &mut state,
        &facts(WATCHER, 5_000, 0),
        0,
        StorageAtRelease::Live,
    )
    .unwrap();
    assert_eq!(s.payouts, vec![(REFUND, atto(700))]);
    assert_eq!(s.outcome.unwrap().kind, OutcomeKind::Completed);
    check_invariants(&store, &state, &atto(0)).unwrap();
    assert_eq!(
        code(
            release_at(
                &store,
                &mut state,
                &facts(WATCHER, 5_001, 0),
                0,
                StorageAtRelease::Live
            )
            .unwrap_err()
        ),
        20
    );
    assert_eq!(
        code(
            release_at(
                &store,
                &mut state,
                &facts(WATCHER, 5_001, 0),
                9,
                StorageAtRelease::Live
            )
            .unwrap_err()
        ),
        17
    );
}

#[test]
fn a_completion_weighs_the_lock_term_not_the_deal_term() {
    let (store, mut state) = setup();
    // Created at 1,000, ends at 5,000; the deal runs to 10,000 and the sector to 20,000.
    create_lock(&store, &mut state, &facts(LOCKER, 1_000, 700), request(5_000)).unwrap();
    let s = release_at(
        &store,
        &mut state,
        &facts(WATCHER, 6_000, 0),
        0,
        StorageAtRelease::Live,
    )
    .unwrap();
    let outcome = s.outcome.unwrap();
    assert_eq!(outcome.kind, OutcomeKind::Completed);
    assert_eq!((outcome.bytes, outcome.weight), (2048, 2048 * 4_000));
    // A slash weighs the same term: what the collateral backed.
    create_lock(&store, &mut state, &facts(LOCKER, 1_000, 700), request(5_000)).unwrap();
    let f = facts(WATCHER, 2_000, 0);
    let report = ReportFaultParams {
        lock_id: 1,
        proof: FaultProof::DealTerminated,
    };
    let lock = precheck_report(&store, &state, &f, &report).unwrap();
    let s = slash(&store, &mut state, &f, 1, lock, Verdict::SlashAll, &report.proof).unwrap();
    assert_eq!(s.outcome.unwrap().weight, 2048 * 4_000);
    // A sector-only lock weighs the sector's size over the term.
    let sector_only = VerifiedLock {
        deal: None,
        ..request(5_000)
    };
    create_lock(&store, &mut state, &facts(LOCKER, 1_000, 700), sector_only).unwrap();
    let s = release_at(
        &store,
        &mut state,
        &facts(WATCHER, 5_000, 0),
        2,
        StorageAtRelease::Live,
    )
    .unwrap();
    assert_eq!(s.outcome.unwrap().weight, (32u64 << 30) * 4_000);
    check_invariants(&store, &state, &atto(0)).unwrap();
}

#[test]
fn a_release_without_the_storage_pays_back_but_credits_nothing() {
    let (store, mut state) = setup();
    create_lock(&store, &mut state, &facts(LOCKER, 0, 700), request(5_000)).unwrap();
    let s = release_at(
        &store,
        &mut state,
        &facts(WATCHER, 5_000, 0),
        0,
        StorageAtRelease::Gone,
    )
    .unwrap();
    assert_eq!(s.payouts, vec![(REFUND, atto(700))]);
    assert_eq!(s.outcome, None, "no completion without the storage");
    assert_eq!(s.notify.unwrap().1.change, CollateralChange::Released);
    let lock = get_lock(&store, &state, 0).unwrap();
    assert_eq!((lock.status, lock.released), (LockStatus::Released, atto(700)));
    check_invariants(&store, &state, &atto(0)).unwrap();
}

#[test]
fn wrong_proofs_and_listing() {
    let (store, mut state) = setup();
    create_lock(
        &store,
        &mut state,
        &facts(LOCKER, 0, 50),
        VerifiedLock {
            sector: None,
            ..request(5_000)
        },
    )
    .unwrap();
    let sector_proof = ReportFaultParams {
        lock_id: 0,
        proof: FaultProof::SectorDead(SectorLocation {
            deadline: 0,
            partition: 0,
        }),
    };
    assert_eq!(
        code(precheck_report(&store, &state, &facts(WATCHER, 1, 0), &sector_proof).unwrap_err()),
        16
    );
    for _ in 0..6 {
        create_lock(&store, &mut state, &facts(LOCKER, 0, 50), request(5_000)).unwrap();
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = list(
            &store,
            &state,
            &ListLocksParams {
                provider: PROVIDER,
                cursor,
                limit: 3,
            },
        )
        .unwrap();
        seen.extend(page.locks.iter().map(|l| l.lock_id));
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    seen.sort_unstable();
    assert_eq!(seen, (0..7).collect::<Vec<_>>());
    let empty = list(
        &store,
        &state,
        &ListLocksParams {
            provider: 1,
            cursor: None,
            limit: 3,
        },
    )
    .unwrap();
    assert!(empty.locks.is_empty());
    assert_eq!(
        code(
            list(
                &store,
                &state,
                &ListLocksParams {
                    provider: PROVIDER,
                    cursor: None,
                    limit: 0
                }
            )
            .unwrap_err()
        ),
        16
    );
}

#[test]
fn fault_proof_wire_format() {
    let p = ReportFaultParams {
        lock_id: 5,
        proof: FaultProof::SectorFaulty(SectorLocation {
            deadline: 3,
            partition: 0,
        }),
    };
    let bytes = fvm_ipld_encoding::to_vec(&p).unwrap();
    assert_eq!(bytes, vec![0x82, 0x05, 0x82, 0x01, 0x82, 0x03, 0x00]);
    assert_eq!(
        fvm_ipld_encoding::from_slice::<ReportFaultParams>(&bytes).unwrap(),
        p
    );
    let deal = fvm_ipld_encoding::to_vec(&FaultProof::DealTerminated).unwrap();
    assert_eq!(deal, vec![0x81, 0x00]);
    for bad in [
        vec![0x81, 0x01],
        vec![0x82, 0x00, 0x82, 0x01, 0x02],
        vec![0x81, 0x07],
        vec![0x80],
    ] {
        assert!(
            fvm_ipld_encoding::from_slice::<FaultProof>(&bad).is_err(),
            "{bad:02x?}"
        );
    }
}

#[derive(Debug, Clone)]
enum Op {
    Lock(u64, i64),
    TopUp(u64, u64),
    Fault(u64),
    Slash(u64),
    Release(u64),
    Advance(i64),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (10u64..1_000_000, 1i64..50_000).prop_map(|(v, d)| Op::Lock(v, d)),
        (0u64..8, 1u64..1_000).prop_map(|(id, v)| Op::TopUp(id, v)),
        (0u64..8).prop_map(Op::Fault),
        (0u64..8).prop_map(Op::Slash),
        (0u64..8).prop_map(Op::Release),
        (1i64..20_000).prop_map(Op::Advance),
    ]
}

proptest! {
    /// Whatever happens, in whatever order: the balance (what came in minus what was paid out)
    /// equals what the open locks hold, and every lock accounts for its original amount.
    #[test]
    fn books_balance_under_any_sequence(ops in prop::collection::vec(op(), 1..60)) {
        let (store, mut state) = setup();
        let mut balance = TokenAmount::default();
        let mut epoch = 0i64;
        for op in ops {
            let before = state.clone();
            let result: Result<Vec<(u64, TokenAmount)>, actor_runtime::ActorError> = match op {
                Op::Lock(v, d) => {
                    let req = VerifiedLock { deal: None, sector: Some(sector(epoch + d)), ..request(epoch + d) };
                    create_lock(&store, &mut state, &facts(LOCKER, epoch, v), req).map(|_| { balance += atto(v); vec![] })
                }
                Op::TopUp(id, v) => top_up(&store, &mut state, &facts(LOCKER, epoch, v), id).map(|_| { balance += atto(v); vec![] }),
                Op::Fault(id) | Op::Slash(id) => {
                    let proof = if matches!(op, Op::Fault(_)) {
                        FaultProof::SectorFaulty(SectorLocation { deadline: 0, partition: 0 })
                    } else {
                        FaultProof::SectorDead(SectorLocation { deadline: 0, partition: 0 })
                    };
                    let verdict = if matches!(op, Op::Fault(_)) { Verdict::FaultFee } else { Verdict::SlashAll };
                    let f = facts(WATCHER, epoch, 0);
                    precheck_report(&store, &state, &f, &ReportFaultParams { lock_id: id, proof: proof.clone() })
                        .and_then(|lock| slash(&store, &mut state, &f, id, lock, verdict, &proof))
                        .map(|s| s.payouts)
                }
                Op::Release(id) => release_at(&store, &mut state, &facts(WATCHER, epoch, 0), id, StorageAtRelease::Live).map(|s| s.payouts),
                Op::Advance(d) => { epoch += d; Ok(vec![]) }
            };
            match result {
                Ok(payouts) => for (_, amount) in payouts { balance -= amount; },
                Err(_) => prop_assert_eq!(&state, &before, "a refused operation changed state"),
            }
            prop_assert!(!balance.is_negative());
            if let Err(e) = check_invariants(&store, &state, &balance) {
                prop_assert!(false, "{}", e);
            }
        }
    }
}
