//! `cargo xtask interop`: the official TypeScript and Python SDK clients
//! against the `mcpwire` binary, in both eras of MCP.
//!
//! The checks themselves live in `xtask/interop/`. The TypeScript ones sit
//! next to the `package.json` that pins the SDKs: `stdio-client.mjs` drives
//! SDK 1.x at 2025-11-25 (the `initialize` handshake), `modern-client.mjs`
//! drives SDK 2.x at 2026-07-28 (stateless, input-required rounds,
//! `subscriptions/listen`); both import `common.mjs` (fixtures, helpers, the
//! runner). `python-client.py` drives the Python SDK that `requirements.txt`
//! pins, once per era (negotiation `auto`, which must reach 2026-07-28, and
//! `legacy`). This module only installs those packages (with Node 22, and in a
//! Python virtual environment) under `target/xtask-cache/`, builds the binary,
//! runs each client over stdio and over Streamable HTTP, and passes on their
//! verdicts.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::checks::project_root;
use crate::node::NodeEnv;
use crate::python::PythonEnv;

/// One client script and the SDK it drives, run over stdio and over
/// Streamable HTTP.
struct Client {
    /// The script in `xtask/interop`. It runs from the install folder, not from
    /// the source tree, because that is where Node resolves its bare
    /// `@modelcontextprotocol/...` imports (ES modules ignore `NODE_PATH`).
    script: &'static str,
    /// The SDK package it imports, whose installed version must match the pin.
    sdk: &'static str,
    /// The protocol revision its checks speak, for the failure message.
    revision: &'static str,
}

/// What both clients import: fixtures, helpers and the runner.
const SHARED: &str = "common.mjs";

/// The Python client, and the negotiation modes it runs in: `auto` must reach
/// 2026-07-28 (the SDK probes `server/discover`), `legacy` is the handshake.
const PYTHON_CLIENT: &str = "python-client.py";
const PYTHON_MODES: [&str; 2] = ["auto", "legacy"];

/// Each era's TypeScript client, oldest first.
const CLIENTS: [Client; 2] = [
    Client { script: "stdio-client.mjs", sdk: "@modelcontextprotocol/sdk", revision: "2025-11-25" },
    Client { script: "modern-client.mjs", sdk: "@modelcontextprotocol/client", revision: "2026-07-28" },
];

pub(crate) fn run() -> Result<()> {
    let sources = project_root().join("xtask/interop");
    let packages = pinned_packages(&sources.join("package.json"))?;
    let env = NodeEnv::install("interop", &packages.iter().map(String::as_str).collect::<Vec<_>>())?;
    for client in &CLIENTS {
        check_sdk_version(&env, &packages, client.sdk)?;
    }
    for script in CLIENTS.iter().map(|client| client.script).chain([SHARED]) {
        std::fs::copy(sources.join(script), env.dir.join(script))
            .with_context(|| format!("copying {script} into {}", env.dir.display()))?;
    }
    let python = PythonEnv::install("interop-python", &sources.join("requirements.txt"))?;
    let binary = crate::mcpwire::binary()?;
    let run_all = |target: &str| -> Result<()> {
        for client in &CLIENTS {
            run_client(&env, client, target)?;
        }
        for mode in PYTHON_MODES {
            run_python(&python, &sources.join(PYTHON_CLIENT), target, mode)?;
        }
        Ok(())
    };
    run_all(&binary.to_string_lossy())?;
    // The same checks over Streamable HTTP, against one server that serves both
    // eras side by side, as a deployed one would.
    let server = crate::mcpwire::HttpServer::start(&binary)?;
    if let Err(error) = run_all(&server.url) {
        eprintln!("mcpwire's stderr (last lines):\n{}", server.stderr_tail());
        return Err(error);
    }
    server.stop()?;
    Ok(())
}

/// Run the Python client against `target` with negotiation `mode`.
fn run_python(env: &PythonEnv, script: &Path, target: &str, mode: &str) -> Result<()> {
    let python = env.python();
    eprintln!("$ {} {} {target} {mode}", python.display(), script.display());
    let status = Command::new(&python)
        .arg(script)
        .args([target, mode])
        .status()
        .with_context(|| format!("running {}", python.display()))?;
    if !status.success() {
        bail!("{PYTHON_CLIENT} (the Python SDK) found interop failures in mode {mode} against {target} ({status})");
    }
    Ok(())
}

/// Every dependency of `xtask/interop/package.json` as `name@version`, so the
/// versions are written down once, where npm users expect them.
fn pinned_packages(manifest: &Path) -> Result<Vec<String>> {
    let text = std::fs::read_to_string(manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let json: Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    let Some(dependencies) = json.get("dependencies").and_then(Value::as_object) else {
        bail!("{} has no `dependencies` object", manifest.display());
    };
    dependencies
        .iter()
        .map(|(name, version)| match version.as_str() {
            Some(version) => Ok(format!("{name}@{version}")),
            None => bail!("{}: the version of {name} is not a string", manifest.display()),
        })
        .collect()
}

/// Fail if the cache holds another version of `sdk` than the pin: a run
/// against the wrong SDK would pass or fail for reasons nobody can reproduce.
fn check_sdk_version(env: &NodeEnv, packages: &[String], sdk: &str) -> Result<()> {
    let prefix = format!("{sdk}@");
    let Some(pinned) = packages.iter().find_map(|package| package.strip_prefix(&prefix)) else {
        bail!("xtask/interop/package.json does not list {sdk}");
    };
    let manifest = env.module_path(&format!("{sdk}/package.json"));
    let text = std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let installed: Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    let installed = installed.get("version").and_then(Value::as_str).unwrap_or("(none)");
    if installed != pinned {
        bail!(
            "{} holds {sdk} {installed}, not the pinned {pinned}; delete that folder and run again",
            env.dir.display()
        );
    }
    Ok(())
}

/// Run `client`'s script against `target` (a binary to spawn, or the URL of a
/// Streamable HTTP endpoint), with its output streamed as it comes.
fn run_client(env: &NodeEnv, client: &Client, target: &str) -> Result<()> {
    let node = env.node();
    let script = env.dir.join(client.script);
    eprintln!("$ {} {} {target}", node.display(), script.display());
    let status = Command::new(&node)
        .arg(&script)
        .arg(target)
        .current_dir(&env.dir)
        .status()
        .with_context(|| format!("running {}", node.display()))?;
    if !status.success() {
        bail!(
            "{} ({}) found interop failures at {} against {target} ({status})",
            client.script,
            client.sdk,
            client.revision
        );
    }
    Ok(())
}
