//! The nine scenarios: what each sends, what it times, and the figures one
//! run of it yields.
//!
//! Every run gets a fresh server process, so a peak RSS belongs to that run's
//! work alone and no run inherits another's warm caches. Scenarios check the
//! protocol as they go (every call answered, without error; every elicitation
//! answered; every ping answered) and fail the run otherwise: a figure from a
//! run that lost calls would not mean anything. All but `echo-http`,
//! `echo-http-2026` and `idle-sessions` talk to the server over stdio
//! (`client`); those three talk Streamable HTTP: the echo scenarios with `wrk`
//! as the load (`wrk`), after `http_client` opens their sessions, and
//! `idle-sessions` with `http_client` alone.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Mutex, PoisonError};
use std::thread::ScopedJoinHandle;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

use super::client::{Launch, Outgoing, PROTOCOL_VERSION, ServerInfo, Session, answer_stray};
use super::http_client::{HttpServer, HttpSession};
use super::servers::Server;
use super::stats::percentile;
use super::{proc_stats, wrk};

/// How big each scenario is, and how many times each runs.
#[derive(Clone, Debug)]
pub(crate) struct Sizes {
    /// Runs of each scenario against each server; every figure is the median.
    pub(crate) reps: usize,
    /// Untimed echo calls before the timed ones, so a JIT (Node) or lazy
    /// allocation is not billed to the first timed calls.
    pub(crate) warmup_calls: usize,
    /// The fewest timed calls of `echo-serial` and `echo-pipelined`.
    pub(crate) min_calls: usize,
    /// The shortest timed phase of `echo-serial`, `echo-pipelined` and
    /// `ask-client`: they go on (whole calls or rounds) until both this and
    /// their minimum count are reached, so a fast server is timed as long as a
    /// slow one and CPU times (10 ms ticks) are read over a long enough span.
    pub(crate) min_time: Duration,
    /// Requests in flight in `echo-pipelined`.
    pub(crate) window: usize,
    /// Keep-alive connections of `echo-http` and `echo-http-2026`, each with
    /// one call in flight; also the number of sessions `echo-http` opens.
    pub(crate) http_clients: usize,
    /// The untimed wrk run before the timed one in `echo-http` and
    /// `echo-http-2026`, in which every answer is checked (whole seconds).
    pub(crate) http_warmup: Duration,
    /// The timed wrk run of `echo-http` and `echo-http-2026` (whole seconds:
    /// wrk takes no fractions).
    pub(crate) http_time: Duration,
    /// `count` of an untimed `ask_client` call before the timed ones.
    pub(crate) ask_warmup: u64,
    /// `count` of each timed `ask_client` call (a round).
    pub(crate) ask_count: u64,
    /// `count` of the `emit_notifications` call in `flood`.
    pub(crate) flood_count: u64,
    /// How long the client stops reading at the start of `flood`.
    pub(crate) flood_stall: Duration,
    /// How often `flood` sends a ping.
    pub(crate) ping_interval: Duration,
    /// Echo calls before `idle-memory` reads the server's memory.
    pub(crate) idle_calls: usize,
    /// Sessions `idle-sessions` opens and leaves idle. At most 1,023: mcpwire
    /// holds 1,024 sessions by default, and the first session is not counted.
    pub(crate) idle_sessions: usize,
    /// How long one run (start, scenario, exit) may take before the server is
    /// killed and the run fails.
    pub(crate) run_deadline: Duration,
}

impl Sizes {
    /// The full benchmark. Sized so the whole of `cargo xtask bench` (builds
    /// included) fits in 15 minutes on the 2-core reference machine while each
    /// timed phase lasts long enough (1.5 s) for timer, scheduler and CPU-tick
    /// noise to stay around a percent.
    pub(crate) const FULL: Self = Self {
        reps: 5,
        warmup_calls: 2_000,
        min_calls: 10_000,
        min_time: Duration::from_millis(1_500),
        window: 32,
        http_clients: 32,
        http_warmup: Duration::from_secs(1),
        http_time: Duration::from_secs(2),
        ask_warmup: 100,
        ask_count: 1_000,
        flood_count: 1_000_000,
        flood_stall: Duration::from_secs(2),
        ping_interval: Duration::from_millis(100),
        idle_calls: 1_000,
        idle_sessions: 1_000,
        run_deadline: Duration::from_secs(120),
    };

    /// `--quick`: every scenario at a size that only proves the harness and the
    /// server work together; the figures mean little.
    pub(crate) const QUICK: Self = Self {
        reps: 1,
        warmup_calls: 20,
        min_calls: 200,
        min_time: Duration::ZERO,
        window: 32,
        http_clients: 32,
        http_warmup: Duration::from_secs(1),
        http_time: Duration::from_secs(1),
        ask_warmup: 5,
        ask_count: 50,
        flood_count: 20_000,
        flood_stall: Duration::from_millis(200),
        ping_interval: Duration::from_millis(100),
        idle_calls: 200,
        idle_sessions: 20,
        run_deadline: Duration::from_secs(30),
    };
}

/// A figure one run yields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Metric {
    /// Echo calls per second.
    CallsPerSec,
    /// Median call latency, µs.
    P50Micros,
    /// 99th percentile call latency, µs.
    P99Micros,
    /// Server-to-client request/answer round trips per second.
    RoundTripsPerSec,
    /// Peak resident set size (`VmHWM`), MiB.
    PeakRssMib,
    /// Private memory (`RssAnon`: heap, stacks, buffers, but not the code
    /// and shared-library pages RSS also counts), MiB, at the end of the run.
    PrivateRssMib,
    /// Private memory each idle Streamable HTTP session adds, KiB.
    PrivateKibPerSession,
    /// Slowest ping answer, ms, counted from when it was sent or when the
    /// client resumed reading, whichever is later.
    PingMaxMillis,
    /// Pings sent and answered.
    Pings,
    /// `notifications/message` received.
    Received,
    /// The server's own count of notifications it dropped.
    Dropped,
    /// Requested − received − dropped: notifications neither delivered nor
    /// admitted to; 0 for an honest server.
    Unaccounted,
    /// Notifications received per second once the client reads again.
    NotificationsPerSec,
    /// CPU the server used over the timed phase, % of one core.
    ServerCpu,
    /// Server CPU time per call over the timed phase, in µs: what a call
    /// costs the server, whichever side set the pace.
    ServerCpuPerCall,
    /// CPU the load generator used over the timed phase, % of one core: near
    /// 100 for a single-threaded generator would mean it, not the server, set
    /// the pace.
    ClientCpu,
    /// CPU the rest of the machine used over the timed phase, % of one core:
    /// other processes competing for the two cores disturb the figure.
    OtherCpu,
}

impl Metric {
    /// Column heading, with the unit.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Metric::CallsPerSec => "calls/s",
            Metric::P50Micros => "p50 µs",
            Metric::P99Micros => "p99 µs",
            Metric::RoundTripsPerSec => "round trips/s",
            Metric::PeakRssMib => "peak RSS MiB",
            Metric::PrivateRssMib => "private MiB",
            Metric::PrivateKibPerSession => "private KiB/session",
            Metric::PingMaxMillis => "ping max ms",
            Metric::Pings => "pings",
            Metric::Received => "received",
            Metric::Dropped => "dropped (server's count)",
            Metric::Unaccounted => "unaccounted",
            Metric::NotificationsPerSec => "notifications/s",
            Metric::ServerCpu => "server CPU %",
            Metric::ServerCpuPerCall => "server CPU µs/call",
            Metric::ClientCpu => "generator CPU %",
            Metric::OtherCpu => "other CPU %",
        }
    }

    /// Whether a bigger figure is the better one, for the chart's captions.
    pub(crate) fn higher_is_better(self) -> bool {
        matches!(self, Metric::CallsPerSec | Metric::RoundTripsPerSec | Metric::NotificationsPerSec)
    }

    /// Decimals worth showing.
    pub(crate) fn decimals(self) -> usize {
        match self {
            Metric::PeakRssMib => 1,
            // Idle private memory is judged against 1 MiB, so tenths are too coarse.
            Metric::PrivateRssMib => 2,
            Metric::PingMaxMillis | Metric::PrivateKibPerSession => 1,
            Metric::ServerCpuPerCall => 2,
            _ => 0,
        }
    }
}

/// The figures of one run.
pub(crate) type Sample = BTreeMap<Metric, f64>;

/// The scenarios, in the order they run and are reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Scenario {
    /// One echo call at a time.
    EchoSerial,
    /// A window of echo calls in flight.
    EchoPipelined,
    /// The same window, each call a stateless 2026-07-28 request carrying
    /// its version and capabilities in `_meta`.
    EchoStateless,
    /// Many clients making echo calls over Streamable HTTP, each in a session.
    EchoHttp,
    /// The same load as stateless 2026-07-28 requests, answered as JSON.
    EchoHttp2026,
    /// The server asks the client many questions at once.
    AskClient,
    /// The server streams notifications at a client that stalls, then reads.
    Flood,
    /// Memory after a handshake and a few calls.
    IdleMemory,
    /// Memory per idle Streamable HTTP session.
    IdleSessions,
}

impl Scenario {
    /// Every scenario, in run order.
    pub(crate) const ALL: [Scenario; 9] = [
        Scenario::EchoSerial,
        Scenario::EchoPipelined,
        Scenario::EchoStateless,
        Scenario::EchoHttp,
        Scenario::EchoHttp2026,
        Scenario::AskClient,
        Scenario::Flood,
        Scenario::IdleMemory,
        Scenario::IdleSessions,
    ];

    /// The name used in tables and on the command line.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Scenario::EchoSerial => "echo-serial",
            Scenario::EchoPipelined => "echo-pipelined",
            Scenario::EchoStateless => "echo-2026",
            Scenario::EchoHttp => "echo-http",
            Scenario::EchoHttp2026 => "echo-http-2026",
            Scenario::AskClient => "ask-client",
            Scenario::Flood => "flood",
            Scenario::IdleMemory => "idle-memory",
            Scenario::IdleSessions => "idle-sessions",
        }
    }

    /// The tool the scenario calls, if any; a server without it gets "n/a".
    pub(crate) fn tool(self) -> Option<&'static str> {
        match self {
            Scenario::EchoSerial
            | Scenario::EchoPipelined
            | Scenario::EchoStateless
            | Scenario::EchoHttp
            | Scenario::EchoHttp2026
            | Scenario::IdleMemory => Some("echo"),
            Scenario::AskClient => Some("ask_client"),
            Scenario::Flood => Some("emit_notifications"),
            Scenario::IdleSessions => None,
        }
    }

    /// The figures it reports; the first is the headline, which the ratios and
    /// the chart use.
    pub(crate) fn metrics(self) -> &'static [Metric] {
        match self {
            Scenario::EchoSerial
            | Scenario::EchoPipelined
            | Scenario::EchoStateless
            | Scenario::EchoHttp
            | Scenario::EchoHttp2026 => &[
                Metric::CallsPerSec,
                Metric::P50Micros,
                Metric::P99Micros,
                Metric::ServerCpuPerCall,
                Metric::ServerCpu,
                Metric::ClientCpu,
                Metric::OtherCpu,
            ],
            Scenario::AskClient => &[Metric::RoundTripsPerSec, Metric::ServerCpu, Metric::ClientCpu, Metric::OtherCpu],
            Scenario::Flood => &[
                Metric::PeakRssMib,
                Metric::PrivateRssMib,
                Metric::PingMaxMillis,
                Metric::Pings,
                Metric::Received,
                Metric::Dropped,
                Metric::Unaccounted,
                Metric::NotificationsPerSec,
            ],
            Scenario::IdleMemory => &[Metric::PrivateRssMib, Metric::PeakRssMib],
            Scenario::IdleSessions => &[Metric::PrivateKibPerSession, Metric::PrivateRssMib, Metric::PeakRssMib],
        }
    }

    /// The headline figure.
    pub(crate) fn headline(self) -> Metric {
        self.metrics()[0]
    }

    /// Whether it talks to the server over Streamable HTTP rather than stdio.
    pub(crate) fn over_http(self) -> bool {
        matches!(self, Scenario::EchoHttp | Scenario::EchoHttp2026 | Scenario::IdleSessions)
    }

    /// Runs the scenario once against a fresh server.
    pub(crate) fn run(self, server: &Server, sizes: &Sizes) -> Result<Sample> {
        if self.over_http() {
            let launch = server.http_launch(self).map_err(|reason| anyhow::anyhow!("no HTTP server: {reason}"))?;
            let server = HttpServer::start(launch, sizes.run_deadline)?;
            let measured = match self {
                Scenario::EchoHttp => echo_http(&server, sizes),
                Scenario::EchoHttp2026 => echo_http_2026(&server, sizes),
                _ => idle_sessions(&server, sizes),
            };
            return match measured {
                Ok(sample) => {
                    server.finish();
                    Ok(sample)
                }
                Err(e) => Err(server.explain(e)),
            };
        }
        let mut session = Session::start(&server.launch, sizes.run_deadline)?;
        let measured = match self {
            Scenario::EchoSerial => echo_serial(&mut session, sizes),
            Scenario::EchoPipelined => echo_pipelined(&mut session, sizes, &echo_params()),
            Scenario::EchoStateless => echo_pipelined(&mut session, sizes, &stateless_echo_params()),
            Scenario::AskClient => ask_client(&mut session, sizes),
            Scenario::Flood => flood(&mut session, sizes),
            Scenario::IdleMemory => idle_memory(&mut session, sizes),
            Scenario::EchoHttp | Scenario::EchoHttp2026 | Scenario::IdleSessions => {
                unreachable!("it runs over HTTP, above")
            }
        };
        match measured {
            Ok(sample) => {
                session.finish();
                Ok(sample)
            }
            Err(e) => Err(session.explain(e)),
        }
    }
}

/// Starts a server, asks for its tools, and stops it: what the report needs to
/// know before any scenario runs.
pub(crate) fn probe(launch: &Launch, deadline: Duration) -> Result<(ServerInfo, Vec<String>)> {
    let mut session = Session::start(launch, deadline)?;
    let mut tools = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let params = cursor.as_ref().map(|c| json!({ "cursor": c }).to_string());
        let id = session.out.request("tools/list", params.as_deref())?;
        let result = session.wait_result(id)?;
        let listed = result.get("tools").and_then(Value::as_array).context("tools/list result without tools")?;
        tools.extend(listed.iter().filter_map(|t| t.get("name")?.as_str().map(str::to_owned)));
        cursor = result.get("nextCursor").and_then(Value::as_str).map(str::to_owned);
        if cursor.is_none() {
            break;
        }
    }
    let info = session.info.clone();
    session.finish();
    Ok((info, tools))
}

/// What every echo call sends; short, like most tool arguments.
const ECHO_TEXT: &str = "the quick brown fox jumps over the lazy dog";

/// The `tools/call` params of an echo call, serialised once per run.
fn echo_params() -> String {
    json!({"name": "echo", "arguments": {"text": ECHO_TEXT}}).to_string()
}

/// The stateless revision the 2026 scenarios speak.
const STATELESS_VERSION: &str = "2026-07-28";

/// The params of a stateless (2026-07-28) echo call: the same call, with
/// the `_meta` every such request carries, as a client would send it.
fn stateless_echo_params() -> String {
    json!({
        "name": "echo",
        "arguments": {"text": ECHO_TEXT},
        "_meta": {
            "io.modelcontextprotocol/protocolVersion": STATELESS_VERSION,
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}},
            "io.modelcontextprotocol/clientInfo": {"name": "mcpwire-bench", "version": "1.0.0"}
        }
    })
    .to_string()
}

/// The `tools/call` params of a tool taking a count.
fn count_params(tool: &str, count: u64) -> String {
    json!({"name": tool, "arguments": {"count": count}}).to_string()
}

/// A tool result's first text content block.
fn result_text(result: &Value) -> Option<&str> {
    result.pointer("/content/0/text").and_then(Value::as_str)
}

/// One untimed call whose whole result is checked, so the timed loops can
/// settle for "answered without a JSON-RPC error".
fn check_echo(session: &mut Session, params: &str) -> Result<()> {
    let id = session.out.request("tools/call", Some(params))?;
    let result = session.wait_result(id)?;
    ensure!(result.get("isError") != Some(&Value::Bool(true)), "echo returned a tool error: {result}");
    ensure!(result_text(&result) == Some(ECHO_TEXT), "echo returned {result}, not its text");
    Ok(())
}

/// One echo call, waited for.
fn echo_once(session: &mut Session, params: &str) -> Result<()> {
    let id = session.out.request("tools/call", Some(params))?;
    loop {
        let message = session.inc.recv_flushing(&mut session.out)?;
        if message.response_id() == Some(id) {
            return match message.outcome() {
                Ok(_) => Ok(()),
                Err(error) => bail!("echo call {id} failed: {error}"),
            };
        }
        answer_stray(&mut session.out, &message)?;
    }
}

/// The figures of a batch of timed calls.
fn call_figures(calls: usize, elapsed: Duration, latencies: &mut [Duration]) -> Sample {
    let micros = |d: Option<Duration>| d.map_or(f64::NAN, |d| d.as_secs_f64() * 1e6);
    BTreeMap::from([
        (Metric::CallsPerSec, calls as f64 / elapsed.as_secs_f64()),
        (Metric::P50Micros, micros(percentile(latencies, 50.0))),
        (Metric::P99Micros, micros(percentile(latencies, 99.0))),
    ])
}

/// `echo-serial`: each call is written and flushed, then its answer awaited,
/// before the next is sent. Latency is from just before the request is written
/// to just after its answer is parsed; the rate is calls over the whole loop.
fn echo_serial(session: &mut Session, sizes: &Sizes) -> Result<Sample> {
    let params = echo_params();
    check_echo(session, &params)?;
    for _ in 0..sizes.warmup_calls {
        echo_once(session, &params)?;
    }
    let mut latencies = Vec::new();
    let meter = CpuMeter::start(session.pid)?;
    let started = Instant::now();
    while latencies.len() < sizes.min_calls || started.elapsed() < sizes.min_time {
        let sent = Instant::now();
        echo_once(session, &params)?;
        latencies.push(sent.elapsed());
    }
    let elapsed = started.elapsed();
    let mut sample = call_figures(latencies.len(), elapsed, &mut latencies);
    meter.record(&mut sample, Some(latencies.len()))?;
    Ok(sample)
}

/// `echo-pipelined`: `window` calls in flight; each answer lets one more call
/// go. Requests written while answers are still buffered go out together with
/// the next flush, which happens before the client would block.
fn echo_pipelined(session: &mut Session, sizes: &Sizes, params: &str) -> Result<Sample> {
    check_echo(session, params)?;
    pipeline(session, params, sizes.warmup_calls, Duration::ZERO, sizes.window)?;
    let meter = CpuMeter::start(session.pid)?;
    let started = Instant::now();
    let mut latencies = pipeline(session, params, sizes.min_calls, sizes.min_time, sizes.window)?;
    let elapsed = started.elapsed();
    let mut sample = call_figures(latencies.len(), elapsed, &mut latencies);
    meter.record(&mut sample, Some(latencies.len()))?;
    Ok(sample)
}

/// Sends echo calls keeping `window` in flight until at least `min_calls` have
/// gone out and `min_time` has passed, then waits for the calls still in
/// flight; returns every call's latency.
fn pipeline(
    session: &mut Session,
    params: &str,
    min_calls: usize,
    min_time: Duration,
    window: usize,
) -> Result<Vec<Duration>> {
    // Ids are minted in sequence and nothing else mints during the loop, so a
    // call's index is its id minus the first id.
    let started = Instant::now();
    let mut sent_at: Vec<Instant> = Vec::new();
    let mut answered: Vec<bool> = Vec::new();
    let mut latencies = Vec::new();
    let mut first_id = 0;
    let initial = if min_time.is_zero() { min_calls.clamp(1, window) } else { window };
    while sent_at.len() < initial {
        sent_at.push(Instant::now());
        answered.push(false);
        let id = session.out.request("tools/call", Some(params))?;
        if sent_at.len() == 1 {
            first_id = id;
        }
    }
    while latencies.len() < sent_at.len() {
        let message = session.inc.recv_flushing(&mut session.out)?;
        let Some(index) = message.response_id().and_then(|id| id.checked_sub(first_id)).map(|i| i as usize) else {
            answer_stray(&mut session.out, &message)?;
            continue;
        };
        ensure!(
            index < sent_at.len() && !answered[index],
            "unexpected or duplicate answer to request {}",
            message.response_id().unwrap_or(0)
        );
        if let Err(error) = message.outcome() {
            bail!("echo call {} failed: {error}", first_id + index as u64);
        }
        answered[index] = true;
        let now = Instant::now();
        latencies.push(now - sent_at[index]);
        if sent_at.len() < min_calls || now - started < min_time {
            sent_at.push(Instant::now());
            answered.push(false);
            session.out.request("tools/call", Some(params))?;
        }
    }
    Ok(latencies)
}

/// The `Accept` every POST carries: a Streamable HTTP client takes either.
const ACCEPT_BOTH: &str = "application/json, text/event-stream";

/// `echo-http`: `http_clients` MCP sessions are opened one after another
/// (`initialize`, `notifications/initialized`), each checked with one echo
/// call, then wrk keeps `http_clients` keep-alive connections busy with echo
/// calls, one in flight on each, the sessions taken in turn (see
/// [`wrk_echo`]).
fn echo_http(server: &HttpServer, sizes: &Sizes) -> Result<Sample> {
    let params = echo_params();
    let heads = (0..sizes.http_clients.max(1))
        .map(|client| {
            let mut session = HttpSession::open(server.address).with_context(|| format!("session {client}"))?;
            let result = session.call("tools/call", Some(&params)).with_context(|| format!("session {client}"))?;
            ensure!(result.get("isError") != Some(&Value::Bool(true)), "echo returned a tool error: {result}");
            ensure!(result_text(&result) == Some(ECHO_TEXT), "echo returned {result}, not its text");
            let id = session.session_id().context("the server's initialize answer had no Mcp-Session-Id")?;
            Ok(wrk::head(
                server.address,
                &[
                    ("Accept", ACCEPT_BOTH),
                    ("Content-Type", "application/json"),
                    ("Mcp-Session-Id", id),
                    ("MCP-Protocol-Version", PROTOCOL_VERSION),
                ],
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    wrk_echo(server, sizes, &heads, &params)
}

/// `echo-http-2026`: wrk sends stateless 2026-07-28 echo calls, each with the
/// headers that revision asks for (`MCP-Protocol-Version`, `Mcp-Method`,
/// `Mcp-Name`) and the `_meta` of echo-2026's calls, on `http_clients`
/// keep-alive connections (see [`wrk_echo`]).
fn echo_http_2026(server: &HttpServer, sizes: &Sizes) -> Result<Sample> {
    let head = wrk::head(
        server.address,
        &[
            ("Accept", ACCEPT_BOTH),
            ("Content-Type", "application/json"),
            ("MCP-Protocol-Version", STATELESS_VERSION),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", "echo"),
        ],
    );
    wrk_echo(server, sizes, &[head], &stateless_echo_params())
}

/// The load of the HTTP echo scenarios: wrk with one thread and
/// `http_clients` connections, first for `http_warmup` reading and checking
/// every answer (HTTP 200, the echoed text, no JSON-RPC error), then for
/// `http_time` only counting them: that run is the figure. Latency is wrk's,
/// per call, from writing the request to reading the answer's end; the
/// generator's CPU is wrk's.
fn wrk_echo(server: &HttpServer, sizes: &Sizes, heads: &[String], params: &str) -> Result<Sample> {
    let suffix = format!(r#","method":"tools/call","params":{params}}}"#);
    let load = |check: bool, duration: Duration| wrk::Load {
        address: server.address,
        connections: sizes.http_clients.max(1),
        duration,
        check,
        expected: ECHO_TEXT,
        body: (r#"{"jsonrpc":"2.0","id":"#, &suffix),
        heads,
    };
    wrk::run(&load(true, sizes.http_warmup)).context("the checked warm-up run")?;
    let meter = CpuMeter::start(server.pid)?;
    let timed = wrk::run(&load(false, sizes.http_time)).context("the timed run")?;
    let mut sample = BTreeMap::from([
        (Metric::CallsPerSec, timed.calls as f64 / timed.duration.as_secs_f64()),
        (Metric::P50Micros, timed.p50_micros),
        (Metric::P99Micros, timed.p99_micros),
    ]);
    meter.record_with_generator(&mut sample, Some(timed.calls as usize), timed.cpu)?;
    Ok(sample)
}

/// What the reader of `ask-client` hands its writer thread.
enum Reply {
    /// Accept the elicitation with this raw id.
    Accept(String),
    /// Refuse a request the benchmark does not serve.
    Refuse(String),
}

/// The answer given to every elicitation: accepted, with content that satisfies
/// any schema whose properties are all optional.
const ELICIT_ACCEPT: &str = r#"{"action":"accept","content":{}}"#;

/// `ask-client`: `ask_client` calls of `ask_count`, one after another, until
/// `min_time` has passed (at least one); the client answers every
/// `elicitation/create` the moment it reads it. The rate is elicitations over
/// the summed time from sending each call to reading its result.
fn ask_client(session: &mut Session, sizes: &Sizes) -> Result<Sample> {
    ask_round(session, sizes.ask_warmup)?;
    let meter = CpuMeter::start(session.pid)?;
    let started = Instant::now();
    let (mut rounds, mut busy) = (0u64, Duration::ZERO);
    while rounds == 0 || started.elapsed() < sizes.min_time {
        busy += ask_round(session, sizes.ask_count)?;
        rounds += 1;
    }
    let mut sample =
        BTreeMap::from([(Metric::RoundTripsPerSec, (rounds * sizes.ask_count) as f64 / busy.as_secs_f64())]);
    meter.record(&mut sample, None)?;
    Ok(sample)
}

/// One `ask_client` call of `count`; returns how long it took.
///
/// Answers are written by a second thread, so the reader never stops reading
/// while a write waits for room in the pipe: a server that writes all its
/// requests before reading any answer (the floor does) cannot deadlock with us.
fn ask_round(session: &mut Session, count: u64) -> Result<Duration> {
    let params = count_params("ask_client", count);
    let out = &mut session.out;
    let inc = &mut session.inc;
    let started = Instant::now();
    let call = out.request("tools/call", Some(&params))?;
    out.flush()?;
    let (replies, to_write) = mpsc::channel::<Reply>();
    let (elapsed, asked, result) = std::thread::scope(|scope| -> Result<(Duration, u64, Value)> {
        let writer = scope.spawn(move || -> io::Result<()> {
            loop {
                // Flush only when no answer is queued: answers read in one
                // batch go out in one write.
                let reply = match to_write.try_recv() {
                    Ok(reply) => reply,
                    Err(_) => {
                        out.flush()?;
                        match to_write.recv() {
                            Ok(reply) => reply,
                            Err(_) => return out.flush(),
                        }
                    }
                };
                match reply {
                    Reply::Accept(id) => out.respond(&id, ELICIT_ACCEPT)?,
                    Reply::Refuse(id) => out.refuse(&id)?,
                }
            }
        });
        let mut asked = 0u64;
        let read = loop {
            let message = match inc.recv() {
                Ok(message) => message,
                Err(e) => break Err(e),
            };
            let reply = match (message.method(), message.request_id()) {
                (Some("elicitation/create"), Some(id)) => {
                    asked += 1;
                    Reply::Accept(id.to_owned())
                }
                (_, Some(id)) => Reply::Refuse(id.to_owned()),
                _ if message.response_id() == Some(call) => {
                    let elapsed = started.elapsed();
                    break match message.outcome() {
                        Ok(result) => serde_json::from_str(result.get()).map(|r| (elapsed, r)).map_err(Into::into),
                        Err(error) => Err(anyhow::anyhow!("ask_client failed: {error}")),
                    };
                }
                _ => continue,
            };
            if replies.send(reply).is_err() {
                break Err(anyhow::anyhow!("the answer writer stopped"));
            }
        };
        drop(replies);
        let written = writer.join().expect("the answer writer does not panic");
        let (elapsed, result) = read?;
        written.context("writing elicitation answers")?;
        Ok((elapsed, asked, result))
    })?;
    let expected = format!("accepted={count} declined=0 cancelled=0 errors=0");
    ensure!(asked == count, "the server sent {asked} elicitation requests, not {count}");
    ensure!(result_text(&result) == Some(expected.as_str()), "ask_client returned {result}, not {expected:?}");
    Ok(elapsed)
}

/// Pings sent during the flood and not yet answered, by id, with when each was sent.
type PendingPings = Mutex<HashMap<u64, Instant>>;

/// Sends one ping, registering it before it is written so its answer always
/// finds it.
fn send_ping(out: &Mutex<&mut Outgoing>, pending: &PendingPings) -> io::Result<()> {
    let mut out = out.lock().unwrap_or_else(PoisonError::into_inner);
    let id = out.mint_id();
    pending.lock().unwrap_or_else(PoisonError::into_inner).insert(id, Instant::now());
    out.write_request(id, "ping", None)?;
    out.flush()
}

/// Stops the pinger thread, if still running, and waits for it.
fn stop_pinger(stop: &mut Option<Sender<()>>, pinger: &mut Option<ScopedJoinHandle<'_, io::Result<()>>>) -> Result<()> {
    stop.take();
    match pinger.take() {
        Some(pinger) => pinger.join().expect("the pinger does not panic").context("sending pings"),
        None => Ok(()),
    }
}

/// `flood`: one `emit_notifications` call while the client stops reading for
/// `flood_stall`, then reads as fast as it can; a ping goes out every
/// `ping_interval` throughout. When the call's result arrives the pings stop,
/// one last ping is sent, and the run ends once every ping is answered.
fn flood(session: &mut Session, sizes: &Sizes) -> Result<Sample> {
    let params = count_params("emit_notifications", sizes.flood_count);
    let call = session.out.request("tools/call", Some(&params))?;
    session.out.flush()?;
    let pid = session.pid;
    let inc = &mut session.inc;
    let out = Mutex::new(&mut session.out);
    let pending = PendingPings::default();
    let (stop, stopped) = mpsc::channel::<()>();
    let (received, pings, ping_max, resumed, finished, result) = std::thread::scope(|scope| {
        let mut stop = Some(stop);
        let (out, pending) = (&out, &pending);
        let mut pinger = Some(scope.spawn(move || -> io::Result<()> {
            // The channel doubles as the clock: it times out every interval
            // and disconnects when the reader stops the pinger.
            while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(sizes.ping_interval) {
                send_ping(out, pending)?;
            }
            Ok(())
        }));
        // The stall is the behaviour under test, a client that stops reading,
        // not a wait for something to happen.
        std::thread::sleep(sizes.flood_stall);
        let resumed = Instant::now();
        let (mut received, mut pings, mut ping_max) = (0u64, 0u64, Duration::ZERO);
        let mut outcome: Option<(Instant, Value)> = None;
        let read = loop {
            let message = match inc.recv() {
                Ok(message) => message,
                Err(e) => break Err(e),
            };
            if message.method() == Some("notifications/message") {
                received += 1;
                continue;
            }
            let Some(id) = message.response_id() else {
                if let Some(raw_id) = message.request_id() {
                    let mut out = out.lock().unwrap_or_else(PoisonError::into_inner);
                    if let Err(e) = out.refuse(raw_id).and_then(|()| out.flush()) {
                        break Err(e.into());
                    }
                }
                continue;
            };
            if id == call {
                let finished = Instant::now();
                let result = match message.outcome() {
                    Ok(result) => serde_json::from_str::<Value>(result.get()),
                    Err(error) => break Err(anyhow::anyhow!("emit_notifications failed: {error}")),
                };
                match result {
                    Ok(result) => outcome = Some((finished, result)),
                    Err(e) => break Err(e.into()),
                }
                if let Err(e) = stop_pinger(&mut stop, &mut pinger) {
                    break Err(e);
                }
                if let Err(e) = send_ping(out, pending) {
                    break Err(e.into());
                }
                continue;
            }
            let sent = pending.lock().unwrap_or_else(PoisonError::into_inner).remove(&id);
            if let Some(sent) = sent {
                if let Err(error) = message.outcome() {
                    break Err(anyhow::anyhow!("ping {id} failed: {error}"));
                }
                pings += 1;
                // A ping sent while the client was not reading cannot be
                // answered before it reads again; its clock starts then.
                ping_max = ping_max.max(Instant::now() - sent.max(resumed));
                let all_answered = pending.lock().unwrap_or_else(PoisonError::into_inner).is_empty();
                if outcome.is_some() && all_answered {
                    break Ok(());
                }
            }
        };
        let stopped = stop_pinger(&mut stop, &mut pinger);
        read.and(stopped)?;
        let (finished, result) = outcome.expect("the loop ends only after the call's result");
        anyhow::Ok((received, pings, ping_max, resumed, finished, result))
    })?;
    let peak = proc_stats::peak_rss_bytes(pid)?;
    let private = proc_stats::private_rss_bytes(pid)?;
    let mut sample = BTreeMap::from([
        (Metric::PeakRssMib, peak as f64 / MIB),
        (Metric::PrivateRssMib, private as f64 / MIB),
        (Metric::PingMaxMillis, ping_max.as_secs_f64() * 1e3),
        (Metric::Pings, pings as f64),
        (Metric::Received, received as f64),
        (Metric::NotificationsPerSec, received as f64 / (finished - resumed).as_secs_f64()),
    ]);
    if let Some(dropped) = result.pointer("/structuredContent/dropped").and_then(Value::as_u64) {
        sample.insert(Metric::Dropped, dropped as f64);
        sample.insert(Metric::Unaccounted, sizes.flood_count as f64 - received as f64 - dropped as f64);
    }
    Ok(sample)
}

/// Bytes in a MiB.
const MIB: f64 = 1024.0 * 1024.0;

/// Bytes in a KiB.
const KIB: f64 = 1024.0;

/// CPU time of the server, of the load generator and of the whole machine over
/// a timed phase.
struct CpuMeter {
    /// The server's process.
    pid: u32,
    /// The server's CPU time at the start.
    server: Duration,
    /// The generator's CPU time at the start.
    client: Duration,
    /// The machine's busy time at the start.
    machine: Duration,
    /// When the phase started.
    started: Instant,
}

impl CpuMeter {
    fn start(pid: u32) -> Result<Self> {
        Ok(Self {
            pid,
            server: proc_stats::cpu_time(pid)?,
            client: proc_stats::cpu_time(std::process::id())?,
            machine: proc_stats::machine_busy()?,
            started: Instant::now(),
        })
    }

    /// Adds each side's CPU use since the start, and the rest of the
    /// machine's, as % of one core, to `sample`; given the phase's `calls`,
    /// also the server's CPU time per call.
    fn record(self, sample: &mut Sample, calls: Option<usize>) -> Result<()> {
        self.record_with_generator(sample, calls, Duration::ZERO)
    }

    /// As [`record`](Self::record), with `generator` more CPU time billed to
    /// the load generator: what a child process (wrk) used.
    fn record_with_generator(self, sample: &mut Sample, calls: Option<usize>, generator: Duration) -> Result<()> {
        let wall = self.started.elapsed().as_secs_f64();
        let server = proc_stats::cpu_time(self.pid)?.saturating_sub(self.server);
        let client = proc_stats::cpu_time(std::process::id())?.saturating_sub(self.client) + generator;
        let machine = proc_stats::machine_busy()?.saturating_sub(self.machine);
        let other = machine.saturating_sub(server + client);
        let percent = |d: Duration| d.as_secs_f64() / wall * 100.0;
        sample.insert(Metric::ServerCpu, percent(server));
        sample.insert(Metric::ClientCpu, percent(client));
        sample.insert(Metric::OtherCpu, percent(other));
        if let Some(calls) = calls.filter(|&calls| calls > 0) {
            sample.insert(Metric::ServerCpuPerCall, server.as_secs_f64() * 1e6 / calls as f64);
        }
        Ok(())
    }
}

/// `idle-memory`: the handshake, `idle_calls` serial echo calls, then the
/// server's private memory and peak RSS.
fn idle_memory(session: &mut Session, sizes: &Sizes) -> Result<Sample> {
    let params = echo_params();
    for _ in 0..sizes.idle_calls {
        echo_once(session, &params)?;
    }
    Ok(BTreeMap::from([
        (Metric::PrivateRssMib, session.private_rss()? as f64 / MIB),
        (Metric::PeakRssMib, session.peak_rss()? as f64 / MIB),
    ]))
}

/// `idle-sessions`: one session is opened first and not counted (the first
/// connection and session start whatever a server starts lazily); then
/// `idle_sessions` more, each `initialize` and `notifications/initialized`
/// only, all over that same keep-alive connection, so the figure is the
/// sessions' own state and not per-connection buffers. None is closed or
/// used again. The server's private memory is read before and after them.
fn idle_sessions(server: &HttpServer, sizes: &Sizes) -> Result<Sample> {
    let mut session = HttpSession::open(server.address).context("the first session")?;
    let before = proc_stats::private_rss_bytes(server.pid)?;
    for opened in 0..sizes.idle_sessions {
        session.start_another_session().with_context(|| format!("after {opened} idle sessions"))?;
    }
    let after = proc_stats::private_rss_bytes(server.pid)?;
    let added = after as f64 - before as f64;
    Ok(BTreeMap::from([
        (Metric::PrivateKibPerSession, added / KIB / sizes.idle_sessions.max(1) as f64),
        (Metric::PrivateRssMib, after as f64 / MIB),
        (Metric::PeakRssMib, proc_stats::peak_rss_bytes(server.pid)? as f64 / MIB),
    ]))
}
