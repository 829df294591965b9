//! The SNARK wrap of a batch's proof: a boojum layer proved with BN254 hashing ([`layer`]) over the
//! scheduler proof, then a PLONK proof over BN254 ([`snark`]) that verifies it, ~1.6 KB and checked
//! with pairings. Aggregation mode's run proofs (a family's top node) are wrapped the same way, by a
//! layer of their own ([`aggregate`]).
//!
//! The wrap layer sits after the scheduler, in place of compression, not after it: compression grinds
//! 20 bits of Blake2s proof of work, which neither boojum's recursive verifier nor the wrapper checks,
//! and a layer over compression would verify a proof at LDE 32 only to be re-proved at LDE 32 again.
//! Verifying the scheduler proof (LDE 8) costs the wrap layer a few more rows, one layer fewer.

pub mod aggregate;
pub mod keys;
pub mod layer;
pub mod snark;

pub use aggregate::AggregateWrapper;
pub use keys::{memory_per_wrap, CrsSource, WrapKeys, WrapperVk};
pub use layer::{LayerProof, LayerSetup, LayerVk, WrapTarget};
pub use snark::{MonomialCrs, SnarkProof, SnarkSetup, SnarkVk};

use crate::backend::{BackendError, BackendInfo, ProvingBackend, ProvingJob, SlotKind};
use crate::field::BProof;

/// A wrap slot's backend: it proves no boojum circuit; the wrap job itself runs the wrap layer and
/// the wrapper on the slot's threads ([`WrapKeys::wrap`]). The pool gives wrap jobs only to slots of
/// this kind, and no other job to them.
#[derive(Clone, Copy, Debug, Default)]
pub struct WrapBackend {
    threads: usize,
}

impl WrapBackend {
    /// A wrap slot's backend; `threads` is only reported.
    pub fn new(threads: usize) -> Self {
        WrapBackend { threads }
    }
}

impl ProvingBackend for WrapBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: SlotKind::Wrap,
            device: None,
            name: format!("SNARK wrap, {} thread(s)", self.threads.max(1)),
            free_memory: None,
        }
    }

    fn supports(&self, id: crate::CircuitId) -> Result<(), BackendError> {
        Err(BackendError::Unsupported(format!(
            "a wrap slot only wraps, it does not prove {id}"
        )))
    }

    fn prove(&self, job: ProvingJob<'_>) -> Result<BProof, BackendError> {
        Err(BackendError::Unsupported(format!(
            "a wrap slot only wraps, it does not prove {}",
            job.id
        )))
    }
}
