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
//! hash) or the first failure; it holds the batch's capability until then. Released jobs go, as
//! [`Dispatch`]es, to the worker that runs them (with [`SimulationSpec::spread`], any worker of any
//! process, so one batch uses a whole cluster's slots), whose `prove` operator (`operators/src/prove.rs`)
//! submits them to its process's pool; the replies come back to the batch's owner through a timely
//! feedback loop.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::vec::Map;
use timely::dataflow::operators::{Capability, ConnectLoop, Exchange, Feedback, OkErr, Operator};
use timely::dataflow::Stream;
use zkstream_fleet::{job_hash, BatchGraph, JobId, Releaser, Workload};
use zkstream_prover::CircuitId;
use zkstream_types::{Release, SimKey, SimulatedArtifact, SimulatedBatch, SimulatedRecord};

use crate::model::{BatchFailure, BatchOutcome, FailureStage};
use crate::pool::{Attempt, JobContext, JobError, ProverPool, Rank, Work};
use crate::prove::{ProveExt, Proved};

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
    /// Its rank's urgency: the longest chain ahead of it, its own duration included, modeled µs.
    pub urgency: u64,
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
        urgency: u64,
    ) -> Self {
        SimulatedJob {
            key,
            id,
            children,
            duration,
            ready,
            urgency,
            hash: Arc::default(),
        }
    }
}

/// A simulated job's reply once its artifact is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SimulatedDone {
    /// The job.
    pub id: JobId,
    /// Its batch.
    pub batch: u64,
    /// The hash it stored (`None` only if the attempt reported success without one: a bug).
    pub hash: Option<[u8; 32]>,
    /// When it was done, UNIX ns (see [`Dispatch::ready_unix_ns`]).
    pub finished_unix_ns: u64,
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
            urgency: self.urgency,
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
            finished_unix_ns: unix_ns_now(),
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
            .map_or_else(|| "all".to_string(), |c| format!("t{:02}", c.id()));
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
    /// stream's origin, which each batch carries ([`StreamedBatch`]; `None`: each batch starts when
    /// it is read).
    pub arrival_interval: Option<Duration>,
    /// Whether a batch's jobs spread over every worker of every process (by a hash of the job), or
    /// all run on the pool of the worker that owns the batch.
    pub spread: bool,
    /// Each batch's start and end, as its owner sees them (clones of one spec share it).
    pub batch_times: BatchTimes,
    /// Most released jobs the owner sends on per activation (it activates itself again for the
    /// rest): 256 ([`DISPATCH_FUEL`]) outside tests. A mainnet batch releases 17,061 basic jobs at
    /// once; sent in one go, the first of them would reach a pool only after every one had passed
    /// each operator of the way (milliseconds of hand-off).
    pub dispatch_fuel: usize,
}

/// A released job on its way from the worker that owns its batch to the worker whose pool runs it
/// (any worker of any process when the spec spreads jobs, else the owner itself).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Dispatch {
    /// Its artifact.
    pub key: SimKey,
    /// Its place in its batch's graph.
    pub id: JobId,
    /// Its children's artifacts, in order.
    pub children: Vec<SimKey>,
    /// Real seconds it holds a slot.
    pub duration_s: f64,
    /// See [`SimulatedJob::urgency`].
    pub urgency: u64,
    /// When it was released, UNIX ns: the processes of one machine share the clock, so a hand-off
    /// measured where the job starts includes its trip there.
    pub ready_unix_ns: u64,
}

impl Dispatch {
    /// The worker it goes to: by its batch (the owner) or, spread, by a hash of its key.
    pub fn route(&self, spread: bool) -> u64 {
        if !spread {
            return self.key.batch;
        }
        let k = &self.key;
        let mut h = k.batch.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        h ^= u64::from(self.id.0).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        h ^ (h >> 29)
    }

    /// The pool's job.
    pub fn into_job(self) -> SimulatedJob {
        let duration = Duration::from_secs_f64(self.duration_s.max(0.0));
        SimulatedJob::new(
            self.key,
            self.id,
            self.children,
            duration,
            instant_of_unix_ns(self.ready_unix_ns),
            self.urgency,
        )
    }
}

/// A batch as the simulate operator takes it: its shape, and the stream's origin.
///
/// The origin is when the stream's first batch was taken from the readers (UNIX ns; one worker takes
/// every record from them).
/// Every batch carries the same one, so the worker that owns a batch, in whichever process, counts
/// its arrival time and its modeled time (zkSync's poll ticks) from one origin, as the yardsticks
/// count from the stream's start. (A clock each process started on its own would shift one
/// process's batches by its start-up, or by when its first batch was admitted.)
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StreamedBatch {
    /// The batch's shape.
    pub batch: SimulatedBatch,
    /// When the stream started, UNIX ns.
    pub origin_unix_ns: u64,
}

/// Now as UNIX ns (a stream's origin).
pub fn unix_ns_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// An instant of this process as UNIX ns.
fn unix_ns_of(t: Instant) -> u64 {
    let (now, unix) = (Instant::now(), unix_ns_now());
    if t <= now {
        unix.saturating_sub(now.duration_since(t).as_nanos() as u64)
    } else {
        unix.saturating_add(t.duration_since(now).as_nanos() as u64)
    }
}

/// UNIX ns as an instant of this process.
fn instant_of_unix_ns(ns: u64) -> Instant {
    let (now, unix) = (Instant::now(), unix_ns_now());
    if ns <= unix {
        now.checked_sub(Duration::from_nanos(unix - ns))
            .unwrap_or(now)
    } else {
        now + Duration::from_nanos(ns - unix)
    }
}

/// When each batch started (its first jobs released) and ended (its root job done), as the worker
/// that owns the batch sees it: a batch's latency, wherever its jobs ran.
#[derive(Clone, Debug, Default)]
pub struct BatchTimes(Arc<Mutex<BTreeMap<u64, StartEnd>>>);

/// A batch's start and, once done, its end.
type StartEnd = (Instant, Option<Instant>);

impl BatchTimes {
    fn started(&self, batch: u64, at: Instant) {
        self.lock().entry(batch).or_insert((at, None));
    }

    fn ended(&self, batch: u64, at: Instant) {
        if let Some(e) = self.lock().get_mut(&batch) {
            e.1 = Some(at);
        }
    }

    /// Each finished batch's latency (start to end).
    pub fn latencies(&self) -> BTreeMap<u64, Duration> {
        self.lock()
            .iter()
            .filter_map(|(b, (s, e))| e.map(|e| (*b, e.saturating_duration_since(*s))))
            .collect()
    }

    /// When each batch started.
    #[cfg(test)]
    fn starts(&self) -> BTreeMap<u64, Instant> {
        self.lock().iter().map(|(b, (s, _))| (*b, *s)).collect()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, StartEnd>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One batch being run.
struct Running {
    batch: SimulatedBatch,
    graph: BatchGraph,
    /// Each job's longest chain ahead, modeled µs (its urgency in the pool).
    urgency: Vec<u64>,
    releaser: Releaser,
    cap: Capability<u64>,
    /// When its jobs may start: its arrival, or when it was read if later.
    start: Instant,
    /// Where its modeled time counts from: the stream's origin (see [`StreamedBatch`]), so that
    /// zkSync's polls fall on the same ticks for every batch, as the yardsticks' do.
    origin: Instant,
    /// Released for later (zkSync's next poll): (when, job).
    later: Vec<(Instant, JobId)>,
    /// Released, not yet sent on to a pool (see [`SimulationSpec::dispatch_fuel`]).
    queue: VecDeque<(JobId, Instant)>,
}

/// The owner's default [`SimulationSpec::dispatch_fuel`].
pub const DISPATCH_FUEL: usize = 256;

impl Running {
    /// Job `id`, released at `ready`, for its pool.
    fn dispatch(&self, id: JobId, ready: Instant, time_scale: f64) -> Dispatch {
        let job = &self.graph.jobs[id.0 as usize];
        Dispatch {
            key: job.key,
            id,
            children: job
                .children
                .iter()
                .map(|c| self.graph.jobs[c.0 as usize].key)
                .collect(),
            duration_s: job.duration_s * time_scale,
            urgency: self.urgency[id.0 as usize],
            ready_unix_ns: unix_ns_of(ready),
        }
    }
}

/// What the releasing operator emits: a job to run, or a batch's outcome.
#[derive(Clone, Debug)]
enum Step {
    Run(Dispatch),
    Outcome(BatchOutcome<SimulatedRecord>),
}

/// Holds batches back until every worker of every process is running this dataflow. A worker still
/// building it (a process still being assigned its Kafka partitions, which asks the group coordinator
/// for committed offsets) steps nothing, so jobs spread to it would wait there; measured at start-up
/// in a four-process cluster, up to a second. Each worker's `Ready` source holds a capability at time
/// 0 until its first activation, and timely counts that capability for every worker from the start,
/// so the gate's frontier passes 0 only once every worker runs.
fn await_every_worker<'scope>(
    batches: Stream<'scope, u64, Vec<StreamedBatch>>,
) -> Stream<'scope, u64, Vec<StreamedBatch>> {
    let scope = batches.scope();
    let ready = timely::dataflow::operators::generic::operator::source::<
        _,
        CapacityContainerBuilder<Vec<()>>,
        _,
        _,
    >(scope, "Ready", |cap, _| {
        let mut cap = Some(cap);
        move |_output| {
            // Running: this worker no longer holds the gate.
            cap.take();
        }
    });
    batches.binary_frontier::<_, CapacityContainerBuilder<Vec<StreamedBatch>>, _, _, _, _>(
        ready,
        Pipeline,
        Pipeline,
        "AwaitEveryWorker",
        |_, _| {
            let mut held: Vec<(Capability<u64>, Vec<StreamedBatch>)> = Vec::new();
            move |(batches, _), (ready, ready_frontier), output| {
                batches.for_each(|cap, data| {
                    if let Some(cap) = cap.retain_least(0) {
                        held.push((cap, std::mem::take(data)));
                    }
                });
                ready.for_each(|_, _| {});
                if !ready_frontier.less_equal(&0) {
                    for (cap, mut data) in held.drain(..) {
                        output.session(&cap).give_container(&mut data);
                    }
                }
            }
        },
    )
}

/// Runs simulated batches' trees on a pool.
pub trait SimulateExt<'scope> {
    /// Runs every batch's graph on `pool` by `spec`; emits, at the batch's time, its simulated
    /// record or its first failure, on the worker that owns the batch (by its number).
    fn simulate(
        self,
        pool: Arc<ProverPool<SimulatedJob>>,
        spec: SimulationSpec,
    ) -> Stream<'scope, u64, Vec<BatchOutcome<SimulatedRecord>>>;
}

impl<'scope> SimulateExt<'scope> for Stream<'scope, u64, Vec<StreamedBatch>> {
    /// Two operators in a loop. `SimulateRelease`, on the worker that owns a batch, builds its graph
    /// and releases its jobs by the rule; each released job is exchanged to the worker that runs it
    /// (spread over every worker of every process, or kept on the owner), whose `prove` operator
    /// submits it to that process's pool; each reply comes back to the owner through the loop, which
    /// releases what it unblocks, and emits the record when the root's reply comes.
    fn simulate(
        self,
        pool: Arc<ProverPool<SimulatedJob>>,
        spec: SimulationSpec,
    ) -> Stream<'scope, u64, Vec<BatchOutcome<SimulatedRecord>>> {
        let scope = self.scope();
        // Replies re-enter one tick later: the loop's only cycle advances time.
        let (handle, replies) = scope.feedback::<Vec<Proved<SimulatedJob>>>(1);
        let spread = spec.spread;
        // The owner of a batch is the worker its number routes to: the replies find it the same way.
        let owned = self.exchange(|b: &StreamedBatch| b.batch.batch_number);
        let steps = await_every_worker(owned)
            .binary::<_, CapacityContainerBuilder<Vec<Step>>, _, _, _, _>(
                replies,
                Pipeline,
                Pipeline,
                "SimulateRelease",
                move |initial, info| {
                    drop(initial);
                    let timer = scope.activator_for(info.address);
                    let scale = spec.time_scale;
                    let mut running: HashMap<u64, Running> = HashMap::new();
                    // Batches read before their arrival time (a continuous stream), not started yet.
                    let mut arriving: Vec<Running> = Vec::new();
                    // Every batch taken so far (8 bytes a batch).
                    let mut started: HashSet<u64> = HashSet::new();
                    // The stream's origin as an instant of this process, converted once: a wall-clock
                    // step during the run then moves no later batch against the earlier ones.
                    let mut origin_at: Option<(u64, Instant)> = None;
                    move |batches, replies, output| {
                        let port = output.output_index();
                        let now = Instant::now();
                        let mut start_now: Vec<Running> = Vec::new();
                        batches.for_each_stamp(|cap, data| {
                            let Some(held) = cap.retain_least(port) else {
                                return;
                            };
                            for container in data {
                                for streamed in container.drain(..) {
                                    let StreamedBatch {
                                        batch,
                                        origin_unix_ns,
                                    } = streamed;
                                    let n = batch.batch_number;
                                    // A second record of a batch (a producer's retry) starts nothing:
                                    // the first one's tree is its batch's only tree.
                                    if !started.insert(n) {
                                        tracing::warn!(
                                            batch = n,
                                            "simulated batch read twice; ignored"
                                        );
                                        continue;
                                    }
                                    match BatchGraph::of_batch(&spec.workload, &batch, spec.seed) {
                                        Err(e) => {
                                            let failure = BatchFailure {
                                                batch_number: n,
                                                stage: FailureStage::Witness,
                                                reason: e.to_string(),
                                            };
                                            output.session(&held).give(Step::Outcome(Err(failure)));
                                        }
                                        Ok(graph) => {
                                            let releaser = Releaser::new(&graph, spec.release);
                                            let urgency = graph
                                                .bottom_levels()
                                                .into_iter()
                                                .map(|s| (s * 1e6) as u64)
                                                .collect();
                                            // After the graph is built: building it is not hand-off.
                                            let now = Instant::now();
                                            let origin = match origin_at {
                                                Some((ns, at)) if ns == origin_unix_ns => at,
                                                _ => {
                                                    let at = instant_of_unix_ns(origin_unix_ns);
                                                    origin_at = Some((origin_unix_ns, at));
                                                    at
                                                }
                                            };
                                            let arrival = spec.arrival_interval.map_or(now, |i| {
                                                origin + i.mul_f64(n.saturating_sub(1) as f64)
                                            });
                                            let run = Running {
                                                batch,
                                                graph,
                                                urgency,
                                                releaser,
                                                cap: held.clone(),
                                                start: arrival.max(now),
                                                origin,
                                                later: Vec::new(),
                                                queue: VecDeque::new(),
                                            };
                                            if arrival <= now {
                                                start_now.push(run);
                                            } else {
                                                arriving.push(run);
                                            }
                                        }
                                    }
                                }
                            }
                        });
                        // Batches whose arrival time came.
                        let mut next: Option<Instant> = None;
                        for run in std::mem::take(&mut arriving) {
                            if run.start <= now {
                                start_now.push(run);
                            } else {
                                next = Some(next.map_or(run.start, |n: Instant| n.min(run.start)));
                                arriving.push(run);
                            }
                        }
                        for mut run in start_now {
                            spec.batch_times.started(run.batch.batch_number, run.start);
                            // The most urgent first: the first few reach the pool before the rest.
                            let mut initial = run.releaser.initial();
                            initial.sort_by_key(|id| std::cmp::Reverse(run.urgency[id.0 as usize]));
                            for id in initial {
                                run.queue.push_back((id, run.start));
                            }
                            running.insert(run.batch.batch_number, run);
                        }
                        replies.for_each(|_, data| {
                            for result in data.drain(..) {
                                let done = match result {
                                    Err(failure) => {
                                        // The first failure ends the batch; later replies of it are
                                        // dropped.
                                        if let Some(run) = running.remove(&failure.batch_number) {
                                            output
                                                .session(&run.cap)
                                                .give(Step::Outcome(Err(failure)));
                                        }
                                        continue;
                                    }
                                    Ok(done) => done,
                                };
                                let Some(run) = running.get_mut(&done.batch) else {
                                    continue;
                                };
                                let at = instant_of_unix_ns(done.finished_unix_ns);
                                if done.id == run.graph.root() {
                                    let Some(run) = running.remove(&done.batch) else {
                                        continue;
                                    };
                                    let outcome = match done.hash {
                                        Some(tree_hash) => {
                                            spec.batch_times.ended(done.batch, at);
                                            Ok(SimulatedRecord {
                                                batch: run.batch.clone(),
                                                tree_hash,
                                            })
                                        }
                                        None => Err(BatchFailure {
                                            batch_number: done.batch,
                                            stage: FailureStage::Finalize,
                                            reason: "the root job stored no hash".into(),
                                        }),
                                    };
                                    output.session(&run.cap).give(Step::Outcome(outcome));
                                    continue;
                                }
                                let modeled =
                                    at.saturating_duration_since(run.origin).as_secs_f64() / scale;
                                for (q, released_s) in run.releaser.finished(done.id, modeled) {
                                    let due =
                                        run.origin + Duration::from_secs_f64(released_s * scale);
                                    if due <= at {
                                        run.queue.push_back((q, at));
                                    } else {
                                        run.later.push((due, q));
                                    }
                                }
                            }
                        });
                        // zkSync's polls: release what is due, and wake at the next one.
                        let now = Instant::now();
                        for run in running.values_mut() {
                            let later = std::mem::take(&mut run.later);
                            for (due, q) in later {
                                if due <= now {
                                    run.queue.push_back((q, due));
                                } else {
                                    next = Some(next.map_or(due, |n: Instant| n.min(due)));
                                    run.later.push((due, q));
                                }
                            }
                        }
                        // Send released jobs on, oldest batch first, within the fuel.
                        let mut fuel = spec.dispatch_fuel.max(1);
                        let mut owners: Vec<u64> = running
                            .iter()
                            .filter(|(_, r)| !r.queue.is_empty())
                            .map(|(n, _)| *n)
                            .collect();
                        owners.sort_unstable();
                        for n in owners {
                            let Some(run) = running.get_mut(&n) else {
                                continue;
                            };
                            let take = run.queue.len().min(fuel);
                            fuel -= take;
                            let mut session = output.session(&run.cap);
                            for _ in 0..take {
                                if let Some((id, ready)) = run.queue.pop_front() {
                                    session.give(Step::Run(run.dispatch(id, ready, scale)));
                                }
                            }
                            if fuel == 0 {
                                break;
                            }
                        }
                        if running.values().any(|r| !r.queue.is_empty()) {
                            timer.activate();
                        } else if let Some(next) = next {
                            timer.activate_after(next.saturating_duration_since(now));
                        }
                    }
                },
            );
        let (runs, outcomes) = steps.ok_err(|s| match s {
            Step::Run(d) => Ok(d),
            Step::Outcome(o) => Err(o),
        });
        runs.exchange(move |d: &Dispatch| d.route(spread))
            .map(Dispatch::into_job)
            .prove(pool, "Simulate")
            .exchange(|r: &Proved<SimulatedJob>| match r {
                Ok(done) => done.batch,
                Err(f) => f.batch_number,
            })
            .connect_loop(handle);
        outcomes
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
    use zkstream_types::{AggregationRound, CircuitType};

    /// A simulated job's metric label is its type id (`t01`), never a real family's name for the
    /// same id.
    #[test]
    fn simulated_labels_name_types_by_id() {
        let key = |circuit| SimKey {
            batch: 3,
            round: AggregationRound::Leaf,
            circuit,
            depth: 0,
            index: 0,
        };
        let job = |circuit| {
            SimulatedJob::new(
                key(circuit),
                JobId(0),
                Vec::new(),
                Duration::ZERO,
                Instant::now(),
                0,
            )
        };
        for (circuit, label) in [
            (Some(CircuitType::new(0)), "t00"),
            (Some(CircuitType::POSEIDON2), "t01"),
            (Some(CircuitType::new(17)), "t17"),
            (None, "all"),
        ] {
            assert_eq!(job(circuit).labels(), ("leaf", label.to_string()));
        }
    }

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
                spread: true,
                batch_times: BatchTimes::default(),
                // Below a batch's first release: the owner sends it over several activations.
                dispatch_fuel: 3,
            };
            let origin_unix_ns = unix_ns_now();
            let streamed = |n| StreamedBatch {
                batch: workload.batch(n),
                origin_unix_ns,
            };
            let batches = vec![(1, vec![streamed(1)]), (2, vec![streamed(2)])];
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
                let mut keys: Vec<SimKey> = p.records().iter().map(|r| r.key).collect();
                keys.sort_unstable();
                keys.dedup();
                assert_eq!(keys.len(), 2 * jobs, "no job twice");
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

    /// A stream's batches arrive on the origin they carry, not on a clock of the worker that owns them:
    /// with an origin long past every arrival is due and both batches start at once; with one now,
    /// the second batch starts one interval after it. (A clock started by the owner's first read
    /// would start the second batch an interval after the first in both cases.)
    #[test]
    fn batches_arrive_on_the_origin_they_carry() {
        let workload = Arc::new(Workload::small());
        let interval = Duration::from_millis(1500);
        for past in [true, false] {
            let spec = SimulationSpec {
                workload: Arc::clone(&workload),
                seed: 5,
                time_scale: 0.001,
                release: Release::Streaming,
                arrival_interval: Some(interval),
                spread: false,
                batch_times: BatchTimes::default(),
                dispatch_fuel: DISPATCH_FUEL,
            };
            let origin_unix_ns = if past {
                unix_ns_now() - 60_000_000_000
            } else {
                unix_ns_now()
            };
            let streamed = |n| StreamedBatch {
                batch: workload.batch(n),
                origin_unix_ns,
            };
            let batches = vec![(1, vec![streamed(1)]), (2, vec![streamed(2)])];
            let p = pool(ArtifactStore::open("memory://").unwrap(), 4);
            let (times, s) = (spec.batch_times.clone(), spec.clone());
            let seen = run_dataflow(batches, move |b| b.simulate(p, s));
            assert_eq!(seen.len(), 2);
            let starts = times.starts();
            let apart = starts[&2].saturating_duration_since(starts[&1]);
            if past {
                assert!(apart < interval / 2, "{apart:?} apart: both were due");
            } else {
                let due = instant_of_unix_ns(origin_unix_ns) + interval;
                assert!(
                    starts[&2] + Duration::from_millis(5) >= due,
                    "batch 2 started before its arrival"
                );
            }
        }
    }

    /// Three workers, each with its own pool (as three processes have): spread, every batch's jobs
    /// run on every pool, each once, and each tree still checks; kept on the owner, all of a batch's
    /// jobs run on one pool. Either way each batch's latency is taken where it is owned, and nothing
    /// starts before the last worker runs.
    #[test]
    fn spread_jobs_run_on_every_workers_pool_and_each_tree_checks() {
        const LATE: Duration = Duration::from_millis(300);
        use std::sync::mpsc;
        use timely::dataflow::operators::{Input, Inspect, Probe};
        use timely::dataflow::{InputHandle, ProbeHandle};

        let workload = Arc::new(Workload::small());
        let jobs = BatchGraph::build(&workload, 1, 5).unwrap().jobs.len();
        for spread in [true, false] {
            let store = ArtifactStore::open("memory://").unwrap();
            let pools: Vec<_> = (0..3).map(|_| pool(store.clone(), 2)).collect();
            let spec = SimulationSpec {
                workload: Arc::clone(&workload),
                seed: 5,
                time_scale: 0.001,
                release: Release::Streaming,
                arrival_interval: None,
                spread,
                batch_times: BatchTimes::default(),
                dispatch_fuel: 3,
            };
            let (tx, rx) = mpsc::channel();
            let (shared, w) = (pools.clone(), Arc::clone(&workload));
            let times = spec.batch_times.clone();
            timely::execute(timely::Config::process(3), move |worker| {
                let pool = Arc::clone(&shared[worker.index()]);
                let (spec, tx) = (spec.clone(), tx.clone());
                // A worker that comes late (as a process still being assigned its partitions):
                // no job is queued anywhere before it runs.
                if worker.index() == 2 {
                    std::thread::sleep(LATE);
                }
                let mut input = InputHandle::new();
                let probe = ProbeHandle::new();
                worker.dataflow::<u64, _, _>(|scope| {
                    scope
                        .input_from(&mut input)
                        .simulate(pool, spec)
                        .inspect(move |o| tx.send(o.clone()).unwrap())
                        .probe_with(&probe);
                });
                if worker.index() == 0 {
                    let origin_unix_ns = unix_ns_now();
                    for n in 1..=2 {
                        input.advance_to(n);
                        input.send(StreamedBatch {
                            batch: w.batch(n),
                            origin_unix_ns,
                        });
                    }
                }
                input.close();
                while !probe.done() {
                    worker.step_or_park(Some(Duration::from_millis(5)));
                }
            })
            .unwrap();
            let outcomes: Vec<_> = rx.try_iter().collect();
            assert_eq!(outcomes.len(), 2, "spread {spread}");
            for outcome in &outcomes {
                let record = outcome.as_ref().expect("a simulated record");
                check_record(record).expect("the tree hash checks");
            }
            // Each job of each graph ran once, on some pool: the same keys, none twice.
            let mut ran_keys: Vec<SimKey> = pools
                .iter()
                .flat_map(|p| p.records().into_iter().map(|r| r.key))
                .collect();
            ran_keys.sort_unstable();
            let mut graph_keys: Vec<SimKey> = (1..=2)
                .flat_map(|n| {
                    BatchGraph::build(&workload, n, 5)
                        .unwrap()
                        .jobs
                        .into_iter()
                        .map(|j| j.key)
                })
                .collect();
            graph_keys.sort_unstable();
            assert_eq!(ran_keys, graph_keys, "spread {spread}");
            let mut total = 0;
            for batch in 1..=2u64 {
                let ran: Vec<usize> = pools
                    .iter()
                    .map(|p| p.records().iter().filter(|r| r.key.batch == batch).count())
                    .collect();
                total += ran.iter().sum::<usize>();
                let busy = ran.iter().filter(|n| **n > 0).count();
                let expected = if spread { 3 } else { 1 };
                assert_eq!(busy, expected, "spread {spread}, batch {batch}: {ran:?}");
            }
            assert_eq!(total, 2 * jobs, "each job once");
            assert_eq!(times.latencies().len(), 2, "both batches' latency");
            let first = pools
                .iter()
                .flat_map(|p| p.records().into_iter().map(|r| r.queued))
                .min()
                .expect("jobs ran");
            assert!(
                first >= LATE,
                "a job was queued at {first:?}, before the late worker ran"
            );
        }
    }
}
