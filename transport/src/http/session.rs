//! One Streamable HTTP session: its streams, the event stores they replay
//! from, and the router that puts every outgoing message on the right stream.
//!
//! A session has one outgoing queue, like a stdio connection; the router
//! drains it instead of a writer. A message related to one of the client's
//! requests goes on that request's stream (the POST's SSE response, which a
//! 2025-03-26 batch shares between its requests); the rest goes on the
//! standalone stream (the GET). Every event is stored before any connection
//! sees it, so a dropped connection loses nothing: the client resumes with
//! `Last-Event-ID` and the store replays what it missed. A live connection is
//! a cursor into its stream's store.
//!
//! A POST of one request waits a moment for the first message of its
//! request before it answers: when that is the response, the router hands
//! it to the POST to send as plain JSON, and stores nothing.
//!
//! What is kept, and for how long:
//!
//! - The router never waits for a connection, so one stream nobody reads
//!   holds up none of the others. A live connection whose reader has more
//!   than `stream_buffer_bytes` waiting behind the next event it will take
//!   when another arrives is cut off (its socket closed); the client may
//!   resume from the last event it got.
//! - Stores are held to `max_replay_bytes_per_stream`, then
//!   `max_replay_bytes_per_session`, then (through `replay`)
//!   `max_replay_bytes` across the server. Beyond a limit, events already
//!   delivered go first (they are only there for a resume), then
//!   notifications nobody has taken (lost, and counted as dropped). A request
//!   or a response not delivered yet is never evicted: its loss would hang a
//!   waiter. A resume replays whatever is left after its event id.
//! - A request stream is complete once every request it carries is answered
//!   or cancelled (`notifications/cancelled`); its connection then ends once
//!   it has delivered what is stored. The last `FINISHED_STREAMS_KEPT`
//!   complete streams stay resumable, within the byte limits.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use futures_util::Stream;
use hyper::body::Frame;
use mcpwire_protocol::RequestId;
use tokio::sync::{Notify, mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::replay::Retention;
use super::sse::{EventId, KEEP_ALIVE, message_event, priming_event, retry_field};
use super::{HttpConfig, SHUTDOWN_DEADLINE};
use crate::{Envelope, Incoming, MessageKind, OutgoingMessageSender, OutgoingReceiver};

/// What the owner of a session (the MCP processor) gets when a client
/// initializes one: requests and notifications in, a sender out, and a token
/// that fires when the session ends (DELETE, expiry, shutdown).
///
/// At shutdown the session outlives the token for a moment: what the owner
/// sends until it closes its sender or drops `incoming` (its answers to the
/// requests it stops, say) still reaches the client, for at most a second.
/// A session the client deleted, or that expired, ends at once.
#[derive(Debug)]
pub struct SessionHandle {
    /// The `Mcp-Session-Id`.
    pub id: String,
    /// The client's requests and notifications, in arrival order.
    pub incoming: mpsc::Receiver<Incoming>,
    /// Everything the server sends in this session.
    pub sender: Arc<OutgoingMessageSender>,
    /// Fires when the session ends or the server shuts down; the processor
    /// should wind down, then close `sender`.
    pub ended: CancellationToken,
}

/// Messages waiting between POST handlers and the session's processor; the
/// processor never waits, so this only smooths bursts (as on stdio).
const INCOMING_CAPACITY: usize = 256;

/// Complete request streams kept for a late resume, per session. Their bytes
/// count against the byte limits like any others; this bounds only the
/// bookkeeping of streams whose events are all gone.
const FINISHED_STREAMS_KEPT: usize = 64;

/// Roughly what storing one event costs besides its bytes: its slot in the
/// store and the shared buffer's header. Counted so that a flood of tiny
/// events is bounded as surely as a few large ones.
const EVENT_OVERHEAD: usize = 64;

pub(crate) struct HttpSession {
    pub(crate) id: String,
    pub(crate) sender: Arc<OutgoingMessageSender>,
    pub(crate) incoming: mpsc::Sender<Incoming>,
    /// The session is over: its connections end, and nothing more is stored.
    pub(crate) ended: CancellationToken,
    /// The owner should wind down: fired by `end`, and first, alone, by
    /// `wind_down` at shutdown. It is the handle's `ended`.
    stop: CancellationToken,
    streams: Mutex<Streams>,
    /// Notified whenever a live connection lets go of its stream, for the
    /// router that waits for the last one at shutdown.
    detached: Notify,
    last_active: Mutex<Instant>,
    config: Arc<HttpConfig>,
    /// The server-wide count of stored bytes this session adds to.
    retention: Arc<Retention>,
}

/// Both maps are touched twice on every request, so they hash with foldhash
/// rather than SipHash: a session holds at most `max_streams_per_session`
/// open streams and `FINISHED_STREAMS_KEPT` finished ones, so a client that
/// picks colliding ids cannot make a lookup cost much.
#[derive(Default)]
struct Streams {
    next_stream: u64,
    by_id: foldhash::HashMap<u64, StreamState>,
    /// Every request id a stream was opened for, until that stream is gone.
    by_request: foldhash::HashMap<RequestId, u64>,
    standalone: Option<u64>,
    /// Complete request streams, oldest first, dropped beyond a bound.
    finished: VecDeque<u64>,
    /// Connection generations: each attach gets a new one, so a superseded
    /// connection notices and ends.
    next_connection: u64,
    /// What the session's stores hold.
    usage: Usage,
}

/// Bytes held by stores, counting each event's overhead.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Usage {
    stored: usize,
    /// Of those, requests and responses no connection has taken yet.
    pinned: usize,
}

struct StreamState {
    /// In sequence order, with gaps where events were evicted.
    events: VecDeque<StoredEvent>,
    /// The sequence the next event gets; 0 is the priming event's.
    next_sequence: u64,
    /// The last sequence any connection has taken.
    delivered: u64,
    /// The live connection's generation; 0 when none is attached.
    connection: u64,
    /// Closes the live connection's socket; `None` when none is attached.
    cut: Option<CancellationToken>,
    /// Wakes the live connection; replaced on every attach.
    wake: Arc<Notify>,
    /// The client's requests this stream carries the answers to that are
    /// still unanswered: the POSTed request, or each request of a batch.
    /// Always empty on the standalone stream.
    awaiting: Vec<RequestId>,
    /// Every request this stream was opened for, answered or not: their
    /// entries in `by_request` go when the stream goes.
    requests: Vec<RequestId>,
    /// A request stream whose every request was answered or cancelled:
    /// after delivering what it holds, its connection ends.
    complete: bool,
    /// End the live connection now, keeping the stream (SEP-1699).
    close_connection: bool,
    /// The POST that opened this stream for one request, until its first
    /// message: handed the response when that comes first (the POST answers
    /// with it as JSON, and nothing is stored), dropped when anything else
    /// does or the stream ends first (the POST answers with the stream).
    json_answer: Option<oneshot::Sender<Vec<u8>>>,
    /// Bytes of the stored events, with their overhead.
    stored: usize,
    /// Of those, the events after `delivered`.
    undelivered: usize,
}

struct StoredEvent {
    sequence: u64,
    bytes: Bytes,
    /// A request, or the response to a request someone still waits for:
    /// never evicted before a connection has taken it.
    must_deliver: bool,
}

impl StoredEvent {
    fn cost(&self) -> usize {
        self.bytes.len() + EVENT_OVERHEAD
    }
}

/// What a connection takes from its stream in one step.
struct Taken {
    bytes: Bytes,
    /// The sequence of the last event taken.
    last: u64,
    /// Bytes that had to be delivered and now have been.
    unpinned: usize,
}

impl StreamState {
    fn new(requests: Vec<RequestId>) -> Self {
        Self {
            events: VecDeque::new(),
            next_sequence: 1,
            delivered: 0,
            connection: 0,
            cut: None,
            wake: Arc::new(Notify::new()),
            awaiting: requests.clone(),
            requests,
            complete: false,
            close_connection: false,
            json_answer: None,
            stored: 0,
            undelivered: 0,
        }
    }

    fn last_sequence(&self) -> u64 {
        self.next_sequence - 1
    }

    /// How far the live reader is behind: the bytes waiting behind the next
    /// event it will take. That one event may be of any size (a large
    /// answer the connection has not been polled for yet is no backlog).
    fn backlog(&self) -> usize {
        let next = self.events.partition_point(|e| e.sequence <= self.delivered);
        self.undelivered - self.events.get(next).map_or(0, StoredEvent::cost)
    }

    /// The bytes that must still be delivered.
    fn pinned(&self) -> usize {
        self.events.iter().filter(|e| e.must_deliver && e.sequence > self.delivered).map(StoredEvent::cost).sum()
    }

    /// Store an event; returns its cost.
    fn push(&mut self, sequence: u64, bytes: Bytes, must_deliver: bool) -> usize {
        let event = StoredEvent { sequence, bytes, must_deliver };
        let cost = event.cost();
        self.events.push_back(event);
        self.stored += cost;
        self.undelivered += cost;
        cost
    }

    /// Request `id` is answered or cancelled; `true` if that completes the stream.
    fn settle(&mut self, id: &RequestId) -> bool {
        let Some(index) = self.awaiting.iter().position(|awaited| awaited == id) else { return false };
        self.awaiting.swap_remove(index);
        if !self.awaiting.is_empty() || self.complete {
            return false;
        }
        self.complete = true;
        true
    }

    /// Nobody waits for what this stream holds any more (its requests were
    /// cancelled): nothing in it must be delivered. Returns the bytes unpinned.
    fn unpin_all(&mut self) -> usize {
        let delivered = self.delivered;
        let mut unpinned = 0;
        for event in self.events.iter_mut().filter(|e| e.must_deliver && e.sequence > delivered) {
            event.must_deliver = false;
            unpinned += event.cost();
        }
        unpinned
    }

    /// Everything after `cursor`, as one buffer; it counts as delivered.
    fn take_after(&mut self, cursor: u64) -> Option<Taken> {
        let first = self.events.partition_point(|e| e.sequence <= cursor);
        let (last, bytes) = match self.events.len() - first {
            0 => return None,
            // The usual case, and a large response's: share it, no copy.
            1 => (self.events[first].sequence, self.events[first].bytes.clone()),
            _ => {
                let mut batch = BytesMut::new();
                for event in self.events.range(first..) {
                    batch.extend_from_slice(&event.bytes);
                }
                (self.events.back().expect("not empty").sequence, batch.freeze())
            }
        };
        let mut unpinned = 0;
        for event in self.events.range(first..).filter(|e| e.sequence > self.delivered) {
            self.undelivered -= event.cost();
            if event.must_deliver {
                unpinned += event.cost();
            }
        }
        self.delivered = self.delivered.max(last);
        Some(Taken { bytes, last, unpinned })
    }

    /// Free at least `want` bytes if possible: events already delivered
    /// first, oldest first, then notifications nobody has taken (counted as
    /// dropped). Returns the bytes freed.
    fn evict(&mut self, want: usize, sender: &OutgoingMessageSender) -> usize {
        let mut freed = 0;
        while freed < want && self.events.front().is_some_and(|e| e.sequence <= self.delivered) {
            freed += self.events.pop_front().expect("a front event").cost();
        }
        while freed < want {
            let delivered = self.delivered;
            let Some(index) = self.events.iter().position(|e| e.sequence > delivered && !e.must_deliver) else { break };
            let cost = self.events.remove(index).expect("index from position").cost();
            self.undelivered -= cost;
            freed += cost;
            sender.count_dropped_notification();
        }
        self.stored -= freed;
        freed
    }
}

/// Why a stream could not be opened for a request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum OpenError {
    /// The session already has as many open streams as allowed.
    TooMany,
    /// A stream awaiting the same request id is still open (or the id came
    /// twice in one batch).
    IdInUse(RequestId),
}

impl HttpSession {
    /// A new session and the handle its processor gets.
    pub(crate) fn start(id: String, config: Arc<HttpConfig>, retention: Arc<Retention>) -> (Arc<Self>, SessionHandle) {
        let (sender, outgoing) = OutgoingMessageSender::new(&config.transport);
        let (incoming_tx, incoming) = mpsc::channel(INCOMING_CAPACITY);
        let stop = CancellationToken::new();
        let session = Arc::new(Self {
            id: id.clone(),
            sender: Arc::clone(&sender),
            incoming: incoming_tx,
            ended: CancellationToken::new(),
            stop: stop.clone(),
            streams: Mutex::default(),
            detached: Notify::new(),
            last_active: Mutex::new(Instant::now()),
            config,
            retention,
        });
        session.retention.register(&session);
        tokio::spawn(route(Arc::clone(&session), outgoing));
        (session, SessionHandle { id, incoming, sender, ended: stop })
    }

    pub(crate) fn touch(&self) {
        *self.last_active.lock().expect("activity lock") = Instant::now();
    }

    pub(crate) fn last_active(&self) -> Instant {
        *self.last_active.lock().expect("activity lock")
    }

    /// Idle: no request for `idle`, and no connection open.
    pub(crate) fn is_idle(&self, now: Instant) -> bool {
        let last = self.last_active();
        let live = self.streams.lock().expect("streams lock").by_id.values().any(|s| s.connection != 0);
        !live && now.duration_since(last) >= self.config.session_idle_timeout
    }

    /// Ask the owner to wind down, and end the session once it has closed its
    /// sender (or dropped `incoming`) and every live connection has
    /// delivered what it sent, or after `SHUTDOWN_DEADLINE`: at shutdown, a
    /// client still reading hears what became of every request it sent.
    pub(crate) fn wind_down(&self) {
        self.stop.cancel();
    }

    /// Nothing more will be stored: every stream is complete, so each live
    /// connection delivers what its stream holds, then ends.
    fn seal(&self) {
        let mut streams = self.streams.lock().expect("streams lock");
        for stream in streams.by_id.values_mut() {
            stream.complete = true;
            // A POST still waiting to choose answers with its stream, which
            // delivers what it holds and ends.
            stream.json_answer = None;
            stream.wake.notify_one();
        }
    }

    /// Resolves once no stream has a live connection.
    async fn connections_detached(&self) {
        loop {
            let detached = self.detached.notified();
            tokio::pin!(detached);
            // Registered before looking, so a connection that lets go
            // in between is not missed.
            detached.as_mut().enable();
            if self.streams.lock().expect("streams lock").by_id.values().all(|s| s.connection == 0) {
                return;
            }
            detached.await;
        }
    }

    /// End the session: the processor winds down, every connection closes,
    /// and the stores let go of everything.
    pub(crate) fn end(&self) {
        self.stop.cancel();
        self.ended.cancel();
        let mut streams = self.streams.lock().expect("streams lock");
        for stream in streams.by_id.values() {
            stream.wake.notify_one();
        }
        let Usage { stored, pinned } = std::mem::take(&mut streams.usage);
        self.retention.release(stored, pinned);
        streams.by_id.clear();
        streams.by_request.clear();
        streams.finished.clear();
    }

    /// Open the stream for requests that just arrived by POST (one, or those
    /// of a batch), with this POST's response as its live connection; `cut`
    /// closes that connection.
    pub(crate) fn open_request_stream(
        self: &Arc<Self>,
        requests: &[RequestId],
        cut: &CancellationToken,
    ) -> Result<SseBody, OpenError> {
        self.open(requests, None, cut)
    }

    /// Open the stream for one request that just arrived by POST, like
    /// [`open_request_stream`](Self::open_request_stream), for a POST that
    /// answers with JSON when it can: the receiver gets the request's
    /// response if that is the first message for it, and fails if anything
    /// else comes first (the POST then answers with the stream). A POST that
    /// stops waiting closes the receiver: the response is then stored on the
    /// stream like any other message.
    pub(crate) fn open_single_request_stream(
        self: &Arc<Self>,
        request: &RequestId,
        cut: &CancellationToken,
    ) -> Result<(SseBody, oneshot::Receiver<Vec<u8>>), OpenError> {
        let (json_answer, response) = oneshot::channel();
        let body = self.open(std::slice::from_ref(request), Some(json_answer), cut)?;
        Ok((body, response))
    }

    fn open(
        self: &Arc<Self>,
        requests: &[RequestId],
        json_answer: Option<oneshot::Sender<Vec<u8>>>,
        cut: &CancellationToken,
    ) -> Result<SseBody, OpenError> {
        let mut streams = self.streams.lock().expect("streams lock");
        for (index, id) in requests.iter().enumerate() {
            let awaited = streams.by_request.get(id).and_then(|s| streams.by_id.get(s));
            if requests[..index].contains(id) || awaited.is_some_and(|s| s.awaiting.contains(id)) {
                return Err(OpenError::IdInUse(id.clone()));
            }
        }
        let open = streams.by_id.values().filter(|s| !s.awaiting.is_empty()).count();
        if open >= self.config.max_streams_per_session {
            return Err(OpenError::TooMany);
        }
        streams.next_stream += 1;
        let stream_id = streams.next_stream;
        streams.by_id.insert(stream_id, StreamState { json_answer, ..StreamState::new(requests.to_vec()) });
        for id in requests {
            streams.by_request.insert(id.clone(), stream_id);
        }
        let priming = EventId { stream: stream_id, sequence: 0 };
        Ok(self.attach(&mut streams, stream_id, 0, Some(priming), cut))
    }

    /// Open (or reopen) the standalone stream for a GET without
    /// `Last-Event-ID`. `None` if a connection is already attached to it.
    pub(crate) fn open_standalone(self: &Arc<Self>, cut: &CancellationToken) -> Option<SseBody> {
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
        let priming = (stream.last_sequence() == from).then(|| {
            let sequence = stream.next_sequence;
            stream.next_sequence += 1;
            stream.delivered = sequence;
            EventId { stream: stream_id, sequence }
        });
        let from = stream.delivered.max(from);
        Some(self.attach(&mut streams, stream_id, from, priming, cut))
    }

    /// Resume a stream after `Last-Event-ID`: replay what is left after it,
    /// then go on live. `None` for an id that names no stream we still have.
    pub(crate) fn resume(self: &Arc<Self>, after: EventId, cut: &CancellationToken) -> Option<SseBody> {
        let mut streams = self.streams.lock().expect("streams lock");
        let stream = streams.by_id.get(&after.stream)?;
        if after.sequence > stream.last_sequence() {
            return None;
        }
        Some(self.attach(&mut streams, after.stream, after.sequence, None, cut))
    }

    /// The client cancelled request `id` (`notifications/cancelled`, already
    /// passed on to the processor): it will not be answered, so its stream
    /// stops waiting for it, and ends once nothing else is awaited.
    pub(crate) fn cancelled(&self, id: &RequestId) {
        let mut guard = self.streams.lock().expect("streams lock");
        let streams = &mut *guard;
        let Some(&stream_id) = streams.by_request.get(id) else { return };
        let Some(stream) = streams.by_id.get_mut(&stream_id) else { return };
        if !stream.settle(id) {
            return;
        }
        // A POST still waiting to choose answers with its (empty) stream.
        stream.json_answer = None;
        let unpinned = stream.unpin_all();
        streams.usage.pinned -= unpinned;
        self.retention.unpin(unpinned);
        stream.wake.notify_one();
        self.finish(streams, stream_id);
    }

    /// Trim this session's stores by at least `want` bytes if it can, for
    /// the server-wide limit; returns what was freed.
    pub(crate) fn trim(&self, want: usize) -> usize {
        let mut streams = self.streams.lock().expect("streams lock");
        self.evict_from_session(&mut streams, want)
    }

    fn standalone_id(streams: &mut Streams) -> u64 {
        if let Some(id) = streams.standalone {
            return id;
        }
        streams.next_stream += 1;
        let id = streams.next_stream;
        streams.by_id.insert(id, StreamState::new(Vec::new()));
        streams.standalone = Some(id);
        id
    }

    /// Make a new live connection the only one on `stream_id`, starting after
    /// sequence `from`.
    fn attach(
        self: &Arc<Self>,
        streams: &mut Streams,
        stream_id: u64,
        from: u64,
        priming: Option<EventId>,
        cut: &CancellationToken,
    ) -> SseBody {
        streams.next_connection += 1;
        let connection = streams.next_connection;
        let stream = streams.by_id.get_mut(&stream_id).expect("attach to an existing stream");
        // A connection that was attached before is superseded: wake it so it ends.
        stream.wake.notify_one();
        stream.cut = Some(cut.clone());
        stream.connection = connection;
        stream.close_connection = false;
        stream.wake = Arc::new(Notify::new());
        SseBody {
            session: Arc::clone(self),
            stream: stream_id,
            connection,
            cursor: from,
            priming,
            wake: Arc::clone(&stream.wake),
            done: false,
        }
    }

    /// Store an outgoing message on its stream and wake the stream's
    /// connection, cutting that connection off if its reader has fallen too
    /// far behind; then hold the stores to their limits.
    fn store(&self, envelope: Envelope) {
        let mut guard = self.streams.lock().expect("streams lock");
        if self.ended.is_cancelled() {
            return;
        }
        let streams = &mut *guard;
        let Envelope { mut bytes, route, .. } = envelope;
        let related = route.related.as_ref();
        let kind = route.kind;
        let target = related.and_then(|id| streams.by_request.get(id).copied());
        let stream_id = match (target, kind) {
            (Some(id), _) => id,
            // A control message for a stream we do not have concerns nothing.
            (None, MessageKind::CloseStream) => return,
            // An answer to a request whose stream is long gone (it was
            // cancelled, say): nobody wants it, and the standalone stream
            // must never carry responses.
            (None, MessageKind::Response) if related.is_some() => {
                tracing::debug!(session = %self.id, "dropped an answer to a request with no stream left");
                return;
            }
            (None, _) => Self::standalone_id(streams),
        };
        let Some(stream) = streams.by_id.get_mut(&stream_id) else { return };
        // This is the first message for a POST waiting to choose its answer.
        // Its response alone goes to the POST, as JSON; anything else drops
        // `json_answer`, and the POST answers with the stream.
        if let Some(json_answer) = stream.json_answer.take()
            && kind == MessageKind::Response
            && related.is_some_and(|id| stream.awaiting.contains(id))
        {
            match json_answer.send(bytes) {
                // The POST's answer carries no event id, so nobody can
                // resume this stream: it is forgotten at once, not kept
                // among the finished ones.
                Ok(()) => return self.forget(streams, stream_id),
                // The POST stopped waiting (see `HttpConfig::json_answer_wait`) or is
                // gone with its client: the response is stored like any
                // other, for the stream or a resume.
                Err(unsent) => bytes = unsent,
            }
        }
        if kind == MessageKind::CloseStream {
            stream.close_connection = stream.connection != 0;
            stream.wake.notify_one();
            return;
        }
        if stream.connection != 0 && stream.backlog() > self.config.stream_buffer_bytes {
            tracing::debug!(
                session = %self.id,
                stream = stream_id,
                behind = stream.undelivered,
                "cut off a reader that fell too far behind; it may resume"
            );
            stream.cut.take().inspect(CancellationToken::cancel);
            stream.connection = 0;
            stream.wake.notify_one();
        }
        let sequence = stream.next_sequence;
        stream.next_sequence += 1;
        let bytes = message_event(Some(EventId { stream: stream_id, sequence }), &bytes);
        let must_deliver = kind != MessageKind::Notification && !stream.complete;
        let cost = stream.push(sequence, bytes, must_deliver);
        let completed = kind == MessageKind::Response && related.is_some_and(|id| stream.settle(id));
        stream.wake.notify_one();
        streams.usage.stored += cost;
        if must_deliver {
            streams.usage.pinned += cost;
        }
        self.retention.add(cost, must_deliver);
        if completed {
            self.finish(streams, stream_id);
        }
        self.enforce_limits(streams, stream_id);
        drop(guard);
        self.retention.enforce();
    }

    /// A request stream completed: keep it for a late resume, letting go of
    /// the oldest beyond `FINISHED_STREAMS_KEPT`.
    fn finish(&self, streams: &mut Streams, stream_id: u64) {
        streams.finished.push_back(stream_id);
        while streams.finished.len() > FINISHED_STREAMS_KEPT {
            // Old enough that no client resumes it.
            let old = streams.finished.pop_front().expect("non-empty");
            self.forget(streams, old);
        }
    }

    /// Drop a stream and what it stores; a connection still on it finds it
    /// gone and ends.
    fn forget(&self, streams: &mut Streams, stream_id: u64) {
        let Some(stream) = streams.by_id.remove(&stream_id) else { return };
        let (stored, pinned) = (stream.stored, stream.pinned());
        streams.usage.stored -= stored;
        streams.usage.pinned -= pinned;
        self.retention.release(stored, pinned);
        for id in &stream.requests {
            // A later stream may have taken the id over.
            if streams.by_request.get(id) == Some(&stream_id) {
                streams.by_request.remove(id);
            }
        }
    }

    /// Hold `stream_id`'s store to its limit, then the session's stores to theirs.
    fn enforce_limits(&self, streams: &mut Streams, stream_id: u64) {
        if let Some(stream) = streams.by_id.get_mut(&stream_id) {
            let over = stream.stored.saturating_sub(self.config.max_replay_bytes_per_stream);
            if over > 0 {
                let freed = stream.evict(over, &self.sender);
                streams.usage.stored -= freed;
                self.retention.release(freed, 0);
            }
        }
        let limit = self.config.max_replay_bytes_per_session;
        let over = streams.usage.stored.saturating_sub(limit);
        if over > 0 && streams.usage.stored > streams.usage.pinned {
            // An eighth more than needed, so a session at its limit evicts
            // once in a while, not on every event.
            self.evict_from_session(streams, over + limit / 8);
        }
    }

    /// Free at least `want` bytes across the session's streams if possible:
    /// complete streams first, oldest first, then the others, oldest first.
    fn evict_from_session(&self, streams: &mut Streams, want: usize) -> usize {
        let mut order: Vec<u64> = streams.finished.iter().copied().collect();
        let mut others: Vec<u64> = streams.by_id.keys().filter(|id| !streams.finished.contains(id)).copied().collect();
        others.sort_unstable();
        order.extend(others);
        let mut freed = 0;
        for stream_id in order {
            if freed >= want {
                break;
            }
            if let Some(stream) = streams.by_id.get_mut(&stream_id) {
                freed += stream.evict(want - freed, &self.sender);
            }
        }
        streams.usage.stored -= freed;
        self.retention.release(freed, 0);
        freed
    }
}

/// The session's router: drains the outgoing queue onto streams until the
/// session ends, or its processor goes away (having closed its sender or
/// dropped `incoming`). It never waits for a connection: storing is all it
/// does. At shutdown the processor winds down first and its last answers
/// are delivered; the session then ends within `SHUTDOWN_DEADLINE` of being
/// asked to wind down, however slowly its clients read.
async fn route(session: Arc<HttpSession>, mut outgoing: OutgoingReceiver) {
    let deadline = async {
        session.stop.cancelled().await;
        tokio::time::sleep(SHUTDOWN_DEADLINE).await;
    };
    tokio::select! {
        biased;
        () = session.ended.cancelled() => {}
        () = store_all(&session, &mut outgoing) => {}
        () = deadline => {}
    }
    session.end();
}

/// Store what the processor sends until it is gone. If it went because the
/// session is winding down, let every live connection deliver what its
/// stream holds, then wait for the last one to finish.
async fn store_all(session: &HttpSession, outgoing: &mut OutgoingReceiver) {
    // Made once: a new one per message would register a waiter each time.
    let processor_gone = session.incoming.closed();
    tokio::pin!(processor_gone);
    loop {
        // What is queued goes before the processor's leaving is noticed:
        // its last answers are what a winding-down session is for.
        let envelope = tokio::select! {
            biased;
            envelope = outgoing.recv() => envelope,
            () = &mut processor_gone => None,
        };
        let Some(envelope) = envelope else { break };
        session.store(envelope);
    }
    if session.stop.is_cancelled() {
        session.seal();
        session.connections_detached().await;
    }
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
    /// Sent first: the id of a new stream's priming event. Framed only when
    /// sent, as a POST answered with JSON never sends it.
    priming: Option<EventId>,
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
        if let Some(priming) = self.priming.take() {
            return Step::Send(priming_event(priming, self.session.config.sse_retry));
        }
        let session = &self.session;
        let mut guard = session.streams.lock().expect("streams lock");
        let streams = &mut *guard;
        let Some(stream) = streams.by_id.get_mut(&self.stream) else { return Step::End };
        if stream.connection != self.connection {
            return Step::End;
        }
        if let Some(Taken { bytes, last, unpinned }) = stream.take_after(self.cursor) {
            self.cursor = last;
            streams.usage.pinned -= unpinned;
            session.retention.unpin(unpinned);
            // What was just delivered is kept only for a resume now, within
            // the limits like the rest.
            if unpinned > 0 {
                session.enforce_limits(streams, self.stream);
                drop(guard);
                session.retention.enforce();
            }
            return Step::Send(bytes);
        }
        if stream.close_connection {
            stream.close_connection = false;
            return Step::SendAndEnd(retry_field(session.config.sse_retry));
        }
        // Nothing after the cursor, and nothing more will come.
        if stream.complete {
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
                    // A wake-up between `step` and here is stored as a permit.
                    Step::Wait => {
                        let keep_alive = body.session.config.sse_keep_alive;
                        if keep_alive.is_zero() {
                            wake.notified().await;
                        } else if tokio::time::timeout(keep_alive, wake.notified()).await.is_err() {
                            return Some((Ok(Frame::data(Bytes::from_static(KEEP_ALIVE))), body));
                        }
                    }
                }
            }
        })
    }
}

impl Drop for SseBody {
    /// The connection is gone (done, superseded, cut off, or the client hung
    /// up): detach it so a resume can attach.
    fn drop(&mut self) {
        let mut streams = self.session.streams.lock().expect("streams lock");
        if let Some(stream) = streams.by_id.get_mut(&self.stream)
            && stream.connection == self.connection
        {
            stream.connection = 0;
            stream.cut = None;
            self.session.detached.notify_waiters();
        }
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

    fn start(config: HttpConfig) -> (Arc<HttpSession>, SessionHandle) {
        let retention = Retention::new(config.max_replay_bytes);
        HttpSession::start("test".into(), Arc::new(config), retention)
    }

    fn session() -> (Arc<HttpSession>, SessionHandle) {
        start(HttpConfig::default())
    }

    fn id(n: i64) -> RequestId {
        RequestId::Number(n)
    }

    /// A connection's off switch, for tests that do not watch it.
    fn cut() -> CancellationToken {
        CancellationToken::new()
    }

    /// The next SSE chunk a connection delivers, as text.
    async fn next_chunk(
        body: &mut (impl futures_util::Stream<Item = Result<Frame<Bytes>, Infallible>> + Unpin),
    ) -> Option<String> {
        let frame = tokio::time::timeout(Duration::from_secs(5), body.next()).await.expect("a chunk in time")?;
        let data = frame.unwrap().into_data().expect("a data frame");
        Some(String::from_utf8(data.to_vec()).unwrap())
    }

    /// Everything a connection delivers until it ends.
    async fn all_chunks(body: SseBody) -> String {
        let mut body = Box::pin(body.into_stream());
        let mut text = String::new();
        while let Some(chunk) = next_chunk(&mut body).await {
            text.push_str(&chunk);
        }
        text
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

    fn log(n: u64, related: Option<i64>) -> (OutgoingMessage, Option<RequestId>) {
        let params =
            LoggingMessageNotificationParams { level: LoggingLevel::Info, logger: None, data: json!(n), meta: None };
        (OutgoingMessage::ServerNotification(ServerNotification::LoggingMessage(params)), related.map(id))
    }

    async fn notify(handle: &SessionHandle, n: u64, related: Option<i64>) {
        let (message, related) = log(n, related);
        handle.sender.notify(message, related).await.unwrap();
    }

    fn usage(session: &HttpSession) -> Usage {
        session.streams.lock().unwrap().usage
    }

    #[tokio::test]
    async fn a_request_stream_carries_its_own_messages_then_its_response_then_ends() {
        let (session, handle) = session();
        let mut body = Box::pin(session.open_request_stream(&[id(1)], &cut()).unwrap().into_stream());
        assert!(next_chunk(&mut body).await.unwrap().starts_with("id: 1:0\nretry: 1000\ndata: \n\n"));
        notify(&handle, 7, Some(1)).await;
        notify(&handle, 8, None).await;
        handle.sender.send_response(id(1), &json!({}));
        let mut text = String::new();
        while let Some(chunk) = next_chunk(&mut body).await {
            text.push_str(&chunk);
        }
        assert!(text.contains("id: 1:1\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\""), "{text}");
        assert!(text.contains("\"data\":7"), "{text}");
        assert!(!text.contains("\"data\":8"), "an unrelated message goes to the standalone stream: {text}");
        assert!(text.contains("\"id\":1,\"result\":{}"), "{text}");
    }

    #[tokio::test]
    async fn a_single_request_whose_response_comes_first_gets_it_as_json_and_nothing_is_stored() {
        let (session, handle) = session();
        let (body, response) = session.open_single_request_stream(&id(1), &cut()).unwrap();
        handle.sender.send_response(id(1), &json!({}));
        let json = tokio::time::timeout(Duration::from_secs(5), response).await.expect("in time").unwrap();
        assert_eq!(json, br#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
        drop(body);
        assert_eq!(usage(&session), Usage::default(), "nothing kept for a resume");
        assert!(session.streams.lock().unwrap().by_id.is_empty(), "the stream is forgotten, not kept as finished");
        assert!(session.resume(EventId { stream: 1, sequence: 0 }, &cut()).is_none(), "no event id was ever sent");
        let _next = session.open_single_request_stream(&id(1), &cut()).expect("the id is free again");
    }

    #[tokio::test]
    async fn a_single_request_with_anything_else_first_gets_its_stream() {
        let (session, handle) = session();
        let (body, response) = session.open_single_request_stream(&id(1), &cut()).unwrap();
        notify(&handle, 7, Some(1)).await;
        handle.sender.send_response(id(1), &json!({}));
        assert!(response.await.is_err(), "a notification came first");
        let text = all_chunks(body).await;
        assert!(text.starts_with("id: 1:0\nretry: 1000\ndata: \n\n"), "primed: {text}");
        assert!(text.contains("id: 1:1\n") && text.contains("\"data\":7"), "{text}");
        assert!(text.contains("id: 1:2\n") && text.contains("\"id\":1,\"result\":{}"), "{text}");

        // A cancellation ends the stream before anything was sent.
        let (body, response) = session.open_single_request_stream(&id(2), &cut()).unwrap();
        session.cancelled(&id(2));
        assert!(response.await.is_err());
        assert!(all_chunks(body).await.starts_with("id: 2:0\n"), "primed, then ended");
    }

    #[tokio::test]
    async fn a_response_whose_post_went_away_is_stored_for_a_resume() {
        let (session, handle) = session();
        let (body, response) = session.open_single_request_stream(&id(1), &cut()).unwrap();
        drop((body, response));
        handle.sender.send_response(id(1), &json!("kept"));
        settle(&handle).await;
        let text = all_chunks(session.resume(EventId { stream: 1, sequence: 0 }, &cut()).unwrap()).await;
        assert!(text.contains("id: 1:1\n") && text.contains("\"result\":\"kept\""), "{text}");
    }

    #[tokio::test]
    async fn resuming_replays_that_stream_only_from_after_the_given_event() {
        let (session, handle) = session();
        let first = session.open_request_stream(&[id(1)], &cut()).unwrap();
        let second = session.open_request_stream(&[id(2)], &cut()).unwrap();
        // Both connections drop at once: nothing has been delivered.
        drop((first, second));
        for n in 0..3 {
            notify(&handle, n, Some(1)).await;
        }
        notify(&handle, 99, Some(2)).await;
        handle.sender.send_response(id(1), &json!("done"));
        settle(&handle).await;
        let text = all_chunks(session.resume(EventId { stream: 1, sequence: 1 }, &cut()).unwrap()).await;
        assert!(!text.contains("id: 1:1\n"), "event 1:1 was already seen: {text}");
        assert!(
            text.contains("id: 1:2\n") && text.contains("id: 1:3\n") && text.contains("\"result\":\"done\""),
            "{text}"
        );
        assert!(!text.contains("\"data\":99"), "another stream's events are never replayed: {text}");
        assert!(session.resume(EventId { stream: 7, sequence: 0 }, &cut()).is_none(), "no such stream");
    }

    #[tokio::test]
    async fn a_full_store_evicts_undelivered_notifications_but_never_the_response() {
        // Room for about four small events.
        let (session, handle) = start(HttpConfig { max_replay_bytes_per_stream: 4 * 200, ..HttpConfig::default() });
        drop(session.open_request_stream(&[id(1)], &cut()).unwrap());
        for n in 0..10 {
            notify(&handle, n, Some(1)).await;
        }
        handle.sender.send_response(id(1), &json!("kept"));
        settle(&handle).await;
        let text = all_chunks(session.resume(EventId { stream: 1, sequence: 0 }, &cut()).unwrap()).await;
        assert!(text.contains("\"result\":\"kept\""), "{text}");
        let kept = text.matches("notifications/message").count();
        assert!((1..4).contains(&kept), "only the newest fit: {text}");
        assert!(text.contains("\"data\":9") && !text.contains("\"data\":0"), "{text}");
        assert_eq!(handle.sender.stats().dropped_notifications, 10 - kept as u64, "undelivered evictions are counted");
    }

    #[tokio::test]
    async fn delivered_events_are_evicted_first_and_an_oversized_response_once_delivered() {
        let config = HttpConfig { max_replay_bytes_per_stream: 1024, ..HttpConfig::default() };
        let (session, handle) = start(config);
        let mut body = Box::pin(session.open_request_stream(&[id(1)], &cut()).unwrap().into_stream());
        next_chunk(&mut body).await.expect("the priming event");
        notify(&handle, 1, Some(1)).await;
        assert!(next_chunk(&mut body).await.unwrap().contains("\"data\":1"));
        // Larger than the stream's whole limit: kept until delivered, then let go.
        let large = "x".repeat(4096);
        handle.sender.send_response(id(1), &json!(large));
        settle(&handle).await;
        assert!(usage(&session).pinned > 4096, "an undelivered response is never evicted");
        assert!(next_chunk(&mut body).await.unwrap().contains(&large));
        assert_eq!(next_chunk(&mut body).await, None, "the stream is complete");
        assert_eq!(usage(&session), Usage::default(), "delivered and over the limit: nothing is kept");
        assert_eq!(handle.sender.stats().dropped_notifications, 0, "nothing undelivered was lost");
    }

    #[tokio::test]
    async fn a_session_over_its_limit_lets_finished_streams_go_first() {
        let config = HttpConfig { max_replay_bytes_per_session: 3000, ..HttpConfig::default() };
        let (session, handle) = start(config);
        let text = "y".repeat(1000);
        for n in 1..=2 {
            let body = session.open_request_stream(&[id(n)], &cut()).unwrap();
            handle.sender.send_response(id(n), &json!(text));
            all_chunks(body).await;
        }
        // A live stream, with an undelivered notification it must keep.
        drop(session.open_request_stream(&[id(3)], &cut()).unwrap());
        notify(&handle, 3, Some(3)).await;
        handle.sender.send_response(id(3), &json!(text));
        settle(&handle).await;
        assert!(usage(&session).stored <= 3000, "{:?}", usage(&session));
        let replay = all_chunks(session.resume(EventId { stream: 3, sequence: 0 }, &cut()).unwrap()).await;
        assert!(replay.contains("\"data\":3") && replay.contains(&text), "the newest stream is whole: {replay}");
        let first = all_chunks(session.resume(EventId { stream: 1, sequence: 0 }, &cut()).unwrap()).await;
        assert!(!first.contains(&text), "the oldest finished stream went first: {first}");
    }

    #[tokio::test]
    async fn the_server_wide_limit_trims_the_least_recently_active_session() {
        let config = Arc::new(HttpConfig::default());
        let retention = Retention::new(6000);
        let (idle, idle_handle) = HttpSession::start("idle".into(), Arc::clone(&config), Arc::clone(&retention));
        let (busy, busy_handle) = HttpSession::start("busy".into(), config, Arc::clone(&retention));
        let text = "z".repeat(2000);
        let answer = |session: Arc<HttpSession>, handle: &SessionHandle, n: i64| {
            let body = session.open_request_stream(&[id(n)], &cut()).unwrap();
            handle.sender.send_response(id(n), &json!(text));
            all_chunks(body)
        };
        answer(Arc::clone(&idle), &idle_handle, 1).await;
        answer(Arc::clone(&idle), &idle_handle, 2).await;
        busy.touch();
        for n in 1..=3 {
            answer(Arc::clone(&busy), &busy_handle, n).await;
        }
        let (stored, pinned) = retention.usage();
        assert!(stored <= 6000 && pinned == 0, "{stored} bytes stored in all");
        assert!(usage(&idle).stored < 2000, "the idle session was trimmed: {:?}", usage(&idle));
        assert!(usage(&busy).stored >= 4000, "the active one kept its newest: {:?}", usage(&busy));
        idle.end();
        busy.end();
        assert_eq!(retention.usage(), (0, 0), "ended sessions hold nothing");
    }

    #[tokio::test]
    async fn a_reader_far_behind_is_cut_off_and_may_resume_where_it_left_off() {
        let config = HttpConfig { stream_buffer_bytes: 1000, ..HttpConfig::default() };
        let (session, handle) = start(config);
        let connection = cut();
        let mut body = Box::pin(session.open_request_stream(&[id(1)], &connection).unwrap().into_stream());
        next_chunk(&mut body).await.expect("the priming event");
        notify(&handle, 0, Some(1)).await;
        let first = next_chunk(&mut body).await.unwrap();
        assert!(first.starts_with("event: message\nid: 1:1\n"), "{first}");
        // The reader stops; events pile up until one arrives with more than
        // the buffer waiting.
        for n in 1..20 {
            notify(&handle, n, Some(1)).await;
        }
        settle(&handle).await;
        assert!(connection.is_cancelled(), "the connection was cut off");
        assert_eq!(next_chunk(&mut body).await, None, "and delivers nothing more");
        drop(body);
        handle.sender.send_response(id(1), &json!("done"));
        settle(&handle).await;
        let replay = all_chunks(session.resume(EventId { stream: 1, sequence: 1 }, &cut()).unwrap()).await;
        assert!(replay.starts_with("event: message\nid: 1:2\n"), "{replay}");
        assert_eq!(replay.matches("notifications/message").count(), 19, "{replay}");
        assert!(replay.ends_with("\"result\":\"done\"}\n\n"), "{replay}");
    }

    #[tokio::test]
    async fn one_large_event_not_taken_yet_is_no_backlog() {
        let config = HttpConfig { stream_buffer_bytes: 1000, ..HttpConfig::default() };
        let (session, handle) = start(config);
        let connection = cut();
        let mut body = Box::pin(session.open_request_stream(&[id(1)], &connection).unwrap().into_stream());
        next_chunk(&mut body).await.expect("the priming event");
        let (large, related) = log(0, Some(1));
        let large = match large {
            OutgoingMessage::ServerNotification(ServerNotification::LoggingMessage(mut params)) => {
                params.data = json!("w".repeat(5000));
                OutgoingMessage::ServerNotification(ServerNotification::LoggingMessage(params))
            }
            other => other,
        };
        handle.sender.notify(large, related).await.unwrap();
        notify(&handle, 1, Some(1)).await;
        settle(&handle).await;
        assert!(!connection.is_cancelled(), "a reader that has not been polled yet is not behind");
        let text = next_chunk(&mut body).await.unwrap();
        assert!(text.contains(&"w".repeat(5000)) && text.contains("\"data\":1"), "{text}");
    }

    #[tokio::test]
    async fn a_stream_nobody_reads_never_holds_up_another() {
        let (session, handle) = session();
        // Attached, never read: a POST whose answer nobody reads.
        let stalled_connection = cut();
        let _stalled = session.open_request_stream(&[id(1)], &stalled_connection).unwrap();
        let mut other = Box::pin(session.open_request_stream(&[id(2)], &cut()).unwrap().into_stream());
        next_chunk(&mut other).await.expect("the priming event");
        for n in 0..40_000 {
            notify(&handle, n, Some(1)).await;
        }
        handle.sender.send_response(id(2), &json!("through"));
        assert!(next_chunk(&mut other).await.unwrap().contains("\"result\":\"through\""));
        assert!(stalled_connection.is_cancelled(), "the stalled reader was cut off");
        let stored = session.streams.lock().unwrap().by_id[&1].stored;
        assert!(stored <= HttpConfig::default().max_replay_bytes_per_stream, "{stored} bytes kept");
        assert!(handle.sender.stats().dropped_notifications > 0, "the rest was dropped, and counted");
    }

    #[tokio::test]
    async fn a_cancelled_request_ends_its_stream_which_stops_counting() {
        let config = HttpConfig { max_streams_per_session: 1, ..HttpConfig::default() };
        let (session, handle) = start(config);
        let mut body = Box::pin(session.open_request_stream(&[id(1)], &cut()).unwrap().into_stream());
        next_chunk(&mut body).await.expect("the priming event");
        notify(&handle, 1, Some(1)).await;
        settle(&handle).await;
        session.cancelled(&id(1));
        assert!(next_chunk(&mut body).await.unwrap().contains("\"data\":1"), "what was stored is still delivered");
        assert_eq!(next_chunk(&mut body).await, None, "then the stream ends");
        let _next = session.open_request_stream(&[id(2)], &cut()).expect("a cancelled stream does not count");
        // An answer that was already on its way goes nowhere.
        handle.sender.send_response(id(1), &json!("late"));
        settle(&handle).await;
    }

    #[tokio::test]
    async fn a_batch_stream_ends_once_every_request_is_answered_or_cancelled() {
        let (session, handle) = session();
        let ids = [id(1), id(2), id(3)];
        let body = session.open_request_stream(&ids, &cut()).unwrap();
        assert_eq!(session.open_request_stream(&[id(2)], &cut()).err(), Some(OpenError::IdInUse(id(2))));
        handle.sender.send_response(id(2), &json!("two"));
        session.cancelled(&id(3));
        handle.sender.send_response(id(1), &json!("one"));
        let text = all_chunks(body).await;
        assert!(text.contains("\"id\":2,\"result\":\"two\"") && text.contains("\"id\":1,\"result\":\"one\""), "{text}");
        let duplicate = session.open_request_stream(&[id(4), id(4)], &cut());
        assert_eq!(duplicate.err(), Some(OpenError::IdInUse(id(4))));
    }

    #[tokio::test]
    async fn closing_a_stream_ends_its_connection_with_a_retry_but_keeps_the_stream() {
        let (session, handle) = session();
        let mut body = Box::pin(session.open_request_stream(&[id(5)], &cut()).unwrap().into_stream());
        next_chunk(&mut body).await.expect("the priming event");
        handle.sender.close_stream(id(5));
        assert_eq!(next_chunk(&mut body).await.as_deref(), Some("retry: 1000\n\n"));
        assert_eq!(next_chunk(&mut body).await, None, "the connection ends");
        handle.sender.send_response(id(5), &json!("after"));
        settle(&handle).await;
        let mut resumed = Box::pin(session.resume(EventId { stream: 1, sequence: 0 }, &cut()).unwrap().into_stream());
        let replay = next_chunk(&mut resumed).await.unwrap();
        assert!(replay.contains("\"id\":5,\"result\":\"after\""), "{replay}");
    }

    #[tokio::test]
    async fn a_request_id_in_use_and_too_many_streams_are_refused() {
        let (session, _handle) = start(HttpConfig { max_streams_per_session: 2, ..HttpConfig::default() });
        let _one = session.open_request_stream(&[id(1)], &cut()).unwrap();
        assert_eq!(session.open_request_stream(&[id(1)], &cut()).err(), Some(OpenError::IdInUse(id(1))));
        let _two = session.open_request_stream(&[id(2)], &cut()).unwrap();
        assert_eq!(session.open_request_stream(&[id(3)], &cut()).err(), Some(OpenError::TooMany));
    }

    #[tokio::test]
    async fn a_reopened_standalone_stream_primes_with_a_fresh_event_id() {
        let (session, _handle) = session();
        let mut first = Box::pin(session.open_standalone(&cut()).unwrap().into_stream());
        let first_priming = next_chunk(&mut first).await.unwrap();
        drop(first);
        let mut second = Box::pin(session.open_standalone(&cut()).unwrap().into_stream());
        let second_priming = next_chunk(&mut second).await.unwrap();
        let id = |text: &str| text.lines().next().unwrap().to_owned();
        assert_ne!(id(&first_priming), id(&second_priming), "event ids are unique in a session");
    }

    #[tokio::test(start_paused = true)]
    async fn a_quiet_stream_gets_a_comment_each_keep_alive_interval_and_its_messages_as_they_come() {
        let keep_alive = Duration::from_secs(2);
        let (session, handle) = start(HttpConfig { sse_keep_alive: keep_alive, ..HttpConfig::default() });
        let mut body = Box::pin(session.open_standalone(&cut()).unwrap().into_stream());
        assert!(next_chunk(&mut body).await.unwrap().starts_with("id: "), "the priming event first");
        for _ in 0..2 {
            let quiet_since = tokio::time::Instant::now();
            assert_eq!(next_chunk(&mut body).await.unwrap().as_bytes(), KEEP_ALIVE);
            assert_eq!(quiet_since.elapsed(), keep_alive, "only after the stream was quiet that long");
        }
        notify(&handle, 7, None).await;
        assert!(next_chunk(&mut body).await.unwrap().contains("\"data\":7"), "a message still comes at once");
    }

    #[tokio::test]
    async fn the_standalone_stream_takes_one_connection_and_gets_what_had_nowhere_to_go() {
        let (session, handle) = session();
        notify(&handle, 42, None).await;
        let mut body = Box::pin(session.open_standalone(&cut()).unwrap().into_stream());
        assert!(session.open_standalone(&cut()).is_none(), "a second GET stream is refused");
        let mut text = next_chunk(&mut body).await.unwrap();
        if !text.contains("\"data\":42") {
            text.push_str(&next_chunk(&mut body).await.unwrap());
        }
        assert!(text.contains("\"data\":42"), "{text}");
    }
}
