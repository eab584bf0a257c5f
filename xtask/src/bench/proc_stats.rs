//! What the kernel says about a process: its peak resident set size and its
//! private memory, from `/proc/<pid>/status`, and the CPU time it has used,
//! from `/proc/<pid>/stat`.
//! Linux only, like the benchmark.

use std::time::Duration;

use anyhow::{Context, Result};

/// Clock ticks per second of the times in `/proc/<pid>/stat`. This is USER_HZ,
/// which Linux fixes at 100 for that interface on every architecture it runs
/// this benchmark on (it is not the kernel's internal HZ).
const USER_HZ: u64 = 100;

/// `VmHWM` of `pid` in bytes: the high-water mark of its resident set, which the
/// kernel keeps for the process's whole life, so one read after the work is the
/// peak during it.
pub(crate) fn peak_rss_bytes(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    status_kib(&status, "VmHWM").map(|kib| kib * 1024).with_context(|| format!("no VmHWM in {path}"))
}

/// `RssAnon` of `pid` in bytes: its private resident memory (heap, stacks,
/// buffers). Peak RSS also counts the pages of its code and of the shared
/// libraries it maps, which other processes share; this is what one more
/// server process costs the machine.
pub(crate) fn private_rss_bytes(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    status_kib(&status, "RssAnon").map(|kib| kib * 1024).with_context(|| format!("no RssAnon in {path}"))
}

/// CPU time `pid` has used so far, user and system, all threads together, to
/// the 10 ms resolution of USER_HZ.
pub(crate) fn cpu_time(pid: u32) -> Result<Duration> {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    let ticks = stat_ticks(&stat).with_context(|| format!("no utime/stime in {path}"))?;
    Ok(Duration::from_millis(ticks * 1000 / USER_HZ))
}

/// utime + stime, in ticks, from a `/proc/<pid>/stat` line. The command name
/// (field 2) may hold spaces and parentheses, so fields are counted from the
/// last `)`: utime and stime are fields 14 and 15 of the line.
fn stat_ticks(stat: &str) -> Option<u64> {
    let (_, rest) = stat.rsplit_once(')')?;
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some(utime + stime)
}

/// CPU time the whole machine has spent busy (every state but idle and
/// iowait, all cores together) since boot, from the first line of `/proc/stat`.
pub(crate) fn machine_busy() -> Result<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").context("reading /proc/stat")?;
    let ticks = machine_busy_ticks(&stat).context("no cpu line in /proc/stat")?;
    Ok(Duration::from_millis(ticks * 1000 / USER_HZ))
}

/// Busy ticks from `/proc/stat`'s `cpu` line: user, nice, system, irq, softirq
/// and steal (fields 1, 2, 3, 6, 7, 8); guest time is already inside user.
fn machine_busy_ticks(stat: &str) -> Option<u64> {
    let fields: Vec<u64> =
        stat.lines().next()?.strip_prefix("cpu ")?.split_whitespace().map(|f| f.parse().ok()).collect::<Option<_>>()?;
    Some([0, 1, 2, 5, 6, 7].iter().filter_map(|&i| fields.get(i)).sum())
}

/// The 1-minute load average.
pub(crate) fn load_average() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg").ok()?.split_whitespace().next()?.parse().ok()
}

/// A `Name:   1234 kB` field of a `/proc/<pid>/status` text, in KiB.
fn status_kib(status: &str, name: &str) -> Option<u64> {
    status.lines().find_map(|line| {
        let value = line.strip_prefix(name)?.strip_prefix(':')?;
        value.trim().strip_suffix("kB")?.trim().parse().ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_field_is_read_in_kib() {
        let status = "Name:\tfloor\nVmPeak:\t   10000 kB\nVmHWM:\t    2048 kB\nVmRSS:\t    1024 kB\n";
        assert_eq!(status_kib(status, "VmHWM"), Some(2048));
        assert_eq!(status_kib(status, "VmRSS"), Some(1024));
        assert_eq!(status_kib(status, "VmSwap"), None);
    }

    #[test]
    fn stat_times_are_counted_after_the_command_name() {
        let stat = "4242 (a (weird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 37 5 0 0 20 0 3 0 1000 2000 300";
        assert_eq!(stat_ticks(stat), Some(42));
        assert_eq!(stat_ticks("garbage"), None);
    }

    #[test]
    fn machine_busy_leaves_out_idle_and_iowait() {
        let stat = "cpu  100 1 20 5000 7 2 3 4 0 0\ncpu0 50 0 10 2500 3 1 1 2 0 0\n";
        assert_eq!(machine_busy_ticks(stat), Some(100 + 1 + 20 + 2 + 3 + 4));
    }

    #[test]
    fn own_cpu_time_is_readable() {
        assert!(cpu_time(std::process::id()).is_ok());
    }

    #[test]
    fn own_peak_rss_is_positive() {
        assert!(peak_rss_bytes(std::process::id()).unwrap() > 0);
    }
}
