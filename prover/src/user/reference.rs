//! The sequential reference aggregation (the oracle of the dataflow's user-proof mode, and what
//! `aggregate-files` runs), with the run's plan and the grouping of submissions.

use super::*;

/// The result of aggregating users' proofs sequentially.
#[derive(Clone, Debug)]
pub struct ReferenceAggregate {
    /// The family of every proof (a run aggregates one).
    pub family: UserFamily,
    /// The leaves, in order.
    pub leaves: Vec<[u8; 32]>,
    /// The root over them.
    pub root: [u8; 32],
    /// One proof per chunk.
    pub chunk_proofs: Vec<BProof>,
    /// Node proofs per level (level 1 first); the last level holds the aggregate alone.
    pub node_proofs: Vec<Vec<BProof>>,
    /// The aggregate proof (the top node's).
    pub proof: BProof,
}

/// How a run of `proofs` user proofs splits: chunks, then nodes per level (the last: 1).
pub fn tree_plan(shape: &crate::keys::UserShape, proofs: usize) -> Result<Vec<usize>, ProverError> {
    if proofs == 0 || proofs > shape.proofs_per_aggregate() {
        return Err(ProverError::Config(format!(
            "{proofs} proofs in one run; an aggregate holds 1 to {}",
            shape.proofs_per_aggregate()
        )));
    }
    let mut counts = vec![proofs.div_ceil(shape.proofs_per_chunk)];
    for _ in 0..shape.levels {
        let below = counts[counts.len() - 1];
        counts.push(below.div_ceil(shape.node_arity));
    }
    Ok(counts)
}

impl ReferenceAggregate {
    /// Assembles a run's result from its proofs in leaf order and its proved levels (chunks, then
    /// nodes per level); the top level must hold exactly the aggregate.
    pub fn from_levels(
        family: UserFamily,
        ordered: &[(BVk, BProof)],
        chunk_proofs: Vec<BProof>,
        node_proofs: Vec<Vec<BProof>>,
    ) -> Result<Self, ProverError> {
        let proof = match node_proofs.last().map(Vec::as_slice) {
            Some([top]) => top.clone(),
            _ => {
                return Err(ProverError::Config(
                    "the top level of a run's tree holds one proof".into(),
                ))
            }
        };
        let leaves: Vec<[u8; 32]> = ordered
            .iter()
            .map(|(vk, p)| user_commitment(vk, p))
            .collect();
        let root = merkle_root(&leaves)?;
        Ok(ReferenceAggregate {
            family,
            leaves,
            root,
            chunk_proofs,
            node_proofs,
            proof,
        })
    }
}

/// The family of a run's proofs (all must share it; see [`UserFamily`]).
pub fn run_family(prover: &Prover, proofs: &[(BVk, BProof)]) -> Result<UserFamily, ProverError> {
    let vks: Vec<&BVk> = proofs.iter().map(|(vk, _)| vk).collect();
    prover.family_of_all("user run", &vks)
}

/// The sequential reference: groups the proofs (one family) by program (stable within a program),
/// chunks them, proves every chunk, then every node level up to the aggregate, in this thread.
pub fn aggregate_user_proofs(
    prover: &Prover,
    proofs: &[(BVk, BProof)],
) -> Result<ReferenceAggregate, ProverError> {
    let shape = *prover.keys().user_shape();
    tree_plan(&shape, proofs.len())?;
    let family = run_family(prover, proofs)?;
    let ordered = order_by_program(proofs);
    let mut chunk_proofs = Vec::new();
    for chunk in ordered.chunks(shape.proofs_per_chunk) {
        chunk_proofs.push(prover.prove_user_chunk(chunk)?);
    }
    let mut node_proofs: Vec<Vec<BProof>> = Vec::new();
    for level in 1..=shape.levels {
        // The level below is complete: its setup may leave memory.
        prover.release_user_level(family, level - 1);
        let below = node_proofs.last().unwrap_or(&chunk_proofs);
        let mut this = Vec::new();
        for group in below.chunks(shape.node_arity) {
            this.push(prover.prove_user_node(family, level, group)?);
        }
        node_proofs.push(this);
    }
    ReferenceAggregate::from_levels(family, &ordered, chunk_proofs, node_proofs)
}

/// Splits checked proofs by family (families in id order, submission order kept within each): a run
/// aggregates one family.
pub fn group_by_family<T: Clone>(
    items: &[T],
    family: impl Fn(&T) -> UserFamily,
) -> Vec<(UserFamily, Vec<T>)> {
    let mut groups: std::collections::BTreeMap<UserFamily, Vec<T>> = Default::default();
    for item in items {
        groups.entry(family(item)).or_default().push(item.clone());
    }
    groups.into_iter().collect()
}

/// Groups proofs by program id (programs in ascending id order, submission order within a program).
pub fn order_by_program(proofs: &[(BVk, BProof)]) -> Vec<(BVk, BProof)> {
    let mut keyed: Vec<(usize, [u8; 32])> = proofs
        .iter()
        .enumerate()
        .map(|(i, (vk, _))| (i, program_id(vk)))
        .collect();
    keyed.sort_by_key(|(i, p)| (*p, *i));
    keyed.into_iter().map(|(i, _)| proofs[i].clone()).collect()
}
