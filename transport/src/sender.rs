//! `OutgoingMessageSender`: everything one side sends, and the waiters for the
//! answers to its own requests.
//!
//! Handlers, the processor and the reader all hold the same `Arc`; there is one
//! pending map per connection, and it mints the ids. A request's id is minted
//! and its waiter registered in one call, before the request is queued, so
//! even an answer that arrives at once finds it. Every waiter resolves exactly
//! once: answer, error reply, timeout, cancellation, its future being dropped,
//! or the connection closing.

use std::borrow::Cow;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use mcpwire_protocol::types::CancelledNotificationParams;
use mcpwire_protocol::{ErrorObject, ErrorResponse, RawJson, RequestId, RequestMethod, Response, ServerNotification};
use serde::Serialize;
use tokio::sync::oneshot;
use tokio::time::Sleep;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

use crate::message::{EncodedResponse, OutgoingMessage};
use crate::pending::{Delivery, Failure, Reply};
use crate::queue::{MessageKind, OutgoingQueue, OutgoingReceiver, Route, Shared, TrySend, queue};
use crate::{Error, TransportConfig};

/// Sends requests, responses and notifications to the peer, and routes the
/// peer's answers to our own requests back to their waiters.
///
/// Shared as `Arc<OutgoingMessageSender>` and deliberately not `Clone`: one
/// connection has exactly one pending map, which mints its request ids.
#[derive(Debug)]
pub struct OutgoingMessageSender {
    queue: OutgoingQueue,
    /// How long a request waits for its answer unless the call says otherwise.
    default_timeout: Option<Duration>,
}

/// Per-request options for [`OutgoingMessageSender::send_request_with`].
#[derive(Debug, Clone, Default)]
pub struct RequestOptions {
    /// Overrides the connection's default timeout. `Duration::MAX` waits forever.
    pub timeout: Option<Duration>,
    /// The peer's request this one is made on behalf of (an elicitation during
    /// a tool call), so transports with one stream per request send it there.
    pub related: Option<RequestId>,
    /// Cancelling this token withdraws the request: the future resolves to
    /// [`Error::Cancelled`] and the peer gets `notifications/cancelled`.
    pub cancel: Option<CancellationToken>,
}

/// Figures about one connection's outgoing side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SenderStats {
    /// Requests we sent that await an answer.
    pub pending_requests: usize,
    /// Answers whose id matched no outstanding request.
    pub unknown_responses: u64,
    /// Notifications dropped because the peer read too slowly.
    pub dropped_notifications: u64,
    /// Notifications parked in place of an older one with the same meaning.
    pub coalesced_notifications: u64,
    /// Bytes queued for the writer right now.
    pub queued_bytes: usize,
    /// The most bytes ever queued at once.
    pub peak_queued_bytes: usize,
}

impl OutgoingMessageSender {
    /// A sender and the receiving end its writer drains.
    pub fn new(config: &TransportConfig) -> (Arc<Self>, OutgoingReceiver) {
        let (queue, receiver) = queue(Shared::new(config.notification_budget_bytes, config.max_queued_bytes));
        let sender = Self { queue, default_timeout: config.request_timeout };
        (Arc::new(sender), receiver)
    }

    /// Send a request and get a future for its answer, with the default timeout.
    pub fn send_request(
        self: &Arc<Self>,
        method: impl Into<Cow<'static, str>>,
        params: Option<RawJson>,
    ) -> ResponseFuture {
        self.send_request_with(method, params, RequestOptions::default())
    }

    /// Send a request with per-call options.
    pub fn send_request_with(
        self: &Arc<Self>,
        method: impl Into<Cow<'static, str>>,
        params: Option<RawJson>,
        options: RequestOptions,
    ) -> ResponseFuture {
        // Minted and registered before the request is queued: the answer
        // cannot outrun its waiter.
        let (id, rx) = self.shared().pending().register();
        let route = Route { related: options.related.clone(), kind: MessageKind::Request };
        let bytes = OutgoingMessage::Request { id: id.clone(), method: method.into(), params }.into_bytes();
        // If the connection is closed the pending map was failed, so `rx`
        // already holds "connection closed": nothing more to do here.
        let _ = self.queue.push(bytes, route);
        let timeout = options.timeout.or(self.default_timeout);
        ResponseFuture {
            id,
            rx,
            timeout,
            deadline: timeout.map(|t| Box::pin(tokio::time::sleep(t))),
            cancel: options.cancel.map(|token| Box::pin(token.cancelled_owned())),
            related: options.related,
            sender: Some(Arc::clone(self)),
        }
    }

    /// Send a typed request: params and result types come from the method.
    pub fn request<R: RequestMethod>(
        self: &Arc<Self>,
        params: &R::Params,
        options: RequestOptions,
    ) -> TypedResponse<R> {
        let inner = match mcpwire_protocol::to_raw_params(params) {
            Ok(params) => Ok(self.send_request_with(R::METHOD, params, options)),
            Err(error) => Err(Some(error)),
        };
        TypedResponse { inner, _method: PhantomData }
    }

    /// Answer one of the peer's requests. If the result fails to serialise, the
    /// peer gets an internal error (-32603) for the same id instead: every
    /// request gets exactly one answer.
    pub fn send_response<T: Serialize + ?Sized>(&self, id: RequestId, result: &T) {
        let response = EncodedResponse::result(id.clone(), result).unwrap_or_else(|error| {
            tracing::error!(%id, %error, "result failed to serialise; answering with an internal error");
            let error = ErrorObject::internal_error(format!("the result could not be serialised: {error}"));
            EncodedResponse::error(Some(id), error)
        });
        self.send_encoded(response);
    }

    /// Answer one of the peer's requests with an error; `None` when the
    /// request's id could not be read.
    pub fn send_error(&self, id: Option<RequestId>, error: ErrorObject) {
        self.send_encoded(EncodedResponse::error(id, error));
    }

    /// Queue an answer that is already serialised. Never waits, never dropped.
    pub fn send_encoded(&self, response: EncodedResponse) {
        let route = Route { related: response.id, kind: MessageKind::Response };
        if self.queue.push_answer(response.bytes, route, response.error).is_err() {
            tracing::debug!("connection closed; response not sent");
        }
    }

    /// Answer a JSON-RPC batch (2025-03-26) with one array of responses, never
    /// dropped, like a single response.
    pub fn send_batch(&self, responses: &[EncodedResponse]) {
        let mut bytes = Vec::with_capacity(responses.iter().map(|r| r.bytes.len() + 1).sum::<usize>() + 2);
        bytes.push(b'[');
        for (index, response) in responses.iter().enumerate() {
            if index > 0 {
                bytes.push(b',');
            }
            bytes.extend_from_slice(&response.bytes);
        }
        bytes.push(b']');
        if self.queue.push(bytes, Route { related: None, kind: MessageKind::Response }).is_err() {
            tracing::debug!("connection closed; batch reply not sent");
        }
    }

    /// Send a notification, waiting for room when the peer reads slowly.
    ///
    /// # Errors
    /// [`Error::ConnectionClosed`] when the connection is closed.
    pub async fn notify(&self, message: OutgoingMessage, related: Option<RequestId>) -> Result<(), Error> {
        let route = Route { related, kind: MessageKind::Notification };
        self.queue.push_notification(message.into_bytes(), route).await.map_err(|_| Error::ConnectionClosed)
    }

    /// Send a notification without waiting: when there is no room it is
    /// coalesced (progress, list-changed) or dropped, and counted.
    pub fn try_notify(&self, message: OutgoingMessage, related: Option<RequestId>) -> TrySend {
        let key = message.coalesce_key();
        let route = Route { related, kind: MessageKind::Notification };
        self.queue.try_push_notification(message.into_bytes(), route, key)
    }

    /// Send a notification of any protocol, waiting for room.
    ///
    /// # Errors
    /// [`Error::ConnectionClosed`] when the connection is closed.
    pub async fn send_notification(
        &self,
        method: impl Into<Cow<'static, str>>,
        params: Option<RawJson>,
    ) -> Result<(), Error> {
        self.notify(OutgoingMessage::Notification { method: method.into(), params }, None).await
    }

    /// Send a typed MCP notification, waiting for room: method from its strum
    /// name, params from `to_params()`.
    ///
    /// # Errors
    /// [`Error::ConnectionClosed`] when the connection is closed.
    pub async fn send_server_notification(&self, notification: ServerNotification) -> Result<(), Error> {
        self.notify(OutgoingMessage::ServerNotification(notification), None).await
    }

    /// Send a typed MCP notification without waiting; see [`try_notify`](Self::try_notify).
    pub fn try_send_server_notification(&self, notification: ServerNotification) -> TrySend {
        self.try_notify(OutgoingMessage::ServerNotification(notification), None)
    }

    /// Route a successful answer to the waiter of the request it answers.
    pub(crate) fn handle_response(&self, response: Response) {
        self.deliver(&response.id, Ok(response.result));
    }

    /// Route an error answer to its waiter. An error without an id cannot be
    /// matched to a request; it is logged and counted.
    pub(crate) fn handle_error_response(&self, response: ErrorResponse) {
        match response.id {
            Some(id) => self.deliver(&id, Err(Failure::Peer(response.error))),
            None => {
                self.shared().unknown_responses.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(error = %response.error, "the peer sent an error response without an id");
            }
        }
    }

    /// Ask the transport to close the connection that carries `request`'s
    /// stream, keeping the stream itself so the client can resume it
    /// (Streamable HTTP, SEP-1699). Ordered with the messages around it; a
    /// transport without such streams (stdio) ignores it.
    pub fn close_stream(&self, request: RequestId) {
        let _ = self.queue.push(Vec::new(), Route { related: Some(request), kind: MessageKind::CloseStream });
    }

    /// Close gracefully: waiters resolve with "connection closed" now, what is
    /// queued is still written, and nothing new is queued.
    pub fn close(&self) {
        self.queue.close();
    }

    /// Whether the connection has closed (gracefully, or because writing failed).
    pub fn is_closed(&self) -> bool {
        self.shared().closed_token().is_cancelled()
    }

    /// Resolves when the connection closes, however it closes.
    pub async fn closed(&self) {
        self.shared().closed_token().cancelled().await;
    }

    /// Count a notification the transport dropped after taking it from the
    /// queue, so `stats().dropped_notifications` covers every drop.
    #[cfg(feature = "http")]
    pub(crate) fn count_dropped_notification(&self) {
        self.shared().record_drop();
    }

    /// Current figures.
    pub fn stats(&self) -> SenderStats {
        let shared = self.shared();
        let queue = shared.stats();
        SenderStats {
            pending_requests: shared.pending().len(),
            unknown_responses: shared.unknown_responses.load(Ordering::Relaxed),
            dropped_notifications: queue.dropped_notifications,
            coalesced_notifications: queue.coalesced_notifications,
            queued_bytes: queue.queued_bytes,
            peak_queued_bytes: queue.peak_queued_bytes,
        }
    }

    /// The connection's shared state; the reader uses it to fail the
    /// pending map when the peer closes its side.
    pub(crate) fn shared(&self) -> &Shared {
        &self.queue.shared
    }

    fn deliver(&self, id: &RequestId, reply: Reply) {
        let delivery = self.shared().pending().complete(id, reply);
        match delivery {
            Delivery::Delivered => {}
            Delivery::UnknownId => {
                self.shared().unknown_responses.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(%id, "the peer answered a request we are not waiting for");
            }
            Delivery::WaiterGone => tracing::debug!(%id, "an answer arrived after its waiter went away"),
        }
    }

    /// The waiter gave up: forget the request and, if it was still
    /// outstanding, tell the peer it may stop working on it.
    fn withdraw(&self, id: &RequestId, related: Option<RequestId>, reason: &'static str) {
        if !self.shared().pending().remove(id) {
            return;
        }
        let params =
            CancelledNotificationParams { request_id: Some(id.clone()), reason: Some(reason.into()), meta: None };
        let message = OutgoingMessage::ServerNotification(ServerNotification::Cancelled(params));
        // A cancellation is small and ends work on the peer's side, so it goes
        // through the never-dropped path rather than the notification budget.
        let _ = self.queue.push(message.into_bytes(), Route { related, kind: MessageKind::Notification });
    }
}

/// The answer to a request we sent. Resolves to the peer's raw result or a
/// typed error. Dropping it withdraws the request and tells the peer.
#[must_use = "dropping a response future withdraws its request"]
pub struct ResponseFuture {
    id: RequestId,
    rx: oneshot::Receiver<Reply>,
    timeout: Option<Duration>,
    deadline: Option<Pin<Box<Sleep>>>,
    cancel: Option<Pin<Box<WaitForCancellationFutureOwned>>>,
    related: Option<RequestId>,
    /// `Some` while the request is outstanding; taken once it settles, so
    /// dropping a settled future does nothing.
    sender: Option<Arc<OutgoingMessageSender>>,
}

impl std::fmt::Debug for ResponseFuture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResponseFuture").field("id", &self.id).field("outstanding", &self.sender.is_some()).finish()
    }
}

impl ResponseFuture {
    /// The id minted for this request.
    pub fn id(&self) -> &RequestId {
        &self.id
    }

    fn give_up(&mut self, reason: &'static str) {
        if let Some(sender) = self.sender.take() {
            sender.withdraw(&self.id, self.related.take(), reason);
        }
    }
}

impl Future for ResponseFuture {
    type Output = Result<RawJson, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Poll::Ready(reply) = Pin::new(&mut this.rx).poll(cx) {
            this.sender = None;
            return Poll::Ready(match reply {
                Ok(Ok(result)) => Ok(result),
                Ok(Err(Failure::Peer(error))) => Err(Error::Peer(error)),
                Ok(Err(Failure::Closed)) | Err(_) => Err(Error::ConnectionClosed),
            });
        }
        if let Some(cancel) = &mut this.cancel
            && cancel.as_mut().poll(cx).is_ready()
        {
            this.give_up("cancelled by the requester");
            return Poll::Ready(Err(Error::Cancelled));
        }
        if let Some(deadline) = &mut this.deadline
            && deadline.as_mut().poll(cx).is_ready()
        {
            this.give_up("timed out");
            return Poll::Ready(Err(Error::Timeout(this.timeout.unwrap_or_default())));
        }
        Poll::Pending
    }
}

impl Drop for ResponseFuture {
    fn drop(&mut self) {
        self.give_up("the requester stopped waiting");
    }
}

/// The typed answer to a request sent with [`OutgoingMessageSender::request`].
#[must_use = "dropping a response future withdraws its request"]
pub struct TypedResponse<R> {
    /// The request in flight, or why it could not be sent (taken when reported).
    inner: Result<ResponseFuture, Option<serde_json::Error>>,
    _method: PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for TypedResponse<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedResponse").field("inner", &self.inner).finish()
    }
}

impl<R: RequestMethod> Future for TypedResponse<R> {
    type Output = Result<R::Result, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = match &mut self.inner {
            Ok(future) => future,
            Err(error) => {
                let error = error.take().expect("a TypedResponse is not polled after it completed");
                return Poll::Ready(Err(Error::Serialize(error)));
            }
        };
        let raw = ready!(Pin::new(future).poll(cx))?;
        Poll::Ready(serde_json::from_str(raw.get()).map_err(Error::InvalidResult))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn written(outgoing: &mut OutgoingReceiver) -> Vec<serde_json::Value> {
        std::iter::from_fn(|| outgoing.try_recv()).map(|e| serde_json::from_slice(&e.bytes).unwrap()).collect()
    }

    #[tokio::test]
    async fn answer_delivered_before_the_request_reaches_the_writer_finds_its_waiter() {
        let (sender, mut outgoing) = OutgoingMessageSender::new(&TransportConfig::default());
        let future = sender.send_request("ping", None);
        assert_eq!(future.id(), &RequestId::Number(1), "the pending map minted the id");
        // Answer at once, before the writer has even taken the request out.
        sender.handle_response(Response::new(future.id().clone(), serde_json::value::to_raw_value(&1).unwrap()));
        assert_eq!(future.await.unwrap().get(), "1");
        assert_eq!(written(&mut outgoing), [json!({"jsonrpc": "2.0", "id": 1, "method": "ping"})]);
    }

    #[tokio::test]
    async fn after_the_peer_closes_its_side_requests_fail_at_once_and_answers_are_still_written() {
        let (sender, mut outgoing) = OutgoingMessageSender::new(&TransportConfig::default());
        let outstanding = sender.send_request("roots/list", None);
        // What the reader does at end of input.
        sender.shared().fail_pending("the peer closed its side");
        assert!(matches!(outstanding.await, Err(Error::ConnectionClosed)));
        assert!(matches!(sender.send_request("ping", None).await, Err(Error::ConnectionClosed)));
        assert_eq!(sender.stats().pending_requests, 0);
        sender.send_response(RequestId::from("theirs"), &json!({}));
        let sent = written(&mut outgoing);
        assert_eq!(sent.last(), Some(&json!({"jsonrpc": "2.0", "id": "theirs", "result": {}})));
        assert!(!sender.is_closed(), "only the peer's side closed");
    }

    #[tokio::test]
    async fn an_error_answer_without_an_id_is_counted_not_delivered() {
        let (sender, _outgoing) = OutgoingMessageSender::new(&TransportConfig::default());
        let _outstanding = sender.send_request("ping", None);
        sender.handle_error_response(ErrorResponse::new(None, ErrorObject::parse_error()));
        let stats = sender.stats();
        assert_eq!((stats.pending_requests, stats.unknown_responses), (1, 1));
    }
}
