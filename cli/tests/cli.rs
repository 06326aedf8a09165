//! The real `suite` binary, one process per command, on devnets in temporary directories:
//! a session across restarts, JSON outputs, refusals that change nothing, the data-dir lock and
//! the demo's books.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A piece commitment (CommP) of 32 bytes of 0x11: `baga6ea4seaq…`.
const PIECE: &str = "baga6ea4seaqbceirceirceirceirceirceirceirceirceirceirceirceircei";
/// A well-formed CID that is not a piece commitment (a raw blake2b block).
const NOT_A_PIECE: &str = "bafk2bzacebiwzqocjahzhvpk34ommfpsdi5g5px6lckffp6pfutmbfpab32r6";

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }
}

/// A fresh directory for one test's devnet.
fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("suite-cli-test-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn suite(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_suite"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("SUITE_DATA_DIR")
        .output()
        .expect("running suite");
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs a command that must succeed; returns its stdout.
fn ok(dir: &Path, args: &[&str]) -> String {
    let r = suite(dir, args);
    assert!(r.ok, "suite {args:?} failed:\n{}{}", r.stdout, r.stderr);
    r.stdout
}

/// Runs a read command with --json that must succeed.
fn json(dir: &Path, args: &[&str]) -> Value {
    let mut all = vec!["--json"];
    all.extend_from_slice(args);
    let r = suite(dir, &all);
    assert!(r.ok, "suite {all:?} failed:\n{}{}", r.stdout, r.stderr);
    r.json()
}

fn fil(n: u64) -> String {
    (u128::from(n) * 1_000_000_000_000_000_000).to_string()
}

/// The state root and the devnet's accounts: what a refused command must leave as it was.
fn fingerprint(dir: &Path) -> (Value, Value) {
    let status = json(dir, &["status"]);
    (status["state_root"].clone(), json(dir, &["account", "list"]))
}

#[test]
fn a_session_across_restarts_runs_every_flow() {
    let dir = temp_dir("session");
    let out = ok(&dir, &["init"]);
    assert!(out.contains("devnet initialised"), "{out}");
    for actor in ["provider-reputation", "collateral-escrow", "bounty-market"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(actor))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(line.contains("bafk2bza"), "code CID printed: {line}");
    }
    let status = json(&dir, &["status"]);
    assert_eq!(status["epoch"], 0);
    assert_eq!(status["actors"].as_array().unwrap().len(), 3);

    assert!(ok(&dir, &["account", "create", "alice", "--balance", "100FIL"]).contains("account alice: f0"));
    ok(&dir, &["account", "create", "owner1", "--balance", "50FIL"]);
    ok(&dir, &["account", "create", "watcher", "--balance", "250nanoFIL"]);
    ok(&dir, &["account", "fund", "watcher", "1.5FIL"]);
    let accounts = json(&dir, &["account", "list"]);
    let watcher = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "watcher")
        .unwrap();
    assert_eq!(watcher["balance"], "1500000250000000000");

    assert!(ok(&dir, &["miner", "create", "m1", "--owner", "owner1"]).contains("miner m1: f0"));
    ok(&dir, &["miner", "add-sector", "m1", "1"]);
    let sector = json(&dir, &["miner", "sector", "m1", "1"]);
    assert_eq!(sector["status"], "active");
    let deal = json(
        &dir,
        &[
            "deal",
            "publish",
            "--client",
            "alice",
            "--provider",
            "m1",
            "--piece",
            PIECE,
            "--size",
            "32GiB",
            "--end",
            "600000",
        ],
    );
    assert_eq!(deal["deal_id"], 0);
    ok(&dir, &["deal", "activate", "0", "1"]);
    let shown = json(&dir, &["deal", "show", "0"]);
    assert_eq!(shown["piece_cid"], PIECE);
    assert_eq!(shown["provider"]["name"], "m1");
    assert_eq!(shown["activated"], 0);

    ok(
        &dir,
        &[
            "reputation",
            "register",
            "m1",
            "--from",
            "owner1",
            "--name",
            "Miner One",
            "--region",
            "DE",
        ],
    );
    let updated = json(
        &dir,
        &[
            "reputation",
            "update",
            "m1",
            "--from",
            "owner1",
            "--name",
            "Miner Uno",
            "--region",
            "FR",
        ],
    );
    assert_eq!(updated["name"], "Miner Uno");
    let shown = json(&dir, &["reputation", "show", "m1"]);
    assert_eq!(shown["name"], "Miner Uno");
    assert_eq!(shown["region"], "FR");
    let post = ok(
        &dir,
        &[
            "bounty",
            "post",
            "--from",
            "alice",
            "--piece",
            PIECE,
            "--size",
            "32GiB",
            "--reward",
            "10FIL",
            "--collateral",
            "2FIL",
            "--min-duration",
            "3000",
            "--expiry",
            "100000",
        ],
    );
    assert!(post.starts_with("bounty 0:"), "{post}");
    let listed = json(&dir, &["bounty", "list", "--client", "alice"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["pool"], fil(10));
    assert_eq!(listed[0]["status"], "open");

    let claim = json(
        &dir,
        &[
            "bounty",
            "claim",
            "0",
            "--provider",
            "m1",
            "--deal",
            "0",
            "--from",
            "owner1",
        ],
    );
    assert_eq!(claim["claim_id"], 0);
    assert_eq!(claim["lock_id"], 0);
    let bounty = json(&dir, &["bounty", "show", "0"]);
    assert_eq!(bounty["status"], "full");
    assert_eq!(bounty["claims"][0]["provider"]["name"], "m1");

    // Half the vesting period: half the reward is withdrawable, and paid to the owner.
    assert!(ok(&dir, &["advance", "1500"]).contains("epoch 0 → 1500"));
    let balance = json(&dir, &["bounty", "balance", "--provider", "m1"]);
    assert_eq!(balance["vested"], fil(5));
    assert_eq!(balance["withdrawable"], fil(5));
    let paid = ok(
        &dir,
        &["bounty", "withdraw", "--provider", "m1", "--from", "owner1"],
    );
    assert!(paid.contains("paid 5 FIL to owner1"), "{paid}");
    let locks = json(&dir, &["escrow", "list", "--provider", "m1"]);
    assert_eq!(locks[0]["status"], "open");
    assert_eq!(locks[0]["remaining"], fil(2));
    assert_eq!(locks[0]["end_epoch"], 3000);

    // At the lock's end: anyone releases it, the claim completes, the rest is withdrawn.
    ok(&dir, &["advance", "--to", "3000"]);
    let released = ok(&dir, &["escrow", "release", "0", "--from", "alice"]);
    assert!(released.contains("2 FIL back to owner1"), "{released}");
    assert_eq!(json(&dir, &["bounty", "show-claim", "0"])["status"], "completed");
    assert_eq!(json(&dir, &["escrow", "show", "0"])["status"], "released");
    ok(
        &dir,
        &["bounty", "withdraw", "--provider", "m1", "--from", "owner1"],
    );
    let reputation = json(&dir, &["reputation", "list"]);
    assert_eq!(reputation[0]["provider"]["name"], "m1");
    assert_eq!(reputation[0]["completed"], 1);
    assert!(reputation[0]["score"].as_u64().unwrap() > 5000, "{reputation}");
    let shown = json(&dir, &["reputation", "show", "m1"]);
    assert_eq!(shown["name"], "Miner Uno");

    let status = json(&dir, &["status"]);
    assert_eq!(status["epoch"], 3000);
    assert_eq!(status["escrow"]["held"], "0");
    assert_eq!(status["escrow"]["released_total"], fil(2));
    let market = status["actors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "bounty-market")
        .unwrap();
    assert_eq!(market["balance"], "0", "the whole reward was paid out");
    // A key address nobody used yet gets an account from a transfer.
    let fresh = fvm_shared::address::Address::new_secp256k1(&[7; 65])
        .unwrap()
        .to_string();
    let funded = json(&dir, &["account", "fund", &fresh, "1FIL", "--from", "alice"]);
    assert_eq!(
        funded["balance"],
        fil(1),
        "a new account holding just the transfer"
    );
    assert_eq!(funded["amount"], fil(1));
    // A bounty is claimable before its expiry epoch, not at it.
    ok(
        &dir,
        &[
            "bounty",
            "post",
            "--from",
            "alice",
            "--piece",
            PIECE,
            "--size",
            "32GiB",
            "--reward",
            "1FIL",
            "--collateral",
            "1FIL",
            "--min-duration",
            "3000",
            "--expiry",
            "3100",
        ],
    );
    ok(&dir, &["advance", "--to", "3099"]);
    assert_eq!(json(&dir, &["bounty", "show", "1"])["status"], "open");
    ok(&dir, &["advance", "1"]);
    assert_eq!(json(&dir, &["bounty", "show", "1"])["status"], "expired");
    // A settled claim stays visible on its bounty.
    assert_eq!(
        json(&dir, &["bounty", "show", "0"])["claims"][0]["status"],
        "completed"
    );
    // A terminated deal is gone from the storage market; the devnet says how it ended.
    ok(
        &dir,
        &[
            "deal",
            "publish",
            "--client",
            "alice",
            "--provider",
            "m1",
            "--piece",
            PIECE,
            "--size",
            "2KiB",
            "--end",
            "600000",
        ],
    );
    ok(&dir, &["miner", "add-sector", "m1", "2"]);
    ok(&dir, &["deal", "activate", "1", "2"]);
    assert_eq!(json(&dir, &["deal", "show", "1"])["status"], "active");
    ok(&dir, &["deal", "terminate", "1"]);
    let gone = json(&dir, &["deal", "show", "1"]);
    assert_eq!(gone["status"], "terminated");
    assert_eq!(gone["at"], 3100);
    assert!(ok(&dir, &["deal", "show", "1"]).contains("deal 1 terminated at epoch 3100"));
    // Every attoFIL is somewhere: the kinds add up to the genesis supply, gas included.
    let status = json(&dir, &["status"]);
    let books = &status["fil"];
    let atto = |v: &Value| v.as_str().unwrap().parse::<u128>().unwrap();
    let parts: u128 = [
        "accounts",
        "miners",
        "suite_actors",
        "storage_market",
        "gas_burnt",
        "other",
    ]
    .iter()
    .map(|k| atto(&books[k]))
    .sum();
    assert_eq!(parts, atto(&books["total"]));
    assert_eq!(books["total"], format!("{}{}", 1_000_000_000, "0".repeat(18)));
    assert!(atto(&books["gas_burnt"]) > 0, "{books}");
    assert_eq!(
        atto(&books["other"]),
        10u128.pow(18),
        "the account funded by a transfer"
    );
    let listed = json(&dir, &["account", "list"]);
    let by_name = |name: &str| {
        listed
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {listed}"))
            .clone()
    };
    assert_eq!(by_name("m1")["kind"], "miner");
    assert_eq!(by_name("gas burnt")["balance"], books["gas_burnt"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refused_commands_say_why_and_change_nothing() {
    let dir = temp_dir("refusals");
    ok(&dir, &["init"]);
    ok(&dir, &["account", "create", "alice", "--balance", "100FIL"]);
    ok(&dir, &["account", "create", "bob", "--balance", "5FIL"]);
    ok(&dir, &["miner", "create", "m1", "--owner", "bob"]);
    ok(&dir, &["miner", "add-sector", "m1", "1"]);
    ok(
        &dir,
        &[
            "deal",
            "publish",
            "--client",
            "alice",
            "--provider",
            "m1",
            "--piece",
            PIECE,
            "--size",
            "2KiB",
            "--end",
            "600000",
        ],
    );
    ok(&dir, &["deal", "activate", "0", "1"]);
    let post = |from: &str, piece: &str, reward: &str| -> Vec<String> {
        [
            "bounty",
            "post",
            "--from",
            from,
            "--piece",
            piece,
            "--size",
            "2KiB",
            "--replicas",
            "2",
            "--reward",
            reward,
            "--collateral",
            "1FIL",
            "--min-duration",
            "3000",
            "--expiry",
            "9000",
        ]
        .map(String::from)
        .to_vec()
    };
    let posted = ok(
        &dir,
        &post("alice", PIECE, "10FIL")
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    assert!(posted.starts_with("bounty 0:"));
    ok(&dir, &["advance", "10"]);
    let before = fingerprint(&dir);

    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["bounty".into(), "show".into(), "42".into()],
            "USR_NOT_FOUND (exit 17): bounty 42 not found",
        ),
        (post("alice", "not-a-cid", "10FIL"), "is not a CID"),
        (post("alice", NOT_A_PIECE, "10FIL"), "is not a piece commitment"),
        (post("alice", PIECE, "10"), "needs a unit"),
        (post("alice", PIECE, "1.5FOO"), "unknown unit"),
        (post("bob", PIECE, "10FIL"), "insufficient funds: bob holds 4.99"),
        (post("alice", PIECE, "1 0FIL"), "unknown unit"),
        (
            post("alice", PIECE, "10FIL")
                .into_iter()
                .map(|a| if a == "1FIL" { "1attoFIL".into() } else { a })
                .collect(),
            "below the escrow's minimum 0.001 FIL",
        ),
        (
            post("alice", PIECE, "1FIL")
                .into_iter()
                .map(|a| if a == "2" { "17".into() } else { a })
                .collect(),
            "replicas must be 1 to 16",
        ),
        (
            ["miner", "add-sector", "f0105", "2"].map(String::from).to_vec(),
            "(f0105) is not a storage miner",
        ),
        (
            ["bounty", "balance", "--provider", "alice"]
                .map(String::from)
                .to_vec(),
            "unknown miner \"alice\"",
        ),
        (
            ["advance", "--to", "9223372036854775807"]
                .map(String::from)
                .to_vec(),
            "beyond the devnet's last epoch",
        ),
        (post("mallory", PIECE, "10FIL"), "unknown account \"mallory\""),
        (
            vec![
                "bounty".into(),
                "cancel".into(),
                "0".into(),
                "--from".into(),
                "bob".into(),
            ],
            "USR_FORBIDDEN (exit 18): only the client cancels bounty 0",
        ),
        (
            [
                "bounty",
                "claim",
                "0",
                "--provider",
                "m1",
                "--deal",
                "0",
                "--from",
                "alice",
            ]
            .map(String::from)
            .to_vec(),
            "USR_FORBIDDEN",
        ),
        (
            vec!["advance".into(), "--to".into(), "5".into()],
            "epoch 5 is in the past",
        ),
        (
            post("alice", PIECE, "10FIL")
                .into_iter()
                .map(|a| if a == "9000" { "9223372036854775807".into() } else { a })
                .collect(),
            "expiry 9223372036854775807 is more than max_duration = 3153600 epochs away (the market's policy): at most epoch 3153610",
        ),
        // The escrow's own code for a stale sector location, passed through by the market,
        // and the escrow's message with the method that refused.
        (
            [
                "bounty",
                "claim",
                "0",
                "--provider",
                "m1",
                "--deal",
                "0",
                "--from",
                "bob",
                "--deadline",
                "3",
                "--partition",
                "0",
            ]
            .map(String::from)
            .to_vec(),
            "refused: EX_STALE_LOCATION (exit 33): escrow Lock on f0",
        ),
        (
            [
                "bounty",
                "claim",
                "0",
                "--provider",
                "m1",
                "--deal",
                "0",
                "--from",
                "bob",
                "--deadline",
                "3",
                "--partition",
                "0",
            ]
            .map(String::from)
            .to_vec(),
            "(from collateral-escrow Lock: sector 1 is not at deadline 3 partition 0 of f0",
        ),
        // Invisible and bidi text in metadata: the registry's message, naming the code point.
        (
            [
                "reputation",
                "register",
                "m1",
                "--from",
                "bob",
                "--name",
                "good\u{202E}lam",
                "--region",
                "DE",
            ]
            .map(String::from)
            .to_vec(),
            "USR_ILLEGAL_ARGUMENT (exit 16): metadata: name contains U+202E RIGHT-TO-LEFT OVERRIDE (format character) at character 5",
        ),
        (
            [
                "reputation",
                "register",
                "m1",
                "--from",
                "bob",
                "--name",
                "p\u{430}ypal",
                "--region",
                "DE",
            ]
            .map(String::from)
            .to_vec(),
            "name mixes Latin and Cyrillic letters (U+0070 at character 1, U+0430 at character 2)",
        ),
        (vec!["init".into()], "already holds a devnet"),
    ];
    for (args, why) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = suite(&dir, &args);
        assert!(!r.ok, "suite {args:?} should fail:\n{}", r.stdout);
        assert!(
            r.stderr.contains(why),
            "suite {args:?}: want {why:?} in:\n{}",
            r.stderr
        );
        assert_eq!(fingerprint(&dir), before, "suite {args:?} changed the devnet");
    }

    // Under --json the refusal is a JSON document with the exit code's name.
    let r = suite(&dir, &["--json", "bounty", "cancel", "0", "--from", "bob"]);
    assert!(!r.ok);
    let err = r.json();
    assert_eq!(err["exit_code"], 18);
    assert_eq!(err["exit_name"], "USR_FORBIDDEN");
    assert_eq!(err["method"], "CancelBounty");
    assert_eq!(err["message"], "only the client cancels bounty 0");
    assert_eq!(fingerprint(&dir), before);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_devnet_in_use_is_refused_not_shared() {
    let dir = temp_dir("lock");
    ok(&dir, &["init"]);
    // Another holder of the database (as a running command would be).
    let held = redb::Database::create(dir.join("devnet.redb")).unwrap();
    let r = suite(&dir, &["--lock-wait", "0", "status"]);
    assert!(!r.ok);
    assert!(r.stderr.contains("in use by another command"), "{}", r.stderr);
    // A command that may wait gets the devnet once the holder lets go.
    let waiting = Command::new(env!("CARGO_BIN_EXE_suite"))
        .arg("--data-dir")
        .arg(&dir)
        .args(["--lock-wait", "60", "account", "create", "late"])
        .env_remove("SUITE_DATA_DIR")
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1500));
    drop(held);
    let out = waiting.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("waiting for another command"));
    let accounts = json(&dir, &["account", "list"]);
    assert!(accounts.as_array().unwrap().iter().any(|a| a["name"] == "late"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_devnet_is_explained() {
    let dir = temp_dir("missing");
    let r = suite(&dir, &["status"]);
    assert!(!r.ok);
    assert!(r.stderr.contains("no devnet in"), "{}", r.stderr);
    assert!(!dir.join("devnet.redb").exists(), "a read creates nothing");
}

#[test]
fn a_devnet_of_another_version_is_refused_with_what_to_do() {
    let dir = temp_dir("old-version");
    ok(&dir, &["init"]);
    // Make the record say version 2, the layout before issue 13 (the CBOR map's "version": 3
    // becomes 2).
    {
        use redb::ReadableTable as _;
        const META: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
        let db = redb::Database::create(dir.join("devnet.redb")).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let mut table = txn.open_table(META).unwrap();
            let mut record = table.get("devnet").unwrap().unwrap().value().to_vec();
            let field = b"\x67version\x03";
            let at = record
                .windows(field.len())
                .position(|w| w == field)
                .expect("the record's version field");
            record[at + field.len() - 1] = 2;
            table.insert("devnet", record.as_slice()).unwrap();
        }
        txn.commit().unwrap();
    }
    let r = suite(&dir, &["status"]);
    assert!(!r.ok, "{}", r.stdout);
    assert!(
        r.stderr.contains("record version 2, this one reads 3") && r.stderr.contains("suite init"),
        "{}",
        r.stderr
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missed_window_faults_a_sector_and_forty_two_periods_end_its_deal() {
    let dir = temp_dir("proving");
    ok(&dir, &["init"]);
    ok(
        &dir,
        &[
            "account",
            "create",
            "alice",
            "--balance",
            "100FIL",
            "--key",
            "secp256k1",
        ],
    );
    ok(&dir, &["account", "create", "sp", "--balance", "50FIL"]);
    // A worker needs a BLS key: refused before sending, nothing changed.
    let r = suite(&dir, &["miner", "create", "bad", "--owner", "alice"]);
    assert!(!r.ok && r.stderr.contains("needs a BLS key"), "{}", r.stderr);
    ok(&dir, &["miner", "create", "m1", "--owner", "sp"]);
    ok(&dir, &["miner", "add-sector", "m1", "1", "--deadline", "2"]);
    let deal = [
        "deal",
        "publish",
        "--client",
        "alice",
        "--provider",
        "m1",
        "--piece",
        PIECE,
        "--size",
        "32GiB",
        "--end",
        "600000",
    ];
    ok(&dir, &deal);
    ok(&dir, &["deal", "activate", "0", "1"]);

    // Nobody declares anything: its window (epochs 120–179) passes without a proof.
    let stopped = json(&dir, &["miner", "stop-proving", "m1", "1"]);
    assert_eq!(stopped["window"], serde_json::json!([120, 179]));
    ok(&dir, &["advance", "--to", "179"]);
    assert_eq!(json(&dir, &["miner", "sector", "m1", "1"])["status"], "active");
    ok(&dir, &["advance", "1"]);
    assert_eq!(json(&dir, &["miner", "sector", "m1", "1"])["status"], "faulty");
    // Declared recovered but still not proven: faulty after its next window too.
    ok(&dir, &["miner", "declare-recovered", "m1", "1"]);
    assert_eq!(json(&dir, &["miner", "sector", "m1", "1"])["status"], "faulty");
    ok(&dir, &["advance", "2880"]);
    assert_eq!(json(&dir, &["miner", "sector", "m1", "1"])["status"], "faulty");
    // 42 proving periods after the missed window the cron terminates it, and its deal.
    ok(&dir, &["advance", "--to", "121140"]);
    assert_eq!(json(&dir, &["miner", "sector", "m1", "1"])["status"], "dead");
    let gone = json(&dir, &["deal", "show", "0"]);
    assert_eq!(gone["status"], "terminated");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_demo_tells_the_story_and_its_books_balance() {
    let keep = temp_dir("demo");
    let r = suite(
        Path::new("unused"),
        &["--json", "demo", "--keep", keep.to_str().unwrap()],
    );
    assert!(r.ok, "demo failed:\n{}{}", r.stdout, r.stderr);
    let story = r.json();
    let amount = |key: &str| -> u128 { story["books"][key].as_str().unwrap().parse().unwrap() };
    // What clients paid in = what providers withdrew + what clients reclaimed + what the market
    // still holds; collateral in = released + paid to clients + paid to watchers + still held.
    assert_eq!(
        amount("posted"),
        amount("withdrawn") + amount("reclaimed") + amount("market_balance")
    );
    assert_eq!(
        amount("collateral"),
        amount("released") + amount("compensation") + amount("reporter_rewards") + amount("escrow_balance")
    );
    assert_eq!(
        amount("posted"),
        100 * 10u128.pow(18),
        "three bounties: 40 + 30 + 30 FIL"
    );
    assert!(
        amount("compensation") > 0 && amount("reporter_rewards") > 0,
        "the fault was paid for"
    );
    assert!(amount("released") > 0, "a lock was released");

    let providers = story["reputation"].as_array().unwrap();
    let p = |name: &str| {
        providers
            .iter()
            .find(|p| p["provider"]["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(p("p3")["slashes"], 1);
    assert_eq!(p("p3")["faults"], 1);
    assert!(p("p3")["score"].as_u64().unwrap() < 5000);
    assert_eq!(p("p1")["completed"], 1);
    assert!(p("p1")["score"].as_u64().unwrap() > 5000);
    // The market reports no "claim accepted" (it moves no score): p4's claims, the reopened
    // slot's included, count when the escrow reports their outcome.
    assert_eq!(p("p4")["claims_accepted"], 0);
    // The README's table of the demo's registry at day 180.
    let scores: Vec<u64> = ["p1", "p2", "p3", "p4"]
        .map(|name| p(name)["score"].as_u64().unwrap())
        .to_vec();
    assert_eq!(scores, [6666, 5000, 2636, 5000]);
    let methods: Vec<&str> = story["gas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["method"].as_str().unwrap())
        .collect();
    for m in [
        "PostBounty",
        "ClaimBounty",
        "Withdraw",
        "ReportFault",
        "Release",
        "RegisterProvider",
    ] {
        assert!(methods.contains(&m), "{m} in the gas table: {methods:?}");
    }
    for line in [
        "posts bounty",
        "claims bounty",
        "withdraws",
        "stops proving sector",
        "passed without a WindowPoSt: p3's deadline cron marks sector",
        "proves the fault",
        "proves the loss",
        "ends:",
    ] {
        assert!(r.stderr.contains(line), "progress line {line:?}:\n{}", r.stderr);
    }

    // The kept devnet is a real one: the CLI opens it where the demo left it.
    let status = json(&keep, &["status"]);
    assert_eq!(status["epoch"], story["epoch"]);
    assert_eq!(status["escrow"]["held"], story["books"]["escrow_balance"]);
    let _ = std::fs::remove_dir_all(&keep);
}
