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
        // Write to a temporary file and rename, so a reader never sees half a file.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let file = std::fs::File::create(&tmp).map_err(|e| Self::cache_err(&tmp, e))?;
        let mut w = std::io::BufWriter::new(file);
        bincode::serialize_into(&mut w, data).map_err(|e| Self::cache_err(&tmp, e))?;
        use std::io::Write;
        w.flush().map_err(|e| Self::cache_err(&tmp, e))?;
        drop(w);
        std::fs::rename(&tmp, &path).map_err(|e| Self::cache_err(&path, e))
    }
}
