//! The wrap layer in the test profile: a small batch's scheduler proof is re-proved by the wrap layer
//! (BN254 hashing, no proof of work), which refuses a forged scheduler proof and exposes the batch
//! commitment's limbs; its proofs verify under its own configuration only, and the wrapper refuses
//! one that does not verify before it proves anything. The PLONK wrapper's setup
//! and key (at the test CRS, `Crs::crs_42`: insecure, for tests only) and the layer's setup are
//! computed once, then read from the key store's directory (a damaged layer setup is computed
//! again), and a file that is not a CRS is refused by name.
//!
//! The wrapper proof itself is made, checked and tampered with where a batch is wrapped end to end:
//! `dataflow/tests/pipeline.rs` (a cluster's wrap job: another commitment, flipped bytes, a truncated
//! proof) and `cli/tests/wrap.rs` (`demo --wrap`, then `verify`). Each wrapper
//! proof costs ~100 s of this machine's two cores, so the suite makes one per path, not one per crate.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use boojum::field::U64Representable;
use zkstream_prover::circuits::wrap::limbs_of;
use zkstream_prover::field::{proof_public_input, F};
use zkstream_prover::wrap::keys::{vk_commitment, Source};
use zkstream_prover::wrap::{layer, snark, CrsSource, WrapKeys};
use zkstream_prover::{prove_to_scheduler, ProverError};
use zkstream_types::Digest;

#[test]
fn the_wrap_layer_proves_only_a_valid_scheduler_proof_and_the_wrapper_key_is_cached() {
    let prover = common::prover();
    let keys = prover.keys().clone();
    let batch = common::batch(1, Digest::ZERO, 3, 1);
    let (scheduler, _, _) = prove_to_scheduler(&prover, &batch).unwrap();
    let commitment = proof_public_input(&scheduler).unwrap().0;

    // The wrapper's setup and key: computed once, then read from the key store's directory.
    let t = Instant::now();
    let first = WrapKeys::prepare(&keys, &CrsSource::Test, 2).unwrap();
    let first_s = t.elapsed().as_secs_f64();
    let pinned = vk_commitment(&first.pinned.vk).unwrap();
    drop(first);
    let t = Instant::now();
    let wrap = WrapKeys::prepare(&keys, &CrsSource::Test, 2).unwrap();
    let again_s = t.elapsed().as_secs_f64();
    assert!(wrap.test_crs());
    assert_eq!(wrap.source, Source::Loaded);
    assert_eq!(vk_commitment(&wrap.pinned.vk).unwrap(), pinned);
    let domain = snark::domain_size(&wrap.setup);
    // The wrap layer's setup is cached too; a damaged entry (one flipped bit: its digest no longer
    // matches) is computed again, to the same key, and no temporary file stays behind.
    let root = keys.dir().unwrap().join("wrap").join("test-v1");
    let files = || -> Vec<String> {
        std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let layers: Vec<_> = files()
        .into_iter()
        .filter(|n| n.starts_with("layer-") && n.ends_with(".setup"))
        .map(|n| root.join(n))
        .collect();
    assert_eq!(layers.len(), 1, "{layers:?}");
    let mut bytes = std::fs::read(&layers[0]).unwrap();
    let len = bytes.len() as u64;
    bytes[len as usize / 2] ^= 0x01;
    std::fs::write(&layers[0], bytes).unwrap();
    let t = Instant::now();
    let again = WrapKeys::prepare(&keys, &CrsSource::Test, 2).unwrap();
    let recomputed_s = t.elapsed().as_secs_f64();
    assert_eq!(again.source, Source::Computed);
    assert_eq!(vk_commitment(&again.pinned.vk).unwrap(), pinned);
    assert_eq!(std::fs::metadata(&layers[0]).unwrap().len(), len);
    assert!(
        !files().iter().any(|n| n.contains(".tmp-")),
        "{:?}",
        files()
    );
    drop(again);

    // The wrap layer proves only a valid scheduler proof, and exposes the commitment's four low
    // 56-bit limbs; its proofs verify under its own configuration only.
    let worker = boojum::worker::Worker::new_with_num_threads(2);
    let mut forged = scheduler.clone();
    forged.public_inputs[0] = F::from_u64_unchecked(7);
    assert!(layer::prove(&keys, &wrap.layer, &forged, &worker).is_err());
    let t = Instant::now();
    let layer_proof = layer::prove(&keys, &wrap.layer, &scheduler, &worker).unwrap();
    let layer_s = t.elapsed().as_secs_f64();
    assert_eq!(
        layer_proof.public_inputs,
        limbs_of(&commitment).map(F::from_u64_unchecked).to_vec()
    );
    let mut other_config = layer::proof_config(&keys);
    other_config.security_level += 1;
    assert!(!layer::verify(&wrap.layer.vk, &other_config, &layer_proof));
    // The wrapper checks the layer proof before minutes of proving: one that claims another
    // commitment is refused at once.
    let mut lying = layer_proof.clone();
    lying.public_inputs[0] = F::from_u64_unchecked(lying.public_inputs[0].as_u64() ^ 1);
    let refused = snark::prove(
        &wrap.layer.vk,
        &layer::proof_config(&keys),
        lying,
        &wrap.setup,
        &wrap.crs,
        &snark::bellman_worker(2),
    );
    assert!(
        matches!(refused, Err(ProverError::ChildRejected { .. })),
        "{:?}",
        refused.as_ref().err()
    );

    eprintln!(
        "wrap (test profile): layer {} rows, proof {layer_s:.1} s; wrapper domain 2^{}, setup + VK \
         {first_s:.1} s ({again_s:.1} s from the cache, {recomputed_s:.1} s with the layer's \
         setup computed); cached layer setup {len} bytes; wrapper key {}",
        wrap.layer.rows,
        domain.trailing_zeros(),
        hex::encode(pinned)
    );

    // A file that is not a CRS is refused, by name.
    let dir = tempfile::tempdir().unwrap();
    let bogus = dir.path().join("setup.key");
    std::fs::write(&bogus, [0u8; 100]).unwrap();
    let err = match WrapKeys::prepare(&keys, &CrsSource::File(bogus), 2) {
        Err(e) => e.to_string(),
        Ok(_) => panic!("a 100-byte file was taken for a CRS"),
    };
    assert!(err.contains("setup.key"), "{err}");
}
