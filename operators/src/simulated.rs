//! The simulated proving backend and the operator that runs a simulated batch's tree on the prover
//! pool: for measuring orchestration at fleet scale on a small machine, **never a proof**.
//!
//! A [`SimulatedJob`] is a [`Work`] like any other: the pool queues, routes, retries, reuses and times
//! it, and its artifact goes to the real artifact store. Its attempt reads its children's artifacts from
//! the store, holds the slot for its modeled duration (times the run's time scale), and stores a
//! [`SimulatedArtifact`]: the hash of its key and its children's hashes (`fleet/src/tree_hash.rs`), under
//! `simulated/` apart from every real proof. A stored artifact whose hash is the one its children give is
//! reused, as a verifying proof is. The job names no circuit, so no key is ever loaded for it.
//!
//! [`SimulateExt::simulate`] takes simulated batches (their shape, as the batches topic carries them),
//! builds each batch's job graph with the workload's modeled durations, releases jobs to the pool by the
//! run's [`Release`] rule (a pure [`Releaser`], the same the in-memory yardsticks use; zkSync's poll is
//! a timer here, in modeled time), and emits at the batch's time its [`SimulatedRecord`] (the root's
//! hash) or the first failure. It holds the batch's capability until then, like the prove operator.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::{Capability, Operator};
use timely::dataflow::Stream;
use zkstream_fleet::{job_hash, BatchGraph, JobId, Releaser, Workload};
use zkstream_prover::CircuitId;
use zkstream_types::{Release, SimKey, SimulatedArtifact, SimulatedBatch, SimulatedRecord};

use crate::model::{BatchFailure, BatchOutcome, FailureStage};
use crate::pool::{Attempt, JobContext, JobError, ProverPool, Rank, Work};

/// One simulated job: where its artifact goes, what it reads, how long it holds a slot.
#[derive(Clone, Debug)]
pub struct SimulatedJob {
    /// Its artifact.
    pub key: SimKey,
    /// Its place in its batch's graph.
    pub id: JobId,
    /// Its children's artifacts, in order.
    pub children: Vec<SimKey>,
    /// Real time it holds a slot (modeled duration × time scale).
    pub duration: Duration,
    /// When it was released (ready to start): hand-off latency is measured from here.
    pub ready: Instant,
    hash: Arc<OnceLock<[u8; 32]>>,
}

impl SimulatedJob {
    /// A job released at `ready`.
    pub fn new(
        key: SimKey,
        id: JobId,
        children: Vec<SimKey>,
        duration: Duration,
        ready: Instant,
    ) -> Self {
        SimulatedJob {
            key,
            id,
            children,
            duration,
            ready,
            hash: Arc::default(),
        }
    }
}

/// A simulated job's reply once its artifact is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SimulatedDone {
    /// The job.
    pub id: JobId,
    /// Its batch.
    pub batch: u64,
    /// The hash it stored (`None` only if the attempt reported success without one: a bug).
    pub hash: Option<[u8; 32]>,
}

impl Work for SimulatedJob {
    type Key = SimKey;
    type Output = SimulatedDone;
    type Failure = BatchFailure;
    const SIMULATED: bool = true;

    fn key(&self) -> SimKey {
        self.key
    }

    fn rank(&self) -> Rank {
        Rank {
            scope: self.key.batch,
            stage: u32::from(self.key.round.number()),
        }
    }

    fn circuit(&self) -> Option<CircuitId> {
        None
    }

    fn children(&self) -> Vec<SimKey> {
        self.children.clone()
    }

    fn run(&self, ctx: &JobContext<'_>) -> Result<Attempt, JobError> {
        let mut hashes = Vec::with_capacity(self.children.len());
        for child in &self.children {
            let artifact: SimulatedArtifact = ctx
                .store
                .get(child)?
                .ok_or_else(|| JobError::MissingArtifact(child.to_string()))?;
            hashes.push(artifact.hash);
        }
        let hash = job_hash(&self.key, &hashes);
        let stored = ctx.store.get::<SimulatedArtifact>(&self.key);
        let attempt = match stored {
            Ok(Some(a)) if a.hash == hash => Attempt::Reused,
            _ => {
                std::thread::sleep(self.duration);
                ctx.store.put(&SimulatedArtifact {
                    key: self.key,
                    hash,
                })?;
                Attempt::Proved
            }
        };
        let _ = self.hash.set(hash);
        Ok(attempt)
    }

    fn output(&self) -> SimulatedDone {
        SimulatedDone {
            id: self.id,
            batch: self.key.batch,
            hash: self.hash.get().copied(),
        }
    }

    fn failure(&self, reason: String) -> BatchFailure {
        BatchFailure {
            batch_number: self.key.batch,
            stage: FailureStage::Simulate(self.key),
            reason,
        }
    }

    fn labels(&self) -> (&'static str, String) {
        let circuit = self
            .key
            .circuit
            .map_or_else(|| "all".to_string(), |c| format!("t{c:02}"));
        (self.key.round.name(), circuit)
    }
}

/// How a simulation runs its batches.
#[derive(Clone, Debug)]
pub struct SimulationSpec {
    /// The circuit types' modeled durations (a batch's counts come with the batch).
    pub workload: Arc<Workload>,
    /// Seed of the durations' jitter.
    pub seed: u64,
    /// Real seconds per modeled second.
    pub time_scale: f64,
    /// When a job is released.
    pub release: Release,
    /// A continuous stream: batch `n` starts no earlier than `(n - 1) × arrival_interval` after the
    /// stream's clock starts (`None`: each batch starts when it is read).
    pub arrival_interval: Option<Duration>,
    /// The stream's clock, shared by the workers of a process (clones of one spec share it): it
    /// starts when the first of them reads a batch (the dataflow and the reader are set up by then).
    /// Arrival times and modeled time (so zkSync's poll ticks) count
    /// from it, for every batch alike, as the yardsticks count from the stream's start.
    pub clock: Arc<OnceLock<Instant>>,
}

/// One batch being run.
struct Running {
    batch: SimulatedBatch,
    graph: BatchGraph,
    releaser: Releaser,
    cap: Capability<u64>,
    /// When its jobs may start: its arrival, or when it was read if later.
    start: Instant,
    /// Where its modeled time counts from: the stream's clock (see [`SimulationSpec::clock`]), so
    /// that zkSync's polls fall on the same ticks for every batch, as the yardsticks' do.
    origin: Instant,
    /// Released for later (zkSync's next poll): (when, job).
    later: Vec<(Instant, JobId)>,
}

type Reply = (Instant, Result<SimulatedDone, BatchFailure>);
type Mailbox = Arc<Mutex<Vec<Reply>>>;

/// Runs simulated batches' trees on a pool.
pub trait SimulateExt<'scope> {
    /// Runs every batch's graph on `pool` by `spec`; emits, at the batch's time, its simulated
    /// record or its first failure.
    fn simulate(
        self,
        pool: Arc<ProverPool<SimulatedJob>>,
        spec: SimulationSpec,
    ) -> Stream<'scope, u64, Vec<BatchOutcome<SimulatedRecord>>>;
}

impl<'scope> SimulateExt<'scope> for Stream<'scope, u64, Vec<SimulatedBatch>> {
    fn simulate(
        self,
        pool: Arc<ProverPool<SimulatedJob>>,
        spec: SimulationSpec,
    ) -> Stream<'scope, u64, Vec<BatchOutcome<SimulatedRecord>>> {
        let scope = self.scope();
        self.unary(Pipeline, "Simulate", move |initial, info| {
            drop(initial);
            let replies = scope.worker().sync_activator_for(info.address.to_vec());
            let timer = scope.activator_for(info.address);
            let mailbox: Mailbox = Arc::default();
            let mut running: HashMap<u64, Running> = HashMap::new();
            // Batches read before their arrival time (a continuous stream), not started yet.
            let mut arriving: Vec<Running> = Vec::new();
            // Every batch taken so far (8 bytes a batch).
            let mut started: std::collections::HashSet<u64> = std::collections::HashSet::new();
            let submit = {
                let pool = Arc::clone(&pool);
                let mailbox = Arc::clone(&mailbox);
                let time_scale = spec.time_scale;
                move |run: &Running, id: JobId, ready: Instant| {
                    let job = &run.graph.jobs[id.0 as usize];
                    let children = job
                        .children
                        .iter()
                        .map(|c| run.graph.jobs[c.0 as usize].key)
                        .collect();
                    let duration = Duration::from_secs_f64((job.duration_s * time_scale).max(0.0));
                    let mailbox = Arc::clone(&mailbox);
                    let activator = replies.clone();
                    pool.submit(
                        SimulatedJob::new(job.key, id, children, duration, ready),
                        Box::new(move |result| {
                            let at = Instant::now();
                            mailbox
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push((at, result));
                            // The worker is gone only when the dataflow was torn down.
                            let _ = activator.activate();
                        }),
                    );
                }
            };
            move |input, output| {
                let port = output.output_index();
                input.for_each_stamp(|cap, data| {
                    let Some(held) = cap.retain_least(port) else {
                        return;
                    };
                    for container in data {
                        for batch in container.drain(..) {
                            let n = batch.batch_number;
                            // A second record of a batch (a producer's retry) starts nothing: the
                            // first one's tree is its batch's only tree.
                            if !started.insert(n) {
                                tracing::warn!(batch = n, "simulated batch read twice; ignored");
                                continue;
                            }
                            match BatchGraph::of_batch(&spec.workload, &batch, spec.seed) {
                                Err(e) => {
                                    let failure = BatchFailure {
                                        batch_number: n,
                                        stage: FailureStage::Witness,
                                        reason: e.to_string(),
                                    };
                                    output.session(&held).give(Err(failure));
                                }
                                Ok(graph) => {
                                    let releaser = Releaser::new(&graph, spec.release);
                                    let now = Instant::now();
                                    let origin = *spec.clock.get_or_init(|| now);
                                    let arrival = spec.arrival_interval.map_or(now, |i| {
                                        origin + i.mul_f64(n.saturating_sub(1) as f64)
                                    });
                                    let start = arrival.max(now);
                                    let run = Running {
                                        batch,
                                        graph,
                                        releaser,
                                        cap: held.clone(),
                                        start,
                                        origin,
                                        later: Vec::new(),
                                    };
                                    if arrival <= now {
                                        for id in run.releaser.initial() {
                                            submit(&run, id, now);
                                        }
                                        running.insert(n, run);
                                    } else {
                                        arriving.push(run);
                                    }
                                }
                            }
                        }
                    }
                });
                let done = std::mem::take(&mut *mailbox.lock().unwrap_or_else(|p| p.into_inner()));
                for (at, result) in done {
                    let done = match result {
                        Err(failure) => {
                            // The first failure ends the batch; later replies of it are dropped.
                            if let Some(run) = running.remove(&failure.batch_number) {
                                output.session(&run.cap).give(Err(failure));
                            }
                            continue;
                        }
                        Ok(done) => done,
                    };
                    let Some(run) = running.get_mut(&done.batch) else {
                        continue;
                    };
                    if done.id == run.graph.root() {
                        let Some(run) = running.remove(&done.batch) else {
                            continue;
                        };
                        let outcome = match done.hash {
                            Some(tree_hash) => Ok(SimulatedRecord {
                                batch: run.batch.clone(),
                                tree_hash,
                            }),
                            None => Err(BatchFailure {
                                batch_number: done.batch,
                                stage: FailureStage::Finalize,
                                reason: "the root job stored no hash".into(),
                            }),
                        };
                        output.session(&run.cap).give(outcome);
                        continue;
                    }
                    let modeled = at.duration_since(run.origin).as_secs_f64() / spec.time_scale;
                    for (q, released_s) in run.releaser.finished(done.id, modeled) {
                        let due =
                            run.origin + Duration::from_secs_f64(released_s * spec.time_scale);
                        if due <= at {
                            submit(run, q, at);
                        } else {
                            run.later.push((due, q));
                        }
                    }
                }
                // Batches whose arrival time came, then zkSync's polls: release what is due, and
                // wake at the next one.
                let now = Instant::now();
                let mut next: Option<Instant> = None;
                for run in std::mem::take(&mut arriving) {
                    if run.start <= now {
                        for id in run.releaser.initial() {
                            submit(&run, id, run.start);
                        }
                        running.insert(run.batch.batch_number, run);
                    } else {
                        next = Some(next.map_or(run.start, |n: Instant| n.min(run.start)));
                        arriving.push(run);
                    }
                }
                for run in running.values_mut() {
                    let later = std::mem::take(&mut run.later);
                    for (due, q) in later {
                        if due <= now {
                            submit(run, q, due);
                        } else {
                            next = Some(next.map_or(due, |n: Instant| n.min(due)));
                            run.later.push((due, q));
                        }
                    }
                }
                if let Some(next) = next {
                    timer.activate_after(next.saturating_duration_since(now));
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::PoolConfig;
    use crate::store::ArtifactStore;
    use crate::testing::run_dataflow;
    use zkstream_fleet::{check_record, expected_tree_hash};
    use zkstream_prover::{KeyStore, ProofProfile, TreeShape};

    fn pool(store: ArtifactStore, slots: usize) -> Arc<ProverPool<SimulatedJob>> {
        let keys = KeyStore::open(None, ProofProfile::test(), TreeShape::default(), 1, 1)
            .expect("an in-memory key store, never computed");
        let config = PoolConfig {
            slots,
            ..PoolConfig::for_cores(1, 1)
        };
        Arc::new(ProverPool::builder(Arc::new(keys), store, config).start())
    }

    /// Two batches under each release rule: every record's tree hash is the one its shape gives, every
    /// job ran once, and a second run over the same store reuses every artifact.
    #[test]
    fn every_tree_hash_checks_and_a_rerun_reuses_every_artifact() {
        let workload = Arc::new(Workload::small());
        for release in [Release::Streaming, Release::Barrier, Release::Zksync] {
            let store = ArtifactStore::open("memory://").unwrap();
            let spec = SimulationSpec {
                workload: Arc::clone(&workload),
                seed: 5,
                time_scale: 0.001,
                release,
                arrival_interval: None,
                clock: Arc::default(),
            };
            let batches = vec![(1, vec![workload.batch(1)]), (2, vec![workload.batch(2)])];
            let jobs = BatchGraph::build(&workload, 1, 5).unwrap().jobs.len();
            for round in 0..2 {
                let p = pool(store.clone(), 4);
                let (p2, s) = (Arc::clone(&p), spec.clone());
                let mut seen = run_dataflow(batches.clone(), move |b| b.simulate(p2, s));
                seen.sort_by_key(|(t, _)| *t);
                assert_eq!(seen.len(), 2, "{release:?}");
                for (t, outcome) in &seen {
                    let record = outcome.as_ref().expect("a simulated record");
                    assert_eq!(record.batch.batch_number, *t);
                    check_record(record).expect("the tree hash checks");
                    let graph = BatchGraph::build(&workload, *t, 5).unwrap();
                    assert_eq!(record.tree_hash, expected_tree_hash(&graph));
                }
                let records = p.records();
                assert_eq!(records.len(), 2 * jobs, "each job once");
                let reused = records
                    .iter()
                    .filter(|r| r.end == crate::pool::JobEnd::Reused)
                    .count();
                let expected = if round == 0 { 0 } else { 2 * jobs };
                assert_eq!(reused, expected, "{release:?} round {round}");
            }
        }
    }
}
