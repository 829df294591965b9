//! The artifact store: every stored proof, framed, under its key's path ([`Stored`]: a batch's
//! [`Artifact`] under its [`ArtifactKey`], user-proof mode's [`UserArtifact`] under its
//! [`UserProofKey`]) in an `object_store` (a local directory by default; any `object_store` URL the
//! build supports). A stage
//! writes its artifact here *before* it forwards the reference, so a reference always names bytes that
//! exist, and a restarted pipeline finds finished work.

use std::fmt;
use std::sync::Arc;

use futures::executor::block_on;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, PutPayload};
use zkstream_types::{Artifact, ArtifactKey, Framed, UserArtifact, UserProofKey, WireError};

/// Errors of the artifact store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL could not be parsed or names an unsupported scheme.
    #[error("artifact store URL {url:?}: {reason}")]
    Url {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The backend failed.
    #[error("artifact store {op} {path}: {source}")]
    Backend {
        /// get or put.
        op: &'static str,
        /// The object path.
        path: String,
        /// The backend's error.
        source: object_store::Error,
    },
    /// The stored bytes are not a valid artifact frame.
    #[error("artifact {path} is corrupt: {source}")]
    Corrupt {
        /// The object path.
        path: String,
        /// The decode error.
        source: WireError,
    },
    /// The stored artifact names another key than the one it is stored under.
    #[error("artifact {path} holds the artifact of {found}")]
    Misplaced {
        /// The object path.
        path: String,
        /// The key inside.
        found: String,
    },
}

impl StoreError {
    /// Whether retrying can help: a backend failure may be transient (I/O, network); a bad URL, a
    /// corrupt or misplaced artifact is the same on every read.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Backend { source, .. } => !matches!(
                source,
                object_store::Error::NotFound { .. }
                    | object_store::Error::InvalidPath { .. }
                    | object_store::Error::NotSupported { .. }
                    | object_store::Error::NotImplemented
                    | object_store::Error::UnknownConfigurationKey { .. }
            ),
            StoreError::Url { .. } | StoreError::Corrupt { .. } | StoreError::Misplaced { .. } => {
                false
            }
        }
    }
}

/// A handle on the artifact store; cheap to clone and shared by every worker and prover slot.
#[derive(Clone, Debug)]
pub struct ArtifactStore {
    inner: Arc<dyn ObjectStore>,
    prefix: Path,
    url: String,
}

impl ArtifactStore {
    /// Opens a store by URL: `file:///abs/dir` or `memory://` (process-local, for tests).
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let bad = |reason: String| StoreError::Url {
            url: url.to_string(),
            reason,
        };
        let parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        let (inner, prefix): (Arc<dyn ObjectStore>, Path) = match parsed.scheme() {
            "memory" => (Arc::new(InMemory::new()), Path::default()),
            "file" => {
                let (store, prefix) =
                    object_store::parse_url(&parsed).map_err(|e| bad(e.to_string()))?;
                (Arc::from(store), prefix)
            }
            other => return Err(bad(format!("unsupported scheme {other:?} (file, memory)"))),
        };
        Ok(ArtifactStore {
            inner,
            prefix,
            url: url.to_string(),
        })
    }

    /// Opens a store in a local directory (created if missing).
    pub fn local(dir: &std::path::Path) -> Result<Self, StoreError> {
        let bad = |reason: String| StoreError::Url {
            url: dir.display().to_string(),
            reason,
        };
        std::fs::create_dir_all(dir).map_err(|e| bad(e.to_string()))?;
        let abs = std::fs::canonicalize(dir).map_err(|e| bad(e.to_string()))?;
        let url = url::Url::from_directory_path(&abs)
            .map_err(|()| bad("not an absolute directory".into()))?;
        Self::open(url.as_str())
    }

    /// The URL it was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    fn object_path(&self, relative: &str) -> Path {
        let mut p = self.prefix.clone();
        for part in relative.split('/') {
            p = p.child(part);
        }
        p
    }

    /// Writes an artifact (atomically on a local directory: temporary file, then rename).
    pub fn put<T: Stored>(&self, artifact: &T) -> Result<(), StoreError> {
        let path = self.object_path(&T::path_of(artifact.key()));
        let bytes = artifact.to_frame().map_err(|source| StoreError::Corrupt {
            path: path.to_string(),
            source,
        })?;
        self.put_bytes(&path, bytes)
    }

    fn put_bytes(&self, path: &Path, bytes: Vec<u8>) -> Result<(), StoreError> {
        block_on(self.inner.put(path, PutPayload::from(bytes)))
            .map(|_| ())
            .map_err(|source| StoreError::Backend {
                op: "put",
                path: path.to_string(),
                source,
            })
    }

    /// Reads an artifact; `Ok(None)` if there is none under that key.
    pub fn get<T: Stored>(&self, key: &T::Key) -> Result<Option<T>, StoreError> {
        let path = self.object_path(&T::path_of(key));
        let backend = |source| StoreError::Backend {
            op: "get",
            path: path.to_string(),
            source,
        };
        let bytes = match block_on(async {
            let got = self.inner.get(&path).await?;
            got.bytes().await
        }) {
            Ok(b) => b,
            Err(object_store::Error::NotFound { .. }) => return Ok(None),
            Err(e) => return Err(backend(e)),
        };
        let artifact = T::from_frame(&bytes).map_err(|source| StoreError::Corrupt {
            path: path.to_string(),
            source,
        })?;
        if artifact.key() != key {
            return Err(StoreError::Misplaced {
                path: path.to_string(),
                found: artifact.key().to_string(),
            });
        }
        Ok(Some(artifact))
    }
}

/// Something the store keeps under its key: a framed value that knows its key, and a key that names
/// its object path. The store reads nothing else, so every kind of proof (a batch's tree, aggregation
/// mode's tree, a circuit family's) is stored the same way.
pub trait Stored: Framed {
    /// What it is stored under.
    type Key: PartialEq + fmt::Display;
    /// Its key.
    fn key(&self) -> &Self::Key;
    /// The object path of a key, relative to the store's prefix.
    fn path_of(key: &Self::Key) -> String;
}

impl Stored for Artifact {
    type Key = ArtifactKey;
    fn key(&self) -> &ArtifactKey {
        &self.key
    }
    fn path_of(key: &ArtifactKey) -> String {
        key.path()
    }
}

impl Stored for UserArtifact {
    type Key = UserProofKey;
    fn key(&self) -> &UserProofKey {
        &self.key
    }
    fn path_of(key: &UserProofKey) -> String {
        key.path()
    }
}

impl ArtifactStore {
    fn state_path(&self, name: &str) -> Path {
        self.prefix.child("state").child(name)
    }

    /// Writes a small state record (e.g. the sink's delivery progress) under `state/NAME`, atomically.
    pub fn put_state(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.put_bytes(&self.state_path(name), bytes)
    }

    /// Reads a state record; `Ok(None)` if there is none.
    pub fn get_state(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.state_path(name);
        match block_on(async {
            let got = self.inner.get(&path).await?;
            got.bytes().await
        }) {
            Ok(b) => Ok(Some(b.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(source) => Err(StoreError::Backend {
                op: "get",
                path: path.to_string(),
                source,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_types::{AggregationRound, CircuitType, Digest};

    fn key(index: u32) -> ArtifactKey {
        ArtifactKey {
            protocol_version: 1,
            batch: 7,
            round: AggregationRound::Leaf,
            circuit: Some(CircuitType::Sha256),
            depth: 0,
            index,
        }
    }

    fn artifact(index: u32) -> Artifact {
        Artifact {
            key: key(index),
            vk_commitment: Digest([1, 2, 3, 4]),
            public_input: Digest([5, 6, 7, 8]),
            range: None,
            proof: vec![9; 1000],
        }
    }

    #[test]
    fn local_directory_round_trip_and_missing() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::local(dir.path()).unwrap();
        assert_eq!(store.get::<Artifact>(&key(0)).unwrap(), None);
        store.put(&artifact(0)).unwrap();
        assert_eq!(store.get(&key(0)).unwrap(), Some(artifact(0)));
        let on_disk = dir.path().join(key(0).path());
        assert!(on_disk.is_file(), "{on_disk:?}");
        // A second handle on the same directory (a restarted process) sees it.
        let again = ArtifactStore::local(dir.path()).unwrap();
        assert_eq!(again.get(&key(0)).unwrap(), Some(artifact(0)));
    }

    #[test]
    fn corrupt_and_misplaced_artifacts_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::local(dir.path()).unwrap();
        store.put(&artifact(1)).unwrap();
        let p1 = dir.path().join(key(1).path());
        let p2 = dir.path().join(key(2).path());
        std::fs::copy(&p1, &p2).unwrap();
        assert!(matches!(
            store.get::<Artifact>(&key(2)),
            Err(StoreError::Misplaced { .. })
        ));
        std::fs::write(&p1, b"ZKSA\x00\x01garbage").unwrap();
        assert!(matches!(
            store.get::<Artifact>(&key(1)),
            Err(StoreError::Corrupt { .. })
        ));
    }

    #[test]
    fn urls() {
        assert!(ArtifactStore::open("memory://").is_ok());
        let err = ArtifactStore::open("ftp://x/y").unwrap_err().to_string();
        assert!(err.contains("unsupported scheme"), "{err}");
        assert!(ArtifactStore::open("not a url").is_err());
    }
}
