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
