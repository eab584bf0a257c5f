//! rmcp-peer: the benchmark's reference point for the official Rust SDK.
//!
//! An MCP server over stdio with the three tools the benchmark drives (`echo`,
//! `ask_client`, `emit_notifications`), written the way rmcp's own docs show:
//! `#[tool_router]` + `#[tool_handler]`, typed `Parameters<T>`, the `Peer` taken
//! from the call context, and `serve` on the stdio transport. Nothing here is
//! tuned; the point is to measure what an rmcp user gets out of the box.
//!
//! `--http ADDRESS` serves the same tools over Streamable HTTP instead, for the
//! `echo-http` scenario: rmcp's `StreamableHttpService` with its default,
//! stateful sessions, mounted at `/mcp` on an axum router, as rmcp's HTTP
//! examples do, with TCP_NODELAY on each connection like the other servers. The
//! address actually bound (port 0 lets the OS choose) is logged on stderr as
//! `http://ADDRESS/mcp`, which is where the harness reads it.
//!
//! `--http ADDRESS --stateless` is rmcp's stateless mode, for `echo-http-2026`:
//! no sessions (`legacy_session_mode: false`) and JSON answers where the
//! response comes first (`json_response: true`), rmcp's own switches for a
//! server behind a load balancer. rmcp serves a 2026-07-28 request (its version
//! in `_meta`) statelessly in either mode; this one also answers it as
//! `application/json` rather than SSE, as mcpwire does.

// rmcp 3.x marks logging deprecated (SEP-2577, for the 2026-07-28 revision), but
// `notifications/message` is how 2025-11-25, the version the benchmark
// negotiates, streams messages to a client, and the flood scenario needs it.
#![allow(deprecated)]

use std::net::SocketAddr;

use anyhow::{Context, bail};
use axum::serve::ListenerExt as _;
use futures::future::join_all;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{
    CallToolResult, ContentBlock, ElicitRequestParams, ElicitationAction, ElicitationSchema, LoggingLevel,
    LoggingMessageNotificationParam, ServerCapabilities, ServerConfig,
};
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.as_slice() {
        [] => serve_stdio().await,
        [flag, address] if flag == "--http" => serve_http(parse_address(address)?, Mode::Stateful).await,
        [flag, address, mode] if flag == "--http" && mode == "--stateless" => {
            serve_http(parse_address(address)?, Mode::Stateless).await
        }
        _ => bail!("usage: rmcp-peer [--http ADDRESS [--stateless]]"),
    }
}

fn parse_address(address: &str) -> anyhow::Result<SocketAddr> {
    address.parse().with_context(|| format!("--http {address:?} is not an IP address and port"))
}

/// Which of rmcp's Streamable HTTP modes to serve.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The default: a session per `initialize`, SSE answers.
    Stateful,
    /// No sessions, JSON answers when the response comes first.
    Stateless,
}

async fn serve_stdio() -> anyhow::Result<()> {
    // `stdio_pipes` is the transport rmcp's docs recommend when both streams are
    // pipes, as they are under the benchmark; it falls back to `stdio` otherwise.
    let service = BenchServer::new().serve(rmcp::transport::stdio_pipes()).await?;
    service.waiting().await?;
    Ok(())
}

/// Serves Streamable HTTP until the process is killed: the harness stops it
/// that way once a run's figures are taken, so no graceful shutdown is wired.
async fn serve_http(address: SocketAddr, mode: Mode) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(address).await.with_context(|| format!("binding {address}"))?;
    let bound = listener.local_addr()?;
    // TCP_NODELAY, as mcpwire and Node's `http` server set on every connection:
    // axum leaves Nagle's algorithm on, and then each small SSE write after the
    // first waits for the client's delayed ACK (40 ms on Linux), which would
    // measure that stall rather than rmcp. axum's docs show this very hook.
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            eprintln!("rmcp-peer: could not set TCP_NODELAY: {error}");
        }
    });
    // The default config is rmcp's out-of-the-box behaviour: stateful sessions
    // (an `Mcp-Session-Id` per `initialize`), SSE answers with a priming event,
    // and `Host` checked against loopback names. Stateless mode changes only
    // the two switches rmcp documents for it.
    let config = match mode {
        Mode::Stateful => StreamableHttpServerConfig::default(),
        Mode::Stateless => {
            StreamableHttpServerConfig::default().with_legacy_session_mode(false).with_json_response(true)
        }
    };
    let service = StreamableHttpService::new(|| Ok(BenchServer::new()), LocalSessionManager::default().into(), config);
    let router = axum::Router::new().nest_service("/mcp", service);
    eprintln!("rmcp-peer serves MCP over Streamable HTTP at http://{bound}/mcp");
    axum::serve(listener, router).await?;
    Ok(())
}
