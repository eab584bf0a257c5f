//! The command line: a handful of options, parsed by hand.
//!
//! Why no argument-parsing crate: the binary must build with the library's
//! default features alone (so `cargo install` needs no flags), and those must
//! not pull in anything only the binary needs. A handful of options in the
//! usual spellings (`--opt value`, `--opt=value`, `-h`, `-V`) take a few lines.

use std::ffi::OsString;
use std::net::SocketAddr;

pub(crate) const HELP: &str = "\
The mcpwire reference MCP server: every conformance fixture, plus tools for
benchmarks and robustness tests.

It speaks MCP 2024-11-05 to 2025-11-25 (sessions opened with initialize) and
2026-07-28 (stateless: each request carries its version in _meta), both at once,
as newline-delimited JSON-RPC on stdin and stdout, or over Streamable HTTP with
--http, and logs to stderr. Add it to an MCP client's configuration as a stdio
server whose command is this binary.

Usage: mcpwire [OPTIONS]

Options:
      --http <ADDRESS>     Serve Streamable HTTP at http://ADDRESS/mcp instead of
                           stdio, e.g. 127.0.0.1:8080 (port 0 picks a free port;
                           the address is logged). Only loopback hosts are
                           accepted in Host and Origin.
      --threads <N>        Worker threads. Default: 1 for stdio, where one
                           connection's reader, processor, handlers and writer
                           hand work to each other far faster on one thread than
                           across threads; one per core for HTTP.
      --state-key-file <PATH>
                           A file of at least 32 secret bytes that seals the
                           requestState of 2026-07-28 input-required results.
                           Processes behind one load balancer must share it.
                           Default: a random key per process.
      --max-message-bytes <BYTES>
                           The largest message a client may send; a longer one
                           is refused and skipped. Suffixes K, M, G (powers of
                           1024) are accepted. Default: 8M.
      --max-queued-bytes <BYTES>
                           Memory that answers waiting for a client to read
                           may hold, per connection; a client that keeps
                           sending but never reads is disconnected there.
                           Default: 64M.
      --log-level <LEVEL>  What to log on stderr: error, warn, info, debug or
                           trace, or per-target levels such as
                           info,mcpwire_transport=debug [env: MCPWIRE_LOG]
                           [default: info]
  -h, --help               Print help
  -V, --version            Print version
";

/// What the command line asked for.
#[derive(Debug, PartialEq)]
pub(crate) enum Command {
    Serve(Options),
    Help,
    Version,
}

/// How to serve.
#[derive(Debug, PartialEq)]
pub(crate) struct Options {
    pub(crate) http: Option<SocketAddr>,
    pub(crate) threads: Option<u16>,
    pub(crate) state_key_file: Option<std::path::PathBuf>,
    pub(crate) log_level: String,
    /// `TransportConfig` limits; `None` keeps the library's default.
    pub(crate) max_message_bytes: Option<usize>,
    pub(crate) max_queued_bytes: Option<usize>,
}

/// Why the command line was refused.
#[derive(Debug, PartialEq)]
pub(crate) struct Error(String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Parse arguments (without the program name); `log_env` is `$MCPWIRE_LOG`.
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>, log_env: Option<String>) -> Result<Command, Error> {
    let mut options = Options {
        http: None,
        threads: None,
        state_key_file: None,
        log_level: log_env.unwrap_or_else(|| "info".to_owned()),
        max_message_bytes: None,
        max_queued_bytes: None,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg.into_string().map_err(|arg| Error(format!("argument {arg:?} is not valid UTF-8")))?;
        let (name, inline) = match arg.split_once('=') {
            Some((name, value)) if name.starts_with("--") => (name, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = || -> Result<String, Error> {
            match inline.clone() {
                Some(value) => Ok(value),
                None => args
                    .next()
                    .ok_or_else(|| Error(format!("missing value for option '{name}'")))?
                    .into_string()
                    .map_err(|value| Error(format!("value {value:?} for '{name}' is not valid UTF-8"))),
            }
        };
        match name {
            "--http" => {
                let address = value()?;
                let address = address.parse().map_err(|e| Error(format!("invalid --http address {address:?}: {e}")))?;
                options.http = Some(address);
            }
            "--threads" => {
                let threads = value()?;
                let threads: u16 = threads.parse().map_err(|e| Error(format!("invalid --threads {threads:?}: {e}")))?;
                if threads == 0 {
                    return Err(Error("--threads must be at least 1".into()));
                }
                options.threads = Some(threads);
            }
            "--state-key-file" => options.state_key_file = Some(value()?.into()),
            "--log-level" => options.log_level = value()?,
            "--max-message-bytes" => options.max_message_bytes = Some(bytes(name, &value()?)?),
            "--max-queued-bytes" => options.max_queued_bytes = Some(bytes(name, &value()?)?),
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            _ if inline.is_some() || name.starts_with('-') => return Err(Error(format!("unknown option '{name}'"))),
            _ => return Err(Error(format!("unexpected argument '{name}'"))),
        }
    }
    Ok(Command::Serve(options))
}

/// A size in bytes: digits, then optionally K, M or G (powers of 1024).
fn bytes(name: &str, text: &str) -> Result<usize, Error> {
    let invalid = || Error(format!("invalid {name} {text:?}: expected bytes, such as 65536 or 64K, 8M, 1G"));
    let (digits, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, ""),
    };
    let shift = match unit {
        "" => 0,
        "K" | "k" => 10,
        "M" | "m" => 20,
        "G" | "g" => 30,
        _ => return Err(invalid()),
    };
    let count: usize = digits.parse().map_err(|_| invalid())?;
    match count.checked_mul(1 << shift) {
        Some(0) | None => Err(invalid()),
        Some(bytes) => Ok(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(args: &[&str]) -> Result<Command, Error> {
        parse(args.iter().map(Into::into), None)
    }

    #[test]
    fn no_arguments_serve_stdio_at_info() {
        let expected = Options {
            http: None,
            threads: None,
            state_key_file: None,
            log_level: "info".into(),
            max_message_bytes: None,
            max_queued_bytes: None,
        };
        assert_eq!(parse_args(&[]).unwrap(), Command::Serve(expected));
    }

    #[test]
    fn every_option_is_read_in_both_spellings() {
        let Command::Serve(options) =
            parse_args(&["--http", "127.0.0.1:0", "--threads=2", "--log-level", "debug", "--state-key-file=/k"])
                .unwrap()
        else {
            panic!("expected serve")
        };
        assert_eq!(options.http, Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(options.threads, Some(2));
        assert_eq!(options.log_level, "debug");
        assert_eq!(options.state_key_file, Some("/k".into()));
    }

    #[test]
    fn limits_are_read_in_bytes_or_with_a_binary_suffix() {
        let Command::Serve(options) = parse_args(&["--max-message-bytes=65536", "--max-queued-bytes", "16M"]).unwrap()
        else {
            panic!("expected serve")
        };
        assert_eq!(options.max_message_bytes, Some(65536));
        assert_eq!(options.max_queued_bytes, Some(16 * 1024 * 1024));
        assert_eq!(bytes("--x", "2K"), Ok(2048));
        assert_eq!(bytes("--x", "1g"), Ok(1 << 30));
        for bad in ["", "0", "M", "12MB", "-1", "1.5M", "99999999999999999999G"] {
            assert!(bytes("--x", bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn help_and_version_win() {
        assert_eq!(parse_args(&["-h"]).unwrap(), Command::Help);
        assert_eq!(parse_args(&["--version"]).unwrap(), Command::Version);
    }

    #[test]
    fn the_environment_sets_the_default_log_level_and_the_flag_overrides_it() {
        let Command::Serve(options) = parse(std::iter::empty(), Some("warn".into())).unwrap() else { panic!() };
        assert_eq!(options.log_level, "warn");
        let args = ["--log-level", "error"].map(std::ffi::OsString::from);
        let Command::Serve(options) = parse(args, Some("warn".into())).unwrap() else { panic!() };
        assert_eq!(options.log_level, "error");
    }

    #[test]
    fn bad_arguments_are_errors() {
        for args in [&["--bogus"][..], &["--http", "nowhere"], &["--threads", "0"], &["--threads"], &["extra"]] {
            assert!(parse_args(args).is_err(), "{args:?}");
        }
    }
}
