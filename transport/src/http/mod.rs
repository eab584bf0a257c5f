//! Streamable HTTP, both eras on one endpoint. In the handshake era (MCP
//! 2025-03-26 to 2025-11-25) the client POSTs every message and GETs a
//! standalone event stream, in a session with resumable SSE streams. In the
//! stateless era (2026-07-28) every request is one POST that stands alone,
//! answered with JSON or with a stream scoped to it. Both share the security
//! checks the spec asks for, and the era is decided per request.
//!
//! The transport owns sockets, sessions and streams; what a message means is
//! its owner's business, reached through a [`Handler`]. When a client
//! initializes a session, [`Handler::session`] receives a [`SessionHandle`]
//! and runs a processor on it, exactly as on a stdio connection. Each
//! stateless request goes to [`Handler::request`] as a [`StatelessRequest`]
//! with an outgoing queue of its own.
//!
//! [`McpService`] answers the endpoint's requests: a `tower::Service` over
//! `http::Request`, which an axum or hyper application mounts at a path of
//! its own, behind its own middleware. [`serve`] runs it on a listener with
//! what only an accept loop can hold connections to (their number and their
//! clocks; see [`HttpConfig`]). [`AuthConfig`] makes the endpoint an OAuth
//! resource server, as MCP's authorization specification asks.
//!
//! A server that answers every stateless request with an empty result:
//!
//! ```
//! use mcpwire_transport::http::{self, Handler, HttpConfig, SessionHandle, StatelessRequest};
//!
//! struct Answer;
//!
//! impl Handler for Answer {
//!     fn session(&self, handle: SessionHandle) {
//!         // A real owner runs a processor on it; dropping it ends the session.
//!         drop(handle);
//!     }
//!
//!     fn request(&self, request: StatelessRequest) {
//!         let result = serde_json::json!({"resultType": "complete"});
//!         request.sender.send_response(request.request.id, &result);
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! // Serves until the future resolves: a signal, in a real server.
//! let shutdown = async {};
//! http::serve(listener, HttpConfig::default(), Answer, shutdown).await
//! # }
//! ```

mod accept;
mod auth;
mod checks;
mod drain;
mod era;
mod headers;
mod replay;
mod service;
mod session;
mod sse;
mod stateless;
#[cfg(test)]
mod tests;
mod watch;

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex, Weak};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use accept::{AcceptErrors, Failure};
pub use auth::{
    AuthConfig, METADATA_PREFIX, MetadataService, Principal, TokenRejection, TokenValidator, ValidationFuture,
};
use bytes::Bytes;
use drain::Drain;
pub use headers::McpHeaders;
use http_body_util::BodyExt;
use hyper::header::{CONNECTION, HeaderValue};
use hyper_util::rt::TokioIo;
use replay::Retention;
use session::HttpSession;
pub use session::SessionHandle;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use watch::{ConnectionWatch, Ended, Timeouts, WatchedIo};

use crate::{OutgoingMessageSender, TransportConfig};

/// What a Streamable HTTP endpoint hands its owner. Both methods are called
/// on the connection's task and must not block: they start the work (spawn
/// it) and return.
pub trait Handler: Send + Sync + 'static {
    /// A client initialized a session (2025-11-25 and earlier): run a
    /// processor on it until `handle.ended` fires, then close
    /// `handle.sender`. At shutdown, what it sends until then still reaches
    /// the client.
    fn session(&self, handle: SessionHandle);

    /// A stateless request (2026-07-28 and later). The owner validates it (its
    /// `_meta`, then `headers`), runs it, and sends everything for it through
    /// `request.sender`: notifications first, then exactly one response
    /// (result or error). It should stop when `request.closed` fires: the
    /// client closed the stream, or the server is shutting down. In the
    /// second case [`shutdown`](Self::shutdown) was called first, and a
    /// client that still reads gets what is sent while connections drain.
    ///
    /// The first message sent decides the answer: a response is sent as
    /// `application/json`, with the HTTP status its error code calls for
    /// (400 for -32700, -32600, -32602, -32020, -32021 and -32022, 404 for
    /// -32601, 200 otherwise); a notification opens an SSE stream that ends
    /// after the response, or never, for a `subscriptions/listen` stream that
    /// sends none. Requests to the client are not delivered (2026-07-28 has
    /// none), nor are stream controls. An owner that drops its sender without
    /// answering gets a -32603 sent for it.
    fn request(&self, request: StatelessRequest);

    /// The endpoint is shutting down ([`McpService::shutdown`]); called
    /// before every session ends and every stateless request's `closed`
    /// fires, so that long-lived requests can end with their result first.
    fn shutdown(&self) {}
}

/// One stateless request, as its owner gets it.
#[derive(Debug)]
pub struct StatelessRequest {
    /// The JSON-RPC request, params still raw.
    pub request: mcpwire_protocol::Request,
    /// Its MCP headers, to check against the body.
    pub headers: McpHeaders,
    /// The head of the HTTP request that carried it: method, URI, headers,
    /// and the extensions middleware set (a [`Principal`], when the endpoint
    /// checks tokens).
    pub http: Arc<http::request::Parts>,
    /// Everything sent for this request, and nothing else: a sender of its
    /// own, with the limits of [`HttpConfig::transport`]. Closed once the
    /// answer is complete or the client is gone.
    pub sender: Arc<OutgoingMessageSender>,
    /// Fires when the client closes the stream before the response (in
    /// 2026-07-28 that is the cancellation), or when the server shuts down.
    pub closed: CancellationToken,
}

/// How long a session's owner may take to wind down at shutdown before the
/// session ends, and connections to finish once the endpoint has shut down
/// before they are closed.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(1);

/// Limits and settings of a Streamable HTTP server: every limit the
/// endpoint holds clients to, in one place. Each is a flag of the `mcpwire`
/// binary where an operator may need to change it.
///
/// Connections: at most `max_connections` at once (beyond it the server
/// stops accepting, so new clients wait in the listen backlog), each closed
/// when a request head takes longer than `header_read_timeout`, a body
/// longer than `body_read_timeout` (408), or a pause between requests longer
/// than `idle_timeout`. When `accept` fails for want of file descriptors or
/// memory, the server backs off (10 ms doubling to 1 s, or until one of its
/// connections closes) and warns at most every 5 s. At shutdown, clients
/// get `drain_timeout` to close the idle ones.
///
/// Memory: a request body is at most `max_body_bytes`; a session's streams
/// keep their events for a client that resumes within
/// `max_replay_bytes_per_stream`, `max_replay_bytes_per_session` and, over
/// every session, `max_replay_bytes`, never evicting a request or response
/// nobody has taken yet. A live connection whose reader falls more than
/// `stream_buffer_bytes` behind its stream is cut off rather than hold the
/// session back; it may resume with `Last-Event-ID`.
///
/// Mounted in an application of its own ([`McpService`]), the endpoint holds
/// every limit but those of connections: `max_connections`,
/// `header_read_timeout`, `idle_timeout` and `drain_timeout` belong to
/// whoever accepts the connections (hyper's or axum's server, a proxy in front), and a reader
/// that falls too far behind has its stream ended rather than its socket
/// closed. `path` is then the router's business too.
#[derive(Debug, Clone)]
pub struct HttpConfig {
    /// The one MCP endpoint, when [`serve`] runs it (a mounted
    /// [`McpService`] answers whatever path its router sends it). Default `/mcp`.
    pub path: String,
    /// Hosts accepted in `Host` (any port), and in `Origin` as `http` or
    /// `https` origins: a request naming any other host is refused with 403,
    /// which stops DNS rebinding. Loopback names by default (`localhost`,
    /// `127.0.0.1`, `[::1]`); a server bound elsewhere must add the names its
    /// clients use. `*` accepts any host (when a proxy in front checks them).
    pub allowed_hosts: Vec<String>,
    /// Web origins allowed to call the endpoint besides those on an allowed
    /// host, each as the browser sends it (`https://app.example.com`, with a
    /// port unless it is the scheme's default). `*` allows any origin. Empty
    /// by default.
    pub allowed_origins: Vec<String>,
    /// Connections open at once. Beyond it the server stops accepting: new
    /// connections wait in the kernel's listen backlog until one closes,
    /// rather than being accepted only to be refused. Keep it below the
    /// process's file-descriptor limit. Default 1024.
    pub max_connections: usize,
    /// How long a request head may take to arrive, from the accept or from
    /// its first byte after an idle pause; the connection is then closed.
    /// Default 10 s.
    pub header_read_timeout: Duration,
    /// How long a request body may take to arrive in full; the request is
    /// then answered 408 and the connection closed. Default 30 s.
    pub body_read_timeout: Duration,
    /// How long a kept-alive connection may wait for its next request before
    /// it is closed. Default 60 s, longer than clients keep idle connections.
    pub idle_timeout: Duration,
    /// At shutdown, how long clients get to close their idle connections.
    /// [`serve`] stops accepting at once (first taking the connections
    /// waiting in the listen backlog, then refusing new ones), and answers
    /// everything under way or still arriving on an open connection, as
    /// always but with `Connection: close`, so each connection closes after
    /// its next answer; an idle one is left for its client to close, since
    /// closing it would race the client's next request on it. Once no
    /// connection can bring a request any more, or after this long, the
    /// endpoint shuts down ([`McpService::shutdown`]) and connections get a
    /// second more. Set it above the idle timeout of whatever keeps
    /// connections to the server alive (a load balancer's upstream
    /// keep-alive timeout), so that the client closes every idle connection
    /// first. Default 5 s, above the 4 s of `deploy/mcpwire-upstreams.conf`
    /// and of Node.js's `fetch`.
    pub drain_timeout: Duration,
    /// The largest request body accepted (413 beyond). Default 4 MiB.
    pub max_body_bytes: usize,
    /// Sessions at once (503 beyond). Default 1024.
    pub max_sessions: usize,
    /// Request streams open at once in one session (429 beyond); a stream is
    /// open until every request it carries is answered or cancelled.
    /// Default 256.
    pub max_streams_per_session: usize,
    /// How far (in bytes of events) a live connection may fall behind its
    /// stream: when an event arrives with more than this waiting for it, the
    /// connection is closed, so that the session never waits for one slow
    /// reader. Default 1 MiB.
    pub stream_buffer_bytes: usize,
    /// Bytes one stream keeps for replay. Beyond it, events already
    /// delivered go first, then undelivered notifications (dropped and
    /// counted); undelivered requests and responses are always kept, and a
    /// response larger than this is let go once delivered. Default 4 MiB.
    pub max_replay_bytes_per_stream: usize,
    /// Bytes all streams of one session keep, finished streams evicted
    /// first. Default 8 MiB.
    pub max_replay_bytes_per_session: usize,
    /// Bytes all sessions keep together; beyond it the least recently active
    /// sessions are trimmed. Default 64 MiB.
    pub max_replay_bytes: usize,
    /// A session without requests or open connections for this long ends.
    /// Default 30 minutes.
    pub session_idle_timeout: Duration,
    /// The `retry:` a stream advertises: how long a client waits before
    /// resuming after the server closed a connection. Default 1 s.
    pub sse_retry: Duration,
    /// How long a session POST carrying one request waits for the first
    /// message for it before opening its SSE stream regardless. A response
    /// within this time is answered as plain `application/json`; a slower
    /// call gets its stream's priming event by then, so a client that loses
    /// the connection during a long call can resume it. Default 100 ms: long
    /// enough for any request answered in memory, short against anything
    /// worth resuming. Zero answers every such POST with a stream.
    pub json_answer_wait: Duration,
    /// Stateless requests (2026-07-28) in flight at once, open
    /// `subscriptions/listen` streams included (503 beyond). Each holds its
    /// own outgoing queue, so this also bounds their memory. Default 1024.
    pub max_stateless_requests: usize,
    /// An SSE stream that has sent nothing for this long gets a comment
    /// (`: keep-alive`), so that proxies and clients with idle timeouts
    /// keep a quiet stream open (a session's standalone stream, a long
    /// call's, a stateless `subscriptions/listen`), and a connection whose
    /// peer vanished fails a write instead of holding its slot until the
    /// session expires. Zero turns it off. Default 15 s.
    pub sse_keep_alive: Duration,
    /// Limits of each session's outgoing side, and of each stateless
    /// request's (`TransportConfig::default()` by default).
    pub transport: TransportConfig,
    /// Bearer-token authorization, as MCP specifies it; `None` (the default)
    /// lets every request in, for a server on loopback or behind a proxy
    /// that authenticates. With it, [`serve`] also serves the protected
    /// resource metadata document.
    pub auth: Option<AuthConfig>,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            path: "/mcp".to_owned(),
            allowed_hosts: ["localhost", "127.0.0.1", "[::1]"].map(String::from).to_vec(),
            allowed_origins: Vec::new(),
            // The common soft limit on file descriptors.
            max_connections: 1024,
            // A head is a few hundred bytes: even a slow link sends it in
            // well under a second.
            header_read_timeout: Duration::from_secs(10),
            // The largest body at 140 KB/s.
            body_read_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(60),
            drain_timeout: Duration::from_secs(5),
            max_body_bytes: 4 * 1024 * 1024,
            max_sessions: 1024,
            max_streams_per_session: 256,
            // Far more than a reader keeping up ever has waiting.
            stream_buffer_bytes: 1024 * 1024,
            // Room for one answer as large as the largest request.
            max_replay_bytes_per_stream: 4 * 1024 * 1024,
            max_replay_bytes_per_session: 8 * 1024 * 1024,
            max_replay_bytes: 64 * 1024 * 1024,
            session_idle_timeout: Duration::from_secs(30 * 60),
            sse_retry: Duration::from_secs(1),
            json_answer_wait: Duration::from_millis(100),
            max_stateless_requests: 1024,
            // Under the idle timeouts of common proxies (30 to 60 seconds),
            // and rare enough to cost nothing.
            sse_keep_alive: Duration::from_secs(15),
            transport: TransportConfig::default(),
            auth: None,
        }
    }
}

impl HttpConfig {
    fn timeouts(&self) -> Timeouts {
        Timeouts { header: self.header_read_timeout, idle: self.idle_timeout }
    }
}

/// What to warn an operator about before serving on `address`: a server
/// bound beyond loopback that still accepts only loopback names refuses
/// every remote client with 403.
fn remote_use_warning(address: SocketAddr, config: &HttpConfig) -> Option<String> {
    if address.ip().is_loopback() || !config.allowed_hosts.iter().all(|host| checks::is_loopback_name(host)) {
        return None;
    }
    Some(format!(
        "serving on {address}, beyond loopback, but only loopback names are allowed in Host and Origin, so \
         remote clients will get 403: allow the names they use (--allowed-host, HttpConfig::allowed_hosts) and \
         the web origins that may call (--allowed-origin, HttpConfig::allowed_origins), and put authentication \
         in front"
    ))
}

/// State shared by every request of one endpoint.
struct HttpState {
    config: Arc<HttpConfig>,
    /// foldhash rather than SipHash: the ids are ours and random, so a
    /// client cannot choose keys that collide.
    sessions: Mutex<foldhash::HashMap<String, Arc<HttpSession>>>,
    handler: Box<dyn Handler>,
    /// One permit per stateless request in flight, `max_stateless_requests` in all.
    stateless_slots: Arc<Semaphore>,
    /// Bytes every session's stores hold, against `max_replay_bytes`.
    retention: Arc<Retention>,
    /// Cancelled at shutdown; every stateless request's `closed` is its child,
    /// as every session ends then. Requests after it get 503.
    stopping: CancellationToken,
    /// The metadata document, when the endpoint checks tokens.
    metadata: Option<MetadataService>,
}

impl HttpState {
    fn session(&self, id: &str) -> Option<Arc<HttpSession>> {
        self.sessions.lock().expect("sessions lock").get(id).cloned()
    }

    fn remove(&self, id: &str) -> Option<Arc<HttpSession>> {
        self.sessions.lock().expect("sessions lock").remove(id)
    }
}

/// The MCP endpoint as a `tower::Service`: every request to it, both eras,
/// answered as Streamable HTTP says, handing sessions and stateless requests
/// to its [`Handler`]. Clones share one endpoint (its sessions, limits and
/// handler).
///
/// Mount it at a path of an axum router (`Router::route_service("/mcp",
/// service)`) or any server that speaks `tower::Service`, behind whatever
/// middleware the application has; what middleware puts in the request's
/// extensions reaches the handler with the request. The endpoint does not
/// look at the path: the router chose it. With [`HttpConfig::auth`] it
/// checks bearer tokens itself; mount
/// [`AuthConfig::metadata_service`] at [`AuthConfig::metadata_path`] then.
/// Call [`shutdown`](Self::shutdown) when the application starts shutting
/// down: open streams end only then, and a graceful server waits for them.
///
/// [`serve`] is this service on a listener of its own, with connection
/// limits and clocks around it.
#[derive(Clone)]
pub struct McpService {
    state: Arc<HttpState>,
}

impl std::fmt::Debug for McpService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpService").field("config", &self.state.config).finish_non_exhaustive()
    }
}

impl McpService {
    /// An endpoint with `config`'s limits, handing its sessions and stateless
    /// requests to `handler`. It ends idle sessions on a task of its own,
    /// which stops when the last clone is dropped.
    ///
    /// # Panics
    /// Outside a Tokio runtime.
    pub fn new(config: HttpConfig, handler: impl Handler) -> Self {
        let slots = config.max_stateless_requests.min(Semaphore::MAX_PERMITS);
        let state = Arc::new(HttpState {
            retention: Retention::new(config.max_replay_bytes),
            metadata: config.auth.as_ref().map(AuthConfig::metadata_service),
            config: Arc::new(config),
            sessions: Mutex::default(),
            handler: Box::new(handler),
            stateless_slots: Arc::new(Semaphore::new(slots)),
            stopping: CancellationToken::new(),
        });
        tokio::spawn(reap_idle_sessions(Arc::downgrade(&state)));
        Self { state }
    }

    /// The limits and settings it was made with.
    pub fn config(&self) -> &HttpConfig {
        &self.state.config
    }

    /// Stop serving: the handler hears of it first, then every session's
    /// `ended` and every stateless request's `closed` fire. A session's
    /// streams go on until its owner has closed its sender (at most a
    /// second), so that the answers it sends while winding down reach a
    /// client still reading; then they end. Requests from now on get 503.
    /// Idempotent.
    pub fn shutdown(&self) {
        if self.state.stopping.is_cancelled() {
            return;
        }
        self.state.handler.shutdown();
        self.state.stopping.cancel();
        let sessions: Vec<_> = self.state.sessions.lock().expect("sessions lock").drain().map(|(_, s)| s).collect();
        for session in sessions {
            session.wind_down();
        }
    }

    /// Serve this endpoint on `listener` (at `config.path`, and at the
    /// metadata's paths when it checks tokens) until `shutdown` resolves;
    /// then drain: take the connections waiting in the backlog and refuse
    /// new ones, answer what is under way or still arrives with
    /// `Connection: close`, and once no connection can bring a request any
    /// more (or after [`HttpConfig::drain_timeout`]), [`shutdown`](Self::shutdown)
    /// and give connections a second to finish. Returns once every
    /// connection has closed.
    ///
    /// # Errors
    /// Only when the listener itself fails; a failing connection is logged.
    pub async fn serve(self, listener: TcpListener, shutdown: impl Future<Output = ()>) -> std::io::Result<()> {
        let config = Arc::clone(&self.state.config);
        if let Some(warning) = remote_use_warning(listener.local_addr()?, &config) {
            tracing::warn!("{warning}");
        }
        let connections = Arc::new(Semaphore::new(config.max_connections.clamp(1, Semaphore::MAX_PERMITS)));
        let acceptor = Acceptor {
            state: Arc::clone(&self.state),
            http: hyper::server::conn::http1::Builder::new(),
            served: TaskTracker::new(),
            drain: Drain::default(),
            closed: Arc::new(Notify::new()),
        };
        let mut errors = AcceptErrors::default();
        tokio::pin!(shutdown);
        loop {
            // At the cap, stop accepting until a connection closes.
            let permit = tokio::select! {
                permit = Arc::clone(&connections).acquire_owned() => permit.expect("the semaphore is never closed"),
                () = &mut shutdown => break,
            };
            let accepted = tokio::select! {
                accepted = listener.accept() => accepted,
                () = &mut shutdown => break,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    let Failure { wait, warn } = errors.failed(&error, tokio::time::Instant::now());
                    if let Some(failures) = warn {
                        tracing::warn!(%error, failures, ?wait, "accepting connections fails; backing off");
                    }
                    drop(permit);
                    tokio::select! {
                        () = tokio::time::sleep(wait) => {}
                        () = acceptor.closed.notified() => {}
                        () = &mut shutdown => break,
                    }
                    continue;
                }
            };
            errors.succeeded();
            acceptor.serve_connection(stream, peer, Some(permit));
        }
        // Answers say `Connection: close` from here on, those to the
        // connections from the backlog included.
        acceptor.drain.start();
        // Beyond `max_connections` if need be: the alternative is resetting
        // them, with requests their clients may have sent already.
        let waiting = drain::take_backlog(listener);
        tracing::info!(
            connections = acceptor.served.len() + waiting.len(),
            "stopped accepting connections; serving those open until their clients close them, for at most {:?}",
            config.drain_timeout
        );
        for (stream, peer) in waiting {
            acceptor.serve_connection(stream, peer, None);
        }
        acceptor.served.close();
        // Requests still arriving on open connections are served as always
        // until none can arrive any more; only then does the endpoint stop
        // (a request after that would get 503).
        if tokio::time::timeout(config.drain_timeout, acceptor.drain.quiet()).await.is_err() {
            tracing::info!("drain timeout: some clients kept idle connections open; stopping anyway");
        }
        self.shutdown();
        if tokio::time::timeout(SHUTDOWN_DEADLINE, acceptor.served.wait()).await.is_err() {
            tracing::debug!(connections = acceptor.served.len(), "closing the connections still open");
            acceptor.drain.end();
            acceptor.served.wait().await;
        }
        Ok(())
    }
}

/// What the accept loop serves each connection with.
struct Acceptor {
    state: Arc<HttpState>,
    http: hyper::server::conn::http1::Builder,
    /// Every connection's task, to wait for them at shutdown.
    served: TaskTracker,
    /// The shutdown, as each connection sees it.
    drain: Drain,
    /// Wakes the loop when a connection closes: out of file descriptors,
    /// that is what frees one.
    closed: Arc<Notify>,
}

impl Acceptor {
    /// Serve `stream` on a task of its own, holding `permit` (one of
    /// `max_connections`) until it closes.
    fn serve_connection(&self, stream: TcpStream, peer: SocketAddr, permit: Option<OwnedSemaphorePermit>) {
        // Small SSE events must not wait for Nagle's algorithm.
        let _ = stream.set_nodelay(true);
        let watch = ConnectionWatch::new();
        let io = TokioIo::new(WatchedIo { stream, watch: Arc::clone(&watch) });
        let service = hyper::service::service_fn({
            let (state, watch, drain) = (Arc::clone(&self.state), Arc::clone(&watch), self.drain.clone());
            move |request| {
                let answered = service::handle(Arc::clone(&state), Arc::clone(&watch), request);
                let drain = drain.clone();
                async move {
                    let mut response = answered.await?;
                    // Decided as the answer is made, just before hyper sends
                    // its head: the client will not send on this connection again.
                    if drain.has_started() {
                        response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
                    }
                    Ok::<_, Infallible>(response)
                }
            }
        });
        let connection = self.http.serve_connection(io, service);
        let (timeouts, admitted, closed) = (self.state.config.timeouts(), self.drain.admit(), Arc::clone(&self.closed));
        self.served.spawn(async move {
            match watch::run(connection, &watch, timeouts, admitted).await {
                Ended::Served(Ok(())) => {}
                Ended::Served(Err(error)) => tracing::debug!(%peer, %error, "HTTP connection ended with an error"),
                Ended::TimedOut => tracing::debug!(%peer, "closed a connection that outlasted its timeout"),
                Ended::Cut => tracing::debug!(%peer, "closed a connection whose reader fell too far behind"),
                Ended::Drained => tracing::debug!(%peer, "closed a connection still open at the end of shutdown"),
            }
            drop(permit);
            closed.notify_one();
        });
    }
}

/// The body of every answer [`McpService`] gives: a whole one, or a stream
/// of SSE frames that ends with its stream.
pub struct ResponseBody(service::Body);

impl ResponseBody {
    fn new(body: impl http_body::Body<Data = Bytes, Error = Infallible> + Send + 'static) -> Self {
        Self(body.boxed_unsync())
    }
}

impl std::fmt::Debug for ResponseBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseBody").finish_non_exhaustive()
    }
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.0).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.0.size_hint()
    }
}

impl<B> tower_service::Service<http::Request<B>> for McpService
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<ResponseBody>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let state = Arc::clone(&self.state);
        Box::pin(async move {
            // No socket of ours to close: a reader too far behind has its
            // stream ended instead, and the client may resume it.
            let cut = CancellationToken::new();
            let response = service::respond(&state, &cut, request).await.unwrap_or_else(|refusal| *refusal);
            Ok(response.map(ResponseBody))
        })
    }
}

/// Serve Streamable HTTP on `listener` until `shutdown` resolves, handing
/// every session a client initializes and every stateless request to
/// `handler`: [`McpService::new`] then [`McpService::serve`]. At shutdown
/// it stops accepting, lets clients close their connections (see
/// [`HttpConfig::drain_timeout`]), then every session ends, every stateless
/// request's `closed` fires, and connections get a second to finish.
///
/// # Errors
/// Only when the listener itself fails; a failing connection is logged.
pub async fn serve(
    listener: TcpListener,
    config: HttpConfig,
    handler: impl Handler,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    McpService::new(config, handler).serve(listener, shutdown).await
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

#[cfg(test)]
mod config_tests {
    use super::*;

    #[test]
    fn binding_beyond_loopback_with_only_loopback_names_warns() {
        let config = HttpConfig::default();
        let address = |text: &str| text.parse::<SocketAddr>().unwrap();
        assert!(remote_use_warning(address("127.0.0.1:8080"), &config).is_none());
        assert!(remote_use_warning(address("[::1]:8080"), &config).is_none());
        let warning = remote_use_warning(address("0.0.0.0:8080"), &config).expect("a warning");
        assert!(warning.contains("--allowed-host") && warning.contains("0.0.0.0:8080"), "{warning}");
        assert!(remote_use_warning(address("[::]:8080"), &config).is_some());
        let named = HttpConfig { allowed_hosts: vec!["mcp.example.com".into()], ..HttpConfig::default() };
        assert!(remote_use_warning(address("0.0.0.0:8080"), &named).is_none(), "the operator named the host");
    }
}
