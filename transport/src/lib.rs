//! Bytes in and out for mcpwire: the outgoing sender with its pending-response
//! map, newline-delimited JSON framing, and reader and writer tasks that never
//! deadlock.
//!
//! This crate is the only one that touches bytes and sockets. It knows JSON-RPC
//! (from `mcpwire-protocol`) but nothing of the MCP lifecycle or of handlers,
//! which belong to `mcpwire-server`.
//!
//! The pieces, in the order a message meets them:
//! - [`JsonLinesCodec`] splits a byte stream into lines, with a size limit;
//! - the reader task of a [`Connection`] decodes each line, routes the peer's
//!   answers to our requests to their waiters and passes the rest on as
//!   [`Incoming`];
//! - [`OutgoingMessageSender`] registers the waiter of each request we send
//!   under a freshly minted id, and queues everything we send under the
//!   back-pressure policy described in `queue`;
//! - the writer task drains the queue, flushing when it runs dry.
//!
//! Two connected peers in memory, one asking and one answering:
//!
//! ```
//! use mcpwire_transport::{Connection, Incoming, TransportConfig};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), mcpwire_transport::Error> {
//! let (client, mut server) = Connection::memory(&TransportConfig::default());
//! tokio::spawn(async move {
//!     while let Some(Incoming::Request(request)) = server.incoming.recv().await {
//!         server.sender.send_response(request.id, &serde_json::json!({"pong": true}));
//!     }
//! });
//! let result = client.sender.send_request("ping", None).await?;
//! assert_eq!(result.get(), r#"{"pong":true}"#);
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

mod codec;
mod connection;
mod error;
#[cfg(feature = "http")]
pub mod http;
mod message;
mod pending;
mod queue;
mod sender;
mod stdio;

use std::time::Duration;

pub use codec::{DEFAULT_MAX_MESSAGE_BYTES, Frame, JsonLinesCodec};
pub use connection::{Connection, Incoming};
pub use error::Error;
pub use message::{EncodedResponse, OutgoingMessage};
pub use queue::{Envelope, MessageKind, OutgoingReceiver, Route, TrySend};
pub use sender::{OutgoingMessageSender, RequestOptions, ResponseFuture, SenderStats, TypedResponse};

/// Limits and defaults of one connection.
#[derive(Debug, Clone)]
pub struct TransportConfig {
    /// The largest incoming message accepted; longer ones are answered with an
    /// error and skipped without being buffered.
    pub max_message_bytes: usize,
    /// Memory that queued notifications may hold while they wait for the peer
    /// to read. A producer that would exceed it waits (or, with `try_`,
    /// coalesces or drops). Counted like `max_queued_bytes`.
    pub notification_budget_bytes: usize,
    /// Memory that queued messages of every kind may hold while they wait for
    /// the peer. Responses never wait, so only a peer that sends and never
    /// reads gets here; the connection is then closed rather than let memory
    /// grow. Counted honestly: each message's allocation (its capacity, not
    /// only its JSON), its place in the queue and the allocator's overhead,
    /// so that this bounds the memory a careless peer can make us hold.
    pub max_queued_bytes: usize,
    /// How long a request we send waits for its answer, unless the call says
    /// otherwise; `None` waits forever.
    pub request_timeout: Option<Duration>,
}

impl Default for TransportConfig {
    fn default() -> Self {
        Self {
            max_message_bytes: DEFAULT_MAX_MESSAGE_BYTES,
            // Enough to keep the pipe full between the writer's wake-ups, small
            // enough that a stalled peer costs a megabyte, not the whole flood.
            notification_budget_bytes: 1024 * 1024,
            // Far more than any honest burst of answers; still a bound.
            max_queued_bytes: 64 * 1024 * 1024,
            // The TypeScript SDK's default, so both sides give up at the same time.
            request_timeout: Some(Duration::from_secs(60)),
        }
    }
}
