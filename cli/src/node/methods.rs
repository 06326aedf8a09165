//! The `Filecoin.*` methods, with Lotus's params and result shapes (`api/api_full.go`; v0 arities
//! from `api/v0api/full.go` where they differ).

use std::sync::Arc;
use std::time::{Duration, Instant};

use cid::Cid;
use fvm_shared::address::{Address, Protocol};
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use serde_json::{json, Value};
use suite_client::wallet::message_cid;
use suite_devnet::fvm::executor::{ApplyKind, ApplyRet};
use suite_devnet::fvm::trace::ExecutionEvent;

use super::chain::{self, base_fee, ChainState, Tipset, BLOCK_GAS_LIMIT};
use super::json::{self, Param, Param as P, StoredReceipt};
use super::rpc::{RpcError, RpcResult};
use super::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    V0,
    V1,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    Read,
    Write,
}

pub type Run = fn(&Arc<Node>, &[Value]) -> RpcResult;

#[derive(Debug)]
pub struct Spec {
    pub name: &'static str,
    /// Each positional param's shape: their count is the method's arity.
    pub params: &'static [Param],
    pub perm: Perm,
    pub run: Run,
}

const fn read(name: &'static str, params: &'static [Param], run: Run) -> Spec {
    Spec {
        name,
        params,
        perm: Perm::Read,
        run,
    }
}

const fn write(name: &'static str, params: &'static [Param], run: Run) -> Spec {
    Spec {
        name,
        params,
        perm: Perm::Write,
        run,
    }
}

/// The v1 methods (and those the same on v0).
const COMMON: &[Spec] = &[
    read("Filecoin.Version", &[], version_v1),
    read("Filecoin.ChainHead", &[], chain_head),
    read("Filecoin.ChainGetTipSet", &[P::TipsetKey], chain_get_tipset),
    read(
        "Filecoin.ChainGetTipSetByHeight",
        &[P::I64("height"), P::TipsetKey],
        chain_get_tipset_by_height,
    ),
    read(
        "Filecoin.ChainGetMessage",
        &[P::Cid("message CID")],
        chain_get_message,
    ),
    read(
        "Filecoin.ChainGetEvents",
        &[P::Cid("events root")],
        chain_get_events,
    ),
    read("Filecoin.StateNetworkName", &[], state_network_name),
    read(
        "Filecoin.StateNetworkVersion",
        &[P::TipsetKey],
        state_network_version,
    ),
    read(
        "Filecoin.StateActorCodeCIDs",
        &[P::U64("network version")],
        state_actor_code_cids,
    ),
    read("Filecoin.ChainReadObj", &[P::Cid("CID")], chain_read_obj),
    read(
        "Filecoin.StateLookupID",
        &[P::Address("address"), P::TipsetKey],
        state_lookup_id,
    ),
    read(
        "Filecoin.StateAccountKey",
        &[P::Address("address"), P::TipsetKey],
        state_account_key,
    ),
    read(
        "Filecoin.StateGetActor",
        &[P::Address("address"), P::TipsetKey],
        state_get_actor,
    ),
    read("Filecoin.WalletBalance", &[P::Address("address")], wallet_balance),
    read(
        "Filecoin.MpoolGetNonce",
        &[P::Address("address")],
        mpool_get_nonce,
    ),
    read(
        "Filecoin.GasEstimateMessageGas",
        &[P::Message, P::SendSpec, P::TipsetKey],
        gas_estimate_message_gas,
    ),
    write("Filecoin.MpoolPush", &[P::SignedMessage], mpool_push),
    read("Filecoin.StateCall", &[P::Message, P::TipsetKey], state_call),
    read("Filecoin.GetActorEventsRaw", &[P::Filter], get_actor_events_raw),
];

const V1_ONLY: &[Spec] = &[
    read(
        "Filecoin.StateSearchMsg",
        &[P::TipsetKey, P::Cid("message CID"), P::I64("limit"), P::Any],
        state_search_msg_v1,
    ),
    read(
        "Filecoin.StateWaitMsg",
        &[
            P::Cid("message CID"),
            P::U64("confidence"),
            P::I64("limit"),
            P::Any,
        ],
        state_wait_msg_v1,
    ),
];

const V0_ONLY: &[Spec] = &[
    read("Filecoin.Version", &[], version_v0),
    read(
        "Filecoin.StateSearchMsg",
        &[P::Cid("message CID")],
        state_search_msg_v0,
    ),
    read(
        "Filecoin.StateSearchMsgLimited",
        &[P::Cid("message CID"), P::I64("limit")],
        state_search_msg_limited_v0,
    ),
    read(
        "Filecoin.StateWaitMsg",
        &[P::Cid("message CID"), P::U64("confidence")],
        state_wait_msg_v0,
    ),
    read(
        "Filecoin.StateWaitMsgLimited",
        &[P::Cid("message CID"), P::U64("confidence"), P::I64("limit")],
        state_wait_msg_limited_v0,
    ),
];

/// Every method an API serves, the API's own before the common ones (as [`find`] looks).
pub fn all(api: Api) -> impl Iterator<Item = &'static Spec> {
    let specific = match api {
        Api::V0 => V0_ONLY,
        Api::V1 => V1_ONLY,
    };
    specific.iter().chain(COMMON).chain(super::operator::METHODS)
}

pub fn find(name: &str, api: Api) -> Option<&'static Spec> {
    all(api).find(|s| s.name == name)
}

// ---------------------------------------------------------------------------------------------
// Params.
// ---------------------------------------------------------------------------------------------

use json::parse_tipset_key as tipset_key;

fn tipset(node: &Node, v: &Value) -> Result<Arc<Tipset>, RpcError> {
    let key = tipset_key(v)?;
    node.index.read().expect("index lock").tipset(&key)
}

/// The state root to read at: `None` (the head's, on the chain thread) for the head.
fn state_root(node: &Node, v: &Value) -> Result<Option<Cid>, RpcError> {
    let key = tipset_key(v)?;
    if key.is_empty() {
        return Ok(None);
    }
    Ok(Some(tipset(node, v)?.record.state_root))
}

fn not_found(address: &Address) -> RpcError {
    RpcError::failure(format!(
        "resolution lookup failed ({}): actor not found",
        json::address(address)
    ))
}

// ---------------------------------------------------------------------------------------------
// Chain.
// ---------------------------------------------------------------------------------------------

fn version(node: &Node, api_version: u64) -> RpcResult {
    Ok(json!({
        "Version": format!("1.36.2+suite-devnet-{}", env!("CARGO_PKG_VERSION")),
        "APIVersion": api_version,
        "BlockDelay": node.mode.block_delay(),
        "Agent": "suite-node",
    }))
}

fn version_v1(node: &Arc<Node>, _: &[Value]) -> RpcResult {
    version(node, 131840)
}

fn version_v0(node: &Arc<Node>, _: &[Value]) -> RpcResult {
    version(node, 66816)
}

fn chain_head(node: &Arc<Node>, _: &[Value]) -> RpcResult {
    Ok(node.index.read().expect("index lock").head().json.clone())
}

fn chain_get_tipset(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    Ok(tipset(node, &p[0])?.json.clone())
}

fn chain_get_tipset_by_height(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let height = json::parse_i64(&p[0], "height")?;
    let from = tipset(node, &p[1])?;
    if height > from.record.height {
        return Err(RpcError::failure(format!(
            "looking for tipset with height greater than start point ({height} > {})",
            from.record.height
        )));
    }
    Ok(node
        .index
        .read()
        .expect("index lock")
        .at_height(height)
        .json
        .clone())
}

fn chain_get_message(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let cid = json::parse_cid(&p[0], "message CID")?;
    let found = node.index.read().expect("index lock").message(&cid);
    match found {
        Some(m) => Ok(json::message(&m.signed.message)),
        None => Err(RpcError::failure(format!(
            "failed to load message {cid}: not found"
        ))),
    }
}

fn chain_get_events(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let root = json::parse_cid(&p[0], "events root")?;
    let found = node.index.read().expect("index lock").events.get(&root).cloned();
    match found {
        Some(events) => Ok(Value::Array(events.iter().map(json::event).collect())),
        None => Err(RpcError::failure(format!(
            "failed to load events AMT {root}: not found"
        ))),
    }
}

fn state_network_name(_: &Arc<Node>, _: &[Value]) -> RpcResult {
    Ok(json!(super::NETWORK_NAME))
}

fn state_network_version(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    tipset(node, &p[0])?;
    Ok(json!(u32::from(suite_devnet::harness::NETWORK_VERSION)))
}

/// `[networkVersion]` → `{"storageminer": {"/": …}, …}`: the builtin actors' code CIDs by
/// manifest name (the network's own version only).
fn state_actor_code_cids(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let nv = json::parse_u64(&p[0], "network version")?;
    let ours = u64::from(u32::from(suite_devnet::harness::NETWORK_VERSION));
    if nv != ours {
        return Err(RpcError::failure(format!(
            "actor code CIDs of network version {nv} are unknown: this devnet runs version {ours}"
        )));
    }
    node.read(|s| {
        let mut codes = serde_json::Map::new();
        for (kind, name) in actor_runtime::builtin::BuiltinType::ALL {
            codes.insert(name.to_string(), json::cid(&s.d.h.code_of(kind)));
        }
        Ok(Value::Object(codes))
    })
}

/// `[cid]` → base64 of the block's bytes, from the node's blockstore (state, messages).
fn chain_read_obj(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    use fvm_ipld_blockstore::Blockstore;
    let cid = json::parse_cid(&p[0], "CID")?;
    let block = node.read(move |s| Ok(s.d.store().get(&cid)?))?;
    match block {
        Some(bytes) => Ok(Value::String(data_encoding::BASE64.encode(&bytes))),
        None => Err(RpcError::failure(format!(
            "blockstore get: ipld: could not find {cid}"
        ))),
    }
}

// ---------------------------------------------------------------------------------------------
// State.
// ---------------------------------------------------------------------------------------------

fn state_lookup_id(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let address = json::parse_address(&p[0], "address")?;
    let root = state_root(node, &p[1])?;
    let id = node.read(move |s| Ok(s.lookup_id(&address, root)?))?;
    match id {
        Some(id) => Ok(json!(json::address(&Address::new_id(id)))),
        None => Err(not_found(&address)),
    }
}

fn state_account_key(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let address = json::parse_address(&p[0], "address")?;
    let root = state_root(node, &p[1])?;
    let key = node.read(move |s| s.account_key(&address, root))?;
    Ok(json!(json::address(&key)))
}

fn state_get_actor(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let address = json::parse_address(&p[0], "address")?;
    let root = state_root(node, &p[1])?;
    let actor = node.read(move |s| Ok(s.actor_at(&address, root)?))?;
    actor.map(|a| json::actor(&a)).ok_or_else(|| not_found(&address))
}

fn wallet_balance(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let address = json::parse_address(&p[0], "address")?;
    let actor = node.read(move |s| Ok(s.actor_at(&address, None)?))?;
    Ok(json!(json::amount(&actor.map(|a| a.balance).unwrap_or_default())))
}

fn mpool_get_nonce(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let address = json::parse_address(&p[0], "address")?;
    Ok(json!(node.read(move |s| s.next_nonce(&address))?))
}

// ---------------------------------------------------------------------------------------------
// Messages.
// ---------------------------------------------------------------------------------------------

/// Lotus's gas overestimation factor (`GasLimitOverestimation`).
pub const GAS_OVERESTIMATION: f64 = 1.25;
/// The premium the node suggests when a message names none (there is no competition on a
/// devnet; Lotus's floor for its estimate is 100,000 attoFIL per gas at most).
pub const SUGGESTED_PREMIUM_ATTO: u64 = 100;

fn gas_estimate_message_gas(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let message = json::parse_message(&p[0])?;
    let max_fee = json::parse_send_spec(&p[1])?;
    tipset(node, &p[2])?;
    let estimated = node.read(move |s| estimate(s, message, max_fee))?;
    Ok(json::message(&estimated))
}

/// Fills gas limit (the gas used on a copy of the head state × 1.25), premium and fee cap
/// (Lotus-like: base fee headroom plus premium, capped by `MaxFee` when given).
fn estimate(s: &mut ChainState, mut m: Message, max_fee: TokenAmount) -> Result<Message, RpcError> {
    if m.gas_limit == 0 {
        let actor = s.actor_at(&m.from, None)?.ok_or_else(|| not_found(&m.from))?;
        let mut trial = chain::call_message(&m);
        trial.sequence = actor.sequence;
        trial.gas_fee_cap = base_fee();
        trial.gas_premium = TokenAmount::default();
        let length = fvm_ipld_encoding::to_vec(&trial)
            .map_err(anyhow::Error::from)?
            .len()
            + 66;
        let ret = s.d.h.apply_on_copy(trial, ApplyKind::Explicit, length)?;
        if !ret.msg_receipt.exit_code.is_success() {
            return Err(RpcError::failure(format!(
                "estimating gas used: message execution failed: exit {}, reason: {}",
                ret.msg_receipt.exit_code,
                ret.failure_info.map(|f| f.to_string()).unwrap_or_default().trim()
            )));
        }
        let limit = (ret.msg_receipt.gas_used as f64 * GAS_OVERESTIMATION) as u64;
        m.gas_limit = limit.min(BLOCK_GAS_LIMIT);
    }
    if m.gas_premium.is_zero() {
        m.gas_premium = TokenAmount::from_atto(SUGGESTED_PREMIUM_ATTO);
    }
    if m.gas_fee_cap.is_zero() {
        // Lotus leaves room for 20 epochs of base fee growth (×1.125 each): about ×10.5.
        m.gas_fee_cap = TokenAmount::from_atto(base_fee().atto() * 21u32 / 2u32) + m.gas_premium.clone();
        if max_fee.is_positive() && m.gas_limit > 0 {
            let cap = max_fee.div_floor(m.gas_limit);
            if cap < m.gas_fee_cap {
                m.gas_fee_cap = cap;
            }
        }
        if m.gas_premium > m.gas_fee_cap {
            m.gas_premium = m.gas_fee_cap.clone();
        }
    }
    Ok(m)
}

fn mpool_push(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let signed = json::parse_signed_message(&p[0])?;
    // A key-addressed sender's signature needs no state: checked here, on this worker thread.
    let from = signed.message.from;
    let checked_here = matches!(from.protocol(), Protocol::Secp256k1 | Protocol::BLS);
    if checked_here {
        chain::verify_signature(&signed, &from)?;
    }
    let cid = node.write(move |s| {
        let checked = s.check_push(&signed, checked_here)?;
        let cid = signed.cid();
        s.accept(signed, checked)?;
        Ok(cid)
    })?;
    tracing::debug!(target: "suite::node::mpool", %cid, "accepted");
    Ok(json::cid(&cid))
}

fn lookup_json(node: &Node, cid: &Cid, m: &chain::MessageRecord) -> Value {
    let index = node.index.read().expect("index lock");
    let tipset = index.at_height(m.height);
    json!({
        "Message": json::cid(cid),
        "Receipt": json::receipt(&m.receipt),
        "ReturnDec": Value::Null,
        "TipSet": tipset.key().iter().map(json::cid).collect::<Vec<_>>(),
        "Height": m.height,
    })
}

/// A message included at most `limit` epochs before the head (`-1`: no limit).
fn search(node: &Node, cid: &Cid, limit: i64) -> Option<Arc<chain::MessageRecord>> {
    let index = node.index.read().expect("index lock");
    let m = index.message(cid)?;
    let head = index.head().record.height;
    (limit < 0 || head - m.height <= limit).then_some(m)
}

fn search_json(node: &Node, cid: Cid, limit: i64) -> RpcResult {
    Ok(search(node, &cid, limit).map_or(Value::Null, |m| lookup_json(node, &cid, &m)))
}

fn state_search_msg_v1(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    tipset(node, &p[0])?;
    let cid = json::parse_cid(&p[1], "message CID")?;
    let limit = json::parse_i64(&p[2], "limit")?;
    search_json(node, cid, limit)
}

fn state_search_msg_v0(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    search_json(node, json::parse_cid(&p[0], "message CID")?, -1)
}

fn state_search_msg_limited_v0(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let cid = json::parse_cid(&p[0], "message CID")?;
    search_json(node, cid, json::parse_i64(&p[1], "limit")?)
}

/// The longest a `StateWaitMsg` blocks (Lotus waits forever; clients time out sooner:
/// iso-filecoin after 60 s).
pub const MAX_WAIT: Duration = Duration::from_secs(120);

/// Waits for the message and `confidence` tipsets on top of it. An instant-mode chain makes
/// tipsets only for messages, so there confidence is met as soon as the message is included.
fn wait(node: &Node, cid: Cid, confidence: u64, limit: i64) -> RpcResult {
    let deadline = Instant::now() + MAX_WAIT;
    loop {
        let head = node.index.read().expect("index lock").head().record.height;
        if let Some(m) = search(node, &cid, limit) {
            let deep = head - m.height >= confidence as i64;
            if deep || node.mode == super::Mode::Instant {
                return Ok(lookup_json(node, &cid, &m));
            }
        }
        let now = Instant::now();
        if now >= deadline {
            return Err(RpcError::failure(format!(
                "waiting for message {cid}: not found after {} s",
                MAX_WAIT.as_secs()
            )));
        }
        node.wait_for_tipset_after(head, deadline - now);
    }
}

fn state_wait_msg_v1(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let cid = json::parse_cid(&p[0], "message CID")?;
    let confidence = json::parse_u64(&p[1], "confidence")?;
    let limit = json::parse_i64(&p[2], "limit")?;
    wait(node, cid, confidence, limit)
}

fn state_wait_msg_v0(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let cid = json::parse_cid(&p[0], "message CID")?;
    wait(node, cid, json::parse_u64(&p[1], "confidence")?, -1)
}

fn state_wait_msg_limited_v0(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let cid = json::parse_cid(&p[0], "message CID")?;
    let confidence = json::parse_u64(&p[1], "confidence")?;
    wait(node, cid, confidence, json::parse_i64(&p[2], "limit")?)
}

/// Read-only call, as Lotus's `StateCall`: an implicit message (no signature, no fee, the
/// sender's nonce) on a copy of the head state that is thrown away.
fn state_call(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let message = json::parse_message(&p[0])?;
    let key = tipset_key(&p[1])?;
    let head = node.index.read().expect("index lock").head();
    if !key.is_empty() && key != head.key() {
        return Err(RpcError::failure(
            "StateCall runs on the head only on this devnet: pass null as the tipset key",
        ));
    }
    node.read(move |s| {
        let actor = s.actor_at(&message.from, None)?.ok_or_else(|| {
            RpcError::failure(format!(
                "call raw get actor: sender {} not found on chain: actor not found",
                json::address(&message.from)
            ))
        })?;
        let mut call = chain::call_message(&message);
        call.sequence = actor.sequence;
        let started = Instant::now();
        let ret = s.d.h.apply_on_copy(call.clone(), ApplyKind::Implicit, 0)?;
        Ok(invoc_result(&message, &call, ret, started.elapsed()))
    })
}

fn invoc_result(original: &Message, applied: &Message, ret: ApplyRet, took: Duration) -> Value {
    let receipt = StoredReceipt {
        exit_code: ret.msg_receipt.exit_code.value(),
        return_data: ret.msg_receipt.return_data.clone(),
        gas_used: ret.msg_receipt.gas_used,
        events_root: ret.msg_receipt.events_root,
    };
    let total_cost = ret.base_fee_burn.clone() + ret.over_estimation_burn.clone() + ret.miner_tip.clone();
    json!({
        "MsgCid": json::cid(&message_cid(original)),
        "Msg": json::message(original),
        "MsgRct": json::receipt(&receipt),
        "GasCost": {
            "Message": json::cid(&message_cid(original)),
            "GasUsed": ret.msg_receipt.gas_used.to_string(),
            "BaseFeeBurn": json::amount(&ret.base_fee_burn),
            "OverEstimationBurn": json::amount(&ret.over_estimation_burn),
            "MinerPenalty": json::amount(&ret.penalty),
            "MinerTip": json::amount(&ret.miner_tip),
            "Refund": json::amount(&ret.refund),
            "TotalCost": json::amount(&total_cost),
        },
        "ExecutionTrace": execution_trace(applied, &ret.exec_trace),
        "Error": ret.failure_info.map(|f| f.to_string()).unwrap_or_default(),
        "Duration": took.as_nanos() as u64,
    })
}

/// One call frame of Lotus's `ExecutionTrace`.
struct Frame {
    msg: Value,
    invoked: Value,
    charges: Vec<Value>,
    subcalls: Vec<Value>,
    logs: Vec<Value>,
}

impl Frame {
    fn finish(self, exit_code: u32, ret: Value, codec: u64) -> Value {
        json!({
            "Msg": self.msg,
            "MsgRct": { "ExitCode": exit_code, "Return": ret, "ReturnCodec": codec },
            "InvokedActor": self.invoked,
            "GasCharges": self.charges,
            "Subcalls": if self.subcalls.is_empty() { Value::Null } else { Value::Array(self.subcalls) },
            "Logs": self.logs,
            "IpldOps": [],
        })
    }
}

/// Builds the call tree out of the VM's flat trace (calls, returns, gas charges, invocations).
pub fn execution_trace(top: &Message, events: &[ExecutionEvent]) -> Value {
    use fvm_shared::error::ErrorNumber;
    let mut stack: Vec<Frame> = Vec::new();
    let mut root: Option<Value> = None;
    for e in events {
        match e {
            ExecutionEvent::Call {
                from,
                to,
                method,
                params,
                value,
                gas_limit,
                read_only,
            } => stack.push(Frame {
                msg: json!({
                    "From": json::address(&Address::new_id(*from)),
                    "To": json::address(to),
                    "Value": json::amount(value),
                    "Method": method,
                    "Params": params.as_ref().map_or(Value::Null, |b| json::bytes(&b.data)),
                    "ParamsCodec": params.as_ref().map_or(0, |b| b.codec),
                    "GasLimit": gas_limit,
                    "ReadOnly": read_only,
                }),
                invoked: Value::Null,
                charges: Vec::new(),
                subcalls: Vec::new(),
                logs: Vec::new(),
            }),
            ExecutionEvent::CallReturn(code, ret) => {
                let Some(frame) = stack.pop() else { continue };
                let done = frame.finish(
                    code.value(),
                    ret.as_ref().map_or(Value::Null, |b| json::bytes(&b.data)),
                    ret.as_ref().map_or(0, |b| b.codec),
                );
                match stack.last_mut() {
                    Some(parent) => parent.subcalls.push(done),
                    None => root = Some(done),
                }
            }
            ExecutionEvent::CallError(err) => {
                let Some(frame) = stack.pop() else { continue };
                // A send that failed in the VM (no actor, no funds): the exit code the caller sees.
                let code = match err.1 {
                    ErrorNumber::InsufficientFunds => 6,
                    ErrorNumber::NotFound => 5,
                    _ => 10,
                };
                let done = frame.finish(code, Value::Null, 0);
                match stack.last_mut() {
                    Some(parent) => parent.subcalls.push(done),
                    None => root = Some(done),
                }
            }
            ExecutionEvent::GasCharge(c) => {
                if let Some(frame) = stack.last_mut() {
                    frame.charges.push(json!({
                        "Name": c.name,
                        "tg": c.total().round_up(),
                        "cg": c.compute_gas.round_up(),
                        "sg": c.other_gas.round_up(),
                        "tt": c.elapsed.get().map_or(0, |d| d.as_nanos() as u64),
                    }));
                }
            }
            ExecutionEvent::InvokeActor { id, state } => {
                if let Some(frame) = stack.last_mut() {
                    frame.invoked = json!({
                        "Id": id,
                        "State": {
                            "Code": json::cid(&state.code),
                            "Head": json::cid(&state.state),
                            "Nonce": state.sequence,
                            "Balance": json::amount(&state.balance),
                            "DelegatedAddress": state.delegated_address.as_ref().map(json::address),
                        },
                    });
                }
            }
            ExecutionEvent::Log(text) => {
                if let Some(frame) = stack.last_mut() {
                    frame.logs.push(json!(text));
                }
            }
            _ => {}
        }
    }
    // A message refused before any call (e.g. an unknown receiver) still gets its frame.
    root.unwrap_or_else(|| {
        json!({
            "Msg": {
                "From": json::address(&top.from),
                "To": json::address(&top.to),
                "Value": json::amount(&top.value),
                "Method": top.method_num,
                "Params": json::bytes(top.params.bytes()),
                "ParamsCodec": 0,
                "GasLimit": top.gas_limit,
                "ReadOnly": false,
            },
            "MsgRct": { "ExitCode": 0, "Return": Value::Null, "ReturnCodec": 0 },
            "InvokedActor": Value::Null,
            "GasCharges": [],
            "Subcalls": Value::Null,
            "Logs": [],
            "IpldOps": [],
        })
    })
}

// ---------------------------------------------------------------------------------------------
// Events (FIP-0049).
// ---------------------------------------------------------------------------------------------

/// An entry value a filter accepts: its IPLD codec and bytes.
type CodecValue = (u64, Vec<u8>);

/// `GetActorEventsRaw [filter]`: `{"fromHeight","toHeight","addresses","fields","tipsetKey"}`.
/// `fields` maps an entry key to accepted `{"Codec","Value"}` pairs: an event matches when,
/// for every key, one of its entries with that key has one of the values (Lotus's semantics).
fn get_actor_events_raw(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let filter = match &p[0] {
        Value::Null => serde_json::Map::new(),
        Value::Object(o) => o.clone(),
        _ => return Err(RpcError::invalid("filter: expected an object or null")),
    };
    let get = |k: &str| filter.get(k).filter(|v| !v.is_null());
    let index = node.index.read().expect("index lock");
    let head = index.head().record.height;
    let height = |k: &str, default: i64| -> Result<i64, RpcError> {
        match get(k) {
            None => Ok(default),
            Some(Value::String(s)) if s == "latest" => Ok(head),
            Some(Value::String(s)) if s == "earliest" => Ok(0),
            Some(v) => json::parse_i64(v, k),
        }
    };
    let (from, to) = match get("tipsetKey") {
        Some(key) => {
            let t = index.tipset(&tipset_key(key)?)?;
            (t.record.height, t.record.height)
        }
        None => (height("fromHeight", head)?, height("toHeight", head)?),
    };
    let mut emitters = Vec::new();
    if let Some(list) = get("addresses") {
        let list = list
            .as_array()
            .ok_or_else(|| RpcError::invalid("addresses: expected an array of addresses"))?;
        for a in list {
            let address = json::parse_address(a, "addresses")?;
            // Emitters are ID-addressed in events; an address the chain does not know matches nothing.
            let id = match address.id() {
                Ok(id) => Some(id),
                Err(_) => {
                    drop(index);
                    return get_actor_events_resolving(node, p);
                }
            };
            emitters.push(id);
        }
    }
    let mut fields: Vec<(String, Vec<CodecValue>)> = Vec::new();
    if let Some(f) = get("fields") {
        let f = f
            .as_object()
            .ok_or_else(|| RpcError::invalid("fields: expected {key: [{\"Codec\", \"Value\"}]}"))?;
        for (key, values) in f {
            let values = values
                .as_array()
                .ok_or_else(|| RpcError::invalid(format!("fields.{key}: expected an array")))?;
            let mut accepted = Vec::new();
            for v in values {
                let codec = json::parse_u64(v.get("Codec").unwrap_or(&Value::Null), "fields Codec")?;
                let value = json::parse_bytes(v.get("Value").unwrap_or(&Value::Null), "fields Value")?;
                accepted.push((codec, value));
            }
            fields.push((key.clone(), accepted));
        }
    }
    let mut out = Vec::new();
    for (_, tipset) in index.tipsets.range(from..=to) {
        for cid in &tipset.record.messages {
            let Some(m) = index.messages.get(cid) else {
                continue;
            };
            let Some(root) = m.receipt.events_root else {
                continue;
            };
            let Some(events) = index.events.get(&root) else {
                continue;
            };
            for e in events.iter() {
                if !emitters.is_empty() && !emitters.contains(&Some(e.emitter)) {
                    continue;
                }
                let matches = fields.iter().all(|(key, accepted)| {
                    e.event.entries.iter().any(|x| {
                        &x.key == key && accepted.iter().any(|(c, v)| *c == x.codec && *v == x.value)
                    })
                });
                if matches {
                    out.push(json::actor_event(e, tipset.record.height, &tipset.key(), cid));
                }
            }
        }
    }
    Ok(Value::Array(out))
}

/// [`get_actor_events_raw`] with key addresses among the emitters: they are resolved to IDs
/// at the head first.
fn get_actor_events_resolving(node: &Arc<Node>, p: &[Value]) -> RpcResult {
    let mut filter = p[0].clone();
    let addresses = filter["addresses"].as_array().cloned().unwrap_or_default();
    let mut ids = Vec::new();
    for a in addresses {
        let address = json::parse_address(&a, "addresses")?;
        let id = node.read(move |s| Ok(s.lookup_id(&address, None)?))?;
        // An unknown emitter: an ID no actor has, so it matches nothing.
        ids.push(json!(json::address(&Address::new_id(id.unwrap_or(u64::MAX)))));
    }
    filter["addresses"] = Value::Array(ids);
    get_actor_events_raw(node, &[filter])
}
