//! `suite node` on the real binary, over HTTP on a free loopback port: every Lotus method it
//! serves, signed pushes (secp256k1, BLS, an f0 sender) with their receipts, events and
//! balances, the `Devnet.*` namespace, bad input of every kind the issue lists (each refused with a
//! JSON-RPC error and nothing reaching the chain), 1,000 concurrent mixed requests, and `kill -9`
//! under load followed by a restart (no accepted message lost or applied twice). The node of each
//! test is killed when the test ends.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cid::Cid;
use data_encoding::BASE64;
use fvm_ipld_encoding::{from_slice, to_vec, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use serde_json::{json, Value};
use suite_client::wallet::{message_cid, Key, KeyType, SignedMessage};
use suite_interfaces::bounty::{
    GetBountyReturn, IdParams, PostBountyParams, METHOD_GET_BOUNTY, METHOD_POST_BOUNTY,
};

use common::temp_dir;

/// A test's directory (its devnet in `devnet/`), removed when the test ends (after its node,
/// which is declared later and so dropped first).
struct TestDir(PathBuf);

impl TestDir {
    fn new(name: &str) -> Self {
        Self(temp_dir("node", name))
    }
}

impl std::ops::Deref for TestDir {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A running `suite node`, killed on drop.
struct Node {
    child: Child,
    port: u16,
    dir: PathBuf,
    token: Option<String>,
}

impl Node {
    fn start(dir: &Path, extra: &[&str]) -> Self {
        let mut child = common::node_command(&dir.join("devnet"), extra)
            .spawn()
            .expect("starting suite node");
        let port = common::read_port(&mut child);
        let token = extra
            .iter()
            .position(|a| *a == "--token")
            .map(|i| extra[i + 1].to_string());
        Node {
            child,
            port,
            dir: dir.to_path_buf(),
            token,
        }
    }

    /// A node that must refuse to start: its exit status and stderr.
    fn start_err(dir: &Path, extra: &[&str]) -> (bool, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_suite"))
            .arg("--data-dir")
            .arg(dir.join("devnet"))
            .args(["node", "--listen", "127.0.0.1:0"])
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// POSTs `body` to `path`; the HTTP status and the JSON answer.
    fn post(&self, path: &str, body: &[u8], token: Option<&str>) -> (u16, Value) {
        http(self.port, "POST", path, body, token)
    }

    /// The whole JSON-RPC answer of one call on /rpc/v1.
    fn envelope(&self, method: &str, params: Value) -> Value {
        self.envelope_at("/rpc/v1", method, params)
    }

    fn envelope_at(&self, path: &str, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 7});
        let (_, answer) = self.post(path, body.to_string().as_bytes(), self.token.as_deref());
        assert_eq!(answer["id"], 7, "{answer}");
        answer
    }

    /// The result of a call that must succeed.
    fn call(&self, method: &str, params: Value) -> Value {
        let answer = self.envelope(method, params.clone());
        assert!(
            answer.get("error").is_none(),
            "{method} {params} failed: {answer}"
        );
        answer["result"].clone()
    }

    /// The error of a call that must fail: (code, message).
    fn error(&self, method: &str, params: Value) -> (i64, String) {
        let answer = self.envelope(method, params.clone());
        let e = &answer["error"];
        assert!(e.is_object(), "{method} {params} should have failed: {answer}");
        (
            e["code"].as_i64().unwrap(),
            e["message"].as_str().unwrap().to_string(),
        )
    }

    fn head_height(&self) -> i64 {
        self.call("Filecoin.ChainHead", json!([]))["Height"]
            .as_i64()
            .unwrap()
    }

    fn balance(&self, a: &Address) -> TokenAmount {
        atto(&self.call("Filecoin.WalletBalance", json!([a.to_string()])))
    }

    fn nonce(&self, a: &Address) -> u64 {
        self.call("Filecoin.MpoolGetNonce", json!([a.to_string()]))
            .as_u64()
            .unwrap()
    }

    /// A funded secp256k1 or BLS key.
    fn funded(&self, kind: KeyType, fil: u64) -> Key {
        let key = Key::generate(kind).unwrap();
        let got = self.call(
            "Devnet.Faucet",
            json!([
                key.address().to_string(),
                TokenAmount::from_whole(fil).atto().to_string()
            ]),
        );
        assert_eq!(
            got["Balance"],
            TokenAmount::from_whole(fil).atto().to_string(),
            "{got}"
        );
        key
    }

    /// Signs `m` (nonce and gas from the node unless set) and pushes it; the CID answered.
    fn push(&self, key: &Key, m: Message) -> Result<Cid, (i64, String)> {
        let signed = SignedMessage::sign_as(key, m);
        let answer = self.envelope("Filecoin.MpoolPush", json!([lotus_signed(&signed)]));
        if let Some(e) = answer.get("error") {
            return Err((
                e["code"].as_i64().unwrap(),
                e["message"].as_str().unwrap().to_string(),
            ));
        }
        let cid: Cid = answer["result"]["/"].as_str().unwrap().parse().unwrap();
        assert_eq!(cid, signed.cid(), "MpoolPush answers the signed message's CID");
        Ok(cid)
    }

    /// A message from `key` with the node's nonce and gas estimate.
    fn prepared(&self, key: &Key, to: Address, method: u64, params: RawBytes, value: TokenAmount) -> Message {
        let m = Message {
            version: 0,
            from: key.address(),
            to,
            sequence: self.nonce(&key.address()),
            value,
            method_num: method,
            params,
            gas_limit: 0,
            gas_fee_cap: TokenAmount::default(),
            gas_premium: TokenAmount::default(),
        };
        let estimated = self.call(
            "Filecoin.GasEstimateMessageGas",
            json!([lotus_message(&m), {"MaxFee": "0"}, null]),
        );
        Message {
            gas_limit: estimated["GasLimit"].as_u64().unwrap(),
            gas_fee_cap: atto(&estimated["GasFeeCap"]),
            gas_premium: atto(&estimated["GasPremium"]),
            ..m
        }
    }

    fn wait(&self, cid: &Cid) -> Value {
        self.call(
            "Filecoin.StateWaitMsg",
            json!([{"/": cid.to_string()}, 1, -1, false]),
        )
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

trait SignAs {
    fn sign_as(key: &Key, m: Message) -> SignedMessage;
}

impl SignAs for SignedMessage {
    /// Signs with `key` whatever the message's `from` (an f0 sender, or a wrong key on purpose).
    fn sign_as(key: &Key, message: Message) -> SignedMessage {
        let signature = key.sign(&message_cid(&message).to_bytes()).unwrap();
        SignedMessage { message, signature }
    }
}

/// A minimal HTTP/1.1 client (one request per connection), enough for the tests.
fn http(port: u16, method: &str, path: &str, body: &[u8], token: Option<&str>) -> (u16, Value) {
    match try_http_why(port, method, path, body, token) {
        Ok(answer) => answer,
        Err(why) => panic!("no answer from the node: {why}"),
    }
}

/// [`http`], or `None` when the node does not answer (it was killed).
fn try_http(port: u16, method: &str, path: &str, body: &[u8], token: Option<&str>) -> Option<(u16, Value)> {
    try_http_why(port, method, path, body, token).ok()
}

fn try_http_why(
    port: u16,
    method: &str,
    path: &str,
    body: &[u8],
    token: Option<&str>,
) -> Result<(u16, Value), String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connecting: {e}"))?;
    s.set_read_timeout(Some(Duration::from_secs(180))).unwrap();
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    // The node may answer (413) before reading a huge body: a failed write is fine then.
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let read = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no HTTP answer ({read:?}): {text:?}"))?;
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("no HTTP status: {head:?}"))?;
    let value = serde_json::from_str(body).unwrap_or_else(|e| panic!("answer is not JSON ({e}): {body:?}"));
    Ok((status, value))
}

fn atto(v: &Value) -> TokenAmount {
    TokenAmount::from_atto(v.as_str().unwrap().parse::<u128>().unwrap())
}

fn b64(bytes: &[u8]) -> Value {
    if bytes.is_empty() {
        Value::Null
    } else {
        json!(BASE64.encode(bytes))
    }
}

/// A message as iso-filecoin's `toLotus` writes it (no CID).
fn lotus_message(m: &Message) -> Value {
    json!({
        "Version": 0, "To": m.to.to_string(), "From": m.from.to_string(), "Nonce": m.sequence,
        "Value": m.value.atto().to_string(), "GasLimit": m.gas_limit,
        "GasFeeCap": m.gas_fee_cap.atto().to_string(), "GasPremium": m.gas_premium.atto().to_string(),
        "Method": m.method_num, "Params": b64(m.params.bytes()),
    })
}

fn lotus_signed(s: &SignedMessage) -> Value {
    let kind = match s.signature.sig_type {
        fvm_shared::crypto::signature::SignatureType::Secp256k1 => 1,
        fvm_shared::crypto::signature::SignatureType::BLS => 2,
    };
    json!({"Message": lotus_message(&s.message), "Signature": {"Type": kind, "Data": BASE64.encode(&s.signature.bytes)}})
}

fn send(from: &Key, to: Address, value: TokenAmount) -> Message {
    Message {
        version: 0,
        from: from.address(),
        to,
        sequence: 0,
        value,
        method_num: 0,
        params: RawBytes::default(),
        gas_limit: 10_000_000,
        gas_fee_cap: TokenAmount::from_atto(1_000),
        gas_premium: TokenAmount::from_atto(100),
    }
}

/// The bounty market's ID in the node's own deployment (`Devnet.Deployment`).
fn market_of(node: &Node) -> u64 {
    node.call("Devnet.Deployment", json!([]))["actors"]["bounty-market"]["id"]
        .as_u64()
        .unwrap()
}

fn a_piece() -> Cid {
    "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy"
        .parse()
        .unwrap()
}

fn post_params(expiry: i64) -> PostBountyParams {
    PostBountyParams {
        piece_cid: a_piece(),
        piece_size: 128,
        replicas: 2,
        reward_per_replica: TokenAmount::from_whole(3),
        collateral_per_replica: TokenAmount::from_whole(1),
        min_duration: 3_000,
        expiry,
        min_reputation: None,
        allowed_providers: None,
        distinct_owners: false,
        max_per_region: None,
        renewals: 0,
    }
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

#[test]
fn read_methods_answer_in_lotus_shapes() {
    let dir = TestDir::new("reads");
    // No `suite init`: the node creates its devnet.
    let node = Node::start(&dir, &[]);
    let v1 = node.call("Filecoin.Version", json!([]));
    assert_eq!(v1["APIVersion"], 131840);
    let v0 = node.envelope_at("/rpc/v0", "Filecoin.Version", json!([]));
    assert_eq!(v0["result"]["APIVersion"], 66816);
    // Params absent, as iso-filecoin sends zero-arg calls.
    let (_, bare) = node.post(
        "/rpc/v1",
        br#"{"jsonrpc":"2.0","method":"Filecoin.ChainHead","id":1}"#,
        None,
    );
    let head = bare["result"].clone();
    assert_eq!(head["Cids"].as_array().unwrap().len(), 1);
    let block = &head["Blocks"][0];
    let timestamp = block["Timestamp"].as_u64().unwrap();
    assert!(
        timestamp.abs_diff(now()) <= 5,
        "a wall-clock timestamp: {timestamp}"
    );
    assert_eq!(block["Height"], head["Height"]);
    assert_eq!(block["ParentBaseFee"], "100");
    assert!(block["ParentStateRoot"]["/"]
        .as_str()
        .unwrap()
        .starts_with("bafy"));
    // The same tipset by key and by height.
    let by_key = node.call("Filecoin.ChainGetTipSet", json!([head["Cids"]]));
    assert_eq!(by_key, head);
    let height = head["Height"].as_i64().unwrap();
    assert_eq!(
        node.call("Filecoin.ChainGetTipSetByHeight", json!([height, null])),
        head
    );
    // iso-filecoin's finality lookback on a young chain: the earliest tipset.
    let early = node.call(
        "Filecoin.ChainGetTipSetByHeight",
        json!([height - 901, head["Cids"]]),
    );
    assert!(early["Height"].as_i64().unwrap() <= height);
    let (code, message) = node.error("Filecoin.ChainGetTipSetByHeight", json!([height + 5, null]));
    assert_eq!(code, 1);
    assert!(message.contains("greater than"), "{message}");

    assert_eq!(node.call("Filecoin.StateNetworkName", json!([])), "suite-devnet");
    assert_eq!(node.call("Filecoin.StateNetworkVersion", json!([null])), 27);

    // An account made by the faucet: its ID, key, actor, balance, nonce.
    let key = node.funded(KeyType::Secp256k1, 10);
    let address = key.address().to_string();
    let id = node.call("Filecoin.StateLookupID", json!([address, null]));
    let id = id.as_str().unwrap().to_string();
    assert!(id.starts_with("t0"), "{id}");
    let t_key = format!("t{}", &address[1..]);
    assert_eq!(node.call("Filecoin.StateAccountKey", json!([id, null])), t_key);
    assert_eq!(
        node.call("Filecoin.StateAccountKey", json!([address, null])),
        t_key
    );
    let actor = node.call("Filecoin.StateGetActor", json!([id, null]));
    assert_eq!(actor["Nonce"], 0);
    assert_eq!(actor["Balance"], TokenAmount::from_whole(10).atto().to_string());
    assert!(actor["Code"]["/"].is_string() && actor["Head"]["/"].is_string());
    assert_eq!(node.balance(&key.address()), TokenAmount::from_whole(10));
    assert_eq!(node.nonce(&key.address()), 0);
    // At an older tipset the account did not exist yet.
    let (code, message) = node.error("Filecoin.StateLookupID", json!([address, head["Cids"]]));
    assert_eq!(code, 1);
    assert!(message.contains("actor not found"), "{message}");

    // Unknown actors: Lotus's words.
    let stranger = Key::generate(KeyType::Secp256k1).unwrap().address().to_string();
    assert_eq!(node.call("Filecoin.WalletBalance", json!([stranger])), "0");
    for method in ["Filecoin.StateGetActor", "Filecoin.StateLookupID"] {
        let (code, message) = node.error(method, json!([stranger, null]));
        assert_eq!(code, 1);
        assert!(message.contains("actor not found"), "{method}: {message}");
    }
    let (code, message) = node.error("Filecoin.MpoolGetNonce", json!([stranger]));
    assert!(code == 1 && message.contains("actor not found"), "{message}");
}

#[test]
fn signed_messages_are_mined_with_receipts_and_gas_paid() {
    let dir = TestDir::new("push");
    let node = Node::start(&dir, &[]);
    let alice = node.funded(KeyType::Secp256k1, 100);
    let bob = Key::generate(KeyType::Bls).unwrap();
    let before = node.balance(&alice.address());
    let height = node.head_height();

    let value = TokenAmount::from_whole(7);
    let m = node.prepared(&alice, bob.address(), 0, RawBytes::default(), value.clone());
    assert!(
        m.gas_limit > 0 && m.gas_fee_cap >= TokenAmount::from_atto(100),
        "{m:?}"
    );
    let cid = node.push(&alice, m.clone()).unwrap();
    let found = node.wait(&cid);
    assert_eq!(found["Message"]["/"], cid.to_string());
    assert_eq!(found["Receipt"]["ExitCode"], 0);
    let gas_used = found["Receipt"]["GasUsed"].as_u64().unwrap();
    assert!(
        gas_used > 0 && gas_used <= m.gas_limit,
        "estimate covers use: {gas_used} ≤ {}",
        m.gas_limit
    );
    // Instant mode: the message got a tipset of its own, right above the old head.
    assert_eq!(found["Height"], height + 1);
    let tipset = node.call("Filecoin.ChainGetTipSetByHeight", json!([height + 1, null]));
    assert_eq!(found["TipSet"], tipset["Cids"]);
    assert_eq!(
        tipset["Blocks"][0]["Parents"],
        node.call("Filecoin.ChainGetTipSetByHeight", json!([height, null]))["Cids"]
    );

    // The recipient got the value exactly; the sender paid value + gas, within its fee cap.
    assert_eq!(node.balance(&bob.address()), value);
    let paid = before.clone() - node.balance(&alice.address());
    let fee = paid.clone() - value.clone();
    assert!(
        fee >= TokenAmount::from_atto(gas_used) * 100u64,
        "at least gas used × base fee: {fee}"
    );
    assert!(
        fee <= TokenAmount::from_atto(m.gas_limit) * m.gas_fee_cap.atto(),
        "at most limit × cap: {fee}"
    );
    assert_eq!(node.nonce(&alice.address()), 1);

    // Lookups: v1 search, v0 search (glif's one-param form), the message itself.
    let searched = node.call(
        "Filecoin.StateSearchMsg",
        json!([null, {"/": cid.to_string()}, -1, true]),
    );
    assert_eq!(searched, found);
    let v0 = node.envelope_at(
        "/rpc/v0",
        "Filecoin.StateSearchMsg",
        json!([{"/": cid.to_string()}]),
    );
    assert_eq!(v0["result"], found);
    let v0_wait = node.envelope_at(
        "/rpc/v0",
        "Filecoin.StateWaitMsg",
        json!([{"/": cid.to_string()}, 0]),
    );
    assert_eq!(v0_wait["result"], found);
    let got = node.call("Filecoin.ChainGetMessage", json!([{"/": cid.to_string()}]));
    assert_eq!(got["Nonce"], 0);
    assert_eq!(got["Value"], value.atto().to_string());
    let unknown = message_cid(&send(&bob, alice.address(), TokenAmount::from_atto(1)));
    let none = node.call(
        "Filecoin.StateSearchMsg",
        json!([null, {"/": unknown.to_string()}, -1, true]),
    );
    assert!(none.is_null());

    // A BLS sender: its message is known by the unsigned CID.
    node.call(
        "Devnet.Faucet",
        json!([
            bob.address().to_string(),
            TokenAmount::from_whole(1).atto().to_string()
        ]),
    );
    let m = node.prepared(
        &bob,
        alice.address(),
        0,
        RawBytes::default(),
        TokenAmount::from_atto(5),
    );
    let cid = node.push(&bob, m.clone()).unwrap();
    assert_eq!(cid, message_cid(&m));
    assert_eq!(node.wait(&cid)["Receipt"]["ExitCode"], 0);

    // An f0 sender, signed by its account's key.
    let id: Address = {
        let text = node.call(
            "Filecoin.StateLookupID",
            json!([alice.address().to_string(), null]),
        );
        let text = text.as_str().unwrap();
        format!("f{}", &text[1..]).parse().unwrap()
    };
    let mut m = send(&alice, bob.address(), TokenAmount::from_atto(9));
    m.from = id;
    m.sequence = node.nonce(&id);
    let cid = node.push(&alice, m).unwrap();
    assert_eq!(node.wait(&cid)["Receipt"]["ExitCode"], 0);
    assert_eq!(node.nonce(&alice.address()), 2);

    // A message that fails on chain is still included: nonce used, gas paid, exit code kept.
    let mut m = send(&alice, bob.address(), TokenAmount::default());
    m.method_num = 12345;
    m.sequence = 2;
    let cid = node.push(&alice, m).unwrap();
    let failed = node.wait(&cid);
    assert_ne!(failed["Receipt"]["ExitCode"], 0, "{failed}");
    assert_eq!(node.nonce(&alice.address()), 3);

    // Restarted, the node serves the same chain.
    let head = node.call("Filecoin.ChainHead", json!([]));
    drop(node);
    let node = Node::start(&dir, &[]);
    assert_eq!(
        node.call(
            "Filecoin.StateSearchMsg",
            json!([null, {"/": cid.to_string()}, -1, true])
        ),
        failed
    );
    let same = node.call("Filecoin.ChainGetTipSetByHeight", json!([head["Height"], null]));
    assert_eq!(same, head);
}

#[test]
fn refused_pushes_say_why_and_change_nothing() {
    let dir = TestDir::new("refusals");
    let node = Node::start(&dir, &[]);
    let alice = node.funded(KeyType::Secp256k1, 1);
    let mallory = node.funded(KeyType::Secp256k1, 1);
    let bob = Key::generate(KeyType::Secp256k1).unwrap();
    let good = send(&alice, bob.address(), TokenAmount::from_atto(1));
    let cid = node.push(&alice, good.clone()).unwrap();
    node.wait(&cid);
    let (head, balance, nonce) = (
        node.head_height(),
        node.balance(&alice.address()),
        node.nonce(&alice.address()),
    );

    let next = |f: &dyn Fn(&mut Message)| {
        let mut m = good.clone();
        m.sequence = 1;
        f(&mut m);
        m
    };
    let refused = |why: &str, result: Result<Cid, (i64, String)>, expect: &str| {
        let (code, message) = result.expect_err(why);
        assert_eq!(code, 1, "{why}: {message}");
        assert!(
            message.contains(expect),
            "{why}: {message:?} should say {expect:?}"
        );
    };

    // Bad signature: one byte of a valid one flipped.
    let mut signed = SignedMessage::sign_as(&alice, next(&|_| {}));
    signed.signature.bytes[10] ^= 1;
    let answer = node.envelope("Filecoin.MpoolPush", json!([lotus_signed(&signed)]));
    assert!(
        answer["error"]["message"].as_str().unwrap().contains("signature"),
        "{answer}"
    );
    // Wrong key: mallory signs alice's message.
    refused(
        "wrong key",
        node.push(&mallory, next(&|_| {})),
        "invalid signature",
    );
    // A BLS signature type for a secp256k1 sender.
    let bls = Key::generate(KeyType::Bls).unwrap();
    refused(
        "wrong signature type",
        node.push(&bls, next(&|_| {})),
        "signature",
    );
    // Replayed: the message already included.
    refused("replay", node.push(&alice, good.clone()), "nonce too low");
    refused(
        "nonce gap",
        node.push(&alice, next(&|m| m.sequence = 5)),
        "nonce gap",
    );
    refused(
        "insufficient funds",
        node.push(&alice, next(&|m| m.value = TokenAmount::from_whole(2))),
        "not enough funds",
    );
    refused(
        "fee cap",
        node.push(
            &alice,
            next(&|m| {
                m.gas_fee_cap = TokenAmount::from_atto(99);
                m.gas_premium = TokenAmount::from_atto(1);
            }),
        ),
        "fee cap too low",
    );
    refused(
        "negative premium",
        node.push(&alice, next(&|m| m.gas_premium = TokenAmount::from_atto(-1))),
        "gas premium is negative",
    );
    refused(
        "gas limit",
        node.push(&alice, next(&|m| m.gas_limit = 10_000_000_001)),
        "block gas limit",
    );
    refused(
        "gas limit too low",
        node.push(&alice, next(&|m| m.gas_limit = 100)),
        "below",
    );
    refused(
        "oversized",
        node.push(&alice, next(&|m| m.params = RawBytes::new(vec![0x40; 70_000]))),
        "too big",
    );
    // A sender with no actor.
    let stranger = Key::generate(KeyType::Secp256k1).unwrap();
    refused(
        "unknown sender",
        node.push(
            &stranger,
            send(&stranger, bob.address(), TokenAmount::from_atto(1)),
        ),
        "not found",
    );
    // An f0 sender that is not an account.
    let mut m = next(&|_| {});
    m.from = Address::new_id(5);
    refused("non-account sender", node.push(&alice, m), "not an account");

    // Nothing reached the chain.
    assert_eq!(node.head_height(), head);
    assert_eq!(node.balance(&alice.address()), balance);
    assert_eq!(node.nonce(&alice.address()), nonce);
    // And the next message with the right nonce is accepted.
    let cid = node.push(&alice, next(&|_| {})).unwrap();
    assert_eq!(node.wait(&cid)["Receipt"]["ExitCode"], 0);
}

#[test]
fn malformed_requests_get_json_rpc_errors() {
    let dir = TestDir::new("malformed");
    let node = Node::start(&dir, &["--token", "s3cret"]);
    let post = |body: &[u8]| node.post("/rpc/v1", body, None);
    let (_, a) = post(b"{\"jsonrpc\":\"2.0\",\"method\":");
    assert_eq!(a["error"]["code"], -32700, "{a}");
    let (_, a) = post(b"[]");
    assert_eq!(a["error"]["code"], -32600, "{a}");
    let (_, a) = post(br#"{"jsonrpc":"2.0","method":"Filecoin.Nope","params":[],"id":1}"#);
    assert_eq!(a["error"]["code"], -32601, "{a}");
    assert!(a["error"]["message"].as_str().unwrap().contains("Filecoin.Nope"));
    let (_, a) = post(br#"{"jsonrpc":"2.0","method":"Filecoin.ChainHead","params":[1],"id":1}"#);
    assert_eq!(a["error"]["code"], -32602, "{a}");
    assert!(
        a["error"]["message"]
            .as_str()
            .unwrap()
            .contains("wrong param count"),
        "{a}"
    );
    let (_, a) = post(br#"{"jsonrpc":"2.0","method":"Filecoin.StateLookupID","params":[12,null],"id":1}"#);
    assert_eq!(a["error"]["code"], -32602, "{a}");
    let (_, a) = post(br#"{"jsonrpc":"2.0","method":"Filecoin.StateLookupID","params":["t0x",null],"id":1}"#);
    assert_eq!(a["error"]["code"], -32602, "{a}");
    let (_, a) =
        post(br#"{"jsonrpc":"2.0","method":"Filecoin.ChainGetTipSet","params":[[{"/":"nope"}]],"id":1}"#);
    assert_eq!(a["error"]["code"], -32602, "{a}");
    let (_, a) = post(br#"{"jsonrpc":"2.0","method":"Filecoin.ChainHead","params":{"a":1},"id":1}"#);
    assert_eq!(a["error"]["code"], -32602, "{a}");
    let (_, a) = post(
        br#"{"jsonrpc":"2.0","method":"Filecoin.MpoolPush","params":[{"Message":{"To":"t01"}}],"id":1}"#,
    );
    assert!(a["error"].is_object(), "{a}");
    // v1 and v0 arities.
    let (_, a) = post(br#"{"jsonrpc":"2.0","method":"Filecoin.StateSearchMsg","params":[{"/":"bafy2bzacebwrjswscknsaoio7por352ahmfhblajag4t5ynb3zetjdtxn2opg"}],"id":1}"#);
    assert_eq!(a["error"]["code"], -32602, "{a}");
    // A huge body is refused unread.
    let huge = vec![b' '; 5 << 20];
    let (status, a) = post(&huge);
    assert_eq!(status, 413);
    assert!(
        a["error"]["message"].as_str().unwrap().contains("larger than"),
        "{a}"
    );
    // A batch.
    let (_, a) = post(br#"[{"jsonrpc":"2.0","method":"Filecoin.ChainHead","id":1},{"jsonrpc":"2.0","method":"Filecoin.X","id":2}]"#);
    assert!(
        a[0]["result"]["Height"].is_number() && a[1]["error"]["code"] == -32601,
        "{a}"
    );
    // Not a POST, not a path of the API.
    let (status, _) = http(node.port, "GET", "/rpc/v1", b"", None);
    assert_eq!(status, 405);
    let (status, _) = node.post("/other", b"{}", None);
    assert_eq!(status, 404);

    // The token: reads without it, writes only with it.
    let faucet = json!({"jsonrpc":"2.0","method":"Devnet.Faucet","params":["t1ypi542zmmgaltijzw4byonei5c267ev5iif2liy","1"],"id":1}).to_string();
    let (_, a) = post(faucet.as_bytes());
    assert!(
        a["error"]["message"].as_str().unwrap().contains("permission"),
        "{a}"
    );
    let (_, a) = node.post("/rpc/v1", faucet.as_bytes(), Some("wrong"));
    assert!(a["error"].is_object(), "{a}");
    let (_, a) = node.post("/rpc/v1", faucet.as_bytes(), Some("s3cret"));
    assert!(a["result"]["Id"].is_string(), "{a}");

    // The node still serves after all that.
    assert!(node.head_height() >= 0);

    // A non-loopback address is refused unless --unsafe-listen.
    let out = Command::new(env!("CARGO_BIN_EXE_suite"))
        .arg("--data-dir")
        .arg(dir.join("other"))
        .args(["node", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--unsafe-listen"));
}

#[test]
fn state_call_reads_a_bounty_and_events_are_served() {
    let dir = TestDir::new("bounty");
    let node = Node::start(&dir, &[]);
    let market_id = market_of(&node);
    let market = Address::new_id(market_id);
    let client = node.funded(KeyType::Secp256k1, 50);
    let before = node.balance(&client.address());
    let expiry = node.head_height() + 10_000;
    let p = post_params(expiry);
    let m = node.prepared(
        &client,
        market,
        METHOD_POST_BOUNTY,
        RawBytes::new(to_vec(&p).unwrap()),
        TokenAmount::from_whole(6),
    );
    let cid = node.push(&client, m).unwrap();
    let found = node.wait(&cid);
    assert_eq!(found["Receipt"]["ExitCode"], 0, "{found}");
    let spent = before.clone() - node.balance(&client.address());
    assert!(
        spent > TokenAmount::from_whole(6)
            && spent < TokenAmount::from_whole(6) + TokenAmount::from_nano(1_000)
    );
    let bounty_id: u64 = from_slice(
        &BASE64
            .decode(found["Receipt"]["Return"].as_str().unwrap().as_bytes())
            .unwrap(),
    )
    .unwrap();

    // GetBounty through StateCall, as a dApp reads it.
    let call = json!({
        "To": market.to_string(), "From": client.address().to_string(), "Value": "0",
        "Method": METHOD_GET_BOUNTY, "Params": BASE64.encode(&to_vec(&IdParams { id: bounty_id }).unwrap()),
    });
    let r = node.call("Filecoin.StateCall", json!([call, null]));
    assert_eq!(r["MsgRct"]["ExitCode"], 0, "{r}");
    assert_eq!(r["ExecutionTrace"]["MsgRct"]["ExitCode"], 0);
    assert_eq!(r["ExecutionTrace"]["Msg"]["To"], format!("t0{market_id}"));
    assert!(!r["ExecutionTrace"]["GasCharges"].as_array().unwrap().is_empty());
    let ret: GetBountyReturn = from_slice(
        &BASE64
            .decode(r["MsgRct"]["Return"].as_str().unwrap().as_bytes())
            .unwrap(),
    )
    .unwrap();
    assert_eq!(ret.bounty_id, bounty_id);
    assert_eq!(ret.bounty.piece_cid, a_piece());
    assert_eq!(ret.bounty.replicas, 2);
    assert_eq!(ret.bounty.reward_per_replica, TokenAmount::from_whole(3));
    assert_eq!(ret.bounty.expiry, expiry);
    // The call changed nothing: no nonce used, nothing mined.
    let height = node.head_height();
    assert_eq!(node.nonce(&client.address()), 1);

    // A call that aborts: an answer with the exit code and the reason, not an RPC error.
    let missing = json!({
        "To": market.to_string(), "From": client.address().to_string(),
        "Method": METHOD_GET_BOUNTY, "Params": BASE64.encode(&to_vec(&IdParams { id: 999 }).unwrap()),
    });
    let r = node.call("Filecoin.StateCall", json!([missing, null]));
    assert_eq!(r["MsgRct"]["ExitCode"], 17, "{r}");
    assert_eq!(r["ExecutionTrace"]["MsgRct"]["ExitCode"], 17);
    assert!(r["Error"].as_str().unwrap().contains("999"), "{r}");
    // A StateCall with subcalls: PostBounty itself (simulated) calls the escrow / others.
    let simulate = json!({
        "To": market.to_string(), "From": client.address().to_string(), "Value": TokenAmount::from_whole(6).atto().to_string(),
        "Method": METHOD_POST_BOUNTY, "Params": BASE64.encode(&to_vec(&p).unwrap()),
    });
    let r = node.call("Filecoin.StateCall", json!([simulate, null]));
    assert_eq!(r["MsgRct"]["ExitCode"], 0, "{r}");
    // An unknown sender is an RPC error, as in Lotus.
    let stranger = Key::generate(KeyType::Secp256k1).unwrap().address().to_string();
    let (code, message) = node.error(
        "Filecoin.StateCall",
        json!([{"To": market.to_string(), "From": stranger, "Method": METHOD_GET_BOUNTY}, null]),
    );
    assert!(code == 1 && message.contains("not found"), "{message}");
    assert_eq!(node.head_height(), height);
    assert_eq!(node.balance(&client.address()), before.clone() - spent);

    // Events: by the receipt's root, and filtered.
    let root = found["Receipt"]["EventsRoot"].clone();
    assert!(root["/"].is_string(), "{found}");
    let events = node.call("Filecoin.ChainGetEvents", json!([root]));
    let posted = &events.as_array().unwrap()[0];
    assert_eq!(posted["Emitter"], market_id);
    let bounty_entry = posted["Entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["Key"] == "bounty")
        .unwrap()
        .clone();
    let h = found["Height"].as_i64().unwrap();
    let filter = |f: Value| node.call("Filecoin.GetActorEventsRaw", json!([f]));
    let all = filter(json!({"fromHeight": h, "toHeight": h}));
    assert_eq!(
        all.as_array().unwrap().len(),
        events.as_array().unwrap().len(),
        "{all}"
    );
    assert_eq!(all[0]["msgCid"]["/"], cid.to_string());
    assert_eq!(all[0]["emitter"], format!("t0{market_id}"));
    assert_eq!(all[0]["tipsetKey"], found["TipSet"]);
    let by_field = filter(json!({
        "fromHeight": 0, "toHeight": h, "addresses": [format!("t0{market_id}")],
        "fields": {"bounty": [{"Codec": bounty_entry["Codec"], "Value": bounty_entry["Value"]}]},
    }));
    assert_eq!(by_field.as_array().unwrap().len(), 1, "{by_field}");
    let other_value = BASE64.encode(&to_vec(&12345u64).unwrap());
    let none = filter(
        json!({"fromHeight": 0, "toHeight": h, "fields": {"bounty": [{"Codec": bounty_entry["Codec"], "Value": other_value}]}}),
    );
    assert!(none.as_array().unwrap().is_empty(), "{none}");
    let other_emitter =
        filter(json!({"fromHeight": 0, "toHeight": h, "addresses": [client.address().to_string()]}));
    assert!(other_emitter.as_array().unwrap().is_empty());
    let earlier = filter(json!({"fromHeight": 0, "toHeight": h - 1}));
    assert!(earlier
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["msgCid"]["/"] != cid.to_string()));
}

#[test]
fn the_devnet_namespace_drives_miners_and_deals() {
    let dir = TestDir::new("operator");
    let node = Node::start(&dir, &[]);
    let owner = node.funded(KeyType::Secp256k1, 100);
    let worker = node.funded(KeyType::Bls, 10);
    let client = node.funded(KeyType::Secp256k1, 100);

    let h = node.head_height();
    assert_eq!(node.call("Devnet.AdvanceEpochs", json!([10])), h + 10);
    assert_eq!(node.head_height(), h + 10);
    // The epochs skipped are null rounds: the tipset before them answers.
    let null_round = node.call("Filecoin.ChainGetTipSetByHeight", json!([h + 5, null]));
    assert_eq!(null_round["Height"], h);

    let miner = node.call(
        "Devnet.CreateMiner",
        json!([owner.address().to_string(), worker.address().to_string()]),
    );
    let miner = miner.as_str().unwrap().to_string();
    assert!(miner.starts_with("t0"), "{miner}");
    node.call("Devnet.AddSector", json!([miner, 1, 0, 0, null]));
    let start = node.head_height() + 1;
    let deal = node.call("Devnet.PublishDeal", json!([{
        "Client": client.address().to_string(), "Provider": miner, "PieceCID": {"/": a_piece().to_string()},
        "PieceSize": 128, "StartEpoch": start + 10, "EndEpoch": start + 600_000, "StoragePricePerEpoch": "1000",
    }]));
    let deal = deal.as_u64().unwrap();
    node.call("Devnet.ActivateDeal", json!([deal, 1]));
    node.call("Devnet.FaultSector", json!([miner, 1]));
    node.call("Devnet.RecoverSector", json!([miner, 1]));
    node.call("Devnet.TerminateDeal", json!([deal]));
    node.call("Devnet.AddSector", json!([miner, 2, 0, 0, null]));
    node.call("Devnet.TerminateSector", json!([miner, 2]));

    // DDO: the miner notifies a receiver (here f05) of a piece added to sector 1, CBOR of
    // SectorContentChangedParams (transparent): [[sector, minimum commitment epoch,
    // [[piece, size, payload]]]].
    let notify = to_vec(&vec![(
        1u64,
        start + 600_000,
        vec![(a_piece(), 128u64, RawBytes::new(to_vec(&deal).unwrap()))],
    )])
    .unwrap();
    let answer = node.call(
        "Devnet.NotifySectorContentChanged",
        json!([miner, "t05", BASE64.encode(&notify)]),
    );
    // The stand-in f05 has no SectorContentChanged: the miner relays its receiver's 22
    // (USR_UNHANDLED_MESSAGE) as the answer, not as an RPC error.
    assert_eq!(answer["ExitCode"], 22, "{answer}");
    assert!(answer["Return"].is_null());
    let (code, message) = node.error("Devnet.NotifySectorContentChanged", json!([miner, "t05", "/w=="]));
    assert_eq!(code, -32602, "{message}");

    // A refused operation says why and changes nothing.
    let head = node.call("Filecoin.ChainHead", json!([]));
    let (code, message) = node.error("Devnet.ActivateDeal", json!([999, 1]));
    assert_eq!(code, 1);
    assert!(!message.is_empty());
    let (code, _) = node.error("Devnet.FaultSector", json!([owner.address().to_string(), 1]));
    assert_eq!(code, 1);
    let (code, _) = node.error("Devnet.AdvanceEpochs", json!([0]));
    assert_eq!(code, -32602);
    assert_eq!(node.call("Filecoin.ChainHead", json!([])), head);
}

#[test]
fn an_idle_instant_node_keeps_its_head_fresh() {
    let dir = TestDir::new("heartbeat");
    let node = Node::start(&dir, &["--heartbeat", "1s"]);
    let head = node.call("Filecoin.ChainHead", json!([]));
    std::thread::sleep(Duration::from_millis(2_500));
    let later = node.call("Filecoin.ChainHead", json!([]));
    let (h0, h1) = (
        head["Height"].as_i64().unwrap(),
        later["Height"].as_i64().unwrap(),
    );
    assert!(h1 > h0, "no heartbeat tipset: {h0} → {h1}");
    let timestamp = later["Blocks"][0]["Timestamp"].as_u64().unwrap();
    assert!(now().abs_diff(timestamp) <= 2, "a fresh timestamp: {timestamp}");
    assert_eq!(
        later["Blocks"][0]["Parents"],
        node.call("Filecoin.ChainGetTipSetByHeight", json!([h1 - 1, null]))["Cids"]
    );
    let (_, message) = Node::start_err(&dir.join("x"), &["--heartbeat", "5m"]);
    assert!(message.contains("--heartbeat"), "{message}");
}

#[test]
fn block_time_mode_mines_waiting_messages_on_the_clock() {
    let dir = TestDir::new("blocktime");
    let node = Node::start(&dir, &["--block-time", "300ms"]);
    let alice = node.funded(KeyType::Secp256k1, 10);
    let bob = Key::generate(KeyType::Secp256k1).unwrap();
    // Three messages in a row: the pool counts the waiting ones in the next nonce.
    let mut cids = Vec::new();
    for n in 0..3 {
        assert_eq!(node.nonce(&alice.address()), n);
        let mut m = send(&alice, bob.address(), TokenAmount::from_atto(1));
        m.sequence = n;
        cids.push(node.push(&alice, m).unwrap());
    }
    // Funds count the waiting messages too: alone this one would fit the balance exactly.
    let mut m = send(&alice, bob.address(), TokenAmount::default());
    m.value = TokenAmount::from_whole(10) - TokenAmount::from_atto(m.gas_limit) * m.gas_fee_cap.atto();
    m.sequence = 3;
    let (_, message) = node.push(&alice, m).unwrap_err();
    assert!(message.contains("not enough funds"), "{message}");
    for cid in &cids {
        // Confidence 2: two tipsets on top.
        let found = node.call(
            "Filecoin.StateWaitMsg",
            json!([{"/": cid.to_string()}, 2, -1, false]),
        );
        assert_eq!(found["Receipt"]["ExitCode"], 0);
        assert!(node.head_height() >= found["Height"].as_i64().unwrap() + 2);
    }
    assert_eq!(node.balance(&bob.address()), TokenAmount::from_atto(3));
    // Empty tipsets keep coming while idle.
    let h = node.head_height();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(node.head_height() >= h + 2);
}

#[test]
fn a_thousand_concurrent_requests_then_kill_9_under_load_loses_nothing() {
    let dir = TestDir::new("load");
    let mut node = Node::start(&dir, &[]);
    let senders: Vec<Key> = (0..4).map(|_| node.funded(KeyType::Secp256k1, 10)).collect();
    let bob = Key::generate(KeyType::Secp256k1).unwrap().address();
    let port = node.port;

    // 1,000 mixed requests in flight at once (one thread each, released together): reads, bad
    // JSON, pushes signed by the wrong key (always refused); meanwhile each sender pushes 10
    // messages in nonce order.
    let accepted = Arc::new(Mutex::new(Vec::<(usize, Cid)>::new()));
    let refused_cids = Arc::new(Mutex::new(Vec::<Cid>::new()));
    let done = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(std::sync::Barrier::new(1000));
    let mut threads: Vec<_> = (0..1000)
        .map(|i| {
            let senders = senders.clone();
            let (refused_cids, done, start) = (refused_cids.clone(), done.clone(), start.clone());
            std::thread::spawn(move || {
                let kind = i % 5;
                let body = match kind {
                    0 => json!({"jsonrpc":"2.0","method":"Filecoin.ChainHead","id":i}).to_string(),
                    1 => json!({"jsonrpc":"2.0","method":"Filecoin.WalletBalance","params":[senders[0].address().to_string()],"id":i}).to_string(),
                    2 => "{not json".to_string(),
                    3 => json!({"jsonrpc":"2.0","method":"Filecoin.StateGetActor","params":[senders[1].address().to_string(), null],"id":i}).to_string(),
                    _ => {
                        let mut m = send(&senders[i % 4], bob, TokenAmount::from_atto(1));
                        m.sequence = (i / 5 % 10) as u64;
                        let s = SignedMessage::sign_as(&senders[(i + 1) % 4], m);
                        refused_cids.lock().unwrap().push(s.cid());
                        json!({"jsonrpc":"2.0","method":"Filecoin.MpoolPush","params":[lotus_signed(&s)],"id":i}).to_string()
                    }
                };
                start.wait();
                let (_, a) = http(port, "POST", "/rpc/v1", body.as_bytes(), None);
                match kind {
                    2 => assert_eq!(a["error"]["code"], -32700),
                    4 => assert!(a["error"]["message"].as_str().unwrap().contains("signature"), "{a}"),
                    _ => assert!(a["result"].is_object() || a["result"].is_string(), "{a}"),
                }
                done.fetch_add(1, Ordering::Relaxed);
            })
        })
        .collect();
    threads.extend((0..4).map(|t| {
        let key = senders[t].clone();
        let accepted = accepted.clone();
        std::thread::spawn(move || {
            for n in 0..10 {
                let mut m = send(&key, bob, TokenAmount::from_atto(1));
                m.sequence = n;
                let s = SignedMessage::sign_as(&key, m);
                let body =
                    json!({"jsonrpc":"2.0","method":"Filecoin.MpoolPush","params":[lotus_signed(&s)],"id":n});
                let (_, a) = http(port, "POST", "/rpc/v1", body.to_string().as_bytes(), None);
                assert!(a["result"]["/"].is_string(), "{a}");
                accepted.lock().unwrap().push((t, s.cid()));
            }
        })
    }));
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(done.load(Ordering::Relaxed), 1000);
    assert_eq!(accepted.lock().unwrap().len(), 40);
    for s in &senders {
        assert_eq!(node.nonce(&s.address()), 10);
    }

    // kill -9 while four clients push as fast as they can; a push counts as accepted only if
    // its answer arrived.
    let stop = Arc::new(AtomicUsize::new(0));
    let pushers: Vec<_> = (0..4)
        .map(|t| {
            let key = senders[t].clone();
            let (accepted, stop) = (accepted.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 10;
                let mut unanswered = None;
                while stop.load(Ordering::Relaxed) == 0 {
                    let mut m = send(&key, bob, TokenAmount::from_atto(1));
                    m.sequence = n;
                    let s = SignedMessage::sign_as(&key, m);
                    let body = json!({"jsonrpc":"2.0","method":"Filecoin.MpoolPush","params":[lotus_signed(&s)],"id":n}).to_string();
                    match try_http(port, "POST", "/rpc/v1", body.as_bytes(), None) {
                        Some((_, a)) if a["result"]["/"].is_string() => {
                            accepted.lock().unwrap().push((t, s.cid()));
                            n += 1;
                        }
                        _ => {
                            unanswered = Some(s.cid());
                            break;
                        }
                    }
                }
                unanswered
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    // SIGKILL (what `Child::kill` sends on Unix): the node gets no chance to write anything.
    node.kill();
    stop.store(1, Ordering::Relaxed);
    let unanswered: Vec<Option<Cid>> = pushers.into_iter().map(|p| p.join().unwrap()).collect();

    let node = Node::start(&node.dir.clone(), &[]);
    let accepted = accepted.lock().unwrap().clone();
    assert!(accepted.len() > 40, "some pushes went through under load");
    for (t, cid) in &accepted {
        let found = node.call(
            "Filecoin.StateSearchMsg",
            json!([null, {"/": cid.to_string()}, -1, true]),
        );
        assert_eq!(
            found["Receipt"]["ExitCode"], 0,
            "accepted push {cid} of sender {t} lost: {found}"
        );
    }
    for (t, s) in senders.iter().enumerate() {
        let accepted_of_t = accepted.iter().filter(|(x, _)| *x == t).count() as u64;
        let nonce = node.nonce(&s.address());
        // The chain has every accepted message, once; at most the one push in flight at the
        // kill may have landed without its answer.
        assert!(
            nonce == accepted_of_t || nonce == accepted_of_t + 1,
            "sender {t}: nonce {nonce}, accepted {accepted_of_t}"
        );
        // The push in flight at the kill is on chain exactly when the nonce says so.
        if let Some(cid) = &unanswered[t] {
            let found = node.call(
                "Filecoin.StateSearchMsg",
                json!([null, {"/": cid.to_string()}, -1, true]),
            );
            assert_eq!(found.is_null(), nonce == accepted_of_t, "sender {t}: {found}");
        }
    }
    // Bob received one attoFIL per message on chain, never twice.
    let on_chain: u64 = senders.iter().map(|s| node.nonce(&s.address())).sum();
    assert_eq!(node.balance(&bob), TokenAmount::from_atto(on_chain));
    for cid in refused_cids.lock().unwrap().iter() {
        let found = node.call(
            "Filecoin.StateSearchMsg",
            json!([null, {"/": cid.to_string()}, -1, true]),
        );
        assert!(found.is_null(), "a refused push reached the chain: {cid}");
    }
}

#[test]
fn js_clients_use_the_node_unchanged() {
    let js = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testing/js");
    assert!(
        js.join("node_modules/iso-filecoin").exists(),
        "the JS test's packages are missing: run scripts/setup.sh (npm ci in testing/js)"
    );
    let dir = TestDir::new("js");
    let node = Node::start(&dir, &[]);
    let market = market_of(&node);
    // The node compiles an actor's module the first time a message reaches it; on a loaded
    // machine that can outlast iso-filecoin's 5 s request timeout, so the market's is compiled
    // now (a GetBounty of a bounty that does not exist yet).
    let warm = node.funded(KeyType::Secp256k1, 1);
    let get = json!({
        "To": format!("t0{market}"), "From": warm.address().to_string(), "Method": METHOD_GET_BOUNTY,
        "Params": BASE64.encode(&to_vec(&IdParams { id: 0 }).unwrap()),
    });
    assert_eq!(
        node.call("Filecoin.StateCall", json!([get, null]))["MsgRct"]["ExitCode"],
        17
    );
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec", "node.test.js"])
        .current_dir(&js)
        .env("SUITE_NODE_URL", format!("http://127.0.0.1:{}", node.port))
        .env("SUITE_MARKET", format!("t0{market}"))
        .env("SUITE_POST_BOUNTY", METHOD_POST_BOUNTY.to_string())
        .env("SUITE_GET_BOUNTY", METHOD_GET_BOUNTY.to_string())
        .output()
        .expect("running node (Node.js 20 or later must be installed)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the JS test failed:\n{report}");
    assert!(report.contains("pass 1"), "{report}");
}
