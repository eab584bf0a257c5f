//! A spawned server process as both test helpers (stdio and HTTP) hold it:
//! its pid, signals, waiting for its exit without polling, and killing it
//! when a test moves on without waiting.

use std::process::{Child, Command, ExitStatus};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

/// A server process and what it takes to know when it has exited.
#[derive(Debug)]
pub(crate) struct ServerChild {
    child: Child,
    /// Fires once stderr reaches end of file, which happens when the process
    /// exits (nobody else holds the server's stderr); waiting on it replaces polling.
    stderr_closed: Receiver<()>,
    /// Set once the process has been waited for.
    exit_status: Option<ExitStatus>,
}

impl ServerChild {
    /// Hold `child`; `stderr_closed` must fire when its stderr reaches end of file.
    pub(crate) fn new(child: Child, stderr_closed: Receiver<()>) -> Self {
        Self { child, stderr_closed, exit_status: None }
    }

    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The exit status, once [`wait_exit`](Self::wait_exit) has seen it.
    pub(crate) fn exit_status(&self) -> Option<ExitStatus> {
        self.exit_status
    }

    /// The signal that stderr closed, for a caller that wants the last lines
    /// of a process that is exiting.
    pub(crate) fn stderr_closed(&self) -> &Receiver<()> {
        &self.stderr_closed
    }

    /// Send a signal (`TERM`, `INT`, ...) with kill(1): the workspace forbids
    /// the unsafe code `libc::kill` would need.
    ///
    /// # Panics
    /// When the process already exited or kill(1) fails.
    pub(crate) fn signal(&self, signal: &str) {
        assert!(self.exit_status.is_none(), "the server already exited");
        let pid = self.pid();
        let status = Command::new("kill").arg(format!("-{signal}")).arg(pid.to_string()).status().expect("run kill(1)");
        assert!(status.success(), "kill -{signal} {pid} failed: {status}");
    }

    /// Wait for the process to exit: its status and how long the wait took,
    /// or `None` when it is still running after `timeout`.
    pub(crate) fn wait_exit(&mut self, timeout: Duration) -> Option<(ExitStatus, Duration)> {
        let started = Instant::now();
        if let Some(status) = self.exit_status {
            return Some((status, Duration::ZERO));
        }
        match self.stderr_closed.recv_timeout(timeout) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {}
            Err(RecvTimeoutError::Timeout) => return None,
        }
        // Stderr closed, so the process has exited and `wait` returns at once.
        let status = self.child.wait().expect("wait for the server");
        self.exit_status = Some(status);
        Some((status, started.elapsed()))
    }

    /// Kill the process unless it has been waited for already.
    pub(crate) fn kill_if_running(&mut self) {
        if self.exit_status.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
