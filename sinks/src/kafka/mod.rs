//! The Kafka proof sink: each final proof, framed, to the proofs topic (`zkstream.proofs`), key = batch
//! number (8 bytes big-endian). [`KafkaWriter`] is the synchronous producer both Kafka sinks share: it
//! returns only when the broker acknowledged the record, and retries failed deliveries with backoff
//! (librdkafka retries inside a delivery too). Delivery is at least once; the key makes duplicates
//! recognisable.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::error::KafkaError;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::types::RDKafkaErrorCode;
use zkstream_types::FinalBatchProof;

use crate::error::frame;
use crate::{ProofSink, RetryPolicy, SinkError};

/// A synchronous, acknowledged Kafka producer.
pub struct KafkaWriter {
    producer: FutureProducer,
    retry: RetryPolicy,
    retries: u64,
}

impl KafkaWriter {
    /// Connects to `brokers`; `rdkafka` settings pass through verbatim (they win over the defaults).
    pub fn new(
        brokers: &str,
        rdkafka: &BTreeMap<String, String>,
        retry: RetryPolicy,
    ) -> Result<Self, SinkError> {
        let mut cc = ClientConfig::new();
        cc.set("bootstrap.servers", brokers)
            .set("acks", "all")
            .set("compression.type", "zstd")
            .set("message.max.bytes", "16777216")
            .set("message.timeout.ms", "30000");
        for (k, v) in rdkafka {
            cc.set(k, v);
        }
        let producer = cc
            .create()
            .map_err(SinkError::kafka("creating the producer"))?;
        Ok(KafkaWriter {
            producer,
            retry,
            retries: 0,
        })
    }

    /// Failed deliveries retried so far.
    pub fn retries(&self) -> u64 {
        self.retries
    }

    /// Writes one record and waits for the broker's acknowledgement; returns (partition, offset).
    /// `batch` only labels errors and logs.
    pub fn send(
        &mut self,
        topic: &str,
        batch: u64,
        key: &[u8],
        payload: &[u8],
        headers: &[(&str, &[u8])],
    ) -> Result<(i32, i64), SinkError> {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let mut owned = OwnedHeaders::new();
            for (name, value) in headers {
                owned = owned.insert(Header {
                    key: name,
                    value: Some(*value),
                });
            }
            let record = FutureRecord::to(topic)
                .key(key)
                .payload(payload)
                .headers(owned);
            let error = match self.producer.send_result(record) {
                Ok(delivery) => match futures::executor::block_on(delivery) {
                    Ok(Ok(d)) => return Ok((d.partition, d.offset)),
                    Ok(Err((e, _))) => e.to_string(),
                    Err(_) => "the producer dropped the delivery report".to_string(),
                },
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    std::thread::sleep(Duration::from_millis(20));
                    attempt -= 1;
                    continue;
                }
                Err((e, _)) => e.to_string(),
            };
            self.retry
                .wait_or_give_up(&format!("kafka topic {topic}"), batch, attempt, error)?;
            self.retries += 1;
        }
    }
}

/// Final proofs to a topic.
pub struct KafkaProofSink {
    writer: KafkaWriter,
    topic: String,
    epoch: Option<String>,
}

impl KafkaProofSink {
    /// A sink into `topic` through `writer`.
    pub fn new(writer: KafkaWriter, topic: &str) -> Self {
        KafkaProofSink {
            writer,
            topic: topic.to_string(),
            epoch: None,
        }
    }
}

impl ProofSink for KafkaProofSink {
    fn name(&self) -> &str {
        "kafka"
    }

    /// The epoch goes with each record as the header `zkstream-epoch`, so that a consumer can drop a
    /// copy written by a process a newer epoch had fenced.
    fn set_epoch(&mut self, epoch: u64) {
        self.epoch = Some(epoch.to_string());
    }

    fn deliver(&mut self, proof: &FinalBatchProof) -> Result<(), SinkError> {
        let batch = proof.batch_number;
        let value = frame(proof)?;
        let commitment = proof.batch_commitment.to_hex();
        let mut headers = vec![("zkstream-batch-commitment", commitment.as_bytes())];
        if let Some(epoch) = &self.epoch {
            headers.push(("zkstream-epoch", epoch.as_bytes()));
        }
        let (partition, offset) =
            self.writer
                .send(&self.topic, batch, &batch.to_be_bytes(), &value, &headers)?;
        tracing::info!(batch, partition, offset, topic = %self.topic, "proof written to kafka");
        Ok(())
    }
}
