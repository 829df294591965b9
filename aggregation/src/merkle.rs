//! The Merkle tree over commitments, as Aligned builds it: the leaves are the commitments themselves (not
//! re-hashed), a parent is `keccak256(min(a, b) ‖ max(a, b))` (byte-wise order, so a path needs no
//! left/right bits), and the leaf level is padded to a power of two by repeating the last leaf. A single
//! leaf is its own root. Paths verify with the rule of OpenZeppelin's `MerkleProof.verify`.

use serde::{Deserialize, Serialize};

use crate::commitment::keccak256;
use crate::{AggregationError, Hash32};

/// `keccak256(min(a, b) ‖ max(a, b))`.
pub fn hash_pair(a: &Hash32, b: &Hash32) -> Hash32 {
    let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
    let mut buf = [0u8; 64];
    buf[..32].copy_from_slice(lo);
    buf[32..].copy_from_slice(hi);
    keccak256(&buf)
}

/// OpenZeppelin's `processProof`: folds the path into the leaf with sorted pairs.
pub fn process_proof(leaf: &Hash32, path: &[Hash32]) -> Hash32 {
    path.iter()
        .fold(*leaf, |acc, sibling| hash_pair(&acc, sibling))
}

/// OpenZeppelin's `verify`: the path leads from `leaf` to `root`.
pub fn verify_inclusion(root: &Hash32, leaf: &Hash32, path: &[Hash32]) -> bool {
    process_proof(leaf, path) == *root
}

/// A whole tree, every level kept (level 0: the padded leaves; the last level: the root).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MerkleTree {
    leaves: usize,
    levels: Vec<Vec<Hash32>>,
}

impl MerkleTree {
    /// Builds the tree over `leaves` (in order).
    pub fn new(leaves: &[Hash32]) -> Result<Self, AggregationError> {
        let last = *leaves.last().ok_or(AggregationError::Empty)?;
        let mut level = leaves.to_vec();
        level.resize(leaves.len().next_power_of_two(), last);
        let mut levels = vec![level];
        while levels[levels.len() - 1].len() > 1 {
            let next = levels[levels.len() - 1]
                .chunks(2)
                .map(|p| hash_pair(&p[0], &p[1]))
                .collect();
            levels.push(next);
        }
        Ok(MerkleTree {
            leaves: leaves.len(),
            levels,
        })
    }

    /// The root.
    pub fn root(&self) -> Hash32 {
        self.levels[self.levels.len() - 1][0]
    }

    /// The number of leaves given (before padding).
    pub fn len(&self) -> usize {
        self.leaves
    }

    /// Never true: a tree has at least one leaf.
    pub fn is_empty(&self) -> bool {
        self.leaves == 0
    }

    /// Leaf `index` (as given).
    pub fn leaf(&self, index: usize) -> Option<Hash32> {
        (index < self.leaves).then(|| self.levels[0][index])
    }

    /// The inclusion proof of leaf `index`: its siblings from the bottom up.
    pub fn proof(&self, index: usize) -> Result<InclusionProof, AggregationError> {
        let leaf = self.leaf(index).ok_or(AggregationError::NoSuchLeaf {
            index,
            leaves: self.leaves,
        })?;
        let mut path = Vec::with_capacity(self.levels.len() - 1);
        let mut i = index;
        for level in &self.levels[..self.levels.len() - 1] {
            path.push(level[i ^ 1]);
            i /= 2;
        }
        Ok(InclusionProof {
            index,
            leaf,
            path,
            root: self.root(),
        })
    }
}

/// What a user needs to show their proof is in an aggregate: the leaf, its path, the root.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InclusionProof {
    /// The leaf's index in the run's tree.
    pub index: usize,
    /// The leaf (the proof's commitment).
    #[serde(with = "hex32")]
    pub leaf: Hash32,
    /// Sibling hashes, bottom up.
    #[serde(with = "hex32_vec")]
    pub path: Vec<Hash32>,
    /// The root the aggregated proof commits to.
    #[serde(with = "hex32")]
    pub root: Hash32,
}

impl InclusionProof {
    /// Whether the path leads from the leaf to the root.
    pub fn verify(&self) -> bool {
        verify_inclusion(&self.root, &self.leaf, &self.path)
    }
}

/// Serde of a 32-byte hash as hex text.
pub mod hex32 {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes hex.
    pub fn serialize<S: Serializer>(h: &[u8; 32], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&hex::encode(h))
    }

    /// Reads hex (with or without `0x`).
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<[u8; 32], D::Error> {
        let text = String::deserialize(d)?;
        parse(&text).map_err(serde::de::Error::custom)
    }

    /// Parses 64 hex digits (an optional `0x` first).
    pub fn parse(text: &str) -> Result<[u8; 32], crate::AggregationError> {
        let bad = |reason: String| crate::AggregationError::BadHash {
            text: text.to_string(),
            reason,
        };
        let t = text.trim();
        let t = t.strip_prefix("0x").unwrap_or(t);
        let bytes = hex::decode(t).map_err(|e| bad(e.to_string()))?;
        bytes
            .try_into()
            .map_err(|b: Vec<u8>| bad(format!("{} bytes, not 32", b.len())))
    }
}

/// Serde of a list of 32-byte hashes as hex texts.
pub mod hex32_vec {
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes hex texts.
    pub fn serialize<S: Serializer>(v: &[[u8; 32]], s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for h in v {
            seq.serialize_element(&hex::encode(h))?;
        }
        seq.end()
    }

    /// Reads hex texts.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<[u8; 32]>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|t| super::hex32::parse(t).map_err(serde::de::Error::custom))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commitment::{commitment, ProvingSystem};
    use proptest::prelude::*;

    fn leaves(n: usize) -> Vec<Hash32> {
        let program: Hash32 = std::array::from_fn(|i| i as u8);
        (0..n)
            .map(|i| commitment(ProvingSystem::Sp1.id(), &program, &[i as u8]))
            .collect()
    }

    #[test]
    fn roots_match_aligned_vectors() {
        let root = |n| hex::encode(MerkleTree::new(&leaves(n)).unwrap().root());
        assert_eq!(root(1), hex::encode(leaves(1)[0]));
        assert_eq!(
            root(2),
            "19fc6214f245dd9e92076cad6818675b46c4b08f99b2a0cf58716677bae86967"
        );
        assert_eq!(
            root(3),
            "e74f4d024ad6a5b8f1295dcd9d974aedaedff1af629a3491d63c305672d39f4b"
        );
        assert_eq!(
            root(5),
            "3baa8a37ba793b3038c4096bd49c335eb1ad135bffdaa1520da7f11d3b807ceb"
        );
        assert_eq!(MerkleTree::new(&[]), Err(AggregationError::Empty));
    }

    #[test]
    fn paths_of_the_vector_trees_verify_and_tampering_fails() {
        for n in [1, 2, 3, 5] {
            let tree = MerkleTree::new(&leaves(n)).unwrap();
            for i in 0..n {
                let p = tree.proof(i).unwrap();
                assert!(p.verify(), "n={n} i={i}");
                assert_eq!(
                    p.path.len(),
                    n.next_power_of_two().trailing_zeros() as usize
                );
                let mut bad = p.clone();
                bad.leaf[0] ^= 1;
                assert!(!bad.verify());
                if let Some(s) = bad.path.first_mut() {
                    bad.leaf = p.leaf;
                    s[31] ^= 1;
                    assert!(!bad.verify());
                }
            }
            assert!(tree.proof(n).is_err());
        }
        // The path of leaf 2 of 3 starts with its padding twin (itself).
        let tree = MerkleTree::new(&leaves(3)).unwrap();
        assert_eq!(tree.proof(2).unwrap().path[0], leaves(3)[2]);
    }

    #[test]
    fn proofs_round_trip_through_json_as_hex() {
        let p = MerkleTree::new(&leaves(3)).unwrap().proof(1).unwrap();
        let text = serde_json::to_string(&p).unwrap();
        assert!(
            text.contains(&format!("\"root\":\"{}\"", hex::encode(p.root))),
            "{text}"
        );
        let back: InclusionProof = serde_json::from_str(&text).unwrap();
        assert_eq!(back, p);
        assert!(
            serde_json::from_str::<InclusionProof>(&text.replace(&hex::encode(p.root), "00"))
                .is_err()
        );
    }

    proptest! {
        #[test]
        fn every_leaf_of_any_tree_has_a_verifying_path(n in 1usize..70, seed in any::<u8>()) {
            let ls: Vec<Hash32> = (0..n).map(|i| keccak256(&[seed, i as u8, (i >> 8) as u8])).collect();
            let tree = MerkleTree::new(&ls).unwrap();
            for (i, l) in ls.iter().enumerate() {
                let p = tree.proof(i).unwrap();
                prop_assert_eq!(&p.leaf, l);
                prop_assert!(verify_inclusion(&tree.root(), l, &p.path));
            }
        }
    }
}
