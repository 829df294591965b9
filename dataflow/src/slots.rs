//! The prover slots both composition roots start from `[prover]` and `[pipeline]`: `slots` CPU slots
//! sharing the process's proving threads, GPU slots as `[prover] gpu` asks, retries and schedule from
//! the configuration, and the slot gauges set. The batch service ([`crate::service`]) and the
//! user-proof service ([`crate::user_proofs::service`]) add their observer and start it.

use std::sync::Arc;
use std::time::Duration;

use zkstream_operators::pool::{PoolBuilder, PoolConfig, ProverPool, Work};
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::KeyStore;

use crate::config::Config;
use crate::gpu::{accelerators, Backends, GpuError};
use crate::metrics::Metrics;

/// A pool ready to start, and what it was built with.
pub struct Slots<W: Work> {
    /// The pool's builder (add an observer, then start it).
    pub builder: PoolBuilder<W>,
    /// CPU slots.
    pub cpu: usize,
    /// GPU slots.
    pub gpu: usize,
    /// Threads of each CPU slot (and host threads of each GPU slot).
    pub threads_per_slot: usize,
    /// One line for the log: which GPUs, or why none.
    pub gpu_summary: String,
}

/// Builds the pool `config` describes over `keys` and `store`, with `threads` proving threads shared
/// by the CPU slots and the binary's `backends` for the GPU slots; sets the slot gauges in `metrics`.
/// Fails only when `[prover] gpu = "require"` and no GPU slot could start.
pub fn prover_slots<W: Work>(
    config: &Config,
    threads: usize,
    keys: Arc<KeyStore>,
    store: ArtifactStore,
    metrics: &Metrics,
    backends: &Backends,
) -> Result<Slots<W>, GpuError> {
    let cpu = config.prover.slots.max(1);
    let threads_per_slot = (threads / cpu).max(1);
    let gpus = accelerators(config.prover.gpu, threads_per_slot, backends)?;
    let gpu = gpus.backends.len();
    metrics.set_prover_slots("cpu", cpu);
    metrics.set_prover_slots("gpu", gpu);
    let builder = ProverPool::builder(
        keys,
        store,
        PoolConfig {
            slots: cpu,
            threads_per_slot,
            max_attempts: config.pipeline.max_attempts,
            backoff: Duration::from_millis(config.pipeline.retry_backoff_ms),
            schedule: config.prover.schedule,
        },
    )
    .accelerators(gpus.backends);
    Ok(Slots {
        builder,
        cpu,
        gpu,
        threads_per_slot,
        gpu_summary: gpus.summary,
    })
}
