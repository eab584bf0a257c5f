//! Streamable HTTP end to end (the 2025-11-25 transport): the real binary on a
//! loopback port, driven by a raw HTTP/1.1 client. Sessions, status codes,
//! the security checks, SSE priming and resumption, server-to-client
//! requests under concurrency, and shutdown with streams open, answering the
//! calls still running on them.

use std::collections::HashSet;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use mcpwire_tests::{
    DEFAULT_TIMEOUT, HttpClient, HttpResponse, HttpServer, LATEST_VERSION, SUPPORTED_VERSIONS, SseEvent,
    initialize_params, request, tool_text,
};
use serde_json::{Value, json};

/// The largest request body the server accepts.
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The binary's promise is a second from the signal to exit; half a second
/// more allows for two busy cores, but not for a shutdown that waits on a
/// stream the client keeps open.
const EXIT_PROMISE: Duration = Duration::from_millis(1_500);

/// How long a test waits before declaring a hang; longer than the promise,
/// so a slow exit is reported with its real duration.
const HANG: Duration = Duration::from_secs(10);

fn ping(id: i64) -> Value {
    request(json!(id), "ping", Value::Null)
}

/// `slow` for `ms`, with a progress token: its progress comes before its
/// response, so its answer is an SSE stream.
fn slow_with_progress(id: i64, ms: u64) -> Value {
    let params = json!({"name": "slow", "arguments": {"ms": ms}, "_meta": {"progressToken": id}});
    request(json!(id), "tools/call", params)
}

fn echo(id: i64, text: &str) -> Value {
    request(json!(id), "tools/call", json!({"name": "echo", "arguments": {"text": text}}))
}

/// The ids of these events; every event after priming must have one, so
/// that a client can resume after it.
fn event_ids(response: &HttpResponse, events: &[SseEvent]) -> Vec<String> {
    events
        .iter()
        .map(|event| event.id.clone().unwrap_or_else(|| response.fail(&format!("an event without an id: {event:?}"))))
        .collect()
}

#[test]
fn initialize_is_answered_with_json_and_a_visible_ascii_session_id() {
    let server = HttpServer::spawn();
    let client = server.client();
    let initialize = request(json!(1), "initialize", initialize_params(LATEST_VERSION, json!({})));
    let response = client.post(&[], &initialize).expect_status(200);
    // Its response is the first and only message for it: plain JSON, no
    // stream to prime or resume.
    let content_type = response.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("application/json"), "content-type {content_type:?}");
    let session_id = response.header("mcp-session-id").unwrap_or_default().to_owned();
    assert!(
        !session_id.is_empty() && session_id.bytes().all(|b| (0x21..=0x7e).contains(&b)),
        "the session id must be non-empty visible ASCII, got {session_id:?}"
    );
    let (_, answer) = response.expect_answer(&json!(1));
    assert_eq!(answer["result"]["protocolVersion"], LATEST_VERSION, "{answer}");
}

#[test]
fn initialized_notification_is_accepted_with_202_and_no_body() {
    let server = HttpServer::spawn();
    let mut session = server.client().start_session(json!({}));
    let notification = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let response = session.post(&[], &notification).expect_status(202);
    assert!(response.body().is_empty(), "202 Accepted carries no body");
    session.assert_serving();
}

#[test]
fn each_request_is_answered_on_its_own_stream_which_ends_after_the_response() {
    let server = HttpServer::spawn();
    let session = server.client().initialize(json!({}));
    // Both POSTs are open before either answer is read, so a server that put
    // an answer on the wrong stream (or on both) would show it. Each call
    // reports progress before it answers, so each answer is an SSE stream.
    let first = session.post(&[], &slow_with_progress(10, 10)).expect_status(200);
    let second = session.post(&[], &slow_with_progress(11, 11)).expect_status(200);
    let mut seen_ids = HashSet::new();
    for (mut response, id, text) in [(first, 10, "waited 10 ms"), (second, 11, "waited 11 ms")] {
        let events = response.events_until_end();
        assert!(!response.was_cut_off(), "the stream must end properly after its response");
        assert!(events.first().is_some_and(SseEvent::is_priming), "no priming event first: {events:?}");
        let answers: Vec<&Value> =
            events.iter().filter_map(|e| e.message.as_ref()).filter(|m| m.get("id").is_some()).collect();
        let [answer] = answers.as_slice() else {
            response.fail(&format!("the stream of request {id} should carry exactly its response: {events:?}"))
        };
        assert_eq!(answer["id"], id, "{answer}");
        assert_eq!(tool_text(&answer["result"]), text, "{answer}");
        for event_id in event_ids(&response, &events) {
            assert!(seen_ids.insert(event_id.clone()), "event id {event_id} is used on two streams");
        }
    }
}

#[test]
fn a_deleted_session_answers_404_to_post_get_and_delete() {
    let server = HttpServer::spawn();
    let session = server.client().initialize(json!({}));
    let mut standalone = session.get(&[]).expect_status(200);
    standalone.expect_first_priming();
    let mut call =
        session.post(&[], &request(json!(1), "tools/call", json!({"name": "slow", "arguments": {"ms": 60_000}})));
    call.expect_first_priming();

    let deleted = session.send("DELETE", &[]);
    assert!((200..300).contains(&deleted.status), "DELETE of a live session should succeed, got {}", deleted.status);
    // The session's streams must not outlive it, or its clients would wait
    // forever; reading to the end fails on a stream that stays open.
    for mut stream in [standalone, call] {
        stream.events_until_end();
    }

    session.post(&[], &ping(2)).expect_status(404);
    let notification = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    session.post(&[], &notification).expect_status(404);
    session.get(&[]).expect_status(404);
    session.send("DELETE", &[]).expect_status(404);
}

#[test]
fn a_request_without_a_session_id_gets_400() {
    let server = HttpServer::spawn();
    let client = server.client();
    // A live session exists, so the refusal is about the missing header,
    // not about a server with no sessions at all.
    let _session = client.initialize(json!({}));
    client.post(&[("MCP-Protocol-Version", LATEST_VERSION)], &ping(1)).expect_status(400);
    client.send("GET", &[("Accept", "text/event-stream")], b"").expect_status(400);
}

#[test]
fn an_unknown_session_id_gets_404() {
    let server = HttpServer::spawn();
    let client = server.client();
    let session = client.initialize(json!({}));
    let unknown = client.session(format!("{}0", session.id));
    unknown.post(&[], &ping(1)).expect_status(404);
    unknown.get(&[]).expect_status(404);
    client.session("not-a-session".to_owned()).post(&[], &ping(2)).expect_status(404);
}

#[test]
fn a_foreign_host_is_refused_with_403() {
    let server = HttpServer::spawn();
    let client = server.client();
    let initialize = request(json!(1), "initialize", initialize_params(LATEST_VERSION, json!({})));
    // DNS rebinding: a browser sends the attacker's name in Host.
    client.post(&[("Host", "evil.example.com")], &initialize).expect_status(403);
    client.post(&[("Host", "evil.example.com:80")], &initialize).expect_status(403);
    let mut session = client.initialize(json!({}));
    session.post(&[("Host", "evil.example.com")], &ping(100)).expect_status(403);
    session.assert_serving();
}

#[test]
fn a_foreign_origin_with_a_valid_host_is_refused_with_403() {
    let server = HttpServer::spawn();
    let client = server.client();
    let initialize = request(json!(1), "initialize", initialize_params(LATEST_VERSION, json!({})));
    client.post(&[("Origin", "http://evil.example.com")], &initialize).expect_status(403);
    let session = client.initialize(json!({}));
    session.post(&[("Origin", "http://evil.example.com")], &ping(100)).expect_status(403);
    session.get(&[("Origin", "http://evil.example.com")]).expect_status(403);
}

#[test]
fn a_loopback_origin_is_accepted() {
    let server = HttpServer::spawn();
    let client = server.client();
    let origin = format!("http://{}", client.authority());
    let initialize = request(json!(0), "initialize", initialize_params(LATEST_VERSION, json!({})));
    let response = client.post(&[("Origin", &origin)], &initialize).expect_status(200);
    let id = response.header("mcp-session-id").expect("initialize returns a session id").to_owned();
    let (_, answer) = response.expect_answer(&json!(0));
    assert!(answer.get("result").is_some(), "{answer}");
    let session = client.session(id);
    let (_, answer) = session.post(&[("Origin", &origin)], &ping(1)).expect_status(200).expect_answer(&json!(1));
    assert_eq!(answer["result"], json!({}), "{answer}");
}

#[test]
fn an_unknown_protocol_version_header_gets_400() {
    let server = HttpServer::spawn();
    let mut session = server.client().initialize(json!({}));
    session.post(&[("MCP-Protocol-Version", "1999-01-01")], &ping(100)).expect_status(400);
    session.get(&[("MCP-Protocol-Version", "1999-01-01")]).expect_status(400);
    session.assert_serving();
}

#[test]
fn every_supported_protocol_version_header_is_accepted_mid_session() {
    let server = HttpServer::spawn();
    let session = server.client().initialize(json!({}));
    // One conformance suite sends an older revision than it negotiated; any
    // revision the server speaks must pass.
    for (id, version) in (100..).zip(SUPPORTED_VERSIONS) {
        let response = session.post(&[("MCP-Protocol-Version", version)], &ping(id)).expect_status(200);
        let (_, answer) = response.expect_answer(&json!(id));
        assert_eq!(answer["result"], json!({}), "with MCP-Protocol-Version {version}: {answer}");
    }
}

/// A `tools/call` of `echo` whose body is exactly `size` bytes long.
fn echo_body_of_size(id: i64, size: usize) -> Vec<u8> {
    let shell = echo(id, "").to_string();
    let text = "x".repeat(size - shell.len());
    let body = echo(id, &text).to_string().into_bytes();
    assert_eq!(body.len(), size);
    body
}

#[test]
fn a_body_over_4_mib_gets_413_and_the_server_keeps_serving() {
    let server = HttpServer::spawn();
    let mut session = server.client().initialize(json!({}));
    session.post_bytes(&echo_body_of_size(100, MAX_BODY_BYTES + 1)).expect_status(413);
    session.assert_serving();
}

#[test]
fn a_body_of_exactly_4_mib_is_accepted() {
    let server = HttpServer::spawn();
    let session = server.client().initialize(json!({}));
    let body = echo_body_of_size(100, MAX_BODY_BYTES);
    let (_, answer) = session.post_bytes(&body).expect_status(200).expect_answer(&json!(100));
    let text = answer["result"]["content"][0]["text"].as_str().unwrap_or_default();
    assert!(text.len() > MAX_BODY_BYTES - 200 && text.bytes().all(|b| b == b'x'), "the echo came back changed");
}

#[test]
fn a_post_that_does_not_accept_both_json_and_sse_gets_406() {
    let server = HttpServer::spawn();
    let mut session = server.client().initialize(json!({}));
    for accept in ["application/json", "text/event-stream"] {
        let response = session.post(&[("Accept", accept)], &ping(100));
        assert_eq!(response.status, 406, "with Accept: {accept}");
    }
    session.assert_serving();
}

#[test]
fn put_gets_405_with_an_allow_header() {
    let server = HttpServer::spawn();
    let session = server.client().initialize(json!({}));
    let response = session.send("PUT", &[("Content-Type", "application/json")]).expect_status(405);
    // HTTP requires a 405 to say which methods the resource does allow.
    let allow = response.header("allow").unwrap_or_default().to_ascii_uppercase();
    assert!(allow.contains("POST") && allow.contains("GET"), "Allow: {allow:?}");
}

#[test]
fn a_stream_the_server_closes_is_replayed_after_its_priming_event_id() {
    let server = HttpServer::spawn();
    let mut session = server.client().initialize(json!({}));
    let (call, mut dropped) = session.request("tools/call", json!({"name": "test_reconnection", "arguments": {}}));
    let priming = dropped.expect_first_priming();
    let priming_id = priming.id.clone().expect("a priming event has an id");
    // The server closes the connection right after priming, saying how long
    // to wait before resuming; the response is not on this connection.
    let rest = dropped.events_until_end();
    assert!(rest.iter().all(|e| e.data.is_none()), "only a retry may follow the priming event: {rest:?}");
    assert!(rest.iter().any(|e| e.retry.is_some()), "a retry should come before the close: {rest:?}");

    // Another stream with its own events, which the replay must not include.
    let (_, other) = session.request("tools/call", json!({"name": "echo", "arguments": {"text": "other"}}));
    let mut other = other.expect_status(200);
    let other_events = other.events_until_end();
    let other_event_ids: HashSet<String> = event_ids(&other, &other_events).into_iter().collect();

    let mut resumed = session.resume(&priming_id, "tools/call").expect_status(200);
    let replayed = resumed.events_until_end();
    let messages: Vec<&Value> = replayed.iter().filter_map(|e| e.message.as_ref()).collect();
    let [answer] = messages.as_slice() else {
        resumed.fail(&format!("the replay should hold exactly the tool's response: {replayed:?}"))
    };
    assert_eq!(answer["id"], call, "{answer}");
    assert!(tool_text(&answer["result"]).starts_with("Reconnection test completed successfully"), "{answer}");
    for event_id in event_ids(&resumed, &replayed) {
        assert!(!other_event_ids.contains(&event_id), "the replay holds event {event_id} of another stream");
        assert_ne!(event_id, priming_id, "the replay must start after the Last-Event-ID");
    }
}

#[test]
fn a_stream_the_client_dropped_delivers_its_result_on_resume() {
    let server = HttpServer::spawn();
    let mut session = server.client().initialize(json!({}));
    let (call, mut answer) = session.request("tools/call", json!({"name": "slow", "arguments": {"ms": 300}}));
    let priming = answer.expect_first_priming();
    // A disconnect is not a cancellation: the call goes on without a reader.
    answer.disconnect();

    let priming_id = priming.id.as_deref().expect("a priming event has an id");
    let mut resumed = session.resume(priming_id, "tools/call").expect_status(200);
    let events = resumed.events_until_end();
    let messages: Vec<&Value> = events.iter().filter_map(|e| e.message.as_ref()).collect();
    let [answer] = messages.as_slice() else {
        resumed.fail(&format!("the resumed stream should deliver the call's response once: {events:?}"))
    };
    assert_eq!(answer["id"], call, "{answer}");
    assert_eq!(tool_text(&answer["result"]), "waited 300 ms", "{answer}");
}

/// Lets a number of threads wait until all of them have reached a point, or
/// until a deadline, so one failing thread cannot hang the others.
struct Rendezvous {
    /// How many threads have arrived so far.
    arrived: Mutex<usize>,
    /// Signalled on every arrival, so waiters re-check the count.
    all_here: Condvar,
    /// How many threads must arrive before any may go on.
    expected: usize,
}

impl Rendezvous {
    fn new(expected: usize) -> Self {
        Self { arrived: Mutex::new(0), all_here: Condvar::new(), expected }
    }

    /// Arrive and wait for the others; `Err` with how many arrived if they
    /// did not all arrive in time.
    fn arrive_and_wait(&self, timeout: Duration) -> Result<(), usize> {
        let mut arrived = self.arrived.lock().expect("rendezvous lock");
        *arrived += 1;
        self.all_here.notify_all();
        let (arrived, waited) = self
            .all_here
            .wait_timeout_while(arrived, timeout, |arrived| *arrived < self.expected)
            .expect("rendezvous lock");
        if waited.timed_out() { Err(*arrived) } else { Ok(()) }
    }
}

/// One client of the concurrency test: initialize, call `ask_client`, answer
/// the elicitation that arrives on the call's stream, once every session has
/// one pending; returns the tool's text.
fn answer_one_elicitation(client: &HttpClient, rendezvous: &Rendezvous) -> String {
    let mut session = client.initialize(json!({"elicitation": {}}));
    let (call, response) = session.request("tools/call", json!({"name": "ask_client", "arguments": {"count": 1}}));
    let mut stream = response.expect_status(200);
    stream.expect_first_priming();
    let question = match stream.next_event().and_then(|e| e.message) {
        Some(message) if message["method"] == "elicitation/create" && message.get("id").is_some() => message,
        other => stream.fail(&format!("expected an elicitation/create request on the call's stream, got {other:?}")),
    };
    // Holding every answer until all sessions have a question pending makes
    // the 50 calls truly concurrent on the server.
    if let Err(arrived) = rendezvous.arrive_and_wait(DEFAULT_TIMEOUT) {
        client.fail(&format!("only {arrived} sessions received their elicitation in time"));
    }
    let answer = json!({"jsonrpc": "2.0", "id": question["id"], "result": {"action": "accept", "content": {}}});
    session.post(&[], &answer).expect_status(202);
    let events = stream.events_until_end();
    let Some(response) = events.iter().find(|e| e.answers(&call)).and_then(|e| e.message.as_ref()) else {
        stream.fail(&format!("the call's stream ended without its response: {events:?}"))
    };
    tool_text(&response["result"]).to_owned()
}

#[test]
fn fifty_concurrent_sessions_each_answer_an_elicitation_on_the_call_stream() {
    const SESSIONS: usize = 50;
    let server = HttpServer::spawn();
    let rendezvous = Arc::new(Rendezvous::new(SESSIONS));
    let (done_tx, done) = mpsc::channel();
    let threads: Vec<_> = (0..SESSIONS)
        .map(|index| {
            let (client, rendezvous, done_tx) = (server.client(), Arc::clone(&rendezvous), done_tx.clone());
            std::thread::Builder::new()
                .name(format!("session-{index}"))
                .spawn(move || {
                    let text = answer_one_elicitation(&client, &rendezvous);
                    let _ = done_tx.send((index, text));
                })
                .expect("spawn a session thread")
        })
        .collect();
    drop(done_tx);

    // Each session's own reads time out after DEFAULT_TIMEOUT; twice that
    // bounds the whole run even when the server is slow to start them all.
    let deadline = Instant::now() + 2 * DEFAULT_TIMEOUT;
    let mut texts = Vec::new();
    loop {
        match done.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(finished) => texts.push(finished),
            // Every thread has finished, or panicked.
            Err(RecvTimeoutError::Disconnected) => break,
            Err(RecvTimeoutError::Timeout) => panic!(
                "only {} of {SESSIONS} sessions finished within {:?}\n--- the server's stderr:\n{}",
                texts.len(),
                2 * DEFAULT_TIMEOUT,
                server.stderr()
            ),
        }
    }
    let failures: Vec<String> = threads
        .into_iter()
        .filter_map(|thread| thread.join().err())
        .map(|panic| {
            panic.downcast_ref::<String>().cloned().or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
        })
        .map(Option::unwrap_or_default)
        .collect();
    assert!(failures.is_empty(), "{} session(s) failed; the first:\n{}", failures.len(), failures[0]);
    assert_eq!(texts.len(), SESSIONS);
    for (index, text) in &texts {
        assert_eq!(text, "accepted=1 declined=0 cancelled=0 errors=0", "session {index}");
    }
}

#[test]
fn a_second_standalone_stream_gets_409() {
    let server = HttpServer::spawn();
    let session = server.client().initialize(json!({}));
    let mut standalone = session.get(&[]).expect_status(200);
    let content_type = standalone.header("content-type").unwrap_or_default();
    assert!(content_type.starts_with("text/event-stream"), "content-type {content_type:?}");
    standalone.expect_first_priming();
    session.get(&[]).expect_status(409);
}

/// How often a test asks again whether the server has let go of a
/// connection the client closed: the server only learns of the close when it
/// reads the end of the connection, which no reply to the client announces.
const RECHECK: Duration = Duration::from_millis(10);

#[test]
fn a_reopened_standalone_stream_primes_with_a_fresh_event_id() {
    let server = HttpServer::spawn();
    let session = server.client().initialize(json!({}));
    let mut first = session.get(&[]).expect_status(200);
    let first_priming = first.expect_first_priming();
    // A client whose GET connection broke opens the standalone stream again.
    first.disconnect();
    let deadline = Instant::now() + DEFAULT_TIMEOUT;
    let mut second = loop {
        let reopened = session.get(&[]);
        if reopened.status != 409 || Instant::now() >= deadline {
            break reopened.expect_status(200);
        }
        std::thread::sleep(RECHECK);
    };
    let second_priming = second.expect_first_priming();
    // Event ids must be unique across all streams of a session (2025-11-25
    // transport, "Resumability and Redelivery"): a repeated id makes a
    // client's Last-Event-ID ambiguous and defeats de-duplication.
    assert_ne!(
        first_priming.id,
        second_priming.id,
        "the reopened standalone stream repeats the event id of an earlier priming event\n--- the server's stderr:\n{}",
        server.stderr()
    );
}

#[test]
fn sigterm_answers_a_running_session_call_on_its_stream_then_exits_within_a_second_and_a_half() {
    let mut server = HttpServer::spawn();
    let mut session = server.client().initialize(json!({}));
    let params = json!({"name": "slow", "arguments": {"ms": 60_000}, "_meta": {"progressToken": "waiting"}});
    let (id, call) = session.request("tools/call", params);
    let mut call = call.expect_status(200);
    call.expect_first_priming();
    // `slow` reports progress as its wait begins: from here on the call runs.
    let progress = call.next_event().and_then(|event| event.message);
    assert!(progress.as_ref().is_some_and(|p| p["method"] == "notifications/progress"), "{progress:?}");

    let signalled = Instant::now();
    server.signal("TERM");
    // The client still reads, so the call is answered as over stdio: the
    // server stopped it, and it may be sent again; then the stream ends.
    let events = call.events_until_end_within(EXIT_PROMISE);
    let answers: Vec<&Value> = events.iter().filter(|e| e.answers(&id)).filter_map(|e| e.message.as_ref()).collect();
    let [answer] = answers.as_slice() else { call.fail(&format!("expected one answer to {id}, got {events:?}")) };
    assert_eq!(answer["error"]["code"], -32000, "{answer}");
    assert!(answer["error"]["message"].as_str().is_some_and(|m| m.contains("shutting down")), "{answer}");
    let (status, _) = server.wait_exit(HANG);
    let elapsed = signalled.elapsed();
    assert!(status.success(), "after SIGTERM the server exited with {status}\n{}", server.stderr());
    assert!(elapsed < EXIT_PROMISE, "after SIGTERM the server took {elapsed:?} to exit\n{}", server.stderr());
}

#[test]
fn sigint_with_sse_streams_open_exits_zero_within_a_second_and_a_half() {
    let mut server = HttpServer::spawn();
    let mut session = server.client().initialize(json!({}));
    let mut standalone = session.get(&[]).expect_status(200);
    standalone.expect_first_priming();
    let (_, call) = session.request("tools/call", json!({"name": "slow", "arguments": {"ms": 60_000}}));
    let mut call = call.expect_status(200);
    // Primed, so the slow call is running and its stream is open.
    call.expect_first_priming();

    server.signal("INT");
    let (status, elapsed) = server.wait_exit(HANG);
    assert!(status.success(), "after SIGINT the server exited with {status}\n{}", server.stderr());
    assert!(elapsed < EXIT_PROMISE, "after SIGINT the server took {elapsed:?} to exit\n{}", server.stderr());
    assert!(!server.stderr().contains("panicked"), "{}", server.stderr());
    // Both streams are over for the client: ended or cut off, not hanging.
    standalone.events_until_end();
    call.events_until_end();
}
