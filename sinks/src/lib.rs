//! Where final proofs and dead letters go: `core_http/`, `kafka/`, `dlq/`, `file/`, one folder per sink,
//! all fed in batch order. They arrive with the Kafka issue; this crate fixes the workspace layout and
//! dependencies (rdkafka, object_store) they build on.
#![deny(missing_docs)]
