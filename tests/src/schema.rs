//! Checks what the server writes against the official MCP JSON schema of
//! 2025-11-25; finding the schema files and deciding what a missing one means
//! (a skip on a developer's machine, a failure under `CI=true`) is here too.
//!
//! The schema has no root type, only named definitions, so each definition we
//! check against is compiled from a copy of the document whose root is
//! `{"$ref": "#/$defs/<name>"}`. Compiled validators are cached by name: the
//! schema is large, and the memory test checks a hundred thousand messages.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::Validator;
use serde_json::Value;

/// The revision whose schema every message is checked against: the newest one
/// the binary speaks. Messages of older sessions are checked against it too;
/// the revisions only added to the shapes the binary sends.
pub const SCHEMA_VERSION: &str = "2025-11-25";

/// An official MCP schema, ready to check messages.
pub struct SchemaValidator {
    /// The whole schema document, kept to compile definitions on first use.
    document: Value,
    /// Where the document keeps its definitions: `$defs` (2020-12, from
    /// 2025-11-25 on) or `definitions` (draft-07, before).
    defs_key: &'static str,
    /// One compiled validator per definition name, built on first use.
    compiled: Mutex<HashMap<String, Arc<Validator>>>,
}

impl std::fmt::Debug for SchemaValidator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let compiled: Vec<String> = self.compiled.lock().expect("validator cache").keys().cloned().collect();
        f.debug_struct("SchemaValidator").field("compiled", &compiled).finish_non_exhaustive()
    }
}

/// Where the schemas live: `$MCP_SCHEMA_DIR`, or the shared copy beside the
/// repository (`<workspace>/../shared/mcp-schema`). They are never copied into
/// the repository.
pub fn schema_dir() -> PathBuf {
    match std::env::var_os("MCP_SCHEMA_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/mcp-schema"),
    }
}

/// The shared validator of [`SCHEMA_VERSION`], loaded once per test
/// process; `None` (after saying so on stderr) when the schema is missing
/// outside CI.
///
/// # Panics
/// When the schema is missing or unreadable and `CI` is `true`: CI must never
/// pass because validation quietly did not run.
pub fn schema() -> Option<&'static SchemaValidator> {
    static SCHEMA: OnceLock<Option<SchemaValidator>> = OnceLock::new();
    SCHEMA.get_or_init(|| schema_for(SCHEMA_VERSION)).as_ref()
}

/// A validator for the schema of one protocol revision, e.g. `2024-11-05`;
/// `None` (after saying so on stderr) when it is missing outside CI.
///
/// # Panics
/// When the schema is missing or unreadable and `CI` is `true`.
pub fn schema_for(version: &str) -> Option<SchemaValidator> {
    let path = schema_dir().join(version).join("schema.json");
    let loaded =
        std::fs::read_to_string(&path).map_err(|e| e.to_string()).and_then(|text| SchemaValidator::from_json(&text));
    match loaded {
        Ok(validator) => Some(validator),
        Err(error) if std::env::var("CI").is_ok_and(|ci| ci == "true") => {
            panic!("the MCP schema is required under CI=true, but {} could not be loaded: {error}", path.display())
        }
        Err(error) => {
            eprintln!(
                "mcpwire-tests: schema validation skipped: {} could not be loaded ({error}); \
                 set MCP_SCHEMA_DIR to the folder holding <version>/schema.json",
                path.display()
            );
            None
        }
    }
}

impl SchemaValidator {
    /// A validator over a schema document with `$defs` (the 2020-12 layout)
    /// or `definitions` (the draft-07 layout of the older revisions).
    ///
    /// # Errors
    /// When the text is not JSON or has neither.
    pub fn from_json(text: &str) -> Result<Self, String> {
        let document: Value = serde_json::from_str(text).map_err(|e| format!("the schema is not JSON: {e}"))?;
        let defs_key = ["$defs", "definitions"]
            .into_iter()
            .find(|key| document.get(key).is_some_and(Value::is_object))
            .ok_or("the schema has neither `$defs` nor `definitions`")?;
        Ok(Self { document, defs_key, compiled: Mutex::default() })
    }

    /// Check `instance` against the named definition, e.g. `CallToolResult`.
    ///
    /// # Errors
    /// Every violation, one per line, each with where in the instance it is;
    /// or that the definition does not exist.
    pub fn check(&self, definition: &str, instance: &Value) -> Result<(), String> {
        let validator = self.validator(definition)?;
        // The boolean check is much faster, and nearly every message passes.
        if validator.is_valid(instance) {
            return Ok(());
        }
        let errors: Vec<String> = validator
            .iter_errors(instance)
            .map(|error| format!("  {definition} at `{}`: {error}", error.instance_path()))
            .collect();
        Err(errors.join("\n"))
    }

    /// Check one line the server wrote, parsed: it must be a `JSONRPCMessage`
    /// (or, answering a batch, an array of them), and also a `ServerRequest`
    /// if it is a request, a `ServerNotification` if it is a notification, and
    /// an `expected_result` (when the caller knows which request it answers) if
    /// it is a result.
    ///
    /// No leniency: an error whose request id could not be read must leave
    /// `id` out, as the 2025-11-25 schema models it; JSON-RPC's `"id": null`
    /// fails, because MCP's `RequestId` is never null.
    ///
    /// # Errors
    /// Every violation found.
    pub fn check_server_message(&self, message: &Value, expected_result: Option<&str>) -> Result<(), String> {
        if let Value::Array(items) = message {
            if items.is_empty() {
                return Err("  an empty array is not a JSON-RPC batch answer".to_owned());
            }
            let errors: Vec<String> =
                items.iter().filter_map(|item| self.check_server_message(item, None).err()).collect();
            return if errors.is_empty() { Ok(()) } else { Err(errors.join("\n")) };
        }
        self.check("JSONRPCMessage", message)?;
        let is_request = message.get("method").is_some() && message.get("id").is_some();
        let is_notification = message.get("method").is_some() && message.get("id").is_none();
        if is_request {
            self.check("ServerRequest", message)?;
        } else if is_notification {
            self.check("ServerNotification", message)?;
        } else if let (Some(result), Some(definition)) = (message.get("result"), expected_result) {
            self.check(definition, result)?;
        }
        Ok(())
    }

    fn validator(&self, definition: &str) -> Result<Arc<Validator>, String> {
        if let Some(validator) = self.compiled.lock().expect("validator cache").get(definition) {
            return Ok(Arc::clone(validator));
        }
        if self.document[self.defs_key].get(definition).is_none() {
            return Err(format!("  the schema has no definition `{definition}`"));
        }
        let mut rooted = self.document.clone();
        // In draft-07 a `$ref` hides its siblings from validation, but
        // `definitions` still resolves as part of the document.
        rooted["$ref"] = Value::String(format!("#/{}/{definition}", self.defs_key));
        let validator = jsonschema::validator_for(&rooted)
            .map_err(|e| format!("  the definition `{definition}` does not compile: {e}"))?;
        let validator = Arc::new(validator);
        self.compiled.lock().expect("validator cache").insert(definition.to_owned(), Arc::clone(&validator));
        Ok(validator)
    }
}

/// The result definition that answers a client request, for the requests
/// whose result type the schema names; `None` for the rest.
pub fn result_definition(method: &str) -> Option<&'static str> {
    Some(match method {
        "initialize" => "InitializeResult",
        "ping" | "logging/setLevel" | "resources/subscribe" | "resources/unsubscribe" => "EmptyResult",
        "tools/list" => "ListToolsResult",
        "tools/call" => "CallToolResult",
        "resources/list" => "ListResourcesResult",
        "resources/templates/list" => "ListResourceTemplatesResult",
        "resources/read" => "ReadResourceResult",
        "prompts/list" => "ListPromptsResult",
        "prompts/get" => "GetPromptResult",
        "completion/complete" => "CompleteResult",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    // Each test needs the schema; without it `schema()` has already said
    // validation is skipped (or failed the test, under CI).

    #[test]
    fn a_valid_tool_result_passes() {
        let Some(schema) = schema() else { return };
        let message = json!({"jsonrpc": "2.0", "id": 3, "result": {"content": [{"type": "text", "text": "hi"}]}});
        assert_eq!(schema.check_server_message(&message, Some("CallToolResult")), Ok(()));
    }

    #[test]
    fn a_tool_result_without_content_is_rejected() {
        let Some(schema) = schema() else { return };
        let message = json!({"jsonrpc": "2.0", "id": 3, "result": {"isError": true}});
        let error = schema.check_server_message(&message, Some("CallToolResult")).unwrap_err();
        assert!(error.contains("content"), "{error}");
    }

    #[test]
    fn a_wrong_jsonrpc_version_is_rejected() {
        let Some(schema) = schema() else { return };
        let message = json!({"jsonrpc": "1.0", "id": 3, "result": {}});
        assert!(schema.check_server_message(&message, None).is_err());
    }

    #[test]
    fn an_unknown_notification_is_rejected() {
        let Some(schema) = schema() else { return };
        let message = json!({"jsonrpc": "2.0", "method": "notifications/whatever", "params": {}});
        assert!(schema.check_server_message(&message, None).is_err());
    }

    #[test]
    fn a_client_only_request_from_the_server_is_rejected() {
        let Some(schema) = schema() else { return };
        let message = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "x"}});
        assert!(schema.check_server_message(&message, None).is_err());
    }

    #[test]
    fn a_parse_error_without_an_id_passes_but_a_null_id_or_a_bad_code_does_not() {
        let Some(schema) = schema() else { return };
        let parse_error = json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}});
        assert_eq!(schema.check_server_message(&parse_error, None), Ok(()));
        let null_id = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}});
        assert!(schema.check_server_message(&null_id, None).is_err());
        let bad_code = json!({"jsonrpc": "2.0", "error": {"code": "oops", "message": "Parse error"}});
        assert!(schema.check_server_message(&bad_code, None).is_err());
    }

    #[test]
    fn a_batch_answer_is_checked_item_by_item() {
        let Some(schema) = schema() else { return };
        let good = json!([{"jsonrpc": "2.0", "id": 1, "result": {}}, {"jsonrpc": "2.0", "id": 2, "result": {}}]);
        assert_eq!(schema.check_server_message(&good, None), Ok(()));
        let bad = json!([{"jsonrpc": "2.0", "id": 1, "result": {}}, {"jsonrpc": "2.0", "id": 2}]);
        assert!(schema.check_server_message(&bad, None).is_err());
        assert!(schema.check_server_message(&json!([]), None).is_err());
    }

    #[test]
    fn an_unknown_definition_is_an_error_not_a_pass() {
        let Some(schema) = schema() else { return };
        assert!(schema.check("NoSuchResult", &json!({})).is_err());
    }

    #[test]
    fn a_draft_07_revision_checks_its_own_content_types() {
        let Some(old) = schema_for("2024-11-05") else { return };
        let text = json!({"jsonrpc": "2.0", "id": 1, "result": {"content": [{"type": "text", "text": "hi"}]}});
        assert_eq!(old.check_server_message(&text, Some("CallToolResult")), Ok(()));
        // Audio content arrived in 2025-03-26.
        let audio = json!({"jsonrpc": "2.0", "id": 1, "result": {"content": [{"type": "audio", "data": "", "mimeType": "audio/wav"}]}});
        assert!(old.check_server_message(&audio, Some("CallToolResult")).is_err());
    }

    #[test]
    fn every_named_result_definition_exists() {
        let Some(schema) = schema() else { return };
        let methods = [
            "initialize",
            "ping",
            "tools/list",
            "tools/call",
            "resources/list",
            "resources/templates/list",
            "resources/read",
            "prompts/list",
            "prompts/get",
            "completion/complete",
        ];
        for method in methods {
            let definition = result_definition(method).unwrap();
            assert!(schema.document[schema.defs_key].get(definition).is_some(), "{definition} is missing");
        }
    }
}
