//! The slots: one thread each, taking the best job it may ([`super::routing`]) from the queue, running
//! it ([`Work::run`]) and replying. A failed attempt is retried after a backoff, up to `max_attempts`,
//! when a retry can help ([`JobError::is_retryable`]); otherwise, or after the last attempt, the reply
//! is a failure ([`Work::failure`]). A slot whose device fails is taken out and its job goes back to
//! the queue for another slot without using up an attempt; a slot whose backend cannot prove a circuit
//! leaves such jobs to others.

use std::collections::HashSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zkstream_prover::{CircuitId, ProverError, ProvingBackend, SlotKind};

use super::error::JobError;
use super::queue::Queued;
use super::routing::{decide, Decision};
use super::work::{Attempt, JobContext, SlotProver, Work};
use super::{lock, JobEnd, JobRecord, Shared, SlotInfo};

/// A slot's state, shared with the queue so others can see who is busy and who is gone.
pub(super) struct Slot {
    /// What it proves on.
    pub(super) backend: Arc<dyn ProvingBackend>,
    /// CPU or GPU.
    pub(super) kind: SlotKind,
    /// False once its device failed.
    pub(super) healthy: AtomicBool,
    /// Proving now.
    pub(super) busy: AtomicBool,
    /// Circuits its backend turned out not to prove.
    pub(super) unsupported: Mutex<HashSet<CircuitId>>,
}

impl Slot {
    pub(super) fn new(backend: Arc<dyn ProvingBackend>) -> Self {
        Slot {
            kind: backend.info().kind,
            backend,
            healthy: AtomicBool::new(true),
            busy: AtomicBool::new(false),
            unsupported: Mutex::new(HashSet::new()),
        }
    }

    pub(super) fn supports(&self, id: Option<CircuitId>) -> bool {
        match id {
            // A job naming no circuit fails in `Work::run`, on whichever slot.
            None => true,
            Some(id) => self.backend.supports(id).is_ok() && !lock(&self.unsupported).contains(&id),
        }
    }
}

fn next_job<W: Work>(shared: &Shared<W>, me: usize) -> Option<Queued<W>> {
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
        q.waiting += 1;
        q = shared
            .wake
            .wait_timeout(q, wait)
            .unwrap_or_else(|p| p.into_inner())
            .0;
        q.waiting -= 1;
    }
}

/// Takes slot `me` out of the pool (its device failed) and says so.
fn take_out<W: Work>(shared: &Shared<W>, me: usize, error: &str) {
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
fn requeue<W: Work>(shared: &Shared<W>, item: Queued<W>) {
    lock(&shared.queue).ready.push(item);
    shared.wake.notify_all();
}

/// Pays a slot thread's one-time costs when the pool starts, not on its first job: above all the
/// tracing registry's pages for the thread, which its first span allocates (with the thread's first
/// heap allocations, for the span's fields), and also its hash keys. When a batch's first jobs woke every slot at once, each first job paid them,
/// and the slots woken last waited behind the others' (README, "Scale").
fn warm_up(me: usize, kind: SlotKind) {
    let span = tracing::info_span!("slot", slot = me, kind = %kind);
    drop(span.enter());
    std::hint::black_box(std::collections::hash_map::RandomState::new());
}

pub(super) fn slot_loop<W: Work>(shared: &Shared<W>, me: usize) {
    let slot = &shared.slots[me];
    let prover = SlotProver::new(
        &shared.keys,
        shared.config.threads_per_slot,
        &slot.backend,
        &shared.provers_built,
    );
    let ctx = JobContext {
        keys: &shared.keys,
        store: &shared.store,
        prover: &prover,
        wrap: shared.wrap.as_deref(),
        threads: shared.config.threads_per_slot,
    };
    warm_up(me, slot.kind);
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
        let key = item.job.key();
        let (stage, circuit) = item.job.labels();
        let span = tracing::info_span!(
            "job",
            key = %key,
            scope = item.job.rank().scope,
            stage,
            circuit = %circuit,
            attempt = item.attempt,
            slot = me,
            kind = %slot.kind
        );
        let _enter = span.enter();
        let result = match &shared.faults {
            Some(f) if f(&key, item.attempt) => Err(JobError::Injected),
            _ => catch_unwind(AssertUnwindSafe(|| item.job.run(&ctx)))
                .unwrap_or(Err(JobError::Panicked)),
        };
        let finished = Instant::now();
        slot.busy.store(false, AtomicOrdering::SeqCst);
        let end = match result {
            Ok(Attempt::Reused) => JobEnd::Reused,
            Ok(Attempt::Proved) => JobEnd::Proved,
            Err(JobError::Prover(ProverError::Device(e))) => {
                take_out(shared, me, &e);
                requeue(shared, item);
                return;
            }
            Err(JobError::Prover(ProverError::Unsupported(e))) => {
                if let Some(id) = item.job.circuit() {
                    lock(&slot.unsupported).insert(id);
                }
                tracing::warn!(error = %e, "slot cannot prove this circuit; another slot will");
                requeue(shared, item);
                continue;
            }
            Err(e) if e.is_retryable() && item.attempt < shared.config.max_attempts => {
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
            Err(e) => {
                if e.is_retryable() {
                    tracing::error!(error = %e, "job failed after its last attempt");
                } else {
                    tracing::error!(error = %e, "job failed; a retry cannot help");
                }
                JobEnd::Failed {
                    reason: e.to_string(),
                    verification: e.is_verification_failure(),
                }
            }
        };
        let took = finished.duration_since(started);
        if end == JobEnd::Proved && W::SIMULATED {
            tracing::debug!(
                took_ms = took.as_millis() as u64,
                "simulated job done (not a proof)"
            );
        } else if end == JobEnd::Proved {
            // One line per proof made (a killed run prints no summary: this is what counts its work).
            tracing::info!(took_ms = took.as_millis() as u64, "proof generated");
        } else {
            tracing::debug!(took_ms = took.as_millis() as u64, ?end, "job done");
        }
        if end == JobEnd::Proved {
            lock(&shared.times).record(item.job.circuit(), slot.kind, took);
        }
        if let Some(o) = &shared.observer {
            o.finished(&item.job, &end, took, slot.kind);
        }
        let mut records = lock(&shared.records);
        if records.len() >= shared.records_limit {
            records.pop_front();
        }
        records.push_back(JobRecord {
            key,
            children: item.job.children(),
            queued: item.queued.duration_since(shared.epoch),
            started: started.duration_since(shared.epoch),
            finished: finished.duration_since(shared.epoch),
            attempts: item.attempt,
            end: end.clone(),
            slot: slot.kind,
        });
        drop(records);
        let reply = match end {
            JobEnd::Failed { reason, .. } => Err(item
                .job
                .failure(format!("{reason} (after {} attempts)", item.attempt))),
            _ => Ok(item.job.output()),
        };
        (item.reply)(reply);
    }
}
