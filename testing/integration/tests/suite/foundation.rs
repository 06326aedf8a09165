//! The harness itself: manifest, module loading, deployment through init, the runtime
//! layer's glue on real wasm, accounts and epochs.

use super::common::fil;
use actor_runtime::builtin::{BuiltinType, INIT_ACTOR_ID, STORAGE_MARKET_ACTOR_ID};
use fvm::engine::EnginePool;
use fvm::machine::NetworkConfig;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::Flags;
use integration_tests::actors::ACTORS;
use integration_tests::genesis::{put_code, stand_in_module};
use integration_tests::harness::NETWORK_VERSION;
use integration_tests::{Account, Harness};
use test_actor_counter as counter;

fn setup() -> (Harness, Account, u64) {
    let mut h = Harness::new().unwrap();
    let alice = h.create_account(fil(100)).unwrap();
    let id = h.deploy(&alice, "test-actor-counter", &alice.id).unwrap();
    (h, alice, id)
}

#[test]
fn manifest_lists_sixteen_distinct_codes_in_canonical_order() {
    let h = Harness::new().unwrap();
    let entries = &h.manifest().entries;
    assert_eq!(entries.len(), 16);
    for (i, (t, _)) in entries.iter().enumerate() {
        assert_eq!(*t as usize, i + 1, "{t:?} out of place");
    }
    let mut cids: Vec<_> = entries.iter().map(|(_, c)| *c).collect();
    cids.sort();
    cids.dedup();
    assert_eq!(cids.len(), 16, "every builtin type needs its own code CID");
    // The VM reads the same manifest: f01 is init, f05 the market, f099 an account.
    assert_eq!(h.builtin_type(INIT_ACTOR_ID).unwrap(), Some(BuiltinType::Init));
    assert_eq!(
        h.builtin_type(STORAGE_MARKET_ACTOR_ID).unwrap(),
        Some(BuiltinType::Market)
    );
    assert_eq!(h.builtin_type(99).unwrap(), Some(BuiltinType::Account));
}

#[test]
fn the_fvm_loads_every_module() {
    // The engine instruments (gas metering, stack limits) and compiles each module exactly as
    // it does before running it: a module with a wasm feature the FVM disables fails here.
    let store = fvm_ipld_blockstore::MemoryBlockstore::new();
    let engine = EnginePool::new((&NetworkConfig::new(NETWORK_VERSION)).into()).unwrap();
    let engine = engine.acquire();
    let mut cids = Vec::new();
    for (name, module) in ACTORS {
        let cid = put_code(&store, module).unwrap();
        assert_eq!(
            cid.to_string(),
            wasm_build::code_cid(module).to_string(),
            "{name}"
        );
        cids.push((name.to_string(), cid));
    }
    for (t, _) in BuiltinType::ALL {
        cids.push((
            format!("manifest entry {t:?}"),
            put_code(&store, &stand_in_module(t).unwrap()).unwrap(),
        ));
    }
    // EXTRA_WASM_DIR=<dir> also checks modules built elsewhere (e.g. by the build-std fallback).
    if let Some(dir) = std::env::var_os("EXTRA_WASM_DIR") {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            if entry.path().extension().is_some_and(|e| e == "wasm") {
                let module = std::fs::read(entry.path()).unwrap();
                cids.push((
                    entry.path().display().to_string(),
                    put_code(&store, &module).unwrap(),
                ));
            }
        }
    }
    for (name, cid) in &cids {
        let size = engine
            .preload(cid, &store)
            .unwrap_or_else(|e| panic!("{name} does not load: {e:#}"));
        assert!(size > 0);
    }
    assert!(ACTORS.len() >= 4, "built modules: {}", ACTORS.len());
}

#[test]
fn a_trivial_actor_runs_end_to_end() {
    let (mut h, alice, id) = setup();
    let r = h
        .call(
            &alice,
            id,
            counter::METHOD_INCREMENT,
            &5u64,
            TokenAmount::default(),
        )
        .unwrap();
    assert_eq!(r.ret::<u64>().unwrap(), 5);
    println!("gas of one trivial call (counter Increment): {}", r.gas_used);
    assert!(r.gas_used > 0);

    // Events follow the builtin convention: $type first, indexed fields flagged 0x03.
    let events = r.events_of("counter-incremented");
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].emitter, id);
    let entries = &events[0].event.entries;
    assert_eq!(entries[1].key, "by");
    assert_eq!(entries[1].flags, Flags::FLAG_INDEXED_ALL);
    assert_eq!(entries[2].key, "count");
    assert_eq!(entries[2].flags, Flags::FLAG_INDEXED_KEY);

    let r = h.call_no_params(&alice, id, counter::METHOD_GET).unwrap();
    assert_eq!(r.ret::<u64>().unwrap(), 5);
    let state: counter::State = h.state(id).unwrap();
    assert_eq!(
        state,
        counter::State {
            owner: alice.id,
            count: 5
        }
    );
}

#[test]
fn runtime_glue_turns_bad_calls_into_the_right_exit_codes() {
    let (mut h, alice, id) = setup();
    let before = h.actor(id).unwrap().unwrap().state;
    let zero = TokenAmount::default;

    // A panic (overflow, checks are on) aborts with USR_ASSERTION_FAILED, not a trap.
    let r = h.call(&alice, id, counter::METHOD_PANIC, &1u64, zero()).unwrap();
    assert!(r
        .expect_exit(ExitCode::USR_ASSERTION_FAILED)
        .unwrap()
        .contains("panic"));
    // A method that forgets to validate its caller, or validates twice, is a bug.
    let r = h
        .call_no_params(&alice, id, counter::METHOD_SKIP_VALIDATION)
        .unwrap();
    assert!(r
        .expect_exit(ExitCode::USR_ASSERTION_FAILED)
        .unwrap()
        .contains("exactly once"));
    let r = h
        .call_no_params(&alice, id, counter::METHOD_VALIDATE_TWICE)
        .unwrap();
    r.expect_exit(ExitCode::USR_ASSERTION_FAILED).unwrap();
    // Dispatch rules of builtin actors.
    let r = h.call_no_params(&alice, id, 0xdead_beef).unwrap();
    r.expect_exit(ExitCode::USR_UNHANDLED_MESSAGE).unwrap();
    let r = h
        .send(
            &alice,
            Address::new_id(id),
            counter::METHOD_INCREMENT,
            RawBytes::new(vec![0xff]),
            zero(),
        )
        .unwrap();
    r.expect_exit(ExitCode::USR_SERIALIZATION).unwrap();
    let r = h.call_no_params(&alice, id, counter::METHOD_INCREMENT).unwrap();
    r.expect_exit(ExitCode::USR_ILLEGAL_ARGUMENT).unwrap();
    let r = h.call(&alice, id, counter::METHOD_GET, &1u64, zero()).unwrap();
    r.expect_exit(ExitCode::USR_ILLEGAL_ARGUMENT).unwrap();
    // Caller checks: only the owner resets.
    let mallory = h.create_account(fil(1)).unwrap();
    let r = h
        .call_no_params(&mallory, id, counter::METHOD_OWNER_ONLY_RESET)
        .unwrap();
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    // Nothing above changed the state.
    assert_eq!(h.actor(id).unwrap().unwrap().state, before);
    h.call_no_params(&alice, id, counter::METHOD_OWNER_ONLY_RESET)
        .unwrap()
        .ok()
        .unwrap();
}

#[test]
fn deployment_goes_through_init_and_the_constructor() {
    let (mut h, alice, id) = setup();
    // The constructor accepts only init: calling it directly is forbidden.
    let r = h
        .call(
            &alice,
            id,
            actor_runtime::METHOD_CONSTRUCTOR,
            &alice.id,
            TokenAmount::default(),
        )
        .unwrap();
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    // Installing the same code again installs nothing new; Exec of code never installed is refused.
    let module = integration_tests::actors::require_wasm("test-actor-counter").unwrap();
    let p = stand_in_init::InstallCodeParams {
        code: module.to_vec(),
    };
    let r = h.call(
        &alice,
        INIT_ACTOR_ID,
        stand_in_init::METHOD_INSTALL_CODE_EXPORTED,
        &p,
        TokenAmount::default(),
    );
    let ret: stand_in_init::InstallCodeReturn = r.unwrap().ret().unwrap();
    assert!(!ret.installed);
    assert_eq!(ret.code_cid, h.actor(id).unwrap().unwrap().code);
    let unknown = wasm_build::code_cid(b"\0asm\x01\0\0\0");
    let unknown = cid::Cid::try_from(unknown.to_bytes()).unwrap();
    let r = h
        .exec_actor(&alice, unknown, &alice.id, TokenAmount::default())
        .unwrap();
    r.expect_exit(ExitCode::USR_FORBIDDEN).unwrap();
    // A failing constructor (undecodable params) creates nothing.
    let code = h.actor(id).unwrap().unwrap().code;
    let before = h.flush().unwrap();
    let r = h
        .exec_actor(&alice, code, &"not an id", TokenAmount::default())
        .unwrap();
    r.expect_exit(ExitCode::USR_SERIALIZATION).unwrap();
    let ret: stand_in_init::ExecReturn = h
        .exec_actor(&alice, code, &alice.id, TokenAmount::default())
        .unwrap()
        .ret()
        .unwrap();
    assert_eq!(ret.id_address.id().unwrap(), id + 1, "the failed Exec used no ID");
    assert_ne!(before, h.flush().unwrap());
}

#[test]
fn epochs_advance_on_the_flushed_state() {
    let (mut h, alice, id) = setup();
    h.call(
        &alice,
        id,
        counter::METHOD_INCREMENT,
        &2u64,
        TokenAmount::default(),
    )
    .unwrap()
    .ok()
    .unwrap();
    assert_eq!(
        h.call_no_params(&alice, id, counter::METHOD_EPOCH)
            .unwrap()
            .ret::<i64>()
            .unwrap(),
        0
    );
    h.advance(2880).unwrap();
    assert_eq!(h.epoch(), 2880);
    assert_eq!(
        h.call_no_params(&alice, id, counter::METHOD_EPOCH)
            .unwrap()
            .ret::<i64>()
            .unwrap(),
        2880
    );
    assert_eq!(
        h.call_no_params(&alice, id, counter::METHOD_GET)
            .unwrap()
            .ret::<u64>()
            .unwrap(),
        2
    );
    assert!(h.advance(-1).is_err());
}

#[test]
fn accounts_are_funded_by_real_transfers() {
    let mut h = Harness::new().unwrap();
    let operator_before = h.balance(h.operator().id).unwrap();
    let alice = h.create_account(fil(10)).unwrap();
    let bob = h.create_account(fil(0)).unwrap();
    assert_ne!(alice.id, bob.id);
    assert_eq!(h.balance(alice.id).unwrap(), fil(10));
    assert_eq!(h.resolve(&alice.key).unwrap(), Some(alice.id));
    assert_eq!(h.builtin_type(alice.id).unwrap(), Some(BuiltinType::Account));
    h.send(&alice, bob.address(), 0, RawBytes::default(), fil(3))
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(h.balance(bob.id).unwrap(), fil(3));
    // Alice paid 3 FIL plus gas, which at the harness's base fee is at most limit × fee cap.
    let max_fee = TokenAmount::from_atto(integration_tests::harness::MESSAGE_GAS_LIMIT)
        * integration_tests::harness::BASE_FEE_ATTO;
    let alice_after = h.balance(alice.id).unwrap();
    assert!(
        alice_after < fil(7) && alice_after >= fil(7) - max_fee.clone(),
        "{alice_after}"
    );
    assert!(h.balance(h.operator().id).unwrap() < operator_before - fil(10));
    // Overspending is refused by the VM and moves nothing.
    let r = h
        .send(&bob, alice.address(), 0, RawBytes::default(), fil(5))
        .unwrap();
    assert_eq!(r.exit_code, ExitCode::SYS_INSUFFICIENT_FUNDS);
    assert_eq!(h.balance(alice.id).unwrap(), alice_after);
    let bob_after = h.balance(bob.id).unwrap();
    assert!(
        bob_after <= fil(3) && bob_after >= fil(3) - max_fee,
        "only gas left bob: {bob_after}"
    );
}
