//! What the sender queues: an outgoing message, before it becomes bytes.
//!
//! Every message leaves through the protocol crate's message types (an
//! [`OutgoingMessage`] becomes a JSON-RPC [`Message`]; an [`EncodedResponse`]
//! is serialised from a `Response`), whose zero-sized `TwoPointZero` member
//! writes `"jsonrpc": "2.0"`: nothing here spells it.

use std::borrow::Cow;

use mcpwire_protocol::{
    ErrorCode, ErrorObject, ErrorResponse, Message, Notification, NotificationEnum, NotificationMethod, ProgressToken,
    PromptListChangedNotification, RawJson, Request, RequestId, ResourceListChangedNotification, Response,
    ServerNotification, ToolListChangedNotification,
};
use serde::Serialize;

/// A message on its way to the peer.
#[derive(Debug, Clone)]
pub enum OutgoingMessage {
    /// A request we send; its waiter is registered before it is queued.
    Request {
        /// The minted id.
        id: RequestId,
        /// The method to call.
        method: Cow<'static, str>,
        /// Raw params, if any.
        params: Option<RawJson>,
    },
    /// A notification of any protocol.
    Notification {
        /// The method name.
        method: Cow<'static, str>,
        /// Raw params, if any.
        params: Option<RawJson>,
    },
    /// A typed MCP notification; method and params come from the enum.
    ServerNotification(ServerNotification),
    /// A successful answer to one of the peer's requests.
    Response {
        /// The id of the request answered.
        id: RequestId,
        /// The result, already serialised.
        result: RawJson,
    },
    /// An error answer; `id` is `None` when the request's id could not be read.
    Error {
        /// The id of the request answered, if known.
        id: Option<RequestId>,
        /// What went wrong.
        error: ErrorObject,
    },
}

impl OutgoingMessage {
    /// A notification from any enum implementing [`NotificationEnum`]: method
    /// from its name, params from `to_params()`. Params that fail to serialise
    /// are logged and the notification goes out without them, because a
    /// notification has no reply in which to report the failure.
    pub fn notification<N: NotificationEnum>(notification: &N) -> Self {
        let method = notification.method();
        let params = notification.to_params().unwrap_or_else(|error| {
            tracing::error!(method, %error, "notification params failed to serialise; sending without params");
            None
        });
        Self::Notification { method: Cow::Borrowed(method), params }
    }

    /// For notifications whose latest value says all the earlier ones did,
    /// the key under which a newer one replaces an older one still queued.
    pub(crate) fn coalesce_key(&self) -> Option<CoalesceKey> {
        let method = match self {
            Self::ServerNotification(ServerNotification::Progress(progress)) => {
                return Some(CoalesceKey::Progress(progress.progress_token.clone()));
            }
            Self::ServerNotification(notification) => notification.method(),
            Self::Notification { method, .. } => method,
            _ => return None,
        };
        let kind = match method {
            m if m == ToolListChangedNotification::METHOD => ListKind::Tools,
            m if m == ResourceListChangedNotification::METHOD => ListKind::Resources,
            m if m == PromptListChangedNotification::METHOD => ListKind::Prompts,
            _ => return None,
        };
        Some(CoalesceKey::ListChanged(kind))
    }

    /// The JSON-RPC message, with `jsonrpc: "2.0"` filled in.
    fn into_message(self) -> Message {
        match self {
            Self::Request { id, method, params } => Message::Request(Request::new(id, method, params)),
            Self::Notification { method, params } => Message::Notification(Notification::new(method, params)),
            Self::ServerNotification(notification) => match Self::notification(&notification) {
                Self::Notification { method, params } => Message::Notification(Notification::new(method, params)),
                _ => unreachable!("OutgoingMessage::notification builds a notification"),
            },
            Self::Response { id, result } => Message::Response(Response::new(id, result)),
            Self::Error { id, error } => Message::Error(ErrorResponse::new(id, error)),
        }
    }

    /// The message as compact JSON bytes, without a line ending.
    pub(crate) fn into_bytes(self) -> Vec<u8> {
        // Every part is already valid JSON (raw params and results were
        // serialised before), so writing the envelope cannot fail.
        serde_json::to_vec(&self.into_message()).expect("a JSON-RPC envelope of valid JSON serialises")
    }
}

/// An answer to one of the peer's requests, serialised once, straight from
/// its typed result: no intermediate `RawValue`, no second copy. Only this
/// module makes them, so the bytes are always one compact JSON-RPC response.
#[derive(Debug, Clone)]
pub struct EncodedResponse {
    pub(crate) id: Option<RequestId>,
    pub(crate) bytes: Vec<u8>,
    /// The error's code, for an error response.
    pub(crate) error: Option<ErrorCode>,
}

impl EncodedResponse {
    /// A successful response carrying `result`.
    ///
    /// # Errors
    /// When `result` fails to serialise.
    pub fn result<T: Serialize + ?Sized>(id: RequestId, result: &T) -> Result<Self, serde_json::Error> {
        let bytes = serde_json::to_vec(&Response::new(id.clone(), result))?;
        Ok(Self { id: Some(id), bytes, error: None })
    }

    /// A successful response whose result object opens with `members`, JSON
    /// object members already serialised (`"_meta":{...}`), then `result`'s
    /// own. For members that are the same in every answer, such as a
    /// server's name, serialised once rather than once per answer.
    ///
    /// `members` must be valid JSON object members, and `result` must not
    /// have members of the same names: neither is checked.
    ///
    /// # Errors
    /// When `result` fails to serialise, or is not a JSON object.
    pub fn result_with_members<T: Serialize + ?Sized>(
        id: RequestId,
        members: &str,
        result: &T,
    ) -> Result<Self, serde_json::Error> {
        let mut bytes = Vec::with_capacity(128 + members.len());
        bytes.extend_from_slice(br#"{"jsonrpc":"2.0","id":"#);
        serde_json::to_writer(&mut bytes, &id)?;
        bytes.extend_from_slice(br#","result":"#);
        let object = bytes.len();
        serde_json::to_writer(&mut bytes, result)?;
        if bytes.get(object) != Some(&b'{') {
            return Err(serde::ser::Error::custom("a result with extra members must be a JSON object"));
        }
        // Open a gap after the result's `{` and write the members into it:
        // one move of the result's own members, done by `copy_within`.
        let empty = bytes.get(object + 1) == Some(&b'}');
        let gap = members.len() + usize::from(!empty);
        let start = object + 1;
        let end = bytes.len();
        bytes.resize(end + gap, 0);
        bytes.copy_within(start..end, start + gap);
        bytes[start..start + members.len()].copy_from_slice(members.as_bytes());
        if !empty {
            bytes[start + members.len()] = b',';
        }
        bytes.push(b'}');
        Ok(Self { id: Some(id), bytes, error: None })
    }

    /// An error response; `id` is `None` when the request's id could not be read.
    pub fn error(id: Option<RequestId>, error: ErrorObject) -> Self {
        let code = error.code;
        let bytes = OutgoingMessage::Error { id: id.clone(), error }.into_bytes();
        Self { id, bytes, error: Some(code) }
    }

    /// The id of the request this answers, if known.
    pub fn id(&self) -> Option<&RequestId> {
        self.id.as_ref()
    }
}

/// Which list a list-changed notification is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum ListKind {
    Tools,
    Resources,
    Prompts,
}

/// The identity under which a newer notification replaces an older queued one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) enum CoalesceKey {
    /// Progress for one token: only the latest value matters.
    Progress(ProgressToken),
    /// "The list changed": once is as good as many times.
    ListChanged(ListKind),
}

#[cfg(test)]
mod tests {
    use mcpwire_protocol::types::{LoggingLevel, LoggingMessageNotificationParams, ProgressNotificationParams};
    use mcpwire_protocol::{EmptyParams, ProgressToken};
    use serde_json::{Value, json};

    use super::*;

    fn wire(message: OutgoingMessage) -> Value {
        serde_json::from_slice(&message.into_bytes()).unwrap()
    }

    #[derive(Serialize, strum::IntoStaticStr)]
    #[serde(tag = "method", content = "params", rename_all = "camelCase")]
    #[strum(serialize_all = "camelCase")]
    enum AppNotification {
        LoginComplete(LoginComplete),
        AuthStatusChange { signed_in: bool },
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct LoginComplete {
        login_id: String,
        success: bool,
    }

    impl NotificationEnum for AppNotification {
        fn method(&self) -> &'static str {
            self.into()
        }
    }

    #[test]
    fn camel_case_strum_notification_serialises_to_its_method_and_params() {
        let login = AppNotification::LoginComplete(LoginComplete { login_id: "l-1".into(), success: true });
        assert_eq!(
            wire(OutgoingMessage::notification(&login)),
            json!({"jsonrpc":"2.0","method":"loginComplete","params":{"loginId":"l-1","success":true}})
        );
        let status = AppNotification::AuthStatusChange { signed_in: false };
        assert_eq!(
            wire(OutgoingMessage::notification(&status)),
            json!({"jsonrpc":"2.0","method":"authStatusChange","params":{"signed_in":false}})
        );
    }

    #[test]
    fn server_notification_takes_method_from_strum_and_params_from_to_params() {
        let log = ServerNotification::LoggingMessage(LoggingMessageNotificationParams {
            level: LoggingLevel::Info,
            logger: None,
            data: json!("hello"),
            meta: None,
        });
        assert_eq!(
            wire(OutgoingMessage::ServerNotification(log)),
            json!({"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"hello"}})
        );
        let changed = ServerNotification::ToolListChanged(EmptyParams::default());
        assert_eq!(
            wire(OutgoingMessage::ServerNotification(changed)),
            json!({"jsonrpc":"2.0","method":"notifications/tools/list_changed"})
        );
    }

    #[derive(Serialize)]
    enum Unserialisable {
        Broken(std::collections::HashMap<(u8, u8), u8>),
    }

    impl NotificationEnum for Unserialisable {
        fn method(&self) -> &'static str {
            "broken"
        }
    }

    #[test]
    fn notification_whose_params_fail_goes_out_without_params() {
        let broken = Unserialisable::Broken([((1, 2), 3)].into_iter().collect());
        assert_eq!(wire(OutgoingMessage::notification(&broken)), json!({"jsonrpc":"2.0","method":"broken"}));
    }

    #[test]
    fn extra_members_open_the_result_object() {
        let members = r#""_meta":{"k":1}"#;
        let full = EncodedResponse::result_with_members(RequestId::Number(7), members, &json!({"a": true})).unwrap();
        let full: serde_json::Value = serde_json::from_slice(&full.bytes).unwrap();
        assert_eq!(full, json!({"jsonrpc": "2.0", "id": 7, "result": {"_meta": {"k": 1}, "a": true}}));
        let empty = EncodedResponse::result_with_members(RequestId::from("x"), members, &json!({})).unwrap();
        assert_eq!(
            std::str::from_utf8(&empty.bytes).unwrap(),
            r#"{"jsonrpc":"2.0","id":"x","result":{"_meta":{"k":1}}}"#
        );
        assert!(EncodedResponse::result_with_members(RequestId::Number(1), members, &json!([1])).is_err());
    }

    #[test]
    fn responses_and_errors_fill_in_jsonrpc() {
        let result = serde_json::value::to_raw_value(&json!({})).unwrap();
        assert_eq!(
            wire(OutgoingMessage::Response { id: RequestId::from("a"), result }),
            json!({"jsonrpc":"2.0","id":"a","result":{}})
        );
        let error = ErrorObject::parse_error();
        assert_eq!(
            wire(OutgoingMessage::Error { id: None, error }),
            json!({"jsonrpc":"2.0","error":{"code":-32700,"message":"Parse error"}})
        );
    }

    #[test]
    fn progress_coalesces_per_token_and_list_changes_per_list() {
        let progress = |token: i64| {
            OutgoingMessage::ServerNotification(ServerNotification::Progress(ProgressNotificationParams {
                progress_token: ProgressToken::Number(token),
                progress: 1.0,
                ..Default::default()
            }))
        };
        assert_eq!(progress(1).coalesce_key(), progress(1).coalesce_key());
        assert_ne!(progress(1).coalesce_key(), progress(2).coalesce_key());
        let tools = OutgoingMessage::ServerNotification(ServerNotification::ToolListChanged(EmptyParams::default()));
        assert_eq!(tools.coalesce_key(), Some(CoalesceKey::ListChanged(ListKind::Tools)));
        let log = OutgoingMessage::Notification { method: "notifications/message".into(), params: None };
        assert_eq!(log.coalesce_key(), None);
    }
}
