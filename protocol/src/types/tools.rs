//! Tools: what a server lets the model call, how a call is asked for, and what
//! it returns.

use std::fmt;

use serde::de::Deserializer;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{CacheScope, ContentBlock, Cursor, Icons, InputResponses, JsonObject, ResultType, TaskMetadata};
use crate::Meta;

/// A tool's `inputSchema` or `outputSchema`: a JSON Schema object, carried
/// verbatim.
///
/// The text is kept exactly as it arrived or was given, byte for byte, so keywords
/// this crate knows nothing about (`$anchor`, `if`/`then`/`else`, vendor
/// extensions) and the author's member order survive a `tools/list` unchanged.
/// Only a JSON object is accepted: the schema requires one.
///
/// Being raw JSON, it decodes only straight from JSON text or a
/// [`serde_json::Value`]: serde cannot hand it over from inside an untagged or
/// internally tagged enum or a `flatten`ed member, which buffer their input.
/// The crate's own types never put a [`Tool`] there.
#[derive(Clone, Serialize)]
#[serde(transparent)]
pub struct ToolSchema(Box<RawValue>);

impl ToolSchema {
    /// The schema from a JSON value.
    ///
    /// # Errors
    /// When the value is not a JSON object.
    pub fn from_value(value: &Value) -> Result<Self, serde_json::Error> {
        if !value.is_object() {
            return Err(not_an_object());
        }
        serde_json::value::to_raw_value(value).map(Self)
    }

    /// The schema from JSON text, kept as written.
    ///
    /// # Errors
    /// When the text is not JSON, or is JSON but not an object.
    pub fn from_json(json: &str) -> Result<Self, serde_json::Error> {
        Self::from_raw(RawValue::from_string(json.to_owned())?)
    }

    fn from_raw(raw: Box<RawValue>) -> Result<Self, serde_json::Error> {
        // The raw text starts at the value's first byte, so an object starts with `{`.
        match raw.get().as_bytes().first() {
            Some(b'{') => Ok(Self(raw)),
            _ => Err(not_an_object()),
        }
    }

    /// The schema's JSON text, exactly as carried.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// The schema parsed into a JSON value, for inspection or validation.
    pub fn to_value(&self) -> Value {
        serde_json::from_str(self.0.get()).expect("a ToolSchema holds JSON that has already been parsed once")
    }
}

fn not_an_object() -> serde_json::Error {
    serde::de::Error::custom("a tool schema must be a JSON object")
}

impl Default for ToolSchema {
    /// `{"type":"object"}`: a tool that takes no particular arguments.
    fn default() -> Self {
        Self::from_json(r#"{"type":"object"}"#).expect("the default schema is a JSON object")
    }
}

impl PartialEq for ToolSchema {
    /// Compares the text: two schemas that differ only in spacing or member
    /// order are different, because they are carried differently.
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for ToolSchema {}

impl fmt::Debug for ToolSchema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ToolSchema").field(&self.as_str()).finish()
    }
}

impl<'de> Deserialize<'de> for ToolSchema {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        Self::from_raw(raw).map_err(serde::de::Error::custom)
    }
}

/// A tool the client may call.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Tool {
    /// The programmatic name.
    pub name: String,
    /// A display name (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// What the tool does, for the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The JSON Schema of the arguments.
    pub input_schema: ToolSchema,
    /// The JSON Schema of `structuredContent` (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_schema: Option<ToolSchema>,
    /// Hints about the tool's behaviour (2025-03-26 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<ToolAnnotations>,
    /// Icons for display (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Icons>,
    /// Whether the tool runs as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub execution: Option<ToolExecution>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Hints about a tool's behaviour. Clients must not trust them from an
/// untrusted server.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolAnnotations {
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The tool changes nothing (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    /// A change may destroy something (default true; meaningless when read-only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destructive_hint: Option<bool>,
    /// Calling twice with the same arguments does nothing more (default false).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub idempotent_hint: Option<bool>,
    /// The tool reaches an open world, such as the web (default true).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub open_world_hint: Option<bool>,
}

/// How a tool may be executed (2025-11-25).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolExecution {
    /// Whether a call may, must or must not run as a task (default forbidden).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_support: Option<TaskSupport>,
}

/// Whether a tool call may run as a task; `forbidden` when unset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TaskSupport {
    /// Calls never run as tasks.
    #[default]
    Forbidden,
    /// The caller chooses.
    Optional,
    /// Calls always run as tasks.
    Required,
}

/// The result of `tools/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListToolsResult {
    /// `complete` (2026-07-28; required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// One page of tools.
    pub tools: Vec<Tool>,
    /// Where the next page starts; absent on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<Cursor>,
    /// How long the client may cache this result, in milliseconds (2026-07-28; required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl_ms: Option<u64>,
    /// Who may share a cached copy (2026-07-28; required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_scope: Option<CacheScope>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// `tools/call` params.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolRequestParams {
    /// The tool to call.
    pub name: String,
    /// The arguments, as an object the tool's `inputSchema` describes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<JsonObject>,
    /// Run the call as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// Answers to the input requests of an earlier round (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input_responses: Option<InputResponses>,
    /// The opaque state an earlier round returned, echoed back (2026-07-28).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_state: Option<String>,
    /// Metadata; required in 2026-07-28.
    #[serde(
        rename = "_meta",
        default,
        deserialize_with = "crate::meta::lazy",
        skip_serializing_if = "Option::is_none"
    )]
    pub meta: Option<Meta>,
}

/// The result of `tools/call`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallToolResult {
    /// `complete` (2026-07-28; required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The unstructured result.
    pub content: Vec<ContentBlock>,
    /// The structured result, matching the tool's `outputSchema`: an object
    /// until 2025-11-25, any JSON value in 2026-07-28.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the tool failed; absent means it did not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn tool_schema_keeps_its_text_byte_for_byte() {
        let raw = r#"{ "type": "object",  "properties": {"b": {}, "a": {}} }"#;
        let schema = ToolSchema::from_json(raw).unwrap();
        assert_eq!(schema.as_str(), raw);
        assert_eq!(serde_json::to_string(&schema).unwrap(), raw);
        assert_eq!(schema.to_value()["type"], "object");
    }

    #[test]
    fn tool_schema_rejects_anything_but_an_object() {
        assert!(ToolSchema::from_json("[]").is_err());
        assert!(ToolSchema::from_json(r#""object""#).is_err());
        assert!(ToolSchema::from_json("{").is_err());
        assert!(ToolSchema::from_value(&json!(true)).is_err());
        assert!(serde_json::from_str::<ToolSchema>("null").is_err());
        assert!(serde_json::from_str::<Tool>(r#"{"name":"t","inputSchema":[1]}"#).is_err());
    }

    #[test]
    fn tool_schema_default_is_a_bare_object_and_equality_is_textual() {
        assert_eq!(ToolSchema::default().as_str(), r#"{"type":"object"}"#);
        assert_eq!(ToolSchema::from_value(&json!({"type":"object"})).unwrap(), ToolSchema::default());
        assert_ne!(ToolSchema::from_json(r#"{"type": "object"}"#).unwrap(), ToolSchema::default());
    }

    #[test]
    fn tool_schema_survives_a_detour_through_a_json_value() {
        let tool: Tool = serde_json::from_value(json!({"name":"t","inputSchema":{"type":"object"}})).unwrap();
        assert_eq!(tool.input_schema, ToolSchema::default());
    }

    #[test]
    fn call_tool_result_with_only_content_serialises_only_content() {
        let result = CallToolResult { content: vec![ContentBlock::text("ok")], ..Default::default() };
        assert_eq!(serde_json::to_string(&result).unwrap(), r#"{"content":[{"type":"text","text":"ok"}]}"#);
    }

    #[test]
    fn call_tool_result_accepts_any_structured_content() {
        for structured in [r#"{"n":1}"#, "[1,2]", "42", r#""text""#] {
            let raw =
                format!(r#"{{"resultType":"complete","content":[],"structuredContent":{structured},"isError":false}}"#);
            let result: CallToolResult = serde_json::from_str(&raw).unwrap();
            assert_eq!(result.result_type, Some(ResultType::COMPLETE));
            assert_eq!(serde_json::to_string(&result).unwrap(), raw);
        }
    }

    #[test]
    fn call_params_keep_arguments_task_and_progress_token() {
        let raw = r#"{"name":"echo","arguments":{"text":"hi"},"task":{"ttl":60000},"_meta":{"progressToken":1}}"#;
        let params: CallToolRequestParams = serde_json::from_str(raw).unwrap();
        assert_eq!(params.arguments.as_ref().unwrap()["text"], "hi");
        assert_eq!(params.meta.as_ref().unwrap().progress_token(), Some(crate::ProgressToken::Number(1)));
        assert_eq!(serde_json::to_string(&params).unwrap(), raw);
    }

    #[test]
    fn tool_with_every_member_round_trips() {
        let raw = r#"{"name":"get_weather","title":"Weather","description":"d","inputSchema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"outputSchema":{"type":"object"},"annotations":{"title":"W","readOnlyHint":true,"destructiveHint":false,"idempotentHint":true,"openWorldHint":true},"icons":[{"src":"https://example.com/w.svg"}],"execution":{"taskSupport":"optional"},"_meta":{"k":1}}"#;
        let tool: Tool = serde_json::from_str(raw).unwrap();
        assert_eq!(tool.execution.as_ref().unwrap().task_support, Some(TaskSupport::Optional));
        assert_eq!(serde_json::to_string(&tool).unwrap(), raw);
    }
}
