//! nginx in front of the processes, configured with the files the repository
//! ships: `deploy/nginx.conf` as it is (only its `listen` port changes) and
//! an upstreams file in the shape of `deploy/mcpwire-upstreams.conf`, written
//! for this run's processes. A small main configuration around them keeps
//! everything nginx writes (pid, temp files, error log) in this run's folder,
//! runs one worker, and logs to stderr, which is copied into `error.log`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufRead, BufReader, Write as _};
use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::sync::mpsc::{self, Receiver, Sender};
use std::time::Duration;

use anyhow::{Context, Result, bail};

use crate::checks::project_root;

/// The `listen` line of the shipped configuration, whose port a run replaces.
const SHIPPED_LISTEN: &str = "listen 127.0.0.1:8080;";

/// How long nginx may take to start its worker, or to reload.
const READY_DEADLINE: Duration = Duration::from_secs(20);

/// A process as nginx's configuration names it.
#[derive(Debug, Clone)]
pub(crate) struct Upstream {
    /// Its route: `p1`, `p2`, ...
    pub(crate) route: String,
    /// Where it listens.
    pub(crate) address: SocketAddr,
}

/// The upstreams file for `upstreams`: the same shape as
/// `deploy/mcpwire-upstreams.conf`, whose comments it leaves out.
pub(crate) fn upstreams_conf(upstreams: &[Upstream]) -> String {
    let mut conf = String::from("upstream mcpwire {\n");
    for upstream in upstreams {
        let _ = writeln!(conf, "    server {} max_fails=1 fail_timeout=1s;", upstream.address);
    }
    conf.push_str("    keepalive 32;\n    keepalive_timeout 4s;\n}\n");
    for upstream in upstreams {
        let _ = writeln!(
            conf,
            "upstream mcpwire_{} {{\n    server {};\n    keepalive 8;\n    keepalive_timeout 4s;\n}}",
            upstream.route, upstream.address
        );
    }
    conf.push_str("map $mcpwire_route $mcpwire_upstream {\n    default mcpwire;\n");
    for upstream in upstreams {
        let _ = writeln!(conf, "    {} mcpwire_{};", upstream.route, upstream.route);
    }
    conf.push_str("}\nmap $upstream_addr $mcpwire_answered_by {\n    default \"\";\n");
    for upstream in upstreams {
        let address = upstream.address.to_string().replace('.', "\\.");
        let _ = writeln!(conf, "    \"~(^|, ){address}$\" {};", upstream.route);
    }
    conf.push_str("}\n");
    conf
}

/// The shipped configuration with its `listen` port replaced.
fn shipped_conf(port: u16) -> Result<String> {
    let path = project_root().join("deploy/nginx.conf");
    let shipped = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    if shipped.matches(SHIPPED_LISTEN).count() != 1 {
        bail!("{} must hold `{SHIPPED_LISTEN}` exactly once: it is the one line a run changes", path.display());
    }
    Ok(shipped.replace(SHIPPED_LISTEN, &format!("listen 127.0.0.1:{port};")))
}

/// The main configuration around the shipped one.
fn main_conf(dir: &Path) -> String {
    let dir = dir.display();
    format!(
        "# Written by `cargo xtask scale`: everything nginx writes stays in {dir}.\n\
         worker_processes 1;\n\
         daemon off;\n\
         pid {dir}/nginx.pid;\n\
         error_log stderr notice;\n\
         events {{ worker_connections 4096; }}\n\
         http {{\n\
         \x20   access_log off;\n\
         \x20   client_body_temp_path {dir}/tmp/body;\n\
         \x20   proxy_temp_path {dir}/tmp/proxy;\n\
         \x20   fastcgi_temp_path {dir}/tmp/fastcgi;\n\
         \x20   uwsgi_temp_path {dir}/tmp/uwsgi;\n\
         \x20   scgi_temp_path {dir}/tmp/scgi;\n\
         \x20   include mcpwire.conf;\n\
         }}\n"
    )
}

/// A loopback port nobody listens on right now (the OS's pick, let go at
/// once; nothing else on this machine is expected to take it in between).
fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// nginx, running.
pub(crate) struct Nginx {
    program: PathBuf,
    dir: PathBuf,
    child: Child,
    /// Lines nginx logs, forwarded by the thread that copies them into the log.
    lines: Receiver<String>,
    /// Where it listens.
    pub(crate) address: SocketAddr,
}

impl Nginx {
    /// Writes the configuration for `upstreams` into `dir`, checks it with
    /// `nginx -t`, starts nginx and waits until its worker runs.
    pub(crate) fn start(program: &Path, dir: &Path, upstreams: &[Upstream]) -> Result<Self> {
        std::fs::create_dir_all(dir.join("tmp"))?;
        let port = free_port()?;
        std::fs::write(dir.join("mcpwire.conf"), shipped_conf(port)?)?;
        std::fs::write(dir.join("mcpwire-upstreams.conf"), upstreams_conf(upstreams))?;
        std::fs::write(dir.join("nginx.conf"), main_conf(dir))?;
        let conf = dir.join("nginx.conf");
        let checked = Command::new(program).arg("-t").arg("-p").arg(dir).arg("-c").arg(&conf).output()?;
        if !checked.status.success() {
            bail!("nginx -t refused the configuration:\n{}", String::from_utf8_lossy(&checked.stderr));
        }
        let mut child = Command::new(program)
            .arg("-p")
            .arg(dir)
            .arg("-c")
            .arg(&conf)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .context("starting nginx")?;
        let log = File::create(dir.join("error.log"))?;
        let (send, lines) = mpsc::channel();
        let stderr = child.stderr.take().expect("stderr is piped");
        std::thread::spawn(move || copy_log(stderr, log, &send));
        let nginx = Self {
            program: program.to_owned(),
            dir: dir.to_owned(),
            child,
            lines,
            address: SocketAddr::from(([127, 0, 0, 1], port)),
        };
        nginx.wait_for("start worker process")?;
        Ok(nginx)
    }

    /// Rewrites the upstreams for `upstreams` and reloads nginx, waiting
    /// until the new worker runs and the old one has exited (until then the
    /// old one may still take a connection, only to close it when it goes).
    /// Only between loads: a reload closes the idle keep-alive connections of
    /// clients, racing their next request.
    pub(crate) fn reload(&self, upstreams: &[Upstream]) -> Result<()> {
        while self.lines.try_recv().is_ok() {}
        std::fs::write(self.dir.join("mcpwire-upstreams.conf"), upstreams_conf(upstreams))?;
        let conf = self.dir.join("nginx.conf");
        let status = Command::new(&self.program)
            .arg("-p")
            .arg(&self.dir)
            .arg("-c")
            .arg(&conf)
            .args(["-s", "reload"])
            .stderr(Stdio::null())
            .status()?;
        if !status.success() {
            bail!("nginx -s reload failed with {status}");
        }
        self.wait_for("start worker process")?;
        self.wait_for("exited with code")
    }

    /// The worker processes' ids (children of the master), for their CPU time.
    pub(crate) fn worker_pids(&self) -> Vec<u32> {
        let master = self.child.id();
        let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
        entries
            .flatten()
            .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
            .filter(|pid| parent_of(*pid) == Some(master))
            .collect()
    }

    /// Waits for nginx to log a line containing `text`.
    fn wait_for(&self, text: &str) -> Result<()> {
        let deadline = std::time::Instant::now() + READY_DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(std::time::Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.contains(text) => return Ok(()),
                Ok(line) if line.contains("[emerg]") => bail!("nginx: {line}"),
                Ok(_) => {}
                Err(_) => {
                    bail!("nginx did not log {text:?} within {READY_DEADLINE:?}; see {}/error.log", self.dir.display())
                }
            }
        }
    }

    /// Stops nginx: SIGQUIT (finish what is under way), then waits for it.
    pub(crate) fn stop(mut self) -> Result<()> {
        super::fleet::signal(self.child.id(), "QUIT")?;
        self.child.wait()?;
        Ok(())
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            // SIGTERM stops the master and its workers; SIGKILL would orphan the workers.
            let _ = super::fleet::signal(self.child.id(), "TERM");
            let _ = self.child.wait();
        }
    }
}

/// The parent of `pid`, from /proc.
fn parent_of(pid: u32) -> Option<u32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Copies nginx's log lines into `error.log` and forwards them.
fn copy_log(stderr: ChildStderr, mut log: File, lines: &Sender<String>) {
    for line in BufReader::new(stderr).lines().map_while(Result::ok) {
        let _ = writeln!(log, "{line}");
        let _ = lines.send(line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_upstreams_are_the_shipped_example_without_its_comments() {
        let upstreams = [
            Upstream { route: "p1".to_owned(), address: "127.0.0.1:8081".parse().unwrap() },
            Upstream { route: "p2".to_owned(), address: "127.0.0.1:8082".parse().unwrap() },
        ];
        let shipped = std::fs::read_to_string(project_root().join("deploy/mcpwire-upstreams.conf")).unwrap();
        let meaningful = |text: &str| -> Vec<String> {
            text.lines()
                .map(|line| line.split('#').next().unwrap_or_default().trim().to_owned())
                .filter(|line| !line.is_empty())
                .collect()
        };
        assert_eq!(meaningful(&upstreams_conf(&upstreams)), meaningful(&shipped));
    }

    #[test]
    fn the_shipped_keepalive_timeouts_end_before_a_draining_process_stops_waiting() {
        // `HttpConfig::drain_timeout`'s default, and `mcpwire --drain-timeout`'s.
        const DRAIN_TIMEOUT_SECONDS: u32 = 5;
        let shipped = std::fs::read_to_string(project_root().join("deploy/mcpwire-upstreams.conf")).unwrap();
        let timeouts: Vec<u32> = shipped
            .lines()
            .filter_map(|line| line.split('#').next()?.trim().strip_prefix("keepalive_timeout "))
            .map(|value| value.trim_end_matches(';').strip_suffix('s').and_then(|s| s.parse().ok()).expect("seconds"))
            .collect();
        assert_eq!(timeouts.len(), 3, "one per upstream group");
        assert!(timeouts.iter().all(|&seconds| seconds < DRAIN_TIMEOUT_SECONDS), "{timeouts:?}");
    }

    #[test]
    fn the_shipped_configuration_listens_once_on_loopback() {
        let conf = shipped_conf(4242).unwrap();
        assert!(conf.contains("listen 127.0.0.1:4242;"));
        assert!(!conf.contains(SHIPPED_LISTEN));
    }
}
