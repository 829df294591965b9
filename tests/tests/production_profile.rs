//! The production profile (100-bit security) end to end: keys, every layer of one small batch, the
//! independent verifier. Slow on 2 cores (minutes), so it is the one test that runs it.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use zkstream_prover::{
    init_resolver_threads, prove_batch, verify_final_proof, KeyStore, ProofProfile, Prover,
    TreeShape,
};
use zkstream_types::{BatchInput, Digest, Request};

#[test]
fn production_profile_proves_and_verifies_a_batch() {
    init_resolver_threads();
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("keys");
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let keys = Arc::new(
        KeyStore::open(
            Some(&root),
            ProofProfile::production(),
            TreeShape::default(),
            1,
            threads,
        )
        .unwrap(),
    );
    let started = Instant::now();
    keys.generate_all().unwrap();
    let setup_s = started.elapsed().as_secs_f64();
    let batch = BatchInput {
        batch_number: 1,
        protocol_version: 1,
        previous_batch_commitment: Digest::ZERO,
        requests: vec![
            Request::Poseidon2Hash {
                inputs: vec![1, 2, 3],
            },
            Request::Sha256 {
                data: b"zkstream production profile".to_vec(),
            },
            Request::Poseidon2Hash { inputs: vec![4; 8] },
        ],
    };
    let prover = Prover::new(keys.clone(), threads);
    let started = Instant::now();
    let (record, counts) = prove_batch(&prover, &batch).unwrap();
    let prove_s = started.elapsed().as_secs_f64();
    verify_final_proof(&keys, &batch, &record).unwrap();
    assert_eq!(record.proof_profile, "production");
    println!(
        "production: keys {setup_s:.1}s, proof tree {prove_s:.1}s, proofs {counts:?}, final proof {} bytes",
        record.proof.len()
    );
    // The target for the compressed final proof.
    assert!(
        record.proof.len() <= 128 * 1024,
        "final proof is {} bytes",
        record.proof.len()
    );
}

/// The `compact` profile (100-bit, recursion at LDE 16): basic proofs made at LDE 16 verify inside a
/// leaf at ≤ 11 K rows per child, and the leaf's own proof verifies natively.
#[test]
fn compact_profile_recurses_over_lde16_children_within_11k_rows_each() {
    use zkstream_prover::{witness_batch, CircuitId};
    use zkstream_types::CircuitType;

    init_resolver_threads();
    let root = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("keys");
    let shape = TreeShape::default();
    let keys = Arc::new(
        KeyStore::open(Some(&root), ProofProfile::compact(), shape.clone(), 1, 2).unwrap(),
    );
    let t = CircuitType::Poseidon2Hash;
    let batch = BatchInput {
        batch_number: 1,
        protocol_version: 1,
        previous_batch_commitment: Digest::ZERO,
        requests: (0..shape.arity * shape.poseidon2_capacity)
            .map(|i| Request::Poseidon2Hash {
                inputs: vec![i as u64; 1 + i % 8],
            })
            .collect(),
    };
    let witness = witness_batch(&batch, &shape).unwrap();
    let prover = Prover::new(keys.clone(), 2);
    let basics: Vec<_> = witness.jobs[&t]
        .iter()
        .map(|job| prover.prove_basic(job).unwrap())
        .collect();
    assert_eq!(basics.len(), shape.arity);
    // The prover verifies every proof it makes natively before returning it.
    prover.prove_leaf(t, &basics).unwrap();
    let (basic, leaf) = (
        keys.get(CircuitId::Basic(t)).unwrap(),
        keys.get(CircuitId::Leaf(t)).unwrap(),
    );
    assert_eq!(basic.vk.fixed_parameters.fri_lde_factor, 16);
    assert_eq!(leaf.vk.fixed_parameters.fri_lde_factor, 16);
    let per_child = leaf.rows / shape.arity;
    println!(
        "compact: leaf over {} LDE-16 children: {per_child} rows per child",
        shape.arity
    );
    assert!(per_child <= 11_000, "{per_child} rows per child");
}
