//! Proving backends: where a proof is computed once its circuit is synthesized.
//!
//! The [`Prover`](crate::Prover) synthesizes a circuit into a boojum assembly, hands it to its backend
//! with the circuit's precomputed setup, and verifies the returned proof natively (the CPU verifier)
//! before anyone sees it. [`CpuBackend`] is boojum's own prover. A GPU backend (boojum's GPU prover,
//! shivini) lives in the separate `gpu/` crate, because shivini pins another boojum patch release than
//! this workspace; its binary hands a [`GpuBackendFactory`] to the command line, so this crate stays free
//! of CUDA.
//!
//! A backend says which circuits it can prove ([`ProvingBackend::supports`]) and distinguishes a
//! failed job from a failed device ([`BackendError`]): the prover pool retries the first and takes the
//! slot out on the second.

use std::alloc::Global;
use std::fmt;
use std::sync::Arc;

use boojum::config::ProvingCSConfig;
use boojum::cs::implementations::pow::NoPow;
use boojum::cs::implementations::prover::ProofConfig;
use boojum::cs::implementations::reference_cs::CSReferenceAssembly;
use boojum::worker::Worker;
use thiserror::Error;

use crate::circuits::config::Layout;
use crate::device::GpuDevice;
use crate::field::{BProof, Ext, F, H, P, TR};
use crate::keys::{CircuitId, SetupData};

/// Proof-of-work grinding for layers with `pow_bits > 0` (only compression: it is verified natively,
/// never inside another circuit, so its PoW needs no in-circuit verifier).
pub type PowRunner = boojum::blake2::Blake2s256;

/// A synthesized circuit with its witness, ready to prove.
pub type Assembly = CSReferenceAssembly<F, P, ProvingCSConfig, Global>;

/// What a prover slot runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SlotKind {
    /// CPU threads (boojum's prover).
    Cpu,
    /// An NVIDIA GPU.
    Gpu,
    /// A SNARK wrap slot: it takes only wrap jobs, which need far more memory than the others
    /// ([`crate::wrap::memory_per_wrap`]), so a fleet can send them to big-memory machines.
    Wrap,
}

impl SlotKind {
    /// The metrics label: `cpu` or `gpu`.
    pub fn label(self) -> &'static str {
        match self {
            SlotKind::Cpu => "cpu",
            SlotKind::Gpu => "gpu",
            SlotKind::Wrap => "wrap",
        }
    }
}

impl fmt::Display for SlotKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// What a backend reports about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BackendInfo {
    /// CPU or GPU.
    pub kind: SlotKind,
    /// The CUDA device ordinal (GPU only).
    pub device: Option<u32>,
    /// A human-readable name ("cpu, 4 threads", "NVIDIA H100 80GB HBM3").
    pub name: String,
    /// Free device memory in bytes, where the backend can tell.
    pub free_memory: Option<u64>,
}

impl fmt::Display for BackendInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.device {
            Some(d) => write!(f, "{} {d} ({})", self.kind, self.name)?,
            None => write!(f, "{} ({})", self.kind, self.name)?,
        }
        if let Some(m) = self.free_memory {
            write!(f, ", {:.1} GiB free", m as f64 / (1u64 << 30) as f64)?;
        }
        Ok(())
    }
}

/// Why a backend did not return a proof.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum BackendError {
    /// This job failed (an unsatisfiable witness, a transient fault); the slot is fine.
    #[error("{0}")]
    Job(String),
    /// The backend cannot prove this circuit (a gate it lacks): prove it on another slot.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The device failed (out of memory, lost, driver error): take the slot out.
    #[error("device failed: {0}")]
    Device(String),
}

impl BackendError {
    /// Whether the same job on the same slot may succeed: only a job failure (what
    /// [`crate::ProverError::Backend`] carries); an unsupported circuit or a failed device sends the
    /// job elsewhere instead.
    pub fn is_retryable(&self) -> bool {
        matches!(self, BackendError::Job(_))
    }
}

/// One proof to compute.
pub struct ProvingJob<'a> {
    /// The circuit.
    pub id: CircuitId,
    /// The synthesized circuit and its witness.
    pub assembly: Assembly,
    /// The circuit's precomputed setup (its VK is pinned).
    pub setup: &'a SetupData,
    /// FRI parameters of the circuit's layer.
    pub config: ProofConfig,
    /// CPU threads for the parts that run on the host.
    pub worker: &'a Worker,
}

/// Something that turns a synthesized circuit into a proof. The caller verifies the proof natively
/// against the pinned VK, so a backend that returns garbage is caught, never trusted.
pub trait ProvingBackend: Send + Sync {
    /// Kind, device and free memory, for slot listings and metrics.
    fn info(&self) -> BackendInfo;
    /// Whether it can prove `id` (checked before a job is handed to it); if not, a
    /// [`BackendError::Unsupported`] that says why.
    fn supports(&self, id: CircuitId) -> Result<(), BackendError>;
    /// Proves one job.
    fn prove(&self, job: ProvingJob<'_>) -> Result<BProof, BackendError>;
    /// Whether the device still answers (asked before each job; an error, a [`BackendError::Device`],
    /// takes the slot out).
    fn healthy(&self) -> Result<(), BackendError> {
        Ok(())
    }
}

/// boojum's CPU prover, from the precomputed setup.
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuBackend {
    threads: usize,
}

impl CpuBackend {
    /// A CPU backend; `threads` is only reported (the prover's worker does the work).
    pub fn new(threads: usize) -> Self {
        CpuBackend { threads }
    }
}

impl ProvingBackend for CpuBackend {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: SlotKind::Cpu,
            device: None,
            name: format!("{} thread(s)", self.threads.max(1)),
            free_memory: None,
        }
    }

    fn supports(&self, _id: CircuitId) -> Result<(), BackendError> {
        Ok(())
    }

    fn prove(&self, job: ProvingJob<'_>) -> Result<BProof, BackendError> {
        let ProvingJob {
            assembly,
            setup,
            config,
            worker,
            ..
        } = job;
        macro_rules! prove_with {
            ($pow:ty) => {
                assembly.prove_from_precomputations::<Ext, TR, H, $pow>(
                    config,
                    &setup.base,
                    &setup.setup,
                    &setup.tree,
                    &setup.vk,
                    &setup.vars_hint,
                    &setup.wits_hint,
                    (),
                    worker,
                )
            };
        }
        Ok(if config.pow_bits > 0 {
            prove_with!(PowRunner)
        } else {
            prove_with!(NoPow)
        })
    }
}

/// Whether a circuit's gate set is one boojum's GPU prover has kernels for. Its kernels are generated
/// for the gates zkSync's circuits use; zkstream's plain, SHA-256 and recursion layouts use only those
/// (the flattened Poseidon2 gate at 130 variables, FMA in the base field and in the extension,
/// selection, reduction, zero check, boolean, constants, public input, nop), but the keccak layout of user-proof mode adds the 8-bit
/// `UIntXAddGate<8>`, for which it has none (it has the 32-bit one). Those circuits stay on CPU slots.
pub fn gpu_supports_layout(layout: Layout) -> Result<(), BackendError> {
    match layout {
        Layout::Plain | Layout::Sha | Layout::Recursion => Ok(()),
        Layout::Keccak => Err(BackendError::Unsupported(
            "the keccak layout uses UIntXAddGate<8>, which boojum's GPU prover has no kernel for"
                .to_string(),
        )),
    }
}

/// Builds a GPU backend for one device: what a binary with a GPU prover brings (`gpu/src/lib.rs`). A
/// device it cannot use is a [`BackendError::Device`] that says why.
pub type GpuBackendFactory =
    fn(device: &GpuDevice, threads: usize) -> Result<Arc<dyn ProvingBackend>, BackendError>;
