//! The mcpwire processes behind nginx: each started with `--http` on
//! loopback and the shared `--state-key-file`, stopped with SIGTERM (and
//! checked to exit cleanly) or killed with SIGKILL, and started again on the
//! port it had, so nginx's configuration never changes.

use std::fs::File;
use std::io::{BufRead, BufReader, Write as _};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError, SyncSender};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use mcpwire_tests::http1;

/// How long a process may take to log where it listens (a debug build
/// under load included).
const START_DEADLINE: Duration = Duration::from_secs(20);

/// How long a process may take to exit after SIGTERM: mcpwire promises a
/// second after its drain, which lasts until nginx has closed its idle
/// connections (`keepalive_timeout 4s`), at most `--drain-timeout` (5 s);
/// this leaves room for a loaded machine.
const EXIT_DEADLINE: Duration = Duration::from_secs(10);

/// What every process is started with.
#[derive(Debug, Clone)]
pub(crate) struct Setup {
    /// The mcpwire binary.
    pub(crate) binary: PathBuf,
    /// The file of the key every process seals requestState with.
    pub(crate) key_file: PathBuf,
    /// Extra arguments (the task store, once there is one).
    pub(crate) extra_args: Vec<String>,
    /// Where their logs go.
    pub(crate) dir: PathBuf,
}

/// One process: its route in nginx's configuration, the address it keeps
/// across restarts, and the child while it runs.
pub(crate) struct Process {
    /// `p1`, `p2`, ...: its name in nginx's configuration and `X-Upstream`.
    pub(crate) route: String,
    /// Where it listens, the same after every restart.
    pub(crate) address: SocketAddr,
    child: Option<Child>,
    /// How many times it has been started, to name its logs.
    starts: u32,
}

impl Process {
    /// Starts process number `index` (from 1) on a port the OS picks.
    pub(crate) fn start(setup: &Setup, index: usize) -> Result<Self> {
        let mut process =
            Self { route: format!("p{index}"), address: SocketAddr::from(([127, 0, 0, 1], 0)), child: None, starts: 0 };
        process.spawn(setup)?;
        Ok(process)
    }

    /// The process id while it runs.
    pub(crate) fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Starts it (again) on `self.address`, and waits until it logs that it listens.
    pub(crate) fn spawn(&mut self, setup: &Setup) -> Result<()> {
        self.starts += 1;
        let log_path = setup.dir.join(format!("{}.{}.log", self.route, self.starts));
        let log = File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        let mut child = Command::new(&setup.binary)
            .args(["--http", &self.address.to_string(), "--state-key-file"])
            .arg(&setup.key_file)
            .args(&setup.extra_args)
            .args(["--log-level", "info"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .with_context(|| format!("starting {}", setup.binary.display()))?;
        let stderr = child.stderr.take().expect("stderr is piped");
        // One slot: the address is sent once and never waited on.
        let (found, address) = mpsc::sync_channel(1);
        std::thread::spawn(move || copy_stderr(stderr, log, found));
        self.child = Some(child);
        match address.recv_timeout(START_DEADLINE) {
            Ok(address) if self.address.port() == 0 || address == self.address => {
                self.address = address;
                Ok(())
            }
            Ok(address) => bail!("{} listens at {address}, not at {} as before", self.route, self.address),
            Err(RecvTimeoutError::Timeout) => {
                bail!(
                    "{} did not say where it listens within {START_DEADLINE:?}; see {}",
                    self.route,
                    log_path.display()
                )
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.as_mut().and_then(|c| c.wait().ok());
                bail!("{} exited ({status:?}) before listening; see {}", self.route, log_path.display())
            }
        }
    }

    /// SIGTERM, then waits for it to exit; an exit that is not clean, or
    /// not within [`EXIT_DEADLINE`], is an error. Returns how long it took.
    pub(crate) fn terminate(&mut self) -> Result<Duration> {
        let mut child = self.child.take().context("the process is not running")?;
        let started = Instant::now();
        signal(child.id(), "TERM")?;
        let status = wait_with_deadline(&mut child, EXIT_DEADLINE)
            .with_context(|| format!("{} did not exit within {EXIT_DEADLINE:?} of SIGTERM", self.route))?;
        if !status.success() {
            bail!("{} exited with {status} after SIGTERM", self.route);
        }
        Ok(started.elapsed())
    }

    /// SIGKILL, then waits for it to be gone.
    pub(crate) fn kill(&mut self) -> Result<()> {
        let mut child = self.child.take().context("the process is not running")?;
        child.kill().context("SIGKILL")?;
        child.wait().context("waiting for a killed process")?;
        Ok(())
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Sends `SIG<name>` to `pid` with kill(1): std has no way to send any
/// signal but SIGKILL, and this crate has no libc binding of its own.
pub(crate) fn signal(pid: u32, name: &str) -> Result<()> {
    let status = Command::new("kill").args([&format!("-{name}"), &pid.to_string()]).status().context("running kill")?;
    if !status.success() {
        bail!("kill -{name} {pid} failed with {status}");
    }
    Ok(())
}

/// Waits for `child` to exit, at most `deadline`; kills it if it has not.
fn wait_with_deadline(child: &mut Child, deadline: Duration) -> Result<ExitStatus> {
    let (done, exited) = mpsc::channel();
    let pid = child.id();
    // A thread that waits on the pid itself would own the child; instead it
    // waits on a channel for the deadline, then kills, while this thread
    // waits on the child.
    let guard = std::thread::spawn(move || {
        if let Err(RecvTimeoutError::Timeout) = exited.recv_timeout(deadline) {
            let _ = Command::new("kill").args(["-KILL", &pid.to_string()]).status();
            return true;
        }
        false
    });
    let status = child.wait().context("waiting for the process")?;
    let _ = done.send(());
    let killed = guard.join().unwrap_or(false);
    if killed {
        bail!("it was still running after {deadline:?} and was killed");
    }
    Ok(status)
}

/// Copies a process's stderr into its log and sends the address of the
/// first line naming an `http://` endpoint.
fn copy_stderr(stderr: ChildStderr, mut log: File, found: SyncSender<SocketAddr>) {
    let mut found = Some(found);
    let mut reader = BufReader::new(stderr);
    let mut line = Vec::new();
    while matches!(reader.read_until(b'\n', &mut line), Ok(n) if n > 0) {
        // A lost log line costs a post-mortem, not a result.
        let _ = log.write_all(&line);
        if found.is_some()
            && let Some(address) = http1::logged_endpoint(&String::from_utf8_lossy(&line))
            && let Some(found) = found.take()
        {
            let _ = found.send(address);
        }
        line.clear();
    }
}

/// Writes a fresh random key of 32 bytes to `path`, readable by its owner
/// only: what `--state-key-file` reads.
pub(crate) fn write_key(path: &Path) -> Result<()> {
    use std::io::Read as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut key = [0u8; 32];
    File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut key)).context("reading /dev/urandom")?;
    let _ = std::fs::remove_file(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("creating {}", path.display()))?;
    file.write_all(&key)?;
    Ok(())
}
