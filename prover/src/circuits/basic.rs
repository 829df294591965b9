//! Basic circuits: one capacity-bounded run of a type's request queue, outputs computed in-circuit.
//!
//! Public input: `H(t, s_start, s_end, count)`. Slots past the run's length are inactive: their state
//! update is selected away, and active slots must form a prefix.

use boojum::cs::traits::cs::ConstraintSystem;
use boojum::field::Field;
use boojum::gadgets::boolean::Boolean;
use boojum::gadgets::num::Num;
use boojum::gadgets::sha256::ivs_as_uint32;
use boojum::gadgets::sha256::round_function::round_function_over_uint32;
use boojum::gadgets::traits::allocatable::CSAllocatable;
use boojum::gadgets::traits::selectable::Selectable;
use boojum::gadgets::u32::UInt32;
use zkstream_types::batch::MAX_POSEIDON2_INPUTS;
use zkstream_types::family::REAL_FAMILY;
use zkstream_types::{CircuitType, FamilyError, Request};

use crate::error::ProverError;

use super::config::{expose, touch_all_gates, Layout};
use super::Circuit;
use crate::field::{fe, from_digest, hash_circuit, F};
use crate::queue::{sha256_blocks, BasicJob, SHA_WORDS};

/// The real family's basic circuits: one per circuit type it registers
/// (`zkstream_types::REAL_TYPES`). A type id of another family has none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BasicKind {
    /// The Poseidon2 sponge circuit ([`CircuitType::POSEIDON2`]).
    Poseidon2,
    /// The SHA-256 circuit ([`CircuitType::SHA256`]).
    Sha256,
}

impl BasicKind {
    /// The basic circuit of type `t`; refused for an id the real family does not register.
    pub fn of(t: CircuitType) -> Result<Self, ProverError> {
        match t {
            CircuitType::POSEIDON2 => Ok(BasicKind::Poseidon2),
            CircuitType::SHA256 => Ok(BasicKind::Sha256),
            _ => Err(ProverError::Family(FamilyError::UnknownType {
                family: REAL_FAMILY.into(),
                circuit: t,
            })),
        }
    }

    /// Its circuit type.
    pub fn circuit_type(self) -> CircuitType {
        match self {
            BasicKind::Poseidon2 => CircuitType::POSEIDON2,
            BasicKind::Sha256 => CircuitType::SHA256,
        }
    }
}

/// A basic circuit of one type and capacity, with the job to prove (or none, for setup).
pub struct BasicCircuit<'a> {
    /// The circuit.
    pub kind: BasicKind,
    /// Request slots.
    pub capacity: usize,
    /// The job (None during setup).
    pub job: Option<&'a BasicJob>,
}

impl Circuit for BasicCircuit<'_> {
    fn layout(&self) -> Layout {
        match self.kind {
            BasicKind::Poseidon2 => Layout::Plain,
            BasicKind::Sha256 => Layout::Sha,
        }
    }

    fn max_trace_len(&self) -> usize {
        match self.kind {
            // ~6 Poseidon2 rows plus selections per request.
            BasicKind::Poseidon2 => (self.capacity * 32 + 2048).next_power_of_two(),
            // Lookup tables alone take ~13 K rows; two SHA-256 blocks per request.
            BasicKind::Sha256 => (self.capacity * 4096 + 32768).next_power_of_two(),
        }
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let start = self
            .job
            .map(|j| from_digest(&j.range.start))
            .unwrap_or([F::ZERO; 4]);
        let s_start = start.map(|x| Num::allocate(cs, x));
        let mut state = s_start;
        let mut count = Num::allocated_constant(cs, F::ZERO);
        let mut prev_active = Boolean::allocated_constant(cs, true);
        for i in 0..self.capacity {
            let request = self.job.and_then(|j| j.requests.get(i));
            let active = Boolean::allocate(cs, request.is_some());
            // Active slots form a prefix: active(i) implies active(i-1).
            let both = active.and(cs, prev_active);
            Boolean::enforce_equal(cs, &both, &active);
            let encoded = match self.kind {
                BasicKind::Poseidon2 => poseidon2_slot(cs, request),
                BasicKind::Sha256 => sha256_slot(cs, request),
            };
            let mut preimage = state.to_vec();
            preimage.extend(encoded);
            let next = hash_circuit(cs, &preimage);
            for (s, n) in state.iter_mut().zip(next.iter()) {
                *s = Num::conditionally_select(cs, active, n, s);
            }
            count = count.add(cs, &Num::from_variable(active.get_variable()));
            prev_active = active;
        }
        let t = Num::allocated_constant(cs, fe(self.kind.circuit_type().id() as u64));
        let mut pi = vec![t];
        pi.extend(s_start);
        pi.extend(state);
        pi.push(count);
        let out = hash_circuit(cs, &pi);
        touch_all_gates(cs);
        expose(cs, &out);
    }
}

/// `len ‖ inputs(8) ‖ H(len ‖ inputs)`: the queue encoding of a `Poseidon2Hash` request, computed here.
fn poseidon2_slot<CS: ConstraintSystem<F>>(cs: &mut CS, request: Option<&Request>) -> Vec<Num<F>> {
    let inputs: &[u64] = match request {
        Some(Request::Poseidon2Hash { inputs }) => inputs,
        _ => &[],
    };
    let mut preimage = vec![Num::allocate(cs, fe(inputs.len() as u64))];
    for i in 0..MAX_POSEIDON2_INPUTS {
        preimage.push(Num::allocate(cs, fe(inputs.get(i).copied().unwrap_or(0))));
    }
    let out = hash_circuit(cs, &preimage);
    preimage.extend(out);
    preimage
}

/// `two_blocks ‖ padded words(32) ‖ digest words(8)`: the queue encoding of a `Sha256` request, with the
/// digest computed by boojum's SHA-256 round function over both blocks and selected by the flag.
fn sha256_slot<CS: ConstraintSystem<F>>(cs: &mut CS, request: Option<&Request>) -> Vec<Num<F>> {
    let (two, words) = match request {
        Some(Request::Sha256 { data }) => sha256_blocks(data),
        _ => (false, [0u32; SHA_WORDS]),
    };
    let two = Boolean::allocate(cs, two);
    let words: Vec<UInt32<F>> = words
        .iter()
        .map(|&w| UInt32::allocate_checked(cs, w))
        .collect();
    let mut state = ivs_as_uint32(cs);
    let first: [UInt32<F>; 16] = std::array::from_fn(|i| words[i]);
    let second: [UInt32<F>; 16] = std::array::from_fn(|i| words[16 + i]);
    let _ = round_function_over_uint32(cs, &mut state, &first);
    let after_one = state;
    let _ = round_function_over_uint32(cs, &mut state, &second);
    let mut encoded = vec![Num::from_variable(two.get_variable())];
    encoded.extend(words.iter().map(|w| w.into_num()));
    for (a, b) in state.iter().zip(after_one.iter()) {
        encoded.push(UInt32::conditionally_select(cs, two, a, b).into_num());
    }
    encoded
}
