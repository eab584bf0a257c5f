//! The HTTP load generator of `echo-http` and `echo-http-2026`: `wrk` (from
//! Debian's package, installed when missing), one thread, with the script
//! `echo.lua` next to this file.
//!
//! Why wrk: the benchmark's own HTTP client spends a thread and a blocking
//! read per call, and at 32 clients it used about 85 % of a core, the half of
//! this machine the server was meant to have. wrk drives all connections from
//! one epoll loop and builds each request by joining five strings, so it
//! stays well below a core, and what is measured is the server's ceiling.
//!
//! The harness spells the requests (heads and body) and hands them to the
//! script as arguments; the script only numbers them. What wrk reports comes
//! back as one JSON line printed by the script's `done`.

use std::io::Read as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde::Deserialize;

use super::proc_stats;
use crate::checks::project_root;
use crate::debian;

/// How long one request may take before wrk counts it as a timeout, which
/// fails the run: far beyond any server's tail here, so only a stall trips it.
const REQUEST_TIMEOUT: &str = "5s";

/// The wrk binary, installed on first use.
fn program() -> Result<PathBuf> {
    static PROGRAM: OnceLock<PathBuf> = OnceLock::new();
    if let Some(program) = PROGRAM.get() {
        return Ok(program.clone());
    }
    let found = debian::ensure(&[debian::WRK])?.remove(0);
    Ok(PROGRAM.get_or_init(|| found).clone())
}

/// `wrk --version`'s first line, for the report.
pub(crate) fn version() -> Result<String> {
    let output = Command::new(program()?).arg("--version").output().context("running wrk --version")?;
    // wrk prints its version with its usage text and exits 1.
    let text = String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr);
    Ok(text.lines().next().unwrap_or("wrk").split(" [").next().unwrap_or("wrk").trim().to_owned())
}

/// What wrk is to send, and for how long.
pub(crate) struct Load<'a> {
    /// Where the server listens.
    pub(crate) address: SocketAddr,
    /// Keep-alive connections, each with one request in flight.
    pub(crate) connections: usize,
    /// How long wrk sends (whole seconds: wrk takes no fractions).
    pub(crate) duration: Duration,
    /// Whether every answer is read and checked (warm-up), or only counted
    /// (the timed run, so checking costs the generator nothing there).
    pub(crate) check: bool,
    /// The text every answer must hold, when checked.
    pub(crate) expected: &'a str,
    /// The body before the JSON-RPC id, and after it.
    pub(crate) body: (&'a str, &'a str),
    /// Request heads up to `Content-Length: `, taken in turn (see [`head`]).
    pub(crate) heads: &'a [String],
}

/// What one wrk run measured.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    /// Answers received.
    pub(crate) calls: u64,
    /// From wrk's first request to its end.
    pub(crate) duration: Duration,
    /// Median latency, µs.
    pub(crate) p50_micros: f64,
    /// 99th percentile latency, µs.
    pub(crate) p99_micros: f64,
    /// CPU wrk used, user and system.
    pub(crate) cpu: Duration,
}

/// The line `echo.lua`'s `done` prints.
#[derive(Debug, Deserialize)]
struct Report {
    calls: u64,
    duration_us: u64,
    p50_us: f64,
    p99_us: f64,
    connect_errors: u64,
    read_errors: u64,
    write_errors: u64,
    status_errors: u64,
    timeouts: u64,
    failed_checks: u64,
    first_failure: String,
}

/// The head of a POST to `/mcp` with `headers`, up to the value of
/// `Content-Length`, which the script appends with the body.
pub(crate) fn head(address: SocketAddr, headers: &[(&str, &str)]) -> String {
    let mut head = format!("POST /mcp HTTP/1.1\r\nHost: {address}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("Content-Length: ");
    head
}

/// Runs wrk once. Any error wrk counted (connect, read, write, timeout, an
/// HTTP status of 400 or more) or, when checking, any answer without the
/// expected text fails the run: a rate made of failures means nothing.
pub(crate) fn run(load: &Load<'_>) -> Result<Outcome> {
    let script = project_root().join("xtask/src/bench/echo.lua");
    let seconds = load.duration.as_secs().max(1);
    let mut command = Command::new(program()?);
    command
        .args(["--threads", "1", "--connections", &load.connections.to_string()])
        .args(["--duration", &format!("{seconds}s"), "--timeout", REQUEST_TIMEOUT, "--script"])
        .arg(&script)
        .arg(format!("http://{}/mcp", load.address))
        .arg("--")
        .args([if load.check { "check" } else { "time" }, load.expected, load.body.0, load.body.1])
        .args(load.heads)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().context("starting wrk")?;
    let pid = child.id();
    let mut stdout = String::new();
    child.stdout.take().expect("stdout is piped").read_to_string(&mut stdout).context("reading wrk's output")?;
    // wrk has closed its stdout, so it is exiting or has exited; until it is
    // waited for, its CPU times stay readable in /proc.
    let cpu = proc_stats::cpu_time(pid);
    let mut stderr = String::new();
    let _ = child.stderr.take().expect("stderr is piped").read_to_string(&mut stderr);
    let status = child.wait().context("waiting for wrk")?;
    if !status.success() {
        bail!("wrk failed ({status}): {}{}", stdout.trim(), stderr.trim());
    }
    let line = stdout
        .lines()
        .find_map(|line| line.strip_prefix("wrk-result "))
        .with_context(|| format!("wrk printed no result line: {}{}", stdout.trim(), stderr.trim()))?;
    let report: Report = serde_json::from_str(line).with_context(|| format!("reading wrk's result {line}"))?;
    report.judge()?;
    Ok(Outcome {
        calls: report.calls,
        duration: Duration::from_micros(report.duration_us),
        p50_micros: report.p50_us,
        p99_micros: report.p99_us,
        cpu: cpu?,
    })
}

impl Report {
    /// Fails the run on any error wrk counted or any answer that failed its check.
    fn judge(&self) -> Result<()> {
        let errors = [
            ("connect errors", self.connect_errors),
            ("read errors", self.read_errors),
            ("write errors", self.write_errors),
            ("answers with HTTP status >= 400", self.status_errors),
            ("timeouts", self.timeouts),
            ("answers without the echo", self.failed_checks),
        ];
        let counted: Vec<String> =
            errors.iter().filter(|(_, n)| *n > 0).map(|(what, n)| format!("{n} {what}")).collect();
        if counted.is_empty() && self.calls > 0 {
            return Ok(());
        }
        let example = match self.first_failure.as_str() {
            "" => String::new(),
            first => format!("; the first: {first}"),
        };
        bail!("wrk made {} calls with {}{example}", self.calls, counted.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(line: &str) -> Report {
        serde_json::from_str(line).unwrap()
    }

    #[test]
    fn the_scripts_result_line_is_read_and_judged() {
        let clean = report(
            r#"{"calls":100,"duration_us":1000000,"p50_us":41,"p99_us":90,"connect_errors":0,"read_errors":0,"write_errors":0,"status_errors":0,"timeouts":0,"failed_checks":0,"first_failure":""}"#,
        );
        assert!(clean.judge().is_ok());
        let failing = report(
            r#"{"calls":100,"duration_us":1000000,"p50_us":41,"p99_us":90,"connect_errors":0,"read_errors":0,"write_errors":0,"status_errors":3,"timeouts":0,"failed_checks":3,"first_failure":"HTTP 400: {\u0022error\u0022:1}"}"#,
        );
        let error = failing.judge().unwrap_err().to_string();
        assert!(error.contains("3 answers with HTTP status >= 400"), "{error}");
        assert!(error.contains(r#"the first: HTTP 400: {"error":1}"#), "{error}");
    }

    #[test]
    fn heads_end_where_the_script_appends_the_length() {
        let address: SocketAddr = "127.0.0.1:8080".parse().unwrap();
        assert_eq!(
            head(address, &[("Mcp-Session-Id", "abc")]),
            "POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nMcp-Session-Id: abc\r\nContent-Length: "
        );
    }
}
