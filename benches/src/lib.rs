//! Helpers for the benches: peak-memory measurement.

/// Resets the kernel's peak-RSS counter of this process (Linux `clear_refs`); false elsewhere.
pub fn reset_peak_rss() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

/// Current resident set size of this process, in bytes (Linux `VmRSS`).
pub fn rss_bytes() -> Option<u64> {
    status_kb("VmRSS:")
}

fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Peak resident set size of this process since the last reset, in bytes (Linux `VmHWM`).
pub fn peak_rss_bytes() -> Option<u64> {
    status_kb("VmHWM:")
}
