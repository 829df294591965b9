//! The recursion layers: leaf and node (aggregate a run of one type), recursion tip (one final node per
//! type), scheduler (binds the batch commitment) and compression (re-proves the scheduler proof small).
//!
//! Every child verification key is allocated as *circuit constants*: the key a slot accepts is part of
//! the parent's own setup, so a proof of another circuit, or under another key, cannot verify there.

use boojum::cs::cs_builder::new_builder;
use boojum::cs::implementations::pow::NoPow;
use boojum::cs::implementations::prover::ProofConfig;
use boojum::cs::traits::cs::ConstraintSystem;
use boojum::field::Field;
use boojum::gadgets::boolean::Boolean;
use boojum::gadgets::num::Num;
use boojum::gadgets::recursion::allocated_proof::AllocatedProof;
use boojum::gadgets::recursion::allocated_vk::AllocatedVerificationKey;
use boojum::gadgets::recursion::recursive_verifier::RecursiveVerifier;
use boojum::gadgets::recursion::recursive_verifier_builder::CsRecursiveVerifierBuilder;
use boojum::gadgets::traits::allocatable::CSAllocatable;
use boojum::gadgets::traits::selectable::Selectable;
use zkstream_types::{CircuitType, Digest, QueueRange, REAL_TYPES};

use super::config::{
    configure_keccak, configure_plain, configure_recursion, configure_sha, expose, touch_all_gates,
    Layout, GEOMETRY,
};
use super::Circuit;
use crate::field::{fe, from_digest, hash_circuit, BProof, BVk, Ext, CTR, F, RH, TR};
use crate::queue::iv;

/// Trace bound for a circuit verifying `children` proofs (~8 K rows each at 100 bits, less in tests).
fn recursive_trace_bound(children: usize) -> usize {
    (children * 32768 + 16384).next_power_of_two()
}

/// Builds the in-circuit verifier for children of the given layout.
pub(super) fn verifier_for<CS: ConstraintSystem<F> + 'static>(
    cs: &mut CS,
    layout: Layout,
) -> RecursiveVerifier<F, Ext, CS> {
    let builder = new_builder::<_, F>(
        CsRecursiveVerifierBuilder::<'_, F, Ext, _>::new_from_parameters(cs, GEOMETRY),
    );
    match layout {
        Layout::Plain => configure_plain(builder).build(()),
        Layout::Recursion => configure_recursion(builder).build(()),
        Layout::Sha => configure_sha(builder).build(()),
        Layout::Keccak => configure_keccak(builder).build(()),
    }
}

/// Verifies one child in-circuit against an allocated VK (constant or witness) with the given fixed
/// parameters; returns (valid, every public input).
pub(super) fn verify_child_all<CS: ConstraintSystem<F> + 'static>(
    cs: &mut CS,
    verifier: &RecursiveVerifier<F, Ext, CS>,
    vk: &AllocatedVerificationKey<F, RH>,
    fixed: &BVk,
    config: &ProofConfig,
    witness: Option<BProof>,
) -> (Boolean<F>, Vec<Num<F>>) {
    let proof = AllocatedProof::<F, RH, Ext>::allocate_from_witness(
        cs,
        witness,
        verifier,
        &fixed.fixed_parameters,
        config,
    );
    verifier.verify::<RH, TR, CTR, NoPow>(cs, (), &proof, &fixed.fixed_parameters, config, vk)
}

/// Verifies one child in-circuit against a constant VK; returns (valid, public input).
fn verify_child<CS: ConstraintSystem<F> + 'static>(
    cs: &mut CS,
    verifier: &RecursiveVerifier<F, Ext, CS>,
    vk: &AllocatedVerificationKey<F, RH>,
    child_vk: &BVk,
    config: &ProofConfig,
    witness: Option<BProof>,
) -> (Boolean<F>, [Num<F>; 4]) {
    let (valid, pi) = verify_child_all(cs, verifier, vk, child_vk, config, witness);
    let zero = Num::allocated_constant(cs, F::ZERO);
    let pi: [Num<F>; 4] = std::array::from_fn(|i| pi.get(i).copied().unwrap_or(zero));
    (valid, pi)
}

fn alloc_digest<CS: ConstraintSystem<F>>(cs: &mut CS, d: Option<Digest>) -> [Num<F>; 4] {
    from_digest(&d.unwrap_or_default()).map(|x| Num::allocate(cs, x))
}

fn const_digest<CS: ConstraintSystem<F>>(cs: &mut CS, d: [F; 4]) -> [Num<F>; 4] {
    d.map(|x| Num::allocated_constant(cs, x))
}

/// Enforces `flag → a == b`, element-wise.
pub(super) fn enforce_equal_if<CS: ConstraintSystem<F>>(
    cs: &mut CS,
    flag: Boolean<F>,
    a: &[Num<F>],
    b: &[Num<F>],
) {
    for (x, y) in a.iter().zip(b.iter()) {
        let chosen = Num::conditionally_select(cs, flag, x, y);
        Num::enforce_equal(cs, &chosen, y);
    }
}

/// `[t, s_start, s_end, count]` allocated from a claimed range.
struct RangeVars {
    start: [Num<F>; 4],
    end: [Num<F>; 4],
    count: Num<F>,
}

impl RangeVars {
    fn allocate<CS: ConstraintSystem<F>>(cs: &mut CS, range: Option<&QueueRange>) -> Self {
        RangeVars {
            start: alloc_digest(cs, range.map(|r| r.start)),
            end: alloc_digest(cs, range.map(|r| r.end)),
            count: Num::allocate(cs, fe(range.map(|r| r.count).unwrap_or(0))),
        }
    }

    fn elements(&self, t: Num<F>) -> Vec<Num<F>> {
        let mut v = vec![t];
        v.extend(self.start);
        v.extend(self.end);
        v.push(self.count);
        v
    }
}

/// Leaf (children are basic proofs) or node (children are leaf or node proofs) of one circuit type:
/// verifies up to `arity` consecutive proofs of a queue run and exposes `H(t, s_start, s_end, count)`
/// of the whole run.
pub struct AggregateCircuit {
    /// Circuit type of the run.
    pub circuit: CircuitType,
    /// Slots.
    pub arity: usize,
    /// The key every child must verify under (allocated as constants).
    pub child_vk: BVk,
    /// The children's configuration.
    pub child_layout: Layout,
    /// The children's proof configuration.
    pub child_config: ProofConfig,
    /// The children and the ranges they claim, in queue order (empty during setup).
    pub children: Vec<(BProof, QueueRange)>,
}

impl Circuit for AggregateCircuit {
    fn layout(&self) -> Layout {
        Layout::Recursion
    }

    fn max_trace_len(&self) -> usize {
        recursive_trace_bound(self.arity)
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let verifier = verifier_for(cs, self.child_layout);
        let vk = AllocatedVerificationKey::<F, RH>::allocate_constant(cs, self.child_vk.clone());
        let truth = Boolean::allocated_constant(cs, true);
        let zero = Num::allocated_constant(cs, F::ZERO);
        let t = Num::allocated_constant(cs, fe(self.circuit.id() as u64));
        let mut prev_active = truth;
        let mut run: Option<RangeVars> = None;
        for k in 0..self.arity {
            let child = self.children.get(k);
            // Slot 0 is always active; later slots form a prefix.
            let active = if k == 0 {
                truth
            } else {
                Boolean::allocate(cs, child.is_some())
            };
            let both = active.and(cs, prev_active);
            Boolean::enforce_equal(cs, &both, &active);
            prev_active = active;
            // Inactive slots verify a copy of the first child: well-formed, and its result is ignored.
            let witness = child.or(self.children.first()).map(|c| c.0.clone());
            let (valid, pi) = verify_child(
                cs,
                &verifier,
                &vk,
                &self.child_vk,
                &self.child_config,
                witness,
            );
            let inactive = active.negated(cs);
            let ok = valid.or(cs, inactive);
            Boolean::enforce_equal(cs, &ok, &truth);
            let claimed = RangeVars::allocate(cs, child.map(|c| &c.1));
            let expected = hash_circuit(cs, &claimed.elements(t));
            enforce_equal_if(cs, active, &pi, &expected);
            run = Some(match run {
                None => claimed,
                Some(mut acc) => {
                    // Chaining: an active child starts where the run so far ends.
                    enforce_equal_if(cs, active, &claimed.start, &acc.end);
                    for (e, n) in acc.end.iter_mut().zip(claimed.end.iter()) {
                        *e = Num::conditionally_select(cs, active, n, e);
                    }
                    let add = Num::conditionally_select(cs, active, &claimed.count, &zero);
                    acc.count = acc.count.add(cs, &add);
                    acc
                }
            });
        }
        let Some(run) = run else { return };
        let out = hash_circuit(cs, &run.elements(t));
        touch_all_gates(cs);
        expose(cs, &out);
    }
}

/// Recursion tip: verifies the final node proof of every circuit type (slot `i` is type
/// `REAL_TYPES[i]`, under that type's final node key) and exposes `H(ranges of all types)`.
pub struct TipCircuit {
    /// Per slot: circuit type and the key its node proof must verify under.
    pub slots: Vec<(CircuitType, BVk)>,
    /// The node proofs' configuration (every type's final node has the same).
    pub child_layout: Layout,
    /// The children's proof configuration.
    pub child_config: ProofConfig,
    /// One final node proof and range per slot (empty during setup).
    pub children: Vec<(BProof, QueueRange)>,
}

impl Circuit for TipCircuit {
    fn layout(&self) -> Layout {
        Layout::Recursion
    }

    fn max_trace_len(&self) -> usize {
        recursive_trace_bound(self.slots.len())
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let verifier = verifier_for(cs, self.child_layout);
        let truth = Boolean::allocated_constant(cs, true);
        let mut all = Vec::new();
        for (i, (circuit, child_vk)) in self.slots.iter().enumerate() {
            let vk = AllocatedVerificationKey::<F, RH>::allocate_constant(cs, child_vk.clone());
            let child = self.children.get(i);
            let (valid, pi) = verify_child(
                cs,
                &verifier,
                &vk,
                child_vk,
                &self.child_config,
                child.map(|c| c.0.clone()),
            );
            Boolean::enforce_equal(cs, &valid, &truth);
            let t = Num::allocated_constant(cs, fe(circuit.id() as u64));
            let claimed = RangeVars::allocate(cs, child.map(|c| &c.1));
            let elements = claimed.elements(t);
            let expected = hash_circuit(cs, &elements);
            enforce_equal_if(cs, truth, &pi, &expected);
            all.extend(elements);
        }
        let out = hash_circuit(cs, &all);
        touch_all_gates(cs);
        expose(cs, &out);
    }
}

/// What the scheduler binds besides the tip proof.
#[derive(Clone, Debug)]
pub struct SchedulerInputs {
    /// Batch number.
    pub batch_number: u64,
    /// Protocol version.
    pub protocol_version: u32,
    /// Previous batch commitment.
    pub previous_batch_commitment: Digest,
    /// Whole-batch range per type, in `REAL_TYPES` order (each starts at `IV(t)`).
    pub ranges: Vec<QueueRange>,
}

/// Scheduler: verifies the tip and exposes the batch commitment
/// `H(batch_lo, batch_hi, previous, protocol_version, per type (t, IV(t), s_end, count), vk_set)`.
pub struct SchedulerCircuit {
    /// The tip's key (constants).
    pub tip_vk: BVk,
    /// The tip's configuration.
    pub child_layout: Layout,
    /// The tip's proof configuration.
    pub child_config: ProofConfig,
    /// Commitment of every key below the scheduler (constants).
    pub vk_set_commitment: Digest,
    /// The tip proof and the batch inputs (None during setup).
    pub witness: Option<(BProof, SchedulerInputs)>,
}

impl Circuit for SchedulerCircuit {
    fn layout(&self) -> Layout {
        Layout::Recursion
    }

    fn max_trace_len(&self) -> usize {
        recursive_trace_bound(1)
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let verifier = verifier_for(cs, self.child_layout);
        let truth = Boolean::allocated_constant(cs, true);
        let vk = AllocatedVerificationKey::<F, RH>::allocate_constant(cs, self.tip_vk.clone());
        let (proof, inputs) = match &self.witness {
            Some((p, i)) => (Some(p.clone()), Some(i)),
            None => (None, None),
        };
        let (valid, tip_pi) =
            verify_child(cs, &verifier, &vk, &self.tip_vk, &self.child_config, proof);
        Boolean::enforce_equal(cs, &valid, &truth);
        let bn = inputs.map(|i| i.batch_number).unwrap_or(0);
        let mut commitment = vec![
            Num::allocate(cs, fe(bn & 0xFFFF_FFFF)),
            Num::allocate(cs, fe(bn >> 32)),
        ];
        commitment.extend(alloc_digest(
            cs,
            inputs.map(|i| i.previous_batch_commitment),
        ));
        commitment.push(Num::allocate(
            cs,
            fe(inputs.map(|i| i.protocol_version as u64).unwrap_or(0)),
        ));
        let mut tip_elements = Vec::new();
        for (idx, t) in REAL_TYPES.iter().enumerate() {
            let range = inputs.and_then(|i| i.ranges.get(idx));
            let tn = Num::allocated_constant(cs, fe(t.id() as u64));
            // The batch's queues start at the fixed initial values.
            let vars = RangeVars {
                start: const_digest(cs, iv(*t)),
                end: alloc_digest(cs, range.map(|r| r.end)),
                count: Num::allocate(cs, fe(range.map(|r| r.count).unwrap_or(0))),
            };
            tip_elements.extend(vars.elements(tn));
        }
        let expected_tip = hash_circuit(cs, &tip_elements);
        enforce_equal_if(cs, truth, &tip_pi, &expected_tip);
        commitment.extend(tip_elements);
        commitment.extend(const_digest(cs, from_digest(&self.vk_set_commitment)));
        let out = hash_circuit(cs, &commitment);
        touch_all_gates(cs);
        expose(cs, &out);
    }
}

/// Compression: verifies the scheduler proof and re-exposes its public input, proved under the
/// compression layer's configuration (larger LDE, fewer queries: a small final proof).
pub struct CompressionCircuit {
    /// The scheduler's key (constants).
    pub scheduler_vk: BVk,
    /// The scheduler's configuration.
    pub child_layout: Layout,
    /// The scheduler's proof configuration.
    pub child_config: ProofConfig,
    /// The scheduler proof (None during setup).
    pub witness: Option<BProof>,
}

impl Circuit for CompressionCircuit {
    fn layout(&self) -> Layout {
        Layout::Recursion
    }

    fn max_trace_len(&self) -> usize {
        recursive_trace_bound(1)
    }

    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) {
        let pi = self.verify_scheduler(cs);
        touch_all_gates(cs);
        expose(cs, &pi);
    }
}

impl CompressionCircuit {
    /// Verifies the scheduler proof in-circuit against its constant key (the circuit is unsatisfiable
    /// otherwise) and returns its public input.
    fn verify_scheduler<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS) -> [Num<F>; 4] {
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
        pi
    }
}
