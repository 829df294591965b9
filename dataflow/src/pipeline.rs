//! The graph of ARCHITECTURE.md §1 as one timely dataflow per worker:
//!
//! ```text
//! kafka reader → decode ─bad─▶ rejected (DLQ) + a failure outcome for that batch
//!   → witness → [exchange by job] → prove basic → chunk by arity → prove leaf
//!   → reduce by depth (node rounds) → collect tip → prove tip → schedule → prove scheduler
//!   → compress → prove compression → finalize → deliver in order (worker 0) → delivery hook
//! ```
//!
//! Time is the batch number. Every prove stage is the async prove operator over one prover pool shared
//! by the workers of the process. Failures from any stage become the batch's outcome, so the ordered
//! stage sees exactly one outcome per batch that reached the pipeline.

use std::sync::Arc;

use timely::dataflow::operators::vec::Map;
use timely::dataflow::operators::{Concatenate, Exchange, Inspect, OkErr};
use zkstream_operators::chunk::{ChunkExt, Release};
use zkstream_operators::compress::{CompressExt, FinalizeContext};
use zkstream_operators::decode::{DecodeExt, Rejected};
use zkstream_operators::model::{BatchFailure, BatchOutcome, Delivery, Job};
use zkstream_operators::order::{OrderExt, OrderPolicy};
use zkstream_operators::pool::ProverPool;
use zkstream_operators::prove::ProveExt;
use zkstream_operators::reduce::{split, ReduceExt};
use zkstream_operators::scheduler::SchedulerExt;
use zkstream_operators::tip::TipExt;
use zkstream_operators::witness::WitnessExt;
use zkstream_sources::{kafka_source, KafkaSourceConfig};

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
}

/// Called on worker 0 for each delivery, in batch order.
pub type DeliveryHook = Arc<dyn Fn(&Delivery) + Send + Sync>;
/// Called for each rejected record (the dead letters), on the worker that read it.
pub type RejectHook = Arc<dyn Fn(&Rejected) + Send + Sync>;

fn job_route(j: &Job) -> u64 {
    let k = &j.key;
    k.batch
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(((k.circuit.map(|c| c.id()).unwrap_or(0) as u64) << 32) | k.index as u64)
}

/// Runs the pipeline until the source is exhausted (bounded sources) and every batch is delivered or
/// failed. Blocks the calling thread; workers are threads of this process.
pub fn run(
    spec: &PipelineSpec,
    pool: Arc<ProverPool>,
    on_delivery: DeliveryHook,
    on_reject: RejectHook,
) -> Result<(), PipelineError> {
    let keys = Arc::clone(pool.keys());
    let ctx = FinalizeContext {
        store: pool.store().clone(),
        vk_set_commitment: keys.vk_set_commitment()?,
        proof_profile: keys.profile().name.clone(),
    };
    let shape = keys.shape().clone();
    let spec = spec.clone();
    let config = timely::Config::process(spec.workers.max(1));
    let guards = timely::execute(config, move |worker| -> Result<(), String> {
        let pool = Arc::clone(&pool);
        let (ctx, spec, shape) = (ctx.clone(), spec.clone(), shape.clone());
        let (on_delivery, on_reject) = (Arc::clone(&on_delivery), Arc::clone(&on_reject));
        worker.dataflow::<u64, _, _>(move |scope| -> Result<(), String> {
            let (records, bad_keys) =
                kafka_source(scope, spec.source.clone()).map_err(|e| e.to_string())?;
            let (batches, rejected) = records.decode().ok_err(|r| r);
            let rejected_outcomes = rejected
                .clone()
                .map(|r| -> BatchOutcome { Err(r.failure()) });
            scope
                .concatenate([rejected, bad_keys])
                .inspect(move |r| on_reject(r));

            let (jobs, witness_failures) = batches.witness(shape.clone()).ok_err(|r| r);
            let (basics, f_basic) = split(
                jobs.exchange(job_route)
                    .prove(Arc::clone(&pool), "ProveBasic"),
            );
            let (leaves, f_leaf) = split(
                basics
                    .chunk_by_arity(shape.arity, spec.release)
                    .prove(Arc::clone(&pool), "ProveLeaf"),
            );
            let (finals, f_node) = leaves.reduce_by_depth(
                Arc::clone(&pool),
                shape.arity,
                shape.node_depth,
                spec.release,
            );
            let (tips, f_tip) = split(finals.collect_tip().prove(Arc::clone(&pool), "ProveTip"));
            let (schedulers, f_sched) =
                split(tips.schedule().prove(Arc::clone(&pool), "ProveScheduler"));
            let (compressed, f_comp) = split(
                schedulers
                    .compress()
                    .prove(Arc::clone(&pool), "ProveCompression"),
            );
            let failures = scope
                .concatenate([
                    witness_failures,
                    f_basic,
                    f_leaf,
                    f_node,
                    f_tip,
                    f_sched,
                    f_comp,
                ])
                .map(|f: BatchFailure| -> BatchOutcome { Err(f) });
            scope
                .concatenate([compressed.finalize(ctx), failures, rejected_outcomes])
                .deliver_in_order(spec.policy)
                .inspect(move |d| on_delivery(d));
            Ok(())
        })
    })
    .map_err(|reason| PipelineError::Worker {
        worker: usize::MAX,
        reason,
    })?;
    for (worker, result) in guards.join().into_iter().enumerate() {
        match result {
            Ok(Ok(())) => {}
            Ok(Err(reason)) | Err(reason) => return Err(PipelineError::Worker { worker, reason }),
        }
    }
    Ok(())
}
