//! Wrapping aggregation mode's run proofs: one wrap layer and wrapper per user family (the layer's
//! constants are the family's top-node key), prepared on a family's first wrapped run and kept.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use zkstream_types::WrappedProof;

use super::keys::{CrsSource, WrapKeys};
use super::layer::WrapTarget;
use crate::error::ProverError;
use crate::field::BProof;
use crate::keys::{KeyStore, UserFamily};

/// Wraps runs' top-node proofs, keeping each family's wrap keys once prepared.
pub struct AggregateWrapper {
    crs: CrsSource,
    threads: usize,
    prepared: Mutex<HashMap<UserFamily, Arc<WrapKeys>>>,
}

impl AggregateWrapper {
    /// A wrapper under `crs` that proves on `threads` threads.
    pub fn new(crs: CrsSource, threads: usize) -> Self {
        AggregateWrapper {
            crs,
            threads: threads.max(1),
            prepared: Mutex::new(HashMap::new()),
        }
    }

    /// The CRS the wrapped proofs are made with.
    pub fn crs(&self) -> &CrsSource {
        &self.crs
    }

    /// `family`'s wrap keys: prepared on first use ([`WrapKeys::prepare_for`]: minutes the first
    /// time on a machine, read from `keys`' directory after), then kept. The family's tree keys must
    /// be known to `keys`.
    pub fn keys_for(
        &self,
        keys: &KeyStore,
        family: UserFamily,
    ) -> Result<(Arc<WrapKeys>, bool), ProverError> {
        let mut prepared = self.prepared.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = prepared.get(&family) {
            return Ok((Arc::clone(k), false));
        }
        let k = Arc::new(WrapKeys::prepare_for(
            keys,
            WrapTarget::Aggregate(family),
            &self.crs,
            self.threads,
        )?);
        prepared.insert(family, Arc::clone(&k));
        Ok((k, true))
    }

    /// Wraps a run's aggregated proof (the top node of `family`'s tree) and checks the wrapped proof
    /// against the count and root that proof exposes before returning it.
    pub fn wrap(
        &self,
        keys: &KeyStore,
        family: UserFamily,
        top: &BProof,
    ) -> Result<WrappedProof, ProverError> {
        let target = WrapTarget::Aggregate(family);
        let commitment = target.commitment_of(top).ok_or_else(|| {
            ProverError::SelfCheckFailed(
                "the aggregated proof's public input is not a summary".into(),
            )
        })?;
        let (wrap, _) = self.keys_for(keys, family)?;
        let proof = wrap.wrap(keys, top, self.threads)?;
        if !wrap.verify(&proof, &commitment) {
            return Err(ProverError::SelfCheckFailed(format!(
                "the wrapped proof of {} does not verify",
                target.name()
            )));
        }
        Ok(WrappedProof {
            proof,
            wrapper_vk_commitment: wrap.pinned.commitment,
            crs: wrap.crs_id.clone(),
            test_crs: wrap.test_crs(),
        })
    }
}
