//! Finding the `mcpwire` binary under test: the one `$MCPWIRE_BIN` names, or
//! one built from this workspace, once per test process.
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
        None => build(),
    })
}

fn build() -> PathBuf {
    // `$CARGO` is the cargo running these tests, so the build uses the same
    // toolchain and the same target directory rules.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["build", "-p", "mcpwire-server", "--bin", "mcpwire", "--message-format=json-render-diagnostics"])
        .current_dir(workspace_root())
        .stdin(Stdio::null())
        .output()
        .expect("cargo could not be started to build mcpwire");
    assert!(
        output.status.success(),
        "building mcpwire failed ({}):\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    // Cargo reports where it put the executable; that is right even when
    // `CARGO_TARGET_DIR` or a config moves the target directory.
    let reported = String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["reason"] == "compiler-artifact" && message["target"]["name"] == "mcpwire")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from));
    let path = reported.unwrap_or_else(|| workspace_root().join("target/debug/mcpwire"));
    assert!(path.is_file(), "cargo built mcpwire, but {} does not exist", path.display());
    path
}
