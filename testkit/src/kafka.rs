//! Records in and out of a Kafka-protocol broker with a third-party client (librdkafka through
//! `rdkafka`, not zkstream's own reader), and a group's committed offsets.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

/// A record as read: (key, value, headers).
pub type Record = (Option<Vec<u8>>, Vec<u8>, BTreeMap<String, String>);

/// Writes `records` (key, value) to one partition of `topic`, in order, each flushed before the next.
pub fn send_records(
    brokers: &str,
    topic: &str,
    partition: i32,
    records: &[(Option<Vec<u8>>, Vec<u8>)],
) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .unwrap();
    for (key, value) in records {
        let mut r = BaseRecord::to(topic).payload(value).partition(partition);
        if let Some(k) = key {
            r = r.key(k);
        }
        producer.send(r).map_err(|(e, _)| e).unwrap();
        producer.flush(Duration::from_secs(10)).unwrap();
    }
}

/// Reads a whole topic from the beginning, every partition, until `enough` says so (or 20 s passed).
pub fn read_topic(brokers: &str, topic: &str, enough: impl Fn(&[Record]) -> bool) -> Vec<Record> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", "zkstream-test-reader")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    let partitions = metadata.topics()[0].partitions().len() as i32;
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    consumer.assign(&tpl).unwrap();
    let mut out = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !enough(&out) && Instant::now() < deadline {
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            let mut headers = BTreeMap::new();
            if let Some(h) = m.headers() {
                for i in 0..h.count() {
                    let header = h.get(i);
                    headers.insert(
                        header.key.to_string(),
                        String::from_utf8_lossy(header.value.unwrap_or_default()).into_owned(),
                    );
                }
            }
            out.push((
                m.key().map(<[u8]>::to_vec),
                m.payload().unwrap_or_default().to_vec(),
                headers,
            ));
        }
    }
    out
}

/// The offsets `group` committed on partitions `0..partitions` of `topic` (-1 where none).
pub fn committed(brokers: &str, topic: &str, group: &str, partitions: i32) -> Vec<i64> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", group)
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition(topic, p);
    }
    let c = consumer
        .committed_offsets(tpl, Duration::from_secs(10))
        .unwrap();
    (0..partitions)
        .map(|p| match c.find_partition(topic, p).map(|e| e.offset()) {
            Some(Offset::Offset(o)) => o,
            _ => -1,
        })
        .collect()
}
