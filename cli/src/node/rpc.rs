//! The JSON-RPC 2.0 envelope as go-jsonrpc (Lotus's server) speaks it: positional params checked
//! for their exact count, its error codes, and the HTTP transport (POST `/rpc/v1`, `/rpc/v0`).

use std::io::Read;
use std::sync::Arc;

use serde_json::{json, Value};
use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::json;
use super::methods::{self, Api, Perm, Spec};
use super::Node;

/// Request bodies above this are refused unread (Lotus's default `MaxRequestSize` is 100 MiB;
/// a devnet needs far less: the largest message, init's `InstallCode` of a module, is at most
/// 2 MiB of CBOR, ~2.7 MiB in base64).
pub const MAX_BODY_BYTES: usize = 4 << 20;

pub const PARSE_ERROR: i64 = -32700;
pub const INVALID_REQUEST: i64 = -32600;
pub const METHOD_NOT_FOUND: i64 = -32601;
pub const INVALID_PARAMS: i64 = -32602;
/// go-jsonrpc's code for any ordinary error of a method.
pub const FAILURE: i64 = 1;

/// An error answered to the client.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
}

impl RpcError {
    /// Params of the right count but the wrong shape: go-jsonrpc answers -32602 too.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self {
            code: INVALID_PARAMS,
            message: message.into(),
        }
    }

    /// An ordinary failure (code 1), with Lotus-like text ("actor not found").
    pub fn failure(message: impl Into<String>) -> Self {
        Self {
            code: FAILURE,
            message: message.into(),
        }
    }
}

impl From<anyhow::Error> for RpcError {
    fn from(e: anyhow::Error) -> Self {
        Self::failure(format!("{e:#}"))
    }
}

impl From<suite_devnet::fvm::kernel::ExecutionError> for RpcError {
    fn from(e: suite_devnet::fvm::kernel::ExecutionError) -> Self {
        Self::failure(format!("reading the state: {e}"))
    }
}

pub type RpcResult = Result<Value, RpcError>;

/// Which API a path serves: the arities differ for a few methods.
fn api_of(url: &str) -> Option<Api> {
    match url.split('?').next().unwrap_or("") {
        "/rpc/v1" | "/rpc/v1/" => Some(Api::V1),
        "/rpc/v0" | "/rpc/v0/" => Some(Api::V0),
        _ => None,
    }
}

/// The JSON-RPC error answer to request `id`.
pub fn envelope_error(id: Value, e: RpcError) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": e.code, "message": e.message } })
}

/// Answers one HTTP request.
pub fn serve(node: &Arc<Node>, mut request: Request) {
    if node.ui && super::ui::wants_page(&request) {
        return super::ui::serve(request);
    }
    let started = std::time::Instant::now();
    let (status, body) = answer(node, &mut request);
    let text = body.to_string();
    tracing::debug!(target: "suite::node::http", status, bytes = text.len(), micros = started.elapsed().as_micros() as u64, "answered");
    // Always a Content-Length, never chunked: the simplest clients (and curl scripts) read
    // the body whole.
    let response = Response::from_string(text)
        .with_chunked_threshold(usize::MAX)
        .with_status_code(StatusCode(status))
        .with_header(Header::from_bytes("Content-Type", "application/json").expect("static header"));
    if let Err(e) = request.respond(response) {
        tracing::debug!("client went away: {e}");
    }
}

fn answer(node: &Arc<Node>, request: &mut Request) -> (u16, Value) {
    let Some(api) = api_of(request.url()) else {
        return (
            404,
            envelope_error(
                Value::Null,
                RpcError {
                    code: INVALID_REQUEST,
                    message: format!("no API at {}: POST JSON-RPC to /rpc/v1 or /rpc/v0", request.url()),
                },
            ),
        );
    };
    if *request.method() != Method::Post {
        let e = RpcError {
            code: INVALID_REQUEST,
            message: "JSON-RPC requests are HTTP POSTs".into(),
        };
        return (405, envelope_error(Value::Null, e));
    }
    if request.body_length().is_some_and(|n| n > MAX_BODY_BYTES) {
        return (413, too_large());
    }
    let authorised = match &node.token {
        None => true,
        Some(token) => request.headers().iter().any(|h| {
            h.field.equiv("Authorization")
                && h.value
                    .as_str()
                    .strip_prefix("Bearer ")
                    .is_some_and(|t| t.trim() == token)
        }),
    };
    // Read one byte past the limit to tell a body that is too large (chunked bodies have no length).
    let mut body = Vec::new();
    let limit = (MAX_BODY_BYTES + 1) as u64;
    if let Err(e) = request.as_reader().take(limit).read_to_end(&mut body) {
        let e = RpcError {
            code: PARSE_ERROR,
            message: format!("reading the request body: {e}"),
        };
        return (400, envelope_error(Value::Null, e));
    }
    if body.len() > MAX_BODY_BYTES {
        return (413, too_large());
    }
    (200, handle_body(node, api, authorised, &body))
}

fn too_large() -> Value {
    envelope_error(
        Value::Null,
        RpcError {
            code: INVALID_REQUEST,
            message: format!("request body larger than {MAX_BODY_BYTES} bytes"),
        },
    )
}

/// One request as the envelope gives it, before it runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RpcRequest {
    /// Any JSON value, answered back as it came (go-jsonrpc takes numbers, strings and null).
    pub id: Value,
    pub method: String,
    /// `None` when absent or `null`: no params.
    pub params: Option<Vec<Value>>,
}

/// A request the envelope refused: the id to answer with (`null` when it could not be read)
/// and the error.
pub type Refused = (Value, RpcError);

/// A body as the envelope parses it: one request, or a batch (a non-empty array), each either
/// a request to run or refused already.
#[derive(Debug, Clone, PartialEq)]
pub enum Body {
    Single(Result<RpcRequest, Refused>),
    Batch(Vec<Result<RpcRequest, Refused>>),
}

/// Parses a request body without running anything: JSON that does not parse is -32700, a
/// request that is not an object with a method name -32600, params that are not an array
/// -32602 (an empty array is a single invalid request, as go-jsonrpc answers it).
pub fn parse_body(body: &[u8]) -> Body {
    match serde_json::from_slice(body) {
        Err(e) => Body::Single(Err((
            Value::Null,
            RpcError {
                code: PARSE_ERROR,
                message: format!("parse error: {e}"),
            },
        ))),
        Ok(Value::Array(batch)) if !batch.is_empty() => {
            Body::Batch(batch.into_iter().map(parse_request).collect())
        }
        Ok(single) => Body::Single(parse_request(single)),
    }
}

/// One request of a body.
pub fn parse_request(request: Value) -> Result<RpcRequest, Refused> {
    let Value::Object(mut o) = request else {
        let e = RpcError {
            code: INVALID_REQUEST,
            message: "a request is an object {\"jsonrpc\":\"2.0\",\"method\",\"params\",\"id\"}".into(),
        };
        return Err((Value::Null, e));
    };
    let id = o.remove("id").unwrap_or(Value::Null);
    let Some(Value::String(method)) = o.remove("method") else {
        let e = RpcError {
            code: INVALID_REQUEST,
            message: "the request has no method name".into(),
        };
        return Err((id, e));
    };
    let params = match o.remove("params") {
        None | Some(Value::Null) => None,
        Some(Value::Array(p)) => Some(p),
        Some(_) => {
            let e = RpcError {
                code: INVALID_PARAMS,
                message: "params must be an array (positional)".into(),
            };
            return Err((id, e));
        }
    };
    Ok(RpcRequest { id, method, params })
}

/// The method a request names and its params, checked without the node: the method exists on
/// this API (-32601), the params are exactly its count (-32602) and each decodes with its
/// declared shape (-32602, [`json::decode_params`]), a write is authorised (1).
pub fn resolve(
    api: Api,
    authorised: bool,
    name: &str,
    params: Option<Vec<Value>>,
) -> Result<(&'static Spec, Vec<Value>), RpcError> {
    let Some(spec) = methods::find(name, api) else {
        return Err(RpcError {
            code: METHOD_NOT_FOUND,
            message: format!("method '{name}' not found"),
        });
    };
    let params = params.unwrap_or_default();
    // go-jsonrpc: params present must match the declared count exactly; absent is zero.
    if params.len() != spec.params.len() {
        return Err(RpcError {
            code: INVALID_PARAMS,
            message: format!(
                "wrong param count (method '{name}'): {} != {}",
                params.len(),
                spec.params.len()
            ),
        });
    }
    if spec.perm == Perm::Write && !authorised {
        return Err(RpcError::failure(format!(
            "missing permission to invoke '{name}' (need 'write'): send Authorization: Bearer <the node's --token>"
        )));
    }
    json::decode_params(spec.params, &params)?;
    Ok((spec, params))
}

/// One request or a batch (an array of requests), as go-jsonrpc accepts.
pub fn handle_body(node: &Arc<Node>, api: Api, authorised: bool, body: &[u8]) -> Value {
    match parse_body(body) {
        Body::Single(request) => handle_request(node, api, authorised, request),
        Body::Batch(batch) => Value::Array(
            batch
                .into_iter()
                .map(|r| handle_request(node, api, authorised, r))
                .collect(),
        ),
    }
}

fn handle_request(
    node: &Arc<Node>,
    api: Api,
    authorised: bool,
    request: Result<RpcRequest, Refused>,
) -> Value {
    let RpcRequest { id, method, params } = match request {
        Ok(request) => request,
        Err((id, e)) => return envelope_error(id, e),
    };
    let started = std::time::Instant::now();
    let result =
        resolve(api, authorised, &method, params).and_then(|(spec, params)| (spec.run)(node, &params));
    tracing::debug!(target: "suite::node::rpc", method, ok = result.is_ok(), micros = started.elapsed().as_micros() as u64);
    match result {
        Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
        Err(e) => {
            if e.code != FAILURE {
                tracing::info!(target: "suite::node::rpc", method, code = e.code, "refused: {}", e.message);
            }
            envelope_error(id, e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(request: &Result<RpcRequest, Refused>) -> (Value, i64) {
        let (id, e) = request.as_ref().unwrap_err();
        (id.clone(), e.code)
    }

    #[test]
    fn the_envelope_parses_without_a_node() {
        let Body::Single(r) = parse_body(b"{") else {
            panic!("one answer")
        };
        assert_eq!(refused(&r), (Value::Null, PARSE_ERROR));
        let Body::Single(r) = parse_body(b"[]") else {
            panic!("one answer")
        };
        assert_eq!(refused(&r), (Value::Null, INVALID_REQUEST));
        let body =
            br#"[{"method":"Filecoin.ChainHead","id":"a"},{"method":"x","params":{},"id":7},{"id":[1]}]"#;
        let Body::Batch(batch) = parse_body(body) else {
            panic!("a batch")
        };
        assert_eq!(batch.len(), 3);
        let first = batch[0].as_ref().unwrap();
        assert_eq!(
            (first.id.clone(), first.method.as_str(), first.params.clone()),
            (json!("a"), "Filecoin.ChainHead", None)
        );
        assert_eq!(refused(&batch[1]), (json!(7), INVALID_PARAMS));
        assert_eq!(refused(&batch[2]), (json!([1]), INVALID_REQUEST));
    }

    #[test]
    fn every_param_is_decoded_before_the_method_runs() {
        // A tipset key the node does not have, then a CID that is not one: the CID is refused
        // without a lookup (as go-jsonrpc unmarshals every param before the handler).
        let key = json!([{"/": "bafy2bzacea3wsdh6y3a36tb3skempjoxqpuyompjbmfeyf34fi3uy6uue42v4"}]);
        let params = vec![key, json!("not a cid"), json!(-1), json!(true)];
        let e = resolve(Api::V1, false, "Filecoin.StateSearchMsg", Some(params)).unwrap_err();
        assert_eq!(e.code, INVALID_PARAMS);
        assert!(e.message.starts_with("message CID:"), "{}", e.message);
        // The miner of Devnet.AddSector is decoded first, before its sector numbers.
        let params = vec![json!("x"), json!("y"), json!(0), json!(0), Value::Null];
        let e = resolve(Api::V1, true, "Devnet.AddSector", Some(params)).unwrap_err();
        assert!(e.message.starts_with("miner:"), "{}", e.message);
        // Each table declares its Lotus arity: StateSearchMsg is 4 on v1, 1 on v0.
        assert_eq!(
            methods::find("Filecoin.StateSearchMsg", Api::V1)
                .unwrap()
                .params
                .len(),
            4
        );
        assert_eq!(
            methods::find("Filecoin.StateSearchMsg", Api::V0)
                .unwrap()
                .params
                .len(),
            1
        );
        let ok = resolve(
            Api::V0,
            false,
            "Filecoin.StateSearchMsg",
            Some(vec![json!({"/": "bafkqaaa"})]),
        );
        assert!(ok.is_ok(), "{:?}", ok.err());
    }
}
