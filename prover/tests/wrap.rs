//! The SNARK wrap in the test profile: a small batch's scheduler proof is re-proved by the wrap layer
//! (BN254 hashing, no proof of work) and wrapped in a PLONK proof over BN254 at the test CRS
//! (`Crs::crs_42`: insecure, for tests only). The wrapper's setup and key are cached per CRS; the
//! proof is small, verifies with pairings against the batch's commitment, and is rejected after a
//! flipped byte, truncated, or against another batch's commitment.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use boojum::field::U64Representable;
use zkstream_prover::circuits::wrap::limbs_of;
use zkstream_prover::field::{proof_public_input, F};
use zkstream_prover::prove_to_scheduler;
use zkstream_prover::wrap::keys::{vk_commitment, Source};
use zkstream_prover::wrap::{layer, snark, CrsSource, WrapKeys};
use zkstream_types::Digest;

#[test]
fn a_scheduler_proof_wraps_into_a_small_pairing_checked_proof() {
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

    let t = Instant::now();
    let bytes = wrap.wrap(&keys, &scheduler, 2).unwrap();
    let wrap_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    assert!(wrap.verify(&bytes, &commitment));
    let verify_ms = t.elapsed().as_secs_f64() * 1e3;
    eprintln!(
        "wrap (test profile): layer {} rows, proof {layer_s:.1} s; wrapper domain 2^{}, setup + VK \
         {first_s:.1} s ({again_s:.1} s from the cache), layer + wrapper proof {wrap_s:.1} s, {} \
         bytes, verified in {verify_ms:.1} ms; wrapper key {}",
        wrap.layer.rows,
        domain.trailing_zeros(),
        bytes.len(),
        hex::encode(pinned)
    );
    assert!(bytes.len() <= 2_000, "{} bytes", bytes.len());

    // Another batch's commitment (one bit of one limb), or the same one in a non-canonical form, is
    // refused; so is any flipped byte, and a truncated proof.
    let mut other = commitment;
    other[2] ^= 1 << 20;
    assert!(!wrap.verify(&bytes, &other));
    let mut wide = commitment;
    wide[0] = wide[0].wrapping_add(0xFFFF_FFFF_0000_0001);
    assert!(!wrap.verify(&bytes, &wide));
    for at in [0, 9, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let mut tampered = bytes.clone();
        tampered[at] ^= 0x10;
        assert!(
            !wrap.verify(&tampered, &commitment),
            "byte {at} flipped and still accepted"
        );
    }
    assert!(snark::decode(&bytes[..bytes.len() - 1]).is_err());

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
