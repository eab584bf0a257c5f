//! `McpProcess`: one running `mcpwire` with its stdio piped to the test, so a
//! test can speak raw JSON-RPC lines to it and see exactly what comes back.
//!
//! A reader thread takes every line the server writes as soon as it is
//! written (so the server never blocks on a full pipe while the test is busy),
//! checks it against the official schema of its era (a session's or a
//! stateless request's; both may share the connection), and queues it. The test takes
//! messages off that queue, waiting with a timeout; messages it is not looking
//! for yet stay buffered, in order. A second thread collects stderr, which
//! every failure message quotes, since the server's logs usually say why.
//!
//! Either thread can be held back ([`SpawnOptions`]) to play a careless client:
//! one that never reads the server's answers, or never drains its stderr.

use std::collections::VecDeque;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::child::ServerChild;
use crate::era::{EraTracker, PROTOCOL_VERSION_KEY};
use crate::schema::{STATELESS_VERSION, Schemas};

/// How long a test waits for a message before it fails. Generous, because CI
/// runs two test threads and their servers on two cores; a healthy server
/// answers in milliseconds, so only a hang ever waits this long.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The newest protocol revision the binary negotiates with `initialize`, and
/// the one `initialize` asks for unless a test says otherwise.
pub const LATEST_VERSION: &str = "2025-11-25";

/// Every revision the binary negotiates with `initialize`, oldest first
/// (2026-07-28 has no `initialize`).
pub const SUPPORTED_VERSIONS: [&str; 4] = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"];

/// How long a failure waits for the server's last stderr lines once its
/// stdout has closed, so the message shows why it stopped.
const STDERR_GRACE: Duration = Duration::from_secs(1);

/// The most of one offending line a violation report quotes.
const QUOTE_LIMIT: usize = 2_000;

/// What the stdout reader hands to the test, in the order it happened.
enum Event {
    /// One line, parsed (it has already been checked against the schema).
    Message(Value),
    /// A line that is not JSON; already recorded as a violation.
    NotJson,
    /// The server closed its stdout (normally: it exited).
    Eof,
    /// The reader closed our end of the pipe, as [`McpProcess::close_stdout`] asked.
    StoppedReading,
}

/// State the test thread shares with the reader threads.
#[derive(Default)]
struct Shared {
    /// Every request we sent that is not answered yet, and whether the
    /// connection has a session, so each message is checked in its era and
    /// each result against the type its method returns.
    eras: Mutex<EraTracker>,
    /// Every way the server broke the protocol or the schema so far. Recorded
    /// by the reader, raised by the test thread at its next step.
    violations: Mutex<Vec<String>>,
    /// Everything the server wrote to stderr so far.
    stderr: Mutex<String>,
    /// Signalled whenever `stderr` grows, for tests that wait for a log line.
    stderr_grew: Condvar,
}

/// How to start the server: its arguments, and which of its output pipes the
/// test leaves unread until it says otherwise.
#[derive(Debug, Clone, Default)]
pub struct SpawnOptions {
    /// Command-line arguments for the server.
    pub args: Vec<String>,
    /// Read nothing from stdout until [`McpProcess::resume_stdout`]: a client
    /// that sends and never reads, whose pipe fills and stays full.
    pub stdout_unread: bool,
    /// Read nothing from stderr until [`McpProcess::resume_stderr`]: a parent
    /// that never drains the server's stderr. [`McpProcess::wait_exit`] needs
    /// stderr read to see the exit, so resume it first.
    pub stderr_unread: bool,
}

/// A running `mcpwire` speaking MCP over its stdin and stdout.
///
/// Dropping it kills the server if it is still running, and fails the test
/// if any line it wrote broke the schema, even one the test never read.
pub struct McpProcess {
    process: ServerChild,
    /// `None` once the test closed it.
    stdin: Option<ChildStdin>,
    events: Receiver<Event>,
    /// Messages taken from `events` that the test has not consumed yet.
    buffered: VecDeque<Value>,
    shared: Arc<Shared>,
    /// Asks the stdout reader to close our end of the pipe after its next line.
    stop_reading: Arc<AtomicBool>,
    /// While `Some`, the stdout (or stderr) thread waits before reading anything;
    /// dropping it lets the thread start.
    stdout_gate: Option<Sender<()>>,
    stderr_gate: Option<Sender<()>>,
    threads: Vec<JoinHandle<()>>,
    next_id: i64,
    /// Set once the stdout reader reported end of file or closed the pipe.
    stdout_done: bool,
    /// How long a receive waits before the test fails.
    pub timeout: Duration,
}

impl std::fmt::Debug for McpProcess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpProcess")
            .field("pid", &self.process.pid())
            .field("buffered", &self.buffered.len())
            .field("exit_status", &self.process.exit_status())
            .finish_non_exhaustive()
    }
}

impl McpProcess {
    /// Start the binary (building it first if needed) with every stdio stream piped.
    ///
    /// # Panics
    /// When the binary cannot be built or started, or the schema is missing under CI.
    pub fn spawn() -> Self {
        Self::spawn_program(crate::mcpwire_binary())
    }

    /// Start another MCP server program (an example) the same way.
    ///
    /// # Panics
    /// When the program cannot be started, or the schema is missing under CI.
    pub fn spawn_program(binary: &std::path::Path) -> Self {
        Self::spawn_program_with(binary, &SpawnOptions::default())
    }

    /// Start the binary with these arguments, and its pipes read (or not) as
    /// `options` say.
    ///
    /// # Panics
    /// When the binary cannot be built or started, or the schema is missing under CI.
    pub fn spawn_with(options: &SpawnOptions) -> Self {
        Self::spawn_program_with(crate::mcpwire_binary(), options)
    }

    fn spawn_program_with(binary: &std::path::Path, options: &SpawnOptions) -> Self {
        // Load the schemas here, not in the reader thread: under CI a missing
        // schema must fail this test, not silently kill a thread.
        let schemas = Schemas::load();
        let mut child = Command::new(binary)
            .args(&options.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("could not start {}: {e}", binary.display()));
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let stderr = child.stderr.take().expect("stderr is piped");
        let shared = Arc::new(Shared::default());
        let stop_reading = Arc::new(AtomicBool::new(false));
        let (events_tx, events) = mpsc::channel();
        let (stderr_closed_tx, stderr_closed) = mpsc::channel();
        let (stdout_gate, stdout_wait) = gate(options.stdout_unread);
        let (stderr_gate, stderr_wait) = gate(options.stderr_unread);
        let reader = StdoutReader {
            stdout,
            schemas,
            shared: Arc::clone(&shared),
            stop: Arc::clone(&stop_reading),
            events: events_tx,
            gate: stdout_wait,
        };
        let threads = vec![
            std::thread::Builder::new()
                .name("mcpwire-stdout".into())
                .spawn(move || reader.run())
                .expect("spawn the stdout reader"),
            {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name("mcpwire-stderr".into())
                    .spawn(move || {
                        if let Some(gate) = stderr_wait {
                            let _ = gate.recv();
                        }
                        collect_stderr(stderr, &shared, &stderr_closed_tx);
                    })
                    .expect("spawn the stderr reader")
            },
        ];
        Self {
            process: ServerChild::new(child, stderr_closed),
            stdin: Some(stdin),
            events,
            buffered: VecDeque::new(),
            shared,
            stop_reading,
            stdout_gate,
            stderr_gate,
            threads,
            next_id: 1,
            stdout_done: false,
            timeout: DEFAULT_TIMEOUT,
        }
    }

    /// Start the binary and complete the handshake at [`LATEST_VERSION`]
    /// with these client capabilities.
    pub fn initialized(capabilities: Value) -> Self {
        let mut process = Self::spawn();
        process.initialize(capabilities);
        process
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.process.pid()
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.shared.stderr.lock().expect("stderr lock").clone()
    }

    /// Wait until the server's stderr contains `needle`; `false` if it does
    /// not within `timeout`.
    pub fn wait_for_stderr(&self, needle: &str, timeout: Duration) -> bool {
        let stderr = self.shared.stderr.lock().expect("stderr lock");
        let (stderr, _) = self
            .shared
            .stderr_grew
            .wait_timeout_while(stderr, timeout, |text| !text.contains(needle))
            .expect("stderr lock");
        stderr.contains(needle)
    }

    /// Start reading the server's stdout, held back by [`SpawnOptions::stdout_unread`].
    pub fn resume_stdout(&mut self) {
        self.stdout_gate = None;
    }

    /// Start reading the server's stderr, held back by [`SpawnOptions::stderr_unread`].
    pub fn resume_stderr(&mut self) {
        self.stderr_gate = None;
    }

    /// Take the server's stdin, to write to it from another thread (a flood
    /// that may block once the server stops reading). Dropping it is end of input.
    ///
    /// # Panics
    /// When stdin was already closed or taken.
    pub fn take_stdin(&mut self) -> ChildStdin {
        self.stdin.take().expect("stdin is still open")
    }

    /// A fresh request id: 1, 2, 3... MCP forbids reusing an id within a
    /// session, so tests that pick their own ids use strings or numbers far
    /// from these.
    pub fn next_id(&mut self) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        json!(id)
    }

    /// Send one message (or batch) as one compact line. Requests are
    /// remembered, so their results get checked against the right type.
    ///
    /// # Panics
    /// When the server's stdin is closed or broken.
    pub fn send(&mut self, message: &Value) {
        self.send_many(std::slice::from_ref(message));
    }

    /// Send several messages in one write, one line each: how a pipelining
    /// client fills the pipe.
    ///
    /// # Panics
    /// When the server's stdin is closed or broken.
    pub fn send_many(&mut self, messages: &[Value]) {
        let mut bytes = Vec::new();
        for message in messages {
            self.remember_requests(message);
            serde_json::to_writer(&mut bytes, message).expect("a Value always serialises");
            bytes.push(b'\n');
        }
        self.send_raw(&bytes);
    }

    /// Write these exact bytes to the server's stdin: for input no well-behaved
    /// client would send.
    ///
    /// # Panics
    /// When the server's stdin is closed or broken.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        if let Err(error) = self.try_send_raw(bytes) {
            self.fail(&format!("could not write to the server's stdin: {error}"));
        }
    }

    /// [`send_raw`](Self::send_raw), returning the error instead of failing:
    /// for tests where the server is expected to go away.
    ///
    /// # Errors
    /// When stdin was closed by the test, or the server closed its end.
    pub fn try_send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        let Some(stdin) = self.stdin.as_mut() else {
            return Err(std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the test closed stdin"));
        };
        stdin.write_all(bytes)?;
        stdin.flush()
    }

    /// Send a request with a fresh id; returns the id.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id();
        self.send(&request(id.clone(), method, params));
        id
    }

    /// Send a request and wait for its response (result or error), whole.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        self.recv_response(&id)
    }

    /// Send a request and return its result.
    ///
    /// # Panics
    /// When the answer is an error.
    pub fn call_ok(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        match response.get("result") {
            Some(result) => result.clone(),
            None => self.fail(&format!("`{method}` failed: {response}")),
        }
    }

    /// Call a tool and return its `CallToolResult`.
    ///
    /// # Panics
    /// When the call is answered with a JSON-RPC error.
    pub fn call_tool(&mut self, name: &str, arguments: Value) -> Value {
        let mut params = json!({"name": name});
        params["arguments"] = arguments;
        self.call_ok("tools/call", params)
    }

    /// Send a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({"jsonrpc": "2.0", "method": method});
        if !params.is_null() {
            message["params"] = params;
        }
        self.send(&message);
    }

    /// The handshake at [`LATEST_VERSION`]: `initialize`, then
    /// `notifications/initialized`. Returns the `InitializeResult`.
    pub fn initialize(&mut self, capabilities: Value) -> Value {
        self.initialize_with(LATEST_VERSION, capabilities)
    }

    /// The handshake asking for `version`. Returns the `InitializeResult`.
    pub fn initialize_with(&mut self, version: &str, capabilities: Value) -> Value {
        let result = self.call_ok("initialize", initialize_params(version, capabilities));
        self.notify("notifications/initialized", Value::Null);
        result
    }

    /// Check the server still answers: a `ping` must get `{}`.
    pub fn assert_serving(&mut self) {
        let response = self.call("ping", Value::Null);
        if response.get("result") != Some(&json!({})) {
            self.fail(&format!("`ping` should be answered with an empty result, got {response}"));
        }
    }

    /// The next message, buffered or new, waiting at most [`timeout`](Self::timeout).
    ///
    /// # Panics
    /// On a timeout, or when the server closed its stdout.
    pub fn recv(&mut self) -> Value {
        match self.recv_timeout(self.timeout) {
            Some(message) => message,
            None => self.fail(&format!("no message arrived within {:?}", self.timeout)),
        }
    }

    /// The next message, or `None` if none arrives within `timeout`.
    ///
    /// # Panics
    /// When the server closed its stdout.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Value> {
        if let Some(message) = self.buffered.pop_front() {
            return Some(message);
        }
        self.pull(Instant::now() + timeout)
    }

    /// The response (result or error) with this id; everything else that
    /// arrives first stays buffered for later.
    ///
    /// # Panics
    /// When it does not arrive within [`timeout`](Self::timeout).
    pub fn recv_response(&mut self, id: &Value) -> Value {
        match self.recv_response_timeout(id, self.timeout) {
            Some(response) => response,
            None => self.fail(&format!("no response with id {id} arrived within {:?}", self.timeout)),
        }
    }

    /// The response with this id, or `None` if it does not arrive in time.
    pub fn recv_response_timeout(&mut self, id: &Value, timeout: Duration) -> Option<Value> {
        if let Some(index) = self.buffered.iter().position(|m| is_response_to(m, id)) {
            return self.buffered.remove(index);
        }
        let deadline = Instant::now() + timeout;
        loop {
            let message = self.pull(deadline)?;
            if is_response_to(&message, id) {
                return Some(message);
            }
            self.buffered.push_back(message);
        }
    }

    /// Wait for the response with this id and return it together with every
    /// other message that came before it (buffered ones first), in order:
    /// what a request's progress and logs look like from the client.
    pub fn recv_response_and_preceding(&mut self, id: &Value) -> (Vec<Value>, Value) {
        let response = self.recv_response(id);
        (self.buffered.drain(..).collect(), response)
    }

    /// Close the server's stdin: end of input, the normal way to stop it.
    pub fn close_stdin(&mut self) {
        self.stdin = None;
    }

    /// Close our end of the server's stdout, as a client that stops reading
    /// for good would. What arrived before is still buffered.
    ///
    /// A blocked read cannot be interrupted, so this asks the reader to stop
    /// after its next line and sends a `ping` to make sure there is one.
    pub fn close_stdout(&mut self) {
        self.stop_reading.store(true, Ordering::SeqCst);
        let id = self.next_id();
        self.send(&request(id, "ping", Value::Null));
        let deadline = Instant::now() + self.timeout;
        while !self.stdout_done {
            match self.events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Event::Message(message)) => self.buffered.push_back(message),
                Ok(Event::NotJson) => self.raise_violations(),
                Ok(Event::StoppedReading | Event::Eof) | Err(RecvTimeoutError::Disconnected) => self.stdout_done = true,
                Err(RecvTimeoutError::Timeout) => self.fail("the stdout reader did not stop"),
            }
        }
    }

    /// Send a signal (`TERM`, `INT`, ...) to the server.
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
        match self.process.wait_exit(timeout) {
            Some(exit) => exit,
            None => self.fail(&format!("the server did not exit within {timeout:?}")),
        }
    }

    /// Every message still to come until the server closes its stdout, after
    /// the buffered ones: for a server that is exiting.
    ///
    /// # Panics
    /// When stdout is still open after [`timeout`](Self::timeout).
    pub fn recv_until_eof(&mut self) -> Vec<Value> {
        let mut messages: Vec<Value> = self.buffered.drain(..).collect();
        let deadline = Instant::now() + self.timeout;
        while !self.stdout_done {
            match self.events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(Event::Message(message)) => messages.push(message),
                Ok(Event::NotJson) => self.raise_violations(),
                Ok(Event::Eof | Event::StoppedReading) | Err(RecvTimeoutError::Disconnected) => self.stdout_done = true,
                Err(RecvTimeoutError::Timeout) => self.fail("the server's stdout is still open"),
            }
        }
        self.raise_violations();
        messages
    }

    /// Messages received but not consumed yet, taken out of the buffer.
    pub fn take_buffered(&mut self) -> Vec<Value> {
        self.buffered.drain(..).collect()
    }

    /// Take the next event off the reader's queue, waiting until `deadline`.
    fn pull(&mut self, deadline: Instant) -> Option<Value> {
        self.raise_violations();
        if self.stdout_done {
            self.fail("the server's stdout is closed; no more messages can arrive");
        }
        match self.events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
            Ok(Event::Message(message)) => {
                self.raise_violations();
                Some(message)
            }
            Ok(Event::NotJson) => {
                self.raise_violations();
                unreachable!("a line that is not JSON is recorded as a violation before it is reported")
            }
            Ok(Event::Eof) | Err(RecvTimeoutError::Disconnected) => {
                self.stdout_done = true;
                self.fail("the server closed its stdout (it exited, or crashed)")
            }
            Ok(Event::StoppedReading) => {
                self.stdout_done = true;
                self.fail("the test closed the server's stdout; no more messages can arrive")
            }
            Err(RecvTimeoutError::Timeout) => None,
        }
    }

    fn remember_requests(&self, message: &Value) {
        self.shared.eras.lock().expect("eras lock").sent(message);
    }

    fn raise_violations(&self) {
        let violations = std::mem::take(&mut *self.shared.violations.lock().expect("violations lock"));
        if !violations.is_empty() {
            self.fail(&violations.join("\n\n"));
        }
    }

    /// Fail the test with `what`, the messages still buffered, and the
    /// server's stderr.
    #[track_caller]
    pub fn fail(&self, what: &str) -> ! {
        if self.stdout_done || self.process.exit_status().is_some() {
            // The process is gone or going; its last words are still in flight.
            let _ = self.process.stderr_closed().recv_timeout(STDERR_GRACE);
        }
        let mut message = format!("{what}\n");
        if !self.buffered.is_empty() {
            let _ = writeln!(message, "--- {} message(s) received but not consumed:", self.buffered.len());
            for buffered in self.buffered.iter().take(20) {
                let _ = writeln!(message, "{}", quote(&buffered.to_string(), QUOTE_LIMIT));
            }
        }
        let _ = write!(message, "--- the server's stderr:\n{}", self.stderr());
        panic!("{message}");
    }
}

impl Drop for McpProcess {
    fn drop(&mut self) {
        self.stdin = None;
        self.process.kill_if_running();
        // Held-back readers must run to see the end of their pipes. What a
        // client that never read was sent is none of the test's business.
        if self.stdout_gate.is_some() {
            self.stop_reading.store(true, Ordering::SeqCst);
            self.stdout_gate = None;
        }
        self.stderr_gate = None;
        // The process is gone, so both readers reach end of file.
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
        let violations = std::mem::take(&mut *self.shared.violations.lock().expect("violations lock"));
        if !violations.is_empty() && !std::thread::panicking() {
            panic!("{}\n--- the server's stderr:\n{}", violations.join("\n\n"), self.stderr());
        }
    }
}

/// The stdout reader: reads lines, checks them, queues them.
struct StdoutReader {
    stdout: ChildStdout,
    /// Either is `None` when its schema is missing (outside CI), so only
    /// JSON-ness is checked in that era.
    schemas: Schemas,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    events: Sender<Event>,
    /// When `Some`, nothing is read until it disconnects.
    gate: Option<Receiver<()>>,
}

impl StdoutReader {
    fn run(self) {
        let Self { stdout, schemas, shared, stop, events, gate } = self;
        if let Some(gate) = gate {
            let _ = gate.recv();
            if stop.load(Ordering::SeqCst) {
                let _ = events.send(Event::StoppedReading);
                return;
            }
        }
        let mut reader = BufReader::with_capacity(64 * 1024, stdout);
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(error) => {
                    record(&shared, format!("reading the server's stdout failed: {error}"));
                    break;
                }
            }
            let event = match serde_json::from_slice::<Value>(&line) {
                Ok(message) => {
                    check(schemas, &shared, &message);
                    Event::Message(message)
                }
                Err(error) => {
                    let text = String::from_utf8_lossy(&line);
                    record(
                        &shared,
                        format!("the server wrote a line that is not JSON ({error}):\n{}", quote(&text, QUOTE_LIMIT)),
                    );
                    Event::NotJson
                }
            };
            if events.send(event).is_err() {
                return;
            }
            if stop.load(Ordering::SeqCst) {
                drop(reader);
                let _ = events.send(Event::StoppedReading);
                return;
            }
        }
        let _ = events.send(Event::Eof);
    }
}

/// Check one message; any violation is recorded for the test thread to raise.
fn check(schemas: Schemas, shared: &Shared, message: &Value) {
    // Forget answered requests whether or not we can validate, so the
    // tracker does not grow over a long test.
    let expected = shared.eras.lock().expect("eras lock").received(message);
    if let Err(errors) = schemas.check(message, &expected) {
        record(
            shared,
            format!(
                "the server wrote a message that breaks the MCP {} schema:\n{}\n{errors}",
                expected.era.schema_version(),
                quote(&message.to_string(), QUOTE_LIMIT)
            ),
        );
    }
}

fn record(shared: &Shared, violation: String) {
    shared.violations.lock().expect("violations lock").push(violation);
}

fn collect_stderr(stderr: impl Read, shared: &Shared, closed: &Sender<()>) {
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    while reader.read_until(b'\n', &mut line).is_ok_and(|n| n > 0) {
        shared.stderr.lock().expect("stderr lock").push_str(&String::from_utf8_lossy(&line));
        shared.stderr_grew.notify_all();
        line.clear();
    }
    let _ = closed.send(());
}

/// A gate for a reader thread: `(None, None)` when it may read at once;
/// otherwise the thread waits on the receiver until the sender is dropped.
fn gate(closed: bool) -> (Option<Sender<()>>, Option<Receiver<()>>) {
    if !closed {
        return (None, None);
    }
    let (open, wait) = mpsc::channel();
    (Some(open), Some(wait))
}

fn is_response_to(message: &Value, id: &Value) -> bool {
    message.get("method").is_none() && message.get("id") == Some(id)
}

/// `text`, cut to at most `limit` bytes (on a character boundary) for a
/// failure message, saying how long it really was.
pub(crate) fn quote(text: &str, limit: usize) -> String {
    if text.len() <= limit {
        return text.to_owned();
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &text[..end], text.len())
}

/// A JSON-RPC request; `params` is left out when it is `null`.
pub fn request(id: Value, method: &str, params: Value) -> Value {
    let mut message = json!({"jsonrpc": "2.0", "method": method});
    message["id"] = id;
    if !params.is_null() {
        message["params"] = params;
    }
    message
}

/// The `_meta` of a 2026-07-28 request: the version, these client
/// capabilities, and the tests' client info.
pub fn stateless_meta(capabilities: &Value) -> Value {
    let mut meta = json!({
        "io.modelcontextprotocol/clientInfo": {"name": "mcpwire-tests", "version": env!("CARGO_PKG_VERSION")}
    });
    meta[PROTOCOL_VERSION_KEY] = json!(STATELESS_VERSION);
    meta["io.modelcontextprotocol/clientCapabilities"] = capabilities.clone();
    meta
}

/// `params` (an object, or `null` for none) made a 2026-07-28 request's:
/// [`stateless_meta`] added to its `_meta`, whose other keys (a progress
/// token, a log level) stay.
///
/// # Panics
/// When `params` is neither an object nor `null`.
pub fn stateless_params(params: Value, capabilities: &Value) -> Value {
    let mut params = match params {
        Value::Null => json!({}),
        Value::Object(_) => params,
        other => panic!("params must be an object: {other}"),
    };
    let Value::Object(meta) = stateless_meta(capabilities) else { unreachable!("the meta is an object") };
    if !params["_meta"].is_object() {
        params["_meta"] = json!({});
    }
    for (key, value) in meta {
        params["_meta"][key] = value;
    }
    params
}

/// The params of an `initialize` request asking for `version`.
pub fn initialize_params(version: &str, capabilities: Value) -> Value {
    let mut params = json!({
        "protocolVersion": version,
        "clientInfo": {"name": "mcpwire-tests", "version": env!("CARGO_PKG_VERSION")}
    });
    params["capabilities"] = capabilities;
    params
}

/// The text of a `CallToolResult`'s first content block.
///
/// # Panics
/// When the first block is not text.
pub fn tool_text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_else(|| panic!("the result's first block is not text: {result}"))
}
