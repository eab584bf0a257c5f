//! floor: the cheapest MCP server that still does the work honestly, as the
//! benchmark's lower bound.
//!
//! One thread, one loop: read a line from stdin, parse it with serde_json, write
//! the answer with serde_json. No runtime, no channels, no schema validation, no
//! concurrency: a request is finished before the next one is read. Whatever
//! mcpwire costs above this is the price of being a real server.
//!
//! It does every benchmark scenario a plain loop can do: `emit_notifications`
//! writes its lines one after the other (a blocking write is its back-pressure,
//! so it never drops one), and `ask_client` writes all its requests, then reads
//! until every one is answered, serving whatever else arrives meanwhile.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::os::fd::AsFd;

use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;

/// The only protocol revision the floor speaks; it is the one the benchmark asks for.
const PROTOCOL_VERSION: &str = "2025-11-25";

/// Read buffer size: big enough that a burst of pipelined requests (or answers to
/// `ask_client`) is taken from the pipe in one `read`, like the 64 KiB pipe itself.
const READ_BUFFER: usize = 64 * 1024;

/// Write buffer size: the size of a Linux pipe, so one flush of a full buffer is
/// one `write` that the pipe can take whole when the reader keeps up.
const WRITE_BUFFER: usize = 64 * 1024;

/// JSON-RPC's "method not found".
const METHOD_NOT_FOUND: i64 = -32601;
/// JSON-RPC's "invalid params", also MCP's answer to an unknown tool.
const INVALID_PARAMS: i64 = -32602;
/// JSON-RPC's "parse error".
const PARSE_ERROR: i64 = -32700;

/// Any incoming line: a request, a notification or a response. Fields borrow
/// from the line; `params` stays raw until the handler that needs it parses it.
#[derive(Deserialize)]
struct Incoming<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
}

/// `tools/call` params.
#[derive(Deserialize)]
struct CallParams<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    arguments: Option<&'a RawValue>,
}

/// `echo` arguments.
#[derive(Deserialize)]
struct EchoArgs<'a> {
    #[serde(borrow)]
    text: Cow<'a, str>,
}

/// `ask_client` and `emit_notifications` arguments.
#[derive(Deserialize)]
struct CountArgs {
    count: u64,
}

/// The part of an elicitation answer the floor counts.
#[derive(Deserialize)]
struct ElicitAnswer<'a> {
    #[serde(borrow)]
    action: Cow<'a, str>,
}

/// A successful response.
#[derive(Serialize)]
struct Response<'a, T> {
    jsonrpc: &'static str,
    id: &'a RawValue,
    result: T,
}

/// A single text content block, as `echo` and the counters return.
#[derive(Serialize)]
struct Text<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
}

/// A tool result with text content only.
#[derive(Serialize)]
struct TextResult<'a> {
    content: [Text<'a>; 1],
}

/// `notifications/message` as `emit_notifications` sends it.
#[derive(Serialize)]
struct LogNotification {
    jsonrpc: &'static str,
    method: &'static str,
    params: LogParams,
}

/// The params of a `notifications/message`.
#[derive(Serialize)]
struct LogParams {
    level: &'static str,
    data: u64,
}

/// An `elicitation/create` request as `ask_client` sends it.
#[derive(Serialize)]
struct ElicitRequest<'a> {
    jsonrpc: &'static str,
    id: u64,
    method: &'static str,
    params: ElicitParams<'a>,
}

/// The params of an `elicitation/create`.
#[derive(Serialize)]
struct ElicitParams<'a> {
    mode: &'static str,
    message: &'a str,
    #[serde(rename = "requestedSchema")]
    requested_schema: &'a RawValue,
}

/// The answers to one `ask_client` call, by outcome.
#[derive(Default)]
struct Tally {
    accepted: u64,
    declined: u64,
    cancelled: u64,
    errors: u64,
}

/// The server: its two pipes and the id counter for its own requests.
struct Floor {
    /// stdin, read straight from the file descriptor with our own buffer.
    input: BufReader<File>,
    /// stdout, written straight to the file descriptor: std's `Stdout` is line
    /// buffered, which would turn every batch into one write per line.
    output: BufWriter<File>,
    /// Ids for the floor's own requests (`elicitation/create`); minted only here.
    next_request_id: u64,
}

impl Floor {
    /// Takes its own handles on fds 0 and 1, so neither goes through std's
    /// buffering.
    fn new() -> io::Result<Self> {
        let input = File::from(io::stdin().as_fd().try_clone_to_owned()?);
        let output = File::from(io::stdout().as_fd().try_clone_to_owned()?);
        Ok(Self {
            input: BufReader::with_capacity(READ_BUFFER, input),
            output: BufWriter::with_capacity(WRITE_BUFFER, output),
            next_request_id: 0,
        })
    }

    /// Reads the next line into `line`; false at end of input.
    ///
    /// Flush policy: answers are buffered and written when the input has nothing
    /// more buffered, i.e. just before the loop would block waiting for the
    /// client. A client that pipelines gets its answers in batches (one write
    /// for many), a client that waits for each answer gets it at once: no answer
    /// is ever held back while the floor idles. Flushing after every line would
    /// be honest too, but slower under pipelining for no gain.
    fn read_line(&mut self, line: &mut String) -> io::Result<bool> {
        if self.input.buffer().is_empty() {
            self.output.flush()?;
        }
        line.clear();
        Ok(self.input.read_line(line)? > 0)
    }

    /// The main loop: serve until stdin closes.
    fn serve(&mut self) -> io::Result<()> {
        let mut line = String::new();
        while self.read_line(&mut line)? {
            self.handle_line(&line)?;
        }
        self.output.flush()
    }

    /// Parses one line and serves it. A response that arrives here answers
    /// nothing the floor is waiting for, so it is ignored like a notification.
    fn handle_line(&mut self, line: &str) -> io::Result<()> {
        if line.trim().is_empty() {
            return Ok(());
        }
        let message: Incoming<'_> = match serde_json::from_str(line) {
            Ok(message) => message,
            Err(e) => return self.error(RawValue::NULL, PARSE_ERROR, &e.to_string()),
        };
        match (message.id, message.method.as_deref()) {
            (Some(id), Some(method)) => self.handle_request(id, method, message.params),
            _ => Ok(()),
        }
    }

    fn handle_request(&mut self, id: &RawValue, method: &str, params: Option<&RawValue>) -> io::Result<()> {
        match method {
            "initialize" => self.respond(
                id,
                json!({
                    "protocolVersion": PROTOCOL_VERSION,
                    "capabilities": {"tools": {}, "logging": {}},
                    "serverInfo": {"name": "floor", "version": env!("CARGO_PKG_VERSION")},
                }),
            ),
            "ping" => self.respond(id, json!({})),
            "tools/list" => self.respond(id, tools_list()),
            "tools/call" => self.call_tool(id, params),
            _ => self.error(id, METHOD_NOT_FOUND, "method not found"),
        }
    }

    fn call_tool(&mut self, id: &RawValue, params: Option<&RawValue>) -> io::Result<()> {
        let Some(call) = params.and_then(|p| serde_json::from_str::<CallParams<'_>>(p.get()).ok()) else {
            return self.error(id, INVALID_PARAMS, "tools/call needs a name");
        };
        let arguments = call.arguments.map_or("{}", RawValue::get);
        match call.name.as_ref() {
            "echo" => match serde_json::from_str::<EchoArgs<'_>>(arguments) {
                Ok(args) => self.respond(id, TextResult { content: [Text { kind: "text", text: &args.text }] }),
                Err(e) => self.error(id, INVALID_PARAMS, &e.to_string()),
            },
            "emit_notifications" => match serde_json::from_str::<CountArgs>(arguments) {
                Ok(args) => self.emit_notifications(id, args.count),
                Err(e) => self.error(id, INVALID_PARAMS, &e.to_string()),
            },
            "ask_client" => match serde_json::from_str::<CountArgs>(arguments) {
                Ok(args) => self.ask_client(id, args.count),
                Err(e) => self.error(id, INVALID_PARAMS, &e.to_string()),
            },
            _ => self.error(id, INVALID_PARAMS, "unknown tool"),
        }
    }

    /// Writes `count` notifications, then the result. The writes block when the
    /// client stops reading, which is the floor's whole back-pressure story:
    /// nothing is dropped and nothing else is served meanwhile.
    fn emit_notifications(&mut self, id: &RawValue, count: u64) -> io::Result<()> {
        for data in 0..count {
            let notification = LogNotification {
                jsonrpc: "2.0",
                method: "notifications/message",
                params: LogParams { level: "info", data },
            };
            serde_json::to_writer(&mut self.output, &notification)?;
            self.output.write_all(b"\n")?;
        }
        self.respond(
            id,
            json!({
                "content": [{"type": "text", "text": count.to_string()}],
                "structuredContent": {"requested": count, "sent": count, "dropped": 0},
            }),
        )
    }

    /// Sends `count` `elicitation/create` requests at once, then reads until all
    /// are answered. Requests that arrive meanwhile (pings, say) are served in
    /// turn, so the floor does not deadlock a client that pings while it waits.
    fn ask_client(&mut self, id: &RawValue, count: u64) -> io::Result<()> {
        let schema = RawValue::from_string(r#"{"type":"object","properties":{"answer":{"type":"string"}}}"#.into())
            .expect("the schema literal is valid JSON");
        let first = self.next_request_id;
        self.next_request_id += count;
        let mut message = String::new();
        for i in 0..count {
            message.clear();
            message.push_str("question ");
            message.push_str(&i.to_string());
            let request = ElicitRequest {
                jsonrpc: "2.0",
                id: first + i,
                method: "elicitation/create",
                params: ElicitParams { mode: "form", message: &message, requested_schema: &schema },
            };
            serde_json::to_writer(&mut self.output, &request)?;
            self.output.write_all(b"\n")?;
        }
        let mut tally = Tally::default();
        let mut pending = count;
        let mut line = String::new();
        while pending > 0 {
            if !self.read_line(&mut line)? {
                return Ok(());
            }
            let Ok(message) = serde_json::from_str::<Incoming<'_>>(&line) else {
                self.handle_line(&line)?;
                continue;
            };
            let answered = match (message.method.is_none(), message.id) {
                (true, Some(raw)) => {
                    serde_json::from_str::<u64>(raw.get()).ok().filter(|n| (first..first + count).contains(n))
                }
                _ => None,
            };
            if answered.is_none() {
                self.handle_line(&line)?;
                continue;
            }
            pending -= 1;
            let action = message.result.and_then(|r| serde_json::from_str::<ElicitAnswer<'_>>(r.get()).ok());
            match action.as_ref().map(|a| a.action.as_ref()) {
                Some("accept") => tally.accepted += 1,
                Some("decline") => tally.declined += 1,
                Some("cancel") => tally.cancelled += 1,
                _ => tally.errors += 1,
            }
        }
        let text = format!(
            "accepted={} declined={} cancelled={} errors={}",
            tally.accepted, tally.declined, tally.cancelled, tally.errors
        );
        self.respond(id, TextResult { content: [Text { kind: "text", text: &text }] })
    }

    fn respond<T: Serialize>(&mut self, id: &RawValue, result: T) -> io::Result<()> {
        serde_json::to_writer(&mut self.output, &Response { jsonrpc: "2.0", id, result })?;
        self.output.write_all(b"\n")
    }

    fn error(&mut self, id: &RawValue, code: i64, message: &str) -> io::Result<()> {
        let error = json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}});
        serde_json::to_writer(&mut self.output, &error)?;
        self.output.write_all(b"\n")
    }
}

/// The `tools/list` result: the three tools the benchmark calls.
fn tools_list() -> serde_json::Value {
    let count =
        json!({"type": "object", "properties": {"count": {"type": "integer", "minimum": 0}}, "required": ["count"]});
    json!({"tools": [
        {
            "name": "echo",
            "description": "Returns its text argument as text content",
            "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        },
        {
            "name": "ask_client",
            "description": "Sends `count` elicitation requests to the client at once and counts the answers",
            "inputSchema": count,
        },
        {
            "name": "emit_notifications",
            "description": "Sends `count` info log notifications, then reports how many were sent and dropped",
            "inputSchema": count,
        },
    ]})
}

fn main() -> io::Result<()> {
    Floor::new()?.serve()
}
