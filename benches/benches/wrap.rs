//! The SNARK wrap, per stage: a batch (one basic circuit per type, arity 2) is proved up to its
//! scheduler proof, then the wrap layer (BN254 hashing) and the PLONK wrapper. With
//! `ZKSTREAM_BENCH_WRAP=aggregate`, aggregation mode's run proof is wrapped instead: four users'
//! proofs of one family aggregated by the default tree (two chunks of two, one node: the top node, a
//! 2^16 keccak-layout circuit). It prints one table:
//! the wrap layer's rows, setup and proof; the wrapper's domain, setup, verification key and proof;
//! the proof's size; the pairing check's time; and the peak memory of each stage, in a process that
//! holds only what the wrap needs (the tree's setups are released after the scheduler proof; the
//! resident memory they took is printed).
//!
//! The CRS is `ZKSTREAM_BENCH_CRS` (a monomial-form file, e.g. zkSync's `setup_2^24.key`) or, without
//! it, the test CRS at the wrapper's size: the same cost as a real CRS of that size, but its proofs
//! prove nothing. `ZKSTREAM_BENCH_PROFILE`: `production` (default) or `test`. Keys (the batch tree's
//! and the wrapper's) are cached under `target/bench-keys`; delete `wrap/` there to time the
//! wrapper's setup again. `ZKSTREAM_BENCH_WRAP_SIZE_ONLY=1` stops after the wrap layer's rows and the
//! wrapper's domain (no CRS, no key, no proof): what a wrap would cost, in a few minutes.
//!
//! `cargo bench -p zkstream-benches --bench wrap`
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use zkstream_benches::{peak_rss_bytes, reset_peak_rss, rss_bytes};
use zkstream_prover::field::BProof;
use zkstream_prover::wrap::keys::{vk_commitment, Source};
use zkstream_prover::wrap::{layer, snark, CrsSource, WrapKeys, WrapTarget};
use zkstream_prover::{
    init_resolver_threads, prove_to_scheduler, CircuitId, KeyStore, ProofProfile, Prover, TreeShape,
};
use zkstream_types::{BatchInput, Digest, Request};

fn gib(bytes: Option<u64>) -> f64 {
    bytes.unwrap_or(0) as f64 / (1u64 << 30) as f64
}

fn main() {
    init_resolver_threads();
    let name = std::env::var("ZKSTREAM_BENCH_PROFILE").unwrap_or_else(|_| "production".into());
    let profile = ProofProfile::by_name(&name).unwrap();
    let crs = match std::env::var("ZKSTREAM_BENCH_CRS") {
        Ok(path) => CrsSource::File(path.into()),
        Err(_) => CrsSource::Test,
    };
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let shape = TreeShape {
        arity: 2,
        node_depth: 1,
        ..TreeShape::default()
    };
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-keys");
    let keys = Arc::new(KeyStore::open(Some(&root), profile.clone(), shape, 1, threads).unwrap());
    let t = Instant::now();
    keys.generate_all().unwrap();
    println!(
        "\n## SNARK wrap, profile {}, {threads} cores, CRS {:?}: batch keys ready in {:.1} s",
        profile.name,
        crs,
        t.elapsed().as_secs_f64()
    );
    let prover = Prover::new(keys.clone(), threads);
    let aggregate = std::env::var("ZKSTREAM_BENCH_WRAP").is_ok_and(|v| v == "aggregate");
    let (target, wrapped) = if aggregate {
        aggregate_proof(prover)
    } else {
        (WrapTarget::Batch, scheduler_proof(prover))
    };
    let commitment = target.commitment_of(&wrapped).unwrap();
    // The wrap needs the wrapped proof's key, not the tree's setups: a process that only wraps holds
    // none of them (a process that also proves the tree holds them beside the wrap: see the RSS).
    let held = gib(rss_bytes());
    let user = match target {
        WrapTarget::Aggregate(f) => vec![CircuitId::UserChunk(f), CircuitId::UserNode(f, 1)],
        WrapTarget::Batch => vec![],
    };
    let released = CircuitId::all(keys.shape())
        .into_iter()
        .chain(user)
        .filter(|id| keys.release(*id))
        .count();
    println!(
        "RSS {held:.1} GiB with the tree's setups, {:.1} GiB once its {released} setups are released",
        gib(rss_bytes())
    );
    if std::env::var("ZKSTREAM_BENCH_WRAP_SIZE_ONLY").is_ok_and(|v| v == "1") {
        size_only(&keys, target, threads);
        return;
    }

    reset_peak_rss();
    let t = Instant::now();
    let wrap = WrapKeys::prepare_for(&keys, target, &crs, threads).unwrap();
    let keys_s = t.elapsed().as_secs_f64();
    let keys_peak = gib(peak_rss_bytes());
    let worker = boojum::worker::Worker::new_with_num_threads(threads);
    reset_peak_rss();
    let t = Instant::now();
    let layer_proof = layer::prove(&keys, &wrap.layer, &wrapped, &worker).unwrap();
    let layer_s = t.elapsed().as_secs_f64();
    let layer_peak = gib(peak_rss_bytes());
    let bellman = snark::bellman_worker(threads);
    reset_peak_rss();
    let t = Instant::now();
    let proof = snark::prove(
        &wrap.layer.vk,
        &layer::proof_config(&keys),
        layer_proof,
        &wrap.setup,
        &wrap.crs,
        &bellman,
    )
    .unwrap();
    let prove_s = t.elapsed().as_secs_f64();
    let prove_peak = gib(peak_rss_bytes());
    let bytes = snark::encode(&proof).unwrap();
    let t = Instant::now();
    assert!(wrap.verify(&bytes, &commitment));
    let verify_ms = t.elapsed().as_secs_f64() * 1e3;
    println!("\nwrapped: {}", target.name());
    println!(
        "| wrap layer rows | wrapper domain | wrapper setup + VK s | layer proof s | wrapper proof s | \
         proof bytes | verify ms | peak GiB (keys / layer / wrapper) |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | 2^{} | {keys_s:.1}{} | {layer_s:.1} | {prove_s:.1} | {} | {verify_ms:.1} | \
         {keys_peak:.1} / {layer_peak:.1} / {prove_peak:.1} |",
        wrap.layer.rows,
        snark::domain_size(&wrap.setup).trailing_zeros(),
        if wrap.source == Source::Loaded {
            " (cached)"
        } else {
            ""
        },
        bytes.len()
    );
    println!(
        "wrapper key {}{}",
        hex::encode(vk_commitment(&wrap.pinned.vk).unwrap()),
        if wrap.test_crs() {
            " (TEST CRS: tau = 42, the proof proves nothing)"
        } else {
            ""
        }
    );
}

/// A batch's scheduler proof (one basic circuit per type).
fn scheduler_proof(prover: Prover) -> BProof {
    let batch = BatchInput {
        batch_number: 1,
        protocol_version: 1,
        previous_batch_commitment: Digest::ZERO,
        requests: vec![
            Request::Poseidon2Hash {
                inputs: vec![1, 2, 3],
            },
            Request::Sha256 { data: vec![7; 40] },
        ],
    };
    let t = Instant::now();
    let (scheduler, _, _) = prove_to_scheduler(&prover, &batch).unwrap();
    println!(
        "batch proved up to its scheduler proof in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    scheduler
}

/// Aggregation mode's run proof: four users' proofs of one family (two programs), two chunks, the
/// top node.
fn aggregate_proof(prover: Prover) -> (WrapTarget, BProof) {
    let t = Instant::now();
    let proofs: Vec<_> = (0..4u64)
        .map(|i| prover.prove_user_program(1 + i % 2, [i, 1, 2, 3]).unwrap())
        .collect();
    let family = prover.user_family(&proofs[0].0).unwrap();
    let ordered = zkstream_prover::user::order_by_program(&proofs);
    let chunks: Vec<_> = ordered
        .chunks(2)
        .map(|c| prover.prove_user_chunk(c).unwrap())
        .collect();
    let top = prover.prove_user_node(family, 1, &chunks).unwrap();
    assert_eq!(prover.verify_user_aggregate(family, &top).unwrap().0, 4);
    println!(
        "four users' proofs aggregated to the top node in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    (WrapTarget::Aggregate(family), top)
}

/// The wrap layer's rows and the wrapper's domain, timed, without a CRS, a key or a proof.
fn size_only(keys: &KeyStore, target: WrapTarget, threads: usize) {
    let worker = boojum::worker::Worker::new_with_num_threads(threads);
    let bellman = snark::bellman_worker(threads);
    reset_peak_rss();
    let t = Instant::now();
    let setup = layer::setup_for(keys, target, &worker).unwrap();
    let layer_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let wrapper = snark::setup(&setup.vk, &layer::proof_config(keys), &bellman).unwrap();
    let wrapper_s = t.elapsed().as_secs_f64();
    println!(
        "\nwrapped: {}; wrap layer {} rows (domain 2^{}), setup {layer_s:.1} s; wrapper domain 2^{}, \
         setup {wrapper_s:.1} s; peak {:.1} GiB",
        target.name(),
        setup.rows,
        setup.vk.fixed_parameters.domain_size.trailing_zeros(),
        snark::domain_size(&wrapper).trailing_zeros(),
        gib(peak_rss_bytes())
    );
}
