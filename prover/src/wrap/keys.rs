//! The wrap's keys: the wrap layer's setup (cached in the key store's directory, per wrapped key),
//! the wrapper's setup and verification key (cached there too, per wrap layer key and CRS), and the
//! CRS itself: the test CRS
//! (`Crs::crs_42`, tau = 42: anyone can forge proofs under it) or an operator's file in bellman's
//! monomial format (zkSync's `setup_2^24.key`, derived from the Ignition ceremony).

use std::io::Read;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};
use snark_wrapper::franklin_crypto::bellman::pairing::bn256::{Fr, G2Affine};
use snark_wrapper::franklin_crypto::bellman::pairing::ff::PrimeField;
use snark_wrapper::franklin_crypto::bellman::pairing::{CurveAffine, CurveProjective};

use super::layer::{self, LayerSetup, WrapTarget};
use super::snark::{self, BellmanWorker, MonomialCrs, SnarkSetup, SnarkVk};
use crate::error::ProverError;
use crate::field::BProof;
use crate::keys::{read_digested, write_atomically, write_digested, KeyStore};

/// Where the wrapper's CRS comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CrsSource {
    /// `Crs::crs_42`, sized to the wrapper: tau is public, so its proofs prove nothing. Tests only.
    Test,
    /// A monomial-form CRS file with at least as many G1 points as the wrapper's domain.
    File(PathBuf),
}

/// Whether a key was read from the cache or computed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Read from the key store's directory.
    Loaded,
    /// Computed now (and written to the directory when there is one).
    Computed,
}

/// The wrapper's verification key, pinned by its commitment: all a verifier of wrapped proofs needs.
#[derive(Clone)]
pub struct WrapperVk {
    /// The key.
    pub vk: SnarkVk,
    /// SHA-256 of its serialized form ([`vk_commitment`]).
    pub commitment: [u8; 32],
    /// Whether it was made with the test CRS (tau = 42, read from the key's `tau·G2`): proofs under
    /// it prove nothing.
    pub test_crs: bool,
}

impl WrapperVk {
    /// Pins a key: computes its commitment and whether its CRS is the test CRS.
    pub fn new(vk: SnarkVk) -> Result<Self, ProverError> {
        let commitment = vk_commitment(&vk)?;
        let mut tau_g2 = G2Affine::one().into_projective();
        tau_g2.mul_assign(<Fr as PrimeField>::Repr::from(42));
        let test_crs = vk.g2_elements[1] == tau_g2.into_affine();
        Ok(WrapperVk {
            vk,
            commitment,
            test_crs,
        })
    }

    /// Reads a wrapper key file (`wrapper-*.vk` in a key directory, or one an operator handed out).
    pub fn read(path: &Path) -> Result<Self, ProverError> {
        let file = std::fs::File::open(path).map_err(|e| io(path, e))?;
        let mut reader = std::io::BufReader::new(file);
        let vk =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| SnarkVk::read(&mut reader)))
                .map_err(|_| io(path, "unreadable wrapper key"))?
                .map_err(|e| io(path, e))?;
        Self::new(vk)
    }

    /// The wrapper key with commitment `commitment` among those [`WrapKeys::prepare_for`] computed
    /// under `keys`' directory for its profile and protocol version and for `target`: batches
    /// (`<dir>/wrap/<profile>-v<version>/<layer>/wrapper-*.vk`) or one family's aggregates
    /// (`aggregate-<family>-<layer>/`), if any: keys this machine derived from the circuits and a CRS
    /// it was given, never one a record or a peer supplies.
    pub fn find(
        keys: &KeyStore,
        target: WrapTarget,
        commitment: &[u8; 32],
    ) -> Result<Option<Self>, ProverError> {
        let Some(dir) = keys.dir() else {
            return Ok(None);
        };
        let Ok(layers) = std::fs::read_dir(wrap_root(dir, keys)) else {
            return Ok(None);
        };
        for layer in layers.flatten() {
            let name = layer.file_name().to_string_lossy().into_owned();
            let ours = match target {
                WrapTarget::Batch => !name.starts_with(AGGREGATE_PREFIX),
                WrapTarget::Aggregate(_) => name.starts_with(&folder_prefix(target)),
            };
            if !ours {
                continue;
            }
            let Ok(files) = std::fs::read_dir(layer.path()) else {
                continue;
            };
            for file in files.flatten() {
                let name = file.file_name();
                let name = name.to_string_lossy();
                if !(name.starts_with("wrapper-") && name.ends_with(".vk")) {
                    continue;
                }
                match Self::read(&file.path()) {
                    Ok(vk) if &vk.commitment == commitment => return Ok(Some(vk)),
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "skipping an unreadable wrapper key"),
                }
            }
        }
        Ok(None)
    }

    /// Checks wrapper proof bytes against this key and the commitment the wrapped proof carries (a
    /// batch commitment, or an aggregate's `crate::circuits::wrap::aggregate_commitment`).
    pub fn verify(&self, bytes: &[u8], commitment: &[u64; 4]) -> bool {
        snark::decode(bytes).is_ok_and(|p| snark::verify(&self.vk, &p, commitment))
    }
}

/// Everything needed to wrap and to check wrapped proofs.
pub struct WrapKeys {
    /// The wrap layer's setup.
    pub layer: LayerSetup,
    /// The wrapper's setup.
    pub setup: SnarkSetup,
    /// The wrapper's verification key, pinned.
    pub pinned: WrapperVk,
    /// The CRS the wrapper's key and proofs are made with.
    pub crs: MonomialCrs,
    /// Its short name ([`crs_id`]).
    pub crs_id: String,
    /// Where the wrap layer's setup and the wrapper's setup and key came from: `Loaded` only when
    /// all three were read from the cache.
    pub source: Source,
}

/// Peak memory one wrap takes (the wrap layer, then the wrapper's proof) at a wrapper domain of
/// `domain` rows: ~4.4 KB per row and half a GiB besides, from the measurements in `README.md`
/// (5.4 GB at 2^20 with a test-profile demo around it; 18.3 GB at 2^22, `benches/benches/wrap.rs`).
pub fn memory_per_wrap(domain: usize) -> u64 {
    domain as u64 * 4_400 + (512 << 20)
}

fn io(path: &Path, e: impl std::fmt::Display) -> ProverError {
    ProverError::KeyCache {
        path: path.display().to_string(),
        reason: e.to_string(),
    }
}

/// Reads a monomial-form CRS file, checking its length against its header first (a file of another
/// format is refused, not trusted for an allocation). Its errors are the operator's to fix (a path
/// or a file), so none is retryable.
pub fn read_crs(path: &Path) -> Result<MonomialCrs, ProverError> {
    let io = |path: &Path, e: &dyn std::fmt::Display| {
        ProverError::Config(format!("CRS file {}: {e}", path.display()))
    };
    let bytes = std::fs::read(path).map_err(|e| io(path, &e))?;
    let g1 = bytes
        .get(..8)
        .map(|h| u64::from_be_bytes(h.try_into().unwrap_or_default()))
        .ok_or_else(|| io(path, &"shorter than its header"))?;
    let expected = 8u64
        .saturating_add(g1.saturating_mul(64))
        .saturating_add(8 + 2 * 128);
    if bytes.len() as u64 != expected {
        return Err(io(
            path,
            &format!(
                "{} bytes, but a CRS of {g1} G1 points has {expected}: not a monomial-form CRS",
                bytes.len()
            ),
        ));
    }
    let mut reader = bytes.as_slice();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        MonomialCrs::read(&mut reader)
    }))
    .map_err(|_| io(path, &"unreadable CRS"))?
    .map_err(|e| io(path, &e))
}

/// A short name of a CRS: its size and a hash of `tau·G1` and `tau·G2`, which determine it.
pub fn crs_id(crs: &MonomialCrs) -> String {
    let mut h = Sha256::new();
    if let Some(g) = crs.g1_bases.get(1) {
        h.update(g.into_uncompressed().as_ref());
    }
    if let Some(g) = crs.g2_monomial_bases.get(1) {
        h.update(g.into_uncompressed().as_ref());
    }
    format!("{}-{}", crs.g1_bases.len(), hex::encode(&h.finalize()[..8]))
}

/// The commitment the wrapper's key is pinned by: SHA-256 of its serialized form.
pub fn vk_commitment(vk: &SnarkVk) -> Result<[u8; 32], ProverError> {
    let mut bytes = Vec::new();
    vk.write(&mut bytes)
        .map_err(|e| ProverError::Wrapper(e.to_string()))?;
    Ok(Sha256::digest(&bytes).into())
}

/// Key folders of aggregate wrap layers start with this (batch layers' are the bare layer id).
const AGGREGATE_PREFIX: &str = "aggregate-";

/// What the key folders of `target`'s wrap layers start with: nothing for batches,
/// `aggregate-<family>-` for a family's aggregates.
fn folder_prefix(target: WrapTarget) -> String {
    match target {
        WrapTarget::Batch => String::new(),
        WrapTarget::Aggregate(family) => format!("{AGGREGATE_PREFIX}{family}-"),
    }
}

/// `<dir>/wrap/<profile>-v<version>`: the wrap keys of `keys`' profile and protocol version.
fn wrap_root(dir: &Path, keys: &KeyStore) -> PathBuf {
    dir.join("wrap").join(format!(
        "{}-v{}",
        keys.profile().name,
        keys.protocol_version()
    ))
}

/// The first 8 bytes of the SHA-256 of `value`'s bincode, in hex: how cache entries name the key
/// they were made over.
fn short_digest<T: serde::Serialize>(value: &T) -> Result<String, ProverError> {
    let bytes = bincode::serialize(value).map_err(|e| ProverError::Wrapper(e.to_string()))?;
    Ok(hex::encode(&Sha256::digest(&bytes)[..8]))
}

/// The wrap layer's setup over `target`: read from `<wrap root>/<prefix>layer-<child>.setup` when
/// cached there, else computed (8.5 s for a batch in the test profile, about a minute for an
/// aggregate in production) and cached. `<child>` is the first 8 bytes of the SHA-256 of the wrapped
/// circuit's key, so a setup made over another key (another family's top node) is never read.
fn layer_setup(
    keys: &KeyStore,
    target: WrapTarget,
    worker: &boojum::worker::Worker,
) -> Result<(LayerSetup, Source), ProverError> {
    let path = match keys.dir() {
        Some(dir) => {
            let child = short_digest(&keys.vk(target.circuit_id(keys))?)?;
            let name = format!("{}layer-{child}.setup", folder_prefix(target));
            Some(wrap_root(dir, keys).join(name))
        }
        None => None,
    };
    if let Some(p) = &path {
        match read_layer(p) {
            Some(layer) if layer.target == target => return Ok((layer, Source::Loaded)),
            Some(_) => {
                tracing::warn!(path = %p.display(), "cached wrap layer setup of another target: computing it again")
            }
            None => {}
        }
    }
    let layer = layer::setup_for(keys, target, worker)?;
    if let Some(p) = &path {
        // Only a saving: when it cannot be written (a read-only key directory), the next start
        // computes it again, and this one goes on.
        let written = write_digested(p, |w| {
            bincode::serialize_into(w, &layer).map_err(std::io::Error::other)
        });
        if let Err(e) = written {
            tracing::warn!(error = %e, "could not cache the wrap layer's setup; computed at every start");
        }
    }
    Ok((layer, Source::Computed))
}

/// A cached wrap layer setup (the key store's digested format: `crate::keys`' `read_digested`).
fn read_layer(path: &Path) -> Option<LayerSetup> {
    read_saving(path, |r| {
        bincode::deserialize_from(r).map_err(std::io::Error::other)
    })
}

/// [`read_digested`] of an entry that is only a saving (the wrap layer's and the wrapper's setups):
/// `None` also when the file cannot be read (a warning says why), and it is computed again.
fn read_saving<T>(
    path: &Path,
    decode: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
) -> Option<T> {
    read_digested(path, decode).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "unreadable cached setup: computing it again");
        None
    })
}

/// Reads a cached wrapper key (bellman's own format, as [`WrapperVk::read`] reads it: no digest) with
/// `read`, under `catch_unwind`: `None` when it is absent, and `None` with a warning when it is
/// unreadable.
fn read_cached<T>(
    path: &Path,
    read: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
) -> Option<T> {
    let file = std::fs::File::open(path).ok()?;
    let mut reader = std::io::BufReader::new(file);
    // bellman's readers trust the lengths they read: a damaged file may panic rather than fail.
    let read = catch_unwind(AssertUnwindSafe(|| read(&mut reader)))
        .unwrap_or_else(|_| Err(std::io::Error::other("the reader panicked")));
    match read {
        Ok(v) => Some(v),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "unreadable cached wrapper key: computing it again");
            None
        }
    }
}

impl WrapKeys {
    /// [`Self::prepare_for`] batches.
    pub fn prepare(keys: &KeyStore, crs: &CrsSource, threads: usize) -> Result<Self, ProverError> {
        Self::prepare_for(keys, WrapTarget::Batch, crs, threads)
    }

    /// Loads (or computes and caches) the setup of the wrap layer over `target`, and the wrapper's
    /// setup and key under `crs`, in `keys`' directory: one set per (wrap layer key, CRS),
    /// so per protocol version, profile and target (an aggregate's layer key depends on its family's
    /// keys).
    pub fn prepare_for(
        keys: &KeyStore,
        target: WrapTarget,
        crs: &CrsSource,
        threads: usize,
    ) -> Result<Self, ProverError> {
        // An operator's CRS file is read first: a wrong path fails before minutes of setup.
        let file_crs = match crs {
            CrsSource::Test => None,
            CrsSource::File(path) => Some(read_crs(path)?),
        };
        let worker = boojum::worker::Worker::new_with_num_threads(threads.max(1));
        let bellman = snark::bellman_worker(threads);
        let (layer, layer_source) = layer_setup(keys, target, &worker)?;
        let config = layer::proof_config(keys);
        let layer_id = short_digest(&layer.vk)?;
        let folder = format!("{}{layer_id}", folder_prefix(target));
        let dir = keys.dir().map(|d| wrap_root(d, keys).join(folder));
        let cached_setup = dir
            .as_ref()
            .and_then(|d| read_saving(&d.join("wrapper.setup"), |r| SnarkSetup::read(r)));
        let (setup, setup_source) = match cached_setup {
            Some(s) => (s, Source::Loaded),
            None => (
                snark::setup(&layer.vk, &config, &bellman)?,
                Source::Computed,
            ),
        };
        let domain = snark::domain_size(&setup);
        let crs = match file_crs {
            None => test_crs(keys.dir(), domain, &bellman)?,
            Some(crs) => crs,
        };
        if crs.g1_bases.len() < domain {
            return Err(ProverError::Config(format!(
                "the CRS has {} points; the wrapper needs {domain}",
                crs.g1_bases.len()
            )));
        }
        let vk_path = dir
            .as_ref()
            .map(|d| d.join(format!("wrapper-{}.vk", crs_id(&crs))));
        let (vk, vk_source) = match vk_path
            .as_ref()
            .and_then(|p| read_cached(p, |r| SnarkVk::read(r)))
        {
            Some(vk) => (vk, Source::Loaded),
            None => (
                snark::verification_key(&setup, &crs, &bellman)?,
                Source::Computed,
            ),
        };
        if let (Some(d), Source::Computed) = (&dir, setup_source) {
            write_digested(&d.join("wrapper.setup"), |w| setup.write(w))?;
        }
        if let (Some(p), Source::Computed) = (&vk_path, vk_source) {
            write_atomically(p, |w| vk.write(w))?;
        }
        let source = if [layer_source, setup_source, vk_source] == [Source::Loaded; 3] {
            Source::Loaded
        } else {
            Source::Computed
        };
        Ok(WrapKeys {
            layer,
            setup,
            pinned: WrapperVk::new(vk)?,
            crs_id: crs_id(&crs),
            crs,
            source,
        })
    }

    /// The wrapper key of batches under `crs` without the wrapper's setup: what a process that
    /// verifies or records wrapped proofs but proves none needs (a few GiB less, and no setup to
    /// compute). The wrap layer's setup gives its folder, where [`Self::prepare_for`] cached the key
    /// (for `crs`: the key of that file's CRS; for the test CRS: the test-CRS key there). When none
    /// is cached, the key is computed as [`Self::prepare`] does (minutes, and the setup's memory,
    /// once), and cached. Returns the key and the CRS's short name.
    pub fn pin(
        keys: &KeyStore,
        crs: &CrsSource,
        threads: usize,
    ) -> Result<(WrapperVk, String), ProverError> {
        let worker = boojum::worker::Worker::new_with_num_threads(threads.max(1));
        let (layer, _) = layer_setup(keys, WrapTarget::Batch, &worker)?;
        let layer_id = short_digest(&layer.vk)?;
        drop(layer);
        if let Some(dir) = keys.dir().map(|d| wrap_root(d, keys).join(&layer_id)) {
            match crs {
                CrsSource::File(path) => {
                    let id = crs_id(&read_crs(path)?);
                    let file = dir.join(format!("wrapper-{id}.vk"));
                    if let Ok(vk) = WrapperVk::read(&file) {
                        return Ok((vk, id));
                    }
                }
                CrsSource::Test => {
                    for file in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                        let name = file.file_name().to_string_lossy().into_owned();
                        let Some(id) = name
                            .strip_prefix("wrapper-")
                            .and_then(|n| n.strip_suffix(".vk"))
                        else {
                            continue;
                        };
                        match WrapperVk::read(&file.path()) {
                            Ok(vk) if vk.test_crs => return Ok((vk, id.to_string())),
                            _ => {}
                        }
                    }
                }
            }
        }
        let full = Self::prepare(keys, crs, threads)?;
        Ok((full.pinned, full.crs_id))
    }

    /// Wraps a proof of the layer's target (a scheduler proof, or a family's top node): the wrap
    /// layer, then the wrapper. Returns the wrapper proof's bytes.
    pub fn wrap(
        &self,
        keys: &KeyStore,
        wrapped: &BProof,
        threads: usize,
    ) -> Result<Vec<u8>, ProverError> {
        let worker = boojum::worker::Worker::new_with_num_threads(threads.max(1));
        let bellman = snark::bellman_worker(threads);
        let layer_proof = layer::prove(keys, &self.layer, wrapped, &worker)?;
        let config = layer::proof_config(keys);
        let proof = snark::prove(
            &self.layer.vk,
            &config,
            layer_proof,
            &self.setup,
            &self.crs,
            &bellman,
        )?;
        snark::encode(&proof)
    }

    /// Checks wrapper proof bytes against this key and the commitment the wrapped proof carries.
    pub fn verify(&self, bytes: &[u8], commitment: &[u64; 4]) -> bool {
        self.pinned.verify(bytes, commitment)
    }

    /// Whether the CRS is the insecure test CRS.
    pub fn test_crs(&self) -> bool {
        self.pinned.test_crs
    }

    /// The wrapper's domain: the rows of its circuit, the CRS points it needs.
    pub fn domain(&self) -> usize {
        snark::domain_size(&self.setup)
    }
}

/// The test CRS of `domain` points: read from `<dir>/wrap/crs42-<domain>.key` when cached there,
/// else computed (~40 s at 2^20) and cached.
fn test_crs(
    dir: Option<&Path>,
    domain: usize,
    bellman: &BellmanWorker,
) -> Result<MonomialCrs, ProverError> {
    let path = dir.map(|d| d.join("wrap").join(format!("crs42-{domain}.key")));
    if let Some(p) = path.as_ref().filter(|p| p.exists()) {
        match read_crs(p) {
            Ok(crs) if crs.g1_bases.len() == domain => return Ok(crs),
            Ok(_) => {
                tracing::warn!(path = %p.display(), "cached test CRS of another size: computing it again")
            }
            Err(e) => tracing::warn!(error = %e, "unreadable cached test CRS: computing it again"),
        }
    }
    let crs = MonomialCrs::crs_42(domain, bellman);
    if let Some(p) = &path {
        write_atomically(p, |w| crs.write(w))?;
    }
    Ok(crs)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_cache_write_is_whole_or_absent_and_sweeps_only_stale_temporaries() {
        let dir = tempfile::tempdir().unwrap();
        let entry = dir.path().join("wrapper-x.vk");
        let aged = |name: &str, age_s: u64| {
            let file = std::fs::File::create(dir.path().join(name)).unwrap();
            let when = std::time::SystemTime::now() - std::time::Duration::from_secs(age_s);
            file.set_modified(when).unwrap();
        };
        aged("wrapper-x.tmp-00000000000000aa", 2 * 3600); // a killed writer's
        aged("wrapper-x.tmp-00000000000000bb", 10); // a live writer's
        aged("other.tmp-00000000000000cc", 2 * 3600); // another entry's
        write_atomically(&entry, |w| w.write_all(b"setup")).unwrap();
        assert_eq!(std::fs::read(&entry).unwrap(), b"setup");
        assert_eq!(
            names(dir.path()),
            [
                "other.tmp-00000000000000cc",
                "wrapper-x.tmp-00000000000000bb",
                "wrapper-x.vk"
            ]
        );
        // A write that fails leaves the entry as it was, and no temporary file.
        let failed = write_atomically(&entry, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(matches!(failed, Err(ProverError::KeyCache { .. })));
        assert_eq!(std::fs::read(&entry).unwrap(), b"setup");
        assert_eq!(names(dir.path()).len(), 3);
        // A reader that panics on a damaged file is a miss, not a crash.
        let read: Option<()> = read_cached(&entry, |_| panic!("capacity overflow"));
        assert!(read.is_none());
    }
}
