//! One Streamable HTTP session: its streams, the event stores they replay
//! from, and the router that puts every outgoing message on the right stream.
//!
//! A session has one outgoing queue, like a stdio connection; the router
//! drains it instead of a writer. A message related to one of the client's
//! requests goes on that request's stream (the POST's SSE response); the rest
//! goes on the standalone stream (the GET). Every event is stored before any
//! connection sees it, so a dropped connection loses nothing: the client
//! resumes with `Last-Event-ID` and the store replays what it missed. A live
//! connection is a cursor into its stream's store.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use hyper::body::Frame;
use mcpwire_protocol::RequestId;
use tokio::sync::{Notify, mpsc};
use tokio_util::sync::CancellationToken;

use super::HttpConfig;
use super::sse::{EventId, message_event, priming_event, retry_field};
use crate::{Envelope, Incoming, MessageKind, OutgoingMessageSender, OutgoingReceiver};

/// What the owner of a session (the MCP processor) gets when a client
/// initializes one: requests and notifications in, a sender out, and a token
/// that fires when the session ends (DELETE, expiry, shutdown).
#[derive(Debug)]
pub struct SessionHandle {
    /// The `Mcp-Session-Id`.
    pub id: String,
    /// The client's requests and notifications, in arrival order.
    pub incoming: mpsc::Receiver<Incoming>,
    /// Everything the server sends in this session.
    pub sender: Arc<OutgoingMessageSender>,
    /// Fires when the session ends; the processor should wind down.
    pub ended: CancellationToken,
}

/// Messages waiting between POST handlers and the session's processor; the
/// processor never waits, so this only smooths bursts (as on stdio).
const INCOMING_CAPACITY: usize = 256;

/// Finished request streams kept for a late resume, per session.
const FINISHED_STREAMS_KEPT: usize = 64;

pub(crate) struct HttpSession {
    pub(crate) id: String,
    pub(crate) sender: Arc<OutgoingMessageSender>,
    pub(crate) incoming: mpsc::Sender<Incoming>,
    pub(crate) ended: CancellationToken,
    streams: Mutex<Streams>,
    /// Woken whenever a live connection delivers or detaches, for the router
    /// waiting on a slow reader.
    drained: Notify,
    last_active: Mutex<Instant>,
    config: Arc<HttpConfig>,
}

#[derive(Default)]
struct Streams {
    next_stream: u64,
    by_id: HashMap<u64, StreamState>,
    by_request: HashMap<RequestId, u64>,
    standalone: Option<u64>,
    /// Completed request streams, oldest first, dropped beyond a bound.
    finished: VecDeque<u64>,
    /// Connection generations: each attach gets a new one, so a superseded
    /// connection notices and ends.
    next_connection: u64,
}

struct StreamState {
    events: VecDeque<StoredEvent>,
    /// The sequence the next event gets; 0 is the priming event's.
    next_sequence: u64,
    /// The last sequence a live connection has taken.
    delivered: u64,
    /// The live connection's generation; 0 when none is attached.
    connection: u64,
    /// Wakes the live connection; replaced on every attach.
    wake: Arc<Notify>,
    /// The response is in: after delivering it, the stream ends.
    complete: bool,
    /// End the live connection now, keeping the stream (SEP-1699).
    close_connection: bool,
}

struct StoredEvent {
    sequence: u64,
    bytes: Bytes,
    /// A notification may be evicted to bound the store; a request or a
    /// response never is, or a waiter could hang.
    evictable: bool,
}

impl StreamState {
    fn new() -> Self {
        Self {
            events: VecDeque::new(),
            next_sequence: 1,
            delivered: 0,
            connection: 0,
            wake: Arc::new(Notify::new()),
            complete: false,
            close_connection: false,
        }
    }

    fn last_sequence(&self) -> u64 {
        self.next_sequence - 1
    }

    fn undelivered(&self) -> u64 {
        self.last_sequence().saturating_sub(self.delivered)
    }
}

/// Why a stream could not be opened for a request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// The session already has as many open streams as allowed.
    TooMany,
    /// A stream for the same request id is still open.
    IdInUse,
}

impl HttpSession {
    /// A new session and the handle its processor gets.
    pub(crate) fn start(id: String, config: Arc<HttpConfig>) -> (Arc<Self>, SessionHandle) {
        let (sender, outgoing) = OutgoingMessageSender::new(&config.transport);
        let (incoming_tx, incoming) = mpsc::channel(INCOMING_CAPACITY);
        let ended = CancellationToken::new();
        let session = Arc::new(Self {
            id: id.clone(),
            sender: Arc::clone(&sender),
            incoming: incoming_tx,
            ended: ended.clone(),
            streams: Mutex::default(),
            drained: Notify::new(),
            last_active: Mutex::new(Instant::now()),
            config,
        });
        tokio::spawn(route(Arc::clone(&session), outgoing));
        (session, SessionHandle { id, incoming, sender, ended })
    }

    pub(crate) fn touch(&self) {
        *self.last_active.lock().expect("activity lock") = Instant::now();
    }

    /// Idle: no request for `idle`, and no connection open.
    pub(crate) fn is_idle(&self, now: Instant) -> bool {
        let last = *self.last_active.lock().expect("activity lock");
        let live = self.streams.lock().expect("streams lock").by_id.values().any(|s| s.connection != 0);
        !live && now.duration_since(last) >= self.config.session_idle_timeout
    }

    /// End the session: the processor winds down and every connection closes.
    pub(crate) fn end(&self) {
        self.ended.cancel();
        let streams = self.streams.lock().expect("streams lock");
        for stream in streams.by_id.values() {
            stream.wake.notify_one();
        }
        self.drained.notify_waiters();
    }

    /// Open the stream for a request that just arrived by POST, with this
    /// POST's response as its live connection.
    pub(crate) fn open_request_stream(self: &Arc<Self>, request: RequestId) -> Result<SseBody, OpenError> {
        let mut streams = self.streams.lock().expect("streams lock");
        if let Some(existing) = streams.by_request.get(&request)
            && streams.by_id.get(existing).is_some_and(|s| !s.complete)
        {
            return Err(OpenError::IdInUse);
        }
        let open = streams.by_id.values().filter(|s| !s.complete).count();
        if open >= self.config.max_streams_per_session {
            return Err(OpenError::TooMany);
        }
        streams.next_stream += 1;
        let stream_id = streams.next_stream;
        streams.by_id.insert(stream_id, StreamState::new());
        streams.by_request.insert(request, stream_id);
        let priming = priming_event(EventId { stream: stream_id, sequence: 0 }, self.config.sse_retry);
        Ok(self.attach(&mut streams, stream_id, 0, Some(priming)))
    }

    /// Open (or reopen) the standalone stream for a GET without
    /// `Last-Event-ID`. `None` if a connection is already attached to it.
    pub(crate) fn open_standalone(self: &Arc<Self>) -> Option<SseBody> {
        let mut streams = self.streams.lock().expect("streams lock");
        let stream_id = Self::standalone_id(&mut streams);
        let stream = streams.by_id.get_mut(&stream_id).expect("the standalone stream exists");
        if stream.connection != 0 {
            return None;
        }
        // Messages that had nowhere to go yet are delivered now (each has its
        // own id to resume from); what a previous GET already took is not
        // repeated. Only with nothing to deliver does the connection start
        // with a priming event, and that takes a fresh sequence number: event
        // ids must be unique in a session, even across reopened streams.
        let from = stream.delivered;
        let prelude = (stream.last_sequence() == from).then(|| {
            let sequence = stream.next_sequence;
            stream.next_sequence += 1;
            stream.delivered = sequence;
            priming_event(EventId { stream: stream_id, sequence }, self.config.sse_retry)
        });
        let from = stream.delivered.max(from);
        Some(self.attach(&mut streams, stream_id, from, prelude))
    }

    /// Resume a stream after `Last-Event-ID`: replay what came after it, then
    /// go on live. `None` for an id that names no stream we still have.
    pub(crate) fn resume(self: &Arc<Self>, after: EventId) -> Option<SseBody> {
        let mut streams = self.streams.lock().expect("streams lock");
        let stream = streams.by_id.get(&after.stream)?;
        if after.sequence > stream.last_sequence() {
            return None;
        }
        Some(self.attach(&mut streams, after.stream, after.sequence, None))
    }

    fn standalone_id(streams: &mut Streams) -> u64 {
        if let Some(id) = streams.standalone {
            return id;
        }
        streams.next_stream += 1;
        let id = streams.next_stream;
        streams.by_id.insert(id, StreamState::new());
        streams.standalone = Some(id);
        id
    }

    /// Make a new live connection the only one on `stream_id`, starting after
    /// sequence `from`.
    fn attach(self: &Arc<Self>, streams: &mut Streams, stream_id: u64, from: u64, prelude: Option<Bytes>) -> SseBody {
        streams.next_connection += 1;
        let connection = streams.next_connection;
        let stream = streams.by_id.get_mut(&stream_id).expect("attach to an existing stream");
        // A connection that was attached before is superseded: wake it so it ends.
        stream.wake.notify_one();
        stream.connection = connection;
        stream.close_connection = false;
        stream.wake = Arc::new(Notify::new());
        SseBody {
            session: Arc::clone(self),
            stream: stream_id,
            connection,
            cursor: from,
            prelude,
            wake: Arc::clone(&stream.wake),
            done: false,
        }
    }

    /// Store an outgoing message on its stream and wake the stream's
    /// connection. Returns the stream when its live reader has fallen so far
    /// behind that the router should wait for it.
    fn store(&self, envelope: &Envelope) -> Option<u64> {
        let mut streams = self.streams.lock().expect("streams lock");
        let target = envelope.route.related.as_ref().and_then(|id| streams.by_request.get(id).copied());
        let stream_id = match (target, envelope.route.kind) {
            (Some(id), _) => id,
            // A control message for a stream we do not have concerns nothing.
            (None, MessageKind::CloseStream) => return None,
            (None, _) => Self::standalone_id(&mut streams),
        };
        let limit = self.config.max_stored_events_per_stream;
        let stream = streams.by_id.get_mut(&stream_id)?;
        let mut newly_complete = false;
        match envelope.route.kind {
            MessageKind::CloseStream => {
                stream.close_connection = stream.connection != 0;
                stream.wake.notify_one();
                return None;
            }
            kind => {
                let sequence = stream.next_sequence;
                stream.next_sequence += 1;
                let bytes = message_event(Some(EventId { stream: stream_id, sequence }), &envelope.bytes);
                let evictable = kind == MessageKind::Notification;
                stream.events.push_back(StoredEvent { sequence, bytes, evictable });
                evict(stream, limit, &self.sender);
                if kind == MessageKind::Response && envelope.route.related.is_some() && !stream.complete {
                    stream.complete = true;
                    newly_complete = true;
                }
                stream.wake.notify_one();
            }
        }
        let backlogged = stream.connection != 0 && stream.undelivered() > limit as u64;
        if newly_complete {
            streams.finished.push_back(stream_id);
            while streams.finished.len() > FINISHED_STREAMS_KEPT {
                // Old enough that no client resumes it; a connection still on
                // it finds the stream gone and ends.
                let old = streams.finished.pop_front().expect("non-empty");
                streams.by_id.remove(&old);
                streams.by_request.retain(|_, s| *s != old);
            }
        }
        backlogged.then_some(stream_id)
    }

    /// Whether the live reader of `stream_id` is still too far behind.
    fn backlogged(&self, stream_id: u64) -> bool {
        let limit = self.config.max_stored_events_per_stream as u64;
        let streams = self.streams.lock().expect("streams lock");
        streams.by_id.get(&stream_id).is_some_and(|s| s.connection != 0 && s.undelivered() > limit)
    }
}

/// Keep a stream's store within `limit` events by evicting the oldest
/// notifications; an evicted notification no live connection has taken is
/// lost, and counted as dropped.
fn evict(stream: &mut StreamState, limit: usize, sender: &OutgoingMessageSender) {
    while stream.events.len() > limit {
        let Some(index) = stream.events.iter().position(|e| e.evictable) else { return };
        let event = stream.events.remove(index).expect("index from position");
        if event.sequence > stream.delivered {
            sender.count_dropped_notification();
        }
    }
}

/// The session's router: drains the outgoing queue onto streams until the
/// session ends or its processor goes away.
async fn route(session: Arc<HttpSession>, mut outgoing: OutgoingReceiver) {
    loop {
        let envelope = tokio::select! {
            envelope = outgoing.recv() => envelope,
            () = session.incoming.closed() => None,
            () = session.ended.cancelled() => None,
        };
        let Some(envelope) = envelope else { break };
        let Some(stream_id) = session.store(&envelope) else { continue };
        // The live reader is far behind: wait for it (or for it to leave),
        // so back-pressure reaches the handlers through the queue's budget.
        loop {
            let drained = session.drained.notified();
            tokio::pin!(drained);
            drained.as_mut().enable();
            if !session.backlogged(stream_id) || session.ended.is_cancelled() {
                break;
            }
            drained.await;
        }
    }
    session.end();
}

/// A live SSE connection: a cursor into one stream's store, delivering what
/// arrives until the stream completes, the connection is superseded or
/// closed, or the session ends.
pub(crate) struct SseBody {
    session: Arc<HttpSession>,
    stream: u64,
    connection: u64,
    /// The last sequence delivered on this connection.
    cursor: u64,
    /// Sent first: the priming event of a new stream.
    prelude: Option<Bytes>,
    wake: Arc<Notify>,
    done: bool,
}

enum Step {
    Send(Bytes),
    SendAndEnd(Bytes),
    Wait,
    End,
}

impl SseBody {
    /// What to do next, decided under the lock.
    fn step(&mut self) -> Step {
        if self.session.ended.is_cancelled() {
            return Step::End;
        }
        if let Some(prelude) = self.prelude.take() {
            return Step::Send(prelude);
        }
        let mut streams = self.session.streams.lock().expect("streams lock");
        let Some(stream) = streams.by_id.get_mut(&self.stream) else { return Step::End };
        if stream.connection != self.connection {
            return Step::End;
        }
        let mut batch = BytesMut::new();
        let from = self.cursor;
        for event in stream.events.iter().filter(|e| e.sequence > from) {
            batch.extend_from_slice(&event.bytes);
            self.cursor = event.sequence;
        }
        if !batch.is_empty() {
            stream.delivered = stream.delivered.max(self.cursor);
            self.session.drained.notify_waiters();
            return Step::Send(batch.freeze());
        }
        if stream.close_connection {
            stream.close_connection = false;
            return Step::SendAndEnd(retry_field(self.session.config.sse_retry));
        }
        if stream.complete && self.cursor >= stream.last_sequence() {
            return Step::End;
        }
        Step::Wait
    }

    /// The connection's frames, as an HTTP body stream.
    pub(crate) fn into_stream(self) -> impl Stream<Item = Result<Frame<Bytes>, Infallible>> + Send + 'static {
        futures_util::stream::unfold(self, |mut body| async move {
            loop {
                if body.done {
                    return None;
                }
                let wake = Arc::clone(&body.wake);
                match body.step() {
                    Step::Send(bytes) => return Some((Ok(Frame::data(bytes)), body)),
                    Step::SendAndEnd(bytes) => {
                        body.done = true;
                        return Some((Ok(Frame::data(bytes)), body));
                    }
                    Step::End => return None,
                    Step::Wait => wake.notified().await,
                }
            }
        })
    }
}

impl Drop for SseBody {
    /// The connection is gone (done, superseded, or the client hung up):
    /// detach it so the router stops waiting for it and a resume can attach.
    fn drop(&mut self) {
        let mut streams = self.session.streams.lock().expect("streams lock");
        if let Some(stream) = streams.by_id.get_mut(&self.stream)
            && stream.connection == self.connection
        {
            stream.connection = 0;
        }
        drop(streams);
        self.session.drained.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use futures_util::StreamExt;
    use mcpwire_protocol::types::{LoggingLevel, LoggingMessageNotificationParams};
    use mcpwire_protocol::{RequestId, ServerNotification};
    use serde_json::json;

    use super::*;
    use crate::OutgoingMessage;

    fn session(events_kept: usize) -> (Arc<HttpSession>, SessionHandle) {
        let config = HttpConfig { max_stored_events_per_stream: events_kept, ..HttpConfig::default() };
        HttpSession::start("test".into(), Arc::new(config))
    }

    /// The next SSE chunk a connection delivers, as text.
    async fn next_chunk(
        body: &mut (impl futures_util::Stream<Item = Result<Frame<Bytes>, Infallible>> + Unpin),
    ) -> Option<String> {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.next()).await.expect("a chunk in time")?;
        let data = frame.unwrap().into_data().expect("a data frame");
        Some(String::from_utf8(data.to_vec()).unwrap())
    }

    /// Wait until the router has stored everything sent so far. Its bytes are
    /// paid back when the router takes an envelope, and the router stores it
    /// without yielding in between, so on this single-threaded test runtime a
    /// drained queue means everything is stored.
    async fn settle(handle: &SessionHandle) {
        tokio::time::timeout(Duration::from_secs(5), async {
            while handle.sender.stats().queued_bytes > 0 {
                tokio::task::yield_now().await;
            }
        })
        .await
        .expect("the router drains the queue");
    }

    fn log(n: u64, related: Option<u64>) -> (OutgoingMessage, Option<RequestId>) {
        let params =
            LoggingMessageNotificationParams { level: LoggingLevel::Info, logger: None, data: json!(n), meta: None };
        (
            OutgoingMessage::ServerNotification(ServerNotification::LoggingMessage(params)),
            related.map(|id: u64| RequestId::Number(i64::try_from(id).expect("small test ids"))),
        )
    }

    #[tokio::test]
    async fn a_request_stream_carries_its_own_messages_then_its_response_then_ends() {
        let (session, handle) = session(16);
        let mut body = Box::pin(session.open_request_stream(RequestId::Number(1)).unwrap().into_stream());
        assert!(next_chunk(&mut body).await.unwrap().starts_with("id: 1:0\nretry: 1000\ndata: \n\n"));
        let (message, related) = log(7, Some(1));
        handle.sender.notify(message, related).await.unwrap();
        let (unrelated, none) = log(8, None);
        handle.sender.notify(unrelated, none).await.unwrap();
        handle.sender.send_response(RequestId::Number(1), &json!({}));
        let mut text = String::new();
        while let Some(chunk) = next_chunk(&mut body).await {
            text.push_str(&chunk);
        }
        assert!(text.contains("id: 1:1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\""), "{text}");
        assert!(text.contains("\"data\":7"), "{text}");
        assert!(!text.contains("\"data\":8"), "an unrelated message goes to the standalone stream: {text}");
        assert!(text.contains("\"id\":1,\"result\":{}"), "{text}");
        drop(session);
    }

    #[tokio::test]
    async fn resuming_replays_that_stream_only_from_after_the_given_event() {
        let (session, handle) = session(16);
        let first = session.open_request_stream(RequestId::Number(1)).unwrap();
        let second = session.open_request_stream(RequestId::Number(2)).unwrap();
        // Both connections drop at once: nothing has been delivered.
        drop((first, second));
        for n in 0..3 {
            let (message, related) = log(n, Some(1));
            handle.sender.notify(message, related).await.unwrap();
        }
        let (other, related) = log(99, Some(2));
        handle.sender.notify(other, related).await.unwrap();
        handle.sender.send_response(RequestId::Number(1), &json!("done"));
        settle(&handle).await;
        let mut text = String::new();
        let mut body = Box::pin(session.resume(EventId { stream: 1, sequence: 1 }).unwrap().into_stream());
        while let Some(chunk) = next_chunk(&mut body).await {
            text.push_str(&chunk);
        }
        assert!(!text.contains("id: 1:1\n"), "event 1:1 was already seen: {text}");
        assert!(
            text.contains("id: 1:2\n") && text.contains("id: 1:3\n") && text.contains("\"result\":\"done\""),
            "{text}"
        );
        assert!(!text.contains("\"data\":99"), "another stream's events are never replayed: {text}");
        assert!(session.resume(EventId { stream: 7, sequence: 0 }).is_none(), "no such stream");
    }

    #[tokio::test]
    async fn a_full_store_evicts_notifications_but_never_the_response() {
        let (session, handle) = session(4);
        drop(session.open_request_stream(RequestId::Number(1)).unwrap());
        for n in 0..10 {
            let (message, related) = log(n, Some(1));
            handle.sender.notify(message, related).await.unwrap();
        }
        handle.sender.send_response(RequestId::Number(1), &json!("kept"));
        settle(&handle).await;
        let mut text = String::new();
        let mut body = Box::pin(session.resume(EventId { stream: 1, sequence: 0 }).unwrap().into_stream());
        while let Some(chunk) = next_chunk(&mut body).await {
            text.push_str(&chunk);
        }
        assert!(text.contains("\"result\":\"kept\""), "{text}");
        assert_eq!(text.matches("notifications/message").count(), 3, "only the newest fit: {text}");
        assert!(text.contains("\"data\":9") && !text.contains("\"data\":0"), "{text}");
        assert_eq!(handle.sender.stats().dropped_notifications, 7, "undelivered evictions are counted");
    }

    #[tokio::test]
    async fn closing_a_stream_ends_its_connection_with_a_retry_but_keeps_the_stream() {
        let (session, handle) = session(16);
        let mut body = Box::pin(session.open_request_stream(RequestId::Number(5)).unwrap().into_stream());
        next_chunk(&mut body).await.expect("the priming event");
        handle.sender.close_stream(RequestId::Number(5));
        assert_eq!(next_chunk(&mut body).await.as_deref(), Some("retry: 1000\n\n"));
        assert_eq!(next_chunk(&mut body).await, None, "the connection ends");
        handle.sender.send_response(RequestId::Number(5), &json!("after"));
        settle(&handle).await;
        let mut resumed = Box::pin(session.resume(EventId { stream: 1, sequence: 0 }).unwrap().into_stream());
        let replay = next_chunk(&mut resumed).await.unwrap();
        assert!(replay.contains("\"id\":5,\"result\":\"after\""), "{replay}");
    }

    #[tokio::test]
    async fn a_request_id_in_use_and_too_many_streams_are_refused() {
        let config = HttpConfig { max_streams_per_session: 2, ..HttpConfig::default() };
        let (session, _handle) = HttpSession::start("limits".into(), Arc::new(config));
        let _one = session.open_request_stream(RequestId::Number(1)).unwrap();
        assert_eq!(session.open_request_stream(RequestId::Number(1)).err(), Some(OpenError::IdInUse));
        let _two = session.open_request_stream(RequestId::Number(2)).unwrap();
        assert_eq!(session.open_request_stream(RequestId::Number(3)).err(), Some(OpenError::TooMany));
    }

    #[tokio::test]
    async fn a_reopened_standalone_stream_primes_with_a_fresh_event_id() {
        let (session, _handle) = session(16);
        let mut first = Box::pin(session.open_standalone().unwrap().into_stream());
        let first_priming = next_chunk(&mut first).await.unwrap();
        drop(first);
        let mut second = Box::pin(session.open_standalone().unwrap().into_stream());
        let second_priming = next_chunk(&mut second).await.unwrap();
        let id = |text: &str| text.lines().next().unwrap().to_owned();
        assert_ne!(id(&first_priming), id(&second_priming), "event ids are unique in a session");
    }

    #[tokio::test]
    async fn the_standalone_stream_takes_one_connection_and_gets_what_had_nowhere_to_go() {
        let (session, handle) = session(16);
        let (message, none) = log(42, None);
        handle.sender.notify(message, none).await.unwrap();
        let mut body = Box::pin(session.open_standalone().unwrap().into_stream());
        assert!(session.open_standalone().is_none(), "a second GET stream is refused");
        let mut text = next_chunk(&mut body).await.unwrap();
        if !text.contains("\"data\":42") {
            text.push_str(&next_chunk(&mut body).await.unwrap());
        }
        assert!(text.contains("\"data\":42"), "{text}");
    }
}
