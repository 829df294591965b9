//! The prover crate's error type, with a retry hint per variant.

use thiserror::Error;
use zkstream_types::{CircuitType, Digest, FamilyError, ValidationError};

/// Everything that can go wrong while generating witnesses, setting up or proving.
#[derive(Debug, Error)]
pub enum ProverError {
    /// The batch input breaks a limit of the circuits.
    #[error("invalid batch: {0}")]
    InvalidBatch(#[from] ValidationError),
    /// More basic circuits of one type than the tree shape can aggregate.
    #[error("batch needs {needed} {circuit} basic circuits; the tree holds at most {limit} (arity^(node_depth+1))")]
    BatchTooLarge {
        /// The circuit type.
        circuit: CircuitType,
        /// Basic circuits needed.
        needed: usize,
        /// Capacity of the tree.
        limit: usize,
    },
    /// A circuit family is malformed, or a type id is not one of its types.
    #[error(transparent)]
    Family(#[from] FamilyError),
    /// A child proof did not verify natively against the VK expected for its slot.
    #[error("child {index} of {parent} does not verify against the pinned VK ({reason})")]
    ChildRejected {
        /// The parent circuit.
        parent: String,
        /// Slot index.
        index: usize,
        /// Why.
        reason: String,
    },
    /// A child's public input does not match the queue range claimed for it.
    #[error(
        "child {index} of {parent}: public input {found} does not match the expected {expected}"
    )]
    PublicInputMismatch {
        /// The parent circuit.
        parent: String,
        /// Slot index.
        index: usize,
        /// What the proof says.
        found: Digest,
        /// What the claimed range hashes to.
        expected: Digest,
    },
    /// Consecutive children do not chain (`s_end(k) != s_start(k+1)`).
    #[error("children {index} and {next} of {parent} do not chain")]
    BrokenChain {
        /// The parent circuit.
        parent: String,
        /// Earlier slot.
        index: usize,
        /// Later slot.
        next: usize,
    },
    /// Wrong number of children for a layer.
    #[error("{parent} takes between 1 and {max} children, got {got}")]
    WrongChildCount {
        /// The parent circuit.
        parent: String,
        /// The limit.
        max: usize,
        /// What was given.
        got: usize,
    },
    /// The circuit rejects its witness (a bad child, a wrong input): the same job fails the same way.
    #[error("{0}: unsatisfiable witness")]
    Unsatisfiable(String),
    /// A freshly made proof did not verify (a prover bug or a hardware fault; retry may help).
    #[error("proof of {0} failed self-verification")]
    SelfCheckFailed(String),
    /// The setup cache could not be read or written.
    #[error("setup cache {path}: {reason}")]
    KeyCache {
        /// File involved.
        path: String,
        /// What went wrong.
        reason: String,
    },
    /// Bytes that should be a proof are not.
    #[error("malformed proof: {0}")]
    MalformedProof(String),
    /// The proving device failed (out of memory, lost): the job belongs on another slot.
    #[error("prover device failed: {0}")]
    Device(String),
    /// The slot's backend failed on this job, its device still healthy (retry may help).
    #[error("prover backend failed: {0}")]
    Backend(String),
    /// The slot's backend cannot prove this circuit.
    #[error("backend cannot prove it: {0}")]
    Unsupported(String),
    /// Invalid configuration of the tree or profile.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// The PLONK wrapper could not be synthesized, set up or proved (deterministic: its circuit is
    /// fixed by the wrap layer's key).
    #[error("SNARK wrapper: {0}")]
    Wrapper(String),
}

impl ProverError {
    /// Whether retrying the same job can help (transient faults only). Everything about the input, the
    /// keys or the configuration is deterministic and fails again; a device failure is not retried on the
    /// same slot either (the pool moves the job).
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            ProverError::SelfCheckFailed(_)
                | ProverError::KeyCache { .. }
                | ProverError::Backend(_)
        )
    }

    /// Whether a proof failed a verification: a fresh proof its self-check, a child its parent's
    /// check, or a public input the expected one (what `zkstream_verification_failures_total` counts).
    pub fn is_verification_failure(&self) -> bool {
        matches!(
            self,
            ProverError::SelfCheckFailed(_)
                | ProverError::ChildRejected { .. }
                | ProverError::PublicInputMismatch { .. }
        )
    }
}
