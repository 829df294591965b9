//! The graph of `docs/architecture.md` ("The route of a batch") as one timely dataflow per worker:
//!
//! ```text
//! kafka reader (decodes and validates each record before trusting its key)
//!   ─marks─▶ (worker 0) offset committer
//!   ─bad records─▶ rejected (DLQ)
//!   → check chain (worker 0) ─broken links, duplicates─▶ rejected (DLQ)
//!   → [exchange by batch] → witness → [exchange by job] → prove basic → chunk by arity → prove leaf
//!   → reduce by depth (node rounds) → collect tip → prove tip → schedule → prove scheduler
//!   → compress → prove compression → finalize            (a run that does not wrap)
//!   → [compress → prove compression] → wrap → prove wrap → finalize   (a run that wraps: compression
//!     only with keep_fri_proof; the wrap on a wrap slot)
//!   → deliver in order (worker 0) → delivery hook
//!                                                     └─ released batch, broadcast ─▶ reader gates
//! ```
//!
//! The hooks run on worker 0 (read marks, dead letters, deliveries all gathered there), so one sink
//! thread in process 0 sees everything it needs to deliver, dead-letter and commit offsets.
//!
//! Time is the batch number. Every prove stage is the async prove operator over one prover pool shared
//! by the workers of the process. Failures from any proving stage become the batch's outcome, so the
//! ordered stage sees exactly one outcome per batch that reached the pipeline. A rejected record is only
//! a dead letter: the batch its key names is still expected (a valid record of it may come).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use timely::dataflow::operators::vec::{Broadcast, Map};
use timely::dataflow::operators::{Concatenate, Exchange, Inspect, OkErr};
use zkstream_operators::chain::{ChainExt, Checked};
use zkstream_operators::chunk::{ChunkExt, Release};
use zkstream_operators::compress::{CompressExt, FinalizeContext, WrapRecord};
use zkstream_operators::drain::DrainExt;
use zkstream_operators::model::{BatchFailure, BatchOutcome, Delivery, Job};
use zkstream_operators::order::{OrderExt, OrderPolicy};
use zkstream_operators::pool::ProverPool;
use zkstream_operators::prove::ProveExt;
use zkstream_operators::reduce::{split, ReduceExt};
use zkstream_operators::scheduler::SchedulerExt;
use zkstream_operators::tip::TipExt;
use zkstream_operators::witness::WitnessExt;
use zkstream_sources::{kafka_source, InFlightGate, KafkaSourceConfig, ReadMark};
use zkstream_types::{Digest, NodeLayers, Rejected};

use crate::lifecycle::{Health, Ready};

/// Errors starting or running the pipeline.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// The keys could not give the VK-set commitment.
    #[error("keys: {0}")]
    Keys(#[from] zkstream_prover::ProverError),
    /// A worker failed to build its dataflow or panicked.
    #[error("worker {worker}: {reason}")]
    Worker {
        /// The worker index (or `usize::MAX` when timely itself failed to start).
        worker: usize,
        /// What went wrong.
        reason: String,
    },
}

impl PipelineError {
    /// Whether running the dataflow again can help. A worker's stop is told only as text (a panic, a
    /// lost peer, a reader that could not start look alike), so it says no: a restart that meets the
    /// same cause would loop; an operator looks first. Keys answer for themselves.
    pub fn is_retryable(&self) -> bool {
        match self {
            PipelineError::Keys(e) => e.is_retryable(),
            PipelineError::Worker { .. } => false,
        }
    }
}

/// What to run.
#[derive(Clone, Debug)]
pub struct PipelineSpec {
    /// Timely worker threads in this process.
    pub workers: usize,
    /// Where batches come from.
    pub source: KafkaSourceConfig,
    /// Where delivery starts, and what a gap does.
    pub policy: OrderPolicy,
    /// Chunk release: streaming (default) or zkSync's barrier (benchmarks).
    pub release: Release,
    /// The commitment of batch `policy.start - 1` (the last delivered before a restart), when known:
    /// the first batch's previous commitment is checked against it.
    pub anchor: Option<Digest>,
    /// When set, this process is one of a timely cluster (`workers` threads in each process).
    pub cluster: Option<Cluster>,
    /// Told when the dataflow runs (on a cluster: every process connected) and when it ends
    /// (`/readyz`).
    pub health: Option<Arc<Health>>,
    /// Process 0's drain request (`None` elsewhere). A drain is led by process 0: its readers stop
    /// on its own signal (`source.stop`), and worker 0 broadcasts the request (the drain signal,
    /// `operators/src/drain.rs`, looked at every `source.poll_interval`, busy or idle) so that every
    /// other process stops its readers (their `source.stop`) and no partition goes on alone. A
    /// signal to another process only arms its drain timeout (`dataflow/src/service.rs`).
    pub drain: Option<Arc<AtomicBool>>,
    /// Set when the run wraps: after the scheduler, the wrap job (on a wrap slot) and, when the FRI
    /// proof is kept, the compression job before it; the record carries the wrapped proof. Wrap jobs
    /// go to the processes of [`Cluster::wrappers`] (every process when the host file tags none),
    /// which must have wrap slots; `finalize` runs there.
    pub wrap: Option<WrapRecord>,
}

/// One process's place in a timely cluster: every process runs the same dataflow; Kafka partitions are
/// spread over all workers of all processes; worker 0 (in process 0) runs the chain check, the ordered
/// stage and the hooks, so process 0 delivers, dead-letters and commits for the whole cluster.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cluster {
    /// This process's index, `0..addresses.len()`.
    pub process: usize,
    /// `host:port` of every process, in process order.
    pub addresses: Vec<String>,
    /// The processes that take wrap jobs: those whose host file line is tagged `wrap` (empty: every
    /// process). The others need no wrap slot, nor the wrap's memory.
    pub wrappers: Vec<usize>,
}

/// Errors reading a cluster description.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ClusterError {
    /// The process index is not below the process count.
    #[error("process index {process} is not below the process count {processes}")]
    Index {
        /// `-p`.
        process: usize,
        /// `-n`.
        processes: usize,
    },
    /// The host file has too few addresses.
    #[error("the host file lists {found} address(es), the cluster has {processes} processes")]
    TooFew {
        /// Addresses found.
        found: usize,
        /// `-n`.
        processes: usize,
    },
    /// A line is not `host:port`.
    #[error("host file line {line}: {text:?} is not host:port")]
    BadLine {
        /// 1-based line number.
        line: usize,
        /// The line.
        text: String,
    },
    /// A line's tag after the address is not one the host file knows.
    #[error("host file line {line}: unknown tag {tag:?} (known: wrap)")]
    BadTag {
        /// 1-based line number.
        line: usize,
        /// The tag.
        tag: String,
    },
}

impl ClusterError {
    /// Whether trying again can help: never — the cluster flags or host file must be fixed first.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

impl Cluster {
    /// Parses a host file (one `host:port` per line, in process order, optionally followed by the tag
    /// `wrap` for a process that takes the SNARK wrap jobs; blank lines and `#` comments skipped) for
    /// process `process` of `processes`. Extra lines are ignored, as timely does.
    pub fn from_hostfile(
        text: &str,
        processes: usize,
        process: usize,
    ) -> Result<Self, ClusterError> {
        if process >= processes {
            return Err(ClusterError::Index { process, processes });
        }
        let mut addresses = Vec::new();
        let mut wrappers = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            let mut words = line.split_whitespace();
            let Some(address) = words.next() else {
                continue;
            };
            let valid = address
                .rsplit_once(':')
                .is_some_and(|(h, p)| !h.is_empty() && p.parse::<u16>().is_ok());
            if !valid {
                return Err(ClusterError::BadLine {
                    line: i + 1,
                    text: line.to_string(),
                });
            }
            for tag in words {
                if tag != "wrap" {
                    return Err(ClusterError::BadTag {
                        line: i + 1,
                        tag: tag.to_string(),
                    });
                }
                if addresses.len() < processes {
                    wrappers.push(addresses.len());
                }
            }
            addresses.push(address.to_string());
        }
        if addresses.len() < processes {
            return Err(ClusterError::TooFew {
                found: addresses.len(),
                processes,
            });
        }
        addresses.truncate(processes);
        wrappers.dedup();
        Ok(Cluster {
            process,
            addresses,
            wrappers,
        })
    }

    /// Whether process `p` takes wrap jobs.
    pub fn wraps(&self, p: usize) -> bool {
        self.wrappers.is_empty() || self.wrappers.contains(&p)
    }
}

/// The worker (as timely's exchange takes it: modulo the worker count) a batch's wrap job goes to: in a
/// cluster whose host file tags wrap processes, one of their `workers` workers (batches spread over
/// them); otherwise the batch's own worker, where its scheduler proof was made.
pub fn wrap_worker(batch: u64, cluster: Option<&Cluster>, workers: usize) -> u64 {
    let workers = workers.max(1) as u64;
    match cluster.filter(|c| c.addresses.len() > 1 && !c.wrappers.is_empty()) {
        None => batch,
        Some(c) => {
            let n = c.wrappers.len() as u64;
            let process = c.wrappers[(batch % n) as usize] as u64;
            process * workers + (batch / n) % workers
        }
    }
}

/// timely's configuration for `workers` threads in this process, of a cluster when given.
pub fn timely_config(cluster: Option<&Cluster>, workers: usize) -> timely::Config {
    match cluster {
        Some(c) if c.addresses.len() > 1 => timely::Config {
            communication: timely::CommunicationConfig::Cluster {
                threads: workers.max(1),
                process: c.process,
                addresses: c.addresses.clone(),
                report: false,
                zerocopy: false,
            },
            worker: timely::WorkerConfig::default(),
        },
        _ => timely::Config::process(workers.max(1)),
    }
}

/// Called on worker 0 for each delivery, in batch order.
pub type DeliveryHook = Arc<dyn Fn(&Delivery) + Send + Sync>;
/// Called on worker 0 for each rejected record (the dead letters).
pub type RejectHook = Arc<dyn Fn(&Rejected) + Send + Sync>;
/// Called on worker 0 for each record any reader read (for the offset committer).
pub type MarkHook = Arc<dyn Fn(&ReadMark) + Send + Sync>;
/// Called on worker 0 with (batch, partition, offset) of each record the chain check accepted as its
/// batch's record (for the offset committer: only that record is settled by its batch's delivery; and
/// for the delivery progress, which lists it until its offset is committed).
pub type AcceptHook = Arc<dyn Fn(u64, i32, i64) + Send + Sync>;

/// Where the pipeline's results go.
#[derive(Clone)]
pub struct Hooks {
    /// Deliveries, in batch order.
    pub on_delivery: DeliveryHook,
    /// Dead letters.
    pub on_reject: RejectHook,
    /// Read marks.
    pub on_mark: MarkHook,
    /// Records accepted by the chain check.
    pub on_accept: AcceptHook,
}

impl Hooks {
    /// Hooks that only see deliveries and dead letters (no offset committing).
    pub fn new(on_delivery: DeliveryHook, on_reject: RejectHook) -> Self {
        Hooks {
            on_delivery,
            on_reject,
            on_mark: Arc::new(|_| {}),
            on_accept: Arc::new(|_, _, _| {}),
        }
    }
}

fn job_route(j: &Job) -> u64 {
    let k = &j.key;
    k.batch
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(((k.circuit.map(|c| c.id()).unwrap_or(0) as u64) << 32) | k.index as u64)
}

/// Runs the pipeline until the source is exhausted (bounded sources) and every batch is delivered or
/// failed. Blocks the calling thread; workers are threads of this process.
pub fn run(spec: &PipelineSpec, pool: Arc<ProverPool>, hooks: Hooks) -> Result<(), PipelineError> {
    let keys = Arc::clone(pool.keys());
    let ctx = FinalizeContext {
        store: pool.store().clone(),
        vk_set_commitment: keys.vk_set_commitment()?,
        proof_profile: keys.profile().name.clone(),
        wrap: spec.wrap.clone(),
    };
    let shape = keys.shape().clone();
    let spec = spec.clone();
    let health = spec.health.clone();
    let config = timely_config(spec.cluster.as_ref(), spec.workers);
    let guards = timely::execute(config, move |worker| -> Result<(), String> {
        let pool = Arc::clone(&pool);
        let (ctx, spec, shape) = (ctx.clone(), spec.clone(), shape.clone());
        let hooks = hooks.clone();
        // A worker's closure runs once the cluster's connections are made.
        if let Some(h) = &spec.health {
            h.set(Ready::Dataflow, true);
        }
        worker.dataflow::<u64, _, _>(move |scope| -> Result<(), String> {
            let gate = InFlightGate::new(spec.policy.start);
            let mut source_config = spec.source.clone();
            // Without gaps, a batch read late (behind a higher one in its partition) is still taken:
            // the readers' frontier waits at the first batch the ordered sink has not released.
            source_config.hold_at_release = !spec.policy.allow_gaps;
            let source =
                kafka_source(scope, source_config, gate.clone()).map_err(|e| e.to_string())?;
            let on_mark = Arc::clone(&hooks.on_mark);
            source.marks.exchange(|_| 0).inspect(move |m| on_mark(m));
            let checked =
                source
                    .records
                    .check_chain(ctx.vk_set_commitment, spec.policy.start, spec.anchor);
            let on_accept = Arc::clone(&hooks.on_accept);
            let batches = checked
                .clone()
                .flat_map(move |c| match c {
                    Checked::Accepted(d) => {
                        on_accept(d.batch.batch_number, d.raw.partition, d.raw.offset);
                        Some(d.batch)
                    }
                    _ => None,
                })
                .exchange(|b| b.batch_number);
            let bad_links = checked.clone().flat_map(|c| match c {
                Checked::Refused(r) => Some(r),
                _ => None,
            });
            let duplicates = checked.flat_map(|c| match c {
                Checked::Duplicate(r) => Some(r),
                _ => None,
            });
            let on_reject = Arc::clone(&hooks.on_reject);
            scope
                .concatenate([bad_links, duplicates, source.rejected])
                .exchange(|_| 0)
                .inspect(move |r| on_reject(r));

            // The real circuit family drives the chain: witness splits a batch into its types' basic
            // circuits, the leaves and its fixed node layers chunk by its arity, and the tip takes one
            // final node per type it registers, in its order.
            let family = shape.family();
            let tip_types: Vec<_> = family.ids().collect();
            let (arity, node_layers) = match family.node_layers {
                NodeLayers::Fixed(n) => (family.arity as usize, n),
                NodeLayers::UntilOne => {
                    return Err("the operator chain runs a family of fixed node layers".into())
                }
            };
            let (jobs, witness_failures) = batches.witness(shape.clone()).ok_err(|r| r);
            let (basics, f_basic) = split(
                jobs.exchange(job_route)
                    .prove(Arc::clone(&pool), "ProveBasic"),
            );
            let (leaves, f_leaf) = split(
                basics
                    .chunk_by_arity(arity, spec.release)
                    .prove(Arc::clone(&pool), "ProveLeaf"),
            );
            let (finals, f_node) =
                leaves.reduce_by_depth(Arc::clone(&pool), arity, node_layers, spec.release);
            let (tips, f_tip) = split(
                finals
                    .collect_tip(tip_types)
                    .prove(Arc::clone(&pool), "ProveTip"),
            );
            let (schedulers, f_sched) =
                split(tips.schedule().prove(Arc::clone(&pool), "ProveScheduler"));
            let mut failures = vec![witness_failures, f_basic, f_leaf, f_node, f_tip, f_sched];
            // The FRI proof (compression), unless the run wraps without keeping it; then the wrap.
            let mut last = schedulers;
            if spec.wrap.as_ref().is_none_or(|w| w.keep_fri_proof) {
                let (compressed, f_comp) =
                    split(last.compress().prove(Arc::clone(&pool), "ProveCompression"));
                last = compressed;
                failures.push(f_comp);
            }
            if spec.wrap.is_some() {
                // Wrap jobs go only to processes with wrap slots (`Cluster::wrappers`).
                let cluster = spec.cluster.clone();
                let workers = spec.workers;
                let (wrapped, f_wrap) = split(
                    last.wrap()
                        .exchange(move |j: &Job| {
                            wrap_worker(j.key.batch, cluster.as_ref(), workers)
                        })
                        .prove(Arc::clone(&pool), "ProveWrap"),
                );
                last = wrapped;
                failures.push(f_wrap);
            }
            let compressed = last;
            let failures = scope
                .concatenate(failures)
                .map(|f: BatchFailure| -> BatchOutcome { Err(f) });
            let on_delivery = Arc::clone(&hooks.on_delivery);
            let deliveries = scope
                .concatenate([compressed.finalize(ctx), failures])
                .deliver_in_order(spec.policy)
                .inspect(move |d| on_delivery(d));
            // Every worker learns what the ordered stage released (its in-flight gate), and when
            // process 0 drains, so that this process's readers stop too (see `PipelineSpec::drain`).
            let stop = spec.source.stop.clone();
            deliveries
                .clone()
                .drain_signal(spec.drain.clone(), spec.source.poll_interval)
                .broadcast()
                .inspect(move |()| {
                    if let Some(stop) = &stop {
                        stop.store(true, Ordering::Release);
                    }
                });
            deliveries
                .map(|d| d.batch_number())
                .broadcast()
                .inspect(move |n| gate.release(*n));
            Ok(())
        })
    })
    .map_err(|reason| PipelineError::Worker {
        worker: usize::MAX,
        reason,
    })?;
    let results = guards.join();
    if let Some(h) = &health {
        h.set(Ready::Dataflow, false);
    }
    for (worker, result) in results.into_iter().enumerate() {
        match result {
            Ok(Ok(())) => {}
            Ok(Err(reason)) | Err(reason) => return Err(PipelineError::Worker { worker, reason }),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_jobs_go_only_to_the_tagged_processes() {
        let text =
            "127.0.0.1:2101\n127.0.0.1:2102 wrap\n127.0.0.1:2103\n127.0.0.1:2104  wrap # big\n";
        let c = Cluster::from_hostfile(text, 4, 0).unwrap();
        assert_eq!(c.wrappers, vec![1, 3]);
        assert!(!c.wraps(0) && c.wraps(1) && !c.wraps(2) && c.wraps(3));
        assert_eq!(c.addresses[3], "127.0.0.1:2104");
        // Whatever the batch, its wrap job lands on a worker of a wrap process (3 workers each), and
        // batches spread over all of them.
        let mut used = std::collections::BTreeSet::new();
        for batch in 0..1000 {
            let worker = (wrap_worker(batch, Some(&c), 3) % 12) as usize;
            assert!(c.wraps(worker / 3), "batch {batch} → worker {worker}");
            used.insert(worker);
        }
        assert_eq!(
            used.into_iter().collect::<Vec<_>>(),
            vec![3, 4, 5, 9, 10, 11]
        );
        // A tag beyond the cluster's processes is dropped; without tags, or in one process, a wrap
        // job stays on its batch's worker.
        let c = Cluster::from_hostfile(text, 3, 2).unwrap();
        assert_eq!(c.wrappers, vec![1]);
        let untagged = Cluster::from_hostfile("a:1\nb:2\n", 2, 0).unwrap();
        assert_eq!(wrap_worker(7, Some(&untagged), 2), 7);
        assert_eq!(wrap_worker(7, None, 2), 7);
        assert_eq!(
            Cluster::from_hostfile("a:1 wrap\nb:2 big\n", 2, 0),
            Err(ClusterError::BadTag {
                line: 2,
                tag: "big".into()
            })
        );
    }

    #[test]
    fn host_files_are_checked() {
        let text = "# the cluster\n127.0.0.1:2101\n\n127.0.0.1:2102  # second\n127.0.0.1:2103\n";
        let c = Cluster::from_hostfile(text, 2, 1).unwrap();
        assert_eq!(c.addresses, vec!["127.0.0.1:2101", "127.0.0.1:2102"]);
        assert!(c.wrappers.is_empty() && c.wraps(0) && c.wraps(1));
        assert_eq!(c.process, 1);
        assert_eq!(
            Cluster::from_hostfile(text, 4, 0),
            Err(ClusterError::TooFew {
                found: 3,
                processes: 4
            })
        );
        assert_eq!(
            Cluster::from_hostfile(text, 2, 2),
            Err(ClusterError::Index {
                process: 2,
                processes: 2
            })
        );
        assert!(matches!(
            Cluster::from_hostfile("localhost\n", 1, 0),
            Err(ClusterError::BadLine { line: 1, .. })
        ));
    }
}
