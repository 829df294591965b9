//! The batch service: the one composition root of the batch pipeline. From a [`Config`] it builds, in
//! order, the key store, the artifact store (and the delivery progress a restart resumes from), the
//! telemetry, the proof sinks, the dead-letter sink and the offset committer (process 0 only), the
//! delivery thread ([`crate::delivery`]), the prover pool with its GPU slots (and, for a run that
//! wraps, the wrap's keys and wrap slots: [`prepare_wrap`]), and the Kafka source; then
//! it runs the dataflow ([`crate::pipeline`]) until a bounded source is exhausted and hands back what
//! was delivered and proved.
//!
//! `zkstream run` calls [`run`] with the configuration file; `zkstream demo` calls the same function with
//! a configuration of its own (an embedded broker, a file sink) and adds a verifying sink and progress
//! bars through [`Options`]. So both deliver on the same path: verify, sinks in order, progress record,
//! offsets committed behind it.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zkstream_operators::chunk::Release;
use zkstream_operators::compress::WrapRecord;
use zkstream_operators::fence::Fence;
use zkstream_operators::order::OrderPolicy;
use zkstream_operators::pool::{FaultInjector, JobEnd, JobRecord, PoolObserver};
use zkstream_operators::store::StoreError;
use zkstream_prover::keys::{CircuitId, KeySource};
use zkstream_prover::wrap::{memory_per_wrap, CrsSource, WrapKeys, WrapperVk};
use zkstream_prover::{KeyStore, ProverError};
use zkstream_sinks::{
    CoreAccess, CoreHttpSink, DeadLetterSink, FileSink, KafkaProofSink, KafkaWriter, ProofSink,
    RetryPolicy, SinkError,
};
use zkstream_sources::{KafkaSourceConfig, LagProbe, OffsetCommitter, OffsetTracker, SourceError};
use zkstream_types::{AggregationRound, FinalBatchProof};

use crate::config::{Config, KafkaConfig, SinkConfig};

use crate::delivery::{
    DeliveryError, DeliveryProgress, DeliveryReport, DeliveryThread, FencedHook, Flusher, Outputs,
    Retention,
};
use crate::gpu::{Backends, GpuError};
use crate::lifecycle::{Health, Ready, Shutdown};
use crate::metrics::{Metrics, MetricsError};
use crate::pipeline::{self, Cluster, PipelineError, PipelineSpec};
use crate::slots::{prover_slots, Slots};
use crate::telemetry::{Telemetry, TelemetryError};

/// The fence scope of the batch pipeline's deliverer (user-proof mode has its own).
pub const FENCE_SCOPE: &str = "batches";

/// Why the service could not start, or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Keys could not be opened or prepared.
    #[error("keys: {0}")]
    Keys(#[from] ProverError),
    /// The artifact store failed.
    #[error("artifact store: {0}")]
    Store(#[from] StoreError),
    /// Metrics or views could not start.
    #[error(transparent)]
    Telemetry(#[from] TelemetryError),
    /// The metrics endpoint could not be served.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// A sink could not be built.
    #[error("sink: {0}")]
    Sink(#[from] SinkError),
    /// A Kafka client (committer, lag probe) could not be built.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// GPU slots were required and could not be had.
    #[error(transparent)]
    Gpu(#[from] GpuError),
    /// The delivery thread failed, or the progress record is unreadable.
    #[error(transparent)]
    Delivery(#[from] DeliveryError),
    /// The dataflow failed.
    #[error(transparent)]
    Pipeline(#[from] PipelineError),
    /// A thread of the service's own (the drain watchdog) could not start.
    #[error("starting a thread: {0}")]
    Thread(#[source] std::io::Error),
    /// More wrap slots were asked for than this machine's memory holds, or none on a process that
    /// takes wrap jobs.
    #[error("prover.wrap_slots: {0}")]
    WrapSlots(String),
}

impl ServiceError {
    /// Whether starting the service again can help: what may pass (a store or broker away, a sink
    /// fault, a worker lost) says yes; keys, configuration and GPUs that will not start say no. The
    /// binary's exit status says which (see `cli/src/lib.rs`).
    pub fn is_retryable(&self) -> bool {
        match self {
            ServiceError::Keys(e) => e.is_retryable(),
            ServiceError::Store(e) => e.is_retryable(),
            ServiceError::Telemetry(e) => e.is_retryable(),
            ServiceError::Metrics(e) => e.is_retryable(),
            ServiceError::Sink(e) => e.is_retryable(),
            ServiceError::Source(e) => e.is_retryable(),
            ServiceError::Gpu(e) => e.is_retryable(),
            ServiceError::Delivery(e) => e.is_retryable(),
            ServiceError::Pipeline(e) => e.is_retryable(),
            ServiceError::Thread(_) => true,
            ServiceError::WrapSlots(_) => false,
        }
    }
}

/// What a caller adds to what the configuration says.
pub struct Options {
    /// Timely worker threads (overrides `pipeline.workers`).
    pub workers: Option<usize>,
    /// Serve metrics here (overrides `metrics.addr`).
    pub metrics_addr: Option<String>,
    /// Stop once the records present at start are handled, instead of following the topic.
    pub bounded: bool,
    /// This process's place in a timely cluster (`None`: a single process). Process 0 delivers.
    pub cluster: Option<Cluster>,
    /// Resume from the delivery progress in the store (`run`); `false` starts at `kafka.start_batch`
    /// whatever the store says (the demo: its embedded broker is new each time).
    pub resume: bool,
    /// Keys already opened and prepared by the caller (else opened from `[prover]`).
    pub keys: Option<Arc<KeyStore>>,
    /// The wrap's keys, prepared by the caller for a run that wraps (else prepared from `[prover]`).
    pub wrap: Option<Arc<WrapKeys>>,
    /// Sinks fed before the configured ones (the demo's verifier: a proof it refuses reaches no other
    /// sink).
    pub sinks: Vec<Box<dyn ProofSink>>,
    /// Pool observers beside the metrics (the demo's progress bars).
    pub observers: Vec<Arc<dyn PoolObserver>>,
    /// Attempts that fail on purpose (chaos drills).
    pub faults: Option<FaultInjector>,
    /// How leaf/node chunks are released (zkSync's barrier only to compare).
    pub release: Release,
    /// Called after each batch reached every sink.
    pub on_delivered: Box<dyn Fn(&FinalBatchProof) + Send>,
    /// Called once, with the reason, when a process 0 started later for the same store fences this one:
    /// from then on this process delivers, dead-letters and commits nothing. `run` exits there.
    pub on_fenced: Option<FencedHook>,
    /// Where the service says what it built (keys, store, sinks, slots): one line each (default: the
    /// log).
    pub say: Arc<dyn Fn(&str) + Send + Sync>,
    /// The drain request (`crate::lifecycle`): once it is set the readers stop, the batches already
    /// read are delivered and the run returns; if that takes longer than `[pipeline]
    /// drain_timeout_s`, delivery is flushed and **the process exits with status 0**. A default
    /// `Shutdown` is set by no signal (tests, callers that stop by a bounded input).
    pub shutdown: Shutdown,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            workers: None,
            metrics_addr: None,
            bounded: false,
            cluster: None,
            resume: true,
            keys: None,
            wrap: None,
            sinks: Vec::new(),
            observers: Vec::new(),
            faults: None,
            release: Release::Streaming,
            on_delivered: Box::new(|_| {}),
            on_fenced: None,
            say: Arc::new(|line| tracing::info!("{line}")),
            shutdown: Shutdown::new(),
        }
    }
}

/// What a run delivered and proved.
pub struct BatchRun {
    /// What the delivery thread did (delivered, gaps, dead letters, commits, errors).
    pub report: DeliveryReport,
    /// The prover pool's jobs, with how they ended: every job of a bounded run; of a run that follows
    /// the topic, the most recent [`zkstream_operators::pool::DEFAULT_RECORDS_KEPT`].
    pub jobs: Vec<JobRecord>,
    /// CPU prover slots.
    pub slots: usize,
    /// Time in the dataflow.
    pub pipeline: Duration,
    /// Whether the run ended by a drain (SIGTERM): batches not read yet, and those in
    /// [`DeliveryReport::left`], are for the next start.
    pub drained: bool,
}

impl BatchRun {
    /// Jobs of `round` proved now (`reused: false`) or reused from the store (`true`).
    pub fn count(&self, round: AggregationRound, reused: bool) -> usize {
        self.jobs
            .iter()
            .filter(|r| r.key.round == round)
            .filter(|r| match r.end {
                JobEnd::Proved => !reused,
                JobEnd::Reused => reused,
                JobEnd::Failed { .. } => false,
            })
            .count()
    }

    /// Proofs generated (`reused: false`) or reused, over every round.
    pub fn total(&self, reused: bool) -> usize {
        AggregationRound::ALL
            .iter()
            .map(|r| self.count(*r, reused))
            .sum()
    }

    /// Whether every batch read was delivered: no gap, no final proof that failed its check, no sink
    /// error.
    pub fn complete(&self) -> bool {
        self.report.gaps.is_empty()
            && self.report.unverified.is_empty()
            && self.report.error.is_none()
    }

    /// What went wrong, one sentence each (empty: nothing did): gaps, final proofs that failed their
    /// check, a sink error, dead letters, and fewer than `expected` batches delivered if it is given.
    pub fn problems(&self, expected: Option<u64>) -> Vec<String> {
        let report = &self.report;
        let mut problems: Vec<String> = report
            .gaps
            .iter()
            .map(|(n, stage, reason)| format!("batch {n}: NOT proved ({stage}): {reason}"))
            .collect();
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
        // A drained run delivers what it read: the rest is for the next start.
        if let Some(expected) = expected.filter(|e| *e != delivered && !self.drained) {
            problems.push(format!("{delivered} of {expected} batches delivered"));
        }
        problems
    }
}

impl SinkConfig {
    /// The configured proof sinks, in delivery order: core, Kafka proofs topic, files.
    pub fn build(&self, kafka: &KafkaConfig) -> Result<Vec<Box<dyn ProofSink>>, SinkError> {
        let mut sinks: Vec<Box<dyn ProofSink>> = Vec::new();
        if let Some(core) = &self.core {
            sinks.push(Box::new(CoreHttpSink::with_access(
                &core.url,
                Duration::from_secs(core.timeout_s.max(1)),
                RetryPolicy {
                    initial: Duration::from_millis(core.backoff_ms),
                    max: Duration::from_millis(core.max_backoff_ms),
                    max_attempts: None,
                },
                CoreAccess {
                    token: core.token.as_ref().map(|t| t.expose().to_string()),
                    ca_file: core.ca_file.clone(),
                },
            )?));
        }
        if let Some(topic) = kafka.proofs_topic.as_deref().filter(|t| !t.is_empty()) {
            let writer = KafkaWriter::new(&kafka.brokers, &kafka.rdkafka, RetryPolicy::default())?;
            sinks.push(Box::new(KafkaProofSink::new(writer, topic)));
        }
        if let Some(file) = &self.file {
            sinks.push(Box::new(FileSink::new(&file.dir)?));
        }
        Ok(sinks)
    }
}

impl KafkaConfig {
    /// The dead-letter sink on `dlq_topic`.
    pub fn dead_letters(&self) -> Result<DeadLetterSink, SinkError> {
        let writer = KafkaWriter::new(&self.brokers, &self.rdkafka, RetryPolicy::default())?;
        Ok(DeadLetterSink::new(writer, &self.dlq_topic))
    }

    /// The group's offset committer on the batches topic, everything up to batch `delivered` settled.
    pub fn committer(&self, delivered: u64) -> Result<OffsetCommitter, SourceError> {
        OffsetCommitter::new(
            &self.brokers,
            &self.batches_topic,
            &self.group_id,
            &self.rdkafka,
            OffsetTracker::new(delivered),
        )
    }

    /// The reader of the batches topic from batch `start` on.
    pub fn source(&self, start: u64, bounded: bool, max_in_flight: u64) -> KafkaSourceConfig {
        let mut source = KafkaSourceConfig::new(&self.brokers, &self.batches_topic);
        source.group_id = self.group_id.clone();
        source.start_batch = start;
        source.bounded = bounded;
        source.poll_interval = Duration::from_millis(self.poll_interval_ms.max(1));
        source.rdkafka = self.rdkafka.clone();
        source.max_in_flight = Some(max_in_flight);
        source
    }
}

/// Computes or loads every setup and key of `keys`, circuit by circuit (counted in `metrics`'
/// `zkstream_keys_prepared` of `zkstream_keys_circuits` when given), and says how many were computed.
pub fn prepare_keys(
    keys: &KeyStore,
    say: &dyn Fn(&str),
    metrics: Option<&Metrics>,
) -> Result<(), ProverError> {
    let t = Instant::now();
    let circuits = CircuitId::all(keys.shape());
    if let Some(m) = metrics {
        m.keys_circuits.set(circuits.len() as i64);
        m.keys_prepared.set(0);
    }
    let mut computed = 0;
    for (i, id) in circuits.iter().enumerate() {
        let (_, source) = keys.get_with_source(*id)?;
        computed += usize::from(matches!(source, KeySource::Computed));
        if let Some(m) = metrics {
            m.keys_prepared.set(i as i64 + 1);
        }
    }
    say(&format!(
        "keys: {} circuits ready in {:.1} s ({computed} computed; profile {}, cache {})",
        circuits.len(),
        t.elapsed().as_secs_f64(),
        keys.profile().name,
        keys.dir()
            .map(|d| d.display().to_string())
            .unwrap_or_default()
    ));
    Ok(())
}

/// The memory a machine has for new work: `MemAvailable` of `/proc/meminfo`, in bytes (`None` where
/// the kernel does not say).
pub fn memory_available() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// This process's resident memory: `VmRSS` of `/proc/self/status`, in bytes (`None` where the
/// kernel does not say).
pub fn memory_resident() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = text.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// `MemAvailable` once the wrap's keys are loaded, plus what loading them took (`before`: this
/// process's resident memory before): [`memory_per_wrap`] is a whole wrap's peak, its keys included,
/// so what they hold already must not count twice.
pub fn memory_for_wraps(before: Option<u64>) -> Option<u64> {
    add_back(memory_available(), before, memory_resident())
}

/// `available` plus the growth of resident memory from `before` to `now` (none when either is
/// unknown).
fn add_back(available: Option<u64>, before: Option<u64>, now: Option<u64>) -> Option<u64> {
    let held = match (before, now) {
        (Some(b), Some(n)) => n.saturating_sub(b),
        _ => 0,
    };
    available.map(|free| free.saturating_add(held))
}

/// Refuses `slots` wrap slots of `per_slot` bytes each when `available` bytes do not hold them, and
/// says how many would fit.
pub fn check_wrap_memory(
    slots: usize,
    per_slot: u64,
    available: Option<u64>,
) -> Result<(), String> {
    let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
    match available {
        Some(free) if (slots as u64).saturating_mul(per_slot) > free => Err(format!(
            "{slots} wrap slot(s) need {:.1} GiB ({:.1} GiB each), and {:.1} GiB is available: \
             at most {} fit on this machine (send wraps to a machine with more memory)",
            gib(per_slot.saturating_mul(slots as u64)),
            gib(per_slot),
            gib(free),
            free / per_slot.max(1)
        )),
        _ => Ok(()),
    }
}

/// Prepares the wrap's keys for a run that wraps (`[prover] crs_file` or `test_crs`) on a process
/// that takes wrap jobs, and checks that it has wrap slots and that the machine's memory holds
/// `[prover] wrap_slots` wraps at once.
pub fn prepare_wrap(
    config: &Config,
    keys: &KeyStore,
    threads: usize,
    say: &dyn Fn(&str),
) -> Result<Option<Arc<WrapKeys>>, ServiceError> {
    let Some(crs) = config.prover.crs() else {
        return Ok(None);
    };
    if config.prover.wrap_slots == 0 {
        return Err(ServiceError::WrapSlots(
            "this process takes wrap jobs and has no wrap slot (every process of a cluster does, \
             unless the host file tags the ones that wrap with `wrap`)"
                .into(),
        ));
    }
    let t = Instant::now();
    let before = memory_resident();
    let wrap = WrapKeys::prepare(keys, &crs, threads)?;
    let per_slot = memory_per_wrap(wrap.domain());
    say(&format!(
        "wrap: wrapper key {} ({}, domain 2^{}, CRS {}) ready in {:.1} s; {} wrap slot(s) of ~{:.1} GiB{}",
        hex::encode(wrap.pinned.commitment),
        if wrap.source == zkstream_prover::wrap::keys::Source::Loaded { "cached" } else { "computed in part or whole" },
        wrap.domain().trailing_zeros(),
        wrap.crs_id,
        t.elapsed().as_secs_f64(),
        config.prover.wrap_slots,
        per_slot as f64 / (1u64 << 30) as f64,
        if wrap.test_crs() { "; TEST CRS: wrapped proofs prove nothing" } else { "" }
    ));
    check_wrap_memory(config.prover.wrap_slots, per_slot, memory_for_wraps(before))
        .map_err(ServiceError::WrapSlots)?;
    Ok(Some(Arc::new(wrap)))
}

/// What a process of a wrapping run that takes no wrap job knows of the wrap: on process 0, the
/// wrapper key it checks deliveries against (`WrapKeys::pin`: from the key cache, computed once when
/// absent) and the CRS's name; on the others nothing (they neither wrap nor finalize, since finalize
/// runs where the wrap ran: they only build the same graph, and a record made with their placeholder
/// would fail process 0's check).
fn pin_wrap(
    keys: &KeyStore,
    crs: &CrsSource,
    delivers: bool,
    threads: usize,
    say: &dyn Fn(&str),
) -> Result<(Option<WrapperVk>, String), ServiceError> {
    if !delivers {
        say("wrap: this process takes no wrap job (the host file tags the processes that do)");
        return Ok((None, "none: this process takes no wrap job".into()));
    }
    let t = Instant::now();
    let (vk, crs_id) = WrapKeys::pin(keys, crs, threads)?;
    say(&format!(
        "wrap: this process takes no wrap job (the host file tags the processes that do); wrapper \
         key {} ({crs_id}) pinned in {:.1} s{}",
        hex::encode(vk.commitment),
        t.elapsed().as_secs_f64(),
        if vk.test_crs {
            "; TEST CRS: wrapped proofs prove nothing"
        } else {
            ""
        }
    ));
    Ok((Some(vk), crs_id))
}

/// Builds the batch pipeline from `config` and `options` and runs it (see the module comment).
pub fn run(
    config: &Config,
    options: Options,
    backends: &Backends,
) -> Result<BatchRun, ServiceError> {
    let say = Arc::clone(&options.say);
    // Process 0 hosts worker 0, where the ordered stage and every hook run: only it delivers.
    let delivers = options.cluster.as_ref().is_none_or(|c| c.process == 0);
    let settings = config.proof_settings();
    // The drain clock from the start (a signal may come during a key setup of minutes). At its end
    // the delivery thread, once started, finishes what it holds; then the process leaves (exit 0:
    // the abandoned batches' records are not committed; the next start reads them again).
    let flusher: Arc<Mutex<Option<Flusher>>> = Arc::default();
    let watchdog = {
        let flusher = Arc::clone(&flusher);
        options
            .shutdown
            .watchdog(
                Duration::from_secs(config.pipeline.drain_timeout_s),
                move || {
                    let held = flusher.lock().unwrap_or_else(|p| p.into_inner()).take();
                    if held.is_some_and(|f| !f.flush(Duration::from_secs(30))) {
                        tracing::warn!("drain timeout: delivery did not catch up within 30 s");
                    }
                    std::process::exit(0);
                },
            )
            .map_err(ServiceError::Thread)?
    };
    // Metrics, `/healthz` and `/readyz` from the start: a key setup takes minutes.
    let health = Arc::new(Health::new(options.shutdown.clone()));
    let metrics = Arc::new(Metrics::new().map_err(TelemetryError::from)?);
    metrics.set_build_info(config.prover.protocol_version, None);
    if let Some(addr) = options
        .metrics_addr
        .as_ref()
        .or(config.metrics.addr.as_ref())
    {
        let bound = metrics.serve(addr, Arc::clone(&health))?;
        say(&format!(
            "metrics: http://{bound}/metrics (health: /healthz, /readyz)"
        ));
    }
    let served = options.metrics_addr.is_some() || config.metrics.addr.is_some();
    let keys = match options.keys {
        Some(keys) => keys,
        None => {
            let keys = Arc::new(KeyStore::open(
                Some(&settings.keys_dir),
                settings.profile.clone(),
                settings.shape.clone(),
                config.prover.protocol_version,
                settings.threads,
            )?);
            prepare_keys(&keys, &*say, Some(&metrics))?;
            keys
        }
    };
    // A process that takes wrap jobs holds the wrap's keys and slots; process 0, when it takes none
    // (a cluster whose host file tags the wrap processes), only the wrapper key deliveries are
    // checked against; the other processes neither.
    let wraps_here = options.cluster.as_ref().is_none_or(|c| c.wraps(c.process));
    let wrap = match options.wrap {
        Some(wrap) => Some(wrap),
        None if wraps_here => prepare_wrap(config, &keys, settings.threads, &*say)?,
        None => None,
    };
    let pinned = match (&wrap, config.prover.crs()) {
        (Some(w), _) => Some((Some(w.pinned.clone()), w.crs_id.clone())),
        (None, Some(crs)) => Some(pin_wrap(&keys, &crs, delivers, settings.threads, &*say)?),
        (None, None) => None,
    };
    let vk_set = keys.vk_set_commitment()?;
    metrics.set_build_info(config.prover.protocol_version, Some(&vk_set.to_hex()));
    metrics.keys_ready.set(1);
    health.set(Ready::Keys, true);

    let store = config.store.build()?;
    // The deliverer takes its epoch before it reads the progress: a process 0 that started earlier
    // for this store is fenced from here on, and writes no progress this one has not seen.
    let fence = if delivers {
        let fence = Fence::take(&store, FENCE_SCOPE).map_err(DeliveryError::from)?;
        say(&format!(
            "fence: delivering under epoch {} (a process 0 started later for this store takes over)",
            fence.epoch()
        ));
        Some(fence)
    } else {
        None
    };
    let progress = if options.resume {
        DeliveryProgress::load(&store)?
    } else {
        None
    };
    let k = &config.kafka;
    let start = progress
        .as_ref()
        .map(|p| p.batch_number + 1)
        .unwrap_or(k.start_batch)
        .max(k.start_batch);
    say(&format!(
        "store: {}; delivery starts at batch {start}{}",
        store.url(),
        if progress.is_some() {
            " (resuming after the last delivered batch)"
        } else {
            ""
        }
    ));

    health.set(Ready::Store, true);

    let telemetry = Telemetry::start(metrics, Arc::clone(&health), start)?;
    telemetry.metrics.count_store_retries(&store);

    let (sinks, dlq, committer) = if delivers {
        let mut sinks = options.sinks;
        sinks.extend(config.sink.build(k)?);
        (
            sinks,
            Some(k.dead_letters()?),
            Some(k.committer(start - 1)?),
        )
    } else {
        if let Some(c) = &options.cluster {
            say(&format!(
                "cluster: process {} of {}: proving only (process 0 delivers, dead-letters and commits)",
                c.process,
                c.addresses.len()
            ));
        }
        (Vec::new(), None, None)
    };
    if sinks.is_empty() && delivers {
        tracing::warn!("no proof sink configured: proofs are checked and counted, then dropped");
    }
    let names: Vec<String> = sinks.iter().map(|s| s.name().to_string()).collect();
    for n in &names {
        telemetry.metrics.declare_sink(n);
    }
    let delivery = DeliveryThread::start(
        Outputs {
            sinks,
            dlq,
            source_topic: k.batches_topic.clone(),
            committer,
            store: store.clone(),
            keys: Arc::clone(&keys),
            wrapper: pinned.as_ref().and_then(|(vk, _)| vk.clone()),
            telemetry: Some(Arc::clone(&telemetry)),
            allow_gaps: config.pipeline.allow_gaps,
            delivered: DeliveryProgress::resume(progress.as_ref(), start),
            fence,
            on_fenced: options.on_fenced,
            after_claim: None,
            retention: config.store.retention().map(|keep| Retention {
                keep,
                protocol_version: config.prover.protocol_version,
            }),
        },
        options.on_delivered,
    )?;

    let Slots {
        builder,
        cpu: slots,
        threads_per_slot,
        gpu_summary,
        ..
    } = prover_slots(
        config,
        settings.threads,
        Arc::clone(&keys),
        store,
        &telemetry.metrics,
        backends,
    )?;
    say(&format!("run: {gpu_summary}"));
    // A bounded run's summary counts every job; a run that follows the topic keeps the most recent
    // records only, so that its memory does not grow with every job.
    let records = if options.bounded {
        usize::MAX
    } else {
        zkstream_operators::pool::DEFAULT_RECORDS_KEPT
    };
    let mut pool = builder
        .observer(telemetry.observer(options.observers))
        .keep_records(records);
    if let Some(w) = &wrap {
        pool = pool.wrapper(Arc::clone(w), config.prover.wrap_slots);
        telemetry
            .metrics
            .set_prover_slots("wrap", config.prover.wrap_slots);
    }
    if let Some(f) = options.faults {
        pool = pool.faults(f);
    }
    let pool = Arc::new(pool.start());

    let mut source = k.source(
        start,
        options.bounded,
        config.pipeline.max_batches_in_flight,
    );
    source.delivered = progress
        .as_ref()
        .and_then(|p| p.delivered.clone())
        .map(Arc::new);
    // Process 0 leads a drain; another process's readers stop when process 0's drain reaches them
    // (`PipelineSpec::drain`). Its own signal only arms its drain timeout.
    source.stop = Some(if delivers {
        options.shutdown.flag()
    } else {
        Arc::new(AtomicBool::new(false))
    });
    let spec = PipelineSpec {
        workers: options.workers.unwrap_or(config.pipeline.workers).max(1),
        source,
        policy: OrderPolicy {
            start,
            allow_gaps: config.pipeline.allow_gaps,
        },
        release: options.release,
        anchor: progress.as_ref().map(|p| p.batch_commitment),
        cluster: options.cluster.clone(),
        health: Some(Arc::clone(&health)),
        drain: delivers.then(|| options.shutdown.flag()),
        wrap: pinned.as_ref().map(|(vk, crs_id)| WrapRecord {
            wrapper_vk_commitment: vk.as_ref().map(|v| v.commitment).unwrap_or_default(),
            crs: crs_id.clone(),
            test_crs: vk.as_ref().is_some_and(|v| v.test_crs),
            keep_fri_proof: config.prover.keep_fri_proof,
        }),
    };
    say(&format!(
        "run: {}{} worker(s), {} prover slot(s) x {} thread(s), sinks [{}], reading {} from {} (group {}){}",
        match &options.cluster {
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
        threads_per_slot,
        names.join(", "),
        k.batches_topic,
        k.brokers,
        k.group_id,
        if options.bounded { ", bounded" } else { "" }
    ));
    // Every process reports the partitions its readers hold back (and, by reading the group's lag,
    // whether the brokers answer); process 0 also reports the lag.
    let probe = LagProbe::new(&k.brokers, &k.batches_topic, &k.group_id, &k.rdkafka)?;
    let lag = telemetry.watch_lag(
        probe,
        delivers,
        spec.source.held.clone(),
        Duration::from_secs(5),
    );
    *flusher.lock().unwrap_or_else(|p| p.into_inner()) = Some(delivery.flusher());
    let started = Instant::now();
    let result = pipeline::run(&spec, Arc::clone(&pool), delivery.hooks());
    let report = delivery.finish()?;
    // Delivery is over: the drain timeout has nothing left to flush or abandon (and must not fire
    // during the linger below).
    flusher.lock().unwrap_or_else(|p| p.into_inner()).take();
    drop(watchdog);
    drop(lag);
    result?;
    // The last scrape should see the final counts (a bounded run ends right after its last batch).
    if served && config.metrics.linger_s > 0 {
        say(&format!(
            "metrics: serving the final counts for {} s",
            config.metrics.linger_s
        ));
        std::thread::sleep(Duration::from_secs(config.metrics.linger_s));
    }
    Ok(BatchRun {
        report,
        jobs: pool.records(),
        slots,
        pipeline: started.elapsed(),
        drained: options.shutdown.requested(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_slots_beyond_the_available_memory_are_refused_with_how_many_fit() {
        const GIB: u64 = 1 << 30;
        let test_profile = memory_per_wrap(1 << 20);
        let production = memory_per_wrap(1 << 22);
        assert!((4 * GIB..6 * GIB).contains(&test_profile));
        assert!((17 * GIB..20 * GIB).contains(&production));
        assert!(check_wrap_memory(1, production, Some(24 * GIB)).is_ok());
        let e = check_wrap_memory(2, production, Some(24 * GIB)).unwrap_err();
        assert!(e.contains("at most 1 fit"), "{e}");
        let e = check_wrap_memory(1, production, Some(16 * GIB)).unwrap_err();
        assert!(e.contains("at most 0 fit"), "{e}");
        assert!(check_wrap_memory(4, test_profile, Some(24 * GIB)).is_ok());
        // A kernel that does not say: no refusal on a guess.
        assert!(check_wrap_memory(8, production, None).is_ok());
        assert!(memory_available().is_some_and(|m| m > 0));
        assert!(memory_resident().is_some_and(|m| m > 0));
        // What loading the keys took counts as available to a wrap: 16 GiB free once 3 GiB of
        // keys are loaded hold a 17.7 GiB wrap.
        let loaded = add_back(Some(16 * GIB), Some(GIB), Some(4 * GIB));
        assert_eq!(loaded, Some(19 * GIB));
        assert!(check_wrap_memory(1, production, loaded).is_ok());
        assert!(check_wrap_memory(1, production, Some(16 * GIB)).is_err());
        assert_eq!(add_back(Some(GIB), None, Some(4 * GIB)), Some(GIB));
        assert_eq!(add_back(Some(GIB), Some(4 * GIB), Some(GIB)), Some(GIB));
        assert_eq!(add_back(None, Some(0), Some(GIB)), None);
        assert!(memory_for_wraps(memory_resident()).is_some());
    }

    #[test]
    fn a_process_that_wraps_needs_a_wrap_slot() {
        let mut config: Config = toml::from_str(
            "[kafka]\nbrokers = \"b\"\n[prover]\nprofile = \"test\"\ntest_crs = true\n",
        )
        .unwrap();
        config.prover.wrap_slots = 0;
        let keys = KeyStore::open(
            None,
            zkstream_prover::ProofProfile::test(),
            Default::default(),
            1,
            1,
        )
        .unwrap();
        let e = prepare_wrap(&config, &keys, 1, &|_| {}).err().unwrap();
        assert!(matches!(e, ServiceError::WrapSlots(_)), "{e}");
        assert!(e.to_string().contains("tags the ones that wrap"), "{e}");
        assert!(!e.is_retryable());
    }
}
