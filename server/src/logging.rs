//! Logging for a server: `tracing` events as lines on stderr, written by a
//! thread of their own so that logging never blocks the server.
//!
//! A stdio server's stdout carries protocol messages and nothing else, so a
//! subscriber that prints to stdout (the default of most) corrupts the
//! session. This sets one up that writes to stderr only, filtered by
//! `target=level` directives.
//!
//! Stderr is a pipe whose reader may stop reading (an MCP client that never
//! drains its servers' stderr is common), and a write to a full pipe blocks.
//! Written in place, a log line would then stall whichever task logged it, on
//! a current-thread runtime the whole server. So each line goes into a
//! bounded in-memory queue instead, and a dedicated thread writes the queue
//! to stderr; when the queue is full, lines are dropped and counted, and the
//! count is written as soon as stderr takes lines again.
//!
//! Why a thread and not a non-blocking stderr: `O_NONBLOCK` belongs to the
//! open file description, which the parent and its other children share (a
//! terminal, often), so setting it would change how their writes behave; it
//! needs `fcntl`, which this workspace's `forbid(unsafe_code)` rules out
//! without another dependency; and a non-blocking write may take half a line.
//! A thread costs one stack, keeps every line whole, and works on every
//! platform.

use std::io::{IsTerminal, Write};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::Error;

/// Bytes of log lines that may wait for stderr. A parent that stops reading
/// the server's stderr costs at most twice this (one batch being written, one
/// waiting); beyond it lines are dropped and counted. 256 KiB is a few
/// thousand lines: enough to ride out a slow reader, small beside a server.
pub const STDERR_LOG_QUEUE_BYTES: usize = 256 * 1024;

/// When the process ends, how long the lines still queued may take to reach
/// stderr. Short, because a reader that has stopped will not start again in
/// time, and the binary promises to exit within a second.
const FLUSH_PATIENCE: Duration = Duration::from_millis(100);

/// Send this process's `tracing` events to stderr, filtered by `directives`:
/// a level (`info`), or per-target levels (`info,mcpwire_transport=debug`).
///
/// Logging never blocks: lines go to stderr from a thread of their own, and
/// when stderr is not read they are dropped, counted, and the count written
/// once it is read again (see the module docs). Keep the returned guard
/// until the process ends: dropping it gives the lines still queued a moment
/// to reach stderr.
///
/// ```no_run
/// let _log = mcpwire_server::log_to_stderr("info")?;
/// # Ok::<(), mcpwire_server::Error>(())
/// ```
///
/// # Errors
/// [`Error::LogFilter`] when the directives do not parse, and
/// [`Error::LogAlreadySet`] when the process already has a subscriber.
pub fn log_to_stderr(directives: &str) -> Result<StderrLog, Error> {
    // `Targets` rather than `EnvFilter`: the same `target=level` directives
    // without a regex engine.
    let filter = directives.parse::<Targets>().map_err(|e| Error::LogFilter(e.to_string()))?;
    let queue = LogQueue::spawn(std::io::stderr(), STDERR_LOG_QUEUE_BYTES).map_err(Error::Io)?;
    tracing_subscriber::fmt()
        .with_writer(QueueWriter(Arc::clone(&queue)))
        .with_ansi(std::io::stderr().is_terminal())
        .with_max_level(tracing::Level::TRACE)
        .with_target(false)
        .finish()
        .with(filter)
        .try_init()
        .map_err(|_| Error::LogAlreadySet)?;
    Ok(StderrLog { queue })
}

/// Keeps stderr logging going; dropping it waits a moment for the lines still
/// queued to be written. See [`log_to_stderr`].
#[must_use = "dropping the guard at once ends the wait for queued log lines at exit"]
#[derive(Debug)]
pub struct StderrLog {
    queue: Arc<LogQueue>,
}

impl StderrLog {
    /// Log lines dropped so far because stderr was not read.
    pub fn dropped_lines(&self) -> u64 {
        self.queue.state().dropped_total
    }
}

impl Drop for StderrLog {
    fn drop(&mut self) {
        self.queue.flush(FLUSH_PATIENCE);
    }
}

/// Log lines on their way to a sink, and what was dropped on the way.
#[derive(Debug)]
struct LogQueue {
    state: Mutex<QueueState>,
    /// Signalled when lines arrive, for the writer thread.
    arrived: Condvar,
    /// Signalled when the writer has written everything it took, for `flush`.
    written: Condvar,
    capacity: usize,
}

#[derive(Debug, Default)]
struct QueueState {
    /// Whole lines, waiting for the writer thread.
    pending: Vec<u8>,
    /// Lines dropped since the writer last took the queue.
    dropped: u64,
    dropped_total: u64,
    /// The writer took lines and has not finished writing them.
    writing: bool,
}

impl LogQueue {
    /// A queue of at most `capacity` bytes and the thread that drains it into `sink`.
    fn spawn(sink: impl Write + Send + 'static, capacity: usize) -> std::io::Result<Arc<Self>> {
        let queue =
            Arc::new(Self { state: Mutex::default(), arrived: Condvar::new(), written: Condvar::new(), capacity });
        let drained = Arc::clone(&queue);
        std::thread::Builder::new().name("mcpwire-stderr-log".into()).spawn(move || drained.drain_into(sink))?;
        Ok(queue)
    }

    fn state(&self) -> MutexGuard<'_, QueueState> {
        // A panic while holding this lock cannot leave the state half-changed
        // in a way that matters for logging, so a poisoned lock is used as is.
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Queue one line, or drop and count it when the queue is full. Never
    /// waits for the sink. A line longer than the whole queue is taken when
    /// the queue is empty, so that a reader who keeps up loses nothing.
    fn push(&self, line: &[u8]) {
        let mut state = self.state();
        if !state.pending.is_empty() && state.pending.len() + line.len() > self.capacity {
            state.dropped += 1;
            state.dropped_total += 1;
            return;
        }
        // The writer only ever waits on an empty queue, so only the first
        // line after it emptied needs to wake it.
        let was_empty = state.pending.is_empty();
        state.pending.extend_from_slice(line);
        drop(state);
        if was_empty {
            self.arrived.notify_one();
        }
    }

    /// The writer thread: take everything queued, write it, say what was
    /// dropped, repeat. Write errors (stderr closed) drop the lines quietly:
    /// there is nowhere left to report them.
    fn drain_into(&self, mut sink: impl Write) {
        let mut batch = Vec::new();
        loop {
            let dropped = {
                let mut state = self.state();
                while state.pending.is_empty() && state.dropped == 0 {
                    state.writing = false;
                    self.written.notify_all();
                    state = self.arrived.wait(state).unwrap_or_else(std::sync::PoisonError::into_inner);
                }
                state.writing = true;
                std::mem::swap(&mut batch, &mut state.pending);
                std::mem::take(&mut state.dropped)
            };
            let _ = sink.write_all(&batch);
            if dropped > 0 {
                let _ = sink.write_all(&dropped_notice(dropped));
            }
            let _ = sink.flush();
            batch.clear();
            // A burst may have grown the batch far past its usual size; give
            // that memory back rather than keep it for the process's life.
            batch.shrink_to(self.capacity);
        }
    }

    /// Wait at most `patience` for everything queued to be written.
    fn flush(&self, patience: Duration) {
        let deadline = Instant::now() + patience;
        let mut state = self.state();
        while state.writing || !state.pending.is_empty() || state.dropped > 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return;
            }
            state = self.written.wait_timeout(state, left).unwrap_or_else(std::sync::PoisonError::into_inner).0;
        }
    }
}

/// The line that stands for lines the queue had to drop, formatted like the
/// lines around it.
fn dropped_notice(count: u64) -> Vec<u8> {
    let mut time = String::new();
    let _ = SystemTime.format_time(&mut tracing_subscriber::fmt::format::Writer::new(&mut time));
    format!("{time}  WARN {count}{NOTICE_TAIL}\n").into_bytes()
}

/// What follows the count in the notice of dropped lines.
const NOTICE_TAIL: &str = " log lines dropped: stderr was not being read and the log queue was full";

/// The subscriber's writer: every event's formatted line goes into the queue.
struct QueueWriter(Arc<LogQueue>);

impl<'a> MakeWriter<'a> for QueueWriter {
    type Writer = &'a LogQueue;

    fn make_writer(&'a self) -> Self::Writer {
        &self.0
    }
}

/// The formatter writes each event in one `write_all`, so one `write` is one
/// whole line.
impl Write for &LogQueue {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        self.push(line);
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc;

    use super::*;

    /// A sink that writes nothing until it is opened: a stderr nobody reads.
    struct Gated {
        open: mpsc::Receiver<()>,
        opened: bool,
        written: Arc<Mutex<Vec<u8>>>,
    }

    impl Write for Gated {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if !self.opened {
                let _ = self.open.recv();
                self.opened = true;
            }
            self.written.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn gated(capacity: usize) -> (Arc<LogQueue>, mpsc::Sender<()>, Arc<Mutex<Vec<u8>>>) {
        let (open, wait) = mpsc::channel();
        let written = Arc::new(Mutex::new(Vec::new()));
        let sink = Gated { open: wait, opened: false, written: Arc::clone(&written) };
        (LogQueue::spawn(sink, capacity).unwrap(), open, written)
    }

    fn text(written: &Mutex<Vec<u8>>) -> String {
        String::from_utf8(written.lock().unwrap().clone()).unwrap()
    }

    #[test]
    fn a_stalled_sink_never_blocks_a_logger_and_drops_are_counted_then_reported() {
        let (queue, open, written) = gated(100);
        let started = Instant::now();
        // The writer takes the first line and blocks on the sink; the queue
        // then fills, and the rest is dropped.
        for index in 0..10_000 {
            queue.push(format!("line {index:05}\n").as_bytes());
        }
        assert!(started.elapsed() < Duration::from_secs(1), "logging waited for the sink");
        let dropped = queue.state().dropped_total;
        assert!(dropped > 9_000, "only {dropped} dropped");
        drop(open);
        queue.flush(Duration::from_secs(10));
        let text = text(&written);
        assert!(text.starts_with("line 00000\n"), "{text}");
        // One notice per batch that had drops behind it; together they count every drop.
        let reported: u64 =
            text.lines().filter_map(|l| l.split_once("WARN ")?.1.strip_suffix(NOTICE_TAIL)?.parse::<u64>().ok()).sum();
        assert_eq!(reported, dropped, "{text}");
        let kept = text.lines().filter(|l| l.starts_with("line ")).count() as u64;
        assert_eq!(kept + dropped, 10_000, "every line is either written or counted");
    }

    #[test]
    fn lines_are_written_whole_and_in_order_when_the_sink_keeps_up() {
        let (queue, open, written) = gated(1024 * 1024);
        drop(open);
        let expected: String = (0..1000).map(|i| format!("line {i}\n")).collect();
        for line in expected.split_inclusive('\n') {
            queue.push(line.as_bytes());
        }
        queue.flush(Duration::from_secs(10));
        assert_eq!(text(&written), expected);
        assert_eq!(queue.state().dropped_total, 0);
    }

    #[test]
    fn a_line_longer_than_the_queue_is_written_when_the_queue_is_empty() {
        let (queue, open, written) = gated(8);
        drop(open);
        queue.push(b"a line much longer than eight bytes\n");
        queue.flush(Duration::from_secs(10));
        assert_eq!(text(&written), "a line much longer than eight bytes\n");
    }

    #[test]
    fn flush_gives_up_after_its_patience_when_the_sink_is_stalled() {
        let (queue, _open, _written) = gated(100);
        queue.push(b"stuck\n");
        let started = Instant::now();
        queue.flush(Duration::from_millis(50));
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}
