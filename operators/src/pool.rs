//! The prover pool: proving never runs on a timely worker thread. Slots (CPU threads now, GPU devices
//! later) take jobs from one priority queue shared by every worker of the process: by default oldest batch
//! first, then the highest round (so batches finish in order and latency stays low), then arrival order;
//! [`Schedule::Throughput`] puts the critical path first instead.
//!
//! A slot first looks for the job's artifact in the store and reuses it if it verifies (recovery); else it
//! loads the children from the store, proves, writes the artifact, and only then replies. A failed
//! attempt is retried after a backoff, up to `max_attempts`; after the last one the reply is a
//! [`BatchFailure`]. Every reply is delivered: the prove operator never loses a capability.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering as AtomicOrdering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use zkstream_prover::circuits::SchedulerInputs;
use zkstream_prover::field::proof_public_input;
use zkstream_prover::verify::commitment_from_ranges;
use zkstream_prover::{
    decode_proof, encode_proof, range_public_input, tip_public_input, ChildProof, CircuitId,
    KeyStore, Prover,
};
use zkstream_types::{AggregationRound, Artifact, ArtifactKey, Digest};

use crate::model::{BatchFailure, Job, JobKind, ProofRef};
use crate::store::ArtifactStore;

/// How the pool runs.
#[derive(Clone, Debug)]
pub struct PoolConfig {
    /// Prover slots (jobs proved at once).
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
#[derive(Clone, Debug)]
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
    /// A job ended after `took` on its last attempt.
    fn finished(&self, _job: &Job, _end: &JobEnd, _took: Duration) {}
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
}

impl PoolBuilder {
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
        let shared = Arc::new(Shared {
            keys: self.keys,
            store: self.store,
            config: self.config,
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            shutdown: AtomicBool::new(false),
            seq: AtomicU64::new(0),
            epoch: Instant::now(),
            records: Mutex::new(Vec::new()),
            observer: self.observer,
            faults: self.faults,
        });
        let slots = (0..shared.config.slots.max(1))
            .map(|i| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new()
                    .name(format!("prover-slot-{i}"))
                    .spawn(move || slot_loop(&shared))
                    .expect("spawning a prover slot thread")
            })
            .collect();
        ProverPool { shared, slots }
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
        }
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
        self.shared.wake.notify_one();
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

fn next_job(shared: &Shared) -> Option<Queued> {
    let mut q = lock(&shared.queue);
    loop {
        if shared.shutdown.load(AtomicOrdering::SeqCst) {
            return None;
        }
        let now = Instant::now();
        let (due, later): (Vec<_>, Vec<_>) = q.delayed.drain(..).partition(|d| d.not_before <= now);
        q.delayed = later;
        q.ready.extend(due);
        if let Some(item) = q.ready.pop() {
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

fn slot_loop(shared: &Shared) {
    let prover = Prover::new(Arc::clone(&shared.keys), shared.config.threads_per_slot);
    while let Some(item) = next_job(shared) {
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
            attempt = item.attempt
        );
        let _enter = span.enter();
        let result = match &shared.faults {
            Some(f) if f(&item.job.key, item.attempt) => Err("injected fault".to_string()),
            _ => catch_unwind(AssertUnwindSafe(|| run_job(shared, &prover, &item.job)))
                .unwrap_or_else(|_| Err("prover panicked".to_string())),
        };
        let finished = Instant::now();
        let end = match result {
            Ok(true) => JobEnd::Reused,
            Ok(false) => JobEnd::Proved,
            Err(e) if item.attempt < shared.config.max_attempts => {
                tracing::warn!(error = %e, "attempt failed; retrying");
                if let Some(o) = &shared.observer {
                    o.retrying(&item.job, item.attempt, &e);
                }
                let backoff = shared.config.backoff * 2u32.saturating_pow(item.attempt - 1);
                let mut retry = item;
                retry.attempt += 1;
                retry.not_before = finished + backoff;
                lock(&shared.queue).delayed.push(retry);
                shared.wake.notify_one();
                continue;
            }
            Err(e) => {
                tracing::error!(error = %e, "job failed after its last attempt");
                JobEnd::Failed(e)
            }
        };
        tracing::debug!(
            took_ms = finished.duration_since(started).as_millis() as u64,
            ?end,
            "job done"
        );
        if let Some(o) = &shared.observer {
            o.finished(&item.job, &end, finished.duration_since(started));
        }
        lock(&shared.records).push(JobRecord {
            key: item.job.key,
            children: item.job.children(),
            queued: item.queued.duration_since(shared.epoch),
            started: started.duration_since(shared.epoch),
            finished: finished.duration_since(shared.epoch),
            attempts: item.attempt,
            end: end.clone(),
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
fn run_job(shared: &Shared, prover: &Prover, job: &Job) -> Result<bool, String> {
    let id = job
        .circuit_id()
        .ok_or_else(|| format!("{} names no circuit", job.key))?;
    if let Some(existing) = shared.store.get(&job.key).map_err(|e| e.to_string())? {
        if reusable(shared, prover, id, job, &existing) {
            return Ok(true);
        }
    }
    let e = |e: zkstream_prover::ProverError| e.to_string();
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
        _ => return Err(format!("job {} does not match circuit {id}", job.key)),
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
    shared.store.put(&artifact).map_err(|e| e.to_string())?;
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
    use AggregationRound::*;

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
