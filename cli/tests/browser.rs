//! The bounty board page in a real browser: `suite demo --keep` populates a devnet, `suite node`
//! serves it, and `testing/browser/board.test.js` drives Debian's Chromium (headless, through
//! playwright-core) against the page. What the page must show is read here first, over the same
//! JSON-RPC but decoded with the suite's own Rust types (so the page's CBOR decoding is checked
//! against suite-interfaces, not against itself), and handed to the JS test as JSON.
//! Screenshots of every view go to `target/ui-screenshots/` (not committed).

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use data_encoding::BASE64;
use fvm_ipld_encoding::{from_slice, to_vec, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::crypto::signature::SignatureType;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::{json, Value};
use suite_client::wallet::{Key, KeyType, SignedMessage};
use suite_interfaces::bounty::{
    ClaimStatus, GetClaimReturn, IdParams, ListBountiesParams, ListBountiesReturn, METHOD_GET_CLAIM,
    METHOD_LIST_BOUNTIES, METHOD_POST_BOUNTY, NO_DEAL,
};
use suite_interfaces::escrow::{GetLockReturn, LockIdParams, LockStatus, METHOD_GET_LOCK, METHOD_RELEASE};
use suite_interfaces::reputation::{
    GetReputationParams, ReputationView, EVENT_REPUTATION_UPDATED, METHOD_GET_REPUTATION,
};

use common::temp_dir;

const CHROMIUM: &str = "/usr/bin/chromium";
/// The actors' "not found" exit code (USR_NOT_FOUND).
const EXIT_NOT_FOUND: i64 = 17;

/// The test's directory, removed at the end (after the node, declared later, is dropped).
struct TestDir(PathBuf);

impl Drop for TestDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// An address as the node prints it (testnet `t…`), parsed as fvm_shared's mainnet form.
fn address(text: &str) -> Address {
    let mainnet = format!("f{}", text.strip_prefix('t').unwrap_or(text));
    mainnet.parse().unwrap_or_else(|e| panic!("address {text}: {e}"))
}

/// A running `suite node` (common's, killed on drop) and its base URL.
struct Node {
    _node: common::Node,
    url: String,
}

impl Node {
    fn start(data_dir: &Path, extra: &[&str]) -> Self {
        let node = common::Node::start_with(data_dir, extra);
        let url = format!("http://127.0.0.1:{}", node.port);
        Node { _node: node, url }
    }

    /// A GET of `path`: status, the named response headers, body.
    fn get_page(&self, path: &str, headers: &[&str]) -> (u16, Vec<String>, String) {
        let response = ureq::get(&format!("{}{path}", self.url))
            .config()
            .http_status_as_error(false)
            .build()
            .call()
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        let status = response.status().as_u16();
        let values = headers
            .iter()
            .map(|h| {
                let value = response
                    .headers()
                    .get(*h)
                    .map(|v| v.to_str().unwrap().to_string());
                value.unwrap_or_default()
            })
            .collect();
        let mut response = response;
        (status, values, response.body_mut().read_to_string().unwrap())
    }

    fn rpc(&self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let text = ureq::post(&format!("{}/rpc/v1", self.url))
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("{method}: {e}"))
            .body_mut()
            .read_to_string()
            .unwrap();
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert!(answer["error"].is_null(), "{method} failed: {answer}");
        answer["result"].clone()
    }

    /// Signs and pushes a message from `key` (mined at once: the node's instant mode) and
    /// checks that it succeeded.
    fn send<P: Serialize>(&self, key: &Key, to: &str, method: u64, params: &P) {
        let from = key.address();
        let nonce = self.rpc("Filecoin.MpoolGetNonce", json!([from.to_string()]));
        let message = Message {
            version: 0,
            from,
            to: address(to),
            sequence: nonce.as_u64().unwrap(),
            value: TokenAmount::default(),
            method_num: method,
            params: RawBytes::new(to_vec(params).unwrap()),
            gas_limit: 1_000_000_000,
            gas_fee_cap: TokenAmount::from_atto(1_000),
            gas_premium: TokenAmount::from_atto(100),
        };
        let signed = SignedMessage::sign(key, message).unwrap();
        let m = &signed.message;
        let lotus = json!({
            "Message": {
                "Version": 0, "To": m.to.to_string(), "From": m.from.to_string(), "Nonce": m.sequence,
                "Value": "0", "GasLimit": m.gas_limit, "GasFeeCap": m.gas_fee_cap.atto().to_string(),
                "GasPremium": m.gas_premium.atto().to_string(), "Method": m.method_num,
                "Params": BASE64.encode(m.params.bytes()),
            },
            "Signature": {
                "Type": if signed.signature.sig_type == SignatureType::BLS { 2 } else { 1 },
                "Data": BASE64.encode(&signed.signature.bytes),
            },
        });
        let cid = self.rpc("Filecoin.MpoolPush", json!([lotus]));
        let lookup = self.rpc("Filecoin.StateWaitMsg", json!([cid, 1, -1, false]));
        assert_eq!(
            lookup["Receipt"]["ExitCode"], 0,
            "method {method} to {to}: {lookup}"
        );
    }

    /// A getter through `Filecoin.StateCall`: `Ok(return)` or `Err(exit code)`.
    fn get<P: Serialize, R: DeserializeOwned>(&self, to: &str, method: u64, params: &P) -> Result<R, i64> {
        let message = json!({
            "From": "t00", "To": to, "Method": method, "Value": "0", "Nonce": 0, "GasLimit": 0,
            "GasFeeCap": "0", "GasPremium": "0", "Params": BASE64.encode(&to_vec(params).unwrap()),
        });
        let result = self.rpc("Filecoin.StateCall", json!([message, null]));
        match result["MsgRct"]["ExitCode"].as_i64().unwrap() {
            0 => {
                let bytes = BASE64
                    .decode(result["MsgRct"]["Return"].as_str().unwrap().as_bytes())
                    .unwrap();
                Ok(from_slice(&bytes).unwrap())
            }
            code => Err(code),
        }
    }
}

/// Releases a lock whose term is over (anyone may), as the demo's next step would: the escrow
/// reports the completion to the registry, whose `reputation-updated` event the score chart
/// draws. The lock as it was before.
fn release_an_ended_lock(node: &Node, escrow: &str) -> GetLockReturn {
    let head = node.rpc("Filecoin.ChainHead", json!([]))["Height"]
        .as_i64()
        .unwrap();
    let mut ended = None;
    for lock_id in 0.. {
        match node.get::<_, GetLockReturn>(escrow, METHOD_GET_LOCK, &LockIdParams { lock_id }) {
            Ok(l) if l.lock.status == LockStatus::Open && l.lock.end_epoch <= head => {
                ended = Some(l);
                break;
            }
            Ok(_) => {}
            Err(EXIT_NOT_FOUND) => break,
            Err(code) => panic!("GetLock {lock_id} exited {code}"),
        }
    }
    let ended = ended.expect("the demo leaves a lock whose term is over");
    let caller = Key::generate(KeyType::Secp256k1).unwrap();
    node.rpc(
        "Devnet.Faucet",
        json!([
            caller.address().to_string(),
            TokenAmount::from_whole(10).atto().to_string()
        ]),
    );
    node.send(
        &caller,
        escrow,
        METHOD_RELEASE,
        &LockIdParams {
            lock_id: ended.lock_id,
        },
    );
    ended
}

/// How many `reputation-updated` events of `provider` the node holds (decoded here, in Rust).
fn reputation_updates(node: &Node, registry: &str, provider: u64) -> usize {
    let events = node.rpc(
        "Filecoin.GetActorEventsRaw",
        json!([{"fromHeight": 0, "addresses": [registry]}]),
    );
    let entry = |event: &Value, key: &str| -> Option<Vec<u8>> {
        let e = event["entries"].as_array()?.iter().find(|e| e["Key"] == key)?;
        BASE64.decode(e["Value"].as_str()?.as_bytes()).ok()
    };
    events
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| {
            let kind: Option<String> = entry(e, "$type").and_then(|v| from_slice(&v).ok());
            let about: Option<u64> = entry(e, "provider").and_then(|v| from_slice(&v).ok());
            kind.as_deref() == Some(EVENT_REPUTATION_UPDATED) && about == Some(provider)
        })
        .count()
}

fn score_of(node: &Node, registry: &str, provider: u64) -> u16 {
    let params = GetReputationParams {
        provider: Address::new_id(provider),
    };
    let view: ReputationView = node.get(registry, METHOD_GET_REPUTATION, &params).unwrap();
    view.score
}

/// What the page must show for the demo, read with the suite's Rust types.
fn expectations(node: &Node, market: &str, registry: &str, slashed: u64, released: &GetLockReturn) -> Value {
    let charted = released.lock.provider;
    let list: ListBountiesReturn = node
        .get(
            market,
            METHOD_LIST_BOUNTIES,
            &ListBountiesParams {
                client: None,
                piece_cid: None,
                cursor: None,
                limit: 100,
            },
        )
        .unwrap();
    assert!(list.next.is_none());
    let bounties: Vec<Value> = list
        .bounties
        .iter()
        .map(|b| {
            json!({
                "id": b.bounty_id,
                "client": b.bounty.client,
                "reward": b.bounty.reward_per_replica.atto().to_string(),
                "replicas": b.bounty.replicas,
                "sponsors": b.bounty.sponsors,
                "sponsored": b.bounty.sponsored.atto().to_string(),
                "sponsor_refunded": b.bounty.sponsor_refunded.atto().to_string(),
            })
        })
        .collect();
    // Every claim, by walking claim ids until the market has none (the page finds a bounty's
    // claims another way: through its claimants' escrow locks).
    let mut claims = Vec::new();
    for id in 0.. {
        match node.get::<_, GetClaimReturn>(market, METHOD_GET_CLAIM, &IdParams { id }) {
            Ok(c) => claims.push(json!({
                "id": c.claim_id,
                "bounty": c.claim.bounty_id,
                "provider": c.claim.provider,
                // The page shows "DDO" for a claim made by a sector activation.
                "deal": if c.claim.deal.deal_id == NO_DEAL { json!("DDO") } else { json!(c.claim.deal.deal_id) },
                "sector": c.claim.deal.sector,
                "slashed": c.claim.status == ClaimStatus::Slashed,
            })),
            Err(EXIT_NOT_FOUND) => break,
            Err(code) => panic!("GetClaim {id} exited {code}"),
        }
    }
    json!({
        "bounties": bounties,
        "claims": claims,
        "provider": { "id": slashed, "score": score_of(node, registry, slashed) },
        "charted": {
            "id": charted,
            "score": score_of(node, registry, charted),
            "updates": reputation_updates(node, registry, charted),
        },
        "released": { "lock": released.lock_id, "claim": released.lock.reference },
    })
}

#[test]
fn chromium_shows_the_demo_on_the_served_page_live_and_no_ui_turns_the_page_off() {
    let browser = Path::new(env!("CARGO_MANIFEST_DIR")).join("../testing/browser");
    assert!(
        browser.join("node_modules/playwright-core").exists(),
        "the browser test's packages are missing: run scripts/setup.sh (npm ci in testing/browser)"
    );
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: run scripts/setup.sh (apt-get install chromium)"
    );
    let dir = TestDir(temp_dir("browser", "board"));
    let data_dir = dir.0.join("demo");
    let demo = Command::new(env!("CARGO_BIN_EXE_suite"))
        .args(["demo", "--keep"])
        .arg(&data_dir)
        .arg("--json")
        .env_remove("SUITE_DATA_DIR")
        .output()
        .expect("running suite demo");
    assert!(
        demo.status.success(),
        "suite demo failed: {}",
        String::from_utf8_lossy(&demo.stderr)
    );
    let story: Value = serde_json::from_slice(&demo.stdout).expect("suite demo --json prints JSON");

    // `--keep DIR` keeps the node's devnet in DIR/devnet and the demo's keys in DIR/home.
    let devnet_dir = data_dir.join("devnet");
    let node = Node::start(&devnet_dir, &[]);
    // The page and its modules come from the binary, with a policy that lets them reach only
    // the node.
    let (status, headers, html) = node.get_page("/", &["Content-Type", "Content-Security-Policy"]);
    assert_eq!(status, 200);
    assert_eq!(headers[0], "text/html; charset=utf-8");
    assert!(headers[1].contains("default-src 'none'") && headers[1].contains("connect-src 'self'"));
    assert!(html.contains("<script type=\"module\" src=\"app.js\">"), "{html}");
    let (status, headers, _) = node.get_page("/app.js", &["Content-Type"]);
    assert_eq!(
        (status, headers[0].as_str()),
        (200, "text/javascript; charset=utf-8")
    );
    let (status, _, interface) = node.get_page("/interface.json", &[]);
    assert_eq!(status, 200);
    let interface: Value = serde_json::from_str(&interface).unwrap();
    assert_eq!(interface["methods"]["ListBounties"], json!(METHOD_LIST_BOUNTIES));
    assert_eq!(node.get_page("/no-such-file.js", &[]).0, 404);
    let deployment = node.rpc("Devnet.Deployment", json!([]));
    let address_of = |name: &str| {
        deployment["actors"][name]["address"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (market, registry) = (address_of("bounty-market"), address_of("provider-reputation"));
    // The demo's provider whose claim was slashed (its record counts the slash).
    let providers = story["reputation"].as_array().unwrap();
    let provider_where = |what: &str, test: &dyn Fn(&Value) -> bool| {
        providers
            .iter()
            .find(|p| test(p))
            .unwrap_or_else(|| panic!("the demo has {what}"))["provider"]["id"]
            .as_u64()
            .unwrap()
    };
    let slashed = provider_where("a slashed provider", &|p| p["slashes"].as_u64() > Some(0));
    let released = release_an_ended_lock(&node, &address_of("collateral-escrow"));
    assert!(
        released.lock.reference.is_some(),
        "the market's locks name their claim"
    );
    let expected = expectations(&node, &market, &registry, slashed, &released);
    // The score the page must show is the one `suite reputation show` prints over this node.
    let shown = common::suite_at(
        &format!("{}/rpc/v1", node.url),
        &data_dir.join("home"),
        &["--json", "reputation", "show", &format!("f0{slashed}")],
        b"",
    );
    assert!(shown.ok, "suite reputation show failed: {}", shown.stderr);
    assert_eq!(
        shown.json()["score"],
        expected["provider"]["score"],
        "{}",
        shown.stdout
    );
    assert!(
        expected["charted"]["updates"].as_u64() >= Some(1),
        "the release reported a completion: {expected}"
    );
    assert_eq!(
        expected["bounties"].as_array().unwrap().len(),
        4,
        "the demo posts four bounties (the fourth crowdfunded)"
    );

    let screenshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/ui-screenshots");
    std::fs::create_dir_all(&screenshots).unwrap();
    let out = Command::new("node")
        .args(["--test", "--test-reporter=spec", "board.test.js"])
        .current_dir(&browser)
        .env("SUITE_NODE_URL", &node.url)
        .env("SUITE_MARKET", &market)
        .env("SUITE_POST_BOUNTY", METHOD_POST_BOUNTY.to_string())
        .env("SUITE_EXPECT", expected.to_string())
        .env("SUITE_SCREENSHOTS", &screenshots)
        .env("CHROMIUM", CHROMIUM)
        .output()
        .expect("running node (Node.js 20 or later must be installed)");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the browser test failed:\n{report}");
    eprintln!("{report}");
    assert!(report.contains("fail 0"), "{report}");
    assert!(!report.contains("pass 0"), "no browser test ran:\n{report}");
    drop(node);

    // With --no-ui the node answers only JSON-RPC: GET / is the API's 404.
    let api_only = Node::start(&devnet_dir, &["--no-ui"]);
    let (status, _, body) = api_only.get_page("/", &[]);
    assert_eq!(status, 404);
    assert!(body.contains("POST JSON-RPC to /rpc/v1"), "{body}");
    let head = api_only.rpc("Filecoin.ChainHead", json!([]));
    assert!(head["Height"].as_i64().is_some(), "the API still answers: {head}");
}
