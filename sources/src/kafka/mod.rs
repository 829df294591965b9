//! Kafka in: the reader operator, the embedded broker, the producer, and user-proof mode's submissions
//! reader (`submissions.rs`). Batch record format: key = batch number as
//! 8 bytes big-endian, value = framed `BatchInput` (`ZKSB…`); batch `n` goes to partition
//! `(n - 1) % partitions`, so every partition carries an increasing sequence of batch numbers.

pub mod committer;
mod embedded;
mod lag;
mod producer;
mod reader;
mod submissions;

pub use committer::{Follows, OffsetCommitter, OffsetTracker, ReadMark, Settle};
pub use embedded::EmbeddedBroker;
pub use lag::LagProbe;
pub use producer::{partition_for, produce_batches, produce_frames, ProduceReport};
pub use reader::{
    kafka_records, kafka_source, Delivered, Held, InFlightGate, KafkaSourceConfig, PartitionWatch,
    ReaderStreams, MAX_RECORD_BYTES,
};
pub use submissions::{SubmissionReader, SubmissionRecord};

/// Errors of the Kafka source side.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// librdkafka refused a call.
    #[error("kafka {op}: {source}")]
    Kafka {
        /// What was being done.
        op: String,
        /// librdkafka's error.
        source: rdkafka::error::KafkaError,
    },
    /// The topic does not exist or has no partitions.
    #[error("topic {0:?} not found or without partitions")]
    NoTopic(String),
    /// The broker did not acknowledge a record.
    #[error("a record was not delivered: {0}")]
    Delivery(String),
    /// A batch could not be framed.
    #[error("encoding batch {batch}: {reason}")]
    Encode {
        /// The batch.
        batch: u64,
        /// Why.
        reason: String,
    },
}

impl SourceError {
    /// Whether trying again can help: a broker away or a record not acknowledged may pass; a missing
    /// topic, a batch that does not frame or bad client settings stay as they are.
    pub fn is_retryable(&self) -> bool {
        match self {
            SourceError::Kafka { source, .. } => zkstream_sinks::kafka_error_is_retryable(source),
            SourceError::Delivery(_) => true,
            SourceError::NoTopic(_) | SourceError::Encode { .. } => false,
        }
    }

    pub(crate) fn kafka(op: impl Into<String>) -> impl FnOnce(rdkafka::error::KafkaError) -> Self {
        let op = op.into();
        move |source| SourceError::Kafka { op, source }
    }
}

/// A consumer's client settings: brokers, group, manual offsets (auto-commit off), then the operator's
/// librdkafka settings, which win.
pub fn consumer_config(
    brokers: &str,
    group_id: &str,
    rdkafka: &std::collections::BTreeMap<String, String>,
) -> rdkafka::config::ClientConfig {
    let mut cc = rdkafka::config::ClientConfig::new();
    cc.set("bootstrap.servers", brokers)
        .set("group.id", group_id)
        .set("enable.auto.commit", "false")
        .set("fetch.message.max.bytes", "16777216");
    for (k, v) in rdkafka {
        cc.set(k, v);
    }
    cc
}

/// The record key of a batch: its number, 8 bytes big-endian.
pub fn batch_key(batch_number: u64) -> [u8; 8] {
    batch_number.to_be_bytes()
}

/// Reads a record key back; `None` unless it is exactly 8 bytes.
pub fn parse_batch_key(key: Option<&[u8]>) -> Option<u64> {
    let bytes: [u8; 8] = key?.try_into().ok()?;
    Some(u64::from_be_bytes(bytes))
}
