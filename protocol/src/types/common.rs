//! Building blocks shared by every area: who is speaking ([`Role`]), who an
//! implementation is ([`Implementation`]), icons, annotations and pagination.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::Meta;

/// A JSON object with members of any type: what the schema writes as
/// `{"type":"object","additionalProperties":{}}` or `JSONObject`.
pub type JsonObject = Map<String, Value>;

/// An opaque pagination position, as the server handed it out in `nextCursor`.
pub type Cursor = String;

/// The sender or recipient of a message in a conversation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// The human side.
    #[default]
    User,
    /// The model side.
    Assistant,
}

/// An icon for display in a user interface (2025-11-25 and later).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Icon {
    /// An `https:` or `data:` URI of the image.
    pub src: String,
    /// The image's MIME type, when the URI does not make it obvious.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mime_type: Option<String>,
    /// The sizes the image is available in (`"48x48"`, `"any"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizes: Option<Vec<String>>,
    /// The background theme the icon is designed for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub theme: Option<IconTheme>,
}

/// The background an [`Icon`] is meant for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IconTheme {
    /// For a light background.
    Light,
    /// For a dark background.
    Dark,
}

/// The `icons` member of tools, prompts, resources and implementations: the
/// schema's `Icons` mixin.
pub type Icons = Vec<Icon>;

/// Hints about how a client should use or show an object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Annotations {
    /// Who the object is meant for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<Vec<Role>>,
    /// How important the object is, from 0 (least) to 1 (most).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<f64>,
    /// When the object last changed, as an ISO 8601 timestamp (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// The name and version of an MCP client or server (`clientInfo`, `serverInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Implementation {
    /// The programmatic name.
    pub name: String,
    /// A display name (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The version.
    pub version: String,
    /// What the implementation does (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Icons for display (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icons: Option<Icons>,
    /// The implementation's website (2025-11-25 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website_url: Option<String>,
}

/// Params of a paginated list request (`tools/list`, `resources/list`,
/// `resources/templates/list`, `prompts/list`, `tasks/list`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginatedRequestParams {
    /// Where to continue; absent for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
    /// Metadata; required in 2026-07-28, where it carries the protocol version
    /// and the client's capabilities.
    #[serde(
        rename = "_meta",
        default,
        deserialize_with = "crate::meta::lazy",
        skip_serializing_if = "Option::is_none"
    )]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn implementation_without_newer_members_serialises_only_name_and_version() {
        let info = Implementation { name: "mcpwire".into(), version: "0.1.0".into(), ..Default::default() };
        assert_eq!(serde_json::to_string(&info).unwrap(), r#"{"name":"mcpwire","version":"0.1.0"}"#);
    }

    #[test]
    fn implementation_with_icons_round_trips() {
        let raw = r#"{"name":"s","title":"S","version":"1","description":"d","icons":[{"src":"https://example.com/i.png","mimeType":"image/png","sizes":["48x48"],"theme":"dark"}],"websiteUrl":"https://example.com"}"#;
        let info: Implementation = serde_json::from_str(raw).unwrap();
        assert_eq!(info.icons.as_ref().unwrap()[0].theme, Some(IconTheme::Dark));
        assert_eq!(serde_json::to_string(&info).unwrap(), raw);
    }

    #[test]
    fn paginated_params_keep_the_progress_token_in_meta() {
        let raw = r#"{"cursor":"c2","_meta":{"progressToken":"p"}}"#;
        let params: PaginatedRequestParams = serde_json::from_str(raw).unwrap();
        assert_eq!(params.meta.as_ref().unwrap().progress_token(), Some(crate::ProgressToken::String("p".into())));
        assert_eq!(serde_json::to_string(&params).unwrap(), raw);
    }
}
