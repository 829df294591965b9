//! User-proof mode's throughput per chunk size: for each `proofs_per_chunk` in
//! `ZKSTREAM_BENCH_CHUNK_SIZES` (default `2,4,8,16,32`) it checks and aggregates two full chunks of real
//! user proofs (from 4 programs) into one arity-2 node, and prints per chunk size: the chunk circuit's
//! rows and domain, the native check per proof, the chunk and node proving times, the peak memory, the
//! proofs aggregated per second and per (2-chunk) run, and the time per proof of a 3,968-proof run
//! (one blob; `ceil(3968 / C)` chunks and the arity-2 nodes above them, on one prover slot) next to
//! Aligned's published 3,968-proof runs on an RTX 3090 (SP1 92 min, Risc0 137.9 min).
//!
//! Each chunk size runs in a child process under an address-space limit (`ZKSTREAM_BENCH_MAX_GIB`,
//! default 90 % of the machine's memory), so a size that does not fit this machine is reported as
//! such and the others still run. `ZKSTREAM_BENCH_PROFILE`: `production` (default) or `test`.
#![allow(clippy::unwrap_used)]

use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use zkstream_benches::{peak_rss_bytes, reset_peak_rss};
use zkstream_prover::user::{program_id, public_input_bytes, tree_plan};
use zkstream_prover::{
    init_resolver_threads, CircuitId, KeyStore, ProofProfile, Prover, TreeShape, UserShape,
};

const ONE: &str = "ZKSTREAM_BENCH_ONE_CHUNK_SIZE";
/// Aligned's published 3,968-proof runs (Aligned's batcher benchmarks, as published), minutes.
const ALIGNED: [(&str, f64); 2] = [("SP1", 92.0), ("Risc0", 137.9)];
const BLOB: usize = 3968;

fn profile() -> ProofProfile {
    let name = std::env::var("ZKSTREAM_BENCH_PROFILE").unwrap_or_else(|_| "production".into());
    ProofProfile::by_name(&name).unwrap()
}

/// The figures of one chunk size.
struct Figures {
    chunk: usize,
    chunk_rows: usize,
    chunk_domain: usize,
    node_domain: usize,
    setup_s: f64,
    check_s: f64,
    chunk_s: f64,
    node_s: f64,
    peak_gib: f64,
}

impl Figures {
    fn line(&self) -> String {
        format!(
            "RESULT {} {} {} {} {:.3} {:.5} {:.3} {:.3} {:.2}",
            self.chunk,
            self.chunk_rows,
            self.chunk_domain,
            self.node_domain,
            self.setup_s,
            self.check_s,
            self.chunk_s,
            self.node_s,
            self.peak_gib
        )
    }

    fn parse(line: &str) -> Option<Self> {
        let w: Vec<&str> = line.strip_prefix("RESULT ")?.split_whitespace().collect();
        Some(Figures {
            chunk: w.first()?.parse().ok()?,
            chunk_rows: w.get(1)?.parse().ok()?,
            chunk_domain: w.get(2)?.parse().ok()?,
            node_domain: w.get(3)?.parse().ok()?,
            setup_s: w.get(4)?.parse().ok()?,
            check_s: w.get(5)?.parse().ok()?,
            chunk_s: w.get(6)?.parse().ok()?,
            node_s: w.get(7)?.parse().ok()?,
            peak_gib: w.get(8)?.parse().ok()?,
        })
    }
}

/// Child: measures one chunk size.
fn measure_one(chunk: usize) -> Figures {
    init_resolver_threads();
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let shape = UserShape {
        proofs_per_chunk: chunk,
        node_arity: 2,
        levels: 1,
        ..UserShape::default()
    };
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/bench-keys");
    let keys = KeyStore::open(Some(&root), profile(), TreeShape::default(), 1, threads)
        .unwrap()
        .with_user_shape(shape)
        .unwrap();
    let keys = Arc::new(keys);
    let prover = Prover::new(keys.clone(), threads);
    // Users' proofs: 2 full chunks from 4 programs (their setups are the users' business, not timed).
    let mut proofs = Vec::new();
    for i in 0..2 * chunk {
        let salt = 1 + (i % 4) as u64;
        proofs.push(
            prover
                .prove_user_program(salt, [i as u64, 1, 2, 3])
                .unwrap(),
        );
    }
    let family = prover.user_family(&proofs[0].0).unwrap();
    let t = Instant::now();
    keys.get(CircuitId::UserChunk(family)).unwrap();
    keys.get(CircuitId::UserNode(family, 1)).unwrap();
    let setup_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    for (vk, p) in &proofs {
        prover
            .check_user_proof(&program_id(vk), &public_input_bytes(p), vk, p)
            .unwrap();
    }
    let check_s = t.elapsed().as_secs_f64() / proofs.len() as f64;
    reset_peak_rss();
    let ordered = zkstream_prover::user::order_by_program(&proofs);
    let t = Instant::now();
    let chunks: Vec<_> = ordered
        .chunks(chunk)
        .map(|c| prover.prove_user_chunk(c).unwrap())
        .collect();
    let chunk_s = t.elapsed().as_secs_f64() / chunks.len() as f64;
    let t = Instant::now();
    let node = prover.prove_user_node(family, 1, &chunks).unwrap();
    let node_s = t.elapsed().as_secs_f64();
    assert_eq!(
        prover.verify_user_aggregate(family, &node).unwrap().0,
        2 * chunk as u64
    );
    let chunk_setup = keys.get(CircuitId::UserChunk(family)).unwrap();
    let node_setup = keys.get(CircuitId::UserNode(family, 1)).unwrap();
    Figures {
        chunk,
        chunk_rows: chunk_setup.rows,
        chunk_domain: chunk_setup.vk.fixed_parameters.domain_size as usize,
        node_domain: node_setup.vk.fixed_parameters.domain_size as usize,
        setup_s,
        check_s,
        chunk_s,
        node_s,
        peak_gib: peak_rss_bytes().unwrap_or(0) as f64 / (1u64 << 30) as f64,
    }
}

fn mem_total_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("MemTotal:"))?.to_string();
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(16 << 30, |kb| kb * 1024)
}

fn main() {
    if let Ok(c) = std::env::var(ONE) {
        let f = measure_one(c.parse().unwrap());
        println!("{}", f.line());
        return;
    }
    let sizes: Vec<usize> = std::env::var("ZKSTREAM_BENCH_CHUNK_SIZES")
        .unwrap_or_else(|_| "2,4,8,16,32".into())
        .split(',')
        .map(|s| s.trim().parse().unwrap())
        .collect();
    let limit_gib: f64 = std::env::var("ZKSTREAM_BENCH_MAX_GIB")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(mem_total_bytes() as f64 * 0.9 / (1u64 << 30) as f64);
    let exe = std::env::current_exe().unwrap();
    println!(
        "\n## aggregation mode, profile {}, {} cores, child memory limit {limit_gib:.1} GiB",
        profile().name,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "| chunk | chunk rows | domain chunk / node | setups s | check s/proof | chunk s | node s | \
         peak GiB | proofs/s (2-chunk run) | 2-chunk run s | 3,968-proof run h | s/proof at 3,968 |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|---|");
    let mut results = Vec::new();
    for chunk in sizes {
        let started = Instant::now();
        let out = Command::new("prlimit")
            .arg(format!("--as={}", (limit_gib * (1u64 << 30) as f64) as u64))
            .arg("--")
            .arg(&exe)
            .env(ONE, chunk.to_string())
            .output();
        let parsed = out.as_ref().ok().and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(Figures::parse)
        });
        let Some(f) = parsed else {
            let why = match &out {
                Ok(o) => {
                    let err = String::from_utf8_lossy(&o.stderr);
                    if err.contains("memory allocation") || err.contains("capacity overflow") {
                        format!("does not fit: allocation refused above {limit_gib:.1} GiB")
                    } else {
                        format!(
                            "failed ({}): {}",
                            o.status,
                            err.lines().last().unwrap_or("")
                        )
                    }
                }
                Err(e) => format!("could not start: {e}"),
            };
            println!(
                "| {chunk} | {why} (after {:.0} s) |",
                started.elapsed().as_secs_f64()
            );
            continue;
        };
        let run_s = 2.0 * f.check_s * f.chunk as f64 + 2.0 * f.chunk_s + f.node_s;
        // One blob's run: its chunks, then arity-2 nodes up to one.
        let plan = {
            let mut counts = vec![BLOB.div_ceil(f.chunk)];
            while counts[counts.len() - 1] > 1 {
                let below = counts[counts.len() - 1];
                counts.push(below.div_ceil(2));
            }
            counts
        };
        let nodes: usize = plan[1..].iter().sum();
        let blob_s = BLOB as f64 * f.check_s + plan[0] as f64 * f.chunk_s + nodes as f64 * f.node_s;
        println!(
            "| {} | {} | 2^{} / 2^{} | {:.1} | {:.3} | {:.1} | {:.1} | {:.1} | {:.3} | {:.1} | {:.1} | {:.2} |",
            f.chunk,
            f.chunk_rows,
            f.chunk_domain.trailing_zeros(),
            f.node_domain.trailing_zeros(),
            f.setup_s,
            f.check_s,
            f.chunk_s,
            f.node_s,
            f.peak_gib,
            2.0 * f.chunk as f64 / run_s,
            run_s,
            blob_s / 3600.0,
            blob_s / BLOB as f64,
        );
        results.push(f);
    }
    for (system, minutes) in ALIGNED {
        println!(
            "Aligned {system} (RTX 3090, published): {BLOB} proofs in {minutes} min = {:.2} s/proof",
            minutes * 60.0 / BLOB as f64
        );
    }
    // The shallowest arity-32 tree that holds 6 blobs (23,808 proofs) at each measured chunk size.
    for f in &results {
        let arity = 32;
        let plan = (1..=4).find_map(|levels| {
            let shape = UserShape {
                proofs_per_chunk: f.chunk,
                node_arity: arity,
                levels,
                ..UserShape::default()
            };
            tree_plan(&shape, 6 * BLOB).ok()
        });
        if let Some(plan) = plan {
            println!(
                "chunk {}: 6 blobs (23,808 proofs) = {} chunks, then {:?} arity-{arity} nodes per level",
                f.chunk,
                plan[0],
                &plan[1..]
            );
        }
    }
}
