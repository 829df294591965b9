//! The sink thread of process 0: everything that leaves the dataflow goes through it, in the order the
//! ordered stage released it. Per final proof: check it on its own (a proof that does not verify is never
//! delivered), claim it under this process's fencing epoch (`zkstream_operators::fence`: a process
//! that started later for the same store fences this one, which stops here), hand it to every proof sink
//! in turn (each retries transient failures and never skips; each gets the epoch as a fencing token),
//! claim and persist the delivery progress (`state/delivered` in the artifact store: last batch, its commitment,
//! and the records delivery settled that a restart may read again), then settle its records and commit
//! offsets. Per dead letter: write it to the DLQ topic,
//! then settle and commit its offset. A gap leaves its records open (a restart replays them).
//!
//! Running the sinks here, not in a timely operator, keeps slow HTTP retries off the worker threads; the
//! pipeline's backpressure (`max_batches_in_flight`) bounds what can queue up in front of it.

use std::collections::BTreeMap;
use std::collections::VecDeque;
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;

use zkstream_operators::fence::{Claim, Fence, FenceError};
use zkstream_operators::model::{Delivery, FailureStage};
use zkstream_operators::store::{ArtifactStore, Deleted, StoreError};
use zkstream_prover::wrap::WrapperVk;
use zkstream_prover::{verify_final_record, KeyStore};
use zkstream_sinks::dlq::DeadLetter;
use zkstream_sinks::{DeadLetterSink, ProofSink, SinkError};
use zkstream_sources::{Delivered, OffsetCommitter, OffsetTracker, ReadMark, Settle};
use zkstream_types::{Digest, FinalBatchProof, Rejected};

use crate::pipeline::Hooks;
use crate::telemetry::Telemetry;

/// Name of the delivery progress record in the artifact store.
pub const PROGRESS: &str = "delivered";

/// How far delivery got: the last batch every sink acknowledged, its commitment (the next batch's
/// previous commitment), and which records a restart may read again that delivery settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryProgress {
    /// The batch.
    pub batch_number: u64,
    /// Its commitment.
    pub batch_commitment: Digest,
    /// The records delivery settled that a restart may read again (the readers skip exactly those below
    /// the start and dead-letter any other copy of a delivered batch). `None` for a progress record
    /// written before they were kept (`v1`: every replayed record below the start is skipped).
    pub delivered: Option<Delivered>,
}

const V1: &str = "zkstream delivery progress v1";
const V2: &str = "zkstream delivery progress v2";

impl DeliveryProgress {
    fn encode(&self) -> Vec<u8> {
        let mut text = format!(
            "{}\nbatch {}\ncommitment {}\n",
            if self.delivered.is_some() { V2 } else { V1 },
            self.batch_number,
            self.batch_commitment.to_hex()
        );
        if let Some(d) = &self.delivered {
            text.push_str(&format!("judged-from {}\n", d.judged_from));
            for (partition, offset) in &d.committed {
                text.push_str(&format!("committed {partition} {offset}\n"));
            }
            for (partition, offset) in &d.records {
                text.push_str(&format!("record {partition} {offset}\n"));
            }
        }
        text.into_bytes()
    }

    fn decode(bytes: &[u8]) -> Option<Self> {
        let text = std::str::from_utf8(bytes).ok()?;
        let mut lines = text.lines();
        let v2 = match lines.next()? {
            V1 => false,
            V2 => true,
            _ => return None,
        };
        let batch_number = lines.next()?.strip_prefix("batch ")?.parse().ok()?;
        let batch_commitment = Digest::from_hex(lines.next()?.strip_prefix("commitment ")?)?;
        let mut delivered = Delivered {
            through: batch_number,
            ..Delivered::default()
        };
        for line in lines {
            if let Some(n) = line.strip_prefix("judged-from ").filter(|_| v2) {
                delivered.judged_from = n.parse().ok()?;
                continue;
            }
            let (what, rest) = line.split_once(' ')?;
            let (partition, offset) = rest.split_once(' ')?;
            let (partition, offset): (i32, i64) = (partition.parse().ok()?, offset.parse().ok()?);
            match what {
                "committed" if v2 => {
                    delivered.committed.insert(partition, offset);
                }
                "record" if v2 => {
                    delivered.records.insert((partition, offset));
                }
                _ => return None,
            }
        }
        Some(DeliveryProgress {
            batch_number,
            batch_commitment,
            delivered: v2.then_some(delivered),
        })
    }

    /// What a run starting at batch `start` after `progress` (none: a fresh store) carries into the
    /// progress records it saves: the stored list when it resumes right after the last delivered batch;
    /// otherwise (an older record, a fresh store, a configured start further on) batches below `start`
    /// are not judged, since the records it skips below them may be read before or after its first save.
    pub fn resume(progress: Option<&Self>, start: u64) -> Delivered {
        match progress.and_then(|p| p.delivered.as_ref()) {
            Some(d) if start == d.through + 1 => d.clone(),
            Some(d) => Delivered {
                judged_from: d.judged_from.max(start),
                ..d.clone()
            },
            None => Delivered {
                judged_from: start,
                ..Delivered::default()
            },
        }
    }

    /// Reads the progress record; `Ok(None)` on a fresh store.
    pub fn load(store: &ArtifactStore) -> Result<Option<Self>, DeliveryError> {
        match store.get_state(PROGRESS).map_err(Box::new)? {
            None => Ok(None),
            Some(bytes) => Self::decode(&bytes)
                .map(Some)
                .ok_or(DeliveryError::Progress),
        }
    }

    fn save(&self, store: &ArtifactStore) -> Result<(), DeliveryError> {
        Ok(store.put_state(PROGRESS, self.encode()).map_err(Box::new)?)
    }
}

/// Errors of the sink thread.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// A sink failed for good.
    #[error("sink {sink}: {source}")]
    Sink {
        /// Which sink.
        sink: String,
        /// Its error.
        source: Box<SinkError>,
    },
    /// The store could not record progress.
    #[error("delivery progress: {0}")]
    Store(#[from] Box<StoreError>),
    /// A newer epoch fenced this process, or the fence could not be read.
    #[error("{0}")]
    Fence(#[from] FenceError),
    /// The stored progress record is unreadable.
    #[error("the delivery progress record (state/delivered) is corrupt")]
    Progress,
    /// The sink thread panicked.
    #[error("the sink thread panicked")]
    Panicked,
}

impl DeliveryError {
    /// Whether a newer epoch fenced this process (at its claim, or by a sink that checks the token).
    pub fn is_fenced(&self) -> bool {
        match self {
            DeliveryError::Fence(e) => matches!(e, FenceError::Fenced { .. }),
            DeliveryError::Sink { source, .. } => matches!(**source, SinkError::Fenced { .. }),
            _ => false,
        }
    }

    /// Whether a restart can deliver what this stopped: a sink or store fault may pass (the batches
    /// are replayed and delivered again, idempotently); a corrupt progress record or a panic stays.
    pub fn is_retryable(&self) -> bool {
        match self {
            DeliveryError::Sink { source, .. } => source.is_retryable(),
            DeliveryError::Store(e) => e.is_retryable(),
            DeliveryError::Fence(e) => e.is_retryable(),
            DeliveryError::Progress | DeliveryError::Panicked => false,
        }
    }
}

/// What the sink thread did.
#[derive(Clone, Debug, Default)]
pub struct DeliveryReport {
    /// Batches delivered to every sink, in order.
    pub delivered: Vec<u64>,
    /// Gaps: (batch, stage, reason).
    pub gaps: Vec<(u64, FailureStage, String)>,
    /// Batches left for the next start by a drain (SIGTERM): the first batch the readers had not read
    /// when they stopped, and every outcome after it. Nothing of them is delivered, settled or
    /// committed, so the next start reads them again (and reuses the proofs already stored).
    pub left: Vec<u64>,
    /// Final proofs that failed the record check (never delivered).
    pub unverified: Vec<(u64, String)>,
    /// Dead letters written.
    pub dead_letters: u64,
    /// Batches delivered whose progress record could not be saved yet: their records stay uncommitted
    /// until a later save succeeds (a restart would start at the first of them).
    pub unsaved: Vec<u64>,
    /// Offset commits made.
    pub commits: u64,
    /// The first permanent sink error, after which nothing more was delivered.
    pub error: Option<String>,
    /// Whether that error may pass, so that a restart (which replays and delivers again,
    /// idempotently) can go on: a sink or dead-letter fault that may pass says yes, a final proof
    /// that does not verify says no.
    pub error_may_pass: bool,
    /// Whether that error is a newer epoch's fence: from then on this thread writes nothing (no
    /// delivery, dead letter, offset commit or deletion) and the process should stop.
    pub fenced: bool,
}

enum Event {
    Mark(ReadMark),
    Accepted(u64, i32, i64),
    Rejected(Box<Rejected>),
    Delivery(Box<Delivery>),
    /// Answered once everything sent before it is handled and a commit was tried.
    Flush(Sender<()>),
    Done,
}

/// Waits for the delivery thread to catch up (see [`DeliveryThread::flusher`]).
#[derive(Clone)]
pub struct Flusher(Sender<Event>);

impl Flusher {
    /// Waits up to `timeout` until everything the dataflow sent so far is delivered (or refused) and a
    /// commit of the offsets was tried; `false` if that did not happen in time, or the thread had
    /// stopped or is fenced (it then answers nothing).
    pub fn flush(&self, timeout: std::time::Duration) -> bool {
        let (tx, rx) = channel();
        self.0.send(Event::Flush(tx)).is_ok() && rx.recv_timeout(timeout).is_ok()
    }
}

/// Where the sink thread sends things.
pub struct Outputs {
    /// The proof sinks, fed in order.
    pub sinks: Vec<Box<dyn ProofSink>>,
    /// The dead-letter sink (absent: dead letters are only logged, and their offsets stay open).
    pub dlq: Option<DeadLetterSink>,
    /// The topic records were read from (for the dead letters' headers).
    pub source_topic: String,
    /// The offset committer (absent: nothing is committed).
    pub committer: Option<OffsetCommitter>,
    /// The artifact store that keeps the delivery progress.
    pub store: ArtifactStore,
    /// Keys to check each final proof with before delivery.
    pub keys: Arc<KeyStore>,
    /// The pinned wrapper key wrapped records are checked against (absent: a wrapped record is
    /// refused).
    pub wrapper: Option<WrapperVk>,
    /// Metrics and views to update (batches, sinks, dead letters, latency, oldest unproven batch).
    pub telemetry: Option<Arc<Telemetry>>,
    /// Whether delivery goes on past a batch whose final proof does not verify (`pipeline.allow_gaps`);
    /// if not, nothing after it is delivered and its offsets stay uncommitted.
    pub allow_gaps: bool,
    /// What the progress record this run resumed from says delivery settled (default on a fresh store):
    /// kept, and extended, in every progress record this run saves.
    pub delivered: Delivered,
    /// The epoch this process delivers under, taken before the progress was read (absent: unfenced,
    /// for tests of one deliverer). Each batch is claimed before the sinks, its progress before it is
    /// saved; the sinks get the epoch as a fencing token.
    pub fence: Option<Fence>,
    /// Called with the batch number between a batch's claim and its delivery (tests pause here to race
    /// two deliverers).
    pub after_claim: Option<Box<dyn Fn(u64) + Send>>,
    /// Retention of delivered batches' intermediate proofs (absent: all kept).
    pub retention: Option<Retention>,
    /// Called once, with the reason, when a newer epoch fences this process (the binary stops there).
    pub on_fenced: Option<FencedHook>,
}

/// Told the reason when a newer epoch fences the deliverer.
pub type FencedHook = Box<dyn Fn(&str) + Send>;

/// Retention (`[store] keep_intermediates_hours`, `keep_all`): a delivered batch's intermediate proofs
/// are deleted `keep` after every sink acknowledged its final proof and its offsets were committed. At
/// start, the batches delivered before (up to the progress record) are swept once, from the
/// `state/retained` mark on.
#[derive(Clone, Copy, Debug)]
pub struct Retention {
    /// How long the intermediates stay after delivery.
    pub keep: std::time::Duration,
    /// The protocol version whose batches are swept at start.
    pub protocol_version: u32,
}

/// Name of the retention mark: every batch up to it has no intermediate proofs left.
pub const RETAINED: &str = "retained";

/// A delivered batch whose intermediates wait for its offsets to commit and its keep time to pass.
struct Expiring {
    batch: u64,
    protocol_version: u32,
    /// Its record's position (none without a committer or a record).
    record: Option<(i32, i64)>,
    delivered_at: std::time::Instant,
}

/// Which records delivery settled: what a restart must skip, not dead-letter, when it reads them again.
struct Positions {
    /// Records the chain check accepted, batch → (partition, offset), until their batch is decided.
    accepted: BTreeMap<u64, (i32, i64)>,
    /// What goes into the progress record.
    delivered: Delivered,
}

impl Positions {
    /// Batch `n` was decided (delivered, or a gap): its accepted record is settled by delivery.
    fn decided(&mut self, n: u64) {
        if let Some(position) = self.accepted.remove(&n) {
            self.delivered.records.insert(position);
        }
    }

    /// Batch `n` was delivered: the list to save with it, without the records below the offsets the
    /// committer has committed since (a restart does not read them again).
    fn delivered(&mut self, n: u64, tracker: Option<&OffsetTracker>) -> Delivered {
        self.decided(n);
        self.delivered.through = self.delivered.through.max(n);
        if let Some(t) = tracker {
            for (p, o) in t.committed_offsets() {
                let c = self.delivered.committed.entry(p).or_insert(o);
                *c = (*c).max(o);
            }
        }
        self.delivered.prune();
        self.delivered.clone()
    }
}

/// The running sink thread.
pub struct DeliveryThread {
    tx: Sender<Event>,
    handle: JoinHandle<DeliveryReport>,
}

impl DeliveryThread {
    /// Starts the thread. `on_delivered` is called after each batch is delivered (progress output).
    pub fn start(
        outputs: Outputs,
        on_delivered: Box<dyn Fn(&FinalBatchProof) + Send>,
    ) -> Result<Self, DeliveryError> {
        let (tx, rx) = channel();
        let handle = std::thread::Builder::new()
            .name("zkstream-sinks".into())
            .spawn(move || serve(outputs, rx, on_delivered))
            .map_err(|_| DeliveryError::Panicked)?;
        Ok(DeliveryThread { tx, handle })
    }

    /// Pipeline hooks that feed this thread.
    pub fn hooks(&self) -> Hooks {
        let (a, b, c, d) = (
            self.tx.clone(),
            self.tx.clone(),
            self.tx.clone(),
            self.tx.clone(),
        );
        Hooks {
            on_delivery: Arc::new(move |d: &Delivery| {
                let _ = a.send(Event::Delivery(Box::new(d.clone())));
            }),
            on_reject: Arc::new(move |r: &Rejected| {
                let _ = b.send(Event::Rejected(Box::new(r.clone())));
            }),
            on_mark: Arc::new(move |m: &ReadMark| {
                let _ = c.send(Event::Mark(*m));
            }),
            on_accept: Arc::new(move |n, p, o| {
                let _ = d.send(Event::Accepted(n, p, o));
            }),
        }
    }

    /// A handle that waits for this thread to catch up: the drain watchdog's last step before it
    /// leaves the process (`crate::lifecycle`).
    pub fn flusher(&self) -> Flusher {
        Flusher(self.tx.clone())
    }

    /// Waits until everything sent so far is handled; returns the report.
    pub fn finish(self) -> Result<DeliveryReport, DeliveryError> {
        let _ = self.tx.send(Event::Done);
        self.handle.join().map_err(|_| DeliveryError::Panicked)
    }
}

fn serve(
    mut out: Outputs,
    rx: Receiver<Event>,
    on_delivered: Box<dyn Fn(&FinalBatchProof) + Send>,
) -> DeliveryReport {
    let mut report = DeliveryReport::default();
    if let Some(epoch) = out.fence.as_ref().map(Fence::epoch) {
        for sink in out.sinks.iter_mut() {
            sink.set_epoch(epoch);
        }
    }
    let mut positions = Positions {
        accepted: BTreeMap::new(),
        delivered: std::mem::take(&mut out.delivered),
    };
    let mut sweeping = None;
    if let Some(retention) = out.retention {
        // The batches delivered before this start, on a thread of its own: a long sweep delays no
        // delivery (and a run that ends waits for it).
        let (store, telemetry) = (out.store.clone(), out.telemetry.clone());
        let through = positions.delivered.through;
        let swept = std::thread::Builder::new()
            .name("zkstream-retention".into())
            .spawn(move || sweep(&store, telemetry.as_ref(), retention, through));
        match swept {
            Ok(handle) => sweeping = Some(handle),
            Err(error) => tracing::warn!(%error, "retention: the sweep at start did not start"),
        }
    }
    let mut expiring = VecDeque::new();
    let health = out.telemetry.as_ref().map(|t| Arc::clone(&t.health));
    loop {
        // Alive (`/healthz`) while it waits for events; see below for a delivery.
        if let Some(h) = &health {
            h.beat("delivery");
        }
        // Wakes up now and then while intermediates wait for their keep time to pass.
        let event = match rx.recv_timeout(std::time::Duration::from_secs(1)) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => {
                if !report.fenced {
                    expire(&mut out, &mut expiring);
                }
                continue;
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        let mut flushed = None;
        match event {
            Event::Done => break,
            // Fenced: a newer process delivers, dead-letters and commits for this store now.
            _ if report.fenced => continue,
            Event::Flush(reply) => flushed = Some(reply),
            // A drain stopped the readers before this batch: it and what follows wait for the next start.
            Event::Delivery(d) if !report.left.is_empty() => report.left.push(d.batch_number()),
            Event::Delivery(d)
                if health.as_ref().is_some_and(|h| h.draining())
                    && matches!(&*d, Delivery::Gap(f) if f.stage == FailureStage::Source) =>
            {
                let n = d.batch_number();
                tracing::info!(
                    batch = n,
                    "draining: batch {n} was not read before the readers stopped; it and every later \
                     batch are left for the next start"
                );
                if let Some(t) = &out.telemetry {
                    t.batch_failed(n);
                }
                report.left.push(n);
            }
            Event::Mark(m) => {
                if let (Settle::OnDelivery(n), Some(t)) = (m.settle, &out.telemetry) {
                    t.batch_read(n);
                }
                // Skipped as delivered: a later restart skips it again until its offset commits.
                if m.settle == Settle::Now {
                    positions.delivered.records.insert((m.partition, m.offset));
                }
                if let Some(c) = out.committer.as_mut() {
                    c.tracker().read(m);
                }
            }
            Event::Accepted(n, p, o) => {
                positions.accepted.insert(n, (p, o));
                if let Some(c) = out.committer.as_mut() {
                    c.tracker().accepted(p, o);
                }
            }
            Event::Rejected(r) => {
                // The dead-letter topic's writer retries for as long as the brokers are away: not a
                // stuck thread, so it is not watched meanwhile (as a delivery, below).
                if let Some(h) = &health {
                    h.stopped("delivery");
                }
                dead_letter(&mut out, &mut report, &r)
            }
            Event::Delivery(d) => match *d {
                Delivery::Proof(p) => {
                    let span = tracing::info_span!("batch", batch = p.batch_number);
                    let _entered = span.enter();
                    // A sink may retry for as long as its service is away: not a stuck thread (the
                    // sink's metrics and alerts say so), so the thread is not watched meanwhile.
                    if let Some(h) = &health {
                        h.stopped("delivery");
                    }
                    // Delivered, a gap (did not verify), or held back by a failed sink (stays unproven).
                    let outcome = deliver(
                        &mut out,
                        &mut report,
                        &mut positions,
                        &mut expiring,
                        &p,
                        &*on_delivered,
                    );
                    match (outcome, &out.telemetry) {
                        (Some(true), Some(t)) => t.batch_delivered(p.batch_number),
                        (Some(false), Some(t)) => t.batch_failed(p.batch_number),
                        _ => {}
                    }
                }
                Delivery::Gap(f) => {
                    if let Some(t) = &out.telemetry {
                        t.batch_failed(f.batch_number);
                    }
                    tracing::error!(batch = f.batch_number, stage = %f.stage, reason = %f.reason, "gap: batch not delivered");
                    positions.decided(f.batch_number);
                    if let Some(c) = out.committer.as_mut() {
                        c.tracker().gap(f.batch_number);
                    }
                    report.gaps.push((f.batch_number, f.stage, f.reason));
                }
            },
        }
        if report.fenced {
            if let Some(stop) = out.on_fenced.take() {
                stop(report.error.as_deref().unwrap_or("fenced"));
            }
            continue;
        }
        if let Some(c) = out.committer.as_mut() {
            match c.commit() {
                Ok(()) => report.commits = c.commits(),
                Err(e) => tracing::warn!(error = %e, "offset commit failed; will retry"),
            }
        }
        if let Some(reply) = flushed {
            let _ = reply.send(());
        }
        expire(&mut out, &mut expiring);
    }
    if let Some(h) = &health {
        h.stopped("delivery");
    }
    // The last commit may have failed (broker away): try again for a while before giving up (what is
    // not committed is only replayed on the next start: what delivery settled is skipped again).
    if let Some(c) = out.committer.as_mut().filter(|_| !report.fenced) {
        let mut wait = std::time::Duration::from_millis(100);
        for attempt in 1..=12 {
            match c.commit() {
                Ok(()) => break,
                Err(e) if !e.is_retryable() => {
                    tracing::error!(error = %e, "final offset commit failed; not retrying");
                    break;
                }
                Err(e) => {
                    tracing::warn!(attempt, error = %e, "final offset commit failed; retrying");
                    std::thread::sleep(wait);
                    wait = (wait * 2).min(std::time::Duration::from_secs(5));
                }
            }
        }
        report.commits = c.commits();
    }
    if !report.fenced {
        expire(&mut out, &mut expiring);
    }
    if let Some(Err(_)) = sweeping.map(JoinHandle::join) {
        tracing::warn!("retention: the sweep at start panicked");
    }
    report
}

fn dead_letter(out: &mut Outputs, report: &mut DeliveryReport, r: &Rejected) {
    let Some(dlq) = out.dlq.as_mut() else {
        tracing::warn!(reason = %r.reason, "rejected record (no dead-letter sink)");
        return;
    };
    let letter = DeadLetter {
        topic: &out.source_topic,
        partition: r.raw.partition,
        offset: r.raw.offset,
        key: r.raw.key.as_deref(),
        payload: &r.raw.payload,
        reason: &r.reason.to_string(),
    };
    match dlq.send(&letter) {
        Ok(()) => {
            report.dead_letters += 1;
            if let Some(m) = out.telemetry.as_ref().map(|t| &t.metrics) {
                m.record_dead_letter(&r.reason);
            }
            if let Some(c) = out.committer.as_mut() {
                c.tracker().dead_lettered(r.raw.partition, r.raw.offset);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "dead letter not written; its offset stays uncommitted");
            if report.error.is_none() {
                report.error = Some(e.to_string());
                report.error_may_pass = e.is_retryable();
            }
        }
    }
}

/// Delivers one final proof: `Some(true)` delivered, `Some(false)` a gap (it did not verify), `None` held
/// back by a failed sink.
fn deliver(
    out: &mut Outputs,
    report: &mut DeliveryReport,
    positions: &mut Positions,
    expiring: &mut VecDeque<Expiring>,
    p: &FinalBatchProof,
    on_delivered: &dyn Fn(&FinalBatchProof),
) -> Option<bool> {
    let n = p.batch_number;
    if report.error.is_some() {
        tracing::error!(batch = n, "not delivered: a sink failed earlier");
        return None;
    }
    if let Err(e) = verify_final_record(&out.keys, p, out.wrapper.as_ref()) {
        tracing::error!(batch = n, error = %e, "final proof does not verify; not delivered");
        report.unverified.push((n, e.to_string()));
        if let Some(m) = out.telemetry.as_ref().map(|t| &t.metrics) {
            m.record_verification_failure("final");
        }
        if !out.allow_gaps {
            // A gap in the delivered sequence: stop here, as the ordered sink stops at any other gap.
            report.error = Some(format!(
                "batch {n}: final proof does not verify ({e}); delivery stopped"
            ));
            return Some(false);
        }
        positions.decided(n);
        if let Some(c) = out.committer.as_mut() {
            c.tracker().gap(n);
        }
        return Some(false);
    }
    if let Err(e) = claim(out, report, Claim::Deliver(n)) {
        tracing::error!(batch = n, error = %e, "not delivered");
        return None;
    }
    if let Some(hook) = &out.after_claim {
        hook(n);
    }
    for sink in out.sinks.iter_mut() {
        let result = sink.deliver(p);
        if let Some(m) = out.telemetry.as_ref().map(|t| &t.metrics) {
            m.record_submission(sink.name(), result.is_ok());
        }
        if let Err(e) = result {
            let e = DeliveryError::Sink {
                sink: sink.name().to_string(),
                source: Box::new(e),
            };
            tracing::error!(batch = n, error = %e, "delivery stopped");
            report.error = Some(e.to_string());
            report.error_may_pass = e.is_retryable();
            report.fenced = e.is_fenced();
            return None;
        }
    }
    let record = positions.accepted.get(&n).copied();
    let progress = DeliveryProgress {
        batch_number: n,
        batch_commitment: p.batch_commitment,
        delivered: Some(positions.delivered(n, out.committer.as_mut().map(|c| &*c.tracker()))),
    };
    // Fenced after the sinks: the newer process writes the progress from now on.
    let saved = claim(out, report, Claim::Progress(n)).and_then(|()| progress.save(&out.store));
    match saved {
        Ok(()) => {
            // This save covers every batch up to n, those whose own save failed included.
            let settled = report.unsaved.drain(..).chain([n]);
            if let Some(c) = out.committer.as_mut() {
                settled.for_each(|k| c.tracker().delivered(k));
            }
        }
        // The proof is out, but a restart would start at this batch: its records stay uncommitted so
        // that the restart reads them again (and re-delivers, idempotently).
        Err(e) => {
            tracing::warn!(
                batch = n,
                error = %e,
                "delivery progress not saved; its offsets stay uncommitted"
            );
            report.unsaved.push(n);
        }
    }
    report.delivered.push(n);
    if out.retention.is_some() {
        expiring.push_back(Expiring {
            batch: n,
            protocol_version: p.protocol_version,
            record,
            delivered_at: std::time::Instant::now(),
        });
    }
    on_delivered(p);
    Some(true)
}

/// Deletes the intermediates of the delivered batches whose offsets are committed and whose keep time
/// has passed (in delivery order: a batch waits behind an earlier one).
fn expire(out: &mut Outputs, expiring: &mut VecDeque<Expiring>) {
    let Some(retention) = out.retention.filter(|_| !expiring.is_empty()) else {
        return;
    };
    let committed = out
        .committer
        .as_mut()
        .map(|c| c.tracker().committed_offsets())
        .unwrap_or_default();
    while let Some(e) = expiring.front() {
        let settled = match (e.record, out.committer.is_some()) {
            (Some((partition, offset)), true) => {
                committed.get(&partition).is_some_and(|&c| c > offset)
            }
            _ => true,
        };
        if !settled || e.delivered_at.elapsed() < retention.keep {
            return;
        }
        match out
            .store
            .delete_intermediates(e.protocol_version, e.batch, None)
        {
            Ok(deleted) => {
                tracing::info!(
                    batch = e.batch,
                    objects = deleted.objects,
                    bytes = deleted.bytes,
                    "intermediate proofs deleted"
                );
                count_deleted(out.telemetry.as_ref(), deleted);
            }
            // Left for the sweep at the next start.
            Err(error) => {
                tracing::warn!(batch = e.batch, %error, "intermediate proofs not deleted")
            }
        }
        expiring.pop_front();
    }
}

fn count_deleted(telemetry: Option<&Arc<Telemetry>>, deleted: Deleted) {
    if let Some(m) = telemetry.map(|t| &t.metrics) {
        m.store_deleted_objects_total.inc_by(deleted.objects);
        m.store_deleted_bytes_total.inc_by(deleted.bytes);
    }
}

/// At start: deletes the intermediates of the batches delivered before (up to `through`, from the
/// retention mark on) that are older than the keep time, and moves the mark past those left clean.
fn sweep(
    store: &ArtifactStore,
    telemetry: Option<&Arc<Telemetry>>,
    retention: Retention,
    through: u64,
) {
    let mark = store
        .get_state(RETAINED)
        .ok()
        .flatten()
        .and_then(|b| {
            std::str::from_utf8(&b)
                .ok()?
                .trim()
                .strip_prefix("through ")?
                .parse()
                .ok()
        })
        .unwrap_or(0u64);
    let batches = match store.batches(retention.protocol_version) {
        Ok(b) => b,
        Err(error) => {
            tracing::warn!(%error, "retention: the store's batches could not be listed");
            return;
        }
    };
    // Judged by when the proofs were written (a little before their batch was delivered); a keep time
    // longer than the clock reaches back keeps everything.
    let cutoff = std::time::SystemTime::now()
        .checked_sub(retention.keep)
        .unwrap_or(std::time::SystemTime::UNIX_EPOCH);
    let (mut total, mut clean_through, mut clean) = (Deleted::default(), mark, true);
    for b in batches.into_iter().filter(|&b| b > mark && b <= through) {
        match store.delete_intermediates(retention.protocol_version, b, Some(cutoff)) {
            Ok(deleted) => {
                total.objects += deleted.objects;
                total.bytes += deleted.bytes;
                // Clean unless something was too new to delete (then it is swept next time).
                clean &= deleted.recent == 0;
            }
            Err(error) => {
                tracing::warn!(batch = b, %error, "retention: intermediate proofs not deleted");
                clean = false;
            }
        }
        if clean {
            clean_through = b;
        }
    }
    if clean_through > mark {
        let _ = store.put_state(RETAINED, format!("through {clean_through}\n").into_bytes());
    }
    if total.objects > 0 {
        tracing::info!(
            objects = total.objects,
            bytes = total.bytes,
            through,
            "retention: intermediate proofs of delivered batches deleted at start"
        );
        count_deleted(telemetry, total);
    }
}

/// Claims `what` under the fence, if there is one. Being fenced stops delivery (recorded in the report),
/// as does any failure to claim a delivery (later batches must not overtake it); a progress claim that
/// failed in a way that may pass leaves that batch unsaved, like a failed save.
fn claim(out: &mut Outputs, report: &mut DeliveryReport, what: Claim) -> Result<(), DeliveryError> {
    let Some(fence) = out.fence.as_mut() else {
        return Ok(());
    };
    fence.claim(what).map_err(|e| {
        let e = DeliveryError::from(e);
        let stops = !e.is_retryable() || matches!(what, Claim::Deliver(_));
        if stops && report.error.is_none() {
            report.error = Some(e.to_string());
            report.error_may_pass = e.is_retryable();
            report.fenced = e.is_fenced();
        }
        e
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn progress_round_trips_and_rejects_garbage() {
        let p = DeliveryProgress {
            batch_number: 42,
            batch_commitment: Digest([1, 2, 3, 4]),
            delivered: Some(Delivered {
                through: 42,
                judged_from: 3,
                committed: BTreeMap::from([(0, 5), (2, 3)]),
                records: BTreeSet::from([(0, 7), (2, 3)]),
            }),
        };
        assert_eq!(DeliveryProgress::decode(&p.encode()), Some(p.clone()));
        assert_eq!(DeliveryProgress::decode(b"batch 4"), None);
        // A record written before the delivered records were kept: every replay below it is skipped.
        let v1 = format!(
            "zkstream delivery progress v1\nbatch 42\ncommitment {}\n",
            p.batch_commitment.to_hex()
        );
        let old = DeliveryProgress::decode(v1.as_bytes()).unwrap();
        assert_eq!((old.batch_number, &old.delivered), (42, &None));
        assert_eq!(old.encode(), v1.as_bytes(), "written back as v1");
        // Resuming: right after the last delivered batch the list is kept; after a v1 record or from a
        // configured start further on, batches below the start are not judged.
        assert_eq!(
            DeliveryProgress::resume(Some(&p), 43),
            p.delivered.clone().unwrap()
        );
        assert_eq!(DeliveryProgress::resume(Some(&p), 50).judged_from, 50);
        assert_eq!(DeliveryProgress::resume(Some(&old), 43).judged_from, 43);
        assert_eq!(DeliveryProgress::resume(None, 1).judged_from, 1);
        assert!(DeliveryProgress::resume(Some(&old), 43).settled(42, 0, 0));
        let bad = String::from_utf8(p.encode())
            .unwrap()
            .replace("record 2 3", "record two 3");
        assert_eq!(DeliveryProgress::decode(bad.as_bytes()), None);
        let store = ArtifactStore::open("memory://").unwrap();
        assert_eq!(DeliveryProgress::load(&store).unwrap(), None);
        p.save(&store).unwrap();
        assert_eq!(DeliveryProgress::load(&store).unwrap(), Some(p));
        store.put_state(PROGRESS, b"nonsense".to_vec()).unwrap();
        assert!(matches!(
            DeliveryProgress::load(&store),
            Err(DeliveryError::Progress)
        ));
    }

    /// What a restart skips: the records delivery settled (accepted records of delivered and failed
    /// batches, records skipped as delivered), until the committer commits past them; a copy of a
    /// delivered batch is not among them, and batches past the last delivered one are not judged.
    #[test]
    fn delivery_lists_the_records_it_settled_until_their_offsets_commit() {
        use zkstream_sources::Follows;
        let mut positions = Positions {
            accepted: BTreeMap::new(),
            delivered: Delivered::default(),
        };
        let mut tracker = OffsetTracker::new(0);
        for (n, offset) in [(1, 0), (2, 1), (3, 3)] {
            positions.accepted.insert(n, (0, offset));
        }
        let saved = positions.delivered(1, Some(&tracker));
        assert_eq!(saved.records, BTreeSet::from([(0, 0)]));
        positions.decided(2); // a gap, with gaps allowed
        tracker.read(ReadMark {
            partition: 0,
            offset: 0,
            follows: Follows::Start(0),
            settle: Settle::Now,
        });
        tracker.committed(&[(0, 1)]);
        let saved = positions.delivered(3, Some(&tracker));
        assert_eq!(saved.through, 3);
        assert_eq!(saved.committed, BTreeMap::from([(0, 1)]));
        assert_eq!(
            saved.records,
            BTreeSet::from([(0, 1), (0, 3)]),
            "(0, 0) committed"
        );
        assert!(positions.accepted.is_empty());
        // The copy of batch 2 at offset 2 is not settled; batch 4 is past the last delivered one; the
        // record at offset 0 is below the committed offset.
        assert!(!saved.settled(2, 0, 2));
        assert!(saved.settled(2, 0, 1) && saved.settled(1, 0, 0) && saved.settled(4, 0, 9));
    }

    /// Final records of batches `1..=n` that cannot verify (a protocol version the keys do not have).
    fn unverifiable(n: u64) -> Vec<FinalBatchProof> {
        (1..=n)
            .map(|batch_number| FinalBatchProof {
                batch_number,
                protocol_version: 99,
                previous_batch_commitment: Digest::ZERO,
                batch_commitment: Digest::ZERO,
                aggregation_result_coords: Vec::new(),
                vk_set_commitment: Digest::ZERO,
                proof_profile: "test".into(),
                proof: Vec::new(),
                wrap: None,
            })
            .collect()
    }

    fn deliver_all(allow_gaps: bool, records: &[FinalBatchProof]) -> DeliveryReport {
        let deliveries: Vec<Delivery> = records.iter().cloned().map(Delivery::Proof).collect();
        deliver(allow_gaps, None, &deliveries)
    }

    /// Runs a delivery thread over `deliveries` (with telemetry whose drain is `drain`, if given).
    fn deliver(
        allow_gaps: bool,
        drain: Option<crate::lifecycle::Shutdown>,
        deliveries: &[Delivery],
    ) -> DeliveryReport {
        let telemetry = drain.map(|shutdown| {
            let metrics = Arc::new(crate::metrics::Metrics::new().unwrap());
            let health = Arc::new(crate::lifecycle::Health::new(shutdown));
            Telemetry::start(metrics, health, 1).unwrap()
        });
        let keys = KeyStore::open(
            None,
            zkstream_prover::ProofProfile::test(),
            zkstream_prover::TreeShape::default(),
            1,
            1,
        )
        .unwrap();
        let thread = DeliveryThread::start(
            Outputs {
                sinks: Vec::new(),
                dlq: None,
                source_topic: "batches".into(),
                committer: None,
                store: ArtifactStore::open("memory://").unwrap(),
                keys: Arc::new(keys),
                wrapper: None,
                telemetry,
                allow_gaps,
                delivered: Delivered::default(),
                fence: None,
                after_claim: None,
                retention: None,
                on_fenced: None,
            },
            Box::new(|_| {}),
        )
        .unwrap();
        let hooks = thread.hooks();
        for d in deliveries {
            (hooks.on_delivery)(d);
        }
        thread.finish().unwrap()
    }

    fn gap(n: u64, stage: FailureStage) -> Delivery {
        Delivery::Gap(zkstream_operators::model::BatchFailure {
            batch_number: n,
            stage,
            reason: "test".into(),
        })
    }

    #[test]
    fn a_drain_leaves_the_first_unread_batch_and_everything_after_it_for_the_next_start() {
        let records = unverifiable(4);
        let outcomes = [
            gap(1, FailureStage::Witness),
            gap(2, FailureStage::Source),
            Delivery::Proof(records[2].clone()),
            gap(4, FailureStage::Witness),
        ];
        // Draining: batch 1's failure is a gap as always; batch 2 was not read before the readers
        // stopped, so it and every later outcome (even with gaps allowed) are left, not decided.
        let shutdown = crate::lifecycle::Shutdown::new();
        shutdown.request();
        let drained = deliver(true, Some(shutdown), &outcomes);
        assert_eq!(drained.left, [2, 3, 4]);
        assert_eq!(drained.gaps.len(), 1);
        assert_eq!(drained.gaps[0].0, 1);
        assert!(drained.unverified.is_empty() && drained.delivered.is_empty());
        // Not draining: a batch that never arrived is a gap, and with gaps allowed the rest is judged.
        let running = deliver(true, Some(crate::lifecycle::Shutdown::new()), &outcomes);
        assert!(running.left.is_empty());
        assert_eq!(
            running.gaps.iter().map(|g| g.0).collect::<Vec<_>>(),
            [1, 2, 4]
        );
        assert_eq!(running.unverified.len(), 1);
    }

    #[test]
    fn a_final_proof_that_does_not_verify_stops_delivery_unless_gaps_are_allowed() {
        let records = unverifiable(3);
        let stopped = deliver_all(false, &records);
        assert_eq!(
            stopped
                .unverified
                .iter()
                .map(|(n, _)| *n)
                .collect::<Vec<_>>(),
            [1],
            "batches after the first bad one are held back"
        );
        assert!(stopped
            .error
            .as_deref()
            .is_some_and(|e| e.contains("batch 1: final proof does not verify")));
        assert!(stopped.delivered.is_empty());
        let goes_on = deliver_all(true, &records);
        assert_eq!(goes_on.unverified.len(), 3);
        assert!(goes_on.error.is_none());
    }
}
