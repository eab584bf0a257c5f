//! rmcp-peer: the benchmark's reference point for the official Rust SDK.
//!
//! An MCP server over stdio with the three tools the benchmark drives (`echo`,
//! `ask_client`, `emit_notifications`), written the way rmcp's own docs show:
//! `#[tool_router]` + `#[tool_handler]`, typed `Parameters<T>`, the `Peer` taken
//! from the call context, and `serve` on the stdio transport. Nothing here is
//! tuned; the point is to measure what an rmcp user gets out of the box.

// rmcp 3.x marks logging deprecated (SEP-2577, for the 2026-07-28 revision), but
// `notifications/message` is how 2025-11-25, the version the benchmark
// negotiates, streams messages to a client, and the flood scenario needs it.
#![allow(deprecated)]

use futures::future::join_all;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, ElicitRequestParams, ElicitationAction, ElicitationSchema, LoggingLevel,
    LoggingMessageNotificationParam, ServerCapabilities, ServerConfig,
};
use rmcp::{ErrorData, Peer, RoleServer, ServerHandler, ServiceExt, tool, tool_handler, tool_router};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

/// The server; rmcp's macros keep its tool table in `tool_router`.
#[derive(Clone)]
struct BenchServer {
    /// The routes `#[tool_router]` generated for the tools below.
    tool_router: rmcp::handler::server::router::tool::ToolRouter<Self>,
}

/// Arguments of `echo`.
#[derive(Deserialize, JsonSchema)]
struct EchoArgs {
    /// The text to send back.
    text: String,
}

/// Arguments of `ask_client` and `emit_notifications`.
#[derive(Deserialize, JsonSchema)]
struct CountArgs {
    /// How many requests or notifications to send.
    count: u64,
}

#[tool_router]
impl BenchServer {
    fn new() -> Self {
        Self { tool_router: Self::tool_router() }
    }

    #[tool(description = "Returns its text argument as text content")]
    async fn echo(&self, Parameters(EchoArgs { text }): Parameters<EchoArgs>) -> String {
        text
    }

    #[tool(description = "Sends `count` elicitation requests to the client at once and counts the answers")]
    async fn ask_client(
        &self,
        peer: Peer<RoleServer>,
        Parameters(CountArgs { count }): Parameters<CountArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let schema = ElicitationSchema::builder()
            .optional_string("answer")
            .build()
            .map_err(|e| ErrorData::internal_error(e.to_string(), None))?;
        // All requests are created up front and awaited together, so they are in
        // flight at once, which is what the scenario measures.
        let asks = (0..count).map(|i| {
            peer.create_elicitation(ElicitRequestParams::FormElicitationParams {
                meta: None,
                message: format!("question {i}"),
                requested_schema: schema.clone(),
            })
        });
        let (mut accepted, mut declined, mut cancelled, mut errors) = (0u64, 0u64, 0u64, 0u64);
        for answer in join_all(asks).await {
            match answer.map(|result| result.action) {
                Ok(ElicitationAction::Accept) => accepted += 1,
                Ok(ElicitationAction::Decline) => declined += 1,
                Ok(ElicitationAction::Cancel) => cancelled += 1,
                // An action this rmcp version does not know is as unusable as a failed request.
                Ok(_) | Err(_) => errors += 1,
            }
        }
        let text = format!("accepted={accepted} declined={declined} cancelled={cancelled} errors={errors}");
        Ok(CallToolResult::success(vec![ContentBlock::text(text)]))
    }

    #[tool(description = "Sends `count` info log notifications, then reports how many were sent and dropped")]
    async fn emit_notifications(
        &self,
        peer: Peer<RoleServer>,
        Parameters(CountArgs { count }): Parameters<CountArgs>,
    ) -> Result<CallToolResult, ErrorData> {
        let mut sent = 0u64;
        let mut dropped = 0u64;
        for i in 0..count {
            // Awaiting each send is rmcp's back-pressure: it resolves once written.
            let outcome =
                peer.notify_logging_message(LoggingMessageNotificationParam::new(LoggingLevel::Info, json!(i))).await;
            match outcome {
                Ok(()) => sent += 1,
                Err(_) => dropped += 1,
            }
        }
        let mut result = CallToolResult::success(vec![ContentBlock::text(count.to_string())]);
        result.structured_content = Some(json!({"requested": count, "sent": sent, "dropped": dropped}));
        Ok(result)
    }
}

// The router is built once and kept in the struct, as rmcp's docs show for
// servers that store it; the macro's default would rebuild it on every call.
#[tool_handler(router = self.tool_router)]
impl ServerHandler for BenchServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().enable_logging().build())
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // `stdio_pipes` is the transport rmcp's docs recommend when both streams are
    // pipes, as they are under the benchmark; it falls back to `stdio` otherwise.
    let service = BenchServer::new().serve(rmcp::transport::stdio_pipes()).await?;
    service.waiting().await?;
    Ok(())
}
