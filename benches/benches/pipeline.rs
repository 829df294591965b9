//! Pipeline benchmark: M batches of mixed sizes through the whole dataflow (embedded broker, Kafka
//! reader, async prove operators on the prover pool). Reports for the streaming run (a) its makespan,
//! (b) the lower bound of `zkstream_fleet::lower_bound` over the job times measured in the same run,
//! and (c) the same batches with chunk release forced to wait for every proof of the level (zkSync's
//! barrier), as ratios.
//!
//! Environment: `ZKSTREAM_BENCH_PROFILE` (`test`, default, or `production`), `ZKSTREAM_BENCH_BATCHES`
//! (default 4), `ZKSTREAM_BENCH_SLOTS` (default 2), `ZKSTREAM_BENCH_THREADS_PER_SLOT` (default 1),
//! `ZKSTREAM_BENCH_WORKERS` (default 1), `ZKSTREAM_BENCH_SCHEDULE` (`latency`, default, or `throughput`).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zkstream_dataflow::pipeline::{self, PipelineSpec};
use zkstream_fleet::{lower_bound, BatchGraph, Bounds, JobId, SimJob, SimKey};
use zkstream_operators::chunk::Release;
use zkstream_operators::model::Delivery;
use zkstream_operators::order::OrderPolicy;
use zkstream_operators::pool::{JobRecord, PoolConfig, ProverPool, Schedule};
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::sample::{sample_batch, SampleSize};
use zkstream_prover::{init_resolver_threads, KeyStore, ProofProfile, TreeShape};
use zkstream_sources::kafka::produce_batches;
use zkstream_sources::{EmbeddedBroker, KafkaSourceConfig};
use zkstream_types::{ArtifactKey, BatchInput};

fn schedule() -> Schedule {
    match std::env::var("ZKSTREAM_BENCH_SCHEDULE").as_deref() {
        Ok("throughput") => Schedule::Throughput,
        Ok("latency") | Err(_) => Schedule::Latency,
        Ok(other) => panic!("ZKSTREAM_BENCH_SCHEDULE={other:?}: latency or throughput"),
    }
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A mixed set: batch sizes cycle through small, large and lopsided (1 to 4 basic circuits per type).
fn batches(keys: &KeyStore, count: u64) -> Vec<BatchInput> {
    let vk_set = keys.vk_set_commitment().unwrap();
    let shape = keys.shape();
    let sizes = [(2, 1), (4, 4), (1, 3), (3, 2)];
    let mut previous = zkstream_types::Digest::ZERO;
    let mut out = Vec::new();
    for n in 1..=count {
        let (p, s) = sizes[(n as usize - 1) % sizes.len()];
        let size = SampleSize {
            poseidon2: (p * shape.poseidon2_capacity, p * shape.poseidon2_capacity),
            sha256: (s * shape.sha256_capacity, s * shape.sha256_capacity),
        };
        let mut b = sample_batch(n, 42, keys.protocol_version(), &vk_set, size);
        b.previous_batch_commitment = previous;
        previous = zkstream_prover::batch_commitment(&b, &vk_set);
        out.push(b);
    }
    out
}

struct Outcome {
    makespan: f64,
    bound: Bounds,
    proofs: usize,
}

/// The run's proof trees as one graph with the measured job times, for fleet's lower bound. Records
/// in the order they finished: a child finishes before its parent starts.
fn measured_graph(records: &[JobRecord]) -> BatchGraph {
    let mut records: Vec<&JobRecord> = records.iter().collect();
    records.sort_by_key(|r| r.finished);
    let ids: BTreeMap<ArtifactKey, JobId> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key, JobId(i as u32)))
        .collect();
    let jobs = records
        .iter()
        .map(|r| SimJob {
            key: SimKey {
                batch: r.key.batch,
                round: r.key.round,
                circuit: r.key.circuit,
                depth: r.key.depth,
                index: r.key.index,
            },
            children: r
                .children
                .iter()
                .map(|c| match ids.get(c) {
                    Some(&id) => id,
                    // Every job the run proved left a record; a child without one means the
                    // pool's records are incomplete, and no lower bound could be drawn from them.
                    None => panic!(
                        "{:?} names child {c:?}, of which the run kept no record",
                        r.key
                    ),
                })
                .collect(),
            duration_s: (r.finished - r.started).as_secs_f64(),
            arrival_s: 0.0,
        })
        .collect();
    BatchGraph { jobs }
}

fn run(keys: &Arc<KeyStore>, batches: &[BatchInput], release: Release) -> Outcome {
    let slots = env("ZKSTREAM_BENCH_SLOTS", 2usize);
    let broker = EmbeddedBroker::start().unwrap();
    let brokers = broker.bootstrap_servers();
    broker.create_topic("batches", 2).unwrap();
    produce_batches(&brokers, "batches", 2, batches.to_vec()).unwrap();
    let config = PoolConfig {
        slots,
        threads_per_slot: env("ZKSTREAM_BENCH_THREADS_PER_SLOT", 1usize),
        max_attempts: 1,
        backoff: Duration::from_millis(10),
        schedule: schedule(),
    };
    let pool = Arc::new(
        ProverPool::builder(
            Arc::clone(keys),
            ArtifactStore::open("memory://").unwrap(),
            config,
        )
        .start(),
    );
    let mut source = KafkaSourceConfig::new(&brokers, "batches");
    source.bounded = true;
    let spec = PipelineSpec {
        workers: env("ZKSTREAM_BENCH_WORKERS", 1usize),
        source,
        policy: OrderPolicy {
            start: 1,
            allow_gaps: false,
        },
        release,
        anchor: None,
        cluster: None,
        health: None,
        drain: None,
        wrap: None,
    };
    let started = Instant::now();
    let last = Arc::new(Mutex::new((0usize, 0.0f64)));
    let l = Arc::clone(&last);
    pipeline::run(
        &spec,
        Arc::clone(&pool),
        pipeline::Hooks::new(
            Arc::new(move |d: &Delivery| {
                assert!(matches!(d, Delivery::Proof(_)), "{d:?}");
                let mut l = l.lock().unwrap();
                l.0 += 1;
                l.1 = started.elapsed().as_secs_f64();
            }),
            Arc::new(|r: &zkstream_types::Rejected| panic!("rejected: {}", r.reason)),
        ),
    )
    .unwrap();
    let (delivered, makespan) = *last.lock().unwrap();
    assert_eq!(delivered, batches.len());
    let records = pool.records();
    Outcome {
        makespan,
        bound: lower_bound(&measured_graph(&records), slots),
        proofs: records.len(),
    }
}

fn main() {
    assert_eq!(
        std::env::var("RUSTC_BOOTSTRAP").as_deref(),
        Ok("1"),
        "RUSTC_BOOTSTRAP=1 must reach the bench through .cargo/config.toml"
    );
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists; nothing to list here.
    }
    init_resolver_threads();
    let profile =
        ProofProfile::by_name(&env("ZKSTREAM_BENCH_PROFILE", "test".to_string())).unwrap();
    let root = zkstream_testkit::keys_dir!();
    let keys = Arc::new(KeyStore::open(Some(&root), profile, TreeShape::default(), 1, 2).unwrap());
    keys.generate_all().unwrap();
    let count = env("ZKSTREAM_BENCH_BATCHES", 4u64);
    let set = batches(&keys, count);
    println!(
        "pipeline bench: {count} mixed batches, profile {}, {} slot(s) x {} thread(s), {} worker(s), schedule {:?}",
        keys.profile().name,
        env("ZKSTREAM_BENCH_SLOTS", 2usize),
        env("ZKSTREAM_BENCH_THREADS_PER_SLOT", 1usize),
        env("ZKSTREAM_BENCH_WORKERS", 1usize),
        schedule()
    );
    let streaming = run(&keys, &set, Release::Streaming);
    let barrier = run(&keys, &set, Release::Barrier);
    for (name, o) in [("streaming", &streaming), ("barrier", &barrier)] {
        println!(
            "{name:>10}: {} proofs, makespan {:.1} s, work/slots {:.1} s, critical path {:.1} s, lower bound {:.1} s, makespan/bound {:.3}",
            o.proofs,
            o.makespan,
            o.bound.work_s,
            o.bound.critical_path_s,
            o.bound.lower_bound_s,
            o.makespan / o.bound.lower_bound_s
        );
    }
    println!(
        "ratios: makespan/lower bound {:.3} (target <= 1.05), streaming/barrier {:.3} (target <= 0.8)",
        streaming.makespan / streaming.bound.lower_bound_s,
        streaming.makespan / barrier.makespan
    );
}
