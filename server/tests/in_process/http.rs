//! The Streamable HTTP endpoint mounted as a `tower::Service`, as an
//! application's router would call it: what a handler learns of the HTTP
//! request its request came in, in both eras, with and without tokens, and
//! how a request still running is answered at shutdown, in both eras.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use mcpwire_protocol::types::Tool;
use mcpwire_server::{
    AuthConfig, HandlerError, HttpConfig, McpService, Principal, RequestContext, Server, ServerConfig, TokenRejection,
    ToolRoute,
};
use serde_json::{Value, json};
use tokio::sync::Notify;
use tower_service::Service as _;

use crate::support::{Client, LATEST, PATIENCE};

in_both_runtimes![
    over_stdio_a_handler_sees_no_http_request,
    a_handler_sees_the_head_middleware_saw_in_both_eras,
    a_handler_sees_the_principal_of_a_checked_token_in_both_eras,
    a_stateless_call_still_running_at_shutdown_is_answered_that_the_server_is_shutting_down,
    a_stateless_call_that_finishes_within_the_grace_at_shutdown_keeps_its_result,
    a_session_call_still_running_at_shutdown_is_answered_on_its_stream,
];

/// What a test's middleware puts in a request's extensions.
#[derive(Debug, Clone)]
struct Tenant(&'static str);

/// Reports the HTTP request its call came in: its path, its `x-trace`
/// header, and the tenant and principal middleware left.
fn server() -> Server {
    let caller = ToolRoute::raw(Tool::new("caller", "caller"), |_args, ctx: RequestContext| async move {
        let Some(http) = ctx.http() else { return Ok("no HTTP request".to_owned()) };
        let trace = http.headers.get("x-trace").and_then(|v| v.to_str().ok()).unwrap_or("-");
        let tenant = http.extensions.get::<Tenant>().map_or("-", |tenant| tenant.0);
        let subject = http.extensions.get::<Principal>().map_or("-", |principal| principal.subject.as_str());
        Ok(format!("{} {trace} {tenant} {subject}", http.uri.path()))
    });
    Server::builder("http", "1").tool(caller).build()
}

fn stateless_call(id: i64) -> Value {
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "caller", "_meta": meta}})
}

/// A POST as a router hands it on, after middleware that set a tenant.
fn post(headers: &[(&str, &str)], body: &Value) -> http::Request<Full<Bytes>> {
    let mut request = http::Request::post("/tenants/acme/mcp")
        .header("host", "localhost")
        .header("content-type", "application/json")
        .header("accept", "application/json, text/event-stream")
        .header("x-trace", "t-1");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Full::new(Bytes::from(body.to_string()))).unwrap();
    request.extensions_mut().insert(Tenant("acme"));
    request
}

/// Send one request; its status, its `WWW-Authenticate`, and the JSON-RPC
/// message its body ends with (a JSON body, or an SSE stream's last event).
async fn send(service: &mut McpService, request: http::Request<Full<Bytes>>) -> (u16, Option<String>, Value) {
    let response = service.call(request).await.unwrap();
    let status = response.status().as_u16();
    let challenge = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
    let session = response.headers().get("mcp-session-id").map(|v| v.to_str().unwrap().to_owned());
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let json = text.lines().rev().find_map(|line| line.strip_prefix("data: ")).unwrap_or(&text);
    let mut message: Value = serde_json::from_str(json).unwrap_or(Value::Null);
    if let Some(session) = session {
        message["session"] = json!(session);
    }
    (status, challenge, message)
}

/// The text a `caller` result carries.
fn said(message: &Value) -> &str {
    message["result"]["content"][0]["text"].as_str().unwrap_or_else(|| panic!("a tool result: {message}"))
}

/// `caller` in a new session, then statelessly, each with `extra` headers.
async fn call_in_both_eras(service: &mut McpService, extra: &[(&str, &str)]) -> [String; 2] {
    let params = json!({"protocolVersion": LATEST, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}});
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params});
    let (status, _, answer) = send(service, post(extra, &initialize)).await;
    assert_eq!(status, 200, "{answer}");
    let session = answer["session"].as_str().expect("a session id").to_owned();
    let mut in_session = vec![("mcp-session-id", session.as_str()), ("mcp-protocol-version", LATEST)];
    in_session.extend_from_slice(extra);
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(send(service, post(&in_session, &initialized)).await.0, 202);
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "caller"}});
    let (_, _, in_a_session) = send(service, post(&in_session, &call)).await;

    let mut stateless =
        vec![("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/call"), ("mcp-name", "caller")];
    stateless.extend_from_slice(extra);
    let (status, _, statelessly) = send(service, post(&stateless, &stateless_call(2))).await;
    assert_eq!(status, 200, "{statelessly}");
    [said(&in_a_session).to_owned(), said(&statelessly).to_owned()]
}

async fn over_stdio_a_handler_sees_no_http_request() {
    let mut client = Client::initialized(&server(), LATEST, json!({})).await;
    let result = client.request(1, "tools/call", Some(json!({"name": "caller"}))).await.unwrap();
    assert_eq!(result["content"][0]["text"], "no HTTP request");
}

async fn a_handler_sees_the_head_middleware_saw_in_both_eras() {
    let mut service = server().http_service(HttpConfig::default());
    let [in_a_session, statelessly] = call_in_both_eras(&mut service, &[]).await;
    assert_eq!(in_a_session, "/tenants/acme/mcp t-1 acme -");
    assert_eq!(statelessly, "/tenants/acme/mcp t-1 acme -");
    service.shutdown();
}

async fn a_handler_sees_the_principal_of_a_checked_token_in_both_eras() {
    let validator = |token: String| async move {
        match token.as_str() {
            "ada-token" => Ok(Principal { subject: "ada".into(), scopes: vec!["mcp".into()], ..Principal::default() }),
            _ => Err(TokenRejection::InvalidToken("unknown".into())),
        }
    };
    let auth = AuthConfig::new("http://localhost/tenants/acme/mcp", ["http://localhost/issuer"], validator).unwrap();
    let mut service = server().http_service(HttpConfig { auth: Some(auth), ..HttpConfig::default() });
    let (status, challenge, _) = send(&mut service, post(&[], &stateless_call(1))).await;
    assert_eq!(status, 401);
    let metadata = "http://localhost/.well-known/oauth-protected-resource/tenants/acme/mcp";
    assert_eq!(challenge, Some(format!(r#"Bearer resource_metadata="{metadata}""#)));

    let [in_a_session, statelessly] = call_in_both_eras(&mut service, &[("authorization", "Bearer ada-token")]).await;
    assert_eq!(in_a_session, "/tenants/acme/mcp t-1 acme ada");
    assert_eq!(statelessly, "/tenants/acme/mcp t-1 acme ada");
    service.shutdown();
}

/// How long handlers get at shutdown in these tests: long enough to tell
/// apart from no grace at all, short enough not to slow the suite.
const GRACE: Duration = Duration::from_millis(200);

/// A server whose `gated` tool says when it has started, then waits for
/// `release` (which may never come) before it answers "released".
fn gated_server(started: &Arc<Notify>, release: &Arc<Notify>) -> Server {
    let (started, release) = (Arc::clone(started), Arc::clone(release));
    let gated = ToolRoute::raw(Tool::new("gated", "gated"), move |_args, _ctx| {
        let (started, release) = (Arc::clone(&started), Arc::clone(&release));
        async move {
            started.notify_one();
            release.notified().await;
            Ok::<_, HandlerError>("released")
        }
    });
    let config = ServerConfig { shutdown_grace: GRACE, ..ServerConfig::default() };
    Server::builder("http", "1").config(config).tool(gated).build()
}

/// Start a stateless call of `gated` (id 1) on `service`; once the tool has
/// started, shut the endpoint down, then let the tool finish if `release`
/// is given. The answer's status, content type and message, and how long
/// after the shutdown it came.
async fn gated_call_at_shutdown(
    service: &McpService,
    started: &Notify,
    release: Option<&Notify>,
) -> (u16, String, Value, Duration) {
    let mut call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "gated"}});
    call["params"]["_meta"] = stateless_call(1)["params"]["_meta"].clone();
    let headers = [("mcp-protocol-version", "2026-07-28"), ("mcp-method", "tools/call"), ("mcp-name", "gated")];
    let response = tokio::spawn(service.clone().call(post(&headers, &call)));
    tokio::time::timeout(PATIENCE, started.notified()).await.expect("the tool starts");
    let shutdown = tokio::time::Instant::now();
    service.shutdown();
    if let Some(release) = release {
        release.notify_one();
    }
    let response = tokio::time::timeout(PATIENCE, response).await.expect("the call is answered").unwrap().unwrap();
    let status = response.status().as_u16();
    let content_type = response.headers().get("content-type").map(|v| v.to_str().unwrap().to_owned());
    let body = tokio::time::timeout(PATIENCE, response.into_body().collect()).await.expect("the body ends");
    let answer = serde_json::from_slice(&body.unwrap().to_bytes()).expect("one JSON message");
    (status, content_type.unwrap_or_default(), answer, shutdown.elapsed())
}

async fn a_stateless_call_still_running_at_shutdown_is_answered_that_the_server_is_shutting_down() {
    let (started, never) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let service = gated_server(&started, &never).http_service(HttpConfig::default());
    let (status, content_type, answer, elapsed) = gated_call_at_shutdown(&service, &started, None).await;
    // The client still reads, so the call gets its answer, as a session's
    // call would: -32000, which the transport sends with 200 like any
    // error of a request it ran (only refusals to run are 4xx).
    assert_eq!((status, content_type.as_str()), (200, "application/json"), "{answer}");
    assert_eq!(answer["id"], 1, "{answer}");
    assert_eq!(answer["error"]["code"], -32000, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("shutting down"), "{answer}");
    assert!(elapsed >= GRACE, "the handler was stopped before its grace was over: {elapsed:?}");
}

async fn a_stateless_call_that_finishes_within_the_grace_at_shutdown_keeps_its_result() {
    let (started, release) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let service = gated_server(&started, &release).http_service(HttpConfig::default());
    // Released once shutdown began: it finishes within its grace, so its own
    // answer goes out.
    let (status, _, answer, _) = gated_call_at_shutdown(&service, &started, Some(&release)).await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(said(&answer), "released", "{answer}");
}

async fn a_session_call_still_running_at_shutdown_is_answered_on_its_stream() {
    let (started, never) = (Arc::new(Notify::new()), Arc::new(Notify::new()));
    let mut service = gated_server(&started, &never).http_service(HttpConfig::default());
    let params = json!({"protocolVersion": LATEST, "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}});
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": params});
    let (_, _, answer) = send(&mut service, post(&[], &initialize)).await;
    let session = answer["session"].as_str().expect("a session id").to_owned();
    let in_session = [("mcp-session-id", session.as_str()), ("mcp-protocol-version", LATEST)];
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(send(&mut service, post(&in_session, &initialized)).await.0, 202);

    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "gated"}});
    let answer = tokio::spawn({
        let (mut service, call) = (service.clone(), post(&in_session, &call));
        async move { send(&mut service, call).await }
    });
    tokio::time::timeout(PATIENCE, started.notified()).await.expect("the tool starts");
    service.shutdown();
    // The stream stays open while the session winds down, so the call's
    // answer reaches the client, as over stdio; then the stream ends.
    let (status, _, answer) = tokio::time::timeout(PATIENCE, answer).await.expect("the stream ends").unwrap();
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["id"], 1, "{answer}");
    assert_eq!(answer["error"]["code"], -32000, "{answer}");
    assert!(answer["error"]["message"].as_str().unwrap().contains("shutting down"), "{answer}");
}
