//! What a chunk or node proof says about its leaves ([`Summary`]): its public input, built from the
//! leaves or read back from a proof.

use super::*;

/// What a chunk or a node proves about its leaves (its public input, see [`crate::circuits::user`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Leaves.
    pub n: u64,
    /// Aligned's root over them (padded with the last leaf to the next power of two).
    pub root: [u8; 32],
    /// The root over them padded with the last leaf to the circuit's capacity.
    pub full_root: [u8; 32],
    /// The last leaf.
    pub last: [u8; 32],
}

pub(super) fn public_inputs_u64(proof: &BProof) -> Vec<u64> {
    proof
        .public_inputs
        .iter()
        .map(|x| crate::field::as_u64(*x))
        .collect()
}

pub(super) fn merkle_root(leaves: &[[u8; 32]]) -> Result<[u8; 32], ProverError> {
    Ok(MerkleTree::new(leaves)
        .map_err(|e| ProverError::Config(e.to_string()))?
        .root())
}

impl Summary {
    /// The summary of `leaves` (1 to `capacity`, a power of two) in a subtree of `capacity`.
    pub fn of_leaves(leaves: &[[u8; 32]], capacity: usize) -> Result<Self, ProverError> {
        let last = *leaves
            .last()
            .ok_or_else(|| ProverError::Config("a subtree needs at least one leaf".into()))?;
        if leaves.len() > capacity || !capacity.is_power_of_two() {
            return Err(ProverError::Config(format!(
                "{} leaves in a subtree of {capacity}",
                leaves.len()
            )));
        }
        let mut padded = leaves.to_vec();
        padded.resize(capacity, last);
        Ok(Summary {
            n: leaves.len() as u64,
            root: merkle_root(leaves)?,
            full_root: merkle_root(&padded)?,
            last,
        })
    }

    /// A node's summary from its children's (each of `child_capacity` leaves, all but the last full,
    /// at most `arity`) — the native mirror of [`crate::circuits::UserNodeCircuit`].
    pub fn combine(
        children: &[Summary],
        child_capacity: usize,
        arity: usize,
    ) -> Result<Self, ProverError> {
        let (first, last) = match (children.first(), children.last()) {
            (Some(f), Some(l)) if children.len() <= arity => (f, l),
            _ => {
                return Err(ProverError::Config(format!(
                    "{} children for a node of {arity}",
                    children.len()
                )))
            }
        };
        if children[..children.len() - 1]
            .iter()
            .any(|c| c.n != child_capacity as u64)
        {
            return Err(ProverError::Config(
                "only a node's last child may be partial".into(),
            ));
        }
        let mut z = last.last;
        for _ in 0..child_capacity.trailing_zeros() {
            let mut pair = z.to_vec();
            pair.extend_from_slice(&z);
            z = keccak256(&pair);
        }
        let mut slots: Vec<[u8; 32]> = children.iter().map(|c| c.full_root).collect();
        slots.resize(arity, z);
        let root = if children.len() == 1 {
            first.root
        } else {
            merkle_root(&slots[..children.len().next_power_of_two()])?
        };
        Ok(Summary {
            n: children.iter().map(|c| c.n).sum(),
            root,
            full_root: merkle_root(&slots)?,
            last: last.last,
        })
    }

    /// As public input: `[n, root words, full root words, last leaf words]`.
    pub fn public_inputs(&self) -> Vec<u64> {
        let mut v = vec![self.n];
        v.extend(root_words(&self.root));
        v.extend(root_words(&self.full_root));
        v.extend(root_words(&self.last));
        v
    }

    /// Reads a proof's public input (`None` if it is not a summary).
    pub fn from_public_inputs(pi: &[u64]) -> Option<Self> {
        if pi.len() != SUMMARY_PUBLIC_INPUTS || pi[1..].iter().any(|w| *w > u32::MAX as u64) {
            return None;
        }
        let hash = |from: usize| {
            let mut h = [0u8; 32];
            for w in 0..8 {
                h[4 * w..4 * w + 4].copy_from_slice(&(pi[from + w] as u32).to_be_bytes());
            }
            h
        };
        Some(Summary {
            n: pi[0],
            root: hash(1),
            full_root: hash(9),
            last: hash(17),
        })
    }

    /// The summary a proof exposes.
    pub fn of_proof(proof: &BProof) -> Option<Self> {
        Self::from_public_inputs(&public_inputs_u64(proof))
    }
}
