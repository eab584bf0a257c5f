//! `cargo xtask scale`: mcpwire as several processes behind a real load
//! balancer, checked the way an operator would run it.
//!
//! It installs nginx and redis-server from Debian's packages if missing
//! (`debian`), starts Redis (`redis`) and two `mcpwire --http 127.0.0.1:0`
//! processes sharing a `--state-key-file` and a `--task-store` (`fleet`),
//! puts nginx in front with the configuration the repository ships in
//! `deploy/` (`nginx`), and drives it with MCP clients of both eras
//! (`client`) through the checks in `rows` and `tasks`, one table row each:
//! round-robin of 2026-07-28 calls, input-required retries answered by
//! another process, sessions pinned to their process and resumed with
//! `Last-Event-ID`, tasks shared through Redis, a rolling restart under
//! load, a process killed under load, and throughput with one and two
//! processes. The table comes last; the command fails unless every row has
//! 0 unexpected failures.
//!
//! mcpwire is built with the `redis` feature (release, or debug for
//! `--quick`, which runs every check at a small size: its throughput figures
//! mean nothing, everything else is checked the same).

mod client;
mod fleet;
mod nginx;
pub(crate) mod redis;
mod rows;
mod tasks;

use std::io::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::bench::number;
use crate::checks::project_root;
use crate::debian;
use fleet::{Process, Setup};
use nginx::Nginx;
use rows::{Row, Throughput};

/// How many mcpwire processes: two show everything a load balancer does
/// (spread, pinning, failing over) and fit the 2-core machine.
const PROCESSES: usize = 2;

/// How big each check is.
#[derive(Debug, Clone)]
pub(crate) struct Sizes {
    /// Concurrent clients of the loaded checks.
    pub(crate) clients: usize,
    /// Calls each client makes in the round-robin check.
    pub(crate) calls_per_client: usize,
    /// Multi-round input-required calls.
    pub(crate) input_required_calls: usize,
    /// Handshake-era sessions opened through nginx.
    pub(crate) sessions: usize,
    /// Echo calls in each session.
    pub(crate) calls_per_session: usize,
    /// Load before and after a restart or a kill, so both sides of it are
    /// measured under load.
    pub(crate) settle: Duration,
    /// How long a restarted process may take to answer calls again: nginx
    /// tries it once its `fail_timeout` (1 s) has passed.
    pub(crate) readmit: Duration,
    /// How long after a SIGKILL a call may still meet the dead process.
    pub(crate) notice: Duration,
    /// Load after a SIGKILL: beyond nginx's `fail_timeout` (1 s), so nginx
    /// tries the dead process again and must move those calls on.
    pub(crate) after_kill: Duration,
    /// wrk's connections in the throughput rows.
    pub(crate) wrk_connections: usize,
    /// wrk's timed run in the throughput rows (whole seconds).
    pub(crate) wrk_time: Duration,
    /// How long the polled task computes.
    pub(crate) task_seconds: f64,
}

impl Sizes {
    const FULL: Self = Self {
        clients: 8,
        calls_per_client: 2_000,
        input_required_calls: 200,
        sessions: 32,
        calls_per_session: 50,
        settle: Duration::from_secs(1),
        readmit: Duration::from_secs(5),
        notice: Duration::from_millis(500),
        after_kill: Duration::from_millis(2_500),
        wrk_connections: 32,
        wrk_time: Duration::from_secs(5),
        task_seconds: 1.0,
    };

    const QUICK: Self = Self {
        clients: 4,
        calls_per_client: 100,
        input_required_calls: 10,
        sessions: 4,
        calls_per_session: 10,
        settle: Duration::from_millis(500),
        readmit: Duration::from_secs(5),
        notice: Duration::from_millis(500),
        after_kill: Duration::from_millis(2_500),
        wrk_connections: 32,
        wrk_time: Duration::from_secs(1),
        task_seconds: 0.5,
    };
}

pub(crate) fn run(quick: bool) -> Result<()> {
    let started = Instant::now();
    let sizes = if quick { Sizes::QUICK } else { Sizes::FULL };
    let [nginx_program, redis_program] =
        debian::ensure(&[debian::NGINX, debian::REDIS])?.try_into().expect("two programs asked for, two found");
    let profile = if quick { crate::mcpwire::Profile::Debug } else { crate::mcpwire::Profile::Release };
    let binary = crate::mcpwire::build_with(profile, &["redis"])?;
    let dir = project_root().join("target/scale");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let key_file = dir.join("state.key");
    fleet::write_key(&key_file)?;
    let redis = redis::Redis::start(&redis_program, &dir)?;
    eprintln!("==> redis-server listens at {}", redis.url);
    let extra_args = vec!["--task-store".to_owned(), redis.url.clone()];
    let setup = Setup { binary, key_file, extra_args, dir: dir.clone() };

    let mut processes = (1..=PROCESSES).map(|index| Process::start(&setup, index)).collect::<Result<Vec<_>>>()?;
    for process in &processes {
        eprintln!("==> {} listens at {}", process.route, process.address);
    }
    let nginx = Nginx::start(&nginx_program, &dir.join("nginx"), &rows::upstreams(&processes))?;
    eprintln!("==> nginx listens at {} with deploy/nginx.conf (logs in target/scale/nginx/error.log)", nginx.address);

    let mut table = Vec::new();
    let mut record = |row: Row| {
        eprintln!(
            "==> {}: {} calls, {} failed, {} unexpected: {}",
            row.check, row.calls, row.failed, row.unexpected, row.seen
        );
        table.push(row);
    };
    record(rows::round_robin(&nginx, &processes, &sizes));
    record(rows::input_required(&nginx, &sizes));
    record(rows::sessions(&nginx, &processes, &sizes));
    let routes = [processes[0].route.clone(), processes[1].route.clone()];
    record(tasks::shared(&nginx, routes, &sizes));
    record(rows::rolling_restart(&nginx, &mut processes, &setup, &sizes));
    record(rows::sigkill(&nginx, &mut processes, &setup, &sizes));
    for row in throughput_rows(&nginx, &processes, &sizes, quick)? {
        record(row);
    }
    nginx.stop()?;
    drop(processes);
    drop(redis);

    let text = render(&table, quick, started.elapsed());
    std::io::stdout().lock().write_all(text.as_bytes())?;
    let failing: Vec<&str> = table.iter().filter(|row| row.unexpected > 0).map(|row| row.check.as_str()).collect();
    if !failing.is_empty() {
        bail!("scale: unexpected failures in: {}", failing.join("; "));
    }
    Ok(())
}

/// Throughput with one and with two processes behind nginx (nginx is
/// reloaded between them, with no load running), and with one process and
/// no nginx, for what nginx costs; then the arithmetic for bigger machines.
fn throughput_rows(nginx: &Nginx, processes: &[Process], sizes: &Sizes, quick: bool) -> Result<Vec<Row>> {
    let all = rows::upstreams(processes);
    nginx.reload(&all[..1])?;
    let one = rows::throughput(nginx.address, Some(nginx), &[&processes[0]], sizes);
    nginx.reload(&all)?;
    let two = rows::throughput(nginx.address, Some(nginx), &processes.iter().collect::<Vec<_>>(), sizes);
    let direct = rows::throughput(processes[0].address, None, &[&processes[0]], sizes);
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let build = if quick { "debug build: the figures mean nothing here; " } else { "" };
    let shared = format!(
        "{build}this machine has {cores} cores, shared by nginx, wrk and the processes, so this shows overhead, \
         not scaling"
    );
    let row = |check: &str, measured: &Result<Throughput>, with_nginx: bool| -> Row {
        let (failed, seen) = match measured {
            Ok(t) => (
                0,
                format!(
                    "{} calls/s; CPU per call: mcpwire {:.1} µs{}, wrk {:.1} µs; {shared}",
                    number(t.calls_per_sec),
                    t.mcpwire_us,
                    if with_nginx { format!(", nginx {:.1} µs", t.nginx_us) } else { String::new() },
                    t.wrk_us
                ),
            ),
            Err(e) => (1, format!("wrk failed: {e:#}")),
        };
        Row { check: check.to_owned(), calls: 0, failed, unexpected: failed, seen }
    };
    let mut table = vec![
        row("throughput, 1 process behind nginx", &one, true),
        row("throughput, 2 processes behind nginx", &two, true),
        row("throughput, 1 process, no nginx", &direct, false),
    ];
    if let Ok(two) = &two {
        table.push(Row {
            check: "larger machines (arithmetic)".to_owned(),
            calls: 0,
            failed: 0,
            unexpected: 0,
            seen: arithmetic(two),
        });
    }
    Ok(table)
}

/// What the measured CPU per call means for a machine with more cores.
fn arithmetic(t: &Throughput) -> String {
    let per_core = |us: f64| if us > 0.0 { 1e6 / us } else { f64::INFINITY };
    let (mcpwire, nginx) = (per_core(t.mcpwire_us), per_core(t.nginx_us));
    // Cores split between mcpwire and nginx in proportion to their cost per call.
    let share = t.nginx_us / (t.mcpwire_us + t.nginx_us);
    let sixteen = 16.0 / (t.mcpwire_us + t.nginx_us) * 1e6;
    format!(
        "one core runs about {} calls/s of mcpwire or {} of nginx; calls scale with cores while processes are \
         added (1 per core, no shared state on the call path), so 16 cores with no load generator on them, \
         {:.0} % of them for nginx, carry about {} calls/s",
        number(mcpwire),
        number(nginx),
        share * 100.0,
        number(sixteen)
    )
}

/// The table, Markdown, as the last lines of the output.
fn render(table: &[Row], quick: bool, elapsed: Duration) -> String {
    let mut text = format!(
        "\n## cargo xtask scale{}: {} mcpwire processes behind nginx (deploy/nginx.conf), {:.0} s\n\n",
        if quick { " --quick" } else { "" },
        PROCESSES,
        elapsed.as_secs_f64()
    );
    text.push_str("| check | calls | failed | unexpected | seen |\n|---|---:|---:|---:|---|\n");
    for row in table {
        let calls = if row.calls == 0 { "–".to_owned() } else { number(row.calls as f64) };
        text.push_str(&format!(
            "| {} | {calls} | {} | {} | {} |\n",
            row.check,
            number(row.failed as f64),
            number(row.unexpected as f64),
            row.seen.replace('|', "/")
        ));
    }
    text
}
