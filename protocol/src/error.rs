//! JSON-RPC error objects and the codes JSON-RPC 2.0 and MCP give them.
//!
//! An [`ErrorObject`] is what travels in the `error` member of a response; it is
//! data, not a Rust error. The crate's own [`Error`] describes why a message could
//! not be decoded or dispatched, and converts into the [`ErrorObject`] the peer
//! should get for it.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::RequestId;

/// The integer `code` of a JSON-RPC error.
///
/// A newtype rather than an enum: peers may send any integer, and an unknown
/// code must survive a round trip unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ErrorCode(pub i64);

impl ErrorCode {
    /// -32700: the bytes were not valid JSON.
    pub const PARSE_ERROR: Self = Self(-32700);
    /// -32600: valid JSON, but not a valid JSON-RPC message, or not allowed now
    /// (for example a request before `initialize`).
    pub const INVALID_REQUEST: Self = Self(-32600);
    /// -32601: the method does not exist or is not available.
    pub const METHOD_NOT_FOUND: Self = Self(-32601);
    /// -32602: the params do not fit the method.
    pub const INVALID_PARAMS: Self = Self(-32602);
    /// -32603: the server failed while handling a valid request.
    pub const INTERNAL_ERROR: Self = Self(-32603);

    /// -32002: MCP's "resource not found" (2024-11-05 to 2025-11-25; 2026-07-28
    /// answers -32602 instead, and clients still accept -32002).
    pub const RESOURCE_NOT_FOUND: Self = Self(-32002);
    /// -32042: MCP 2025-11-25's `URLElicitationRequiredError`: the request needs
    /// the user to complete a URL-mode elicitation first. Retired in 2026-07-28.
    pub const URL_ELICITATION_REQUIRED: Self = Self(-32042);
    /// -32020: MCP 2026-07-28's `HeaderMismatch`: an HTTP header disagrees with
    /// the JSON-RPC body.
    pub const HEADER_MISMATCH: Self = Self(-32020);
    /// -32021: MCP 2026-07-28's `MissingRequiredClientCapability`; `data` names
    /// the capabilities in `requiredCapabilities`.
    pub const MISSING_REQUIRED_CLIENT_CAPABILITY: Self = Self(-32021);
    /// -32022: MCP 2026-07-28's `UnsupportedProtocolVersion`; `data` carries
    /// `supported` and `requested`.
    pub const UNSUPPORTED_PROTOCOL_VERSION: Self = Self(-32022);

    /// -32000: mcpwire's "server overloaded": too many requests are running, try
    /// again later. In the JSON-RPC range reserved for implementation errors and
    /// outside the -32020..=-32099 range MCP reserves for itself. Also the answer
    /// to a request still running when the server shuts down: in both cases the
    /// request was fine and may be sent again. The TypeScript SDK gives its own
    /// requests this code (`ConnectionClosed`) when a connection closes under them.
    pub const SERVER_OVERLOADED: Self = Self(-32000);
    /// -32001: mcpwire's "request timed out" when a peer did not answer in time.
    /// The same code the TypeScript SDK uses for its timeouts.
    pub const REQUEST_TIMEOUT: Self = Self(-32001);

    /// The standard message for a code, used when a caller has nothing better.
    pub fn default_message(self) -> &'static str {
        match self {
            Self::PARSE_ERROR => "Parse error",
            Self::INVALID_REQUEST => "Invalid request",
            Self::METHOD_NOT_FOUND => "Method not found",
            Self::INVALID_PARAMS => "Invalid params",
            Self::INTERNAL_ERROR => "Internal error",
            Self::RESOURCE_NOT_FOUND => "Resource not found",
            Self::URL_ELICITATION_REQUIRED => "URL elicitation required",
            Self::HEADER_MISMATCH => "Header mismatch",
            Self::MISSING_REQUIRED_CLIENT_CAPABILITY => "Missing required client capability",
            Self::UNSUPPORTED_PROTOCOL_VERSION => "Unsupported protocol version",
            Self::SERVER_OVERLOADED => "Server overloaded",
            Self::REQUEST_TIMEOUT => "Request timed out",
            _ => "Server error",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// The `error` member of a JSON-RPC error response.
///
/// Wire data, deliberately not a `std::error::Error`: handler errors convert
/// from any `std::error::Error` into "internal error", and an `ErrorObject`
/// must never be swallowed that way and lose its code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorObject {
    /// What kind of error this is.
    pub code: ErrorCode,
    /// A short, human-readable description.
    pub message: Cow<'static, str>,
    /// Anything more the sender wants to say; absent unless set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

impl ErrorObject {
    /// An error with a code and a message, and no `data`.
    pub fn new(code: ErrorCode, message: impl Into<Cow<'static, str>>) -> Self {
        Self { code, message: message.into(), data: None }
    }

    /// The same error, with `data` attached.
    #[must_use]
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// -32700 with the standard message.
    pub fn parse_error() -> Self {
        Self::new(ErrorCode::PARSE_ERROR, ErrorCode::PARSE_ERROR.default_message())
    }

    /// -32600 with an explanation.
    pub fn invalid_request(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INVALID_REQUEST, message)
    }

    /// -32601 naming the method.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(ErrorCode::METHOD_NOT_FOUND, format!("Method not found: {method}"))
    }

    /// -32602 with an explanation.
    pub fn invalid_params(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INVALID_PARAMS, message)
    }

    /// -32603 with an explanation.
    pub fn internal_error(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::INTERNAL_ERROR, message)
    }

    /// -32020 (2026-07-28): an HTTP header disagrees with the body; the message
    /// names the header.
    pub fn header_mismatch(message: impl Into<Cow<'static, str>>) -> Self {
        Self::new(ErrorCode::HEADER_MISMATCH, message)
    }
}

impl fmt::Display for ErrorObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (code {})", self.message, self.code)
    }
}

/// Why bytes could not become a message, or a message could not become a typed
/// request or notification.
///
/// Each variant maps to the error response the peer should receive
/// ([`Error::to_error_object`]); [`Error::request_id`] says which request it
/// answers, when that could be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes are not JSON (-32700). The answer carries `id: null`.
    #[error("not JSON: {0}")]
    Parse(#[source] serde_json::Error),
    /// The bytes are JSON but not a valid JSON-RPC 2.0 message (-32600).
    #[error("not a valid JSON-RPC message: {reason}")]
    InvalidMessage {
        /// The message's id, when it had a valid one, so the answer can name it.
        id: Option<RequestId>,
        /// What was wrong.
        reason: Cow<'static, str>,
    },
    /// The method is not one the receiver knows (-32601).
    #[error("unknown method `{0}`")]
    UnknownMethod(String),
    /// The method is known but its params do not fit (-32602).
    #[error("invalid params for `{method}`: {source}")]
    InvalidParams {
        /// The method whose params were wrong.
        method: &'static str,
        /// What serde said about them.
        #[source]
        source: serde_json::Error,
    },
}

impl Error {
    /// The error object a peer should get for this error.
    pub fn to_error_object(&self) -> ErrorObject {
        match self {
            Self::Parse(_) => ErrorObject::parse_error(),
            Self::InvalidMessage { reason, .. } => ErrorObject::invalid_request(reason.clone()),
            Self::UnknownMethod(method) => ErrorObject::method_not_found(method),
            Self::InvalidParams { .. } => ErrorObject::invalid_params(self.to_string()),
        }
    }

    /// The id of the request this error answers, when it is known.
    pub fn request_id(&self) -> Option<&RequestId> {
        match self {
            Self::InvalidMessage { id, .. } => id.as_ref(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_without_data_round_trips_without_data_member() {
        let raw = r#"{"code":-32601,"message":"Method not found: x"}"#;
        let error: ErrorObject = serde_json::from_str(raw).unwrap();
        assert_eq!(error.code, ErrorCode::METHOD_NOT_FOUND);
        assert_eq!(error.data, None);
        assert_eq!(serde_json::to_string(&error).unwrap(), raw);
    }

    #[test]
    fn error_with_data_round_trips_data() {
        let raw = r#"{"code":-32022,"message":"Unsupported protocol version","data":{"requested":"1999-01-01","supported":["2026-07-28"]}}"#;
        let error: ErrorObject = serde_json::from_str(raw).unwrap();
        assert_eq!(error.code, ErrorCode::UNSUPPORTED_PROTOCOL_VERSION);
        assert_eq!(error.data.as_ref().unwrap()["requested"], "1999-01-01");
        assert_eq!(serde_json::to_string(&error).unwrap(), raw);
    }

    #[test]
    fn unknown_error_code_survives_a_round_trip() {
        let raw = r#"{"code":12345,"message":"custom"}"#;
        let error: ErrorObject = serde_json::from_str(raw).unwrap();
        assert_eq!(error.code, ErrorCode(12345));
        assert_eq!(serde_json::to_string(&error).unwrap(), raw);
    }

    #[test]
    fn mcp_codes_have_their_documented_values() {
        assert_eq!(ErrorCode::RESOURCE_NOT_FOUND.0, -32002);
        assert_eq!(ErrorCode::URL_ELICITATION_REQUIRED.0, -32042);
        assert_eq!(ErrorCode::HEADER_MISMATCH.0, -32020);
        assert_eq!(ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY.0, -32021);
        assert_eq!(ErrorCode::UNSUPPORTED_PROTOCOL_VERSION.0, -32022);
    }
}
