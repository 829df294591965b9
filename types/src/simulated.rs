//! Simulated batches and their final records, for measuring orchestration at fleet scale without
//! provers. A simulated batch is the shape of a proof tree (basic jobs per circuit type, the arity);
//! its final record is a hash over that tree, **never a proof**. Each has a frame kind of its own, so
//! neither can be read as a batch input or a final proof.

use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::family::CircuitType;
use crate::round::AggregationRound;

/// Most circuit types a simulated batch may have: as many as a circuit family may register (the
/// recursion tip has 32 inputs).
pub const MAX_SIMULATED_TYPES: usize = crate::family::MAX_FAMILY_TYPES;
/// Most basic jobs one simulated batch may have (four times a busy mainnet batch's 17,061, rounded up
/// to a power of two: the bound keeps a record from asking for an unbounded graph).
pub const MAX_SIMULATED_BASIC_JOBS: u64 = 1 << 17;

/// The shape of one simulated batch (what a simulated record carries; the production path's
/// simulation is to carry it on the batches topic).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedBatch {
    /// Batch number (≥ 1).
    pub batch_number: u64,
    /// The workload it was drawn from (a name, for tables).
    pub workload: String,
    /// Children per leaf and per node (≥ 2).
    pub arity: u32,
    /// Basic jobs per circuit type, in type order (1 to [`MAX_SIMULATED_TYPES`] types, each ≥ 1).
    pub basic: Vec<u32>,
}

/// Why a simulated batch's shape is impossible.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("simulated batch {batch_number}: {reason}")]
pub struct SimulatedBatchError {
    /// The batch.
    pub batch_number: u64,
    /// What is wrong.
    pub reason: String,
}

impl SimulatedBatch {
    /// Checks the bounds of every field a graph is built from.
    pub fn validate(&self) -> Result<(), SimulatedBatchError> {
        let fail = |reason: String| {
            Err(SimulatedBatchError {
                batch_number: self.batch_number,
                reason,
            })
        };
        if self.batch_number == 0 {
            return fail("batch numbers start at 1".into());
        }
        if self.arity < 2 {
            return fail(format!("arity {} (at least 2)", self.arity));
        }
        if self.basic.is_empty() || self.basic.len() > MAX_SIMULATED_TYPES {
            return fail(format!(
                "{} circuit types (1 to {MAX_SIMULATED_TYPES})",
                self.basic.len()
            ));
        }
        if let Some(t) = self.basic.iter().position(|&n| n == 0) {
            return fail(format!("circuit type {t} has no basic jobs"));
        }
        let total: u64 = self.basic.iter().map(|&n| u64::from(n)).sum();
        if total > MAX_SIMULATED_BASIC_JOBS {
            return fail(format!(
                "{total} basic jobs (at most {MAX_SIMULATED_BASIC_JOBS})"
            ));
        }
        Ok(())
    }
}

/// The final record of a simulated batch: the hash of its whole simulated tree. Not a proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedRecord {
    /// The batch it closes.
    pub batch: SimulatedBatch,
    /// The compression job's simulated artifact: a hash over every job of the tree.
    pub tree_hash: [u8; 32],
}

/// A simulated job's place in its batch's tree (the fields of an artifact key; the circuit type is an
/// id of the simulated family, which registers its types as ids `0..` in the workload's order).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SimKey {
    /// The batch.
    pub batch: u64,
    /// Its round.
    pub round: AggregationRound,
    /// The type for basic, leaf and node jobs; `None` above. On the wire its id is one byte, as
    /// simulated artifacts were written before types were ids.
    #[serde(with = "circuit_byte")]
    pub circuit: Option<CircuitType>,
    /// Node depth (1 for the first node level); 0 in other rounds.
    pub depth: u32,
    /// Index within (round, circuit, depth), in queue order.
    pub index: u32,
}

/// [`SimKey::circuit`] on the wire: the id as an optional byte.
mod circuit_byte {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::family::CircuitType;

    pub fn serialize<S: Serializer>(c: &Option<CircuitType>, s: S) -> Result<S::Ok, S::Error> {
        c.map(CircuitType::id).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<CircuitType>, D::Error> {
        Ok(Option::<u8>::deserialize(d)?.map(CircuitType::new))
    }
}

impl SimKey {
    /// The key's canonical bytes: batch (8, big-endian), round (1), circuit (1; 0xFF for none), depth
    /// (4), index (4).
    pub fn to_bytes(&self) -> [u8; 18] {
        let mut out = [0u8; 18];
        out[..8].copy_from_slice(&self.batch.to_be_bytes());
        out[8] = self.round.number();
        out[9] = self.circuit.map_or(0xFF, CircuitType::id);
        out[10..14].copy_from_slice(&self.depth.to_be_bytes());
        out[14..].copy_from_slice(&self.index.to_be_bytes());
        out
    }

    /// The object-store path of its artifact: under `simulated/`, apart from every real proof.
    pub fn path(&self) -> String {
        let circuit = self
            .circuit
            .map_or_else(|| "all".to_string(), |c| format!("t{:02}", c.id()));
        format!(
            "simulated/batch-{:012}/{}-{circuit}/d{}-i{:06}.artifact",
            self.batch,
            self.round.name(),
            self.depth,
            self.index
        )
    }
}

impl fmt::Display for SimKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let circuit = self
            .circuit
            .map_or_else(|| "all".to_string(), |c| format!("t{:02}", c.id()));
        write!(
            f,
            "simulated batch {} {} {circuit} depth {} #{}",
            self.batch, self.round, self.depth, self.index
        )
    }
}

/// What a simulated job stores: a hash over its key and its children's hashes. Not a proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedArtifact {
    /// The job.
    pub key: SimKey,
    /// Its hash (see `fleet/src/tree_hash.rs`).
    pub hash: [u8; 32],
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A simulated key's encoding is the one it had while its circuit was a plain byte.
    #[test]
    fn a_sim_keys_circuit_is_one_byte_on_the_wire() {
        #[derive(Serialize)]
        struct ByteKey {
            batch: u64,
            round: AggregationRound,
            circuit: Option<u8>,
            depth: u32,
            index: u32,
        }
        for circuit in [None, Some(0u8), Some(3), Some(31)] {
            let old = ByteKey {
                batch: 7,
                round: AggregationRound::Node,
                circuit,
                depth: 2,
                index: 5,
            };
            let new = SimKey {
                batch: 7,
                round: AggregationRound::Node,
                circuit: circuit.map(CircuitType::new),
                depth: 2,
                index: 5,
            };
            let bytes = bincode::serialize(&old).unwrap_or_default();
            assert_eq!(bincode::serialize(&new).ok(), Some(bytes.clone()));
            assert_eq!(bincode::deserialize::<SimKey>(&bytes).ok(), Some(new));
        }
    }

    fn shape() -> SimulatedBatch {
        SimulatedBatch {
            batch_number: 1,
            workload: "small".into(),
            arity: 4,
            basic: vec![21, 5, 1],
        }
    }

    #[test]
    fn impossible_shapes_are_refused_with_their_reason() {
        shape().validate().unwrap();
        type Spoil = fn(&mut SimulatedBatch);
        let cases: [(Spoil, &str); 5] = [
            (|b| b.batch_number = 0, "start at 1"),
            (|b| b.arity = 1, "arity 1"),
            (|b| b.basic.clear(), "0 circuit types"),
            (|b| b.basic[1] = 0, "type 1 has no basic jobs"),
            (|b| b.basic[0] = u32::MAX, "basic jobs (at most"),
        ];
        for (spoil, reason) in cases {
            let mut b = shape();
            spoil(&mut b);
            let err = b.validate().unwrap_err().to_string();
            assert!(err.contains(reason), "{err}");
        }
    }
}
