//! Completion: suggestions for a prompt's or resource template's argument as
//! the user types (`completion/complete`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ResultType;
use crate::Meta;

/// `completion/complete` params.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteRequestParams {
    /// What is being completed: a prompt or a resource template.
    #[serde(rename = "ref")]
    pub reference: Reference,
    /// The argument being completed and what the user has typed so far.
    pub argument: CompleteArgument,
    /// Arguments already filled in (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<CompleteContext>,
    /// Metadata; required in 2026-07-28.
    #[serde(
        rename = "_meta",
        default,
        deserialize_with = "crate::meta::lazy",
        skip_serializing_if = "Option::is_none"
    )]
    pub meta: Option<Meta>,
}

/// What a completion is for, tagged by `type`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Reference {
    /// `"type": "ref/prompt"`: an argument of a prompt.
    #[serde(rename = "ref/prompt")]
    Prompt(PromptReference),
    /// `"type": "ref/resource"`: a variable of a resource template.
    #[serde(rename = "ref/resource")]
    Resource(ResourceTemplateReference),
}

impl Default for Reference {
    fn default() -> Self {
        Self::Prompt(PromptReference::default())
    }
}

/// A prompt, by name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptReference {
    /// The prompt's programmatic name.
    pub name: String,
    /// A display name (2025-06-18 and later).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
}

/// A resource template, by URI template (`ResourceReference` in 2024-11-05 and 2025-03-26).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceTemplateReference {
    /// The URI template.
    pub uri: String,
}

/// The argument being completed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteArgument {
    /// The argument's name.
    pub name: String,
    /// What the user has typed so far.
    pub value: String,
}

/// What the client already knows while completing.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteContext {
    /// Arguments already resolved, by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<BTreeMap<String, String>>,
}

/// The result of `completion/complete`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CompleteResult {
    /// `complete` (2026-07-28; required there).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result_type: Option<ResultType>,
    /// The suggestions.
    pub completion: Completion,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// Suggested values for an argument.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Completion {
    /// At most 100 suggestions.
    pub values: Vec<String>,
    /// How many suggestions there are in all, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<u64>,
    /// Whether there are more than `values` holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_more: Option<bool>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_tagged_by_type() {
        let raw = r#"{"ref":{"type":"ref/resource","uri":"file:///{path}"},"argument":{"name":"path","value":"sr"},"context":{"arguments":{"root":"/"}}}"#;
        let params: CompleteRequestParams = serde_json::from_str(raw).unwrap();
        assert!(matches!(&params.reference, Reference::Resource(r) if r.uri == "file:///{path}"));
        assert_eq!(serde_json::to_string(&params).unwrap(), raw);

        let raw =
            r#"{"ref":{"type":"ref/prompt","name":"greet","title":"Greet"},"argument":{"name":"who","value":"A"}}"#;
        let params: CompleteRequestParams = serde_json::from_str(raw).unwrap();
        assert!(matches!(&params.reference, Reference::Prompt(p) if p.name == "greet"));
        assert_eq!(serde_json::to_string(&params).unwrap(), raw);
    }

    #[test]
    fn complete_result_leaves_unknown_totals_out() {
        let result = CompleteResult {
            completion: Completion { values: vec!["src".into()], ..Default::default() },
            ..Default::default()
        };
        assert_eq!(serde_json::to_string(&result).unwrap(), r#"{"completion":{"values":["src"]}}"#);
    }
}
