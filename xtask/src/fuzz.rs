//! `cargo xtask fuzz`: every fuzz target in `fuzz/` (libFuzzer, through
//! cargo-fuzz) for a bounded time each; fails on the first crash, leaving the
//! input in `fuzz/artifacts/<target>/`.
//!
//! cargo-fuzz is installed at a pinned version into
//! `target/xtask-cache/cargo-fuzz`, like the npm packages, never globally.
//!
//! Why the stable toolchain with `--sanitizer none`: cargo-fuzz's default,
//! AddressSanitizer, needs a nightly compiler (`-Zsanitizer`), and a machine
//! here has only the stable toolchain (rustup can fetch no other). What
//! guides libFuzzer is the coverage instrumentation (`-Cpasses=sancov-module`
//! and the `-Cllvm-args` that go with it), and that is stable. The sanitizer
//! would watch for memory errors, which our crates, `forbid(unsafe_code)`
//! all of them, cannot make; panics and failed assertions, the bugs our code
//! can have, are caught without it. Targets build with debug assertions, so
//! arithmetic overflow is caught too.
//!
//! A target is a `[[bin]]` of `fuzz/Cargo.toml`; seeds in `fuzz/seeds/<target>/`
//! and a dictionary `fuzz/<target>.dict` (else `fuzz/json.dict`) are used when
//! present. The corpus grows in `fuzz/corpus/<target>/`, kept between runs
//! but not committed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use anyhow::{Context, Result, bail};

use crate::checks::project_root;

/// The cargo-fuzz release the targets are known to build with.
const CARGO_FUZZ_VERSION: &str = "0.13.2";

/// libFuzzer's limit on one input's run: far beyond any honest parse, so
/// only a hang reaches it, and then it is reported as one.
const INPUT_TIMEOUT_SECONDS: u64 = 10;

/// Fuzz `targets` (every target when empty) for `seconds` each.
pub(crate) fn run(seconds: u64, targets: &[String]) -> Result<()> {
    let cargo_fuzz = install()?;
    let fuzz_dir = project_root().join("fuzz");
    let known = list(&cargo_fuzz, &fuzz_dir)?;
    let chosen: Vec<String> = if targets.is_empty() { known.clone() } else { targets.to_vec() };
    if let Some(unknown) = chosen.iter().find(|t| !known.contains(t)) {
        bail!("no fuzz target {unknown:?}; the targets are {}", known.join(", "));
    }
    // One build for every target, so that each target's time is spent fuzzing.
    run_in(&fuzz_dir, &cargo_fuzz, &["fuzz", "build", "--sanitizer=none", "--debug-assertions"])?;
    for target in &chosen {
        let started = Instant::now();
        fuzz(&cargo_fuzz, &fuzz_dir, target, seconds)?;
        eprintln!("==> fuzz target {target}: no crash in {:.0?}", started.elapsed());
    }
    Ok(())
}

fn fuzz(cargo_fuzz: &Path, fuzz_dir: &Path, target: &str, seconds: u64) -> Result<()> {
    let corpus = fuzz_dir.join("corpus").join(target);
    std::fs::create_dir_all(&corpus)?;
    let mut args: Vec<String> =
        ["fuzz", "run", "--sanitizer=none", "--debug-assertions", target].map(String::from).into_iter().collect();
    // New inputs go into the first folder; the seeds are only read.
    args.push(path_arg(&corpus));
    let seeds = fuzz_dir.join("seeds").join(target);
    if seeds.is_dir() {
        args.push(path_arg(&seeds));
    }
    args.push("--".into());
    args.push(format!("-max_total_time={seconds}"));
    args.push(format!("-timeout={INPUT_TIMEOUT_SECONDS}"));
    let dict = [fuzz_dir.join(format!("{target}.dict")), fuzz_dir.join("json.dict")].into_iter().find(|d| d.is_file());
    if let Some(dict) = dict {
        args.push(format!("-dict={}", path_arg(&dict)));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_in(fuzz_dir, cargo_fuzz, &args)
}

/// The targets `fuzz/Cargo.toml` lists, as cargo-fuzz sees them.
fn list(cargo_fuzz: &Path, fuzz_dir: &Path) -> Result<Vec<String>> {
    let output = Command::new(cargo_fuzz).args(["fuzz", "list"]).current_dir(fuzz_dir).output()?;
    if !output.status.success() {
        bail!("`cargo fuzz list` failed: {}", String::from_utf8_lossy(&output.stderr));
    }
    Ok(String::from_utf8(output.stdout)?.lines().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect())
}

/// cargo-fuzz at the pinned version, installed under `target/` unless an
/// earlier run already did.
fn install() -> Result<PathBuf> {
    let root = project_root().join("target/xtask-cache/cargo-fuzz");
    let binary = root.join("bin").join(format!("cargo-fuzz{}", std::env::consts::EXE_SUFFIX));
    let stamp = root.join(".installed");
    if binary.is_file() && std::fs::read_to_string(&stamp).ok().as_deref() == Some(CARGO_FUZZ_VERSION) {
        return Ok(binary);
    }
    let root_arg = path_arg(&root);
    crate::checks::run(
        "cargo",
        &["install", "cargo-fuzz", "--locked", "--version", CARGO_FUZZ_VERSION, "--root", &root_arg],
        &[],
    )
    .context("installing cargo-fuzz from crates.io")?;
    std::fs::write(&stamp, CARGO_FUZZ_VERSION)?;
    Ok(binary)
}

fn run_in(dir: &Path, program: &Path, args: &[&str]) -> Result<()> {
    eprintln!("$ cargo-fuzz {}  (in {})", args.join(" "), dir.display());
    let status = Command::new(program).args(args).current_dir(dir).status()?;
    if !status.success() {
        bail!("`cargo-fuzz {}` failed with {status}", args.join(" "));
    }
    Ok(())
}

fn path_arg(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}
