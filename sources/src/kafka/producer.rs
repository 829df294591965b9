//! Writes framed batches into a topic: key = batch number (8 bytes BE), partition `(n - 1) % partitions`,
//! zstd-compressed batches of records, acks from all in-sync replicas, idempotent producer.

use std::time::Duration;

use rdkafka::config::ClientConfig;
use std::sync::Mutex;

use rdkafka::client::ClientContext;
use rdkafka::message::DeliveryResult;
use rdkafka::producer::{BaseRecord, Producer, ProducerContext, ThreadedProducer};
use zkstream_types::{BatchInput, Framed};

use super::{batch_key, SourceError};

/// The partition batch `n` goes to.
pub fn partition_for(batch_number: u64, partitions: i32) -> i32 {
    (batch_number.saturating_sub(1) % partitions.max(1) as u64) as i32
}

/// Records the first delivery failure (a failed record must not pass unnoticed).
#[derive(Default)]
struct Deliveries {
    failed: Mutex<Option<String>>,
}

impl ClientContext for Deliveries {}

impl ProducerContext for Deliveries {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((e, _)) = result {
            let mut failed = self.failed.lock().unwrap_or_else(|p| p.into_inner());
            failed.get_or_insert_with(|| e.to_string());
        }
    }
}

/// What was written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProduceReport {
    /// Records written.
    pub records: usize,
    /// Bytes of framed values written.
    pub bytes: usize,
}

/// Writes `batches` to `topic` and waits until the broker acknowledged every record.
pub fn produce_batches(
    brokers: &str,
    topic: &str,
    partitions: i32,
    batches: impl IntoIterator<Item = BatchInput>,
) -> Result<ProduceReport, SourceError> {
    produce_frames(
        brokers,
        topic,
        partitions,
        batches.into_iter().map(|b| (b.batch_number, b)),
    )
}

/// Writes framed values (each under its batch number's key and partition) to `topic` and waits until
/// the broker acknowledged every record: batch inputs, or a simulation's batch shapes.
pub fn produce_frames<T: Framed>(
    brokers: &str,
    topic: &str,
    partitions: i32,
    values: impl IntoIterator<Item = (u64, T)>,
) -> Result<ProduceReport, SourceError> {
    let producer: ThreadedProducer<Deliveries> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("compression.type", "zstd")
        .set("enable.idempotence", "true")
        .set("acks", "all")
        .set("message.max.bytes", "16777216")
        .create_with_context(Deliveries::default())
        .map_err(SourceError::kafka("creating the producer"))?;
    let mut report = ProduceReport::default();
    for (number, value) in values {
        let value = value.to_frame().map_err(|e| SourceError::Encode {
            batch: number,
            reason: e.to_string(),
        })?;
        let key = batch_key(number);
        let mut record = BaseRecord::to(topic)
            .key(&key[..])
            .payload(&value[..])
            .partition(partition_for(number, partitions));
        loop {
            match producer.send(record) {
                Ok(()) => break,
                Err((
                    rdkafka::error::KafkaError::MessageProduction(
                        rdkafka::types::RDKafkaErrorCode::QueueFull,
                    ),
                    r,
                )) => {
                    record = r;
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err((e, _)) => return Err(SourceError::kafka("producing")(e)),
            }
        }
        report.records += 1;
        report.bytes += value.len();
    }
    producer
        .flush(Duration::from_secs(30))
        .map_err(SourceError::kafka("flushing the producer"))?;
    let failed = producer
        .context()
        .failed
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let Some(reason) = failed {
        return Err(SourceError::Delivery(reason));
    }
    Ok(report)
}
