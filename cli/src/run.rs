//! `zkstream run --config FILE`: the production job. Reads batches from the Kafka batches topic
//! (resuming from the group's committed offsets and the delivery progress in the artifact store), proves
//! them on this process's prover pool, delivers final proofs in batch order to the configured sinks (core
//! HTTP, Kafka proofs topic, files), sends refused records to the dead-letter topic, and commits offsets
//! only behind the sinks. After a crash, the same command resumes: delivered batches are skipped, and every
//! proving job whose artifact is already in the store reuses it instead of proving again.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use clap::Args;
use zkstream_dataflow::config::Config;
use zkstream_dataflow::gpu::Backends;
use zkstream_dataflow::service::{self, BatchRun, Options};
use zkstream_types::AggregationRound;

use crate::EXIT_MAY_PASS;

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
    let options = Options {
        workers: args.workers,
        metrics_addr: args.metrics_addr,
        bounded: args.bounded,
        cluster: args.cluster.cluster()?,
        on_delivered: Box::new(move |p| {
            println!(
                "batch {}: final proof delivered (commitment {}, {}, {:.1} s after start)",
                p.batch_number,
                p.batch_commitment.to_hex(),
                p.proof_summary(),
                started.elapsed().as_secs_f64()
            );
        }),
        // Another process 0 delivers for this store now: stop at once (exit status 1, not 75: a
        // restart would fence that one in turn).
        on_fenced: Some(Box::new(|reason| {
            status!(error: "error: {reason}");
            std::process::exit(1);
        })),
        say: Arc::new(|line| status!("{line}")),
        shutdown: crate::shutdown_on_signals()?,
        ..Options::default()
    };
    let run = service::run(&config, options, backends)?;
    print_summary(&run, started);
    if run.drained {
        status!(
            "drained: reading stopped on a signal; {}; the next start reads on from there",
            match (run.report.left.first(), run.report.left.last()) {
                (Some(a), Some(b)) => format!(
                    "batches {a}..={b} were left undelivered (their records are read again)"
                ),
                _ => "every batch read was delivered".to_string(),
            }
        );
    }
    for (n, stage, reason) in &run.report.gaps {
        status!(error: "gap: batch {n} ({stage}): {reason}");
    }
    for (n, e) in &run.report.unverified {
        status!(error: "error: batch {n}: final proof does not verify: {e}");
    }
    if let Some(e) = &run.report.error {
        status!(error: "error: {e}");
    }
    Ok(if run.complete() {
        ExitCode::SUCCESS
    } else if run.report.gaps.is_empty()
        && run.report.unverified.is_empty()
        && run.report.error_may_pass
    {
        // Only a fault that may pass stopped delivery: a restart resumes (see cli/src/lib.rs).
        status!(error: "(this may pass: restarting may help; exit status {EXIT_MAY_PASS})");
        ExitCode::from(EXIT_MAY_PASS)
    } else {
        ExitCode::FAILURE
    })
}

/// The closing summary: batches, per-round proofs generated and reused, the two totals as metric lines.
fn print_summary(run: &BatchRun, started: Instant) {
    let report = &run.report;
    println!();
    println!(
        "summary: {} batches delivered{} in {:.1} s (pipeline {:.1} s); {} gap(s), {} dead letter(s), {} offset commit(s)",
        report.delivered.len(),
        match (report.delivered.first(), report.delivered.last()) {
            (Some(a), Some(b)) => format!(" ({a}..={b})"),
            _ => String::new(),
        },
        started.elapsed().as_secs_f64(),
        run.pipeline.as_secs_f64(),
        report.gaps.len(),
        report.dead_letters,
        report.commits
    );
    println!("  {:<12} {:>9} {:>7}", "round", "generated", "reused");
    for r in AggregationRound::ALL {
        println!(
            "  {:<12} {:>9} {:>7}",
            r.name(),
            run.count(r, false),
            run.count(r, true)
        );
    }
    println!("zkstream_proofs_generated_total {}", run.total(false));
    println!("zkstream_proofs_reused_total {}", run.total(true));
}
