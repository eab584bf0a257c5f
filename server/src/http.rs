//! Serving Streamable HTTP: sessions of the handshake era get a processor,
//! as a stdio connection does; a stateless request (2026-07-28) is checked,
//! routed and run on its own, everything for it going out on its own stream.
//!
//! A stateless request still running when the endpoint shuts down is
//! answered as a session's would be: its handler gets `shutdown_grace` to
//! finish, then stops and answers -32000 "the server is shutting down", on
//! the POST the client still reads. Only the client closing that POST's
//! answer stops it without one: in 2026-07-28 that is the cancellation.
//!
//! The checks come in the order the specification gives, so a request wrong
//! in several ways gets the error a client expects: the `_meta` members
//! (-32602), the `MCP-Protocol-Version` header against `_meta` (-32020), the
//! version (-32022), then `Mcp-Method`, `Mcp-Name` and every `Mcp-Param-*`
//! against the body (-32020). The transport turns those codes into HTTP 400,
//! and -32601 into 404.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mcpwire_protocol::types::{CallToolRequestParams, GetTaskRequestParams, LoggingLevel};
use mcpwire_protocol::{ClientExtensionRequest, ClientRequest, ErrorCode, ErrorObject, Meta, ProtocolVersion, Request};
use mcpwire_transport::OutgoingMessageSender;
use mcpwire_transport::http::{McpHeaders, SessionHandle, StatelessRequest};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::processor::routes::{self, Era, Routed};
use crate::processor::{Responder, Stoppable, meta_of};
use crate::session::Session;
use crate::{Server, stateless};

/// What `Server::http_service` hands the transport.
pub(crate) struct Endpoint {
    pub(crate) server: Server,
    /// Every session's processor and every stateless request's handler, to
    /// wait for them at shutdown.
    pub(crate) tasks: TaskTracker,
    /// Fires when the server winds down: listen streams then end with their
    /// result.
    pub(crate) closing: CancellationToken,
    /// Set when the endpoint begins shutting down, for every stateless
    /// request's handler at once: one stopped from then on, unless its
    /// client cancelled it, answers that the server is shutting down.
    pub(crate) shutting_down: Arc<AtomicBool>,
    /// What the last stateless request's `_meta` declared, whatever its
    /// connection: reading a text is a pure function of it, so remembering
    /// it keeps nothing a request needs in this process alone.
    pub(crate) declared: Mutex<stateless::Remembered>,
}

impl mcpwire_transport::http::Handler for Endpoint {
    fn session(&self, handle: SessionHandle) {
        let server = self.server.clone();
        self.tasks.spawn(async move {
            let SessionHandle { mut incoming, sender, ended, .. } = handle;
            server.serve_session(&mut incoming, Arc::clone(&sender), ended.cancelled_owned()).await;
            // Whatever is queued still reaches the session's streams.
            sender.close();
        });
    }

    fn shutdown(&self) {
        // Before `closing`, so that a handler stopped as a result answers.
        self.shutting_down.store(true, Ordering::Release);
        // Listen streams end with their result while connections drain.
        self.closing.cancel();
    }

    fn request(&self, request: StatelessRequest) {
        let StatelessRequest { request, headers, http, sender, closed } = request;
        let responder = Responder::Direct(Arc::clone(&sender));
        // Each stateless request is a connection of its own: nothing about
        // it is shared with any other request. Its session closes with the
        // endpoint, which ends a listen stream with its result.
        let session = Arc::new(Session::new(Arc::clone(&sender), self.closing.clone()));
        let id = request.id.clone();
        let job = match route(self, &session, request, &headers) {
            Ok(Routed::Answer(answer)) => return responder.answer(id, answer),
            Ok(Routed::Run(job)) => job,
            Err(error) => return responder.error(Some(id), error),
        };
        let cancel = CancellationToken::new();
        let Some(handler) = job.into_handler(id, &session, &self.server, cancel.clone(), Some(http), responder) else {
            return;
        };
        let handler = Stoppable { handler, cancel, shutting_down: Arc::clone(&self.shutting_down) };
        let stop = Stop { closed, sender, grace: self.server.config().shutdown_grace };
        self.tasks.spawn(run(handler, stop));
    }
}

/// What may stop a stateless request's handler before it answers.
struct Stop {
    /// The request's `closed`: the client closed the answer, or the endpoint
    /// is shutting down. The handler's `shutting_down` tells which, since
    /// the endpoint sets it before any `closed` fires.
    closed: CancellationToken,
    /// The request's own sender, which closes when the client goes.
    sender: Arc<OutgoingMessageSender>,
    /// How long a handler may still take once shutdown began.
    grace: Duration,
}

/// Run one stateless request's handler until it answers, or until it must
/// stop: at once, without an answer, when the client closes the answer's
/// stream (the 2026-07-28 cancellation); after `grace`, with the shutdown
/// error, when the endpoint shuts down while the client still reads.
async fn run(mut handler: Stoppable, stop: Stop) {
    tokio::select! {
        biased;
        () = &mut handler => return,
        () = stop.closed.cancelled() => {}
    }
    if !handler.shutting_down.load(Ordering::Acquire) {
        // Cancelled first, so that dropping it sends nothing more.
        handler.cancel.cancel();
        return;
    }
    tokio::select! {
        biased;
        () = &mut handler => {}
        () = stop.sender.closed() => handler.cancel.cancel(),
        // Dropped unanswered, it answers that the server is shutting down.
        () = tokio::time::sleep(stop.grace) => {}
    }
}

/// Parse, check and route one stateless request. `routes::route` touches
/// `session` only for the handshake era's own methods, which a stateless
/// request never reaches.
fn route(
    endpoint: &Endpoint,
    session: &Session,
    request: Request,
    headers: &McpHeaders,
) -> Result<Routed, ErrorObject> {
    let server = &endpoint.server;
    let Request { id, method, params, .. } = request;
    // A copy, to take the lock once per request (the text is shared, not copied).
    let remembered = endpoint.declared.lock().expect("declared lock").clone();
    let parsed = stateless::parse(&method, params.as_deref(), remembered.text());
    // Params that did not parse (a custom method's, or a removed method's)
    // still carry the `_meta` every check needs.
    let custom_meta = match &parsed {
        Err(_) => meta_of(params.as_deref()),
        Ok(_) => None,
    };
    let meta: Option<&Meta> = match &parsed {
        Ok(request) => request.meta(),
        Err(_) => custom_meta.as_ref(),
    };
    let (version, log_level) = declared(endpoint, &remembered, meta, headers)?;
    if headers.method.as_deref() != Some(&*method) {
        return Err(mismatch(&format!(
            "the Mcp-Method header ({}) must equal the body's method ({method})",
            shown(headers.method.as_deref())
        )));
    }
    if stateless::is_removed(&method) {
        return Err(stateless::removed(&method));
    }
    let request = match parsed {
        Ok(request) => request,
        Err(mcpwire_protocol::Error::UnknownMethod(_)) => {
            let era = Era::Stateless { version, log_level };
            // An extension's method names its target too (`tasks/update`).
            if let Ok(ClientExtensionRequest::UpdateTask(update)) =
                ClientExtensionRequest::from_parts(&method, params.as_deref())
            {
                check_target(&update.task_id, headers)?;
            }
            return Ok(routes::custom(server, &id, &method, custom_meta, params, &era));
        }
        Err(error) => return Err(error.to_error_object()),
    };
    check_name(&request, headers)?;
    if let ClientRequest::CallTool(call) = &request {
        check_params(server, call, headers)?;
    }
    Ok(routes::route(server, session, &id, request, params, &Era::Stateless { version, log_level }))
}

/// The version and log level a stateless request's `_meta` declares, checked
/// in the specification's order: the members every such request carries
/// (-32602), the `MCP-Protocol-Version` header against the version (-32020),
/// then the version itself (-32022).
fn declared(
    endpoint: &Endpoint,
    remembered: &stateless::Remembered,
    meta: Option<&Meta>,
    headers: &McpHeaders,
) -> Result<(ProtocolVersion, Option<LoggingLevel>), ErrorObject> {
    let header_mismatch = |declared: &str| {
        mismatch(&format!(
            "the MCP-Protocol-Version header ({}) must equal `_meta`'s protocol version ({declared})",
            shown(headers.protocol_version.as_deref()),
        ))
    };
    let text = meta.and_then(Meta::json_text);
    if let Some((version, log_level)) = text.and_then(|text| remembered.get(text)) {
        return match headers.protocol_version.as_deref() == Some(version.as_str()) {
            true => Ok((version, log_level)),
            false => Err(header_mismatch(version.as_str())),
        };
    }
    let declaration = stateless::required(meta.map(Meta::declaration).transpose().map_err(|e| {
        ErrorObject::invalid_params(format!("invalid `{}`: {e}", mcpwire_protocol::meta::keys::LOG_LEVEL))
    })?)?;
    if headers.protocol_version.as_deref() != Some(&*declaration.version) {
        return Err(header_mismatch(&declaration.version));
    }
    let (version, log_level) = (declaration.accept()?, declaration.log_level);
    if let Some(meta) = meta {
        endpoint.declared.lock().expect("declared lock").remember(meta, version, log_level);
    }
    Ok((version, log_level))
}

fn mismatch(message: &str) -> ErrorObject {
    ErrorObject::new(ErrorCode::HEADER_MISMATCH, format!("header mismatch: {message}"))
}

fn shown(header: Option<&str>) -> String {
    header.map_or_else(|| "missing".to_owned(), |value| format!("{value:?}"))
}

/// `Mcp-Name` names what the request acts on: the tool or prompt, the
/// resource URI, or the task (`tasks/update`'s is checked with [`check_target`]).
fn check_name(request: &ClientRequest, headers: &McpHeaders) -> Result<(), ErrorObject> {
    let expected = match request {
        ClientRequest::CallTool(params) => params.name.as_str(),
        ClientRequest::GetPrompt(params) => params.name.as_str(),
        ClientRequest::ReadResource(params) => params.uri.as_str(),
        ClientRequest::GetTask(GetTaskRequestParams { task_id, .. })
        | ClientRequest::CancelTask(GetTaskRequestParams { task_id, .. }) => task_id.as_str(),
        _ => return Ok(()),
    };
    check_target(expected, headers)
}

/// `Mcp-Name` must be exactly the request's target.
fn check_target(expected: &str, headers: &McpHeaders) -> Result<(), ErrorObject> {
    if headers.name.as_deref() == Some(expected) {
        return Ok(());
    }
    Err(mismatch(&format!(
        "the Mcp-Name header ({}) must equal the request's target ({expected:?})",
        shown(headers.name.as_deref())
    )))
}

/// Every argument the tool mirrors in a header (`x-mcp-header`) that the
/// call carries must arrive in its `Mcp-Param-*` header with the same value,
/// plain or as `=?base64?...?=`.
fn check_params(server: &Server, call: &CallToolRequestParams, headers: &McpHeaders) -> Result<(), ErrorObject> {
    let mirrored = match server.registry().tools.get(&call.name) {
        Some(route) => Arc::clone(&route.mirrored),
        None => return Ok(()),
    };
    let Some(arguments) = &call.arguments else { return Ok(()) };
    for (argument, header) in mirrored.iter() {
        let Some(value) = arguments.get(argument) else { continue };
        let sent = headers.params.iter().find(|(name, _)| name == header).map(|(_, value)| value.as_str());
        let Some(sent) = sent else {
            return Err(mismatch(&format!("the Mcp-Param-{header} header is missing for argument `{argument}`")));
        };
        let sent = decode(sent)
            .ok_or_else(|| mismatch(&format!("the Mcp-Param-{header} header is not valid =?base64?...?= text")))?;
        let expected = match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        if sent != expected {
            return Err(mismatch(&format!("the Mcp-Param-{header} header does not equal argument `{argument}`")));
        }
    }
    Ok(())
}

/// A header value as meant: `=?base64?<text>?=` is strict, padded base64 of
/// UTF-8 text; anything else is literal. `None` for a bad encoded value.
fn decode(value: &str) -> Option<String> {
    let Some(encoded) = value.strip_prefix("=?base64?").and_then(|rest| rest.strip_suffix("?=")) else {
        return Some(value.to_owned());
    };
    String::from_utf8(STANDARD.decode(encoded).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_values_decode_strictly_or_stay_literal() {
        assert_eq!(decode("=?base64?SGVsbG8=?=").as_deref(), Some("Hello"));
        assert_eq!(decode("=?base64?SGVsbG8?="), None, "padding is required");
        assert_eq!(decode("=?base64?SGVs!!!bG8=?="), None);
        assert_eq!(decode("SGVsbG8=").as_deref(), Some("SGVsbG8="), "without the wrapper it is literal");
        assert_eq!(decode("=?base64?SGVsbG8=").as_deref(), Some("=?base64?SGVsbG8="));
    }
}
