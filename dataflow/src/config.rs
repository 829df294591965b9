//! `zkstream run`'s configuration file (TOML). Every table and field is documented here and in
//! `ops/zkstream.example.toml`; unknown fields are rejected by name (`deny_unknown_fields`), so a typo
//! never silently falls back to a default. librdkafka settings in `[kafka.rdkafka]` pass through verbatim.
//!
//! # Overrides from the environment
//!
//! [`Config::load`] applies every environment variable named `ZKSTREAM__<SECTION>__<KEY>` over the
//! file: two underscores separate the levels of tables, the names after the prefix (which is written
//! in capitals) are case-insensitive (they become lowercase TOML keys), and a single underscore is part
//! of a key. `ZKSTREAM__PIPELINE__DRAIN_TIMEOUT_S=60` sets `[pipeline] drain_timeout_s`;
//! `ZKSTREAM__SINK__CORE__URL=http://core:3320` sets `[sink.core] url` (creating `[sink.core]` if the
//! file has none). A variable's value replaces what the file has at that
//! key; an inline table (`ZKSTREAM__STORE__OPTIONS='{ aws_region = "eu-central-1" }'`) replaces the
//! whole table. When variables overlap, the shorter name (the table) is applied first.
//!
//! - **Values**: the text is read as a TOML value when it is one (`60`, `1.5`, `true`, `[1, 2]`,
//!   `{ k = "v" }`, `"quoted"`) and is the text itself otherwise (`http://core:3320`, `SASL_SSL`). Where
//!   the setting wants a string and the TOML value is not one, the text is taken as it is
//!   (`ZKSTREAM__KAFKA__GROUP_ID=123` is the group `"123"`; `true` in `[kafka.rdkafka]` is `"true"`). A
//!   TOML string in quotes is always a string: `ZKSTREAM__KAFKA__GROUP_ID='"123"'` (and so it is refused
//!   where a number is wanted).
//! - **`[kafka.rdkafka]`**: librdkafka's property names have dots, which a variable name cannot hold, so
//!   there the key is one name whose single underscores stand for dots:
//!   `ZKSTREAM__KAFKA__RDKAFKA__SASL_MECHANISM` sets `"sasl.mechanism"`,
//!   `ZKSTREAM__KAFKA__RDKAFKA__SSL_CA_LOCATION` sets `"ssl.ca.location"`. `__` cannot stand for a dot
//!   there (`ZKSTREAM__KAFKA__RDKAFKA__SASL__MECHANISM` is refused, naming the right variable). This is
//!   unambiguous because librdkafka's property names (those of librdkafka 2.12, which rdkafka-sys builds)
//!   are dotted and have no underscore, with two exceptions kept as they are: `log_level` and
//!   `enabled_events` (the other underscored names are callbacks and pointers, set through librdkafka's
//!   C API and never as text).
//! - **Typos**: a `ZKSTREAM__` variable that names no setting, or whose value does not fit its setting,
//!   is an error naming the variable ([`ConfigError::Env`]), never ignored. (Keys inside the free maps
//!   `[kafka.rdkafka]` and `[store.options]` are checked by librdkafka and `object_store` when the
//!   clients are made, as for the file.)
//! - Variables with a single underscore after `ZKSTREAM` (`ZKSTREAM_KEYS_DIR`, `ZKSTREAM_LOG_FORMAT`,
//!   `ZKSTREAM_TANSU_BIN`, ...) are process settings, not overrides, and are not read here.
//! - [`Config::parse`] reads no environment; [`Config::parse_with_env`] takes the variables as an
//!   argument (tests), [`Config::load`] takes this process's.
//!
//! # Secrets
//!
//! The Kafka SASL password and the core sink's bearer token can stay out of the file, coming instead
//! from the environment (`ZKSTREAM__KAFKA__RDKAFKA__SASL_PASSWORD`, `ZKSTREAM__SINK__CORE__TOKEN`) or
//! from a file (`[kafka] sasl_password_file`, `[sink.core] token_file`: the file's content, its trailing
//! line break removed; e.g. a mounted Kubernetes secret or a systemd credential). A secret given both
//! ways (`token` and `token_file`, or `sasl_password_file` and `"sasl.password"`) is an error naming
//! both; a secret file that cannot be read, or is empty, is an error naming the field and the file.
//! Secret files are read after the overrides are applied, before the checks; a relative path is taken
//! from the working directory, like every path here. `Debug` shows neither secret: the token is a
//! [`Secret`], and the values of `[kafka.rdkafka]` and `[store.options]` keys that name a password,
//! secret, token, credential or key (`sasl.password`, `ssl.key.password`, `aws_secret_access_key`, ...)
//! show as `***`. An override's value is never repeated in an error about a secret's key.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use zkstream_operators::pool::Schedule;
use zkstream_prover::{ProfileKind, TreeShape, UserShape};

use crate::gpu::GpuMode;

use crate::settings::{default_keys_dir, ProofSettings, DEFAULT_PROTOCOL_VERSION};

/// The prefix of the environment variables that override configuration fields (two underscores:
/// `ZKSTREAM_KEYS_DIR` and the like are not overrides).
pub const ENV_PREFIX: &str = "ZKSTREAM__";

/// The librdkafka property that `[kafka] sasl_password_file` fills.
const SASL_PASSWORD: &str = "sasl.password";

/// librdkafka's property names with an underscore that can be set as text (every other one is dotted,
/// without underscores): kept as they are in a `ZKSTREAM__KAFKA__RDKAFKA__…` variable, where `_`
/// otherwise stands for `.`.
const RDKAFKA_UNDERSCORED: [&str; 2] = ["enabled_events", "log_level"];

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
    /// A `ZKSTREAM__…` environment variable names no setting, or its value does not fit the setting.
    #[error("{var}: {reason}")]
    Env {
        /// The variable's name.
        var: String,
        /// Why (the setting it names, and what is wrong; never a secret's value).
        reason: String,
    },
    /// A secret's file (`token_file`, `sasl_password_file`) could not be read.
    #[error("{path}: {field}: cannot read {file}: {source}")]
    SecretFile {
        /// The configuration file.
        path: PathBuf,
        /// The field naming the secret's file, dotted.
        field: &'static str,
        /// The secret's file.
        file: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
}

impl ConfigError {
    /// Whether trying again can help: never — the file (or the environment) must be fixed first.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

/// A secret text (a token, a password): read from TOML like a string, shown as `Secret(***)` by
/// `Debug`, so that printing a configuration never shows it.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Secret(secret.into())
    }

    /// The secret itself: for what needs it (a request header, a client setting), never for a log.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Whether a `[kafka.rdkafka]` or `[store.options]` key names a secret, whose value `Debug` hides.
fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "token", "credential"]
        .iter()
        .any(|word| key.contains(word))
        || key.ends_with("_key")
        || key.ends_with(".pem")
}

/// `Debug` of a settings map, the values of secret keys ([`is_secret_key`]) shown as `***`.
struct RedactedMap<'a>(&'a BTreeMap<String, String>);

impl std::fmt::Debug for RedactedMap<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(key, value)| {
                let shown = if is_secret_key(key) {
                    "***"
                } else {
                    value.as_str()
                };
                (key, shown)
            }))
            .finish()
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
    /// SNARK-wrap each run's aggregated proof with `[prover]`'s CRS [default: on when
    /// `prover.crs_file` or `prover.test_crs` is set].
    pub wrap: Option<bool>,
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
            wrap: None,
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
#[derive(Clone, Deserialize)]
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
    /// `Debug` shows the values of secret keys (`sasl.password`, `ssl.key.password`, ...) as `***`.
    pub rdkafka: BTreeMap<String, String>,
    /// A file holding the SASL password (its trailing line break removed): after [`Config::load`],
    /// `rdkafka["sasl.password"]` holds its content. Refused together with `rdkafka."sasl.password"`
    /// (from the file or `ZKSTREAM__KAFKA__RDKAFKA__SASL_PASSWORD`).
    pub sasl_password_file: Option<PathBuf>,
}

impl std::fmt::Debug for KafkaConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured, so that a new field cannot be left out here unnoticed.
        let KafkaConfig {
            brokers,
            batches_topic,
            proofs_topic,
            dlq_topic,
            group_id,
            start_batch,
            poll_interval_ms,
            rdkafka,
            sasl_password_file,
        } = self;
        f.debug_struct("KafkaConfig")
            .field("brokers", brokers)
            .field("batches_topic", batches_topic)
            .field("proofs_topic", proofs_topic)
            .field("dlq_topic", dlq_topic)
            .field("group_id", group_id)
            .field("start_batch", start_batch)
            .field("poll_interval_ms", poll_interval_ms)
            .field("rdkafka", &RedactedMap(rdkafka))
            .field("sasl_password_file", sasl_password_file)
            .finish()
    }
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
            sasl_password_file: None,
        }
    }
}

/// `[store]`.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// Where artifacts and progress live: `file:///abs/dir`, `s3://bucket/prefix` (S3, MinIO or any
    /// S3-compatible server), `gs://bucket/prefix`, or `memory://` (experiments; lost on exit). Every
    /// process of a cluster must name the same store.
    pub url: String,
    /// `object_store` configuration keys for `s3://` and `gs://` (`aws_endpoint`, `aws_region`,
    /// `aws_allow_http`, `google_service_account`, ...), over the standard environment. `Debug` shows
    /// the values of secret keys (`aws_secret_access_key`, ...) as `***`.
    pub options: BTreeMap<String, String>,
    /// Retention: a delivered batch's intermediate proofs (all but its final proofs, compression and
    /// wrap) are
    /// deleted this many hours after every sink acknowledged it and its offsets were committed (0: at
    /// once). Its final proof and the progress records are kept.
    pub keep_intermediates_hours: f64,
    /// Keep every proof of every batch (no retention): the store grows by every proof.
    pub keep_all: bool,
}

impl std::fmt::Debug for StoreConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Destructured, so that a new field cannot be left out here unnoticed.
        let StoreConfig {
            url,
            options,
            keep_intermediates_hours,
            keep_all,
        } = self;
        f.debug_struct("StoreConfig")
            .field("url", url)
            .field("options", &RedactedMap(options))
            .field("keep_intermediates_hours", keep_intermediates_hours)
            .field("keep_all", keep_all)
            .finish()
    }
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
    /// The wrapper's CRS: a monomial-form file of at least the wrapper's domain in points (zkSync's
    /// `setup_2^24.key`). Setting it turns wrapping on.
    pub crs_file: Option<PathBuf>,
    /// Wrap with the insecure test CRS (tau = 42) instead: tests and demos only, said on every line.
    pub test_crs: bool,
    /// SNARK-wrap each final proof [default: on when `crs_file` or `test_crs` is set].
    pub wrap: Option<bool>,
    /// Wrap slots (wraps at once): each needs the memory of one wrap (~5 GB in the test profile,
    /// ~18 GB in production); a process refuses more than its available memory holds.
    pub wrap_slots: usize,
    /// Keep the compression (FRI) proof in a wrapped record too.
    pub keep_fri_proof: bool,
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
            crs_file: None,
            test_crs: false,
            wrap: None,
            wrap_slots: 1,
            keep_fri_proof: false,
        }
    }
}

impl ProverConfig {
    /// Whether the run wraps its final proofs.
    pub fn wraps(&self) -> bool {
        self.wrap
            .unwrap_or(self.crs_file.is_some() || self.test_crs)
    }

    /// The wrapper's CRS, when the run wraps.
    pub fn crs(&self) -> Option<zkstream_prover::wrap::CrsSource> {
        self.configured_crs().filter(|_| self.wraps())
    }

    /// The CRS `crs_file` or `test_crs` names, whether or not the run wraps.
    fn configured_crs(&self) -> Option<zkstream_prover::wrap::CrsSource> {
        use zkstream_prover::wrap::CrsSource;
        match &self.crs_file {
            Some(path) => Some(CrsSource::File(path.clone())),
            None if self.test_crs => Some(CrsSource::Test),
            None => None,
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
    /// The bearer token the sink presents to the core (from the file, `ZKSTREAM__SINK__CORE__TOKEN`,
    /// or, after [`Config::load`], `token_file`'s content); `Debug` does not show it.
    pub token: Option<Secret>,
    /// A file holding the token (its trailing line break removed); refused together with `token`.
    pub token_file: Option<PathBuf>,
    /// PEM certificates to trust for an `https://` core besides the system's roots (a private CA).
    pub ca_file: Option<PathBuf>,
}

impl Default for CoreSinkConfig {
    /// Every default; `url` is required (empty here, refused by [`Config::load`]).
    fn default() -> Self {
        CoreSinkConfig {
            url: String::new(),
            timeout_s: 30,
            backoff_ms: 200,
            max_backoff_ms: 30_000,
            token: None,
            token_file: None,
            ca_file: None,
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
    /// After a run that ends (bounded, or drained), keep serving the endpoint this many seconds so
    /// that a scrape sees the final counts (default 0: leave at once). Give it more than the scrape
    /// interval.
    pub linger_s: u64,
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

    /// Parses and checks a configuration text, without the environment; `path` only labels errors.
    /// Secret files (`token_file`, `sasl_password_file`) are read.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        Self::parse_with_env(text, path, std::iter::empty())
    }

    /// Parses a configuration text, applies the `ZKSTREAM__…` overrides among `vars` (name, value; the
    /// other variables are ignored; see the module documentation), reads the secret files and checks
    /// the result; `path` only labels errors.
    pub fn parse_with_env<I>(text: &str, path: &Path, vars: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (String, String)>,
    {
        let parse_error = |source: toml::de::Error| ConfigError::Parse {
            path: path.to_path_buf(),
            source,
        };
        let overrides = overrides(vars)?;
        let mut config: Config = if overrides.is_empty() {
            toml::from_str(text).map_err(parse_error)?
        } else {
            let mut table: toml::Table = toml::from_str(text).map_err(parse_error)?;
            for o in overrides {
                o.apply(&mut table)?;
            }
            match Config::deserialize(toml::Value::Table(table)) {
                Ok(config) => config,
                // Each override deserialized on its own (`probe`): the file is at fault, and its own
                // parse names the line. (If the file alone passes, the merged table's error names the
                // field.)
                Err(merged) => {
                    return Err(parse_error(
                        toml::from_str::<Config>(text).err().unwrap_or(merged),
                    ))
                }
            }
        };
        config.read_secret_files(path)?;
        config.check(path)?;
        Ok(config)
    }

    /// Reads, parses and checks a configuration file, with this process's `ZKSTREAM__…` variables
    /// applied over it (see the module documentation) and the secret files read.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse_with_env(&text, path, env_overrides()?)
    }

    /// Puts the content of `[kafka] sasl_password_file` into `rdkafka["sasl.password"]` and that of
    /// `[sink.core] token_file` into `token`; a secret given both ways is refused.
    fn read_secret_files(&mut self, path: &Path) -> Result<(), ConfigError> {
        let invalid = |field, reason: &str| ConfigError::Invalid {
            path: path.to_path_buf(),
            field,
            reason: reason.to_string(),
        };
        if let Some(file) = &self.kafka.sasl_password_file {
            if self.kafka.rdkafka.contains_key(SASL_PASSWORD) {
                return Err(invalid(
                    "kafka.sasl_password_file / kafka.rdkafka.\"sasl.password\"",
                    "both are set (in the file or by ZKSTREAM__KAFKA__RDKAFKA__SASL_PASSWORD): \
                     give the password one way",
                ));
            }
            let password = read_secret(path, "kafka.sasl_password_file", file)?;
            self.kafka
                .rdkafka
                .insert(SASL_PASSWORD.to_string(), password);
        }
        if let Some(core) = &mut self.sink.core {
            if let Some(file) = &core.token_file {
                if core.token.is_some() {
                    return Err(invalid(
                        "sink.core.token / sink.core.token_file",
                        "both are set (in the file or by ZKSTREAM__SINK__CORE__TOKEN): \
                         give the token one way",
                    ));
                }
                core.token = Some(Secret(read_secret(path, "sink.core.token_file", file)?));
            }
        }
        Ok(())
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
        let p = &self.prover;
        if p.crs_file.is_some() && p.test_crs {
            return Err(invalid(
                "prover.test_crs",
                "prover.crs_file is set too: wrap with one CRS".into(),
            ));
        }
        if p.test_crs && p.wraps() && p.profile == ProfileKind::Production {
            return Err(invalid(
                "prover.test_crs",
                "the test CRS (tau = 42) lets anyone forge a wrapped proof: refused with the \
                 production profile; set prover.crs_file"
                    .into(),
            ));
        }
        if self.aggregation.wrap == Some(true) && p.configured_crs().is_none() {
            return Err(invalid(
                "aggregation.wrap",
                "wrapping needs prover.crs_file (or prover.test_crs, for tests only)".into(),
            ));
        }
        if p.test_crs && self.aggregation_crs().is_some() && p.profile == ProfileKind::Production {
            return Err(invalid(
                "prover.test_crs",
                "the test CRS (tau = 42) lets anyone forge a wrapped proof: refused with the \
                 production profile; set prover.crs_file"
                    .into(),
            ));
        }
        if p.wraps() && p.crs().is_none() {
            return Err(invalid(
                "prover.wrap",
                "wrapping needs prover.crs_file (or prover.test_crs, for tests only)".into(),
            ));
        }
        if p.keep_fri_proof && !p.wraps() {
            return Err(invalid(
                "prover.keep_fri_proof",
                "only a wrapping run has a FRI proof to keep beside the wrapped one".into(),
            ));
        }
        if self.pipeline.max_batches_in_flight == 0 || self.pipeline.max_attempts == 0 {
            return Err(invalid(
                "pipeline.max_batches_in_flight / max_attempts",
                "must be at least 1".into(),
            ));
        }
        if let Some(core) = &self.sink.core {
            let scheme = url::Url::parse(&core.url).map(|u| u.scheme().to_string());
            match scheme.as_deref() {
                Ok("https") => {}
                Ok("http") if core.ca_file.is_none() => {}
                Ok("http") => {
                    return Err(invalid(
                        "sink.core.ca_file",
                        format!("{:?} is not an https:// URL", core.url),
                    ))
                }
                _ => {
                    return Err(invalid(
                        "sink.core.url",
                        format!("{:?} is not an http:// or https:// URL", core.url),
                    ))
                }
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

    /// The CRS aggregation mode wraps each run's proof with, when it wraps (`[aggregation] wrap`,
    /// on by default when `[prover]` names a CRS).
    pub fn aggregation_crs(&self) -> Option<zkstream_prover::wrap::CrsSource> {
        let crs = self.prover.configured_crs();
        if self.aggregation.wrap.unwrap_or(crs.is_some()) {
            crs
        } else {
            None
        }
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

/// A secret file's content, its trailing line break (`\n` or `\r\n`) removed; `config` and `field`
/// label errors. An empty secret is refused (an empty mount, most likely).
fn read_secret(config: &Path, field: &'static str, file: &Path) -> Result<String, ConfigError> {
    let text = std::fs::read_to_string(file).map_err(|source| ConfigError::SecretFile {
        path: config.to_path_buf(),
        field,
        file: file.to_path_buf(),
        source,
    })?;
    let secret = text.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        return Err(ConfigError::Invalid {
            path: config.to_path_buf(),
            field,
            reason: format!("{} is empty", file.display()),
        });
    }
    Ok(secret.to_string())
}

/// This process's `ZKSTREAM__…` variables (no other variable is read); one whose name or value is not
/// UTF-8 is refused.
fn env_overrides() -> Result<Vec<(String, String)>, ConfigError> {
    let mut vars = Vec::new();
    for (name, value) in std::env::vars_os() {
        let var = name.to_string_lossy().into_owned();
        if !var.starts_with(ENV_PREFIX) {
            continue;
        }
        if name.to_str().is_none() {
            return Err(ConfigError::Env {
                var,
                reason: "the name is not UTF-8".into(),
            });
        }
        let Ok(text) = value.into_string() else {
            return Err(ConfigError::Env {
                var,
                reason: "the value is not UTF-8".into(),
            });
        };
        vars.push((var, text));
    }
    Ok(vars)
}

/// One `ZKSTREAM__…` variable, checked against the settings.
struct Override {
    /// The variable's name.
    var: String,
    /// The TOML keys it names, from the top (lowercase; a `[kafka.rdkafka]` key dotted).
    keys: Vec<String>,
    /// Its value, of a type the setting takes.
    value: toml::Value,
}

impl Override {
    /// Reads one variable: `Ok(None)` for one without the [`ENV_PREFIX`]; an error naming it when it
    /// names no setting or its value does not fit the setting.
    fn parse(var: String, text: String) -> Result<Option<Override>, ConfigError> {
        let Some(name) = var.strip_prefix(ENV_PREFIX) else {
            return Ok(None);
        };
        let keys = match override_keys(name) {
            Ok(keys) => keys,
            Err(reason) => return Err(ConfigError::Env { var, reason }),
        };
        let typed = toml_value(&text);
        let value = match probe(&keys, typed.clone()) {
            Ok(()) => typed,
            Err(error) => {
                // A number, boolean, ... where the setting wants a string: the text itself.
                let as_text = toml::Value::String(text.clone());
                if !matches!(typed, toml::Value::String(_)) && probe(&keys, as_text.clone()).is_ok()
                {
                    as_text
                } else {
                    let reason = describe(&keys, &error, &text);
                    return Err(ConfigError::Env { var, reason });
                }
            }
        };
        Ok(Some(Override { var, keys, value }))
    }

    /// Sets the value in the file's `table`.
    fn apply(self, table: &mut toml::Table) -> Result<(), ConfigError> {
        let Override { var, keys, value } = self;
        set_key(table, &keys, value).map_err(|reason| ConfigError::Env { var, reason })
    }
}

/// The overrides among `vars`, in the order they apply: shorter key paths first (a table given whole,
/// then fields set inside it). Two variables naming the same setting (`ZKSTREAM__PIPELINE__WORKERS`
/// and `ZKSTREAM__pipeline__workers`) are refused.
fn overrides<I>(vars: I) -> Result<Vec<Override>, ConfigError>
where
    I: IntoIterator<Item = (String, String)>,
{
    let mut overrides = Vec::new();
    for (var, text) in vars {
        if let Some(o) = Override::parse(var, text)? {
            overrides.push(o);
        }
    }
    overrides.sort_by(|a, b| {
        a.keys
            .len()
            .cmp(&b.keys.len())
            .then_with(|| a.keys.cmp(&b.keys))
            .then_with(|| a.var.cmp(&b.var))
    });
    for pair in overrides.windows(2) {
        if pair[0].keys == pair[1].keys {
            return Err(ConfigError::Env {
                var: pair[1].var.clone(),
                reason: format!(
                    "{} sets {} already",
                    pair[0].var,
                    setting_name(&pair[1].keys)
                ),
            });
        }
    }
    Ok(overrides)
}

/// The TOML keys a variable's name (after [`ENV_PREFIX`]) stands for: `__` separates them, each is
/// lowercased; in `[kafka.rdkafka]` the key's `_` become `.` (but for [`RDKAFKA_UNDERSCORED`]).
fn override_keys(name: &str) -> Result<Vec<String>, String> {
    let mut keys = Vec::new();
    for segment in name.split("__") {
        if segment.is_empty() {
            return Err(format!(
                "an empty name between two `__` (expected {ENV_PREFIX}SECTION__KEY)"
            ));
        }
        keys.push(segment.to_ascii_lowercase());
    }
    if keys.len() > 2 && keys[0] == "kafka" && keys[1] == "rdkafka" {
        if keys.len() > 3 {
            let rest = &keys[2..];
            return Err(format!(
                "a librdkafka property is one name whose `_` stand for `.`: \
                 {ENV_PREFIX}KAFKA__RDKAFKA__{} sets {:?}",
                rest.join("_").to_ascii_uppercase(),
                rest.join("."),
            ));
        }
        if !RDKAFKA_UNDERSCORED.contains(&keys[2].as_str()) {
            keys[2] = keys[2].replace('_', ".");
        }
    }
    Ok(keys)
}

/// The TOML value a variable's text stands for: the text read as a TOML value when it is one (but a
/// date or time, which no setting takes: that stays text), else the text itself.
fn toml_value(text: &str) -> toml::Value {
    match toml::Value::deserialize(toml::de::ValueDeserializer::new(text.trim())) {
        Ok(toml::Value::Datetime(_)) | Err(_) => toml::Value::String(text.to_string()),
        Ok(value) => value,
    }
}

/// Deserializes a configuration holding only `value` at `keys` (beside an empty `[kafka]`, the one
/// table without a default), so that an error is the variable's alone, whatever the file holds. A
/// missing field passes: the file may give it (if not, the merged configuration's error says so).
fn probe(keys: &[String], value: toml::Value) -> Result<(), toml::de::Error> {
    let mut root = toml::Table::new();
    root.insert("kafka".to_string(), toml::Value::Table(toml::Table::new()));
    set_key(&mut root, keys, value).map_err(<toml::de::Error as serde::de::Error>::custom)?;
    match Config::deserialize(toml::Value::Table(root)) {
        Ok(_) => Ok(()),
        Err(e) if e.message().starts_with("missing field") => Ok(()),
        Err(e) => Err(e),
    }
}

/// Why a variable was refused: the setting it names, and the deserializer's message (with the value
/// hidden when the key names a secret).
fn describe(keys: &[String], error: &toml::de::Error, text: &str) -> String {
    let setting = setting_name(keys);
    let message = error.message();
    let unknown = keys
        .iter()
        .any(|key| message.starts_with(&format!("unknown field `{key}`")));
    if unknown {
        return format!("no such setting ({setting}): {message}");
    }
    let message = if keys.last().is_some_and(|key| is_secret_key(key)) && !text.is_empty() {
        message.replace(text, "***")
    } else {
        message.to_string()
    };
    format!("not a valid value for {setting}: {message}")
}

/// A setting's name as the file writes it: `[pipeline] drain_timeout_s`, `kafka` at the top.
fn setting_name(keys: &[String]) -> String {
    match keys {
        [] => String::new(),
        [key] => key.clone(),
        [tables @ .., key] => format!("[{}] {key}", tables.join(".")),
    }
}

/// Sets `value` at `keys` in `table`, creating the tables on the way; an error when a key on the way
/// holds something else than a table.
fn set_key(table: &mut toml::Table, keys: &[String], value: toml::Value) -> Result<(), String> {
    let Some((last, parents)) = keys.split_last() else {
        return Err("no key".to_string());
    };
    let mut table = table;
    for (depth, key) in parents.iter().enumerate() {
        let entry = table
            .entry(key.clone())
            .or_insert_with(|| toml::Value::Table(toml::Table::new()));
        table = match entry {
            toml::Value::Table(inner) => inner,
            other => {
                return Err(format!(
                    "{} is a {}, not a table",
                    keys[..=depth].join("."),
                    other.type_str()
                ))
            }
        };
    }
    table.insert(last.clone(), value);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("test.toml"))
    }

    /// `parse` with these variables for the environment (the process's own is never touched).
    fn parse_env(text: &str, vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::parse_with_env(
            text,
            Path::new("test.toml"),
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())),
        )
    }

    const MINIMAL: &str = "[kafka]\nbrokers = \"b\"\n";

    /// A file holding `content`, deleted when dropped.
    fn secret_file(content: &str) -> tempfile::NamedTempFile {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        std::io::Write::write_all(&mut file, content.as_bytes()).unwrap();
        file
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
    fn wrapping_is_on_with_a_crs_and_refused_without_one() {
        let c = parse(MINIMAL).unwrap();
        assert!(!c.prover.wraps() && c.prover.crs().is_none());
        let c = parse("[kafka]\nbrokers = \"b\"\n[prover]\ncrs_file = \"/k/setup_2^24.key\"\n")
            .unwrap();
        assert!(c.prover.wraps());
        assert_eq!(
            c.prover.crs(),
            Some(zkstream_prover::wrap::CrsSource::File(
                "/k/setup_2^24.key".into()
            ))
        );
        let c =
            parse("[kafka]\nbrokers = \"b\"\n[prover]\ncrs_file = \"/k/s.key\"\nwrap = false\n")
                .unwrap();
        assert!(!c.prover.wraps() && c.prover.crs().is_none());
        let c = parse("[kafka]\nbrokers = \"b\"\n[prover]\nprofile = \"test\"\ntest_crs = true\n")
            .unwrap();
        assert_eq!(c.prover.crs(), Some(zkstream_prover::wrap::CrsSource::Test));
        for (text, field) in [
            ("wrap = true", "prover.wrap"),
            ("test_crs = true\ncrs_file = \"/k\"", "prover.test_crs"),
            // Anyone can forge a proof under the test CRS.
            ("test_crs = true", "the production profile"),
            ("keep_fri_proof = true", "prover.keep_fri_proof"),
            ("wrap_slot = 2", "wrap_slot"),
            (
                "profile = \"test\"\n[aggregation]\nwrap = true",
                "aggregation.wrap",
            ),
            (
                "test_crs = true\nwrap = false\n[aggregation]\nwrap = true",
                "the production profile",
            ),
            ("[aggregation]\nwraps = true", "wraps"),
        ] {
            let e = parse(&format!("[kafka]\nbrokers = \"b\"\n[prover]\n{text}\n")).unwrap_err();
            assert!(e.to_string().contains(field), "{text}: {e}");
        }
        // Aggregation mode wraps with the configured CRS unless told not to, whether or not batches
        // are wrapped.
        let crs = Some(zkstream_prover::wrap::CrsSource::File("/k/s.key".into()));
        let c =
            parse("[kafka]\nbrokers = \"b\"\n[prover]\ncrs_file = \"/k/s.key\"\nwrap = false\n")
                .unwrap();
        assert_eq!(c.aggregation_crs(), crs);
        let c = parse(
            "[kafka]\nbrokers = \"b\"\n[prover]\ncrs_file = \"/k/s.key\"\n[aggregation]\nwrap = false\n",
        )
        .unwrap();
        assert!(c.prover.wraps() && c.aggregation_crs().is_none());
        assert!(parse(MINIMAL).unwrap().aggregation_crs().is_none());
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

    #[test]
    fn environment_overrides_win_over_the_file() {
        let file = "[kafka]\nbrokers = \"b\"\n[sink.core]\nurl = \"http://file:1\"\n\
                    [pipeline]\ndrain_timeout_s = 10\n";
        let c = parse_env(
            file,
            &[
                ("ZKSTREAM__SINK__CORE__URL", "http://core:3320"),
                ("ZKSTREAM__PIPELINE__DRAIN_TIMEOUT_S", "60"),
            ],
        )
        .unwrap();
        assert_eq!(c.sink.core.as_ref().unwrap().url, "http://core:3320");
        assert_eq!(c.sink.core.as_ref().unwrap().timeout_s, 30);
        assert_eq!(c.pipeline.drain_timeout_s, 60);
        // Without the variables, the file as it is.
        let c = parse(file).unwrap();
        assert_eq!(c.sink.core.as_ref().unwrap().url, "http://file:1");
        assert_eq!(c.pipeline.drain_timeout_s, 10);
        // Tables the file lacks are made; names are case-insensitive; booleans and floats are typed.
        let c = parse_env(
            "",
            &[
                ("ZKSTREAM__KAFKA__BROKERS", "k1:9092,k2:9092"),
                ("ZKSTREAM__sink__core__url", "http://core:3320"),
                ("ZKSTREAM__STORE__KEEP_ALL", "true"),
                ("ZKSTREAM__STORE__KEEP_INTERMEDIATES_HOURS", "1.5"),
                ("ZKSTREAM__STORE__OPTIONS__AWS_REGION", "eu-central-1"),
            ],
        )
        .unwrap();
        assert_eq!(c.kafka.brokers, "k1:9092,k2:9092");
        assert_eq!(c.sink.core.as_ref().unwrap().url, "http://core:3320");
        assert!(c.store.keep_all);
        assert!((c.store.keep_intermediates_hours - 1.5).abs() < 1e-9);
        assert_eq!(c.store.options["aws_region"], "eu-central-1");
        // An inline table replaces the table; a field set inside it applies after it.
        let c = parse_env(
            "[kafka]\nbrokers = \"b\"\n[store.options]\naws_region = \"x\"\n",
            &[
                ("ZKSTREAM__STORE__OPTIONS__AWS_ALLOW_HTTP", "true"),
                (
                    "ZKSTREAM__STORE__OPTIONS",
                    "{ aws_endpoint = \"http://minio:9000\" }",
                ),
            ],
        )
        .unwrap();
        assert_eq!(
            c.store.options.keys().collect::<Vec<_>>(),
            ["aws_allow_http", "aws_endpoint"]
        );
        assert_eq!(c.store.options["aws_allow_http"], "true");
        // The checks run on the result.
        let e = parse_env(MINIMAL, &[("ZKSTREAM__SINK__CORE__URL", "ftp://x")]).unwrap_err();
        assert!(e.to_string().contains("sink.core.url"), "{e}");
    }

    #[test]
    fn an_rdkafka_override_names_a_dotted_property() {
        let c = parse_env(
            MINIMAL,
            &[
                ("ZKSTREAM__KAFKA__RDKAFKA__SECURITY_PROTOCOL", "SASL_SSL"),
                ("ZKSTREAM__KAFKA__RDKAFKA__SASL_MECHANISM", "SCRAM-SHA-512"),
                ("ZKSTREAM__KAFKA__RDKAFKA__SSL_CA_LOCATION", "/etc/ca.pem"),
                ("ZKSTREAM__KAFKA__RDKAFKA__SOCKET_KEEPALIVE_ENABLE", "true"),
                ("ZKSTREAM__KAFKA__RDKAFKA__SESSION_TIMEOUT_MS", "45000"),
                ("ZKSTREAM__KAFKA__RDKAFKA__LOG_LEVEL", "7"),
            ],
        )
        .unwrap();
        let r = &c.kafka.rdkafka;
        assert_eq!(r["security.protocol"], "SASL_SSL");
        assert_eq!(r["sasl.mechanism"], "SCRAM-SHA-512");
        assert_eq!(r["ssl.ca.location"], "/etc/ca.pem");
        // librdkafka takes text: a TOML boolean or number is its text.
        assert_eq!(r["socket.keepalive.enable"], "true");
        assert_eq!(r["session.timeout.ms"], "45000");
        // One of the two underscored properties.
        assert_eq!(r["log_level"], "7");
        assert_eq!(r.len(), 6);
        // `__` cannot stand for a dot: refused, naming the variable to use.
        let e = parse_env(
            MINIMAL,
            &[("ZKSTREAM__KAFKA__RDKAFKA__SASL__MECHANISM", "PLAIN")],
        )
        .unwrap_err();
        assert!(
            matches!(&e, ConfigError::Env { var, .. } if var == "ZKSTREAM__KAFKA__RDKAFKA__SASL__MECHANISM"),
            "{e}"
        );
        assert!(
            e.to_string()
                .contains("ZKSTREAM__KAFKA__RDKAFKA__SASL_MECHANISM sets \"sasl.mechanism\""),
            "{e}"
        );
    }

    #[test]
    fn an_override_that_names_no_setting_is_rejected_by_its_variable() {
        let e = parse_env(MINIMAL, &[("ZKSTREAM__PIPELINE__DRAIN_TIMOUT_S", "60")]).unwrap_err();
        assert!(
            matches!(&e, ConfigError::Env { var, .. } if var == "ZKSTREAM__PIPELINE__DRAIN_TIMOUT_S"),
            "{e}"
        );
        assert!(
            e.to_string().starts_with(
                "ZKSTREAM__PIPELINE__DRAIN_TIMOUT_S: no such setting ([pipeline] drain_timout_s)"
            ),
            "{e}"
        );
        assert!(!e.is_retryable());
        // A typo in a table's name, a table given a number, empty names, a value that does not fit.
        for (var, value, says) in [
            (
                "ZKSTREAM__SINKS__CORE__URL",
                "http://c",
                "no such setting ([sinks.core] url)",
            ),
            (
                "ZKSTREAM__KAFKA__SASL_PASSWORD",
                "x",
                "no such setting ([kafka] sasl_password)",
            ),
            ("ZKSTREAM__PIPELINE", "60", "not a valid value for pipeline"),
            (
                "ZKSTREAM__PIPELINE__WORKERS",
                "many",
                "not a valid value for [pipeline] workers",
            ),
            (
                "ZKSTREAM__PROVER__PROFILE",
                "fast",
                "unknown variant `fast`",
            ),
            ("ZKSTREAM__", "1", "empty name"),
            ("ZKSTREAM__PIPELINE____WORKERS", "1", "empty name"),
        ] {
            let e = parse_env(MINIMAL, &[(var, value)]).unwrap_err();
            assert!(
                matches!(&e, ConfigError::Env { var: v, .. } if v == var),
                "{var}: {e}"
            );
            assert!(e.to_string().contains(says), "{var}: {e}");
        }
        // Even when the file is fine and other variables are too.
        let e = parse_env(
            MINIMAL,
            &[
                ("ZKSTREAM__PIPELINE__WORKERS", "2"),
                ("ZKSTREAM__PROVER__THREDS", "4"),
            ],
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("ZKSTREAM__PROVER__THREDS: "),
            "{e}"
        );
        // Two spellings of one setting.
        let e = parse_env(
            MINIMAL,
            &[
                ("ZKSTREAM__PIPELINE__WORKERS", "2"),
                ("ZKSTREAM__pipeline__workers", "3"),
            ],
        )
        .unwrap_err();
        assert!(e.to_string().contains("[pipeline] workers"), "{e}");
        // A typo in the file is still the file's, with its line.
        let e = parse_env(
            "[kafka]\nbrokers = \"b\"\nbatch_topic = \"x\"\n",
            &[("ZKSTREAM__PIPELINE__WORKERS", "2")],
        )
        .unwrap_err();
        assert!(matches!(e, ConfigError::Parse { .. }), "{e}");
        assert!(e.to_string().contains("batch_topic"), "{e}");
    }

    #[test]
    fn single_underscore_variables_are_not_overrides() {
        let c = parse_env(
            MINIMAL,
            &[
                ("ZKSTREAM_KEYS_DIR", "/keys"),
                ("ZKSTREAM_LOG_FORMAT", "json"),
                ("ZKSTREAM_TANSU_BIN", "/bin/tansu"),
                ("ZKSTREAM_PIPELINE__WORKERS", "4"),
                ("PATH", "/bin"),
            ],
        )
        .unwrap();
        assert_eq!(format!("{c:?}"), format!("{:?}", Config::with_brokers("b")));
    }

    #[test]
    fn a_quoted_override_stays_a_string() {
        let c = parse_env(
            MINIMAL,
            &[
                ("ZKSTREAM__KAFKA__GROUP_ID", "\"123\""),
                ("ZKSTREAM__KAFKA__DLQ_TOPIC", "'true'"),
                // Unquoted, where a string is wanted: the text.
                ("ZKSTREAM__KAFKA__BATCHES_TOPIC", "456"),
                ("ZKSTREAM__AGGREGATION__TOPIC", "false"),
                ("ZKSTREAM__METRICS__ADDR", "127.0.0.1:9898"),
            ],
        )
        .unwrap();
        assert_eq!(c.kafka.group_id, "123");
        assert_eq!(c.kafka.dlq_topic, "true");
        assert_eq!(c.kafka.batches_topic, "456");
        assert_eq!(c.aggregation.topic, "false");
        assert_eq!(c.metrics.addr.as_deref(), Some("127.0.0.1:9898"));
        // A quoted number is a string, so not a number.
        let e = parse_env(MINIMAL, &[("ZKSTREAM__PIPELINE__WORKERS", "\"4\"")]).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("ZKSTREAM__PIPELINE__WORKERS: not a valid value"),
            "{e}"
        );
    }

    #[test]
    fn a_token_file_is_read_and_its_line_break_trimmed() {
        let core = "[sink.core]\nurl = \"http://core:3320\"\n";
        for content in ["tok-123\n", "tok-123\r\n", "tok-123"] {
            let file = secret_file(content);
            let text = format!("{MINIMAL}{core}token_file = '{}'\n", file.path().display());
            let c = parse(&text).unwrap();
            let token = c.sink.core.as_ref().unwrap().token.as_ref().unwrap();
            assert_eq!(token.expose(), "tok-123", "{content:?}");
        }
        // The file named by the environment.
        let file = secret_file("tok-456\n");
        let path = file.path().display().to_string();
        let c = parse_env(
            &format!("{MINIMAL}{core}"),
            &[("ZKSTREAM__SINK__CORE__TOKEN_FILE", path.as_str())],
        )
        .unwrap();
        let token = c.sink.core.as_ref().unwrap().token.as_ref().unwrap();
        assert_eq!(token.expose(), "tok-456");
        // A token straight from the environment.
        let c = parse_env(
            &format!("{MINIMAL}{core}"),
            &[("ZKSTREAM__SINK__CORE__TOKEN", "12345")],
        )
        .unwrap();
        let token = c.sink.core.as_ref().unwrap().token.as_ref().unwrap();
        assert_eq!(token.expose(), "12345");
        // A file that cannot be read, or is empty: refused, naming the field and the file.
        let e = parse(&format!(
            "{MINIMAL}{core}token_file = '/nonexistent/zkstream-token'\n"
        ))
        .unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::SecretFile {
                    field: "sink.core.token_file",
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("/nonexistent/zkstream-token"), "{e}");
        let empty = secret_file("\n");
        let e = parse(&format!(
            "{MINIMAL}{core}token_file = '{}'\n",
            empty.path().display()
        ))
        .unwrap_err();
        assert!(e.to_string().contains("sink.core.token_file"), "{e}");
        assert!(e.to_string().contains("is empty"), "{e}");
    }

    #[test]
    fn a_token_given_both_ways_is_refused_naming_both() {
        let file = secret_file("tok-123\n");
        let core = format!(
            "[sink.core]\nurl = \"http://core:3320\"\ntoken_file = '{}'\n",
            file.path().display()
        );
        let e = parse(&format!("{MINIMAL}{core}token = \"tok-9\"\n")).unwrap_err();
        assert!(
            e.to_string()
                .contains("sink.core.token / sink.core.token_file"),
            "{e}"
        );
        // One in the file, one in the environment.
        let e = parse_env(
            &format!("{MINIMAL}{core}"),
            &[("ZKSTREAM__SINK__CORE__TOKEN", "tok-9")],
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .contains("sink.core.token / sink.core.token_file"),
            "{e}"
        );
        assert!(!e.to_string().contains("tok-"), "{e}");
    }

    #[test]
    fn a_sasl_password_file_fills_the_rdkafka_setting() {
        let file = secret_file("hunter2\n");
        let text = format!(
            "[kafka]\nbrokers = \"b\"\nsasl_password_file = '{}'\n\
             [kafka.rdkafka]\n\"sasl.username\" = \"zkstream\"\n",
            file.path().display()
        );
        let c = parse(&text).unwrap();
        assert_eq!(c.kafka.rdkafka["sasl.password"], "hunter2");
        assert_eq!(c.kafka.rdkafka["sasl.username"], "zkstream");
        // The password also in the environment (or the file): refused, naming both.
        let e = parse_env(
            &text,
            &[("ZKSTREAM__KAFKA__RDKAFKA__SASL_PASSWORD", "other")],
        )
        .unwrap_err();
        let s = e.to_string();
        assert!(
            s.contains("kafka.sasl_password_file") && s.contains("sasl.password"),
            "{e}"
        );
        let e = parse(&format!("{text}\"sasl.password\" = \"other\"\n")).unwrap_err();
        assert!(e.to_string().contains("kafka.sasl_password_file"), "{e}");
        // A missing file.
        let e = parse("[kafka]\nbrokers = \"b\"\nsasl_password_file = '/nonexistent/pw'\n")
            .unwrap_err();
        assert!(
            matches!(
                e,
                ConfigError::SecretFile {
                    field: "kafka.sasl_password_file",
                    ..
                }
            ),
            "{e}"
        );
    }

    #[test]
    fn the_debug_of_the_config_shows_no_secret() {
        let c = parse_env(
            "[kafka]\nbrokers = \"b\"\n[sink.core]\nurl = \"http://core:3320\"\n",
            &[
                ("ZKSTREAM__SINK__CORE__TOKEN", "tok-s3cret-1"),
                ("ZKSTREAM__KAFKA__RDKAFKA__SASL_PASSWORD", "hunter2"),
                ("ZKSTREAM__KAFKA__RDKAFKA__SASL_USERNAME", "zk-user"),
                (
                    "ZKSTREAM__STORE__OPTIONS__AWS_SECRET_ACCESS_KEY",
                    "aws-s3cret",
                ),
            ],
        )
        .unwrap();
        let shown = format!("{c:?}\n{c:#?}");
        for secret in ["tok-s3cret-1", "hunter2", "aws-s3cret"] {
            assert!(!shown.contains(secret), "{secret} shown: {shown}");
        }
        // The keys and the other values are still there.
        assert!(
            shown.contains("sasl.password") && shown.contains("zk-user"),
            "{shown}"
        );
        assert!(shown.contains("Secret(***)"), "{shown}");
        assert_eq!(
            c.sink
                .core
                .as_ref()
                .unwrap()
                .token
                .as_ref()
                .unwrap()
                .expose(),
            "tok-s3cret-1"
        );
        assert_eq!(c.kafka.rdkafka["sasl.password"], "hunter2");
    }
}
