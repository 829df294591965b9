//! The independent verifier: recomputes the batch commitment natively from the batch input and checks
//! the final proof against it and against the pinned final (compression) key, and a wrapped proof
//! against the pinned wrapper key (pairings).

use thiserror::Error;
use zkstream_types::{BatchInput, Digest, FinalBatchProof, QueueRange, REAL_TYPES};

use crate::field::{fe, from_digest, hash, proof_public_input, to_digest, BProof};
use crate::keys::{CircuitId, KeyStore};
use crate::layers::verify_native;
use crate::queue::{iv, step};
use crate::wrap::WrapperVk;

/// Why a final proof is rejected. None is retryable except `Keys`.
#[derive(Debug, Error)]
pub enum VerifyError {
    /// The batch input itself is invalid.
    #[error("invalid batch input: {0}")]
    InvalidBatch(#[from] zkstream_types::ValidationError),
    /// The record is for another batch.
    #[error("proof is for batch {proof}, input is batch {input}")]
    BatchNumber {
        /// Batch number in the record.
        proof: u64,
        /// Batch number of the input.
        input: u64,
    },
    /// Protocol version differs.
    #[error("proof is for protocol version {proof}, input/keys are version {expected}")]
    ProtocolVersion {
        /// In the record.
        proof: u32,
        /// Expected.
        expected: u32,
    },
    /// Proof profile differs from the keys'.
    #[error("proof was made under profile {proof:?}, the pinned keys are for {keys:?}")]
    Profile {
        /// In the record.
        proof: String,
        /// The keys' profile.
        keys: String,
    },
    /// The record's VK-set commitment is not the pinned one.
    #[error("proof claims VK set {claimed}, pinned VK set is {pinned}")]
    VkSet {
        /// In the record.
        claimed: Digest,
        /// Pinned.
        pinned: Digest,
    },
    /// The proof bytes do not decode.
    #[error("final proof bytes are malformed: {0}")]
    Malformed(String),
    /// The proof does not verify against the pinned final key.
    #[error("final proof does not verify against the pinned compression key")]
    InvalidProof,
    /// The proof's public input is not the batch commitment recomputed from the input.
    #[error("public input {found} is not the recomputed batch commitment {expected}")]
    Commitment {
        /// The proof's public input.
        found: Digest,
        /// Recomputed from the batch input.
        expected: Digest,
    },
    /// The record carries neither a FRI proof nor a wrapped one.
    #[error("the record carries no proof")]
    NoProof,
    /// The record is wrapped, and no wrapper key was given to check it against.
    #[error("the record is wrapped (wrapper key {0}); no wrapper key was given to check it")]
    NoWrapperKey(String),
    /// The record's wrapper key is not the pinned one.
    #[error("wrapped under wrapper key {claimed}, the pinned wrapper key is {pinned}")]
    WrapperKey {
        /// In the record (hex).
        claimed: String,
        /// Pinned (hex).
        pinned: String,
    },
    /// The record's test-CRS flag disagrees with the pinned key's CRS.
    #[error("the record says test CRS {claimed}, the pinned wrapper key's CRS says {pinned}")]
    TestCrs {
        /// In the record.
        claimed: bool,
        /// From the key.
        pinned: bool,
    },
    /// The wrapped proof does not verify (pairings) against the pinned wrapper key and the commitment.
    #[error(
        "the wrapped proof does not verify against the pinned wrapper key and the batch commitment"
    )]
    InvalidWrap,
    /// The record's metadata disagrees with the recomputation.
    #[error("record field {0} disagrees with the batch input")]
    Record(&'static str),
    /// Keys could not be loaded or computed.
    #[error("keys: {0}")]
    Keys(#[from] crate::error::ProverError),
}

impl VerifyError {
    /// Whether trying again can help: never — a proof that does not verify never will.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// The whole-batch queue range of every type, in `REAL_TYPES` order, recomputed natively.
pub fn batch_ranges(batch: &BatchInput) -> Vec<QueueRange> {
    REAL_TYPES
        .iter()
        .map(|&t| {
            let mut state = iv(t);
            let mut count = 0u64;
            for r in batch.queue(t) {
                state = step(&state, r);
                count += 1;
            }
            QueueRange {
                circuit: t,
                start: to_digest(&iv(t)),
                end: to_digest(&state),
                count,
            }
        })
        .collect()
}

/// `H(batch_lo, batch_hi, previous, protocol_version, per type (t, s0, s_end, count), vk_set)`:
/// the scheduler's public input, from the ranges.
pub fn commitment_from_ranges(
    batch_number: u64,
    previous: &Digest,
    protocol_version: u32,
    ranges: &[QueueRange],
    vk_set: &Digest,
) -> Digest {
    let mut v = vec![fe(batch_number & 0xFFFF_FFFF), fe(batch_number >> 32)];
    v.extend(from_digest(previous));
    v.push(fe(protocol_version as u64));
    for r in ranges {
        v.push(fe(r.circuit.id() as u64));
        v.extend(from_digest(&r.start));
        v.extend(from_digest(&r.end));
        v.push(fe(r.count));
    }
    v.extend(from_digest(vk_set));
    to_digest(&hash(&v))
}

/// The batch commitment of a batch input, recomputed from scratch.
pub fn batch_commitment(batch: &BatchInput, vk_set: &Digest) -> Digest {
    commitment_from_ranges(
        batch.batch_number,
        &batch.previous_batch_commitment,
        batch.protocol_version,
        &batch_ranges(batch),
        vk_set,
    )
}

/// Checks a final proof record on its own, without the batch input: pinned profile, protocol version and
/// VK set; the compression proof, when the record carries one, verifies natively and its public input
/// is the commitment recomputed from the record's own fields (batch number, previous commitment,
/// protocol version, queue ranges); a wrapped proof, when the record carries one, verifies (pairings)
/// against `wrapper`, the pinned wrapper key, and that same commitment. What the sink checks before it
/// delivers. Returns the commitment.
pub fn verify_final_record(
    keys: &KeyStore,
    record: &FinalBatchProof,
    wrapper: Option<&WrapperVk>,
) -> Result<Digest, VerifyError> {
    if record.protocol_version != keys.protocol_version() {
        return Err(VerifyError::ProtocolVersion {
            proof: record.protocol_version,
            expected: keys.protocol_version(),
        });
    }
    if record.proof_profile != keys.profile().name {
        return Err(VerifyError::Profile {
            proof: record.proof_profile.clone(),
            keys: keys.profile().name.clone(),
        });
    }
    let pinned = keys.vk_set_commitment()?;
    if record.vk_set_commitment != pinned {
        return Err(VerifyError::VkSet {
            claimed: record.vk_set_commitment,
            pinned,
        });
    }
    let expected = commitment_from_ranges(
        record.batch_number,
        &record.previous_batch_commitment,
        record.protocol_version,
        &record.aggregation_result_coords,
        &pinned,
    );
    if record.proof.is_empty() && record.wrap.is_none() {
        return Err(VerifyError::NoProof);
    }
    if !record.proof.is_empty() {
        let proof: BProof = bincode::deserialize(&record.proof)
            .map_err(|e| VerifyError::Malformed(e.to_string()))?;
        let setup = keys.get(CircuitId::Compression)?;
        let config = keys.profile().compression.proof_config();
        if !verify_native(CircuitId::Compression.layout(), &setup.vk, &config, &proof) {
            return Err(VerifyError::InvalidProof);
        }
        let found = proof_public_input(&proof)
            .ok_or_else(|| VerifyError::Malformed("public input is not four elements".into()))?;
        if found != expected {
            return Err(VerifyError::Commitment { found, expected });
        }
    }
    if let Some(wrap) = &record.wrap {
        let claimed = hex::encode(wrap.wrapper_vk_commitment);
        let wrapper = wrapper.ok_or_else(|| VerifyError::NoWrapperKey(claimed.clone()))?;
        if wrap.wrapper_vk_commitment != wrapper.commitment {
            return Err(VerifyError::WrapperKey {
                claimed,
                pinned: hex::encode(wrapper.commitment),
            });
        }
        if wrap.test_crs != wrapper.test_crs {
            return Err(VerifyError::TestCrs {
                claimed: wrap.test_crs,
                pinned: wrapper.test_crs,
            });
        }
        if !wrapper.verify(&wrap.proof, &expected.0) {
            return Err(VerifyError::InvalidWrap);
        }
    }
    if record.batch_commitment != expected {
        return Err(VerifyError::Record("batch_commitment"));
    }
    Ok(expected)
}

/// Checks a final proof record against a batch input and the pinned keys: the record on its own
/// ([`verify_final_record`]), and the commitment, previous commitment and queue ranges recomputed
/// natively from the input.
pub fn verify_final_proof(
    keys: &KeyStore,
    batch: &BatchInput,
    record: &FinalBatchProof,
    wrapper: Option<&WrapperVk>,
) -> Result<Digest, VerifyError> {
    batch.validate()?;
    if record.batch_number != batch.batch_number {
        return Err(VerifyError::BatchNumber {
            proof: record.batch_number,
            input: batch.batch_number,
        });
    }
    if record.protocol_version != batch.protocol_version {
        return Err(VerifyError::ProtocolVersion {
            proof: record.protocol_version,
            expected: batch.protocol_version,
        });
    }
    let found = verify_final_record(keys, record, wrapper)?;
    let expected = batch_commitment(batch, &keys.vk_set_commitment()?);
    if found != expected {
        return Err(VerifyError::Commitment { found, expected });
    }
    if record.previous_batch_commitment != batch.previous_batch_commitment {
        return Err(VerifyError::Record("previous_batch_commitment"));
    }
    if record.aggregation_result_coords != batch_ranges(batch) {
        return Err(VerifyError::Record("aggregation_result_coords"));
    }
    Ok(expected)
}
