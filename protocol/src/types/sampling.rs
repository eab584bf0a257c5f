//! Sampling: a server asks the client's model for a completion
//! (`sampling/createMessage`), optionally offering it tools.

use serde::{Deserialize, Serialize};

use super::{JsonObject, Role, SamplingMessageContentBlock, TaskMetadata, Tool};
use crate::Meta;

/// `sampling/createMessage` params.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageRequestParams {
    /// The conversation so far.
    pub messages: Vec<SamplingMessage>,
    /// Which model the server would like; the client decides.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_preferences: Option<ModelPreferences>,
    /// A system prompt the client may use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    /// Which MCP servers' context to include; `thisServer` and `allServers` are
    /// soft-deprecated since 2025-11-25.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_context: Option<IncludeContext>,
    /// The sampling temperature.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    /// The most tokens to sample.
    pub max_tokens: u64,
    /// Sequences that stop sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_sequences: Option<Vec<String>>,
    /// Provider-specific metadata, passed through.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<JsonObject>,
    /// Tools the model may use (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<Tool>>,
    /// How the model may use them (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_choice: Option<ToolChoice>,
    /// Run the request as a task (2025-11-25).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<TaskMetadata>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Which servers' context a sampling request wants included; `none` when unset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum IncludeContext {
    /// None.
    #[default]
    None,
    /// The requesting server's.
    ThisServer,
    /// Every connected server's.
    AllServers,
}

/// The server's preferences for model selection; every member is advisory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelPreferences {
    /// Model names or families to consider, in order of preference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hints: Option<Vec<ModelHint>>,
    /// How much cost matters, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_priority: Option<f64>,
    /// How much speed matters, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speed_priority: Option<f64>,
    /// How much capability matters, from 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intelligence_priority: Option<f64>,
}

/// A hint for model selection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModelHint {
    /// A substring of a model name (`"claude-3-5-sonnet"`, `"sonnet"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// How a sampled model may use the offered tools (2025-11-25 and later).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolChoice {
    /// `auto` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mode: Option<ToolChoiceMode>,
}

/// Whether a sampled model must, may or must not call a tool; `auto` when unset.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ToolChoiceMode {
    /// The model decides.
    #[default]
    Auto,
    /// The model must call a tool.
    Required,
    /// The model must not call a tool.
    None,
}

/// One message of a sampling conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SamplingMessage {
    /// Who says it.
    pub role: Role,
    /// One block, or several (2025-11-25 and later).
    pub content: SamplingMessageContent,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The content of a sampling message or result: one block, or an array of them.
///
/// The schema has no tag; a JSON object is one block and an array is several.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SamplingMessageContent {
    /// One block, as every revision allows.
    Single(SamplingMessageContentBlock),
    /// Several blocks (2025-11-25 and later).
    Multiple(Vec<SamplingMessageContentBlock>),
}

impl From<SamplingMessageContentBlock> for SamplingMessageContent {
    fn from(block: SamplingMessageContentBlock) -> Self {
        Self::Single(block)
    }
}

/// The result of `sampling/createMessage`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateMessageResult {
    /// Who says it; the model's answer is `assistant`.
    pub role: Role,
    /// What the model produced.
    pub content: SamplingMessageContent,
    /// The model that produced it.
    pub model: String,
    /// Why sampling stopped: `endTurn`, `stopSequence`, `maxTokens`, `toolUse`, or
    /// a provider's own reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sampling_content_picks_single_or_multiple() {
        let single = r#"{"role":"user","content":{"type":"text","text":"hi"}}"#;
        let message: SamplingMessage = serde_json::from_str(single).unwrap();
        assert!(matches!(message.content, SamplingMessageContent::Single(SamplingMessageContentBlock::Text(_))));
        assert_eq!(serde_json::to_string(&message).unwrap(), single);

        let multiple = r#"{"role":"assistant","content":[{"type":"text","text":"calling"},{"type":"tool_use","id":"u","name":"t","input":{}}]}"#;
        let message: SamplingMessage = serde_json::from_str(multiple).unwrap();
        assert!(matches!(&message.content, SamplingMessageContent::Multiple(blocks) if blocks.len() == 2));
        assert_eq!(serde_json::to_string(&message).unwrap(), multiple);
    }

    #[test]
    fn create_message_with_tools_round_trips() {
        let raw = r#"{"messages":[{"role":"user","content":{"type":"text","text":"weather?"}}],"modelPreferences":{"hints":[{"name":"sonnet"}],"costPriority":0.2,"speedPriority":0.5,"intelligencePriority":0.9},"systemPrompt":"be brief","includeContext":"thisServer","temperature":0.7,"maxTokens":200,"stopSequences":["\n\n"],"metadata":{"vendor":"x"},"tools":[{"name":"get_weather","inputSchema":{"type":"object"}}],"toolChoice":{"mode":"auto"}}"#;
        let params: CreateMessageRequestParams = serde_json::from_str(raw).unwrap();
        assert_eq!(params.tool_choice.as_ref().unwrap().mode, Some(ToolChoiceMode::Auto));
        assert_eq!(params.include_context, Some(IncludeContext::ThisServer));
        assert_eq!(serde_json::to_string(&params).unwrap(), raw);
    }

    #[test]
    fn create_message_result_round_trips() {
        let raw = r#"{"role":"assistant","content":{"type":"text","text":"18C"},"model":"m","stopReason":"endTurn"}"#;
        let result: CreateMessageResult = serde_json::from_str(raw).unwrap();
        assert_eq!(result.stop_reason.as_deref(), Some("endTurn"));
        assert_eq!(serde_json::to_string(&result).unwrap(), raw);
    }
}
