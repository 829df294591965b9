//! The demo application: the batch service of [`crate::service`] on a world of its own. An embedded
//! Kafka-protocol broker (librdkafka's mock cluster) carries a synthetic batch chain; the service reads,
//! proves and delivers it on the same path as `run`, with one more sink in front, the [`Verifier`] (each
//! final proof checked against the batch input it was made from, with the independent verifier). The
//! command line (`zkstream demo`) adds only its arguments, progress bars and summary.

use std::collections::BTreeMap;
use std::sync::Arc;

use zkstream_operators::pool::FaultInjector;
use zkstream_prover::sample::sample_chain;
use zkstream_prover::wrap::WrapperVk;
use zkstream_prover::{verify_final_proof, KeyStore};
use zkstream_sinks::{ProofSink, SinkError};
use zkstream_sources::kafka::{produce_batches, ProduceReport};
use zkstream_sources::EmbeddedBroker;
use zkstream_types::{BatchInput, FinalBatchProof};

use crate::config::Config;
use crate::service::ServiceError;

/// The consumer group of the demo's reader (its committed offsets give the consumer-lag gauge).
pub const DEMO_GROUP: &str = "zkstream-demo";
/// The name of the demo's own sink.
pub const DEMO_SINK: &str = "demo-verifier";

/// The demo's world: a broker whose batches topic holds the chain, and the configuration of the batch
/// service that points at it. The broker lives as long as this value.
pub struct EmbeddedChain {
    /// The broker (dropped last: the service must be done with it).
    pub broker: EmbeddedBroker,
    /// The chain, batches `1..=batches`.
    pub chain: Vec<BatchInput>,
    /// What producing it wrote.
    pub produced: ProduceReport,
    /// Partitions of the batches topic.
    pub partitions: i32,
    /// The service's configuration: the defaults, this broker, the demo's consumer group.
    pub config: Config,
}

impl EmbeddedChain {
    /// Starts a broker, creates the batches and dead-letter topics (`partitions` partitions for the
    /// batches) and produces the synthetic chain of `batches` batches (seed `seed`, the chain
    /// `sample-batch --seed` shows) for `keys`' protocol version and VK set.
    pub fn start(
        keys: &KeyStore,
        batches: u64,
        seed: u64,
        partitions: i32,
    ) -> Result<Self, ServiceError> {
        let broker = EmbeddedBroker::start()?;
        let brokers = broker.bootstrap_servers();
        let mut config = Config::with_brokers(&brokers);
        config.kafka.group_id = DEMO_GROUP.into();
        let partitions = partitions.max(1);
        broker.create_topic(&config.kafka.batches_topic, partitions)?;
        broker.create_topic(&config.kafka.dlq_topic, 1)?;
        let vk_set = keys.vk_set_commitment()?;
        let chain = sample_chain(1, batches, seed, keys.protocol_version(), &vk_set);
        let produced = produce_batches(
            &brokers,
            &config.kafka.batches_topic,
            partitions,
            chain.clone(),
        )?;
        Ok(EmbeddedChain {
            broker,
            chain,
            produced,
            partitions,
            config,
        })
    }

    /// The sink that checks each delivered proof against its batch of this chain (a wrapped one
    /// against `wrapper`).
    pub fn verifier(&self, keys: Arc<KeyStore>, wrapper: Option<WrapperVk>) -> Verifier {
        Verifier {
            keys,
            wrapper,
            inputs: self
                .chain
                .iter()
                .map(|b| (b.batch_number, b.clone()))
                .collect(),
        }
    }
}

/// The demo's own sink: checks each final proof against the batch input it was made from, with the
/// independent verifier (the delivery thread has already checked the record on its own); a proof it
/// refuses reaches no other sink.
pub struct Verifier {
    keys: Arc<KeyStore>,
    wrapper: Option<WrapperVk>,
    inputs: BTreeMap<u64, BatchInput>,
}

impl ProofSink for Verifier {
    fn name(&self) -> &str {
        DEMO_SINK
    }

    fn deliver(&mut self, p: &FinalBatchProof) -> Result<(), SinkError> {
        let refused = |reason: String| SinkError::Check {
            sink: DEMO_SINK.into(),
            batch: p.batch_number,
            reason,
        };
        let input = self
            .inputs
            .get(&p.batch_number)
            .ok_or_else(|| refused("delivered but never produced".into()))?;
        verify_final_proof(&self.keys, input, p, self.wrapper.as_ref())
            .map(|_| ())
            .map_err(|e| refused(format!("final proof rejected: {e}")))
    }
}

/// A deterministic chaos drill: attempt `a` of key `k` fails when hash(k, a, seed) < `rate` (none
/// when `rate` is 0).
pub fn chaos(rate: f64, seed: u64) -> Option<FaultInjector> {
    if rate <= 0.0 {
        return None;
    }
    Some(Arc::new(move |key, attempt| {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (key, attempt, seed).hash(&mut h);
        (h.finish() as f64 / u64::MAX as f64) < rate
    }))
}
