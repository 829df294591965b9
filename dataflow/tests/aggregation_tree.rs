//! User-proof mode's proof tree in the timely dataflow, on a cluster of two timely processes (two
//! services of this test on localhost, one worker and one proving slot each; the second with a key
//! store of its own), against the sequential oracle: 3 users' proofs (2 programs) in the test profile
//! with 2-proof chunks, arity-2 nodes and 2 node levels — chunks [2, 1] on different processes, a
//! level-1 node over both, the level-2 aggregate over it (its second slot padded) — and every proof of
//! every level exposes exactly the summary the native tree gives its leaves; the aggregate verifies and
//! commits to Aligned's root. The second process makes the family known from the key its chunk job
//! carries and sets up the chunk circuit itself. A run with an invalid proof fails with its reason and
//! proves nothing. (The summary rule itself is checked for every count and shape by the prover's unit
//! tests.)
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use zkstream_aggregation::MerkleTree;
use zkstream_dataflow::pipeline::Cluster;
use zkstream_dataflow::user_proofs::{
    prove_tree, prove_tree_in_memory, tree_pool, UserTreeService,
};
use zkstream_operators::pool::JobEnd;
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::user::{order_by_program, tree_plan, user_commitment, Summary};
use zkstream_prover::{
    init_resolver_threads, KeyStore, ProofProfile, Prover, TreeShape, UserShape,
};

fn prover() -> Arc<Prover> {
    prover_with_keys(&zkstream_testkit::keys_dir!())
}

fn prover_with_keys(dir: &std::path::Path) -> Arc<Prover> {
    init_resolver_threads();
    let keys = KeyStore::open(Some(dir), ProofProfile::test(), TreeShape::default(), 1, 2)
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
    let err = prove_tree_in_memory(Arc::clone(&prover), 2, 2, &bad).unwrap_err();
    assert!(err.to_string().contains("chunk level 0 #0"), "{err}");

    // The run on a cluster of two timely processes (two services of this test on localhost, one
    // worker and one slot each). The second has a key store of its own that has never seen the
    // family: chunk 1 goes to its worker, so it makes the family known from the key the job carries,
    // sets up the chunk circuit and proves it; process 0 proves chunk 0 and both nodes. The two share
    // nothing but the artifact store.
    let member_keys = tempfile::tempdir().unwrap();
    let shared = tempfile::tempdir().unwrap();
    let store = ArtifactStore::local(shared.path()).unwrap();
    let addresses: Vec<String> = (0..2)
        .map(|_| {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().to_string()
        })
        .collect();
    let member = {
        let prover = prover_with_keys(member_keys.path());
        let pool = Arc::new(tree_pool(Arc::clone(prover.keys()), store.clone(), 1, 2));
        let cluster = Cluster {
            process: 1,
            addresses: addresses.clone(),
            wrappers: Vec::new(),
        };
        std::thread::spawn(move || {
            let service = UserTreeService::start(pool, 1, Some(&cluster)).unwrap();
            assert!(!service.hosts_worker_0());
            service.finish()
        })
    };
    let t = Instant::now();
    let cluster = Cluster {
        process: 0,
        addresses,
        wrappers: Vec::new(),
    };
    let pool = Arc::new(tree_pool(Arc::clone(prover.keys()), store.clone(), 1, 2));
    let mut service = UserTreeService::start(pool, 1, Some(&cluster)).unwrap();
    let agg = prove_tree(&mut service, &prover, 7, &proofs).unwrap();
    // Runs go in increasing order; the same run again is a retry (it reuses what it stored).
    assert!(service.prove_run(6, Vec::new()).is_err());
    service.finish().unwrap();
    member.join().unwrap().unwrap();
    eprintln!(
        "2-process cluster tree over 3 proofs (2 chunks, 2 nodes, incl. any setups and the \
         member's chunk setup) in {:.1} s",
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

    // The same run again (a restart): every chunk and node is in the store, checked and reused;
    // nothing is proved twice, and the aggregate is the one stored.
    let pool = Arc::new(tree_pool(Arc::clone(prover.keys()), store, 1, 2));
    let mut again = UserTreeService::start(Arc::clone(&pool), 1, None).unwrap();
    let agg2 = prove_tree(&mut again, &prover, 7, &proofs).unwrap();
    again.finish().unwrap();
    let ends: Vec<JobEnd> = pool.records().into_iter().map(|r| r.end).collect();
    assert_eq!(ends, vec![JobEnd::Reused; 4], "2 chunks and 2 nodes reused");
    assert_eq!(
        zkstream_prover::encode_proof(&agg2.proof).unwrap(),
        zkstream_prover::encode_proof(&agg.proof).unwrap()
    );

    // The member made the family known and set up its chunk circuit itself.
    let made: Vec<String> = walk(member_keys.path())
        .into_iter()
        .filter_map(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .collect();
    let family = agg.family;
    assert!(
        made.contains(&format!("family-{family}.vk")),
        "member's key files: {made:?}"
    );
    assert!(
        made.contains(&format!("user-chunk-{family}.setup")),
        "member's key files: {made:?}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
