//! `suite watch` against `suite node`: the demo's population (`suite demo --keep`, made once per
//! test binary and copied for each test), sectors faulted and terminated with `Devnet.*`, and the
//! real `suite watch` binary reporting, checked against the chain: the escrow's locks, the
//! balances of the client and the watcher, the market's slots.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Instant;

use common::{Client, Node};
use data_encoding::BASE64;
use fvm_ipld_encoding::{from_slice, to_vec, RawBytes};
use fvm_shared::address::Address;
use fvm_shared::crypto::signature::SignatureType;
use fvm_shared::econ::TokenAmount;
use fvm_shared::message::Message;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};
use suite_client::wallet::{Key, Keystore, SignedMessage};
use suite_interfaces::escrow::{
    self as esc, EvidenceParams, GetLockReturn, LockIdParams, LockParams, LockStatus, Policy,
};

/// A copy of the demo's kept directory (`devnet/`, `home/`), made once per test binary.
fn demo_template() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = common::temp_dir("watch", "demo-template");
        let kept = dir.join("demo");
        let out = Command::new(env!("CARGO_BIN_EXE_suite"))
            .args(["--json", "demo", "--keep"])
            .arg(&kept)
            .env("RUST_LOG", "warn")
            .output()
            .expect("running suite demo");
        assert!(
            out.status.success(),
            "suite demo failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        kept
    })
}

/// A test's own node on a copy of the demo's devnet, and a client with the demo's keys.
struct World {
    node: Node,
    client: Client,
    dir: PathBuf,
}

impl World {
    fn new(name: &str) -> Self {
        let template = demo_template();
        let dir = common::temp_dir("watch", name);
        let status = Command::new("cp")
            .arg("-a")
            .arg(template.join("devnet"))
            .arg(template.join("home"))
            .arg(&dir)
            .status()
            .unwrap();
        assert!(status.success(), "copying the demo's directory");
        let node = Node::start(&dir.join("devnet"));
        let client = Client::of(&node, &dir);
        Self { node, client, dir }
    }

    /// Stops the node and removes the test's directory (left in place when a test fails).
    fn finish(self) {
        let dir = self.dir.clone();
        drop(self);
        let _ = std::fs::remove_dir_all(dir);
    }

    fn rpc(&self, method: &str, params: Value) -> Value {
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params});
        let text = ureq::post(&self.node.rpc())
            .header("Content-Type", "application/json")
            .send(body.to_string())
            .unwrap_or_else(|e| panic!("{method}: {e}"))
            .body_mut()
            .with_config()
            .limit(64 << 20)
            .read_to_string()
            .unwrap();
        let answer: Value = serde_json::from_str(&text).unwrap();
        assert!(answer["error"].is_null(), "{method} failed: {answer}");
        answer["result"].clone()
    }

    /// A getter through `Filecoin.StateCall`: `Ok(return)` or `Err(exit code)`.
    fn get<P: Serialize, R: DeserializeOwned>(&self, to: u64, method: u64, params: &P) -> Result<R, i64> {
        self.get_raw(to, method, &to_vec(params).unwrap())
    }

    /// A getter without params.
    fn get_none<R: DeserializeOwned>(&self, to: u64, method: u64) -> Result<R, i64> {
        self.get_raw(to, method, &[])
    }

    fn get_raw<R: DeserializeOwned>(&self, to: u64, method: u64, params: &[u8]) -> Result<R, i64> {
        let message = json!({
            "From": "f00", "To": format!("f0{to}"), "Method": method, "Value": "0", "Nonce": 0, "GasLimit": 0,
            "GasFeeCap": "0", "GasPremium": "0", "Params": BASE64.encode(params),
        });
        let result = self.rpc("Filecoin.StateCall", json!([message, null]));
        match result["MsgRct"]["ExitCode"].as_i64().unwrap() {
            0 => {
                let bytes = BASE64
                    .decode(result["MsgRct"]["Return"].as_str().unwrap_or("").as_bytes())
                    .unwrap();
                Ok(from_slice(&bytes).unwrap())
            }
            code => Err(code),
        }
    }

    fn deployment(&self) -> Value {
        self.rpc("Devnet.Deployment", json!([]))
    }

    fn escrow(&self) -> u64 {
        let d = self.deployment();
        d["actors"]["collateral-escrow"]["id"]
            .as_u64()
            .unwrap_or_else(|| panic!("the deployment names the escrow: {d}"))
    }

    /// Locks a watcher can report on: open, their term not over (from `escrow list`).
    fn reportable_count(&self) -> u64 {
        let epoch = self.head() + 1;
        let mut n = 0;
        for p in ["p1", "p2", "p3", "p4"] {
            let list = self.client.json(&["escrow", "list", "--provider", p]);
            n += list
                .as_array()
                .unwrap()
                .iter()
                .filter(|l| l["status"] == "open" && l["end_epoch"].as_i64().unwrap() > epoch)
                .count() as u64;
        }
        n
    }

    fn lock(&self, lock_id: u64) -> GetLockReturn {
        self.get(self.escrow(), esc::METHOD_GET_LOCK, &LockIdParams { lock_id })
            .unwrap()
    }

    fn policy(&self) -> Policy {
        self.get_none(self.escrow(), esc::METHOD_GET_POLICY).unwrap()
    }

    fn balance(&self, id: u64) -> TokenAmount {
        let answer = self.rpc("Filecoin.WalletBalance", json!([format!("f0{id}")]));
        TokenAmount::from_atto(answer.as_str().unwrap().parse::<u128>().unwrap())
    }

    fn head(&self) -> i64 {
        self.rpc("Filecoin.ChainHead", json!([]))["Height"]
            .as_i64()
            .unwrap()
    }

    /// The address book's entry for a name: (key address, id).
    fn account(&self, name: &str) -> (Address, u64) {
        let book: Value =
            serde_json::from_str(&std::fs::read_to_string(self.dir.join("home/names.json")).unwrap())
                .unwrap();
        let a = &book["accounts"][name];
        let key = a["key"].as_str().unwrap();
        let key = match key.strip_prefix('t') {
            Some(rest) => format!("f{rest}"),
            None => key.to_string(),
        };
        (key.parse().unwrap(), a["id"].as_u64().unwrap())
    }

    fn miner(&self, name: &str) -> u64 {
        let book: Value =
            serde_json::from_str(&std::fs::read_to_string(self.dir.join("home/names.json")).unwrap())
                .unwrap();
        book["miners"][name]["id"].as_u64().unwrap()
    }

    /// The open locks of a provider whose term has not ended.
    fn open_locks(&self, provider: &str) -> Vec<GetLockReturn> {
        let list = self.client.json(&["escrow", "list", "--provider", provider]);
        let epoch = self.head() + 1;
        list.as_array()
            .unwrap()
            .iter()
            .map(|l| self.lock(l["id"].as_u64().unwrap()))
            .filter(|l| l.lock.status == LockStatus::Open && epoch < l.lock.end_epoch)
            .collect()
    }

    /// `suite --json watch --from watcher ARGS…`: its lines, parsed.
    fn watch(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["--json", "watch", "--from", "watcher", "--interval", "0"];
        all.extend_from_slice(args);
        let out = self.client.ok(&all);
        out.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
            .collect()
    }

    fn keystore(&self) -> Keystore {
        Keystore::new(self.dir.join("home/keystore"))
    }

    /// Signs `m` from `key` with the given nonce and pushes it; answers its CID (the node's
    /// instant mode includes it at once).
    fn push(&self, key: &Key, mut m: Message, nonce: u64) -> Value {
        m.sequence = nonce;
        let signed = SignedMessage::sign(key, m).unwrap();
        let m = &signed.message;
        let lotus = json!({
            "Message": {
                "Version": 0, "To": m.to.to_string(), "From": m.from.to_string(), "Nonce": m.sequence,
                "Value": m.value.atto().to_string(), "GasLimit": m.gas_limit,
                "GasFeeCap": m.gas_fee_cap.atto().to_string(), "GasPremium": m.gas_premium.atto().to_string(),
                "Method": m.method_num, "Params": BASE64.encode(m.params.bytes()),
            },
            "Signature": {
                "Type": if signed.signature.sig_type == SignatureType::BLS { 2 } else { 1 },
                "Data": BASE64.encode(&signed.signature.bytes),
            },
        });
        self.rpc("Filecoin.MpoolPush", json!([lotus]))
    }

    /// Sends one message and waits for it; answers its receipt's return.
    fn send<P: Serialize>(
        &self,
        from: &str,
        to: u64,
        method: u64,
        params: &P,
        value: TokenAmount,
    ) -> Vec<u8> {
        let (address, _) = self.account(from);
        let key = self.keystore().get(&address).unwrap().unwrap();
        let nonce = self
            .rpc("Filecoin.MpoolGetNonce", json!([address.to_string()]))
            .as_u64()
            .unwrap();
        let cid = self.push(
            &key,
            message(address, to, method, params, value, 10_000_000_000),
            nonce,
        );
        let lookup = self.rpc("Filecoin.StateWaitMsg", json!([cid, 1, -1, true]));
        assert_eq!(
            lookup["Receipt"]["ExitCode"], 0,
            "method {method} to f0{to}: {lookup}"
        );
        BASE64
            .decode(lookup["Receipt"]["Return"].as_str().unwrap_or("").as_bytes())
            .unwrap()
    }
}

fn message<P: Serialize>(
    from: Address,
    to: u64,
    method: u64,
    params: &P,
    value: TokenAmount,
    gas_limit: u64,
) -> Message {
    Message {
        version: 0,
        from,
        to: Address::new_id(to),
        sequence: 0,
        value,
        method_num: method,
        params: RawBytes::new(to_vec(params).unwrap()),
        gas_limit,
        gas_fee_cap: TokenAmount::from_atto(1_000),
        gas_premium: TokenAmount::from_atto(100),
    }
}

fn atto(v: &Value) -> TokenAmount {
    let text = v
        .as_str()
        .unwrap_or_else(|| panic!("expected attoFIL as a string, got {v}"));
    TokenAmount::from_atto(text.parse::<u128>().unwrap())
}

fn of_type<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["type"] == kind).collect()
}

/// The fault fee of a lock and its split, as the policy sets them.
fn fee_split(policy: &Policy, original: &TokenAmount) -> (TokenAmount, TokenAmount) {
    let fee = TokenAmount::from_atto(original.atto() * policy.fault_fee_bps / 10_000u64);
    let reward = TokenAmount::from_atto(fee.atto() * policy.reporter_reward_bps / 10_000u64);
    (fee, reward)
}

/// Asserts a report paid the watcher exactly its reward less the gas it says it paid, and that
/// the gas figure is at least the base fee burn of the gas it used.
fn check_watcher_paid(before: &TokenAmount, after: &TokenAmount, report: &Value) {
    let reward = atto(&report["reward"]);
    let gas_paid = atto(&report["gas_paid"]);
    assert_eq!(
        after - before,
        &reward - &gas_paid,
        "the watcher's balance moved by its reward less its gas: {report}"
    );
    let gas_used = report["gas_used"].as_u64().unwrap();
    assert!(gas_used > 0, "{report}");
    // The devnet's base fee is 100 attoFIL per gas unit.
    assert!(
        gas_paid >= TokenAmount::from_atto(100u128 * gas_used as u128),
        "gas paid covers the base fee burn: {report}"
    );
}

/// A new bounty of bob's (claimable well past the test) claimed by p4 with a new deal in a new
/// sector: its lock and the bounty's id.
fn fresh_claim(w: &World) -> (GetLockReturn, u64) {
    let piece = stand_in_market::piece_cid([0x44; 32]).to_string();
    let now = w.head() + 1;
    let posted = w.client.json(&[
        "bounty",
        "post",
        "--from",
        "bob",
        "--piece",
        &piece,
        "--size",
        "32GiB",
        "--reward",
        "10FIL",
        "--collateral",
        "2FIL",
        "--min-duration",
        "20000",
        "--expiry",
        &(now + 50_000).to_string(),
    ]);
    let bounty = posted["bounty_id"].as_u64().unwrap();
    w.client.ok(&["miner", "add-sector", "p4", "950"]);
    let deal = w.client.json(&[
        "deal",
        "publish",
        "--client",
        "bob",
        "--provider",
        "p4",
        "--piece",
        &piece,
        "--size",
        "32GiB",
        "--end",
        &(now + 100_000).to_string(),
    ])["deal_id"]
        .as_u64()
        .unwrap();
    w.client.ok(&["deal", "activate", &deal.to_string(), "950"]);
    let claim = w.client.json(&[
        "bounty",
        "claim",
        &bounty.to_string(),
        "--provider",
        "p4",
        "--deal",
        &deal.to_string(),
        "--from",
        "p4-worker",
    ]);
    (w.lock(claim["lock_id"].as_u64().unwrap()), bounty)
}

#[test]
fn the_watcher_proves_a_fault_once_per_cooldown_then_the_loss_and_the_slot_reopens() {
    let w = World::new("faults");
    let policy = w.policy();
    let (lock, bounty) = fresh_claim(&w);
    let lock_id = lock.lock_id;
    let sector = lock.lock.sector.as_ref().unwrap().sector_number;
    let p4 = w.miner("p4");
    let (_, watcher) = w.account("watcher");
    let bob = lock.lock.beneficiary;

    // A round on the healthy population reports nothing (and is counted in StateCalls).
    let lines = w.watch(&["--once"]);
    assert!(of_type(&lines, "report").is_empty(), "{lines:?}");
    let round = of_type(&lines, "round")[0];
    assert!(round["state_calls"].as_u64().unwrap() > 0, "{round}");

    w.rpc("Devnet.FaultSector", json!([format!("f0{p4}"), sector]));
    let (bob0, watcher0) = (w.balance(bob), w.balance(watcher));

    // A reward below --min-reward is not worth a report: simulated, priced, not sent.
    let lines = w.watch(&["--once", "--min-reward", "1FIL"]);
    assert!(of_type(&lines, "report").is_empty(), "{lines:?}");
    let refused = &of_type(&lines, "round")[0]["refused"];
    assert_eq!(refused[0]["lock"], lock_id, "{refused}");
    assert!(
        refused[0]["reason"]
            .as_str()
            .unwrap()
            .contains("below --min-reward"),
        "{refused}"
    );
    assert_eq!(w.balance(watcher), watcher0, "nothing was sent");
    assert_eq!(w.lock(lock_id).lock.faults_charged, 0);
    let bad_page = w.client.run(&["watch", "--from", "watcher", "--page", "0"]);
    assert!(
        !bad_page.ok && bad_page.stderr.contains("--page"),
        "{}",
        bad_page.stderr
    );

    let lines = w.watch(&["--rounds", "2", "--min-reward", "0.005FIL"]);
    let reports = of_type(&lines, "report");
    assert_eq!(reports.len(), 1, "one report in two rounds: {lines:?}");
    let r = reports[0];
    assert_eq!(r["lock"], lock_id);
    assert_eq!(r["proof"], "sector-faulty");
    assert_eq!(r["status"], "reported");
    let (fee, reward) = fee_split(&policy, &lock.lock.original);
    assert_eq!(atto(&r["reward"]), reward, "{r}");
    assert_eq!(atto(&r["slashed"]), fee, "{r}");
    assert_eq!(
        w.balance(bob) - &bob0,
        &fee - &reward,
        "bob gets the fee less the reward"
    );
    check_watcher_paid(&watcher0, &w.balance(watcher), r);
    assert_eq!(w.lock(lock_id).lock.faults_charged, 1);

    // Inside the cooldown the still-faulty sector is not reported again.
    w.client.ok(&["advance", "100"]);
    let lines = w.watch(&["--once"]);
    assert!(of_type(&lines, "report").is_empty(), "{lines:?}");
    assert_eq!(of_type(&lines, "round")[0]["faults"], 0, "{lines:?}");
    assert_eq!(w.lock(lock_id).lock.faults_charged, 1);

    // After it, it is.
    w.client.ok(&["advance", &policy.fault_cooldown.to_string()]);
    let watcher1 = w.balance(watcher);
    let lines = w.watch(&["--once"]);
    let reports = of_type(&lines, "report");
    assert_eq!(reports.len(), 1, "{lines:?}");
    assert_eq!(reports[0]["proof"], "sector-faulty");
    assert_eq!(atto(&reports[0]["reward"]), reward);
    check_watcher_paid(&watcher1, &w.balance(watcher), reports[0]);
    let after_two = w.lock(lock_id).lock;
    assert_eq!(after_two.faults_charged, 2);

    // The sector is terminated: the loss takes everything left, the market reopens the slot.
    let open_before = w.client.json(&["bounty", "show", &bounty.to_string()])["open_slots"]
        .as_u64()
        .unwrap();
    w.client.ok(&["miner", "terminate", "p4", &sector.to_string()]);
    let bob2 = w.balance(bob);
    let lines = w.watch(&["--once"]);
    let reports = of_type(&lines, "report");
    assert_eq!(reports.len(), 1, "{lines:?}");
    assert_eq!(reports[0]["proof"], "sector-dead");
    assert_eq!(atto(&reports[0]["slashed"]), after_two.remaining);
    let loss_reward =
        TokenAmount::from_atto(after_two.remaining.atto() * policy.reporter_reward_bps / 10_000u64);
    assert_eq!(atto(&reports[0]["reward"]), loss_reward);
    assert_eq!(w.balance(bob) - &bob2, &after_two.remaining - &loss_reward);
    let settled = w.lock(lock_id).lock;
    assert_eq!(settled.status, LockStatus::Slashed);
    assert!(settled.remaining.is_zero());
    let open_after = w.client.json(&["bounty", "show", &bounty.to_string()])["open_slots"]
        .as_u64()
        .unwrap();
    assert_eq!(open_after, open_before + 1, "the market reopens the slot");

    // A settled lock is no longer tracked; nothing more is reported.
    let lines = w.watch(&["--once"]);
    assert!(of_type(&lines, "report").is_empty(), "{lines:?}");
    w.finish();
}

/// The state file of the watcher in a home (the default: one per chain and escrow).
fn state_file(home: &Path) -> Value {
    let dir = home.join("watch");
    let files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    assert_eq!(files.len(), 1, "one state file in {}: {files:?}", dir.display());
    serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap()
}

#[test]
fn a_watcher_killed_after_pushing_and_restarted_reports_nothing_twice() {
    let w = World::new("restart");
    let policy = w.policy();
    let lock = w.open_locks("p4").into_iter().next().unwrap();
    let sector = lock.lock.sector.as_ref().unwrap().sector_number;
    let (_, watcher) = w.account("watcher");
    let p4 = w.miner("p4");
    w.rpc("Devnet.FaultSector", json!([format!("f0{p4}"), sector]));
    let watcher0 = w.balance(watcher);

    // The watcher dies right after its report is pushed and logged as pending.
    let out = Command::new(env!("CARGO_BIN_EXE_suite"))
        .args(["--json", "watch", "--from", "watcher", "--once"])
        .env("SUITE_RPC", w.node.rpc())
        .env("SUITE_HOME", &w.client.home)
        .env("SUITE_WATCH_TEST_EXIT_AFTER_PUSH", "1")
        .env_remove("SUITE_DEPLOYMENT")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(75),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!String::from_utf8_lossy(&out.stdout).contains("\"report\""));
    let state = state_file(&w.client.home);
    let pending: Vec<&Value> = state["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["status"] == "pending")
        .collect();
    assert_eq!(pending.len(), 1, "{state}");
    assert_eq!(pending[0]["lock"], lock.lock_id);

    // Restarted, it finds its report on chain and does not send another.
    let lines = w.watch(&["--rounds", "2"]);
    let reports = of_type(&lines, "report");
    assert_eq!(reports.len(), 1, "{lines:?}");
    assert_eq!(reports[0]["recovered"], true);
    assert_eq!(reports[0]["lock"], lock.lock_id);
    let (_, reward) = fee_split(&policy, &lock.lock.original);
    assert_eq!(atto(&reports[0]["reward"]), reward);
    check_watcher_paid(&watcher0, &w.balance(watcher), reports[0]);
    assert_eq!(w.lock(lock.lock_id).lock.faults_charged, 1);
    let state = state_file(&w.client.home);
    let mine: Vec<&Value> = state["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["lock"] == lock.lock_id && r["proof"] == "sector-faulty")
        .collect();
    assert_eq!(mine.len(), 1, "{state}");
    assert_eq!(mine[0]["status"], "reported");

    // A long-running watcher killed between rounds, restarted: still nothing twice.
    let mut child = Command::new(env!("CARGO_BIN_EXE_suite"))
        .args(["--json", "watch", "--from", "watcher", "--interval", "1"])
        .env("SUITE_RPC", w.node.rpc())
        .env("SUITE_HOME", &w.client.home)
        .env_remove("SUITE_DEPLOYMENT")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first: Value = serde_json::from_str(&lines.next().unwrap().unwrap()).unwrap();
    assert_eq!(
        first["type"], "round",
        "no report from the running watcher: {first}"
    );
    child.kill().unwrap();
    child.wait().unwrap();
    w.client.ok(&["advance", "10"]);
    let lines = w.watch(&["--once"]);
    assert!(of_type(&lines, "report").is_empty(), "{lines:?}");
    assert_eq!(w.lock(lock.lock_id).lock.faults_charged, 1);
    let balance = w.balance(watcher);
    assert_eq!(
        &balance - &watcher0,
        &reward - &atto(&reports[0]["gas_paid"]),
        "one report's gas only"
    );
    w.finish();
}

/// The test actors' modules (wasm-build's `test-actors` group, built here if need be).
fn notify_module() -> Vec<u8> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let report = wasm_build::build(&wasm_build::Options::for_group(
        workspace,
        &wasm_build::TEST_ACTORS,
    ))
    .expect("building the test actors");
    let actor = report
        .actors
        .iter()
        .find(|a| a.package == "test-actor-reentrant-notify")
        .expect("the reentrant-notify test actor");
    std::fs::read(&actor.wasm).unwrap()
}

/// Locks `value` on `sector` of `provider` from the `locker` account.
fn lock_on_sector(
    w: &World,
    provider: u64,
    sector: u64,
    end: i64,
    notify: Option<u64>,
    value: TokenAmount,
) -> u64 {
    let (locker, locker_id) = w.account("locker");
    let p = LockParams {
        provider: Address::new_id(provider),
        beneficiary: Address::new_id(locker_id),
        refund_to: Address::new_id(locker_id),
        evidence: EvidenceParams {
            deal: None,
            sector: Some(sector),
            sector_location: Some(esc::SectorLocation {
                deadline: 0,
                partition: 0,
            }),
        },
        end_epoch: end,
        notify: notify.map(Address::new_id),
        reference: None,
    };
    let _ = locker;
    let ret: esc::LockReturn =
        from_slice(&w.send("locker", w.escrow(), esc::METHOD_LOCK, &p, value)).unwrap();
    ret.lock_id
}

#[test]
fn a_lock_whose_notify_burns_gas_is_still_reported_and_the_watcher_shows_the_cost() {
    let w = World::new("notify");
    let module = notify_module();
    w.client.ok(&[
        "account",
        "create",
        "locker",
        "--balance",
        "100FIL",
        "--key",
        "secp256k1",
    ]);
    let installed: stand_in_init::InstallCodeReturn = from_slice(&w.send(
        "locker",
        1,
        stand_in_init::METHOD_INSTALL_CODE,
        &stand_in_init::InstallCodeParams { code: module },
        TokenAmount::default(),
    ))
    .unwrap();
    // The notify actor's constructor: [escrow, mode BurnGas (5), no proof].
    let constructor = (w.escrow(), 5u8, Option::<()>::None);
    let created: stand_in_init::ExecReturn = from_slice(&w.send(
        "locker",
        1,
        stand_in_init::METHOD_EXEC,
        &stand_in_init::ExecParams {
            code_cid: installed.code_cid,
            constructor_params: RawBytes::new(to_vec(&constructor).unwrap()),
        },
        TokenAmount::default(),
    ))
    .unwrap();
    let notify = created.id_address.id().unwrap();

    // Two locks on one new sector of p2: one calls the burning actor back, one calls nobody.
    let p2 = w.miner("p2");
    w.client.ok(&[
        "miner",
        "add-sector",
        "p2",
        "900",
        "--deadline",
        "0",
        "--partition",
        "0",
    ]);
    let end = w.head() + 50_000;
    let burning = lock_on_sector(&w, p2, 900, end, Some(notify), TokenAmount::from_whole(1));
    let plain = lock_on_sector(&w, p2, 900, end, None, TokenAmount::from_whole(1));
    w.rpc("Devnet.FaultSector", json!([format!("f0{p2}"), 900]));
    let (_, watcher) = w.account("watcher");
    let watcher0 = w.balance(watcher);
    let lines = w.watch(&["--rounds", "2"]);
    let reports = of_type(&lines, "report");
    let find = |lock: u64| {
        *reports
            .iter()
            .find(|r| r["lock"] == lock)
            .unwrap_or_else(|| panic!("lock {lock} reported: {lines:?}"))
    };
    let (b, p) = (find(burning), find(plain));
    assert_eq!(b["status"], "reported");
    assert_eq!(p["status"], "reported");
    let policy = w.policy();
    let (_, reward) = fee_split(&policy, &TokenAmount::from_whole(1));
    assert_eq!(atto(&b["reward"]), reward);
    assert_eq!(atto(&p["reward"]), reward);
    // The callback had (and burnt) its bounded budget; the watcher's figures show it.
    let (gb, gp) = (b["gas_used"].as_u64().unwrap(), p["gas_used"].as_u64().unwrap());
    assert!(
        gb > gp + esc::NOTIFY_GAS_LIMIT / 2 && gb < gp + 2 * esc::NOTIFY_GAS_LIMIT,
        "burning callback {gb} gas vs plain {gp}"
    );
    assert!(atto(&b["gas_paid"]) > atto(&p["gas_paid"]));
    eprintln!(
        "report with a gas-burning notify: {gb} gas ({} attoFIL); without: {gp} gas ({} attoFIL)",
        b["gas_paid"].as_str().unwrap(),
        p["gas_paid"].as_str().unwrap()
    );
    assert_eq!(w.lock(burning).lock.faults_charged, 1);
    let total_gas = atto(&b["gas_paid"]) + atto(&p["gas_paid"]);
    assert_eq!(w.balance(watcher) - &watcher0, &reward * 2u64 - &total_gas);
    w.finish();
}

#[test]
fn a_healthy_population_of_1000_locks_produces_no_report_and_each_round_prints_its_state_calls() {
    let w = World::new("thousand");
    w.client.ok(&[
        "account",
        "create",
        "locker",
        "--balance",
        "1000FIL",
        "--key",
        "secp256k1",
    ]);
    let (locker, locker_id) = w.account("locker");
    let key = w.keystore().get(&locker).unwrap().unwrap();
    let escrow = w.escrow();
    let providers = ["p1", "p2", "p3", "p4"].map(|p| w.miner(p));
    // 1,000 locks on 250 new sectors (4 locks a sector), as a busy escrow would hold.
    const SECTORS: u64 = 250;
    const LOCKS: u64 = 1_000;
    let started = Instant::now();
    let head = w.head();
    for s in 0..SECTORS {
        let miner = providers[(s % 4) as usize];
        w.rpc(
            "Devnet.AddSector",
            json!([format!("f0{miner}"), 2_000 + s, 0, 0, head + 1_051_200]),
        );
    }
    let sectors_took = started.elapsed();
    let end = w.head() + 100_000;
    let first_nonce = w
        .rpc("Filecoin.MpoolGetNonce", json!([locker.to_string()]))
        .as_u64()
        .unwrap();
    let started = Instant::now();
    let mut last = Value::Null;
    for (i, nonce) in (0..LOCKS).zip(first_nonce..) {
        let s = i % SECTORS;
        let p = LockParams {
            provider: Address::new_id(providers[(s % 4) as usize]),
            beneficiary: Address::new_id(locker_id),
            refund_to: Address::new_id(locker_id),
            evidence: EvidenceParams {
                deal: None,
                sector: Some(2_000 + s),
                sector_location: Some(esc::SectorLocation {
                    deadline: 0,
                    partition: 0,
                }),
            },
            end_epoch: end,
            notify: None,
            reference: None,
        };
        let m = message(
            locker,
            escrow,
            esc::METHOD_LOCK,
            &p,
            TokenAmount::from_nano(10_000_000),
            200_000_000,
        );
        last = w.push(&key, m, nonce);
    }
    let lookup = w.rpc("Filecoin.StateWaitMsg", json!([last, 1, -1, true]));
    assert_eq!(lookup["Receipt"]["ExitCode"], 0, "{lookup}");
    let locks_took = started.elapsed();
    let totals: esc::Totals = w.get_none(escrow, esc::METHOD_GET_TOTALS).unwrap();
    assert!(totals.locks_open >= LOCKS, "{totals:?}");
    eprintln!(
        "1,000 locks: {SECTORS} sectors added in {:.1} s, {LOCKS} Lock messages pushed and included in {:.1} s",
        sectors_took.as_secs_f64(),
        locks_took.as_secs_f64()
    );

    // Pages of 100 ListLocks entries: every lock is reached within ⌈locks / 100⌉ rounds (plus
    // one: a pass may start mid-provider), none reported.
    let reportable = w.reportable_count();
    assert!(reportable >= LOCKS);
    let rounds = totals.locks_created.div_ceil(100) + 1;
    let started = Instant::now();
    let lines = w.watch(&["--rounds", &rounds.to_string()]);
    let took = started.elapsed();
    assert!(of_type(&lines, "report").is_empty(), "no report on healthy locks");
    let rounds_json = of_type(&lines, "round");
    assert_eq!(rounds_json.len() as u64, rounds);
    let mut checked = 0;
    for r in &rounds_json {
        assert!(r["checked"].as_u64().unwrap() <= 100, "{r}");
        assert!(r["state_calls"].as_u64().unwrap() > 0, "{r}");
        assert!(r["refused"].as_array().unwrap().is_empty(), "{r}");
        checked += r["checked"].as_u64().unwrap();
        if r["pass_complete"] == true {
            break;
        }
    }
    assert!(
        rounds_json.iter().any(|r| r["pass_complete"] == true),
        "a pass completes: {rounds_json:?}"
    );
    assert_eq!(checked, reportable, "one pass checks every reportable lock once");
    let complete = rounds_json.iter().find(|r| r["pass_complete"] == true).unwrap();
    assert_eq!(complete["tracked"].as_u64().unwrap(), reportable, "{complete}");
    let calls: Vec<u64> = rounds_json
        .iter()
        .map(|r| r["state_calls"].as_u64().unwrap())
        .collect();
    eprintln!(
        "watching {reportable} open locks: {} rounds in {:.1} s, StateCalls per round {calls:?}",
        rounds,
        took.as_secs_f64()
    );
    w.finish();
}

/// `suite --json watch --from FROM --once`, started now (run two at once to race them).
fn spawn_watch(w: &World, from: &str) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_suite"))
        .args(["--json", "watch", "--from", from, "--once"])
        .env("SUITE_RPC", w.node.rpc())
        .env("SUITE_HOME", &w.client.home)
        .env_remove("SUITE_DEPLOYMENT")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn two_watchers_racing_on_one_fault_lose_nothing() {
    let w = World::new("race");
    w.client.ok(&[
        "account",
        "create",
        "watcher2",
        "--balance",
        "10FIL",
        "--key",
        "secp256k1",
    ]);
    let policy = w.policy();
    let lock = w.open_locks("p4").into_iter().next().unwrap();
    let sector = lock.lock.sector.as_ref().unwrap().sector_number;
    let p4 = w.miner("p4");
    let bob = lock.lock.beneficiary;
    let watchers = [
        ("watcher", w.account("watcher").1),
        ("watcher2", w.account("watcher2").1),
    ];
    w.rpc("Devnet.FaultSector", json!([format!("f0{p4}"), sector]));
    let bob0 = w.balance(bob);
    let before: Vec<TokenAmount> = watchers.iter().map(|(_, id)| w.balance(*id)).collect();

    let children: Vec<_> = watchers.iter().map(|(name, _)| spawn_watch(&w, name)).collect();
    let outputs: Vec<Vec<Value>> = children
        .into_iter()
        .map(|c| {
            let out = c.wait_with_output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            String::from_utf8(out.stdout)
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        })
        .collect();

    let (fee, reward) = fee_split(&policy, &lock.lock.original);
    let mut winners = 0;
    for (((name, id), lines), before) in watchers.iter().zip(&outputs).zip(&before) {
        let reports = of_type(lines, "report");
        let after = w.balance(*id);
        match reports.iter().find(|r| r["status"] == "reported") {
            Some(r) => {
                winners += 1;
                assert_eq!(atto(&r["reward"]), reward);
                check_watcher_paid(before, &after, r);
            }
            // The loser either saw the fee charged already (its simulation refused, or its check
            // found the lock inside its cooldown) and paid nothing, or was refused on chain and
            // paid its gas alone.
            None => match reports.first() {
                Some(r) => {
                    assert_eq!(r["status"], "failed", "{name}: {r}");
                    assert_eq!(before - &after, atto(&r["gas_paid"]), "{name} paid its gas only");
                }
                None => assert_eq!(&after, before, "{name} paid nothing: {lines:?}"),
            },
        }
    }
    assert_eq!(winners, 1, "one watcher earns the reward: {outputs:?}");
    assert_eq!(w.lock(lock.lock_id).lock.faults_charged, 1);
    assert_eq!(w.balance(bob) - &bob0, &fee - &reward, "bob is paid the fee once");
    w.finish();
}
