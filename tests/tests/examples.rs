//! The cookbook (`server/examples/`), each program driven by a client: what
//! the README and the crate docs point users at must do what they say.

use std::time::{Duration, Instant};

use mcpwire_tests::{
    HttpClient, HttpServer, LATEST_VERSION, McpProcess, example, initialize_params, request, stateless_params,
    tool_text,
};
use serde_json::{Value, json};

fn spawn(name: &str) -> McpProcess {
    McpProcess::spawn_program(&example(name))
}

fn exits_cleanly(mut server: McpProcess) {
    server.close_stdin();
    let (status, elapsed) = server.wait_exit(Duration::from_secs(2));
    assert!(status.success(), "exit status {status} after {elapsed:?}");
}

#[test]
fn structured_output_carries_the_value_and_its_schema() {
    let mut server = spawn("structured_output");
    server.initialize(json!({}));
    let tools = server.call_ok("tools/list", json!({}));
    let divide = &tools["tools"][0];
    assert_eq!(divide["outputSchema"]["properties"]["quotient"]["type"], "integer", "{divide}");
    let result = server.call_tool("divide", json!({"dividend": 17, "divisor": 5}));
    assert_eq!(result["structuredContent"], json!({"quotient": 3, "remainder": 2}));
    let result = server.call_tool("divide", json!({"dividend": 1, "divisor": 0}));
    assert_eq!(result["isError"], true, "{result}");
    exits_cleanly(server);
}

#[test]
fn progress_comes_before_the_result_and_a_cancelled_count_stops() {
    let mut server = spawn("progress_and_cancellation");
    server.initialize(json!({}));
    let id = server
        .request("tools/call", json!({"name": "count_to", "arguments": {"to": 3}, "_meta": {"progressToken": "p"}}));
    let (before, answer) = server.recv_response_and_preceding(&id);
    let steps: Vec<&Value> = before.iter().filter(|m| m["method"] == "notifications/progress").collect();
    assert_eq!(steps.len(), 3, "{before:?}");
    assert_eq!(steps[2]["params"]["progress"], 3.0);
    assert_eq!(tool_text(&answer["result"]), "done");

    let id = server.request("tools/call", json!({"name": "count_to", "arguments": {"to": 100000}}));
    server.notify("notifications/cancelled", json!({"requestId": id}));
    // Messages are handled in order: once a later ping is answered, the
    // cancelled call has been stopped, and it never answers.
    assert_eq!(server.call_ok("ping", json!({})), json!({}));
    let said = server.take_buffered();
    assert!(!said.iter().any(|m| m["id"] == id), "a cancelled call gets no answer: {said:?}");
    exits_cleanly(server);
}

#[test]
fn a_template_serves_every_note_and_says_when_one_is_missing() {
    let mut server = spawn("resource_templates");
    server.initialize(json!({}));
    let templates = server.call_ok("resources/templates/list", json!({}));
    assert_eq!(templates["resourceTemplates"][0]["uriTemplate"], "notes://{id}");
    let read = server.call_ok("resources/read", json!({"uri": "notes://2"}));
    assert_eq!(read["contents"][0]["text"], "Call Ada about the engine.");
    let missing = server.call("resources/read", json!({"uri": "notes://9"}));
    assert_eq!(missing["error"]["code"], -32002, "{missing}");
    exits_cleanly(server);
}

#[test]
fn a_typed_prompt_lists_its_arguments_and_uses_them() {
    let mut server = spawn("prompts");
    server.initialize(json!({}));
    let prompts = server.call_ok("prompts/list", json!({}));
    let arguments = &prompts["prompts"][0]["arguments"];
    assert_eq!(arguments[0], json!({"name": "code", "description": "The code to review.", "required": true}));
    assert_eq!(arguments[1]["required"], false);
    let got = server.call_ok("prompts/get", json!({"name": "review", "arguments": {"code": "fn main() {}"}}));
    let text = got["messages"][0]["content"]["text"].as_str().unwrap();
    assert!(text.contains("looking for bugs") && text.contains("fn main() {}"), "{text}");
    let missing = server.call("prompts/get", json!({"name": "review", "arguments": {}}));
    assert_eq!(missing["error"]["code"], -32602, "{missing}");
    exits_cleanly(server);
}

#[test]
fn completion_offers_the_languages_that_match() {
    let mut server = spawn("completion");
    let init = server.initialize(json!({}));
    assert!(init["capabilities"]["completions"].is_object(), "{init}");
    let params =
        json!({"ref": {"type": "ref/prompt", "name": "explain"}, "argument": {"name": "language", "value": "r"}});
    let result = server.call_ok("completion/complete", params);
    assert_eq!(result["completion"]["values"], json!(["rust"]));
    exits_cleanly(server);
}

#[test]
fn elicitation_asks_in_a_session_and_ends_a_stateless_round() {
    // In a session: the question is a request, answered on the spot.
    let mut server = spawn("elicitation");
    server.initialize(json!({"elicitation": {}}));
    let id = server.request("tools/call", json!({"name": "book_table", "arguments": {"restaurant": "Chez Ada"}}));
    let question = server.recv();
    assert_eq!(question["method"], "elicitation/create", "{question}");
    server.send(
        &json!({"jsonrpc": "2.0", "id": question["id"], "result": {"action": "accept", "content": {"people": 4}}}),
    );
    assert_eq!(tool_text(&server.recv_response(&id)["result"]), "Booked Chez Ada for 4.");

    // Stateless: the round ends with the question; the retry carries the answer.
    let caps = json!({"elicitation": {}});
    let call = json!({"name": "book_table", "arguments": {"restaurant": "Chez Ada"}});
    let first = server.call_ok("tools/call", stateless_params(call.clone(), &caps));
    assert_eq!(first["resultType"], "input_required");
    assert_eq!(first["inputRequests"]["party_size"]["method"], "elicitation/create");
    let mut retry = stateless_params(call, &caps);
    retry["inputResponses"] = json!({"party_size": {"action": "accept", "content": {"people": 2}}});
    retry["requestState"] = first["requestState"].clone();
    let done = server.call_ok("tools/call", retry);
    assert_eq!(tool_text(&done), "Booked Chez Ada for 2.");
    exits_cleanly(server);
}

#[test]
fn a_plain_json_rpc_server_answers_its_methods_without_initialize() {
    let mut server = spawn("json_rpc");
    assert_eq!(server.call_ok("math/add", json!({"a": 2, "b": 3})), json!({"sum": 5}));
    let mcp = server.call("tools/list", json!({}));
    assert_eq!(mcp["error"]["code"], -32601, "no MCP methods: {mcp}");
    let bad = server.call("math/add", json!({"a": "two"}));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    exits_cleanly(server);
}

#[test]
fn the_http_example_shares_its_state_between_requests_of_both_eras() {
    let server = HttpServer::spawn_program(&example("http_server"), &["127.0.0.1:0"]);
    let client = server.client();
    let mut session = client.initialize(json!({}));
    let first = session.call("tools/call", json!({"name": "visit", "arguments": {}}));
    assert_eq!(tool_text(&first["result"]), "visit number 1");
    let message = json!({
        "jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": stateless_params(json!({"name": "visit", "arguments": {}}), &json!({}))
    });
    let second = client.post_stateless(&[], &message).expect_status(200).message();
    assert_eq!(tool_text(&second["result"]), "visit number 2");
}

/// A stateless request declaring the tasks extension; its result.
fn task_call(client: &HttpClient, id: i64, method: &str, params: Value) -> Value {
    let capabilities = json!({"elicitation": {}, "extensions": {"io.modelcontextprotocol/tasks": {}}});
    let message = request(json!(id), method, stateless_params(params, &capabilities));
    let answer = client.post_stateless(&[], &message).expect_status(200).message();
    answer.get("result").cloned().unwrap_or_else(|| panic!("`{method}` failed: {answer}"))
}

#[test]
fn a_task_asks_its_question_through_the_task_and_finishes() {
    let server = HttpServer::spawn_program(&example("task_tool"), &["127.0.0.1:0"]);
    let client = server.client();
    let handle =
        task_call(&client, 1, "tools/call", json!({"name": "monthly_report", "arguments": {"month": "2026-07"}}));
    assert_eq!(handle["resultType"], "task", "{handle}");
    let task_id = handle["taskId"].as_str().unwrap().to_owned();
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut answered = false;
    for id in 2.. {
        let task = task_call(&client, id, "tasks/get", json!({"taskId": task_id}));
        match task["status"].as_str() {
            Some("input_required") if !answered => {
                let key = task["inputRequests"].as_object().unwrap().keys().next().unwrap().clone();
                let answer = json!({key: {"action": "accept", "content": {"drafts": true}}});
                task_call(&client, 1000 + id, "tasks/update", json!({"taskId": task_id, "inputResponses": answer}));
                answered = true;
            }
            Some("completed") => {
                assert_eq!(tool_text(&task["result"]), "Report for 2026-07 (drafts included: true)");
                return;
            }
            _ => {}
        }
        assert!(Instant::now() < deadline, "the task never finished: {task}");
        // Polling is how a task's client waits; the task says how often.
        std::thread::sleep(Duration::from_millis(task["pollIntervalMs"].as_u64().unwrap_or(50).min(50)));
    }
}

#[test]
fn the_axum_example_asks_for_a_token_says_where_to_get_one_and_serves_who_has_one() {
    let server = HttpServer::spawn_program(&example("axum_auth"), &["127.0.0.1:0"]);
    let client = server.client();
    let origin = format!("http://{}", client.authority());
    let call =
        request(json!(1), "tools/call", stateless_params(json!({"name": "whoami", "arguments": {}}), &json!({})));

    // The application's own route is not behind the token check.
    assert_eq!(client.send_to("GET", "/health", &[], b"").expect_status(200).body(), b"ok");

    let refused = client.post_stateless(&[], &call).expect_status(401);
    let metadata_url = format!("{origin}/.well-known/oauth-protected-resource/mcp");
    let expected = format!(r#"Bearer scope="mcp:tools", resource_metadata="{metadata_url}""#);
    assert_eq!(refused.header("www-authenticate"), Some(expected.as_str()));
    let forged = client.post_stateless(&[("Authorization", "Bearer forged")], &call).expect_status(401);
    assert!(forged.header("www-authenticate").unwrap().starts_with(r#"Bearer error="invalid_token""#));

    // What a client does next: read the metadata the challenge names.
    let metadata_path = metadata_url.strip_prefix(&origin).unwrap();
    let document = client.send_to("GET", metadata_path, &[], b"").expect_status(200).json();
    assert_eq!(document["resource"], format!("{origin}/mcp"));
    assert_eq!(document["authorization_servers"], json!(["https://auth.example.com"]));
    assert_eq!(document["scopes_supported"], json!(["mcp:tools"]));

    let ada = [("Authorization", "Bearer ada-token")];
    let answer = client.post_stateless(&ada, &call).expect_status(200).message();
    assert_eq!(tool_text(&answer["result"]), "ada (mcp:tools)");

    // A session carries the token on every request, and its tools see it too.
    let initialize = request(json!(0), "initialize", initialize_params(LATEST_VERSION, json!({})));
    let started = client.post(&ada, &initialize).expect_status(200);
    let id = started.header("mcp-session-id").expect("a session").to_owned();
    started.expect_answer(&json!(0));
    let session = client.session(id);
    session.post(&ada, &json!({"jsonrpc": "2.0", "method": "notifications/initialized"})).expect_status(202);
    let whoami = request(json!(1), "tools/call", json!({"name": "whoami", "arguments": {}}));
    let (_, answer) = session.post(&ada, &whoami).expect_status(200).expect_answer(&json!(1));
    assert_eq!(tool_text(&answer["result"]), "ada (mcp:tools)");
    assert_eq!(session.post(&[], &whoami).status, 401, "a session is no substitute for a token");

    let guest = client.post_stateless(&[("Authorization", "Bearer guest-token")], &call).expect_status(403);
    let challenge = guest.header("www-authenticate").unwrap();
    assert!(challenge.starts_with(r#"Bearer error="insufficient_scope", scope="mcp:tools""#), "{challenge}");
}
