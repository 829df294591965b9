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
