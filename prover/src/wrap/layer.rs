//! The wrap layer's proof system: the [`WrapLayerCircuit`] proved with a Merkle tree hasher and a
//! transcript over BN254 (Poseidon2 on the BN254 scalar field, absorbing Goldilocks elements), so that
//! the PLONK wrapper ([`super::snark`]) verifies it with native BN254 hashing; no proof of work.

use std::panic::{catch_unwind, AssertUnwindSafe};

use boojum::config::{ProvingCSConfig, SetupCSConfig};
use boojum::cs::cs_builder::new_builder;
use boojum::cs::cs_builder_verifier::CsVerifierBuilder;
use boojum::cs::implementations::hints::{DenseVariablesCopyHint, DenseWitnessCopyHint};
use boojum::cs::implementations::polynomial_storage::{SetupBaseStorage, SetupStorage};
use boojum::cs::implementations::pow::NoPow;
use boojum::cs::implementations::proof::Proof;
use boojum::cs::implementations::prover::ProofConfig;
use boojum::cs::implementations::setup::FinalizationHintsForProver;
use boojum::cs::implementations::verifier::VerificationKey;
use boojum::cs::oracle::merkle_tree::MerkleTreeWithCap;
use boojum::worker::Worker;
use snark_wrapper::franklin_crypto::bellman::pairing::bn256::{Bn256, Fr};
use snark_wrapper::implementations::poseidon2::tree_hasher::AbsorptionModeReplacement;
use snark_wrapper::rescue_poseidon::poseidon2::transcript::Poseidon2Transcript;
use snark_wrapper::rescue_poseidon::poseidon2::Poseidon2Sponge;

use crate::circuits::config::{configure_recursion, GEOMETRY};
use crate::circuits::WrapLayerCircuit;
use crate::error::ProverError;
use crate::field::{BProof, Ext, F, P};
use crate::keys::{assemble, CircuitId, KeyStore};

/// The wrap layer's Merkle tree hasher: Poseidon2 over BN254, rate 2, width 3.
pub type LayerHasher = Poseidon2Sponge<Bn256, F, AbsorptionModeReplacement<Fr>, 2, 3>;
/// The wrap layer's transcript (the same permutation).
pub type LayerTranscript = Poseidon2Transcript<Bn256, F, AbsorptionModeReplacement<Fr>, 2, 3>;
/// A wrap layer proof.
pub type LayerProof = Proof<F, LayerHasher, Ext>;
/// The wrap layer's verification key.
pub type LayerVk = VerificationKey<F, LayerHasher>;

/// Everything precomputed for the wrap layer.
pub struct LayerSetup {
    base: SetupBaseStorage<F, P>,
    setup: SetupStorage<F, P>,
    tree: MerkleTreeWithCap<F, LayerHasher>,
    /// The verification key (the wrapper's circuit is built for it).
    pub vk: LayerVk,
    vars_hint: DenseVariablesCopyHint,
    wits_hint: DenseWitnessCopyHint,
    finalization: FinalizationHintsForProver,
    /// Rows used before padding.
    pub rows: usize,
}

/// The wrap layer's circuit over `keys`' scheduler key, with or without the scheduler proof.
fn circuit(keys: &KeyStore, witness: Option<BProof>) -> Result<WrapLayerCircuit, ProverError> {
    Ok(WrapLayerCircuit(keys.compression_circuit(witness)?))
}

/// The wrap layer's proof configuration under `keys`' profile.
pub fn proof_config(keys: &KeyStore) -> ProofConfig {
    keys.profile().wrap.proof_config()
}

/// Computes the wrap layer's setup for `keys`' scheduler key.
pub fn setup(keys: &KeyStore, worker: &Worker) -> Result<LayerSetup, ProverError> {
    let (assembly, finalization, rows) = assemble::<SetupCSConfig, _>(&circuit(keys, None)?, None);
    let layer = keys.profile().wrap;
    let (base, setup, vk, tree, vars_hint, wits_hint) =
        assembly.get_full_setup::<LayerHasher>(worker, layer.lde_factor, layer.cap_size);
    Ok(LayerSetup {
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

/// Proves the wrap layer over a scheduler proof (checked natively first), and checks the new proof.
pub fn prove(
    keys: &KeyStore,
    setup: &LayerSetup,
    scheduler: &BProof,
    worker: &Worker,
) -> Result<LayerProof, ProverError> {
    let expected = CircuitId::Scheduler.layer(keys.profile()).proof_config();
    let scheduler_vk = keys.vk(CircuitId::Scheduler)?;
    if !crate::layers::verify_native(
        CircuitId::Scheduler.layout(),
        &scheduler_vk,
        &expected,
        scheduler,
    ) {
        return Err(ProverError::ChildRejected {
            parent: "wrap layer".into(),
            index: 0,
            reason: "not a valid scheduler proof".into(),
        });
    }
    let circuit = circuit(keys, Some(scheduler.clone()))?;
    let config = proof_config(keys);
    let proving = || {
        let (assembly, _, _) = assemble::<ProvingCSConfig, _>(&circuit, Some(&setup.finalization));
        assembly.prove_from_precomputations::<Ext, LayerTranscript, LayerHasher, NoPow>(
            config.clone(),
            &setup.base,
            &setup.setup,
            &setup.tree,
            &setup.vk,
            &setup.vars_hint,
            &setup.wits_hint,
            (),
            worker,
        )
    };
    let proof = catch_unwind(AssertUnwindSafe(proving))
        .map_err(|_| ProverError::Unsatisfiable("wrap layer (the prover aborted)".into()))?;
    if !verify(&setup.vk, &config, &proof) {
        return Err(ProverError::SelfCheckFailed("wrap layer".into()));
    }
    Ok(proof)
}

/// Natively verifies a wrap layer proof (malformed proofs are rejected, never a panic).
pub fn verify(vk: &LayerVk, expected: &ProofConfig, proof: &LayerProof) -> bool {
    if &proof.proof_config != expected {
        return false;
    }
    let run = || {
        let builder =
            new_builder::<_, F>(CsVerifierBuilder::<F, Ext>::new_from_parameters(GEOMETRY));
        configure_recursion(builder)
            .build(())
            .verify::<LayerHasher, LayerTranscript, NoPow>((), vk, proof)
    };
    catch_unwind(AssertUnwindSafe(run)).unwrap_or(false)
}
