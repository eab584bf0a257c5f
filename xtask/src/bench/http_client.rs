//! The benchmark's own Streamable HTTP client: starts a server that listens
//! on a port the OS chose, and drives MCP sessions over keep-alive HTTP/1.1
//! connections (`std::net::TcpStream`), one session at a time on each. It
//! opens and checks the sessions of `echo-http` (whose load is wrk's, see
//! `wrk`) and is the whole client of `idle-sessions`.
//!
//! The HTTP/1.1 and SSE framing is `mcpwire_tests::{http1, sse}`, shared with
//! the end-to-end tests and used here without their schema validation: a POST
//! with a `Content-Length` body; answers framed by `Content-Length`, by chunked
//! transfer coding or by the end of the connection; bodies of
//! `application/json` (one message) or `text/event-stream` (SSE events, the
//! priming event included). Blocking I/O, with every buffer reused from call
//! to call. What to send and time is left to `scenarios`.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{ChildStderr, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
use mcpwire_tests::http1::{self, BodyReader, ResponseHead};
use mcpwire_tests::sse;
use serde_json::Value;
use serde_json::value::RawValue;

use super::client::{Launch, Message, PROTOCOL_VERSION, Reaper, ServerInfo, Watchdog};

/// The MCP endpoint's path. Every server under test mounts its endpoint there,
/// as the transport's spec example does.
const MCP_PATH: &str = "/mcp";

/// How long a server may take from its start to logging the address it
/// listens on; generous for a cold start of Node.
const ADDRESS_DEADLINE: Duration = Duration::from_secs(30);

/// Read buffer of each connection: an echo answer with its headers and SSE
/// framing is well under 1 KiB, so one read takes whatever the server wrote.
const READ_BUFFER: usize = 8 * 1024;

/// A server under test listening for Streamable HTTP: its process, the address
/// it logged, and a thread copying its stderr into its log file.
pub(crate) struct HttpServer {
    /// Declared first so it drops first: killing the server ends its stderr,
    /// which lets the copying thread finish.
    reaper: Reaper,
    /// Copies the server's stderr into the log (its first job was to find the
    /// address). Servers log without pause, so their stderr must be drained.
    stderr: Option<JoinHandle<()>>,
    /// Kills the server if the run outlives its deadline.
    watchdog: Watchdog,
    /// The server's process id, for /proc.
    pub(crate) pid: u32,
    /// Where it listens.
    pub(crate) address: SocketAddr,
    /// The run's deadline, for error messages.
    deadline: Duration,
}

impl HttpServer {
    /// Starts the server and waits for the line on its stderr that gives the
    /// address it listens on (`http://ADDRESS/mcp`). The whole run, from here
    /// to [`finish`](Self::finish), must end within `deadline`.
    pub(crate) fn start(launch: &Launch, deadline: Duration) -> Result<Self> {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&launch.stderr_log)
            .with_context(|| format!("opening {}", launch.stderr_log.display()))?;
        let mut child = Command::new(&launch.program)
            .args(&launch.args)
            .current_dir(&launch.cwd)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting `{}`", launch.display()))?;
        let pid = child.id();
        let stderr = child.stderr.take().expect("stderr is piped");
        let child = Arc::new(Mutex::new(child));
        // One slot: the address is sent once, and the sender never waits for it
        // to be taken.
        let (found, address) = mpsc::sync_channel(1);
        let copier = std::thread::spawn(move || copy_stderr(stderr, log, found));
        let server = Self {
            watchdog: Watchdog::start(Arc::clone(&child), deadline),
            reaper: Reaper(child),
            stderr: Some(copier),
            pid,
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            deadline,
        };
        match address.recv_timeout(ADDRESS_DEADLINE) {
            Ok(address) => Ok(Self { address, ..server }),
            Err(RecvTimeoutError::Timeout) => Err(server.explain(anyhow::anyhow!(
                "the server logged no http://ADDRESS{MCP_PATH} line on stderr within {ADDRESS_DEADLINE:?}"
            ))),
            Err(RecvTimeoutError::Disconnected) => Err(server.explain(anyhow::anyhow!(
                "the server closed its stderr without logging an http://ADDRESS{MCP_PATH} line"
            ))),
        }
    }

    /// Adds to a failure what became of the server: killed by the watchdog,
    /// or exited on its own (with its status), if either.
    pub(crate) fn explain(&self, error: anyhow::Error) -> anyhow::Error {
        if self.watchdog.fired() {
            return error.context(format!("the run passed its {:?} deadline, so the server was killed", self.deadline));
        }
        match self.reaper.exit_status() {
            Some(status) => error.context(format!("the server exited ({status})")),
            None => error,
        }
    }

    /// Ends the run. An HTTP server has no stdin whose end would tell it to
    /// exit, and the figures are taken by now, so it is killed; its log is
    /// complete once the copying thread has seen its stderr close.
    pub(crate) fn finish(self) {
        let Self { reaper, stderr, watchdog, .. } = self;
        watchdog.stop();
        drop(reaper);
        if let Some(copier) = stderr {
            let _ = copier.join();
        }
    }
}

/// Copies a server's stderr line by line into its log, and sends the address
/// of the first line naming an `http://` endpoint.
fn copy_stderr(stderr: ChildStderr, mut log: File, found: SyncSender<SocketAddr>) {
    let mut found = Some(found);
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
        // A log write that fails loses a post-mortem line, not a figure.
        let _ = log.write_all(&line);
        if found.is_some()
            && let Some(address) = http1::logged_endpoint(&String::from_utf8_lossy(&line))
            && let Some(found) = found.take()
        {
            let _ = found.send(address);
        }
        line.clear();
    }
}

/// One MCP session on one keep-alive HTTP/1.1 connection (and, for
/// `idle-sessions`, one after another on the same connection). Calls are made
/// one at a time: each waits for its answer, whole, before the next is sent.
pub(crate) struct HttpSession {
    /// The connection, read through a buffer and written directly: a request
    /// is built whole in `request` and goes out in one write.
    conn: BufReader<TcpStream>,
    /// Where the server listens, to reconnect when it closes the connection.
    address: SocketAddr,
    /// `address` as the `Host` header says it, formatted once.
    host: String,
    /// Set when the server said it would close the connection after its last
    /// answer: the next request opens a new one.
    closed: bool,
    /// The session id the server gave in its answer to `initialize`.
    session_id: Option<String>,
    /// Whether `initialize` is done, so `MCP-Protocol-Version` goes along.
    initialized: bool,
    /// The next request id; ids count up from 1 in each session.
    next_id: u64,
    /// The JSON-RPC message being sent, reused from call to call.
    message: Vec<u8>,
    /// The request being sent, reused from call to call.
    request: Vec<u8>,
    /// The status line and headers of the last answer, reused from call to call.
    head: ResponseHead,
    /// The body of the last answer, reused from call to call.
    body: Vec<u8>,
    /// What the server said about itself in `initialize`.
    pub(crate) info: ServerInfo,
}

impl HttpSession {
    /// Connects to the server and performs the MCP handshake: `initialize`
    /// (asking for [`PROTOCOL_VERSION`]), which returns the session id, then
    /// `notifications/initialized`.
    pub(crate) fn open(address: SocketAddr) -> Result<Self> {
        let mut session = Self {
            conn: BufReader::with_capacity(READ_BUFFER, connect(address)?),
            address,
            host: address.to_string(),
            closed: false,
            session_id: None,
            initialized: false,
            next_id: 1,
            message: Vec::with_capacity(256),
            request: Vec::with_capacity(1024),
            head: ResponseHead::default(),
            body: Vec::with_capacity(READ_BUFFER),
            info: ServerInfo::default(),
        };
        session.handshake().context("MCP handshake over HTTP")?;
        Ok(session)
    }

    fn handshake(&mut self) -> Result<()> {
        let params = serde_json::json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "mcpwire-bench", "version": env!("CARGO_PKG_VERSION")},
        })
        .to_string();
        let result = self.call("initialize", Some(&params))?;
        let version = result.get("protocolVersion").and_then(Value::as_str).unwrap_or_default();
        ensure!(
            version == PROTOCOL_VERSION,
            "the server answered protocolVersion {version:?}; the benchmark needs {PROTOCOL_VERSION}"
        );
        let field = |name: &str| {
            result.pointer(&format!("/serverInfo/{name}")).and_then(Value::as_str).unwrap_or("?").to_owned()
        };
        self.info = ServerInfo { name: field("name"), version: field("version") };
        self.initialized = true;
        self.post(None, "notifications/initialized", None)?;
        ensure!(
            (200..300).contains(&self.head.status()),
            "notifications/initialized got HTTP {} (expected 202): {}",
            self.head.status(),
            String::from_utf8_lossy(&self.body)
        );
        Ok(())
    }

    /// Starts another MCP session on this connection, as [`open`](Self::open)
    /// does, leaving the current one open and idle on the server.
    pub(crate) fn start_another_session(&mut self) -> Result<()> {
        self.session_id = None;
        self.initialized = false;
        self.next_id = 1;
        self.handshake().context("MCP handshake over HTTP")
    }

    /// Calls `method` and returns its result, parsed; an error response is an
    /// error. For untimed calls whose result is looked at.
    pub(crate) fn call(&mut self, method: &str, params: Option<&str>) -> Result<Value> {
        let id = self.mint_id();
        self.post(Some(id), method, params)?;
        if self.session_id.is_none() {
            self.session_id = self.head.header("mcp-session-id").map(str::to_owned);
        }
        let result = self.find_response(id, |result| serde_json::from_str(result.get()))?;
        Ok(result?)
    }

    /// The session id the server gave in its answer to `initialize`.
    pub(crate) fn session_id(&self) -> Option<&str> {
        self.session_id.as_deref()
    }

    /// Mints a request id.
    fn mint_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Sends one JSON-RPC message (a request when `id` is given, else a
    /// notification) as a POST and reads the whole answer: its head into
    /// `self.head`, its body into `self.body`.
    fn post(&mut self, id: Option<u64>, method: &str, params: Option<&str>) -> Result<()> {
        if self.closed {
            *self.conn.get_mut() = connect(self.address)?;
            self.closed = false;
        }
        let message = &mut self.message;
        message.clear();
        // `method` is one of the benchmark's own names and `params` is already
        // JSON text, so nothing needs escaping.
        let _ = match id {
            Some(id) => write!(message, r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}""#),
            None => write!(message, r#"{{"jsonrpc":"2.0","method":"{method}""#),
        };
        if let Some(params) = params {
            let _ = write!(message, r#","params":{params}"#);
        }
        message.push(b'}');
        let mut headers = [
            ("Host", self.host.as_str()),
            ("Accept", "application/json, text/event-stream"),
            ("Content-Type", "application/json"),
            ("", ""),
            ("", ""),
        ];
        let mut count = 3;
        if let Some(session_id) = &self.session_id {
            headers[count] = ("Mcp-Session-Id", session_id);
            count += 1;
        }
        if self.initialized {
            headers[count] = ("MCP-Protocol-Version", PROTOCOL_VERSION);
            count += 1;
        }
        self.request.clear();
        http1::write_request(&mut self.request, "POST", MCP_PATH, &headers[..count], message);
        self.conn.get_mut().write_all(&self.request).context("sending a request")?;
        self.head.read_from(&mut self.conn).context("reading an answer's head")?;
        let framing = self.head.framing("POST")?;
        self.body.clear();
        BodyReader::new(framing).read_to_end(&mut self.conn, &mut self.body).context("reading an answer's body")?;
        self.closed = !self.head.keeps_alive(framing);
        Ok(())
    }

    /// Finds the response to `id` in the last answer's body and hands its
    /// outcome to `use_result`; an error response, a non-2xx status, or an
    /// answer without that response is an error. Other messages on the stream
    /// (notifications, requests the benchmark never provokes) are skipped.
    fn find_response<T>(&self, id: u64, use_result: impl FnOnce(&RawValue) -> T) -> Result<T> {
        let text = || String::from_utf8_lossy(&self.body).into_owned();
        let status = self.head.status();
        ensure!((200..300).contains(&status), "request {id} got HTTP {status}: {}", text());
        let body = std::str::from_utf8(&self.body).context("an answer that is not UTF-8")?;
        let media_type = self.head.media_type().unwrap_or_default();
        let (json, events) = if media_type.eq_ignore_ascii_case("application/json") {
            (Some(body), None)
        } else if media_type.eq_ignore_ascii_case("text/event-stream") {
            (None, Some(sse::blocks(body)))
        } else {
            bail!("request {id} got a body that is neither JSON nor SSE: {}", text())
        };
        let events = events.into_iter().flatten().filter(|block| block.dispatches() && block.kind() == "message");
        let messages = json.map(Cow::Borrowed).into_iter().chain(events.filter_map(|block| block.data));
        for data in messages {
            let message: Message<'_> = serde_json::from_str(&data)
                .with_context(|| format!("the server sent a message that is not JSON-RPC: {data}"))?;
            if message.response_id() != Some(id) {
                continue;
            }
            return match message.outcome() {
                Ok(result) => Ok(use_result(result)),
                Err(error) => bail!("request {id} failed: {error}"),
            };
        }
        bail!("the answer to request {id} did not hold its response: {}", text())
    }
}

/// Opens a connection with Nagle's algorithm off: every request is one write
/// of a whole message, and waiting to coalesce would only add latency.
fn connect(address: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect(address)?;
    stream.set_nodelay(true)?;
    Ok(stream)
}
