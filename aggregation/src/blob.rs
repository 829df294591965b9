//! EIP-4844 blobs carrying a run's commitments, packed as Aligned packs them: the commitments of one blob
//! are concatenated and cut into 31-byte pieces; each blob field element is `0x00 ‖ 31 bytes` (so every
//! element is below the BLS12-381 scalar modulus). 4,096 elements × 31 bytes = 126,976 bytes = exactly
//! 3,968 commitments per blob. Aligned builds one blob per run; zkstream fills up to [`MAX_BLOBS`] (the
//! per-block blob limit of the Pectra upgrade), 23,808 commitments.
//!
//! Each blob gets its KZG commitment, its blob proof and its versioned hash
//! (`0x01 ‖ sha256(commitment)[1..]`), computed with `c-kzg` and the Ethereum mainnet trusted setup
//! that c-kzg embeds (nothing is downloaded).

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{AggregationError, Hash32};

/// Bytes of one blob.
pub const BYTES_PER_BLOB: usize = c_kzg::BYTES_PER_BLOB;
/// Field elements per blob.
pub const FIELD_ELEMENTS_PER_BLOB: usize = BYTES_PER_BLOB / 32;
/// Data bytes per field element (the first byte stays zero).
pub const DATA_BYTES_PER_ELEMENT: usize = 31;
/// Commitments per blob: 4,096 × 31 / 32.
pub const COMMITMENTS_PER_BLOB: usize = FIELD_ELEMENTS_PER_BLOB * DATA_BYTES_PER_ELEMENT / 32;
/// Blobs per run at most.
pub const MAX_BLOBS: usize = 6;
/// The EIP-4844 versioned-hash version byte for KZG.
pub const VERSIONED_HASH_VERSION_KZG: u8 = 0x01;

/// One blob's bytes (always [`BYTES_PER_BLOB`] long).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobData(pub Vec<u8>);

impl std::fmt::Debug for BlobData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BlobData({} bytes)", self.0.len())
    }
}

/// A blob's KZG commitment, proof and versioned hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlobKzg {
    /// The 48-byte KZG commitment.
    pub commitment: Vec<u8>,
    /// The 48-byte blob proof (`compute_blob_kzg_proof`).
    pub proof: Vec<u8>,
    /// `0x01 ‖ sha256(commitment)[1..]`.
    pub versioned_hash: Hash32,
}

/// The versioned hash of a KZG commitment.
pub fn versioned_hash(kzg_commitment: &[u8]) -> Hash32 {
    let mut h: Hash32 = Sha256::digest(kzg_commitment).into();
    h[0] = VERSIONED_HASH_VERSION_KZG;
    h
}

/// Packs commitments into as few blobs as hold them (at least one, at most [`MAX_BLOBS`]).
pub fn pack_blobs(commitments: &[Hash32]) -> Result<Vec<BlobData>, AggregationError> {
    let capacity = COMMITMENTS_PER_BLOB * MAX_BLOBS;
    if commitments.len() > capacity {
        return Err(AggregationError::TooManyCommitments {
            count: commitments.len(),
            max_blobs: MAX_BLOBS,
            capacity,
        });
    }
    let chunks: Vec<&[Hash32]> = if commitments.is_empty() {
        vec![&[]]
    } else {
        commitments.chunks(COMMITMENTS_PER_BLOB).collect()
    };
    Ok(chunks.into_iter().map(pack_one).collect())
}

fn pack_one(commitments: &[Hash32]) -> BlobData {
    let data: Vec<u8> = commitments.iter().flatten().copied().collect();
    let mut blob = vec![0u8; BYTES_PER_BLOB];
    for (i, piece) in data.chunks(DATA_BYTES_PER_ELEMENT).enumerate() {
        blob[i * 32 + 1..i * 32 + 1 + piece.len()].copy_from_slice(piece);
    }
    BlobData(blob)
}

/// Recovers `count` commitments from blobs made by [`pack_blobs`]; checks every element's leading zero
/// byte and that nothing but zeros follows the last commitment.
pub fn unpack_blobs(blobs: &[BlobData], count: usize) -> Result<Vec<Hash32>, AggregationError> {
    let needed = count.div_ceil(COMMITMENTS_PER_BLOB).max(1);
    if blobs.len() != needed {
        return Err(AggregationError::BadBlob {
            index: blobs.len().min(needed),
            reason: format!(
                "{count} commitments need {needed} blob(s), got {}",
                blobs.len()
            ),
        });
    }
    let mut out = Vec::with_capacity(count);
    for (index, blob) in blobs.iter().enumerate() {
        let bad = |reason: String| AggregationError::BadBlob { index, reason };
        if blob.0.len() != BYTES_PER_BLOB {
            return Err(bad(format!("{} bytes, not {BYTES_PER_BLOB}", blob.0.len())));
        }
        let mut data = Vec::with_capacity(FIELD_ELEMENTS_PER_BLOB * DATA_BYTES_PER_ELEMENT);
        for (e, element) in blob.0.chunks(32).enumerate() {
            if element[0] != 0 {
                return Err(bad(format!(
                    "field element {e} has a non-zero leading byte"
                )));
            }
            data.extend_from_slice(&element[1..]);
        }
        let here = (count - out.len()).min(COMMITMENTS_PER_BLOB);
        let (used, rest) = data.split_at(here * 32);
        if rest.iter().any(|b| *b != 0) {
            return Err(bad(format!("data after commitment {here}")));
        }
        for c in used.chunks(32) {
            let mut h = [0u8; 32];
            h.copy_from_slice(c);
            out.push(h);
        }
    }
    Ok(out)
}

fn settings() -> &'static c_kzg::KzgSettings {
    c_kzg::ethereum_kzg_settings(0)
}

fn kzg_blob(blob: &BlobData) -> Result<c_kzg::Blob, AggregationError> {
    c_kzg::Blob::from_bytes(&blob.0).map_err(|e| AggregationError::Kzg(format!("{e:?}")))
}

/// The blob's KZG commitment, blob proof and versioned hash.
pub fn commit_blob(blob: &BlobData) -> Result<BlobKzg, AggregationError> {
    let kzg = |e: c_kzg::Error| AggregationError::Kzg(format!("{e:?}"));
    let b = kzg_blob(blob)?;
    let commitment = settings().blob_to_kzg_commitment(&b).map_err(kzg)?;
    let commitment_bytes = commitment.to_bytes();
    let proof = settings()
        .compute_blob_kzg_proof(&b, &commitment_bytes)
        .map_err(kzg)?;
    Ok(BlobKzg {
        commitment: commitment_bytes.to_vec(),
        proof: proof.to_bytes().to_vec(),
        versioned_hash: versioned_hash(&commitment_bytes[..]),
    })
}

/// Checks a blob against its KZG commitment and proof, and the versioned hash against the commitment.
pub fn verify_blob(blob: &BlobData, kzg: &BlobKzg) -> Result<bool, AggregationError> {
    let err = |e: c_kzg::Error| AggregationError::Kzg(format!("{e:?}"));
    let b = kzg_blob(blob)?;
    let c = c_kzg::Bytes48::from_bytes(&kzg.commitment).map_err(err)?;
    let p = c_kzg::Bytes48::from_bytes(&kzg.proof).map_err(err)?;
    Ok(versioned_hash(&kzg.commitment) == kzg.versioned_hash
        && settings().verify_blob_kzg_proof(&b, &c, &p).map_err(err)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commitment::keccak256;

    fn commitments(n: usize) -> Vec<Hash32> {
        (0..n as u32).map(|i| keccak256(&i.to_be_bytes())).collect()
    }

    #[test]
    fn capacity_is_aligned_per_blob_and_six_blobs_per_run() {
        assert_eq!(COMMITMENTS_PER_BLOB, 3_968);
        assert_eq!(COMMITMENTS_PER_BLOB * 32, 4_096 * 31);
        assert_eq!(COMMITMENTS_PER_BLOB * MAX_BLOBS, 23_808);
    }

    #[test]
    fn packing_puts_31_bytes_behind_a_zero_per_element() {
        let cs = commitments(2);
        let blobs = pack_blobs(&cs).unwrap();
        assert_eq!(blobs.len(), 1);
        let b = &blobs[0].0;
        // Element 0: 0x00 ‖ c0[0..31]; element 1: 0x00 ‖ c0[31] ‖ c1[0..30]; element 2: 0x00 ‖ c1[30..32] ‖ 0…
        assert_eq!(b[0], 0);
        assert_eq!(&b[1..32], &cs[0][..31]);
        assert_eq!(b[32], 0);
        assert_eq!(b[33], cs[0][31]);
        assert_eq!(&b[34..64], &cs[1][..30]);
        assert_eq!(&b[65..67], &cs[1][30..]);
        assert!(b[67..].iter().all(|x| *x == 0));
    }

    #[test]
    fn pack_and_unpack_round_trip_across_blob_boundaries() {
        for n in [0, 1, 2, 3_967, 3_968, 3_969, 2 * 3_968 + 5] {
            let cs = commitments(n);
            let blobs = pack_blobs(&cs).unwrap();
            assert_eq!(
                blobs.len(),
                n.div_ceil(COMMITMENTS_PER_BLOB).max(1),
                "n={n}"
            );
            assert_eq!(unpack_blobs(&blobs, n).unwrap(), cs, "n={n}");
        }
        // A full blob uses every element to the last byte.
        let full = pack_blobs(&commitments(3_968)).unwrap();
        assert_eq!(
            &full[0].0[BYTES_PER_BLOB - 31..],
            &commitments(3_968)[3_967][1..]
        );
    }

    #[test]
    fn the_decoder_refuses_malformed_blobs() {
        let cs = commitments(3);
        let blobs = pack_blobs(&cs).unwrap();
        let mut bad = blobs.clone();
        bad[0].0[32 * 7] = 1;
        assert!(matches!(
            unpack_blobs(&bad, 3),
            Err(AggregationError::BadBlob { .. })
        ));
        // Claiming fewer commitments leaves data behind.
        assert!(unpack_blobs(&blobs, 2).is_err());
        assert!(unpack_blobs(&blobs, 3_969).is_err());
        assert!(unpack_blobs(&[BlobData(vec![0; 10])], 0).is_err());
        assert!(matches!(
            pack_blobs(&vec![[0u8; 32]; 23_809]),
            Err(AggregationError::TooManyCommitments {
                capacity: 23_808,
                ..
            })
        ));
    }

    #[test]
    fn kzg_round_trip_commit_prove_verify() {
        let blobs = pack_blobs(&commitments(100)).unwrap();
        let kzg = commit_blob(&blobs[0]).unwrap();
        assert_eq!(kzg.commitment.len(), 48);
        assert_eq!(kzg.proof.len(), 48);
        assert_eq!(kzg.versioned_hash[0], 0x01);
        assert_eq!(
            &kzg.versioned_hash[1..],
            &Sha256::digest(&kzg.commitment)[1..]
        );
        assert!(verify_blob(&blobs[0], &kzg).unwrap());
        // Another blob does not open this commitment.
        let other = pack_blobs(&commitments(101)).unwrap();
        assert!(!verify_blob(&other[0], &kzg).unwrap());
        let mut wrong_hash = kzg.clone();
        wrong_hash.versioned_hash[5] ^= 1;
        assert!(!verify_blob(&blobs[0], &wrong_hash).unwrap());
        // The empty blob commits to the point at infinity (0xc0 ‖ 0…), a known value.
        let empty = commit_blob(&pack_blobs(&[]).unwrap()[0]).unwrap();
        assert_eq!(empty.commitment[0], 0xc0);
        assert!(empty.commitment[1..].iter().all(|b| *b == 0));
    }
}
