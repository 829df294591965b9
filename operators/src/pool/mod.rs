//! The prover pool: proving never runs on a timely worker thread. Slots (CPU threads, GPU devices, and
//! wrap slots for the SNARK wrap)
//! take jobs from one priority queue shared by every worker of the process, ranked by [`Rank`]: by
//! default the oldest scope (a batch, or an aggregation run) first, then the highest stage (so scopes
//! finish in order and latency stays low), then the most urgent ([`Rank::urgency`]), then arrival
//! order; [`Schedule::Throughput`] puts the critical path first instead.
//!
//! Each slot has a proving backend ([`ProvingBackend`]): boojum's CPU prover, or a GPU one. A slot only
//! takes jobs its backend supports. GPU slots go first: a CPU slot leaves a job a GPU could prove to the
//! GPUs unless every such GPU is busy and, once both kinds have been timed on that circuit, the CPU
//! would finish it sooner than the GPU queue would ([`SlotTimes`]). A slot whose device fails is taken
//! out and its job goes back to the queue for another slot, without using up one of its attempts; the
//! pool always keeps at least one CPU slot, which proves every circuit. Wrap jobs go to wrap slots only
//! ([`Work::needs_wrap_slot`]), which take nothing else; a wrap job submitted to a pool without one
//! fails at once rather than wait forever.
//!
//! A slot first looks for the job's artifact in the store and reuses it if it verifies (recovery); else it
//! loads the children from the store, proves, writes the artifact, and only then replies. A failed
//! attempt is retried after a backoff, up to `max_attempts`, when a retry can help
//! ([`JobError::is_retryable`]); otherwise the reply is the job's failure ([`Work::failure`]). Every reply is delivered: the
//! prove operator never loses a capability.
//!
//! The pool proves any [`Work`]: the batch tree's jobs ([`Job`], the default) and user-proof mode's
//! chunk and node jobs each run on a pool of their own kind, with the same machinery.
//!
//! One concern per file: `work.rs` (what a job must say), `queue.rs` (the priority queue and its
//! ranks), `routing.rs` (which slot takes which job), `slots.rs` (the slot threads, retries, replies),
//! `error.rs` (why an attempt failed). A batch job's attempt is `crate::batch_job`, user-proof mode's
//! `crate::user_tree`: the pool names no circuit type.

mod error;
mod queue;
mod routing;
mod slots;
mod work;

pub use error::JobError;
pub use routing::SlotTimes;
pub use work::{Attempt, JobContext, Rank, Work};

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use zkstream_prover::wrap::{WrapBackend, WrapKeys};
use zkstream_prover::{BackendInfo, CpuBackend, KeyStore, ProvingBackend, SlotKind};
use zkstream_types::ArtifactKey;

use crate::model::Job;
use crate::store::ArtifactStore;
use queue::{rank, Queue, Queued};
use slots::{slot_loop, Slot};

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

/// Which ready job a free slot takes first (`latency` or `throughput` in a configuration file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
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

/// A schedule name that is neither `latency` nor `throughput`.
#[derive(Debug, thiserror::Error)]
#[error("unknown schedule {0:?} (expected latency or throughput)")]
pub struct UnknownSchedule(pub String);

impl std::str::FromStr for Schedule {
    type Err = UnknownSchedule;
    fn from_str(name: &str) -> Result<Self, UnknownSchedule> {
        match name {
            "latency" => Ok(Schedule::Latency),
            "throughput" => Ok(Schedule::Throughput),
            other => Err(UnknownSchedule(other.to_string())),
        }
    }
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
pub type FaultInjector<K = ArtifactKey> = Arc<dyn Fn(&K, u32) -> bool + Send + Sync>;

/// How a job ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JobEnd {
    /// Proved now.
    Proved,
    /// A verifying artifact was already in the store.
    Reused,
    /// Every attempt failed, or one a retry cannot help.
    Failed {
        /// Why, attempts included.
        reason: String,
        /// Whether the last attempt failed a verification ([`JobError::is_verification_failure`]).
        verification: bool,
    },
}

/// Hooks for progress bars and metrics, for jobs of kind `W`. Called from slot threads.
pub trait PoolObserver<W = Job>: Send + Sync {
    /// A job entered the queue.
    fn queued(&self, _job: &W) {}
    /// A slot picked a job up after it waited `waited` in the queue.
    fn started(&self, _job: &W, _attempt: u32, _waited: Duration) {}
    /// An attempt failed and will be retried.
    fn retrying(&self, _job: &W, _attempt: u32, _error: &JobError) {}
    /// A job ended after `took` on its last attempt, on a slot of kind `slot`.
    fn finished(&self, _job: &W, _end: &JobEnd, _took: Duration, _slot: SlotKind) {}
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
pub struct JobRecord<K = ArtifactKey> {
    /// The artifact produced.
    pub key: K,
    /// The artifacts it read.
    pub children: Vec<K>,
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

/// Where a job's result goes: called exactly once, from a slot thread (or, for a job no slot of the
/// pool can ever run, from [`ProverPool::submit`] itself).
pub type Reply<W = Job> = Box<dyn FnOnce(Result<<W as Work>::Output, <W as Work>::Failure>) + Send>;

struct Shared<W: Work> {
    keys: Arc<KeyStore>,
    store: ArtifactStore,
    config: PoolConfig,
    queue: Mutex<Queue<W>>,
    wake: Condvar,
    shutdown: AtomicBool,
    seq: AtomicU64,
    epoch: Instant,
    records: Mutex<std::collections::VecDeque<JobRecord<W::Key>>>,
    /// Most records kept (the oldest go first).
    records_limit: usize,
    observer: Option<Arc<dyn PoolObserver<W>>>,
    faults: Option<FaultInjector<W::Key>>,
    slots: Vec<Slot>,
    /// Slots of more than one kind (CPU, GPU, wrap): a new job must wake every slot.
    mixed: bool,
    /// The GPU slots (indices into `slots`), which a CPU slot weighs before taking a job.
    gpus: Vec<usize>,
    times: Mutex<SlotTimes>,
    /// The wrap's keys, when there are wrap slots.
    wrap: Option<Arc<WrapKeys>>,
    /// Slot provers built so far: a slot builds its prover for its first job that uses one.
    provers_built: AtomicUsize,
}

impl<W: Work> Shared<W> {
    #[allow(clippy::too_many_arguments)]
    fn new(
        keys: Arc<KeyStore>,
        store: ArtifactStore,
        config: PoolConfig,
        slots: Vec<Slot>,
        observer: Option<Arc<dyn PoolObserver<W>>>,
        faults: Option<FaultInjector<W::Key>>,
        records_limit: usize,
        wrap: Option<Arc<WrapKeys>>,
    ) -> Self {
        Shared {
            wrap,
            keys,
            store,
            config,
            queue: Mutex::new(Queue::new()),
            wake: Condvar::new(),
            shutdown: AtomicBool::new(false),
            seq: AtomicU64::new(0),
            epoch: Instant::now(),
            records: Mutex::new(std::collections::VecDeque::new()),
            records_limit,
            observer,
            faults,
            mixed: slots.iter().any(|s| s.kind != SlotKind::Cpu),
            gpus: (0..slots.len())
                .filter(|&i| slots[i].kind == SlotKind::Gpu)
                .collect(),
            slots,
            times: Mutex::new(SlotTimes::default()),
            provers_built: AtomicUsize::new(0),
        }
    }
}

/// A pool of prover slots shared by every timely worker of the process, for jobs of kind `W`.
pub struct ProverPool<W: Work = Job> {
    shared: Arc<Shared<W>>,
    slots: Vec<JoinHandle<()>>,
}

/// Builder for a [`ProverPool`].
pub struct PoolBuilder<W: Work = Job> {
    keys: Arc<KeyStore>,
    store: ArtifactStore,
    config: PoolConfig,
    observer: Option<Arc<dyn PoolObserver<W>>>,
    faults: Option<FaultInjector<W::Key>>,
    accelerators: Vec<Arc<dyn ProvingBackend>>,
    wrap: Option<(Arc<WrapKeys>, usize)>,
    records_limit: usize,
}

/// Job records a pool keeps by default: the most recent 65,536 (a few MiB). A service runs for weeks;
/// keeping every record made its memory grow with every job (the simulation of a continuous stream
/// showed it).
pub const DEFAULT_RECORDS_KEPT: usize = 1 << 16;

impl<W: Work> PoolBuilder<W> {
    /// Adds one slot per backend (GPU devices), beside the CPU slots.
    pub fn accelerators(mut self, backends: Vec<Arc<dyn ProvingBackend>>) -> Self {
        self.accelerators.extend(backends);
        self
    }

    /// Adds `slots` wrap slots, which take only wrap jobs and wrap with `keys`.
    pub fn wrapper(mut self, keys: Arc<WrapKeys>, slots: usize) -> Self {
        self.wrap = Some((keys, slots));
        self
    }

    /// Reports queueing, retries and results to `observer`.
    pub fn observer(mut self, observer: Arc<dyn PoolObserver<W>>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Fails attempts on purpose where `faults` says so.
    pub fn faults(mut self, faults: FaultInjector<W::Key>) -> Self {
        self.faults = Some(faults);
        self
    }

    /// Keeps the most recent `limit` job records (default [`DEFAULT_RECORDS_KEPT`]; a measurement that
    /// needs every job's record of a bounded run raises it).
    pub fn keep_records(mut self, limit: usize) -> Self {
        self.records_limit = limit;
        self
    }

    /// Starts the slot threads.
    pub fn start(self) -> ProverPool<W> {
        let cpu = (0..self.config.slots.max(1)).map(|_| {
            Slot::new(
                Arc::new(CpuBackend::new(self.config.threads_per_slot)) as Arc<dyn ProvingBackend>
            )
        });
        let threads = self.config.threads_per_slot;
        let wraps = self.wrap.as_ref().map_or(0, |(_, n)| *n);
        let wrap_slots = (0..wraps)
            .map(|_| Slot::new(Arc::new(WrapBackend::new(threads)) as Arc<dyn ProvingBackend>));
        let slots: Vec<Slot> = cpu
            .chain(self.accelerators.into_iter().map(Slot::new))
            .chain(wrap_slots)
            .collect();
        let shared = Arc::new(Shared::new(
            self.keys,
            self.store,
            self.config,
            slots,
            self.observer,
            self.faults,
            self.records_limit,
            self.wrap.map(|(keys, _)| keys),
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

impl<W: Work> ProverPool<W> {
    /// A pool proving with `keys`, storing artifacts in `store`.
    pub fn builder(
        keys: Arc<KeyStore>,
        store: ArtifactStore,
        config: PoolConfig,
    ) -> PoolBuilder<W> {
        PoolBuilder {
            keys,
            store,
            config,
            observer: None,
            faults: None,
            accelerators: Vec::new(),
            wrap: None,
            records_limit: DEFAULT_RECORDS_KEPT,
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

    /// Queues a job; `reply` is called exactly once with its output or its failure.
    pub fn submit(&self, job: W, reply: Reply<W>) {
        if job.needs_wrap_slot() && !self.shared.slots.iter().any(|s| s.kind == SlotKind::Wrap) {
            // It would wait forever: its batch fails instead, with the reason, and the views and
            // metrics see it queued and failed like any other.
            let reason =
                "a wrap job, and this process has no wrap slot ([prover] wrap_slots): in a \
                          cluster, every process needs the same host file, whose `wrap` tags \
                          name the processes with wrap slots (no tag: every process)";
            tracing::error!(key = %job.key(), "{reason}");
            if let Some(o) = &self.shared.observer {
                o.queued(&job);
                let end = JobEnd::Failed {
                    reason: reason.into(),
                    verification: false,
                };
                o.finished(&job, &end, Duration::ZERO, SlotKind::Wrap);
            }
            reply(Err(job.failure(reason.into())));
            return;
        }
        if let Some(o) = &self.shared.observer {
            o.queued(&job);
        }
        let now = Instant::now();
        let rank = rank(self.shared.config.schedule, job.rank());
        let item = Queued {
            rank,
            seq: self.shared.seq.fetch_add(1, AtomicOrdering::Relaxed),
            attempt: 1,
            not_before: now,
            queued: now,
            job,
            reply,
        };
        let waiting = {
            let mut q = lock(&self.shared.queue);
            q.ready.push(item);
            q.waiting
        };
        if waiting == 0 {
            // Every slot is busy, or about to look at the queue: none sleeps past this job, and a
            // wake-up is a system call for nothing (most jobs of a large batch queue this way).
        } else if self.shared.mixed {
            // Every slot looks: the first may leave it to a GPU slot.
            self.shared.wake.notify_all();
        } else {
            // Slots of one kind all take any job: waking one is enough. Waking every idle slot for
            // each job (hundreds of threads contending for the queue) made the hand-off p99 72 ms
            // and cost ~0.5 ms of CPU per job in `zkstream simulate` at 256 slots.
            self.shared.wake.notify_one();
        }
    }

    /// Jobs waiting (ready or backing off).
    pub fn queued(&self) -> usize {
        let q = lock(&self.shared.queue);
        q.ready.len() + q.delayed.len()
    }

    /// Timing of the finished jobs so far (the most recent ones, see [`PoolBuilder::keep_records`]).
    pub fn records(&self) -> Vec<JobRecord<W::Key>> {
        lock(&self.shared.records).iter().cloned().collect()
    }
}

impl<W: Work> Drop for ProverPool<W> {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, AtomicOrdering::SeqCst);
        self.shared.wake.notify_all();
        for slot in self.slots.drain(..) {
            let _ = slot.join();
        }
    }
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
    use crate::model::{BatchFailure, BatchHeader, JobKind, ProofRef};
    use std::sync::mpsc::channel;
    use zkstream_types::{AggregationRound, CircuitType, Digest, QueueRange};

    /// A pool's builder over an in-memory key store (no key is ever computed) and artifact store.
    fn memory_pool<W: Work>(config: PoolConfig) -> PoolBuilder<W> {
        let keys = KeyStore::open(
            None,
            zkstream_prover::ProofProfile::test(),
            zkstream_prover::TreeShape::default(),
            1,
            1,
        )
        .unwrap();
        ProverPool::builder(
            Arc::new(keys),
            ArtifactStore::open("memory://").unwrap(),
            config,
        )
    }

    /// A leaf job over one child that is not in the store: a retry cannot bring it back.
    fn orphan_leaf() -> Job {
        let range = QueueRange {
            circuit: CircuitType::SHA256,
            start: Digest::default(),
            end: Digest::default(),
            count: 1,
        };
        let header = BatchHeader {
            batch_number: 7,
            protocol_version: 1,
            previous_batch_commitment: Digest::default(),
        };
        let key = |round, index| ArtifactKey {
            protocol_version: 1,
            batch: 7,
            round,
            circuit: Some(CircuitType::SHA256),
            depth: 0,
            index,
        };
        Job {
            key: key(AggregationRound::Leaf, 0),
            header,
            ranges: vec![range],
            siblings: 1,
            kind: JobKind::Aggregate(vec![ProofRef {
                key: key(AggregationRound::Basic, 0),
                header,
                ranges: vec![range],
                siblings: 1,
            }]),
        }
    }

    #[test]
    fn a_failure_a_retry_cannot_help_is_not_retried() {
        let pool: ProverPool = memory_pool(PoolConfig {
            max_attempts: 5,
            backoff: Duration::from_millis(1),
            slots: 2,
            ..PoolConfig::for_cores(1, 1)
        })
        .start();
        let (tx, rx) = channel();
        pool.submit(
            orphan_leaf(),
            Box::new(move |r| {
                let _ = tx.send(r);
            }),
        );
        let failure: BatchFailure = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap()
            .unwrap_err();
        assert_eq!(failure.batch_number, 7);
        assert_eq!(failure.stage.label(), "prove");
        assert!(
            failure.reason.contains("missing from the store")
                && failure.reason.contains("after 1 attempts"),
            "{}",
            failure.reason
        );
        let records = pool.records();
        assert_eq!(records.len(), 1);
        assert_eq!(
            records[0].attempts, 1,
            "a deterministic failure is tried once"
        );
        assert_eq!(
            pool.shared.provers_built.load(AtomicOrdering::Relaxed),
            1,
            "a job of the real family builds its slot's prover, and the idle slot builds none"
        );
    }

    /// A job queued while the slots sleep wakes one of them; a job queued while every slot is busy
    /// sends no wake-up and is taken when a slot frees. Neither waits for a slot's 500-ms poll of the
    /// queue, which is what a lost wake-up would cost.
    #[test]
    fn queued_jobs_start_without_waiting_for_the_poll() {
        use crate::simulated::SimulatedJob;
        use zkstream_fleet::JobId;
        use zkstream_types::SimKey;

        let pool: ProverPool<SimulatedJob> = memory_pool(PoolConfig {
            slots: 2,
            ..PoolConfig::for_cores(1, 1)
        })
        .start();
        let sleeping = |n: usize| {
            let until = Instant::now() + Duration::from_secs(30);
            while lock(&pool.shared.queue).waiting != n {
                assert!(Instant::now() < until, "the slots never went to sleep");
                std::thread::sleep(Duration::from_millis(1));
            }
        };
        let job = |index: u32, ms: u64| {
            let key = SimKey {
                batch: 1,
                round: AggregationRound::Basic,
                circuit: None,
                depth: 0,
                index,
            };
            SimulatedJob::new(
                key,
                JobId(index),
                Vec::new(),
                Duration::from_millis(ms),
                Instant::now(),
                0,
            )
        };
        let (tx, rx) = channel();
        let reply = |tx: std::sync::mpsc::Sender<bool>| -> Reply<SimulatedJob> {
            Box::new(move |r| {
                let _ = tx.send(r.is_ok());
            })
        };
        // Idle slots, one job at a time.
        for i in 0..20 {
            sleeping(2);
            pool.submit(job(i, 0), reply(tx.clone()));
            assert!(rx.recv_timeout(Duration::from_secs(30)).unwrap());
        }
        let mut idle: Vec<Duration> = pool
            .records()
            .iter()
            .map(|r| r.started - r.queued)
            .collect();
        idle.sort();
        assert!(
            idle[10] < Duration::from_millis(100),
            "median {:?}",
            idle[10]
        );
        // Busy slots: once both run a job and none sleeps, the third job sends no wake-up.
        sleeping(2);
        for i in 20..22 {
            pool.submit(job(i, 200), reply(tx.clone()));
        }
        let until = Instant::now() + Duration::from_secs(30);
        while !(lock(&pool.shared.queue).waiting == 0
            && pool
                .shared
                .slots
                .iter()
                .all(|s| s.busy.load(AtomicOrdering::SeqCst)))
        {
            assert!(Instant::now() < until, "the slots never both ran a job");
            std::thread::sleep(Duration::from_millis(1));
        }
        pool.submit(job(22, 0), reply(tx.clone()));
        for _ in 0..3 {
            assert!(rx.recv_timeout(Duration::from_secs(30)).unwrap());
        }
        let records = pool.records();
        let busy: Vec<&JobRecord<SimKey>> = records.iter().filter(|r| r.key.index >= 20).collect();
        let third = busy.iter().max_by_key(|r| r.started).unwrap();
        let freed = busy.iter().map(|r| r.finished).min().unwrap();
        assert!(third.started >= freed);
        assert!(
            third.started - freed < Duration::from_millis(100),
            "taken {:?} after a slot freed",
            third.started - freed
        );
        assert_eq!(
            pool.shared.provers_built.load(AtomicOrdering::Relaxed),
            0,
            "simulated jobs prove nothing: no slot builds a prover (nor its thread pool)"
        );
    }

    /// A service keeps only the most recent records: its memory does not grow with every job.
    #[test]
    fn only_the_most_recent_records_are_kept() {
        let pool: ProverPool = memory_pool(PoolConfig::for_cores(1, 1))
            .keep_records(2)
            .start();
        let (tx, rx) = channel();
        for _ in 0..3 {
            let tx = tx.clone();
            pool.submit(
                orphan_leaf(),
                Box::new(move |r| {
                    let _ = tx.send(r.is_err());
                }),
            );
        }
        for _ in 0..3 {
            assert!(rx.recv_timeout(Duration::from_secs(30)).unwrap());
        }
        assert_eq!(pool.records().len(), 2);
        assert_eq!(
            pool.shared.provers_built.load(AtomicOrdering::Relaxed),
            1,
            "a slot builds its prover once, not once a job"
        );
    }

    #[test]
    fn verification_failures_are_typed_not_read_from_the_text() {
        use zkstream_prover::ProverError;
        let verification = |e: ProverError| JobError::Prover(e).is_verification_failure();
        assert!(verification(ProverError::SelfCheckFailed("x".into())));
        assert!(verification(ProverError::ChildRejected {
            parent: "leaf".into(),
            index: 0,
            reason: "anything".into(),
        }));
        // A backend's job failure is no verification failure, whatever its text says; a retry may help.
        let backend = JobError::Prover(ProverError::Backend("proof does not verify".into()));
        assert!(!backend.is_verification_failure() && backend.is_retryable());
        assert!(!JobError::MissingArtifact("verify".into()).is_verification_failure());
        assert!(!JobError::Injected.is_verification_failure());
    }

    #[test]
    fn retry_hints_follow_the_cause() {
        assert!(JobError::Injected.is_retryable());
        assert!(JobError::Panicked.is_retryable());
        assert!(
            JobError::Prover(zkstream_prover::ProverError::SelfCheckFailed("x".into()))
                .is_retryable()
        );
        let key = orphan_leaf().key;
        assert!(!JobError::MissingArtifact(key.to_string()).is_retryable());
        assert!(
            !JobError::Prover(zkstream_prover::ProverError::Unsatisfiable("x".into()))
                .is_retryable()
        );
        assert!(
            !JobError::Prover(zkstream_prover::ProverError::BatchTooLarge {
                circuit: CircuitType::SHA256,
                needed: 9,
                limit: 4,
            })
            .is_retryable()
        );
    }
}
