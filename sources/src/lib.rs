//! Where batches come from: `kafka/` (rdkafka, manual partition assignment, reader/committer split),
//! `file/` and `synthetic/`, one folder per source. They arrive with the dataflow and Kafka issues; this
//! crate fixes the workspace layout and dependencies (rdkafka 0.39, vendored librdkafka) they build on.
#![deny(missing_docs)]
