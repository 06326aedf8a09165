//! The caller matrix (issue 21, part 3): every exported method of the three actors × every kind
//! of caller × without and with value, asserted on the real wasm as one table, which
//! `docs/access-control.md` prints (the test fails when the two differ; run it with
//! `UPDATE_ACCESS_TABLE=1` to rewrite the document's table from the test's).
//!
//! One deployed suite is set up so that every method has something real to act on: a bounty
//! claimed by provider A (its claim vesting, its lock open), an open bounty with a deal of A
//! ready to claim it, a cancelled bounty to reclaim, a lock on a faulty sector to report, an
//! ended lock to release, a registered miner and an unregistered one of the same operator, and
//! an admin transfer pending to the stranger. Each cell is then one implicit message on a
//! throwaway copy of that state (`Harness::apply_on_copy`): the callee sees the caller's ID
//! exactly as for a signed message, and no cell's effects reach the next. A cell's params are
//! the ones that succeed for an admitted caller, so the table reads "0: done" where a caller may
//! act, and the refusal (18 forbidden, 26 not payable, 16 a bad amount) where it may not. The
//! constructors, `OnCollateralChanged` and `RecordOutcome` get empty params: an admitted caller
//! gets past the gate and stops at decoding (16) and a refused one at the gate (18), which
//! tells the two apart without calling a constructor twice or forging an outcome.
//!
//! "With value" sends what a payable method asks for (the bounty's total, the collateral, a
//! top-up of 1 FIL) and 1 FIL to every other method. Every caller has the FIL for it: the
//! suite's actors, init, system and the miner are funded with plain transfers first (which run
//! no code).

use std::fmt::Write as _;

use cid::Cid;
use fvm::executor::ApplyKind;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use fvm_shared::piece::PaddedPieceSize;
use fvm_shared::{ActorID, MethodNum, METHOD_SEND};
use integration_tests::bounty as bm;
use integration_tests::escrow as esc;
use integration_tests::miner::{self, create_miner, SECTOR_SIZE_32GIB};
use integration_tests::storage_market::{deal_proposal, StorageMarketExt};
use integration_tests::{Account, BountyMarketClient, EscrowClient, Harness, MinerClient, ReputationClient};
use serde::Serialize;
use suite_interfaces::{bounty, escrow, reputation};

use super::common::{fil, milli};

/// The caller kinds, in the table's column order.
const CALLERS: [&str; 14] = [
    "client",
    "owner",
    "worker",
    "control",
    "admin",
    "stranger",
    "eth account",
    "contract",
    "escrow",
    "market",
    "registry",
    "init",
    "system",
    "miner",
];
const N: usize = CALLERS.len();

/// Done.
const OK: u32 = 0;
/// USR_ILLEGAL_ARGUMENT: past the gate, refused by what was sent (no params, a wrong amount).
const BAD: u32 = 16;
/// USR_NOT_FOUND: nothing of this caller's to act on (a sponsor refund without a contribution).
const NF: u32 = 17;
/// USR_FORBIDDEN: this caller may not call this method (on these facts).
const NO: u32 = 18;
/// USR_NOT_PAYABLE: the method takes no FIL.
const NP: u32 = 26;
/// USR_UNHANDLED_MESSAGE: the actor exports no such method.
const UNHANDLED: u32 = 22;

/// Caller index sets for the table rows.
const CONTROLS: [usize; 3] = [1, 2, 3];
const CLIENT: usize = 0;
const ADMIN: usize = 4;
const STRANGER: usize = 5;
const ESCROW: usize = 8;
const MARKET: usize = 9;
const INIT: usize = 11;
const MINER: usize = 13;

/// `ok` for the callers in `who`, `other` for everyone else.
fn only(who: &[usize], ok: u32, other: u32) -> [u32; N] {
    let mut row = [other; N];
    for &i in who {
        row[i] = ok;
    }
    row
}

fn all(code: u32) -> [u32; N] {
    [code; N]
}

/// One method of one actor, with the params and value its cells send and the exit code each
/// caller kind must get without value and with it.
struct Row {
    actor: &'static str,
    method: &'static str,
    to: ActorID,
    number: MethodNum,
    params: RawBytes,
    value: TokenAmount,
    without_value: [u32; N],
    with_value: [u32; N],
}

fn params<P: Serialize>(p: &P) -> RawBytes {
    RawBytes::serialize(p).unwrap()
}

/// The exit code of `number` on `to` called by `from` with `params` and `value`, on a copy.
fn exit_of(
    h: &mut Harness,
    from: ActorID,
    to: ActorID,
    number: MethodNum,
    params: &RawBytes,
    value: TokenAmount,
) -> u32 {
    let message = Message {
        version: 0,
        from: Address::new_id(from),
        to: Address::new_id(to),
        sequence: 0,
        value,
        method_num: number,
        params: params.clone(),
        gas_limit: 10_000_000_000,
        gas_fee_cap: TokenAmount::default(),
        gas_premium: TokenAmount::default(),
    };
    let ret = h.apply_on_copy(message, ApplyKind::Implicit, 0).unwrap();
    ret.msg_receipt.exit_code.value()
}

fn piece(seed: u8) -> Cid {
    stand_in_market::piece_cid([seed; 32])
}

fn post_params(seed: u8) -> bounty::PostBountyParams {
    bounty::PostBountyParams {
        piece_cid: piece(seed),
        piece_size: 2048,
        replicas: 2,
        reward_per_replica: fil(12),
        collateral_per_replica: fil(3),
        min_duration: 4_000,
        expiry: 5_000,
        min_reputation: None,
        allowed_providers: None,
        distinct_owners: false,
        max_per_region: None,
        renewals: 0,
    }
}

fn metadata(name: &str) -> reputation::Metadata {
    reputation::Metadata {
        name: name.into(),
        region: "DE".into(),
        peer_id: vec![],
        links: vec![],
    }
}

/// A signed message from `from` that must succeed.
fn must(r: anyhow::Result<integration_tests::Receipt>, what: &str) -> integration_tests::Receipt {
    let r = r.unwrap_or_else(|e| panic!("{what}: {e:#}"));
    assert!(r.exit_code.is_success(), "{what}: exit {}", r.exit_code);
    r
}

/// An Ethereum account: FIL sent to an f410 address makes a placeholder, whose first message
/// turns it into an EthAccount (as on mainnet: the VM does it when the placeholder sends).
fn eth_account(h: &mut Harness) -> ActorID {
    let address = Address::new_delegated(10, &[0xee; 20]).unwrap();
    let operator = h.operator();
    must(
        h.send(&operator, address, METHOD_SEND, RawBytes::default(), fil(1_000)),
        "funding the eth account",
    );
    let id = h.resolve(&address).unwrap().expect("placeholder created");
    let eth = Account { id, key: address };
    must(
        h.send(
            &eth,
            Address::new_id(operator.id),
            METHOD_SEND,
            RawBytes::default(),
            fil(1),
        ),
        "the eth account's first message",
    );
    assert_eq!(
        h.builtin_type(id).unwrap(),
        Some(actor_runtime::builtin::BuiltinType::EthAccount)
    );
    id
}

#[test]
fn every_method_admits_exactly_its_callers_with_and_without_value() {
    let mut h = Harness::new().unwrap();
    let [admin, client, stranger] = [0; 3].map(|_| h.create_account(fil(1_000)).unwrap());
    let owner = h.create_account(fil(1_000)).unwrap();
    let worker = h.create_bls_account(fil(1_000)).unwrap();
    let control = h.create_account(fil(1_000)).unwrap();
    let new_miner = |h: &mut Harness| {
        create_miner(
            h,
            &owner,
            owner.address(),
            worker.address(),
            vec![control.address()],
            SECTOR_SIZE_32GIB,
        )
        .unwrap()
    };
    let provider = new_miner(&mut h);
    let unregistered = new_miner(&mut h);
    for (n, deadline) in [(1, 0), (2, 1), (3, 2)] {
        must(
            miner::add_sector(&mut h, provider, n, deadline, 0, 1_000_000),
            "adding a sector",
        );
    }
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
    let eth = eth_account(&mut h);
    let operator = h.operator();
    for id in [
        suite.escrow,
        suite.market,
        suite.reputation,
        contract,
        1,
        0,
        provider,
    ] {
        must(
            h.send(
                &operator,
                Address::new_id(id),
                METHOD_SEND,
                RawBytes::default(),
                fil(1_000),
            ),
            "funding a caller",
        );
    }
    let market = BountyMarketClient::at(suite.market);
    let escrow_client = EscrowClient::at(suite.escrow);
    let registry = ReputationClient::at(suite.reputation);
    must(
        registry.register(&mut h, &owner, Address::new_id(provider), metadata("A")),
        "registering the provider",
    );
    must(
        registry.send(
            &mut h,
            &admin,
            reputation::METHOD_TRANSFER_ADMIN,
            &reputation::AddressParams {
                address: stranger.address(),
            },
        ),
        "proposing the stranger as admin",
    );

    // Bounty 1 claimed by the provider (claim 1, lock 1); bounty 2 open with a deal ready to
    // claim it; bounty 3 cancelled, its reward reclaimable.
    let deal_from = |h: &mut Harness, seed: u8, start| {
        let proposal = stand_in_market::DealProposal {
            piece_size: PaddedPieceSize(2048),
            ..deal_proposal(client.id, provider, start, 100_000, seed)
        };
        let id = h.publish_deal(&proposal).unwrap();
        h.activate_deal(id, 1).unwrap();
        id
    };
    let deal = |h: &mut Harness, seed: u8| deal_from(h, seed, 0);
    let mut bounty_ids = Vec::new();
    for seed in [1, 2, 3] {
        let p = post_params(seed);
        let r = must(market.post(&mut h, &client, &p, fil(24)), "posting a bounty");
        bounty_ids.push(bm::bounty_id(&r).unwrap());
    }
    let [claimed, open, cancelled] = [bounty_ids[0], bounty_ids[1], bounty_ids[2]];
    let first_deal = deal(&mut h, 1);
    let ready_deal = deal(&mut h, 2);
    let claim = bm::claim_params(claimed, provider, first_deal, 1, None);
    let claim_ret: bounty::ClaimBountyReturn =
        must(market.claim(&mut h, &worker, &claim, fil(3)), "claiming")
            .ret()
            .unwrap();
    // Bounty 4 funds a renewal, its 1000-epoch claim renews from epoch 750 with a second deal.
    let renewable = bounty::PostBountyParams {
        min_duration: 1_000,
        renewals: 1,
        ..post_params(5)
    };
    let renewable_id = bm::bounty_id(&must(
        market.post(&mut h, &client, &renewable, fil(36)),
        "posting",
    ))
    .unwrap();
    let renewable_deal = deal(&mut h, 5);
    let renewal_deal = deal_from(&mut h, 5, 1);
    let renewable_claim: bounty::ClaimBountyReturn = must(
        market.claim(
            &mut h,
            &worker,
            &bm::claim_params(renewable_id, provider, renewable_deal, 1, None),
            fil(3),
        ),
        "claiming the renewable bounty",
    )
    .ret()
    .unwrap();
    // The stranger sponsors bounty 3 before its cancel; the provider deposits DDO collateral.
    must(market.fund(&mut h, &stranger, cancelled, fil(2)), "sponsoring");
    must(market.cancel(&mut h, &client, cancelled), "cancelling");
    must(
        market.deposit_collateral(&mut h, &owner, Address::new_id(provider), fil(5)),
        "depositing DDO collateral",
    );
    // Lock 2 on sector 2, which then faults; lock 3 on sector 3, which ends at epoch 100.
    let direct_lock = |h: &mut Harness, sector, end| {
        let p = esc::lock_params(provider, client.id, owner.id, esc::sector_evidence(sector), end);
        esc::lock_id(&must(escrow_client.lock(h, &stranger, &p, fil(1)), "locking")).unwrap()
    };
    let faulty_lock = direct_lock(&mut h, 2, 50_000);
    let ended_lock = direct_lock(&mut h, 3, 100);
    must(miner::fault_sector(&mut h, provider, 2), "faulting sector 2");
    h.advance_to(800).unwrap();
    let (_, location) = MinerClient::at(provider)
        .sector_location(&mut h, 2)
        .unwrap()
        .unwrap();
    let faulty_at = escrow::SectorLocation {
        deadline: location.deadline,
        partition: location.partition,
    };
    let books = integration_tests::invariants::Books {
        market: Some(suite.market),
        escrow: Some(suite.escrow),
        registry: Some(suite.reputation),
    };
    integration_tests::invariants::assert_books(&mut h, &books);

    let ids: [ActorID; N] = [
        client.id,
        owner.id,
        worker.id,
        control.id,
        admin.id,
        stranger.id,
        eth,
        contract,
        suite.escrow,
        suite.market,
        suite.reputation,
        1,
        0,
        provider,
    ];

    let empty = RawBytes::default;
    let market_row = |method, number, params, value, without_value, with_value| Row {
        actor: "BountyMarket",
        method,
        to: suite.market,
        number,
        params,
        value,
        without_value,
        with_value,
    };
    let escrow_row = |method, number, params, value, without_value, with_value| Row {
        actor: "CollateralEscrow",
        method,
        to: suite.escrow,
        number,
        params,
        value,
        without_value,
        with_value,
    };
    // The registry takes FIL in no method: every cell with value is 26, before any gate.
    let registry_row = |method, number, params, without_value| Row {
        actor: "ProviderReputation",
        method,
        to: suite.reputation,
        number,
        params,
        value: fil(1),
        without_value,
        with_value: all(NP),
    };
    let provider_params = bounty::ProviderParams {
        provider: Address::new_id(provider),
    };
    let table = vec![
        market_row(
            "Constructor",
            bounty::METHOD_CONSTRUCTOR,
            empty(),
            fil(1),
            only(&[INIT], BAD, NO),
            only(&[INIT], NP, NO),
        ),
        market_row(
            "PostBounty",
            bounty::METHOD_POST_BOUNTY,
            params(&post_params(4)),
            fil(24),
            all(BAD),
            all(OK),
        ),
        market_row(
            "ClaimBounty",
            bounty::METHOD_CLAIM_BOUNTY,
            params(&bm::claim_params(open, provider, ready_deal, 1, None)),
            fil(3),
            only(&CONTROLS, BAD, NO),
            only(&CONTROLS, OK, NO),
        ),
        market_row(
            "Withdraw",
            bounty::METHOD_WITHDRAW,
            params(&provider_params),
            fil(1),
            only(&CONTROLS, OK, NO),
            all(NP),
        ),
        market_row(
            "CancelBounty",
            bounty::METHOD_CANCEL_BOUNTY,
            params(&bounty::IdParams { id: open }),
            fil(1),
            only(&[CLIENT], OK, NO),
            all(NP),
        ),
        market_row(
            "Reclaim",
            bounty::METHOD_RECLAIM,
            params(&bounty::IdParams { id: cancelled }),
            fil(1),
            only(&[CLIENT], OK, NO),
            all(NP),
        ),
        market_row(
            "OnCollateralChanged",
            bounty::METHOD_ON_COLLATERAL_CHANGED,
            empty(),
            fil(1),
            only(&[ESCROW], BAD, NO),
            only(&[ESCROW], NP, NO),
        ),
        market_row(
            "GetBounty",
            bounty::METHOD_GET_BOUNTY,
            params(&bounty::IdParams { id: claimed }),
            fil(1),
            all(OK),
            all(NP),
        ),
        market_row(
            "ListBounties",
            bounty::METHOD_LIST_BOUNTIES,
            params(&bounty::ListBountiesParams {
                client: None,
                piece_cid: None,
                cursor: None,
                limit: 10,
            }),
            fil(1),
            all(OK),
            all(NP),
        ),
        market_row(
            "GetClaim",
            bounty::METHOD_GET_CLAIM,
            params(&bounty::IdParams {
                id: claim_ret.claim_id,
            }),
            fil(1),
            all(OK),
            all(NP),
        ),
        market_row(
            "GetPolicy",
            bounty::METHOD_GET_POLICY,
            empty(),
            fil(1),
            all(OK),
            all(NP),
        ),
        market_row(
            "GetProviderBalance",
            bounty::METHOD_GET_PROVIDER_BALANCE,
            params(&provider_params),
            fil(1),
            all(OK),
            all(NP),
        ),
        market_row(
            "SectorContentChanged",
            bounty::METHOD_SECTOR_CONTENT_CHANGED,
            params(&bounty::SectorContentChangedParams {
                sectors: vec![bounty::SectorChanges {
                    sector: 1,
                    minimum_commitment_epoch: 1_000_000,
                    added: vec![bounty::PieceChange {
                        data: piece(2),
                        size: 2048,
                        payload: bounty::ddo_payload(open),
                    }],
                }],
            }),
            fil(1),
            only(&[MINER], OK, NO),
            only(&[MINER], NP, NO),
        ),
        market_row(
            "DepositCollateral",
            bounty::METHOD_DEPOSIT_COLLATERAL,
            params(&provider_params),
            fil(1),
            only(&CONTROLS, BAD, NO),
            only(&CONTROLS, OK, NO),
        ),
        market_row(
            "WithdrawCollateral",
            bounty::METHOD_WITHDRAW_COLLATERAL,
            params(&bounty::WithdrawCollateralParams {
                provider: Address::new_id(provider),
                amount: fil(1),
            }),
            fil(1),
            only(&CONTROLS, OK, NO),
            all(NP),
        ),
        market_row(
            "GetCollateral",
            bounty::METHOD_GET_COLLATERAL,
            params(&provider_params),
            fil(1),
            all(OK),
            all(NP),
        ),
        market_row(
            "FundBounty",
            bounty::METHOD_FUND_BOUNTY,
            params(&bounty::IdParams { id: open }),
            fil(1),
            all(BAD),
            all(OK),
        ),
        market_row(
            "RefundSponsor",
            bounty::METHOD_REFUND_SPONSOR,
            params(&bounty::IdParams { id: cancelled }),
            fil(1),
            only(&[STRANGER], OK, NF),
            all(NP),
        ),
        market_row(
            "FundRenewals",
            bounty::METHOD_FUND_RENEWALS,
            params(&bounty::FundRenewalsParams {
                bounty_id: open,
                renewals: 1,
            }),
            fil(12),
            only(&[CLIENT], BAD, NO),
            only(&[CLIENT], OK, NO),
        ),
        market_row(
            "ReclaimRenewals",
            bounty::METHOD_RECLAIM_RENEWALS,
            params(&bounty::IdParams { id: renewable_id }),
            fil(1),
            only(&[CLIENT], OK, NO),
            all(NP),
        ),
        market_row(
            "RenewClaim",
            bounty::METHOD_RENEW_CLAIM,
            params(&bounty::RenewClaimParams {
                claim_id: renewable_claim.claim_id,
                deal_id: renewal_deal,
                sector: 1,
                sector_location: None,
            }),
            fil(3),
            only(&CONTROLS, BAD, NO),
            only(&CONTROLS, OK, NO),
        ),
        market_row(
            "GetContribution",
            bounty::METHOD_GET_CONTRIBUTION,
            params(&bounty::GetContributionParams {
                bounty_id: cancelled,
                sponsor: stranger.address(),
            }),
            fil(1),
            all(OK),
            all(NP),
        ),
        escrow_row(
            "Constructor",
            escrow::METHOD_CONSTRUCTOR,
            empty(),
            fil(1),
            only(&[INIT], BAD, NO),
            only(&[INIT], NP, NO),
        ),
        escrow_row(
            "Lock",
            escrow::METHOD_LOCK,
            params(&esc::lock_params(
                provider,
                client.id,
                owner.id,
                esc::sector_evidence(1),
                10_000,
            )),
            fil(1),
            all(BAD),
            all(OK),
        ),
        escrow_row(
            "TopUp",
            escrow::METHOD_TOP_UP,
            params(&escrow::LockIdParams {
                lock_id: claim_ret.lock_id,
            }),
            fil(1),
            all(BAD),
            all(OK),
        ),
        escrow_row(
            "ReportFault",
            escrow::METHOD_REPORT_FAULT,
            params(&escrow::ReportFaultParams {
                lock_id: faulty_lock,
                proof: escrow::FaultProof::SectorFaulty(faulty_at),
            }),
            fil(1),
            all(OK),
            all(NP),
        ),
        escrow_row(
            "Release",
            escrow::METHOD_RELEASE,
            params(&escrow::LockIdParams { lock_id: ended_lock }),
            fil(1),
            all(OK),
            all(NP),
        ),
        escrow_row(
            "GetLock",
            escrow::METHOD_GET_LOCK,
            params(&escrow::LockIdParams {
                lock_id: claim_ret.lock_id,
            }),
            fil(1),
            all(OK),
            all(NP),
        ),
        escrow_row(
            "ListLocks",
            escrow::METHOD_LIST_LOCKS,
            params(&escrow::ListLocksParams {
                provider,
                cursor: None,
                limit: 10,
            }),
            fil(1),
            all(OK),
            all(NP),
        ),
        escrow_row(
            "GetTotals",
            escrow::METHOD_GET_TOTALS,
            empty(),
            fil(1),
            all(OK),
            all(NP),
        ),
        escrow_row(
            "GetPolicy",
            escrow::METHOD_GET_POLICY,
            empty(),
            fil(1),
            all(OK),
            all(NP),
        ),
        registry_row(
            "Constructor",
            reputation::METHOD_CONSTRUCTOR,
            empty(),
            only(&[INIT], BAD, NO),
        ),
        registry_row(
            "AddReporter",
            reputation::METHOD_ADD_REPORTER,
            // A reporter must be a contract.
            params(&reputation::AddressParams {
                address: Address::new_id(contract),
            }),
            only(&[ADMIN], OK, NO),
        ),
        registry_row(
            "RemoveReporter",
            reputation::METHOD_REMOVE_REPORTER,
            params(&reputation::AddressParams {
                address: Address::new_id(suite.market),
            }),
            only(&[ADMIN], OK, NO),
        ),
        registry_row(
            "TransferAdmin",
            reputation::METHOD_TRANSFER_ADMIN,
            params(&reputation::AddressParams {
                address: client.address(),
            }),
            only(&[ADMIN], OK, NO),
        ),
        registry_row(
            "AcceptAdmin",
            reputation::METHOD_ACCEPT_ADMIN,
            empty(),
            only(&[STRANGER], OK, NO),
        ),
        registry_row(
            "RegisterProvider",
            reputation::METHOD_REGISTER_PROVIDER,
            params(&reputation::RegisterProviderParams {
                miner: Address::new_id(unregistered),
                metadata: metadata("B"),
            }),
            only(&CONTROLS, OK, NO),
        ),
        registry_row(
            "UpdateMetadata",
            reputation::METHOD_UPDATE_METADATA,
            params(&reputation::RegisterProviderParams {
                miner: Address::new_id(provider),
                metadata: metadata("A2"),
            }),
            only(&CONTROLS, OK, NO),
        ),
        registry_row(
            "RecordOutcome",
            reputation::METHOD_RECORD_OUTCOME,
            empty(),
            only(&[ESCROW, MARKET], BAD, NO),
        ),
        registry_row(
            "GetReputation",
            reputation::METHOD_GET_REPUTATION,
            params(&reputation::GetReputationParams {
                provider: Address::new_id(provider),
            }),
            all(OK),
        ),
        registry_row(
            "GetScores",
            reputation::METHOD_GET_SCORES,
            params(&reputation::GetScoresParams {
                providers: vec![provider, unregistered],
            }),
            all(OK),
        ),
        registry_row(
            "ListProviders",
            reputation::METHOD_LIST_PROVIDERS,
            params(&reputation::ListProvidersParams {
                cursor: None,
                limit: 10,
            }),
            all(OK),
        ),
        registry_row("GetAdmin", reputation::METHOD_GET_ADMIN, empty(), all(OK)),
        registry_row(
            "IsReporter",
            reputation::METHOD_IS_REPORTER,
            params(&reputation::IsReporterParams { actor: suite.escrow }),
            all(OK),
        ),
    ];

    // Every method an actor handles has its row: each actor is asked every method number the
    // suite knows (its own and the builtins' it calls or receives), and one it does not refuse
    // as unhandled (22) is one it exports.
    let numbers = suite_interfaces::METHOD_NAMES
        .iter()
        .copied()
        .chain([(bounty::METHOD_CONSTRUCTOR, "Constructor")]);
    for (to, actor) in [
        (suite.market, "BountyMarket"),
        (suite.escrow, "CollateralEscrow"),
        (suite.reputation, "ProviderReputation"),
    ] {
        for (number, name) in numbers.clone() {
            let handled =
                exit_of(&mut h, client.id, to, number, &empty(), TokenAmount::default()) != UNHANDLED;
            let has_row = table.iter().any(|r| r.to == to && r.number == number);
            assert_eq!(
                handled,
                has_row,
                "{actor} {} {name} but the caller matrix {}",
                if handled { "handles" } else { "does not handle" },
                if has_row { "has a row for it" } else { "has none" }
            );
        }
    }

    // And the other way round: a method with a row but no name would escape the check above
    // (and show as a bare number in gas tables and traces).
    for row in &table {
        assert!(
            suite_interfaces::METHOD_NAMES
                .iter()
                .any(|(n, _)| *n == row.number)
                || row.number == bounty::METHOD_CONSTRUCTOR,
            "method {} has a row in the caller matrix but no name in suite_interfaces::METHOD_NAMES",
            row.number
        );
    }

    let mut wrong = Vec::new();
    for row in &table {
        for (i, caller) in ids.iter().enumerate() {
            let without = exit_of(
                &mut h,
                *caller,
                row.to,
                row.number,
                &row.params,
                TokenAmount::default(),
            );
            let with = exit_of(
                &mut h,
                *caller,
                row.to,
                row.number,
                &row.params,
                row.value.clone(),
            );
            for (valued, want, code) in [
                (false, row.without_value[i], without),
                (true, row.with_value[i], with),
            ] {
                if code != want {
                    wrong.push(format!(
                        "{}.{} from {}{}: exit {code}, expected {want}",
                        row.actor,
                        row.method,
                        CALLERS[i],
                        if valued { " with value" } else { "" }
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "caller matrix:\n  {}", wrong.join("\n  "));

    let rendered = render(&table);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/access-control.md");
    let doc = std::fs::read_to_string(path).unwrap_or_default();
    let (begin, end) = ("<!-- caller matrix: begin -->\n", "<!-- caller matrix: end -->");
    let current = doc
        .split_once(begin)
        .and_then(|(_, rest)| rest.split_once(end))
        .map(|(table, _)| table);
    if std::env::var_os("UPDATE_ACCESS_TABLE").is_some() {
        let (head, tail) = match (doc.split_once(begin), doc.split_once(end)) {
            (Some((head, _)), Some((_, tail))) => (head.to_string(), tail.to_string()),
            _ => (doc.clone(), "\n".to_string()),
        };
        std::fs::write(path, format!("{head}{begin}{rendered}{end}{tail}")).unwrap();
    } else {
        assert_eq!(
            current,
            Some(rendered.as_str()),
            "docs/access-control.md does not print this table: rerun with UPDATE_ACCESS_TABLE=1"
        );
    }
}

/// The table as markdown: one table per actor, a row per method, a column per caller kind,
/// each cell "without value / with value" ("✓" for done).
fn render(table: &[Row]) -> String {
    let cell = |code: u32| match code {
        OK => "✓".to_string(),
        c => c.to_string(),
    };
    let mut out = String::new();
    let mut actor = "";
    for row in table {
        if row.actor != actor {
            actor = row.actor;
            let _ = write!(out, "\n#### {actor}\n\n| method |");
            for c in CALLERS {
                let _ = write!(out, " {c} |");
            }
            out.push_str("\n|---|");
            out.push_str(&"---|".repeat(N));
            out.push('\n');
        }
        let _ = write!(out, "| {} |", row.method);
        for i in 0..N {
            let _ = write!(
                out,
                " {} / {} |",
                cell(row.without_value[i]),
                cell(row.with_value[i])
            );
        }
        out.push('\n');
    }
    out.push('\n');
    out
}
