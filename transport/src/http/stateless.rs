//! Answering one stateless request (2026-07-28): hand it to the owner with an
//! outgoing queue of its own, then turn what the owner sends into the POST's
//! answer.
//!
//! Nothing is stored and nothing can be resumed. If the first message out is
//! the response, the answer is that response as `application/json`, with an
//! HTTP status chosen from its error code. If it is a notification, the
//! answer is a request-scoped SSE stream: each message an event without an
//! id, flushed as it comes, ending right after the response; a stream without
//! a response (`subscriptions/listen`) stays open until the owner drops its
//! sender or the client goes. The client closing the stream is the
//! cancellation, so dropping the answer before its response went out cancels
//! the request's `closed` token.
//!
//! Each request holds only its own queue, bounded by the transport's
//! notification budget, so a stream nobody reads slows only its own owner.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::Frame;
use hyper::header::{self, HeaderValue};
use hyper::{Response, StatusCode};
use mcpwire_protocol::{ErrorCode, ErrorObject, Request, RequestId};
use tokio::sync::OwnedSemaphorePermit;
use tokio_util::sync::CancellationToken;

use super::service::{Body, Refusal, refuse_request};
use super::sse::{KEEP_ALIVE, message_event};
use super::{HttpState, McpHeaders, StatelessRequest};
use crate::{EncodedResponse, Envelope, MessageKind, OutgoingMessageSender, OutgoingReceiver, Route};

/// Run a stateless request and answer it: at once with a 503 when
/// `max_stateless_requests` are already in flight, otherwise with whatever
/// the owner sends first (see the module docs).
pub(crate) async fn answer(
    state: &HttpState,
    request: Request,
    headers: McpHeaders,
    http: Arc<http::request::Parts>,
) -> Result<Response<Body>, Refusal> {
    let Ok(slot) = Arc::clone(&state.stateless_slots).try_acquire_owned() else {
        let limit = state.config.max_stateless_requests;
        return Err(refuse_request(
            StatusCode::SERVICE_UNAVAILABLE,
            Some(request.id),
            ErrorCode::SERVER_OVERLOADED,
            format!("Service Unavailable: the server runs at most {limit} stateless requests at once"),
        ));
    };
    let (sender, outgoing) = OutgoingMessageSender::new(&state.config.transport);
    let closed = state.stopping.child_token();
    let exchange = Exchange { outgoing, closed: closed.clone(), answered: false, slot: Some(slot) };
    let id = request.id.clone();
    state.handler.request(StatelessRequest { request, headers, http, sender, closed });
    Ok(respond(exchange, id, state.config.sse_keep_alive).await)
}

/// What ties one stateless request's HTTP answer to its owner, for as long as
/// the answer lasts (the whole stream, when it is one).
struct Exchange {
    /// The request's own queue. Dropping it closes the owner's sender, so an
    /// owner still sending learns at once that nobody listens.
    outgoing: OutgoingReceiver,
    /// The owner's `closed`: cancelled when the answer is dropped before the
    /// response went out, which is how a 2026-07-28 client cancels.
    closed: CancellationToken,
    /// The response went out; dropping the answer now cancels nothing.
    answered: bool,
    /// One of `max_stateless_requests`, held as long as the answer.
    slot: Option<OwnedSemaphorePermit>,
}

impl Drop for Exchange {
    fn drop(&mut self) {
        // The slot is free before anyone hears of the end, so whoever does
        // can start another request at once.
        drop(self.slot.take());
        if !self.answered {
            self.closed.cancel();
        }
    }
}

/// Wait for the owner's first message and answer with it: JSON for a
/// response, an SSE stream for a notification.
async fn respond(mut exchange: Exchange, id: RequestId, keep_alive: Duration) -> Response<Body> {
    loop {
        let Some(envelope) = exchange.outgoing.recv().await else {
            // The owner dropped its sender without answering (it panicked,
            // say); the request still gets exactly one answer.
            tracing::error!(%id, "a stateless request ended without a response");
            exchange.answered = true;
            let error = ErrorObject::internal_error("the request ended without a response");
            return json_answer(StatusCode::INTERNAL_SERVER_ERROR, EncodedResponse::error(Some(id), error).bytes);
        };
        match envelope.route.kind {
            MessageKind::Response => {
                exchange.answered = true;
                return json_answer(status_of(envelope.error), envelope.bytes);
            }
            MessageKind::Notification => {
                let first = message_event(None, &envelope.bytes);
                let stream = SseStream { exchange, keep_alive, first: Some(first), done: false };
                return sse_answer(stream);
            }
            MessageKind::Request | MessageKind::CloseStream => skip(&envelope),
        }
    }
}

/// A message a stateless stream cannot carry: 2026-07-28 forbids server
/// requests on it (input-required results replace them), and there is no
/// connection to close apart from the stream itself.
fn skip(envelope: &Envelope) {
    let Route { related, kind } = &envelope.route;
    tracing::debug!(?related, ?kind, "dropped a message a stateless stream cannot carry");
}

/// The HTTP status of a stateless answer, from its JSON-RPC error code (the
/// sender carries it with the response): the errors of a request the server
/// refused to run (it was malformed, its headers disagree with it, or it asks
/// for a version or capability the client lacks) are 400, an unknown method
/// is 404 (the JSON body tells it from a 404 of the endpoint), and everything
/// else, results included, 200.
fn status_of(error: Option<ErrorCode>) -> StatusCode {
    match error {
        Some(
            ErrorCode::PARSE_ERROR
            | ErrorCode::INVALID_REQUEST
            | ErrorCode::INVALID_PARAMS
            | ErrorCode::HEADER_MISMATCH
            | ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY
            | ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
        ) => StatusCode::BAD_REQUEST,
        Some(ErrorCode::METHOD_NOT_FOUND) => StatusCode::NOT_FOUND,
        _ => StatusCode::OK,
    }
}

/// One compact JSON message, with its length.
fn json_answer(status: StatusCode, json: Vec<u8>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))
        .body(Full::new(Bytes::from(json)).boxed_unsync())
        .expect("a valid response")
}

fn sse_answer(stream: SseStream) -> Response<Body> {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/event-stream")
        .header(header::CACHE_CONTROL, "no-cache")
        .header("x-accel-buffering", "no")
        .body(StreamBody::new(stream.into_stream()).boxed_unsync())
        .expect("a valid response")
}

/// A request-scoped SSE stream: the owner's messages as they come, a comment
/// when it has been quiet for `keep_alive`, and the end after the response.
struct SseStream {
    exchange: Exchange,
    /// Zero turns keep-alives off.
    keep_alive: Duration,
    /// The event that made this a stream, already taken from the queue.
    first: Option<Bytes>,
    /// The response went out, or the owner is gone: nothing more comes.
    done: bool,
}

enum Next {
    Message(Envelope),
    Ended,
    Idle,
}

impl SseStream {
    /// The next message, or word that the owner is gone, or that it has been
    /// quiet for `keep_alive`. `recv` is cancel-safe, so timing it out loses nothing.
    async fn next(&mut self) -> Next {
        let message = |envelope: Option<Envelope>| envelope.map_or(Next::Ended, Next::Message);
        if self.keep_alive.is_zero() {
            return message(self.exchange.outgoing.recv().await);
        }
        match tokio::time::timeout(self.keep_alive, self.exchange.outgoing.recv()).await {
            Ok(envelope) => message(envelope),
            Err(_) => Next::Idle,
        }
    }

    /// Add one message to the frame being built; a response ends the stream.
    fn add(&mut self, envelope: &Envelope, frame: &mut BytesMut) {
        match envelope.route.kind {
            MessageKind::Notification => frame.extend_from_slice(&message_event(None, &envelope.bytes)),
            MessageKind::Response => {
                frame.extend_from_slice(&message_event(None, &envelope.bytes));
                self.exchange.answered = true;
                self.done = true;
            }
            MessageKind::Request | MessageKind::CloseStream => skip(envelope),
        }
    }

    /// The next frame: everything ready now, so a burst goes out in one
    /// write; `None` when the stream is over.
    async fn frame(&mut self) -> Option<Bytes> {
        let mut frame = BytesMut::new();
        if let Some(first) = self.first.take() {
            frame.extend_from_slice(&first);
        }
        while frame.is_empty() && !self.done {
            match self.next().await {
                Next::Message(envelope) => self.add(&envelope, &mut frame),
                Next::Ended => self.done = true,
                Next::Idle => frame.extend_from_slice(KEEP_ALIVE),
            }
        }
        while !self.done {
            let Some(envelope) = self.exchange.outgoing.try_recv() else { break };
            self.add(&envelope, &mut frame);
        }
        (!frame.is_empty()).then(|| frame.freeze())
    }

    fn into_stream(self) -> impl Stream<Item = Result<Frame<Bytes>, Infallible>> + Send + 'static {
        futures_util::stream::unfold(self, |mut stream| async move {
            let frame = stream.frame().await?;
            Some((Ok(Frame::data(frame)), stream))
        })
    }
}

#[cfg(test)]
mod tests {
    use mcpwire_protocol::ServerNotification;
    use mcpwire_protocol::types::{LoggingLevel, LoggingMessageNotificationParams};
    use serde_json::json;
    use tokio::sync::Semaphore;

    use super::*;
    use crate::{OutgoingMessage, TransportConfig};

    /// A sender as the owner gets it, and the exchange its answer holds.
    fn exchange() -> (Arc<OutgoingMessageSender>, Exchange, CancellationToken) {
        let (sender, outgoing) = OutgoingMessageSender::new(&TransportConfig::default());
        let slot = Arc::new(Semaphore::new(1)).try_acquire_owned().unwrap();
        let closed = CancellationToken::new();
        (sender, Exchange { outgoing, closed: closed.clone(), answered: false, slot: Some(slot) }, closed)
    }

    fn log(n: u64) -> OutgoingMessage {
        let params =
            LoggingMessageNotificationParams { level: LoggingLevel::Info, logger: None, data: json!(n), meta: None };
        OutgoingMessage::ServerNotification(ServerNotification::LoggingMessage(params))
    }

    async fn body_text(response: Response<Body>) -> String {
        let collect = response.into_body().collect();
        let bytes = tokio::time::timeout(Duration::from_secs(5), collect).await.expect("the body ends").unwrap();
        String::from_utf8(bytes.to_bytes().to_vec()).unwrap()
    }

    async fn next_data(body: &mut Body) -> Bytes {
        body.frame().await.expect("a frame").unwrap().into_data().expect("a data frame")
    }

    const ID: RequestId = RequestId::Number(7);

    #[test]
    fn refusals_to_run_are_400_an_unknown_method_404_and_the_rest_200() {
        let table = [
            (None, 200),
            (Some(-32601), 404),
            (Some(-32700), 400),
            (Some(-32600), 400),
            (Some(-32602), 400),
            (Some(-32020), 400),
            (Some(-32021), 400),
            (Some(-32022), 400),
            (Some(-32603), 200),
            (Some(-32000), 200),
            (Some(-32002), 200),
        ];
        for (code, status) in table {
            assert_eq!(status_of(code.map(ErrorCode)).as_u16(), status, "{code:?}");
        }
    }

    #[tokio::test]
    async fn an_error_first_is_answered_with_the_status_its_code_calls_for() {
        let (sender, exchange, _closed) = exchange();
        sender.send_error(Some(ID), ErrorObject::new(ErrorCode::METHOD_NOT_FOUND, "no such method"));
        let response = respond(exchange, ID, Duration::ZERO).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
        assert_eq!((&body["id"], &body["error"]["code"]), (&json!(7), &json!(-32601)), "{body}");
    }

    #[tokio::test]
    async fn a_response_first_is_answered_as_compact_json() {
        let (sender, exchange, closed) = exchange();
        sender.send_response(ID, &json!({"content": [], "resultType": "complete"}));
        let response = respond(exchange, ID, Duration::ZERO).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_TYPE], "application/json");
        assert_eq!(
            body_text(response).await,
            r#"{"jsonrpc":"2.0","id":7,"result":{"content":[],"resultType":"complete"}}"#
        );
        assert!(!closed.is_cancelled(), "an answered request is not cancelled");
        assert!(sender.is_closed(), "nothing more can be sent for it");
    }

    #[tokio::test]
    async fn a_notification_first_makes_a_stream_that_ends_after_the_response() {
        let (sender, exchange, closed) = exchange();
        sender.notify(log(1), Some(ID)).await.unwrap();
        // Neither a request to the client nor a control message belongs on it.
        let _unanswerable = sender.send_request("roots/list", None);
        sender.close_stream(ID);
        sender.notify(log(2), Some(ID)).await.unwrap();
        sender.send_response(ID, &json!("done"));
        sender.notify(log(3), Some(ID)).await.unwrap();
        let response = respond(exchange, ID, Duration::ZERO).await;
        assert_eq!(response.headers()[header::CONTENT_TYPE], "text/event-stream");
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-cache");
        assert_eq!(response.headers()["x-accel-buffering"], "no");
        let text = body_text(response).await;
        let events: Vec<&str> = text.split_terminator("\n\n").collect();
        assert_eq!(events.len(), 3, "{text}");
        assert!(events.iter().all(|e| e.starts_with("event: message\ndata: {")), "no ids, no priming: {text}");
        assert!(events[0].contains("\"data\":1") && events[1].contains("\"data\":2"), "{text}");
        assert!(events[2].ends_with(r#"{"jsonrpc":"2.0","id":7,"result":"done"}"#), "{text}");
        assert!(!text.contains("roots/list") && !text.contains("\"data\":3"), "{text}");
        assert!(!closed.is_cancelled());
    }

    #[tokio::test]
    async fn dropping_the_stream_before_the_response_cancels_the_request() {
        let (sender, exchange, closed) = exchange();
        sender.notify(log(1), Some(ID)).await.unwrap();
        let response = respond(exchange, ID, Duration::ZERO).await;
        let mut body = response.into_body();
        let first = body.frame().await.unwrap().unwrap().into_data().unwrap();
        assert!(first.starts_with(b"event: message\n"));
        assert!(!closed.is_cancelled());
        drop(body);
        assert!(closed.is_cancelled(), "closing the stream is the cancellation");
        assert!(sender.is_closed(), "and the owner can send nothing more");
    }

    #[tokio::test]
    async fn an_owner_that_drops_its_sender_unanswered_yields_an_internal_error() {
        let (sender, exchange, _closed) = exchange();
        drop(sender);
        let response = respond(exchange, ID, Duration::ZERO).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body: serde_json::Value = serde_json::from_str(&body_text(response).await).unwrap();
        assert_eq!((&body["id"], &body["error"]["code"]), (&json!(7), &json!(-32603)), "{body}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_stream_sends_a_comment_each_keep_alive_interval() {
        let (sender, exchange, _closed) = exchange();
        sender.notify(log(1), Some(ID)).await.unwrap();
        let keep_alive = Duration::from_secs(15);
        let mut body = respond(exchange, ID, keep_alive).await.into_body();
        assert!(next_data(&mut body).await.starts_with(b"event: message\n"));
        let started = tokio::time::Instant::now();
        assert_eq!(&next_data(&mut body).await[..], KEEP_ALIVE);
        assert!(started.elapsed() >= keep_alive, "only after the stream was quiet that long");
        assert_eq!(&next_data(&mut body).await[..], KEEP_ALIVE);
        sender.notify(log(2), Some(ID)).await.unwrap();
        assert!(next_data(&mut body).await.starts_with(b"event: message\n"));
        drop(sender);
        assert!(body.frame().await.is_none(), "the owner is gone: the stream ends");
    }
}
