//! The fixtures the official conformance suite asks of a 2026-07-28 server:
//! its diagnostic tools (`test_missing_capability`, `test_logging_tool`, the
//! list-change triggers, a tool whose argument is mirrored in a header) and
//! the input-required tools and prompt. Names, questions and answers follow
//! the suite's scenario descriptions. They are ordinary handlers: in a
//! session of the handshake era the same questions go to the client as
//! requests.

use mcpwire_protocol::types::{
    CreateMessageRequestParams, ElicitAction, ElicitRequestParams, ElicitResult, ElicitValue, GetPromptResult, Prompt,
    PromptMessage, Role, SamplingMessage, SamplingMessageContent, SamplingMessageContentBlock, TextContent, Tool,
    ToolSchema,
};
use mcpwire_server::{Error, HandlerError, PromptRoute, RequestContext, ToolRoute};
use serde_json::{Value, json};

fn no_arguments(name: &str, description: &str) -> Tool {
    let schema = ToolSchema::from_value(&json!({"type": "object", "properties": {}})).expect("an object schema");
    Tool { input_schema: schema, ..Tool::new(name, description) }
}

/// A tool without arguments whose handler gets only its context.
fn tool<F, Fut>(name: &str, description: &str, handler: F) -> ToolRoute
where
    F: Fn(RequestContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, HandlerError>> + Send + 'static,
{
    ToolRoute::raw(no_arguments(name, description), move |_args, ctx| handler(ctx))
}

/// A one-field form: `field` of JSON type `kind`, required.
fn form(message: &str, field: &str, kind: &str) -> ElicitRequestParams {
    serde_json::from_value(json!({
        "message": message,
        "requestedSchema": {"type": "object", "properties": {field: {"type": kind}}, "required": [field]}
    }))
    .expect("a valid form")
}

fn question(text: &str, max_tokens: u64) -> CreateMessageRequestParams {
    CreateMessageRequestParams {
        messages: vec![SamplingMessage {
            role: Role::User,
            content: SamplingMessageContent::Single(SamplingMessageContentBlock::Text(TextContent {
                text: text.to_owned(),
                ..Default::default()
            })),
            meta: None,
        }],
        max_tokens,
        ..Default::default()
    }
}

/// The text of a sampling answer.
fn answer_text(content: &SamplingMessageContent) -> String {
    match content {
        SamplingMessageContent::Single(SamplingMessageContentBlock::Text(text)) => text.text.clone(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

/// The accepted value of `field`, as text; a declined or incomplete form is
/// an error the client sees as the tool's failure.
fn field(result: &ElicitResult, field: &str) -> Result<String, HandlerError> {
    if result.action != ElicitAction::Accept {
        return Err(HandlerError::new(format!("the user did not accept ({:?})", result.action)));
    }
    match result.content.as_ref().and_then(|content| content.get(field)) {
        Some(ElicitValue::String(value)) => Ok(value.clone()),
        Some(ElicitValue::Boolean(value)) => Ok(value.to_string()),
        Some(ElicitValue::Number(value)) => Ok(value.to_string()),
        _ => Err(HandlerError::invalid_params(format!("the answer has no `{field}`"))),
    }
}

pub(crate) fn tools() -> Vec<ToolRoute> {
    vec![
        tool("test_missing_capability", "Needs the client's sampling capability; fails without it", |ctx| async move {
            let declared = ctx.handshake().is_some_and(|h| h.client_capabilities.sampling.is_some());
            if !declared {
                return Err(Error::MissingClientCapability("sampling").into());
            }
            Ok("Success".to_owned())
        }),
        tool("test_streaming_elicitation", "Answers on its own stream, asking the client nothing", |_ctx| async {
            Ok("Streaming complete".to_owned())
        }),
        tool("test_logging_tool", "Logs only when the request asked for a log level", |ctx| async move {
            ctx.log(mcpwire_protocol::types::LoggingLevel::Info, "test_logging_tool ran").await?;
            Ok("Logging evaluated".to_owned())
        }),
        tool("test_trigger_tool_change", "Announces that the tool list changed", |ctx| async move {
            ctx.server().notify_tools_changed();
            Ok("Mutation triggered".to_owned())
        }),
        tool("test_trigger_prompt_change", "Announces that the prompt list changed", |ctx| async move {
            ctx.server().notify_prompts_changed();
            Ok("Mutation triggered".to_owned())
        }),
        header_tool(),
        tool(
            "test_input_required_result_elicitation",
            "Asks the user's name (input required), then greets them",
            |ctx| async move {
                let answer = ctx.ask("user_name").elicit(form("What is your name?", "name", "string")).await?;
                Ok(format!("Hello, {}!", field(&answer, "name")?))
            },
        ),
        tool(
            "test_input_required_result_sampling",
            "Asks the client's model a question (input required)",
            |ctx| async move {
                let answer =
                    ctx.ask("capital_question").create_message(question("What is the capital of France?", 100)).await?;
                Ok(format!("Sampling result: {}", answer_text(&answer.content)))
            },
        ),
        tool(
            "test_input_required_result_list_roots",
            "Asks the client for its roots (input required)",
            |ctx| async move {
                let roots = ctx.ask("client_roots").list_roots().await?;
                Ok(format!("Found {} root(s)", roots.roots.len()))
            },
        ),
        tool(
            "test_input_required_result_request_state",
            "Asks for a confirmation; the round's state travels in requestState",
            |ctx| async move {
                let answer = ctx.ask("confirm").elicit(form("Please confirm", "ok", "boolean")).await?;
                field(&answer, "ok")?;
                Ok("state-ok: requestState validated".to_owned())
            },
        ),
        tool(
            "test_input_required_result_multiple_inputs",
            "Asks three questions in one round: a name, a greeting, the roots",
            |ctx| async move {
                let (name, greeting, roots) = tokio::join!(
                    ctx.ask("user_name").elicit(form("What is your name?", "name", "string")),
                    ctx.ask("greeting").create_message(question("Generate a greeting", 50)),
                    ctx.ask("client_roots").list_roots(),
                );
                let (name, greeting, roots) = (name?, greeting?, roots?);
                Ok(format!(
                    "Name: {}; Greeting: {}; Roots: {}",
                    field(&name, "name")?,
                    answer_text(&greeting.content),
                    roots.roots.len()
                ))
            },
        ),
        tool("test_input_required_result_multi_round", "Asks two questions, one round each", |ctx| async move {
            let name = ctx.ask("step1").elicit(form("Step 1: What is your name?", "name", "string")).await?;
            let name = field(&name, "name")?;
            let color =
                ctx.ask("step2").elicit(form("Step 2: What is your favorite color?", "color", "string")).await?;
            Ok(format!("Multi-round complete for {name} who likes {}", field(&color, "color")?))
        }),
        tool(
            "test_input_required_result_tampered_state",
            "Asks for a confirmation; a tampered requestState is refused",
            |ctx| async move {
                let answer = ctx.ask("confirm").elicit(form("Please confirm", "ok", "boolean")).await?;
                field(&answer, "ok")?;
                Ok("confirmed".to_owned())
            },
        ),
        tool(
            "test_input_required_result_capabilities",
            "Asks only what the client declared it can answer",
            |ctx| async move {
                let capabilities = ctx.handshake().map(|h| h.client_capabilities.clone()).unwrap_or_default();
                if capabilities.elicitation.is_some() {
                    let answer = ctx.ask("user_input").elicit(form("Your input?", "input", "string")).await?;
                    return Ok(format!("Elicited: {}", field(&answer, "input")?));
                }
                if capabilities.sampling.is_some() {
                    let answer = ctx.ask("sample_input").create_message(question("Sample request", 50)).await?;
                    return Ok(format!("Sampled: {}", answer_text(&answer.content)));
                }
                Ok("The client declared nothing it could be asked".to_owned())
            },
        ),
    ]
}

/// A tool whose `region` argument is mirrored in the `Mcp-Param-Region`
/// header (`x-mcp-header`), which the server checks against the body.
fn header_tool() -> ToolRoute {
    let schema = json!({
        "type": "object",
        "properties": {"region": {"type": "string", "x-mcp-header": "Region"}},
        "required": ["region"]
    });
    let tool = Tool {
        input_schema: ToolSchema::from_value(&schema).expect("an object schema"),
        ..Tool::new("test_header_params", "Echoes its region, which also travels in the Mcp-Param-Region header")
    };
    ToolRoute::raw(tool, |args, _ctx| async move {
        let region = args.get("region").and_then(Value::as_str).unwrap_or_default().to_owned();
        Ok::<_, HandlerError>(format!("region={region}"))
    })
}

pub(crate) fn prompts() -> Vec<PromptRoute> {
    let prompt = Prompt {
        title: Some("Input-Required Prompt".into()),
        ..Prompt::new("test_input_required_result_prompt", "Asks the user for context (input required), then uses it")
    };
    vec![PromptRoute::new(prompt, |_args, ctx| async move {
        let answer =
            ctx.ask("user_context").elicit(form("What context should the prompt use?", "context", "string")).await?;
        let context = field(&answer, "context")?;
        Ok(GetPromptResult {
            messages: vec![PromptMessage::user(mcpwire_protocol::types::ContentBlock::text(format!(
                "Prompt with context: {context}"
            )))],
            ..GetPromptResult::default()
        })
    })]
}
