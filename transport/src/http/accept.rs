//! What the accept loop does when `accept` fails: how long it waits before
//! trying again, and how often it says so.
//!
//! Out of file descriptors (`EMFILE`, `ENFILE`) or kernel memory (`ENOBUFS`,
//! `ENOMEM`), `accept` fails at once for as long as the connection waits in
//! the backlog: retrying at once spins a core and, logging every failure,
//! floods stderr. So those failures back off, from `FIRST_BACKOFF` doubling
//! to `MAX_BACKOFF` (the loop also retries as soon as one of its own
//! connections closes, which is what usually frees a descriptor), and are
//! logged at most once per `WARNING_INTERVAL`, with a count of the rest.
//! A failure that concerns only the connection being accepted (it was reset
//! or aborted before we took it) is retried at once. This only decides; the
//! loop in `mod.rs` waits and logs.

use std::io;
use std::time::Duration;

use tokio::time::Instant;

/// The first wait after a failure that is not the connection's own.
const FIRST_BACKOFF: Duration = Duration::from_millis(10);

/// The longest wait: a descriptor freed elsewhere (not by one of our
/// connections) is noticed within this.
const MAX_BACKOFF: Duration = Duration::from_secs(1);

/// At most one warning per this interval.
const WARNING_INTERVAL: Duration = Duration::from_secs(5);

/// The accept loop's memory of recent failures.
#[derive(Debug, Default)]
pub(crate) struct AcceptErrors {
    /// The wait after the next failure; zero after a success.
    backoff: Duration,
    /// When the last warning went out.
    warned_at: Option<Instant>,
    /// Failures since the last warning, not logged one by one.
    unlogged: u64,
}

/// What to do about one failed `accept`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    /// How long to wait before accepting again (at most; a connection
    /// closing ends the wait).
    pub(crate) wait: Duration,
    /// Warn now, counting this failure and the `unlogged` ones before it.
    pub(crate) warn: Option<u64>,
}

impl AcceptErrors {
    /// A connection was accepted: the next failure starts afresh.
    pub(crate) fn succeeded(&mut self) {
        self.backoff = Duration::ZERO;
    }

    /// `accept` failed with `error` at `now`.
    pub(crate) fn failed(&mut self, error: &io::Error, now: Instant) -> Failure {
        let wait = if concerns_one_connection(error) {
            Duration::ZERO
        } else {
            self.backoff = (self.backoff * 2).clamp(FIRST_BACKOFF, MAX_BACKOFF);
            self.backoff
        };
        self.unlogged += 1;
        let due = self.warned_at.is_none_or(|at| now.duration_since(at) >= WARNING_INTERVAL);
        if !due {
            return Failure { wait, warn: None };
        }
        self.warned_at = Some(now);
        Failure { wait, warn: Some(std::mem::take(&mut self.unlogged)) }
    }
}

/// Failures of the one connection being accepted, which say nothing about
/// the next one.
pub(crate) fn concerns_one_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset | io::ErrorKind::Interrupted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// EMFILE, as `accept` reports running out of descriptors.
    fn out_of_descriptors() -> io::Error {
        io::Error::from_raw_os_error(24)
    }

    #[test]
    fn exhaustion_backs_off_doubling_to_a_ceiling_and_a_success_resets_it() {
        let mut errors = AcceptErrors::default();
        let now = Instant::now();
        let waits: Vec<Duration> = (0..10).map(|_| errors.failed(&out_of_descriptors(), now).wait).collect();
        assert_eq!(waits[..3], [FIRST_BACKOFF, FIRST_BACKOFF * 2, FIRST_BACKOFF * 4]);
        assert_eq!(waits[9], MAX_BACKOFF);
        errors.succeeded();
        assert_eq!(errors.failed(&out_of_descriptors(), now).wait, FIRST_BACKOFF);
    }

    #[test]
    fn a_connection_that_failed_on_its_own_is_retried_at_once() {
        let mut errors = AcceptErrors::default();
        let reset = io::Error::from(io::ErrorKind::ConnectionReset);
        assert_eq!(errors.failed(&reset, Instant::now()).wait, Duration::ZERO);
    }

    #[test]
    fn warnings_come_once_per_interval_with_the_count_in_between() {
        let mut errors = AcceptErrors::default();
        let start = Instant::now();
        assert_eq!(errors.failed(&out_of_descriptors(), start).warn, Some(1), "the first one is logged at once");
        for n in 1..1000 {
            let at = start + WARNING_INTERVAL * n / 1000;
            assert_eq!(errors.failed(&out_of_descriptors(), at).warn, None);
        }
        let later = start + WARNING_INTERVAL;
        assert_eq!(errors.failed(&out_of_descriptors(), later).warn, Some(1000), "999 held back, and this one");
    }
}
