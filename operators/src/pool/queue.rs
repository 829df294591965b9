//! The pool's queue: one priority queue of ready jobs shared by every slot, ranked by [`Schedule`], and the
//! retries that wait out their backoff.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Instant;

use super::work::{Rank, Work};
use super::{Reply, Schedule};

/// A job in the queue, with its rank and its attempt.
pub(super) struct Queued<W: Work> {
    /// Higher goes first ([`rank`]).
    pub(super) rank: (u64, u64, u64),
    /// Arrival order, among equal ranks.
    pub(super) seq: u64,
    /// The attempt this will be (from 1).
    pub(super) attempt: u32,
    /// Not before this instant (a retry's backoff).
    pub(super) not_before: Instant,
    /// When it was first queued.
    pub(super) queued: Instant,
    /// The job.
    pub(super) job: W,
    /// Where its result goes.
    pub(super) reply: Reply<W>,
}

impl<W: Work> Queued<W> {
    fn priority(&self) -> ((u64, u64, u64), Reverse<u64>) {
        (self.rank, Reverse(self.seq))
    }
}

impl<W: Work> PartialEq for Queued<W> {
    fn eq(&self, other: &Self) -> bool {
        self.priority() == other.priority()
    }
}
impl<W: Work> Eq for Queued<W> {}
impl<W: Work> PartialOrd for Queued<W> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl<W: Work> Ord for Queued<W> {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority().cmp(&other.priority())
    }
}

/// Ready jobs by priority, and retries waiting out their backoff.
pub(super) struct Queue<W: Work> {
    /// Ready now, highest priority on top.
    pub(super) ready: BinaryHeap<Queued<W>>,
    /// Retries not yet due.
    pub(super) delayed: Vec<Queued<W>>,
    /// Slots blocked on the pool's condition variable, or woken and not yet back on this lock: with
    /// none, a new job needs no wake-up, as every slot looks at the queue before it waits again.
    pub(super) waiting: usize,
}

impl<W: Work> Queue<W> {
    pub(super) fn new() -> Self {
        Queue {
            ready: BinaryHeap::new(),
            delayed: Vec::new(),
            waiting: 0,
        }
    }
}

/// The queue rank of a job (higher goes first).
pub(super) fn rank(schedule: Schedule, r: Rank) -> (u64, u64, u64) {
    let older = u64::MAX - r.scope;
    let stage = r.stage as u64;
    match schedule {
        Schedule::Latency => (older, stage, r.urgency),
        Schedule::Throughput => (u32::MAX as u64 - stage, older, r.urgency),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_types::AggregationRound;
    use AggregationRound::*;

    fn order(schedule: Schedule) -> Vec<(u64, AggregationRound)> {
        let mut jobs = vec![
            (2, Basic),
            (1, Basic),
            (1, Leaf),
            (2, Compression),
            (1, Node),
        ];
        jobs.sort_by_key(|&(b, r)| {
            Reverse(rank(
                schedule,
                Rank {
                    scope: b,
                    stage: r.number() as u32,
                    urgency: 0,
                },
            ))
        });
        jobs
    }

    #[test]
    fn latency_takes_the_oldest_batch_then_the_highest_round() {
        assert_eq!(
            order(Schedule::Latency),
            [
                (1, Node),
                (1, Leaf),
                (1, Basic),
                (2, Compression),
                (2, Basic)
            ]
        );
    }

    #[test]
    fn throughput_takes_the_critical_path_first() {
        assert_eq!(
            order(Schedule::Throughput),
            [
                (1, Basic),
                (2, Basic),
                (1, Leaf),
                (1, Node),
                (2, Compression)
            ]
        );
    }

    #[test]
    fn the_most_urgent_goes_first_within_a_scope_and_stage_only() {
        let r = |scope, stage, urgency| Rank {
            scope,
            stage,
            urgency,
        };
        for schedule in [Schedule::Latency, Schedule::Throughput] {
            let mut jobs = vec![r(1, 0, 5), r(1, 0, 9), r(1, 1, 0), r(2, 0, 100)];
            jobs.sort_by_key(|j| Reverse(rank(schedule, *j)));
            let expected = match schedule {
                Schedule::Latency => [r(1, 1, 0), r(1, 0, 9), r(1, 0, 5), r(2, 0, 100)],
                Schedule::Throughput => [r(1, 0, 9), r(1, 0, 5), r(2, 0, 100), r(1, 1, 0)],
            };
            assert_eq!(jobs, expected, "{schedule:?}");
        }
    }
}
