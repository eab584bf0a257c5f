//! The four dispatch enums: every request and notification each side may send.
//!
//! Each enum carries the union of all revisions; which methods a given revision
//! allows is [`crate::ProtocolVersion`]'s business, not the type's.

use crate::method::dispatch_enum;
use crate::methods::*;

dispatch_enum! {
    /// A request the client sends to the server.
    pub enum ClientRequest: RequestMethod {
        /// `initialize` (until 2025-11-25).
        "initialize" => Initialize(InitializeRequest),
        /// `ping` (until 2025-11-25).
        "ping" => Ping(PingRequest),
        /// `server/discover` (2026-07-28).
        "server/discover" => Discover(DiscoverRequest),
        /// `tools/list`.
        "tools/list" => ListTools(ListToolsRequest),
        /// `tools/call`.
        "tools/call" => CallTool(CallToolRequest),
        /// `resources/list`.
        "resources/list" => ListResources(ListResourcesRequest),
        /// `resources/templates/list`.
        "resources/templates/list" => ListResourceTemplates(ListResourceTemplatesRequest),
        /// `resources/read`.
        "resources/read" => ReadResource(ReadResourceRequest),
        /// `resources/subscribe` (until 2025-11-25).
        "resources/subscribe" => Subscribe(SubscribeRequest),
        /// `resources/unsubscribe` (until 2025-11-25).
        "resources/unsubscribe" => Unsubscribe(UnsubscribeRequest),
        /// `subscriptions/listen` (2026-07-28).
        "subscriptions/listen" => SubscriptionsListen(SubscriptionsListenRequest),
        /// `prompts/list`.
        "prompts/list" => ListPrompts(ListPromptsRequest),
        /// `prompts/get`.
        "prompts/get" => GetPrompt(GetPromptRequest),
        /// `completion/complete`.
        "completion/complete" => Complete(CompleteRequest),
        /// `logging/setLevel` (until 2025-11-25).
        "logging/setLevel" => SetLevel(SetLevelRequest),
        /// `tasks/get` (2025-11-25).
        "tasks/get" => GetTask(GetTaskRequest),
        /// `tasks/result` (2025-11-25).
        "tasks/result" => GetTaskPayload(GetTaskPayloadRequest),
        /// `tasks/cancel` (2025-11-25).
        "tasks/cancel" => CancelTask(CancelTaskRequest),
        /// `tasks/list` (2025-11-25).
        "tasks/list" => ListTasks(ListTasksRequest),
    }
}

dispatch_enum! {
    /// A request of an extension the client sends to the server (2026-07-28):
    /// the methods the tasks and skills extensions add. Apart from
    /// [`ClientRequest`] because the core schema does not define them; a
    /// server that serves an extension parses these after the core methods.
    pub enum ClientExtensionRequest: RequestMethod {
        /// `tasks/update` (tasks extension).
        "tasks/update" => UpdateTask(UpdateTaskRequest),
        /// `skills/list` (skills extension).
        "skills/list" => ListSkills(ListSkillsRequest),
        /// `skills/get` (skills extension).
        "skills/get" => GetSkill(GetSkillRequest),
        /// `resources/directory/read` (skills extension).
        "resources/directory/read" => ReadResourceDirectory(ReadResourceDirectoryRequest),
    }
}

dispatch_enum! {
    /// A request the server sends to the client (2024-11-05 to 2025-11-25;
    /// 2026-07-28 embeds the questions in results instead, see [`crate::types::InputRequest`]).
    pub enum ServerRequest: RequestMethod {
        /// `ping`.
        "ping" => Ping(PingRequest),
        /// `sampling/createMessage`.
        "sampling/createMessage" => CreateMessage(CreateMessageRequest),
        /// `roots/list`.
        "roots/list" => ListRoots(ListRootsRequest),
        /// `elicitation/create` (2025-06-18 and later).
        "elicitation/create" => Elicit(ElicitRequest),
        /// `tasks/get` (2025-11-25).
        "tasks/get" => GetTask(GetTaskRequest),
        /// `tasks/result` (2025-11-25).
        "tasks/result" => GetTaskPayload(GetTaskPayloadRequest),
        /// `tasks/cancel` (2025-11-25).
        "tasks/cancel" => CancelTask(CancelTaskRequest),
        /// `tasks/list` (2025-11-25).
        "tasks/list" => ListTasks(ListTasksRequest),
    }
}

dispatch_enum! {
    /// A notification the client sends to the server.
    pub enum ClientNotification: NotificationMethod {
        /// `notifications/cancelled`.
        "notifications/cancelled" => Cancelled(CancelledNotification),
        /// `notifications/progress` (until 2025-11-25).
        "notifications/progress" => Progress(ProgressNotification),
        /// `notifications/initialized` (until 2025-11-25).
        "notifications/initialized" => Initialized(InitializedNotification),
        /// `notifications/roots/list_changed` (until 2025-11-25).
        "notifications/roots/list_changed" => RootsListChanged(RootsListChangedNotification),
        /// `notifications/tasks/status` (2025-11-25).
        "notifications/tasks/status" => TaskStatus(TaskStatusNotification),
    }
}

dispatch_enum! {
    /// A notification the server sends to the client.
    pub enum ServerNotification: NotificationMethod {
        /// `notifications/cancelled`.
        "notifications/cancelled" => Cancelled(CancelledNotification),
        /// `notifications/progress`.
        "notifications/progress" => Progress(ProgressNotification),
        /// `notifications/message`.
        "notifications/message" => LoggingMessage(LoggingMessageNotification),
        /// `notifications/tools/list_changed`.
        "notifications/tools/list_changed" => ToolListChanged(ToolListChangedNotification),
        /// `notifications/resources/list_changed`.
        "notifications/resources/list_changed" => ResourceListChanged(ResourceListChangedNotification),
        /// `notifications/resources/updated`.
        "notifications/resources/updated" => ResourceUpdated(ResourceUpdatedNotification),
        /// `notifications/prompts/list_changed`.
        "notifications/prompts/list_changed" => PromptListChanged(PromptListChangedNotification),
        /// `notifications/tasks/status` (2025-11-25).
        "notifications/tasks/status" => TaskStatus(TaskStatusNotification),
        /// `notifications/elicitation/complete` (2025-11-25).
        "notifications/elicitation/complete" => ElicitationComplete(ElicitationCompleteNotification),
        /// `notifications/subscriptions/acknowledged` (2026-07-28).
        "notifications/subscriptions/acknowledged" => SubscriptionsAcknowledged(SubscriptionsAcknowledgedNotification),
    }
}

/// The static copy of a known method name, so decoding a message need not
/// allocate its method.
pub(crate) fn static_method(name: &str) -> Option<&'static str> {
    ClientRequest::static_method(name)
        .or_else(|| ClientExtensionRequest::static_method(name))
        .or_else(|| ClientNotification::static_method(name))
        .or_else(|| ServerRequest::static_method(name))
        .or_else(|| ServerNotification::static_method(name))
}

impl crate::RequestEnum for ClientRequest {
    fn method(&self) -> &'static str {
        self.into()
    }

    fn from_parts(method: &str, params: Option<&serde_json::value::RawValue>) -> Result<Self, crate::Error> {
        Self::from_parts(method, params)
    }
}

impl crate::RequestEnum for ClientExtensionRequest {
    fn method(&self) -> &'static str {
        self.into()
    }

    fn from_parts(method: &str, params: Option<&serde_json::value::RawValue>) -> Result<Self, crate::Error> {
        Self::from_parts(method, params)
    }
}

impl crate::RequestEnum for ServerRequest {
    fn method(&self) -> &'static str {
        self.into()
    }

    fn from_parts(method: &str, params: Option<&serde_json::value::RawValue>) -> Result<Self, crate::Error> {
        Self::from_parts(method, params)
    }
}

impl crate::NotificationEnum for ServerNotification {
    fn method(&self) -> &'static str {
        self.into()
    }

    fn to_params(&self) -> Result<Option<crate::RawJson>, serde_json::Error> {
        Self::to_params(self)
    }
}

impl crate::NotificationEnum for ClientNotification {
    fn method(&self) -> &'static str {
        self.into()
    }

    fn to_params(&self) -> Result<Option<crate::RawJson>, serde_json::Error> {
        Self::to_params(self)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;
    use strum::IntoEnumIterator;

    use super::*;

    /// For every variant: the strum name, the serde tag and the marker's
    /// `METHOD` constant are the same string.
    macro_rules! assert_names_agree {
        ($enum:ty) => {
            let mut count = 0;
            for variant in <$enum>::iter() {
                let strum_name: &'static str = (&variant).into();
                let tagged: Value = serde_json::to_value(&variant).unwrap();
                assert_eq!(tagged["method"], strum_name, "serde tag of {variant:?}");
                assert_eq!(variant.method_constant(), strum_name, "METHOD constant of {variant:?}");
                count += 1;
            }
            assert_eq!(count, <$enum as strum::VariantNames>::VARIANTS.len());
        };
    }

    #[test]
    fn dispatch_names_agree_for_client_requests() {
        assert_names_agree!(ClientRequest);
    }

    #[test]
    fn dispatch_names_agree_for_client_extension_requests() {
        assert_names_agree!(ClientExtensionRequest);
    }

    #[test]
    fn dispatch_names_agree_for_server_requests() {
        assert_names_agree!(ServerRequest);
    }

    #[test]
    fn dispatch_names_agree_for_client_notifications() {
        assert_names_agree!(ClientNotification);
    }

    #[test]
    fn dispatch_names_agree_for_server_notifications() {
        assert_names_agree!(ServerNotification);
    }

    #[test]
    fn dispatch_names_agree_for_input_requests() {
        assert_names_agree!(crate::types::InputRequest);
    }

    #[test]
    fn call_tool_request_decodes_into_its_variant_and_back() {
        let params =
            serde_json::value::RawValue::from_string(r#"{"name":"echo","arguments":{"text":"hi"}}"#.into()).unwrap();
        let request = ClientRequest::from_parts("tools/call", Some(&params)).unwrap();
        let ClientRequest::CallTool(call) = &request else { panic!("not tools/call: {request:?}") };
        assert_eq!(call.name, "echo");
        assert_eq!(request.to_params().unwrap().unwrap().get(), params.get());
    }

    #[test]
    fn any_requests_meta_is_read_without_knowing_its_method() {
        let meta = r#"{"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}"#;
        let params = serde_json::value::RawValue::from_string(meta.into()).unwrap();
        for method in ["tools/list", "server/discover", "ping"] {
            let request = ClientRequest::from_parts(method, Some(&params)).unwrap();
            assert_eq!(request.meta().and_then(crate::Meta::protocol_version), Some("2026-07-28"), "{method}");
        }
        assert!(ClientRequest::from_parts("tools/list", None).unwrap().meta().is_none());
    }

    #[test]
    fn requests_without_params_decode_as_empty_params() {
        assert!(
            matches!(ClientRequest::from_parts("tools/list", None).unwrap(), ClientRequest::ListTools(p) if p.cursor.is_none())
        );
        let null = serde_json::value::RawValue::from_string("null".into()).unwrap();
        assert!(matches!(ServerRequest::from_parts("roots/list", Some(&null)).unwrap(), ServerRequest::ListRoots(_)));
        assert!(ClientRequest::from_parts("tools/call", None).is_err());
    }

    #[test]
    fn notification_enum_round_trips_through_serde() {
        let raw = r#"{"method":"notifications/resources/updated","params":{"uri":"file:///a"}}"#;
        let notification: ServerNotification = serde_json::from_str(raw).unwrap();
        assert!(matches!(&notification, ServerNotification::ResourceUpdated(p) if p.uri == "file:///a"));
        assert_eq!(serde_json::to_string(&notification).unwrap(), raw);
    }

    #[test]
    fn unknown_method_and_bad_params_are_told_apart() {
        let bad = serde_json::value::RawValue::from_string(r#"{"level":"loud"}"#.into()).unwrap();
        let unknown = ClientRequest::from_parts("tools/frobnicate", None).unwrap_err();
        let invalid = ClientRequest::from_parts("logging/setLevel", Some(&bad)).unwrap_err();
        assert_eq!(unknown.to_error_object().code, crate::ErrorCode::METHOD_NOT_FOUND);
        assert_eq!(invalid.to_error_object().code, crate::ErrorCode::INVALID_PARAMS);
    }
}
