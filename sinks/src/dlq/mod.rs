//! The dead-letter sink: a record the pipeline refused goes to the DLQ topic (`zkstream.dlq`) with its
//! original key and bytes, and headers saying why and where it came from: `zkstream-reason` (the reason in
//! words), `zkstream-source-topic`, `zkstream-source-partition`, `zkstream-source-offset`. Only once the
//! broker acknowledged the dead letter may the original record's offset be committed.

use crate::{KafkaWriter, SinkError};

/// A refused record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeadLetter<'a> {
    /// The topic it was read from.
    pub topic: &'a str,
    /// Its partition there.
    pub partition: i32,
    /// Its offset there.
    pub offset: i64,
    /// Its key as read (absent when the record had none).
    pub key: Option<&'a [u8]>,
    /// Its value as read.
    pub payload: &'a [u8],
    /// Why it was refused.
    pub reason: &'a str,
}

/// Writes dead letters to a topic.
pub struct DeadLetterSink {
    writer: KafkaWriter,
    topic: String,
    written: u64,
}

impl DeadLetterSink {
    /// A sink into `topic` through `writer`.
    pub fn new(writer: KafkaWriter, topic: &str) -> Self {
        DeadLetterSink {
            writer,
            topic: topic.to_string(),
            written: 0,
        }
    }

    /// Dead letters written so far.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// Writes one dead letter and waits for the acknowledgement.
    pub fn send(&mut self, letter: &DeadLetter<'_>) -> Result<(), SinkError> {
        let (partition, offset) = (letter.partition.to_string(), letter.offset.to_string());
        let headers: [(&str, &[u8]); 4] = [
            ("zkstream-reason", letter.reason.as_bytes()),
            ("zkstream-source-topic", letter.topic.as_bytes()),
            ("zkstream-source-partition", partition.as_bytes()),
            ("zkstream-source-offset", offset.as_bytes()),
        ];
        let label = letter
            .key
            .and_then(|k| <[u8; 8]>::try_from(k).ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0);
        self.writer.send(
            &self.topic,
            label,
            letter.key.unwrap_or_default(),
            letter.payload,
            &headers,
        )?;
        self.written += 1;
        tracing::warn!(
            topic = %letter.topic,
            partition = letter.partition,
            offset = letter.offset,
            reason = %letter.reason,
            "record sent to the dead-letter topic"
        );
        Ok(())
    }
}
