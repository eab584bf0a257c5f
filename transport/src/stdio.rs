//! This process's stdin and stdout as async byte streams.
//!
//! Tokio's `stdin()` and `stdout()` work on anything, but each read and write
//! is a trip through a blocking thread, which costs tens of microseconds per
//! message. When the descriptors are pipes or sockets, which is how every MCP
//! client launches its servers (Node.js hands its children Unix sockets), they
//! are polled with epoll instead, on the runtime's own threads. Anything else
//! (a file, a terminal) falls back to Tokio's blocking versions.

use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::fs::FileTypeExt;
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::UnixStream;
use tokio::net::unix::pipe;

/// Stdin, readable without a blocking thread when it is a pipe or a socket.
pub(crate) enum Stdin {
    Pipe(pipe::Receiver),
    Socket(UnixStream),
    Blocking(tokio::io::Stdin),
}

/// Stdout, writable without a blocking thread when it is a pipe or a socket.
pub(crate) enum Stdout {
    Pipe(pipe::Sender),
    Socket(UnixStream),
    Blocking(tokio::io::Stdout),
}

/// What kind of thing a descriptor is, as far as polling goes.
enum Kind {
    Fifo,
    Socket,
    Other,
}

/// A duplicate of a descriptor, and its kind. The duplicate shares the open
/// file description, so reading or writing it is reading or writing stdio.
fn inspect(fd: std::os::fd::BorrowedFd<'_>) -> Option<(OwnedFd, Kind)> {
    let owned = fd.try_clone_to_owned().ok()?;
    let file = std::fs::File::from(owned);
    let kind = match file.metadata().ok()?.file_type() {
        t if t.is_fifo() => Kind::Fifo,
        t if t.is_socket() => Kind::Socket,
        _ => Kind::Other,
    };
    Some((OwnedFd::from(file), kind))
}

fn socket(fd: OwnedFd) -> std::io::Result<UnixStream> {
    let stream = std::os::unix::net::UnixStream::from(fd);
    stream.set_nonblocking(true)?;
    UnixStream::from_std(stream)
}

impl Stdin {
    /// Must be called inside a Tokio runtime.
    pub(crate) fn open() -> Self {
        let polled = match inspect(std::io::stdin().as_fd()) {
            Some((fd, Kind::Fifo)) => pipe::Receiver::from_owned_fd(fd).map(Self::Pipe).ok(),
            Some((fd, Kind::Socket)) => socket(fd).map(Self::Socket).ok(),
            _ => None,
        };
        polled.unwrap_or_else(|| Self::Blocking(tokio::io::stdin()))
    }
}

impl Stdout {
    /// Must be called inside a Tokio runtime.
    pub(crate) fn open() -> Self {
        let polled = match inspect(std::io::stdout().as_fd()) {
            Some((fd, Kind::Fifo)) => pipe::Sender::from_owned_fd(fd).map(Self::Pipe).ok(),
            Some((fd, Kind::Socket)) => socket(fd).map(Self::Socket).ok(),
            _ => None,
        };
        polled.unwrap_or_else(|| Self::Blocking(tokio::io::stdout()))
    }
}

impl AsyncRead for Stdin {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Pipe(pipe) => Pin::new(pipe).poll_read(cx, buf),
            Self::Socket(socket) => Pin::new(socket).poll_read(cx, buf),
            Self::Blocking(stdin) => Pin::new(stdin).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Stdout {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Self::Pipe(pipe) => Pin::new(pipe).poll_write(cx, buf),
            Self::Socket(socket) => Pin::new(socket).poll_write(cx, buf),
            Self::Blocking(stdout) => Pin::new(stdout).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Pipe(pipe) => Pin::new(pipe).poll_flush(cx),
            Self::Socket(socket) => Pin::new(socket).poll_flush(cx),
            Self::Blocking(stdout) => Pin::new(stdout).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Self::Pipe(pipe) => Pin::new(pipe).poll_shutdown(cx),
            Self::Socket(socket) => Pin::new(socket).poll_shutdown(cx),
            Self::Blocking(stdout) => Pin::new(stdout).poll_shutdown(cx),
        }
    }
}
