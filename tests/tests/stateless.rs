//! The stateless era (2026-07-28) over stdio: requests that carry their
//! version and capabilities in `_meta`, served without `initialize`; the
//! errors of the era; input-required results (MRTR) and their sealed
//! `requestState`; `subscriptions/listen`; and one connection serving a
//! session and stateless requests side by side.
//!
//! The harness checks every message against the schema of its era: these
//! connections never initialize (except where a test mixes the eras), so
//! everything the server writes here is checked against 2026-07-28.

use mcpwire_tests::{McpProcess, STATELESS_VERSION, SUBSCRIPTION_ID_KEY, stateless_params, tool_text};
use serde_json::{Value, json};

const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;
const MISSING_REQUIRED_CLIENT_CAPABILITY: i64 = -32021;
const UNSUPPORTED_PROTOCOL_VERSION: i64 = -32022;

const SERVER_INFO_KEY: &str = "io.modelcontextprotocol/serverInfo";
const LOG_LEVEL_KEY: &str = "io.modelcontextprotocol/logLevel";

/// What the conformance suite's client declares: it can answer every kind of
/// input request.
fn every_capability() -> Value {
    json!({"sampling": {}, "elicitation": {}, "roots": {}})
}

/// Send a stateless request declaring `capabilities`; returns its id.
fn send_with(server: &mut McpProcess, method: &str, params: Value, capabilities: &Value) -> Value {
    server.request(method, stateless_params(params, capabilities))
}

/// A stateless request declaring every capability, and its response.
fn call(server: &mut McpProcess, method: &str, params: Value) -> Value {
    call_with(server, method, params, &every_capability())
}

fn call_with(server: &mut McpProcess, method: &str, params: Value, capabilities: &Value) -> Value {
    let id = send_with(server, method, params, capabilities);
    server.recv_response(&id)
}

/// The result of a response that must have succeeded.
fn result(response: &Value) -> &Value {
    response.get("result").unwrap_or_else(|| panic!("expected a result: {response}"))
}

/// The error of a response that must have failed with `code`.
fn error(response: &Value, code: i64) -> &Value {
    let error = response.get("error").unwrap_or_else(|| panic!("expected error {code}: {response}"));
    assert_eq!(error["code"], code, "{response}");
    error
}

/// A result that completed, with the `resultType` and server name every
/// result of the era carries.
fn complete(response: &Value) -> &Value {
    let result = result(response);
    assert_eq!(result["resultType"], "complete", "{response}");
    assert_eq!(result["_meta"][SERVER_INFO_KEY]["name"], "mcpwire", "{response}");
    assert!(result["_meta"][SERVER_INFO_KEY]["version"].is_string(), "{response}");
    result
}

/// A result that asks for input: its input requests, and its request state.
fn input_required(response: &Value) -> (&serde_json::Map<String, Value>, Option<&Value>) {
    let result = result(response);
    assert_eq!(result["resultType"], "input_required", "{response}");
    let requests = result["inputRequests"].as_object().unwrap_or_else(|| panic!("no inputRequests: {response}"));
    (requests, result.get("requestState"))
}

/// `params` retried with these answers and, when round 1 had one, its state.
fn retry_params(mut params: Value, answers: Value, state: Option<&Value>) -> Value {
    params["inputResponses"] = answers;
    if let Some(state) = state {
        params["requestState"] = state.clone();
    }
    params
}

fn accept(content: Value) -> Value {
    let mut answer = json!({"action": "accept"});
    answer["content"] = content;
    answer
}

fn sampled(text: &str) -> Value {
    json!({"role": "assistant", "content": {"type": "text", "text": text}, "model": "test-model", "stopReason": "endTurn"})
}

fn one_root() -> Value {
    json!({"roots": [{"uri": "file:///test/root", "name": "Test Root"}]})
}

fn call_tool_params(name: &str) -> Value {
    json!({"name": name, "arguments": {}})
}

fn with_method<'a>(messages: &'a [Value], method: &str) -> Vec<&'a Value> {
    messages.iter().filter(|m| m["method"] == method).collect()
}

#[test]
fn discover_names_the_supported_version_capabilities_and_cache_hints() {
    let mut server = McpProcess::spawn();
    let response = call_with(&mut server, "server/discover", json!({}), &json!({}));
    let result = complete(&response);
    assert_eq!(result["supportedVersions"], json!([STATELESS_VERSION]), "{result}");
    for capability in ["tools", "resources", "prompts", "logging", "completions"] {
        assert!(result["capabilities"][capability].is_object(), "`{capability}` is not declared: {result}");
    }
    assert_eq!(result["capabilities"]["tools"]["listChanged"], true, "{result}");
    assert!(result["instructions"].as_str().is_some_and(|i| !i.is_empty()), "{result}");
    assert!(result["ttlMs"].is_u64(), "{result}");
    assert!(["public", "private"].contains(&result["cacheScope"].as_str().unwrap_or_default()), "{result}");
    // The whole Implementation here; every other result names the server by
    // name and version only.
    assert_eq!(result["_meta"][SERVER_INFO_KEY]["title"], "mcpwire reference server", "{result}");
    assert!(result["_meta"][SERVER_INFO_KEY]["description"].is_string(), "{result}");
    let listed = call_with(&mut server, "tools/list", json!({}), &json!({}));
    let info = &complete(&listed)["_meta"][SERVER_INFO_KEY];
    assert_eq!(info.as_object().map(|info| info.len()), Some(2), "only name and version: {info}");
}

#[test]
fn every_result_carries_its_result_type_and_the_server_info() {
    let mut server = McpProcess::spawn();
    let requests = [
        ("tools/list", json!({})),
        ("tools/call", json!({"name": "test_simple_text"})),
        ("tools/call", json!({"name": "test_error_handling", "arguments": {}})),
        ("prompts/list", json!({})),
        ("prompts/get", json!({"name": "test_simple_prompt"})),
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("resources/read", json!({"uri": "test://template/123/data"})),
        (
            "completion/complete",
            json!({"ref": {"type": "ref/prompt", "name": "test_prompt_with_arguments"}, "argument": {"name": "arg1", "value": "t"}}),
        ),
    ];
    for (method, params) in requests {
        complete(&call(&mut server, method, params));
    }
}

#[test]
fn lists_and_reads_carry_cache_hints() {
    let mut server = McpProcess::spawn();
    let requests = [
        ("tools/list", json!({})),
        ("prompts/list", json!({})),
        ("resources/list", json!({})),
        ("resources/templates/list", json!({})),
        ("resources/read", json!({"uri": "test://static-text"})),
    ];
    for (method, params) in requests {
        let response = call(&mut server, method, params);
        let result = complete(&response);
        assert!(result["ttlMs"].is_u64(), "{method}: {result}");
        assert!(
            ["public", "private"].contains(&result["cacheScope"].as_str().unwrap_or_default()),
            "{method}: {result}"
        );
    }
}

#[test]
fn a_stateless_tool_call_needs_no_initialize() {
    let mut server = McpProcess::spawn();
    let response = call(&mut server, "tools/call", json!({"name": "echo", "arguments": {"text": "no handshake"}}));
    assert_eq!(tool_text(complete(&response)), "no handshake");
}

#[test]
fn meta_without_client_capabilities_is_invalid_params() {
    let mut server = McpProcess::spawn();
    let meta = json!({"io.modelcontextprotocol/protocolVersion": STATELESS_VERSION});
    for method in ["server/discover", "tools/list"] {
        let response = server.call(method, json!({"_meta": meta}));
        error(&response, INVALID_PARAMS);
    }
}

#[test]
fn a_protocol_version_that_is_not_a_string_is_invalid_params() {
    let mut server = McpProcess::spawn();
    let meta = json!({"io.modelcontextprotocol/protocolVersion": 20_260_728, "io.modelcontextprotocol/clientCapabilities": {}});
    let response = server.call("server/discover", json!({"_meta": meta}));
    error(&response, INVALID_PARAMS);
}

#[test]
fn client_info_is_optional() {
    let mut server = McpProcess::spawn();
    let meta = json!({"io.modelcontextprotocol/protocolVersion": STATELESS_VERSION, "io.modelcontextprotocol/clientCapabilities": {}});
    let response = server.call("server/discover", json!({"_meta": meta}));
    complete(&response);
}

#[test]
fn an_unsupported_version_is_refused_naming_the_supported_ones() {
    let mut server = McpProcess::spawn();
    let mut params = stateless_params(json!({}), &json!({}));
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("v9");
    let response = server.call("server/discover", params);
    let error = error(&response, UNSUPPORTED_PROTOCOL_VERSION);
    assert_eq!(error["data"], json!({"supported": [STATELESS_VERSION], "requested": "v9"}), "{response}");
}

#[test]
fn a_handshake_era_version_in_meta_is_unsupported() {
    let mut server = McpProcess::spawn();
    let mut params = stateless_params(json!({}), &json!({}));
    params["_meta"]["io.modelcontextprotocol/protocolVersion"] = json!("2025-11-25");
    let response = server.call("tools/list", params);
    let error = error(&response, UNSUPPORTED_PROTOCOL_VERSION);
    assert_eq!(error["data"], json!({"supported": [STATELESS_VERSION], "requested": "2025-11-25"}), "{response}");
}

#[test]
fn methods_the_era_removed_are_method_not_found() {
    let mut server = McpProcess::spawn();
    let removed = [
        ("ping", json!({})),
        ("logging/setLevel", json!({"level": "debug"})),
        ("resources/subscribe", json!({"uri": "test://watched-resource"})),
        ("resources/unsubscribe", json!({"uri": "test://watched-resource"})),
    ];
    for (method, params) in removed {
        let response = call(&mut server, method, params);
        error(&response, METHOD_NOT_FOUND);
    }
    // As the conformance suite sends them: nothing but `_meta`, which would
    // not even parse as their params.
    for method in ["initialize", "ping", "logging/setLevel", "resources/subscribe", "resources/unsubscribe"] {
        let response = call_with(&mut server, method, json!({}), &json!({}));
        error(&response, METHOD_NOT_FOUND);
    }
}

#[test]
fn params_that_do_not_fit_the_method_are_invalid_params() {
    let mut server = McpProcess::spawn();
    let cases = [
        ("tools/call", json!({"arguments": {}})),
        ("resources/read", json!({})),
        ("prompts/get", json!({"name": 5})),
        ("subscriptions/listen", json!({})),
    ];
    for (method, params) in cases {
        let response = call(&mut server, method, params);
        error(&response, INVALID_PARAMS);
    }
}

#[test]
fn initialize_with_meta_is_method_not_found_and_opens_no_session() {
    let mut server = McpProcess::spawn();
    let params = json!({
        "protocolVersion": "2025-11-25",
        "capabilities": {},
        "clientInfo": {"name": "mcpwire-tests", "version": "0"}
    });
    let response = call(&mut server, "initialize", params);
    error(&response, METHOD_NOT_FOUND);
    // No session was opened: a session-era request is still refused.
    let response = server.call("tools/list", json!({}));
    error(&response, -32600);
}

#[test]
fn an_unknown_method_is_method_not_found() {
    let mut server = McpProcess::spawn();
    let response = call(&mut server, "unknown/method", json!({}));
    error(&response, METHOD_NOT_FOUND);
}

#[test]
fn an_unknown_resource_is_invalid_params_naming_the_uri() {
    let mut server = McpProcess::spawn();
    let uri = "test://nonexistent-resource-for-conformance-testing";
    let response = call(&mut server, "resources/read", json!({"uri": uri}));
    let error = error(&response, INVALID_PARAMS);
    assert_eq!(error["data"]["uri"], uri, "{response}");
}

#[test]
fn input_required_elicitation_asks_the_name_then_greets() {
    let mut server = McpProcess::spawn();
    let params = call_tool_params("test_input_required_result_elicitation");
    let first = call(&mut server, "tools/call", params.clone());
    let (requests, state) = input_required(&first);
    let question = &requests["user_name"];
    assert_eq!(question["method"], "elicitation/create", "{first}");
    assert_eq!(question["params"]["message"], "What is your name?", "{first}");
    assert_eq!(question["params"]["requestedSchema"]["required"], json!(["name"]), "{first}");
    let answers = json!({"user_name": accept(json!({"name": "Alice"}))});
    let second = call(&mut server, "tools/call", retry_params(params, answers, state));
    assert_eq!(tool_text(complete(&second)), "Hello, Alice!");
}

#[test]
fn input_required_elicitation_completes_from_its_answer_alone() {
    let mut server = McpProcess::spawn();
    // No round 1 and no requestState; answers nobody asked for are ignored.
    let answers = json!({
        "user_name": accept(json!({"name": "Alice"})),
        "unknown_extra_key": accept(json!({"foo": "bar"}))
    });
    let params = retry_params(call_tool_params("test_input_required_result_elicitation"), answers, None);
    let response = call(&mut server, "tools/call", params);
    assert_eq!(tool_text(complete(&response)), "Hello, Alice!");
}

#[test]
fn input_required_elicitation_asks_again_when_its_answer_is_missing() {
    let mut server = McpProcess::spawn();
    let answers = json!({"wrong_key": accept(json!({"data": "wrong"}))});
    let params = retry_params(call_tool_params("test_input_required_result_elicitation"), answers, None);
    let response = call(&mut server, "tools/call", params);
    let (requests, _) = input_required(&response);
    assert_eq!(requests["user_name"]["method"], "elicitation/create", "{response}");
}

#[test]
fn input_required_sampling_asks_the_capital_question() {
    let mut server = McpProcess::spawn();
    let params = call_tool_params("test_input_required_result_sampling");
    let first = call(&mut server, "tools/call", params.clone());
    let (requests, state) = input_required(&first);
    let question = &requests["capital_question"];
    assert_eq!(question["method"], "sampling/createMessage", "{first}");
    assert_eq!(question["params"]["messages"][0]["content"]["text"], "What is the capital of France?", "{first}");
    assert_eq!(question["params"]["maxTokens"], 100, "{first}");
    let answers = json!({"capital_question": sampled("The capital of France is Paris.")});
    let second = call(&mut server, "tools/call", retry_params(params, answers, state));
    assert_eq!(tool_text(complete(&second)), "Sampling result: The capital of France is Paris.");
}

#[test]
fn input_required_list_roots_asks_for_the_roots() {
    let mut server = McpProcess::spawn();
    let params = call_tool_params("test_input_required_result_list_roots");
    let first = call(&mut server, "tools/call", params.clone());
    let (requests, state) = input_required(&first);
    assert_eq!(requests["client_roots"]["method"], "roots/list", "{first}");
    let answers = json!({"client_roots": one_root()});
    let second = call(&mut server, "tools/call", retry_params(params, answers, state));
    assert_eq!(tool_text(complete(&second)), "Found 1 root(s)");
}

#[test]
fn input_required_request_state_travels_with_the_confirmation() {
    let mut server = McpProcess::spawn();
    let params = call_tool_params("test_input_required_result_request_state");
    let first = call(&mut server, "tools/call", params.clone());
    let (requests, state) = input_required(&first);
    assert_eq!(requests["confirm"]["params"]["message"], "Please confirm", "{first}");
    let state = state.filter(|s| s.as_str().is_some_and(|s| !s.is_empty()));
    assert!(state.is_some(), "round 1 must carry a requestState: {first}");
    let answers = json!({"confirm": accept(json!({"ok": true}))});
    let second = call(&mut server, "tools/call", retry_params(params, answers, state));
    assert_eq!(tool_text(complete(&second)), "state-ok: requestState validated");
}

#[test]
fn input_required_multiple_inputs_are_asked_in_one_round() {
    let mut server = McpProcess::spawn();
    let params = call_tool_params("test_input_required_result_multiple_inputs");
    let first = call(&mut server, "tools/call", params.clone());
    let (requests, state) = input_required(&first);
    let methods: Vec<(&str, &str)> =
        requests.iter().map(|(key, request)| (key.as_str(), request["method"].as_str().unwrap_or_default())).collect();
    assert_eq!(
        methods,
        [("client_roots", "roots/list"), ("greeting", "sampling/createMessage"), ("user_name", "elicitation/create")],
        "{first}"
    );
    assert!(state.is_some(), "round 1 must carry a requestState: {first}");
    let answers = json!({
        "user_name": accept(json!({"name": "Alice"})),
        "greeting": sampled("Hello there!"),
        "client_roots": one_root()
    });
    let second = call(&mut server, "tools/call", retry_params(params, answers, state));
    assert_eq!(tool_text(complete(&second)), "Name: Alice; Greeting: Hello there!; Roots: 1");
}

#[test]
fn input_required_multi_round_asks_twice_with_a_new_state_each_round() {
    let mut server = McpProcess::spawn();
    let params = call_tool_params("test_input_required_result_multi_round");
    let first = call(&mut server, "tools/call", params.clone());
    let (requests, first_state) = input_required(&first);
    assert_eq!(requests["step1"]["params"]["message"], "Step 1: What is your name?", "{first}");
    assert!(first_state.is_some(), "round 1 must carry a requestState: {first}");

    let answers = json!({"step1": accept(json!({"name": "Alice"}))});
    let second = call(&mut server, "tools/call", retry_params(params.clone(), answers, first_state));
    let (requests, second_state) = input_required(&second);
    assert_eq!(requests["step2"]["params"]["message"], "Step 2: What is your favorite color?", "{second}");
    assert!(second_state.is_some() && second_state != first_state, "round 2 needs a state of its own: {second}");

    // Only the new answer: the state carries the first.
    let answers = json!({"step2": accept(json!({"color": "blue"}))});
    let third = call(&mut server, "tools/call", retry_params(params, answers, second_state));
    assert_eq!(tool_text(complete(&third)), "Multi-round complete for Alice who likes blue");
}

#[test]
fn a_tampered_request_state_is_invalid_params() {
    let mut server = McpProcess::spawn();
    let params = call_tool_params("test_input_required_result_tampered_state");
    let first = call(&mut server, "tools/call", params.clone());
    let (requests, state) = input_required(&first);
    assert!(requests.contains_key("confirm"), "{first}");
    let state = state.and_then(Value::as_str).unwrap_or_else(|| panic!("round 1 must carry a requestState: {first}"));
    let tampered = json!(format!("{state}-TAMPERED"));
    let answers = json!({"confirm": accept(json!({"ok": true}))});
    let second = call(&mut server, "tools/call", retry_params(params, answers, Some(&tampered)));
    error(&second, INVALID_PARAMS);
}

#[test]
fn a_request_state_from_another_process_is_invalid_params() {
    // Each process seals requestState with a random key of its own, so state
    // that one issued is refused by another: integrity protection at work.
    let mut issuer = McpProcess::spawn();
    let mut stranger = McpProcess::spawn();
    let params = call_tool_params("test_input_required_result_request_state");
    let first = call(&mut issuer, "tools/call", params.clone());
    let (_, state) = input_required(&first);
    assert!(state.is_some(), "round 1 must carry a requestState: {first}");
    let retry = retry_params(params, json!({"confirm": accept(json!({"ok": true}))}), state);
    let refused = call(&mut stranger, "tools/call", retry.clone());
    error(&refused, INVALID_PARAMS);
    // The same retry is good where the state came from.
    let accepted = call(&mut issuer, "tools/call", retry);
    assert_eq!(tool_text(complete(&accepted)), "state-ok: requestState validated");
}

#[test]
fn input_required_asks_only_what_the_client_declared() {
    let mut server = McpProcess::spawn();
    let params = call_tool_params("test_input_required_result_capabilities");
    let response = call_with(&mut server, "tools/call", params, &json!({"sampling": {}}));
    let (requests, _) = input_required(&response);
    let methods: Vec<&str> = requests.values().filter_map(|r| r["method"].as_str()).collect();
    assert_eq!(methods, ["sampling/createMessage"], "{response}");
    assert!(requests.contains_key("sample_input"), "{response}");
}

#[test]
fn input_required_prompt_asks_for_its_context() {
    let mut server = McpProcess::spawn();
    let params = json!({"name": "test_input_required_result_prompt"});
    let first = call(&mut server, "prompts/get", params.clone());
    let (requests, state) = input_required(&first);
    let question = &requests["user_context"];
    assert_eq!(question["method"], "elicitation/create", "{first}");
    assert_eq!(question["params"]["message"], "What context should the prompt use?", "{first}");
    let answers = json!({"user_context": accept(json!({"context": "test context"}))});
    let second = call(&mut server, "prompts/get", retry_params(params, answers, state));
    let messages = &complete(&second)["messages"];
    let expected = json!([{"role": "user", "content": {"type": "text", "text": "Prompt with context: test context"}}]);
    assert_eq!(*messages, expected, "{second}");
}

#[test]
fn a_tool_needing_sampling_without_it_is_missing_capability() {
    let mut server = McpProcess::spawn();
    let params = call_tool_params("test_missing_capability");
    let refused = call_with(&mut server, "tools/call", params.clone(), &json!({"elicitation": {}}));
    let error = error(&refused, MISSING_REQUIRED_CLIENT_CAPABILITY);
    assert_eq!(error["data"]["requiredCapabilities"], json!({"sampling": {}}), "{refused}");
    let served = call_with(&mut server, "tools/call", params, &json!({"sampling": {}}));
    assert_eq!(tool_text(complete(&served)), "Success");
}

/// Run the logging fixture with this `_meta` log level (or none); the log
/// messages that came before its answer.
fn logs_of_logging_tool(server: &mut McpProcess, level: Option<&str>) -> Vec<Value> {
    let mut params = call_tool_params("test_logging_tool");
    if let Some(level) = level {
        params["_meta"] = json!({LOG_LEVEL_KEY: level});
    }
    let id = send_with(server, "tools/call", params, &every_capability());
    let (before, response) = server.recv_response_and_preceding(&id);
    assert_eq!(tool_text(complete(&response)), "Logging evaluated");
    with_method(&before, "notifications/message").into_iter().cloned().collect()
}

#[test]
fn the_logging_tool_logs_only_when_meta_asks_for_a_level() {
    let mut server = McpProcess::spawn();
    let silent = logs_of_logging_tool(&mut server, None);
    assert!(silent.is_empty(), "a request without a log level got logs: {silent:?}");
    let logged = logs_of_logging_tool(&mut server, Some("debug"));
    assert_eq!(logged.len(), 1, "{logged:?}");
    assert_eq!(logged[0]["params"]["level"], "info", "{logged:?}");
    // The level is a minimum, as `logging/setLevel`'s was.
    let above = logs_of_logging_tool(&mut server, Some("error"));
    assert!(above.is_empty(), "an info message got past level `error`: {above:?}");
}

#[test]
fn progress_of_a_stateless_call_precedes_its_result() {
    let mut server = McpProcess::spawn();
    let params =
        json!({"name": "test_tool_with_progress", "arguments": {}, "_meta": {"progressToken": "progress-test-1"}});
    let id = send_with(&mut server, "tools/call", params, &every_capability());
    let (before, response) = server.recv_response_and_preceding(&id);
    let progress = with_method(&before, "notifications/progress");
    let steps: Vec<f64> = progress.iter().filter_map(|p| p["params"]["progress"].as_f64()).collect();
    assert_eq!(steps, [0.0, 50.0, 100.0], "{before:?}");
    for notification in &progress {
        assert_eq!(notification["params"]["progressToken"], "progress-test-1", "{notification}");
    }
    assert_eq!(tool_text(complete(&response)), "progress-test-1");
}

/// Open a listen stream with this filter; its id, after checking that the
/// acknowledgement came first and echoes the filter, tagged with the id.
fn listen(server: &mut McpProcess, filter: &Value) -> Value {
    let id = send_with(server, "subscriptions/listen", json!({"notifications": filter}), &json!({}));
    let ack = server.recv();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged", "the first message must be the ack: {ack}");
    assert_eq!(ack["params"]["notifications"], *filter, "{ack}");
    assert_eq!(ack["params"]["_meta"][SUBSCRIPTION_ID_KEY], id, "{ack}");
    id
}

/// Call a trigger fixture; the notifications written before its answer. The
/// trigger announces the change before it answers, so every announcement it
/// makes is among them.
fn trigger(server: &mut McpProcess, tool: &str) -> Vec<Value> {
    let id = send_with(server, "tools/call", call_tool_params(tool), &json!({}));
    let (before, response) = server.recv_response_and_preceding(&id);
    assert_eq!(tool_text(complete(&response)), "Mutation triggered");
    before
}

#[test]
fn listen_is_acknowledged_first_echoing_its_filter_and_tagged_with_its_id() {
    let mut server = McpProcess::spawn();
    listen(&mut server, &json!({"toolsListChanged": true}));
    listen(&mut server, &json!({"toolsListChanged": true, "promptsListChanged": true}));
}

#[test]
fn a_tool_change_reaches_a_listener_that_asked_for_it_tagged_with_its_id() {
    let mut server = McpProcess::spawn();
    let listener = listen(&mut server, &json!({"toolsListChanged": true}));
    let before = trigger(&mut server, "test_trigger_tool_change");
    let changes = with_method(&before, "notifications/tools/list_changed");
    assert_eq!(changes.len(), 1, "{before:?}");
    assert_eq!(changes[0]["params"]["_meta"][SUBSCRIPTION_ID_KEY], listener, "{before:?}");
}

#[test]
fn each_listener_gets_the_change_tagged_with_its_own_id() {
    let mut server = McpProcess::spawn();
    let first = listen(&mut server, &json!({"toolsListChanged": true}));
    let second = listen(&mut server, &json!({"toolsListChanged": true}));
    let before = trigger(&mut server, "test_trigger_tool_change");
    let mut tags: Vec<Value> = with_method(&before, "notifications/tools/list_changed")
        .iter()
        .map(|n| n["params"]["_meta"][SUBSCRIPTION_ID_KEY].clone())
        .collect();
    tags.sort_by_key(Value::to_string);
    assert_eq!(tags, [first, second], "{before:?}");
}

#[test]
fn a_listener_that_did_not_ask_for_tool_changes_gets_none() {
    let mut server = McpProcess::spawn();
    let listener = listen(&mut server, &json!({"promptsListChanged": true}));
    let tools = trigger(&mut server, "test_trigger_tool_change");
    assert!(with_method(&tools, "notifications/tools/list_changed").is_empty(), "{tools:?}");
    // The listener is live: what it asked for does reach it.
    let prompts = trigger(&mut server, "test_trigger_prompt_change");
    let changes = with_method(&prompts, "notifications/prompts/list_changed");
    assert_eq!(changes.len(), 1, "{prompts:?}");
    assert_eq!(changes[0]["params"]["_meta"][SUBSCRIPTION_ID_KEY], listener, "{prompts:?}");
}

#[test]
fn cancelling_a_listen_ends_it_without_an_answer() {
    let mut server = McpProcess::spawn();
    let listener = listen(&mut server, &json!({"toolsListChanged": true}));
    server.notify("notifications/cancelled", json!({"requestId": listener}));
    // Handled after the cancellation, so the stream is gone by then.
    let before = trigger(&mut server, "test_trigger_tool_change");
    assert!(before.is_empty(), "a cancelled listen still hears: {before:?}");
    server.close_stdin();
    let rest = server.recv_until_eof();
    assert!(rest.iter().all(|m| m["id"] != listener), "a cancelled listen was answered: {rest:?}");
}

#[test]
fn closing_stdin_ends_a_listen_with_its_result() {
    let mut server = McpProcess::spawn();
    let listener = listen(&mut server, &json!({"toolsListChanged": true}));
    server.close_stdin();
    let rest = server.recv_until_eof();
    let [answer] = rest.as_slice() else { panic!("expected only the listen's answer: {rest:?}") };
    assert_eq!(answer["id"], listener, "{answer}");
    let result = complete(answer);
    assert_eq!(result["_meta"][SUBSCRIPTION_ID_KEY], listener, "{answer}");
}

#[test]
fn one_connection_serves_both_eras_side_by_side() {
    let mut server = McpProcess::initialized(json!({}));
    let echo = |text: &str| json!({"name": "echo", "arguments": {"text": text}});

    let legacy = server.call_ok("tools/call", echo("session"));
    assert_eq!(tool_text(&legacy), "session");
    assert_eq!(legacy.get("resultType"), None, "a session's result is as its revision has it: {legacy}");

    let stateless = call(&mut server, "tools/call", echo("stateless"));
    assert_eq!(tool_text(complete(&stateless)), "stateless");

    let again = server.call_ok("tools/call", echo("session again"));
    assert_eq!(tool_text(&again), "session again");
    assert_eq!(again.get("resultType"), None, "{again}");
    server.assert_serving();
}

#[test]
fn a_stateless_request_uses_its_own_capabilities_not_the_sessions() {
    let mut server = McpProcess::initialized(json!({"sampling": {}}));
    let params = call_tool_params("test_missing_capability");
    let refused = call_with(&mut server, "tools/call", params.clone(), &json!({}));
    error(&refused, MISSING_REQUIRED_CLIENT_CAPABILITY);
    let served = server.call_ok("tools/call", params);
    assert_eq!(tool_text(&served), "Success");
}

#[test]
fn a_change_reaches_a_session_and_a_listener_each_in_its_own_era() {
    let mut server = McpProcess::initialized(json!({}));
    let listener = listen(&mut server, &json!({"toolsListChanged": true}));
    // A session's trigger: the session hears it untagged, the listener tagged.
    let id = server.request("tools/call", call_tool_params("test_trigger_tool_change"));
    let (before, _) = server.recv_response_and_preceding(&id);
    let changes = with_method(&before, "notifications/tools/list_changed");
    let mut tags: Vec<Option<&Value>> =
        changes.iter().map(|n| n.pointer("/params/_meta").and_then(|m| m.get(SUBSCRIPTION_ID_KEY))).collect();
    tags.sort_by_key(|tag| tag.map(Value::to_string));
    assert_eq!(tags, [None, Some(&listener)], "{before:?}");
}

#[test]
fn discover_without_meta_is_invalid_params() {
    let mut server = McpProcess::spawn();
    for params in [json!({}), Value::Null] {
        let response = server.call("server/discover", params.clone());
        assert_eq!(response["error"]["code"].as_i64(), Some(-32602), "with params {params}: {response}");
    }
}

#[test]
fn meta_without_a_protocol_version_is_invalid_params() {
    let mut server = McpProcess::spawn();
    let meta = json!({
        "io.modelcontextprotocol/clientInfo": {"name": "mcpwire-tests", "version": "0"},
        "io.modelcontextprotocol/clientCapabilities": {}
    });
    let response = server.call("server/discover", json!({"_meta": meta}));
    assert_eq!(response["error"]["code"].as_i64(), Some(-32602), "{response}");
}
