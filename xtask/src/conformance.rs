//! `cargo xtask conformance`: the official MCP conformance suite against
//! `mcpwire --http`, every 2025-11-25 scenario, no expected failures.
//!
//! The suite and Node 22 are npm packages installed at pinned versions into
//! `target/xtask-cache/conformance`. The suite writes one `checks.json` per
//! scenario; this module reads them back into a table and fails on any failed
//! check, so a regression cannot hide in the suite's own output.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::mcpwire::{self, HttpServer};
use crate::node::NodeEnv;

/// The suite, pinned: a newer one may add scenarios, which is a deliberate upgrade.
const SUITE: &str = "@modelcontextprotocol/conformance@0.2.0-alpha.12";
const SPEC_VERSION: &str = "2025-11-25";

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
    let results = env.dir.join("results");
    let _ = std::fs::remove_dir_all(&results);
    std::fs::create_dir_all(&results)?;

    let cli = env.module_path("@modelcontextprotocol/conformance/dist/index.js");
    let args = ["server", "--url", &server.url, "--suite", "all", "--spec-version", SPEC_VERSION];
    eprintln!("$ node {} {}", cli.display(), args.join(" "));
    let output = Command::new(env.node())
        .arg(&cli)
        .args(args)
        .arg("--output-dir")
        .arg(&results)
        .current_dir(&env.dir)
        .output()
        .context("running the conformance suite")?;
    let scenarios = read_results(&results)?;
    print_table(&scenarios);

    let failed: usize = scenarios.values().map(|s| s.count("FAILURE")).sum();
    if !output.status.success() || failed > 0 || scenarios.is_empty() {
        eprintln!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        eprintln!("mcpwire's stderr (last lines):\n{}", server.stderr_tail());
        bail!(
            "conformance failed: {failed} failed checks in {} scenarios (suite exit: {})",
            scenarios.len(),
            output.status
        );
    }
    server.stop()?;
    Ok(())
}

/// Read every scenario's `checks.json` from the suite's output folder.
fn read_results(dir: &Path) -> Result<BTreeMap<String, Scenario>> {
    let mut scenarios = BTreeMap::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path().join("checks.json");
        let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
        let checks: Vec<Value> = serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
        let folder = path.parent().and_then(Path::file_name).and_then(|n| n.to_str()).unwrap_or_default();
        let scenario: &mut Scenario = scenarios.entry(scenario_name(folder).to_owned()).or_default();
        for check in &checks {
            let status = check["status"].as_str().unwrap_or("?").to_owned();
            if matches!(status.as_str(), "FAILURE" | "WARNING") {
                let detail = check.get("errorMessage").or_else(|| check.get("description")).unwrap_or(&Value::Null);
                scenario.problems.push(format!("{status} {}: {}", check["id"].as_str().unwrap_or("?"), detail));
            }
            *scenario.counts.entry(status).or_default() += 1;
        }
    }
    Ok(scenarios)
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
    fn scenario_names_lose_their_prefix_and_timestamp() {
        assert_eq!(scenario_name("server-tools-call-image-2026-11-24T23-10-20-376Z"), "tools-call-image");
        assert_eq!(scenario_name("server-ping-2026-11-24T23-10-20-334Z"), "ping");
        assert_eq!(scenario_name("server-server-sse-polling-2026-01-01T00-00-00-000Z"), "server-sse-polling");
    }
}
