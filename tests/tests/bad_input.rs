//! Input no well-behaved client sends: each kind must get the answer JSON-RPC
//! and MCP prescribe (or none, for notifications and stray responses), and
//! the server must go on serving; every test ends with a `ping`.

use mcpwire_tests::{McpProcess, SpawnOptions, request};
use serde_json::{Value, json};

const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const RESOURCE_NOT_FOUND: i64 = -32002;

/// A line well over the binary's 8 MiB limit, so it must be refused.
const HUGE_LINE_BYTES: usize = 32 * 1024 * 1024;

fn server() -> McpProcess {
    McpProcess::initialized(json!({}))
}

fn error_code(response: &Value) -> Option<i64> {
    response["error"]["code"].as_i64()
}

/// The next message must be an error with this code, and no result.
fn expect_error(server: &mut McpProcess, code: i64) -> Value {
    let response = server.recv();
    assert_eq!(error_code(&response), Some(code), "{response}");
    assert!(response.get("result").is_none(), "{response}");
    response
}

/// A `ping` is answered and nothing else arrived before its answer: the
/// server stayed silent about whatever came before.
fn assert_silent_then_serving(server: &mut McpProcess) {
    let ping = server.request("ping", Value::Null);
    let (before, response) = server.recv_response_and_preceding(&ping);
    assert_eq!(response["result"], json!({}), "{response}");
    assert!(before.is_empty(), "the server answered what needed no answer: {before:?}");
}

#[test]
fn a_line_that_is_not_json_gets_a_parse_error_without_an_id() {
    let mut server = server();
    server.send_raw(b"{\"jsonrpc\": \"2.0\", \"id\": 1, \"method\": \"ping\"\n");
    let response = expect_error(&mut server, PARSE_ERROR);
    // The id could not be read. JSON-RPC 2.0 would write `"id": null`, but MCP's
    // RequestId is never null and its 2025-11-25 schema leaves `id` out instead.
    assert_eq!(response.get("id"), None, "{response}");
    server.assert_serving();
}

#[test]
fn invalid_utf8_gets_a_parse_error() {
    let mut server = server();
    server.send_raw(b"{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"echo\",\"arguments\":{\"text\":\"\xff\xfe\"}}}\n");
    expect_error(&mut server, PARSE_ERROR);
    server.assert_serving();
}

#[test]
fn a_wrong_jsonrpc_version_is_an_invalid_request_that_keeps_the_id() {
    let mut server = server();
    server.send(&json!({"jsonrpc": "1.0", "id": 77, "method": "ping"}));
    let response = expect_error(&mut server, INVALID_REQUEST);
    assert_eq!(response["id"], 77, "{response}");
    server.assert_serving();
}

#[test]
fn a_32_mib_line_is_refused_and_the_server_keeps_serving() {
    let mut server = server();
    let prefix = br#"{"jsonrpc":"2.0","id":"huge","method":"tools/call","params":{"name":"echo","arguments":{"text":""#;
    let suffix = b"\"}}}\n";
    let mut line = Vec::with_capacity(HUGE_LINE_BYTES + prefix.len() + suffix.len());
    line.extend_from_slice(prefix);
    line.resize(line.len() + HUGE_LINE_BYTES, b'x');
    line.extend_from_slice(suffix);
    server.send_raw(&line);
    let ping = server.request("ping", Value::Null);
    let (before, response) = server.recv_response_and_preceding(&ping);
    assert_eq!(response["result"], json!({}), "{response}");
    // An error or silence are both fine; executing the call is not.
    for message in &before {
        assert!(message.get("error").is_some(), "the oversized line was not refused: {message}");
    }
}

#[test]
fn a_notification_with_an_unknown_method_is_ignored() {
    let mut server = server();
    server.notify("notifications/nobody_knows_this", json!({"x": 1}));
    server.notify("no/slash/notification", Value::Null);
    assert_silent_then_serving(&mut server);
}

#[test]
fn a_response_with_an_unknown_id_is_ignored() {
    let mut server = server();
    server.send(&json!({"jsonrpc": "2.0", "id": "nobody-asked", "result": {}}));
    server.send(&json!({"jsonrpc": "2.0", "id": 424_242, "error": {"code": -1, "message": "nobody asked either"}}));
    assert_silent_then_serving(&mut server);
}

#[test]
fn an_unknown_method_is_method_not_found() {
    let mut server = server();
    let response = server.call("tools/juggle", json!({}));
    assert_eq!(error_code(&response), Some(METHOD_NOT_FOUND), "{response}");
    server.assert_serving();
}

#[test]
fn bad_params_are_invalid_params() {
    let mut server = server();
    let cases = [
        ("tools/call", json!({"arguments": {}})),
        ("tools/call", json!({"name": 5})),
        ("resources/read", json!({"uri": ["not", "a", "string"]})),
        ("logging/setLevel", json!({"level": "loudest"})),
    ];
    for (method, params) in cases {
        let response = server.call(method, params.clone());
        assert_eq!(error_code(&response), Some(INVALID_PARAMS), "{method} with {params}: {response}");
    }
    server.assert_serving();
}

#[test]
fn positional_params_are_invalid_params() {
    let mut server = server();
    // Positional (array) params are valid JSON-RPC, but every MCP method
    // takes named params: an array must not be matched to fields by position.
    let cases = [
        ("prompts/get", json!(["test_simple_prompt"])),
        ("tools/call", json!(["echo", {"text": "by position"}])),
        ("resources/read", json!(["test://static-text"])),
    ];
    for (method, params) in cases {
        let response = server.call(method, params.clone());
        assert_eq!(error_code(&response), Some(INVALID_PARAMS), "{method} with {params}: {response}");
    }
    server.assert_serving();
}

#[test]
fn params_that_are_neither_object_nor_array_are_an_invalid_request() {
    let mut server = server();
    // JSON-RPC 2.0 allows only structured params, so this is not a request at all.
    let response = server.call("prompts/get", json!("test_simple_prompt"));
    assert_eq!(error_code(&response), Some(INVALID_REQUEST), "{response}");
    assert_eq!(response["id"], 1 + 1, "the id is readable, so it is kept: {response}");
    server.assert_serving();
}

#[test]
fn an_unknown_tool_is_invalid_params() {
    let mut server = server();
    let response = server.call("tools/call", json!({"name": "no_such_tool", "arguments": {}}));
    assert_eq!(error_code(&response), Some(INVALID_PARAMS), "{response}");
    server.assert_serving();
}

#[test]
fn an_unknown_resource_is_resource_not_found() {
    let mut server = server();
    let response = server.call("resources/read", json!({"uri": "test://no-such-resource"}));
    assert_eq!(error_code(&response), Some(RESOURCE_NOT_FOUND), "{response}");
    server.assert_serving();
}

#[test]
fn arguments_that_do_not_match_the_schema_are_a_tool_error_result() {
    let mut server = server();
    for arguments in [json!({"text": 5}), json!({}), json!({"text": ["a"]})] {
        let response = server.call("tools/call", json!({"name": "echo", "arguments": arguments}));
        // A result the model can read and correct, not a protocol error.
        let result = response.get("result").unwrap_or_else(|| panic!("expected a result: {response}"));
        assert_eq!(result["isError"], true, "echo with {arguments}: {result}");
    }
    server.assert_serving();
}

#[test]
fn a_request_id_reused_while_running_is_refused_without_disturbing_the_first() {
    let mut server = server();
    server.send(&request(json!("twice"), "tools/call", json!({"name": "slow", "arguments": {"ms": 300}})));
    server.send(&request(json!("twice"), "tools/call", json!({"name": "echo", "arguments": {"text": "second"}})));
    let refusal = server.recv_response(&json!("twice"));
    assert_eq!(error_code(&refusal), Some(INVALID_REQUEST), "{refusal}");
    let first = server.recv_response(&json!("twice"));
    assert_eq!(first["result"]["content"][0]["text"], "waited 300 ms", "{first}");
    server.assert_serving();
}

#[test]
fn ids_of_every_valid_shape_are_echoed_exactly() {
    let mut server = server();
    // `4321` and `"4321"` are different ids and must stay apart. None of
    // these collides with the ids the harness mints (small positive numbers).
    let ids = [json!(0), json!(-5), json!(i64::MAX), json!(""), json!("4321"), json!(4321), json!("ünïcödé ✓")];
    let pings: Vec<Value> = ids.iter().map(|id| request(id.clone(), "ping", Value::Null)).collect();
    server.send_many(&pings);
    let mut answered: Vec<Value> = (0..ids.len()).map(|_| server.recv()["id"].clone()).collect();
    let mut sent = ids.to_vec();
    let key = |id: &Value| id.to_string();
    answered.sort_by_key(key);
    sent.sort_by_key(key);
    assert_eq!(answered, sent);
}

#[test]
fn a_request_with_a_null_or_fractional_id_is_an_invalid_request() {
    let mut server = server();
    // MCP ids are strings or integers; JSON-RPC's null id is for errors only.
    for id in [json!(null), json!(1.5), json!({"nested": 1}), json!([1])] {
        server.send(&json!({"jsonrpc": "2.0", "id": id, "method": "ping"}));
        let response = expect_error(&mut server, INVALID_REQUEST);
        assert_eq!(response.get("id"), None, "id {id}: {response}");
    }
    server.assert_serving();
}

#[test]
fn crlf_line_endings_and_blank_lines_are_tolerated() {
    let mut server = server();
    server.send_raw(b"\n  \n\r\n{\"jsonrpc\":\"2.0\",\"id\":\"crlf\",\"method\":\"ping\"}\r\n\n");
    let response = server.recv();
    assert_eq!(response["id"], "crlf", "{response}");
    assert_eq!(response["result"], json!({}), "{response}");
    assert_silent_then_serving(&mut server);
}

#[test]
fn a_last_line_without_a_newline_is_still_answered() {
    let mut server = server();
    server.send_raw(br#"{"jsonrpc":"2.0","id":"last","method":"ping"}"#);
    server.close_stdin();
    let response = server.recv_response(&json!("last"));
    assert_eq!(response["result"], json!({}), "{response}");
}

#[test]
fn a_large_message_under_the_limit_is_served_whole() {
    let mut server = server();
    // 4 MiB: well past any pipe or read buffer, well under the 8 MiB limit.
    let text: String = (0..4 * 1024 * 1024).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
    let result = server.call_tool("echo", json!({"text": text}));
    assert!(result["content"][0]["text"] == text.as_str(), "the echo differs from what was sent");
    server.assert_serving();
}

#[test]
fn deeply_nested_json_is_refused_without_crashing_the_server() {
    const DEPTH: usize = 100_000;
    let mut server = server();
    // Far deeper than any parser's recursion limit: one that had none would
    // overflow its stack and take the whole server down.
    let nested = format!("{}{}", "[".repeat(DEPTH), "]".repeat(DEPTH));
    let call = format!(
        r#"{{"jsonrpc":"2.0","id":"deep","method":"tools/call","params":{{"name":"echo","arguments":{{"text":{nested}}}}}}}"#
    );
    server.send_raw(format!("{call}\n").as_bytes());
    let response = server.recv_response(&json!("deep"));
    let refused = response.get("error").is_some() || response["result"]["isError"] == true;
    assert!(refused, "{response}");
    server.send_raw(format!("{nested}\n").as_bytes());
    let response = server.recv();
    assert!(response.get("error").is_some(), "{response}");
    server.assert_serving();
}

#[test]
fn the_max_message_bytes_flag_sets_the_limit() {
    let options = SpawnOptions { args: vec!["--max-message-bytes".into(), "1KiB".into()], ..SpawnOptions::default() };
    let mut server = McpProcess::spawn_with(&options);
    server.initialize(json!({}));
    let text = "x".repeat(2048);
    server.send(&request(json!("long"), "tools/call", json!({"name": "echo", "arguments": {"text": text}})));
    let response = expect_error(&mut server, INVALID_REQUEST);
    assert!(response["error"]["message"].as_str().is_some_and(|m| m.contains("1024 bytes")), "{response}");
    server.assert_serving();
}
