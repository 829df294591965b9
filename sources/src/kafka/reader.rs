//! The Kafka reader: a timely source operator per worker. Partitions are assigned manually
//! (`partition % peers == worker index`), auto-commit is off, and the reader resumes from the group's
//! committed offsets (or the beginning). Time = batch number (from the record key).
//!
//! Each reader holds one capability at the least batch any of its partitions may still deliver: a
//! partition's next batch is at or above the last one it emitted (partitions carry increasing batch
//! numbers, and a second record of that batch may still come), so the capability is the least over
//! partitions of the last batch emitted (and of any batch held at the gate), starting at `start_batch`. It downgrades as it
//! reads and when idle keeps re-polling on a timer, never blocking the worker thread. A worker without
//! partitions drops its capability at once, and in bounded mode a partition is done at the end offset it
//! had when the reader started: an idle or finished input never stalls the graph.
//!
//! **A record earns its place before it moves anything.** The reader decodes and validates every record
//! (frame, payload, batch limits, key = the batch number inside) before its key is trusted. A record that
//! fails is a dead letter ([`Rejected`], with its reason) and moves nothing: not the partition's next
//! batch, not the capability, not the in-flight gate; it never makes a batch a gap or a duplicate. Only a
//! well-formed batch is timestamped and gated. A partition may carry a batch number again (a second record
//! of batch `n`: a duplicate or a broken chain link, which the chain check sorts out), and even a lower
//! one as long as the reader's frontier has not passed it (a copy of a later batch put ahead of it does
//! not cost the real one); only a batch below the frontier is refused ("out of order": the producer broke
//! the partition contract), as a dead letter.
//!
//! Records of batches below `start_batch` (delivered before a restart, replayed because their offsets were
//! not committed yet) are not emitted: the record each such batch was delivered from (listed with the
//! delivery progress) only produces a [`ReadMark`] that settles at once; any other copy is a dead letter
//! (a crash may have kept it from the dead-letter topic the first time). Every record
//! read yields a read mark for the offset committer, naming the record read before it in its partition
//! ([`Follows`]), so that the committer can order marks that the dataflow delivers out of order.
//!
//! Backpressure: with an [`InFlightGate`], a record of batch `n` is emitted only while
//! `n <= released + max_in_flight`, where `released` is the last batch the ordered sink let go (fed back
//! by the pipeline on every worker). A record above it is held and its partition paused
//! (`rd_kafka_pause_partitions`); the partition resumes once the sink has caught up. A partition that holds
//! a batch while the sink releases nothing is reported in the [`PartitionWatch`] (a producer that put a
//! far-future batch ahead of lower ones in its partition stalls it for good: the metric and the alert
//! name the partition).

use std::cell::Cell;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
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
use zkstream_types::{Decoded, RawBatch, RejectReason, Rejected, SourceRecord};

use super::committer::{Follows, ReadMark, Settle};
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
    /// Where the readers report the partitions they hold back (for the metrics).
    pub held: PartitionWatch,
    /// Keep the reader's frontier at the first batch the ordered sink has not released (the gate's
    /// `released + 1`), so that a batch read late — behind a higher one in its partition, even a copy of
    /// a later batch put ahead of it — is still taken. A batch that never comes then stalls delivery
    /// (its partitions are held at the gate and reported) instead of becoming a gap: what a pipeline
    /// that stops at gaps wants. A record below the frontier is then a batch already released: a
    /// duplicate.
    pub hold_at_release: bool,
    /// What the delivery progress says about the records read before a restart: a replayed record of a
    /// delivered batch is skipped only if delivery settled it; any other copy (one a crash kept from the
    /// dead-letter topic) is a dead letter. `None` (progress that does not say): every replayed record
    /// below `start_batch` is skipped.
    pub delivered: Option<Arc<Delivered>>,
    /// Set when the process drains (SIGTERM): the reader reads nothing more and drops its capability,
    /// so the batches already read finish and the dataflow completes. Records held back at the gate
    /// are let go unread: no read mark names them, so no committed offset passes them and the next
    /// start reads them again.
    pub stop: Option<Arc<AtomicBool>>,
}

/// The records of delivered batches a restart may read again, as the delivery progress keeps them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delivered {
    /// The last batch delivered.
    pub through: u64,
    /// Batches below it are not judged: their replayed records are all skipped (delivered before the
    /// records were kept, by a progress record of an older version, or below a configured start).
    pub judged_from: u64,
    /// Per partition, an offset committed by then: every record below it was settled.
    pub committed: BTreeMap<i32, i64>,
    /// (partition, offset) of the records at or past their partition's committed offset that delivery
    /// settled: each delivered (or, with gaps allowed, failed) batch's accepted record, and the records
    /// skipped as delivered after an earlier restart.
    pub records: BTreeSet<(i32, i64)>,
}

impl Delivered {
    /// Whether a replayed record of `batch` at (partition, offset) was settled by delivery (a reader skips
    /// it). A record of a batch up to [`Self::through`] that was not is a copy: a dead letter.
    pub fn settled(&self, batch: u64, partition: i32, offset: i64) -> bool {
        batch > self.through
            || batch < self.judged_from
            || self.committed.get(&partition).is_some_and(|c| offset < *c)
            || self.records.contains(&(partition, offset))
    }

    /// Forgets the records below their partition's committed offset (a restart does not read them).
    pub fn prune(&mut self) {
        let committed = &self.committed;
        self.records
            .retain(|(p, o)| committed.get(p).is_none_or(|c| o >= c));
    }
}

/// The backpressure feedback: the last batch the ordered sink released, shared on one worker between the
/// stage that observes releases and this worker's reader.
#[derive(Clone, Debug)]
pub struct InFlightGate {
    released: Rc<Cell<u64>>,
}

/// A partition whose reader holds a batch back (the in-flight gate is closed for it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    /// The first batch it holds.
    pub batch: u64,
    /// Since when it has held a batch while the ordered sink released nothing.
    pub stalled_since: Instant,
}

/// The partitions the readers of this process hold back, shared with the metrics (any thread).
#[derive(Clone, Debug, Default)]
pub struct PartitionWatch(Arc<Mutex<BTreeMap<i32, Held>>>);

impl PartitionWatch {
    /// The held partitions now.
    pub fn held(&self) -> BTreeMap<i32, Held> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn update(&self, partition: i32, head: Option<u64>, released_moved: bool) {
        let Ok(mut map) = self.0.lock() else {
            return;
        };
        match head {
            None => {
                map.remove(&partition);
            }
            Some(batch) => {
                let now = Instant::now();
                let e = map.entry(partition).or_insert(Held {
                    batch,
                    stalled_since: now,
                });
                e.batch = batch;
                if released_moved {
                    e.stalled_since = now;
                }
            }
        }
    }
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
            held: PartitionWatch::default(),
            hold_at_release: false,
            delivered: None,
            stop: None,
        }
    }
}

struct Partition<R> {
    id: i32,
    /// The least batch number this partition may still deliver (the last batch it delivered: a second
    /// record of it may still come).
    next: u64,
    /// Where the reader started, and the offset of the last record read (the links of the read marks).
    start: i64,
    last_offset: Option<i64>,
    /// Bounded mode: the end offset; the partition is done once its position reaches it and it has been
    /// quiet for [`SETTLE`] (some brokers report a high watermark below the real end of the log, so the
    /// watermark alone would end the partition early).
    end: Option<i64>,
    at_end: bool,
    quiet_since: Instant,
    done: bool,
    /// Records read but held back by the gate (in offset order), and whether the partition is paused.
    held: VecDeque<Read<R>>,
    paused: bool,
}

/// What the reader makes of one record.
#[derive(Clone, Debug)]
enum What<R> {
    /// A well-formed batch for the pipeline.
    Batch(Box<R>),
    /// A record that cannot be timestamped: a dead letter.
    Rejected(Box<Rejected>),
    /// A batch below the start (already delivered).
    Skipped,
}

/// One record read, with its read mark.
#[derive(Clone, Debug)]
struct Read<R> {
    what: What<R>,
    mark: ReadMark,
}

/// The time a read goes out at: a batch at its own number, anything else at the reader's current time.
fn stamp<R: SourceRecord>(read: &Read<R>, held: &Capability<u64>) -> Capability<u64> {
    match &read.what {
        What::Batch(d) => held.delayed(&d.batch_number()),
        _ => held.clone(),
    }
}

/// The least batch among held reads (a partition may hold a lower batch behind a higher one).
fn least_held<R: SourceRecord>(held: &VecDeque<Read<R>>) -> Option<u64> {
    held.iter()
        .filter_map(|r| match &r.what {
            What::Batch(d) => Some(d.batch_number()),
            _ => None,
        })
        .min()
}

/// Largest record value accepted (bigger ones are dead letters, never decompressed).
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// Decides what a record is, before anything trusts its key. `floor` is the least batch the reader may
/// still emit (its capability's time), `next` the last batch its partition delivered; `released` says
/// that the floor is the first unreleased batch (so a batch below it was released: a duplicate).
/// `start_batch` is the delivery start and `delivered` the records accepted below it (see
/// [`KafkaSourceConfig::delivered`]).
fn classify<R: SourceRecord>(
    raw: RawBatch,
    key_ok: bool,
    (floor, next, released): (u64, u64, bool),
    (start_batch, delivered): (u64, Option<&Delivered>),
) -> (What<R>, Settle) {
    let rejected = |raw: RawBatch, reason: RejectReason| {
        (
            What::Rejected(Box::new(Rejected { raw, reason })),
            Settle::OnDeadLetter,
        )
    };
    if !key_ok {
        return rejected(raw, RejectReason::BadKey);
    }
    if raw.payload.is_empty() {
        return rejected(raw, RejectReason::Undecodable("empty record value".into()));
    }
    if raw.payload.len() > MAX_RECORD_BYTES {
        let reason = RejectReason::Oversized {
            bytes: raw.payload.len(),
            limit: MAX_RECORD_BYTES,
        };
        return rejected(raw, reason);
    }
    match R::decode(raw) {
        Err(r) => {
            let Rejected { raw, reason } = *r;
            rejected(raw, reason)
        }
        Ok(d) if d.batch_number() < start_batch => {
            let (n, p, o) = (d.batch_number(), d.raw().partition, d.raw().offset);
            if delivered.is_none_or(|x| x.settled(n, p, o)) {
                (What::Skipped, Settle::Now)
            } else {
                let reason = RejectReason::Duplicate {
                    batch: d.batch_number(),
                };
                rejected(d.into_raw(), reason)
            }
        }
        Ok(d) if d.batch_number() < floor && released => {
            let reason = RejectReason::Duplicate {
                batch: d.batch_number(),
            };
            rejected(d.into_raw(), reason)
        }
        Ok(d) if d.batch_number() < floor => {
            let reason = RejectReason::OutOfOrder {
                batch: d.batch_number(),
                after: next,
                partition: d.raw().partition,
            };
            rejected(d.into_raw(), reason)
        }
        Ok(d) => {
            let n = d.batch_number();
            (What::Batch(Box::new(d)), Settle::OnDelivery(n))
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
fn assign<R>(
    consumer: &BaseConsumer,
    config: &KafkaSourceConfig,
    index: usize,
    peers: usize,
) -> Result<Vec<Partition<R>>, SourceError> {
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
            start,
            last_offset: None,
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
pub struct ReaderStreams<'scope, R = Decoded> {
    /// Well-formed batches (decoded and validated), each at its batch number.
    pub records: Stream<'scope, u64, Vec<R>>,
    /// Records that cannot be timestamped (no valid key, a value that does not decode or validate or
    /// names another batch than its key, or a batch number below what the partition already delivered):
    /// dead letters, at the reader's current time.
    pub rejected: Stream<'scope, u64, Vec<Rejected>>,
    /// One mark per record read, for the offset committer.
    pub marks: Stream<'scope, u64, Vec<ReadMark>>,
}

fn set_paused<R>(consumer: &BaseConsumer, topic: &str, part: &mut Partition<R>, pause: bool) {
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

/// Reads this worker's share of the batches topic: batch inputs of the real circuit family.
pub fn kafka_source<'scope>(
    scope: Scope<'scope, u64>,
    config: KafkaSourceConfig,
    gate: InFlightGate,
) -> Result<ReaderStreams<'scope>, SourceError> {
    kafka_records::<Decoded>(scope, config, gate)
}

/// Reads this worker's share of the batches topic as records of kind `R` (batch inputs, or simulated
/// batches' shapes): the same decoding-before-trust, gate, marks and dead letters for either.
pub fn kafka_records<'scope, R: SourceRecord>(
    scope: Scope<'scope, u64>,
    config: KafkaSourceConfig,
    gate: InFlightGate,
) -> Result<ReaderStreams<'scope, R>, SourceError> {
    let index = scope.index();
    let peers = scope.peers();
    let consumer = consumer(&config)?;
    let mut partitions = assign(&consumer, &config, index, peers)?;
    let reads: Stream<'scope, u64, Vec<Read<R>>> = source::<
        _,
        CapacityContainerBuilder<Vec<Read<R>>>,
        _,
        _,
    >(
        scope,
        "KafkaReader",
        move |initial, info| {
            let activator = scope.activator_for(info.address);
            let mut cap: Option<Capability<u64>> = Some(initial.delayed(&config.start_batch));
            let watch = config.held.clone();
            let gate_view = gate.clone();
            let admits = move |read: &Read<R>| match (&read.what, config.max_in_flight) {
                (What::Batch(d), Some(max)) => d.batch_number() <= gate.released() + max,
                _ => true,
            };
            let mut released_seen = gate_view.released();
            move |output| {
                let Some(held) = cap.as_mut() else {
                    return;
                };
                if config
                    .stop
                    .as_ref()
                    .is_some_and(|s| s.load(Ordering::Acquire))
                {
                    let unread: usize = partitions.iter().map(|p| p.held.len()).sum();
                    tracing::info!(
                            worker = index,
                            held_back = unread,
                            "draining: the reader stops (what it held back is read again on the next start)"
                        );
                    cap = None;
                    return;
                }
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
                    if part.last_offset.is_some_and(|l| offset <= l) || offset < part.start {
                        tracing::warn!(partition = pid, offset, "record read twice; ignored");
                        continue;
                    }
                    let key = parse_batch_key(message.key());
                    let raw = RawBatch {
                        batch_number: key.unwrap_or(0),
                        partition: pid,
                        offset,
                        key: message.key().map(<[u8]>::to_vec),
                        payload: message.payload().unwrap_or_default().to_vec(),
                    };
                    let (what, settle) = classify::<R>(
                        raw,
                        key.is_some(),
                        (*held.time(), part.next, config.hold_at_release),
                        (config.start_batch, config.delivered.as_deref()),
                    );
                    if let What::Batch(d) = &what {
                        part.next = part.next.max(d.batch_number());
                    }
                    let follows = match part.last_offset.replace(offset) {
                        None => Follows::Start(part.start),
                        Some(previous) => Follows::Record(previous),
                    };
                    let read = Read {
                        what,
                        mark: ReadMark {
                            partition: pid,
                            offset,
                            follows,
                            settle,
                        },
                    };
                    if part.held.is_empty() && admits(&read) {
                        output.session(&stamp(&read, held)).give(read);
                        emitted += 1;
                    } else {
                        part.held.push_back(read);
                        set_paused(&consumer, &config.topic, part, true);
                    }
                }
                let released_now = gate_view.released();
                let moved = released_now != released_seen;
                released_seen = released_now;
                for part in partitions.iter_mut() {
                    if part.at_end && part.held.is_empty() && part.quiet_since.elapsed() >= SETTLE {
                        part.done = true;
                    }
                    let head = least_held(&part.held);
                    watch.update(part.id, head, moved);
                }
                let open: Vec<&Partition<R>> = partitions
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
                    .map(|p| match least_held(&p.held) {
                        Some(b) => b.min(p.next),
                        None => p.next,
                    })
                    .min()
                    .unwrap_or(config.start_batch);
                let least = if config.hold_at_release {
                    least.min(gate_view.released() + 1)
                } else {
                    least
                };
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
    let marks = reads.clone().map(|r| r.mark);
    let records = reads.clone().flat_map(|r| match r.what {
        What::Batch(d) => Some(*d),
        _ => None,
    });
    let rejected = reads.flat_map(|r| match r.what {
        What::Rejected(j) => Some(*j),
        _ => None,
    });
    Ok(ReaderStreams {
        records,
        rejected,
        marks,
    })
}
