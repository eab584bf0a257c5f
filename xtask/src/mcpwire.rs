//! The binary under test: building `mcpwire` (or taking `$MCPWIRE_BIN`), and
//! running it as a Streamable HTTP server on a free loopback port.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::Duration;

use anyhow::{Context, Result, bail};
use serde_json::Value;

use crate::checks::project_root;

/// How long the server may take to start listening, and to exit when asked.
const PATIENCE: Duration = Duration::from_secs(20);

/// Lines of the server's stderr kept to explain a failure.
const STDERR_KEPT: usize = 200;

/// `$MCPWIRE_BIN` if set, else a fresh debug build of `mcpwire`.
pub(crate) fn binary() -> Result<PathBuf> {
    match from_env()? {
        Some(binary) => Ok(binary),
        None => build(Profile::Debug),
    }
}

/// The binary `$MCPWIRE_BIN` names, if it is set.
pub(crate) fn from_env() -> Result<Option<PathBuf>> {
    let Some(binary) = std::env::var_os("MCPWIRE_BIN") else { return Ok(None) };
    let binary = project_root().join(binary);
    if !binary.is_file() {
        bail!("MCPWIRE_BIN={} is not a file", binary.display());
    }
    Ok(Some(binary))
}

/// Which build of the binary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Profile {
    Debug,
    Release,
}

/// Build `mcpwire` and return where cargo put it.
pub(crate) fn build(profile: Profile) -> Result<PathBuf> {
    build_with(profile, &[])
}

/// Build `mcpwire` with these features of `mcpwire-server` besides the
/// default ones, and return where cargo put it.
pub(crate) fn build_with(profile: Profile, features: &[&str]) -> Result<PathBuf> {
    // Ask cargo where it put the executable rather than guessing the target
    // directory, which CARGO_TARGET_DIR or a config file may move.
    let mut args =
        vec!["build", "--package", "mcpwire-server", "--bin", "mcpwire", "--message-format=json-render-diagnostics"];
    if profile == Profile::Release {
        args.push("--release");
    }
    let features = features.join(",");
    if !features.is_empty() {
        args.extend(["--features", &features]);
    }
    eprintln!("$ cargo {}", args.join(" "));
    let output = Command::new("cargo")
        .args(&args)
        .current_dir(project_root())
        .stderr(Stdio::inherit())
        .output()
        .context("running cargo")?;
    if !output.status.success() {
        bail!("building mcpwire failed with {}", output.status);
    }
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact" && message["target"]["name"] == "mcpwire")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .context("cargo built mcpwire but named no executable for it")
}

/// `mcpwire --http` running on a port the operating system chose.
pub(crate) struct HttpServer {
    /// Taken when the server is stopped, so `Drop` knows there is nothing to kill.
    child: Option<Child>,
    /// The MCP endpoint, as the server logged it.
    pub(crate) url: String,
    stderr: Arc<Mutex<VecDeque<String>>>,
}

impl HttpServer {
    /// Start the server and wait until it says where it listens.
    pub(crate) fn start(binary: &Path) -> Result<Self> {
        let mut child = Command::new(binary)
            .args(["--http", "127.0.0.1:0", "--log-level", "info"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stderr = Arc::new(Mutex::new(VecDeque::new()));
        let (found_tx, found) = mpsc::channel();
        let lines = BufReader::new(child.stderr.take().expect("stderr is piped"));
        let kept = Arc::clone(&stderr);
        // The reader keeps draining stderr for the server's whole life, so the
        // server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in lines.lines().map_while(Result::ok) {
                if let Some(url) = endpoint_in(&line) {
                    let _ = found_tx.send(url);
                }
                let mut kept = kept.lock().expect("stderr lock");
                kept.push_back(line);
                if kept.len() > STDERR_KEPT {
                    kept.pop_front();
                }
            }
        });
        let mut server = Self { child: Some(child), url: String::new(), stderr };
        match found.recv_timeout(PATIENCE) {
            Ok(url) => server.url = url,
            Err(_) => bail!("mcpwire --http never said where it listens; its stderr:\n{}", server.stderr_tail()),
        }
        Ok(server)
    }

    /// What the server has logged lately.
    pub(crate) fn stderr_tail(&self) -> String {
        self.stderr.lock().expect("stderr lock").iter().cloned().collect::<Vec<_>>().join("\n")
    }

    /// Ask the server to stop as Ctrl-C would, and check it exits cleanly and quickly.
    pub(crate) fn stop(mut self) -> Result<()> {
        let mut child = self.child.take().expect("a running server has its child");
        let pid = child.id().to_string();
        let signalled = Command::new("kill").args(["-INT", &pid]).status();
        if !signalled.as_ref().is_ok_and(|status| status.success()) {
            let _ = child.kill();
            let _ = child.wait();
            bail!("could not signal mcpwire ({pid}): {signalled:?}");
        }
        let (done_tx, done) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = done_tx.send(child.wait());
        });
        match done.recv_timeout(PATIENCE) {
            Ok(Ok(status)) if status.success() => Ok(()),
            Ok(Ok(status)) => {
                bail!("mcpwire --http exited with {status} after SIGINT; stderr:\n{}", self.stderr_tail())
            }
            Ok(Err(error)) => Err(error.into()),
            Err(_) => bail!("mcpwire --http did not exit after SIGINT"),
        }
    }
}

impl Drop for HttpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The endpoint URL in the server's start-up line, if this is that line.
fn endpoint_in(line: &str) -> Option<String> {
    let start = line.find("http://")?;
    let url = &line[start..];
    let end = url.find(|c: char| c.is_whitespace() || c == ';').unwrap_or(url.len());
    Some(url[..end].to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_is_read_from_the_start_up_line() {
        let line = "2026-01-01T00:00:00Z  INFO mcpwire serves MCP over Streamable HTTP at http://127.0.0.1:41234/mcp; logs on stderr version=\"0.1.0\"";
        assert_eq!(endpoint_in(line).as_deref(), Some("http://127.0.0.1:41234/mcp"));
        assert_eq!(endpoint_in("INFO session initialized"), None);
    }
}
