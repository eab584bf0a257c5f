//! Build Model Context Protocol servers.
//!
//! `mcpwire-server` wires `mcpwire-transport` to your handlers: a message
//! processor per session, the MCP lifecycle (`initialize`, version
//! negotiation, capabilities), and an API for tools, resources, prompts,
//! completion and custom methods. The framework carries what is easy to get
//! wrong: every request gets exactly one answer with the right error code,
//! progress echoes the client's token, log messages honour `logging/setLevel`,
//! requests to the client (elicitation, sampling, roots) check the client's
//! capabilities first, cancellation stops handlers, a panicking handler
//! becomes -32603, and shutdown is clean and quick.
//!
//! A complete server with one typed tool; its whole dependency list is
//! `mcpwire-server`, `tokio` (with the `macros` and `rt-multi-thread`
//! features) and `serde` (with `derive`):
//!
//! ```no_run
//! use mcpwire_server::prelude::*;
//! use mcpwire_server::schemars;
//!
//! #[derive(serde::Deserialize, schemars::JsonSchema)]
//! struct Echo {
//!     /// The text to send back.
//!     text: String,
//! }
//!
//! #[tokio::main]
//! async fn main() -> Result<(), mcpwire_server::Error> {
//!     let echo = ToolRoute::typed(Tool::new("echo", "Send the text back"), |args: Echo, _ctx| async move {
//!         Ok(args.text)
//!     });
//!     let server = Server::builder("echo-server", "1.0.0").tool(echo).build();
//!     server.serve_stdio(std::future::pending()).await
//! }
//! ```
//!
//! Handlers return `Result<_, HandlerError>`; written inline, `Ok(...)` and
//! `?` need no type annotations. The `prelude` has the names most servers
//! use; the wire types are all in [`protocol`] (`mcpwire-protocol`), and the
//! transport's in [`transport`]. `use mcpwire_server::schemars;` brings the
//! re-exported `schemars` into scope for `#[derive(schemars::JsonSchema)]`.
//!
//! # Cookbook
//!
//! One small program per task, in `server/examples/`, each built by CI and
//! run against a client in a test (`cargo run -p mcpwire-server --example NAME`):
//!
//! | example | shows |
//! | --- | --- |
//! | [`custom_server`] | the smallest server: a typed tool and a resource |
//! | [`structured_output`] | a typed tool whose result is structured, with its `outputSchema` |
//! | [`progress_and_cancellation`] | a long tool that reports progress and stops when cancelled |
//! | [`resource_templates`] | resources at URI templates (`notes://{id}`) |
//! | [`prompts`] | prompts with typed arguments |
//! | [`completion`] | argument completion for prompts and templates |
//! | [`elicitation`] | asking the user, in a session and in a stateless (2026-07-28) request |
//! | [`json_rpc`] | a plain JSON-RPC 2.0 server: custom methods, no MCP lifecycle |
//! | [`http_server`] | serving Streamable HTTP, with shared state |
//! | [`task_tool`] | a tool that runs as a task, its question answered through the task |
//! | [`axum_auth`] | MCP mounted in an axum app beside its own routes, behind OAuth bearer tokens |
//!
//! [`custom_server`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/custom_server.rs
//! [`structured_output`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/structured_output.rs
//! [`progress_and_cancellation`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/progress_and_cancellation.rs
//! [`resource_templates`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/resource_templates.rs
//! [`prompts`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/prompts.rs
//! [`completion`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/completion.rs
//! [`elicitation`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/elicitation.rs
//! [`json_rpc`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/json_rpc.rs
//! [`http_server`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/http_server.rs
//! [`task_tool`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/task_tool.rs
//! [`axum_auth`]: https://github.com/mcpwire/mcpwire/blob/main/server/examples/axum_auth.rs
//!
//! # Serving HTTP inside an application
//!
//! [`Server::serve_http`] runs Streamable HTTP on a listener of its own;
//! [`Server::http_service`] is the same endpoint as a `tower::Service`
//! ([`McpService`]) to mount in an axum router beside other routes, behind
//! the application's middleware. Handlers read the HTTP request they came in
//! with [`RequestContext::http`], in both eras. [`HttpConfig::auth`]
//! ([`AuthConfig`]) checks bearer tokens as MCP's authorization specification
//! asks: 401 with the protected resource metadata's URL, 403 for a missing
//! scope, the metadata document served, the caller's [`Principal`] in the
//! request's extensions.
#![warn(missing_docs)]

mod context;
mod error;
mod handler;
#[cfg(feature = "http")]
mod http;
mod input;
mod listen;
#[cfg(feature = "stderr-log")]
mod logging;
mod processor;
#[cfg(feature = "redis")]
mod redis_tasks;
mod revision;
mod server;
mod session;
mod skills;
mod stateless;
mod tasks;
mod tool;
mod uri_template;

/// The wire types: every MCP request, result and notification
/// (`mcpwire-protocol`).
pub use mcpwire_protocol as protocol;
/// Bytes in and out (`mcpwire-transport`): connections, the outgoing sender,
/// and the HTTP endpoint's configuration.
pub use mcpwire_transport as transport;
/// The JSON Schema derive tool arguments and structured output use: bring
/// it into scope with `use mcpwire_server::schemars;`, then
/// `#[derive(schemars::JsonSchema)]`.
pub use schemars;
/// JSON values: a raw tool's arguments, schemas written by hand (`json!`).
pub use serde_json;

pub use context::{Ask, RequestContext};
pub use error::Error;
pub use handler::{HandlerError, IntoPromptResult, IntoReadResult, PromptRoute, ResourceRoute, ResourceTemplateRoute};
pub use input::StateKey;
#[cfg(feature = "stderr-log")]
pub use logging::{STDERR_LOG_QUEUE_BYTES, StderrLog, log_to_stderr};
pub use mcpwire_transport::TransportConfig;
#[cfg(feature = "http")]
pub use mcpwire_transport::http::{AuthConfig, HttpConfig, McpService, Principal, TokenRejection, TokenValidator};
#[cfg(feature = "redis")]
pub use redis_tasks::{DEFAULT_PREFIX as REDIS_DEFAULT_PREFIX, RedisTaskStore};
pub use server::{CacheConfig, CacheHint, Server, ServerBuilder, ServerConfig};
pub use session::Handshake;
pub use skills::{MAX_SKILL_BYTES, MAX_SKILL_FILES, Skills};
pub use tasks::{
    MemoryTaskStore, StoreFuture, TaskChange, TaskConfig, TaskOutcome, TaskRecord, TaskStore, TaskStoreError, TaskWire,
};
pub use tool::{IntoToolResult, Structured, ToolRoute};

/// The names most servers use, for `use mcpwire_server::prelude::*;`.
pub mod prelude {
    pub use mcpwire_protocol::types::{
        CallToolResult, ContentBlock, GetPromptResult, LoggingLevel, Prompt, PromptArgument, PromptMessage, Resource,
        ResourceContents, ResourceTemplate, Tool,
    };

    #[cfg(feature = "http")]
    pub use crate::HttpConfig;
    pub use crate::{
        HandlerError, PromptRoute, RequestContext, ResourceRoute, ResourceTemplateRoute, Server, ServerConfig,
        Structured, ToolRoute,
    };
}
