//! The Kafka reader: a timely source operator per worker. Partitions are assigned manually
//! (`partition % peers == worker index`), auto-commit is off, and the reader resumes from the group's
//! committed offsets (or the beginning). Time = batch number (from the record key).
//!
//! Each reader holds one capability at the least batch any of its partitions may still deliver: a
//! partition's next batch is above the last one it delivered (partitions carry increasing batch numbers),
//! so the capability is `min over partitions (last + 1)`, starting at `start_batch`. It downgrades as it
//! reads and when idle keeps re-polling on a timer, never blocking the worker thread. A worker without
//! partitions drops its capability at once, and in bounded mode a partition is done at the end offset it
//! had when the reader started: an idle or finished input never stalls the graph.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::generic::operator::source;
use timely::dataflow::operators::Capability;
use timely::dataflow::operators::OkErr;
use timely::dataflow::{Scope, Stream};
use zkstream_operators::{RawBatch, Rejected};

use super::{parse_batch_key, SourceError};

/// How a reader connects and where it starts.
#[derive(Clone, Debug)]
pub struct KafkaSourceConfig {
    /// `bootstrap.servers`.
    pub brokers: String,
    /// The batches topic.
    pub topic: String,
    /// Consumer group whose committed offsets the reader resumes from.
    pub group_id: String,
    /// The first batch the pipeline expects (the reader's initial capability).
    pub start_batch: u64,
    /// Stop at the end offsets found at start (demo, tests, benchmarks) instead of following the topic.
    pub bounded: bool,
    /// How long an idle reader waits before polling again.
    pub poll_interval: Duration,
    /// Extra librdkafka settings, passed through verbatim.
    pub rdkafka: BTreeMap<String, String>,
}

impl KafkaSourceConfig {
    /// Defaults for a broker and topic.
    pub fn new(brokers: &str, topic: &str) -> Self {
        KafkaSourceConfig {
            brokers: brokers.to_string(),
            topic: topic.to_string(),
            group_id: "zkstream".to_string(),
            start_batch: 1,
            bounded: false,
            poll_interval: Duration::from_millis(50),
            rdkafka: BTreeMap::new(),
        }
    }
}

struct Partition {
    id: i32,
    /// The least batch number this partition may still deliver.
    next: u64,
    /// Bounded mode: the end offset; the partition is done once its position reaches it.
    end: Option<i64>,
    done: bool,
}

const TIMEOUT: Duration = Duration::from_secs(10);

fn consumer(config: &KafkaSourceConfig) -> Result<BaseConsumer, SourceError> {
    let mut cc = ClientConfig::new();
    cc.set("bootstrap.servers", &config.brokers)
        .set("group.id", &config.group_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("auto.offset.reset", "earliest")
        .set("fetch.message.max.bytes", "16777216");
    for (k, v) in &config.rdkafka {
        cc.set(k, v);
    }
    cc.create()
        .map_err(SourceError::kafka("creating the consumer"))
}

/// Assigns this worker's partitions at their committed offsets (or the beginning).
fn assign(
    consumer: &BaseConsumer,
    config: &KafkaSourceConfig,
    index: usize,
    peers: usize,
) -> Result<Vec<Partition>, SourceError> {
    let metadata = consumer
        .fetch_metadata(Some(&config.topic), TIMEOUT)
        .map_err(SourceError::kafka(format!("metadata of {}", config.topic)))?;
    let count = metadata
        .topics()
        .iter()
        .find(|t| t.name() == config.topic)
        .map(|t| t.partitions().len())
        .unwrap_or(0);
    if count == 0 {
        return Err(SourceError::NoTopic(config.topic.clone()));
    }
    let mine: Vec<i32> = (0..count as i32)
        .filter(|p| *p as usize % peers == index)
        .collect();
    let mut tpl = TopicPartitionList::new();
    for p in &mine {
        tpl.add_partition(&config.topic, *p);
    }
    let committed = if mine.is_empty() {
        TopicPartitionList::new()
    } else {
        consumer
            .committed_offsets(tpl.clone(), TIMEOUT)
            .map_err(SourceError::kafka("fetching committed offsets"))?
    };
    let mut assignment = TopicPartitionList::new();
    let mut partitions = Vec::new();
    for p in mine {
        let offset = match committed
            .find_partition(&config.topic, p)
            .map(|e| e.offset())
        {
            Some(Offset::Offset(o)) => Offset::Offset(o),
            _ => Offset::Beginning,
        };
        assignment
            .add_partition_offset(&config.topic, p, offset)
            .map_err(SourceError::kafka("building the assignment"))?;
        let end = if config.bounded {
            let (_, high) = consumer
                .fetch_watermarks(&config.topic, p, TIMEOUT)
                .map_err(SourceError::kafka(format!("watermarks of partition {p}")))?;
            Some(high)
        } else {
            None
        };
        let start = match offset {
            Offset::Offset(o) => o,
            _ => 0,
        };
        partitions.push(Partition {
            id: p,
            next: config.start_batch,
            end,
            done: end.is_some_and(|e| start >= e),
        });
    }
    consumer
        .assign(&assignment)
        .map_err(SourceError::kafka("assigning partitions"))?;
    tracing::info!(
        worker = index,
        partitions = ?partitions.iter().map(|p| p.id).collect::<Vec<_>>(),
        "kafka reader assigned"
    );
    Ok(partitions)
}

/// The reader's outputs: records to decode, and records that cannot be timestamped.
pub type ReaderStreams<'scope> = (
    Stream<'scope, u64, Vec<RawBatch>>,
    Stream<'scope, u64, Vec<Rejected>>,
);

/// Reads this worker's share of the batches topic. Returns the records and the records that cannot be
/// timestamped (no valid key, or a batch number below what the partition already delivered).
pub fn kafka_source<'scope>(
    scope: Scope<'scope, u64>,
    config: KafkaSourceConfig,
) -> Result<ReaderStreams<'scope>, SourceError> {
    let index = scope.index();
    let peers = scope.peers();
    let consumer = consumer(&config)?;
    let mut partitions = assign(&consumer, &config, index, peers)?;
    type Read = Result<RawBatch, Rejected>;
    let records: Stream<'scope, u64, Vec<Read>> =
        source::<_, CapacityContainerBuilder<Vec<Read>>, _, _>(
            scope,
            "KafkaReader",
            move |initial, info| {
                let activator = scope.activator_for(info.address);
                let mut cap: Option<Capability<u64>> = Some(initial.delayed(&config.start_batch));
                move |output| {
                    let Some(held) = cap.as_mut() else {
                        return;
                    };
                    let mut read = 0;
                    while read < 256 {
                        let Some(polled) = consumer.poll(Duration::ZERO) else {
                            break;
                        };
                        read += 1;
                        let message = match polled {
                            Ok(m) => m,
                            Err(e) => {
                                tracing::warn!(error = %e, "kafka poll error (retrying)");
                                break;
                            }
                        };
                        let (pid, offset) = (message.partition(), message.offset());
                        let Some(part) = partitions.iter_mut().find(|p| p.id == pid) else {
                            continue;
                        };
                        if part.end.is_some_and(|e| offset + 1 >= e) {
                            part.done = true;
                        }
                        let raw = |batch_number| RawBatch {
                            batch_number,
                            partition: pid,
                            offset,
                            payload: message.payload().unwrap_or_default().to_vec(),
                        };
                        let result = match parse_batch_key(message.key()) {
                            None => Err(Rejected {
                                raw: raw(0),
                                reason: "record key is not an 8-byte batch number".into(),
                            }),
                            Some(n) if n < part.next => Err(Rejected {
                                raw: raw(n),
                                reason: format!(
                                    "out of order: batch {n} after batch {} in partition {pid}",
                                    part.next - 1
                                ),
                            }),
                            Some(n) => {
                                part.next = n + 1;
                                Ok(raw(n))
                            }
                        };
                        // A rejected record is reported at the reader's current time; a batch at its own.
                        let at = match &result {
                            Ok(r) => held.delayed(&r.batch_number),
                            Err(_) => held.clone(),
                        };
                        output.session(&at).give(result);
                    }
                    let open: Vec<&Partition> = partitions.iter().filter(|p| !p.done).collect();
                    if open.is_empty() {
                        cap = None;
                        return;
                    }
                    let least = open
                        .iter()
                        .map(|p| p.next)
                        .min()
                        .unwrap_or(config.start_batch);
                    if least > *held.time() {
                        held.downgrade(&least);
                    }
                    if read > 0 {
                        activator.activate();
                    } else {
                        activator.activate_after(config.poll_interval);
                    }
                }
            },
        );
    Ok(records.ok_err(|r: Read| r))
}
