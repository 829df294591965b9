//! What the pool proves: any [`Work`]. A job names its artifact (a key with an object path), its place
//! in the queue ([`Rank`]: a scope such as a batch or a run, and a stage within it), the circuit a slot
//! must support, the artifacts it reads, and how one attempt runs. The pool and the store read nothing
//! else, so the batch tree's jobs ([`crate::model::Job`]), user-proof mode's chunk and node jobs
//! ([`crate::user_tree::UserJob`]) and a later circuit family's share the queue, routing, retries,
//! artifact reuse and metrics without either naming a circuit type.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use zkstream_prover::field::BProof;
use zkstream_prover::wrap::WrapKeys;
use zkstream_prover::{decode_proof, CircuitId, KeyStore, Prover, ProverError, ProvingBackend};
use zkstream_types::Digest;

use super::error::JobError;
use crate::store::ArtifactStore;

/// A job's place in the queue: under [`super::Schedule::Latency`] the oldest scope first, then the
/// highest stage; under [`super::Schedule::Throughput`] the lowest stage first, then the oldest scope.
/// Within those, the most urgent first, then the first queued.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rank {
    /// The batch number, or the run number: what finishes in order.
    pub scope: u64,
    /// How far up its tree the job is (0 for the leaves' provers).
    pub stage: u32,
    /// Higher goes first among jobs of one scope and stage: the longest chain still ahead of the job
    /// where the family knows its durations (a simulated job: modeled µs), else 0 (first queued
    /// first).
    pub urgency: u64,
}

/// What one attempt at a job may use: the keys, the store, and the slot's prover.
pub struct JobContext<'a> {
    /// The process's keys.
    pub keys: &'a KeyStore,
    /// The artifact store every job reads its children from and writes its artifact to.
    pub store: &'a ArtifactStore,
    /// The prover of the slot running the attempt (its backend: CPU or a GPU), built on first use.
    pub(super) prover: &'a SlotProver<'a>,
    /// The wrap's keys, when the pool has wrap slots.
    pub wrap: Option<&'a WrapKeys>,
    /// The slot's threads.
    pub threads: usize,
}

/// A slot's prover, built when a job of the slot first needs it: a prover owns a thread pool
/// (boojum's `Worker`, threads with 8-MiB stacks), which jobs that prove nothing never use. A
/// simulated fleet of 1,024 slots built 1,024 of them, and their 1,024 threads, as its first jobs
/// started (README.md, "Scale": the run's peak RSS fell by a third without them).
pub(super) struct SlotProver<'a> {
    keys: &'a Arc<KeyStore>,
    threads: usize,
    backend: &'a Arc<dyn ProvingBackend>,
    built: OnceLock<Prover>,
    /// The pool's count of the slot provers built.
    count: &'a AtomicUsize,
}

impl<'a> SlotProver<'a> {
    /// The prover of a slot of `threads` threads proving on `backend`, not built yet; building it
    /// adds one to `count`.
    pub(super) fn new(
        keys: &'a Arc<KeyStore>,
        threads: usize,
        backend: &'a Arc<dyn ProvingBackend>,
        count: &'a AtomicUsize,
    ) -> Self {
        SlotProver {
            keys,
            threads,
            backend,
            built: OnceLock::new(),
            count,
        }
    }

    /// The prover, built now if it is not yet. boojum panics when it cannot start a prover's
    /// threads, which is mostly passing (a thread limit, memory): that attempt fails with a
    /// retryable error and the next job of the slot tries the build again. (Taking the slot out
    /// instead could take out every slot at once, and leave their jobs waiting with no reply.)
    fn get(&self) -> Result<&Prover, JobError> {
        if let Some(p) = self.built.get() {
            return Ok(p);
        }
        let build = || {
            Prover::new(Arc::clone(self.keys), self.threads).with_backend(Arc::clone(self.backend))
        };
        match catch_unwind(AssertUnwindSafe(build)) {
            Ok(p) => {
                self.count.fetch_add(1, Ordering::Relaxed);
                Ok(self.built.get_or_init(|| p))
            }
            Err(panic) => {
                let why = panic
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| panic.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "it panicked".into());
                Err(JobError::Prover(ProverError::Backend(format!(
                    "the slot's prover could not be built: {why}"
                ))))
            }
        }
    }
}

impl JobContext<'_> {
    /// The prover of the slot running the attempt (its backend: CPU or a GPU), or a retryable
    /// error when it could not be built.
    pub fn prover(&self) -> Result<&Prover, JobError> {
        self.prover.get()
    }

    /// Whether a stored proof of circuit `id` may stand in for a new one: it was made under the
    /// circuit's current key (`vk_commitment`), it exposes what the job must expose (`exposes`), and
    /// it verifies against the pinned VK. A check that errs (a proof that does not decode, a key that
    /// cannot be read) says no: the job is proved again, and the reason is logged under `key`.
    pub fn reusable(
        &self,
        key: &dyn fmt::Display,
        id: CircuitId,
        vk_commitment: Digest,
        proof: &[u8],
        exposes: impl FnOnce(&BProof) -> Result<bool, JobError>,
    ) -> bool {
        let check = || -> Result<bool, JobError> {
            if vk_commitment != self.keys.vk_commitment(id)? {
                return Ok(false);
            }
            let proof = decode_proof(proof)?;
            Ok(exposes(&proof)? && self.prover()?.verify(id, &proof)?)
        };
        check().unwrap_or_else(|e| {
            tracing::warn!(%key, error = %e, "stored proof unusable; proving again");
            false
        })
    }
}

/// How an attempt ended well.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Attempt {
    /// Proved now; the artifact is stored.
    Proved,
    /// A stored artifact that verifies was found and kept (recovery).
    Reused,
}

/// A job of the prover pool.
pub trait Work: Send + 'static {
    /// The key of its artifact (and of the artifacts it reads).
    type Key: Copy + fmt::Display + fmt::Debug + Send + Sync + 'static;
    /// What its reply carries once the artifact is stored.
    type Output: Send + 'static;
    /// What its reply carries when every attempt failed.
    type Failure: Send + 'static;
    /// Whether it is a simulated job (`operators/src/simulated.rs`): it proves nothing, and the pool
    /// never logs or counts it as a proof.
    const SIMULATED: bool = false;

    /// The artifact it produces.
    fn key(&self) -> Self::Key;
    /// Its place in the queue.
    fn rank(&self) -> Rank;
    /// The circuit it proves, which a slot's backend must support; `None` for a job that needs no key
    /// (a simulated job, which any slot runs; a real job without a circuit fails in [`Work::run`]).
    fn circuit(&self) -> Option<CircuitId>;
    /// The artifacts it reads.
    fn children(&self) -> Vec<Self::Key>;
    /// Whether it runs only on a wrap slot (`SlotKind::Wrap`), which runs no other job.
    fn needs_wrap_slot(&self) -> bool {
        false
    }
    /// One attempt: reuse a stored artifact that verifies, or load the children, prove and store the
    /// artifact, and only then return.
    fn run(&self, ctx: &JobContext<'_>) -> Result<Attempt, JobError>;
    /// The reply once its artifact is stored.
    fn output(&self) -> Self::Output;
    /// The reply once it failed for good (`reason` says why, attempts included).
    fn failure(&self, reason: String) -> Self::Failure;
    /// Metric labels: its stage (e.g. `leaf`, `user_chunk`) and its circuit (e.g. `sha256`, a family).
    fn labels(&self) -> (&'static str, String);
}
