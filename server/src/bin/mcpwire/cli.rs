//! The command line: five options, parsed with `lexopt`.
//!
//! Why not clap: it would double this server's resident memory at start-up
//! (clap's code is larger than the rest of the process touches), and the
//! benchmarks hold idle memory to twice the cheapest possible server's.
//! lexopt does the parsing that is easy to get wrong (`--opt=value`, `--`,
//! non-UTF-8 arguments); the help text is ours.

use std::net::SocketAddr;

use lexopt::prelude::*;

pub(crate) const HELP: &str = "\
The mcpwire reference MCP server: every conformance fixture, plus tools for
benchmarks and robustness tests.

It speaks MCP (2024-11-05 to 2025-11-25) as newline-delimited JSON-RPC on stdin
and stdout, or over Streamable HTTP with --http, and logs to stderr. Add it to an
MCP client's configuration as a stdio server whose command is this binary.

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
    pub(crate) log_level: String,
}

/// Parse arguments (without the program name); `log_env` is `$MCPWIRE_LOG`.
pub(crate) fn parse(
    args: impl IntoIterator<Item = std::ffi::OsString>,
    log_env: Option<String>,
) -> Result<Command, lexopt::Error> {
    let mut options = Options { http: None, threads: None, log_level: log_env.unwrap_or_else(|| "info".to_owned()) };
    let mut parser = lexopt::Parser::from_args(args);
    while let Some(arg) = parser.next()? {
        match arg {
            Long("http") => options.http = Some(parser.value()?.parse()?),
            Long("threads") => {
                let threads: u16 = parser.value()?.parse()?;
                if threads == 0 {
                    return Err("--threads must be at least 1".into());
                }
                options.threads = Some(threads);
            }
            Long("log-level") => options.log_level = parser.value()?.string()?,
            Short('h') | Long("help") => return Ok(Command::Help),
            Short('V') | Long("version") => return Ok(Command::Version),
            _ => return Err(arg.unexpected()),
        }
    }
    Ok(Command::Serve(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_args(args: &[&str]) -> Result<Command, lexopt::Error> {
        parse(args.iter().map(Into::into), None)
    }

    #[test]
    fn no_arguments_serve_stdio_at_info() {
        let expected = Options { http: None, threads: None, log_level: "info".into() };
        assert_eq!(parse_args(&[]).unwrap(), Command::Serve(expected));
    }

    #[test]
    fn every_option_is_read_in_both_spellings() {
        let Command::Serve(options) =
            parse_args(&["--http", "127.0.0.1:0", "--threads=2", "--log-level", "debug"]).unwrap()
        else {
            panic!("expected serve")
        };
        assert_eq!(options.http, Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(options.threads, Some(2));
        assert_eq!(options.log_level, "debug");
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
