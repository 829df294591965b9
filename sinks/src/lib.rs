//! Where final proofs and dead letters go. Every proof sink is fed in batch order by the ordered sink
//! stage and is idempotent per batch:
//! - [`core_http`] — `POST {url}/submit_proof/{batch_number}` with the framed final proof; retries 5xx and
//!   timeouts with backoff, never skips a batch;
//! - [`kafka`] — the proofs topic (`zkstream.proofs`), key = batch number;
//! - [`file`] — `DIR/batch-N.proof`;
//! - [`dlq`] — the dead-letter topic (`zkstream.dlq`): original bytes, a reason header.
#![deny(missing_docs)]

pub mod core_http;
pub mod dlq;
mod error;
pub mod file;
pub mod kafka;
mod retry;

pub use core_http::{CoreAccess, CoreHttpSink};
pub use dlq::{DeadLetter, DeadLetterSink};
pub use error::{kafka_error_is_retryable, SinkError};
pub use file::FileSink;
pub use kafka::{KafkaProofSink, KafkaWriter};
pub use retry::RetryPolicy;

use zkstream_types::FinalBatchProof;

/// A destination for final proofs, fed in batch order.
pub trait ProofSink: Send {
    /// A short name for logs, metrics and the run summary (`core`, `kafka`, `file`).
    fn name(&self) -> &str;
    /// Delivers one proof; returns once it is durably accepted. Transient failures are retried inside;
    /// an error is permanent.
    fn deliver(&mut self, proof: &FinalBatchProof) -> Result<(), SinkError>;
    /// From now on, sends the delivering process's fencing epoch with every proof, for a receiver that
    /// checks fencing tokens (it keeps the highest epoch it has seen and refuses an older one). Sinks
    /// whose receiver cannot check one ignore it (the default).
    fn set_epoch(&mut self, _epoch: u64) {}
}

impl ProofSink for FileSink {
    fn name(&self) -> &str {
        "file"
    }

    fn deliver(&mut self, proof: &FinalBatchProof) -> Result<(), SinkError> {
        FileSink::deliver(self, proof).map(|_| ())
    }
}
