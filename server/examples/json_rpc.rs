//! A plain JSON-RPC 2.0 server: custom methods, no MCP lifecycle, over
//! newline-delimited JSON on stdio, built from the same pieces as an MCP
//! server (cancellation, overload and shutdown included). Run it with
//! `cargo run -p mcpwire-server --example json_rpc`, then send
//! `{"jsonrpc":"2.0","id":1,"method":"math/add","params":{"a":2,"b":3}}`.

use mcpwire_server::Server;
use mcpwire_server::protocol::RequestMethod;

/// `math/add`: a method is a marker type naming its params and result.
enum Add {}

#[derive(serde::Serialize, serde::Deserialize)]
struct Operands {
    a: i64,
    b: i64,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct Sum {
    sum: i64,
}

impl RequestMethod for Add {
    const METHOD: &'static str = "math/add";
    type Params = Operands;
    type Result = Sum;
}

#[tokio::main]
async fn main() -> Result<(), mcpwire_server::Error> {
    let server = Server::json_rpc("calculator", "1.0.0")
        .method::<Add, _, _>(|operands, _ctx| async move { Ok(Sum { sum: operands.a + operands.b }) })
        .build();
    server.serve_stdio(std::future::pending()).await
}
