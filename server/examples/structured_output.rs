//! A typed tool whose result is structured: the client gets the value as
//! `structuredContent` (and as JSON text, for clients that predate it), and
//! the tool's `outputSchema` is derived from the result type. Run it with
//! `cargo run -p mcpwire-server --example structured_output`.

use mcpwire_server::prelude::*;
use mcpwire_server::schemars;

/// What the tool takes; the doc comments become the schema's descriptions.
#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Divide {
    /// The number to divide.
    dividend: i64,
    /// What to divide it by; not zero.
    divisor: i64,
}

/// What the tool answers.
#[derive(serde::Serialize, schemars::JsonSchema)]
struct Division {
    quotient: i64,
    remainder: i64,
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let divide =
        ToolRoute::typed(Tool::new("divide", "Integer division with remainder"), |args: Divide, _ctx| async move {
            if args.divisor == 0 {
                // A plain failure is an `isError` result the model can read.
                return Err(HandlerError::new("cannot divide by zero"));
            }
            Ok(Structured(Division { quotient: args.dividend / args.divisor, remainder: args.dividend % args.divisor }))
        });
    Server::builder("calculator", "1.0.0").tool(divide).build().serve_stdio(std::future::pending()).await
}
