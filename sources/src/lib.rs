//! Where batches and users' proof submissions come from. [`kafka`]: the production reader (one per
//! worker, manual partition assignment, manual offsets), user-proof mode's submissions reader, an
//! embedded Kafka-protocol broker for `demo` and tests, and a producer.
#![deny(missing_docs)]

pub mod kafka;

pub use kafka::{
    kafka_records, kafka_source, Delivered, EmbeddedBroker, Follows, Held, InFlightGate,
    KafkaSourceConfig, LagProbe, OffsetCommitter, OffsetTracker, PartitionWatch, ReadMark, Settle,
    SourceError, SubmissionReader, SubmissionRecord,
};
