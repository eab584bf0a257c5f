//! Argument completion: the client asks what a prompt's argument could be,
//! given what the user has typed so far. Run it with
//! `cargo run -p mcpwire-server --example completion`.

use mcpwire_server::prelude::*;
use mcpwire_server::protocol::types::{CompleteResult, Reference};
use mcpwire_server::schemars;

const LANGUAGES: [&str; 6] = ["c", "go", "haskell", "python", "rust", "typescript"];

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Explain {
    /// The programming language.
    language: String,
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let explain = PromptRoute::typed(Prompt::new("explain", "Explains a language"), |args: Explain, _ctx| async move {
        Ok(format!("Explain {} to a newcomer.", args.language))
    });
    let server = Server::builder("languages", "1.0.0")
        .prompt(explain)
        // One handler completes every prompt argument and template variable;
        // the request names which.
        .completion(|params, _ctx| async move {
            let for_language = matches!(&params.reference, Reference::Prompt(p) if p.name == "explain")
                && params.argument.name == "language";
            let values = match for_language {
                true => LANGUAGES
                    .iter()
                    .filter(|l| l.starts_with(&params.argument.value))
                    .map(|l| (*l).to_owned())
                    .collect(),
                false => Vec::new(),
            };
            Ok(CompleteResult::values(values))
        })
        .build();
    server.serve_stdio(std::future::pending()).await
}
