//! The wrap layer's circuit: it verifies the scheduler proof, as compression does, and exposes the
//! batch commitment in the form the PLONK wrapper takes: four public inputs of 56 bits each (the low
//! 56 bits of each of the commitment's four field elements, range-checked, from their canonical
//! 64-bit form). The wrapper packs them into one BN254 scalar (`crate::wrap`), so a wrapped proof
//! binds 224 bits of the commitment.
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
use super::recursive::{recursive_trace_bound, verifier_for, verify_child};
use super::Circuit;
use crate::field::{BProof, BVk, F, RH};

/// Bits of each public input of the wrap layer: what the wrapper range-checks and packs (four of them
/// fit one BN254 scalar).
pub const LIMB_BITS: usize = 56;

/// The wrap layer: verifies the scheduler proof and exposes its commitment as four 56-bit limbs.
pub struct WrapLayerCircuit {
    /// The scheduler's key (constants).
    pub scheduler_vk: BVk,
    /// The scheduler's configuration.
    pub child_layout: Layout,
    /// The scheduler's proof configuration.
    pub child_config: ProofConfig,
    /// The scheduler proof (None during setup).
    pub witness: Option<BProof>,
}

impl Circuit for WrapLayerCircuit {
    fn layout(&self) -> Layout {
        Layout::Recursion
    }

    fn max_trace_len(&self) -> usize {
        recursive_trace_bound(1)
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let verifier = verifier_for(cs, self.child_layout);
        let truth = Boolean::allocated_constant(cs, true);
        let vk =
            AllocatedVerificationKey::<F, RH>::allocate_constant(cs, self.scheduler_vk.clone());
        let (valid, pi) = verify_child(
            cs,
            &verifier,
            &vk,
            &self.scheduler_vk,
            &self.child_config,
            self.witness.clone(),
        );
        Boolean::enforce_equal(cs, &valid, &truth);
        let limbs = pi.map(|e| low_limb(cs, e));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limbs_are_the_low_56_bits_of_the_canonical_form() {
        let p = F::CHAR;
        assert_eq!(
            limbs_of(&[0, 1 << 56, (1 << 56) - 1, p + 5]),
            [0, 0, (1 << 56) - 1, 5]
        );
    }
}
