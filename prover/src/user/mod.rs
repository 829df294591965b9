//! User-proof mode, native side: program ids, commitments and public inputs of users' boojum proofs,
//! the native checks a submission must pass before it may enter a chunk, and the sequential reference
//! aggregation (the oracle of the dataflow's user-proof mode).
//!
//! Here: the errors, program ids and commitments. By concern: `summary` (a chunk's or node's public
//! input), `check` (the checks a submission passes), `sample` (sample programs per gate set), `tree`
//! (chunk and node proofs, the aggregate's check), `reference` (the sequential aggregation).

mod check;
mod reference;
mod sample;
mod summary;
mod tree;

use zkstream_aggregation::{commitment, keccak256, MerkleTree};

use crate::circuits::user::{root_words, BOOJUM_SYSTEM_ID, SUMMARY_PUBLIC_INPUTS};
use crate::circuits::Layout;
use crate::error::ProverError;
use crate::field::{vk_commitment, BProof, BVk};
use crate::keys::{CircuitId, UserFamily, USER_LAYOUTS};
use crate::layers::{verify_native, Prover};

pub use check::{MAX_USER_DOMAIN, MAX_USER_PUBLIC_INPUTS};
pub use reference::{
    aggregate_user_proofs, group_by_family, order_by_program, run_family, tree_plan,
    ReferenceAggregate,
};
pub use summary::Summary;
use summary::{merkle_root, public_inputs_u64};

/// Why a user's proof cannot be aggregated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserProofError {
    /// The key is not of a circuit zkstream can verify recursively (the reason says which part).
    #[error("unsupported circuit: {0}")]
    Unsupported(String),
    /// The proof's FRI parameters are not the supported ones.
    #[error("unsupported proof configuration")]
    UnsupportedConfig,
    /// The program id is not the commitment of the given key.
    #[error("program id {given} is not the commitment of the key ({actual})")]
    WrongProgramId {
        /// Claimed.
        given: String,
        /// Computed.
        actual: String,
    },
    /// The public inputs given are not the proof's.
    #[error("public inputs do not match the proof's")]
    WrongPublicInputs,
    /// The proof does not verify under the key.
    #[error("the proof does not verify under the program's key")]
    DoesNotVerify,
}

impl UserProofError {
    /// Whether trying again can help: never — a submission refused for its key, inputs or proof is refused again.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// The program id of a key: the bytes of its commitment (Poseidon2 of its setup cap).
pub fn program_id(vk: &BVk) -> [u8; 32] {
    vk_commitment(vk).to_bytes()
}

/// A boojum proof's public inputs as bytes: each element's canonical value, 8 bytes big-endian.
pub fn public_input_bytes(proof: &BProof) -> Vec<u8> {
    proof
        .public_inputs
        .iter()
        .flat_map(|x| crate::field::as_u64(*x).to_be_bytes())
        .collect()
}

/// The commitment of a user's boojum proof (the leaf of its aggregate).
pub fn user_commitment(vk: &BVk, proof: &BProof) -> [u8; 32] {
    commitment(
        BOOJUM_SYSTEM_ID,
        &program_id(vk),
        &public_input_bytes(proof),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::UserShape;

    fn leaves(n: usize) -> Vec<[u8; 32]> {
        (0..n)
            .map(|i| keccak256(&(i as u64 * 7919).to_be_bytes()))
            .collect()
    }

    /// The node rule (children's summaries only) gives exactly the summary of the leaves — Aligned's
    /// root — for every count, chunk size, arity and depth.
    #[test]
    fn combined_summaries_are_the_summary_of_the_leaves() {
        for (chunk, arity, levels) in [(2, 2, 1), (2, 2, 2), (4, 2, 3), (2, 4, 2), (1, 2, 2)] {
            let shape = UserShape {
                program_rounds: 1,
                proofs_per_chunk: chunk,
                node_arity: arity,
                levels,
            };
            for n in 1..=shape.proofs_per_aggregate() {
                let all = leaves(n);
                let mut level: Vec<Summary> = all
                    .chunks(chunk)
                    .map(|c| Summary::of_leaves(c, chunk).unwrap())
                    .collect();
                for l in 1..=levels {
                    level = level
                        .chunks(arity)
                        .map(|g| Summary::combine(g, shape.capacity_at(l - 1), arity).unwrap())
                        .collect();
                }
                assert_eq!(level.len(), 1);
                let expected = Summary::of_leaves(&all, shape.proofs_per_aggregate()).unwrap();
                assert_eq!(
                    level[0], expected,
                    "chunk {chunk} arity {arity} levels {levels} n {n}"
                );
                assert_eq!(level[0].root, MerkleTree::new(&all).unwrap().root());
                let plan = tree_plan(&shape, n).unwrap();
                assert_eq!(plan.len() as u32, levels + 1);
                assert_eq!(plan[plan.len() - 1], 1);
                assert_eq!(
                    Summary::from_public_inputs(&expected.public_inputs()),
                    Some(expected)
                );
            }
            assert!(tree_plan(&shape, shape.proofs_per_aggregate() + 1).is_err());
        }
    }

    #[test]
    fn a_partial_child_before_the_last_is_refused() {
        let a = Summary::of_leaves(&leaves(1), 2).unwrap();
        let b = Summary::of_leaves(&leaves(2), 2).unwrap();
        assert!(Summary::combine(&[a, b], 2, 2).is_err());
        assert!(Summary::combine(&[b, a], 2, 2).is_ok());
        assert!(Summary::combine(&[b, b, a], 2, 2).is_err());
        assert!(Summary::from_public_inputs(&[1; 9]).is_none());
    }

    #[test]
    fn programs_of_other_sizes_and_gate_sets_are_other_families_and_unknown_gate_sets_are_refused()
    {
        crate::init_resolver_threads();
        let keys = crate::KeyStore::open(
            None,
            crate::ProofProfile::test(),
            crate::TreeShape::default(),
            1,
            2,
        )
        .unwrap();
        let prover = Prover::new(std::sync::Arc::new(keys), 2);
        let small = prover.keys().vk(CircuitId::UserProgram(16, 1)).unwrap();
        let other_salt = prover.keys().vk(CircuitId::UserProgram(16, 2)).unwrap();
        let big = prover.keys().vk(CircuitId::UserProgram(600, 1)).unwrap();
        eprintln!(
            "domains: 16 rounds {}, 600 rounds {}",
            small.fixed_parameters.domain_size, big.fixed_parameters.domain_size
        );
        let f = prover.user_family(&small).unwrap();
        assert_eq!(prover.user_family(&other_salt).unwrap(), f);
        let g = prover.user_family(&big).unwrap();
        assert_ne!(f, g);
        // Each family's template is known to the key store (the chunk verifier is built from it).
        assert_eq!(
            prover
                .keys()
                .user_family_template(g)
                .unwrap()
                .fixed_parameters,
            big.fixed_parameters
        );
        assert!(prover.keys().user_family_template(UserFamily(7)).is_err());
        // Any circuit built with the user gate set is supported — zkstream's own Poseidon2 basic
        // circuit is one — and a key of another geometry is refused, saying why.
        let basic = prover
            .keys()
            .vk(CircuitId::Basic(zkstream_types::CircuitType::POSEIDON2))
            .unwrap();
        assert!(prover.user_family(&basic).is_ok());
        // The SHA-256 basic circuit's key: the second gate set (lookups), a family of its own.
        let sha = prover
            .keys()
            .vk(CircuitId::Basic(zkstream_types::CircuitType::SHA256))
            .unwrap();
        let h = prover.user_family(&sha).unwrap();
        assert_ne!(h, f);
        assert_eq!(prover.keys().user_family_layout(h).unwrap(), Layout::Sha);
        assert_eq!(prover.keys().user_family_layout(f).unwrap(), Layout::Plain);
        // The recursion gate set: zkstream's own leaf and node keys (recursive proofs).
        let t = zkstream_types::CircuitType::POSEIDON2;
        let leaf = prover.keys().vk(CircuitId::Leaf(t)).unwrap();
        let node = prover.keys().vk(CircuitId::Node(t, 1)).unwrap();
        for key in [&leaf, &node] {
            let r = prover.user_family(key).unwrap();
            assert_ne!(r, f);
            assert_ne!(r, h);
            assert_eq!(
                prover.keys().user_family_layout(r).unwrap(),
                Layout::Recursion
            );
        }
        let mut other_tables = sha.clone();
        other_tables.fixed_parameters.total_tables_len += 1;
        assert!(prover.user_family(&other_tables).is_err());
        let mut other = small.clone();
        other.fixed_parameters.parameters.num_witness_columns += 1;
        match prover.user_family(&other) {
            Err(UserProofError::Unsupported(reason)) => {
                assert!(reason.contains("gate set"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        // Too many public inputs, or a domain past the limit.
        let mut wide = small.clone();
        wide.fixed_parameters.public_inputs_locations = vec![(0, 0); MAX_USER_PUBLIC_INPUTS + 1];
        assert!(prover.user_family(&wide).is_err());
        let mut huge = small.clone();
        huge.fixed_parameters.domain_size = MAX_USER_DOMAIN * 2;
        assert!(prover.user_family(&huge).is_err());
    }

    #[test]
    fn aligned_sized_runs_fit_a_two_level_tree() {
        // 6 blobs of commitments (23,808) with 32-proof chunks and 32-child nodes.
        let shape = UserShape {
            program_rounds: 16,
            proofs_per_chunk: 32,
            node_arity: 32,
            levels: 2,
        };
        assert_eq!(tree_plan(&shape, 23_808).unwrap(), vec![744, 24, 1]);
    }
}
