//! Requests the server sends to the client (elicitation, sampling): each is
//! sent only when the client declared the capability, and every kind of
//! answer (accept, decline, cancel, a JSON-RPC error) reaches the tool.

use mcpwire_tests::{McpProcess, tool_text};
use serde_json::{Value, json};

/// How the test answers the `index`-th elicitation it receives.
fn answer_elicitation(server: &mut McpProcess, request: &Value, index: usize) {
    let id = request["id"].clone();
    let answer = match index % 4 {
        0 => json!({"jsonrpc": "2.0", "id": id, "result": {"action": "accept", "content": {"answer": "yes"}}}),
        1 => json!({"jsonrpc": "2.0", "id": id, "result": {"action": "decline"}}),
        2 => json!({"jsonrpc": "2.0", "id": id, "result": {"action": "cancel"}}),
        _ => json!({"jsonrpc": "2.0", "id": id, "error": {"code": -32603, "message": "the user's UI crashed"}}),
    };
    server.send(&answer);
}

/// Every server request that arrives until the response to `call`, answered
/// by `answer`; returns those requests and the call's result.
fn serve_client_requests(
    server: &mut McpProcess,
    call: &Value,
    mut answer: impl FnMut(&mut McpProcess, &Value, usize),
) -> (Vec<Value>, Value) {
    let mut requests = Vec::new();
    loop {
        let message = server.recv();
        if message.get("method").is_some() && message.get("id").is_some() {
            answer(server, &message, requests.len());
            requests.push(message);
        } else if message.get("method").is_none() && message["id"] == *call {
            let result = message.get("result").unwrap_or_else(|| panic!("the call failed: {message}")).clone();
            return (requests, result);
        }
    }
}

#[test]
fn fifty_elicitations_are_answered_and_counted_by_kind() {
    let mut server = McpProcess::initialized(json!({"elicitation": {}}));
    let call = server.request("tools/call", json!({"name": "ask_client", "arguments": {"count": 50}}));
    let (requests, result) = serve_client_requests(&mut server, &call, answer_elicitation);
    assert_eq!(requests.len(), 50);
    for request in &requests {
        assert_eq!(request["method"], "elicitation/create", "{request}");
    }
    let mut ids: Vec<String> = requests.iter().map(|r| r["id"].to_string()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 50, "request ids must be unique");
    // 50 answers cycling accept, decline, cancel, error.
    assert_eq!(tool_text(&result), "accepted=13 declined=13 cancelled=12 errors=12");
}

#[test]
fn without_the_elicitation_capability_nothing_is_asked() {
    let mut server = McpProcess::initialized(json!({}));
    let call = server.request("tools/call", json!({"name": "ask_client", "arguments": {"count": 7}}));
    let (requests, result) = serve_client_requests(&mut server, &call, |_, request, _| {
        panic!("a client without the capability was asked: {request}")
    });
    assert!(requests.is_empty());
    assert_eq!(tool_text(&result), "accepted=0 declined=0 cancelled=0 errors=7");
}

#[test]
fn elicitation_is_not_sent_in_a_session_older_than_2025_06_18() {
    // Elicitation arrived in 2025-06-18; an older session cannot have it,
    // whatever capabilities the client claims.
    let mut server = McpProcess::spawn();
    server.initialize_with("2025-03-26", json!({"elicitation": {}}));
    let call = server.request("tools/call", json!({"name": "ask_client", "arguments": {"count": 3}}));
    let (requests, result) =
        serve_client_requests(&mut server, &call, |_, request, _| panic!("a 2025-03-26 client was sent {request}"));
    assert!(requests.is_empty());
    assert_eq!(tool_text(&result), "accepted=0 declined=0 cancelled=0 errors=3");
}

#[test]
fn the_elicitation_fixture_reports_the_action_and_content() {
    let mut server = McpProcess::initialized(json!({"elicitation": {}}));
    let call =
        server.request("tools/call", json!({"name": "test_elicitation", "arguments": {"message": "What is up?"}}));
    let (requests, result) = serve_client_requests(&mut server, &call, |server, request, _| {
        let answer = json!({"action": "accept", "content": {"response": "the sky"}});
        server.send(&json!({"jsonrpc": "2.0", "id": request["id"], "result": answer}));
    });
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["params"]["message"], "What is up?", "{}", requests[0]);
    assert_eq!(requests[0]["params"]["requestedSchema"]["required"], json!(["response"]), "{}", requests[0]);
    assert_eq!(tool_text(&result), r#"User response: action=accept, content={"response":"the sky"}"#);
}

#[test]
fn sampling_reaches_a_client_that_declared_it() {
    let mut server = McpProcess::initialized(json!({"sampling": {}}));
    let call = server.request("tools/call", json!({"name": "test_sampling", "arguments": {"prompt": "Say hi"}}));
    let (requests, result) = serve_client_requests(&mut server, &call, |server, request, _| {
        let answer = json!({
            "role": "assistant",
            "content": {"type": "text", "text": "Hi there"},
            "model": "test-model",
            "stopReason": "endTurn"
        });
        server.send(&json!({"jsonrpc": "2.0", "id": request["id"], "result": answer}));
    });
    assert_eq!(requests.len(), 1, "{requests:?}");
    let request = &requests[0];
    assert_eq!(request["method"], "sampling/createMessage", "{request}");
    assert_eq!(request["params"]["messages"][0]["content"]["text"], "Say hi", "{request}");
    assert_eq!(request["params"]["messages"][0]["role"], "user", "{request}");
    assert_eq!(request["params"]["maxTokens"], 100, "{request}");
    assert_eq!(tool_text(&result), "LLM response: Hi there");
}

#[test]
fn sampling_without_the_capability_is_reported_in_the_result() {
    let mut server = McpProcess::initialized(json!({"elicitation": {}}));
    let call = server.request("tools/call", json!({"name": "test_sampling", "arguments": {"prompt": "Say hi"}}));
    let (requests, result) =
        serve_client_requests(&mut server, &call, |_, request, _| panic!("sampling was not declared: {request}"));
    assert!(requests.is_empty());
    let text = tool_text(&result);
    assert!(text.starts_with("Sampling not supported or error: "), "{text}");
}

#[test]
fn a_sampling_error_from_the_client_is_reported_in_the_result() {
    let mut server = McpProcess::initialized(json!({"sampling": {}}));
    let call = server.request("tools/call", json!({"name": "test_sampling", "arguments": {"prompt": "Say hi"}}));
    let (requests, result) = serve_client_requests(&mut server, &call, |server, request, _| {
        let error = json!({"code": -1, "message": "User rejected sampling request"});
        server.send(&json!({"jsonrpc": "2.0", "id": request["id"], "error": error}));
    });
    assert_eq!(requests.len(), 1);
    let text = tool_text(&result);
    assert!(text.starts_with("Sampling not supported or error: "), "{text}");
    server.assert_serving();
}
