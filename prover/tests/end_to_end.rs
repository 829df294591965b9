//! A small batch (two types, several basic circuits each, arity 2) proved end to end and verified, and
//! the setup cache reused by a second store (a damaged entry computed again).
#![allow(clippy::unwrap_used)]

mod common;

use zkstream_prover::keys::KeySource;
use zkstream_prover::verify::batch_ranges;
use zkstream_prover::{
    prove_batch, verify_final_proof, witness_batch, KeyStore, ProofProfile, TreeShape,
};
use zkstream_types::{Digest, FinalBatchProof, Framed};

#[test]
fn batch_proves_and_verifies_end_to_end() {
    let prover = common::prover();
    let keys = prover.keys().clone();
    // 20 Poseidon2 requests at capacity 8 → 3 basic circuits; 5 SHA-256 at capacity 2 → 3.
    let batch = common::batch(1, Digest::ZERO, 20, 5);
    let w = witness_batch(&batch, keys.shape()).unwrap();
    assert_eq!(w.basic_count(), 6);
    let (record, counts) = prove_batch(&prover, &batch).unwrap();
    // 3+3 basic, 2+2 leaves (chunks of 2), 1+1 node, then tip, scheduler, compression.
    assert_eq!(counts, [6, 4, 2, 1, 1, 1]);
    assert_eq!(record.aggregation_result_coords, batch_ranges(&batch));
    let commitment = verify_final_proof(&keys, &batch, &record, None).unwrap();
    assert_eq!(commitment, record.batch_commitment);
    // The record survives the wire format and still verifies.
    let decoded = FinalBatchProof::from_frame(&record.to_frame().unwrap()).unwrap();
    verify_final_proof(&keys, &batch, &decoded, None).unwrap();
    println!(
        "final proof: {} bytes, commitment {}",
        record.proof.len(),
        record.batch_commitment
    );

    // The next batch chains onto this commitment and verifies too; an absent type still gets proved.
    let next = common::batch(2, record.batch_commitment, 3, 0);
    let (record2, counts2) = prove_batch(&prover, &next).unwrap();
    assert_eq!(
        counts2[0], 2,
        "one Poseidon2 circuit and one empty SHA-256 circuit"
    );
    verify_final_proof(&keys, &next, &record2, None).unwrap();
    assert_eq!(record2.previous_batch_commitment, record.batch_commitment);
}

#[test]
fn setup_cache_is_reused_from_disk() {
    let first = common::keys();
    let again = KeyStore::open(
        Some(&common::keys_root()),
        ProofProfile::test(),
        TreeShape::default(),
        1,
        2,
    )
    .unwrap();
    for (id, commitment, source) in again.generate_all().unwrap() {
        assert_eq!(
            source,
            KeySource::Disk,
            "{id} should come from the disk cache"
        );
        assert_eq!(commitment, first.vk_commitment(id).unwrap());
    }
    assert_eq!(
        again.vk_set_commitment().unwrap(),
        first.vk_set_commitment().unwrap()
    );
    // A damaged entry (one flipped bit) is computed again, to the same key, and written whole: in a
    // store of its own holding a copy of the smallest entry, so that no other test reads the damage.
    let dir = again.dir().unwrap();
    let (id, file) = again
        .generate_all()
        .unwrap()
        .into_iter()
        .map(|(id, _, _)| (id, dir.join(format!("{id}.setup"))))
        .min_by_key(|(_, f)| std::fs::metadata(f).unwrap().len())
        .unwrap();
    let root = tempfile::tempdir().unwrap();
    let open = || {
        KeyStore::open(
            Some(root.path()),
            ProofProfile::test(),
            TreeShape::default(),
            1,
            2,
        )
        .unwrap()
    };
    let copy = open().dir().unwrap().join(file.file_name().unwrap());
    std::fs::copy(&file, &copy).unwrap();
    assert_eq!(open().get_with_source(id).unwrap().1, KeySource::Disk);
    let mut bytes = std::fs::read(&copy).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&copy, &bytes).unwrap();
    let repaired = open();
    assert_eq!(repaired.get_with_source(id).unwrap().1, KeySource::Computed);
    assert_eq!(
        repaired.vk_commitment(id).unwrap(),
        first.vk_commitment(id).unwrap()
    );
    assert_eq!(std::fs::read(&copy).unwrap(), std::fs::read(&file).unwrap());
    assert_eq!(open().get_with_source(id).unwrap().1, KeySource::Disk);
    // Another protocol version is another key set (other directory), never silently shared.
    let other = KeyStore::open(
        Some(&common::keys_root()),
        ProofProfile::test(),
        TreeShape::default(),
        2,
        2,
    )
    .unwrap();
    assert_ne!(other.dir(), again.dir());
}
