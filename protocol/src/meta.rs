//! `_meta`: the metadata object MCP allows on requests, results, notifications
//! and many data types, with the keys the protocol reserves.
//!
//! [`Meta`] keeps every key it is given, so metadata from newer peers survives
//! a round trip; typed accessors read the reserved keys.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::RequestId;

/// The `_meta` key under which a request asks for progress notifications.
pub const PROGRESS_TOKEN: &str = "progressToken";

/// The `_meta` key tying a message to an experimental task (2025-11-25).
pub const RELATED_TASK: &str = "io.modelcontextprotocol/related-task";

/// The `_meta` key that relates an event to a request (mcpwire's app-server
/// events; not an MCP key).
pub const REQUEST_ID: &str = "requestId";

/// Reserved `_meta` keys of MCP 2026-07-28, where each request carries what a
/// session used to remember.
pub mod keys {
    /// The protocol revision of this request (required on requests).
    pub const PROTOCOL_VERSION: &str = "io.modelcontextprotocol/protocolVersion";
    /// The client's capabilities for this request (required on requests).
    pub const CLIENT_CAPABILITIES: &str = "io.modelcontextprotocol/clientCapabilities";
    /// The client's name and version (optional).
    pub const CLIENT_INFO: &str = "io.modelcontextprotocol/clientInfo";
    /// The log level for this request; with none, the server sends no logs.
    pub const LOG_LEVEL: &str = "io.modelcontextprotocol/logLevel";
    /// The server's name and version, on results.
    pub const SERVER_INFO: &str = "io.modelcontextprotocol/serverInfo";
    /// Tags every notification of a `subscriptions/listen` stream with the id
    /// of the listen request.
    pub const SUBSCRIPTION_ID: &str = "io.modelcontextprotocol/subscriptionId";
    /// W3C trace context (OpenTelemetry).
    pub const TRACEPARENT: &str = "traceparent";
    /// W3C trace state (OpenTelemetry).
    pub const TRACESTATE: &str = "tracestate";
    /// W3C baggage (OpenTelemetry).
    pub const BAGGAGE: &str = "baggage";
}

/// The contents of a `_meta` member: an open JSON object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Meta(pub Map<String, Value>);

impl Meta {
    /// An empty `_meta` object.
    pub fn new() -> Self {
        Self::default()
    }

    /// The progress token the request asked to be echoed, if any.
    pub fn progress_token(&self) -> Option<ProgressToken> {
        self.get_as(PROGRESS_TOKEN)
    }

    /// A value, by key.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.get(key)
    }

    /// A value parsed as `T`; `None` when absent or of another shape.
    pub fn get_as<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.0.get(key).and_then(|v| T::deserialize(v).ok())
    }

    /// Set a key, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.0.insert(key.into(), value)
    }

    /// Whether there are no keys at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A progress token: a string or an integer, echoed back with the same JSON type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ProgressToken {
    /// An integer token (what the TypeScript SDK sends: the request id).
    Number(i64),
    /// A string token.
    String(String),
}

impl From<RequestId> for ProgressToken {
    fn from(id: RequestId) -> Self {
        match id {
            RequestId::Number(n) => Self::Number(n),
            RequestId::String(s) => Self::String(s),
        }
    }
}

/// Params with nothing but an optional `_meta`: what `ping`, the list-changed
/// notifications and `notifications/initialized` carry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmptyParams {
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// A result with nothing but an optional `_meta`: `ping`, `logging/setLevel`,
/// `resources/subscribe`. Serialises as exactly `{}` when `_meta` is unset.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EmptyResult {
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_token_keeps_its_json_type() {
        let meta: Meta = serde_json::from_str(r#"{"progressToken":7}"#).unwrap();
        assert_eq!(meta.progress_token(), Some(ProgressToken::Number(7)));
        let meta: Meta = serde_json::from_str(r#"{"progressToken":"7"}"#).unwrap();
        assert_eq!(meta.progress_token(), Some(ProgressToken::String("7".into())));
        assert_eq!(serde_json::to_string(&ProgressToken::Number(7)).unwrap(), "7");
    }

    #[test]
    fn unknown_meta_keys_survive_a_round_trip() {
        let raw = r#"{"progressToken":"t","com.example/trace":{"span":[1,2]}}"#;
        let meta: Meta = serde_json::from_str(raw).unwrap();
        let back: Value = serde_json::to_value(&meta).unwrap();
        assert_eq!(back, serde_json::from_str::<Value>(raw).unwrap());
    }

    #[test]
    fn empty_result_is_exactly_an_empty_object() {
        assert_eq!(serde_json::to_string(&EmptyResult::default()).unwrap(), "{}");
    }
}
