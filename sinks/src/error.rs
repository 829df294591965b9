//! The sinks' error type.

use std::path::PathBuf;

/// Errors of the sinks. Transient failures (5xx, timeouts, a broker away) are retried inside the sinks
/// and never surface; what comes out is permanent and stops delivery rather than skip a batch.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    /// A file could not be written.
    #[error("writing {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The record could not be framed.
    #[error("framing batch {batch}: {reason}")]
    Encode {
        /// The batch.
        batch: u64,
        /// Why.
        reason: String,
    },
    /// The core refused a proof for good (a 4xx other than conflict, timeout or rate limit).
    #[error("core at {url} refused batch {batch}: HTTP {status}: {body}")]
    Refused {
        /// The endpoint.
        url: String,
        /// The batch.
        batch: u64,
        /// The HTTP status.
        status: u16,
        /// The start of the response body.
        body: String,
    },
    /// A sink's configuration is unusable (bad URL, ...).
    #[error("{0}")]
    Config(String),
    /// librdkafka refused a call.
    #[error("kafka {op}: {source}")]
    Kafka {
        /// What was being done.
        op: String,
        /// librdkafka's error.
        source: rdkafka::error::KafkaError,
    },
    /// A sink's own check refused the proof (the demo's verifier: it does not prove its batch input).
    #[error("{sink} refused batch {batch}: {reason}")]
    Check {
        /// Which sink.
        sink: String,
        /// The batch.
        batch: u64,
        /// Why.
        reason: String,
    },
    /// Retries were bounded and ran out.
    #[error("{sink}: gave up on batch {batch} after {attempts} attempts: {last}")]
    GaveUp {
        /// Which sink.
        sink: String,
        /// The batch.
        batch: u64,
        /// Attempts made.
        attempts: u32,
        /// The last error.
        last: String,
    },
}

impl SinkError {
    pub(crate) fn kafka(op: impl Into<String>) -> impl FnOnce(rdkafka::error::KafkaError) -> Self {
        let op = op.into();
        move |source| SinkError::Kafka { op, source }
    }
}

/// A final proof as its framed record (what every proof sink writes).
pub(crate) fn frame(proof: &zkstream_types::FinalBatchProof) -> Result<Vec<u8>, SinkError> {
    use zkstream_types::Framed;
    proof.to_frame().map_err(|e| SinkError::Encode {
        batch: proof.batch_number,
        reason: e.to_string(),
    })
}
