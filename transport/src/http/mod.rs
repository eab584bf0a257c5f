//! Streamable HTTP (MCP 2025-03-26 to 2025-11-25): one endpoint where the
//! client POSTs every message and GETs a standalone event stream, with
//! sessions, resumable SSE streams, and the security checks the spec asks for.
//!
//! The transport owns sockets, sessions and streams; what a message means is
//! the processor's business. When a client initializes a session, the
//! `on_session` callback receives a [`SessionHandle`] and runs a processor on
//! it, exactly as it would on a stdio connection.

mod checks;
mod service;
mod session;
mod sse;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use session::HttpSession;
pub use session::SessionHandle;
use tokio::net::TcpListener;

use crate::TransportConfig;

/// How long connections may take to finish at shutdown before they are dropped.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(1);

/// Limits and settings of a Streamable HTTP server.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The one MCP endpoint.
    pub path: String,
    /// Hosts accepted in `Host` and `Origin` (any port): a request naming any
    /// other host is refused with 403, which stops DNS rebinding. Loopback
    /// names by default; a server bound elsewhere must list its own names.
    pub allowed_hosts: Vec<String>,
    /// The largest request body accepted (413 beyond).
    pub max_body_bytes: usize,
    /// Sessions at once (503 beyond).
    pub max_sessions: usize,
    /// Request streams open at once in one session (429 beyond).
    pub max_streams_per_session: usize,
    /// Events each stream keeps for replay; older notifications are evicted
    /// beyond it, requests and responses never are. Also how far a live
    /// reader may fall behind before the session waits for it.
    pub max_stored_events_per_stream: usize,
    /// A session without requests or open connections for this long ends.
    pub session_idle_timeout: Duration,
    /// The `retry:` a stream advertises: how long a client waits before
    /// resuming after the server closed a connection.
    pub sse_retry: Duration,
    /// Limits of each session's outgoing side.
    pub transport: TransportConfig,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            path: "/mcp".to_owned(),
            allowed_hosts: ["localhost", "127.0.0.1", "[::1]"].map(String::from).to_vec(),
            max_body_bytes: 4 * 1024 * 1024,
            max_sessions: 1024,
            max_streams_per_session: 256,
            max_stored_events_per_stream: 1024,
            session_idle_timeout: Duration::from_secs(30 * 60),
            sse_retry: Duration::from_secs(1),
            transport: TransportConfig::default(),
        }
    }
}

/// State shared by every connection of one server.
struct HttpState {
    config: Arc<HttpConfig>,
    sessions: Mutex<HashMap<String, Arc<HttpSession>>>,
    on_session: Box<dyn Fn(SessionHandle) + Send + Sync>,
}

impl HttpState {
    fn session(&self, id: &str) -> Option<Arc<HttpSession>> {
        self.sessions.lock().expect("sessions lock").get(id).cloned()
    }

    fn remove(&self, id: &str) -> Option<Arc<HttpSession>> {
        self.sessions.lock().expect("sessions lock").remove(id)
    }
}

/// Serve Streamable HTTP on `listener` until `shutdown` resolves, calling
/// `on_session` for every session a client initializes. At shutdown every
/// session ends and connections get a second to finish.
///
/// # Errors
/// Only when the listener itself fails; a failing connection is logged.
pub async fn serve<F>(
    listener: TcpListener,
    config: HttpConfig,
    on_session: F,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()>
where
    F: Fn(SessionHandle) + Send + Sync + 'static,
{
    let state =
        Arc::new(HttpState { config: Arc::new(config), sessions: Mutex::default(), on_session: Box::new(on_session) });
    let reaper = tokio::spawn(reap_idle_sessions(Arc::downgrade(&state)));
    let graceful = GracefulShutdown::new();
    let http = hyper::server::conn::http1::Builder::new();
    tokio::pin!(shutdown);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut shutdown => break,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(error) => {
                tracing::warn!(%error, "accepting a connection failed");
                continue;
            }
        };
        // Small SSE events must not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let state = Arc::clone(&state);
        let service = hyper::service::service_fn(move |request| service::handle(Arc::clone(&state), request));
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "HTTP connection ended with an error");
            }
        });
    }
    reaper.abort();
    let sessions: Vec<_> = state.sessions.lock().expect("sessions lock").drain().map(|(_, s)| s).collect();
    for session in sessions {
        session.end();
    }
    if tokio::time::timeout(SHUTDOWN_DEADLINE, graceful.shutdown()).await.is_err() {
        tracing::debug!("some HTTP connections did not finish in time");
    }
    Ok(())
}

/// End sessions that have been idle too long, or whose processor is gone.
async fn reap_idle_sessions(state: Weak<HttpState>) {
    let period = {
        let Some(state) = state.upgrade() else { return };
        (state.config.session_idle_timeout / 4).clamp(Duration::from_secs(1), Duration::from_secs(60))
    };
    let mut ticks = tokio::time::interval(period);
    loop {
        ticks.tick().await;
        let Some(state) = state.upgrade() else { return };
        let now = Instant::now();
        let expired: Vec<_> = {
            let mut sessions = state.sessions.lock().expect("sessions lock");
            let expired: Vec<String> = sessions
                .iter()
                .filter(|(_, s)| s.incoming.is_closed() || s.is_idle(now))
                .map(|(id, _)| id.clone())
                .collect();
            expired.iter().filter_map(|id| sessions.remove(id)).collect()
        };
        for session in expired {
            tracing::debug!(session = %session.id, "ending an idle session");
            session.end();
        }
    }
}
