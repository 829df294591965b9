//! Proving one job of any layer: native pre-checks of the children against their pinned keys, synthesis
//! with the witness, proving from the precomputed setup, and a self-check of the new proof.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use boojum::config::{DevCSConfig, ProvingCSConfig};
use boojum::cs::cs_builder::new_builder;
use boojum::cs::cs_builder_verifier::CsVerifierBuilder;
use boojum::cs::implementations::pow::NoPow;
use boojum::worker::Worker;
use zkstream_types::{CircuitType, QueueRange, REAL_TYPES};

use crate::backend::{BackendError, CpuBackend, PowRunner, ProvingBackend, ProvingJob};
use crate::circuits::config::{
    configure_keccak, configure_plain, configure_recursion, configure_sha, Layout, GEOMETRY,
};
use crate::circuits::{BasicCircuit, BasicKind, Circuit, SchedulerInputs};
use crate::error::ProverError;
use crate::field::{proof_public_input, BProof, BVk, Ext, F, H, TR};
use crate::keys::{assemble, CircuitId, KeyStore};
use crate::queue::{range_public_input, BasicJob};

/// A proof of a per-type round together with the queue range it attests to.
#[derive(Clone, Debug)]
pub struct ChildProof {
    /// The proof.
    pub proof: BProof,
    /// The range it covers.
    pub range: QueueRange,
}

/// Natively verifies a proof against a key, under the FRI parameters expected for that key's layer.
/// Malformed proofs (wrong shapes) are rejected, never a panic.
pub fn verify_native(
    layout: Layout,
    vk: &BVk,
    expected: &boojum::cs::implementations::prover::ProofConfig,
    proof: &BProof,
) -> bool {
    if &proof.proof_config != expected {
        return false;
    }
    let pow = expected.pow_bits > 0;
    let run = || {
        let builder =
            new_builder::<_, F>(CsVerifierBuilder::<F, Ext>::new_from_parameters(GEOMETRY));
        macro_rules! verify_with {
            ($configure:path) => {{
                let verifier = $configure(builder).build(());
                if pow {
                    verifier.verify::<H, TR, PowRunner>((), vk, proof)
                } else {
                    verifier.verify::<H, TR, NoPow>((), vk, proof)
                }
            }};
        }
        match layout {
            Layout::Plain => verify_with!(configure_plain),
            Layout::Recursion => verify_with!(configure_recursion),
            Layout::Sha => verify_with!(configure_sha),
            Layout::Keccak => verify_with!(configure_keccak),
        }
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or(false)
}

/// Proves jobs of every layer with one set of keys.
pub struct Prover {
    keys: Arc<KeyStore>,
    worker: Worker,
    backend: Arc<dyn ProvingBackend>,
    prechecks: bool,
}

impl Prover {
    /// A prover using `threads` threads for FFTs and hashing.
    pub fn new(keys: Arc<KeyStore>, threads: usize) -> Self {
        Prover {
            keys,
            worker: Worker::new_with_num_threads(threads.max(1)),
            backend: Arc::new(CpuBackend::new(threads)),
            prechecks: true,
        }
    }

    /// Proves on `backend` instead of boojum's CPU prover (a GPU slot). Synthesis, the children's
    /// pre-checks and the native verification of every new proof stay on the CPU.
    pub fn with_backend(mut self, backend: Arc<dyn ProvingBackend>) -> Self {
        self.backend = backend;
        self
    }

    /// The backend proofs are computed on.
    pub fn backend(&self) -> &Arc<dyn ProvingBackend> {
        &self.backend
    }

    /// Disables the native pre-checks of children, so a bad child reaches the circuit itself.
    /// Only for soundness tests: it shows the circuits, not the pre-checks, reject bad children.
    pub fn without_prechecks_for_soundness_tests(mut self) -> Self {
        self.prechecks = false;
        self
    }

    /// The keys.
    pub fn keys(&self) -> &Arc<KeyStore> {
        &self.keys
    }

    /// Natively verifies a proof of circuit `id`.
    pub fn verify(&self, id: CircuitId, proof: &BProof) -> Result<bool, ProverError> {
        let vk = self.keys.vk(id)?;
        let expected = id.layer(self.keys.profile()).proof_config();
        Ok(verify_native(id.layout(), &vk, &expected, proof))
    }

    /// Whether native pre-checks of children run (off only in soundness tests).
    pub(crate) fn prechecks(&self) -> bool {
        self.prechecks
    }

    pub(crate) fn prove<C: Circuit>(
        &self,
        id: CircuitId,
        circuit: &C,
    ) -> Result<BProof, ProverError> {
        let setup = self.keys.get(id)?;
        let config = id.layer(self.keys.profile()).proof_config();
        if !self.prechecks {
            // Soundness tests: the children reach the circuit unchecked, and most are meant to make it
            // unsatisfiable. Checking every constraint first answers that in a fraction of a proof's time.
            let check = || {
                let (mut assembly, _, _) =
                    assemble::<DevCSConfig, _>(circuit, Some(&setup.finalization));
                assembly.check_if_satisfied(&self.worker)
            };
            if !catch_unwind(AssertUnwindSafe(check)).unwrap_or(false) {
                return Err(ProverError::Unsatisfiable(id.to_string()));
            }
        }
        let proving = || {
            let (assembly, _, _) =
                assemble::<ProvingCSConfig, _>(circuit, Some(&setup.finalization));
            self.backend.prove(ProvingJob {
                id,
                assembly,
                setup: &setup,
                config: config.clone(),
                worker: &self.worker,
            })
        };
        // boojum asserts on some unsatisfiable witnesses; that is a rejected job, not a crash.
        let proof = match catch_unwind(AssertUnwindSafe(proving)) {
            Ok(Ok(proof)) => proof,
            // The backend's description only when it failed (a GPU's asks the driver).
            Ok(Err(BackendError::Job(e))) => {
                let info = self.backend.info();
                return Err(ProverError::Backend(format!("{id} on {info}: {e}")));
            }
            Ok(Err(BackendError::Unsupported(e))) => return Err(ProverError::Unsupported(e)),
            Ok(Err(BackendError::Device(e))) => {
                let info = self.backend.info();
                return Err(ProverError::Device(format!("{info}: {e}")));
            }
            Err(_) => {
                return Err(ProverError::Unsatisfiable(format!(
                    "{id} (the prover aborted)"
                )))
            }
        };
        // Whatever the backend, the proof must verify with the CPU verifier against the pinned VK.
        if !verify_native(id.layout(), &setup.vk, &config, &proof) {
            return Err(ProverError::SelfCheckFailed(id.to_string()));
        }
        Ok(proof)
    }

    /// Proves a basic circuit job.
    pub fn prove_basic(&self, job: &BasicJob) -> Result<ChildProof, ProverError> {
        let t = job.range.circuit;
        let capacity = self.keys.shape().capacity(t)?;
        if job.requests.len() > capacity {
            return Err(ProverError::Config(format!(
                "{} requests exceed the {t} capacity {capacity}",
                job.requests.len()
            )));
        }
        let proof = self.prove(
            CircuitId::Basic(t),
            &BasicCircuit {
                kind: BasicKind::of(t)?,
                capacity,
                job: Some(job),
            },
        )?;
        self.check_output(CircuitId::Basic(t), &proof, &job.range)?;
        Ok(ChildProof {
            proof,
            range: job.range,
        })
    }

    /// Proves a leaf over consecutive basic proofs of one type.
    pub fn prove_leaf(
        &self,
        t: CircuitType,
        children: &[ChildProof],
    ) -> Result<ChildProof, ProverError> {
        self.prove_aggregate(CircuitId::Leaf(t), t, children)
    }

    /// Proves a node of depth `depth` (≥ 1) over consecutive leaf (depth 1) or node proofs of one type.
    pub fn prove_node(
        &self,
        t: CircuitType,
        depth: u32,
        children: &[ChildProof],
    ) -> Result<ChildProof, ProverError> {
        if depth < 1 || depth > self.keys.shape().node_depth {
            return Err(ProverError::Config(format!(
                "node depth {depth} outside 1..={}",
                self.keys.shape().node_depth
            )));
        }
        self.prove_aggregate(CircuitId::Node(t, depth), t, children)
    }

    fn prove_aggregate(
        &self,
        id: CircuitId,
        t: CircuitType,
        children: &[ChildProof],
    ) -> Result<ChildProof, ProverError> {
        let arity = self.keys.shape().arity;
        if children.is_empty() || children.len() > arity {
            return Err(ProverError::WrongChildCount {
                parent: id.to_string(),
                max: arity,
                got: children.len(),
            });
        }
        let child = self
            .keys
            .child_of(id)
            .ok_or_else(|| ProverError::Config(format!("{id} has no child")))?;
        for (index, c) in children.iter().enumerate() {
            self.precheck(id, child, index, c)?;
        }
        for (k, pair) in children.windows(2).enumerate() {
            let chained = pair[0].range.end == pair[1].range.start
                && pair[0].range.circuit == t
                && pair[1].range.circuit == t;
            if self.prechecks && !chained {
                return Err(ProverError::BrokenChain {
                    parent: id.to_string(),
                    index: k,
                    next: k + 1,
                });
            }
        }
        let range = QueueRange {
            circuit: t,
            start: children[0].range.start,
            end: children[children.len() - 1].range.end,
            count: children.iter().map(|c| c.range.count).sum(),
        };
        let witness = children
            .iter()
            .map(|c| (c.proof.clone(), c.range))
            .collect();
        let circuit = self.keys.aggregate_circuit(t, child, witness)?;
        let proof = self.prove(id, &circuit)?;
        self.check_output(id, &proof, &range)?;
        Ok(ChildProof { proof, range })
    }

    /// Checks one child against the key pinned for its slot and the range it claims.
    fn precheck(
        &self,
        parent: CircuitId,
        child: CircuitId,
        index: usize,
        c: &ChildProof,
    ) -> Result<(), ProverError> {
        if !self.prechecks {
            return Ok(());
        }
        if !self.verify(child, &c.proof)? {
            return Err(ProverError::ChildRejected {
                parent: parent.to_string(),
                index,
                reason: format!("not a valid {child} proof"),
            });
        }
        let expected = range_public_input(&c.range);
        let found = proof_public_input(&c.proof).unwrap_or_default();
        if found != expected {
            return Err(ProverError::PublicInputMismatch {
                parent: parent.to_string(),
                index,
                found,
                expected,
            });
        }
        Ok(())
    }

    fn check_output(
        &self,
        id: CircuitId,
        proof: &BProof,
        range: &QueueRange,
    ) -> Result<(), ProverError> {
        let expected = range_public_input(range);
        match proof_public_input(proof) {
            Some(pi) if pi == expected => Ok(()),
            _ => Err(ProverError::SelfCheckFailed(format!(
                "{id}: public input does not match its range"
            ))),
        }
    }

    /// Proves the recursion tip over the final node proof of every type (in `REAL_TYPES` order).
    pub fn prove_tip(&self, finals: &[ChildProof]) -> Result<BProof, ProverError> {
        let depth = self.keys.shape().node_depth;
        if finals.len() != REAL_TYPES.len() {
            return Err(ProverError::WrongChildCount {
                parent: "tip".into(),
                max: REAL_TYPES.len(),
                got: finals.len(),
            });
        }
        if self.prechecks {
            for (index, (t, c)) in REAL_TYPES.iter().zip(finals).enumerate() {
                if c.range.circuit != *t {
                    return Err(ProverError::ChildRejected {
                        parent: "tip".into(),
                        index,
                        reason: format!("slot {index} takes {t}, got {}", c.range.circuit),
                    });
                }
                self.precheck(CircuitId::Tip, CircuitId::Node(*t, depth), index, c)?;
            }
        }
        let witness = finals.iter().map(|c| (c.proof.clone(), c.range)).collect();
        self.prove(CircuitId::Tip, &self.keys.tip_circuit(witness)?)
    }

    /// Proves the scheduler over the tip proof; its public input is the batch commitment.
    pub fn prove_scheduler(
        &self,
        tip: &BProof,
        inputs: SchedulerInputs,
    ) -> Result<BProof, ProverError> {
        if self.prechecks && !self.verify(CircuitId::Tip, tip)? {
            return Err(ProverError::ChildRejected {
                parent: "scheduler".into(),
                index: 0,
                reason: "not a valid tip proof".into(),
            });
        }
        let circuit = self.keys.scheduler_circuit(Some((tip.clone(), inputs)))?;
        self.prove(CircuitId::Scheduler, &circuit)
    }

    /// Proves the compression layer over the scheduler proof: the final proof.
    pub fn prove_compression(&self, scheduler: &BProof) -> Result<BProof, ProverError> {
        if self.prechecks && !self.verify(CircuitId::Scheduler, scheduler)? {
            return Err(ProverError::ChildRejected {
                parent: "compression".into(),
                index: 0,
                reason: "not a valid scheduler proof".into(),
            });
        }
        let circuit = self.keys.compression_circuit(Some(scheduler.clone()))?;
        self.prove(CircuitId::Compression, &circuit)
    }
}
