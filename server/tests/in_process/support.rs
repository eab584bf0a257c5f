//! A raw-line test client joined to a server in memory: tests send exact
//! bytes and read every message the server writes, and the server runs the
//! same processor and transport as in production.

use std::collections::VecDeque;
use std::time::Duration;

use mcpwire_server::Server;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Long enough for any honest wait; only a hang reaches it.
pub(crate) const PATIENCE: Duration = Duration::from_secs(10);

/// A client that speaks raw JSON-RPC lines to an in-memory server.
pub(crate) struct Client {
    lines: tokio::io::Lines<BufReader<ReadHalf<DuplexStream>>>,
    writer: Option<WriteHalf<DuplexStream>>,
    /// Messages read while looking for something else, in arrival order.
    buffered: VecDeque<Value>,
    stop: Option<oneshot::Sender<()>>,
    pub(crate) served: JoinHandle<Result<(), mcpwire_server::Error>>,
}

impl Client {
    /// Start serving `server` to a new client.
    pub(crate) fn connect(server: &Server) -> Self {
        Self::connect_through(server, |server_write| server_write)
    }

    /// Start serving `server` to a new client, the server's writes passing
    /// through `wrap` on their way.
    pub(crate) fn connect_through<W>(server: &Server, wrap: impl FnOnce(WriteHalf<DuplexStream>) -> W) -> Self
    where
        W: AsyncWrite + Unpin + Send + 'static,
    {
        let (server_end, client_end) = tokio::io::duplex(64 * 1024);
        let (server_read, server_write) = tokio::io::split(server_end);
        let (client_read, client_write) = tokio::io::split(client_end);
        let connection =
            mcpwire_transport::Connection::new(server_read, wrap(server_write), &server.config().transport);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = server.clone();
        let served = tokio::spawn(async move {
            server
                .serve_connection(connection, async {
                    let _ = stopped.await;
                })
                .await
        });
        Self {
            lines: BufReader::new(client_read).lines(),
            writer: Some(client_write),
            buffered: VecDeque::new(),
            stop: Some(stop),
            served,
        }
    }

    /// A client that has completed `initialize` at `version` with `capabilities`.
    pub(crate) async fn initialized(server: &Server, version: &str, capabilities: Value) -> Self {
        let mut client = Self::connect(server);
        let result = client.initialize(version, capabilities).await;
        assert_eq!(result["protocolVersion"], version, "negotiated {result}");
        client.notify("notifications/initialized", None).await;
        client
    }

    pub(crate) async fn initialize(&mut self, version: &str, capabilities: Value) -> Value {
        let params = json!({
            "protocolVersion": version,
            "capabilities": capabilities,
            "clientInfo": {"name": "in-process-test", "version": "1.0.0"}
        });
        self.request("init", "initialize", Some(params)).await.expect("initialize succeeds")
    }

    pub(crate) async fn send_raw(&mut self, bytes: &[u8]) {
        let writer = self.writer.as_mut().expect("stdin is open");
        writer.write_all(bytes).await.unwrap();
    }

    pub(crate) async fn send(&mut self, message: Value) {
        let mut line = serde_json::to_vec(&message).unwrap();
        line.push(b'\n');
        self.send_raw(&line).await;
    }

    pub(crate) async fn notify(&mut self, method: &str, params: Option<Value>) {
        let mut message = json!({"jsonrpc": "2.0", "method": method});
        if let Some(params) = params {
            message["params"] = params;
        }
        self.send(message).await;
    }

    /// Send a request without waiting for its answer.
    pub(crate) async fn start_request(&mut self, id: impl Into<Value>, method: &str, params: Option<Value>) {
        let mut message = json!({"jsonrpc": "2.0", "id": id.into(), "method": method});
        if let Some(params) = params {
            message["params"] = params;
        }
        self.send(message).await;
    }

    /// Send a request and wait for its answer: the result, or the error object.
    pub(crate) async fn request(
        &mut self,
        id: impl Into<Value>,
        method: &str,
        params: Option<Value>,
    ) -> Result<Value, Value> {
        let id = id.into();
        self.start_request(id.clone(), method, params).await;
        self.response(&id).await
    }

    /// The answer to request `id`, keeping anything else that arrives first.
    pub(crate) async fn response(&mut self, id: &Value) -> Result<Value, Value> {
        let message = self.next_matching(|m| m.get("method").is_none() && &m["id"] == id).await;
        match message.get("error") {
            Some(error) => Err(error.clone()),
            None => Ok(message["result"].clone()),
        }
    }

    /// The next message the server sends, buffered ones first.
    pub(crate) async fn next(&mut self) -> Value {
        if let Some(message) = self.buffered.pop_front() {
            return message;
        }
        self.read().await
    }

    /// The first message (buffered or new) that satisfies `wanted`.
    pub(crate) async fn next_matching(&mut self, wanted: impl Fn(&Value) -> bool) -> Value {
        if let Some(index) = self.buffered.iter().position(&wanted) {
            return self.buffered.remove(index).unwrap();
        }
        loop {
            let message = self.read().await;
            if wanted(&message) {
                return message;
            }
            self.buffered.push_back(message);
        }
    }

    /// The next request the server sends to us, with the given method.
    pub(crate) async fn server_request(&mut self, method: &str) -> Value {
        self.next_matching(|m| m["method"] == method && m.get("id").is_some()).await
    }

    /// The next notification with the given method.
    pub(crate) async fn notification(&mut self, method: &str) -> Value {
        self.next_matching(|m| m["method"] == method && m.get("id").is_none()).await
    }

    /// Everything buffered plus everything the server has sent up to the
    /// answer of a fresh `ping`: since the server answers in order of what it
    /// queued, this is "all it has said so far".
    pub(crate) async fn drain(&mut self) -> Vec<Value> {
        let id = json!("drain-ping");
        self.start_request(id.clone(), "ping", None).await;
        let mut seen: Vec<Value> = self.buffered.drain(..).collect();
        loop {
            let message = self.read().await;
            if message["id"] == id && message.get("method").is_none() {
                return seen;
            }
            seen.push(message);
        }
    }

    pub(crate) async fn answer(&mut self, id: &Value, result: Value) {
        self.send(json!({"jsonrpc": "2.0", "id": id, "result": result})).await;
    }

    /// Close our sending side, as a client closing the server's stdin. (With
    /// a split in-memory pipe, dropping one half is not enough: it must be shut down.)
    pub(crate) async fn close(&mut self) {
        if let Some(mut writer) = self.writer.take() {
            writer.shutdown().await.unwrap();
        }
    }

    /// Ask the server to shut down, as a signal would.
    pub(crate) fn shut_down(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    async fn read(&mut self) -> Value {
        let line = tokio::time::timeout(PATIENCE, self.lines.next_line())
            .await
            .expect("the server said nothing in time")
            .unwrap()
            .expect("the server closed the connection");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("the server wrote a line that is not JSON ({e}): {line}"))
    }

    /// Whether the server closed its side (after shutdown); anything still
    /// unread is returned.
    pub(crate) async fn read_to_end(&mut self) -> Vec<Value> {
        let mut rest: Vec<Value> = self.buffered.drain(..).collect();
        while let Some(line) = tokio::time::timeout(PATIENCE, self.lines.next_line()).await.unwrap().unwrap() {
            rest.push(serde_json::from_str(&line).unwrap());
        }
        rest
    }
}

/// A server with a few of everything, for tests that need "a server".
pub(crate) fn sample_server() -> Server {
    sample_server_with(mcpwire_server::ServerConfig::default())
}

pub(crate) fn sample_server_with(config: mcpwire_server::ServerConfig) -> Server {
    use mcpwire_protocol::types::{ContentBlock, ResourceTemplate, Tool};
    use mcpwire_protocol::types::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Resource, ResourceContents};
    use mcpwire_server::{HandlerError, PromptRoute, ResourceRoute, ResourceTemplateRoute, ToolRoute};

    #[derive(serde::Deserialize, schemars::JsonSchema)]
    struct Echo {
        /// What to echo.
        text: String,
    }

    Server::builder("sample", "1.2.3")
        .config(config)
        .tool(ToolRoute::typed(Tool::new("echo", "Echo text"), |args: Echo, _ctx| async move {
            Ok::<_, HandlerError>(args.text)
        }))
        .resource(ResourceRoute::new(Resource::new("mem://a", "a"), |uri, _ctx| async move {
            Ok::<_, HandlerError>(ResourceContents::text(uri, "text/plain", "A"))
        }))
        .resource_template(ResourceTemplateRoute::new(
            ResourceTemplate::new("mem://items/{id}", "item"),
            |uri, vars, _ctx| async move {
                Ok::<_, HandlerError>(ResourceContents::text(uri, "text/plain", format!("item {}", vars["id"])))
            },
        ))
        .prompt(PromptRoute::new(
            Prompt {
                arguments: Some(vec![PromptArgument::required("who", "Whom to greet")]),
                ..Prompt::new("greet", "Greets someone")
            },
            |args, _ctx| async move {
                Ok(GetPromptResult {
                    messages: vec![PromptMessage::user(ContentBlock::text(format!("Hello, {}!", args["who"])))],
                    ..GetPromptResult::default()
                })
            },
        ))
        .build()
}

pub(crate) const LATEST: &str = "2025-11-25";
