//! The wrap layer's circuit: it verifies the scheduler proof, as compression does, and exposes the
//! batch commitment in the form the PLONK wrapper takes: four public inputs of 56 bits each (the low
//! 56 bits of each of the commitment's four field elements, range-checked, from their canonical
//! 64-bit form). The wrapper packs them into one BN254 scalar (`crate::wrap`), so a wrapped proof
//! binds 224 bits of the commitment.
//!
//! Its proof is made with a tree hasher and transcript over BN254 (`crate::wrap::layer`), which is
//! what lets the wrapper verify it cheaply; the circuit itself is a Goldilocks circuit like the others.

use boojum::cs::traits::cs::ConstraintSystem;
use boojum::field::{Field, PrimeField, SmallField};
use boojum::gadgets::boolean::Boolean;
use boojum::gadgets::num::Num;

use super::config::{expose, touch_all_gates, Layout};
use super::{Circuit, CompressionCircuit};
use crate::field::F;

/// Bits of each public input of the wrap layer: what the wrapper range-checks and packs (four of them
/// fit one BN254 scalar).
pub const LIMB_BITS: usize = 56;

/// The wrap layer: compression's in-circuit verification of the scheduler proof (its key, layout
/// and proof configuration, and the proof as witness), exposing the commitment as four 56-bit limbs.
pub struct WrapLayerCircuit(pub CompressionCircuit);

impl Circuit for WrapLayerCircuit {
    fn layout(&self) -> Layout {
        self.0.layout()
    }

    fn max_trace_len(&self) -> usize {
        self.0.max_trace_len()
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let pi = self.0.verify_scheduler(cs);
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
