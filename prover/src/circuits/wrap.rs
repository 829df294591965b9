//! The wrap layer's circuit: it verifies one proof, the batch's scheduler proof or the top node of a
//! user family's aggregation tree, against its key (circuit constants) and exposes what that proof
//! commits to in the form the PLONK wrapper takes: four public inputs of 56 bits each (the low 56 bits
//! of four field elements, range-checked, from their canonical 64-bit form). The wrapper packs them
//! into one BN254 scalar (`crate::wrap`), so a wrapped proof binds 224 bits.
//!
//! - A batch ([`WrappedInput::Commitment`]): the four elements are the scheduler's public input, the
//!   batch commitment itself.
//! - An aggregate ([`WrappedInput::Summary`]): the top node's public input is 25 elements (the count,
//!   then the root, the full root and the last leaf as 32-bit words); the four elements are the
//!   Poseidon2 hash of the first nine, the count and the root ([`aggregate_commitment`]), which is all
//!   an aggregation record claims.
//!
//! Its proof is made with a tree hasher and transcript over BN254 (`crate::wrap::layer`), which is
//! what lets the wrapper verify it cheaply; the circuit itself is a Goldilocks circuit like the others.

use boojum::cs::implementations::prover::ProofConfig;
use boojum::cs::traits::cs::ConstraintSystem;
use boojum::field::{Field, PrimeField, SmallField};
use boojum::gadgets::boolean::Boolean;
use boojum::gadgets::num::Num;
use boojum::gadgets::recursion::allocated_vk::AllocatedVerificationKey;
use boojum::gadgets::traits::allocatable::CSAllocatable;

use super::config::{expose, touch_all_gates, Layout};
use super::recursive::{verifier_for, verify_child_all};
use super::user::{root_words, SUMMARY_PUBLIC_INPUTS};
use super::Circuit;
use crate::field::{fe, hash, hash_circuit, BProof, BVk, F, RH};

/// Bits of each public input of the wrap layer: what the wrapper range-checks and packs (four of them
/// fit one BN254 scalar).
pub const LIMB_BITS: usize = 56;

/// Public inputs of a top node hashed into an aggregate's wrapped input: the count and the root's
/// eight words.
const SUMMARY_CLAIM: usize = 9;

/// What the wrapped proof's public input is, and so what the wrap layer exposes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WrappedInput {
    /// Four elements (a batch commitment), exposed as their limbs.
    Commitment,
    /// An aggregation tree node's summary: the limbs of the hash of its count and root.
    Summary,
}

/// The wrap layer: verifies one proof (its key, layout and proof configuration are constants; the
/// proof is the witness) and exposes what it commits to as four 56-bit limbs.
pub struct WrapLayerCircuit {
    /// The wrapped proof's key (constants).
    pub child_vk: BVk,
    /// The wrapped proof's configuration.
    pub child_layout: Layout,
    /// The wrapped proof's FRI parameters.
    pub child_config: ProofConfig,
    /// What its public input is.
    pub input: WrappedInput,
    /// The wrapped proof (None during setup).
    pub witness: Option<BProof>,
}

impl Circuit for WrapLayerCircuit {
    fn layout(&self) -> Layout {
        Layout::Recursion
    }

    fn max_trace_len(&self) -> usize {
        1 << 16
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let verifier = verifier_for(cs, self.child_layout);
        let truth = Boolean::allocated_constant(cs, true);
        let vk = AllocatedVerificationKey::<F, RH>::allocate_constant(cs, self.child_vk.clone());
        let (valid, pi) = verify_child_all(
            cs,
            &verifier,
            &vk,
            &self.child_vk,
            &self.child_config,
            self.witness.clone(),
        );
        let width = match self.input {
            WrappedInput::Commitment => 4,
            WrappedInput::Summary => SUMMARY_PUBLIC_INPUTS,
        };
        let zero = Num::allocated_constant(cs, F::ZERO);
        let pi: Vec<Num<F>> = (0..width)
            .map(|i| pi.get(i).copied().unwrap_or(zero))
            .collect();
        Boolean::enforce_equal(cs, &valid, &truth);
        let elements: [Num<F>; 4] = match self.input {
            WrappedInput::Commitment => [pi[0], pi[1], pi[2], pi[3]],
            WrappedInput::Summary => hash_circuit(cs, &pi[..SUMMARY_CLAIM]),
        };
        let limbs = elements.map(|e| low_limb(cs, e));
        touch_all_gates(cs);
        expose(cs, &limbs);
    }
}

/// The low [`LIMB_BITS`] bits of `e`, taken from its canonical binary form: the 64 bits are checked
/// to be below the modulus `2^64 - 2^32 + 1` (when the high 32 bits are all ones, the low 32 are
/// zero), so no second decomposition (`e + p`) can give other low bits.
fn low_limb<CS: ConstraintSystem<F>>(cs: &mut CS, e: Num<F>) -> Num<F> {
    let bits = e.spread_into_bits::<CS, 64>(cs);
    let weighted = |bits: &[Boolean<F>]| -> Vec<_> {
        bits.iter()
            .zip(F::SHIFTS)
            .map(|(b, shift)| (b.get_variable(), *shift))
            .collect()
    };
    let high_ones = Boolean::multi_and(cs, &bits[32..]);
    let low32 = Num::linear_combination(cs, &weighted(&bits[..32]));
    let guarded = Num::from_variable(high_ones.get_variable()).mul(cs, &low32);
    let zero = Num::allocated_constant(cs, F::ZERO);
    Num::enforce_equal(cs, &guarded, &zero);
    Num::linear_combination(cs, &weighted(&bits[..LIMB_BITS]))
}

/// The limbs [`WrapLayerCircuit`] exposes for a commitment given as canonical `u64`s.
pub fn limbs_of(commitment: &[u64; 4]) -> [u64; 4] {
    commitment.map(|e| (e % F::CHAR) & ((1 << LIMB_BITS) - 1))
}

/// What a wrapped aggregate commits to, computed natively: the Poseidon2 hash of `n` and the root's
/// eight 32-bit words, the elements whose limbs [`WrappedInput::Summary`] exposes.
pub fn aggregate_commitment(n: u64, root: &[u8; 32]) -> [u64; 4] {
    let mut elements = vec![fe(n)];
    elements.extend(root_words(root).map(fe));
    hash(&elements).map(crate::field::as_u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_aggregate_commitment_binds_the_count_and_the_root() {
        let root = [7u8; 32];
        let mut other = root;
        other[31] ^= 1;
        let c = aggregate_commitment(3, &root);
        assert_eq!(c, aggregate_commitment(3, &root));
        assert_ne!(c, aggregate_commitment(4, &root));
        assert_ne!(c, aggregate_commitment(3, &other));
        assert!(c.iter().all(|e| *e < F::CHAR));
    }

    #[test]
    fn limbs_are_the_low_56_bits_of_the_canonical_form() {
        let p = F::CHAR;
        assert_eq!(
            limbs_of(&[0, 1 << 56, (1 << 56) - 1, p + 5]),
            [0, 0, (1 << 56) - 1, 5]
        );
    }
}
