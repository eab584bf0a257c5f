//! How the accept loop stops without losing a request: a client (a load
//! balancer above all) must never have a request that reached this server
//! go unanswered, and must learn that the server is going before it sends
//! it anything more.
//!
//! In HTTP/1.1 only the client can close an idle kept-alive connection
//! safely: a server that closes one races the client's next request on it,
//! which is then lost without an answer (a load balancer does not replay a
//! POST it sent). And a listener closed with connections waiting in its
//! backlog resets them, requests and all. So at shutdown the accept loop
//! drains, in this order:
//!
//! 1. Every answer from then on carries `Connection: close`, and a
//!    connection busy with an exchange (whose answer may have promised to
//!    keep the connection alive already) closes once it is over.
//! 2. It takes the connections waiting in the backlog ([`take_backlog`]),
//!    then closes the listener: from then on a new connection is refused,
//!    which a client knows it may retry elsewhere, since nothing was sent.
//! 3. The endpoint goes on serving. An idle connection stays open, for its
//!    client to close or to send one more request on, answered as always
//!    but with `Connection: close`. Once no connection can bring a request
//!    any more (each has closed or was told to close: [`Drain::quiet`]), or
//!    after `HttpConfig::drain_timeout`, the endpoint shuts down: requests
//!    still running get the server's grace to finish, streams end, and a
//!    request that still arrives gets 503. Set above the client's own idle
//!    timeout, the timeout is never what ends the wait.
//! 4. Connections get a second to finish; whatever is left is closed.
//!
//! [`Drain`] is what each connection sees of it; `watch::run` obeys it.
//! What is left is a window of microseconds between the last `accept` and
//! the listener's close, in which a connection that completes its
//! handshake is reset; no socket interface closes it. And a stream whose
//! head went out before the drain began ends with its connection closing
//! just after it, which a client may not notice before it reuses the
//! connection: no HTTP/1.1 answer can take back its keep-alive once sent.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio_util::sync::{CancellationToken, WaitForCancellationFutureOwned};

/// At most this many connections are taken from the backlog at shutdown:
/// Linux's default `somaxconn` (since 5.4), above which no listen backlog
/// holds more, so it only stops a client that connects faster than we
/// accept from holding the shutdown up forever.
const MAX_BACKLOG: usize = 4096;

/// The accept loop's shutdown, as each of its connections sees it. Clones
/// share it, and cost one reference count: a connection's service holds
/// one for every request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Drain(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    /// The drain began: answers carry `Connection: close` from now on.
    started: CancellationToken,
    /// Mirrors `started` for the check every answer makes: a token's own
    /// check takes a lock, which every connection's requests would share.
    has_started: AtomicBool,
    /// The drain is over: connections still open are closed now.
    over: CancellationToken,
    /// How many connections a request may still arrive on: open, and not
    /// told to close after the exchange under way. The endpoint shuts down
    /// (and refuses requests with 503) only once this is 0, or the drain
    /// has lasted `drain_timeout`.
    open: watch::Sender<usize>,
}

impl Default for Shared {
    fn default() -> Self {
        Self {
            started: CancellationToken::new(),
            has_started: AtomicBool::new(false),
            over: CancellationToken::new(),
            open: watch::Sender::new(0),
        }
    }
}

impl Drain {
    pub(crate) fn start(&self) {
        self.0.has_started.store(true, Ordering::Release);
        self.0.started.cancel();
    }

    pub(crate) fn end(&self) {
        self.0.over.cancel();
    }

    pub(crate) fn has_started(&self) -> bool {
        self.0.has_started.load(Ordering::Acquire)
    }

    /// A new connection, counted among those a request may arrive on until
    /// it is told to close or closes.
    pub(crate) fn admit(&self) -> Admitted {
        self.0.open.send_modify(|open| *open += 1);
        Admitted {
            drain: self.clone(),
            started: self.0.started.child_token(),
            over: self.0.over.child_token(),
            counted: true,
        }
    }

    /// Resolves once no request can arrive any more: every connection has
    /// closed or been told to close after its exchange.
    pub(crate) async fn quiet(&self) {
        let mut open = self.0.open.subscribe();
        // The sender lives in `self`, so the wait cannot fail.
        let _ = open.wait_for(|open| *open == 0).await;
    }
}

/// One connection's part in the [`Drain`]: counted as open to requests until
/// [`settle`](Self::settle) or drop.
#[must_use = "the connection counts as open to requests until this drops"]
#[derive(Debug)]
pub(crate) struct Admitted {
    drain: Drain,
    /// Children of the drain's tokens: a connection's task looks at them
    /// whenever its connection wakes it, and a child's lock is its own,
    /// where the drain's would be every connection's.
    started: CancellationToken,
    over: CancellationToken,
    counted: bool,
}

impl Admitted {
    /// Resolves when the drain starts; owns what it waits on, so the
    /// connection can still [`settle`](Self::settle) meanwhile.
    pub(crate) fn started(&self) -> WaitForCancellationFutureOwned {
        self.started.clone().cancelled_owned()
    }

    /// Resolves when the drain is over.
    pub(crate) fn over(&self) -> WaitForCancellationFutureOwned {
        self.over.clone().cancelled_owned()
    }

    /// The connection was told to close after its exchange: no request can
    /// arrive on it any more.
    pub(crate) fn settle(&mut self) {
        if std::mem::take(&mut self.counted) {
            self.drain.0.open.send_modify(|open| *open -= 1);
        }
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        self.settle();
    }
}

/// Every connection waiting in `listener`'s backlog (up to [`MAX_BACKLOG`]),
/// accepted now; then the listener closes, so new connections are refused.
///
/// This asks the kernel directly instead of going through the runtime,
/// whose readiness may not have heard of the last arrivals yet. A
/// connection that failed on its own before it was taken is skipped; any
/// other failure (out of file descriptors) ends the taking, and what still
/// waits is reset with the listener.
pub(crate) fn take_backlog(listener: TcpListener) -> Vec<(TcpStream, SocketAddr)> {
    let listener = match listener.into_std() {
        Ok(listener) => listener,
        Err(error) => {
            tracing::warn!(%error, "could not take the connections waiting in the backlog");
            return Vec::new();
        }
    };
    let mut taken = Vec::new();
    while taken.len() < MAX_BACKLOG {
        let (stream, peer) = match listener.accept() {
            Ok(accepted) => accepted,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => break,
            Err(error) if super::accept::concerns_one_connection(&error) => continue,
            Err(error) => {
                tracing::warn!(%error, "taking the connections waiting in the backlog failed; the rest are reset");
                break;
            }
        };
        let stream = stream.set_nonblocking(true).and_then(|()| TcpStream::from_std(stream));
        match stream {
            Ok(stream) => taken.push((stream, peer)),
            Err(error) => tracing::debug!(%peer, %error, "could not serve a connection from the backlog"),
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_backlog_is_taken_and_then_connections_are_refused() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        // Connected, never accepted: they wait in the backlog.
        let waiting = [TcpStream::connect(address).await.unwrap(), TcpStream::connect(address).await.unwrap()];
        let taken = take_backlog(listener);
        assert_eq!(taken.len(), waiting.len());
        let mut peers: Vec<SocketAddr> = taken.iter().map(|(_, peer)| *peer).collect();
        let mut ours: Vec<SocketAddr> = waiting.iter().map(|s| s.local_addr().unwrap()).collect();
        peers.sort();
        ours.sort();
        assert_eq!(peers, ours, "the very connections that waited");
        let refused = TcpStream::connect(address).await.unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::ConnectionRefused);
    }
}
