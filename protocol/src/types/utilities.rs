//! Cancellation and progress: the utilities every revision shares.

use serde::{Deserialize, Serialize};

use crate::{Meta, ProgressToken, RequestId};

/// `notifications/cancelled`: the sender no longer wants the answer to a request.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CancelledNotificationParams {
    /// The id of the request to cancel. Optional in 2025-11-25, where a task
    /// is cancelled with `tasks/cancel` instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<RequestId>,
    /// Why, for logs; not for display.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `notifications/progress`: how far a long-running request has come.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProgressNotificationParams {
    /// The token from the request's `_meta.progressToken`, with the same JSON type.
    pub progress_token: ProgressToken,
    /// Progress so far; increases with every notification.
    pub progress: f64,
    /// The total, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<f64>,
    /// A human-readable status (2025-03-26 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl Default for ProgressNotificationParams {
    fn default() -> Self {
        Self { progress_token: ProgressToken::Number(0), progress: 0.0, total: None, message: None, meta: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cancelled_request_id_keeps_its_json_type() {
        for raw in [r#"{"requestId":7,"reason":"stop"}"#, r#"{"requestId":"7"}"#] {
            let params: CancelledNotificationParams = serde_json::from_str(raw).unwrap();
            assert_eq!(serde_json::to_string(&params).unwrap(), raw);
        }
        let number: CancelledNotificationParams = serde_json::from_str(r#"{"requestId":7}"#).unwrap();
        assert_eq!(number.request_id, Some(RequestId::Number(7)));
    }

    #[test]
    fn cancelled_without_request_id_is_allowed_for_tasks() {
        let params: CancelledNotificationParams = serde_json::from_str("{}").unwrap();
        assert_eq!(params, CancelledNotificationParams::default());
        assert_eq!(serde_json::to_string(&params).unwrap(), "{}");
    }

    #[test]
    fn progress_round_trips_with_and_without_optional_members() {
        let full = r#"{"progressToken":"t","progress":50.0,"total":100.0,"message":"half","_meta":{"io.modelcontextprotocol/subscriptionId":1}}"#;
        let params: ProgressNotificationParams = serde_json::from_str(full).unwrap();
        assert_eq!(params.progress_token, ProgressToken::String("t".into()));
        assert_eq!(serde_json::to_string(&params).unwrap(), full);
        let minimal = r#"{"progressToken":3,"progress":1.5}"#;
        let params: ProgressNotificationParams = serde_json::from_str(minimal).unwrap();
        assert_eq!(serde_json::to_string(&params).unwrap(), minimal);
    }
}
