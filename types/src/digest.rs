//! A four-element Goldilocks digest: the shape of every queue state, public input and commitment.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The Goldilocks prime `2^64 - 2^32 + 1`; every digest element is below it.
pub const GOLDILOCKS_MODULUS: u64 = 0xFFFF_FFFF_0000_0001;

/// Four canonical Goldilocks field elements (a Poseidon2 sponge output), as plain `u64`s so that this
/// crate does not depend on the proof system.
#[derive(Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Digest(pub [u64; 4]);

impl Digest {
    /// The all-zero digest (used as the genesis "previous batch commitment").
    pub const ZERO: Digest = Digest([0; 4]);

    /// True when every element is a canonical field element (below the modulus).
    pub fn is_canonical(&self) -> bool {
        self.0.iter().all(|&x| x < GOLDILOCKS_MODULUS)
    }

    /// 32 bytes, each element big-endian: the `aggregation_result_coords`-like byte form.
    pub fn to_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (chunk, x) in out.chunks_exact_mut(8).zip(self.0.iter()) {
            chunk.copy_from_slice(&x.to_be_bytes());
        }
        out
    }

    /// Inverse of [`Digest::to_bytes`].
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let mut out = [0u64; 4];
        for (x, chunk) in out.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *x = u64::from_be_bytes(b);
        }
        Digest(out)
    }

    /// Lower-case hex of [`Digest::to_bytes`].
    pub fn to_hex(&self) -> String {
        hex::encode(self.to_bytes())
    }

    /// Parses 64 hex characters (an optional `0x` prefix is accepted).
    pub fn from_hex(s: &str) -> Option<Self> {
        let s = s.strip_prefix("0x").unwrap_or(s);
        let bytes = hex::decode(s).ok()?;
        let arr: [u8; 32] = bytes.try_into().ok()?;
        Some(Digest::from_bytes(arr))
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", self.to_hex())
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{}", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trip() {
        let d = Digest([1, 2, GOLDILOCKS_MODULUS - 1, u64::MAX]);
        assert_eq!(Digest::from_hex(&d.to_hex()), Some(d));
        assert_eq!(Digest::from_hex(&format!("0x{}", d.to_hex())), Some(d));
        assert!(!d.is_canonical());
        assert!(Digest([0, 1, 2, 3]).is_canonical());
        assert_eq!(Digest::from_hex("abcd"), None);
    }
}
