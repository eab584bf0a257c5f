//! Every request gets exactly one answer with the right code, and nothing a
//! client sends stops the server: bad input, panics, cancellation, overload,
//! duplicate ids and shutdown.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use mcpwire_protocol::types::Tool;
use mcpwire_server::{HandlerError, Server, ServerConfig, ToolRoute};
use serde_json::{Value, json};
use tokio::io::AsyncWrite;
use tokio::sync::{Notify, mpsc};

use crate::support::{Client, LATEST, PATIENCE, sample_server};

in_both_runtimes![
    each_kind_of_bad_input_gets_its_own_code_and_the_server_keeps_serving,
    notifications_and_answers_nobody_asked_for_get_silence,
    a_tool_that_fails_or_gets_wrong_arguments_answers_is_error,
    a_panicking_handler_gets_internal_error_and_the_server_keeps_serving,
    a_cancelled_request_stops_its_handler_and_gets_no_answer,
    beyond_the_limit_requests_are_refused_at_once_while_ping_still_works,
    a_request_id_in_use_is_refused,
    a_request_cancelled_as_it_arrives_gets_no_answer_and_its_handler_is_stopped,
    a_request_id_repeated_before_its_handler_ran_is_refused,
    a_long_burst_gets_its_first_answers_before_its_last_handlers_run,
    integer_and_string_ids_are_different_requests,
    shutdown_lets_quick_handlers_finish_then_answers_the_rest_with_an_error_and_returns,
    shutdown_resolves_requests_waiting_on_the_client,
    requests_that_arrive_once_shutdown_began_are_answered_without_being_started,
];

async fn each_kind_of_bad_input_gets_its_own_code_and_the_server_keeps_serving() {
    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    let cases: [(&[u8], i64, Value); 6] = [
        (b"this is not json\n", -32700, Value::Null),
        (b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\xff\"}\n", -32700, Value::Null),
        (br#"{"jsonrpc":"1.0","id":2,"method":"ping"}"#, -32600, json!(2)),
        (br#"{"jsonrpc":"2.0","id":3,"method":"no/such"}"#, -32601, json!(3)),
        (br#"{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":7}}"#, -32602, json!(4)),
        (br#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"nope"}}"#, -32602, json!(5)),
    ];
    for (line, code, id) in cases {
        let mut line = line.to_vec();
        if line.last() != Some(&b'\n') {
            line.push(b'\n');
        }
        client.send_raw(&line).await;
        let answer = client.next().await;
        assert_eq!(answer["error"]["code"], code, "for {:?}: {answer}", String::from_utf8_lossy(&line));
        assert_eq!(answer["id"], id);
        assert_eq!(client.request("alive", "ping", None).await.unwrap(), json!({}));
    }
}

async fn notifications_and_answers_nobody_asked_for_get_silence() {
    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    client.notify("notifications/no_such_thing", Some(json!({"x": 1}))).await;
    client.send(json!({"jsonrpc": "2.0", "id": 424242, "result": {}})).await;
    client.send(json!({"jsonrpc": "2.0", "id": 424243, "error": {"code": 1, "message": "?"}})).await;
    assert!(client.drain().await.is_empty());
}

async fn a_tool_that_fails_or_gets_wrong_arguments_answers_is_error() {
    let server = Server::builder("s", "1")
        .tool(ToolRoute::raw(Tool::new("fails", "Always fails"), |_a, _c| async {
            Err::<String, _>(HandlerError::new("it broke"))
        }))
        .tool(ToolRoute::raw(Tool::new("io", "Fails with an io::Error"), |_a, _c| async {
            std::fs::read("/definitely/not/here")?;
            Ok::<_, HandlerError>("unreachable")
        }))
        .tool(ToolRoute::raw(Tool::new("protocol", "Fails with a JSON-RPC error"), |_a, _c| async {
            Err::<String, _>(HandlerError::invalid_params("bad shape"))
        }))
        .build();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    let result = client.request(1, "tools/call", Some(json!({"name": "fails"}))).await.unwrap();
    assert_eq!(result, json!({"content": [{"type": "text", "text": "it broke"}], "isError": true}));
    let result = client.request(2, "tools/call", Some(json!({"name": "io"}))).await.unwrap();
    assert_eq!(result["isError"], true);
    let error = client.request(3, "tools/call", Some(json!({"name": "protocol"}))).await.unwrap_err();
    assert_eq!(error["code"], -32602);

    let mut client = Client::initialized(&sample_server(), LATEST, json!({})).await;
    let result = client.request(4, "tools/call", Some(json!({"name": "echo", "arguments": {"text": 5}}))).await;
    let result = result.unwrap();
    assert_eq!(result["isError"], true);
    assert!(result["content"][0]["text"].as_str().unwrap().contains("invalid arguments"), "{result}");
}

async fn a_panicking_handler_gets_internal_error_and_the_server_keeps_serving() {
    let server = Server::builder("s", "1")
        .tool(ToolRoute::raw(Tool::new("panics", "Panics"), |_a, _c| async {
            if true {
                panic!("deliberate test panic");
            }
            Ok::<_, HandlerError>("unreachable")
        }))
        .tool(ToolRoute::raw(Tool::new("panics_early", "Panics before its future exists"), |_a, _c| {
            panic!("deliberate panic while building the future");
            #[allow(unreachable_code)]
            async {
                Ok::<_, HandlerError>("unreachable")
            }
        }))
        .build();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    for (id, name) in [(1, "panics"), (2, "panics_early")] {
        let error = client.request(id, "tools/call", Some(json!({"name": name}))).await.unwrap_err();
        assert_eq!(error["code"], -32603);
        assert!(error["message"].as_str().unwrap().contains("deliberate"), "{error}");
        assert_eq!(client.request("after", "ping", None).await.unwrap(), json!({}));
    }
}

/// A tool that reports when it starts and when its future is dropped, and
/// otherwise waits forever.
fn blocking_server(config: ServerConfig) -> (Server, mpsc::UnboundedReceiver<&'static str>) {
    let (events_tx, events) = mpsc::unbounded_channel();
    struct OnDrop(mpsc::UnboundedSender<&'static str>);
    impl Drop for OnDrop {
        fn drop(&mut self) {
            let _ = self.0.send("dropped");
        }
    }
    let server = Server::builder("s", "1")
        .config(config)
        .tool(ToolRoute::raw(Tool::new("block", "Waits forever"), move |_a, _c| {
            let events = events_tx.clone();
            async move {
                let _guard = OnDrop(events.clone());
                let _ = events.send("started");
                std::future::pending::<()>().await;
                Ok::<_, HandlerError>("unreachable")
            }
        }))
        .build();
    (server, events)
}

async fn next_event(events: &mut mpsc::UnboundedReceiver<&'static str>) -> &'static str {
    tokio::time::timeout(PATIENCE, events.recv()).await.expect("event in time").expect("channel open")
}

async fn a_cancelled_request_stops_its_handler_and_gets_no_answer() {
    let (server, mut events) = blocking_server(ServerConfig::default());
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "block"}))).await;
    assert_eq!(next_event(&mut events).await, "started");
    client.notify("notifications/cancelled", Some(json!({"requestId": 1, "reason": "changed my mind"}))).await;
    assert_eq!(next_event(&mut events).await, "dropped");
    assert!(client.drain().await.is_empty(), "no answer for a cancelled request");
}

async fn beyond_the_limit_requests_are_refused_at_once_while_ping_still_works() {
    let config = ServerConfig { max_concurrent_requests: 2, ..ServerConfig::default() };
    let (server, mut events) = blocking_server(config);
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    for id in [1, 2] {
        client.start_request(id, "tools/call", Some(json!({"name": "block"}))).await;
        assert_eq!(next_event(&mut events).await, "started");
    }
    let error = client.request(3, "tools/call", Some(json!({"name": "block"}))).await.unwrap_err();
    assert_eq!(error["code"], -32000);
    assert_eq!(client.request(4, "ping", None).await.unwrap(), json!({}));
    // Room again once one finishes.
    client.notify("notifications/cancelled", Some(json!({"requestId": 1}))).await;
    assert_eq!(next_event(&mut events).await, "dropped");
    client.start_request(5, "tools/call", Some(json!({"name": "block"}))).await;
    assert_eq!(next_event(&mut events).await, "started");
}

async fn a_request_id_in_use_is_refused() {
    let (server, mut events) = blocking_server(ServerConfig::default());
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    client.start_request("same", "tools/call", Some(json!({"name": "block"}))).await;
    assert_eq!(next_event(&mut events).await, "started");
    let error = client.request("same", "tools/call", Some(json!({"name": "block"}))).await.unwrap_err();
    assert_eq!(error["code"], -32600);
}

/// Two messages in one write reach the processor before any handler runs.
async fn send_together(client: &mut Client, first: Value, second: Value) {
    client.send_raw(format!("{first}\n{second}\n").as_bytes()).await;
}

async fn a_request_cancelled_as_it_arrives_gets_no_answer_and_its_handler_is_stopped() {
    let (server, mut events) = blocking_server(ServerConfig::default());
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "block"}});
    let cancel = json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1}});
    send_together(&mut client, request, cancel).await;
    assert!(client.drain().await.is_empty(), "no answer for a cancelled request");
    // Its handler may or may not have had its first poll (on a multi-threaded
    // runtime it can start beside the processor); either way it is stopped.
    if let Ok(event) = events.try_recv() {
        assert_eq!(event, "started");
        assert_eq!(next_event(&mut events).await, "dropped");
    }
    // The id is free again.
    client.start_request(1, "tools/call", Some(json!({"name": "block"}))).await;
    assert_eq!(next_event(&mut events).await, "started");
}

async fn a_request_id_repeated_before_its_handler_ran_is_refused() {
    let (server, mut events) = blocking_server(ServerConfig::default());
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    let request = json!({"jsonrpc": "2.0", "id": "same", "method": "tools/call", "params": {"name": "block"}});
    send_together(&mut client, request.clone(), request).await;
    let error = client.response(&json!("same")).await.unwrap_err();
    assert_eq!(error["code"], -32600);
    assert_eq!(next_event(&mut events).await, "started");
    assert!(events.try_recv().is_err(), "only the first one runs");
}

/// Counts the lines a server has written, as its writes happen.
struct LineCounter<W> {
    inner: W,
    lines: Arc<AtomicUsize>,
}

impl<W: AsyncWrite + Unpin> AsyncWrite for LineCounter<W> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let written = Pin::new(&mut self.inner).poll_write(cx, buf);
        if let Poll::Ready(Ok(n)) = written {
            self.lines.fetch_add(buf[..n].iter().filter(|&&b| b == b'\n').count(), Ordering::SeqCst);
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

async fn a_long_burst_gets_its_first_answers_before_its_last_handlers_run() {
    // The tool answers with how many lines the server had written when it ran.
    let lines = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&lines);
    let server = Server::builder("s", "1")
        .tool(ToolRoute::raw(Tool::new("written", "Lines written so far"), move |_a, _c| {
            let written = seen.load(Ordering::SeqCst);
            async move { Ok::<_, HandlerError>(written.to_string()) }
        }))
        .build();
    let counter = Arc::clone(&lines);
    let mut client = Client::connect_through(&server, move |inner| LineCounter { inner, lines: counter });
    client.initialize(LATEST, json!({})).await;
    client.notify("notifications/initialized", None).await;

    // Long enough that on a multi-threaded runtime, where the writer is just
    // another task that may wait behind handlers, it surely runs mid-burst.
    const BURST: usize = 200;
    let burst: String = (1..=BURST)
        .map(|id| {
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": "written"}}).to_string()
                + "\n"
        })
        .collect();
    client.send_raw(burst.as_bytes()).await;
    let mut written = Vec::new();
    for id in 1..=BURST {
        let result = client.response(&json!(id)).await.unwrap();
        written.push(result["content"][0]["text"].as_str().unwrap().parse::<usize>().unwrap());
    }
    // Handlers may run in any order beside each other on a multi-threaded
    // runtime; what matters is that some ran after many answers were out.
    let (first, last) = (written.iter().min().unwrap(), written.iter().max().unwrap());
    assert!(
        *last >= first + 16,
        "answers went out while the burst was still being worked on (the earliest handler saw {first} lines, the latest {last}): {written:?}"
    );
}

async fn integer_and_string_ids_are_different_requests() {
    let (server, mut events) = blocking_server(ServerConfig::default());
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "block"}))).await;
    client.start_request("1", "tools/call", Some(json!({"name": "block"}))).await;
    assert_eq!(next_event(&mut events).await, "started");
    assert_eq!(next_event(&mut events).await, "started");
    client.notify("notifications/cancelled", Some(json!({"requestId": "1"}))).await;
    assert_eq!(next_event(&mut events).await, "dropped");
    assert!(events.try_recv().is_err(), "only the string id was cancelled");
}

async fn shutdown_lets_quick_handlers_finish_then_answers_the_rest_with_an_error_and_returns() {
    let finished = Arc::new(AtomicUsize::new(0));
    let release = Arc::new(Notify::new());
    let server = Server::builder("s", "1")
        .tool(ToolRoute::raw(Tool::new("quick", "Finishes within the grace period"), {
            let finished = Arc::clone(&finished);
            move |_a, _c| {
                let finished = Arc::clone(&finished);
                async move {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    finished.fetch_add(1, Ordering::SeqCst);
                    Ok::<_, HandlerError>("quick")
                }
            }
        }))
        .tool(ToolRoute::raw(Tool::new("forever", "Never finishes"), {
            let release = Arc::clone(&release);
            move |_a, _c| {
                let release = Arc::clone(&release);
                async move {
                    release.notified().await;
                    Ok::<_, HandlerError>("released")
                }
            }
        }))
        .build();
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "quick"}))).await;
    client.start_request(2, "tools/call", Some(json!({"name": "forever"}))).await;
    client.start_request(3, "tools/call", Some(json!({"name": "forever"}))).await;
    // The client gives up on 3 itself: that one must stay unanswered.
    client.notify("notifications/cancelled", Some(json!({"requestId": 3}))).await;
    // All are running (or cancelled) once a later ping is answered (requests are handled in order).
    client.request("p", "ping", None).await.unwrap();
    let started = tokio::time::Instant::now();
    client.shut_down();
    let served = tokio::time::timeout(PATIENCE, &mut client.served).await.expect("serve returns");
    assert!(served.unwrap().is_ok());
    assert!(started.elapsed() < Duration::from_secs(1), "shutdown took {:?}", started.elapsed());
    let rest = client.read_to_end().await;
    assert_eq!(finished.load(Ordering::SeqCst), 1);
    let answers = |id: i64| rest.iter().filter(move |m| m["id"] == id).collect::<Vec<_>>();
    assert_eq!(answers(1).len(), 1, "the quick handler's answer was flushed: {rest:?}");
    assert_eq!(answers(1)[0]["result"]["content"][0]["text"], "quick");
    // The client is still reading, so the handler stopped at shutdown is
    // answered: with an error that says why, exactly once.
    let stopped = answers(2);
    assert_eq!(stopped.len(), 1, "the stopped handler is answered once: {rest:?}");
    assert_eq!(stopped[0]["error"]["code"], -32000, "{}", stopped[0]);
    assert!(stopped[0]["error"]["message"].as_str().unwrap().contains("shutting down"), "{}", stopped[0]);
    assert!(answers(3).is_empty(), "the request the client cancelled got an answer: {rest:?}");
}

async fn shutdown_resolves_requests_waiting_on_the_client() {
    let server = Server::builder("s", "1")
        .tool(ToolRoute::raw(Tool::new("ask", "Asks the client and reports"), |_a, ctx| async move {
            let outcome = match ctx.list_roots().await {
                Ok(_) => "answered".to_owned(),
                Err(error) => error.to_string(),
            };
            Ok::<_, HandlerError>(outcome)
        }))
        .build();
    let mut client = Client::initialized(&server, LATEST, json!({"roots": {}})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "ask"}))).await;
    client.server_request("roots/list").await;
    // The client closes its side without answering: the waiter must resolve,
    // not hang until the request timeout.
    client.close().await;
    let served = tokio::time::timeout(PATIENCE, &mut client.served).await.expect("serve returns promptly");
    assert!(served.unwrap().is_ok());
    let rest = client.read_to_end().await;
    let answer = rest.iter().find(|m| m["id"] == 1).expect("the handler answered");
    assert!(answer["result"]["content"][0]["text"].as_str().unwrap().contains("closed"), "{answer}");
}

/// The reader keeps reading while running handlers get their grace: what
/// it takes then is answered at once, never started, never left silent.
async fn requests_that_arrive_once_shutdown_began_are_answered_without_being_started() {
    let (server, mut events) = blocking_server(ServerConfig::default());
    let mut client = Client::initialized(&server, LATEST, json!({})).await;
    client.start_request(1, "tools/call", Some(json!({"name": "block"}))).await;
    assert_eq!(next_event(&mut events).await, "started");
    client.shut_down();
    client.start_request(2, "tools/call", Some(json!({"name": "block"}))).await;
    client.start_request(3, "ping", None).await;
    let served = tokio::time::timeout(PATIENCE, &mut client.served).await.expect("serve returns");
    assert!(served.unwrap().is_ok());
    let rest = client.read_to_end().await;
    for id in [2, 3] {
        let answers: Vec<_> = rest.iter().filter(|m| m["id"] == id).collect();
        assert_eq!(answers.len(), 1, "request {id} is answered once: {rest:?}");
        assert_eq!(answers[0]["error"]["code"], -32000, "{}", answers[0]);
        assert!(answers[0]["error"]["message"].as_str().unwrap().contains("not started"), "{}", answers[0]);
    }
    assert_eq!(next_event(&mut events).await, "dropped", "the running handler is stopped");
    assert!(events.try_recv().is_err(), "request 2 never started: {rest:?}");
}
