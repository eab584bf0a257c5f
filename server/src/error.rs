//! The server crate's one error type.

use mcpwire_protocol::ErrorObject;

/// What can go wrong for a server or for a handler's request to the client.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The client did not declare the capability a request to it needs
    /// (`elicitation`, `sampling`, `roots`, or a sub-capability such as
    /// `elicitation.url` or `sampling.tools`), so the request was not sent.
    #[error("the client did not declare the `{0}` capability")]
    MissingClientCapability(&'static str),
    /// The session's protocol revision does not allow this request.
    #[error("{0} is not available in protocol version {1}")]
    NotInVersion(&'static str, mcpwire_protocol::ProtocolVersion),
    /// The client has not finished `initialize`, so there are no capabilities to check.
    #[error("the client has not initialized the session")]
    NotInitialized,
    /// A stateless request (2026-07-28) of a method that may not ask the
    /// client anything: only `tools/call`, `prompts/get` and `resources/read` may.
    #[error(
        "only tools/call, prompts/get and resources/read may ask the client for input in protocol version 2026-07-28"
    )]
    NoInputHere,
    /// The client's answer to a question (its `inputResponses`) is not an
    /// answer to that kind of question.
    #[error("invalid input response: {0}")]
    InvalidInputResponse(String),
    /// The task this handler ran as ended (it was cancelled, or expired)
    /// while the handler waited for an answer.
    #[error("the task ended before its question was answered")]
    TaskEnded,
    /// A request to the client failed: its error reply, a timeout,
    /// cancellation, or the connection closing.
    #[error(transparent)]
    Transport(#[from] mcpwire_transport::Error),
    /// Serving failed at the I/O level.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// Log directives that do not parse (see [`log_to_stderr`](crate::log_to_stderr)).
    #[error("invalid log directives: {0}")]
    LogFilter(String),
    /// A skill that cannot be served: unreadable, or breaking SEP-2640's rules.
    #[error("{0}")]
    Skill(String),
    /// A `requestState` key that is too short to be safe.
    #[error("{0}")]
    StateKey(String),
    /// The process already has a `tracing` subscriber.
    #[error("a tracing subscriber is already set for this process")]
    LogAlreadySet,
}

impl Error {
    /// The client's own error object, when the client answered with one.
    pub fn client_error(&self) -> Option<&ErrorObject> {
        match self {
            Self::Transport(mcpwire_transport::Error::Peer(error)) => Some(error),
            _ => None,
        }
    }
}
