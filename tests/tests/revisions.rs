//! Each negotiated revision gets only what that revision defines: a session
//! is run through every fixture, and every message it receives is checked
//! against the schema of the revision it negotiated, not just the newest.
//!
//! The harness already checks everything against 2025-11-25, which is a
//! superset in most places; this catches what an older client could not
//! parse, such as a content type its revision does not have.

use mcpwire_tests::{McpProcess, initialize_params, result_definition, schema_for};
use serde_json::{Value, json};

/// Every request of the session: each fixture tool, each resource and
/// prompt, the lists, completion and logging.
fn script() -> Vec<(&'static str, Value)> {
    let mut requests = vec![
        ("tools/list", json!({})),
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("prompts/list", json!({})),
        ("logging/setLevel", json!({"level": "debug"})),
        ("ping", Value::Null),
    ];
    let tools = [
        "test_simple_text",
        "test_image_content",
        "test_audio_content",
        "test_embedded_resource",
        "test_multiple_content_types",
        "test_tool_with_logging",
        "test_error_handling",
        "json_schema_2020_12_tool",
        "test_elicitation_sep1034_defaults",
        "test_elicitation_sep1330_enums",
    ];
    requests.extend(tools.into_iter().map(|name| ("tools/call", json!({"name": name, "arguments": {}}))));
    requests.extend([
        ("tools/call", json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": 1}})),
        ("tools/call", json!({"name": "echo", "arguments": {"text": "hello"}})),
        ("tools/call", json!({"name": "emit_notifications", "arguments": {"count": 3}})),
        ("tools/call", json!({"name": "test_elicitation", "arguments": {"message": "Your name?"}})),
        ("tools/call", json!({"name": "test_sampling", "arguments": {"prompt": "Hello"}})),
        ("resources/read", json!({"uri": "test://static-text"})),
        ("resources/read", json!({"uri": "test://static-binary"})),
        ("resources/read", json!({"uri": "test://template/7/data"})),
        ("resources/read", json!({"uri": "test://missing"})),
        ("prompts/get", json!({"name": "test_simple_prompt"})),
        ("prompts/get", json!({"name": "test_prompt_with_arguments", "arguments": {"arg1": "a", "arg2": "b"}})),
        ("prompts/get", json!({"name": "test_prompt_with_embedded_resource", "arguments": {"resourceUri": "test://x"}})),
        ("prompts/get", json!({"name": "test_prompt_with_image"})),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "test_simple_prompt"}, "argument": {"name": "a", "value": ""}}),
        ),
    ]);
    requests
}

/// Run the script in a session of `version`; every violation of that
/// revision's schema, with the request that provoked it.
fn violations_of_own_schema(version: &str) -> Vec<String> {
    let Some(schema) = schema_for(version) else { return Vec::new() };
    let mut server = McpProcess::spawn();
    let mut violations = Vec::new();
    let mut check = |what: &str, message: &Value, definition: Option<&str>| {
        if let Err(errors) = schema.check_server_message(message, definition) {
            violations.push(format!("{what} got {message}\n{errors}"));
        }
    };
    // The client can do everything, so every request the server might send
    // in this revision is sent, and checked.
    let capabilities = json!({"elicitation": {}, "sampling": {}});
    let initialize = server.call("initialize", initialize_params(version, capabilities));
    assert_eq!(initialize["result"]["protocolVersion"], version, "{initialize}");
    check("initialize", &initialize, result_definition("initialize"));
    server.notify("notifications/initialized", Value::Null);
    for (method, params) in script() {
        let what = format!("{method} {params}");
        let id = server.request(method, params);
        loop {
            let message = server.recv();
            let from_server = message.get("method").is_some();
            if !from_server && message["id"] == id {
                check(&what, &message, result_definition(method));
                break;
            }
            check(&what, &message, None);
            if from_server && message.get("id").is_some() {
                server.send(&json!({"jsonrpc": "2.0", "id": message["id"], "result": answer_to(&message)}));
            }
        }
    }
    violations
}

/// A plain answer to a request from the server, valid in every revision.
fn answer_to(request: &Value) -> Value {
    match request["method"].as_str() {
        Some("sampling/createMessage") => {
            json!({"role": "assistant", "content": {"type": "text", "text": "Hi"}, "model": "test-model"})
        }
        Some("elicitation/create") => json!({"action": "decline"}),
        _ => json!({}),
    }
}

fn assert_matches_own_schema(version: &str) {
    let violations = violations_of_own_schema(version);
    assert!(
        violations.is_empty(),
        "a {version} session got messages its schema does not allow:\n\n{}",
        violations.join("\n\n")
    );
}

#[test]
fn a_2024_11_05_session_gets_only_what_2024_11_05_defines() {
    assert_matches_own_schema("2024-11-05");
}

#[test]
fn a_2025_03_26_session_gets_only_what_2025_03_26_defines() {
    assert_matches_own_schema("2025-03-26");
}

#[test]
fn a_2025_06_18_session_gets_only_what_2025_06_18_defines() {
    assert_matches_own_schema("2025-06-18");
}

#[test]
fn a_2025_11_25_session_gets_only_what_2025_11_25_defines() {
    assert_matches_own_schema("2025-11-25");
}
