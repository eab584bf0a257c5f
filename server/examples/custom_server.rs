//! A complete MCP server in about twenty lines: one typed tool and one
//! resource, served over stdio. Its whole dependency list is
//! `mcpwire-server`, `tokio` and `serde`. Run it with
//! `cargo run -p mcpwire-server --example custom_server`.

use mcpwire_server::prelude::*;
use mcpwire_server::schemars;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Greet {
    /// Who to greet.
    name: String,
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let greet = ToolRoute::typed(Tool::new("greet", "Greets someone by name"), |args: Greet, _ctx| async move {
        Ok(format!("Hello, {}!", args.name))
    });
    let motd = ResourceRoute::new(Resource::new("memo://motd", "Message of the day"), |uri, _ctx| async move {
        Ok(ResourceContents::text(uri, "text/plain", "Be kind to your peers."))
    });
    let server = Server::builder("greeter", "1.0.0").tool(greet).resource(motd).build();
    server.serve_stdio(std::future::pending()).await
}
