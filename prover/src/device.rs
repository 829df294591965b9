//! GPU discovery through the CUDA driver API (`cudarc`, loaded at run time): a binary built here runs
//! on machines without CUDA and says so instead of failing. Built without the `cuda` feature, discovery
//! reports that it was left out.

use std::fmt;

/// One CUDA device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuDevice {
    /// Device ordinal.
    pub id: u32,
    /// Marketing name ("NVIDIA H100 80GB HBM3").
    pub name: String,
    /// Compute capability (9.0 for Hopper).
    pub compute_capability: (i32, i32),
    /// Total device memory, bytes.
    pub total_memory: u64,
    /// Free device memory when discovered, bytes.
    pub free_memory: u64,
}

impl fmt::Display for GpuDevice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let gib = |b: u64| b as f64 / (1u64 << 30) as f64;
        write!(
            f,
            "gpu {}: {} (sm_{}{}), {:.1} of {:.1} GiB free",
            self.id,
            self.name,
            self.compute_capability.0,
            self.compute_capability.1,
            gib(self.free_memory),
            gib(self.total_memory)
        )
    }
}

/// What discovery found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Discovery {
    /// No usable CUDA driver (or no device); the reason says which.
    NoCuda(String),
    /// These devices.
    Devices(Vec<GpuDevice>),
}

impl Discovery {
    /// The devices found (none when there is no CUDA).
    pub fn devices(&self) -> &[GpuDevice] {
        match self {
            Discovery::NoCuda(_) => &[],
            Discovery::Devices(d) => d,
        }
    }
}

/// Why a device did not answer a memory query.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DeviceError {
    /// There is no CUDA here: no driver, or a build without GPU discovery.
    #[error("{0}")]
    NoCuda(String),
    /// The driver answered with an error for this device (lost, reset, out of memory).
    #[error("gpu {id}: {reason}")]
    Driver {
        /// The device ordinal.
        id: u32,
        /// The driver's error.
        reason: String,
    },
}

impl DeviceError {
    /// Whether asking again can help: never — a device that stopped answering is taken out of service
    /// (its slot's jobs move), and a machine without CUDA stays without.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// Free and total memory of device `id` now, through the driver (the health probe of a GPU slot): an
/// error says the device is unusable (lost, reset, driver gone) or that there is no CUDA here.
pub fn memory_info(id: u32) -> Result<(u64, u64), DeviceError> {
    imp::memory_info(id)
}

/// Looks for CUDA devices: loads the driver library if there is one, counts devices and reads each
/// one's name, compute capability and memory. Never panics and never fails: a missing driver, a
/// driver error or zero devices is [`Discovery::NoCuda`] with the reason.
pub fn discover_gpus() -> Discovery {
    imp::discover()
}

#[cfg(feature = "cuda")]
mod imp {
    use super::{DeviceError, Discovery, GpuDevice};
    use cudarc::driver::safe::CudaContext;
    use cudarc::driver::sys::CUdevice_attribute;

    #[allow(unsafe_code)]
    fn driver_present() -> bool {
        // SAFETY: this only tries to dlopen the driver library's candidate names (libcuda.so, ...);
        // it calls no symbol of it. cudarc's own entry points would panic instead of answering.
        unsafe { cudarc::driver::sys::is_culib_present() }
    }

    pub(super) fn memory_info(id: u32) -> Result<(u64, u64), DeviceError> {
        if !driver_present() {
            return Err(DeviceError::NoCuda("no CUDA driver found".into()));
        }
        let driver = |e: cudarc::driver::result::DriverError| DeviceError::Driver {
            id,
            reason: format!("{e:?}"),
        };
        let ctx = CudaContext::new(id as usize).map_err(driver)?;
        let (free, total) = ctx.mem_get_info().map_err(driver)?;
        Ok((free as u64, total as u64))
    }

    pub(super) fn discover() -> Discovery {
        if !driver_present() {
            return Discovery::NoCuda("no CUDA driver found (libcuda.so is not loadable)".into());
        }
        let count = match CudaContext::device_count() {
            Ok(n) => n,
            Err(e) => return Discovery::NoCuda(format!("the CUDA driver failed to start: {e:?}")),
        };
        if count <= 0 {
            return Discovery::NoCuda("the CUDA driver reports no device".into());
        }
        let mut devices = Vec::new();
        for ordinal in 0..count as usize {
            let probe = || -> Result<GpuDevice, cudarc::driver::result::DriverError> {
                let ctx = CudaContext::new(ordinal)?;
                let (free, total) = ctx.mem_get_info()?;
                let major = ctx
                    .attribute(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR)?;
                let minor = ctx
                    .attribute(CUdevice_attribute::CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR)?;
                Ok(GpuDevice {
                    id: ordinal as u32,
                    name: ctx.name()?,
                    compute_capability: (major, minor),
                    total_memory: total as u64,
                    free_memory: free as u64,
                })
            };
            match probe() {
                Ok(d) => devices.push(d),
                Err(e) => tracing::warn!(ordinal, error = ?e, "CUDA device unusable; skipped"),
            }
        }
        if devices.is_empty() {
            Discovery::NoCuda(format!(
                "none of the {count} CUDA device(s) could be opened"
            ))
        } else {
            Discovery::Devices(devices)
        }
    }
}

#[cfg(not(feature = "cuda"))]
mod imp {
    use super::{DeviceError, Discovery};

    pub(super) fn discover() -> Discovery {
        Discovery::NoCuda("built without GPU discovery (the prover crate's `cuda` feature)".into())
    }

    pub(super) fn memory_info(_id: u32) -> Result<(u64, u64), DeviceError> {
        Err(DeviceError::NoCuda(
            "built without GPU discovery (the prover crate's `cuda` feature)".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_answers_without_panicking_and_names_its_reason() {
        match discover_gpus() {
            Discovery::NoCuda(reason) => {
                assert!(!reason.is_empty());
                eprintln!("no GPU here: {reason}");
                let e = memory_info(0).expect_err("no CUDA, yet device 0 answered");
                assert!(matches!(e, DeviceError::NoCuda(_)), "{e}");
                assert!(!e.is_retryable());
            }
            Discovery::Devices(d) => {
                assert!(!d.is_empty());
                for dev in &d {
                    assert!(dev.total_memory >= dev.free_memory, "{dev}");
                    assert!(!dev.name.is_empty());
                    assert!(memory_info(dev.id).is_ok());
                }
            }
        }
    }
}
