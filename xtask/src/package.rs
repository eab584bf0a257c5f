//! `cargo xtask package`: what a user gets from the crates, checked as a user
//! would get it. The README's example server, copied into a crate of its own
//! whose only dependencies are `mcpwire-server`, `tokio` and `serde`, builds
//! and serves; `cargo install` puts a working `mcpwire` on a path; and
//! `cargo publish --dry-run` packages and builds every published crate.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail, ensure};

use crate::checks::{project_root, run};

/// Where the README's crate and the installed binary go; inside `target`,
/// so a clean clone starts from nothing and nothing lands in the repository.
const CACHE: &str = "target/xtask-cache";

pub(crate) fn run_all() -> Result<()> {
    readme_crate()?;
    install()?;
    publish()
}

/// The README's dependency list and example, in a crate outside the
/// workspace, built and driven over stdio.
fn readme_crate() -> Result<()> {
    let root = project_root();
    let readme = std::fs::read_to_string(root.join("README.md"))?;
    let manifest = fenced_block(&readme, "toml", "[dependencies]").context("the README's Cargo.toml block")?;
    let program = fenced_block(&readme, "rust", "fn main").context("the README's example program")?;
    ensure!(
        manifest.lines().filter(|l| l.contains('=')).count() == 3,
        "the README's dependency list should have exactly three entries:\n{manifest}"
    );
    let dir = root.join(CACHE).join("readme-crate");
    std::fs::create_dir_all(dir.join("src"))?;
    // The published dependency, pointed at this checkout: what `cargo add
    // mcpwire-server` would give once it is on crates.io.
    let server = root.join("server");
    let manifest = manifest
        .replace(r#"mcpwire-server = "0.1""#, &format!(r#"mcpwire-server = {{ path = "{}" }}"#, server.display()));
    let cargo_toml = format!(
        "[package]\nname = \"readme-example\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n[workspace]\n\n{manifest}"
    );
    std::fs::write(dir.join("Cargo.toml"), cargo_toml)?;
    std::fs::write(dir.join("src/main.rs"), program)?;
    // The workspace's lock file pins the same versions the workspace was
    // tested with, already downloaded: the build needs no network.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock"))?;
    let target = root.join("target");
    let target = target.to_str().context("a UTF-8 target path")?;
    let dir_text = dir.to_str().context("a UTF-8 path")?;
    run(
        "cargo",
        &["build", "--offline", "--quiet", "--manifest-path", &format!("{dir_text}/Cargo.toml")],
        &[("CARGO_TARGET_DIR", target)],
    )?;
    let binary = root.join("target/debug/readme-example");
    let answers = drive(
        &binary,
        &[
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"xtask","version":"0"}}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"greet","arguments":{"name":"Ada"}}}"#,
        ],
    )?;
    ensure!(answers.contains(r#""text":"Hello, Ada!""#), "the README's server answered:\n{answers}");
    eprintln!("the README's example builds with only mcpwire-server, tokio and serde, and serves");
    Ok(())
}

/// `cargo install --path server` puts an `mcpwire` that runs on a path. A
/// debug build sharing the workspace's target directory, so CI does not
/// compile the whole tree again with link-time optimisation; the release
/// build differs only in its profile.
fn install() -> Result<()> {
    let root = project_root();
    let install_root = root.join(CACHE).join("install");
    let target = root.join("target");
    run(
        "cargo",
        &[
            "install",
            "--quiet",
            "--locked",
            "--debug",
            "--force",
            "--path",
            "server",
            "--root",
            install_root.to_str().context("a UTF-8 path")?,
        ],
        &[("CARGO_TARGET_DIR", target.to_str().context("a UTF-8 path")?)],
    )?;
    let status = Command::new(install_root.join("bin/mcpwire")).arg("--help").stdout(Stdio::null()).status()?;
    ensure!(status.success(), "the installed mcpwire --help exited with {status}");
    eprintln!("cargo install --path server gives an mcpwire whose --help exits 0");
    Ok(())
}

/// Package every published crate and build each from its package, as
/// crates.io would receive them.
fn publish() -> Result<()> {
    forget_earlier_packages()?;
    run("cargo", &["publish", "--dry-run", "--workspace", "--locked", "--allow-dirty", "--quiet"], &[])
}

/// The crates a dry run packages.
const PUBLISHED: [&str; 3] = ["mcpwire-protocol", "mcpwire-transport", "mcpwire-server"];

/// A dry run of `publish --workspace` serves the packaged crates from a
/// local registry, unpacked into `$CARGO_HOME/registry/src/-<hash>/`. cargo
/// takes a registry's crates to never change, so a second run keeps the first
/// run's unpacked copies, and their builds, after the crates have changed, and
/// fails or checks stale code. Each run starts afresh instead: the copies go,
/// and so do their builds (`cargo clean -p`, only when there were copies, so a
/// clean clone rebuilds nothing).
fn forget_earlier_packages() -> Result<()> {
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")))
        .context("neither CARGO_HOME nor HOME is set")?;
    let Ok(registries) = std::fs::read_dir(cargo_home.join("registry/src")) else { return Ok(()) };
    let mut forgot = false;
    // Local registries have no host in their name: `-<hash>`.
    for registry in registries.flatten().filter(|r| r.file_name().to_string_lossy().starts_with('-')) {
        for unpacked in std::fs::read_dir(registry.path())?.flatten() {
            let name = unpacked.file_name().to_string_lossy().into_owned();
            if PUBLISHED.iter().any(|krate| name.strip_prefix(krate).is_some_and(|rest| rest.starts_with('-'))) {
                std::fs::remove_dir_all(unpacked.path())
                    .with_context(|| format!("removing {}", unpacked.path().display()))?;
                forgot = true;
            }
        }
    }
    if forgot {
        let mut args = vec!["clean", "--quiet"];
        for krate in PUBLISHED {
            args.extend(["-p", krate]);
        }
        run("cargo", &args, &[])?;
    }
    Ok(())
}

/// The first fenced block of `lang` in `markdown` that contains `marker`.
fn fenced_block(markdown: &str, lang: &str, marker: &str) -> Option<String> {
    let opening = format!("```{lang}\n");
    let mut rest = markdown;
    while let Some(start) = rest.find(&opening) {
        let body = &rest[start + opening.len()..];
        let end = body.find("\n```")?;
        let block = &body[..=end];
        if block.contains(marker) {
            return Some(block.to_owned());
        }
        rest = &body[end..];
    }
    None
}

/// Run `binary`, write `lines` to its stdin, close it, and return what it
/// wrote to stdout.
fn drive(binary: &Path, lines: &[&str]) -> Result<String> {
    let mut child = Command::new(binary)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let mut stdin = child.stdin.take().context("stdin is piped")?;
    for line in lines {
        writeln!(stdin, "{line}")?;
    }
    drop(stdin);
    let output = child.wait_with_output()?;
    if !output.status.success() {
        bail!("{} exited with {}", binary.display(), output.status);
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_block_holding_the_marker_is_found() {
        let markdown = "text\n```toml\n[a]\n```\nmore\n```toml\n[dependencies]\nx = 1\n```\n";
        assert_eq!(fenced_block(markdown, "toml", "[dependencies]").as_deref(), Some("[dependencies]\nx = 1\n"));
        assert_eq!(fenced_block(markdown, "rust", "fn main"), None);
    }
}
