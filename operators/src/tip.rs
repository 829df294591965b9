//! `collect_tip`: waits, per batch, for the final node proof of every circuit type of the family and
//! emits the recursion tip job over them (slots in the family's registration order). References are
//! exchanged by batch so one worker sees all of a batch's types.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Operator;
use timely::dataflow::Stream;
use zkstream_types::{AggregationRound, ArtifactKey, CircuitType};

use crate::model::{Job, JobKind, ProofRef};

/// Per-batch collection of final node references, without timely.
pub struct TipCollector {
    /// The family's types, in tip-slot order.
    types: Vec<CircuitType>,
    batches: HashMap<u64, BTreeMap<CircuitType, ProofRef>>,
    /// Batches whose tip job was emitted, remembered until forgotten, so a late duplicate reference
    /// emits no second tip.
    done: BTreeSet<u64>,
}

impl TipCollector {
    /// A collector for a family whose types are `types`, in tip-slot order
    /// (`CircuitFamily::ids`).
    pub fn new(types: Vec<CircuitType>) -> Self {
        TipCollector {
            types,
            batches: HashMap::new(),
            done: BTreeSet::new(),
        }
    }

    /// Batches it holds state for: collecting ones and emitted ones it still remembers.
    pub fn held_batches(&self) -> usize {
        self.batches.len() + self.done.len()
    }

    /// Drops every batch before `batch` (the operator calls this with its input frontier), a batch
    /// whose other types failed included.
    pub fn forget_before(&mut self, batch: u64) {
        self.batches.retain(|b, _| *b >= batch);
        self.done = self.done.split_off(&batch);
    }

    /// Takes a final node reference; returns the tip job once every type is present. A reference of
    /// a type the family does not register is dropped (no tip slot takes it).
    pub fn push(&mut self, r: ProofRef) -> Option<Job> {
        let t = r.circuit()?;
        let batch = r.header.batch_number;
        if !self.types.contains(&t) {
            tracing::error!(key = %r.key, "a final node of a type the family does not register");
            return None;
        }
        if self.done.contains(&batch) {
            tracing::debug!(key = %r.key, "a final node of a batch whose tip was emitted, ignored");
            return None;
        }
        let slots = self.batches.entry(batch).or_default();
        slots.entry(t).or_insert(r);
        if slots.len() < self.types.len() {
            return None;
        }
        let slots = self.batches.remove(&batch)?;
        self.done.insert(batch);
        let children: Vec<ProofRef> = self
            .types
            .iter()
            .filter_map(|t| slots.get(t).cloned())
            .collect();
        let first = children.first()?;
        Some(Job {
            key: ArtifactKey {
                round: AggregationRound::RecursionTip,
                circuit: None,
                depth: 0,
                index: 0,
                ..first.key
            },
            header: first.header,
            ranges: children.iter().map(|c| c.ranges[0]).collect(),
            siblings: 1,
            kind: JobKind::Tip(children),
        })
    }
}

/// The tip stage as an operator.
pub trait TipExt<'scope> {
    /// Final node references in, one tip job per batch out, over the family's `types` in tip-slot
    /// order. A reference's timely time must not be later than its batch number (the pipeline's times
    /// are batch numbers): a batch is forgotten once the frontier passes its number.
    fn collect_tip(self, types: Vec<CircuitType>) -> Stream<'scope, u64, Vec<Job>>;
}

impl<'scope> TipExt<'scope> for Stream<'scope, u64, Vec<ProofRef>> {
    fn collect_tip(self, types: Vec<CircuitType>) -> Stream<'scope, u64, Vec<Job>> {
        let pact = Exchange::new(|r: &ProofRef| r.header.batch_number);
        self.unary_frontier(pact, "CollectTip", |_initial, _info| {
            let mut collector = TipCollector::new(types);
            move |(input, frontier), output| {
                input.for_each_stamp(|cap, data| {
                    let mut session = output.session(&cap);
                    for container in data {
                        for r in container.drain(..) {
                            debug_assert!(cap.least().is_none_or(|t| *t <= r.header.batch_number));
                            if let Some(job) = collector.push(r) {
                                session.give(job);
                            }
                        }
                    }
                });
                // Batches are times: once the frontier passes one, none of its references remain.
                collector.forget_before(frontier.frontier().first().copied().unwrap_or(u64::MAX));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::BatchHeader;
    use zkstream_types::{Digest, QueueRange, REAL_TYPES};

    fn node(batch: u64, t: CircuitType) -> ProofRef {
        ProofRef {
            key: ArtifactKey {
                protocol_version: 1,
                batch,
                round: AggregationRound::Node,
                circuit: Some(t),
                depth: 1,
                index: 0,
            },
            header: BatchHeader {
                batch_number: batch,
                protocol_version: 1,
                previous_batch_commitment: Digest::default(),
            },
            ranges: vec![QueueRange {
                circuit: t,
                start: Digest::default(),
                end: Digest([t.id() as u64; 4]),
                count: 3,
            }],
            siblings: 1,
        }
    }

    #[test]
    fn tip_waits_for_every_type_and_orders_slots() {
        let mut c = TipCollector::new(REAL_TYPES.to_vec());
        assert!(c.push(node(4, CircuitType::SHA256)).is_none());
        assert!(c.push(node(5, CircuitType::POSEIDON2)).is_none());
        let job = c.push(node(4, CircuitType::POSEIDON2)).unwrap();
        assert_eq!(job.key.round, AggregationRound::RecursionTip);
        assert_eq!(job.key.batch, 4);
        assert_eq!(
            job.ranges.iter().map(|r| r.circuit).collect::<Vec<_>>(),
            REAL_TYPES.to_vec()
        );
        assert!(c.push(node(5, CircuitType::SHA256)).is_some());
        // Late duplicates of a batch whose tip was emitted emit nothing again.
        assert!(c.push(node(4, CircuitType::SHA256)).is_none());
        assert!(c.push(node(4, CircuitType::POSEIDON2)).is_none());
        assert_eq!(c.held_batches(), 2);
        c.forget_before(6);
        assert_eq!(c.held_batches(), 0);
    }

    #[test]
    fn tip_takes_any_familys_types_in_its_slot_order() {
        // A family of three types registered out of id order: the slots follow registration.
        let types = vec![
            CircuitType::new(9),
            CircuitType::new(3),
            CircuitType::new(17),
        ];
        let mut c = TipCollector::new(types.clone());
        assert!(c.push(node(2, CircuitType::new(17))).is_none());
        // A type the family does not register fills no slot.
        assert!(c.push(node(2, CircuitType::new(4))).is_none());
        assert!(c.push(node(2, CircuitType::new(9))).is_none());
        let job = c.push(node(2, CircuitType::new(3))).unwrap();
        assert_eq!(
            job.ranges.iter().map(|r| r.circuit).collect::<Vec<_>>(),
            types
        );
    }
}
