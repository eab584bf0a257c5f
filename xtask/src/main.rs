//! `cargo xtask`: the project's own commands, as plain Rust instead of shell.
//!
//! `cargo xtask ci` is the one command CI runs; every check it runs is also a
//! command of its own, so a failure can be reproduced alone. Each command lives
//! in its own module; this file only parses the command line.

mod bench;
mod checks;
mod conformance;
mod debian;
mod fuzz;
mod interop;
mod mcpwire;
mod node;
mod package;
mod python;
mod scale;
mod tidy;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "mcpwire's development commands")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Everything CI checks, in order: fmt, lint, test, doc, interop, conformance, package, fuzz --seconds 15, bench --quick.
    Ci,
    /// `cargo fmt --check`.
    Fmt,
    /// clippy on every target, warnings denied.
    Lint,
    /// The whole workspace's tests, and the Redis task store's against a redis-server of their own.
    Test,
    /// The docs, warnings denied.
    Doc,
    /// Drive the mcpwire binary with the official TypeScript SDK client, over stdio and HTTP.
    Interop,
    /// The official MCP conformance suite against `mcpwire --http`.
    Conformance,
    /// What users get: the README's crate builds and serves, `cargo install` works, every crate packages.
    Package,
    /// Benchmarks against the floor and the official SDKs; writes docs/BENCHMARKS.md.
    Bench {
        /// Every scenario at a tiny size against mcpwire alone, so the harness cannot rot.
        #[arg(long)]
        quick: bool,
    },
    /// Several mcpwire processes behind nginx: routing, restarts, a crash, throughput.
    Scale {
        /// Every check at a small size, with a debug build.
        #[arg(long)]
        quick: bool,
    },
    /// The fuzz targets in fuzz/ (cargo-fuzz, libFuzzer), each for a bounded time.
    Fuzz {
        /// How long each target runs.
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        /// The targets to run; all of them when none is named.
        targets: Vec<String>,
    },
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Ci => checks::ci(),
        Command::Fmt => checks::fmt(),
        Command::Lint => checks::lint(),
        Command::Test => checks::test(),
        Command::Doc => checks::doc(),
        Command::Interop => interop::run(),
        Command::Conformance => conformance::run(),
        Command::Package => package::run_all(),
        Command::Bench { quick } => bench::run(quick),
        Command::Scale { quick } => scale::run(quick),
        Command::Fuzz { seconds, targets } => fuzz::run(seconds, &targets),
    }
}
