//! `_meta`: the metadata object MCP allows on requests, results, notifications
//! and many data types, with the keys the protocol reserves.
//!
//! [`Meta`] keeps every key it is given, so metadata from newer peers survives
//! a round trip; typed accessors read the reserved keys.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::types::{ClientCapabilities, Implementation, LoggingLevel, RelatedTaskMetadata};
use crate::{ProtocolVersion, RequestId};

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

/// Params that carry a `_meta` member: those of every request and
/// notification. What lets code read any request's `_meta` without knowing
/// its method, as a 2026-07-28 server must (the request's revision is there).
pub trait WithMeta {
    /// The params' `_meta`, if they have one.
    fn meta(&self) -> Option<&Meta>;
}

macro_rules! with_meta {
    ($($params:ty),* $(,)?) => {$(
        impl WithMeta for $params {
            fn meta(&self) -> Option<&Meta> {
                self.meta.as_ref()
            }
        }
    )*};
}

with_meta!(
    EmptyParams,
    crate::types::CallToolRequestParams,
    crate::types::CancelledNotificationParams,
    crate::types::CompleteRequestParams,
    crate::types::CreateMessageRequestParams,
    crate::types::GetPromptRequestParams,
    crate::types::InitializeRequestParams,
    crate::types::LoggingMessageNotificationParams,
    crate::types::PaginatedRequestParams,
    crate::types::ProgressNotificationParams,
    crate::types::ReadResourceRequestParams,
    crate::types::ResourceUpdatedNotificationParams,
    crate::types::SetLevelRequestParams,
    crate::types::SubscribeRequestParams,
    crate::types::SubscriptionsListenRequestParams,
    crate::types::TaskStatusNotificationParams,
    crate::types::UnsubscribeRequestParams,
    crate::types::SubscriptionsAcknowledgedNotificationParams,
);

// `tasks/*` params: no `_meta` in 2025-11-25's schema, but the tasks
// extension's requests (2026-07-28) carry one, like every request of that era.
impl WithMeta for crate::types::GetTaskRequestParams {
    fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }
}

// Params whose schema has no `_meta`.
impl WithMeta for crate::types::ElicitationCompleteNotificationParams {
    fn meta(&self) -> Option<&Meta> {
        None
    }
}

impl WithMeta for crate::types::ElicitRequestParams {
    fn meta(&self) -> Option<&Meta> {
        match self {
            Self::Url(params) => params.meta.as_ref(),
            Self::Form(params) => params.meta.as_ref(),
        }
    }
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

    /// The `_meta` a 2026-07-28 request must carry: the revision it speaks and
    /// the client's capabilities, which a session used to remember.
    pub fn for_request(version: ProtocolVersion, capabilities: &ClientCapabilities) -> Self {
        let mut meta = Self::new();
        meta.insert(keys::PROTOCOL_VERSION, Value::from(version.as_str()));
        meta.insert(keys::CLIENT_CAPABILITIES, serde_json::json!(capabilities));
        meta
    }

    /// The request's protocol revision (2026-07-28), as sent; it may name a
    /// revision this crate does not know.
    pub fn protocol_version(&self) -> Option<&str> {
        self.0.get(keys::PROTOCOL_VERSION)?.as_str()
    }

    /// The client's capabilities for this request (2026-07-28).
    pub fn client_capabilities(&self) -> Option<ClientCapabilities> {
        self.get_as(keys::CLIENT_CAPABILITIES)
    }

    /// The client's name and version for this request (2026-07-28).
    pub fn client_info(&self) -> Option<Implementation> {
        self.get_as(keys::CLIENT_INFO)
    }

    /// The log level the request asked for (2026-07-28); with none, the server
    /// sends no log messages for it.
    pub fn log_level(&self) -> Option<LoggingLevel> {
        self.get_as(keys::LOG_LEVEL)
    }

    /// The server's name and version, on a 2026-07-28 result.
    pub fn server_info(&self) -> Option<Implementation> {
        self.get_as(keys::SERVER_INFO)
    }

    /// The `subscriptions/listen` request a notification belongs to (2026-07-28).
    pub fn subscription_id(&self) -> Option<RequestId> {
        self.get_as(keys::SUBSCRIPTION_ID)
    }

    /// The task a message belongs to (2025-11-25).
    pub fn related_task(&self) -> Option<RelatedTaskMetadata> {
        self.get_as(RELATED_TASK)
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
    fn modern_request_meta_reads_back_through_the_typed_accessors() {
        use crate::types::{RootsCapability, SamplingCapability};

        let capabilities = ClientCapabilities {
            roots: Some(RootsCapability::default()),
            sampling: Some(SamplingCapability::default()),
            ..Default::default()
        };
        let mut meta = Meta::for_request(ProtocolVersion::V2026_07_28, &capabilities);
        meta.insert(keys::LOG_LEVEL, Value::from("warning"));
        meta.insert(keys::CLIENT_INFO, serde_json::json!({"name":"c","version":"1"}));
        assert_eq!(meta.protocol_version(), Some("2026-07-28"));
        assert_eq!(meta.client_capabilities(), Some(capabilities));
        assert_eq!(meta.log_level(), Some(LoggingLevel::Warning));
        assert_eq!(meta.client_info().unwrap().name, "c");
        assert_eq!(meta.server_info(), None);
        let raw = serde_json::to_string(&meta).unwrap();
        assert_eq!(
            raw,
            r#"{"io.modelcontextprotocol/clientCapabilities":{"roots":{},"sampling":{}},"io.modelcontextprotocol/clientInfo":{"name":"c","version":"1"},"io.modelcontextprotocol/logLevel":"warning","io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#
        );
    }

    #[test]
    fn typed_accessors_ignore_a_value_of_the_wrong_shape() {
        let meta: Meta = serde_json::from_str(
            r#"{"io.modelcontextprotocol/logLevel":"loud","io.modelcontextprotocol/protocolVersion":7}"#,
        )
        .unwrap();
        assert_eq!(meta.log_level(), None);
        assert_eq!(meta.protocol_version(), None);
    }

    #[test]
    fn empty_result_is_exactly_an_empty_object() {
        assert_eq!(serde_json::to_string(&EmptyResult::default()).unwrap(), "{}");
    }
}
