//! A batch's job as the pool's [`Work`]: one attempt reuses its artifact if the store has one that
//! verifies (recovery), else loads the children from the store, proves, writes the artifact, and only
//! then replies; a wrap job wraps the scheduler proof with the pool's wrap keys and checks the result
//! before it stores it. This is where the batch tree's rounds and circuit types are named; the pool is
//! not.

use zkstream_prover::circuits::SchedulerInputs;
use zkstream_prover::field::proof_public_input;
use zkstream_prover::verify::commitment_from_ranges;
use zkstream_prover::{
    decode_proof, encode_proof, range_public_input, tip_public_input, ChildProof, CircuitId,
};
use zkstream_types::{AggregationRound, Artifact, ArtifactKey, Digest};

use crate::model::{BatchFailure, FailureStage, Job, JobKind, ProofRef};
use crate::pool::{Attempt, JobContext, JobError, Rank, Work};
use crate::store::ArtifactStore;
/// The public input a job's proof must expose.
pub fn expected_public_input(job: &Job, vk_set: &Digest) -> Result<Digest, JobError> {
    match job.key.round {
        AggregationRound::Basic | AggregationRound::Leaf | AggregationRound::Node => job
            .ranges
            .first()
            .map(range_public_input)
            .ok_or_else(|| JobError::NoRange(job.key.to_string())),
        AggregationRound::RecursionTip => Ok(tip_public_input(&job.ranges)),
        AggregationRound::Scheduler | AggregationRound::Compression | AggregationRound::Wrap => {
            Ok(commitment_from_ranges(
                job.header.batch_number,
                &job.header.previous_batch_commitment,
                job.header.protocol_version,
                &job.ranges,
                vk_set,
            ))
        }
    }
}

/// The wrapper key's commitment as an artifact's key commitment (its 32 bytes).
pub fn wrapper_digest(commitment: [u8; 32]) -> Digest {
    Digest::from_bytes(commitment)
}

/// One attempt at a wrap job: reuse a stored wrapped proof that verifies against the current wrapper
/// key and the job's commitment, or wrap the scheduler proof and store the result.
fn run_wrap(job: &Job, scheduler: &ProofRef, ctx: &JobContext<'_>) -> Result<Attempt, JobError> {
    let wrap = ctx
        .wrap
        .ok_or_else(|| JobError::NoWrapKeys(job.key.to_string()))?;
    let expected = expected_public_input(job, &ctx.keys.vk_set_commitment()?)?;
    let vk_commitment = wrapper_digest(wrap.pinned.commitment);
    if let Some(existing) = ctx.store.get::<Artifact>(&job.key)? {
        if existing.vk_commitment == vk_commitment
            && existing.public_input == expected
            && wrap.verify(&existing.proof, &expected.0)
        {
            return Ok(Attempt::Reused);
        }
        tracing::warn!(key = %job.key, "stored wrapped proof unusable; wrapping again");
    }
    let proof = load_proof(ctx.store, scheduler)?;
    // Minutes of wrapping only for the scheduler proof of this job's commitment.
    let found = proof_public_input(&proof).ok_or(JobError::NoPublicInput(CircuitId::Scheduler))?;
    if found != expected {
        return Err(JobError::Prover(
            zkstream_prover::ProverError::PublicInputMismatch {
                parent: "SNARK wrap".into(),
                index: 0,
                found,
                expected,
            },
        ));
    }
    let bytes = wrap.wrap(ctx.keys, &proof, ctx.threads)?;
    // Checked (pairings, a few ms) before it is stored: a wrap that does not verify fails its job
    // here, not the batch at delivery.
    if !wrap.verify(&bytes, &expected.0) {
        return Err(JobError::Prover(
            zkstream_prover::ProverError::SelfCheckFailed(format!(
                "the wrapped proof of {} does not verify",
                job.key
            )),
        ));
    }
    ctx.store.put(&Artifact {
        key: job.key,
        vk_commitment,
        public_input: expected,
        range: None,
        proof: bytes,
    })?;
    Ok(Attempt::Proved)
}

/// A child's proof and the range it covers, read from the store.
fn load(store: &ArtifactStore, r: &ProofRef) -> Result<ChildProof, JobError> {
    let range = r
        .ranges
        .first()
        .copied()
        .ok_or_else(|| JobError::NoRange(r.key.to_string()))?;
    Ok(ChildProof {
        proof: load_proof(store, r)?,
        range,
    })
}

fn load_all(store: &ArtifactStore, refs: &[ProofRef]) -> Result<Vec<ChildProof>, JobError> {
    refs.iter().map(|r| load(store, r)).collect()
}

fn load_proof(
    store: &ArtifactStore,
    r: &ProofRef,
) -> Result<zkstream_prover::field::BProof, JobError> {
    let a: Artifact = store
        .get(&r.key)?
        .ok_or_else(|| JobError::MissingArtifact(r.key.to_string()))?;
    decode_proof(&a.proof).map_err(|source| JobError::BadArtifact {
        key: r.key.to_string(),
        source,
    })
}

impl Work for Job {
    type Key = ArtifactKey;
    type Output = ProofRef;
    type Failure = BatchFailure;

    fn key(&self) -> ArtifactKey {
        self.key
    }

    fn rank(&self) -> Rank {
        Rank {
            scope: self.header.batch_number,
            stage: self.key.round.number() as u32,
            urgency: 0,
        }
    }

    fn circuit(&self) -> Option<CircuitId> {
        self.circuit_id()
    }

    fn children(&self) -> Vec<ArtifactKey> {
        Job::children(self)
    }

    fn needs_wrap_slot(&self) -> bool {
        matches!(self.kind, JobKind::Wrap(_))
    }

    fn run(&self, ctx: &JobContext<'_>) -> Result<Attempt, JobError> {
        let job = self;
        if let JobKind::Wrap(scheduler) = &job.kind {
            return run_wrap(job, scheduler, ctx);
        }
        let (store, prover) = (ctx.store, ctx.prover()?);
        let id = job
            .circuit_id()
            .ok_or_else(|| JobError::NoCircuit(job.key.to_string()))?;
        if let Some(existing) = store.get::<Artifact>(&job.key)? {
            // Stored under this circuit's key, verifying, and exposing (in the record and in the
            // proof) the public input this job's ranges hash to.
            let reuse = ctx.reusable(&job.key, id, existing.vk_commitment, &existing.proof, |p| {
                let expected = expected_public_input(job, &ctx.keys.vk_set_commitment()?)?;
                Ok(existing.public_input == expected && proof_public_input(p) == Some(expected))
            });
            if reuse {
                return Ok(Attempt::Reused);
            }
        }
        let proof = match (&job.kind, id) {
            (JobKind::Basic(b), CircuitId::Basic(_)) => prover.prove_basic(b)?.proof,
            (JobKind::Aggregate(children), CircuitId::Leaf(t)) => {
                let cs = load_all(store, children)?;
                prover.prove_leaf(t, &cs)?.proof
            }
            (JobKind::Aggregate(children), CircuitId::Node(t, d)) => {
                let cs = load_all(store, children)?;
                prover.prove_node(t, d, &cs)?.proof
            }
            (JobKind::Tip(children), CircuitId::Tip) => {
                let cs = load_all(store, children)?;
                prover.prove_tip(&cs)?
            }
            (JobKind::Scheduler(tip), CircuitId::Scheduler) => {
                let tip = load_proof(store, tip)?;
                prover.prove_scheduler(
                    &tip,
                    SchedulerInputs {
                        batch_number: job.header.batch_number,
                        protocol_version: job.header.protocol_version,
                        previous_batch_commitment: job.header.previous_batch_commitment,
                        ranges: job.ranges.clone(),
                    },
                )?
            }
            (JobKind::Compression(s), CircuitId::Compression) => {
                prover.prove_compression(&load_proof(store, s)?)?
            }
            _ => {
                return Err(JobError::Mismatch {
                    key: job.key.to_string(),
                    circuit: id,
                })
            }
        };
        let public_input = proof_public_input(&proof).ok_or(JobError::NoPublicInput(id))?;
        let artifact = Artifact {
            key: job.key,
            vk_commitment: ctx.keys.vk_commitment(id)?,
            public_input,
            range: match job.key.round {
                AggregationRound::Basic | AggregationRound::Leaf | AggregationRound::Node => {
                    job.ranges.first().copied()
                }
                _ => None,
            },
            proof: encode_proof(&proof)?,
        };
        store.put(&artifact)?;
        Ok(Attempt::Proved)
    }

    fn output(&self) -> ProofRef {
        Job::output(self)
    }

    fn failure(&self, reason: String) -> BatchFailure {
        BatchFailure {
            batch_number: self.header.batch_number,
            stage: FailureStage::Prove(self.key),
            reason,
        }
    }

    fn labels(&self) -> (&'static str, String) {
        let circuit = self
            .key
            .circuit
            .map_or_else(|| "batch".to_string(), |c| c.to_string());
        (self.key.round.name(), circuit)
    }
}
