//! The two extensions of 2026-07-28 a server may declare in
//! `capabilities.extensions`: tasks (`io.modelcontextprotocol/tasks`,
//! SEP-2663) and skills (`io.modelcontextprotocol/skills`, SEP-2640).
//!
//! Tasks: a `tools/call` may be answered with a handle to a task instead of
//! its result (`resultType: "task"`), which the client polls with
//! `tasks/get`, feeds input with `tasks/update` and stops with
//! `tasks/cancel`. The shapes differ from the experimental tasks of
//! 2025-11-25 (see [`Task`](super::Task)): members are flat, times are
//! `ttlMs` and `pollIntervalMs`, and `tasks/get` inlines the final result,
//! the error, or the questions the task waits on.
//!
//! Skills: agent skills served as resources (`skill://<path>/SKILL.md` and
//! the files beside it), enumerated by `skills/list` and `skills/get` with a
//! manifest of every file's digest, and directories read with
//! `resources/directory/read`.
//!
//! Neither is in the core schema, so their requests are a dispatch enum of
//! their own ([`crate::ClientExtensionRequest`]).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{CacheScope, Cursor, InputRequests, JsonObject, Resource, ResultType, TaskStatus};
use crate::meta::WithMeta;
use crate::{ErrorObject, Meta};

/// The name of the tasks extension, the key a client and a server declare it
/// under in `capabilities.extensions`.
pub const TASKS_EXTENSION: &str = "io.modelcontextprotocol/tasks";

/// The name of the skills extension.
pub const SKILLS_EXTENSION: &str = "io.modelcontextprotocol/skills";

/// A task's state as the tasks extension writes it: the members shared by a
/// task handle, `tasks/get` and status notifications.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskState {
    /// The task's id, chosen by the server; unguessable.
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
    /// How long the task is kept after creation, in milliseconds. Required:
    /// `null` (always written) means "for ever"; a number is never zero.
    #[serde(default)]
    pub ttl_ms: Option<u64>,
    /// How often to poll, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub poll_interval_ms: Option<u64>,
}

/// The answer to a request that became a task (`resultType: "task"`): the
/// task's state, flat, and nothing of the request's own result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CreateTaskHandle {
    /// Always `task`.
    #[serde(rename = "resultType")]
    pub result_type: ResultType,
    /// The new task.
    #[serde(flatten)]
    pub task: TaskState,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl CreateTaskHandle {
    /// The handle of `task`.
    pub fn new(task: TaskState) -> Self {
        Self { result_type: ResultType::TASK, task, meta: None }
    }
}

/// The result of `tasks/get`: the task's state with what its status carries
/// inlined: the final result when `completed`, the error when `failed`, the
/// questions it waits on when `input_required`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DetailedTask {
    /// `complete` (it is the ordinary result of `tasks/get`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The task's state.
    #[serde(flatten)]
    pub task: TaskState,
    /// The request's own result, once `completed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<JsonObject>,
    /// The JSON-RPC error the request ended with, once `failed`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorObject>,
    /// The questions the task waits on, while `input_required`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_requests: Option<InputRequests>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `tasks/update` params: answers to the questions of a task in
/// `input_required`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpdateTaskRequestParams {
    /// The task.
    pub task_id: String,
    /// The answers, by the keys of the task's `inputRequests`. Kept as JSON:
    /// each is read on its own, so that an answer to an unknown key, or one
    /// that does not parse, is ignored rather than failing the others.
    #[serde(default)]
    pub input_responses: serde_json::Map<String, Value>,
    /// Metadata; carries the protocol version and the client's capabilities.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl WithMeta for UpdateTaskRequestParams {
    fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }
}

/// The acknowledgement `tasks/update` and `tasks/cancel` answer with: an
/// empty result, which in 2026-07-28 still says its `resultType`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TaskAckResult {
    /// `complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// One file of a skill, with the digest and size of its exact bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillResource {
    /// The file's resource URI.
    pub uri: String,
    /// `sha256:` and 64 lowercase hex digits of the file's bytes.
    pub digest: String,
    /// The file's length in bytes.
    pub size: u64,
}

/// A skill's files: every one of them, or `"dynamic"` when its content is
/// generated and has no stable digests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SkillResources {
    /// The complete list, `SKILL.md` included.
    Listed(Vec<SkillResource>),
    /// The string `"dynamic"`.
    Dynamic(DynamicMarker),
}

/// The string `"dynamic"` and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DynamicMarker {
    /// `"dynamic"`.
    #[serde(rename = "dynamic")]
    Dynamic,
}

/// The entry of one skill, in `skills/list` and `skills/get` alike.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skill {
    /// The URI of the skill's `SKILL.md`.
    pub uri: String,
    /// The `SKILL.md` frontmatter, verbatim, as a JSON object (`name` and
    /// `description` always among its members).
    pub frontmatter: JsonObject,
    /// The skill's files.
    pub resources: SkillResources,
}

/// The result of `skills/list`: one page of skills, cacheable.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListSkillsResult {
    /// `complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// One page of skills; an entry is never split across pages.
    pub skills: Vec<Skill>,
    /// Where the next page starts; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
    /// How long the client may cache this result, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<CacheScope>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `skills/get` params.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct GetSkillRequestParams {
    /// The URI of the skill's `SKILL.md`.
    pub uri: String,
    /// Metadata; carries the protocol version and the client's capabilities.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl WithMeta for GetSkillRequestParams {
    fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }
}

/// The result of `skills/get`: one skill's entry, cacheable, never paged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GetSkillResult {
    /// `complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The skill.
    pub skill: Skill,
    /// How long the client may treat the entry as current, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<CacheScope>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `resources/directory/read` params.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ReadResourceDirectoryRequestParams {
    /// The directory's URI, without a trailing slash.
    pub uri: String,
    /// Where to continue; absent for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
    /// Metadata; carries the protocol version and the client's capabilities.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

impl WithMeta for ReadResourceDirectoryRequestParams {
    fn meta(&self) -> Option<&Meta> {
        self.meta.as_ref()
    }
}

/// The result of `resources/directory/read`: one page of a directory's
/// direct children; a subdirectory has the MIME type [`DIRECTORY_MIME_TYPE`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadResourceDirectoryResult {
    /// `complete`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The children.
    pub resources: Vec<Resource>,
    /// Where the next page starts; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The MIME type of a directory resource.
pub const DIRECTORY_MIME_TYPE: &str = "inode/directory";

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn state() -> TaskState {
        TaskState {
            task_id: "t1".into(),
            status: TaskStatus::Working,
            created_at: "2026-07-28T10:00:00Z".into(),
            last_updated_at: "2026-07-28T10:00:00Z".into(),
            ttl_ms: Some(60_000),
            poll_interval_ms: Some(200),
            ..TaskState::default()
        }
    }

    #[test]
    fn a_task_handle_is_flat_and_says_task() {
        let raw = r#"{"resultType":"task","taskId":"t1","status":"working","createdAt":"2026-07-28T10:00:00Z","lastUpdatedAt":"2026-07-28T10:00:00Z","ttlMs":60000,"pollIntervalMs":200}"#;
        assert_eq!(serde_json::to_string(&CreateTaskHandle::new(state())).unwrap(), raw);
        let parsed: CreateTaskHandle = serde_json::from_str(raw).unwrap();
        assert_eq!(parsed.task, state());
    }

    #[test]
    fn an_unlimited_ttl_is_written_as_null() {
        let task = TaskState { ttl_ms: None, poll_interval_ms: None, ..state() };
        let value = serde_json::to_value(&task).unwrap();
        assert_eq!(value["ttlMs"], Value::Null);
        assert!(value.get("pollIntervalMs").is_none());
    }

    #[test]
    fn a_detailed_task_inlines_only_what_its_status_carries() {
        let failed = DetailedTask {
            result_type: Some(ResultType::COMPLETE),
            task: TaskState { status: TaskStatus::Failed, ..state() },
            error: Some(ErrorObject::internal_error("boom")),
            ..DetailedTask::default()
        };
        let value = serde_json::to_value(&failed).unwrap();
        assert_eq!(value["error"], json!({"code": -32603, "message": "boom"}));
        assert!(value.get("result").is_none() && value.get("inputRequests").is_none());
        let raw = r#"{"resultType":"complete","taskId":"t1","status":"input_required","createdAt":"c","lastUpdatedAt":"u","ttlMs":null,"inputRequests":{"k":{"method":"roots/list","params":{}}}}"#;
        let waiting: DetailedTask = serde_json::from_str(raw).unwrap();
        assert_eq!(waiting.input_requests.as_ref().map(|r| r.len()), Some(1));
        assert_eq!(serde_json::to_string(&waiting).unwrap(), raw);
    }

    #[test]
    fn update_params_keep_every_answer_as_json() {
        let raw = r#"{"taskId":"t1","inputResponses":{"unknown-key":{"ignored":true}},"_meta":{"k":1}}"#;
        let params: UpdateTaskRequestParams = serde_json::from_str(raw).unwrap();
        assert_eq!(params.input_responses["unknown-key"], json!({"ignored": true}));
        assert_eq!(serde_json::to_string(&params).unwrap(), raw);
    }

    #[test]
    fn skill_resources_are_a_list_or_the_word_dynamic() {
        let listed = r#"{"uri":"skill://a/SKILL.md","frontmatter":{"description":"d","name":"a"},"resources":[{"uri":"skill://a/SKILL.md","digest":"sha256:00","size":3}]}"#;
        let skill: Skill = serde_json::from_str(listed).unwrap();
        assert!(matches!(&skill.resources, SkillResources::Listed(files) if files[0].size == 3));
        assert_eq!(serde_json::to_string(&skill).unwrap(), listed);
        let dynamic =
            r#"{"uri":"skill://a/SKILL.md","frontmatter":{"description":"d","name":"a"},"resources":"dynamic"}"#;
        let skill: Skill = serde_json::from_str(dynamic).unwrap();
        assert_eq!(skill.resources, SkillResources::Dynamic(DynamicMarker::Dynamic));
        assert_eq!(serde_json::to_string(&skill).unwrap(), dynamic);
        assert!(serde_json::from_str::<SkillResources>(r#""static""#).is_err());
    }

    #[test]
    fn a_directory_read_lists_children_with_their_mime_types() {
        let raw = r#"{"resultType":"complete","resources":[{"uri":"skill://a/refs","name":"refs","mimeType":"inode/directory"}]}"#;
        let result: ReadResourceDirectoryResult = serde_json::from_str(raw).unwrap();
        assert_eq!(result.resources[0].mime_type.as_deref(), Some(DIRECTORY_MIME_TYPE));
        assert_eq!(serde_json::to_string(&result).unwrap(), raw);
    }
}
