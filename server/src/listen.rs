//! `subscriptions/listen` (2026-07-28): a long-lived request whose answer is
//! a stream of the notifications the client asked for.
//!
//! The stream opens with `notifications/subscriptions/acknowledged`, saying
//! what it will carry; every notification on it, the acknowledgement
//! included, is tagged with the listen request's id. It ends when the client
//! cancels (closing the HTTP stream, or `notifications/cancelled` on stdio),
//! or, gracefully, with a `SubscriptionsListenResult` when the server winds
//! down. Notifications are sent without waiting (coalesced or dropped when
//! the client does not read), so a stream nobody reads holds up nothing.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use mcpwire_protocol::meta::keys;
use mcpwire_protocol::types::{
    ResourceUpdatedNotificationParams, SubscriptionFilter, SubscriptionsAcknowledgedNotificationParams,
    SubscriptionsListenResult,
};
use mcpwire_protocol::{EmptyParams, ErrorCode, ErrorObject, Meta, RequestId, ServerNotification};
use mcpwire_transport::{OutgoingMessage, OutgoingMessageSender};

use crate::{RequestContext, Server};

/// Which list changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Tools,
    Prompts,
    Resources,
}

/// One open listen stream.
struct Listener {
    /// Distinguishes listeners, so a closing stream removes only itself.
    key: u64,
    /// The listen request's id: tags every notification of the stream.
    subscription: RequestId,
    /// What the stream carries (what was asked, within the limits).
    filter: SubscriptionFilter,
    /// The connection (or, over HTTP, the request's own stream) it writes to.
    sender: Arc<OutgoingMessageSender>,
}

impl Listener {
    fn wants(&self, list: List) -> bool {
        let wanted = match list {
            List::Tools => self.filter.tools_list_changed,
            List::Prompts => self.filter.prompts_list_changed,
            List::Resources => self.filter.resources_list_changed,
        };
        wanted == Some(true)
    }

    fn tag(&self) -> Meta {
        let mut meta = Meta::new();
        meta.insert(keys::SUBSCRIPTION_ID, serde_json::json!(self.subscription));
        meta
    }

    fn send(&self, notification: ServerNotification) {
        let message = OutgoingMessage::ServerNotification(notification);
        self.sender.try_notify(message, Some(self.subscription.clone()));
    }
}

/// Every open listen stream of one server.
#[derive(Default)]
pub(crate) struct Listeners {
    live: Mutex<Vec<Arc<Listener>>>,
    next_key: AtomicU64,
}

impl Listeners {
    fn snapshot(&self) -> Vec<Arc<Listener>> {
        self.live.lock().expect("listeners lock").clone()
    }

    /// Tell every stream that asked for it that `list` changed.
    pub(crate) fn list_changed(&self, list: List) {
        for listener in self.snapshot().iter().filter(|l| l.wants(list)) {
            let params = EmptyParams { meta: Some(listener.tag()) };
            listener.send(match list {
                List::Tools => ServerNotification::ToolListChanged(params),
                List::Prompts => ServerNotification::PromptListChanged(params),
                List::Resources => ServerNotification::ResourceListChanged(params),
            });
        }
    }

    /// Tell every stream subscribed to `uri` that the resource changed.
    pub(crate) fn resource_updated(&self, uri: &str) {
        for listener in self.snapshot() {
            let subscribed =
                listener.filter.resource_subscriptions.as_ref().is_some_and(|uris| uris.iter().any(|u| u == uri));
            if subscribed {
                let params = ResourceUpdatedNotificationParams { uri: uri.to_owned(), meta: Some(listener.tag()) };
                listener.send(ServerNotification::ResourceUpdated(params));
            }
        }
    }
}

/// Removes its listener when the stream ends, however it ends.
struct Registered<'a> {
    listeners: &'a Listeners,
    key: u64,
}

impl Drop for Registered<'_> {
    fn drop(&mut self) {
        self.listeners.live.lock().expect("listeners lock").retain(|l| l.key != self.key);
    }
}

/// Check a listen request against the limits before it starts.
pub(crate) fn check(server: &Server, filter: &SubscriptionFilter) -> Result<(), ErrorObject> {
    let limit = server.config().max_listen_uris;
    let uris = filter.resource_subscriptions.as_ref().map_or(0, Vec::len);
    if uris > limit {
        return Err(ErrorObject::invalid_params(format!(
            "a subscription may watch at most {limit} resource URIs; this one asked for {uris}"
        )));
    }
    Ok(())
}

/// Serve one listen stream until it is cancelled (dropped) or the
/// connection winds down (then it ends with its result).
pub(crate) async fn serve(
    filter: SubscriptionFilter,
    ctx: RequestContext,
) -> Result<SubscriptionsListenResult, ErrorObject> {
    let server = ctx.server().clone();
    let Some(_slot) = ctx.session().take_listen_slot(server.config().max_listens_per_connection) else {
        let limit = server.config().max_listens_per_connection;
        return Err(ErrorObject::new(
            ErrorCode::SERVER_OVERLOADED,
            format!("at most {limit} subscriptions/listen streams may be open on one connection"),
        ));
    };
    let listeners = &server.inner.listeners;
    let key = listeners.next_key.fetch_add(1, Ordering::Relaxed);
    let listener =
        Arc::new(Listener { key, subscription: ctx.request_id().clone(), filter, sender: Arc::clone(ctx.sender()) });
    // The acknowledgement goes first: registered only after it is queued, no
    // notification can overtake it.
    let ack = SubscriptionsAcknowledgedNotificationParams {
        notifications: listener.filter.clone(),
        meta: Some(listener.tag()),
    };
    ctx.notify(ServerNotification::SubscriptionsAcknowledged(ack))
        .await
        .map_err(|e| ErrorObject::internal_error(e.to_string()))?;
    listeners.live.lock().expect("listeners lock").push(Arc::clone(&listener));
    let _registered = Registered { listeners, key };
    ctx.session().closing.cancelled().await;
    Ok(SubscriptionsListenResult { meta: Some(listener.tag()), ..Default::default() })
}
