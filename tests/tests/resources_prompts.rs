//! Resources, resource templates, prompts and completion end to end, checked
//! against the conformance fixtures' exact outputs.

use mcpwire_tests::McpProcess;
use serde_json::{Value, json};

const TEST_IMAGE_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
const INVALID_PARAMS: i64 = -32602;

fn server() -> McpProcess {
    McpProcess::initialized(json!({}))
}

fn names<'a>(list: &'a Value, key: &str, field: &str) -> Vec<&'a str> {
    list[key]
        .as_array()
        .unwrap_or_else(|| panic!("no `{key}`: {list}"))
        .iter()
        .filter_map(|i| i[field].as_str())
        .collect()
}

#[test]
fn lists_show_every_fixture() {
    let mut server = server();
    let resources = server.call_ok("resources/list", json!({}));
    assert_eq!(
        names(&resources, "resources", "uri"),
        [
            "test://static-text",
            "test://static-binary",
            "test://watched-resource",
            // The skills fixture (SEP-2640): every file of a skill is a resource.
            "skill://pdf-processing/SKILL.md",
            "skill://pdf-processing/references/FORMS.md"
        ]
    );
    let templates = server.call_ok("resources/templates/list", json!({}));
    assert_eq!(names(&templates, "resourceTemplates", "uriTemplate"), ["test://template/{id}/data"]);
    let prompts = server.call_ok("prompts/list", json!({}));
    assert_eq!(
        names(&prompts, "prompts", "name"),
        [
            "test_simple_prompt",
            "test_prompt_with_arguments",
            "test_prompt_with_embedded_resource",
            "test_prompt_with_image",
            "test_input_required_result_prompt"
        ]
    );
}

#[test]
fn the_static_text_resource_reads_back() {
    let result = server().call_ok("resources/read", json!({"uri": "test://static-text"}));
    let expected = json!([{
        "uri": "test://static-text",
        "mimeType": "text/plain",
        "text": "This is the content of the static text resource."
    }]);
    assert_eq!(result["contents"], expected);
}

#[test]
fn the_static_binary_resource_reads_back_as_base64() {
    let result = server().call_ok("resources/read", json!({"uri": "test://static-binary"}));
    let expected = json!([{"uri": "test://static-binary", "mimeType": "image/png", "blob": TEST_IMAGE_BASE64}]);
    assert_eq!(result["contents"], expected);
}

#[test]
fn the_template_substitutes_its_variable() {
    let result = server().call_ok("resources/read", json!({"uri": "test://template/123/data"}));
    let contents = &result["contents"][0];
    assert_eq!(contents["uri"], "test://template/123/data", "{result}");
    assert_eq!(contents["mimeType"], "application/json", "{result}");
    let body: Value = serde_json::from_str(contents["text"].as_str().unwrap()).unwrap();
    assert_eq!(body, json!({"id": "123", "templateTest": true, "data": "Data for ID: 123"}));
}

#[test]
fn subscribe_and_unsubscribe_answer_with_an_empty_result() {
    let mut server = server();
    assert_eq!(server.call_ok("resources/subscribe", json!({"uri": "test://watched-resource"})), json!({}));
    assert_eq!(server.call_ok("resources/unsubscribe", json!({"uri": "test://watched-resource"})), json!({}));
}

#[test]
fn a_prompt_with_arguments_fills_them_in() {
    let result = server()
        .call_ok("prompts/get", json!({"name": "test_prompt_with_arguments", "arguments": {"arg1": "a", "arg2": "b"}}));
    let expected =
        json!([{"role": "user", "content": {"type": "text", "text": "Prompt with arguments: arg1='a', arg2='b'"}}]);
    assert_eq!(result["messages"], expected);
}

#[test]
fn a_prompt_can_embed_a_resource_and_an_image() {
    let mut server = server();
    let embedded = server.call_ok(
        "prompts/get",
        json!({"name": "test_prompt_with_embedded_resource", "arguments": {"resourceUri": "test://x"}}),
    );
    assert_eq!(
        embedded["messages"][0]["content"],
        json!({"type": "resource", "resource": {"uri": "test://x", "mimeType": "text/plain", "text": "Embedded resource content for testing."}})
    );
    let image = server.call_ok("prompts/get", json!({"name": "test_prompt_with_image"}));
    assert_eq!(
        image["messages"][0]["content"],
        json!({"type": "image", "data": TEST_IMAGE_BASE64, "mimeType": "image/png"})
    );
}

#[test]
fn a_prompt_missing_a_required_argument_is_invalid_params() {
    let mut server = server();
    let response =
        server.call("prompts/get", json!({"name": "test_prompt_with_arguments", "arguments": {"arg1": "only one"}}));
    assert_eq!(response["error"]["code"], INVALID_PARAMS, "{response}");
    let unknown = server.call("prompts/get", json!({"name": "no_such_prompt"}));
    assert_eq!(unknown["error"]["code"], INVALID_PARAMS, "{unknown}");
}

#[test]
fn completion_answers_with_an_empty_list() {
    let params = json!({
        "ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"},
        "argument": {"name": "arg1", "value": "x"}
    });
    let result = server().call_ok("completion/complete", params);
    assert_eq!(result["completion"]["values"], json!([]), "{result}");
}
