//! `_meta`: the metadata object MCP allows on requests, results, notifications
//! and many data types, with the keys the protocol reserves.
//!
//! [`Meta`] keeps every key it is given, so metadata from newer peers survives
//! a round trip; typed accessors read the reserved keys.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::de::{self, DeserializeOwned};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;
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

    /// Where the params keep their `_meta`, to give them one read
    /// elsewhere; `None` for params whose schema has no `_meta` (the
    /// default, so implementing [`meta`](Self::meta) is enough).
    fn meta_slot(&mut self) -> Option<&mut Option<Meta>> {
        None
    }
}

macro_rules! with_meta {
    ($($params:ty),* $(,)?) => {$(
        impl WithMeta for $params {
            fn meta(&self) -> Option<&Meta> {
                self.meta.as_ref()
            }

            fn meta_slot(&mut self) -> Option<&mut Option<Meta>> {
                Some(&mut self.meta)
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

    fn meta_slot(&mut self) -> Option<&mut Option<Meta>> {
        Some(&mut self.meta)
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

    fn meta_slot(&mut self) -> Option<&mut Option<Meta>> {
        match self {
            Self::Url(params) => Some(&mut params.meta),
            Self::Form(params) => Some(&mut params.meta),
        }
    }
}

/// The contents of a `_meta` member: an open JSON object.
///
/// A request's `_meta` (as read by its params: `tools/call`, the lists,
/// `resources/read`, ...) is kept as the JSON text it came in and parsed
/// only when something asks for a key other than those
/// [`declaration`](Self::declaration) reads: in the 2026-07-28 era every
/// request carries its client's capabilities and name there, and parsing
/// that into a map on every call, to drop it unread, was the largest cost of
/// a stateless call. Every other `_meta` is parsed as it is read.
#[derive(Clone, Default)]
pub struct Meta {
    /// The object, once parsed (at once, or the first time a key is read).
    map: OnceLock<Map<String, Value>>,
    /// The object's JSON text, until something changes it.
    raw: Option<Box<RawValue>>,
}

impl std::fmt::Debug for Meta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Meta").field(self.map()).finish()
    }
}

impl PartialEq for Meta {
    fn eq(&self, other: &Self) -> bool {
        self.map() == other.map()
    }
}

impl From<Map<String, Value>> for Meta {
    fn from(map: Map<String, Value>) -> Self {
        Self { map: OnceLock::from(map), raw: None }
    }
}

impl Serialize for Meta {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.map.get(), &self.raw) {
            (None, Some(raw)) => raw.serialize(serializer),
            _ => self.map().serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Map::deserialize(deserializer).map(Self::from)
    }
}

/// Read a request's `_meta` as text, to be parsed only if a handler asks
/// (see [`Meta`]). Only for params read straight from JSON text or a
/// [`Value`]: serde cannot hand raw JSON over from inside an untagged or
/// internally tagged enum, or a flattened member.
pub(crate) fn lazy<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Meta>, D::Error> {
    let raw = Option::<Box<RawValue>>::deserialize(deserializer)?;
    match raw {
        Some(raw) if raw.get().starts_with('{') => Ok(Some(Meta { map: OnceLock::new(), raw: Some(raw) })),
        Some(_) => Err(de::Error::custom("`_meta` must be a JSON object")),
        None => Ok(None),
    }
}

/// A request's `_meta` whose text was read before, as [`lazy`] would have
/// read it.
pub(crate) fn known(text: &RawValue) -> Meta {
    Meta { map: OnceLock::new(), raw: Some(text.to_owned()) }
}

/// The member a request's params carry their `_meta` under, as it opens.
const META_MEMBER: &str = "\"_meta\":";

/// Request params without their `_meta` member, when that member comes first
/// or last and its value is byte for byte `known`: the text to parse the rest
/// of the params from, so that a `_meta` read before is not read again.
/// `None` otherwise (another `_meta`, or one in the middle, or whitespace
/// around it), and the params are to be parsed whole.
///
/// Why this is worth its subtlety: a 2026-07-28 client sends the same ~190
/// bytes of `_meta` (version, capabilities, name) with every request, and
/// serde_json cannot skip a member without walking it. Not walking it a
/// second time (the envelope's pass already did) took a stateless echo call
/// from 20.7k to 18.8k instructions over stdio, and from 47.3k to 45.7k over
/// HTTP (callgrind).
///
/// `params` and `known` must each be exactly one JSON object, as they are
/// when read from a decoded message (a `RawValue` has no whitespace around
/// it). The answer is then exact, by JSON's grammar alone:
/// - The params object opens at the first byte and closes at the last, so a
///   member right after the one or right before the other is a member of the
///   params, never of an object nested in them.
/// - A `"` right after `{` or `,` opens a string. Were that `{` or `,` inside
///   a string, the `"` (not escaped: no backslash before it) would close the
///   string, and `_meta"` cannot follow a string in valid JSON. A string
///   followed by `:` is a key.
/// - A value that starts where `known` starts and has its bytes is `known`:
///   an object ends at its matching brace, and whether it has ended depends
///   only on the bytes read so far.
pub fn without_known(params: &str, known: &str) -> Option<String> {
    let first = params.strip_prefix('{').and_then(|rest| rest.strip_prefix(META_MEMBER)?.strip_prefix(known));
    let (open, members, close) = match first {
        // The other members follow the comma.
        Some(after) if after.starts_with(',') => ("{", &after[1..], ""),
        Some("}") => ("{}", "", ""),
        Some(_) => return None,
        None => {
            let before = params.strip_suffix('}')?.strip_suffix(known)?.strip_suffix(META_MEMBER)?;
            ("", before.strip_suffix(',')?, "}")
        }
    };
    let mut rest = String::with_capacity(open.len() + members.len() + close.len());
    rest.push_str(open);
    rest.push_str(members);
    rest.push_str(close);
    Some(rest)
}

/// What a 2026-07-28 request's `_meta` says about how to serve it, read
/// without building the rest of the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration<'a> {
    /// `io.modelcontextprotocol/protocolVersion`, as sent; `None` when absent.
    pub protocol_version: Option<Cow<'a, str>>,
    /// Whether `io.modelcontextprotocol/clientCapabilities` is present, and
    /// whether it is an object.
    pub client_capabilities: Presence,
    /// `io.modelcontextprotocol/logLevel`.
    pub log_level: Option<LoggingLevel>,
}

/// Whether a member is there, and of the right kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// Not there.
    Absent,
    /// There, but not of the kind the specification says.
    Malformed,
    /// There and of the right kind.
    Present,
}

impl Meta {
    /// An empty `_meta` object.
    pub fn new() -> Self {
        Self::from(Map::new())
    }

    /// The object, parsed on first use.
    pub fn map(&self) -> &Map<String, Value> {
        self.map
            .get_or_init(|| self.raw.as_ref().and_then(|raw| serde_json::from_str(raw.get()).ok()).unwrap_or_default())
    }

    /// The object, to change it.
    pub fn map_mut(&mut self) -> &mut Map<String, Value> {
        self.map();
        self.raw = None;
        self.map.get_mut().expect("parsed just now")
    }

    /// The object, taken.
    pub fn into_map(mut self) -> Map<String, Value> {
        self.map();
        self.map.take().unwrap_or_default()
    }

    /// The JSON text this `_meta` was read from, while nothing has changed
    /// it; `None` for one built or changed in code, or one that was not read
    /// lazily (only request params read their `_meta` that way).
    /// Two requests whose `_meta` texts are equal declare the same thing, so
    /// a server may remember what it read from the last one instead of
    /// reading the next (see [`declaration`](Self::declaration)).
    pub fn json_text(&self) -> Option<&str> {
        self.raw.as_deref().map(RawValue::get)
    }

    /// The members of a 2026-07-28 request's `_meta` that say how to serve
    /// it: its protocol version, whether it declares the client's
    /// capabilities, and its log level. Read from the text the request
    /// carried, without parsing the rest.
    ///
    /// # Errors
    /// When a log level is there but is not one.
    pub fn declaration(&self) -> Result<Declaration<'_>, serde_json::Error> {
        #[derive(Deserialize)]
        struct Members<'a> {
            #[serde(rename = "io.modelcontextprotocol/protocolVersion", default, borrow)]
            version: Option<&'a RawValue>,
            #[serde(rename = "io.modelcontextprotocol/clientCapabilities", default, borrow)]
            capabilities: Option<&'a RawValue>,
            #[serde(rename = "io.modelcontextprotocol/logLevel", default)]
            log_level: Option<LoggingLevel>,
        }
        let version_of = |raw: &'_ str| -> Option<Cow<'_, str>> { serde_json::from_str::<Cow<'_, str>>(raw).ok() };
        if let (None, Some(raw)) = (self.map.get(), &self.raw) {
            let members: Members<'_> = serde_json::from_str(raw.get())?;
            let capabilities = match members.capabilities.map(RawValue::get) {
                None => Presence::Absent,
                Some(text) if text.starts_with('{') => Presence::Present,
                Some(_) => Presence::Malformed,
            };
            // A version that is not a string is as good as none.
            let protocol_version = members.version.and_then(|v| version_of(v.get()));
            return Ok(Declaration {
                protocol_version,
                client_capabilities: capabilities,
                log_level: members.log_level,
            });
        }
        let map = self.map();
        let capabilities = match map.get(keys::CLIENT_CAPABILITIES) {
            None => Presence::Absent,
            Some(Value::Object(_)) => Presence::Present,
            Some(_) => Presence::Malformed,
        };
        let log_level = map.get(keys::LOG_LEVEL).map(LoggingLevel::deserialize).transpose()?;
        let protocol_version = map.get(keys::PROTOCOL_VERSION).and_then(Value::as_str).map(Cow::Borrowed);
        Ok(Declaration { protocol_version, client_capabilities: capabilities, log_level })
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
        self.map().get(keys::PROTOCOL_VERSION)?.as_str()
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
        self.map().get(key)
    }

    /// A value parsed as `T`; `None` when absent or of another shape.
    pub fn get_as<T: DeserializeOwned>(&self, key: &str) -> Option<T> {
        self.map().get(key).and_then(|v| T::deserialize(v).ok())
    }

    /// Set a key, returning the previous value.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) -> Option<Value> {
        self.map_mut().insert(key.into(), value)
    }

    /// Whether there are no keys at all.
    pub fn is_empty(&self) -> bool {
        self.map().is_empty()
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

    fn call(params: &str) -> crate::types::CallToolRequestParams {
        serde_json::from_str(params).unwrap()
    }

    #[test]
    fn a_requests_meta_is_kept_as_text_until_a_key_is_read() {
        let params = call(
            r#"{"name":"t","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{"sampling":{}},"x":[1, 2]}}"#,
        );
        let meta = params.meta.unwrap();
        assert!(meta.map.get().is_none(), "not parsed yet");
        let declaration = meta.declaration().unwrap();
        assert_eq!(declaration.protocol_version.as_deref(), Some("2026-07-28"));
        assert_eq!(declaration.client_capabilities, Presence::Present);
        assert_eq!(declaration.log_level, None);
        assert!(meta.map.get().is_none(), "the declaration reads the text");
        // Written back as it came, spacing included, until something changes it.
        assert!(serde_json::to_string(&meta).unwrap().ends_with(r#""x":[1, 2]}"#));
        assert_eq!(meta.get("x"), Some(&serde_json::json!([1, 2])));
    }

    #[test]
    fn a_lazy_meta_and_a_parsed_one_are_the_same_meta() {
        let text = r#"{"progressToken":"p","io.modelcontextprotocol/logLevel":"warning","io.modelcontextprotocol/clientCapabilities":7}"#;
        let lazy = call(&format!(r#"{{"name":"t","_meta":{text}}}"#)).meta.unwrap();
        let parsed: Meta = serde_json::from_str(text).unwrap();
        assert_eq!(lazy, parsed);
        assert_eq!(lazy.declaration().unwrap(), parsed.declaration().unwrap());
        assert_eq!(lazy.declaration().unwrap().client_capabilities, Presence::Malformed);
        assert_eq!(lazy.declaration().unwrap().log_level, Some(LoggingLevel::Warning));
        assert_eq!(lazy.progress_token(), Some(ProgressToken::String("p".into())));
    }

    #[test]
    fn changing_a_lazy_meta_parses_it_first() {
        let mut meta = call(r#"{"name":"t","_meta":{"a":1}}"#).meta.unwrap();
        meta.insert("b", Value::from(2));
        assert_eq!(serde_json::to_value(&meta).unwrap(), serde_json::json!({"a": 1, "b": 2}));
    }

    #[test]
    fn request_params_read_from_a_value_keep_their_meta() {
        let params: crate::types::CallToolRequestParams =
            serde_json::from_value(serde_json::json!({"name": "t", "_meta": {"progressToken": 3}})).unwrap();
        assert_eq!(params.meta.unwrap().progress_token(), Some(ProgressToken::Number(3)));
        assert!(serde_json::from_str::<crate::types::CallToolRequestParams>(r#"{"name":"t","_meta":[1]}"#).is_err());
    }

    #[test]
    fn a_declaration_with_a_bad_log_level_is_an_error() {
        let meta = call(r#"{"name":"t","_meta":{"io.modelcontextprotocol/logLevel":"loudest"}}"#).meta.unwrap();
        assert!(meta.declaration().is_err());
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

    const KNOWN: &str = r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","x":{"y":"}"}}"#;

    #[test]
    fn a_known_meta_first_or_last_is_split_off() {
        let cases = [
            (format!(r#"{{"_meta":{KNOWN},"name":"t","arguments":{{}}}}"#), r#"{"name":"t","arguments":{}}"#),
            (format!(r#"{{"name":"t","arguments":{{}},"_meta":{KNOWN}}}"#), r#"{"name":"t","arguments":{}}"#),
            (format!(r#"{{"name":"t" ,"_meta":{KNOWN}}}"#), r#"{"name":"t" }"#),
            (format!(r#"{{"_meta":{KNOWN}}}"#), "{}"),
        ];
        for (params, rest) in cases {
            assert_eq!(without_known(&params, KNOWN).as_deref(), Some(rest), "{params}");
        }
    }

    #[test]
    fn a_meta_that_is_not_the_params_own_known_one_is_left_in() {
        let other = r#"{"io.modelcontextprotocol/protocolVersion":"2025-11-25"}"#;
        let cases = [
            // Another `_meta`, or the known one with whitespace around it.
            format!(r#"{{"name":"t","_meta":{other}}}"#),
            format!(r#"{{"_meta": {KNOWN},"name":"t"}}"#),
            format!(r#"{{"_meta":{KNOWN} ,"name":"t"}}"#),
            format!(r#"{{ "_meta":{KNOWN}}}"#),
            format!(r#"{{"name":"t","_meta":{KNOWN} }}"#),
            // In the middle: its depth would take a scan to know.
            format!(r#"{{"a":1,"_meta":{KNOWN},"b":2}}"#),
            // Nested in an argument, first or last there.
            format!(r#"{{"arguments":{{"_meta":{KNOWN}}}}}"#),
            format!(r#"{{"arguments":{{"x":1,"_meta":{KNOWN}}}}}"#),
            // A key that ends in `_meta` after an escaped quote.
            format!(r#"{{"a":1,"b\"_meta":{KNOWN}}}"#),
            // Not an object.
            format!("[{KNOWN}]"),
            "null".to_owned(),
        ];
        for params in cases {
            serde_json::from_str::<Value>(&params).unwrap_or_else(|e| panic!("{params}: {e}"));
            assert_eq!(without_known(&params, KNOWN), None, "{params}");
        }
    }

    #[test]
    fn a_request_parsed_around_its_known_meta_equals_one_parsed_whole() {
        let known = RawValue::from_string(KNOWN.to_owned()).unwrap();
        let params = [
            format!(r#"{{"_meta":{KNOWN},"name":"t","arguments":{{"a":[1,"}}"]}}}}"#),
            format!(r#"{{"name":"t","_meta":{KNOWN}}}"#),
        ];
        for params in params {
            let params = RawValue::from_string(params).unwrap();
            let fast = crate::ClientRequest::from_parts_known_meta("tools/call", &params, &known).expect("split");
            let whole = crate::ClientRequest::from_parts("tools/call", Some(&params)).unwrap();
            assert_eq!(fast, whole);
            assert_eq!(fast.meta().and_then(Meta::json_text), Some(KNOWN));
            assert_eq!(fast.to_params().unwrap().unwrap().get(), whole.to_params().unwrap().unwrap().get());
        }
    }

    #[test]
    fn params_that_need_a_whole_parse_to_be_judged_get_one() {
        let known = RawValue::from_string(KNOWN.to_owned()).unwrap();
        let raw = |text: String| RawValue::from_string(text).unwrap();
        // A second `_meta` is an error the whole parse reports.
        let twice = raw(format!(r#"{{"_meta":{{}},"name":"t","_meta":{KNOWN}}}"#));
        assert_eq!(crate::ClientRequest::from_parts_known_meta("tools/call", &twice, &known), None);
        assert!(crate::ClientRequest::from_parts("tools/call", Some(&twice)).is_err());
        // So are missing members, and a method that is not the enum's.
        let nameless = raw(format!(r#"{{"_meta":{KNOWN}}}"#));
        assert_eq!(crate::ClientRequest::from_parts_known_meta("tools/call", &nameless, &known), None);
        assert_eq!(crate::ClientRequest::from_parts_known_meta("tools/frobnicate", &nameless, &known), None);
        // Params without `_meta` of their own can take none.
        let listed = crate::ClientRequest::from_parts_known_meta("tools/list", &nameless, &known).unwrap();
        assert_eq!(listed.meta().and_then(Meta::json_text), Some(KNOWN));
    }

    #[test]
    fn empty_result_is_exactly_an_empty_object() {
        assert_eq!(serde_json::to_string(&EmptyResult::default()).unwrap(), "{}");
    }
}
