//! Shutdown end to end: stdin EOF, SIGTERM and SIGINT each stop the server
//! with status 0 within a second, even with a call running; a client that
//! stops reading makes it exit quietly; a client still reading gets an
//! answer to every request it sent.

use std::time::Duration;

use mcpwire_tests::{McpProcess, request};
use serde_json::{Value, json};

/// What the binary promises: out within a second of EOF or a signal.
const EXIT_PROMISE: Duration = Duration::from_secs(1);

/// How long a test waits before declaring a hang; longer than the promise,
/// so a slow exit is reported with its real duration.
const HANG: Duration = Duration::from_secs(10);

/// An initialized server with a 60-second call in progress: the case where a
/// careless shutdown waits for the handler.
fn server_with_a_call_running() -> McpProcess {
    let mut server = McpProcess::initialized(json!({}));
    server.send(&request(json!("slow"), "tools/call", json!({"name": "slow", "arguments": {"ms": 60_000}})));
    // Answered after the slow call was dispatched, so that call is running now.
    server.assert_serving();
    server
}

fn assert_quick_clean_exit(server: &mut McpProcess, how: &str) {
    let (status, elapsed) = server.wait_exit(HANG);
    assert!(status.success(), "after {how} the server exited with {status}\n{}", server.stderr());
    assert!(elapsed < EXIT_PROMISE, "after {how} the server took {elapsed:?} to exit\n{}", server.stderr());
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
}

#[test]
fn stdin_eof_with_a_call_running_exits_zero_within_a_second() {
    let mut server = server_with_a_call_running();
    server.close_stdin();
    assert_quick_clean_exit(&mut server, "stdin EOF");
}

#[test]
fn stdin_eof_right_after_start_exits_zero_within_a_second() {
    let mut server = McpProcess::spawn();
    server.close_stdin();
    assert_quick_clean_exit(&mut server, "stdin EOF before initialize");
}

#[test]
fn sigterm_with_a_call_running_exits_zero_within_a_second() {
    let mut server = server_with_a_call_running();
    server.signal("TERM");
    assert_quick_clean_exit(&mut server, "SIGTERM");
}

#[test]
fn sigint_with_a_call_running_exits_zero_within_a_second() {
    let mut server = server_with_a_call_running();
    server.signal("INT");
    assert_quick_clean_exit(&mut server, "SIGINT");
}

#[test]
fn answers_already_due_are_written_before_exit_on_eof() {
    let mut server = McpProcess::initialized(json!({}));
    // A pipelining client may send its last requests and close stdin at once;
    // quick answers must still reach it.
    let ids: Vec<Value> = (0..20).map(|i| json!(format!("last-{i}"))).collect();
    let calls: Vec<Value> = ids
        .iter()
        .map(|id| request(id.clone(), "tools/call", json!({"name": "echo", "arguments": {"text": "bye"}})))
        .collect();
    server.send_many(&calls);
    server.close_stdin();
    for id in &ids {
        let response = server.recv_response(id);
        assert_eq!(response["result"]["content"][0]["text"], "bye", "{response}");
    }
    let (status, _) = server.wait_exit(HANG);
    assert!(status.success(), "{status}");
}

#[test]
fn stdin_eof_while_the_server_waits_for_the_client_exits_zero_within_a_second() {
    let mut server = McpProcess::initialized(json!({"elicitation": {}}));
    let call = server.request("tools/call", json!({"name": "ask_client", "arguments": {"count": 3}}));
    // Three questions the client will never answer: the handler waits on us.
    for _ in 0..3 {
        let question = server.recv();
        assert_eq!(question["method"], "elicitation/create", "{question}");
    }
    server.close_stdin();
    // No answer can come any more, so the questions fail and the call reports it.
    let response = server.recv_response(&call);
    assert_eq!(response["result"]["content"][0]["text"], "accepted=0 declined=0 cancelled=0 errors=3", "{response}");
    assert_quick_clean_exit(&mut server, "stdin EOF with questions to the client pending");
}

#[test]
fn sigterm_during_a_notification_flood_exits_zero_within_a_second() {
    let mut server = McpProcess::initialized(json!({}));
    let call = server.request("tools/call", json!({"name": "emit_notifications", "arguments": {"count": 10_000_000}}));
    // Once the flood is flowing, the handler is busy sending, not sleeping.
    let first = server.recv();
    assert_eq!(first["method"], "notifications/message", "{first}");
    server.signal("TERM");
    assert_quick_clean_exit(&mut server, "SIGTERM during a flood");
    // Whatever was written before the exit must be whole lines of valid
    // messages (the harness checks each one): an exit mid-write would leave
    // a truncated line.
    let rest = server.recv_until_eof();
    let notifications = rest.iter().filter(|m| m["method"] == "notifications/message").count();
    let answers = rest.iter().filter(|m| m["id"] == call).count();
    assert!(answers <= 1, "the call was answered {answers} times");
    eprintln!("{} notifications were written before the exit", notifications + 1);
}

#[test]
fn a_closed_stdout_makes_the_server_exit_quietly() {
    let mut server = McpProcess::initialized(json!({}));
    server.close_stdout();
    // Give it answers to write into the closed pipe. Our own writes may fail
    // once it is gone; that is the point.
    for index in 0..10 {
        let call = request(json!(index), "tools/call", json!({"name": "echo", "arguments": {"text": "into the void"}}));
        let mut line = call.to_string().into_bytes();
        line.push(b'\n');
        if server.try_send_raw(&line).is_err() {
            break;
        }
    }
    let (status, elapsed) = server.wait_exit(HANG);
    assert!(status.success(), "with stdout closed the server exited with {status}\n{}", server.stderr());
    assert!(elapsed < Duration::from_secs(3), "with stdout closed the server took {elapsed:?} to exit");
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
}

/// Several calls that run far longer than the grace period, each sure to be
/// running (a later ping was answered), for a client that keeps reading.
fn server_with_calls_running(count: usize) -> (McpProcess, Vec<Value>) {
    let mut server = McpProcess::initialized(json!({}));
    let ids: Vec<Value> = (0..count).map(|i| json!(format!("long-{i}"))).collect();
    let calls: Vec<Value> = ids
        .iter()
        .map(|id| request(id.clone(), "tools/call", json!({"name": "slow", "arguments": {"ms": 60_000}})))
        .collect();
    server.send_many(&calls);
    server.assert_serving();
    (server, ids)
}

/// Every call got exactly one answer before the server closed its stdout:
/// the shutdown error, since none of them could finish.
fn assert_each_answered_with_the_shutdown_error(server: &mut McpProcess, ids: &[Value], how: &str) {
    const SHUTTING_DOWN: i64 = -32000;
    let rest = server.recv_until_eof();
    for id in ids {
        let answers: Vec<&Value> = rest.iter().filter(|m| &m["id"] == id).collect();
        assert_eq!(answers.len(), 1, "after {how}, call {id} got {} answers: {rest:?}", answers.len());
        let error = &answers[0]["error"];
        assert_eq!(error["code"], SHUTTING_DOWN, "after {how}: {}", answers[0]);
        assert!(error["message"].as_str().is_some_and(|m| m.contains("shutting down")), "{}", answers[0]);
    }
}

#[test]
fn sigterm_answers_every_running_request_then_exits_within_a_second() {
    let (mut server, ids) = server_with_calls_running(5);
    server.signal("TERM");
    assert_quick_clean_exit(&mut server, "SIGTERM");
    assert_each_answered_with_the_shutdown_error(&mut server, &ids, "SIGTERM");
}

#[test]
fn stdin_eof_answers_every_running_request_while_the_client_still_reads() {
    let (mut server, ids) = server_with_calls_running(5);
    server.close_stdin();
    assert_quick_clean_exit(&mut server, "stdin EOF");
    assert_each_answered_with_the_shutdown_error(&mut server, &ids, "stdin EOF");
}
