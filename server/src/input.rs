//! Input-required rounds (2026-07-28): how a handler's questions to the
//! client travel inside a result, and its answers inside the client's retry.
//!
//! A handler asks as it always did (`ctx.elicit(...)`). In a stateless
//! request there is no connection to ask over, so the question is recorded in
//! the request's [`InputRound`] and the handler waits; the processor then ends
//! the round with an `InputRequiredResult` carrying every question asked so
//! far and a sealed `requestState`. The client retries the same request with
//! a new id, its `inputResponses` and the `requestState` echoed; the handler
//! runs again from the start, and this time each question it asks is answered
//! at once from the answers of this round and of the earlier ones, which the
//! state carries. So work a handler does before a question runs once per
//! round and must be idempotent.
//!
//! The state is the only memory between rounds, so any process holding the
//! key can continue a request: it is a MAC-sealed JSON payload (the earlier
//! answers, what request it belongs to, when it expires), never stored here.

use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::task::Waker;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::task::AtomicWaker;
use hmac::{Hmac, KeyInit, Mac};
use mcpwire_protocol::types::{InputRequest, InputRequests, InputResponse, InputResponses};
use mcpwire_protocol::{ErrorObject, RawJson};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The key that seals and opens `requestState`. Every process that may see
/// a round of the same request must hold the same key; a random one serves a
/// single process.
#[derive(Clone)]
pub struct StateKey(Vec<u8>);

impl StateKey {
    /// The shortest key accepted: the MAC's own output size.
    pub const MIN_BYTES: usize = 32;

    /// A key from secret bytes, e.g. read from a file all processes share.
    ///
    /// # Errors
    /// When `bytes` is shorter than [`StateKey::MIN_BYTES`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::Error> {
        if bytes.len() < Self::MIN_BYTES {
            return Err(crate::Error::StateKey(format!(
                "a requestState key needs at least {} bytes, got {}",
                Self::MIN_BYTES,
                bytes.len()
            )));
        }
        Ok(Self(bytes.to_vec()))
    }

    /// A fresh random key, for a server that runs as one process.
    ///
    /// # Panics
    /// When the operating system has no random bytes to give.
    pub fn random() -> Self {
        let mut bytes = vec![0; Self::MIN_BYTES];
        getrandom::fill(&mut bytes).expect("the operating system provides random bytes");
        Self(bytes)
    }

    fn mac(&self) -> Hmac<Sha256> {
        <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0).expect("HMAC takes a key of any length")
    }
}

impl fmt::Debug for StateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("StateKey(..)")
    }
}

/// What a round's state is bound to: the request's method, its target (tool
/// or prompt name, resource URI) and its arguments. Kept as the request's
/// params text, which the request owned anyway, and read only when a state
/// is opened or sealed: most requests never ask anything.
#[derive(Debug, Clone)]
pub(crate) struct Binding {
    method: &'static str,
    params: Option<RawJson>,
}

impl Binding {
    pub(crate) fn new(method: &'static str, params: Option<RawJson>) -> Self {
        Self { method, params }
    }

    fn digest(&self) -> String {
        #[derive(Deserialize, Serialize)]
        struct Target {
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            uri: Option<String>,
            #[serde(default)]
            arguments: Option<serde_json::Value>,
        }
        let target = self.params.as_deref().and_then(|p| serde_json::from_str::<Target>(p.get()).ok());
        let mut hash = Sha256::new();
        hash.update(self.method.as_bytes());
        hash.update(b"\n");
        // Serialised from parsed values, whose maps are ordered: the same
        // target and arguments always hash the same, however the client
        // wrote them, whatever else (answers, state) its params carry.
        hash.update(serde_json::to_vec(&target).unwrap_or_default());
        URL_SAFE_NO_PAD.encode(hash.finalize())
    }
}

/// What `requestState` carries between rounds.
#[derive(Debug, Serialize, Deserialize)]
struct Sealed {
    /// The request it belongs to.
    #[serde(rename = "b")]
    binding: String,
    /// When it stops being accepted, in milliseconds since the Unix epoch.
    #[serde(rename = "e")]
    expires_ms: u64,
    /// The answers of the rounds so far.
    #[serde(rename = "a")]
    answers: InputResponses,
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

/// `base64url(payload) "." base64url(mac(payload))`.
fn seal(key: &StateKey, sealed: &Sealed) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(sealed).expect("the state serialises"));
    let mut mac = key.mac();
    mac.update(payload.as_bytes());
    let tag = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    format!("{payload}.{tag}")
}

/// Check the MAC first (exactly, in constant time), then what it vouches for.
fn open(key: &StateKey, state: &str, binding: &str) -> Result<Sealed, ErrorObject> {
    let invalid = |why: &str| ErrorObject::invalid_params(format!("invalid requestState: {why}"));
    let (payload, tag) = state.split_once('.').ok_or_else(|| invalid("not a state this server issued"))?;
    let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| invalid("integrity check failed"))?;
    let mut mac = key.mac();
    mac.update(payload.as_bytes());
    mac.verify_slice(&tag).map_err(|_| invalid("integrity check failed"))?;
    let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| invalid("integrity check failed"))?;
    let sealed: Sealed = serde_json::from_slice(&payload).map_err(|_| invalid("integrity check failed"))?;
    if sealed.binding != binding {
        return Err(invalid("it belongs to another request (method, name or arguments differ)"));
    }
    if sealed.expires_ms < now_ms() {
        return Err(invalid("it has expired; send the request again without it"));
    }
    Ok(sealed)
}

/// The questions and answers of one run of a stateless request's handler.
pub(crate) struct InputRound {
    binding: Binding,
    /// Every answer known to this run: the earlier rounds' (from the state)
    /// and this round's (from `inputResponses`), by key.
    answers: InputResponses,
    /// Questions asked in this run that have no answer yet, by key.
    asked: Mutex<InputRequests>,
    /// Numbers the questions asked without a key of their own, in the order
    /// the handler asks them, so that a re-run gives them the same keys.
    next: AtomicU32,
    /// The handler's task, woken when a question is asked from elsewhere
    /// (a task the handler spawned), so the round can end.
    waker: AtomicWaker,
}

impl InputRound {
    /// The round of a request whose `requestState` (if any) opens with `key`
    /// and is bound to `binding`; `responses` are this round's answers.
    ///
    /// # Errors
    /// -32602 for a state that fails its integrity check, belongs to another
    /// request, or has expired.
    pub(crate) fn start(
        key: &StateKey,
        binding: Binding,
        state: Option<&str>,
        responses: Option<InputResponses>,
    ) -> Result<Self, ErrorObject> {
        let mut answers = match state {
            Some(state) => open(key, state, &binding.digest())?.answers,
            None => InputResponses::new(),
        };
        answers.extend(responses.unwrap_or_default());
        Ok(Self { binding, answers, asked: Mutex::default(), next: AtomicU32::new(1), waker: AtomicWaker::new() })
    }

    /// The answer to the question under `key` (or, without a key, the next
    /// numbered one), or `Err` with the key after recording the question.
    pub(crate) fn ask(&self, key: Option<String>, request: InputRequest) -> Result<InputResponse, String> {
        let key = key.unwrap_or_else(|| {
            let number = self.next.fetch_add(1, Ordering::Relaxed);
            format!("{}-{number}", kind(&request))
        });
        if let Some(answer) = self.answers.get(&key) {
            return Ok(answer.clone());
        }
        self.asked.lock().expect("input lock").insert(key.clone(), request);
        self.waker.wake();
        Err(key)
    }

    /// Every answer this round knows, by key: the earlier rounds' and this one's.
    pub(crate) fn answers(&self) -> &InputResponses {
        &self.answers
    }

    /// Remember which task to wake when a question is asked.
    pub(crate) fn register(&self, waker: &Waker) {
        self.waker.register(waker);
    }

    /// The questions asked and not answered, taken: `Some` ends the round.
    pub(crate) fn take_questions(&self) -> Option<InputRequests> {
        let asked = std::mem::take(&mut *self.asked.lock().expect("input lock"));
        (!asked.is_empty()).then_some(asked)
    }

    /// The `requestState` for the next round: every answer so far, sealed.
    pub(crate) fn next_state(&self, key: &StateKey, ttl: Duration) -> String {
        let expires_ms = now_ms().saturating_add(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX));
        seal(key, &Sealed { binding: self.binding.digest(), expires_ms, answers: self.answers.clone() })
    }
}

/// A readable prefix for numbered keys.
fn kind(request: &InputRequest) -> &'static str {
    match request {
        InputRequest::Elicit(_) => "elicitation",
        InputRequest::CreateMessage(_) => "sampling",
        InputRequest::ListRoots(_) => "roots",
        _ => "input",
    }
}

#[cfg(test)]
mod tests {
    use mcpwire_protocol::EmptyParams;
    use mcpwire_protocol::types::{ElicitAction, ElicitResult};

    use super::*;

    fn params(text: &str) -> Option<RawJson> {
        Some(serde_json::value::RawValue::from_string(text.to_owned()).unwrap())
    }

    fn binding() -> Binding {
        Binding::new("tools/call", params(r#"{"name":"greet","arguments":{"b":1,"a":2}}"#))
    }

    fn accept() -> InputResponse {
        InputResponse::Elicit(ElicitResult { action: ElicitAction::Accept, content: None, meta: None })
    }

    fn roots() -> InputRequest {
        InputRequest::ListRoots(EmptyParams::default())
    }

    #[test]
    fn a_question_without_an_answer_is_recorded_and_ends_the_round() {
        let key = StateKey::random();
        let round = InputRound::start(&key, binding(), None, None).unwrap();
        assert_eq!(round.ask(None, roots()), Err("roots-1".to_owned()));
        assert_eq!(round.ask(Some("mine".into()), roots()), Err("mine".to_owned()));
        let asked = round.take_questions().unwrap();
        assert_eq!(asked.keys().collect::<Vec<_>>(), ["mine", "roots-1"]);
        assert!(round.take_questions().is_none());
    }

    #[test]
    fn answers_carry_over_through_the_sealed_state() {
        let key = StateKey::random();
        let first = InputRound::start(&key, binding(), None, Some([("step1".to_owned(), accept())].into())).unwrap();
        let state = first.next_state(&key, Duration::from_secs(60));
        let second = InputRound::start(&key, binding(), Some(&state), None).unwrap();
        assert_eq!(second.ask(Some("step1".into()), roots()), Ok(accept()));
    }

    #[test]
    fn the_same_arguments_bind_the_same_however_they_were_written() {
        let written_otherwise = Binding::new(
            "tools/call",
            params(r#"{"arguments":{"a":2, "b":1},"requestState":"s","name":"greet","_meta":{"x":1}}"#),
        );
        assert_eq!(binding().digest(), written_otherwise.digest());
        let other_arguments = Binding::new("tools/call", params(r#"{"name":"greet","arguments":{"a":3,"b":1}}"#));
        assert_ne!(binding().digest(), other_arguments.digest());
    }

    #[test]
    fn tampered_foreign_and_expired_states_are_refused() {
        let key = StateKey::random();
        let round = InputRound::start(&key, binding(), None, None).unwrap();
        let state = round.next_state(&key, Duration::from_secs(60));
        let refused = |state: &str, binding: Binding, key: &StateKey| {
            let error = InputRound::start(key, binding, Some(state), None).expect_err("refused");
            assert_eq!(error.code, mcpwire_protocol::ErrorCode::INVALID_PARAMS);
            error.message
        };
        assert!(refused(&format!("{state}-TAMPERED"), binding(), &key).contains("integrity"));
        assert!(refused(&state, binding(), &StateKey::random()).contains("integrity"));
        let other = Binding::new("prompts/get", params(r#"{"name":"greet"}"#));
        assert!(refused(&state, other, &key).contains("another request"));
        let past = Sealed { binding: binding().digest(), expires_ms: now_ms() - 1, answers: InputResponses::new() };
        let expired = seal(&key, &past);
        assert!(refused(&expired, binding(), &key).contains("expired"));
        assert!(refused("no-dot-here", binding(), &key).contains("not a state"));
    }

    #[test]
    fn a_short_key_is_refused() {
        assert!(StateKey::from_bytes(&[7; 16]).is_err());
        assert!(StateKey::from_bytes(&[7; 32]).is_ok());
    }
}
