//! The endpoint over a real loopback socket, both eras at once: a small
//! [`Handler`] on one side, a raw HTTP/1.1 client on the other, so every test
//! sees exactly the bytes a client would.

use std::net::SocketAddr;
use std::time::Duration;

use mcpwire_protocol::types::{LoggingLevel, LoggingMessageNotificationParams};
use mcpwire_protocol::{ErrorCode, ErrorObject, RequestId, ServerNotification};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};

use super::*;
use crate::{Incoming, OutgoingMessage};

/// How long any one step may take before the test calls it a hang.
const STEP: Duration = Duration::from_secs(5);

async fn within<T>(future: impl Future<Output = T>) -> T {
    tokio::time::timeout(STEP, future).await.expect("the step finished in time")
}

/// A stateless request as the test handler received it.
#[derive(Debug)]
struct Seen {
    method: String,
    headers: McpHeaders,
    http: Arc<http::request::Parts>,
    closed: CancellationToken,
    /// For `test/later`: the request's id and sender, for the test to answer with.
    later: Option<(RequestId, Arc<OutgoingMessageSender>)>,
}

/// What a test's "middleware" puts in a request's extensions.
#[derive(Debug, Clone, PartialEq)]
struct Mark(&'static str);

/// Answers stateless requests by method, and runs a minimal processor on
/// each session: a result for `initialize`, none for `test/hang` until the
/// session winds down (then -32000), a log then `{}` for `test/progress`,
/// the head of its HTTP request for `test/head`, `{}` for anything else. A
/// stateless `test/later` is answered by the test itself.
struct TestHandler {
    seen: mpsc::UnboundedSender<Seen>,
}

fn log(n: u64) -> OutgoingMessage {
    let params =
        LoggingMessageNotificationParams { level: LoggingLevel::Info, logger: None, data: json!(n), meta: None };
    OutgoingMessage::ServerNotification(ServerNotification::LoggingMessage(params))
}

impl Handler for TestHandler {
    fn session(&self, handle: SessionHandle) {
        tokio::spawn(async move {
            let SessionHandle { mut incoming, sender, ended, .. } = handle;
            let mut hanging = Vec::new();
            loop {
                // What arrived before the session wound down is taken first,
                // so a test knows which requests the answers at the end cover.
                let message = tokio::select! {
                    biased;
                    message = incoming.recv() => message,
                    () = ended.cancelled() => None,
                };
                let Some(message) = message else { break };
                let Incoming::HttpRequest(request, head) = message else { continue };
                if request.method == "test/hang" {
                    hanging.push(request.id);
                    continue;
                }
                if request.method == "test/progress" {
                    sender.notify(log(1), Some(request.id.clone())).await.unwrap();
                }
                let result = match &*request.method {
                    "initialize" => {
                        json!({"protocolVersion": "2025-11-25", "capabilities": {}, "serverInfo": {"name": "t", "version": "0"}})
                    }
                    "test/head" => json!({
                        "path": head.uri.path(),
                        "mark": head.extensions.get::<Mark>().map(|mark| mark.0),
                        "subject": head.extensions.get::<Principal>().map(|p| p.subject.clone()),
                    }),
                    _ => json!({}),
                };
                sender.send_response(request.id, &result);
            }
            for id in hanging {
                sender.send_error(Some(id), ErrorObject::new(ErrorCode::SERVER_OVERLOADED, "stopped"));
            }
            sender.close();
        });
    }

    fn request(&self, request: StatelessRequest) {
        let StatelessRequest { request, headers, http, sender, closed } = request;
        let later = (request.method == "test/later").then(|| (request.id.clone(), Arc::clone(&sender)));
        let seen = Seen { method: request.method.to_string(), headers, http, closed: closed.clone(), later };
        self.seen.send(seen).expect("the test is listening");
        let id = request.id;
        match &*request.method {
            // The test answers it, through `Seen::later`.
            "test/later" => {}
            "test/result" => sender.send_response(id, &json!({"resultType": "complete", "text": "a b"})),
            "test/error" => {
                let params: Value = serde_json::from_str(request.params.as_ref().expect("params").get()).unwrap();
                let code = ErrorCode(params["code"].as_i64().expect("a code"));
                sender.send_error(Some(id), ErrorObject::new(code, "refused"));
            }
            "test/progress" => {
                tokio::spawn(async move {
                    sender.notify(log(1), Some(id.clone())).await.unwrap();
                    sender.send_response(id, &json!({"resultType": "complete"}));
                });
            }
            // A listen stream: one notification, then open until cancelled.
            "test/listen" => {
                tokio::spawn(async move {
                    sender.notify(log(1), Some(id)).await.unwrap();
                    closed.cancelled().await;
                });
            }
            // Never answers; holds its sender until cancelled.
            "test/hang" => {
                tokio::spawn(async move {
                    closed.cancelled().await;
                    drop(sender);
                });
            }
            _ => sender.send_error(Some(id), ErrorObject::new(ErrorCode::METHOD_NOT_FOUND, "no such method")),
        }
    }
}

struct TestServer {
    addr: SocketAddr,
    seen: mpsc::UnboundedReceiver<Seen>,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    async fn start(config: HttpConfig) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (seen_tx, seen) = mpsc::unbounded_channel();
        let (stop, stopped) = oneshot::channel::<()>();
        let handler = TestHandler { seen: seen_tx };
        let task = tokio::spawn(serve(listener, config, handler, async move {
            let _ = stopped.await;
        }));
        Self { addr, seen, stop: Some(stop), task }
    }

    async fn next_seen(&mut self) -> Seen {
        within(self.seen.recv()).await.expect("the handler saw a request")
    }

    async fn post(&self, extra: &[(&str, &str)], body: &Value) -> Reply {
        self.send("POST", &merge(MODERN, extra), body.to_string().as_bytes()).await
    }

    async fn send(&self, method: &str, headers: &[(&str, &str)], body: &[u8]) -> Reply {
        Reply::send(self.addr, method, headers, body).await
    }

    async fn stop(mut self) {
        drop(self.stop.take());
        within(self.task).await.unwrap().unwrap();
    }
}

/// The headers of a well-formed 2026-07-28 POST.
const MODERN: &[(&str, &str)] = &[
    ("Content-Type", "application/json"),
    ("Accept", "application/json, text/event-stream"),
    ("MCP-Protocol-Version", "2026-07-28"),
];

/// The headers of a well-formed POST of the handshake era, before its session.
const LEGACY: &[(&str, &str)] =
    &[("Content-Type", "application/json"), ("Accept", "application/json, text/event-stream")];

/// `base` with `extra` replacing same-named headers; an empty value removes one.
fn merge<'a>(base: &[(&'a str, &'a str)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut headers: Vec<_> =
        base.iter().filter(|(name, _)| !extra.iter().any(|(e, _)| e.eq_ignore_ascii_case(name))).copied().collect();
    headers.extend(extra.iter().filter(|(_, value)| !value.is_empty()));
    headers
}

/// A 2026-07-28 request: its version in `params._meta`.
fn modern(id: i64, method: &str, mut params: Value) -> Value {
    params["_meta"] = json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params})
}

/// One HTTP/1.1 response, read straight off the socket.
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    reader: BufReader<TcpStream>,
    /// The body has been read to its end.
    ended: bool,
}

impl Reply {
    async fn send(addr: SocketAddr, method: &str, headers: &[(&str, &str)], body: &[u8]) -> Self {
        Self::send_to(addr, method, "/mcp", headers, body).await
    }

    async fn send_to(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Self {
        let stream = within(TcpStream::connect(addr)).await.unwrap();
        Self::exchange(BufReader::new(stream), method, path, headers, body).await
    }

    /// The next request on this reply's connection, once its body was read.
    async fn again(self, method: &str, headers: &[(&str, &str)], body: &[u8]) -> Self {
        assert!(self.ended, "the previous answer was read to its end");
        Self::exchange(self.reader, method, "/mcp", headers, body).await
    }

    /// Whether the server closed the connection after this reply's body.
    async fn closed_after(&mut self) -> bool {
        let mut rest = Vec::new();
        within(self.reader.read_to_end(&mut rest)).await.is_ok_and(|_| rest.is_empty())
    }

    async fn exchange(
        mut reader: BufReader<TcpStream>,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Self {
        let mut head = format!("{method} {path} HTTP/1.1\r\n");
        if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
            head.push_str("Host: 127.0.0.1\r\n");
        }
        // One request per connection, unless a test asks for more: a
        // connection kept alive would hold the server's shutdown up until
        // the test drops it (see `drain`).
        if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("connection")) {
            head.push_str("Connection: close\r\n");
        }
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        head.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
        within(reader.get_mut().write_all(head.as_bytes())).await.unwrap();
        within(reader.get_mut().write_all(body)).await.unwrap();
        let status_line = Self::line(&mut reader).await;
        let status = status_line.split(' ').nth(1).and_then(|s| s.parse().ok()).expect("a status line");
        let mut headers = Vec::new();
        loop {
            let line = Self::line(&mut reader).await;
            if line.is_empty() {
                break;
            }
            let (name, value) = line.split_once(':').expect("a header line");
            headers.push((name.to_ascii_lowercase(), value.trim().to_owned()));
        }
        Self { status, headers, reader, ended: false }
    }

    async fn line(reader: &mut BufReader<TcpStream>) -> String {
        let mut line = String::new();
        within(reader.read_line(&mut line)).await.unwrap();
        line.trim_end_matches(['\r', '\n']).to_owned()
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The next piece of the body as the server sent it (one chunk of a
    /// chunked body); `None` at its end, which must be a proper one.
    async fn chunk(&mut self) -> Option<Vec<u8>> {
        if self.ended {
            return None;
        }
        let length = self.header("content-length").map(|length| length.parse::<usize>().unwrap());
        let size = match length {
            Some(length) => {
                self.ended = true;
                length
            }
            None => {
                assert_eq!(self.header("transfer-encoding"), Some("chunked"), "{:?}", self.headers);
                let size_line = Self::line(&mut self.reader).await;
                usize::from_str_radix(&size_line, 16).unwrap_or_else(|_| panic!("a chunk size, got {size_line:?}"))
            }
        };
        let mut data = vec![0; size];
        within(self.reader.read_exact(&mut data)).await.unwrap();
        if length.is_none() {
            assert_eq!(Self::line(&mut self.reader).await, "", "a chunk ends with CRLF");
            if size == 0 {
                self.ended = true;
                return None;
            }
        }
        Some(data)
    }

    async fn text(&mut self) -> String {
        let mut text = Vec::new();
        while let Some(chunk) = self.chunk().await {
            text.extend(chunk);
        }
        String::from_utf8(text).unwrap()
    }

    async fn json(&mut self) -> Value {
        let text = self.text().await;
        serde_json::from_str(&text).unwrap_or_else(|error| panic!("{error}: {text:?}"))
    }
}

#[tokio::test]
async fn a_stateless_result_is_compact_json_with_its_length_and_no_session() {
    let mut server = TestServer::start(HttpConfig::default()).await;
    let mut reply = server.post(&[], &modern(1, "test/result", json!({}))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("application/json"));
    assert_eq!(reply.header("mcp-session-id"), None, "a stateless answer neither mints nor echoes a session");
    let body = reply.text().await;
    assert_eq!(body, r#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete","text":"a b"}}"#);
    assert_eq!(reply.header("content-length"), Some(body.len().to_string().as_str()));
    assert_eq!(server.next_seen().await.method, "test/result");
    server.stop().await;
}

#[tokio::test]
async fn a_stateless_error_takes_its_http_status_from_its_code() {
    let server = TestServer::start(HttpConfig::default()).await;
    for (id, code, status) in [(1, -32601, 404), (2, -32022, 400), (3, -32020, 400), (4, -32603, 200)] {
        let mut reply = server.post(&[], &modern(id, "test/error", json!({"code": code}))).await;
        assert_eq!(reply.status, status, "for {code}");
        assert_eq!(reply.header("content-type"), Some("application/json"));
        let body = reply.json().await;
        assert_eq!((&body["id"], &body["error"]["code"]), (&json!(id), &json!(code)), "{body}");
    }
    server.stop().await;
}

#[tokio::test]
async fn a_notification_before_the_response_makes_a_stream_of_two_events_that_ends() {
    let server = TestServer::start(HttpConfig::default()).await;
    let mut reply = server.post(&[], &modern(5, "test/progress", json!({}))).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.header("content-type"), Some("text/event-stream"));
    assert_eq!(reply.header("cache-control"), Some("no-cache"));
    assert_eq!(reply.header("x-accel-buffering"), Some("no"));
    assert_eq!(reply.header("mcp-session-id"), None);
    // `text` returns only at the terminating chunk: the stream ended.
    let text = reply.text().await;
    let events: Vec<&str> = text.split_terminator("\n\n").collect();
    let [notification, response] = events.as_slice() else { panic!("two events expected: {text:?}") };
    assert!(notification.starts_with("event: message\ndata: {") && notification.contains("notifications/message"));
    let answer = r#"{"jsonrpc":"2.0","id":5,"result":{"resultType":"complete"}}"#;
    assert_eq!(*response, format!("event: message\ndata: {answer}"));
    assert!(!text.contains("\nid:") && !text.starts_with("id:"), "no event ids, no priming: {text:?}");
    server.stop().await;
}

#[tokio::test]
async fn closing_the_connection_cancels_the_request_before_and_during_its_stream() {
    let mut server = TestServer::start(HttpConfig::default()).await;
    // Before anything was sent: the client gives up on a request that hangs.
    let waiting = tokio::spawn({
        let addr = server.addr;
        let body = modern(1, "test/hang", json!({})).to_string();
        async move { Reply::send(addr, "POST", MODERN, body.as_bytes()).await }
    });
    let hanging = server.next_seen().await;
    assert!(!hanging.closed.is_cancelled());
    waiting.abort();
    within(hanging.closed.cancelled()).await;

    // Mid-stream: a listen stream the client closes after its first event.
    let mut listen = server.post(&[], &modern(2, "test/listen", json!({}))).await;
    let listening = server.next_seen().await;
    assert!(listen.chunk().await.is_some_and(|event| event.starts_with(b"event: message\n")));
    assert!(!listening.closed.is_cancelled(), "an open stream is not cancelled");
    drop(listen);
    within(listening.closed.cancelled()).await;
    server.stop().await;
}

#[tokio::test]
async fn shutting_down_cancels_open_stateless_requests() {
    let mut server = TestServer::start(HttpConfig::default()).await;
    let mut listen = server.post(&[], &modern(1, "test/listen", json!({}))).await;
    let listening = server.next_seen().await;
    listen.chunk().await.expect("the first event");
    let stopped = tokio::spawn(server.stop());
    within(listening.closed.cancelled()).await;
    // The owner stopped and dropped its sender, so the stream ends properly.
    assert_eq!(listen.chunk().await, None);
    within(stopped).await.unwrap();
}

/// Connects to `addr` until the connection is refused: the listener closed.
async fn until_refused(addr: SocketAddr) {
    within(async {
        loop {
            match TcpStream::connect(addr).await {
                Err(error) if error.kind() == std::io::ErrorKind::ConnectionRefused => return,
                Err(error) => panic!("{error}"),
                // Accepted before the listener closed; dropped unused.
                Ok(_) => tokio::time::sleep(Duration::from_millis(5)).await,
            }
        }
    })
    .await;
}

#[tokio::test]
async fn at_shutdown_requests_on_open_connections_are_answered_and_each_is_its_connections_last() {
    // Longer than any step: the server must return because the
    // connections closed, not because the drain timed out.
    let config = HttpConfig { drain_timeout: Duration::from_secs(3600), ..HttpConfig::default() };
    let mut server = TestServer::start(config).await;
    let keep_alive = merge(MODERN, &[("Connection", "keep-alive")]);
    let result = modern(1, "test/result", json!({})).to_string();
    let mut idle = server.send("POST", &keep_alive, result.as_bytes()).await;
    assert_eq!((idle.status, idle.header("connection")), (200, None));
    idle.text().await;
    server.next_seen().await;
    let in_flight = tokio::spawn({
        let (addr, body) = (server.addr, modern(2, "test/later", json!({})).to_string());
        async move {
            let mut reply =
                Reply::send(addr, "POST", &merge(MODERN, &[("Connection", "keep-alive")]), body.as_bytes()).await;
            let text = reply.text().await;
            (reply.header("connection").map(str::to_owned), text, reply.closed_after().await)
        }
    });
    let later = server.next_seen().await;

    let (addr, task) = (server.addr, server.stop());
    let stopped = tokio::spawn(task);
    until_refused(addr).await;
    assert!(!later.closed.is_cancelled(), "the endpoint serves on while a request may still arrive");
    let (id, sender) = later.later.expect("test/later is the test's to answer");
    sender.send_response(id, &json!({"resultType": "complete", "text": "late"}));
    let (connection, text, closed) = within(in_flight).await.unwrap();
    assert_eq!(connection.as_deref(), Some("close"), "its connection brings no more requests");
    assert!(text.contains(r#""text":"late""#), "the request in flight got its real answer: {text}");
    assert!(closed);
    assert!(!stopped.is_finished(), "a request may still come on the idle connection");

    let mut last = idle.again("POST", &keep_alive, modern(3, "test/result", json!({})).to_string().as_bytes()).await;
    assert_eq!((last.status, last.header("connection")), (200, Some("close")));
    assert!(last.text().await.contains(r#""text":"a b""#), "served as always");
    assert!(last.closed_after().await);
    within(stopped).await.unwrap();
}

#[tokio::test]
async fn sessions_and_stateless_requests_share_one_endpoint() {
    let mut server = TestServer::start(HttpConfig::default()).await;
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "c", "version": "0"}}});
    let mut started = server.send("POST", LEGACY, initialize.to_string().as_bytes()).await;
    assert_eq!(started.status, 200);
    assert_eq!(started.header("content-type"), Some("application/json"), "its response came first");
    let session = started.header("mcp-session-id").expect("a session id").to_owned();
    assert_eq!(started.json().await["result"]["protocolVersion"], "2025-11-25");

    // A stateless request meanwhile, even one carrying the session's id.
    let mut stateless = server.post(&[("Mcp-Session-Id", &session)], &modern(1, "test/result", json!({}))).await;
    assert_eq!((stateless.status, stateless.header("mcp-session-id")), (200, None));
    assert_eq!(stateless.json().await["result"]["text"], "a b");
    assert_eq!(server.next_seen().await.method, "test/result");

    let in_session = merge(LEGACY, &[("Mcp-Session-Id", &session), ("MCP-Protocol-Version", "2025-11-25")]);
    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let mut answer = server.send("POST", &in_session, ping.to_string().as_bytes()).await;
    assert_eq!((answer.status, answer.header("mcp-session-id")), (200, Some(session.as_str())));
    assert!(answer.text().await.contains(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#));
    let deleted = server.send("DELETE", &in_session, b"").await;
    assert_eq!(deleted.status, 200);
    assert!(server.seen.try_recv().is_err(), "session messages never reach the stateless side");
    server.stop().await;
}

#[tokio::test]
async fn a_session_post_is_answered_as_json_when_its_response_comes_first_and_as_sse_otherwise() {
    let server = TestServer::start(HttpConfig::default()).await;
    let session = start_session(&server, "2025-11-25").await;
    let headers = merge(LEGACY, &[("Mcp-Session-Id", &session)]);

    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let mut answer = server.send("POST", &headers, ping.to_string().as_bytes()).await;
    assert_eq!((answer.status, answer.header("content-type")), (200, Some("application/json")));
    assert_eq!(answer.header("mcp-session-id"), Some(session.as_str()));
    let body = answer.text().await;
    assert_eq!(body, r#"{"jsonrpc":"2.0","id":1,"result":{}}"#, "the response alone, no event framing");
    assert_eq!(answer.header("content-length"), Some(body.len().to_string().as_str()));

    // A log before the response: the stream as always, primed for a resume.
    let progress = json!({"jsonrpc": "2.0", "id": 2, "method": "test/progress"});
    let mut stream = server.send("POST", &headers, progress.to_string().as_bytes()).await;
    assert_eq!((stream.status, stream.header("content-type")), (200, Some("text/event-stream")));
    assert_eq!(stream.header("mcp-session-id"), Some(session.as_str()));
    let text = stream.text().await;
    let events: Vec<&str> = text.split_terminator("\n\n").collect();
    let [priming, log, response] = events.as_slice() else { panic!("three events expected: {text:?}") };
    assert!(priming.starts_with("id: ") && priming.contains("\nretry: "), "{priming:?}");
    assert!(log.starts_with("event: message\nid: ") && log.contains("notifications/message"), "{log:?}");
    assert!(
        response.starts_with("event: message\nid: ")
            && response.ends_with(r#"data: {"jsonrpc":"2.0","id":2,"result":{}}"#)
    );
    server.stop().await;
}

#[tokio::test]
async fn get_and_delete_in_the_stateless_era_get_405() {
    let server = TestServer::start(HttpConfig::default()).await;
    for method in ["GET", "DELETE"] {
        let headers = [("Accept", "text/event-stream"), ("MCP-Protocol-Version", "2026-07-28")];
        let reply = server.send(method, &headers, b"").await;
        assert_eq!((reply.status, reply.header("allow")), (405, Some("POST")), "{method}");
    }
    // Without the header they are the handshake era's, and need a session.
    let reply = server.send("GET", &[("Accept", "text/event-stream")], b"").await;
    assert_eq!(reply.status, 400);
    server.stop().await;
}

#[tokio::test]
async fn only_a_sessions_own_messages_get_the_legacy_400_for_an_unknown_version() {
    let mut server = TestServer::start(HttpConfig::default()).await;
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "c", "version": "0"}}});
    let mut started = server.send("POST", LEGACY, initialize.to_string().as_bytes()).await;
    let session = started.header("mcp-session-id").expect("a session id").to_owned();
    started.text().await;

    let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
    let bad = merge(LEGACY, &[("Mcp-Session-Id", &session), ("MCP-Protocol-Version", "1999-01-01")]);
    let mut refused = server.send("POST", &bad, ping.to_string().as_bytes()).await;
    assert_eq!(refused.status, 400);
    let body = refused.json().await;
    assert!(body["error"]["message"].as_str().unwrap().contains("unsupported protocol version"), "{body}");
    let get = merge(&[("Accept", "text/event-stream")], &bad[2..]);
    assert_eq!(server.send("GET", &get, b"").await.status, 400);

    // Without a session, the same message with a 2026-07-28 header (and no
    // _meta) is stateless: the owner answers it, not the legacy check.
    let mut stateless = server.post(&[], &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list"})).await;
    assert_eq!(stateless.status, 404, "the test owner knows no tools/list");
    assert_eq!(stateless.json().await["error"]["message"], "no such method");
    assert_eq!(server.next_seen().await.method, "tools/list");
    server.stop().await;
}

#[tokio::test]
async fn the_mcp_headers_reach_the_owner_as_sent() {
    let mut server = TestServer::start(HttpConfig::default()).await;
    let extra = [
        ("mcp-method", "  test/result "),
        ("MCP-NAME", "\ttool name"),
        ("Mcp-Param-Region", "=?base64?dXM=?="),
        ("Last-Event-ID", "1:1"),
    ];
    server.post(&extra, &modern(1, "test/result", json!({}))).await.text().await;
    let seen = server.next_seen().await;
    let expected = McpHeaders {
        protocol_version: Some("2026-07-28".into()),
        method: Some("test/result".into()),
        name: Some("tool name".into()),
        params: vec![("region".into(), "=?base64?dXM=?=".into())],
    };
    assert_eq!(seen.headers, expected);
    server.stop().await;
}

#[tokio::test]
async fn stateless_notifications_get_202_and_responses_batches_and_bad_json_400() {
    let server = TestServer::start(HttpConfig::default()).await;
    let notification = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}});
    let mut accepted = server.post(&[], &notification).await;
    assert_eq!(accepted.status, 202);
    assert_eq!(accepted.text().await, "");
    let cases = [
        (json!({"jsonrpc": "2.0", "id": 1, "result": {}}).to_string(), -32600, Value::Null),
        (json!([modern(1, "test/result", json!({}))]).to_string(), -32600, Value::Null),
        ("{not json".to_owned(), -32700, Value::Null),
        // Invalid, but with an id to name in the answer.
        (json!({"jsonrpc": "1.0", "id": 9, "method": "tools/list"}).to_string(), -32600, json!(9)),
    ];
    for (body, code, id) in cases {
        let mut refused = server.send("POST", MODERN, body.as_bytes()).await;
        assert_eq!(refused.status, 400, "{body}");
        let answer = refused.json().await;
        assert_eq!((&answer["error"]["code"], &answer["id"]), (&json!(code), &id), "{body}: {answer}");
    }
    server.stop().await;
}

#[tokio::test]
async fn stateless_requests_beyond_the_limit_get_503_until_one_ends() {
    let config = HttpConfig { max_stateless_requests: 1, ..HttpConfig::default() };
    let mut server = TestServer::start(config).await;
    let mut listen = server.post(&[], &modern(1, "test/listen", json!({}))).await;
    let listening = server.next_seen().await;
    listen.chunk().await.expect("the first event");

    let mut refused = server.post(&[], &modern(2, "test/result", json!({}))).await;
    assert_eq!((refused.status, refused.header("content-type")), (503, Some("application/json")));
    let body = refused.json().await;
    assert_eq!((&body["id"], &body["error"]["code"]), (&json!(2), &json!(-32000)), "{body}");

    drop(listen);
    within(listening.closed.cancelled()).await;
    let mut served = server.post(&[], &modern(3, "test/result", json!({}))).await;
    let status = served.status;
    assert_eq!(status, 200, "{}", served.text().await);
    server.stop().await;
}

#[tokio::test]
async fn a_foreign_host_is_refused_before_the_era_is_considered() {
    let server = TestServer::start(HttpConfig::default()).await;
    let headers = merge(MODERN, &[("Host", "evil.example.com")]);
    let body = modern(1, "test/result", json!({})).to_string();
    assert_eq!(server.send("POST", &headers, body.as_bytes()).await.status, 403);
    let headers = merge(MODERN, &[("Origin", "http://evil.example.com")]);
    assert_eq!(server.send("POST", &headers, body.as_bytes()).await.status, 403);
    let get = [("Host", "evil.example.com"), ("MCP-Protocol-Version", "2026-07-28")];
    assert_eq!(server.send("GET", &get, b"").await.status, 403);
    server.stop().await;
}

/// Start a session of `version`: its id.
async fn start_session(server: &TestServer, version: &str) -> String {
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": version, "capabilities": {}, "clientInfo": {"name": "c", "version": "0"}}});
    let mut started = server.send("POST", LEGACY, initialize.to_string().as_bytes()).await;
    let session = started.header("mcp-session-id").expect("a session id").to_owned();
    started.text().await;
    session
}

#[tokio::test]
async fn a_batch_without_a_version_header_shares_one_stream_that_ends_after_its_last_answer() {
    let server = TestServer::start(HttpConfig::default()).await;
    let session = start_session(&server, "2025-03-26").await;
    let headers = merge(LEGACY, &[("Mcp-Session-Id", &session)]);
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": "two", "method": "tools/list"},
    ]);
    let mut answer = server.send("POST", &headers, batch.to_string().as_bytes()).await;
    assert_eq!(answer.status, 200);
    let text = answer.text().await;
    assert!(text.contains(r#"{"jsonrpc":"2.0","id":1,"result":{}}"#), "{text}");
    assert!(text.contains(r#"{"jsonrpc":"2.0","id":"two","result":{}}"#), "{text}");

    let notifications = json!([{"jsonrpc": "2.0", "method": "notifications/initialized"}]);
    let accepted = server.send("POST", &headers, notifications.to_string().as_bytes()).await;
    assert_eq!(accepted.status, 202, "a batch with no request is accepted without a stream");
    let later = merge(&headers, &[("MCP-Protocol-Version", "2025-06-18")]);
    let refused = server.send("POST", &later, batch.to_string().as_bytes()).await;
    assert_eq!(refused.status, 400, "2025-06-18 removed batches");
    let twice = json!([{"jsonrpc": "2.0", "id": 5, "method": "ping"}, {"jsonrpc": "2.0", "id": 5, "method": "ping"}]);
    assert_eq!(server.send("POST", &headers, twice.to_string().as_bytes()).await.status, 409);
    server.stop().await;
}

#[tokio::test]
async fn a_cancelled_request_s_stream_ends_and_frees_its_place() {
    let config = HttpConfig { max_streams_per_session: 1, ..HttpConfig::default() };
    let server = TestServer::start(config).await;
    let session = start_session(&server, "2025-11-25").await;
    let headers = merge(LEGACY, &[("Mcp-Session-Id", &session)]);
    let hang = json!({"jsonrpc": "2.0", "id": 1, "method": "test/hang"});
    let mut hanging = server.send("POST", &headers, hang.to_string().as_bytes()).await;
    assert!(hanging.chunk().await.is_some_and(|priming| priming.starts_with(b"id: ")));
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}});
    assert_eq!(server.send("POST", &headers, cancel.to_string().as_bytes()).await.status, 202);
    assert_eq!(hanging.chunk().await, None, "the stream ended properly");
    let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"});
    let mut next = server.send("POST", &headers, ping.to_string().as_bytes()).await;
    assert_eq!(next.status, 200, "the cancelled stream no longer counts against the limit");
    assert!(next.text().await.contains(r#""id":2,"result":{}"#));
    server.stop().await;
}

#[tokio::test]
async fn a_slow_head_a_slow_body_and_an_idle_connection_are_each_closed_on_time() {
    let config = HttpConfig {
        header_read_timeout: Duration::from_millis(200),
        body_read_timeout: Duration::from_millis(200),
        idle_timeout: Duration::from_millis(400),
        ..HttpConfig::default()
    };
    let server = TestServer::start(config).await;
    let closed = async |mut stream: TcpStream| {
        let mut rest = Vec::new();
        within(stream.read_to_end(&mut rest)).await.expect("closed, not broken");
        String::from_utf8(rest).unwrap()
    };

    let started = tokio::time::Instant::now();
    let mut half_head = within(TcpStream::connect(server.addr)).await.unwrap();
    half_head.write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0").await.unwrap();
    assert_eq!(closed(half_head).await, "", "closed without an answer");
    assert!(started.elapsed() >= Duration::from_millis(200), "{:?}", started.elapsed());

    let mut half_body = within(TcpStream::connect(server.addr)).await.unwrap();
    let head = "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json, text/event-stream\r\n\
                Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{";
    half_body.write_all(head.as_bytes()).await.unwrap();
    let answer = closed(half_body).await;
    assert!(answer.starts_with("HTTP/1.1 408 ") && answer.contains("connection: close"), "{answer}");

    let mut idle = within(TcpStream::connect(server.addr)).await.unwrap();
    idle.write_all(b"GET /other HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").await.unwrap();
    let answered = tokio::time::Instant::now();
    let answer = closed(idle).await;
    assert!(answer.starts_with("HTTP/1.1 404 "), "answered, kept alive, then closed: {answer}");
    assert!(answered.elapsed() >= Duration::from_millis(400), "{:?}", answered.elapsed());

    let two_hosts = [("Host", "127.0.0.1"), ("Host", "127.0.0.1"), ("MCP-Protocol-Version", "2026-07-28")];
    assert_eq!(server.send("POST", &two_hosts, b"{}").await.status, 400);
    server.stop().await;
}

/// A request as an application's router hands it to a mounted service.
fn mounted(method: &str, path: &str, headers: &[(&str, &str)], body: &Value) -> http::Request<Full<Bytes>> {
    let mut request = http::Request::builder().method(method).uri(path).header("host", "127.0.0.1");
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let mut request = request.body(Full::new(Bytes::from(body.to_string()))).unwrap();
    request.extensions_mut().insert(Mark("set by middleware"));
    request
}

/// The whole body of a mounted service's answer.
async fn body_of(response: http::Response<ResponseBody>) -> String {
    let bytes = within(response.into_body().collect()).await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

/// The JSON-RPC message of an `application/json` answer.
async fn json_of(response: http::Response<ResponseBody>) -> Value {
    serde_json::from_str(&body_of(response).await).unwrap()
}

/// The JSON-RPC message of a session's SSE answer: its last `data:` line.
fn last_data(text: &str) -> Value {
    let data = text.lines().rev().find_map(|line| line.strip_prefix("data: ")).expect("an event with data");
    serde_json::from_str(data).unwrap()
}

#[tokio::test]
async fn a_mounted_service_answers_at_any_path_and_hands_handlers_the_head_middleware_saw() {
    use tower_service::Service as _;
    let (seen_tx, mut seen) = mpsc::unbounded_channel();
    let mut service = McpService::new(HttpConfig::default(), TestHandler { seen: seen_tx });

    let stateless = mounted("POST", "/api/mcp?tenant=7", MODERN, &modern(1, "test/result", json!({})));
    let response = within(service.call(stateless)).await.unwrap();
    assert_eq!(response.status(), 200);
    assert!(body_of(response).await.contains(r#""text":"a b""#));
    let request = within(seen.recv()).await.unwrap();
    assert_eq!(request.http.uri, "/api/mcp?tenant=7");
    assert_eq!(request.http.method, http::Method::POST);
    assert_eq!(request.http.extensions.get::<Mark>(), Some(&Mark("set by middleware")));
    assert_eq!(request.headers.protocol_version.as_deref(), Some("2026-07-28"), "parsed from the same head");

    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {}});
    let response = within(service.call(mounted("POST", "/api/mcp", LEGACY, &initialize))).await.unwrap();
    let session = response.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    assert_eq!(json_of(response).await["id"], 0);
    let call = json!({"jsonrpc": "2.0", "id": 1, "method": "test/head"});
    let in_session = merge(LEGACY, &[("Mcp-Session-Id", &session)]);
    let response = within(service.call(mounted("POST", "/api/mcp", &in_session, &call))).await.unwrap();
    assert_eq!(response.headers()["content-type"], "application/json");
    let answer = json_of(response).await;
    assert_eq!(answer["result"], json!({"path": "/api/mcp", "mark": "set by middleware", "subject": null}));
    service.shutdown();
}

#[tokio::test]
async fn shutting_a_mounted_service_down_ends_its_streams_and_refuses_what_comes_after() {
    use tower_service::Service as _;
    let (seen_tx, _seen) = mpsc::unbounded_channel();
    let mut service = McpService::new(HttpConfig::default(), TestHandler { seen: seen_tx });
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {}});
    let response = within(service.call(mounted("POST", "/mcp", LEGACY, &initialize))).await.unwrap();
    let session = response.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let in_session = merge(LEGACY, &[("Mcp-Session-Id", &session)]);
    let hang = json!({"jsonrpc": "2.0", "id": 1, "method": "test/hang"});
    let hanging = within(service.call(mounted("POST", "/mcp", &in_session, &hang))).await.unwrap();
    let mut body = hanging.into_body();
    let priming = within(body.frame()).await.expect("a frame").unwrap().into_data().unwrap();
    assert!(priming.starts_with(b"id: "), "the stream is open: {priming:?}");

    service.shutdown();
    let response = within(service.call(mounted("POST", "/mcp", MODERN, &modern(2, "test/result", json!({}))))).await;
    assert_eq!(response.unwrap().status(), 503);
    // The session winds down: what its owner sends meanwhile still reaches
    // the open stream, which then ends.
    let rest = String::from_utf8(within(body.collect()).await.unwrap().to_bytes().to_vec()).unwrap();
    assert_eq!(last_data(&rest)["error"]["message"], "stopped", "{rest}");
}

/// Holds every session it is given and never lets go: an owner that does
/// not wind down.
struct Stubborn(Mutex<Vec<SessionHandle>>);

impl Handler for Stubborn {
    fn session(&self, handle: SessionHandle) {
        let result =
            json!({"protocolVersion": "2025-11-25", "capabilities": {}, "serverInfo": {"name": "t", "version": "0"}});
        handle.sender.send_response(RequestId::Number(0), &result);
        self.0.lock().unwrap().push(handle);
    }

    fn request(&self, _request: StatelessRequest) {}
}

#[tokio::test(start_paused = true)]
async fn a_session_whose_owner_never_winds_down_ends_a_second_after_shutdown() {
    use tower_service::Service as _;
    let mut service = McpService::new(HttpConfig::default(), Stubborn(Mutex::default()));
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {}});
    let response = within(service.call(mounted("POST", "/mcp", LEGACY, &initialize))).await.unwrap();
    let session = response.headers()["mcp-session-id"].to_str().unwrap().to_owned();
    let in_session = merge(LEGACY, &[("Mcp-Session-Id", &session)]);
    let hang = json!({"jsonrpc": "2.0", "id": 1, "method": "test/hang"});
    let hanging = within(service.call(mounted("POST", "/mcp", &in_session, &hang))).await.unwrap();
    let mut body = hanging.into_body();
    within(body.frame()).await.expect("the priming event").unwrap();

    let shutdown = tokio::time::Instant::now();
    service.shutdown();
    assert!(within(body.frame()).await.is_none(), "the stream ends with its session");
    assert_eq!(shutdown.elapsed(), SHUTDOWN_DEADLINE, "the owner had a second to wind down, and no more");
}

/// Tokens as the tests' issuer knows them.
async fn validate(token: String) -> Result<Principal, TokenRejection> {
    match token.as_str() {
        "full" => Ok(Principal { subject: "ada".into(), scopes: vec!["mcp".into()], ..Principal::default() }),
        "narrow" => Ok(Principal { subject: "bob".into(), ..Principal::default() }),
        _ => Err(TokenRejection::InvalidToken("unknown token".into())),
    }
}

#[tokio::test]
async fn a_server_with_auth_challenges_serves_its_metadata_and_hands_on_the_principal() {
    let auth = AuthConfig {
        required_scopes: vec!["mcp".into()],
        ..AuthConfig::new("http://127.0.0.1/mcp", ["http://127.0.0.1/issuer"], validate).unwrap()
    };
    let mut server = TestServer::start(HttpConfig { auth: Some(auth), ..HttpConfig::default() }).await;
    let metadata_url = "http://127.0.0.1/.well-known/oauth-protected-resource/mcp";
    let call = modern(1, "test/result", json!({}));

    let refused = server.post(&[], &call).await;
    assert_eq!(refused.status, 401);
    let expected = format!(r#"Bearer scope="mcp", resource_metadata="{metadata_url}""#);
    assert_eq!(refused.header("www-authenticate"), Some(expected.as_str()));
    let refused = server.post(&[("Authorization", "Bearer stolen")], &call).await;
    assert_eq!(refused.status, 401);
    assert!(refused.header("www-authenticate").unwrap().starts_with(r#"Bearer error="invalid_token""#));
    let refused = server.post(&[("Authorization", "Bearer narrow")], &call).await;
    assert_eq!(refused.status, 403);
    assert!(
        refused.header("www-authenticate").unwrap().starts_with(r#"Bearer error="insufficient_scope", scope="mcp""#)
    );

    for path in ["/.well-known/oauth-protected-resource/mcp", "/.well-known/oauth-protected-resource"] {
        let mut metadata = Reply::send_to(server.addr, "GET", path, &[], b"").await;
        assert_eq!(metadata.status, 200, "{path}");
        let document = metadata.json().await;
        assert_eq!(document["resource"], "http://127.0.0.1/mcp");
        assert_eq!(document["authorization_servers"], json!(["http://127.0.0.1/issuer"]));
    }
    let other = Reply::send_to(server.addr, "GET", "/.well-known/oauth-protected-resource/other", &[], b"").await;
    assert_eq!(other.status, 404);

    let mut served = server.post(&[("Authorization", "Bearer full")], &call).await;
    assert_eq!(served.status, 200);
    assert!(served.text().await.contains(r#""text":"a b""#));
    let seen = server.next_seen().await;
    assert_eq!(seen.http.extensions.get::<Principal>().map(|p| p.subject.as_str()), Some("ada"));
    server.stop().await;
}

#[tokio::test]
async fn without_auth_there_is_no_metadata_and_no_challenge() {
    let server = TestServer::start(HttpConfig::default()).await;
    let metadata = Reply::send_to(server.addr, "GET", "/.well-known/oauth-protected-resource/mcp", &[], b"").await;
    assert_eq!(metadata.status, 404);
    let mut served = server.post(&[], &modern(1, "test/result", json!({}))).await;
    assert_eq!(served.status, 200);
    assert_eq!(served.header("www-authenticate"), None);
    served.text().await;
    server.stop().await;
}
