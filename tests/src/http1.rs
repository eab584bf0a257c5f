//! HTTP/1.1 from the client's side, as both the end-to-end tests and the
//! benchmark's load generator speak it to an MCP server: writing a request,
//! reading a response's status line and headers, and decoding its body
//! (`Content-Length`, chunked, or until the connection closes). What the body
//! carries, server-sent events, is [`crate::sse`].
//!
//! Plain functions over byte buffers and `BufRead`, tested on byte slices.
//! Connecting, deadlines and what to send are left to the callers: the tests'
//! `HttpClient` reads with deadlines and checks every message against the
//! schema; the load generator (`xtask/src/bench/http_client.rs`) keeps one
//! blocking connection per session and parses only what it times. Only as much
//! HTTP/1.1 as talking to an MCP server on loopback takes, and once its buffers
//! have grown nothing here allocates, so the load generator stays cheap next to
//! the servers it measures.

use std::fmt;
use std::io::{self, BufRead, Read};
use std::net::SocketAddr;
use std::ops::Range;

/// The longest status, header or chunk-size line accepted. Anything longer is
/// not an MCP server talking, and reading it whole would only hide that.
pub const MAX_LINE: usize = 16 * 1024;

/// Appends a request to `out`: the request line, `headers` exactly as given
/// (a test may send what no well-behaved client would, and `Host` is the
/// caller's to give), a `Content-Length` unless `headers` has one and the
/// request has a body or is a POST or PUT, then the body.
pub fn write_request(out: &mut Vec<u8>, method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) {
    for part in [method, " ", target, " HTTP/1.1\r\n"] {
        out.extend_from_slice(part.as_bytes());
    }
    for (name, value) in headers {
        for part in [name, ": ", value, "\r\n"] {
            out.extend_from_slice(part.as_bytes());
        }
    }
    let has_length = headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("content-length"));
    if !has_length && (!body.is_empty() || method == "POST" || method == "PUT") {
        // Writing into a Vec cannot fail.
        let _ = io::Write::write_fmt(out, format_args!("Content-Length: {}\r\n", body.len()));
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

/// How the end of a response body is found (RFC 9112, section 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// `Content-Length`: exactly this many bytes.
    Length(usize),
    /// `Transfer-Encoding: chunked`, as every SSE stream is sent.
    Chunked,
    /// Neither: the body ends when the server closes the connection.
    UntilClose,
}

/// A response's status line and headers.
///
/// The head is kept as received in one buffer, with the name and value of each
/// header as ranges of it, so reading a head into a reused `ResponseHead`
/// allocates nothing once the buffers have grown.
#[derive(Clone, Default)]
pub struct ResponseHead {
    /// The status code.
    status: u16,
    /// Whether the status line said HTTP/1.0, whose connections close after
    /// each response unless the server says otherwise.
    http_1_0: bool,
    /// The head's lines, as received; checked to be UTF-8 as they are read.
    text: Vec<u8>,
    /// The name and value of each header, trimmed, as ranges of `text`.
    fields: Vec<(Range<usize>, Range<usize>)>,
}

impl ResponseHead {
    /// Reads a response head from `reader`; see [`read_from`](Self::read_from).
    ///
    /// # Errors
    /// As [`read_from`](Self::read_from).
    pub fn read(reader: &mut impl BufRead) -> io::Result<Self> {
        let mut head = Self::default();
        head.read_from(reader)?;
        Ok(head)
    }

    /// Reads the next response head from `reader` into `self`, skipping
    /// interim (1xx) responses such as `100 Continue`.
    ///
    /// # Errors
    /// When the connection fails or closes first, or the head is not HTTP/1.x.
    pub fn read_from(&mut self, reader: &mut impl BufRead) -> io::Result<()> {
        loop {
            self.text.clear();
            self.fields.clear();
            let status_line = read_head_line(reader, &mut self.text)?;
            let (http_1_0, status) =
                parse_status_line(status_line).ok_or_else(|| invalid(format!("a bad status line {status_line:?}")))?;
            loop {
                let start = self.text.len();
                let line = read_head_line(reader, &mut self.text)?;
                if line.is_empty() {
                    break;
                }
                let Some((name, value)) = line.split_once(':') else {
                    return Err(invalid(format!("a bad header line {line:?}")));
                };
                let value_start = start + name.len() + 1;
                let field = (trimmed(name, start), trimmed(value, value_start));
                self.fields.push(field);
            }
            if !(100..200).contains(&status) {
                (self.status, self.http_1_0) = (status, http_1_0);
                return Ok(());
            }
        }
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The value of a header (the first one, if repeated), by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, value)| value)
    }

    /// Every header in the order they came, names as sent.
    pub fn headers(&self) -> impl Iterator<Item = (&str, &str)> {
        self.fields.iter().map(|(name, value)| (self.str_at(name), self.str_at(value)))
    }

    /// The text at `range` of the head, which was checked to be UTF-8 when
    /// it was read.
    fn str_at(&self, range: &Range<usize>) -> &str {
        std::str::from_utf8(&self.text[range.clone()]).unwrap_or_default()
    }

    /// The media type of `Content-Type`, without its parameters: e.g.
    /// `text/event-stream` for `text/event-stream; charset=utf-8`.
    pub fn media_type(&self) -> Option<&str> {
        self.header("content-type").map(|value| value.split(';').next().unwrap_or_default().trim())
    }

    /// How the body of this response to a `request_method` request is
    /// delimited.
    ///
    /// # Errors
    /// On a `Content-Length` that is not a number, or a `Transfer-Encoding`
    /// other than `chunked`: nothing here could decode it.
    pub fn framing(&self, request_method: &str) -> io::Result<Framing> {
        if request_method == "HEAD" || matches!(self.status, 204 | 304) {
            return Ok(Framing::Length(0));
        }
        if let Some(coding) = self.header("transfer-encoding") {
            return match coding.eq_ignore_ascii_case("chunked") {
                true => Ok(Framing::Chunked),
                false => Err(invalid(format!("an unexpected Transfer-Encoding {coding:?}"))),
            };
        }
        match self.header("content-length") {
            Some(length) => {
                length.parse().map(Framing::Length).map_err(|e| invalid(format!("Content-Length {length:?}: {e}")))
            }
            None => Ok(Framing::UntilClose),
        }
    }

    /// Whether the connection can carry another request once the body,
    /// delimited by `framing`, has been read: for HTTP/1.1 unless the server
    /// said `Connection: close`, for HTTP/1.0 only if it said `keep-alive`,
    /// and never after a body that runs to the connection's end.
    pub fn keeps_alive(&self, framing: Framing) -> bool {
        if framing == Framing::UntilClose {
            return false;
        }
        let says = |token: &str| {
            self.headers()
                .filter(|(name, _)| name.eq_ignore_ascii_case("connection"))
                .any(|(_, value)| value.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        };
        match self.http_1_0 {
            true => says("keep-alive"),
            false => !says("close"),
        }
    }
}

impl fmt::Debug for ResponseHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseHead")
            .field("status", &self.status)
            .field("headers", &self.headers().collect::<Vec<_>>())
            .finish()
    }
}

/// `HTTP/1.x NNN ...`: whether it is HTTP/1.0, and the status code.
fn parse_status_line(line: &str) -> Option<(bool, u16)> {
    let rest = line.strip_prefix("HTTP/1.")?;
    let (minor, rest) = rest.split_at_checked(1)?;
    let rest = rest.strip_prefix(' ')?;
    let (code, reason) = rest.split_at_checked(3)?;
    if !code.bytes().all(|b| b.is_ascii_digit()) || !(reason.is_empty() || reason.starts_with(' ')) {
        return None;
    }
    Some((minor == "0", code.parse().ok()?))
}

/// The range of `part` without surrounding whitespace, where `part` starts
/// at `start` of the head.
fn trimmed(part: &str, start: usize) -> Range<usize> {
    let leading = part.len() - part.trim_start().len();
    start + leading..start + part.trim_end().len().max(leading)
}

/// Reads one line of a head onto `text` and returns it, without its line
/// ending. The end of input before it is an error: a server may only close
/// the connection between responses.
fn read_head_line<'a>(reader: &mut impl BufRead, text: &'a mut Vec<u8>) -> io::Result<&'a str> {
    let line = read_line(reader, text)?
        .ok_or_else(|| io::Error::new(io::ErrorKind::UnexpectedEof, "the connection closed"))?;
    std::str::from_utf8(&text[line]).map_err(|e| invalid(format!("a head line that is not UTF-8: {e}")))
}

/// Reads one line (`\n` or `\r\n`) onto `bytes` and returns its range,
/// without the line ending; `None` when the connection closed before the
/// line began.
fn read_line(reader: &mut impl BufRead, bytes: &mut Vec<u8>) -> io::Result<Option<Range<usize>>> {
    let start = bytes.len();
    let read = reader.by_ref().take(MAX_LINE as u64).read_until(b'\n', bytes)?;
    if read == 0 {
        return Ok(None);
    }
    if bytes.last() != Some(&b'\n') {
        return Err(match read >= MAX_LINE {
            true => invalid(format!("a line longer than {MAX_LINE} bytes")),
            false => io::Error::new(io::ErrorKind::UnexpectedEof, "the connection closed mid-line"),
        });
    }
    let mut end = bytes.len() - 1;
    if end > start && bytes[end - 1] == b'\r' {
        end -= 1;
    }
    Ok(Some(start..end))
}

/// Reads one response body, decoding its framing: piece by piece, so a test
/// can see each SSE event as it arrives, or whole.
///
/// It holds no buffers: the decoded bytes go onto the caller's, and the
/// chunked coding's size lines pass through the end of that buffer.
#[derive(Debug, Clone, Copy)]
pub struct BodyReader {
    /// How the body is delimited; a `Length` counts down as it is read.
    framing: Framing,
    /// The body has ended (or the connection did).
    ended: bool,
    /// The connection closed between two chunks instead of after the last.
    cut_off: bool,
}

impl BodyReader {
    /// A reader for a body delimited by `framing`, none of it read yet.
    pub fn new(framing: Framing) -> Self {
        Self { framing, ended: framing == Framing::Length(0), cut_off: false }
    }

    /// Whether the body has ended (or the connection closed).
    pub fn is_ended(&self) -> bool {
        self.ended
    }

    /// Whether the connection closed between two chunks of a chunked body
    /// instead of after its last chunk: the body ended, but not properly.
    pub fn was_cut_off(&self) -> bool {
        self.cut_off
    }

    /// Decodes the next piece of the body onto `out`: a whole chunk, or what
    /// the connection has ready of any other body. At the end of the body it
    /// adds nothing and marks it ended.
    ///
    /// # Errors
    /// When reading fails, the body is shorter than announced, or the
    /// chunked coding is broken; `out` then holds only whole pieces.
    pub fn read_some(&mut self, reader: &mut impl BufRead, out: &mut Vec<u8>) -> io::Result<()> {
        if self.ended {
            return Ok(());
        }
        match self.framing {
            Framing::Length(remaining) => {
                let ready = reader.fill_buf()?;
                if ready.is_empty() {
                    return Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the body is shorter than announced"));
                }
                let taken = ready.len().min(remaining);
                out.extend_from_slice(&ready[..taken]);
                reader.consume(taken);
                self.framing = Framing::Length(remaining - taken);
                self.ended = taken == remaining;
            }
            Framing::UntilClose => {
                let ready = reader.fill_buf()?;
                out.extend_from_slice(ready);
                let taken = ready.len();
                reader.consume(taken);
                self.ended = taken == 0;
            }
            Framing::Chunked => {
                let start = out.len();
                let read = self.read_chunk(reader, out, start);
                if read.is_err() {
                    out.truncate(start);
                }
                read?;
            }
        }
        Ok(())
    }

    /// Reads the rest of the body onto `out`.
    ///
    /// # Errors
    /// As [`read_some`](Self::read_some), and when the connection closed
    /// between two chunks: a whole body was wanted.
    pub fn read_to_end(&mut self, reader: &mut impl BufRead, out: &mut Vec<u8>) -> io::Result<()> {
        while !self.ended {
            self.read_some(reader, out)?;
        }
        match self.cut_off {
            true => Err(io::Error::new(io::ErrorKind::UnexpectedEof, "the connection closed before the last chunk")),
            false => Ok(()),
        }
    }

    /// One chunk onto `out`, whose length before it was `start`; its size line
    /// is read onto `out` too, and taken off again.
    fn read_chunk(&mut self, reader: &mut impl BufRead, out: &mut Vec<u8>, start: usize) -> io::Result<()> {
        let Some(line) = read_line(reader, out)? else {
            // The connection closed between chunks: the stream is over for
            // this client, though not ended the proper way.
            self.ended = true;
            self.cut_off = true;
            return Ok(());
        };
        let size_line = &out[line];
        // Chunk extensions (`;name=value`) carry nothing for us.
        let hex = size_line.split(|&b| b == b';').next().unwrap_or_default().trim_ascii();
        let size = std::str::from_utf8(hex).ok().and_then(|hex| usize::from_str_radix(hex, 16).ok());
        let Some(size) = size else {
            return Err(invalid(format!("a bad chunk size line {:?}", String::from_utf8_lossy(size_line))));
        };
        out.truncate(start);
        if size == 0 {
            // Trailers, if any, up to the blank line that ends the body.
            loop {
                let line = read_line(reader, out)?.ok_or_else(|| closed_in("the trailers"))?;
                let blank = line.is_empty();
                out.truncate(start);
                if blank {
                    self.ended = true;
                    return Ok(());
                }
            }
        }
        let read = reader.by_ref().take(size as u64).read_to_end(out)?;
        if read < size {
            return Err(closed_in("a chunk"));
        }
        let end = out.len();
        let line = read_line(reader, out)?.ok_or_else(|| closed_in("a chunk"))?;
        if !line.is_empty() {
            return Err(invalid("a chunk does not end with CRLF".to_owned()));
        }
        out.truncate(end);
        Ok(())
    }
}

/// The address in the first `http://ADDRESS/mcp` of a server's log line, such
/// as mcpwire's "serves MCP over Streamable HTTP at http://127.0.0.1:43117/mcp":
/// every server under test logs where it listens that way.
pub fn logged_endpoint(line: &str) -> Option<SocketAddr> {
    let (_, rest) = line.split_once("http://")?;
    let (address, path) = rest.split_at(rest.find('/')?);
    if !path.starts_with("/mcp") {
        return None;
    }
    address.parse().ok()
}

fn invalid(what: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, what)
}

fn closed_in(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, format!("the connection closed in {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(text: &str) -> io::Result<ResponseHead> {
        ResponseHead::read(&mut text.as_bytes())
    }

    fn body(text: &str, framing: Framing) -> io::Result<String> {
        let mut out = Vec::new();
        BodyReader::new(framing).read_to_end(&mut text.as_bytes(), &mut out)?;
        Ok(String::from_utf8(out).unwrap())
    }

    #[test]
    fn a_request_gets_a_content_length_unless_it_has_one() {
        let mut out = Vec::new();
        write_request(&mut out, "POST", "/mcp", &[("Host", "127.0.0.1:1"), ("Accept", "*/*")], b"{}");
        assert_eq!(out, b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1:1\r\nAccept: */*\r\nContent-Length: 2\r\n\r\n{}");
        out.clear();
        write_request(&mut out, "POST", "/mcp", &[("content-length", "5")], b"{}");
        assert_eq!(out, b"POST /mcp HTTP/1.1\r\ncontent-length: 5\r\n\r\n{}");
        out.clear();
        write_request(&mut out, "GET", "/mcp", &[], b"");
        assert_eq!(out, b"GET /mcp HTTP/1.1\r\n\r\n");
        out.clear();
        write_request(&mut out, "POST", "/mcp", &[], b"");
        assert_eq!(out, b"POST /mcp HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
    }

    #[test]
    fn an_sse_head_with_a_chunked_body_keeps_the_connection() {
        let head = head(
            "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nMcp-Session-Id: abc\r\n\
             Transfer-Encoding: chunked\r\n\r\n",
        )
        .unwrap();
        assert_eq!(head.status(), 200);
        assert_eq!(head.media_type(), Some("text/event-stream"));
        assert_eq!(head.header("mcp-session-id"), Some("abc"));
        assert_eq!(head.framing("POST").unwrap(), Framing::Chunked);
        assert!(head.keeps_alive(Framing::Chunked));
        assert_eq!(
            head.headers().collect::<Vec<_>>(),
            [("content-type", "text/event-stream"), ("Mcp-Session-Id", "abc"), ("Transfer-Encoding", "chunked")]
        );
    }

    #[test]
    fn a_json_head_with_a_length_may_close_the_connection() {
        let head = head(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: 12\r\n\
             Connection: close\r\n\r\n",
        )
        .unwrap();
        assert_eq!(head.media_type(), Some("application/json"));
        assert_eq!(head.framing("POST").unwrap(), Framing::Length(12));
        assert!(!head.keeps_alive(Framing::Length(12)));
        let old = self::head("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n").unwrap();
        assert!(!old.keeps_alive(Framing::Length(2)));
        let kept = self::head("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n").unwrap();
        assert!(kept.keeps_alive(Framing::Length(2)));
    }

    #[test]
    fn a_body_without_length_or_chunking_runs_to_the_close_but_no_content_has_none() {
        let accepted = head("HTTP/1.1 202 Accepted\r\n\r\n").unwrap();
        assert_eq!(accepted.framing("POST").unwrap(), Framing::UntilClose);
        assert!(!accepted.keeps_alive(Framing::UntilClose));
        assert_eq!(head("HTTP/1.1 204 No Content\r\n\r\n").unwrap().framing("POST").unwrap(), Framing::Length(0));
        assert_eq!(
            head("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n").unwrap().framing("HEAD").unwrap(),
            Framing::Length(0)
        );
    }

    #[test]
    fn a_response_head_after_100_continue_is_read_with_its_framing() {
        let bytes = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 413 Payload Too Large\r\ncontent-length: 2\r\n\r\n{}";
        let head = ResponseHead::read(&mut &bytes[..]).unwrap();
        assert_eq!(head.status(), 413);
        assert_eq!(head.framing("POST").unwrap(), Framing::Length(2));
    }

    #[test]
    fn a_head_cut_short_or_garbled_is_an_error() {
        assert!(head("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n").is_err());
        assert!(head("SSH-2.0-OpenSSH\r\n\r\n").is_err());
        assert!(head("HTTP/1.1 2000 OK\r\n\r\n").is_err());
        assert!(head("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n").is_err());
        assert!(head(&format!("HTTP/1.1 200 OK\r\nX: {}\r\n\r\n", "x".repeat(MAX_LINE))).is_err());
        assert!(head("HTTP/1.1 200 OK\r\nContent-Length: lots\r\n\r\n").unwrap().framing("POST").is_err());
        assert!(head("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n").unwrap().framing("POST").is_err());
    }

    #[test]
    fn a_reused_head_forgets_the_previous_response() {
        let mut head = ResponseHead::default();
        head.read_from(&mut &b"HTTP/1.1 200 OK\r\nMcp-Session-Id: abc\r\n\r\n"[..]).unwrap();
        head.read_from(&mut &b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"[..]).unwrap();
        assert_eq!((head.status(), head.header("mcp-session-id")), (404, None));
    }

    #[test]
    fn chunked_bodies_are_joined_and_extensions_and_trailers_skipped() {
        let wire = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\nNEXT";
        assert_eq!(body(wire, Framing::Chunked).unwrap(), "hello, world");
        assert_eq!(body("0\r\n\r\n", Framing::Chunked).unwrap(), "");
    }

    #[test]
    fn a_chunked_body_is_read_a_chunk_at_a_time_and_a_close_between_chunks_cuts_it_off() {
        let mut wire = &b"5\r\nhello\r\n1\r\n!\r\n"[..];
        let (mut reader, mut out) = (BodyReader::new(Framing::Chunked), Vec::new());
        reader.read_some(&mut wire, &mut out).unwrap();
        assert_eq!((out.as_slice(), reader.is_ended()), (&b"hello"[..], false));
        reader.read_some(&mut wire, &mut out).unwrap();
        reader.read_some(&mut wire, &mut out).unwrap();
        assert_eq!(out, b"hello!");
        assert!(reader.is_ended() && reader.was_cut_off());
        assert!(BodyReader::new(Framing::Chunked).read_to_end(&mut &b"1\r\n!\r\n"[..], &mut Vec::new()).is_err());
    }

    #[test]
    fn a_body_cut_short_is_an_error_and_leaves_only_whole_pieces() {
        assert!(body("5\r\nhel", Framing::Chunked).is_err());
        assert!(body("5\r\nhello", Framing::Chunked).is_err());
        assert!(body("5\r\nhelloXY", Framing::Chunked).is_err());
        assert!(body("zz\r\n", Framing::Chunked).is_err());
        assert!(body("0\r\nTrailer: x\r\n", Framing::Chunked).is_err());
        assert!(body("abc", Framing::Length(5)).is_err());
        assert_eq!(body("abcdef", Framing::Length(3)).unwrap(), "abc");
        assert_eq!(body("to the end", Framing::UntilClose).unwrap(), "to the end");
        let mut out = b"kept".to_vec();
        assert!(BodyReader::new(Framing::Chunked).read_some(&mut &b"5\r\nhel"[..], &mut out).is_err());
        assert_eq!(out, b"kept");
    }

    #[test]
    fn the_logged_endpoint_is_read_from_a_log_line() {
        let line =
            "2026-11-24T23:47:42Z  INFO mcpwire serves MCP over Streamable HTTP at http://127.0.0.1:40107/mcp; logs";
        assert_eq!(logged_endpoint(line), Some("127.0.0.1:40107".parse().unwrap()));
        assert_eq!(logged_endpoint("at http://[::1]:8080/mcp\n"), Some("[::1]:8080".parse().unwrap()));
        assert_eq!(logged_endpoint("listening on http://127.0.0.1:/mcp"), None);
        assert_eq!(logged_endpoint("see http://127.0.0.1:80/other"), None);
        assert_eq!(logged_endpoint("http://localhost:80/mcp"), None);
        assert_eq!(logged_endpoint("nothing here"), None);
    }
}
