//! A prompt with typed arguments: its argument list is derived from a
//! struct, as a tool's input schema is. Run it with
//! `cargo run -p mcpwire-server --example prompts`.

use mcpwire_server::prelude::*;
use mcpwire_server::schemars;

/// Prompt arguments are strings; an `Option` is an optional argument.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Review {
    /// The code to review.
    code: String,
    /// What to look for; bugs if not given.
    focus: Option<String>,
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let review = PromptRoute::typed(Prompt::new("review", "Asks for a code review"), |args: Review, _ctx| async move {
        let focus = args.focus.as_deref().unwrap_or("bugs");
        Ok(format!("Please review this code, looking for {focus}:\n\n{}", args.code))
    });
    Server::builder("reviewer", "1.0.0").prompt(review).build().serve_stdio(std::future::pending()).await
}
