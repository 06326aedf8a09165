//! The commands' chain: a Lotus-compatible node over JSON-RPC (`--rpc`), with keys from the
//! local keystore. [`RpcChain`] is the clients' [`Chain`] as a dApp would reach it: a message is
//! simulated with `StateCall` (a refusal is answered before anything is signed, with the actor's
//! message), then given its nonce (`MpoolGetNonce`) and gas (`GasEstimateMessageGas`), signed,
//! pushed (`MpoolPush`) and waited for (`StateWaitMsg`); its events come from `ChainGetEvents`.
//! Reads are `StateCall`s from the system actor, which exists on every Filecoin chain.

use std::cell::Cell;
use std::time::Duration;

use anyhow::{anyhow, bail, Context, Result};
use cid::Cid;
use data_encoding::BASE64;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::clock::ChainEpoch;
use fvm_shared::econ::TokenAmount;
use fvm_shared::error::ExitCode;
use fvm_shared::event::{ActorEvent, Entry, Flags, StampedEvent};
use fvm_shared::message::Message;
use fvm_shared::{ActorID, MethodNum};
use serde_json::{json, Value};
use suite_client::wallet::{Keystore, SignedMessage};
use suite_client::{Account, Chain, Receipt};

use crate::node::json;

/// Where commands find a node unless told: Lotus's default API address.
pub const DEFAULT_RPC: &str = "http://127.0.0.1:1234/rpc/v1";

/// How long a command waits for its message to be included (`StateWaitMsg` blocks up to this).
const WAIT_TIMEOUT: Duration = Duration::from_secs(180);

/// A JSON-RPC error the node answered, kept apart from transport failures so that callers can
/// tell "the node lacks this method" (`-32601`) from "the node is down".
#[derive(Debug, Clone)]
pub struct NodeError {
    pub method: String,
    pub code: i64,
    pub message: String,
}

impl std::fmt::Display for NodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} answered error {}: {}",
            self.method, self.code, self.message
        )
    }
}

impl std::error::Error for NodeError {}

/// JSON-RPC 2.0 over HTTP POST, one request at a time.
pub struct RpcClient {
    url: String,
    token: Option<String>,
    agent: ureq::Agent,
    next_id: Cell<u64>,
}

impl RpcClient {
    pub fn new(url: &str, token: Option<String>) -> Self {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(5)))
            .timeout_global(Some(WAIT_TIMEOUT + Duration::from_secs(20)))
            .http_status_as_error(false)
            .build()
            .into();
        Self {
            url: url.to_string(),
            token: token.filter(|t| !t.is_empty()),
            agent,
            next_id: Cell::new(1),
        }
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Calls `method` with positional `params`; answers its `result`.
    pub fn call(&self, method: &str, params: Value) -> Result<Value> {
        let id = self.next_id.get();
        self.next_id.set(id + 1);
        let body = json!({ "jsonrpc": "2.0", "method": method, "params": params, "id": id });
        let mut request = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json");
        if let Some(token) = &self.token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let mut response = request.send(body.to_string()).map_err(|e| self.unreachable(e))?;
        let status = response.status().as_u16();
        let text = response
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .with_context(|| format!("reading the answer of {} to {method}", self.url))?;
        if status == 401 {
            bail!(
                "the node at {} refused {method}: it needs a token (pass --token or set SUITE_RPC_TOKEN)",
                self.url
            );
        }
        let answer: Value = serde_json::from_str(&text).map_err(|_| {
            anyhow!(
                "{} answered {method} with HTTP {status} and no JSON-RPC body: is --rpc a node's API address (…/rpc/v1)?",
                self.url
            )
        })?;
        if let Some(error) = answer.get("error").filter(|e| !e.is_null()) {
            return Err(NodeError {
                method: method.to_string(),
                code: error["code"].as_i64().unwrap_or(0),
                message: error["message"].as_str().unwrap_or("").to_string(),
            }
            .into());
        }
        Ok(answer.get("result").cloned().unwrap_or(Value::Null))
    }

    fn unreachable(&self, e: ureq::Error) -> anyhow::Error {
        match e {
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => anyhow!(
                "no node answers at {}: start one (`suite node`) or point --rpc (SUITE_RPC) at a running node",
                self.url
            ),
            other => anyhow!(
                "cannot reach the node at {}: {other} (check --rpc / SUITE_RPC)",
                self.url
            ),
        }
    }
}

/// Whether an error is the node saying it has no such method.
pub fn is_unknown_method(e: &anyhow::Error) -> bool {
    e.downcast_ref::<NodeError>().is_some_and(|n| n.code == -32601)
}

/// The clients' chain over a node: keys from `keystore`.
pub struct RpcChain {
    pub rpc: RpcClient,
    pub keystore: Keystore,
}

/// A message the node would refuse (its simulation failed): the receipt of that simulation.
fn simulated_failure(invocation: &Value) -> Result<Option<Receipt>> {
    let receipt = parse_receipt(&invocation["MsgRct"])?;
    if receipt.exit_code.is_success() {
        return Ok(None);
    }
    let error = invocation["Error"].as_str().unwrap_or("").to_string();
    Ok(Some(Receipt {
        failure: Some(error),
        ..receipt
    }))
}

impl RpcChain {
    pub fn new(rpc: RpcClient, keystore: Keystore) -> Self {
        Self { rpc, keystore }
    }

    fn call_message(
        &self,
        from: Address,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> Message {
        Message {
            version: 0,
            from,
            to,
            sequence: 0,
            value,
            method_num: method,
            params,
            gas_limit: 0,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        }
    }

    /// `StateCall` at the head: the invocation result.
    fn state_call(&self, m: &Message) -> Result<Value> {
        self.rpc
            .call("Filecoin.StateCall", json!([json::message(m), null]))
    }

    /// Signs and pushes a message that already carries its nonce and gas; answers its CID.
    pub fn push(&self, m: Message) -> Result<Cid> {
        let key = self.keystore.get(&m.from)?.ok_or_else(|| {
            anyhow!(
                "no key for {} in {}: create one (`suite wallet new`) or import it (`suite wallet import`)",
                json::address(&m.from),
                self.keystore.dir().display()
            )
        })?;
        let signed = SignedMessage::sign(&key, m)?;
        let answer = self
            .rpc
            .call("Filecoin.MpoolPush", json!([signed_message(&signed)]))?;
        parse_cid(&answer, "MpoolPush's answer")
    }

    /// Waits for a message's inclusion; answers its receipt with its events.
    pub fn wait(&self, cid: &Cid) -> Result<Receipt> {
        let lookup = self
            .rpc
            .call("Filecoin.StateWaitMsg", json!([json::cid(cid), 1, -1, true]))?;
        let mut receipt = parse_receipt(&lookup["Receipt"])?;
        if let Some(root) = lookup["Receipt"]["EventsRoot"]
            .as_object()
            .and_then(|o| o.get("/"))
        {
            let root: Cid = root.as_str().unwrap_or("").parse().context("EventsRoot")?;
            let events = self
                .rpc
                .call("Filecoin.ChainGetEvents", json!([json::cid(&root)]))?;
            receipt.events = parse_events(&events)?;
        }
        if !receipt.is_ok() {
            receipt.failure = Some(format!(
                "message {cid} failed on chain with exit {} after its simulation passed (the state changed in between); its trace: `lotus state replay {cid}`",
                receipt.exit_code.value()
            ));
        }
        Ok(receipt)
    }

    /// The head's height.
    pub fn head_height(&self) -> Result<ChainEpoch> {
        let head = self.rpc.call("Filecoin.ChainHead", json!([]))?;
        head["Height"]
            .as_i64()
            .ok_or_else(|| anyhow!("ChainHead answered no Height"))
    }
}

impl Chain for RpcChain {
    fn send(
        &mut self,
        from: &Account,
        to: Address,
        method: MethodNum,
        params: RawBytes,
        value: TokenAmount,
    ) -> Result<Receipt> {
        let mut m = self.call_message(from.key, to, method, params, value);
        // A refusal is answered before anything is signed or paid for.
        if let Some(failed) = simulated_failure(&self.state_call(&m)?)? {
            return Ok(failed);
        }
        let nonce = self
            .rpc
            .call("Filecoin.MpoolGetNonce", json!([json::address(&m.from)]))?;
        m.sequence = nonce
            .as_u64()
            .ok_or_else(|| anyhow!("MpoolGetNonce answered {nonce}"))?;
        let estimated = self.rpc.call(
            "Filecoin.GasEstimateMessageGas",
            json!([json::message(&m), null, null]),
        )?;
        m.gas_limit = estimated["GasLimit"]
            .as_u64()
            .ok_or_else(|| anyhow!("GasEstimateMessageGas answered no GasLimit: {estimated}"))?;
        m.gas_fee_cap = parse_amount(&estimated["GasFeeCap"], "GasFeeCap")?;
        m.gas_premium = parse_amount(&estimated["GasPremium"], "GasPremium")?;
        let cid = self.push(m)?;
        self.wait(&cid)
    }

    fn read(&mut self, to: Address, method: MethodNum, params: RawBytes) -> Result<Receipt> {
        let system = Address::new_id(actor_runtime::builtin::SYSTEM_ACTOR_ID);
        let m = self.call_message(system, to, method, params, TokenAmount::default());
        let invocation = self.state_call(&m)?;
        match simulated_failure(&invocation)? {
            Some(failed) => Ok(failed),
            None => parse_receipt(&invocation["MsgRct"]),
        }
    }

    /// The next message goes into the tipset above the head.
    fn epoch(&self) -> Result<ChainEpoch> {
        Ok(self.head_height()? + 1)
    }

    fn balance(&self, address: &Address) -> Result<TokenAmount> {
        let answer = self
            .rpc
            .call("Filecoin.WalletBalance", json!([json::address(address)]))?;
        parse_amount(&answer, "WalletBalance's answer")
    }

    fn resolve(&self, address: &Address) -> Result<Option<ActorID>> {
        if let Ok(id) = address.id() {
            // An ID address names an actor only if one is there.
            return Ok(self.actor(address)?.map(|_| id));
        }
        match self
            .rpc
            .call("Filecoin.StateLookupID", json!([json::address(address), null]))
        {
            Ok(answer) => {
                let text = answer.as_str().unwrap_or("");
                let id = crate::devnet::parse_address(text)?.id()?;
                Ok(Some(id))
            }
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// An actor's state as `StateGetActor` answers it.
#[derive(Debug, Clone)]
pub struct ActorInfo {
    pub code: Cid,
    pub balance: TokenAmount,
}

impl RpcChain {
    /// The actor at an address, if any.
    pub fn actor(&self, address: &Address) -> Result<Option<ActorInfo>> {
        match self
            .rpc
            .call("Filecoin.StateGetActor", json!([json::address(address), null]))
        {
            Ok(a) => Ok(Some(ActorInfo {
                code: parse_cid(&a["Code"], "Code")?,
                balance: parse_amount(&a["Balance"], "Balance")?,
            })),
            Err(e) if is_not_found(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Lotus words it "actor not found" (the node too).
fn is_not_found(e: &anyhow::Error) -> bool {
    e.downcast_ref::<NodeError>()
        .is_some_and(|n| n.message.contains("actor not found"))
}

pub fn signed_message(s: &SignedMessage) -> Value {
    json!({
        "Message": json::message(&s.message),
        "Signature": {
            "Type": s.signature.sig_type as u8,
            "Data": BASE64.encode(&s.signature.bytes),
        },
    })
}

pub fn parse_cid(v: &Value, what: &str) -> Result<Cid> {
    let text = v
        .get("/")
        .and_then(Value::as_str)
        .or_else(|| v.as_str())
        .ok_or_else(|| anyhow!("{what}: expected a CID, got {v}"))?;
    text.parse()
        .with_context(|| format!("{what}: {text:?} is not a CID"))
}

pub fn parse_amount(v: &Value, what: &str) -> Result<TokenAmount> {
    let text = v
        .as_str()
        .ok_or_else(|| anyhow!("{what}: expected attoFIL as a decimal string, got {v}"))?;
    let atto: fvm_shared::bigint::BigInt = text
        .parse()
        .with_context(|| format!("{what}: {text:?} is not a number"))?;
    Ok(TokenAmount::from_atto(atto))
}

fn parse_bytes(v: &Value, what: &str) -> Result<Vec<u8>> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => BASE64
            .decode(s.as_bytes())
            .with_context(|| format!("{what}: not base64")),
        other => bail!("{what}: expected base64, got {other}"),
    }
}

/// A `MessageReceipt` (`{ExitCode, Return, GasUsed, EventsRoot}`), without events.
pub fn parse_receipt(v: &Value) -> Result<Receipt> {
    let exit = v["ExitCode"]
        .as_u64()
        .ok_or_else(|| anyhow!("a receipt without ExitCode: {v}"))?;
    let gas_used = match &v["GasUsed"] {
        Value::String(s) => s.parse().unwrap_or(0),
        other => other.as_u64().unwrap_or(0),
    };
    Ok(Receipt {
        exit_code: ExitCode::new(exit as u32),
        return_data: RawBytes::new(parse_bytes(&v["Return"], "Return")?),
        gas_used,
        events: Vec::new(),
        failure: None,
    })
}

pub(crate) fn parse_entries(entries: &Value) -> Result<Vec<Entry>> {
    entries
        .as_array()
        .ok_or_else(|| anyhow!("event entries: expected a list"))?
        .iter()
        .map(|x| {
            let pick = |k: &str, alt: &str| x.get(k).or_else(|| x.get(alt)).cloned().unwrap_or(Value::Null);
            Ok(Entry {
                flags: Flags::from_bits_truncate(pick("Flags", "flags").as_u64().unwrap_or(0)),
                key: pick("Key", "key").as_str().unwrap_or("").to_string(),
                codec: pick("Codec", "codec").as_u64().unwrap_or(0),
                value: parse_bytes(&pick("Value", "value"), "event value")?,
            })
        })
        .collect()
}

/// `ChainGetEvents`'s `[{Emitter, Entries}]`.
pub fn parse_events(v: &Value) -> Result<Vec<StampedEvent>> {
    let Some(list) = v.as_array() else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|e| {
            Ok(StampedEvent {
                emitter: e["Emitter"].as_u64().unwrap_or(0),
                event: ActorEvent {
                    entries: parse_entries(&e["Entries"])?,
                },
            })
        })
        .collect()
}

/// One event of `GetActorEventsRaw`.
#[derive(Debug, Clone)]
pub struct ChainEvent {
    pub event: StampedEvent,
}

/// Events of `emitter` whose `$type` is `event_type` and whose indexed entries equal `fields`
/// (CBOR values), from `from_height` to the head.
pub fn actor_events(
    rpc: &RpcClient,
    emitter: ActorID,
    event_type: &str,
    fields: &[(&str, Vec<u8>)],
    from_height: ChainEpoch,
) -> Result<Vec<ChainEvent>> {
    let mut filter = serde_json::Map::new();
    let mut wanted = vec![("$type", fvm_ipld_encoding::to_vec(&event_type)?)];
    wanted.extend(fields.iter().map(|(k, v)| (*k, v.clone())));
    for (key, value) in wanted {
        filter.insert(
            key.to_string(),
            json!([{ "Codec": fvm_ipld_encoding::CBOR, "Value": BASE64.encode(&value) }]),
        );
    }
    let spec = json!({
        "fromHeight": from_height,
        "toHeight": "latest",
        "addresses": [json::address(&Address::new_id(emitter))],
        "fields": filter,
    });
    let answer = rpc.call("Filecoin.GetActorEventsRaw", json!([spec]))?;
    let Some(list) = answer.as_array() else {
        return Ok(Vec::new());
    };
    list.iter()
        .map(|e| {
            let emitter_text = e["emitter"].as_str().unwrap_or("");
            let emitter = crate::devnet::parse_address(emitter_text)
                .and_then(|a| Ok(a.id()?))
                .unwrap_or(emitter);
            Ok(ChainEvent {
                event: StampedEvent {
                    emitter,
                    event: ActorEvent {
                        entries: parse_entries(&e["entries"])?,
                    },
                },
            })
        })
        .collect()
}
