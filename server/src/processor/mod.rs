//! The message processor: one loop per session that turns incoming requests
//! and notifications into answers and running handlers.
//!
//! The loop owns the table of running handlers, so it needs no lock for it,
//! and it never waits on a handler. Cheap requests (`initialize`, `ping`, the
//! lists) are answered inline; every request that runs user code becomes a
//! task of its own, behind a panic guard, on whatever runtime the server runs
//! on. The loop's priority is written into its `select!`: shutdown first,
//! then new messages. Every request gets exactly one answer, except one
//! cancelled by the client, which gets none; one still running at shutdown
//! is answered with an error that says so.
//!
//! This module is the loop and its table; `routes` says what each request
//! means, and `responder` answers each request exactly once.

mod responder;
pub(crate) mod routes;

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use mcpwire_protocol::{ClientNotification, ClientRequest, ErrorCode, ErrorObject, Message, Meta, Notification};
use mcpwire_protocol::{InitializeRequest, PingRequest, ProtocolVersion, Request, RequestId, RequestMethod};
use mcpwire_transport::{Incoming, OutgoingMessageSender};
use responder::BatchReply;
pub(crate) use responder::{Responder, Stoppable, panic_message};
use routes::{Era, Job, Routed};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::context::HttpHead;
use crate::server::Protocol;
use crate::session::Session;
use crate::{Server, stateless};

/// The smallest table worth sweeping: below it, finished entries cost less to
/// keep than to look at.
const MIN_SWEEP: usize = 64;

/// How long stopped handlers get to notice at shutdown. They are aborted at
/// their next await, so this only covers a handler busy between awaits.
const CANCELLED_PATIENCE: std::time::Duration = std::time::Duration::from_millis(100);

/// Everything the processor reacts to, consumed in one `match`.
enum Event {
    /// A request, notification or batch from the client.
    Incoming(Incoming),
    /// The client closed its side: nothing more will arrive.
    PeerClosed,
    /// Our side can no longer write (the client stopped reading for good).
    WriterClosed,
    /// The owner asked the server to stop.
    Shutdown,
}

pub(crate) async fn run(
    server: Server,
    incoming: &mut mpsc::Receiver<Incoming>,
    sender: Arc<OutgoingMessageSender>,
    shutdown: impl Future<Output = ()>,
) {
    let closing = CancellationToken::new();
    let session = Arc::new(Session::new(Arc::clone(&sender), closing.clone()));
    server.inner.sessions.add(Arc::clone(&session));
    let mut processor = Processor {
        server: server.clone(),
        session: Arc::clone(&session),
        running: foldhash::HashMap::default(),
        sweep_at: MIN_SWEEP,
        tracker: TaskTracker::new(),
        shutting_down: Arc::new(AtomicBool::new(false)),
        declared: stateless::Remembered::default(),
    };
    tokio::pin!(shutdown);
    // Made once, not on every turn: a new one registers (and dropping it
    // unregisters) a waiter under the token's lock for every message.
    let writer_closed = sender.closed();
    tokio::pin!(writer_closed);
    // Messages taken since the loop last stepped aside.
    let mut taken = 0;
    loop {
        // Once it has taken at least as many messages as still wait, the loop
        // steps aside, so that the writer (and the handlers, on a runtime with
        // one thread) can send the answers so far before the rest is taken:
        // a burst is answered in halves, quarters, and so on, and a
        // pipelining client works on the first answers while the server
        // works on the rest. Halving needs no tuned constant: it splits a
        // burst of any size the same way.
        let waiting = incoming.len();
        if waiting == 0 {
            taken = 0;
        } else if taken >= waiting {
            taken = 0;
            tokio::task::yield_now().await;
        }
        let event = tokio::select! {
            biased;
            () = &mut shutdown => Event::Shutdown,
            () = &mut writer_closed => Event::WriterClosed,
            message = incoming.recv() => message.map_or(Event::PeerClosed, Event::Incoming),
        };
        match event {
            Event::Incoming(Incoming::Request(request)) => {
                processor.handle_request(request, None, Responder::Direct(Arc::clone(&sender)));
            }
            Event::Incoming(Incoming::HttpRequest(request, head)) => {
                processor.handle_request(request, Some(head), Responder::Direct(Arc::clone(&sender)));
            }
            Event::Incoming(Incoming::Notification(notification)) => processor.handle_notification(&notification),
            Event::Incoming(Incoming::Batch(items)) => processor.handle_batch(items),
            Event::PeerClosed => {
                tracing::debug!("the client closed its side; shutting the session down");
                break;
            }
            Event::WriterClosed => {
                tracing::debug!("the client stopped reading; shutting the session down");
                break;
            }
            Event::Shutdown => {
                tracing::debug!("shutdown requested");
                break;
            }
        }
        taken += 1;
    }
    // Long-lived requests (listen streams) end with their result rather
    // than be cut off: they hear it before the grace period starts.
    closing.cancel();
    processor.wind_down(incoming).await;
    server.inner.sessions.remove(session.id);
}

/// A running handler, as the processor sees it.
struct Running {
    /// The handler's cancellation token, shared with its context, for work
    /// it spawned elsewhere.
    cancel: CancellationToken,
    /// Stops the handler's task at its next await, so it sends nothing more.
    abort: AbortHandle,
}

impl Running {
    fn stop(&self) {
        self.cancel.cancel();
        self.abort.abort();
    }
}

struct Processor {
    server: Server,
    session: Arc<Session>,
    /// Running handlers by request id, to cancel them; may still hold some
    /// that finished since the last sweep. foldhash rather than SipHash: a
    /// client can put at most `max_concurrent_requests` live keys here, so
    /// collisions cannot hurt much, and this map is touched on every request.
    running: foldhash::HashMap<RequestId, Running>,
    /// Sweep finished handlers out of `running` when it reaches this size.
    sweep_at: usize,
    /// Every handler task, to wait for them at shutdown.
    tracker: TaskTracker,
    /// Set when shutdown stops the handlers still running, so that each
    /// answers with the shutdown error as it is dropped (see [`Stoppable`]).
    shutting_down: Arc<AtomicBool>,
    /// What the last stateless request's `_meta` declared, to know the next
    /// one's era without reading the same text again.
    declared: stateless::Remembered,
}

impl Processor {
    /// `http` is the head of the HTTP request it came in, for its handler.
    fn handle_request(&mut self, request: Request, http: Option<HttpHead>, responder: Responder) {
        let Request { id, method, params, .. } = request;
        if self.server.inner.protocol == Protocol::JsonRpc {
            // Plain JSON-RPC: the registered methods, from the first message.
            let era = Era::Handshake(ProtocolVersion::LATEST_HANDSHAKE);
            return match routes::registered(&self.server, &method, meta_of(params.as_deref()), params, &era) {
                Routed::Answer(answer) => responder.answer(id, answer),
                Routed::Run(job) => self.start(id, job, http, responder),
            };
        }
        let parsed = stateless::parse(&method, params.as_deref(), self.declared.text());
        // Params that did not parse (a custom method's, or a removed
        // method's) still carry the `_meta` that decides the era.
        let custom_meta = match &parsed {
            Err(_) => meta_of(params.as_deref()),
            Ok(_) => None,
        };
        let meta = match &parsed {
            Ok(request) => request.meta(),
            Err(_) => custom_meta.as_ref(),
        };
        let era = match self.era(&method, meta) {
            Ok(era) => era,
            Err(error) => return responder.error(Some(id), error),
        };
        if matches!(era, Era::Stateless { .. }) && stateless::is_removed(&method) {
            return responder.error(Some(id), stateless::removed(&method));
        }
        if let Ok(ClientRequest::Subscribe(params)) = &parsed
            && let Err(error) = self.session.admit_subscription(&params.uri, self.server.config())
        {
            return responder.error(Some(id), error);
        }
        let routed = match parsed {
            Ok(request) => routes::route(&self.server, &self.session, &id, request, params, &era),
            Err(mcpwire_protocol::Error::UnknownMethod(_)) => {
                routes::custom(&self.server, &id, &method, custom_meta, params, &era)
            }
            Err(error) => Routed::Answer(Err(error.to_error_object())),
        };
        match routed {
            Routed::Answer(answer) => responder.answer(id, answer),
            Routed::Run(job) => self.start(id, job, http, responder),
        }
    }

    /// Which era a request is of. Per message, not per connection: a request
    /// whose `_meta` names its version is stateless and needs no session;
    /// any other needs an initialized session (except `initialize` and
    /// `ping`), and is served at the session's revision. So a stdio
    /// connection serves both kinds side by side.
    fn era(&mut self, method: &str, meta: Option<&Meta>) -> Result<Era, ErrorObject> {
        let text = meta.and_then(Meta::json_text);
        if let Some((version, log_level)) = text.and_then(|text| self.declared.get(text)) {
            return Ok(Era::Stateless { version, log_level });
        }
        if let Some(declaration) = stateless::declaration(method, meta) {
            let declaration = declaration?;
            let (version, log_level) = (declaration.accept()?, declaration.log_level);
            // Only a declaration that stands on its `_meta` alone is
            // remembered (the method made none of it).
            if let Some(meta) = meta {
                self.declared.remember(meta, version, log_level);
            }
            return Ok(Era::Stateless { version, log_level });
        }
        match self.session.handshake() {
            Some(handshake) => Ok(Era::Handshake(handshake.version)),
            None if method == InitializeRequest::METHOD || method == PingRequest::METHOD => {
                Ok(Era::Handshake(ProtocolVersion::LATEST_HANDSHAKE))
            }
            None => Err(ErrorObject::invalid_request(format!(
                "`{method}` before `initialize`: initialize the session first (or, in protocol version \
                 2026-07-28, send the version and capabilities in the request's `_meta`)"
            ))),
        }
    }

    /// Start a handler as a task of its own. Refused at once when too many
    /// run; a duplicate id is refused because its cancellation would be
    /// ambiguous.
    fn start(&mut self, id: RequestId, job: Job, http: Option<HttpHead>, responder: Responder) {
        if self.running.get(&id).is_some_and(|running| !running.abort.is_finished()) {
            let error = ErrorObject::invalid_request(format!("request id {id} is already in use by a running request"));
            return responder.error(Some(id), error);
        }
        let limit = self.server.config().max_concurrent_requests;
        if self.running.len() >= self.sweep_at || self.running.len() >= limit {
            self.sweep();
        }
        if self.running.len() >= limit {
            let error = ErrorObject::new(
                ErrorCode::SERVER_OVERLOADED,
                format!("server overloaded: {limit} requests are running; try again later"),
            );
            return responder.error(Some(id), error);
        }
        let cancel = CancellationToken::new();
        let Some(handler) = job.into_handler(id.clone(), &self.session, &self.server, cancel.clone(), http, responder)
        else {
            return;
        };
        let handler = Stoppable { handler, cancel: cancel.clone(), shutting_down: Arc::clone(&self.shutting_down) };
        let task = self.tracker.spawn(handler);
        self.running.insert(id, Running { cancel, abort: task.abort_handle() });
    }

    /// Forget handlers that have finished, and sweep again when the table
    /// has doubled: amortised, each request costs one insert and a share of
    /// one sweep, and a finishing handler need not tell the loop anything.
    fn sweep(&mut self) {
        self.running.retain(|_, running| !running.abort.is_finished());
        self.sweep_at = (self.running.len() * 2).max(MIN_SWEEP);
    }

    fn handle_notification(&mut self, notification: &Notification) {
        let parsed = match ClientNotification::from_parts(&notification.method, notification.params.as_deref()) {
            Ok(parsed) => parsed,
            Err(error) => {
                tracing::debug!(%error, "ignoring a notification");
                return;
            }
        };
        match parsed {
            ClientNotification::Cancelled(params) => {
                let Some(id) = params.request_id else { return };
                // Forgotten at once: for the client the request is over, and
                // its id may be used again.
                match self.running.remove(&id) {
                    Some(running) => {
                        tracing::debug!(%id, reason = params.reason.as_deref(), "the client cancelled a request");
                        running.stop();
                    }
                    None => tracing::debug!(%id, "cancellation for a request that is not running"),
                }
            }
            ClientNotification::Initialized(_) => tracing::debug!("the client finished initializing"),
            other => tracing::debug!(method = other.method(), "notification needs no action"),
        }
    }

    fn handle_batch(&mut self, items: Vec<Result<Message, mcpwire_protocol::Error>>) {
        let version = self.session.handshake().map(|h| h.version);
        let plain = self.server.inner.protocol == Protocol::JsonRpc;
        if !plain && !version.is_some_and(ProtocolVersion::supports_batching) {
            let error =
                ErrorObject::invalid_request("JSON-RPC batches are only allowed in protocol version 2025-03-26");
            return self.session.sender.send_error(None, error);
        }
        let expected = items.iter().filter(|item| !matches!(item, Ok(Message::Notification(_)))).count();
        let reply = Arc::new(BatchReply::new(Arc::clone(&self.session.sender), expected));
        for item in items {
            match item {
                Ok(Message::Request(request)) => {
                    self.handle_request(request, None, Responder::Batch(Arc::clone(&reply)));
                }
                Ok(Message::Notification(notification)) => self.handle_notification(&notification),
                Ok(Message::Response(_) | Message::Error(_)) => {
                    // The reader routes answers before batches get here; count it so the batch completes.
                    Responder::Batch(Arc::clone(&reply)).skip();
                }
                Err(error) => {
                    Responder::Batch(Arc::clone(&reply)).error(error.request_id().cloned(), error.to_error_object());
                }
            }
        }
    }

    /// A message that arrived once shutdown began: its requests are answered
    /// with the shutdown error without being started.
    fn refuse(&mut self, message: Incoming) {
        let refuse = |responder: Responder, id| responder.error(Some(id), responder::not_started());
        match message {
            Incoming::Request(request) | Incoming::HttpRequest(request, _) => {
                refuse(Responder::Direct(Arc::clone(&self.session.sender)), request.id);
            }
            Incoming::Notification(notification) => self.handle_notification(&notification),
            Incoming::Batch(items) => {
                let expected = items.iter().filter(|item| !matches!(item, Ok(Message::Notification(_)))).count();
                let reply = Arc::new(BatchReply::new(Arc::clone(&self.session.sender), expected));
                for item in items {
                    let responder = Responder::Batch(Arc::clone(&reply));
                    match item {
                        Ok(Message::Request(request)) => refuse(responder, request.id),
                        Ok(Message::Notification(notification)) => self.handle_notification(&notification),
                        Ok(Message::Response(_) | Message::Error(_)) => responder.skip(),
                        Err(error) => responder.error(error.request_id().cloned(), error.to_error_object()),
                    }
                }
            }
        }
    }

    /// Give running handlers a moment to finish, stop the rest, each answered
    /// with the shutdown error, and wait for them, so that every answer is
    /// queued before the connection flushes and closes: a client still reading
    /// hears about every request it sent.
    ///
    /// Messages the reader takes meanwhile are not started: each request
    /// gets the shutdown error at once, so one the client sent as shutdown
    /// began is not left unanswered; notifications (a cancellation) still
    /// count.
    async fn wind_down(mut self, incoming: &mut mpsc::Receiver<Incoming>) {
        self.tracker.close();
        let grace = self.server.config().shutdown_grace;
        let tracker = self.tracker.clone();
        let finished = tokio::time::timeout(grace, tracker.wait());
        tokio::pin!(finished);
        let finished = loop {
            tokio::select! {
                biased;
                finished = &mut finished => break finished.is_ok(),
                Some(message) = incoming.recv() => self.refuse(message),
            }
        };
        while let Ok(message) = incoming.try_recv() {
            self.refuse(message);
        }
        if !finished {
            tracing::debug!(running = self.running.len(), "stopping handlers still running at shutdown");
            // Set before any is aborted: each one dropped from now on answers.
            // Aborted, not cancelled: a cancelled token means "the client
            // cancelled it", which gets no answer; `Stoppable` cancels the
            // token itself once the answer is queued.
            self.shutting_down.store(true, Ordering::Release);
            for running in self.running.values() {
                running.abort.abort();
            }
            // Aborted handlers stop at their next await; this only waits for that.
            if tokio::time::timeout(CANCELLED_PATIENCE, self.tracker.wait()).await.is_err() {
                tracing::warn!("some handlers did not stop at shutdown; they get no answer");
                for running in self.running.values() {
                    running.cancel.cancel();
                }
            }
        }
    }
}

/// Just the `_meta` of a params object, for methods whose params are their
/// handler's own.
pub(crate) fn meta_of(params: Option<&serde_json::value::RawValue>) -> Option<Meta> {
    #[derive(serde::Deserialize)]
    struct MetaOnly {
        #[serde(rename = "_meta", default)]
        meta: Option<Meta>,
    }
    params.and_then(|p| serde_json::from_str::<MetaOnly>(p.get()).ok()).and_then(|m| m.meta)
}
