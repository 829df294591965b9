//! `zkstream bench-gpu`: proof time per circuit on the CPU prover and on each GPU slot of this binary,
//! every proof verified by the CPU verifier, and the GPU/CPU ratio. In a binary without a GPU backend,
//! or on a machine without a usable GPU, it says why and measures the CPU only.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use clap::Args;
use zkstream_dataflow::gpu::{accelerators, Backends, GpuMode};
use zkstream_prover::sample::{sample_batch, SampleSize};
use zkstream_prover::{
    witness_batch, ChildProof, CircuitId, KeyStore, Prover, ProvingBackend, TreeShape,
};
use zkstream_types::{real_type_name, CircuitType, REAL_TYPES};

use crate::ProofOpts;

/// Arguments of `zkstream bench-gpu`.
#[derive(Args, Debug)]
pub struct GpuBenchArgs {
    #[command(flatten)]
    opts: ProofOpts,
    /// Proofs per circuit and slot kind (the best time is reported; the first also warms the GPU
    /// setup cache, so use at least 2 on a GPU).
    #[arg(long, default_value_t = 2)]
    repeats: usize,
    /// Seed of the sample batch the basic circuits prove.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Only these circuit types (comma-separated names: poseidon2, sha256); all by default.
    #[arg(long, value_delimiter = ',', value_parser = circuit_type)]
    types: Vec<CircuitType>,
}

/// A circuit type of the real family by name, or the names there are.
fn circuit_type(name: &str) -> Result<CircuitType, String> {
    REAL_TYPES
        .into_iter()
        .find(|&t| real_type_name(t) == Some(name))
        .ok_or_else(|| {
            let names: Vec<&str> = REAL_TYPES
                .iter()
                .filter_map(|&t| real_type_name(t))
                .collect();
            format!(
                "unknown circuit type {name:?} (expected {})",
                names.join(", ")
            )
        })
}

/// One circuit timed on one prover.
struct Timing {
    best: Duration,
    proof_bytes: usize,
}

fn time(
    repeats: usize,
    mut prove: impl FnMut() -> Result<ChildProof>,
) -> Result<(Timing, ChildProof)> {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let p = prove()?;
        best = best.min(t.elapsed());
        last = Some(p);
    }
    let proof = last.ok_or_else(|| anyhow!("no proof"))?;
    let proof_bytes = zkstream_prover::encode_proof(&proof.proof)?.len();
    Ok((Timing { best, proof_bytes }, proof))
}

/// The circuits measured: the two basic types, a leaf over two basic proofs and a node over two leaves.
fn bench_prover(
    prover: &Prover,
    jobs: &[(CircuitType, Vec<zkstream_prover::BasicJob>)],
    repeats: usize,
) -> Result<Vec<(CircuitId, Timing)>> {
    let mut out = Vec::new();
    for (t, basic) in jobs {
        let mut proofs = Vec::new();
        for (i, job) in basic.iter().take(2).enumerate() {
            let (timing, proof) = time(if i == 0 { repeats } else { 1 }, || {
                Ok(prover.prove_basic(job)?)
            })
            .with_context(|| format!("basic {t}"))?;
            if i == 0 {
                out.push((CircuitId::Basic(*t), timing));
            }
            proofs.push(proof);
        }
        let (timing, leaf) = time(repeats, || Ok(prover.prove_leaf(*t, &proofs)?))
            .with_context(|| format!("leaf {t}"))?;
        out.push((CircuitId::Leaf(*t), timing));
        let (timing, _) = time(repeats, || {
            Ok(prover.prove_node(*t, 1, std::slice::from_ref(&leaf))?)
        })
        .with_context(|| format!("node {t}"))?;
        out.push((CircuitId::Node(*t, 1), timing));
    }
    Ok(out)
}

/// A batch size with exactly two basic circuits of each type: more requests than one circuit holds,
/// at most what two hold.
fn two_circuits_per_type(shape: &TreeShape) -> SampleSize {
    // Both are the real family's own types, which always have a capacity.
    let capacity = |t| shape.capacity(t).unwrap_or(1);
    let two = |t| (capacity(t) + 1, 2 * capacity(t));
    SampleSize {
        poseidon2: two(CircuitType::POSEIDON2),
        sha256: two(CircuitType::SHA256),
    }
}

/// Runs the benchmark.
pub fn run(args: GpuBenchArgs, backends: &Backends) -> Result<ExitCode> {
    let settings = args.opts.settings()?;
    let keys = Arc::new(args.opts.keystore()?);
    keys.generate_all().context("setting up keys")?;
    let batch = sample_batch(
        1,
        args.seed,
        keys.protocol_version(),
        &keys.vk_set_commitment()?,
        two_circuits_per_type(&settings.shape),
    );
    let witness = witness_batch(&batch, &settings.shape)?;
    let jobs: Vec<(CircuitType, Vec<zkstream_prover::BasicJob>)> = witness
        .jobs
        .into_iter()
        .filter(|(t, _)| args.types.is_empty() || args.types.contains(t))
        .collect();
    // A leaf verifies consecutive children of one batch, so they must be two different circuits.
    if let Some((t, v)) = jobs.iter().find(|(_, v)| v.len() != 2) {
        bail!("the bench batch has {} {t} basic circuits, not 2", v.len());
    }
    let gpus = accelerators(GpuMode::Auto, settings.threads, backends)?;
    println!(
        "bench-gpu: profile {}, {} CPU thread(s); {}",
        settings.profile.name, settings.threads, gpus.summary
    );
    let cpu = bench_prover(
        &Prover::new(Arc::clone(&keys), settings.threads),
        &jobs,
        args.repeats,
    )?;
    let mut columns: Vec<(String, Vec<(CircuitId, Timing)>)> = vec![("cpu".into(), cpu)];
    for backend in &gpus.backends {
        let label = backend.info().to_string();
        let prover = Prover::new(Arc::clone(&keys), settings.threads)
            .with_backend(Arc::clone(backend) as Arc<dyn ProvingBackend>);
        columns.push((label, bench_prover(&prover, &jobs, args.repeats)?));
    }
    print_table(&keys, &columns);
    Ok(ExitCode::SUCCESS)
}

fn print_table(keys: &KeyStore, columns: &[(String, Vec<(CircuitId, Timing)>)]) {
    let Some((_, cpu)) = columns.first() else {
        return;
    };
    println!("every proof below verified natively against its pinned VK (CPU verifier)");
    for (i, (id, c)) in cpu.iter().enumerate() {
        let rows = keys
            .get(*id)
            .map(|s| {
                format!(
                    "{} of 2^{}",
                    s.rows,
                    s.vk.fixed_parameters.domain_size.ilog2()
                )
            })
            .unwrap_or_default();
        let mut line = format!(
            "  {id:<18} rows {rows:>15}  cpu {:>8.3} s  {:>7} B",
            c.best.as_secs_f64(),
            c.proof_bytes
        );
        for (label, col) in &columns[1..] {
            if let Some((_, g)) = col.get(i) {
                line.push_str(&format!(
                    "  | {label}: {:.3} s, {:.1}x faster",
                    g.best.as_secs_f64(),
                    c.best.as_secs_f64() / g.best.as_secs_f64().max(1e-9)
                ));
            }
        }
        println!("{line}");
    }
    if columns.len() == 1 {
        println!("  (no GPU slot: CPU only; see the line above for why)");
    }
}
