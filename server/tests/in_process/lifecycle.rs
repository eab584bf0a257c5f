//! The MCP lifecycle: `initialize`, version negotiation, capabilities, and
//! what is allowed before and after it.

use mcpwire_protocol::types::Tool;
use mcpwire_server::{HandlerError, Server, ToolRoute};
use serde_json::json;

use crate::support::{Client, LATEST, sample_server};

in_both_runtimes![
    initialize_echoes_every_supported_version,
    initialize_with_an_unknown_version_offers_the_latest,
    capabilities_follow_what_is_registered,
    requests_before_initialize_are_invalid_but_ping_works,
    requests_after_the_initialize_response_need_not_wait_for_initialized,
    second_initialize_is_invalid,
    ping_result_is_an_empty_object_and_so_is_set_level,
    batch_is_rejected_unless_2025_03_26_was_negotiated,
    batch_with_2025_03_26_gets_one_array_answer,
    batch_of_notifications_gets_no_answer,
];

async fn initialize_echoes_every_supported_version() {
    let server = sample_server();
    for version in ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"] {
        let mut client = Client::connect(&server);
        let result = client.initialize(version, json!({})).await;
        assert_eq!(result["protocolVersion"], version);
        assert_eq!(result["serverInfo"], json!({"name": "sample", "version": "1.2.3"}));
    }
}

async fn initialize_with_an_unknown_version_offers_the_latest() {
    let mut client = Client::connect(&sample_server());
    assert_eq!(client.initialize("1999-01-01", json!({})).await["protocolVersion"], LATEST);
    let mut client = Client::connect(&sample_server());
    assert_eq!(client.initialize("2026-07-28", json!({})).await["protocolVersion"], LATEST);
}

async fn capabilities_follow_what_is_registered() {
    let mut client = Client::connect(&sample_server());
    let capabilities = client.initialize(LATEST, json!({})).await["capabilities"].clone();
    assert_eq!(
        capabilities,
        json!({
            "tools": {"listChanged": true},
            "resources": {"subscribe": true, "listChanged": true},
            "prompts": {"listChanged": true},
            "logging": {}
        })
    );

    let tools_only = Server::builder("t", "1")
        .tool(ToolRoute::raw(Tool::new("x", "x"), |_a, _c| async { Ok::<_, HandlerError>("x") }))
        .completion(|_p, _c| async { Ok(Default::default()) })
        .build();
    let mut client = Client::connect(&tools_only);
    let capabilities = client.initialize(LATEST, json!({})).await["capabilities"].clone();
    assert_eq!(capabilities, json!({"tools": {"listChanged": true}, "logging": {}, "completions": {}}));
}

async fn requests_before_initialize_are_invalid_but_ping_works() {
    let mut client = Client::connect(&sample_server());
    let error = client.request(1, "tools/list", None).await.unwrap_err();
    assert_eq!(error["code"], -32600);
    assert_eq!(client.request(2, "ping", None).await.unwrap(), json!({}));
}

async fn requests_after_the_initialize_response_need_not_wait_for_initialized() {
    let mut client = Client::connect(&sample_server());
    client.initialize(LATEST, json!({})).await;
    let tools = client.request(1, "tools/list", None).await.unwrap();
    assert_eq!(tools["tools"][0]["name"], "echo");
}

async fn second_initialize_is_invalid() {
    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    let params =
        json!({"protocolVersion": LATEST, "capabilities": {}, "clientInfo": {"name": "again", "version": "1"}});
    let error = client.request(2, "initialize", Some(params)).await.unwrap_err();
    assert_eq!(error["code"], -32600);
}

async fn ping_result_is_an_empty_object_and_so_is_set_level() {
    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    assert_eq!(client.request(1, "ping", None).await.unwrap(), json!({}));
    let result = client.request(2, "logging/setLevel", Some(json!({"level": "debug"}))).await.unwrap();
    assert_eq!(result, json!({}));
}

async fn batch_is_rejected_unless_2025_03_26_was_negotiated() {
    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    client.send_raw(b"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]\n").await;
    let answer = client.next().await;
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    assert_eq!(answer["id"], json!(null));
}

async fn batch_with_2025_03_26_gets_one_array_answer() {
    let mut client = Client::initialized(&sample_server(), "2025-03-26", json!({})).await;
    let batch = json!([
        {"jsonrpc": "2.0", "id": 1, "method": "ping"},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "echo", "arguments": {"text": "b"}}},
        {"jsonrpc": "2.0", "id": 3, "method": "no/such/method"}
    ]);
    client.send(batch).await;
    let answer = client.next().await;
    let answers = answer.as_array().expect("a batch is answered with an array");
    assert_eq!(answers.len(), 3, "one answer per request, none for the notification: {answer}");
    let by_id = |id: i64| answers.iter().find(|a| a["id"] == id).unwrap().clone();
    assert_eq!(by_id(1)["result"], json!({}));
    assert_eq!(by_id(2)["result"]["content"][0]["text"], "b");
    assert_eq!(by_id(3)["error"]["code"], -32601);
}

async fn batch_of_notifications_gets_no_answer() {
    let mut client = Client::initialized(&sample_server(), "2025-03-26", json!({})).await;
    client.send(json!([{"jsonrpc": "2.0", "method": "notifications/initialized"}])).await;
    assert!(client.drain().await.is_empty());
}
