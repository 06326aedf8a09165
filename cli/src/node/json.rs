//! Lotus's JSON encodings (`chain/types`, go-state-types): CIDs as `{"/": "bafy…"}`, addresses
//! with the node's `t` prefix (either prefix accepted), big integers as decimal strings, bytes as
//! padded base64, messages and receipts with Lotus's PascalCase fields.

use cid::Cid;
use data_encoding::BASE64;
use fvm_ipld_encoding::RawBytes;
use fvm_shared::address::Address;
use fvm_shared::crypto::signature::{Signature, SignatureType};
use fvm_shared::econ::TokenAmount;
use fvm_shared::event::StampedEvent;
use fvm_shared::message::Message;
use serde_json::{json, Map, Value};
use suite_client::wallet::{message_cid, SignedMessage};

use super::rpc::RpcError;

pub fn cid(c: &Cid) -> Value {
    json!({ "/": c.to_string() })
}

pub fn opt_cid(c: &Option<Cid>) -> Value {
    c.as_ref().map_or(Value::Null, cid)
}

/// An address as the node prints it: the testnet prefix `t`, as Lotus's 2k devnet does.
pub fn address(a: &Address) -> String {
    let text = a.to_string();
    match text.strip_prefix('f') {
        Some(rest) => format!("t{rest}"),
        None => text,
    }
}

pub fn bytes(b: &[u8]) -> Value {
    if b.is_empty() {
        Value::Null
    } else {
        Value::String(BASE64.encode(b))
    }
}

pub fn amount(t: &TokenAmount) -> String {
    t.atto().to_string()
}

// ---------------------------------------------------------------------------------------------
// Decoding, with errors that say which field was wrong.
// ---------------------------------------------------------------------------------------------

pub fn parse_cid(v: &Value, what: &str) -> Result<Cid, RpcError> {
    let text = match v {
        Value::Object(o) => o.get("/").and_then(Value::as_str),
        Value::String(s) => Some(s.as_str()),
        _ => None,
    }
    .ok_or_else(|| RpcError::invalid(format!("{what}: expected a CID as {{\"/\": \"bafy…\"}}")))?;
    text.parse()
        .map_err(|e| RpcError::invalid(format!("{what}: {text:?} is not a CID: {e}")))
}

pub fn parse_address(v: &Value, what: &str) -> Result<Address, RpcError> {
    let text = v
        .as_str()
        .ok_or_else(|| RpcError::invalid(format!("{what}: expected an address string (t0…, t1…, t3…)")))?;
    crate::devnet::parse_address(text).map_err(|e| RpcError::invalid(format!("{what}: {e:#}")))
}

/// A big integer: a decimal string (Lotus also accepts a JSON number). Negative ones decode, as
/// in Lotus: a message's validation refuses them (`MpoolPush`: "negative value", code 1).
pub fn parse_amount(v: &Value, what: &str) -> Result<TokenAmount, RpcError> {
    let text = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) if n.is_u64() => n.to_string(),
        Value::Null => "0".to_string(),
        _ => {
            return Err(RpcError::invalid(format!(
                "{what}: expected a decimal string of attoFIL"
            )))
        }
    };
    let atto: fvm_shared::bigint::BigInt = text
        .parse()
        .map_err(|_| RpcError::invalid(format!("{what}: {text:?} is not a decimal integer")))?;
    // A Filecoin big integer is at most 128 bytes in CBOR (a sign byte and the magnitude): a
    // larger one cannot be encoded, and a message holding one could not be hashed or run.
    if atto.to_bytes_be().1.len() >= fvm_shared::bigint::MAX_BIGINT_SIZE {
        return Err(RpcError::invalid(format!(
            "{what}: {} digits is more than a Filecoin big integer holds ({} bytes)",
            text.trim_start_matches('-').len(),
            fvm_shared::bigint::MAX_BIGINT_SIZE - 1
        )));
    }
    Ok(TokenAmount::from_atto(atto))
}

pub fn parse_u64(v: &Value, what: &str) -> Result<u64, RpcError> {
    v.as_u64()
        .ok_or_else(|| RpcError::invalid(format!("{what}: expected a non-negative integer")))
}

pub fn parse_i64(v: &Value, what: &str) -> Result<i64, RpcError> {
    v.as_i64()
        .ok_or_else(|| RpcError::invalid(format!("{what}: expected an integer")))
}

pub fn parse_bytes(v: &Value, what: &str) -> Result<Vec<u8>, RpcError> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => BASE64
            .decode(s.as_bytes())
            .map_err(|e| RpcError::invalid(format!("{what}: not padded base64: {e}"))),
        _ => Err(RpcError::invalid(format!("{what}: expected base64 bytes"))),
    }
}

fn field<'a>(o: &'a Map<String, Value>, name: &str) -> &'a Value {
    o.get(name).unwrap_or(&Value::Null)
}

/// A Lotus message; missing numeric fields are zero (glif omits `Version`), `CID` is ignored.
pub fn parse_message(v: &Value) -> Result<Message, RpcError> {
    let o = v
        .as_object()
        .ok_or_else(|| RpcError::invalid("message: expected an object with To, From, Nonce, Value, …"))?;
    let num = |name: &str| -> Result<u64, RpcError> {
        match field(o, name) {
            Value::Null => Ok(0),
            other => parse_u64(other, &format!("message.{name}")),
        }
    };
    let version = num("Version")?;
    if version != 0 {
        return Err(RpcError::invalid("message.Version: only version 0 exists"));
    }
    let gas_limit = match field(o, "GasLimit") {
        Value::Null => 0,
        other => parse_i64(other, "message.GasLimit")?,
    };
    if gas_limit < 0 {
        return Err(RpcError::invalid("message.GasLimit: negative"));
    }
    Ok(Message {
        version: 0,
        to: parse_address(field(o, "To"), "message.To")?,
        from: parse_address(field(o, "From"), "message.From")?,
        sequence: num("Nonce")?,
        value: parse_amount(field(o, "Value"), "message.Value")?,
        method_num: num("Method")?,
        params: RawBytes::new(parse_bytes(field(o, "Params"), "message.Params")?),
        gas_limit: gas_limit as u64,
        gas_fee_cap: parse_amount(field(o, "GasFeeCap"), "message.GasFeeCap")?,
        gas_premium: parse_amount(field(o, "GasPremium"), "message.GasPremium")?,
    })
}

pub fn parse_signed_message(v: &Value) -> Result<SignedMessage, RpcError> {
    let o = v
        .as_object()
        .ok_or_else(|| RpcError::invalid("signed message: expected {\"Message\": …, \"Signature\": …}"))?;
    let message = parse_message(field(o, "Message"))?;
    let s = field(o, "Signature").as_object().ok_or_else(|| {
        RpcError::invalid("signed message: Signature must be {\"Type\": 1|2, \"Data\": base64}")
    })?;
    let sig_type = match field(s, "Type").as_u64() {
        Some(1) => SignatureType::Secp256k1,
        Some(2) => SignatureType::BLS,
        _ => {
            return Err(RpcError::invalid(
                "Signature.Type: 1 (secp256k1) or 2 (BLS); delegated signatures are not supported",
            ))
        }
    };
    let data = parse_bytes(field(s, "Data"), "Signature.Data")?;
    Ok(SignedMessage {
        message,
        signature: Signature {
            sig_type,
            bytes: data,
        },
    })
}

/// A `TipSetKey`: `null` or `[]` is the head.
pub fn parse_tipset_key(v: &Value) -> Result<Vec<Cid>, RpcError> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => items.iter().map(|c| parse_cid(c, "tipset key")).collect(),
        _ => Err(RpcError::invalid("tipset key: expected [{\"/\": …}, …] or null")),
    }
}

/// `GasEstimateMessageGas`'s `MessageSendSpec`: `null` or `{"MaxFee": …}` (zero: no cap).
pub fn parse_send_spec(v: &Value) -> Result<TokenAmount, RpcError> {
    match v {
        Value::Null => Ok(TokenAmount::default()),
        Value::Object(spec) => parse_amount(
            spec.get("MaxFee").unwrap_or(&Value::Null),
            "MessageSendSpec.MaxFee",
        ),
        _ => Err(RpcError::invalid(
            "MessageSendSpec: expected {\"MaxFee\": \"…\"} or null",
        )),
    }
}

/// The shape of one positional param of a method, as the method table declares it. The
/// envelope decodes every param with its shape before the method runs (as go-jsonrpc
/// unmarshals all params before calling a handler), so a malformed request is refused -32602
/// without the node, and the fuzz target (`rpc_envelope`) runs the same decoders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// Read by the method alone (a flag it ignores, an object with node-dependent parts).
    Any,
    TipsetKey,
    Cid(&'static str),
    Address(&'static str),
    Amount(&'static str),
    U64(&'static str),
    I64(&'static str),
    /// An integer or `null`.
    OptI64(&'static str),
    Bytes(&'static str),
    Message,
    SignedMessage,
    SendSpec,
    /// An object or `null` (`GetActorEventsRaw`'s filter).
    Filter,
    /// An object (`Devnet.PublishDeal`'s deal); the error says which fields it needs.
    Object(&'static str),
}

/// Decodes `v` as `param` describes it; the error is the one the method's own decoding gives.
pub fn decode_param(param: Param, v: &Value) -> Result<(), RpcError> {
    match param {
        Param::Any => Ok(()),
        Param::TipsetKey => parse_tipset_key(v).map(drop),
        Param::Cid(what) => parse_cid(v, what).map(drop),
        Param::Address(what) => parse_address(v, what).map(drop),
        Param::Amount(what) => parse_amount(v, what).map(drop),
        Param::U64(what) => parse_u64(v, what).map(drop),
        Param::I64(what) => parse_i64(v, what).map(drop),
        Param::OptI64(_) if v.is_null() => Ok(()),
        Param::OptI64(what) => parse_i64(v, what).map(drop),
        Param::Bytes(what) => parse_bytes(v, what).map(drop),
        Param::Message => parse_message(v).map(drop),
        Param::SignedMessage => parse_signed_message(v).map(drop),
        Param::SendSpec => parse_send_spec(v).map(drop),
        Param::Filter if v.is_null() || v.is_object() => Ok(()),
        Param::Filter => Err(RpcError::invalid("filter: expected an object or null")),
        Param::Object(_) if v.is_object() => Ok(()),
        Param::Object(shape) => Err(RpcError::invalid(shape)),
    }
}

/// Decodes each param with its shape, in order (the count is checked before).
pub fn decode_params(params: &[Param], values: &[Value]) -> Result<(), RpcError> {
    params
        .iter()
        .zip(values)
        .try_for_each(|(param, v)| decode_param(*param, v))
}

// ---------------------------------------------------------------------------------------------
// Encoding.
// ---------------------------------------------------------------------------------------------

pub fn message(m: &Message) -> Value {
    json!({
        "Version": m.version,
        "To": address(&m.to),
        "From": address(&m.from),
        "Nonce": m.sequence,
        "Value": amount(&m.value),
        "GasLimit": m.gas_limit,
        "GasFeeCap": amount(&m.gas_fee_cap),
        "GasPremium": amount(&m.gas_premium),
        "Method": m.method_num,
        "Params": bytes(m.params.bytes()),
        "CID": cid(&message_cid(m)),
    })
}

/// A receipt as stored by the node.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredReceipt {
    pub exit_code: u32,
    pub return_data: RawBytes,
    pub gas_used: u64,
    pub events_root: Option<Cid>,
}

pub fn receipt(r: &StoredReceipt) -> Value {
    json!({
        "ExitCode": r.exit_code,
        "Return": bytes(r.return_data.bytes()),
        "GasUsed": r.gas_used,
        "EventsRoot": opt_cid(&r.events_root),
    })
}

pub fn actor(a: &fvm::state_tree::ActorState) -> Value {
    json!({
        "Code": cid(&a.code),
        "Head": cid(&a.state),
        "Nonce": a.sequence,
        "Balance": amount(&a.balance),
        "DelegatedAddress": a.delegated_address.as_ref().map(address),
    })
}

fn event_entries(e: &StampedEvent) -> Value {
    Value::Array(
        e.event
            .entries
            .iter()
            .map(|x| {
                json!({
                    "Flags": x.flags.bits(),
                    "Key": x.key,
                    "Codec": x.codec,
                    "Value": BASE64.encode(&x.value),
                })
            })
            .collect(),
    )
}

/// `types.Event` (ChainGetEvents): the emitter's actor ID and the entries.
pub fn event(e: &StampedEvent) -> Value {
    json!({ "Emitter": e.emitter, "Entries": event_entries(e) })
}

/// `types.ActorEvent` (GetActorEventsRaw): entries, emitter address, where it happened.
pub fn actor_event(e: &StampedEvent, height: i64, tipset_key: &[Cid], msg: &Cid) -> Value {
    json!({
        "entries": event_entries(e),
        "emitter": address(&Address::new_id(e.emitter)),
        "reverted": false,
        "height": height,
        "tipsetKey": tipset_key.iter().map(cid).collect::<Vec<_>>(),
        "msgCid": cid(msg),
    })
}

use suite_devnet::fvm;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_print_with_the_testnet_prefix_and_parse_with_either() {
        let a = Address::new_id(1234);
        assert_eq!(address(&a), "t01234");
        assert_eq!(parse_address(&json!("f01234"), "x").unwrap(), a);
        assert_eq!(parse_address(&json!("t01234"), "x").unwrap(), a);
        assert!(parse_address(&json!(1234), "x").is_err());
    }

    #[test]
    fn a_message_round_trips_and_missing_fields_default_to_zero() {
        let v = json!({"To": "t01000", "From": "t0100", "Value": "5", "Params": "gA=="});
        let m = parse_message(&v).unwrap();
        assert_eq!(m.sequence, 0);
        assert_eq!(m.value, TokenAmount::from_atto(5));
        assert_eq!(m.params.bytes(), &[0x80]);
        assert_eq!(parse_message(&message(&m)).unwrap(), m);
        assert!(parse_message(&json!({"To": "t01000", "From": "t0100", "Nonce": "x"})).is_err());
    }

    #[test]
    fn an_amount_too_large_for_a_filecoin_big_integer_is_refused() {
        // Found by the `cli_parsers` fuzz target: a StateCall whose Value had 400 digits decoded,
        // then hashing the message panicked in the chain thread and the node stopped answering.
        let message = |value: String| json!({"To": "t01", "From": "t099", "Value": value});
        let e = parse_message(&message("9".repeat(400))).unwrap_err();
        assert_eq!(e.code, super::super::rpc::INVALID_PARAMS);
        assert!(
            e.message.contains("more than a Filecoin big integer holds"),
            "{}",
            e.message
        );
        // The largest that fits (127 bytes of magnitude) decodes and hashes.
        use fvm_shared::bigint::BigInt;
        let one = BigInt::from(1u8);
        let largest: BigInt = (&one << (127 * 8usize)) - &one;
        let m = parse_message(&message(largest.to_string())).unwrap();
        assert_eq!(parse_message(&super::message(&m)).unwrap(), m);
        let too_large: BigInt = &largest + &one;
        assert!(parse_message(&message(too_large.to_string())).is_err());
    }
}
