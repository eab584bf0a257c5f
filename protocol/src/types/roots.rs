//! Roots: the filesystem locations a client lets a server work in (`roots/list`).

use serde::{Deserialize, Serialize};

use crate::Meta;

/// A directory or file the server may operate on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Root {
    /// The root's URI; a `file://` URI in every revision so far.
    pub uri: String,
    /// A display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

/// The result of `roots/list`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListRootsResult {
    /// The roots.
    pub roots: Vec<Root>,
    /// Metadata; absent unless set.
    #[serde(rename = "_meta", default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roots_round_trip_with_and_without_names() {
        let raw = r#"{"roots":[{"uri":"file:///home/ada/project","name":"project"},{"uri":"file:///tmp"}]}"#;
        let result: ListRootsResult = serde_json::from_str(raw).unwrap();
        assert_eq!(result.roots[1].name, None);
        assert_eq!(serde_json::to_string(&result).unwrap(), raw);
    }
}
