//! The transport end to end over in-memory pipes: requests and their waiters,
//! and the back-pressure properties (a stalled peer never stops the reader,
//! nothing that must arrive is dropped, a notification flood stays bounded).

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use mcpwire_protocol::types::{LoggingLevel, LoggingMessageNotificationParams};
use mcpwire_protocol::{ErrorObject, PingRequest, RequestId, ServerNotification};
use mcpwire_transport::{Connection, Error, Incoming, OutgoingMessageSender, RequestOptions, TransportConfig, TrySend};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::mpsc;
use tokio::time::timeout;

/// Registers async tests to run on both kinds of Tokio runtime, as a library
/// user may choose either: for each name, a module with a `current_thread`
/// and a `multi_thread` test. The two tests that pause time stay on a
/// current-thread runtime, the only one whose clock Tokio can pause.
macro_rules! in_both_runtimes {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "current_thread")]
            async fn current_thread() {
                super::$name().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn multi_thread() {
                super::$name().await;
            }
        }
    )*};
}

in_both_runtimes![
    answer_that_arrives_before_anyone_waits_is_not_lost,
    error_reply_resolves_its_waiter_with_the_peers_error,
    typed_request_returns_the_typed_result,
    dropped_future_withdraws_the_request_and_tells_the_peer,
    cancel_token_withdraws_the_request,
    closing_resolves_a_hundred_pending_requests_at_once,
    peer_hanging_up_resolves_pending_requests,
    ten_thousand_concurrent_requests_get_unique_ids_and_their_own_answers,
    stalled_peer_flood_stays_within_budget_and_the_flooder_resumes_when_the_peer_reads,
    stalled_peer_request_burst_is_read_processed_and_answered_in_full,
];

/// Generous: only a hang reaches it.
const PATIENCE: Duration = Duration::from_secs(20);

/// A peer speaking raw lines, so a test decides exactly when it reads.
struct RawPeer {
    lines: tokio::io::Lines<BufReader<ReadHalf<DuplexStream>>>,
    writer: WriteHalf<DuplexStream>,
}

impl RawPeer {
    async fn send(&mut self, message: Value) {
        let mut line = serde_json::to_vec(&message).unwrap();
        line.push(b'\n');
        self.writer.write_all(&line).await.unwrap();
    }

    async fn recv(&mut self) -> Value {
        let line = timeout(PATIENCE, self.lines.next_line()).await.expect("peer waited too long").unwrap();
        serde_json::from_str(&line.expect("server closed the connection")).unwrap()
    }
}

/// A server-side connection over a pipe of `pipe_bytes`, and the raw peer.
fn connect_raw(config: &TransportConfig, pipe_bytes: usize) -> (Connection, RawPeer) {
    let (server, peer) = tokio::io::duplex(pipe_bytes);
    let (server_read, server_write) = tokio::io::split(server);
    let (peer_read, peer_write) = tokio::io::split(peer);
    let connection = Connection::new(server_read, server_write, config);
    (connection, RawPeer { lines: BufReader::new(peer_read).lines(), writer: peer_write })
}

/// A minimal processor: `echo` answers with its params; `ask` asks the peer a
/// `question` and answers with what it said. Every request runs in its own
/// task, so the loop itself never waits.
fn serve(
    mut incoming: mpsc::Receiver<Incoming>,
    sender: Arc<OutgoingMessageSender>,
) -> mpsc::UnboundedReceiver<String> {
    let (seen_tx, seen) = mpsc::unbounded_channel::<String>();
    tokio::spawn(async move {
        while let Some(message) = incoming.recv().await {
            let Incoming::Request(request) = message else { continue };
            let _ = seen_tx.send(request.method.to_string());
            let sender = Arc::clone(&sender);
            tokio::spawn(async move {
                match &*request.method {
                    "echo" => {
                        let params: Value = serde_json::from_str(request.params.as_ref().unwrap().get()).unwrap();
                        sender.send_response(request.id, &params);
                    }
                    "ask" => match sender.send_request("question", None).await {
                        Ok(answer) => {
                            let answer: Value = serde_json::from_str(answer.get()).unwrap();
                            sender.send_response(request.id, &json!({ "answer": answer }));
                        }
                        Err(error) => {
                            sender.send_error(Some(request.id), ErrorObject::internal_error(error.to_string()));
                        }
                    },
                    other => sender.send_error(Some(request.id), ErrorObject::method_not_found(other)),
                }
            });
        }
    });
    seen
}

fn log(index: usize) -> ServerNotification {
    ServerNotification::LoggingMessage(LoggingMessageNotificationParams {
        level: LoggingLevel::Info,
        logger: None,
        data: json!({ "index": index, "padding": "x".repeat(64) }),
        meta: None,
    })
}

async fn answer_that_arrives_before_anyone_waits_is_not_lost() {
    let (client, mut server) = Connection::memory(&TransportConfig::default());
    let (answered_tx, answered) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let Some(Incoming::Request(request)) = server.incoming.recv().await else { panic!("expected a request") };
        server.sender.send_response(request.id, &json!("early"));
        answered_tx.send(()).unwrap();
        // Keep the server's side open until the test is done with it.
        server.incoming.recv().await;
    });
    let future = client.sender.send_request("ping", None);
    // The answer is written and read while nobody polls the future yet.
    answered.await.unwrap();
    assert_eq!(timeout(PATIENCE, future).await.unwrap().unwrap().get(), r#""early""#);
}

async fn error_reply_resolves_its_waiter_with_the_peers_error() {
    let (client, mut server) = Connection::memory(&TransportConfig::default());
    tokio::spawn(async move {
        while let Some(Incoming::Request(request)) = server.incoming.recv().await {
            let error = ErrorObject::invalid_params("no such thing").with_data(json!({"field": "x"}));
            server.sender.send_error(Some(request.id), error);
        }
    });
    match timeout(PATIENCE, client.sender.send_request("tools/call", None)).await.unwrap() {
        Err(Error::Peer(error)) => {
            assert_eq!(error.code.0, -32602);
            assert_eq!(error.data, Some(json!({"field": "x"})));
        }
        other => panic!("expected the peer's error, got {other:?}"),
    }
    assert_eq!(client.sender.stats().pending_requests, 0);
}

async fn typed_request_returns_the_typed_result() {
    let (client, mut server) = Connection::memory(&TransportConfig::default());
    tokio::spawn(async move {
        while let Some(Incoming::Request(request)) = server.incoming.recv().await {
            server.sender.send_response(request.id, &json!({}));
        }
    });
    let result = client.sender.request::<PingRequest>(&Default::default(), RequestOptions::default());
    assert_eq!(timeout(PATIENCE, result).await.unwrap().unwrap(), mcpwire_protocol::EmptyResult::default());
}

#[tokio::test(start_paused = true)]
async fn timeout_resolves_the_waiter_removes_the_entry_and_tells_the_peer() {
    let config = TransportConfig { request_timeout: Some(Duration::from_secs(5)), ..TransportConfig::default() };
    let (server, mut peer) = connect_raw(&config, 64 * 1024);
    let started = tokio::time::Instant::now();
    let future = server.sender.send_request("sampling/createMessage", None);
    let request = peer.recv().await;
    assert!(matches!(future.await, Err(Error::Timeout(d)) if d == Duration::from_secs(5)));
    assert!(started.elapsed() >= Duration::from_secs(5));
    assert_eq!(server.sender.stats().pending_requests, 0);
    let cancelled = peer.recv().await;
    assert_eq!(cancelled["method"], "notifications/cancelled");
    assert_eq!(cancelled["params"]["requestId"], request["id"]);
    // A late answer is counted as unknown, not a crash.
    peer.send(json!({"jsonrpc":"2.0","id":request["id"],"result":{}})).await;
    peer.send(json!({"jsonrpc":"2.0","id":99,"method":"ping"})).await;
    let mut incoming = server.incoming;
    assert!(matches!(incoming.recv().await, Some(Incoming::Request(_))));
    assert_eq!(server.sender.stats().unknown_responses, 1);
}

#[tokio::test(start_paused = true)]
async fn per_call_timeout_overrides_the_default() {
    let (server, _peer) = connect_raw(&TransportConfig::default(), 64 * 1024);
    let options = RequestOptions { timeout: Some(Duration::from_millis(10)), ..RequestOptions::default() };
    let result = server.sender.send_request_with("roots/list", None, options).await;
    assert!(matches!(result, Err(Error::Timeout(d)) if d == Duration::from_millis(10)));
}

async fn dropped_future_withdraws_the_request_and_tells_the_peer() {
    let (server, mut peer) = connect_raw(&TransportConfig::default(), 64 * 1024);
    let future = server.sender.send_request("elicitation/create", None);
    let request = peer.recv().await;
    assert_eq!(server.sender.stats().pending_requests, 1);
    drop(future);
    assert_eq!(server.sender.stats().pending_requests, 0);
    let cancelled = peer.recv().await;
    assert_eq!(cancelled["method"], "notifications/cancelled");
    assert_eq!(cancelled["params"]["requestId"], request["id"]);
}

async fn cancel_token_withdraws_the_request() {
    let (server, mut peer) = connect_raw(&TransportConfig::default(), 64 * 1024);
    let token = tokio_util::sync::CancellationToken::new();
    let options = RequestOptions { cancel: Some(token.clone()), ..RequestOptions::default() };
    let future = server.sender.send_request_with("elicitation/create", None, options);
    peer.recv().await;
    token.cancel();
    assert!(matches!(timeout(PATIENCE, future).await.unwrap(), Err(Error::Cancelled)));
    assert_eq!(peer.recv().await["method"], "notifications/cancelled");
}

async fn closing_resolves_a_hundred_pending_requests_at_once() {
    let (server, mut peer) = connect_raw(&TransportConfig::default(), 1024 * 1024);
    let futures: Vec<_> = (0..100).map(|_| server.sender.send_request("roots/list", None)).collect();
    for _ in 0..100 {
        peer.recv().await;
    }
    assert_eq!(server.sender.stats().pending_requests, 100);
    server.sender.close();
    for future in futures {
        assert!(matches!(timeout(PATIENCE, future).await.unwrap(), Err(Error::ConnectionClosed)));
    }
    assert_eq!(server.sender.stats().pending_requests, 0);
    // And a request made after the close fails at once.
    assert!(matches!(server.sender.send_request("ping", None).await, Err(Error::ConnectionClosed)));
}

async fn peer_hanging_up_resolves_pending_requests() {
    let (server, peer) = connect_raw(&TransportConfig::default(), 64 * 1024);
    let futures: Vec<_> = (0..100).map(|_| server.sender.send_request("roots/list", None)).collect();
    drop(peer);
    for future in futures {
        assert!(matches!(timeout(PATIENCE, future).await.unwrap(), Err(Error::ConnectionClosed)));
    }
}

async fn ten_thousand_concurrent_requests_get_unique_ids_and_their_own_answers() {
    let (client, mut server) = Connection::memory(&TransportConfig::default());
    tokio::spawn(async move {
        while let Some(Incoming::Request(request)) = server.incoming.recv().await {
            let id = serde_json::to_value(&request.id).unwrap();
            server.sender.send_response(request.id, &json!({ "echo": id }));
        }
    });
    let mut ids = HashSet::new();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..10_000 {
        let future = client.sender.send_request("ping", None);
        assert!(ids.insert(future.id().clone()), "ids are unique");
        let id = future.id().clone();
        tasks.spawn(async move { (id, future.await) });
    }
    let mut answered = 0;
    while let Some(joined) = timeout(PATIENCE, tasks.join_next()).await.unwrap() {
        let (id, result) = joined.unwrap();
        let result: Value = serde_json::from_str(result.unwrap().get()).unwrap();
        let RequestId::Number(n) = id else { panic!("minted ids are integers") };
        assert_eq!(result["echo"], n);
        answered += 1;
    }
    assert_eq!(answered, 10_000);
    assert_eq!(client.sender.stats().pending_requests, 0);
}

async fn stalled_peer_flood_stays_within_budget_and_the_flooder_resumes_when_the_peer_reads() {
    const BUDGET: usize = 32 * 1024;
    const COUNT: usize = 5_000;
    let config = TransportConfig { notification_budget_bytes: BUDGET, ..TransportConfig::default() };
    let (server, mut peer) = connect_raw(&config, 16 * 1024);
    let sender = Arc::clone(&server.sender);
    let flooder = tokio::spawn(async move {
        for index in 0..COUNT {
            sender.send_server_notification(log(index)).await.unwrap();
        }
    });
    // The peer reads nothing; wait until the flood has filled the budget.
    timeout(PATIENCE, async {
        while server.sender.stats().queued_bytes + 200 < BUDGET {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("the flood fills the budget");
    assert!(!flooder.is_finished(), "the flooder waits for room instead of queueing without bound");

    for index in 0..COUNT {
        let message = peer.recv().await;
        assert_eq!(message["params"]["data"]["index"], index, "notifications arrive complete and in order");
    }
    timeout(PATIENCE, flooder).await.unwrap().unwrap();
    let stats = server.sender.stats();
    assert!(stats.peak_queued_bytes <= BUDGET, "peak {} over budget {BUDGET}", stats.peak_queued_bytes);
    assert_eq!(stats.dropped_notifications, 0);
}

async fn stalled_peer_request_burst_is_read_processed_and_answered_in_full() {
    const BURST: usize = 2_000;
    let config = TransportConfig { notification_budget_bytes: 8 * 1024, ..TransportConfig::default() };
    let (server, mut peer) = connect_raw(&config, 16 * 1024);
    let mut seen = serve(server.incoming, Arc::clone(&server.sender));

    // The server asks the peer something; the peer reads the question...
    peer.send(json!({"jsonrpc":"2.0","id":"ask","method":"ask"})).await;
    let question = peer.recv().await;
    assert_eq!(question["method"], "question");

    // ...then stops reading and sends a burst far bigger than the pipe, while a
    // handler floods notifications that may be dropped.
    let flood_sender = Arc::clone(&server.sender);
    let flood = tokio::spawn(async move {
        let mut dropped = 0;
        for index in 0..20_000 {
            if flood_sender.try_send_server_notification(log(index)) == TrySend::Dropped {
                dropped += 1;
            }
        }
        dropped
    });
    for index in 0..BURST {
        let padding = "p".repeat(100);
        peer.send(json!({"jsonrpc":"2.0","id":index,"method":"echo","params":{"index":index,"padding":padding}})).await;
    }
    // The answer to the server's own question still gets through while the
    // server cannot write a byte.
    peer.send(json!({"jsonrpc":"2.0","id":question["id"],"result":{"yes":true}})).await;
    for _ in 0..=BURST {
        timeout(PATIENCE, seen.recv()).await.expect("the processor keeps up while the peer is stalled");
    }
    let dropped = flood.await.unwrap();
    assert!(dropped > 0, "the try_ flood met a full budget");

    // The peer reads again: every response arrives, exactly once and intact.
    let mut answered = HashSet::new();
    let mut notifications = 0;
    while answered.len() < BURST + 1 {
        let message = peer.recv().await;
        if message.get("method").is_some() {
            notifications += 1;
            continue;
        }
        if message["id"] == "ask" {
            assert_eq!(message["result"]["answer"], json!({"yes": true}));
        } else {
            assert_eq!(message["result"]["index"], message["id"]);
            assert_eq!(message["result"]["padding"].as_str().unwrap().len(), 100);
        }
        assert!(answered.insert(message["id"].to_string()), "answered once");
    }
    // Every notification that was not dropped arrives too, whole.
    while notifications < 20_000 - dropped {
        let message = peer.recv().await;
        assert_eq!(message["method"], "notifications/message");
        notifications += 1;
    }
    assert_eq!(server.sender.stats().dropped_notifications, dropped as u64);
}
