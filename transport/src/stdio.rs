//! This process's stdin and stdout as async byte streams.
//!
//! The portable path, compiled everywhere, is Tokio's `stdin()` and
//! `stdout()`: they work on any descriptor, but each read and write is a trip
//! through a blocking thread, which costs tens of microseconds per message,
//! and a read under way holds its thread until the read returns. On Unix,
//! when the descriptors are pipes or sockets, which is how every MCP client
//! launches its servers (Node.js hands its children Unix sockets), they are
//! polled by the runtime's reactor instead (epoll on Linux), on the runtime's
//! own threads. Anything else (a file, a terminal), and every descriptor on
//! other platforms, takes the portable path.

#[cfg(unix)]
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
#[cfg(unix)]
use std::os::unix::fs::FileTypeExt;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
#[cfg(unix)]
use tokio::net::UnixStream;
#[cfg(unix)]
use tokio::net::unix::pipe;

/// Stdin, readable without a blocking thread when it is a pipe or a socket.
pub(crate) enum Stdin {
    #[cfg(unix)]
    Pipe(pipe::Receiver),
    #[cfg(unix)]
    Socket(UnixStream),
    /// The portable path: every read on a blocking thread.
    Blocking(tokio::io::Stdin),
}

/// Stdout, writable without a blocking thread when it is a pipe or a socket.
pub(crate) enum Stdout {
    #[cfg(unix)]
    Pipe(pipe::Sender),
    #[cfg(unix)]
    Socket(UnixStream),
    /// The portable path: every write on a blocking thread.
    Blocking(tokio::io::Stdout),
}

/// What kind of thing a descriptor is, as far as polling goes.
#[cfg(unix)]
enum Kind {
    Fifo,
    Socket,
    Other,
}

/// A duplicate of a descriptor, and its kind. The duplicate shares the open
/// file description, so reading or writing it is reading or writing stdio.
#[cfg(unix)]
fn inspect(fd: BorrowedFd<'_>) -> Option<(OwnedFd, Kind)> {
    let owned = fd.try_clone_to_owned().ok()?;
    let file = std::fs::File::from(owned);
    let kind = match file.metadata().ok()?.file_type() {
        t if t.is_fifo() => Kind::Fifo,
        t if t.is_socket() => Kind::Socket,
        _ => Kind::Other,
    };
    Some((OwnedFd::from(file), kind))
}

#[cfg(unix)]
fn socket(fd: OwnedFd) -> std::io::Result<UnixStream> {
    let stream = std::os::unix::net::UnixStream::from(fd);
    stream.set_nonblocking(true)?;
    UnixStream::from_std(stream)
}

impl Stdin {
    /// Must be called inside a Tokio runtime.
    pub(crate) fn open() -> Self {
        Self::polled().unwrap_or_else(|| {
            tracing::debug!("stdin cannot be polled; reading it on blocking threads (the portable path)");
            Self::Blocking(tokio::io::stdin())
        })
    }

    /// Stdin registered with the reactor, when it is a pipe or a socket.
    #[cfg(unix)]
    fn polled() -> Option<Self> {
        match inspect(std::io::stdin().as_fd())? {
            (fd, Kind::Fifo) => pipe::Receiver::from_owned_fd(fd).map(Self::Pipe).ok(),
            (fd, Kind::Socket) => socket(fd).map(Self::Socket).ok(),
            (_, Kind::Other) => None,
        }
    }

    /// Nothing is polled off Unix.
    #[cfg(not(unix))]
    fn polled() -> Option<Self> {
        None
    }
}

impl Stdout {
    /// Must be called inside a Tokio runtime.
    pub(crate) fn open() -> Self {
        Self::polled().unwrap_or_else(|| {
            tracing::debug!("stdout cannot be polled; writing it on blocking threads (the portable path)");
            Self::Blocking(tokio::io::stdout())
        })
    }

    /// Stdout registered with the reactor, when it is a pipe or a socket.
    #[cfg(unix)]
    fn polled() -> Option<Self> {
        match inspect(std::io::stdout().as_fd())? {
            (fd, Kind::Fifo) => pipe::Sender::from_owned_fd(fd).map(Self::Pipe).ok(),
            (fd, Kind::Socket) => socket(fd).map(Self::Socket).ok(),
            (_, Kind::Other) => None,
        }
    }

    /// Nothing is polled off Unix.
    #[cfg(not(unix))]
    fn polled() -> Option<Self> {
        None
    }
}

impl AsyncRead for Stdin {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Self::Pipe(pipe) => Pin::new(pipe).poll_read(cx, buf),
            #[cfg(unix)]
            Self::Socket(socket) => Pin::new(socket).poll_read(cx, buf),
            Self::Blocking(stdin) => Pin::new(stdin).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stdout {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            #[cfg(unix)]
            Self::Pipe(pipe) => Pin::new(pipe).poll_write(cx, buf),
            #[cfg(unix)]
            Self::Socket(socket) => Pin::new(socket).poll_write(cx, buf),
            Self::Blocking(stdout) => Pin::new(stdout).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Self::Pipe(pipe) => Pin::new(pipe).poll_flush(cx),
            #[cfg(unix)]
            Self::Socket(socket) => Pin::new(socket).poll_flush(cx),
            Self::Blocking(stdout) => Pin::new(stdout).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            #[cfg(unix)]
            Self::Pipe(pipe) => Pin::new(pipe).poll_shutdown(cx),
            #[cfg(unix)]
            Self::Socket(socket) => Pin::new(socket).poll_shutdown(cx),
            Self::Blocking(stdout) => Pin::new(stdout).poll_shutdown(cx),
        }
    }
}
