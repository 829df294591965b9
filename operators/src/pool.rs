//! The prover pool: proving never runs on a timely worker thread. Slots (CPU threads and GPU devices)
//! take jobs from one priority queue shared by every worker of the process: by default oldest batch
//! first, then the highest round (so batches finish in order and latency stays low), then arrival order;
//! [`Schedule::Throughput`] puts the critical path first instead.
//!
//! Each slot has a proving backend ([`ProvingBackend`]): boojum's CPU prover, or a GPU one. A slot only
//! takes jobs its backend supports. GPU slots go first: a CPU slot leaves a job a GPU could prove to the
//! GPUs unless every such GPU is busy and, once both kinds have been timed on that circuit, the CPU
//! would finish it sooner than the GPU queue would ([`SlotTimes`]). A slot whose device fails is taken
//! out and its job goes back to the queue for another slot, without using up one of its attempts; the
//! pool always keeps at least one CPU slot, which proves everything.
//!
//! A slot first looks for the job's artifact in the store and reuses it if it verifies (recovery); else it
//! loads the children from the store, proves, writes the artifact, and only then replies. A failed
//! attempt is retried after a backoff, up to `max_attempts`; after the last one the reply is a
//! [`BatchFailure`]. Every reply is delivered: the prove operator never loses a capability.

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use zkstream_prover::circuits::SchedulerInputs;
use zkstream_prover::field::proof_public_input;
use zkstream_prover::verify::commitment_from_ranges;
use zkstream_prover::{
    decode_proof, encode_proof, range_public_input, tip_public_input, BackendInfo, ChildProof,
    CircuitId, CpuBackend, KeyStore, Prover, ProverError, ProvingBackend, SlotKind,
};
use zkstream_types::{AggregationRound, Artifact, ArtifactKey, Digest};

use crate::model::{BatchFailure, Job, JobKind, ProofRef};
use crate::store::ArtifactStore;

/// How the pool runs.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// CPU prover slots (CPU jobs proved at once); at least one runs whatever this says.
    pub slots: usize,
    /// boojum worker threads per slot.
    pub threads_per_slot: usize,
    /// Attempts per job before its batch is marked failed (zkSync requeues 5 times).
    pub max_attempts: u32,
    /// Backoff before the first retry; doubled per further attempt.
    pub backoff: Duration,
    /// Which ready job a free slot takes first.
    pub schedule: Schedule,
}

/// Which ready job a free slot takes first.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Schedule {
    /// Oldest batch first, then the highest round: batches finish in order, each as early as possible
    /// (lowest latency; the default for a stream).
    #[default]
    Latency,
    /// Most rounds still ahead first (critical path first), then the oldest batch: basic circuits of
    /// every queued batch before aggregation, so the serial tail of the last batch overlaps other
    /// work (shortest makespan for a backlog, at the cost of first-batch latency).
    Throughput,
}

impl PoolConfig {
    /// One slot per `cores / threads_per_slot`, at least one.
    pub fn for_cores(cores: usize, threads_per_slot: usize) -> Self {
        let threads_per_slot = threads_per_slot.max(1);
        PoolConfig {
            slots: (cores / threads_per_slot).max(1),
            threads_per_slot,
            max_attempts: 5,
            backoff: Duration::from_millis(200),
            schedule: Schedule::Latency,
        }
    }
}

/// Decides whether an attempt fails on purpose (fault-injection tests and chaos drills):
/// `(artifact key, attempt starting at 1) -> fail?`.
pub type FaultInjector = Arc<dyn Fn(&ArtifactKey, u32) -> bool + Send + Sync>;

/// How a job ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobEnd {
    /// Proved now.
    Proved,
    /// A verifying artifact was already in the store.
    Reused,
    /// Every attempt failed.
    Failed(String),
}

/// Hooks for progress bars and metrics. Called from slot threads.
pub trait PoolObserver: Send + Sync {
    /// A job entered the queue.
    fn queued(&self, _job: &Job) {}
    /// A slot picked a job up after it waited `waited` in the queue.
    fn started(&self, _job: &Job, _attempt: u32, _waited: Duration) {}
    /// An attempt failed and will be retried.
    fn retrying(&self, _job: &Job, _attempt: u32, _error: &str) {}
    /// A job ended after `took` on its last attempt, on a slot of kind `slot`.
    fn finished(&self, _job: &Job, _end: &JobEnd, _took: Duration, _slot: SlotKind) {}
    /// A slot was taken out of the pool (its device failed).
    fn slot_lost(&self, _slot: &SlotInfo, _error: &str) {}
}

/// One prover slot as the pool reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlotInfo {
    /// Slot number (CPU slots first).
    pub index: usize,
    /// Kind, device id, name and free memory, from the backend.
    pub backend: BackendInfo,
    /// False once the slot was taken out.
    pub healthy: bool,
}

/// One job's timing, for the pipeline benchmark's lower bound and critical path.
#[derive(Clone, Debug)]
pub struct JobRecord {
    /// The artifact produced.
    pub key: ArtifactKey,
    /// The artifacts it read.
    pub children: Vec<ArtifactKey>,
    /// When it was first queued, since the pool started.
    pub queued: Duration,
    /// When its last attempt started.
    pub started: Duration,
    /// When it ended.
    pub finished: Duration,
    /// Attempts made.
    pub attempts: u32,
    /// How it ended.
    pub end: JobEnd,
    /// The kind of slot that ran its last attempt.
    pub slot: SlotKind,
}

/// Where a job's result goes: called exactly once, from a slot thread.
pub type Reply = Box<dyn FnOnce(Result<ProofRef, BatchFailure>) + Send>;

struct Queued {
    rank: (u64, u64),
    seq: u64,
    attempt: u32,
    not_before: Instant,
    queued: Instant,
    job: Job,
    reply: Reply,
}

impl Queued {
    fn priority(&self) -> ((u64, u64), Reverse<u64>) {
        (self.rank, Reverse(self.seq))
    }
}

impl PartialEq for Queued {
    fn eq(&self, other: &Self) -> bool {
        self.priority() == other.priority()
    }
}
impl Eq for Queued {}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        self.priority().cmp(&other.priority())
    }
}

#[derive(Default)]
struct Queue {
    ready: BinaryHeap<Queued>,
    delayed: Vec<Queued>,
}

/// Measured proving time per (round, circuit type) and slot kind: an exponentially weighted mean, used
/// to decide whether a CPU slot should take a job a GPU could prove.
#[derive(Debug, Default)]
pub struct SlotTimes(HashMap<(JobClass, SlotKind), f64>);

/// What a job's time is compared by: its round and circuit type.
type JobClass = (AggregationRound, Option<zkstream_types::CircuitType>);

impl SlotTimes {
    fn class(job: &Job) -> JobClass {
        (job.key.round, job.key.circuit)
    }

    /// Records one proof's time.
    pub fn record(&mut self, job: &Job, kind: SlotKind, took: Duration) {
        let t = took.as_secs_f64();
        self.0
            .entry((Self::class(job), kind))
            .and_modify(|m| *m = 0.7 * *m + 0.3 * t)
            .or_insert(t);
    }

    /// The mean time of `job`'s class on `kind`, if measured.
    pub fn estimate(&self, job: &Job, kind: SlotKind) -> Option<f64> {
        self.0.get(&(Self::class(job), kind)).copied()
    }
}

/// A slot's state, shared with the queue so others can see who is busy and who is gone.
struct Slot {
    backend: Arc<dyn ProvingBackend>,
    kind: SlotKind,
    healthy: AtomicBool,
    busy: AtomicBool,
    unsupported: Mutex<HashSet<CircuitId>>,
}

impl Slot {
    fn new(backend: Arc<dyn ProvingBackend>) -> Self {
        Slot {
            kind: backend.info().kind,
            backend,
            healthy: AtomicBool::new(true),
            busy: AtomicBool::new(false),
            unsupported: Mutex::new(HashSet::new()),
        }
    }

    fn supports(&self, id: Option<CircuitId>) -> bool {
        match id {
            // A job naming no circuit fails in `run_job`, on whichever slot.
            None => true,
            Some(id) => self.backend.supports(id).is_ok() && !lock(&self.unsupported).contains(&id),
        }
    }
}

struct Shared {
    keys: Arc<KeyStore>,
    store: ArtifactStore,
    config: PoolConfig,
    queue: Mutex<Queue>,
    wake: Condvar,
    shutdown: AtomicBool,
    seq: AtomicU64,
    epoch: Instant,
    records: Mutex<Vec<JobRecord>>,
    observer: Option<Arc<dyn PoolObserver>>,
    faults: Option<FaultInjector>,
    slots: Vec<Slot>,
    times: Mutex<SlotTimes>,
}

impl Shared {
    fn new(
        keys: Arc<KeyStore>,
        store: ArtifactStore,
        config: PoolConfig,
        slots: Vec<Slot>,
        observer: Option<Arc<dyn PoolObserver>>,
        faults: Option<FaultInjector>,
    ) -> Self {
        Shared {
            keys,
            store,
            config,
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            shutdown: AtomicBool::new(false),
            seq: AtomicU64::new(0),
            epoch: Instant::now(),
            records: Mutex::new(Vec::new()),
            observer,
            faults,
            slots,
            times: Mutex::new(SlotTimes::default()),
        }
    }
}

/// A pool of prover slots shared by every timely worker of the process.
pub struct ProverPool {
    shared: Arc<Shared>,
    slots: Vec<JoinHandle<()>>,
}

/// Builder for a [`ProverPool`].
pub struct PoolBuilder {
    keys: Arc<KeyStore>,
    store: ArtifactStore,
    config: PoolConfig,
    observer: Option<Arc<dyn PoolObserver>>,
    faults: Option<FaultInjector>,
    accelerators: Vec<Arc<dyn ProvingBackend>>,
}

impl PoolBuilder {
    /// Adds one slot per backend (GPU devices), beside the CPU slots.
    pub fn accelerators(mut self, backends: Vec<Arc<dyn ProvingBackend>>) -> Self {
        self.accelerators.extend(backends);
        self
    }

    /// Reports queueing, retries and results to `observer`.
    pub fn observer(mut self, observer: Arc<dyn PoolObserver>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Fails attempts on purpose where `faults` says so.
    pub fn faults(mut self, faults: FaultInjector) -> Self {
        self.faults = Some(faults);
        self
    }

    /// Starts the slot threads.
    pub fn start(self) -> ProverPool {
        let cpu = (0..self.config.slots.max(1)).map(|_| {
            Slot::new(
                Arc::new(CpuBackend::new(self.config.threads_per_slot)) as Arc<dyn ProvingBackend>
            )
        });
        let slots: Vec<Slot> = cpu
            .chain(self.accelerators.into_iter().map(Slot::new))
            .collect();
        let shared = Arc::new(Shared::new(
            self.keys,
            self.store,
            self.config,
            slots,
            self.observer,
            self.faults,
        ));
        let threads = (0..shared.slots.len())
            .map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("prover-slot-{i}"))
                    .spawn(move || slot_loop(&shared, i))
                    .expect("spawning a prover slot thread")
            })
            .collect();
        ProverPool {
            shared,
            slots: threads,
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The queue rank of a job (higher goes first).
fn rank(schedule: Schedule, batch: u64, round: AggregationRound) -> (u64, u64) {
    let older = u64::MAX - batch;
    let round = round.number() as u64;
    match schedule {
        Schedule::Latency => (older, round),
        Schedule::Throughput => (AggregationRound::Compression.number() as u64 - round, older),
    }
}

impl ProverPool {
    /// A pool proving with `keys`, storing artifacts in `store`.
    pub fn builder(keys: Arc<KeyStore>, store: ArtifactStore, config: PoolConfig) -> PoolBuilder {
        PoolBuilder {
            keys,
            store,
            config,
            observer: None,
            faults: None,
            accelerators: Vec::new(),
        }
    }

    /// Every slot: kind, device, free memory (asked of the backend now) and health.
    pub fn slots(&self) -> Vec<SlotInfo> {
        self.shared
            .slots
            .iter()
            .enumerate()
            .map(|(index, s)| SlotInfo {
                index,
                backend: s.backend.info(),
                healthy: s.healthy.load(AtomicOrdering::SeqCst),
            })
            .collect()
    }

    /// Healthy slots of a kind.
    pub fn healthy_slots(&self, kind: SlotKind) -> usize {
        self.shared
            .slots
            .iter()
            .filter(|s| s.kind == kind && s.healthy.load(AtomicOrdering::SeqCst))
            .count()
    }

    /// The keys it proves with.
    pub fn keys(&self) -> &Arc<KeyStore> {
        &self.shared.keys
    }

    /// The artifact store it writes to.
    pub fn store(&self) -> &ArtifactStore {
        &self.shared.store
    }

    /// Its configuration.
    pub fn config(&self) -> &PoolConfig {
        &self.shared.config
    }

    /// Queues a job; `reply` is called exactly once with its reference or its batch's failure.
    pub fn submit(&self, job: Job, reply: Reply) {
        if let Some(o) = &self.shared.observer {
            o.queued(&job);
        }
        let now = Instant::now();
        let rank = rank(
            self.shared.config.schedule,
            job.header.batch_number,
            job.key.round,
        );
        let item = Queued {
            rank,
            seq: self.shared.seq.fetch_add(1, AtomicOrdering::Relaxed),
            attempt: 1,
            not_before: now,
            queued: now,
            job,
            reply,
        };
        lock(&self.shared.queue).ready.push(item);
        // Every slot looks: the first may leave it to a GPU slot.
        self.shared.wake.notify_all();
    }

    /// Jobs waiting (ready or backing off).
    pub fn queued(&self) -> usize {
        let q = lock(&self.shared.queue);
        q.ready.len() + q.delayed.len()
    }

    /// Timing of every finished job so far.
    pub fn records(&self) -> Vec<JobRecord> {
        lock(&self.shared.records).clone()
    }
}

impl Drop for ProverPool {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, AtomicOrdering::SeqCst);
        self.shared.wake.notify_all();
        for slot in self.slots.drain(..) {
            let _ = slot.join();
        }
    }
}

/// Whether a slot takes a ready job now, or leaves it (with the seconds of GPU work it represents).
enum Decision {
    Take,
    Leave(f64),
}

/// Slot `slot` considers `item`, with `gpu_ahead` seconds of GPU-bound work queued before it.
fn decide(shared: &Shared, slot: &Slot, item: &Queued, gpu_ahead: f64) -> Decision {
    let id = item.job.circuit_id();
    if !slot.supports(id) {
        return Decision::Leave(0.0);
    }
    if slot.kind != SlotKind::Cpu {
        return Decision::Take;
    }
    let gpus: Vec<&Slot> = shared
        .slots
        .iter()
        .filter(|s| {
            s.kind == SlotKind::Gpu && s.healthy.load(AtomicOrdering::SeqCst) && s.supports(id)
        })
        .collect();
    if gpus.is_empty() {
        return Decision::Take;
    }
    let times = lock(&shared.times);
    let gpu = times.estimate(&item.job, SlotKind::Gpu);
    if gpus.iter().any(|s| !s.busy.load(AtomicOrdering::SeqCst)) {
        // An idle GPU takes it.
        return Decision::Leave(gpu.unwrap_or(0.0));
    }
    match (times.estimate(&item.job, SlotKind::Cpu), gpu) {
        // Faster end to end here than behind the GPU queue.
        (Some(cpu), Some(gpu)) if cpu <= gpu_ahead / gpus.len() as f64 + gpu => Decision::Take,
        (Some(_), Some(gpu)) => Decision::Leave(gpu),
        // Not yet timed on both kinds: keep every slot busy.
        _ => Decision::Take,
    }
}

fn next_job(shared: &Shared, me: usize) -> Option<Queued> {
    let slot = &shared.slots[me];
    let mut q = lock(&shared.queue);
    loop {
        if shared.shutdown.load(AtomicOrdering::SeqCst)
            || !slot.healthy.load(AtomicOrdering::SeqCst)
        {
            return None;
        }
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = q.delayed.drain(..).partition(|d| d.not_before <= now);
        q.delayed = later;
        q.ready.extend(due);
        // Highest priority first; what this slot leaves stays queued for the others.
        let mut left = Vec::new();
        let mut gpu_ahead = 0.0;
        let mut taken = None;
        while let Some(item) = q.ready.pop() {
            match decide(shared, slot, &item, gpu_ahead) {
                Decision::Take => {
                    taken = Some(item);
                    break;
                }
                Decision::Leave(gpu) => {
                    gpu_ahead += gpu;
                    left.push(item);
                }
            }
        }
        q.ready.extend(left);
        if let Some(item) = taken {
            slot.busy.store(true, AtomicOrdering::SeqCst);
            return Some(item);
        }
        let wait = q
            .delayed
            .iter()
            .map(|d| d.not_before.saturating_duration_since(now))
            .min()
            .unwrap_or(Duration::from_millis(500));
        q = shared
            .wake
            .wait_timeout(q, wait)
            .unwrap_or_else(|p| p.into_inner())
            .0;
    }
}

/// How an attempt failed.
enum AttemptError {
    /// The job failed; retry it (with backoff, up to `max_attempts`).
    Job(String),
    /// This slot's backend cannot prove the circuit: another slot will.
    Unsupported(String),
    /// This slot's device failed: take the slot out, another slot proves the job.
    Device(String),
}

impl From<String> for AttemptError {
    fn from(e: String) -> Self {
        AttemptError::Job(e)
    }
}

impl From<ProverError> for AttemptError {
    fn from(e: ProverError) -> Self {
        match e {
            ProverError::Device(d) => AttemptError::Device(d),
            ProverError::Unsupported(u) => AttemptError::Unsupported(u),
            other => AttemptError::Job(other.to_string()),
        }
    }
}

/// Takes slot `me` out of the pool (its device failed) and says so.
fn take_out(shared: &Shared, me: usize, error: &str) {
    let slot = &shared.slots[me];
    slot.healthy.store(false, AtomicOrdering::SeqCst);
    tracing::error!(
        slot = me,
        error,
        "prover slot failed; taken out, its jobs go to other slots"
    );
    if let Some(o) = &shared.observer {
        let info = SlotInfo {
            index: me,
            backend: slot.backend.info(),
            healthy: false,
        };
        o.slot_lost(&info, error);
    }
}

/// Puts a job back at once, for another slot, without counting an attempt.
fn requeue(shared: &Shared, item: Queued) {
    lock(&shared.queue).ready.push(item);
    shared.wake.notify_all();
}

fn slot_loop(shared: &Shared, me: usize) {
    let slot = &shared.slots[me];
    let prover = Prover::new(Arc::clone(&shared.keys), shared.config.threads_per_slot)
        .with_backend(Arc::clone(&slot.backend));
    while let Some(item) = next_job(shared, me) {
        if let Err(e) = slot.backend.healthy() {
            take_out(shared, me, &format!("health check: {e}"));
            requeue(shared, item);
            return;
        }
        let started = Instant::now();
        if let Some(o) = &shared.observer {
            o.started(&item.job, item.attempt, started.duration_since(item.queued));
        }
        let span = tracing::info_span!(
            "job",
            batch = item.job.header.batch_number,
            round = %item.job.key.round,
            circuit = item.job.key.circuit.map(|c| c.name()).unwrap_or("all"),
            index = item.job.key.index,
            attempt = item.attempt,
            slot = me,
            kind = %slot.kind
        );
        let _enter = span.enter();
        let result = match &shared.faults {
            Some(f) if f(&item.job.key, item.attempt) => {
                Err(AttemptError::Job("injected fault".to_string()))
            }
            _ => catch_unwind(AssertUnwindSafe(|| run_job(shared, &prover, &item.job)))
                .unwrap_or_else(|_| Err(AttemptError::Job("prover panicked".to_string()))),
        };
        let finished = Instant::now();
        slot.busy.store(false, AtomicOrdering::SeqCst);
        let end = match result {
            Ok(true) => JobEnd::Reused,
            Ok(false) => JobEnd::Proved,
            Err(AttemptError::Device(e)) => {
                take_out(shared, me, &e);
                requeue(shared, item);
                return;
            }
            Err(AttemptError::Unsupported(e)) => {
                if let Some(id) = item.job.circuit_id() {
                    lock(&slot.unsupported).insert(id);
                }
                tracing::warn!(error = %e, "slot cannot prove this circuit; another slot will");
                requeue(shared, item);
                continue;
            }
            Err(AttemptError::Job(e)) if item.attempt < shared.config.max_attempts => {
                tracing::warn!(error = %e, "attempt failed; retrying");
                if let Some(o) = &shared.observer {
                    o.retrying(&item.job, item.attempt, &e);
                }
                let backoff = shared.config.backoff * 2u32.saturating_pow(item.attempt - 1);
                let mut retry = item;
                retry.attempt += 1;
                retry.not_before = finished + backoff;
                lock(&shared.queue).delayed.push(retry);
                shared.wake.notify_all();
                continue;
            }
            Err(AttemptError::Job(e)) => {
                tracing::error!(error = %e, "job failed after its last attempt");
                JobEnd::Failed(e)
            }
        };
        let took = finished.duration_since(started);
        if end == JobEnd::Proved {
            // One line per proof made (a killed run prints no summary: this is what counts its work).
            tracing::info!(took_ms = took.as_millis() as u64, "proof generated");
        } else {
            tracing::debug!(took_ms = took.as_millis() as u64, ?end, "job done");
        }
        if end == JobEnd::Proved {
            lock(&shared.times).record(&item.job, slot.kind, took);
        }
        if let Some(o) = &shared.observer {
            o.finished(&item.job, &end, took, slot.kind);
        }
        lock(&shared.records).push(JobRecord {
            key: item.job.key,
            children: item.job.children(),
            queued: item.queued.duration_since(shared.epoch),
            started: started.duration_since(shared.epoch),
            finished: finished.duration_since(shared.epoch),
            attempts: item.attempt,
            end: end.clone(),
            slot: slot.kind,
        });
        let reply = match end {
            JobEnd::Failed(reason) => Err(BatchFailure {
                batch_number: item.job.header.batch_number,
                stage: format!("prove {}", item.job.key),
                reason: format!("{reason} (after {} attempts)", item.attempt),
            }),
            _ => Ok(item.job.output()),
        };
        (item.reply)(reply);
    }
}

/// The public input a job's proof must expose.
pub fn expected_public_input(job: &Job, vk_set: &Digest) -> Result<Digest, String> {
    match job.key.round {
        AggregationRound::Basic | AggregationRound::Leaf | AggregationRound::Node => job
            .ranges
            .first()
            .map(range_public_input)
            .ok_or_else(|| "per-type job without a range".to_string()),
        AggregationRound::RecursionTip => Ok(tip_public_input(&job.ranges)),
        AggregationRound::Scheduler | AggregationRound::Compression => Ok(commitment_from_ranges(
            job.header.batch_number,
            &job.header.previous_batch_commitment,
            job.header.protocol_version,
            &job.ranges,
            vk_set,
        )),
    }
}

/// Whether a stored artifact is a valid proof of `job` (right VK, verifies, right public input).
fn reusable(shared: &Shared, prover: &Prover, id: CircuitId, job: &Job, a: &Artifact) -> bool {
    let check = || -> Result<bool, String> {
        let vk = shared.keys.vk_commitment(id).map_err(|e| e.to_string())?;
        let vk_set = shared.keys.vk_set_commitment().map_err(|e| e.to_string())?;
        let expected = expected_public_input(job, &vk_set)?;
        if a.vk_commitment != vk || a.public_input != expected {
            return Ok(false);
        }
        let proof = decode_proof(&a.proof).map_err(|e| e.to_string())?;
        Ok(proof_public_input(&proof) == Some(expected)
            && prover.verify(id, &proof).map_err(|e| e.to_string())?)
    };
    match check() {
        Ok(ok) => ok,
        Err(e) => {
            tracing::warn!(key = %job.key, error = %e, "stored artifact unusable; proving again");
            false
        }
    }
}

fn load(shared: &Shared, r: &ProofRef) -> Result<ChildProof, String> {
    let range = r
        .ranges
        .first()
        .copied()
        .ok_or_else(|| format!("{} has no range", r.key))?;
    Ok(ChildProof {
        proof: load_proof(shared, r)?,
        range,
    })
}

fn load_all(shared: &Shared, refs: &[ProofRef]) -> Result<Vec<ChildProof>, String> {
    refs.iter().map(|r| load(shared, r)).collect()
}

/// Runs one attempt; `Ok(true)` if a stored artifact was reused.
fn run_job(shared: &Shared, prover: &Prover, job: &Job) -> Result<bool, AttemptError> {
    let id = job
        .circuit_id()
        .ok_or_else(|| format!("{} names no circuit", job.key))?;
    if let Some(existing) = shared.store.get(&job.key).map_err(|e| e.to_string())? {
        if reusable(shared, prover, id, job, &existing) {
            return Ok(true);
        }
    }
    let e = AttemptError::from;
    let proof = match (&job.kind, id) {
        (JobKind::Basic(b), CircuitId::Basic(_)) => prover.prove_basic(b).map_err(e)?.proof,
        (JobKind::Aggregate(children), CircuitId::Leaf(t)) => {
            let cs = load_all(shared, children)?;
            prover.prove_leaf(t, &cs).map_err(e)?.proof
        }
        (JobKind::Aggregate(children), CircuitId::Node(t, d)) => {
            let cs = load_all(shared, children)?;
            prover.prove_node(t, d, &cs).map_err(e)?.proof
        }
        (JobKind::Tip(children), CircuitId::Tip) => {
            let cs = load_all(shared, children)?;
            prover.prove_tip(&cs).map_err(e)?
        }
        (JobKind::Scheduler(tip), CircuitId::Scheduler) => {
            let tip = load_proof(shared, tip)?;
            prover
                .prove_scheduler(
                    &tip,
                    SchedulerInputs {
                        batch_number: job.header.batch_number,
                        protocol_version: job.header.protocol_version,
                        previous_batch_commitment: job.header.previous_batch_commitment,
                        ranges: job.ranges.clone(),
                    },
                )
                .map_err(e)?
        }
        (JobKind::Compression(s), CircuitId::Compression) => prover
            .prove_compression(&load_proof(shared, s)?)
            .map_err(e)?,
        _ => return Err(format!("job {} does not match circuit {id}", job.key).into()),
    };
    let public_input = proof_public_input(&proof)
        .ok_or_else(|| format!("{id}: proof exposes no 4-element public input"))?;
    let artifact = Artifact {
        key: job.key,
        vk_commitment: shared.keys.vk_commitment(id).map_err(e)?,
        public_input,
        range: match job.key.round {
            AggregationRound::Basic | AggregationRound::Leaf | AggregationRound::Node => {
                job.ranges.first().copied()
            }
            _ => None,
        },
        proof: encode_proof(&proof).map_err(e)?,
    };
    shared
        .store
        .put(&artifact)
        .map_err(|e| AttemptError::Job(e.to_string()))?;
    Ok(false)
}

fn load_proof(shared: &Shared, r: &ProofRef) -> Result<zkstream_prover::field::BProof, String> {
    let a = shared
        .store
        .get(&r.key)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("artifact {} is missing from the store", r.key))?;
    decode_proof(&a.proof).map_err(|e| format!("{}: {e}", r.key))
}

/// A pool over keys that are never computed, whose every attempt fails on purpose: exercises the
/// operators' capability and failure paths without proving anything.
#[cfg(test)]
pub(crate) fn failing_pool(
    shape: zkstream_prover::TreeShape,
    slots: usize,
    max_attempts: u32,
) -> ProverPool {
    let keys = KeyStore::open(None, zkstream_prover::ProofProfile::test(), shape, 1, 1)
        .expect("opening an in-memory key store");
    let config = PoolConfig {
        slots,
        threads_per_slot: 1,
        max_attempts,
        backoff: Duration::from_millis(2),
        schedule: Schedule::Latency,
    };
    ProverPool::builder(
        Arc::new(keys),
        ArtifactStore::open("memory://").expect("memory store"),
        config,
    )
    .faults(Arc::new(|_, _| true))
    .start()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BatchHeader;
    use zkstream_prover::{BackendError, BasicJob, ProvingJob, TreeShape};
    use zkstream_types::{CircuitType, Digest, QueueRange};
    use AggregationRound::*;

    /// A slot kind that never proves: only for the routing decisions, which never call `prove`.
    struct Idle(SlotKind, Option<AggregationRound>);

    impl ProvingBackend for Idle {
        fn info(&self) -> BackendInfo {
            BackendInfo {
                kind: self.0,
                device: None,
                name: "routing test".into(),
                free_memory: None,
            }
        }
        fn supports(&self, id: CircuitId) -> Result<(), String> {
            match (self.1, id) {
                (Some(Basic), CircuitId::Basic(_)) | (None, _) => Ok(()),
                _ => Err("only basic circuits".into()),
            }
        }
        fn prove(
            &self,
            _job: ProvingJob<'_>,
        ) -> Result<zkstream_prover::field::BProof, BackendError> {
            Err(BackendError::Job("routing tests never prove".into()))
        }
    }

    fn shared(slots: Vec<Slot>) -> Shared {
        let keys = KeyStore::open(
            None,
            zkstream_prover::ProofProfile::test(),
            TreeShape::default(),
            1,
            1,
        )
        .expect("in-memory key store");
        Shared::new(
            Arc::new(keys),
            ArtifactStore::open("memory://").expect("memory store"),
            PoolConfig::for_cores(1, 1),
            slots,
            None,
            None,
        )
    }

    fn queued(round: AggregationRound) -> Queued {
        let range = QueueRange {
            circuit: CircuitType::Poseidon2Hash,
            start: Digest::default(),
            end: Digest::default(),
            count: 0,
        };
        let now = Instant::now();
        Queued {
            rank: (0, 0),
            seq: 0,
            attempt: 1,
            not_before: now,
            queued: now,
            job: Job {
                key: ArtifactKey {
                    protocol_version: 1,
                    batch: 1,
                    round,
                    circuit: Some(CircuitType::Poseidon2Hash),
                    depth: 0,
                    index: 0,
                },
                header: BatchHeader {
                    batch_number: 1,
                    protocol_version: 1,
                    previous_batch_commitment: Digest::default(),
                },
                ranges: vec![range],
                siblings: 1,
                kind: JobKind::Basic(BasicJob {
                    index: 0,
                    range,
                    requests: Vec::new(),
                }),
            },
            reply: Box::new(|_| {}),
        }
    }

    fn takes(d: Decision) -> bool {
        matches!(d, Decision::Take)
    }

    #[test]
    fn a_cpu_slot_leaves_gpu_work_to_an_idle_gpu_and_takes_what_no_gpu_can_prove() {
        let s = shared(vec![
            Slot::new(Arc::new(CpuBackend::new(1))),
            Slot::new(Arc::new(Idle(SlotKind::Gpu, Some(Basic)))),
        ]);
        let (cpu, gpu) = (&s.slots[0], &s.slots[1]);
        let basic = queued(Basic);
        let leaf = queued(Leaf);
        assert!(!takes(decide(&s, cpu, &basic, 0.0)), "an idle GPU takes it");
        assert!(takes(decide(&s, gpu, &basic, 0.0)));
        assert!(
            takes(decide(&s, cpu, &leaf, 0.0)),
            "no GPU can prove a leaf here"
        );
        assert!(
            !takes(decide(&s, gpu, &leaf, 0.0)),
            "unsupported on the GPU"
        );
        // A busy GPU and no timings yet: the CPU keeps busy.
        gpu.busy.store(true, AtomicOrdering::SeqCst);
        assert!(takes(decide(&s, cpu, &basic, 0.0)));
        // A GPU that failed is out of the picture.
        gpu.busy.store(false, AtomicOrdering::SeqCst);
        gpu.healthy.store(false, AtomicOrdering::SeqCst);
        assert!(takes(decide(&s, cpu, &basic, 0.0)));
        // So is a circuit the GPU turned out not to support.
        gpu.healthy.store(true, AtomicOrdering::SeqCst);
        lock(&gpu.unsupported).insert(CircuitId::Basic(CircuitType::Poseidon2Hash));
        assert!(takes(decide(&s, cpu, &basic, 0.0)));
        assert!(!takes(decide(&s, gpu, &basic, 0.0)));
    }

    #[test]
    fn with_both_kinds_timed_a_cpu_slot_takes_a_gpu_job_only_when_it_finishes_sooner() {
        let s = shared(vec![
            Slot::new(Arc::new(CpuBackend::new(1))),
            Slot::new(Arc::new(Idle(SlotKind::Gpu, None))),
        ]);
        let (cpu, gpu) = (&s.slots[0], &s.slots[1]);
        gpu.busy.store(true, AtomicOrdering::SeqCst);
        let basic = queued(Basic);
        {
            let mut t = lock(&s.times);
            t.record(&basic.job, SlotKind::Cpu, Duration::from_secs(10));
            t.record(&basic.job, SlotKind::Gpu, Duration::from_secs(1));
        }
        // CPU 10 s against GPU 1 s behind 4 s of queued GPU work: leave it to the GPU.
        assert!(matches!(decide(&s, cpu, &basic, 4.0), Decision::Leave(g) if g == 1.0));
        // Behind 12 s of GPU work, the CPU finishes first.
        assert!(takes(decide(&s, cpu, &basic, 12.0)));
        // The mean follows new measurements.
        lock(&s.times).record(&basic.job, SlotKind::Gpu, Duration::from_secs(21));
        assert_eq!(
            lock(&s.times).estimate(&basic.job, SlotKind::Gpu),
            Some(7.0)
        );
        assert!(takes(decide(&s, cpu, &basic, 4.0)));
    }

    fn order(schedule: Schedule) -> Vec<(u64, AggregationRound)> {
        let mut jobs = vec![
            (2, Basic),
            (1, Basic),
            (1, Leaf),
            (2, Compression),
            (1, Node),
        ];
        jobs.sort_by_key(|&(b, r)| Reverse(rank(schedule, b, r)));
        jobs
    }

    #[test]
    fn latency_takes_the_oldest_batch_then_the_highest_round() {
        assert_eq!(
            order(Schedule::Latency),
            [
                (1, Node),
                (1, Leaf),
                (1, Basic),
                (2, Compression),
                (2, Basic)
            ]
        );
    }

    #[test]
    fn throughput_takes_the_critical_path_first() {
        assert_eq!(
            order(Schedule::Throughput),
            [
                (1, Basic),
                (2, Basic),
                (1, Leaf),
                (1, Node),
                (2, Compression)
            ]
        );
    }
}
