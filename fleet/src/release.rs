//! When a job of a [`BatchGraph`] may start, by a [`Release`] rule: a pure state machine that both the
//! in-memory schedules (`schedule.rs`) and the simulated dataflow (`operators/src/simulated.rs`) drive,
//! so that the yardsticks and the measured run release jobs by the same rule.
//!
//! - `streaming`: a job is released once its own children are done.
//! - `barrier`: once every job of its children's level (one round, type and depth) is done.
//! - `zksync`: as `barrier`, then at the next multiple of [`Release::POLL_S`] modeled seconds (the job
//!   monitor's poll).

use zkstream_types::{CircuitType, Release};

use crate::graph::{BatchGraph, JobId};

/// A level: the jobs of one batch's (round, type, depth); the tip, scheduler and compression are one
/// each. The batch is part of it so that a stream's graph ([`BatchGraph::stream`]) has no barrier
/// across batches.
type Level = (u64, u8, Option<CircuitType>, u32);

/// The release state of one batch's graph.
#[derive(Clone, Debug)]
pub struct Releaser {
    release: Release,
    parents: Vec<Option<JobId>>,
    level: Vec<usize>,
    level_left: Vec<usize>,
    level_parents: Vec<Vec<u32>>,
    children_left: Vec<usize>,
    done: Vec<bool>,
    left: usize,
}

impl Releaser {
    /// The state before any job ran.
    pub fn new(graph: &BatchGraph, release: Release) -> Self {
        let n = graph.jobs.len();
        let parents = graph.parents();
        let level_of: Vec<Level> = graph
            .jobs
            .iter()
            .map(|j| {
                (
                    j.key.batch,
                    j.key.round.number(),
                    j.key.circuit,
                    j.key.depth,
                )
            })
            .collect();
        let mut levels: Vec<Level> = level_of.clone();
        levels.sort();
        levels.dedup();
        let level: Vec<usize> = level_of
            .iter()
            .map(|l| levels.binary_search(l).unwrap_or(0))
            .collect();
        let mut level_left = vec![0usize; levels.len()];
        let mut level_parents: Vec<Vec<u32>> = vec![Vec::new(); levels.len()];
        for i in 0..n {
            level_left[level[i]] += 1;
            if let Some(p) = parents[i] {
                level_parents[level[i]].push(p.0);
            }
        }
        for lp in &mut level_parents {
            lp.sort_unstable();
            lp.dedup();
        }
        Releaser {
            release,
            parents,
            level,
            level_left,
            level_parents,
            children_left: graph.jobs.iter().map(|j| j.children.len()).collect(),
            done: vec![false; n],
            left: n,
        }
    }

    /// The jobs without children (the basic jobs): released when their batch arrives (at once in
    /// one batch's graph; a stream's are held until `arrival_s` by whoever drives this).
    pub fn initial(&self) -> Vec<JobId> {
        (0..self.children_left.len() as u32)
            .filter(|&j| self.children_left[j as usize] == 0)
            .map(JobId)
            .collect()
    }

    /// Job `job` finished at modeled time `now_s`: the jobs this releases, each with the modeled time
    /// it is released at (`now_s`, or zkSync's next poll). A job reported twice releases nothing
    /// the second time.
    pub fn finished(&mut self, job: JobId, now_s: f64) -> Vec<(JobId, f64)> {
        let c = job.0 as usize;
        if c >= self.done.len() || self.done[c] {
            return Vec::new();
        }
        self.done[c] = true;
        self.left -= 1;
        let Some(p) = self.parents[c] else {
            return Vec::new();
        };
        self.children_left[p.0 as usize] -= 1;
        self.level_left[self.level[c]] -= 1;
        match self.release {
            Release::Streaming => {
                if self.children_left[p.0 as usize] == 0 {
                    vec![(p, now_s)]
                } else {
                    Vec::new()
                }
            }
            Release::Barrier | Release::Zksync => {
                if self.level_left[self.level[c]] != 0 {
                    return Vec::new();
                }
                let at = if self.release == Release::Barrier {
                    now_s
                } else {
                    (now_s / Release::POLL_S).ceil() * Release::POLL_S
                };
                self.level_parents[self.level[c]]
                    .iter()
                    .filter(|&&q| self.children_left[q as usize] == 0)
                    .map(|&q| (JobId(q), at))
                    .collect()
            }
        }
    }

    /// Jobs not finished yet.
    pub fn left(&self) -> usize {
        self.left
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::Workload;

    /// Under every rule, finishing jobs as they are released releases each job exactly once, children
    /// first, and ends with the root.
    #[test]
    fn every_job_is_released_once_after_its_children() {
        let graph = BatchGraph::build(&Workload::small(), 1, 3).unwrap();
        for release in [Release::Streaming, Release::Barrier, Release::Zksync] {
            let mut r = Releaser::new(&graph, release);
            let mut released = vec![0u32; graph.jobs.len()];
            let mut queue: Vec<(JobId, f64)> = r.initial().into_iter().map(|j| (j, 0.0)).collect();
            let mut finished = vec![false; graph.jobs.len()];
            let mut t = 0.0;
            while let Some((j, at)) = queue.pop() {
                released[j.0 as usize] += 1;
                for c in &graph.jobs[j.0 as usize].children {
                    assert!(finished[c.0 as usize], "{release:?}: child before parent");
                }
                t = f64::max(t, at) + 1.0;
                finished[j.0 as usize] = true;
                queue.extend(r.finished(j, t));
                assert!(
                    r.finished(j, t).is_empty(),
                    "a second report releases nothing"
                );
            }
            assert!(released.iter().all(|&n| n == 1), "{release:?}");
            assert_eq!(r.left(), 0);
            assert!(finished[graph.root().0 as usize]);
        }
    }

    #[test]
    fn zksync_releases_at_the_next_poll() {
        let graph = BatchGraph::build(&Workload::small(), 1, 3).unwrap();
        let mut r = Releaser::new(&graph, Release::Zksync);
        let mut out = Vec::new();
        for j in r.initial() {
            out.extend(r.finished(j, 12.5));
        }
        assert!(!out.is_empty());
        assert!(out.iter().all(|&(_, at)| at == 20.0), "{out:?}");
    }
}
