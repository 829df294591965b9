//! Live operational views, maintained incrementally with differential dataflow.
//!
//! Every job state change reported by the prover pool (queued, proving, done, failed) and every batch
//! read or closed becomes an update to one of two differential collections, run by a single-worker
//! timely dataflow on its own thread (never on a pipeline worker):
//!
//! ```text
//! jobs:  (ArtifactKey, JobState)  ─map (round, circuit, state)─▶ count        ─▶ queue depth, in flight
//! open:  (batch, read at ms)      ─map ((), ·)──────────────────▶ reduce(min)  ─▶ oldest unproven batch
//! ```
//!
//! The outputs are applied to a [`ViewSnapshot`] and exported as the gauges `zkstream_queued_jobs{round}`,
//! `zkstream_queue_depth{round,circuit}`, `zkstream_inflight_jobs{round}`, `zkstream_oldest_unproven_batch`
//! and `zkstream_oldest_unproven_age_seconds`. A closed batch retracts all its jobs, so the collections
//! hold only what is in flight.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::rc::Rc;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use differential_dataflow::input::Input;
use serde::{Deserialize, Serialize};
use timely::dataflow::operators::probe::Handle as ProbeHandle;
use zkstream_operators::model::Job;
use zkstream_operators::pool::{JobEnd, JobError, PoolObserver};
use zkstream_prover::SlotKind;
use zkstream_types::{AggregationRound, ArtifactKey, CircuitType};

use crate::metrics::Metrics;

/// The state of one proving job.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum JobState {
    /// Ready and waiting for a prover slot (also between retry attempts).
    Queued,
    /// A slot is proving it.
    Proving,
    /// Its proof exists (generated or reused).
    Done,
    /// It failed for good; its batch becomes a gap.
    Failed,
}

impl JobState {
    /// Every state, in order.
    pub const ALL: [JobState; 4] = [
        JobState::Queued,
        JobState::Proving,
        JobState::Done,
        JobState::Failed,
    ];
}

/// One input to the views.
#[derive(Clone, Debug)]
pub enum ViewEvent {
    /// A job entered `state`.
    Job(ArtifactKey, JobState),
    /// A batch was read from the source, at this many milliseconds since the Unix epoch.
    BatchRead(u64, u64),
    /// A batch was delivered or became a gap: it and its jobs leave the views.
    BatchClosed(u64),
}

enum Msg {
    Event(ViewEvent),
    Sync(Sender<()>),
}

/// The key of the job-count view: (round, circuit, state).
pub type CountKey = (AggregationRound, Option<CircuitType>, JobState);

/// The current outputs of the views.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ViewSnapshot {
    /// Jobs per (round, circuit, state), zero counts absent.
    pub counts: BTreeMap<CountKey, i64>,
    /// The lowest batch read and not yet closed, with when it was read (ms since the epoch).
    pub oldest_unproven: Option<(u64, u64)>,
    /// One past the highest batch closed so far (what the oldest-unproven gauge shows when none is open).
    pub next_batch: u64,
}

impl ViewSnapshot {
    /// Jobs of `round` (every circuit) in `state`.
    pub fn in_round(&self, round: AggregationRound, state: JobState) -> i64 {
        self.counts
            .iter()
            .filter(|((r, _, s), _)| *r == round && *s == state)
            .map(|(_, c)| c)
            .sum()
    }

    /// Recounts the views from scratch, from the current job states and open batches (the test oracle).
    pub fn recount(
        jobs: &HashMap<ArtifactKey, JobState>,
        open: &BTreeMap<u64, u64>,
        next_batch: u64,
    ) -> Self {
        let mut counts = BTreeMap::new();
        for (k, s) in jobs {
            *counts.entry((k.round, k.circuit, *s)).or_insert(0) += 1;
        }
        ViewSnapshot {
            counts,
            oldest_unproven: open.iter().next().map(|(b, t)| (*b, *t)),
            next_batch,
        }
    }
}

/// The views' handle: a pool observer and the batch events' entry point. Cheap to share (`Arc`).
pub struct OpsViews {
    tx: Mutex<Sender<Msg>>,
    snapshot: Arc<Mutex<ViewSnapshot>>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// The feeder's copy of the collections' current contents, turned into differential updates.
struct Feeder {
    jobs: HashMap<ArtifactKey, JobState>,
    open: BTreeMap<u64, u64>,
    next_batch: u64,
}

type Updates<D> = Rc<RefCell<Vec<(D, isize)>>>;

impl OpsViews {
    /// Starts the views' thread. `first_batch` is the batch delivery starts at (shown as the oldest
    /// unproven batch while nothing is open); `metrics` receives the gauges.
    pub fn start(first_batch: u64, metrics: Option<Arc<Metrics>>) -> std::io::Result<Arc<Self>> {
        let (tx, rx) = mpsc::channel();
        let snapshot = Arc::new(Mutex::new(ViewSnapshot {
            next_batch: first_batch,
            ..ViewSnapshot::default()
        }));
        let shared = Arc::clone(&snapshot);
        std::thread::Builder::new()
            .name("zkstream-views".into())
            .spawn(move || serve(rx, first_batch, shared, metrics))?;
        Ok(Arc::new(OpsViews {
            tx: Mutex::new(tx),
            snapshot,
        }))
    }

    /// Sends one event.
    pub fn send(&self, event: ViewEvent) {
        let tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        let _ = tx.send(Msg::Event(event));
    }

    /// A batch was read now.
    pub fn batch_read(&self, batch: u64) {
        self.send(ViewEvent::BatchRead(batch, now_ms()));
    }

    /// A batch was delivered or became a gap.
    pub fn batch_closed(&self, batch: u64) {
        self.send(ViewEvent::BatchClosed(batch));
    }

    /// Waits until every event sent before this call is reflected in [`OpsViews::snapshot`].
    pub fn sync(&self) {
        let (tx, rx) = mpsc::channel();
        {
            let sender = self.tx.lock().unwrap_or_else(|p| p.into_inner());
            if sender.send(Msg::Sync(tx)).is_err() {
                return;
            }
        }
        let _ = rx.recv();
    }

    /// The views' current outputs.
    pub fn snapshot(&self) -> ViewSnapshot {
        self.snapshot
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl PoolObserver for OpsViews {
    fn queued(&self, job: &Job) {
        self.send(ViewEvent::Job(job.key, JobState::Queued));
    }

    fn started(&self, job: &Job, _attempt: u32, _waited: Duration) {
        self.send(ViewEvent::Job(job.key, JobState::Proving));
    }

    fn retrying(&self, job: &Job, _attempt: u32, _error: &JobError) {
        self.send(ViewEvent::Job(job.key, JobState::Queued));
    }

    fn finished(&self, job: &Job, end: &JobEnd, _took: Duration, _slot: SlotKind) {
        let state = match end {
            JobEnd::Proved | JobEnd::Reused => JobState::Done,
            JobEnd::Failed { .. } => JobState::Failed,
        };
        self.send(ViewEvent::Job(job.key, state));
    }
}

/// Applies consolidated output changes of a keyed view: retractions first, then insertions.
fn apply<K: Ord, V: PartialEq>(map: &mut BTreeMap<K, V>, mut changes: Vec<((K, V), isize)>) {
    changes.sort_by_key(|(_, d)| *d);
    for ((k, v), d) in changes {
        if d < 0 {
            if map.get(&k) == Some(&v) {
                map.remove(&k);
            }
        } else if d > 0 {
            map.insert(k, v);
        }
    }
}

fn serve(
    rx: Receiver<Msg>,
    first_batch: u64,
    shared: Arc<Mutex<ViewSnapshot>>,
    metrics: Option<Arc<Metrics>>,
) {
    // timely wants a shareable closure; the receiver is only ever used by this one worker.
    let rx = Mutex::new(rx);
    timely::execute_directly(move |worker| {
        let rx = rx.lock().unwrap_or_else(|p| p.into_inner());
        let counted: Updates<(CountKey, isize)> = Rc::default();
        let oldest: Updates<((), (u64, u64))> = Rc::default();
        let probe = ProbeHandle::new();
        let (mut jobs_in, mut open_in) = worker.dataflow::<u64, _, _>(|scope| {
            let (jobs_in, jobs) = scope.new_collection::<(ArtifactKey, JobState), isize>();
            let (open_in, open) = scope.new_collection::<(u64, u64), isize>();
            let sink = Rc::clone(&counted);
            jobs.map(|(k, s)| (k.round, k.circuit, s))
                .count()
                .inspect(move |(d, _t, r)| sink.borrow_mut().push((*d, *r)))
                .probe_with(&probe);
            let sink = Rc::clone(&oldest);
            open.map(|b| ((), b))
                .reduce(|_k, input, output| output.push((*input[0].0, 1isize)))
                .inspect(move |(d, _t, r)| sink.borrow_mut().push((*d, *r)))
                .probe_with(&probe);
            (jobs_in, open_in)
        });
        let mut feeder = Feeder {
            jobs: HashMap::new(),
            open: BTreeMap::new(),
            next_batch: first_batch,
        };
        let mut view = ViewSnapshot {
            next_batch: first_batch,
            ..ViewSnapshot::default()
        };
        let mut depth_counts: BTreeMap<CountKey, isize> = BTreeMap::new();
        let mut min_open: BTreeMap<(), (u64, u64)> = BTreeMap::new();
        let mut epoch = 0u64;
        let mut disconnected = false;
        while !disconnected {
            // Block for the first message (waking once a second to refresh the age gauge), then drain.
            let mut syncs = Vec::new();
            let mut msgs = Vec::new();
            match rx.recv_timeout(Duration::from_secs(1)) {
                Ok(m) => msgs.push(m),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => disconnected = true,
            }
            while let Ok(m) = rx.try_recv() {
                msgs.push(m);
            }
            for m in msgs {
                match m {
                    Msg::Sync(s) => syncs.push(s),
                    Msg::Event(ViewEvent::Job(key, state)) => {
                        if let Some(old) = feeder.jobs.insert(key, state) {
                            jobs_in.remove((key, old));
                        }
                        jobs_in.insert((key, state));
                    }
                    Msg::Event(ViewEvent::BatchRead(b, at)) => {
                        if b >= feeder.next_batch && !feeder.open.contains_key(&b) {
                            feeder.open.insert(b, at);
                            open_in.insert((b, at));
                        }
                    }
                    Msg::Event(ViewEvent::BatchClosed(b)) => {
                        if let Some(at) = feeder.open.remove(&b) {
                            open_in.remove((b, at));
                        }
                        feeder.next_batch = feeder.next_batch.max(b + 1);
                        let done: Vec<ArtifactKey> = feeder
                            .jobs
                            .keys()
                            .filter(|k| k.batch == b)
                            .copied()
                            .collect();
                        for k in done {
                            if let Some(s) = feeder.jobs.remove(&k) {
                                jobs_in.remove((k, s));
                            }
                        }
                    }
                }
            }
            epoch += 1;
            jobs_in.advance_to(epoch);
            open_in.advance_to(epoch);
            jobs_in.flush();
            open_in.flush();
            worker.step_while(|| probe.less_than(&epoch));
            apply(
                &mut depth_counts,
                std::mem::take(&mut *counted.borrow_mut()),
            );
            apply(&mut min_open, std::mem::take(&mut *oldest.borrow_mut()));
            view.counts = depth_counts.iter().map(|(k, c)| (*k, *c as i64)).collect();
            view.oldest_unproven = min_open.get(&()).copied();
            view.next_batch = feeder.next_batch;
            if let Some(m) = &metrics {
                export(m, &view);
            }
            *shared.lock().unwrap_or_else(|p| p.into_inner()) = view.clone();
            for s in syncs {
                let _ = s.send(());
            }
        }
    });
}

fn export(m: &Metrics, view: &ViewSnapshot) {
    for round in AggregationRound::ALL {
        m.set_round_jobs(
            round.name(),
            view.in_round(round, JobState::Queued),
            view.in_round(round, JobState::Proving),
        );
    }
    m.reset_queue_depth();
    for ((round, circuit, state), c) in &view.counts {
        if *state == JobState::Queued {
            m.set_queue_depth(
                round.name(),
                &circuit.map_or_else(|| "batch".to_string(), |c| c.to_string()),
                *c,
            );
        }
    }
    match view.oldest_unproven {
        Some((b, at)) => {
            m.oldest_unproven_batch.set(b as i64);
            m.oldest_unproven_age_seconds
                .set(now_ms().saturating_sub(at) as f64 / 1000.0);
        }
        None => {
            m.oldest_unproven_batch.set(view.next_batch as i64);
            m.oldest_unproven_age_seconds.set(0.0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn key(
        batch: u64,
        round: AggregationRound,
        circuit: Option<CircuitType>,
        index: u32,
    ) -> ArtifactKey {
        ArtifactKey {
            protocol_version: 1,
            batch,
            round,
            circuit,
            depth: u32::from(round == AggregationRound::Node),
            index,
        }
    }

    /// A random sequence of job and batch events; after each burst the differential views must equal a
    /// recount from scratch of the same events.
    #[test]
    fn views_match_a_recount_after_random_job_events() {
        for seed in 0..4u64 {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let views = OpsViews::start(1, None).unwrap();
            let mut jobs: HashMap<ArtifactKey, JobState> = HashMap::new();
            let mut open: BTreeMap<u64, u64> = BTreeMap::new();
            let mut next_batch = 1u64;
            let circuits = [
                Some(CircuitType::POSEIDON2),
                Some(CircuitType::SHA256),
                None,
            ];
            for burst in 0..30 {
                for _ in 0..rng.gen_range(1..40) {
                    let batch = rng.gen_range(next_batch..next_batch + 4);
                    match rng.gen_range(0..20) {
                        0 => {
                            views.send(ViewEvent::BatchClosed(batch));
                            open.remove(&batch);
                            next_batch = next_batch.max(batch + 1);
                            jobs.retain(|k, _| k.batch != batch);
                        }
                        1..=3 => {
                            let at = 1_000 * batch + rng.gen_range(0..100);
                            views.send(ViewEvent::BatchRead(batch, at));
                            open.entry(batch).or_insert(at);
                        }
                        _ => {
                            let round = AggregationRound::ALL
                                [rng.gen_range(0..AggregationRound::ALL.len())];
                            let circuit = circuits[rng.gen_range(0..circuits.len())];
                            let k = key(batch, round, circuit, rng.gen_range(0..3));
                            let s = JobState::ALL[rng.gen_range(0..4)];
                            views.send(ViewEvent::Job(k, s));
                            jobs.insert(k, s);
                        }
                    }
                }
                views.sync();
                let expected = ViewSnapshot::recount(&jobs, &open, next_batch);
                assert_eq!(views.snapshot(), expected, "seed {seed}, burst {burst}");
            }
        }
    }

    #[test]
    fn gauges_follow_the_views() {
        let metrics = Arc::new(Metrics::new().unwrap());
        let views = OpsViews::start(5, Some(Arc::clone(&metrics))).unwrap();
        let leaf = key(5, AggregationRound::Leaf, Some(CircuitType::SHA256), 0);
        let basic = key(6, AggregationRound::Basic, Some(CircuitType::SHA256), 1);
        views.batch_read(5);
        views.batch_read(6);
        views.send(ViewEvent::Job(leaf, JobState::Queued));
        views.send(ViewEvent::Job(basic, JobState::Queued));
        views.send(ViewEvent::Job(basic, JobState::Proving));
        views.sync();
        let text = metrics.render();
        for line in [
            "zkstream_queued_jobs{round=\"leaf\"} 1",
            "zkstream_inflight_jobs{round=\"basic\"} 1",
            "zkstream_queue_depth{circuit=\"sha256\",round=\"leaf\"} 1",
            "zkstream_oldest_unproven_batch 5",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
        views.batch_closed(5);
        views.sync();
        let text = metrics.render();
        assert!(text.contains("zkstream_oldest_unproven_batch 6"), "{text}");
        assert!(
            text.contains("zkstream_queued_jobs{round=\"leaf\"} 0"),
            "{text}"
        );
        views.batch_closed(6);
        views.sync();
        assert!(metrics
            .render()
            .contains("zkstream_oldest_unproven_batch 7"));
    }
}
