//! Serving Streamable HTTP, with state every handler shares. Run it with
//! `cargo run -p mcpwire-server --example http_server -- 127.0.0.1:8080`
//! (port 0, the default, picks a free one); the endpoint is
//! `http://ADDRESS/mcp`, for both eras of MCP: sessions for clients that
//! send `initialize`, stateless POSTs for 2026-07-28 clients.

use std::sync::atomic::{AtomicU64, Ordering};

use mcpwire_server::prelude::*;

/// Shared by every handler, given once to the builder.
#[derive(Default)]
struct Visits(AtomicU64);

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let visit = ToolRoute::new(Tool::new("visit", "Counts the visits so far"), |ctx| async move {
        let visits = ctx.state::<Visits>().0.fetch_add(1, Ordering::Relaxed) + 1;
        Ok(format!("visit number {visits}"))
    });
    let server = Server::builder("visits", "1.0.0").state(Visits::default()).tool(visit).build();
    let listener = tokio::net::TcpListener::bind(&address).await?;
    eprintln!("serving MCP at http://{}/mcp", listener.local_addr()?);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    server.serve_http(listener, HttpConfig::default(), shutdown).await
}
