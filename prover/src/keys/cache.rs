//! The key store's disk cache: where a circuit's setup lives, reading it (a damaged entry is
//! recomputed) and writing it (temporary file, then rename). The format every cached setup shares
//! (the key store's, the wrap layer's and the wrapper's, `crate::wrap::keys`): the SHA-256 of the
//! rest of the file, then the setup ([`write_digested`], [`read_digested`]).

use std::fmt;
use std::io::{Read, Seek, SeekFrom, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use sha2::{Digest as _, Sha256};

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
        read_digested(&path, |r| {
            bincode::deserialize_from(r).map_err(std::io::Error::other)
        })
    }

    pub(super) fn store(&self, id: CircuitId, data: &SetupData) -> Result<(), ProverError> {
        let Some(path) = self.path(id) else {
            return Ok(());
        };
        write_digested(&path, |w| {
            bincode::serialize_into(w, data).map_err(std::io::Error::other)
        })
    }
}

/// Bytes of a digested entry's header: the SHA-256 of the rest of the file.
const DIGEST_LEN: u64 = 32;

/// Writes a cache entry as `write` streams it, behind the SHA-256 of what it wrote, whole or not at
/// all ([`write_atomically`]); [`read_digested`] reads it.
pub(crate) fn write_digested(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ProverError> {
    write_file_atomically(path, |file| {
        file.write_all(&[0; DIGEST_LEN as usize])?;
        let digest = {
            let mut out = Hashing {
                inner: std::io::BufWriter::new(&mut *file),
                hasher: Sha256::new(),
            };
            write(&mut out)?;
            out.inner.flush()?;
            out.hasher.finalize()
        };
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&digest)
    })
}

/// Reads a cache entry that [`write_digested`] wrote, decoded by `decode`. `Ok(None)` when there is
/// none, or when it is damaged: the digest does not match (or there is none), or `decode` fails or
/// panics. A warning says so, and the caller computes the entry
/// again. The digest is checked in a first pass over the file, before anything is decoded: boojum's
/// and bellman's decoders trust the lengths they read, and a damaged setup that decoded would make
/// proofs that fail. Errors only when the file is there but cannot be read.
pub(crate) fn read_digested<T>(
    path: &Path,
    decode: impl FnOnce(&mut dyn Read) -> std::io::Result<T>,
) -> Result<Option<T>, ProverError> {
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(KeyStore::cache_err(path, e)),
    };
    let intact = digest_matches(&mut file).map_err(|e| KeyStore::cache_err(path, e))?;
    if !intact {
        tracing::warn!(path = %path.display(), "cached setup whose digest does not match (damaged): computing it again");
        return Ok(None);
    }
    file.seek(SeekFrom::Start(DIGEST_LEN))
        .map_err(|e| KeyStore::cache_err(path, e))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let decoded = catch_unwind(AssertUnwindSafe(|| decode(&mut reader)))
        .unwrap_or_else(|_| Err(std::io::Error::other("the decoder panicked")));
    match decoded {
        Ok(v) => Ok(Some(v)),
        Err(e) => {
            tracing::warn!(path = %path.display(), error = %e, "undecodable cached setup: computing it again");
            Ok(None)
        }
    }
}

/// Whether the file's first [`DIGEST_LEN`] bytes are the SHA-256 of the rest (false when it is
/// shorter than that).
fn digest_matches(file: &mut std::fs::File) -> std::io::Result<bool> {
    let mut header = [0u8; DIGEST_LEN as usize];
    match file.read_exact(&mut header) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    let mut hasher = Sha256::new();
    std::io::copy(
        &mut std::io::BufReader::with_capacity(1 << 20, file),
        &mut hasher,
    )?;
    Ok(hasher.finalize()[..] == header)
}

/// A writer that hashes what passes through it.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Writes a cache entry whole or not at all: to a temporary file of this writer's own, then renamed
/// over `path` (its directory created first); a failed write leaves no file behind.
pub(crate) fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ProverError> {
    write_file_atomically(path, |file| {
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)?;
        w.flush()
    })
}

/// [`write_atomically`], handing `write` the temporary file itself.
fn write_file_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), ProverError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| KeyStore::cache_err(dir, e))?;
    }
    // A name of this writer's own: processes that share the directory (a cluster's, on one machine
    // or in containers over one volume, where process ids repeat) may write the same entry at once;
    // each renames a whole file over it.
    let tmp = path.with_extension(format!("{TMP_TAG}{:016x}", rand::random::<u64>()));
    sweep_stale_temporaries(path);
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(|e| KeyStore::cache_err(&tmp, e))?;
    let written = write(&mut file)
        .map_err(|e| KeyStore::cache_err(&tmp, e))
        .and_then(|()| {
            drop(file);
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn decode(r: &mut dyn Read) -> std::io::Result<Vec<u8>> {
        let mut v = Vec::new();
        r.read_to_end(&mut v)?;
        Ok(v)
    }

    /// An entry reads back as written; one flipped bit, a cut, an entry without the digest (an older
    /// zkstream's) or a decoder that panics is a miss to compute again, never a wrong setup or a
    /// crash; an absent entry is a miss too.
    #[test]
    fn a_digested_entry_reads_back_only_when_intact() {
        let dir = tempfile::tempdir().unwrap();
        let entry = dir.path().join("basic.setup");
        assert!(read_digested(&entry, decode).unwrap().is_none());
        let body: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        write_digested(&entry, |w| w.write_all(&body)).unwrap();
        let bytes = std::fs::read(&entry).unwrap();
        assert_eq!(bytes.len() as u64, DIGEST_LEN + body.len() as u64);
        assert_eq!(bytes[..32], Sha256::digest(&body)[..]);
        assert_eq!(read_digested(&entry, decode).unwrap().unwrap(), body);

        let damaged = |mut b: Vec<u8>| {
            std::fs::write(&entry, b.split_off(0)).unwrap();
            read_digested(&entry, decode).unwrap()
        };
        for at in [0, 31, 32, bytes.len() / 2, bytes.len() - 1] {
            let mut b = bytes.clone();
            b[at] ^= 0x01;
            assert!(damaged(b).is_none(), "bit flipped at {at}");
        }
        assert!(damaged(bytes[..bytes.len() - 1].to_vec()).is_none());
        assert!(damaged(bytes[..20].to_vec()).is_none());
        assert!(damaged(body.clone()).is_none(), "no digest");
        std::fs::write(&entry, &bytes).unwrap();
        let panicking: Option<()> = read_digested(&entry, |_| panic!("capacity overflow")).unwrap();
        assert!(panicking.is_none());
        let failing: Option<()> =
            read_digested(&entry, |_| Err(std::io::Error::other("bad tag"))).unwrap();
        assert!(failing.is_none());
        assert_eq!(read_digested(&entry, decode).unwrap().unwrap(), body);
    }

    /// A digested write that fails leaves the entry as it was, and no temporary file.
    #[test]
    fn a_failed_digested_write_leaves_the_entry_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let entry = dir.path().join("tip.setup");
        write_digested(&entry, |w| w.write_all(b"setup")).unwrap();
        let failed = write_digested(&entry, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(matches!(failed, Err(ProverError::KeyCache { .. })));
        assert_eq!(read_digested(&entry, decode).unwrap().unwrap(), b"setup");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
