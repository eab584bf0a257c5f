//! Tasks through the library's API: a task-capable tool outlives its
//! request, is polled to completion, answers questions through
//! `tasks/update` (sent to the server running it, or to another sharing its
//! store), is cancelled mid-run, expires on time, and the store's bounds
//! hold; the same tools serve 2025-11-25's experimental tasks.

use std::sync::Arc;
use std::time::{Duration, Instant};

use mcpwire_protocol::types::{ElicitRequestParams, TaskSupport, Tool};
use mcpwire_server::{HandlerError, MemoryTaskStore, RequestContext, Server, ServerConfig, TaskConfig, ToolRoute};
use serde_json::{Value, json};
use tokio::sync::{Notify, oneshot};

use crate::support::{Client, PATIENCE};

in_both_runtimes![
    a_task_outlives_its_request_and_connection_and_is_polled_to_completion,
    a_task_is_cancelled_mid_run_and_its_handler_stops,
    a_task_expires_when_its_ttl_has_passed_and_not_before,
    ten_thousand_tasks_from_one_client_stay_within_the_stores_bounds,
    a_tasks_question_is_answered_through_tasks_update,
    a_question_is_answered_through_a_server_that_does_not_run_the_task,
    answers_too_large_for_the_shared_store_are_refused_and_the_question_stays_open,
    tasks_need_the_extension_declared_and_a_known_id,
    the_experimental_tasks_of_2025_11_25_use_the_same_tools,
];

const EXTENSION: &str = "io.modelcontextprotocol/tasks";

fn meta(with_extension: bool) -> Value {
    let mut capabilities = json!({"elicitation": {}});
    if with_extension {
        capabilities["extensions"] = json!({ EXTENSION: {} });
    }
    json!({
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": capabilities,
        "io.modelcontextprotocol/clientInfo": {"name": "tasks-test", "version": "1"},
    })
}

fn tool<F, Fut>(name: &str, support: TaskSupport, handler: F) -> ToolRoute
where
    F: Fn(RequestContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, HandlerError>> + Send + 'static,
{
    ToolRoute::raw(Tool::new(name, name), move |_args, ctx| handler(ctx)).task_support(support)
}

/// A tool that runs until the test opens its gate.
fn gated(gate: &Arc<Notify>) -> ToolRoute {
    let gate = Arc::clone(gate);
    tool("gated", TaskSupport::Optional, move |_ctx| {
        let gate = Arc::clone(&gate);
        async move {
            gate.notified().await;
            Ok("opened".into())
        }
    })
}

fn confirm_form() -> ElicitRequestParams {
    serde_json::from_value(json!({
        "message": "Sure?",
        "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}
    }))
    .unwrap()
}

async fn call(client: &mut Client, id: u64, name: &str, with_extension: bool) -> Result<Value, Value> {
    client.request(id, "tools/call", Some(json!({"name": name, "_meta": meta(with_extension)}))).await
}

async fn task_request(client: &mut Client, id: u64, method: &str, task_id: &str) -> Result<Value, Value> {
    client.request(id, method, Some(json!({"taskId": task_id, "_meta": meta(true)}))).await
}

/// Poll `tasks/get` until the task's status is `status` (or the patience
/// runs out): the status is the event waited on.
async fn until_status(client: &mut Client, task_id: &str, status: &str) -> Value {
    let deadline = Instant::now() + PATIENCE;
    for id in 10_000.. {
        let task = task_request(client, id, "tasks/get", task_id).await.expect("the task is there");
        if task["status"] == status {
            return task;
        }
        assert!(Instant::now() < deadline, "the task never reached {status}: {task}");
        tokio::task::yield_now().await;
    }
    unreachable!()
}

async fn a_task_outlives_its_request_and_connection_and_is_polled_to_completion() {
    let gate = Arc::new(Notify::new());
    let server = Server::builder("tasks", "1").tool(gated(&gate)).build();
    let mut client = Client::connect(&server);
    let handle = call(&mut client, 1, "gated", true).await.unwrap();
    assert_eq!(handle["resultType"], "task");
    for absent in ["task", "result", "error", "inputRequests", "requestState", "ttl", "pollInterval"] {
        assert!(handle.get(absent).is_none(), "{absent} in {handle}");
    }
    assert!(handle["ttlMs"].as_u64().is_some_and(|ttl| ttl > 0) && handle["pollIntervalMs"].as_u64().is_some());
    let task_id = handle["taskId"].as_str().unwrap().to_owned();
    // The request is answered; the tool still runs, and outlives the connection.
    client.close().await;
    let mut client = Client::connect(&server);
    let task = task_request(&mut client, 2, "tasks/get", &task_id).await.unwrap();
    assert_eq!((task["resultType"].as_str(), task["status"].as_str()), (Some("complete"), Some("working")));
    gate.notify_one();
    let done = until_status(&mut client, &task_id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "opened");
    assert_eq!(done["result"]["resultType"], "complete");
    assert!(
        done.get("error").is_none() && done["result"]["_meta"].get("io.modelcontextprotocol/related-task").is_none()
    );
}

async fn a_task_is_cancelled_mid_run_and_its_handler_stops() {
    /// Reports when the handler's future is dropped.
    struct Dropped(Option<oneshot::Sender<()>>);
    impl Drop for Dropped {
        fn drop(&mut self) {
            self.0.take().map(|sender| sender.send(()));
        }
    }
    let (dropped, handler_stopped) = oneshot::channel();
    let dropped = std::sync::Mutex::new(Some(dropped));
    let server = Server::builder("tasks", "1")
        .tool(tool("forever", TaskSupport::Required, move |_ctx| {
            let guard = Dropped(dropped.lock().unwrap().take());
            async move {
                let _guard = guard;
                std::future::pending::<()>().await;
                Ok(String::new())
            }
        }))
        .build();
    let mut client = Client::connect(&server);
    let handle = call(&mut client, 1, "forever", true).await.unwrap();
    let task_id = handle["taskId"].as_str().unwrap().to_owned();
    let ack = task_request(&mut client, 2, "tasks/cancel", &task_id).await.unwrap();
    assert_eq!(ack["resultType"], "complete");
    for absent in ["taskId", "status", "result", "error", "inputRequests"] {
        assert!(ack.get(absent).is_none(), "{absent} in {ack}");
    }
    tokio::time::timeout(PATIENCE, handler_stopped).await.expect("the handler stopped").unwrap();
    let task = task_request(&mut client, 3, "tasks/get", &task_id).await.unwrap();
    assert_eq!(task["status"], "cancelled");
    // Cancelling again, once terminal, is the same acknowledgement.
    let again = task_request(&mut client, 4, "tasks/cancel", &task_id).await.unwrap();
    assert_eq!(again["resultType"], "complete");
}

async fn a_task_expires_when_its_ttl_has_passed_and_not_before() {
    let ttl = Duration::from_millis(300);
    let config = ServerConfig {
        tasks: TaskConfig { default_ttl: Some(ttl), ..TaskConfig::default() },
        ..ServerConfig::default()
    };
    let server = Server::builder("tasks", "1")
        .config(config)
        .tool(tool("quick", TaskSupport::Optional, |_ctx| async { Ok("done".into()) }))
        .build();
    let mut client = Client::connect(&server);
    let created = Instant::now();
    let handle = call(&mut client, 1, "quick", true).await.unwrap();
    assert_eq!(handle["ttlMs"], 300);
    let task_id = handle["taskId"].as_str().unwrap().to_owned();
    // Poll until it is gone: every answer before the TTL must find it.
    for id in 2.. {
        let polled = Instant::now();
        match task_request(&mut client, id, "tasks/get", &task_id).await {
            Ok(_) => assert!(polled < created + PATIENCE, "the task never expired"),
            Err(error) => {
                assert_eq!(error["code"], -32602);
                assert!(created.elapsed() >= ttl, "gone after {:?}, before its TTL", created.elapsed());
                break;
            }
        }
        tokio::task::yield_now().await;
    }
}

async fn ten_thousand_tasks_from_one_client_stay_within_the_stores_bounds() {
    const CALLS: u64 = 10_000;
    let tasks = TaskConfig { max_tasks_per_client: 100, max_stored_bytes: 1 << 20, ..TaskConfig::default() };
    let store = Arc::new(MemoryTaskStore::new(&tasks));
    let server = Server::builder("tasks", "1")
        .config(ServerConfig { tasks, ..ServerConfig::default() })
        .task_store(Arc::clone(&store) as Arc<dyn mcpwire_server::TaskStore>)
        .tool(tool("quick", TaskSupport::Optional, |_ctx| async { Ok("done".into()) }))
        .build();
    let mut client = Client::connect(&server);
    let (mut created, mut refused) = (0, 0);
    // In batches, so the client reads while it writes.
    for batch in 0..CALLS / 500 {
        for n in 0..500 {
            let params = json!({"name": "quick", "_meta": meta(true)});
            client.start_request(batch * 500 + n, "tools/call", Some(params)).await;
        }
        for n in 0..500 {
            match client.response(&json!(batch * 500 + n)).await {
                Ok(result) if result["resultType"] == "task" => created += 1,
                Ok(other) => panic!("not a task: {other}"),
                Err(error) => {
                    assert_eq!(error["code"], -32000, "{error}");
                    refused += 1;
                }
            }
        }
    }
    assert_eq!((created, refused), (100, CALLS - 100));
    assert_eq!(store.len(), 100);
    assert!(store.stored_bytes() <= 1 << 20);
}

async fn a_tasks_question_is_answered_through_tasks_update() {
    let server = Server::builder("tasks", "1").tool(confirm()).build();
    let mut client = Client::connect(&server);
    let handle = call(&mut client, 1, "confirm", true).await.unwrap();
    let task_id = handle["taskId"].as_str().unwrap().to_owned();
    let waiting = until_status(&mut client, &task_id, "input_required").await;
    assert_eq!(waiting["inputRequests"]["sure"]["method"], "elicitation/create");
    // Answers to keys it did not ask, or that are no answer, are ignored.
    let params = json!({"taskId": task_id, "inputResponses": {"unknown": {"ignored": true}}, "_meta": meta(true)});
    let ack = client.request(2, "tasks/update", Some(params)).await.unwrap();
    assert_eq!(ack["resultType"], "complete");
    assert_eq!(
        until_status(&mut client, &task_id, "input_required").await["inputRequests"]["sure"]["method"],
        "elicitation/create"
    );
    let answer = json!({"action": "accept", "content": {"ok": true}});
    let params = json!({"taskId": task_id, "inputResponses": {"sure": answer}, "_meta": meta(true)});
    client.request(3, "tasks/update", Some(params)).await.unwrap();
    let done = until_status(&mut client, &task_id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "Accept");
}

/// A tool that asks one question (`sure`) and reports the answer's action.
fn confirm() -> ToolRoute {
    tool("confirm", TaskSupport::Optional, |ctx| async move {
        let answer = ctx.ask("sure").elicit(confirm_form()).await?;
        Ok(format!("{:?}", answer.action))
    })
}

/// Two servers, as two processes would be, sharing one store: each client
/// reaches one of them.
fn two_servers_sharing_a_store(tasks: &TaskConfig) -> (Client, Client, Arc<MemoryTaskStore>) {
    let store = Arc::new(MemoryTaskStore::new(tasks));
    let server = || {
        Server::builder("tasks", "1")
            .config(ServerConfig { tasks: tasks.clone(), ..ServerConfig::default() })
            .task_store(Arc::clone(&store) as Arc<dyn mcpwire_server::TaskStore>)
            .tool(confirm())
            .build()
    };
    (Client::connect(&server()), Client::connect(&server()), store)
}

async fn update(client: &mut Client, id: u64, task_id: &str, answers: Value) -> Result<Value, Value> {
    let params = json!({"taskId": task_id, "inputResponses": answers, "_meta": meta(true)});
    client.request(id, "tasks/update", Some(params)).await
}

async fn a_question_is_answered_through_a_server_that_does_not_run_the_task() {
    // An hour between polls: the answer can only arrive in time because the
    // store wakes the waiting handler.
    let tasks = TaskConfig { poll_interval: Duration::from_secs(3600), ..TaskConfig::default() };
    let (mut running, mut other, _store) = two_servers_sharing_a_store(&tasks);
    let handle = call(&mut running, 1, "confirm", true).await.unwrap();
    let task_id = handle["taskId"].as_str().unwrap().to_owned();
    let waiting = until_status(&mut other, &task_id, "input_required").await;
    assert_eq!(waiting["inputRequests"]["sure"]["method"], "elicitation/create");
    // An answer that does not fit its question, or to a key never asked, is
    // ignored there as it is here: the question stays open for everyone.
    let ack = update(&mut other, 2, &task_id, json!({"sure": {"ignored": true}, "unknown": {}})).await.unwrap();
    assert_eq!(ack["resultType"], "complete");
    let still = task_request(&mut running, 3, "tasks/get", &task_id).await.unwrap();
    assert_eq!(
        (still["status"].as_str(), still["inputRequests"]["sure"]["method"].as_str()),
        (Some("input_required"), Some("elicitation/create"))
    );
    let answer = json!({"action": "accept", "content": {"ok": true}});
    let ack = update(&mut other, 4, &task_id, json!({"sure": answer})).await.unwrap();
    assert_eq!(ack["resultType"], "complete");
    // Answered as far as any client can tell, before the handler took it.
    let answered = task_request(&mut other, 5, "tasks/get", &task_id).await.unwrap();
    assert_ne!(answered["status"], "input_required", "{answered}");
    assert!(answered.get("inputRequests").is_none(), "{answered}");
    let done = until_status(&mut running, &task_id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "Accept");
    let seen_elsewhere = task_request(&mut other, 6, "tasks/get", &task_id).await.unwrap();
    assert_eq!(seen_elsewhere["result"]["content"][0]["text"], "Accept");
}

async fn answers_too_large_for_the_shared_store_are_refused_and_the_question_stays_open() {
    let tasks = TaskConfig { max_stored_bytes: 8 << 10, ..TaskConfig::default() };
    let (mut running, mut other, store) = two_servers_sharing_a_store(&tasks);
    let handle = call(&mut running, 1, "confirm", true).await.unwrap();
    let task_id = handle["taskId"].as_str().unwrap().to_owned();
    until_status(&mut other, &task_id, "input_required").await;
    let huge = json!({"action": "accept", "content": {"ok": true, "note": "x".repeat(16 << 10)}});
    let refused = update(&mut other, 2, &task_id, json!({"sure": huge})).await.unwrap_err();
    assert_eq!(refused["code"], -32000, "{refused}");
    assert!(store.stored_bytes() <= 8 << 10);
    let still = task_request(&mut running, 3, "tasks/get", &task_id).await.unwrap();
    assert_eq!(still["inputRequests"]["sure"]["method"], "elicitation/create");
    // A smaller answer still gets through.
    let answer = json!({"action": "decline"});
    update(&mut other, 4, &task_id, json!({"sure": answer})).await.unwrap();
    let done = until_status(&mut other, &task_id, "completed").await;
    assert_eq!(done["result"]["content"][0]["text"], "Decline");
}

async fn tasks_need_the_extension_declared_and_a_known_id() {
    let gate = Arc::new(Notify::new());
    let server = Server::builder("tasks", "1")
        .tool(gated(&gate))
        .tool(tool("only_as_task", TaskSupport::Required, |_ctx| async { Ok("ran".into()) }))
        .build();
    let mut client = Client::connect(&server);
    let without =
        client.request(1, "tasks/get", Some(json!({"taskId": "gate-test", "_meta": meta(false)}))).await.unwrap_err();
    assert_eq!(without["code"], -32021);
    assert_eq!(without["data"]["requiredCapabilities"]["extensions"][EXTENSION], json!({}));
    let unknown = task_request(&mut client, 2, "tasks/get", "no-such-task").await.unwrap_err();
    assert_eq!(unknown["code"], -32602);
    let required = call(&mut client, 3, "only_as_task", false).await.unwrap_err();
    assert_eq!(required["code"], -32021);
    // An optional one runs as an ordinary call for a client without the extension.
    gate.notify_one();
    let plain = call(&mut client, 4, "gated", false).await.unwrap();
    assert_eq!(
        (plain["resultType"].as_str(), plain["content"][0]["text"].as_str()),
        (Some("complete"), Some("opened"))
    );
    for removed in ["tasks/result", "tasks/list"] {
        let error = task_request(&mut client, 5, removed, "x").await.unwrap_err();
        assert_eq!(error["code"], -32601, "{removed}");
    }
}

async fn the_experimental_tasks_of_2025_11_25_use_the_same_tools() {
    let gate = Arc::new(Notify::new());
    let server = Server::builder("tasks", "1").tool(gated(&gate)).build();
    let mut client = Client::connect(&server);
    let initialized = client.initialize("2025-11-25", json!({})).await;
    assert_eq!(initialized["capabilities"]["tasks"]["requests"]["tools"]["call"], json!({}));
    client.notify("notifications/initialized", None).await;
    let listed = client.request(1, "tools/list", None).await.unwrap();
    assert_eq!(listed["tools"][0]["execution"]["taskSupport"], "optional");
    let created =
        client.request(2, "tools/call", Some(json!({"name": "gated", "task": {"ttl": 60_000}}))).await.unwrap();
    assert_eq!((created["task"]["status"].as_str(), created["task"]["ttl"].as_u64()), (Some("working"), Some(60_000)));
    let task_id = created["task"]["taskId"].as_str().unwrap().to_owned();
    let listed = client.request(3, "tasks/list", Some(json!({}))).await.unwrap();
    assert_eq!(listed["tasks"][0]["taskId"], task_id.as_str());
    // tasks/result waits for the end; the gate opens meanwhile.
    client.start_request(4, "tasks/result", Some(json!({"taskId": task_id}))).await;
    gate.notify_one();
    let result = client.response(&json!(4)).await.unwrap();
    assert_eq!(result["content"][0]["text"], "opened");
    assert_eq!(result["_meta"]["io.modelcontextprotocol/related-task"]["taskId"], task_id.as_str());
    let status = client.notification("notifications/tasks/status").await;
    assert_eq!(status["params"]["status"], "completed");
    let task = client.request(5, "tasks/get", Some(json!({"taskId": task_id}))).await.unwrap();
    assert_eq!(task["status"], "completed");
    let refused = client.request(6, "tasks/cancel", Some(json!({"taskId": task_id}))).await.unwrap_err();
    assert_eq!(refused["code"], -32602, "a terminal task cannot be cancelled in 2025-11-25");
}
