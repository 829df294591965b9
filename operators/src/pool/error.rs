//! Why one attempt at a job failed ([`JobError`]), whatever the job, and whether a retry can help.

use zkstream_prover::{CircuitId, ProverError};

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
    MissingArtifact(String),
    /// A child's artifact holds no decodable proof.
    #[error("artifact {key}: {source}")]
    BadArtifact {
        /// The child.
        key: String,
        /// Why it does not decode.
        source: ProverError,
    },
    /// A job or child without the queue range its proof must expose.
    #[error("{0} carries no queue range")]
    NoRange(String),
    /// A job that names no circuit.
    #[error("{0} names no circuit")]
    NoCircuit(String),
    /// A job whose kind does not fit its circuit.
    #[error("job {key} does not match circuit {circuit}")]
    Mismatch {
        /// The job.
        key: String,
        /// Its circuit.
        circuit: CircuitId,
    },
    /// A proof without the 4-element public input every layer exposes.
    #[error("{0}: the proof exposes no 4-element public input")]
    NoPublicInput(CircuitId),
    /// A wrap job in a pool without wrap keys (no wrap slots were configured).
    #[error("{0}: this pool has no wrap keys")]
    NoWrapKeys(String),
    /// The prover panicked (cause unknown: worth another attempt).
    #[error("the prover panicked")]
    Panicked,
    /// A fault injected by a test or a chaos drill (transient by design).
    #[error("injected fault")]
    Injected,
}

impl JobError {
    /// Whether a proof failed a verification ([`ProverError::is_verification_failure`]).
    pub fn is_verification_failure(&self) -> bool {
        matches!(self, JobError::Prover(e) if e.is_verification_failure())
    }

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
            | JobError::NoWrapKeys(_)
            | JobError::Mismatch { .. }
            | JobError::NoPublicInput(_) => false,
        }
    }
}
