//! A long-running tool served as a task: the client gets a handle at once,
//! polls `tasks/get` for the report, answers the tool's question with
//! `tasks/update`, and may cancel it. The handler is an ordinary tool
//! handler, its question to the user included; one declaration on its route
//! makes it a task. Serves Streamable HTTP; run it with
//! `cargo run -p mcpwire-server --example task_tool -- 127.0.0.1:8080`
//! (port 0, the default, picks a free one).

use std::time::Duration;

use mcpwire_server::prelude::*;
use mcpwire_server::protocol::types::{ElicitAction, ElicitRequestParams, TaskSupport};
use mcpwire_server::{TaskConfig, schemars, serde_json};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Report {
    /// The month to report on, e.g. `2026-07`.
    month: String,
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let report = ToolRoute::typed(
        Tool::new("monthly_report", "Builds the monthly report; takes a while"),
        |args: Report, ctx| async move {
            // Inside a task this question reaches the client through the task
            // (status `input_required`, answered with `tasks/update`).
            let form: ElicitRequestParams = serde_json::from_value(serde_json::json!({
                "message": format!("Include drafts in the {} report?", args.month),
                "requestedSchema": {"type": "object", "properties": {"drafts": {"type": "boolean"}}}
            }))?;
            let drafts = ctx.elicit(form).await?.action == ElicitAction::Accept;
            // The work; cancelling the task drops this future mid-sleep.
            tokio::time::sleep(Duration::from_millis(200)).await;
            Ok(format!("Report for {} (drafts included: {drafts})", args.month))
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
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("serving MCP at http://{}/mcp", listener.local_addr()?);
    server.serve_http(listener, HttpConfig::default(), std::future::pending()).await
}
