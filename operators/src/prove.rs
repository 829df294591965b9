//! `prove`: the async prove operator. Each incoming job (any [`Work`]: a batch's [`crate::model::Job`],
//! an aggregation run's [`crate::user_tree::UserJob`]) goes to the [`ProverPool`]; the operator keeps
//! a capability for the job's time until the pool replies (from a slot thread, or at once for a job no
//! slot can run, through a mailbox and a `SyncActivator` that wakes this operator). Proving never runs on the timely worker thread, and a
//! capability is released only with a result: the proof's reference, or the job's failure after the
//! pool's last attempt.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::{Capability, Operator};
use timely::dataflow::Stream;

use crate::pool::{ProverPool, Work};

/// What a job's reply carries: its output, or its failure.
pub type Proved<W> = Result<<W as Work>::Output, <W as Work>::Failure>;

type Mailbox<W> = Arc<Mutex<Vec<(u64, Proved<W>)>>>;

/// Proves jobs asynchronously on a prover pool.
pub trait ProveExt<'scope, W: Work> {
    /// Submits every job to `pool`; emits, at the job's time, its output (an artifact reference) or
    /// its failure.
    fn prove(self, pool: Arc<ProverPool<W>>, name: &str) -> Stream<'scope, u64, Vec<Proved<W>>>;
}

impl<'scope, W> ProveExt<'scope, W> for Stream<'scope, u64, Vec<W>>
where
    W: Work + Clone,
    W::Output: Clone,
    W::Failure: Clone,
{
    fn prove(self, pool: Arc<ProverPool<W>>, name: &str) -> Stream<'scope, u64, Vec<Proved<W>>> {
        let scope = self.scope();
        self.unary(Pipeline, name, move |initial, info| {
            drop(initial);
            let activator = scope.worker().sync_activator_for(info.address.to_vec());
            let mailbox: Mailbox<W> = Arc::default();
            let mut pending: HashMap<u64, Capability<u64>> = HashMap::new();
            let mut next_ticket = 0u64;
            move |input, output| {
                let port = output.output_index();
                input.for_each_stamp(|cap, data| {
                    let Some(held) = cap.retain_least(port) else {
                        return;
                    };
                    for container in data {
                        for job in container.drain(..) {
                            let ticket = next_ticket;
                            next_ticket += 1;
                            pending.insert(ticket, held.clone());
                            let mailbox = Arc::clone(&mailbox);
                            let activator = activator.clone();
                            pool.submit(
                                job,
                                Box::new(move |result| {
                                    mailbox
                                        .lock()
                                        .unwrap_or_else(|p| p.into_inner())
                                        .push((ticket, result));
                                    // The worker is gone only when the dataflow was torn down.
                                    let _ = activator.activate();
                                }),
                            );
                        }
                    }
                });
                let done = std::mem::take(&mut *mailbox.lock().unwrap_or_else(|p| p.into_inner()));
                for (ticket, result) in done {
                    if let Some(cap) = pending.remove(&ticket) {
                        output.session(&cap).give(result);
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{BatchHeader, Job, JobKind};
    use crate::pool::failing_pool;
    use crate::testing::run_dataflow;
    use zkstream_prover::{BasicJob, TreeShape};
    use zkstream_types::{AggregationRound, ArtifactKey, CircuitType, Digest, QueueRange};

    fn job(batch: u64, index: u32) -> Job {
        let range = QueueRange {
            circuit: CircuitType::POSEIDON2,
            start: Digest::default(),
            end: Digest::default(),
            count: 0,
        };
        Job {
            key: ArtifactKey {
                protocol_version: 1,
                batch,
                round: AggregationRound::Basic,
                circuit: Some(CircuitType::POSEIDON2),
                depth: 0,
                index,
            },
            header: BatchHeader {
                batch_number: batch,
                protocol_version: 1,
                previous_batch_commitment: Digest::default(),
            },
            ranges: vec![range],
            siblings: 2,
            kind: JobKind::Basic(BasicJob {
                index: index as usize,
                range,
                requests: Vec::new(),
            }),
        }
    }

    /// Every attempt fails (injected, so nothing is proved): the operator holds each job's capability
    /// until the pool gives up, emits the failure at the job's time, and then lets the frontier pass.
    #[test]
    fn failures_come_back_at_their_time_after_every_attempt() {
        let pool = Arc::new(failing_pool(TreeShape::default(), 2, 3));
        let p = Arc::clone(&pool);
        let mut seen = run_dataflow(
            vec![(3, vec![job(3, 0), job(3, 1)]), (5, vec![job(5, 0)])],
            move |jobs| jobs.prove(p, "Prove"),
        );
        seen.sort_by_key(|(t, r)| (*t, r.clone().err().map(|f| f.stage)));
        assert_eq!(seen.len(), 3);
        for (t, r) in &seen {
            let f = r.as_ref().unwrap_err();
            assert_eq!(*t, f.batch_number, "emitted at the batch's time");
            assert!(f.reason.contains("after 3 attempts"), "{}", f.reason);
        }
        let records = pool.records();
        assert_eq!(records.len(), 3);
        assert!(records.iter().all(|r| r.attempts == 3));
    }
}
