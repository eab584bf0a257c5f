//! The load generator's MCP client: starts a server over stdio, does the
//! handshake, and reads and writes newline-delimited JSON-RPC with as little
//! work per message as the measurements allow.
//!
//! What to send and what to time is left to `scenarios`; this module only owns
//! the pipes, the process and its watchdog. The read side is a buffered reader
//! that parses each line once into a borrowed [`Message`] (ids and results stay
//! raw JSON until someone asks); the write side is a buffered writer that is
//! flushed just before the reader would block, so pipelined requests go out in
//! batches and a lone request goes out at once.

use std::borrow::Cow;
use std::fs::OpenOptions;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, ChildStdout, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

/// The protocol revision the benchmark asks every server for.
pub(crate) const PROTOCOL_VERSION: &str = "2025-11-25";

/// Pipe-side buffer size: a Linux pipe holds 64 KiB, so one read can drain
/// whatever a server wrote in one go and one flush is one `write` the pipe can
/// take whole.
const PIPE_BUFFER: usize = 64 * 1024;

/// How long a server may take to exit once its stdin is closed before it is
/// killed. Exiting on EOF is what the stdio transport asks of a server; two
/// seconds is generous for that and short enough not to slow the run.
const EXIT_GRACE: Duration = Duration::from_secs(2);

/// JSON-RPC's "method not found", the answer to any request the benchmark did
/// not expect a server to send.
const METHOD_NOT_FOUND: i64 = -32601;

/// How to start one server: the program, its arguments, where to run it, and
/// the file its stderr goes to (servers log there; the benchmark never reads it
/// while running, so a chatty server cannot block on a full stderr pipe).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Launch {
    /// The executable, by absolute path.
    pub(crate) program: PathBuf,
    /// Its arguments.
    pub(crate) args: Vec<String>,
    /// Its working directory.
    pub(crate) cwd: PathBuf,
    /// Where its stderr is appended, for post-mortems.
    pub(crate) stderr_log: PathBuf,
}

impl Launch {
    /// The command line, for the report and error messages.
    pub(crate) fn display(&self) -> String {
        std::iter::once(self.program.display().to_string())
            .chain(self.args.iter().cloned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// What the server said about itself in its `initialize` result.
#[derive(Clone, Debug, Default)]
pub(crate) struct ServerInfo {
    /// `serverInfo.name`.
    pub(crate) name: String,
    /// `serverInfo.version`.
    pub(crate) version: String,
}

/// One incoming line, parsed once. Fields borrow from the line; `params` is not
/// even kept, since no scenario needs what a server puts in a notification
/// beyond its method.
#[derive(Deserialize)]
pub(crate) struct Message<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    error: Option<&'a RawValue>,
}

impl<'a> Message<'a> {
    /// The id of a response to one of our requests. The benchmark only sends
    /// integer ids, so anything else is not an answer to us.
    pub(crate) fn response_id(&self) -> Option<u64> {
        match (&self.method, self.id) {
            (None, Some(id)) => id.get().parse().ok(),
            _ => None,
        }
    }

    /// The method of a request or notification.
    pub(crate) fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }

    /// The raw id of a request the server sent us, to answer it with.
    pub(crate) fn request_id(&self) -> Option<&'a str> {
        match (&self.method, self.id) {
            (Some(_), Some(id)) => Some(id.get()),
            _ => None,
        }
    }

    /// A response's outcome: `Ok(result)` or `Err(error)`, both raw JSON.
    pub(crate) fn outcome(&self) -> Result<&'a RawValue, String> {
        match (self.result, self.error) {
            (Some(result), None) => Ok(result),
            (_, Some(error)) => Err(error.get().to_owned()),
            (None, None) => Err("a response with neither result nor error".to_owned()),
        }
    }
}

/// The read side of a session: stdout of the server, line by line.
pub(crate) struct Incoming {
    /// The server's stdout.
    reader: BufReader<ChildStdout>,
    /// The current line; messages borrow from it until the next read.
    line: String,
}

impl Incoming {
    /// Reads and parses the next line. The server closing its stdout is an
    /// error: every scenario knows what it still waits for.
    pub(crate) fn recv(&mut self) -> Result<Message<'_>> {
        loop {
            self.line.clear();
            if self.reader.read_line(&mut self.line).context("reading the server's stdout")? == 0 {
                bail!("the server closed its stdout");
            }
            // A blank line carries no message; skipping it is all a client can do.
            if !self.line.trim().is_empty() {
                break;
            }
        }
        serde_json::from_str(&self.line)
            .with_context(|| format!("the server wrote a line that is not JSON-RPC: {}", self.line.trim_end()))
    }

    /// [`recv`](Self::recv), flushing `out` first when nothing is buffered here,
    /// i.e. exactly when the read would otherwise block waiting for the server:
    /// requests written since the last flush are what it would be waiting on.
    pub(crate) fn recv_flushing(&mut self, out: &mut Outgoing) -> Result<Message<'_>> {
        if self.reader.buffer().is_empty() {
            out.flush()?;
        }
        self.recv()
    }

    /// Reads until end of file, discarding, so the server can finish writing
    /// and exit.
    fn drain(&mut self) {
        let mut sink = Vec::new();
        while matches!(self.reader.read_until(b'\n', &mut sink), Ok(n) if n > 0) {
            sink.clear();
        }
    }
}

/// The write side of a session: stdin of the server, and the one place request
/// ids are minted.
pub(crate) struct Outgoing {
    /// The server's stdin.
    writer: BufWriter<ChildStdin>,
    /// The next request id; ids count up from 1 for each session.
    next_id: u64,
}

impl Outgoing {
    /// Mints a request id. Callers that must register a request before it can
    /// be answered (the flood's pings) mint first, register, then write.
    pub(crate) fn mint_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Writes a request with a minted id. `method` is one of the benchmark's own
    /// constants and `params` is already JSON text, so nothing is escaped here.
    pub(crate) fn write_request(&mut self, id: u64, method: &str, params: Option<&str>) -> io::Result<()> {
        write!(self.writer, r#"{{"jsonrpc":"2.0","id":{id},"method":"{method}""#)?;
        if let Some(params) = params {
            write!(self.writer, r#","params":{params}"#)?;
        }
        self.writer.write_all(b"}\n")
    }

    /// Mints an id and writes the request; returns the id.
    pub(crate) fn request(&mut self, method: &str, params: Option<&str>) -> io::Result<u64> {
        let id = self.mint_id();
        self.write_request(id, method, params)?;
        Ok(id)
    }

    /// Writes a notification.
    pub(crate) fn notify(&mut self, method: &str) -> io::Result<()> {
        write!(self.writer, r#"{{"jsonrpc":"2.0","method":"{method}"}}"#)?;
        self.writer.write_all(b"\n")
    }

    /// Answers a server's request with `result`, already JSON text.
    pub(crate) fn respond(&mut self, raw_id: &str, result: &str) -> io::Result<()> {
        write!(self.writer, r#"{{"jsonrpc":"2.0","id":{raw_id},"result":{result}}}"#)?;
        self.writer.write_all(b"\n")
    }

    /// Answers a server's request the benchmark does not serve.
    pub(crate) fn refuse(&mut self, raw_id: &str) -> io::Result<()> {
        write!(
            self.writer,
            r#"{{"jsonrpc":"2.0","id":{raw_id},"error":{{"code":{METHOD_NOT_FOUND},"message":"the benchmark client does not serve this method"}}}}"#
        )?;
        self.writer.write_all(b"\n")
    }

    /// Sends everything buffered.
    pub(crate) fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }
}

/// Answers anything a scenario did not ask for: a request from the server gets
/// "method not found" (so the server is never left waiting), notifications and
/// stray responses are ignored.
pub(crate) fn answer_stray(out: &mut Outgoing, message: &Message<'_>) -> io::Result<()> {
    match message.request_id() {
        Some(raw_id) => out.refuse(raw_id),
        None => Ok(()),
    }
}

/// Kills the server if a run outlives its deadline, so a hung server fails its
/// run instead of hanging the benchmark.
pub(crate) struct Watchdog {
    /// Sends a new deadline (from now); dropping it stops the watchdog.
    rearm: Option<mpsc::Sender<Duration>>,
    /// The watchdog thread.
    thread: Option<JoinHandle<()>>,
    /// Set when the watchdog had to kill the server.
    fired: Arc<AtomicBool>,
}

impl Watchdog {
    /// Starts watching `child`, which must end within `deadline` from now.
    pub(crate) fn start(child: Arc<Mutex<Child>>, deadline: Duration) -> Self {
        let (rearm, deadlines) = mpsc::channel::<Duration>();
        let fired = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&fired);
        let thread = std::thread::spawn(move || {
            let mut until = Instant::now() + deadline;
            loop {
                match deadlines.recv_timeout(until.saturating_duration_since(Instant::now())) {
                    Ok(next) => until = Instant::now() + next,
                    Err(RecvTimeoutError::Disconnected) => return,
                    Err(RecvTimeoutError::Timeout) => {
                        flag.store(true, Ordering::SeqCst);
                        // The session never holds this lock across a blocking
                        // call, so the kill cannot wait behind it.
                        let _ = child.lock().expect("child lock").kill();
                        return;
                    }
                }
            }
        });
        Self { rearm: Some(rearm), thread: Some(thread), fired }
    }

    /// Gives the server `grace` from now, replacing the run's deadline.
    fn rearm(&self, grace: Duration) {
        if let Some(rearm) = &self.rearm {
            let _ = rearm.send(grace);
        }
    }

    /// Whether the watchdog killed the server; checked when a run fails, to say why.
    pub(crate) fn fired(&self) -> bool {
        self.fired.load(Ordering::SeqCst)
    }

    /// Stops the watchdog; true if it had fired.
    pub(crate) fn stop(mut self) -> bool {
        self.rearm.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.fired.load(Ordering::SeqCst)
    }
}

/// Kills and reaps the server when a session is dropped without
/// [`Session::finish`], e.g. when a run fails halfway: no server outlives its run.
pub(crate) struct Reaper(pub(crate) Arc<Mutex<Child>>);

impl Reaper {
    /// How the server exited, if it has.
    pub(crate) fn exit_status(&self) -> Option<ExitStatus> {
        self.0.lock().expect("child lock").try_wait().ok().flatten()
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        let mut child = self.0.lock().expect("child lock");
        if matches!(child.try_wait(), Ok(None)) {
            let _ = child.kill();
        }
        let _ = child.wait();
    }
}

/// One server process, handshake done, ready for a scenario.
pub(crate) struct Session {
    /// Declared first so it drops first: the server is killed before the
    /// writer's final flush could block on a server that stopped reading.
    reaper: Reaper,
    /// Requests and answers to the server.
    pub(crate) out: Outgoing,
    /// Everything the server writes.
    pub(crate) inc: Incoming,
    /// The server's process id, for /proc.
    pub(crate) pid: u32,
    /// What the server said about itself.
    pub(crate) info: ServerInfo,
    /// Kills the server if the run outlives its deadline.
    watchdog: Watchdog,
    /// That deadline, for error messages.
    deadline: Duration,
}

impl Session {
    /// Starts the server and performs the MCP handshake: `initialize` (asking
    /// for [`PROTOCOL_VERSION`] and declaring the elicitation capability), then
    /// `notifications/initialized`. The whole run, from here to
    /// [`finish`](Self::finish), must end within `deadline`.
    pub(crate) fn start(launch: &Launch, deadline: Duration) -> Result<Self> {
        let stderr = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&launch.stderr_log)
            .with_context(|| format!("opening {}", launch.stderr_log.display()))?;
        let mut child = Command::new(&launch.program)
            .args(&launch.args)
            .current_dir(&launch.cwd)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(stderr))
            .spawn()
            .with_context(|| format!("starting `{}`", launch.display()))?;
        let pid = child.id();
        let stdin = child.stdin.take().expect("stdin is piped");
        let stdout = child.stdout.take().expect("stdout is piped");
        let child = Arc::new(Mutex::new(child));
        let mut session = Self {
            watchdog: Watchdog::start(Arc::clone(&child), deadline),
            reaper: Reaper(child),
            out: Outgoing { writer: BufWriter::with_capacity(PIPE_BUFFER, stdin), next_id: 1 },
            inc: Incoming { reader: BufReader::with_capacity(PIPE_BUFFER, stdout), line: String::new() },
            pid,
            info: ServerInfo::default(),
            deadline,
        };
        if let Err(e) = session.handshake() {
            return Err(session.explain(e).context("MCP handshake"));
        }
        Ok(session)
    }

    /// Adds to a failure what became of the server: killed by the watchdog,
    /// or exited on its own (with its status), if either.
    pub(crate) fn explain(&self, error: anyhow::Error) -> anyhow::Error {
        if self.timed_out() {
            return error.context(format!("the run passed its {:?} deadline, so the server was killed", self.deadline));
        }
        match self.reaper.exit_status() {
            Some(status) => error.context(format!("the server exited ({status})")),
            None => error,
        }
    }

    fn handshake(&mut self) -> Result<()> {
        let params = serde_json::json!({
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {"elicitation": {}},
            "clientInfo": {"name": "mcpwire-bench", "version": env!("CARGO_PKG_VERSION")},
        })
        .to_string();
        let id = self.out.request("initialize", Some(&params))?;
        let result = self.wait_result(id)?;
        let version = result.get("protocolVersion").and_then(Value::as_str).unwrap_or_default();
        if version != PROTOCOL_VERSION {
            bail!("the server answered protocolVersion {version:?}; the benchmark needs {PROTOCOL_VERSION}");
        }
        let field = |name: &str| {
            result.pointer(&format!("/serverInfo/{name}")).and_then(Value::as_str).unwrap_or("?").to_owned()
        };
        self.info = ServerInfo { name: field("name"), version: field("version") };
        self.out.notify("notifications/initialized")?;
        Ok(())
    }

    /// Reads until the response to `id` and returns its result, parsed; an error
    /// response is an error. Anything else that arrives meanwhile is answered
    /// or ignored by [`answer_stray`]. For rare, non-timed calls only.
    pub(crate) fn wait_result(&mut self, id: u64) -> Result<Value> {
        loop {
            let message = self.inc.recv_flushing(&mut self.out)?;
            if message.response_id() == Some(id) {
                return match message.outcome() {
                    Ok(result) => Ok(serde_json::from_str(result.get())?),
                    Err(error) => bail!("the server answered request {id} with an error: {error}"),
                };
            }
            answer_stray(&mut self.out, &message)?;
        }
    }

    /// The server's peak resident set size so far (`VmHWM`), in bytes.
    pub(crate) fn peak_rss(&self) -> Result<u64> {
        super::proc_stats::peak_rss_bytes(self.pid)
    }

    /// The server's private memory now (`RssAnon`), in bytes.
    pub(crate) fn private_rss(&self) -> Result<u64> {
        super::proc_stats::private_rss_bytes(self.pid)
    }

    /// Ends the run: closes the server's stdin and lets it exit within
    /// [`EXIT_GRACE`], killing it otherwise. The figures are taken by then, so
    /// a slow exit is only noted on the terminal.
    pub(crate) fn finish(self) {
        let Self { reaper, out, mut inc, watchdog, .. } = self;
        // Re-armed first: dropping `out` flushes it, which could block on a
        // server that no longer reads its stdin.
        watchdog.rearm(EXIT_GRACE);
        drop(out);
        inc.drain();
        let fired = watchdog.stop();
        drop(reaper);
        if fired {
            eprintln!("    (the server did not exit within {EXIT_GRACE:?} of its stdin closing; it was killed)");
        }
    }

    /// Whether the watchdog ended this run; checked when a run fails, to say why.
    pub(crate) fn timed_out(&self) -> bool {
        self.watchdog.fired()
    }
}
