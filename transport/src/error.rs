//! The transport's one error type.
//!
//! Two families live here and are kept apart by variant: a request we sent
//! failed (the peer's error reply, a timeout, cancellation: the connection goes
//! on), or the connection itself failed (I/O, closed: it ends). A third,
//! rarer kind is a configuration that cannot work, refused when it is made.

use mcpwire_protocol::ErrorObject;

/// Why a request did not get a result, or why the connection failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The peer answered with a JSON-RPC error.
    #[error("the peer answered with an error: {0}")]
    Peer(ErrorObject),
    /// The peer did not answer within the request's timeout; the request was
    /// withdrawn and `notifications/cancelled` sent.
    #[error("the peer did not answer within {0:?}")]
    Timeout(std::time::Duration),
    /// Our side cancelled the request before an answer came.
    #[error("the request was cancelled")]
    Cancelled,
    /// The connection closed before the answer came, or before sending.
    #[error("the connection is closed")]
    ConnectionClosed,
    /// The peer's result did not have the type the request promised.
    #[error("the peer's result does not fit the expected type: {0}")]
    InvalidResult(#[source] serde_json::Error),
    /// Params could not be serialised; nothing was sent.
    #[error("could not serialise the message: {0}")]
    Serialize(#[source] serde_json::Error),
    /// Reading or writing the underlying stream failed.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A protected resource named by something other than an absolute
    /// `http` or `https` URI without a fragment (`AuthConfig::new`).
    #[error("invalid resource URI {0:?}: it must be an absolute http or https URI without a fragment")]
    InvalidResource(String),
}

impl Error {
    /// Whether this error means the connection is gone (as opposed to one
    /// request failing).
    pub fn is_connection_error(&self) -> bool {
        matches!(self, Self::ConnectionClosed | Self::Io(_))
    }
}
