//! Streamable HTTP against hostile and slow clients: the real binary on a
//! loopback port, held to the limits `HttpConfig` names. Half-open and
//! silent connections are closed on time, running out of file descriptors
//! costs no busy loop, cancelled calls free their streams, replay memory is
//! bounded, one stalled stream holds up nothing else, a 2025-03-26 batch is
//! answered, and remote use is opt-in, name by name.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use mcpwire_tests::{
    DEFAULT_TIMEOUT, HttpServer, HttpServerOptions, LATEST_VERSION, initialize_params, memory_status, request,
    tool_text,
};
use serde_json::{Value, json};

fn options(args: &[&str]) -> HttpServerOptions {
    HttpServerOptions { args: args.iter().map(|arg| (*arg).to_owned()).collect(), ..HttpServerOptions::default() }
}

fn echo(text: &str) -> Value {
    json!({"name": "echo", "arguments": {"text": text}})
}

/// Connect to the server and send `bytes`, leaving the connection open.
fn raw_connection(server: &HttpServer, bytes: &[u8]) -> TcpStream {
    let address = server.client().address();
    let mut stream = TcpStream::connect_timeout(&address, DEFAULT_TIMEOUT).expect("connect to the server");
    stream.write_all(bytes).expect("send to the server");
    stream
}

/// Wait until the server closes `stream` (end of file, or a reset), reading
/// and discarding whatever it sends first; when that was seen, or `None` if
/// it was still open at `deadline`.
fn closed_by(stream: &mut TcpStream, deadline: Instant) -> Option<Instant> {
    let mut buffer = [0u8; 4096];
    loop {
        // One last look after the deadline, for a close that came in time
        // while this thread was not running.
        let remaining = deadline.saturating_duration_since(Instant::now()).max(Duration::from_millis(1));
        stream.set_read_timeout(Some(remaining)).expect("set a read timeout");
        match stream.read(&mut buffer) {
            Ok(0) => return Some(Instant::now()),
            Ok(_) => {}
            Err(error) if matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                if Instant::now() >= deadline {
                    return None;
                }
            }
            Err(_) => return Some(Instant::now()),
        }
    }
}

/// The CPU time (user and system) process `pid` has used so far, from
/// `/proc/<pid>/stat`.
fn cpu_time(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("read the server's /proc/<pid>/stat");
    // The command name may hold spaces and parentheses; the fields after it do not.
    let fields: Vec<&str> = stat[stat.rfind(')').expect("a stat line") + 2..].split(' ').collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    Duration::from_secs_f64(ticks as f64 / clock_ticks_per_second() as f64)
}

fn clock_ticks_per_second() -> u64 {
    let output = std::process::Command::new("getconf").arg("CLK_TCK").output().expect("run getconf");
    String::from_utf8_lossy(&output.stdout).trim().parse().expect("CLK_TCK is a number")
}

/// A client that sent half a request head and went quiet must not hold its
/// connection (and a slot) beyond the header timeout, however many of them
/// there are, and real clients are served meanwhile.
#[test]
fn half_open_connections_are_closed_within_the_header_timeout_while_a_client_is_served() {
    const HALF_OPEN: usize = 200;
    let header_timeout = Duration::from_secs(1);
    let server = HttpServer::spawn_with(&options(&["--header-timeout", "1s"]));
    let opened = Instant::now();
    let mut half_open: Vec<TcpStream> = (0..HALF_OPEN)
        .map(|_| raw_connection(&server, b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Ty"))
        .collect();

    let mut session = server.client().initialize(json!({}));
    let result = session.call("tools/call", echo("still served"));
    assert_eq!(tool_text(&result["result"]), "still served", "{result}");

    // Slack over the timeout for two cores shared with other tests.
    let deadline = opened + header_timeout + Duration::from_secs(3);
    // One watcher per connection, so each close is seen when it happens.
    let closed: Vec<Option<Instant>> = std::thread::scope(|scope| {
        let watchers: Vec<_> =
            half_open.iter_mut().map(|stream| scope.spawn(move || closed_by(stream, deadline))).collect();
        watchers.into_iter().map(|watcher| watcher.join().expect("a watcher")).collect()
    });
    let still_open = closed.iter().filter(|closed| closed.is_none()).count();
    assert_eq!(
        still_open,
        0,
        "{still_open} of {HALF_OPEN} half-open connections were still open {:?} after they were opened\n{}",
        deadline - opened,
        server.stderr()
    );
    let last = closed.iter().flatten().max().expect("closed connections");
    eprintln!("the last half-open connection was closed {:?} after they were opened", *last - opened);
    assert!(*last - opened >= header_timeout, "closed before the timeout: {:?}", *last - opened);
    session.assert_serving();
}

/// Out of file descriptors, `accept` fails at once for as long as the
/// connection waits in the backlog: the server must back off instead of
/// retrying in a loop (and logging each failure), and serve again once
/// descriptors are free.
#[test]
fn an_exhausted_fd_table_costs_no_busy_loop_and_the_server_recovers() {
    let server =
        HttpServer::spawn_with(&HttpServerOptions { max_open_files: Some(64), ..HttpServerOptions::default() });
    // More connections than the server has descriptors: the last ones wait
    // in the listen backlog, where accepting them fails with EMFILE.
    let connections: Vec<TcpStream> = (0..100).map(|_| raw_connection(&server, b"")).collect();
    let deadline = Instant::now() + DEFAULT_TIMEOUT;
    while !server.stderr().contains("Too many open files") {
        assert!(Instant::now() < deadline, "the server never ran out of descriptors\n{}", server.stderr());
        std::thread::sleep(Duration::from_millis(20));
    }

    let (cpu_before, log_before) = (cpu_time(server.pid()), server.stderr().len());
    // The measurement window itself, not a wait for an event.
    std::thread::sleep(Duration::from_secs(1));
    let (cpu, logged) = (cpu_time(server.pid()) - cpu_before, server.stderr().len() - log_before);
    assert!(cpu < Duration::from_millis(100), "out of descriptors, the server used {cpu:?} of CPU in a second");
    assert!(logged < 1_000, "out of descriptors, the server logged {logged} bytes in a second");

    drop(connections);
    let mut session = server.client().initialize(json!({}));
    session.assert_serving();
}

/// `notifications/cancelled` ends the request: its stream must end too,
/// instead of staying open and counting against the session's stream limit.
#[test]
fn three_hundred_cancelled_calls_leave_the_session_usable_and_each_stream_ends_within_a_second() {
    let server = HttpServer::spawn();
    let mut session = server.client().initialize(json!({}));
    for _ in 0..300 {
        let (id, call) = session.request("tools/call", json!({"name": "slow", "arguments": {"ms": 60_000}}));
        let mut call = call.expect_status(200);
        call.expect_first_priming();
        let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled",
            "params": {"requestId": id, "reason": "timed out"}});
        session.post(&[], &cancel).expect_status(202);
        let events = call.events_until_end_within(Duration::from_secs(1));
        if let Some(answer) = events.iter().find(|event| event.answers(&id)) {
            call.fail(&format!("a cancelled request was answered: {answer:?}"));
        }
    }
    session.assert_serving();
    let result = session.call("tools/call", echo("after 300 cancels"));
    assert_eq!(tool_text(&result["result"]), "after 300 cancels", "{result}");
}

/// Every answer is kept for a client that resumes, but only within byte
/// limits: large answers, read and done with, must not pile up.
#[test]
fn four_sessions_of_sixteen_large_calls_keep_peak_rss_under_150_mib() {
    const SESSIONS: usize = 4;
    const CALLS: usize = 16;
    const TEXT_BYTES: usize = 3_670_016; // 3.5 MiB
    let server = HttpServer::spawn();
    std::thread::scope(|scope| {
        for session in 0..SESSIONS {
            let client = server.client();
            scope.spawn(move || {
                let mut session_handle = client.initialize(json!({}));
                let text = char::from(b'a' + session as u8).to_string().repeat(TEXT_BYTES);
                for call in 0..CALLS {
                    let result = session_handle.call("tools/call", echo(&text));
                    let echoed = tool_text(&result["result"]);
                    assert!(echoed == text, "session {session}, call {call}: the echo came back changed");
                }
            });
        }
    });
    let memory = memory_status(server.pid()).expect("read the server's memory");
    let peak_mib = memory.peak_kib / 1024;
    assert!(peak_mib < 150, "peak RSS was {peak_mib} MiB over {SESSIONS} sessions of {CALLS} calls of 3.5 MiB");
}

/// A POST whose answer nobody reads, while its tool floods it with
/// notifications, must not hold up the session's other answers: its reader
/// is cut off instead (and may resume).
#[test]
fn a_stalled_stream_does_not_delay_another_request_of_its_session_past_a_second() {
    let server = HttpServer::spawn();
    let mut session = server.client().initialize(json!({}));
    let flood = json!({"name": "emit_notifications", "arguments": {"count": 200_000}});
    let (_, stalled) = session.request("tools/call", flood);
    let mut stalled = stalled.expect_status(200);
    stalled.expect_first_priming();
    // From here on nobody reads the flood, so the socket's buffers fill and
    // the server's writes to it stop. Whenever that happens in these three
    // seconds, every call must still be answered within a second.
    let started = Instant::now();
    let mut probes = 0;
    while probes < 5 || started.elapsed() < Duration::from_secs(3) {
        let asked = Instant::now();
        let text = format!("probe {probes}");
        let result = session.call("tools/call", echo(&text));
        let took = asked.elapsed();
        assert_eq!(tool_text(&result["result"]), text, "{result}");
        assert!(took < Duration::from_secs(1), "with a stalled stream, probe {probes} took {took:?}");
        probes += 1;
    }
    stalled.disconnect();
    session.assert_serving();
}

/// 2025-03-26 is the one revision whose transport takes JSON-RPC batches:
/// the answers to every request in it come on the POST's one stream.
#[test]
fn a_2025_03_26_batch_post_is_answered_on_its_stream() {
    let server = HttpServer::spawn();
    let session = server.client().initialize_at("2025-03-26", json!({}));
    let batch = json!([
        request(json!(1), "ping", Value::Null),
        {"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progressToken": "none", "progress": 1}},
        request(json!(2), "tools/call", echo("in a batch")),
    ]);
    let mut answer = session.post(&[], &batch).expect_status(200);
    answer.expect_first_priming();
    let events = answer.events_until_end();
    assert!(!answer.was_cut_off(), "the stream must end once every request is answered");
    let answers: Vec<&Value> = events.iter().filter_map(|event| event.message.as_ref()).collect();
    let ping = answers.iter().find(|message| message["id"] == 1);
    let call = answers.iter().find(|message| message["id"] == 2);
    let (Some(ping), Some(call)) = (ping, call) else { answer.fail(&format!("two answers expected: {answers:?}")) };
    assert_eq!(ping["result"], json!({}), "{ping}");
    assert_eq!(tool_text(&call["result"]), "in a batch", "{call}");
    assert_eq!(answers.len(), 2, "{answers:?}");

    // Later revisions removed batches, and their clients say which they speak.
    let later = server.client().initialize(json!({}));
    later.post(&[], &json!([request(json!(1), "ping", Value::Null)])).expect_status(400);
}

/// Two `Host` headers leave the server guessing which one the client meant
/// (and a proxy may have checked the other): refused outright.
#[test]
fn a_request_with_two_host_headers_gets_400() {
    let server = HttpServer::spawn();
    let client = server.client();
    let authority = client.authority();
    let initialize = request(json!(0), "initialize", initialize_params(LATEST_VERSION, json!({})));
    let headers = [
        ("Host", authority.as_str()),
        ("Host", "evil.example.com"),
        ("Accept", "application/json, text/event-stream"),
        ("Content-Type", "application/json"),
    ];
    client.send("POST", &headers, initialize.to_string().as_bytes()).expect_status(400);
    let same_twice = [("Host", authority.as_str()), ("Host", authority.as_str()), ("Accept", "text/event-stream")];
    client.send("GET", &same_twice, b"").expect_status(400);
}

/// Serving beyond loopback names its public names and the web origins
/// allowed to call it; every other name is still refused.
#[test]
fn hosts_and_origins_allowed_on_the_command_line_are_accepted_and_no_others() {
    let server = HttpServer::spawn_with(&options(&[
        "--allowed-host",
        "mcp.example.com",
        "--allowed-origin",
        "https://app.example.com",
    ]));
    let client = server.client();
    let initialize = request(json!(0), "initialize", initialize_params(LATEST_VERSION, json!({})));
    for (host, origin, status) in [
        ("mcp.example.com", None, 200),
        ("mcp.example.com:8443", Some("https://app.example.com"), 200),
        ("mcp.example.com", Some("https://mcp.example.com"), 200),
        // Loopback names still work, for the operator on the machine itself.
        ("127.0.0.1", Some("http://localhost:3000"), 200),
        ("evil.example.com", None, 403),
        ("mcp.example.com", Some("https://evil.example.com"), 403),
        ("mcp.example.com", Some("http://app.example.com"), 403),
    ] {
        let mut headers = vec![("Host", host)];
        headers.extend(origin.map(|origin| ("Origin", origin)));
        let response = client.post(&headers, &initialize);
        assert_eq!(response.status, status, "Host {host}, Origin {origin:?}\n{}", server.stderr());
        if status == 200 {
            response.expect_answer(&json!(0));
        }
    }
}

/// A body that stops arriving holds its connection no longer than the body
/// timeout, and a body announced larger than the limit is refused before
/// any of it is read.
#[test]
fn a_stalled_body_gets_408_and_an_oversized_one_413_at_once() {
    let server = HttpServer::spawn_with(&options(&["--body-timeout", "1s"]));
    let head = |length: usize| {
        format!(
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
             Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n{{\"jsonrpc\":"
        )
    };
    for (length, status, within) in
        [(1_000, "408", Duration::from_secs(3)), (100_000_000, "413", Duration::from_secs(1))]
    {
        let sent = Instant::now();
        let mut stream = raw_connection(&server, head(length).as_bytes());
        stream.set_read_timeout(Some(within)).unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(answer.starts_with(&format!("HTTP/1.1 {status} ")), "Content-Length {length}: {answer:?}");
        assert!(sent.elapsed() < within, "Content-Length {length}: answered and closed after {:?}", sent.elapsed());
    }
    server.client().initialize(json!({})).assert_serving();
}

/// Whether `answer` holds a whole HTTP response: its head, then as many
/// bytes as its `Content-Length` says, or a chunked body to its last chunk.
fn is_complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some(head_end) = text.find("\r\n\r\n") else { return false };
    let length = text[..head_end].lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        name.eq_ignore_ascii_case("content-length").then(|| value.trim().parse::<usize>().ok()).flatten()
    });
    match length {
        Some(length) => answer.len() >= head_end + 4 + length,
        None => answer.ends_with(b"0\r\n\r\n"),
    }
}

/// Between requests, a kept-alive connection is closed after the idle timeout.
#[test]
fn an_idle_keep_alive_connection_is_closed_after_the_idle_timeout() {
    let server = HttpServer::spawn_with(&options(&["--idle-timeout", "1s"]));
    let initialize = request(json!(0), "initialize", initialize_params(LATEST_VERSION, json!({}))).to_string();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{initialize}",
        initialize.len()
    );
    let mut stream = raw_connection(&server, head.as_bytes());
    // The answer (JSON with a Content-Length, or a chunked SSE stream that
    // ends with the last chunk) is read whole; the connection then idles,
    // kept alive.
    let mut answer = Vec::new();
    let mut buffer = [0u8; 4096];
    stream.set_read_timeout(Some(DEFAULT_TIMEOUT)).unwrap();
    while !is_complete(&answer) {
        let read = stream.read(&mut buffer).expect("the answer arrives");
        assert!(read > 0, "the connection closed before the answer ended: {:?}", String::from_utf8_lossy(&answer));
        answer.extend_from_slice(&buffer[..read]);
    }
    let idle_since = Instant::now();
    let closed = closed_by(&mut stream, idle_since + Duration::from_secs(3));
    let Some(closed) = closed else { panic!("an idle connection was still open 3 s later\n{}", server.stderr()) };
    assert!(closed - idle_since >= Duration::from_millis(900), "closed after only {:?}", closed - idle_since);
}

#[test]
fn a_quiet_standalone_stream_gets_a_keep_alive_comment_each_interval() {
    let server = HttpServer::spawn_with(&options(&["--sse-keep-alive", "500ms"]));
    let session = server.client().initialize(json!({}));
    let mut stream = session.get(&[]).expect_status(200);
    stream.expect_first_priming();
    for _ in 0..2 {
        let quiet_since = Instant::now();
        stream.expect_keep_alive_within(Duration::from_secs(3));
        let quiet = quiet_since.elapsed();
        assert!(quiet >= Duration::from_millis(400), "a keep-alive after only {quiet:?} of quiet");
    }
}

/// Beyond `--max-connections` the server stops accepting: a new client
/// waits in the listen backlog until a connection closes, then is served.
#[test]
fn beyond_the_connection_cap_a_client_waits_until_a_connection_closes() {
    let server = HttpServer::spawn_with(&options(&["--max-connections", "4"]));
    let mut held: Vec<TcpStream> = (0..4).map(|_| raw_connection(&server, b"")).collect();
    let client = server.client();
    let (answered_tx, answered) = std::sync::mpsc::channel();
    let waiting = std::thread::spawn(move || {
        let session = client.initialize(json!({}));
        let _ = answered_tx.send(Instant::now());
        session
    });
    // A bounded look for an answer that must not come.
    assert!(answered.recv_timeout(Duration::from_millis(500)).is_err(), "a fifth connection was served at once");
    let freed = Instant::now();
    drop(held.pop());
    let served = answered.recv_timeout(DEFAULT_TIMEOUT).expect("the waiting client is served once a slot frees");
    assert!(served - freed < Duration::from_secs(2), "served {:?} after a slot freed", served - freed);
    let mut session = waiting.join().expect("the waiting client");
    session.assert_serving();
}
