//! `witness`: round 0 input. Splits each batch's requests by circuit type into basic circuit jobs of fixed
//! capacity (via the prover crate's native witness generation, which also computes every queue state) and
//! tells each job how many siblings its type has, so the chunk stage can count instead of waiting.

use timely::dataflow::operators::vec::Map;
use timely::dataflow::Stream;
use zkstream_prover::{witness_batch, TreeShape};
use zkstream_types::{AggregationRound, ArtifactKey, BatchInput};

use crate::model::{BatchFailure, BatchHeader, FailureStage, Job, JobKind};

/// The basic circuit jobs of a batch, in (type, index) order.
pub fn basic_jobs(batch: &BatchInput, shape: &TreeShape) -> Result<Vec<Job>, BatchFailure> {
    let witness = witness_batch(batch, shape).map_err(|e| BatchFailure {
        batch_number: batch.batch_number,
        stage: FailureStage::Witness,
        reason: e.to_string(),
    })?;
    let header = BatchHeader {
        batch_number: batch.batch_number,
        protocol_version: batch.protocol_version,
        previous_batch_commitment: batch.previous_batch_commitment,
    };
    let mut jobs = Vec::with_capacity(witness.basic_count());
    for (t, list) in witness.jobs {
        let siblings = list.len() as u32;
        for job in list {
            jobs.push(Job {
                key: ArtifactKey {
                    protocol_version: batch.protocol_version,
                    batch: batch.batch_number,
                    round: AggregationRound::Basic,
                    circuit: Some(t),
                    depth: 0,
                    index: job.index as u32,
                },
                header,
                ranges: vec![job.range],
                siblings,
                kind: JobKind::Basic(job),
            });
        }
    }
    Ok(jobs)
}

/// Witness generation as an operator.
pub trait WitnessExt<'scope> {
    /// Each batch becomes its basic jobs, or one failure if it cannot be split (too large for the tree).
    fn witness(self, shape: TreeShape) -> Stream<'scope, u64, Vec<Result<Job, BatchFailure>>>;
}

impl<'scope> WitnessExt<'scope> for Stream<'scope, u64, Vec<BatchInput>> {
    fn witness(self, shape: TreeShape) -> Stream<'scope, u64, Vec<Result<Job, BatchFailure>>> {
        self.flat_map(move |batch| {
            let span = tracing::info_span!("witness", batch = batch.batch_number);
            let _enter = span.enter();
            match basic_jobs(&batch, &shape) {
                Ok(jobs) => {
                    tracing::debug!(jobs = jobs.len(), "basic jobs");
                    jobs.into_iter().map(Ok).collect::<Vec<_>>()
                }
                Err(f) => vec![Err(f)],
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_prover::sample::{sample_batch, SampleSize};
    use zkstream_types::{Digest, REAL_TYPES};

    #[test]
    fn jobs_cover_every_request_in_queue_order_and_count_siblings() {
        let shape = TreeShape::default();
        let batch = sample_batch(3, 11, 1, &Digest::default(), SampleSize::default());
        let jobs = basic_jobs(&batch, &shape).unwrap();
        for t in REAL_TYPES {
            let of_t: Vec<_> = jobs.iter().filter(|j| j.key.circuit == Some(t)).collect();
            assert!(!of_t.is_empty(), "every type has at least one basic job");
            for (i, j) in of_t.iter().enumerate() {
                assert_eq!(j.key.index as usize, i);
                assert_eq!(j.siblings as usize, of_t.len());
                assert_eq!(j.header.batch_number, 3);
            }
            for pair in of_t.windows(2) {
                assert_eq!(pair[0].ranges[0].end, pair[1].ranges[0].start);
            }
            let requests: usize = of_t
                .iter()
                .map(|j| match &j.kind {
                    JobKind::Basic(b) => b.requests.len(),
                    _ => 0,
                })
                .sum();
            assert_eq!(requests, batch.queue(t).count());
        }
    }

    #[test]
    fn too_large_batch_is_a_failure_not_a_panic() {
        let shape = TreeShape {
            poseidon2_capacity: 1,
            sha256_capacity: 1,
            arity: 2,
            node_depth: 1,
        };
        let batch = sample_batch(1, 5, 1, &Digest::default(), SampleSize::default());
        let err = basic_jobs(&batch, &shape).unwrap_err();
        assert_eq!(err.stage, FailureStage::Witness);
        assert!(err.reason.contains("basic circuits"), "{}", err.reason);
    }
}
