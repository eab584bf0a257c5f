//! The tasks (SEP-2663) and skills (SEP-2640) extensions end to end against
//! the reference binary: over Streamable HTTP in the stateless era, a tool
//! call becomes a task that is polled to completion, answered through
//! `tasks/update` and cancelled mid-run; skills are listed, fetched, browsed
//! and read. Over stdio, 2025-11-25's experimental tasks drive the same
//! tools. Every message is checked against the schema of its era.

use std::time::{Duration, Instant};

use mcpwire_tests::{HttpClient, HttpServer, McpProcess, request, stateless_params};
use serde_json::{Value, json};

/// Long enough for any honest wait; only a hang reaches it.
const PATIENCE: Duration = Duration::from_secs(10);

fn capabilities() -> Value {
    json!({"elicitation": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}})
}

/// Send a stateless request declaring the tasks extension; its result.
fn call(client: &HttpClient, id: i64, method: &str, params: Value) -> Value {
    let message = request(json!(id), method, stateless_params(params, &capabilities()));
    let answer = client.post_stateless(&[], &message).expect_status(200).message();
    match answer.get("result") {
        Some(result) => result.clone(),
        None => panic!("`{method}` failed: {answer}"),
    }
}

/// Poll `tasks/get` until the task is `status`: the status is the event
/// waited on, at the task's own poll interval.
fn until_status(client: &HttpClient, task_id: &str, status: &str) -> Value {
    let deadline = Instant::now() + PATIENCE;
    for id in 1_000.. {
        let task = call(client, id, "tasks/get", json!({"taskId": task_id}));
        if task["status"] == status {
            return task;
        }
        assert!(Instant::now() < deadline, "never {status}: {task}");
        std::thread::sleep(Duration::from_millis(task["pollIntervalMs"].as_u64().unwrap_or(50).min(50)));
    }
    unreachable!()
}

#[test]
fn a_task_is_created_at_once_and_polled_to_its_result() {
    let server = HttpServer::spawn();
    let client = server.client();
    let handle =
        call(&client, 1, "tools/call", json!({"name": "slow_compute", "arguments": {"seconds": 0.2, "label": "e2e"}}));
    assert_eq!(handle["resultType"], "task", "{handle}");
    assert_eq!(handle["status"], "working");
    let task_id = handle["taskId"].as_str().unwrap().to_owned();
    let done = until_status(&client, &task_id, "completed");
    assert_eq!(done["result"]["content"][0]["text"], "computed e2e");
    // A tool's own failure is a completed task whose result says so; a
    // protocol error fails the task.
    let failing = call(&client, 2, "tools/call", json!({"name": "protocol_error_job", "arguments": {}}));
    let failed = until_status(&client, failing["taskId"].as_str().unwrap(), "failed");
    assert_eq!(failed["error"]["code"], -32603);
    assert!(failed.get("result").is_none(), "{failed}");
}

#[test]
fn a_running_task_is_cancelled_and_a_question_is_answered_through_tasks_update() {
    let server = HttpServer::spawn();
    let client = server.client();
    let slow =
        call(&client, 1, "tools/call", json!({"name": "slow_compute", "arguments": {"seconds": 60, "label": "x"}}));
    let slow_id = slow["taskId"].as_str().unwrap().to_owned();
    let ack = call(&client, 2, "tasks/cancel", json!({"taskId": slow_id}));
    assert_eq!(ack, json!({"resultType": "complete", "_meta": ack["_meta"]}));
    until_status(&client, &slow_id, "cancelled");

    let asking = call(&client, 3, "tools/call", json!({"name": "confirm_delete", "arguments": {"filename": "a.txt"}}));
    let asking_id = asking["taskId"].as_str().unwrap().to_owned();
    let waiting = until_status(&client, &asking_id, "input_required");
    let (key, question) = waiting["inputRequests"].as_object().unwrap().iter().next().unwrap();
    assert_eq!(question["params"]["message"], "Delete a.txt?");
    let answer = json!({"action": "accept", "content": {"confirm": true}});
    call(&client, 4, "tasks/update", json!({"taskId": asking_id, "inputResponses": {key.as_str(): answer}}));
    let done = until_status(&client, &asking_id, "completed");
    assert_eq!(done["result"]["content"][0]["text"], "Deleted a.txt");
}

#[test]
fn skills_are_listed_fetched_browsed_and_read() {
    let server = HttpServer::spawn();
    let client = server.client();
    let discovered = call(&client, 1, "server/discover", json!({}));
    assert_eq!(
        discovered["capabilities"]["extensions"]["io.modelcontextprotocol/skills"],
        json!({"directoryRead": true})
    );
    let listed = call(&client, 2, "skills/list", json!({}));
    let skill = &listed["skills"][0];
    assert_eq!(skill["uri"], "skill://pdf-processing/SKILL.md");
    assert_eq!(skill["frontmatter"]["name"], "pdf-processing");
    assert!(listed["ttlMs"].is_u64() && listed["cacheScope"].is_string(), "{listed}");
    let fetched = call(&client, 3, "skills/get", json!({"uri": "skill://pdf-processing/SKILL.md"}));
    assert_eq!(&fetched["skill"], skill);
    let directory = call(&client, 4, "resources/directory/read", json!({"uri": "skill://pdf-processing"}));
    let kinds: Vec<_> = directory["resources"].as_array().unwrap().iter().map(|r| r["mimeType"].clone()).collect();
    assert_eq!(kinds, [json!("text/markdown"), json!("inode/directory")]);
    let read = call(&client, 5, "resources/read", json!({"uri": "skill://pdf-processing/SKILL.md"}));
    let text = read["contents"][0]["text"].as_str().unwrap();
    assert_eq!(skill["resources"][0]["size"], text.len());
}

#[test]
fn the_experimental_tasks_of_2025_11_25_run_over_stdio() {
    let mut server = McpProcess::spawn();
    let initialized = server.initialize_with("2025-11-25", json!({}));
    assert!(initialized["capabilities"]["tasks"]["requests"]["tools"]["call"].is_object(), "{initialized}");
    let tools = server.call_ok("tools/list", json!({}));
    let slow = tools["tools"].as_array().unwrap().iter().find(|t| t["name"] == "slow_compute").unwrap().clone();
    assert_eq!(slow["execution"]["taskSupport"], "optional");
    let created = server.call_ok(
        "tools/call",
        json!({"name": "slow_compute", "arguments": {"seconds": 0.1, "label": "old"}, "task": {"ttl": 60_000}}),
    );
    let task_id = created["task"]["taskId"].as_str().unwrap().to_owned();
    let result = server.call_ok("tasks/result", json!({"taskId": task_id}));
    assert_eq!(result["content"][0]["text"], "computed old");
    assert_eq!(result["_meta"]["io.modelcontextprotocol/related-task"]["taskId"], task_id.as_str());
    let listed = server.call_ok("tasks/list", json!({}));
    assert_eq!(listed["tasks"][0]["status"], "completed");
    let required = server.call("tools/call", json!({"name": "failing_job", "arguments": {}}));
    assert_eq!(required["error"]["code"], -32601, "a task-only tool called without `task`: {required}");
}
