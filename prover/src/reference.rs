//! The sequential reference prover: the whole tree of one batch, in one thread, in a fixed order. It is
//! the oracle the dataflow is tested against.

use zkstream_types::{BatchInput, CircuitType, FinalBatchProof, REAL_TYPES};

use crate::circuits::SchedulerInputs;
use crate::error::ProverError;
use crate::field::{proof_public_input, BProof};
use crate::keys::KeyStore;
use crate::layers::{ChildProof, Prover};
use crate::queue::witness_batch;

/// Proof counts per round of one batch (basic, leaf, node, tip, scheduler, compression).
pub type RoundCounts = [usize; 6];

/// Reduces one type's basic proofs to its final node proof: leaves, then `node_depth` node layers.
pub fn reduce_type(
    prover: &Prover,
    t: CircuitType,
    basics: Vec<ChildProof>,
    counts: &mut RoundCounts,
) -> Result<ChildProof, ProverError> {
    let arity = prover.keys().shape().arity;
    let mut level: Vec<ChildProof> = basics
        .chunks(arity)
        .map(|c| prover.prove_leaf(t, c))
        .collect::<Result<_, _>>()?;
    counts[1] += level.len();
    for depth in 1..=prover.keys().shape().node_depth {
        level = level
            .chunks(arity)
            .map(|c| prover.prove_node(t, depth, c))
            .collect::<Result<_, _>>()?;
        counts[2] += level.len();
    }
    match <[ChildProof; 1]>::try_from(level) {
        Ok([one]) => Ok(one),
        Err(v) => Err(ProverError::Config(format!(
            "{} proofs of {t} left after the last node layer",
            v.len()
        ))),
    }
}

/// Proves a batch from scratch: basic → leaf → node → tip → scheduler → compression.
/// The previous batch commitment is the one carried in the input.
pub fn prove_batch(
    prover: &Prover,
    batch: &BatchInput,
) -> Result<(FinalBatchProof, RoundCounts), ProverError> {
    let (scheduler, inputs, mut counts) = prove_to_scheduler(prover, batch)?;
    let compressed = prover.prove_compression(&scheduler)?;
    counts[5] += 1;
    Ok((final_record(prover.keys(), inputs, &compressed)?, counts))
}

/// Proves a batch up to its scheduler proof (basic → leaf → node → tip → scheduler): what compression
/// or the SNARK wrap (`crate::wrap`) takes next. Returns the scheduler's inputs and the proofs counted
/// per round (compression's not yet).
pub fn prove_to_scheduler(
    prover: &Prover,
    batch: &BatchInput,
) -> Result<(BProof, SchedulerInputs, RoundCounts), ProverError> {
    let keys = prover.keys();
    let witness = witness_batch(batch, keys.shape())?;
    let mut counts: RoundCounts = [0; 6];
    let mut finals = Vec::new();
    for t in REAL_TYPES {
        let jobs = witness.jobs.get(&t).map(Vec::as_slice).unwrap_or(&[]);
        let basics = jobs
            .iter()
            .map(|j| prover.prove_basic(j))
            .collect::<Result<Vec<_>, _>>()?;
        counts[0] += basics.len();
        finals.push(reduce_type(prover, t, basics, &mut counts)?);
    }
    let tip = prover.prove_tip(&finals)?;
    let inputs = SchedulerInputs {
        batch_number: batch.batch_number,
        protocol_version: batch.protocol_version,
        previous_batch_commitment: batch.previous_batch_commitment,
        ranges: witness.ranges,
    };
    let scheduler = prover.prove_scheduler(&tip, inputs.clone())?;
    counts[3] += 1;
    counts[4] += 1;
    Ok((scheduler, inputs, counts))
}

/// The final proof record of a batch: its scheduler's inputs and its compression proof, under
/// `keys`' VK set and profile.
pub fn final_record(
    keys: &KeyStore,
    inputs: SchedulerInputs,
    compressed: &BProof,
) -> Result<FinalBatchProof, ProverError> {
    let batch_commitment = proof_public_input(compressed)
        .ok_or_else(|| ProverError::SelfCheckFailed("compression public input".into()))?;
    let proof =
        bincode::serialize(compressed).map_err(|e| ProverError::MalformedProof(e.to_string()))?;
    Ok(FinalBatchProof {
        batch_number: inputs.batch_number,
        protocol_version: inputs.protocol_version,
        previous_batch_commitment: inputs.previous_batch_commitment,
        batch_commitment,
        aggregation_result_coords: inputs.ranges,
        vk_set_commitment: keys.vk_set_commitment()?,
        proof_profile: keys.profile().name.clone(),
        proof,
        wrap: None,
    })
}
