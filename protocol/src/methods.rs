//! One marker type per MCP method, tying its name to its params and result types.
//!
//! The markers are uninhabited enums: they exist only to implement
//! [`RequestMethod`] or [`NotificationMethod`], as `lsp-types` does for LSP.

use crate::types::*;
use crate::{EmptyParams, EmptyResult, NotificationMethod, RequestMethod};

macro_rules! request {
    ($(#[$attr:meta])* $marker:ident, $method:literal, $params:ty, $result:ty) => {
        $(#[$attr])*
        #[derive(Debug)]
        pub enum $marker {}

        impl RequestMethod for $marker {
            const METHOD: &'static str = $method;
            type Params = $params;
            type Result = $result;
        }
    };
}

macro_rules! notification {
    ($(#[$attr:meta])* $marker:ident, $method:literal, $params:ty) => {
        $(#[$attr])*
        #[derive(Debug)]
        pub enum $marker {}

        impl NotificationMethod for $marker {
            const METHOD: &'static str = $method;
            type Params = $params;
        }
    };
}

request!(
    /// `initialize`: the client opens a session (until 2025-11-25).
    InitializeRequest, "initialize", InitializeRequestParams, InitializeResult
);
request!(
    /// `ping`: is the peer still there? Either side may send it (until 2026-07-28).
    PingRequest, "ping", EmptyParams, EmptyResult
);
request!(
    /// `server/discover`: what the server speaks and can do (2026-07-28).
    DiscoverRequest, "server/discover", DiscoverRequestParams, DiscoverResult
);
request!(
    /// `tools/list`: one page of the server's tools.
    ListToolsRequest, "tools/list", PaginatedRequestParams, ListToolsResult
);
request!(
    /// `tools/call`: run a tool. In 2026-07-28 the answer may instead be an
    /// [`InputRequiredResult`]; with `params.task` (2025-11-25) a [`CreateTaskResult`].
    CallToolRequest, "tools/call", CallToolRequestParams, CallToolResult
);
request!(
    /// `resources/list`: one page of the server's resources.
    ListResourcesRequest, "resources/list", PaginatedRequestParams, ListResourcesResult
);
request!(
    /// `resources/templates/list`: one page of the server's resource templates.
    ListResourceTemplatesRequest, "resources/templates/list", PaginatedRequestParams, ListResourceTemplatesResult
);
request!(
    /// `resources/read`: a resource's contents. In 2026-07-28 the answer may
    /// instead be an [`InputRequiredResult`].
    ReadResourceRequest, "resources/read", ReadResourceRequestParams, ReadResourceResult
);
request!(
    /// `resources/subscribe`: watch a resource (until 2025-11-25).
    SubscribeRequest, "resources/subscribe", SubscribeRequestParams, EmptyResult
);
request!(
    /// `resources/unsubscribe`: stop watching a resource (until 2025-11-25).
    UnsubscribeRequest, "resources/unsubscribe", UnsubscribeRequestParams, EmptyResult
);
request!(
    /// `subscriptions/listen`: open a stream of notifications (2026-07-28).
    SubscriptionsListenRequest, "subscriptions/listen", SubscriptionsListenRequestParams, SubscriptionsListenResult
);
request!(
    /// `prompts/list`: one page of the server's prompts.
    ListPromptsRequest, "prompts/list", PaginatedRequestParams, ListPromptsResult
);
request!(
    /// `prompts/get`: fill in a prompt. In 2026-07-28 the answer may instead be
    /// an [`InputRequiredResult`].
    GetPromptRequest, "prompts/get", GetPromptRequestParams, GetPromptResult
);
request!(
    /// `completion/complete`: suggestions for an argument.
    CompleteRequest, "completion/complete", CompleteRequestParams, CompleteResult
);
request!(
    /// `logging/setLevel`: the minimum log level the client wants (until 2026-07-28).
    SetLevelRequest, "logging/setLevel", SetLevelRequestParams, EmptyResult
);
request!(
    /// `sampling/createMessage`: the server asks the client's model for a
    /// message (a server request until 2025-11-25; an [`InputRequest`] after).
    CreateMessageRequest, "sampling/createMessage", CreateMessageRequestParams, CreateMessageResult
);
request!(
    /// `elicitation/create`: the server asks the user for input (a server
    /// request in 2025-06-18 and 2025-11-25; an [`InputRequest`] after).
    ElicitRequest, "elicitation/create", ElicitRequestParams, ElicitResult
);
request!(
    /// `roots/list`: the client's filesystem roots (a server request until
    /// 2025-11-25; an [`InputRequest`] after).
    ListRootsRequest, "roots/list", EmptyParams, ListRootsResult
);
request!(
    /// `tasks/get`: a task's state (2025-11-25; either side). The tasks
    /// extension (2026-07-28) keeps the method and params and answers with a
    /// [`DetailedTask`] instead.
    GetTaskRequest, "tasks/get", GetTaskRequestParams, GetTaskResult
);
request!(
    /// `tasks/result`: a finished task's result (2025-11-25; either side).
    GetTaskPayloadRequest, "tasks/result", GetTaskPayloadRequestParams, GetTaskPayloadResult
);
request!(
    /// `tasks/cancel`: stop a task (2025-11-25; either side). The tasks
    /// extension (2026-07-28) answers with a [`TaskAckResult`] instead.
    CancelTaskRequest, "tasks/cancel", CancelTaskRequestParams, CancelTaskResult
);
request!(
    /// `tasks/list`: one page of tasks (2025-11-25; either side).
    ListTasksRequest, "tasks/list", PaginatedRequestParams, ListTasksResult
);
request!(
    /// `tasks/update`: answers to a task's questions (tasks extension, 2026-07-28).
    UpdateTaskRequest, "tasks/update", UpdateTaskRequestParams, TaskAckResult
);
request!(
    /// `skills/list`: one page of the server's skills (skills extension).
    ListSkillsRequest, "skills/list", PaginatedRequestParams, ListSkillsResult
);
request!(
    /// `skills/get`: one skill's entry by the URI of its `SKILL.md` (skills extension).
    GetSkillRequest, "skills/get", GetSkillRequestParams, GetSkillResult
);
request!(
    /// `resources/directory/read`: a directory's direct children (skills extension).
    ReadResourceDirectoryRequest, "resources/directory/read", ReadResourceDirectoryRequestParams, ReadResourceDirectoryResult
);

notification!(
    /// `notifications/cancelled`: the sender no longer wants an answer.
    CancelledNotification, "notifications/cancelled", CancelledNotificationParams
);
notification!(
    /// `notifications/progress`: progress of a long-running request.
    ProgressNotification, "notifications/progress", ProgressNotificationParams
);
notification!(
    /// `notifications/message`: a log entry from the server.
    LoggingMessageNotification, "notifications/message", LoggingMessageNotificationParams
);
notification!(
    /// `notifications/initialized`: the client finished initialising (until 2025-11-25).
    InitializedNotification, "notifications/initialized", EmptyParams
);
notification!(
    /// `notifications/tools/list_changed`: the list of tools changed.
    ToolListChangedNotification, "notifications/tools/list_changed", EmptyParams
);
notification!(
    /// `notifications/resources/list_changed`: the list of resources changed.
    ResourceListChangedNotification, "notifications/resources/list_changed", EmptyParams
);
notification!(
    /// `notifications/resources/updated`: a watched resource changed.
    ResourceUpdatedNotification, "notifications/resources/updated", ResourceUpdatedNotificationParams
);
notification!(
    /// `notifications/prompts/list_changed`: the list of prompts changed.
    PromptListChangedNotification, "notifications/prompts/list_changed", EmptyParams
);
notification!(
    /// `notifications/roots/list_changed`: the client's roots changed (until 2025-11-25).
    RootsListChangedNotification, "notifications/roots/list_changed", EmptyParams
);
notification!(
    /// `notifications/tasks/status`: a task's state changed (2025-11-25; either side).
    TaskStatusNotification, "notifications/tasks/status", TaskStatusNotificationParams
);
notification!(
    /// `notifications/elicitation/complete`: a URL-mode elicitation finished (2025-11-25).
    ElicitationCompleteNotification, "notifications/elicitation/complete", ElicitationCompleteNotificationParams
);
notification!(
    /// `notifications/subscriptions/acknowledged`: the first message of a listen
    /// stream (2026-07-28).
    SubscriptionsAcknowledgedNotification,
    "notifications/subscriptions/acknowledged",
    SubscriptionsAcknowledgedNotificationParams
);
