//! What a handler gets besides its arguments: the request it serves, a
//! cancellation token, and typed ways to talk back to the client, the same in
//! both eras.
//!
//! In a session of the handshake era (up to 2025-11-25) the client's
//! capabilities and log level are the session's, and a question to the client
//! (`elicit`, `create_message`, `list_roots`) is a request sent over the
//! connection. In a stateless request (2026-07-28) they are the request's own,
//! from its `_meta`, and a question ends the round with an input-required
//! result; the client's retry runs the handler again with the answer (see the
//! `input` module for what that asks of a handler).
//!
//! Over HTTP, in either era, a handler also sees the head of the HTTP request
//! its request came in ([`RequestContext::http`]): headers, the URI, and what
//! middleware put in the extensions, such as the [`Principal`] of a checked
//! bearer token.
//!
//! [`Principal`]: https://docs.rs/mcpwire-transport/latest/mcpwire_transport/http/struct.Principal.html

use std::sync::Arc;
use std::time::Duration;

use mcpwire_protocol::types::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, InputRequest, InputResponse,
    ListRootsResult, LoggingLevel, LoggingMessageNotificationParams, ProgressNotificationParams,
};
use mcpwire_protocol::{
    CreateMessageRequest, ElicitRequest, EmptyParams, ListRootsRequest, Meta, ProgressToken, ProtocolVersion,
    RequestId, RequestMethod, ServerNotification,
};
use mcpwire_transport::{OutgoingMessage, OutgoingMessageSender, RequestOptions};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::input::InputRound;
use crate::session::{Handshake, Session};
use crate::tasks::TaskBinding;
use crate::{Error, Server};

/// The head of the HTTP request a request came in, shared by every request
/// of one POST.
pub(crate) type HttpHead = Arc<http::request::Parts>;

/// What a stateless request (2026-07-28) declared in its `_meta`, and its
/// input round when its method may ask the client things.
#[derive(Debug)]
pub(crate) struct Stateless {
    pub(crate) version: ProtocolVersion,
    /// The client's capabilities and name, read from `_meta` the first time
    /// a handler needs them (most never do).
    pub(crate) handshake: std::sync::OnceLock<Handshake>,
    /// The least severe log level to send; with none, no logs at all.
    pub(crate) log_level: Option<LoggingLevel>,
    /// Only `tools/call`, `prompts/get` and `resources/read` may ask.
    pub(crate) input: Option<InputRound>,
}

impl std::fmt::Debug for InputRound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InputRound")
    }
}

/// The context of one request, handed to its handler.
///
/// Cancelling (the client's `notifications/cancelled`, a closed HTTP stream,
/// or shutdown) fires [`cancellation`](Self::cancellation); the framework also
/// stops the handler's future, so a handler only needs the token to stop work
/// it spawned elsewhere.
#[derive(Debug, Clone)]
pub struct RequestContext {
    request_id: RequestId,
    meta: Option<Meta>,
    cancel: CancellationToken,
    /// The connection the request came on (over HTTP, its session, or for a
    /// stateless request a connection of its own).
    session: Arc<Session>,
    /// `Some` for a stateless request: its version and capabilities come
    /// from here, not from the session.
    stateless: Option<Arc<Stateless>>,
    server: Server,
    /// `Some` when the handler runs as a task, which outlives the request:
    /// its questions then go through the task.
    task: Option<Arc<TaskBinding>>,
    /// `Some` when the request came over HTTP: the head of its HTTP request.
    http: Option<HttpHead>,
}

impl RequestContext {
    pub(crate) fn new(
        request_id: RequestId,
        meta: Option<Meta>,
        cancel: CancellationToken,
        session: Arc<Session>,
        stateless: Option<Arc<Stateless>>,
        server: Server,
        http: Option<HttpHead>,
    ) -> Self {
        Self { request_id, meta, cancel, session, stateless, server, task: None, http }
    }

    /// The context of the task this request became: the same request, with
    /// the task's cancellation and questions. In the stateless era it sends
    /// no logs (the extension has none on tasks), and its client is what the
    /// request declared.
    pub(crate) fn for_task(&self, task: Arc<TaskBinding>) -> Self {
        let stateless = self.stateless.as_ref().map(|stateless| {
            Arc::new(Stateless {
                version: stateless.version,
                handshake: stateless.handshake.clone(),
                log_level: None,
                input: None,
            })
        });
        Self {
            request_id: self.request_id.clone(),
            meta: self.meta.clone(),
            cancel: task.cancellation(),
            session: Arc::clone(&self.session),
            stateless,
            server: self.server.clone(),
            task: Some(task),
            http: self.http.clone(),
        }
    }

    /// The id of the task this handler runs as, when it runs as one.
    pub fn task_id(&self) -> Option<&str> {
        self.task.as_ref().map(|task| task.id.as_str())
    }

    /// The id of the request being served.
    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// The request's `_meta`, if it had one.
    pub fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }

    /// Fires when the request is cancelled or the server shuts down.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Whether the request has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// The server this request arrived at, to change its tools or notify
    /// subscribers from inside a handler.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The value of type `S` the server was built with
    /// ([`ServerBuilder::state`](crate::ServerBuilder::state)).
    ///
    /// # Panics
    /// When the server was given no value of type `S`: a mistake in how the
    /// server was built, which the client sees as the handler's failure
    /// (-32603) naming the type.
    pub fn state<S: Send + Sync + 'static>(&self) -> &S {
        match self.server.state::<S>() {
            Some(state) => state,
            None => panic!("the server was built without a state of type {}", std::any::type_name::<S>()),
        }
    }

    /// What the client declared: in a session, what `initialize` agreed (none
    /// before it); in a stateless request (2026-07-28), what its `_meta` said.
    pub fn handshake(&self) -> Option<&Handshake> {
        match &self.stateless {
            Some(stateless) => Some(
                stateless.handshake.get_or_init(|| crate::stateless::handshake(stateless.version, self.meta.as_ref())),
            ),
            None => self.session.handshake(),
        }
    }

    /// The request's protocol revision: the session's, or the request's own.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.handshake().map(|h| h.version)
    }

    /// The head of the HTTP request this request came in (its method, URI,
    /// headers, and the extensions middleware set), in either era; `None`
    /// over stdio or any other transport. Read the caller from it: with
    /// `HttpConfig::auth`, the checked token's
    /// principal is `ctx.http()?.extensions.get::<Principal>()`; behind
    /// middleware of your own, whatever it inserted. Every request of a
    /// 2025-03-26 batch sees its POST's head. A task sees the head of the
    /// request that started it.
    ///
    /// ```
    /// use mcpwire_server::RequestContext;
    /// use mcpwire_server::transport::http::Principal;
    ///
    /// fn caller(ctx: &RequestContext) -> Option<&str> {
    ///     let principal = ctx.http()?.extensions.get::<Principal>()?;
    ///     Some(&principal.subject)
    /// }
    /// ```
    pub fn http(&self) -> Option<&http::request::Parts> {
        self.http.as_deref()
    }

    /// Whether the request is of the stateless era (2026-07-28 and later).
    pub fn is_stateless(&self) -> bool {
        self.stateless.is_some()
    }

    /// The connection's sender, for anything the typed helpers do not cover.
    pub fn sender(&self) -> &Arc<OutgoingMessageSender> {
        &self.session.sender
    }

    pub(crate) fn session(&self) -> &Arc<Session> {
        &self.session
    }

    /// Close the HTTP connection this request's messages travel on, keeping
    /// the stream: the client resumes it with `Last-Event-ID` and misses
    /// nothing (Streamable HTTP's SSE polling, SEP-1699). Ordered after what
    /// the handler already sent. Over stdio, and in the stateless era, which
    /// has no resumable streams, nothing happens.
    pub fn close_sse_stream(&self) {
        if self.stateless.is_none() {
            self.session.sender.close_stream(self.request_id.clone());
        }
    }

    /// Report progress, echoing the client's `progressToken` with its JSON
    /// type. Does nothing when the client did not ask for progress. Waits for
    /// room when the client reads slowly.
    ///
    /// # Errors
    /// When the connection is closed.
    pub async fn progress(&self, progress: f64, total: Option<f64>, message: Option<String>) -> Result<(), Error> {
        let Some(progress_token) = self.progress_token() else { return Ok(()) };
        let params = ProgressNotificationParams { progress_token, progress, total, message, meta: None };
        self.notify(ServerNotification::Progress(params)).await
    }

    /// The client's progress token, if it sent one.
    pub fn progress_token(&self) -> Option<ProgressToken> {
        self.meta.as_ref()?.progress_token()
    }

    /// Whether a log message at `level` would be sent: in a session, once it
    /// passes the client's `logging/setLevel` (everything before one); in a
    /// stateless request, only when its `_meta` asked for logs at that level.
    pub fn wants_log(&self, level: LoggingLevel) -> bool {
        match &self.stateless {
            Some(stateless) => stateless.log_level.is_some_and(|minimum| level >= minimum),
            None => self.session.wants_log(level),
        }
    }

    /// Send a log message about this request, if the client wants it (see
    /// [`wants_log`](Self::wants_log)). Waits for room when the client reads slowly.
    ///
    /// # Errors
    /// When the connection is closed.
    pub async fn log(&self, level: LoggingLevel, data: impl Into<Value>) -> Result<(), Error> {
        self.log_from(level, None, data).await
    }

    /// [`log`](Self::log) with a logger name.
    ///
    /// # Errors
    /// When the connection is closed.
    pub async fn log_from(
        &self,
        level: LoggingLevel,
        logger: Option<&str>,
        data: impl Into<Value>,
    ) -> Result<(), Error> {
        if !self.wants_log(level) {
            return Ok(());
        }
        let params = LoggingMessageNotificationParams {
            level,
            logger: logger.map(str::to_owned),
            data: data.into(),
            meta: None,
        };
        self.notify(ServerNotification::LoggingMessage(params)).await
    }

    /// Send any MCP notification as part of this request (on Streamable HTTP
    /// it travels on the request's own stream). Waits for room.
    ///
    /// # Errors
    /// When the connection is closed.
    pub async fn notify(&self, notification: ServerNotification) -> Result<(), Error> {
        let related = match (&self.task, &self.stateless) {
            (None, _) => Some(self.request_id.clone()),
            // The tasks extension has no notifications from a task's handler:
            // its request, and the stream it had, are over.
            (Some(_), Some(_)) => return Ok(()),
            // A 2025-11-25 task's request is answered; what it sends now goes
            // to the session at large.
            (Some(_), None) => None,
        };
        let message = OutgoingMessage::ServerNotification(notification);
        Ok(self.session.sender.notify(message, related).await?)
    }

    /// Ask the user for input through the client (`elicitation/create`), in
    /// form or URL mode. Refused without asking when the client did not
    /// declare the capability for that mode. In a stateless request the
    /// question is numbered by the order in which the handler asks; use
    /// [`ask`](Self::ask) to give it a key of your own.
    ///
    /// # Errors
    /// [`Error::MissingClientCapability`], or asking failing.
    pub async fn elicit(&self, params: ElicitRequestParams) -> Result<ElicitResult, Error> {
        self.ask_as(None).elicit(params).await
    }

    /// Ask the client's model for a completion (`sampling/createMessage`),
    /// optionally offering it tools. Refused without asking when the client
    /// did not declare `sampling` (or `sampling.tools` when tools are offered).
    ///
    /// # Errors
    /// [`Error::MissingClientCapability`], or asking failing.
    pub async fn create_message(&self, params: CreateMessageRequestParams) -> Result<CreateMessageResult, Error> {
        self.ask_as(None).create_message(params).await
    }

    /// Ask the client for its roots (`roots/list`). Refused without asking
    /// when the client did not declare `roots`.
    ///
    /// # Errors
    /// [`Error::MissingClientCapability`], or asking failing.
    pub async fn list_roots(&self) -> Result<ListRootsResult, Error> {
        self.ask_as(None).list_roots().await
    }

    /// Ask under a key of your own: in a stateless request the key names the
    /// question in the input-required result and its answer in the retry
    /// (`inputRequests` and `inputResponses`); in a session it is not used.
    ///
    /// ```no_run
    /// # async fn handler(ctx: mcpwire_server::RequestContext) -> Result<(), mcpwire_server::Error> {
    /// let roots = ctx.ask("client_roots").list_roots().await?;
    /// # Ok(()) }
    /// ```
    pub fn ask(&self, key: impl Into<String>) -> Ask<'_> {
        self.ask_as(Some(key.into()))
    }

    fn ask_as(&self, key: Option<String>) -> Ask<'_> {
        Ask { ctx: self, key }
    }

    /// Send any typed request to the client as part of this request: it is
    /// withdrawn when this request is cancelled, and on Streamable HTTP it
    /// travels on this request's stream. No capability check. Only in a
    /// session: the stateless era has no requests from server to client.
    ///
    /// # Errors
    /// When the request fails, or the request is stateless.
    pub async fn ask_client<R: RequestMethod>(
        &self,
        params: &R::Params,
        timeout: Option<Duration>,
    ) -> Result<R::Result, Error> {
        if let Some(stateless) = &self.stateless {
            return Err(Error::NotInVersion("requests from server to client", stateless.version));
        }
        // A task's request is answered already: its questions go to the session at large.
        let related = self.task.is_none().then(|| self.request_id.clone());
        let options = RequestOptions { timeout, related, cancel: Some(self.cancel.clone()) };
        Ok(self.session.sender.request::<R>(params, options).await?)
    }

    /// Put a question to the client: a request in a session, a recorded
    /// question (or its answer from the retry) in a stateless request.
    async fn question(&self, key: Option<String>, request: InputRequest) -> Result<InputResponse, Error> {
        match (&self.task, &self.stateless) {
            (Some(task), Some(_)) => return task.ask(key, request).await,
            (Some(task), None) => {
                let asking = Box::pin(self.ask_session(request.clone()));
                return task.while_asking(request, asking).await;
            }
            (None, _) => {}
        }
        let Some(stateless) = &self.stateless else {
            return self.ask_session(request).await;
        };
        let Some(round) = &stateless.input else { return Err(Error::NoInputHere) };
        match round.ask(key, request) {
            Ok(answer) => Ok(answer),
            // Recorded: the processor ends the round with it, and this
            // future is dropped unanswered.
            Err(_) => std::future::pending().await,
        }
    }

    /// Put a question to the client of a session, as a request.
    async fn ask_session(&self, request: InputRequest) -> Result<InputResponse, Error> {
        match request {
            InputRequest::Elicit(params) => {
                self.ask_client::<ElicitRequest>(&params, None).await.map(InputResponse::Elicit)
            }
            InputRequest::CreateMessage(params) => {
                self.ask_client::<CreateMessageRequest>(&params, None).await.map(InputResponse::CreateMessage)
            }
            InputRequest::ListRoots(params) => {
                self.ask_client::<ListRootsRequest>(&params, None).await.map(InputResponse::ListRoots)
            }
            _ => Err(Error::NotInVersion("this kind of question", ProtocolVersion::LATEST_HANDSHAKE)),
        }
    }
}

/// A question to the client under a key of the handler's choosing; see
/// [`RequestContext::ask`].
#[must_use = "a question is only asked when one of its methods is awaited"]
#[derive(Debug)]
pub struct Ask<'a> {
    ctx: &'a RequestContext,
    key: Option<String>,
}

impl Ask<'_> {
    /// [`RequestContext::elicit`] under this key.
    ///
    /// # Errors
    /// As for [`RequestContext::elicit`].
    pub async fn elicit(self, params: ElicitRequestParams) -> Result<ElicitResult, Error> {
        let handshake = self.ctx.handshake().ok_or(Error::NotInitialized)?;
        if !handshake.version.supports_elicitation() {
            return Err(Error::NotInVersion("elicitation", handshake.version));
        }
        let elicitation = handshake.client_capabilities.elicitation.as_ref();
        let Some(elicitation) = elicitation else { return Err(Error::MissingClientCapability("elicitation")) };
        match params {
            ElicitRequestParams::Url(_) => {
                if !handshake.version.supports_url_elicitation() {
                    return Err(Error::NotInVersion("URL-mode elicitation", handshake.version));
                }
                if elicitation.url.is_none() {
                    return Err(Error::MissingClientCapability("elicitation.url"));
                }
            }
            // An empty `elicitation: {}` means form mode only; a client that
            // lists modes must list `form`.
            ElicitRequestParams::Form(_) => {
                if elicitation.url.is_some() && elicitation.form.is_none() {
                    return Err(Error::MissingClientCapability("elicitation.form"));
                }
            }
        }
        crate::revision::check_elicitation(handshake.version, &params)?;
        match self.ctx.question(self.key, InputRequest::Elicit(params)).await? {
            InputResponse::Elicit(result) => Ok(result),
            other => Err(Error::InvalidInputResponse(format!("expected an elicitation result, got {other:?}"))),
        }
    }

    /// [`RequestContext::create_message`] under this key.
    ///
    /// # Errors
    /// As for [`RequestContext::create_message`].
    pub async fn create_message(self, params: CreateMessageRequestParams) -> Result<CreateMessageResult, Error> {
        let handshake = self.ctx.handshake().ok_or(Error::NotInitialized)?;
        let Some(sampling) = handshake.client_capabilities.sampling.as_ref() else {
            return Err(Error::MissingClientCapability("sampling"));
        };
        if params.tools.is_some() && sampling.tools.is_none() {
            return Err(Error::MissingClientCapability("sampling.tools"));
        }
        match self.ctx.question(self.key, InputRequest::CreateMessage(params)).await? {
            InputResponse::CreateMessage(result) => Ok(result),
            other => Err(Error::InvalidInputResponse(format!("expected a sampling result, got {other:?}"))),
        }
    }

    /// [`RequestContext::list_roots`] under this key.
    ///
    /// # Errors
    /// As for [`RequestContext::list_roots`].
    pub async fn list_roots(self) -> Result<ListRootsResult, Error> {
        let handshake = self.ctx.handshake().ok_or(Error::NotInitialized)?;
        if handshake.client_capabilities.roots.is_none() {
            return Err(Error::MissingClientCapability("roots"));
        }
        match self.ctx.question(self.key, InputRequest::ListRoots(EmptyParams::default())).await? {
            InputResponse::ListRoots(result) => Ok(result),
            other => Err(Error::InvalidInputResponse(format!("expected a roots result, got {other:?}"))),
        }
    }
}
