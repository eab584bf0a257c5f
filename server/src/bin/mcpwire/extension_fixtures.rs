//! The fixtures of the conformance suite's extension scenarios: the tools
//! the tasks scenarios call (SEP-2663) and the skill the skills scenarios
//! read (SEP-2640). The task tools are ordinary tool handlers; what makes
//! one a task is the `task_support` declared on its route. In a 2025-11-25
//! session the same tools serve that revision's experimental tasks.

use std::time::Duration;

use mcpwire_protocol::ErrorObject;
use mcpwire_protocol::types::{
    ElicitAction, ElicitRequestParams, ElicitResult, ElicitValue, TaskSupport, Tool, ToolSchema,
};
use mcpwire_server::{HandlerError, RequestContext, Skills, ToolRoute};
use serde_json::{Value, json};

/// How long `failing_job` works before it fails, as the suite describes it.
const FAILING_JOB_TAKES: Duration = Duration::from_secs(1);

fn tool(name: &str, description: &str, schema: &Value) -> Tool {
    Tool { input_schema: ToolSchema::from_value(schema).expect("an object schema"), ..Tool::new(name, description) }
}

fn no_arguments(name: &str, description: &str) -> Tool {
    tool(name, description, &json!({"type": "object", "properties": {}}))
}

/// A one-field form: `field` of JSON type `kind`, required.
fn form(message: &str, field: &str, kind: &str) -> ElicitRequestParams {
    serde_json::from_value(json!({
        "message": message,
        "requestedSchema": {"type": "object", "properties": {field: {"type": kind}}, "required": [field]}
    }))
    .expect("a valid form")
}

/// The accepted value of `field`, as text.
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

fn text_argument(args: &serde_json::Map<String, Value>, name: &str) -> String {
    args.get(name).and_then(Value::as_str).unwrap_or_default().to_owned()
}

pub(crate) fn tools() -> Vec<ToolRoute> {
    vec![
        ToolRoute::raw(
            tool(
                "greet",
                "Greets someone by name; never a task",
                &json!({"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}),
            ),
            |args, _ctx| async move { Ok::<_, HandlerError>(format!("Hello, {}!", text_argument(&args, "name"))) },
        ),
        ToolRoute::raw(
            tool(
                "slow_compute",
                "Computes for the given number of seconds; runs as a task when the client can take one",
                &json!({
                    "type": "object",
                    "properties": {"seconds": {"type": "number"}, "label": {"type": "string"}},
                    "required": ["seconds"]
                }),
            ),
            |args, _ctx| async move {
                let seconds = args.get("seconds").and_then(Value::as_f64).unwrap_or(0.0).clamp(0.0, 3600.0);
                // Cancelling the task drops this future, which ends the wait.
                tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
                Ok::<_, HandlerError>(format!("computed {}", text_argument(&args, "label")))
            },
        )
        .task_support(TaskSupport::Optional),
        ToolRoute::raw(
            no_arguments("failing_job", "Works for a second, then fails as a tool; only as a task"),
            |_, _| async {
                tokio::time::sleep(FAILING_JOB_TAKES).await;
                Err::<String, _>(HandlerError::new("the job failed: its input was not what it expected"))
            },
        )
        .task_support(TaskSupport::Required),
        ToolRoute::raw(
            no_arguments("protocol_error_job", "Ends with a JSON-RPC error (-32603) rather than a tool result"),
            |_, _| async {
                Err::<String, _>(HandlerError::protocol(ErrorObject::internal_error("the job hit an internal error")))
            },
        )
        .task_support(TaskSupport::Optional),
        ToolRoute::raw(
            tool(
                "confirm_delete",
                "Asks the user to confirm before it deletes a file (it deletes nothing)",
                &json!({"type": "object", "properties": {"filename": {"type": "string"}}, "required": ["filename"]}),
            ),
            |args, ctx| async move {
                let filename = text_argument(&args, "filename");
                let answer = ctx.elicit(form(&format!("Delete {filename}?"), "confirm", "boolean")).await?;
                match field(&answer, "confirm")?.as_str() {
                    "true" => Ok::<_, HandlerError>(format!("Deleted {filename}")),
                    _ => Ok(format!("Kept {filename}")),
                }
            },
        )
        .task_support(TaskSupport::Optional),
        ToolRoute::raw(
            no_arguments("multi_input", "Asks two questions at once, then reports both answers"),
            |_, ctx| multi_input(ctx),
        )
        .task_support(TaskSupport::Optional),
        ToolRoute::raw(
            no_arguments(
                "test_tool_with_task",
                "Asks the user's name first (input required), then greets them as a task",
            ),
            |_, ctx| async move {
                let answer = ctx.ask("user_name").elicit(form("What is your name?", "name", "string")).await?;
                Ok::<_, HandlerError>(format!("Hello, {}!", field(&answer, "name")?))
            },
        )
        .task_support(TaskSupport::Required)
        .ask_before_task(["user_name"]),
    ]
}

async fn multi_input(ctx: RequestContext) -> Result<String, HandlerError> {
    let (name, confirm) = tokio::join!(
        ctx.elicit(form("What is your name?", "name", "string")),
        ctx.elicit(form("Do you confirm?", "confirm", "boolean")),
    );
    Ok(format!("name={}, confirm={}", field(&name?, "name")?, field(&confirm?, "confirm")?))
}

/// The skill the skills scenarios read: `pdf-processing`, with a
/// subdirectory (a directory read must find one).
pub(crate) fn skills() -> Skills {
    let files = [
        ("SKILL.md", include_bytes!("skills/pdf-processing/SKILL.md").to_vec()),
        ("references/FORMS.md", include_bytes!("skills/pdf-processing/references/FORMS.md").to_vec()),
    ];
    Skills::default().add("pdf-processing", files).expect("the fixture skill follows the rules")
}
