//! Fleet-scale yardsticks of a mainnet-shaped batch, computed in memory by `zkstream-fleet` (no
//! provers, no dataflow): for 64, 256 and 1,024 slots, the lower bound, the offline critical-path-first
//! schedule, and the batch released by zkstream's rule (streaming, the pool's order) and by the
//! per-type barrier and zkSync's 10-s poll; then the same at 256 slots for batches of 1k to 17k basic
//! jobs. These are the figures a measured run of the production path is compared with.
//!
//! Environment: `ZKSTREAM_BENCH_SEED` (the durations' jitter, default 1).
#![allow(clippy::unwrap_used)]

use std::time::Instant;

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
}
