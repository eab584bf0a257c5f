//! A long-running tool served as a task: the client gets a handle at once,
//! polls `tasks/get` for the report, and may cancel it. The handler is an
//! ordinary tool handler, question to the user included; one declaration on
//! its route makes it a task. Serves Streamable HTTP on 127.0.0.1; run it
//! with `cargo run -p mcpwire-server --example task_tool`.

use std::time::Duration;

use mcpwire_protocol::types::{ElicitAction, ElicitRequestParams, TaskSupport, Tool};
use mcpwire_server::{HandlerError, Server, ServerConfig, TaskConfig, ToolRoute};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Report {
    /// The month to report on, e.g. `2026-07`.
    month: String,
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let report = ToolRoute::typed(
        Tool::new("monthly_report", "Builds the monthly report; takes a while"),
        |args: Report, ctx| async move {
            // Inside a task this question reaches the client through the task
            // (`input_required`, answered with `tasks/update`).
            let form: ElicitRequestParams = serde_json::from_value(serde_json::json!({
                "message": format!("Include drafts in the {} report?", args.month),
                "requestedSchema": {"type": "object", "properties": {"drafts": {"type": "boolean"}}}
            }))?;
            let drafts = ctx.elicit(form).await?.action == ElicitAction::Accept;
            // The work; cancelling the task drops this future mid-sleep.
            tokio::time::sleep(Duration::from_secs(5)).await;
            Ok::<_, HandlerError>(format!("Report for {} (drafts included: {drafts})", args.month))
        },
    )
    .task_support(TaskSupport::Optional);

    // Tasks are kept ten minutes; one client may hold 50 at a time.
    let tasks =
        TaskConfig { default_ttl: Some(Duration::from_secs(600)), max_tasks_per_client: 50, ..TaskConfig::default() };
    let server = Server::builder("reports", "1.0.0")
        .config(ServerConfig { tasks, ..ServerConfig::default() })
        .tool(report)
        .build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
    eprintln!("serving http://127.0.0.1:8080/mcp");
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    server.serve_http(listener, Default::default(), shutdown).await
}
