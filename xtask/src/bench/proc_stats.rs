//! What the kernel says about a server process: its peak resident set size,
//! read from `/proc/<pid>/status`. Linux only, like the benchmark.

use anyhow::{Context, Result};

/// `VmHWM` of `pid` in bytes: the high-water mark of its resident set, which the
/// kernel keeps for the process's whole life, so one read after the work is the
/// peak during it.
pub(crate) fn peak_rss_bytes(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    status_kib(&status, "VmHWM").map(|kib| kib * 1024).with_context(|| format!("no VmHWM in {path}"))
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
    fn own_peak_rss_is_positive() {
        assert!(peak_rss_bytes(std::process::id()).unwrap() > 0);
    }
}
