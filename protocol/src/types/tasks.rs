//! Tasks (2025-11-25, experimental): a request that runs in the background, and
//! the `tasks/*` requests to poll, fetch, cancel and list it.
//!
//! 2026-07-28 moves tasks out of the core protocol into the
//! `io.modelcontextprotocol/tasks` extension, with a different shape.

use serde::{Deserialize, Serialize};

use super::{Cursor, JsonObject};
use crate::Meta;

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Running.
    #[default]
    Working,
    /// Waiting for the requester to answer an input request.
    InputRequired,
    /// Finished with a result.
    Completed,
    /// Finished with an error.
    Failed,
    /// Stopped on request.
    Cancelled,
}

impl TaskStatus {
    /// Whether the task can no longer change.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Cancelled)
    }
}

/// A task's state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// The task's id, chosen by the receiver of the request.
    pub task_id: String,
    /// Where the task is.
    pub status: TaskStatus,
    /// A human-readable description of the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// When the task was created, as an ISO 8601 timestamp.
    pub created_at: String,
    /// When the task last changed, as an ISO 8601 timestamp.
    pub last_updated_at: String,
    /// How long the task is kept after creation, in milliseconds. The member is
    /// required and `null` means "for ever", so it is always written.
    #[serde(default)]
    pub ttl: Option<u64>,
    /// How often to poll, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
}

/// `params.task` on a request: run it as a task.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskMetadata {
    /// How long to keep the task after creation, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<u64>,
}

/// `_meta["io.modelcontextprotocol/related-task"]`: ties a message to a task
/// (see [`crate::meta::RELATED_TASK`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RelatedTaskMetadata {
    /// The task.
    pub task_id: String,
}

/// The result of a request that was asked to run as a task: the task, not yet
/// the request's own result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateTaskResult {
    /// The new task.
    pub task: Task,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `tasks/get` params; `tasks/result` and `tasks/cancel` take the same, and
/// so do `tasks/get` and `tasks/cancel` of the tasks extension (2026-07-28).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetTaskRequestParams {
    /// The task.
    pub task_id: String,
    /// Metadata: none in 2025-11-25; in 2026-07-28 the protocol version and
    /// the client's capabilities, like every request's.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `tasks/result` params: the task whose result to fetch.
pub type GetTaskPayloadRequestParams = GetTaskRequestParams;

/// `tasks/cancel` params: the task to cancel.
pub type CancelTaskRequestParams = GetTaskRequestParams;

/// The result of `tasks/get`: the task's state, with `_meta` beside it.
///
/// The schema defines it as `Result` and `Task` combined. Flattening the
/// [`Task`] keeps its members in one place; a result is decoded once per poll,
/// so the buffering `flatten` costs does not matter here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetTaskResult {
    /// The task's state.
    #[serde(flatten)]
    pub task: Task,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The result of `tasks/cancel`: the task's state after cancelling.
pub type CancelTaskResult = GetTaskResult;

/// The result of `tasks/result`: whatever the original request returns
/// (a `CallToolResult` for `tools/call`, say), kept as a JSON object because
/// the method alone does not say which.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetTaskPayloadResult {
    /// The original request's result, without `_meta`.
    #[serde(flatten)]
    pub result: JsonObject,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl GetTaskPayloadResult {
    /// The payload read as the original request's result type.
    ///
    /// # Errors
    /// When the payload does not fit `T`.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::to_value(self).and_then(T::deserialize)
    }
}

/// The result of `tasks/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListTasksResult {
    /// One page of tasks.
    pub tasks: Vec<Task>,
    /// Where the next page starts; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `notifications/tasks/status` params: a task's new state, with `_meta`.
///
/// The schema defines it as `NotificationParams` and `Task` combined. Unlike
/// [`GetTaskResult`] it spells the task's members out rather than flattening a
/// [`Task`]: notifications are decoded on the hot path, and `flatten` buffers
/// every member before decoding it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskStatusNotificationParams {
    /// The task's id.
    pub task_id: String,
    /// Where the task is now.
    pub status: TaskStatus,
    /// A human-readable description of the status.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_message: Option<String>,
    /// When the task was created, as an ISO 8601 timestamp.
    pub created_at: String,
    /// When the task last changed, as an ISO 8601 timestamp.
    pub last_updated_at: String,
    /// How long the task is kept after creation, in milliseconds; `null`
    /// (always written) means "for ever".
    #[serde(default)]
    pub ttl: Option<u64>,
    /// How often to poll, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval: Option<u64>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl TaskStatusNotificationParams {
    /// The notification for a task's state, without `_meta`.
    pub fn new(task: Task) -> Self {
        let Task { task_id, status, status_message, created_at, last_updated_at, ttl, poll_interval } = task;
        Self { task_id, status, status_message, created_at, last_updated_at, ttl, poll_interval, meta: None }
    }

    /// The task's state, without `_meta`.
    pub fn task(&self) -> Task {
        Task {
            task_id: self.task_id.clone(),
            status: self.status,
            status_message: self.status_message.clone(),
            created_at: self.created_at.clone(),
            last_updated_at: self.last_updated_at.clone(),
            ttl: self.ttl,
            poll_interval: self.poll_interval,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::CallToolResult;

    const TASK: &str = r#"{"taskId":"t1","status":"input_required","statusMessage":"waiting","createdAt":"2025-11-25T10:00:00Z","lastUpdatedAt":"2025-11-25T10:00:05Z","ttl":60000,"pollInterval":500}"#;

    #[test]
    fn task_writes_a_null_ttl_and_leaves_other_unset_members_out() {
        let task =
            Task { task_id: "t".into(), created_at: "c".into(), last_updated_at: "u".into(), ..Default::default() };
        assert_eq!(
            serde_json::to_string(&task).unwrap(),
            r#"{"taskId":"t","status":"working","createdAt":"c","lastUpdatedAt":"u","ttl":null}"#
        );
    }

    #[test]
    fn get_task_result_puts_meta_beside_the_task_members() {
        let raw =
            r#"{"taskId":"t1","status":"cancelled","createdAt":"c","lastUpdatedAt":"u","ttl":null,"_meta":{"k":1}}"#;
        let result: GetTaskResult = serde_json::from_str(raw).unwrap();
        assert!(result.task.status.is_terminal());
        assert_eq!(serde_json::to_string(&result).unwrap(), raw);
    }

    #[test]
    fn task_status_notification_has_the_task_members_and_meta() {
        let notification: TaskStatusNotificationParams = serde_json::from_str(TASK).unwrap();
        assert_eq!(notification.status, TaskStatus::InputRequired);
        assert_eq!(serde_json::to_string(&notification).unwrap(), TASK);
        assert_eq!(TaskStatusNotificationParams::new(notification.task()), notification);
        let with_meta = r#"{"taskId":"t","status":"failed","createdAt":"c","lastUpdatedAt":"u","ttl":null,"_meta":{"io.modelcontextprotocol/related-task":{"taskId":"t"}}}"#;
        let notification: TaskStatusNotificationParams = serde_json::from_str(with_meta).unwrap();
        assert_eq!(notification.meta.as_ref().unwrap().related_task().unwrap().task_id, "t");
        assert_eq!(serde_json::to_string(&notification).unwrap(), with_meta);
    }

    #[test]
    fn create_task_result_wraps_the_task() {
        let raw = format!(r#"{{"task":{TASK}}}"#);
        let result: CreateTaskResult = serde_json::from_str(&raw).unwrap();
        assert!(!result.task.status.is_terminal());
        assert_eq!(serde_json::to_string(&result).unwrap(), raw);
    }

    #[test]
    fn task_payload_reads_as_the_original_result() {
        let raw = r#"{"content":[{"type":"text","text":"done"}],"isError":false,"_meta":{"io.modelcontextprotocol/related-task":{"taskId":"t1"}}}"#;
        let payload: GetTaskPayloadResult = serde_json::from_str(raw).unwrap();
        assert!(payload.meta.as_ref().unwrap().related_task().is_some());
        let result: CallToolResult = payload.parse().unwrap();
        assert_eq!(result.is_error, Some(false));
        // The payload is held as a JSON value, so it survives in content, not in member order.
        assert_eq!(serde_json::to_value(&payload).unwrap(), serde_json::from_str::<serde_json::Value>(raw).unwrap());
    }
}
