//! One attempt at one job: reuse its artifact if the store has one that verifies (recovery), else load
//! the children from the store, prove, write the artifact, and only then reply. [`JobError`] says why an
//! attempt failed and whether a retry can help.

use zkstream_prover::circuits::SchedulerInputs;
use zkstream_prover::field::proof_public_input;
use zkstream_prover::verify::commitment_from_ranges;
use zkstream_prover::{
    decode_proof, encode_proof, range_public_input, tip_public_input, ChildProof, CircuitId,
    Prover, ProverError,
};
use zkstream_types::{AggregationRound, Artifact, ArtifactKey, Digest};

use super::Shared;
use crate::model::{Job, JobKind, ProofRef};
use crate::store::StoreError;

/// Why one attempt at a job failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// The prover refused or failed (its own retry hint; a device failure moves the job to another
    /// slot, an unsupported circuit to a slot that supports it).
    #[error(transparent)]
    Prover(#[from] ProverError),
    /// The artifact store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A child's artifact is not in the store (it was replied as written: the store lost it).
    #[error("artifact {0} is missing from the store")]
    MissingArtifact(ArtifactKey),
    /// A child's artifact holds no decodable proof.
    #[error("artifact {key}: {source}")]
    BadArtifact {
        /// The child.
        key: ArtifactKey,
        /// Why it does not decode.
        source: ProverError,
    },
    /// A per-type job or child without its queue range.
    #[error("{0} carries no queue range")]
    NoRange(ArtifactKey),
    /// A job that names no circuit.
    #[error("{0} names no circuit")]
    NoCircuit(ArtifactKey),
    /// A job whose kind does not fit its circuit.
    #[error("job {key} does not match circuit {circuit}")]
    Mismatch {
        /// The job.
        key: ArtifactKey,
        /// Its circuit.
        circuit: CircuitId,
    },
    /// A proof without the 4-element public input every layer exposes.
    #[error("{0}: the proof exposes no 4-element public input")]
    NoPublicInput(CircuitId),
    /// The prover panicked (cause unknown: worth another attempt).
    #[error("the prover panicked")]
    Panicked,
    /// A fault injected by a test or a chaos drill (transient by design).
    #[error("injected fault")]
    Injected,
}

impl JobError {
    /// Whether another attempt at the same job can help. The pool retries only these; a batch too large,
    /// a rejected child or a lost artifact fails the same way every time.
    pub fn is_retryable(&self) -> bool {
        match self {
            JobError::Prover(e) => e.is_retryable(),
            JobError::Store(e) => e.is_retryable(),
            JobError::Panicked | JobError::Injected => true,
            JobError::MissingArtifact(_)
            | JobError::BadArtifact { .. }
            | JobError::NoRange(_)
            | JobError::NoCircuit(_)
            | JobError::Mismatch { .. }
            | JobError::NoPublicInput(_) => false,
        }
    }
}

/// The public input a job's proof must expose.
pub fn expected_public_input(job: &Job, vk_set: &Digest) -> Result<Digest, JobError> {
    match job.key.round {
        AggregationRound::Basic | AggregationRound::Leaf | AggregationRound::Node => job
            .ranges
            .first()
            .map(range_public_input)
            .ok_or(JobError::NoRange(job.key)),
        AggregationRound::RecursionTip => Ok(tip_public_input(&job.ranges)),
        AggregationRound::Scheduler | AggregationRound::Compression => Ok(commitment_from_ranges(
            job.header.batch_number,
            &job.header.previous_batch_commitment,
            job.header.protocol_version,
            &job.ranges,
            vk_set,
        )),
    }
}

/// Whether a stored artifact is a valid proof of `job` (right VK, verifies, right public input).
fn reusable(shared: &Shared, prover: &Prover, id: CircuitId, job: &Job, a: &Artifact) -> bool {
    let check = || -> Result<bool, JobError> {
        let vk = shared.keys.vk_commitment(id)?;
        let vk_set = shared.keys.vk_set_commitment()?;
        let expected = expected_public_input(job, &vk_set)?;
        if a.vk_commitment != vk || a.public_input != expected {
            return Ok(false);
        }
        let proof = decode_proof(&a.proof)?;
        Ok(proof_public_input(&proof) == Some(expected) && prover.verify(id, &proof)?)
    };
    match check() {
        Ok(ok) => ok,
        Err(e) => {
            tracing::warn!(key = %job.key, error = %e, "stored artifact unusable; proving again");
            false
        }
    }
}

fn load(shared: &Shared, r: &ProofRef) -> Result<ChildProof, JobError> {
    let range = r.ranges.first().copied().ok_or(JobError::NoRange(r.key))?;
    Ok(ChildProof {
        proof: load_proof(shared, r)?,
        range,
    })
}

fn load_all(shared: &Shared, refs: &[ProofRef]) -> Result<Vec<ChildProof>, JobError> {
    refs.iter().map(|r| load(shared, r)).collect()
}

/// Runs one attempt; `Ok(true)` if a stored artifact was reused.
pub(super) fn run_job(shared: &Shared, prover: &Prover, job: &Job) -> Result<bool, JobError> {
    let id = job.circuit_id().ok_or(JobError::NoCircuit(job.key))?;
    if let Some(existing) = shared.store.get(&job.key)? {
        if reusable(shared, prover, id, job, &existing) {
            return Ok(true);
        }
    }
    let proof = match (&job.kind, id) {
        (JobKind::Basic(b), CircuitId::Basic(_)) => prover.prove_basic(b)?.proof,
        (JobKind::Aggregate(children), CircuitId::Leaf(t)) => {
            let cs = load_all(shared, children)?;
            prover.prove_leaf(t, &cs)?.proof
        }
        (JobKind::Aggregate(children), CircuitId::Node(t, d)) => {
            let cs = load_all(shared, children)?;
            prover.prove_node(t, d, &cs)?.proof
        }
        (JobKind::Tip(children), CircuitId::Tip) => {
            let cs = load_all(shared, children)?;
            prover.prove_tip(&cs)?
        }
        (JobKind::Scheduler(tip), CircuitId::Scheduler) => {
            let tip = load_proof(shared, tip)?;
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
            prover.prove_compression(&load_proof(shared, s)?)?
        }
        _ => {
            return Err(JobError::Mismatch {
                key: job.key,
                circuit: id,
            })
        }
    };
    let public_input = proof_public_input(&proof).ok_or(JobError::NoPublicInput(id))?;
    let artifact = Artifact {
        key: job.key,
        vk_commitment: shared.keys.vk_commitment(id)?,
        public_input,
        range: match job.key.round {
            AggregationRound::Basic | AggregationRound::Leaf | AggregationRound::Node => {
                job.ranges.first().copied()
            }
            _ => None,
        },
        proof: encode_proof(&proof)?,
    };
    shared.store.put(&artifact)?;
    Ok(false)
}

fn load_proof(shared: &Shared, r: &ProofRef) -> Result<zkstream_prover::field::BProof, JobError> {
    let a = shared
        .store
        .get(&r.key)?
        .ok_or(JobError::MissingArtifact(r.key))?;
    decode_proof(&a.proof).map_err(|source| JobError::BadArtifact { key: r.key, source })
}
