//! The sample table: realistic values of every wire type, built with the Rust
//! types and serialised, each named with the schema definition and revisions it
//! must validate against.
//!
//! Legacy samples (2025-11-25) fill the optional members that revision has
//! (icons, annotations, tasks, URL elicitation); modern samples (2026-07-28)
//! carry the request `_meta`, `resultType` and cache hints that revision
//! requires. Baseline samples leave out everything newer than 2024-11-05 and
//! are also checked against every older revision that has the definition.

use std::collections::BTreeMap;

use mcpwire_protocol::meta::{PROGRESS_TOKEN, RELATED_TASK, keys};
use mcpwire_protocol::types::*;
use mcpwire_protocol::{
    ClientNotification, ClientRequest, EmptyParams, EmptyResult, ErrorObject, ErrorResponse, Meta, Notification,
    NotificationMethod, ProgressToken, ProtocolVersion, Request, RequestId, RequestMethod, Response,
    ServerNotification, ServerRequest, to_raw_params,
};
use serde::Serialize;
use serde_json::{Value, json};

/// The newest revision with the `initialize` handshake.
pub(crate) const R2025: &str = "2025-11-25";
/// The stateless revision.
pub(crate) const R2026: &str = "2026-07-28";
/// The revisions before 2025-11-25, checked with baseline samples where they
/// have the definition.
pub(crate) const OLDER: &[&str] = &["2024-11-05", "2025-03-26", "2025-06-18"];

/// The revisions that called a resource template reference `ResourceReference`.
const BEFORE_2025_06_18: &[&str] = &["2024-11-05", "2025-03-26"];

const LEGACY: &[&str] = &[R2025];
const MODERN: &[&str] = &[R2026];
const BOTH: &[&str] = &[R2025, R2026];

/// One row of the table.
pub(crate) struct Sample {
    /// The schema definition the value must validate against.
    pub(crate) def: &'static str,
    /// The revisions whose definition it must validate against.
    pub(crate) revisions: &'static [&'static str],
    /// Also every older revision that has the definition.
    pub(crate) older: bool,
    /// The serialised Rust value.
    pub(crate) value: Value,
}

#[derive(Default)]
struct Table(Vec<Sample>);

impl Table {
    fn add(&mut self, revisions: &'static [&'static str], def: &'static str, value: impl Serialize) {
        self.0.push(Sample { def, revisions, older: false, value: to_value(&value) });
    }

    /// A baseline sample: also valid for every older revision that has `def`.
    fn baseline(&mut self, revisions: &'static [&'static str], def: &'static str, value: impl Serialize) {
        self.0.push(Sample { def, revisions, older: true, value: to_value(&value) });
    }
}

fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value).unwrap()
}

/// A full JSON-RPC request, built the way a sender builds it.
fn request<M: RequestMethod>(params: &M::Params) -> Value {
    to_value(&Request::new(RequestId::Number(1), M::METHOD, to_raw_params(params).unwrap()))
}

/// A full JSON-RPC notification, built the way a sender builds it.
fn notification<M: NotificationMethod>(params: &M::Params) -> Value {
    to_value(&Notification::new(M::METHOD, to_raw_params(params).unwrap()))
}

fn response(result: impl Serialize) -> Value {
    to_value(&Response::new(RequestId::String("r-1".into()), serde_json::value::to_raw_value(&result).unwrap()))
}

fn error_response(error: ErrorObject) -> Value {
    to_value(&ErrorResponse::new(Some(RequestId::Number(9)), error))
}

fn client_request_message(request: &ClientRequest) -> Value {
    to_value(&Request::new(RequestId::Number(2), request.method(), request.to_params().unwrap()))
}

fn server_request_message(request: &ServerRequest) -> Value {
    to_value(&Request::new(RequestId::String("s-2".into()), request.method(), request.to_params().unwrap()))
}

fn client_notification_message(notification: &ClientNotification) -> Value {
    to_value(&Notification::new(notification.method(), notification.to_params().unwrap()))
}

fn server_notification_message(notification: &ServerNotification) -> Value {
    to_value(&Notification::new(notification.method(), notification.to_params().unwrap()))
}

fn object(value: Value) -> JsonObject {
    let Value::Object(object) = value else { panic!("not an object: {value}") };
    object
}

// ---------------------------------------------------------------------------
// Metadata

fn legacy_request_meta() -> Meta {
    let mut meta = Meta::new();
    meta.insert(PROGRESS_TOKEN, json!("progress-1"));
    meta.insert("com.example/trace", json!({"span": 7}));
    meta
}

fn modern_client_capabilities() -> ClientCapabilities {
    ClientCapabilities {
        experimental: Some(BTreeMap::from([("com.example/beta".into(), object(json!({"level": 2})))])),
        roots: Some(RootsCapability::default()),
        sampling: Some(SamplingCapability { context: Some(JsonObject::new()), tools: Some(JsonObject::new()) }),
        elicitation: Some(ElicitationCapability { form: Some(JsonObject::new()), url: Some(JsonObject::new()) }),
        tasks: None,
        extensions: Some(BTreeMap::from([("io.modelcontextprotocol/tasks".into(), JsonObject::new())])),
    }
}

/// The `_meta` every 2026-07-28 request carries, with the optional keys filled.
fn modern_request_meta() -> Meta {
    let mut meta = Meta::for_request(ProtocolVersion::V2026_07_28, &modern_client_capabilities());
    meta.insert(keys::CLIENT_INFO, to_value(&implementation()));
    meta.insert(keys::LOG_LEVEL, to_value(&LoggingLevel::Debug));
    meta.insert(PROGRESS_TOKEN, json!(42));
    meta.insert(keys::TRACEPARENT, json!("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
    meta
}

fn modern_result_meta() -> Meta {
    let mut meta = Meta::new();
    meta.insert(keys::SERVER_INFO, to_value(&implementation()));
    meta
}

fn modern_notification_meta() -> Meta {
    let mut meta = Meta::new();
    meta.insert(keys::SUBSCRIPTION_ID, json!("listen-1"));
    meta
}

fn related_task_meta() -> Meta {
    let mut meta = Meta::new();
    meta.insert(RELATED_TASK, to_value(&RelatedTaskMetadata { task_id: "task-1".into() }));
    meta
}

// ---------------------------------------------------------------------------
// Common

fn icons() -> Icons {
    vec![
        Icon {
            src: "https://example.com/icon-48.png".into(),
            mime_type: Some("image/png".into()),
            sizes: Some(vec!["48x48".into()]),
            theme: Some(IconTheme::Light),
        },
        Icon { src: "data:image/svg+xml;base64,PHN2Zy8+".into(), theme: Some(IconTheme::Dark), ..Default::default() },
    ]
}

fn annotations() -> Annotations {
    Annotations {
        audience: Some(vec![Role::User, Role::Assistant]),
        priority: Some(0.75),
        last_modified: Some("2025-11-25T10:00:00Z".into()),
    }
}

fn baseline_annotations() -> Annotations {
    Annotations { audience: Some(vec![Role::User]), priority: Some(0.5), last_modified: None }
}

fn implementation() -> Implementation {
    Implementation {
        name: "mcpwire-example".into(),
        title: Some("mcpwire example".into()),
        version: "0.1.0".into(),
        description: Some("An example server".into()),
        icons: Some(icons()),
        website_url: Some("https://example.com/mcpwire".into()),
    }
}

fn baseline_implementation() -> Implementation {
    Implementation { name: "mcpwire-example".into(), version: "0.1.0".into(), ..Default::default() }
}

fn tool_schema(json: &str) -> ToolSchema {
    ToolSchema::from_json(json).unwrap()
}

// ---------------------------------------------------------------------------
// Content

fn text(text: &str) -> TextContent {
    TextContent { text: text.into(), annotations: Some(annotations()), meta: Some(legacy_request_meta()) }
}

fn image() -> ImageContent {
    ImageContent {
        data: "iVBORw0KGgo=".into(),
        mime_type: "image/png".into(),
        annotations: Some(annotations()),
        meta: None,
    }
}

fn audio() -> AudioContent {
    AudioContent { data: "UklGRiQAAABXQVZF".into(), mime_type: "audio/wav".into(), annotations: None, meta: None }
}

fn resource() -> Resource {
    Resource {
        uri: "file:///project/README.md".into(),
        name: "readme".into(),
        title: Some("README".into()),
        description: Some("The project's readme".into()),
        mime_type: Some("text/markdown".into()),
        size: Some(1024),
        annotations: Some(annotations()),
        icons: Some(icons()),
        meta: Some(related_task_meta()),
    }
}

fn baseline_resource() -> Resource {
    Resource {
        uri: "file:///project/README.md".into(),
        name: "readme".into(),
        description: Some("The project's readme".into()),
        mime_type: Some("text/markdown".into()),
        size: Some(1024),
        annotations: Some(baseline_annotations()),
        ..Default::default()
    }
}

fn text_contents() -> TextResourceContents {
    TextResourceContents {
        uri: "file:///project/README.md".into(),
        mime_type: Some("text/markdown".into()),
        text: "# Project".into(),
        meta: None,
    }
}

fn blob_contents() -> BlobResourceContents {
    BlobResourceContents {
        uri: "file:///project/logo.png".into(),
        mime_type: Some("image/png".into()),
        blob: "iVBORw0KGgo=".into(),
        meta: Some(legacy_request_meta()),
    }
}

fn embedded(contents: ResourceContents) -> EmbeddedResource {
    EmbeddedResource { resource: contents, annotations: Some(annotations()), meta: None }
}

/// One block of every kind.
fn every_content_block() -> Vec<ContentBlock> {
    vec![
        ContentBlock::Text(text("The weather is sunny.")),
        ContentBlock::Image(image()),
        ContentBlock::Audio(audio()),
        ContentBlock::ResourceLink(resource()),
        ContentBlock::Resource(embedded(ResourceContents::Text(text_contents()))),
        ContentBlock::Resource(embedded(ResourceContents::Blob(blob_contents()))),
    ]
}

/// The kinds 2024-11-05 already had.
fn baseline_content_blocks() -> Vec<ContentBlock> {
    vec![
        ContentBlock::text("plain"),
        ContentBlock::Image(ImageContent {
            data: "iVBORw0KGgo=".into(),
            mime_type: "image/png".into(),
            annotations: Some(baseline_annotations()),
            meta: None,
        }),
        ContentBlock::Resource(EmbeddedResource {
            resource: ResourceContents::Text(text_contents()),
            annotations: None,
            meta: None,
        }),
    ]
}

fn tool_use() -> ToolUseContent {
    ToolUseContent {
        id: "toolu_1".into(),
        name: "get_weather".into(),
        input: object(json!({"city": "Paris"})),
        meta: None,
    }
}

fn tool_result(structured: Value) -> ToolResultContent {
    ToolResultContent {
        tool_use_id: "toolu_1".into(),
        content: vec![ContentBlock::text("18°C")],
        structured_content: Some(structured),
        is_error: Some(false),
        meta: Some(legacy_request_meta()),
    }
}

fn every_sampling_block() -> Vec<SamplingMessageContentBlock> {
    vec![
        SamplingMessageContentBlock::Text(text("What is the weather in Paris?")),
        SamplingMessageContentBlock::Image(image()),
        SamplingMessageContentBlock::Audio(audio()),
        SamplingMessageContentBlock::ToolUse(tool_use()),
        SamplingMessageContentBlock::ToolResult(tool_result(json!({"celsius": 18}))),
    ]
}

// ---------------------------------------------------------------------------
// Tools

fn weather_tool() -> Tool {
    Tool {
        name: "get_weather".into(),
        title: Some("Weather".into()),
        description: Some("Current weather for a city".into()),
        input_schema: tool_schema(
            r#"{"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object","properties":{"city":{"type":"string"}},"required":["city"]}"#,
        ),
        output_schema: Some(tool_schema(
            r#"{"type":"object","properties":{"celsius":{"type":"number"}},"required":["celsius"]}"#,
        )),
        annotations: Some(ToolAnnotations {
            title: Some("Weather".into()),
            read_only_hint: Some(true),
            destructive_hint: Some(false),
            idempotent_hint: Some(true),
            open_world_hint: Some(true),
        }),
        icons: Some(icons()),
        execution: Some(ToolExecution { task_support: Some(TaskSupport::Optional) }),
        meta: Some(related_task_meta()),
    }
}

fn baseline_tool() -> Tool {
    Tool {
        name: "echo".into(),
        description: Some("Echoes its input".into()),
        input_schema: tool_schema(r#"{"type":"object","properties":{"text":{"type":"string"}},"required":["text"]}"#),
        ..Default::default()
    }
}

fn legacy_call_params() -> CallToolRequestParams {
    CallToolRequestParams {
        name: "get_weather".into(),
        arguments: Some(object(json!({"city": "Paris", "units": ["metric"], "days": 3}))),
        task: Some(TaskMetadata { ttl: Some(60_000) }),
        meta: Some(legacy_request_meta()),
        ..Default::default()
    }
}

fn modern_call_params() -> CallToolRequestParams {
    CallToolRequestParams {
        name: "get_weather".into(),
        arguments: Some(object(json!({"city": "Paris"}))),
        input_responses: Some(input_responses()),
        request_state: Some("state-opaque-1".into()),
        meta: Some(modern_request_meta()),
        ..Default::default()
    }
}

fn legacy_call_result() -> CallToolResult {
    CallToolResult {
        content: every_content_block(),
        structured_content: Some(json!({"celsius": 18})),
        is_error: Some(false),
        meta: Some(related_task_meta()),
        ..Default::default()
    }
}

fn modern_call_result() -> CallToolResult {
    CallToolResult {
        result_type: Some(ResultType::COMPLETE),
        content: every_content_block(),
        structured_content: Some(json!([18, 19, 17])),
        is_error: Some(true),
        meta: Some(modern_result_meta()),
    }
}

fn legacy_list_tools() -> ListToolsResult {
    ListToolsResult {
        tools: vec![weather_tool(), baseline_tool()],
        next_cursor: Some("page-2".into()),
        meta: Some(legacy_request_meta()),
        ..Default::default()
    }
}

fn modern_list_tools() -> ListToolsResult {
    ListToolsResult {
        result_type: Some(ResultType::COMPLETE),
        ttl_ms: Some(300_000),
        cache_scope: Some(CacheScope::Public),
        meta: Some(modern_result_meta()),
        ..legacy_list_tools()
    }
}

// ---------------------------------------------------------------------------
// Resources and prompts

fn resource_template() -> ResourceTemplate {
    ResourceTemplate {
        uri_template: "file:///project/{path}".into(),
        name: "project-file".into(),
        title: Some("Project file".into()),
        description: Some("Any file of the project".into()),
        mime_type: Some("text/plain".into()),
        annotations: Some(annotations()),
        icons: Some(icons()),
        meta: None,
    }
}

fn prompt() -> Prompt {
    Prompt {
        name: "code_review".into(),
        title: Some("Code review".into()),
        description: Some("Review a change".into()),
        arguments: Some(vec![PromptArgument {
            name: "language".into(),
            title: Some("Language".into()),
            description: Some("The programming language".into()),
            required: Some(true),
        }]),
        icons: Some(icons()),
        meta: Some(legacy_request_meta()),
    }
}

fn prompt_messages() -> Vec<PromptMessage> {
    every_content_block()
        .into_iter()
        .enumerate()
        .map(|(i, content)| PromptMessage { role: if i % 2 == 0 { Role::User } else { Role::Assistant }, content })
        .collect()
}

fn prompt_arguments() -> BTreeMap<String, String> {
    BTreeMap::from([("language".to_owned(), "rust".to_owned())])
}

// ---------------------------------------------------------------------------
// Sampling, elicitation, roots

fn sampling_messages() -> Vec<SamplingMessage> {
    vec![
        SamplingMessage {
            role: Role::User,
            content: SamplingMessageContent::Single(every_sampling_block().remove(0)),
            meta: None,
        },
        SamplingMessage {
            role: Role::Assistant,
            content: SamplingMessageContent::Multiple(every_sampling_block()),
            meta: Some(legacy_request_meta()),
        },
    ]
}

fn model_preferences() -> ModelPreferences {
    ModelPreferences {
        hints: Some(vec![ModelHint { name: Some("claude-3-5-sonnet".into()) }, ModelHint { name: None }]),
        cost_priority: Some(0.25),
        speed_priority: Some(0.5),
        intelligence_priority: Some(0.875),
    }
}

fn create_message_params(task: bool) -> CreateMessageRequestParams {
    CreateMessageRequestParams {
        messages: sampling_messages(),
        model_preferences: Some(model_preferences()),
        system_prompt: Some("You are terse.".into()),
        include_context: Some(IncludeContext::None),
        temperature: Some(0.5),
        max_tokens: 400,
        stop_sequences: Some(vec!["\n\nHuman:".into()]),
        metadata: Some(object(json!({"vendor": "example", "attempt": 1}))),
        tools: Some(vec![weather_tool(), baseline_tool()]),
        tool_choice: Some(ToolChoice { mode: Some(ToolChoiceMode::Required) }),
        task: task.then_some(TaskMetadata { ttl: None }),
        meta: task.then(legacy_request_meta),
    }
}

fn baseline_create_message_params() -> CreateMessageRequestParams {
    CreateMessageRequestParams {
        messages: vec![SamplingMessage {
            role: Role::User,
            content: SamplingMessageContent::Single(SamplingMessageContentBlock::Text(TextContent {
                text: "Hello".into(),
                ..Default::default()
            })),
            meta: None,
        }],
        model_preferences: Some(model_preferences()),
        system_prompt: Some("You are terse.".into()),
        include_context: Some(IncludeContext::ThisServer),
        temperature: Some(0.5),
        max_tokens: 100,
        stop_sequences: Some(vec!["STOP".into()]),
        metadata: Some(object(json!({"vendor": "example"}))),
        ..Default::default()
    }
}

fn create_message_result() -> CreateMessageResult {
    CreateMessageResult {
        role: Role::Assistant,
        content: SamplingMessageContent::Multiple(vec![
            SamplingMessageContentBlock::Text(text("Let me check.")),
            SamplingMessageContentBlock::ToolUse(tool_use()),
        ]),
        model: "claude-3-5-sonnet-20241022".into(),
        stop_reason: Some("toolUse".into()),
        meta: Some(legacy_request_meta()),
    }
}

fn baseline_create_message_result() -> CreateMessageResult {
    CreateMessageResult {
        role: Role::Assistant,
        content: SamplingMessageContent::Single(SamplingMessageContentBlock::Text(TextContent {
            text: "Hi".into(),
            ..Default::default()
        })),
        model: "m".into(),
        stop_reason: Some("endTurn".into()),
        meta: None,
    }
}

/// A form with one field of every primitive kind.
fn every_primitive_schema() -> Vec<(String, PrimitiveSchemaDefinition)> {
    use PrimitiveSchemaDefinition as P;
    let options = || {
        vec![
            EnumOption { value: "red".into(), title: "Red".into() },
            EnumOption { value: "green".into(), title: "Green".into() },
        ]
    };
    vec![
        (
            "name".into(),
            P::String(StringSchema {
                title: Some("Name".into()),
                description: Some("Your name".into()),
                min_length: Some(1),
                max_length: Some(64),
                default: Some("John Doe".into()),
                ..Default::default()
            }),
        ),
        ("email".into(), P::String(StringSchema { format: Some(StringFormat::Email), ..Default::default() })),
        ("born".into(), P::String(StringSchema { format: Some(StringFormat::Date), ..Default::default() })),
        (
            "age".into(),
            P::Number(NumberSchema {
                r#type: NumberType::Integer,
                title: Some("Age".into()),
                description: Some("In years".into()),
                minimum: Some(0.into()),
                maximum: Some(150.into()),
                default: Some(30.into()),
            }),
        ),
        (
            "score".into(),
            P::Number(NumberSchema {
                default: Some(serde_json::Number::from_f64(95.5).unwrap()),
                ..Default::default()
            }),
        ),
        (
            "verified".into(),
            P::Boolean(BooleanSchema { title: Some("Verified".into()), default: Some(true), ..Default::default() }),
        ),
        (
            "status".into(),
            P::UntitledSingleSelect(UntitledSingleSelectEnumSchema {
                r#enum: vec!["active".into(), "inactive".into()],
                default: Some("active".into()),
                ..Default::default()
            }),
        ),
        (
            "colour".into(),
            P::TitledSingleSelect(TitledSingleSelectEnumSchema {
                title: Some("Colour".into()),
                one_of: options(),
                default: Some("green".into()),
                ..Default::default()
            }),
        ),
        (
            "size".into(),
            P::LegacyTitledEnum(LegacyTitledEnumSchema {
                r#enum: vec!["s".into(), "l".into()],
                enum_names: vec!["Small".into(), "Large".into()],
                default: Some("s".into()),
                ..Default::default()
            }),
        ),
        (
            "tags".into(),
            P::UntitledMultiSelect(UntitledMultiSelectEnumSchema {
                min_items: Some(1),
                max_items: Some(2),
                items: UntitledMultiSelectItems { r#enum: vec!["a".into(), "b".into()], ..Default::default() },
                default: Some(vec!["a".into()]),
                ..Default::default()
            }),
        ),
        (
            "colours".into(),
            P::TitledMultiSelect(TitledMultiSelectEnumSchema {
                items: TitledMultiSelectItems { any_of: options() },
                default: Some(vec!["red".into()]),
                ..Default::default()
            }),
        ),
    ]
}

fn primitive(name: &str) -> PrimitiveSchemaDefinition {
    every_primitive_schema().into_iter().find(|(field, _)| field == name).unwrap().1
}

fn elicit_form(task: bool) -> ElicitRequestFormParams {
    ElicitRequestFormParams {
        mode: Some(FormMode),
        message: "Please review and update the form fields".into(),
        requested_schema: RequestedSchema {
            schema: Some("https://json-schema.org/draft/2020-12/schema".into()),
            properties: every_primitive_schema(),
            required: Some(vec!["name".into(), "age".into()]),
            ..Default::default()
        },
        task: task.then_some(TaskMetadata { ttl: Some(30_000) }),
        meta: task.then(legacy_request_meta),
    }
}

/// A form of the kinds 2025-06-18 had, without a mode.
fn baseline_elicit_form() -> ElicitRequestFormParams {
    let kinds = ["name", "age", "verified", "size"];
    ElicitRequestFormParams {
        message: "Who are you?".into(),
        requested_schema: RequestedSchema {
            properties: every_primitive_schema()
                .into_iter()
                .filter(|(name, _)| kinds.contains(&name.as_str()))
                .collect(),
            required: Some(vec!["name".into()]),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn elicit_url(legacy: bool) -> ElicitRequestURLParams {
    ElicitRequestURLParams {
        message: "Sign in to continue".into(),
        url: "https://example.com/oauth/authorize?state=xyz".into(),
        elicitation_id: legacy.then(|| "elicit-1".into()),
        task: legacy.then(TaskMetadata::default),
        meta: legacy.then(legacy_request_meta),
        ..Default::default()
    }
}

fn elicit_result() -> ElicitResult {
    ElicitResult {
        action: ElicitAction::Accept,
        content: Some(BTreeMap::from([
            ("name".into(), ElicitValue::String("Jane Smith".into())),
            ("age".into(), ElicitValue::Number(25.into())),
            ("verified".into(), ElicitValue::Boolean(false)),
            ("tags".into(), ElicitValue::StringArray(vec!["a".into(), "b".into()])),
        ])),
        meta: Some(legacy_request_meta()),
    }
}

fn baseline_elicit_result() -> ElicitResult {
    ElicitResult {
        action: ElicitAction::Accept,
        content: Some(BTreeMap::from([
            ("name".into(), ElicitValue::String("Jane".into())),
            ("age".into(), ElicitValue::Number(25.into())),
            ("verified".into(), ElicitValue::Boolean(true)),
        ])),
        meta: None,
    }
}

fn roots() -> ListRootsResult {
    ListRootsResult {
        roots: vec![
            Root { uri: "file:///home/ada/project".into(), name: Some("project".into()), meta: None },
            Root { uri: "file:///tmp".into(), name: None, meta: None },
        ],
        meta: None,
    }
}

// ---------------------------------------------------------------------------
// Tasks

fn task(status: TaskStatus) -> Task {
    Task {
        task_id: "task-1".into(),
        status,
        status_message: Some("Waiting for confirmation".into()),
        created_at: "2025-11-25T10:00:00Z".into(),
        last_updated_at: "2025-11-25T10:00:05Z".into(),
        ttl: Some(60_000),
        poll_interval: Some(1_000),
    }
}

fn forever_task() -> Task {
    Task {
        task_id: "task-2".into(),
        status: TaskStatus::Completed,
        created_at: "2025-11-25T10:00:00Z".into(),
        last_updated_at: "2025-11-25T10:01:00Z".into(),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// 2026-07-28

fn input_requests() -> InputRequests {
    BTreeMap::from([
        ("capital_question".into(), InputRequest::CreateMessage(create_message_params(false))),
        ("client_roots".into(), InputRequest::ListRoots(EmptyParams::default())),
        ("user_name".into(), InputRequest::Elicit(ElicitRequestParams::Form(elicit_form(false)))),
        ("sign_in".into(), InputRequest::Elicit(ElicitRequestParams::Url(elicit_url(false)))),
    ])
}

fn input_responses() -> InputResponses {
    BTreeMap::from([
        ("capital_question".into(), InputResponse::CreateMessage(create_message_result())),
        ("client_roots".into(), InputResponse::ListRoots(roots())),
        ("user_name".into(), InputResponse::Elicit(elicit_result())),
    ])
}

fn input_required() -> InputRequiredResult {
    InputRequiredResult {
        input_requests: Some(input_requests()),
        request_state: Some("state-opaque-1".into()),
        meta: Some(modern_result_meta()),
        ..Default::default()
    }
}

fn subscription_filter() -> SubscriptionFilter {
    SubscriptionFilter {
        tools_list_changed: Some(true),
        prompts_list_changed: Some(false),
        resources_list_changed: Some(true),
        resource_subscriptions: Some(vec!["file:///project/README.md".into()]),
    }
}

fn discover_result() -> DiscoverResult {
    DiscoverResult {
        result_type: Some(ResultType::COMPLETE),
        supported_versions: vec![R2026.into(), R2025.into()],
        capabilities: server_capabilities(false),
        instructions: Some("Use get_weather for forecasts.".into()),
        ttl_ms: Some(3_600_000),
        cache_scope: Some(CacheScope::Public),
        meta: Some(modern_result_meta()),
    }
}

fn server_capabilities(tasks: bool) -> ServerCapabilities {
    ServerCapabilities {
        experimental: Some(BTreeMap::from([("com.example/beta".into(), JsonObject::new())])),
        logging: Some(JsonObject::new()),
        completions: Some(JsonObject::new()),
        prompts: Some(PromptsCapability { list_changed: Some(true) }),
        resources: Some(ResourcesCapability { subscribe: Some(true), list_changed: Some(true) }),
        tools: Some(ToolsCapability { list_changed: Some(true) }),
        tasks: tasks.then(|| ServerTasksCapability {
            list: Some(JsonObject::new()),
            cancel: Some(JsonObject::new()),
            requests: Some(ServerTaskRequestsCapability {
                tools: Some(ToolsTaskCapability { call: Some(JsonObject::new()) }),
            }),
        }),
        extensions: (!tasks).then(|| BTreeMap::from([("io.modelcontextprotocol/tasks".into(), JsonObject::new())])),
    }
}

fn legacy_client_capabilities() -> ClientCapabilities {
    ClientCapabilities {
        experimental: Some(BTreeMap::from([("com.example/beta".into(), object(json!({"level": 2})))])),
        roots: Some(RootsCapability { list_changed: Some(true) }),
        sampling: Some(SamplingCapability { context: Some(JsonObject::new()), tools: Some(JsonObject::new()) }),
        elicitation: Some(ElicitationCapability { form: Some(JsonObject::new()), url: Some(JsonObject::new()) }),
        tasks: Some(ClientTasksCapability {
            list: Some(JsonObject::new()),
            cancel: Some(JsonObject::new()),
            requests: Some(ClientTaskRequestsCapability {
                sampling: Some(SamplingTaskCapability { create_message: Some(JsonObject::new()) }),
                elicitation: Some(ElicitationTaskCapability { create: Some(JsonObject::new()) }),
            }),
        }),
        extensions: None,
    }
}

fn baseline_client_capabilities() -> ClientCapabilities {
    ClientCapabilities {
        roots: Some(RootsCapability { list_changed: Some(true) }),
        sampling: Some(SamplingCapability::default()),
        ..Default::default()
    }
}

fn baseline_server_capabilities() -> ServerCapabilities {
    ServerCapabilities {
        logging: Some(JsonObject::new()),
        prompts: Some(PromptsCapability { list_changed: Some(true) }),
        resources: Some(ResourcesCapability { subscribe: Some(true), list_changed: Some(false) }),
        tools: Some(ToolsCapability { list_changed: Some(true) }),
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------
// The dispatch enums, one value per variant and revision

fn legacy_paginated() -> PaginatedRequestParams {
    PaginatedRequestParams { cursor: Some("page-2".into()), meta: Some(legacy_request_meta()) }
}

fn modern_paginated() -> PaginatedRequestParams {
    PaginatedRequestParams { cursor: Some("page-2".into()), meta: Some(modern_request_meta()) }
}

fn modern_empty() -> EmptyParams {
    EmptyParams { meta: Some(modern_request_meta()) }
}

fn complete_params(meta: Meta, reference: Reference) -> CompleteRequestParams {
    CompleteRequestParams {
        reference,
        argument: CompleteArgument { name: "language".into(), value: "ru".into() },
        context: Some(CompleteContext { arguments: Some(prompt_arguments()) }),
        meta: Some(meta),
    }
}

fn prompt_reference() -> Reference {
    Reference::Prompt(PromptReference { name: "code_review".into(), title: Some("Code review".into()) })
}

fn template_reference() -> Reference {
    Reference::Resource(ResourceTemplateReference { uri: "file:///project/{path}".into() })
}

fn task_id() -> GetTaskRequestParams {
    GetTaskRequestParams { task_id: "task-1".into(), meta: None }
}

fn client_requests() -> Vec<(&'static [&'static str], ClientRequest)> {
    use ClientRequest as C;
    let legacy_read = ReadResourceRequestParams {
        uri: "file:///project/README.md".into(),
        meta: Some(legacy_request_meta()),
        ..Default::default()
    };
    let modern_read = ReadResourceRequestParams {
        uri: "file:///project/README.md".into(),
        input_responses: Some(input_responses()),
        request_state: Some("s".into()),
        meta: Some(modern_request_meta()),
    };
    let legacy_get_prompt = GetPromptRequestParams {
        name: "code_review".into(),
        arguments: Some(prompt_arguments()),
        meta: Some(legacy_request_meta()),
        ..Default::default()
    };
    let modern_get_prompt = GetPromptRequestParams {
        name: "code_review".into(),
        arguments: Some(prompt_arguments()),
        input_responses: Some(input_responses()),
        request_state: Some("s".into()),
        meta: Some(modern_request_meta()),
    };
    vec![
        (
            LEGACY,
            C::Initialize(InitializeRequestParams {
                protocol_version: R2025.into(),
                capabilities: legacy_client_capabilities(),
                client_info: implementation(),
                meta: Some(legacy_request_meta()),
            }),
        ),
        (LEGACY, C::Ping(EmptyParams::default())),
        (MODERN, C::Discover(modern_empty())),
        (LEGACY, C::ListTools(legacy_paginated())),
        (MODERN, C::ListTools(modern_paginated())),
        (LEGACY, C::CallTool(legacy_call_params())),
        (MODERN, C::CallTool(modern_call_params())),
        (LEGACY, C::ListResources(legacy_paginated())),
        (MODERN, C::ListResources(modern_paginated())),
        (LEGACY, C::ListResourceTemplates(PaginatedRequestParams::default())),
        (MODERN, C::ListResourceTemplates(modern_paginated())),
        (LEGACY, C::ReadResource(legacy_read)),
        (MODERN, C::ReadResource(modern_read)),
        (
            LEGACY,
            C::Subscribe(SubscribeRequestParams {
                uri: "file:///project/README.md".into(),
                meta: Some(legacy_request_meta()),
            }),
        ),
        (LEGACY, C::Unsubscribe(UnsubscribeRequestParams { uri: "file:///project/README.md".into(), meta: None })),
        (
            MODERN,
            C::SubscriptionsListen(SubscriptionsListenRequestParams {
                notifications: subscription_filter(),
                meta: Some(modern_request_meta()),
            }),
        ),
        (LEGACY, C::ListPrompts(legacy_paginated())),
        (MODERN, C::ListPrompts(modern_paginated())),
        (LEGACY, C::GetPrompt(legacy_get_prompt)),
        (MODERN, C::GetPrompt(modern_get_prompt)),
        (LEGACY, C::Complete(complete_params(legacy_request_meta(), template_reference()))),
        (MODERN, C::Complete(complete_params(modern_request_meta(), prompt_reference()))),
        (LEGACY, C::SetLevel(SetLevelRequestParams { level: LoggingLevel::Warning, meta: None })),
        (LEGACY, C::GetTask(task_id())),
        (LEGACY, C::GetTaskPayload(task_id())),
        (LEGACY, C::CancelTask(task_id())),
        (LEGACY, C::ListTasks(legacy_paginated())),
    ]
}

fn server_requests() -> Vec<(&'static [&'static str], ServerRequest)> {
    use ServerRequest as S;
    vec![
        (LEGACY, S::Ping(EmptyParams { meta: Some(legacy_request_meta()) })),
        (LEGACY, S::CreateMessage(create_message_params(true))),
        (LEGACY, S::ListRoots(EmptyParams::default())),
        (LEGACY, S::Elicit(ElicitRequestParams::Form(elicit_form(true)))),
        (LEGACY, S::Elicit(ElicitRequestParams::Url(elicit_url(true)))),
        (LEGACY, S::GetTask(task_id())),
        (LEGACY, S::GetTaskPayload(task_id())),
        (LEGACY, S::CancelTask(task_id())),
        (LEGACY, S::ListTasks(PaginatedRequestParams::default())),
    ]
}

fn cancelled(meta: Option<Meta>) -> CancelledNotificationParams {
    CancelledNotificationParams {
        request_id: Some(RequestId::String("req-7".into())),
        reason: Some("The user pressed stop".into()),
        meta,
    }
}

fn progress(meta: Option<Meta>) -> ProgressNotificationParams {
    ProgressNotificationParams {
        progress_token: ProgressToken::String("progress-1".into()),
        progress: 50.0,
        total: Some(100.0),
        message: Some("Completed step 50 of 100".into()),
        meta,
    }
}

fn log_message(meta: Option<Meta>) -> LoggingMessageNotificationParams {
    LoggingMessageNotificationParams {
        level: LoggingLevel::Error,
        logger: Some("database".into()),
        data: json!({"error": "connection refused", "retries": 3}),
        meta,
    }
}

fn task_status() -> TaskStatusNotificationParams {
    TaskStatusNotificationParams {
        meta: Some(related_task_meta()),
        ..TaskStatusNotificationParams::new(task(TaskStatus::InputRequired))
    }
}

fn client_notifications() -> Vec<(&'static [&'static str], ClientNotification)> {
    use ClientNotification as C;
    vec![
        (LEGACY, C::Cancelled(cancelled(Some(legacy_request_meta())))),
        (MODERN, C::Cancelled(cancelled(None))),
        (LEGACY, C::Progress(progress(None))),
        (LEGACY, C::Initialized(EmptyParams::default())),
        (LEGACY, C::RootsListChanged(EmptyParams { meta: Some(legacy_request_meta()) })),
        (LEGACY, C::TaskStatus(task_status())),
    ]
}

fn server_notifications() -> Vec<(&'static [&'static str], ServerNotification)> {
    use ServerNotification as S;
    let listen = || Some(modern_notification_meta());
    let updated = |meta| ResourceUpdatedNotificationParams { uri: "file:///project/README.md".into(), meta };
    vec![
        (LEGACY, S::Cancelled(cancelled(None))),
        (MODERN, S::Cancelled(cancelled(listen()))),
        (LEGACY, S::Progress(progress(Some(related_task_meta())))),
        (MODERN, S::Progress(progress(listen()))),
        (LEGACY, S::LoggingMessage(log_message(None))),
        (MODERN, S::LoggingMessage(log_message(listen()))),
        (BOTH, S::ToolListChanged(EmptyParams::default())),
        (MODERN, S::ToolListChanged(EmptyParams { meta: listen() })),
        (BOTH, S::ResourceListChanged(EmptyParams::default())),
        (BOTH, S::PromptListChanged(EmptyParams { meta: listen() })),
        (LEGACY, S::ResourceUpdated(updated(None))),
        (MODERN, S::ResourceUpdated(updated(listen()))),
        (LEGACY, S::TaskStatus(task_status())),
        (LEGACY, S::ElicitationComplete(ElicitationCompleteNotificationParams { elicitation_id: "elicit-1".into() })),
        (
            MODERN,
            S::SubscriptionsAcknowledged(SubscriptionsAcknowledgedNotificationParams {
                notifications: subscription_filter(),
                meta: listen(),
            }),
        ),
    ]
}

// ---------------------------------------------------------------------------
// The table

/// Every sample, in schema order within each area.
pub(crate) fn all() -> Vec<Sample> {
    let mut t = Table::default();
    common(&mut t);
    content(&mut t);
    lifecycle(&mut t);
    tools(&mut t);
    resources(&mut t);
    prompts(&mut t);
    completion(&mut t);
    sampling(&mut t);
    elicitation(&mut t);
    roots_and_logging(&mut t);
    tasks(&mut t);
    stateless(&mut t);
    jsonrpc(&mut t);
    dispatch(&mut t);
    t.0
}

fn common(t: &mut Table) {
    t.add(BOTH, "Icon", &icons()[0]);
    t.add(BOTH, "Icon", &icons()[1]);
    t.add(BOTH, "Icons", implementation());
    t.add(BOTH, "Implementation", implementation());
    t.baseline(BOTH, "Implementation", baseline_implementation());
    t.add(BOTH, "BaseMetadata", implementation());
    t.add(BOTH, "Annotations", annotations());
    t.baseline(BOTH, "Annotations", baseline_annotations());
    t.baseline(BOTH, "Role", Role::Assistant);
    t.add(BOTH, "ProgressToken", ProgressToken::Number(7));
    t.baseline(BOTH, "ProgressToken", ProgressToken::String("progress-1".into()));
    t.baseline(BOTH, "RequestId", RequestId::Number(1));
    t.baseline(BOTH, "RequestId", RequestId::String("req-1".into()));
    t.add(LEGACY, "PaginatedRequestParams", legacy_paginated());
    t.add(MODERN, "PaginatedRequestParams", modern_paginated());
    t.add(LEGACY, "RequestParams", EmptyParams { meta: Some(legacy_request_meta()) });
    t.add(MODERN, "RequestParams", modern_empty());
    t.add(BOTH, "NotificationParams", EmptyParams::default());
    t.add(MODERN, "NotificationParams", EmptyParams { meta: Some(modern_notification_meta()) });
    t.add(LEGACY, "PaginatedResult", legacy_list_tools());
    t.add(MODERN, "PaginatedResult", modern_list_tools());
}

fn content(t: &mut Table) {
    let blocks = every_content_block();
    for block in &blocks {
        t.add(BOTH, "ContentBlock", block);
    }
    t.add(BOTH, "TextContent", &blocks[0]);
    t.add(BOTH, "ImageContent", &blocks[1]);
    t.add(BOTH, "AudioContent", &blocks[2]);
    t.baseline(BOTH, "AudioContent", ContentBlock::Audio(audio()));
    t.add(BOTH, "ResourceLink", &blocks[3]);
    t.add(BOTH, "EmbeddedResource", &blocks[4]);
    t.add(BOTH, "EmbeddedResource", &blocks[5]);
    for block in baseline_content_blocks() {
        t.baseline(BOTH, "ContentBlock", &block);
    }
    t.baseline(BOTH, "TextContent", &baseline_content_blocks()[0]);
    t.baseline(BOTH, "ImageContent", &baseline_content_blocks()[1]);
    t.baseline(BOTH, "EmbeddedResource", &baseline_content_blocks()[2]);
    t.baseline(BOTH, "ResourceLink", ContentBlock::ResourceLink(baseline_resource()));
    t.add(BOTH, "ResourceContents", ResourceContents::Text(text_contents()));
    t.add(BOTH, "ResourceContents", ResourceContents::Blob(blob_contents()));
    t.baseline(BOTH, "TextResourceContents", ResourceContents::Text(text_contents()));
    t.baseline(BOTH, "BlobResourceContents", ResourceContents::Blob(blob_contents()));
    let sampling_blocks = every_sampling_block();
    for block in &sampling_blocks {
        t.add(BOTH, "SamplingMessageContentBlock", block);
    }
    t.add(BOTH, "ToolUseContent", &sampling_blocks[3]);
    t.add(BOTH, "ToolResultContent", &sampling_blocks[4]);
    let any_structured = SamplingMessageContentBlock::ToolResult(tool_result(json!("18°C")));
    t.add(MODERN, "ToolResultContent", any_structured);
}

fn lifecycle(t: &mut Table) {
    let params = InitializeRequestParams {
        protocol_version: R2025.into(),
        capabilities: legacy_client_capabilities(),
        client_info: implementation(),
        meta: Some(legacy_request_meta()),
    };
    t.add(LEGACY, "InitializeRequestParams", &params);
    t.add(LEGACY, "InitializeRequest", request::<mcpwire_protocol::InitializeRequest>(&params));
    let baseline = InitializeRequestParams {
        protocol_version: "2024-11-05".into(),
        capabilities: baseline_client_capabilities(),
        client_info: baseline_implementation(),
        meta: None,
    };
    t.baseline(LEGACY, "InitializeRequest", request::<mcpwire_protocol::InitializeRequest>(&baseline));
    let result = InitializeResult {
        protocol_version: R2025.into(),
        capabilities: server_capabilities(true),
        server_info: implementation(),
        instructions: Some("Use get_weather for forecasts.".into()),
        meta: Some(legacy_request_meta()),
    };
    t.add(LEGACY, "InitializeResult", &result);
    t.add(LEGACY, "ServerResult", &result);
    let baseline = InitializeResult {
        protocol_version: "2024-11-05".into(),
        capabilities: baseline_server_capabilities(),
        server_info: baseline_implementation(),
        ..Default::default()
    };
    t.baseline(LEGACY, "InitializeResult", baseline);
    t.add(
        LEGACY,
        "InitializedNotification",
        notification::<mcpwire_protocol::InitializedNotification>(&EmptyParams::default()),
    );
    t.baseline(LEGACY, "PingRequest", request::<mcpwire_protocol::PingRequest>(&EmptyParams::default()));
    t.add(LEGACY, "EmptyResult", EmptyResult::default());
    t.baseline(LEGACY, "EmptyResult", EmptyResult { meta: Some(legacy_request_meta()) });
    t.add(LEGACY, "ClientCapabilities", legacy_client_capabilities());
    t.add(MODERN, "ClientCapabilities", modern_client_capabilities());
    t.baseline(BOTH, "ClientCapabilities", baseline_client_capabilities());
    t.add(LEGACY, "ServerCapabilities", server_capabilities(true));
    t.add(MODERN, "ServerCapabilities", server_capabilities(false));
    t.baseline(BOTH, "ServerCapabilities", baseline_server_capabilities());
}

fn tools(t: &mut Table) {
    use mcpwire_protocol::{CallToolRequest, ListToolsRequest, ToolListChangedNotification};
    t.add(BOTH, "Tool", weather_tool());
    t.baseline(BOTH, "Tool", baseline_tool());
    t.add(BOTH, "ToolAnnotations", weather_tool().annotations);
    t.add(LEGACY, "ToolExecution", weather_tool().execution);
    t.add(LEGACY, "ListToolsRequest", request::<ListToolsRequest>(&legacy_paginated()));
    t.baseline(LEGACY, "ListToolsRequest", request::<ListToolsRequest>(&PaginatedRequestParams::default()));
    t.add(MODERN, "ListToolsRequest", request::<ListToolsRequest>(&modern_paginated()));
    t.add(LEGACY, "PaginatedRequest", request::<ListToolsRequest>(&legacy_paginated()));
    t.add(MODERN, "PaginatedRequest", request::<ListToolsRequest>(&modern_paginated()));
    t.add(LEGACY, "ListToolsResult", legacy_list_tools());
    t.baseline(
        LEGACY,
        "ListToolsResult",
        ListToolsResult { tools: vec![baseline_tool()], next_cursor: Some("n".into()), ..Default::default() },
    );
    t.add(MODERN, "ListToolsResult", modern_list_tools());
    t.add(MODERN, "CacheableResult", modern_list_tools());
    t.add(MODERN, "ListToolsResultResponse", response(modern_list_tools()));
    t.add(LEGACY, "ServerResult", legacy_list_tools());
    t.add(MODERN, "ServerResult", modern_list_tools());
    t.add(LEGACY, "CallToolRequestParams", legacy_call_params());
    t.add(LEGACY, "TaskAugmentedRequestParams", legacy_call_params());
    t.add(MODERN, "CallToolRequestParams", modern_call_params());
    t.add(MODERN, "InputResponseRequestParams", modern_call_params());
    t.add(LEGACY, "CallToolRequest", request::<CallToolRequest>(&legacy_call_params()));
    t.add(MODERN, "CallToolRequest", request::<CallToolRequest>(&modern_call_params()));
    let baseline = CallToolRequestParams {
        name: "echo".into(),
        arguments: Some(object(json!({"text": "hi"}))),
        ..Default::default()
    };
    t.baseline(LEGACY, "CallToolRequest", request::<CallToolRequest>(&baseline));
    t.add(LEGACY, "CallToolResult", legacy_call_result());
    t.add(LEGACY, "ServerResult", legacy_call_result());
    t.add(MODERN, "CallToolResult", modern_call_result());
    t.add(MODERN, "ServerResult", modern_call_result());
    t.add(MODERN, "Result", modern_call_result());
    t.add(MODERN, "CallToolResultResponse", response(modern_call_result()));
    t.add(MODERN, "CallToolResultResponse", response(input_required()));
    let baseline = CallToolResult { content: baseline_content_blocks(), is_error: Some(false), ..Default::default() };
    t.baseline(LEGACY, "CallToolResult", baseline);
    let only_content = CallToolResult { content: vec![ContentBlock::text("ok")], ..Default::default() };
    t.baseline(LEGACY, "CallToolResult", only_content);
    t.baseline(
        LEGACY,
        "ToolListChangedNotification",
        notification::<ToolListChangedNotification>(&EmptyParams::default()),
    );
    t.add(
        MODERN,
        "ToolListChangedNotification",
        notification::<ToolListChangedNotification>(&EmptyParams { meta: Some(modern_notification_meta()) }),
    );
}

fn resources(t: &mut Table) {
    use mcpwire_protocol::{
        ListResourceTemplatesRequest, ListResourcesRequest, ReadResourceRequest, ResourceListChangedNotification,
        ResourceUpdatedNotification, SubscribeRequest, UnsubscribeRequest,
    };
    t.add(BOTH, "Resource", resource());
    t.add(&["2024-11-05"], "Annotated", baseline_resource());
    t.baseline(BOTH, "Resource", baseline_resource());
    t.add(BOTH, "ResourceTemplate", resource_template());
    let baseline_template = ResourceTemplate {
        uri_template: "file:///project/{path}".into(),
        name: "project-file".into(),
        ..Default::default()
    };
    t.baseline(BOTH, "ResourceTemplate", baseline_template);

    let list = ListResourcesResult {
        resources: vec![resource(), baseline_resource()],
        next_cursor: Some("page-2".into()),
        meta: Some(legacy_request_meta()),
        ..Default::default()
    };
    t.add(LEGACY, "ListResourcesRequest", request::<ListResourcesRequest>(&legacy_paginated()));
    t.add(MODERN, "ListResourcesRequest", request::<ListResourcesRequest>(&modern_paginated()));
    t.add(LEGACY, "ListResourcesResult", &list);
    t.add(LEGACY, "ServerResult", &list);
    let baseline =
        ListResourcesResult { resources: vec![baseline_resource()], next_cursor: None, ..Default::default() };
    t.baseline(LEGACY, "ListResourcesResult", baseline);
    let modern = ListResourcesResult {
        result_type: Some(ResultType::COMPLETE),
        ttl_ms: Some(0),
        cache_scope: Some(CacheScope::Private),
        meta: Some(modern_result_meta()),
        ..list
    };
    t.add(MODERN, "ListResourcesResult", &modern);
    t.add(MODERN, "ListResourcesResultResponse", response(&modern));

    let templates = ListResourceTemplatesResult {
        resource_templates: vec![resource_template()],
        next_cursor: Some("page-2".into()),
        ..Default::default()
    };
    t.add(LEGACY, "ListResourceTemplatesRequest", request::<ListResourceTemplatesRequest>(&legacy_paginated()));
    t.add(MODERN, "ListResourceTemplatesRequest", request::<ListResourceTemplatesRequest>(&modern_paginated()));
    t.add(LEGACY, "ListResourceTemplatesResult", &templates);
    t.baseline(LEGACY, "ListResourceTemplatesResult", ListResourceTemplatesResult::default());
    let modern = ListResourceTemplatesResult {
        result_type: Some(ResultType::COMPLETE),
        ttl_ms: Some(60_000),
        cache_scope: Some(CacheScope::Public),
        ..templates
    };
    t.add(MODERN, "ListResourceTemplatesResult", &modern);
    t.add(MODERN, "ListResourceTemplatesResultResponse", response(&modern));

    let read = ReadResourceRequestParams {
        uri: "file:///project/README.md".into(),
        meta: Some(legacy_request_meta()),
        ..Default::default()
    };
    t.add(LEGACY, "ReadResourceRequestParams", &read);
    t.add(LEGACY, "ResourceRequestParams", &read);
    t.baseline(LEGACY, "ReadResourceRequest", request::<ReadResourceRequest>(&read));
    let modern_read = ReadResourceRequestParams {
        input_responses: Some(input_responses()),
        request_state: Some("state-opaque-1".into()),
        meta: Some(modern_request_meta()),
        ..read
    };
    t.add(MODERN, "ReadResourceRequestParams", &modern_read);
    t.add(MODERN, "ResourceRequestParams", &modern_read);
    t.add(MODERN, "ReadResourceRequest", request::<ReadResourceRequest>(&modern_read));
    let contents = ReadResourceResult {
        contents: vec![ResourceContents::Text(text_contents()), ResourceContents::Blob(blob_contents())],
        meta: Some(related_task_meta()),
        ..Default::default()
    };
    t.baseline(LEGACY, "ReadResourceResult", &contents);
    t.add(LEGACY, "ServerResult", &contents);
    let modern = ReadResourceResult {
        result_type: Some(ResultType::COMPLETE),
        ttl_ms: Some(5_000),
        cache_scope: Some(CacheScope::Private),
        meta: Some(modern_result_meta()),
        ..contents
    };
    t.add(MODERN, "ReadResourceResult", &modern);
    t.add(MODERN, "ServerResult", &modern);
    t.add(MODERN, "ReadResourceResultResponse", response(&modern));
    t.add(MODERN, "ReadResourceResultResponse", response(input_required()));

    let subscribe =
        SubscribeRequestParams { uri: "file:///project/README.md".into(), meta: Some(legacy_request_meta()) };
    t.add(LEGACY, "SubscribeRequestParams", &subscribe);
    t.baseline(LEGACY, "SubscribeRequest", request::<SubscribeRequest>(&subscribe));
    let unsubscribe = UnsubscribeRequestParams { uri: "file:///project/README.md".into(), meta: None };
    t.add(LEGACY, "UnsubscribeRequestParams", &unsubscribe);
    t.baseline(LEGACY, "UnsubscribeRequest", request::<UnsubscribeRequest>(&unsubscribe));

    let updated = ResourceUpdatedNotificationParams { uri: "file:///project/README.md".into(), meta: None };
    t.add(LEGACY, "ResourceUpdatedNotificationParams", &updated);
    t.baseline(LEGACY, "ResourceUpdatedNotification", notification::<ResourceUpdatedNotification>(&updated));
    let modern_updated = ResourceUpdatedNotificationParams { meta: Some(modern_notification_meta()), ..updated };
    t.add(MODERN, "ResourceUpdatedNotificationParams", &modern_updated);
    t.add(MODERN, "ResourceUpdatedNotification", notification::<ResourceUpdatedNotification>(&modern_updated));
    t.baseline(
        BOTH,
        "ResourceListChangedNotification",
        notification::<ResourceListChangedNotification>(&EmptyParams::default()),
    );
}

fn prompts(t: &mut Table) {
    use mcpwire_protocol::{GetPromptRequest, ListPromptsRequest, PromptListChangedNotification};
    t.add(BOTH, "Prompt", prompt());
    let baseline_prompt = Prompt {
        name: "greet".into(),
        description: Some("Greets someone".into()),
        arguments: Some(vec![PromptArgument { name: "who".into(), required: Some(false), ..Default::default() }]),
        ..Default::default()
    };
    t.baseline(BOTH, "Prompt", &baseline_prompt);
    t.add(BOTH, "PromptArgument", &prompt().arguments.unwrap()[0]);

    let list = ListPromptsResult { prompts: vec![prompt(), baseline_prompt.clone()], ..Default::default() };
    t.add(LEGACY, "ListPromptsRequest", request::<ListPromptsRequest>(&legacy_paginated()));
    t.add(MODERN, "ListPromptsRequest", request::<ListPromptsRequest>(&modern_paginated()));
    t.add(LEGACY, "ListPromptsResult", &list);
    t.add(LEGACY, "ServerResult", &list);
    t.baseline(LEGACY, "ListPromptsResult", ListPromptsResult { prompts: vec![baseline_prompt], ..Default::default() });
    let modern = ListPromptsResult {
        result_type: Some(ResultType::COMPLETE),
        next_cursor: Some("page-2".into()),
        ttl_ms: Some(60_000),
        cache_scope: Some(CacheScope::Public),
        meta: Some(modern_result_meta()),
        ..list
    };
    t.add(MODERN, "ListPromptsResult", &modern);
    t.add(MODERN, "ListPromptsResultResponse", response(&modern));

    let get = GetPromptRequestParams {
        name: "code_review".into(),
        arguments: Some(prompt_arguments()),
        meta: Some(legacy_request_meta()),
        ..Default::default()
    };
    t.add(LEGACY, "GetPromptRequestParams", &get);
    t.baseline(LEGACY, "GetPromptRequest", request::<GetPromptRequest>(&get));
    let modern_get = GetPromptRequestParams {
        input_responses: Some(input_responses()),
        request_state: Some("state-opaque-1".into()),
        meta: Some(modern_request_meta()),
        ..get
    };
    t.add(MODERN, "GetPromptRequestParams", &modern_get);
    t.add(MODERN, "GetPromptRequest", request::<GetPromptRequest>(&modern_get));
    let result = GetPromptResult {
        description: Some("A code review".into()),
        messages: prompt_messages(),
        meta: Some(legacy_request_meta()),
        ..Default::default()
    };
    t.add(LEGACY, "GetPromptResult", &result);
    t.add(LEGACY, "ServerResult", &result);
    for message in prompt_messages() {
        t.add(BOTH, "PromptMessage", message);
    }
    let baseline = GetPromptResult {
        description: Some("A greeting".into()),
        messages: baseline_content_blocks()
            .into_iter()
            .map(|content| PromptMessage { role: Role::User, content })
            .collect(),
        ..Default::default()
    };
    t.baseline(LEGACY, "GetPromptResult", baseline);
    let modern =
        GetPromptResult { result_type: Some(ResultType::COMPLETE), meta: Some(modern_result_meta()), ..result };
    t.add(MODERN, "GetPromptResult", &modern);
    t.add(MODERN, "GetPromptResultResponse", response(&modern));
    t.add(MODERN, "GetPromptResultResponse", response(input_required()));
    t.baseline(
        BOTH,
        "PromptListChangedNotification",
        notification::<PromptListChangedNotification>(&EmptyParams::default()),
    );
}

fn completion(t: &mut Table) {
    use mcpwire_protocol::CompleteRequest;
    let legacy = complete_params(legacy_request_meta(), template_reference());
    t.add(LEGACY, "CompleteRequestParams", &legacy);
    t.add(LEGACY, "CompleteRequest", request::<CompleteRequest>(&legacy));
    let baseline = CompleteRequestParams {
        reference: Reference::Prompt(PromptReference { name: "greet".into(), title: None }),
        argument: CompleteArgument { name: "who".into(), value: "A".into() },
        ..Default::default()
    };
    t.baseline(LEGACY, "CompleteRequest", request::<CompleteRequest>(&baseline));
    let modern = complete_params(modern_request_meta(), prompt_reference());
    t.add(MODERN, "CompleteRequestParams", &modern);
    t.add(MODERN, "CompleteRequest", request::<CompleteRequest>(&modern));
    // The `type` tag lives in the enum, so the definitions see the enum's form.
    t.add(BOTH, "PromptReference", prompt_reference());
    t.add(BOTH, "ResourceTemplateReference", template_reference());
    t.add(BEFORE_2025_06_18, "ResourceReference", template_reference());

    let result = CompleteResult {
        completion: Completion { values: vec!["rust".into(), "ruby".into()], total: Some(2), has_more: Some(false) },
        meta: Some(legacy_request_meta()),
        ..Default::default()
    };
    t.baseline(LEGACY, "CompleteResult", &result);
    t.add(LEGACY, "ServerResult", &result);
    let modern = CompleteResult { result_type: Some(ResultType::COMPLETE), meta: Some(modern_result_meta()), ..result };
    t.add(MODERN, "CompleteResult", &modern);
    t.add(MODERN, "CompleteResultResponse", response(&modern));
}

fn sampling(t: &mut Table) {
    use mcpwire_protocol::CreateMessageRequest;
    let legacy = create_message_params(true);
    t.add(LEGACY, "CreateMessageRequestParams", &legacy);
    t.add(LEGACY, "CreateMessageRequest", request::<CreateMessageRequest>(&legacy));
    t.baseline(LEGACY, "CreateMessageRequest", request::<CreateMessageRequest>(&baseline_create_message_params()));
    let modern = create_message_params(false);
    t.add(MODERN, "CreateMessageRequestParams", &modern);
    t.add(MODERN, "CreateMessageRequest", InputRequest::CreateMessage(modern));
    for message in sampling_messages() {
        t.add(BOTH, "SamplingMessage", message);
    }
    t.baseline(BOTH, "SamplingMessage", &baseline_create_message_params().messages[0]);
    t.add(BOTH, "ModelPreferences", model_preferences());
    t.baseline(BOTH, "ModelPreferences", ModelPreferences { hints: None, ..model_preferences() });
    t.add(BOTH, "ModelHint", ModelHint { name: Some("sonnet".into()) });
    t.add(BOTH, "ToolChoice", ToolChoice { mode: Some(ToolChoiceMode::Auto) });
    t.add(BOTH, "ToolChoice", ToolChoice::default());
    t.add(BOTH, "CreateMessageResult", create_message_result());
    t.baseline(BOTH, "CreateMessageResult", baseline_create_message_result());
    t.add(LEGACY, "ClientResult", create_message_result());
}

fn elicitation(t: &mut Table) {
    use PrimitiveSchemaDefinition as P;
    use mcpwire_protocol::{ElicitRequest, ElicitationCompleteNotification};
    for (_, field) in every_primitive_schema() {
        t.add(BOTH, "PrimitiveSchemaDefinition", &field);
        let kind = match field {
            P::String(_) => "StringSchema",
            P::Number(_) => "NumberSchema",
            P::Boolean(_) => "BooleanSchema",
            P::UntitledSingleSelect(_) => "UntitledSingleSelectEnumSchema",
            P::TitledSingleSelect(_) => "TitledSingleSelectEnumSchema",
            P::LegacyTitledEnum(_) => "LegacyTitledEnumSchema",
            P::UntitledMultiSelect(_) => "UntitledMultiSelectEnumSchema",
            P::TitledMultiSelect(_) => "TitledMultiSelectEnumSchema",
        };
        t.add(BOTH, kind, &field);
    }
    for name in ["status", "colour", "size", "tags", "colours"] {
        t.add(BOTH, "EnumSchema", primitive(name));
    }
    for name in ["status", "colour"] {
        t.add(BOTH, "SingleSelectEnumSchema", primitive(name));
    }
    for name in ["tags", "colours"] {
        t.add(BOTH, "MultiSelectEnumSchema", primitive(name));
    }
    for name in ["name", "age", "verified", "size"] {
        t.baseline(BOTH, "PrimitiveSchemaDefinition", primitive(name));
    }
    t.baseline(BOTH, "EnumSchema", primitive("size"));

    let form = ElicitRequestParams::Form(elicit_form(true));
    let url = ElicitRequestParams::Url(elicit_url(true));
    t.add(LEGACY, "ElicitRequestFormParams", &form);
    t.add(LEGACY, "ElicitRequestURLParams", &url);
    t.add(LEGACY, "ElicitRequestParams", &form);
    t.add(LEGACY, "ElicitRequestParams", &url);
    t.add(LEGACY, "ElicitRequest", request::<ElicitRequest>(&form));
    t.add(LEGACY, "ElicitRequest", request::<ElicitRequest>(&url));
    t.baseline(LEGACY, "ElicitRequest", request::<ElicitRequest>(&ElicitRequestParams::Form(baseline_elicit_form())));
    let modern_form = ElicitRequestParams::Form(elicit_form(false));
    let modern_url = ElicitRequestParams::Url(elicit_url(false));
    t.add(MODERN, "ElicitRequestFormParams", &modern_form);
    t.add(MODERN, "ElicitRequestURLParams", &modern_url);
    t.add(MODERN, "ElicitRequestParams", &modern_form);
    t.add(MODERN, "ElicitRequestParams", &modern_url);
    t.add(MODERN, "ElicitRequest", InputRequest::Elicit(modern_form));
    t.add(MODERN, "ElicitRequest", InputRequest::Elicit(modern_url));

    t.add(BOTH, "ElicitResult", elicit_result());
    t.baseline(BOTH, "ElicitResult", baseline_elicit_result());
    t.baseline(BOTH, "ElicitResult", ElicitResult { action: ElicitAction::Cancel, content: None, meta: None });
    t.add(LEGACY, "ClientResult", elicit_result());

    let complete = ElicitationCompleteNotificationParams { elicitation_id: "elicit-1".into() };
    t.add(LEGACY, "ElicitationCompleteNotification", notification::<ElicitationCompleteNotification>(&complete));
    let required = URLElicitationRequiredErrorData { elicitations: vec![elicit_url(true)] };
    t.add(LEGACY, "URLElicitationRequiredError", error_response(required.into()));
}

fn roots_and_logging(t: &mut Table) {
    use mcpwire_protocol::{
        CancelledNotification, ListRootsRequest, LoggingMessageNotification, ProgressNotification,
        RootsListChangedNotification, SetLevelRequest,
    };
    t.add(BOTH, "Root", &roots().roots[0]);
    t.baseline(BOTH, "Root", &roots().roots[1]);
    t.baseline(LEGACY, "ListRootsRequest", request::<ListRootsRequest>(&EmptyParams::default()));
    t.add(MODERN, "ListRootsRequest", InputRequest::ListRoots(EmptyParams::default()));
    t.add(MODERN, "ListRootsRequest", InputRequest::ListRoots(EmptyParams { meta: Some(legacy_request_meta()) }));
    t.baseline(BOTH, "ListRootsResult", roots());
    t.add(LEGACY, "ClientResult", roots());
    t.baseline(
        LEGACY,
        "RootsListChangedNotification",
        notification::<RootsListChangedNotification>(&EmptyParams::default()),
    );

    let set_level = SetLevelRequestParams { level: LoggingLevel::Notice, meta: Some(legacy_request_meta()) };
    t.add(LEGACY, "SetLevelRequestParams", &set_level);
    t.baseline(LEGACY, "SetLevelRequest", request::<SetLevelRequest>(&set_level));
    t.baseline(BOTH, "LoggingLevel", LoggingLevel::Emergency);
    t.add(LEGACY, "LoggingMessageNotificationParams", log_message(Some(legacy_request_meta())));
    t.add(MODERN, "LoggingMessageNotificationParams", log_message(Some(modern_notification_meta())));
    t.baseline(LEGACY, "LoggingMessageNotification", notification::<LoggingMessageNotification>(&log_message(None)));
    t.add(
        MODERN,
        "LoggingMessageNotification",
        notification::<LoggingMessageNotification>(&log_message(Some(modern_notification_meta()))),
    );

    t.add(LEGACY, "CancelledNotificationParams", cancelled(Some(legacy_request_meta())));
    t.add(MODERN, "CancelledNotificationParams", cancelled(Some(modern_notification_meta())));
    t.baseline(BOTH, "CancelledNotification", notification::<CancelledNotification>(&cancelled(None)));
    let baseline_progress = ProgressNotificationParams {
        progress_token: ProgressToken::Number(3),
        progress: 0.5,
        total: Some(1.0),
        ..Default::default()
    };
    t.baseline(BOTH, "ProgressNotification", notification::<ProgressNotification>(&baseline_progress));
    t.add(LEGACY, "ProgressNotificationParams", progress(Some(related_task_meta())));
    t.add(MODERN, "ProgressNotificationParams", progress(Some(modern_notification_meta())));
    t.add(LEGACY, "ProgressNotification", notification::<ProgressNotification>(&progress(None)));
    t.add(
        MODERN,
        "ProgressNotification",
        notification::<ProgressNotification>(&progress(Some(modern_notification_meta()))),
    );
}

fn tasks(t: &mut Table) {
    use mcpwire_protocol::{
        CancelTaskRequest, GetTaskPayloadRequest, GetTaskRequest, ListTasksRequest, TaskStatusNotification,
    };
    for status in [
        TaskStatus::Working,
        TaskStatus::InputRequired,
        TaskStatus::Completed,
        TaskStatus::Failed,
        TaskStatus::Cancelled,
    ] {
        t.add(LEGACY, "TaskStatus", status);
        t.add(LEGACY, "Task", task(status));
    }
    t.add(LEGACY, "Task", forever_task());
    t.add(LEGACY, "TaskMetadata", TaskMetadata { ttl: Some(60_000) });
    t.add(LEGACY, "RelatedTaskMetadata", RelatedTaskMetadata { task_id: "task-1".into() });
    let created = CreateTaskResult { task: task(TaskStatus::Working), meta: Some(related_task_meta()) };
    t.add(LEGACY, "CreateTaskResult", &created);
    t.add(LEGACY, "Result", &created);

    t.add(LEGACY, "GetTaskRequest", request::<GetTaskRequest>(&task_id()));
    t.add(LEGACY, "GetTaskPayloadRequest", request::<GetTaskPayloadRequest>(&task_id()));
    t.add(LEGACY, "CancelTaskRequest", request::<CancelTaskRequest>(&task_id()));
    t.add(LEGACY, "ListTasksRequest", request::<ListTasksRequest>(&legacy_paginated()));

    let state = GetTaskResult { task: task(TaskStatus::Working), meta: Some(related_task_meta()) };
    t.add(LEGACY, "GetTaskResult", &state);
    t.add(LEGACY, "ServerResult", &state);
    t.add(LEGACY, "ClientResult", &state);
    let cancelled: CancelTaskResult = GetTaskResult { task: forever_task(), meta: None };
    t.add(LEGACY, "CancelTaskResult", &cancelled);

    let payload = GetTaskPayloadResult {
        result: object(to_value(&legacy_call_result())).into_iter().filter(|(key, _)| key != "_meta").collect(),
        meta: Some(related_task_meta()),
    };
    t.add(LEGACY, "GetTaskPayloadResult", &payload);
    t.add(LEGACY, "ServerResult", &payload);

    let list = ListTasksResult {
        tasks: vec![task(TaskStatus::Working), forever_task()],
        next_cursor: Some("page-2".into()),
        meta: None,
    };
    t.add(LEGACY, "ListTasksResult", &list);
    t.add(LEGACY, "ClientResult", &list);

    t.add(LEGACY, "TaskStatusNotificationParams", task_status());
    t.add(LEGACY, "TaskStatusNotification", notification::<TaskStatusNotification>(&task_status()));
}

fn stateless(t: &mut Table) {
    use mcpwire_protocol::{DiscoverRequest, SubscriptionsAcknowledgedNotification, SubscriptionsListenRequest};
    t.add(MODERN, "DiscoverRequest", request::<DiscoverRequest>(&modern_empty()));
    t.add(MODERN, "DiscoverResult", discover_result());
    t.add(MODERN, "ServerResult", discover_result());
    t.add(MODERN, "DiscoverResultResponse", response(discover_result()));
    t.add(MODERN, "ResultType", ResultType::COMPLETE);
    t.add(MODERN, "ResultType", ResultType::INPUT_REQUIRED);
    t.add(MODERN, "MetaObject", legacy_request_meta());
    t.add(MODERN, "RequestMetaObject", modern_request_meta());
    t.add(MODERN, "RequestMetaObject", Meta::for_request(ProtocolVersion::V2026_07_28, &ClientCapabilities::default()));
    t.add(MODERN, "ResultMetaObject", modern_result_meta());
    t.add(MODERN, "NotificationMetaObject", modern_notification_meta());
    t.add(MODERN, "JSONObject", object(json!({"level": 2, "tags": ["a"], "nested": {"on": true}})));

    for input in input_requests().into_values() {
        t.add(MODERN, "InputRequest", input);
    }
    t.add(MODERN, "InputRequests", input_requests());
    for response in input_responses().into_values() {
        t.add(MODERN, "InputResponse", response);
    }
    t.add(MODERN, "InputResponses", input_responses());
    t.add(MODERN, "InputRequiredResult", input_required());
    t.add(MODERN, "InputRequiredResult", InputRequiredResult::default());
    t.add(MODERN, "ServerResult", input_required());

    let listen =
        SubscriptionsListenRequestParams { notifications: subscription_filter(), meta: Some(modern_request_meta()) };
    t.add(MODERN, "SubscriptionFilter", subscription_filter());
    t.add(MODERN, "SubscriptionFilter", SubscriptionFilter::default());
    t.add(MODERN, "SubscriptionsListenRequestParams", &listen);
    t.add(MODERN, "SubscriptionsListenRequest", request::<SubscriptionsListenRequest>(&listen));
    let mut listen_meta = modern_result_meta();
    listen_meta.insert(keys::SUBSCRIPTION_ID, json!(2));
    t.add(MODERN, "SubscriptionsListenResultMetaObject", &listen_meta);
    let ended = SubscriptionsListenResult { result_type: Some(ResultType::COMPLETE), meta: Some(listen_meta) };
    t.add(MODERN, "SubscriptionsListenResult", &ended);
    t.add(MODERN, "ServerResult", &ended);
    t.add(MODERN, "SubscriptionsListenResultResponse", response(&ended));
    let ack = SubscriptionsAcknowledgedNotificationParams {
        notifications: subscription_filter(),
        meta: Some(modern_notification_meta()),
    };
    t.add(MODERN, "SubscriptionsAcknowledgedNotificationParams", &ack);
    t.add(MODERN, "SubscriptionsAcknowledgedNotification", notification::<SubscriptionsAcknowledgedNotification>(&ack));

    t.add(MODERN, "HeaderMismatchError", error_response(ErrorObject::header_mismatch("Mcp-Method does not match")));
    let missing = MissingRequiredClientCapabilityErrorData {
        required_capabilities: ClientCapabilities {
            sampling: Some(SamplingCapability::default()),
            ..Default::default()
        },
    };
    t.add(MODERN, "MissingRequiredClientCapabilityError", error_response(missing.into()));
    let unsupported = UnsupportedProtocolVersionErrorData {
        supported: vec![R2026.into(), R2025.into()],
        requested: "1999-01-01".into(),
    };
    t.add(MODERN, "UnsupportedProtocolVersionError", error_response(unsupported.into()));
    t.add(MODERN, "ParseError", ErrorObject::parse_error());
    t.add(MODERN, "InvalidRequestError", ErrorObject::invalid_request("params must be an object"));
    t.add(MODERN, "MethodNotFoundError", ErrorObject::method_not_found("resources/subscribe"));
    t.add(MODERN, "InvalidParamsError", ErrorObject::invalid_params("unknown tool").with_data(json!({"tool": "x"})));
    t.add(MODERN, "InternalError", ErrorObject::internal_error("the database is down"));
}

fn jsonrpc(t: &mut Table) {
    use mcpwire_protocol::{ListToolsRequest, ToolListChangedNotification};
    let legacy_request = request::<ListToolsRequest>(&legacy_paginated());
    let modern_request = request::<ListToolsRequest>(&modern_paginated());
    let changed = notification::<ToolListChangedNotification>(&EmptyParams::default());
    let error = error_response(ErrorObject::method_not_found("tools/frobnicate"));
    let legacy_response = response(EmptyResult::default());
    let modern_response = response(modern_call_result());

    for (revisions, request) in [(LEGACY, &legacy_request), (MODERN, &modern_request)] {
        t.add(revisions, "JSONRPCRequest", request);
        t.add(revisions, "Request", request);
        t.add(revisions, "JSONRPCMessage", request);
    }
    t.add(BOTH, "JSONRPCNotification", &changed);
    t.add(BOTH, "Notification", &changed);
    t.add(BOTH, "JSONRPCMessage", &changed);
    t.add(LEGACY, "JSONRPCResultResponse", &legacy_response);
    t.add(LEGACY, "JSONRPCResponse", &legacy_response);
    t.add(LEGACY, "JSONRPCMessage", &legacy_response);
    t.add(LEGACY, "Result", EmptyResult::default());
    t.add(MODERN, "JSONRPCResultResponse", &modern_response);
    t.add(MODERN, "JSONRPCResponse", &modern_response);
    t.add(MODERN, "JSONRPCMessage", &modern_response);
    // An error whose id could not be read leaves `id` out, which 2025-11-25
    // and later accept; the older schemas require an id and have no way to
    // express "unknown" at all.
    let anonymous = ErrorResponse::new(None, ErrorObject::parse_error());
    t.add(BOTH, "JSONRPCErrorResponse", &anonymous);
    t.add(BOTH, "JSONRPCMessage", &anonymous);
    t.add(BOTH, "JSONRPCErrorResponse", &error);
    t.add(BOTH, "JSONRPCResponse", &error);
    t.add(BOTH, "JSONRPCMessage", &error);
    t.add(OLDER, "JSONRPCError", &error);
    t.add(BOTH, "Error", ErrorObject::method_not_found("x"));
    t.add(BOTH, "Error", ErrorObject::invalid_params("bad").with_data(json!({"field": "uri"})));
}

fn dispatch(t: &mut Table) {
    for (revisions, request) in client_requests() {
        t.add(revisions, "ClientRequest", client_request_message(&request));
    }
    for (revisions, request) in server_requests() {
        t.add(revisions, "ServerRequest", server_request_message(&request));
    }
    for (revisions, notification) in client_notifications() {
        t.add(revisions, "ClientNotification", client_notification_message(&notification));
    }
    for (revisions, notification) in server_notifications() {
        t.add(revisions, "ServerNotification", server_notification_message(&notification));
    }
}
