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

/// References and the failures beside them.
pub type RefsAndFailures<'scope> = (
    Stream<'scope, u64, Vec<ProofRef>>,
    Stream<'scope, u64, Vec<BatchFailure>>,
);

/// Splits a stream of results into references and failures.
pub fn split<'scope>(
    results: Stream<'scope, u64, Vec<Result<ProofRef, BatchFailure>>>,
) -> RefsAndFailures<'scope> {
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
    ) -> RefsAndFailures<'scope>;
}

impl<'scope> ReduceExt<'scope> for Stream<'scope, u64, Vec<ProofRef>> {
    fn reduce_by_depth(
        self,
        pool: Arc<ProverPool>,
        arity: usize,
        node_depth: u32,
        release: Release,
    ) -> RefsAndFailures<'scope> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BatchHeader, FailureStage};
    use crate::pool::failing_pool;
    use crate::testing::run_dataflow;
    use timely::dataflow::operators::vec::Map;
    use timely::dataflow::operators::Concat;
    use zkstream_prover::TreeShape;
    use zkstream_types::{AggregationRound, ArtifactKey, CircuitType, Digest, QueueRange};

    fn leaf(index: u32, siblings: u32) -> ProofRef {
        let d = |x: u32| Digest([x as u64; 4]);
        ProofRef {
            key: ArtifactKey {
                protocol_version: 1,
                batch: 2,
                round: AggregationRound::Leaf,
                circuit: Some(CircuitType::SHA256),
                depth: 0,
                index,
            },
            header: BatchHeader {
                batch_number: 2,
                protocol_version: 1,
                previous_batch_commitment: Digest::default(),
            },
            ranges: vec![QueueRange {
                circuit: CircuitType::SHA256,
                start: d(index),
                end: d(index + 1),
                count: 1,
            }],
            siblings,
        }
    }

    /// Node jobs of depth 1 are formed from the leaves and go to the pool (whose attempts all fail here,
    /// so nothing is proved): their failures come out, nothing reaches depth 2.
    #[test]
    fn node_rounds_chunk_the_leaves_and_surface_failures() {
        let shape = TreeShape {
            node_depth: 2,
            ..TreeShape::default()
        };
        let pool = Arc::new(failing_pool(shape, 1, 1));
        let out = run_dataflow(
            vec![(2, (0..3).map(|i| leaf(i, 3)).collect())],
            move |leaves| {
                let (ok, err) = leaves.reduce_by_depth(pool, 2, 2, Release::Streaming);
                ok.map(Ok).concat(err.map(Err))
            },
        );
        let finals = out.iter().filter(|(_, r)| r.is_ok()).count();
        assert_eq!(finals, 0);
        let mut stages: Vec<FailureStage> = out
            .into_iter()
            .filter_map(|(_, r)| r.err().map(|f: BatchFailure| f.stage))
            .collect();
        stages.sort();
        assert_eq!(stages.len(), 2, "3 leaves at arity 2 make 2 depth-1 nodes");
        assert!(
            stages
                .iter()
                .all(|s| matches!(s, FailureStage::Prove(k) if k.round == AggregationRound::Node && k.depth == 1)),
            "{stages:?}"
        );
    }
}
