//! The offset committer (Materialize's reader / committer split): readers never commit; the sink side
//! commits a partition's offset only once every record below it is *settled* — its batch's final proof
//! was acknowledged by every sink, or the record itself went to the dead-letter topic, or it was below
//! the delivery start (already delivered before a restart). [`OffsetTracker`] is that bookkeeping, pure;
//! [`OffsetCommitter`] sends the commits for the consumer group.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};

use super::SourceError;

/// When a record read by a reader counts as settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Settle {
    /// When its batch is delivered (the batch number it carries).
    OnDelivery(u64),
    /// When the dead-letter sink acknowledged it.
    OnDeadLetter,
    /// At once (a batch below the delivery start: delivered before a restart).
    Now,
}

/// One record a reader read: where it was and when it is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadMark {
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// When it is settled.
    pub settle: Settle,
}

#[derive(Debug, Default)]
struct PartitionState {
    /// Offsets read and not settled yet, with the batch that settles them (if any).
    open: BTreeMap<i64, Option<u64>>,
    /// The highest offset read.
    highest: Option<i64>,
    /// The offset last committed.
    committed: Option<i64>,
}

/// Which offsets may be committed.
#[derive(Debug)]
pub struct OffsetTracker {
    partitions: BTreeMap<i32, PartitionState>,
    /// Batches up to here are done, except the gaps.
    delivered: u64,
    gaps: BTreeSet<u64>,
    /// Dead letters acknowledged before their read mark arrived.
    early: BTreeSet<(i32, i64)>,
}

impl OffsetTracker {
    /// Batches up to `delivered` are already done (the delivery start minus one).
    pub fn new(delivered: u64) -> Self {
        OffsetTracker {
            partitions: BTreeMap::new(),
            delivered,
            gaps: BTreeSet::new(),
            early: BTreeSet::new(),
        }
    }

    fn done(&self, batch: u64) -> bool {
        batch <= self.delivered && !self.gaps.contains(&batch)
    }

    /// A reader read a record.
    pub fn read(&mut self, mark: ReadMark) {
        let done = match mark.settle {
            Settle::Now => true,
            Settle::OnDelivery(b) => self.done(b),
            Settle::OnDeadLetter => false,
        } || self.early.remove(&(mark.partition, mark.offset));
        let state = self.partitions.entry(mark.partition).or_default();
        state.highest = state.highest.max(Some(mark.offset));
        if !done {
            let batch = match mark.settle {
                Settle::OnDelivery(b) => Some(b),
                _ => None,
            };
            state.open.insert(mark.offset, batch);
        }
    }

    /// The dead-letter sink acknowledged the record at (partition, offset).
    pub fn dead_lettered(&mut self, partition: i32, offset: i64) {
        let settled = self
            .partitions
            .get_mut(&partition)
            .and_then(|s| s.open.remove(&offset))
            .is_some();
        if !settled {
            self.early.insert((partition, offset));
        }
    }

    /// Every sink acknowledged batch `n` (delivered in order, so everything below is decided).
    pub fn delivered(&mut self, n: u64) {
        self.delivered = self.delivered.max(n);
        self.settle_delivered();
    }

    /// Batch `n` is a gap: its records stay open (a restart replays them) unless dead-lettered.
    pub fn gap(&mut self, n: u64) {
        self.gaps.insert(n);
        self.delivered = self.delivered.max(n);
        self.settle_delivered();
    }

    fn settle_delivered(&mut self) {
        let (delivered, gaps) = (self.delivered, &self.gaps);
        for state in self.partitions.values_mut() {
            state
                .open
                .retain(|_, batch| !batch.is_some_and(|b| b <= delivered && !gaps.contains(&b)));
        }
    }

    /// The offsets that can be committed now and were not yet: (partition, next offset to read).
    pub fn committable(&self) -> Vec<(i32, i64)> {
        self.partitions
            .iter()
            .filter_map(|(p, s)| {
                let next = match s.open.keys().next() {
                    Some(first) => *first,
                    None => s.highest? + 1,
                };
                (s.committed < Some(next)).then_some((*p, next))
            })
            .collect()
    }

    /// Records that `commits` went through.
    pub fn committed(&mut self, commits: &[(i32, i64)]) {
        for (p, o) in commits {
            if let Some(s) = self.partitions.get_mut(p) {
                s.committed = s.committed.max(Some(*o));
            }
        }
    }

    /// Records read and not settled.
    pub fn open(&self) -> usize {
        self.partitions.values().map(|s| s.open.len()).sum()
    }
}

/// Commits offsets for the group, from any thread (a consumer with the group id and no assignment).
pub struct OffsetCommitter {
    consumer: BaseConsumer,
    topic: String,
    tracker: OffsetTracker,
    commits: u64,
}

impl OffsetCommitter {
    /// A committer for `group_id` on `topic`; `rdkafka` settings pass through.
    pub fn new(
        brokers: &str,
        topic: &str,
        group_id: &str,
        rdkafka: &BTreeMap<String, String>,
        tracker: OffsetTracker,
    ) -> Result<Self, SourceError> {
        let consumer: BaseConsumer = super::consumer_config(brokers, group_id, rdkafka)
            .create()
            .map_err(SourceError::kafka("creating the committer"))?;
        Ok(OffsetCommitter {
            consumer,
            topic: topic.to_string(),
            tracker,
            commits: 0,
        })
    }

    /// The bookkeeping.
    pub fn tracker(&mut self) -> &mut OffsetTracker {
        &mut self.tracker
    }

    /// Offset commits sent and acknowledged.
    pub fn commits(&self) -> u64 {
        self.commits
    }

    /// Commits whatever can be committed. A failed commit is logged and tried again next time (the
    /// only cost of a late commit is a longer replay).
    pub fn commit(&mut self) -> Result<(), SourceError> {
        let due = self.tracker.committable();
        if due.is_empty() {
            return Ok(());
        }
        let mut tpl = TopicPartitionList::new();
        for (p, o) in &due {
            tpl.add_partition_offset(&self.topic, *p, Offset::Offset(*o))
                .map_err(SourceError::kafka("building the commit"))?;
        }
        self.consumer
            .commit(&tpl, CommitMode::Sync)
            .map_err(SourceError::kafka("committing offsets"))?;
        // Serve callbacks so librdkafka's queues do not grow.
        let _ = self.consumer.poll(Duration::ZERO);
        self.tracker.committed(&due);
        self.commits += 1;
        tracing::debug!(?due, "offsets committed");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mark(partition: i32, offset: i64, settle: Settle) -> ReadMark {
        ReadMark {
            partition,
            offset,
            settle,
        }
    }

    #[test]
    fn commits_only_below_the_first_unsettled_record() {
        let mut t = OffsetTracker::new(0);
        // Partition 0 holds batches 1, 3, 5; partition 1 holds 2, 4.
        t.read(mark(0, 0, Settle::OnDelivery(1)));
        t.read(mark(1, 0, Settle::OnDelivery(2)));
        t.read(mark(0, 1, Settle::OnDelivery(3)));
        t.read(mark(1, 1, Settle::OnDelivery(4)));
        t.read(mark(0, 2, Settle::OnDelivery(5)));
        assert_eq!(t.committable(), vec![(0, 0), (1, 0)]);
        t.delivered(1);
        assert_eq!(t.committable(), vec![(0, 1), (1, 0)]);
        t.committed(&[(0, 1), (1, 0)]);
        assert!(t.committable().is_empty());
        t.delivered(4);
        assert_eq!(t.committable(), vec![(0, 2), (1, 2)]);
        t.delivered(5);
        assert_eq!(t.committable(), vec![(0, 3), (1, 2)]);
        assert_eq!(t.open(), 0);
    }

    #[test]
    fn dead_letters_settle_in_either_order_and_gaps_do_not() {
        let mut t = OffsetTracker::new(0);
        t.read(mark(0, 0, Settle::OnDelivery(1)));
        // Batch 2 was rejected by decode: its read mark says on delivery, the DLQ settles it.
        t.read(mark(0, 1, Settle::OnDelivery(2)));
        t.dead_lettered(0, 1);
        // A record with a bad key: its dead letter is acknowledged before its read mark arrives.
        t.dead_lettered(0, 2);
        t.read(mark(0, 2, Settle::OnDeadLetter));
        // Batch 3 fails in proving: a gap, left open for the replay.
        t.read(mark(0, 3, Settle::OnDelivery(3)));
        t.read(mark(0, 4, Settle::OnDelivery(4)));
        t.delivered(1);
        t.gap(2);
        t.gap(3);
        t.delivered(4);
        assert_eq!(t.committable(), vec![(0, 3)]);
        assert_eq!(t.open(), 1);
    }

    #[test]
    fn records_below_the_start_settle_at_once() {
        let mut t = OffsetTracker::new(7);
        t.read(mark(2, 10, Settle::Now));
        t.read(mark(2, 11, Settle::OnDelivery(6)));
        t.read(mark(2, 12, Settle::OnDelivery(8)));
        assert_eq!(t.committable(), vec![(2, 12)]);
    }
}
