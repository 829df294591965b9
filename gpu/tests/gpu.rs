//! GPU backend tests: run with `ops/build-gpu.sh --test` on a machine with an NVIDIA GPU. Without a
//! usable GPU (no driver, no device, or a stub build) every test prints why and passes as skipped.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use zkstream_prover::sample::{sample_batch, SampleSize};
use zkstream_prover::{
    discover_gpus, witness_batch, CircuitId, Discovery, KeyStore, ProofProfile, Prover,
    ProvingBackend, TreeShape,
};

/// The GPU backend for device 0, or why there is none.
fn gpu() -> Result<Arc<dyn ProvingBackend>, String> {
    if zkstream_gpu::cuda_stubs() {
        return Err("built with CUDA stubs (ZKSYNC_USE_CUDA_STUBS=1)".into());
    }
    match discover_gpus() {
        Discovery::NoCuda(reason) => Err(reason),
        Discovery::Devices(d) => {
            zkstream_gpu::shivini_backend::factory(&d[0], 4).map_err(|e| e.to_string())
        }
    }
}

macro_rules! gpu_or_skip {
    () => {
        match gpu() {
            Ok(g) => g,
            Err(why) => {
                eprintln!("SKIPPED (no usable GPU): {why}");
                return;
            }
        }
    };
}

fn keys(dir: &std::path::Path) -> Arc<KeyStore> {
    zkstream_prover::init_resolver_threads();
    let k = KeyStore::open(Some(dir), ProofProfile::test(), TreeShape::default(), 1, 4).unwrap();
    k.generate_all().unwrap();
    Arc::new(k)
}

/// Basic, leaf and node proofs made on the GPU verify natively (the prover checks each) and expose the
/// same public inputs as the CPU's proofs of the same jobs.
#[test]
fn gpu_proofs_of_every_layer_verify_and_match_the_cpu_public_inputs() {
    let backend = gpu_or_skip!();
    let dir = tempfile::tempdir().unwrap();
    let keys = keys(dir.path());
    let batch = sample_batch(
        1,
        3,
        1,
        &keys.vk_set_commitment().unwrap(),
        SampleSize::default(),
    );
    let witness = witness_batch(&batch, &TreeShape::default()).unwrap();
    let cpu = Prover::new(Arc::clone(&keys), 4);
    let gpu = Prover::new(Arc::clone(&keys), 4).with_backend(backend);
    for (t, jobs) in &witness.jobs {
        let job = &jobs[0];
        let c = cpu.prove_basic(job).unwrap();
        let domain = keys
            .get(CircuitId::Basic(*t))
            .unwrap()
            .vk
            .fixed_parameters
            .domain_size;
        let g = match gpu.prove_basic(job) {
            Ok(g) => {
                assert_eq!(c.proof.public_inputs, g.proof.public_inputs, "basic {t}");
                assert!(cpu.verify(CircuitId::Basic(*t), &g.proof).unwrap());
                g
            }
            // Below the GPU slot's smallest trace: refused, for a CPU slot to prove.
            Err(zkstream_prover::ProverError::Unsupported(why)) => {
                assert!(
                    domain < zkstream_gpu::shivini_backend::SMALLEST_DOMAIN as u64,
                    "{why}"
                );
                c
            }
            Err(e) => panic!("basic {t} on the GPU: {e}"),
        };
        let leaf = gpu.prove_leaf(*t, std::slice::from_ref(&g)).unwrap();
        assert!(cpu.verify(CircuitId::Leaf(*t), &leaf.proof).unwrap());
        let node = gpu.prove_node(*t, 1, std::slice::from_ref(&leaf)).unwrap();
        assert!(cpu.verify(CircuitId::Node(*t, 1), &node.proof).unwrap());
    }
}

/// What the backend accepts is decided without touching the device (the context is made on the first
/// proof), so this runs on any machine: the batch pipeline's circuits are accepted, the keccak layout
/// of user-proof mode is refused by name, and devices other than 0 are refused with the reason.
#[test]
fn support_is_decided_by_gate_set_and_only_device_0_gets_a_slot() {
    let device = |id| zkstream_prover::GpuDevice {
        id,
        name: "described, not opened".into(),
        compute_capability: (9, 0),
        total_memory: 80 << 30,
        free_memory: 79 << 30,
    };
    let backend = zkstream_gpu::shivini_backend::factory(&device(0), 4).unwrap();
    let t = zkstream_types::CircuitType::SHA256;
    for id in [
        CircuitId::Basic(t),
        CircuitId::Leaf(t),
        CircuitId::Node(t, 1),
        CircuitId::Tip,
        CircuitId::Scheduler,
        CircuitId::Compression,
    ] {
        assert!(backend.supports(id).is_ok(), "{id}");
    }
    let family = zkstream_prover::UserFamily(0);
    let err = backend.supports(CircuitId::UserChunk(family)).unwrap_err();
    assert!(
        matches!(&err, zkstream_prover::BackendError::Unsupported(e) if e.contains("UIntXAddGate<8>")),
        "{err}"
    );
    let err = zkstream_gpu::shivini_backend::factory(&device(1), 4)
        .err()
        .unwrap();
    assert!(
        matches!(&err, zkstream_prover::BackendError::Device(e) if e.contains("one prover context per process")),
        "{err}"
    );
}
