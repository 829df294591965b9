//! Users' circuit families: [`UserFamily`] (keys one chunk verifier accepts), user-proof mode's
//! [`UserShape`], and the key store's register of the families it has seen (kept on disk).

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use crate::circuits::config::Layout;
use crate::error::ProverError;
use crate::field::BVk;

use super::{KeyStore, USER_LAYOUTS};

/// A family of users' circuits: keys with the same fixed parameters (gate set, geometry, domain size,
/// public-input places), so proofs one recursive verifier — one chunk circuit — accepts. Boojum's
/// verifier is fixed when a circuit is set up, so each family has its own chunk and node keys,
/// computed when its first proof arrives. The id is a digest of those parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserFamily(pub u64);

impl UserFamily {
    /// The family of a key.
    pub fn of(vk: &BVk) -> Self {
        let digest = sha2::Sha256::digest(format!("{:?}", vk.fixed_parameters).as_bytes());
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        UserFamily(u64::from_be_bytes(id))
    }
}

impl fmt::Display for UserFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
}

/// The shape of user-proof mode's circuits: chunks of `proofs_per_chunk` user proofs, then `levels`
/// levels of nodes with `node_arity` children each; the top node's proof is a run's aggregated proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserShape {
    /// Hash rounds of the sample user programs ([`crate::circuits::UserProgramCircuit`]).
    pub program_rounds: usize,
    /// User proofs per chunk proof (a power of two; Aligned uses 512).
    pub proofs_per_chunk: usize,
    /// Children per node (a power of two).
    pub node_arity: usize,
    /// Node levels above the chunks (1 to 4).
    pub levels: u32,
}

impl Default for UserShape {
    fn default() -> Self {
        UserShape {
            program_rounds: 16,
            proofs_per_chunk: 2,
            node_arity: 2,
            levels: 1,
        }
    }
}

impl UserShape {
    /// Checks the sizes.
    pub fn validate(&self) -> Result<(), ProverError> {
        for (name, v) in [
            ("proofs_per_chunk", self.proofs_per_chunk),
            ("node_arity", self.node_arity),
        ] {
            if !v.is_power_of_two() || v > 64 {
                return Err(ProverError::Config(format!(
                    "{name} must be a power of two up to 64, not {v}"
                )));
            }
        }
        if self.node_arity < 2 {
            return Err(ProverError::Config("node_arity must be at least 2".into()));
        }
        if !(1..=4).contains(&self.levels) {
            return Err(ProverError::Config(format!(
                "levels must be between 1 and 4, not {}",
                self.levels
            )));
        }
        if self.program_rounds == 0 {
            return Err(ProverError::Config(
                "program_rounds must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// User proofs a node of `level` holds (level 0: a chunk).
    pub fn capacity_at(&self, level: u32) -> usize {
        self.proofs_per_chunk * self.node_arity.pow(level)
    }

    /// User proofs one run's aggregate holds.
    pub fn proofs_per_aggregate(&self) -> usize {
        self.capacity_at(self.levels)
    }
}

impl KeyStore {
    /// Sets the shape of user-proof mode's circuits (before any of their keys is used).
    pub fn with_user_shape(mut self, user: UserShape) -> Result<Self, ProverError> {
        user.validate()?;
        self.user = user;
        Ok(self)
    }

    /// The shape of user-proof mode's circuits.
    pub fn user_shape(&self) -> &UserShape {
        &self.user
    }

    /// User-proof mode's key directory: a node's key depends on the chunk size and the arity, not on
    /// how many levels a deployment uses. v3: a chunk and a tree per user family; v4: keccak over the
    /// XOR table alone (a 2^16 trace for small chunks), families of two gate sets; v5: 8 lookup
    /// column sets and the gates of [`Layout::Recursion`] under the keccak layout.
    pub(super) fn user_dir(&self, dir: &Path) -> PathBuf {
        let u = &self.user;
        let sub = dir.join(format!("user-v5-{}x{}", u.proofs_per_chunk, u.node_arity));
        // Created on first use; a failure shows up as the write's error.
        let _ = std::fs::create_dir_all(&sub);
        sub
    }

    /// Makes a user family known (its chunk circuit's verifier is built for `layout`'s gates and
    /// `template`'s fixed parameters; the key's own cap plays no part) and keeps the template beside
    /// the keys, so a later run finds the family before any of its proofs arrives. Returns the family.
    pub fn register_user_family(
        &self,
        template: &BVk,
        layout: Layout,
    ) -> Result<UserFamily, ProverError> {
        let family = UserFamily::of(template);
        let mut known = self.families.lock().unwrap_or_else(|p| p.into_inner());
        if known.contains_key(&family) {
            return Ok(family);
        }
        if let Some(dir) = &self.dir {
            let path = self.user_dir(dir).join(format!("family-{family}.vk"));
            if !path.exists() {
                let bytes = bincode::serialize(&(layout, template))
                    .map_err(|e| Self::cache_err(&path, e))?;
                let tmp = path.with_extension(format!("tmp{}", std::process::id()));
                std::fs::write(&tmp, bytes).map_err(|e| Self::cache_err(&tmp, e))?;
                std::fs::rename(&tmp, &path).map_err(|e| Self::cache_err(&path, e))?;
            }
        }
        known.insert(family, (layout, template.clone()));
        Ok(family)
    }

    /// A known family's template key.
    pub fn user_family_template(&self, family: UserFamily) -> Result<BVk, ProverError> {
        Ok(self.user_family_record(family)?.1)
    }

    /// A known family's gate set.
    pub fn user_family_layout(&self, family: UserFamily) -> Result<Layout, ProverError> {
        Ok(self.user_family_record(family)?.0)
    }

    /// A known family's gate set and template key (from memory, or from the key directory).
    pub(super) fn user_family_record(
        &self,
        family: UserFamily,
    ) -> Result<(Layout, BVk), ProverError> {
        let mut known = self.families.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(record) = known.get(&family) {
            return Ok(record.clone());
        }
        let unknown = || {
            ProverError::Config(format!(
                "user family {family} is unknown: no key of it was registered"
            ))
        };
        let dir = self.dir.as_ref().ok_or_else(unknown)?;
        let path = self.user_dir(dir).join(format!("family-{family}.vk"));
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(unknown()),
            Err(e) => return Err(Self::cache_err(&path, e)),
        };
        let record: (Layout, BVk) =
            bincode::deserialize(&bytes).map_err(|e| Self::cache_err(&path, e))?;
        if UserFamily::of(&record.1) != family || !USER_LAYOUTS.contains(&record.0) {
            return Err(Self::cache_err(
                &path,
                "the stored key is of another family",
            ));
        }
        known.insert(family, record.clone());
        Ok(record)
    }
}
