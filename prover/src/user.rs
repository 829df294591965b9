//! Aggregation mode, native side: program ids, commitments and public inputs of users' boojum proofs,
//! the native checks a submission must pass before it may enter a chunk, and the sequential reference
//! aggregation (the oracle of the dataflow's aggregation mode).

use zkstream_aggregation::{commitment, MerkleTree};

use crate::circuits::config::Layout;
use crate::circuits::user::{root_words, BOOJUM_SYSTEM_ID, ROOT_PUBLIC_INPUTS};
use crate::error::ProverError;
use crate::field::{vk_commitment, BProof, BVk};
use crate::keys::CircuitId;
use crate::layers::{verify_native, Prover};

/// Why a user's proof cannot be aggregated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserProofError {
    /// The key's fixed parameters (geometry, domain, gates) are not those the chunk circuit verifies.
    #[error("unsupported circuit: its key's fixed parameters differ from the supported ones")]
    Unsupported,
    /// The proof's FRI parameters are not the supported ones.
    #[error("unsupported proof configuration")]
    UnsupportedConfig,
    /// The program id is not the commitment of the given key.
    #[error("program id {given} is not the commitment of the key ({actual})")]
    WrongProgramId {
        /// Claimed.
        given: String,
        /// Computed.
        actual: String,
    },
    /// The public inputs given are not the proof's.
    #[error("public inputs do not match the proof's")]
    WrongPublicInputs,
    /// The proof does not verify under the key.
    #[error("the proof does not verify under the program's key")]
    DoesNotVerify,
}

/// The program id of a key: the bytes of its commitment (Poseidon2 of its setup cap).
pub fn program_id(vk: &BVk) -> [u8; 32] {
    vk_commitment(vk).to_bytes()
}

/// A boojum proof's public inputs as bytes: each element's canonical value, 8 bytes big-endian.
pub fn public_input_bytes(proof: &BProof) -> Vec<u8> {
    proof
        .public_inputs
        .iter()
        .flat_map(|x| crate::field::as_u64(*x).to_be_bytes())
        .collect()
}

/// The commitment of a user's boojum proof (the leaf of its aggregate).
pub fn user_commitment(vk: &BVk, proof: &BProof) -> [u8; 32] {
    commitment(
        BOOJUM_SYSTEM_ID,
        &program_id(vk),
        &public_input_bytes(proof),
    )
}

/// The public input a chunk or an aggregate over `leaves` must expose: `[n, root words]`.
pub fn root_public_input(leaves: &[[u8; 32]]) -> Result<Vec<u64>, ProverError> {
    let tree = MerkleTree::new(leaves).map_err(|e| ProverError::Config(e.to_string()))?;
    let mut v = vec![leaves.len() as u64];
    v.extend(root_words(&tree.root()));
    debug_assert_eq!(v.len(), ROOT_PUBLIC_INPUTS);
    Ok(v)
}

fn public_inputs_u64(proof: &BProof) -> Vec<u64> {
    proof
        .public_inputs
        .iter()
        .map(|x| crate::field::as_u64(*x))
        .collect()
}

impl Prover {
    /// Checks a user's submission natively: supported key, matching program id and public inputs, and
    /// a proof that verifies. Only submissions that pass may be chunked.
    pub fn check_user_proof(
        &self,
        program: &[u8; 32],
        public_inputs: &[u8],
        vk: &BVk,
        proof: &BProof,
    ) -> Result<(), UserProofError> {
        let template = self
            .keys()
            .vk(CircuitId::UserProgram(0))
            .map_err(|_| UserProofError::Unsupported)?;
        if vk.fixed_parameters != template.fixed_parameters {
            return Err(UserProofError::Unsupported);
        }
        let id = CircuitId::UserProgram(0);
        let expected = id.layer(self.keys().profile()).proof_config();
        if proof.proof_config != expected {
            return Err(UserProofError::UnsupportedConfig);
        }
        let actual = program_id(vk);
        if &actual != program {
            return Err(UserProofError::WrongProgramId {
                given: hex::encode(program),
                actual: hex::encode(actual),
            });
        }
        if public_input_bytes(proof) != public_inputs {
            return Err(UserProofError::WrongPublicInputs);
        }
        if !verify_native(id.layout(), vk, &expected, proof) {
            return Err(UserProofError::DoesNotVerify);
        }
        Ok(())
    }

    /// Proves a sample user program (tests, demo, benchmarks); returns its key and proof.
    pub fn prove_user_program(
        &self,
        salt: u64,
        secret: [u64; 4],
    ) -> Result<(BVk, BProof), ProverError> {
        let id = CircuitId::UserProgram(salt);
        let circuit = crate::circuits::UserProgramCircuit {
            salt,
            rounds: self.keys().user_shape().program_rounds,
            secret: Some(secret),
        };
        let proof = self.prove(id, &circuit)?;
        Ok((self.keys().vk(id)?, proof))
    }

    /// Proves one chunk over checked user proofs (1 to `proofs_per_chunk`), in leaf order.
    pub fn prove_user_chunk(&self, proofs: &[(BVk, BProof)]) -> Result<BProof, ProverError> {
        let id = CircuitId::UserChunk;
        let max = self.keys().user_shape().proofs_per_chunk;
        if proofs.is_empty() || proofs.len() > max {
            return Err(ProverError::WrongChildCount {
                parent: id.to_string(),
                max,
                got: proofs.len(),
            });
        }
        let mut leaves = Vec::with_capacity(proofs.len());
        for (index, (vk, proof)) in proofs.iter().enumerate() {
            if self.prechecks() {
                let pi = public_input_bytes(proof);
                self.check_user_proof(&program_id(vk), &pi, vk, proof)
                    .map_err(|e| ProverError::ChildRejected {
                        parent: id.to_string(),
                        index,
                        reason: e.to_string(),
                    })?;
            }
            leaves.push(user_commitment(vk, proof));
        }
        let circuit = self.keys().user_chunk_circuit(proofs.to_vec())?;
        let proof = self.prove(id, &circuit)?;
        if public_inputs_u64(&proof) != root_public_input(&leaves)? {
            return Err(ProverError::SelfCheckFailed(format!(
                "{id}: its public input is not the chunk's root"
            )));
        }
        Ok(proof)
    }

    /// Proves the aggregate over chunk proofs (with each chunk's leaves), in order. Every chunk but the
    /// last must be full.
    pub fn prove_user_aggregate(
        &self,
        chunks: &[(BProof, Vec<[u8; 32]>)],
    ) -> Result<BProof, ProverError> {
        let id = CircuitId::UserAggregate;
        let shape = *self.keys().user_shape();
        if chunks.is_empty() || chunks.len() > shape.chunks_per_aggregate {
            return Err(ProverError::WrongChildCount {
                parent: id.to_string(),
                max: shape.chunks_per_aggregate,
                got: chunks.len(),
            });
        }
        let chunk_vk = self.keys().vk(CircuitId::UserChunk)?;
        let config = CircuitId::UserChunk
            .layer(self.keys().profile())
            .proof_config();
        let mut all = Vec::new();
        for (index, (proof, leaves)) in chunks.iter().enumerate() {
            let reject = |reason: String| ProverError::ChildRejected {
                parent: id.to_string(),
                index,
                reason,
            };
            if index + 1 < chunks.len() && leaves.len() != shape.proofs_per_chunk {
                return Err(reject(format!(
                    "only the last chunk may be partial ({} of {} leaves)",
                    leaves.len(),
                    shape.proofs_per_chunk
                )));
            }
            if self.prechecks() {
                if !verify_native(Layout::Keccak, &chunk_vk, &config, proof) {
                    return Err(reject("does not verify against the chunk key".into()));
                }
                if public_inputs_u64(proof) != root_public_input(leaves)? {
                    return Err(reject(
                        "its root is not the root of the given leaves".into(),
                    ));
                }
            }
            all.extend_from_slice(leaves);
        }
        let circuit = self.keys().user_aggregate_circuit(chunks.to_vec())?;
        let proof = self.prove(id, &circuit)?;
        if public_inputs_u64(&proof) != root_public_input(&all)? {
            return Err(ProverError::SelfCheckFailed(format!(
                "{id}: its public input is not the root over all leaves"
            )));
        }
        Ok(proof)
    }

    /// Natively verifies an aggregate proof and returns what it commits to: `(count, root)`.
    pub fn verify_user_aggregate(&self, proof: &BProof) -> Result<(u64, [u8; 32]), ProverError> {
        let id = CircuitId::UserAggregate;
        if !self.verify(id, proof)? {
            return Err(ProverError::ChildRejected {
                parent: "aggregate check".into(),
                index: 0,
                reason: "the aggregate proof does not verify".into(),
            });
        }
        let pi = public_inputs_u64(proof);
        if pi.len() != ROOT_PUBLIC_INPUTS || pi[1..].iter().any(|w| *w > u32::MAX as u64) {
            return Err(ProverError::SelfCheckFailed(format!(
                "{id}: malformed public input"
            )));
        }
        let mut root = [0u8; 32];
        for (w, word) in pi[1..].iter().enumerate() {
            root[4 * w..4 * w + 4].copy_from_slice(&(*word as u32).to_be_bytes());
        }
        Ok((pi[0], root))
    }
}

/// The result of aggregating users' proofs sequentially.
#[derive(Clone, Debug)]
pub struct ReferenceAggregate {
    /// The leaves, in order.
    pub leaves: Vec<[u8; 32]>,
    /// The root over them.
    pub root: [u8; 32],
    /// One proof per chunk.
    pub chunk_proofs: Vec<BProof>,
    /// The aggregate proof.
    pub proof: BProof,
}

/// The sequential reference: groups the proofs by program (stable within a program), chunks them,
/// proves every chunk and the aggregate in this thread.
pub fn aggregate_user_proofs(
    prover: &Prover,
    proofs: &[(BVk, BProof)],
) -> Result<ReferenceAggregate, ProverError> {
    let ordered = order_by_program(proofs);
    let per_chunk = prover.keys().user_shape().proofs_per_chunk;
    let mut chunks = Vec::new();
    for chunk in ordered.chunks(per_chunk) {
        let proof = prover.prove_user_chunk(chunk)?;
        let leaves: Vec<[u8; 32]> = chunk.iter().map(|(vk, p)| user_commitment(vk, p)).collect();
        chunks.push((proof, leaves));
    }
    let proof = prover.prove_user_aggregate(&chunks)?;
    let leaves: Vec<[u8; 32]> = chunks.iter().flat_map(|c| c.1.clone()).collect();
    let root = MerkleTree::new(&leaves)
        .map_err(|e| ProverError::Config(e.to_string()))?
        .root();
    Ok(ReferenceAggregate {
        leaves,
        root,
        chunk_proofs: chunks.into_iter().map(|c| c.0).collect(),
        proof,
    })
}

/// Groups proofs by program id (programs in ascending id order, submission order within a program).
pub fn order_by_program(proofs: &[(BVk, BProof)]) -> Vec<(BVk, BProof)> {
    let mut keyed: Vec<(usize, [u8; 32])> = proofs
        .iter()
        .enumerate()
        .map(|(i, (vk, _))| (i, program_id(vk)))
        .collect();
    keyed.sort_by_key(|(i, p)| (*p, *i));
    keyed.into_iter().map(|(i, _)| proofs[i].clone()).collect()
}
