//! The SNARK wrap in the test profile: a small batch's scheduler proof is re-proved by the wrap layer
//! (BN254 hashing, no proof of work) and wrapped in a PLONK proof over BN254 at the test CRS
//! (`Crs::crs_42`: insecure, for tests only). The proof is small, verifies with pairings against the
//! batch's commitment, and is rejected after a flipped byte or against another batch's commitment.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Instant;

use boojum::field::U64Representable;
use zkstream_prover::circuits::wrap::limbs_of;
use zkstream_prover::field::{proof_public_input, F};
use zkstream_prover::prove_to_scheduler;
use zkstream_prover::wrap::{layer, snark, MonomialCrs};
use zkstream_types::Digest;

#[test]
fn a_scheduler_proof_wraps_into_a_small_pairing_checked_proof() {
    let prover = common::prover();
    let keys = prover.keys().clone();
    let batch = common::batch(1, Digest::ZERO, 3, 1);
    let (scheduler, _, _) = prove_to_scheduler(&prover, &batch).unwrap();
    let commitment = proof_public_input(&scheduler).unwrap().0;
    let worker = boojum::worker::Worker::new_with_num_threads(2);

    let t = Instant::now();
    let layer_setup = layer::setup(&keys, &worker).unwrap();
    let setup_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let layer_proof = layer::prove(&keys, &layer_setup, &scheduler, &worker).unwrap();
    let layer_s = t.elapsed().as_secs_f64();
    // The wrap layer exposes the commitment's four low 56-bit limbs.
    assert_eq!(
        layer_proof.public_inputs,
        limbs_of(&commitment).map(F::from_u64_unchecked).to_vec()
    );
    // Another configuration than the layer's is refused.
    let config = layer::proof_config(&keys);
    let mut other_config = config.clone();
    other_config.security_level += 1;
    assert!(!layer::verify(&layer_setup.vk, &other_config, &layer_proof));

    let bellman = snark_worker();
    let t = Instant::now();
    let setup = snark::setup(&layer_setup.vk, &config, &bellman).unwrap();
    let domain = snark::domain_size(&setup);
    let crs = MonomialCrs::crs_42(domain, &bellman);
    let vk = snark::verification_key(&setup, &crs, &bellman).unwrap();
    let snark_setup_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let proof = snark::prove(
        &layer_setup.vk,
        &config,
        layer_proof,
        &setup,
        &crs,
        &bellman,
    )
    .unwrap();
    let prove_s = t.elapsed().as_secs_f64();
    let bytes = snark::encode(&proof).unwrap();
    let t = Instant::now();
    assert!(snark::verify(
        &vk,
        &snark::decode(&bytes).unwrap(),
        &commitment
    ));
    let verify_ms = t.elapsed().as_secs_f64() * 1e3;
    eprintln!(
        "wrap (test profile): layer {} rows, setup {setup_s:.1} s, proof {layer_s:.1} s; wrapper \
         domain 2^{}, setup + VK {snark_setup_s:.1} s, proof {prove_s:.1} s, {} bytes, verified in \
         {verify_ms:.1} ms",
        layer_setup.rows,
        domain.trailing_zeros(),
        bytes.len()
    );
    assert!(bytes.len() <= 2_000, "{} bytes", bytes.len());

    // Another batch's commitment (one bit of one limb) is refused, and so is any flipped byte.
    let mut other = commitment;
    other[2] ^= 1 << 20;
    assert!(!snark::verify(&vk, &proof, &other));
    for at in [0, 9, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let mut tampered = bytes.clone();
        tampered[at] ^= 0x10;
        let rejected =
            snark::decode(&tampered).map_or(true, |p| !snark::verify(&vk, &p, &commitment));
        assert!(rejected, "byte {at} flipped and still accepted");
    }
    assert!(snark::decode(&bytes[..bytes.len() - 1]).is_err());
}

fn snark_worker() -> snark::BellmanWorker {
    snark::BellmanWorker::new_with_cpus(2)
}
