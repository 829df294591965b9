//! Smoke: keys and one batch, with timings printed.
use std::sync::Arc;
use std::time::Instant;
use zkstream_prover::sample::{sample_batch, SampleSize};
use zkstream_prover::*;

#[test]
fn smoke() {
    init_resolver_threads();
    let t = Instant::now();
    let keys = Arc::new(KeyStore::open(Some(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("keys").as_path()), ProofProfile::test(), TreeShape::default(), 1, 2).unwrap());
    for (id, c, src) in keys.generate_all().unwrap() {
        let s = keys.get(id).unwrap();
        println!("{id}: rows={} domain={} vk={c} {src:?}", s.rows, s.vk.fixed_parameters.domain_size);
    }
    println!("keys: {:.1}s", t.elapsed().as_secs_f64());
    let vk_set = keys.vk_set_commitment().unwrap();
    let batch = sample_batch(1, 7, 1, &vk_set, SampleSize::default());
    let prover = Prover::new(keys.clone(), 2);
    let t = Instant::now();
    let (record, counts) = prove_batch(&prover, &batch).unwrap();
    println!("prove: {:.1}s counts={counts:?} proof={} bytes", t.elapsed().as_secs_f64(), record.proof.len());
    verify_final_proof(&keys, &batch, &record).unwrap();
}

#[test]
fn timing_breakdown() {
    init_resolver_threads();
    let keys = Arc::new(KeyStore::open(Some(std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("keys").as_path()), ProofProfile::test(), TreeShape::default(), 1, 2).unwrap());
    keys.generate_all().unwrap();
    let vk_set = keys.vk_set_commitment().unwrap();
    let batch = sample_batch(1, 7, 1, &vk_set, SampleSize::default());
    let w = witness_batch(&batch, keys.shape()).unwrap();
    let prover = Prover::new(keys.clone(), 2);
    for t in zkstream_types::CircuitType::ALL {
        let job = &w.jobs[&t][0];
        let s = Instant::now();
        let p = prover.prove_basic(job).unwrap();
        println!("basic {t}: {:.2}s", s.elapsed().as_secs_f64());
        let s = Instant::now();
        let _ = prover.verify(CircuitId::Basic(t), &p.proof).unwrap();
        println!("verify basic {t}: {:.3}s", s.elapsed().as_secs_f64());
        let s = Instant::now();
        let l = prover.prove_leaf(t, &[p.clone()]).unwrap();
        println!("leaf {t}: {:.2}s", s.elapsed().as_secs_f64());
        let _ = l;
    }
}
