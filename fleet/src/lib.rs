//! Fleet-scale orchestration, measured without provers: the shape of a batch's proof tree for a
//! *workload* (basic jobs per circuit type, arity, modeled durations), the graph of its jobs, the
//! simulated tree hash a simulated run must reproduce, and the yardsticks a run is measured against — a
//! lower bound, an offline critical-path-first schedule of the same graph, and the same graph released
//! the way other orchestrators release it (per-type barriers, zkSync's 10-s poll).
//!
//! Nothing here proves anything. A simulated artifact is a hash over a job's place in the tree and its
//! children's artifacts, tagged [`tree_hash::SIMULATED_TAG`]; it exists so that a lost, duplicated or
//! miswired child changes the batch's final hash. The word *workload* names the simulated circuit set of
//! a batch; it is unrelated to user-proof mode's families of users' circuits.

#![deny(missing_docs)]

pub mod graph;
pub mod release;
pub mod schedule;
pub mod tree_hash;
pub mod workload;

pub use graph::{BatchGraph, JobId, SimJob};
pub use release::Releaser;
pub use schedule::{lower_bound, offline_schedule, release_schedule, Bounds, Timeline};
pub use tree_hash::{
    check_record, expected_tree_hash, job_hash, RecordError, SimKey, SIMULATED_TAG,
};
pub use workload::{Durations, TypeLoad, Workload, WorkloadError};
pub use zkstream_types::Release;
