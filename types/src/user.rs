//! User-proof mode's records: a user's proof submission (topic `zkstream.user_proofs`) and the record of
//! one aggregation run (the aggregated proof, the root, the blobs, every proof's inclusion path).

use serde::{Deserialize, Serialize};

use crate::RejectReason;

/// Largest proof or key bytes a submission may carry.
pub const MAX_SUBMISSION_BYTES: usize = 4 << 20;
/// Largest public-input bytes a submission may carry.
pub const MAX_PUBLIC_INPUT_BYTES: usize = 4096;

/// A user's proof, as submitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserSubmission {
    /// The submitter's name for this proof (what `zkstream inclusion --proof-id` looks up).
    pub proof_id: String,
    /// The proving system (Aligned's ids: SP1 = 1, Risc0 = 2; boojum = 0x0b00).
    pub proving_system_id: u16,
    /// The 32-byte commitment of the verification key.
    pub program_id: [u8; 32],
    /// The public inputs, as the commitment hashes them (boojum: each element 8 bytes big-endian).
    pub public_inputs: Vec<u8>,
    /// The proof (boojum: its bincode encoding).
    pub proof: Vec<u8>,
    /// The verification key, when embedded (boojum: its bincode encoding); absent: a registered key.
    pub vk: Option<Vec<u8>>,
}

impl UserSubmission {
    /// Size limits and an id that can be named on a command line.
    pub fn validate(&self) -> Result<(), RejectReason> {
        if self.proof_id.is_empty()
            || self.proof_id.len() > 128
            || self.proof_id.chars().any(|c| c.is_control())
        {
            return Err(RejectReason::Invalid(
                "proof id must be 1 to 128 printable characters".into(),
            ));
        }
        if self.proof.len() > MAX_SUBMISSION_BYTES
            || self
                .vk
                .as_ref()
                .is_some_and(|v| v.len() > MAX_SUBMISSION_BYTES)
        {
            return Err(RejectReason::Invalid(format!(
                "proof or key larger than {MAX_SUBMISSION_BYTES} bytes"
            )));
        }
        if self.public_inputs.len() > MAX_PUBLIC_INPUT_BYTES {
            return Err(RejectReason::Invalid(format!(
                "public inputs larger than {MAX_PUBLIC_INPUT_BYTES} bytes"
            )));
        }
        Ok(())
    }
}

/// One aggregated proof of a run, with what a user needs to show its inclusion.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IncludedProof {
    /// The submitter's id.
    pub proof_id: String,
    /// Its commitment (the leaf).
    pub commitment: [u8; 32],
    /// The leaf index.
    pub index: u32,
    /// Sibling hashes, bottom up (sorted-pair rule).
    pub path: Vec<[u8; 32]>,
}

/// One EIP-4844 blob of a run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobRecord {
    /// The blob (131,072 bytes).
    pub data: Vec<u8>,
    /// Its 48-byte KZG commitment.
    pub kzg_commitment: Vec<u8>,
    /// Its 48-byte blob proof.
    pub kzg_proof: Vec<u8>,
    /// Its versioned hash.
    pub versioned_hash: [u8; 32],
}

/// The output of one aggregation run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AggregationRecord {
    /// The run number (1, 2, …).
    pub run: u64,
    /// The family of every aggregated proof's circuit (a run aggregates one; see the prover's
    /// `UserFamily`).
    pub family: u64,
    /// The commitment of the key the aggregated proof verifies under (the family's top node).
    pub aggregate_key: [u8; 32],
    /// The Merkle root over every included commitment (the aggregated proof's public input).
    pub root: [u8; 32],
    /// The aggregated proof (boojum: bincode encoding).
    pub proof: Vec<u8>,
    /// Chunk proofs that went into it.
    pub chunks: u32,
    /// Every included proof, in leaf order.
    pub proofs: Vec<IncludedProof>,
    /// The blobs publishing the commitments, in order.
    pub blobs: Vec<BlobRecord>,
    /// The aggregated proof wrapped in a PLONK proof over BN254 (checked with pairings), whose public
    /// input packs a hash of the count and the root; `None` when the run is not wrapped.
    pub wrap: Option<crate::proof::WrappedProof>,
}
