//! Clients that do not hold up their end, end to end: one that sends and never
//! reads, a parent that never drains the server's stderr, and one that
//! subscribes to enormous URIs. Each must cost the server a bounded amount of
//! memory and never stall it.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use mcpwire_tests::{McpProcess, SpawnOptions, memory_status, request};
use serde_json::{Value, json};

/// The server's promise for a client that never reads: its resident set
/// stays under this, because the outgoing queue's ceiling (64 MiB by default)
/// counts what each queued message really holds.
const NEVER_READING_PEAK_KIB: u64 = 160 * 1024;

/// What the server logs when it gives up on such a client.
const CEILING_LOG: &str = "does not read our answers";

/// How long the flood may take to reach the ceiling before the test gives
/// up: a few seconds on a debug build, but CI shares two cores.
const FLOOD_PATIENCE: Duration = Duration::from_secs(120);

/// How long a ping may take while the server's stderr is full.
const PING_PATIENCE: Duration = Duration::from_secs(2);

const INVALID_PARAMS: i64 = -32602;

/// `count` pings as one write, ids `0..count`: the cheapest request to send,
/// and the one whose answer is smallest, so per-message overhead dominates.
fn pings(count: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(count * 48);
    for id in 0..count {
        writeln!(bytes, r#"{{"jsonrpc":"2.0","id":{id},"method":"ping"}}"#).expect("writing to a Vec");
    }
    bytes
}

#[test]
fn a_client_that_never_reads_keeps_the_server_under_160_mib() {
    let mut server = McpProcess::spawn_with(&SpawnOptions { stdout_unread: true, ..SpawnOptions::default() });
    let pid = server.pid();
    let mut stdin = server.take_stdin();
    let stop = Arc::new(AtomicBool::new(false));
    // The flood runs on its own thread: once the server stops reading, a
    // write blocks until the server exits.
    let flood = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            let chunk = pings(4096);
            let mut sent = 0_usize;
            while !stop.load(Ordering::Relaxed) && stdin.write_all(&chunk).is_ok() {
                sent += 4096;
            }
            sent
        }
    });
    let started = Instant::now();
    let mut peak = 0;
    // Wait for the ceiling, checking the resident set on the way so that a
    // server that grows past the promise fails here, not after it has grown
    // to hundreds of megabytes.
    let reached = loop {
        if server.wait_for_stderr(CEILING_LOG, Duration::from_millis(100)) {
            break true;
        }
        peak = memory_status(pid).map_or(peak, |status| status.peak_kib);
        if peak >= NEVER_READING_PEAK_KIB || started.elapsed() > FLOOD_PATIENCE {
            break false;
        }
    };
    // The server is winding down now, still alive while its writer waits for
    // the pipe: its high-water mark covers everything it queued.
    if reached {
        peak = memory_status(pid).map_or(peak, |status| status.peak_kib);
    }
    stop.store(true, Ordering::Relaxed);
    eprintln!("peak resident set {peak} KiB after {:.1?}", started.elapsed());
    assert!(
        peak < NEVER_READING_PEAK_KIB,
        "a client that never reads pushed the server to {peak} KiB (promise: under {NEVER_READING_PEAK_KIB} KiB)\n{}",
        server.stderr()
    );
    assert!(reached, "the server did not give up on the client within {FLOOD_PATIENCE:?}\n{}", server.stderr());
    drop(server);
    let sent = flood.join().expect("the flood thread");
    eprintln!("{sent} pings sent");
}

#[test]
fn an_unread_stderr_never_delays_a_ping_past_two_seconds() {
    let mut server = McpProcess::spawn_with(&SpawnOptions { stderr_unread: true, ..SpawnOptions::default() });
    server.initialize(json!({}));
    // Each answer to a request nobody made is a warning on stderr: a thousand
    // of them are more than a pipe holds, and nobody reads this one.
    let unknown: Vec<Value> =
        (0..1000).map(|i| json!({"jsonrpc": "2.0", "id": format!("nobody-asked-{i}"), "result": {}})).collect();
    for round in 0..20 {
        server.send_many(&unknown);
        let started = Instant::now();
        let ping = server.request("ping", Value::Null);
        let answered = server.recv_response_timeout(&ping, PING_PATIENCE);
        assert!(
            answered.is_some(),
            "round {round}: with stderr full, a ping was not answered within {PING_PATIENCE:?}"
        );
        assert!(started.elapsed() < PING_PATIENCE, "round {round}: the ping took {:?}", started.elapsed());
    }
    // Once stderr is read again, the server says how much it could not log.
    server.resume_stderr();
    server.close_stdin();
    let (status, _) = server.wait_exit(Duration::from_secs(10));
    assert!(status.success(), "{status}");
    let stderr = server.stderr();
    assert!(stderr.contains("log lines dropped"), "no count of dropped lines in:\n{}", tail(&stderr));
}

#[test]
fn subscriptions_to_huge_uris_are_refused_and_the_server_stays_small() {
    let mut server = McpProcess::initialized(json!({}));
    let huge = format!("test://{}", "u".repeat(4 * 1024 * 1024));
    for index in 0..50 {
        let uri = format!("{huge}{index}");
        let response = server.call("resources/subscribe", json!({"uri": uri}));
        assert_eq!(response["error"]["code"], INVALID_PARAMS, "subscription {index} was not refused");
    }
    let status = memory_status(server.pid()).expect("the server's memory");
    assert!(status.rss_kib < 64 * 1024, "50 refused subscriptions left the server at {} KiB", status.rss_kib);
    // An ordinary subscription still works.
    server.call_ok("resources/subscribe", json!({"uri": "test://static-text"}));
    server.assert_serving();
}

#[test]
fn subscriptions_beyond_the_per_session_cap_are_refused_until_one_is_dropped() {
    // The binary keeps the library's default, 1024 per session.
    const CAP: usize = 1024;
    let mut server = McpProcess::initialized(json!({}));
    let subscribe =
        |i: usize| request(json!(format!("sub-{i}")), "resources/subscribe", json!({"uri": format!("test://r/{i}")}));
    let requests: Vec<Value> = (0..CAP).map(subscribe).collect();
    server.send_many(&requests);
    for i in 0..CAP {
        let response = server.recv_response(&json!(format!("sub-{i}")));
        assert_eq!(response["result"], json!({}), "{response}");
    }
    // Subscribing again to a URI already watched changes nothing, so it is fine.
    server.call_ok("resources/subscribe", json!({"uri": "test://r/0"}));
    let refused = server.call("resources/subscribe", json!({"uri": "test://one-too-many"}));
    assert_eq!(refused["error"]["code"], INVALID_PARAMS, "{refused}");
    server.call_ok("resources/unsubscribe", json!({"uri": "test://r/0"}));
    server.call_ok("resources/subscribe", json!({"uri": "test://one-too-many"}));
}

/// The last lines of a long log, for a failure message.
fn tail(text: &str) -> &str {
    let start = text.len().saturating_sub(4000);
    let start = (start..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(text.len());
    &text[start..]
}
