//! The message processor: one loop per session that turns incoming requests
//! and notifications into answers and running handlers.
//!
//! The loop owns the table of running handlers, so it needs no lock for it,
//! and it never waits on a handler: cheap requests (`initialize`, `ping`, the
//! lists) are answered inline, everything that runs user code runs behind a
//! panic guard as a tracked task. On a current-thread runtime a handler's
//! first poll comes first, in bulk with the others that arrived together,
//! once the loop has run out of messages or holds [`MAX_HELD`] of them; only
//! a handler that would wait becomes a task (most finish at once). Every
//! [`ANSWER_CHUNK`] first polls the loop steps aside, so the answers of a
//! long burst go out in parts while the rest is still being worked on.
//! Finished handlers are swept from the table in bulk, before it doubles and
//! before any overload check, rather than reported one message per request.
//! Its priority is written into its `select!`: shutdown first, then new
//! messages. Every request gets exactly one answer, except one cancelled by
//! the client, which gets none.

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll, Waker};

use mcpwire_protocol::types::{
    CallToolResult, CompleteResult, Completion, InitializeResult, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult,
};
use mcpwire_protocol::{
    CallToolRequest, ClientNotification, ClientRequest, EmptyResult, ErrorCode, ErrorObject, Message, Meta,
    Notification, ProtocolVersion, RawJson, Request, RequestId, RequestMethod,
};
use mcpwire_transport::{EncodedResponse, Incoming, OutgoingMessageSender};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;
use tokio_util::task::TaskTracker;

use crate::context::Cancellation;
use crate::handler::resource_not_found;
use crate::revision;
use crate::session::{Handshake, Session};
use crate::tool::BoxFuture;
use crate::{HandlerError, RequestContext, Server};

/// The smallest table worth sweeping: below it, finished entries cost less to
/// keep than to look at.
const MIN_SWEEP: usize = 64;

/// At most this many handlers wait for their first poll. Few, because what a
/// held handler has allocated stays allocated until then, and many
/// allocations of one size at a time miss the allocator's per-thread cache;
/// not one, because the loop's code (decoding params, routing) and the
/// handlers' (typed arguments, serialising results) each fit the instruction
/// cache alone but not together. Measured (cachegrind, pipelined echo):
/// holding 8 instead of 16 runs 4% fewer instructions for 25% more
/// instruction-cache misses, and measured a little faster; 4 no faster again.
const MAX_HELD: usize = 8;

/// After at least this many first polls, when more work is waiting, the loop
/// steps aside so the writer can send their answers: enough that one write
/// carries many answers, few enough that a client pipelining requests gets
/// its first answers back, and can work on them, while the rest of its burst
/// still runs here. Measured with 32 calls in flight: 16 beats 8 and 4 (more
/// writes per answer) and 32 (the client idles until the whole burst is done).
const ANSWER_CHUNK: usize = 16;

/// How long cancelled handlers get to notice at shutdown. They are aborted at
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

/// The answer to request `id` carrying `result`, serialised once, straight
/// into the response; a result that fails to serialise becomes -32603.
pub(crate) fn reply<T: Serialize + ?Sized>(id: &RequestId, result: &T) -> Result<EncodedResponse, ErrorObject> {
    EncodedResponse::result(id.clone(), result)
        .map_err(|e| ErrorObject::internal_error(format!("the result could not be serialised: {e}")))
}

pub(crate) async fn run(
    server: Server,
    incoming: &mut mpsc::Receiver<Incoming>,
    sender: Arc<OutgoingMessageSender>,
    shutdown: impl Future<Output = ()>,
) {
    let session = Arc::new(Session::new(Arc::clone(&sender)));
    server.inner.sessions.add(Arc::clone(&session));
    let mut processor = Processor {
        server: server.clone(),
        session: Arc::clone(&session),
        running: foldhash::HashMap::default(),
        sweep_at: MIN_SWEEP,
        tracker: TaskTracker::new(),
        deferred: Vec::new(),
        defer_first_polls: tokio::runtime::Handle::try_current()
            .is_ok_and(|runtime| runtime.runtime_flavor() == tokio::runtime::RuntimeFlavor::CurrentThread),
    };
    tokio::pin!(shutdown);
    // Handlers first-polled since the loop last stepped aside.
    let mut polled = 0;
    loop {
        let held = processor.deferred.len();
        if held >= MAX_HELD || (held > 0 && incoming.is_empty()) {
            processor.first_polls();
            polled += held;
            if !processor.deferred.is_empty() || !incoming.is_empty() {
                if polled >= ANSWER_CHUNK {
                    // More work is waiting: first let the writer send these
                    // answers (and the reader take new input).
                    polled = 0;
                    tokio::task::yield_now().await;
                }
                continue;
            }
            polled = 0;
        }
        let event = tokio::select! {
            biased;
            () = &mut shutdown => Event::Shutdown,
            () = sender.closed() => Event::WriterClosed,
            message = incoming.recv() => message.map_or(Event::PeerClosed, Event::Incoming),
        };
        match event {
            Event::Incoming(Incoming::Request(request)) => {
                processor.handle_request(request, Responder::Direct(Arc::clone(&sender)));
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
    }
    processor.wind_down().await;
    server.inner.sessions.remove(session.id);
}

/// A running handler, as the processor sees it.
struct Running {
    /// Shared with the handler's context, for work it spawned elsewhere.
    cancel: Arc<Cancellation>,
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
    /// Handlers accepted and not yet polled, at most about [`MAX_HELD`]
    /// (see [`Processor::first_polls`]).
    deferred: Vec<Deferred>,
    /// Whether handlers get their first poll here, in bulk, rather than in a
    /// task of their own: only on a current-thread runtime, where a task would
    /// run on this same thread anyway, never beside the loop.
    defer_first_polls: bool,
}

/// A handler whose first poll is still to come.
struct Deferred {
    cancel: Arc<Cancellation>,
    handler: Handler,
}

/// What a handler's future computes: a tool's result, still to be shaped for
/// the session's revision and serialised, or any other handler's answer.
enum Work {
    Tool { call: BoxFuture<Result<CallToolResult, HandlerError>>, version: ProtocolVersion },
    Other(BoxFuture<Result<EncodedResponse, ErrorObject>>),
}

impl Work {
    fn boxed(work: impl Future<Output = Result<EncodedResponse, ErrorObject>> + Send + 'static) -> Self {
        Self::Other(Box::pin(work))
    }
}

/// A handler behind its panic guard: polls its work, then answers request
/// `id` exactly once. A named future rather than an `async` block, so that a
/// tool's future, already boxed by its route, is not boxed a second time.
struct Handler {
    work: Work,
    id: RequestId,
    responder: Unanswered,
}

impl Future for Handler {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Handler { work, id, responder } = &mut *self;
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| match work {
            Work::Tool { call, version } => call.as_mut().poll(cx).map(|outcome| {
                let mut result = outcome.or_else(HandlerError::into_tool_response)?;
                revision::shape_content(*version, &mut result.content);
                reply(id, &result)
            }),
            Work::Other(work) => work.as_mut().poll(cx),
        }));
        let answer = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(answer)) => Ok(answer),
            Err(panic) => Err(panic),
        };
        let responder = responder.0.take().expect("a handler is not polled after it answered");
        match answer {
            Ok(answer) => responder.answer(id.clone(), answer),
            Err(panic) => responder.panicked(id.clone(), panic.as_ref()),
        }
        Poll::Ready(())
    }
}

impl Processor {
    fn handle_request(&mut self, request: Request, responder: Responder) {
        let Request { id, method, params, .. } = request;
        let version = self.session.handshake().map(|h| h.version);
        if version.is_none() && method != "initialize" && method != "ping" {
            let error =
                ErrorObject::invalid_request(format!("`{method}` before `initialize`: initialize the session first"));
            return responder.error(Some(id), error);
        }
        let version = version.unwrap_or(ProtocolVersion::LATEST_HANDSHAKE);
        if method == CallToolRequest::METHOD {
            return self.call_tool(id, params.as_deref(), responder, version);
        }
        let parsed = match ClientRequest::from_parts(&method, params.as_deref()) {
            Ok(parsed) => parsed,
            Err(mcpwire_protocol::Error::UnknownMethod(_)) => {
                return self.handle_custom(id, &method, params, responder);
            }
            Err(error) => return responder.error(Some(id), error.to_error_object()),
        };
        let server = self.server.clone();
        let page_size = server.config().page_size;
        match parsed {
            ClientRequest::Initialize(params) => {
                let version = ProtocolVersion::negotiate(&params.protocol_version);
                let handshake =
                    Handshake { version, client_capabilities: params.capabilities, client_info: params.client_info };
                if !self.session.initialize(handshake) {
                    return responder
                        .error(Some(id), ErrorObject::invalid_request("the session is already initialized"));
                }
                tracing::info!(%version, "session initialized");
                let result = InitializeResult {
                    protocol_version: version.as_str().to_owned(),
                    capabilities: server.capabilities(),
                    server_info: server.info().clone(),
                    instructions: server.inner.instructions.clone(),
                    meta: None,
                };
                responder.answer(id.clone(), reply(&id, &result));
            }
            ClientRequest::Ping(_) => responder.answer(id.clone(), reply(&id, &EmptyResult::default())),
            ClientRequest::SetLevel(params) => {
                self.session.set_log_level(params.level);
                responder.answer(id.clone(), reply(&id, &EmptyResult::default()));
            }
            ClientRequest::Subscribe(params) => {
                self.session.subscribe(params.uri);
                responder.answer(id.clone(), reply(&id, &EmptyResult::default()));
            }
            ClientRequest::Unsubscribe(params) => {
                self.session.unsubscribe(&params.uri);
                responder.answer(id.clone(), reply(&id, &EmptyResult::default()));
            }
            ClientRequest::ListTools(params) => {
                let registry = server.registry();
                let page = paginate(registry.tools.values().map(|r| &r.tool), params.cursor.as_deref(), page_size);
                let result =
                    page.map(|(tools, next_cursor)| ListToolsResult { tools, next_cursor, ..Default::default() });
                responder.answer(id.clone(), result.and_then(|r| reply(&id, &r)));
            }
            ClientRequest::ListResources(params) => {
                let registry = server.registry();
                let all = registry.resources.values().map(|r| &r.resource);
                let page = paginate(all, params.cursor.as_deref(), page_size);
                let result = page.map(|(resources, next_cursor)| ListResourcesResult {
                    resources,
                    next_cursor,
                    ..Default::default()
                });
                responder.answer(id.clone(), result.and_then(|r| reply(&id, &r)));
            }
            ClientRequest::ListResourceTemplates(params) => {
                let registry = server.registry();
                let all = registry.templates.iter().map(|r| &r.template);
                let page = paginate(all, params.cursor.as_deref(), page_size);
                let result = page.map(|(resource_templates, next_cursor)| ListResourceTemplatesResult {
                    resource_templates,
                    next_cursor,
                    ..Default::default()
                });
                responder.answer(id.clone(), result.and_then(|r| reply(&id, &r)));
            }
            ClientRequest::ListPrompts(params) => {
                let registry = server.registry();
                let page = paginate(registry.prompts.values().map(|r| &r.prompt), params.cursor.as_deref(), page_size);
                let result =
                    page.map(|(prompts, next_cursor)| ListPromptsResult { prompts, next_cursor, ..Default::default() });
                responder.answer(id.clone(), result.and_then(|r| reply(&id, &r)));
            }
            ClientRequest::CallTool(_) => unreachable!("tools/call takes the borrowed path in `call_tool`"),
            ClientRequest::ReadResource(params) => {
                let found = {
                    let registry = server.registry();
                    registry.resources.get(&params.uri).map(|r| (Arc::clone(&r.handler), HashMap::new())).or_else(
                        || {
                            registry
                                .templates
                                .iter()
                                .find_map(|t| t.matcher.matches(&params.uri).map(|vars| (Arc::clone(&t.handler), vars)))
                        },
                    )
                };
                let Some((handler, variables)) = found else {
                    let mut error = resource_not_found(&params.uri);
                    error.code = version.resource_not_found_code();
                    return responder.error(Some(id), error);
                };
                let answer_id = id.clone();
                self.spawn(id, params.meta, responder, move |ctx| {
                    Work::boxed(async move {
                        let result = handler(params.uri, variables, ctx).await.map_err(|e| e.into_error_object())?;
                        reply(&answer_id, &result)
                    })
                });
            }
            ClientRequest::GetPrompt(params) => {
                let found = server.registry().prompts.get(&params.name).cloned();
                let Some(route) = found else {
                    return responder
                        .error(Some(id), ErrorObject::invalid_params(format!("Unknown prompt: {}", params.name)));
                };
                let arguments = params.arguments.unwrap_or_default();
                let missing: Vec<_> = route
                    .prompt
                    .arguments
                    .iter()
                    .flatten()
                    .filter(|a| a.required == Some(true) && !arguments.contains_key(&a.name))
                    .map(|a| a.name.as_str())
                    .collect();
                if !missing.is_empty() {
                    let message = format!("missing required arguments: {}", missing.join(", "));
                    return responder.error(Some(id), ErrorObject::invalid_params(message));
                }
                let arguments = arguments.into_iter().collect();
                let answer_id = id.clone();
                self.spawn(id, params.meta, responder, move |ctx| {
                    Work::boxed(async move {
                        let mut result = (route.handler)(arguments, ctx).await.map_err(|e| e.into_error_object())?;
                        for message in &mut result.messages {
                            revision::shape_content(version, std::slice::from_mut(&mut message.content));
                        }
                        reply(&answer_id, &result)
                    })
                });
            }
            ClientRequest::Complete(params) => {
                let Some(handler) = server.inner.completion.clone() else {
                    let empty = CompleteResult {
                        completion: Completion { values: Vec::new(), total: Some(0), has_more: Some(false) },
                        ..CompleteResult::default()
                    };
                    return responder.answer(id.clone(), reply(&id, &empty));
                };
                let meta = params.meta.clone();
                let answer_id = id.clone();
                self.spawn(id, meta, responder, move |ctx| {
                    Work::boxed(async move {
                        let result = handler(params, ctx).await.map_err(|e| e.into_error_object())?;
                        reply(&answer_id, &result)
                    })
                });
            }
            other => {
                // Tasks (2025-11-25, experimental) and the stateless methods of
                // 2026-07-28 are not served by a session of this era.
                let error = ErrorObject::new(
                    ErrorCode::METHOD_NOT_FOUND,
                    format!("`{}` is not supported by this server in protocol version {version}", other.method()),
                );
                responder.error(Some(id), error);
            }
        }
    }

    fn handle_custom(&mut self, id: RequestId, method: &str, params: Option<RawJson>, responder: Responder) {
        let Some(handler) = self.server.inner.methods.get(method).cloned() else {
            return responder.error(Some(id), ErrorObject::method_not_found(method));
        };
        let meta = params.as_deref().and_then(|p| serde_json::from_str::<MetaOnly>(p.get()).ok()).and_then(|m| m.meta);
        let answer_id = id.clone();
        self.spawn(id, meta, responder, move |ctx| {
            Work::boxed(async move {
                let result = handler(params, ctx).await?;
                reply(&answer_id, &*result)
            })
        });
    }

    /// `tools/call`, the hot path: the name and arguments are read borrowed
    /// from the params, so nothing is allocated before the tool is found, and
    /// a typed tool parses its arguments straight from their JSON text.
    fn call_tool(&mut self, id: RequestId, params: Option<&RawValue>, responder: Responder, version: ProtocolVersion) {
        #[derive(Deserialize)]
        struct CallTool<'a> {
            #[serde(borrow)]
            name: Cow<'a, str>,
            #[serde(default, borrow)]
            arguments: Option<&'a RawValue>,
            #[serde(rename = "_meta", default)]
            meta: Option<Meta>,
        }
        let text = params.map_or("{}", RawValue::get);
        let invalid = |why: String| ErrorObject::invalid_params(format!("invalid params for `tools/call`: {why}"));
        let parsed = match text.trim_start().as_bytes().first() {
            Some(b'{') => serde_json::from_str::<CallTool<'_>>(text).map_err(|e| invalid(e.to_string())),
            Some(b'n') => serde_json::from_str::<CallTool<'_>>("{}").map_err(|e| invalid(e.to_string())),
            _ => Err(invalid("params must be an object of named members".into())),
        };
        let call = match parsed {
            Ok(call) => call,
            Err(error) => return responder.error(Some(id), error),
        };
        let arguments = match call.arguments {
            Some(raw) if raw.get().starts_with('{') => Some(raw),
            Some(raw) if raw.get() == "null" => None,
            Some(_) => return responder.error(Some(id), invalid("`arguments` must be an object".into())),
            None => None,
        };
        let handler = self.server.registry().tools.get(&*call.name).map(|route| Arc::clone(&route.handler));
        let Some(handler) = handler else {
            let error = ErrorObject::invalid_params(format!("Unknown tool: {}", call.name))
                .with_data(serde_json::json!({ "name": call.name }));
            return responder.error(Some(id), error);
        };
        self.spawn(id, call.meta, responder, move |ctx| Work::Tool { call: handler(arguments, ctx), version });
    }

    /// Start a handler: `work` builds its future at once (so it may borrow
    /// from the request), and the future runs as a task or, on a
    /// current-thread runtime, is held for its first poll. Refused at once
    /// when too many run; a duplicate id is refused because its cancellation
    /// would be ambiguous.
    fn spawn(
        &mut self,
        id: RequestId,
        meta: Option<Meta>,
        responder: Responder,
        work: impl FnOnce(RequestContext) -> Work,
    ) {
        let in_use = self.running.get(&id).is_some_and(|running| !running.abort.is_finished())
            || self.deferred.iter().any(|deferred| deferred.handler.id == id);
        if in_use {
            let error = ErrorObject::invalid_request(format!("request id {id} is already in use by a running request"));
            return responder.error(Some(id), error);
        }
        let limit = self.server.config().max_concurrent_requests;
        if self.running.len() >= self.sweep_at || self.running.len() >= limit {
            self.sweep();
        }
        if self.running.len() + self.deferred.len() >= limit {
            let error = ErrorObject::new(
                ErrorCode::SERVER_OVERLOADED,
                format!("server overloaded: {limit} requests are running; try again later"),
            );
            return responder.error(Some(id), error);
        }
        let cancel = Arc::new(Cancellation::default());
        let ctx =
            RequestContext::new(id.clone(), meta, Arc::clone(&cancel), Arc::clone(&self.session), self.server.clone());
        // Building the future runs user code too (a typed tool parses its
        // arguments), so it happens behind the panic guard as well.
        let work = match std::panic::catch_unwind(AssertUnwindSafe(|| work(ctx))) {
            Ok(work) => work,
            Err(panic) => return responder.panicked(id, panic.as_ref()),
        };
        // If the task is aborted (a cancellation) before it answers, the guard
        // still lets the batch it belongs to complete.
        if self.defer_first_polls {
            let handler = Handler { work, id, responder: Unanswered(Some(responder)) };
            self.deferred.push(Deferred { cancel, handler });
            return;
        }
        let task = self.tracker.spawn(Handler { work, id: id.clone(), responder: Unanswered(Some(responder)) });
        self.running.insert(id, Running { cancel, abort: task.abort_handle() });
    }

    /// Give every held handler its first poll, in arrival order; the ones
    /// that finish (most do) are answered without a task of their own, and
    /// the ones that would wait move into one, whose first poll replaces the
    /// no-op waker used here with the task's own. Why held and polled a few
    /// at a time rather than each as it arrives: see [`MAX_HELD`].
    fn first_polls(&mut self) {
        let Self { deferred, tracker, running, .. } = self;
        let mut cx = Context::from_waker(Waker::noop());
        for Deferred { cancel, mut handler } in deferred.drain(..) {
            if Pin::new(&mut handler).poll(&mut cx).is_pending() {
                let id = handler.id.clone();
                let task = tracker.spawn(handler);
                running.insert(id, Running { cancel, abort: task.abort_handle() });
            }
        }
    }

    /// Forget handlers that have finished, and sweep again when the table
    /// has doubled: amortised, each request costs one insert and a share of
    /// one sweep.
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
                if let Some(at) = self.deferred.iter().position(|deferred| deferred.handler.id == id) {
                    tracing::debug!(%id, reason = params.reason.as_deref(), "the client cancelled a request");
                    // Dropped unpolled, as an aborted task would be: no answer.
                    let deferred = self.deferred.remove(at);
                    deferred.cancel.cancel();
                    return;
                }
                match self.running.get(&id) {
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
        if !version.is_some_and(ProtocolVersion::supports_batching) {
            let error =
                ErrorObject::invalid_request("JSON-RPC batches are only allowed in protocol version 2025-03-26");
            return self.session.sender.send_error(None, error);
        }
        let expected = items.iter().filter(|item| !matches!(item, Ok(Message::Notification(_)))).count();
        let reply = Arc::new(BatchReply::new(Arc::clone(&self.session.sender), expected));
        for item in items {
            match item {
                Ok(Message::Request(request)) => self.handle_request(request, Responder::Batch(Arc::clone(&reply))),
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

    /// Give running handlers a moment to finish, cancel the rest, and wait
    /// for them, so every answer that will be sent is queued before the
    /// connection flushes and closes.
    async fn wind_down(mut self) {
        // Requests accepted before the end run like the others.
        self.first_polls();
        self.tracker.close();
        let grace = self.server.config().shutdown_grace;
        if tokio::time::timeout(grace, self.tracker.wait()).await.is_err() {
            tracing::debug!(running = self.running.len(), "cancelling handlers still running at shutdown");
            for running in self.running.values() {
                running.stop();
            }
            // Cancelled handlers stop at their next await; this only waits for that.
            if tokio::time::timeout(CANCELLED_PATIENCE, self.tracker.wait()).await.is_err() {
                tracing::warn!("some handlers did not stop after cancellation");
            }
        }
    }
}

/// Just the `_meta` of any params object, for custom methods.
#[derive(serde::Deserialize)]
struct MetaOnly {
    #[serde(rename = "_meta", default)]
    meta: Option<Meta>,
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// Where a request's answer goes: straight to the client, or into the reply
/// of the batch it came in.
#[derive(Clone)]
enum Responder {
    Direct(Arc<OutgoingMessageSender>),
    Batch(Arc<BatchReply>),
}

impl Responder {
    /// Send the answer to request `id`: the encoded result, or the error.
    fn answer(&self, id: RequestId, answer: Result<EncodedResponse, ErrorObject>) {
        match answer {
            Ok(response) => self.send(response),
            Err(error) => self.error(Some(id), error),
        }
    }

    /// The handler of request `id` panicked: log it and answer -32603.
    fn panicked(&self, id: RequestId, panic: &(dyn std::any::Any + Send)) {
        let message = panic_message(panic);
        tracing::error!(%id, message, "a handler panicked");
        self.error(Some(id), ErrorObject::internal_error(format!("the handler panicked: {message}")));
    }

    fn error(&self, id: Option<RequestId>, error: ErrorObject) {
        self.send(EncodedResponse::error(id, error));
    }

    fn send(&self, response: EncodedResponse) {
        match self {
            Self::Direct(sender) => sender.send_encoded(response),
            Self::Batch(reply) => reply.add(Some(response)),
        }
    }

    /// The request ends without an answer (it was cancelled).
    fn skip(&self) {
        if let Self::Batch(reply) = self {
            reply.add(None);
        }
    }
}

/// Held by a handler task until it answers: if the task is aborted first
/// (a cancellation), dropping it lets the batch the request came in complete.
struct Unanswered(Option<Responder>);

impl Drop for Unanswered {
    fn drop(&mut self) {
        if let Some(responder) = self.0.take() {
            responder.skip();
        }
    }
}

/// Collects the answers to one batch and sends them as one array when the
/// last one is in (JSON-RPC sends no array at all when none is due).
struct BatchReply {
    sender: Arc<OutgoingMessageSender>,
    state: Mutex<(Vec<EncodedResponse>, usize)>,
}

impl BatchReply {
    fn new(sender: Arc<OutgoingMessageSender>, expected: usize) -> Self {
        Self { sender, state: Mutex::new((Vec::with_capacity(expected), expected)) }
    }

    fn add(&self, response: Option<EncodedResponse>) {
        let mut state = self.state.lock().expect("batch lock");
        state.0.extend(response);
        state.1 -= 1;
        if state.1 == 0 && !state.0.is_empty() {
            self.sender.send_batch(&std::mem::take(&mut state.0));
        }
    }
}

/// Slice a list into pages: the cursor is the offset of the next page as
/// decimal text, opaque to clients.
fn paginate<'a, T: Clone + 'a>(
    items: impl ExactSizeIterator<Item = &'a T>,
    cursor: Option<&str>,
    page_size: usize,
) -> Result<(Vec<T>, Option<String>), ErrorObject> {
    let total = items.len();
    let start = match cursor {
        None => 0,
        Some(cursor) => cursor
            .parse::<usize>()
            .ok()
            .filter(|&offset| offset <= total)
            .ok_or_else(|| ErrorObject::invalid_params(format!("invalid cursor {cursor:?}")))?,
    };
    let page: Vec<T> = items.skip(start).take(page_size.max(1)).cloned().collect();
    let end = start + page.len();
    Ok((page, (end < total).then(|| end.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_the_list_once_and_end_without_a_cursor() {
        let items: Vec<u32> = (0..25).collect();
        let (first, cursor) = paginate(items.iter(), None, 10).unwrap();
        assert_eq!(first, (0..10).collect::<Vec<_>>());
        let (second, cursor) = paginate(items.iter(), cursor.as_deref(), 10).unwrap();
        assert_eq!(second, (10..20).collect::<Vec<_>>());
        let (third, cursor) = paginate(items.iter(), cursor.as_deref(), 10).unwrap();
        assert_eq!(third, (20..25).collect::<Vec<_>>());
        assert_eq!(cursor, None);
    }

    #[test]
    fn a_bad_cursor_is_invalid_params() {
        let items = [1, 2, 3];
        assert_eq!(paginate(items.iter(), Some("x"), 10).unwrap_err().code, ErrorCode::INVALID_PARAMS);
        assert_eq!(paginate(items.iter(), Some("99"), 10).unwrap_err().code, ErrorCode::INVALID_PARAMS);
    }
}
