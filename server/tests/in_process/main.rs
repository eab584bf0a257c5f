//! In-process tests of the server: one per behaviour, over the in-memory
//! transport, so each runs the real processor and transport in milliseconds.
//! One test binary with modules links once instead of once per file.

mod context;
mod handlers;
mod lifecycle;
mod robustness;
mod support;
