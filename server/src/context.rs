//! What a handler gets besides its arguments: the request it serves, a
//! cancellation token, and typed ways to talk back to the client.

use std::sync::Arc;
use std::time::Duration;

use mcpwire_protocol::types::{
    CreateMessageRequestParams, CreateMessageResult, ElicitRequestParams, ElicitResult, ListRootsResult, LoggingLevel,
    LoggingMessageNotificationParams, ProgressNotificationParams,
};
use mcpwire_protocol::{
    CreateMessageRequest, ElicitRequest, EmptyParams, ListRootsRequest, Meta, ProgressToken, ProtocolVersion,
    RequestId, RequestMethod, ServerNotification,
};
use mcpwire_transport::{OutgoingMessage, OutgoingMessageSender, RequestOptions};
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::session::{Handshake, Session};
use crate::{Error, Server};

/// The context of one request, handed to its handler.
///
/// Cancelling (the client's `notifications/cancelled`, or shutdown) fires
/// [`cancellation`](Self::cancellation); the framework also stops the handler's
/// future, so a handler only needs the token to stop work it spawned elsewhere.
#[derive(Debug, Clone)]
pub struct RequestContext {
    request_id: RequestId,
    meta: Option<Meta>,
    cancel: CancellationToken,
    session: Arc<Session>,
    server: Server,
}

impl RequestContext {
    pub(crate) fn new(
        request_id: RequestId,
        meta: Option<Meta>,
        cancel: CancellationToken,
        session: Arc<Session>,
        server: Server,
    ) -> Self {
        Self { request_id, meta, cancel, session, server }
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

    /// What `initialize` agreed, if the session is initialized.
    pub fn handshake(&self) -> Option<&Handshake> {
        self.session.handshake()
    }

    /// The session's protocol revision.
    pub fn protocol_version(&self) -> Option<ProtocolVersion> {
        self.handshake().map(|h| h.version)
    }

    /// The connection's sender, for anything the typed helpers do not cover.
    pub fn sender(&self) -> &Arc<OutgoingMessageSender> {
        &self.session.sender
    }

    /// Close the HTTP connection this request's messages travel on, keeping
    /// the stream: the client resumes it with `Last-Event-ID` and misses
    /// nothing (Streamable HTTP's SSE polling, SEP-1699). Ordered after what
    /// the handler already sent. Over stdio there is no such connection, and
    /// nothing happens.
    pub fn close_sse_stream(&self) {
        self.session.sender.close_stream(self.request_id.clone());
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

    /// Send a log message about this request, if the client's level lets it
    /// through (`logging/setLevel`). Waits for room when the client reads slowly.
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
        if !self.session.wants_log(level) {
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
        let message = OutgoingMessage::ServerNotification(notification);
        Ok(self.session.sender.notify(message, Some(self.request_id.clone())).await?)
    }

    /// Ask the user for input through the client (`elicitation/create`), in
    /// form or URL mode. Refused without sending when the client did not
    /// declare the capability for that mode.
    ///
    /// # Errors
    /// [`Error::MissingClientCapability`], or the request failing.
    pub async fn elicit(&self, params: ElicitRequestParams) -> Result<ElicitResult, Error> {
        let handshake = self.handshake().ok_or(Error::NotInitialized)?;
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
        self.ask_client::<ElicitRequest>(&params, None).await
    }

    /// Ask the client's model for a completion (`sampling/createMessage`),
    /// optionally offering it tools. Refused without sending when the client
    /// did not declare `sampling` (or `sampling.tools` when tools are offered).
    ///
    /// # Errors
    /// [`Error::MissingClientCapability`], or the request failing.
    pub async fn create_message(&self, params: CreateMessageRequestParams) -> Result<CreateMessageResult, Error> {
        let handshake = self.handshake().ok_or(Error::NotInitialized)?;
        let Some(sampling) = handshake.client_capabilities.sampling.as_ref() else {
            return Err(Error::MissingClientCapability("sampling"));
        };
        if params.tools.is_some() && sampling.tools.is_none() {
            return Err(Error::MissingClientCapability("sampling.tools"));
        }
        self.ask_client::<CreateMessageRequest>(&params, None).await
    }

    /// Ask the client for its roots (`roots/list`). Refused without sending
    /// when the client did not declare `roots`.
    ///
    /// # Errors
    /// [`Error::MissingClientCapability`], or the request failing.
    pub async fn list_roots(&self) -> Result<ListRootsResult, Error> {
        let handshake = self.handshake().ok_or(Error::NotInitialized)?;
        if handshake.client_capabilities.roots.is_none() {
            return Err(Error::MissingClientCapability("roots"));
        }
        self.ask_client::<ListRootsRequest>(&EmptyParams::default(), None).await
    }

    /// Send any typed request to the client as part of this request: it is
    /// withdrawn when this request is cancelled, and on Streamable HTTP it
    /// travels on this request's stream. No capability check.
    ///
    /// # Errors
    /// When the request fails.
    pub async fn ask_client<R: RequestMethod>(
        &self,
        params: &R::Params,
        timeout: Option<Duration>,
    ) -> Result<R::Result, Error> {
        let options =
            RequestOptions { timeout, related: Some(self.request_id.clone()), cancel: Some(self.cancel.clone()) };
        Ok(self.session.sender.request::<R>(params, options).await?)
    }
}
