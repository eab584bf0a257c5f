//! The pending-response map: who is waiting for the answer to which request,
//! and the one place the ids of our own requests are minted.

use mcpwire_protocol::{ErrorObject, RawJson, RequestId};
use tokio::sync::oneshot;

/// What a waiter receives: the peer's result or error, or word that the
/// connection closed first.
pub(crate) type Reply = Result<RawJson, Failure>;

/// Why a waiter got no result.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The peer answered with an error object.
    Peer(ErrorObject),
    /// The connection closed with the request outstanding.
    Closed,
}

/// What became of an answer handed to [`PendingRequests::complete`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// A waiter received it.
    Delivered,
    /// No request with that id is outstanding: a duplicate, a late answer to a
    /// request that timed out, or a confused peer.
    UnknownId,
    /// The waiter had gone away (its future was dropped) just before.
    WaiterGone,
}

/// Outstanding requests by id, each with the channel its waiter listens on.
///
/// Minting an id and registering its waiter are one call, [`register`](Self::register):
/// an id exists only once someone waits for its answer, and no other code can
/// mint one. One map per connection, so ids are unique per connection.
///
/// Every waiter resolves exactly once: by [`complete`](Self::complete), by
/// [`remove`](Self::remove) when it gives up (timeout, cancel, drop), or by
/// [`fail_all`](Self::fail_all) when the connection closes.
#[derive(Debug)]
pub(crate) struct PendingRequests {
    /// foldhash rather than SipHash: the keys are ids we minted ourselves.
    waiters: foldhash::HashMap<RequestId, oneshot::Sender<Reply>>,
    /// The next id to mint. A plain integer: the map is only ever used under
    /// its owner's lock, which covers the counter too.
    next_id: i64,
    /// Set by `fail_all`: a request registered after the connection closed
    /// fails at once instead of waiting for an answer that cannot come.
    closed: bool,
}

impl Default for PendingRequests {
    fn default() -> Self {
        // Ids start at 1: some clients treat id 0 as "no id" in their logs.
        Self { waiters: foldhash::HashMap::default(), next_id: 1, closed: false }
    }
}

impl PendingRequests {
    /// Mint a fresh id and start waiting for its answer. Called before the
    /// request can reach the writer, so even an answer that arrives at once
    /// finds its waiter. After [`fail_all`](Self::fail_all) the id is still
    /// fresh, but the waiter already holds "connection closed".
    pub(crate) fn register(&mut self) -> (RequestId, oneshot::Receiver<Reply>) {
        let id = RequestId::Number(self.next_id);
        self.next_id += 1;
        let (tx, rx) = oneshot::channel();
        if self.closed {
            let _ = tx.send(Err(Failure::Closed));
        } else {
            let previous = self.waiters.insert(id.clone(), tx);
            debug_assert!(previous.is_none(), "a minted id is never outstanding already");
        }
        (id, rx)
    }

    /// Hand the peer's answer (result or error) to its waiter and forget the id.
    pub(crate) fn complete(&mut self, id: &RequestId, reply: Reply) -> Delivery {
        match self.waiters.remove(id) {
            None => Delivery::UnknownId,
            Some(waiter) => match waiter.send(reply) {
                Ok(()) => Delivery::Delivered,
                Err(_) => Delivery::WaiterGone,
            },
        }
    }

    /// Forget `id` without an answer; true if it was still outstanding.
    pub(crate) fn remove(&mut self, id: &RequestId) -> bool {
        self.waiters.remove(id).is_some()
    }

    /// The connection closed: every waiter hears so now, and later
    /// registrations fail at once. Returns how many were waiting.
    ///
    /// Called only by `Shared::fail_pending`, the one way a connection's
    /// pending map is failed.
    pub(crate) fn fail_all(&mut self) -> usize {
        self.closed = true;
        let count = self.waiters.len();
        for (_, waiter) in self.waiters.drain() {
            let _ = waiter.send(Err(Failure::Closed));
        }
        count
    }

    /// How many requests are outstanding.
    pub(crate) fn len(&self) -> usize {
        self.waiters.len()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    fn raw(text: &str) -> RawJson {
        serde_json::value::RawValue::from_string(text.to_owned()).unwrap()
    }

    #[test]
    fn ids_start_at_one_and_increase() {
        let mut pending = PendingRequests::default();
        let (first, _a) = pending.register();
        let (second, _b) = pending.register();
        assert_eq!((first, second), (RequestId::Number(1), RequestId::Number(2)));
    }

    #[test]
    fn ids_are_unique_across_ten_thousand_registrations() {
        let mut pending = PendingRequests::default();
        let mut waiters = Vec::new();
        let mut ids = HashSet::new();
        for _ in 0..10_000 {
            let (id, rx) = pending.register();
            assert!(ids.insert(id), "an id was minted twice");
            waiters.push(rx);
        }
        assert_eq!(pending.len(), 10_000);
    }

    #[test]
    fn ids_stay_unique_when_earlier_requests_are_answered_or_withdrawn() {
        let mut pending = PendingRequests::default();
        let (answered, _a) = pending.register();
        let (withdrawn, _b) = pending.register();
        pending.complete(&answered, Ok(raw("1")));
        pending.remove(&withdrawn);
        let (next, _c) = pending.register();
        assert_eq!(next, RequestId::Number(3));
    }

    #[test]
    fn answer_reaches_its_waiter_and_the_entry_goes() {
        let mut pending = PendingRequests::default();
        let (id, mut rx) = pending.register();
        assert_eq!(pending.complete(&id, Ok(raw("{}"))), Delivery::Delivered);
        assert_eq!(rx.try_recv().unwrap().unwrap().get(), "{}");
        assert_eq!(pending.len(), 0);
    }

    #[test]
    fn error_reply_reaches_its_waiter() {
        let mut pending = PendingRequests::default();
        let (id, mut rx) = pending.register();
        let error = ErrorObject::method_not_found("x");
        assert_eq!(pending.complete(&id, Err(Failure::Peer(error))), Delivery::Delivered);
        assert!(matches!(rx.try_recv().unwrap(), Err(Failure::Peer(e)) if e.code.0 == -32601));
    }

    #[test]
    fn unknown_and_duplicate_ids_are_reported_not_panicked() {
        let mut pending = PendingRequests::default();
        assert_eq!(pending.complete(&RequestId::Number(9), Ok(raw("1"))), Delivery::UnknownId);
        let (id, _rx) = pending.register();
        pending.complete(&id, Ok(raw("1")));
        assert_eq!(pending.complete(&id, Ok(raw("1"))), Delivery::UnknownId);
    }

    #[test]
    fn string_and_integer_ids_do_not_collide() {
        let mut pending = PendingRequests::default();
        let (id, _rx) = pending.register();
        assert_eq!(id, RequestId::Number(1));
        assert_eq!(pending.complete(&RequestId::String("1".into()), Ok(raw("1"))), Delivery::UnknownId);
        assert_eq!(pending.len(), 1);
    }

    #[test]
    fn dropped_waiter_is_reported() {
        let mut pending = PendingRequests::default();
        let (id, rx) = pending.register();
        drop(rx);
        assert_eq!(pending.complete(&id, Ok(raw("1"))), Delivery::WaiterGone);
    }

    #[test]
    fn fail_all_resolves_every_waiter_and_later_registrations() {
        let mut pending = PendingRequests::default();
        let mut waiters: Vec<_> = (0..100).map(|_| pending.register().1).collect();
        assert_eq!(pending.fail_all(), 100);
        assert!(waiters.iter_mut().all(|rx| matches!(rx.try_recv(), Ok(Err(Failure::Closed)))));
        let (late_id, mut late) = pending.register();
        assert!(matches!(late.try_recv(), Ok(Err(Failure::Closed))));
        assert_eq!(late_id, RequestId::Number(101), "a late id is still fresh");
        assert_eq!(pending.len(), 0);
    }

    #[test]
    fn remove_withdraws_a_request() {
        let mut pending = PendingRequests::default();
        let (id, _rx) = pending.register();
        assert!(pending.remove(&id));
        assert!(!pending.remove(&id));
    }
}
