//! `zkstream demo`: arguments, progress bars and the summary around the demo application
//! (`dataflow/src/demo.rs`): an embedded broker carrying a synthetic batch chain, read, proved and
//! delivered by the batch service that `run` uses, with a verifying sink in front. No external service.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use zkstream_dataflow::config::{Config, FileSinkConfig};
use zkstream_dataflow::demo::{chaos, EmbeddedChain};
use zkstream_dataflow::gpu::{Backends, GpuMode};
use zkstream_dataflow::service::{self, BatchRun, Options};
use zkstream_operators::chunk::Release;
use zkstream_operators::model::Job;
use zkstream_operators::pool::{JobEnd, JobError, PoolObserver, Schedule};
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::SlotKind;
use zkstream_types::{AggregationRound, FinalBatchProof};

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
    /// Keep artifacts and progress here (a restarted demo reuses them): a directory, or a store URL as
    /// `[store] url` takes (`s3://bucket/prefix`, `gs://bucket/prefix`, `file:///dir`; S3 and GCS
    /// settings from the standard environment) [default: a temporary directory].
    #[arg(long)]
    store: Option<String>,
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
    /// Keep serving the metrics this many seconds after the run, so that a scraper sees the final
    /// counts (`[metrics] linger_s`).
    #[arg(long, default_value_t = 0)]
    metrics_linger_s: u64,
    /// Release leaf/node chunks only when the whole level is proved (zkSync's barrier), to compare.
    #[arg(long)]
    barrier: bool,
    /// SNARK-wrap each final proof (a PLONK proof over BN254, ~1.6 KB), with the CRS of `--crs` or,
    /// without it, the insecure test CRS (said on every line that shows a wrapped proof).
    #[arg(long)]
    wrap: bool,
    /// The wrapper's CRS: a monomial-form file such as zkSync's `setup_2^24.key` (implies --wrap).
    #[arg(long)]
    crs: Option<PathBuf>,
    /// Keep the compression (FRI) proof in a wrapped record too.
    #[arg(long)]
    keep_fri_proof: bool,
    #[command(flatten)]
    opts: ProofOpts,
}

const ROUNDS: [AggregationRound; 7] = AggregationRound::ALL;

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
    stats: Mutex<[RoundStats; 7]>,
}

impl Progress {
    fn new() -> Self {
        // With JSON logs, stderr carries JSON only: no bars.
        let multi = if crate::json_logs() {
            MultiProgress::with_draw_target(indicatif::ProgressDrawTarget::hidden())
        } else {
            MultiProgress::new()
        };
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

    /// A status line: on stdout above the bars, or with JSON logs a log event on stderr.
    fn status(&self, line: &str) {
        if crate::json_logs() {
            status!("{line}");
        } else {
            self.println(line);
        }
    }

    fn stats(&self) -> [RoundStats; 7] {
        self.stats.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    fn finish(&self) {
        for b in &self.bars {
            b.finish_and_clear();
        }
    }

    /// The service's status lines, above the bars.
    fn say(self: &Arc<Self>) -> Arc<dyn Fn(&str) + Send + Sync> {
        let progress = Arc::clone(self);
        Arc::new(move |line: &str| progress.status(line))
    }

    /// One line per delivered batch (and where its record was written, if `out` is given).
    fn on_delivered(
        self: &Arc<Self>,
        out: Option<PathBuf>,
        started: Instant,
    ) -> Box<dyn Fn(&FinalBatchProof) + Send> {
        let progress = Arc::clone(self);
        Box::new(move |p: &FinalBatchProof| {
            let written = out
                .as_ref()
                .map(|d| {
                    let file = d.join(format!("batch-{}.proof", p.batch_number));
                    format!(", written to {}", file.display())
                })
                .unwrap_or_default();
            let size = p.proof_summary();
            progress.println(&format!(
                "batch {}: final proof verified (commitment {}, {size}, {:.1} s after start{written})",
                p.batch_number,
                p.batch_commitment.to_hex(),
                started.elapsed().as_secs_f64()
            ));
        })
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

/// Runs the demo.
pub fn run(args: DemoArgs, backends: &Backends) -> Result<ExitCode> {
    anyhow::ensure!(args.batches >= 1, "--batches must be at least 1");
    anyhow::ensure!(args.workers >= 1, "--workers must be at least 1");
    anyhow::ensure!(
        (0.0..1.0).contains(&args.inject_failures),
        "--inject-failures is a probability below 1"
    );
    let started = Instant::now();
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
    service::prepare_keys(&keys, &|line| println!("{line}"), None)
        .context("preparing setup data and keys")?;
    let partitions = args.partitions.unwrap_or(args.workers.max(2) as i32);
    let world = EmbeddedChain::start(&keys, args.batches, args.seed, partitions)?;
    println!(
        "broker: embedded at {}; produced {} batches ({} bytes) into {} ({} partitions)",
        world.broker.bootstrap_servers(),
        world.produced.records,
        world.produced.bytes,
        world.config.kafka.batches_topic,
        world.partitions
    );
    let _tmp;
    let store_url = match &args.store {
        Some(url) if url.contains("://") => url.clone(),
        Some(dir) => ArtifactStore::local(std::path::Path::new(dir))?
            .url()
            .to_string(),
        None => {
            _tmp = tempfile::tempdir().context("creating a temporary artifact directory")?;
            ArtifactStore::local(_tmp.path())?.url().to_string()
        }
    };
    let config = args.config(world.config.clone(), store_url)?;
    let wrap = service::prepare_wrap(&config, &keys, args.opts.settings()?.threads, &|line| {
        println!("{line}")
    })
    .context("preparing the wrapper's keys")?;
    let progress = Arc::new(Progress::new());
    let options = Options {
        resume: false,
        keys: Some(Arc::clone(&keys)),
        wrap: wrap.clone(),
        sinks: vec![Box::new(world.verifier(
            Arc::clone(&keys),
            wrap.as_ref().map(|w| w.pinned.clone()),
        ))],
        observers: vec![Arc::clone(&progress) as Arc<dyn PoolObserver>],
        faults: chaos(args.inject_failures, args.seed),
        release: if args.barrier {
            Release::Barrier
        } else {
            Release::Streaming
        },
        bounded: true,
        on_delivered: progress.on_delivered(args.out.clone(), started),
        say: progress.say(),
        shutdown: crate::shutdown_on_signals()?,
        ..Options::default()
    };
    let run = service::run(&config, options, backends)?;
    progress.finish();
    drop(world);
    print_summary(&args, &run, &progress.stats(), started);
    let problems = run.problems(Some(args.batches));
    for p in &problems {
        status!(error: "problem: {p}");
    }
    Ok(if problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

impl DemoArgs {
    /// The batch service's configuration for the demo: `base` (the embedded broker's) with the
    /// arguments' store, slots, schedule, GPUs, workers, retries and file sink.
    fn config(&self, mut config: Config, store_url: String) -> Result<Config> {
        config.store.url = store_url;
        // Every proof stays, so that a second demo over the same --store reuses them all (the demo's
        // embedded broker is new each time: it delivers every batch again).
        config.store.keep_all = true;
        config.prover.threads = Some(self.opts.settings()?.threads);
        config.prover.slots = self.prover_slots.max(1);
        config.prover.schedule = self.schedule;
        config.prover.gpu = if self.gpu {
            GpuMode::Auto
        } else {
            GpuMode::Off
        };
        config.pipeline.workers = self.workers;
        config.pipeline.max_attempts = self.max_attempts.max(1);
        // Every batch of the chain may be in flight at once (the demo reads a topic it filled itself).
        config.pipeline.max_batches_in_flight = self.batches.max(1);
        config.sink.file = self.out.clone().map(|dir| FileSinkConfig { dir });
        config.metrics.addr = self.metrics_addr.clone();
        config.metrics.linger_s = self.metrics_linger_s;
        config.prover.crs_file = self.crs.clone();
        config.prover.test_crs = self.wrap && self.crs.is_none();
        config.prover.keep_fri_proof = self.keep_fri_proof;
        anyhow::ensure!(
            !self.keep_fri_proof || config.prover.wraps(),
            "--keep-fri-proof needs --wrap or --crs"
        );
        Ok(config)
    }
}

/// The closing summary: batches verified, then per round the proofs, reuses, retries, failures and
/// prover time, and the slots' utilisation.
fn print_summary(args: &DemoArgs, run: &BatchRun, stats: &[RoundStats; 7], started: Instant) {
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
    println!(
        "  proofs: {} generated, {} reused from the store ({})",
        run.total(false),
        run.total(true),
        args.store.as_deref().unwrap_or("a temporary directory")
    );
    let total: Duration = stats.iter().map(|s| s.busy).sum();
    println!(
        "  prover busy {:.1} s over {} slot(s): utilisation {:.0}%",
        total.as_secs_f64(),
        run.slots,
        100.0 * total.as_secs_f64() / (wall.as_secs_f64() * run.slots as f64)
    );
}
