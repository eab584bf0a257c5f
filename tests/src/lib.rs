//! Support for the end-to-end tests that drive the real `mcpwire` binary.
