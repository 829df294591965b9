//! `zkstream run --config FILE`: the production job. Reads batches from the Kafka batches topic
//! (resuming from the group's committed offsets and the delivery progress in the artifact store), proves
//! them on this process's prover pool, delivers final proofs in batch order to the configured sinks (core
//! HTTP, Kafka proofs topic, files), sends refused records to the dead-letter topic, and commits offsets
//! only behind the sinks. After a crash, the same command resumes: delivered batches are skipped, and every
//! proving job whose artifact is already in the store reuses it instead of proving again.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use zkstream_dataflow::config::Config;
use zkstream_dataflow::delivery::{DeliveryProgress, DeliveryThread, Outputs};
use zkstream_dataflow::gpu::Backends;
use zkstream_dataflow::pipeline::{self, PipelineSpec};
use zkstream_dataflow::telemetry::Telemetry;
use zkstream_operators::chunk::Release;
use zkstream_operators::order::OrderPolicy;
use zkstream_operators::pool::{JobEnd, PoolConfig, ProverPool};
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::KeyStore;
use zkstream_sinks::{
    CoreHttpSink, DeadLetterSink, FileSink, KafkaProofSink, KafkaWriter, ProofSink, RetryPolicy,
};
use zkstream_sources::{KafkaSourceConfig, LagProbe, OffsetCommitter, OffsetTracker};
use zkstream_types::AggregationRound;

/// Arguments of `run`.
#[derive(Args, Debug)]
pub struct RunArgs {
    /// The configuration file (TOML; see ops/zkstream.example.toml).
    #[arg(long)]
    config: std::path::PathBuf,
    /// Timely worker threads (overrides pipeline.workers).
    #[arg(long, short = 'w')]
    workers: Option<usize>,
    /// Serve Prometheus metrics on this address (overrides metrics.addr), e.g. 127.0.0.1:9898.
    #[arg(long)]
    metrics_addr: Option<String>,
    /// Stop once the records present at start are handled (catch-up jobs, tests) instead of following
    /// the topic.
    #[arg(long)]
    bounded: bool,
    /// The timely cluster (process 0 delivers, dead-letters and commits).
    #[command(flatten)]
    cluster: crate::ClusterArgs,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
}

/// Runs the job.
pub fn run(args: RunArgs, backends: &Backends) -> Result<ExitCode> {
    let started = Instant::now();
    let config = Config::load(&args.config)?;
    let cluster = args.cluster.cluster()?;
    // Process 0 hosts worker 0, where the ordered stage and every hook run: only it delivers.
    let delivers = args.cluster.process == 0;
    let settings = config.proof_settings();
    let keys = Arc::new(KeyStore::open(
        Some(&settings.keys_dir),
        settings.profile.clone(),
        settings.shape.clone(),
        config.prover.protocol_version,
        settings.threads,
    )?);
    let t = Instant::now();
    let prepared = keys
        .generate_all()
        .context("preparing setup data and keys")?;
    eprintln!(
        "keys: {} circuits ready in {:.1} s (profile {}, cache {})",
        prepared.len(),
        t.elapsed().as_secs_f64(),
        keys.profile().name,
        settings.keys_dir.display()
    );

    let store = ArtifactStore::open(&config.store.url)?;
    let progress = DeliveryProgress::load(&store)?;
    let start = progress
        .as_ref()
        .map(|p| p.batch_number + 1)
        .unwrap_or(config.kafka.start_batch)
        .max(config.kafka.start_batch);
    eprintln!(
        "store: {}; delivery starts at batch {start}{}",
        store.url(),
        if progress.is_some() {
            " (resuming after the last delivered batch)"
        } else {
            ""
        }
    );

    let telemetry = Telemetry::start(start)?;
    if let Some(addr) = args.metrics_addr.as_ref().or(config.metrics.addr.as_ref()) {
        let bound = telemetry.metrics.serve(addr)?;
        eprintln!("metrics: http://{bound}/metrics");
    }

    let k = &config.kafka;
    let mut sinks: Vec<Box<dyn ProofSink>> = Vec::new();
    if !delivers {
        eprintln!(
            "cluster: process {} of {}: proving only (process 0 delivers, dead-letters and commits)",
            args.cluster.process, args.cluster.processes
        );
    }
    if let (true, Some(core)) = (delivers, &config.sink.core) {
        sinks.push(Box::new(CoreHttpSink::new(
            &core.url,
            Duration::from_secs(core.timeout_s.max(1)),
            RetryPolicy {
                initial: Duration::from_millis(core.backoff_ms),
                max: Duration::from_millis(core.max_backoff_ms),
                max_attempts: None,
            },
        )?));
    }
    if let (true, Some(topic)) = (delivers, config.proofs_topic()) {
        let writer = KafkaWriter::new(&k.brokers, &k.rdkafka, RetryPolicy::default())?;
        sinks.push(Box::new(KafkaProofSink::new(writer, topic)));
    }
    if let (true, Some(file)) = (delivers, &config.sink.file) {
        sinks.push(Box::new(FileSink::new(&file.dir)?));
    }
    if sinks.is_empty() && delivers {
        tracing::warn!("no proof sink configured: proofs are checked and counted, then dropped");
    }
    let names: Vec<String> = sinks.iter().map(|s| s.name().to_string()).collect();
    for n in &names {
        telemetry.metrics.declare_sink(n);
    }
    let (dlq, committer) = if delivers {
        let dlq = DeadLetterSink::new(
            KafkaWriter::new(&k.brokers, &k.rdkafka, RetryPolicy::default())?,
            &k.dlq_topic,
        );
        let committer = OffsetCommitter::new(
            &k.brokers,
            &k.batches_topic,
            &k.group_id,
            &k.rdkafka,
            OffsetTracker::new(start - 1),
        )?;
        (Some(dlq), Some(committer))
    } else {
        (None, None)
    };
    let delivery = DeliveryThread::start(
        Outputs {
            sinks,
            dlq,
            source_topic: k.batches_topic.clone(),
            committer,
            store: store.clone(),
            keys: Arc::clone(&keys),
            telemetry: Some(Arc::clone(&telemetry)),
            allow_gaps: config.pipeline.allow_gaps,
            delivered: DeliveryProgress::resume(progress.as_ref(), start),
        },
        Box::new(move |p| {
            println!(
                "batch {}: final proof delivered (commitment {}, {} bytes, {:.1} s after start)",
                p.batch_number,
                p.batch_commitment.to_hex(),
                p.proof.len(),
                started.elapsed().as_secs_f64()
            );
        }),
    )?;

    let slots = config.prover.slots.max(1);
    let threads_per_slot = (settings.threads / slots).max(1);
    let gpus = zkstream_dataflow::gpu::accelerators(config.prover.gpu, threads_per_slot, backends)?;
    println!("run: {}", gpus.summary);
    telemetry.metrics.set_prover_slots("cpu", slots);
    telemetry
        .metrics
        .set_prover_slots("gpu", gpus.backends.len());
    let pool = Arc::new(
        ProverPool::builder(
            Arc::clone(&keys),
            store,
            PoolConfig {
                slots,
                threads_per_slot,
                max_attempts: config.pipeline.max_attempts,
                backoff: Duration::from_millis(config.pipeline.retry_backoff_ms),
                schedule: config.prover.schedule,
            },
        )
        .observer(telemetry.observer(Vec::new()))
        .accelerators(gpus.backends)
        .start(),
    );
    let mut source = KafkaSourceConfig::new(&k.brokers, &k.batches_topic);
    source.group_id = k.group_id.clone();
    source.start_batch = start;
    source.bounded = args.bounded;
    source.poll_interval = Duration::from_millis(k.poll_interval_ms.max(1));
    source.rdkafka = k.rdkafka.clone();
    source.max_in_flight = Some(config.pipeline.max_batches_in_flight);
    source.delivered = progress
        .as_ref()
        .and_then(|p| p.delivered.clone())
        .map(Arc::new);
    let spec = PipelineSpec {
        workers: args.workers.unwrap_or(config.pipeline.workers).max(1),
        source,
        policy: OrderPolicy {
            start,
            allow_gaps: config.pipeline.allow_gaps,
        },
        release: Release::Streaming,
        anchor: progress.as_ref().map(|p| p.batch_commitment),
        cluster: cluster.clone(),
    };
    eprintln!(
        "run: {}{} worker(s), {} prover slot(s), sinks [{}], reading {} from {} (group {}){}",
        match &cluster {
            Some(c) => format!(
                "process {} of {} ({}), ",
                c.process,
                c.addresses.len(),
                c.addresses.join(" ")
            ),
            None => String::new(),
        },
        spec.workers,
        slots,
        names.join(", "),
        k.batches_topic,
        k.brokers,
        k.group_id,
        if args.bounded { ", bounded" } else { "" }
    );
    // Every process reports the partitions its readers hold back; process 0 also the group's lag.
    let probe = if delivers {
        Some(LagProbe::new(
            &k.brokers,
            &k.batches_topic,
            &k.group_id,
            &k.rdkafka,
        )?)
    } else {
        None
    };
    let lag = telemetry.watch_lag(probe, spec.source.held.clone(), Duration::from_secs(5));
    let pipeline_started = Instant::now();
    let result = pipeline::run(&spec, Arc::clone(&pool), delivery.hooks());
    let report = delivery.finish()?;
    drop(lag);
    result?;

    let records = pool.records();
    let count = |round: AggregationRound, reused: bool| {
        records
            .iter()
            .filter(|r| r.key.round == round)
            .filter(|r| match r.end {
                JobEnd::Proved => !reused,
                JobEnd::Reused => reused,
                JobEnd::Failed(_) => false,
            })
            .count()
    };
    let generated: usize = AggregationRound::ALL.iter().map(|r| count(*r, false)).sum();
    let reused: usize = AggregationRound::ALL.iter().map(|r| count(*r, true)).sum();
    println!();
    println!(
        "summary: {} batches delivered{} in {:.1} s (pipeline {:.1} s); {} gap(s), {} dead letter(s), {} offset commit(s)",
        report.delivered.len(),
        match (report.delivered.first(), report.delivered.last()) {
            (Some(a), Some(b)) => format!(" ({a}..={b})"),
            _ => String::new(),
        },
        started.elapsed().as_secs_f64(),
        pipeline_started.elapsed().as_secs_f64(),
        report.gaps.len(),
        report.dead_letters,
        report.commits
    );
    println!("  {:<12} {:>9} {:>7}", "round", "generated", "reused");
    for r in AggregationRound::ALL {
        println!(
            "  {:<12} {:>9} {:>7}",
            r.name(),
            count(r, false),
            count(r, true)
        );
    }
    println!("zkstream_proofs_generated_total {generated}");
    println!("zkstream_proofs_reused_total {reused}");
    let mut ok = true;
    for (n, stage, reason) in &report.gaps {
        eprintln!("gap: batch {n} ({stage}): {reason}");
        ok = false;
    }
    for (n, e) in &report.unverified {
        eprintln!("error: batch {n}: final proof does not verify: {e}");
        ok = false;
    }
    if let Some(e) = &report.error {
        eprintln!("error: {e}");
        ok = false;
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
