//! `cargo xtask bench`: measures mcpwire against the floor and the official SDKs
//! and writes `docs/BENCHMARKS.md` with its chart `docs/benchmarks.svg`.
//!
//! This module only runs the show: which servers, in what order, and what to
//! do with the figures. The parts are `servers` (build and launch the peers),
//! `client` (the stdio MCP client driver), `http_client` (the Streamable HTTP
//! one), `wrk` (the HTTP load generator), `scenarios` (what is sent and
//! timed), `proc_stats` (peak RSS and CPU time), `stats` (percentiles and
//! medians),
//! `results` (figures and targets), `report` and `chart` (the page and its SVG).
//!
//! `--quick` runs every scenario at a tiny size against mcpwire alone (a debug
//! build, or `$MCPWIRE_BIN`), checks that every figure is sane, and writes
//! nothing: it keeps the harness from rotting in CI.
//!
//! Three environment variables exist for working on the harness itself:
//! `MCPWIRE_BENCH_SERVERS` (comma-separated, from `floor,rmcp,ts-sdk,mcpwire`)
//! picks the servers of a full run, `MCPWIRE_BENCH_SCENARIOS` (comma-separated
//! scenario names) its scenarios, and `MCPWIRE_BENCH_REPS` overrides the
//! number of runs. All are named in the report when they change it.

mod chart;
mod client;
mod http_client;
pub(crate) mod proc_stats;
mod report;
mod results;
mod scenarios;
mod servers;
mod stats;
pub(crate) mod wrk;

/// A figure as the report writes it, for `cargo xtask scale`'s table too.
pub(crate) fn number(value: f64) -> String {
    report::number(value, 0)
}

use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};

use crate::checks::project_root;
use results::{Results, ServerEntry, State};
use scenarios::{Scenario, Sizes};
use servers::{Kind, McpwireBuild};

/// Picks the servers of a full run (see the module docs).
const SERVERS_VAR: &str = "MCPWIRE_BENCH_SERVERS";
/// Picks the scenarios of a run (see the module docs).
const SCENARIOS_VAR: &str = "MCPWIRE_BENCH_SCENARIOS";
/// Overrides the number of runs per scenario and server.
const REPS_VAR: &str = "MCPWIRE_BENCH_REPS";

/// Internal: when the run started (ms since the Unix epoch), handed to the
/// release build so the report's run time includes building it.
const STARTED_VAR: &str = "MCPWIRE_BENCH_STARTED_MS";

/// How long the probe that lists a server's tools may take, including a cold
/// start of Node.
const PROBE_DEADLINE: Duration = Duration::from_secs(30);

pub(crate) fn run(quick: bool) -> Result<()> {
    // A full run hands over to a release build of xtask: `cargo xtask` builds
    // xtask in debug, and an unoptimised generator (serde_json is several times
    // slower unoptimised) would measure itself rather than the servers.
    // `--quick` only checks sanity, so it stays where it is.
    if !quick && cfg!(debug_assertions) {
        return run_in_release();
    }
    let started = started_at();
    let mut sizes = if quick { Sizes::QUICK } else { Sizes::FULL };
    if let Some(reps) = std::env::var(REPS_VAR).ok().filter(|v| !v.is_empty()) {
        sizes.reps = reps.parse().with_context(|| format!("{REPS_VAR}={reps} is not a number"))?;
        eprintln!("note: {REPS_VAR} sets {} runs per figure", sizes.reps);
    }
    let kinds = selected(quick)?;
    let build = if quick { McpwireBuild::QuickOrBinary } else { McpwireBuild::Release };
    let prepared = servers::prepare(&kinds, build)?;

    let mut entries = Vec::new();
    let mut not_applicable = Vec::new();
    for server in &prepared.servers {
        let (info, tools) = scenarios::probe(&server.launch, PROBE_DEADLINE)
            .with_context(|| format!("{}: the first start and tools/list failed", server.kind.name()))?;
        eprintln!("==> {} is {} {}, with tools {}", server.kind.name(), info.name, info.version, tools.join(", "));
        for scenario in Scenario::ALL {
            if let Some(tool) = scenario.tool()
                && !tools.iter().any(|listed| listed == tool)
            {
                not_applicable.push((scenario, server.kind, format!("the server has no `{tool}` tool")));
            } else if let (true, Err(reason)) = (scenario.over_http(), server.http_launch(scenario)) {
                not_applicable.push((scenario, server.kind, reason.clone()));
            } else if scenario == Scenario::EchoStateless && matches!(server.kind, Kind::Rmcp | Kind::TsSdk) {
                let reason = "the SDK server does not speak MCP 2026-07-28 on stdio (it would treat the calls as a \
                              session's)";
                not_applicable.push((scenario, server.kind, reason.to_owned()));
            } else if scenario == Scenario::IdleSessions && server.kind == Kind::Floor {
                let reason = "the HTTP floor keeps no sessions, so an idle one costs it nothing to measure";
                not_applicable.push((scenario, server.kind, reason.to_owned()));
            }
        }
        entries.push(ServerEntry {
            kind: server.kind,
            versions: server.versions.clone(),
            command: relative(&server.launch),
            http_command: server.http.as_ref().ok().map(relative),
            http_2026_command: server.http_2026.as_ref().ok().filter(|l| server.http.as_ref() != Ok(*l)).map(relative),
            info,
        });
    }
    for scenario in left_out()? {
        for server in &prepared.servers {
            let reason = format!("not in this run (limited with `{SCENARIOS_VAR}`)");
            not_applicable.push((scenario, server.kind, reason));
        }
    }
    let mut results = Results::new(sizes.clone(), entries);
    for (scenario, kind, reason) in not_applicable {
        results.cell_mut(scenario, kind).state = State::NotApplicable(reason);
    }

    let load_before = proc_stats::load_average();
    measure(&prepared.servers, &sizes, &mut results);

    let tables = report::terminal_tables(&results);
    std::io::stdout().lock().write_all(tables.as_bytes())?;

    if quick {
        let problems = results::sanity_problems(&results);
        if !problems.is_empty() {
            bail!("the quick benchmark found problems:\n  {}", problems.join("\n  "));
        }
        eprintln!("==> quick benchmark passed in {:.1?} (docs/BENCHMARKS.md left as it was)", started.elapsed());
        return Ok(());
    }

    let machine = report::Machine::detect(prepared.node_version.clone(), load_before);
    let docs = project_root().join("docs");
    std::fs::create_dir_all(&docs)?;
    let chart_file = "benchmarks.svg";
    let subtitle = format!(
        "median of {} runs per figure · {} · {} logical cores · {}",
        sizes.reps, machine.cpu, machine.cores, machine.date
    );
    std::fs::write(docs.join(chart_file), chart::svg(&results, &subtitle)?)?;
    let page = report::markdown(&results, &machine, started.elapsed(), chart_file);
    std::fs::write(docs.join("BENCHMARKS.md"), page)?;
    eprintln!("==> wrote docs/BENCHMARKS.md and docs/{chart_file} in {:.1?} overall", started.elapsed());
    if results.any_failed() {
        bail!("some runs failed; their figures are marked \"failed\" in docs/BENCHMARKS.md");
    }
    Ok(())
}

/// A command line with the workspace's path taken out, so the report does not
/// name this machine's paths.
fn relative(launch: &client::Launch) -> String {
    launch.display().replace(&format!("{}/", project_root().display()), "")
}

/// Builds xtask in release mode and runs `bench` there, passing on when this
/// run started.
fn run_in_release() -> Result<()> {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    crate::checks::run("cargo", &["build", "--release", "--locked", "-p", "xtask"], &[])?;
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| project_root().join("target"), PathBuf::from);
    let xtask = target.join("release/xtask");
    eprintln!("$ {} bench", xtask.display());
    let status = std::process::Command::new(&xtask)
        .arg("bench")
        .env(STARTED_VAR, since_epoch.as_millis().to_string())
        .current_dir(project_root())
        .status()
        .with_context(|| format!("running {}", xtask.display()))?;
    if !status.success() {
        bail!("the benchmark failed ({status})");
    }
    Ok(())
}

/// When this run started: as handed over by [`run_in_release`], else now.
fn started_at() -> Instant {
    let now = Instant::now();
    let handed_over = std::env::var(STARTED_VAR).ok().and_then(|ms| ms.parse::<u64>().ok());
    let Some(ms) = handed_over else { return now };
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    now.checked_sub(since_epoch.saturating_sub(Duration::from_millis(ms))).unwrap_or(now)
}

/// The scenarios `MCPWIRE_BENCH_SCENARIOS` leaves out of this run: none
/// when it is unset.
fn left_out() -> Result<Vec<Scenario>> {
    let Some(list) = std::env::var(SCENARIOS_VAR).ok().filter(|v| !v.trim().is_empty()) else {
        return Ok(Vec::new());
    };
    let names: Vec<&str> = list.split(',').map(str::trim).collect();
    for name in &names {
        if !Scenario::ALL.iter().any(|s| s.name() == *name) {
            let known: Vec<_> = Scenario::ALL.iter().map(|s| s.name()).collect();
            bail!("{SCENARIOS_VAR}: unknown scenario {name:?} (known: {})", known.join(", "));
        }
    }
    eprintln!("note: {SCENARIOS_VAR} limits this run to {}", names.join(", "));
    Ok(Scenario::ALL.into_iter().filter(|s| !names.contains(&s.name())).collect())
}

/// The servers of this run: mcpwire alone for `--quick`, otherwise all four
/// unless `MCPWIRE_BENCH_SERVERS` names a subset.
fn selected(quick: bool) -> Result<Vec<Kind>> {
    if quick {
        return Ok(vec![Kind::Mcpwire]);
    }
    let Some(list) = std::env::var(SERVERS_VAR).ok().filter(|v| !v.trim().is_empty()) else {
        return Ok(Kind::ALL.to_vec());
    };
    let mut kinds = Vec::new();
    for name in list.split(',').map(str::trim) {
        let kind = Kind::from_name(name)
            .with_context(|| format!("{SERVERS_VAR}: unknown server {name:?} (known: floor, rmcp, ts-sdk, mcpwire)"))?;
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    kinds.sort();
    eprintln!(
        "note: {SERVERS_VAR} limits this run to {}",
        kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(", ")
    );
    Ok(kinds)
}

/// Runs every scenario against every server, `reps` times. Scenario by
/// scenario, the servers take turns run by run, the first server rotating each
/// repetition, so no server always runs first or last. A server whose run fails
/// is not run again in that scenario; the failure is kept for the report.
fn measure(servers: &[servers::Server], sizes: &Sizes, results: &mut Results) {
    for scenario in Scenario::ALL {
        for rep in 0..sizes.reps {
            for turn in 0..servers.len() {
                let server = &servers[(rep + turn) % servers.len()];
                let kind = server.kind;
                if !matches!(results.cell_mut(scenario, kind).state, State::Measured) {
                    continue;
                }
                let label = format!("[{} {}/{}] {}", scenario.name(), rep + 1, sizes.reps, kind.name());
                match scenario.run(server, sizes) {
                    Ok(sample) => {
                        let headline = scenario.headline();
                        let value = sample.get(&headline).copied().unwrap_or(f64::NAN);
                        eprintln!("{label}: {} {}", report::number(value, headline.decimals()), headline.label());
                        results.cell_mut(scenario, kind).samples.push(sample);
                    }
                    Err(e) => {
                        eprintln!("{label}: FAILED: {e:#}");
                        results.cell_mut(scenario, kind).state = State::Failed(format!("{e:#}"));
                    }
                }
            }
        }
    }
}
