//! Asking the user something mid-call, the same code for both eras of MCP.
//! Run it with `cargo run -p mcpwire-server --example elicitation`.
//!
//! In a session (a client that sent `initialize`) the question is an
//! `elicitation/create` request, and the handler waits for the answer. In a
//! stateless 2026-07-28 request the question ends the round: the client
//! gets an input-required result, asks the user, and sends the call again
//! with the answer; the handler runs again from the start and this time gets
//! the answer at once. So what the handler does before asking must be safe
//! to do twice; the booking happens only after the last answer.

use mcpwire_server::prelude::*;
use mcpwire_server::protocol::types::{ElicitAction, ElicitRequestParams, ElicitValue};
use mcpwire_server::schemars;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Book {
    /// The restaurant.
    restaurant: String,
}

/// A one-field form asking for the party size.
fn party_size_form(restaurant: &str) -> ElicitRequestParams {
    let form = mcpwire_server::serde_json::json!({
        "message": format!("How many people for {restaurant}?"),
        "requestedSchema": {"type": "object", "properties": {"people": {"type": "integer"}}, "required": ["people"]}
    });
    mcpwire_server::serde_json::from_value(form).expect("a valid form")
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let book = ToolRoute::typed(
        Tool::new("book_table", "Books a table, asking for the party size"),
        |args: Book, ctx| async move {
            // Named, so the answer in the retry finds its question.
            let answer = ctx.ask("party_size").elicit(party_size_form(&args.restaurant)).await?;
            let people = match (answer.action, answer.content.as_ref().and_then(|c| c.get("people"))) {
                (ElicitAction::Accept, Some(ElicitValue::Number(people))) => people.to_string(),
                _ => return Ok("Nothing booked.".to_owned()),
            };
            Ok(format!("Booked {} for {people}.", args.restaurant))
        },
    );
    Server::builder("bookings", "1.0.0").tool(book).build().serve_stdio(std::future::pending()).await
}
