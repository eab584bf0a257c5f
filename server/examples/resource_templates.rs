//! Resources at a URI template: `notes://{id}` serves every note, and
//! `notes://index` lists them. Run it with
//! `cargo run -p mcpwire-server --example resource_templates`.

use std::collections::BTreeMap;

use mcpwire_server::prelude::*;

/// The notes this server serves; a real one would read a store.
fn notes() -> BTreeMap<&'static str, &'static str> {
    BTreeMap::from([("1", "Buy milk."), ("2", "Call Ada about the engine.")])
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let note =
        ResourceTemplateRoute::new(ResourceTemplate::new("notes://{id}", "note"), |uri, variables, _ctx| async move {
            let id = variables.get("id").map(String::as_str).unwrap_or_default();
            match notes().get(id) {
                Some(text) => Ok(ResourceContents::text(uri, "text/plain", *text)),
                // The client gets MCP's "resource not found", with the URI.
                None => Err(HandlerError::resource_not_found(&uri)),
            }
        });
    let index = ResourceRoute::new(Resource::new("notes://index", "All notes"), |uri, _ctx| async move {
        let list: Vec<String> = notes().keys().map(|id| format!("notes://{id}")).collect();
        Ok(ResourceContents::text(uri, "text/plain", list.join("\n")))
    });
    let server = Server::builder("notes", "1.0.0").resource_template(note).resource(index).build();
    server.serve_stdio(std::future::pending()).await
}
