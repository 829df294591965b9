//! Computing a circuit's setup: synthesize, pad, and precompute the setup polynomials, Merkle tree
//! and verification key.

use std::alloc::Global;

use boojum::config::{CSConfig, SetupCSConfig};
use boojum::cs::cs_builder::new_builder;
use boojum::cs::cs_builder_reference::CsReferenceImplementationBuilder;
use boojum::cs::implementations::hints::{DenseVariablesCopyHint, DenseWitnessCopyHint};
use boojum::cs::implementations::polynomial_storage::{SetupBaseStorage, SetupStorage};
use boojum::cs::implementations::reference_cs::CSReferenceAssembly;
use boojum::cs::implementations::setup::FinalizationHintsForProver;
use boojum::cs::oracle::merkle_tree::MerkleTreeWithCap;
use boojum::cs::traits::cs::ConstraintSystem;
use boojum::dag::CircuitResolverOpts;
use serde::{Deserialize, Serialize};

use crate::circuits::config::{
    add_tables, configure_keccak, configure_plain, configure_recursion, configure_sha, Layout,
    GEOMETRY,
};
use crate::circuits::{BasicCircuit, BasicKind, Circuit, UserProgramCircuit};
use crate::error::ProverError;
use crate::field::{BVk, F, H, P};

use super::{CircuitId, KeyStore};

/// Everything precomputed for one circuit.
#[derive(Serialize, Deserialize)]
pub struct SetupData {
    /// Base setup polynomials.
    pub base: SetupBaseStorage<F, P>,
    /// Setup polynomials in LDE form.
    pub setup: SetupStorage<F, P>,
    /// Merkle tree over the setup.
    pub tree: MerkleTreeWithCap<F, H>,
    /// The verification key.
    pub vk: BVk,
    /// Variable placement hint.
    pub vars_hint: DenseVariablesCopyHint,
    /// Witness placement hint.
    pub wits_hint: DenseWitnessCopyHint,
    /// How the trace is padded.
    pub finalization: FinalizationHintsForProver,
    /// Rows used before padding (a size figure for benches and notes).
    pub rows: usize,
}

/// Synthesizes a circuit with the given CS configuration, pads it (with a hint when proving) and
/// returns the assembly, the padding hint and the rows used.
pub(crate) fn assemble<CFG: CSConfig, C: Circuit>(
    circuit: &C,
    hint: Option<&FinalizationHintsForProver>,
) -> (
    CSReferenceAssembly<F, P, CFG, Global>,
    FinalizationHintsForProver,
    usize,
) {
    let max_trace = circuit.max_trace_len();
    macro_rules! run {
        ($configure:path) => {{
            let builder = new_builder::<_, F>(CsReferenceImplementationBuilder::<F, P, CFG>::new(
                GEOMETRY, max_trace,
            ));
            let mut cs = $configure(builder).build(CircuitResolverOpts::new(max_trace * 64));
            add_tables(&mut cs, circuit.layout());
            circuit.synthesize(&mut cs);
            let rows = cs.next_available_row();
            let hint = match hint {
                Some(h) => {
                    cs.pad_and_shrink_using_hint(h);
                    h.clone()
                }
                None => cs.pad_and_shrink().1,
            };
            (cs.into_assembly::<Global>(), hint, rows)
        }};
    }
    match circuit.layout() {
        Layout::Plain => run!(configure_plain),
        Layout::Recursion => run!(configure_recursion),
        Layout::Sha => run!(configure_sha),
        Layout::Keccak => run!(configure_keccak),
    }
}

impl KeyStore {
    pub(super) fn compute(&self, id: CircuitId) -> Result<SetupData, ProverError> {
        let layer = id.layer(&self.profile);
        let started = std::time::Instant::now();
        let (assembly, finalization, rows) = match id {
            CircuitId::Basic(t) => assemble::<SetupCSConfig, _>(
                &BasicCircuit {
                    kind: BasicKind::of(t)?,
                    capacity: self.shape.capacity(t)?,
                    job: None,
                },
                None,
            ),
            CircuitId::Leaf(t) | CircuitId::Node(t, _) => {
                let child = self
                    .child_of(id)
                    .ok_or_else(|| ProverError::Config(format!("{id} has no child")))?;
                assemble::<SetupCSConfig, _>(&self.aggregate_circuit(t, child, Vec::new())?, None)
            }
            CircuitId::Tip => assemble::<SetupCSConfig, _>(&self.tip_circuit(Vec::new())?, None),
            CircuitId::Scheduler => {
                assemble::<SetupCSConfig, _>(&self.scheduler_circuit(None)?, None)
            }
            CircuitId::Compression => {
                assemble::<SetupCSConfig, _>(&self.compression_circuit(None)?, None)
            }
            CircuitId::UserProgram(rounds, salt) => assemble::<SetupCSConfig, _>(
                &UserProgramCircuit {
                    salt,
                    rounds: rounds as usize,
                    secret: None,
                },
                None,
            ),
            CircuitId::UserChunk(family) => {
                assemble::<SetupCSConfig, _>(&self.user_chunk_circuit(family, Vec::new())?, None)
            }
            CircuitId::UserNode(family, level) => assemble::<SetupCSConfig, _>(
                &self.user_node_circuit(family, level, Vec::new())?,
                None,
            ),
        };
        let (base, setup, vk, tree, vars_hint, wits_hint) =
            assembly.get_full_setup::<H>(&self.worker, layer.lde_factor, layer.cap_size);
        tracing::info!(circuit = %id, rows, domain = vk.fixed_parameters.domain_size,
            seconds = started.elapsed().as_secs_f64(), "setup computed");
        Ok(SetupData {
            base,
            setup,
            tree,
            vk,
            vars_hint,
            wits_hint,
            finalization,
            rows,
        })
    }
}
