//! Aggregation mode's proof tree in the timely dataflow (2 workers, 1 proof at a time: two keccak
//! proofs at once beside their setups do not fit this 24 GiB machine), against the sequential oracle:
//! 3 users' proofs (2 programs) in the test profile with 2-proof chunks, arity-2 nodes and 2 node
//! levels — chunks [2, 1] on different workers, a level-1 node over both, the level-2 aggregate over it
//! (its second slot padded) — and every proof of every level exposes exactly the summary the native
//! tree gives its leaves; the aggregate verifies and commits to Aligned's root. A run with an invalid
//! proof fails with its reason and proves nothing. (The summary rule itself is checked for every count
//! and shape by the prover's unit tests; each proof here costs ~100 s on 2 cores.)
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use zkstream_aggregation::MerkleTree;
use zkstream_dataflow::aggregation::aggregate_in_dataflow;
use zkstream_prover::user::{order_by_program, tree_plan, user_commitment, Summary};
use zkstream_prover::{
    init_resolver_threads, KeyStore, ProofProfile, Prover, TreeShape, UserShape,
};

fn prover() -> Arc<Prover> {
    init_resolver_threads();
    let keys = KeyStore::open(
        Some(&PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("keys")),
        ProofProfile::test(),
        TreeShape::default(),
        1,
        2,
    )
    .unwrap()
    .with_user_shape(UserShape {
        levels: 2,
        ..UserShape::default()
    })
    .unwrap();
    // One proof at a time, on both cores.
    Arc::new(Prover::new(Arc::new(keys), 2))
}

#[test]
fn the_dataflow_tree_matches_the_sequential_oracle() {
    let prover = prover();
    let shape = *prover.keys().user_shape();
    let proofs: Vec<_> = [(11, 1), (22, 2), (11, 4)]
        .into_iter()
        .map(|(salt, s)| prover.prove_user_program(salt, [s, s, s, s]).unwrap())
        .collect();

    // A bad proof (another program's key) fails the run with its reason; nothing above it is proved.
    let bad = vec![
        proofs[0].clone(),
        (proofs[1].0.clone(), proofs[0].1.clone()),
    ];
    let err = aggregate_in_dataflow(Arc::clone(&prover), 2, 2, &bad).unwrap_err();
    assert!(err.to_string().contains("chunk 0"), "{err}");

    let t = Instant::now();
    let agg = aggregate_in_dataflow(Arc::clone(&prover), 2, 1, &proofs).unwrap();
    eprintln!(
        "dataflow tree over 3 proofs (2 chunks, 2 nodes, incl. any setups) in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // The oracle: the leaves in program order, the tree by the native rule.
    let ordered = order_by_program(&proofs);
    let leaves: Vec<[u8; 32]> = ordered
        .iter()
        .map(|(vk, p)| user_commitment(vk, p))
        .collect();
    assert_eq!(agg.leaves, leaves);
    assert_eq!(agg.family, prover.user_family(&proofs[0].0).unwrap());
    assert_eq!(agg.root, MerkleTree::new(&leaves).unwrap().root());
    let plan = tree_plan(&shape, 3).unwrap();
    assert_eq!(plan, vec![2, 1, 1]);
    assert_eq!(agg.chunk_proofs.len(), plan[0]);
    assert_eq!(
        agg.node_proofs.iter().map(Vec::len).collect::<Vec<_>>(),
        plan[1..]
    );
    for (i, p) in agg.chunk_proofs.iter().enumerate() {
        let under = &leaves[2 * i..(2 * i + 2).min(3)];
        assert_eq!(
            Summary::of_proof(p).unwrap(),
            Summary::of_leaves(under, 2).unwrap(),
            "chunk {i}"
        );
    }
    for (level, proofs) in agg.node_proofs.iter().enumerate() {
        let capacity = shape.capacity_at(level as u32 + 1);
        for (i, p) in proofs.iter().enumerate() {
            let under = &leaves[capacity * i..(capacity * (i + 1)).min(3)];
            assert_eq!(
                Summary::of_proof(p).unwrap(),
                Summary::of_leaves(under, capacity).unwrap(),
                "level {} node {i}",
                level + 1
            );
        }
    }
    assert_eq!(
        prover
            .verify_user_aggregate(agg.family, &agg.proof)
            .unwrap(),
        (3, agg.root)
    );
}
