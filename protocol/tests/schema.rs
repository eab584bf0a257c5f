//! Holds the wire types to the official MCP JSON schemas: every sample the Rust
//! types produce must validate against the definition of its revision, every
//! definition must be covered, and every method of the schemas' unions must have
//! a dispatch variant.
//!
//! The schemas are reference data outside the repository: `$MCP_SCHEMA_DIR`, or
//! `../shared/mcp-schema` next to the workspace. Without them each test says it
//! was skipped and passes, except when `CI=true`, where a missing schema fails
//! the test so CI can never skip these checks silently.

#[path = "schema/samples.rs"]
mod samples;

use std::collections::{BTreeSet, HashMap};
use std::env;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use mcpwire_protocol::types::ListToolsResult;
use mcpwire_protocol::{ClientNotification, ClientRequest, ServerNotification, ServerRequest};
use serde_json::{Map, Value, json};

use samples::{OLDER, R2025, R2026, Sample};

/// The loaded schema files, and the validators built from them so far.
struct Schemas {
    dir: PathBuf,
    documents: HashMap<&'static str, Value>,
    /// Building a validator walks the definitions it references, so each one
    /// is built once and shared by every test.
    validators: Mutex<HashMap<(&'static str, String), Arc<jsonschema::Validator>>>,
}

/// The schemas, or `None` (after saying so) when they are not there and this
/// is not CI.
fn schemas() -> Option<&'static Schemas> {
    static SCHEMAS: OnceLock<Option<Schemas>> = OnceLock::new();
    let loaded = SCHEMAS.get_or_init(|| {
        let dir = env::var_os("MCP_SCHEMA_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/mcp-schema"));
        Schemas::load(&dir)
    });
    if loaded.is_none() {
        eprintln!("skipped: the MCP schemas are not available (set MCP_SCHEMA_DIR)");
    }
    loaded.as_ref()
}

impl Schemas {
    fn load(dir: &Path) -> Option<Self> {
        let mut documents = HashMap::new();
        for revision in OLDER.iter().chain(&[R2025, R2026]) {
            let path = dir.join(revision).join("schema.json");
            match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let document = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                    documents.insert(*revision, document);
                }
                Err(e) if ci() => panic!("CI=true and the MCP schema {} cannot be read: {e}", path.display()),
                Err(e) => {
                    eprintln!("{}: {e}", path.display());
                    return None;
                }
            }
        }
        Some(Self { dir: dir.to_owned(), documents, validators: Mutex::default() })
    }

    /// The definitions of a revision: `$defs` from 2025-11-25 on, `definitions` before.
    fn definitions(&self, revision: &str) -> &Map<String, Value> {
        let document = &self.documents[revision];
        document.get("$defs").or_else(|| document.get("definitions")).and_then(Value::as_object).unwrap()
    }

    fn has(&self, revision: &str, name: &str) -> bool {
        self.definitions(revision).contains_key(name)
    }

    fn validator(&self, revision: &'static str, name: &str) -> Arc<jsonschema::Validator> {
        let key = (revision, name.to_owned());
        if let Some(validator) = self.validators.lock().unwrap().get(&key) {
            return Arc::clone(validator);
        }
        let document = &self.documents[revision];
        let defs_key = if document.get("$defs").is_some() { "$defs" } else { "definitions" };
        let wrapper = json!({
            "$schema": document["$schema"],
            "$ref": format!("#/{defs_key}/{name}"),
            defs_key: document[defs_key],
        });
        let validator = Arc::new(
            jsonschema::options()
                .should_validate_formats(true)
                .build(&wrapper)
                .unwrap_or_else(|e| panic!("{revision} {name}: {e}")),
        );
        self.validators.lock().unwrap().insert(key, Arc::clone(&validator));
        validator
    }

    /// Every error, one per line, or `Ok` when the instance validates.
    fn validate(&self, revision: &'static str, name: &str, instance: &Value) -> Result<(), String> {
        if !self.has(revision, name) {
            return Err(format!("{revision} has no definition {name}"));
        }
        let validator = self.validator(revision, name);
        let errors: Vec<String> =
            validator.iter_errors(instance).map(|e| format!("    at {}: {e}", e.instance_path())).collect();
        if errors.is_empty() {
            return Ok(());
        }
        Err(format!("{revision} {name}: {instance}\n{}", errors.join("\n")))
    }

    /// The method names of a union of requests or notifications: an `anyOf`
    /// of references, one reference, one inline definition, or nothing.
    fn union_methods(&self, revision: &str, union: &str) -> BTreeSet<String> {
        let definitions = self.definitions(revision);
        let Some(definition) = definitions.get(union) else { return BTreeSet::new() };
        let members: Vec<&Value> = match definition.get("anyOf") {
            Some(Value::Array(members)) => members.iter().collect(),
            _ => vec![definition],
        };
        members
            .into_iter()
            .map(|member| {
                let resolved = match member.get("$ref").and_then(Value::as_str) {
                    Some(reference) => &definitions[reference.rsplit('/').next().unwrap()],
                    None => member,
                };
                let method = resolved.pointer("/properties/method/const").and_then(Value::as_str);
                method.unwrap_or_else(|| panic!("{revision} {union}: a member without a method const")).to_owned()
            })
            .collect()
    }
}

fn ci() -> bool {
    env::var("CI").is_ok_and(|value| value == "true")
}

/// Definitions of the two newest revisions that no sample validates, with why.
const COVERED_ELSEWHERE: &[(&str, &str, &str)] = &[
    (R2025, "Cursor", "a `String` alias (`types::Cursor`); every cursor and nextCursor sample carries one"),
    (R2026, "Cursor", "a `String` alias (`types::Cursor`); every cursor and nextCursor sample carries one"),
    (R2026, "JSONValue", "arbitrary JSON, carried as `serde_json::Value` and never modelled"),
    (R2026, "JSONArray", "arbitrary JSON, carried as `serde_json::Value` and never modelled"),
    (R2026, "ClientResult", "just `Result`: a 2026-07-28 client sends no results, its answers are InputResponses"),
    (
        R2026,
        "EmptyResult",
        "no 2026-07-28 core method returns it; `EmptyResult` serves ping and friends until 2025-11-25",
    ),
];

#[test]
fn every_sample_validates_against_its_definition() {
    let Some(schemas) = schemas() else { return };
    let mut failures = Vec::new();
    let mut checked = 0;
    for Sample { def, revisions, older, value } in samples::all() {
        for revision in revisions.iter().copied() {
            checked += 1;
            failures.extend(schemas.validate(revision, def, &value).err());
        }
        if older {
            let older_revisions: Vec<_> = OLDER.iter().copied().filter(|revision| schemas.has(revision, def)).collect();
            if older_revisions.is_empty() {
                failures.push(format!("a baseline sample of {def}, which no revision before {R2025} has"));
            }
            for revision in older_revisions {
                checked += 1;
                failures.extend(schemas.validate(revision, def, &value).err());
            }
        }
    }
    assert!(failures.is_empty(), "{} of {checked} validations failed:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_schema_definition_is_covered() {
    let Some(schemas) = schemas() else { return };
    let samples = samples::all();
    let mut uncovered = Vec::new();
    for revision in [R2025, R2026] {
        for name in schemas.definitions(revision).keys() {
            let sampled = samples.iter().any(|s| s.def == name && s.revisions.contains(&revision));
            let elsewhere = COVERED_ELSEWHERE.iter().any(|(r, n, _)| *r == revision && n == name);
            if !sampled && !elsewhere {
                uncovered.push(format!("{revision} {name}"));
            }
        }
    }
    assert!(uncovered.is_empty(), "definitions with neither a sample nor a reason:\n{}", uncovered.join("\n"));
    for (revision, name, _) in COVERED_ELSEWHERE {
        assert!(schemas.has(revision, name), "COVERED_ELSEWHERE names {revision} {name}, which does not exist");
    }
}

#[test]
fn every_schema_method_has_a_dispatch_variant() {
    let Some(schemas) = schemas() else { return };
    let enums: [(&str, &[&str]); 4] = [
        ("ClientRequest", <ClientRequest as strum::VariantNames>::VARIANTS),
        ("ServerRequest", <ServerRequest as strum::VariantNames>::VARIANTS),
        ("ClientNotification", <ClientNotification as strum::VariantNames>::VARIANTS),
        ("ServerNotification", <ServerNotification as strum::VariantNames>::VARIANTS),
    ];
    let mut missing = Vec::new();
    for revision in [R2025, R2026] {
        for (union, variants) in enums {
            for method in schemas.union_methods(revision, union) {
                if !variants.contains(&method.as_str()) {
                    missing.push(format!("{revision} {union}: {method}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "methods without a dispatch variant:\n{}", missing.join("\n"));
}

#[test]
fn every_dispatch_variant_has_a_validated_sample() {
    let sampled: BTreeSet<(&str, String)> = samples::all()
        .into_iter()
        .filter(|s| matches!(s.def, "ClientRequest" | "ServerRequest" | "ClientNotification" | "ServerNotification"))
        .map(|s| (s.def, s.value["method"].as_str().unwrap().to_owned()))
        .collect();
    let enums: [(&str, &[&str]); 4] = [
        ("ClientRequest", <ClientRequest as strum::VariantNames>::VARIANTS),
        ("ServerRequest", <ServerRequest as strum::VariantNames>::VARIANTS),
        ("ClientNotification", <ClientNotification as strum::VariantNames>::VARIANTS),
        ("ServerNotification", <ServerNotification as strum::VariantNames>::VARIANTS),
    ];
    for (union, variants) in enums {
        for method in variants {
            assert!(sampled.contains(&(union, (*method).to_owned())), "{union}::{method} has no sample");
        }
    }
}

#[test]
fn json_schema_2020_12_tool_schema_survives_tools_list_byte_for_byte() {
    let Some(schemas) = schemas() else { return };
    let notes = schemas.dir.join("../notes/conformance.md");
    let text = match std::fs::read_to_string(&notes) {
        Ok(text) => text,
        Err(e) if ci() => panic!("CI=true and {} cannot be read: {e}", notes.display()),
        Err(e) => return eprintln!("skipped: {}: {e}", notes.display()),
    };
    // The fixture is the last JSON block of the notes, kept with its layout.
    let start = text.rfind("```json\n").expect("a ```json block") + "```json\n".len();
    let input_schema = text[start..][..text[start..].find("\n```").unwrap()].to_owned();
    for keyword in
        ["$schema", "$defs", "$anchor", "$ref", "allOf", "anyOf", "if", "then", "else", "additionalProperties"]
    {
        assert!(input_schema.contains(&format!("\"{keyword}\"")), "the fixture lost {keyword}");
    }

    let wire = format!(
        r#"{{"tools":[{{"name":"json_schema_2020_12_tool","description":"d","inputSchema":{input_schema}}}],"nextCursor":"c"}}"#
    );
    let result: ListToolsResult = serde_json::from_str(&wire).unwrap();
    assert_eq!(result.tools[0].input_schema.as_str(), input_schema);
    assert_eq!(serde_json::to_string(&result).unwrap(), wire);

    let as_value = serde_json::to_value(&result).unwrap();
    schemas.validate(R2025, "ListToolsResult", &as_value).unwrap();
    let modern = ListToolsResult {
        result_type: Some(Default::default()),
        ttl_ms: Some(0),
        cache_scope: Some(Default::default()),
        ..result
    };
    schemas.validate(R2026, "ListToolsResult", &serde_json::to_value(&modern).unwrap()).unwrap();
}

/// Guards the harness itself: if these validated, a broken validator setup
/// would let every other test pass vacuously.
#[test]
fn the_validator_rejects_what_the_schemas_forbid() {
    let Some(schemas) = schemas() else { return };
    let rejected = |revision: &'static str, name: &str, instance: Value| {
        assert!(schemas.validate(revision, name, &instance).is_err(), "{revision} {name} accepted {instance}");
    };
    // 2025-11-25 wants an object for structuredContent; 2026-07-28 takes any JSON.
    rejected(R2025, "CallToolResult", json!({"content": [], "structuredContent": [1]}));
    schemas
        .validate(R2026, "CallToolResult", &json!({"resultType": "complete", "content": [], "structuredContent": [1]}))
        .unwrap();
    // 2026-07-28 results need resultType, and cacheable ones the cache hints.
    rejected(R2026, "CallToolResult", json!({"content": []}));
    rejected(R2026, "ListToolsResult", json!({"resultType": "complete", "tools": []}));
    // 2026-07-28 requests need the protocol version and capabilities in _meta.
    rejected(
        R2026,
        "CallToolRequest",
        json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "x"}}),
    );
    // A URL elicitation needs its id in 2025-11-25.
    rejected(R2025, "ElicitRequestURLParams", json!({"mode": "url", "message": "m", "url": "https://example.com"}));
    // Formats are checked: a resource's uri must be a URI.
    rejected(R2025, "Resource", json!({"uri": "not a uri", "name": "n"}));
    // A tool's input schema must describe an object.
    rejected(R2025, "Tool", json!({"name": "t", "inputSchema": {"type": "string"}}));
    // Older revisions: no multi-select in 2025-06-18, no audio in 2024-11-05.
    rejected(
        "2025-06-18",
        "PrimitiveSchemaDefinition",
        json!({"type": "array", "items": {"type": "string", "enum": ["a"]}}),
    );
    rejected(
        "2024-11-05",
        "CallToolResult",
        json!({"content": [{"type": "audio", "data": "", "mimeType": "audio/wav"}]}),
    );
}
