//! The commitment of one user proof, as Aligned's aggregation mode computes it:
//! `keccak256(u16_be(proving_system_id) ‖ program_id[32] ‖ public_inputs)`, no length prefixes.

use serde::{Deserialize, Serialize};
use sha3::{Digest, Keccak256};

use crate::Hash32;

/// The proving systems, with Aligned's ids where Aligned has one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ProvingSystem {
    /// SP1 (Aligned id 1). Recognised, not aggregated here.
    Sp1,
    /// Risc0 (Aligned id 2). Recognised, not aggregated here.
    Risc0,
    /// boojum proofs (zkstream's id 0x0b00; Aligned has none): aggregated by zkstream's chunk circuits.
    Boojum,
}

impl ProvingSystem {
    /// The id that goes into the commitment (big-endian u16).
    pub fn id(self) -> u16 {
        match self {
            ProvingSystem::Sp1 => 1,
            ProvingSystem::Risc0 => 2,
            ProvingSystem::Boojum => 0x0b00,
        }
    }

    /// The system with this id, if known.
    pub fn from_id(id: u16) -> Option<Self> {
        [
            ProvingSystem::Sp1,
            ProvingSystem::Risc0,
            ProvingSystem::Boojum,
        ]
        .into_iter()
        .find(|s| s.id() == id)
    }

    /// A short lower-case name (logs, metric labels).
    pub fn name(self) -> &'static str {
        match self {
            ProvingSystem::Sp1 => "sp1",
            ProvingSystem::Risc0 => "risc0",
            ProvingSystem::Boojum => "boojum",
        }
    }
}

/// keccak256 of `data` (Ethereum's Keccak, not NIST SHA3-256).
pub fn keccak256(data: &[u8]) -> Hash32 {
    Keccak256::digest(data).into()
}

/// The commitment of one proof: `keccak256(u16_be(proving_system_id) ‖ program_id ‖ public_inputs)`.
pub fn commitment(proving_system_id: u16, program_id: &Hash32, public_inputs: &[u8]) -> Hash32 {
    let mut h = Keccak256::new();
    h.update(proving_system_id.to_be_bytes());
    h.update(program_id);
    h.update(public_inputs);
    h.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The program id of the test vectors below: bytes 00..1f.
    pub(crate) fn program() -> Hash32 {
        std::array::from_fn(|i| i as u8)
    }

    #[test]
    fn commitments_match_aligned_vectors() {
        let sp1 = ProvingSystem::Sp1.id();
        assert_eq!(
            hex::encode(commitment(sp1, &program(), &[0])),
            "42049f5b6fae0fb3abf6994e77856e6f59933afac5d0d439790aff189d307ae9"
        );
        assert_eq!(
            hex::encode(commitment(sp1, &program(), &[1])),
            "fc79a3b90907032226c59c913b92c9385eff15596397660612e41d6aff499918"
        );
    }

    #[test]
    fn the_commitment_is_keccak_of_the_concatenation() {
        let mut bytes = vec![0x0b, 0x00];
        bytes.extend_from_slice(&program());
        bytes.extend_from_slice(b"public inputs");
        assert_eq!(
            commitment(ProvingSystem::Boojum.id(), &program(), b"public inputs"),
            keccak256(&bytes)
        );
        // Ethereum's keccak256 of the empty string.
        assert_eq!(
            hex::encode(keccak256(b"")),
            "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
        );
        assert_eq!(ProvingSystem::from_id(2), Some(ProvingSystem::Risc0));
        assert_eq!(ProvingSystem::from_id(7), None);
    }
}
