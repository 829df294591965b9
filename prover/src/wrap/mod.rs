//! The SNARK wrap of a batch's proof: a boojum layer proved with BN254 hashing ([`layer`]) over the
//! scheduler proof, then a PLONK proof over BN254 ([`snark`]) that verifies it, ~1.6 KB and checked
//! with pairings.
//!
//! The wrap layer sits after the scheduler, in place of compression, not after it: compression grinds
//! 20 bits of Blake2s proof of work, which neither boojum's recursive verifier nor the wrapper checks,
//! and a layer over compression would verify a proof at LDE 32 only to be re-proved at LDE 32 again.
//! Verifying the scheduler proof (LDE 8) costs the wrap layer a few more rows, one layer fewer.

pub mod keys;
pub mod layer;
pub mod snark;

pub use keys::{CrsSource, WrapKeys};
pub use layer::{LayerProof, LayerSetup, LayerVk};
pub use snark::{MonomialCrs, SnarkProof, SnarkSetup, SnarkVk};
