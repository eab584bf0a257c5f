//! `cargo xtask bench`: measures mcpwire against the floor and the official SDKs.

use anyhow::{Result, bail};

pub(crate) fn run(quick: bool) -> Result<()> {
    bail!("the benchmark harness is not written yet (quick = {quick})")
}
