//! `suite wallet` on the real binary: keys made, listed, exported and imported in Lotus's key
//! format (a key Lotus exported comes in with the address Lotus gives it), a default key, bad
//! input refused with nothing written, and a wallet key funded on the devnet and sending from it.

mod common;

use common::{json, ok, suite, suite_with_stdin, temp_dir};

/// iso-filecoin's test key (`tI1w…` in base64, address f17dyp…) as `lotus wallet export` writes it.
fn lotus_export_of_the_iso_filecoin_key() -> String {
    let info = r#"{"Type":"secp256k1","PrivateKey":"tI1wF8uJseC1QdNj3CbpBAVC8G9/pfgtSYt4yXlJ+UY="}"#;
    info.bytes().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn keys_are_made_listed_exported_and_imported_in_lotus_format() {
    let dir = temp_dir("wallet", "keys");
    let r = suite(&dir, &["wallet", "list"]);
    assert!(r.ok && r.stdout.contains("no keys"), "{}{}", r.stdout, r.stderr);

    let secp = json(&dir, &["wallet", "new"]);
    let secp_address = secp["address"].as_str().unwrap().to_string();
    assert!(secp_address.starts_with("f1"), "{secp}");
    assert_eq!(secp["type"], "secp256k1");
    let bls = json(&dir, &["wallet", "new", "bls"]);
    let bls_address = bls["address"].as_str().unwrap().to_string();
    assert!(bls_address.starts_with("f3"), "{bls}");

    let listed = json(&dir, &["wallet", "list"]);
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 2);
    let default: Vec<&str> = listed
        .iter()
        .filter(|k| k["default"] == true)
        .map(|k| k["address"].as_str().unwrap())
        .collect();
    assert_eq!(default, [secp_address.as_str()], "the first key is the default");
    assert_eq!(ok(&dir, &["wallet", "default"]).trim(), secp_address);
    ok(&dir, &["wallet", "default", &bls_address]);
    assert_eq!(ok(&dir, &["wallet", "default"]).trim(), bls_address);

    // Export, then import elsewhere: the same key, the same address.
    let exported = ok(&dir, &["wallet", "export", &bls_address]);
    let other = temp_dir("wallet", "keys-elsewhere");
    let imported = json(&other, &["wallet", "import", exported.trim()]);
    assert_eq!(imported["address"], bls_address.as_str());
    assert_eq!(imported["type"], "bls");
    assert_eq!(ok(&other, &["wallet", "export", &bls_address]), exported);

    // A key Lotus exported, from standard input.
    let r = suite_with_stdin(
        &other,
        &["--json", "wallet", "import"],
        lotus_export_of_the_iso_filecoin_key().as_bytes(),
    );
    assert!(r.ok, "{}{}", r.stdout, r.stderr);
    assert_eq!(r.json()["address"], "f17dyptywvmnldq2fsm6j226txnltf4aiwsi3vlka");

    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let key_file = dir.join("home/keystore").join(format!("{secp_address}.key"));
        let mode = std::fs::metadata(key_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only the owner reads a key");
    }
}

#[test]
fn bad_keys_and_unknown_addresses_are_refused_and_write_nothing() {
    let dir = temp_dir("wallet", "refusals");
    for (args, why) in [
        (vec!["wallet", "import", "not hex"], "hex"),
        (vec!["wallet", "import", "7b7d"], "PrivateKey"),
        (vec!["wallet", "new", "ed25519"], "unknown key type"),
        (
            vec!["wallet", "export", "f1ypi542zmmgaltijzw4byonei5c267ev5iif2liy"],
            "no key for",
        ),
        (vec!["wallet", "default"], "no default key"),
        (
            vec!["wallet", "default", "f1ypi542zmmgaltijzw4byonei5c267ev5iif2liy"],
            "no key for",
        ),
    ] {
        let r = suite(&dir, &args);
        assert!(!r.ok, "{args:?} succeeded: {}", r.stdout);
        assert!(r.stderr.contains(why), "{args:?}: want {why:?} in {}", r.stderr);
    }
    let r = suite(&dir, &["wallet", "list"]);
    assert!(r.ok && r.stdout.contains("no keys"), "{}{}", r.stdout, r.stderr);
}

#[test]
fn a_wallet_key_is_funded_on_the_devnet_and_sends_from_it() {
    let dir = temp_dir("wallet", "devnet");
    ok(&dir, &["account", "create", "admin", "--balance", "1FIL"]);
    let key = json(&dir, &["wallet", "new"])["address"]
        .as_str()
        .unwrap()
        .to_string();
    ok(&dir, &["wallet", "default", &key]);
    let before = json(&dir, &["wallet", "balance"]);
    assert_eq!(before["address"], key.as_str());
    assert_eq!(before["balance"], "0");
    assert_eq!(before["exists"], false);
    // It cannot send before its account exists.
    let r = suite(&dir, &["account", "fund", "admin", "1FIL", "--from", &key]);
    assert!(!r.ok && r.stderr.contains("fund it first"), "{}", r.stderr);

    ok(&dir, &["account", "fund", &key, "10FIL"]);
    let funded = json(&dir, &["wallet", "balance", &key]);
    assert_eq!(funded["balance"], "10000000000000000000");
    assert_eq!(funded["exists"], true);

    ok(&dir, &["account", "fund", "admin", "1FIL", "--from", &key]);
    let after: u128 = json(&dir, &["wallet", "balance"])["balance"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let nine_fil = 9_000_000_000_000_000_000u128;
    assert!(after < nine_fil, "it paid 1 FIL and the gas: {after}");
    assert!(
        after > nine_fil - 10u128.pow(15),
        "gas on the devnet is tiny: {after}"
    );
}

#[test]
fn the_devnets_named_accounts_have_their_keys_in_the_keystore() {
    let dir = temp_dir("wallet", "named");
    ok(&dir, &["account", "create", "admin", "--balance", "1FIL"]);
    ok(
        &dir,
        &[
            "account",
            "create",
            "alice",
            "--key",
            "secp256k1",
            "--balance",
            "5FIL",
        ],
    );
    ok(&dir, &["account", "create", "sp", "--balance", "5FIL"]);
    let accounts = json(&dir, &["account", "list"]);
    let key_of = |name: &str| -> String {
        let account = accounts
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {accounts}"));
        account["key_address"].as_str().unwrap().to_string()
    };
    let mut named: Vec<String> = ["admin", "alice", "sp"].iter().map(|n| key_of(n)).collect();
    named.sort();
    let mut keys: Vec<String> = json(&dir, &["wallet", "list"])
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["address"].as_str().unwrap().to_string())
        .collect();
    keys.sort();
    assert_eq!(keys, named, "the keystore holds exactly the named accounts' keys");
    assert!(key_of("sp").starts_with("f3"), "sp's key is BLS");
    assert!(key_of("alice").starts_with("f1"));
    // Each exports in Lotus's format and comes back with its address.
    let other = temp_dir("wallet", "named-elsewhere");
    for key in &keys {
        let hex = ok(&dir, &["wallet", "export", key]);
        assert_eq!(
            json(&other, &["wallet", "import", hex.trim()])["address"],
            key.as_str()
        );
    }
}
