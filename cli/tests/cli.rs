//! The real `suite` binary as a client of a real `suite node`, one process per command, as a
//! user would run them: every flow over JSON-RPC with keystore keys, JSON outputs, refusals that
//! change nothing, what a missing or wrong node says, the node's data-dir lock and record
//! version, and the demo's books. Each test that moves the clock or compares whole-chain state
//! runs its own node (started on a free loopback port, killed when the test ends).

mod common;

use std::path::Path;
use std::process::Command;

use serde_json::Value;

use common::{temp_dir, Client, Node};

/// A piece commitment (CommP) of 32 bytes of 0x11: `baga6ea4seaq…`.
const PIECE: &str = "baga6ea4seaqbceirceirceirceirceirceirceirceirceirceirceirceircei";
/// A well-formed CID that is not a piece commitment (a raw blake2b block).
const NOT_A_PIECE: &str = "bafk2bzacebiwzqocjahzhvpk34ommfpsdi5g5px6lckffp6pfutmbfpab32r6";

fn fil(n: u64) -> String {
    (u128::from(n) * 1_000_000_000_000_000_000).to_string()
}

/// The state root and the client's accounts: what a refused command must leave as it was.
fn fingerprint(c: &Client) -> (Value, Value) {
    let status = c.json(&["status"]);
    (status["state_root"].clone(), c.json(&["account", "list"]))
}

/// The next message's epoch.
fn epoch(c: &Client) -> i64 {
    c.json(&["status"])["epoch"].as_i64().unwrap()
}

#[test]
fn every_flow_runs_over_json_rpc() {
    let dir = temp_dir("cli", "session");
    let node = Node::start(&dir.join("devnet"));
    let c = Client::of(&node, &dir);
    let out = c.ok(&["status"]);
    assert!(out.contains(&format!("node {} (suite-devnet)", c.rpc)), "{out}");
    for actor in ["provider-reputation", "collateral-escrow", "bounty-market"] {
        let line = out
            .lines()
            .find(|l| l.starts_with(actor))
            .unwrap_or_else(|| panic!("{out}"));
        assert!(line.contains("bafk2bza"), "code CID printed: {line}");
    }
    let status = c.json(&["status"]);
    assert_eq!(status["head"], 0, "a new devnet");
    assert_eq!(status["actors"].as_array().unwrap().len(), 3);

    assert!(c
        .ok(&["account", "create", "alice", "--balance", "100FIL"])
        .contains("account alice: f0"));
    c.ok(&["account", "create", "owner1", "--balance", "50FIL"]);
    c.ok(&["account", "create", "watcher", "--balance", "250nanoFIL"]);
    c.ok(&["account", "fund", "watcher", "1.5FIL"]);
    let accounts = c.json(&["account", "list"]);
    let watcher = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "watcher")
        .unwrap();
    assert_eq!(watcher["balance"], "1500000250000000000");

    assert!(c
        .ok(&["miner", "create", "m1", "--owner", "owner1"])
        .contains("miner m1: f0"));
    c.ok(&["miner", "add-sector", "m1", "1"]);
    let sector = c.json(&["miner", "sector", "m1", "1"]);
    assert_eq!(sector["status"], "active");
    let deal = c.json(&[
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
    ]);
    assert_eq!(deal["deal_id"], 0);
    let activated_at = epoch(&c);
    c.ok(&["deal", "activate", "0", "1"]);
    let shown = c.json(&["deal", "show", "0"]);
    assert_eq!(shown["piece_cid"], PIECE);
    assert_eq!(shown["provider"]["name"], "m1");
    assert_eq!(shown["activated"], activated_at);

    c.ok(&[
        "reputation",
        "register",
        "m1",
        "--from",
        "owner1",
        "--name",
        "Miner One",
        "--region",
        "DE",
    ]);
    let updated = c.json(&[
        "reputation",
        "update",
        "m1",
        "--from",
        "owner1",
        "--name",
        "Miner Uno",
        "--region",
        "FR",
    ]);
    assert_eq!(updated["name"], "Miner Uno");
    let shown = c.json(&["reputation", "show", "m1"]);
    assert_eq!(shown["name"], "Miner Uno");
    assert_eq!(shown["region"], "FR");
    let post = c.ok(&[
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
    ]);
    assert!(post.starts_with("bounty 0:"), "{post}");
    let listed = c.json(&["bounty", "list", "--client", "alice"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["pool"], fil(10));
    assert_eq!(listed[0]["status"], "open");

    let claim = c.json(&[
        "bounty",
        "claim",
        "0",
        "--provider",
        "m1",
        "--deal",
        "0",
        "--from",
        "owner1",
    ]);
    assert_eq!(claim["claim_id"], 0);
    assert_eq!(claim["lock_id"], 0);
    let bounty = c.json(&["bounty", "show", "0"]);
    assert_eq!(bounty["status"], "full");
    assert_eq!(bounty["claims"][0]["provider"]["name"], "m1");

    // Half the vesting period: half the reward is withdrawable, and paid to the owner.
    let claimed_at = c.json(&["bounty", "show-claim", "0"])["claimed_at"]
        .as_i64()
        .unwrap();
    let now = epoch(&c);
    let half = (claimed_at + 1500).to_string();
    assert!(c
        .ok(&["advance", "--to", &half])
        .contains(&format!("epoch {now} → {half}")));
    let balance = c.json(&["bounty", "balance", "--provider", "m1"]);
    assert_eq!(balance["vested"], fil(5));
    assert_eq!(balance["withdrawable"], fil(5));
    let paid = c.ok(&["bounty", "withdraw", "--provider", "m1", "--from", "owner1"]);
    assert!(paid.contains("paid 5 FIL to owner1"), "{paid}");
    let locks = c.json(&["escrow", "list", "--provider", "m1"]);
    assert_eq!(locks[0]["status"], "open");
    assert_eq!(locks[0]["remaining"], fil(2));
    assert_eq!(locks[0]["end_epoch"], claimed_at + 3000);

    // At the lock's end: anyone releases it, the claim completes, the rest is withdrawn.
    c.ok(&["advance", "--to", &(claimed_at + 3000).to_string()]);
    let released = c.ok(&["escrow", "release", "0", "--from", "alice"]);
    assert!(released.contains("2 FIL back to owner1"), "{released}");
    assert_eq!(c.json(&["bounty", "show-claim", "0"])["status"], "completed");
    assert_eq!(c.json(&["escrow", "show", "0"])["status"], "released");
    c.ok(&["bounty", "withdraw", "--provider", "m1", "--from", "owner1"]);
    let reputation = c.json(&["reputation", "list"]);
    assert_eq!(reputation[0]["provider"]["name"], "m1");
    assert_eq!(reputation[0]["completed"], 1);
    assert!(reputation[0]["score"].as_u64().unwrap() > 5000, "{reputation}");
    let shown = c.json(&["reputation", "show", "m1"]);
    assert_eq!(shown["name"], "Miner Uno");

    let status = c.json(&["status"]);
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
    let funded = c.json(&["account", "fund", &fresh, "1FIL", "--from", "alice"]);
    assert_eq!(
        funded["balance"],
        fil(1),
        "a new account holding just the transfer"
    );
    assert_eq!(funded["amount"], fil(1));
    // A bounty is claimable before its expiry epoch, not at it.
    let expiry = epoch(&c) + 100;
    let expiry_text = expiry.to_string();
    c.ok(&[
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
        &expiry_text,
    ]);
    c.ok(&["advance", "--to", &(expiry - 1).to_string()]);
    assert_eq!(c.json(&["bounty", "show", "1"])["status"], "open");
    c.ok(&["advance", "1"]);
    assert_eq!(c.json(&["bounty", "show", "1"])["status"], "expired");
    // A settled claim stays visible on its bounty.
    assert_eq!(
        c.json(&["bounty", "show", "0"])["claims"][0]["status"],
        "completed"
    );
    // A terminated deal is gone from the storage market; the devnet says how it ended.
    c.ok(&[
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
    ]);
    c.ok(&["miner", "add-sector", "m1", "2"]);
    c.ok(&["deal", "activate", "1", "2"]);
    assert_eq!(c.json(&["deal", "show", "1"])["status"], "active");
    let terminated_at = epoch(&c);
    c.ok(&["deal", "terminate", "1"]);
    let gone = c.json(&["deal", "show", "1"]);
    assert_eq!(gone["status"], "terminated");
    assert_eq!(gone["at"], terminated_at);
    assert!(c
        .ok(&["deal", "show", "1"])
        .contains(&format!("deal 1 terminated at epoch {terminated_at}")));
    let listed = c.json(&["account", "list"]);
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
    assert_ne!(by_name("gas burnt")["balance"], "0", "every message paid its gas");
    // A new command process finds every name where the last one left it.
    assert_eq!(
        by_name("alice")["balance"],
        c.json(&[
            "wallet",
            "balance",
            by_name("alice")["key_address"].as_str().unwrap()
        ])["balance"]
    );
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn refused_commands_say_why_and_change_nothing() {
    let dir = temp_dir("cli", "refusals");
    let node = Node::start(&dir.join("devnet"));
    let c = Client::of(&node, &dir);
    c.ok(&["account", "create", "alice", "--balance", "100FIL"]);
    c.ok(&["account", "create", "bob", "--balance", "5FIL"]);
    c.ok(&["miner", "create", "m1", "--owner", "bob"]);
    c.ok(&["miner", "add-sector", "m1", "1"]);
    c.ok(&[
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
    ]);
    c.ok(&["deal", "activate", "0", "1"]);
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
    let posted = c.ok(&post("alice", PIECE, "10FIL")
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    assert!(posted.starts_with("bounty 0:"));
    c.ok(&["advance", "10"]);
    let before = fingerprint(&c);
    let horizon = format!(
        "expiry 9223372036854775807 is more than max_duration = 3153600 epochs away (the market's policy): at most epoch {}",
        epoch(&c) + 3_153_600
    );

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
            &horizon,
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
        (
            vec!["--deployment".into(), dir.join("none.json").display().to_string(), "status".into(), "--rpc".into(), "http://127.0.0.1:9/rpc/v1".into()],
            "no node answers at http://127.0.0.1:9/rpc/v1",
        ),
    ];
    for (args, why) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = c.run(&args);
        assert!(!r.ok, "suite {args:?} should fail:\n{}", r.stdout);
        assert!(
            r.stderr.contains(why),
            "suite {args:?}: want {why:?} in:\n{}",
            r.stderr
        );
        assert_eq!(fingerprint(&c), before, "suite {args:?} changed the devnet");
    }

    // Under --json the refusal is a JSON document with the exit code's name.
    let r = c.run(&["--json", "bounty", "cancel", "0", "--from", "bob"]);
    assert!(!r.ok);
    let err = r.json();
    assert_eq!(err["exit_code"], 18);
    assert_eq!(err["exit_name"], "USR_FORBIDDEN");
    assert_eq!(err["method"], "CancelBounty");
    assert_eq!(err["message"], "only the client cancels bounty 0");
    assert_eq!(fingerprint(&c), before);
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}

/// `suite node` on a data dir; answers its exit status and stderr (it must not start).
fn node_refused(data_dir: &Path) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_suite"))
        .arg("--data-dir")
        .arg(data_dir)
        .args(["--lock-wait", "0", "node", "--listen", "127.0.0.1:0"])
        .env_remove("SUITE_DATA_DIR")
        .env("RUST_LOG", "warn")
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_devnet_in_use_is_refused_not_shared() {
    let dir = temp_dir("cli", "lock");
    let node = Node::start(&dir.join("devnet"));
    let (ok, stderr) = node_refused(&dir.join("devnet"));
    assert!(!ok);
    assert!(stderr.contains("in use by another command"), "{stderr}");
    // The running node is unharmed.
    assert_eq!(Client::of(&node, &dir).json(&["status"])["head"], 0);
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_node_is_explained() {
    let dir = temp_dir("cli", "missing");
    let c = Client {
        rpc: "http://127.0.0.1:9/rpc/v1".into(),
        home: dir.join("home"),
    };
    let r = c.run(&["status"]);
    assert!(!r.ok);
    assert!(
        r.stderr
            .contains("no node answers at http://127.0.0.1:9/rpc/v1: start one (`suite node`)"),
        "{}",
        r.stderr
    );
    assert!(!dir.join("home").exists(), "a read creates nothing");
    // A command that needs no node runs without one.
    assert!(c.run(&["wallet", "list"]).ok);
}

#[test]
fn a_devnet_of_another_version_is_refused_with_what_to_do() {
    let dir = temp_dir("cli", "old-version");
    drop(Node::start(&dir.join("devnet")));
    // Make the record say version 2, the layout before issue 13 (the CBOR map's "version": 3
    // becomes 2).
    {
        use redb::ReadableTable as _;
        const META: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("meta");
        let db = redb::Database::create(dir.join("devnet/devnet.redb")).unwrap();
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
    let (ok, stderr) = node_refused(&dir.join("devnet"));
    assert!(!ok);
    assert!(
        stderr.contains("record version 2, this one reads 3")
            && stderr.contains("`suite node` creates a new one"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missed_window_faults_a_sector_and_forty_two_periods_end_its_deal() {
    let dir = temp_dir("cli", "proving");
    let node = Node::start(&dir.join("devnet"));
    let c = Client::of(&node, &dir);
    c.ok(&[
        "account",
        "create",
        "alice",
        "--balance",
        "100FIL",
        "--key",
        "secp256k1",
    ]);
    c.ok(&["account", "create", "sp", "--balance", "50FIL"]);
    // A worker needs a BLS key: refused before sending, nothing changed.
    let r = c.run(&["miner", "create", "bad", "--owner", "alice"]);
    assert!(!r.ok && r.stderr.contains("needs a BLS key"), "{}", r.stderr);
    c.ok(&["miner", "create", "m1", "--owner", "sp"]);
    c.ok(&["miner", "add-sector", "m1", "1", "--deadline", "2"]);
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
    c.ok(&deal);
    c.ok(&["deal", "activate", "0", "1"]);

    // Nobody declares anything: its window (epochs 120–179) passes without a proof.
    let stopped = c.json(&["miner", "stop-proving", "m1", "1"]);
    assert_eq!(stopped["window"], serde_json::json!([120, 179]));
    c.ok(&["advance", "--to", "179"]);
    assert_eq!(c.json(&["miner", "sector", "m1", "1"])["status"], "active");
    c.ok(&["advance", "1"]);
    assert_eq!(c.json(&["miner", "sector", "m1", "1"])["status"], "faulty");
    // Declared recovered but still not proven: faulty after its next window too.
    c.ok(&["miner", "declare-recovered", "m1", "1"]);
    assert_eq!(c.json(&["miner", "sector", "m1", "1"])["status"], "faulty");
    c.ok(&["advance", "2880"]);
    assert_eq!(c.json(&["miner", "sector", "m1", "1"])["status"], "faulty");
    // 42 proving periods after the missed window the cron terminates it, and its deal.
    c.ok(&["advance", "--to", "121140"]);
    assert_eq!(c.json(&["miner", "sector", "m1", "1"])["status"], "dead");
    let gone = c.json(&["deal", "show", "0"]);
    assert_eq!(gone["status"], "terminated");
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_demo_tells_the_story_and_its_books_balance() {
    let keep = temp_dir("cli", "demo").join("kept");
    let r = common::suite_at(
        "http://127.0.0.1:9/rpc/v1",
        Path::new("unused"),
        &["--json", "demo", "--keep", keep.to_str().unwrap()],
        &[],
    );
    assert!(r.ok, "demo failed:\n{}{}", r.stdout, r.stderr);
    let story = r.json();
    let amount = |key: &str| -> u128 { story["books"][key].as_str().unwrap().parse().unwrap() };
    // What clients and sponsors paid in, plus DDO deposits = what providers withdrew + what
    // clients reclaimed + what sponsors took back + deposits locked in the escrow + what the
    // market still holds; collateral in = released + paid to clients + paid to watchers + still
    // held.
    assert_eq!(
        amount("posted") + amount("renewals_funded") + amount("funded") + amount("deposited"),
        amount("withdrawn")
            + amount("reclaimed")
            + amount("sponsor_refunded")
            + amount("ddo_locked")
            + amount("market_balance")
    );
    assert_eq!(
        amount("collateral"),
        amount("released") + amount("compensation") + amount("reporter_rewards") + amount("escrow_balance")
    );
    assert_eq!(
        amount("posted"),
        120 * 10u128.pow(18),
        "four bounties: 40 + 30 + 30 + 20 FIL"
    );
    // The crowdfunded bounty: bob and carol add 6 + 4 FIL; p2's claim takes 15, the cancel
    // returns 15, a third of it theirs (10 of 30): 3 + 2 FIL back, alice 10.
    assert_eq!(amount("funded"), 10 * 10u128.pow(18));
    assert_eq!(amount("sponsor_refunded"), 5 * 10u128.pow(18));
    assert!(
        amount("compensation") > 0 && amount("reporter_rewards") > 0,
        "the fault was paid for"
    );
    assert!(amount("released") > 0, "a lock was released");
    // alice funded one renewal term of her first bounty (its 20 FIL reward), which p1 took.
    assert_eq!(amount("renewals_funded"), 20 * 10u128.pow(18));
    // p4 took the reopened slot by DDO: its deposit, bob's 8 FIL collateral, all locked.
    assert_eq!(amount("deposited"), 8 * 10u128.pow(18));
    assert_eq!(amount("ddo_locked"), amount("deposited"));

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
    assert_eq!(scores, [6666, 5000, 2637, 5000]);
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
        "DepositCollateral",
        "FundBounty",
        "RefundSponsor",
        "FundRenewals",
        "RenewClaim",
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
        "p4 deposits",
        "by DDO; its miner's SectorContentChanged claims bounty",
        "ends:",
        "bob adds 6 FIL to bounty 3: its 2 open slots now pay 13 FIL each",
        "carol takes back 2 FIL of bounty 3",
        "alice funds a renewal of bounty 0: 20 FIL",
        "and renews claim 0: 20 FIL vesting",
    ] {
        assert!(r.stderr.contains(line), "progress line {line:?}:\n{}", r.stderr);
    }

    // The kept devnet is a real one: a node serves it where the demo left it, and the kept
    // home still names its accounts.
    let node = Node::start(&keep.join("devnet"));
    let c = Client {
        rpc: node.rpc(),
        home: keep.join("home"),
    };
    let status = c.json(&["status"]);
    assert!(status["epoch"].as_i64() >= story["epoch"].as_i64(), "{status}");
    assert_eq!(status["escrow"]["held"], story["books"]["escrow_balance"]);
    let accounts = c.json(&["account", "list"]);
    assert!(
        accounts
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["name"] == "watcher"),
        "{accounts}"
    );
    drop(node);
    let _ = std::fs::remove_dir_all(keep.parent().unwrap());
}

#[test]
fn deploy_installs_the_suite_and_later_commands_use_it() {
    let dir = temp_dir("cli", "deploy");
    let node = Node::start(&dir.join("devnet"));
    let c = Client::of(&node, &dir);
    let devnets_own = c.json(&["status"])["actors"][2]["id"].clone();
    c.ok(&["account", "create", "deployer", "--balance", "100FIL"]);
    c.ok(&["account", "create", "alice", "--balance", "100FIL"]);
    let deployed = c.json(&["deploy", "--from", "deployer"]);
    assert_eq!(deployed["network"], "suite-devnet");
    assert_eq!(deployed["messages"], 8, "3 InstallCode, 3 Exec, 2 AddReporter");
    let market = deployed["actors"]["bounty-market"]["id"].clone();
    assert_ne!(market, devnets_own, "a suite of its own, next to the devnet's");
    assert!(c.home.join("suite.json").exists());
    // Every later command reads the deployment file: the status names the new actors, with
    // the code the file records, and a bounty goes to the new market.
    let status = c.json(&["status"]);
    assert_eq!(status["actors"][2]["id"], market);
    assert_eq!(
        status["actors"][2]["code_cid"],
        deployed["actors"]["bounty-market"]["code_cid"]
    );
    let posted = c.json(&[
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
        "100000",
    ]);
    assert_eq!(posted["bounty_id"], 0);
    let market_balance = &c.json(&["status"])["actors"][2]["balance"];
    assert_eq!(market_balance, &Value::String(fil(1)));
    // The deployment file is never replaced.
    let r = c.run(&["deploy", "--from", "deployer"]);
    assert!(!r.ok && r.stderr.contains("already exists"), "{}", r.stderr);
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A JSON-RPC node with no `Devnet.*` namespace (as Lotus is): it knows its head and genesis
/// and answers every other method "method not found" (-32601), as go-jsonrpc does.
fn lotus_like_node() -> String {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut request = Vec::new();
            let mut buf = [0u8; 4096];
            // Headers, then the body of Content-Length bytes.
            let body = loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                if n == 0 {
                    break None;
                }
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let length: usize = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse().unwrap())
                        })
                        .unwrap_or(0);
                    if body.len() >= length {
                        break Some(body.to_string());
                    }
                }
            };
            let Some(body) = body else { continue };
            let call: Value = serde_json::from_str(&body).unwrap();
            let answer = match call["method"].as_str().unwrap() {
                "Filecoin.ChainHead" => serde_json::json!({"jsonrpc": "2.0", "id": call["id"], "result": {"Height": 5, "Cids": []}}),
                "Filecoin.ChainGetTipSetByHeight" => serde_json::json!({"jsonrpc": "2.0", "id": call["id"], "result": {"Height": 0, "Cids": [{"/": "bafy2bzacea"}]}}),
                m => serde_json::json!({"jsonrpc": "2.0", "id": call["id"], "error": {"code": -32601, "message": format!("method '{m}' not found")}}),
            }
            .to_string();
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    format!("http://127.0.0.1:{port}/rpc/v1")
}

#[test]
fn devnet_only_commands_say_so_on_a_node_without_the_devnet_namespace() {
    let dir = temp_dir("cli", "lotus-like");
    let c = Client {
        rpc: lotus_like_node(),
        home: dir.join("home"),
    };
    for (args, why) in [
        (vec!["advance", "10"], "devnet only: the node at"),
        (vec!["account", "create", "alice"], "has no Devnet.Faucet"),
        (vec!["bounty", "list"], "no deployment file at"),
    ] {
        let r = c.run(&args);
        assert!(!r.ok, "{args:?} succeeded");
        assert!(r.stderr.contains(why), "{args:?}: want {why:?} in {}", r.stderr);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_provider_deposits_collateral_and_claims_a_bounty_by_ddo() {
    let dir = temp_dir("cli", "ddo");
    let node = Node::start(&dir.join("devnet"));
    let c = Client::of(&node, &dir);
    c.ok(&["account", "create", "alice", "--balance", "100FIL"]);
    c.ok(&["account", "create", "sp", "--balance", "50FIL"]);
    c.ok(&["miner", "create", "m1", "--owner", "sp"]);
    c.ok(&["miner", "add-sector", "m1", "2"]);
    c.ok(&[
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
    ]);

    // Without a deposit the market refuses the piece, and says why; nothing is claimed.
    let refused = c.json(&["bounty", "activate", "0", "--provider", "m1", "--sector", "2"]);
    assert_eq!(refused["accepted"], false, "{refused}");
    let why = refused["refusal"].as_str().unwrap();
    assert!(why.contains("DepositCollateral first"), "{why}");

    // A deposit by the miner's owner, then the activation claims the bounty.
    let out = c.ok(&["bounty", "deposit", "3FIL", "--provider", "m1", "--from", "sp"]);
    assert!(out.contains("3 FIL available to DDO claims"), "{out}");
    let claimed = c.json(&["bounty", "activate", "0", "--provider", "m1", "--sector", "2"]);
    assert_eq!(
        (claimed["accepted"].clone(), claimed["claim_id"].clone()),
        (true.into(), 0.into()),
        "{claimed}"
    );
    let shown = c.json(&["bounty", "show-claim", "0"]);
    assert_eq!(
        (
            shown["via"].as_str(),
            shown["deal_id"].is_null(),
            shown["sector"].as_u64()
        ),
        (Some("ddo"), true, Some(2))
    );
    let text = c.ok(&["bounty", "show", "0"]);
    assert!(
        text.lines().any(|l| l.contains("m1") && l.contains("DDO")),
        "{text}"
    );
    let deposit = c.json(&["bounty", "collateral", "--provider", "m1"]);
    assert_eq!(deposit["available"], "1000000000000000000");
    assert_eq!(deposit["locked_total"], "2000000000000000000");

    // Only what no claim locked comes back, to the owner.
    let r = c.run(&[
        "bounty",
        "withdraw-collateral",
        "2FIL",
        "--provider",
        "m1",
        "--from",
        "sp",
    ]);
    assert!(
        !r.ok && r.stderr.contains("USR_INSUFFICIENT_FUNDS"),
        "{}",
        r.stderr
    );
    let paid = c.json(&[
        "bounty",
        "withdraw-collateral",
        "--provider",
        "m1",
        "--from",
        "sp",
    ]);
    assert_eq!(paid["paid"], "1000000000000000000");
    assert_eq!(paid["available"], "0");
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_crowdfunded_diverse_bounty_over_the_cli() {
    let dir = temp_dir("cli", "crowd");
    let node = Node::start(&dir.join("devnet"));
    let c = Client::of(&node, &dir);
    c.ok(&["account", "create", "alice", "--balance", "100FIL"]);
    c.ok(&["account", "create", "bob", "--balance", "100FIL"]);
    let post = c.ok(&[
        "bounty",
        "post",
        "--from",
        "alice",
        "--piece",
        PIECE,
        "--size",
        "32GiB",
        "--replicas",
        "2",
        "--distinct-owners",
        "--max-per-region",
        "1",
        "--reward",
        "10FIL",
        "--collateral",
        "2FIL",
        "--min-duration",
        "3000",
        "--expiry",
        "100000",
    ]);
    assert!(post.starts_with("bounty 0:"), "{post}");
    let shown = c.ok(&["bounty", "show", "0"]);
    assert!(
        shown.contains("diversity: distinct owners, at most 1 per region"),
        "{shown}"
    );
    // A max_per_region of replicas or more would refuse nothing: refused, nothing moves.
    let before = fingerprint(&c);
    let r = c.run(&[
        "bounty",
        "post",
        "--from",
        "alice",
        "--piece",
        PIECE,
        "--size",
        "32GiB",
        "--replicas",
        "2",
        "--max-per-region",
        "2",
        "--reward",
        "10FIL",
        "--collateral",
        "2FIL",
        "--min-duration",
        "3000",
        "--expiry",
        "100000",
    ]);
    assert!(
        !r.ok && r.stderr.contains("max_per_region must be 1 to replicas − 1"),
        "{}",
        r.stderr
    );
    assert_eq!(fingerprint(&c).0, before.0);

    let funded = c.json(&["bounty", "fund", "0", "--from", "bob", "--amount", "4FIL"]);
    assert_eq!(funded["pool"], fil(24));
    assert_eq!(funded["sponsored"], fil(4));
    let text = c.ok(&["bounty", "fund", "0", "--from", "bob", "--amount", "2FIL"]);
    assert!(text.contains("2 open slots now pay about 13 FIL each"), "{text}");
    let bounty = c.json(&["bounty", "show", "0"]);
    assert_eq!(
        (bounty["sponsors"].as_u64(), bounty["max_per_region"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(bounty["distinct_owners"], true);
    assert!(c
        .ok(&["bounty", "show", "0"])
        .contains("crowdfunded: 6 FIL from 1 sponsor"));
    let contribution = c.json(&["bounty", "contribution", "0", "--sponsor", "bob"]);
    assert_eq!(contribution["amount"], fil(6));
    assert_eq!(contribution["refundable_now"], "0");

    // Only alice cancels; bob's refund waits for it.
    let r = c.run(&["bounty", "cancel", "0", "--from", "bob"]);
    assert!(
        !r.ok && r.stderr.contains("only the client cancels"),
        "{}",
        r.stderr
    );
    let r = c.run(&["bounty", "refund", "0", "--from", "bob"]);
    assert!(
        !r.ok && r.stderr.contains("refunds start at its cancel or expiry"),
        "{}",
        r.stderr
    );
    c.ok(&["bounty", "cancel", "0", "--from", "alice"]);
    // Nothing was claimed: all 26 FIL return, 6 of them bob's, settled at once.
    let refund = c.json(&["bounty", "refund", "0", "--from", "bob"]);
    assert_eq!(
        (refund["refunded"].clone(), refund["settled"].clone()),
        (Value::from(fil(6)), Value::from(true))
    );
    let reclaimed = c.json(&["bounty", "reclaim", "0", "--from", "alice"]);
    assert_eq!(reclaimed["reclaimed"], fil(20));
    let contribution = c.json(&["bounty", "contribution", "0", "--sponsor", "bob"]);
    assert_eq!(
        (contribution["refunded"].clone(), contribution["settled"].clone()),
        (Value::from(fil(6)), Value::from(true))
    );
    for help in [["bounty", "fund", "--help"], ["bounty", "refund", "--help"]] {
        assert!(c.ok(&help).contains("Example:\n  suite bounty"), "{help:?}");
    }
}

#[test]
fn a_client_funds_a_renewal_and_the_provider_renews_its_claim_over_the_cli() {
    let dir = temp_dir("cli", "renew");
    let node = Node::start(&dir.join("devnet"));
    let c = Client::of(&node, &dir);
    c.ok(&["account", "create", "alice", "--balance", "100FIL"]);
    c.ok(&["account", "create", "owner1", "--balance", "50FIL"]);
    c.ok(&["miner", "create", "m1", "--owner", "owner1"]);
    // A 32 GiB piece fills a sector: one per deal.
    for sector in ["1", "2", "3"] {
        c.ok(&["miner", "add-sector", "m1", sector]);
    }
    let publish = |c: &Client| {
        c.json(&[
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
        ])["deal_id"]
            .as_u64()
            .unwrap()
    };
    let first = publish(&c);
    c.ok(&["deal", "activate", &first.to_string(), "1"]);
    // One replica and one renewal term: 20 FIL escrowed.
    let post = c.json(&[
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
        "--renewals",
        "1",
    ]);
    assert_eq!(post["value"], fil(20), "{post}");
    c.ok(&[
        "bounty",
        "claim",
        "0",
        "--provider",
        "m1",
        "--deal",
        &first.to_string(),
        "--from",
        "owner1",
    ]);
    let claimed_at = c.json(&["bounty", "show-claim", "0"])["claimed_at"]
        .as_i64()
        .unwrap();
    let second = publish(&c);
    c.ok(&["deal", "activate", &second.to_string(), "2"]);
    // Too early: the window opens a quarter term before the end; the refusal says when.
    let r = c.run(&[
        "bounty",
        "renew",
        "0",
        "--deal",
        &second.to_string(),
        "--from",
        "owner1",
    ]);
    assert!(
        !r.ok
            && r.stderr
                .contains(&format!("renews from epoch {}", claimed_at + 2250)),
        "{}",
        r.stderr
    );
    c.ok(&["advance", "--to", &(claimed_at + 2300).to_string()]);
    let renewed = c.json(&[
        "bounty",
        "renew",
        "0",
        "--deal",
        &second.to_string(),
        "--from",
        "owner1",
    ]);
    assert_eq!(
        (
            renewed["term_start"].as_i64(),
            renewed["term_end"].as_i64(),
            renewed["reward"].clone()
        ),
        (Some(claimed_at + 3000), Some(claimed_at + 6000), fil(10).into()),
        "{renewed}"
    );
    let claim = c.json(&["bounty", "show-claim", "0"]);
    assert_eq!(claim["reward"], fil(20), "{claim}");
    assert_eq!(claim["history"][0]["deal_id"].as_u64(), Some(first), "{claim}");
    assert_eq!(claim["deal_id"].as_u64(), Some(second), "{claim}");
    let text = c.ok(&["bounty", "show", "0"]);
    assert!(
        text.contains(&format!("claim 0 term 1: deal {first}")) && text.contains("renewals: 0 left"),
        "{text}"
    );
    // Nothing left to renew with: the CLI says who can fix it; the client funds one more and
    // then takes it back.
    c.ok(&["advance", "--to", &(claimed_at + 5300).to_string()]);
    let third = publish(&c);
    c.ok(&["deal", "activate", &third.to_string(), "3"]);
    let r = c.run(&[
        "bounty",
        "renew",
        "0",
        "--deal",
        &third.to_string(),
        "--from",
        "owner1",
    ]);
    assert!(!r.ok && r.stderr.contains("fund-renewals"), "{}", r.stderr);
    let funded = c.json(&[
        "bounty",
        "fund-renewals",
        "0",
        "--renewals",
        "1",
        "--from",
        "alice",
    ]);
    assert_eq!(
        (funded["renewals_left"].as_u64(), funded["renewal_pool"].clone()),
        (Some(1), fil(10).into())
    );
    let reclaimed = c.json(&["bounty", "reclaim-renewals", "0", "--from", "alice"]);
    assert_eq!(reclaimed["reclaimed"], fil(10));
    let r = c.run(&["bounty", "reclaim-renewals", "0", "--from", "alice"]);
    assert!(!r.ok && r.stderr.contains("no renewal money"), "{}", r.stderr);
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}
