//! The command line: six options, parsed by hand.
//!
//! Why no argument-parsing crate: the binary must build with the library's
//! default features alone (so `cargo install` needs no flags), and those must
//! not pull in anything only the binary needs. Six options in the usual
//! spellings (`--opt value`, `--opt=value`, `-h`, `-V`) take a few lines.

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
      --task-store <URL>   Keep tasks in Redis at URL (redis://HOST:PORT/DB),
                           shared by the processes behind one load balancer,
                           instead of this process's memory. Needs a build with
                           the `redis` feature.
      --skills <DIR>       Serve the agent skills in DIR (SEP-2640): every folder
                           with a SKILL.md, at any depth, is a skill, served as
                           skill://<folder>/<file> resources with skills/list,
                           skills/get and resources/directory/read. Default:
                           the conformance suite's pdf-processing skill.
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
    pub(crate) task_store: Option<String>,
    pub(crate) skills: Option<std::path::PathBuf>,
    pub(crate) log_level: String,
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
        task_store: None,
        skills: None,
        log_level: log_env.unwrap_or_else(|| "info".to_owned()),
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
            "--task-store" => options.task_store = Some(value()?),
            "--skills" => options.skills = Some(value()?.into()),
            "--log-level" => options.log_level = value()?,
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            _ if inline.is_some() || name.starts_with('-') => return Err(Error(format!("unknown option '{name}'"))),
            _ => return Err(Error(format!("unexpected argument '{name}'"))),
        }
    }
    Ok(Command::Serve(options))
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
            task_store: None,
            skills: None,
            log_level: "info".into(),
        };
        assert_eq!(parse_args(&[]).unwrap(), Command::Serve(expected));
    }

    #[test]
    fn every_option_is_read_in_both_spellings() {
        let Command::Serve(options) = parse_args(&[
            "--http",
            "127.0.0.1:0",
            "--threads=2",
            "--log-level",
            "debug",
            "--state-key-file=/k",
            "--skills",
            "/s",
            "--task-store=redis://127.0.0.1:6379",
        ])
        .unwrap() else {
            panic!("expected serve")
        };
        assert_eq!(options.http, Some("127.0.0.1:0".parse().unwrap()));
        assert_eq!(options.threads, Some(2));
        assert_eq!(options.log_level, "debug");
        assert_eq!(options.state_key_file, Some("/k".into()));
        assert_eq!(options.skills, Some("/s".into()));
        assert_eq!(options.task_store.as_deref(), Some("redis://127.0.0.1:6379"));
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
