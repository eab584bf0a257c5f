//! MCP data types, one module per area of the specification.
//!
//! Names follow the official schema (`CallToolRequestParams`, `CallToolResult`).
//! Optional members are `Option`s that stay absent when unset, `_meta` is kept
//! wherever the schema has it, and unknown members from newer peers are ignored.

mod logging;
mod utilities;

pub use logging::*;
pub use utilities::*;
