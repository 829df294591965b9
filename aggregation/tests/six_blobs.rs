//! A full run's worth of commitments, host side: 23,808 commitments (6 blobs, zkstream's most per run)
//! through the tree, the blobs, KZG and the decoder, and every user's inclusion path — what a run
//! publishes besides its proof, at the largest size a run may have.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use zkstream_aggregation::{
    commit_blob, commitment, pack_blobs, unpack_blobs, verify_blob, verify_inclusion, MerkleTree,
    ProvingSystem, COMMITMENTS_PER_BLOB, MAX_BLOBS,
};

#[test]
fn a_six_blob_run_packs_commits_decodes_and_proves_every_inclusion() {
    let n = COMMITMENTS_PER_BLOB * MAX_BLOBS;
    assert_eq!(n, 23_808);
    // 64 programs, each user's public inputs their own.
    let leaves: Vec<[u8; 32]> = (0..n as u32)
        .map(|i| {
            let program = zkstream_aggregation::keccak256(&(i % 64).to_be_bytes());
            commitment(ProvingSystem::Boojum.id(), &program, &i.to_be_bytes())
        })
        .collect();

    let t = Instant::now();
    let tree = MerkleTree::new(&leaves).unwrap();
    let root = tree.root();
    let tree_s = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let blobs = pack_blobs(&leaves).unwrap();
    assert_eq!(blobs.len(), MAX_BLOBS);
    let kzg: Vec<_> = blobs.iter().map(|b| commit_blob(b).unwrap()).collect();
    let kzg_s = t.elapsed().as_secs_f64();
    for (b, k) in blobs.iter().zip(&kzg) {
        assert!(verify_blob(b, k).unwrap());
        assert_eq!(k.versioned_hash[0], 0x01);
    }
    let mut hashes: Vec<_> = kzg.iter().map(|k| k.versioned_hash).collect();
    hashes.sort();
    hashes.dedup();
    assert_eq!(hashes.len(), MAX_BLOBS, "six different blobs");
    // A blob's KZG opening does not open its neighbour.
    assert!(!verify_blob(&blobs[1], &kzg[0]).unwrap());

    // Anyone holding the blobs recovers the list and the root.
    let t = Instant::now();
    let decoded = unpack_blobs(&blobs, n).unwrap();
    assert_eq!(decoded, leaves);
    assert_eq!(MerkleTree::new(&decoded).unwrap().root(), root);
    let decode_s = t.elapsed().as_secs_f64();

    // Every user's path verifies (15 levels); a path shown for a neighbour's leaf does not.
    let t = Instant::now();
    for (i, leaf) in leaves.iter().enumerate() {
        let p = tree.proof(i).unwrap();
        assert_eq!(p.path.len(), 15);
        assert!(verify_inclusion(&root, leaf, &p.path), "leaf {i}");
    }
    let paths_s = t.elapsed().as_secs_f64();
    let p = tree.proof(100).unwrap();
    assert!(!verify_inclusion(&root, &leaves[101], &p.path));
    eprintln!(
        "23,808 commitments: tree {tree_s:.3} s, 6 blobs + KZG {kzg_s:.3} s, decode + root \
         {decode_s:.3} s, 23,808 paths {paths_s:.3} s"
    );
}
