//! Per-layer proving benchmarks: basic (per type), leaf, node, tip, scheduler and compression, at arity
//! 2 and 4. Before the criterion groups it prints a one-shot table per arity: prove time, peak RSS,
//! proof size, rows and recursion rows per child proof.
//!
//! Environment: `ZKSTREAM_BENCH_PROFILE` (`production`, default, or `test`),
//! `ZKSTREAM_BENCH_ARITIES` (default `2,4`), `ZKSTREAM_BENCH_REPORT_ONLY=1` to print the table and skip
//! criterion sampling. Experiments on the profile's recursively verified layers:
//! `ZKSTREAM_BENCH_BASIC_LDE`, `ZKSTREAM_BENCH_RECURSION_LDE`, `ZKSTREAM_BENCH_BASIC_CAP`,
//! `ZKSTREAM_BENCH_RECURSION_CAP` (keys are cached per parameter set under `target/bench-keys`).
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Instant;

use criterion::Criterion;
use zkstream_benches::{peak_rss_bytes, reset_peak_rss, rss_bytes};
use zkstream_prover::circuits::SchedulerInputs;
use zkstream_prover::{
    init_resolver_threads, witness_batch, ChildProof, CircuitId, KeyStore, ProofProfile, Prover,
    TreeShape,
};
use zkstream_types::{BatchInput, CircuitType, Digest, Request};

const P: CircuitType = CircuitType::POSEIDON2;
const S: CircuitType = CircuitType::SHA256;

fn batch(arity: usize, shape: &TreeShape) -> BatchInput {
    // Enough requests that every layer has `arity` children: arity basic circuits per type.
    let mut requests = Vec::new();
    for i in 0..arity * shape.poseidon2_capacity {
        requests.push(Request::Poseidon2Hash {
            inputs: vec![i as u64; 1 + i % 8],
        });
    }
    for i in 0..arity * shape.sha256_capacity {
        requests.push(Request::Sha256 {
            data: vec![i as u8; (i * 29) % 120],
        });
    }
    BatchInput {
        batch_number: 1,
        protocol_version: 1,
        previous_batch_commitment: Digest::ZERO,
        requests,
    }
}

struct Measured<T> {
    value: T,
    seconds: f64,
    peak_mib: f64,
}

fn measure<T>(f: impl FnOnce() -> T) -> Measured<T> {
    reset_peak_rss();
    let t = Instant::now();
    let value = f();
    let seconds = t.elapsed().as_secs_f64();
    Measured {
        value,
        seconds,
        peak_mib: peak_rss_bytes().unwrap_or(0) as f64 / (1 << 20) as f64,
    }
}

/// Everything one arity needs: keys, a prover and one valid child set per layer.
struct Fixture {
    prover: Prover,
    basics_p: Vec<ChildProof>,
    leaves_p: Vec<ChildProof>,
    finals: Vec<ChildProof>,
    tip: zkstream_prover::field::BProof,
    scheduler: zkstream_prover::field::BProof,
    inputs: SchedulerInputs,
    witness: zkstream_prover::BatchWitness,
}

fn report(profile: &ProofProfile, arity: usize) -> Fixture {
    let shape = TreeShape {
        arity,
        node_depth: 1,
        ..TreeShape::default()
    };
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-keys");
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let keys = Arc::new(
        KeyStore::open(Some(&root), profile.clone(), shape.clone(), 1, threads).expect("keys"),
    );
    let setup = measure(|| keys.generate_all().expect("setup"));
    println!(
        "\n## profile {} arity {arity}: setups ready in {:.1}s, resident setups {:.0} MiB",
        profile.name,
        setup.seconds,
        rss_bytes().unwrap_or(0) as f64 / (1 << 20) as f64
    );
    println!("| layer | prove s | job peak MiB over setups | proof KB | rows | domain | rows per child |");
    println!("|---|---|---|---|---|---|---|");
    let prover = Prover::new(keys.clone(), threads);
    let b = batch(arity, &shape);
    let witness = witness_batch(&b, &shape).expect("witness");
    let row = |id: CircuitId,
               m_s: f64,
               m_mib: f64,
               proof: &zkstream_prover::field::BProof,
               children: usize| {
        let s = keys.get(id).expect("setup");
        let size = bincode::serialize(proof).map(|v| v.len()).unwrap_or(0);
        let per_child = s
            .rows
            .checked_div(children)
            .map_or_else(|| "-".to_string(), |r| r.to_string());
        println!(
            "| {id} | {m_s:.2} | {m_mib:.0} | {:.1} | {} | {} | {per_child} |",
            size as f64 / 1000.0,
            s.rows,
            s.vk.fixed_parameters.domain_size
        );
    };
    let mut basics_p = Vec::new();
    let mut basics_s = Vec::new();
    for (t, out) in [(P, &mut basics_p), (S, &mut basics_s)] {
        for job in &witness.jobs[&t] {
            let m = measure(|| prover.prove_basic(job).expect("basic"));
            if out.is_empty() {
                row(
                    CircuitId::Basic(t),
                    m.seconds,
                    m.peak_mib,
                    &m.value.proof,
                    0,
                );
            }
            out.push(m.value);
        }
    }
    let leaf_p = measure(|| prover.prove_leaf(P, &basics_p).expect("leaf"));
    row(
        CircuitId::Leaf(P),
        leaf_p.seconds,
        leaf_p.peak_mib,
        &leaf_p.value.proof,
        arity,
    );
    let leaf_s = measure(|| prover.prove_leaf(S, &basics_s).expect("leaf"));
    row(
        CircuitId::Leaf(S),
        leaf_s.seconds,
        leaf_s.peak_mib,
        &leaf_s.value.proof,
        arity,
    );
    // The batch has one leaf per type, so the node gets one active child. Its circuit still has `arity`
    // slots (inactive ones verify a padding copy), so time and rows are those of a full node.
    let leaves_p = vec![leaf_p.value.clone()];
    let node_p = measure(|| prover.prove_node(P, 1, &leaves_p).expect("node"));
    row(
        CircuitId::Node(P, 1),
        node_p.seconds,
        node_p.peak_mib,
        &node_p.value.proof,
        arity,
    );
    let node_s = prover.prove_node(S, 1, &[leaf_s.value]).expect("node");
    let finals = vec![node_p.value, node_s];
    let tip = measure(|| prover.prove_tip(&finals).expect("tip"));
    row(CircuitId::Tip, tip.seconds, tip.peak_mib, &tip.value, 2);
    let inputs = SchedulerInputs {
        batch_number: 1,
        protocol_version: 1,
        previous_batch_commitment: Digest::ZERO,
        ranges: witness.ranges.clone(),
    };
    let sched = measure(|| {
        prover
            .prove_scheduler(&tip.value, inputs.clone())
            .expect("scheduler")
    });
    row(
        CircuitId::Scheduler,
        sched.seconds,
        sched.peak_mib,
        &sched.value,
        1,
    );
    let comp = measure(|| prover.prove_compression(&sched.value).expect("compression"));
    row(
        CircuitId::Compression,
        comp.seconds,
        comp.peak_mib,
        &comp.value,
        1,
    );
    Fixture {
        prover,
        basics_p,
        leaves_p,
        finals,
        tip: tip.value,
        scheduler: sched.value,
        inputs,
        witness,
    }
}

fn env_usize(name: &str) -> Option<usize> {
    std::env::var(name).ok().and_then(|v| v.trim().parse().ok())
}

fn main() {
    assert_eq!(
        option_env!("RUSTC_BOOTSTRAP"),
        Some("1"),
        "cargo bench must get .cargo/config.toml [env]"
    );
    init_resolver_threads();
    let mut profile = ProofProfile::by_name(
        &std::env::var("ZKSTREAM_BENCH_PROFILE").unwrap_or_else(|_| "production".into()),
    )
    .expect("profile");
    // Experiments: other caps / LDE factors for the layers recursion verifies (basic and recursion).
    if let Some(cap) = env_usize("ZKSTREAM_BENCH_BASIC_CAP") {
        profile.basic.cap_size = cap;
    }
    if let Some(cap) = env_usize("ZKSTREAM_BENCH_RECURSION_CAP") {
        profile.recursion.cap_size = cap;
    }
    if let Some(lde) = env_usize("ZKSTREAM_BENCH_BASIC_LDE") {
        profile.basic.lde_factor = lde;
    }
    if let Some(lde) = env_usize("ZKSTREAM_BENCH_RECURSION_LDE") {
        profile.recursion.lde_factor = lde;
    }
    profile.validate().expect("profile");
    println!("profile {profile:?}");
    let arities: Vec<usize> = std::env::var("ZKSTREAM_BENCH_ARITIES")
        .unwrap_or_else(|_| "2,4".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let fixtures: Vec<(usize, Fixture)> =
        arities.iter().map(|&a| (a, report(&profile, a))).collect();
    if std::env::var("ZKSTREAM_BENCH_REPORT_ONLY").is_ok_and(|v| v == "1") {
        return;
    }
    let mut c = Criterion::default().sample_size(10).configure_from_args();
    for (arity, f) in &fixtures {
        let mut g = c.benchmark_group(format!("{}-arity{arity}", profile.name));
        g.sample_size(10);
        g.bench_function("basic-poseidon2", |b| {
            b.iter(|| f.prover.prove_basic(&f.witness.jobs[&P][0]).expect("basic"))
        });
        g.bench_function("basic-sha256", |b| {
            b.iter(|| f.prover.prove_basic(&f.witness.jobs[&S][0]).expect("basic"))
        });
        g.bench_function("leaf", |b| {
            b.iter(|| f.prover.prove_leaf(P, &f.basics_p).expect("leaf"))
        });
        g.bench_function("node", |b| {
            b.iter(|| f.prover.prove_node(P, 1, &f.leaves_p).expect("node"))
        });
        g.bench_function("tip", |b| {
            b.iter(|| f.prover.prove_tip(&f.finals).expect("tip"))
        });
        g.bench_function("scheduler", |b| {
            b.iter(|| {
                f.prover
                    .prove_scheduler(&f.tip, f.inputs.clone())
                    .expect("scheduler")
            })
        });
        g.bench_function("compression", |b| {
            b.iter(|| {
                f.prover
                    .prove_compression(&f.scheduler)
                    .expect("compression")
            })
        });
        g.finish();
    }
    c.final_summary();
}
