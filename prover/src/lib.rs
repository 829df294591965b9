//! Pure cryptography for zkstream: the basic circuits, the recursion layers (leaf, node, recursion tip,
//! scheduler, compression), the setup/VK cache, a sequential reference prover and an independent
//! verifier. No timely, no Kafka, no clock: input in, proof out.
#![feature(allocator_api)]
#![allow(incomplete_features)]
#![feature(generic_const_exprs)]
#![deny(missing_docs)]

pub mod backend;
pub mod circuits;
pub mod device;
pub mod error;
pub mod field;
pub mod keys;
pub mod layers;
pub mod profile;
pub mod queue;
pub mod reference;
pub mod sample;
pub mod user;
pub mod verify;
pub mod wrap;

pub use backend::{BackendError, BackendInfo, CpuBackend, ProvingBackend, ProvingJob, SlotKind};
pub use device::{discover_gpus, Discovery, GpuDevice};
pub use error::ProverError;
pub use field::{decode_proof, encode_proof};
pub use keys::{CircuitId, KeyStore, UserFamily, UserShape};
pub use layers::{ChildProof, Prover};
pub use profile::{LayerConfig, ProfileKind, ProofProfile, TreeShape};
pub use queue::{range_public_input, tip_public_input, witness_batch, BasicJob, BatchWitness};
pub use reference::{final_record, prove_batch, prove_to_scheduler};
pub use verify::{batch_commitment, verify_final_proof, verify_final_record, VerifyError};

/// Sets `BOOJUM_CR_THREADS` (boojum's witness-resolver threads) from the available cores unless the
/// user set it. boojum's default (3 resolver threads plus a broker) stalls on 2 cores (the resolver spins).
/// Call before any constraint system is built, while the process is still single-threaded.
pub fn init_resolver_threads() -> usize {
    if let Some(n) = std::env::var("BOOJUM_CR_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        return n;
    }
    let cores = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let n = (cores / 4).clamp(1, 8);
    std::env::set_var("BOOJUM_CR_THREADS", n.to_string());
    n
}
