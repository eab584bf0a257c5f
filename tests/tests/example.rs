//! The README's custom server (`server/examples/custom_server.rs`), driven over
//! stdio: what the README promises must be what it does.

use mcpwire_tests::{McpProcess, custom_server_example};
use serde_json::json;

#[test]
fn the_readme_example_serves_its_typed_tool_and_its_resource() {
    let mut server = McpProcess::spawn_program(custom_server_example());
    let init = server.initialize(json!({}));
    assert_eq!(init["serverInfo"], json!({"name": "greeter", "version": "1.0.0"}));

    let tools = server.call_ok("tools/list", json!({}));
    let greet = &tools["tools"][0];
    assert_eq!(greet["name"], "greet");
    assert_eq!(greet["inputSchema"]["properties"]["name"]["type"], "string", "derived from the argument type");
    assert_eq!(greet["inputSchema"]["required"], json!(["name"]));

    let result = server.call_tool("greet", json!({"name": "Ada"}));
    assert_eq!(result["content"][0]["text"], "Hello, Ada!");
    let result = server.call_tool("greet", json!({}));
    assert_eq!(result["isError"], true, "arguments that do not fit are a tool error: {result}");

    let read = server.call_ok("resources/read", json!({"uri": "memo://motd"}));
    assert_eq!(read["contents"][0]["text"], "Be kind to your peers.");

    server.close_stdin();
    let (status, elapsed) = server.wait_exit(std::time::Duration::from_secs(2));
    assert!(status.success(), "exit status {status} after {elapsed:?}");
}
