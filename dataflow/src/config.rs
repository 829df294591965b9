//! `zkstream run`'s configuration file (TOML). Every table and field is documented here and in
//! `ops/zkstream.example.toml`; unknown fields are rejected by name (`deny_unknown_fields`), so a typo
//! never silently falls back to a default. librdkafka settings in `[kafka.rdkafka]` pass through verbatim.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use zkstream_operators::pool::Schedule;
use zkstream_prover::{ProfileKind, TreeShape, UserShape};

use crate::gpu::GpuMode;

use crate::settings::{default_keys_dir, ProofSettings, DEFAULT_PROTOCOL_VERSION};

/// Errors reading a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The TOML is malformed, a field is unknown, or a value has the wrong type.
    #[error("{path}: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message (it names the field).
        source: toml::de::Error,
    },
    /// A value is out of range or inconsistent.
    #[error("{path}: {field}: {reason}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The field, dotted.
        field: &'static str,
        /// Why.
        reason: String,
    },
}

impl ConfigError {
    /// Whether trying again can help: never — the file must be fixed first.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// The whole file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where batches come from and where proofs and dead letters go on Kafka.
    pub kafka: KafkaConfig,
    /// The artifact store.
    #[serde(default)]
    pub store: StoreConfig,
    /// Proving: profile, tree shape, keys, threads.
    #[serde(default)]
    pub prover: ProverConfig,
    /// Where final proofs are delivered (besides `kafka.proofs_topic`).
    #[serde(default)]
    pub sink: SinkConfig,
    /// Flow control, retries, gap policy.
    #[serde(default)]
    pub pipeline: PipelineConfig,
    /// The Prometheus endpoint.
    #[serde(default)]
    pub metrics: MetricsConfig,
    /// User-proof mode (`zkstream aggregate`): users' proofs into one proof per run.
    #[serde(default)]
    pub aggregation: UserProofsConfig,
}

/// `[aggregation]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserProofsConfig {
    /// The topic users' proof submissions are read from.
    pub topic: String,
    /// The topic run records are written to (key = run number, 8 bytes big-endian).
    pub output_topic: String,
    /// The consumer group whose committed offsets mark what was aggregated or refused.
    pub group_id: String,
    /// A run starts this many seconds after the previous one when proofs are waiting (Aligned: daily).
    pub interval_s: u64,
    /// A run starts as soon as this many valid proofs are waiting [default: one aggregate's capacity].
    pub max_proofs: Option<usize>,
    /// User proofs per chunk proof (a power of two).
    pub proofs_per_chunk: usize,
    /// Children per node of the aggregation tree (a power of two, at least 2).
    pub node_arity: usize,
    /// Node levels above the chunks (1 to 4): a run holds up to proofs_per_chunk × node_arity^levels.
    pub levels: u32,
    /// Hash rounds of the sample user programs (their keys' fixed parameters).
    pub program_rounds: usize,
    /// Also write each run record to `DIR/run-N.rec`.
    pub out_dir: Option<PathBuf>,
}

impl Default for UserProofsConfig {
    fn default() -> Self {
        UserProofsConfig {
            topic: "zkstream.user_proofs".into(),
            output_topic: "zkstream.aggregates".into(),
            group_id: "zkstream-aggregation".into(),
            interval_s: 86_400,
            max_proofs: None,
            proofs_per_chunk: 2,
            node_arity: 2,
            levels: 1,
            program_rounds: UserShape::default().program_rounds,
            out_dir: None,
        }
    }
}

impl UserProofsConfig {
    /// The shape of the aggregation circuits.
    pub fn shape(&self) -> UserShape {
        UserShape {
            program_rounds: self.program_rounds,
            proofs_per_chunk: self.proofs_per_chunk,
            node_arity: self.node_arity,
            levels: self.levels,
        }
    }

    /// Valid proofs per run.
    pub fn max_proofs(&self) -> usize {
        self.max_proofs
            .unwrap_or_else(|| self.shape().proofs_per_aggregate())
    }
}

/// `[kafka]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct KafkaConfig {
    /// `bootstrap.servers`, e.g. `"127.0.0.1:9092"`.
    pub brokers: String,
    /// The topic batches are read from (key = batch number, 8 bytes big-endian).
    pub batches_topic: String,
    /// The topic final proofs are written to (key = batch number); absent or empty: no Kafka proof sink.
    pub proofs_topic: Option<String>,
    /// The dead-letter topic: refused records with a `zkstream-reason` header.
    pub dlq_topic: String,
    /// The consumer group whose committed offsets mark what was delivered.
    pub group_id: String,
    /// The first batch to deliver when the store holds no delivery progress yet.
    pub start_batch: u64,
    /// How long an idle reader waits between polls, in milliseconds.
    pub poll_interval_ms: u64,
    /// librdkafka settings for every client (reader, committer, producers), passed through verbatim.
    pub rdkafka: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    /// Every default; `brokers` is required (empty here, refused by [`Config::load`]).
    fn default() -> Self {
        KafkaConfig {
            brokers: String::new(),
            batches_topic: "zkstream.batches".into(),
            proofs_topic: None,
            dlq_topic: "zkstream.dlq".into(),
            group_id: "zkstream".into(),
            start_batch: 1,
            poll_interval_ms: 50,
            rdkafka: BTreeMap::new(),
        }
    }
}

/// `[store]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Where artifacts and progress live: `file:///abs/dir`, `s3://bucket/prefix` (S3, MinIO or any
    /// S3-compatible server), `gs://bucket/prefix`, or `memory://` (experiments; lost on exit). Every
    /// process of a cluster must name the same store.
    pub url: String,
    /// `object_store` configuration keys for `s3://` and `gs://` (`aws_endpoint`, `aws_region`,
    /// `aws_allow_http`, `google_service_account`, ...), over the standard environment.
    pub options: BTreeMap<String, String>,
    /// Retention: a delivered batch's intermediate proofs (all but its final, compression proof) are
    /// deleted this many hours after every sink acknowledged it and its offsets were committed (0: at
    /// once). Its final proof and the progress records are kept.
    pub keep_intermediates_hours: f64,
    /// Keep every proof of every batch (no retention): the store grows by every proof.
    pub keep_all: bool,
}

impl Default for StoreConfig {
    fn default() -> Self {
        StoreConfig {
            url: "file:///var/lib/zkstream/artifacts".into(),
            options: BTreeMap::new(),
            keep_intermediates_hours: 0.0,
            keep_all: false,
        }
    }
}

impl StoreConfig {
    /// Opens the store (an object store is checked first: see `ArtifactStore::open_with`).
    pub fn build(
        &self,
    ) -> Result<zkstream_operators::store::ArtifactStore, zkstream_operators::store::StoreError>
    {
        zkstream_operators::store::ArtifactStore::open_with(&self.url, &self.options)
    }

    /// How long a delivered batch's intermediate proofs are kept; `None`: for ever (`keep_all`).
    pub fn retention(&self) -> Option<std::time::Duration> {
        (!self.keep_all).then(|| {
            // More hours than a Duration holds: for ever, in effect.
            std::time::Duration::try_from_secs_f64(self.keep_intermediates_hours * 3600.0)
                .unwrap_or(std::time::Duration::MAX)
        })
    }
}

/// `[prover]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProverConfig {
    /// `production` (100-bit) or `test` (few FRI queries; never for real use).
    pub profile: ProfileKind,
    /// Prover threads in this process [default: available cores].
    pub threads: Option<usize>,
    /// Prover slots (jobs proved at once); the threads are shared among them.
    pub slots: usize,
    /// Children per leaf and node proof.
    pub arity: usize,
    /// Children of the recursion tip: one per circuit type (fixed by the circuits; checked if given).
    pub tip_arity: Option<usize>,
    /// Node layers per circuit type.
    pub node_depth: u32,
    /// Requests per Poseidon2 basic circuit.
    pub poseidon2_capacity: usize,
    /// Requests per SHA-256 basic circuit.
    pub sha256_capacity: usize,
    /// Setup/VK cache [default: $ZKSTREAM_KEYS_DIR or ~/.cache/zkstream/keys].
    pub keys_dir: Option<PathBuf>,
    /// Protocol version the keys are for.
    pub protocol_version: u32,
    /// `latency` (oldest batch first) or `throughput` (critical path first).
    pub schedule: Schedule,
    /// GPU slots: `off`, `auto` (one slot per usable GPU; CPU only without one) or `require`.
    pub gpu: GpuMode,
}

impl Default for ProverConfig {
    fn default() -> Self {
        let shape = TreeShape::default();
        ProverConfig {
            profile: ProfileKind::Production,
            threads: None,
            slots: 1,
            arity: shape.arity,
            tip_arity: None,
            node_depth: shape.node_depth,
            poseidon2_capacity: shape.poseidon2_capacity,
            sha256_capacity: shape.sha256_capacity,
            keys_dir: None,
            protocol_version: DEFAULT_PROTOCOL_VERSION,
            schedule: Schedule::Latency,
            gpu: GpuMode::Auto,
        }
    }
}

/// `[sink]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SinkConfig {
    /// `[sink.core]`: the core's HTTP endpoint.
    pub core: Option<CoreSinkConfig>,
    /// `[sink.file]`: a directory of `batch-N.proof` files.
    pub file: Option<FileSinkConfig>,
}

/// `[sink.core]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CoreSinkConfig {
    /// Base URL; proofs go to `POST {url}/submit_proof/{batch_number}`.
    pub url: String,
    /// Per-request timeout, in seconds.
    pub timeout_s: u64,
    /// First retry wait, in milliseconds (doubles up to `max_backoff_ms`; retries never stop).
    pub backoff_ms: u64,
    /// Longest retry wait, in milliseconds.
    pub max_backoff_ms: u64,
}

impl Default for CoreSinkConfig {
    /// Every default; `url` is required (empty here, refused by [`Config::load`]).
    fn default() -> Self {
        CoreSinkConfig {
            url: String::new(),
            timeout_s: 30,
            backoff_ms: 200,
            max_backoff_ms: 30_000,
        }
    }
}

/// `[sink.file]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSinkConfig {
    /// The directory.
    pub dir: PathBuf,
}

/// `[pipeline]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PipelineConfig {
    /// At most this many batches between the reader and the ordered sink; readers pause above it.
    pub max_batches_in_flight: u64,
    /// Attempts per proving job before its batch fails.
    pub max_attempts: u32,
    /// First wait before a job is retried, in milliseconds (doubles per attempt).
    pub retry_backoff_ms: u64,
    /// Deliver later batches after a failed or missing one (default: stop at the gap and alert).
    pub allow_gaps: bool,
    /// Timely worker threads in this process.
    pub workers: usize,
    /// After SIGTERM or SIGINT, how long in-flight proofs may run on before they are abandoned (their
    /// batches' records replay on the next start); what is done by then is delivered and committed.
    pub drain_timeout_s: u64,
}

impl Default for PipelineConfig {
    fn default() -> Self {
        PipelineConfig {
            max_batches_in_flight: 8,
            max_attempts: 5,
            retry_backoff_ms: 200,
            allow_gaps: false,
            workers: 1,
            drain_timeout_s: 300,
        }
    }
}

/// `[metrics]`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetricsConfig {
    /// Address of the Prometheus `/metrics` endpoint, e.g. `"127.0.0.1:9898"` (absent: not served).
    pub addr: Option<String>,
}

impl Config {
    /// Every default, reading from `brokers`: what a file with only `[kafka] brokers` gives.
    pub fn with_brokers(brokers: &str) -> Self {
        Config {
            kafka: KafkaConfig {
                brokers: brokers.to_string(),
                ..KafkaConfig::default()
            },
            store: StoreConfig::default(),
            prover: ProverConfig::default(),
            sink: SinkConfig::default(),
            pipeline: PipelineConfig::default(),
            metrics: MetricsConfig::default(),
            aggregation: UserProofsConfig::default(),
        }
    }

    /// Parses and checks a configuration text; `path` only labels errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        })?;
        config.check(path)?;
        Ok(config)
    }

    /// Reads, parses and checks a configuration file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    fn check(&self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |field, reason: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            field,
            reason,
        };
        if self.kafka.brokers.trim().is_empty() {
            return Err(invalid(
                "kafka.brokers",
                "required, and not empty (host:port,...)".into(),
            ));
        }
        if self.kafka.start_batch == 0 {
            return Err(invalid(
                "kafka.start_batch",
                "batch 0 is genesis; start at 1 or later".into(),
            ));
        }
        let s = self.proof_settings();
        s.shape
            .validate()
            .map_err(|e| invalid("prover", e.to_string()))?;
        if let Some(t) = self.prover.tip_arity {
            if t != s.shape.tip_arity() {
                return Err(invalid(
                    "prover.tip_arity",
                    format!(
                        "the tip takes one proof per circuit type: {} here",
                        s.shape.tip_arity()
                    ),
                ));
            }
        }
        let hours = self.store.keep_intermediates_hours;
        if !(hours.is_finite() && hours >= 0.0) {
            return Err(invalid(
                "store.keep_intermediates_hours",
                format!("{hours} is not a number of hours (0 or more)"),
            ));
        }
        if self.prover.slots == 0 || self.pipeline.workers == 0 {
            return Err(invalid(
                "prover.slots / pipeline.workers",
                "must be at least 1".into(),
            ));
        }
        if self.pipeline.max_batches_in_flight == 0 || self.pipeline.max_attempts == 0 {
            return Err(invalid(
                "pipeline.max_batches_in_flight / max_attempts",
                "must be at least 1".into(),
            ));
        }
        if let Some(core) = &self.sink.core {
            let ok = url::Url::parse(&core.url).is_ok_and(|u| u.scheme() == "http");
            if !ok {
                return Err(invalid(
                    "sink.core.url",
                    format!("{:?} is not an http:// URL", core.url),
                ));
            }
        }
        let a = &self.aggregation;
        a.shape()
            .validate()
            .map_err(|e| invalid("aggregation", e.to_string()))?;
        let capacity = a.shape().proofs_per_aggregate();
        if a.max_proofs() == 0 || a.max_proofs() > capacity {
            return Err(invalid(
                "aggregation.max_proofs",
                format!("must be between 1 and proofs_per_chunk × node_arity^levels = {capacity}"),
            ));
        }
        if a.interval_s == 0 {
            return Err(invalid(
                "aggregation.interval_s",
                "must be at least 1".into(),
            ));
        }
        let scheme = url::Url::parse(&self.store.url).map(|u| u.scheme().to_string());
        if !scheme.is_ok_and(|s| matches!(s.as_str(), "file" | "s3" | "gs" | "memory")) {
            return Err(invalid(
                "store.url",
                format!(
                    "{:?}: expected file:///dir, s3://bucket/prefix, gs://bucket/prefix or memory://",
                    self.store.url
                ),
            ));
        }
        Ok(())
    }

    /// The proof profile and tree shape this file asks for.
    pub fn proof_settings(&self) -> ProofSettings {
        let p = &self.prover;
        ProofSettings {
            profile: p.profile.profile(),
            shape: TreeShape {
                poseidon2_capacity: p.poseidon2_capacity,
                sha256_capacity: p.sha256_capacity,
                arity: p.arity,
                node_depth: p.node_depth,
            },
            keys_dir: p.keys_dir.clone().unwrap_or_else(default_keys_dir),
            threads: p.threads.unwrap_or_else(|| {
                std::thread::available_parallelism()
                    .map(|n| n.get())
                    .unwrap_or(1)
            }),
        }
    }

    /// The Kafka proofs topic, if proofs go to Kafka.
    pub fn proofs_topic(&self) -> Option<&str> {
        self.kafka.proofs_topic.as_deref().filter(|t| !t.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("test.toml"))
    }

    #[test]
    fn the_example_file_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ops/zkstream.example.toml");
        let c = Config::load(&path).unwrap();
        assert_eq!(c.kafka.batches_topic, "zkstream.batches");
        assert_eq!(c.proofs_topic(), Some("zkstream.proofs"));
        assert_eq!(c.kafka.dlq_topic, "zkstream.dlq");
        assert!(c.sink.core.is_some() && c.sink.file.is_some());
        assert!(c.metrics.addr.is_some());
        assert!(!c.kafka.rdkafka.is_empty());
        assert_eq!(c.prover.gpu, crate::gpu::GpuMode::Auto);
    }

    #[test]
    fn a_minimal_file_takes_the_defaults() {
        let c = parse("[kafka]\nbrokers = \"127.0.0.1:9092\"\n").unwrap();
        assert_eq!(
            format!("{c:?}"),
            format!("{:?}", Config::with_brokers("127.0.0.1:9092"))
        );
        assert_eq!(c.kafka.group_id, "zkstream");
        assert_eq!(c.pipeline.max_batches_in_flight, 8);
        assert_eq!(c.proof_settings().shape, TreeShape::default());
        assert_eq!(c.prover.profile, ProfileKind::Production);
        assert_eq!(c.prover.schedule, Schedule::Latency);
        assert_eq!(c.prover.gpu, GpuMode::Auto);
        assert_eq!(c.aggregation.topic, "zkstream.user_proofs");
        assert!(c.proofs_topic().is_none());
    }

    #[test]
    fn typos_and_bad_values_are_rejected_by_name() {
        let e = parse("[kafka]\nbrokers = \"b\"\nbatch_topic = \"x\"\n").unwrap_err();
        assert!(e.to_string().contains("batch_topic"), "{e}");
        let e = parse("[kafka]\nbrokers = \"b\"\n[prover]\nthreds = 4\n").unwrap_err();
        assert!(e.to_string().contains("threds"), "{e}");
        let e = parse("[kafka]\nbrokers = \"b\"\n[sinks.core]\nurl = \"http://x\"\n").unwrap_err();
        assert!(e.to_string().contains("sinks"), "{e}");
        let e = parse("[kafka]\nbrokers = \"b\"\n[prover]\ntip_arity = 5\n").unwrap_err();
        assert!(e.to_string().contains("prover.tip_arity"), "{e}");
        let e = parse("[kafka]\nbrokers = \"b\"\n[prover]\nprofile = \"fast\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown variant `fast`"), "{e}");
        let e = parse("[kafka]\nbrokers = \"b\"\n[prover]\nschedule = \"fifo\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown variant `fifo`"), "{e}");
        let e = parse("[kafka]\n").unwrap_err();
        assert!(e.to_string().contains("kafka.brokers"), "{e}");
        let e = parse("[kafka]\nbrokers = \"b\"\n[sink.core]\ntimeout_s = 3\n").unwrap_err();
        assert!(e.to_string().contains("sink.core.url"), "{e}");
        let e = parse("[kafka]\nbrokers = \"b\"\n[sink.core]\nurl = \"ftp://x\"\n").unwrap_err();
        assert!(e.to_string().contains("sink.core.url"), "{e}");
        let e =
            parse("[kafka]\nbrokers = \"b\"\n[pipeline]\nmax_batches_in_flight = 0\n").unwrap_err();
        assert!(e.to_string().contains("max_batches_in_flight"), "{e}");
        let e = parse("[kafka]\nbrokers = \"b\"\n[prover]\ngpu = \"yes\"\n").unwrap_err();
        assert!(e.to_string().contains("unknown variant `yes`"), "{e}");
        let c = parse("[kafka]\nbrokers = \"b\"\n[prover]\ngpu = \"require\"\n").unwrap();
        assert_eq!(c.prover.gpu, crate::gpu::GpuMode::Require);
        let e = parse("[kafka]\nbrokers = \"b\"\n[store]\nurl = \"ftp://h/x\"\n").unwrap_err();
        assert!(e.to_string().contains("store.url"), "{e}");
        let e = parse("[kafka]\nbrokers = \"b\"\n[store]\nkeep_intermediates_hours = -1\n")
            .unwrap_err();
        assert!(
            e.to_string().contains("store.keep_intermediates_hours"),
            "{e}"
        );
        let e =
            parse("[kafka]\nbrokers = \"b\"\n[store]\nkeep_intermediate_hours = 1\n").unwrap_err();
        assert!(e.to_string().contains("keep_intermediate_hours"), "{e}");
    }

    #[test]
    fn object_store_urls_and_retention_are_accepted() {
        for url in [
            "s3://bucket/prefix",
            "gs://bucket/prefix",
            "file:///var/x",
            "memory://",
        ] {
            let c = parse(&format!(
                "[kafka]\nbrokers = \"b\"\n[store]\nurl = \"{url}\"\n"
            ))
            .unwrap();
            assert_eq!(c.store.url, url);
        }
        let c = parse("[kafka]\nbrokers = \"b\"\n").unwrap();
        assert_eq!(c.store.retention(), Some(std::time::Duration::ZERO));
        let c =
            parse("[kafka]\nbrokers = \"b\"\n[store]\nkeep_intermediates_hours = 1.5\n").unwrap();
        assert_eq!(
            c.store.retention(),
            Some(std::time::Duration::from_secs(5400))
        );
        let c = parse("[kafka]\nbrokers = \"b\"\n[store]\nkeep_all = true\n").unwrap();
        assert_eq!(c.store.retention(), None);
    }
}
