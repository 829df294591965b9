//! `compress`, `wrap` and `finalize`: the scheduler reference becomes the compression job and the wrap
//! job (the SNARK wrap of the scheduler proof, on a wrap slot), and the last of them becomes the batch's
//! [`FinalBatchProof`] record (read back from the artifact store, the bytes the sinks deliver): the
//! FRI proof, the wrapped proof, or both.

use timely::dataflow::operators::vec::Map;
use timely::dataflow::Stream;
use zkstream_types::{
    AggregationRound, Artifact, ArtifactKey, Digest, FinalBatchProof, WrappedProof,
};

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

/// The wrap job over a scheduler reference, or over the compression reference of the same batch
/// (the FRI proof kept beside the wrapped one): either way it wraps the scheduler proof.
pub fn wrap_job(after: ProofRef) -> Job {
    let scheduler = ProofRef {
        key: ArtifactKey {
            round: AggregationRound::Scheduler,
            ..after.key
        },
        ..after
    };
    Job {
        key: ArtifactKey {
            round: AggregationRound::Wrap,
            ..scheduler.key
        },
        header: scheduler.header,
        ranges: scheduler.ranges.clone(),
        siblings: 1,
        kind: JobKind::Wrap(scheduler),
    }
}

/// What a wrapped final record says about its wrapper key, and whether the FRI proof is kept.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WrapRecord {
    /// SHA-256 of the wrapper's verification key.
    pub wrapper_vk_commitment: [u8; 32],
    /// The CRS's short name.
    pub crs: String,
    /// Made with the insecure test CRS.
    pub test_crs: bool,
    /// The record keeps the compression (FRI) proof too.
    pub keep_fri_proof: bool,
}

/// What finalizing needs besides the store: the pinned VK-set commitment and the proof profile's name.
#[derive(Clone, Debug)]
pub struct FinalizeContext {
    /// Where the compression and wrap artifacts are.
    pub store: ArtifactStore,
    /// The VK-set commitment the scheduler bound.
    pub vk_set_commitment: Digest,
    /// The proof profile the keys use.
    pub proof_profile: String,
    /// Set when the run wraps: the references finalized are then the wrap jobs'.
    pub wrap: Option<WrapRecord>,
}

/// The final proof record of a compression reference, or of a wrap reference when the run wraps.
pub fn finalize(ctx: &FinalizeContext, r: &ProofRef) -> BatchOutcome {
    let fail = |reason: String| BatchFailure {
        batch_number: r.header.batch_number,
        stage: FailureStage::Finalize,
        reason,
    };
    let read = |key: &ArtifactKey| -> Result<Artifact, BatchFailure> {
        ctx.store
            .get(key)
            .map_err(|e| fail(e.to_string()))?
            .ok_or_else(|| fail(format!("artifact {key} is missing")))
    };
    let artifact = read(&r.key)?;
    let (fri, wrap) = match &ctx.wrap {
        None => (artifact, None),
        Some(w) => {
            if r.key.round != AggregationRound::Wrap {
                return Err(fail(format!("{} is not a wrap artifact", r.key)));
            }
            let fri = if w.keep_fri_proof {
                let compression = read(&ArtifactKey {
                    round: AggregationRound::Compression,
                    ..r.key
                })?;
                if compression.public_input != artifact.public_input {
                    return Err(fail(
                        "the compression and wrapped proofs expose different commitments".into(),
                    ));
                }
                compression.proof
            } else {
                Vec::new()
            };
            let wrapped = WrappedProof {
                proof: artifact.proof,
                wrapper_vk_commitment: w.wrapper_vk_commitment,
                crs: w.crs.clone(),
                test_crs: w.test_crs,
            };
            (
                Artifact {
                    proof: fri,
                    ..artifact
                },
                Some(wrapped),
            )
        }
    };
    let artifact = fri;
    Ok(FinalBatchProof {
        batch_number: r.header.batch_number,
        protocol_version: r.header.protocol_version,
        previous_batch_commitment: r.header.previous_batch_commitment,
        batch_commitment: artifact.public_input,
        aggregation_result_coords: r.ranges.clone(),
        vk_set_commitment: ctx.vk_set_commitment,
        proof_profile: ctx.proof_profile.clone(),
        proof: artifact.proof,
        wrap,
    })
}

/// The compression stage as operators.
pub trait CompressExt<'scope> {
    /// Scheduler references in, compression jobs out.
    fn compress(self) -> Stream<'scope, u64, Vec<Job>>;
    /// Scheduler (or compression) references in, wrap jobs out.
    fn wrap(self) -> Stream<'scope, u64, Vec<Job>>;
    /// Compression (or wrap) references in, batch outcomes out.
    fn finalize(self, ctx: FinalizeContext) -> Stream<'scope, u64, Vec<BatchOutcome>>;
}

impl<'scope> CompressExt<'scope> for Stream<'scope, u64, Vec<ProofRef>> {
    fn compress(self) -> Stream<'scope, u64, Vec<Job>> {
        self.map(compression_job)
    }

    fn wrap(self) -> Stream<'scope, u64, Vec<Job>> {
        self.map(wrap_job)
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
    use zkstream_types::{Artifact, QueueRange, REAL_TYPES};

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
            ranges: REAL_TYPES
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
            wrap: None,
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

    #[test]
    fn a_wrapped_record_carries_the_wrap_and_the_fri_proof_only_when_kept() {
        let s = scheduler_job(tip());
        let c = compression_job(s.output());
        // After the scheduler or after compression, the wrap job wraps the scheduler proof.
        for after in [s.output(), c.output()] {
            let w = wrap_job(after);
            assert_eq!(w.key.round, AggregationRound::Wrap);
            assert_eq!(w.children(), vec![s.key]);
            assert_eq!(w.ranges, tip().ranges);
        }
        let w = wrap_job(s.output());
        let store = ArtifactStore::open("memory://").unwrap();
        let put = |key, public_input, proof: Vec<u8>| {
            store
                .put(&Artifact {
                    key,
                    vk_commitment: Digest::default(),
                    public_input,
                    range: None,
                    proof,
                })
                .unwrap()
        };
        put(w.key, Digest([8; 4]), vec![9; 16]);
        let mut ctx = FinalizeContext {
            store: store.clone(),
            vk_set_commitment: Digest([5; 4]),
            proof_profile: "test".into(),
            wrap: Some(WrapRecord {
                wrapper_vk_commitment: [4; 32],
                crs: "1048576-ab".into(),
                test_crs: true,
                keep_fri_proof: false,
            }),
        };
        let record = finalize(&ctx, &w.output()).unwrap();
        assert!(record.proof.is_empty());
        let wrapped = record.wrap.unwrap();
        assert_eq!(wrapped.proof, vec![9; 16]);
        assert_eq!(wrapped.wrapper_vk_commitment, [4; 32]);
        assert!(wrapped.test_crs);
        assert_eq!(record.batch_commitment, Digest([8; 4]));
        // A compression reference is not finalized as a wrapped record.
        assert!(finalize(&ctx, &c.output()).is_err());

        // Keeping the FRI proof: it must be stored, and expose the same commitment.
        ctx.wrap.as_mut().unwrap().keep_fri_proof = true;
        assert!(finalize(&ctx, &w.output()).is_err());
        put(c.key, Digest([7; 4]), vec![1, 2, 3]);
        assert!(finalize(&ctx, &w.output()).is_err());
        put(c.key, Digest([8; 4]), vec![1, 2, 3]);
        let record = finalize(&ctx, &w.output()).unwrap();
        assert_eq!(record.proof, vec![1, 2, 3]);
        assert_eq!(record.wrap.unwrap().proof, vec![9; 16]);
    }
}
