//! Logging: `logging/setLevel` and `notifications/message`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Meta;

/// The syslog severities of RFC 5424, least severe first, so `level >= minimum`
/// reads as "severe enough to send".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoggingLevel {
    /// Detailed debugging information.
    Debug,
    /// Normal operational messages.
    #[default]
    Info,
    /// Normal but significant events.
    Notice,
    /// Warning conditions.
    Warning,
    /// Error conditions.
    Error,
    /// Critical conditions.
    Critical,
    /// Action must be taken immediately.
    Alert,
    /// The system is unusable.
    Emergency,
}

/// `logging/setLevel` params: the minimum level the client wants to receive.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SetLevelRequestParams {
    /// The minimum level to send.
    pub level: LoggingLevel,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `notifications/message` params: one log entry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoggingMessageNotificationParams {
    /// The severity.
    pub level: LoggingLevel,
    /// The name of the logger, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logger: Option<String>,
    /// Any JSON: a string or an object with details.
    pub data: Value,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_message_keeps_any_json_data() {
        for raw in [
            r#"{"level":"error","logger":"db","data":{"error":"refused","retries":3}}"#,
            r#"{"level":"debug","data":"plain text"}"#,
            r#"{"level":"emergency","data":null,"_meta":{"k":1}}"#,
        ] {
            let params: LoggingMessageNotificationParams = serde_json::from_str(raw).unwrap();
            assert_eq!(serde_json::to_string(&params).unwrap(), raw);
        }
    }

    #[test]
    fn levels_order_by_severity_and_reject_unknown_names() {
        assert!(LoggingLevel::Emergency > LoggingLevel::Warning && LoggingLevel::Warning > LoggingLevel::Debug);
        let params: SetLevelRequestParams = serde_json::from_str(r#"{"level":"notice"}"#).unwrap();
        assert_eq!(params.level, LoggingLevel::Notice);
        assert!(serde_json::from_str::<SetLevelRequestParams>(r#"{"level":"loud"}"#).is_err());
    }
}
