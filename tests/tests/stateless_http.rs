//! The stateless era (2026-07-28) over Streamable HTTP: every request a POST
//! of its own with `MCP-Protocol-Version`, `Mcp-Method` and `Mcp-Name`
//! headers, answered with one JSON message or a request-scoped SSE stream,
//! never with a session. Refusals are HTTP 400 (-32602, -32020, -32021,
//! -32022) or 404 (-32601), each with a JSON-RPC error in the body. At
//! shutdown a call still running is answered, while its client reads, with
//! -32000.
//!
//! The harness checks every message, JSON body and SSE event alike, against
//! the 2026-07-28 schema, and fails any stateless answer that carries an
//! `Mcp-Session-Id`.

use std::time::{Duration, Instant};

use mcpwire_tests::{
    HttpClient, HttpResponse, HttpServer, STATELESS_VERSION, SUBSCRIPTION_ID_KEY, request, stateless_headers,
    stateless_params, tool_text,
};
use serde_json::{Value, json};

const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const HEADER_MISMATCH: i64 = -32020;
const MISSING_REQUIRED_CLIENT_CAPABILITY: i64 = -32021;
const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

fn every_capability() -> Value {
    json!({"sampling": {}, "elicitation": {}, "roots": {}})
}

/// A stateless request declaring every capability.
fn stateless(id: i64, method: &str, params: Value) -> Value {
    request(json!(id), method, stateless_params(params, &every_capability()))
}

fn call_tool(id: i64, name: &str) -> Value {
    stateless(id, "tools/call", json!({"name": name, "arguments": {}}))
}

/// The JSON answer of a POST: its status must be `status` and its body one
/// message, which the harness checks against the schema.
fn json_answer(response: HttpResponse, status: u16) -> Value {
    let response = response.expect_status(status);
    let content_type = response.header("content-type").unwrap_or_default().to_owned();
    if !content_type.starts_with("application/json") {
        response.fail(&format!("expected an application/json answer, got {content_type:?}"));
    }
    response.message()
}

/// The error a refused POST carries: `status`, and a JSON-RPC error with
/// `code` that keeps the request's id.
fn refusal(response: HttpResponse, status: u16, code: i64, id: i64) -> Value {
    let answer = json_answer(response, status);
    assert_eq!(answer["error"]["code"], code, "{answer}");
    assert_eq!(answer["id"], id, "the refusal must keep the request's id: {answer}");
    answer["error"].clone()
}

/// The headers of `message` as a 2026-07-28 client sends them, without `left_out`.
fn headers_without(message: &Value, left_out: &str) -> Vec<(&'static str, String)> {
    stateless_headers(message).into_iter().filter(|(name, _)| !name.eq_ignore_ascii_case(left_out)).collect()
}

fn post_with(client: &HttpClient, headers: &[(&'static str, String)], message: &Value) -> HttpResponse {
    let headers: Vec<(&str, &str)> = headers.iter().map(|(name, value)| (*name, value.as_str())).collect();
    client.post(&headers, message)
}

#[test]
fn a_plain_result_is_answered_with_200_and_application_json() {
    let server = HttpServer::spawn();
    let client = server.client();
    let answer = json_answer(client.post_stateless(&[], &stateless(1, "server/discover", json!({}))), 200);
    assert_eq!(answer["id"], 1, "{answer}");
    assert_eq!(answer["result"]["resultType"], "complete", "{answer}");
    assert_eq!(answer["result"]["supportedVersions"], json!([STATELESS_VERSION]), "{answer}");
    let answer = json_answer(client.post_stateless(&[], &call_tool(2, "test_simple_text")), 200);
    assert_eq!(tool_text(&answer["result"]), "This is a simple text response for testing.");
}

#[test]
fn no_stateless_answer_carries_a_session_id() {
    let server = HttpServer::spawn();
    let client = server.client();
    // A result, a refusal, an unknown method and a stream: the harness
    // fails any of them that names a session.
    json_answer(client.post_stateless(&[], &stateless(1, "tools/list", json!({}))), 200);
    let mismatched = stateless(2, "tools/list", json!({}));
    client.post_stateless(&[("Mcp-Method", "prompts/list")], &mismatched).expect_status(400).message();
    client.post_stateless(&[], &stateless(3, "unknown/method", json!({}))).expect_status(404).message();
    let params = json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": 4}});
    let (_, response) =
        client.post_stateless(&[], &stateless(4, "tools/call", params)).expect_stateless_sse_answer(&json!(4));
    assert_eq!(tool_text(&response["result"]), "4");
    // Nor does one that came with a session id: a stateless request ignores it.
    let answer = json_answer(
        client.post_stateless(&[("Mcp-Session-Id", "made-up")], &stateless(5, "tools/list", json!({}))),
        200,
    );
    assert_eq!(answer["result"]["resultType"], "complete", "{answer}");
}

#[test]
fn a_version_header_that_differs_from_meta_is_400_header_mismatch() {
    let server = HttpServer::spawn();
    let client = server.client();
    let mut discover = stateless(1, "server/discover", json!({}));
    discover["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("v999.0.0");
    refusal(client.post_stateless(&[], &discover), 400, HEADER_MISMATCH, 1);
    // The same `_meta` accepted just before (and remembered) is checked
    // against the header all the same.
    let tools = stateless(2, "tools/list", json!({}));
    json_answer(client.post_stateless(&[], &tools), 200);
    refusal(client.post_stateless(&[("MCP-Protocol-Version", "2025-11-25")], &tools), 400, HEADER_MISMATCH, 2);
    refusal(client.post_stateless(&[("MCP-Protocol-Version", "2026-07-29")], &tools), 400, HEADER_MISMATCH, 2);
    json_answer(client.post_stateless(&[], &tools), 200);
}

#[test]
fn a_missing_or_wrong_mcp_method_is_400_header_mismatch() {
    let server = HttpServer::spawn();
    let client = server.client();
    let tools = stateless(1, "tools/list", json!({}));
    refusal(post_with(&client, &headers_without(&tools, "Mcp-Method"), &tools), 400, HEADER_MISMATCH, 1);
    refusal(client.post_stateless(&[("Mcp-Method", "prompts/list")], &tools), 400, HEADER_MISMATCH, 1);
    // Header values are case-sensitive.
    refusal(client.post_stateless(&[("Mcp-Method", "TOOLS/LIST")], &tools), 400, HEADER_MISMATCH, 1);
}

#[test]
fn a_missing_or_wrong_mcp_name_is_400_header_mismatch() {
    let server = HttpServer::spawn();
    let client = server.client();
    let call = call_tool(1, "test_simple_text");
    refusal(post_with(&client, &headers_without(&call, "Mcp-Name"), &call), 400, HEADER_MISMATCH, 1);
    refusal(client.post_stateless(&[("Mcp-Name", "wrong_tool_name")], &call), 400, HEADER_MISMATCH, 1);
    let read = stateless(2, "resources/read", json!({"uri": "test://static-text"}));
    refusal(post_with(&client, &headers_without(&read, "Mcp-Name"), &read), 400, HEADER_MISMATCH, 2);
    let prompt = stateless(3, "prompts/get", json!({"name": "test_simple_prompt"}));
    refusal(post_with(&client, &headers_without(&prompt, "Mcp-Name"), &prompt), 400, HEADER_MISMATCH, 3);
}

#[test]
fn header_names_are_case_insensitive_and_values_are_trimmed() {
    let server = HttpServer::spawn();
    let client = server.client();
    let tools = stateless(1, "tools/list", json!({}));
    for name in ["mcp-method", "MCP-METHOD"] {
        let mut headers = headers_without(&tools, "Mcp-Method");
        headers.push((name, "tools/list".to_owned()));
        json_answer(post_with(&client, &headers, &tools), 200);
    }
    let call = call_tool(2, "test_simple_text");
    let answer = json_answer(client.post_stateless(&[("Mcp-Name", "  test_simple_text  ")], &call), 200);
    assert_eq!(tool_text(&answer["result"]), "This is a simple text response for testing.");
}

#[test]
fn a_mirrored_argument_must_match_its_mcp_param_header() {
    let server = HttpServer::spawn();
    let client = server.client();
    let call = |id: i64, region: &str| {
        stateless(id, "tools/call", json!({"name": "test_header_params", "arguments": {"region": region}}))
    };
    let answer = json_answer(client.post_stateless(&[("Mcp-Param-Region", "us-west1")], &call(1, "us-west1")), 200);
    assert_eq!(tool_text(&answer["result"]), "region=us-west1");
    let encoded = client.post_stateless(&[("Mcp-Param-Region", "=?base64?SGVsbG8=?=")], &call(2, "Hello"));
    assert_eq!(tool_text(&json_answer(encoded, 200)["result"]), "region=Hello");
    refusal(client.post_stateless(&[], &call(3, "us-west1")), 400, HEADER_MISMATCH, 3);
    refusal(client.post_stateless(&[("Mcp-Param-Region", "eu-west1")], &call(4, "us-west1")), 400, HEADER_MISMATCH, 4);
    // Strict base64: the padding is required.
    refusal(
        client.post_stateless(&[("Mcp-Param-Region", "=?base64?SGVsbG8?=")], &call(5, "Hello")),
        400,
        HEADER_MISMATCH,
        5,
    );
}

#[test]
fn missing_meta_is_400_invalid_params() {
    let server = HttpServer::spawn();
    let client = server.client();
    let bare = request(json!(1), "server/discover", json!({}));
    refusal(client.post_stateless(&[], &bare), 400, INVALID_PARAMS, 1);
    let meta = json!({"io.modelcontextprotocol/clientCapabilities": {}});
    let no_version = request(json!(2), "server/discover", json!({"_meta": meta}));
    refusal(client.post_stateless(&[], &no_version), 400, INVALID_PARAMS, 2);
    let meta = json!({"io.modelcontextprotocol/protocolVersion": STATELESS_VERSION});
    let no_capabilities = request(json!(3), "server/discover", json!({"_meta": meta}));
    refusal(client.post_stateless(&[], &no_capabilities), 400, INVALID_PARAMS, 3);
}

#[test]
fn an_unsupported_version_is_400_naming_the_supported_ones() {
    let server = HttpServer::spawn();
    let client = server.client();
    let mut discover = stateless(1, "server/discover", json!({}));
    discover["params"]["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("v999.0.0");
    let response = client.post_stateless(&[("MCP-Protocol-Version", "v999.0.0")], &discover);
    let error = refusal(response, 400, UNSUPPORTED_PROTOCOL_VERSION, 1);
    assert_eq!(error["data"], json!({"supported": [STATELESS_VERSION], "requested": "v999.0.0"}), "{error}");
}

#[test]
fn a_missing_capability_is_400() {
    let server = HttpServer::spawn();
    let client = server.client();
    let params = json!({"name": "test_missing_capability", "arguments": {}});
    let call = request(json!(1), "tools/call", stateless_params(params, &json!({})));
    let error = refusal(client.post_stateless(&[], &call), 400, MISSING_REQUIRED_CLIENT_CAPABILITY, 1);
    assert_eq!(error["data"]["requiredCapabilities"], json!({"sampling": {}}), "{error}");
}

#[test]
fn an_unknown_or_removed_method_is_404_method_not_found() {
    let server = HttpServer::spawn();
    let client = server.client();
    let methods =
        ["unknown/method", "initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"];
    for (id, method) in (1..).zip(methods) {
        refusal(client.post_stateless(&[], &stateless(id, method, json!({}))), 404, METHOD_NOT_FOUND, id);
    }
}

#[test]
fn progress_is_streamed_as_sse_before_the_result() {
    let server = HttpServer::spawn();
    let client = server.client();
    let params =
        json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": "progress-test-1"}});
    let response = client.post_stateless(&[], &stateless(1, "tools/call", params)).expect_status(200);
    let (before, answer) = response.expect_stateless_sse_answer(&json!(1));
    let progress: Vec<&Value> = before.iter().filter_map(|event| event.message.as_ref()).collect();
    let steps: Vec<f64> = progress.iter().filter_map(|p| p["params"]["progress"].as_f64()).collect();
    assert_eq!(steps, [0.0, 50.0, 100.0], "{before:?}");
    for notification in &progress {
        assert_eq!(notification["method"], "notifications/progress", "{notification}");
        assert_eq!(notification["params"]["progressToken"], "progress-test-1", "{notification}");
    }
    assert_eq!(tool_text(&answer["result"]), "progress-test-1");
}

#[test]
fn logs_asked_for_in_meta_are_streamed_before_the_result() {
    let server = HttpServer::spawn();
    let client = server.client();
    let params =
        json!({"name": "test_logging_tool", "arguments": {}, "_meta": {"io.modelcontextprotocol/logLevel": "info"}});
    let response = client.post_stateless(&[], &stateless(1, "tools/call", params)).expect_status(200);
    let (before, answer) = response.expect_stateless_sse_answer(&json!(1));
    let methods: Vec<&Value> = before.iter().filter_map(|event| event.message.as_ref()).map(|m| &m["method"]).collect();
    assert_eq!(methods, ["notifications/message"], "{before:?}");
    assert_eq!(tool_text(&answer["result"]), "Logging evaluated");
    // Without a level, nothing precedes the result, so it comes as plain JSON.
    let answer = json_answer(client.post_stateless(&[], &call_tool(2, "test_logging_tool")), 200);
    assert_eq!(tool_text(&answer["result"]), "Logging evaluated");
}

#[test]
fn an_input_required_round_spans_two_posts() {
    let server = HttpServer::spawn();
    let client = server.client();
    let first = json_answer(client.post_stateless(&[], &call_tool(1, "test_input_required_result_request_state")), 200);
    let result = &first["result"];
    assert_eq!(result["resultType"], "input_required", "{first}");
    assert_eq!(result["inputRequests"]["confirm"]["method"], "elicitation/create", "{first}");
    let state = result["requestState"].as_str().unwrap_or_else(|| panic!("no requestState: {first}"));

    // The retry is a new request, with a new id, on a new connection.
    let params = json!({
        "name": "test_input_required_result_request_state",
        "arguments": {},
        "inputResponses": {"confirm": {"action": "accept", "content": {"ok": true}}},
        "requestState": state
    });
    let second = json_answer(client.post_stateless(&[], &stateless(2, "tools/call", params.clone())), 200);
    assert_eq!(second["result"]["resultType"], "complete", "{second}");
    assert_eq!(tool_text(&second["result"]), "state-ok: requestState validated");

    let mut tampered = params;
    tampered["requestState"] = json!(format!("{state}-TAMPERED"));
    refusal(client.post_stateless(&[], &stateless(3, "tools/call", tampered)), 400, INVALID_PARAMS, 3);
}

#[test]
fn a_listen_stream_is_acknowledged_then_hears_a_change_tagged_with_its_id() {
    let server = HttpServer::spawn();
    let client = server.client();
    let listen = stateless(7, "subscriptions/listen", json!({"notifications": {"toolsListChanged": true}}));
    let mut stream = client.post_stateless(&[], &listen).expect_status(200);
    assert!(stream.header("content-type").is_some_and(|t| t.starts_with("text/event-stream")), "{stream:?}");
    let ack = stream.next_event().and_then(|event| event.message).unwrap_or_else(|| stream.fail("no acknowledgement"));
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged", "{ack}");
    assert_eq!(ack["params"]["notifications"], json!({"toolsListChanged": true}), "{ack}");
    assert_eq!(ack["params"]["_meta"][SUBSCRIPTION_ID_KEY], 7, "{ack}");

    let trigger = json_answer(client.post_stateless(&[], &call_tool(8, "test_trigger_tool_change")), 200);
    assert_eq!(tool_text(&trigger["result"]), "Mutation triggered");
    // Keep-alive comments are no events, so the next event is the change.
    let event = stream.next_event().unwrap_or_else(|| stream.fail("the listen stream ended"));
    let change = event.message.unwrap_or_else(|| stream.fail("an event without a message"));
    assert_eq!(change["method"], "notifications/tools/list_changed", "{change}");
    assert_eq!(change["params"]["_meta"][SUBSCRIPTION_ID_KEY], 7, "{change}");
    // Hanging up is how an HTTP client ends a listen.
    stream.disconnect();
    json_answer(client.post_stateless(&[], &stateless(9, "tools/list", json!({}))), 200);
}

#[test]
fn a_session_and_stateless_requests_share_the_endpoint() {
    let server = HttpServer::spawn();
    let client = server.client();
    let mut session = client.initialize(json!({}));
    let answer = json_answer(client.post_stateless(&[], &stateless(1, "server/discover", json!({}))), 200);
    assert_eq!(answer["result"]["resultType"], "complete", "{answer}");
    let result = session.call("tools/call", json!({"name": "echo", "arguments": {"text": "session"}}));
    assert_eq!(tool_text(&result["result"]), "session");
    assert_eq!(result["result"].get("resultType"), None, "a session's result is as its revision has it: {result}");
    session.assert_serving();
}

/// The binary's promise is a second from a signal to its exit; half a
/// second more allows for two busy cores.
const EXIT_PROMISE: Duration = Duration::from_millis(1_500);

#[test]
fn sigterm_answers_a_running_stateless_call_then_exits_within_a_second() {
    let mut server = HttpServer::spawn();
    let client = server.client();
    let params = json!({"name": "slow", "arguments": {"ms": 60_000}, "_meta": {"progressToken": "waiting"}});
    let mut response = client.post_stateless(&[], &stateless(1, "tools/call", params)).expect_status(200);
    // `slow` reports progress as its wait begins: from here on the call runs.
    let progress = response.next_event().and_then(|event| event.message);
    assert!(progress.as_ref().is_some_and(|p| p["method"] == "notifications/progress"), "{progress:?}");

    let signalled = Instant::now();
    server.signal("TERM");
    // The client still reads, so the call is answered as a session's would
    // be: the server stopped it, and the request may be sent again.
    let (_, answer) = response.expect_stateless_sse_answer(&json!(1));
    assert_eq!(answer["error"]["code"], -32000, "{answer}");
    assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("shutting down")), "{answer}");
    let (status, _) = server.wait_exit(Duration::from_secs(10));
    let elapsed = signalled.elapsed();
    assert!(status.success(), "after SIGTERM the server exited with {status}\n{}", server.stderr());
    assert!(elapsed < EXIT_PROMISE, "after SIGTERM the server took {elapsed:?} to exit\n{}", server.stderr());
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
}

/// One keep-alive connection to the server, for requests one after another
/// on it, as a load balancer keeps them.
struct KeptAlive {
    reader: std::io::BufReader<std::net::TcpStream>,
}

impl KeptAlive {
    fn connect(client: &HttpClient) -> Self {
        let stream = std::net::TcpStream::connect(client.address()).expect("connect to the server");
        stream.set_read_timeout(Some(Duration::from_secs(10))).expect("set a read timeout");
        Self { reader: std::io::BufReader::new(stream) }
    }

    /// POST `message` and read the whole answer: its head and body.
    fn post(&mut self, client: &HttpClient, message: &Value) -> (mcpwire_tests::http1::ResponseHead, Value) {
        use mcpwire_tests::http1::{BodyReader, ResponseHead, write_request};
        use std::io::Write as _;
        let extra = stateless_headers(message);
        let authority = client.authority();
        let mut headers = vec![
            ("Host", authority.as_str()),
            ("Content-Type", "application/json"),
            ("Accept", "application/json, text/event-stream"),
        ];
        headers.extend(extra.iter().map(|(name, value)| (*name, value.as_str())));
        let mut bytes = Vec::new();
        write_request(&mut bytes, "POST", "/mcp", &headers, message.to_string().as_bytes());
        self.reader.get_mut().write_all(&bytes).expect("send the request");
        let head = ResponseHead::read(&mut self.reader).expect("a response head");
        let mut body = Vec::new();
        BodyReader::new(head.framing("POST").expect("framing"))
            .read_to_end(&mut self.reader, &mut body)
            .expect("the body");
        (head, serde_json::from_slice(&body).expect("a JSON answer"))
    }

    /// Whether the server closed the connection (and sent nothing more).
    fn is_closed(&mut self) -> bool {
        use std::io::Read as _;
        matches!(self.reader.read(&mut [0; 1]), Ok(0))
    }
}

#[test]
fn at_sigterm_new_connections_are_refused_and_open_ones_are_served_until_their_clients_close_them() {
    // Long enough that the exit below can only come from the connections closing.
    let mut server = HttpServer::spawn_with(&mcpwire_tests::HttpServerOptions {
        args: vec!["--drain-timeout".into(), "20s".into()],
        ..mcpwire_tests::HttpServerOptions::default()
    });
    let client = server.client();
    let echo = |id: i64, text: &str| stateless(id, "tools/call", json!({"name": "echo", "arguments": {"text": text}}));
    let mut idle = KeptAlive::connect(&client);
    let (head, answer) = idle.post(&client, &echo(1, "before"));
    assert_eq!((head.status(), head.header("connection")), (200, None), "kept alive: {answer}");
    let params = json!({"name": "slow", "arguments": {"ms": 1_000}, "_meta": {"progressToken": "waiting"}});
    let mut in_flight = client.post_stateless(&[], &stateless(2, "tools/call", params)).expect_status(200);
    // `slow` reports progress as its wait begins: from here on the call runs.
    let progress = in_flight.next_event().and_then(|event| event.message);
    assert!(progress.as_ref().is_some_and(|p| p["method"] == "notifications/progress"), "{progress:?}");

    server.signal("TERM");
    // The listener closes at once; connecting until refused sees when.
    let refused_by = Instant::now() + Duration::from_secs(5);
    loop {
        match std::net::TcpStream::connect(client.address()) {
            Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => break,
            Err(error) => panic!("connecting failed otherwise: {error}"),
            Ok(_) if Instant::now() < refused_by => std::thread::sleep(Duration::from_millis(5)),
            Ok(_) => client.fail("new connections were still accepted 5 s after SIGTERM"),
        }
    }
    // The call in flight finishes as if nothing happened: the server waits
    // for the idle connection, on which a request may still come.
    let (_, answer) = in_flight.expect_stateless_sse_answer(&json!(2));
    assert_eq!(tool_text(&answer["result"]), "waited 1000 ms", "{answer}");
    let (head, answer) = idle.post(&client, &echo(3, "after"));
    assert_eq!(tool_text(&answer["result"]), "after", "served as always: {answer}");
    assert_eq!(head.header("connection"), Some("close"), "and told it is the last on its connection");
    assert!(idle.is_closed());
    let closed = Instant::now();
    let (status, _) = server.wait_exit(Duration::from_secs(30));
    assert!(status.success(), "after SIGTERM the server exited with {status}\n{}", server.stderr());
    assert!(
        closed.elapsed() < EXIT_PROMISE,
        "{:?} after its last connection closed\n{}",
        closed.elapsed(),
        server.stderr()
    );
}
