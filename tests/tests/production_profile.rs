//! The production profile (100-bit security) end to end: keys, every layer of one small batch, the
//! independent verifier. Slow on 2 cores (minutes), so it is the one test that runs it.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use zkstream_prover::{
    init_resolver_threads, prove_batch, verify_final_proof, CircuitId, KeyStore, ProofProfile,
    Prover, TreeShape,
};
use zkstream_types::{BatchInput, Digest, Request, REAL_TYPES};

#[test]
fn production_profile_proves_and_verifies_a_batch() {
    init_resolver_threads();
    let root = zkstream_testkit::keys_dir!();
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
    // The recursion target: a parent verifies each child proof in at most 11 K rows at 100 bits
    // (the reference probe's figure). Rows are deterministic, so this is a regression check.
    let shape = TreeShape::default();
    let mut per_child = Vec::new();
    for t in REAL_TYPES {
        per_child.push((CircuitId::Leaf(t), shape.arity));
        for d in 1..=shape.node_depth {
            per_child.push((CircuitId::Node(t, d), shape.arity));
        }
    }
    per_child.push((CircuitId::Tip, REAL_TYPES.len()));
    per_child.push((CircuitId::Scheduler, 1));
    per_child.push((CircuitId::Compression, 1));
    for (id, children) in per_child {
        let rows = keys.get(id).unwrap().rows / children;
        println!("production: {id} verifies a child in {rows} rows");
        assert!(rows <= 11_000, "{id}: {rows} rows per child");
    }
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
    verify_final_proof(&keys, &batch, &record, None).unwrap();
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
