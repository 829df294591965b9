//! Yardsticks for a run's makespan, computed in memory over a [`BatchGraph`] on `slots` identical
//! slots: a lower bound no orchestrator can beat; an offline critical-path-first list schedule (what a
//! perfect online orchestrator could approach); and the graph released by the rules of other
//! orchestrators (`Release`), each job then taken by zkstream's pool order (oldest batch first, then
//! the highest round, then the most urgent: the longest chain ahead of it).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use serde::{Deserialize, Serialize};
use zkstream_types::{AggregationRound, Release};

use crate::graph::{BatchGraph, JobId};
use crate::release::Releaser;

/// The parts of the lower bound (modeled seconds). Each part holds for every arrival time `a` of the
/// graph's jobs ([`crate::SimJob::arrival_s`]) over the jobs arriving at `a` or later; the largest is
/// taken (with every job arriving at 0, the plain bounds).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// `a` + the jobs' durations over the slots.
    pub work_s: f64,
    /// The longest chain of jobs (a basic proof up to the compression), from its arrival.
    pub critical_path_s: f64,
    /// `a` + the basic jobs' durations over the slots, then the shortest chain that must still follow
    /// the last of them.
    pub basic_then_tail_s: f64,
    /// The largest of the three.
    pub lower_bound_s: f64,
}

/// A lower bound of any schedule's makespan of `graph` on `slots` slots, no job starting before it
/// arrives.
pub fn lower_bound(graph: &BatchGraph, slots: usize) -> Bounds {
    let slots = slots.max(1) as f64;
    let bottom = graph.bottom_levels();
    let parents = graph.parents();
    let critical_path_s = graph
        .jobs
        .iter()
        .zip(&bottom)
        .map(|(j, b)| j.arrival_s + b)
        .fold(0.0, f64::max);
    // Latest arrival first, so that each arrival time sees the sums over the jobs arriving then or
    // later.
    let mut order: Vec<usize> = (0..graph.jobs.len()).collect();
    order.sort_by(|&a, &b| graph.jobs[b].arrival_s.total_cmp(&graph.jobs[a].arrival_s));
    let (mut work, mut basic_work, mut tail) = (0.0f64, 0.0f64, f64::INFINITY);
    let (mut work_s, mut basic_then_tail_s) = (0.0f64, 0.0f64);
    for (k, &i) in order.iter().enumerate() {
        let job = &graph.jobs[i];
        work += job.duration_s;
        if job.key.round == AggregationRound::Basic {
            basic_work += job.duration_s;
            if let Some(p) = parents[i] {
                tail = tail.min(bottom[p.0 as usize]);
            }
        }
        // Once every job of this arrival time is in.
        let next = order.get(k + 1).map(|&n| graph.jobs[n].arrival_s);
        if next != Some(job.arrival_s) {
            work_s = work_s.max(job.arrival_s + work / slots);
            let after = if tail.is_finite() { tail } else { 0.0 };
            basic_then_tail_s = basic_then_tail_s.max(job.arrival_s + basic_work / slots + after);
        }
    }
    Bounds {
        work_s,
        critical_path_s,
        basic_then_tail_s,
        lower_bound_s: work_s.max(critical_path_s).max(basic_then_tail_s),
    }
}

/// When each job started, and the makespan (modeled seconds).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Start time of each job, by [`JobId`].
    pub start_s: Vec<f64>,
    /// When the last job ended.
    pub makespan_s: f64,
}

impl Timeline {
    /// Checks the schedule against the graph: no job starts before it arrives or before its children
    /// end, and at no time do more than `slots` jobs run. Says what is wrong.
    pub fn check(&self, graph: &BatchGraph, slots: usize) -> Result<(), String> {
        const EPS: f64 = 1e-9;
        if self.start_s.len() != graph.jobs.len() {
            return Err(format!(
                "{} start times for {} jobs",
                self.start_s.len(),
                graph.jobs.len()
            ));
        }
        if let Some(j) = self
            .start_s
            .iter()
            .position(|s| !(s.is_finite() && *s >= 0.0))
        {
            return Err(format!("job {j} never started ({})", self.start_s[j]));
        }
        let end = |j: usize| self.start_s[j] + graph.jobs[j].duration_s;
        for (i, job) in graph.jobs.iter().enumerate() {
            if self.start_s[i] + EPS < job.arrival_s {
                return Err(format!(
                    "job {i} starts at {} before it arrives at {}",
                    self.start_s[i], job.arrival_s
                ));
            }
            for c in &job.children {
                if self.start_s[i] + EPS < end(c.0 as usize) {
                    return Err(format!("job {i} starts before its child {} ends", c.0));
                }
            }
        }
        // Ends before starts at the same instant: a slot freed at t is free for a job starting at t.
        let mut events: Vec<(f64, i32)> = (0..graph.jobs.len())
            .flat_map(|j| [(self.start_s[j], 1), (end(j) - EPS, -1)])
            .collect();
        events.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let mut running = 0i64;
        for (t, delta) in events {
            running += i64::from(delta);
            if running > slots as i64 {
                return Err(format!("{running} jobs run at {t:.3} s on {slots} slots"));
            }
        }
        let last = (0..graph.jobs.len()).map(end).fold(0.0, f64::max);
        if (last - self.makespan_s).abs() > 1e-6 {
            return Err(format!(
                "makespan {} but the last job ends at {last}",
                self.makespan_s
            ));
        }
        Ok(())
    }
}

/// The offline critical-path-first list schedule: whenever a slot is free, it takes the ready job
/// with the longest chain still ahead of it (its own duration included).
pub fn offline_schedule(graph: &BatchGraph, slots: usize) -> Timeline {
    let bottom = graph.bottom_levels();
    simulate(graph, slots, Release::Streaming, |j, _released| {
        (bottom[j.0 as usize], 0.0)
    })
}

/// The graph released by `release`, each free slot taking the ready job of the oldest batch, then
/// the highest round, then the most urgent (the longest chain ahead of it), then the lowest id:
/// zkstream's pool order under its default schedule (`operators/src/pool/queue.rs`, a simulated
/// job's urgency being its chain ahead).
pub fn release_schedule(graph: &BatchGraph, slots: usize, release: Release) -> Timeline {
    let bottom = graph.bottom_levels();
    simulate(graph, slots, release, |j, _released| {
        let key = &graph.jobs[j.0 as usize].key;
        // Rounds number below 256: the batch outranks the round.
        (
            -(key.batch as f64) * 256.0 + f64::from(key.round.number()),
            bottom[j.0 as usize],
        )
    })
}

/// A float ordered totally (times and priorities are finite).
#[derive(Clone, Copy, PartialEq)]
struct Total(f64);
impl Eq for Total {}
impl PartialOrd for Total {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Total {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// Released jobs waiting for a slot: (priority, secondary priority, lowest id first).
type Ready = BinaryHeap<(Total, Total, std::cmp::Reverse<u32>)>;

/// An event-driven list schedule. A job becomes *released* by the rule; a free slot takes the
/// released job of the highest `priority(job, released_at)`, ties to the lowest id.
fn simulate(
    graph: &BatchGraph,
    slots: usize,
    release: Release,
    priority: impl Fn(JobId, f64) -> (f64, f64),
) -> Timeline {
    let n = graph.jobs.len();
    let mut releaser = Releaser::new(graph, release);
    let mut start_s = vec![f64::NAN; n];
    // Released, waiting for a slot: highest priority first, then the lowest id.
    let mut ready: Ready = BinaryHeap::new();
    // Released at a later time (zkSync's next poll), earliest first.
    let mut later: BinaryHeap<std::cmp::Reverse<(Total, u32)>> = BinaryHeap::new();
    // Running, earliest end first.
    let mut running: BinaryHeap<std::cmp::Reverse<(Total, u32)>> = BinaryHeap::new();
    let push_ready = |ready: &mut Ready, j: u32, at: f64| {
        let (a, b) = priority(JobId(j), at);
        ready.push((Total(a), Total(b), std::cmp::Reverse(j)));
    };
    // A job without children is released when its batch arrives.
    for j in releaser.initial() {
        let at = graph.jobs[j.0 as usize].arrival_s;
        if at <= 0.0 {
            push_ready(&mut ready, j.0, 0.0);
        } else {
            later.push(std::cmp::Reverse((Total(at), j.0)));
        }
    }
    let mut now = 0.0f64;
    let mut makespan = 0.0f64;
    loop {
        while running.len() < slots.max(1) {
            let Some((_, _, std::cmp::Reverse(j))) = ready.pop() else {
                break;
            };
            start_s[j as usize] = now;
            let end = now + graph.jobs[j as usize].duration_s;
            running.push(std::cmp::Reverse((Total(end), j)));
        }
        let next_end = running.peek().map(|r| (r.0).0 .0);
        let next_release = later.peek().map(|r| (r.0).0 .0);
        now = match (next_end, next_release) {
            (None, None) => break,
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
        };
        while later.peek().is_some_and(|r| (r.0).0 .0 <= now) {
            if let Some(std::cmp::Reverse((at, j))) = later.pop() {
                push_ready(&mut ready, j, at.0);
            }
        }
        while running.peek().is_some_and(|r| (r.0).0 .0 <= now) {
            let Some(std::cmp::Reverse((_, c))) = running.pop() else {
                break;
            };
            makespan = makespan.max(now);
            for (q, at) in releaser.finished(JobId(c), now) {
                // Released now (a barrier, or a level done exactly on a tick): ready at once, so it
                // competes with what is already waiting.
                if at <= now {
                    push_ready(&mut ready, q.0, now);
                } else {
                    later.push(std::cmp::Reverse((Total(at), q.0)));
                }
            }
        }
    }
    Timeline {
        start_s,
        makespan_s: makespan,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::workload::{Durations, TypeLoad, Workload};

    fn random_workload() -> impl Strategy<Value = Workload> {
        (
            prop::collection::vec((1u32..80, 0.1f64..3.0), 1..6),
            2u32..6,
            0.0f64..0.5,
            prop::array::uniform5(0.1f64..4.0),
        )
            .prop_map(|(types, arity, jitter, d)| Workload {
                name: "random".into(),
                arity,
                jitter,
                durations: Durations {
                    leaf_s: d[0],
                    node_s: d[1],
                    tip_s: d[2],
                    scheduler_s: d[3],
                    compression_s: d[4],
                },
                types: types
                    .into_iter()
                    .enumerate()
                    .map(|(i, (basic, basic_s))| TypeLoad {
                        name: format!("t{i}"),
                        basic,
                        basic_s,
                    })
                    .collect(),
            })
    }

    proptest! {
        /// Every schedule is valid (precedence, capacity), runs every job, and ends no earlier than
        /// the lower bound; the offline and streaming ones, list schedules of the graph, end no later
        /// than Graham's bound (work / slots + critical path).
        #[test]
        fn schedules_are_valid_and_between_the_bounds(
            w in random_workload(), slots in 1usize..40, seed in any::<u64>()
        ) {
            let g = BatchGraph::build(&w, 1, seed).unwrap();
            let b = lower_bound(&g, slots);
            let graham = b.work_s + b.critical_path_s;
            let offline = offline_schedule(&g, slots);
            prop_assert!(offline.check(&g, slots).is_ok(), "{:?}", offline.check(&g, slots));
            prop_assert!(offline.start_s.iter().all(|s| s.is_finite()));
            prop_assert!(offline.makespan_s >= b.lower_bound_s - 1e-9);
            prop_assert!(offline.makespan_s <= graham + 1e-9);
            for release in Release::ALL {
                let s = release_schedule(&g, slots, release);
                prop_assert!(s.check(&g, slots).is_ok(), "{release:?}: {:?}", s.check(&g, slots));
                prop_assert!(s.start_s.iter().all(|s| s.is_finite()));
                prop_assert!(s.makespan_s >= b.lower_bound_s - 1e-9);
                // Barriers hold jobs back while slots idle: only streaming is a list schedule of
                // this graph.
                if release == Release::Streaming {
                    prop_assert!(s.makespan_s <= graham + 1e-9);
                }
            }
        }

        /// With a slot for every job, streaming release ends at the critical path, and zkSync's
        /// release never ends earlier than the barrier's.
        #[test]
        fn with_unlimited_slots_streaming_meets_the_critical_path(
            w in random_workload(), seed in any::<u64>()
        ) {
            let g = BatchGraph::build(&w, 1, seed).unwrap();
            let slots = g.jobs.len();
            let b = lower_bound(&g, slots);
            let s = release_schedule(&g, slots, Release::Streaming);
            prop_assert!((s.makespan_s - b.critical_path_s).abs() < 1e-6);
            let barrier = release_schedule(&g, slots, Release::Barrier).makespan_s;
            let zksync = release_schedule(&g, slots, Release::Zksync).makespan_s;
            prop_assert!(barrier >= s.makespan_s - 1e-9);
            prop_assert!(zksync >= barrier - 1e-9);
        }

        /// A stream of batches arriving one `interval` apart: every schedule is valid (no job before
        /// its batch arrives) and ends no earlier than the lower bound; with a slot for every job each
        /// release rule ends when the latest-ending batch would alone (no barrier across batches).
        #[test]
        fn a_stream_is_scheduled_from_each_batch_s_arrival(
            w in random_workload(),
            slots in 1usize..40,
            batches in 1u64..5,
            interval in prop_oneof![Just(0.0f64), 0.0f64..60.0],
            seed in any::<u64>()
        ) {
            let graphs: Vec<BatchGraph> =
                (1..=batches).map(|n| BatchGraph::build(&w, n, seed).unwrap()).collect();
            let g = BatchGraph::stream(&graphs, interval);
            let b = lower_bound(&g, slots);
            let offline = offline_schedule(&g, slots);
            prop_assert!(offline.check(&g, slots).is_ok(), "{:?}", offline.check(&g, slots));
            prop_assert!(offline.makespan_s >= b.lower_bound_s - 1e-9);
            for release in Release::ALL {
                let s = release_schedule(&g, slots, release);
                prop_assert!(s.check(&g, slots).is_ok(), "{release:?}: {:?}", s.check(&g, slots));
                prop_assert!(s.makespan_s >= b.lower_bound_s - 1e-9);
                // Unlimited slots: batch i alone, shifted to its arrival. zkSync's polls are
                // absolute, so only the rules without polls shift exactly.
                let all = release_schedule(&g, g.jobs.len(), release).makespan_s;
                if release != Release::Zksync {
                    let alone = graphs
                        .iter()
                        .enumerate()
                        .map(|(i, one)| {
                            i as f64 * interval
                                + release_schedule(one, one.jobs.len(), release).makespan_s
                        })
                        .fold(0.0, f64::max);
                    prop_assert!((all - alone).abs() < 1e-6, "{release:?}: {all} vs {alone}");
                }
            }
        }
    }

    #[test]
    fn a_batch_arriving_after_the_last_one_is_done_adds_its_own_makespan() {
        let w = Workload::small();
        let graphs: Vec<BatchGraph> = (1..=2)
            .map(|n| BatchGraph::build(&w, n, 7).unwrap())
            .collect();
        // Later than batch 1 needs alone, and a multiple of zkSync's poll.
        let interval = 100.0 * Release::POLL_S;
        let g = BatchGraph::stream(&graphs, interval);
        for release in Release::ALL {
            let first = release_schedule(&graphs[0], 4, release).makespan_s;
            assert!(first < interval, "{release:?}: {first}");
            let second = release_schedule(&graphs[1], 4, release).makespan_s;
            let s = release_schedule(&g, 4, release);
            assert!(
                (s.makespan_s - (interval + second)).abs() < 1e-6,
                "{release:?}"
            );
        }
        let b = lower_bound(&g, 4);
        let alone = lower_bound(&graphs[1], 4);
        assert!((b.lower_bound_s - (interval + alone.lower_bound_s)).abs() < 1e-6);
    }

    #[test]
    fn zksync_release_starts_recursion_only_on_poll_ticks() {
        let g = BatchGraph::build(&Workload::small(), 1, 3).unwrap();
        let s = release_schedule(&g, 4, Release::Zksync);
        for (i, job) in g.jobs.iter().enumerate() {
            if job.key.round != AggregationRound::Basic {
                // A job starts at its poll tick or later, never between its children's end and the tick.
                let ready = job
                    .children
                    .iter()
                    .map(|c| s.start_s[c.0 as usize] + g.jobs[c.0 as usize].duration_s)
                    .fold(0.0, f64::max);
                assert!(s.start_s[i] >= (ready / Release::POLL_S).ceil() * Release::POLL_S - 1e-9);
            }
        }
    }
}
