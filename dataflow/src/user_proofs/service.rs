//! The user-proof service: the composition root of the user-proof mode (`zkstream aggregate`), and
//! its run loop as steps a caller (the command, a test) drives. From a [`Config`] it builds the
//! prover with the configured user-proof shape, the [`UserTreeService`] (a timely dataflow,
//! possibly over a cluster), the artifact store, the metrics, the submissions reader (`sources/`),
//! the dead-letter sink and the writer of run records.
//!
//! Each [`UserProofService::step`] reads at most one submission (refusing undecodable, invalid and
//! unsupported ones to the dead-letter topic with a reason), then runs at most one family that is due:
//! one with `max_proofs` valid proofs waiting, or every waiting family once `interval_s` has passed (or
//! a bounded service has read everything), one per step. A run aggregates one family (a run's circuits verify one
//! family's proofs): chunk proofs, the aggregate, the root re-check, blobs, inclusion paths. Its record
//! goes to `output_topic` (key = run number) and `out_dir`; offsets commit only after that. The leader
//! publishes under a fencing epoch taken at start (`zkstream_operators::fence`, scope `user-proofs`): a
//! leader started later for the same store fences it at its next claim, before a record or progress.
//!
//! Restart safety: a run's record is kept in the artifact store before it is published, and the run
//! number with its offsets is saved after — with the submissions past a partition's committed offset
//! that were already aggregated or refused (a run takes one family, possibly past a submission of
//! another still waiting); a restart skips those, republishes a stored record instead of proving the
//! same run again, and commits offsets a crash left uncommitted.
//!
//! Cluster: process 0 does all of the above; the runs' chunk and node proofs spread over the workers of
//! every process. [`start`] gives the other processes a [`Role::Member`]: their tree service only
//! proves, and returns when process 0 closes. Timely's cluster has a fixed membership, so a process
//! that stops stops the others' dataflow too: restart them together.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

use zkstream_operators::fence::{Claim, Fence, FenceError};
use zkstream_operators::pool::PoolObserver;
use zkstream_operators::store::{ArtifactStore, StoreError};
use zkstream_operators::user_tree::UserJob;
use zkstream_prover::field::{decode_vk, encode_vk, BVk};
use zkstream_prover::user::{program_id, user_commitment};
use zkstream_prover::wrap::{AggregateWrapper, CrsSource};
use zkstream_prover::{KeyStore, Prover, ProverError, UserFamily};
use zkstream_sinks::dlq::DeadLetter;
use zkstream_sinks::{DeadLetterSink, KafkaWriter, RetryPolicy, SinkError};
use zkstream_sources::{SourceError, SubmissionReader, SubmissionRecord};
use zkstream_types::{AggregationRecord, Framed, RejectReason, UserSubmission, WireError};

use super::{
    aggregate, check_submission, CheckedProof, RunError, RunProgress, TreeProving, UserTreeService,
};
use crate::config::{Config, UserProofsConfig};
use crate::gpu::{Backends, GpuError};
use crate::lifecycle::{Health, Ready, Shutdown, Watchdog};
use crate::metrics::{Metrics, MetricsError};
use crate::pipeline::Cluster;
use crate::slots::prover_slots;

/// Name of the progress record in the artifact store.
const PROGRESS: &str = "aggregation";
/// The fence scope of user-proof mode's leader (the batch pipeline's deliverer has its own).
pub const FENCE_SCOPE: &str = "user-proofs";

/// Why the service could not start, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Keys could not be opened.
    #[error("keys: {0}")]
    Keys(#[from] ProverError),
    /// A run failed (nothing of it was published).
    #[error(transparent)]
    Run(#[from] RunError),
    /// The artifact store failed.
    #[error("artifact store: {0}")]
    Store(#[from] StoreError),
    /// GPU slots were required and none could start.
    #[error(transparent)]
    Gpu(#[from] GpuError),
    /// The submissions topic could not be read or committed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// A dead letter or a run record could not be written.
    #[error(transparent)]
    Sink(#[from] SinkError),
    /// The metrics failed.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// A record could not be framed, or a registration decoded.
    #[error(transparent)]
    Wire(#[from] WireError),
    /// A process started later for this store took over (or the fence could not be read).
    #[error(transparent)]
    Fence(#[from] FenceError),
    /// The stored progress record is unreadable.
    #[error("the aggregation progress record (state/aggregation): {0}")]
    Progress(#[from] super::BadProgress),
    /// A registration embeds no key.
    #[error("a registration must embed its key")]
    NoKey,
    /// A registration's key does not decode.
    #[error("a registration's key does not decode: {0}")]
    BadKey(#[source] ProverError),
    /// A run record could not be written to `out_dir`.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// A thread of the service's own (the drain watchdog) could not start.
    #[error("starting a thread: {0}")]
    Thread(#[source] std::io::Error),
}

impl ServiceError {
    /// Whether trying again can help (a run is retried only then): store, broker and file faults may
    /// pass; keys, configuration, GPUs that will not start and undecodable records stay as they are.
    pub fn is_retryable(&self) -> bool {
        match self {
            ServiceError::Keys(e) | ServiceError::BadKey(e) => e.is_retryable(),
            ServiceError::Run(e) => e.is_retryable(),
            ServiceError::Store(e) => e.is_retryable(),
            ServiceError::Source(e) => e.is_retryable(),
            ServiceError::Sink(e) => e.is_retryable(),
            ServiceError::Gpu(e) => e.is_retryable(),
            ServiceError::Metrics(e) => e.is_retryable(),
            ServiceError::Wire(e) => e.is_retryable(),
            ServiceError::Fence(e) => e.is_retryable(),
            ServiceError::Io { .. } | ServiceError::Thread(_) => true,
            ServiceError::Progress(_) | ServiceError::NoKey => false,
        }
    }
}

/// What a caller adds to what the configuration says.
pub struct Options {
    /// Stop once the submissions present at start are handled (the last run takes what is left).
    pub bounded: bool,
    /// Serve metrics here (overrides `metrics.addr`).
    pub metrics_addr: Option<String>,
    /// This process's place in a timely cluster (`None`: a single process).
    pub cluster: Option<Cluster>,
    /// Where the service says what it built and did (one line each).
    pub say: Arc<dyn Fn(&str) + Send + Sync>,
    /// The drain request (`crate::lifecycle`): once it is set, [`UserProofService::step`] reads and
    /// starts nothing more and ends the service (what waits is not committed: it is read again on the
    /// next start). A run still proving after `[pipeline] drain_timeout_s` is abandoned and **the
    /// process exits with status 0**: its chunk and node proofs are in the store, and the next start
    /// reuses them. A [`Role::Member`] ignores it (it proves until process 0 closes); its caller
    /// arms the member's own drain timeout.
    pub shutdown: Shutdown,
}

/// This process's part.
pub enum Role {
    /// Process 0: reads, runs, publishes and commits.
    Leader(Box<UserProofService>),
    /// Another process of the cluster: its tree service proves chunks and nodes for process 0;
    /// [`UserTreeService::finish`] returns when process 0 closes.
    Member(UserTreeService),
}

/// A submission that passed the checks and waits for its family's run.
struct Pending {
    checked: CheckedProof,
    partition: i32,
    offset: i64,
}

/// A run that was published.
#[derive(Clone, Debug)]
pub struct Published {
    /// Its number.
    pub run: u64,
    /// The family it aggregated.
    pub family: UserFamily,
    /// Its record (as published).
    pub record: AggregationRecord,
}

/// What a service has done so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Runs published.
    pub published: usize,
    /// Submissions refused (dead letters).
    pub refused: usize,
    /// Chunk and node proofs this process made.
    pub proved: usize,
    /// Chunk and node proofs this process found stored and reused (after a restart).
    pub reused: usize,
}

/// What one step did.
#[derive(Clone, Debug, Default)]
pub struct Step {
    /// The submission read, if any, and why it was refused, if it was.
    pub read: Option<(i32, i64, Option<RejectReason>)>,
    /// The run published in this step, if one was due.
    pub published: Option<Published>,
    /// A bounded service has handled everything that was there at start: stop stepping.
    pub ended: bool,
}

/// The run loop of process 0 (see the module comment).
pub struct UserProofService {
    prover: Arc<Prover>,
    tree: UserTreeService,
    /// Wraps each run's aggregated proof (`[aggregation] wrap`).
    wrapper: Option<AggregateWrapper>,
    store: ArtifactStore,
    /// The epoch this leader publishes under: each run's record is claimed before it is written, and
    /// the progress before it is saved.
    fence: Fence,
    metrics: Arc<Metrics>,
    reader: SubmissionReader,
    dlq: DeadLetterSink,
    out: KafkaWriter,
    config: UserProofsConfig,
    /// Attempts at a run whose error is retryable, and the first wait between them.
    retry: (u32, Duration),
    bounded: bool,
    say: Arc<dyn Fn(&str) + Send + Sync>,
    run: u64,
    handled: BTreeSet<(i32, i64)>,
    pending: Vec<Pending>,
    /// Families due to run, one per step.
    due: VecDeque<UserFamily>,
    last_run: Instant,
    quiet_since: Instant,
    refused: usize,
    published: usize,
    shutdown: Shutdown,
    health: Arc<Health>,
    /// The drain clock; stopped when the service is dropped.
    _watchdog: Watchdog,
}

/// Builds user-proof mode from `config` (see the module comment).
pub fn start(config: &Config, options: Options, backends: &Backends) -> Result<Role, ServiceError> {
    let say = options.say;
    let a = config.aggregation.clone();
    let k = &config.kafka;
    let settings = config.proof_settings();
    // The drain clock from the start: a run still proving when it ends is abandoned (its chunk and
    // node proofs are stored; the next start reuses them).
    let watchdog = options
        .shutdown
        .watchdog(Duration::from_secs(config.pipeline.drain_timeout_s), || {
            std::process::exit(0)
        })
        .map_err(ServiceError::Thread)?;
    // Metrics, `/healthz` and `/readyz` from the start (process 0 serves them): keys take minutes.
    let health = Arc::new(Health::new(options.shutdown.clone()));
    let metrics = Arc::new(Metrics::new()?);
    metrics.set_build_info(config.prover.protocol_version, None);
    let leads = options.cluster.as_ref().is_none_or(|c| c.process == 0);
    if let Some(addr) = options
        .metrics_addr
        .as_ref()
        .or(config.metrics.addr.as_ref())
        .filter(|_| leads)
    {
        let bound = metrics.serve(addr, Arc::clone(&health))?;
        say(&format!(
            "metrics: http://{bound}/metrics (health: /healthz, /readyz)"
        ));
    }
    let keys = KeyStore::open(
        Some(&settings.keys_dir),
        settings.profile.clone(),
        settings.shape.clone(),
        config.prover.protocol_version,
        settings.threads,
    )?
    .with_user_shape(a.shape())?;
    let keys = Arc::new(keys);
    // The user-proof circuits' setups are computed when a run first needs them.
    metrics.keys_ready.set(1);
    health.set(Ready::Keys, true);
    // Every process of a cluster stores its chunk and node proofs in the one artifact store.
    let store = config.store.build()?;
    metrics.count_store_retries(&store);
    // GPU slots take the chunk and node circuits their backend supports; the CPU slots the rest.
    let slots = prover_slots(
        config,
        settings.threads,
        Arc::clone(&keys),
        store.clone(),
        &metrics,
        backends,
    )?;
    say(&format!("aggregate: {}", slots.gpu_summary));
    // Proofs run `slots` at a time and share the threads.
    let prover = Arc::new(Prover::new(keys, slots.threads_per_slot));
    let pool = slots
        .builder
        .observer(Arc::clone(&metrics) as Arc<dyn PoolObserver<UserJob>>)
        // A run is a few dozen chunk and node jobs, and its summary counts them all.
        .keep_records(usize::MAX)
        .start();
    let cluster = options.cluster.as_ref();
    if let Some(c) = cluster.filter(|c| c.addresses.len() > 1) {
        // Starting the dataflow waits until every process of the cluster has connected.
        say(&format!(
            "aggregate: process {} of {}: connecting to the cluster ({})",
            c.process,
            c.addresses.len(),
            c.addresses.join(", ")
        ));
    }
    let tree = UserTreeService::start(Arc::new(pool), config.pipeline.workers, cluster)?;
    health.set(Ready::Dataflow, true);
    if !tree.hosts_worker_0() {
        say(&format!(
            "aggregate: process {} of {}: proving chunks and nodes for process 0 ({})",
            cluster.map_or(0, |c| c.process),
            cluster.map_or(1, |c| c.addresses.len()),
            cluster
                .and_then(|c| c.addresses.first())
                .map(String::as_str)
                .unwrap_or("?")
        ));
        return Ok(Role::Member(tree));
    }
    // The epoch first, then the progress: a leader started earlier for this store publishes nothing
    // more from here on (it is fenced at its next claim), and writes no progress this one has not read.
    let fence = Fence::take(&store, FENCE_SCOPE)?;
    health.set(Ready::Store, true);
    say(&format!(
        "fence: publishing under epoch {} (a leader started later for this store takes over)",
        fence.epoch()
    ));
    // Where we are: the stored progress wins over older committed offsets (a crash after publishing).
    let progress = match store.get_state(PROGRESS)? {
        Some(bytes) => RunProgress::decode(&String::from_utf8_lossy(&bytes))?,
        None => RunProgress::default(),
    };
    let reader = SubmissionReader::open(
        &k.brokers,
        &a.topic,
        &a.group_id,
        &k.rdkafka,
        &progress.offsets,
    )?;
    let dlq = DeadLetterSink::new(
        KafkaWriter::new(&k.brokers, &k.rdkafka, RetryPolicy::default())?,
        &k.dlq_topic,
    );
    let out = KafkaWriter::new(&k.brokers, &k.rdkafka, RetryPolicy::default())?;
    // The reader fetched the group's committed offsets: the brokers answer.
    health.set(Ready::Broker, true);
    say(&format!(
        "aggregate: {} from {} (group {}), runs of up to {} proofs every {} s, last run {}",
        a.topic,
        k.brokers,
        a.group_id,
        a.max_proofs(),
        a.interval_s,
        progress.run
    ));
    let wrapper = match config.aggregation_crs() {
        Some(crs) => {
            say(&format!(
                "aggregate: each run's proof is SNARK-wrapped here, on process 0 (host file `wrap` \
                 tags do not apply; CRS {}; a family's wrap keys are prepared on its first run){}",
                match &crs {
                    CrsSource::Test => "test, tau = 42".to_string(),
                    CrsSource::File(p) => p.display().to_string(),
                },
                if crs == CrsSource::Test {
                    ": TEST CRS, wrapped proofs prove nothing"
                } else {
                    ""
                }
            ));
            Some(AggregateWrapper::new(crs, settings.threads)?)
        }
        None => None,
    };
    Ok(Role::Leader(Box::new(UserProofService {
        prover,
        tree,
        wrapper,
        store,
        fence,
        metrics,
        reader,
        dlq,
        out,
        config: a,
        retry: (
            config.pipeline.max_attempts,
            Duration::from_millis(config.pipeline.retry_backoff_ms),
        ),
        bounded: options.bounded,
        say,
        run: progress.run,
        handled: progress.handled,
        pending: Vec::new(),
        due: VecDeque::new(),
        last_run: Instant::now(),
        quiet_since: Instant::now(),
        refused: 0,
        published: 0,
        shutdown: options.shutdown,
        health,
        _watchdog: watchdog,
    })))
}

fn program_state(p: &[u8; 32]) -> String {
    format!("program-{}", hex::encode(p))
}

fn run_state(run: u64) -> String {
    format!("aggregation-run-{run}")
}

impl UserProofService {
    /// Registers the program of a framed submission that embeds its key: later submissions of that
    /// program may leave the key out. Returns the program id. (Register before the first
    /// [`Self::step`]: a submission read before its program is registered is refused.)
    pub fn register(&self, submission: &[u8]) -> Result<[u8; 32], ServiceError> {
        let sub = UserSubmission::from_frame(submission)?;
        let vk = decode_vk(&sub.vk.ok_or(ServiceError::NoKey)?).map_err(ServiceError::BadKey)?;
        let id = program_id(&vk);
        self.store.put_state(&program_state(&id), encode_vk(&vk)?)?;
        Ok(id)
    }

    /// What this process has done so far.
    pub fn counts(&self) -> Counts {
        let (proved, reused) = self.tree.proof_counts();
        Counts {
            published: self.published,
            refused: self.refused,
            proved,
            reused,
        }
    }

    /// Reads at most one submission, then runs at most one family that is due (see the module comment):
    /// when several are due at once, the next steps run the others, so a caller sees each run as soon
    /// as it is published.
    pub fn step(&mut self) -> Result<Step, ServiceError> {
        let mut step = Step::default();
        // Alive (`/healthz`) between runs; a run, hours long, is not watched.
        self.health.beat("aggregate");
        if self.shutdown.requested() {
            (self.say)(&format!(
                "aggregate: draining: {} waiting submission(s) are left for the next start",
                self.pending.len()
            ));
            self.health.stopped("aggregate");
            step.ended = true;
            return Ok(step);
        }
        if let Some(record) = self.reader.poll(Duration::from_millis(100))? {
            self.quiet_since = Instant::now();
            step.read = self.take(record)?;
        }
        let at_end = self.bounded
            && self.quiet_since.elapsed() > Duration::from_millis(500)
            && self.reader.caught_up();
        if self.due.is_empty() {
            // A run aggregates one family: the families with a full run waiting, or every waiting
            // family when the interval has passed (or at the end of a bounded service).
            let max = self.config.max_proofs();
            let mut by_family: BTreeMap<UserFamily, usize> = BTreeMap::new();
            for p in &self.pending {
                *by_family.entry(p.checked.family).or_default() += 1;
            }
            let all_due = !self.pending.is_empty()
                && (at_end
                    || self.last_run.elapsed() >= Duration::from_secs(self.config.interval_s));
            self.due = by_family
                .iter()
                .filter(|(_, n)| all_due || **n >= max)
                .map(|(f, _)| *f)
                .collect();
        }
        if let Some(family) = self.due.pop_front() {
            self.health.stopped("aggregate");
            step.published = Some(self.run_family(family)?);
            self.health.beat("aggregate");
            // The interval counts from the end of the last run that was due.
            if self.due.is_empty() {
                self.last_run = Instant::now();
            }
        } else if at_end {
            self.reader.commit(self.reader.position())?;
            self.health.stopped("aggregate");
            step.ended = true;
        }
        Ok(step)
    }

    /// Closes the tree service here and, with it, the other processes of the cluster.
    pub fn finish(self) -> Result<(), ServiceError> {
        Ok(self.tree.finish()?)
    }

    /// Checks one record: it waits for its family's run, or is refused to the dead-letter topic.
    fn take(
        &mut self,
        record: SubmissionRecord,
    ) -> Result<Option<(i32, i64, Option<RejectReason>)>, ServiceError> {
        let (partition, offset) = (record.partition, record.offset);
        if self.handled.contains(&(partition, offset)) {
            // Handled before a restart, past a submission that was still waiting.
            tracing::info!(partition, offset, "submission already handled");
            return Ok(None);
        }
        let store = &self.store;
        let registered = |p: &[u8; 32]| -> Option<BVk> {
            let bytes = store.get_state(&program_state(p)).ok()??;
            decode_vk(&bytes).ok()
        };
        let verdict = UserSubmission::from_frame(&record.payload)
            .map_err(|e| RejectReason::Undecodable(e.to_string()))
            .and_then(|sub| check_submission(&self.prover, &registered, &sub));
        match verdict {
            Ok(checked) => {
                self.pending.push(Pending {
                    checked,
                    partition,
                    offset,
                });
                self.metrics
                    .aggregation_waiting_proofs
                    .set(self.pending.len() as i64);
                Ok(Some((partition, offset, None)))
            }
            Err(reason) => {
                tracing::warn!(partition, offset, %reason, "submission refused");
                self.dlq.send(&DeadLetter {
                    topic: self.reader.topic(),
                    partition,
                    offset,
                    key: record.key.as_deref(),
                    payload: &record.payload,
                    reason: &reason.to_string(),
                })?;
                self.metrics.record_dead_letter(&reason);
                self.handled.insert((partition, offset));
                self.refused += 1;
                Ok(Some((partition, offset, Some(reason))))
            }
        }
    }

    /// Runs `family`: up to `max_proofs` of its waiting proofs, in arrival order; publishes the record,
    /// saves the progress, commits.
    fn run_family(&mut self, family: UserFamily) -> Result<Published, ServiceError> {
        self.run += 1;
        let run = self.run;
        let max = self.config.max_proofs();
        let (mut batch, mut rest) = (Vec::new(), Vec::new());
        for p in self.pending.drain(..) {
            if p.checked.family == family && batch.len() < max {
                batch.push(p);
            } else {
                rest.push(p);
            }
        }
        self.pending = rest;
        // In log order, not read order (partitions interleave differently after a restart): the same
        // submissions give the same leaves, chunks and keys, so a restarted run finds its stored proofs.
        batch.sort_by_key(|p| (p.partition, p.offset));
        let started = Instant::now();
        let (max_attempts, mut wait) = self.retry;
        let mut attempt = 1;
        let record = loop {
            match self.prove_or_reuse(run, &batch) {
                Ok(r) => break r,
                // A store fault may pass; what the failed attempt stored is reused by the next.
                Err(e) if e.is_retryable() && attempt < max_attempts => {
                    tracing::warn!(run, attempt, error = %e, ?wait, "run failed; retrying");
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(Duration::from_secs(30));
                    attempt += 1;
                }
                Err(e) => {
                    self.metrics.record_aggregation_run(false, batch.len(), 0.0);
                    return Err(e);
                }
            }
        };
        self.metrics
            .record_aggregation_run(true, batch.len(), started.elapsed().as_secs_f64());
        self.metrics
            .aggregation_waiting_proofs
            .set(self.pending.len() as i64);
        let frame = record.to_frame()?;
        self.fence.claim(Claim::Deliver(run))?;
        let epoch = self.fence.epoch().to_string();
        self.out.send(
            &self.config.output_topic,
            run,
            &run.to_be_bytes(),
            &frame,
            &[("zkstream-epoch", epoch.as_bytes())],
        )?;
        if let Some(dir) = &self.config.out_dir {
            write_atomically(&dir.join(format!("run-{run}.rec")), &frame)?;
        }
        // Offsets: everything read, except what still waits for a later run; what this run took past a
        // waiting submission is remembered, so a restart does not aggregate it again.
        self.handled
            .extend(batch.iter().map(|p| (p.partition, p.offset)));
        let waiting: Vec<(i32, i64)> = self
            .pending
            .iter()
            .map(|p| (p.partition, p.offset))
            .collect();
        let saved = RunProgress::after_run(run, self.reader.position(), &waiting, &self.handled);
        self.fence.claim(Claim::Progress(run))?;
        self.store
            .put_state(PROGRESS, saved.encode().into_bytes())?;
        self.handled = saved.handled;
        self.reader.commit(&saved.offsets)?;
        self.published += 1;
        Ok(Published {
            run,
            family,
            record,
        })
    }

    /// The run's record: reused from the store when a crash interrupted its publication (same proofs),
    /// otherwise proved now and stored before anything is published.
    fn prove_or_reuse(
        &mut self,
        run: u64,
        batch: &[Pending],
    ) -> Result<AggregationRecord, ServiceError> {
        let name = run_state(run);
        let mut wanted: Vec<[u8; 32]> = batch
            .iter()
            .map(|p| user_commitment(&p.checked.vk, &p.checked.proof))
            .collect();
        wanted.sort();
        if let Some(bytes) = self.store.get_state(&name)? {
            if let Ok(r) = AggregationRecord::from_frame(&bytes) {
                let mut have: Vec<[u8; 32]> = r.proofs.iter().map(|p| p.commitment).collect();
                have.sort();
                // A stored record without the wrap this service makes (none, or one under
                // another CRS) is wrapped now; its tree proofs are reused from the store.
                let wrapped_here = match (&self.wrapper, &r.wrap) {
                    (None, _) => true,
                    (Some(w), Some(made)) => w.made_under_this_crs(made),
                    (Some(_), None) => false,
                };
                if have == wanted && wrapped_here {
                    (self.say)(&format!(
                        "run {run}: republishing the stored record (nothing proved again)"
                    ));
                    return Ok(r);
                }
            }
        }
        let checked: Vec<CheckedProof> = batch.iter().map(|p| p.checked.clone()).collect();
        let record = aggregate(
            &self.prover,
            run,
            &checked,
            TreeProving::Dataflow(&mut self.tree),
            self.wrapper.as_ref(),
        )?;
        self.store.put_state(&name, record.to_frame()?)?;
        Ok(record)
    }
}

/// Writes a whole file through a temporary file and a rename, creating its directory.
fn write_atomically(path: &std::path::Path, bytes: &[u8]) -> Result<(), ServiceError> {
    let io = |source| ServiceError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}
