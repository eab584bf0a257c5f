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
    /// `ping`: is the peer still there? Either side may send it (until 2026-07-28).
    PingRequest, "ping", EmptyParams, EmptyResult
);
request!(
    /// `logging/setLevel`: the minimum log level the client wants (until 2026-07-28).
    SetLevelRequest, "logging/setLevel", SetLevelRequestParams, EmptyResult
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
    /// `notifications/initialized`: the client finished initialising.
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
    /// `notifications/prompts/list_changed`: the list of prompts changed.
    PromptListChangedNotification, "notifications/prompts/list_changed", EmptyParams
);
