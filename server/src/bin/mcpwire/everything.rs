//! The reference "everything" server: every fixture the official conformance
//! suite expects (names, schemas and outputs exactly as the suite's reference
//! server has them; those only the 2026-07-28 scenarios use are in
//! `stateless_fixtures`, and those of the extension scenarios, tasks and
//! skills, in `extension_fixtures`), plus `echo`, `slow`,
//! `emit_notifications` and `ask_client` for benchmarks and robustness tests.

use std::collections::HashMap;
use std::time::Duration;

use mcpwire_protocol::types::{
    AudioContent, BlobResourceContents, CallToolResult, CompleteResult, Completion, ContentBlock,
    CreateMessageRequestParams, ElicitAction, ElicitRequestParams, EmbeddedResource, GetPromptResult, ImageContent,
    Implementation, JsonObject, LoggingLevel, Prompt, PromptArgument, PromptMessage, Resource, ResourceContents,
    ResourceTemplate, Role, SamplingMessage, SamplingMessageContent, SamplingMessageContentBlock, TextContent, Tool,
    ToolSchema,
};
use mcpwire_server::{
    HandlerError, PromptRoute, RequestContext, ResourceRoute, ResourceTemplateRoute, Server, ServerConfig, Skills,
    ToolRoute,
};
use serde_json::{Value, json};

/// A 1x1 red PNG, the suite's reference image.
const TEST_IMAGE_BASE64: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/// A minimal WAV file, the suite's reference audio.
const TEST_AUDIO_BASE64: &str = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";

/// The pause between the logging and progress fixtures' steps, as in the reference.
const STEP: Duration = Duration::from_millis(50);

/// The reference server with every fixture registered, serving `skills`,
/// keeping tasks in `task_store` (this process's memory when `None`).
pub(crate) fn server(
    config: ServerConfig,
    skills: Skills,
    task_store: Option<std::sync::Arc<dyn mcpwire_server::TaskStore>>,
) -> Server {
    let info = Implementation {
        title: Some("mcpwire reference server".into()),
        description: Some("Every MCP conformance fixture, plus tools for benchmarks and robustness tests.".into()),
        ..Implementation::new("mcpwire", env!("CARGO_PKG_VERSION"))
    };
    let mut builder = mcpwire_server::ServerBuilder::new(info)
        .config(config)
        .instructions("A test server: its tools exercise every part of MCP; nothing here touches the outside world.")
        .completion(|_params, _ctx| async {
            Ok(CompleteResult {
                completion: Completion { values: Vec::new(), total: Some(0), has_more: Some(false) },
                ..CompleteResult::default()
            })
        });
    let tools = fixture_tools()
        .into_iter()
        .chain(crate::stateless_fixtures::tools())
        .chain(benchmark_tools())
        .chain(crate::extension_fixtures::tools());
    for tool in tools {
        builder = builder.tool(tool);
    }
    for resource in resources() {
        builder = builder.resource(resource);
    }
    for prompt in prompts().into_iter().chain(crate::stateless_fixtures::prompts()) {
        builder = builder.prompt(prompt);
    }
    if let Some(store) = task_store {
        builder = builder.task_store(store);
    }
    builder.resource_template(template()).skills(skills).build()
}

fn schema(value: &Value) -> ToolSchema {
    ToolSchema::from_value(value).expect("fixture schemas are objects")
}

/// A tool without arguments, schema `{"type":"object","properties":{}}` as the reference has it.
fn no_arguments(name: &str, description: &str) -> Tool {
    Tool { input_schema: schema(&json!({"type": "object", "properties": {}})), ..Tool::new(name, description) }
}

fn text(text: impl Into<String>) -> ContentBlock {
    ContentBlock::text(text)
}

fn image() -> ContentBlock {
    ContentBlock::Image(ImageContent {
        data: TEST_IMAGE_BASE64.into(),
        mime_type: "image/png".into(),
        ..Default::default()
    })
}

fn embedded(uri: &str, mime_type: &str, body: &str) -> ContentBlock {
    ContentBlock::Resource(EmbeddedResource {
        resource: ResourceContents::text(uri, mime_type, body),
        annotations: None,
        meta: None,
    })
}

/// A static result, for the fixtures whose answer never changes.
fn constant(tool: Tool, result: CallToolResult) -> ToolRoute {
    ToolRoute::raw(tool, move |_args, _ctx| {
        let result = result.clone();
        async move { Ok::<_, HandlerError>(result) }
    })
}

fn content(blocks: Vec<ContentBlock>) -> CallToolResult {
    CallToolResult { content: blocks, ..CallToolResult::default() }
}

fn fixture_tools() -> Vec<ToolRoute> {
    vec![
        constant(
            no_arguments("test_simple_text", "Tests simple text content response"),
            CallToolResult::text("This is a simple text response for testing."),
        ),
        constant(no_arguments("test_image_content", "Tests image content response"), content(vec![image()])),
        constant(
            no_arguments("test_audio_content", "Tests audio content response"),
            content(vec![ContentBlock::Audio(AudioContent {
                data: TEST_AUDIO_BASE64.into(),
                mime_type: "audio/wav".into(),
                ..Default::default()
            })]),
        ),
        constant(
            no_arguments("test_embedded_resource", "Tests embedded resource content response"),
            content(vec![embedded("test://embedded-resource", "text/plain", "This is an embedded resource content.")]),
        ),
        constant(
            no_arguments(
                "test_multiple_content_types",
                "Tests response with multiple content types (text, image, resource)",
            ),
            content(vec![
                text("Multiple content types test:"),
                image(),
                embedded("test://mixed-content-resource", "application/json", r#"{"test":"data","value":123}"#),
            ]),
        ),
        ToolRoute::raw(
            no_arguments("test_tool_with_logging", "Tests tool that emits log messages during execution"),
            |_args, ctx| async move {
                ctx.log_from(LoggingLevel::Info, Some("mcpwire"), "Tool execution started").await?;
                tokio::time::sleep(STEP).await;
                ctx.log_from(LoggingLevel::Info, Some("mcpwire"), "Tool processing data").await?;
                tokio::time::sleep(STEP).await;
                ctx.log_from(LoggingLevel::Info, Some("mcpwire"), "Tool execution completed").await?;
                Ok::<_, HandlerError>("Tool with logging executed successfully")
            },
        ),
        ToolRoute::raw(
            no_arguments("test_tool_with_progress", "Tests tool that reports progress notifications"),
            |_args, ctx| async move {
                for (i, step) in [0.0, 50.0, 100.0].into_iter().enumerate() {
                    if i > 0 {
                        tokio::time::sleep(STEP).await;
                    }
                    ctx.progress(step, Some(100.0), Some(format!("Completed step {step} of 100"))).await?;
                }
                let token = match ctx.progress_token() {
                    Some(mcpwire_protocol::ProgressToken::Number(n)) => n.to_string(),
                    Some(mcpwire_protocol::ProgressToken::String(s)) => s,
                    None => "no progress token".to_owned(),
                };
                Ok::<_, HandlerError>(token)
            },
        ),
        ToolRoute::raw(no_arguments("test_error_handling", "Tests error response handling"), |_args, _ctx| async {
            Err::<CallToolResult, _>(HandlerError::new("This tool intentionally returns an error for testing"))
        }),
        ToolRoute::raw(
            no_arguments("test_reconnection", "Tests SSE stream disconnection and client reconnection (SEP-1699)"),
            |_args, ctx| async move {
                ctx.close_sse_stream();
                tokio::time::sleep(Duration::from_millis(100)).await;
                Ok::<_, HandlerError>(
                    "Reconnection test completed successfully. If you received this, the client properly reconnected after stream closure.",
                )
            },
        ),
        ToolRoute::raw(
            Tool {
                input_schema: schema(&json!({
                    "type": "object",
                    "properties": {"prompt": {"type": "string", "description": "The prompt to send to the LLM"}},
                    "required": ["prompt"]
                })),
                ..Tool::new("test_sampling", "Tests server-initiated sampling (LLM completion request)")
            },
            |args, ctx| async move { Ok::<_, HandlerError>(sample(&args, &ctx).await) },
        ),
        ToolRoute::raw(
            Tool {
                input_schema: schema(&json!({
                    "type": "object",
                    "properties": {"message": {"type": "string", "description": "The message to show the user"}},
                    "required": ["message"]
                })),
                ..Tool::new("test_elicitation", "Tests server-initiated elicitation (user input request)")
            },
            |args, ctx| async move {
                let message = args.get("message").and_then(Value::as_str).unwrap_or("Please provide your input");
                let params = json!({
                    "message": message,
                    "requestedSchema": {
                        "type": "object",
                        "properties": {"response": {"type": "string", "description": "User's response"}},
                        "required": ["response"]
                    }
                });
                Ok::<_, HandlerError>(elicit(&ctx, params, "User response").await)
            },
        ),
        ToolRoute::raw(
            no_arguments("test_elicitation_sep1034_defaults", "Tests elicitation with default values per SEP-1034"),
            |_args, ctx| async move {
                let params = json!({
                    "message": "Please review and update the form fields with defaults",
                    "requestedSchema": {
                        "type": "object",
                        "properties": {
                            "name": {"type": "string", "description": "User name", "default": "John Doe"},
                            "age": {"type": "integer", "description": "User age", "default": 30},
                            "score": {"type": "number", "description": "User score", "default": 95.5},
                            "status": {
                                "type": "string",
                                "description": "User status",
                                "enum": ["active", "inactive", "pending"],
                                "default": "active"
                            },
                            "verified": {"type": "boolean", "description": "Verification status", "default": true}
                        },
                        "required": []
                    }
                });
                Ok::<_, HandlerError>(elicit(&ctx, params, "Elicitation completed").await)
            },
        ),
        ToolRoute::raw(
            no_arguments(
                "test_elicitation_sep1330_enums",
                "Tests elicitation with enum schema improvements per SEP-1330",
            ),
            |_args, ctx| async move {
                let params = json!({
                    "message": "Please select options from the enum fields",
                    "requestedSchema": {
                        "type": "object",
                        "properties": {
                            "untitledSingle": {
                                "type": "string",
                                "description": "Select one option",
                                "enum": ["option1", "option2", "option3"]
                            },
                            "titledSingle": {
                                "type": "string",
                                "description": "Select one option with titles",
                                "oneOf": [
                                    {"const": "value1", "title": "First Option"},
                                    {"const": "value2", "title": "Second Option"},
                                    {"const": "value3", "title": "Third Option"}
                                ]
                            },
                            "legacyEnum": {
                                "type": "string",
                                "description": "Select one option (legacy)",
                                "enum": ["opt1", "opt2", "opt3"],
                                "enumNames": ["Option One", "Option Two", "Option Three"]
                            },
                            "untitledMulti": {
                                "type": "array",
                                "description": "Select multiple options",
                                "minItems": 1,
                                "maxItems": 3,
                                "items": {"type": "string", "enum": ["option1", "option2", "option3"]}
                            },
                            "titledMulti": {
                                "type": "array",
                                "description": "Select multiple options with titles",
                                "minItems": 1,
                                "maxItems": 3,
                                "items": {
                                    "anyOf": [
                                        {"const": "value1", "title": "First Choice"},
                                        {"const": "value2", "title": "Second Choice"},
                                        {"const": "value3", "title": "Third Choice"}
                                    ]
                                }
                            }
                        },
                        "required": []
                    }
                });
                Ok::<_, HandlerError>(elicit(&ctx, params, "Elicitation completed").await)
            },
        ),
        ToolRoute::raw(
            Tool {
                input_schema: ToolSchema::from_json(JSON_SCHEMA_2020_12).expect("the fixture schema is an object"),
                ..Tool::new("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features")
            },
            |args, _ctx| async move {
                Ok::<_, HandlerError>(format!("JSON Schema 2020-12 tool called with: {}", Value::Object(args)))
            },
        ),
    ]
}

/// The suite's newest 2020-12 fixture schema, carried verbatim: `$schema`,
/// `$defs` with an `$anchor`, `$ref`, `allOf`/`anyOf` and `if`/`then`/`else`
/// must all survive `tools/list` untouched.
const JSON_SCHEMA_2020_12: &str = r##"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","$defs":{"address":{"$anchor":"addressDef","type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},"properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"},"contactMethod":{"type":"string","enum":["phone","email"]},"phone":{"type":"string"},"email":{"type":"string"}},"allOf":[{"anyOf":[{"required":["phone"]},{"required":["email"]}]}],"if":{"properties":{"contactMethod":{"const":"phone"}},"required":["contactMethod"]},"then":{"required":["phone"]},"else":{"required":["email"]},"additionalProperties":false}"##;

async fn sample(args: &JsonObject, ctx: &RequestContext) -> String {
    let prompt = args.get("prompt").and_then(Value::as_str).unwrap_or_default();
    let params = CreateMessageRequestParams {
        messages: vec![SamplingMessage {
            role: Role::User,
            content: SamplingMessageContent::Single(SamplingMessageContentBlock::Text(TextContent {
                text: prompt.to_owned(),
                ..Default::default()
            })),
            meta: None,
        }],
        max_tokens: 100,
        ..Default::default()
    };
    match ctx.create_message(params).await {
        Ok(result) => {
            let reply = match &result.content {
                SamplingMessageContent::Single(SamplingMessageContentBlock::Text(text)) => text.text.clone(),
                other => serde_json::to_string(other).unwrap_or_default(),
            };
            format!("LLM response: {reply}")
        }
        Err(error) => format!("Sampling not supported or error: {error}"),
    }
}

async fn elicit(ctx: &RequestContext, params: Value, label: &str) -> String {
    let params: ElicitRequestParams = match serde_json::from_value(params) {
        Ok(params) => params,
        Err(error) => return format!("{label}: invalid elicitation request: {error}"),
    };
    match ctx.elicit(params).await {
        Ok(result) => {
            let action = serde_json::to_value(result.action).unwrap_or_default();
            let content = serde_json::to_string(&result.content).unwrap_or_default();
            format!("{label}: action={}, content={content}", action.as_str().unwrap_or_default())
        }
        Err(error) => format!("{label}: elicitation failed: {error}"),
    }
}

fn resources() -> Vec<ResourceRoute> {
    let text_resource = |uri: &'static str, name: &str, title: &str, description: &str, body: &'static str| {
        let resource = Resource {
            title: Some(title.into()),
            description: Some(description.into()),
            mime_type: Some("text/plain".into()),
            ..Resource::new(uri, name)
        };
        ResourceRoute::new(resource, move |_uri, _ctx| async move {
            Ok::<_, HandlerError>(ResourceContents::text(uri, "text/plain", body))
        })
    };
    let binary = Resource {
        title: Some("Static Binary Resource".into()),
        description: Some("A static binary resource (a 1x1 PNG) for testing".into()),
        mime_type: Some("image/png".into()),
        ..Resource::new("test://static-binary", "static-binary")
    };
    vec![
        text_resource(
            "test://static-text",
            "static-text",
            "Static Text Resource",
            "A static text resource for testing",
            "This is the content of the static text resource.",
        ),
        ResourceRoute::new(binary, |_uri, _ctx| async {
            Ok::<_, HandlerError>(ResourceContents::Blob(BlobResourceContents {
                uri: "test://static-binary".into(),
                mime_type: Some("image/png".into()),
                blob: TEST_IMAGE_BASE64.into(),
                meta: None,
            }))
        }),
        text_resource(
            "test://watched-resource",
            "watched-resource",
            "Watched Resource",
            "A resource clients can subscribe to for update notifications",
            "Watched resource content",
        ),
    ]
}

fn template() -> ResourceTemplateRoute {
    let template = ResourceTemplate {
        title: Some("Resource Template".into()),
        description: Some("A resource template with parameter substitution".into()),
        mime_type: Some("application/json".into()),
        ..ResourceTemplate::new("test://template/{id}/data", "template")
    };
    ResourceTemplateRoute::new(template, |uri, variables: HashMap<String, String>, _ctx| async move {
        let id = variables.get("id").cloned().unwrap_or_default();
        let body = json!({"id": id, "templateTest": true, "data": format!("Data for ID: {id}")});
        Ok::<_, HandlerError>(ResourceContents::text(uri, "application/json", body.to_string()))
    })
}

fn prompts() -> Vec<PromptRoute> {
    let titled = |name: &str, title: &str, description: &str| Prompt {
        title: Some(title.into()),
        ..Prompt::new(name, description)
    };
    vec![
        PromptRoute::new(
            titled("test_simple_prompt", "Simple Test Prompt", "A simple prompt without arguments"),
            |_args, _ctx| async {
                Ok(GetPromptResult {
                    messages: vec![PromptMessage::user(text("This is a simple prompt for testing."))],
                    ..GetPromptResult::default()
                })
            },
        ),
        PromptRoute::new(
            Prompt {
                arguments: Some(vec![
                    PromptArgument::required("arg1", "First test argument"),
                    PromptArgument::required("arg2", "Second test argument"),
                ]),
                ..titled("test_prompt_with_arguments", "Prompt With Arguments", "A prompt with required arguments")
            },
            |args, _ctx| async move {
                let message = format!("Prompt with arguments: arg1='{}', arg2='{}'", args["arg1"], args["arg2"]);
                Ok(GetPromptResult { messages: vec![PromptMessage::user(text(message))], ..GetPromptResult::default() })
            },
        ),
        PromptRoute::new(
            Prompt {
                arguments: Some(vec![PromptArgument::required("resourceUri", "URI of the resource to embed")]),
                ..titled(
                    "test_prompt_with_embedded_resource",
                    "Prompt With Embedded Resource",
                    "A prompt that includes an embedded resource",
                )
            },
            |args, _ctx| async move {
                let uri = args["resourceUri"].clone();
                Ok(GetPromptResult {
                    messages: vec![
                        PromptMessage::user(embedded(&uri, "text/plain", "Embedded resource content for testing.")),
                        PromptMessage::user(text("Please process the embedded resource above.")),
                    ],
                    ..GetPromptResult::default()
                })
            },
        ),
        PromptRoute::new(
            titled("test_prompt_with_image", "Prompt With Image", "A prompt that includes image content"),
            |_args, _ctx| async {
                Ok(GetPromptResult {
                    messages: vec![
                        PromptMessage::user(image()),
                        PromptMessage::user(text("Please analyze the image above.")),
                    ],
                    ..GetPromptResult::default()
                })
            },
        ),
    ]
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct EchoArgs {
    /// The text to send back.
    text: String,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct SlowArgs {
    /// How long to wait, in milliseconds.
    ms: u64,
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct CountArgs {
    /// How many to send.
    count: u64,
}

fn benchmark_tools() -> Vec<ToolRoute> {
    vec![
        ToolRoute::typed(
            Tool::new("echo", "Returns the given text as a text content block"),
            |args: EchoArgs, _ctx| async move { Ok::<_, HandlerError>(args.text) },
        ),
        ToolRoute::typed(
            Tool::new(
                "slow",
                "Waits the given number of milliseconds, then answers; cancellable. With a progress token, reports progress 0 as the wait begins",
            ),
            |args: SlowArgs, ctx| async move {
                // A client (a test) that asks for progress learns the call is
                // running, and need not guess how long to wait before acting.
                ctx.progress(0.0, None, None).await?;
                // The framework drops this future when the request is cancelled,
                // which is what stops the wait.
                tokio::time::sleep(Duration::from_millis(args.ms)).await;
                Ok::<_, HandlerError>(format!("waited {} ms", args.ms))
            },
        ),
        ToolRoute::typed(
            Tool::new(
                "emit_notifications",
                "Sends `count` notifications/message (level info) related to the call, waiting for room when the client reads slowly, then returns the count",
            ),
            |args: CountArgs, ctx| async move { emit_notifications(args.count, &ctx).await },
        ),
        ToolRoute::typed(
            Tool::new(
                "ask_client",
                "Sends `count` elicitation/create requests to the client at once and reports how they were answered",
            ),
            |args: CountArgs, ctx| async move { Ok::<_, HandlerError>(ask_client(args.count, &ctx).await) },
        ),
    ]
}

async fn emit_notifications(count: u64, ctx: &RequestContext) -> Result<CallToolResult, HandlerError> {
    let dropped_before = ctx.sender().stats().dropped_notifications;
    for index in 0..count {
        ctx.log(LoggingLevel::Info, json!({"index": index})).await.map_err(|e| HandlerError::new(e.to_string()))?;
    }
    // This tool waits for room instead of dropping; the figure is the
    // connection's own count, so a drop anywhere would show.
    let dropped = ctx.sender().stats().dropped_notifications - dropped_before;
    Ok(CallToolResult {
        content: vec![text(count.to_string())],
        structured_content: Some(json!({"requested": count, "sent": count - dropped, "dropped": dropped})),
        ..CallToolResult::default()
    })
}

async fn ask_client(count: u64, ctx: &RequestContext) -> String {
    let questions = (0..count).map(|index| {
        let params = json!({
            "message": format!("Question {} of {count}", index + 1),
            "requestedSchema": {"type": "object", "properties": {}}
        });
        async move {
            let params: ElicitRequestParams = serde_json::from_value(params).map_err(|e| e.to_string())?;
            ctx.elicit(params).await.map_err(|e| e.to_string())
        }
    });
    let (mut accepted, mut declined, mut cancelled, mut errors) = (0, 0, 0, 0);
    for answer in futures_util::future::join_all(questions).await {
        match answer.map(|result| result.action) {
            Ok(ElicitAction::Accept) => accepted += 1,
            Ok(ElicitAction::Decline) => declined += 1,
            Ok(ElicitAction::Cancel) => cancelled += 1,
            Err(_) => errors += 1,
        }
    }
    format!("accepted={accepted} declined={declined} cancelled={cancelled} errors={errors}")
}
