//! `cargo xtask interop`: the official TypeScript SDK client against the
//! `mcpwire` binary.
//!
//! The checks themselves live in `xtask/interop/stdio-client.mjs`, next to the
//! `package.json` that pins the SDK; this module only installs those packages
//! (with Node 22) into `target/xtask-cache/interop`, builds the binary, runs
//! the script and passes on its verdict.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::checks::project_root;
use crate::node::NodeEnv;

/// The client script. It runs from the install folder, not from the source
/// tree, because that is where Node resolves its bare `@modelcontextprotocol/sdk`
/// imports (ES modules ignore `NODE_PATH`).
const SCRIPT: &str = "stdio-client.mjs";

/// The SDK whose installed version must match the pin.
const SDK: &str = "@modelcontextprotocol/sdk";

pub(crate) fn run() -> Result<()> {
    let sources = project_root().join("xtask/interop");
    let packages = pinned_packages(&sources.join("package.json"))?;
    let env = NodeEnv::install("interop", &packages.iter().map(String::as_str).collect::<Vec<_>>())?;
    check_sdk_version(&env, &packages)?;
    let script = env.dir.join(SCRIPT);
    std::fs::copy(sources.join(SCRIPT), &script)
        .with_context(|| format!("copying {SCRIPT} into {}", env.dir.display()))?;
    let binary = crate::mcpwire::binary()?;
    run_client(&env, &script, &binary.to_string_lossy())?;
    // The same checks over Streamable HTTP, against the same binary.
    let server = crate::mcpwire::HttpServer::start(&binary)?;
    if let Err(error) = run_client(&env, &script, &server.url) {
        eprintln!("mcpwire's stderr (last lines):\n{}", server.stderr_tail());
        return Err(error);
    }
    server.stop()?;
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

/// Fail if the cache holds another SDK than the pin: a run against the wrong
/// SDK would pass or fail for reasons nobody can reproduce.
fn check_sdk_version(env: &NodeEnv, packages: &[String]) -> Result<()> {
    let prefix = format!("{SDK}@");
    let Some(pinned) = packages.iter().find_map(|package| package.strip_prefix(&prefix)) else {
        bail!("xtask/interop/package.json does not list {SDK}");
    };
    let manifest = env.module_path(&format!("{SDK}/package.json"));
    let text = std::fs::read_to_string(&manifest).with_context(|| format!("reading {}", manifest.display()))?;
    let installed: Value = serde_json::from_str(&text).with_context(|| format!("parsing {}", manifest.display()))?;
    let installed = installed.get("version").and_then(Value::as_str).unwrap_or("(none)");
    if installed != pinned {
        bail!(
            "{} holds {SDK} {installed}, not the pinned {pinned}; delete that folder and run again",
            env.dir.display()
        );
    }
    Ok(())
}

/// Run the client script against `target` (a binary to spawn, or the URL of a
/// Streamable HTTP endpoint), with its output streamed as it comes.
fn run_client(env: &NodeEnv, script: &Path, target: &str) -> Result<()> {
    let node = env.node();
    eprintln!("$ {} {} {target}", node.display(), script.display());
    let status = Command::new(&node)
        .arg(script)
        .arg(target)
        .current_dir(&env.dir)
        .status()
        .with_context(|| format!("running {}", node.display()))?;
    if !status.success() {
        bail!("the TypeScript SDK client found interop failures against {target} ({status})");
    }
    Ok(())
}
