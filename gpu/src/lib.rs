//! zkstream's GPU proving backend: boojum's GPU prover (shivini 0.156.2 on boojum-cuda) behind the
//! prover crate's [`ProvingBackend`] trait, so GPU slots prove the very circuits, from the very setups
//! and pinned VKs, that CPU slots prove; every GPU proof is still verified natively by the CPU verifier
//! before it is stored.
//!
//! What shivini supports, and so what this backend accepts:
//! - one prover context per process (a global in shivini): one GPU slot per process, on device 0 of the
//!   devices the process sees (`CUDA_VISIBLE_DEVICES` picks it); further devices are refused by name;
//! - only the gates it has kernels for (generated from zkSync's circuits): zkstream's plain and
//!   SHA-256 layouts (every batch-pipeline circuit) qualify; user-proof mode's keccak layout does not
//!   (its `UIntXAddGate<8>`), so those circuits stay on CPU slots. Each job is checked gate by gate
//!   before it is handed to the GPU, and an unknown gate is an `Unsupported` answer, never a panic;
//! - the Poseidon2 Goldilocks tree hasher and transcript zkstream uses, PoW by Blake2s (compression);
//! - traces of at least 2^12 rows (its allocator's block); smaller circuits go to CPU slots.
#![feature(allocator_api)]

use zkstream_dataflow::gpu::Backends;

/// The backends this binary brings: boojum's GPU prover for GPU slots. A build without the `gpu`
/// feature brings none: the binary then says it has no GPU backend and uses CPU slots.
pub fn backends() -> Backends {
    Backends {
        #[cfg(feature = "gpu")]
        gpu: Some(shivini_backend::factory),
        #[cfg(not(feature = "gpu"))]
        gpu: None,
    }
}

/// Whether this build replaced the CUDA code by stubs (`ZKSYNC_USE_CUDA_STUBS=1`, a build without the
/// CUDA toolkit): its GPU backend then fails to create a context and the slot falls back to CPU.
pub fn cuda_stubs() -> bool {
    matches!(
        option_env!("ZKSYNC_USE_CUDA_STUBS"),
        Some("1" | "true" | "yes")
    )
}

#[cfg(feature = "gpu")]
pub mod shivini_backend {
    //! The shivini backend proper.

    use std::alloc::Global;
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, MutexGuard};

    use boojum::cs::implementations::pow::NoPow;
    use shivini::cs::{gpu_setup_and_vk_from_base_setup_vk_params_and_hints, GpuSetup};
    use shivini::gpu_proof_config::GpuProofConfig;
    use shivini::{gpu_prove_from_external_witness_data, ProverContext, ProverContextConfig};
    use zkstream_prover::backend::{gpu_supports_layout, Assembly, PowRunner, ProvingJob};
    use zkstream_prover::field::{BProof, H, TR};
    use zkstream_prover::keys::SetupData;
    use zkstream_prover::{
        BackendError, BackendInfo, CircuitId, GpuDevice, ProvingBackend, SlotKind,
    };

    /// The smallest trace a GPU slot proves, and shivini's allocator block (2^12 field elements: 32 KiB,
    /// 2.5 M blocks on an 80 GB card). Smaller circuits (the Poseidon2 basic circuit is 2^6 rows) are
    /// faster on the CPU than their transfers; they are answered `Unsupported` and go to CPU slots.
    pub const SMALLEST_DOMAIN: usize = 1 << 12;

    /// Makes the backend for `device` (the [`zkstream_prover::backend::GpuBackendFactory`]).
    pub fn factory(
        device: &GpuDevice,
        _threads: usize,
    ) -> Result<Arc<dyn ProvingBackend>, BackendError> {
        if device.id != 0 {
            return Err(BackendError::Device(format!(
                "shivini keeps one prover context per process, on device 0; run one zkstream per GPU \
                 (CUDA_VISIBLE_DEVICES={}) to use this one",
                device.id
            )));
        }
        Ok(Arc::new(ShiviniBackend {
            device: device.clone(),
            state: Mutex::new(State::default()),
        }))
    }

    #[derive(Default)]
    struct State {
        /// Created on the first job, on the slot's thread, and kept for the process's life.
        context: Option<ProverContext>,
        /// GPU form of each circuit's setup, made once from the pinned CPU setup.
        setups: HashMap<CircuitId, Arc<GpuSetup<H>>>,
    }

    /// One GPU slot.
    pub struct ShiviniBackend {
        device: GpuDevice,
        state: Mutex<State>,
    }

    fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The first gate of `assembly` boojum-cuda has no kernel for, if any.
    fn missing_kernel(assembly: &Assembly) -> Option<String> {
        let general = &assembly
            .evaluation_data_over_general_purpose_columns
            .evaluators_over_general_purpose_columns;
        let special = &assembly
            .evaluation_data_over_specialized_columns
            .evaluators_over_specialized_columns;
        general.iter().chain(special.iter()).find_map(|e| {
            let formal = e.debug_name.ends_with("LookupGateMarkerFormalEvaluator")
                || e.unique_name == "nop_gate_constraint_evaluator"
                || e.total_quotient_terms_over_all_repetitions == 0;
            (!formal && boojum_cuda::gates::find_gate_id_by_name(&e.unique_name).is_none())
                .then(|| e.unique_name.clone())
        })
    }

    fn device_error(what: &str, e: impl std::fmt::Debug) -> BackendError {
        BackendError::Device(format!("{what}: {e:?}"))
    }

    impl ShiviniBackend {
        fn gpu_setup(
            &self,
            state: &mut State,
            id: CircuitId,
            setup: &SetupData,
            worker: &boojum::worker::Worker,
        ) -> Result<Arc<GpuSetup<H>>, BackendError> {
            if let Some(s) = state.setups.get(&id) {
                return Ok(Arc::clone(s));
            }
            let (gpu_setup, vk) = gpu_setup_and_vk_from_base_setup_vk_params_and_hints::<H, _>(
                setup.base.clone(),
                setup.vk.fixed_parameters.clone(),
                setup.vars_hint.clone(),
                setup.wits_hint.clone(),
                worker,
            )
            .map_err(|e| device_error("GPU setup", e))?;
            if vk != setup.vk {
                return Err(BackendError::Unsupported(format!(
                    "{id}: the GPU setup commits to another key than the pinned VK"
                )));
            }
            let s = Arc::new(gpu_setup);
            state.setups.insert(id, Arc::clone(&s));
            Ok(s)
        }
    }

    impl ProvingBackend for ShiviniBackend {
        fn info(&self) -> BackendInfo {
            BackendInfo {
                kind: SlotKind::Gpu,
                device: Some(self.device.id),
                name: self.device.name.clone(),
                // Asked of the driver now (once shivini's context exists, most of the memory is its
                // allocator's); as discovered if the driver does not answer.
                free_memory: Some(
                    zkstream_prover::device::memory_info(self.device.id)
                        .map(|(free, _)| free)
                        .unwrap_or(self.device.free_memory),
                ),
            }
        }

        fn supports(&self, id: CircuitId) -> Result<(), BackendError> {
            gpu_supports_layout(id.layout())
        }

        fn healthy(&self) -> Result<(), BackendError> {
            zkstream_prover::device::memory_info(self.device.id)
                .map(|_| ())
                .map_err(|e| BackendError::Device(e.to_string()))
        }

        fn prove(&self, job: ProvingJob<'_>) -> Result<BProof, BackendError> {
            let ProvingJob {
                id,
                assembly,
                setup,
                config,
                worker,
            } = job;
            let domain = setup.vk.fixed_parameters.domain_size as usize;
            if domain < SMALLEST_DOMAIN {
                return Err(BackendError::Unsupported(format!(
                    "{id}: a 2^{} trace is below the GPU slot's smallest (2^{}); CPU slots prove it",
                    domain.ilog2(),
                    SMALLEST_DOMAIN.ilog2()
                )));
            }
            if let Some(gate) = missing_kernel(&assembly) {
                return Err(BackendError::Unsupported(format!(
                    "{id}: boojum-cuda has no kernel for {gate}"
                )));
            }
            let mut state = lock(&self.state);
            if state.context.is_none() {
                let cfg = ProverContextConfig::default()
                    .with_smallest_supported_domain_size(SMALLEST_DOMAIN);
                let ctx = ProverContext::create_with_config(cfg)
                    .map_err(|e| device_error("creating the prover context", e))?;
                state.context = Some(ctx);
            }
            let gpu_setup = self.gpu_setup(&mut state, id, setup, worker)?;
            let witness = assembly
                .witness
                .as_ref()
                .ok_or_else(|| BackendError::Job(format!("{id}: assembly without witness")))?;
            let gpu_config = GpuProofConfig::from_assembly(&assembly);
            macro_rules! prove_with {
                ($pow:ty) => {
                    gpu_prove_from_external_witness_data::<TR, H, $pow, Global>(
                        &gpu_config,
                        witness,
                        config.clone(),
                        &gpu_setup,
                        &setup.vk,
                        (),
                        worker,
                    )
                };
            }
            let proof = if config.pow_bits > 0 {
                prove_with!(PowRunner)
            } else {
                prove_with!(NoPow)
            }
            .map_err(|e| device_error("proving", e))?;
            Ok(proof.into())
        }
    }
}
