//! The pool's queue: one priority queue of ready jobs shared by every slot, ranked by [`Schedule`], and the
//! retries that wait out their backoff.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::time::Instant;

use zkstream_types::AggregationRound;

use super::{Reply, Schedule};
use crate::model::Job;

/// A job in the queue, with its rank and its attempt.
pub(super) struct Queued {
    /// Higher goes first ([`rank`]).
    pub(super) rank: (u64, u64),
    /// Arrival order, among equal ranks.
    pub(super) seq: u64,
    /// The attempt this will be (from 1).
    pub(super) attempt: u32,
    /// Not before this instant (a retry's backoff).
    pub(super) not_before: Instant,
    /// When it was first queued.
    pub(super) queued: Instant,
    /// The job.
    pub(super) job: Job,
    /// Where its result goes.
    pub(super) reply: Reply,
}

impl Queued {
    fn priority(&self) -> ((u64, u64), Reverse<u64>) {
        (self.rank, Reverse(self.seq))
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.priority() == other.priority()
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority().cmp(&other.priority())
    }
}

/// Ready jobs by priority, and retries waiting out their backoff.
#[derive(Default)]
pub(super) struct Queue {
    /// Ready now, highest priority on top.
    pub(super) ready: BinaryHeap<Queued>,
    /// Retries not yet due.
    pub(super) delayed: Vec<Queued>,
}

/// The queue rank of a job (higher goes first).
pub(super) fn rank(schedule: Schedule, batch: u64, round: AggregationRound) -> (u64, u64) {
    let older = u64::MAX - batch;
    let round = round.number() as u64;
    match schedule {
        Schedule::Latency => (older, round),
        Schedule::Throughput => (AggregationRound::Compression.number() as u64 - round, older),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AggregationRound::*;

    fn order(schedule: Schedule) -> Vec<(u64, AggregationRound)> {
        let mut jobs = vec![
            (2, Basic),
            (1, Basic),
            (1, Leaf),
            (2, Compression),
            (1, Node),
        ];
        jobs.sort_by_key(|&(b, r)| Reverse(rank(schedule, b, r)));
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
}
