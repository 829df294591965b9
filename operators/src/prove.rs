//! `prove`: the async prove operator. Each incoming [`Job`] goes to the [`ProverPool`]; the operator keeps
//! a capability for the job's batch until the pool replies (from a slot thread, through a mailbox and a
//! `SyncActivator` that wakes this operator). Proving never runs on the timely worker thread, and a
//! capability is released only with a result: the proof's reference, or the batch's failure after the
//! pool's last attempt.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use timely::dataflow::channels::pact::Pipeline;
use timely::dataflow::operators::{Capability, Operator};
use timely::dataflow::Stream;

use crate::model::{BatchFailure, Job, ProofRef};
use crate::pool::ProverPool;

type Mailbox = Arc<Mutex<Vec<(u64, Result<ProofRef, BatchFailure>)>>>;

/// Proves jobs asynchronously on a prover pool.
pub trait ProveExt<'scope> {
    /// Submits every job to `pool`; emits, at the job's time, its artifact reference or its batch's
    /// failure.
    fn prove(
        self,
        pool: Arc<ProverPool>,
        name: &str,
    ) -> Stream<'scope, u64, Vec<Result<ProofRef, BatchFailure>>>;
}

impl<'scope> ProveExt<'scope> for Stream<'scope, u64, Vec<Job>> {
    fn prove(
        self,
        pool: Arc<ProverPool>,
        name: &str,
    ) -> Stream<'scope, u64, Vec<Result<ProofRef, BatchFailure>>> {
        let scope = self.scope();
        self.unary(Pipeline, name, move |initial, info| {
            drop(initial);
            let activator = scope.worker().sync_activator_for(info.address.to_vec());
            let mailbox: Mailbox = Arc::default();
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
