//! Answering one HTTP request on the MCP endpoint: the checks, then the era
//! the request belongs to, then POST (a message in), GET (a stream out, new or
//! resumed), or DELETE (end a session).
//!
//! Every request passes the same checks first: the endpoint shutting down
//! (503), `Host` and `Origin` (400 when either comes twice, 403 when not
//! allowed), then, when the endpoint checks tokens, the bearer token (see
//! `auth`: 401, 403, 400 or 503).
//! A POST then needs an `Accept` of both answer types (406), a JSON
//! `Content-Type` (415), and a body within the limit (413, at once when its
//! `Content-Length` says so) that arrives within the body timeout (408).
//! Only then is the era decided (see `era`), and each era has its own rules.
//!
//! Handshake era (2025-11-25 transport rules): 202 for a notification or
//! response; for a request, its response as `application/json` when that is
//! the first message for it within `HttpConfig::json_answer_wait`, its SSE stream
//! otherwise; 400 for a bad body, a missing
//! session or an unsupported `MCP-Protocol-Version`, 404 for an unknown or
//! ended session, 409 for a second standalone stream, 429/503 when the stream
//! or session limit is reached. A `notifications/cancelled` also ends the
//! cancelled request's stream, which will get no answer. A batch is a
//! 2025-03-26 client's (the one revision that has them, and the one that
//! sends no `MCP-Protocol-Version`): its requests share one SSE stream, which
//! carries each answer as its own event and ends after the last.
//!
//! Stateless era (2026-07-28): a request goes to the owner and is answered by
//! `stateless`; a notification gets 202 and goes nowhere (cancelling is
//! closing the stream, and nothing else is left to say); a response or a
//! batch gets 400; GET and DELETE get 405; 503 beyond `max_stateless_requests`.
//! `Mcp-Session-Id` and `Last-Event-ID` are ignored. Other methods get 405 in
//! either era.
//!
//! The accept loop's connections come in through [`handle`], which also
//! chooses by path: the endpoint (`HttpConfig::path`), the protected
//! resource metadata, or 404. A mounted endpoint comes in through
//! [`respond`] directly: its router chose the path.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, Limited, StreamBody};
use hyper::header::{self, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use mcpwire_protocol::{
    CancelledNotification, Decoded, Error, ErrorCode, ErrorObject, ErrorResponse, InitializeRequest, Message,
    Notification, NotificationMethod, ProtocolVersion, RequestId, RequestMethod, decode,
};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use super::era::{Era, Signals, has_modern_meta};
use super::session::{HttpSession, OpenError, SseBody};
use super::sse::EventId;
use super::watch::{ConnectionWatch, Guarded};
use super::{HttpState, McpHeaders, checks, stateless};
use crate::Incoming;

/// Every response body: a whole one, or a stream of SSE frames.
pub(crate) type Body = UnsyncBoxBody<Bytes, Infallible>;

// Names, not strings: a lookup by `&str` parses the name on every request.
const SESSION_ID: HeaderName = HeaderName::from_static("mcp-session-id");
const PROTOCOL_VERSION: HeaderName = HeaderName::from_static("mcp-protocol-version");
const LAST_EVENT_ID: HeaderName = HeaderName::from_static("last-event-id");

/// Answer one request of a connection watched by `watch`, which counts the
/// connection busy until the answer has been sent: the endpoint's at its
/// path, the metadata at its paths, 404 anywhere else.
pub(crate) async fn handle(
    state: Arc<HttpState>,
    watch: Arc<ConnectionWatch>,
    request: Request<hyper::body::Incoming>,
) -> Result<Response<Body>, Infallible> {
    let exchange = watch.exchange();
    let path = request.uri().path();
    let metadata = state.config.auth.as_ref().filter(|auth| auth.serves_metadata_at(path)).and(state.metadata.as_ref());
    let response = match metadata {
        _ if path == state.config.path => {
            respond(&state, watch.cut(), request).await.unwrap_or_else(|refusal| *refusal)
        }
        Some(metadata) => metadata.answer(request.method()),
        None => *refuse_http(StatusCode::NOT_FOUND, format!("Not Found: the MCP endpoint is {}", state.config.path)),
    };
    Ok(response.map(|body| Guarded { body, _exchange: exchange }.boxed_unsync()))
}

/// A response that ends the request early, with a JSON-RPC error body; boxed
/// because it is the rare path and a `Response` is large.
pub(crate) type Refusal = Box<Response<Body>>;

fn refuse(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Refusal {
    refuse_request(status, None, code, message)
}

/// A refusal answering the request `id`, when the body has been read and the
/// id is known.
pub(crate) fn refuse_request(
    status: StatusCode,
    id: Option<RequestId>,
    code: ErrorCode,
    message: impl Into<String>,
) -> Refusal {
    let error = ErrorResponse::new(id, ErrorObject::new(code, message.into()));
    let body = serde_json::to_vec(&error).expect("an error response serialises");
    Box::new(
        Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Full::new(Bytes::from(body)).boxed_unsync())
            .expect("a valid response"),
    )
}

/// HTTP-level refusals use the server-error code the reference SDK uses.
pub(crate) fn refuse_http(status: StatusCode, message: impl Into<String>) -> Refusal {
    refuse(status, ErrorCode::SERVER_OVERLOADED, message)
}

fn empty(status: StatusCode) -> Response<Body> {
    Response::builder().status(status).body(Empty::new().boxed_unsync()).expect("a valid response")
}

fn header(headers: &HeaderMap, name: impl header::AsHeaderName) -> Option<&str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// A refusal after which the connection closes: its body was not read.
fn refuse_and_close(status: StatusCode, message: impl Into<String>) -> Refusal {
    let mut response = refuse_http(status, message);
    response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// Answer one request to the endpoint. `cut` closes the connection the
/// request came on: a stream whose reader falls too far behind uses it.
pub(crate) async fn respond<B>(
    state: &HttpState,
    cut: &CancellationToken,
    request: Request<B>,
) -> Result<Response<Body>, Refusal>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    if state.stopping.is_cancelled() {
        return Err(refuse_http(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable: the server is shutting down"));
    }
    check_host_and_origin(state, &request)?;
    let request = match &state.config.auth {
        Some(auth) => auth.authorize(request).await?,
        None => request,
    };
    match *request.method() {
        Method::POST => post(state, cut, request).await,
        Method::GET | Method::DELETE => {
            let headers = request.headers();
            if signals(headers).era() == Era::Stateless {
                let mut response = refuse_http(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "Method Not Allowed: from MCP 2026-07-28 every message is a POST",
                );
                response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("POST"));
                return Err(response);
            }
            check_protocol_version(headers)?;
            if *request.method() == Method::GET { get(state, cut, headers) } else { delete(state, headers) }
        }
        _ => {
            let mut response = refuse_http(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed");
            response.headers_mut().insert(header::ALLOW, HeaderValue::from_static("GET, POST, DELETE"));
            Err(response)
        }
    }
}

/// What the headers say about a request's era; a POST adds its body's `_meta`.
fn signals(headers: &HeaderMap) -> Signals<'_> {
    Signals {
        version_header: headers.get(PROTOCOL_VERSION).map(|v| v.to_str().unwrap_or_default()),
        names_session: headers.contains_key(SESSION_ID),
        modern_meta: false,
    }
}

/// DNS rebinding protection: a browser tricked into sending our loopback
/// server a request still names the attacker's host. A header sent twice is
/// refused outright: which of the two a proxy in front checked is anyone's
/// guess.
fn check_host_and_origin<B>(state: &HttpState, request: &Request<B>) -> Result<(), Refusal> {
    let headers = request.headers();
    for name in [header::HOST, header::ORIGIN] {
        if headers.get_all(&name).iter().nth(1).is_some() {
            return Err(refuse_http(StatusCode::BAD_REQUEST, format!("Bad Request: more than one {name} header")));
        }
    }
    let hosts = &state.config.allowed_hosts;
    let host = header(headers, header::HOST).or_else(|| request.uri().authority().map(|a| a.as_str()));
    if !host.is_some_and(|host| checks::host_allowed(host, hosts)) {
        return Err(refuse_http(StatusCode::FORBIDDEN, format!("Forbidden: invalid Host {:?}", host.unwrap_or(""))));
    }
    if let Some(origin) = header(headers, header::ORIGIN)
        && !checks::origin_allowed(origin, hosts, &state.config.allowed_origins)
    {
        return Err(refuse_http(StatusCode::FORBIDDEN, format!("Forbidden: invalid Origin {origin:?}")));
    }
    Ok(())
}

/// In the handshake era, any handshake revision is accepted, whatever the
/// session negotiated (one conformance suite sends an older one mid-session);
/// anything else is refused. Only a session's own messages get here with
/// another version: without a session id, the header makes a request stateless.
fn check_protocol_version(headers: &HeaderMap) -> Result<(), Refusal> {
    let Some(version) = headers.get(PROTOCOL_VERSION) else { return Ok(()) };
    let version = version.to_str().unwrap_or_default().trim();
    if ProtocolVersion::parse(version).is_some_and(ProtocolVersion::uses_initialize) {
        return Ok(());
    }
    let supported: Vec<_> = ProtocolVersion::HANDSHAKE.iter().map(|v| v.as_str()).collect();
    Err(refuse_http(
        StatusCode::BAD_REQUEST,
        format!("Bad Request: unsupported protocol version {version:?} (supported versions: {})", supported.join(", ")),
    ))
}

/// The session a request names: 400 without one, 404 for one we do not have.
fn session_of(state: &HttpState, headers: &HeaderMap) -> Result<Arc<HttpSession>, Refusal> {
    let Some(id) = header(headers, SESSION_ID) else {
        return Err(refuse_http(StatusCode::BAD_REQUEST, "Bad Request: the Mcp-Session-Id header is required"));
    };
    let session = state.session(id).ok_or_else(|| refuse_http(StatusCode::NOT_FOUND, "Session not found"))?;
    session.touch();
    Ok(session)
}

async fn post<B>(state: &HttpState, cut: &CancellationToken, request: Request<B>) -> Result<Response<Body>, Refusal>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let accept = header(request.headers(), header::ACCEPT);
    if !checks::accepts(accept, "application/json") || !checks::accepts(accept, "text/event-stream") {
        return Err(refuse_http(
            StatusCode::NOT_ACCEPTABLE,
            "Not Acceptable: Client must accept both application/json and text/event-stream",
        ));
    }
    let content_type = header(request.headers(), header::CONTENT_TYPE).unwrap_or_default();
    let json = b"application/json";
    if !content_type.trim_start().as_bytes().get(..json.len()).is_some_and(|start| start.eq_ignore_ascii_case(json)) {
        return Err(refuse_http(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported Media Type: Content-Type must be application/json",
        ));
    }
    let (parts, body) = request.into_parts();
    let bytes = read_body(body, state.config.max_body_bytes, state.config.body_read_timeout).await?;
    // Every request of this POST carries the head to its handler.
    let head = Arc::new(parts);
    let decoded = decode(&bytes);
    let signals = signals(&head.headers);
    // Modern `_meta` makes any request stateless: the params are read for it
    // only when the headers alone would not.
    let modern_meta = signals.era() == Era::Handshake
        && matches!(&decoded, Ok(Decoded::Single(Message::Request(request))) if has_modern_meta(request.params.as_ref()));
    match (Signals { modern_meta, ..signals }).era() {
        Era::Stateless => stateless_post(state, head, decoded).await,
        Era::Handshake => {
            check_protocol_version(&head.headers)?;
            match decoded {
                Ok(Decoded::Batch(items)) => session_batch(state, cut, &head, items).await,
                decoded => session_post(state, cut, &head, decoded).await,
            }
        }
    }
}

/// The body as one message; a batch or undecodable bytes are refused with
/// 400 in either era, naming the request's id when it could be read.
fn single(decoded: Result<Decoded, Error>) -> Result<Message, Refusal> {
    match decoded {
        Ok(Decoded::Single(message)) => Ok(message),
        Ok(Decoded::Batch(_)) => Err(refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::INVALID_REQUEST,
            "JSON-RPC batches are not accepted over Streamable HTTP; send one message per POST",
        )),
        Err(error) => Err(refuse_request(
            StatusCode::BAD_REQUEST,
            error.request_id().cloned(),
            error.to_error_object().code,
            error.to_string(),
        )),
    }
}

/// A POST of the stateless era: requests go to the owner, one at a time each
/// with its own answer; nothing else has anywhere to go.
async fn stateless_post(
    state: &HttpState,
    head: Arc<http::request::Parts>,
    decoded: Result<Decoded, Error>,
) -> Result<Response<Body>, Refusal> {
    match single(decoded)? {
        Message::Request(request) => {
            let headers = McpHeaders::from_headers(&head.headers);
            stateless::answer(state, request, headers, head).await
        }
        Message::Notification(notification) => {
            tracing::debug!(method = %notification.method, "ignored a stateless notification");
            Ok(empty(StatusCode::ACCEPTED))
        }
        Message::Response(_) | Message::Error(_) => Err(refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::INVALID_REQUEST,
            "Bad Request: from MCP 2026-07-28 the server sends no requests, so a client sends no responses",
        )),
    }
}

/// A POST of the handshake era: `initialize` starts a session, everything
/// else goes to the session it names.
async fn session_post(
    state: &HttpState,
    cut: &CancellationToken,
    head: &Arc<http::request::Parts>,
    decoded: Result<Decoded, Error>,
) -> Result<Response<Body>, Refusal> {
    let message = single(decoded)?;
    let session = match &message {
        Message::Request(request) if request.method == InitializeRequest::METHOD => start_session(state)?,
        _ => session_of(state, &head.headers)?,
    };
    let Message::Request(request) = message else {
        deliver(&session, message, head).await?;
        return Ok(empty(StatusCode::ACCEPTED));
    };
    let (body, mut response) =
        session.open_single_request_stream(&request.id, cut).map_err(|error| open_refusal(state, error))?;
    deliver(&session, Message::Request(request), head).await?;
    // The first message for the request chooses the answer: the response
    // alone is plain JSON, which a client reads without an event parser and
    // nobody needs to resume (a cheaper answer for both sides, measured in
    // the commit that made it); anything else first (progress, a log, a
    // request to the client, the stream closed for polling), or nothing
    // within `json_answer_wait`, opens the SSE stream, priming event first,
    // as a batch's always does.
    let json = match tokio::time::timeout(state.config.json_answer_wait, &mut response).await {
        Ok(first) => first.ok(),
        Err(_) => {
            // Closed before looking, so a response cannot slip in between:
            // it is either here, or stored on the stream.
            response.close();
            response.try_recv().ok()
        }
    };
    Ok(match json {
        Some(json) => json_response(json, &session.id),
        None => sse_response(body, &session.id),
    })
}

/// A batch POST, which only 2025-03-26 has. That revision predates the
/// `MCP-Protocol-Version` header, and every later one removed batches and
/// requires the header, so a batch with a header naming another revision is
/// refused, as is one with an element that is not a valid message or that
/// is `initialize` (which may not be batched). Its requests share one
/// stream; a batch of notifications and responses only gets 202.
async fn session_batch(
    state: &HttpState,
    cut: &CancellationToken,
    head: &Arc<http::request::Parts>,
    items: Vec<Result<Message, Error>>,
) -> Result<Response<Body>, Refusal> {
    if let Some(version) = header(&head.headers, PROTOCOL_VERSION)
        && ProtocolVersion::parse(version.trim()).is_none_or(|version| !version.supports_batching())
    {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            ErrorCode::INVALID_REQUEST,
            format!("JSON-RPC batches are only allowed in protocol version 2025-03-26, not {version}"),
        ));
    }
    let session = session_of(state, &head.headers)?;
    let mut messages = Vec::with_capacity(items.len());
    for item in items {
        match item {
            Ok(Message::Request(request)) if request.method == InitializeRequest::METHOD => {
                return Err(refuse_request(
                    StatusCode::BAD_REQUEST,
                    Some(request.id),
                    ErrorCode::INVALID_REQUEST,
                    "initialize cannot be part of a batch",
                ));
            }
            Ok(message) => messages.push(message),
            Err(error) => {
                return Err(refuse_request(
                    StatusCode::BAD_REQUEST,
                    error.request_id().cloned(),
                    error.to_error_object().code,
                    format!("an element of the batch: {error}"),
                ));
            }
        }
    }
    let requests: Vec<RequestId> = messages
        .iter()
        .filter_map(|message| match message {
            Message::Request(request) => Some(request.id.clone()),
            _ => None,
        })
        .collect();
    let body = match requests.is_empty() {
        true => None,
        false => Some(session.open_request_stream(&requests, cut).map_err(|error| open_refusal(state, error))?),
    };
    for message in messages {
        deliver(&session, message, head).await?;
    }
    Ok(match body {
        Some(body) => sse_response(body, &session.id),
        None => empty(StatusCode::ACCEPTED),
    })
}

/// Hand one message of a POST to its session: requests (with the POST's
/// `head`) and notifications to the processor, answers to our own requests
/// to their waiters. A cancellation also ends the cancelled request's
/// stream, once the processor has it in hand.
async fn deliver(session: &HttpSession, message: Message, head: &Arc<http::request::Parts>) -> Result<(), Refusal> {
    let gone = || refuse_http(StatusCode::NOT_FOUND, "Session not found: it has ended");
    match message {
        Message::Request(request) => {
            let incoming = Incoming::HttpRequest(request, Arc::clone(head));
            session.incoming.send(incoming).await.map_err(|_| gone())
        }
        Message::Notification(notification) => {
            let cancelled = cancelled_request(&notification);
            session.incoming.send(Incoming::Notification(notification)).await.map_err(|_| gone())?;
            if let Some(id) = cancelled {
                session.cancelled(&id);
            }
            Ok(())
        }
        Message::Response(response) => {
            session.sender.handle_response(response);
            Ok(())
        }
        Message::Error(response) => {
            session.sender.handle_error_response(response);
            Ok(())
        }
    }
}

/// The request a `notifications/cancelled` cancels, if it is one and names one.
fn cancelled_request(notification: &Notification) -> Option<RequestId> {
    #[derive(Deserialize)]
    struct Cancelled {
        #[serde(rename = "requestId")]
        request_id: Option<RequestId>,
    }
    if notification.method != CancelledNotification::METHOD {
        return None;
    }
    let params = notification.params.as_ref()?;
    serde_json::from_str::<Cancelled>(params.get()).ok()?.request_id
}

fn open_refusal(state: &HttpState, error: OpenError) -> Refusal {
    match error {
        OpenError::TooMany => refuse_http(
            StatusCode::TOO_MANY_REQUESTS,
            format!("Too Many Requests: at most {} requests per session at once", state.config.max_streams_per_session),
        ),
        OpenError::IdInUse(id) => refuse(
            StatusCode::CONFLICT,
            ErrorCode::INVALID_REQUEST,
            format!("request id {id} is already in use by a running request"),
        ),
    }
}

/// Read the whole body within `timeout`, refusing one larger than `limit`
/// without buffering it: at once when its `Content-Length` says so. Either
/// refusal leaves the body unread, so the connection closes after it.
async fn read_body<B>(body: B, limit: usize, timeout: Duration) -> Result<Bytes, Refusal>
where
    B: http_body::Body,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let too_large =
        || refuse_and_close(StatusCode::PAYLOAD_TOO_LARGE, format!("Payload Too Large: the limit is {limit} bytes"));
    if body.size_hint().lower() > limit as u64 {
        return Err(too_large());
    }
    let Ok(collected) = tokio::time::timeout(timeout, Limited::new(body, limit).collect()).await else {
        return Err(refuse_and_close(
            StatusCode::REQUEST_TIMEOUT,
            format!("Request Timeout: the body did not arrive within {} s", timeout.as_secs_f64()),
        ));
    };
    match collected {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(error) if error.is::<http_body_util::LengthLimitError>() => Err(too_large()),
        Err(error) => {
            Err(refuse_http(StatusCode::BAD_REQUEST, format!("Bad Request: reading the body failed: {error}")))
        }
    }
}

/// A new session for an `initialize` request. Always possible (below the
/// session limit), whatever session id the request carried.
fn start_session(state: &HttpState) -> Result<Arc<HttpSession>, Refusal> {
    let id = new_session_id();
    let mut sessions = state.sessions.lock().expect("sessions lock");
    if sessions.len() >= state.config.max_sessions {
        return Err(refuse_http(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("Service Unavailable: the server holds its maximum of {} sessions", state.config.max_sessions),
        ));
    }
    let (session, handle) = HttpSession::start(id.clone(), Arc::clone(&state.config), Arc::clone(&state.retention));
    sessions.insert(id, Arc::clone(&session));
    drop(sessions);
    tracing::debug!(session = %session.id, "session started");
    state.handler.session(handle);
    Ok(session)
}

/// 128 bits from the operating system's CSPRNG, as hex: globally unique,
/// unguessable, and only visible ASCII as the spec requires.
fn new_session_id() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn get(state: &HttpState, cut: &CancellationToken, headers: &HeaderMap) -> Result<Response<Body>, Refusal> {
    if !checks::accepts(header(headers, header::ACCEPT), "text/event-stream") {
        return Err(refuse_http(StatusCode::NOT_ACCEPTABLE, "Not Acceptable: Client must accept text/event-stream"));
    }
    let session = session_of(state, headers)?;
    let body = match header(headers, LAST_EVENT_ID) {
        Some(last) => {
            let resumed = EventId::parse(last).and_then(|id| session.resume(id, cut));
            resumed.ok_or_else(|| {
                refuse_http(StatusCode::NOT_FOUND, format!("Not Found: no stream to resume after {last:?}"))
            })?
        }
        None => session.open_standalone(cut).ok_or_else(|| {
            refuse_http(StatusCode::CONFLICT, "Conflict: only one standalone SSE stream is allowed per session")
        })?,
    };
    Ok(sse_response(body, &session.id))
}

fn delete(state: &HttpState, headers: &HeaderMap) -> Result<Response<Body>, Refusal> {
    let session = session_of(state, headers)?;
    state.remove(&session.id);
    session.end();
    tracing::debug!(session = %session.id, "session ended by the client");
    Ok(empty(StatusCode::OK))
}

fn json_response(json: Vec<u8>, session_id: &str) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .header(SESSION_ID, session_id)
        .body(Full::new(Bytes::from(json)).boxed_unsync())
        .expect("a valid response")
}

fn sse_response(body: SseBody, session_id: &str) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"))
        .header(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"))
        .header("x-accel-buffering", HeaderValue::from_static("no"))
        .header(SESSION_ID, session_id)
        .body(StreamBody::new(body.into_stream()).boxed_unsync())
        .expect("a valid response")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_ids_are_unique_visible_ascii() {
        let a = new_session_id();
        let b = new_session_id();
        assert_ne!(a, b);
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| (0x21..=0x7e).contains(&c)));
    }

    #[test]
    fn unknown_protocol_versions_are_refused_and_supported_ones_pass() {
        let mut headers = HeaderMap::new();
        assert!(check_protocol_version(&headers).is_ok(), "no header: assume an older revision");
        for version in ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] {
            headers.insert(PROTOCOL_VERSION, HeaderValue::from_static(version));
            assert!(check_protocol_version(&headers).is_ok(), "{version}");
        }
        headers.insert(PROTOCOL_VERSION, HeaderValue::from_static("1999-01-01"));
        assert_eq!(check_protocol_version(&headers).unwrap_err().status(), StatusCode::BAD_REQUEST);
    }
}
