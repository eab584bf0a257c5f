//! The stateless protocol of 2026-07-28: `server/discover`, result types and
//! cache hints, input-required results (a server's questions travel inside a
//! result, and the client's answers inside its retry), `subscriptions/listen`,
//! and the data of the errors that revision added.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ClientCapabilities, CreateMessageResult, ElicitResult, ListRootsResult, ServerCapabilities};
use crate::method::dispatch_enum;
use crate::{EmptyParams, ErrorCode, ErrorObject, Meta};

/// A result's `resultType`: how to read the rest of it (2026-07-28).
///
/// A newtype rather than an enum: extensions add their own types (the tasks
/// extension answers `task`), and an unknown one must survive a round trip.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ResultType(pub Cow<'static, str>);

impl ResultType {
    /// `complete`: the request's own result.
    pub const COMPLETE: Self = Self(Cow::Borrowed("complete"));
    /// `input_required`: an [`InputRequiredResult`]; retry with the answers.
    pub const INPUT_REQUIRED: Self = Self(Cow::Borrowed("input_required"));
    /// `task`: the request became a task (extension `io.modelcontextprotocol/tasks`).
    pub const TASK: Self = Self(Cow::Borrowed("task"));

    /// The type as on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ResultType {
    fn default() -> Self {
        Self::COMPLETE
    }
}

/// Who may keep a cached copy of a result (2026-07-28).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheScope {
    /// Any cache, shared between users.
    Public,
    /// Only this client, for this user.
    #[default]
    Private,
}

/// `server/discover` params: nothing but the request `_meta` every 2026-07-28
/// request carries.
pub type DiscoverRequestParams = EmptyParams;

/// The result of `server/discover`: what `initialize` used to tell, cacheable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiscoverResult {
    /// `complete`; required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// Every revision the server speaks.
    pub supported_versions: Vec<String>,
    /// What the server can do.
    pub capabilities: ServerCapabilities,
    /// How to use the server, for the model's context.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instructions: Option<String>,
    /// How long the client may cache this result, in milliseconds; required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy; required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<CacheScope>,
    /// Metadata; carries `io.modelcontextprotocol/serverInfo`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

dispatch_enum! {
    /// A question a server asks the client inside an [`InputRequiredResult`]: a
    /// request without `jsonrpc` and `id`, answered by an [`InputResponse`] in
    /// the client's retry.
    pub enum InputRequest: RequestMethod {
        /// `sampling/createMessage`.
        "sampling/createMessage" => CreateMessage(crate::CreateMessageRequest),
        /// `roots/list`.
        "roots/list" => ListRoots(crate::ListRootsRequest),
        /// `elicitation/create`.
        "elicitation/create" => Elicit(crate::ElicitRequest),
    }
}

/// The questions of an [`InputRequiredResult`], by a key the server chooses.
pub type InputRequests = BTreeMap<String, InputRequest>;

/// The client's answer to one [`InputRequest`].
///
/// The schema has no tag; the answers differ in their required members
/// (`model`, `roots`, `action`), which is what decoding goes by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum InputResponse {
    /// The answer to `sampling/createMessage`.
    CreateMessage(CreateMessageResult),
    /// The answer to `roots/list`.
    ListRoots(ListRootsResult),
    /// The answer to `elicitation/create`.
    Elicit(ElicitResult),
}

/// The client's answers, by the keys of the [`InputRequests`] they answer.
pub type InputResponses = BTreeMap<String, InputResponse>;

/// A result saying the server needs answers before it can finish: retry the
/// request with `inputResponses` and the `requestState` echoed (2026-07-28).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InputRequiredResult {
    /// Always [`ResultType::INPUT_REQUIRED`].
    pub result_type: ResultType,
    /// The questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_requests: Option<InputRequests>,
    /// Opaque state the client must send back unchanged with its retry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl Default for InputRequiredResult {
    fn default() -> Self {
        Self { result_type: ResultType::INPUT_REQUIRED, input_requests: None, request_state: None, meta: None }
    }
}

/// Which notifications a `subscriptions/listen` stream should carry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionFilter {
    /// `notifications/tools/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools_list_changed: Option<bool>,
    /// `notifications/prompts/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prompts_list_changed: Option<bool>,
    /// `notifications/resources/list_changed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources_list_changed: Option<bool>,
    /// `notifications/resources/updated` for these URIs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_subscriptions: Option<Vec<String>>,
}

/// `subscriptions/listen` params: open a stream of notifications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsListenRequestParams {
    /// What to listen for.
    pub notifications: SubscriptionFilter,
    /// Metadata; required.
    #[serde(
        rename = "_meta",
        default,
        deserialize_with = "crate::meta::lazy",
        skip_serializing_if = "Option::is_none"
    )]
    pub meta: Option<Meta>,
}

/// The result that ends a `subscriptions/listen` stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsListenResult {
    /// `complete`; required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// Metadata; required, with `io.modelcontextprotocol/subscriptionId`.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `notifications/subscriptions/acknowledged` params: the first message on a
/// listen stream, saying which notifications it will carry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SubscriptionsAcknowledgedNotificationParams {
    /// What the stream will carry; possibly less than was asked for.
    pub notifications: SubscriptionFilter,
    /// Metadata; carries the subscription id.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The `data` of a -32021 `MissingRequiredClientCapabilityError`: what the
/// client must declare for the request to succeed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MissingRequiredClientCapabilityErrorData {
    /// The capabilities the request needs, in the shape the client declares them.
    pub required_capabilities: ClientCapabilities,
}

impl From<MissingRequiredClientCapabilityErrorData> for ErrorObject {
    fn from(data: MissingRequiredClientCapabilityErrorData) -> Self {
        let code = ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY;
        Self::new(code, code.default_message()).with_data(serde_json::json!(data))
    }
}

/// The `data` of a -32022 `UnsupportedProtocolVersionError`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UnsupportedProtocolVersionErrorData {
    /// Every revision the server speaks.
    pub supported: Vec<String>,
    /// The revision the request asked for.
    pub requested: String,
}

impl From<UnsupportedProtocolVersionErrorData> for ErrorObject {
    fn from(data: UnsupportedProtocolVersionErrorData) -> Self {
        let code = ErrorCode::UNSUPPORTED_PROTOCOL_VERSION;
        Self::new(code, code.default_message()).with_data(serde_json::json!(data))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{ElicitAction, ElicitRequestParams, SamplingMessageContent};

    #[test]
    fn input_required_result_round_trips_every_kind_of_request() {
        let raw = r#"{"resultType":"input_required","inputRequests":{"capital_question":{"method":"sampling/createMessage","params":{"messages":[{"role":"user","content":{"type":"text","text":"Capital of France?"}}],"maxTokens":50,"tools":[{"name":"lookup","inputSchema":{"type":"object","properties":{}}}]}},"client_roots":{"method":"roots/list","params":{}},"user_name":{"method":"elicitation/create","params":{"message":"Your name?","requestedSchema":{"type":"object","properties":{"name":{"type":"string"}},"required":["name"]}}}},"requestState":"opaque-1"}"#;
        let result: InputRequiredResult = serde_json::from_str(raw).unwrap();
        let requests = result.input_requests.as_ref().unwrap();
        assert!(matches!(&requests["capital_question"], InputRequest::CreateMessage(p) if p.tools.is_some()));
        assert!(matches!(&requests["client_roots"], InputRequest::ListRoots(_)));
        assert!(matches!(&requests["user_name"], InputRequest::Elicit(ElicitRequestParams::Form(_))));
        assert_eq!(serde_json::to_string(&result).unwrap(), raw);
    }

    #[test]
    fn input_responses_pick_the_answer_by_its_members() {
        let raw = r#"{"a":{"role":"assistant","content":{"type":"text","text":"Paris"},"model":"m"},"b":{"roots":[{"uri":"file:///w"}]},"c":{"action":"accept","content":{"name":"Ada"}}}"#;
        let responses: InputResponses = serde_json::from_str(raw).unwrap();
        assert!(
            matches!(&responses["a"], InputResponse::CreateMessage(r) if matches!(r.content, SamplingMessageContent::Single(_)))
        );
        assert!(matches!(&responses["b"], InputResponse::ListRoots(r) if r.roots.len() == 1));
        assert!(matches!(&responses["c"], InputResponse::Elicit(r) if r.action == ElicitAction::Accept));
        assert_eq!(serde_json::to_string(&responses).unwrap(), raw);
    }

    #[test]
    fn unknown_input_request_method_is_rejected() {
        assert!(serde_json::from_str::<InputRequest>(r#"{"method":"tools/call","params":{}}"#).is_err());
    }

    #[test]
    fn unknown_result_type_survives_a_round_trip() {
        let result_type: ResultType = serde_json::from_str(r#""x-vendor""#).unwrap();
        assert_eq!(result_type.as_str(), "x-vendor");
        assert_eq!(serde_json::to_string(&ResultType::INPUT_REQUIRED).unwrap(), r#""input_required""#);
        assert_eq!(InputRequiredResult::default().result_type, ResultType::INPUT_REQUIRED);
    }

    #[test]
    fn discover_result_round_trips() {
        let raw = r#"{"resultType":"complete","supportedVersions":["2026-07-28","2025-11-25"],"capabilities":{"tools":{"listChanged":true}},"instructions":"i","ttlMs":3600000,"cacheScope":"public","_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}}}"#;
        let result: DiscoverResult = serde_json::from_str(raw).unwrap();
        assert_eq!(result.meta.as_ref().unwrap().server_info().unwrap().name, "s");
        assert_eq!(serde_json::to_string(&result).unwrap(), raw);
    }

    #[test]
    fn subscription_messages_round_trip() {
        let raw = r#"{"notifications":{"toolsListChanged":true,"resourceSubscriptions":["file:///a"]},"_meta":{"io.modelcontextprotocol/subscriptionId":7}}"#;
        let ack: SubscriptionsAcknowledgedNotificationParams = serde_json::from_str(raw).unwrap();
        assert_eq!(ack.meta.as_ref().unwrap().subscription_id(), Some(crate::RequestId::Number(7)));
        assert_eq!(serde_json::to_string(&ack).unwrap(), raw);
    }

    #[test]
    fn error_data_becomes_the_documented_error_object() {
        let error = ErrorObject::from(UnsupportedProtocolVersionErrorData {
            supported: vec!["2026-07-28".into()],
            requested: "1999-01-01".into(),
        });
        assert_eq!(
            serde_json::to_string(&error).unwrap(),
            r#"{"code":-32022,"message":"Unsupported protocol version","data":{"requested":"1999-01-01","supported":["2026-07-28"]}}"#
        );
        let required = ClientCapabilities { sampling: Some(Default::default()), ..Default::default() };
        let error = ErrorObject::from(MissingRequiredClientCapabilityErrorData { required_capabilities: required });
        assert_eq!(error.code, ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY);
        assert_eq!(error.data.unwrap()["requiredCapabilities"], serde_json::json!({"sampling":{}}));
    }
}
