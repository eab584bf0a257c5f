//! The servers under test: how each is built or installed, how it is started,
//! and what it is made of (for the report).
//!
//! mcpwire is built from this workspace. The floor (and its HTTP sibling,
//! `floor-http`) and the rmcp peer are standalone projects under `bench/`,
//! each built in release mode with its committed lock file into its own
//! `target/`. The TypeScript peer's pinned
//! packages (from `bench/ts-peer/package.json`) are installed with npm into
//! `target/xtask-cache/ts-peer` and run with the Node 22 installed alongside.
//! Builds run one after another: the machine has two cores, and a parallel
//! build would only slow each other down.
//!
//! Every server also serves Streamable HTTP when started with `--http
//! 127.0.0.1:0` (for `echo-http`, `echo-http-2026` and `idle-sessions`; the
//! floor's is the separate `floor-http` binary): loopback only, on a port the
//! OS chooses, which the server logs on stderr as `http://ADDRESS/mcp`. rmcp
//! serves `echo-http-2026` in its stateless mode (`--stateless`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::client::Launch;
use super::scenarios::Scenario;
use crate::checks::{project_root, run};
use crate::node::NodeEnv;

/// The environment variable `--quick` takes an already built mcpwire from.
pub(crate) const MCPWIRE_BIN: &str = "MCPWIRE_BIN";

/// The address HTTP servers are told to listen on: loopback, so nothing off
/// this machine can reach them, and port 0, so the OS picks a free port and no
/// run collides with another program (or a previous run's lingering socket).
const HTTP_BIND: &str = "127.0.0.1:0";

/// Which server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    /// `bench/floor`: the cheapest honest server.
    Floor,
    /// `bench/rmcp-peer`: the official Rust SDK.
    Rmcp,
    /// `bench/ts-peer`: the official TypeScript SDK.
    TsSdk,
    /// This workspace's server.
    Mcpwire,
}

impl Kind {
    /// Every server, in the order of the report's rows.
    pub(crate) const ALL: [Kind; 4] = [Kind::Floor, Kind::Rmcp, Kind::TsSdk, Kind::Mcpwire];

    /// The name in tables and in `MCPWIRE_BENCH_SERVERS`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Floor => "floor",
            Kind::Rmcp => "rmcp",
            Kind::TsSdk => "ts-sdk",
            Kind::Mcpwire => "mcpwire",
        }
    }

    /// The kind with this name.
    pub(crate) fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|kind| kind.name() == name)
    }

    /// One line on what it is, for the report.
    pub(crate) fn what(self) -> &'static str {
        match self {
            Kind::Floor => {
                "single-threaded serde_json loop (`bench/floor`); over HTTP, a bare hyper server on a worker per \
                 core that parses each JSON-RPC request and writes the echo result as `application/json`, with no \
                 sessions and no header checks (`bench/floor-http`)"
            }
            Kind::Rmcp => {
                "official Rust SDK, idiomatic `#[tool_router]` server on stdio; over HTTP, its \
                 `StreamableHttpService` on axum, with TCP_NODELAY like the others: stateful sessions (its default) \
                 for echo-http and idle-sessions, its stateless mode (`legacy_session_mode: false`, \
                 `json_response: true`) for echo-http-2026 (`bench/rmcp-peer`)"
            }
            Kind::TsSdk => {
                "official TypeScript SDK, `McpServer` + `StdioServerTransport`; over HTTP, a \
                 `StreamableHTTPServerTransport` and `McpServer` per session on `node:http` (`bench/ts-peer`)"
            }
            Kind::Mcpwire => "this workspace's `mcpwire` binary (`--http` over HTTP)",
        }
    }
}

/// How to start a server serving Streamable HTTP: `program` (its stdio
/// command's, unless it has a binary of its own for HTTP) with `--http`
/// [`HTTP_BIND`] added.
fn http_launch(stdio: &Launch, program: Option<PathBuf>) -> Launch {
    let mut launch = stdio.clone();
    if let Some(program) = program {
        launch.program = program;
        launch.args.clear();
    }
    launch.args.extend(["--http".to_owned(), HTTP_BIND.to_owned()]);
    launch
}

/// A server ready to start.
#[derive(Clone, Debug)]
pub(crate) struct Server {
    /// Which one.
    pub(crate) kind: Kind,
    /// How to start it.
    pub(crate) launch: Launch,
    /// How to start it serving Streamable HTTP, or why it cannot.
    pub(crate) http: Result<Launch, String>,
    /// How to start it serving `echo-http-2026`'s stateless requests, or
    /// why it cannot.
    pub(crate) http_2026: Result<Launch, String>,
    /// What it is made of: the versions that decide its figures.
    pub(crate) versions: String,
}

impl Server {
    /// How to start it for an HTTP scenario, or why it cannot.
    pub(crate) fn http_launch(&self, scenario: Scenario) -> Result<&Launch, &String> {
        match scenario {
            Scenario::EchoHttp2026 => self.http_2026.as_ref(),
            _ => self.http.as_ref(),
        }
    }
}

/// How `prepare` gets mcpwire.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum McpwireBuild {
    /// `cargo build --release`, for the full benchmark.
    Release,
    /// `$MCPWIRE_BIN` if set, else `cargo build` (debug), for `--quick`.
    QuickOrBinary,
}

/// Everything the servers need before the first run, in `kinds` order.
pub(crate) struct Prepared {
    /// The servers.
    pub(crate) servers: Vec<Server>,
    /// `node --version` of the Node the TypeScript peer runs on, if it is in the run.
    pub(crate) node_version: Option<String>,
}

/// Builds or installs every server in `kinds`, mcpwire first so that a broken
/// mcpwire build fails the benchmark before minutes go into the others.
pub(crate) fn prepare(kinds: &[Kind], mcpwire: McpwireBuild) -> Result<Prepared> {
    let logs = logs_dir();
    std::fs::create_dir_all(&logs).with_context(|| format!("creating {}", logs.display()))?;
    let mut order = kinds.to_vec();
    order.sort_by_key(|kind| *kind != Kind::Mcpwire);
    let mut node_version = None;
    let mut servers = Vec::new();
    for kind in order {
        eprintln!("==> preparing {}", kind.name());
        let stderr_log = logs.join(format!("{}.stderr.log", kind.name()));
        // Each benchmark run starts a fresh log, so a post-mortem reads only this run.
        std::fs::write(&stderr_log, "").with_context(|| format!("truncating {}", stderr_log.display()))?;
        let server = match kind {
            Kind::Floor => floor(stderr_log)?,
            Kind::Rmcp => rmcp(stderr_log)?,
            Kind::TsSdk => {
                let (server, node) = ts_peer(stderr_log)?;
                node_version = Some(node);
                server
            }
            Kind::Mcpwire => mcpwire_server(mcpwire, stderr_log)?,
        };
        eprintln!("    {}: {}", kind.name(), server.versions);
        servers.push(server);
    }
    servers.sort_by_key(|server| kinds.iter().position(|kind| *kind == server.kind));
    Ok(Prepared { servers, node_version })
}

/// Where servers' stderr goes.
fn logs_dir() -> PathBuf {
    project_root().join("target/bench-logs")
}

/// The floor: `bench/floor` on stdio, `bench/floor-http` over HTTP.
fn floor(stderr_log: PathBuf) -> Result<Server> {
    let (launch, versions) = cargo_peer("floor", &["serde_json"], stderr_log)?;
    let (http, http_versions) = cargo_peer("floor-http", &["hyper", "tokio", "serde_json"], launch.stderr_log.clone())?;
    let http = http_launch(&launch, Some(http.program));
    Ok(Server {
        kind: Kind::Floor,
        launch,
        http: Ok(http.clone()),
        http_2026: Ok(http),
        versions: format!("{versions}; floor-http: {http_versions}"),
    })
}

/// The rmcp peer: stateful over HTTP, stateless (`--stateless`) for `echo-http-2026`.
fn rmcp(stderr_log: PathBuf) -> Result<Server> {
    let (launch, versions) = cargo_peer("rmcp-peer", &["rmcp", "tokio", "axum"], stderr_log)?;
    let http = http_launch(&launch, None);
    let mut stateless = http.clone();
    stateless.args.push("--stateless".to_owned());
    Ok(Server { kind: Kind::Rmcp, launch, http: Ok(http), http_2026: Ok(stateless), versions })
}

/// Builds a standalone Cargo project under `bench/` in release mode, into its
/// own `target/`, with its committed lock file; returns how to start it and
/// the versions of its `key_crates`.
fn cargo_peer(dir: &str, key_crates: &[&str], stderr_log: PathBuf) -> Result<(Launch, String)> {
    let project = project_root().join("bench").join(dir);
    let manifest = project.join("Cargo.toml");
    let target = project.join("target");
    run(
        "cargo",
        &[
            "build",
            "--release",
            "--locked",
            "--manifest-path",
            path_str(&manifest)?,
            "--target-dir",
            path_str(&target)?,
        ],
        &[],
    )?;
    let program = target.join("release").join(dir);
    let lock = std::fs::read_to_string(project.join("Cargo.lock")).context("reading the peer's Cargo.lock")?;
    let versions = key_crates
        .iter()
        .map(|name| format!("{name} {}", locked_version(&lock, name).unwrap_or_else(|| "?".to_owned())))
        .collect::<Vec<_>>()
        .join(", ");
    let launch = Launch { program, args: Vec::new(), cwd: project, stderr_log };
    Ok((launch, format!("{versions} (release build)")))
}

/// Installs the TypeScript peer's pinned packages and stages its server next to
/// them (Node resolves packages from the script's folder up). Returns the server
/// and `node --version`.
fn ts_peer(stderr_log: PathBuf) -> Result<(Server, String)> {
    let source = project_root().join("bench/ts-peer");
    let manifest: Value = serde_json::from_str(&std::fs::read_to_string(source.join("package.json"))?)
        .context("parsing bench/ts-peer/package.json")?;
    let packages = manifest
        .get("dependencies")
        .and_then(Value::as_object)
        .context("bench/ts-peer/package.json has no dependencies")?
        .iter()
        .map(|(name, version)| {
            Ok(format!("{name}@{}", version.as_str().context("a dependency version is not a string")?))
        })
        .collect::<Result<Vec<_>>>()?;
    let packages: Vec<&str> = packages.iter().map(String::as_str).collect();
    let env = NodeEnv::install("ts-peer", &packages)?;
    let script = env.dir.join("server.mjs");
    std::fs::copy(source.join("server.mjs"), &script).context("staging bench/ts-peer/server.mjs")?;
    let node = env.node();
    let node_version = command_output(&node, &["--version"])?;
    let installed = |package: &str| -> Result<String> {
        let path = env.module_path(&format!("{package}/package.json"));
        let manifest: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
        Ok(manifest.get("version").and_then(Value::as_str).unwrap_or("?").to_owned())
    };
    let versions = format!(
        "@modelcontextprotocol/sdk {}, zod {}, Node {node_version}",
        installed("@modelcontextprotocol/sdk")?,
        installed("zod")?
    );
    let launch = Launch { program: node, args: vec![path_str(&script)?.to_owned()], cwd: env.dir.clone(), stderr_log };
    let no_2026 = "the TypeScript SDK 1.x does not speak MCP 2026-07-28: its HTTP transport refuses that \
                   MCP-Protocol-Version"
        .to_owned();
    let http = Ok(http_launch(&launch, None));
    Ok((Server { kind: Kind::TsSdk, http, http_2026: Err(no_2026), launch, versions }, node_version))
}

/// Builds mcpwire (or, for `--quick`, takes `$MCPWIRE_BIN`).
fn mcpwire_server(build: McpwireBuild, stderr_log: PathBuf) -> Result<Server> {
    let from_env = crate::mcpwire::from_env()?;
    let (program, versions) = match (build, from_env) {
        (McpwireBuild::QuickOrBinary, Some(program)) => {
            let program = program.canonicalize()?;
            let versions = format!("binary from {MCPWIRE_BIN}: {}", program.display());
            (program, versions)
        }
        (build, from_env) => {
            if from_env.is_some() {
                eprintln!("    note: {MCPWIRE_BIN} is only used by --quick; the full benchmark builds mcpwire");
            }
            let profile = match build {
                McpwireBuild::Release => crate::mcpwire::Profile::Release,
                McpwireBuild::QuickOrBinary => crate::mcpwire::Profile::Debug,
            };
            let program =
                crate::mcpwire::build(profile).context("building mcpwire (the benchmark does not run without it)")?;
            let profile_name = match profile {
                crate::mcpwire::Profile::Release => "release",
                crate::mcpwire::Profile::Debug => "debug",
            };
            let versions = format!("mcpwire-server at {}, {profile_name} build", git_revision());
            (program, versions)
        }
    };
    let launch = Launch { program, args: Vec::new(), cwd: project_root(), stderr_log };
    let http = http_launch(&launch, None);
    Ok(Server { kind: Kind::Mcpwire, http: Ok(http.clone()), http_2026: Ok(http), launch, versions })
}

/// The commit the workspace is at, marked `-dirty` with uncommitted changes.
fn git_revision() -> String {
    let head = command_output(Path::new("git"), &["rev-parse", "--short", "HEAD"]).unwrap_or_else(|_| "?".to_owned());
    let dirty = command_output(Path::new("git"), &["status", "--porcelain"]).map(|s| !s.is_empty()).unwrap_or(false);
    format!("commit {head}{}", if dirty { "-dirty" } else { "" })
}

/// The version of `package` in a Cargo.lock text.
fn locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines();
    lines.find(|line| line.trim() == name_line)?;
    let version = lines.next()?.trim().strip_prefix("version = \"")?.strip_suffix('"')?;
    Some(version.to_owned())
}

/// A path as UTF-8, for command lines.
fn path_str(path: &Path) -> Result<&str> {
    path.to_str().with_context(|| format!("{} is not UTF-8", path.display()))
}

/// Runs a command from the workspace root and returns its trimmed stdout.
pub(crate) fn command_output(program: &Path, args: &[&str]) -> Result<String> {
    let output = Command::new(program)
        .args(args)
        .current_dir(project_root())
        .output()
        .with_context(|| format!("running {}", program.display()))?;
    if !output.status.success() {
        bail!("`{} {}` failed with {}", program.display(), args.join(" "), output.status);
    }
    Ok(String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locked_version_reads_the_line_after_the_name() {
        let lock = "[[package]]\nname = \"rmcp\"\nversion = \"3.11.0\"\n\n[[package]]\nname = \"rmcp-macros\"\nversion = \"3.11.0\"\n";
        assert_eq!(locked_version(lock, "rmcp").as_deref(), Some("3.11.0"));
        assert_eq!(locked_version(lock, "tokio"), None);
    }

    #[test]
    fn http_launch_adds_the_bind_address_to_the_right_program() {
        let stdio = Launch {
            program: PathBuf::from("/bin/node"),
            args: vec!["server.mjs".to_owned()],
            cwd: PathBuf::from("/"),
            stderr_log: PathBuf::from("/dev/null"),
        };
        assert_eq!(http_launch(&stdio, None).args, ["server.mjs", "--http", "127.0.0.1:0"]);
        let own = http_launch(&stdio, Some(PathBuf::from("/bin/floor-http")));
        assert_eq!(own.program, PathBuf::from("/bin/floor-http"));
        assert_eq!(own.args, ["--http", "127.0.0.1:0"]);
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_name(kind.name()), Some(kind));
        }
        assert_eq!(Kind::from_name("nope"), None);
    }
}
