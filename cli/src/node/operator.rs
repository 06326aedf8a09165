//! The `Devnet.*` namespace: what consensus and proving do on a real network, done on demand
//! by the devnet's operator (the same operator controls as the `suite` commands, from
//! [`crate::calls`]). Devnet-only: no Lotus node has these methods. Each is a write (it needs the
//! token when the node has one), runs all or nothing and, when it succeeds, is recorded in a
//! tipset of its own (its operator messages are not listed in the tipset: they are unsigned).

use std::sync::Arc;

use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::piece::PaddedPieceSize;
use serde_json::{json, Value};
use stand_in_market as f05;
use suite_devnet::miner::{self, Control};
use suite_devnet::Account;

use super::json::{self, Param as P};
use super::methods::Spec;
use super::ops as calls;
use super::rpc::{RpcError, RpcResult};
use super::Node;
use crate::devnet::Devnet;

const fn op(name: &'static str, params: &'static [P], run: fn(&Arc<Node>, &[Value]) -> RpcResult) -> Spec {
    Spec {
        name,
        params,
        perm: super::methods::Perm::Write,
        run,
    }
}

/// A miner and one of its sectors.
const MINER_SECTOR: &[P] = &[P::Address("miner"), P::U64("sector")];

pub const METHODS: &[Spec] = &[
    Spec {
        name: "Devnet.Deployment",
        params: &[],
        perm: super::methods::Perm::Read,
        run: deployment,
    },
    Spec {
        name: "Devnet.DealEnding",
        params: &[P::U64("deal")],
        perm: super::methods::Perm::Read,
        run: deal_ending,
    },
    op(
        "Devnet.Faucet",
        &[P::Address("address"), P::Amount("amount")],
        faucet,
    ),
    op("Devnet.AdvanceEpochs", &[P::I64("epochs")], advance_epochs),
    op(
        "Devnet.CreateMiner",
        &[P::Address("owner"), P::Address("worker")],
        create_miner,
    ),
    op(
        "Devnet.AddSector",
        &[
            P::Address("miner"),
            P::U64("sector"),
            P::U64("deadline"),
            P::U64("partition"),
            P::OptI64("expiration"),
        ],
        add_sector,
    ),
    op("Devnet.FaultSector", MINER_SECTOR, fault_sector),
    op("Devnet.RecoverSector", MINER_SECTOR, recover_sector),
    op("Devnet.TerminateSector", MINER_SECTOR, terminate_sector),
    op("Devnet.StopProving", MINER_SECTOR, stop_proving),
    op("Devnet.ResumeProving", MINER_SECTOR, resume_proving),
    op("Devnet.PublishDeal", &[P::Object(DEAL_SHAPE)], publish_deal),
    op(
        "Devnet.ActivateDeal",
        &[P::U64("deal"), P::U64("sector")],
        activate_deal,
    ),
    op("Devnet.TerminateDeal", &[P::U64("deal")], terminate_deal),
    op("Devnet.SettleDeal", &[P::U64("deal")], settle_deal),
    op(
        "Devnet.NotifySectorContentChanged",
        &[P::Address("miner"), P::Address("receiver"), P::Bytes("params")],
        notify_sector_content_changed,
    ),
];

/// What `Devnet.PublishDeal` answers a deal that is not an object.
const DEAL_SHAPE: &str = "deal: expected an object with Client, Provider, PieceCID, PieceSize, EndEpoch";

/// The most epochs one `Devnet.AdvanceEpochs` moves (a day of 30-second epochs × 365).
const MAX_ADVANCE: i64 = 1_051_200;

fn id_of(d: &Devnet, address: &Address) -> Result<u64, RpcError> {
    d.h.resolve(address)?.ok_or_else(|| {
        RpcError::failure(format!(
            "resolution lookup failed ({}): actor not found",
            json::address(address)
        ))
    })
}

/// An account on chain with its key (the devnet sends as it without a signature: an
/// operator power).
fn account(d: &Devnet, address: &Address) -> Result<Account, anyhow::Error> {
    d.account(&json::address(address)).or_else(|_| {
        let id =
            d.h.resolve(address)?
                .ok_or_else(|| anyhow::anyhow!("{}: actor not found", json::address(address)))?;
        let state: stand_in_account::State = d.h.state(id)?;
        Ok(Account {
            id,
            key: state.address,
        })
    })
}

/// `[address, attoFIL]` → `{"Id", "Balance"}`: the operator sends FIL (creating the account of a
/// new key address).
fn faucet(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let to = json::parse_address(&p[0], "address")?;
    let amount = json::parse_amount(&p[1], "amount")?;
    if !amount.is_positive() {
        return Err(RpcError::invalid("amount: a positive number of attoFIL"));
    }
    node.write(move |s| {
        let id = s.operate(|d| {
            let operator = d.operator();
            calls::transfer(d, &operator, to, amount)
        })?;
        let balance = s.d.h.balance(id)?;
        Ok(json!({ "Id": json::address(&Address::new_id(id)), "Balance": json::amount(&balance) }))
    })
}

/// `[epochs]` → the new head height: null rounds, then a tipset `epochs` above the head (the
/// chain's cron runs for every epoch passed).
fn advance_epochs(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let epochs = json::parse_i64(&p[0], "epochs")?;
    if !(1..=MAX_ADVANCE).contains(&epochs) {
        return Err(RpcError::invalid(format!("epochs: 1 to {MAX_ADVANCE}")));
    }
    node.write(move |s| {
        s.operate(|d| {
            let target = d.h.epoch() + epochs - 1;
            calls::advance_to(d, target)
        })?;
        Ok(json!(s.head().height))
    })
}

/// `[owner, worker]` → the new miner's ID address: a stand-in miner (32 GiB sectors) created
/// through init as its owner; the worker needs a BLS key.
fn create_miner(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let owner = json::parse_address(&p[0], "owner")?;
    let worker = json::parse_address(&p[1], "worker")?;
    node.write(move |s| {
        // The devnet creates the miner as its owner, with the owner's next on-chain nonce: one
        // the owner's waiting messages would already hold.
        if let Some(id) = s.d.h.resolve(&owner)?.filter(|id| s.has_pending(*id)) {
            return Err(RpcError::failure(format!(
                "the owner f0{id} has messages waiting in the pool: create the miner after the next tipset"
            )));
        }
        let id = s.operate(|d| {
            let owner = account(d, &owner)?;
            let worker = account(d, &worker)?;
            let name = format!("node-miner-{}", d.record.miners.len() + 1);
            calls::create_miner(d, &name, &owner, &worker, &[])
        })?;
        Ok(json!(json::address(&Address::new_id(id))))
    })
}

fn miner_of(s: &super::chain::ChainState, v: &Value) -> Result<u64, RpcError> {
    let address = json::parse_address(v, "miner")?;
    let id = id_of(&s.d, &address)?;
    if s.d.h.builtin_type(id)? != Some(actor_runtime::builtin::BuiltinType::Miner) {
        return Err(RpcError::failure(format!(
            "{} is not a storage miner",
            json::address(&address)
        )));
    }
    Ok(id)
}

/// `[miner, sector, deadline, partition, expiration|null]`: an Active sector appears.
fn add_sector(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let p = p.to_vec();
    let sector = json::parse_u64(&p[1], "sector")?;
    let deadline = json::parse_u64(&p[2], "deadline")?;
    let partition = json::parse_u64(&p[3], "partition")?;
    let expiration = match &p[4] {
        Value::Null => None,
        v => Some(json::parse_i64(v, "expiration")?),
    };
    node.write(move |s| {
        let miner = miner_of(s, &p[0])?;
        s.operate(|d| {
            let expiration = expiration.unwrap_or(d.h.epoch() + calls::YEAR);
            calls::add_sector(d, miner, sector, deadline, partition, expiration)
        })?;
        Ok(Value::Null)
    })
}

fn sector_control(node: &Arc<Node>, p: &[Value], make: fn(u64) -> Control) -> RpcResult {
    let miner_param = p[0].clone();
    let sector = json::parse_u64(&p[1], "sector")?;
    node.write(move |s| {
        let miner = miner_of(s, &miner_param)?;
        s.operate(|d| calls::miner_control(d, miner, &make(sector)))?;
        Ok(Value::Null)
    })
}

/// `[miner, sector]`: the sector turns faulty at once.
fn fault_sector(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    sector_control(node, p, Control::Fault)
}

/// `[miner, sector]`: a faulty sector is active again.
fn recover_sector(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    sector_control(node, p, Control::Recover)
}

/// `[miner, sector]`: the sector is terminated (its deals too, in the market).
fn terminate_sector(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    sector_control(node, p, Control::Terminate)
}

/// `[miner, sector]`: the provider's proving software stops proving the sector: its deadline's
/// next challenge window passes without a WindowPoSt and the sector turns faulty.
fn stop_proving(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    sector_control(node, p, Control::StopProving)
}

/// `[miner, sector]`: the sector is proven again at its windows (a faulty one must also be
/// declared recovered by its miner).
fn resume_proving(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    sector_control(node, p, Control::ResumeProving)
}

/// `[deal]` → `{"Kind": "terminated"|"completed", "Epoch"}` or `null`: how a deal the storage
/// market deleted ended, from its events (those of cron and operator messages included, which
/// no tipset lists).
fn deal_ending(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let deal = json::parse_u64(&p[0], "deal")?;
    node.read(move |s| {
        Ok(s.d
            .deal_ending(deal)
            .map_or(Value::Null, |e| json!({ "Kind": e.kind, "Epoch": e.epoch })))
    })
}

/// `[]` → the devnet's own deployment of the suite, as `suite deploy` writes `suite.json`
/// (`{network, admin, actors: {name: {address, id, code_cid}}}`): what clients use when they
/// have no deployment file.
fn deployment(node: &Arc<Node>, _: &[Value]) -> RpcResult {
    node.read(|s| {
        let suite = s.d.record.suite;
        let mut actors = Vec::new();
        for id in [suite.reputation, suite.escrow, suite.market] {
            let actor =
                s.d.h
                    .actor(id)?
                    .ok_or_else(|| anyhow::anyhow!("suite actor f0{id} is missing"))?;
            actors.push((id, actor.code));
        }
        let actors: [(u64, cid::Cid); 3] = actors.try_into().expect("three actors");
        let d = crate::deployment::Deployment::new(super::NETWORK_NAME, s.d.record.admin, actors);
        Ok(serde_json::to_value(d).map_err(anyhow::Error::from)?)
    })
}

/// `[{"Client","Provider","PieceCID","PieceSize","StartEpoch"?,"EndEpoch","StoragePricePerEpoch"?,
/// "ProviderCollateral"?,"ClientCollateral"?}]` → the deal ID (Lotus's `DealProposal` field names).
fn publish_deal(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let o = p[0]
        .as_object()
        .ok_or_else(|| RpcError::invalid(DEAL_SHAPE))?
        .clone();
    let null = Value::Null;
    let f = |k: &str| o.get(k).unwrap_or(&null);
    let client = json::parse_address(f("Client"), "Client")?;
    let provider = json::parse_address(f("Provider"), "Provider")?;
    let piece_cid = json::parse_cid(f("PieceCID"), "PieceCID")?;
    let piece_size = json::parse_u64(f("PieceSize"), "PieceSize")?;
    let start = match f("StartEpoch") {
        Value::Null => None,
        v => Some(json::parse_i64(v, "StartEpoch")?),
    };
    let end = json::parse_i64(f("EndEpoch"), "EndEpoch")?;
    let price = json::parse_amount(f("StoragePricePerEpoch"), "StoragePricePerEpoch")?;
    let provider_collateral = json::parse_amount(f("ProviderCollateral"), "ProviderCollateral")?;
    let client_collateral = json::parse_amount(f("ClientCollateral"), "ClientCollateral")?;
    node.write(move |s| {
        let client = id_of(&s.d, &client)?;
        let provider = id_of(&s.d, &provider)?;
        let id = s.operate(|d| {
            let proposal = f05::DealProposal {
                piece_cid,
                piece_size: PaddedPieceSize(piece_size),
                verified_deal: false,
                client: Address::new_id(client),
                provider: Address::new_id(provider),
                label: f05::Label::String(String::new()),
                start_epoch: start.unwrap_or(d.h.epoch()),
                end_epoch: end,
                storage_price_per_epoch: price,
                provider_collateral,
                client_collateral,
            };
            calls::publish_deal(d, &proposal)
        })?;
        Ok(json!(id))
    })
}

/// `[deal, sector]`: the deal is activated in a sector of its provider.
fn activate_deal(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let deal = json::parse_u64(&p[0], "deal")?;
    let sector = json::parse_u64(&p[1], "sector")?;
    node.write(move |s| {
        s.operate(|d| calls::activate_deal(d, deal, sector))?;
        Ok(Value::Null)
    })
}

fn deal_control(node: &Arc<Node>, p: &[Value], method: u64) -> RpcResult {
    let deal = json::parse_u64(&p[0], "deal")?;
    node.write(move |s| {
        s.operate(|d| calls::deal_control(d, method, deal))?;
        Ok(Value::Null)
    })
}

/// `[deal]`: the deal ends early, as a slashed provider's would.
fn terminate_deal(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    deal_control(node, p, f05::METHOD_HARNESS_TERMINATE_DEAL)
}

/// `[deal]`: a deal that ended is settled.
fn settle_deal(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    deal_control(node, p, f05::METHOD_HARNESS_SETTLE_DEAL)
}

/// `[miner, receiver, params]` → `{"ExitCode", "Return", "Events"}`: the miner sends the DDO
/// `SectorContentChanged` notification to `receiver`; `params` is base64 of the CBOR of
/// `SectorContentChangedParams` (FIP-0076), as the receiver decodes it. `Events` are the
/// operator message's events (`types.Event`, as ChainGetEvents gives them: the receiver's
/// claims or refusals), since an operator control is not a chain message the event index holds.
fn notify_sector_content_changed(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let miner_param = p[0].clone();
    let receiver = json::parse_address(&p[1], "receiver")?;
    let params = json::parse_bytes(&p[2], "params")?;
    let sectors: miner::SectorContentChangedParams = fvm_ipld_encoding::from_slice(&params)
        .map_err(|e| RpcError::invalid(format!("params: not the CBOR of SectorContentChangedParams: {e}")))?;
    node.write(move |s| {
        let miner = miner_of(s, &miner_param)?;
        let ret = s.operate(|d| {
            let control = Control::Notify(miner::HarnessNotifyParams { receiver, sectors });
            let operator = d.operator();
            let r = miner::control_from(d, &operator, miner, &control)?;
            let ret: miner::HarnessNotifyReturn = r.ret()?;
            Ok((ret, r.events))
        })?;
        let (ret, events) = ret;
        Ok(json!({
            "ExitCode": ret.exit_code.value(),
            "Return": json::bytes(RawBytes::bytes(&ret.return_data)),
            "Events": events.iter().map(json::event).collect::<Vec<_>>(),
        }))
    })
}
