//! Aligned-style aggregation of users' proofs, the parts that are pure functions of bytes:
//!
//! - [`commitment`]: a user proof's commitment `keccak256(u16_be(proving_system_id) ‖ program_id ‖
//!   public_inputs)`, byte-exact with Aligned's aggregation mode;
//! - [`merkle`]: the tree over commitments (leaves not re-hashed, parent `keccak(min ‖ max)`, padded to a
//!   power of two with the last leaf), inclusion paths, and OpenZeppelin `MerkleProof`'s sorted-pair check;
//! - [`blob`]: EIP-4844 blob packing (31 data bytes per field element, 3,968 commitments per blob, up to
//!   [`blob::MAX_BLOBS`] blobs), the decoder, and KZG commitment / proof / versioned hash with `c-kzg` and
//!   the embedded Ethereum mainnet trusted setup.
//!
//! No timely, no Kafka, no I/O: the dataflow and the recursive chunk circuits build on this.
#![deny(missing_docs)]

pub mod blob;
pub mod commitment;
pub mod merkle;

pub use blob::{
    commit_blob, pack_blobs, unpack_blobs, verify_blob, BlobData, BlobKzg, COMMITMENTS_PER_BLOB,
    MAX_BLOBS,
};
pub use commitment::{commitment, keccak256, ProvingSystem};
pub use merkle::{hash_pair, process_proof, verify_inclusion, InclusionProof, MerkleTree};

/// A 32-byte hash (a commitment, a Merkle node or root).
pub type Hash32 = [u8; 32];

/// Errors of the aggregation primitives.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AggregationError {
    /// A tree needs at least one leaf.
    #[error("a Merkle tree needs at least one leaf")]
    Empty,
    /// An inclusion path was asked for a leaf that is not in the tree.
    #[error("leaf {index} is not in a tree of {leaves} leaves")]
    NoSuchLeaf {
        /// The index asked for.
        index: usize,
        /// The number of (unpadded) leaves.
        leaves: usize,
    },
    /// More commitments than the blobs of one run hold.
    #[error("{count} commitments do not fit in {max_blobs} blobs ({capacity} at most)")]
    TooManyCommitments {
        /// Commitments given.
        count: usize,
        /// Blobs allowed.
        max_blobs: usize,
        /// Commitments that fit.
        capacity: usize,
    },
    /// A blob is malformed (wrong length, a field element with a non-zero leading byte, data past the end).
    #[error("blob {index}: {reason}")]
    BadBlob {
        /// Which blob.
        index: usize,
        /// What is wrong.
        reason: String,
    },
    /// c-kzg refused an operation.
    #[error("kzg: {0}")]
    Kzg(String),
    /// A text is not a 32-byte hash in hex.
    #[error("{text:?} is not a 32-byte hash in hex: {reason}")]
    BadHash {
        /// The text given.
        text: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl AggregationError {
    /// Whether trying again can help: never — every error here is about the input, and the same input
    /// fails the same way.
    pub fn is_retryable(&self) -> bool {
        false
    }
}
