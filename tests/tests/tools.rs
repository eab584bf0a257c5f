//! Tools end to end: the conformance fixtures' outputs exactly as the
//! reference server has them, schemas passed through untouched, and the
//! notifications a call sends on its way (progress, logs, a flood of them).

use mcpwire_tests::{McpProcess, request, tool_text};
use serde_json::{Value, json};

/// The suite's reference image, a 1x1 red PNG.
const TEST_IMAGE_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// The suite's reference audio, a minimal WAV file.
const TEST_AUDIO_BASE64: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

/// The schema `json_schema_2020_12_tool` declares, as the fixture source has it.
const JSON_SCHEMA_2020_12: &str = r##"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},"allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],"if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},"then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false}"##;

fn server() -> McpProcess {
    McpProcess::initialized(json!({}))
}

fn with_method<'a>(messages: &'a [Value], method: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["method"] == method).collect()
}

#[test]
fn simple_text_fixture_returns_its_text() {
    let result = server().call_tool("test_simple_text", json!({}));
    assert_eq!(result["content"], json!([{"type": "text", "text": "This is a simple text response for testing."}]));
    assert_ne!(result["isError"], true, "{result}");
}

#[test]
fn image_fixture_returns_the_reference_png() {
    let result = server().call_tool("test_image_content", json!({}));
    assert_eq!(result["content"], json!([{"type": "image", "data": TEST_IMAGE_BASE64, "mimeType": "image/png"}]));
}

#[test]
fn audio_fixture_returns_the_reference_wav() {
    let result = server().call_tool("test_audio_content", json!({}));
    assert_eq!(result["content"], json!([{"type": "audio", "data": TEST_AUDIO_BASE64, "mimeType": "audio/wav"}]));
}

#[test]
fn embedded_resource_fixture_returns_the_resource_inline() {
    let result = server().call_tool("test_embedded_resource", json!({}));
    let expected = json!([{
        "type": "resource",
        "resource": {
            "uri": "test://embedded-resource",
            "mimeType": "text/plain",
            "text": "This is an embedded resource content."
        }
    }]);
    assert_eq!(result["content"], expected);
}

#[test]
fn mixed_content_fixture_returns_text_image_and_resource_in_order() {
    let result = server().call_tool("test_multiple_content_types", json!({}));
    let expected = json!([
        {"type": "text", "text": "Multiple content types test:"},
        {"type": "image", "data": TEST_IMAGE_BASE64, "mimeType": "image/png"},
        {
            "type": "resource",
            "resource": {
                "uri": "test://mixed-content-resource",
                "mimeType": "application/json",
                "text": "{\"test\":\"data\",\"value\":123}"
            }
        }
    ]);
    assert_eq!(result["content"], expected);
}

#[test]
fn a_failing_tool_answers_with_an_is_error_result_not_a_jsonrpc_error() {
    let mut server = server();
    let response = server.call("tools/call", json!({"name": "test_error_handling", "arguments": {}}));
    let result = response.get("result").unwrap_or_else(|| panic!("expected a result: {response}"));
    assert_eq!(result["isError"], true, "{result}");
    assert_eq!(tool_text(result), "This tool intentionally returns an error for testing");
}

#[test]
fn echo_returns_its_text_and_arguments_may_be_omitted_for_tools_without_any() {
    let mut server = server();
    assert_eq!(tool_text(&server.call_tool("echo", json!({"text": "ünïcödé \n ✓"}))), "ünïcödé \n ✓");
    // `arguments` is optional in CallToolRequest; a tool without arguments must not mind.
    let result = server.call_ok("tools/call", json!({"name": "test_simple_text"}));
    assert_eq!(tool_text(&result), "This is a simple text response for testing.");
}

#[test]
fn the_2020_12_schema_comes_back_verbatim() {
    let tools = server().call_ok("tools/list", json!({}));
    let tool = tools["tools"]
        .as_array()
        .and_then(|tools| tools.iter().find(|t| t["name"] == "json_schema_2020_12_tool"))
        .unwrap_or_else(|| panic!("json_schema_2020_12_tool is not listed: {tools}"));
    let expected: Value = serde_json::from_str(JSON_SCHEMA_2020_12).unwrap();
    assert_eq!(tool["inputSchema"], expected);
}

#[test]
fn every_tool_and_prompt_has_a_description() {
    let mut server = server();
    let tools = server.call_ok("tools/list", json!({}));
    let prompts = server.call_ok("prompts/list", json!({}));
    let listed = tools["tools"].as_array().unwrap().iter().chain(prompts["prompts"].as_array().unwrap());
    for item in listed {
        assert!(item["description"].as_str().is_some_and(|d| !d.is_empty()), "no description: {item}");
    }
    let names: Vec<&str> = tools["tools"].as_array().unwrap().iter().filter_map(|t| t["name"].as_str()).collect();
    for name in ["test_simple_text", "echo", "slow", "emit_notifications", "ask_client", "json_schema_2020_12_tool"] {
        assert!(names.contains(&name), "{name} is not listed: {names:?}");
    }
}

/// Call the progress fixture with this token; the progress notifications
/// that came before the answer, and the answer's text.
fn call_with_progress_token(server: &mut McpProcess, token: &Value) -> (Vec<Value>, String) {
    let id = server.request(
        "tools/call",
        json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": token}}),
    );
    let (before, response) = server.recv_response_and_preceding(&id);
    let progress = with_method(&before, "notifications/progress").into_iter().cloned().collect();
    (progress, tool_text(&response["result"]).to_owned())
}

#[test]
fn progress_with_a_numeric_token_echoes_the_number_before_the_response() {
    let mut server = server();
    let (progress, text) = call_with_progress_token(&mut server, &json!(42));
    let steps: Vec<f64> = progress.iter().filter_map(|p| p["params"]["progress"].as_f64()).collect();
    assert_eq!(steps, [0.0, 50.0, 100.0], "{progress:?}");
    for notification in &progress {
        // The token must keep its JSON type: 42, not "42".
        assert_eq!(notification["params"]["progressToken"], json!(42), "{notification}");
        assert_eq!(notification["params"]["total"].as_f64(), Some(100.0), "{notification}");
    }
    assert_eq!(text, "42");
}

#[test]
fn progress_with_a_string_token_echoes_the_string() {
    let mut server = server();
    let (progress, text) = call_with_progress_token(&mut server, &json!("progress-7"));
    assert_eq!(progress.len(), 3, "{progress:?}");
    for notification in &progress {
        assert_eq!(notification["params"]["progressToken"], json!("progress-7"), "{notification}");
    }
    assert_eq!(text, "progress-7");
}

#[test]
fn no_progress_is_sent_without_a_token() {
    let mut server = server();
    let id = server.request("tools/call", json!({"name": "test_tool_with_progress", "arguments": {}}));
    let (before, _response) = server.recv_response_and_preceding(&id);
    assert!(with_method(&before, "notifications/progress").is_empty(), "{before:?}");
}

/// Run the logging fixture; the log messages that came before its answer.
fn logs_of_logging_fixture(server: &mut McpProcess) -> Vec<Value> {
    let id = server.request("tools/call", json!({"name": "test_tool_with_logging", "arguments": {}}));
    let (before, response) = server.recv_response_and_preceding(&id);
    assert_eq!(tool_text(&response["result"]), "Tool with logging executed successfully");
    with_method(&before, "notifications/message").into_iter().cloned().collect()
}

#[test]
fn logging_honours_set_level() {
    let mut server = server();
    assert_eq!(server.call_ok("logging/setLevel", json!({"level": "error"})), json!({}));
    let quiet = logs_of_logging_fixture(&mut server);
    assert!(quiet.is_empty(), "info messages got past level `error`: {quiet:?}");

    assert_eq!(server.call_ok("logging/setLevel", json!({"level": "debug"})), json!({}));
    let loud = logs_of_logging_fixture(&mut server);
    let data: Vec<&Value> = loud.iter().map(|m| &m["params"]["data"]).collect();
    assert_eq!(data, ["Tool execution started", "Tool processing data", "Tool execution completed"], "{loud:?}");
    for message in &loud {
        assert_eq!(message["params"]["level"], "info", "{message}");
    }
}

#[test]
fn the_log_level_is_a_minimum_that_includes_itself() {
    let mut server = server();
    // The fixture logs at `info`: `info` lets it through, `notice` (one above) does not.
    server.call_ok("logging/setLevel", json!({"level": "info"}));
    assert_eq!(logs_of_logging_fixture(&mut server).len(), 3);
    server.call_ok("logging/setLevel", json!({"level": "notice"}));
    assert_eq!(logs_of_logging_fixture(&mut server).len(), 0);
}

#[test]
fn a_thousand_notifications_arrive_before_the_result_with_none_dropped() {
    const COUNT: u64 = 1000;
    let mut server = server();
    let id = server.request("tools/call", json!({"name": "emit_notifications", "arguments": {"count": COUNT}}));
    let (before, response) = server.recv_response_and_preceding(&id);
    let indices: Vec<u64> = with_method(&before, "notifications/message")
        .iter()
        .filter_map(|m| m["params"]["data"]["index"].as_u64())
        .collect();
    assert_eq!(indices, (0..COUNT).collect::<Vec<_>>(), "every notification, once, in order");
    let structured = &response["result"]["structuredContent"];
    assert_eq!(structured["dropped"], 0, "{response}");
    assert_eq!(structured["sent"], COUNT, "{response}");
}

#[test]
fn calls_run_concurrently_and_answer_in_completion_order() {
    let mut server = server();
    // A slow call must not hold up a quick one behind it.
    let slow = json!("slow");
    server.send(&request(slow.clone(), "tools/call", json!({"name": "slow", "arguments": {"ms": 500}})));
    let quick = server.request("tools/call", json!({"name": "echo", "arguments": {"text": "quick"}}));
    let first = server.recv();
    assert_eq!(first["id"], quick, "the quick call should finish first: {first}");
    let late = server.recv_response(&slow);
    assert_eq!(tool_text(&late["result"]), "waited 500 ms");
}

#[test]
fn calls_beyond_the_concurrency_limit_are_refused_at_once() {
    /// The binary's `max_concurrent_requests` (the `ServerConfig` default).
    const LIMIT: usize = 1024;
    const SERVER_OVERLOADED: i64 = -32000;
    let mut server = server();
    let calls: Vec<Value> = (0..LIMIT)
        .map(|i| {
            request(json!(format!("slow-{i}")), "tools/call", json!({"name": "slow", "arguments": {"ms": 60_000}}))
        })
        .collect();
    server.send_many(&calls);
    // The limit is reached, so this one is refused instead of queued, and
    // long before any of the running calls could finish.
    let response = server.call("tools/call", json!({"name": "echo", "arguments": {"text": "one too many"}}));
    assert_eq!(response["error"]["code"], SERVER_OVERLOADED, "{response}");
    // Answered inline, ping still works: the server is busy, not stuck.
    server.assert_serving();
    let early: Vec<Value> = server.take_buffered();
    assert!(early.is_empty(), "a 60-second call finished early: {early:?}");
}
