//! `zkstream aggregate --config FILE`: aggregation mode over Kafka. The service
//! (`dataflow/src/user_proofs/service.rs`) reads users' proof submissions from `[aggregation] topic`,
//! refuses bad ones to the dead-letter topic with a reason, and runs one aggregation per waiting family
//! when due, publishing each run's record to `output_topic` and `out_dir` before committing; this
//! command registers programs, steps the service and prints what each run published.
//!
//! Cluster (`-n N -p I -h HOSTS`, as `zkstream run` takes them): process 0 does all of the above; the
//! other processes only prove chunks and nodes and exit when process 0 closes.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args;
use zkstream_dataflow::config::Config;
use zkstream_dataflow::gpu::Backends;
use zkstream_dataflow::user_proofs::service::{self, Options, Role};

use crate::read_file;

/// Arguments of `aggregate`.
#[derive(Args, Debug)]
pub struct AggregateArgs {
    /// The configuration file (TOML; `[kafka]`, `[store]`, `[prover]`, `[aggregation]`).
    #[arg(long)]
    config: PathBuf,
    /// Stop once the submissions present at start are handled (the last run takes what is left).
    #[arg(long)]
    bounded: bool,
    /// Register programs first: submission files whose embedded key is stored for later submissions
    /// that name the program without embedding its key.
    #[arg(long)]
    register: Vec<PathBuf>,
    /// Serve Prometheus metrics on this address (overrides metrics.addr), e.g. 127.0.0.1:9898.
    #[arg(long)]
    metrics_addr: Option<String>,
    /// The timely cluster proving the runs' trees: process 0 reads the submissions, runs, publishes
    /// and commits; every process (0 included) proves chunks and nodes.
    #[command(flatten)]
    cluster: crate::ClusterArgs,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
}

/// Runs aggregation mode.
pub fn run(args: AggregateArgs, backends: &Backends) -> Result<ExitCode> {
    let config = Config::load(&args.config)?;
    let shutdown = crate::shutdown_on_signals()?;
    let options = Options {
        bounded: args.bounded,
        metrics_addr: args.metrics_addr,
        cluster: args.cluster.cluster()?,
        say: Arc::new(|line| status!("{line}")),
        shutdown: shutdown.clone(),
    };
    let mut service = match service::start(&config, options, backends)? {
        Role::Member(tree) => {
            // A member proves until process 0 closes the cluster; after a signal, at most the drain
            // timeout (then it leaves, and the cluster with it: process 0 resumes after a restart).
            let _drain = shutdown.watchdog(
                std::time::Duration::from_secs(config.pipeline.drain_timeout_s),
                || std::process::exit(0),
            )?;
            let pool = Arc::clone(tree.pool());
            tree.finish()?;
            let (proved, reused) = zkstream_dataflow::user_proofs::proof_counts(&pool);
            status!(
                "aggregate: process 0 closed the cluster ({proved} tree proof(s) made, {reused} reused)"
            );
            return Ok(ExitCode::SUCCESS);
        }
        Role::Leader(service) => service,
    };
    for path in &args.register {
        let id = service
            .register(&read_file(path)?)
            .with_context(|| format!("registering {}", path.display()))?;
        println!("registered program {}", hex::encode(id));
    }
    loop {
        let step = service.step()?;
        if let Some(p) = &step.published {
            let r = &p.record;
            println!(
                "run {} (family {}): {} proofs in {} chunk(s), root {}, {} blob(s) (versioned hash {})",
                p.run,
                p.family,
                r.proofs.len(),
                r.chunks,
                hex::encode(r.root),
                r.blobs.len(),
                r.blobs
                    .first()
                    .map(|b| hex::encode(b.versioned_hash))
                    .unwrap_or_default()
            );
        }
        if step.ended {
            break;
        }
    }
    let c = service.counts();
    service.finish()?;
    println!(
        "summary: {} run(s) published, {} submission(s) refused, {} tree proof(s) made, {} reused",
        c.published, c.refused, c.proved, c.reused
    );
    Ok(ExitCode::SUCCESS)
}
