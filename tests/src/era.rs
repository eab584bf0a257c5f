//! Which era each message the server writes belongs to, so that it is checked
//! against the schema of that era: one stdio connection may carry a session
//! opened with `initialize` (2024-11-05 to 2025-11-25) and stateless
//! 2026-07-28 requests side by side, and the two schemas disagree (every
//! 2026-07-28 result needs a `resultType`, which no session result has).
//!
//! The era of a response is that of the request it answers: stateless when
//! the request's `params._meta` names a protocol version. A notification is
//! stateless when it says so (a subscription id, or the acknowledgement that
//! opens a listen stream) or belongs to a stateless request in flight (its
//! progress token is one of theirs); otherwise it is the connection's, which
//! is the session's once `initialize` succeeded and stateless before, since a
//! connection that never initialized has no session to speak of.
//!
//! Checking is `schema`'s job; this only correlates, and does no I/O.

use std::collections::HashMap;

use serde_json::Value;

use crate::schema::{SCHEMA_VERSION, STATELESS_VERSION};

/// The `_meta` key whose presence makes a request stateless.
pub const PROTOCOL_VERSION_KEY: &str = "io.modelcontextprotocol/protocolVersion";

/// The `_meta` key that tags every message of a `subscriptions/listen` stream.
pub const SUBSCRIPTION_ID_KEY: &str = "io.modelcontextprotocol/subscriptionId";

/// The notification that opens a `subscriptions/listen` stream.
const ACKNOWLEDGED: &str = "notifications/subscriptions/acknowledged";

/// The two eras of MCP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Era {
    /// 2024-11-05 to 2025-11-25: a session opened with `initialize`, checked
    /// against [`SCHEMA_VERSION`].
    Session,
    /// 2026-07-28: each request carries its version and capabilities in
    /// `_meta`; checked against [`STATELESS_VERSION`].
    Stateless,
}

impl Era {
    /// The era of a request the test sends: stateless when its
    /// `params._meta` has the protocol-version key, whatever its value (the
    /// server answers an unsupported one in the stateless era too).
    pub fn of_request(request: &Value) -> Self {
        match request.pointer("/params/_meta").and_then(|meta| meta.get(PROTOCOL_VERSION_KEY)) {
            Some(_) => Self::Stateless,
            None => Self::Session,
        }
    }

    /// The revision whose schema this era's messages are checked against.
    pub fn schema_version(self) -> &'static str {
        match self {
            Self::Session => SCHEMA_VERSION,
            Self::Stateless => STATELESS_VERSION,
        }
    }
}

/// What a message the server wrote is checked as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// Whose schema and rules apply.
    pub era: Era,
    /// For a response: the method of the request it answers, when the test
    /// sent a request with its id; its result is checked against that
    /// method's result type.
    pub answers: Option<String>,
}

impl Expected {
    /// The answer to a request `request` (or, for anything but a request,
    /// messages of the session era): what one HTTP exchange carries.
    pub fn answer_to(request: &Value) -> Self {
        let method = request.get("id").and(request.get("method")).and_then(Value::as_str);
        match method {
            Some(method) => Self { era: Era::of_request(request), answers: Some(method.to_owned()) },
            None => Self { era: Era::Session, answers: None },
        }
    }
}

/// A request the test sent that is not answered yet.
#[derive(Debug)]
struct Pending {
    method: String,
    era: Era,
    /// Its `_meta.progressToken` as JSON text, if stateless and it has one.
    stateless_token: Option<String>,
}

/// One connection's requests in flight and whether it has a session: enough
/// to tell the era of each message the server writes on it.
///
/// The test thread reports what it [`sent`](Self::sent) before writing it,
/// the reader what it [`received`](Self::received), in the order the server
/// wrote it.
#[derive(Debug, Default)]
pub struct EraTracker {
    /// Requests sent and not answered yet, by id as JSON text (`1` and `"1"`
    /// are different ids).
    pending: HashMap<String, Pending>,
    /// The progress tokens (JSON text) of stateless requests in flight, with
    /// how many of them use each.
    stateless_tokens: HashMap<String, usize>,
    /// Whether the server has answered a session-era `initialize` with a
    /// result; until then untagged notifications are of the stateless era.
    initialized: bool,
}

impl EraTracker {
    /// Remember the requests in `message` (one, or a batch), so that their
    /// answers are checked in their era and against their method's result.
    pub fn sent(&mut self, message: &Value) {
        if let Value::Array(items) = message {
            return items.iter().for_each(|item| self.sent(item));
        }
        let (Some(id), Some(Value::String(method))) = (message.get("id"), message.get("method")) else { return };
        let era = Era::of_request(message);
        let stateless_token = match era {
            Era::Stateless => message.pointer("/params/_meta/progressToken").map(Value::to_string),
            Era::Session => None,
        };
        if let Some(token) = &stateless_token {
            *self.stateless_tokens.entry(token.clone()).or_default() += 1;
        }
        let pending = Pending { method: method.clone(), era, stateless_token };
        // An id sent again while the first is in flight: the server refuses
        // the second, and only one entry can be answered by id.
        if let Some(replaced) = self.pending.insert(id.to_string(), pending) {
            self.forget_token(replaced.stateless_token);
        }
    }

    /// What a message the server wrote is checked as; a response forgets the
    /// request it answers.
    pub fn received(&mut self, message: &Value) -> Expected {
        let connection = Expected { era: self.connection_era(), answers: None };
        match message {
            // Only a 2025-03-26 session has batches; an answer to a stateless
            // request inside one is checked as stateless, and fails.
            Value::Array(items) => {
                let eras: Vec<Era> = items.iter().filter_map(|item| self.answered(item)).map(|p| p.era).collect();
                let era = if eras.contains(&Era::Stateless) { Era::Stateless } else { Era::Session };
                Expected { era, answers: None }
            }
            _ if message.get("method").is_none() => match self.answered(message) {
                Some(pending) => {
                    if pending.era == Era::Session && pending.method == "initialize" && message.get("result").is_some()
                    {
                        self.initialized = true;
                    }
                    Expected { era: pending.era, answers: Some(pending.method) }
                }
                None => connection,
            },
            _ if message.get("id").is_some() => connection,
            _ if self.is_stateless_notification(message) => Expected { era: Era::Stateless, answers: None },
            _ => connection,
        }
    }

    /// The era of what belongs to no request of the test's.
    fn connection_era(&self) -> Era {
        if self.initialized { Era::Session } else { Era::Stateless }
    }

    /// Whether a notification says it is stateless, or belongs to a
    /// stateless request in flight.
    fn is_stateless_notification(&self, notification: &Value) -> bool {
        let params = notification.get("params");
        let tagged = params.and_then(|p| p.pointer("/_meta")).and_then(|meta| meta.get(SUBSCRIPTION_ID_KEY)).is_some();
        let token = params.and_then(|p| p.get("progressToken")).map(Value::to_string);
        tagged
            || notification.get("method").and_then(Value::as_str) == Some(ACKNOWLEDGED)
            || token.is_some_and(|token| self.stateless_tokens.contains_key(&token))
    }

    /// The request a response answers, forgotten; `None` for an id the test
    /// never sent (or none at all).
    fn answered(&mut self, response: &Value) -> Option<Pending> {
        if response.get("method").is_some() {
            return None;
        }
        let mut pending = self.pending.remove(&response.get("id")?.to_string())?;
        self.forget_token(pending.stateless_token.take());
        Some(pending)
    }

    fn forget_token(&mut self, token: Option<String>) {
        let Some(token) = token else { return };
        if let Some(count) = self.stateless_tokens.get_mut(&token) {
            *count -= 1;
            if *count == 0 {
                self.stateless_tokens.remove(&token);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::process::request;

    fn stateless(id: Value, method: &str, mut params: Value) -> Value {
        params["_meta"][PROTOCOL_VERSION_KEY] = json!(STATELESS_VERSION);
        params["_meta"]["io.modelcontextprotocol/clientCapabilities"] = json!({});
        request(id, method, params)
    }

    fn legacy(id: Value, method: &str) -> Value {
        request(id, method, json!({}))
    }

    fn expected(era: Era, answers: Option<&str>) -> Expected {
        Expected { era, answers: answers.map(str::to_owned) }
    }

    fn initialized() -> EraTracker {
        let mut eras = EraTracker::default();
        eras.sent(&legacy(json!(0), "initialize"));
        eras.received(&json!({"jsonrpc": "2.0", "id": 0, "result": {"protocolVersion": SCHEMA_VERSION}}));
        eras
    }

    #[test]
    fn a_response_takes_the_era_and_method_of_its_request() {
        let mut eras = initialized();
        eras.sent(&stateless(json!(1), "tools/list", json!({})));
        eras.sent(&legacy(json!(2), "tools/list"));
        let second = eras.received(&json!({"jsonrpc": "2.0", "id": 2, "result": {"tools": []}}));
        assert_eq!(second, expected(Era::Session, Some("tools/list")));
        let first = eras.received(&json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "no"}}));
        assert_eq!(first, expected(Era::Stateless, Some("tools/list")));
    }

    #[test]
    fn any_protocol_version_in_meta_makes_a_request_stateless_and_none_does_not() {
        let mut unsupported = stateless(json!(1), "server/discover", json!({}));
        unsupported["params"]["_meta"][PROTOCOL_VERSION_KEY] = json!("v9");
        assert_eq!(Era::of_request(&unsupported), Era::Stateless);
        let capabilities_only = json!({"jsonrpc": "2.0", "id": 1, "method": "server/discover",
            "params": {"_meta": {"io.modelcontextprotocol/clientCapabilities": {}}}});
        assert_eq!(Era::of_request(&capabilities_only), Era::Session);
        assert_eq!(Era::of_request(&json!({"jsonrpc": "2.0", "id": 1, "method": "ping"})), Era::Session);
    }

    #[test]
    fn ids_are_told_apart_by_json_type_and_forgotten_once_answered() {
        let mut eras = initialized();
        eras.sent(&stateless(json!(7), "tools/call", json!({"name": "x"})));
        eras.sent(&legacy(json!("7"), "ping"));
        let text = eras.received(&json!({"jsonrpc": "2.0", "id": "7", "result": {}}));
        assert_eq!(text, expected(Era::Session, Some("ping")));
        let number = eras.received(&json!({"jsonrpc": "2.0", "id": 7, "result": {}}));
        assert_eq!(number, expected(Era::Stateless, Some("tools/call")));
        // A second answer to the same id belongs to no request.
        assert_eq!(eras.received(&json!({"jsonrpc": "2.0", "id": 7, "result": {}})), expected(Era::Session, None));
    }

    #[test]
    fn a_tagged_notification_and_the_acknowledgement_are_stateless_in_a_session() {
        let mut eras = initialized();
        let tagged = json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed",
            "params": {"_meta": {SUBSCRIPTION_ID_KEY: 5}}});
        assert_eq!(eras.received(&tagged), expected(Era::Stateless, None));
        let ack = json!({"jsonrpc": "2.0", "method": ACKNOWLEDGED, "params": {"notifications": {}}});
        assert_eq!(eras.received(&ack), expected(Era::Stateless, None));
        let untagged = json!({"jsonrpc": "2.0", "method": "notifications/tools/list_changed"});
        assert_eq!(eras.received(&untagged), expected(Era::Session, None));
    }

    #[test]
    fn progress_is_stateless_while_a_stateless_request_with_its_token_is_in_flight() {
        let mut eras = initialized();
        let progress = json!({"jsonrpc": "2.0", "method": "notifications/progress",
            "params": {"progressToken": "t", "progress": 1}});
        eras.sent(&stateless(json!(1), "tools/call", json!({"name": "x", "_meta": {"progressToken": "t"}})));
        assert_eq!(eras.received(&progress), expected(Era::Stateless, None));
        eras.received(&json!({"jsonrpc": "2.0", "id": 1, "result": {"resultType": "complete", "content": []}}));
        assert_eq!(eras.received(&progress), expected(Era::Session, None));
        // The same token on a session request is the session's.
        eras.sent(&json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call",
            "params": {"name": "x", "_meta": {"progressToken": "t"}}}));
        assert_eq!(eras.received(&progress), expected(Era::Session, None));
    }

    #[test]
    fn a_connection_is_stateless_until_initialize_succeeds() {
        let mut eras = EraTracker::default();
        let log = json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": 1}});
        assert_eq!(eras.received(&log), expected(Era::Stateless, None));
        let parse_error = json!({"jsonrpc": "2.0", "error": {"code": -32700, "message": "Parse error"}});
        assert_eq!(eras.received(&parse_error), expected(Era::Stateless, None));
        eras.sent(&legacy(json!(1), "initialize"));
        let refused = eras.received(&json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32602, "message": "no"}}));
        assert_eq!(refused, expected(Era::Session, Some("initialize")));
        assert_eq!(eras.received(&log), expected(Era::Stateless, None));
        eras.sent(&legacy(json!(2), "initialize"));
        eras.received(&json!({"jsonrpc": "2.0", "id": 2, "result": {}}));
        assert_eq!(eras.received(&log), expected(Era::Session, None));
        let request = json!({"jsonrpc": "2.0", "id": 0, "method": "roots/list"});
        assert_eq!(eras.received(&request), expected(Era::Session, None));
    }

    #[test]
    fn a_stateless_initialize_opens_no_session() {
        let mut eras = EraTracker::default();
        eras.sent(&stateless(json!(1), "initialize", json!({})));
        let answer = eras.received(&json!({"jsonrpc": "2.0", "id": 1, "result": {}}));
        assert_eq!(answer, expected(Era::Stateless, Some("initialize")));
        let log = json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": 1}});
        assert_eq!(eras.received(&log), expected(Era::Stateless, None));
    }

    #[test]
    fn a_batch_answer_is_of_the_session_unless_it_answers_a_stateless_request() {
        let mut eras = initialized();
        eras.sent(&json!([legacy(json!("a"), "ping"), legacy(json!("b"), "ping")]));
        let answer = json!([{"jsonrpc": "2.0", "id": "a", "result": {}}, {"jsonrpc": "2.0", "id": "b", "result": {}}]);
        assert_eq!(eras.received(&answer), expected(Era::Session, None));
        eras.sent(&json!([stateless(json!("c"), "tools/list", json!({}))]));
        let answer = json!([{"jsonrpc": "2.0", "id": "c", "result": {}}]);
        assert_eq!(eras.received(&answer), expected(Era::Stateless, None));
    }
}
