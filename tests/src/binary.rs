//! Finding the programs under test: the `mcpwire` binary (the one
//! `$MCPWIRE_BIN` names, or one built from this workspace) and the README's
//! example server, each built once per test process.
//!
//! `cargo test` cannot build another package's binary for us (artifact
//! dependencies are unstable), so the first test that needs it runs
//! `cargo build -p mcpwire-server --bin mcpwire` itself. Cargo's own lock makes
//! concurrent builds from several test processes safe; the `OnceLock` makes
//! the threads of one process build once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

/// The workspace root: the parent of this crate's directory.
pub fn workspace_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the tests crate sits inside the workspace")
}

/// The path of the `mcpwire` binary to test.
///
/// # Panics
/// When the build fails, with cargo's output; no test can run without it.
pub fn mcpwire_binary() -> &'static Path {
    static BINARY: OnceLock<PathBuf> = OnceLock::new();
    BINARY.get_or_init(|| match std::env::var_os("MCPWIRE_BIN") {
        Some(path) => PathBuf::from(path),
        None => build(&["--bin", "mcpwire"], "mcpwire"),
    })
}

/// The path of the README's example server (`server/examples/custom_server.rs`).
///
/// # Panics
/// When the build fails, with cargo's output.
pub fn custom_server_example() -> &'static Path {
    static EXAMPLE: OnceLock<PathBuf> = OnceLock::new();
    EXAMPLE.get_or_init(|| build(&["--example", "custom_server"], "custom_server"))
}

/// The path of one of `mcpwire-server`'s examples (`server/examples/NAME.rs`),
/// built on first use.
///
/// # Panics
/// When the build fails, with cargo's output.
pub fn example(name: &str) -> PathBuf {
    build(&["--example", name], name)
}

/// Build one target of `mcpwire-server` (`target` is e.g. `["--bin", "mcpwire"]`)
/// and return where cargo put the executable called `name`.
fn build(target: &[&str], name: &str) -> PathBuf {
    // `$CARGO` is the cargo running these tests, so the build uses the same
    // toolchain and the same target directory rules.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "-p", "mcpwire-server", "--message-format=json-render-diagnostics"])
        .args(target)
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .output()
        .expect("cargo could not be started to build mcpwire");
    assert!(
        output.status.success(),
        "building {name} failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    // Cargo reports where it put the executable; that is right even when
    // `CARGO_TARGET_DIR` or a config moves the target directory.
    let reported = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact" && message["target"]["name"] == name)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from));
    let path = reported.unwrap_or_else(|| workspace_root().join("target/debug").join(name));
    assert!(path.is_file(), "cargo built {name}, but {} does not exist", path.display());
    path
}
