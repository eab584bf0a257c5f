//! floor-http: the cheapest Streamable HTTP echo server that still does the
//! work honestly, as the benchmark's lower bound over HTTP.
//!
//! hyper's HTTP/1.1 server on a multi-threaded tokio runtime (a worker per
//! core, as `mcpwire --http` runs), TCP_NODELAY on every connection, and per
//! POST: read the whole body, parse the JSON-RPC envelope with serde_json
//! (borrowed fields, params kept raw), parse the call's params, and write the
//! answer with serde_json as one `application/json` body. No sessions, no
//! header checks, no SSE, no channels, no tasks: the handler answers inline on
//! the connection's task. Whatever an MCP server costs above this is the price
//! of being one.
//!
//! It answers what the HTTP scenarios send: `initialize` (with an
//! `Mcp-Session-Id` header, which it never looks at again),
//! `tools/call echo` of either era (a 2026-07-28 request's `_meta` is parsed
//! over as part of the params and otherwise ignored), `ping`, `tools/list`,
//! and notifications (202). The address bound (`--http 127.0.0.1:0` lets the
//! OS choose the port) is logged on stderr as `http://ADDRESS/mcp`, where the
//! harness reads it.

use std::borrow::Cow;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};

use http_body_util::{BodyExt as _, Full};
use hyper::body::{Bytes, Incoming as Body};
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;

/// The handshake-era revision the floor answers `initialize` with when the
/// client asks for none.
const PROTOCOL_VERSION: &str = "2025-11-25";

/// JSON-RPC's "method not found".
const METHOD_NOT_FOUND: i64 = -32601;
/// JSON-RPC's "invalid params", also MCP's answer to an unknown tool.
const INVALID_PARAMS: i64 = -32602;
/// JSON-RPC's "parse error".
const PARSE_ERROR: i64 = -32700;

/// Any incoming message. Fields borrow from the body; `params` stays raw
/// until the method that needs it parses it.
#[derive(Deserialize)]
struct Incoming<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
}

/// `tools/call` params; a 2026-07-28 call's `_meta` is skipped over.
#[derive(Deserialize)]
struct CallParams<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    arguments: Option<&'a RawValue>,
}

/// `echo` arguments.
#[derive(Deserialize)]
struct EchoArgs<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// `initialize` params: only the version asked for.
#[derive(Deserialize)]
struct InitializeParams<'a> {
    #[serde(borrow, rename = "protocolVersion", default)]
    protocol_version: Option<Cow<'a, str>>,
}

/// A successful response.
#[derive(Serialize)]
struct Response200<'a, T> {
    jsonrpc: &'static str,
    id: &'a RawValue,
    result: T,
}

/// A single text content block.
#[derive(Serialize)]
struct Text<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
}

/// A tool result with text content only.
#[derive(Serialize)]
struct TextResult<'a> {
    content: [Text<'a>; 1],
}

/// Session ids handed out by `initialize`; minted only here, and only so a
/// handshake-era client has one to send.
static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// Answers one HTTP request.
async fn handle(request: Request<Body>) -> Result<Response<Full<Bytes>>, Infallible> {
    if request.method() != Method::POST {
        return Ok(plain(StatusCode::METHOD_NOT_ALLOWED));
    }
    let body = match request.into_body().collect().await {
        Ok(body) => body.to_bytes(),
        Err(_) => return Ok(plain(StatusCode::BAD_REQUEST)),
    };
    Ok(answer(&body))
}

/// The answer to one POST body.
fn answer(body: &[u8]) -> Response<Full<Bytes>> {
    let message: Incoming<'_> = match serde_json::from_slice(body) {
        Ok(message) => message,
        Err(e) => return error(RawValue::NULL, PARSE_ERROR, &e.to_string()),
    };
    let (Some(id), Some(method)) = (message.id, message.method.as_deref()) else {
        // A notification, or a response to a request the floor never sends.
        return plain(StatusCode::ACCEPTED);
    };
    match method {
        "tools/call" => call_tool(id, message.params),
        "initialize" => {
            let asked = message.params.and_then(|p| serde_json::from_str::<InitializeParams<'_>>(p.get()).ok());
            let version = asked.as_ref().and_then(|p| p.protocol_version.as_deref()).unwrap_or(PROTOCOL_VERSION);
            let result = json!({
                "protocolVersion": version,
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "floor-http", "version": env!("CARGO_PKG_VERSION")},
            });
            let mut response = json_response(StatusCode::OK, &Response200 { jsonrpc: "2.0", id, result });
            let session = NEXT_SESSION.fetch_add(1, Ordering::Relaxed).to_string();
            response.headers_mut().insert("mcp-session-id", HeaderValue::from_str(&session).expect("digits"));
            response
        }
        "ping" => json_response(StatusCode::OK, &Response200 { jsonrpc: "2.0", id, result: json!({}) }),
        "tools/list" => json_response(StatusCode::OK, &Response200 { jsonrpc: "2.0", id, result: tools_list() }),
        _ => error(id, METHOD_NOT_FOUND, "method not found"),
    }
}

fn call_tool(id: &RawValue, params: Option<&RawValue>) -> Response<Full<Bytes>> {
    let Some(call) = params.and_then(|p| serde_json::from_str::<CallParams<'_>>(p.get()).ok()) else {
        return error(id, INVALID_PARAMS, "tools/call needs a name");
    };
    if call.name != "echo" {
        return error(id, INVALID_PARAMS, "unknown tool");
    }
    match serde_json::from_str::<EchoArgs<'_>>(call.arguments.map_or("{}", RawValue::get)) {
        Ok(args) => {
            let result = TextResult { content: [Text { kind: "text", text: &args.text }] };
            json_response(StatusCode::OK, &Response200 { jsonrpc: "2.0", id, result })
        }
        Err(e) => error(id, INVALID_PARAMS, &e.to_string()),
    }
}

/// The `tools/list` result: the one tool the floor has.
fn tools_list() -> serde_json::Value {
    json!({"tools": [{
        "name": "echo",
        "description": "Returns its text argument as text content",
        "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
    }]})
}

fn error(id: &RawValue, code: i64, message: &str) -> Response<Full<Bytes>> {
    let status = if code == PARSE_ERROR { StatusCode::BAD_REQUEST } else { StatusCode::OK };
    json_response(status, &json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}))
}

fn json_response(status: StatusCode, message: &impl Serialize) -> Response<Full<Bytes>> {
    let body = serde_json::to_vec(message).expect("a response serialises");
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}

fn plain(status: StatusCode) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::new()));
    *response.status_mut() = status;
    response
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let address: SocketAddr = match args.as_slice() {
        [flag, address] if flag == "--http" => address
            .parse()
            .map_err(|e| std::io::Error::other(format!("--http {address:?} is not an IP address and port: {e}")))?,
        _ => return Err(std::io::Error::other("usage: floor-http --http ADDRESS")),
    };
    let listener = tokio::net::TcpListener::bind(address).await?;
    eprintln!("floor-http serves MCP over Streamable HTTP at http://{}/mcp", listener.local_addr()?);
    let http = hyper::server::conn::http1::Builder::new();
    loop {
        let (stream, _) = listener.accept().await?;
        // Small answers must not wait for Nagle's algorithm, as in every server measured.
        stream.set_nodelay(true)?;
        let connection = http.serve_connection(TokioIo::new(stream), hyper::service::service_fn(handle));
        tokio::spawn(async move {
            // A client that hangs up mid-request ends only its own connection.
            let _ = connection.await;
        });
    }
}
