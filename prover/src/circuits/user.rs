//! User-proof mode: circuits over users' boojum proofs.
//!
//! - [`UserProgramCircuit`]: a small "user program" (Poseidon2 preimage knowledge with a program-specific
//!   constant), so tests, the demo and benchmarks have real user proofs under many different keys: the
//!   same number of rounds gives the same fixed parameters (one family), another number a bigger or
//!   smaller domain (another family).
//! - [`UserChunkCircuit`]: verifies up to `capacity` user proofs, each under its *own* verification key
//!   (a witness: programs are registered at run time, not at setup), computes in-circuit each proof's
//!   commitment `keccak256(u16_be(0x0b00) ‖ program_id ‖ public_inputs)` with
//!   `program_id = bytes(Poseidon2(vk cap))` and `public_inputs` = each element as 8 big-endian bytes,
//!   and the chunk's summary (below).
//! - [`UserNodeCircuit`]: a node of the aggregation tree over chunk proofs (level 1) or nodes (above):
//!   verifies up to `arity` children under a constant key and combines their summaries — no leaf is
//!   re-hashed, so a node costs `arity` verifications and about `arity` keccaks whatever its size.
//!
//! A chunk's or node's public input is its subtree's *summary*: `[n, root, full root, last leaf]`, each
//! hash as 8 big-endian u32 words; `root` is Aligned's tree over its `n` leaves (padded with the last
//! leaf to the next power of two), `full root` the tree over its leaves padded to its capacity. Every
//! child but the last of a node is full, so leaves sit at fixed positions and the top node's `[n, root]`
//! is exactly Aligned's root over the run's commitments in order.

use boojum::config::{CSConfig, CSWitnessEvaluationConfig};
use boojum::cs::gates::UIntXAddGate;
use boojum::cs::implementations::prover::ProofConfig;
use boojum::cs::traits::cs::ConstraintSystem;
use boojum::cs::Place;
use boojum::field::{Field, U64Representable};
use boojum::gadgets::boolean::Boolean;
use boojum::gadgets::num::Num;
use boojum::gadgets::recursion::allocated_vk::AllocatedVerificationKey;
use boojum::gadgets::traits::allocatable::CSAllocatable;
use boojum::gadgets::traits::selectable::Selectable;
use boojum::gadgets::u8::UInt8;

use super::config::{expose, touch_all_gates, Layout};
use super::keccak::keccak256;
use super::recursive::{enforce_equal_if, verifier_for, verify_child_all};
use super::Circuit;
use crate::field::{fe, hash_circuit, BProof, BVk, F, RH};

/// The proving-system id of boojum proofs in commitments (zkstream's; Aligned has none).
pub const BOOJUM_SYSTEM_ID: u16 = 0x0b00;

/// The leading public inputs of a chunk or a node that users check: the count, then the root as 8 words.
pub const ROOT_PUBLIC_INPUTS: usize = 9;

/// Every public input of a chunk or a node (its subtree's summary): the count, the root (over the
/// leaves padded to the next power of two), the full root (over the leaves padded to the circuit's
/// capacity) and the last leaf, each hash as 8 words.
pub const SUMMARY_PUBLIC_INPUTS: usize = 25;

/// `x` as `N` big-endian bytes, each range-checked, recombined and enforced equal to `x` (unique for
/// `N <= 4`; [`be_bytes`] adds the canonical check for 8).
fn decompose<CS: ConstraintSystem<F>, const N: usize>(cs: &mut CS, x: Num<F>) -> [UInt8<F>; N] {
    let vars = cs.alloc_multiple_variables_without_values::<N>();
    if <CS::Config as CSConfig>::WitnessConfig::EVALUATE_WITNESS {
        let value_fn = |input: [F; 1]| -> [F; N] {
            let v = input[0].as_u64_reduced();
            std::array::from_fn(|i| F::from_u64_unchecked((v >> (8 * (N - 1 - i))) & 0xff))
        };
        cs.set_values_with_dependencies(
            &[x.get_variable().into()],
            &Place::from_variables(vars),
            value_fn,
        );
    }
    let bytes = vars.map(|v| UInt8::from_variable_checked(cs, v));
    let terms: Vec<(boojum::cs::Variable, F)> = bytes
        .iter()
        .enumerate()
        .map(|(i, b)| (b.get_variable(), fe(1u64 << (8 * (N - 1 - i)))))
        .collect();
    let sum = Num::linear_combination(cs, &terms);
    Num::enforce_equal(cs, &sum, &x);
    bytes
}

/// Field-element bytes: 8 big-endian bytes of the canonical value (the decomposition is unique: a value
/// at or above the modulus is refused).
fn be_bytes<CS: ConstraintSystem<F>>(cs: &mut CS, x: Num<F>) -> [UInt8<F>; 8] {
    let bytes = decompose::<CS, 8>(cs, x);
    // Canonical: high word 0xffffffff forces low word 0 (p = 2^64 - 2^32 + 1).
    let ff = UInt8::allocated_constant(cs, 0xff);
    let mut high_all_ff = Boolean::allocated_constant(cs, true);
    for b in &bytes[..4] {
        let e = UInt8::equals(cs, b, &ff);
        high_all_ff = high_all_ff.and(cs, e);
    }
    let mut low_zero = Boolean::allocated_constant(cs, true);
    for b in &bytes[4..] {
        let z = b.is_zero(cs);
        low_zero = low_zero.and(cs, z);
    }
    let not_high = high_all_ff.negated(cs);
    let ok = low_zero.or(cs, not_high);
    let truth = Boolean::allocated_constant(cs, true);
    Boolean::enforce_equal(cs, &ok, &truth);
    bytes
}

/// `a < b` for 32-byte big-endian values (a borrow chain of 8-bit subtractions).
fn less_than<CS: ConstraintSystem<F>>(
    cs: &mut CS,
    a: &[UInt8<F>; 32],
    b: &[UInt8<F>; 32],
) -> Boolean<F> {
    let mut borrow = Boolean::allocated_constant(cs, false);
    for i in (0..32).rev() {
        let (diff, borrow_out) = UIntXAddGate::<8>::perform_subtraction(
            cs,
            a[i].get_variable(),
            b[i].get_variable(),
            borrow.get_variable(),
        );
        let _ = UInt8::from_variable_checked(cs, diff);
        borrow = Boolean::from_variable_checked(cs, borrow_out);
    }
    borrow
}

/// `keccak256(min(a, b) ‖ max(a, b))`.
fn hash_pair<CS: ConstraintSystem<F>>(
    cs: &mut CS,
    a: &[UInt8<F>; 32],
    b: &[UInt8<F>; 32],
) -> [UInt8<F>; 32] {
    let lt = less_than(cs, a, b);
    let mut input = Vec::with_capacity(64);
    for i in 0..32 {
        input.push(UInt8::conditionally_select(cs, lt, &a[i], &b[i]));
    }
    for i in 0..32 {
        input.push(UInt8::conditionally_select(cs, lt, &b[i], &a[i]));
    }
    keccak256(cs, &input)
}

fn select32<CS: ConstraintSystem<F>>(
    cs: &mut CS,
    flag: Boolean<F>,
    a: &[UInt8<F>; 32],
    b: &[UInt8<F>; 32],
) -> [UInt8<F>; 32] {
    std::array::from_fn(|i| UInt8::conditionally_select(cs, flag, &a[i], &b[i]))
}

/// The two roots of a level of `slots` (a power of two; slots past the active prefix already hold their
/// padding): the *prefix root*, the leftmost node at the level of `next_power_of_two(active count)` (with
/// `first` standing for a single active slot), and the *full root* over every slot.
fn tree_roots<CS: ConstraintSystem<F>>(
    cs: &mut CS,
    mut level: Vec<[UInt8<F>; 32]>,
    active: &[Boolean<F>],
    first: [UInt8<F>; 32],
) -> ([UInt8<F>; 32], [UInt8<F>; 32]) {
    debug_assert!(level.len().is_power_of_two() && active.len() == level.len());
    let mut leftmost = vec![first];
    while level.len() > 1 {
        level = level
            .chunks(2)
            .map(|p| hash_pair(cs, &p[0], &p[1]))
            .collect();
        leftmost.push(level[0]);
    }
    // Level j is the prefix root when 2^(j-1) < n <= 2^j: slot 2^(j-1) active, slot 2^j not (or absent).
    let falsity = Boolean::allocated_constant(cs, false);
    let at = |i: usize| active.get(i).copied().unwrap_or(falsity);
    let mut root = leftmost[0];
    for (j, node) in leftmost.iter().enumerate().skip(1) {
        let above = at(1 << (j - 1));
        let beyond = at(1 << j).negated(cs);
        let flag = above.and(cs, beyond);
        root = select32(cs, flag, node, &root);
    }
    (root, level[0])
}

/// A subtree's summary as public input: `[n, prefix root words, full root words, last leaf words]`.
fn expose_summary<CS: ConstraintSystem<F>>(
    cs: &mut CS,
    n: Num<F>,
    prefix: &[UInt8<F>; 32],
    full: &[UInt8<F>; 32],
    last: &[UInt8<F>; 32],
) {
    let mut out = vec![n];
    out.extend(words(cs, prefix));
    out.extend(words(cs, full));
    out.extend(words(cs, last));
    debug_assert_eq!(out.len(), SUMMARY_PUBLIC_INPUTS);
    touch_all_gates(cs);
    expose(cs, &out);
}

/// The bytes of 8 big-endian u32 words (each decomposition range-checks its word).
fn word_bytes<CS: ConstraintSystem<F>>(cs: &mut CS, w: &[Num<F>]) -> [UInt8<F>; 32] {
    debug_assert_eq!(w.len(), 8);
    let mut out = [UInt8::allocated_constant(cs, 0); 32];
    for (k, x) in w.iter().enumerate() {
        out[4 * k..4 * k + 4].copy_from_slice(&decompose::<CS, 4>(cs, *x));
    }
    out
}

/// 32 bytes as 8 big-endian u32 words (each below 2^32, so a field element).
fn words<CS: ConstraintSystem<F>>(cs: &mut CS, bytes: &[UInt8<F>; 32]) -> [Num<F>; 8] {
    std::array::from_fn(|w| {
        let terms: Vec<(boojum::cs::Variable, F)> = (0..4)
            .map(|i| (bytes[4 * w + i].get_variable(), fe(1u64 << (24 - 8 * i))))
            .collect();
        Num::linear_combination(cs, &terms)
    })
}

/// Native mirror of [`words`].
pub fn root_words(root: &[u8; 32]) -> [u64; 8] {
    std::array::from_fn(|w| {
        u32::from_be_bytes([
            root[4 * w],
            root[4 * w + 1],
            root[4 * w + 2],
            root[4 * w + 3],
        ]) as u64
    })
}

/// A prefix of slots: slot 0 always active, then `active[k] → active[k-1]`.
fn prefix_flags<CS: ConstraintSystem<F>>(
    cs: &mut CS,
    count: usize,
    used: usize,
) -> Vec<Boolean<F>> {
    let truth = Boolean::allocated_constant(cs, true);
    let mut flags = vec![truth];
    for k in 1..count {
        let a = Boolean::allocate(cs, k < used);
        let prev = flags[k - 1];
        let both = a.and(cs, prev);
        Boolean::enforce_equal(cs, &both, &a);
        flags.push(a);
    }
    flags
}

fn count_of<CS: ConstraintSystem<F>>(cs: &mut CS, flags: &[Boolean<F>]) -> Num<F> {
    let terms: Vec<(boojum::cs::Variable, F)> =
        flags.iter().map(|b| (b.get_variable(), F::ONE)).collect();
    Num::linear_combination(cs, &terms)
}

fn enforce_true<CS: ConstraintSystem<F>>(cs: &mut CS, b: Boolean<F>) {
    let truth = Boolean::allocated_constant(cs, true);
    Boolean::enforce_equal(cs, &b, &truth);
}

/// A user program for tests, demos and benchmarks: knowledge of a 4-element secret whose Poseidon2 chain
/// (seeded with the program's constant `salt`, `rounds` times) ends at the public output. Programs with
/// different salts have different keys and identical fixed parameters.
pub struct UserProgramCircuit {
    /// The program's constant (part of its setup, so of its key).
    pub salt: u64,
    /// Hash rounds (fixed for every program of a deployment).
    pub rounds: usize,
    /// The secret (absent during setup).
    pub secret: Option<[u64; 4]>,
}

/// Native mirror of [`UserProgramCircuit`]'s output.
pub fn user_program_output(salt: u64, rounds: usize, secret: [u64; 4]) -> [u64; 4] {
    let mut state = secret.map(fe);
    for _ in 0..rounds {
        let mut input = state.to_vec();
        input.push(fe(salt));
        state = crate::field::hash(&input);
    }
    state.map(|x| x.as_u64_reduced())
}

impl Circuit for UserProgramCircuit {
    fn layout(&self) -> Layout {
        Layout::Plain
    }

    fn max_trace_len(&self) -> usize {
        (self.rounds * 8 + 2048).next_power_of_two()
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let secret = self.secret.unwrap_or_default();
        let mut state: [Num<F>; 4] = secret.map(|x| Num::allocate(cs, fe(x)));
        let salt = Num::allocated_constant(cs, fe(self.salt));
        for _ in 0..self.rounds {
            let mut input = state.to_vec();
            input.push(salt);
            state = hash_circuit(cs, &input);
        }
        touch_all_gates(cs);
        expose(cs, &state);
    }
}

/// Verifies up to `capacity` user proofs of one family (each under its own witness key, with the
/// family's fixed parameters) and commits to the Merkle root of their commitments.
pub struct UserChunkCircuit {
    /// Proof slots (a power of two).
    pub capacity: usize,
    /// A key of the family: its fixed parameters build the verifier (its cap is not used).
    pub template_vk: BVk,
    /// The users' circuits' configuration.
    pub child_layout: Layout,
    /// The users' proofs' FRI parameters.
    pub child_config: ProofConfig,
    /// (key, proof) per user proof, in leaf order (empty during setup).
    pub children: Vec<(BVk, BProof)>,
}

impl Circuit for UserChunkCircuit {
    fn layout(&self) -> Layout {
        Layout::Keccak
    }

    fn max_trace_len(&self) -> usize {
        // The XOR table takes 64 K rows; ~11 K rows per recursive verification; a keccak permutation
        // ~4.9 K rows of lookups (see `keccak`).
        (self.capacity * 32768 + (1 << 18)).next_power_of_two()
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let verifier = verifier_for(cs, self.child_layout);
        let active = prefix_flags(cs, self.capacity, self.children.len());
        let mut leaves = Vec::with_capacity(self.capacity);
        for (k, flag) in active.iter().enumerate() {
            // Inactive slots verify a copy of the first proof: well-formed; their leaf is replaced.
            let (vk, proof) = match self.children.get(k).or(self.children.first()) {
                Some((vk, proof)) => (vk.clone(), Some(proof.clone())),
                None => (self.template_vk.clone(), None),
            };
            let allocated = AllocatedVerificationKey::<F, RH>::allocate(cs, vk);
            let (valid, pi) = verify_child_all(
                cs,
                &verifier,
                &allocated,
                &self.template_vk,
                &self.child_config,
                proof,
            );
            let inactive = flag.negated(cs);
            let ok = valid.or(cs, inactive);
            enforce_true(cs, ok);
            let cap: Vec<Num<F>> = allocated
                .setup_merkle_tree_cap
                .iter()
                .flat_map(|c| c.iter().copied())
                .collect();
            let program = hash_circuit(cs, &cap);
            let mut input = vec![
                UInt8::allocated_constant(cs, (BOOJUM_SYSTEM_ID >> 8) as u8),
                UInt8::allocated_constant(cs, BOOJUM_SYSTEM_ID as u8),
            ];
            for x in program.iter().chain(pi.iter()) {
                input.extend(be_bytes(cs, *x));
            }
            leaves.push(keccak256(cs, &input));
        }
        // Slots past the prefix hold copies of the last active leaf: Aligned's padding.
        let mut slots = Vec::with_capacity(self.capacity);
        slots.push(leaves[0]);
        for k in 1..self.capacity {
            let prev = slots[k - 1];
            slots.push(select32(cs, active[k], &leaves[k], &prev));
        }
        let last = slots[self.capacity - 1];
        let (prefix, full) = tree_roots(cs, slots, &active, leaves[0]);
        let n = count_of(cs, &active);
        expose_summary(cs, n, &prefix, &full, &last);
    }
}

/// A node of the aggregation tree: verifies up to `arity` children (chunk proofs at level 1, nodes of
/// the level below above it; constant key) and combines their summaries into its own, hashing only
/// `arity − 1` pairs plus the padding chain — the leaves themselves are not needed.
///
/// With children `0..k` active, each of `child_capacity` leaves and all but the last full, the node's
/// leaves padded to its capacity with the last leaf `L` are: the children's padded subtrees, then
/// subtrees made only of `L`, whose root `Z` is `L` hashed with itself `log2(child_capacity)` times. So
/// its full root is the tree over `[full_0 … full_{k-1}, Z, …]`, and its root over the leaves padded to
/// the next power of two is the leftmost node of that tree at the level of `next_power_of_two(k)` — or
/// the single child's own root when `k = 1`.
pub struct UserNodeCircuit {
    /// Child slots (a power of two).
    pub arity: usize,
    /// Leaves each child holds when full (a power of two).
    pub child_capacity: usize,
    /// The children's key (constant).
    pub child_vk: BVk,
    /// The children's configuration (chunk and node circuits alike: [`Layout::Keccak`]).
    pub child_layout: Layout,
    /// The children's FRI parameters.
    pub child_config: ProofConfig,
    /// Child proofs, in order (empty during setup).
    pub children: Vec<BProof>,
}

impl Circuit for UserNodeCircuit {
    fn layout(&self) -> Layout {
        Layout::Keccak
    }

    fn max_trace_len(&self) -> usize {
        (self.arity * 65536 + (1 << 18)).next_power_of_two()
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let verifier = verifier_for(cs, self.child_layout);
        let vk = AllocatedVerificationKey::<F, RH>::allocate_constant(cs, self.child_vk.clone());
        let active = prefix_flags(cs, self.arity, self.children.len());
        let zero = Num::allocated_constant(cs, F::ZERO);
        let full = Num::allocated_constant(cs, fe(self.child_capacity as u64));
        let mut total = zero;
        let mut summaries = Vec::with_capacity(self.arity);
        for (k, flag) in active.iter().enumerate() {
            // Inactive slots verify a copy of the first child: well-formed; their summary is ignored.
            let child = self.children.get(k).or(self.children.first()).cloned();
            let (valid, pi) = verify_child_all(
                cs,
                &verifier,
                &vk,
                &self.child_vk,
                &self.child_config,
                child,
            );
            let inactive = flag.negated(cs);
            let ok = valid.or(cs, inactive);
            enforce_true(cs, ok);
            let pi: Vec<Num<F>> = (0..SUMMARY_PUBLIC_INPUTS)
                .map(|i| pi.get(i).copied().unwrap_or(zero))
                .collect();
            let n = pi[0];
            // Every active child but the last is full.
            if let Some(next) = active.get(k + 1) {
                enforce_equal_if(cs, *next, &[n], &[full]);
            }
            let add = Num::conditionally_select(cs, *flag, &n, &zero);
            total = total.add(cs, &add);
            let prefix = word_bytes(cs, &pi[1..9]);
            let padded = word_bytes(cs, &pi[9..17]);
            let last = word_bytes(cs, &pi[17..25]);
            summaries.push((prefix, padded, last));
        }
        let mut last = summaries[0].2;
        for (k, flag) in active.iter().enumerate().skip(1) {
            last = select32(cs, *flag, &summaries[k].2, &last);
        }
        // The root of a child-sized subtree of copies of the last leaf.
        let mut z = last;
        for _ in 0..self.child_capacity.trailing_zeros() {
            let mut input = z.to_vec();
            input.extend_from_slice(&z);
            z = keccak256(cs, &input);
        }
        let slots: Vec<[UInt8<F>; 32]> = active
            .iter()
            .zip(&summaries)
            .map(|(flag, s)| select32(cs, *flag, &s.1, &z))
            .collect();
        let (prefix, full_root) = tree_roots(cs, slots, &active, summaries[0].0);
        expose_summary(cs, total, &prefix, &full_root, &last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boojum::field::SmallField;

    #[test]
    fn root_words_are_big_endian_u32s() {
        let mut r = [0u8; 32];
        r[0] = 0x12;
        r[3] = 0x34;
        r[31] = 0x01;
        let w = root_words(&r);
        assert_eq!(w[0], 0x1200_0034);
        assert_eq!(w[7], 1);
        assert!(F::CHAR > u32::MAX as u64);
    }
}
