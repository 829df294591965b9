//! GPU prover slots: device discovery, the binary's GPU backend (if it was built with one), and the
//! operator's choice (`[prover] gpu`, `demo --gpu`). Without a CUDA driver, or in a binary built
//! without the GPU backend, the answer is CPU slots and a sentence saying why, never a failure, unless
//! the operator required GPUs.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

use serde::Deserialize;
use thiserror::Error;
use zkstream_prover::backend::GpuBackendFactory;
use zkstream_prover::{discover_gpus, Discovery, ProvingBackend};

/// Whether to use GPUs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GpuMode {
    /// CPU slots only; no discovery.
    #[default]
    Off,
    /// One slot per usable GPU, beside the CPU slots; CPU slots only if there is none.
    Auto,
    /// As `auto`, but refuse to start without at least one GPU slot.
    Require,
}

impl FromStr for GpuMode {
    type Err = GpuError;
    fn from_str(s: &str) -> Result<Self, GpuError> {
        match s {
            "off" => Ok(GpuMode::Off),
            "auto" => Ok(GpuMode::Auto),
            "require" => Ok(GpuMode::Require),
            other => Err(GpuError::UnknownMode(other.to_string())),
        }
    }
}

impl fmt::Display for GpuMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GpuMode::Off => "off",
            GpuMode::Auto => "auto",
            GpuMode::Require => "require",
        })
    }
}

/// Why GPU slots could not be had when they were required.
#[derive(Debug, Error)]
pub enum GpuError {
    /// `gpu = "require"` and no GPU slot could be made.
    #[error("GPU slots required, but {0}")]
    Required(String),
    /// Not `off`, `auto` or `require`.
    #[error("unknown GPU mode {0:?} (expected off, auto or require)")]
    UnknownMode(String),
}

impl GpuError {
    /// Whether trying again can help: never — the machine or the setting must change first.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// The proving backends a binary brings beside boojum's CPU prover (which every binary has). The CPU
/// binary brings none; the GPU build (`gpu/`) brings a factory of boojum GPU prover slots.
#[derive(Clone, Copy, Debug, Default)]
pub struct Backends {
    /// Makes the backend of one GPU slot.
    pub gpu: Option<GpuBackendFactory>,
}

/// The GPU slots to add to the pool, and what to tell the operator.
pub struct Accelerators {
    /// One backend per usable device.
    pub backends: Vec<Arc<dyn ProvingBackend>>,
    /// One line for the log: which GPUs, or why none ("no CUDA driver found, using CPU slots").
    pub summary: String,
}

/// Discovers GPUs and builds a backend per device with the binary's GPU backend, as `mode` asks.
/// `threads` are the host threads each GPU slot uses for synthesis and transfers.
pub fn accelerators(
    mode: GpuMode,
    threads: usize,
    backends: &Backends,
) -> Result<Accelerators, GpuError> {
    let none = |summary: String| -> Result<Accelerators, GpuError> {
        if mode == GpuMode::Require {
            return Err(GpuError::Required(summary));
        }
        Ok(Accelerators {
            backends: Vec::new(),
            summary,
        })
    };
    if mode == GpuMode::Off {
        return Ok(Accelerators {
            backends: Vec::new(),
            summary: "GPU slots off".to_string(),
        });
    }
    let devices = match discover_gpus() {
        Discovery::NoCuda(reason) => {
            return none(format!("no CUDA driver found, using CPU slots ({reason})"));
        }
        Discovery::Devices(d) => d,
    };
    let listed: Vec<String> = devices.iter().map(|d| d.to_string()).collect();
    let Some(factory) = backends.gpu else {
        return none(format!(
            "found {} but this binary has no GPU backend (build it with ops/build-gpu.sh); using CPU slots",
            listed.join("; ")
        ));
    };
    let mut backends = Vec::new();
    let mut failed = Vec::new();
    for d in &devices {
        match factory(d, threads) {
            Ok(b) => backends.push(b),
            Err(e) => {
                tracing::warn!(device = d.id, error = %e, "GPU backend could not start on this device");
                failed.push(format!("gpu {}: {e}", d.id));
            }
        }
    }
    if backends.is_empty() {
        return none(format!(
            "no GPU backend could start ({}); using CPU slots",
            failed.join("; ")
        ));
    }
    let mut summary = format!(
        "GPU slots: {}",
        backends
            .iter()
            .map(|b| b.info().to_string())
            .collect::<Vec<_>>()
            .join("; ")
    );
    if !failed.is_empty() {
        summary.push_str(&format!(" (not started: {})", failed.join("; ")));
    }
    Ok(Accelerators { backends, summary })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_by_name_and_typos_are_refused() {
        assert_eq!("auto".parse::<GpuMode>().ok(), Some(GpuMode::Auto));
        assert_eq!("off".parse::<GpuMode>().ok(), Some(GpuMode::Off));
        assert_eq!("require".parse::<GpuMode>().ok(), Some(GpuMode::Require));
        let e = "gpus".parse::<GpuMode>().err().map(|e| e.to_string());
        assert_eq!(
            e.as_deref(),
            Some("unknown GPU mode \"gpus\" (expected off, auto or require)")
        );
    }

    #[test]
    fn without_a_gpu_backend_auto_falls_back_to_cpu_and_require_refuses() {
        // No GPU backend is brought, so whatever the machine has, no GPU slot is made.
        let off = accelerators(GpuMode::Off, 1, &Backends::default()).unwrap();
        assert!(off.backends.is_empty());
        let auto = accelerators(GpuMode::Auto, 1, &Backends::default()).unwrap();
        assert!(auto.backends.is_empty());
        assert!(auto.summary.contains("using CPU slots"), "{}", auto.summary);
        if matches!(discover_gpus(), Discovery::NoCuda(_)) {
            assert!(
                auto.summary
                    .starts_with("no CUDA driver found, using CPU slots"),
                "{}",
                auto.summary
            );
        }
        let required = accelerators(GpuMode::Require, 1, &Backends::default())
            .err()
            .map(|e| e.to_string());
        assert!(
            required
                .as_deref()
                .is_some_and(|e| e.starts_with("GPU slots required, but ")),
            "{required:?}"
        );
    }
}
