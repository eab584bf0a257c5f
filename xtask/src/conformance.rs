//! `cargo xtask conformance`: the official MCP conformance suite against
//! `mcpwire --http`, every scenario of both eras (`--suite all` at
//! `--spec-version 2025-11-25` and at `2026-07-28`) and the 13 extension
//! scenarios (tasks and skills, which no `--spec-version` selects: each runs
//! alone, with `--scenario`), no expected failures.
//!
//! The suite and Node 22 are npm packages installed at pinned versions into
//! `target/xtask-cache/conformance`. The suite writes one `checks.json` per
//! scenario; this module reads them back into a table and fails on any failed
//! check, on any scenario the suite lists for that revision but left no
//! `checks.json` for (its harness threw), so a regression cannot hide in the
//! suite's own output.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::mcpwire::{self, HttpServer};
use crate::node::NodeEnv;

/// The suite, pinned: a newer one may add scenarios, which is a deliberate upgrade.
const SUITE: &str = "@modelcontextprotocol/conformance@0.2.0-alpha.12";

/// The revisions run, one full pass each: the last of the handshake era and
/// the stateless one.
const SPEC_VERSIONS: [&str; 2] = ["2025-11-25", "2026-07-28"];

/// The extension scenarios of the pinned suite: the tasks extension
/// (SEP-2663) and skills (SEP-2640). Named here rather than read from the
/// suite's list, so that one the suite drops is noticed (the run finds no
/// such scenario) instead of silently skipped.
const EXTENSION_SCENARIOS: [&str; 13] = [
    "tasks-lifecycle",
    "tasks-capability-negotiation",
    "tasks-wire-fields",
    "tasks-request-state-removal",
    "tasks-mrtr-input",
    "tasks-request-headers",
    "tasks-dispatch-and-envelope",
    "tasks-status-notifications",
    "tasks-required-task-error",
    "tasks-mrtr-composition",
    "sep-2640-skills-directory",
    "sep-2640-skills-enumeration",
    "sep-2640-skills-manifest",
];

/// Extension scenarios whose every check the suite skips, whatever the
/// server does: `tasks-status-notifications` waits for a harness rewrite
/// (SEP-2663 delivers the notifications on a listen stream).
const ALWAYS_SKIPPED: [&str; 1] = ["tasks-status-notifications"];

/// How one scenario went: check statuses and the details of what was not a success.
#[derive(Default)]
struct Scenario {
    counts: BTreeMap<String, usize>,
    problems: Vec<String>,
}

impl Scenario {
    fn count(&self, status: &str) -> usize {
        self.counts.get(status).copied().unwrap_or(0)
    }
}

pub(crate) fn run() -> Result<()> {
    let env = NodeEnv::install("conformance", &[SUITE, "node@22"])?;
    let binary = mcpwire::binary()?;
    let server = HttpServer::start(&binary)?;
    let mut failures = Vec::new();
    for version in SPEC_VERSIONS {
        if let Err(error) = run_version(&env, &server, version) {
            failures.push(format!("{version}: {error:#}"));
        }
    }
    if let Err(error) = run_extensions(&env, &server) {
        failures.push(format!("extensions: {error:#}"));
    }
    if !failures.is_empty() {
        eprintln!("mcpwire's stderr (last lines):\n{}", server.stderr_tail());
        bail!("conformance failed:\n{}", failures.join("\n"));
    }
    server.stop()?;
    Ok(())
}

/// One revision's pass: every scenario the suite lists for it must leave a
/// `checks.json` without a failure.
fn run_version(env: &NodeEnv, server: &HttpServer, version: &str) -> Result<()> {
    let cli = env.module_path("@modelcontextprotocol/conformance/dist/index.js");
    let expected = listed_scenarios(env, version)?;
    let results = env.dir.join(format!("results-{version}"));
    let _ = std::fs::remove_dir_all(&results);
    std::fs::create_dir_all(&results)?;

    let args = ["server", "--url", &server.url, "--suite", "all", "--spec-version", version];
    eprintln!("$ node {} {}", cli.display(), args.join(" "));
    let output = Command::new(env.node())
        .arg(&cli)
        .args(args)
        .arg("--output-dir")
        .arg(&results)
        .current_dir(&env.dir)
        .output()
        .context("running the conformance suite")?;
    let (scenarios, crashed) = read_results(&results)?;
    eprintln!("\n== spec version {version}");
    print_table(&scenarios);

    let missing: Vec<_> = expected.iter().filter(|name| !scenarios.contains_key(*name)).collect();
    let failed: usize = scenarios.values().map(|s| s.count("FAILURE")).sum();
    if !output.status.success() || failed > 0 || !missing.is_empty() || !crashed.is_empty() || expected.is_empty() {
        eprintln!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        bail!(
            "{failed} failed checks in {} scenarios; scenarios without checks.json (the harness threw): {crashed:?}; \
             listed but not run: {missing:?} (suite exit: {})",
            scenarios.len(),
            output.status
        );
    }
    eprintln!("{version}: all {} scenarios the suite lists ran, none failed", expected.len());
    Ok(())
}

/// The extension scenarios, one suite run each: every one must leave a
/// `checks.json` without a failure, and must have run checks (a scenario
/// whose checks were all skipped, say because the server declared no
/// skills, tests nothing).
fn run_extensions(env: &NodeEnv, server: &HttpServer) -> Result<()> {
    let cli = env.module_path("@modelcontextprotocol/conformance/dist/index.js");
    let results = env.dir.join("results-extensions");
    let _ = std::fs::remove_dir_all(&results);
    std::fs::create_dir_all(&results)?;
    let mut suite_failures = Vec::new();
    for scenario in EXTENSION_SCENARIOS {
        let output = Command::new(env.node())
            .arg(&cli)
            .args(["server", "--url", &server.url, "--scenario", scenario, "--output-dir"])
            .arg(results.join(scenario))
            .current_dir(&env.dir)
            .output()
            .with_context(|| format!("running the conformance scenario {scenario}"))?;
        if !output.status.success() {
            suite_failures.push(format!(
                "{scenario} (suite exit: {}):\n{}{}",
                output.status,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
    }
    let mut scenarios = BTreeMap::new();
    let mut crashed = Vec::new();
    for scenario in EXTENSION_SCENARIOS {
        let (mut found, mut threw) = read_results(&results.join(scenario))?;
        crashed.append(&mut threw);
        if let Some(result) = found.remove(scenario) {
            scenarios.insert(scenario.to_owned(), result);
        }
    }
    eprintln!("\n== extension scenarios (tasks, skills)");
    print_table(&scenarios);
    let missing: Vec<_> = EXTENSION_SCENARIOS.iter().filter(|name| !scenarios.contains_key(**name)).collect();
    let idle: Vec<_> = scenarios
        .iter()
        .filter(|(name, s)| {
            !ALWAYS_SKIPPED.contains(&name.as_str()) && s.count("SUCCESS") <= 1 && s.count("SKIPPED") > 0
        })
        .map(|(name, _)| name)
        .collect();
    let failed: usize = scenarios.values().map(|s| s.count("FAILURE")).sum();
    if failed > 0 || !missing.is_empty() || !crashed.is_empty() || !idle.is_empty() || !suite_failures.is_empty() {
        eprintln!("{}", suite_failures.join("\n"));
        bail!(
            "{failed} failed checks; scenarios without checks.json (the harness threw): {crashed:?}; \
             not run: {missing:?}; every check skipped: {idle:?}"
        );
    }
    eprintln!("extensions: all {} scenarios ran, none failed", EXTENSION_SCENARIOS.len());
    Ok(())
}

/// The server scenarios the suite lists for `version` (`list --server
/// --spec-version`): `  - name [versions]` lines.
fn listed_scenarios(env: &NodeEnv, version: &str) -> Result<BTreeSet<String>> {
    let cli = env.module_path("@modelcontextprotocol/conformance/dist/index.js");
    let output = Command::new(env.node())
        .arg(&cli)
        .args(["list", "--server", "--spec-version", version])
        .current_dir(&env.dir)
        .output()
        .context("listing the suite's scenarios")?;
    if !output.status.success() {
        bail!("`conformance list` failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(parse_listed(&String::from_utf8_lossy(&output.stdout)))
}

fn parse_listed(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix("- "))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// Read every scenario's `checks.json` from the suite's output folder; a
/// scenario folder without one is returned apart: its harness threw.
fn read_results(dir: &Path) -> Result<(BTreeMap<String, Scenario>, Vec<String>)> {
    let mut scenarios = BTreeMap::new();
    let mut crashed = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let folder_path = entry?.path();
        let folder = folder_path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_owned();
        let path = folder_path.join("checks.json");
        if !path.is_file() {
            crashed.push(scenario_name(&folder).to_owned());
            continue;
        }
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let checks: Vec<Value> = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let scenario: &mut Scenario = scenarios.entry(scenario_name(&folder).to_owned()).or_default();
        for check in &checks {
            let status = check["status"].as_str().unwrap_or("?").to_owned();
            if matches!(status.as_str(), "FAILURE" | "WARNING") {
                let detail = check.get("errorMessage").or_else(|| check.get("description")).unwrap_or(&Value::Null);
                scenario.problems.push(format!("{status} {}: {}", check["id"].as_str().unwrap_or("?"), detail));
            }
            *scenario.counts.entry(status).or_default() += 1;
        }
    }
    Ok((scenarios, crashed))
}

/// `server-tools-call-image-2026-11-24T23-10-20-376Z` names `tools-call-image`:
/// strip the prefix and the timestamp the suite appends.
fn scenario_name(folder: &str) -> &str {
    let name = folder.strip_prefix("server-").unwrap_or(folder);
    let timestamp = name.char_indices().filter(|&(_, c)| c == '-').map(|(i, _)| i).find(|&i| {
        let rest = &name.as_bytes()[i + 1..];
        rest.len() > 11
            && rest[..4].iter().all(u8::is_ascii_digit)
            && rest[4] == b'-'
            && rest[7] == b'-'
            && rest[10] == b'T'
    });
    timestamp.map_or(name, |i| &name[..i])
}

fn print_table(scenarios: &BTreeMap<String, Scenario>) {
    eprintln!("\n{:<36} {:>6} {:>6} {:>6} {:>6}", "scenario", "passed", "failed", "warned", "info");
    for (name, scenario) in scenarios {
        eprintln!(
            "{name:<36} {:>6} {:>6} {:>6} {:>6}",
            scenario.count("SUCCESS"),
            scenario.count("FAILURE"),
            scenario.count("WARNING"),
            scenario.count("INFO")
        );
        for problem in &scenario.problems {
            eprintln!("    {problem}");
        }
    }
    let total = |status: &str| scenarios.values().map(|s| s.count(status)).sum::<usize>();
    let green = scenarios.values().filter(|s| s.count("FAILURE") == 0).count();
    eprintln!(
        "{} scenarios, {green} green; checks: {} passed, {} failed, {} warnings\n",
        scenarios.len(),
        total("SUCCESS"),
        total("FAILURE"),
        total("WARNING")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_scenarios_are_read_from_the_list_output() {
        let text = "Server scenarios (test against a server):\n  - server-stateless [2026-07-28]\n  - tools-list [2025-06-18,2026-07-28]\n";
        let listed = parse_listed(text);
        assert_eq!(listed.into_iter().collect::<Vec<_>>(), ["server-stateless", "tools-list"]);
    }

    #[test]
    fn scenario_names_lose_their_prefix_and_timestamp() {
        assert_eq!(scenario_name("server-tools-call-image-2026-11-24T23-10-20-376Z"), "tools-call-image");
        assert_eq!(scenario_name("server-ping-2026-11-24T23-10-20-334Z"), "ping");
        assert_eq!(scenario_name("server-server-sse-polling-2026-01-01T00-00-00-000Z"), "server-sse-polling");
    }
}
