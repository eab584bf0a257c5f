//! A connection over any byte stream: the reader task, the writer task, and
//! the handle that ties them to a sender.
//!
//! The reader decodes lines, answers what it cannot decode, hands the peer's
//! answers to our own requests straight to their waiters, and passes requests
//! and notifications on. It never waits on the writer: the outgoing queue never
//! blocks a response, so the only thing the reader can wait on is the processor,
//! which itself never waits. The writer drains the outgoing queue and flushes
//! when the queue runs dry, not after every message.

use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use mcpwire_protocol::{Decoded, ErrorObject, Message, Notification, Request, decode};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::codec::FramedRead;
use tokio_util::sync::CancellationToken;

use crate::codec::{Frame, JsonLinesCodec};
use crate::queue::OutgoingReceiver;
use crate::{OutgoingMessageSender, TransportConfig};

/// Messages waiting between the reader and the processor. The processor never
/// waits (it spawns handlers and answers overload at once), so a small buffer
/// only smooths bursts; when it is full the reader stops reading and the peer
/// feels back-pressure through the pipe.
const INCOMING_CAPACITY: usize = 256;

/// The writer gathers queued messages into one write of up to this many bytes,
/// so a burst costs a few syscalls instead of one per message.
const WRITE_BATCH_BYTES: usize = 64 * 1024;

/// The reader's buffer: one pipe's worth, the most a single read returns.
const READ_BUFFER_BYTES: usize = 64 * 1024;

/// After the flush deadline, how long the writer may take to finish the one
/// message under way.
const LAST_MESSAGE_PATIENCE: Duration = Duration::from_millis(100);

/// The in-memory pair's capacity in each direction, the size of a Linux pipe
/// buffer, so tests see a peer that stops reading the way a real one looks.
const MEMORY_PIPE_BYTES: usize = 64 * 1024;

/// A request or notification from the peer, for the processor.
#[derive(Debug)]
pub enum Incoming {
    /// A request: it must get exactly one answer.
    Request(Request),
    /// A request that came in an HTTP request (a Streamable HTTP POST), with
    /// that HTTP request's head: its method, URI, headers, and whatever
    /// middleware put in its extensions (an authenticated principal, say),
    /// for the handler to read. It must get exactly one answer, like any
    /// other request.
    HttpRequest(Request, Arc<http::request::Parts>),
    /// A notification: it must get none.
    Notification(Notification),
    /// A JSON-RPC batch, with any answers to our own requests already routed.
    /// Elements that failed to decode are kept so they can be answered in the
    /// batch's reply. Never empty.
    Batch(Vec<Result<Message, mcpwire_protocol::Error>>),
}

/// One connection's running reader and writer, and the handles to use them.
#[derive(Debug)]
pub struct Connection {
    /// Sends to the peer; clone the `Arc` into every handler.
    pub sender: Arc<OutgoingMessageSender>,
    /// Requests and notifications from the peer, in arrival order. Ends when
    /// the peer closes its side or the reader stops.
    pub incoming: mpsc::Receiver<Incoming>,
    reader: JoinHandle<()>,
    writer: JoinHandle<std::io::Result<()>>,
    /// Tells the writer to finish the message under way and stop, when the
    /// peer reads too slowly for a full flush.
    stop_writing: CancellationToken,
}

impl Connection {
    /// Start the reader and writer tasks over a byte stream (stdin and stdout,
    /// a socket's halves, a child's pipes). Must be called inside a Tokio runtime.
    pub fn new<R, W>(reader: R, writer: W, config: &TransportConfig) -> Self
    where
        R: AsyncRead + Unpin + Send + 'static,
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (sender, outgoing) = OutgoingMessageSender::new(config);
        let (incoming_tx, incoming) = mpsc::channel(INCOMING_CAPACITY);
        let codec = JsonLinesCodec::new(config.max_message_bytes);
        let reader = tokio::spawn(read_loop(reader, codec, Arc::clone(&sender), incoming_tx));
        let stop_writing = CancellationToken::new();
        let writer = tokio::spawn(write_loop(writer, outgoing, stop_writing.clone()));
        Self { sender, incoming, reader, writer, stop_writing }
    }

    /// A connection over this process's stdin and stdout: on Unix, pipes and
    /// sockets are polled by the runtime's reactor; anything else, and every
    /// descriptor elsewhere, is read and written on blocking threads (see the
    /// `stdio` module).
    pub fn stdio(config: &TransportConfig) -> Self {
        Self::new(crate::stdio::Stdin::open(), crate::stdio::Stdout::open(), config)
    }

    /// Two connections joined in memory, like two processes joined by pipes:
    /// what one sends, the other receives. For tests.
    pub fn memory(config: &TransportConfig) -> (Self, Self) {
        let (a, b) = tokio::io::duplex(MEMORY_PIPE_BYTES);
        let (a_read, a_write) = tokio::io::split(a);
        let (b_read, b_write) = tokio::io::split(b);
        (Self::new(a_read, a_write, config), Self::new(b_read, b_write, config))
    }

    /// Close gracefully: stop reading, resolve our outstanding requests, write
    /// what is queued, flush, and wait for the writer to finish.
    ///
    /// # Errors
    /// The write error, when the peer stopped reading for good (a closed pipe).
    pub async fn shutdown(self) -> std::io::Result<()> {
        self.shutdown_within(Duration::MAX).await
    }

    /// [`shutdown`](Self::shutdown), giving the peer at most `patience` to
    /// read what is queued. After that the writer finishes the message under
    /// way (never leaving half a line on the wire) and drops the rest.
    ///
    /// # Errors
    /// The write error, when the peer stopped reading for good (a closed pipe).
    pub async fn shutdown_within(mut self, patience: Duration) -> std::io::Result<()> {
        // What the reader already queued for the processor stays there.
        self.reader.abort();
        self.sender.close();
        let finished = match tokio::time::timeout(patience, &mut self.writer).await {
            Ok(finished) => finished,
            Err(_) => {
                tracing::warn!(
                    "the peer did not read our last messages in time; sending no more after the current one"
                );
                self.stop_writing.cancel();
                match tokio::time::timeout(LAST_MESSAGE_PATIENCE, &mut self.writer).await {
                    Ok(finished) => finished,
                    Err(_) => {
                        return Err(std::io::Error::new(std::io::ErrorKind::TimedOut, "the peer stopped reading"));
                    }
                }
            }
        };
        finished.unwrap_or_else(|join_error| Err(std::io::Error::other(join_error)))
    }
}

async fn read_loop<R: AsyncRead + Unpin>(
    reader: R,
    codec: JsonLinesCodec,
    sender: Arc<OutgoingMessageSender>,
    incoming: mpsc::Sender<Incoming>,
) {
    let mut frames = FramedRead::with_capacity(reader, codec, READ_BUFFER_BYTES);
    while let Some(frame) = frames.next().await {
        let delivered = match frame {
            Ok(Frame::Line(line)) => route(&line, &sender, &incoming).await,
            Ok(Frame::TooLarge { limit }) => {
                tracing::warn!(limit, "skipping a message larger than the limit");
                let error = ErrorObject::invalid_request(format!("message larger than {limit} bytes"));
                sender.send_error(None, error);
                Ok(())
            }
            Err(error) => {
                tracing::debug!(%error, "reading from the peer failed");
                break;
            }
        };
        if delivered.is_err() {
            tracing::debug!("the processor is gone; stopping the reader");
            break;
        }
    }
    // No answer to our own requests can arrive any more; what we still have
    // to say is written all the same.
    sender.shared().fail_pending("the peer closed its side");
    tracing::debug!("the peer closed its side of the connection");
}

/// Decode one message (or batch) and send it where it goes: answers to our
/// requests to their waiters, requests and notifications to the processor,
/// undecodable input back to the peer as an error.
///
/// # Errors
/// When the processor has gone away.
async fn route(
    bytes: &[u8],
    sender: &OutgoingMessageSender,
    incoming: &mpsc::Sender<Incoming>,
) -> Result<(), mpsc::error::SendError<Incoming>> {
    let decoded = match decode(bytes) {
        Ok(decoded) => decoded,
        Err(error) => {
            tracing::debug!(%error, "answering an undecodable message");
            sender.send_error(error.request_id().cloned(), error.to_error_object());
            return Ok(());
        }
    };
    match decoded {
        Decoded::Single(Message::Request(request)) => incoming.send(Incoming::Request(request)).await,
        Decoded::Single(Message::Notification(notification)) => {
            incoming.send(Incoming::Notification(notification)).await
        }
        Decoded::Single(Message::Response(response)) => {
            sender.handle_response(response);
            Ok(())
        }
        Decoded::Single(Message::Error(response)) => {
            sender.handle_error_response(response);
            Ok(())
        }
        Decoded::Batch(items) => {
            let rest: Vec<_> = items
                .into_iter()
                .filter_map(|item| match item {
                    Ok(Message::Response(response)) => {
                        sender.handle_response(response);
                        None
                    }
                    Ok(Message::Error(response)) => {
                        sender.handle_error_response(response);
                        None
                    }
                    other => Some(other),
                })
                .collect();
            if rest.is_empty() { Ok(()) } else { incoming.send(Incoming::Batch(rest)).await }
        }
    }
}

async fn write_loop<W: AsyncWrite + Unpin>(
    mut writer: W,
    mut outgoing: OutgoingReceiver,
    stop: CancellationToken,
) -> std::io::Result<()> {
    let mut batch = Vec::with_capacity(WRITE_BATCH_BYTES);
    while let Some(envelope) = outgoing.recv().await {
        append_line(&mut batch, &envelope);
        while batch.len() < WRITE_BATCH_BYTES {
            let Some(envelope) = outgoing.try_recv() else { break };
            append_line(&mut batch, &envelope);
        }
        if batch.is_empty() {
            continue;
        }
        match write_batch(&mut writer, &batch, &stop).await {
            Ok(true) => return writer.flush().await,
            Ok(false) => {}
            Err(error) => {
                log_write_error(&error);
                return Err(error);
            }
        }
        batch.clear();
    }
    writer.flush().await
}

/// Write a batch of whole lines and flush. When `stop` fires mid-batch, the
/// line under way is finished and the rest dropped: a peer must never see half
/// a message. Returns whether it stopped early.
async fn write_batch<W: AsyncWrite + Unpin>(
    writer: &mut W,
    batch: &[u8],
    stop: &CancellationToken,
) -> std::io::Result<bool> {
    let mut written = 0;
    let mut end = batch.len();
    let mut stopping = stop.is_cancelled();
    if stopping {
        return Ok(true);
    }
    while written < end {
        let count = tokio::select! {
            biased;
            count = writer.write(&batch[written..end]) => count?,
            () = stop.cancelled(), if !stopping => {
                stopping = true;
                let at_boundary = written == 0 || batch[written - 1] == b'\n';
                end = if at_boundary {
                    written
                } else {
                    memchr::memchr(b'\n', &batch[written..]).map_or(batch.len(), |i| written + i + 1)
                };
                continue;
            }
        };
        if count == 0 {
            return Err(std::io::ErrorKind::WriteZero.into());
        }
        written += count;
    }
    writer.flush().await?;
    Ok(stopping)
}

/// One line per message. Control envelopes carry no message: a byte stream has
/// no per-request streams to close.
fn append_line(batch: &mut Vec<u8>, envelope: &crate::Envelope) {
    if envelope.route.kind == crate::MessageKind::CloseStream {
        return;
    }
    batch.extend_from_slice(&envelope.bytes);
    batch.push(b'\n');
}

fn log_write_error(error: &std::io::Error) {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        tracing::debug!("the peer closed its reading end; stopping the writer");
    } else {
        tracing::warn!(%error, "writing to the peer failed; closing the connection");
    }
}
