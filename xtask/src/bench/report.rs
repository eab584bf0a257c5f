//! The written report: the machine, the servers, how each figure is measured,
//! the targets, and a table per scenario, as the Markdown of
//! `docs/BENCHMARKS.md` (the same tables are printed to the terminal). Every
//! figure is read from [`Results`]; nothing here is typed in by hand.

use std::fmt::Write as _;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::client::PROTOCOL_VERSION;
use super::results::{Results, State, TARGETS, Verdict};
use super::scenarios::{Metric, Scenario, Sizes};
use super::servers::Kind;

/// The machine the figures were measured on.
#[derive(Clone, Debug)]
pub(crate) struct Machine {
    /// `model name` from /proc/cpuinfo.
    pub(crate) cpu: String,
    /// Logical CPUs the benchmark could use.
    pub(crate) cores: usize,
    /// Total memory.
    pub(crate) memory: String,
    /// The kernel release.
    pub(crate) kernel: String,
    /// `rustc --version`.
    pub(crate) rustc: String,
    /// `node --version` of the Node the TypeScript peer ran on.
    pub(crate) node: Option<String>,
    /// `wrk --version`, the HTTP scenarios' load generator.
    pub(crate) wrk: Option<String>,
    /// The date of the run, UTC.
    pub(crate) date: String,
    /// The 1-minute load average before and after the measurements: anything
    /// well above 0 before means other work shared the machine.
    pub(crate) load: (Option<f64>, Option<f64>),
}

impl Machine {
    /// Reads it from /proc and the toolchains, right after the measurements;
    /// `load_before` is the load average read before them.
    pub(crate) fn detect(node: Option<String>, load_before: Option<f64>) -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|line| line.strip_prefix("model name")?.split_once(':').map(|(_, v)| v.trim().to_owned()))
            .unwrap_or_else(|| "unknown".to_owned());
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|meminfo| {
                let kib: f64 = meminfo
                    .lines()
                    .find_map(|l| l.strip_prefix("MemTotal:"))?
                    .trim()
                    .strip_suffix("kB")?
                    .trim()
                    .parse()
                    .ok()?;
                Some(format!("{:.1} GiB", kib / 1024.0 / 1024.0))
            })
            .unwrap_or_else(|| "unknown".to_owned());
        let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .map_or_else(|_| "unknown".to_owned(), |s| s.trim().to_owned());
        let rustc = super::servers::command_output(std::path::Path::new("rustc"), &["--version"])
            .unwrap_or_else(|_| "unknown".to_owned());
        Self {
            cpu,
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            memory,
            kernel,
            rustc,
            node,
            wrk: super::wrk::version().ok(),
            date: utc_date(SystemTime::now()),
            load: (load_before, super::proc_stats::load_average()),
        }
    }
}

/// `YYYY-MM-DD` of a time, UTC.
fn utc_date(time: SystemTime) -> String {
    let days = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's days-to-civil algorithm: eras of 400 years, March-based years.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// A figure with thousands separators and `decimals` decimals.
pub(crate) fn number(value: f64, decimals: usize) -> String {
    if !value.is_finite() {
        return value.to_string();
    }
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').map_or((text.as_str(), None), |(w, f)| (w, Some(f)));
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    let sign = if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') { "-" } else { "" };
    match fraction {
        Some(fraction) => format!("{sign}{grouped}.{fraction}"),
        None => format!("{sign}{grouped}"),
    }
}

/// A figure in its metric's format.
fn figure(metric: Metric, value: f64) -> String {
    number(value, metric.decimals())
}

/// How one scenario is measured, in words, with this run's sizes.
pub(crate) fn method(scenario: Scenario, sizes: &Sizes, cores: usize) -> String {
    match scenario {
        Scenario::EchoSerial => format!(
            "`tools/call echo` one at a time: each request is written and flushed, then its answer awaited. \
             After {} untimed warm-up calls, calls go on until at least {} have been made and {} has passed. \
             Latency runs from just before the request is written to just after its answer is parsed; calls/s is \
             calls over the whole timed loop.",
            number(sizes.warmup_calls as f64, 0),
            number(sizes.min_calls as f64, 0),
            seconds(sizes.min_time),
        ),
        Scenario::EchoPipelined => format!(
            "`tools/call echo` with {} requests in flight: each answer lets the next request go. After {} untimed \
             warm-up calls, new calls go out until at least {} have been sent and {} has passed; then the calls in \
             flight are awaited. Requests written while answers are still buffered are flushed together just before \
             the client would block, as a pipelining client does. Latency and calls/s as above. How a server \
             answers a burst sets how much the two sides overlap: the floor writes its answers only when it has \
             run out of input, so it and the client take turns; mcpwire steps aside once it has taken half of what \
             waits, so its first answers go out, and the client is busy with them, while it works on the rest. \
             *Server CPU µs/call* is the cost of a call either way.",
            sizes.window,
            number(sizes.warmup_calls as f64, 0),
            number(sizes.min_calls as f64, 0),
            seconds(sizes.min_time),
        ),
        Scenario::EchoStateless => format!(
            "echo-pipelined's calls, each a stateless MCP 2026-07-28 request: the same params plus the `_meta` such \
             a request carries (protocol version, client capabilities, client name), about 190 bytes more per call, \
             and a result that names its kind and its server. Only servers that speak 2026-07-28 run it; the floor \
             echoes without reading `_meta`, as it does any params. Sizes and timing as echo-pipelined's ({} in \
             flight).",
            sizes.window,
        ),
        Scenario::EchoHttp => format!(
            "`tools/call echo` over Streamable HTTP, in sessions: each server is started with its `--http \
             127.0.0.1:0` command, the harness opens {clients} sessions one after another (`initialize`, whose \
             answer carries the `Mcp-Session-Id`, then `notifications/initialized`) and checks one echo call in \
             each, then the load is **wrk** ({wrk}; one thread, {clients} keep-alive connections, one call in \
             flight on each), its requests taking the sessions in turn. Every POST carries `Accept: \
             application/json, text/event-stream`, `Content-Type: application/json`, the session id and \
             `MCP-Protocol-Version: {PROTOCOL_VERSION}`, and a JSON-RPC id counting up; answers may be JSON or SSE. \
             wrk first runs {warmup} untimed, reading every answer and failing the run unless each is HTTP 200 \
             with the echoed text and no JSON-RPC error; then {time} timed, only counting answers (any \
             connection, read or write error, timeout or HTTP status of 400 or more still fails the run). \
             Calls/s is answers over wrk's duration; latency is wrk's, from writing a request to reading the end of \
             its answer. Why wrk: one epoll loop builds each request by joining five strings, so the generator \
             stays well under a core (*generator CPU %* is wrk's) and the figure is the server's ceiling on the \
             other core, not the generator's; the server and wrk share the {cores} cores, so server + generator + \
             other near {full} % means the machine was the limit.",
            clients = sizes.http_clients,
            wrk = "`xtask/src/bench/echo.lua`",
            warmup = seconds(sizes.http_warmup),
            time = seconds(sizes.http_time),
            full = cores * 100,
        ),
        Scenario::EchoHttp2026 => format!(
            "echo-http's load as stateless MCP 2026-07-28 requests, with no session: every POST carries \
             `MCP-Protocol-Version: 2026-07-28`, `Mcp-Method: tools/call` and `Mcp-Name: echo`, and its params the \
             `_meta` of echo-2026's calls (protocol version, client capabilities, client name); JSON answers are \
             expected. rmcp runs its stateless mode here (`--stateless`: `legacy_session_mode: false`, \
             `json_response: true`; rmcp serves a request that names its version in `_meta` statelessly in either \
             mode), and the floor echoes without reading `_meta`. wrk, checks and timing as echo-http's ({clients} \
             connections, {warmup} checked, {time} timed).",
            clients = sizes.http_clients,
            warmup = seconds(sizes.http_warmup),
            time = seconds(sizes.http_time),
        ),
        Scenario::AskClient => format!(
            "`tools/call ask_client {{count: {}}}`, one call after another until {} has passed (at least one call; \
             an untimed call with count {} goes first). The client answers every `elicitation/create` the moment it \
             reads it with `{{\"action\":\"accept\",\"content\":{{}}}}`, from a writer thread so that reading \
             never waits on writing. Each result must read `accepted={} declined=0 cancelled=0 errors=0`. Round \
             trips/s is elicitations answered over the summed time from writing each call to reading its result.",
            number(sizes.ask_count as f64, 0),
            seconds(sizes.min_time),
            sizes.ask_warmup,
            sizes.ask_count,
        ),
        Scenario::Flood => format!(
            "One `tools/call emit_notifications {{count: {}}}`. The client stops reading for {} ms, then reads as \
             fast as it can; a `ping` goes out every {} ms throughout, and once more after the call's result, \
             and the run ends when every ping is answered. A ping sent while the client was not reading cannot be \
             answered before it reads again, so ping latency runs from **max(sent, reading resumed)** to the answer; \
             *ping max* is the slowest ping of the run. *Received* counts `notifications/message`; *dropped* is the \
             server's own count from the result's `structuredContent.dropped` (\"n/a\" when the server does not report \
             it); *unaccounted* = requested − received − dropped, which must be 0. *Peak RSS* and *private MiB* are \
             read after the run; notifications/s is received over the time from resuming to the call's result.",
            number(sizes.flood_count as f64, 0),
            sizes.flood_stall.as_millis(),
            sizes.ping_interval.as_millis()
        ),
        Scenario::IdleMemory => format!(
            "The handshake, then {} `tools/call echo` one at a time, then the server's private memory and peak RSS.",
            number(sizes.idle_calls as f64, 0)
        ),
        Scenario::IdleSessions => format!(
            "What an idle Streamable HTTP session costs: the server is started with `--http 127.0.0.1:0`, one \
             session is opened and not counted (it pays for whatever the first connection and session start), then \
             {} more, each `initialize` and `notifications/initialized` only, all on the same keep-alive HTTP/1.1 \
             connection, so no per-connection buffers are counted; none is closed, used again or given a GET stream. \
             *Private KiB/session* is the server's `RssAnon` after them minus before them, over {}; *private MiB* and \
             *peak RSS* are read after them. For the TypeScript SDK the difference includes garbage V8 has not \
             collected yet. Reported, with no target yet.",
            number(sizes.idle_sessions as f64, 0),
            number(sizes.idle_sessions as f64, 0),
        ),
    }
}

/// The Markdown table of one scenario, with notes on servers whose figures
/// are missing.
pub(crate) fn scenario_table(results: &Results, scenario: Scenario) -> String {
    let headline = scenario.headline();
    let mut table = String::new();
    let mut header = vec!["server".to_owned(), headline.label().to_owned(), "range over runs".to_owned()];
    header.push("× floor".to_owned());
    header.push("× mcpwire".to_owned());
    header.extend(scenario.metrics()[1..].iter().map(|m| m.label().to_owned()));
    let _ = writeln!(table, "| {} |", header.join(" | "));
    let _ = writeln!(table, "|---|{}", "---:|".repeat(header.len() - 1));
    let mut notes = Vec::new();
    for server in &results.servers {
        let kind = server.kind;
        let mut row = vec![kind.name().to_owned()];
        let state = results.cell(scenario, kind).map(|cell| &cell.state);
        match state {
            Some(State::NotApplicable(reason)) => notes.push(format!("{}: n/a: {reason}", kind.name())),
            Some(State::Failed(reason)) => notes.push(format!("{}: failed: {reason}", kind.name())),
            _ => {}
        }
        let missing = match state {
            Some(State::Failed(_)) => "failed",
            _ => "n/a",
        };
        let ours = results.median(scenario, kind, headline);
        row.push(ours.map_or_else(|| missing.to_owned(), |v| figure(headline, v)));
        row.push(
            results.range(scenario, kind, headline).map_or_else(String::new, |(low, high)| {
                format!("{}–{}", figure(headline, low), figure(headline, high))
            }),
        );
        for reference in [Kind::Floor, Kind::Mcpwire] {
            let theirs = results.median(scenario, reference, headline);
            row.push(match (ours, theirs) {
                (Some(ours), Some(theirs)) if theirs != 0.0 => format!("{:.2}×", ours / theirs),
                _ => "–".to_owned(),
            });
        }
        for metric in &scenario.metrics()[1..] {
            row.push(
                results.median(scenario, kind, *metric).map_or_else(|| missing.to_owned(), |v| figure(*metric, v)),
            );
        }
        let _ = writeln!(table, "| {} |", row.join(" | "));
    }
    for note in notes {
        let _ = writeln!(table, "\n- {note}");
    }
    table
}

/// The targets table; `None` when mcpwire was not in the run.
pub(crate) fn targets_table(results: &Results) -> String {
    let mut table = String::from("| target | mcpwire | verdict |\n|---|---|---|\n");
    let mut bounds = Vec::new();
    for target in &TARGETS {
        let (measured, verdict) = match target.evaluate(results) {
            Verdict::Pass(text) => (text, "**pass**".to_owned()),
            Verdict::Miss(text) => {
                bounds.push(format!("- **{}** (missed): {}", target.text, target.bound));
                (text, "**miss**".to_owned())
            }
            Verdict::NotEvaluated(why) => ("–".to_owned(), format!("not evaluated ({why})")),
        };
        let _ = writeln!(table, "| {} | {measured} | {verdict} |", target.text);
    }
    if !bounds.is_empty() {
        let _ = writeln!(table, "\nWhat bounds each missed figure, as profiling found it:\n\n{}", bounds.join("\n"));
    }
    table
}

/// The tables printed to the terminal: every scenario, then the targets.
pub(crate) fn terminal_tables(results: &Results) -> String {
    let mut text = String::new();
    for scenario in Scenario::ALL {
        let _ = writeln!(text, "\n## {}\n\n{}", scenario.name(), scenario_table(results, scenario));
    }
    let _ = writeln!(text, "\n## targets (mcpwire)\n\n{}", targets_table(results));
    text
}

/// The whole of `docs/BENCHMARKS.md`.
pub(crate) fn markdown(results: &Results, machine: &Machine, elapsed: Duration, chart_file: &str) -> String {
    let sizes = &results.sizes;
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Benchmarks\n\n\
         <!-- Generated by `cargo xtask bench` (xtask/src/bench); do not edit by hand: rerun it. -->\n\n\
         mcpwire against the floor (the cheapest honest MCP server), the official Rust SDK (rmcp) and the official \
         TypeScript SDK: over stdio, and for echo-http, echo-http-2026 and idle-sessions over Streamable HTTP on \
         loopback, where the floor is a bare hyper server. They speak MCP {PROTOCOL_VERSION} (sessions), and \
         2026-07-28 (stateless requests) in echo-2026 and echo-http-2026. Every figure below was measured by the \
         run that wrote this page, on {}. The run took {}, building the servers and the release build of the \
         generator included (the debug build `cargo xtask` compiles before any of this code runs is not counted).\n",
        machine.date,
        minutes(elapsed),
    );

    let _ = writeln!(md, "## Machine\n\n| | |\n|---|---|");
    let _ = writeln!(md, "| CPU | {} |", machine.cpu);
    let _ = writeln!(md, "| logical cores | {} |", machine.cores);
    let _ = writeln!(md, "| memory | {} |", machine.memory);
    let _ = writeln!(md, "| kernel | {} |", machine.kernel);
    let _ = writeln!(md, "| rustc | {} |", machine.rustc);
    let _ = writeln!(md, "| node | {} |", machine.node.as_deref().unwrap_or("not used in this run"));
    let _ = writeln!(md, "| wrk (HTTP load) | {} |", machine.wrk.as_deref().unwrap_or("not used in this run"));
    let load = |l: Option<f64>| l.map_or_else(|| "?".to_owned(), |l| format!("{l:.2}"));
    let _ = writeln!(
        md,
        "| load average (1 min), before / after measuring | {} / {} |",
        load(machine.load.0),
        load(machine.load.1)
    );
    let _ = writeln!(md, "| date (UTC) | {} |\n", machine.date);

    let _ = writeln!(md, "## Servers\n\n| server | what | versions | serverInfo |\n|---|---|---|---|");
    for server in &results.servers {
        let _ = writeln!(
            md,
            "| {} | {} | {} | {} {} |",
            server.kind.name(),
            server.kind.what(),
            server.versions,
            server.info.name,
            server.info.version
        );
    }
    let _ = writeln!(md, "\nThe commands, as run:\n");
    for server in &results.servers {
        let _ = match (&server.http_command, &server.http_2026_command) {
            (Some(http), Some(stateless)) => writeln!(
                md,
                "- {}: `{}`; over HTTP, `{http}`; for echo-http-2026, `{stateless}`",
                server.kind.name(),
                server.command
            ),
            (Some(http), None) => writeln!(md, "- {}: `{}`; over HTTP, `{http}`", server.kind.name(), server.command),
            (None, _) => writeln!(md, "- {}: `{}`", server.kind.name(), server.command),
        };
    }
    let missing: Vec<&str> = Kind::ALL.iter().filter(|kind| !results.has(**kind)).map(|kind| kind.name()).collect();
    if !missing.is_empty() {
        let _ = writeln!(
            md,
            "\n**Not in this run: {}** (the run was limited with `MCPWIRE_BENCH_SERVERS`), so its column is \
             missing and the targets that need it are not judged.",
            missing.join(", ")
        );
    }

    let _ = writeln!(
        md,
        "\n## How the figures are measured\n\n\
         The load generator (`xtask/src/bench`) starts each server as a child process and talks newline-delimited \
         JSON-RPC over its stdin and stdout: `initialize` (protocol version {PROTOCOL_VERSION}, declaring the \
         `elicitation` capability), `notifications/initialized`, then the scenario. It writes through a 64 KiB \
         buffered writer, reads through a 64 KiB buffered reader, and parses each line once into borrowed fields \
         (ids and results stay raw JSON). Every run starts a fresh server process, and each figure is the **median of \
         {} runs**; the servers take turns run by run (round-robin, the starting server rotating each repetition), \
         so slow drift of the machine is shared rather than billed to one server. The machine has {} logical cores, \
         so generator and server each get about one; the generator is single-threaded except where noted. \
         *Peak RSS* is `VmHWM` from `/proc/<pid>/status` of the server process (for the TypeScript SDK, the `node` \
         process); *private MiB* is `RssAnon` from the same file at the end of the run: heap, stacks and buffers, \
         without the code and shared-library pages that RSS also counts, which every process mapping the same files \
         shares. Private memory is what one more server process costs, so the memory targets judge it; peak RSS is \
         shown beside it wherever a memory figure appears. Ratios (× floor, × mcpwire) divide a server's median by the other's median for the table's first \
         figure; for latency and memory, lower is better. *Server CPU %* and *generator CPU %* are the CPU time \
         (user + system, all threads, from `/proc/<pid>/stat`) each side used over the timed phase, in % of one \
         core: they show which side set the pace. *Server CPU µs/call* is the server's CPU time over the timed \
         phase divided by the calls made in it: what a call costs the server, whichever side set the pace. A single-threaded generator near 100 % would mean the figure is \
         the generator's, not the server's. *Other CPU %* is what the rest of the machine used meanwhile (busy time \
         from `/proc/stat` minus both sides): other processes competing for the two cores make a figure worse than \
         the server deserves, so a high value marks a disturbed measurement.\n",
        sizes.reps, machine.cores,
    );
    for scenario in Scenario::ALL {
        let _ = writeln!(md, "- **{}**: {}", scenario.name(), method(scenario, sizes, machine.cores));
    }

    let _ =
        writeln!(md, "\n## Targets\n\nmcpwire's goals, judged on this run's figures.\n\n{}", targets_table(results));
    let _ = writeln!(md, "## Results\n\n![Headline figure of each scenario, per server]({chart_file})\n");
    for scenario in Scenario::ALL {
        let _ = writeln!(md, "### {}\n\n{}", scenario.name(), scenario_table(results, scenario));
    }
    md
}

/// `1.5 s`.
fn seconds(duration: Duration) -> String {
    format!("{} s", duration.as_secs_f64())
}

/// `12 min 34 s`.
fn minutes(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    format!("{} min {} s", secs / 60, secs % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(number(1234567.0, 0), "1,234,567");
        assert_eq!(number(999.0, 0), "999");
        assert_eq!(number(1000.5, 1), "1,000.5");
        assert_eq!(number(-1234.0, 0), "-1,234");
        assert_eq!(number(-0.01, 0), "0");
        assert_eq!(number(0.0, 1), "0.0");
    }

    #[test]
    fn utc_dates_follow_the_civil_calendar() {
        let day = |d: u64| utc_date(UNIX_EPOCH + Duration::from_secs(d * 86_400));
        assert_eq!(day(0), "1970-01-01");
        assert_eq!(day(11_016), "2000-02-29");
        assert_eq!(day(20_513), "2026-03-01");
    }
}
