//! The stateless era (2026-07-28) through the library's API: requests served
//! from their `_meta`, handlers whose questions end a round and run again on
//! the retry, the capability and log-level rules, and listen streams.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mcpwire_protocol::types::{ElicitRequestParams, ElicitValue, LoggingLevel, Tool};
use mcpwire_server::{HandlerError, RequestContext, Server, ServerConfig, ToolRoute};
use serde_json::{Value, json};

use crate::support::{Client, LATEST};

in_both_runtimes![
    a_stateless_request_needs_no_initialize_and_names_the_server,
    a_question_ends_the_round_and_the_retry_runs_the_handler_again_with_the_answer,
    a_question_asked_from_a_task_the_handler_spawned_still_ends_the_round,
    a_missing_capability_is_minus_32021_statelessly_and_a_tool_error_in_a_session,
    logs_go_out_only_at_the_level_the_request_asked_for,
    one_connection_serves_a_session_and_stateless_requests_side_by_side,
    a_listen_stream_ends_with_its_result_when_the_connection_winds_down,
    only_tools_resources_and_prompts_may_ask_the_client,
    a_repeated_meta_is_served_like_the_first_and_a_changed_one_is_read_again,
    a_remembered_meta_is_split_off_only_where_it_is_the_params_own,
];

fn meta(capabilities: &Value) -> Value {
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": capabilities,
    })
}

fn form(message: &str) -> ElicitRequestParams {
    serde_json::from_value(json!({
        "message": message,
        "requestedSchema": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]}
    }))
    .unwrap()
}

fn tool<F, Fut>(name: &str, handler: F) -> ToolRoute
where
    F: Fn(RequestContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, HandlerError>> + Send + 'static,
{
    ToolRoute::raw(Tool::new(name, name), move |_args, ctx| handler(ctx))
}

fn text(result: &Value) -> &str {
    result["content"][0]["text"].as_str().unwrap_or_default()
}

async fn a_stateless_request_needs_no_initialize_and_names_the_server() {
    let server = Server::builder("stateless", "2.0.0").tool(tool("hi", |_ctx| async { Ok("hi".into()) })).build();
    let mut client = Client::connect(&server);
    let params = json!({"name": "hi", "_meta": meta(&json!({}))});
    let result = client.request(1, "tools/call", Some(params)).await.unwrap();
    assert_eq!(result["resultType"], "complete");
    assert_eq!(result["_meta"]["io.modelcontextprotocol/serverInfo"]["name"], "stateless");
    assert_eq!(text(&result), "hi");
    let listed = client.request(2, "tools/list", Some(json!({"_meta": meta(&json!({}))}))).await.unwrap();
    assert!(listed["ttlMs"].is_u64() && listed["cacheScope"].is_string(), "{listed}");
}

async fn a_question_ends_the_round_and_the_retry_runs_the_handler_again_with_the_answer() {
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let server = Server::builder("s", "1")
        .tool(tool("greet", move |ctx| {
            counted.fetch_add(1, Ordering::SeqCst);
            async move {
                let answer = ctx.elicit(form("Name?")).await?;
                let name = match answer.content.as_ref().and_then(|c| c.get("name")) {
                    Some(ElicitValue::String(name)) => name.clone(),
                    _ => "?".to_owned(),
                };
                Ok(format!("Hello, {name}!"))
            }
        }))
        .build();
    let mut client = Client::connect(&server);
    let caps = json!({"elicitation": {}});
    let first = client.request(1, "tools/call", Some(json!({"name": "greet", "_meta": meta(&caps)}))).await.unwrap();
    assert_eq!(first["resultType"], "input_required");
    // An unkeyed question is numbered in the order the handler asks.
    assert_eq!(first["inputRequests"]["elicitation-1"]["method"], "elicitation/create");
    let state = first["requestState"].as_str().expect("a requestState").to_owned();
    let retry = json!({
        "name": "greet",
        "_meta": meta(&caps),
        "inputResponses": {"elicitation-1": {"action": "accept", "content": {"name": "Ada"}}},
        "requestState": state,
    });
    let done = client.request(2, "tools/call", Some(retry)).await.unwrap();
    assert_eq!(done["resultType"], "complete", "{done}");
    assert_eq!(text(&done), "Hello, Ada!");
    assert_eq!(runs.load(Ordering::SeqCst), 2, "the handler ran once per round");
}

async fn a_question_asked_from_a_task_the_handler_spawned_still_ends_the_round() {
    let server = Server::builder("s", "1")
        .tool(tool("delegates", |ctx| async move {
            let asked = tokio::spawn(async move { ctx.list_roots().await.map(|r| r.roots.len()) });
            let roots = asked.await.map_err(|e| HandlerError::new(e.to_string()))??;
            Ok(format!("{roots} roots"))
        }))
        .build();
    let mut client = Client::connect(&server);
    let params = json!({"name": "delegates", "_meta": meta(&json!({"roots": {}}))});
    let result = client.request(1, "tools/call", Some(params)).await.unwrap();
    assert_eq!(result["resultType"], "input_required", "{result}");
    assert_eq!(result["inputRequests"]["roots-1"]["method"], "roots/list");
}

async fn a_missing_capability_is_minus_32021_statelessly_and_a_tool_error_in_a_session() {
    let server = Server::builder("s", "1")
        .tool(tool("samples", |ctx| async move {
            let params = serde_json::from_value(json!({"messages": [], "maxTokens": 1})).unwrap();
            ctx.create_message(params).await?;
            Ok("sampled".into())
        }))
        .build();
    let mut client = Client::connect(&server);
    let error = client.request(1, "tools/call", Some(json!({"name": "samples", "_meta": meta(&json!({}))}))).await;
    let error = error.unwrap_err();
    assert_eq!(error["code"], -32021);
    assert_eq!(error["data"]["requiredCapabilities"], json!({"sampling": {}}));
    let mut session = Client::initialized(&server, LATEST, json!({})).await;
    let result = session.request(2, "tools/call", Some(json!({"name": "samples"}))).await.unwrap();
    assert_eq!(result["isError"], true, "{result}");
}

async fn logs_go_out_only_at_the_level_the_request_asked_for() {
    let server = Server::builder("s", "1")
        .tool(tool("logs", |ctx| async move {
            for level in [LoggingLevel::Info, LoggingLevel::Warning] {
                ctx.log(level, json!({"at": level})).await?;
            }
            Ok("logged".into())
        }))
        .build();
    let mut client = Client::connect(&server);
    client.request(1, "tools/call", Some(json!({"name": "logs", "_meta": meta(&json!({}))}))).await.unwrap();
    let mut warnings = meta(&json!({}));
    warnings["io.modelcontextprotocol/logLevel"] = json!("warning");
    client.request(2, "tools/call", Some(json!({"name": "logs", "_meta": warnings}))).await.unwrap();
    let said = client.drain().await;
    let logs: Vec<_> = said.iter().filter(|m| m["method"] == "notifications/message").collect();
    assert_eq!(logs.len(), 1, "none without a level, only the warning with one: {said:?}");
    assert_eq!(logs[0]["params"]["level"], "warning");
}

async fn one_connection_serves_a_session_and_stateless_requests_side_by_side() {
    let server = Server::builder("s", "1")
        .tool(tool("era", |ctx| async move { Ok(if ctx.is_stateless() { "stateless" } else { "session" }.into()) }))
        .build();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    let session = client.request(1, "tools/call", Some(json!({"name": "era"}))).await.unwrap();
    assert_eq!(text(&session), "session");
    assert!(session.get("resultType").is_none(), "a session's result has no resultType: {session}");
    let params = json!({"name": "era", "_meta": meta(&json!({}))});
    let stateless = client.request(2, "tools/call", Some(params)).await.unwrap();
    assert_eq!(text(&stateless), "stateless");
    assert_eq!(client.request(3, "ping", None).await.unwrap(), json!({}));
}

async fn a_listen_stream_ends_with_its_result_when_the_connection_winds_down() {
    let server = Server::builder("s", "1").tool(tool("t", |_ctx| async { Ok("t".into()) })).build();
    let mut client = Client::connect(&server);
    let params = json!({"notifications": {"toolsListChanged": true}, "_meta": meta(&json!({}))});
    client.start_request("listen", "subscriptions/listen", Some(params)).await;
    let ack = client.notification("notifications/subscriptions/acknowledged").await;
    assert_eq!(ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "listen");
    server.notify_tools_changed();
    let changed = client.notification("notifications/tools/list_changed").await;
    assert_eq!(changed["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"], "listen");
    client.shut_down();
    let ended = client.response(&json!("listen")).await.unwrap();
    assert_eq!(ended["resultType"], "complete");
    assert_eq!(ended["_meta"]["io.modelcontextprotocol/subscriptionId"], "listen");
}

async fn only_tools_resources_and_prompts_may_ask_the_client() {
    #[derive(Debug)]
    enum Whoami {}
    impl mcpwire_protocol::RequestMethod for Whoami {
        const METHOD: &'static str = "example/whoami";
        type Params = mcpwire_protocol::EmptyParams;
        type Result = String;
    }
    let server = Server::builder("s", "1")
        .config(ServerConfig::default())
        .method::<Whoami, _, _>(|_params, ctx| async move {
            let roots = ctx.list_roots().await?;
            Ok(format!("{} roots", roots.roots.len()))
        })
        .build();
    let mut client = Client::connect(&server);
    let error =
        client.request(1, "example/whoami", Some(json!({"_meta": meta(&json!({"roots": {}}))}))).await.unwrap_err();
    assert_eq!(error["code"], -32603);
    assert!(error["message"].as_str().unwrap().contains("tools/call, prompts/get and resources/read"), "{error}");
}

/// The processor remembers what the last `_meta` text declared; every
/// change of that text (version, level) must still be read.
async fn a_repeated_meta_is_served_like_the_first_and_a_changed_one_is_read_again() {
    let server = Server::builder("s", "1")
        .tool(tool("logs", |ctx| async move {
            ctx.log(LoggingLevel::Warning, json!("careful")).await?;
            Ok(if ctx.is_stateless() { "stateless" } else { "session" }.into())
        }))
        .build();
    let mut client = Client::connect(&server);
    let call = |id: i64, meta: &Value| (id, json!({"name": "logs", "_meta": meta}));
    let plain = meta(&json!({}));
    for id in 1..=3 {
        let (id, params) = call(id, &plain);
        let result = client.request(id, "tools/call", Some(params)).await.unwrap();
        assert_eq!(text(&result), "stateless");
    }
    let mut warnings = plain.clone();
    warnings["io.modelcontextprotocol/logLevel"] = json!("warning");
    let (id, params) = call(4, &warnings);
    client.request(id, "tools/call", Some(params)).await.unwrap();
    let mut future = plain.clone();
    future["io.modelcontextprotocol/protocolVersion"] = json!("2099-01-01");
    let (id, params) = call(5, &future);
    let error = client.request(id, "tools/call", Some(params)).await.unwrap_err();
    assert_eq!(error["code"], -32022, "{error}");
    let (id, params) = call(6, &plain);
    client.request(id, "tools/call", Some(params)).await.unwrap();
    let error = client.request(7, "ping", Some(json!({"_meta": plain}))).await.unwrap_err();
    assert_eq!(error["code"], -32601, "a removed method, even with a remembered `_meta`: {error}");
    let said = client.drain().await;
    let logs = said.iter().filter(|m| m["method"] == "notifications/message").count();
    assert_eq!(logs, 1, "only the call whose `_meta` asked for warnings logs: {said:?}");
}

/// A `_meta` equal to the remembered one is not read again when it is the
/// first or the last member of the params; wherever it is, the request is
/// served as if it had been read whole (lines written by hand, to place it).
async fn a_remembered_meta_is_split_off_only_where_it_is_the_params_own() {
    let server = Server::builder("s", "1")
        .tool(ToolRoute::raw(Tool::new("args", "args"), |args, ctx| async move {
            let level = if ctx.is_stateless() { "stateless" } else { "session" };
            Ok(format!("{level} {}", Value::Object(args)))
        }))
        .build();
    let mut client = Client::connect(&server);
    let known =
        r#"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#;
    let lines = [
        // Remembered here, then met last, first, in an argument, and twice.
        format!(r#"{{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{{"name":"args","_meta":{known}}}}}"#),
        format!(
            r#"{{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{{"name":"args","arguments":{{"a":1}},"_meta":{known}}}}}"#
        ),
        format!(
            r#"{{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{{"_meta":{known},"arguments":{{"b":2}},"name":"args"}}}}"#
        ),
        format!(
            r#"{{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{{"_meta":{known},"name":"args","arguments":{{"_meta":{known}}}}}}}"#
        ),
        format!(
            r#"{{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{{"_meta":{{}},"name":"args","_meta":{known}}}}}"#
        ),
    ];
    for line in &lines {
        client.send_raw(format!("{line}\n").as_bytes()).await;
    }
    let answers: Vec<_> = [1, 2, 3, 4, 5].into_iter().map(Value::from).collect();
    let mut results = Vec::new();
    for id in &answers {
        results.push(client.response(id).await);
    }
    assert_eq!(text(results[0].as_ref().unwrap()), "stateless {}");
    assert_eq!(text(results[1].as_ref().unwrap()), r#"stateless {"a":1}"#);
    assert_eq!(text(results[2].as_ref().unwrap()), r#"stateless {"b":2}"#);
    let nested: Value = serde_json::from_str(known).unwrap();
    let echoed = text(results[3].as_ref().unwrap()).strip_prefix("stateless ").unwrap();
    assert_eq!(serde_json::from_str::<Value>(echoed).unwrap(), json!({"_meta": nested}));
    // A second `_meta` gets the answer of a connection that remembers
    // nothing, where the params are parsed whole.
    let mut fresh = Client::connect(&server);
    fresh.send_raw(format!("{}\n", lines[4]).as_bytes()).await;
    let whole = fresh.response(&Value::from(5)).await.unwrap_err();
    assert_eq!(results[4].as_ref().unwrap_err(), &whole);
}
