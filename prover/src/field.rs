//! Field, hash and transcript choices, and the native Poseidon2 helpers the circuits mirror.

use boojum::algebraic_props::round_function::AbsorptionModeOverwrite;
use boojum::algebraic_props::sponge::GoldilocksPoseidon2Sponge;
use boojum::cs::implementations::proof::Proof;
use boojum::cs::implementations::transcript::GoldilocksPoisedon2Transcript;
use boojum::cs::implementations::verifier::VerificationKey;
use boojum::cs::oracle::TreeHasher;
use boojum::cs::traits::cs::ConstraintSystem;
use boojum::field::goldilocks::{GoldilocksExt2, GoldilocksField};
use boojum::field::{Field, SmallField, U64Representable};
use boojum::gadgets::num::Num;
use boojum::gadgets::recursion::recursive_transcript::CircuitAlgebraicSpongeBasedTranscript;
use boojum::gadgets::recursion::recursive_tree_hasher::{
    CircuitGoldilocksPoseidon2Sponge, CircuitTreeHasher,
};
use boojum::implementations::poseidon2::Poseidon2Goldilocks;
use zkstream_types::Digest;

/// The base field: Goldilocks.
pub type F = GoldilocksField;
/// Storage type of the prover (scalar Goldilocks).
pub type P = GoldilocksField;
/// Quadratic extension used for challenges.
pub type Ext = GoldilocksExt2;
/// Native tree hasher (Merkle trees, VK caps): Poseidon2 sponge.
pub type H = GoldilocksPoseidon2Sponge<AbsorptionModeOverwrite>;
/// Native transcript.
pub type TR = GoldilocksPoisedon2Transcript;
/// Round function for in-circuit hashing.
pub type R = Poseidon2Goldilocks;
/// In-circuit tree hasher mirroring [`H`].
pub type RH = CircuitGoldilocksPoseidon2Sponge;
/// In-circuit transcript mirroring [`TR`].
pub type CTR = CircuitAlgebraicSpongeBasedTranscript<GoldilocksField, 8, 12, 4, R>;
/// A boojum proof of this system.
pub type BProof = Proof<F, H, Ext>;
/// A boojum verification key of this system.
pub type BVk = VerificationKey<F, H>;

/// Native Poseidon2 sponge hash of field elements (the same function as [`hash_circuit`]).
///
/// The sponge pads the last block with zeros, so inputs that differ only by trailing zeros collide:
/// every caller hashes a fixed-length layout for its context (request preimages carry their length and
/// are padded to a fixed width; encodings, public inputs, commitments and VK caps have fixed sizes).
pub fn hash(elements: &[F]) -> [F; 4] {
    <H as TreeHasher<F>>::hash_into_leaf(elements.iter())
}

/// In-circuit Poseidon2 sponge hash (the same function as [`hash`]).
pub fn hash_circuit<CS: ConstraintSystem<F>>(cs: &mut CS, elements: &[Num<F>]) -> [Num<F>; 4] {
    <RH as CircuitTreeHasher<F, Num<F>>>::hash_into_leaf(cs, elements.iter())
}

/// A field element from a `u64` that is known to be canonical (or reduced when it is not).
pub fn fe(x: u64) -> F {
    F::from_u64_with_reduction(x)
}

/// Field elements to a [`Digest`].
pub fn to_digest(x: &[F; 4]) -> Digest {
    Digest(x.map(|e| e.as_u64_reduced()))
}

/// A [`Digest`] to field elements.
pub fn from_digest(d: &Digest) -> [F; 4] {
    d.0.map(fe)
}

/// The commitment of a verification key: the Poseidon2 hash of its setup Merkle cap.
///
/// The fixed parameters (geometry, domain, gate placement) are not hashed: a recursive verifier is
/// synthesized for one set of fixed parameters, so only the cap varies between keys it could accept.
pub fn vk_commitment(vk: &BVk) -> Digest {
    let flat: Vec<F> = vk.setup_merkle_tree_cap.iter().flatten().copied().collect();
    to_digest(&hash(&flat))
}

/// The public input of a proof as a digest (the first four elements; every layer exposes four).
pub fn proof_public_input(proof: &BProof) -> Option<Digest> {
    let pi: [F; 4] = proof.public_inputs.get(..4)?.try_into().ok()?;
    if proof.public_inputs.len() != 4 {
        return None;
    }
    Some(to_digest(&pi))
}

/// Serializes a proof to the bytes stored in artifacts and final proof records (bincode).
pub fn encode_proof(proof: &BProof) -> Result<Vec<u8>, crate::ProverError> {
    bincode::serialize(proof).map_err(|e| crate::ProverError::MalformedProof(e.to_string()))
}

/// Parses proof bytes written by [`encode_proof`]. Untrusted input: errors, never panics.
pub fn decode_proof(bytes: &[u8]) -> Result<BProof, crate::ProverError> {
    use bincode::Options as _;
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_limit(256 << 20)
        .deserialize(bytes)
        .map_err(|e| crate::ProverError::MalformedProof(e.to_string()))
}

/// Encodes a verification key (bincode).
pub fn encode_vk(vk: &BVk) -> Result<Vec<u8>, crate::ProverError> {
    bincode::serialize(vk).map_err(|e| crate::ProverError::MalformedProof(e.to_string()))
}

/// Parses key bytes written by [`encode_vk`]. Untrusted input: errors, never panics.
pub fn decode_vk(bytes: &[u8]) -> Result<BVk, crate::ProverError> {
    use bincode::Options as _;
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_limit(16 << 20)
        .deserialize(bytes)
        .map_err(|e| crate::ProverError::MalformedProof(e.to_string()))
}

/// Canonical `u64` of a field element.
pub fn as_u64(x: F) -> u64 {
    x.as_u64_reduced()
}

/// Modulus sanity: the types crate and boojum agree.
pub fn modulus_matches() -> bool {
    F::CHAR == zkstream_types::GOLDILOCKS_MODULUS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modulus() {
        assert!(modulus_matches());
    }

    #[test]
    fn hash_is_deterministic_and_sensitive() {
        let a = hash(&[fe(1), fe(2), fe(3)]);
        assert_eq!(a, hash(&[fe(1), fe(2), fe(3)]));
        assert_ne!(a, hash(&[fe(1), fe(2), fe(4)]));
        assert_ne!(a, hash(&[fe(0), fe(1), fe(2), fe(3)]));
        // Zero padding: trailing zeros are not distinguished, hence fixed-length layouts everywhere.
        assert_eq!(a, hash(&[fe(1), fe(2), fe(3), fe(0)]));
    }
}
