//! `reduce_by_depth`: the node rounds. Leaf references go through `node_depth` rounds of chunk-by-arity
//! and prove, until one proof per (batch, type) is left: the child of that type's recursion tip slot.
//! Each round releases its chunks as their children exist, so depth-2 work of one type can run while
//! depth-1 work of another is still proving.

use std::sync::Arc;

use timely::dataflow::operators::{Concatenate, OkErr};
use timely::dataflow::Stream;

use crate::chunk::{ChunkExt, Release};
use crate::model::{BatchFailure, ProofRef};
use crate::pool::ProverPool;
use crate::prove::ProveExt;

/// Splits a stream of results into references and failures.
pub fn split<'scope>(
    results: Stream<'scope, u64, Vec<Result<ProofRef, BatchFailure>>>,
) -> (
    Stream<'scope, u64, Vec<ProofRef>>,
    Stream<'scope, u64, Vec<BatchFailure>>,
) {
    results.ok_err(|r| r)
}

/// The node rounds as one composite operator.
pub trait ReduceExt<'scope> {
    /// Leaf references in; the final node reference of every (batch, type) out, with every failure.
    fn reduce_by_depth(
        self,
        pool: Arc<ProverPool>,
        arity: usize,
        node_depth: u32,
        release: Release,
    ) -> (
        Stream<'scope, u64, Vec<ProofRef>>,
        Stream<'scope, u64, Vec<BatchFailure>>,
    );
}

impl<'scope> ReduceExt<'scope> for Stream<'scope, u64, Vec<ProofRef>> {
    fn reduce_by_depth(
        self,
        pool: Arc<ProverPool>,
        arity: usize,
        node_depth: u32,
        release: Release,
    ) -> (
        Stream<'scope, u64, Vec<ProofRef>>,
        Stream<'scope, u64, Vec<BatchFailure>>,
    ) {
        let scope = self.scope();
        let mut level = self;
        let mut failures = Vec::new();
        for depth in 1..=node_depth {
            let results = level
                .chunk_by_arity(arity, release)
                .prove(Arc::clone(&pool), &format!("ProveNode{depth}"));
            let (ok, err) = split(results);
            level = ok;
            failures.push(err);
        }
        (level, scope.concatenate(failures))
    }
}
