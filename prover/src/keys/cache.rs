//! The key store's disk cache: where a circuit's setup lives, reading it (a corrupt entry is
//! recomputed) and writing it (temporary file, then rename).

use std::fmt;
use std::path::{Path, PathBuf};

use crate::error::ProverError;

use super::{CircuitId, KeyStore, SetupData};

impl KeyStore {
    pub(super) fn path(&self, id: CircuitId) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        Some(match id {
            CircuitId::UserProgram(..) | CircuitId::UserChunk(_) | CircuitId::UserNode(..) => {
                self.user_dir(dir).join(format!("{id}.setup"))
            }
            _ => dir.join(format!("{id}.setup")),
        })
    }

    pub(super) fn cache_err(path: &Path, e: impl fmt::Display) -> ProverError {
        ProverError::KeyCache {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }

    pub(super) fn load(&self, id: CircuitId) -> Result<Option<SetupData>, ProverError> {
        let Some(path) = self.path(id) else {
            return Ok(None);
        };
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Self::cache_err(&path, e)),
        };
        match bincode::deserialize_from(std::io::BufReader::new(file)) {
            Ok(d) => Ok(Some(d)),
            Err(e) => {
                // A corrupt cache entry (e.g. a crash mid-write of an older version) is recomputed.
                tracing::warn!(path = %path.display(), error = %e, "discarding unreadable setup cache entry");
                Ok(None)
            }
        }
    }

    pub(super) fn store(&self, id: CircuitId, data: &SetupData) -> Result<(), ProverError> {
        let Some(path) = self.path(id) else {
            return Ok(());
        };
        write_atomically(&path, |w| {
            bincode::serialize_into(w, data).map_err(std::io::Error::other)
        })
    }
}

/// Writes a cache entry whole or not at all: to a temporary file of this writer's own, then renamed
/// over `path` (its directory created first); a failed write leaves no file behind.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), ProverError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| KeyStore::cache_err(dir, e))?;
    }
    // A name of this writer's own: processes that share the directory (a cluster's, on one machine
    // or in containers over one volume, where process ids repeat) may write the same entry at once;
    // each renames a whole file over it.
    let tmp = path.with_extension(format!("{TMP_TAG}{:016x}", rand::random::<u64>()));
    sweep_stale_temporaries(path);
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| KeyStore::cache_err(&tmp, e))?;
    let mut w = std::io::BufWriter::new(file);
    let written = write(&mut w)
        .and_then(|()| std::io::Write::flush(&mut w))
        .map_err(|e| KeyStore::cache_err(&tmp, e))
        .and_then(|()| {
            drop(w);
            std::fs::rename(&tmp, path).map_err(|e| KeyStore::cache_err(path, e))
        });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// What a cache entry's temporary file has in place of the entry's extension, before its random
/// part.
const TMP_TAG: &str = "tmp-";

/// How old a temporary file must be to count as a killed writer's: no live writer takes this long
/// (a production wrapper setup, 2.7 GB, is written in about a minute).
const STALE_TMP: std::time::Duration = std::time::Duration::from_secs(3600);

/// Removes the temporary files of `path`'s entry that writers killed mid-write left behind (each
/// has a random name, so none is ever written over).
fn sweep_stale_temporaries(path: &Path) {
    let (Some(dir), Some(stem)) = (path.parent(), path.file_stem()) else {
        return;
    };
    let prefix = format!("{}.{TMP_TAG}", stem.to_string_lossy());
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age > STALE_TMP);
        if stale && entry.file_name().to_string_lossy().starts_with(&prefix) {
            tracing::info!(path = %entry.path().display(), "removing a killed writer's temporary file");
            let _ = std::fs::remove_file(entry.path());
        }
    }
}
