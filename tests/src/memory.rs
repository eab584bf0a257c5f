//! Reading a process's memory use from `/proc/<pid>/status` (Linux only),
//! for tests that check the server does not grow.

/// A process's resident memory, as the kernel reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryStatus {
    /// Resident set size now (`VmRSS`), in KiB.
    pub rss_kib: u64,
    /// The most the resident set ever was (`VmHWM`), in KiB.
    pub peak_kib: u64,
}

/// The memory use of process `pid`.
///
/// # Errors
/// When `/proc/<pid>/status` cannot be read or lacks `VmRSS` or `VmHWM`
/// (the process has exited, or this is not Linux).
pub fn memory_status(pid: u32) -> std::io::Result<MemoryStatus> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse_status(&status).ok_or_else(|| std::io::Error::other(format!("no VmRSS or VmHWM for process {pid}")))
}

fn parse_status(status: &str) -> Option<MemoryStatus> {
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find_map(|line| line.strip_prefix(name)?.strip_prefix(':'))?;
        line.trim().strip_suffix("kB")?.trim().parse().ok()
    };
    Some(MemoryStatus { rss_kib: field("VmRSS")?, peak_kib: field("VmHWM")? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rss_and_peak_in_kib() {
        let status = "Name:\tmcpwire\nVmPeak:\t  100 kB\nVmHWM:\t    9000 kB\nVmRSS:\t    8192 kB\nThreads:\t3\n";
        assert_eq!(parse_status(status), Some(MemoryStatus { rss_kib: 8192, peak_kib: 9000 }));
    }

    #[test]
    fn a_status_without_rss_is_none() {
        assert_eq!(parse_status("Name:\tkthreadd\nVmHWM:\t0 kB\n"), None);
    }

    #[test]
    fn this_process_has_a_resident_set() {
        let status = memory_status(std::process::id()).unwrap();
        assert!(status.rss_kib > 0 && status.peak_kib >= status.rss_kib, "{status:?}");
    }
}
