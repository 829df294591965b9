//! Aggregation mode's proof tree as operators. Time is the run number.
//!
//! - [`UserTreeExt::prove_user_chunks`]: chunk jobs (a chunk's index and its checked user proofs) in,
//!   spread over the workers by index, each proved asynchronously.
//! - [`UserTreeExt::prove_user_level`]: the proofs of the level below in, exchanged by parent (`index /
//!   arity`); once the input frontier has passed the run, every child of the level exists, and each
//!   parent's children are proved as one node of that level.
//!
//! Proofs run on [`ProofSlots`], a fixed set of threads beside the workers; the operator
//! holds the run's capability until each proof returns, so the next level sees a complete level. A
//! failed child fails its parent with the child's reason, so the top of the tree carries the first
//! failure and nothing is proved over it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::{Capability, Operator};
use timely::dataflow::Stream;
use zkstream_prover::field::{BProof, BVk};
use zkstream_prover::{Prover, UserFamily};

/// One chunk of a run: its index and its users' (key, proof) pairs, in leaf order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChunkJob {
    /// The run's family (a run aggregates one).
    pub family: UserFamily,
    /// A key of the family: a process that has not seen the family yet (another process of a
    /// cluster) makes it known from this before proving any of its circuits.
    pub template: BVk,
    /// The chunk's place among the run's chunks.
    pub index: u32,
    /// Checked user proofs, in leaf order.
    pub proofs: Vec<(BVk, BProof)>,
}

/// A proof of the tree: chunk proofs are level 0, nodes levels 1 and up.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TreeProof {
    /// The run's family.
    pub family: UserFamily,
    /// A key of the family (see [`ChunkJob::template`]), handed up the tree.
    pub template: BVk,
    /// Its level.
    pub level: u32,
    /// Its place among the proofs of its level.
    pub index: u32,
    /// The proof, or why it (or a proof below it) failed.
    pub proof: Result<BProof, String>,
}

type Task = Box<dyn FnOnce() + Send>;

/// The proving threads of a process: `slots` long-lived threads taking proofs from one queue, so at
/// most `slots` proofs run at once and the memory a proof frees is reused by the next one on the same
/// thread (a fresh thread per proof would grow a fresh allocator arena each time). The threads end when
/// the last handle is dropped.
#[derive(Clone)]
pub struct ProofSlots(Arc<Mutex<std::sync::mpsc::Sender<Task>>>);

impl ProofSlots {
    /// `slots` proving threads (at least 1).
    pub fn new(slots: usize) -> Self {
        let (tx, rx) = std::sync::mpsc::channel::<Task>();
        let rx = Arc::new(Mutex::new(rx));
        for i in 0..slots.max(1) {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("zkstream-user-slot-{i}"))
                .spawn(move || loop {
                    let task = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    match task {
                        Ok(task) => task(),
                        Err(_) => return,
                    }
                });
            if let Err(e) = spawned {
                tracing::error!(error = %e, "could not start a proving thread");
            }
        }
        ProofSlots(Arc::new(Mutex::new(tx)))
    }

    /// Queues `f` for the next free slot.
    pub fn submit(&self, f: impl FnOnce() + Send + 'static) {
        let sent = self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .send(Box::new(f));
        if sent.is_err() {
            tracing::error!("no proving thread is left to take a proof");
        }
    }
}

type Mailbox = Arc<Mutex<Vec<(u64, TreeProof)>>>;

/// Proofs in flight of one operator: results come back through the mailbox, each with its ticket.
struct InFlight {
    mailbox: Mailbox,
    pending: HashMap<u64, Capability<u64>>,
    next: u64,
    slots: ProofSlots,
    activator: timely::scheduling::SyncActivator,
}

impl InFlight {
    fn new(slots: ProofSlots, activator: timely::scheduling::SyncActivator) -> Self {
        InFlight {
            mailbox: Arc::default(),
            pending: HashMap::new(),
            next: 0,
            slots,
            activator,
        }
    }

    fn spawn(
        &mut self,
        cap: Capability<u64>,
        family: UserFamily,
        template: BVk,
        level: u32,
        index: u32,
        prove: impl FnOnce() -> Result<BProof, String> + Send + 'static,
    ) {
        let ticket = self.next;
        self.next += 1;
        self.pending.insert(ticket, cap);
        let (mailbox, slots, activator) = (
            Arc::clone(&self.mailbox),
            self.slots.clone(),
            self.activator.clone(),
        );
        slots.submit(move || {
            let proof = prove();
            mailbox.lock().unwrap_or_else(|p| p.into_inner()).push((
                ticket,
                TreeProof {
                    family,
                    template,
                    level,
                    index,
                    proof,
                },
            ));
            // The worker is gone only when the dataflow was torn down.
            let _ = activator.activate();
        });
    }

    /// The results that came back, each with the capability it held.
    fn done(&mut self) -> Vec<(Capability<u64>, TreeProof)> {
        let done = std::mem::take(&mut *self.mailbox.lock().unwrap_or_else(|p| p.into_inner()));
        done.into_iter()
            .filter_map(|(ticket, p)| self.pending.remove(&ticket).map(|cap| (cap, p)))
            .collect()
    }
}

/// Makes `family` known to this process's key store from one of its keys (a no-op where it is known:
/// the process that checked the run's submissions, or one that proved the family before).
fn known_family(prover: &Prover, family: UserFamily, template: &BVk) -> Result<(), String> {
    match prover.user_family(template) {
        Ok(f) if f == family => Ok(()),
        Ok(f) => Err(format!("the run's key is of family {f}, not {family}")),
        Err(e) => Err(e.to_string()),
    }
}

/// The proof tree of aggregation mode as operators.
pub trait UserTreeExt<'scope> {
    /// Chunk jobs in, chunk proofs (level 0) out.
    fn prove_user_chunks(
        self,
        prover: Arc<Prover>,
        slots: ProofSlots,
    ) -> Stream<'scope, u64, Vec<TreeProof>>;
}

/// The node levels.
pub trait UserLevelExt<'scope> {
    /// Proofs of `level − 1` in, proofs of `level` out (one per `arity` consecutive children).
    fn prove_user_level(
        self,
        prover: Arc<Prover>,
        slots: ProofSlots,
        level: u32,
    ) -> Stream<'scope, u64, Vec<TreeProof>>;
}

impl<'scope> UserTreeExt<'scope> for Stream<'scope, u64, Vec<ChunkJob>> {
    fn prove_user_chunks(
        self,
        prover: Arc<Prover>,
        slots: ProofSlots,
    ) -> Stream<'scope, u64, Vec<TreeProof>> {
        let scope = self.scope();
        let pact = Exchange::new(|j: &ChunkJob| j.index as u64);
        self.unary(pact, "ProveUserChunks", move |_initial, info| {
            let mut flight = InFlight::new(
                slots,
                scope.worker().sync_activator_for(info.address.to_vec()),
            );
            move |input, output| {
                let port = output.output_index();
                input.for_each_stamp(|cap, data| {
                    let Some(held) = cap.retain_least(port) else {
                        return;
                    };
                    for container in data {
                        for job in container.drain(..) {
                            let prover = Arc::clone(&prover);
                            let (family, template) = (job.family, job.template.clone());
                            flight.spawn(held.clone(), family, template, 0, job.index, move || {
                                known_family(&prover, family, &job.template)
                                    .and_then(|()| {
                                        prover
                                            .prove_user_chunk(&job.proofs)
                                            .map_err(|e| e.to_string())
                                    })
                                    .map_err(|e| format!("chunk {}: {e}", job.index))
                            });
                        }
                    }
                });
                for (cap, p) in flight.done() {
                    output.session(&cap).give(p);
                }
            }
        })
    }
}

impl<'scope> UserLevelExt<'scope> for Stream<'scope, u64, Vec<TreeProof>> {
    fn prove_user_level(
        self,
        prover: Arc<Prover>,
        slots: ProofSlots,
        level: u32,
    ) -> Stream<'scope, u64, Vec<TreeProof>> {
        let scope = self.scope();
        let arity = prover.keys().user_shape().node_arity.max(1) as u32;
        let pact = Exchange::new(move |p: &TreeProof| (p.index / arity) as u64);
        let name = format!("ProveUserNode{level}");
        self.unary_frontier(pact, &name, move |_initial, info| {
            let mut flight = InFlight::new(
                slots,
                scope.worker().sync_activator_for(info.address.to_vec()),
            );
            let mut waiting: BTreeMap<u64, (Capability<u64>, Vec<TreeProof>)> = BTreeMap::new();
            move |(input, frontier), output| {
                let port = output.output_index();
                input.for_each_stamp(|cap, data| {
                    let Some(held) = cap.retain_least(port) else {
                        return;
                    };
                    let entry = waiting
                        .entry(*held.time())
                        .or_insert_with(|| (held.clone(), Vec::new()));
                    for container in data {
                        entry.1.append(container);
                    }
                });
                let complete: Vec<u64> = waiting
                    .keys()
                    .copied()
                    .filter(|t| !frontier.frontier().less_equal(t))
                    .collect();
                for t in complete {
                    let Some((cap, children)) = waiting.remove(&t) else {
                        continue;
                    };
                    let Some((family, template)) =
                        children.first().map(|c| (c.family, c.template.clone()))
                    else {
                        continue;
                    };
                    // Every proof of the level below exists: its setup may leave memory.
                    prover.release_user_level(family, level - 1);
                    let mut groups: BTreeMap<u32, Vec<TreeProof>> = BTreeMap::new();
                    for c in children {
                        groups.entry(c.index / arity).or_default().push(c);
                    }
                    for (parent, mut group) in groups {
                        group.sort_by_key(|c| c.index);
                        let failed = group.iter().find_map(|c| c.proof.as_ref().err().cloned());
                        if let Some(reason) = failed {
                            output.session(&cap).give(TreeProof {
                                family,
                                template: template.clone(),
                                level,
                                index: parent,
                                proof: Err(reason),
                            });
                            continue;
                        }
                        let proofs: Vec<BProof> =
                            group.into_iter().filter_map(|c| c.proof.ok()).collect();
                        let prover = Arc::clone(&prover);
                        let key = template.clone();
                        flight.spawn(cap.clone(), family, key.clone(), level, parent, move || {
                            known_family(&prover, family, &key)
                                .and_then(|()| {
                                    prover
                                        .prove_user_node(family, level, &proofs)
                                        .map_err(|e| e.to_string())
                                })
                                .map_err(|e| format!("level {level} node {parent}: {e}"))
                        });
                    }
                }
                for (cap, p) in flight.done() {
                    output.session(&cap).give(p);
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn slots_bound_concurrency_and_run_everything() {
        let slots = ProofSlots::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let (tx, rx) = std::sync::mpsc::channel();
        for i in 0..6 {
            let (running, most, tx) = (running.clone(), most.clone(), tx.clone());
            slots.submit(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(20));
                running.fetch_sub(1, Ordering::SeqCst);
                tx.send(i).unwrap();
            });
        }
        let mut done: Vec<i32> = (0..6).map(|_| rx.recv().unwrap()).collect();
        done.sort();
        assert_eq!(done, [0, 1, 2, 3, 4, 5]);
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
