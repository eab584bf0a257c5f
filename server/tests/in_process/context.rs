//! What a handler can do through its `RequestContext`: read its request,
//! report progress, log, and ask the client things.

use mcpwire_protocol::types::{
    CreateMessageRequestParams, ElicitRequestParams, LoggingLevel, SamplingMessage, Tool, ToolChoice,
};
use mcpwire_server::{HandlerError, RequestContext, Server, ToolRoute};
use serde_json::{Value, json};

use crate::support::{Client, LATEST};

in_both_runtimes![
    handler_sees_its_request_id_and_meta,
    progress_echoes_a_numeric_token_as_a_number_before_the_result,
    progress_echoes_a_string_token_as_a_string,
    no_progress_is_sent_without_a_token,
    log_messages_honour_the_level_the_client_set,
    elicitation_goes_to_a_client_that_declared_it_and_comes_back,
    an_error_reply_from_the_client_reaches_the_handler,
    elicitation_is_refused_without_the_capability_and_nothing_is_sent,
    url_elicitation_needs_the_url_capability,
    elicitation_is_refused_in_a_revision_without_it,
    sampling_with_tools_needs_sampling_tools,
    roots_are_asked_only_of_a_client_with_roots,
];

fn tool<F, Fut>(name: &str, handler: F) -> ToolRoute
where
    F: Fn(RequestContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, HandlerError>> + Send + 'static,
{
    ToolRoute::raw(Tool::new(name, name), move |_args, ctx| handler(ctx))
}

fn server() -> Server {
    Server::builder("ctx", "1")
        .tool(tool("whoami", |ctx| async move {
            let meta = ctx.meta().and_then(|m| m.get("com.example/tag")).cloned().unwrap_or(Value::Null);
            Ok(format!("{} {meta}", ctx.request_id()))
        }))
        .tool(tool("progress", |ctx| async move {
            for step in [1.0, 2.0, 3.0] {
                ctx.progress(step, Some(3.0), Some(format!("step {step}"))).await?;
            }
            Ok("done".into())
        }))
        .tool(tool("log", |ctx| async move {
            for level in [LoggingLevel::Debug, LoggingLevel::Info, LoggingLevel::Error] {
                ctx.log(level, json!({"at": level})).await?;
            }
            Ok("logged".into())
        }))
        .tool(tool("elicit_form", |ctx| async move {
            let params: ElicitRequestParams = serde_json::from_value(json!({
                "message": "Name?",
                "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}}
            }))
            .unwrap();
            let result = ctx.elicit(params).await?;
            Ok(serde_json::to_string(&result).unwrap())
        }))
        .tool(tool("elicit_url", |ctx| async move {
            let params: ElicitRequestParams = serde_json::from_value(json!({
                "mode": "url", "message": "Sign in", "url": "https://example.com/login", "elicitationId": "e1"
            }))
            .unwrap();
            let result = ctx.elicit(params).await?;
            Ok(serde_json::to_string(&result).unwrap())
        }))
        .tool(tool("sample_with_tools", |ctx| async move {
            let params = CreateMessageRequestParams {
                messages: vec![
                    serde_json::from_value::<SamplingMessage>(
                        json!({"role": "user", "content": {"type": "text", "text": "hi"}}),
                    )
                    .unwrap(),
                ],
                max_tokens: 10,
                tools: Some(vec![Tool::new("lookup", "Looks things up")]),
                tool_choice: Some(ToolChoice::default()),
                ..Default::default()
            };
            let result = ctx.create_message(params).await?;
            Ok(result.model)
        }))
        .tool(tool("roots", |ctx| async move {
            let roots = ctx.list_roots().await?;
            Ok(roots.roots.iter().map(|r| r.uri.as_str()).collect::<Vec<_>>().join(","))
        }))
        .build()
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_else(|| panic!("no text in {result}"))
}

async fn handler_sees_its_request_id_and_meta() {
    let mut client = Client::initialized(&server(), LATEST, json!({})).await;
    let params = json!({"name": "whoami", "_meta": {"com.example/tag": [1, 2]}});
    let result = client.request("abc", "tools/call", Some(params)).await.unwrap();
    assert_eq!(text(&result), r#""abc" [1,2]"#);
}

async fn progress_echoes_a_numeric_token_as_a_number_before_the_result() {
    let mut client = Client::initialized(&server(), LATEST, json!({})).await;
    client.start_request(7, "tools/call", Some(json!({"name": "progress", "_meta": {"progressToken": 7}}))).await;
    let mut seen = Vec::new();
    loop {
        let message = client.next().await;
        if message["id"] == 7 {
            break;
        }
        assert_eq!(message["method"], "notifications/progress");
        assert_eq!(message["params"]["progressToken"], json!(7), "a number stays a number");
        seen.push(message["params"]["progress"].as_f64().unwrap());
    }
    assert_eq!(seen, [1.0, 2.0, 3.0]);
}

async fn progress_echoes_a_string_token_as_a_string() {
    let mut client = Client::initialized(&server(), LATEST, json!({})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "progress", "_meta": {"progressToken": "7"}}))).await;
    let progress = client.notification("notifications/progress").await;
    assert_eq!(progress["params"]["progressToken"], json!("7"));
    assert_eq!(progress["params"]["message"], "step 1");
}

async fn no_progress_is_sent_without_a_token() {
    let mut client = Client::initialized(&server(), LATEST, json!({})).await;
    client.request(1, "tools/call", Some(json!({"name": "progress"}))).await.unwrap();
    assert!(client.drain().await.is_empty());
}

async fn log_messages_honour_the_level_the_client_set() {
    let mut client = Client::initialized(&server(), LATEST, json!({})).await;
    client.request(1, "tools/call", Some(json!({"name": "log"}))).await.unwrap();
    let levels =
        |messages: Vec<Value>| -> Vec<Value> { messages.iter().map(|m| m["params"]["level"].clone()).collect() };
    assert_eq!(levels(client.drain().await), [json!("debug"), json!("info"), json!("error")], "no level set: all");

    client.request(2, "logging/setLevel", Some(json!({"level": "info"}))).await.unwrap();
    client.request(3, "tools/call", Some(json!({"name": "log"}))).await.unwrap();
    assert_eq!(levels(client.drain().await), [json!("info"), json!("error")]);

    client.request(4, "logging/setLevel", Some(json!({"level": "emergency"}))).await.unwrap();
    client.request(5, "tools/call", Some(json!({"name": "log"}))).await.unwrap();
    assert!(client.drain().await.is_empty());
}

async fn elicitation_goes_to_a_client_that_declared_it_and_comes_back() {
    let mut client = Client::initialized(&server(), LATEST, json!({"elicitation": {}})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "elicit_form"}))).await;
    let request = client.server_request("elicitation/create").await;
    assert_eq!(request["params"]["message"], "Name?");
    assert_eq!(request["params"]["requestedSchema"]["properties"]["name"]["type"], "string");
    client.answer(&request["id"], json!({"action": "accept", "content": {"name": "Ada"}})).await;
    let result = client.response(&json!(1)).await.unwrap();
    assert_eq!(
        serde_json::from_str::<Value>(text(&result)).unwrap(),
        json!({"action": "accept", "content": {"name": "Ada"}})
    );
}

async fn an_error_reply_from_the_client_reaches_the_handler() {
    let mut client = Client::initialized(&server(), LATEST, json!({"elicitation": {}})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "elicit_form"}))).await;
    let request = client.server_request("elicitation/create").await;
    client
        .send(json!({"jsonrpc": "2.0", "id": request["id"], "error": {"code": -1, "message": "user went away"}}))
        .await;
    let result = client.response(&json!(1)).await.unwrap();
    assert_eq!(result["isError"], true);
    assert!(text(&result).contains("user went away"), "{result}");
}

async fn elicitation_is_refused_without_the_capability_and_nothing_is_sent() {
    let mut client = Client::initialized(&server(), LATEST, json!({})).await;
    let result = client.request(1, "tools/call", Some(json!({"name": "elicit_form"}))).await.unwrap();
    assert_eq!(result["isError"], true);
    assert!(text(&result).contains("elicitation"), "{result}");
    assert!(client.drain().await.is_empty(), "no request reached the client");
}

async fn url_elicitation_needs_the_url_capability() {
    let mut client = Client::initialized(&server(), LATEST, json!({"elicitation": {"form": {}}})).await;
    let result = client.request(1, "tools/call", Some(json!({"name": "elicit_url"}))).await.unwrap();
    assert!(text(&result).contains("elicitation.url"), "{result}");

    let mut client = Client::initialized(&server(), LATEST, json!({"elicitation": {"url": {}}})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "elicit_url"}))).await;
    let request = client.server_request("elicitation/create").await;
    assert_eq!(request["params"]["mode"], "url");
    assert_eq!(request["params"]["elicitationId"], "e1");
    client.answer(&request["id"], json!({"action": "decline"})).await;
    let result = client.response(&json!(1)).await.unwrap();
    assert_eq!(text(&result), r#"{"action":"decline"}"#);
}

async fn elicitation_is_refused_in_a_revision_without_it() {
    let mut client = Client::initialized(&server(), "2025-03-26", json!({"elicitation": {}})).await;
    let result = client.request(1, "tools/call", Some(json!({"name": "elicit_form"}))).await.unwrap();
    assert!(text(&result).contains("2025-03-26"), "{result}");
}

async fn sampling_with_tools_needs_sampling_tools() {
    let mut client = Client::initialized(&server(), LATEST, json!({"sampling": {}})).await;
    let result = client.request(1, "tools/call", Some(json!({"name": "sample_with_tools"}))).await.unwrap();
    assert!(text(&result).contains("sampling.tools"), "{result}");

    let mut client = Client::initialized(&server(), LATEST, json!({"sampling": {"tools": {}}})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "sample_with_tools"}))).await;
    let request = client.server_request("sampling/createMessage").await;
    assert_eq!(request["params"]["tools"][0]["name"], "lookup");
    let reply = json!({"role": "assistant", "content": {"type": "text", "text": "ok"}, "model": "m-1"});
    client.answer(&request["id"], reply).await;
    assert_eq!(text(&client.response(&json!(1)).await.unwrap()), "m-1");
}

async fn roots_are_asked_only_of_a_client_with_roots() {
    let mut client = Client::initialized(&server(), LATEST, json!({})).await;
    let result = client.request(1, "tools/call", Some(json!({"name": "roots"}))).await.unwrap();
    assert!(text(&result).contains("roots"), "{result}");

    let mut client = Client::initialized(&server(), LATEST, json!({"roots": {"listChanged": true}})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "roots"}))).await;
    let request = client.server_request("roots/list").await;
    client.answer(&request["id"], json!({"roots": [{"uri": "file:///a"}, {"uri": "file:///b"}]})).await;
    assert_eq!(text(&client.response(&json!(1)).await.unwrap()), "file:///a,file:///b");
}
