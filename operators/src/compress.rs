//! `compress` and `finalize`: the scheduler reference becomes the compression job, and the compression
//! reference becomes the batch's [`FinalBatchProof`] record (read back from the artifact store, the
//! bytes the sinks deliver).

use timely::dataflow::operators::vec::Map;
use timely::dataflow::Stream;
use zkstream_types::{AggregationRound, Artifact, ArtifactKey, Digest, FinalBatchProof};

use crate::model::{BatchFailure, BatchOutcome, FailureStage, Job, JobKind, ProofRef};
use crate::store::ArtifactStore;

/// The compression job over a scheduler reference.
pub fn compression_job(scheduler: ProofRef) -> Job {
    Job {
        key: ArtifactKey {
            round: AggregationRound::Compression,
            ..scheduler.key
        },
        header: scheduler.header,
        ranges: scheduler.ranges.clone(),
        siblings: 1,
        kind: JobKind::Compression(scheduler),
    }
}

/// What finalizing needs besides the store: the pinned VK-set commitment and the proof profile's name.
#[derive(Clone, Debug)]
pub struct FinalizeContext {
    /// Where the compression artifact is.
    pub store: ArtifactStore,
    /// The VK-set commitment the scheduler bound.
    pub vk_set_commitment: Digest,
    /// The proof profile the keys use.
    pub proof_profile: String,
}

/// The final proof record of a compression reference.
pub fn finalize(ctx: &FinalizeContext, r: &ProofRef) -> BatchOutcome {
    let fail = |reason: String| BatchFailure {
        batch_number: r.header.batch_number,
        stage: FailureStage::Finalize,
        reason,
    };
    let artifact: Artifact = ctx
        .store
        .get(&r.key)
        .map_err(|e| fail(e.to_string()))?
        .ok_or_else(|| fail(format!("artifact {} is missing", r.key)))?;
    Ok(FinalBatchProof {
        batch_number: r.header.batch_number,
        protocol_version: r.header.protocol_version,
        previous_batch_commitment: r.header.previous_batch_commitment,
        batch_commitment: artifact.public_input,
        aggregation_result_coords: r.ranges.clone(),
        vk_set_commitment: ctx.vk_set_commitment,
        proof_profile: ctx.proof_profile.clone(),
        proof: artifact.proof,
    })
}

/// The compression stage as operators.
pub trait CompressExt<'scope> {
    /// Scheduler references in, compression jobs out.
    fn compress(self) -> Stream<'scope, u64, Vec<Job>>;
    /// Compression references in, batch outcomes out.
    fn finalize(self, ctx: FinalizeContext) -> Stream<'scope, u64, Vec<BatchOutcome>>;
}

impl<'scope> CompressExt<'scope> for Stream<'scope, u64, Vec<ProofRef>> {
    fn compress(self) -> Stream<'scope, u64, Vec<Job>> {
        self.map(compression_job)
    }

    fn finalize(self, ctx: FinalizeContext) -> Stream<'scope, u64, Vec<BatchOutcome>> {
        self.map(move |r| finalize(&ctx, &r))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BatchHeader;
    use crate::scheduler::scheduler_job;
    use zkstream_types::{Artifact, CircuitType, QueueRange};

    fn tip() -> ProofRef {
        ProofRef {
            key: ArtifactKey {
                protocol_version: 3,
                batch: 9,
                round: AggregationRound::RecursionTip,
                circuit: None,
                depth: 0,
                index: 0,
            },
            header: BatchHeader {
                batch_number: 9,
                protocol_version: 3,
                previous_batch_commitment: Digest([7; 4]),
            },
            ranges: CircuitType::ALL
                .iter()
                .map(|&t| QueueRange {
                    circuit: t,
                    start: Digest::default(),
                    end: Digest([1; 4]),
                    count: 1,
                })
                .collect(),
            siblings: 1,
        }
    }

    #[test]
    fn scheduler_then_compression_then_final_record() {
        let s = scheduler_job(tip());
        assert_eq!(s.key.round, AggregationRound::Scheduler);
        assert_eq!(s.children(), vec![tip().key]);
        let c = compression_job(s.output());
        assert_eq!(c.key.round, AggregationRound::Compression);
        assert_eq!(c.ranges, tip().ranges);

        let store = ArtifactStore::open("memory://").unwrap();
        let ctx = FinalizeContext {
            store: store.clone(),
            vk_set_commitment: Digest([5; 4]),
            proof_profile: "test".into(),
        };
        let missing = finalize(&ctx, &c.output()).unwrap_err();
        assert_eq!(missing.stage, FailureStage::Finalize);
        store
            .put(&Artifact {
                key: c.key,
                vk_commitment: Digest::default(),
                public_input: Digest([8; 4]),
                range: None,
                proof: vec![1, 2, 3],
            })
            .unwrap();
        let record = finalize(&ctx, &c.output()).unwrap();
        assert_eq!(record.batch_number, 9);
        assert_eq!(record.batch_commitment, Digest([8; 4]));
        assert_eq!(record.previous_batch_commitment, Digest([7; 4]));
        assert_eq!(record.aggregation_result_coords, tip().ranges);
        assert_eq!(record.proof, vec![1, 2, 3]);
    }
}
