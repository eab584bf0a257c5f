//! Content: the blocks tools, prompts and sampling exchange (text, image, audio,
//! resource links, embedded resources, tool use and tool results), and the
//! contents of a resource.
//!
//! Content blocks are tagged by `type`; the tag lives in the enum, so each block
//! struct carries only its own members.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Annotations, JsonObject, Resource};
use crate::Meta;

/// A piece of content in a tool result, a prompt message or an embedded resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentBlock {
    /// `"type": "text"`.
    Text(TextContent),
    /// `"type": "image"`.
    Image(ImageContent),
    /// `"type": "audio"` (2025-03-26 and later).
    Audio(AudioContent),
    /// `"type": "resource_link"` (2025-06-18 and later).
    ResourceLink(ResourceLink),
    /// `"type": "resource"`.
    Resource(EmbeddedResource),
}

impl ContentBlock {
    /// A text block with nothing but its text.
    pub fn text(text: impl Into<String>) -> Self {
        Self::Text(TextContent { text: text.into(), ..Default::default() })
    }
}

/// A piece of content in a sampling message: a [`ContentBlock`] kind, or a
/// tool use or tool result (2025-11-25 and later).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SamplingMessageContentBlock {
    /// `"type": "text"`.
    Text(TextContent),
    /// `"type": "image"`.
    Image(ImageContent),
    /// `"type": "audio"`.
    Audio(AudioContent),
    /// `"type": "tool_use"`: the model asks to call a tool.
    ToolUse(ToolUseContent),
    /// `"type": "tool_result"`: the outcome of a tool use.
    ToolResult(ToolResultContent),
}

/// Text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextContent {
    /// The text.
    pub text: String,
    /// Display hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// An image, base64-encoded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageContent {
    /// The base64-encoded image.
    pub data: String,
    /// The image's MIME type.
    pub mime_type: String,
    /// Display hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Audio, base64-encoded (2025-03-26 and later).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AudioContent {
    /// The base64-encoded audio.
    pub data: String,
    /// The audio's MIME type.
    pub mime_type: String,
    /// Display hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// A link to a resource the client may read (2025-06-18 and later). The
/// schema defines it as a [`Resource`] with a `type` tag, so it is one.
pub type ResourceLink = Resource;

/// A resource's contents, embedded in a message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmbeddedResource {
    /// The contents.
    pub resource: ResourceContents,
    /// Display hints.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annotations: Option<Annotations>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The contents of a resource: text or binary.
///
/// The schema has no tag here; the variants differ in their required member
/// (`text` or `blob`), which is what decoding goes by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ResourceContents {
    /// Text contents.
    Text(TextResourceContents),
    /// Binary contents, base64-encoded.
    Blob(BlobResourceContents),
}

/// A resource's contents as text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextResourceContents {
    /// The resource's URI.
    pub uri: String,
    /// The MIME type, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The text.
    pub text: String,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// A resource's contents as base64-encoded bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BlobResourceContents {
    /// The resource's URI.
    pub uri: String,
    /// The MIME type, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The base64-encoded bytes.
    pub blob: String,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// A model's request to call a tool, inside a sampling message (2025-11-25 and later).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolUseContent {
    /// Identifies this tool use, so a [`ToolResultContent`] can answer it.
    pub id: String,
    /// The tool to call.
    pub name: String,
    /// The arguments.
    pub input: JsonObject,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The result of a tool use, inside a sampling message (2025-11-25 and later).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolResultContent {
    /// The [`ToolUseContent::id`] this answers.
    pub tool_use_id: String,
    /// What the tool returned.
    pub content: Vec<ContentBlock>,
    /// Structured output; an object in 2025-11-25, any JSON in 2026-07-28.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub structured_content: Option<Value>,
    /// Whether the tool failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub is_error: Option<bool>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip<T: Serialize + serde::de::DeserializeOwned>(raw: &str) -> T {
        let value: T = serde_json::from_str(raw).unwrap();
        assert_eq!(serde_json::to_string(&value).unwrap(), raw);
        value
    }

    #[test]
    fn each_content_block_kind_round_trips() {
        let text = r#"{"type":"text","text":"hi","annotations":{"audience":["user","assistant"],"priority":0.5,"lastModified":"2025-01-01T00:00:00Z"},"_meta":{"k":1}}"#;
        assert!(matches!(round_trip::<ContentBlock>(text), ContentBlock::Text(t) if t.text == "hi"));
        let image = r#"{"type":"image","data":"aGk=","mimeType":"image/png"}"#;
        assert!(matches!(round_trip::<ContentBlock>(image), ContentBlock::Image(_)));
        let audio = r#"{"type":"audio","data":"aGk=","mimeType":"audio/wav"}"#;
        assert!(matches!(round_trip::<ContentBlock>(audio), ContentBlock::Audio(_)));
        let link = r#"{"type":"resource_link","uri":"file:///a.txt","name":"a","mimeType":"text/plain","size":3}"#;
        assert!(matches!(round_trip::<ContentBlock>(link), ContentBlock::ResourceLink(r) if r.size == Some(3)));
        let text_resource =
            r#"{"type":"resource","resource":{"uri":"file:///a.txt","mimeType":"text/plain","text":"abc"}}"#;
        let ContentBlock::Resource(embedded) = round_trip::<ContentBlock>(text_resource) else { panic!() };
        assert!(matches!(embedded.resource, ResourceContents::Text(_)));
        let blob_resource = r#"{"type":"resource","resource":{"uri":"file:///a.bin","blob":"AAE="}}"#;
        let ContentBlock::Resource(embedded) = round_trip::<ContentBlock>(blob_resource) else { panic!() };
        assert!(matches!(embedded.resource, ResourceContents::Blob(_)));
    }

    #[test]
    fn sampling_blocks_include_tool_use_and_tool_result() {
        let tool_use = r#"{"type":"tool_use","id":"u1","name":"weather","input":{"city":"Paris"}}"#;
        assert!(
            matches!(round_trip::<SamplingMessageContentBlock>(tool_use), SamplingMessageContentBlock::ToolUse(u) if u.name == "weather")
        );
        let tool_result = r#"{"type":"tool_result","toolUseId":"u1","content":[{"type":"text","text":"18C"}],"structuredContent":{"celsius":18},"isError":false}"#;
        assert!(matches!(
            round_trip::<SamplingMessageContentBlock>(tool_result),
            SamplingMessageContentBlock::ToolResult(r) if r.tool_use_id == "u1"
        ));
        let text = r#"{"type":"text","text":"x"}"#;
        assert!(matches!(round_trip::<SamplingMessageContentBlock>(text), SamplingMessageContentBlock::Text(_)));
    }

    #[test]
    fn unknown_content_type_is_rejected_and_unknown_members_are_ignored() {
        assert!(serde_json::from_str::<ContentBlock>(r#"{"type":"video","data":"x"}"#).is_err());
        let block: ContentBlock = serde_json::from_str(r#"{"type":"text","text":"x","future":true}"#).unwrap();
        assert_eq!(block, ContentBlock::text("x"));
    }

    #[test]
    fn resource_contents_pick_the_variant_by_their_required_member() {
        let text: ResourceContents = serde_json::from_str(r#"{"uri":"a:b","text":""}"#).unwrap();
        assert!(matches!(text, ResourceContents::Text(_)));
        let blob: ResourceContents = serde_json::from_str(r#"{"uri":"a:b","blob":""}"#).unwrap();
        assert!(matches!(blob, ResourceContents::Blob(_)));
        assert!(serde_json::from_str::<ResourceContents>(r#"{"uri":"a:b"}"#).is_err());
    }

    #[test]
    fn text_block_without_optional_members_is_minimal() {
        assert_eq!(serde_json::to_string(&ContentBlock::text("hi")).unwrap(), r#"{"type":"text","text":"hi"}"#);
    }
}
