//! Server-sent events: the framing of Streamable HTTP's response streams,
//! and event ids that say which stream they belong to.
//!
//! Only encoding is needed on the server side; the client parses. In a
//! session (2025-11-25 and earlier) an event id is `<stream>:<sequence>`:
//! unique across a session's streams, and enough to find the stream to replay
//! from a `Last-Event-ID` alone. A stateless stream (2026-07-28) cannot be
//! resumed, so its events carry no id.

use std::fmt;
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};

/// Where an event sits: its stream, and its place in that stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct EventId {
    pub(crate) stream: u64,
    pub(crate) sequence: u64,
}

impl fmt::Display for EventId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.stream, self.sequence)
    }
}

impl EventId {
    /// Read a `Last-Event-ID` header back; `None` for an id we never issued.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let (stream, sequence) = text.trim().split_once(':')?;
        Some(Self { stream: stream.parse().ok()?, sequence: sequence.parse().ok()? })
    }
}

/// The first event of every stream: an id to resume from, how long to wait
/// before resuming, and no data (SEP-1699).
pub(crate) fn priming_event(id: EventId, retry: Duration) -> Bytes {
    Bytes::from(format!("id: {id}\nretry: {}\ndata: \n\n", retry.as_millis()))
}

/// A message event, with an id to resume after when the stream has one. The
/// JSON is compact, so it holds no newline and fits one `data:` line (some
/// clients read SSE line by line and parse each `data:` line on its own).
pub(crate) fn message_event(id: Option<EventId>, json: &[u8]) -> Bytes {
    debug_assert!(!json.contains(&b'\n'), "compact JSON has no raw newlines");
    let mut event = BytesMut::with_capacity(json.len() + 48);
    event.put_slice(b"event: message\n");
    if let Some(id) = id {
        event.put_slice(b"id: ");
        event.put_slice(id.to_string().as_bytes());
        event.put_slice(b"\n");
    }
    event.put_slice(b"data: ");
    event.put_slice(json);
    event.put_slice(b"\n\n");
    event.freeze()
}

/// A comment line, which every SSE client ignores: sent on a stateless stream
/// that has been idle a while, so proxies and clients with idle timeouts keep
/// a quiet `subscriptions/listen` stream open.
pub(crate) const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

/// Sent just before the server closes a connection whose stream goes on, so
/// the client knows how long to wait before resuming it.
pub(crate) fn retry_field(retry: Duration) -> Bytes {
    Bytes::from(format!("retry: {}\n\n", retry.as_millis()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_ids_round_trip_and_reject_foreign_ids() {
        let id = EventId { stream: 3, sequence: 14 };
        assert_eq!(id.to_string(), "3:14");
        assert_eq!(EventId::parse("3:14"), Some(id));
        assert_eq!(EventId::parse(" 3:14 "), Some(id));
        for foreign in ["", "3", "a:1", "1:b", "1:2:3", "-1:2"] {
            assert_eq!(EventId::parse(foreign), None, "{foreign:?}");
        }
    }

    #[test]
    fn priming_event_has_an_id_a_retry_and_empty_data() {
        let event = priming_event(EventId { stream: 1, sequence: 0 }, Duration::from_secs(1));
        assert_eq!(&event[..], b"id: 1:0\nretry: 1000\ndata: \n\n");
    }

    #[test]
    fn message_event_carries_the_json_on_one_data_line() {
        let event = message_event(Some(EventId { stream: 2, sequence: 5 }), br#"{"jsonrpc":"2.0","id":1,"result":{}}"#);
        assert_eq!(&event[..], b"event: message\nid: 2:5\ndata: {\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}\n\n");
    }

    #[test]
    fn a_stateless_message_event_has_no_id_line() {
        let event = message_event(None, br#"{"jsonrpc":"2.0","method":"notifications/progress"}"#);
        assert_eq!(
            &event[..],
            b"event: message\ndata: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\"}\n\n"
        );
    }
}
