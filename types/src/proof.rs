//! The final record of a proved batch: the analog of zkSync's `L1BatchProofForL1`.

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::family::CircuitType;

/// The queue range one circuit type covered in a batch: `(type, s0, s_end, count)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueRange {
    /// The circuit type.
    pub circuit: CircuitType,
    /// Queue state before the first request (`IV(type)` for a whole batch).
    pub start: Digest,
    /// Queue state after the last request.
    pub end: Digest,
    /// Number of requests covered.
    pub count: u64,
}

/// The final proof of one batch, as delivered to the core.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FinalBatchProof {
    /// The batch number.
    pub batch_number: u64,
    /// The protocol version it was proved under.
    pub protocol_version: u32,
    /// The commitment of the previous batch that this one chains onto.
    pub previous_batch_commitment: Digest,
    /// The batch commitment: the public input of the scheduler and of the final proof.
    pub batch_commitment: Digest,
    /// Per-type queue commitments (the `aggregation_result_coords`-like fields), in circuit id order.
    pub aggregation_result_coords: Vec<QueueRange>,
    /// Commitment to the set of verification keys the proof tree was checked against.
    pub vk_set_commitment: Digest,
    /// Name of the proof profile (security parameters) the tree was proved under.
    pub proof_profile: String,
    /// The compressed final proof (boojum FRI proof, bincode). Empty when the record carries only a
    /// [`WrappedProof`] (a run that wraps keeps the FRI proof only when asked to).
    pub proof: Vec<u8>,
    /// The SNARK-wrapped final proof, when the run wraps.
    pub wrap: Option<WrappedProof>,
}

impl FinalBatchProof {
    /// What proof the record carries, in a few words for a status line: its size, and for a wrapped
    /// one the wrapper key, whether the FRI proof is kept, and `TEST CRS` when it proves nothing.
    pub fn proof_summary(&self) -> String {
        match &self.wrap {
            None => format!("{} bytes", self.proof.len()),
            Some(w) => format!(
                "wrapped: {} bytes, PLONK over BN254, wrapper key {}{}{}",
                w.proof.len(),
                w.wrapper_vk_commitment[..8]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect::<String>(),
                if self.proof.is_empty() {
                    String::new()
                } else {
                    format!("; FRI proof kept, {} bytes", self.proof.len())
                },
                if w.test_crs {
                    "; TEST CRS: proves nothing"
                } else {
                    ""
                }
            ),
        }
    }
}

/// A proof wrapped in a PLONK proof over BN254 (checked with pairings) whose one public input packs
/// what the wrapped proof commits to: a batch's final proof (the batch commitment) or an aggregation
/// run's proof (a hash of its count and root).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrappedProof {
    /// The wrapper proof (snark_wrapper's encoding).
    pub proof: Vec<u8>,
    /// SHA-256 of the wrapper's verification key: the key the proof must verify against.
    pub wrapper_vk_commitment: [u8; 32],
    /// The CRS the wrapper's key was made with: its size and a hash of `tau·G1`, `tau·G2`.
    pub crs: String,
    /// Made with the insecure test CRS (tau = 42): it proves nothing, for tests and demos only.
    pub test_crs: bool,
}
