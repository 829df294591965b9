//! Consumer-group lag, as fleet dashboards compute it: per partition, the partition's high watermark minus
//! the group's committed offset (the whole retained partition when nothing is committed yet). Offsets
//! are committed only behind the sinks, so the lag counts records not yet delivered.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};

use super::SourceError;

/// Reads a group's lag on one topic.
pub struct LagProbe {
    consumer: BaseConsumer,
    topic: String,
    timeout: Duration,
}

impl LagProbe {
    /// A probe for `group_id` on `topic`; it never joins the group (no subscription), it only asks.
    pub fn new(
        brokers: &str,
        topic: &str,
        group_id: &str,
        rdkafka: &BTreeMap<String, String>,
    ) -> Result<Self, SourceError> {
        let consumer: BaseConsumer = super::consumer_config(brokers, group_id, rdkafka)
            .create()
            .map_err(SourceError::kafka("creating the lag probe"))?;
        Ok(LagProbe {
            consumer,
            topic: topic.to_string(),
            timeout: Duration::from_secs(5),
        })
    }

    /// `(partition, lag)` for every partition of the topic; a lag is never negative.
    pub fn lag(&self) -> Result<Vec<(i32, i64)>, SourceError> {
        let metadata = self
            .consumer
            .fetch_metadata(Some(&self.topic), self.timeout)
            .map_err(SourceError::kafka("fetching metadata for the lag"))?;
        let partitions: Vec<i32> = metadata
            .topics()
            .iter()
            .filter(|t| t.name() == self.topic)
            .flat_map(|t| t.partitions().iter().map(|p| p.id()))
            .collect();
        if partitions.is_empty() {
            return Err(SourceError::NoTopic(self.topic.clone()));
        }
        let mut tpl = TopicPartitionList::new();
        for p in &partitions {
            tpl.add_partition(&self.topic, *p);
        }
        let committed = self
            .consumer
            .committed_offsets(tpl, self.timeout)
            .map_err(SourceError::kafka("reading committed offsets"))?;
        let mut out = Vec::with_capacity(partitions.len());
        for p in partitions {
            let (low, high) = self
                .consumer
                .fetch_watermarks(&self.topic, p, self.timeout)
                .map_err(SourceError::kafka("fetching watermarks"))?;
            let position = match committed.find_partition(&self.topic, p).map(|e| e.offset()) {
                Some(Offset::Offset(o)) => o,
                _ => low,
            };
            out.push((p, (high - position).max(0)));
        }
        Ok(out)
    }
}
