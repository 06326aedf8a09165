//! The caller matrix of the suite's caller-gated methods (issue 21, part 3, first slice): every
//! method whose access depends on *who* calls (constructors, the market's escrow callback, the
//! registry's admin and reporter methods) × every caller kind the devnet can give it, asserted
//! on the real wasm as one table.
//!
//! Each cell is one implicit message on a throwaway copy of the same deployed suite
//! (`Harness::apply_on_copy`): the callee sees the caller's ID exactly as for a signed message,
//! and no cell's effects reach the next. The params are empty, so an admitted caller gets past
//! the gate and stops at decoding (16, USR_ILLEGAL_ARGUMENT) while a refused one stops at the
//! gate (18, USR_FORBIDDEN): the table tells the two apart without any cell changing state.

use fvm::executor::ApplyKind;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::{ActorID, MethodNum};
use integration_tests::bounty as bm;
use integration_tests::Harness;
use suite_interfaces::{bounty, escrow, reputation};

use super::common::{fil, milli};

const OK_PAST_GATE: u32 = 16;
const FORBIDDEN: u32 = 18;

/// The caller kinds, in the table's column order.
const CALLERS: [&str; 8] = [
    "admin", "stranger", "contract", "escrow", "market", "registry", "init", "system",
];

/// The exit code of `method` on `to` called by `from` with empty params and no value, on a copy.
fn exit_of(h: &mut Harness, from: ActorID, to: ActorID, method: MethodNum) -> u32 {
    let message = Message {
        version: 0,
        from: Address::new_id(from),
        to: Address::new_id(to),
        sequence: 0,
        value: TokenAmount::default(),
        method_num: method,
        params: RawBytes::default(),
        gas_limit: 10_000_000_000,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    };
    let ret = h.apply_on_copy(message, ApplyKind::Implicit, 0).unwrap();
    ret.msg_receipt.exit_code.value()
}

#[test]
fn every_caller_gated_method_admits_exactly_its_callers() {
    let mut h = Harness::new().unwrap();
    let admin = h.create_account(fil(1_000)).unwrap();
    let stranger = h.create_account(fil(1_000)).unwrap();
    let escrow_policy = escrow::Policy {
        reporter_reward_bps: 500,
        fault_fee_bps: 1_000,
        fault_cooldown: escrow::DEFAULT_FAULT_COOLDOWN,
        min_collateral: milli(1),
        max_lock_duration: 3 * 1_051_200,
    };
    let market_policy = bounty::MarketPolicy {
        max_replicas: 4,
        max_allowlist: 3,
        max_page: 10,
        min_duration_floor: 1_000,
        max_duration: 200_000,
        max_claims_per_withdraw: 32,
    };
    let suite = bm::deploy(&mut h, &admin, &admin, escrow_policy, market_policy).unwrap();
    let contract = h.deploy(&stranger, "test-actor-relay", &stranger.id).unwrap();
    let ids: [ActorID; 8] = [
        admin.id,
        stranger.id,
        contract,
        suite.escrow,
        suite.market,
        suite.reputation,
        1,
        0,
    ];

    let (o, f) = (OK_PAST_GATE, FORBIDDEN);
    // (actor, method name, method, expected exit per caller kind in CALLERS order)
    let table: [(ActorID, &str, MethodNum, [u32; 8]); 8] = [
        (
            suite.market,
            "BountyMarket.Constructor",
            bounty::METHOD_CONSTRUCTOR,
            [f, f, f, f, f, f, o, f],
        ),
        (
            suite.market,
            "BountyMarket.OnCollateralChanged",
            bounty::METHOD_ON_COLLATERAL_CHANGED,
            [f, f, f, o, f, f, f, f],
        ),
        (
            suite.escrow,
            "CollateralEscrow.Constructor",
            escrow::METHOD_CONSTRUCTOR,
            [f, f, f, f, f, f, o, f],
        ),
        (
            suite.reputation,
            "ProviderReputation.Constructor",
            reputation::METHOD_CONSTRUCTOR,
            [f, f, f, f, f, f, o, f],
        ),
        (
            suite.reputation,
            "ProviderReputation.AddReporter",
            reputation::METHOD_ADD_REPORTER,
            [o, f, f, f, f, f, f, f],
        ),
        (
            suite.reputation,
            "ProviderReputation.RemoveReporter",
            reputation::METHOD_REMOVE_REPORTER,
            [o, f, f, f, f, f, f, f],
        ),
        (
            suite.reputation,
            "ProviderReputation.TransferAdmin",
            reputation::METHOD_TRANSFER_ADMIN,
            [o, f, f, f, f, f, f, f],
        ),
        (
            suite.reputation,
            "ProviderReputation.RecordOutcome",
            reputation::METHOD_RECORD_OUTCOME,
            [f, f, f, o, o, f, f, f],
        ),
    ];
    let mut wrong = Vec::new();
    for (to, name, method, want) in table {
        for (i, caller) in ids.iter().enumerate() {
            let got = exit_of(&mut h, *caller, to, method);
            if got != want[i] {
                wrong.push(format!(
                    "{name} from {}: exit {got}, expected {}",
                    CALLERS[i], want[i]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "caller matrix:\n  {}", wrong.join("\n  "));
}
