//! `HttpServer`: one running `mcpwire --http 127.0.0.1:0`, and a small
//! HTTP/1.1 client over `std::net::TcpStream` that speaks Streamable HTTP to
//! it with exact control over every header, reads SSE bodies event by event,
//! and can drop a connection mid-stream. The framing is `http1` and `sse`,
//! which the benchmark's load generator uses too; this is the I/O around it.
//!
//! A raw client rather than an HTTP library: the tests need to send headers no
//! well-behaved client would (a foreign `Host`, a bad `Accept`), to see each
//! SSE event as it arrives, and to hang up on purpose. Every read waits until a
//! deadline, never longer, so a hung server fails the test instead of hanging it.
//!
//! Every JSON-RPC message the server sends in an SSE event is checked, as it
//! is read, against the official schema of the era of the request it answers
//! (a session's, or 2026-07-28 for a stateless request), and so is a
//! stateless request's JSON answer, which [`HttpResponse::message`] reads. The
//! JSON bodies a session's refused requests (4xx) get are not MCP messages,
//! so they are left to the tests. A thread drains the server's stderr from
//! the start, so the server never blocks on a full pipe, and every failure
//! quotes it.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::process::{ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Sender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::child::ServerChild;
use crate::era::{Era, Expected};
use crate::http1::{self, BodyReader, ResponseHead};
use crate::process::quote;
use crate::process::{DEFAULT_TIMEOUT, LATEST_VERSION, SUPPORTED_VERSIONS, initialize_params, request};
use crate::schema::STATELESS_VERSION;
use crate::schema::Schemas;
use crate::sse::{self, SseBlock};

/// What a client must accept on every POST: either kind of answer.
pub const ACCEPT_BOTH: &str = "application/json, text/event-stream";

/// The `Accept` and `Content-Type` of a well-behaved POST.
pub const POST_HEADERS: [(&str, &str); 2] = [("Accept", ACCEPT_BOTH), ("Content-Type", "application/json")];

/// The methods whose target a 2026-07-28 client names in `Mcp-Name`, and
/// the member of params that holds it.
const NAMED_TARGETS: [(&str, &str); 6] = [
    ("tools/call", "name"),
    ("prompts/get", "name"),
    ("resources/read", "uri"),
    // The tasks extension names the task, so a load balancer can route to it.
    ("tasks/get", "taskId"),
    ("tasks/update", "taskId"),
    ("tasks/cancel", "taskId"),
];

/// How much of a response body a failure message quotes.
const QUOTE_LIMIT: usize = 4_000;

/// How long a failure waits for the rest of a refused request's body, so the
/// message can quote it; short, because the test has already failed.
const QUOTE_WAIT: Duration = Duration::from_secs(1);

/// Everything the server wrote to stderr so far, shared by every client of
/// the server so that any failure can quote it.
#[derive(Debug, Default)]
struct ServerLog {
    /// Appended to line by line by the stderr thread.
    text: Mutex<String>,
}

impl ServerLog {
    fn text(&self) -> String {
        self.text.lock().expect("stderr lock").clone()
    }
}

/// How to start the server, beyond `--http 127.0.0.1:0`.
#[derive(Debug, Clone, Default)]
pub struct HttpServerOptions {
    /// More command-line arguments: limits and timeouts (`--header-timeout 1s`).
    pub args: Vec<String>,
    /// The server's limit on open file descriptors (`ulimit -n`), to run it
    /// out of them on purpose; `None` inherits the test's.
    pub max_open_files: Option<u32>,
}

/// A running `mcpwire --http 127.0.0.1:0`.
///
/// Dropping it kills the server if it is still running.
#[derive(Debug)]
pub struct HttpServer {
    process: ServerChild,
    /// A client of this server; [`client`](Self::client) hands out clones.
    client: HttpClient,
    stderr_thread: Option<JoinHandle<()>>,
}

impl HttpServer {
    /// Start the binary (building it first if needed) on a free loopback
    /// port, and wait until it has logged the address it serves.
    ///
    /// # Panics
    /// When the binary cannot be started, or does not log its address within
    /// [`DEFAULT_TIMEOUT`].
    pub fn spawn() -> Self {
        Self::spawn_with(&HttpServerOptions::default())
    }

    /// [`spawn`](Self::spawn) with more arguments, or fewer file descriptors.
    ///
    /// # Panics
    /// As [`spawn`](Self::spawn).
    pub fn spawn_with(options: &HttpServerOptions) -> Self {
        let mut args = vec!["--http", "127.0.0.1:0"];
        args.extend(options.args.iter().map(String::as_str));
        Self::start(crate::mcpwire_binary(), &args, options.max_open_files)
    }

    /// Start another program serving Streamable HTTP (an example server)
    /// with `args`, and wait until it has logged `http://ADDRESS/mcp`.
    ///
    /// # Panics
    /// As [`spawn`](Self::spawn).
    pub fn spawn_program(binary: &std::path::Path, args: &[&str]) -> Self {
        Self::start(binary, args, None)
    }

    fn start(binary: &std::path::Path, args: &[&str], max_open_files: Option<u32>) -> Self {
        // Load the schemas here, on the test's thread: under CI a missing
        // schema must fail this test.
        let schemas = Schemas::load();
        let mut command = match max_open_files {
            // The shell lowers its own limit, then becomes the server: the
            // same process, so `pid` and signals still reach the server.
            Some(limit) => {
                let mut shell = Command::new("sh");
                shell.arg("-c").arg(format!("ulimit -n {limit} && exec \"$0\" \"$@\"")).arg(binary);
                shell
            }
            None => Command::new(binary),
        };
        let mut child = command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", binary.display()));
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(ServerLog::default());
        let (address_tx, address_rx) = mpsc::channel();
        let (closed_tx, stderr_closed) = mpsc::channel();
        let stderr_thread = {
            let log = Arc::clone(&log);
            std::thread::Builder::new()
                .name("mcpwire-http-stderr".into())
                .spawn(move || collect_stderr(stderr, &log, &address_tx, &closed_tx))
                .expect("spawn the stderr reader")
        };
        let address = match address_rx.recv_timeout(DEFAULT_TIMEOUT) {
            Ok(address) => address,
            Err(error) => {
                let _ = child.kill();
                let _ = child.wait();
                let _ = stderr_thread.join();
                panic!(
                    "mcpwire --http did not log the address it serves ({error})\n--- the server's stderr:\n{}",
                    log.text()
                );
            }
        };
        Self {
            process: ServerChild::new(child, stderr_closed),
            client: HttpClient { address, log, schemas },
            stderr_thread: Some(stderr_thread),
        }
    }

    /// A client of this server; clones are cheap and may go to other threads.
    pub fn client(&self) -> HttpClient {
        self.client.clone()
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.client.log.text()
    }

    /// The server's process id, to read its memory and CPU time from `/proc`.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Send a signal (`TERM`, `INT`, ...) to the server with kill(1).
    ///
    /// The process has not been waited for yet, so its id cannot have been
    /// reused by another process: this can only reach our server.
    pub fn signal(&mut self, signal: &str) {
        self.process.signal(signal);
    }

    /// Wait for the server to exit: its exit status, and how long the wait took.
    ///
    /// # Panics
    /// When it is still running after `timeout`.
    pub fn wait_exit(&mut self, timeout: Duration) -> (ExitStatus, Duration) {
        self.process.wait_exit(timeout).unwrap_or_else(|| {
            panic!("the server did not exit within {timeout:?}\n--- the server's stderr:\n{}", self.stderr())
        })
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        self.process.kill_if_running();
        if let Some(thread) = self.stderr_thread.take() {
            let _ = thread.join();
        }
    }
}

/// Collect stderr line by line; report the address from the line that
/// announces it, and report end of file.
fn collect_stderr(stderr: ChildStderr, log: &ServerLog, address: &Sender<SocketAddr>, closed: &Sender<()>) {
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
        let text = String::from_utf8_lossy(&line);
        if let Some(found) = http1::logged_endpoint(&text) {
            let _ = address.send(found);
        }
        log.text.lock().expect("stderr lock").push_str(&text);
        line.clear();
    }
    let _ = closed.send(());
}

/// Sends HTTP requests to one server; cheap to clone, and `Send`, so each
/// thread of a concurrency test can have its own.
#[derive(Debug, Clone)]
pub struct HttpClient {
    /// Where the server listens: every request opens a new connection here.
    address: SocketAddr,
    /// The server's stderr, quoted by every failure.
    log: Arc<ServerLog>,
    /// Either is `None` when its schema is missing (outside CI), so only
    /// JSON-ness is checked in that era.
    schemas: Schemas,
}

impl HttpClient {
    /// The server's address.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// A `Host` (or `Origin` authority) that names the server: `127.0.0.1:PORT`.
    pub fn authority(&self) -> String {
        self.address.to_string()
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.log.text()
    }

    /// Fail the test with `what` and the server's stderr.
    #[track_caller]
    pub fn fail(&self, what: &str) -> ! {
        panic!("{what}\n--- the server's stderr:\n{}", self.stderr())
    }

    /// Send one request to `/mcp` on a new connection and read the response
    /// head. `headers` are sent as given; `Host` (the server's address) and
    /// `Content-Length` are added unless `headers` has them.
    ///
    /// What the answer carries is checked in the era of the request (see
    /// [`expected_answer`]), and its result against the type the request's
    /// method returns; for other streams say what with
    /// [`send_expecting`](Self::send_expecting).
    ///
    /// # Panics
    /// When the connection fails or no response head arrives in time.
    pub fn send(&self, method: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
        self.send_expecting(method, headers, body, expected_answer(headers, body))
    }

    /// [`send`](Self::send), checking what the answer carries as `expected`
    /// says: for a GET that resumes a request's stream. An answer of the
    /// stateless era must not carry an `Mcp-Session-Id`: that era has no
    /// sessions, and a server must never mint one for it.
    ///
    /// # Panics
    /// When the connection fails or no response head arrives in time.
    pub fn send_expecting(
        &self,
        method: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        expected: Expected,
    ) -> HttpResponse {
        self.exchange(method, "/mcp", headers, body, expected)
    }

    /// [`send`](Self::send) to another path of the server, `target` (a
    /// path and query): the protected resource metadata, an application's
    /// own route beside the endpoint.
    ///
    /// # Panics
    /// When the connection fails or no response head arrives in time.
    pub fn send_to(&self, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
        self.exchange(method, target, headers, body, expected_answer(headers, body))
    }

    fn exchange(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: &[u8],
        expected: Expected,
    ) -> HttpResponse {
        let deadline = Instant::now() + DEFAULT_TIMEOUT;
        let stream = TcpStream::connect_timeout(&self.address, DEFAULT_TIMEOUT)
            .unwrap_or_else(|e| self.fail(&format!("could not connect to {}: {e}", self.address)));
        // Small requests must not wait for Nagle's algorithm.
        stream.set_nodelay(true).expect("set TCP_NODELAY");
        let authority = self.authority();
        let mut all_headers = Vec::with_capacity(headers.len() + 1);
        if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
            all_headers.push(("Host", authority.as_str()));
        }
        all_headers.extend_from_slice(headers);
        let mut bytes = Vec::new();
        http1::write_request(&mut bytes, method, target, &all_headers, body);
        let mut connection = Connection { stream, deadline };
        // A server may answer before it has read the whole body (413) and then
        // close the connection, which fails the rest of the write; the answer
        // is what the test is after, so a failed write is only reported if no
        // answer can be read either.
        let written = connection.write_all_by_deadline(&bytes).and_then(|()| connection.stream.flush());
        let mut reader = BufReader::new(connection);
        let head = match ResponseHead::read(&mut reader) {
            Ok(head) => head,
            Err(error) => {
                let write =
                    written.err().map(|e| format!(" (writing the request failed too: {e})")).unwrap_or_default();
                self.fail(&format!("no HTTP response head to {method} arrived: {error}{write}"))
            }
        };
        let framing = match head.framing(method) {
            Ok(framing) => framing,
            Err(error) => self.fail(&format!("a response to {method} has bad framing: {error}\n{head:?}")),
        };
        if expected.era == Era::Stateless && head.header("mcp-session-id").is_some() {
            self.fail(&format!("a stateless request was answered with an Mcp-Session-Id\n{head:?}"));
        }
        HttpResponse {
            status: head.status(),
            head,
            reader,
            body: BodyReader::new(framing),
            decoded: Vec::new(),
            transcript: String::new(),
            expected,
            client: self.clone(),
        }
    }

    /// POST one JSON-RPC message with well-behaved headers plus `extra`
    /// (which replace a default of the same name).
    pub fn post(&self, extra: &[(&str, &str)], message: &Value) -> HttpResponse {
        let headers = merge_headers(&POST_HEADERS, extra);
        self.send("POST", &headers, message.to_string().as_bytes())
    }

    /// POST a 2026-07-28 request with the headers such a client sends
    /// ([`stateless_headers`]) plus `extra` (which replace those of the same
    /// name).
    pub fn post_stateless(&self, extra: &[(&str, &str)], message: &Value) -> HttpResponse {
        let stateless = stateless_headers(message);
        let stateless: Vec<(&str, &str)> = stateless.iter().map(|(name, value)| (*name, value.as_str())).collect();
        self.post(&merge_headers(&stateless, extra), message)
    }

    /// `initialize` at [`LATEST_VERSION`] with these client capabilities,
    /// then `notifications/initialized`: a session ready for requests.
    ///
    /// # Panics
    /// When either step is not answered as Streamable HTTP requires.
    pub fn initialize(&self, capabilities: Value) -> HttpSession {
        let session = self.start_session(capabilities);
        let notification = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        session.post(&[], &notification).expect_status(202);
        session
    }

    /// Only the `initialize` request, leaving `notifications/initialized` to
    /// the test.
    ///
    /// # Panics
    /// When it is not answered with a result carrying a session id.
    pub fn start_session(&self, capabilities: Value) -> HttpSession {
        self.start_session_at(LATEST_VERSION, capabilities)
    }

    /// `initialize` at `version` with these client capabilities, then
    /// `notifications/initialized`. A session of 2025-03-26, which predates
    /// the `MCP-Protocol-Version` header, sends none; later ones send theirs.
    ///
    /// # Panics
    /// When either step is not answered as Streamable HTTP requires.
    pub fn initialize_at(&self, version: &'static str, capabilities: Value) -> HttpSession {
        let session = self.start_session_at(version, capabilities);
        let notification = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
        session.post(&[], &notification).expect_status(202);
        session
    }

    fn start_session_at(&self, version: &'static str, capabilities: Value) -> HttpSession {
        let initialize = request(json!(0), "initialize", initialize_params(version, capabilities));
        let response = self.post(&[], &initialize).expect_status(200);
        let Some(id) = response.header("mcp-session-id").map(str::to_owned) else {
            response.fail("the answer to initialize has no Mcp-Session-Id")
        };
        let (_, answer) = response.expect_answer(&json!(0));
        if answer["result"]["protocolVersion"] != version {
            self.fail(&format!("initialize at {version} failed: {answer}"));
        }
        let header = (version != "2025-03-26").then_some(version);
        HttpSession { client: self.clone(), id, next_id: 1, protocol_version: header }
    }

    /// A handle on a session this test initialized by hand, at [`LATEST_VERSION`].
    pub fn session(&self, id: String) -> HttpSession {
        HttpSession { client: self.clone(), id, next_id: 1, protocol_version: Some(LATEST_VERSION) }
    }
}

/// The headers a 2026-07-28 client sends with `message` (besides `Accept`
/// and `Content-Type`): `MCP-Protocol-Version`, `Mcp-Method`, and for
/// `tools/call`, `prompts/get` and `resources/read` `Mcp-Name`, naming what
/// the request acts on.
pub fn stateless_headers(message: &Value) -> Vec<(&'static str, String)> {
    let method = message["method"].as_str().unwrap_or_default();
    let mut headers = vec![("MCP-Protocol-Version", STATELESS_VERSION.to_owned()), ("Mcp-Method", method.to_owned())];
    let target = NAMED_TARGETS.iter().find(|(named, _)| *named == method).map(|(_, member)| &message["params"][member]);
    if let Some(Value::String(target)) = target {
        headers.push(("Mcp-Name", target.clone()));
    }
    headers
}

/// What an answer to `body`, sent with `headers`, is checked as: its era is
/// the request's, as the endpoint tells it. A request whose `_meta` names a
/// protocol version is stateless; so is one without, whose
/// `MCP-Protocol-Version` header is present and names no revision of the
/// session era, unless it names a session (the 2026-07-28 transport's era
/// detection, which the endpoint follows).
pub fn expected_answer(headers: &[(&str, &str)], body: &[u8]) -> Expected {
    let Ok(message) = serde_json::from_slice::<Value>(body) else {
        return Expected { era: Era::Session, answers: None };
    };
    let mut expected = Expected::answer_to(&message);
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, value)| value.trim());
    let modern_header = header("MCP-Protocol-Version").is_some_and(|version| !SUPPORTED_VERSIONS.contains(&version));
    if modern_header && header("Mcp-Session-Id").is_none() {
        expected.era = Era::Stateless;
    }
    expected
}

/// `defaults` with each header of `extra` replacing the default of the same
/// name (case-insensitively), or added.
fn merge_headers<'a>(defaults: &[(&'a str, &'a str)], extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut headers: Vec<(&str, &str)> =
        defaults.iter().filter(|(name, _)| !extra.iter().any(|(e, _)| e.eq_ignore_ascii_case(name))).copied().collect();
    headers.extend_from_slice(extra);
    headers
}

/// One MCP session over Streamable HTTP, from the client's side: every
/// request carries its `Mcp-Session-Id` and the negotiated
/// `MCP-Protocol-Version`, as the transport requires after `initialize`.
#[derive(Debug)]
pub struct HttpSession {
    /// Sends this session's requests.
    client: HttpClient,
    /// The `Mcp-Session-Id` the server assigned.
    pub id: String,
    /// The next request id; MCP forbids reusing one within a session.
    next_id: i64,
    /// The `MCP-Protocol-Version` every request carries: the negotiated
    /// revision, or none for 2025-03-26, which predates the header.
    protocol_version: Option<&'static str>,
}

impl HttpSession {
    /// The client this session talks through.
    pub fn client(&self) -> &HttpClient {
        &self.client
    }

    /// A fresh request id: 1, 2, 3...
    pub fn next_id(&mut self) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        json!(id)
    }

    /// The headers every request of this session carries, for a method:
    /// POST also says what it accepts and what it sends.
    fn headers<'a>(&'a self, method: &str, extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
        let mut defaults = vec![("Mcp-Session-Id", self.id.as_str())];
        defaults.extend(self.protocol_version.map(|version| ("MCP-Protocol-Version", version)));
        match method {
            "POST" => defaults.extend_from_slice(&POST_HEADERS),
            "GET" => defaults.push(("Accept", "text/event-stream")),
            _ => {}
        }
        merge_headers(&defaults, extra)
    }

    /// POST one message in this session, with `extra` headers replacing the
    /// session's defaults of the same name.
    pub fn post(&self, extra: &[(&str, &str)], message: &Value) -> HttpResponse {
        self.client.send("POST", &self.headers("POST", extra), message.to_string().as_bytes())
    }

    /// POST this exact body in this session: for bodies built byte by byte.
    pub fn post_bytes(&self, body: &[u8]) -> HttpResponse {
        self.client.send("POST", &self.headers("POST", &[]), body)
    }

    /// POST a request with a fresh id; returns the id and the open answer.
    pub fn request(&mut self, method: &str, params: Value) -> (Value, HttpResponse) {
        let id = self.next_id();
        let response = self.post(&[], &request(id.clone(), method, params));
        (id, response)
    }

    /// POST a request and read its answer (JSON, or SSE to the end): the
    /// response (result or error).
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let (id, response) = self.request(method, params);
        response.expect_status(200).expect_answer(&id).1
    }

    /// Check the session still answers: a `ping` must get `{}`.
    pub fn assert_serving(&mut self) {
        let response = self.call("ping", Value::Null);
        if response.get("result") != Some(&json!({})) {
            self.client.fail(&format!("`ping` should be answered with an empty result, got {response}"));
        }
    }

    /// A GET in this session, with `extra` headers replacing the defaults:
    /// the standalone stream, or with `Last-Event-ID` a resumed one.
    pub fn get(&self, extra: &[(&str, &str)]) -> HttpResponse {
        self.client.send("GET", &self.headers("GET", extra), b"")
    }

    /// Resume a stream after `last_event_id` with GET, checking any result on
    /// it as the answer to a `method` request.
    pub fn resume(&self, last_event_id: &str, method: &str) -> HttpResponse {
        let headers = self.headers("GET", &[("Last-Event-ID", last_event_id)]);
        let expected = Expected { era: Era::Session, answers: Some(method.to_owned()) };
        self.client.send_expecting("GET", &headers, b"", expected)
    }

    /// Any other method in this session (DELETE, PUT...), without a body.
    pub fn send(&self, method: &str, extra: &[(&str, &str)]) -> HttpResponse {
        self.client.send(method, &self.headers(method, extra), b"")
    }
}

/// One SSE event as it arrived: the fields of one block of lines.
///
/// A block with only a `retry:` field (which a server sends before it closes a
/// connection) is returned too, though an SSE client dispatches no event for it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SseEvent {
    /// The `id:` field.
    pub id: Option<String>,
    /// The `event:` field (the event type).
    pub event: Option<String>,
    /// The `data:` lines, joined with newlines; `Some("")` for an empty `data:`.
    pub data: Option<String>,
    /// The `retry:` field, in milliseconds.
    pub retry: Option<u64>,
    /// The JSON-RPC message in `data`, already checked against the schema.
    pub message: Option<Value>,
}

impl SseEvent {
    /// Whether this is a priming event: an id, a retry, and an empty `data:`.
    pub fn is_priming(&self) -> bool {
        self.id.as_deref().is_some_and(|id| !id.is_empty()) && self.retry.is_some() && self.data.as_deref() == Some("")
    }

    /// Whether this event carries the response (result or error) to `id`.
    pub fn answers(&self, id: &Value) -> bool {
        self.message.as_ref().is_some_and(|m| m.get("method").is_none() && m.get("id") == Some(id))
    }
}

/// One block of an SSE stream, as the client reads them.
enum Block {
    /// Fields: an event (a message, or a priming event).
    Event(SseEvent),
    /// Comments only, such as a keep-alive.
    Comment,
    /// Nothing but blank lines.
    Blank,
}

/// A response: its status and headers, and a body read on demand, as a whole
/// or SSE event by SSE event.
///
/// Dropping it closes the connection, even in the middle of a stream.
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The status line and headers.
    head: ResponseHead,
    /// The connection, positioned after the head.
    reader: BufReader<Connection>,
    /// Where the body is in its framing.
    body: BodyReader,
    /// Body bytes decoded from the framing but not consumed yet.
    decoded: Vec<u8>,
    /// The body read so far, for failure messages.
    transcript: String,
    /// What the messages this response carries are checked as.
    expected: Expected,
    /// For the validator, and the server's stderr in failure messages.
    client: HttpClient,
}

impl std::fmt::Debug for HttpResponse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpResponse")
            .field("head", &self.head)
            .field("ended", &self.body.is_ended())
            .finish_non_exhaustive()
    }
}

impl HttpResponse {
    /// The value of a header (the first one, if repeated), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.header(name)
    }

    /// Whether the connection closed in the middle of a chunked body instead
    /// of ending it with the last chunk. Only meaningful once the body ended.
    pub fn was_cut_off(&self) -> bool {
        self.body.was_cut_off()
    }

    /// Fail the test with `what`, this response, and the server's stderr.
    #[track_caller]
    pub fn fail(&self, what: &str) -> ! {
        self.client.fail(&format!(
            "{what}\n--- the response: {:?}\n--- its body so far:\n{}",
            self.head,
            quote(&self.transcript, QUOTE_LIMIT)
        ))
    }

    /// Fail unless the status is `expected`; returns the response to go on.
    #[track_caller]
    pub fn expect_status(mut self, expected: u16) -> Self {
        if self.status != expected {
            // Quote what the body says about why, if it says it soon.
            self.reader.get_mut().deadline = Instant::now() + QUOTE_WAIT;
            while !self.body.is_ended() && self.fill().is_ok() {}
            self.fail(&format!("expected status {expected}, got {}", self.status));
        }
        self
    }

    /// The whole body, waiting at most [`DEFAULT_TIMEOUT`] for its end.
    pub fn body(mut self) -> Vec<u8> {
        self.reader.get_mut().deadline = Instant::now() + DEFAULT_TIMEOUT;
        while !self.body.is_ended() {
            if let Err(error) = self.fill() {
                self.fail(&format!("reading the body failed: {error}"));
            }
        }
        std::mem::take(&mut self.decoded)
    }

    /// The whole body as one JSON-RPC message, checked against the schema
    /// of the era of the request it answers: a stateless request's
    /// `application/json` answer, result or error, whatever the status.
    ///
    /// # Panics
    /// When the body is not JSON or breaks the schema.
    pub fn message(self) -> Value {
        let expected = self.expected.clone();
        let client = self.client.clone();
        let message = self.json();
        if let Err(errors) = client.schemas.check(&message, &expected) {
            client.fail(&format!(
                "the server sent a message that breaks the MCP {} schema:\n{}\n{errors}",
                expected.era.schema_version(),
                quote(&message.to_string(), QUOTE_LIMIT)
            ));
        }
        message
    }

    /// The whole body as JSON: what a refusal says.
    pub fn json(self) -> Value {
        let client = self.client.clone();
        let body = self.body();
        serde_json::from_slice(&body).unwrap_or_else(|e| {
            client.fail(&format!("the body is not JSON ({e}): {}", quote(&String::from_utf8_lossy(&body), QUOTE_LIMIT)))
        })
    }

    /// The next SSE event, waiting at most [`DEFAULT_TIMEOUT`]; `None` once
    /// the body has ended. A message event's JSON is checked against the schema.
    ///
    /// # Panics
    /// On a timeout, a broken connection, or a message that is not valid MCP.
    pub fn next_event(&mut self) -> Option<SseEvent> {
        self.next_event_within(DEFAULT_TIMEOUT)
    }

    /// [`next_event`](Self::next_event), waiting at most `timeout`.
    ///
    /// # Panics
    /// On a timeout, a broken connection, or a message that is not valid MCP.
    pub fn next_event_within(&mut self, timeout: Duration) -> Option<SseEvent> {
        self.reader.get_mut().deadline = Instant::now() + timeout;
        loop {
            match self.next_block()? {
                Block::Event(mut event) => {
                    self.check_message(&mut event);
                    return Some(event);
                }
                Block::Comment | Block::Blank => {}
            }
        }
    }

    /// Wait at most `timeout` for the next block, which must be comments
    /// only (a keep-alive), not an event.
    ///
    /// # Panics
    /// On a timeout, a broken connection, an event, or the end of the body.
    pub fn expect_keep_alive_within(&mut self, timeout: Duration) {
        self.reader.get_mut().deadline = Instant::now() + timeout;
        loop {
            match self.next_block() {
                Some(Block::Comment) => return,
                Some(Block::Blank) => {}
                Some(Block::Event(_)) => self.fail("expected a keep-alive comment, got an event"),
                None => self.fail("the stream ended before a keep-alive"),
            }
        }
    }

    /// The next whole block of the stream, reading more as needed until the
    /// deadline the caller set; `None` once the body has ended (a block cut
    /// off by the end is not one).
    fn next_block(&mut self) -> Option<Block> {
        loop {
            let text =
                utf8_prefix(&self.decoded).unwrap_or_else(|e| self.fail(&format!("the SSE stream is not UTF-8: {e}")));
            if let Some((block, rest)) = sse::split_block(text) {
                let used = text.len() - rest.len();
                let parsed = match (block.fields, block.comments) {
                    (0, 0) => Block::Blank,
                    (0, _) => Block::Comment,
                    _ => Block::Event(self.event_of(&block)),
                };
                self.decoded.drain(..used);
                return Some(parsed);
            }
            if self.body.is_ended() {
                return None;
            }
            if let Err(error) = self.fill() {
                self.fail(&format!("reading the SSE stream failed: {error}"));
            }
        }
    }

    /// Every event until the body ends.
    pub fn events_until_end(&mut self) -> Vec<SseEvent> {
        std::iter::from_fn(|| self.next_event()).collect()
    }

    /// Every event until the body ends, which must be within `timeout`.
    ///
    /// # Panics
    /// When the body has not ended by then.
    pub fn events_until_end_within(&mut self, timeout: Duration) -> Vec<SseEvent> {
        let deadline = Instant::now() + timeout;
        std::iter::from_fn(|| self.next_event_within(deadline.saturating_duration_since(Instant::now()))).collect()
    }

    /// Check this is an SSE stream and read its first event, which must be a
    /// priming event; returns it.
    pub fn expect_first_priming(&mut self) -> SseEvent {
        if !self.header("content-type").is_some_and(|t| t.starts_with("text/event-stream")) {
            self.fail("expected an SSE stream");
        }
        match self.next_event() {
            Some(first) if first.is_priming() => first,
            first => self.fail(&format!("the stream should open with a priming event, got {first:?}")),
        }
    }

    /// Read a session's answer to the request `id`, in either framing the
    /// transport allows: `application/json`, the response alone (what the
    /// server sends when the response is the first message for the
    /// request), or an SSE stream as [`expect_sse_answer`](Self::expect_sse_answer)
    /// reads it. Returns every event before the response (none for JSON),
    /// and the response.
    pub fn expect_answer(self, id: &Value) -> (Vec<SseEvent>, Value) {
        if !self.header("content-type").is_some_and(|t| t.starts_with("application/json")) {
            return self.expect_sse_answer(id);
        }
        let client = self.client.clone();
        let message = self.message();
        if message.get("id") != Some(id) {
            client.fail(&format!("a JSON answer that is not the response to {id}: {message}"));
        }
        (Vec::new(), message)
    }

    /// Read an SSE answer to the request `id` to its end: it must start with
    /// a priming event, carry exactly one response to `id`, and then end.
    /// Returns every event before the response, and the response.
    pub fn expect_sse_answer(mut self, id: &Value) -> (Vec<SseEvent>, Value) {
        self.expect_first_priming();
        self.expect_answer_on_stream(id, |_| true)
    }

    /// Read a stateless request's SSE answer to the end: a request-scoped
    /// stream that nothing can resume, so each event is a message without an
    /// id (no priming event opens it); it must carry exactly one response to
    /// `id`, and then end. Returns every event before the response, and the
    /// response.
    pub fn expect_stateless_sse_answer(mut self, id: &Value) -> (Vec<SseEvent>, Value) {
        if !self.header("content-type").is_some_and(|t| t.starts_with("text/event-stream")) {
            self.fail("expected an SSE stream");
        }
        let stateless = |event: &SseEvent| event.id.is_none() && event.message.is_some();
        self.expect_answer_on_stream(id, stateless)
    }

    /// The rest of an SSE answer to `id`: the events before the response, and
    /// the response, after which the stream must end. Every event must be
    /// `allowed`.
    fn expect_answer_on_stream(&mut self, id: &Value, allowed: impl Fn(&SseEvent) -> bool) -> (Vec<SseEvent>, Value) {
        let mut before = Vec::new();
        let mut response = None;
        while let Some(event) = self.next_event() {
            if !allowed(&event) {
                self.fail(&format!("an event this stream must not carry: {event:?}"));
            }
            match (&response, event.answers(id)) {
                (None, true) => response = event.message,
                (Some(_), _) => self.fail(&format!("the stream went on after the response: {event:?}")),
                (None, false) => before.push(event),
            }
        }
        match response {
            Some(response) => (before, response),
            None => self.fail(&format!("the stream ended without a response to {id}")),
        }
    }

    /// Close the connection now, whatever is still to come: a client that
    /// hangs up (or loses its network) mid-stream.
    pub fn disconnect(self) {
        let _ = self.reader.get_ref().stream.shutdown(Shutdown::Both);
    }

    /// The event a block of fields makes, failing on fields MCP never sends.
    fn event_of(&self, block: &SseBlock<'_>) -> SseEvent {
        if let Some(line) = block.unknown {
            self.fail(&format!("an SSE field MCP does not use: {line:?}"));
        }
        let retry = block.retry.map(|retry| {
            retry.parse().unwrap_or_else(|_| self.fail(&format!("a `retry:` field that is not a number: {retry:?}")))
        });
        SseEvent {
            id: block.id.map(str::to_owned),
            event: block.event.map(str::to_owned),
            data: block.data.as_deref().map(str::to_owned),
            retry,
            message: None,
        }
    }

    /// Parse and check the JSON-RPC message of an event with data.
    fn check_message(&self, event: &mut SseEvent) {
        let Some(data) = event.data.as_deref().filter(|d| !d.is_empty()) else { return };
        let message: Value = serde_json::from_str(data).unwrap_or_else(|e| {
            self.fail(&format!("an SSE event's data is not JSON ({e}): {}", quote(data, QUOTE_LIMIT)))
        });
        if let Err(errors) = self.client.schemas.check(&message, &self.expected) {
            self.fail(&format!(
                "the server sent a message that breaks the MCP {} schema:\n{}\n{errors}",
                self.expected.era.schema_version(),
                quote(data, QUOTE_LIMIT)
            ));
        }
        event.message = Some(message);
    }

    /// Decode the next piece of the body into `decoded`, or mark its end.
    fn fill(&mut self) -> io::Result<()> {
        let start = self.decoded.len();
        self.body.read_some(&mut self.reader, &mut self.decoded)?;
        if self.transcript.len() < QUOTE_LIMIT {
            self.transcript.push_str(&String::from_utf8_lossy(&self.decoded[start..]));
        }
        Ok(())
    }
}

/// The longest prefix of `bytes` that is UTF-8, leaving out a character cut
/// in two by the end of what has arrived; an invalid sequence is an error.
fn utf8_prefix(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    match std::str::from_utf8(bytes) {
        Err(error) if error.error_len().is_none() => std::str::from_utf8(&bytes[..error.valid_up_to()]),
        result => result,
    }
}

/// A connection whose reads and writes give up at a deadline.
#[derive(Debug)]
struct Connection {
    stream: TcpStream,
    /// When the current operation gives up; each public read sets a new one.
    deadline: Instant,
}

impl Connection {
    fn remaining(&self) -> io::Result<Duration> {
        let remaining = self.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(io::Error::new(io::ErrorKind::TimedOut, "the deadline passed"));
        }
        Ok(remaining)
    }

    fn write_all_by_deadline(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.set_write_timeout(Some(self.remaining()?))?;
        self.stream.write_all(bytes)
    }
}

impl Read for Connection {
    fn read(&mut self, buffer: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.remaining()?))?;
        self.stream.read(buffer).map_err(|error| match error.kind() {
            // What a read timeout looks like on Unix.
            io::ErrorKind::WouldBlock => io::Error::new(io::ErrorKind::TimedOut, "no data before the deadline"),
            _ => error,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(message: &Value) -> Vec<u8> {
        message.to_string().into_bytes()
    }

    #[test]
    fn stateless_headers_name_the_target_of_calls_gets_and_reads() {
        let meta = json!({"io.modelcontextprotocol/protocolVersion": STATELESS_VERSION});
        let call = request(json!(1), "tools/call", json!({"name": "echo", "_meta": meta}));
        let expected = [
            ("MCP-Protocol-Version", STATELESS_VERSION.to_owned()),
            ("Mcp-Method", "tools/call".to_owned()),
            ("Mcp-Name", "echo".to_owned()),
        ];
        assert_eq!(stateless_headers(&call), expected);
        let read = request(json!(2), "resources/read", json!({"uri": "test://x", "_meta": meta}));
        assert_eq!(stateless_headers(&read)[2], ("Mcp-Name", "test://x".to_owned()));
        let list = request(json!(3), "tools/list", json!({"_meta": meta}));
        assert_eq!(stateless_headers(&list).len(), 2, "a list names no target");
    }

    #[test]
    fn an_answer_is_stateless_by_the_requests_meta_or_its_version_header() {
        let meta = json!({"_meta": {"io.modelcontextprotocol/protocolVersion": STATELESS_VERSION}});
        let modern = body(&request(json!(1), "tools/list", meta));
        let plain = body(&request(json!(1), "server/discover", json!({})));
        let stateless = |answers: &str| Expected { era: Era::Stateless, answers: Some(answers.to_owned()) };
        let session = |answers: &str| Expected { era: Era::Session, answers: Some(answers.to_owned()) };
        assert_eq!(expected_answer(&[], &modern), stateless("tools/list"));
        assert_eq!(expected_answer(&[("Mcp-Session-Id", "s")], &modern), stateless("tools/list"));
        // Without `_meta`, a version header the session era does not have decides.
        assert_eq!(expected_answer(&[("mcp-protocol-version", " 2026-07-28 ")], &plain), stateless("server/discover"));
        assert_eq!(expected_answer(&[("MCP-Protocol-Version", "v999.0.0")], &plain), stateless("server/discover"));
        assert_eq!(expected_answer(&[("MCP-Protocol-Version", "2025-11-25")], &plain), session("server/discover"));
        assert_eq!(expected_answer(&[], &plain), session("server/discover"));
        // A session's own messages stay in its era, whatever their header says.
        let in_session = [("Mcp-Session-Id", "s"), ("MCP-Protocol-Version", "1999-01-01")];
        assert_eq!(expected_answer(&in_session, &plain), session("server/discover"));
        // A GET has no body, and resumes nothing stateless.
        assert_eq!(expected_answer(&[], b""), Expected { era: Era::Session, answers: None });
    }

    #[test]
    fn extra_headers_replace_defaults_of_the_same_name() {
        let merged = merge_headers(&POST_HEADERS, &[("accept", "application/json"), ("Origin", "null")]);
        assert_eq!(merged, [("Content-Type", "application/json"), ("accept", "application/json"), ("Origin", "null")]);
    }
}
