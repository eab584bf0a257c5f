//! Support for the end-to-end tests that drive the real `mcpwire` binary over
//! stdio: checking every line it writes against the official MCP schema.
#![warn(missing_docs)]

mod schema;

pub use schema::{SCHEMA_VERSION, SchemaValidator, result_definition, schema, schema_dir};
