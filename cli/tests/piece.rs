//! `suite piece` and `--file`, on the real binary: CommP of files and standard input against
//! published vectors, the JSON fields, the size limit, and from a file to a bounty and a deal
//! that `piece verify` checks.

mod common;

use std::path::Path;

use common::{json, ok, suite, suite_with_stdin};

fn write(dir: &Path, name: &str, data: &[u8]) -> String {
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path.display().to_string()
}

/// 1,024 bytes of 0xCC (Lotus, `docs/commp.md` §2).
const CC_1024: &str = "baga6ea4seaqdlpnhgsndrgjeu4p46hahlsr4lybg6du4d56ooppdpxhcofxeuoi";
/// 127 zero bytes, and any shorter payload zero-filled to it.
const ZERO_PIECE: &str = "baga6ea4seaqdomn3tgwgrh3g532zopskstnbrd2n3sxfqbze7rxt7vqn7veigmy";

#[test]
fn piece_commp_of_a_file_matches_the_lotus_vectors() {
    let dir = common::temp_dir("piece", "commp");
    let file = write(&dir, "cc.bin", &[0xcc; 1024]);
    let r = suite(&dir, &["piece", "commp", &file]);
    assert!(r.ok, "{}", r.stderr);
    assert!(r.stdout.contains(CC_1024), "{}", r.stdout);
    assert!(r.stdout.contains("2048 (2 KiB, padded)"), "{}", r.stdout);
    assert!(r.stdout.contains("1024 bytes"), "{}", r.stdout);
    assert_eq!(r.stderr, "", "no progress line when stderr is not a terminal");

    let j = json(&dir, &["piece", "commp", &file]);
    assert_eq!(j["piece_cid"], CC_1024);
    assert_eq!(j["piece_size"], 2048);
    assert_eq!(j["payload_size"], 1024);
    assert_eq!(j["unpadded_size"], 2032);
    assert_eq!(j["file"], file.as_str());
    assert!(j.get("piece_cid_v2").is_none(), "v2 only when asked: {j}");

    // FRC-0069's first test case: 127 × 0, 1, 2, 3.
    let data: Vec<u8> = (0..4u8).flat_map(|b| [b; 127]).collect();
    let frc = write(&dir, "frc69.bin", &data);
    let j = json(&dir, &["piece", "commp", "--v2", &frc]);
    assert_eq!(
        j["piece_cid"],
        "baga6ea4seaqes3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi"
    );
    assert_eq!(
        j["piece_cid_v2"],
        "bafkzcibcaaces3nobte6ezpp4wqan2age2s5yxcatzotcvobhgcmv5wi2xh5mbi"
    );
    assert_eq!(j["piece_size"], 512);
    let text = ok(&dir, &["piece", "commp", "--v2", &frc]);
    assert!(text.contains("piece CID v2  bafkzcib"), "{text}");

    let missing = suite(&dir, &["piece", "commp", &dir.join("nope").display().to_string()]);
    assert!(!missing.ok);
    assert!(missing.stderr.contains("nope"), "{}", missing.stderr);
    let a_dir = suite(&dir, &["piece", "commp", &dir.display().to_string()]);
    assert!(
        !a_dir.ok && a_dir.stderr.contains("is a directory"),
        "{}",
        a_dir.stderr
    );
}

#[test]
fn piece_commp_reads_standard_input() {
    let dir = common::temp_dir("piece", "stdin");
    let r = suite_with_stdin(&dir, &["--json", "piece", "commp", "-"], &[0xcc; 1024]);
    assert!(r.ok, "{}", r.stderr);
    assert_eq!(r.json()["piece_cid"], CC_1024);
    // Empty and tiny payloads follow the minimum: 127 zero-filled bytes, 128 padded.
    for payload in [&[][..], &[0u8; 96][..]] {
        let r = suite_with_stdin(&dir, &["--json", "piece", "commp", "-"], payload);
        assert!(r.ok, "{}", r.stderr);
        let j = r.json();
        assert_eq!(j["piece_cid"], ZERO_PIECE);
        assert_eq!(j["piece_size"], 128);
        assert_eq!(j["payload_size"], payload.len());
    }
    // A stream bigger than one batch (1 MiB) goes through the threaded path too.
    let big: Vec<u8> = (0..3_000_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let file = write(&dir, "big.bin", &big);
    let from_file = json(&dir, &["piece", "commp", &file]);
    let r = suite_with_stdin(&dir, &["--json", "piece", "commp", "-"], &big);
    assert_eq!(r.json()["piece_cid"], from_file["piece_cid"]);
    assert_eq!(from_file["piece_size"], 4 << 20);
}

#[test]
fn a_file_too_large_for_one_piece_is_refused_with_the_limit() {
    let dir = common::temp_dir("piece", "too-large");
    let path = dir.join("sparse.bin");
    // One byte more than a 64 GiB piece holds; sparse, so it takes no disk.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(68_182_605_825)
        .unwrap();
    let file = path.display().to_string();
    let r = suite(&dir, &["piece", "commp", &file]);
    assert!(!r.ok);
    assert!(
        r.stderr
            .contains("68,182,605,825 bytes is too large for one piece"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("at most 68,182,605,824 bytes"), "{}", r.stderr);
    assert!(r.stderr.contains("64 GiB"), "{}", r.stderr);
    let r = suite(&dir, &["--json", "piece", "commp", &file]);
    assert!(!r.ok);
    assert!(
        r.json()["error"].as_str().unwrap().contains("too large"),
        "{}",
        r.stdout
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn from_a_file_to_a_bounty_and_a_deal_that_piece_verify_checks() {
    let dir = common::temp_dir("piece", "bounty");
    let data: Vec<u8> = (0..5000u32).map(|i| (i * 7 + i / 13) as u8).collect();
    let file = write(&dir, "data.bin", &data);
    let mut other_data = data.clone();
    other_data[4321] ^= 1;
    let other = write(&dir, "other.bin", &other_data);
    let piece = json(&dir, &["piece", "commp", &file]);
    let cid = piece["piece_cid"].as_str().unwrap().to_string();
    assert_eq!(piece["piece_size"], 8192);

    ok(&dir, &["account", "create", "alice", "--balance", "100FIL"]);
    ok(&dir, &["account", "create", "sp", "--balance", "50FIL"]);
    ok(&dir, &["miner", "create", "m1", "--owner", "sp"]);

    let post = [
        "bounty",
        "post",
        "--from",
        "alice",
        "--file",
        &file,
        "--reward",
        "1FIL",
        "--collateral",
        "1FIL",
        "--min-duration",
        "3000",
        "--expiry",
        "100000",
    ];
    let mut posted_json = vec!["--json"];
    posted_json.extend_from_slice(&post);
    let bounty_id = suite(&dir, &posted_json).json()["bounty_id"].to_string();
    let posted = ok(&dir, &post);
    assert!(posted.contains(&cid) && posted.contains("(8 KiB)"), "{posted}");
    let bounty = json(&dir, &["bounty", "show", &bounty_id]);
    assert_eq!(bounty["piece_cid"], cid.as_str());
    assert_eq!(bounty["piece_size"], 8192);
    let listed = json(&dir, &["bounty", "list", "--piece", &cid]);
    assert_eq!(
        listed.as_array().map(Vec::len),
        Some(2),
        "the two posts: {listed}"
    );

    // --file excludes --piece and --size; without --file both are needed.
    let mut both = post.to_vec();
    both.extend(["--piece", &cid]);
    let r = suite(&dir, &both);
    assert!(!r.ok && r.stderr.contains("cannot be used with"), "{}", r.stderr);
    let r = suite(
        &dir,
        &[
            "bounty",
            "post",
            "--from",
            "alice",
            "--piece",
            &cid,
            "--reward",
            "1FIL",
            "--collateral",
            "1FIL",
            "--min-duration",
            "3000",
            "--expiry",
            "100000",
        ],
    );
    assert!(!r.ok && r.stderr.contains("--size"), "{}", r.stderr);

    let deal = json(
        &dir,
        &[
            "deal",
            "publish",
            "--client",
            "alice",
            "--provider",
            "m1",
            "--file",
            &file,
            "--end",
            "600000",
        ],
    );
    let deal_id = deal["deal_id"].to_string();
    let shown = json(&dir, &["deal", "show", &deal_id]);
    assert_eq!(shown["piece_cid"], cid.as_str());
    assert_eq!(shown["piece_size"], 8192);

    let verified = json(&dir, &["piece", "verify", &file, "--deal", &deal_id]);
    assert_eq!(verified["matches"], true);
    assert_eq!(verified["piece_cid"], cid.as_str());
    assert_eq!(verified["zero_filled"], false);
    assert!(ok(&dir, &["piece", "verify", &file, "--deal", &deal_id]).contains("stores"));
    // Standard input works for verify too.
    let r = suite_with_stdin(&dir, &["piece", "verify", "-", "--deal", &deal_id], &data);
    assert!(r.ok, "{}", r.stderr);

    // One flipped bit: a different piece, refused with both CIDs.
    let r = suite(&dir, &["piece", "verify", &other, "--deal", &deal_id]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains(&format!("deal {deal_id} does not store")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains(&cid), "{}", r.stderr);
    let r = suite(&dir, &["--json", "piece", "verify", &other, "--deal", &deal_id]);
    assert!(!r.ok && r.json()["error"].as_str().unwrap().contains("does not store"));

    // A deal for a larger piece of the same file zero-filled: the file's own CID does not
    // match it, the zero-filled one does.
    let padded = suite(
        &dir,
        &[
            "--json",
            "deal",
            "publish",
            "--client",
            "alice",
            "--provider",
            "m1",
            "--piece",
            &cid,
            "--size",
            "16KiB",
            "--end",
            "600000",
        ],
    );
    assert!(padded.ok, "{}", padded.stderr);
    let wrong_size = padded.json()["deal_id"].to_string();
    let r = suite(&dir, &["piece", "verify", &file, "--deal", &wrong_size]);
    assert!(
        !r.ok && r.stderr.contains("zero-filled to 16 KiB"),
        "{}",
        r.stderr
    );
    let filled_cid = r
        .stderr
        .split(", or ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .unwrap()
        .to_string();
    let filled = json(
        &dir,
        &[
            "deal",
            "publish",
            "--client",
            "alice",
            "--provider",
            "m1",
            "--piece",
            &filled_cid,
            "--size",
            "16KiB",
            "--end",
            "600000",
        ],
    );
    let v = json(
        &dir,
        &["piece", "verify", &file, "--deal", &filled["deal_id"].to_string()],
    );
    assert_eq!(
        (v["matches"].clone(), v["zero_filled"].clone()),
        (true.into(), true.into())
    );
    assert_eq!(v["piece_size"], 16384);

    // A deal that does not exist.
    let r = suite(&dir, &["piece", "verify", &file, "--deal", "99"]);
    assert!(!r.ok && r.stderr.contains("deal 99"), "{}", r.stderr);
}
