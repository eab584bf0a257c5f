//! Support for the end-to-end tests that drive the real `mcpwire` binary over
//! stdio and over Streamable HTTP: finding (or building) the binary, running
//! it as an [`McpProcess`] that speaks raw JSON-RPC lines or as an
//! [`HttpServer`] that a raw HTTP/1.1 client talks to, and checking every
//! message it sends against the official MCP schema.
//!
//! What the server should do is asserted by the tests in `tests/`; this crate
//! only makes them short and their failures readable.
//!
//! ```no_run
//! use mcpwire_tests::{McpProcess, tool_text};
//! use serde_json::json;
//!
//! let mut server = McpProcess::initialized(json!({}));
//! let result = server.call_tool("echo", json!({"text": "hi"}));
//! assert_eq!(tool_text(&result), "hi");
//! ```
#![warn(missing_docs)]

mod binary;
mod child;
mod http;
mod memory;
mod process;
mod schema;

pub use binary::{custom_server_example, mcpwire_binary, workspace_root};
pub use http::{ACCEPT_BOTH, HttpClient, HttpResponse, HttpServer, HttpSession, POST_HEADERS, SseEvent};
pub use memory::{MemoryStatus, memory_status};
pub use process::{
    DEFAULT_TIMEOUT, LATEST_VERSION, McpProcess, SUPPORTED_VERSIONS, initialize_params, request, tool_text,
};
pub use schema::{SCHEMA_VERSION, SchemaValidator, result_definition, schema, schema_dir, schema_for};
