//! The outgoing queue between every producer and the writer, and its
//! back-pressure policy.
//!
//! One FIFO carries every message, so the messages of one request (progress,
//! logs, then its response) reach the peer in the order they were sent.
//! Responses, errors and requests never wait and are never dropped: a lost one
//! would leave a waiter hanging, and the processor that sends some of them must
//! never block. Notifications are charged against a byte budget: an async sender
//! waits for room, so a handler that floods slows to the peer's reading speed;
//! a `try_` sender that cannot wait coalesces (latest progress per token, one
//! list-changed per list) or drops, counting every drop and warning at a limited
//! rate. A peer that keeps sending requests but never reads would still grow the
//! queue, so above a hard ceiling the connection is closed instead.
//!
//! The ceiling counts what a queued message really holds, not only its JSON:
//! the allocation behind the bytes (serde writes into a buffer of at least 128
//! bytes, so a 36-byte answer holds 128), the channel slot its envelope sits
//! in, the allocator's own bookkeeping, and the route's id. Counting the JSON
//! alone let a flood of tiny answers hold six times the ceiling.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use mcpwire_protocol::{ErrorCode, RequestId};
use tokio::sync::{Semaphore, TryAcquireError, mpsc};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::message::CoalesceKey;
use crate::pending::PendingRequests;

/// At most one "dropped notifications" warning per this interval, so a flood
/// is visible in the logs without becoming one.
const DROP_WARNING_INTERVAL: Duration = Duration::from_secs(1);

/// What the allocator adds to every heap allocation, on average: glibc's
/// malloc keeps an 8-byte header per chunk and rounds each chunk up to 16
/// bytes, and other allocators are in the same range.
const ALLOCATION_OVERHEAD: usize = 16;

/// What one queued message costs beyond its bytes' allocation: the channel
/// slot its item occupies (the channel stores items in blocks of slots, each
/// the size of an `Item`), and the allocator's bookkeeping for the bytes.
const MESSAGE_OVERHEAD: usize = std::mem::size_of::<Item>() + ALLOCATION_OVERHEAD;

/// Where a message belongs, for transports that keep one stream per request
/// (Streamable HTTP); stdio needs only to skip control envelopes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Route {
    /// The peer's request this message belongs to: its response, or the
    /// progress, logs and requests its handler sent. `None` for the rest.
    pub related: Option<RequestId>,
    /// What the envelope carries.
    pub kind: MessageKind,
}

/// What an envelope carries, as far as routing cares.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum MessageKind {
    /// A notification: the only kind a transport may drop under pressure.
    #[default]
    Notification,
    /// A request to the peer; must be delivered.
    Request,
    /// An answer to the peer's request `related` (or to nothing known, when
    /// `related` is `None`); its request's stream is complete after it.
    Response,
    /// No message: the transport should close the connection carrying
    /// `related`'s stream now, keeping the stream resumable (SEP-1699).
    CloseStream,
}

/// One serialised message leaving the queue. Its bytes are paid back to the
/// budget as the receiver hands it out: the writer is about to copy them.
#[derive(Debug)]
pub struct Envelope {
    /// What this envelope counts for against the ceiling: see [`footprint`].
    footprint: usize,
    /// Compact JSON, without the line ending.
    pub bytes: Vec<u8>,
    /// Where the message belongs.
    pub route: Route,
    /// The code of an error response, so that a transport answering over
    /// HTTP picks its status without reading the message again.
    pub error: Option<ErrorCode>,
    /// Budget permits this message holds until it is handed out.
    budget: u32,
}

/// The memory a queued message holds, as the ceiling counts it: the capacity
/// of its bytes' allocation (not their length: a buffer grown by doubling may
/// be twice as large), its id's own allocation when the id is a string, and
/// the fixed overhead of an item in the queue.
fn footprint(len: usize, capacity: usize, route: &Route) -> usize {
    let id = match &route.related {
        Some(RequestId::String(id)) if id.capacity() > 0 => id.capacity() + ALLOCATION_OVERHEAD,
        _ => 0,
    };
    capacity.max(len) + id + MESSAGE_OVERHEAD
}

enum Item {
    Message(Envelope),
    /// Coalesced notifications are waiting in `Shared::parked`; sent once per
    /// batch, so they keep their place in the FIFO relative to what follows.
    FlushParked,
    /// Graceful close: write everything before this, then stop.
    Close,
}

/// The outcome of a notification that could not wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrySend {
    /// Queued.
    Sent,
    /// Parked in place of an older notification with the same meaning; the
    /// latest one will be sent when there is room.
    Coalesced,
    /// Dropped and counted: the peer is reading too slowly.
    Dropped,
    /// The connection is closed.
    Closed,
}

/// The connection is closed; the message was not queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Closed;

/// State shared by every producer and the writer of one connection.
#[derive(Debug)]
pub(crate) struct Shared {
    /// Requests we sent and are waiting for, and the counter their ids come
    /// from; lives here so that whoever ends the connection (a graceful close,
    /// or the writer failing) resolves them, through
    /// [`fail_pending`](Self::fail_pending).
    pending: Mutex<PendingRequests>,
    /// Footprint of the notifications that may be queued; one permit per byte.
    budget: Semaphore,
    budget_bytes: u32,
    /// Memory held by queued messages of every kind now, and the most ever,
    /// counted as [`footprint`] counts it.
    queued_bytes: AtomicUsize,
    peak_queued_bytes: AtomicUsize,
    /// Above this the peer is not reading at all; the connection is closed.
    max_queued_bytes: usize,
    parked: Mutex<HashMap<CoalesceKey, (Vec<u8>, Route)>>,
    has_parked: AtomicBool,
    pub(crate) unknown_responses: AtomicU64,
    coalesced: AtomicU64,
    drops: DropLog,
    /// Cancelled when the connection ends, however it ends.
    closed: CancellationToken,
}

impl Shared {
    pub(crate) fn new(budget_bytes: usize, max_queued_bytes: usize) -> Self {
        let budget_bytes = u32::try_from(budget_bytes.max(1)).unwrap_or(u32::MAX);
        Self {
            pending: Mutex::default(),
            budget: Semaphore::new(budget_bytes as usize),
            budget_bytes,
            queued_bytes: AtomicUsize::new(0),
            peak_queued_bytes: AtomicUsize::new(0),
            max_queued_bytes,
            parked: Mutex::default(),
            has_parked: AtomicBool::new(false),
            unknown_responses: AtomicU64::new(0),
            coalesced: AtomicU64::new(0),
            drops: DropLog::default(),
            closed: CancellationToken::new(),
        }
    }

    /// End the connection: every waiter resolves, every producer waiting for
    /// room wakes, and no new message is queued. Idempotent.
    pub(crate) fn shut_down(&self) {
        self.closed.cancel();
        self.budget.close();
        self.fail_pending("the connection closed");
    }

    /// The pending map, to register, complete or withdraw a request.
    pub(crate) fn pending(&self) -> MutexGuard<'_, PendingRequests> {
        self.pending.lock().expect("pending map lock")
    }

    /// No answer to our requests can arrive any more: every waiter resolves
    /// with "connection closed" now, and later requests fail at once.
    ///
    /// The one way the pending map is failed. Two events lead here: the
    /// connection ending ([`shut_down`](Self::shut_down)), and the peer
    /// closing only its side (the reader at end of input), after which what
    /// we still have to say is written but nothing can be answered. `why` is
    /// for the log. Idempotent.
    pub(crate) fn fail_pending(&self, why: &'static str) {
        let failed = self.pending().fail_all();
        if failed > 0 {
            tracing::debug!(failed, "{why} with our requests outstanding");
        }
    }

    /// Pay back what a message held: its share of the queued bytes and its
    /// notification budget.
    fn release(&self, bytes: usize, budget: u32) {
        self.queued_bytes.fetch_sub(bytes, Ordering::Relaxed);
        if budget > 0 {
            self.budget.add_permits(budget as usize);
        }
    }

    /// Count a notification a transport had to drop after it left the queue
    /// (an HTTP stream evicting what no connection took).
    #[cfg(feature = "http")]
    pub(crate) fn record_drop(&self) {
        self.drops.record();
    }

    pub(crate) fn closed_token(&self) -> &CancellationToken {
        &self.closed
    }

    pub(crate) fn stats(&self) -> QueueStats {
        QueueStats {
            queued_bytes: self.queued_bytes.load(Ordering::Relaxed),
            peak_queued_bytes: self.peak_queued_bytes.load(Ordering::Relaxed),
            dropped_notifications: self.drops.total.load(Ordering::Relaxed),
            coalesced_notifications: self.coalesced.load(Ordering::Relaxed),
        }
    }
}

/// Queue figures, for tests, benchmarks and logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QueueStats {
    pub(crate) queued_bytes: usize,
    pub(crate) peak_queued_bytes: usize,
    pub(crate) dropped_notifications: u64,
    pub(crate) coalesced_notifications: u64,
}

/// The producer side: every sender of one connection pushes through this.
#[derive(Debug)]
pub(crate) struct OutgoingQueue {
    tx: mpsc::UnboundedSender<Item>,
    pub(crate) shared: Arc<Shared>,
}

impl std::fmt::Debug for Item {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Message(envelope) => f.debug_tuple("Message").field(&envelope.bytes.len()).finish(),
            Self::FlushParked => f.write_str("FlushParked"),
            Self::Close => f.write_str("Close"),
        }
    }
}

/// Create the queue of one connection: the producer side and the writer side.
pub(crate) fn queue(shared: Shared) -> (OutgoingQueue, OutgoingReceiver) {
    // Unbounded by design: the bound is the byte accounting in `Shared`, which
    // unlike a message count knows how big each message is, and which lets
    // responses bypass the notification budget without blocking anyone.
    let (tx, rx) = mpsc::unbounded_channel();
    let shared = Arc::new(shared);
    (
        OutgoingQueue { tx, shared: Arc::clone(&shared) },
        OutgoingReceiver { rx, shared, parked: Vec::new(), done: false },
    )
}

impl OutgoingQueue {
    /// Queue a message that must not wait and must not be lost: a response, an
    /// error, a request, a cancellation.
    pub(crate) fn push(&self, bytes: Vec<u8>, route: Route) -> Result<(), Closed> {
        self.enqueue(bytes, route, None, 0)
    }

    /// Queue an answer to the peer's request, like [`push`](Self::push),
    /// with its error code when it is an error.
    pub(crate) fn push_answer(&self, bytes: Vec<u8>, route: Route, error: Option<ErrorCode>) -> Result<(), Closed> {
        self.enqueue(bytes, route, error, 0)
    }

    /// Queue a notification, waiting for room in the budget first.
    pub(crate) async fn push_notification(&self, bytes: Vec<u8>, route: Route) -> Result<(), Closed> {
        let cost = self.cost(&bytes, bytes.capacity(), &route);
        let permit = self.shared.budget.acquire_many(cost).await.map_err(|_| Closed)?;
        permit.forget();
        self.enqueue(bytes, route, None, cost)
    }

    /// Queue a notification if there is room; otherwise coalesce it (when
    /// `key` says a newer one replaces older ones) or drop it.
    pub(crate) fn try_push_notification(&self, bytes: Vec<u8>, route: Route, key: Option<CoalesceKey>) -> TrySend {
        let cost = self.cost(&bytes, bytes.capacity(), &route);
        match self.shared.budget.try_acquire_many(cost) {
            Ok(permit) => {
                permit.forget();
                match self.enqueue(bytes, route, None, cost) {
                    Ok(()) => TrySend::Sent,
                    Err(Closed) => TrySend::Closed,
                }
            }
            Err(TryAcquireError::Closed) => TrySend::Closed,
            Err(TryAcquireError::NoPermits) => match key {
                Some(key) => self.park(key, bytes, route),
                None => {
                    self.shared.drops.record();
                    TrySend::Dropped
                }
            },
        }
    }

    /// Begin a graceful close: what is queued is still written, nothing new is.
    pub(crate) fn close(&self) {
        let _ = self.tx.send(Item::Close);
        self.shared.shut_down();
    }

    /// A notification is charged what it holds while queued (its
    /// [`footprint`], as the ceiling counts it), but never more than the whole
    /// budget: one oversized notification must wait for an empty queue, not forever.
    fn cost(&self, bytes: &[u8], capacity: usize, route: &Route) -> u32 {
        let footprint = footprint(bytes.len(), capacity, route);
        u32::try_from(footprint).unwrap_or(u32::MAX).clamp(1, self.shared.budget_bytes)
    }

    fn enqueue(&self, bytes: Vec<u8>, route: Route, error: Option<ErrorCode>, budget: u32) -> Result<(), Closed> {
        let shared = &self.shared;
        if shared.closed.is_cancelled() {
            shared.release(0, budget);
            return Err(Closed);
        }
        let footprint = footprint(bytes.len(), bytes.capacity(), &route);
        let queued = shared.queued_bytes.fetch_add(footprint, Ordering::Relaxed) + footprint;
        shared.peak_queued_bytes.fetch_max(queued, Ordering::Relaxed);
        if queued > shared.max_queued_bytes {
            tracing::error!(
                queued,
                limit = shared.max_queued_bytes,
                "the peer keeps sending but does not read our answers; closing the connection"
            );
            shared.release(footprint, budget);
            shared.shut_down();
            return Err(Closed);
        }
        self.tx.send(Item::Message(Envelope { footprint, bytes, route, error, budget })).map_err(|_| {
            shared.release(footprint, budget);
            Closed
        })
    }

    fn park(&self, key: CoalesceKey, bytes: Vec<u8>, route: Route) -> TrySend {
        self.shared.parked.lock().expect("parked lock").insert(key, (bytes, route));
        self.shared.coalesced.fetch_add(1, Ordering::Relaxed);
        if !self.shared.has_parked.swap(true, Ordering::AcqRel) {
            let _ = self.tx.send(Item::FlushParked);
        }
        TrySend::Coalesced
    }
}

/// The writer side of the queue. Dropping it ends the connection: a writer
/// that stopped (closed, or failed to write) can deliver nothing more, so every
/// waiter is resolved at once.
#[derive(Debug)]
pub struct OutgoingReceiver {
    rx: mpsc::UnboundedReceiver<Item>,
    shared: Arc<Shared>,
    /// Coalesced notifications taken out of `Shared::parked`, being handed out.
    parked: Vec<Envelope>,
    /// A graceful close was reached; nothing more comes.
    done: bool,
}

impl OutgoingReceiver {
    /// The next message to write; `None` once the connection is closed and
    /// everything queued before the close was handed out.
    pub async fn recv(&mut self) -> Option<Envelope> {
        loop {
            if let Some(envelope) = self.parked.pop() {
                return Some(envelope);
            }
            if self.done {
                return None;
            }
            let item = self.rx.recv().await;
            if let Some(envelope) = self.accept(item) {
                return Some(envelope);
            }
        }
    }

    /// The next message if one is queued right now; `None` means the queue has
    /// run dry (time to flush) or the connection is closed.
    pub fn try_recv(&mut self) -> Option<Envelope> {
        loop {
            if let Some(envelope) = self.parked.pop() {
                return Some(envelope);
            }
            if self.done {
                return None;
            }
            let item = self.rx.try_recv().ok()?;
            if let Some(envelope) = self.accept(Some(item)) {
                return Some(envelope);
            }
        }
    }

    fn accept(&mut self, item: Option<Item>) -> Option<Envelope> {
        match item {
            Some(Item::Message(envelope)) => {
                self.shared.release(envelope.footprint, envelope.budget);
                Some(envelope)
            }
            Some(Item::FlushParked) => {
                self.shared.has_parked.store(false, Ordering::Release);
                let parked = std::mem::take(&mut *self.shared.parked.lock().expect("parked lock"));
                // Parked notifications were never charged to the budget: there is
                // at most one per progress token or list, so they are bounded.
                self.parked = parked
                    .into_values()
                    .map(|(bytes, route)| Envelope { footprint: 0, bytes, route, error: None, budget: 0 })
                    .collect();
                None
            }
            Some(Item::Close) | None => {
                self.done = true;
                None
            }
        }
    }
}

impl Drop for OutgoingReceiver {
    fn drop(&mut self) {
        self.shared.shut_down();
    }
}

/// Counts dropped notifications and warns about them at a limited rate.
#[derive(Debug, Default)]
struct DropLog {
    total: AtomicU64,
    /// Drops since the last warning, and when that was.
    since_warning: Mutex<(u64, Option<Instant>)>,
}

impl DropLog {
    fn record(&self) {
        let total = self.total.fetch_add(1, Ordering::Relaxed) + 1;
        let mut since = self.since_warning.lock().expect("drop log lock");
        since.0 += 1;
        let now = Instant::now();
        if since.1.is_none_or(|last| now.duration_since(last) >= DROP_WARNING_INTERVAL) {
            tracing::warn!(
                dropped = since.0,
                total,
                "dropped notifications because the peer reads too slowly (rate logging: at most one warning per second)"
            );
            *since = (0, Some(now));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::ListKind;

    fn new_queue(budget: usize, max: usize) -> (OutgoingQueue, OutgoingReceiver) {
        queue(Shared::new(budget, max))
    }

    fn texts(rx: &mut OutgoingReceiver) -> Vec<String> {
        std::iter::from_fn(|| rx.try_recv()).map(|e| String::from_utf8(e.bytes).unwrap()).collect()
    }

    #[test]
    fn messages_come_out_in_order() {
        let (tx, mut rx) = new_queue(100, 1000);
        tx.push(b"a".to_vec(), Route::default()).unwrap();
        assert_eq!(tx.try_push_notification(b"b".to_vec(), Route::default(), None), TrySend::Sent);
        tx.push(b"c".to_vec(), Route::default()).unwrap();
        assert_eq!(texts(&mut rx), ["a", "b", "c"]);
    }

    #[test]
    fn notifications_beyond_the_budget_are_dropped_and_counted_but_responses_are_not() {
        let (tx, mut rx) = new_queue(10, 1000);
        assert_eq!(tx.try_push_notification(vec![b'n'; 10], Route::default(), None), TrySend::Sent);
        assert_eq!(tx.try_push_notification(b"x".to_vec(), Route::default(), None), TrySend::Dropped);
        tx.push(b"response".to_vec(), Route::default()).unwrap();
        assert_eq!(tx.shared.stats().dropped_notifications, 1);
        assert_eq!(texts(&mut rx).len(), 2);
        // Taking the envelopes out freed the budget.
        assert_eq!(tx.try_push_notification(b"y".to_vec(), Route::default(), None), TrySend::Sent);
    }

    #[test]
    fn coalesced_notifications_keep_only_the_latest_per_key() {
        let (tx, mut rx) = new_queue(4, 1000);
        tx.try_push_notification(b"full".to_vec(), Route::default(), None);
        let key = CoalesceKey::ListChanged(ListKind::Tools);
        for text in ["v1", "v2", "v3"] {
            assert_eq!(tx.try_push_notification(text.into(), Route::default(), Some(key.clone())), TrySend::Coalesced);
        }
        tx.push(b"after".to_vec(), Route::default()).unwrap();
        assert_eq!(texts(&mut rx), ["full", "v3", "after"]);
    }

    #[tokio::test]
    async fn waiting_notification_gets_room_when_the_writer_takes_one_out() {
        let (tx, mut rx) = new_queue(8, 1000);
        tx.push_notification(vec![b'a'; 8], Route::default()).await.unwrap();
        let tx = Arc::new(tx);
        let waiting = tokio::spawn({
            let tx = Arc::clone(&tx);
            async move { tx.push_notification(vec![b'b'; 8], Route::default()).await }
        });
        tokio::task::yield_now().await;
        assert!(!waiting.is_finished(), "no room yet");
        drop(rx.recv().await.unwrap());
        waiting.await.unwrap().unwrap();
        assert_eq!(rx.recv().await.unwrap().bytes, vec![b'b'; 8]);
    }

    #[test]
    fn oversized_notification_costs_the_whole_budget_not_more() {
        let (tx, mut rx) = new_queue(8, 1000);
        assert_eq!(tx.try_push_notification(vec![b'a'; 100], Route::default(), None), TrySend::Sent);
        assert_eq!(tx.try_push_notification(b"b".to_vec(), Route::default(), None), TrySend::Dropped);
        drop(rx.try_recv());
        assert_eq!(tx.try_push_notification(b"b".to_vec(), Route::default(), None), TrySend::Sent);
    }

    #[test]
    fn a_peer_that_never_reads_is_cut_off_at_the_ceiling() {
        let each = 10 + MESSAGE_OVERHEAD;
        let (tx, _rx) = new_queue(8, 10 * each);
        for _ in 0..10 {
            tx.push(vec![b'r'; 10], Route::default()).unwrap();
        }
        assert_eq!(tx.push(vec![b'r'; 10], Route::default()), Err(Closed));
        assert!(tx.shared.closed.is_cancelled());
    }

    #[test]
    fn the_ceiling_counts_what_a_message_holds_not_only_its_json() {
        let (tx, mut rx) = new_queue(8, usize::MAX);
        // What serde leaves behind for a small answer: 36 bytes of JSON in a
        // 128-byte buffer, answering a request with a string id.
        let mut bytes = Vec::with_capacity(128);
        bytes.extend_from_slice(br#"{"jsonrpc":"2.0","id":"a","result":{}}"#);
        let id = String::from("a");
        let id_heap = id.capacity() + ALLOCATION_OVERHEAD;
        let route = Route { related: Some(RequestId::String(id)), kind: MessageKind::Response };
        tx.push(bytes, route).unwrap();
        let queued = tx.shared.stats().queued_bytes;
        assert_eq!(queued, 128 + id_heap + std::mem::size_of::<Item>() + ALLOCATION_OVERHEAD);
        assert!(queued > 3 * 36, "{queued} bytes counted for a 36-byte message");
        drop(rx.try_recv());
        assert_eq!(tx.shared.stats().queued_bytes, 0, "all of it is paid back");
    }

    #[tokio::test]
    async fn close_writes_what_was_queued_then_ends() {
        let (tx, mut rx) = new_queue(8, 1000);
        tx.push(b"last".to_vec(), Route::default()).unwrap();
        tx.close();
        assert_eq!(tx.push(b"late".to_vec(), Route::default()), Err(Closed));
        assert_eq!(rx.recv().await.unwrap().bytes, b"last");
        assert!(rx.recv().await.is_none());
    }

    #[tokio::test]
    async fn dropping_the_receiver_wakes_producers_waiting_for_room() {
        let (tx, rx) = new_queue(1, 1000);
        tx.push_notification(b"a".to_vec(), Route::default()).await.unwrap();
        let tx = Arc::new(tx);
        let waiting = tokio::spawn({
            let tx = Arc::clone(&tx);
            async move { tx.push_notification(b"b".to_vec(), Route::default()).await }
        });
        tokio::task::yield_now().await;
        drop(rx);
        assert_eq!(waiting.await.unwrap(), Err(Closed));
    }

    #[test]
    fn queued_bytes_are_tracked_and_peak_remembered() {
        let (tx, mut rx) = new_queue(100, 1000);
        tx.push(vec![0; 30], Route::default()).unwrap();
        tx.push(vec![0; 20], Route::default()).unwrap();
        let both = 50 + 2 * MESSAGE_OVERHEAD;
        assert_eq!(tx.shared.stats().queued_bytes, both);
        drop(texts(&mut rx));
        let stats = tx.shared.stats();
        assert_eq!((stats.queued_bytes, stats.peak_queued_bytes), (0, both));
    }
}
