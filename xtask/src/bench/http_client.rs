//! The load generator's Streamable HTTP side, for `echo-http`: starts a server
//! that listens on a port the OS chose, and drives one MCP session per
//! keep-alive HTTP/1.1 connection over `std::net::TcpStream`.
//!
//! Only as much HTTP/1.1 as talking to an MCP server on loopback takes: a POST
//! with a `Content-Length` body; answers framed by `Content-Length`, by chunked
//! transfer coding or by the end of the connection; bodies of
//! `application/json` (one message) or `text/event-stream` (SSE events, the
//! priming event included). The framing is plain functions over byte slices
//! and `BufRead`, tested without sockets. Blocking I/O on one thread per
//! session keeps the per-call cost to a write, the reads the server's writes
//! need, and one JSON parse of each event, so the generator stays cheap next
//! to the servers it measures. What to send and time is left to `scenarios`.

use std::borrow::Cow;
use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::process::{ChildStderr, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use anyhow::{Context, Result, bail, ensure};
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

/// The longest status or header line accepted; anything longer is not an MCP
/// server talking, and reading it whole would only hide the problem.
const MAX_LINE: usize = 16 * 1024;

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
            && let Some(address) = endpoint_address(&String::from_utf8_lossy(&line))
            && let Some(found) = found.take()
        {
            let _ = found.send(address);
        }
        line.clear();
    }
}

/// The address in the first `http://ADDRESS/...` of a log line, such as
/// mcpwire's "serves MCP over Streamable HTTP at http://127.0.0.1:43117/mcp".
fn endpoint_address(line: &str) -> Option<SocketAddr> {
    let (_, rest) = line.split_once("http://")?;
    let end = rest.find(|c: char| !(c.is_ascii_hexdigit() || matches!(c, '.' | ':' | '[' | ']')))?;
    rest[..end].parse().ok()
}

/// What the body of an answer holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Body {
    /// One JSON-RPC message (`application/json`).
    Json,
    /// Server-sent events, each `message` event's data a JSON-RPC message
    /// (`text/event-stream`).
    EventStream,
    /// Anything else, e.g. an error page.
    Other,
}

/// How the end of an answer's body is found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Framing {
    /// Exactly this many bytes.
    Length(usize),
    /// Chunked transfer coding.
    Chunked,
    /// The server closes the connection after the body.
    UntilClose,
}

/// The status line and the headers of an answer that matter here.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Head {
    /// The status code.
    status: u16,
    /// What the body holds.
    body: Body,
    /// Where the body ends.
    framing: Framing,
    /// `Mcp-Session-Id`, if sent.
    session_id: Option<String>,
    /// Whether the server will close the connection after this answer.
    close: bool,
}

/// Reads one line (up to and including `\n`) into `line`; end of input before
/// it is an error, since a head or chunk is never allowed to stop mid-line.
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Result<()> {
    line.clear();
    let read = reader.by_ref().take(MAX_LINE as u64).read_until(b'\n', line).context("reading from the server")?;
    ensure!(read > 0, "the server closed the connection");
    ensure!(line.ends_with(b"\n"), "the server sent a line over {MAX_LINE} bytes or closed the connection mid-line");
    Ok(())
}

/// Reads an answer's status line and headers. `line` is scratch space, kept by
/// the caller so no call allocates.
fn read_head(reader: &mut impl BufRead, line: &mut Vec<u8>) -> Result<Head> {
    read_line(reader, line)?;
    let status_line = String::from_utf8_lossy(line);
    let mut parts = status_line.split_ascii_whitespace();
    let version = parts.next().unwrap_or_default();
    ensure!(version.starts_with("HTTP/1."), "not an HTTP/1.x status line: {:?}", status_line.trim_end());
    let status: u16 = parts
        .next()
        .and_then(|code| code.parse().ok())
        .with_context(|| format!("no status code in {status_line:?}"))?;
    // HTTP/1.0 closes after each answer unless told otherwise; 1.1 keeps alive.
    let mut close = version == "HTTP/1.0";
    let (mut length, mut chunked, mut body, mut session_id) = (None, false, Body::Other, None);
    loop {
        read_line(reader, line)?;
        let header = std::str::from_utf8(line).context("a header that is not UTF-8")?.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else { bail!("a header line without a colon: {header:?}") };
        let value = value.trim();
        let name = name.trim();
        let is = |wanted: &str| name.eq_ignore_ascii_case(wanted);
        if is("content-length") {
            length = Some(value.parse::<usize>().with_context(|| format!("Content-Length {value:?}"))?);
        } else if is("transfer-encoding") {
            chunked = value.split(',').any(|coding| coding.trim().eq_ignore_ascii_case("chunked"));
        } else if is("content-type") {
            let media = value.split(';').next().unwrap_or_default().trim();
            body = if media.eq_ignore_ascii_case("application/json") {
                Body::Json
            } else if media.eq_ignore_ascii_case("text/event-stream") {
                Body::EventStream
            } else {
                Body::Other
            };
        } else if is("mcp-session-id") {
            session_id = Some(value.to_owned());
        } else if is("connection") {
            let has = |token: &str| value.split(',').any(|t| t.trim().eq_ignore_ascii_case(token));
            close = has("close") || (close && !has("keep-alive"));
        }
    }
    // A 1xx, 204 or 304 answer never has a body; otherwise chunked coding wins
    // over a length, and with neither the body runs to the connection's end.
    let framing = match (status, chunked, length) {
        (100..=199 | 204 | 304, _, _) => Framing::Length(0),
        (_, true, _) => Framing::Chunked,
        (_, false, Some(length)) => Framing::Length(length),
        (_, false, None) => Framing::UntilClose,
    };
    if framing == Framing::UntilClose {
        close = true;
    }
    Ok(Head { status, body, framing, session_id, close })
}

/// Reads a body framed as `framing` into `body` (cleared first), undoing
/// chunked coding. `line` is scratch space for chunk-size lines.
fn read_body(reader: &mut impl BufRead, framing: Framing, body: &mut Vec<u8>, line: &mut Vec<u8>) -> Result<()> {
    body.clear();
    match framing {
        Framing::Length(length) => {
            let read = reader.by_ref().take(length as u64).read_to_end(body).context("reading a body")?;
            ensure!(read == length, "the server closed the connection {read} bytes into a {length}-byte body");
        }
        Framing::UntilClose => {
            reader.read_to_end(body).context("reading a body to the connection's end")?;
        }
        Framing::Chunked => loop {
            read_line(reader, line)?;
            let size = std::str::from_utf8(line).ok().and_then(|text| {
                // Chunk extensions (`;name=value`) carry nothing for us.
                let hex = text.split(';').next()?.trim();
                usize::from_str_radix(hex, 16).ok()
            });
            let size = size.with_context(|| format!("bad chunk size line {:?}", String::from_utf8_lossy(line)))?;
            if size == 0 {
                // Trailers, if any, end with an empty line, like the headers.
                loop {
                    read_line(reader, line)?;
                    if line.trim_ascii().is_empty() {
                        return Ok(());
                    }
                }
            }
            let read = reader.by_ref().take(size as u64).read_to_end(body).context("reading a chunk")?;
            ensure!(read == size, "the server closed the connection inside a chunk");
            read_line(reader, line)?;
            ensure!(line.trim_ascii().is_empty(), "a chunk not followed by CRLF");
        },
    }
    Ok(())
}

/// One server-sent event with data: its type and its data, data lines joined
/// with `\n` (borrowed when it is a single line, as MCP messages are).
#[derive(Debug, PartialEq, Eq)]
struct Event<'a> {
    /// The `event:` field; "message" when absent.
    kind: &'a str,
    /// The data.
    data: Cow<'a, str>,
}

/// Decodes an SSE body into its events, by the HTML standard's rules: lines end
/// with CRLF, LF or CR; `field: value` with one optional space after the colon;
/// lines starting with a colon are comments; a blank line dispatches the event,
/// unless its data is empty (which is how a priming event, `id:` and an empty
/// `data:`, goes unseen); `id` and `retry` concern reconnection, which a
/// benchmark that keeps its connection never does. An event cut off at the end
/// of the body is dropped, as the standard says.
struct SseEvents<'a> {
    /// What is left to decode.
    rest: &'a str,
}

impl<'a> Iterator for SseEvents<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        let (mut kind, mut data): (&str, Option<Cow<'a, str>>) = ("", None);
        while let Some(end) = self.rest.find(['\r', '\n']) {
            let line = &self.rest[..end];
            let newline = if self.rest[end..].starts_with("\r\n") { 2 } else { 1 };
            self.rest = &self.rest[end + newline..];
            if line.is_empty() {
                match data.take() {
                    Some(data) if !data.is_empty() => {
                        return Some(Event { kind: if kind.is_empty() { "message" } else { kind }, data });
                    }
                    _ => kind = "",
                }
                continue;
            }
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "data" => {
                    data = Some(match data.take() {
                        None => Cow::Borrowed(value),
                        Some(earlier) => Cow::Owned(format!("{earlier}\n{value}")),
                    });
                }
                "event" => kind = value,
                _ => {}
            }
        }
        self.rest = "";
        None
    }
}

/// One MCP session on one keep-alive HTTP/1.1 connection. Calls are made one
/// at a time: each waits for its answer, whole, before the next is sent.
pub(crate) struct HttpSession {
    /// The connection, read through a buffer and written directly: a request
    /// is built whole in `request` and goes out in one write.
    conn: BufReader<TcpStream>,
    /// Where the server listens, to reconnect when it closes the connection.
    address: SocketAddr,
    /// Set when the server said it would close the connection after its last
    /// answer: the next request opens a new one.
    closed: bool,
    /// The session id the server gave in its answer to `initialize`.
    session_id: Option<String>,
    /// Whether `initialize` is done, so `MCP-Protocol-Version` goes along.
    initialized: bool,
    /// The next request id; ids count up from 1 in each session.
    next_id: u64,
    /// The request being sent, reused from call to call.
    request: Vec<u8>,
    /// The body of the last answer, reused from call to call.
    body: Vec<u8>,
    /// Scratch space for status, header and chunk-size lines.
    line: Vec<u8>,
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
            closed: false,
            session_id: None,
            initialized: false,
            next_id: 1,
            request: Vec::with_capacity(1024),
            body: Vec::with_capacity(READ_BUFFER),
            line: Vec::with_capacity(256),
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
        let head = self.post(None, "notifications/initialized", None)?;
        ensure!(
            (200..300).contains(&head.status),
            "notifications/initialized got HTTP {} (expected 202): {}",
            head.status,
            String::from_utf8_lossy(&self.body)
        );
        Ok(())
    }

    /// Calls `method` and returns its result, parsed; an error response is an
    /// error. For untimed calls whose result is looked at.
    pub(crate) fn call(&mut self, method: &str, params: Option<&str>) -> Result<Value> {
        let id = self.mint_id();
        let head = self.post(Some(id), method, params)?;
        if self.session_id.is_none() {
            self.session_id = head.session_id.clone();
        }
        let result = self.find_response(id, &head, |result| serde_json::from_str(result.get()))?;
        Ok(result?)
    }

    /// Calls `method` and checks that it was answered without a JSON-RPC
    /// error, leaving the result unparsed: the timed loop's call.
    pub(crate) fn call_ok(&mut self, method: &str, params: Option<&str>) -> Result<()> {
        let id = self.mint_id();
        let head = self.post(Some(id), method, params)?;
        self.find_response(id, &head, |_| ())
    }

    /// Mints a request id.
    fn mint_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Sends one JSON-RPC message (a request when `id` is given, else a
    /// notification) as a POST and reads the whole answer, its body into
    /// `self.body`.
    fn post(&mut self, id: Option<u64>, method: &str, params: Option<&str>) -> Result<Head> {
        if self.closed {
            *self.conn.get_mut() = connect(self.address)?;
            self.closed = false;
        }
        let request = &mut self.request;
        request.clear();
        // The body goes last but its length first, so it is written at the
        // end of the buffer and its length read from there.
        let _ = write!(request, "POST {MCP_PATH} HTTP/1.1\r\nHost: {}\r\n", self.address);
        request.extend_from_slice(b"Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n");
        if let Some(session_id) = &self.session_id {
            let _ = write!(request, "Mcp-Session-Id: {session_id}\r\n");
        }
        if self.initialized {
            let _ = write!(request, "MCP-Protocol-Version: {PROTOCOL_VERSION}\r\n");
        }
        let body_start = request.len();
        // `method` is one of the benchmark's own names and `params` is already
        // JSON text, so nothing needs escaping.
        let _ = match id {
            Some(id) => write!(request, r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}""#),
            None => write!(request, r#"{{"jsonrpc":"2.0","method":"{method}""#),
        };
        if let Some(params) = params {
            let _ = write!(request, r#","params":{params}"#);
        }
        request.push(b'}');
        let body = request.split_off(body_start);
        let _ = write!(request, "Content-Length: {}\r\n\r\n", body.len());
        request.extend_from_slice(&body);
        self.conn.get_mut().write_all(request).context("sending a request")?;
        let head = read_head(&mut self.conn, &mut self.line)?;
        read_body(&mut self.conn, head.framing, &mut self.body, &mut self.line)?;
        self.closed = head.close;
        Ok(head)
    }

    /// Finds the response to `id` in the last answer's body and hands its
    /// outcome to `use_result`; an error response, a non-2xx status, or an
    /// answer without that response is an error. Other messages on the stream
    /// (notifications, requests the benchmark never provokes) are skipped.
    fn find_response<T>(&self, id: u64, head: &Head, use_result: impl FnOnce(&RawValue) -> T) -> Result<T> {
        let text = || String::from_utf8_lossy(&self.body).into_owned();
        ensure!((200..300).contains(&head.status), "request {id} got HTTP {}: {}", head.status, text());
        let body = std::str::from_utf8(&self.body).context("an answer that is not UTF-8")?;
        let (json, events) = match head.body {
            Body::Json => (Some(Cow::Borrowed(body)), None),
            Body::EventStream => (None, Some(SseEvents { rest: body })),
            Body::Other => bail!("request {id} got a body that is neither JSON nor SSE: {}", text()),
        };
        let messages = events.into_iter().flatten().filter(|event| event.kind == "message").map(|event| event.data);
        for data in json.into_iter().chain(messages) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> Result<Head> {
        read_head(&mut text.as_bytes(), &mut Vec::new())
    }

    fn body(text: &str, framing: Framing) -> Result<String> {
        let mut out = Vec::new();
        read_body(&mut text.as_bytes(), framing, &mut out, &mut Vec::new())?;
        Ok(String::from_utf8(out)?)
    }

    #[test]
    fn endpoint_address_is_read_from_a_log_line() {
        let line =
            "2026-11-24T10:00:00Z  INFO mcpwire serves MCP over Streamable HTTP at http://127.0.0.1:43117/mcp; logs";
        assert_eq!(endpoint_address(line), Some(SocketAddr::from(([127, 0, 0, 1], 43117))));
        assert_eq!(endpoint_address("at http://[::1]:8080/mcp\n"), Some("[::1]:8080".parse().unwrap()));
        assert_eq!(endpoint_address("starting up"), None);
        assert_eq!(endpoint_address("http://localhost:80/mcp"), None);
    }

    #[test]
    fn sse_head_with_chunked_body_keeps_the_connection() {
        let head = head(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nMcp-Session-Id: abc\r\n\
             Transfer-Encoding: chunked\r\n\r\n",
        )
        .unwrap();
        assert_eq!(
            head,
            Head {
                status: 200,
                body: Body::EventStream,
                framing: Framing::Chunked,
                session_id: Some("abc".to_owned()),
                close: false
            }
        );
    }

    #[test]
    fn json_head_with_length_and_close() {
        let head =
            head("HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 12\r\nConnection: close\r\n\r\n")
                .unwrap();
        assert_eq!((head.body, head.framing, head.close), (Body::Json, Framing::Length(12), true));
    }

    #[test]
    fn accepted_without_length_or_chunking_runs_to_close_but_no_content_has_no_body() {
        assert_eq!(head("HTTP/1.1 202 Accepted\r\n\r\n").unwrap().framing, Framing::UntilClose);
        assert!(head("HTTP/1.1 202 Accepted\r\n\r\n").unwrap().close);
        assert_eq!(head("HTTP/1.1 204 No Content\r\n\r\n").unwrap().framing, Framing::Length(0));
    }

    #[test]
    fn a_head_cut_short_or_garbled_is_an_error() {
        assert!(head("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n").is_err());
        assert!(head("SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(head("HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n").is_err());
    }

    #[test]
    fn chunked_bodies_are_joined_and_extensions_and_trailers_skipped() {
        let wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        assert_eq!(body(wire, Framing::Chunked).unwrap(), "hello, world");
        assert_eq!(body("0\r\n\r\n", Framing::Chunked).unwrap(), "");
    }

    #[test]
    fn a_body_cut_short_is_an_error() {
        assert!(body("5\r\nhel", Framing::Chunked).is_err());
        assert!(body("5\r\nhello", Framing::Chunked).is_err());
        assert!(body("zz\r\n", Framing::Chunked).is_err());
        assert!(body("abc", Framing::Length(5)).is_err());
        assert_eq!(body("abcdef", Framing::Length(3)).unwrap(), "abc");
        assert_eq!(body("to the end", Framing::UntilClose).unwrap(), "to the end");
    }

    fn sse_events(body: &str) -> Vec<Event<'_>> {
        SseEvents { rest: body }.collect()
    }

    #[test]
    fn sse_priming_event_is_skipped_and_messages_kept() {
        let stream = "id: 0\nretry: 3000\ndata:\n\nevent: message\nid: 1\ndata: {\"id\":1}\n\n";
        assert_eq!(sse_events(stream), vec![Event { kind: "message", data: Cow::Borrowed("{\"id\":1}") }]);
    }

    #[test]
    fn sse_handles_crlf_comments_multiline_data_and_other_types() {
        let stream = ": keep-alive\r\n\r\nevent: ping\r\ndata: x\r\n\r\ndata:a\rdata: b\r\rdata: cut off";
        assert_eq!(
            sse_events(stream),
            vec![
                Event { kind: "ping", data: Cow::Borrowed("x") },
                Event { kind: "message", data: Cow::Owned("a\nb".to_owned()) },
            ]
        );
    }
}
