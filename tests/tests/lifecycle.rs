//! The MCP lifecycle over stdio: version negotiation, what is allowed before
//! and after `initialize`, and JSON-RPC batches, which only 2025-03-26 allows.

use mcpwire_tests::{LATEST_VERSION, McpProcess, SUPPORTED_VERSIONS, initialize_params, request};
use serde_json::{Value, json};

const INVALID_REQUEST: i64 = -32600;

fn error_code(response: &Value) -> Option<i64> {
    response["error"]["code"].as_i64()
}

#[test]
fn every_supported_version_is_echoed() {
    for version in SUPPORTED_VERSIONS {
        let mut server = McpProcess::spawn();
        let result = server.initialize_with(version, json!({}));
        assert_eq!(result["protocolVersion"], version, "asked for {version}: {result}");
    }
}

#[test]
fn an_unsupported_version_gets_the_latest() {
    // 2026-07-28 is a real revision, but it has no `initialize`: a session
    // that starts with one is a 2025-11-25 session at most.
    for asked in ["1999-01-01", "2025-13-45", "not a version", "2026-07-28"] {
        let mut server = McpProcess::spawn();
        let result = server.initialize_with(asked, json!({}));
        assert_eq!(result["protocolVersion"], LATEST_VERSION, "asked for {asked:?}: {result}");
    }
}

#[test]
fn initialize_describes_the_server_and_its_capabilities() {
    let mut server = McpProcess::spawn();
    let result = server.initialize(json!({}));
    assert_eq!(result["serverInfo"]["name"], "mcpwire", "{result}");
    assert!(result["serverInfo"]["version"].is_string(), "{result}");
    let capabilities = &result["capabilities"];
    for capability in ["tools", "resources", "prompts", "logging", "completions"] {
        assert!(capabilities[capability].is_object(), "`{capability}` is not declared: {capabilities}");
    }
    assert_eq!(capabilities["resources"]["subscribe"], true, "{capabilities}");
}

#[test]
fn a_request_before_initialize_is_an_invalid_request() {
    let mut server = McpProcess::spawn();
    let response = server.call("tools/list", json!({}));
    assert_eq!(error_code(&response), Some(INVALID_REQUEST), "{response}");
    // The id is kept, so the client knows which request failed.
    assert_eq!(response["id"], 1, "{response}");
}

#[test]
fn ping_is_answered_before_initialize() {
    let mut server = McpProcess::spawn();
    server.assert_serving();
    // And the session can still be initialized afterwards.
    let result = server.initialize(json!({}));
    assert_eq!(result["protocolVersion"], LATEST_VERSION);
}

#[test]
fn a_second_initialize_is_an_invalid_request() {
    let mut server = McpProcess::initialized(json!({}));
    let response = server.call("initialize", initialize_params(LATEST_VERSION, json!({})));
    assert_eq!(error_code(&response), Some(INVALID_REQUEST), "{response}");
    server.assert_serving();
}

#[test]
fn requests_work_before_the_initialized_notification() {
    let mut server = McpProcess::spawn();
    server.call_ok("initialize", initialize_params(LATEST_VERSION, json!({})));
    // No `notifications/initialized` yet: the initialize response is what
    // opens the session, the notification only confirms it.
    let tools = server.call_ok("tools/list", json!({}));
    assert!(tools["tools"].as_array().is_some_and(|tools| !tools.is_empty()), "{tools}");
}

#[test]
fn a_batch_is_an_invalid_request_unless_2025_03_26_was_negotiated() {
    for version in SUPPORTED_VERSIONS.into_iter().filter(|v| *v != "2025-03-26") {
        let mut server = McpProcess::spawn();
        server.initialize_with(version, json!({}));
        let batch = json!([request(json!("a"), "ping", Value::Null), request(json!("b"), "ping", Value::Null)]);
        server.send(&batch);
        // One error for the batch as a whole, not an array of answers.
        let response = server.recv();
        assert_eq!(error_code(&response), Some(INVALID_REQUEST), "in {version}: {response}");
        assert_eq!(response.get("id"), None, "in {version}: {response}");
        server.assert_serving();
        let rest = server.take_buffered();
        assert!(rest.is_empty(), "in {version}, the batch's requests were answered anyway: {rest:?}");
    }
}

#[test]
fn a_batch_before_initialize_is_an_invalid_request() {
    let mut server = McpProcess::spawn();
    server.send(&json!([request(json!(1), "ping", Value::Null), request(json!(2), "ping", Value::Null)]));
    let response = server.recv();
    assert_eq!(error_code(&response), Some(INVALID_REQUEST), "{response}");
}

#[test]
fn a_batch_of_two_requests_gets_one_array_with_both_answers_in_2025_03_26() {
    let mut server = McpProcess::spawn();
    server.initialize_with("2025-03-26", json!({}));
    let batch = json!([
        request(json!("first"), "ping", Value::Null),
        request(json!("second"), "tools/call", json!({"name": "echo", "arguments": {"text": "in a batch"}})),
    ]);
    server.send(&batch);
    let answer = server.recv();
    let items = answer.as_array().unwrap_or_else(|| panic!("a batch must be answered with an array: {answer}"));
    assert_eq!(items.len(), 2, "{answer}");
    let by_id = |id: &str| items.iter().find(|item| item["id"] == id).unwrap_or_else(|| panic!("no {id}: {answer}"));
    assert_eq!(by_id("first")["result"], json!({}), "{answer}");
    assert_eq!(by_id("second")["result"]["content"][0]["text"], "in a batch", "{answer}");
    server.assert_serving();
}

#[test]
fn a_batch_element_that_is_an_array_is_an_invalid_request_not_a_message_by_position() {
    let mut server = McpProcess::spawn();
    server.initialize_with("2025-03-26", json!({}));
    // Three items in the order of a request's members: it must not be run as one.
    server.send_raw(b"[[\"2.0\",\"nested\",\"ping\"]]\n");
    let answer = server.recv();
    let items = answer.as_array().unwrap_or_else(|| panic!("a batch must be answered with an array: {answer}"));
    assert_eq!(items.len(), 1, "{answer}");
    assert_eq!(error_code(&items[0]), Some(INVALID_REQUEST), "{answer}");
    assert!(items[0].get("result").is_none() && items[0].get("id").is_none(), "{answer}");
    server.assert_serving();
}

#[test]
fn a_batch_of_notifications_gets_no_answer_in_2025_03_26() {
    let mut server = McpProcess::spawn();
    server.initialize_with("2025-03-26", json!({}));
    let batch = json!([
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 12345}},
    ]);
    server.send(&batch);
    let ping = server.request("ping", Value::Null);
    let (before, response) = server.recv_response_and_preceding(&ping);
    assert_eq!(response["result"], json!({}));
    assert!(before.is_empty(), "a batch of notifications was answered: {before:?}");
}
