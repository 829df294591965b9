//! The reader of user-proof mode's submissions topic: one consumer of the group assigned every
//! partition by hand (no rebalances), starting each partition at the later of the group's committed
//! offset and the offset a stored progress record names (a crash after a run was published but before
//! its commit), reading record by record and committing only what the caller says is settled. It knows
//! nothing of what a submission is: records come out as bytes with their place.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};

use super::{consumer_config, SourceError};

/// One record of the submissions topic.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubmissionRecord {
    /// Its partition.
    pub partition: i32,
    /// Its offset.
    pub offset: i64,
    /// Its key, as read.
    pub key: Option<Vec<u8>>,
    /// Its value, untouched.
    pub payload: Vec<u8>,
}

/// The submissions topic's reader (see the module comment).
pub struct SubmissionReader {
    consumer: BaseConsumer,
    topic: String,
    position: BTreeMap<i32, i64>,
    ends: BTreeMap<i32, i64>,
}

/// How long a metadata, offsets or watermark request may take.
const TIMEOUT: Duration = Duration::from_secs(10);

impl SubmissionReader {
    /// Assigns every partition of `topic` to a consumer of `group_id`, each at the later of the group's
    /// committed offset and `stored[partition]`, and commits those positions (so the group's lag is
    /// right from the start). The ends of the partitions now are what [`Self::caught_up`] compares with.
    pub fn open(
        brokers: &str,
        topic: &str,
        group_id: &str,
        rdkafka: &BTreeMap<String, String>,
        stored: &BTreeMap<i32, i64>,
    ) -> Result<Self, SourceError> {
        let consumer: BaseConsumer = consumer_config(brokers, group_id, rdkafka)
            .create()
            .map_err(SourceError::kafka("creating the submissions consumer"))?;
        let metadata =
            consumer
                .fetch_metadata(Some(topic), TIMEOUT)
                .map_err(SourceError::kafka(
                    "reading the submissions topic's metadata",
                ))?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .filter(|t| t.name() == topic)
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        if partitions.is_empty() {
            return Err(SourceError::NoTopic(topic.to_string()));
        }
        let mut tpl = TopicPartitionList::new();
        for p in &partitions {
            tpl.add_partition(topic, *p);
        }
        let committed = consumer
            .committed_offsets(tpl, TIMEOUT)
            .map_err(SourceError::kafka("reading the group's committed offsets"))?;
        let mut assign = TopicPartitionList::new();
        let mut position = BTreeMap::new();
        let mut ends = BTreeMap::new();
        for p in &partitions {
            let c = match committed.find_partition(topic, *p).map(|e| e.offset()) {
                Some(Offset::Offset(o)) => o,
                _ => 0,
            };
            let start = c.max(stored.get(p).copied().unwrap_or(0));
            position.insert(*p, start);
            assign
                .add_partition_offset(topic, *p, Offset::Offset(start))
                .map_err(SourceError::kafka("assigning a partition"))?;
            // Only a bounded reader needs the ends; a broker that cannot say now counts as empty.
            let high = match consumer.fetch_watermarks(topic, *p, TIMEOUT) {
                Ok((_, high)) => high,
                Err(e) => {
                    tracing::warn!(partition = *p, error = %e, "could not read the partition's end");
                    0
                }
            };
            ends.insert(*p, high);
        }
        consumer
            .assign(&assign)
            .map_err(SourceError::kafka("assigning the partitions"))?;
        let reader = SubmissionReader {
            consumer,
            topic: topic.to_string(),
            position,
            ends,
        };
        reader.commit(&reader.position)?;
        Ok(reader)
    }

    /// The next record, waiting up to `wait`. A fetch that failed transiently (a broker away, a
    /// rebalance of the broker cluster) is logged and reads as nothing: librdkafka retries, and the
    /// position is unchanged, so nothing is skipped. An error a retry cannot mend is returned.
    pub fn poll(&mut self, wait: Duration) -> Result<Option<SubmissionRecord>, SourceError> {
        match self.consumer.poll(wait) {
            Some(Ok(m)) => {
                let record = SubmissionRecord {
                    partition: m.partition(),
                    offset: m.offset(),
                    key: m.key().map(<[u8]>::to_vec),
                    payload: m.payload().unwrap_or_default().to_vec(),
                };
                self.position.insert(record.partition, record.offset + 1);
                Ok(Some(record))
            }
            Some(Err(source)) => {
                let e = SourceError::Kafka {
                    op: "reading submissions".into(),
                    source,
                };
                if !e.is_retryable() {
                    return Err(e);
                }
                tracing::warn!(error = %e, "reading submissions failed; retrying");
                Ok(None)
            }
            None => Ok(None),
        }
    }

    /// Per partition, the next offset to read.
    pub fn position(&self) -> &BTreeMap<i32, i64> {
        &self.position
    }

    /// Whether every partition was read up to where it ended when the reader opened.
    pub fn caught_up(&self) -> bool {
        self.ends
            .iter()
            .all(|(p, end)| self.position.get(p).copied().unwrap_or(0) >= *end)
    }

    /// Commits `offsets` (per partition, the next offset a restart reads) for the group, synchronously.
    pub fn commit(&self, offsets: &BTreeMap<i32, i64>) -> Result<(), SourceError> {
        let mut tpl = TopicPartitionList::new();
        for (p, o) in offsets {
            tpl.add_partition_offset(&self.topic, *p, Offset::Offset(*o))
                .map_err(SourceError::kafka("listing offsets to commit"))?;
        }
        self.consumer
            .commit(&tpl, CommitMode::Sync)
            .map_err(SourceError::kafka("committing the submissions' offsets"))
    }

    /// The topic it reads.
    pub fn topic(&self) -> &str {
        &self.topic
    }
}
