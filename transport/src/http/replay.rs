//! The bytes every session's event stores hold, counted across the server,
//! so that `max_replay_bytes` bounds all of them together.
//!
//! Each session keeps its own stores within its own limits (see `session`);
//! this ledger only adds them up. When the total passes the limit, sessions
//! are trimmed least recently active first, down to seven eighths of it, so
//! that a server at its limit trims once in a while rather than on every
//! message. Bytes that must still be delivered (a request or a response no
//! connection has taken) are counted but never evicted: losing one would
//! hang a waiter, and the limits on sessions and their streams bound them.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use super::session::HttpSession;

#[derive(Debug)]
pub(crate) struct Retention {
    limit: usize,
    /// Bytes held by every store, events and their overhead.
    stored: AtomicUsize,
    /// Of those, the ones no connection has taken that must be delivered.
    pinned: AtomicUsize,
    /// Every session that may hold bytes; the dead are pruned as they are met.
    sessions: Mutex<Vec<Weak<HttpSession>>>,
    /// A trim is under way: others need not start one.
    trimming: AtomicBool,
}

impl Retention {
    pub(crate) fn new(limit: usize) -> Arc<Self> {
        Arc::new(Self {
            limit,
            stored: AtomicUsize::new(0),
            pinned: AtomicUsize::new(0),
            sessions: Mutex::default(),
            trimming: AtomicBool::new(false),
        })
    }

    pub(crate) fn register(&self, session: &Arc<HttpSession>) {
        let mut sessions = self.sessions.lock().expect("retention lock");
        // Pruning when the vector would grow keeps it within twice the live
        // sessions, at a cost spread over the registrations.
        if sessions.len() == sessions.capacity() {
            sessions.retain(|session| session.strong_count() > 0);
        }
        sessions.push(Arc::downgrade(session));
    }

    /// A store took `bytes`; `pinned` if they must still be delivered.
    pub(crate) fn add(&self, bytes: usize, pinned: bool) {
        self.stored.fetch_add(bytes, Ordering::Relaxed);
        if pinned {
            self.pinned.fetch_add(bytes, Ordering::Relaxed);
        }
    }

    /// Pinned bytes were delivered: they may be evicted now.
    pub(crate) fn unpin(&self, bytes: usize) {
        if bytes > 0 {
            self.pinned.fetch_sub(bytes, Ordering::Relaxed);
        }
    }

    /// A store let go of `bytes`, `pinned` of them still undelivered.
    pub(crate) fn release(&self, bytes: usize, pinned: usize) {
        self.stored.fetch_sub(bytes, Ordering::Relaxed);
        self.unpin(pinned);
    }

    /// Bytes held now, and how many of them are pinned.
    pub(crate) fn usage(&self) -> (usize, usize) {
        (self.stored.load(Ordering::Relaxed), self.pinned.load(Ordering::Relaxed))
    }

    /// If the stores together hold more than the limit, trim sessions, least
    /// recently active first, until they hold at most seven eighths of it or
    /// only what must be delivered. Call without holding any session's lock.
    pub(crate) fn enforce(&self) {
        if !self.over() || self.trimming.swap(true, Ordering::Acquire) {
            return;
        }
        let mut sessions: Vec<Arc<HttpSession>> = {
            let mut registered = self.sessions.lock().expect("retention lock");
            registered.retain(|session| session.strong_count() > 0);
            registered.iter().filter_map(Weak::upgrade).collect()
        };
        sessions.sort_by_cached_key(|session| session.last_active());
        let target = self.limit - self.limit / 8;
        for session in sessions {
            let (stored, pinned) = self.usage();
            if stored <= target || stored <= pinned {
                break;
            }
            session.trim(stored - target);
        }
        self.trimming.store(false, Ordering::Release);
    }

    fn over(&self) -> bool {
        let (stored, pinned) = self.usage();
        stored > self.limit && stored > pinned
    }
}
