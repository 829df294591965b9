//! Artifacts: intermediate proofs, stored in the artifact store and referenced by key in the dataflow.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::digest::Digest;
use crate::family::CircuitType;
use crate::proof::QueueRange;
use crate::round::AggregationRound;

/// Where one proof of a batch's tree lives: `(protocol version, batch, round, circuit type, depth, index)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ArtifactKey {
    /// Protocol version (selects the verification keys).
    pub protocol_version: u32,
    /// Batch number.
    pub batch: u64,
    /// Aggregation round.
    pub round: AggregationRound,
    /// Circuit type for per-type rounds (basic, leaf, node); `None` above.
    pub circuit: Option<CircuitType>,
    /// Node depth (1 for the first node layer); 0 in other rounds.
    pub depth: u32,
    /// Index within (round, circuit, depth), in queue order.
    pub index: u32,
}

impl ArtifactKey {
    /// The object-store path of this artifact, stable across releases.
    pub fn path(&self) -> String {
        let circuit = self.circuit_label();
        format!(
            "{}/{}-{}/d{}-i{:06}.artifact",
            Self::batch_dir(self.protocol_version, self.batch),
            self.round.name(),
            circuit,
            self.depth,
            self.index
        )
    }

    /// The circuit part of its path: the type as the real family names it (`poseidon2`, `sha256`),
    /// or `all` for a job over every type.
    pub fn circuit_label(&self) -> String {
        self.circuit.map_or_else(|| "all".into(), |t| t.to_string())
    }

    /// The object-store directory of one batch's proofs: `v{protocol}/batch-{batch:012}`.
    pub fn batch_dir(protocol_version: u32, batch: u64) -> String {
        format!("v{protocol_version}/batch-{batch:012}")
    }
}

impl fmt::Display for ArtifactKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let circuit = self.circuit_label();
        write!(
            f,
            "batch {} {} {} depth {} #{} (v{})",
            self.batch, self.round, circuit, self.depth, self.index, self.protocol_version
        )
    }
}

/// One stored proof of the tree, with what a parent needs to check it without decoding the proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Artifact {
    /// Where it belongs.
    pub key: ArtifactKey,
    /// Commitment of the verification key the proof was made under.
    pub vk_commitment: Digest,
    /// The proof's public input (four field elements).
    pub public_input: Digest,
    /// The queue range it covers (per-type rounds only).
    pub range: Option<QueueRange>,
    /// The boojum proof (bincode).
    pub proof: Vec<u8>,
}

/// Where one proof of user-proof mode's tree lives: `(protocol version, run, family, level, index)`.
/// Level 0 holds the chunk proofs, levels 1 and up the nodes; the top level's one proof is the run's
/// aggregated proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserProofKey {
    /// Protocol version (selects the verification keys).
    pub protocol_version: u32,
    /// The aggregation run.
    pub run: u64,
    /// The family of the run's programs (its id).
    pub family: u64,
    /// 0 for a chunk, 1 and up for a node.
    pub level: u32,
    /// Index within the level.
    pub index: u32,
}

impl UserProofKey {
    /// The object-store path of this proof: `v{protocol}/aggregation/run-{run}/family-{family}/…`.
    pub fn path(&self) -> String {
        format!(
            "v{}/aggregation/run-{:012}/family-{:016x}/l{}-i{:06}.artifact",
            self.protocol_version, self.run, self.family, self.level, self.index
        )
    }
}

impl fmt::Display for UserProofKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.level == 0 { "chunk" } else { "node" };
        write!(
            f,
            "run {} family {:016x} {what} level {} #{} (v{})",
            self.run, self.family, self.level, self.index, self.protocol_version
        )
    }
}

/// One stored proof of user-proof mode's tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserArtifact {
    /// Where it belongs.
    pub key: UserProofKey,
    /// Commitment of the verification key the proof was made under.
    pub vk_commitment: Digest,
    /// The boojum proof (bincode).
    pub proof: Vec<u8>,
}
