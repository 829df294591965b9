//! keccak256 in-circuit over a single lookup table: boojum's 8-bit XOR table (2^16 rows).
//!
//! boojum's own keccak256 gadget needs six tables — XOR and AND over byte pairs (2^16 rows each) and
//! four byte-split tables — 132,096 table rows in all, so any circuit that hashes with it has a trace
//! of at least 2^18 rows however little it hashes. The users' chunk and node circuits hash a few times
//! and verify a few proofs: with this gadget their tables fill exactly a 2^16 trace, a quarter of the
//! proving work and memory for small chunks. It needs only the XOR table because:
//! - `a ∧ b = (a + b − (a ⊕ b)) / 2` over the integers, so keccak's χ step `a ⊕ (¬b ∧ c)` is two XOR
//!   lookups and one linear combination: `¬b ∧ c = (c − b + (b ⊕ c)) / 2`;
//! - an unaligned rotation by `s` bits splits each byte `b` by witnessing `h` and defining
//!   `l = 2^s·b − 256·h`; one lookup of the pair `(l, h)` range-checks both as bytes, and the integer
//!   identity `2^s·b = 256·h + l` with `0 ≤ l < 256` then forces `h = b >> (8 − s)` and
//!   `l = (b << s) mod 256` (every term is below 2^17, far from the field's modulus). The rotated byte
//!   is `l_j + h_{j−1}`.
//!
//! Every byte leaving a lookup is a byte; a byte entering the state is range-checked by the first XOR
//! it goes through (θ reads every lane). The round constants and rotation offsets are derived from
//! keccak's definitions (the LFSR and the ρ walk), and checked against the native hash in the tests.

use boojum::config::{CSConfig, CSWitnessEvaluationConfig};
use boojum::cs::gates::ConstantAllocatableCS;
use boojum::cs::traits::cs::ConstraintSystem;
use boojum::cs::Variable;
use boojum::field::{Field, U64Representable};
use boojum::gadgets::num::Num;
use boojum::gadgets::tables::xor8::Xor8Table;
use boojum::gadgets::u8::UInt8;
use std::cell::Cell;

use crate::field::{fe, F};

/// Bytes absorbed per permutation (keccak256: 1600 − 2·256 bits).
const RATE: usize = 136;
/// Rounds of keccak-f[1600].
const ROUNDS: usize = 24;
/// A lane: 8 bytes, least significant first.
type Lane = [Variable; 8];

/// ρ offsets by lane index `x + 5y`: lane (1, 0) first, then the walk `(x, y) → (y, 2x + 3y)`.
fn rho_offsets() -> [u32; 25] {
    let mut r = [0u32; 25];
    let (mut x, mut y) = (1usize, 0usize);
    for t in 0..24u32 {
        r[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64;
        (x, y) = (y, (2 * x + 3 * y) % 5);
    }
    r
}

/// ι constants: bit `2^j − 1` of round `i`'s constant is output `7i + j` of keccak's LFSR
/// (`x^8 + x^6 + x^5 + x^4 + 1`, seeded with 1).
fn round_constants() -> [u64; ROUNDS] {
    let mut lfsr: u8 = 1;
    let mut next_bit = || {
        let bit = lfsr & 1;
        lfsr = if lfsr & 0x80 != 0 {
            (lfsr << 1) ^ 0x71
        } else {
            lfsr << 1
        };
        bit
    };
    std::array::from_fn(|_| {
        (0..7).fold(0u64, |rc, j| {
            rc | (u64::from(next_bit()) << ((1u32 << j) - 1))
        })
    })
}

/// `x` negated in the field.
fn neg(x: F) -> F {
    let mut r = x;
    r.negate();
    r
}

/// One half in the field: `(p + 1) / 2` for Goldilocks `p = 2^64 − 2^32 + 1`.
const HALF: u64 = 0x7fff_ffff_8000_0001;

/// A padded message byte: a circuit variable or a padding constant.
#[derive(Clone, Copy)]
enum Byte {
    Var(Variable),
    Const(u8),
}

/// The gadget's state: the XOR table's id, the byte constants allocated so far and the lookups made
/// (each fills one of the 5 lookup slots of a row).
struct Keccak {
    table: u32,
    constants: [Option<Variable>; 256],
    lookups: Cell<usize>,
}

impl Keccak {
    fn new<CS: ConstraintSystem<F>>(cs: &CS) -> Self {
        let table = cs
            .get_table_id_for_marker::<Xor8Table>()
            .expect("the keccak layout registers the 8-bit XOR table");
        Keccak {
            table,
            constants: [None; 256],
            lookups: Cell::new(0),
        }
    }

    fn constant<CS: ConstraintSystem<F>>(&mut self, cs: &mut CS, v: u8) -> Variable {
        *self.constants[v as usize].get_or_insert_with(|| cs.allocate_constant(fe(v as u64)))
    }

    fn byte<CS: ConstraintSystem<F>>(&mut self, cs: &mut CS, b: Byte) -> Variable {
        match b {
            Byte::Var(v) => v,
            Byte::Const(c) => self.constant(cs, c),
        }
    }

    fn xor<CS: ConstraintSystem<F>>(&self, cs: &mut CS, a: Variable, b: Variable) -> Variable {
        self.lookups.set(self.lookups.get() + 1);
        let [x] = cs.perform_lookup::<2, 1>(self.table, &[a, b]);
        x
    }

    fn xor_lane<CS: ConstraintSystem<F>>(&self, cs: &mut CS, a: &Lane, b: &Lane) -> Lane {
        std::array::from_fn(|j| self.xor(cs, a[j], b[j]))
    }

    /// `a ⊕ (¬b ∧ c)` for bytes.
    fn chi_byte<CS: ConstraintSystem<F>>(
        &self,
        cs: &mut CS,
        a: Variable,
        b: Variable,
        c: Variable,
    ) -> Variable {
        let x = self.xor(cs, b, c);
        let half = fe(HALF);
        let t = Num::linear_combination(cs, &[(c, half), (b, neg(half)), (x, half)]);
        self.xor(cs, a, t.get_variable())
    }

    /// `l = 2^s·b − 256·h`, with `(l, h)` range-checked as bytes by one lookup (module docs).
    fn split_checked<CS: ConstraintSystem<F>>(
        &self,
        cs: &mut CS,
        b: Variable,
        h: Variable,
        s: u32,
    ) -> Variable {
        let l = Num::linear_combination(cs, &[(b, fe(1u64 << s)), (h, neg(fe(256)))]);
        self.lookups.set(self.lookups.get() + 1);
        let _ = cs.perform_lookup::<2, 1>(self.table, &[l.get_variable(), h]);
        l.get_variable()
    }

    /// `(l, h)` of byte `b` for a rotation by `s` bits: `h = b >> (8 − s)`, `l = (b << s) mod 256`.
    fn split<CS: ConstraintSystem<F>>(
        &self,
        cs: &mut CS,
        b: Variable,
        s: u32,
    ) -> (Variable, Variable) {
        let h = cs.alloc_variable_without_value();
        if <CS::Config as CSConfig>::WitnessConfig::EVALUATE_WITNESS {
            cs.set_values_with_dependencies(&[b.into()], &[h.into()], move |[v]: [F; 1]| {
                [F::from_u64_unchecked(v.as_u64_reduced() >> (8 - s))]
            });
        }
        (self.split_checked(cs, b, h, s), h)
    }

    /// The lane rotated left by `r` bits.
    fn rotl<CS: ConstraintSystem<F>>(&self, cs: &mut CS, lane: &Lane, r: u32) -> Lane {
        let q = (r / 8) as usize;
        let s = r % 8;
        let shifted: Lane = std::array::from_fn(|j| lane[(j + 8 - q) % 8]);
        if s == 0 {
            return shifted;
        }
        let parts: Vec<(Variable, Variable)> =
            shifted.iter().map(|b| self.split(cs, *b, s)).collect();
        std::array::from_fn(|j| {
            let (l, _) = parts[j];
            let (_, h) = parts[(j + 7) % 8];
            Num::linear_combination(cs, &[(l, F::ONE), (h, F::ONE)]).get_variable()
        })
    }

    /// keccak-f[1600] on a state of lanes indexed `x + 5y`.
    fn permute<CS: ConstraintSystem<F>>(&mut self, cs: &mut CS, a: &mut [Lane; 25]) {
        let rho = rho_offsets();
        for rc in round_constants() {
            // θ
            let c: [Lane; 5] = std::array::from_fn(|x| {
                let mut t = a[x];
                for y in 1..5 {
                    t = self.xor_lane(cs, &t, &a[x + 5 * y]);
                }
                t
            });
            let d: [Lane; 5] = std::array::from_fn(|x| {
                let r = self.rotl(cs, &c[(x + 1) % 5], 1);
                self.xor_lane(cs, &c[(x + 4) % 5], &r)
            });
            for (i, lane) in a.iter_mut().enumerate() {
                *lane = self.xor_lane(cs, lane, &d[i % 5]);
            }
            // ρ and π: B[y, 2x + 3y] = rot(A[x, y], ρ[x, y]).
            let mut b = *a;
            for x in 0..5 {
                for y in 0..5 {
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = self.rotl(cs, &a[x + 5 * y], rho[x + 5 * y]);
                }
            }
            // χ
            for y in 0..5 {
                for x in 0..5 {
                    let (l0, l1, l2) =
                        (b[x + 5 * y], b[(x + 1) % 5 + 5 * y], b[(x + 2) % 5 + 5 * y]);
                    a[x + 5 * y] = std::array::from_fn(|j| self.chi_byte(cs, l0[j], l1[j], l2[j]));
                }
            }
            // ι
            for (j, byte) in a[0].iter_mut().enumerate() {
                let k = (rc >> (8 * j)) as u8;
                if k != 0 {
                    let kv = self.constant(cs, k);
                    *byte = self.xor(cs, *byte, kv);
                }
            }
        }
    }
}

/// keccak256 (Ethereum's: pad `0x01 … 0x80`) of bytes, in-circuit. The constraint system must have
/// the 8-bit XOR table registered ([`super::config::add_keccak_tables`]).
pub fn keccak256<CS: ConstraintSystem<F>>(cs: &mut CS, input: &[UInt8<F>]) -> [UInt8<F>; 32] {
    keccak256_counted(cs, input).0
}

/// [`keccak256`], and the lookups it made.
fn keccak256_counted<CS: ConstraintSystem<F>>(
    cs: &mut CS,
    input: &[UInt8<F>],
) -> ([UInt8<F>; 32], usize) {
    let mut k = Keccak::new(cs);
    let mut message: Vec<Byte> = input.iter().map(|b| Byte::Var(b.get_variable())).collect();
    let pad = RATE - input.len() % RATE;
    if pad == 1 {
        message.push(Byte::Const(0x81));
    } else {
        message.push(Byte::Const(0x01));
        message.extend(std::iter::repeat_n(Byte::Const(0), pad - 2));
        message.push(Byte::Const(0x80));
    }
    let zero = k.constant(cs, 0);
    let mut state: [Lane; 25] = [[zero; 8]; 25];
    for (n, block) in message.chunks(RATE).enumerate() {
        for (i, byte) in block.iter().enumerate() {
            let slot = &mut state[i / 8][i % 8];
            *slot = match (n, *byte) {
                // The state starts at zero: the first block is the state.
                (0, b) => k.byte(cs, b),
                (_, Byte::Const(0)) => *slot,
                (_, b) => {
                    let v = k.byte(cs, b);
                    k.xor(cs, *slot, v)
                }
            };
        }
        k.permute(cs, &mut state);
    }
    let digest = std::array::from_fn(|i| UInt8::from_variable_checked(cs, state[i / 8][i % 8]));
    (digest, k.lookups.get())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::circuits::config::{touch_all_gates, Layout};
    use crate::circuits::Circuit;
    use crate::keys::assemble;
    use boojum::cs::gates::UIntXAddGate;
    use boojum::field::SmallField;
    use boojum::worker::Worker;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    /// Hashes each message in-circuit and enforces the digest equal to `expected` (constants).
    struct Probe {
        messages: Vec<(Vec<u8>, [u8; 32])>,
        /// A wrong split: (byte, claimed high part, shift).
        bad_split: Option<(u8, u64, u32)>,
        /// Lookups made by the hashes (the last synthesis).
        lookups: Cell<usize>,
    }

    fn probe(messages: Vec<(Vec<u8>, [u8; 32])>, bad_split: Option<(u8, u64, u32)>) -> Probe {
        Probe {
            messages,
            bad_split,
            lookups: Cell::new(0),
        }
    }

    impl Circuit for Probe {
        fn layout(&self) -> Layout {
            Layout::Keccak
        }

        fn max_trace_len(&self) -> usize {
            1 << 16
        }

        fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
            self.lookups.set(0);
            for (msg, expected) in &self.messages {
                let bytes: Vec<UInt8<F>> = msg
                    .iter()
                    .map(|b| {
                        let v = cs.alloc_single_variable_from_witness(fe(*b as u64));
                        UInt8::from_variable_checked(cs, v)
                    })
                    .collect();
                let (digest, n) = keccak256_counted(cs, &bytes);
                self.lookups.set(self.lookups.get() + n);
                for (d, e) in digest.iter().zip(expected) {
                    let want = Num::allocated_constant(cs, fe(*e as u64));
                    Num::enforce_equal(cs, &Num::from_variable(d.get_variable()), &want);
                }
            }
            if let Some((b, h, s)) = self.bad_split {
                let k = Keccak::new(cs);
                let bv = cs.alloc_single_variable_from_witness(fe(b as u64));
                let hv = cs.alloc_single_variable_from_witness(F::from_u64_unchecked(h));
                let _ = k.split_checked(cs, bv, hv, s);
            }
            // The layout's 8-bit add gate must be placed once.
            let zero = cs.allocate_constant(F::ZERO);
            let _ = UIntXAddGate::<8>::perform_subtraction(cs, zero, zero, zero);
            touch_all_gates(cs);
        }
    }

    fn satisfied(probe: &Probe) -> (bool, usize) {
        let worker = Worker::new_with_num_threads(1);
        let check = || {
            let (mut assembly, _, rows) = assemble::<boojum::config::DevCSConfig, _>(probe, None);
            (assembly.check_if_satisfied(&worker), rows)
        };
        catch_unwind(AssertUnwindSafe(check)).unwrap_or((false, 0))
    }

    fn native(msg: &[u8]) -> [u8; 32] {
        zkstream_aggregation::keccak256(msg)
    }

    #[test]
    fn constants_match_keccak() {
        let rc = round_constants();
        assert_eq!(rc[0], 1);
        assert_eq!(rc[1], 0x8082);
        assert_eq!(rc[23], 0x8000_0000_8000_8008);
        let rho = rho_offsets();
        assert_eq!(
            (rho[0], rho[1], rho[2], rho[5], rho[24]),
            (0, 1, 62, 36, 14)
        );
    }

    #[test]
    fn digests_equal_the_native_hash_at_every_padding_edge() {
        // Commitment (2 + 32 + 4·8 bytes) and pair (64) sizes, and both sides of each block edge.
        let lengths = [0usize, 1, 64, 66, 135, 136, 137, 300];
        let messages = lengths
            .iter()
            .map(|&n| {
                let m: Vec<u8> = (0..n).map(|i| (i * 37 + n) as u8).collect();
                let d = native(&m);
                (m, d)
            })
            .collect();
        let (ok, rows) = satisfied(&probe(messages, None));
        assert!(ok, "in-circuit keccak256 disagrees with the native hash");
        assert!(rows > 0);
    }

    #[test]
    fn a_wrong_digest_and_a_wrong_split_are_unsatisfiable() {
        let m = b"zkstream".to_vec();
        let mut d = native(&m);
        d[31] ^= 1;
        let (ok, _) = satisfied(&probe(vec![(m, d)], None));
        assert!(!ok, "a wrong digest was accepted");
        // 0xb5 rotated by 3: h = 0xb5 >> 5 = 5. Any other claim must fail, including one whose
        // `2^s·b − 256·h` wraps around the field.
        let (ok, _) = satisfied(&probe(vec![], Some((0xb5, 5, 3))));
        assert!(ok, "the honest split must be satisfiable");
        for h in [4u64, 6, 0, 0xff, F::CHAR - 1] {
            let (ok, _) = satisfied(&probe(vec![], Some((0xb5, h, 3))));
            assert!(!ok, "split with h = {h:#x} was accepted");
        }
    }

    #[test]
    fn one_permutation_fits_3_k_lookup_rows() {
        use crate::circuits::config::KECCAK_LOOKUP_SETS;
        // The pair hash of the Merkle tree: one permutation.
        let m = vec![7u8; 64];
        let d = native(&m);
        let p = probe(vec![(m, d)], None);
        let (ok, rows) = satisfied(&p);
        assert!(ok);
        let lookups = p.lookups.get();
        let lookup_rows = lookups.div_ceil(KECCAK_LOOKUP_SETS);
        eprintln!(
            "keccak-f[1600]: {lookups} lookups = {lookup_rows} lookup rows \
             ({KECCAK_LOOKUP_SETS} a row); {rows} general rows"
        );
        assert!(lookups < 25_000, "{lookups} lookups per permutation");
        assert!(
            lookup_rows < 3_100,
            "{lookup_rows} lookup rows per permutation"
        );
    }
}
