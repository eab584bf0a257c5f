//! `cargo xtask layout`: records which functions a serving `mcpwire` runs, so
//! the linker can place them side by side (see `server/build.rs`).
//!
//! It builds the release binary, runs it under callgrind through what every
//! stdio session does (start-up, the handshake, `tools/list`, echo calls, a
//! ping, shutdown on EOF), and writes the functions callgrind saw executing in
//! the binary to `server/src/bin/mcpwire/hot-functions.txt`. Symbol names carry
//! hashes that change with dependency versions, features and the toolchain, so
//! rerun it after changing any of those; `cargo xtask bench` reports how much of
//! the file still matches.

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, ChildStdout, Command, Stdio};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::checks::project_root;
use crate::mcpwire::{self, Profile};

/// Where the list lives, relative to the workspace root.
pub(crate) const HOT_FUNCTIONS: &str = "server/src/bin/mcpwire/hot-functions.txt";

/// Echo calls in the recorded session: enough for the input buffer (64 KiB)
/// to fill and be reclaimed several times, so every path a long session takes
/// is seen.
const ECHO_CALLS: u64 = 2_000;

pub(crate) fn run() -> Result<()> {
    if Command::new("valgrind").arg("--version").output().is_err() {
        bail!("`cargo xtask layout` needs valgrind (callgrind) on PATH");
    }
    let binary = mcpwire::build(Profile::Release)?;
    let scratch = project_root().join("target/layout");
    fs::create_dir_all(&scratch)?;
    let profile = scratch.join("callgrind.out");
    let _ = fs::remove_file(&profile);
    record(&binary, &profile, &scratch.join("valgrind.log"))?;
    let functions = executed_in(&fs::read_to_string(&profile)?, &binary);
    if functions.is_empty() {
        bail!("callgrind recorded no functions of {}", binary.display());
    }
    let mut text = String::from(
        "# The functions a serving `mcpwire` runs: start-up, the handshake, tools/list,\n\
         # tools/call echo, ping and shutdown, as callgrind saw them. server/build.rs has\n\
         # the linker place them first and together. Written by `cargo xtask layout`;\n\
         # rerun it after changing dependencies, features or the toolchain.\n",
    );
    for function in &functions {
        text.push_str(function);
        text.push('\n');
    }
    let path = project_root().join(HOT_FUNCTIONS);
    fs::write(&path, text)?;
    eprintln!("{} functions written to {}", functions.len(), path.display());
    Ok(())
}

/// Runs `binary` under callgrind through one ordinary stdio session.
fn record(binary: &Path, profile: &Path, log: &Path) -> Result<()> {
    let mut child = Command::new("valgrind")
        .args(["--tool=callgrind", "--demangle=no", "--compress-strings=no", "--compress-pos=no"])
        .arg(format!("--callgrind-out-file={}", profile.display()))
        .arg(binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(fs::File::create(log)?)
        .spawn()
        .context("starting valgrind")?;
    let mut client = Client {
        stdin: child.stdin.take().expect("stdin is piped"),
        stdout: BufReader::new(child.stdout.take().expect("stdout is piped")),
        log,
    };
    let info = json!({"name": "mcpwire-layout", "version": env!("CARGO_PKG_VERSION")});
    let capabilities = json!({"elicitation": {}});
    client.call(
        0,
        "initialize",
        &json!({"protocolVersion": "2025-11-25", "capabilities": capabilities, "clientInfo": info}),
    )?;
    client.notify("notifications/initialized")?;
    client.call(1, "tools/list", &json!({}))?;
    let echo = json!({"name": "echo", "arguments": {"text": "the quick brown fox jumps over the lazy dog"}});
    for id in 2..2 + ECHO_CALLS {
        client.call(id, "tools/call", &echo)?;
    }
    client.call(2 + ECHO_CALLS, "ping", &json!({}))?;
    // EOF on stdin: the server shuts down, and callgrind writes its profile.
    drop(client);
    let status = child.wait()?;
    if !status.success() {
        bail!("the server exited with {status}; see {}", log.display());
    }
    Ok(())
}

/// How many of the functions `hot-functions.txt` lists `binary` has, and how
/// many it lists: a list that no longer matches its binary costs memory.
pub(crate) fn coverage(binary: &Path) -> Result<(usize, usize)> {
    let listed = fs::read_to_string(project_root().join(HOT_FUNCTIONS))?;
    let listed: Vec<&str> = listed.lines().filter(|line| !line.is_empty() && !line.starts_with('#')).collect();
    // Symbol names sit NUL-terminated in the symbol string table; a mangled
    // name turning up elsewhere in the file, NUL-delimited, is not a worry.
    let bytes = fs::read(binary)?;
    let strings: HashSet<&[u8]> = bytes.split(|byte| *byte == 0).collect();
    let found = listed.iter().filter(|name| strings.contains(name.as_bytes())).count();
    Ok((found, listed.len()))
}

/// The recording session's side of the pipes.
struct Client<'a> {
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// Valgrind's log, named in errors.
    log: &'a Path,
}

impl Client<'_> {
    /// Sends a request and reads until its answer, failing if it is an error.
    fn call(&mut self, id: u64, method: &str, params: &Value) -> Result<()> {
        writeln!(self.stdin, "{}", json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))?;
        let mut line = String::new();
        loop {
            line.clear();
            if self.stdout.read_line(&mut line)? == 0 {
                bail!("the server closed its stdout while {method} was pending; see {}", self.log.display());
            }
            let message: Value = serde_json::from_str(&line)?;
            if message["id"] == id {
                return match message.get("error") {
                    Some(error) => bail!("{method} failed: {error}"),
                    None => Ok(()),
                };
            }
        }
    }

    fn notify(&mut self, method: &str) -> Result<()> {
        writeln!(self.stdin, "{}", json!({"jsonrpc": "2.0", "method": method}))?;
        Ok(())
    }
}

/// The functions of `binary` that a callgrind profile (uncompressed names)
/// saw executing, sorted.
fn executed_in(profile: &str, binary: &Path) -> BTreeSet<String> {
    let name = binary.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default();
    let mut in_binary = false;
    let mut functions = BTreeSet::new();
    for line in profile.lines() {
        if let Some(object) = line.strip_prefix("ob=") {
            in_binary = PathBuf::from(object.trim()).file_name().is_some_and(|file| file.to_string_lossy() == name);
        } else if let Some(function) = line.strip_prefix("fn=")
            && in_binary
        {
            // Callgrind marks recursion depth with a `'N` suffix, names code
            // it has no symbol for by its address, and adds pseudo-functions
            // such as `(below main)`.
            let function = function.split('\'').next().unwrap_or_default().trim();
            let symbol = !function.is_empty() && !function.starts_with("0x") && !function.contains([' ', '(']);
            if symbol {
                functions.insert(function.to_owned());
            }
        }
    }
    functions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_named_functions_of_the_binary() {
        let profile = "ob=/usr/lib/libc.so.6\nfn=memcpy\nob=/x/target/release/mcpwire\nfn=_ZN4main17h0E\n\
                       fn=_ZN4work17h1E'2\nfn=0x0000000000012345\nfn=(below main)\nob=/usr/lib/libm.so.6\nfn=pow\n";
        let functions = executed_in(profile, Path::new("/y/mcpwire"));
        assert_eq!(functions.into_iter().collect::<Vec<_>>(), ["_ZN4main17h0E", "_ZN4work17h1E"]);
    }
}
