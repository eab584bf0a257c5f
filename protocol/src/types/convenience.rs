//! Constructors for the values handlers build most often, so a server reads
//! `Tool::new("echo", "Send the text back")` rather than a struct literal
//! with seven `None`s.

use super::{
    CallToolResult, CompleteResult, ContentBlock, Implementation, Prompt, PromptArgument, PromptMessage, Resource,
    ResourceContents, ResourceTemplate, Role, TextResourceContents, Tool,
};

impl Tool {
    /// A tool with a name, a description and the schema `{"type":"object"}`
    /// (no arguments); set `input_schema` for tools that take some.
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self { name: name.into(), description: Some(description.into()), ..Self::default() }
    }
}

impl CallToolResult {
    /// A result with one text block.
    pub fn text(text: impl Into<String>) -> Self {
        Self { content: vec![ContentBlock::text(text)], ..Self::default() }
    }

    /// A tool failure the model can read: one text block and `isError: true`.
    pub fn error(message: impl Into<String>) -> Self {
        Self { content: vec![ContentBlock::text(message)], is_error: Some(true), ..Self::default() }
    }
}

impl Implementation {
    /// A name and a version, the two members every implementation has.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Self {
        Self { name: name.into(), version: version.into(), ..Self::default() }
    }
}

impl Resource {
    /// A resource with a URI and a name.
    pub fn new(uri: impl Into<String>, name: impl Into<String>) -> Self {
        Self { uri: uri.into(), name: name.into(), ..Self::default() }
    }
}

impl ResourceTemplate {
    /// A template with a URI template and a name.
    pub fn new(uri_template: impl Into<String>, name: impl Into<String>) -> Self {
        Self { uri_template: uri_template.into(), name: name.into(), ..Self::default() }
    }
}

impl Prompt {
    /// A prompt with a name and a description.
    pub fn new(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self { name: name.into(), description: Some(description.into()), ..Self::default() }
    }
}

impl PromptArgument {
    /// An argument the client must supply.
    pub fn required(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self { name: name.into(), description: Some(description.into()), required: Some(true), ..Self::default() }
    }

    /// An argument the client may leave out.
    pub fn optional(name: impl Into<String>, description: impl Into<String>) -> Self {
        Self { name: name.into(), description: Some(description.into()), required: Some(false), ..Self::default() }
    }
}

impl PromptMessage {
    /// A message from the user.
    pub fn user(content: ContentBlock) -> Self {
        Self { role: Role::User, content }
    }
}

impl ResourceContents {
    /// Text contents of a resource.
    pub fn text(uri: impl Into<String>, mime_type: impl Into<String>, text: impl Into<String>) -> Self {
        Self::Text(TextResourceContents {
            uri: uri.into(),
            mime_type: Some(mime_type.into()),
            text: text.into(),
            meta: None,
        })
    }
}

impl CompleteResult {
    /// Suggestions, at most the 100 the specification allows per answer;
    /// `total` and `hasMore` say how many there were.
    pub fn values(mut values: Vec<String>) -> Self {
        const MAX: usize = 100;
        let total = values.len();
        values.truncate(MAX);
        let total = u64::try_from(total).unwrap_or(u64::MAX);
        Self {
            completion: super::Completion { values, total: Some(total), has_more: Some(total > MAX as u64) },
            ..Self::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_tool_takes_no_arguments_and_serialises_minimally() {
        let json = serde_json::to_value(Tool::new("echo", "Send it back")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name":"echo","description":"Send it back","inputSchema":{"type":"object"}})
        );
    }

    #[test]
    fn error_result_is_marked() {
        let json = serde_json::to_value(CallToolResult::error("boom")).unwrap();
        assert_eq!(json, serde_json::json!({"content":[{"type":"text","text":"boom"}],"isError":true}));
    }
}
