//! The wrap layer's proof system: the [`WrapLayerCircuit`] proved with a Merkle tree hasher and a
//! transcript over BN254 (Poseidon2 on the BN254 scalar field, absorbing Goldilocks elements), so that
//! the PLONK wrapper ([`super::snark`]) verifies it with native BN254 hashing; no proof of work.
//!
//! A layer wraps one kind of proof ([`WrapTarget`]): a batch's scheduler proof, or the top node of one
//! user family's aggregation tree. Each has its own layer key, and so its own wrapper.

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
use serde::{Deserialize, Serialize};
use snark_wrapper::franklin_crypto::bellman::pairing::bn256::{Bn256, Fr};
use snark_wrapper::implementations::poseidon2::tree_hasher::AbsorptionModeReplacement;
use snark_wrapper::rescue_poseidon::poseidon2::transcript::Poseidon2Transcript;
use snark_wrapper::rescue_poseidon::poseidon2::Poseidon2Sponge;

use crate::circuits::config::{configure_recursion, GEOMETRY};
use crate::circuits::wrap::aggregate_commitment;
use crate::circuits::{WrapLayerCircuit, WrappedInput};
use crate::error::ProverError;
use crate::field::{BProof, Ext, F, P};
use crate::keys::{assemble, CircuitId, KeyStore, UserFamily};
use crate::user::Summary;

/// The wrap layer's Merkle tree hasher: Poseidon2 over BN254, rate 2, width 3.
pub type LayerHasher = Poseidon2Sponge<Bn256, F, AbsorptionModeReplacement<Fr>, 2, 3>;
/// The wrap layer's transcript (the same permutation).
pub type LayerTranscript = Poseidon2Transcript<Bn256, F, AbsorptionModeReplacement<Fr>, 2, 3>;
/// A wrap layer proof.
pub type LayerProof = Proof<F, LayerHasher, Ext>;
/// The wrap layer's verification key.
pub type LayerVk = VerificationKey<F, LayerHasher>;

/// What a wrap layer wraps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WrapTarget {
    /// A batch's scheduler proof: the wrapped proof carries the batch commitment.
    Batch,
    /// The top node of a user family's aggregation tree (aggregation mode's run proof): the wrapped
    /// proof carries [`aggregate_commitment`] of its count and root.
    Aggregate(UserFamily),
}

impl WrapTarget {
    /// The circuit whose proofs this layer wraps.
    pub fn circuit_id(self, keys: &KeyStore) -> CircuitId {
        match self {
            WrapTarget::Batch => CircuitId::Scheduler,
            WrapTarget::Aggregate(family) => CircuitId::UserNode(family, keys.user_shape().levels),
        }
    }

    /// The four elements a proof of the target commits to (what the wrapped proof carries), read
    /// from its public input; `None` if that is not of the target's form.
    pub fn commitment_of(self, proof: &BProof) -> Option<[u64; 4]> {
        match self {
            WrapTarget::Batch => {
                let d = crate::field::proof_public_input(proof)?;
                Some(crate::field::from_digest(&d).map(crate::field::as_u64))
            }
            WrapTarget::Aggregate(_) => {
                Summary::of_proof(proof).map(|s| aggregate_commitment(s.n, &s.root))
            }
        }
    }

    /// A short name for logs and key folders.
    pub fn name(self) -> String {
        match self {
            WrapTarget::Batch => "batch".into(),
            WrapTarget::Aggregate(family) => format!("aggregate-{family}"),
        }
    }
}

/// Everything precomputed for the wrap layer (cached in the key store's directory by
/// `super::keys`).
#[derive(Serialize, Deserialize)]
pub struct LayerSetup {
    /// What it wraps.
    pub target: WrapTarget,
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

/// The wrap layer's circuit over the key of `target`'s circuit in `keys`, with or without the proof.
fn circuit(
    keys: &KeyStore,
    target: WrapTarget,
    witness: Option<BProof>,
) -> Result<WrapLayerCircuit, ProverError> {
    let id = target.circuit_id(keys);
    Ok(WrapLayerCircuit {
        child_vk: keys.vk(id)?,
        child_layout: id.layout(),
        child_config: id.layer(keys.profile()).proof_config(),
        input: match target {
            WrapTarget::Batch => WrappedInput::Commitment,
            WrapTarget::Aggregate(_) => WrappedInput::Summary,
        },
        witness,
    })
}

/// The wrap layer's proof configuration under `keys`' profile.
pub fn proof_config(keys: &KeyStore) -> ProofConfig {
    keys.profile().wrap.proof_config()
}

/// Computes the wrap layer's setup for `keys`' scheduler key.
pub fn setup(keys: &KeyStore, worker: &Worker) -> Result<LayerSetup, ProverError> {
    setup_for(keys, WrapTarget::Batch, worker)
}

/// Computes the setup of the wrap layer over `target`'s key in `keys`.
pub fn setup_for(
    keys: &KeyStore,
    target: WrapTarget,
    worker: &Worker,
) -> Result<LayerSetup, ProverError> {
    let (assembly, finalization, rows) =
        assemble::<SetupCSConfig, _>(&circuit(keys, target, None)?, None);
    let layer = keys.profile().wrap;
    let (base, setup, vk, tree, vars_hint, wits_hint) =
        assembly.get_full_setup::<LayerHasher>(worker, layer.lde_factor, layer.cap_size);
    Ok(LayerSetup {
        target,
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

/// Proves the wrap layer over a proof of its target's circuit (a scheduler proof, or a family's top
/// node; checked natively first, its public input included), and checks the new proof.
pub fn prove(
    keys: &KeyStore,
    setup: &LayerSetup,
    wrapped: &BProof,
    worker: &Worker,
) -> Result<LayerProof, ProverError> {
    let id = setup.target.circuit_id(keys);
    let expected = id.layer(keys.profile()).proof_config();
    let vk = keys.vk(id)?;
    let reject = |reason: String| ProverError::ChildRejected {
        parent: format!("wrap layer ({})", setup.target.name()),
        index: 0,
        reason,
    };
    if !crate::layers::verify_native(id.layout(), &vk, &expected, wrapped) {
        return Err(reject(format!("not a valid {id} proof")));
    }
    if setup.target.commitment_of(wrapped).is_none() {
        return Err(reject(format!(
            "its public input is not what a {id} proof exposes"
        )));
    }
    let circuit = circuit(keys, setup.target, Some(wrapped.clone()))?;
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
