//! The four dispatch enums: every request and notification each side may send.
//!
//! Each enum carries the union of all revisions; which methods a given revision
//! allows is [`crate::ProtocolVersion`]'s business, not the type's.

use crate::method::dispatch_enum;
use crate::methods::*;

dispatch_enum! {
    /// A request the client sends to the server.
    pub enum ClientRequest: RequestMethod {
        /// `ping`.
        "ping" => Ping(PingRequest),
        /// `logging/setLevel`.
        "logging/setLevel" => SetLevel(SetLevelRequest),
    }
}

dispatch_enum! {
    /// A request the server sends to the client (2024-11-05 to 2025-11-25).
    pub enum ServerRequest: RequestMethod {
        /// `ping`.
        "ping" => Ping(PingRequest),
    }
}

dispatch_enum! {
    /// A notification the client sends to the server.
    pub enum ClientNotification: NotificationMethod {
        /// `notifications/cancelled`.
        "notifications/cancelled" => Cancelled(CancelledNotification),
        /// `notifications/progress`.
        "notifications/progress" => Progress(ProgressNotification),
        /// `notifications/initialized`.
        "notifications/initialized" => Initialized(InitializedNotification),
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
        /// `notifications/prompts/list_changed`.
        "notifications/prompts/list_changed" => PromptListChanged(PromptListChangedNotification),
    }
}

impl crate::RequestEnum for ClientRequest {
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
    fn unknown_method_and_bad_params_are_told_apart() {
        let bad = serde_json::value::RawValue::from_string(r#"{"level":"loud"}"#.into()).unwrap();
        let unknown = ClientRequest::from_parts("tools/frobnicate", None).unwrap_err();
        let invalid = ClientRequest::from_parts("logging/setLevel", Some(&bad)).unwrap_err();
        assert_eq!(unknown.to_error_object().code, crate::ErrorCode::METHOD_NOT_FOUND);
        assert_eq!(invalid.to_error_object().code, crate::ErrorCode::INVALID_PARAMS);
    }
}
