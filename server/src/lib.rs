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
//! A complete server with one typed tool:
//!
//! ```no_run
//! use mcpwire_protocol::types::Tool;
//! use mcpwire_server::{HandlerError, Server, ToolRoute};
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
//!         Ok::<_, HandlerError>(args.text)
//!     });
//!     let server = Server::builder("echo-server", "1.0.0").tool(echo).build();
//!     server.serve_stdio(std::future::pending()).await
//! }
//! ```
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
mod revision;
mod server;
mod session;
mod stateless;
mod tool;
mod uri_template;

pub use context::RequestContext;
pub use error::Error;
pub use handler::{HandlerError, IntoReadResult, PromptRoute, ResourceRoute, ResourceTemplateRoute};
pub use input::StateKey;
#[cfg(feature = "stderr-log")]
pub use logging::{STDERR_LOG_QUEUE_BYTES, StderrLog, log_to_stderr};
pub use server::{CacheConfig, CacheHint, Server, ServerBuilder, ServerConfig};
pub use session::Handshake;
pub use tool::{IntoToolResult, Structured, ToolRoute};
