//! The offset committer (Materialize's reader / committer split): readers never commit; the sink side
//! commits a partition's offset only once every record below it is *settled* — it is the record the
//! chain check accepted for its batch and that batch's final proof was acknowledged by every sink, or the
//! record itself went to the dead-letter topic, or it is the record a batch below the delivery start was
//! delivered from before a restart (the reader says so: [`Settle::Now`]). A second record of a delivered batch (a copy, a broken link) is settled only by
//! its dead letter: delivery of its batch does not settle it. [`OffsetTracker`] is that bookkeeping, pure;
//! [`OffsetCommitter`] sends the commits for the consumer group.
//!
//! Read marks do not reach the tracker in offset order: they travel through the dataflow at their
//! batch's time, and timely hands an operator its input grouped and sorted by time, so the mark of a
//! rejected record (sent at the reader's current time) overtakes the marks of the batches read before
//! it. The tracker therefore never infers "everything below was read" from the marks it has seen: each
//! mark names the record the reader read just before it in the same partition ([`Follows`]), and a
//! partition commits only up to the end of the unbroken chain of marks from where its reader started.
//! Offsets may have holes (compaction, transaction markers): the chain links records, not numbers.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};

use super::SourceError;

/// When a record read by a reader counts as settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Settle {
    /// When its batch is delivered (the batch number it carries), if the chain check accepted it;
    /// otherwise when it is dead-lettered.
    OnDelivery(u64),
    /// When the dead-letter sink acknowledged it.
    OnDeadLetter,
    /// At once (a batch below the delivery start: delivered before a restart).
    Now,
}

/// Which record a reader read just before this one, in the same partition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Follows {
    /// None: this is the first record since the reader was assigned the partition at this position.
    Start(i64),
    /// The record at this offset.
    Record(i64),
}

/// One record a reader read: where it was, what it follows, and when it is settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadMark {
    /// Partition.
    pub partition: i32,
    /// Offset.
    pub offset: i64,
    /// The record read before it in the partition (the link that orders marks arriving out of order).
    pub follows: Follows,
    /// When it is settled.
    pub settle: Settle,
}

#[derive(Debug, Default)]
struct PartitionState {
    /// The last record of the unbroken chain of marks from the reader's start: every record at or below
    /// it has its mark here. `None` until the first record's mark arrives.
    tail: Option<i64>,
    /// Marks that arrived before the record they follow: previous offset → offset.
    links: BTreeMap<i64, i64>,
    /// Offsets whose marks arrived and that are not settled yet.
    open: BTreeMap<i64, Open>,
    /// The offset last committed.
    committed: Option<i64>,
}

impl PartitionState {
    /// Whether the mark of the record at `offset` has arrived.
    fn seen(&self, offset: i64) -> bool {
        self.tail.is_some_and(|t| offset <= t)
            || self.open.contains_key(&offset)
            || self.links.values().any(|o| *o == offset)
    }

    /// Extends the chain with the links that now connect to it.
    fn follow_links(&mut self) {
        while let Some(next) = self.tail.and_then(|t| self.links.remove(&t)) {
            self.tail = Some(next);
        }
    }
}

/// A record read and not settled.
#[derive(Clone, Copy, Debug)]
struct Open {
    /// The batch it carries (a well-formed record).
    batch: Option<u64>,
    /// Whether the chain check accepted it as its batch's record.
    accepted: bool,
}

/// Which batches the sinks have decided: delivered, or gaps.
#[derive(Debug)]
struct Decided {
    /// Every batch below this one is decided (delivered, or a gap listed in `gaps`).
    below: u64,
    /// Batches at or above `below` already delivered (sinks deliver in order, so this stays empty in the
    /// pipeline; the tracker does not rely on it).
    delivered_above: BTreeSet<u64>,
    /// Batches that failed: their records stay open (a restart replays them) unless dead-lettered.
    gaps: BTreeSet<u64>,
}

impl Decided {
    /// Whether every sink acknowledged `batch`.
    fn delivered(&self, batch: u64) -> bool {
        (batch < self.below && !self.gaps.contains(&batch)) || self.delivered_above.contains(&batch)
    }

    /// Whether `open` is settled by its batch's delivery (only the record the chain check accepted).
    fn settles(&self, open: &Open) -> bool {
        open.accepted && open.batch.is_some_and(|b| self.delivered(b))
    }

    fn compact(&mut self) {
        while self.delivered_above.remove(&self.below) || self.gaps.contains(&self.below) {
            self.below += 1;
        }
    }
}

/// Which offsets may be committed. Its invariant: for every partition, the offset it lets commit is at
/// or below the offset of every record a reader read (or will read) that is not settled.
#[derive(Debug)]
pub struct OffsetTracker {
    partitions: BTreeMap<i32, PartitionState>,
    decided: Decided,
    /// Dead letters acknowledged before their read mark arrived.
    early: BTreeSet<(i32, i64)>,
    /// Records accepted by the chain check before their read mark arrived.
    early_accepted: BTreeSet<(i32, i64)>,
}

impl OffsetTracker {
    /// Batches up to `delivered` are already done (the delivery start minus one).
    pub fn new(delivered: u64) -> Self {
        OffsetTracker {
            partitions: BTreeMap::new(),
            decided: Decided {
                below: delivered.saturating_add(1),
                delivered_above: BTreeSet::new(),
                gaps: BTreeSet::new(),
            },
            early: BTreeSet::new(),
            early_accepted: BTreeSet::new(),
        }
    }

    /// A reader read a record (marks may arrive in any order).
    pub fn read(&mut self, mark: ReadMark) {
        let key = (mark.partition, mark.offset);
        let accepted = self.early_accepted.remove(&key);
        let dead = self.early.remove(&key);
        let done = dead
            || match mark.settle {
                Settle::Now => true,
                Settle::OnDelivery(b) => accepted && self.decided.delivered(b),
                Settle::OnDeadLetter => false,
            };
        let state = self.partitions.entry(mark.partition).or_default();
        if state.seen(mark.offset) {
            tracing::warn!(
                partition = mark.partition,
                offset = mark.offset,
                "read mark seen twice; ignored"
            );
            return;
        }
        if !done {
            let batch = match mark.settle {
                Settle::OnDelivery(b) => Some(b),
                _ => None,
            };
            state.open.insert(mark.offset, Open { batch, accepted });
        }
        match mark.follows {
            Follows::Start(_) => state.tail = Some(mark.offset),
            Follows::Record(prev) if state.tail == Some(prev) => state.tail = Some(mark.offset),
            Follows::Record(prev) => {
                state.links.insert(prev, mark.offset);
            }
        }
        state.follow_links();
    }

    /// The dead-letter sink acknowledged the record at (partition, offset).
    pub fn dead_lettered(&mut self, partition: i32, offset: i64) {
        let state = self.partitions.entry(partition).or_default();
        if state.open.remove(&offset).is_none() && !state.seen(offset) {
            self.early.insert((partition, offset));
        }
    }

    /// The chain check accepted the record at (partition, offset) as its batch's record: its batch's
    /// delivery settles it.
    pub fn accepted(&mut self, partition: i32, offset: i64) {
        let state = self.partitions.entry(partition).or_default();
        let seen = state.seen(offset);
        match state.open.get_mut(&offset) {
            Some(open) => {
                open.accepted = true;
                if self.decided.settles(open) {
                    state.open.remove(&offset);
                }
            }
            None if !seen => {
                self.early_accepted.insert((partition, offset));
            }
            None => {}
        }
    }

    /// Every sink acknowledged batch `n`.
    pub fn delivered(&mut self, n: u64) {
        if n >= self.decided.below {
            self.decided.delivered_above.insert(n);
        }
        self.decided.compact();
        let decided = &self.decided;
        for state in self.partitions.values_mut() {
            state.open.retain(|_, open| !decided.settles(open));
        }
    }

    /// Batch `n` is a gap: its records stay open (a restart replays them) unless dead-lettered.
    pub fn gap(&mut self, n: u64) {
        if n >= self.decided.below {
            self.decided.gaps.insert(n);
            self.decided.delivered_above.remove(&n);
        }
        self.decided.compact();
    }

    /// The offset a partition may commit now: the first unsettled record, else the record after the
    /// end of the unbroken chain (`None` before the chain starts).
    fn position(state: &PartitionState) -> Option<i64> {
        let after_tail = state.tail? + 1;
        Some(match state.open.keys().next() {
            Some(first) => (*first).min(after_tail),
            None => after_tail,
        })
    }

    /// The offsets that can be committed now and were not yet: (partition, next offset to read).
    pub fn committable(&self) -> Vec<(i32, i64)> {
        self.partitions
            .iter()
            .filter_map(|(p, s)| {
                let next = Self::position(s)?;
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

    /// The offsets committed so far in this run, per partition.
    pub fn committed_offsets(&self) -> BTreeMap<i32, i64> {
        self.partitions
            .iter()
            .filter_map(|(p, s)| Some((*p, s.committed?)))
            .collect()
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

    fn mark(partition: i32, offset: i64, follows: Follows, settle: Settle) -> ReadMark {
        ReadMark {
            partition,
            offset,
            follows,
            settle,
        }
    }

    /// Marks of consecutive records of one partition from `start`.
    fn run_of(partition: i32, start: i64, settles: &[Settle]) -> Vec<ReadMark> {
        settles
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let offset = start + i as i64;
                let follows = if i == 0 {
                    Follows::Start(start)
                } else {
                    Follows::Record(offset - 1)
                };
                mark(partition, offset, follows, *s)
            })
            .collect()
    }

    /// A record read and accepted by the chain check.
    fn accept(t: &mut OffsetTracker, m: ReadMark) {
        t.read(m);
        t.accepted(m.partition, m.offset);
    }

    #[test]
    fn commits_only_below_the_first_unsettled_record() {
        let mut t = OffsetTracker::new(0);
        // Partition 0 holds batches 1, 3, 5; partition 1 holds 2, 4.
        let p0 = run_of(0, 0, &[1, 3, 5].map(Settle::OnDelivery));
        let p1 = run_of(1, 0, &[2, 4].map(Settle::OnDelivery));
        for m in [p0[0], p1[0], p0[1], p1[1], p0[2]] {
            accept(&mut t, m);
        }
        assert_eq!(t.committable(), vec![(0, 0), (1, 0)]);
        t.delivered(1);
        assert_eq!(t.committable(), vec![(0, 1), (1, 0)]);
        t.committed(&[(0, 1), (1, 0)]);
        assert!(t.committable().is_empty());
        t.delivered(2);
        t.delivered(3);
        t.delivered(4);
        assert_eq!(t.committable(), vec![(0, 2), (1, 2)]);
        t.delivered(5);
        assert_eq!(t.committable(), vec![(0, 3), (1, 2)]);
        assert_eq!(t.open(), 0);
    }

    /// The first case of the issue "one bad record must never lose, stall or reorder good batches":
    /// batches 2, 5, 8 at offsets 0-2 of partition 1, a keyless record at offset 3. Its mark (sent at the
    /// reader's current time) overtakes the batches' marks and its dead letter is acknowledged at once:
    /// nothing may commit past offset 0 before batch 2 is delivered.
    #[test]
    fn a_dead_letter_that_overtakes_the_batches_before_it_commits_nothing_past_them() {
        let mut t = OffsetTracker::new(0);
        let marks = run_of(
            1,
            0,
            &[
                Settle::OnDelivery(2),
                Settle::OnDelivery(5),
                Settle::OnDelivery(8),
                Settle::OnDeadLetter,
            ],
        );
        t.read(marks[3]);
        assert!(t.committable().is_empty(), "{:?}", t.committable());
        t.dead_lettered(1, 3);
        assert!(t.committable().is_empty(), "{:?}", t.committable());
        accept(&mut t, marks[1]);
        accept(&mut t, marks[2]);
        assert!(t.committable().is_empty(), "{:?}", t.committable());
        accept(&mut t, marks[0]);
        assert_eq!(t.committable(), vec![(1, 0)]);
        for n in 1..=5 {
            t.delivered(n);
        }
        assert_eq!(t.committable(), vec![(1, 2)]);
        for n in 6..=8 {
            t.delivered(n);
        }
        assert_eq!(t.committable(), vec![(1, 4)]);
    }

    /// The second case: bad records under future-looking keys between batches 4 and 5 of one partition.
    /// They are dead letters; the batches around them commit only as they are delivered.
    #[test]
    fn dead_letters_between_batches_commit_only_behind_deliveries() {
        let mut t = OffsetTracker::new(0);
        let mut settles = vec![Settle::OnDelivery(4)];
        settles.extend([Settle::OnDeadLetter; 5]);
        settles.push(Settle::OnDelivery(5));
        let marks = run_of(0, 10, &settles);
        for m in marks.iter().rev() {
            t.read(*m);
        }
        t.accepted(0, 16);
        t.accepted(0, 10);
        for o in 11..=15 {
            t.dead_lettered(0, o);
        }
        assert_eq!(t.committable(), vec![(0, 10)]);
        t.delivered(1);
        t.delivered(2);
        t.delivered(3);
        t.delivered(4);
        assert_eq!(t.committable(), vec![(0, 16)]);
        t.delivered(5);
        assert_eq!(t.committable(), vec![(0, 17)]);
    }

    #[test]
    fn dead_letters_settle_in_either_order_and_gaps_do_not() {
        let mut t = OffsetTracker::new(0);
        let marks = run_of(
            0,
            0,
            &[
                Settle::OnDelivery(1),
                // A second record of batch 2 (refused by the chain check): the DLQ settles it.
                Settle::OnDelivery(2),
                Settle::OnDeadLetter,
                Settle::OnDelivery(3),
                Settle::OnDelivery(4),
            ],
        );
        accept(&mut t, marks[0]);
        t.read(marks[1]);
        t.dead_lettered(0, 1);
        // A record with a bad key: its dead letter is acknowledged before its read mark arrives.
        t.dead_lettered(0, 2);
        t.read(marks[2]);
        // Batch 3 fails in proving: a gap, left open for the replay.
        accept(&mut t, marks[3]);
        // Accepted before its mark arrived.
        t.accepted(0, 4);
        t.read(marks[4]);
        t.delivered(1);
        t.gap(2);
        t.gap(3);
        t.delivered(4);
        assert_eq!(t.committable(), vec![(0, 3)]);
        assert_eq!(t.open(), 1);
    }

    #[test]
    fn records_below_the_start_settle_at_once_and_holes_are_skipped() {
        let mut t = OffsetTracker::new(7);
        t.read(mark(2, 10, Follows::Start(9), Settle::Now));
        accept(
            &mut t,
            mark(2, 14, Follows::Record(11), Settle::OnDelivery(8)),
        );
        accept(
            &mut t,
            mark(2, 11, Follows::Record(10), Settle::OnDelivery(6)),
        );
        assert_eq!(t.committable(), vec![(2, 14)]);
        t.delivered(8);
        assert_eq!(t.committable(), vec![(2, 15)]);
    }

    /// A copy of batch 2 read after batch 2 was delivered: its batch's delivery does not settle it (the
    /// chain check did not accept it); only its dead letter does, so a crash before that replays it.
    #[test]
    fn a_copy_of_a_delivered_batch_waits_for_its_dead_letter() {
        let mut t = OffsetTracker::new(0);
        let marks = run_of(0, 0, &[Settle::OnDelivery(1), Settle::OnDelivery(1)]);
        accept(&mut t, marks[0]);
        t.delivered(1);
        t.read(marks[1]);
        assert_eq!(t.committable(), vec![(0, 1)]);
        t.dead_lettered(0, 1);
        assert_eq!(t.committable(), vec![(0, 2)]);
    }

    mod interleavings {
        //! The tracker driven by random interleavings of read marks, dead-letter acknowledgements,
        //! deliveries and gaps, over partitions with holes in their offsets, with restarts (a new
        //! tracker whose readers resume from the committed offsets). After every step: no committed
        //! offset passes a record that is not settled. At the end of a run without failures every
        //! partition is committed to its end.
        use super::*;
        use proptest::prelude::*;
        use rand::seq::SliceRandom;
        use rand::{Rng, SeedableRng};
        use rand_chacha::ChaCha8Rng;

        #[derive(Clone, Copy, Debug)]
        enum Kind {
            Batch(u64),
            /// A record that is dead-lettered (no key, undecodable, ...).
            Bad,
            /// A second record of a batch (a duplicate or a broken chain link): dead-lettered, and also
            /// settled by its batch's delivery.
            Again(u64),
        }

        #[derive(Clone, Copy, Debug)]
        struct Record {
            partition: i32,
            offset: i64,
            kind: Kind,
        }

        /// A topic: records per partition with increasing batch numbers, offsets with holes.
        fn topic(spec: &[(u8, u8, u8)]) -> (Vec<Record>, u64) {
            let mut next_offset = [0i64; 3];
            let mut last_batch = [0u64; 3];
            let mut batches = 0u64;
            let mut out = Vec::new();
            for &(p, kind, hole) in spec {
                let pi = (p % 3) as usize;
                next_offset[pi] += i64::from(hole % 3);
                let kind = match kind % 5 {
                    0 => Kind::Bad,
                    1 if last_batch[pi] > 0 => Kind::Again(last_batch[pi]),
                    _ => {
                        batches += 1;
                        last_batch[pi] = batches;
                        Kind::Batch(batches)
                    }
                };
                out.push(Record {
                    partition: pi as i32,
                    offset: next_offset[pi],
                    kind,
                });
                next_offset[pi] += 1;
            }
            (out, batches)
        }

        enum Event {
            Mark(ReadMark),
            Accept(i32, i64),
            DeadLetter(i32, i64),
            Deliver(u64),
            Gap(u64),
        }

        fn check(records: &[Record], settled: &[bool], committed: &BTreeMap<i32, i64>) {
            for (r, s) in records.iter().zip(settled) {
                let c = committed.get(&r.partition).copied().unwrap_or(0);
                assert!(
                    *s || c <= r.offset,
                    "partition {} committed at {c} past unsettled {r:?}",
                    r.partition
                );
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(300))]
            #[test]
            fn no_commit_passes_an_unsettled_record(
                spec in proptest::collection::vec((0u8..3, 0u8..5, 0u8..6), 1..40),
                seed in any::<u64>(),
                restarts in 0usize..3,
            ) {
                let (records, batches) = topic(&spec);
                let mut rng = ChaCha8Rng::seed_from_u64(seed);
                let mut settled = vec![false; records.len()];
                let mut accepted = vec![false; records.len()];
                let mut delivered: BTreeSet<u64> = BTreeSet::new();
                let index = |p: i32, o: i64| {
                    records.iter().position(|r| (r.partition, r.offset) == (p, o))
                };
                let mut committed: BTreeMap<i32, i64> = BTreeMap::new();
                // Batches delivered by earlier runs (the delivery progress): every batch up to it.
                let mut delivered_upto = 0u64;
                for run in 0..=restarts {
                    let last = run == restarts;
                    let mut tracker = OffsetTracker::new(delivered_upto);
                    // What this run's chain check accepted and its sinks delivered.
                    accepted = vec![false; records.len()];
                    delivered.clear();
                    // The readers resume at the committed offsets.
                    let mut events = Vec::new();
                    let mut previous: BTreeMap<i32, i64> = BTreeMap::new();
                    for r in &records {
                        let start = committed.get(&r.partition).copied().unwrap_or(0);
                        if r.offset < start {
                            continue;
                        }
                        let follows = match previous.insert(r.partition, r.offset) {
                            None => Follows::Start(start),
                            Some(p) => Follows::Record(p),
                        };
                        let settle = match r.kind {
                            Kind::Bad => Settle::OnDeadLetter,
                            Kind::Batch(n) | Kind::Again(n) if n <= delivered_upto => Settle::Now,
                            Kind::Batch(n) | Kind::Again(n) => Settle::OnDelivery(n),
                        };
                        events.push(Event::Mark(ReadMark {
                            partition: r.partition,
                            offset: r.offset,
                            follows,
                            settle,
                        }));
                        if matches!(settle, Settle::OnDeadLetter)
                            || matches!((r.kind, settle), (Kind::Again(_), Settle::OnDelivery(_)))
                        {
                            events.push(Event::DeadLetter(r.partition, r.offset));
                        }
                        if matches!((r.kind, settle), (Kind::Batch(_), Settle::OnDelivery(_))) {
                            events.push(Event::Accept(r.partition, r.offset));
                        }
                    }
                    events.shuffle(&mut rng);
                    // Deliveries in batch order (the ordered sink), merged at random places; a failed
                    // batch is a gap and stops delivery (the default policy).
                    let mut at = 0;
                    for n in delivered_upto + 1..=batches {
                        at = rng.gen_range(at..=events.len());
                        if !last && rng.gen_ratio(1, 8) {
                            events.insert(at, Event::Gap(n));
                            break;
                        }
                        events.insert(at, Event::Deliver(n));
                        at += 1;
                    }
                    // A restart cuts the run at a random step.
                    let steps = if last { events.len() } else { rng.gen_range(0..=events.len()) };
                    for event in events.into_iter().take(steps) {
                        match event {
                            Event::Mark(m) => {
                                tracker.read(m);
                                // Below the start: settled by definition (delivered before).
                                if let (Settle::Now, Some(i)) = (m.settle, index(m.partition, m.offset)) {
                                    settled[i] = true;
                                }
                            }
                            Event::Accept(p, o) => {
                                tracker.accepted(p, o);
                                if let Some(i) = index(p, o) {
                                    accepted[i] = true;
                                    if matches!(records[i].kind, Kind::Batch(b) if delivered.contains(&b)) {
                                        settled[i] = true;
                                    }
                                }
                            }
                            Event::DeadLetter(p, o) => {
                                tracker.dead_lettered(p, o);
                                if let Some(i) = index(p, o) {
                                    settled[i] = true;
                                }
                            }
                            Event::Deliver(n) => {
                                tracker.delivered(n);
                                delivered_upto = n;
                                delivered.insert(n);
                                for (i, r) in records.iter().enumerate() {
                                    if matches!(r.kind, Kind::Batch(b) if b == n) && accepted[i] {
                                        settled[i] = true;
                                    }
                                }
                            }
                            Event::Gap(n) => tracker.gap(n),
                        }
                        let due = tracker.committable();
                        for (p, o) in &due {
                            let c = committed.entry(*p).or_insert(0);
                            prop_assert!(*o >= *c, "a commit went backwards: {o} < {c}");
                            *c = *o;
                        }
                        tracker.committed(&due);
                        check(&records, &settled, &committed);
                    }
                }
                // The last run had no failure: everything is settled and committed to the end.
                prop_assert!(settled.iter().all(|s| *s));
                for r in &records {
                    prop_assert!(committed.get(&r.partition).copied().unwrap_or(0) > r.offset);
                }
            }
        }
    }
}
