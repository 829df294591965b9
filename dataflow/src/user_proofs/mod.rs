//! User-proof mode (`zkstream aggregate`, "aggregation mode" to users): one run over users'
//! proof submissions — check each submission natively (invalid or unsupported ones are refused with
//! a reason, never aggregated), group by program, chunk, prove every chunk and the aggregate,
//! re-check the aggregate's root natively against the commitments (refusing to publish on a mismatch),
//! pack the commitments into EIP-4844 blobs with their KZG commitments and proofs, record every
//! proof's inclusion path, and, with `[aggregation] wrap`, wrap the aggregated proof in a PLONK proof
//! over BN254 (`zkstream_prover::wrap::aggregate`).
//!
//! [`run_sequential`] is the reference (one thread, in order); a [`UserTreeService`] proves the same
//! tree in a long-lived timely dataflow (chunks spread over the workers of every process of a
//! cluster, each node level once the level below is complete, every proof a job of the prover pool,
//! stored in the artifact store) and is what `zkstream aggregate` runs over the
//! `zkstream.user_proofs` topic. [`service`] is the mode's composition root and run loop.

pub mod service;

use std::collections::{BTreeMap, HashMap};
use std::sync::{mpsc, Arc, Mutex};

use zkstream_aggregation::{commit_blob, pack_blobs, MerkleTree, ProvingSystem};
use zkstream_operators::pool::{JobEnd, JobError, PoolConfig, ProverPool};
use zkstream_operators::store::ArtifactStore;
use zkstream_operators::user_tree::{
    load_user_proof, tree_key, TreeProof, UserJob, UserJobKind, UserTreeExt,
};
use zkstream_prover::field::{BProof, BVk};
use zkstream_prover::user::{
    aggregate_user_proofs, group_by_family, order_by_program, run_family, tree_plan,
    user_commitment, ReferenceAggregate,
};
use zkstream_prover::wrap::{memory_per_wrap, AggregateWrapper};
use zkstream_prover::{decode_proof, KeyStore, Prover, ProverError, UserFamily};
use zkstream_types::{
    AggregationRecord, BlobRecord, IncludedProof, RejectReason, UserProofKey, UserSubmission,
    WrappedProof,
};

use crate::pipeline::Cluster;
use crate::service::{check_wrap_memory, memory_for_wraps, memory_resident};

/// Errors of a run (a refused submission is not an error: it is a [`Refusal`]).
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Proving failed.
    #[error(transparent)]
    Prover(#[from] ProverError),
    /// The aggregate's root is not the root of the commitments: nothing is published.
    #[error("the aggregated proof commits to root {proved} over {count} proofs, the commitments give {expected}: not publishing")]
    RootMismatch {
        /// What the proof says.
        proved: String,
        /// Proofs it claims.
        count: u64,
        /// What the host computed.
        expected: String,
    },
    /// More proofs than one aggregate holds.
    #[error("{got} proofs in one run; an aggregate holds at most {max}")]
    TooMany {
        /// Given.
        got: usize,
        /// The limit.
        max: usize,
    },
    /// Blob packing or KZG failed.
    #[error("blobs: {0}")]
    Blobs(#[from] zkstream_aggregation::AggregationError),
    /// Encoding the aggregated proof failed.
    #[error("encoding: {0}")]
    Encode(String),
    /// A proof of the tree failed after the pool's retries (its reason is the first failure below it).
    #[error("tree proof {key}: {reason}")]
    Tree {
        /// The proof that is missing.
        key: String,
        /// Why.
        reason: String,
    },
    /// The tree came back with other proofs than its plan (a bug, never an input).
    #[error("the tree has {got:?} proofs per level, the plan {plan:?}")]
    Shape {
        /// Proofs per level received.
        got: Vec<usize>,
        /// Proofs per level planned.
        plan: Vec<usize>,
    },
    /// A tree proof could not be read back from the artifact store.
    #[error("reading a tree proof: {0}")]
    Read(#[from] Box<JobError>),
    /// The service was used against its contract (a run handed in out of order, or on a process
    /// other than 0).
    #[error("{0}")]
    Misuse(String),
    /// The dataflow stopped (a worker panicked, a peer was lost): a new service must be started.
    #[error("aggregation dataflow stopped: {0}")]
    Stopped(String),
    /// The machine's memory does not hold the wrap of the run's proof (`[aggregation] wrap`).
    #[error("aggregation.wrap: {0}")]
    WrapMemory(String),
}

impl RunError {
    /// Whether running the same submissions again on the same service can help: a store fault may
    /// pass (what the failed attempt stored is reused). A proof that failed after the pool's retries,
    /// a refused input or a root mismatch fails the same way again, and a stopped dataflow stays
    /// stopped (a restarted process reuses what it stored).
    pub fn is_retryable(&self) -> bool {
        match self {
            RunError::Prover(e) => e.is_retryable(),
            RunError::Read(e) => e.is_retryable(),
            RunError::Stopped(_)
            | RunError::RootMismatch { .. }
            | RunError::TooMany { .. }
            | RunError::Blobs(_)
            | RunError::Encode(_)
            | RunError::Tree { .. }
            | RunError::Shape { .. }
            | RunError::WrapMemory(_)
            | RunError::Misuse(_) => false,
        }
    }
}

/// A stored progress record that does not parse.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{line:?}: {reason}")]
pub struct BadProgress {
    /// The line that does not parse (the first line for a missing header).
    pub line: String,
    /// What is wrong with it.
    pub reason: String,
}

/// A submission that will not be aggregated, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The submitter's proof id.
    pub proof_id: String,
    /// Why (its label is the dead-letter metrics label).
    pub reason: RejectReason,
}

/// A submission that passed every check.
#[derive(Clone, Debug)]
pub struct CheckedProof {
    /// The submitter's proof id.
    pub proof_id: String,
    /// The key's family (a run aggregates one).
    pub family: UserFamily,
    /// The program's key.
    pub vk: BVk,
    /// The proof.
    pub proof: BProof,
}

/// Checks one submission natively. `registered` looks up keys by program id for submissions that do
/// not embed theirs.
pub fn check_submission(
    prover: &Prover,
    registered: &dyn Fn(&[u8; 32]) -> Option<BVk>,
    sub: &UserSubmission,
) -> Result<CheckedProof, RejectReason> {
    sub.validate()?;
    match ProvingSystem::from_id(sub.proving_system_id) {
        Some(ProvingSystem::Boojum) => {}
        Some(other) => {
            return Err(RejectReason::Unsupported(format!(
                "proving system {} is not aggregated by this deployment",
                other.name()
            )))
        }
        None => {
            return Err(RejectReason::Unsupported(format!(
                "unknown proving system id {:#06x}",
                sub.proving_system_id
            )))
        }
    }
    let vk: BVk = match &sub.vk {
        Some(bytes) => zkstream_prover::field::decode_vk(bytes)
            .map_err(|e| RejectReason::Invalid(format!("undecodable key ({e})")))?,
        None => registered(&sub.program_id).ok_or_else(|| {
            RejectReason::Invalid(format!(
                "program {} is not registered and the submission embeds no key",
                hex::encode(sub.program_id)
            ))
        })?,
    };
    let proof = decode_proof(&sub.proof)
        .map_err(|e| RejectReason::Invalid(format!("undecodable proof ({e})")))?;
    let family = prover
        .check_user_proof(&sub.program_id, &sub.public_inputs, &vk, &proof)
        .map_err(|e| match e {
            zkstream_prover::user::UserProofError::Unsupported(_)
            | zkstream_prover::user::UserProofError::UnsupportedConfig => {
                RejectReason::Unsupported(e.to_string())
            }
            other => RejectReason::Invalid(other.to_string()),
        })?;
    Ok(CheckedProof {
        proof_id: sub.proof_id.clone(),
        family,
        vk,
        proof,
    })
}

/// How a run's tree is proved.
pub enum TreeProving<'a> {
    /// In this thread, in order (the reference).
    Sequential,
    /// In a running [`UserTreeService`]: a timely dataflow, possibly over a cluster of processes.
    Dataflow(&'a mut UserTreeService),
}

/// A run handed to the service's worker 0, and where its proofs go back.
struct RunRequest {
    /// The dataflow time of this request (one per request: a retried run gets a new one).
    time: u64,
    jobs: Vec<UserJob>,
    reply: mpsc::Sender<Vec<TreeProof>>,
}

/// A long-lived timely dataflow that proves aggregation runs' trees: chunk jobs are spread over every
/// worker of every process by index, each node level is proved once the level below is complete
/// (timely's frontier; each run handed in gets the next time, a retried run a new one). Every proof is a job of the process's prover pool
/// ([`UserJob`]), stored in the artifact store before the dataflow hears of it: a run handed in again
/// after a restart reuses every proof that was finished.
///
/// In a cluster every process runs one, each with its own pool and key store over the same artifact
/// store; process 0 (which hosts worker 0) hands runs in with [`UserTreeService::prove_run`] and gets the
/// references of every level back, the others only prove ([`UserTreeService::finish`] returns when process
/// 0 closes its service). A family a process has not seen is made known from the key each job carries,
/// and its chunk and node keys are set up (or loaded from that process's cache) on first use.
pub struct UserTreeService {
    requests: Option<mpsc::Sender<RunRequest>>,
    guards: Option<timely::communication::WorkerGuards<()>>,
    hosts_worker_0: bool,
    last_run: Option<u64>,
    /// The dataflow time the next run request gets.
    next_time: u64,
    pool: Arc<ProverPool<UserJob>>,
}

impl UserTreeService {
    /// Starts the dataflow: `workers` threads in this process (the same in every process of a
    /// cluster), proving on `pool`.
    pub fn start(
        pool: Arc<ProverPool<UserJob>>,
        workers: usize,
        cluster: Option<&Cluster>,
    ) -> Result<Self, RunError> {
        let hosts_worker_0 = cluster.is_none_or(|c| c.process == 0);
        let (tx, rx) = mpsc::channel::<RunRequest>();
        let rx = Arc::new(Mutex::new(Some(rx)));
        let levels = pool.keys().user_shape().levels;
        let tree_pool = Arc::clone(&pool);
        let guards = timely::execute(
            crate::pipeline::timely_config(cluster, workers),
            move |worker| {
                use timely::dataflow::operators::{Exchange, Inspect, Probe};
                use timely::dataflow::{InputHandleVec, ProbeHandle};
                let mut input = InputHandleVec::<u64, UserJob>::new();
                let probe = ProbeHandle::new();
                let done: Arc<Mutex<BTreeMap<u64, Vec<TreeProof>>>> = Arc::default();
                let sink = Arc::clone(&done);
                let pool = Arc::clone(&tree_pool);
                worker.dataflow::<u64, _, _>(|scope| {
                    input
                        .to_stream(scope)
                        .prove_user_tree(pool, levels)
                        .exchange(|_| 0)
                        .inspect_core(move |event| {
                            // Data with its time (the request's); frontier notices need nothing.
                            if let Ok((stamp, proofs)) = event {
                                if let Some(run) = stamp.least() {
                                    sink.lock()
                                        .unwrap_or_else(|e| e.into_inner())
                                        .entry(*run)
                                        .or_default()
                                        .extend(proofs.iter().cloned());
                                }
                            }
                        })
                        .probe_with(&probe);
                });
                let requests = if worker.index() == 0 {
                    rx.lock().unwrap_or_else(|p| p.into_inner()).take()
                } else {
                    None
                };
                let Some(requests) = requests else {
                    // Only worker 0 takes runs in; the others prove what the exchanges give them until
                    // worker 0 closes its input.
                    drop(input);
                    while worker.step_or_park(None) {}
                    return;
                };
                let mut input = Some(input);
                let mut waiting: BTreeMap<u64, mpsc::Sender<Vec<TreeProof>>> = BTreeMap::new();
                loop {
                    if let Some(handle) = input.as_mut() {
                        loop {
                            match requests.try_recv() {
                                Ok(req) => {
                                    if req.time < *handle.time() {
                                        // Times only grow (see `prove_run`); dropping the reply says so.
                                        continue;
                                    }
                                    handle.advance_to(req.time);
                                    for job in req.jobs {
                                        handle.send(job);
                                    }
                                    handle.advance_to(req.time + 1);
                                    waiting.insert(req.time, req.reply);
                                }
                                Err(mpsc::TryRecvError::Empty) => break,
                                Err(mpsc::TryRecvError::Disconnected) => {
                                    input = None;
                                    break;
                                }
                            }
                        }
                    }
                    // A request is complete once the frontier has passed its time at the end of the
                    // dataflow.
                    let complete: Vec<u64> = waiting
                        .keys()
                        .copied()
                        .filter(|t| !probe.less_equal(t))
                        .collect();
                    for time in complete {
                        let proofs = done
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .remove(&time)
                            .unwrap_or_default();
                        if let Some(reply) = waiting.remove(&time) {
                            // The caller may have gone (it gave up on the run): nothing to do.
                            let _ = reply.send(proofs);
                        }
                    }
                    if input.is_none() && waiting.is_empty() {
                        break;
                    }
                    worker.step_or_park(Some(std::time::Duration::from_millis(20)));
                }
                while worker.step_or_park(None) {}
            },
        )
        .map_err(RunError::Stopped)?;
        Ok(UserTreeService {
            requests: hosts_worker_0.then_some(tx),
            guards: Some(guards),
            hosts_worker_0,
            last_run: None,
            next_time: 1,
            pool,
        })
    }

    /// Whether this process takes runs in (process 0 of a cluster, or no cluster).
    pub fn hosts_worker_0(&self) -> bool {
        self.hosts_worker_0
    }

    /// The pool the tree is proved on.
    pub fn pool(&self) -> &Arc<ProverPool<UserJob>> {
        &self.pool
    }

    /// Chunk and node proofs this process made, and found stored and reused.
    pub fn proof_counts(&self) -> (usize, usize) {
        proof_counts(&self.pool)
    }

    /// Proves run `run`'s chunks and every node level above them; returns every proof of the tree
    /// (each stored under its key, failures with their reasons). Runs must be handed in in increasing
    /// order; the same run may be handed in again (a retry: what it stored before is reused).
    pub fn prove_run(&mut self, run: u64, jobs: Vec<UserJob>) -> Result<Vec<TreeProof>, RunError> {
        if !self.hosts_worker_0 {
            return Err(RunError::Misuse(
                "only process 0 of the cluster takes runs in".into(),
            ));
        }
        if self.last_run.is_some_and(|last| run < last) {
            return Err(RunError::Misuse(format!(
                "run {run} after run {:?}: runs go in increasing order",
                self.last_run
            )));
        }
        let (reply, answer) = mpsc::channel();
        let time = self.next_time;
        self.next_time += 1;
        self.requests
            .as_ref()
            .ok_or_else(|| RunError::Misuse("the service is closed".into()))?
            .send(RunRequest { time, jobs, reply })
            .map_err(|_| RunError::Stopped("worker 0 is gone".into()))?;
        self.last_run = Some(run);
        answer.recv().map_err(|_| {
            // Worker 0 dropped the reply: it stopped (a panic, a lost peer); say what it said.
            let why = self.stop().err().map(|e| e.to_string());
            RunError::Stopped(why.unwrap_or_else(|| "worker 0 dropped the run".into()))
        })
    }

    /// Closes this process's side and waits for the dataflow to end: on process 0 at once (the
    /// other processes' dataflows end with it), elsewhere when process 0 closes.
    pub fn finish(mut self) -> Result<(), RunError> {
        self.stop()
    }

    fn stop(&mut self) -> Result<(), RunError> {
        self.requests = None;
        let Some(guards) = self.guards.take() else {
            return Ok(());
        };
        for r in guards.join() {
            r.map_err(RunError::Stopped)?;
        }
        Ok(())
    }
}

impl Drop for UserTreeService {
    fn drop(&mut self) {
        if let Err(e) = self.stop() {
            tracing::error!(error = %e, "the aggregation dataflow ended with an error");
        }
    }
}

/// Chunk and node proofs a pool made, and found stored and reused.
pub fn proof_counts(pool: &ProverPool<UserJob>) -> (usize, usize) {
    let records = pool.records();
    let count = |end: JobEnd| records.iter().filter(|r| r.end == end).count();
    (count(JobEnd::Proved), count(JobEnd::Reused))
}

/// A run's proofs cut into chunk jobs.
struct RunJobs {
    family: UserFamily,
    /// The proofs in leaf order (grouped by program).
    ordered: Vec<(BVk, BProof)>,
    jobs: Vec<UserJob>,
}

/// The chunk jobs of run `run` over checked proofs of one family, in leaf order. The same proofs give
/// the same jobs under the same keys, so a run proved again after a restart finds its stored proofs.
fn chunk_jobs(prover: &Prover, run: u64, proofs: &[(BVk, BProof)]) -> Result<RunJobs, RunError> {
    let shape = *prover.keys().user_shape();
    let family = run_family(prover, proofs)?;
    let ordered = order_by_program(proofs);
    let template = ordered
        .first()
        .map(|p| p.0.clone())
        .ok_or(RunError::TooMany {
            got: 0,
            max: shape.proofs_per_aggregate(),
        })?;
    let jobs = ordered
        .chunks(shape.proofs_per_chunk)
        .enumerate()
        .map(|(i, c)| UserJob {
            key: UserProofKey {
                protocol_version: prover.keys().protocol_version(),
                run,
                family: family.0,
                level: 0,
                index: i as u32,
            },
            template: Box::new(template.clone()),
            kind: UserJobKind::Chunk(c.to_vec()),
        })
        .collect();
    Ok(RunJobs {
        family,
        ordered,
        jobs,
    })
}

/// Proves a run's tree in `service` and checks it against the plan: what [`aggregate_user_proofs`]
/// gives, for the same proofs (read back from the artifact store).
pub fn prove_tree(
    service: &mut UserTreeService,
    prover: &Prover,
    run: u64,
    proofs: &[(BVk, BProof)],
) -> Result<ReferenceAggregate, RunError> {
    let shape = *prover.keys().user_shape();
    let plan = tree_plan(&shape, proofs.len())?;
    let RunJobs {
        family,
        ordered,
        jobs,
    } = chunk_jobs(prover, run, proofs)?;
    let mut proofs = service.prove_run(run, jobs)?;
    proofs.sort_by_key(|p| {
        let key = tree_key(p).0;
        (key.level, key.index)
    });
    let store = service.pool().store();
    let mut levels: Vec<Vec<BProof>> = vec![Vec::new(); plan.len()];
    for p in proofs {
        let key = p
            .map_err(|f| RunError::Tree {
                key: f.key.to_string(),
                reason: f.reason,
            })?
            .key;
        let proof = load_user_proof(store, &key).map_err(Box::new)?;
        let level = key.level as usize;
        if level >= levels.len() {
            levels.resize(level + 1, Vec::new());
        }
        levels[level].push(proof);
    }
    let counts: Vec<usize> = levels.iter().map(Vec::len).collect();
    if counts != plan {
        return Err(RunError::Shape { got: counts, plan });
    }
    let chunk_proofs = levels.remove(0);
    Ok(ReferenceAggregate::from_levels(
        family,
        &ordered,
        chunk_proofs,
        levels,
    )?)
}

/// A prover pool for user-proof mode's tree: `slots` CPU slots of `threads` threads each over
/// `keys`, storing in `store`.
pub fn tree_pool(
    keys: Arc<KeyStore>,
    store: ArtifactStore,
    slots: usize,
    threads: usize,
) -> ProverPool<UserJob> {
    // A run is a few dozen chunk and node jobs, and `proof_counts` counts them all.
    ProverPool::builder(keys, store, PoolConfig::for_cores(slots * threads, threads))
        .keep_records(usize::MAX)
        .start()
}

/// Proves a run's tree in a dataflow of its own (`workers` threads, at most `slots` proofs at a
/// time, this process only, proofs kept in memory): what [`aggregate_user_proofs`] gives, for the same
/// proofs.
pub fn prove_tree_in_memory(
    prover: Arc<Prover>,
    workers: usize,
    slots: usize,
    proofs: &[(BVk, BProof)],
) -> Result<ReferenceAggregate, RunError> {
    let store = ArtifactStore::open("memory://").map_err(|e| Box::new(JobError::Store(e)))?;
    let pool = tree_pool(Arc::clone(prover.keys()), store, slots, 1);
    let mut service = UserTreeService::start(Arc::new(pool), workers, None)?;
    let aggregate = prove_tree(&mut service, &prover, 1, proofs);
    service.finish()?;
    aggregate
}

/// Aggregates checked proofs (at most one aggregate's worth) into a run record, with the aggregated
/// proof wrapped when a `wrapper` is given.
pub fn aggregate(
    prover: &Arc<Prover>,
    run: u64,
    proofs: &[CheckedProof],
    how: TreeProving<'_>,
    wrapper: Option<&AggregateWrapper>,
) -> Result<AggregationRecord, RunError> {
    let shape = *prover.keys().user_shape();
    if proofs.is_empty() || proofs.len() > shape.proofs_per_aggregate() {
        return Err(RunError::TooMany {
            got: proofs.len(),
            max: shape.proofs_per_aggregate(),
        });
    }
    // Group by program (stable), remembering each proof's id.
    let pairs: Vec<(BVk, BProof)> = proofs
        .iter()
        .map(|p| (p.vk.clone(), p.proof.clone()))
        .collect();
    let ids: HashMap<[u8; 32], Vec<String>> = proofs.iter().fold(HashMap::new(), |mut m, p| {
        m.entry(user_commitment(&p.vk, &p.proof))
            .or_default()
            .push(p.proof_id.clone());
        m
    });
    let done = match how {
        TreeProving::Sequential => aggregate_user_proofs(prover, &pairs)?,
        TreeProving::Dataflow(service) => prove_tree(service, prover, run, &pairs)?,
    };
    let leaves = done.leaves;
    let tree = MerkleTree::new(&leaves)?;
    // The host's own check before anything is published.
    let (count, proved) = prover.verify_user_aggregate(done.family, &done.proof)?;
    if proved != tree.root() || count != leaves.len() as u64 {
        return Err(RunError::RootMismatch {
            proved: hex::encode(proved),
            count,
            expected: hex::encode(tree.root()),
        });
    }
    let wrap = match wrapper {
        Some(w) => Some(wrap_aggregate(prover, w, done.family, &done.proof)?),
        None => None,
    };
    let mut used: HashMap<[u8; 32], usize> = HashMap::new();
    let mut included = Vec::with_capacity(leaves.len());
    for (index, leaf) in leaves.iter().enumerate() {
        let k = used.entry(*leaf).or_insert(0);
        let proof_id = ids
            .get(leaf)
            .and_then(|v| v.get(*k))
            .cloned()
            .unwrap_or_default();
        *k += 1;
        included.push(IncludedProof {
            proof_id,
            commitment: *leaf,
            index: index as u32,
            path: tree.proof(index)?.path,
        });
    }
    let mut blobs = Vec::new();
    for data in pack_blobs(&leaves)? {
        let kzg = commit_blob(&data)?;
        blobs.push(BlobRecord {
            data: data.0,
            kzg_commitment: kzg.commitment,
            kzg_proof: kzg.proof,
            versioned_hash: kzg.versioned_hash,
        });
    }
    let aggregate_key = prover
        .keys()
        .vk_commitment(prover.user_aggregate_id(done.family))?;
    Ok(AggregationRecord {
        run,
        family: done.family.0,
        aggregate_key: aggregate_key.to_bytes(),
        root: tree.root(),
        proof: zkstream_prover::encode_proof(&done.proof)
            .map_err(|e| RunError::Encode(e.to_string()))?,
        chunks: done.chunk_proofs.len() as u32,
        proofs: included,
        blobs,
        wrap,
    })
}

/// Wraps a run's checked top-node proof. When a family's wrap keys are prepared (its first run, or
/// after another family's), the machine's memory must hold one wrap of their size.
fn wrap_aggregate(
    prover: &Prover,
    wrapper: &AggregateWrapper,
    family: UserFamily,
    top: &BProof,
) -> Result<WrappedProof, RunError> {
    let before = memory_resident();
    wrapper.wrap(prover.keys(), family, top, |keys| {
        check_wrap_memory(1, memory_per_wrap(keys.domain()), memory_for_wraps(before))
            .map_err(RunError::WrapMemory)
    })
}

/// The sequential reference: checks every submission and aggregates the valid ones, one run per
/// family (families in id order, numbered from `run`).
pub fn run_sequential(
    prover: &Arc<Prover>,
    run: u64,
    registered: &dyn Fn(&[u8; 32]) -> Option<BVk>,
    submissions: &[UserSubmission],
    wrapper: Option<&AggregateWrapper>,
) -> Result<(Vec<AggregationRecord>, Vec<Refusal>), RunError> {
    let mut ok = Vec::new();
    let mut refused = Vec::new();
    for sub in submissions {
        match check_submission(prover, registered, sub) {
            Ok(c) => ok.push(c),
            Err(reason) => refused.push(Refusal {
                proof_id: sub.proof_id.clone(),
                reason,
            }),
        }
    }
    let mut records = Vec::new();
    for (k, (_, group)) in group_by_family(&ok, |c| c.family).into_iter().enumerate() {
        records.push(aggregate(
            prover,
            run + k as u64,
            &group,
            TreeProving::Sequential,
            wrapper,
        )?);
    }
    Ok((records, refused))
}

/// The progress of user-proof mode, kept in the artifact store (`state/aggregation`): the last run
/// published and the submission offsets it covers, so a restart neither repeats nor skips a run.
///
/// A run aggregates one family, so it may take submissions that lie *after* one still waiting for
/// another family's run: the committed offset stops at the waiting one, and the submissions past it
/// that were handled already (aggregated, or refused to the dead-letter topic) are listed in
/// `handled`, so a restart skips them instead of proving or dead-lettering them twice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunProgress {
    /// The last run published (0: none yet).
    pub run: u64,
    /// Per partition, the offset to commit once that run is published.
    pub offsets: std::collections::BTreeMap<i32, i64>,
    /// (partition, offset) of submissions at or past their partition's offset that were aggregated or
    /// refused.
    pub handled: std::collections::BTreeSet<(i32, i64)>,
}

const PROGRESS_HEADER: &str = "zkstream aggregation progress v1";

impl RunProgress {
    /// The progress after run `run`: `position` is the next offset to read per partition, `waiting`
    /// the submissions read and not yet aggregated, `handled` those aggregated or refused so far. Each
    /// partition commits up to its first waiting submission; what was handled past that point is
    /// remembered, the rest forgotten.
    pub fn after_run(
        run: u64,
        position: &std::collections::BTreeMap<i32, i64>,
        waiting: &[(i32, i64)],
        handled: &std::collections::BTreeSet<(i32, i64)>,
    ) -> Self {
        let mut offsets = position.clone();
        for (p, o) in waiting {
            let e = offsets.entry(*p).or_insert(*o);
            *e = (*e).min(*o);
        }
        let handled = handled
            .iter()
            .filter(|(p, o)| offsets.get(p).is_some_and(|c| o >= c))
            .copied()
            .collect();
        RunProgress {
            run,
            offsets,
            handled,
        }
    }

    /// The text form.
    pub fn encode(&self) -> String {
        let mut s = format!("{PROGRESS_HEADER}\nrun {}\n", self.run);
        for (p, o) in &self.offsets {
            s.push_str(&format!("offset {p} {o}\n"));
        }
        for (p, o) in &self.handled {
            s.push_str(&format!("handled {p} {o}\n"));
        }
        s
    }

    /// Parses the text form.
    pub fn decode(text: &str) -> Result<Self, BadProgress> {
        let bad = |line: &str, reason: String| BadProgress {
            line: line.to_string(),
            reason,
        };
        let mut lines = text.lines();
        let first = lines.next().unwrap_or_default();
        if first != PROGRESS_HEADER {
            return Err(bad(first, "not an aggregation progress record".into()));
        }
        let mut out = RunProgress::default();
        for line in lines {
            let number = |what: &str, e: std::num::ParseIntError| bad(line, format!("{what}: {e}"));
            let words: Vec<&str> = line.split_whitespace().collect();
            match words.as_slice() {
                ["run", n] => out.run = n.parse().map_err(|e| number("run", e))?,
                ["offset", p, o] => {
                    let p: i32 = p.parse().map_err(|e| number("partition", e))?;
                    let o: i64 = o.parse().map_err(|e| number("offset", e))?;
                    out.offsets.insert(p, o);
                }
                ["handled", p, o] => {
                    let p: i32 = p.parse().map_err(|e| number("partition", e))?;
                    let o: i64 = o.parse().map_err(|e| number("offset", e))?;
                    out.handled.insert((p, o));
                }
                [] => {}
                _ => return Err(bad(line, "unexpected line".into())),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    mod commits {
        //! User-proof mode's commit rule, with random positions, waiting and handled submissions:
        //! the offset committed after a run is at or below every submission still waiting, a partition
        //! with nothing waiting commits its position, and what was handled past the commit is remembered.
        use super::*;
        use proptest::prelude::*;
        use std::collections::{BTreeMap, BTreeSet};

        proptest! {
            #[test]
            fn the_commit_after_a_run_never_passes_a_waiting_submission(
                read in proptest::collection::vec((0i32..3, 0u8..3), 0..40),
            ) {
                // Each submission read: its partition and whether it waits (0), was aggregated (1) or
                // refused (2).
                let mut position: BTreeMap<i32, i64> = BTreeMap::new();
                let (mut waiting, mut handled) = (Vec::new(), BTreeSet::new());
                for (p, fate) in &read {
                    let o = *position.get(p).unwrap_or(&0);
                    position.insert(*p, o + 1);
                    if *fate == 0 {
                        waiting.push((*p, o));
                    } else {
                        handled.insert((*p, o));
                    }
                }
                let saved = RunProgress::after_run(7, &position, &waiting, &handled);
                for (p, o) in &waiting {
                    prop_assert!(saved.offsets[p] <= *o);
                    prop_assert!(!saved.handled.contains(&(*p, *o)));
                }
                for (p, end) in &position {
                    if !waiting.iter().any(|(q, _)| q == p) {
                        prop_assert_eq!(saved.offsets[p], *end);
                    }
                }
                for (p, o) in &handled {
                    prop_assert_eq!(saved.handled.contains(&(*p, *o)), *o >= saved.offsets[p]);
                }
                let back = RunProgress::decode(&saved.encode()).unwrap();
                prop_assert_eq!(back.offsets, saved.offsets);
            }
        }
    }

    #[test]
    fn progress_round_trips_and_rejects_garbage() {
        let p = RunProgress {
            run: 7,
            offsets: [(0, 12), (3, 4)].into_iter().collect(),
            handled: [(0, 14), (0, 15)].into_iter().collect(),
        };
        assert_eq!(RunProgress::decode(&p.encode()).unwrap(), p);
        assert_eq!(
            RunProgress::decode("hello").unwrap_err().line,
            "hello",
            "a missing header names the first line"
        );
        let e = RunProgress::decode(&format!("{PROGRESS_HEADER}\nrun x\n")).unwrap_err();
        assert_eq!(e.line, "run x");
        assert!(e.reason.starts_with("run:"), "{e}");
    }

    #[test]
    fn only_errors_a_second_attempt_can_mend_are_retryable() {
        let lost = JobError::MissingArtifact("l0-i000000".into());
        assert!(!RunError::Read(Box::new(lost)).is_retryable());
        assert!(RunError::Read(Box::new(JobError::Injected)).is_retryable());
        let tree = RunError::Tree {
            key: "l0-i000000".into(),
            reason: "unsatisfiable witness".into(),
        };
        assert!(!tree.is_retryable(), "the pool already retried it");
        assert!(!RunError::Stopped("worker 0 panicked".into()).is_retryable());
        assert!(!RunError::TooMany { got: 9, max: 8 }.is_retryable());
        assert!(
            !RunError::Prover(ProverError::Unsatisfiable("chunk".into())).is_retryable(),
            "a bad witness fails the same way again"
        );
        assert!(RunError::Prover(ProverError::Backend("transient".into())).is_retryable());
    }

    #[test]
    fn a_run_past_a_waiting_family_is_remembered_not_repeated() {
        use std::collections::{BTreeMap, BTreeSet};
        // Partition 0 holds A0, B1, A2, A3 (families A and B); partition 1 holds A0. Run 1 takes A's
        // four; B1 still waits.
        let position: BTreeMap<i32, i64> = [(0, 4), (1, 1)].into_iter().collect();
        let mut done: BTreeSet<(i32, i64)> = [(0, 0), (0, 2), (0, 3), (1, 0)].into_iter().collect();
        let p = RunProgress::after_run(1, &position, &[(0, 1)], &done);
        // Partition 0 commits up to B1; A2 and A3 lie past it and are remembered; partition 1 is done.
        assert_eq!(p.offsets, [(0, 1), (1, 1)].into_iter().collect());
        assert_eq!(p.handled, [(0, 2), (0, 3)].into_iter().collect());
        // A restart reads partition 0 from 1: B1 is new, A2 and A3 are skipped.
        let again = RunProgress::decode(&p.encode()).unwrap();
        assert!(!again.handled.contains(&(0, 1)));
        assert!(again.handled.contains(&(0, 2)) && again.handled.contains(&(0, 3)));
        // Run 2 takes B1: everything read is aggregated, nothing is left to remember.
        done.insert((0, 1));
        let p = RunProgress::after_run(2, &position, &[], &done);
        assert_eq!(p.offsets, position);
        assert!(p.handled.is_empty());
    }
}
