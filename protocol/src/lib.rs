//! Wire types for JSON-RPC 2.0 and the Model Context Protocol: plain data, no I/O,
//! no async.
//!
//! `mcpwire-protocol` models every dated MCP revision (2024-11-05 to 2026-07-28)
//! as the official schemas do, and makes the common mistakes hard to write: a
//! method name lives next to its params and result types ([`RequestMethod`]), an
//! id keeps its JSON type ([`RequestId`]), `_meta` is kept wherever the schema
//! has it, and params stay raw until a handler asks for a type. Bytes, sockets
//! and tasks belong to `mcpwire-transport`; handlers and the lifecycle to
//! `mcpwire-server`.
//!
//! Parse one JSON-RPC line into a typed MCP request:
//!
//! ```
//! use mcpwire_protocol::{ClientRequest, Message, RequestEnum};
//!
//! let line = br#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{"text":"hi"}}}"#;
//! let Message::Request(request) = Message::from_slice(line)? else { unreachable!() };
//! match ClientRequest::from_parts(&request.method, request.params.as_deref())? {
//!     ClientRequest::CallTool(call) => assert_eq!(call.name, "echo"),
//!     other => panic!("unexpected {}", other.method()),
//! }
//! # Ok::<(), mcpwire_protocol::Error>(())
//! ```
//!
//! A frontend with its own JSON-RPC protocol implements [`RequestEnum`] and
//! [`NotificationEnum`] for its own enums and reuses everything else.
#![warn(missing_docs)]

mod dispatch;
mod error;
mod jsonrpc;
pub mod meta;
mod method;
mod methods;
pub mod types;
mod version;

pub use dispatch::{ClientExtensionRequest, ClientNotification, ClientRequest, ServerNotification, ServerRequest};
pub use error::{Error, ErrorCode, ErrorObject};
pub use jsonrpc::{
    Decoded, ErrorResponse, Message, Notification, RawJson, Request, RequestId, Response, TwoPointZero, decode,
};
pub use meta::{EmptyParams, EmptyResult, Meta, ProgressToken, WithMeta};
pub use method::{NotificationEnum, NotificationMethod, RequestEnum, RequestMethod, parse_params, to_raw_params};
pub use methods::*;
pub use version::{ProtocolVersion, UnknownVersion};
