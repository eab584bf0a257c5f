//! The MCP client `cargo xtask scale` drives nginx with: one keep-alive
//! HTTP/1.1 connection (`std::net::TcpStream`, blocking, with a read
//! deadline), reopened when the other side closes it, speaking both eras.
//! Framing is `mcpwire_tests::{http1, sse}`, as in the benchmark.
//!
//! Every answer comes back whole as an [`Answer`]: its status, the process
//! that answered (nginx's `X-Upstream`), the session id it carries, and the
//! JSON-RPC messages in its body, whether JSON or SSE. Nothing here decides
//! what counts as a failure; the rows of the table do.

use std::io::{self, BufReader, Write as _};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use mcpwire_tests::http1::{self, BodyReader, ResponseHead};
use mcpwire_tests::sse;
use serde_json::{Value, json};

/// The endpoint nginx serves.
const PATH: &str = "/mcp";

/// The stateless revision.
pub(crate) const MODERN: &str = "2026-07-28";

/// The handshake-era revision sessions ask for.
pub(crate) const LEGACY: &str = "2025-11-25";

/// How long one read may wait: far beyond any answer here, so only a stall
/// (a process that neither answers nor closes) trips it.
const READ_TIMEOUT: Duration = Duration::from_secs(10);

/// The `Accept` every POST carries.
const ACCEPT_BOTH: &str = "application/json, text/event-stream";

/// One answer, read whole.
#[derive(Debug, Clone)]
pub(crate) struct Answer {
    /// The HTTP status.
    pub(crate) status: u16,
    /// The route of the process that answered (nginx's `X-Upstream`), empty
    /// when nginx named none.
    pub(crate) upstream: String,
    /// The `Mcp-Session-Id` the answer carries.
    pub(crate) session_id: Option<String>,
    /// The JSON-RPC messages of the body: the JSON body, or every SSE event's data.
    pub(crate) messages: Vec<Value>,
    /// The body as text, for error messages.
    pub(crate) text: String,
}

impl Answer {
    /// The result of the response to `id`, if the body holds one.
    pub(crate) fn result(&self, id: u64) -> Option<&Value> {
        self.response(id)?.get("result")
    }

    /// The response to `id`, if the body holds one.
    pub(crate) fn response(&self, id: u64) -> Option<&Value> {
        self.messages.iter().find(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    /// A short account of the answer, for a failure's description.
    pub(crate) fn describe(&self) -> String {
        let text: String = self.text.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(200).collect();
        format!("HTTP {} from {}: {text}", self.status, self.upstream_or_nginx())
    }

    /// The route that answered, or "nginx" when no process did.
    pub(crate) fn upstream_or_nginx(&self) -> &str {
        if self.upstream.is_empty() { "nginx" } else { &self.upstream }
    }
}

/// An SSE stream being read event by event, so the client can stop
/// reading (and hang up) in the middle of it.
pub(crate) struct EventStream<'a> {
    client: &'a mut Client,
    body: BodyReader,
    /// Decoded body not yet split into events.
    pending: Vec<u8>,
    /// The answer's head.
    pub(crate) head: ResponseHead,
}

/// One SSE event's id and data.
#[derive(Debug, Clone)]
pub(crate) struct Event {
    pub(crate) id: Option<String>,
    pub(crate) data: Option<String>,
}

impl EventStream<'_> {
    /// The next event, or `None` at the end of the stream.
    pub(crate) fn next_event(&mut self) -> io::Result<Option<Event>> {
        loop {
            let text = String::from_utf8_lossy(&self.pending).into_owned();
            if let Some((block, rest)) = sse::split_block(&text) {
                let event = Event { id: block.id.map(str::to_owned), data: block.data.map(|d| d.into_owned()) };
                self.pending = rest.as_bytes().to_vec();
                return Ok(Some(event));
            }
            if self.body.is_ended() {
                return Ok(None);
            }
            let conn = self.client.conn.as_mut().expect("a stream has a connection");
            self.body.read_some(conn, &mut self.pending)?;
        }
    }

    /// Hangs up in the middle of the stream, as a client that lost its
    /// network would.
    pub(crate) fn hang_up(self) {
        self.client.conn = None;
    }

    /// Reads the rest of the stream, so the connection can be used again.
    pub(crate) fn finish(mut self) -> io::Result<Vec<Event>> {
        let mut events = Vec::new();
        while let Some(event) = self.next_event()? {
            events.push(event);
        }
        if !self.head.keeps_alive(http1::Framing::Chunked) {
            self.client.conn = None;
        }
        Ok(events)
    }
}

/// A client of nginx: one connection at a time.
pub(crate) struct Client {
    /// Where nginx listens.
    address: SocketAddr,
    /// `address` as `Host` says it.
    host: String,
    /// The open connection; `None` until the first request, after the other
    /// side said it would close, or after an error.
    conn: Option<BufReader<TcpStream>>,
    /// The next JSON-RPC id; ids count up from 1.
    next_id: u64,
}

impl Client {
    pub(crate) fn new(address: SocketAddr) -> Self {
        Self { address, host: address.to_string(), conn: None, next_id: 1 }
    }

    /// Mints a JSON-RPC id.
    pub(crate) fn mint_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// A stateless 2026-07-28 `tools/call` of `tool` with `params` (name,
    /// arguments and any retry members), its `_meta` filled in; returns its
    /// id and the answer.
    pub(crate) fn call_stateless(&mut self, tool: &str, params: Value) -> io::Result<(u64, Answer)> {
        self.stateless("tools/call", tool, params, &json!({"elicitation": {}}))
    }

    /// Any stateless 2026-07-28 request: `name` is what `Mcp-Name` carries
    /// (the tool, or the task id of a `tasks/*` request), `capabilities` what
    /// its `_meta` declares.
    pub(crate) fn stateless(
        &mut self,
        method: &str,
        name: &str,
        mut params: Value,
        capabilities: &Value,
    ) -> io::Result<(u64, Answer)> {
        params["_meta"] = json!({
            "io.modelcontextprotocol/protocolVersion": MODERN,
            "io.modelcontextprotocol/clientCapabilities": capabilities,
            "io.modelcontextprotocol/clientInfo": {"name": "mcpwire-scale", "version": "1.0.0"},
        });
        let id = self.mint_id();
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        let headers = [
            ("Accept", ACCEPT_BOTH),
            ("Content-Type", "application/json"),
            ("MCP-Protocol-Version", MODERN),
            ("Mcp-Method", method),
            ("Mcp-Name", name),
        ];
        let answer = self.post(&headers, body.as_bytes())?;
        Ok((id, answer))
    }

    /// A request in the session `session_id` (or, without one, `initialize`
    /// itself); returns its id and the answer.
    pub(crate) fn request_in_session(
        &mut self,
        session_id: Option<&str>,
        method: &str,
        params: &Value,
    ) -> io::Result<(u64, Answer)> {
        let id = self.mint_id();
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        let answer = self.post(&session_headers(session_id), body.as_bytes())?;
        Ok((id, answer))
    }

    /// A notification in the session.
    pub(crate) fn notify_in_session(&mut self, session_id: &str, method: &str) -> io::Result<Answer> {
        let body = json!({"jsonrpc": "2.0", "method": method}).to_string();
        self.post(&session_headers(Some(session_id)), body.as_bytes())
    }

    /// A request in the session whose answer is read event by event.
    pub(crate) fn stream_in_session(
        &mut self,
        session_id: &str,
        method: &str,
        params: &Value,
    ) -> io::Result<(u64, EventStream<'_>)> {
        let id = self.mint_id();
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}).to_string();
        let stream = self.send_streaming("POST", &session_headers(Some(session_id)), body.as_bytes())?;
        Ok((id, stream))
    }

    /// `GET` with `Last-Event-ID`: the rest of a stream of the session,
    /// replayed from after that event.
    pub(crate) fn resume(&mut self, session_id: &str, last_event_id: &str) -> io::Result<EventStream<'_>> {
        let mut headers = session_headers(Some(session_id));
        headers.retain(|(name, _)| *name != "Content-Type");
        headers.push(("Last-Event-ID", last_event_id));
        self.send_streaming("GET", &headers, b"")
    }

    /// One POST, its answer read whole.
    fn post(&mut self, headers: &[(&str, &str)], body: &[u8]) -> io::Result<Answer> {
        let stream = self.send_streaming("POST", headers, body)?;
        let (status, upstream, session_id) = (
            stream.head.status(),
            stream.head.header("x-upstream").unwrap_or_default().to_owned(),
            stream.head.header("mcp-session-id").map(str::to_owned),
        );
        let media_type = stream.head.media_type().unwrap_or_default().to_ascii_lowercase();
        let keeps_alive = stream.head.keeps_alive(stream.head.framing("POST")?);
        let EventStream { client, mut body, mut pending, .. } = stream;
        let conn = client.conn.as_mut().expect("an answer has a connection");
        let read = body.read_to_end(conn, &mut pending);
        if read.is_err() || !keeps_alive {
            client.conn = None;
        }
        read?;
        let text = String::from_utf8_lossy(&pending).into_owned();
        let messages = if media_type == "text/event-stream" {
            sse::blocks(&text).filter_map(|block| serde_json::from_str(block.data.as_deref()?).ok()).collect()
        } else {
            serde_json::from_str(&text).ok().into_iter().collect()
        };
        Ok(Answer { status, upstream, session_id, messages, text })
    }

    /// Writes a request and reads the head of its answer, (re)connecting
    /// first when needed. An error drops the connection, so the next request
    /// opens a fresh one.
    fn send_streaming(&mut self, method: &str, headers: &[(&str, &str)], body: &[u8]) -> io::Result<EventStream<'_>> {
        let sent = self.write_and_read_head(method, headers, body);
        let (head, framing) = match sent {
            Ok(sent) => sent,
            Err(error) => {
                self.conn = None;
                return Err(error);
            }
        };
        Ok(EventStream { client: self, body: BodyReader::new(framing), pending: Vec::new(), head })
    }

    fn write_and_read_head(
        &mut self,
        method: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> io::Result<(ResponseHead, http1::Framing)> {
        if self.conn.is_none() {
            let stream = TcpStream::connect(self.address)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(READ_TIMEOUT))?;
            self.conn = Some(BufReader::new(stream));
        }
        let conn = self.conn.as_mut().expect("connected above");
        let mut all = vec![("Host", self.host.as_str())];
        all.extend_from_slice(headers);
        let mut request = Vec::with_capacity(512 + body.len());
        http1::write_request(&mut request, method, PATH, &all, body);
        conn.get_mut().write_all(&request)?;
        let head = ResponseHead::read(conn)?;
        let framing = head.framing(method)?;
        Ok((head, framing))
    }
}

/// The headers of a request in a session (or of `initialize`, without one).
fn session_headers(session_id: Option<&str>) -> Vec<(&str, &str)> {
    let mut headers = vec![("Accept", ACCEPT_BOTH), ("Content-Type", "application/json")];
    if let Some(session_id) = session_id {
        headers.push(("Mcp-Session-Id", session_id));
        headers.push(("MCP-Protocol-Version", LEGACY));
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_request_names_the_session_and_its_version() {
        let headers = session_headers(Some("p1.abc"));
        assert!(headers.contains(&("Mcp-Session-Id", "p1.abc")));
        assert!(headers.contains(&("MCP-Protocol-Version", LEGACY)));
        assert_eq!(session_headers(None).len(), 2, "initialize has no session yet");
    }

    #[test]
    fn answers_find_the_response_to_their_request() {
        let answer = Answer {
            status: 200,
            upstream: String::new(),
            session_id: None,
            messages: vec![
                json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {}}),
                json!({"jsonrpc": "2.0", "id": 7, "result": {"content": []}}),
            ],
            text: String::new(),
        };
        assert_eq!(answer.result(7), Some(&json!({"content": []})));
        assert_eq!(answer.result(8), None);
        assert_eq!(answer.upstream_or_nginx(), "nginx");
    }
}
