//! An in-process Kafka-protocol broker (librdkafka's mock cluster) for `zkstream demo` and tests: clients
//! connect to it over TCP on loopback exactly as to a real broker, so the demo runs the production reader.
//! It lives as long as this value, on the thread that made it (it is not `Send`).

use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;

use super::SourceError;

/// The embedded broker.
pub struct EmbeddedBroker {
    cluster: MockCluster<'static, DefaultProducerContext>,
}

impl EmbeddedBroker {
    /// Starts a one-broker mock cluster.
    pub fn start() -> Result<Self, SourceError> {
        let cluster =
            MockCluster::new(1).map_err(SourceError::kafka("starting the mock cluster"))?;
        Ok(EmbeddedBroker { cluster })
    }

    /// `bootstrap.servers` for clients.
    pub fn bootstrap_servers(&self) -> String {
        self.cluster.bootstrap_servers()
    }

    /// Creates a topic (the mock broker has no admin API).
    pub fn create_topic(&self, topic: &str, partitions: i32) -> Result<(), SourceError> {
        self.cluster
            .create_topic(topic, partitions, 1)
            .map_err(SourceError::kafka(format!("creating topic {topic}")))
    }

    /// The mock cluster itself, for fault injection in tests.
    pub fn cluster(&self) -> &MockCluster<'static, DefaultProducerContext> {
        &self.cluster
    }
}
