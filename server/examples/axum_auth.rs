//! MCP inside an axum application, behind OAuth bearer tokens: the endpoint
//! is mounted at `/mcp` beside the application's own `/health` route, and
//! every MCP request must carry a token the server's validator accepts. A
//! client without one gets 401 and, in `WWW-Authenticate`, where the
//! protected resource metadata is (RFC 9728); the metadata names the
//! authorization server to get a token from. A tool reads who is calling
//! from the request context. Run it with
//! `cargo run -p mcpwire-server --example axum_auth -- 127.0.0.1:8080`
//! (port 0, the default, picks a free one), then call it with
//! `Authorization: Bearer ada-token`.
//!
//! The validator here is a table of two demonstration tokens. A real one
//! verifies a JWT's signature against its issuer's keys (or asks the issuer,
//! RFC 7662), its expiry, and that its audience is this server's URI.

use axum::Router;
use axum::routing::get;
use mcpwire_server::prelude::*;
use mcpwire_server::{AuthConfig, Principal, TokenRejection};

/// Checks a bearer token. A closure or `async fn` from the token to a
/// principal is all a validator needs to be.
async fn validate(token: String) -> Result<Principal, TokenRejection> {
    match token.as_str() {
        "ada-token" => {
            Ok(Principal { subject: "ada".into(), scopes: vec!["mcp:tools".into()], ..Principal::default() })
        }
        // A valid token that was not granted the scope this server requires: 403.
        "guest-token" => Ok(Principal { subject: "guest".into(), ..Principal::default() }),
        _ => Err(TokenRejection::InvalidToken("unknown or expired token".into())),
    }
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let address = std::env::args().nth(1).unwrap_or_else(|| "127.0.0.1:0".to_owned());
    let whoami = ToolRoute::new(Tool::new("whoami", "Says who is calling"), |ctx| async move {
        // The token check left the caller in the HTTP request's extensions.
        let caller = ctx.http().and_then(|http| http.extensions.get::<Principal>());
        Ok(caller.map_or_else(|| "nobody".to_owned(), |p| format!("{} ({})", p.subject, p.scopes.join(" "))))
    });
    let server = Server::builder("axum-auth", "1.0.0").tool(whoami).build();

    let listener = tokio::net::TcpListener::bind(&address).await?;
    let local = listener.local_addr()?;
    // The URI clients call this server by: tokens must be issued for it.
    let resource = format!("http://{local}/mcp");
    let auth = AuthConfig {
        scopes_supported: vec!["mcp:tools".into()],
        required_scopes: vec!["mcp:tools".into()],
        ..AuthConfig::new(&resource, ["https://auth.example.com"], validate)?
    };
    let metadata = auth.metadata_service();
    let metadata_path = auth.metadata_path();
    let mcp = server.http_service(HttpConfig { auth: Some(auth), ..HttpConfig::default() });

    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route_service("/mcp", mcp.clone())
        .route_service(&metadata_path, metadata);
    eprintln!("serving MCP at {resource}, its metadata at http://{local}{metadata_path}");
    let shutdown = async move {
        let _ = tokio::signal::ctrl_c().await;
        // Open MCP streams end now, so the graceful shutdown can finish.
        mcp.shutdown();
    };
    axum::serve(listener, app).with_graceful_shutdown(shutdown).await?;
    Ok(())
}
