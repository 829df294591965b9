//! Where final proofs and dead letters go: `file/` now (`DIR/batch-N.proof`); `core_http/`, `kafka/`,
//! `dlq/` with the Kafka issue. Every sink is fed in batch order by the ordered sink stage.
#![deny(missing_docs)]

pub mod file;

pub use file::{FileSink, SinkError};
