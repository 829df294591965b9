//! The simulation service: `zkstream simulate`'s composition root. It runs simulated batches on the
//! production path — batch shapes produced to Kafka (the embedded broker or a real one), the Kafka
//! reader, the dataflow, the prover pool (with simulated jobs: `operators/src/simulated.rs`), the
//! artifact store, the ordered sink stage and offset commits — and measures the orchestration against
//! yardsticks computed in memory over the same graphs and modeled durations (`fleet/`).
//!
//! **Nothing here proves anything.** Each delivered [`SimulatedRecord`] is checked against the tree hash
//! its batch's shape gives (`fleet::check_record`): that shows every job of the tree was wired into its
//! parent exactly once, not that anything was computed.
//!
//! A continuous stream (`rate`) is modeled by the batches' arrival times: every shape is on the topic
//! before the run (so the reader runs in bounded mode and the run ends), and the simulate operator
//! starts batch `n` no earlier than `(n - 1) / rate` modeled hours after the stream's origin: when
//! worker 0 (which takes every record from the readers) took the first batch, carried by every batch
//! (`StreamedBatch`), so that in a cluster every process counts from the same instant. The yardsticks see the same arrivals
//! ([`zkstream_fleet::BatchGraph::stream`]).
//!
//! Beside the batch service's path it leaves out what a simulated record has no use for: the chain
//! check (a shape has no commitment), the sinks and the delivery thread (a record is checked and
//! counted where it is delivered, and offsets are committed there). In a cluster a batch's jobs spread
//! over every process's pool (`SimulationSpec::spread`); in one process they all go to its one pool.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use timely::dataflow::operators::vec::{Broadcast, Map};
use timely::dataflow::operators::{Exchange, Inspect};
use zkstream_fleet::{
    check_record, lower_bound, offline_schedule, release_schedule, BatchGraph, Workload,
};
use zkstream_operators::order::OrderPolicy;
use zkstream_operators::pool::{JobEnd, PoolConfig, PoolObserver, Schedule};
use zkstream_operators::simulated::{
    unix_ns_now, BatchTimes, SimulateExt, SimulatedJob, SimulationSpec, StreamedBatch,
};
use zkstream_operators::store::{ArtifactStore, StoreError};
use zkstream_operators::{Delivery, ProverPool};
use zkstream_prover::{KeyStore, ProofProfile, ProverError, SlotKind, TreeShape};
use zkstream_sources::{
    kafka::produce_frames, kafka_records, EmbeddedBroker, InFlightGate, KafkaSourceConfig,
    OffsetCommitter, OffsetTracker, SourceError,
};
use zkstream_types::{DecodedSimulated, Release, SimulatedRecord};

use crate::pipeline::{timely_config, Cluster};

/// Partitions of a simulation's batches topic.
pub const TOPIC_PARTITIONS: i32 = 4;

/// What to simulate.
#[derive(Clone, Debug)]
pub struct SimulationConfig {
    /// The workload: the batches' shapes and the jobs' modeled durations.
    pub workload: Workload,
    /// Prover slots (each a thread that sleeps its jobs' durations).
    pub slots: usize,
    /// Timely worker threads.
    pub workers: usize,
    /// Real seconds per modeled second.
    pub time_scale: f64,
    /// When a job is released.
    pub release: Release,
    /// Batches to run (numbered from 1).
    pub batches: u64,
    /// Batches per modeled hour (a continuous stream); `None`: all at once.
    pub rate: Option<f64>,
    /// Seed of the durations' jitter.
    pub seed: u64,
    /// A Kafka broker (`None`: an embedded one).
    pub brokers: Option<String>,
    /// The artifact store (`None`: a temporary directory, removed afterwards).
    pub store: Option<String>,
    /// Batches admitted into the dataflow beyond the last one delivered (backpressure).
    pub max_in_flight: u64,
    /// This process's place in a timely cluster (`None`: one process).
    pub cluster: Option<Cluster>,
    /// Names the run's topic, consumer group and store prefix (`None`: a new name). The processes of a
    /// cluster share it.
    pub run_id: Option<String>,
    /// Whether this process creates the topic and produces the batches' shapes (a cluster's launcher
    /// does it once, before it starts the processes).
    pub produce: bool,
}

/// Why a simulation could not run.
#[derive(Debug, thiserror::Error)]
pub enum SimulationError {
    /// The broker, the producer or the committer failed.
    #[error(transparent)]
    Source(#[from] SourceError),
    /// The artifact store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The pool's (never computed) keys could not be opened.
    #[error(transparent)]
    Keys(#[from] ProverError),
    /// The workload is impossible.
    #[error(transparent)]
    Workload(#[from] zkstream_fleet::WorkloadError),
    /// A timely worker failed.
    #[error("dataflow: {0}")]
    Dataflow(String),
    /// A local directory for the store could not be made.
    #[error("temporary store directory: {0}")]
    TempDir(std::io::Error),
}

/// The figures of one run (modeled seconds for makespans and latencies, real milliseconds for
/// hand-offs).
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct RunFigures {
    /// The release rule.
    pub release: String,
    /// Jobs run.
    pub jobs: usize,
    /// A cluster's jobs run, by process (a batch's jobs spread over every process's pool); one
    /// process: `[jobs]`.
    #[serde(default)]
    pub jobs_per_process: Vec<usize>,
    /// By process, how many batches it ran jobs of.
    #[serde(default)]
    pub batches_per_process: Vec<usize>,
    /// Prover slots.
    pub slots: usize,
    /// From the stream's origin (the first batch taken from the readers; the first job queued where
    /// that is earlier) to the last job done: what lies between the first read and the first job
    /// queued (the exchange to the batch's owner, the `AwaitEveryWorker` gate, building its graph)
    /// counts, as the yardsticks count from the stream's start.
    pub makespan_s: f64,
    /// The lower bound of the run's own graphs and durations.
    pub lower_bound_s: f64,
    /// The offline critical-path-first schedule of the same graphs.
    pub offline_makespan_s: f64,
    /// The same graphs released by this run's rule, in memory (what the run should approach).
    pub modeled_makespan_s: f64,
    /// Records delivered (trees) and how many of them checked.
    pub trees_total: usize,
    /// Delivered records whose tree hash is the one their shape gives.
    pub trees_verified: usize,
    /// Batches with no record (gaps).
    pub gaps: usize,
    /// Job ready (or slot free, whichever is later) to job started, real ms.
    pub handoff_p50_ms: f64,
    /// The same, 99th percentile (a cluster's launcher reports the largest of its processes').
    pub handoff_p99_ms: f64,
    /// The 99th percentile over the jobs each slot took after its first (a cluster's launcher reports
    /// the largest of its processes'). At a run's start every idle slot is woken at once; where slots
    /// outnumber the machine's cores, their first jobs wait for those slot-thread wake-ups, and they
    /// alone can make up the whole 99th percentile.
    #[serde(default)]
    pub handoff_later_p99_ms: f64,
    /// Process CPU time per job (user + system), µs: the coordinator and the in-process simulated
    /// provers' own work (their artifact I/O) together.
    pub cpu_us_per_job: f64,
    /// The same without the artifact store's I/O threads (the reads and writes a remote prover would
    /// make on its own machine): the dataflow, the Kafka clients, the pool's queue and slots, µs.
    pub coordinator_cpu_us_per_job: f64,
    /// Process CPU time over the run (user + system), µs.
    pub cpu_us: f64,
    /// The same without the store's I/O threads, µs.
    pub coordinator_cpu_us: f64,
    /// Jobs per real second over the run.
    pub jobs_per_s: f64,
    /// Peak resident memory of the process so far, MiB (after the run: the yardsticks computed over
    /// its graphs count too).
    pub peak_rss_mb: f64,
    /// Resident memory during the run, sampled every half second of real time: `[modeled s since
    /// the run started, MiB]`. In fixed space: past 2,048 samples every other one is dropped and the
    /// interval doubles.
    #[serde(default)]
    pub rss_trace: Vec<[f64; 2]>,
    /// The run's own peak, MiB (read every 50 ms during the run), without the yardsticks.
    #[serde(default)]
    pub rss_run_peak_mb: f64,
    /// The median sample of the trace's last third less the median of its middle third, MiB
    /// ([`rss_growth`]): about 0 when memory is flat once warm (a leak grows it with the run's
    /// length).
    #[serde(default)]
    pub rss_growth_mb: f64,
    /// Object-store calls.
    pub store_operations: u64,
    /// Slot-time busy over slots × makespan.
    pub utilisation: f64,
    /// Batch latency, p50, modeled s: from the batch's first job queued (its arrival at the pool) to its
    /// last job done. Time a record waits at the reader's in-flight gate is not in it.
    pub batch_latency_p50_s: f64,
    /// Batch latency p99, modeled s.
    pub batch_latency_p99_s: f64,
    /// Each batch's latency (modeled s), by batch: those whose batch this process owned. A cluster's
    /// launcher takes the percentiles over every process's.
    #[serde(default)]
    pub batch_latencies_s: BTreeMap<u64, f64>,
    /// Batches per modeled hour over the run.
    pub throughput_per_h: f64,
    /// Offsets committed at the end, per partition.
    pub committed: BTreeMap<i32, i64>,
    /// Each delivered record's tree hash, by batch (hex), to compare runs.
    pub tree_hashes: BTreeMap<u64, String>,
    /// When this process's span starts (the stream's origin on process 0, else its first job
    /// queued) and its last job was done (UNIX seconds): a cluster's launcher takes the makespan over
    /// all processes from these.
    pub first_queued_unix_s: f64,
    /// See [`RunFigures::first_queued_unix_s`].
    pub last_finished_unix_s: f64,
}

/// The yardsticks of a run's graphs on `slots` slots, computed in memory (modeled seconds).
#[derive(Clone, Copy, Debug)]
pub struct Yardsticks {
    /// No orchestrator can finish earlier.
    pub lower_bound_s: f64,
    /// The offline critical-path-first list schedule.
    pub offline_makespan_s: f64,
    /// The graphs released by the run's rule, each free slot taking the pool's choice.
    pub modeled_makespan_s: f64,
}

impl Yardsticks {
    /// Over every batch's graph at once, batch `i` (from 0) arriving at `i × interval_s` modeled
    /// seconds (0: all at the start).
    pub fn of(graphs: &[BatchGraph], interval_s: f64, slots: usize, release: Release) -> Self {
        let all = BatchGraph::stream(graphs, interval_s);
        Yardsticks {
            lower_bound_s: lower_bound(&all, slots).lower_bound_s,
            offline_makespan_s: offline_schedule(&all, slots).makespan_s,
            modeled_makespan_s: release_schedule(&all, slots, release).makespan_s,
        }
    }
}

impl SimulationConfig {
    /// Modeled seconds between two batches' arrivals: `3600 / rate`, or 0 without a rate.
    pub fn arrival_interval_s(&self) -> f64 {
        self.rate.map_or(0.0, |r| 3600.0 / r)
    }
}

/// What a run is measured by, kept as it goes in fixed space (per batch, a histogram), so that a long
/// stream's memory measures the orchestration, not the measurement.
#[derive(Default)]
struct Tally(Mutex<TallyState>);

#[derive(Default)]
struct TallyState {
    /// Hand-offs (job released, or slot free, to job started): a histogram, 10-µs buckets below
    /// 10 ms, then 1-ms buckets.
    handoffs: Vec<u64>,
    /// The same, of the jobs each slot took after its first.
    later_handoffs: Vec<u64>,
    jobs: usize,
    busy: Duration,
    first: Option<Instant>,
    last: Option<Instant>,
    /// The batches this process ran jobs of.
    batches: std::collections::BTreeSet<u64>,
}

thread_local! {
    static SLOT_FREE_AT: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
}

fn handoff_bucket(us: u64) -> usize {
    if us < 10_000 {
        (us / 10) as usize
    } else {
        1_000 + (us / 1_000).min(100_000) as usize
    }
}

fn bucket_ms(b: usize) -> f64 {
    if b < 1_000 {
        (b as f64 * 10.0 + 5.0) / 1e3
    } else {
        (b - 1_000) as f64 + 0.5
    }
}

/// The `p` percentile of a hand-off histogram, ms (0 when it is empty).
fn handoff_percentile(histogram: &[u64], p: f64) -> f64 {
    let total: u64 = histogram.iter().sum();
    if total == 0 {
        return 0.0;
    }
    let rank = ((total as f64 - 1.0) * p).round() as u64;
    let mut seen = 0;
    for (b, n) in histogram.iter().enumerate() {
        seen += n;
        if seen > rank {
            return bucket_ms(b);
        }
    }
    0.0
}

/// Counts a hand-off of `us` µs in a histogram.
fn count_handoff(histogram: &mut Vec<u64>, us: u64) {
    let b = handoff_bucket(us);
    if histogram.len() <= b {
        histogram.resize(b + 1, 0);
    }
    histogram[b] += 1;
}

impl Tally {
    fn state(&self) -> std::sync::MutexGuard<'_, TallyState> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl PoolObserver<SimulatedJob> for Tally {
    fn queued(&self, _job: &SimulatedJob) {
        let now = Instant::now();
        let mut t = self.state();
        t.first.get_or_insert(now);
    }
    fn started(&self, job: &SimulatedJob, attempt: u32, _waited: Duration) {
        if attempt != 1 {
            return;
        }
        let now = Instant::now();
        let free_at = SLOT_FREE_AT.with(|f| f.get());
        let from = free_at.map_or(job.ready, |f| f.max(job.ready));
        let us = now.saturating_duration_since(from).as_micros() as u64;
        let mut t = self.state();
        count_handoff(&mut t.handoffs, us);
        if free_at.is_some() {
            count_handoff(&mut t.later_handoffs, us);
        }
    }
    fn finished(&self, job: &SimulatedJob, _end: &JobEnd, took: Duration, _slot: SlotKind) {
        let now = Instant::now();
        SLOT_FREE_AT.with(|f| f.set(Some(now)));
        let mut t = self.state();
        t.jobs += 1;
        t.busy += took;
        t.last = Some(now);
        t.batches.insert(job.key.batch);
    }
}

/// The p50 and p99 of batch latencies (0 where there are none).
pub fn latency_percentiles(latencies: &BTreeMap<u64, f64>) -> (f64, f64) {
    let mut sorted: Vec<f64> = latencies.values().copied().collect();
    sorted.sort_by(f64::total_cmp);
    (percentile(&sorted, 0.5), percentile(&sorted, 0.99))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// Process CPU time (user + system) so far, from `/proc/self/stat` (0 where there is none).
fn process_cpu() -> Duration {
    zkstream_operators::store::cpu_of_stat("/proc/self/stat")
}

/// Peak resident memory so far, MiB (`VmHWM`; 0 where there is none).
pub fn peak_rss_mb() -> f64 {
    status_kb("VmHWM:").map_or(0.0, |kb| kb / 1024.0)
}

/// Resident memory now, MiB (`VmRSS`; 0 where there is none).
pub fn rss_mb() -> f64 {
    status_kb("VmRSS:").map_or(0.0, |kb| kb / 1024.0)
}

fn status_kb(field: &str) -> Option<f64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(field))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
}

/// Most samples an RSS trace keeps before it halves itself.
const RSS_SAMPLES: usize = 2048;

/// Samples the resident memory on a thread of its own until stopped.
struct RssSampler {
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<(Vec<[f64; 2]>, f64)>>,
}

impl RssSampler {
    /// Starts sampling: a trace point every half second (times in modeled seconds, `time_scale` real
    /// seconds per modeled second), and the peak over a reading every 50 ms, which the trace's
    /// thinning cannot drop.
    fn start(time_scale: f64) -> Self {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("rss-sampler".into())
            .spawn(move || {
                let started = Instant::now();
                let mut every = Duration::from_millis(500);
                let mut trace: Vec<[f64; 2]> = Vec::new();
                let mut next = started;
                let mut peak = 0.0f64;
                // A reading before the first look at `stopped`: even a run stopped at once has one.
                loop {
                    let now = Instant::now();
                    let rss = rss_mb();
                    peak = peak.max(rss);
                    if now >= next {
                        let at = now.duration_since(started).as_secs_f64() / time_scale;
                        trace.push([at, rss]);
                        if trace.len() >= RSS_SAMPLES {
                            trace = trace.into_iter().step_by(2).collect();
                            every *= 2;
                        }
                        next = now + every;
                    }
                    if stopped.load(std::sync::atomic::Ordering::Relaxed) {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(50));
                }
                (trace, peak)
            })
            .ok();
        RssSampler { stop, thread }
    }

    /// Stops sampling and returns the trace and the peak (empty and 0 where the thread could not
    /// start).
    fn finish(mut self) -> (Vec<[f64; 2]>, f64) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        self.thread
            .take()
            .and_then(|t| t.join().ok())
            .unwrap_or_default()
    }
}

/// A run that ends early (an error) stops its sampler too.
impl Drop for RssSampler {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// How much the run's memory grew once warm, MiB: the median sample of the trace's last third less
/// the median of its middle third (the first third is the warm-up). About 0 when memory is flat; a
/// leak grows it with the run's length; a spike, early or late, moves neither median (comparing
/// peaks, an early spike hid a later rise).
pub fn rss_growth(trace: &[[f64; 2]]) -> f64 {
    let n = trace.len();
    if n < 3 {
        return 0.0;
    }
    let median = |s: &[[f64; 2]]| {
        let mut v: Vec<f64> = s.iter().map(|p| p[1]).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    median(&trace[2 * n / 3..]) - median(&trace[n / 3..2 * n / 3])
}

/// Runs one simulation on the production path and measures it.
pub fn run(config: &SimulationConfig) -> Result<RunFigures, SimulationError> {
    config.workload.check()?;
    let run_id = config.run_id.clone().unwrap_or_else(new_run_id);
    // The broker: embedded (it lives on this thread) or the one given.
    let embedded = match &config.brokers {
        Some(_) => None,
        None => Some(EmbeddedBroker::start()?),
    };
    let brokers = match (&config.brokers, &embedded) {
        (Some(b), _) => b.clone(),
        (None, Some(e)) => e.bootstrap_servers(),
        (None, None) => unreachable!("an embedded broker was started"),
    };
    let topic = topic_of(&run_id);
    if config.produce {
        if let Some(e) = &embedded {
            e.create_topic(&topic, TOPIC_PARTITIONS)?;
        }
        produce_shapes(&brokers, &topic, config)?;
    }

    // The store: a fresh prefix per run, so that nothing is reused from another run.
    let (store, temp) = match &config.store {
        Some(url) => (
            ArtifactStore::open(&format!("{}/{run_id}", url.trim_end_matches('/')))?,
            None,
        ),
        None => {
            let dir = tempfile::Builder::new()
                .prefix("zkstream-simulate-")
                .tempdir()
                .map_err(SimulationError::TempDir)?;
            (ArtifactStore::local(dir.path())?, Some(dir))
        }
    };
    let keys = KeyStore::open(None, ProofProfile::test(), TreeShape::default(), 1, 1)?;
    let pool_config = PoolConfig {
        slots: config.slots.max(1),
        threads_per_slot: 1,
        max_attempts: 5,
        backoff: Duration::from_millis(50),
        schedule: Schedule::Latency,
    };
    let tally = Arc::new(Tally::default());
    let pool = Arc::new(
        ProverPool::<SimulatedJob>::builder(Arc::new(keys), store.clone(), pool_config)
            .observer(Arc::clone(&tally) as Arc<dyn PoolObserver<SimulatedJob>>)
            .start(),
    );
    let group = format!("zkstream-simulate-{run_id}");
    let committer = Arc::new(Mutex::new(OffsetCommitter::new(
        &brokers,
        &topic,
        &group,
        &BTreeMap::new(),
        OffsetTracker::new(0),
    )?));
    let delivered: Arc<Mutex<Vec<Delivery<SimulatedRecord>>>> = Arc::default();

    let mut source = KafkaSourceConfig::new(&brokers, &topic);
    source.group_id = group;
    source.bounded = true;
    source.max_in_flight = Some(config.max_in_flight.max(1));
    source.hold_at_release = true;
    let spec = SimulationSpec {
        workload: Arc::new(config.workload.clone()),
        seed: config.seed,
        time_scale: config.time_scale,
        release: config.release,
        arrival_interval: config
            .rate
            .map(|_| Duration::from_secs_f64(config.arrival_interval_s() * config.time_scale)),
        spread: config
            .cluster
            .as_ref()
            .is_some_and(|c| c.addresses.len() > 1),
        batch_times: BatchTimes::default(),
        dispatch_fuel: zkstream_operators::simulated::DISPATCH_FUEL,
    };
    let batch_times = spec.batch_times.clone();
    let timely_config = timely_config(config.cluster.as_ref(), config.workers);
    let cpu_before = process_cpu();
    let store_cpu_before = store.io_cpu();
    let ops_before = store.operations();
    let sampler = RssSampler::start(config.time_scale);
    let started = Instant::now();
    let started_unix = unix_now();
    // The stream's origin: taken by worker 0 of process 0, which takes every record from the readers.
    let stream_origin: Arc<OnceLock<(u64, Instant)>> = Arc::default();
    let o = Arc::clone(&stream_origin);
    let (p, c, d) = (
        Arc::clone(&pool),
        Arc::clone(&committer),
        Arc::clone(&delivered),
    );
    let guards = timely::execute(timely_config, move |worker| -> Result<(), String> {
        let (pool, committer, delivered) = (Arc::clone(&p), Arc::clone(&c), Arc::clone(&d));
        let (source, spec) = (source.clone(), spec.clone());
        let origin = Arc::clone(&o);
        worker.dataflow::<u64, _, _>(move |scope| -> Result<(), String> {
            let gate = InFlightGate::new(1);
            let streams = kafka_records::<DecodedSimulated>(scope, source, gate.clone())
                .map_err(|e| e.to_string())?;
            let lock = lock_committer;
            let on_mark = Arc::clone(&committer);
            streams
                .marks
                .exchange(|_| 0)
                .inspect(move |m| lock(&on_mark).tracker().read(*m));
            let on_reject = Arc::clone(&committer);
            streams.rejected.exchange(|_| 0).inspect(move |r| {
                tracing::warn!(reason = %r.reason, partition = r.raw.partition, offset = r.raw.offset, "simulated record refused");
                lock(&on_reject)
                    .tracker()
                    .dead_lettered(r.raw.partition, r.raw.offset);
            });
            let on_accept = Arc::clone(&committer);
            // The stream's origin: when worker 0 took the first batch from the readers. Every batch
            // carries it, so the owners in every process count arrivals from the same instant.
            let batches = streams
                .records
                .exchange(|_| 0)
                .inspect(move |d| {
                    lock(&on_accept)
                        .tracker()
                        .accepted(d.raw.partition, d.raw.offset)
                })
                .map(move |d| StreamedBatch {
                    batch: d.batch,
                    origin_unix_ns: origin.get_or_init(|| (unix_ns_now(), Instant::now())).0,
                });
            let on_delivery = Arc::clone(&committer);
            let deliveries = zkstream_operators::OrderExt::deliver_in_order(
                batches.simulate(pool, spec),
                OrderPolicy {
                    start: 1,
                    allow_gaps: true,
                },
            )
            .inspect(move |d| {
                let mut c = lock(&on_delivery);
                match d {
                    Delivery::Proof(r) => c.tracker().delivered(r.batch.batch_number),
                    Delivery::Gap(f) => c.tracker().gap(f.batch_number),
                }
                if let Err(e) = c.commit() {
                    tracing::warn!(error = %e, "offset commit failed (retried on the next one)");
                }
                delivered
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(d.clone());
            });
            deliveries
                .map(|d| match d {
                    Delivery::Proof(r) => r.batch.batch_number,
                    Delivery::Gap(f) => f.batch_number,
                })
                .broadcast()
                .inspect(move |n| gate.release(*n));
            Ok(())
        })
    })
    .map_err(SimulationError::Dataflow)?;
    for result in guards.join() {
        match result {
            Ok(Ok(())) => {}
            Ok(Err(e)) | Err(e) => return Err(SimulationError::Dataflow(e)),
        }
    }
    let elapsed = started.elapsed();
    let (rss_trace, rss_peak) = sampler.finish();
    // A last commit for what the delivery hook's commits left (one that failed is tried again here).
    for attempt in 1..=3 {
        match lock_committer(&committer).commit() {
            Ok(()) => break,
            Err(e) if attempt == 3 => tracing::warn!(error = %e, "final offset commit failed"),
            Err(_) => std::thread::sleep(Duration::from_millis(200)),
        }
    }
    let cpu = process_cpu().saturating_sub(cpu_before);
    let store_cpu = store.io_cpu().saturating_sub(store_cpu_before);
    let store_operations = store.operations() - ops_before;
    let committed = lock_committer(&committer).tracker().committed_offsets();
    drop(temp);
    let deliveries = std::mem::take(&mut *delivered.lock().unwrap_or_else(|p| p.into_inner()));
    let mut tally = tally.state();
    // The makespan counts from the stream's origin (process 0's; the launcher takes the earliest).
    if let Some(&(_, at)) = stream_origin.get() {
        tally.first = Some(tally.first.map_or(at, |f| f.min(at)));
    }
    let mut f = figures(
        config,
        &tally,
        &batch_times,
        &deliveries,
        (cpu, store_cpu),
        elapsed,
        store_operations,
        committed,
    )?;
    let since = |t: Option<Instant>| {
        started_unix + t.map_or(0.0, |t| t.saturating_duration_since(started).as_secs_f64())
    };
    // Every trace point is also one of the sampler's readings, so its peak is the run's.
    (f.rss_run_peak_mb, f.rss_growth_mb) = (rss_peak, rss_growth(&rss_trace));
    f.rss_trace = rss_trace;
    f.first_queued_unix_s = since(tally.first);
    f.last_finished_unix_s = since(tally.last);
    Ok(f)
}

/// A new run name: the process and the time.
pub fn new_run_id() -> String {
    format!("{}-{}", std::process::id(), (unix_now() * 1e6) as u64)
}

fn unix_now() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Writes the run's batch shapes (batches 1 to `config.batches`) to `topic`.
pub fn produce_shapes(
    brokers: &str,
    topic: &str,
    config: &SimulationConfig,
) -> Result<(), SimulationError> {
    let shapes: Vec<_> = (1..=config.batches)
        .map(|n| (n, config.workload.batch(n)))
        .collect();
    produce_frames(brokers, topic, TOPIC_PARTITIONS, shapes)?;
    Ok(())
}

/// The topic of a run.
pub fn topic_of(run_id: &str) -> String {
    format!("simulated-batches-{run_id}")
}

/// The committer; a poisoned lock still holds consistent state (each call is whole).
fn lock_committer(c: &Mutex<OffsetCommitter>) -> std::sync::MutexGuard<'_, OffsetCommitter> {
    c.lock().unwrap_or_else(|p| p.into_inner())
}

#[allow(clippy::too_many_arguments)]
fn figures(
    config: &SimulationConfig,
    tally: &TallyState,
    batch_times: &BatchTimes,
    deliveries: &[Delivery<SimulatedRecord>],
    (cpu, store_cpu): (Duration, Duration),
    elapsed: Duration,
    store_operations: u64,
    committed: BTreeMap<i32, i64>,
) -> Result<RunFigures, SimulationError> {
    let scale = config.time_scale;
    let graphs = (1..=config.batches)
        .map(|n| BatchGraph::build(&config.workload, n, config.seed))
        .collect::<Result<Vec<_>, _>>()?;
    let yardsticks = Yardsticks::of(
        &graphs,
        config.arrival_interval_s(),
        config.slots,
        config.release,
    );
    let makespan_s = match (tally.first, tally.last) {
        (Some(a), Some(b)) => b.saturating_duration_since(a).as_secs_f64() / scale,
        _ => 0.0,
    };
    let busy = tally.busy.as_secs_f64() / scale;
    let mut trees_total = 0;
    let mut trees_verified = 0;
    let mut gaps = 0;
    let mut tree_hashes = BTreeMap::new();
    for d in deliveries {
        match d {
            Delivery::Proof(r) => {
                trees_total += 1;
                match check_record(r) {
                    Ok(()) => trees_verified += 1,
                    Err(e) => {
                        tracing::error!(batch = r.batch.batch_number, error = %e, "simulated tree hash does not check")
                    }
                }
                tree_hashes.insert(r.batch.batch_number, hex::encode(r.tree_hash));
            }
            Delivery::Gap(f) => {
                gaps += 1;
                tracing::error!(batch = f.batch_number, reason = %f.reason, "simulated batch failed");
            }
        }
    }
    // Batch latency: from the batch's arrival (its first jobs released) to its root done, as the
    // worker that owns the batch sees them.
    let batch_latencies_s: BTreeMap<u64, f64> = batch_times
        .latencies()
        .into_iter()
        .map(|(b, d)| (b, d.as_secs_f64() / scale))
        .collect();
    let (batch_latency_p50_s, batch_latency_p99_s) = latency_percentiles(&batch_latencies_s);
    let jobs = tally.jobs;
    Ok(RunFigures {
        release: config.release.name().to_string(),
        jobs,
        jobs_per_process: vec![jobs],
        batches_per_process: vec![tally.batches.len()],
        slots: config.slots,
        makespan_s,
        lower_bound_s: yardsticks.lower_bound_s,
        offline_makespan_s: yardsticks.offline_makespan_s,
        modeled_makespan_s: yardsticks.modeled_makespan_s,
        trees_total,
        trees_verified,
        gaps,
        handoff_p50_ms: handoff_percentile(&tally.handoffs, 0.5),
        handoff_p99_ms: handoff_percentile(&tally.handoffs, 0.99),
        handoff_later_p99_ms: handoff_percentile(&tally.later_handoffs, 0.99),
        cpu_us: cpu.as_secs_f64() * 1e6,
        coordinator_cpu_us: cpu.saturating_sub(store_cpu).as_secs_f64() * 1e6,
        cpu_us_per_job: cpu.as_secs_f64() * 1e6 / jobs.max(1) as f64,
        coordinator_cpu_us_per_job: cpu.saturating_sub(store_cpu).as_secs_f64() * 1e6
            / jobs.max(1) as f64,
        jobs_per_s: jobs as f64 / elapsed.as_secs_f64().max(1e-9),
        peak_rss_mb: peak_rss_mb(),
        rss_trace: Vec::new(),
        rss_run_peak_mb: 0.0,
        rss_growth_mb: 0.0,
        store_operations,
        utilisation: if makespan_s > 0.0 {
            busy / (config.slots as f64 * makespan_s)
        } else {
            0.0
        },
        batch_latency_p50_s,
        batch_latency_p99_s,
        batch_latencies_s,
        throughput_per_h: if makespan_s > 0.0 {
            trees_total as f64 * 3600.0 / makespan_s
        } else {
            0.0
        },
        committed,
        tree_hashes,
        first_queued_unix_s: 0.0,
        last_finished_unix_s: 0.0,
    })
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha20Rng;
    use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
    use zkstream_sources::kafka::partition_for;
    use zkstream_testkit::kafka::{committed, send_records};
    use zkstream_types::{BatchInput, Digest, Framed};

    use super::*;

    #[test]
    fn rss_growth_is_the_last_thirds_median_over_the_middle_thirds() {
        let trace = |f: &dyn Fn(usize) -> f64| -> Vec<[f64; 2]> {
            (0..30).map(|i| [i as f64, f(i)]).collect()
        };
        // Flat once warm, with a spike early and one late: no growth.
        let flat = trace(&|i| match i {
            0..=4 => 40.0 + i as f64,
            12 | 27 => 95.0,
            _ => 70.0,
        });
        assert_eq!(rss_growth(&flat), 0.0);
        // A steady leak of 1 MiB a sample shows as the ten samples between the medians.
        let leak = trace(&|i| 50.0 + i as f64);
        assert_eq!(rss_growth(&leak), 10.0);
        // A spike in the middle third does not hide a later rise (comparing peaks, it did).
        let hidden = trace(&|i| match i {
            12 => 100.0,
            20.. => 60.0 + (i - 19) as f64,
            _ => 60.0,
        });
        assert_eq!(rss_growth(&hidden), 6.0);
        assert_eq!(rss_growth(&[]), 0.0);
        assert_eq!(rss_growth(&leak[..2]), 0.0);
        // The sampler takes a sample at once and stops when asked.
        let sampler = RssSampler::start(1.0);
        std::thread::sleep(Duration::from_millis(120));
        let (trace, peak) = sampler.finish();
        assert!(
            !trace.is_empty() && trace.iter().all(|s| s[1] > 0.0 && s[1] <= peak),
            "{trace:?} {peak}"
        );
    }

    /// A record to write: (key, value).
    type Raw = (Option<Vec<u8>>, Vec<u8>);

    /// The delivery and commit hooks under every fault at once, in a seeded random mix (the seed is
    /// printed; `ZKSTREAM_SIM_FAULT_SEED` repeats it): malformed records, batch records (another
    /// frame kind) and second records of a batch between the shapes, failing fetches and offset
    /// commits, a slow broker, and batches in flight behind the reader's gate. Every batch's tree runs
    /// once (no job twice), is delivered once and in order and checks; the bad records and the second
    /// records are settled too, so the group's offsets reach the end of every partition.
    #[test]
    fn mixed_faults_run_every_tree_once_and_commit_every_record() {
        let seed = zkstream_testkit::seed::seed("ZKSTREAM_SIM_FAULT_SEED", "simulation fault mix");
        let mut rng = ChaCha20Rng::seed_from_u64(seed);
        let broker = EmbeddedBroker::start().unwrap();
        let brokers = broker.bootstrap_servers();
        let run_id = format!("faults-{seed}");
        let topic = topic_of(&run_id);
        broker.create_topic(&topic, TOPIC_PARTITIONS).unwrap();

        // Every partition gets a batch: at least as many batches as partitions.
        let workload = Workload::small();
        let batches = rng.gen_range(TOPIC_PARTITIONS as u64..=7);
        let mut lanes: Vec<Vec<Raw>> = vec![Vec::new(); TOPIC_PARTITIONS as usize];
        let mut bad = 0;
        for n in 1..=batches {
            let lane = &mut lanes[partition_for(n, TOPIC_PARTITIONS) as usize];
            let key = Some(n.to_be_bytes().to_vec());
            let shape = workload.batch(n).to_frame().unwrap();
            let junk = |rng: &mut ChaCha20Rng| -> Vec<u8> {
                if rng.gen_bool(0.5) {
                    (0..rng.gen_range(0..40)).map(|_| rng.gen()).collect()
                } else {
                    BatchInput {
                        batch_number: n,
                        protocol_version: 1,
                        previous_batch_commitment: Digest::ZERO,
                        requests: Vec::new(),
                    }
                    .to_frame()
                    .unwrap()
                }
            };
            if rng.gen_bool(0.3) {
                lane.push((key.clone(), junk(&mut rng)));
                bad += 1;
            }
            lane.push((key.clone(), shape.clone()));
            match rng.gen_range(0..4) {
                0 => lane.push((key, shape)),
                1 => {
                    lane.push((key, junk(&mut rng)));
                    bad += 1;
                }
                _ => {}
            }
        }
        for (p, lane) in lanes.iter().enumerate() {
            send_records(&brokers, &topic, p as i32, lane);
        }
        let cluster = broker.cluster();
        let commit_errors = rng.gen_range(0..=3);
        cluster.request_errors(
            RDKafkaApiKey::OffsetCommit,
            &vec![RDKafkaRespErr::RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE; commit_errors],
        );
        let fetch_errors = rng.gen_range(0..=3);
        cluster.request_errors(
            RDKafkaApiKey::Fetch,
            &vec![RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION; fetch_errors],
        );
        let rtt_ms = rng.gen_range(0..60);
        cluster
            .broker_round_trip_time(1, Duration::from_millis(rtt_ms))
            .unwrap();

        let config = SimulationConfig {
            workload: workload.clone(),
            slots: rng.gen_range(1..=4),
            workers: rng.gen_range(1..=2),
            time_scale: 0.05,
            release: Release::ALL[rng.gen_range(0..Release::ALL.len())],
            batches,
            rate: None,
            seed,
            brokers: Some(brokers.clone()),
            store: None,
            max_in_flight: rng.gen_range(1..=3),
            cluster: None,
            run_id: Some(run_id.clone()),
            produce: false,
        };
        eprintln!(
            "{batches} batches, {bad} bad records, {commit_errors} commit and {fetch_errors} fetch \
             errors, {rtt_ms} ms round trips; {} slots, {} workers, {:?} release, {} in flight",
            config.slots, config.workers, config.release, config.max_in_flight
        );
        let figures = run(&config).unwrap();

        assert_eq!(figures.gaps, 0);
        assert_eq!(figures.trees_total, batches as usize);
        assert_eq!(figures.trees_verified, figures.trees_total);
        assert_eq!(
            figures.tree_hashes.keys().copied().collect::<Vec<_>>(),
            (1..=batches).collect::<Vec<_>>()
        );
        let jobs: usize = (1..=batches)
            .map(|n| BatchGraph::build(&workload, n, seed).unwrap().jobs.len())
            .sum();
        assert_eq!(figures.jobs, jobs, "a job ran twice, or not at all");
        let ends: Vec<i64> = lanes.iter().map(|l| l.len() as i64).collect();
        assert_eq!(
            figures.committed.values().copied().collect::<Vec<_>>(),
            ends
        );
        assert_eq!(
            committed(
                &brokers,
                &topic,
                &format!("zkstream-simulate-{run_id}"),
                TOPIC_PARTITIONS
            ),
            ends
        );
    }
}
