//! The artifact store: every stored proof, framed, under its key's path ([`Stored`]: a batch's
//! [`Artifact`] under its [`ArtifactKey`], user-proof mode's [`UserArtifact`] under its
//! [`UserProofKey`]) in an `object_store`: a local directory (`file://`, the default), S3 or any
//! S3-compatible server such as MinIO (`s3://bucket/prefix`), Google Cloud Storage
//! (`gs://bucket/prefix`), or `memory://` for tests. A stage writes its artifact here *before* it
//! forwards the reference, so a reference always names bytes that exist, and a restarted pipeline finds
//! finished work.
//!
//! The store owns a small tokio runtime that drives `object_store` (its HTTP backends need one); the
//! callers (prover slots, the delivery thread, the user-proof service) block on it from their own
//! threads, never from a timely worker. A call that fails in a way that may pass (a connection reset,
//! a 5xx, a timeout) is retried with backoff here, each retry reported to the retry hook (the
//! `zkstream_store_retries_total` metric); `object_store`'s own HTTP retries are off so that every
//! retry is counted once.

use std::collections::BTreeMap;
use std::fmt;
use std::future::Future;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey, S3ConditionalPut};
use object_store::gcp::{GoogleCloudStorageBuilder, GoogleConfigKey};
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload, RetryConfig};
use zkstream_types::{
    AggregationRound, Artifact, ArtifactKey, Framed, SimKey, SimulatedArtifact, UserArtifact,
    UserProofKey, WireError,
};

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
    /// An object store could not be used at start (a missing bucket, refused credentials, an
    /// endpoint that does not answer).
    #[error("artifact store {url} is not usable: {source} (check the bucket, the endpoint and the credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_ENDPOINT_URL, or GOOGLE_APPLICATION_CREDENTIALS)")]
    Unusable {
        /// The store's URL.
        url: String,
        /// The backend's error.
        source: object_store::Error,
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
                    | object_store::Error::PermissionDenied { .. }
                    | object_store::Error::Unauthenticated { .. }
                    | object_store::Error::AlreadyExists { .. }
                    | object_store::Error::Precondition { .. }
                    | object_store::Error::InvalidPath { .. }
                    | object_store::Error::NotSupported { .. }
                    | object_store::Error::NotImplemented
                    | object_store::Error::UnknownConfigurationKey { .. }
            ),
            StoreError::Url { .. }
            | StoreError::Unusable { .. }
            | StoreError::Corrupt { .. }
            | StoreError::Misplaced { .. } => false,
        }
    }
}

/// Attempts at a store call whose error may pass, before the error is returned.
const ATTEMPTS: u32 = 5;
/// The wait after the first failed attempt (doubled after each, at most [`MAX_BACKOFF`]).
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
/// The longest wait between attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Called once per retried store call with the operation (`get`, `put`, `list`, `check`).
pub type RetryHook = Arc<dyn Fn(&'static str) + Send + Sync>;

/// A handle on the artifact store; cheap to clone and shared by every worker and prover slot.
#[derive(Clone)]
pub struct ArtifactStore {
    inner: Arc<dyn ObjectStore>,
    prefix: Path,
    url: String,
    shared: Arc<Shared>,
}

/// What every clone of a store shares: the runtime that drives it and the retry hook.
struct Shared {
    runtime: tokio::runtime::Runtime,
    on_retry: OnceLock<RetryHook>,
    ops: AtomicU64,
    /// CPU time of the I/O threads that ended, ns.
    io_cpu_exited: Arc<AtomicU64>,
}

/// The name of the store's I/O threads.
const IO_THREADS: &str = "zkstream-store";

/// User + system time of a procfs `stat` file (`/proc/self/stat`, a thread's; zero where there is
/// none: not Linux).
pub fn cpu_of_stat(path: impl AsRef<std::path::Path>) -> Duration {
    let Ok(stat) = std::fs::read_to_string(path) else {
        return Duration::ZERO;
    };
    // Fields after the command name (which may hold spaces); utime and stime are the 12th and 13th.
    let Some((_, rest)) = stat.rsplit_once(')') else {
        return Duration::ZERO;
    };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    // 100 ticks per second (the kernel's USER_HZ).
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

impl fmt::Debug for ArtifactStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArtifactStore")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl ArtifactStore {
    /// Opens a store by URL (see the module comment) with no extra options.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, &BTreeMap::new())
    }

    /// Opens a store by URL. `s3://` and `gs://` stores take their settings from the standard
    /// environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ENDPOINT_URL`,
    /// `AWS_ALLOW_HTTP`, ...; `GOOGLE_APPLICATION_CREDENTIALS`, ...), then `options` (the `[store.options]`
    /// table: `object_store`'s configuration keys, such as `aws_endpoint` or `google_service_account`),
    /// which win; an option no backend knows is refused by name. An object store is checked before it
    /// is used: a missing bucket or refused credentials fail here, with the reason.
    pub fn open_with(url: &str, options: &BTreeMap<String, String>) -> Result<Self, StoreError> {
        let bad = |reason: String| StoreError::Url {
            url: url.to_string(),
            reason,
        };
        let parsed = url::Url::parse(url).map_err(|e| bad(e.to_string()))?;
        let scheme = parsed.scheme();
        if !options.is_empty() && !matches!(scheme, "s3" | "gs") {
            return Err(bad(format!(
                "[store.options] apply to s3:// and gs:// stores, not {scheme}://"
            )));
        }
        // No retries inside object_store: they are made (and counted) here.
        let no_retries = RetryConfig {
            max_retries: 0,
            ..RetryConfig::default()
        };
        let prefix = Path::from(parsed.path());
        let (inner, prefix): (Arc<dyn ObjectStore>, Path) = match scheme {
            "memory" => (Arc::new(InMemory::new()), Path::default()),
            "file" => {
                let (store, prefix) =
                    object_store::parse_url(&parsed).map_err(|e| bad(e.to_string()))?;
                (Arc::from(store), prefix)
            }
            "s3" => {
                let mut b = AmazonS3Builder::from_env()
                    .with_url(url)
                    .with_retry(no_retries)
                    // Conditional writes (If-None-Match, If-Match), which fencing needs.
                    .with_conditional_put(S3ConditionalPut::ETagMatch);
                for (k, v) in options {
                    let key = AmazonS3ConfigKey::from_str(k)
                        .map_err(|_| bad(format!("unknown [store.options] key {k:?} for s3://")))?;
                    b = b.with_config(key, v);
                }
                (Arc::new(b.build().map_err(|e| bad(e.to_string()))?), prefix)
            }
            "gs" => {
                let mut b = GoogleCloudStorageBuilder::from_env()
                    .with_url(url)
                    .with_retry(no_retries);
                for (k, v) in options {
                    let key = GoogleConfigKey::from_str(k)
                        .map_err(|_| bad(format!("unknown [store.options] key {k:?} for gs://")))?;
                    b = b.with_config(key, v);
                }
                (Arc::new(b.build().map_err(|e| bad(e.to_string()))?), prefix)
            }
            other => {
                return Err(bad(format!(
                    "unsupported scheme {other:?} (file, s3, gs, memory)"
                )))
            }
        };
        let io_cpu_exited = Arc::new(AtomicU64::new(0));
        let exited = Arc::clone(&io_cpu_exited);
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name(IO_THREADS)
            // Blocking-pool threads come and go: keep the CPU time of those that end.
            .on_thread_stop(move || {
                let ns = cpu_of_stat("/proc/thread-self/stat").as_nanos();
                exited.fetch_add(u64::try_from(ns).unwrap_or(u64::MAX), Ordering::Relaxed);
            })
            .enable_all()
            .build()
            .map_err(|e| bad(format!("starting the store's runtime: {e}")))?;
        let store = ArtifactStore {
            inner,
            prefix,
            url: url.to_string(),
            shared: Arc::new(Shared {
                runtime,
                on_retry: OnceLock::new(),
                ops: AtomicU64::new(0),
                io_cpu_exited,
            }),
        };
        if matches!(scheme, "s3" | "gs") {
            store.check()?;
        }
        Ok(store)
    }

    /// Reports each retried call to `hook` (the first hook set stays; every clone shares it).
    pub fn on_retry(&self, hook: RetryHook) {
        let _ = self.shared.on_retry.set(hook);
    }

    /// Lists the store's prefix once: a missing bucket, refused credentials or an endpoint that does
    /// not answer fail here (after the retries a transient fault gets), with the backend's reason.
    pub fn check(&self) -> Result<(), StoreError> {
        self.call("check", &self.prefix, || async {
            self.inner
                .list_with_delimiter(Some(&self.prefix))
                .await
                .map(|_| ())
        })
        .map_err(|e| match e {
            StoreError::Backend { source, .. } => StoreError::Unusable {
                url: self.url.clone(),
                source,
            },
            other => other,
        })
    }

    /// Runs `call` on the store's runtime, retrying errors that may pass.
    fn call<T, F, Fut>(&self, op: &'static str, path: &Path, call: F) -> Result<T, StoreError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = object_store::Result<T>>,
    {
        let mut wait = FIRST_BACKOFF;
        let mut attempt = 1;
        loop {
            self.shared.ops.fetch_add(1, Ordering::Relaxed);
            let error = match self.shared.runtime.block_on(call()) {
                Ok(v) => return Ok(v),
                Err(source) => StoreError::Backend {
                    op,
                    path: path.to_string(),
                    source,
                },
            };
            if !error.is_retryable() || attempt >= ATTEMPTS {
                return Err(error);
            }
            tracing::warn!(op, %path, attempt, error = %error, ?wait, "store call failed; retrying");
            if let Some(hook) = self.shared.on_retry.get() {
                hook(op);
            }
            std::thread::sleep(wait);
            wait = (wait * 2).min(MAX_BACKOFF);
            attempt += 1;
        }
    }

    /// Calls made to the object store so far by every clone of this handle (gets, puts, lists,
    /// deletes; each retry counts again).
    pub fn operations(&self) -> u64 {
        self.shared.ops.load(Ordering::Relaxed)
    }

    /// CPU time the process's store I/O threads used so far (this store's runtime and any other in the
    /// process; Linux only, zero elsewhere): what a measurement sets apart from the coordinator's own.
    pub fn io_cpu(&self) -> Duration {
        let exited = Duration::from_nanos(self.shared.io_cpu_exited.load(Ordering::Relaxed));
        let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
            return exited;
        };
        let live: Duration = tasks
            .flatten()
            .filter(|t| {
                std::fs::read_to_string(t.path().join("comm"))
                    .is_ok_and(|c| c.trim_end() == IO_THREADS)
            })
            .map(|t| cpu_of_stat(t.path().join("stat")))
            .sum();
        exited + live
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
        let payload = PutPayload::from(bytes);
        self.call("put", path, || self.inner.put(path, payload.clone()))
            .map(|_| ())
    }

    /// The bytes under `path`; `Ok(None)` if there are none.
    fn get_bytes(&self, path: &Path) -> Result<Option<Vec<u8>>, StoreError> {
        self.call("get", path, || async {
            match self.inner.get(path).await {
                Ok(got) => got.bytes().await.map(|b| Some(b.to_vec())),
                Err(object_store::Error::NotFound { .. }) => Ok(None),
                Err(e) => Err(e),
            }
        })
    }

    /// Reads an artifact; `Ok(None)` if there is none under that key.
    pub fn get<T: Stored>(&self, key: &T::Key) -> Result<Option<T>, StoreError> {
        let path = self.object_path(&T::path_of(key));
        let Some(bytes) = self.get_bytes(&path)? else {
            return Ok(None);
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

/// What a retention pass deleted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Objects deleted.
    pub objects: u64,
    /// Their bytes.
    pub bytes: u64,
    /// Intermediates left because they were written after the cut-off.
    pub recent: u64,
}

impl ArtifactStore {
    /// Deletes the intermediate proofs of batch `batch` (every artifact but its final proofs, the
    /// compression proof and the wrapped proof) last written before `older_than` (`None`: all of them). Only for a batch that is
    /// delivered: a restart skips it, so nothing reads them again.
    pub fn delete_intermediates(
        &self,
        protocol_version: u32,
        batch: u64,
        older_than: Option<std::time::SystemTime>,
    ) -> Result<Deleted, StoreError> {
        let dir = self.object_path(&ArtifactKey::batch_dir(protocol_version, batch));
        let final_rounds = [AggregationRound::Compression, AggregationRound::Wrap]
            .map(|r| format!("{}-", r.name()));
        let listed = self.call("list", &dir, || async {
            use futures::TryStreamExt;
            self.inner.list(Some(&dir)).try_collect::<Vec<_>>().await
        })?;
        let mut deleted = Deleted::default();
        for meta in listed {
            // `…/batch-N/{round}-{circuit}/d…-i….artifact`: the round is the folder's name (not any
            // part of the store's prefix).
            let parts: Vec<_> = meta.location.parts().collect();
            let is_final = parts
                .len()
                .checked_sub(2)
                .and_then(|i| parts.get(i))
                .is_some_and(|p| final_rounds.iter().any(|f| p.as_ref().starts_with(f)));
            let recent =
                older_than.is_some_and(|t| std::time::SystemTime::from(meta.last_modified) > t);
            if is_final {
                continue;
            }
            if recent {
                deleted.recent += 1;
                continue;
            }
            self.delete_path(&meta.location)?;
            deleted.objects += 1;
            deleted.bytes += meta.size;
        }
        Ok(deleted)
    }

    /// The batches that have a directory of proofs under protocol version `protocol_version`, in order.
    pub fn batches(&self, protocol_version: u32) -> Result<Vec<u64>, StoreError> {
        let dir = self.prefix.child(format!("v{protocol_version}"));
        let listed = self.call("list", &dir, || self.inner.list_with_delimiter(Some(&dir)))?;
        let mut batches: Vec<u64> = listed
            .common_prefixes
            .iter()
            .filter_map(|p| p.filename()?.strip_prefix("batch-")?.parse().ok())
            .collect();
        batches.sort_unstable();
        Ok(batches)
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

impl Stored for SimulatedArtifact {
    type Key = SimKey;
    fn key(&self) -> &SimKey {
        &self.key
    }
    fn path_of(key: &SimKey) -> String {
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
        let mut path = self.prefix.child("state");
        for part in name.split('/') {
            path = path.child(part);
        }
        path
    }

    /// Writes a small state record (e.g. the sink's delivery progress) under `state/NAME`, atomically.
    pub fn put_state(&self, name: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.put_bytes(&self.state_path(name), bytes)
    }

    /// Reads a state record; `Ok(None)` if there is none.
    pub fn get_state(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.get_bytes(&self.state_path(name))
    }

    /// Writes a state record only if there is none under `name` yet (S3 `If-None-Match: *`, GCS
    /// `ifGenerationMatch=0`, an exclusive create on a local directory): `Ok(true)` if this call created
    /// it, `Ok(false)` if it existed. Of concurrent creates exactly one returns `true`.
    pub fn create_state(&self, name: &str, bytes: Vec<u8>) -> Result<bool, StoreError> {
        let path = self.state_path(name);
        let payload = PutPayload::from(bytes);
        self.call("put", &path, || async {
            let opts = PutOptions::from(PutMode::Create);
            match self.inner.put_opts(&path, payload.clone(), opts).await {
                Ok(_) => Ok(true),
                Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
                // S3 answers 412 (not 409) to a lost If-None-Match race.
                Err(object_store::Error::Precondition { .. }) => Ok(false),
                Err(e) => Err(e),
            }
        })
    }

    /// The names of the state records directly under `state/DIR`, in no particular order.
    pub fn list_state(&self, dir: &str) -> Result<Vec<String>, StoreError> {
        let mut path = self.prefix.child("state");
        for part in dir.split('/') {
            path = path.child(part);
        }
        self.call("list", &path, || async {
            let listed = self.inner.list_with_delimiter(Some(&path)).await?;
            Ok(listed
                .objects
                .iter()
                .filter_map(|o| o.location.filename().map(str::to_string))
                .collect())
        })
    }

    /// Deletes a state record (nothing if there is none).
    pub fn delete_state(&self, name: &str) -> Result<(), StoreError> {
        let path = self.state_path(name);
        self.delete_path(&path)
    }

    fn delete_path(&self, path: &Path) -> Result<(), StoreError> {
        self.call("delete", path, || async {
            match self.inner.delete(path).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
                Err(e) => Err(e),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_types::{CircuitType, Digest};

    fn key(index: u32) -> ArtifactKey {
        ArtifactKey {
            protocol_version: 1,
            batch: 7,
            round: AggregationRound::Leaf,
            circuit: Some(CircuitType::SHA256),
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

    /// Retention deletes a delivered batch's intermediates and keeps its final proof, other batches'
    /// proofs and the state records; a cut-off keeps what was written after it.
    #[test]
    fn retention_deletes_a_batchs_intermediates_and_keeps_its_final_proof() {
        let dir = tempfile::tempdir().unwrap();
        let store = ArtifactStore::local(dir.path()).unwrap();
        let at = |batch, round, index| Artifact {
            key: ArtifactKey {
                batch,
                round,
                circuit: None,
                index,
                ..key(0)
            },
            ..artifact(0)
        };
        let rounds = [
            AggregationRound::Basic,
            AggregationRound::Leaf,
            AggregationRound::Scheduler,
            AggregationRound::Compression,
            AggregationRound::Wrap,
        ];
        for batch in [7, 8] {
            for round in rounds {
                store.put(&at(batch, round, 0)).unwrap();
                store.put(&at(batch, round, 1)).unwrap();
            }
        }
        store.put_state("delivered", b"batch 7".to_vec()).unwrap();
        assert_eq!(store.batches(1).unwrap(), [7, 8]);
        // Nothing is older than a cut-off in the past.
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        assert_eq!(
            store.delete_intermediates(1, 7, Some(an_hour_ago)).unwrap(),
            Deleted {
                recent: 6,
                ..Deleted::default()
            }
        );
        let deleted = store.delete_intermediates(1, 7, None).unwrap();
        assert_eq!(deleted.objects, 6);
        let size = |(r, i)| at(7, r, i).to_frame().unwrap().len() as u64;
        let intermediates = rounds[..3].iter().flat_map(|&r| [(r, 0), (r, 1)]);
        assert_eq!(deleted.bytes, intermediates.map(size).sum::<u64>());
        for round in rounds {
            let kept = store
                .get::<Artifact>(&at(7, round, 0).key)
                .unwrap()
                .is_some();
            let last = matches!(
                round,
                AggregationRound::Compression | AggregationRound::Wrap
            );
            assert_eq!(kept, last, "{round}");
            assert!(store
                .get::<Artifact>(&at(8, round, 1).key)
                .unwrap()
                .is_some());
        }
        assert!(store.get_state("delivered").unwrap().is_some());
        // Again: nothing left to delete.
        assert_eq!(
            store.delete_intermediates(1, 7, None).unwrap(),
            Deleted::default()
        );
    }

    #[test]
    fn urls() {
        assert!(ArtifactStore::open("memory://").is_ok());
        let err = ArtifactStore::open("ftp://x/y").unwrap_err().to_string();
        assert!(err.contains("unsupported scheme"), "{err}");
        assert!(ArtifactStore::open("not a url").is_err());
    }
}
