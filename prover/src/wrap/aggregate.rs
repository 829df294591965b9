//! Wrapping aggregation mode's run proofs: one wrap layer and wrapper per user family (the layer's
//! constants are the family's top-node key), prepared on a family's first wrapped run. The most
//! recent family's keys stay in memory; another family's are read back from the key cache.

use std::sync::{Arc, Mutex};

use zkstream_types::WrappedProof;

use super::keys::{crs_id, read_crs, CrsSource, WrapKeys};
use super::layer::WrapTarget;
use crate::error::ProverError;
use crate::field::BProof;
use crate::keys::{KeyStore, UserFamily};

/// Wraps runs' top-node proofs under one CRS.
pub struct AggregateWrapper {
    crs: CrsSource,
    /// The CRS file's short name (`None`: the test CRS).
    file_crs: Option<String>,
    threads: usize,
    /// The keys of the family wrapped last (each family's hold a wrapper setup of several GiB).
    current: Mutex<Option<(UserFamily, Arc<WrapKeys>)>>,
}

impl AggregateWrapper {
    /// A wrapper under `crs` that proves on `threads` threads. A CRS file is read now, so a wrong
    /// path or file is refused at start rather than after a run's tree is proved.
    pub fn new(crs: CrsSource, threads: usize) -> Result<Self, ProverError> {
        let file_crs = match &crs {
            CrsSource::Test => None,
            CrsSource::File(path) => Some(crs_id(&read_crs(path)?)),
        };
        Ok(AggregateWrapper {
            crs,
            file_crs,
            threads: threads.max(1),
            current: Mutex::new(None),
        })
    }

    /// The CRS the wrapped proofs are made with.
    pub fn crs(&self) -> &CrsSource {
        &self.crs
    }

    /// Whether `wrapped` was made under this wrapper's CRS (the test CRS, or the file's): what a
    /// restarted run checks before it republishes a stored record instead of wrapping again.
    pub fn made_under_this_crs(&self, wrapped: &WrappedProof) -> bool {
        match &self.file_crs {
            None => wrapped.test_crs,
            Some(id) => !wrapped.test_crs && &wrapped.crs == id,
        }
    }

    /// `family`'s wrap keys: the ones in memory, or prepared ([`WrapKeys::prepare_for`]: minutes the
    /// first time on a machine, read from `keys`' directory after; the previous family's are dropped
    /// first) and kept once `admit` accepts them (the caller's memory check). The family's tree keys
    /// must be known to `keys`.
    pub fn keys_for<E: From<ProverError>>(
        &self,
        keys: &KeyStore,
        family: UserFamily,
        admit: impl FnOnce(&WrapKeys) -> Result<(), E>,
    ) -> Result<Arc<WrapKeys>, E> {
        let mut current = self.current.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((f, k)) = current.as_ref() {
            if *f == family {
                return Ok(Arc::clone(k));
            }
        }
        *current = None;
        let k =
            WrapKeys::prepare_for(keys, WrapTarget::Aggregate(family), &self.crs, self.threads)?;
        admit(&k)?;
        let k = Arc::new(k);
        *current = Some((family, Arc::clone(&k)));
        Ok(k)
    }

    /// Wraps a run's aggregated proof (the top node of `family`'s tree) with `family`'s keys
    /// ([`Self::keys_for`]), and checks the wrapped proof against the count and root that proof
    /// exposes before returning it.
    pub fn wrap<E: From<ProverError>>(
        &self,
        keys: &KeyStore,
        family: UserFamily,
        top: &BProof,
        admit: impl FnOnce(&WrapKeys) -> Result<(), E>,
    ) -> Result<WrappedProof, E> {
        let target = WrapTarget::Aggregate(family);
        let commitment = target
            .commitment_of(top)
            .ok_or_else(|| ProverError::ChildRejected {
                parent: format!("wrap layer ({})", target.name()),
                index: 0,
                reason: "the aggregated proof's public input is not a summary".into(),
            })?;
        let wrap = self.keys_for(keys, family, admit)?;
        let proof = wrap.wrap(keys, top, self.threads)?;
        if !wrap.verify(&proof, &commitment) {
            return Err(ProverError::SelfCheckFailed(format!(
                "the wrapped proof of {} does not verify",
                target.name()
            ))
            .into());
        }
        Ok(WrappedProof {
            proof,
            wrapper_vk_commitment: wrap.pinned.commitment,
            crs: wrap.crs_id.clone(),
            test_crs: wrap.test_crs(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_wrap_is_reused_only_under_the_same_crs_and_a_bad_crs_file_is_refused_at_once() {
        let test = AggregateWrapper::new(CrsSource::Test, 1).unwrap();
        let made = |test_crs: bool, crs: &str| WrappedProof {
            proof: vec![1; 8],
            wrapper_vk_commitment: [0; 32],
            crs: crs.into(),
            test_crs,
        };
        assert!(test.made_under_this_crs(&made(true, "1048576-00")));
        assert!(!test.made_under_this_crs(&made(false, "16777216-ab")));
        let dir = tempfile::tempdir().unwrap();
        let bogus = dir.path().join("setup_2^24.key");
        std::fs::write(&bogus, [0u8; 100]).unwrap();
        for path in [bogus, dir.path().join("missing.key")] {
            let e = AggregateWrapper::new(CrsSource::File(path.clone()), 1)
                .err()
                .unwrap();
            assert!(e.to_string().contains(&path.display().to_string()), "{e}");
            assert!(!e.is_retryable(), "an operator's file to fix: {e}");
        }
    }
}
