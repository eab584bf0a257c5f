//! One client's connection and session: what `initialize` agreed, the log
//! level the client asked for, the resources it subscribed to, and the
//! listen streams it holds open.
//!
//! A session is shared between the processor and every handler of that client.
//! The version is a value of the session (2024-11-05 to 2025-11-25), never a
//! global, so one server can hold sessions of different revisions at once. A
//! stateless request (2026-07-28) carries its own version instead; it still
//! arrives on a connection, whose listen streams and winding down it shares.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use mcpwire_protocol::types::{ClientCapabilities, Implementation, LoggingLevel};
use mcpwire_protocol::{ErrorObject, ProtocolVersion};
use mcpwire_transport::OutgoingMessageSender;
use tokio_util::sync::CancellationToken;

use crate::ServerConfig;

/// What the client said in `initialize`, fixed for the session's life.
#[derive(Debug, Clone)]
pub struct Handshake {
    /// The revision both sides agreed on.
    pub version: ProtocolVersion,
    /// What the client can do: gates elicitation, sampling and roots.
    pub client_capabilities: ClientCapabilities,
    /// The client's name and version.
    pub client_info: Implementation,
}

/// One connected client.
#[derive(Debug)]
pub(crate) struct Session {
    /// A process-unique number, so the server can keep a set of live sessions.
    pub(crate) id: u64,
    pub(crate) sender: Arc<OutgoingMessageSender>,
    /// Set once, when `initialize` is answered; a second `initialize` finds it set.
    handshake: OnceLock<Handshake>,
    /// The minimum level of `notifications/message` to send, as `level as u8`,
    /// or `NO_LEVEL` until the client sets one (then everything is sent).
    log_level: AtomicU8,
    /// Resource URIs the client subscribed to; at most
    /// `max_subscriptions_per_session`, each at most `max_subscription_uri_bytes`.
    subscriptions: Mutex<HashSet<String>>,
    /// `subscriptions/listen` streams open on this connection.
    listens: AtomicUsize,
    /// Fires when the connection winds down, so long-lived requests (listen
    /// streams) can end with their result rather than be cut off.
    pub(crate) closing: CancellationToken,
}

/// A listen stream's place among the connection's; freed when dropped.
pub(crate) struct ListenSlot<'a>(&'a AtomicUsize);

impl Drop for ListenSlot<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

const NO_LEVEL: u8 = u8::MAX;

static NEXT_SESSION_ID: AtomicU64 = AtomicU64::new(1);

impl Session {
    pub(crate) fn new(sender: Arc<OutgoingMessageSender>, closing: CancellationToken) -> Self {
        Self {
            id: NEXT_SESSION_ID.fetch_add(1, Ordering::Relaxed),
            sender,
            handshake: OnceLock::new(),
            log_level: AtomicU8::new(NO_LEVEL),
            subscriptions: Mutex::default(),
            listens: AtomicUsize::new(0),
            closing,
        }
    }

    /// A place for one more listen stream, unless `limit` are open.
    pub(crate) fn take_listen_slot(&self, limit: usize) -> Option<ListenSlot<'_>> {
        let taken = self.listens.fetch_add(1, Ordering::Relaxed);
        let slot = ListenSlot(&self.listens);
        (taken < limit).then_some(slot)
    }

    /// The handshake, once `initialize` has been answered.
    pub(crate) fn handshake(&self) -> Option<&Handshake> {
        self.handshake.get()
    }

    /// Record the handshake; `false` if the session was already initialized.
    pub(crate) fn initialize(&self, handshake: Handshake) -> bool {
        self.handshake.set(handshake).is_ok()
    }

    pub(crate) fn set_log_level(&self, level: LoggingLevel) {
        self.log_level.store(level as u8, Ordering::Relaxed);
    }

    /// Whether a log message at `level` passes the client's minimum.
    pub(crate) fn wants_log(&self, level: LoggingLevel) -> bool {
        let minimum = self.log_level.load(Ordering::Relaxed);
        minimum == NO_LEVEL || level as u8 >= minimum
    }

    /// Whether the session may subscribe to `uri` within `config`'s limits:
    /// the URI is short enough, and the session is below its count of
    /// subscriptions or already subscribed to it (subscribing twice changes
    /// nothing). Checked by the processor before the request is routed, like
    /// the other limits of a session; the processor is the only one that
    /// subscribes, so nothing can slip in between the check and `subscribe`.
    pub(crate) fn admit_subscription(&self, uri: &str, config: &ServerConfig) -> Result<(), ErrorObject> {
        let longest = config.max_subscription_uri_bytes;
        if uri.len() > longest {
            return Err(ErrorObject::invalid_params(format!(
                "the resource URI is {} bytes long; subscriptions accept URIs of at most {longest} bytes",
                uri.len()
            )));
        }
        let subscriptions = self.subscriptions.lock().expect("subscriptions lock");
        let most = config.max_subscriptions_per_session;
        if subscriptions.len() >= most && !subscriptions.contains(uri) {
            return Err(ErrorObject::invalid_params(format!(
                "a session may be subscribed to at most {most} resources; unsubscribe from one first"
            )));
        }
        Ok(())
    }

    pub(crate) fn subscribe(&self, uri: String) {
        self.subscriptions.lock().expect("subscriptions lock").insert(uri);
    }

    pub(crate) fn unsubscribe(&self, uri: &str) {
        self.subscriptions.lock().expect("subscriptions lock").remove(uri);
    }

    pub(crate) fn is_subscribed(&self, uri: &str) -> bool {
        self.subscriptions.lock().expect("subscriptions lock").contains(uri)
    }
}

/// The live sessions of one server, for notifications that go to every client
/// (list changed) or to subscribers (resource updated).
#[derive(Debug, Default)]
pub(crate) struct Sessions {
    live: Mutex<Vec<Arc<Session>>>,
}

impl Sessions {
    pub(crate) fn add(&self, session: Arc<Session>) {
        self.live.lock().expect("sessions lock").push(session);
    }

    pub(crate) fn remove(&self, id: u64) {
        self.live.lock().expect("sessions lock").retain(|s| s.id != id);
    }

    /// A snapshot, so notifying never holds the lock.
    pub(crate) fn snapshot(&self) -> Vec<Arc<Session>> {
        self.live.lock().expect("sessions lock").clone()
    }
}

#[cfg(test)]
mod tests {
    use mcpwire_transport::TransportConfig;

    use super::*;

    fn session() -> Session {
        let (sender, _receiver) = OutgoingMessageSender::new(&TransportConfig::default());
        Session::new(sender, CancellationToken::new())
    }

    #[test]
    fn every_level_passes_until_the_client_sets_one() {
        let session = session();
        assert!(session.wants_log(LoggingLevel::Debug));
        session.set_log_level(LoggingLevel::Warning);
        assert!(!session.wants_log(LoggingLevel::Info));
        assert!(session.wants_log(LoggingLevel::Warning));
        assert!(session.wants_log(LoggingLevel::Emergency));
    }

    #[test]
    fn subscriptions_are_admitted_within_the_count_and_length_limits() {
        let session = session();
        let config = ServerConfig {
            max_subscriptions_per_session: 2,
            max_subscription_uri_bytes: 10,
            ..ServerConfig::default()
        };
        let admit = |uri: &str| session.admit_subscription(uri, &config).map_err(|e| e.code.0);
        assert_eq!(admit("x://0123456"), Err(-32602), "one byte too long");
        for uri in ["x://a", "x://b"] {
            assert_eq!(admit(uri), Ok(()));
            session.subscribe(uri.to_owned());
        }
        assert_eq!(admit("x://c"), Err(-32602), "one too many");
        assert_eq!(admit("x://a"), Ok(()), "subscribing again changes nothing, so it is fine");
        session.unsubscribe("x://a");
        assert_eq!(admit("x://c"), Ok(()), "unsubscribing frees a place");
    }

    #[test]
    fn initialize_succeeds_once() {
        let session = session();
        let handshake = Handshake {
            version: ProtocolVersion::V2025_11_25,
            client_capabilities: ClientCapabilities::default(),
            client_info: Implementation::default(),
        };
        assert!(session.initialize(handshake.clone()));
        assert!(!session.initialize(handshake));
    }
}
