//! The row of tasks shared through Redis (`mcpwire --task-store`): a task
//! created through one process is polled to its result, cancelled, and
//! answered through the other.
//!
//! One client makes every request, one after another, so nginx's
//! round-robin alternates between the two processes; where a step must be
//! served by a given process, the client first makes one more `tasks/get`
//! if the alternation would send the step to the other, and every answer's
//! `X-Upstream` is checked, so a step served by the wrong process is an
//! unexpected failure rather than a silent pass.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail, ensure};
use serde_json::{Value, json};

use super::Sizes;
use super::client::Client;
use super::nginx::Nginx;
use super::rows::Row;

/// How long a task may take to reach a status: far beyond the tools' own times.
const PATIENCE: Duration = Duration::from_secs(20);

/// Between two polls of a task: below the server's suggested interval
/// (250 ms), so the test sees each status soon after it is stored.
const POLL: Duration = Duration::from_millis(50);

/// What the client declares: it can answer elicitations, and takes tasks.
fn capabilities() -> Value {
    json!({"elicitation": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}})
}

/// A client whose requests alternate between two processes.
struct Steered {
    client: Client,
    /// The two routes.
    routes: [String; 2],
    /// Who answered the last request.
    last: String,
    /// Requests made, for the row.
    calls: u64,
}

impl Steered {
    /// The route that is not `route`.
    fn other(&self, route: &str) -> String {
        if route == self.routes[0] { self.routes[1].clone() } else { self.routes[0].clone() }
    }

    /// One stateless request; its result, and who answered.
    fn request(&mut self, method: &str, name: &str, params: Value) -> Result<(Value, String)> {
        self.calls += 1;
        let (id, answer) = self.client.stateless(method, name, params, &capabilities())?;
        self.last = answer.upstream.clone();
        let result = answer.result(id).cloned().with_context(|| format!("{method}: {}", answer.describe()))?;
        Ok((result, answer.upstream))
    }

    /// `tasks/get` of `task`.
    fn get(&mut self, task: &str) -> Result<(Value, String)> {
        self.request("tasks/get", task, json!({"taskId": task}))
    }

    /// Makes the next request go to `route`: one `tasks/get` of `task` first
    /// when the alternation points at the other process.
    fn steer_to(&mut self, route: &str, task: &str) -> Result<()> {
        if self.other(&self.last) != route {
            self.get(task)?;
        }
        Ok(())
    }

    /// `method` on `task`, served by `route`.
    fn on(&mut self, route: &str, method: &str, task: &str, params: Value) -> Result<Value> {
        self.steer_to(route, task)?;
        let (result, served) = self.request(method, task, params)?;
        ensure!(served == route, "{method} was to be served by {route}, but {served} served it");
        Ok(result)
    }

    /// Polls `task` through `route` until it has `status`.
    fn until(&mut self, route: &str, task: &str, status: &str) -> Result<Value> {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let task_now = self.on(route, "tasks/get", task, json!({"taskId": task}))?;
            if task_now["status"] == status {
                return Ok(task_now);
            }
            ensure!(Instant::now() < deadline, "task {task} never became {status} through {route}: {task_now}");
            // Polling is how a client of this extension waits.
            std::thread::sleep(POLL);
        }
    }

    /// Starts `tool` as a task; returns its id and the process that created it.
    fn create(&mut self, tool: &str, arguments: &Value) -> Result<(String, String)> {
        let (handle, creator) = self.request("tools/call", tool, json!({"name": tool, "arguments": arguments}))?;
        ensure!(handle["resultType"] == "task", "{tool} did not become a task: {handle}");
        let id = handle["taskId"].as_str().with_context(|| format!("a task handle without taskId: {handle}"))?;
        Ok((id.to_owned(), creator))
    }
}

/// One part of the row: what it saw, or why it failed.
type Step = fn(&mut Steered, &Sizes) -> Result<String>;

/// The row: three tasks, each created through one process and then
/// handled through the other.
pub(crate) fn shared(nginx: &Nginx, routes: [String; 2], sizes: &Sizes) -> Row {
    let mut client = Steered { client: Client::new(nginx.address), last: String::new(), routes, calls: 0 };
    let steps: [(&str, Step); 3] = [("polled", polled), ("cancelled", cancelled), ("answered", answered)];
    let mut seen = Vec::new();
    let mut failed = 0;
    for (name, step) in steps {
        match step(&mut client, sizes) {
            Ok(what) => seen.push(what),
            Err(e) => {
                failed += 1;
                seen.push(format!("{name}: FAILED: {e:#}"));
            }
        }
    }
    Row {
        check: "tasks shared through Redis".to_owned(),
        calls: client.calls,
        failed,
        unexpected: failed,
        seen: seen.join("; "),
    }
}

/// Created through one process, polled to its result through the other.
fn polled(client: &mut Steered, sizes: &Sizes) -> Result<String> {
    let seconds = sizes.task_seconds;
    let (task, creator) = client.create("slow_compute", &json!({"seconds": seconds, "label": "scale"}))?;
    let other = client.other(&creator);
    let working = client.on(&other, "tasks/get", &task, json!({"taskId": task}))?;
    ensure!(working["status"] == "working", "{other} did not see the task working: {working}");
    let done = client.until(&other, &task, "completed")?;
    let text = done.pointer("/result/content/0/text").and_then(Value::as_str).unwrap_or_default();
    ensure!(text == "computed scale", "the result read through {other} is not the task's: {done}");
    Ok(format!("created through {creator}, seen working and its result read through {other}"))
}

/// Created through one process, cancelled through the other; the creator
/// then reports it cancelled.
fn cancelled(client: &mut Steered, _sizes: &Sizes) -> Result<String> {
    let (task, creator) = client.create("slow_compute", &json!({"seconds": 60, "label": "never"}))?;
    let other = client.other(&creator);
    let ack = client.on(&other, "tasks/cancel", &task, json!({"taskId": task}))?;
    ensure!(ack["resultType"] == "complete", "tasks/cancel was not acknowledged: {ack}");
    client.until(&creator, &task, "cancelled")?;
    Ok(format!("cancelled through {other}, which its creator {creator} then reported"))
}

/// Created through one process, its question seen and answered with
/// `tasks/update` through the other, which leaves the answer in Redis; the
/// creator's waiting handler takes it from there, and its result is read
/// through the creator.
fn answered(client: &mut Steered, _sizes: &Sizes) -> Result<String> {
    let (task, creator) = client.create("confirm_delete", &json!({"filename": "scale.txt"}))?;
    let other = client.other(&creator);
    let waiting = client.until(&other, &task, "input_required")?;
    let Some((key, question)) = waiting["inputRequests"].as_object().and_then(|q| q.iter().next()) else {
        bail!("no question in {waiting}");
    };
    ensure!(question["params"]["message"] == "Delete scale.txt?", "an unexpected question: {question}");
    let answer = json!({"action": "accept", "content": {"confirm": true}});
    let params = json!({"taskId": task, "inputResponses": {key.as_str(): answer}});
    client.on(&other, "tasks/update", &task, params)?;
    let done = client.until(&creator, &task, "completed")?;
    let text = done.pointer("/result/content/0/text").and_then(Value::as_str).unwrap_or_default();
    ensure!(text == "Deleted scale.txt", "the answer sent through {other} did not reach the task: {done}");
    Ok(format!("its question seen and answered through {other}, its result read through its creator {creator}"))
}
