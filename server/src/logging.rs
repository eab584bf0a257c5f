//! Logging for a server: `tracing` events as lines on stderr.
//!
//! A stdio server's stdout carries protocol messages and nothing else, so a
//! subscriber that prints to stdout (the default of most) corrupts the
//! session. This sets one up that writes to stderr only, filtered by
//! `target=level` directives.

use std::io::IsTerminal;

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::Error;

/// Send this process's `tracing` events to stderr, filtered by `directives`:
/// a level (`info`), or per-target levels (`info,mcpwire_transport=debug`).
///
/// ```no_run
/// mcpwire_server::log_to_stderr("info")?;
/// # Ok::<(), mcpwire_server::Error>(())
/// ```
///
/// # Errors
/// [`Error::LogFilter`] when the directives do not parse, and
/// [`Error::LogAlreadySet`] when the process already has a subscriber.
pub fn log_to_stderr(directives: &str) -> Result<(), Error> {
    // `Targets` rather than `EnvFilter`: the same `target=level` directives
    // without a regex engine.
    let filter = directives.parse::<Targets>().map_err(|e| Error::LogFilter(e.to_string()))?;
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_max_level(tracing::Level::TRACE)
        .with_target(false)
        .finish()
        .with(filter)
        .try_init()
        .map_err(|_| Error::LogAlreadySet)
}
