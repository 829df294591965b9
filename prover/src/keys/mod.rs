//! Setup and verification keys: computed once per (protocol version, circuit, geometry, proof config),
//! cached on disk and in memory, and reused by every proof through `prove_from_precomputations`.
//!
//! [`KeyStore`] (here) hands them out. By concern: `catalogue` (which circuits exist and what each
//! verifies), `families` (users' circuit families and user-proof mode's shape), `setup` (computing a
//! setup), `cache` (the disk cache).

mod cache;
mod catalogue;
mod families;
mod setup;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use boojum::worker::Worker;
use sha2::Digest as _;
use zkstream_types::Digest;

use crate::circuits::config::{Layout, GEOMETRY};
use crate::error::ProverError;
use crate::field::{fe, from_digest, hash, to_digest, vk_commitment, BVk};
use crate::profile::{ProofProfile, TreeShape};

pub(crate) use cache::{read_digested, write_atomically, write_digested};
pub use catalogue::{CircuitId, USER_LAYOUTS};
pub use families::{UserFamily, UserShape};
pub(crate) use setup::assemble;
pub use setup::SetupData;

/// Bumped whenever a circuit changes, the wrap layer's included (its setup is cached per wrapped key
/// under this directory: `crate::wrap::keys`), or the cache's format, so stale cached keys are never
/// loaded (2: the SHA-256 layout has one lookup column set; 3: recursion circuits have the
/// extension-field FMA gate; 4: every cached setup starts with its digest, `cache::write_digested`).
const CIRCUITS_VERSION: u32 = 4;

/// Where a setup came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// Already in memory.
    Memory,
    /// Loaded from the disk cache.
    Disk,
    /// Computed now (and written to the disk cache, if any).
    Computed,
}

/// The setup and verification keys of one (protocol version, profile, shape), cached.
pub struct KeyStore {
    profile: ProofProfile,
    shape: TreeShape,
    user: UserShape,
    protocol_version: u32,
    dir: Option<PathBuf>,
    worker: Worker,
    loaded: Mutex<HashMap<CircuitId, Arc<SetupData>>>,
    vks: Mutex<HashMap<CircuitId, BVk>>,
    families: Mutex<HashMap<UserFamily, (Layout, BVk)>>,
}

impl KeyStore {
    /// Opens a store. With `root`, keys are cached under `root/<v, profile, parameters hash>/`.
    pub fn open(
        root: Option<&Path>,
        profile: ProofProfile,
        shape: TreeShape,
        protocol_version: u32,
        threads: usize,
    ) -> Result<Self, ProverError> {
        shape.validate()?;
        profile.validate()?;
        let dir = root.map(|r| r.join(Self::dir_name(&profile, &shape, protocol_version)));
        if let Some(d) = &dir {
            std::fs::create_dir_all(d).map_err(|e| ProverError::KeyCache {
                path: d.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        Ok(KeyStore {
            profile,
            shape,
            protocol_version,
            dir,
            user: UserShape::default(),
            worker: Worker::new_with_num_threads(threads.max(1)),
            loaded: Mutex::new(HashMap::new()),
            vks: Mutex::new(HashMap::new()),
            families: Mutex::new(HashMap::new()),
        })
    }

    fn dir_name(profile: &ProofProfile, shape: &TreeShape, protocol_version: u32) -> String {
        let params =
            format!("{CIRCUITS_VERSION}|{protocol_version}|{profile:?}|{shape:?}|{GEOMETRY:?}");
        let digest = sha2::Sha256::digest(params.as_bytes());
        format!(
            "v{protocol_version}-{}-{}",
            profile.name,
            hex::encode(&digest[..6])
        )
    }

    /// The profile.
    pub fn profile(&self) -> &ProofProfile {
        &self.profile
    }

    /// The tree shape.
    pub fn shape(&self) -> &TreeShape {
        &self.shape
    }

    /// The protocol version.
    pub fn protocol_version(&self) -> u32 {
        self.protocol_version
    }

    /// The cache directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The setup of a circuit, from memory, disk, or computed now.
    pub fn get(&self, id: CircuitId) -> Result<Arc<SetupData>, ProverError> {
        self.get_with_source(id).map(|(s, _)| s)
    }

    /// Like [`KeyStore::get`], also saying where the setup came from.
    pub fn get_with_source(
        &self,
        id: CircuitId,
    ) -> Result<(Arc<SetupData>, KeySource), ProverError> {
        if let Some(s) = self.lock().get(&id) {
            return Ok((s.clone(), KeySource::Memory));
        }
        let (data, source) = match self.load(id)? {
            Some(d) => (d, KeySource::Disk),
            None => {
                let d = self.compute(id)?;
                self.store(id, &d)?;
                (d, KeySource::Computed)
            }
        };
        let data = Arc::new(data);
        self.lock().insert(id, data.clone());
        self.vks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, data.vk.clone());
        Ok((data, source))
    }

    /// Drops a setup from memory (its key stays known), when a disk cache holds it: the next proof of
    /// that circuit loads it again. User-proof mode releases a level's setup (3.6 GB for a keccak
    /// circuit at 2^18 rows) once the level above has all its children, so a deep tree needs the
    /// memory of one or two setups at a time, not of all of them. Returns whether it was released.
    pub fn release(&self, id: CircuitId) -> bool {
        let cached = self.path(id).is_some_and(|p| p.exists());
        cached && self.lock().remove(&id).is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CircuitId, Arc<SetupData>>> {
        // A panic while holding the lock leaves the map itself consistent (inserts are atomic).
        self.loaded.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The verification key of a circuit.
    pub fn vk(&self, id: CircuitId) -> Result<BVk, ProverError> {
        if let Some(vk) = self.vks.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
            return Ok(vk.clone());
        }
        Ok(self.get(id)?.vk.clone())
    }

    /// The commitment of a circuit's verification key.
    pub fn vk_commitment(&self, id: CircuitId) -> Result<Digest, ProverError> {
        Ok(vk_commitment(&self.vk(id)?))
    }

    /// Commitment of every key below the scheduler: basic, leaf and node keys of every type, and the tip.
    pub fn vk_set_commitment(&self) -> Result<Digest, ProverError> {
        let mut v = vec![fe(self.protocol_version as u64)];
        for id in CircuitId::all(&self.shape) {
            if matches!(id, CircuitId::Scheduler | CircuitId::Compression) {
                continue;
            }
            v.extend(from_digest(&self.vk_commitment(id)?));
        }
        Ok(to_digest(&hash(&v)))
    }

    /// Computes (or loads) every setup; returns each circuit with its VK commitment and source.
    pub fn generate_all(&self) -> Result<Vec<(CircuitId, Digest, KeySource)>, ProverError> {
        CircuitId::all(&self.shape)
            .into_iter()
            .map(|id| {
                let (s, src) = self.get_with_source(id)?;
                Ok((id, vk_commitment(&s.vk), src))
            })
            .collect()
    }
}
