//! `check_chain`: each batch must continue the chain — its `previous_batch_commitment` must equal the
//! commitment of batch `n - 1` (recomputed natively from that batch's input). Batches come from many
//! partitions and workers, so they are gathered on worker 0 (a few hundred bytes of header work each;
//! the batch then goes back out by batch number). Batch `n` is held until `n - 1` has been checked, or
//! until it is clear `n - 1` will not come (the input frontier passed it: the ordered sink reports that
//! gap; `n` cannot be checked against a batch that does not exist and goes on unchecked, with a warning).
//! The first batch is checked against the anchor — the last delivered batch before a restart — when there
//! is one; batch 1 is always checked, against genesis ([`Digest::ZERO`], the previous commitment every
//! chain's batch 1 names), so a forged batch 1 ahead of the real one cannot take its place on a fresh start. A record that does not chain is rejected with a reason (the DLQ) and nothing else: the batch
//! stays expected, and a record of it that chains is accepted when it comes (before or after the bad
//! one). Records of the same batch waiting together are decided in record order (partition, offset): the first
//! that chains is accepted, a later one is a duplicate; one that comes after a record of its batch was
//! accepted is a duplicate.

use std::collections::BTreeMap;

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::{Capability, Operator};
use timely::dataflow::Stream;
use zkstream_prover::batch_commitment;
use zkstream_types::{Decoded, Digest, RejectReason, Rejected};

/// What the chain check decided for one record.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Checked {
    /// It continues the chain (or its predecessor is missing and it cannot be checked).
    Accepted(Decoded),
    /// It breaks the chain: a dead letter (its batch is still expected).
    Refused(Rejected),
    /// A second record of a batch already read: a dead letter; the batch itself is unaffected.
    Duplicate(Rejected),
}

impl Checked {
    /// The batch number.
    pub fn batch_number(&self) -> u64 {
        match self {
            Checked::Accepted(d) => d.batch.batch_number,
            Checked::Refused(r) | Checked::Duplicate(r) => r.raw.batch_number,
        }
    }
}

/// The chain state, without timely.
#[derive(Debug)]
pub struct ChainChecker {
    vk_set: Digest,
    start: u64,
    /// Commitments of accepted batches (only the recent ones are kept).
    known: BTreeMap<u64, Digest>,
    /// Records waiting for their predecessor, per batch in arrival order.
    pending: BTreeMap<u64, Vec<Decoded>>,
    /// Everything below was decided and forgotten: a record for it now is late or a duplicate.
    forgotten_below: u64,
}

impl ChainChecker {
    /// Checks from batch `start`; `anchor` is the commitment of batch `start - 1` when known. Starting at
    /// batch 1 without an anchor, batch 1 is checked against genesis ([`Digest::ZERO`]).
    pub fn new(vk_set: Digest, start: u64, anchor: Option<Digest>) -> Self {
        let mut known = BTreeMap::new();
        if let Some(a) = anchor.or((start == 1).then_some(Digest::ZERO)) {
            known.insert(start.saturating_sub(1), a);
        }
        ChainChecker {
            vk_set,
            start,
            known,
            pending: BTreeMap::new(),
            forgotten_below: 0,
        }
    }

    /// Takes a decoded batch; a record of a batch already accepted is rejected at once.
    pub fn push(&mut self, d: Decoded) -> Option<Rejected> {
        let n = d.batch.batch_number;
        if n < self.forgotten_below || self.known.contains_key(&n) {
            return Some(Self::duplicate(d));
        }
        self.pending.entry(n).or_default().push(d);
        None
    }

    fn duplicate(d: Decoded) -> Rejected {
        let n = d.batch.batch_number;
        Rejected {
            reason: RejectReason::Duplicate { batch: n },
            raw: d.raw,
        }
    }

    /// Batches waiting for their predecessor.
    pub fn waiting(&self) -> usize {
        self.pending.len()
    }

    /// Whether a record of batch `n` waits for its predecessor.
    pub fn is_pending(&self, n: u64) -> bool {
        self.pending.contains_key(&n)
    }

    /// The lowest batch waiting.
    pub fn lowest_waiting(&self) -> Option<u64> {
        self.pending.keys().next().copied()
    }

    /// Decides what can be decided. `lower` is the least batch that may still arrive (`None`: input done).
    pub fn release(&mut self, lower: Option<u64>) -> Vec<Checked> {
        let mut out = Vec::new();
        while let Some(n) = self
            .pending
            .keys()
            .copied()
            .find(|&n| self.decidable(n, lower))
        {
            let Some(mut candidates) = self.pending.remove(&n) else {
                break;
            };
            // In record order: of two identical records the earlier is the batch, the later the copy
            // (timely may hand records of one time over in any order).
            candidates.sort_by_key(|d| (d.raw.partition, d.raw.offset));
            let previous = n.checked_sub(1).and_then(|p| self.known.get(&p)).copied();
            for d in candidates {
                if self.known.contains_key(&n) {
                    out.push(Checked::Duplicate(Self::duplicate(d)));
                    continue;
                }
                match previous {
                    Some(expected) if expected != d.batch.previous_batch_commitment => {
                        out.push(Checked::Refused(Rejected {
                            reason: RejectReason::WrongPreviousCommitment {
                                batch: n,
                                names: d.batch.previous_batch_commitment,
                                expected,
                            },
                            raw: d.raw,
                        }));
                    }
                    _ => {
                        if previous.is_none() && n != self.start {
                            tracing::warn!(
                                batch = n,
                                "previous batch never arrived; previous commitment not checked"
                            );
                        }
                        self.known
                            .insert(n, batch_commitment(&d.batch, &self.vk_set));
                        out.push(Checked::Accepted(d));
                    }
                }
            }
        }
        // Keep only what a successor can still ask for.
        let floor = self
            .pending
            .keys()
            .next()
            .copied()
            .or(lower)
            .unwrap_or(u64::MAX);
        let floor = floor.saturating_sub(1);
        while let Some((&k, _)) = self.known.iter().next() {
            if k >= floor || self.known.len() <= 1 {
                break;
            }
            self.known.remove(&k);
            self.forgotten_below = self.forgotten_below.max(k + 1);
        }
        out
    }

    fn decidable(&self, n: u64, lower: Option<u64>) -> bool {
        if n <= self.start || self.known.contains_key(&(n - 1)) {
            return true;
        }
        // n - 1 is neither known nor waiting, and can no longer arrive.
        !self.pending.contains_key(&(n - 1)) && lower.is_none_or(|l| l > n - 1)
    }
}

/// The chain check as an operator.
pub trait ChainExt<'scope> {
    /// Decoded batches in (any worker); checked batches out on worker 0 at their batch's time.
    fn check_chain(
        self,
        vk_set: Digest,
        start: u64,
        anchor: Option<Digest>,
    ) -> Stream<'scope, u64, Vec<Checked>>;
}

impl<'scope> ChainExt<'scope> for Stream<'scope, u64, Vec<Decoded>> {
    fn check_chain(
        self,
        vk_set: Digest,
        start: u64,
        anchor: Option<Digest>,
    ) -> Stream<'scope, u64, Vec<Checked>> {
        let pact = Exchange::new(|_: &Decoded| 0u64);
        self.unary_frontier(pact, "CheckChain", move |_initial, _info| {
            let mut checker = ChainChecker::new(vk_set, start, anchor);
            let mut caps: BTreeMap<u64, Capability<u64>> = BTreeMap::new();
            move |(input, frontier), output| {
                input.for_each_stamp(|cap, data| {
                    for container in data {
                        for d in container.drain(..) {
                            let n = d.batch.batch_number;
                            match checker.push(d) {
                                Some(rejected) => {
                                    output.session(&cap).give(Checked::Duplicate(rejected));
                                }
                                None => {
                                    caps.insert(n, cap.delayed(&n, 0));
                                }
                            }
                        }
                    }
                });
                let lower = frontier.frontier().first().copied();
                for checked in checker.release(lower) {
                    if let Some(cap) = caps.get(&checked.batch_number()) {
                        output.session(cap).give(checked);
                    }
                }
                caps.retain(|n, _| checker.is_pending(*n));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_prover::sample::{sample_batch, SampleSize};
    use zkstream_types::BatchInput;
    use zkstream_types::RawBatch;

    fn decoded(batch: BatchInput) -> Decoded {
        Decoded {
            raw: RawBatch {
                batch_number: batch.batch_number,
                partition: 0,
                offset: batch.batch_number as i64,
                key: None,
                payload: Vec::new(),
            },
            batch,
        }
    }

    fn chain(vk: &Digest, n: u64) -> Vec<BatchInput> {
        (1..=n)
            .map(|i| sample_batch(i, 5, 1, vk, SampleSize::default()))
            .collect()
    }

    fn numbers(out: &[Checked]) -> Vec<(u64, bool)> {
        out.iter()
            .map(|c| (c.batch_number(), matches!(c, Checked::Accepted(_))))
            .collect()
    }

    #[test]
    fn holds_a_batch_until_its_predecessor_and_rejects_a_broken_link() {
        let vk = Digest([3; 4]);
        let mut batches = chain(&vk, 4);
        batches[2].previous_batch_commitment = Digest([9; 4]);
        let mut c = ChainChecker::new(vk, 1, None);
        assert!(c.push(decoded(batches[1].clone())).is_none());
        assert!(c.release(Some(1)).is_empty(), "batch 2 waits for batch 1");
        assert!(c.push(decoded(batches[0].clone())).is_none());
        assert_eq!(numbers(&c.release(Some(1))), [(1, true), (2, true)]);
        assert!(c.push(decoded(batches[2].clone())).is_none());
        assert!(c.push(decoded(batches[3].clone())).is_none());
        let out = c.release(Some(3));
        assert_eq!(numbers(&out), [(3, false)]);
        assert!(
            matches!(&out[0], Checked::Refused(r) if r.reason.label() == "wrong_previous_commitment")
        );
        // Batch 3 is still expected: batch 4 waits for it, and goes on unchecked once 3 can no longer
        // come.
        assert!(c.release(Some(3)).is_empty());
        assert_eq!(numbers(&c.release(Some(4))), [(4, true)]);
        let dup = c.push(decoded(batches[3].clone()));
        assert!(dup.is_some_and(|r| r.reason == RejectReason::Duplicate { batch: 4 }));
    }

    #[test]
    fn a_broken_link_does_not_stand_for_its_batch_in_either_order() {
        let vk = Digest([3; 4]);
        let batches = chain(&vk, 3);
        let mut forged = batches[1].clone();
        forged.previous_batch_commitment = Digest([9; 4]);
        // The forged record of batch 2 first, then the real one: the real one is accepted.
        let mut c = ChainChecker::new(vk, 1, None);
        assert!(c.push(decoded(forged.clone())).is_none());
        assert!(c.push(decoded(batches[1].clone())).is_none());
        assert!(c.push(decoded(batches[0].clone())).is_none());
        assert_eq!(
            numbers(&c.release(Some(1))),
            [(1, true), (2, false), (2, true)]
        );
        assert!(!c.is_pending(2));
        // The forged one after the real one: a duplicate.
        let mut c = ChainChecker::new(vk, 1, None);
        assert!(c.push(decoded(batches[0].clone())).is_none());
        assert!(c.push(decoded(batches[1].clone())).is_none());
        assert_eq!(numbers(&c.release(Some(1))), [(1, true), (2, true)]);
        assert!(c
            .push(decoded(forged))
            .is_some_and(|r| r.reason.label() == "duplicate"));
        // Refused alone, then the real record much later: accepted.
        let mut c = ChainChecker::new(vk, 1, None);
        let mut forged3 = batches[2].clone();
        forged3.previous_batch_commitment = Digest([8; 4]);
        for b in [&batches[0], &batches[1], &forged3] {
            assert!(c.push(decoded(b.clone())).is_none());
        }
        assert_eq!(
            numbers(&c.release(Some(3))),
            [(1, true), (2, true), (3, false)]
        );
        assert!(c.push(decoded(batches[2].clone())).is_none());
        assert_eq!(numbers(&c.release(Some(3))), [(3, true)]);
    }

    #[test]
    fn the_first_batch_is_checked_against_the_anchor() {
        let vk = Digest([3; 4]);
        let batches = chain(&vk, 3);
        let anchor = batch_commitment(&batches[1], &vk);
        let mut c = ChainChecker::new(vk, 3, Some(anchor));
        assert!(c.push(decoded(batches[2].clone())).is_none());
        assert_eq!(numbers(&c.release(Some(3))), [(3, true)]);
        let mut c = ChainChecker::new(vk, 3, Some(Digest([1; 4])));
        assert!(c.push(decoded(batches[2].clone())).is_none());
        assert_eq!(numbers(&c.release(Some(3))), [(3, false)]);
    }

    #[test]
    fn batch_one_is_checked_against_genesis() {
        let vk = Digest([3; 4]);
        let batches = chain(&vk, 2);
        assert_eq!(batches[0].previous_batch_commitment, Digest::ZERO);
        let mut forged = batches[0].clone();
        forged.previous_batch_commitment = Digest([7; 4]);
        let mut c = ChainChecker::new(vk, 1, None);
        // A forged batch 1 read ahead of the real one is refused; the real one is accepted after it.
        assert!(c.push(decoded(forged)).is_none());
        assert!(c.push(decoded(batches[0].clone())).is_none());
        assert!(c.push(decoded(batches[1].clone())).is_none());
        let out = c.release(Some(1));
        assert_eq!(numbers(&out), [(1, false), (1, true), (2, true)]);
        assert!(
            matches!(&out[0], Checked::Refused(r) if r.reason.label() == "wrong_previous_commitment")
        );
    }
}
