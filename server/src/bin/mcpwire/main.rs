//! `mcpwire`: the reference MCP server. Serves every conformance fixture and
//! the benchmark tools over stdio (or Streamable HTTP with `--http`), and
//! exits within a second of stdin closing or SIGINT/SIGTERM; over HTTP,
//! within a second of the drain (at most `--drain-timeout`), in which it
//! refuses new connections and answers what still arrives on open ones.
//! Logs go to stderr; stdout carries only protocol messages.

mod cli;
mod everything;
mod extension_fixtures;
mod stateless_fixtures;

use std::process::ExitCode;
use std::time::Duration;

use mcpwire_server::ServerConfig;
use mcpwire_transport::http::HttpConfig;
use tokio_util::sync::CancellationToken;

/// How long shutdown may take in all, from the signal or EOF to exit (over
/// HTTP, on top of the drain timeout). The processor's own grace periods
/// fit inside it; this is the backstop for a client that stops reading
/// while we still have output queued.
const EXIT_DEADLINE: Duration = Duration::from_millis(950);

fn main() -> ExitCode {
    let log_env = std::env::var("MCPWIRE_LOG").ok();
    let cli = match cli::parse(std::env::args_os().skip(1), log_env) {
        Ok(cli::Command::Serve(options)) => *options,
        Ok(cli::Command::Help) => return print(cli::HELP),
        Ok(cli::Command::Version) => return print(&format!("mcpwire {}\n", env!("CARGO_PKG_VERSION"))),
        Err(error) => {
            eprintln!("mcpwire: {error}\n\nTry 'mcpwire --help' for more information.");
            return ExitCode::from(2);
        }
    };
    // Held to the end of `main`, so the last lines reach stderr before exit.
    let _log = match mcpwire_server::log_to_stderr(&cli.log_level) {
        Ok(log) => log,
        Err(error) => {
            eprintln!("mcpwire: --log-level {:?}: {error}", cli.log_level);
            return ExitCode::from(2);
        }
    };

    let threads = cli.threads.map(usize::from).unwrap_or(if cli.http.is_some() { 0 } else { 1 });
    let mut builder = match threads {
        1 => tokio::runtime::Builder::new_current_thread(),
        _ => tokio::runtime::Builder::new_multi_thread(),
    };
    if threads > 1 {
        builder.worker_threads(threads);
    }
    let runtime = match builder.enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            tracing::error!(%error, "could not start the async runtime");
            return ExitCode::FAILURE;
        }
    };
    let mut config = ServerConfig::default();
    if let Some(bytes) = cli.max_message_bytes {
        config.transport.max_message_bytes = bytes;
    }
    if let Some(bytes) = cli.max_queued_bytes {
        config.transport.max_queued_bytes = bytes;
    }
    if let Some(path) = &cli.state_key_file {
        let key = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| mcpwire_server::StateKey::from_bytes(&bytes).map_err(|e| e.to_string()));
        match key {
            Ok(key) => config.request_state_key = key,
            Err(error) => {
                eprintln!("mcpwire: --state-key-file {}: {error}", path.display());
                return ExitCode::from(2);
            }
        }
    }
    let skills = match &cli.skills {
        None => extension_fixtures::skills(),
        Some(dir) => match mcpwire_server::Skills::from_dir(dir) {
            Ok(skills) => skills,
            Err(error) => {
                eprintln!("mcpwire: --skills {}: {error}", dir.display());
                return ExitCode::from(2);
            }
        },
    };
    let task_store = match &cli.task_store {
        None => None,
        Some(url) => match runtime.block_on(task_store(url, &config.tasks)) {
            Ok(store) => Some(store),
            Err(error) => {
                eprintln!("mcpwire: --task-store {url}: {error}");
                return ExitCode::from(2);
            }
        },
    };
    let http = cli.http.map(|address| (address, http_config(cli.limits, &config)));
    let served = runtime.block_on(serve(http, config, skills, task_store));
    // On the portable stdio path (stdin neither a pipe nor a socket, such as a
    // terminal or a file), reading stdin happens on a blocking thread that only
    // returns when its read does; don't wait for it. Pipes and sockets are
    // polled by the runtime and hold no blocking thread.
    runtime.shutdown_timeout(Duration::from_millis(50));
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "serving failed");
            ExitCode::FAILURE
        }
    }
}

/// `--help` and `--version` answer on stdout, as every command-line tool does;
/// they exit before any protocol message could be written.
#[allow(clippy::print_stdout)]
fn print(text: &str) -> ExitCode {
    print!("{text}");
    ExitCode::SUCCESS
}

/// The shared task store `--task-store` names.
#[cfg(feature = "redis")]
async fn task_store(
    url: &str,
    config: &mcpwire_server::TaskConfig,
) -> Result<std::sync::Arc<dyn mcpwire_server::TaskStore>, String> {
    let store = mcpwire_server::RedisTaskStore::connect(url, config).await.map_err(|e| e.to_string())?;
    Ok(std::sync::Arc::new(store))
}

/// Without the `redis` feature there is no shared store to connect to.
#[cfg(not(feature = "redis"))]
async fn task_store(
    _url: &str,
    _config: &mcpwire_server::TaskConfig,
) -> Result<std::sync::Arc<dyn mcpwire_server::TaskStore>, String> {
    Err("this mcpwire was built without the `redis` feature (cargo build --features redis)".to_owned())
}

/// The Streamable HTTP settings: the command line's over the defaults.
fn http_config(options: cli::HttpOptions, config: &ServerConfig) -> HttpConfig {
    let defaults = HttpConfig::default();
    let mut allowed_hosts = defaults.allowed_hosts.clone();
    allowed_hosts.extend(options.allowed_hosts);
    HttpConfig {
        allowed_hosts,
        allowed_origins: options.allowed_origins,
        max_connections: options.max_connections.unwrap_or(defaults.max_connections),
        header_read_timeout: options.header_timeout.unwrap_or(defaults.header_read_timeout),
        body_read_timeout: options.body_timeout.unwrap_or(defaults.body_read_timeout),
        idle_timeout: options.idle_timeout.unwrap_or(defaults.idle_timeout),
        drain_timeout: options.drain_timeout.unwrap_or(defaults.drain_timeout),
        sse_keep_alive: options.sse_keep_alive.unwrap_or(defaults.sse_keep_alive),
        max_body_bytes: options.max_body_bytes.unwrap_or(defaults.max_body_bytes),
        max_sessions: options.max_sessions.unwrap_or(defaults.max_sessions),
        max_replay_bytes: options.max_replay_bytes.unwrap_or(defaults.max_replay_bytes),
        transport: config.transport.clone(),
        ..defaults
    }
}

async fn serve(
    http: Option<(std::net::SocketAddr, HttpConfig)>,
    config: ServerConfig,
    skills: mcpwire_server::Skills,
    task_store: Option<std::sync::Arc<dyn mcpwire_server::TaskStore>>,
) -> Result<(), mcpwire_server::Error> {
    let server = everything::server(config.clone(), skills, task_store);
    let stop = CancellationToken::new();
    tokio::spawn(stop_on_signal(stop.clone()));
    // Over HTTP, clients first get the drain to close their connections.
    let deadline = EXIT_DEADLINE + http.as_ref().map_or(Duration::ZERO, |(_, config)| config.drain_timeout);
    let serving: std::pin::Pin<Box<dyn std::future::Future<Output = Result<(), mcpwire_server::Error>>>> = match http {
        Some((address, http_config)) => {
            let listener = tokio::net::TcpListener::bind(address).await?;
            let address = listener.local_addr()?;
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                "mcpwire serves MCP over Streamable HTTP at http://{address}/mcp; logs on stderr"
            );
            Box::pin(server.serve_http(listener, http_config, stop.clone().cancelled_owned()))
        }
        None => {
            tracing::info!(
                version = env!("CARGO_PKG_VERSION"),
                "mcpwire serves MCP on stdio: JSON-RPC lines on stdin and stdout, logs on stderr"
            );
            Box::pin(server.serve_stdio(stop.clone().cancelled_owned()))
        }
    };
    tokio::pin!(serving);
    tokio::select! {
        served = &mut serving => served,
        () = async { stop.cancelled().await; tokio::time::sleep(deadline).await } => {
            tracing::warn!("shutdown took too long; exiting without waiting further");
            Ok(())
        }
    }
}

/// Cancel `stop` on SIGINT or SIGTERM.
async fn stop_on_signal(stop: CancellationToken) {
    let mut terminate = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(signal) => signal,
        Err(error) => {
            tracing::warn!(%error, "cannot listen for SIGTERM");
            return;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("SIGINT received; shutting down"),
        _ = terminate.recv() => tracing::info!("SIGTERM received; shutting down"),
    }
    stop.cancel();
}
