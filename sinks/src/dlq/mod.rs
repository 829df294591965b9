//! The dead-letter sink: a record the pipeline refused goes to the DLQ topic (`zkstream.dlq`) with its
//! original key and bytes, and headers saying why and where it came from: `zkstream-reason` (the reason in
//! words), `zkstream-source-topic`, `zkstream-source-partition`, `zkstream-source-offset`. Only once the
//! broker acknowledged the dead letter may the original record's offset be committed. A value longer
//! than [`MAX_DEAD_LETTER_VALUE`] is cut to that length (header `zkstream-original-bytes` gives its full
//! length), a key longer than [`MAX_DEAD_LETTER_KEY`] likewise (`zkstream-original-key-bytes`): an oversized record must not become a dead letter the broker refuses forever, which would
//! hold up the sink thread.

use crate::{KafkaWriter, SinkError};

/// The longest value a dead letter carries (brokers refuse messages over 1 MB by default).
pub const MAX_DEAD_LETTER_VALUE: usize = 512 << 10;

/// The longest key a dead letter carries.
pub const MAX_DEAD_LETTER_KEY: usize = 1 << 10;

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
        let original = letter.payload.len().to_string();
        let cut = letter.payload.len() > MAX_DEAD_LETTER_VALUE;
        let mut headers: Vec<(&str, &[u8])> = vec![
            ("zkstream-reason", letter.reason.as_bytes()),
            ("zkstream-source-topic", letter.topic.as_bytes()),
            ("zkstream-source-partition", partition.as_bytes()),
            ("zkstream-source-offset", offset.as_bytes()),
        ];
        if cut {
            headers.push(("zkstream-original-bytes", original.as_bytes()));
        }
        let key = letter.key.unwrap_or_default();
        let key_length = key.len().to_string();
        if key.len() > MAX_DEAD_LETTER_KEY {
            headers.push(("zkstream-original-key-bytes", key_length.as_bytes()));
        }
        let key = &key[..key.len().min(MAX_DEAD_LETTER_KEY)];
        let payload = &letter.payload[..letter.payload.len().min(MAX_DEAD_LETTER_VALUE)];
        let label = letter
            .key
            .and_then(|k| <[u8; 8]>::try_from(k).ok())
            .map(u64::from_be_bytes)
            .unwrap_or(0);
        self.writer
            .send(&self.topic, label, key, payload, &headers)?;
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
