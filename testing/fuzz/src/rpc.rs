//! `rpc_envelope`: the node's JSON-RPC request parser, without a node: the envelope
//! (`node::rpc::parse_body`: JSON, batches, ids, the params array) and each request's
//! resolution (`node::rpc::resolve`: the method on the v0 and v1 APIs, the param count, the
//! write permission, and every param through the decoder its method declares). The first byte
//! picks the input's form: raw bytes as a request body, or a request (or a batch of them)
//! built from the input for a method of the node's tables, with arbitrary params (JSON values
//! shaped like CIDs, addresses, amounts, messages, or anything).
//!
//! A crash: a panic; an error that is not a proper JSON-RPC error (an envelope with
//! `"jsonrpc": "2.0"`, the request's id, an `error` with a known code and a message); a batch
//! answered with a different number of answers; a request refused with an id other than its
//! own; a resolved method whose params are not the count it declares.

use serde_json::{json, Map, Value};
use suite_cli::node::methods::{self, Api};
use suite_cli::node::rpc::{self, Body, RpcError};

use crate::input::Input;

/// The codes the envelope and the decoders answer before any method runs.
const CODES: [i64; 5] = [
    rpc::PARSE_ERROR,
    rpc::INVALID_REQUEST,
    rpc::METHOD_NOT_FOUND,
    rpc::INVALID_PARAMS,
    rpc::FAILURE,
];

/// Asserts that `answer` is a proper JSON-RPC error answer to `id`.
fn assert_error_answer(answer: &Value, id: &Value) {
    assert_eq!(answer["jsonrpc"], "2.0", "{answer}");
    assert_eq!(&answer["id"], id, "an error answered to another id: {answer}");
    let code = answer["error"]["code"].as_i64();
    assert!(
        code.is_some_and(|c| CODES.contains(&c)),
        "an unknown error code: {answer}"
    );
    let message = answer["error"]["message"].as_str().unwrap_or_default();
    assert!(!message.is_empty(), "an error without a message: {answer}");
    assert!(answer.get("result").is_none(), "an error with a result: {answer}");
}

fn check_refusal(id: Value, e: RpcError) {
    let answer = rpc::envelope_error(id.clone(), e);
    // What the node sends is the answer's text: it must parse back to the same answer.
    let text = answer.to_string();
    let parsed: Value = serde_json::from_str(&text).expect("an answer is JSON");
    assert_eq!(parsed, answer, "an answer that does not survive its own JSON");
    assert_error_answer(&answer, &id);
}

/// Runs everything the node does with a body before a method runs.
fn envelope(body: &[u8]) {
    let requests = match rpc::parse_body(body) {
        Body::Single(request) => vec![request],
        Body::Batch(batch) => {
            let parsed: Value = serde_json::from_slice(body).expect("a batch is JSON");
            assert_eq!(
                parsed.as_array().map(Vec::len),
                Some(batch.len()),
                "a batch of {} requests parsed to {} answers",
                parsed,
                batch.len()
            );
            batch
        }
    };
    for request in requests {
        let request = match request {
            Ok(request) => request,
            Err((id, e)) => {
                check_refusal(id, e);
                continue;
            }
        };
        for api in [Api::V0, Api::V1] {
            for authorised in [false, true] {
                match rpc::resolve(api, authorised, &request.method, request.params.clone()) {
                    Ok((spec, params)) => {
                        assert_eq!(spec.name, request.method);
                        assert_eq!(
                            params.len(),
                            spec.params.len(),
                            "{} resolved with its params miscounted",
                            spec.name
                        );
                        assert!(
                            authorised || spec.perm == methods::Perm::Read,
                            "{} ran unauthorised",
                            spec.name
                        );
                    }
                    Err(e) => check_refusal(request.id.clone(), e),
                }
            }
        }
    }
}

/// A JSON value shaped like what methods take, or anything.
fn value(input: &mut Input, depth: u8) -> Value {
    match input.u8() % 16 {
        0 => Value::Null,
        1 => Value::Bool(input.bool()),
        2 => json!(input.u64()),
        3 => json!(-i64::from(input.u32())),
        4 => json!(f64::from(input.u32()) / 7.0),
        5 => Value::String(input.text()),
        6 => json!({ "/": input.pick(&[
            "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4",
            "baga6ea4seaqao7s73y24kcutaosvacpdjgfe5pw76ooefnyqw4ynr3d2y6x2mpq",
            "bafkqaaa",
            "Qm",
        ]) }),
        7 => Value::String(
            input
                .pick(&[
                    "t01000",
                    "f0100",
                    "t1abcdefghijklmnopqrstuvwxyz",
                    "t3",
                    "t0",
                    "t099999999999999999999",
                ])
                .to_string(),
        ),
        8 => Value::String(match input.u8() % 4 {
            0 => "9".repeat(usize::from(input.u8()) * 2),
            1 => format!("-{}", input.u64()),
            2 => input.u64().to_string(),
            _ => "1.5".to_string(),
        }),
        9 => Value::String(input.pick(&["gA==", "", "AAAA", "not base64", "gA"]).to_string()),
        10 => message(input, depth),
        11 if depth < 3 => json!({ "Message": message(input, depth + 1), "Signature": {
            "Type": input.u8() % 4, "Data": value(input, depth + 1) } }),
        12 | 13 if depth < 3 => {
            let n = input.u8() % 4;
            Value::Array((0..n).map(|_| value(input, depth + 1)).collect())
        }
        14 if depth < 3 => {
            let mut o = Map::new();
            for _ in 0..input.u8() % 4 {
                let key = input.pick(&[
                    "MaxFee",
                    "fromHeight",
                    "toHeight",
                    "tipsetKey",
                    "addresses",
                    "fields",
                    "Client",
                    "x",
                ]);
                o.insert(key.to_string(), value(input, depth + 1));
            }
            Value::Object(o)
        }
        _ => json!(input.u8()),
    }
}

/// A Lotus message, each field mostly well-formed.
fn message(input: &mut Input, depth: u8) -> Value {
    let mut o = Map::new();
    for field in [
        "Version",
        "To",
        "From",
        "Nonce",
        "Value",
        "GasLimit",
        "GasFeeCap",
        "GasPremium",
        "Method",
        "Params",
    ] {
        match input.u8() % 4 {
            0 => {}
            1 if depth < 3 => {
                o.insert(field.to_string(), value(input, depth + 1));
            }
            _ => {
                let v = match field {
                    "To" | "From" => json!("t01000"),
                    "Value" | "GasFeeCap" | "GasPremium" => json!(input.u32().to_string()),
                    "Params" => json!("gA=="),
                    "Version" => json!(0),
                    _ => json!(input.u32()),
                };
                o.insert(field.to_string(), v);
            }
        }
    }
    Value::Object(o)
}

/// A request for a method of the node's tables (or not), with arbitrary params.
fn request(input: &mut Input) -> Value {
    let names: Vec<&str> = methods::all(Api::V1)
        .chain(methods::all(Api::V0))
        .map(|s| s.name)
        .collect();
    let name = match input.u8() {
        0..=239 => json!(names[usize::from(input.u8()) % names.len()]),
        240..=247 => json!("Filecoin.NoSuchMethod"),
        _ => value(input, 2),
    };
    let arity = methods::find(name.as_str().unwrap_or_default(), Api::V1)
        .or_else(|| methods::find(name.as_str().unwrap_or_default(), Api::V0))
        .map_or(0, |s| s.params.len());
    let params = match input.u8() % 8 {
        0 => Value::Null,
        1 => value(input, 2),
        2 => Value::Array((0..input.u8() % 6).map(|_| value(input, 1)).collect()),
        _ => Value::Array((0..arity).map(|_| value(input, 1)).collect()),
    };
    let mut o = Map::new();
    if input.u8() < 240 {
        o.insert("jsonrpc".into(), json!("2.0"));
    }
    o.insert("method".into(), name);
    if input.u8() < 240 {
        o.insert("params".into(), params);
    }
    let id = match input.u8() % 5 {
        0 => None,
        1 => Some(Value::Null),
        2 => Some(json!(input.u32())),
        3 => Some(json!(input.text())),
        _ => Some(value(input, 2)),
    };
    if let Some(id) = id {
        o.insert("id".into(), id);
    }
    Value::Object(o)
}

pub fn fuzz(data: &[u8]) {
    let Some((&form, rest)) = data.split_first() else {
        return;
    };
    if form < 64 {
        return envelope(rest);
    }
    let mut input = crate::input::Input::new(rest);
    let body = match form % 4 {
        0 => {
            let n = 1 + input.u8() % 4;
            Value::Array((0..n).map(|_| request(&mut input)).collect())
        }
        _ => request(&mut input),
    };
    envelope(body.to_string().as_bytes());
}

/// A valid request and batch, a request of each kind of refusal, and structured requests for
/// a push and a state call.
pub fn seeds() -> Vec<Vec<u8>> {
    let raw = |text: &str| [&[0u8][..], text.as_bytes()].concat();
    vec![
        raw(r#"{"jsonrpc":"2.0","method":"Filecoin.ChainHead","params":[],"id":1}"#),
        raw(
            r#"[{"jsonrpc":"2.0","method":"Filecoin.ChainGetTipSet","params":[null],"id":"a"},{"method":"x"}]"#,
        ),
        raw(r#"{"jsonrpc":"2.0","method":"Filecoin.StateLookupID","params":["t01000",[]],"id":null}"#),
        raw(
            r#"{"jsonrpc":"2.0","method":"Filecoin.StateCall","params":[{"To":"t01000","From":"t0100","Value":"1"},null],"id":7}"#,
        ),
        raw(
            r#"{"jsonrpc":"2.0","method":"Filecoin.MpoolPush","params":[{"Message":{"To":"t01","From":"t0100"},"Signature":{"Type":1,"Data":"AAAA"}}],"id":2}"#,
        ),
        raw(r#"{"jsonrpc":"2.0","method":"Devnet.AddSector","params":["t01000",1,0,0,null],"id":3}"#),
        raw(r#"{"jsonrpc":"2.0","method":"Filecoin.ChainHead","params":{},"id":1}"#),
        raw("[]"),
        raw("{"),
        vec![65, 0, 1, 4, 10, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 0, 3, 0, 0, 0, 0],
        vec![
            64, 2, 0, 3, 4, 11, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0, 2, 7, 0, 0, 0,
        ],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_pass_and_reach_the_decoders() {
        for seed in seeds() {
            fuzz(&seed);
        }
        // A well-formed StateCall resolves; a bad address in it is -32602 with the field named.
        let call = |to: &str| {
            let params = vec![json!({"To": to, "From": "t0100", "Value": "1"}), Value::Null];
            rpc::resolve(Api::V1, false, "Filecoin.StateCall", Some(params))
        };
        assert!(call("t01000").is_ok());
        let e = call("x").unwrap_err();
        assert_eq!(e.code, rpc::INVALID_PARAMS);
        assert!(e.message.contains("message.To"), "{}", e.message);
        // A write without the token is refused before its params are decoded.
        let push = rpc::resolve(Api::V1, false, "Filecoin.MpoolPush", Some(vec![json!(1)]));
        assert_eq!(push.unwrap_err().code, rpc::FAILURE);
        let push = rpc::resolve(Api::V1, true, "Filecoin.MpoolPush", Some(vec![json!(1)]));
        assert_eq!(push.unwrap_err().code, rpc::INVALID_PARAMS);
    }
}
