//! Server-sent events from the client's side: a `text/event-stream` body split
//! into its blocks of fields by the HTML standard's rules, borrowing from the
//! text. Plain functions over `&str`, tested without sockets; the end-to-end
//! tests split a stream block by block as it arrives, the load generator
//! splits whole bodies. HTTP itself is [`crate::http1`].
//!
//! The rules: lines end with CRLF, LF or CR; a line is `field: value` (one
//! optional space after the colon, and a line without a colon is a field with
//! an empty value); a line starting with a colon is a comment; a blank line
//! ends the block. `data` lines are joined with `\n`. A block cut off by the
//! end of the body is not an event.

use std::borrow::Cow;

/// One block of an event stream: the fields up to a blank line. An
/// `EventSource` would dispatch it as an event only if it
/// [`dispatches`](Self::dispatches); the tests look at the others too (a
/// priming event, a lone `retry:` before the server closes the stream).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SseBlock<'a> {
    /// The `id:` field.
    pub id: Option<&'a str>,
    /// The `event:` field, the event type.
    pub event: Option<&'a str>,
    /// The `data:` lines, joined with `\n`; borrowed when there is one, as an
    /// MCP message is always on one line.
    pub data: Option<Cow<'a, str>>,
    /// The `retry:` field, unparsed.
    pub retry: Option<&'a str>,
    /// The first line whose field SSE does not define: a client ignores it,
    /// and an MCP server has no reason to send one.
    pub unknown: Option<&'a str>,
    /// How many fields the block had: 0 for comments and blank lines only.
    pub fields: usize,
    /// How many comment lines (`: ...`) it had, such as keep-alives.
    pub comments: usize,
}

impl<'a> SseBlock<'a> {
    /// Whether an `EventSource` would dispatch this block as an event: only
    /// when its data is not empty. A priming event (an `id:` and an empty
    /// `data:`) is not dispatched.
    pub fn dispatches(&self) -> bool {
        self.data.as_deref().is_some_and(|data| !data.is_empty())
    }

    /// The event type: the `event:` field, or `message` without one.
    pub fn kind(&self) -> &'a str {
        self.event.filter(|kind| !kind.is_empty()).unwrap_or("message")
    }
}

/// Splits the first complete block off the front of `text`: the block and the
/// text after it, or `None` when no blank line ends a block yet (more is to
/// come, or the stream was cut off in the middle of one).
pub fn split_block(text: &str) -> Option<(SseBlock<'_>, &str)> {
    let mut block = SseBlock::default();
    let mut rest = text;
    loop {
        let end = rest.find(['\r', '\n'])?;
        let line = &rest[..end];
        let newline = if rest[end..].starts_with("\r\n") { 2 } else { 1 };
        rest = &rest[end + newline..];
        if line.is_empty() {
            return Some((block, rest));
        }
        if line.starts_with(':') {
            block.comments += 1;
            continue;
        }
        block.fields += 1;
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match name {
            "data" => {
                block.data = Some(match block.data.take() {
                    None => Cow::Borrowed(value),
                    Some(earlier) => Cow::Owned(format!("{earlier}\n{value}")),
                });
            }
            "event" => block.event = Some(value),
            "id" => block.id = Some(value),
            "retry" => block.retry = Some(value),
            _ => {
                block.unknown.get_or_insert(line);
            }
        }
    }
}

/// Every complete block of a whole body, in order, those without fields
/// included.
pub fn blocks(body: &str) -> impl Iterator<Item = SseBlock<'_>> {
    let mut rest = body;
    std::iter::from_fn(move || {
        let (block, after) = split_block(rest)?;
        rest = after;
        Some(block)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dispatched(body: &str) -> Vec<(&str, Cow<'_, str>)> {
        blocks(body).filter(SseBlock::dispatches).map(|block| (block.kind(), block.data.unwrap())).collect()
    }

    #[test]
    fn a_priming_event_is_a_block_but_not_dispatched() {
        let stream = "id: 0\nretry: 3000\ndata:\n\nevent: message\nid: 1\ndata: {\"id\":1}\n\n";
        let (priming, rest) = split_block(stream).unwrap();
        assert_eq!(
            priming,
            SseBlock {
                id: Some("0"),
                retry: Some("3000"),
                data: Some(Cow::Borrowed("")),
                fields: 3,
                ..SseBlock::default()
            }
        );
        assert!(!priming.dispatches());
        let (message, rest) = split_block(rest).unwrap();
        assert_eq!((message.id, message.kind(), message.data.as_deref()), (Some("1"), "message", Some("{\"id\":1}")));
        assert!(matches!(message.data, Some(Cow::Borrowed(_))), "one data line is borrowed");
        assert_eq!(rest, "");
        assert_eq!(dispatched(stream), [("message", Cow::Borrowed("{\"id\":1}"))]);
    }

    #[test]
    fn crlf_cr_comments_multiline_data_and_other_types_follow_the_standard() {
        let stream = ": keep-alive\r\n\r\nevent: ping\r\ndata: x\r\n\r\ndata:a\rdata: b\r\rdata: cut off";
        assert_eq!(
            dispatched(stream),
            [("ping", Cow::Borrowed("x")), ("message", Cow::Owned::<str>("a\nb".to_owned()))]
        );
        let (comment_only, _) = split_block(stream).unwrap();
        assert_eq!((comment_only.fields, comment_only.comments), (0, 1));
    }

    #[test]
    fn a_block_is_complete_only_at_its_blank_line() {
        assert_eq!(split_block("data: {}\n"), None);
        assert_eq!(split_block("data: {}\r"), None);
        assert_eq!(split_block("data: {}\r\n\r").map(|(block, rest)| (block.fields, rest)), Some((1, "")));
        assert_eq!(split_block("\n").map(|(block, _)| block.fields), Some(0));
    }

    #[test]
    fn fields_sse_does_not_define_are_kept_aside() {
        let (block, _) = split_block("data: x\nfoo: bar\nbaz\n\n").unwrap();
        assert_eq!((block.unknown, block.fields, block.data.as_deref()), (Some("foo: bar"), 3, Some("x")));
        let (bare, _) = split_block("data\nretry\n\n").unwrap();
        assert_eq!((bare.data.as_deref(), bare.retry), (Some(""), Some("")));
    }
}
