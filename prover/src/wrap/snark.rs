//! The PLONK wrapper: a BN254 PLONK circuit (snark_wrapper's `WrapperCircuit`, width 4 with custom
//! gates and a lookup table) that verifies one wrap layer proof and has one public input, the wrap
//! layer's four 56-bit limbs packed into a BN254 scalar. Its proof is ~1.6 KB and is checked with
//! pairings against the wrapper's verification key and a KZG CRS (`Crs::crs_42` in tests; production
//! loads the operator's file).

use std::panic::{catch_unwind, AssertUnwindSafe};

use boojum::cs::cs_builder::{CsBuilder, CsBuilderImpl};
use boojum::cs::implementations::prover::ProofConfig;
use boojum::cs::traits::circuit::{CircuitBuilder, CircuitBuilderProxy};
use boojum::cs::{CSGeometry, GateConfigurationHolder, LookupParameters, StaticToolboxHolder};
use snark_wrapper::franklin_crypto::bellman;
use snark_wrapper::implementations::poseidon2::transcript::CircuitPoseidon2Transcript;
use snark_wrapper::implementations::poseidon2::CircuitPoseidon2Sponge;
use snark_wrapper::traits::circuit::{ErasedBuilderForWrapperVerifier, ProofWrapperFunction};

use bellman::kate_commitment::{Crs, CrsForMonomialForm};
use bellman::pairing::bn256::{Bn256, Fr};
use bellman::pairing::ff::{Field as _, PrimeField as _};
use bellman::plonk::better_better_cs::cs::{
    Circuit as _, ConstraintSystem as SnarkConstraintSystem,
    PlonkCsWidth4WithNextStepAndCustomGatesParams, ProvingAssembly, SetupAssembly,
};
use bellman::plonk::better_better_cs::gates::selector_optimized_with_d_next::SelectorOptimizedWidth4MainGateWithDNext;
use bellman::plonk::commitments::transcript::keccak_transcript::RollingKeccakTranscript;
/// bellman's thread pool (the wrapper's setup, key and proof run on it).
pub use bellman::worker::Worker as BellmanWorker;

/// The bellman worker the wrapper's setup, key and proof run on: `threads`, but at least 2. A
/// wrapper proof made on a 1-CPU worker does not verify (measured: the same scheduler proof wrapped
/// with 1 thread fails the pairing check, with 2 it passes; `zksync_bellman` 0.32.11), and a pool
/// slot of one thread is common (two slots on two cores).
pub fn bellman_worker(threads: usize) -> BellmanWorker {
    BellmanWorker::new_with_cpus(threads.max(2))
}

use super::layer::{LayerHasher, LayerProof, LayerVk};
use crate::circuits::config::{configure_recursion, GEOMETRY};
use crate::circuits::wrap::LIMB_BITS;
use crate::error::ProverError;
use crate::field::F;

/// The wrap layer's circuit description, for the wrapper's in-circuit verifier (the same
/// configuration as the wrap layer's prover: [`configure_recursion`] on [`GEOMETRY`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct WrapLayerBuilder;

impl CircuitBuilder<F> for WrapLayerBuilder {
    fn geometry() -> CSGeometry {
        GEOMETRY
    }

    fn lookup_parameters() -> LookupParameters {
        LookupParameters::NoLookup
    }

    fn configure_builder<
        T: CsBuilderImpl<F, T>,
        GC: GateConfigurationHolder<F>,
        TB: StaticToolboxHolder,
    >(
        builder: CsBuilder<T, F, GC, TB>,
    ) -> CsBuilder<T, F, impl GateConfigurationHolder<F>, impl StaticToolboxHolder> {
        configure_recursion(builder)
    }
}

/// What the wrapper verifies: a wrap layer proof under this proof configuration.
#[derive(Clone, Debug)]
pub struct WrapFunction {
    /// The wrap layer's proof configuration.
    pub config: ProofConfig,
}

impl ProofWrapperFunction<Bn256> for WrapFunction {
    fn builder_for_wrapper<CS: SnarkConstraintSystem<Bn256> + 'static>(
        &self,
    ) -> Box<dyn ErasedBuilderForWrapperVerifier<Bn256, CS>> {
        Box::new(CircuitBuilderProxy::<F, WrapLayerBuilder>::default())
    }

    fn proof_config_for_compression_step(&self) -> ProofConfig {
        self.config.clone()
    }
}

/// The wrapper circuit.
pub type WrapperCircuit = snark_wrapper::verifier::WrapperCircuit<
    Bn256,
    LayerHasher,
    CircuitPoseidon2Sponge<Bn256, 2, 3, 3, true>,
    CircuitPoseidon2Transcript<Bn256, 2, 3, 3, true>,
    WrapFunction,
>;
/// A wrapper proof.
pub type SnarkProof = bellman::plonk::better_better_cs::proof::Proof<Bn256, WrapperCircuit>;
/// The wrapper's verification key.
pub type SnarkVk = bellman::plonk::better_better_cs::setup::VerificationKey<Bn256, WrapperCircuit>;
/// The wrapper's setup (its selector and permutation polynomials).
pub type SnarkSetup = bellman::plonk::better_better_cs::setup::Setup<Bn256, WrapperCircuit>;
/// The wrapper's transcript (what L1 verifiers use).
type SnarkTranscript = RollingKeccakTranscript<Fr>;
/// A KZG CRS in monomial form.
pub type MonomialCrs = Crs<Bn256, CrsForMonomialForm>;

fn circuit(
    layer_vk: &LayerVk,
    config: &ProofConfig,
    witness: Option<LayerProof>,
) -> WrapperCircuit {
    WrapperCircuit {
        witness,
        vk: layer_vk.clone(),
        fixed_parameters: layer_vk.fixed_parameters.clone(),
        transcript_params: (),
        wrapper_function: WrapFunction {
            config: config.clone(),
        },
    }
}

fn synthesis(e: impl std::fmt::Debug) -> ProverError {
    ProverError::Wrapper(format!("{e:?}"))
}

/// The wrapper's setup for a wrap layer key. Its domain, `setup.n + 1` rows, is the CRS size needed.
pub fn setup(
    layer_vk: &LayerVk,
    config: &ProofConfig,
    worker: &BellmanWorker,
) -> Result<SnarkSetup, ProverError> {
    let mut assembly = SetupAssembly::<
        Bn256,
        PlonkCsWidth4WithNextStepAndCustomGatesParams,
        SelectorOptimizedWidth4MainGateWithDNext,
    >::new();
    circuit(layer_vk, config, None)
        .synthesize(&mut assembly)
        .map_err(synthesis)?;
    assembly.finalize();
    assembly
        .create_setup::<WrapperCircuit>(worker)
        .map_err(synthesis)
}

/// The wrapper's domain size: the CRS must have at least this many points.
pub fn domain_size(setup: &SnarkSetup) -> usize {
    setup.n + 1
}

/// The wrapper's verification key (commitments to its setup under `crs`).
pub fn verification_key(
    setup: &SnarkSetup,
    crs: &MonomialCrs,
    worker: &BellmanWorker,
) -> Result<SnarkVk, ProverError> {
    SnarkVk::from_setup(setup, worker, crs).map_err(synthesis)
}

/// Proves the wrapper over a wrap layer proof.
pub fn prove(
    layer_vk: &LayerVk,
    config: &ProofConfig,
    layer_proof: LayerProof,
    setup: &SnarkSetup,
    crs: &MonomialCrs,
    worker: &BellmanWorker,
) -> Result<SnarkProof, ProverError> {
    // bellman proves unsatisfied circuits too (the proof then fails only at verification): check the
    // input first rather than spend minutes on a proof that cannot verify.
    if !super::layer::verify(layer_vk, config, &layer_proof) {
        return Err(ProverError::ChildRejected {
            parent: "SNARK wrapper".into(),
            index: 0,
            reason: "not a valid wrap layer proof".into(),
        });
    }
    let run = || -> Result<SnarkProof, ProverError> {
        let mut assembly = ProvingAssembly::<
            Bn256,
            PlonkCsWidth4WithNextStepAndCustomGatesParams,
            SelectorOptimizedWidth4MainGateWithDNext,
        >::new();
        circuit(layer_vk, config, Some(layer_proof))
            .synthesize(&mut assembly)
            .map_err(synthesis)?;
        assembly.finalize();
        if assembly.n() != setup.n {
            return Err(ProverError::Wrapper(format!(
                "the proving assembly has {} rows, the setup {}",
                assembly.n(),
                setup.n
            )));
        }
        assembly
            .create_proof::<WrapperCircuit, SnarkTranscript>(worker, setup, crs, None)
            .map_err(synthesis)
    };
    catch_unwind(AssertUnwindSafe(run))
        .map_err(|_| ProverError::Unsatisfiable("the SNARK wrapper (the prover aborted)".into()))?
}

/// The wrapper's public input for a batch commitment (its four elements as canonical `u64`s): the
/// low 56 bits of each, the first most significant.
pub fn public_input(commitment: &[u64; 4]) -> Fr {
    let limbs = crate::circuits::wrap::limbs_of(commitment);
    let mut shift = Fr::one();
    for _ in 0..LIMB_BITS {
        shift.double();
    }
    let mut acc = Fr::zero();
    for limb in limbs {
        acc.mul_assign(&shift);
        let repr = <Fr as bellman::pairing::ff::PrimeField>::Repr::from(limb);
        let limb = Fr::from_repr(repr).unwrap_or_else(|_| Fr::zero());
        acc.add_assign(&limb);
    }
    acc
}

/// Checks a wrapper proof against the wrapper's key and the batch commitment it must carry.
/// Malformed proofs are rejected, never a panic.
pub fn verify(vk: &SnarkVk, proof: &SnarkProof, commitment: &[u64; 4]) -> bool {
    use boojum::field::SmallField;
    // A commitment is canonical field elements: another representation of one is not accepted.
    if commitment.iter().any(|e| *e >= F::CHAR) {
        return false;
    }
    if proof.inputs.as_slice() != [public_input(commitment)] || proof.n != vk.n {
        return false;
    }
    let run = || {
        bellman::plonk::better_better_cs::verifier::verify::<Bn256, WrapperCircuit, SnarkTranscript>(
            vk, proof, None,
        )
        .unwrap_or(false)
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or(false)
}

/// A wrapper proof's bytes.
pub fn encode(proof: &SnarkProof) -> Result<Vec<u8>, ProverError> {
    let mut out = Vec::new();
    proof
        .write(&mut out)
        .map_err(|e| ProverError::MalformedProof(e.to_string()))?;
    Ok(out)
}

/// A wrapper proof from its bytes (every trailing byte refused).
pub fn decode(bytes: &[u8]) -> Result<SnarkProof, ProverError> {
    let mut reader = bytes;
    let proof = catch_unwind(AssertUnwindSafe(|| SnarkProof::read(&mut reader)))
        .map_err(|_| ProverError::MalformedProof("unreadable wrapper proof".into()))?
        .map_err(|e| ProverError::MalformedProof(e.to_string()))?;
    if !reader.is_empty() {
        return Err(ProverError::MalformedProof(format!(
            "{} bytes after the wrapper proof",
            reader.len()
        )));
    }
    Ok(proof)
}
