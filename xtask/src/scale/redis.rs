//! The Redis server the processes share their tasks through: Debian's
//! `redis-server`, on a loopback port of its own, keeping nothing on disk,
//! logging into this run's folder; stopped with the run. `cargo xtask test`
//! starts one the same way for the Redis task store's tests.

use std::fs::File;
use std::io::{BufRead, BufReader, Write as _};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc::{self, SyncSender};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// How long Redis may take to say it is ready.
const READY_DEADLINE: Duration = Duration::from_secs(20);

/// A running `redis-server`.
pub(crate) struct Redis {
    child: Child,
    /// `redis://127.0.0.1:PORT/0`, for `mcpwire --task-store`.
    pub(crate) url: String,
}

impl Redis {
    /// Starts `program` on a free loopback port and waits until it accepts connections.
    pub(crate) fn start(program: &Path, dir: &Path) -> Result<Self> {
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let mut child = Command::new(program)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting redis-server")?;
        let log = File::create(dir.join("redis.log"))?;
        let (ready, ready_seen) = mpsc::sync_channel(1);
        let stdout = child.stdout.take().expect("stdout is piped");
        std::thread::spawn(move || copy_log(stdout, log, &ready));
        let redis = Self { child, url: format!("redis://127.0.0.1:{port}/0") };
        if ready_seen.recv_timeout(READY_DEADLINE).is_err() {
            bail!("redis-server did not get ready within {READY_DEADLINE:?}; see {}/redis.log", dir.display());
        }
        Ok(redis)
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        // SIGTERM: Redis exits at once, and with `--save ""` writes nothing.
        let _ = super::fleet::signal(self.child.id(), "TERM");
        let _ = self.child.wait();
    }
}

/// Copies Redis's log into `redis.log`, and says when it is ready.
fn copy_log(stdout: ChildStdout, mut log: File, ready: &SyncSender<()>) {
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let _ = writeln!(log, "{line}");
        if line.contains("Ready to accept connections") {
            let _ = ready.try_send(());
        }
    }
}
