//! The checks every change must pass: formatting, lints, tests and docs, and
//! `ci`, which runs them all in the order that fails fastest.

use std::process::Command;
use std::time::Instant;

use anyhow::{Result, bail};

/// The workspace root: xtask always runs from there, wherever it was started.
pub(crate) fn project_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("xtask lives in the workspace root").to_owned()
}

/// Run a command from the workspace root, failing if it fails.
pub(crate) fn run(program: &str, args: &[&str], envs: &[(&str, &str)]) -> Result<()> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program).args(args).envs(envs.iter().copied()).current_dir(project_root()).status()?;
    if !status.success() {
        bail!("`{program} {}` failed with {status}", args.join(" "));
    }
    Ok(())
}

/// One named check.
type Step = (&'static str, fn() -> Result<()>);

pub(crate) fn ci() -> Result<()> {
    let steps: [Step; 10] = [
        ("fmt", fmt),
        ("lint", lint),
        ("test", test),
        ("doc", doc),
        ("interop", crate::interop::run),
        ("conformance", crate::conformance::run),
        ("package", crate::package::run_all),
        // Every fuzz target for 15 seconds, so the targets cannot rot: under
        // four minutes on a fresh machine of two cores (installing cargo-fuzz
        // 1m10s, building the three instrumented targets 1m40s, fuzzing 50 s).
        // Real fuzzing is a longer `cargo xtask fuzz` run.
        ("fuzz --seconds 15", || crate::fuzz::run(15, &[])),
        // Every benchmark scenario at a tiny size, so the harness cannot rot.
        ("bench --quick", || crate::bench::run(true)),
        // Every scale check behind nginx at a small size: the routing, the
        // shared tasks, and above all a rolling restart without a failed call.
        ("scale --quick", || crate::scale::run(true)),
    ];
    for (name, step) in steps {
        let started = Instant::now();
        eprintln!("==> {name}");
        step()?;
        eprintln!("==> {name} passed in {:.1?}", started.elapsed());
    }
    Ok(())
}

pub(crate) fn fmt() -> Result<()> {
    run("cargo", &["fmt", "--all", "--", "--check"], &[])?;
    // The projects outside the workspace, which `--all` does not reach.
    for manifest in OUTSIDE_WORKSPACE {
        run("cargo", &["fmt", "--manifest-path", manifest, "--", "--check"], &[])?;
    }
    Ok(())
}

/// Projects of this repository that are not workspace members: they pull in
/// dependencies (libFuzzer, a peer's SDK) the workspace's lock file and
/// builds should not carry.
const OUTSIDE_WORKSPACE: [&str; 4] =
    ["fuzz/Cargo.toml", "bench/floor/Cargo.toml", "bench/floor-http/Cargo.toml", "bench/rmcp-peer/Cargo.toml"];

pub(crate) fn lint() -> Result<()> {
    run("cargo", &["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"], &[])?;
    // The Redis task store is behind a feature no default build turns on;
    // lint it (and the binary's flag for it) too, so it cannot rot unseen.
    let redis = ["clippy", "-p", "mcpwire-server", "--features", "redis", "--all-targets", "--locked"];
    run("cargo", &[&redis[..], &["--", "-D", "warnings"]].concat(), &[])
}

pub(crate) fn test() -> Result<()> {
    // `CI=true` turns a missing official schema into a failure instead of a skip.
    run("cargo", &["test", "--workspace", "--locked"], &[("CI", "true")])?;
    // The Redis task store's own tests, behind its feature, against a
    // `redis-server` of their own (Debian's, installed when missing): two
    // stores on one Redis are two processes sharing their tasks, so
    // cancellations and answers must cross between them. `CI=true` turns a
    // missing server into a failure instead of a skip.
    let [program] = crate::debian::ensure(&[crate::debian::REDIS])?.try_into().expect("one program asked for");
    let dir = project_root().join("target/test-redis");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    let redis = crate::scale::redis::Redis::start(&program, &dir)?;
    let redis_tests = ["test", "-p", "mcpwire-server", "--features", "redis", "--lib", "--locked", "redis_tasks"];
    run("cargo", &redis_tests, &[("CI", "true"), ("MCPWIRE_TEST_REDIS", &redis.url)])
}

pub(crate) fn doc() -> Result<()> {
    run("cargo", &["doc", "--workspace", "--no-deps", "--locked"], &[("RUSTDOCFLAGS", "-D warnings")])
}
