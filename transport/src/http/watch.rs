//! One connection's clock and its off switch: the header and idle timeouts,
//! and cutting off a reader that fell too far behind its stream.
//!
//! hyper's own header timeout starts whenever it waits for a request head,
//! so on a kept-alive connection it is also the idle timeout; the two are
//! different limits (a head takes seconds at most, a client may pause between
//! calls far longer), so the connection keeps its own clock instead. It is in
//! one of three phases:
//!
//! - `Head`: a request head is on its way: from the accept, or from the
//!   first byte after an idle pause. It must be complete (hyper then calls
//!   the service) within `header_read_timeout`.
//! - `Busy`: a request is being answered, however long its SSE stream lasts.
//!   Its body has `body_read_timeout`, enforced where it is read.
//! - `Idle`: the last answer is complete and nothing has arrived since. It
//!   may stay so for `idle_timeout`.
//!
//! [`WatchedIo`] sees the bytes arrive, an [`Exchange`] guard (held by the
//! response body) marks `Busy`, and [`run`] closes the connection when a
//! phase outlasts its limit or [`ConnectionWatch::cut`] fires.
//!
//! At shutdown the phase also decides what the drain (see `drain`) does to
//! the connection: a `Busy` one closes once its answer is out (its answer
//! may have left already with the promise to keep the connection alive),
//! and a request can no longer arrive on it; an `Idle` one, or one whose
//! head is on its way, stays open, and the answer to a request that comes
//! says `Connection: close` itself.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use futures_util::future::{BoxFuture, FutureExt};
use futures_util::stream::{FuturesUnordered, StreamExt};
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Notify;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::drain::Admitted;

/// The limits a connection's phases are held to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timeouts {
    pub(crate) header: Duration,
    pub(crate) idle: Duration,
}

impl Timeouts {
    /// The longest a connection's task sleeps between looks at its clock:
    /// no phase can begin with a deadline nearer than this. At least a
    /// millisecond, so that a zero timeout (which closes a connection as soon
    /// as its phase begins) cannot make a busy connection's task spin.
    fn step(self) -> Duration {
        self.header.min(self.idle).max(Duration::from_millis(1))
    }

    /// When to look at `watch`'s clock next: at its deadline, or a step from
    /// `now` if that comes first (a phase may change before then).
    fn next_check(self, watch: &ConnectionWatch, now: Instant) -> Instant {
        let step = now + self.step();
        watch.deadline(self).map_or(step, |deadline| deadline.min(step))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Head { since: Instant },
    Busy { exchanges: usize },
    Idle { since: Instant },
}

/// What one connection is doing, shared by its I/O, its service and its task.
#[derive(Debug)]
pub(crate) struct ConnectionWatch {
    phase: Mutex<Phase>,
    /// Mirrors `Phase::Idle`, so that a read checks it without the lock.
    idle: AtomicBool,
    /// Wakes the connection's task to look at a new phase.
    changed: Notify,
    /// Closes the connection now: its reader fell too far behind (see
    /// `session`). Cancelled by whoever decides; the task obeys.
    cut: CancellationToken,
}

impl ConnectionWatch {
    /// A connection just accepted: its first head is on its way.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Self {
            phase: Mutex::new(Phase::Head { since: Instant::now() }),
            idle: AtomicBool::new(false),
            changed: Notify::new(),
            cut: CancellationToken::new(),
        })
    }

    /// The token that closes this connection when cancelled.
    pub(crate) fn cut(&self) -> &CancellationToken {
        &self.cut
    }

    /// A request is being answered until the returned guard drops.
    pub(crate) fn exchange(self: &Arc<Self>) -> Exchange {
        self.update(|phase| match phase {
            Phase::Busy { exchanges } => Phase::Busy { exchanges: exchanges + 1 },
            Phase::Head { .. } | Phase::Idle { .. } => Phase::Busy { exchanges: 1 },
        });
        Exchange { watch: Arc::clone(self) }
    }

    /// Bytes arrived: after an idle pause, a new head is on its way.
    fn bytes_arrived(&self) {
        if self.idle.load(Ordering::Relaxed) {
            self.update(|phase| match phase {
                Phase::Idle { .. } => Phase::Head { since: Instant::now() },
                other => other,
            });
        }
    }

    fn update(&self, change: impl FnOnce(Phase) -> Phase) {
        let mut phase = self.phase.lock().expect("phase lock");
        *phase = change(*phase);
        self.idle.store(matches!(*phase, Phase::Idle { .. }), Ordering::Relaxed);
        drop(phase);
        self.changed.notify_one();
    }

    /// A request is being answered: the service has it, or its answer is
    /// being sent.
    fn is_busy(&self) -> bool {
        matches!(*self.phase.lock().expect("phase lock"), Phase::Busy { .. })
    }

    /// When the current phase runs out, if it can.
    fn deadline(&self, timeouts: Timeouts) -> Option<Instant> {
        match *self.phase.lock().expect("phase lock") {
            Phase::Head { since } => Some(since + timeouts.header),
            Phase::Idle { since } => Some(since + timeouts.idle),
            Phase::Busy { .. } => None,
        }
    }
}

/// Held while one request is being answered: by the service until the
/// response exists, then by the response body until hyper has sent it.
#[must_use = "the connection counts as idle once this drops"]
#[derive(Debug)]
pub(crate) struct Exchange {
    watch: Arc<ConnectionWatch>,
}

impl Drop for Exchange {
    fn drop(&mut self) {
        self.watch.update(|phase| match phase {
            Phase::Busy { exchanges } if exchanges > 1 => Phase::Busy { exchanges: exchanges - 1 },
            _ => Phase::Idle { since: Instant::now() },
        });
    }
}

/// A response body that holds its request's [`Exchange`] until hyper is
/// done with it (sent, or dropped with the connection).
pub(crate) struct Guarded<B> {
    pub(crate) body: B,
    pub(crate) _exchange: Exchange,
}

impl<B: HttpBody<Data = Bytes, Error = Infallible> + Unpin> HttpBody for Guarded<B> {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Pin::new(&mut self.body).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

/// A socket that tells its [`ConnectionWatch`] when bytes arrive.
#[derive(Debug)]
pub(crate) struct WatchedIo {
    pub(crate) stream: TcpStream,
    pub(crate) watch: Arc<ConnectionWatch>,
}

impl AsyncRead for WatchedIo {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.watch.bytes_arrived();
        }
        polled
    }
}

impl AsyncWrite for WatchedIo {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// A connection that can be told to close once the exchange under way is
/// over, instead of keeping it alive: hyper's graceful shutdown, which
/// closes an idle connection at once, so only a busy one is told.
pub(crate) trait Graceful: Future {
    fn close_after_exchange(self: Pin<&mut Self>);
}

impl<I, S, B> Graceful for hyper::server::conn::http1::Connection<I, S>
where
    S: hyper::service::HttpService<hyper::body::Incoming, ResBody = B>,
    S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    I: hyper::rt::Read + hyper::rt::Write + Unpin,
    B: HttpBody + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    fn close_after_exchange(self: Pin<&mut Self>) {
        self.graceful_shutdown();
    }
}

/// Why a connection ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Ended<E> {
    /// hyper finished with it (the client closed it, or it closed after an
    /// answer that said so).
    Served(Result<(), E>),
    /// A phase outlasted its limit.
    TimedOut,
    /// Its reader fell too far behind.
    Cut,
    /// It was still open when the drain at shutdown ended.
    Drained,
}

/// Drive `connection` until it ends, closing it (by dropping it) when its
/// phase outlasts its timeout, its watch is cut, or the drain ends. Once the
/// drain has started, a connection busy with an exchange, then or later, is
/// told to close after it, and from then on no longer counts as one a
/// request may arrive on.
///
/// What it waits for besides the connection is a set of [`Control`] futures,
/// each polled only when it was woken: the connection wakes the task two or
/// three times per call, and making the controls anew on each wake-up cost
/// 4.8k instructions of a 53k HTTP echo call, polling them all on each
/// wake-up another 1.2k (callgrind). A change of phase matters only
/// during the drain, so only then is it waited for; the clock is looked at
/// at least every [`Timeouts::step`], so no deadline a new phase brings
/// passes unseen.
pub(crate) async fn run<E, C>(
    connection: C,
    watch: &ConnectionWatch,
    timeouts: Timeouts,
    mut drain: Admitted,
) -> Ended<E>
where
    C: Graceful<Output = Result<(), E>>,
{
    let mut connection = pin!(connection);
    let mut controls: FuturesUnordered<BoxFuture<'_, Control>> = FuturesUnordered::new();
    controls.push(Box::pin(async {
        watch.cut.cancelled().await;
        Control::Cut
    }));
    controls.push(Box::pin(drain.over().map(|()| Control::Over)));
    controls.push(Box::pin(drain.started().map(|()| Control::Started)));
    controls.push(clock(watch, timeouts, Instant::now()));
    let (mut draining, mut told) = (false, false);
    loop {
        // An idle connection is left alone: its client may be sending a
        // request on it right now, which then gets `Connection: close`.
        if draining && !told && watch.is_busy() {
            connection.as_mut().close_after_exchange();
            drain.settle();
            told = true;
        }
        let control = tokio::select! {
            biased;
            result = &mut connection => return Ended::Served(result),
            // Never empty: the clock is always among them.
            Some(control) = controls.next() => control,
        };
        match control {
            Control::Cut => return Ended::Cut,
            Control::Over => return Ended::Drained,
            Control::Started => {
                draining = true;
                controls.push(phase_change(watch));
            }
            Control::PhaseChanged if !told => controls.push(phase_change(watch)),
            Control::PhaseChanged => {}
            Control::Clock(now) => {
                if watch.deadline(timeouts).is_some_and(|deadline| deadline <= now) {
                    return Ended::TimedOut;
                }
                controls.push(clock(watch, timeouts, now));
            }
        }
    }
}

/// What a connection's task waits for besides the connection itself.
enum Control {
    /// Its reader fell too far behind.
    Cut,
    /// The drain began.
    Started,
    /// The drain is over.
    Over,
    /// Its phase changed (waited for during the drain only). A change stores
    /// a permit, so none is missed between two waits.
    PhaseChanged,
    /// Time to look at its clock, as of this instant.
    Clock(Instant),
}

fn phase_change(watch: &ConnectionWatch) -> BoxFuture<'_, Control> {
    Box::pin(watch.changed.notified().map(|()| Control::PhaseChanged))
}

fn clock(watch: &ConnectionWatch, timeouts: Timeouts, now: Instant) -> BoxFuture<'static, Control> {
    Box::pin(tokio::time::sleep_until(timeouts.next_check(watch, now)).map(|()| Control::Clock(Instant::now())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::drain::Drain;

    const TIMEOUTS: Timeouts = Timeouts { header: Duration::from_secs(10), idle: Duration::from_secs(60) };

    /// A connection that ends only with the result it was given, and
    /// remembers being told to close after its exchange.
    #[derive(Default)]
    struct Fake {
        ends: Option<Result<(), &'static str>>,
        told: Arc<AtomicBool>,
    }

    impl Future for Fake {
        type Output = Result<(), &'static str>;

        fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
            self.ends.take().map_or(Poll::Pending, Poll::Ready)
        }
    }

    impl Graceful for Fake {
        fn close_after_exchange(self: Pin<&mut Self>) {
            self.told.store(true, Ordering::Relaxed);
        }
    }

    /// A connection that never finishes on its own.
    fn forever() -> Fake {
        Fake::default()
    }

    /// A connection of a server that is not shutting down.
    fn serving() -> Admitted {
        Drain::default().admit()
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_sends_no_head_is_closed_after_the_header_timeout() {
        let watch = ConnectionWatch::new();
        let started = Instant::now();
        assert_eq!(run(forever(), &watch, TIMEOUTS, serving()).await, Ended::TimedOut);
        assert_eq!(started.elapsed(), TIMEOUTS.header);
    }

    #[tokio::test(start_paused = true)]
    async fn a_busy_connection_never_times_out_and_idles_after_its_exchange() {
        let watch = ConnectionWatch::new();
        let exchange = watch.exchange();
        let started = Instant::now();
        let ended = tokio::spawn({
            let watch = Arc::clone(&watch);
            async move { run(forever(), &watch, TIMEOUTS, serving()).await }
        });
        tokio::time::sleep(Duration::from_secs(3600)).await;
        assert!(!ended.is_finished(), "an hour-long answer is not a timeout");
        drop(exchange);
        assert_eq!(ended.await.unwrap(), Ended::TimedOut);
        assert_eq!(started.elapsed(), Duration::from_secs(3600) + TIMEOUTS.idle);
    }

    #[tokio::test(start_paused = true)]
    async fn bytes_after_an_idle_pause_start_the_header_clock() {
        let watch = ConnectionWatch::new();
        drop(watch.exchange());
        let ended = tokio::spawn({
            let watch = Arc::clone(&watch);
            async move { run(forever(), &watch, TIMEOUTS, serving()).await }
        });
        tokio::time::sleep(Duration::from_secs(30)).await;
        let head_started = Instant::now();
        watch.bytes_arrived();
        assert_eq!(ended.await.unwrap(), Ended::TimedOut);
        assert_eq!(head_started.elapsed(), TIMEOUTS.header, "a head half sent gets the header timeout");
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_timeout_shorter_than_the_header_timeout_is_kept_to_the_second() {
        let timeouts = Timeouts { header: Duration::from_secs(10), idle: Duration::from_secs(2) };
        let watch = ConnectionWatch::new();
        let exchange = watch.exchange();
        let ended = tokio::spawn({
            let watch = Arc::clone(&watch);
            async move { run(forever(), &watch, timeouts, serving()).await }
        });
        tokio::time::sleep(Duration::from_secs(5)).await;
        let idle_since = Instant::now();
        drop(exchange);
        assert_eq!(ended.await.unwrap(), Ended::TimedOut);
        assert_eq!(idle_since.elapsed(), timeouts.idle, "the task never sleeps past a deadline a phase brings");
    }

    #[tokio::test(start_paused = true)]
    async fn cutting_closes_a_busy_connection_at_once() {
        let watch = ConnectionWatch::new();
        let _exchange = watch.exchange();
        watch.cut().cancel();
        assert_eq!(run(forever(), &watch, TIMEOUTS, serving()).await, Ended::Cut);
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_ends_reports_how() {
        let watch = ConnectionWatch::new();
        let reset = Fake { ends: Some(Err("reset")), ..Fake::default() };
        assert_eq!(run(reset, &watch, TIMEOUTS, serving()).await, Ended::Served(Err("reset")));
    }

    /// Runs a fake connection watched by `watch` in `drain`; returns its task
    /// and whether it was told to close after its exchange.
    fn spawn_run(
        watch: &Arc<ConnectionWatch>,
        drain: &Drain,
    ) -> (tokio::task::JoinHandle<Ended<&'static str>>, Arc<AtomicBool>) {
        let told = Arc::new(AtomicBool::new(false));
        let (watch, admitted) = (Arc::clone(watch), drain.admit());
        let fake = Fake { ends: None, told: Arc::clone(&told) };
        (tokio::spawn(async move { run(fake, &watch, TIMEOUTS, admitted).await }), told)
    }

    /// Whether `drain` is quiet once everything else has run.
    async fn is_quiet(drain: &Drain) -> bool {
        tokio::time::timeout(Duration::from_secs(1), drain.quiet()).await.is_ok()
    }

    #[tokio::test(start_paused = true)]
    async fn a_drain_closes_a_busy_connection_after_its_exchange_and_leaves_an_idle_one_open() {
        let drain = Drain::default();
        let (busy, idle) = (ConnectionWatch::new(), ConnectionWatch::new());
        let _exchange = busy.exchange();
        drop(idle.exchange());
        let (busy_run, busy_told) = spawn_run(&busy, &drain);
        let (idle_run, idle_told) = spawn_run(&idle, &drain);
        assert!(!is_quiet(&drain).await, "before the drain, requests may come on both");
        drain.start();
        assert!(!is_quiet(&drain).await, "a request may still come on the idle one");
        assert!(busy_told.load(Ordering::Relaxed), "the answer under way is the last on its connection");
        assert!(!idle_told.load(Ordering::Relaxed), "an idle connection is not closed under its client");
        assert!(!busy_run.is_finished() && !idle_run.is_finished());
        drain.end();
        assert_eq!(busy_run.await.unwrap(), Ended::Drained);
        assert_eq!(idle_run.await.unwrap(), Ended::Drained);
        assert!(is_quiet(&drain).await, "closed connections bring no requests");
    }

    #[tokio::test(start_paused = true)]
    async fn a_request_on_an_idle_connection_during_the_drain_is_its_last_and_then_the_drain_is_quiet() {
        let drain = Drain::default();
        let idle = ConnectionWatch::new();
        drop(idle.exchange());
        let (run, told) = spawn_run(&idle, &drain);
        drain.start();
        assert!(!is_quiet(&drain).await);
        idle.bytes_arrived();
        assert!(!is_quiet(&drain).await, "a head on its way is not yet an exchange that can be the last");
        let exchange = idle.exchange();
        assert!(is_quiet(&drain).await, "the request that came is answered, and no other can follow");
        assert!(told.load(Ordering::Relaxed));
        drop(exchange);
        assert!(!run.is_finished(), "the connection closes when hyper is done with it, not before");
    }

    #[tokio::test(start_paused = true)]
    async fn a_connection_that_closes_during_the_drain_makes_it_quiet() {
        let drain = Drain::default();
        let watch = ConnectionWatch::new();
        drop(watch.exchange());
        let admitted = drain.admit();
        let closing = Fake { ends: Some(Ok(())), ..Fake::default() };
        drain.start();
        assert_eq!(run(closing, &watch, TIMEOUTS, admitted).await, Ended::Served(Ok(())));
        assert!(is_quiet(&drain).await);
    }
}
