//! `schedule`: turns a batch's recursion tip reference into its scheduler job. The scheduler binds the
//! batch number, previous batch commitment, protocol version, per-type ranges and the VK-set commitment
//! (its public input is the batch commitment); all of it travels in the reference's header and ranges.

use timely::dataflow::operators::vec::Map;
use timely::dataflow::Stream;
use zkstream_types::{AggregationRound, ArtifactKey};

use crate::model::{Job, JobKind, ProofRef};

/// The scheduler job over a tip reference.
pub fn scheduler_job(tip: ProofRef) -> Job {
    Job {
        key: ArtifactKey {
            round: AggregationRound::Scheduler,
            ..tip.key
        },
        header: tip.header,
        ranges: tip.ranges.clone(),
        siblings: 1,
        kind: JobKind::Scheduler(tip),
    }
}

/// The scheduler stage as an operator.
pub trait SchedulerExt<'scope> {
    /// Tip references in, scheduler jobs out.
    fn schedule(self) -> Stream<'scope, u64, Vec<Job>>;
}

impl<'scope> SchedulerExt<'scope> for Stream<'scope, u64, Vec<ProofRef>> {
    fn schedule(self) -> Stream<'scope, u64, Vec<Job>> {
        self.map(scheduler_job)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BatchHeader;
    use zkstream_types::{Digest, QueueRange, REAL_TYPES};

    #[test]
    fn scheduler_job_keeps_the_batch_and_every_range() {
        let ranges: Vec<QueueRange> = REAL_TYPES
            .iter()
            .map(|&t| QueueRange {
                circuit: t,
                start: Digest::default(),
                end: Digest([t.id() as u64; 4]),
                count: 2,
            })
            .collect();
        let tip = ProofRef {
            key: ArtifactKey {
                protocol_version: 2,
                batch: 6,
                round: AggregationRound::RecursionTip,
                circuit: None,
                depth: 0,
                index: 0,
            },
            header: BatchHeader {
                batch_number: 6,
                protocol_version: 2,
                previous_batch_commitment: Digest([3; 4]),
            },
            ranges: ranges.clone(),
            siblings: 1,
        };
        let job = scheduler_job(tip.clone());
        assert_eq!(job.key.round, AggregationRound::Scheduler);
        assert_eq!((job.key.batch, job.key.protocol_version), (6, 2));
        assert_eq!(job.ranges, ranges);
        assert_eq!(job.header, tip.header);
        assert_eq!(job.kind, JobKind::Scheduler(tip));
    }
}
