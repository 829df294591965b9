//! The file sink: each final proof record, framed (`ZKSF…`), to `DIR/batch-N.proof`, written to a
//! temporary file and renamed so a reader never sees half a proof. Idempotent per batch: writing the
//! same batch again replaces the file with identical bytes.

use std::io::Write;
use std::path::{Path, PathBuf};

use zkstream_types::FinalBatchProof;

use crate::error::frame;
use crate::SinkError;

/// Writes final proofs into a directory.
#[derive(Clone, Debug)]
pub struct FileSink {
    dir: PathBuf,
}

impl FileSink {
    /// A sink into `dir` (created if missing).
    pub fn new(dir: &Path) -> Result<Self, SinkError> {
        std::fs::create_dir_all(dir).map_err(|source| SinkError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(FileSink {
            dir: dir.to_path_buf(),
        })
    }

    /// The file a batch's proof goes to.
    pub fn path(&self, batch_number: u64) -> PathBuf {
        self.dir.join(format!("batch-{batch_number}.proof"))
    }

    /// Writes one record; returns its path.
    pub fn deliver(&self, proof: &FinalBatchProof) -> Result<PathBuf, SinkError> {
        let bytes = frame(proof)?;
        let path = self.path(proof.batch_number);
        let tmp = path.with_extension("proof.tmp");
        let io = |source| SinkError::Io {
            path: path.clone(),
            source,
        };
        let mut f = std::fs::File::create(&tmp).map_err(io)?;
        f.write_all(&bytes).map_err(io)?;
        f.sync_all().map_err(io)?;
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_types::{Digest, Framed};

    #[test]
    fn writes_framed_records_idempotently() {
        let dir = tempfile::tempdir().unwrap();
        let sink = FileSink::new(&dir.path().join("out")).unwrap();
        let proof = FinalBatchProof {
            batch_number: 12,
            protocol_version: 1,
            previous_batch_commitment: Digest::default(),
            batch_commitment: Digest([1; 4]),
            aggregation_result_coords: Vec::new(),
            vk_set_commitment: Digest::default(),
            proof_profile: "test".into(),
            proof: vec![4; 64],
            wrap: None,
        };
        let path = sink.deliver(&proof).unwrap();
        assert!(path.ends_with("batch-12.proof"));
        let first = std::fs::read(&path).unwrap();
        assert_eq!(FinalBatchProof::from_frame(&first).unwrap(), proof);
        sink.deliver(&proof).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), first);
        assert!(!path.with_extension("proof.tmp").exists());
    }
}
