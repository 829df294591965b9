//! Aggregation mode's proof tree as operators. Time is the run number.
//!
//! - [`UserTreeExt::prove_user_chunks`]: chunk jobs (a chunk's index and its checked user proofs) in,
//!   spread over the workers by index, each proved asynchronously.
//! - [`UserTreeExt::prove_user_level`]: the proofs of the level below in, exchanged by parent (`index /
//!   arity`); once the input frontier has passed the run, every child of the level exists, and each
//!   parent's children are proved as one node of that level.
//!
//! Proofs run on threads beside the workers, at most [`ProofSlots`] at a time in a process; the operator
//! holds the run's capability until each proof returns, so the next level sees a complete level. A
//! failed child fails its parent with the child's reason, so the top of the tree carries the first
//! failure and nothing is proved over it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Condvar, Mutex};

use serde::{Deserialize, Serialize};
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::{Capability, Operator};
use timely::dataflow::Stream;
use zkstream_prover::field::{BProof, BVk};
use zkstream_prover::Prover;

/// One chunk of a run: its index and its users' (key, proof) pairs, in leaf order.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChunkJob {
    /// The chunk's place among the run's chunks.
    pub index: u32,
    /// Checked user proofs, in leaf order.
    pub proofs: Vec<(BVk, BProof)>,
}

/// A proof of the tree: chunk proofs are level 0, nodes levels 1 and up.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TreeProof {
    /// Its level.
    pub level: u32,
    /// Its place among the proofs of its level.
    pub index: u32,
    /// The proof, or why it (or a proof below it) failed.
    pub proof: Result<BProof, String>,
}

/// A process-wide limit on proofs running at once.
#[derive(Clone)]
pub struct ProofSlots(Arc<(Mutex<usize>, Condvar)>);

impl ProofSlots {
    /// `slots` proofs at a time (at least 1).
    pub fn new(slots: usize) -> Self {
        ProofSlots(Arc::new((Mutex::new(slots.max(1)), Condvar::new())))
    }

    /// Runs `f` in a free slot, waiting for one.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        let (free, cv) = &*self.0;
        {
            let mut n = free.lock().unwrap_or_else(|p| p.into_inner());
            while *n == 0 {
                n = cv.wait(n).unwrap_or_else(|p| p.into_inner());
            }
            *n -= 1;
        }
        let out = f();
        *free.lock().unwrap_or_else(|p| p.into_inner()) += 1;
        cv.notify_one();
        out
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
    fn spawn(
        &mut self,
        cap: Capability<u64>,
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
        std::thread::spawn(move || {
            let proof = slots.run(prove);
            mailbox.lock().unwrap_or_else(|p| p.into_inner()).push((
                ticket,
                TreeProof {
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
            let mut flight = InFlight {
                mailbox: Arc::default(),
                pending: HashMap::new(),
                next: 0,
                slots,
                activator: scope.worker().sync_activator_for(info.address.to_vec()),
            };
            move |input, output| {
                let port = output.output_index();
                input.for_each_stamp(|cap, data| {
                    let Some(held) = cap.retain_least(port) else {
                        return;
                    };
                    for container in data {
                        for job in container.drain(..) {
                            let prover = Arc::clone(&prover);
                            flight.spawn(held.clone(), 0, job.index, move || {
                                prover
                                    .prove_user_chunk(&job.proofs)
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
            let mut flight = InFlight {
                mailbox: Arc::default(),
                pending: HashMap::new(),
                next: 0,
                slots,
                activator: scope.worker().sync_activator_for(info.address.to_vec()),
            };
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
                    let mut groups: BTreeMap<u32, Vec<TreeProof>> = BTreeMap::new();
                    for c in children {
                        groups.entry(c.index / arity).or_default().push(c);
                    }
                    for (parent, mut group) in groups {
                        group.sort_by_key(|c| c.index);
                        let failed = group.iter().find_map(|c| c.proof.as_ref().err().cloned());
                        if let Some(reason) = failed {
                            output.session(&cap).give(TreeProof {
                                level,
                                index: parent,
                                proof: Err(reason),
                            });
                            continue;
                        }
                        let proofs: Vec<BProof> =
                            group.into_iter().filter_map(|c| c.proof.ok()).collect();
                        let prover = Arc::clone(&prover);
                        flight.spawn(cap.clone(), level, parent, move || {
                            prover
                                .prove_user_node(level, &proofs)
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
    fn slots_bound_concurrency() {
        let slots = ProofSlots::new(2);
        let running = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (slots, running, most) = (slots.clone(), running.clone(), most.clone());
                std::thread::spawn(move || {
                    slots.run(|| {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 2);
    }
}
