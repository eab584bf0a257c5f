//! The API for server authors: tools, resources, templates, prompts,
//! completion, pagination, list-changed notifications and custom methods.

use mcpwire_protocol::types::{
    CompleteResult, Completion, Icon, Resource, ResourceContents, Tool, ToolAnnotations, ToolSchema,
};
use mcpwire_protocol::{EmptyParams, RequestMethod};
use mcpwire_server::{HandlerError, ResourceRoute, Server, ServerConfig, ToolRoute};
use serde_json::{Value, json};

use crate::support::{Client, LATEST, sample_server};

in_both_runtimes![
    typed_tool_derives_its_input_schema,
    raw_tool_schema_comes_back_byte_for_byte,
    tool_definitions_keep_annotations_icons_and_titles,
    structured_tool_declares_output_schema_and_returns_structured_content,
    missing_arguments_are_an_empty_object,
    resources_are_listed_and_read_by_uri_and_by_template,
    unknown_resource_is_resource_not_found_with_the_uri,
    subscribers_hear_about_updates_and_unsubscribers_do_not,
    prompts_render_with_arguments_and_require_the_required_ones,
    completion_handler_answers_and_its_absence_answers_empty,
    every_list_is_paginated_with_opaque_cursors,
    adding_and_removing_at_run_time_notifies_each_list,
    custom_methods_are_typed_and_check_their_params,
];

async fn typed_tool_derives_its_input_schema() {
    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    let tools = client.request(1, "tools/list", None).await.unwrap();
    let schema = &tools["tools"][0]["inputSchema"];
    assert_eq!(schema["type"], "object");
    assert_eq!(schema["properties"]["text"]["type"], "string");
    assert_eq!(schema["properties"]["text"]["description"], "What to echo.");
    assert_eq!(schema["required"], json!(["text"]));
}

const VERBATIM: &str = r##"{"type":"object","$defs":{"a":{"$anchor":"x","type":"string"}},"properties":{"v":{"$ref":"#/$defs/a"}},"if":{"required":["v"]},"then":{"minProperties":1},"else":{"maxProperties":0},"additionalProperties":false}"##;

async fn raw_tool_schema_comes_back_byte_for_byte() {
    let tool = Tool { input_schema: ToolSchema::from_json(VERBATIM).unwrap(), ..Tool::new("raw", "Raw schema") };
    let server = Server::builder("s", "1")
        .tool(ToolRoute::raw(tool, |args, _ctx| async move { Ok::<_, HandlerError>(Value::Object(args).to_string()) }))
        .build();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    client.start_request(1, "tools/list", None).await;
    let raw_line = client.next().await;
    let schema = serde_json::to_string(&raw_line["result"]["tools"][0]["inputSchema"]).unwrap();
    // serde_json's Value sorts keys, so compare structure here and bytes in the protocol crate's own test.
    assert_eq!(serde_json::from_str::<Value>(&schema).unwrap(), serde_json::from_str::<Value>(VERBATIM).unwrap());
    let called = client.request(2, "tools/call", Some(json!({"name": "raw", "arguments": {"v": "1"}}))).await.unwrap();
    assert_eq!(called["content"][0]["text"], r#"{"v":"1"}"#);
}

async fn tool_definitions_keep_annotations_icons_and_titles() {
    let route =
        ToolRoute::raw(Tool::new("t", "desc"), |_a, _c| async { Ok::<_, HandlerError>("ok") }).map_tool(|tool| Tool {
            title: Some("Title".into()),
            annotations: Some(ToolAnnotations { read_only_hint: Some(true), ..Default::default() }),
            icons: Some(vec![Icon { src: "https://example.com/i.png".into(), ..Default::default() }]),
            ..tool
        });
    let server = Server::builder("s", "1").tool(route).build();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    let tool = client.request(1, "tools/list", None).await.unwrap()["tools"][0].clone();
    assert_eq!(tool["title"], "Title");
    assert_eq!(tool["annotations"], json!({"readOnlyHint": true}));
    assert_eq!(tool["icons"][0]["src"], "https://example.com/i.png");
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Sum {
    a: i64,
    b: i64,
}

#[derive(serde::Serialize, schemars::JsonSchema)]
struct Total {
    total: i64,
}

async fn structured_tool_declares_output_schema_and_returns_structured_content() {
    let server = Server::builder("s", "1")
        .tool(ToolRoute::structured(Tool::new("sum", "Adds"), |args: Sum, _ctx| async move {
            Ok(Total { total: args.a + args.b })
        }))
        .build();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    let tool = client.request(1, "tools/list", None).await.unwrap()["tools"][0].clone();
    assert_eq!(tool["outputSchema"]["properties"]["total"]["type"], "integer");
    let result = client.request(2, "tools/call", Some(json!({"name": "sum", "arguments": {"a": 2, "b": 3}}))).await;
    let result = result.unwrap();
    assert_eq!(result["structuredContent"], json!({"total": 5}));
    assert_eq!(result["content"][0]["text"], r#"{"total":5}"#);
}

async fn missing_arguments_are_an_empty_object() {
    let server = Server::builder("s", "1")
        .tool(ToolRoute::raw(Tool::new("n", "No args"), |args, _ctx| async move {
            Ok::<_, HandlerError>(format!("{} arguments", args.len()))
        }))
        .build();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    let result = client.request(1, "tools/call", Some(json!({"name": "n"}))).await.unwrap();
    assert_eq!(result["content"][0]["text"], "0 arguments");
}

async fn resources_are_listed_and_read_by_uri_and_by_template() {
    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    let resources = client.request(1, "resources/list", None).await.unwrap();
    assert_eq!(resources["resources"], json!([{"uri": "mem://a", "name": "a"}]));
    let templates = client.request(2, "resources/templates/list", None).await.unwrap();
    assert_eq!(templates["resourceTemplates"][0]["uriTemplate"], "mem://items/{id}");
    let read = client.request(3, "resources/read", Some(json!({"uri": "mem://a"}))).await.unwrap();
    assert_eq!(read["contents"][0], json!({"uri": "mem://a", "mimeType": "text/plain", "text": "A"}));
    let read = client.request(4, "resources/read", Some(json!({"uri": "mem://items/42"}))).await.unwrap();
    assert_eq!(read["contents"][0]["text"], "item 42");
}

async fn unknown_resource_is_resource_not_found_with_the_uri() {
    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    let error = client.request(1, "resources/read", Some(json!({"uri": "mem://nope"}))).await.unwrap_err();
    assert_eq!(error["code"], -32002);
    assert_eq!(error["data"]["uri"], "mem://nope");
}

async fn subscribers_hear_about_updates_and_unsubscribers_do_not() {
    let server = sample_server();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    assert_eq!(client.request(1, "resources/subscribe", Some(json!({"uri": "mem://a"}))).await.unwrap(), json!({}));
    server.notify_resource_updated("mem://a");
    server.notify_resource_updated("mem://other");
    let updated = client.notification("notifications/resources/updated").await;
    assert_eq!(updated["params"], json!({"uri": "mem://a"}));
    assert!(client.drain().await.is_empty(), "only the subscribed URI is announced");

    client.request(2, "resources/unsubscribe", Some(json!({"uri": "mem://a"}))).await.unwrap();
    server.notify_resource_updated("mem://a");
    assert!(client.drain().await.is_empty());
}

async fn prompts_render_with_arguments_and_require_the_required_ones() {
    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    let prompts = client.request(1, "prompts/list", None).await.unwrap();
    assert_eq!(
        prompts["prompts"][0]["arguments"][0],
        json!({"name": "who", "description": "Whom to greet", "required": true})
    );
    let got = client.request(2, "prompts/get", Some(json!({"name": "greet", "arguments": {"who": "Ada"}}))).await;
    assert_eq!(got.unwrap()["messages"][0]["content"]["text"], "Hello, Ada!");
    let error = client.request(3, "prompts/get", Some(json!({"name": "greet"}))).await.unwrap_err();
    assert_eq!(error["code"], -32602);
    let error = client.request(4, "prompts/get", Some(json!({"name": "nope"}))).await.unwrap_err();
    assert_eq!(error["code"], -32602);
}

async fn completion_handler_answers_and_its_absence_answers_empty() {
    let server = Server::builder("s", "1")
        .completion(|params, _ctx| async move {
            let value = params.argument.value;
            Ok(CompleteResult {
                completion: Completion { values: vec![format!("{value}1"), format!("{value}2")], ..Default::default() },
                ..Default::default()
            })
        })
        .build();
    let params = json!({"ref": {"type": "ref/prompt", "name": "p"}, "argument": {"name": "a", "value": "x"}});
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    let result = client.request(1, "completion/complete", Some(params.clone())).await.unwrap();
    assert_eq!(result["completion"]["values"], json!(["x1", "x2"]));

    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    let result = client.request(1, "completion/complete", Some(params)).await.unwrap();
    assert_eq!(result["completion"]["values"], json!([]));
}

async fn every_list_is_paginated_with_opaque_cursors() {
    let config = ServerConfig { page_size: 2, ..ServerConfig::default() };
    let mut builder = Server::builder("s", "1").config(config);
    for i in 0..5 {
        builder =
            builder.tool(ToolRoute::raw(Tool::new(format!("t{i}"), "t"), |_a, _c| async { Ok::<_, HandlerError>("") }));
    }
    let mut client = Client::initialized(&builder.build(), LATEST, json!({})).await;
    let mut names = Vec::new();
    let mut cursor = Value::Null;
    for page in 0.. {
        let params = if cursor.is_null() { None } else { Some(json!({"cursor": cursor})) };
        let result = client.request(page, "tools/list", params).await.unwrap();
        names.extend(result["tools"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()));
        cursor = result.get("nextCursor").cloned().unwrap_or(Value::Null);
        if cursor.is_null() {
            break;
        }
    }
    assert_eq!(names, ["t0", "t1", "t2", "t3", "t4"]);
    let error = client.request(99, "tools/list", Some(json!({"cursor": "not-a-cursor"}))).await.unwrap_err();
    assert_eq!(error["code"], -32602);
}

async fn adding_and_removing_at_run_time_notifies_each_list() {
    let server = sample_server();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    server.add_tool(ToolRoute::raw(Tool::new("late", "Added later"), |_a, _c| async { Ok::<_, HandlerError>("") }));
    assert_eq!(client.notification("notifications/tools/list_changed").await.get("params"), None);
    let tools = client.request(1, "tools/list", None).await.unwrap();
    assert_eq!(tools["tools"].as_array().unwrap().len(), 2);

    assert!(server.remove_tool("late"));
    client.notification("notifications/tools/list_changed").await;
    server.add_resource(ResourceRoute::new(Resource::new("mem://b", "b"), |uri, _c| async move {
        Ok::<_, HandlerError>(ResourceContents::text(uri, "text/plain", "B"))
    }));
    client.notification("notifications/resources/list_changed").await;
    assert!(server.remove_prompt("greet"));
    client.notification("notifications/prompts/list_changed").await;
    assert!(!server.remove_prompt("greet"), "already gone: nothing to announce");
    assert!(client.drain().await.is_empty());
}

/// A custom method of an application protocol, typed like an MCP one.
enum Reverse {}

impl RequestMethod for Reverse {
    const METHOD: &'static str = "app/reverse";
    type Params = ReverseParams;
    type Result = Value;
}

#[derive(Default, serde::Serialize, serde::Deserialize)]
struct ReverseParams {
    text: String,
}

async fn custom_methods_are_typed_and_check_their_params() {
    let server = Server::builder("s", "1")
        .method::<Reverse, _, _>(|params, ctx| async move {
            Ok(json!({"reversed": params.text.chars().rev().collect::<String>(), "id": ctx.request_id().to_string()}))
        })
        .build();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    let result = client.request("r1", "app/reverse", Some(json!({"text": "abc"}))).await.unwrap();
    assert_eq!(result, json!({"reversed": "cba", "id": "\"r1\""}));
    let error = client.request(2, "app/reverse", Some(json!({"text": 5}))).await.unwrap_err();
    assert_eq!(error["code"], -32602);
}

#[test]
fn registering_an_mcp_method_as_custom_is_refused() {
    enum Hijack {}
    impl RequestMethod for Hijack {
        const METHOD: &'static str = "tools/list";
        type Params = EmptyParams;
        type Result = Value;
    }
    let attempt = std::panic::catch_unwind(|| {
        let _ = Server::builder("s", "1").method::<Hijack, _, _>(|_p, _c| async { Ok(json!({})) });
    });
    assert!(attempt.is_err(), "tools/list belongs to the framework");
}
