//! The `zkstream` command line, as a library: argument parsing and the subcommands, one file each. A
//! binary is `main` with the proving backends it brings: `src/main.rs` (CPU only) and the GPU build
//! (`gpu/src/main.rs`, which adds boojum's GPU prover) are one line each.
#![deny(missing_docs)]

/// A status line for the operator on stderr ([`status_line`]); `status!` for progress, `status!(error:
/// ...)` for a failure.
macro_rules! status {
    (error: $($arg:tt)*) => { $crate::status_line(true, &format!($($arg)*)) };
    ($($arg:tt)*) => { $crate::status_line(false, &format!($($arg)*)) };
}

mod aggregate;
mod demo;
mod gpu_bench;
mod inspect;
mod keys;
mod produce;
mod proving;
mod run;
mod simulate;
mod user;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};
use zkstream_dataflow::gpu::Backends;
use zkstream_dataflow::settings::{default_keys_dir, ProofSettings, DEFAULT_PROTOCOL_VERSION};
use zkstream_prover::{ProfileKind, TreeShape};

/// zkstream: streaming recursive proof aggregation for rollup batches.
#[derive(Parser, Debug)]
#[command(name = "zkstream", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run the whole pipeline on an embedded broker with a synthetic chain and verify every final proof.
    Demo(demo::DemoArgs),
    /// The production job: read batches from Kafka, prove, deliver to the configured sinks.
    /// (`-h` is the cluster host file, as in timely; `--help` prints help.)
    #[command(disable_help_flag = true)]
    Run(run::RunArgs),
    /// Write the synthetic batch chain into a Kafka topic (load generator).
    Produce(produce::ProduceArgs),
    /// Time each circuit on the CPU prover and on this binary's GPU slots (every proof verified by the
    /// CPU verifier) and print the GPU/CPU ratio.
    BenchGpu(gpu_bench::GpuBenchArgs),
    /// Decode any framed file (batch input, artifact, final proof) and print a summary.
    Inspect(inspect::InspectArgs),
    /// Write a deterministic synthetic batch input (batch N of the chain of seed S).
    SampleBatch(proving::SampleBatchArgs),
    /// Prove one batch with the sequential reference prover and write the final proof record.
    Prove(proving::ProveArgs),
    /// Check a final proof against a batch input and the pinned keys; exit 0 only if it holds.
    Verify(proving::VerifyArgs),
    /// Precompute or inspect setup data and verification keys.
    Keys(keys::KeysArgs),
    /// Aggregation mode over Kafka: users' proofs → one aggregated proof per run, with blobs and paths.
    /// (`-h` is the cluster host file, as in timely; `--help` prints help.)
    #[command(disable_help_flag = true)]
    Aggregate(aggregate::AggregateArgs),
    /// Aggregation mode: prove a sample user program and write a proof submission.
    UserProof(user::UserProofArgs),
    /// Fleet-scale orchestration measured with SIMULATED provers (nothing is proved): a workload's
    /// batches on the production path, beside in-memory yardsticks. (`-h` is the cluster host file.)
    #[command(disable_help_flag = true)]
    Simulate(simulate::SimulateArgs),
    /// Aggregation mode: aggregate submission files in one run (the sequential reference) and write the
    /// run record (aggregated proof, root, blobs, inclusion paths).
    AggregateFiles(user::AggregateFilesArgs),
    /// Print a proof's inclusion path in a run record (by proof id or commitment).
    Inclusion(user::InclusionArgs),
    /// Check an inclusion path against a root; exit 0 only if the proof is included.
    VerifyInclusion(user::VerifyInclusionArgs),
    /// Check a run record's wrapped aggregated proof (pairings) against its root and a cached wrapper
    /// key; exit 0 only if it holds.
    VerifyAggregate(user::VerifyAggregateArgs),
}

/// Options shared by every command that proves or verifies.
#[derive(Args, Debug, Clone)]
pub(crate) struct ProofOpts {
    /// Proof profile: `production` (100-bit) or `test` (few FRI queries; never for real use).
    #[arg(long, default_value = "production")]
    profile: ProfileKind,
    /// Children per leaf and node proof.
    #[arg(long, default_value_t = TreeShape::default().arity)]
    arity: usize,
    /// Node layers per circuit type (at least 1).
    #[arg(long, default_value_t = TreeShape::default().node_depth)]
    node_depth: u32,
    /// Requests per Poseidon2 basic circuit.
    #[arg(long, default_value_t = TreeShape::default().poseidon2_capacity)]
    poseidon2_capacity: usize,
    /// Requests per SHA-256 basic circuit.
    #[arg(long, default_value_t = TreeShape::default().sha256_capacity)]
    sha256_capacity: usize,
    /// Directory of the setup/VK cache [default: $ZKSTREAM_KEYS_DIR or ~/.cache/zkstream/keys].
    #[arg(long)]
    keys_dir: Option<PathBuf>,
    /// Prover threads [default: available cores].
    #[arg(long)]
    threads: Option<usize>,
    /// Protocol version the keys are for.
    #[arg(long, default_value_t = DEFAULT_PROTOCOL_VERSION)]
    protocol_version: u32,
}

impl ProofOpts {
    fn settings(&self) -> Result<ProofSettings> {
        let shape = TreeShape {
            poseidon2_capacity: self.poseidon2_capacity,
            sha256_capacity: self.sha256_capacity,
            arity: self.arity,
            node_depth: self.node_depth,
        };
        shape.validate()?;
        Ok(ProofSettings {
            profile: self.profile.profile(),
            shape,
            keys_dir: self.keys_dir.clone().unwrap_or_else(default_keys_dir),
            threads: self.threads.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            }),
        })
    }

    fn keystore(&self) -> Result<zkstream_prover::KeyStore> {
        let s = self.settings()?;
        Ok(zkstream_prover::KeyStore::open(
            Some(&s.keys_dir),
            s.profile,
            s.shape,
            self.protocol_version,
            s.threads,
        )?)
    }
}

/// Whether stderr carries JSON (`ZKSTREAM_LOG_FORMAT=json`).
pub(crate) fn json_logs() -> bool {
    std::env::var("ZKSTREAM_LOG_FORMAT").is_ok_and(|f| f == "json")
}

/// The log target of status lines: always shown, whatever `RUST_LOG` says.
const STATUS_TARGET: &str = "zkstream::status";

/// A status line on stderr (what a service built, a gap, an error): plain text, or with JSON logs an
/// event of target `zkstream::status` (level `error` for a failure, else `info`), so that every line on
/// stderr is JSON. Stdout carries only what a user asked for (summaries, paths, proofs).
pub(crate) fn status_line(error: bool, line: &str) {
    match (json_logs(), error) {
        (false, _) => eprintln!("{line}"),
        (true, false) => tracing::info!(target: STATUS_TARGET, "{line}"),
        (true, true) => tracing::error!(target: STATUS_TARGET, "{line}"),
    }
}

/// Logs go to stderr; the level comes from `RUST_LOG` (default `info`, boojum's internals at `warn`);
/// `ZKSTREAM_LOG_FORMAT=json` writes one JSON object per event, with its spans (batch, job) as fields,
/// and status lines as events too ([`status_line`]).
pub(crate) fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,boojum=warn"));
    let filter = match format!("{STATUS_TARGET}=info").parse() {
        Ok(directive) => filter.add_directive(directive),
        Err(_) => filter,
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json_logs() {
        builder
            .json()
            .with_current_span(true)
            .with_span_list(true)
            .try_init()
    } else {
        builder.try_init()
    };
}

/// The whole of `main`: resolver threads, logging, the command, its exit code. `backends` are the
/// proving backends the binary brings beside boojum's CPU prover.
pub fn main(backends: Backends) -> ExitCode {
    // Before anything builds a constraint system, and while still single-threaded.
    zkstream_prover::init_resolver_threads();
    init_logging();
    match run(&backends) {
        Ok(code) => code,
        Err(e) if may_pass(&e) => {
            status!(error: "error: {e:#}");
            status!(error: "(this may pass: restarting may help; exit status {EXIT_MAY_PASS})");
            ExitCode::from(EXIT_MAY_PASS)
        }
        Err(e) => {
            status!(error: "error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// The exit status of a service that stopped on an error a restart may mend (a store or broker away,
/// an address in use): sysexits' `EX_TEMPFAIL`, so a supervisor can restart on it and stay down on 1.
pub const EXIT_MAY_PASS: u8 = 75;

/// Whether `e` comes from a service error whose retry hint says a restart can help.
fn may_pass(e: &anyhow::Error) -> bool {
    use zkstream_dataflow::{service, user_proofs};
    e.chain().any(|cause| {
        cause
            .downcast_ref::<service::ServiceError>()
            .is_some_and(service::ServiceError::is_retryable)
            || cause
                .downcast_ref::<user_proofs::service::ServiceError>()
                .is_some_and(user_proofs::service::ServiceError::is_retryable)
    })
}

/// What `--version` prints: the version, and the protocol version the binary proves by default.
fn long_version() -> String {
    format!(
        "{}\nprotocol versions: {DEFAULT_PROTOCOL_VERSION} (the default; `[prover] protocol_version` \
         selects another, with a key set of its own)",
        env!("CARGO_PKG_VERSION")
    )
}

/// A drain on SIGTERM or SIGINT for the services (`run`, `demo`, `aggregate`); a second signal exits
/// at once.
pub(crate) fn shutdown_on_signals() -> Result<zkstream_dataflow::lifecycle::Shutdown> {
    use anyhow::Context;
    zkstream_dataflow::lifecycle::Shutdown::on_signals()
        .context("installing the SIGTERM and SIGINT handlers")
}

/// Parses the command line and runs the command.
fn run(backends: &Backends) -> Result<ExitCode> {
    use clap::{CommandFactory, FromArgMatches};
    // Built once per process: clap keeps a borrowed text.
    let version: &'static str = Box::leak(long_version().into_boxed_str());
    let matches = Cli::command().long_version(version).get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match cli.command {
        Command::Demo(a) => demo::run(a, backends),
        Command::Run(a) => run::run(a, backends),
        Command::Produce(a) => produce::run(a),
        Command::Inspect(a) => inspect::run(a),
        Command::BenchGpu(a) => gpu_bench::run(a, backends),
        Command::SampleBatch(a) => proving::sample_batch(a),
        Command::Prove(a) => proving::prove(a),
        Command::Verify(a) => proving::verify(a),
        Command::Keys(a) => keys::run(a),
        Command::Aggregate(a) => aggregate::run(a, backends),
        Command::Simulate(a) => simulate::run(a),
        Command::UserProof(a) => user::user_proof(a),
        Command::AggregateFiles(a) => user::aggregate_files(a),
        Command::Inclusion(a) => user::inclusion(a),
        Command::VerifyInclusion(a) => user::verify_inclusion_cmd(a),
        Command::VerifyAggregate(a) => user::verify_aggregate(a),
    }
}

/// A process's place in a timely cluster (`-n`, `-p`, `-h`, as timely's own examples take them).
#[derive(clap::Args, Debug)]
pub(crate) struct ClusterArgs {
    /// Processes in the timely cluster (each runs this same command with its own `-p`).
    #[arg(long, short = 'n', default_value_t = 1)]
    pub processes: usize,
    /// This process's index in the cluster, 0..N (process 0 reads, publishes and commits).
    #[arg(long, short = 'p', default_value_t = 0)]
    pub process: usize,
    /// The cluster's host file: one host:port per line, in process order (needed when -n > 1).
    #[arg(long = "hostfile", short = 'h')]
    pub hostfile: Option<std::path::PathBuf>,
}

impl ClusterArgs {
    /// The cluster this process is part of (`None`: a single process).
    pub fn cluster(&self) -> Result<Option<zkstream_dataflow::pipeline::Cluster>> {
        use anyhow::Context;
        match (&self.hostfile, self.processes) {
            (_, 0) => anyhow::bail!("-n must be at least 1"),
            (None, 1) if self.process == 0 => Ok(None),
            (None, _) => {
                anyhow::bail!("a cluster (-n > 1 or -p > 0) needs its host file (-h FILE)")
            }
            (Some(path), n) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("reading the host file {}", path.display()))?;
                Ok(Some(zkstream_dataflow::pipeline::Cluster::from_hostfile(
                    &text,
                    n,
                    self.process,
                )?))
            }
        }
    }
}

/// Reads a whole file with the path in the error.
pub(crate) fn read_file(path: &std::path::Path) -> Result<Vec<u8>> {
    use anyhow::Context;
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// Writes a whole file atomically (temporary file, then rename) with the path in the error.
pub(crate) fn write_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    use anyhow::Context;
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot rename onto {}", path.display()))
}
