//! The simulated tree hash. A simulated job's artifact is `SHA-256(tag ‖ its key ‖ its number of
//! children ‖ its children's artifacts in order)`, so the final artifact of a batch is a hash over the
//! whole tree: a child lost, proved twice into another place, or wired to the wrong parent gives another
//! final hash. The tag separates these hashes from any other use of SHA-256; what keeps a simulated
//! record from being taken for a proof is its own frame kind (`ZKSR`, `types/src/wire.rs`) and
//! `zkstream verify`, which never accepts it as one.

use sha2::{Digest, Sha256};
pub use zkstream_types::SimKey;
use zkstream_types::SimulatedRecord;

use crate::graph::BatchGraph;
use crate::workload::Workload;

/// The domain-separation tag every simulated artifact's hash input begins with.
pub const SIMULATED_TAG: &[u8] = b"zkstream simulated artifact v1: not a proof";

/// The artifact a simulated job writes: a hash of its key and its children's artifacts, in order.
pub fn job_hash(key: &SimKey, children: &[[u8; 32]]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(SIMULATED_TAG);
    h.update(key.to_bytes());
    h.update((children.len() as u32).to_be_bytes());
    for c in children {
        h.update(c);
    }
    h.finalize().into()
}

/// The final artifact a correct simulated run of this batch must end with: every job's hash computed
/// bottom-up over the graph.
pub fn expected_tree_hash(graph: &BatchGraph) -> [u8; 32] {
    let mut hashes: Vec<[u8; 32]> = Vec::with_capacity(graph.jobs.len());
    for job in &graph.jobs {
        let children: Vec<[u8; 32]> = job.children.iter().map(|c| hashes[c.0 as usize]).collect();
        hashes.push(job_hash(&job.key, &children));
    }
    hashes[graph.root().0 as usize]
}

/// Checks a simulated record: its tree hash is the one its batch's shape gives. That shows the run
/// wired every job of the shape's tree into its parent exactly once (or that someone computed the
/// hash, which anyone can): it proves nothing about any computation.
pub fn check_record(record: &SimulatedRecord) -> Result<(), RecordError> {
    let workload = Workload::of_shape(&record.batch);
    let graph = BatchGraph::of_batch(&workload, &record.batch, 0)
        .map_err(|e| RecordError::Shape(e.to_string()))?;
    let expected = expected_tree_hash(&graph);
    if expected != record.tree_hash {
        return Err(RecordError::Mismatch {
            expected: hex::encode(expected),
            found: hex::encode(record.tree_hash),
        });
    }
    Ok(())
}

/// Why a simulated record does not close its batch's tree.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// The batch's shape is impossible.
    #[error("impossible shape: {0}")]
    Shape(String),
    /// A job was lost, duplicated or miswired on the way: the final hash is another.
    #[error("tree hash {found} is not the {expected} its shape gives")]
    Mismatch {
        /// What the shape gives.
        expected: String,
        /// What the record holds.
        found: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_types::AggregationRound;

    #[test]
    fn a_miswired_lost_or_duplicated_child_changes_the_final_hash() {
        let w = Workload::small();
        let g = BatchGraph::build(&w, 7, 1).unwrap();
        let good = expected_tree_hash(&g);
        assert_eq!(
            good,
            expected_tree_hash(&BatchGraph::build(&w, 7, 99).unwrap())
        );
        assert_ne!(
            good,
            expected_tree_hash(&BatchGraph::build(&w, 8, 1).unwrap())
        );
        let leaf = g
            .jobs
            .iter()
            .position(|j| j.key.round == AggregationRound::Leaf && j.children.len() > 1)
            .unwrap();
        let mut swapped = g.clone();
        swapped.jobs[leaf].children.swap(0, 1);
        let mut lost = g.clone();
        lost.jobs[leaf].children.pop();
        let mut twice = g.clone();
        let first = twice.jobs[leaf].children[0];
        twice.jobs[leaf].children[1] = first;
        for bad in [swapped, lost, twice] {
            assert_ne!(expected_tree_hash(&bad), good);
        }
    }

    #[test]
    fn a_record_checks_against_its_shape_whatever_the_durations() {
        let w = Workload::small();
        let g = BatchGraph::build(&w, 5, 42).unwrap();
        let mut record = SimulatedRecord {
            batch: w.batch(5),
            tree_hash: expected_tree_hash(&g),
        };
        check_record(&record).unwrap();
        record.batch.basic[1] += 1;
        assert!(matches!(
            check_record(&record),
            Err(RecordError::Mismatch { .. })
        ));
        record.batch.basic[1] = 0;
        assert!(matches!(check_record(&record), Err(RecordError::Shape(_))));
    }

    #[test]
    fn the_hash_is_tagged_and_keys_are_distinct_bytes() {
        let k = SimKey {
            batch: 1,
            round: AggregationRound::Node,
            circuit: Some(zkstream_types::CircuitType::new(3)),
            depth: 2,
            index: 5,
        };
        let top = SimKey {
            circuit: None,
            round: AggregationRound::RecursionTip,
            depth: 0,
            index: 0,
            ..k
        };
        assert_ne!(k.to_bytes(), top.to_bytes());
        assert_ne!(job_hash(&k, &[]), job_hash(&top, &[]));
        assert_ne!(job_hash(&k, &[]), job_hash(&k, &[[0; 32]]));
    }
}
