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
    /// The receiver refused the proof's fencing token: a process that started later took a newer
    /// epoch and delivers now (HTTP 412 from the core).
    #[error(
        "{sink} refused batch {batch} from epoch {epoch}: a newer epoch delivers now ({reason})"
    )]
    Fenced {
        /// Which sink.
        sink: String,
        /// The batch.
        batch: u64,
        /// The epoch this process sent.
        epoch: u64,
        /// The receiver's words.
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

/// Whether a librdkafka error may pass (a broker away, a timeout, a leader moving), which the sinks,
/// the sources and the offset committer all ask. What says no: an error without a code (the client's
/// own settings), a fatal consumer error, and the codes that name a setting, a permission or a record
/// the broker will refuse again (authentication, authorization, an unsupported version or feature, a
/// message too large, an invalid record or configuration).
pub fn kafka_error_is_retryable(e: &rdkafka::error::KafkaError) -> bool {
    use rdkafka::error::{KafkaError, RDKafkaErrorCode as C};
    if matches!(e, KafkaError::MessageConsumptionFatal(_)) {
        return false;
    }
    match e.rdkafka_error_code() {
        None => false,
        Some(code) => !matches!(
            code,
            C::Fatal
                | C::Authentication
                | C::SaslAuthenticationFailed
                | C::UnsupportedSASLMechanism
                | C::TopicAuthorizationFailed
                | C::GroupAuthorizationFailed
                | C::ClusterAuthorizationFailed
                | C::InvalidArgument
                | C::InvalidConfig
                | C::UnsupportedFeature
                | C::UnsupportedVersion
                | C::UnsupportedCompressionType
                | C::MessageSizeTooLarge
                | C::InvalidRecord
        ),
    }
}

impl SinkError {
    /// Whether delivering again later can help: a file system fault, a broker away or a sink that ran
    /// out of bounded retries may pass; a refusal, a bad configuration, a failed check or a newer epoch
    /// stays.
    pub fn is_retryable(&self) -> bool {
        match self {
            SinkError::Io { .. } | SinkError::GaveUp { .. } => true,
            SinkError::Kafka { source, .. } => kafka_error_is_retryable(source),
            SinkError::Encode { .. }
            | SinkError::Refused { .. }
            | SinkError::Config(_)
            | SinkError::Check { .. }
            | SinkError::Fenced { .. } => false,
        }
    }

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

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::error::{KafkaError, RDKafkaErrorCode};

    #[test]
    fn faults_that_may_pass_are_retryable_refusals_are_not() {
        let kafka = |source| SinkError::Kafka {
            op: "producing".into(),
            source,
        };
        assert!(kafka(KafkaError::MessageProduction(
            RDKafkaErrorCode::BrokerTransportFailure
        ))
        .is_retryable());
        assert!(!kafka(KafkaError::ClientCreation("bad settings".into())).is_retryable());
        assert!(
            !kafka(KafkaError::MessageProduction(
                RDKafkaErrorCode::MessageSizeTooLarge
            ))
            .is_retryable(),
            "a record too large is refused again"
        );
        assert!(
            !kafka(KafkaError::MessageConsumptionFatal(RDKafkaErrorCode::Fatal)).is_retryable()
        );
        assert!(!kafka(KafkaError::ConsumerCommit(
            RDKafkaErrorCode::GroupAuthorizationFailed
        ))
        .is_retryable());
        assert!(kafka(KafkaError::ConsumerCommit(
            RDKafkaErrorCode::RequestTimedOut
        ))
        .is_retryable());
        let gave_up = SinkError::GaveUp {
            sink: "core".into(),
            batch: 3,
            attempts: 4,
            last: "HTTP 503".into(),
        };
        assert!(gave_up.is_retryable());
        let refused = SinkError::Refused {
            url: "http://core/".into(),
            batch: 3,
            status: 400,
            body: String::new(),
        };
        assert!(!refused.is_retryable());
        assert!(!SinkError::Config("no scheme".into()).is_retryable());
    }
}
