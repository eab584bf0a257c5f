//! A long tool that reports progress and stops when the client cancels it.
//! Run it with `cargo run -p mcpwire-server --example progress_and_cancellation`.
//!
//! Progress goes out only when the client asked for it (a `progressToken`
//! in the call's `_meta`), echoing its token. Cancelling (the client's
//! `notifications/cancelled`, or, over Streamable HTTP at 2026-07-28, closing
//! the response) drops the handler's future at its next `.await`, so a loop
//! like this one needs nothing more; work the handler hands to another task
//! or thread watches `ctx.cancellation()`.

use std::time::Duration;

use mcpwire_server::prelude::*;
use mcpwire_server::schemars;

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct CountTo {
    /// How far to count, one step every ten milliseconds.
    to: u32,
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let count = ToolRoute::typed(
        Tool::new("count_to", "Counts slowly, reporting each step"),
        |args: CountTo, ctx| async move {
            let total = f64::from(args.to);
            for step in 1..=args.to {
                tokio::time::sleep(Duration::from_millis(10)).await;
                ctx.progress(f64::from(step), Some(total), Some(format!("counted to {step}"))).await?;
            }
            // A helper thread must be told: it does not stop when the future is dropped.
            let token = ctx.cancellation().clone();
            let checked = tokio::task::spawn_blocking(move || if token.is_cancelled() { "cancelled" } else { "done" });
            Ok(checked.await.map_err(|e| HandlerError::new(e.to_string()))?.to_owned())
        },
    );
    Server::builder("counter", "1.0.0").tool(count).build().serve_stdio(std::future::pending()).await
}
