//! Cancellation end to end: a request the client cancels gets no response,
//! ever, and the server keeps serving.

use std::time::Duration;

use mcpwire_tests::{McpProcess, request, tool_text};
use serde_json::{Value, json};

/// How long to keep watching for a response that must never come, after the
/// server has already shown it processed the cancellation.
const SILENCE_WINDOW: Duration = Duration::from_millis(300);

fn cancel(server: &mut McpProcess, id: &Value) {
    server.notify("notifications/cancelled", json!({"requestId": id, "reason": "the user pressed stop"}));
}

#[test]
fn a_cancelled_request_never_gets_a_response() {
    let mut server = McpProcess::initialized(json!({}));
    let slow = json!("the-slow-one");
    server.send(&request(slow.clone(), "tools/call", json!({"name": "slow", "arguments": {"ms": 60_000}})));
    cancel(&mut server, &slow);
    // The ping is handled after the cancellation, so once it is answered the
    // cancellation has been processed.
    let ping = server.request("ping", Value::Null);
    let (before, pong) = server.recv_response_and_preceding(&ping);
    assert_eq!(pong["result"], json!({}));
    assert!(before.is_empty(), "a cancelled request was answered: {before:?}");
    let late = server.recv_response_timeout(&slow, SILENCE_WINDOW);
    assert_eq!(late, None, "a cancelled request was answered");
    assert_eq!(tool_text(&server.call_tool("echo", json!({"text": "still here"}))), "still here");
}

#[test]
fn a_cancelled_request_stays_silent_after_it_would_have_finished() {
    let mut server = McpProcess::initialized(json!({}));
    let cancelled = json!(1000);
    let witness = json!(1001);
    // The margins are wide so a busy machine cannot make the cancellation
    // arrive after the call finished.
    server.send(&request(cancelled.clone(), "tools/call", json!({"name": "slow", "arguments": {"ms": 400}})));
    cancel(&mut server, &cancelled);
    // Started after the cancelled call and waiting longer, so when its answer
    // arrives the cancelled one would have been sent before it.
    server.send(&request(witness.clone(), "tools/call", json!({"name": "slow", "arguments": {"ms": 800}})));
    let (before, response) = server.recv_response_and_preceding(&witness);
    assert_eq!(tool_text(&response["result"]), "waited 800 ms");
    assert!(before.is_empty(), "a cancelled request was answered: {before:?}");
}

#[test]
fn one_cancellation_leaves_other_running_requests_alone() {
    let mut server = McpProcess::initialized(json!({}));
    let (kept, dropped) = (json!("kept"), json!("dropped"));
    server.send(&request(kept.clone(), "tools/call", json!({"name": "slow", "arguments": {"ms": 200}})));
    server.send(&request(dropped.clone(), "tools/call", json!({"name": "slow", "arguments": {"ms": 60_000}})));
    cancel(&mut server, &dropped);
    let (before, response) = server.recv_response_and_preceding(&kept);
    assert_eq!(tool_text(&response["result"]), "waited 200 ms");
    assert!(before.is_empty(), "the cancelled request was answered: {before:?}");
}

#[test]
fn cancelling_an_unknown_or_finished_request_is_ignored() {
    let mut server = McpProcess::initialized(json!({}));
    let done = server.request("tools/call", json!({"name": "echo", "arguments": {"text": "done"}}));
    server.recv_response(&done);
    cancel(&mut server, &done);
    cancel(&mut server, &json!("never-sent"));
    let ping = server.request("ping", Value::Null);
    let (before, pong) = server.recv_response_and_preceding(&ping);
    assert_eq!(pong["result"], json!({}));
    assert!(before.is_empty(), "a cancellation was answered: {before:?}");
}

#[test]
fn a_cancelled_tool_withdraws_its_question_to_the_client() {
    let mut server = McpProcess::initialized(json!({"elicitation": {}}));
    let call = server.request("tools/call", json!({"name": "ask_client", "arguments": {"count": 1}}));
    let question = server.recv();
    assert_eq!(question["method"], "elicitation/create", "{question}");
    cancel(&mut server, &call);
    // MCP: the server cancels its own request to the client with a
    // `notifications/cancelled` naming that request's id.
    loop {
        let message = server.recv();
        assert_ne!(message["id"], call, "the cancelled call was answered: {message}");
        if message["method"] == "notifications/cancelled" {
            assert_eq!(message["params"]["requestId"], question["id"], "{message}");
            break;
        }
    }
    // An answer that arrives anyway must be ignored.
    server.send(&json!({"jsonrpc": "2.0", "id": question["id"], "result": {"action": "decline"}}));
    server.assert_serving();
}
