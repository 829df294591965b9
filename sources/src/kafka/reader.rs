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
//!
//! Records of batches below `start_batch` (delivered before a restart, replayed because their offsets were
//! not committed yet) are not emitted: they only produce a [`ReadMark`] that settles at once. Every record
//! read yields a read mark for the offset committer.
//!
//! Backpressure: with an [`InFlightGate`], a record of batch `n` is emitted only while
//! `n <= released + max_in_flight`, where `released` is the last batch the ordered sink let go (fed back
//! by the pipeline on every worker). A record above it is held and its partition paused
//! (`rd_kafka_pause_partitions`); the partition resumes once the sink has caught up.

use std::cell::Cell;
use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use timely::container::CapacityContainerBuilder;
use timely::dataflow::operators::generic::operator::source;
use timely::dataflow::operators::vec::Map;
use timely::dataflow::operators::Capability;
use timely::dataflow::{Scope, Stream};
use zkstream_operators::{RawBatch, Rejected};

use super::committer::{ReadMark, Settle};
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
    /// At most this many batches beyond the last released one are let into the pipeline (`None`: no
    /// limit). Needs an [`InFlightGate`].
    pub max_in_flight: Option<u64>,
}

/// The backpressure feedback: the last batch the ordered sink released, shared on one worker between the
/// stage that observes releases and this worker's reader.
#[derive(Clone, Debug)]
pub struct InFlightGate {
    released: Rc<Cell<u64>>,
}

impl InFlightGate {
    /// A gate with nothing released yet (`start_batch - 1`).
    pub fn new(start_batch: u64) -> Self {
        InFlightGate {
            released: Rc::new(Cell::new(start_batch.saturating_sub(1))),
        }
    }

    /// Batch `n` was released by the ordered sink.
    pub fn release(&self, n: u64) {
        if n > self.released.get() {
            self.released.set(n);
        }
    }

    /// The last released batch.
    pub fn released(&self) -> u64 {
        self.released.get()
    }
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
            max_in_flight: None,
        }
    }
}

struct Partition {
    id: i32,
    /// The least batch number this partition may still deliver.
    next: u64,
    /// Bounded mode: the end offset; the partition is done once its position reaches it and it has been
    /// quiet for [`SETTLE`] (some brokers report a high watermark below the real end of the log, so the
    /// watermark alone would end the partition early).
    end: Option<i64>,
    at_end: bool,
    quiet_since: Instant,
    done: bool,
    /// Records read but held back by the gate (in offset order), and whether the partition is paused.
    held: VecDeque<Read>,
    paused: bool,
}

/// What the reader makes of one record.
#[derive(Clone, Debug)]
enum Read {
    /// A batch for the pipeline.
    Batch(RawBatch),
    /// A record that cannot be timestamped.
    Rejected(Rejected),
    /// A batch below the start (already delivered).
    Skipped(ReadMark),
}

/// The time a read goes out at: a batch at its own number, anything else at the reader's current time.
fn stamp(read: &Read, held: &Capability<u64>) -> Capability<u64> {
    match read {
        Read::Batch(r) => held.delayed(&r.batch_number),
        _ => held.clone(),
    }
}

impl Read {
    fn mark(&self) -> ReadMark {
        match self {
            Read::Batch(r) => ReadMark {
                partition: r.partition,
                offset: r.offset,
                settle: Settle::OnDelivery(r.batch_number),
            },
            Read::Rejected(r) => ReadMark {
                partition: r.raw.partition,
                offset: r.raw.offset,
                settle: Settle::OnDeadLetter,
            },
            Read::Skipped(m) => *m,
        }
    }
}

const TIMEOUT: Duration = Duration::from_secs(10);
/// How long a bounded partition must stay quiet at its end offset before it is done.
const SETTLE: Duration = Duration::from_millis(500);

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
        tracing::debug!(partition = p, start, end = ?end, "partition assigned");
        partitions.push(Partition {
            id: p,
            next: config.start_batch,
            end,
            at_end: end.is_some_and(|e| start >= e),
            quiet_since: Instant::now(),
            done: false,
            held: VecDeque::new(),
            paused: false,
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

/// The reader's outputs.
pub struct ReaderStreams<'scope> {
    /// Batches to decode, each at its batch number.
    pub records: Stream<'scope, u64, Vec<RawBatch>>,
    /// Records that cannot be timestamped (no valid key, or a batch number below what the partition
    /// already delivered): dead letters.
    pub rejected: Stream<'scope, u64, Vec<Rejected>>,
    /// One mark per record read, for the offset committer.
    pub marks: Stream<'scope, u64, Vec<ReadMark>>,
}

fn set_paused(consumer: &BaseConsumer, topic: &str, part: &mut Partition, pause: bool) {
    if part.paused == pause {
        return;
    }
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(topic, part.id);
    let result = if pause {
        consumer.pause(&tpl)
    } else {
        consumer.resume(&tpl)
    };
    match result {
        Ok(()) => {
            part.paused = pause;
            tracing::debug!(partition = part.id, pause, "backpressure");
        }
        Err(e) => tracing::warn!(partition = part.id, error = %e, "pause/resume failed"),
    }
}

/// Reads this worker's share of the batches topic.
pub fn kafka_source<'scope>(
    scope: Scope<'scope, u64>,
    config: KafkaSourceConfig,
    gate: InFlightGate,
) -> Result<ReaderStreams<'scope>, SourceError> {
    let index = scope.index();
    let peers = scope.peers();
    let consumer = consumer(&config)?;
    let mut partitions = assign(&consumer, &config, index, peers)?;
    let reads: Stream<'scope, u64, Vec<Read>> =
        source::<_, CapacityContainerBuilder<Vec<Read>>, _, _>(
            scope,
            "KafkaReader",
            move |initial, info| {
                let activator = scope.activator_for(info.address);
                let mut cap: Option<Capability<u64>> = Some(initial.delayed(&config.start_batch));
                let admits = move |read: &Read| match (read, config.max_in_flight) {
                    (Read::Batch(r), Some(max)) => r.batch_number <= gate.released() + max,
                    _ => true,
                };
                move |output| {
                    let Some(held) = cap.as_mut() else {
                        return;
                    };
                    let mut emitted = 0;
                    // Let held records go where the sink has caught up.
                    for part in partitions.iter_mut() {
                        while part.held.front().is_some_and(&admits) {
                            if let Some(read) = part.held.pop_front() {
                                output.session(&stamp(&read, held)).give(read);
                                emitted += 1;
                            }
                        }
                        if part.held.is_empty() && part.paused {
                            set_paused(&consumer, &config.topic, part, false);
                            part.quiet_since = Instant::now();
                        }
                    }
                    let mut polled_count = 0;
                    while polled_count < 256 {
                        let Some(polled) = consumer.poll(Duration::ZERO) else {
                            break;
                        };
                        polled_count += 1;
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
                        part.quiet_since = Instant::now();
                        if part.end.is_some_and(|e| offset + 1 >= e) {
                            part.at_end = true;
                        }
                        let raw = |batch_number| RawBatch {
                            batch_number,
                            partition: pid,
                            offset,
                            key: message.key().map(<[u8]>::to_vec),
                            payload: message.payload().unwrap_or_default().to_vec(),
                        };
                        let read = match parse_batch_key(message.key()) {
                            None => Read::Rejected(Rejected {
                                raw: raw(0),
                                reason: "record key is not an 8-byte batch number".into(),
                            }),
                            Some(n) if n < config.start_batch => Read::Skipped(ReadMark {
                                partition: pid,
                                offset,
                                settle: Settle::Now,
                            }),
                            Some(n) if n < part.next => Read::Rejected(Rejected {
                                raw: raw(n),
                                reason: format!(
                                    "out of order: batch {n} after batch {} in partition {pid}",
                                    part.next - 1
                                ),
                            }),
                            Some(n) => {
                                part.next = n + 1;
                                Read::Batch(raw(n))
                            }
                        };
                        if part.held.is_empty() && admits(&read) {
                            output.session(&stamp(&read, held)).give(read);
                            emitted += 1;
                        } else {
                            part.held.push_back(read);
                            set_paused(&consumer, &config.topic, part, true);
                        }
                    }
                    for part in partitions.iter_mut() {
                        if part.at_end
                            && part.held.is_empty()
                            && part.quiet_since.elapsed() >= SETTLE
                        {
                            part.done = true;
                        }
                    }
                    let open: Vec<&Partition> = partitions
                        .iter()
                        .filter(|p| !p.done || !p.held.is_empty())
                        .collect();
                    if open.is_empty() {
                        cap = None;
                        return;
                    }
                    // The least batch still to come: a held batch, else the partition's next.
                    let least = open
                        .iter()
                        .map(|p| {
                            match p.held.iter().find_map(|r| match r {
                                Read::Batch(b) => Some(b.batch_number),
                                _ => None,
                            }) {
                                Some(b) => b.min(p.next),
                                None => p.next,
                            }
                        })
                        .min()
                        .unwrap_or(config.start_batch);
                    if least > *held.time() {
                        held.downgrade(&least);
                    }
                    if polled_count > 0 || emitted > 0 {
                        activator.activate();
                    } else {
                        activator.activate_after(config.poll_interval);
                    }
                }
            },
        );
    let marks = reads.clone().map(|r| r.mark());
    let records = reads.clone().flat_map(|r| match r {
        Read::Batch(b) => Some(b),
        _ => None,
    });
    let rejected = reads.flat_map(|r| match r {
        Read::Rejected(j) => Some(j),
        _ => None,
    });
    Ok(ReaderStreams {
        records,
        rejected,
        marks,
    })
}
