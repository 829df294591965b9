//! Tamper tests for every layer of the recursion. Each bad child is offered twice: to the normal prover
//! (its native pre-check must reject it) and to a prover without pre-checks, where the circuit itself must
//! be unsatisfiable, so no valid parent proof can come out.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::OnceLock;

use zkstream_prover::circuits::SchedulerInputs;
use zkstream_prover::field::BProof;
use zkstream_prover::{
    verify_final_proof, witness_batch, BatchWitness, ChildProof, CircuitId, KeyStore, ProofProfile,
    Prover, ProverError, TreeShape, VerifyError,
};
use zkstream_types::{BatchInput, CircuitType, Digest, Request};

const P: CircuitType = CircuitType::POSEIDON2;
const S: CircuitType = CircuitType::SHA256;

/// Valid proofs of every layer of one batch, built once.
struct Tree {
    witness: BatchWitness,
    basics_p: Vec<ChildProof>,
    basic_s: ChildProof,
    leaves_p: Vec<ChildProof>,
    node_p: ChildProof,
    node_s: ChildProof,
    tip: BProof,
    scheduler: BProof,
}

/// The batch of the tree: Poseidon2: 20 requests → 3 basic circuits; SHA-256: 2 requests → 1 circuit.
fn tree_batch() -> BatchInput {
    common::batch(5, Digest([1, 2, 3, 4]), 20, 2)
}

fn tree() -> &'static Tree {
    static TREE: OnceLock<Tree> = OnceLock::new();
    TREE.get_or_init(|| {
        let prover = common::prover();
        let batch = tree_batch();
        let witness = witness_batch(&batch, prover.keys().shape()).unwrap();
        let basics_p: Vec<_> = witness.jobs[&P]
            .iter()
            .map(|j| prover.prove_basic(j).unwrap())
            .collect();
        let basic_s = prover.prove_basic(&witness.jobs[&S][0]).unwrap();
        let leaves_p = vec![
            prover.prove_leaf(P, &basics_p[0..2]).unwrap(),
            prover.prove_leaf(P, &basics_p[2..3]).unwrap(),
        ];
        let node_p = prover.prove_node(P, 1, &leaves_p).unwrap();
        let leaf_s = prover
            .prove_leaf(S, std::slice::from_ref(&basic_s))
            .unwrap();
        let node_s = prover.prove_node(S, 1, &[leaf_s]).unwrap();
        let tip = prover.prove_tip(&[node_p.clone(), node_s.clone()]).unwrap();
        let scheduler = prover.prove_scheduler(&tip, inputs(&witness)).unwrap();
        Tree {
            witness,
            basics_p,
            basic_s,
            leaves_p,
            node_p,
            node_s,
            tip,
            scheduler,
        }
    })
}

fn inputs(w: &BatchWitness) -> SchedulerInputs {
    SchedulerInputs {
        batch_number: w.batch_number,
        protocol_version: w.protocol_version,
        previous_batch_commitment: w.previous_batch_commitment,
        ranges: w.ranges.clone(),
    }
}

fn unchecked() -> Prover {
    common::prover().without_prechecks_for_soundness_tests()
}

/// Flips one bit deep inside the proof's query data (the bytes still decode as a proof).
fn flip(proof: &BProof) -> BProof {
    let mut bytes = bincode::serialize(proof).unwrap();
    let at = bytes.len() * 2 / 3;
    bytes[at] ^= 1;
    bincode::deserialize(&bytes).expect("a flipped bit in a field element still decodes")
}

/// Adds one to the first public input element (the proof itself is otherwise untouched).
fn alter_public_input(proof: &BProof) -> BProof {
    let mut p = proof.clone();
    let x = zkstream_prover::field::as_u64(p.public_inputs[0]);
    p.public_inputs[0] = zkstream_prover::field::fe(x ^ 1);
    p
}

fn with_proof(c: &ChildProof, proof: BProof) -> ChildProof {
    ChildProof {
        proof,
        range: c.range,
    }
}

fn assert_rejected_in_circuit<T: std::fmt::Debug>(what: &str, r: Result<T, ProverError>) {
    match r {
        Err(ProverError::Unsatisfiable(_) | ProverError::SelfCheckFailed(_)) => {}
        other => panic!("{what}: the circuit accepted or failed oddly: {other:?}"),
    }
}

#[test]
fn leaf_rejects_bad_basic_children() {
    let t = tree();
    let prover = common::prover();
    let ok = &t.basics_p;

    // Bit flip in a basic proof.
    let flipped = [ok[0].clone(), with_proof(&ok[1], flip(&ok[1].proof))];
    assert!(matches!(
        prover.prove_leaf(P, &flipped),
        Err(ProverError::ChildRejected { index: 1, .. })
    ));
    assert_rejected_in_circuit("flipped basic proof", unchecked().prove_leaf(P, &flipped));

    // Altered public input.
    let altered = [
        with_proof(&ok[0], alter_public_input(&ok[0].proof)),
        ok[1].clone(),
    ];
    assert!(matches!(
        prover.prove_leaf(P, &altered),
        Err(ProverError::ChildRejected { index: 0, .. })
    ));
    assert_rejected_in_circuit("altered public input", unchecked().prove_leaf(P, &altered));

    // A valid proof of another circuit type in a Poseidon2 slot.
    let other_type = [ok[0].clone(), t.basic_s.clone()];
    assert!(matches!(
        prover.prove_leaf(P, &other_type),
        Err(ProverError::ChildRejected { .. })
    ));
    assert_rejected_in_circuit("other circuit type", unchecked().prove_leaf(P, &other_type));

    // A later chunk placed in an earlier slot.
    let reordered = [ok[1].clone(), ok[0].clone()];
    assert!(matches!(
        prover.prove_leaf(P, &reordered),
        Err(ProverError::BrokenChain { .. })
    ));
    assert_rejected_in_circuit("reordered chunk", unchecked().prove_leaf(P, &reordered));

    // A claimed range that is not what the proof attests.
    let mut lie = ok[0].clone();
    lie.range.count += 1;
    assert!(matches!(
        prover.prove_leaf(P, std::slice::from_ref(&lie)),
        Err(ProverError::PublicInputMismatch { .. })
    ));
    assert_rejected_in_circuit("lying range", unchecked().prove_leaf(P, &[lie]));
}

#[test]
fn leaf_rejects_a_valid_proof_under_another_vk() {
    let t = tree();
    // The same circuit type with another capacity is another circuit with another VK.
    let shape = TreeShape {
        poseidon2_capacity: 4,
        ..TreeShape::default()
    };
    let other_keys =
        std::sync::Arc::new(KeyStore::open(None, ProofProfile::test(), shape, 1, 2).unwrap());
    let other = Prover::new(other_keys, 2);
    let mut job = t.witness.jobs[&P][0].clone();
    job.requests.truncate(4);
    let mut state = zkstream_prover::field::from_digest(&job.range.start);
    for r in &job.requests {
        state = zkstream_prover::queue::step(&state, r);
    }
    job.range.end = zkstream_prover::field::to_digest(&state);
    job.range.count = 4;
    let foreign = other.prove_basic(&job).unwrap();
    assert!(other.verify(CircuitId::Basic(P), &foreign.proof).unwrap());
    assert!(!common::prover()
        .verify(CircuitId::Basic(P), &foreign.proof)
        .unwrap());
    assert!(matches!(
        common::prover().prove_leaf(P, std::slice::from_ref(&foreign)),
        Err(ProverError::ChildRejected { .. })
    ));
    assert_rejected_in_circuit("foreign VK", unchecked().prove_leaf(P, &[foreign]));
}

#[test]
fn node_rejects_bad_leaf_children() {
    let t = tree();
    let prover = common::prover();
    let flipped = [
        t.leaves_p[0].clone(),
        with_proof(&t.leaves_p[1], flip(&t.leaves_p[1].proof)),
    ];
    assert!(matches!(
        prover.prove_node(P, 1, &flipped),
        Err(ProverError::ChildRejected { index: 1, .. })
    ));
    assert_rejected_in_circuit("flipped leaf proof", unchecked().prove_node(P, 1, &flipped));
    // A basic proof where a leaf proof belongs (same public input shape, wrong VK).
    let wrong_layer = [t.basics_p[0].clone()];
    assert!(matches!(
        prover.prove_node(P, 1, &wrong_layer),
        Err(ProverError::ChildRejected { .. })
    ));
    assert_rejected_in_circuit(
        "basic proof in a node",
        unchecked().prove_node(P, 1, &wrong_layer),
    );
    let reordered = [t.leaves_p[1].clone(), t.leaves_p[0].clone()];
    assert_rejected_in_circuit("reordered leaves", unchecked().prove_node(P, 1, &reordered));
}

#[test]
fn tip_scheduler_and_compression_reject_bad_children() {
    let t = tree();
    let prover = common::prover();
    // Tip: node proofs in each other's slots (each valid under the other type's VK).
    let swapped = [t.node_s.clone(), t.node_p.clone()];
    assert!(matches!(
        prover.prove_tip(&swapped),
        Err(ProverError::ChildRejected { .. })
    ));
    assert_rejected_in_circuit("swapped tip slots", unchecked().prove_tip(&swapped));
    let flipped = [
        with_proof(&t.node_p, flip(&t.node_p.proof)),
        t.node_s.clone(),
    ];
    assert!(matches!(
        prover.prove_tip(&flipped),
        Err(ProverError::ChildRejected { .. })
    ));

    // Scheduler: a flipped tip proof, and ranges that are not what the tip attests.
    assert!(matches!(
        prover.prove_scheduler(&flip(&t.tip), inputs(&t.witness)),
        Err(ProverError::ChildRejected { .. })
    ));
    assert_rejected_in_circuit(
        "flipped tip",
        unchecked().prove_scheduler(&flip(&t.tip), inputs(&t.witness)),
    );
    let mut lie = inputs(&t.witness);
    lie.ranges[1].count += 1;
    assert_rejected_in_circuit("scheduler ranges", prover.prove_scheduler(&t.tip, lie));

    // Compression: a flipped scheduler proof, or a tip proof where the scheduler's belongs.
    assert!(matches!(
        prover.prove_compression(&flip(&t.scheduler)),
        Err(ProverError::ChildRejected { .. })
    ));
    assert_rejected_in_circuit(
        "flipped scheduler",
        unchecked().prove_compression(&flip(&t.scheduler)),
    );
    assert_rejected_in_circuit("tip as scheduler", unchecked().prove_compression(&t.tip));
}

/// The tree's batch compressed into its final record (the whole reference path is proved in
/// `end_to_end.rs`): it verifies, and every change to the batch, the record or the proof is refused.
#[test]
fn final_proof_rejects_changed_inputs() {
    let t = tree();
    let prover = common::prover();
    let keys = prover.keys().clone();
    let batch = tree_batch();
    let compressed = prover.prove_compression(&t.scheduler).unwrap();
    let record = zkstream_prover::final_record(&keys, inputs(&t.witness), &compressed).unwrap();
    verify_final_proof(&keys, &batch, &record, None).unwrap();

    let mut changed = batch.clone();
    if let Request::Poseidon2Hash { inputs } = &mut changed.requests[0] {
        inputs[0] += 1;
    }
    assert!(matches!(
        verify_final_proof(&keys, &changed, &record, None),
        Err(VerifyError::Commitment { .. })
    ));

    let mut wrong_previous = batch.clone();
    wrong_previous.previous_batch_commitment = Digest([1, 2, 3, 5]);
    assert!(matches!(
        verify_final_proof(&keys, &wrong_previous, &record, None),
        Err(VerifyError::Commitment { .. })
    ));

    let mut flipped = record.clone();
    flipped.proof =
        bincode::serialize(&flip(&bincode::deserialize(&record.proof).unwrap())).unwrap();
    assert!(matches!(
        verify_final_proof(&keys, &batch, &flipped, None),
        Err(VerifyError::InvalidProof)
    ));

    let mut garbage = record.clone();
    garbage.proof.truncate(100);
    assert!(matches!(
        verify_final_proof(&keys, &batch, &garbage, None),
        Err(VerifyError::Malformed(_))
    ));

    let mut lying_record = record.clone();
    lying_record.aggregation_result_coords[0].count += 1;
    assert!(matches!(
        verify_final_proof(&keys, &batch, &lying_record, None),
        Err(VerifyError::Record(_) | VerifyError::Commitment { .. })
    ));
    // On its own (what the sink checks before delivering): the record's fields must match the proof.
    assert!(zkstream_prover::verify_final_record(&keys, &record, None).is_ok());
    assert!(zkstream_prover::verify_final_record(&keys, &lying_record, None).is_err());
    let mut other_previous = record.clone();
    other_previous.previous_batch_commitment = Digest([1, 2, 3, 5]);
    assert!(zkstream_prover::verify_final_record(&keys, &other_previous, None).is_err());

    // A record with no proof at all, or a wrapped one checked without a wrapper key.
    let mut empty = record.clone();
    empty.proof.clear();
    assert!(matches!(
        verify_final_proof(&keys, &batch, &empty, None),
        Err(VerifyError::NoProof)
    ));
    let mut wrapped = record.clone();
    wrapped.wrap = Some(zkstream_types::WrappedProof {
        proof: vec![1; 1624],
        wrapper_vk_commitment: [2; 32],
        crs: "test".into(),
        test_crs: true,
    });
    assert!(matches!(
        verify_final_proof(&keys, &batch, &wrapped, None),
        Err(VerifyError::NoWrapperKey(_))
    ));

    let mut other_set = record;
    other_set.vk_set_commitment = Digest([1; 4]);
    assert!(matches!(
        verify_final_proof(&keys, &batch, &other_set, None),
        Err(VerifyError::VkSet { .. })
    ));
}
