//! `deliver_in_order`: the ordered sink stage. Batch outcomes arrive in any order, from any worker; they
//! are gathered on worker 0 and released strictly in batch order with no gaps: batch `n` goes out when
//! its outcome is there and every batch below it went out. The input frontier tells when a batch can no
//! longer come (its time was passed with no outcome): that is a gap. A failed batch is a gap too. The
//! default policy stops at the first gap (stop and alert: a later batch cannot be proved before it); `allow_gaps` reports it
//! and goes on.

use std::collections::BTreeMap;

use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::Operator;
use timely::dataflow::Stream;

use crate::model::{BatchFailure, BatchOutcome, Delivery, FailureStage, FinalRecord};

/// Where delivery starts and what a gap does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct OrderPolicy {
    /// The first batch to deliver (the committed position).
    pub start: u64,
    /// Deliver later batches after a gap (default: stop at the gap).
    pub allow_gaps: bool,
}

/// The ordering state, without timely.
#[derive(Debug)]
pub struct Orderer<P = zkstream_types::FinalBatchProof> {
    next: u64,
    allow_gaps: bool,
    halted: bool,
    stash: BTreeMap<u64, BatchOutcome<P>>,
}

impl<P> Orderer<P> {
    /// Starts at `policy.start`.
    pub fn new(policy: OrderPolicy) -> Self {
        Orderer {
            next: policy.start,
            allow_gaps: policy.allow_gaps,
            halted: false,
            stash: BTreeMap::new(),
        }
    }

    /// The next batch to deliver.
    pub fn next(&self) -> u64 {
        self.next
    }

    /// Whether delivery stopped at a gap.
    pub fn halted(&self) -> bool {
        self.halted
    }

    /// Outcomes held back, waiting for earlier batches.
    pub fn waiting(&self) -> usize {
        self.stash.len()
    }

    /// Takes one outcome (a late duplicate or one below the start is dropped).
    pub fn push(&mut self, batch: u64, outcome: BatchOutcome<P>) {
        if batch < self.next || self.halted {
            tracing::warn!(
                batch,
                next = self.next,
                halted = self.halted,
                "outcome not delivered"
            );
            return;
        }
        self.stash.entry(batch).or_insert(outcome);
    }

    /// Releases what can go out. `lower` is the least time that may still arrive (`None`: input done).
    pub fn release(&mut self, lower: Option<u64>) -> Vec<(u64, Delivery<P>)> {
        let mut out = Vec::new();
        while !self.halted {
            let n = self.next;
            let delivery = match self.stash.remove(&n) {
                Some(Ok(proof)) => Delivery::Proof(proof),
                Some(Err(failure)) => Delivery::Gap(failure),
                None => {
                    let passed = lower.is_none_or(|l| l > n);
                    let more = lower.is_some() || !self.stash.is_empty();
                    if !(passed && more) {
                        break;
                    }
                    Delivery::Gap(BatchFailure {
                        batch_number: n,
                        stage: FailureStage::Source,
                        reason: "batch never arrived (the input moved past it)".into(),
                    })
                }
            };
            if let Delivery::Gap(f) = &delivery {
                tracing::error!(batch = n, stage = %f.stage, reason = %f.reason, "gap in the proof sequence");
                self.halted = !self.allow_gaps;
            }
            out.push((n, delivery));
            self.next += 1;
        }
        if self.halted && !self.stash.is_empty() {
            tracing::warn!(
                held = self.stash.len(),
                "delivery stopped at a gap; later outcomes are not delivered"
            );
            self.stash.clear();
        }
        out
    }
}

/// The ordered sink stage as an operator.
pub trait OrderExt<'scope, P = zkstream_types::FinalBatchProof> {
    /// Outcomes in (any order, any worker); deliveries out on worker 0, in batch order, at their batch's
    /// time.
    fn deliver_in_order(self, policy: OrderPolicy) -> Stream<'scope, u64, Vec<Delivery<P>>>;
}

fn batch_of<P: FinalRecord>(o: &BatchOutcome<P>) -> u64 {
    match o {
        Ok(p) => p.batch_number(),
        Err(f) => f.batch_number,
    }
}

impl<'scope, P: FinalRecord> OrderExt<'scope, P> for Stream<'scope, u64, Vec<BatchOutcome<P>>> {
    fn deliver_in_order(self, policy: OrderPolicy) -> Stream<'scope, u64, Vec<Delivery<P>>> {
        let leader = self.scope().index() == 0;
        let pact = Exchange::new(|_: &BatchOutcome<P>| 0u64);
        self.unary_frontier(pact, "DeliverInOrder", move |initial, _info| {
            let mut cap = leader.then(|| initial.delayed(&policy.start));
            let mut orderer = Orderer::new(policy);
            move |(input, frontier), output| {
                input.for_each_stamp(|_cap, data| {
                    for container in data {
                        for o in container.drain(..) {
                            orderer.push(batch_of(&o), o);
                        }
                    }
                });
                let Some(held) = cap.as_mut() else {
                    return;
                };
                let lower = frontier.frontier().first().copied();
                for (batch, delivery) in orderer.release(lower) {
                    let at = held.delayed(&batch);
                    output.session(&at).give(delivery);
                }
                if frontier.is_empty() && (orderer.waiting() == 0 || orderer.halted()) {
                    cap = None;
                } else if held.time() < &orderer.next() {
                    held.downgrade(&orderer.next());
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_types::{Digest, FinalBatchProof};

    fn proof(n: u64) -> BatchOutcome {
        Ok(FinalBatchProof {
            batch_number: n,
            protocol_version: 1,
            previous_batch_commitment: Digest::default(),
            batch_commitment: Digest([n; 4]),
            aggregation_result_coords: Vec::new(),
            vk_set_commitment: Digest::default(),
            proof_profile: "test".into(),
            proof: Vec::new(),
            wrap: None,
        })
    }

    fn batches(d: &[(u64, Delivery)]) -> Vec<u64> {
        d.iter().map(|(n, _)| *n).collect()
    }

    #[test]
    fn releases_in_order_whatever_the_arrival_order() {
        let mut o = Orderer::new(OrderPolicy {
            start: 3,
            allow_gaps: false,
        });
        o.push(5, proof(5));
        o.push(4, proof(4));
        assert!(o.release(Some(3)).is_empty(), "3 may still come");
        o.push(3, proof(3));
        assert_eq!(batches(&o.release(Some(3))), [3, 4, 5]);
        assert!(o.release(None).is_empty(), "input done, nothing missing");
        o.push(4, proof(4));
        assert_eq!(o.waiting(), 0, "late duplicates are dropped");
    }

    #[test]
    fn a_failure_stops_delivery_by_default() {
        let mut o = Orderer::new(OrderPolicy {
            start: 1,
            allow_gaps: false,
        });
        o.push(1, proof(1));
        o.push(3, proof(3));
        o.push(
            2,
            Err(BatchFailure {
                batch_number: 2,
                stage: FailureStage::Finalize,
                reason: "x".into(),
            }),
        );
        let d = o.release(Some(1));
        assert_eq!(batches(&d), [1, 2]);
        assert!(matches!(d[1].1, Delivery::Gap(_)));
        assert!(o.halted());
        assert!(o.release(None).is_empty(), "nothing after the gap");
    }

    #[test]
    fn a_batch_the_frontier_passed_is_a_gap_and_allow_gaps_goes_on() {
        let mut o = Orderer::new(OrderPolicy {
            start: 1,
            allow_gaps: true,
        });
        o.push(2, proof(2));
        assert!(o.release(Some(1)).is_empty());
        let d = o.release(Some(2));
        assert_eq!(batches(&d), [1, 2]);
        assert!(matches!(&d[0].1, Delivery::Gap(f) if f.stage == FailureStage::Source));
        assert!(matches!(d[1].1, Delivery::Proof(_)));
        assert!(!o.halted());
    }
}
