//! The checks of `cargo xtask scale`, one table row each: what is sent
//! through nginx, what is done to the processes meanwhile, and what counts
//! as a failure that was not expected.
//!
//! Every call is checked whole (status, the process that answered, the
//! result), so a row's counts are calls, not HTTP exchanges that merely
//! completed.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::Sizes;
use super::client::Client;
use super::fleet::{Process, Setup};
use super::nginx::{Nginx, Upstream};
use crate::bench::{number, proc_stats, wrk};

/// The text every echo call sends.
const ECHO_TEXT: &str = "scale out";

/// One row of the table.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// What it checks.
    pub(crate) check: String,
    /// Calls made (an input-required call counts once, however many rounds).
    pub(crate) calls: u64,
    /// Calls that failed.
    pub(crate) failed: u64,
    /// Failures, or broken promises, the row does not allow: the row passes
    /// when this is 0.
    pub(crate) unexpected: u64,
    /// What was seen, in a few words.
    pub(crate) seen: String,
}

/// How one call under load went.
#[derive(Debug, Clone)]
struct Record {
    started: Instant,
    outcome: Outcome,
}

#[derive(Debug, Clone)]
enum Outcome {
    /// Answered with the echo, by this process.
    Echoed { upstream: String },
    /// An HTTP answer that was not the echo.
    Refused { status: u16, upstream: String, what: String },
    /// No answer at all: the connection failed.
    Lost { what: String },
}

/// One stateless echo call.
fn echo(client: &mut Client) -> Outcome {
    let params = json!({"name": "echo", "arguments": {"text": ECHO_TEXT}});
    match client.call_stateless("echo", params) {
        Ok((id, answer)) if answer.status == 200 && tool_text(answer.result(id)) == Some(ECHO_TEXT) => {
            Outcome::Echoed { upstream: answer.upstream }
        }
        Ok((_, answer)) => {
            Outcome::Refused { status: answer.status, upstream: answer.upstream.clone(), what: answer.describe() }
        }
        Err(error) => Outcome::Lost { what: error.to_string() },
    }
}

/// A tool result's first text block.
fn tool_text(result: Option<&Value>) -> Option<&str> {
    result?.pointer("/content/0/text")?.as_str()
}

/// When each process last answered a call of the load, so a procedure can
/// wait until nginx sends to a process again.
#[derive(Default)]
struct Answered {
    last: Mutex<BTreeMap<String, Instant>>,
    changed: Condvar,
}

impl Answered {
    fn note(&self, route: &str) {
        let mut last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        last.insert(route.to_owned(), Instant::now());
        self.changed.notify_all();
    }

    /// Waits until `route` answers a call started after `since`, at most `deadline`.
    fn wait_for(&self, route: &str, since: Instant, deadline: Duration) -> Result<Duration> {
        let last = self.last.lock().unwrap_or_else(PoisonError::into_inner);
        let (_last, timeout) = self
            .changed
            .wait_timeout_while(last, deadline, |last| last.get(route).is_none_or(|at| *at <= since))
            .unwrap_or_else(PoisonError::into_inner);
        anyhow::ensure!(!timeout.timed_out(), "nginx sent {route} no call within {deadline:?} of its restart");
        Ok(since.elapsed())
    }
}

/// Runs `procedure` while `clients` clients make stateless echo calls
/// through nginx back to back; returns its outcome and every call's record.
/// The procedure is handed who answered last, to wait on.
fn under_load<T>(
    nginx: &Nginx,
    clients: usize,
    procedure: impl FnOnce(&Answered) -> Result<T>,
) -> (Result<T>, Vec<Record>) {
    let stop = AtomicBool::new(false);
    let answered = Answered::default();
    let address = nginx.address;
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..clients)
            .map(|_| {
                scope.spawn(|| {
                    let mut client = Client::new(address);
                    let mut records = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let started = Instant::now();
                        let outcome = echo(&mut client);
                        if let Outcome::Echoed { upstream } = &outcome {
                            answered.note(upstream);
                        }
                        records.push(Record { started, outcome });
                    }
                    records
                })
            })
            .collect();
        let outcome = procedure(&answered);
        stop.store(true, Ordering::Relaxed);
        let records = workers.into_iter().flat_map(|w| w.join().expect("a load client does not panic")).collect();
        (outcome, records)
    })
}

/// Calls per process, as `p1 1,234 · p2 1,230`.
fn per_process(counts: &BTreeMap<String, u64>) -> String {
    counts
        .iter()
        .map(|(route, n)| format!("{} {}", if route.is_empty() { "?" } else { route }, number(*n as f64)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// 2026-07-28 calls spread round-robin: `clients` clients make their calls;
/// every call must be answered, and every process must serve its share
/// (at least half of an even split).
pub(crate) fn round_robin(nginx: &Nginx, processes: &[Process], sizes: &Sizes) -> Row {
    let address = nginx.address;
    let outcomes: Vec<Outcome> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..sizes.clients)
            .map(|_| {
                scope.spawn(move || {
                    let mut client = Client::new(address);
                    (0..sizes.calls_per_client).map(|_| echo(&mut client)).collect::<Vec<_>>()
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("a client does not panic")).collect()
    });
    let mut counts: BTreeMap<String, u64> = processes.iter().map(|p| (p.route.clone(), 0)).collect();
    let mut failed = 0;
    let mut first_failure = None;
    for outcome in &outcomes {
        match outcome {
            Outcome::Echoed { upstream } => *counts.entry(upstream.clone()).or_default() += 1,
            Outcome::Refused { what, .. } | Outcome::Lost { what } => {
                failed += 1;
                first_failure.get_or_insert_with(|| what.clone());
            }
        }
    }
    let calls = outcomes.len() as u64;
    let fair = calls / processes.len() as u64 / 2;
    let starved = counts.values().filter(|n| **n < fair).count() as u64;
    let mut seen = format!("calls per process: {}", per_process(&counts));
    if let Some(first) = first_failure {
        seen.push_str(&format!("; first failure: {first}"));
    }
    if starved > 0 {
        seen.push_str(&format!("; {starved} process(es) served less than half an even share"));
    }
    Row { check: "2026-07-28 calls, round-robin".to_owned(), calls, failed, unexpected: failed + starved, seen }
}

/// Input-required rounds across processes: `test_input_required_result_multi_round`
/// asks two questions, one round each, so each call is three POSTs; one
/// client makes the calls one after another, so nginx's round-robin sends
/// every retry to another process than the round before it. Every call must
/// complete with the answers of both rounds, and in every call a retry must
/// land on another process than the first round: the requestState sealed by
/// one process is opened by another, with the key they share.
pub(crate) fn input_required(nginx: &Nginx, sizes: &Sizes) -> Row {
    let mut client = Client::new(nginx.address);
    let (mut failed, mut crossed) = (0, 0);
    let mut first_failure = None;
    for _ in 0..sizes.input_required_calls {
        match multi_round(&mut client) {
            Ok(routes) => {
                if routes[1..].iter().any(|route| *route != routes[0]) {
                    crossed += 1;
                }
            }
            Err(e) => {
                failed += 1;
                first_failure.get_or_insert_with(|| format!("{e:#}"));
            }
        }
    }
    let calls = sizes.input_required_calls as u64;
    let mut seen = format!("a retry on another process than round 1 in {crossed} of {calls} calls");
    if let Some(first) = first_failure {
        seen.push_str(&format!("; first failure: {first}"));
    }
    let unexpected = failed + (calls - failed - crossed);
    Row { check: "input-required retries on another process".to_owned(), calls, failed, unexpected, seen }
}

/// One call of the multi-round tool; returns the route of each round.
fn multi_round(client: &mut Client) -> Result<Vec<String>> {
    let tool = "test_input_required_result_multi_round";
    let base = json!({"name": tool, "arguments": {}});
    let mut routes = Vec::new();
    let mut params = base.clone();
    let answers = [("step1", json!({"name": "Alice"})), ("step2", json!({"color": "blue"}))];
    for (round, (key, content)) in answers.iter().enumerate() {
        let (id, answer) = client.call_stateless(tool, params.clone())?;
        routes.push(answer.upstream.clone());
        let result = answer.result(id).with_context(|| format!("round {}: {}", round + 1, answer.describe()))?;
        let asked = result.pointer(&format!("/inputRequests/{key}")).is_some();
        if result.get("resultType") != Some(&json!("input_required")) || !asked {
            anyhow::bail!("round {} did not ask for {key}: {}", round + 1, answer.describe());
        }
        params = base.clone();
        params["inputResponses"] = json!({ *key: {"action": "accept", "content": content} });
        if let Some(state) = result.get("requestState") {
            params["requestState"] = state.clone();
        }
    }
    let (id, answer) = client.call_stateless(tool, params)?;
    routes.push(answer.upstream.clone());
    let done = tool_text(answer.result(id)) == Some("Multi-round complete for Alice who likes blue");
    if !done {
        anyhow::bail!("round 3 did not complete: {}", answer.describe());
    }
    Ok(routes)
}

/// Handshake-era sessions pinned to their process: `sessions` sessions are
/// opened through nginx (spread by round-robin, each id routed by nginx),
/// each makes `calls_per_session` echo calls, and every answer must come
/// from the session's process. Then, in one session per process, a `slow`
/// call's stream is dropped after its first event and resumed with
/// `Last-Event-ID`, which must reach the same process and deliver the result.
pub(crate) fn sessions(nginx: &Nginx, processes: &[Process], sizes: &Sizes) -> Row {
    let mut client = Client::new(nginx.address);
    let (mut calls, mut failed, mut misrouted) = (0u64, 0u64, 0u64);
    let mut first_failure: Option<String> = None;
    let mut note = |what: String| {
        first_failure.get_or_insert(what);
    };
    let mut by_route: BTreeMap<String, Vec<String>> = processes.iter().map(|p| (p.route.clone(), Vec::new())).collect();
    for _ in 0..sizes.sessions {
        calls += 1;
        match open_session(&mut client) {
            Ok((route, id)) => by_route.entry(route).or_default().push(id),
            Err(e) => {
                failed += 1;
                note(format!("{e:#}"));
            }
        }
    }
    for (route, ids) in &by_route {
        for id in ids {
            for _ in 0..sizes.calls_per_session {
                calls += 1;
                let params = json!({"name": "echo", "arguments": {"text": ECHO_TEXT}});
                match client.request_in_session(Some(id), "tools/call", &params) {
                    Ok((call, answer)) if tool_text(answer.result(call)) == Some(ECHO_TEXT) => {
                        if answer.upstream != *route {
                            misrouted += 1;
                            note(format!("a call of a session of {route} was answered by {}", answer.upstream));
                        }
                    }
                    Ok((_, answer)) => {
                        failed += 1;
                        note(answer.describe());
                    }
                    Err(e) => {
                        failed += 1;
                        note(e.to_string());
                    }
                }
            }
        }
    }
    let mut resumed = 0;
    for (route, ids) in &by_route {
        let Some(id) = ids.first() else { continue };
        calls += 1;
        match resume(&mut client, id, route) {
            Ok(()) => resumed += 1,
            Err(e) => {
                failed += 1;
                note(format!("{e:#}"));
            }
        }
    }
    let spread = by_route.iter().map(|(route, ids)| format!("{route} {}", ids.len())).collect::<Vec<_>>().join(" · ");
    let unserved = by_route.values().filter(|ids| ids.is_empty()).count() as u64;
    let mut seen = format!(
        "sessions per process: {spread}; every call answered by its session's process; \
         {resumed} stream(s) resumed with Last-Event-ID on their process"
    );
    if unserved > 0 {
        seen.push_str(&format!("; {unserved} process(es) got no session"));
    }
    if let Some(first) = first_failure {
        seen.push_str(&format!("; first problem: {first}"));
    }
    Row {
        check: "sessions pinned to their process".to_owned(),
        calls,
        failed,
        unexpected: failed + misrouted + unserved,
        seen,
    }
}

/// `initialize` and `notifications/initialized` through nginx; returns the
/// route nginx gave the session and its id as the client holds it.
fn open_session(client: &mut Client) -> Result<(String, String)> {
    let params = json!({
        "protocolVersion": super::client::LEGACY,
        "capabilities": {},
        "clientInfo": {"name": "mcpwire-scale", "version": "1.0.0"},
    });
    let (id, answer) = client.request_in_session(None, "initialize", &params)?;
    answer.result(id).with_context(|| format!("initialize: {}", answer.describe()))?;
    let session =
        answer.session_id.clone().with_context(|| format!("initialize: no session id: {}", answer.describe()))?;
    let route = session.split_once('.').map(|(route, _)| route.to_owned()).unwrap_or_default();
    if route != answer.upstream {
        anyhow::bail!("session id {session:?} does not carry the route of {}, which answered", answer.upstream);
    }
    let initialized = client.notify_in_session(&session, "notifications/initialized")?;
    if initialized.status != 202 {
        anyhow::bail!("notifications/initialized: {}", initialized.describe());
    }
    Ok((route, session))
}

/// A `slow` call whose stream the client drops after the priming event,
/// resumed with `Last-Event-ID`: the GET must reach `route` and deliver
/// the call's result.
fn resume(client: &mut Client, session: &str, route: &str) -> Result<()> {
    let params = json!({"name": "slow", "arguments": {"ms": 300}});
    let (call, mut stream) = client.stream_in_session(session, "tools/call", &params)?;
    let first = stream.next_event()?.context("the stream ended before its first event")?;
    let last_event_id = first.id.context("the first event of the stream has no id")?;
    stream.hang_up();
    let resumed = client.resume(session, &last_event_id)?;
    let (status, upstream) = (resumed.head.status(), resumed.head.header("x-upstream").unwrap_or_default().to_owned());
    if status != 200 {
        anyhow::bail!("the resuming GET got HTTP {status} from {upstream}");
    }
    if upstream != route {
        anyhow::bail!("the resuming GET of a session of {route} reached {upstream}");
    }
    let events = resumed.finish()?;
    let answered = events
        .iter()
        .filter_map(|e| serde_json::from_str::<Value>(e.data.as_deref()?).ok())
        .any(|m| m.get("id") == Some(&json!(call)) && tool_text(m.get("result")) == Some("waited 300 ms"));
    if !answered {
        anyhow::bail!("the resumed stream did not deliver the call's result: {events:?}");
    }
    Ok(())
}

/// A rolling restart under load: each process in turn gets SIGTERM, must
/// exit cleanly, and is started again on its port; the next waits until
/// nginx uses the restarted one again. No call may fail.
pub(crate) fn rolling_restart(nginx: &Nginx, processes: &mut [Process], setup: &Setup, sizes: &Sizes) -> Row {
    let (procedure, records) = under_load(nginx, sizes.clients, |answered| {
        std::thread::sleep(sizes.settle);
        let mut steps = Vec::new();
        for process in processes.iter_mut() {
            let took = process.terminate().with_context(|| format!("stopping {}", process.route))?;
            process.spawn(setup).with_context(|| format!("starting {} again", process.route))?;
            let back = Instant::now();
            // nginx left the process out when its port refused a connection,
            // and tries it again once `fail_timeout` has passed: the next
            // process goes only once this one answers again.
            let again = answered.wait_for(&process.route, back, sizes.readmit)?;
            steps.push((process.route.clone(), took, again));
        }
        std::thread::sleep(sizes.settle);
        anyhow::Ok(steps)
    });
    let calls = records.len() as u64;
    let failures: Vec<&Record> = records.iter().filter(|r| !matches!(r.outcome, Outcome::Echoed { .. })).collect();
    let failed = failures.len() as u64;
    let mut seen = match &procedure {
        Ok(steps) => steps
            .iter()
            .map(|(route, took, again)| {
                format!(
                    "{route} exited cleanly {:.2} s after SIGTERM and answered again {:.2} s after its restart",
                    took.as_secs_f64(),
                    again.as_secs_f64()
                )
            })
            .collect::<Vec<_>>()
            .join("; "),
        Err(e) => format!("the restart failed: {e:#}"),
    };
    if let Some(first) = failures.first() {
        seen.push_str(&format!("; first failure: {}", describe(&first.outcome)));
    }
    let broken = u64::from(procedure.is_err());
    Row { check: "rolling restart (SIGTERM, start again)".to_owned(), calls, failed, unexpected: failed + broken, seen }
}

/// One process killed with SIGKILL under load: only calls in flight on it
/// may fail, each with an HTTP 502 from nginx naming it; every call started
/// after nginx could have noticed (`sizes.notice` after the kill) must
/// succeed, including once nginx tries the dead process again. The process
/// is started again afterwards, for the rows that follow.
pub(crate) fn sigkill(nginx: &Nginx, processes: &mut [Process], setup: &Setup, sizes: &Sizes) -> Row {
    let victim = processes.len() - 1;
    let route = processes[victim].route.clone();
    let (killed, records) = under_load(nginx, sizes.clients, |_| {
        std::thread::sleep(sizes.settle);
        processes[victim].kill()?;
        let killed = Instant::now();
        std::thread::sleep(sizes.after_kill);
        anyhow::Ok(killed)
    });
    let restarted = processes[victim].spawn(setup);
    let calls = records.len() as u64;
    let failures: Vec<&Record> = records.iter().filter(|r| !matches!(r.outcome, Outcome::Echoed { .. })).collect();
    let failed = failures.len() as u64;
    let Ok(killed) = killed else {
        let seen = format!("the kill failed: {:#}", killed.err().map(|e| e.to_string()).unwrap_or_default());
        return Row { check: "SIGKILL of one process".to_owned(), calls, failed, unexpected: failed.max(1), seen };
    };
    let allowed = |record: &Record| {
        record.started < killed + sizes.notice
            && matches!(&record.outcome, Outcome::Refused { status: 502, upstream, .. } if *upstream == route)
    };
    let unexpected_failures: Vec<&&Record> = failures.iter().filter(|r| !allowed(r)).collect();
    let later = records.iter().filter(|r| r.started >= killed + sizes.notice).count();
    let mut seen = format!(
        "{failed} call(s) in flight on {route} failed with HTTP 502 from nginx; all {} calls started {} ms or more \
         after the kill succeeded",
        number(later as f64),
        sizes.notice.as_millis()
    );
    if let Some(first) = unexpected_failures.first() {
        seen = format!("{seen}; NOT ALLOWED: {}", describe(&first.outcome));
    }
    if let Err(e) = &restarted {
        seen.push_str(&format!("; starting {route} again failed: {e:#}"));
    }
    Row {
        check: "SIGKILL of one process".to_owned(),
        calls,
        failed,
        unexpected: unexpected_failures.len() as u64 + u64::from(restarted.is_err()),
        seen,
    }
}

fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Echoed { upstream } => format!("echoed by {upstream}"),
        Outcome::Refused { what, .. } => what.clone(),
        Outcome::Lost { what } => format!("no answer: {what}"),
    }
}

/// What a throughput run measured.
#[derive(Debug, Clone)]
pub(crate) struct Throughput {
    pub(crate) calls_per_sec: f64,
    /// CPU per call, µs: the mcpwire processes, nginx's worker, wrk.
    pub(crate) mcpwire_us: f64,
    pub(crate) nginx_us: f64,
    pub(crate) wrk_us: f64,
}

/// wrk through nginx (or straight at one process, `direct`), stateless echo
/// calls on `sizes.wrk_connections` connections for `sizes.wrk_time`.
pub(crate) fn throughput(
    target: std::net::SocketAddr,
    nginx: Option<&Nginx>,
    processes: &[&Process],
    sizes: &Sizes,
) -> Result<Throughput> {
    let meta = json!({
        "io.modelcontextprotocol/protocolVersion": super::client::MODERN,
        "io.modelcontextprotocol/clientCapabilities": {},
    });
    let params = json!({"name": "echo", "arguments": {"text": ECHO_TEXT}, "_meta": meta});
    let suffix = format!(r#","method":"tools/call","params":{params}}}"#);
    let head = wrk::head(
        target,
        &[
            ("Accept", "application/json, text/event-stream"),
            ("Content-Type", "application/json"),
            ("MCP-Protocol-Version", super::client::MODERN),
            ("Mcp-Method", "tools/call"),
            ("Mcp-Name", "echo"),
        ],
    );
    let heads = [head];
    let load = |check: bool, duration: Duration| wrk::Load {
        address: target,
        connections: sizes.wrk_connections,
        duration,
        check,
        expected: ECHO_TEXT,
        body: (r#"{"jsonrpc":"2.0","id":"#, &suffix),
        heads: &heads,
    };
    wrk::run(&load(true, Duration::from_secs(1))).context("the checked warm-up run")?;
    let pids: Vec<u32> = processes.iter().filter_map(|p| p.pid()).collect();
    let nginx_pids = nginx.map(Nginx::worker_pids).unwrap_or_default();
    let cpu = |pids: &[u32]| -> Duration { pids.iter().filter_map(|pid| proc_stats::cpu_time(*pid).ok()).sum() };
    let (mcpwire_before, nginx_before) = (cpu(&pids), cpu(&nginx_pids));
    let timed = wrk::run(&load(false, sizes.wrk_time)).context("the timed run")?;
    let (mcpwire_after, nginx_after) = (cpu(&pids), cpu(&nginx_pids));
    let per_call = |d: Duration| d.as_secs_f64() * 1e6 / timed.calls.max(1) as f64;
    Ok(Throughput {
        calls_per_sec: timed.calls as f64 / timed.duration.as_secs_f64(),
        mcpwire_us: per_call(mcpwire_after.saturating_sub(mcpwire_before)),
        nginx_us: per_call(nginx_after.saturating_sub(nginx_before)),
        wrk_us: per_call(timed.cpu),
    })
}

/// The upstreams of `processes`, for nginx's configuration.
pub(crate) fn upstreams(processes: &[Process]) -> Vec<Upstream> {
    processes.iter().map(|p| Upstream { route: p.route.clone(), address: p.address }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_per_process_read_as_a_list() {
        let counts = BTreeMap::from([("p1".to_owned(), 1234), ("p2".to_owned(), 1230), (String::new(), 1)]);
        assert_eq!(per_process(&counts), "? 1 · p1 1,234 · p2 1,230");
    }

    #[test]
    fn a_tool_result_gives_its_first_text() {
        let result = json!({"content": [{"type": "text", "text": "hi"}]});
        assert_eq!(tool_text(Some(&result)), Some("hi"));
        assert_eq!(tool_text(None), None);
    }
}
