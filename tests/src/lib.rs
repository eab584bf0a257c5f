//! Support for the end-to-end tests that drive the real `mcpwire` binary over
//! stdio and over Streamable HTTP: finding (or building) the binary, running
//! it as an [`McpProcess`] that speaks raw JSON-RPC lines or as an
//! [`HttpServer`] that a raw HTTP/1.1 client talks to, and checking every
//! message it sends against the official MCP schema of its era: 2025-11-25
//! for sessions opened with `initialize`, 2026-07-28 for stateless requests.
//!
//! What the server should do is asserted by the tests in `tests/`; this crate
//! only makes them short and their failures readable.
//!
//! The client side of HTTP/1.1 and of server-sent events ([`http1`], [`sse`])
//! is shared with the benchmark's load generator, which uses this crate
//! without its default `harness` feature: the framing alone, without the
//! process harness and the schema validation.
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

pub mod http1;
pub mod sse;

#[cfg(feature = "harness")]
mod binary;
#[cfg(feature = "harness")]
mod child;
#[cfg(feature = "harness")]
mod era;
#[cfg(feature = "harness")]
mod http;
#[cfg(feature = "harness")]
mod memory;
#[cfg(feature = "harness")]
mod process;
#[cfg(feature = "harness")]
mod schema;

#[cfg(feature = "harness")]
pub use binary::{custom_server_example, example, mcpwire_binary, workspace_root};
#[cfg(feature = "harness")]
pub use era::{Era, EraTracker, Expected, PROTOCOL_VERSION_KEY, SUBSCRIPTION_ID_KEY};
#[cfg(feature = "harness")]
pub use http::{
    ACCEPT_BOTH, HttpClient, HttpResponse, HttpServer, HttpServerOptions, HttpSession, POST_HEADERS, SseEvent,
    expected_answer, stateless_headers,
};
#[cfg(feature = "harness")]
pub use memory::{MemoryStatus, memory_status};
#[cfg(feature = "harness")]
pub use process::{
    DEFAULT_TIMEOUT, LATEST_VERSION, McpProcess, SUPPORTED_VERSIONS, SpawnOptions, initialize_params, request,
    stateless_meta, stateless_params, tool_text,
};
#[cfg(feature = "harness")]
pub use schema::{
    SCHEMA_VERSION, STATELESS_VERSION, SchemaValidator, Schemas, result_definition, schema, schema_dir, schema_for,
    stateless_result_definition, stateless_schema,
};
