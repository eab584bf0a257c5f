//! Fuzz target: the Streamable HTTP endpoint, `McpService`, fed a sequence
//! of arbitrary HTTP requests with a small server behind it (four tools, a
//! resource, a resource template and a prompt), on one Tokio runtime whose
//! clock is paused, so that timeouts and keep-alives cost no real time.
//!
//! `McpService` is where every HTTP request to an mcpwire server arrives,
//! whether an application mounted it or `serve` accepted the connection, and
//! whatever a client sends reaches it as an `http::Request`: hyper's parser
//! (`httparse`, fuzzed upstream) has made one of the bytes by then. So this
//! target builds requests rather than bytes, and each execution is spent in
//! our code (the checks, the token, the era, sessions, streams, handlers)
//! rather than in a parser refusing most inputs. The accept loop around the
//! service parses nothing; its caps and clocks are driven over real sockets
//! by `tests/tests/http_limits.rs`.
//!
//! # Input
//!
//! Text in the shape of the requests it stands for:
//!
//! ```text
//! !auth tight                optional first line of options (below)
//! POST /mcp                  method and target (an empty line means POST /mcp)
//! host: localhost            headers; `$session` in a value is the last session id issued
//! ~chunks: 5                 a harness directive (below)
//!
//! {"jsonrpc":"2.0", ...}     the body, after the first blank line; `$state` in it is the
//!                            last `requestState` an input-required result carried
//! %%                         a line of its own: the next request follows
//! ```
//!
//! Options: `auth`, the endpoint checks bearer tokens; `tight`, a session's
//! stream is cut off once its reader is 2 KiB behind (rather than 1 MiB).
//! Directives: `~chunks: N` sends the body N bytes at a time, its length
//! unknown in advance; `~fail` makes reading the body fail after its bytes;
//! `~hangup` drops the answer after its first frame (for a stateless request,
//! the client's cancellation). At most [`MAX_REQUESTS`] are sent, one after
//! another. Each answer is read to its end, or for [`STREAM_WINDOW`] when it
//! is a stream that stays open, which is then kept open to the end of the
//! input. Then the endpoint shuts down and every open stream is read to its
//! end.
//!
//! # Properties
//!
//! Beyond "never panics" (anywhere: libFuzzer's panic hook aborts before a
//! spawned task or a handler's guard could catch the unwinding):
//!
//! - every request gets an answer, its head within [`HEAD_WITHIN`];
//! - its status is one the endpoint documents, and never 500 (the transport's
//!   answer for an owner that dropped a request unanswered); a 202 answers a
//!   POST that carried no request; a 401 carries a `WWW-Authenticate`
//!   challenge and a 405 an `Allow`;
//! - a body is empty (202, or 200 to a DELETE), one JSON-RPC message
//!   (`application/json`), or server-sent events (`text/event-stream`, 200);
//!   only a 200 carries `Mcp-Session-Id`: an event stream, or the JSON answer
//!   to a session POST that carried a request (its response came first);
//! - a JSON body is a response or an error, never a request, notification or
//!   batch; under an error status it is an error; under 200 a stateless one's error code
//!   is not one the transport answers with 400 or 404; its id is absent or
//!   one the request's body carried;
//! - a session's stream: every event but a closing `retry` has an id
//!   `<stream>:<sequence>`, all of one stream and rising (after the
//!   `Last-Event-ID` asked for, on a resumed one); responses only to the
//!   POST's requests (any, on a resumed stream; none on the standalone one),
//!   each at most once; an event id names one event in a session, so a
//!   replay repeats what was first sent under it; a POST's stream that ends has answered every request
//!   it carried, shutdown included, unless the client cancelled the request,
//!   deleted the session or resumed the stream elsewhere (or, with `tight`,
//!   the stream was cut off);
//! - a stateless stream: events without ids, no request among them, and one
//!   response, to its request, which ends it; a stream that ends has it,
//!   shutdown included (a handler still running then answers -32000);
//! - with `auth`, a request whose token does not pass gets 400, 401, 403 or
//!   503 and its body is never read; a handler never sees the
//!   `Authorization` header, and always the token's `Principal`;
//! - after shutdown every stream ends within [`END_WITHIN`], and once the
//!   endpoint has wound down, none of its tasks is left on the runtime.
//!
//! With `MCPWIRE_FUZZ_TRACE` set, each answer's status and body go to
//! stderr: for reading what an input in the corpus or an artifact does.

#![no_main]

use std::collections::{HashMap, HashSet};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::{Method, StatusCode, Uri};
use http_body::{Frame, SizeHint};
use http_body_util::BodyExt;
use libfuzzer_sys::fuzz_target;
use mcpwire_protocol::types::{
    ContentBlock, ElicitRequestParams, GetPromptResult, Prompt, PromptMessage, Resource, ResourceContents,
    ResourceTemplate, Tool, ToolSchema,
};
use mcpwire_protocol::{Decoded, ErrorCode, Message, RequestId, decode};
use mcpwire_server::transport::http::ResponseBody;
use mcpwire_server::{
    AuthConfig, HandlerError, HttpConfig, McpService, Principal, PromptRoute, RequestContext, ResourceRoute,
    ResourceTemplateRoute, Server, ServerConfig, StateKey, TokenRejection, ToolRoute,
};
use serde_json::{Value, json};
use tokio::runtime::Runtime;
use tokio::time::{Instant, timeout, timeout_at};
use tower_service::Service as _;

/// Requests per input: enough for a session's whole life (initialize,
/// initialized, a call, the standalone stream, a resumption, DELETE) and
/// some, few enough that an input runs in well under a millisecond.
const MAX_REQUESTS: usize = 12;

/// How long (on the paused clock) an answer's head may take. Bodies here
/// never stall and no handler waits on a clock, so only a hang gets near it.
const HEAD_WITHIN: Duration = Duration::from_secs(60);

/// How long (paused) a stream is read before it counts as one that stays
/// open: several of the keep-alive intervals set below.
const STREAM_WINDOW: Duration = Duration::from_secs(5);

/// How long (paused) a stream may take to end after shutdown: the handlers'
/// grace (300 ms) and more.
const END_WITHIN: Duration = Duration::from_secs(5);

/// How long (paused) the runtime is left to itself after an input, for the
/// endpoint to wind down: a session's processor waits out its grace twice,
/// the idle-session reaper for its next tick.
const WIND_DOWN: Duration = Duration::from_secs(120);

/// The statuses the endpoint documents (`transport/src/http/service.rs` and
/// `auth.rs`). Not 408: a body here never stalls. Not 500: see the module docs.
const STATUSES: [u16; 13] = [200, 202, 400, 401, 403, 404, 405, 406, 409, 413, 415, 429, 503];

/// The error codes a stateless answer is sent with 400 or 404 for.
const NOT_200: [ErrorCode; 7] = [
    ErrorCode::PARSE_ERROR,
    ErrorCode::INVALID_REQUEST,
    ErrorCode::INVALID_PARAMS,
    ErrorCode::HEADER_MISMATCH,
    ErrorCode::MISSING_REQUIRED_CLIENT_CAPABILITY,
    ErrorCode::UNSUPPORTED_PROTOCOL_VERSION,
    ErrorCode::METHOD_NOT_FOUND,
];

/// The scope every token must grant, with `!auth`.
const SCOPE: &str = "mcp";

/// Whether the current input's endpoint checks tokens, for the handlers.
static CHECKS_TOKENS: AtomicBool = AtomicBool::new(false);

/// Whether the validator let the current request's token pass: valid, and
/// granting [`SCOPE`]. Reset before each request.
static TOKEN_PASSED: AtomicBool = AtomicBool::new(false);

/// Whether to print each answer (`MCPWIRE_FUZZ_TRACE`).
static TRACE: LazyLock<bool> = LazyLock::new(|| std::env::var_os("MCPWIRE_FUZZ_TRACE").is_some());

/// One runtime and one server for the whole process: building either per
/// input would cost more than most inputs take.
struct Harness {
    runtime: Runtime,
    server: Server,
    /// Tasks alive on the runtime between inputs; an endpoint's tasks must
    /// not outlive it.
    idle_tasks: usize,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let runtime =
        tokio::runtime::Builder::new_current_thread().enable_all().start_paused(true).build().expect("a runtime");
    let server = runtime.block_on(async { server() });
    let idle_tasks = runtime.metrics().num_alive_tasks();
    Harness { runtime, server, idle_tasks }
});

fuzz_target!(|data: &[u8]| {
    let harness = &*HARNESS;
    harness.runtime.block_on(run(&harness.server, Input::parse(data)));
    let alive = harness.runtime.metrics().num_alive_tasks();
    assert_eq!(alive, harness.idle_tasks, "tasks of the endpoint outlived it");
});

async fn run(server: &Server, input: Input<'_>) {
    CHECKS_TOKENS.store(input.checks_tokens, Ordering::Relaxed);
    let mut service = endpoint(server, &input);
    let mut client = Client { may_be_cut: input.tight, ..Client::default() };
    let mut open = Vec::new();
    for call in &input.calls {
        let (request, sent) = call.build(&client);
        TOKEN_PASSED.store(false, Ordering::Relaxed);
        let answer = timeout(HEAD_WITHIN, service.call(request)).await.expect("an answer within a minute");
        let Ok(answer) = answer;
        let token_passed = TOKEN_PASSED.load(Ordering::Relaxed);
        let (head, body) = answer.into_parts();
        if *TRACE {
            eprintln!("{} {} -> {} {:?}", call.method, call.target, head.status, head.headers);
        }
        check_head(&sent, &head, input.checks_tokens && !token_passed);
        client.heard(&sent, &head);
        match read(&sent, &head, body, &mut client).await {
            Read::Whole(state) => client.request_state = state.or(client.request_state.take()),
            Read::Ended(stream) => client.request_state = stream.request_state.or(client.request_state.take()),
            Read::Open(stream) => open.push(stream),
        }
    }
    service.shutdown();
    if *TRACE {
        eprintln!("shutdown; {} streams open", open.len());
    }
    for mut stream in open {
        let ended = stream.read_until(Instant::now() + END_WITHIN, &mut client).await;
        assert!(ended, "a stream still open {END_WITHIN:?} after shutdown");
    }
    drop(service);
    tokio::time::sleep(WIND_DOWN).await;
}

/// What the client has said and heard so far: what excuses a request
/// stream for ending without an answer.
#[derive(Default)]
struct Client {
    /// The session id the endpoint issued last, for `$session`.
    session: Option<String>,
    /// The `requestState` of the last input-required result, for `$state`.
    request_state: Option<String>,
    /// Requests the client cancelled (in any session).
    cancelled: HashSet<RequestId>,
    /// Sessions the client deleted.
    deleted: HashSet<String>,
    /// Streams (session, stream) a resumption took over.
    resumed: HashSet<(String, u64)>,
    /// Every session event seen, by (session, stream, sequence): its data.
    events: HashMap<(String, u64, u64), String>,
    /// `tight`: a stream may have been cut off, its reader too far behind.
    may_be_cut: bool,
}

impl Client {
    /// Note what the request and the head of its answer said.
    fn heard(&mut self, sent: &Sent, head: &http::response::Parts) {
        self.cancelled.extend(sent.cancels.iter().cloned());
        let ok = head.status == StatusCode::OK;
        if let (Some(session), true, &Method::DELETE) = (&sent.session, ok, &sent.method) {
            self.deleted.insert(session.clone());
        }
        let session = head.headers.get("mcp-session-id").map(|id| id.to_str().expect("visible ASCII").to_owned());
        if let (Some(session), Some((stream, _)), &Method::GET) = (&session, sent.last_event, &sent.method) {
            self.resumed.insert((session.clone(), stream));
        }
        if session.is_some() {
            self.session = session;
        }
    }

    /// Whether a session's request stream may end with requests unanswered.
    fn excuses(&self, session: &str, stream: Option<u64>) -> bool {
        self.may_be_cut
            || self.deleted.contains(session)
            || stream.is_some_and(|stream| self.resumed.contains(&(session.to_owned(), stream)))
    }
}

/// The endpoint of one input: small limits, so that a few requests reach
/// them, and tokens checked with `auth`.
fn endpoint(server: &Server, input: &Input<'_>) -> McpService {
    let auth = input.checks_tokens.then(|| {
        let auth =
            AuthConfig::new("http://localhost/mcp", ["http://localhost/issuer"], validate).expect("a valid resource");
        AuthConfig { required_scopes: vec![SCOPE.into()], ..auth }
    });
    server.http_service(HttpConfig {
        allowed_origins: vec!["https://app.example".into()],
        max_body_bytes: 4096,
        max_sessions: 2,
        max_streams_per_session: 2,
        max_stateless_requests: 2,
        stream_buffer_bytes: if input.tight { 2048 } else { HttpConfig::default().stream_buffer_bytes },
        max_replay_bytes_per_stream: 4096,
        max_replay_bytes_per_session: 8192,
        max_replay_bytes: 12_288,
        session_idle_timeout: Duration::from_secs(20),
        sse_keep_alive: Duration::from_secs(1),
        auth,
        ..HttpConfig::default()
    })
}

/// The tokens the fuzzer may find in the dictionary: `good` passes,
/// `narrow` lacks the scope, `down` cannot be checked, `scope-X` lacks X,
/// anything else is invalid (its description quoting the token).
async fn validate(token: String) -> Result<Principal, TokenRejection> {
    let principal = |scopes: &[&str]| Principal {
        subject: "ada".into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        ..Principal::default()
    };
    let verdict = match token.as_str() {
        "good" => Ok(principal(&[SCOPE])),
        "narrow" => Ok(principal(&[])),
        "down" => Err(TokenRejection::Unavailable("the issuer is down".into())),
        _ => match token.strip_prefix("scope-") {
            Some(scope) => Err(TokenRejection::InsufficientScope(vec![scope.to_owned()])),
            None => Err(TokenRejection::InvalidToken(format!("unknown token {token}"))),
        },
    };
    TOKEN_PASSED.store(verdict.as_ref().is_ok_and(|p| p.has_scope(SCOPE)), Ordering::Relaxed);
    verdict
}

/// The server behind every endpoint: `echo`, `region` (its argument mirrored
/// in `Mcp-Param-Region`), `progress` (a stream before its result), `ask`
/// (two rounds of input required, or two requests to the client in a session), `mem://a`,
/// `mem://items/{id}` and the prompt `greet`.
fn server() -> Server {
    let config = ServerConfig {
        // Fixed, so that a requestState in the corpus stays valid across runs.
        request_state_key: StateKey::from_bytes(&[7; 32]).expect("a key"),
        ..ServerConfig::default()
    };
    let echo = tool("echo", json!({"text": {"type": "string"}}), |args, ctx| async move {
        observe(&ctx);
        Ok(args.get("text").and_then(Value::as_str).unwrap_or_default().to_owned())
    });
    let region =
        tool("region", json!({"region": {"type": "string", "x-mcp-header": "Region"}}), |args, ctx| async move {
            observe(&ctx);
            Ok(args.get("region").and_then(Value::as_str).unwrap_or_default().to_owned())
        });
    let progress = tool("progress", json!({}), |_args, ctx| async move {
        observe(&ctx);
        ctx.progress(0.5, Some(1.0), None).await?;
        ctx.log(mcpwire_protocol::types::LoggingLevel::Info, "halfway").await?;
        Ok("done".to_owned())
    });
    let ask = tool("ask", json!({}), |_args, ctx| async move {
        observe(&ctx);
        // Two rounds, so that a retry's state carries an earlier answer.
        let name = ctx.ask("name").elicit(form("Your name?", "name", "string")).await?;
        let sure = ctx.ask("sure").elicit(form("Sure?", "sure", "boolean")).await?;
        Ok(format!("{:?} {:?}", name.action, sure.action))
    });
    let resource = ResourceRoute::new(Resource::new("mem://a", "a"), |uri, ctx| async move {
        observe(&ctx);
        Ok::<_, HandlerError>(ResourceContents::text(uri, "text/plain", "A"))
    });
    let template =
        ResourceTemplateRoute::new(ResourceTemplate::new("mem://items/{id}", "item"), |uri, vars, ctx| async move {
            observe(&ctx);
            Ok::<_, HandlerError>(ResourceContents::text(uri, "text/plain", format!("item {}", vars["id"])))
        });
    let greet = PromptRoute::new(Prompt::new("greet", "Greets someone"), |args, ctx| async move {
        observe(&ctx);
        let who = args.get("who").map_or("you", String::as_str);
        Ok(GetPromptResult {
            messages: vec![PromptMessage::user(ContentBlock::text(format!("Hello, {who}!")))],
            ..GetPromptResult::default()
        })
    });
    Server::builder("fuzz", "1")
        .config(config)
        .tool(echo)
        .tool(region)
        .tool(progress)
        .tool(ask)
        .resource(resource)
        .resource_template(template)
        .prompt(greet)
        .build()
}

/// A one-field form: `field` of JSON type `kind`, required.
fn form(message: &str, field: &str, kind: &str) -> ElicitRequestParams {
    let schema = json!({"type": "object", "properties": {field: {"type": kind}}, "required": [field]});
    serde_json::from_value(json!({"message": message, "requestedSchema": schema})).expect("a valid form")
}

/// A tool whose arguments are `properties`, answering with text.
fn tool<F, Fut>(name: &str, properties: Value, handler: F) -> ToolRoute
where
    F: Fn(serde_json::Map<String, Value>, RequestContext) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<String, HandlerError>> + Send + 'static,
{
    let schema = ToolSchema::from_value(&json!({"type": "object", "properties": properties})).expect("a schema");
    ToolRoute::raw(Tool { input_schema: schema, ..Tool::new(name, name) }, handler)
}

/// What every handler checks of the HTTP request it came in.
fn observe(ctx: &RequestContext) {
    let head = ctx.http().expect("a request that came over HTTP brings its head to its handler");
    if CHECKS_TOKENS.load(Ordering::Relaxed) {
        assert!(!head.headers.contains_key(header::AUTHORIZATION), "a handler saw the bearer token");
        assert!(head.extensions.get::<Principal>().is_some(), "a handler ran without the token's principal");
    }
}

/// One input, parsed.
struct Input<'a> {
    checks_tokens: bool,
    tight: bool,
    calls: Vec<Call<'a>>,
}

impl<'a> Input<'a> {
    fn parse(data: &'a [u8]) -> Self {
        let (options, rest) = match data.strip_prefix(b"!") {
            Some(rest) => split_once(rest, b"\n").unwrap_or((rest, b"")),
            None => (&b""[..], data),
        };
        let option = |name: &[u8]| options.split(|&b| b == b' ').any(|word| word == name);
        let calls = split(rest, b"\n%%\n").take(MAX_REQUESTS).filter_map(Call::parse).collect();
        Self { checks_tokens: option(b"auth"), tight: option(b"tight"), calls }
    }
}

/// The pieces of `data` between `delimiter`s.
fn split<'a>(mut data: &'a [u8], delimiter: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        match data.windows(delimiter.len()).position(|w| w == delimiter) {
            Some(at) => {
                let piece = &data[..at];
                data = &data[at + delimiter.len()..];
                Some(piece)
            }
            None => {
                done = true;
                Some(data)
            }
        }
    })
}

/// One request of an input, before `$session` and `$state` are filled in.
struct Call<'a> {
    method: Method,
    target: Uri,
    headers: Vec<(HeaderName, &'a [u8])>,
    body: &'a [u8],
    /// `~chunks`: the body in pieces of this many bytes, its length unknown.
    chunks: Option<usize>,
    /// `~fail`: reading the body fails after its bytes.
    fail: bool,
    /// `~hangup`: the answer is dropped after its first frame.
    hang_up: bool,
}

impl<'a> Call<'a> {
    fn parse(text: &'a [u8]) -> Option<Self> {
        let (head, body) = split_once(text, b"\n\n").unwrap_or((text, b""));
        let mut lines = head.split(|&b| b == b'\n');
        let first = lines.next().unwrap_or_default();
        let (method, target) = split_once(first, b" ").unwrap_or((first, b""));
        let method = match method {
            b"" => Method::POST,
            method => Method::from_bytes(method).ok()?,
        };
        let target = match target.trim_ascii() {
            b"" => Uri::from_static("/mcp"),
            target => Uri::try_from(target).ok()?,
        };
        let mut call = Call { method, target, headers: Vec::new(), body, chunks: None, fail: false, hang_up: false };
        for line in lines {
            let Some((name, value)) = split_once(line, b":") else { continue };
            let value = value.trim_ascii_start();
            match name {
                b"~chunks" => {
                    let size = std::str::from_utf8(value).ok().and_then(|v| v.trim().parse::<usize>().ok());
                    call.chunks = Some(size.unwrap_or(1).clamp(1, 64));
                }
                b"~fail" => call.fail = true,
                b"~hangup" => call.hang_up = true,
                name => {
                    if let Ok(name) = HeaderName::from_bytes(name) {
                        call.headers.push((name, value));
                    }
                }
            }
        }
        Some(call)
    }

    /// The request as sent, with what `client` heard filled in, and what
    /// the harness knows of it to judge the answer.
    fn build(&self, client: &Client) -> (http::Request<FuzzBody>, Sent) {
        let body = match &client.request_state {
            Some(state) => Bytes::from(replace(self.body, b"$state", state.as_bytes())),
            None => Bytes::copy_from_slice(self.body),
        };
        let body_read = Arc::new(AtomicBool::new(false));
        let sent_body = body.clone();
        let body = FuzzBody { rest: body, chunks: self.chunks, fail: self.fail, read: Arc::clone(&body_read) };
        let mut request = http::Request::new(body);
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = self.target.clone();
        for (name, value) in &self.headers {
            let value = match &client.session {
                Some(session) => replace(value, b"$session", session.as_bytes()),
                None => value.to_vec(),
            };
            if let Ok(value) = HeaderValue::from_bytes(&value) {
                request.headers_mut().append(name.clone(), value);
            }
        }
        let sent = Sent::new(&request, &sent_body, body_read, self.hang_up);
        (request, sent)
    }
}

fn split_once<'a>(text: &'a [u8], delimiter: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
    let at = text.windows(delimiter.len()).position(|w| w == delimiter)?;
    Some((&text[..at], &text[at + delimiter.len()..]))
}

fn replace(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while let Some((before, after)) = split_once(rest, from) {
        out.extend_from_slice(before);
        out.extend_from_slice(to);
        rest = after;
    }
    out.extend_from_slice(rest);
    out
}

/// A request body as the endpoint reads it: whole, with its length known
/// (as with `Content-Length`), or in chunks without (as chunked encoding),
/// optionally failing at the end (a connection reset). It records whether
/// anything read it.
struct FuzzBody {
    rest: Bytes,
    chunks: Option<usize>,
    fail: bool,
    read: Arc<AtomicBool>,
}

impl http_body::Body for FuzzBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.read.store(true, Ordering::Relaxed);
        if self.rest.is_empty() {
            if std::mem::take(&mut self.fail) {
                return Poll::Ready(Some(Err(std::io::Error::other("the connection was reset"))));
            }
            return Poll::Ready(None);
        }
        let size = self.chunks.unwrap_or(self.rest.len()).min(self.rest.len());
        let frame = self.rest.split_to(size);
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.rest.is_empty() && !self.fail
    }

    fn size_hint(&self) -> SizeHint {
        match self.chunks.is_some() || self.fail {
            true => SizeHint::default(),
            false => SizeHint::with_exact(self.rest.len() as u64),
        }
    }
}

/// What the harness knows of a request it sent, to judge the answer.
struct Sent {
    method: Method,
    /// The ids in its body, as `decode` reads them (a request's, a batch's,
    /// or one recovered from a malformed message): an answer names no other.
    ids: Vec<RequestId>,
    /// The requests in its body, alone or in a batch.
    requests: Vec<RequestId>,
    /// The requests its body cancels (`notifications/cancelled`).
    cancels: Vec<RequestId>,
    /// The session it named (`Mcp-Session-Id`).
    session: Option<String>,
    /// A `Last-Event-ID` the endpoint could have issued, read as it reads it.
    last_event: Option<(u64, u64)>,
    /// Set once anything read its body.
    body_read: Arc<AtomicBool>,
    hang_up: bool,
}

impl Sent {
    fn new(request: &http::Request<FuzzBody>, body: &[u8], body_read: Arc<AtomicBool>, hang_up: bool) -> Self {
        let (mut ids, mut requests, mut cancels) = (Vec::new(), Vec::new(), Vec::new());
        let mut note = |item: &Result<Message, mcpwire_protocol::Error>| match item {
            Ok(Message::Request(request)) => {
                requests.push(request.id.clone());
                ids.push(request.id.clone());
            }
            Ok(Message::Notification(notification)) => cancels.extend(cancelled(notification)),
            Ok(message) => ids.extend(message.id().cloned()),
            Err(error) => ids.extend(error.request_id().cloned()),
        };
        match decode(body) {
            Ok(Decoded::Single(message)) => note(&Ok(message)),
            Ok(Decoded::Batch(items)) => items.iter().for_each(&mut note),
            Err(error) => note(&Err(error)),
        }
        let last_event = request.headers().get("last-event-id").and_then(|v| v.to_str().ok()).and_then(|text| {
            let (stream, sequence) = text.trim().split_once(':')?;
            Some((stream.parse().ok()?, sequence.parse().ok()?))
        });
        let session = request.headers().get("mcp-session-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        Self { method: request.method().clone(), ids, requests, cancels, session, last_event, body_read, hang_up }
    }
}

/// The request a `notifications/cancelled` cancels.
fn cancelled(notification: &mcpwire_protocol::Notification) -> Option<RequestId> {
    if notification.method != "notifications/cancelled" {
        return None;
    }
    let params: Value = serde_json::from_str(notification.params.as_ref()?.get()).ok()?;
    serde_json::from_value(params.get("requestId")?.clone()).ok()
}

/// The head's properties. `refused_token`: the endpoint checks tokens and
/// this request's did not pass.
fn check_head(sent: &Sent, head: &http::response::Parts, refused_token: bool) {
    let status = head.status;
    assert!(STATUSES.contains(&status.as_u16()), "status {status}");
    let has = |name: header::HeaderName| head.headers.contains_key(name);
    if status == StatusCode::ACCEPTED {
        assert!(sent.method == Method::POST && sent.requests.is_empty(), "202 for a request, which is owed an answer");
    }
    if status == StatusCode::UNAUTHORIZED {
        assert!(has(header::WWW_AUTHENTICATE), "401 without a challenge");
    }
    if status == StatusCode::METHOD_NOT_ALLOWED {
        assert!(has(header::ALLOW), "405 without Allow");
    }
    if head.headers.contains_key("mcp-session-id") {
        let answer = match content_type(head) {
            Some("text/event-stream") => true,
            // A session POST's response, sent as plain JSON when it came first.
            Some("application/json") => sent.method == Method::POST && !sent.requests.is_empty(),
            _ => false,
        };
        assert!(status == StatusCode::OK && answer, "a session id off a stream or a session's answer");
    }
    if refused_token {
        assert!([400, 401, 403, 503].contains(&status.as_u16()), "status {status} for a token that did not pass");
        assert!(!sent.body_read.load(Ordering::Relaxed), "a body read before its token passed");
    }
}

fn content_type(head: &http::response::Parts) -> Option<&str> {
    head.headers.get(header::CONTENT_TYPE).map(|v| v.to_str().expect("a content type is visible ASCII"))
}

/// An answer, read.
enum Read {
    /// A whole body, and the `requestState` it carried.
    Whole(Option<String>),
    /// An event stream that ended (or was dropped by `~hangup`).
    Ended(OpenStream),
    /// An event stream still open after [`STREAM_WINDOW`], to be finished
    /// after shutdown.
    Open(OpenStream),
}

/// Read an answer's body and check it.
async fn read(sent: &Sent, head: &http::response::Parts, body: ResponseBody, client: &mut Client) -> Read {
    let whole = |body: ResponseBody| async move {
        let Ok(collected) = timeout(HEAD_WITHIN, body.collect()).await.expect("a whole body within a minute");
        collected.to_bytes()
    };
    match content_type(head) {
        None => {
            assert!(whole(body).await.is_empty(), "a body without a content type");
            let deleted = head.status == StatusCode::OK && sent.method == Method::DELETE;
            assert!(head.status == StatusCode::ACCEPTED || deleted, "an empty {} answer", head.status);
            Read::Whole(None)
        }
        Some("application/json") => {
            let bytes = whole(body).await;
            if *TRACE {
                eprintln!("   {}", String::from_utf8_lossy(&bytes));
            }
            Read::Whole(check_json(sent, head, &bytes))
        }
        Some("text/event-stream") => {
            assert_eq!(head.status, StatusCode::OK, "a stream with an error status");
            let mut stream = OpenStream::new(sent, head, body);
            let ended = stream.read_until(Instant::now() + STREAM_WINDOW, client).await;
            match ended || stream.hung_up {
                true => Read::Ended(stream),
                false => Read::Open(stream),
            }
        }
        Some(other) => panic!("an answer of type {other:?}"),
    }
}

/// Check a JSON answer; the `requestState` it carries, if any.
fn check_json(sent: &Sent, head: &http::response::Parts, bytes: &[u8]) -> Option<String> {
    let status = head.status;
    // A session's answer carries its id; its errors are all sent with 200.
    let stateless = !head.headers.contains_key("mcp-session-id");
    let text = String::from_utf8_lossy(bytes);
    let mut state = None;
    let (id, code) = match decode(bytes) {
        Ok(Decoded::Single(Message::Response(response))) => {
            state = request_state(&response.result);
            (Some(response.id), None)
        }
        Ok(Decoded::Single(Message::Error(error))) => (error.id, Some(error.error.code)),
        _ => panic!("a JSON answer that is not one response or error: {text}"),
    };
    match code {
        None => assert_eq!(status, StatusCode::OK, "a result under an error status: {text}"),
        Some(code) if status == StatusCode::OK && stateless => {
            assert!(!NOT_200.contains(&code), "sent with 200: {text}");
        }
        Some(_) => {}
    }
    if let Some(id) = id {
        assert!(sent.ids.contains(&id), "an answer to an id the request did not carry: {text}");
    }
    state
}

/// The `requestState` of an input-required result.
fn request_state(result: &serde_json::value::RawValue) -> Option<String> {
    let result: Value = serde_json::from_str(result.get()).ok()?;
    Some(result.get("requestState")?.as_str()?.to_owned())
}

/// Which stream an event-stream answer is, and what it may carry.
enum Kind {
    /// A session's answer to a POST: responses to its requests only (the
    /// ids its body carried), and one to each of `requests`.
    Post { ids: Vec<RequestId>, requests: Vec<RequestId> },
    /// A session's standalone stream (GET): no response.
    Standalone,
    /// A session's stream resumed after this event: events after it, of its stream.
    Resumed(u64, u64),
    /// A stateless request's answer: one response, to it, last.
    Stateless(Option<RequestId>),
}

/// An event stream being read, and what it has carried so far.
struct OpenStream {
    kind: Kind,
    /// The session it belongs to, if any.
    session: Option<String>,
    /// Its number in the session, from its first event id.
    number: Option<u64>,
    body: ResponseBody,
    /// Bytes of an event not yet complete.
    pending: Vec<u8>,
    /// The id of the last event, on a session's stream.
    last_id: Option<(u64, u64)>,
    /// Responses so far, by id.
    answered: HashSet<Option<RequestId>>,
    /// A stateless stream's response went out: nothing may follow.
    done: bool,
    /// The `requestState` its response carried, if any.
    request_state: Option<String>,
    /// Drop the answer after its first frame.
    hang_up: bool,
    hung_up: bool,
}

impl OpenStream {
    fn new(sent: &Sent, head: &http::response::Parts, body: ResponseBody) -> Self {
        let kind = match (head.headers.contains_key("mcp-session-id"), &sent.method) {
            (false, _) => Kind::Stateless(sent.ids.first().cloned()),
            (true, &Method::POST) => Kind::Post { ids: sent.ids.clone(), requests: sent.requests.clone() },
            (true, _) => match sent.last_event {
                Some((stream, sequence)) => Kind::Resumed(stream, sequence),
                None => Kind::Standalone,
            },
        };
        let last_id = match kind {
            Kind::Resumed(stream, sequence) => Some((stream, sequence)),
            _ => None,
        };
        let session = head.headers.get("mcp-session-id").map(|id| id.to_str().expect("visible ASCII").to_owned());
        let (answered, pending, hang_up) = (HashSet::new(), Vec::new(), sent.hang_up);
        let (number, done, hung_up, request_state) = (None, false, false, None);
        Self { kind, session, number, body, pending, last_id, answered, done, request_state, hang_up, hung_up }
    }

    /// Read until the stream ends (`true`) or `deadline` passes (`false`),
    /// checking every event; with `~hangup`, only the first frame.
    async fn read_until(&mut self, deadline: Instant, client: &mut Client) -> bool {
        loop {
            match timeout_at(deadline, self.body.frame()).await {
                Err(_) => return false,
                Ok(None) => {
                    self.ended(client);
                    return true;
                }
                Ok(Some(frame)) => {
                    let Ok(frame) = frame;
                    if let Ok(data) = frame.into_data() {
                        self.pending.extend_from_slice(&data);
                        self.take_events(client);
                    }
                    if self.hang_up {
                        self.hung_up = true;
                        return false;
                    }
                }
            }
        }
    }

    fn take_events(&mut self, client: &mut Client) {
        while let Some((block, rest)) = split_once(&self.pending, b"\n\n") {
            if *TRACE {
                eprintln!("   {}", String::from_utf8_lossy(block).replace('\n', " | "));
            }
            let event = Event::parse(block);
            self.pending = rest.to_vec();
            self.check(&event, client);
        }
    }

    fn check(&mut self, event: &Event, client: &mut Client) {
        let stateless = matches!(self.kind, Kind::Stateless(_));
        // A keep-alive comment may come on any stream that was quiet.
        if event.is_comment() {
            return;
        }
        match &event.id {
            Some(id) => {
                assert!(!stateless, "an event id on a stateless stream: {id:?}");
                let (stream, sequence) = parse_event_id(id);
                self.number.get_or_insert(stream);
                if let Some((last_stream, last_sequence)) = self.last_id {
                    assert_eq!(stream, last_stream, "events of two streams on one answer");
                    assert!(sequence > last_sequence, "event {id} after {last_sequence}");
                }
                self.last_id = Some((stream, sequence));
                let session = self.session.clone().expect("a session's stream names it");
                let data = event.data.clone().unwrap_or_default();
                let first = client.events.entry((session, stream, sequence)).or_insert_with(|| data.clone());
                assert_eq!(*first, data, "event {id} replayed as something else");
            }
            // A session's stream whose connection closes ends with `retry` alone.
            None => assert!(stateless || (event.retry && event.data.is_none()), "an event without an id: {event:?}"),
        }
        assert!(!stateless || !event.retry, "retry on a stateless stream");
        let Some(data) = event.data.as_deref().filter(|data| !data.is_empty()) else {
            assert!(!stateless, "an empty event on a stateless stream");
            return;
        };
        let message = match decode(data.as_bytes()) {
            Ok(Decoded::Single(message)) => message,
            _ => panic!("an event that is not one JSON-RPC message: {data}"),
        };
        assert!(!self.done, "an event after a stateless stream's response: {data}");
        let answers = match &message {
            Message::Response(response) => {
                self.request_state = request_state(&response.result).or(self.request_state.take());
                Some(Some(response.id.clone()))
            }
            Message::Error(error) => Some(error.id.clone()),
            Message::Request(_) => {
                assert!(!stateless, "a request on a stateless stream: {data}");
                None
            }
            Message::Notification(_) => None,
        };
        let Some(id) = answers else { return };
        match &self.kind {
            Kind::Post { ids, .. } => {
                assert!(id.as_ref().is_some_and(|id| ids.contains(id)), "a response to another request: {data}")
            }
            Kind::Standalone => panic!("a response on the standalone stream: {data}"),
            Kind::Resumed(..) => {}
            Kind::Stateless(ids) => {
                assert_eq!(&id, ids, "a stateless stream answering another request: {data}");
                self.done = true;
            }
        }
        assert!(self.answered.insert(id), "answered twice on one stream: {data}");
    }

    fn ended(&mut self, client: &Client) {
        assert!(self.pending.is_empty(), "a stream ended mid-event: {:?}", String::from_utf8_lossy(&self.pending));
        match &self.kind {
            Kind::Stateless(_) => assert!(self.done, "a stateless stream ended without its response"),
            Kind::Post { requests, .. } => {
                let session = self.session.as_deref().expect("a session's stream names it");
                if client.excuses(session, self.number) {
                    return;
                }
                for id in requests.iter().filter(|id| !client.cancelled.contains(id)) {
                    assert!(self.answered.contains(&Some(id.clone())), "a stream ended without answering {id}");
                }
            }
            Kind::Standalone | Kind::Resumed(..) => {}
        }
    }
}

/// One block of server-sent events.
#[derive(Debug, Default)]
struct Event {
    id: Option<String>,
    data: Option<String>,
    retry: bool,
    /// Lines that are comments (`: keep-alive`).
    comments: usize,
    /// Any field at all.
    fields: usize,
}

impl Event {
    fn parse(block: &[u8]) -> Self {
        let text = std::str::from_utf8(block).expect("an event is UTF-8");
        let mut event = Event::default();
        for line in text.split('\n') {
            if line.starts_with(':') {
                event.comments += 1;
                continue;
            }
            event.fields += 1;
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => assert_eq!(value, "message", "an event type MCP does not use"),
                "id" => event.id = Some(value.to_owned()),
                "data" => {
                    assert!(event.data.is_none(), "an event with two data lines: {text:?}");
                    event.data = Some(value.to_owned());
                }
                "retry" => {
                    value.parse::<u64>().expect("retry is milliseconds");
                    event.retry = true;
                }
                other => panic!("an SSE field MCP does not use: {other:?}"),
            }
        }
        event
    }

    fn is_comment(&self) -> bool {
        self.comments > 0 && self.fields == 0
    }
}

fn parse_event_id(id: &str) -> (u64, u64) {
    let parsed = id.split_once(':').and_then(|(s, q)| Some((s.parse().ok()?, q.parse().ok()?)));
    parsed.unwrap_or_else(|| panic!("an event id that is not <stream>:<sequence>: {id:?}"))
}
