//! `zkstream demo`: the embedded end-to-end run. An in-process Kafka-protocol broker (librdkafka's mock
//! cluster) carries a synthetic batch chain into the production Kafka reader; the full pipeline proves
//! it on a prover pool; progress bars follow each round; every final proof is checked with the
//! independent verifier as it is delivered (in batch order), optionally written to `--out`, and a
//! summary closes the run. No external service.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use zkstream_dataflow::gpu::{accelerators, Backends, GpuMode};
use zkstream_operators::chunk::Release;
use zkstream_operators::model::{Delivery, Job};
use zkstream_operators::order::OrderPolicy;
use zkstream_operators::pool::{
    FaultInjector, JobEnd, PoolConfig, PoolObserver, ProverPool, Schedule,
};
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::sample::sample_chain;
use zkstream_prover::{verify_final_proof, SlotKind};
use zkstream_sinks::FileSink;
use zkstream_sources::kafka::produce_batches;
use zkstream_sources::{
    EmbeddedBroker, KafkaSourceConfig, LagProbe, OffsetCommitter, OffsetTracker, ReadMark, Settle,
};

/// The consumer group of the demo's reader (its committed offsets give the consumer-lag gauge).
const DEMO_GROUP: &str = "zkstream-demo";
/// The demo's own sink: the independent verifier that checks each final proof against its batch input.
const DEMO_SINK: &str = "demo-verifier";
use zkstream_types::{AggregationRound, BatchInput};

use zkstream_dataflow::pipeline::{self, PipelineSpec};
use zkstream_dataflow::telemetry::Telemetry;

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

    fn retrying(&self, job: &Job, attempt: u32, error: &str) {
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
                JobEnd::Failed(_) => s.failed += 1,
            }
            s.busy += took;
        }
        self.bars[r].inc(1);
        self.bars[r].set_message("");
    }
}

#[derive(Default)]
struct Results {
    verified: Vec<u64>,
    problems: Vec<String>,
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
    let t = Instant::now();
    let generated = keys
        .generate_all()
        .context("preparing setup data and keys")?;
    let computed = generated
        .iter()
        .filter(|(_, _, s)| matches!(s, zkstream_prover::keys::KeySource::Computed))
        .count();
    println!(
        "keys: {} circuits ready in {:.1} s ({computed} computed, the rest cached in {})",
        generated.len(),
        t.elapsed().as_secs_f64(),
        keys.dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default()
    );

    // The embedded broker and the synthetic chain in its batches topic.
    let broker = EmbeddedBroker::start()?;
    let brokers = broker.bootstrap_servers();
    let topic = "zkstream.batches";
    let partitions = args.partitions.unwrap_or(args.workers.max(2) as i32).max(1);
    broker.create_topic(topic, partitions)?;
    let vk_set = keys.vk_set_commitment()?;
    let chain = sample_chain(1, args.batches, args.seed, keys.protocol_version(), &vk_set);
    let report = produce_batches(&brokers, topic, partitions, chain.clone())?;
    println!(
        "broker: embedded at {brokers}; produced {} batches ({} bytes) into {topic} ({partitions} partitions)",
        report.records, report.bytes
    );

    // Artifact store and prover pool.
    let _tmp;
    let store_dir = match &args.store {
        Some(d) => d.clone(),
        None => {
            _tmp = tempfile::tempdir().context("creating a temporary artifact directory")?;
            _tmp.path().to_path_buf()
        }
    };
    let store = ArtifactStore::local(&store_dir)?;
    let slots = args.prover_slots.max(1);
    let pool_config = PoolConfig {
        slots,
        threads_per_slot: (settings.threads / slots).max(1),
        max_attempts: args.max_attempts.max(1),
        backoff: Duration::from_millis(200),
        schedule: args.schedule,
    };
    println!(
        "provers: {} CPU slot(s) x {} thread(s); artifacts in {}",
        pool_config.slots,
        pool_config.threads_per_slot,
        store.url()
    );
    let gpus = accelerators(
        if args.gpu {
            GpuMode::Auto
        } else {
            GpuMode::Off
        },
        pool_config.threads_per_slot,
        backends,
    )?;
    if args.gpu {
        println!("{}", gpus.summary);
    }
    let gpu_slots = gpus.backends.len();
    let progress = Arc::new(Progress::new());
    let telemetry = Telemetry::start(1)?;
    let metrics = Arc::clone(&telemetry.metrics);
    metrics.set_prover_slots("cpu", slots);
    metrics.set_prover_slots("gpu", gpu_slots);
    if let Some(addr) = &args.metrics_addr {
        let bound = metrics.serve(addr)?;
        println!("metrics: http://{bound}/metrics");
    }
    let observers = telemetry.observer(vec![Arc::clone(&progress) as Arc<dyn PoolObserver>]);
    let mut builder = ProverPool::builder(Arc::clone(&keys), store, pool_config)
        .observer(observers)
        .accelerators(gpus.backends);
    if let Some(f) = chaos(args.inject_failures, args.seed) {
        builder = builder.faults(f);
    }
    let pool = Arc::new(builder.start());

    let sink = args.out.as_deref().map(FileSink::new).transpose()?;
    metrics.declare_sink(DEMO_SINK);
    if sink.is_some() {
        metrics.declare_sink("file");
    }
    let inputs: Arc<BTreeMap<u64, BatchInput>> =
        Arc::new(chain.into_iter().map(|b| (b.batch_number, b)).collect());
    let results = Arc::new(Mutex::new(Results::default()));
    // Offsets are committed behind the deliveries, as in `run`, so the consumer-lag gauge means the same.
    let committer = Arc::new(Mutex::new(OffsetCommitter::new(
        &brokers,
        topic,
        DEMO_GROUP,
        &Default::default(),
        OffsetTracker::new(0),
    )?));
    let settle = {
        let committer = Arc::clone(&committer);
        move |f: &dyn Fn(&mut OffsetTracker)| {
            let mut c = committer.lock().unwrap_or_else(|p| p.into_inner());
            f(c.tracker());
            if let Err(e) = c.commit() {
                tracing::debug!(error = %e, "demo offset commit failed (retried on the next delivery)");
            }
        }
    };
    let on_delivery = {
        let settle = settle.clone();
        let (keys, inputs, results, progress, telemetry) = (
            Arc::clone(&keys),
            Arc::clone(&inputs),
            Arc::clone(&results),
            Arc::clone(&progress),
            Arc::clone(&telemetry),
        );
        Arc::new(move |d: &Delivery| {
            let mut res = results.lock().unwrap_or_else(|p| p.into_inner());
            match d {
                Delivery::Proof(p) => {
                    let n = p.batch_number;
                    let Some(input) = inputs.get(&n) else {
                        res.problems
                            .push(format!("batch {n}: delivered but never produced"));
                        return;
                    };
                    match verify_final_proof(&keys, input, p) {
                        Ok(c) => {
                            let written = match &sink {
                                Some(s) => match s.deliver(p) {
                                    Ok(path) => {
                                        telemetry.metrics.record_submission("file", true);
                                        format!(", written to {}", path.display())
                                    }
                                    Err(e) => {
                                        telemetry.metrics.record_submission("file", false);
                                        res.problems.push(format!("batch {n}: {e}"));
                                        String::new()
                                    }
                                },
                                None => String::new(),
                            };
                            progress.println(&format!(
                                "batch {n}: final proof verified (commitment {}, {} bytes, {:.1} s after start{written})",
                                c.to_hex(),
                                p.proof.len(),
                                started.elapsed().as_secs_f64()
                            ));
                            res.verified.push(n);
                            telemetry.metrics.record_submission(DEMO_SINK, true);
                            telemetry.batch_delivered(n);
                            settle(&|t| t.delivered(n));
                        }
                        Err(e) => {
                            telemetry.metrics.record_submission(DEMO_SINK, false);
                            telemetry.metrics.record_verification_failure("final");
                            telemetry.batch_failed(n);
                            progress.println(&format!("batch {n}: final proof REJECTED: {e}"));
                            res.problems
                                .push(format!("batch {n}: final proof rejected: {e}"));
                        }
                    }
                }
                Delivery::Gap(f) => {
                    telemetry.batch_failed(f.batch_number);
                    settle(&|t| t.gap(f.batch_number));
                    progress.println(&format!(
                        "batch {}: NOT proved ({}: {}); delivery stops here",
                        f.batch_number, f.stage, f.reason
                    ));
                    res.problems
                        .push(format!("batch {}: {}", f.batch_number, f.reason));
                }
            }
        })
    };
    let on_reject = {
        let (results, progress, metrics) = (
            Arc::clone(&results),
            Arc::clone(&progress),
            Arc::clone(&metrics),
        );
        Arc::new(move |r: &zkstream_types::Rejected| {
            metrics.record_dead_letter(&r.reason);
            progress.println(&format!(
                "rejected record (partition {} offset {}): {}",
                r.raw.partition, r.raw.offset, r.reason
            ));
            results
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .problems
                .push(r.reason.to_string());
        })
    };
    let mut source = KafkaSourceConfig::new(&brokers, topic);
    source.bounded = true;
    source.group_id = DEMO_GROUP.into();
    let spec = PipelineSpec {
        workers: args.workers,
        source,
        policy: OrderPolicy {
            start: 1,
            allow_gaps: false,
        },
        release: if args.barrier {
            Release::Barrier
        } else {
            Release::Streaming
        },
        anchor: None,
        cluster: None,
    };
    let on_accept = {
        let settle = settle.clone();
        Arc::new(move |_: u64, p: i32, o: i64| settle(&|t| t.accepted(p, o)))
    };
    let on_mark = {
        let telemetry = Arc::clone(&telemetry);
        Arc::new(move |m: &ReadMark| {
            if let Settle::OnDelivery(n) = m.settle {
                telemetry.batch_read(n);
            }
            settle(&|t| t.read(*m));
        })
    };
    let lag = telemetry.watch_lag(
        Some(LagProbe::new(
            &brokers,
            topic,
            DEMO_GROUP,
            &Default::default(),
        )?),
        spec.source.held.clone(),
        Duration::from_secs(2),
    );
    let run_started = Instant::now();
    pipeline::run(
        &spec,
        Arc::clone(&pool),
        pipeline::Hooks {
            on_delivery,
            on_reject,
            on_mark,
            on_accept,
        },
    )?;
    let wall = run_started.elapsed();
    drop(lag);
    for b in &progress.bars {
        b.finish_and_clear();
    }
    drop(broker);

    let res = results.lock().unwrap_or_else(|p| p.into_inner());
    let stats = progress.stats();
    println!();
    println!(
        "summary: {} of {} batches proved and verified in {:.1} s (pipeline {:.1} s, {:.1} s per batch)",
        res.verified.len(),
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
        slots,
        100.0 * total.as_secs_f64() / (wall.as_secs_f64() * slots as f64)
    );
    let complete = res.problems.is_empty() && res.verified.len() as u64 == args.batches;
    if !complete {
        for p in &res.problems {
            eprintln!("problem: {p}");
        }
        if res.verified.len() as u64 != args.batches {
            eprintln!(
                "error: {} of {} batches delivered",
                res.verified.len(),
                args.batches
            );
        }
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
