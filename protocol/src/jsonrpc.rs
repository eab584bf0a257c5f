//! JSON-RPC 2.0 messages: ids, requests, notifications, responses, and decoding.
//!
//! This is the layer every protocol built on mcpwire shares, MCP or not. Params and
//! results stay raw ([`RawValue`]) so each is parsed exactly once, by whoever knows
//! its type. Decoding a line tells apart "not JSON" (-32700) from "JSON, but not a
//! JSON-RPC message" (-32600), and keeps the id in the second case where it can.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::{Error, ErrorObject};

/// The id of a request: an integer or a string, never converted into one another.
///
/// `1` and `"1"` are different ids, and they print differently: [`fmt::Display`]
/// writes the id as JSON, so a string id keeps its quotes.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RequestId {
    /// An integer id, as mcpwire mints them.
    Number(i64),
    /// A string id, as some clients send them.
    String(String),
}

impl From<i64> for RequestId {
    fn from(value: i64) -> Self {
        Self::Number(value)
    }
}

impl From<String> for RequestId {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<&str> for RequestId {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(n) => n.fmt(f),
            // Debug-quoting would escape differently from JSON; go through serde so
            // the printed form is exactly the wire form.
            Self::String(s) => f.write_str(&serde_json::to_string(s).map_err(|_| fmt::Error)?),
        }
    }
}

impl Serialize for RequestId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(n) => serializer.serialize_i64(*n),
            Self::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdVisitor;

        impl Visitor<'_> for IdVisitor {
            type Value = RequestId;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or an integer")
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
                Ok(RequestId::Number(v))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                i64::try_from(v).map(RequestId::Number).map_err(|_| E::custom("integer id out of range"))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<RequestId, E> {
                Ok(RequestId::String(v))
            }
        }

        deserializer.deserialize_any(IdVisitor)
    }
}

/// The `"jsonrpc": "2.0"` member: zero-sized, it serialises as `"2.0"` and refuses
/// to deserialise from anything else.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct TwoPointZero;

impl Serialize for TwoPointZero {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str("2.0")
    }
}

impl<'de> Deserialize<'de> for TwoPointZero {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let version = Cow::<'de, str>::deserialize(deserializer)?;
        match version.as_ref() {
            "2.0" => Ok(Self),
            other => Err(de::Error::custom(format_args!("unsupported jsonrpc version {other:?}, expected \"2.0\""))),
        }
    }
}

/// Params or a result, kept as the JSON text that arrived until a handler asks
/// for a type.
pub type RawJson = Box<RawValue>;

/// A request: it has an id and expects exactly one response.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    /// Always `"2.0"`.
    pub jsonrpc: TwoPointZero,
    /// Echoed by the response.
    pub id: RequestId,
    /// Which procedure to run.
    pub method: Cow<'static, str>,
    /// The arguments, raw. `None` when the member was absent; a present `null`
    /// is kept as `Some(null)` so a round trip is faithful.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<RawJson>,
}

impl Request {
    /// A request with `jsonrpc` filled in.
    pub fn new(id: RequestId, method: impl Into<Cow<'static, str>>, params: Option<RawJson>) -> Self {
        Self { jsonrpc: TwoPointZero, id, method: method.into(), params }
    }
}

/// A notification: no id, and no response, ever.
#[derive(Debug, Clone, Serialize)]
pub struct Notification {
    /// Always `"2.0"`.
    pub jsonrpc: TwoPointZero,
    /// Which event this is.
    pub method: Cow<'static, str>,
    /// The event's data, raw; see [`Request::params`] for absent versus `null`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub params: Option<RawJson>,
}

impl Notification {
    /// A notification with `jsonrpc` filled in.
    pub fn new(method: impl Into<Cow<'static, str>>, params: Option<RawJson>) -> Self {
        Self { jsonrpc: TwoPointZero, method: method.into(), params }
    }
}

/// A successful response. The result is raw JSON when decoded; a sender may
/// use any serialisable type instead, to serialise the whole message in one pass.
#[derive(Debug, Clone, Serialize)]
pub struct Response<R = RawJson> {
    /// Always `"2.0"`.
    pub jsonrpc: TwoPointZero,
    /// The id of the request this answers.
    pub id: RequestId,
    /// The result.
    pub result: R,
}

impl<R> Response<R> {
    /// A response with `jsonrpc` filled in.
    pub fn new(id: RequestId, result: R) -> Self {
        Self { jsonrpc: TwoPointZero, id, result }
    }
}

/// An error response.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorResponse {
    /// Always `"2.0"`.
    pub jsonrpc: TwoPointZero,
    /// The id of the request this answers; `None` when it could not be read (a
    /// parse error, say). JSON-RPC 2.0 writes that as `"id": null`, but MCP's
    /// `RequestId` is a string or an integer, never `null`, and from 2025-11-25
    /// the schema makes `id` optional on error responses for exactly this case;
    /// so an unknown id is left out, and every message validates. Decoding
    /// accepts `null` and absence alike.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<RequestId>,
    /// What went wrong.
    pub error: ErrorObject,
}

impl ErrorResponse {
    /// An error response with `jsonrpc` filled in.
    pub fn new(id: Option<RequestId>, error: ErrorObject) -> Self {
        Self { jsonrpc: TwoPointZero, id, error }
    }
}

/// Any single JSON-RPC 2.0 message.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Message {
    /// A request.
    Request(Request),
    /// A notification.
    Notification(Notification),
    /// A successful response.
    Response(Response),
    /// An error response.
    Error(ErrorResponse),
}

/// What one line (or one HTTP body) decodes to: a message, or a batch of them.
#[derive(Debug)]
pub enum Decoded {
    /// A single message, as every revision but 2025-03-26 requires.
    Single(Message),
    /// A JSON-RPC batch (an array). Each element decodes on its own, so one bad
    /// element does not spoil the others. Never empty.
    Batch(Vec<Result<Message, Error>>),
}

impl Message {
    /// Decode one JSON-RPC message (not a batch) from bytes.
    ///
    /// # Errors
    /// [`Error::Parse`] when the bytes are not JSON, [`Error::InvalidMessage`]
    /// when they are JSON but not a JSON-RPC 2.0 message (a batch included).
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        // One UTF-8 check for the whole message; parsing from `&str` then skips
        // the per-string and per-raw-value checks that parsing bytes does.
        let text = std::str::from_utf8(bytes).map_err(|e| Error::Parse(serde::de::Error::custom(e)))?;
        Self::from_str(text)
    }

    /// Decode one JSON-RPC message (not a batch) from text; see [`Message::from_slice`].
    ///
    /// # Errors
    /// As [`Message::from_slice`].
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str) -> Result<Self, Error> {
        // serde reads a struct from an array too, member by member in order,
        // so `["2.0",1,"ping"]` would pass for a request (and did, as an
        // element of a batch). A JSON-RPC message is an object.
        if text.trim_start().starts_with('[') {
            return Err(match serde_json::from_str::<de::IgnoredAny>(text) {
                Ok(_) => invalid(None, "a JSON-RPC message is an object, not an array"),
                Err(e) => Error::Parse(e),
            });
        }
        match serde_json::from_str::<Envelope<'_>>(text) {
            Ok(envelope) => envelope.classify(),
            Err(e) if e.is_data() => {
                Err(Error::InvalidMessage { id: recover_id(text), reason: Cow::Owned(describe_data_error(&e)) })
            }
            Err(e) => Err(Error::Parse(e)),
        }
    }

    /// The id this message carries, if it has one.
    pub fn id(&self) -> Option<&RequestId> {
        match self {
            Self::Request(r) => Some(&r.id),
            Self::Response(r) => Some(&r.id),
            Self::Error(r) => r.id.as_ref(),
            Self::Notification(_) => None,
        }
    }
}

impl<'de> Deserialize<'de> for Message {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = RawJson::deserialize(deserializer)?;
        Self::from_str(raw.get()).map_err(de::Error::custom)
    }
}

/// Decode a line or body that holds one message or a batch.
///
/// # Errors
/// As [`Message::from_slice`]; an empty batch (`[]`) is an invalid message.
pub fn decode(bytes: &[u8]) -> Result<Decoded, Error> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::Parse(serde::de::Error::custom(e)))?;
    if !text.trim_start().starts_with('[') {
        return Message::from_str(text).map(Decoded::Single);
    }
    let items: Vec<&RawValue> = serde_json::from_str(text).map_err(Error::Parse)?;
    if items.is_empty() {
        return Err(invalid(None, "an empty batch is not a valid request"));
    }
    Ok(Decoded::Batch(items.into_iter().map(|raw| Message::from_str(raw.get())).collect()))
}

/// Every member a JSON-RPC message may have, borrowed from the input and
/// unparsed, so classification costs one pass over the bytes.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(default, borrow, deserialize_with = "borrowed_str")]
    jsonrpc: Option<Cow<'a, str>>,
    #[serde(default)]
    id: IdField,
    #[serde(default, borrow, deserialize_with = "borrowed_str")]
    method: Option<Cow<'a, str>>,
    #[serde(default, borrow, deserialize_with = "present")]
    params: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(default, borrow, deserialize_with = "present")]
    error: Option<&'a RawValue>,
}

/// A string borrowed from the input, or owned when it had escapes to undo.
/// serde borrows a `Cow<str>` field but not an `Option<Cow<str>>`, which it
/// would copy into a `String` on every message.
fn borrowed_str<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Cow<'de, str>>, D::Error> {
    struct StrVisitor;

    impl<'de> Visitor<'de> for StrVisitor {
        type Value = Cow<'de, str>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }

        fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(Cow::Borrowed(v))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v.to_owned()))
        }

        fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(Cow::Owned(v))
        }
    }

    deserializer.deserialize_str(StrVisitor).map(Some)
}

/// Records that a member was present even when its value is `null`, which a
/// plain `Option` would fold into "absent".
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(deserializer).map(Some)
}

/// The `id` member as classification sees it, read in the same pass as the
/// rest of the message.
#[derive(Default)]
enum IdField {
    #[default]
    Absent,
    Null,
    Valid(RequestId),
    Invalid,
}

impl IdField {
    fn valid(&self) -> Option<RequestId> {
        match self {
            Self::Valid(id) => Some(id.clone()),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for IdField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct IdFieldVisitor;

        impl<'de> Visitor<'de> for IdFieldVisitor {
            type Value = IdField;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }

            fn visit_unit<E: de::Error>(self) -> Result<IdField, E> {
                Ok(IdField::Null)
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdField, E> {
                Ok(IdField::Valid(RequestId::Number(v)))
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdField, E> {
                Ok(i64::try_from(v).map_or(IdField::Invalid, |v| IdField::Valid(RequestId::Number(v))))
            }

            fn visit_f64<E: de::Error>(self, _: f64) -> Result<IdField, E> {
                Ok(IdField::Invalid)
            }

            fn visit_bool<E: de::Error>(self, _: bool) -> Result<IdField, E> {
                Ok(IdField::Invalid)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdField, E> {
                Ok(IdField::Valid(RequestId::String(v.to_owned())))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<IdField, E> {
                Ok(IdField::Valid(RequestId::String(v)))
            }

            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<IdField, A::Error> {
                while seq.next_element::<de::IgnoredAny>()?.is_some() {}
                Ok(IdField::Invalid)
            }

            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<IdField, A::Error> {
                while map.next_entry::<de::IgnoredAny, de::IgnoredAny>()?.is_some() {}
                Ok(IdField::Invalid)
            }
        }

        deserializer.deserialize_any(IdFieldVisitor)
    }
}

impl Envelope<'_> {
    fn classify(self) -> Result<Message, Error> {
        let id = self.id;
        match self.jsonrpc.as_deref() {
            Some("2.0") => {}
            Some(other) => {
                return Err(invalid(id.valid(), format!("unsupported jsonrpc version {other:?}, expected \"2.0\"")));
            }
            None => return Err(invalid(id.valid(), "missing \"jsonrpc\": \"2.0\"")),
        }

        if let Some(method) = self.method {
            if self.result.is_some() || self.error.is_some() {
                return Err(invalid(id.valid(), "a message with a method cannot carry a result or an error"));
            }
            let params = match self.params {
                Some(raw) if !is_structured_or_null(raw) => {
                    return Err(invalid(id.valid(), "params must be an object or an array"));
                }
                params => params.map(RawValue::to_owned),
            };
            // Known method names are static strings: one allocation fewer per message.
            let method =
                crate::dispatch::static_method(&method).map_or_else(|| Cow::Owned(method.into_owned()), Cow::Borrowed);
            return match id {
                IdField::Absent => Ok(Message::Notification(Notification { jsonrpc: TwoPointZero, method, params })),
                IdField::Valid(id) => Ok(Message::Request(Request { jsonrpc: TwoPointZero, id, method, params })),
                IdField::Null | IdField::Invalid => Err(invalid(None, "id must be a string or an integer")),
            };
        }

        match (self.result, self.error) {
            (Some(_), Some(_)) => Err(invalid(id.valid(), "a response cannot carry both a result and an error")),
            (Some(result), None) => match id {
                IdField::Valid(id) => Ok(Message::Response(Response::new(id, result.to_owned()))),
                _ => Err(invalid(None, "a response needs a string or integer id")),
            },
            (None, Some(error)) => {
                let id = match id {
                    IdField::Valid(id) => Some(id),
                    // JSON-RPC requires the member, but a missing id can only mean
                    // the same as `null`: the peer could not tell which request failed.
                    IdField::Null | IdField::Absent => None,
                    IdField::Invalid => return Err(invalid(None, "a response needs a string or integer id")),
                };
                Ok(Message::Error(ErrorResponse::new(id, read_error_object(error))))
            }
            (None, None) => Err(invalid(id.valid(), "a message needs a method, a result or an error")),
        }
    }
}

/// Parse the `error` member, tolerating a malformed one: the id is what matters,
/// because a waiter that never hears back hangs. A malformed object still fails
/// its waiter, with the raw member attached for whoever debugs the peer.
fn read_error_object(raw: &RawValue) -> ErrorObject {
    serde_json::from_str(raw.get()).unwrap_or_else(|e| {
        ErrorObject::internal_error(format!("peer sent a malformed error object: {e}"))
            .with_data(serde_json::from_str(raw.get()).unwrap_or_default())
    })
}

fn is_structured_or_null(raw: &RawValue) -> bool {
    matches!(raw.get().as_bytes().first(), Some(b'{' | b'[' | b'n'))
}

fn invalid(id: Option<RequestId>, reason: impl Into<Cow<'static, str>>) -> Error {
    Error::InvalidMessage { id, reason: reason.into() }
}

/// The slow path after a type error: find the id, if any, so the -32600 answer
/// can name the request. Only malformed messages pay for the second parse.
fn recover_id(text: &str) -> Option<RequestId> {
    #[derive(Deserialize)]
    struct IdOnly {
        id: RequestId,
    }
    serde_json::from_str::<IdOnly>(text).ok().map(|m| m.id)
}

fn describe_data_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.contains("expected struct Envelope") { "a JSON-RPC message must be a JSON object".to_owned() } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn decode_one(raw: &str) -> Result<Message, Error> {
        Message::from_slice(raw.as_bytes())
    }

    fn encode(message: &Message) -> String {
        serde_json::to_string(message).unwrap()
    }

    #[test]
    fn integer_and_string_ids_stay_distinct_and_print_differently() {
        let number: RequestId = serde_json::from_str("1").unwrap();
        let string: RequestId = serde_json::from_str(r#""1""#).unwrap();
        assert_ne!(number, string);
        assert_eq!(number.to_string(), "1");
        assert_eq!(string.to_string(), r#""1""#);
        assert_eq!(serde_json::to_string(&number).unwrap(), "1");
        assert_eq!(serde_json::to_string(&string).unwrap(), r#""1""#);
    }

    #[test]
    fn fractional_and_null_ids_are_rejected() {
        assert!(serde_json::from_str::<RequestId>("1.5").is_err());
        assert!(serde_json::from_str::<RequestId>("null").is_err());
        assert!(serde_json::from_str::<RequestId>("18446744073709551615").is_err());
    }

    #[test]
    fn request_with_string_id_round_trips() {
        let raw = r#"{"jsonrpc":"2.0","id":"abc","method":"tools/list","params":{"cursor":"c"}}"#;
        let Message::Request(request) = decode_one(raw).unwrap() else { panic!("not a request") };
        assert_eq!(request.id, RequestId::String("abc".into()));
        assert_eq!(request.params.as_ref().unwrap().get(), r#"{"cursor":"c"}"#);
        assert_eq!(encode(&Message::Request(request)), raw);
    }

    #[test]
    fn request_with_integer_id_round_trips() {
        let raw = r#"{"jsonrpc":"2.0","id":7,"method":"ping"}"#;
        let message = decode_one(raw).unwrap();
        assert_eq!(message.id(), Some(&RequestId::Number(7)));
        assert_eq!(encode(&message), raw);
    }

    #[test]
    fn absent_and_null_params_are_told_apart() {
        let Message::Request(absent) = decode_one(r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#).unwrap() else {
            panic!()
        };
        let raw_null = r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":null}"#;
        let Message::Request(null) = decode_one(raw_null).unwrap() else { panic!() };
        assert!(absent.params.is_none());
        assert_eq!(null.params.as_ref().unwrap().get(), "null");
        assert_eq!(encode(&Message::Request(null)), raw_null);
    }

    #[test]
    fn params_with_meta_and_progress_token_stay_byte_for_byte() {
        let raw = r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"x","_meta":{"progressToken":"tok-1","com.example/k":[1,2]}}}"#;
        assert_eq!(encode(&decode_one(raw).unwrap()), raw);
    }

    #[test]
    fn notification_without_params_round_trips() {
        let raw = r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#;
        let message = decode_one(raw).unwrap();
        assert!(matches!(message, Message::Notification(_)));
        assert_eq!(encode(&message), raw);
    }

    #[test]
    fn error_response_with_and_without_data_round_trips() {
        for raw in [
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32601,"message":"nope"}}"#,
            r#"{"jsonrpc":"2.0","id":"x","error":{"code":-32602,"message":"bad","data":{"field":"uri"}}}"#,
            r#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}"#,
        ] {
            let message = decode_one(raw).unwrap();
            assert!(matches!(message, Message::Error(_)));
            assert_eq!(encode(&message), raw);
        }
    }

    #[test]
    fn error_response_with_a_null_id_decodes_and_is_written_without_one() {
        let message = decode_one(r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#);
        let message = message.unwrap();
        assert_eq!(message.id(), None);
        assert_eq!(encode(&message), r#"{"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}}"#);
    }

    #[test]
    fn result_response_round_trips() {
        let raw = r#"{"jsonrpc":"2.0","id":4,"result":{}}"#;
        let message = decode_one(raw).unwrap();
        assert!(matches!(message, Message::Response(_)));
        assert_eq!(encode(&message), raw);
    }

    #[test]
    fn text_that_is_not_json_is_a_parse_error() {
        for raw in ["", "{", "not json", r#"{"jsonrpc":"2.0","id":1,"method":"ping"} trailing"#, "\u{1}"] {
            let error = decode_one(raw).unwrap_err();
            assert_eq!(error.to_error_object().code, ErrorCode::PARSE_ERROR, "{raw:?}");
            assert_eq!(error.request_id(), None);
        }
    }

    #[test]
    fn invalid_utf8_is_a_parse_error_not_a_crash() {
        let error = Message::from_slice(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\"}").unwrap_err();
        assert_eq!(error.to_error_object().code, ErrorCode::PARSE_ERROR);
    }

    #[test]
    fn wrong_jsonrpc_version_is_invalid_and_keeps_the_id() {
        for raw in [
            r#"{"jsonrpc":"1.0","id":9,"method":"ping"}"#,
            r#"{"id":9,"method":"ping"}"#,
            r#"{"jsonrpc":2.0,"id":9,"method":"ping"}"#,
        ] {
            let error = decode_one(raw).unwrap_err();
            assert_eq!(error.to_error_object().code, ErrorCode::INVALID_REQUEST, "{raw}");
            assert_eq!(error.request_id(), Some(&RequestId::Number(9)), "{raw}");
        }
    }

    #[test]
    fn json_that_is_not_a_message_is_invalid() {
        for raw in [
            "42",
            r#""text""#,
            r#"{"jsonrpc":"2.0"}"#,
            r#"{"jsonrpc":"2.0","id":1,"result":{},"error":{"code":1,"message":"x"}}"#,
            r#"{"jsonrpc":"2.0","id":null,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":1.5,"method":"ping"}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":3}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":5}"#,
            r#"{"jsonrpc":"2.0","result":{}}"#,
        ] {
            let error = decode_one(raw).unwrap_err();
            assert_eq!(error.to_error_object().code, ErrorCode::INVALID_REQUEST, "{raw}");
        }
    }

    #[test]
    fn invalid_message_keeps_a_valid_id() {
        let error = decode_one(r#"{"jsonrpc":"2.0","id":"k","method":5}"#).unwrap_err();
        assert_eq!(error.request_id(), Some(&RequestId::String("k".into())));
        let error =
            decode_one(r#"{"jsonrpc":"2.0","id":12,"result":{},"error":{"code":1,"message":"x"}}"#).unwrap_err();
        assert_eq!(error.request_id(), Some(&RequestId::Number(12)));
    }

    #[test]
    fn malformed_error_object_still_reaches_its_waiter() {
        let Message::Error(response) = decode_one(r#"{"jsonrpc":"2.0","id":5,"error":"boom"}"#).unwrap() else {
            panic!("not an error response")
        };
        assert_eq!(response.id, Some(RequestId::Number(5)));
        assert_eq!(response.error.code, ErrorCode::INTERNAL_ERROR);
        assert_eq!(response.error.data, Some(serde_json::json!("boom")));
    }

    #[test]
    fn escaped_method_names_and_versions_decode_like_plain_ones() {
        let Message::Request(request) = decode_one(r#"{"jsonrpc":"2\u002e0","id":1,"method":"tools\/call"}"#).unwrap()
        else {
            panic!("not a request")
        };
        assert_eq!(request.method, "tools/call");
    }

    #[test]
    fn unknown_members_are_tolerated() {
        let message = decode_one(r#"{"jsonrpc":"2.0","id":1,"method":"ping","x-future":{"a":1}}"#).unwrap();
        assert!(matches!(message, Message::Request(_)));
    }

    #[test]
    fn batch_decodes_each_element_on_its_own() {
        let raw = br#"[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"1.0","id":2,"method":"ping"},3]"#;
        let Decoded::Batch(items) = decode(raw).unwrap() else { panic!("not a batch") };
        assert_eq!(items.len(), 3);
        assert!(items[0].is_ok());
        assert_eq!(items[1].as_ref().unwrap_err().request_id(), Some(&RequestId::Number(2)));
        assert!(items[2].is_err());
    }

    #[test]
    fn an_array_is_not_a_message_even_when_its_items_fit_the_members_in_order() {
        // Found by the `decode` fuzz target: serde would read these as
        // `jsonrpc`, `id` and `method`, one array item each.
        for raw in [r#"["2.0",1,"ping"]"#, "\r[\"2.0\",\"/{\",\".~\"]", "[]", "[{}]"] {
            let error = Message::from_str(raw).unwrap_err();
            assert_eq!(error.to_error_object().code, ErrorCode::INVALID_REQUEST, "{raw}");
            assert_eq!(error.request_id(), None);
        }
        assert_eq!(Message::from_str("[1,").unwrap_err().to_error_object().code, ErrorCode::PARSE_ERROR);
        let Decoded::Batch(items) =
            decode(br#"[["2.0","nested","ping"],{"jsonrpc":"2.0","id":2,"method":"ping"}]"#).unwrap()
        else {
            panic!("not a batch")
        };
        assert_eq!(items[0].as_ref().unwrap_err().to_error_object().code, ErrorCode::INVALID_REQUEST);
        assert!(items[1].is_ok());
    }

    #[test]
    fn empty_batch_is_invalid_and_broken_batch_is_a_parse_error() {
        assert_eq!(decode(b"[]").unwrap_err().to_error_object().code, ErrorCode::INVALID_REQUEST);
        assert_eq!(decode(b"[{").unwrap_err().to_error_object().code, ErrorCode::PARSE_ERROR);
    }

    #[test]
    fn two_point_zero_rejects_other_versions() {
        assert!(serde_json::from_str::<TwoPointZero>(r#""2.0""#).is_ok());
        assert!(serde_json::from_str::<TwoPointZero>(r#""2.1""#).is_err());
        assert_eq!(serde_json::to_string(&TwoPointZero).unwrap(), r#""2.0""#);
    }
}
