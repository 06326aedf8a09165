//! `cli_parsers`: what users type and what nodes are sent, through the parsers of `suite-cli`.
//! The first byte picks a parser, the rest is its input:
//!
//! - the command line's FIL amounts (`1.5FIL`, `250nanoFIL`), byte sizes (`32GiB`), piece CIDs
//!   and addresses, as UTF-8 text;
//! - the node's Lotus JSON: a message, a signed message, a CID, base64 bytes and an amount, as
//!   JSON.
//!
//! A crash: a panic; a refusal without a reason; a command-line amount that parses negative or
//! too large to encode; a value that does not survive print → parse (an amount through `fil()`, a
//! CID or address through its string, a message through the node's own JSON, which hashes it).
//! The node's JSON decodes negative amounts, as Lotus's does: a message's validation refuses
//! them later (`MpoolPush`, code 1).

use serde_json::Value;
use suite_cli::node::json;
use suite_cli::{devnet, units};

fn refused(what: &str, e: &str) {
    assert!(!e.is_empty(), "{what} refused without a reason");
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

fn json_value(data: &[u8]) -> Option<Value> {
    serde_json::from_slice(data).ok()
}

pub fn fuzz(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    match which % 9 {
        0 => match units::parse_amount(&text(rest)) {
            Ok(amount) => {
                assert!(!amount.is_negative(), "{:?} parsed to {amount}", text(rest));
                assert!(
                    fvm_ipld_encoding::to_vec(&amount).is_ok(),
                    "{:?} parsed to an amount no message can carry",
                    text(rest)
                );
                let printed = units::fil(&amount);
                assert_eq!(
                    units::parse_amount(&printed).unwrap(),
                    amount,
                    "{printed:?} does not parse back"
                );
            }
            Err(e) => refused("parse_amount", &format!("{e:#}")),
        },
        1 => match units::parse_size(&text(rest)) {
            Ok(size) => assert_eq!(units::parse_size(&size.to_string()).unwrap(), size),
            Err(e) => refused("parse_size", &format!("{e:#}")),
        },
        2 => match units::parse_piece_cid(&text(rest)) {
            Ok(cid) => assert_eq!(units::parse_piece_cid(&cid.to_string()).unwrap(), cid),
            Err(e) => refused("parse_piece_cid", &format!("{e:#}")),
        },
        3 => match devnet::parse_address(&text(rest)) {
            Ok(address) => assert_eq!(devnet::parse_address(&address.to_string()).unwrap(), address),
            Err(e) => refused("parse_address", &format!("{e:#}")),
        },
        4 => {
            let Some(v) = json_value(rest) else { return };
            match json::parse_message(&v) {
                Ok(m) => {
                    assert_eq!(
                        json::parse_message(&json::message(&m)).unwrap(),
                        m,
                        "a message round trip"
                    );
                }
                Err(e) => refused("parse_message", &e.message),
            }
        }
        5 => {
            let Some(v) = json_value(rest) else { return };
            match json::parse_signed_message(&v) {
                Ok(sm) => assert_eq!(
                    json::parse_message(&json::message(&sm.message)).unwrap(),
                    sm.message
                ),
                Err(e) => refused("parse_signed_message", &e.message),
            }
        }
        6 => {
            let Some(v) = json_value(rest) else { return };
            match json::parse_cid(&v, "cid") {
                Ok(c) => assert_eq!(json::parse_cid(&json::cid(&c), "cid").unwrap(), c),
                Err(e) => refused("parse_cid", &e.message),
            }
        }
        7 => {
            let Some(v) = json_value(rest) else { return };
            match json::parse_bytes(&v, "bytes") {
                Ok(b) => assert_eq!(json::parse_bytes(&json::bytes(&b), "bytes").unwrap(), b),
                Err(e) => refused("parse_bytes", &e.message),
            }
        }
        _ => {
            let Some(v) = json_value(rest) else { return };
            match json::parse_amount(&v, "amount") {
                Ok(a) => assert_eq!(
                    json::parse_amount(&Value::String(json::amount(&a)), "amount").unwrap(),
                    a
                ),
                Err(e) => refused("parse_amount (JSON)", &e.message),
            }
        }
    }
}

/// One valid input per parser, and a message with a negative value (it decodes and round-trips).
pub fn seeds() -> Vec<Vec<u8>> {
    let message = r#"{"Version":0,"To":"t01000","From":"t1d2xrzcslx7xlbbylc5c3d5lvandqw4iwl6epxba","Nonce":3,"Value":"1000000000000000000","GasLimit":1000000,"GasFeeCap":"100","GasPremium":"1","Method":3844450837,"Params":"gA=="}"#;
    let signed = format!(r#"{{"Message":{message},"Signature":{{"Type":1,"Data":"AAEC"}}}}"#);
    let seed = |which: u8, body: &str| {
        let mut v = vec![which];
        v.extend(body.as_bytes());
        v
    };
    vec![
        seed(0, "1.5FIL"),
        seed(0, "250 nanoFIL"),
        seed(1, "32GiB"),
        seed(
            2,
            "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq",
        ),
        seed(3, "f01234"),
        seed(4, message),
        seed(
            4,
            &message.replace(r#""Value":"1000000000000000000""#, r#""Value":"-1""#),
        ),
        seed(5, &signed),
        seed(
            6,
            r#"{"/":"bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"}"#,
        ),
        seed(7, r#""gA==""#),
        seed(8, r#""123456789012345678901234567890""#),
    ]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_seeds_pass_and_reach_every_parser() {
        let seeds = super::seeds();
        let parsers: std::collections::BTreeSet<u8> = seeds.iter().map(|s| s[0] % 9).collect();
        assert_eq!(parsers.len(), 9, "a seed per parser");
        for seed in &seeds {
            super::fuzz(seed);
        }
    }
}
