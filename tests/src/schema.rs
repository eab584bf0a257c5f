//! Checks what the server writes against the official MCP JSON schemas: that
//! of 2025-11-25 for the session era, and that of 2026-07-28, with the rules
//! the official conformance suite applies, for the stateless era (which era a
//! message belongs to is `era`'s job). Finding the schema files and deciding
//! what a missing one means (a skip on a developer's machine, a failure under
//! `CI=true`) is here too.
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

use crate::era::{Era, Expected};

/// The revision whose schema every message of the session era is checked
/// against: the newest one a session can negotiate. Messages of older
/// sessions are checked against it too; the revisions only added to the
/// shapes the binary sends.
pub const SCHEMA_VERSION: &str = "2025-11-25";

/// The revision whose schema every message of the stateless era is checked
/// against: the only one that has that era.
pub const STATELESS_VERSION: &str = "2026-07-28";

/// An official MCP schema, ready to check messages.
pub struct SchemaValidator {
    /// The whole schema document, kept to compile definitions on first use.
    document: Value,
    /// Where the document keeps its definitions: `$defs` (2020-12, from
    /// 2025-11-25 on) or `definitions` (draft-07, before).
    defs_key: &'static str,
    /// Whether `format` keywords (`uri`, `uri-template`) are checked too, as
    /// the conformance suite's validator does at 2026-07-28; in 2020-12 they
    /// are only annotations unless asked for.
    formats: bool,
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

/// The shared validator of [`STATELESS_VERSION`], which checks formats too;
/// loaded once per test process, `None` (after saying so on stderr) when the
/// schema is missing outside CI.
///
/// # Panics
/// When the schema is missing or unreadable and `CI` is `true`.
pub fn stateless_schema() -> Option<&'static SchemaValidator> {
    static SCHEMA: OnceLock<Option<SchemaValidator>> = OnceLock::new();
    SCHEMA.get_or_init(|| schema_for(STATELESS_VERSION).map(SchemaValidator::checking_formats)).as_ref()
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
        Ok(Self { document, defs_key, formats: false, compiled: Mutex::default() })
    }

    /// The same validator, checking `format` keywords too (a URI must have a
    /// scheme, a URI template must parse), as the conformance suite does.
    #[must_use]
    pub fn checking_formats(self) -> Self {
        Self { formats: true, compiled: Mutex::default(), ..self }
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
            // A call made a task (2025-11-25's `params.task`) is answered
            // with the task, not the call's own result.
            let definition = match (definition, result.get("task")) {
                ("CallToolResult", Some(Value::Object(_))) => "CreateTaskResult",
                _ => definition,
            };
            self.check(definition, result)?;
        }
        Ok(())
    }

    /// Check one line the server wrote in the stateless era, parsed, the way
    /// the conformance suite's `wire-schema-valid` check does at 2026-07-28:
    ///
    /// - a result against the result type of the method it answers
    ///   (`answers`, when known), or against `InputRequiredResult` when its
    ///   `resultType` is `input_required`, whatever the method; every result
    ///   is also a `JSONRPCResultResponse`, whose `Result` requires `resultType`;
    /// - an error with code -32020, -32021 or -32022 against its own error
    ///   type (`HeaderMismatchError`, `MissingRequiredClientCapabilityError`,
    ///   `UnsupportedProtocolVersionError`), any other as a
    ///   `JSONRPCErrorResponse`, whose id may be left out but is never `null`;
    /// - a notification as a `ServerNotification`.
    ///
    /// The era has neither batches nor requests from the server (input-required
    /// results replace them), so an array or a request is a violation.
    ///
    /// # Errors
    /// Every violation found.
    pub fn check_stateless_message(&self, message: &Value, answers: Option<&str>) -> Result<(), String> {
        if message.is_array() {
            return Err(format!("  {STATELESS_VERSION} has no batches: an array is not a message"));
        }
        // Each kind is checked against its own envelope rather than the
        // `JSONRPCMessage` union first, whose violations say only that no
        // member matched.
        if message.get("method").is_some() {
            if message.get("id").is_some() {
                return Err(format!(
                    "  a {STATELESS_VERSION} server sends no requests: input-required results replace them"
                ));
            }
            self.check("JSONRPCNotification", message)?;
            return self.check("ServerNotification", message);
        }
        if let Some(error) = message.get("error") {
            return self.check(stateless_error_definition(error), message);
        }
        if message.get("result").is_none() {
            return self.check("JSONRPCMessage", message);
        }
        self.check("JSONRPCResultResponse", message)?;
        let result = &message["result"];
        let definition = match result.get("resultType").and_then(Value::as_str) {
            Some("input_required") => Some("InputRequiredResult"),
            // A task handle has no type of its own in the core schema.
            Some("task") => None,
            _ => answers.and_then(stateless_result_definition),
        };
        definition.map_or(Ok(()), |definition| self.check(definition, result))
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
        let validator = jsonschema::options()
            .should_validate_formats(self.formats)
            .build(&rooted)
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
        // The experimental tasks of 2025-11-25.
        "tasks/get" => "GetTaskResult",
        "tasks/cancel" => "CancelTaskResult",
        "tasks/list" => "ListTasksResult",
        "tasks/result" => "GetTaskPayloadResult",
        _ => return None,
    })
}

/// The result definition that answers a 2026-07-28 client request, for the
/// requests whose result type the schema names; `None` for the rest.
pub fn stateless_result_definition(method: &str) -> Option<&'static str> {
    Some(match method {
        "server/discover" => "DiscoverResult",
        "subscriptions/listen" => "SubscriptionsListenResult",
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

/// The definition a 2026-07-28 error response is checked against, by its code.
fn stateless_error_definition(error: &Value) -> &'static str {
    match error.get("code").and_then(Value::as_i64) {
        Some(-32020) => "HeaderMismatchError",
        Some(-32021) => "MissingRequiredClientCapabilityError",
        Some(-32022) => "UnsupportedProtocolVersionError",
        _ => "JSONRPCErrorResponse",
    }
}

/// The schemas of both eras, so that each message is checked against that of
/// its own; either is `None` when its file is missing outside CI.
#[derive(Debug, Clone, Copy)]
pub struct Schemas {
    /// [`SCHEMA_VERSION`], for the session era.
    pub session: Option<&'static SchemaValidator>,
    /// [`STATELESS_VERSION`], for the stateless era.
    pub stateless: Option<&'static SchemaValidator>,
}

impl Schemas {
    /// Both shared validators.
    ///
    /// # Panics
    /// When either schema is missing or unreadable and `CI` is `true`.
    pub fn load() -> Self {
        Self { session: schema(), stateless: stateless_schema() }
    }

    /// Check a message the server wrote as `expected` says: against the
    /// schema of its era, by that era's rules.
    ///
    /// # Errors
    /// Every violation found; the revision is [`Era::schema_version`].
    pub fn check(&self, message: &Value, expected: &Expected) -> Result<(), String> {
        let answers = expected.answers.as_deref();
        match expected.era {
            Era::Session => self
                .session
                .map_or(Ok(()), |schema| schema.check_server_message(message, answers.and_then(result_definition))),
            Era::Stateless => self.stateless.map_or(Ok(()), |schema| schema.check_stateless_message(message, answers)),
        }
    }
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

    // The stateless era, 2026-07-28: each rule with a sample that passes and
    // one that breaks it.

    fn server_info() -> Value {
        json!({"io.modelcontextprotocol/serverInfo": {"name": "mcpwire", "version": "0.1.0"}})
    }

    #[test]
    fn a_stateless_result_is_checked_against_its_methods_result_type() {
        let Some(schema) = stateless_schema() else { return };
        let discover = json!({"jsonrpc": "2.0", "id": 1, "result": {
            "resultType": "complete", "supportedVersions": ["2026-07-28"], "capabilities": {},
            "ttlMs": 0, "cacheScope": "public", "_meta": server_info()}});
        assert_eq!(schema.check_stateless_message(&discover, Some("server/discover")), Ok(()));
        let mut uncached = discover.clone();
        uncached["result"].as_object_mut().unwrap().remove("ttlMs");
        let error = schema.check_stateless_message(&uncached, Some("server/discover")).unwrap_err();
        assert!(error.contains("ttlMs"), "{error}");
        // The same result is a fine answer to a method without a type of its own.
        assert_eq!(schema.check_stateless_message(&uncached, Some("tasks/get")), Ok(()));
    }

    #[test]
    fn a_stateless_list_needs_its_caching_hints() {
        let Some(schema) = stateless_schema() else { return };
        let list = json!({"jsonrpc": "2.0", "id": 1, "result": {
            "resultType": "complete", "tools": [], "ttlMs": 60000, "cacheScope": "private"}});
        assert_eq!(schema.check_stateless_message(&list, Some("tools/list")), Ok(()));
        let mut bad_scope = list.clone();
        bad_scope["result"]["cacheScope"] = json!("shared");
        assert!(schema.check_stateless_message(&bad_scope, Some("tools/list")).is_err());
    }

    #[test]
    fn every_stateless_result_needs_a_result_type() {
        let Some(schema) = stateless_schema() else { return };
        let typed = json!({"jsonrpc": "2.0", "id": 1, "result": {"resultType": "complete"}});
        assert_eq!(schema.check_stateless_message(&typed, None), Ok(()));
        // What a session's `ping` gets is no 2026-07-28 result.
        let untyped = json!({"jsonrpc": "2.0", "id": 1, "result": {}});
        let error = schema.check_stateless_message(&untyped, None).unwrap_err();
        assert!(error.contains("resultType"), "{error}");
        let tool = json!({"jsonrpc": "2.0", "id": 1, "result": {"content": []}});
        assert!(schema.check_stateless_message(&tool, Some("tools/call")).is_err());
    }

    #[test]
    fn an_input_required_result_is_checked_as_one_whatever_the_method() {
        let Some(schema) = stateless_schema() else { return };
        let question = json!({"method": "elicitation/create", "params": {
            "message": "What is your name?",
            "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}}});
        let input_required = json!({"jsonrpc": "2.0", "id": 1, "result": {
            "resultType": "input_required", "inputRequests": {"user_name": question}, "requestState": "s"}});
        // Not a CallToolResult (it has no `content`), and needs not be one.
        assert_eq!(schema.check_stateless_message(&input_required, Some("tools/call")), Ok(()));
        let mut unknown_method = input_required.clone();
        unknown_method["result"]["inputRequests"]["user_name"]["method"] = json!("tools/call");
        assert!(schema.check_stateless_message(&unknown_method, Some("tools/call")).is_err());
        let mut numeric_state = input_required;
        numeric_state["result"]["requestState"] = json!(7);
        assert!(schema.check_stateless_message(&numeric_state, Some("prompts/get")).is_err());
    }

    #[test]
    fn a_listen_result_names_its_subscription() {
        let Some(schema) = stateless_schema() else { return };
        let mut meta = server_info();
        meta["io.modelcontextprotocol/subscriptionId"] = json!(5);
        let ended = json!({"jsonrpc": "2.0", "id": 5, "result": {"resultType": "complete", "_meta": meta}});
        assert_eq!(schema.check_stateless_message(&ended, Some("subscriptions/listen")), Ok(()));
        let untagged = json!({"jsonrpc": "2.0", "id": 5, "result": {"resultType": "complete", "_meta": server_info()}});
        assert!(schema.check_stateless_message(&untagged, Some("subscriptions/listen")).is_err());
    }

    #[test]
    fn a_header_mismatch_is_checked_as_one() {
        let Some(schema) = stateless_schema() else { return };
        let mismatch = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32020, "message": "Mcp-Method differs"}});
        assert_eq!(schema.check_stateless_message(&mismatch, None), Ok(()));
        let silent = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32020}});
        assert!(schema.check_stateless_message(&silent, None).is_err());
    }

    #[test]
    fn a_missing_capability_names_the_capabilities_as_an_object() {
        let Some(schema) = stateless_schema() else { return };
        let error = |data: Value| json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32021, "message": "needs sampling", "data": data}});
        let object = error(json!({"requiredCapabilities": {"sampling": {}}}));
        assert_eq!(schema.check_stateless_message(&object, Some("tools/call")), Ok(()));
        let names = error(json!({"requiredCapabilities": ["sampling"]}));
        assert!(schema.check_stateless_message(&names, Some("tools/call")).is_err());
        assert!(schema.check_stateless_message(&error(json!({})), Some("tools/call")).is_err());
    }

    #[test]
    fn an_unsupported_version_names_the_requested_and_the_supported() {
        let Some(schema) = stateless_schema() else { return };
        let error = |data: Value| json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32022, "message": "Unsupported", "data": data}});
        let full = error(json!({"requested": "v9", "supported": ["2026-07-28"]}));
        assert_eq!(schema.check_stateless_message(&full, None), Ok(()));
        assert!(schema.check_stateless_message(&error(json!({"supported": ["2026-07-28"]})), None).is_err());
        assert!(
            schema
                .check_stateless_message(&error(json!({"requested": "v9", "supported": "2026-07-28"})), None)
                .is_err()
        );
    }

    #[test]
    fn any_other_stateless_error_may_leave_out_its_id_but_never_nulls_it() {
        let Some(schema) = stateless_schema() else { return };
        let not_found = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "Resource not found", "data": {"uri": "test://x"}}});
        assert_eq!(schema.check_stateless_message(&not_found, Some("resources/read")), Ok(()));
        let no_id = json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}});
        assert_eq!(schema.check_stateless_message(&no_id, None), Ok(()));
        let null_id = json!({"jsonrpc": "2.0", "id": null, "error": {"code": -32700, "message": "Parse error"}});
        assert!(schema.check_stateless_message(&null_id, None).is_err());
        let fractional_code = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32601.5, "message": "x"}});
        assert!(schema.check_stateless_message(&fractional_code, None).is_err());
    }

    #[test]
    fn a_stateless_notification_is_checked_as_a_server_notification() {
        let Some(schema) = stateless_schema() else { return };
        let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
            "params": {"progressToken": "p", "progress": 50, "total": 100}});
        assert_eq!(schema.check_stateless_message(&progress, None), Ok(()));
        let tokenless = json!({"jsonrpc": "2.0", "method": "notifications/progress", "params": {"progress": 50}});
        assert!(schema.check_stateless_message(&tokenless, None).is_err());
        let ack = json!({"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged",
            "params": {"notifications": {"toolsListChanged": true}, "_meta": {"io.modelcontextprotocol/subscriptionId": 3}}});
        assert_eq!(schema.check_stateless_message(&ack, None), Ok(()));
        let no_filter = json!({"jsonrpc": "2.0", "method": "notifications/subscriptions/acknowledged",
            "params": {"_meta": {"io.modelcontextprotocol/subscriptionId": 3}}});
        assert!(schema.check_stateless_message(&no_filter, None).is_err());
        // Gone in 2026-07-28 with URL elicitation.
        let gone =
            json!({"jsonrpc": "2.0", "method": "notifications/elicitation/complete", "params": {"elicitationId": "e"}});
        assert!(schema.check_stateless_message(&gone, None).is_err());
    }

    #[test]
    fn a_stateless_response_needs_a_result_or_an_error() {
        let Some(schema) = stateless_schema() else { return };
        let error = json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32603, "message": "Internal error"}});
        assert_eq!(schema.check_stateless_message(&error, None), Ok(()));
        assert!(schema.check_stateless_message(&json!({"jsonrpc": "2.0", "id": 1}), None).is_err());
    }

    #[test]
    fn a_stateless_server_sends_neither_requests_nor_batches() {
        let Some(schema) = stateless_schema() else { return };
        let request = json!({"jsonrpc": "2.0", "id": 1, "method": "roots/list"});
        assert!(schema.check_stateless_message(&request, None).is_err());
        let batch = json!([{"jsonrpc": "2.0", "id": 1, "result": {"resultType": "complete"}}]);
        assert!(schema.check_stateless_message(&batch, None).is_err());
    }

    #[test]
    fn stateless_formats_are_checked() {
        let Some(schema) = stateless_schema() else { return };
        let read = |uri: &str| {
            json!({"jsonrpc": "2.0", "id": 1, "result": {"resultType": "complete", "ttlMs": 0, "cacheScope": "public",
                "contents": [{"uri": uri, "text": "hi"}]}})
        };
        assert_eq!(schema.check_stateless_message(&read("test://static-text"), Some("resources/read")), Ok(()));
        // A URI needs a scheme.
        assert!(schema.check_stateless_message(&read("static text"), Some("resources/read")).is_err());
    }

    #[test]
    fn each_era_is_checked_against_its_own_schema() {
        let schemas = Schemas::load();
        if schemas.session.is_none() || schemas.stateless.is_none() {
            return;
        }
        let session = Expected { era: Era::Session, answers: Some("tools/call".to_owned()) };
        let stateless = Expected { era: Era::Stateless, answers: Some("tools/call".to_owned()) };
        let plain = json!({"jsonrpc": "2.0", "id": 1, "result": {"content": []}});
        assert_eq!(schemas.check(&plain, &session), Ok(()));
        assert!(schemas.check(&plain, &stateless).is_err());
        let ping = json!({"jsonrpc": "2.0", "id": 2, "method": "ping"});
        assert_eq!(schemas.check(&ping, &Expected { era: Era::Session, answers: None }), Ok(()));
        assert!(schemas.check(&ping, &Expected { era: Era::Stateless, answers: None }).is_err());
    }

    #[test]
    fn every_named_stateless_result_definition_exists() {
        let Some(schema) = stateless_schema() else { return };
        let methods = [
            "server/discover",
            "subscriptions/listen",
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
            let definition = stateless_result_definition(method).unwrap();
            assert!(schema.document[schema.defs_key].get(definition).is_some(), "{definition} is missing");
        }
        for code in [-32020, -32021, -32022, -32602] {
            let definition = stateless_error_definition(&json!({"code": code}));
            assert!(schema.document[schema.defs_key].get(definition).is_some(), "{definition} is missing");
        }
    }
}
