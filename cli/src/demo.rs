//! `zkstream demo`: the embedded end-to-end run. An in-process Kafka-protocol broker (librdkafka's mock
//! cluster) carries a synthetic batch chain; the batch service that `run` uses
//! (`dataflow/src/service.rs`) reads, proves and delivers it, configured for that broker, with a
//! verifying sink (each final proof checked against its batch input with the independent verifier, in
//! batch order), `--out` as its file sink, and progress bars on its prover pool; a summary closes the
//! run. No external service.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use zkstream_dataflow::config::{Config, FileSinkConfig};
use zkstream_dataflow::gpu::{Backends, GpuMode};
use zkstream_dataflow::service::{self, BatchRun, Options};
use zkstream_operators::chunk::Release;
use zkstream_operators::model::Job;
use zkstream_operators::pool::{FaultInjector, JobEnd, JobError, PoolObserver, Schedule};
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::sample::sample_chain;
use zkstream_prover::{verify_final_proof, KeyStore, SlotKind};
use zkstream_sinks::{ProofSink, SinkError};
use zkstream_sources::kafka::produce_batches;
use zkstream_sources::EmbeddedBroker;
use zkstream_types::{AggregationRound, BatchInput, FinalBatchProof};

/// The consumer group of the demo's reader (its committed offsets give the consumer-lag gauge).
const DEMO_GROUP: &str = "zkstream-demo";
/// The demo's own sink: the independent verifier that checks each final proof against its batch input.
const DEMO_SINK: &str = "demo-verifier";

use crate::ProofOpts;

/// Arguments of `demo`.
#[derive(Args, Debug)]
pub struct DemoArgs {
    /// Batches to prove (the chain's batches 1..=N).
    #[arg(long, default_value_t = 3)]
    batches: u64,
    /// Timely worker threads.
    #[arg(long, short = 'w', default_value_t = 1)]
    workers: usize,
    /// Seed of the synthetic chain (the same chain as `sample-batch --seed S`).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write each final proof record to DIR/batch-N.proof.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Keep artifacts in this directory (a restarted demo reuses them) [default: a temporary directory].
    #[arg(long)]
    store: Option<PathBuf>,
    /// Partitions of the batches topic [default: max(workers, 2)].
    #[arg(long)]
    partitions: Option<i32>,
    /// CPU prover slots (jobs proved at once); the threads are shared among them.
    #[arg(long, default_value_t = 1)]
    prover_slots: usize,
    /// Also prove on GPUs: one slot per usable device (a binary built with ops/build-gpu.sh). Without a
    /// CUDA driver or GPU backend it says why and proves on CPU slots.
    #[arg(long)]
    gpu: bool,
    /// Attempts per job before its batch fails.
    #[arg(long, default_value_t = 5)]
    max_attempts: u32,
    /// Chaos drill: the probability that a proving attempt fails on purpose (retried).
    #[arg(long, default_value_t = 0.0)]
    inject_failures: f64,
    /// Which ready job a free prover slot takes first: `latency` (oldest batch first) or `throughput`
    /// (critical path first).
    #[arg(long, default_value = "latency")]
    schedule: Schedule,
    /// Serve Prometheus metrics on this address during the run, e.g. 127.0.0.1:9898.
    #[arg(long)]
    metrics_addr: Option<String>,
    /// Release leaf/node chunks only when the whole level is proved (zkSync's barrier), to compare.
    #[arg(long)]
    barrier: bool,
    #[command(flatten)]
    opts: ProofOpts,
}

const ROUNDS: [AggregationRound; 6] = AggregationRound::ALL;

#[derive(Default, Clone)]
struct RoundStats {
    proved: usize,
    reused: usize,
    failed: usize,
    retries: usize,
    busy: Duration,
}

/// Progress bars per round and the per-round figures of the summary.
struct Progress {
    multi: MultiProgress,
    bars: Vec<ProgressBar>,
    stats: Mutex<[RoundStats; 6]>,
}

impl Progress {
    fn new() -> Self {
        let multi = MultiProgress::new();
        let style = ProgressStyle::with_template("{prefix:>12} [{bar:32}] {pos:>3}/{len:<3} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        let bars = ROUNDS
            .iter()
            .map(|r| {
                let b = multi.add(ProgressBar::new(0));
                b.set_style(style.clone());
                b.set_prefix(r.name().to_string());
                b
            })
            .collect();
        Progress {
            multi,
            bars,
            stats: Mutex::new(Default::default()),
        }
    }

    fn println(&self, line: &str) {
        self.multi.suspend(|| println!("{line}"));
    }

    fn stats(&self) -> [RoundStats; 6] {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl PoolObserver for Progress {
    fn queued(&self, job: &Job) {
        self.bars[job.key.round.number() as usize].inc_length(1);
    }

    fn started(&self, job: &Job, attempt: u32, _waited: Duration) {
        let msg = format!("proving {}", job.key);
        let msg = if attempt > 1 {
            format!("{msg} (attempt {attempt})")
        } else {
            msg
        };
        self.bars[job.key.round.number() as usize].set_message(msg);
    }

    fn retrying(&self, job: &Job, attempt: u32, error: &JobError) {
        let r = job.key.round.number() as usize;
        self.stats.lock().unwrap_or_else(|p| p.into_inner())[r].retries += 1;
        self.println(&format!(
            "  retry: {} attempt {attempt} failed: {error}",
            job.key
        ));
    }

    fn finished(&self, job: &Job, end: &JobEnd, took: Duration, _slot: SlotKind) {
        let r = job.key.round.number() as usize;
        {
            let mut stats = self.stats.lock().unwrap_or_else(|p| p.into_inner());
            let s = &mut stats[r];
            match end {
                JobEnd::Proved => s.proved += 1,
                JobEnd::Reused => s.reused += 1,
                JobEnd::Failed { .. } => s.failed += 1,
            }
            s.busy += took;
        }
        self.bars[r].inc(1);
        self.bars[r].set_message("");
    }
}

/// The demo's own sink: checks each final proof against the batch input it was made from, with the
/// independent verifier (the delivery thread has already checked the record on its own).
struct Verifier {
    keys: Arc<KeyStore>,
    inputs: BTreeMap<u64, BatchInput>,
}

impl ProofSink for Verifier {
    fn name(&self) -> &str {
        DEMO_SINK
    }

    fn deliver(&mut self, p: &FinalBatchProof) -> Result<(), SinkError> {
        let refused = |reason: String| SinkError::Check {
            sink: DEMO_SINK.into(),
            batch: p.batch_number,
            reason,
        };
        let input = self
            .inputs
            .get(&p.batch_number)
            .ok_or_else(|| refused("delivered but never produced".into()))?;
        verify_final_proof(&self.keys, input, p)
            .map(|_| ())
            .map_err(|e| refused(format!("final proof rejected: {e}")))
    }
}

/// A deterministic chaos drill: attempt `a` of key `k` fails when hash(k, a) < rate.
fn chaos(rate: f64, seed: u64) -> Option<FaultInjector> {
    if rate <= 0.0 {
        return None;
    }
    Some(Arc::new(move |key, attempt| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (key, attempt, seed).hash(&mut h);
        (h.finish() as f64 / u64::MAX as f64) < rate
    }))
}

/// Runs the demo.
pub fn run(args: DemoArgs, backends: &Backends) -> Result<ExitCode> {
    anyhow::ensure!(args.batches >= 1, "--batches must be at least 1");
    anyhow::ensure!(args.workers >= 1, "--workers must be at least 1");
    anyhow::ensure!(
        (0.0..1.0).contains(&args.inject_failures),
        "--inject-failures is a probability below 1"
    );
    let started = Instant::now();
    let settings = args.opts.settings()?;
    let keys = Arc::new(args.opts.keystore()?);
    println!(
        "zkstream demo: {} batches (seed {}), {} worker(s), profile {}, arity {}, node depth {}",
        args.batches,
        args.seed,
        args.workers,
        keys.profile().name,
        keys.shape().arity,
        keys.shape().node_depth
    );
    service::prepare_keys(&keys, &|line| println!("{line}"))
        .context("preparing setup data and keys")?;

    // The embedded broker and the synthetic chain in its batches topic.
    let broker = EmbeddedBroker::start()?;
    let brokers = broker.bootstrap_servers();
    let mut config = Config::with_brokers(&brokers);
    let topic = config.kafka.batches_topic.clone();
    let partitions = args.partitions.unwrap_or(args.workers.max(2) as i32).max(1);
    broker.create_topic(&topic, partitions)?;
    broker.create_topic(&config.kafka.dlq_topic, 1)?;
    let vk_set = keys.vk_set_commitment()?;
    let chain = sample_chain(1, args.batches, args.seed, keys.protocol_version(), &vk_set);
    let report = produce_batches(&brokers, &topic, partitions, chain.clone())?;
    println!(
        "broker: embedded at {brokers}; produced {} batches ({} bytes) into {topic} ({partitions} partitions)",
        report.records, report.bytes
    );

    // The same application as `run`, configured for the embedded broker.
    let _tmp;
    let store_dir = match &args.store {
        Some(d) => d.clone(),
        None => {
            _tmp = tempfile::tempdir().context("creating a temporary artifact directory")?;
            _tmp.path().to_path_buf()
        }
    };
    config.kafka.group_id = DEMO_GROUP.into();
    config.store.url = ArtifactStore::local(&store_dir)?.url().to_string();
    config.prover.threads = Some(settings.threads);
    config.prover.slots = args.prover_slots.max(1);
    config.prover.schedule = args.schedule;
    config.prover.gpu = if args.gpu {
        GpuMode::Auto
    } else {
        GpuMode::Off
    };
    config.pipeline.workers = args.workers;
    config.pipeline.max_attempts = args.max_attempts.max(1);
    // Every batch of the chain may be in flight at once (the demo reads a topic it filled itself).
    config.pipeline.max_batches_in_flight = args.batches.max(1);
    config.sink.file = args.out.clone().map(|dir| FileSinkConfig { dir });
    config.metrics.addr = args.metrics_addr.clone();

    let progress = Arc::new(Progress::new());
    let on_delivered = {
        let (progress, out) = (Arc::clone(&progress), args.out.clone());
        Box::new(move |p: &FinalBatchProof| {
            let written = out
                .as_ref()
                .map(|d| {
                    format!(
                        ", written to {}",
                        d.join(format!("batch-{}.proof", p.batch_number)).display()
                    )
                })
                .unwrap_or_default();
            progress.println(&format!(
                "batch {}: final proof verified (commitment {}, {} bytes, {:.1} s after start{written})",
                p.batch_number,
                p.batch_commitment.to_hex(),
                p.proof.len(),
                started.elapsed().as_secs_f64()
            ));
        })
    };
    let say = {
        let progress = Arc::clone(&progress);
        Arc::new(move |line: &str| progress.println(line))
    };
    let options = Options {
        resume: false,
        keys: Some(Arc::clone(&keys)),
        sinks: vec![Box::new(Verifier {
            keys: Arc::clone(&keys),
            inputs: chain.into_iter().map(|b| (b.batch_number, b)).collect(),
        })],
        observers: vec![Arc::clone(&progress) as Arc<dyn PoolObserver>],
        faults: chaos(args.inject_failures, args.seed),
        release: if args.barrier {
            Release::Barrier
        } else {
            Release::Streaming
        },
        bounded: true,
        on_delivered,
        say,
        ..Options::default()
    };
    let run = service::run(&config, options, backends)?;
    for b in &progress.bars {
        b.finish_and_clear();
    }
    drop(broker);
    print_summary(&args, &run, &progress.stats(), started);

    let report = &run.report;
    let mut problems: Vec<String> = Vec::new();
    problems.extend(
        report
            .gaps
            .iter()
            .map(|(n, stage, reason)| format!("batch {n}: NOT proved ({stage}): {reason}")),
    );
    problems.extend(
        report
            .unverified
            .iter()
            .map(|(n, e)| format!("batch {n}: final proof does not verify: {e}")),
    );
    problems.extend(report.error.clone());
    if report.dead_letters > 0 {
        problems.push(format!("{} record(s) dead-lettered", report.dead_letters));
    }
    let delivered = report.delivered.len() as u64;
    if problems.is_empty() && delivered == args.batches {
        return Ok(ExitCode::SUCCESS);
    }
    for p in &problems {
        eprintln!("problem: {p}");
    }
    if delivered != args.batches {
        eprintln!("error: {delivered} of {} batches delivered", args.batches);
    }
    Ok(ExitCode::FAILURE)
}

/// The closing summary: batches verified, then per round the proofs, reuses, retries, failures and
/// prover time, and the slots' utilisation.
fn print_summary(args: &DemoArgs, run: &BatchRun, stats: &[RoundStats; 6], started: Instant) {
    let wall = run.pipeline;
    println!();
    println!(
        "summary: {} of {} batches proved and verified in {:.1} s (pipeline {:.1} s, {:.1} s per batch)",
        run.report.delivered.len(),
        args.batches,
        started.elapsed().as_secs_f64(),
        wall.as_secs_f64(),
        wall.as_secs_f64() / args.batches as f64
    );
    println!(
        "  {:<12} {:>7} {:>7} {:>8} {:>8} {:>12} {:>10}",
        "round", "proofs", "reused", "retries", "failed", "prove time", "per proof"
    );
    for (r, s) in ROUNDS.iter().zip(stats.iter()) {
        let n = s.proved + s.reused;
        println!(
            "  {:<12} {:>7} {:>7} {:>8} {:>8} {:>10.1} s {:>8.2} s",
            r.name(),
            s.proved,
            s.reused,
            s.retries,
            s.failed,
            s.busy.as_secs_f64(),
            if n > 0 {
                s.busy.as_secs_f64() / n as f64
            } else {
                0.0
            }
        );
    }
    let total: Duration = stats.iter().map(|s| s.busy).sum();
    println!(
        "  prover busy {:.1} s over {} slot(s): utilisation {:.0}%",
        total.as_secs_f64(),
        run.slots,
        100.0 * total.as_secs_f64() / (wall.as_secs_f64() * run.slots as f64)
    );
}
