//! `chunk_by_arity`: groups the proofs of one (batch, circuit type, level) into consecutive chunks of at
//! most ARITY and emits the parent job of chunk `k` **the moment its proofs exist** — counting against
//! the level's size carried on every reference, never waiting for the rest of the type or for the
//! frontier. [`Release::Barrier`] instead waits for the whole level (zkSync's job monitor), for
//! comparison in the pipeline benchmark.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Operator;
use timely::dataflow::Stream;
use zkstream_types::{AggregationRound, ArtifactKey, CircuitType, QueueRange};

use crate::model::{Job, JobKind, ProofRef};

/// When a chunk's parent job is released (defined in `zkstream-types`: the fleet model uses it too).
pub use zkstream_types::Release;

/// The parent key of chunk `k` of a level: level 0 (basic) → leaf, level L ≥ 1 → node of depth L.
pub fn parent_key(child: &ArtifactKey, level: u32, chunk: u32) -> ArtifactKey {
    let (round, depth) = if level == 0 {
        (AggregationRound::Leaf, 0)
    } else {
        (AggregationRound::Node, level)
    };
    ArtifactKey {
        round,
        depth,
        index: chunk,
        ..*child
    }
}

#[derive(Default)]
struct Level {
    total: u32,
    refs: BTreeMap<u32, ProofRef>,
    emitted: BTreeSet<u32>,
}

/// A level of one batch: (batch, circuit type, level).
type LevelId = (u64, CircuitType, u32);

/// The counting state of the chunk stage, without timely (unit-testable).
#[derive(Default)]
pub struct Chunker {
    arity: u32,
    release: Release,
    levels: HashMap<LevelId, Level>,
    /// Levels whose every chunk was released, remembered until their batch is forgotten, so a late
    /// duplicate of one of their references releases nothing again.
    done: BTreeSet<LevelId>,
}

impl Chunker {
    /// A chunker for `arity` children per parent.
    pub fn new(arity: usize, release: Release) -> Self {
        Chunker {
            arity: arity.max(1) as u32,
            release,
            levels: HashMap::new(),
            done: BTreeSet::new(),
        }
    }

    /// Levels with proofs still waiting for their chunk.
    pub fn open_levels(&self) -> usize {
        self.levels.len()
    }

    /// Levels it holds state for: open ones and completed ones it still remembers.
    pub fn held_levels(&self) -> usize {
        self.levels.len() + self.done.len()
    }

    /// Drops every level of the batches before `batch`: no reference of them can arrive any more
    /// (the operator calls this with its input frontier). Also drops the open levels of a batch that
    /// failed below them, which would otherwise be held for ever.
    pub fn forget_before(&mut self, batch: u64) {
        self.levels.retain(|id, _| id.0 >= batch);
        self.done = self.done.split_off(&(batch, CircuitType::new(0), 0));
    }

    /// Takes one reference; returns the parent jobs it completes. Duplicates are ignored, also one
    /// that arrives after its level completed (until its batch is forgotten).
    pub fn push(&mut self, r: ProofRef) -> Vec<Job> {
        let Some(t) = r.circuit() else {
            tracing::error!(key = %r.key, "chunking a reference without a circuit type");
            return Vec::new();
        };
        let level_no = r.level();
        let id = (r.header.batch_number, t, level_no);
        if self.done.contains(&id) {
            tracing::debug!(key = %r.key, "a reference of a completed level, ignored");
            return Vec::new();
        }
        let level = self.levels.entry(id).or_default();
        level.total = r.siblings;
        let index = r.key.index;
        level.refs.entry(index).or_insert(r);
        let chunks = level.total.div_ceil(self.arity);
        let ready: Vec<u32> = match self.release {
            Release::Streaming => vec![index / self.arity],
            // zkSync's poll is time, not order: the level is released as by the barrier.
            Release::Barrier | Release::Zksync if level.refs.len() as u32 >= level.total => {
                (0..chunks).collect()
            }
            Release::Barrier | Release::Zksync => Vec::new(),
        };
        let mut jobs = Vec::new();
        for k in ready {
            let lo = k * self.arity;
            let hi = ((k + 1) * self.arity).min(level.total);
            if level.emitted.contains(&k) || !(lo..hi).all(|i| level.refs.contains_key(&i)) {
                continue;
            }
            let children: Vec<ProofRef> = (lo..hi)
                .filter_map(|i| level.refs.get(&i).cloned())
                .collect();
            let (first, last) = (
                &children[0].ranges[0],
                &children[children.len() - 1].ranges[0],
            );
            let range = QueueRange {
                circuit: t,
                start: first.start,
                end: last.end,
                count: children.iter().map(|c| c.ranges[0].count).sum(),
            };
            jobs.push(Job {
                key: parent_key(&children[0].key, level_no, k),
                header: children[0].header,
                ranges: vec![range],
                siblings: chunks,
                kind: JobKind::Aggregate(children),
            });
            level.emitted.insert(k);
        }
        if level.emitted.len() as u32 == chunks {
            self.levels.remove(&id);
            self.done.insert(id);
        }
        jobs
    }
}

/// The chunk stage as an operator.
pub trait ChunkExt<'scope> {
    /// References of one level in, parent jobs out; exchanged by (batch, circuit type). A reference's
    /// timely time must not be later than its batch number (the pipeline's times are batch numbers):
    /// a batch's levels are forgotten once the frontier passes its number.
    fn chunk_by_arity(self, arity: usize, release: Release) -> Stream<'scope, u64, Vec<Job>>;
}

/// Routes a per-type reference to the worker owning its (batch, type).
pub fn route_by_batch_and_type(r: &ProofRef) -> u64 {
    let t = r.circuit().map(|c| c.id() as u64).unwrap_or(0);
    r.header.batch_number.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ t
}

impl<'scope> ChunkExt<'scope> for Stream<'scope, u64, Vec<ProofRef>> {
    fn chunk_by_arity(self, arity: usize, release: Release) -> Stream<'scope, u64, Vec<Job>> {
        let pact = Exchange::new(route_by_batch_and_type);
        self.unary_frontier(pact, "ChunkByArity", move |_initial, _info| {
            let mut chunker = Chunker::new(arity, release);
            move |(input, frontier), output| {
                input.for_each_stamp(|cap, data| {
                    let mut session = output.session(&cap);
                    for container in data {
                        for r in container.drain(..) {
                            debug_assert!(cap.least().is_none_or(|t| *t <= r.header.batch_number));
                            session.give_iterator(chunker.push(r).into_iter());
                        }
                    }
                });
                // Batches are times: once the frontier passes one, none of its references remain.
                chunker.forget_before(frontier.frontier().first().copied().unwrap_or(u64::MAX));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{level_of, BatchHeader};
    use zkstream_types::Digest;

    fn basic(batch: u64, t: CircuitType, index: u32, siblings: u32) -> ProofRef {
        let d = |x: u64| Digest([x, index as u64, t.id() as u64, batch]);
        ProofRef {
            key: ArtifactKey {
                protocol_version: 1,
                batch,
                round: AggregationRound::Basic,
                circuit: Some(t),
                depth: 0,
                index,
            },
            header: BatchHeader {
                batch_number: batch,
                protocol_version: 1,
                previous_batch_commitment: Digest::default(),
            },
            ranges: vec![QueueRange {
                circuit: t,
                start: d(index as u64),
                end: d(index as u64 + 1),
                count: 2,
            }],
            siblings,
        }
    }

    #[test]
    fn streaming_releases_each_chunk_as_soon_as_its_children_exist() {
        let mut c = Chunker::new(2, Release::Streaming);
        let t = CircuitType::POSEIDON2;
        // 5 basics → chunks {0,1} {2,3} {4}; they arrive out of order.
        assert!(c.push(basic(1, t, 1, 5)).is_empty());
        assert!(c.push(basic(1, t, 3, 5)).is_empty());
        let j = c.push(basic(1, t, 0, 5));
        assert_eq!(j.len(), 1, "chunk 0 released before the rest of the type");
        assert_eq!(j[0].key.round, AggregationRound::Leaf);
        assert_eq!(j[0].key.index, 0);
        assert_eq!(j[0].siblings, 3);
        assert_eq!(j[0].ranges[0].count, 4);
        let JobKind::Aggregate(ch) = &j[0].kind else {
            panic!()
        };
        assert_eq!(ch.iter().map(|r| r.key.index).collect::<Vec<_>>(), [0, 1]);
        let j = c.push(basic(1, t, 4, 5));
        assert_eq!(j.len(), 1, "the last, short chunk");
        assert_eq!(j[0].key.index, 2);
        assert_eq!(j[0].ranges[0].count, 2);
        // A duplicate delivery releases nothing twice.
        assert!(c.push(basic(1, t, 4, 5)).is_empty());
        let j = c.push(basic(1, t, 2, 5));
        assert_eq!(j.len(), 1);
        assert_eq!(j[0].key.index, 1);
        assert_eq!(
            c.open_levels(),
            0,
            "state is dropped once the level is done"
        );
        // A duplicate after the level completed releases nothing again, until the batch is forgotten.
        assert!(c.push(basic(1, t, 4, 5)).is_empty());
        assert_eq!(c.held_levels(), 1);
        c.forget_before(1);
        assert_eq!(c.held_levels(), 1, "batch 1 itself is not before 1");
        c.forget_before(2);
        assert_eq!(c.held_levels(), 0);
    }

    #[test]
    fn forgetting_a_batch_drops_its_open_levels_too() {
        // Batch 3's level never completes (a sibling failed): the frontier passing it frees it.
        let mut c = Chunker::new(2, Release::Streaming);
        assert!(c.push(basic(3, CircuitType::SHA256, 0, 4)).is_empty());
        assert!(c.push(basic(5, CircuitType::SHA256, 0, 4)).is_empty());
        c.forget_before(4);
        assert_eq!(c.open_levels(), 1);
        assert_eq!(c.held_levels(), 1);
    }

    #[test]
    fn barrier_waits_for_the_whole_level() {
        let mut c = Chunker::new(2, Release::Barrier);
        let t = CircuitType::SHA256;
        assert!(c.push(basic(2, t, 0, 3)).is_empty());
        assert!(c.push(basic(2, t, 1, 3)).is_empty());
        let j = c.push(basic(2, t, 2, 3));
        assert_eq!(j.iter().map(|j| j.key.index).collect::<Vec<_>>(), [0, 1]);
    }

    #[test]
    fn levels_of_different_batches_and_types_do_not_mix() {
        let mut c = Chunker::new(2, Release::Streaming);
        assert!(c.push(basic(1, CircuitType::SHA256, 0, 2)).is_empty());
        assert!(c.push(basic(2, CircuitType::SHA256, 1, 2)).is_empty());
        assert!(c.push(basic(1, CircuitType::POSEIDON2, 1, 2)).is_empty());
        assert_eq!(c.open_levels(), 3);
    }

    /// The real chain's state machines (this chunker for the leaf and node layers, then the tip
    /// collector) driven over random circuit families, with references delivered in random order and
    /// some twice: every layer has the sizes the family gives, every parent is released once, and one
    /// tip takes every type in the family's order with its whole range. Seeded (printed;
    /// `ZKSTREAM_FAMILY_SEED` repeats a run), 300 families from it.
    #[test]
    fn the_chain_reduces_any_family_to_one_tip() {
        use crate::tip::TipCollector;
        use rand::seq::SliceRandom;
        use rand::{Rng, SeedableRng};
        use std::collections::BTreeMap;
        use zkstream_types::{CircuitFamily, NodeLayers, TypeSpec};

        let first = zkstream_testkit::seed::seed("ZKSTREAM_FAMILY_SEED", "random families");
        for seed in (0..300).map(|i| first.wrapping_add(i)) {
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
            let mut ids: Vec<u8> = (0..=u8::MAX).collect();
            ids.shuffle(&mut rng);
            let n_types = rng.gen_range(1..=6);
            let arity = rng.gen_range(1..=5u32);
            let layers = rng.gen_range(1..=3u32);
            let family = CircuitFamily {
                name: format!("random-{seed}"),
                types: ids[..n_types]
                    .iter()
                    .map(|&id| TypeSpec {
                        id: CircuitType::new(id),
                        name: format!("c{id}"),
                        capacity: 1,
                    })
                    .collect(),
                arity,
                node_layers: NodeLayers::Fixed(layers),
            };
            assert_eq!(family.check(), Ok(()), "seed {seed}");
            let max = u64::from(arity).pow(layers + 1);
            let release = if rng.gen_bool(0.5) {
                Release::Streaming
            } else {
                Release::Barrier
            };
            let mut chunker = Chunker::new(arity as usize, release);
            let mut tips = TipCollector::new(family.ids().collect());
            let mut pending = Vec::new();
            let mut counts: BTreeMap<CircuitType, u64> = BTreeMap::new();
            for t in family.ids() {
                let n = rng.gen_range(1..=max.min(40));
                counts.insert(t, n);
                pending.extend((0..n as u32).map(|i| basic(9, t, i, n as u32)));
            }
            let mut made: BTreeMap<(CircuitType, u32), BTreeSet<u32>> = BTreeMap::new();
            let mut tip = None;
            while !pending.is_empty() {
                let r = pending.swap_remove(rng.gen_range(0..pending.len()));
                if rng.gen_bool(0.1) {
                    pending.push(r.clone());
                }
                let final_level = 1 + layers;
                if r.level() == final_level {
                    if let Some(job) = tips.push(r) {
                        assert!(tip.is_none(), "seed {seed}: a second tip");
                        tip = Some(job);
                    }
                    continue;
                }
                for job in chunker.push(r) {
                    let t = job.key.circuit.unwrap_or(CircuitType::new(0));
                    let fresh = made
                        .entry((t, level_of(&job.key)))
                        .or_default()
                        .insert(job.key.index);
                    assert!(fresh, "seed {seed}: {} released twice", job.key);
                    pending.push(ProofRef {
                        key: job.key,
                        header: job.header,
                        ranges: job.ranges,
                        siblings: job.siblings,
                    });
                }
            }
            for t in family.ids() {
                let sizes = family.layers(t, counts[&t]).unwrap_or_default();
                let got: Vec<u64> = (1..=1 + layers)
                    .map(|level| made.get(&(t, level)).map_or(0, |s| s.len() as u64))
                    .collect();
                assert_eq!(got, sizes, "seed {seed}: layers of {t}");
            }
            let tip = tip.unwrap_or_else(|| panic!("seed {seed}: no tip"));
            assert_eq!(
                tip.ranges.iter().map(|r| r.circuit).collect::<Vec<_>>(),
                family.ids().collect::<Vec<_>>(),
                "seed {seed}"
            );
            for r in &tip.ranges {
                assert_eq!(r.count, 2 * counts[&r.circuit], "seed {seed}");
            }
        }
    }

    #[test]
    fn node_levels_get_node_keys() {
        let leaf = ArtifactKey {
            round: AggregationRound::Leaf,
            ..basic(1, CircuitType::SHA256, 0, 1).key
        };
        let k = parent_key(&leaf, 1, 3);
        assert_eq!((k.round, k.depth, k.index), (AggregationRound::Node, 1, 3));
        let node = ArtifactKey {
            round: AggregationRound::Node,
            depth: 1,
            ..leaf
        };
        let k = parent_key(&node, 2, 0);
        assert_eq!((k.round, k.depth), (AggregationRound::Node, 2));
    }
}
