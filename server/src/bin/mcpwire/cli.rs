//! The command line, parsed by hand.
//!
//! Why no argument-parsing crate: the binary must build with the library's
//! default features alone (so `cargo install` needs no flags), and those must
//! not pull in anything only the binary needs. A handful of options in the
//! usual spellings (`--opt value`, `--opt=value`, `-h`, `-V`), durations
//! (`10s`, `500ms`) and sizes (`64MiB`) take a few lines.

use std::ffi::OsString;
use std::net::SocketAddr;
use std::time::Duration;

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
                           accepted in Host and Origin unless more are allowed.
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
      --max-message-bytes <SIZE>
                           The largest message a client may send over stdio; a
                           longer one is refused and skipped (over HTTP,
                           --max-body-bytes bounds a request). [default: 8MiB]
      --max-queued-bytes <SIZE>
                           Memory that messages waiting for a client to read
                           may hold, per connection or session; a client that
                           keeps sending but never reads is cut off there.
                           [default: 64MiB]
      --log-level <LEVEL>  What to log on stderr: error, warn, info, debug or
                           trace, or per-target levels such as
                           info,mcpwire_transport=debug [env: MCPWIRE_LOG]
                           [default: info]
  -h, --help               Print help
  -V, --version            Print version

Streamable HTTP options (with --http; DURATION as 10s, 500ms or 2m, SIZE as
4MiB or a number of bytes):
      --allowed-host <NAME>
                           Also accept this host name in Host and Origin (any
                           port); repeat for more. Needed to serve beyond
                           loopback, with authentication in front. '*' accepts
                           any name.
      --allowed-origin <ORIGIN>
                           Also accept requests from this web origin, e.g.
                           https://app.example.com; repeat for more.
      --max-connections <N>
                           Connections at once; beyond it new ones wait in the
                           listen backlog. Keep it below the open-file limit.
                           [default: 1024]
      --header-timeout <DURATION>
                           Close a connection whose request head takes longer.
                           [default: 10s]
      --body-timeout <DURATION>
                           Answer 408 to a request body that takes longer.
                           [default: 30s]
      --idle-timeout <DURATION>
                           Close a kept-alive connection idle this long.
                           [default: 60s]
      --drain-timeout <DURATION>
                           At SIGTERM, how long clients get to close their
                           idle connections; keep it above a load balancer's
                           keep-alive timeout. [default: 5s]
      --sse-keep-alive <DURATION>
                           Send a comment on an SSE stream quiet this long, so
                           proxies keep it open. [default: 15s]
      --max-body-bytes <SIZE>
                           The largest request body (413 beyond). [default: 4MiB]
      --max-sessions <N>   Sessions at once (503 beyond). [default: 1024]
      --max-replay-bytes <SIZE>
                           Memory all sessions keep so that clients can resume
                           their streams. [default: 64MiB]
";

/// What the command line asked for.
#[derive(Debug, PartialEq)]
pub(crate) enum Command {
    /// Boxed: far larger than the other variants, and made once.
    Serve(Box<Options>),
    Help,
    Version,
}

/// How to serve.
#[derive(Debug, PartialEq)]
pub(crate) struct Options {
    pub(crate) http: Option<SocketAddr>,
    /// The Streamable HTTP options given; only with `http`.
    pub(crate) limits: HttpOptions,
    pub(crate) threads: Option<u16>,
    pub(crate) state_key_file: Option<std::path::PathBuf>,
    pub(crate) task_store: Option<String>,
    pub(crate) skills: Option<std::path::PathBuf>,
    pub(crate) log_level: String,
    /// `TransportConfig` limits (`max_queued_bytes` for HTTP sessions too);
    /// `None` keeps the library's default.
    pub(crate) max_message_bytes: Option<usize>,
    pub(crate) max_queued_bytes: Option<usize>,
}

/// Streamable HTTP settings from the command line; `None` keeps
/// `HttpConfig`'s default, and the names add to its defaults.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct HttpOptions {
    pub(crate) allowed_hosts: Vec<String>,
    pub(crate) allowed_origins: Vec<String>,
    pub(crate) max_connections: Option<usize>,
    pub(crate) header_timeout: Option<Duration>,
    pub(crate) body_timeout: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) drain_timeout: Option<Duration>,
    pub(crate) sse_keep_alive: Option<Duration>,
    pub(crate) max_body_bytes: Option<usize>,
    pub(crate) max_sessions: Option<usize>,
    pub(crate) max_replay_bytes: Option<usize>,
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
        limits: HttpOptions::default(),
        threads: None,
        state_key_file: None,
        task_store: None,
        skills: None,
        log_level: log_env.unwrap_or_else(|| "info".to_owned()),
        max_message_bytes: None,
        max_queued_bytes: None,
    };
    // The first HTTP option given, to name in the error if there is no --http.
    let mut http_option: Option<String> = None;
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
            "--allowed-host" | "--allowed-origin" | "--max-connections" | "--header-timeout" | "--body-timeout"
            | "--idle-timeout" | "--drain-timeout" | "--sse-keep-alive" | "--max-body-bytes" | "--max-sessions"
            | "--max-replay-bytes" => {
                http_option.get_or_insert_with(|| name.to_owned());
                http_limit(&mut options.limits, name, value()?)?;
            }
            "--skills" => options.skills = Some(value()?.into()),
            "--log-level" => options.log_level = value()?,
            "--max-message-bytes" | "--max-queued-bytes" => {
                let text = value()?;
                let bytes = size(&text).map_err(|why| Error(format!("invalid {name} {text:?}: {why}")))?;
                match name {
                    "--max-message-bytes" => options.max_message_bytes = Some(bytes),
                    _ => options.max_queued_bytes = Some(bytes),
                }
            }
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            _ if inline.is_some() || name.starts_with('-') => return Err(Error(format!("unknown option '{name}'"))),
            _ => return Err(Error(format!("unexpected argument '{name}'"))),
        }
    }
    if let (None, Some(name)) = (options.http, http_option) {
        return Err(Error(format!("option '{name}' only applies with --http")));
    }
    Ok(Command::Serve(Box::new(options)))
}

/// Read one Streamable HTTP option.
fn http_limit(limits: &mut HttpOptions, name: &str, value: String) -> Result<(), Error> {
    let invalid = |why: String| Error(format!("invalid {name} {value:?}: {why}"));
    let count = || match value.parse::<usize>() {
        Ok(0) => Err(invalid("must be at least 1".into())),
        Ok(count) => Ok(count),
        Err(error) => Err(invalid(error.to_string())),
    };
    match name {
        "--allowed-host" => limits.allowed_hosts.push(value),
        "--allowed-origin" => limits.allowed_origins.push(value),
        "--max-connections" => limits.max_connections = Some(count()?),
        "--max-sessions" => limits.max_sessions = Some(count()?),
        "--header-timeout" => limits.header_timeout = Some(duration(&value).map_err(invalid)?),
        "--body-timeout" => limits.body_timeout = Some(duration(&value).map_err(invalid)?),
        "--idle-timeout" => limits.idle_timeout = Some(duration(&value).map_err(invalid)?),
        "--drain-timeout" => limits.drain_timeout = Some(duration(&value).map_err(invalid)?),
        "--sse-keep-alive" => limits.sse_keep_alive = Some(duration(&value).map_err(invalid)?),
        "--max-body-bytes" => limits.max_body_bytes = Some(size(&value).map_err(invalid)?),
        "--max-replay-bytes" => limits.max_replay_bytes = Some(size(&value).map_err(invalid)?),
        _ => unreachable!("only HTTP options get here"),
    }
    Ok(())
}

/// `10s`, `500ms`, `2m`, `1.5s`, or a bare number of seconds; more than zero.
fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else if let Some(m) = text.strip_suffix('m') {
        (m, 60.0)
    } else {
        (text, 1.0)
    };
    let seconds = number.trim().parse::<f64>().map_err(|_| "expected a duration such as 10s or 500ms".to_owned())?;
    Duration::try_from_secs_f64(seconds * scale)
        .ok()
        .filter(|duration| !duration.is_zero())
        .ok_or_else(|| "must be more than zero".to_owned())
}

/// `64MiB`, `512KiB`, `1GiB`, or a bare number of bytes; more than zero.
fn size(text: &str) -> Result<usize, String> {
    let text = text.trim();
    let lower = text.to_ascii_lowercase();
    let (number, unit) = [("gib", 1usize << 30), ("mib", 1 << 20), ("kib", 1 << 10), ("b", 1)]
        .into_iter()
        .find_map(|(suffix, unit)| lower.strip_suffix(suffix).map(|number| (number.trim().to_owned(), unit)))
        .unwrap_or((lower.clone(), 1));
    let number: usize = number.parse().map_err(|_| "expected a size such as 64MiB or 1048576".to_owned())?;
    match number.checked_mul(unit) {
        Some(0) => Err("must be more than zero".to_owned()),
        Some(bytes) => Ok(bytes),
        None => Err("too large".to_owned()),
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
            limits: HttpOptions::default(),
            threads: None,
            state_key_file: None,
            task_store: None,
            skills: None,
            log_level: "info".into(),
            max_message_bytes: None,
            max_queued_bytes: None,
        };
        assert_eq!(parse_args(&[]).unwrap(), Command::Serve(Box::new(expected)));
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
    fn http_options_are_read_and_names_add_up() {
        let Command::Serve(options) = parse_args(&[
            "--http=0.0.0.0:8080",
            "--allowed-host",
            "mcp.example.com",
            "--allowed-host=mcp.internal",
            "--allowed-origin",
            "https://app.example.com",
            "--max-connections",
            "512",
            "--header-timeout",
            "5s",
            "--body-timeout=1500ms",
            "--idle-timeout",
            "2m",
            "--drain-timeout=3s",
            "--sse-keep-alive",
            "20s",
            "--max-body-bytes",
            "1MiB",
            "--max-sessions",
            "64",
            "--max-replay-bytes",
            "16777216",
        ])
        .unwrap() else {
            panic!("expected serve")
        };
        let expected = HttpOptions {
            allowed_hosts: vec!["mcp.example.com".into(), "mcp.internal".into()],
            allowed_origins: vec!["https://app.example.com".into()],
            max_connections: Some(512),
            header_timeout: Some(Duration::from_secs(5)),
            body_timeout: Some(Duration::from_millis(1500)),
            idle_timeout: Some(Duration::from_secs(120)),
            drain_timeout: Some(Duration::from_secs(3)),
            sse_keep_alive: Some(Duration::from_secs(20)),
            max_body_bytes: Some(1 << 20),
            max_sessions: Some(64),
            max_replay_bytes: Some(16 << 20),
        };
        assert_eq!(options.limits, expected);
    }

    #[test]
    fn durations_and_sizes_take_units_and_refuse_zero() {
        assert_eq!(duration("10"), Ok(Duration::from_secs(10)));
        assert_eq!(duration("0.5s"), Ok(Duration::from_millis(500)));
        assert_eq!(size("4MiB"), Ok(4 << 20));
        assert_eq!(size("512 kib"), Ok(512 << 10));
        assert_eq!(size("100B"), Ok(100));
        for bad in ["0s", "", "ten", "-1s", "5h"] {
            assert!(duration(bad).is_err(), "{bad:?}");
        }
        for bad in ["0", "4MB", "-1", "99999999999GiB"] {
            assert!(size(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn connection_limits_apply_without_http_too() {
        let Command::Serve(options) =
            parse_args(&["--max-message-bytes=64KiB", "--max-queued-bytes", "16MiB"]).unwrap()
        else {
            panic!("expected serve")
        };
        assert_eq!(options.max_message_bytes, Some(64 << 10));
        assert_eq!(options.max_queued_bytes, Some(16 << 20));
        assert!(parse_args(&["--max-queued-bytes", "0"]).is_err());
    }

    #[test]
    fn http_options_without_http_are_refused() {
        let error = parse_args(&["--max-connections", "8"]).unwrap_err();
        assert_eq!(error.to_string(), "option '--max-connections' only applies with --http");
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
        for args in [
            &["--bogus"][..],
            &["--http", "nowhere"],
            &["--threads", "0"],
            &["--threads"],
            &["extra"],
            &["--http", "127.0.0.1:0", "--max-connections", "0"],
            &["--http", "127.0.0.1:0", "--header-timeout", "soon"],
        ] {
            assert!(parse_args(args).is_err(), "{args:?}");
        }
    }
}
