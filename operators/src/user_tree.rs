//! User-proof mode's ("user proofs") tree as prover-pool jobs and operators. Time is the run number.
//!
//! - [`UserJob`]: one chunk proof (over a chunk's checked user proofs) or one node proof (over the
//!   stored proofs of the level below), as [`Work`] of a [`ProverPool`]: queued, routed, retried,
//!   measured and reused from the artifact store like a batch's jobs. Its proof is stored under its
//!   [`UserProofKey`] before the reply, so a restarted run finds every finished chunk and node.
//! - [`UserTreeExt::prove_user_tree`]: chunk jobs in (spread over the workers by index), every proof of
//!   the tree out. Each node level waits until the frontier has passed the run at the level below
//!   (every child exists), groups the children by parent (`index / arity`) and proves each parent. A
//!   failed child fails its parent with the child's reason, so the top of the tree carries the first
//!   failure and nothing is proved over it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use timely::dataflow::channels::pact::Exchange;
use timely::dataflow::operators::core::OkErr;
use timely::dataflow::operators::vec::Map;
use timely::dataflow::operators::{Capability, Concatenate, Exchange as _, Operator};
use timely::dataflow::Stream;
use zkstream_prover::field::{BProof, BVk};
use zkstream_prover::user::{user_commitment, Summary};
use zkstream_prover::{
    decode_proof, encode_proof, CircuitId, KeyStore, Prover, ProverError, UserFamily,
};
use zkstream_types::{UserArtifact, UserProofKey};

use crate::pool::{Attempt, JobContext, JobError, ProverPool, Rank, Work};
use crate::prove::{ProveExt, Proved};
use crate::store::ArtifactStore;

/// What a job of the tree proves.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum UserJobKind {
    /// A chunk over checked user proofs, in leaf order.
    Chunk(Vec<(BVk, BProof)>),
    /// A node over the stored proofs of the level below, in order.
    Node(Vec<UserProofKey>),
}

/// One proof of a run's tree to make.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserJob {
    /// Where its proof goes (level 0: a chunk).
    pub key: UserProofKey,
    /// A key of the run's family: a process that has not seen the family yet (another process of a
    /// cluster) makes it known from this before proving any of its circuits.
    pub template: Box<BVk>,
    /// The work.
    pub kind: UserJobKind,
}

/// A stored proof of the tree (the reply of a [`UserJob`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserProofRef {
    /// Where it is stored.
    pub key: UserProofKey,
    /// A key of the run's family (see [`UserJob::template`]), handed up the tree.
    pub template: Box<BVk>,
}

/// A proof of the tree that could not be made, or whose child could not.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UserFailure {
    /// The proof that is missing.
    pub key: UserProofKey,
    /// A key of the run's family.
    pub template: Box<BVk>,
    /// Why (the first failure below it).
    pub reason: String,
}

/// One proof of the tree as the dataflow carries it: stored, or failed.
pub type TreeProof = Proved<UserJob>;

/// The key and family key of a tree proof, stored or failed.
pub fn tree_key(p: &TreeProof) -> (&UserProofKey, &BVk) {
    match p {
        Ok(r) => (&r.key, &r.template),
        Err(f) => (&f.key, &f.template),
    }
}

impl UserJob {
    /// The run's family.
    pub fn family(&self) -> UserFamily {
        UserFamily(self.key.family)
    }

    fn circuit_id(&self) -> CircuitId {
        circuit_of(&self.key)
    }
}

/// The circuit a proof of the tree is made with.
pub fn circuit_of(key: &UserProofKey) -> CircuitId {
    let family = UserFamily(key.family);
    match key.level {
        0 => CircuitId::UserChunk(family),
        level => CircuitId::UserNode(family, level),
    }
}

/// Makes the job's family known to this process's key store from its key (a no-op where it is known:
/// the process that checked the run's submissions, or one that proved the family before).
fn known_family(prover: &Prover, job: &UserJob) -> Result<(), JobError> {
    let family = prover
        .user_family(&job.template)
        .map_err(|e| ProverError::ChildRejected {
            parent: job.circuit_id().to_string(),
            index: 0,
            reason: format!("the run's key: {e}"),
        })?;
    if family != job.family() {
        return Err(JobError::Mismatch {
            key: job.key.to_string(),
            circuit: circuit_of(&job.key),
        });
    }
    Ok(())
}

/// Reads a stored proof of the tree.
pub fn load_user_proof(store: &ArtifactStore, key: &UserProofKey) -> Result<BProof, JobError> {
    let a: UserArtifact = store
        .get(key)?
        .ok_or_else(|| JobError::MissingArtifact(key.to_string()))?;
    decode_proof(&a.proof).map_err(|source| JobError::BadArtifact {
        key: key.to_string(),
        source,
    })
}

impl UserJob {
    /// The summary its proof must expose: of its users' commitments (a chunk), or its children's
    /// summaries combined (a node; the children are read from the store).
    fn expected_summary(&self, ctx: &JobContext<'_>) -> Result<Summary, JobError> {
        let shape = *ctx.keys.user_shape();
        match &self.kind {
            UserJobKind::Chunk(proofs) => {
                let leaves: Vec<[u8; 32]> = proofs
                    .iter()
                    .map(|(vk, p)| user_commitment(vk, p))
                    .collect();
                Ok(Summary::of_leaves(&leaves, shape.proofs_per_chunk)?)
            }
            UserJobKind::Node(children) => {
                let mut summaries = Vec::with_capacity(children.len());
                for c in children {
                    let proof = load_user_proof(ctx.store, c)?;
                    summaries.push(Summary::of_proof(&proof).ok_or_else(|| {
                        JobError::BadArtifact {
                            key: c.to_string(),
                            source: ProverError::SelfCheckFailed(
                                "its public input is not a summary".into(),
                            ),
                        }
                    })?);
                }
                let child_capacity = shape.capacity_at(self.key.level.saturating_sub(1));
                Ok(Summary::combine(
                    &summaries,
                    child_capacity,
                    shape.node_arity,
                )?)
            }
        }
    }
}

impl Work for UserJob {
    type Key = UserProofKey;
    type Output = UserProofRef;
    type Failure = UserFailure;

    fn key(&self) -> UserProofKey {
        self.key
    }

    fn rank(&self) -> Rank {
        Rank {
            scope: self.key.run,
            stage: self.key.level,
            urgency: 0,
        }
    }

    fn circuit(&self) -> Option<CircuitId> {
        Some(self.circuit_id())
    }

    fn children(&self) -> Vec<UserProofKey> {
        match &self.kind {
            UserJobKind::Chunk(_) => Vec::new(),
            UserJobKind::Node(c) => c.clone(),
        }
    }

    fn run(&self, ctx: &JobContext<'_>) -> Result<Attempt, JobError> {
        known_family(ctx.prover()?, self)?;
        if let Some(existing) = ctx.store.get::<UserArtifact>(&self.key)? {
            // Stored under this circuit's key, verifying, and exposing the expected summary.
            let reuse = ctx.reusable(
                &self.key,
                self.circuit_id(),
                existing.vk_commitment,
                &existing.proof,
                |p| Ok(Summary::of_proof(p) == Some(self.expected_summary(ctx)?)),
            );
            if reuse {
                return Ok(Attempt::Reused);
            }
        }
        let proof = match &self.kind {
            UserJobKind::Chunk(proofs) => ctx.prover()?.prove_user_chunk(proofs)?,
            UserJobKind::Node(children) => {
                let proofs = children
                    .iter()
                    .map(|c| load_user_proof(ctx.store, c))
                    .collect::<Result<Vec<_>, _>>()?;
                ctx.prover()?
                    .prove_user_node(self.family(), self.key.level, &proofs)?
            }
        };
        ctx.store.put(&UserArtifact {
            key: self.key,
            vk_commitment: ctx.keys.vk_commitment(self.circuit_id())?,
            proof: encode_proof(&proof)?,
        })?;
        Ok(Attempt::Proved)
    }

    fn output(&self) -> UserProofRef {
        UserProofRef {
            key: self.key,
            template: self.template.clone(),
        }
    }

    fn failure(&self, reason: String) -> UserFailure {
        UserFailure {
            key: self.key,
            template: self.template.clone(),
            reason: format!("{}: {reason}", self.key),
        }
    }

    fn labels(&self) -> (&'static str, String) {
        let stage = match self.kind {
            UserJobKind::Chunk(_) => "user_chunk",
            UserJobKind::Node(_) => "user_node",
        };
        (stage, self.family().to_string())
    }
}

/// The proof tree of user-proof mode as operators.
pub trait UserTreeExt<'scope> {
    /// Chunk jobs in; every proof of the tree out (chunks, then each node level up to `levels`), at
    /// the run's time, each stored or failed.
    fn prove_user_tree(
        self,
        pool: Arc<ProverPool<UserJob>>,
        levels: u32,
    ) -> Stream<'scope, u64, Vec<TreeProof>>;
}

impl<'scope> UserTreeExt<'scope> for Stream<'scope, u64, Vec<UserJob>> {
    fn prove_user_tree(
        self,
        pool: Arc<ProverPool<UserJob>>,
        levels: u32,
    ) -> Stream<'scope, u64, Vec<TreeProof>> {
        let scope = self.scope();
        let mut level = self
            .exchange(|j: &UserJob| j.key.index as u64)
            .prove(Arc::clone(&pool), "ProveUserChunks");
        let mut all = vec![level.clone()];
        for l in 1..=levels {
            let (jobs, failed) = plan_level(level, Arc::clone(pool.keys()), l).ok_err(|x| x);
            level = scope.concatenate(vec![
                jobs.prove(Arc::clone(&pool), &format!("ProveUserNode{l}")),
                failed.map(Err),
            ]);
            all.push(level.clone());
        }
        scope.concatenate(all)
    }
}

/// The node jobs of `level` from the proofs of the level below: once the frontier has passed a run,
/// every child exists; each parent's children (grouped by `index / arity`) become one job, or the
/// parent's failure when a child failed.
fn plan_level<'scope>(
    below: Stream<'scope, u64, Vec<TreeProof>>,
    keys: Arc<KeyStore>,
    level: u32,
) -> Stream<'scope, u64, Vec<Result<UserJob, UserFailure>>> {
    let arity = keys.user_shape().node_arity.max(1) as u32;
    let pact = Exchange::new(move |p: &TreeProof| (tree_key(p).0.index / arity) as u64);
    let name = format!("PlanUserNodes{level}");
    below.unary_frontier(pact, &name, move |_initial, _info| {
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
                if let Some(first) = children.first() {
                    // Every proof of the level below exists: its setup may leave memory.
                    keys.release(circuit_of(tree_key(first).0));
                }
                let mut groups: BTreeMap<u32, Vec<TreeProof>> = BTreeMap::new();
                for c in children {
                    groups
                        .entry(tree_key(&c).0.index / arity)
                        .or_default()
                        .push(c);
                }
                let mut session = output.session(&cap);
                for (parent, mut group) in groups {
                    group.sort_by_key(|c| tree_key(c).0.index);
                    let Some((first, template)) = group
                        .first()
                        .map(|c| (*tree_key(c).0, Box::new(tree_key(c).1.clone())))
                    else {
                        continue;
                    };
                    let key = UserProofKey {
                        level,
                        index: parent,
                        ..first
                    };
                    if let Some(reason) = group.iter().find_map(|c| c.as_ref().err()) {
                        session.give(Err(UserFailure {
                            key,
                            template,
                            reason: reason.reason.clone(),
                        }));
                        continue;
                    }
                    let children = group.iter().map(|c| *tree_key(c).0).collect();
                    session.give(Ok(UserJob {
                        key,
                        template,
                        kind: UserJobKind::Node(children),
                    }));
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pool::{JobEnd, PoolConfig, Schedule};
    use crate::testing::run_dataflow;
    use std::time::Duration;
    use zkstream_prover::{ProofProfile, TreeShape};
    use zkstream_types::CircuitType;

    /// Three chunks of run 4 on a pool whose every attempt fails on purpose (nothing is proved): each
    /// chunk is tried `max_attempts` times (an injected fault is transient), its failure comes back at
    /// the run's time, and each level-1 node fails with its first failed child's reason without ever
    /// being queued; nothing is stored.
    #[test]
    fn failed_chunks_are_retried_then_fail_their_parents() {
        let keys = Arc::new(
            KeyStore::open(None, ProofProfile::test(), TreeShape::default(), 1, 1)
                .expect("in-memory key store"),
        );
        // Any key will do as the run's template: the injected faults come before a job runs.
        let template = Box::new(
            keys.vk(CircuitId::Basic(CircuitType::POSEIDON2))
                .expect("a basic key"),
        );
        let store = ArtifactStore::open("memory://").expect("memory store");
        let config = PoolConfig {
            slots: 2,
            threads_per_slot: 1,
            max_attempts: 3,
            backoff: Duration::from_millis(1),
            schedule: Schedule::Latency,
        };
        let pool = Arc::new(
            ProverPool::<UserJob>::builder(Arc::clone(&keys), store.clone(), config)
                .faults(Arc::new(|_, _| true))
                .start(),
        );
        let key = |level, index| UserProofKey {
            protocol_version: 1,
            run: 4,
            family: 9,
            level,
            index,
        };
        let chunks = (0..3)
            .map(|index| UserJob {
                key: key(0, index),
                template: template.clone(),
                kind: UserJobKind::Chunk(Vec::new()),
            })
            .collect();
        let p = Arc::clone(&pool);
        let seen = run_dataflow(vec![(4, chunks)], move |jobs| jobs.prove_user_tree(p, 1));
        let mut failed: Vec<(u64, u32, u32, String)> = seen
            .into_iter()
            .map(|(t, r)| {
                let f = r.expect_err("every proof fails");
                (t, f.key.level, f.key.index, f.reason)
            })
            .collect();
        failed.sort();
        let keys_seen: Vec<(u64, u32, u32)> = failed.iter().map(|f| (f.0, f.1, f.2)).collect();
        assert_eq!(
            keys_seen,
            [(4, 0, 0), (4, 0, 1), (4, 0, 2), (4, 1, 0), (4, 1, 1)],
            "three chunks, two parents, all at the run's time"
        );
        for (_, _, _, reason) in &failed {
            assert!(
                reason.contains("chunk level 0") && reason.contains("after 3 attempts"),
                "{reason}"
            );
        }
        // A parent carries its first child's reason.
        assert!(failed[3].3.contains("#0 "), "{}", failed[3].3);
        assert!(failed[4].3.contains("#2 "), "{}", failed[4].3);
        let records = pool.records();
        assert_eq!(records.len(), 3, "the nodes were never queued");
        assert!(records
            .iter()
            .all(|r| r.attempts == 3 && matches!(r.end, JobEnd::Failed { .. })));
        assert_eq!(store.get::<UserArtifact>(&key(0, 0)).unwrap(), None);
    }
}
