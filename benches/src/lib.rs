//! Helpers for the benches: peak-memory measurement and a one-shot per-layer report.

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

/// One finished job of a pipeline run, as the lower bound needs it.
#[derive(Clone, Debug)]
pub struct TimedJob<K> {
    /// The job's identity.
    pub key: K,
    /// The jobs it depends on.
    pub children: Vec<K>,
    /// How long it ran.
    pub seconds: f64,
}

/// The DAG lower bound of a run: no schedule on `slots` slots finishes before
/// `max(total work / slots, critical path)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LowerBound {
    /// Sum of every job's time.
    pub total_work: f64,
    /// The longest dependency chain (sum of job times along it).
    pub critical_path: f64,
    /// `max(total_work / slots, critical_path)`.
    pub bound: f64,
}

/// Computes the lower bound from measured job times. Children missing from `jobs` count as 0.
pub fn dag_lower_bound<K: Ord + Clone>(jobs: &[TimedJob<K>], slots: usize) -> LowerBound {
    use std::collections::BTreeMap;
    let by_key: BTreeMap<&K, &TimedJob<K>> = jobs.iter().map(|j| (&j.key, j)).collect();
    let mut finish: BTreeMap<&K, f64> = BTreeMap::new();
    fn earliest<'a, K: Ord>(
        k: &'a K,
        by_key: &BTreeMap<&'a K, &'a TimedJob<K>>,
        finish: &mut BTreeMap<&'a K, f64>,
    ) -> f64 {
        if let Some(f) = finish.get(k) {
            return *f;
        }
        let Some(job) = by_key.get(k) else {
            return 0.0;
        };
        let ready = job
            .children
            .iter()
            .map(|c| earliest(c, by_key, finish))
            .fold(0.0, f64::max);
        let f = ready + job.seconds;
        finish.insert(k, f);
        f
    }
    let critical_path = jobs
        .iter()
        .map(|j| earliest(&j.key, &by_key, &mut finish))
        .fold(0.0, f64::max);
    let total_work: f64 = jobs.iter().map(|j| j.seconds).sum();
    LowerBound {
        total_work,
        critical_path,
        bound: (total_work / slots.max(1) as f64).max(critical_path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(key: u32, children: &[u32], seconds: f64) -> TimedJob<u32> {
        TimedJob {
            key,
            children: children.to_vec(),
            seconds,
        }
    }

    #[test]
    fn lower_bound_is_the_larger_of_work_per_slot_and_critical_path() {
        // 1,2 → 3 → 4 and an independent 5.
        let jobs = [
            job(1, &[], 2.0),
            job(2, &[], 3.0),
            job(3, &[1, 2], 4.0),
            job(4, &[3], 1.0),
            job(5, &[], 6.0),
        ];
        let one = dag_lower_bound(&jobs, 1);
        assert_eq!(one.total_work, 16.0);
        assert_eq!(one.critical_path, 8.0);
        assert_eq!(one.bound, 16.0);
        let four = dag_lower_bound(&jobs, 4);
        assert_eq!(four.bound, 8.0, "the chain 2 → 3 → 4 dominates");
    }
}
