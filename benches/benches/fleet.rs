//! Fleet-scale yardsticks of a mainnet-shaped batch, computed in memory by `zkstream-fleet` (no
//! provers, no dataflow): for 64, 256 and 1,024 slots, the lower bound, the offline critical-path-first
//! schedule, and the batch released by zkstream's rule (streaming, the pool's order) and by the
//! per-type barrier and zkSync's 10-s poll; then the same at 256 slots for batches of 1k to 17k basic
//! jobs. These are the figures a measured run of the production path is compared with.
//!
//! Then the same table **measured**: each row is run through the production path with simulated
//! provers (`zkstream_dataflow::simulation`: embedded broker, Kafka reader, dataflow, prover pool,
//! artifact store in a temporary directory, ordered delivery, offset commits), at a time scale that
//! makes each run take about `ZKSTREAM_BENCH_SECONDS` real seconds (default 20), and shown beside its
//! yardsticks, with the hand-off latency and the CPU per job.
//!
//! Environment: `ZKSTREAM_BENCH_SEED` (the durations' jitter, default 1), `ZKSTREAM_BENCH_MEASURED=0`
//! (the in-memory table only), `ZKSTREAM_BENCH_SECONDS`.
#![allow(clippy::unwrap_used)]

use std::time::Instant;

use zkstream_dataflow::simulation::{self, SimulationConfig};
use zkstream_fleet::{
    lower_bound, offline_schedule, release_schedule, BatchGraph, Release, Workload,
};

fn row(workload: &Workload, slots: usize, seed: u64) {
    let t = Instant::now();
    let g = BatchGraph::build(workload, 1, seed).unwrap();
    let b = lower_bound(&g, slots);
    let offline = offline_schedule(&g, slots);
    let released: Vec<f64> = Release::ALL
        .iter()
        .map(|&r| {
            let s = release_schedule(&g, slots, r);
            s.check(&g, slots).unwrap();
            s.makespan_s
        })
        .collect();
    offline.check(&g, slots).unwrap();
    let (streaming, zksync) = (released[0], released[2]);
    println!(
        "{:>16} {:>6} {:>5} | {:>8.1} {:>8.1} | {:>9.1} {:>8.1} {:>8.1} | {:>6.3} {:>6.3} {:>6.3} | {:>6.0}",
        workload.name,
        g.jobs.len(),
        slots,
        b.lower_bound_s,
        offline.makespan_s,
        streaming,
        released[1],
        zksync,
        streaming / offline.makespan_s,
        streaming / b.lower_bound_s,
        streaming / zksync,
        t.elapsed().as_secs_f64() * 1e3,
    );
}

fn main() {
    let seed = std::env::var("ZKSTREAM_BENCH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    println!("modeled seconds; seed {seed}; streaming = zkstream's release with the pool's order");
    println!(
        "{:>16} {:>6} {:>5} | {:>8} {:>8} | {:>9} {:>8} {:>8} | {:>6} {:>6} {:>6} | {:>6}",
        "workload",
        "jobs",
        "slots",
        "lower",
        "offline",
        "streaming",
        "barrier",
        "zksync",
        "s/off",
        "s/low",
        "s/zks",
        "ms"
    );
    let mainnet = Workload::mainnet();
    for slots in [64, 256, 1024] {
        row(&mainnet, slots, seed);
    }
    for basic in [1_000, 4_000, 8_000] {
        row(&mainnet.scaled(basic), 256, seed);
    }
    row(&mainnet, 256, seed);
    if std::env::var("ZKSTREAM_BENCH_MEASURED").is_ok_and(|v| v == "0") {
        return;
    }
    let seconds: f64 = std::env::var("ZKSTREAM_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20.0);
    println!();
    println!("measured on the production path with SIMULATED provers (nothing is proved), ~{seconds} s each");
    println!(
        "{:>16} {:>6} {:>5} {:>6} | {:>8} {:>8} {:>8} | {:>6} {:>6} | {:>7} {:>7} {:>7} | {:>6} {:>6} | {:>5}",
        "workload", "jobs", "slots", "scale", "makespan", "lower", "offline", "/off", "/low",
        "h p50ms", "h p99ms", "later", "cpu µs", "coord", "trees"
    );
    for slots in [64, 256, 1024] {
        measured(&mainnet, slots, seed, seconds);
    }
    for basic in [1_000, 4_000, 8_000] {
        measured(&mainnet.scaled(basic), 256, seed, seconds);
    }
}

/// One row run through the production path with simulated provers.
fn measured(workload: &Workload, slots: usize, seed: u64, seconds: f64) {
    let g = BatchGraph::build(workload, 1, seed).unwrap();
    let modeled = release_schedule(&g, slots, Release::Streaming).makespan_s;
    let time_scale = seconds / modeled;
    let config = SimulationConfig {
        workload: workload.clone(),
        slots,
        workers: 1,
        time_scale,
        release: Release::Streaming,
        batches: 1,
        rate: None,
        seed,
        brokers: None,
        store: None,
        max_in_flight: 8,
        cluster: None,
        run_id: None,
        produce: true,
    };
    let f = simulation::run(&config).unwrap();
    assert_eq!(f.trees_verified, 1, "the tree hash checks");
    println!(
        "{:>16} {:>6} {:>5} {:>6.3} | {:>8.1} {:>8.1} {:>8.1} | {:>6.3} {:>6.3} | {:>7.2} {:>7.2} {:>7.2} | {:>6.0} {:>6.0} | {:>2}/{:<2}",
        workload.name,
        f.jobs,
        slots,
        time_scale,
        f.makespan_s,
        f.lower_bound_s,
        f.offline_makespan_s,
        f.makespan_s / f.offline_makespan_s,
        f.makespan_s / f.lower_bound_s,
        f.handoff_p50_ms,
        f.handoff_p99_ms,
        f.handoff_later_p99_ms,
        f.cpu_us_per_job,
        f.coordinator_cpu_us_per_job,
        f.trees_verified,
        f.trees_total,
    );
}
