//! timely operators of the zkstream graph, one extension trait per file: chain check, witness, prove (async,
//! on the prover pool), chunk by arity, reduce by depth, tip, scheduler, compress/finalize, the
//! ordered sink stage, the drain signal, and user-proof mode's proof tree over users' proofs (chunks, node levels). They
//! wrap the pure `zkstream-prover` crate and the artifact store, and know nothing of Kafka: sources hand
//! them decoded records ([`zkstream_types::Decoded`]), sinks take [`model::Delivery`]s. Time is the batch number (`u64`),
//! or the run number in user-proof mode.
#![deny(missing_docs)]

pub mod batch_job;
pub mod chain;
pub mod chunk;
pub mod compress;
pub mod drain;
pub mod fence;
pub mod model;
pub mod order;
pub mod pool;
pub mod prove;
pub mod reduce;
pub mod scheduler;
pub mod simulated;
pub mod store;
pub mod tip;
pub mod user_tree;
pub mod witness;

#[cfg(test)]
mod testing;

pub use chain::ChainExt;
pub use chunk::{ChunkExt, Release};
pub use compress::{CompressExt, FinalizeContext};
pub use drain::DrainExt;
pub use model::{
    BatchFailure, BatchHeader, BatchOutcome, Delivery, FailureStage, FinalRecord, Job, JobKind,
    ProofRef,
};
pub use order::{OrderExt, OrderPolicy};
pub use pool::{JobError, PoolConfig, PoolObserver, ProverPool, Schedule, Work};
pub use prove::ProveExt;
pub use reduce::ReduceExt;
pub use scheduler::SchedulerExt;
pub use simulated::{SimulateExt, SimulatedJob, SimulationSpec};
pub use store::ArtifactStore;
pub use tip::TipExt;
pub use user_tree::{TreeProof, UserFailure, UserJob, UserJobKind, UserProofRef, UserTreeExt};
pub use witness::WitnessExt;
