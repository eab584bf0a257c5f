//! Answering exactly once: a running handler behind its panic guard, what
//! it answers when shutdown stops it, and where its answer goes (straight to
//! the client, or into a batch reply).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use mcpwire_protocol::types::{CallToolResult, InputRequiredResult};
use mcpwire_protocol::{ErrorCode, ErrorObject, ProtocolVersion, RequestId};
use mcpwire_transport::{EncodedResponse, OutgoingMessageSender};
use tokio_util::sync::CancellationToken;

use super::routes::reply;
use crate::context::Stateless;
use crate::tool::BoxFuture;
use crate::{HandlerError, Server, revision, stateless};

/// What a handler's future computes: a tool's result, still to be shaped for
/// the session's revision and serialised, or any other handler's answer.
/// Two kinds so that a tool's future, already boxed by its route, is not
/// boxed a second time on the hot path.
pub(crate) enum Work {
    Tool {
        call: BoxFuture<Result<CallToolResult, HandlerError>>,
        version: ProtocolVersion,
        /// `Some` in the stateless era: the result then names its server.
        finish: Option<Server>,
    },
    Other(BoxFuture<Result<EncodedResponse, ErrorObject>>),
}

impl Work {
    pub(crate) fn boxed(work: impl Future<Output = Result<EncodedResponse, ErrorObject>> + Send + 'static) -> Self {
        Self::Other(Box::pin(work))
    }
}

/// A handler behind its panic guard: polls its work, then answers request
/// `id` exactly once. Dropped before it answers (its task aborted by a
/// cancellation), it answers nothing. A stateless handler that waits on a
/// question to the client ends its round: its answer is then an
/// input-required result, and its work is dropped.
pub(crate) struct Handler {
    pub(crate) work: Work,
    pub(crate) id: RequestId,
    pub(crate) responder: Unanswered,
    /// A stateless request that may ask the client things (its `input`
    /// round is `Some`), and its server (for the state's key).
    pub(crate) asking: Option<(Arc<Stateless>, Server)>,
}

impl Future for Handler {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Handler { work, id, responder, asking } = &mut *self;
        let input = asking.as_ref().and_then(|(stateless, server)| Some((stateless.input.as_ref()?, server)));
        if let Some((round, _)) = input {
            round.register(cx.waker());
        }
        let polled = std::panic::catch_unwind(AssertUnwindSafe(|| match work {
            Work::Tool { call, version, finish } => call.as_mut().poll(cx).map(|outcome| {
                let mut result = outcome.or_else(|error| error.into_tool_response(finish.is_some()))?;
                revision::shape_content(*version, &mut result.content);
                match finish {
                    Some(server) => stateless::reply(server, id, result, None),
                    None => reply(id, &result),
                }
            }),
            Work::Other(work) => work.as_mut().poll(cx),
        }));
        let answer = match polled {
            Ok(Poll::Pending) => {
                let Some((round, server)) = input else { return Poll::Pending };
                let Some(questions) = round.take_questions() else { return Poll::Pending };
                let config = server.config();
                let result = InputRequiredResult {
                    input_requests: Some(questions),
                    request_state: Some(round.next_state(&config.request_state_key, config.request_state_ttl)),
                    ..InputRequiredResult::default()
                };
                Ok(stateless::reply_input_required(server, id, result))
            }
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

/// The code of the answer to a request still running when the server shuts
/// down: -32000, mcpwire's "try again later" (see [`ErrorCode::SERVER_OVERLOADED`]).
/// Nothing was wrong with the request, and it may succeed if sent again, on a
/// fresh connection; -32000 is also the code the TypeScript SDK's clients give
/// their own requests when a connection closes under them (`ConnectionClosed`),
/// so those clients treat this answer as what it is. Not -32603: the server
/// did not fail, it stopped.
const SHUTTING_DOWN: ErrorCode = ErrorCode::SERVER_OVERLOADED;

/// The answer to a request still running when the server shuts down.
pub(crate) fn shutting_down() -> ErrorObject {
    ErrorObject::new(SHUTTING_DOWN, "the server is shutting down; the request was stopped before it finished")
}

/// The answer to a request that arrived once the server began shutting down.
pub(crate) fn not_started() -> ErrorObject {
    ErrorObject::new(SHUTTING_DOWN, "the server is shutting down; the request was not started")
}

/// A handler as the processor (or the HTTP endpoint, for a stateless
/// request) runs it, so that every request is answered at shutdown while the
/// client still reads. Stopped at shutdown before it answered, it answers
/// with [`shutting_down`] instead of nothing. Stopped because the client
/// cancelled it (its token cancelled first), it answers nothing, as a
/// cancelled request must.
pub(crate) struct Stoppable {
    pub(crate) handler: Handler,
    /// The handler's cancellation token. The client's cancellation cancels it
    /// before the task is aborted; shutdown aborts first and cancels here, once
    /// the answer is queued.
    pub(crate) cancel: CancellationToken,
    /// Set by the handler's owner, for all its handlers at once, when it
    /// begins stopping them at shutdown: by a session's processor just
    /// before it stops those still running, by the HTTP endpoint when it
    /// begins shutting down.
    pub(crate) shutting_down: Arc<AtomicBool>,
}

impl Future for Stoppable {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.handler).poll(cx)
    }
}

impl Drop for Stoppable {
    fn drop(&mut self) {
        if !self.shutting_down.load(Ordering::Acquire) || self.cancel.is_cancelled() {
            return;
        }
        // Still holding the responder means it never answered: a handler that
        // finished has handed it over already.
        if let Some(responder) = self.handler.responder.0.take() {
            responder.error(Some(self.handler.id.clone()), shutting_down());
        }
        // Work it started elsewhere, watching its token, stops too.
        self.cancel.cancel();
    }
}

/// Where a request's answer goes: straight to the client, or into the reply
/// of the batch it came in.
#[derive(Clone)]
pub(crate) enum Responder {
    Direct(Arc<OutgoingMessageSender>),
    Batch(Arc<BatchReply>),
}

impl Responder {
    /// Send the answer to request `id`: the encoded result, or the error.
    pub(crate) fn answer(&self, id: RequestId, answer: Result<EncodedResponse, ErrorObject>) {
        match answer {
            Ok(response) => self.send(response),
            Err(error) => self.error(Some(id), error),
        }
    }

    /// The handler of request `id` panicked: log it and answer -32603.
    pub(crate) fn panicked(&self, id: RequestId, panic: &(dyn std::any::Any + Send)) {
        let message = panic_message(panic);
        tracing::error!(%id, message, "a handler panicked");
        self.error(Some(id), ErrorObject::internal_error(format!("the handler panicked: {message}")));
    }

    pub(crate) fn error(&self, id: Option<RequestId>, error: ErrorObject) {
        self.send(EncodedResponse::error(id, error));
    }

    fn send(&self, response: EncodedResponse) {
        match self {
            Self::Direct(sender) => sender.send_encoded(response),
            Self::Batch(reply) => reply.add(Some(response)),
        }
    }

    /// The request ends without an answer (it was cancelled).
    pub(crate) fn skip(&self) {
        if let Self::Batch(reply) = self {
            reply.add(None);
        }
    }
}

/// Held by a handler until it answers: if the handler is dropped first (a
/// cancellation), dropping this lets the batch the request came in complete.
pub(crate) struct Unanswered(pub(crate) Option<Responder>);

impl Drop for Unanswered {
    fn drop(&mut self) {
        if let Some(responder) = self.0.take() {
            responder.skip();
        }
    }
}

/// Collects the answers to one batch and sends them as one array when the
/// last one is in (JSON-RPC sends no array at all when none is due).
pub(crate) struct BatchReply {
    sender: Arc<OutgoingMessageSender>,
    /// The answers so far, and how many are still to come.
    state: Mutex<(Vec<EncodedResponse>, usize)>,
}

impl BatchReply {
    pub(crate) fn new(sender: Arc<OutgoingMessageSender>, expected: usize) -> Self {
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

pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
