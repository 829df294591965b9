//! The Kafka reader against the embedded (mock-cluster) broker: every batch is read exactly once at its
//! own time, over 1 and 3 workers (one of them without partitions), bad keys are rejected, bad records
//! under future-looking keys move nothing, and the bounded reader finishes.
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use timely::dataflow::operators::Inspect;
use zkstream_prover::sample::sample_chain;
use zkstream_sources::kafka::produce_batches;
use zkstream_sources::{kafka_source, EmbeddedBroker, InFlightGate, KafkaSourceConfig};
use zkstream_testkit::kafka::send_records;
use zkstream_testkit::worker::{step_for, step_until};
use zkstream_types::Digest;

fn run(brokers: String, workers: usize) -> (Vec<(u64, u64)>, Vec<String>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rejected = Arc::new(Mutex::new(Vec::new()));
    let (s, r) = (Arc::clone(&seen), Arc::clone(&rejected));
    timely::execute(timely::Config::process(workers), move |worker| {
        let (s, r) = (Arc::clone(&s), Arc::clone(&r));
        let mut config = KafkaSourceConfig::new(&brokers, "batches");
        config.bounded = true;
        config.group_id = format!("test-{workers}");
        worker.dataflow::<u64, _, _>(|scope| {
            let streams = kafka_source(scope, config, InFlightGate::new(1)).unwrap();
            streams.records.inspect_core(move |event| {
                if let Ok((stamp, data)) = event {
                    let t = *stamp.least().unwrap();
                    for rec in data {
                        s.lock().unwrap().push((t, rec.batch.batch_number));
                    }
                }
            });
            streams
                .rejected
                .inspect(move |rej| r.lock().unwrap().push(rej.reason.to_string()));
        });
    })
    .unwrap()
    .join()
    .into_iter()
    .for_each(|r| r.unwrap());
    let mut seen = seen.lock().unwrap().clone();
    seen.sort();
    let rejected = rejected.lock().unwrap().clone();
    (seen, rejected)
}

/// A reader on one worker, watched: the batches it emits (each checked to come out at its own time),
/// the reasons of the records it rejects, and a probe on its records.
struct Watched {
    seen: std::rc::Rc<std::cell::RefCell<Vec<u64>>>,
    rejected: std::rc::Rc<std::cell::RefCell<Vec<String>>>,
    probe: timely::dataflow::ProbeHandle<u64>,
}

fn watch_reader(
    worker: &mut timely::worker::Worker,
    config: KafkaSourceConfig,
    gate: &InFlightGate,
) -> Watched {
    use std::cell::RefCell;
    use std::rc::Rc;
    use timely::dataflow::operators::Probe;

    let seen = Rc::new(RefCell::new(Vec::new()));
    let rejected = Rc::new(RefCell::new(Vec::new()));
    let (s, r, g) = (Rc::clone(&seen), Rc::clone(&rejected), gate.clone());
    let probe = worker.dataflow::<u64, _, _>(move |scope| {
        let streams = kafka_source(scope, config, g).unwrap();
        streams
            .rejected
            .inspect(move |x| r.borrow_mut().push(x.reason.to_string()));
        let records = streams.records.inspect_core(move |event| {
            if let Ok((stamp, data)) = event {
                for d in data {
                    assert_eq!(*stamp.least().unwrap(), d.batch.batch_number);
                    s.borrow_mut().push(d.batch.batch_number);
                }
            }
        });
        let (probe, _) = records.probe();
        probe
    });
    Watched {
        seen,
        rejected,
        probe,
    }
}

#[test]
fn reads_every_batch_once_at_its_time_and_rejects_bad_keys() {
    let broker = EmbeddedBroker::start().unwrap();
    broker.create_topic("batches", 2).unwrap();
    let brokers = broker.bootstrap_servers();
    let chain = sample_chain(1, 5, 3, 1, &Digest::default());
    let report = produce_batches(&brokers, "batches", 2, chain).unwrap();
    assert_eq!(report.records, 5);

    send_records(
        &brokers,
        "batches",
        1,
        &[(Some(b"nope".to_vec()), b"x".to_vec())],
    );

    for workers in [1, 3] {
        let (seen, rejected) = run(brokers.clone(), workers);
        assert_eq!(
            seen,
            (1..=5).map(|n| (n, n)).collect::<Vec<_>>(),
            "{workers} workers"
        );
        assert_eq!(rejected.len(), 1, "{rejected:?}");
        assert!(rejected[0].contains("key"), "{rejected:?}");
    }
}

#[test]
fn the_gate_holds_batches_above_the_in_flight_limit_until_released() {
    use std::cell::RefCell;
    use std::rc::Rc;

    let broker = EmbeddedBroker::start().unwrap();
    broker.create_topic("gated", 2).unwrap();
    let brokers = broker.bootstrap_servers();
    produce_batches(
        &brokers,
        "gated",
        2,
        sample_chain(1, 8, 3, 1, &Digest::default()),
    )
    .unwrap();
    timely::execute_directly(move |worker| {
        let gate = InFlightGate::new(1);
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut config = KafkaSourceConfig::new(&brokers, "gated");
        config.group_id = "gated".into();
        config.max_in_flight = Some(3);
        config.bounded = true;
        let s = Rc::clone(&seen);
        let g = gate.clone();
        worker.dataflow::<u64, _, _>(move |scope| {
            kafka_source(scope, config, g)
                .unwrap()
                .records
                .inspect(move |r| s.borrow_mut().push(r.batch.batch_number));
        });
        step_for(worker, Duration::from_secs(3));
        let mut got = seen.borrow().clone();
        got.sort();
        assert_eq!(got, vec![1, 2, 3], "nothing released: at most 3 batches in");
        gate.release(4);
        step_for(worker, Duration::from_secs(3));
        let mut got = seen.borrow().clone();
        got.sort();
        assert_eq!(
            got,
            (1..=7).collect::<Vec<_>>(),
            "released up to 4: up to 7 in"
        );
        gate.release(8);
        step_for(worker, Duration::from_secs(3));
        assert_eq!(seen.borrow().len(), 8);
    });
}

#[test]
fn resumes_from_committed_offsets_and_skips_batches_below_the_start() {
    use rdkafka::config::ClientConfig;
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    use rdkafka::{Offset, TopicPartitionList};

    // ZKSTREAM_TEST_BROKERS points this at an external broker (e.g. Tansu) with a fresh topic name. Tansu
    // 0.6 reports a high watermark below the end of a multi-record batch; the bounded reader must still
    // read to the real end.
    let broker = EmbeddedBroker::start().unwrap();
    let (brokers, topic) = match std::env::var("ZKSTREAM_TEST_BROKERS") {
        Ok(b) => (b, format!("resume-{}", std::process::id())),
        Err(_) => {
            broker.create_topic("resume", 3).unwrap();
            (broker.bootstrap_servers(), "resume".to_string())
        }
    };
    produce_batches(
        &brokers,
        &topic,
        3,
        sample_chain(1, 6, 3, 1, &Digest::default()),
    )
    .unwrap();
    // Batches 1 and 2 were delivered and committed: partitions 0 and 1 at offset 1, partition 2 at 0.
    let committer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .set("group.id", "resume")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for (p, o) in [(0, 1), (1, 1), (2, 0)] {
        tpl.add_partition_offset(&topic, p, Offset::Offset(o))
            .unwrap();
    }
    committer.commit(&tpl, CommitMode::Sync).unwrap();
    for workers in [1, 2] {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = Arc::clone(&seen);
        let (b, t) = (brokers.clone(), topic.clone());
        timely::execute(timely::Config::process(workers), move |worker| {
            let s = Arc::clone(&s);
            let mut config = KafkaSourceConfig::new(&b, &t);
            config.bounded = true;
            config.group_id = "resume".into();
            config.start_batch = 3;
            worker.dataflow::<u64, _, _>(|scope| {
                let streams = kafka_source(scope, config, InFlightGate::new(3)).unwrap();
                streams
                    .records
                    .inspect(move |r| s.lock().unwrap().push(r.batch.batch_number));
            });
        })
        .unwrap()
        .join()
        .into_iter()
        .for_each(|r| r.unwrap());
        let mut got = seen.lock().unwrap().clone();
        got.sort();
        assert_eq!(got, vec![3, 4, 5, 6], "{workers} workers");
    }
}

/// After a restart at batch 4 with nothing committed, the records batches 1..3 were delivered from are
/// skipped, but a byte copy of batch 2 that sits between them (a crash kept it from the dead-letter
/// topic) is a dead letter; so it is after a start at 5, where batch 4, never delivered, is skipped. Below
/// a committed offset, or with a progress record that does not list the delivered records, it is
/// skipped.
#[test]
fn a_replayed_copy_of_a_delivered_batch_is_a_dead_letter() {
    use std::collections::{BTreeMap, BTreeSet};
    use zkstream_sources::Delivered;
    use zkstream_types::Framed;

    let broker = EmbeddedBroker::start().unwrap();
    broker.create_topic("replay", 1).unwrap();
    let brokers = broker.bootstrap_servers();
    let chain = sample_chain(1, 5, 3, 1, &Digest::default());
    // Offsets: batch 1 @0, batch 2 @1, the copy of batch 2 @2, batches 3..5 @3..5.
    let mut frames: Vec<(Option<Vec<u8>>, Vec<u8>)> = chain
        .iter()
        .map(|b| {
            (
                Some(b.batch_number.to_be_bytes().to_vec()),
                b.to_frame().unwrap(),
            )
        })
        .collect();
    frames.insert(2, frames[1].clone());
    send_records(&brokers, "replay", 0, &frames);
    // Batches 1..3 delivered from offsets 0, 1 and 3; the progress record of a start at batch 5 says
    // batch 4 was never delivered (a configured start past it): its record is not a copy.
    let delivered = Delivered {
        through: 3,
        judged_from: 1,
        committed: BTreeMap::new(),
        records: BTreeSet::from([(0, 0), (0, 1), (0, 3)]),
    };
    for (records, start, expected) in [
        (
            Some(Arc::new(delivered.clone())),
            4,
            vec!["batch 2 was already read"],
        ),
        (
            Some(Arc::new(delivered.clone())),
            5,
            vec!["batch 2 was already read"],
        ),
        // Offsets 0..=2 committed: the copy at 2 was settled (dead-lettered) before the commit.
        (
            Some(Arc::new(Delivered {
                committed: BTreeMap::from([(0, 3)]),
                ..delivered
            })),
            4,
            vec![],
        ),
        (None, 4, vec![]),
    ] {
        let brokers = brokers.clone();
        timely::execute_directly(move |worker| {
            let gate = InFlightGate::new(4);
            let mut config = KafkaSourceConfig::new(&brokers, "replay");
            config.group_id = "replay".into();
            config.bounded = true;
            config.start_batch = start;
            config.delivered = records;
            let Watched {
                seen,
                rejected,
                probe,
            } = watch_reader(worker, config, &gate);
            let done = step_until(worker, Duration::from_secs(30), || probe.done());
            assert!(done, "the bounded reader finished");
            assert_eq!(*seen.borrow(), (start..=5).collect::<Vec<_>>());
            let reasons = rejected.borrow().clone();
            assert_eq!(reasons.len(), expected.len(), "{reasons:?}");
            for (reason, e) in reasons.iter().zip(&expected) {
                assert!(reason.contains(e), "{e:?} in {reason:?}");
            }
        });
    }
}

/// The second case of the issue "one bad record must never lose, stall or reorder good batches", at the
/// reader: batches 1..4, five bad records (random bytes under key 99, a truncated frame under key 100, an
/// empty value under key 101, no key, a byte copy of batch 3 under key 3), then batches 5..8, all in one
/// partition, behind an in-flight gate of 2 that the test opens as batches come out. Every batch comes out
/// at its own time, the frontier never passes a batch before it is read, and the first four are dead
/// letters; the copy of batch 3 is one too, unless the frontier was still at 3 when it was read (then it
/// comes out as a second record of batch 3, for the chain check to refuse as a duplicate).
#[test]
fn bad_records_under_future_keys_move_nothing() {
    use std::time::Instant;
    use zkstream_types::Framed;

    let broker = EmbeddedBroker::start().unwrap();
    broker.create_topic("mixed", 1).unwrap();
    let brokers = broker.bootstrap_servers();
    let chain = sample_chain(1, 8, 3, 1, &Digest::default());
    let send =
        |key: Option<Vec<u8>>, value: Vec<u8>| send_records(&brokers, "mixed", 0, &[(key, value)]);
    let key = |n: u64| Some(n.to_be_bytes().to_vec());
    for b in &chain[..4] {
        send(key(b.batch_number), b.to_frame().unwrap());
    }
    let frame3 = chain[2].to_frame().unwrap();
    send(key(99), vec![0x5a; 40]);
    send(key(100), frame3[..frame3.len() / 2].to_vec());
    send(key(101), Vec::new());
    send(None, chain[4].to_frame().unwrap());
    send(key(3), frame3.clone());
    for b in &chain[4..] {
        send(key(b.batch_number), b.to_frame().unwrap());
    }
    timely::execute_directly(move |worker| {
        let gate = InFlightGate::new(1);
        let mut config = KafkaSourceConfig::new(&brokers, "mixed");
        config.group_id = "mixed".into();
        config.max_in_flight = Some(2);
        config.bounded = true;
        let Watched {
            seen,
            rejected,
            probe,
        } = watch_reader(worker, config, &gate);
        let t = Instant::now();
        let distinct = |v: &Vec<u64>| v.iter().collect::<std::collections::BTreeSet<_>>().len();
        while distinct(&seen.borrow()) < 8 && t.elapsed() < Duration::from_secs(30) {
            worker.step();
            // The frontier never passes a batch that has not come out yet.
            let next = seen.borrow().iter().max().copied().unwrap_or(0) + 1;
            assert!(
                probe.less_equal(&next),
                "the frontier passed batch {next} before it was read"
            );
            if let Some(last) = seen.borrow().last() {
                gate.release(*last);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let mut got = seen.borrow().clone();
        let copies = got.len() - 8;
        got.dedup();
        assert_eq!(got, (1..=8).collect::<Vec<_>>());
        assert!(
            copies <= 1 && (copies == 0 || seen.borrow()[3] == 3),
            "{seen:?}"
        );
        while rejected.borrow().len() < 5 - copies && t.elapsed() < Duration::from_secs(30) {
            worker.step();
        }
        for _ in 0..50 {
            worker.step();
        }
        let reasons = rejected.borrow().clone();
        assert_eq!(reasons.len(), 5 - copies, "{reasons:?}");
        for (reason, expected) in reasons.iter().zip([
            "undecodable",
            "undecodable",
            "undecodable: empty",
            "key",
            "out of order: batch 3 after batch 4",
        ]) {
            assert!(reason.contains(expected), "{expected:?} in {reason:?}");
        }
    });
}

/// A producer that breaks the partition contract (batch 9 ahead of batches 1 and 2 in one partition):
/// the gate holds batch 9 and pauses the partition; the watch names the partition and its held batch,
/// and its stall clock is not reset while the sink releases nothing.
#[test]
fn a_far_future_batch_ahead_of_lower_ones_is_reported_by_partition() {
    use zkstream_types::Framed;

    let broker = EmbeddedBroker::start().unwrap();
    broker.create_topic("contract", 2).unwrap();
    let brokers = broker.bootstrap_servers();
    let chain = sample_chain(1, 9, 3, 1, &Digest::default());
    let records: Vec<_> = [9u64, 1, 2]
        .iter()
        .map(|n| {
            (
                Some(n.to_be_bytes().to_vec()),
                chain[*n as usize - 1].to_frame().unwrap(),
            )
        })
        .collect();
    send_records(&brokers, "contract", 1, &records);
    timely::execute_directly(move |worker| {
        let mut config = KafkaSourceConfig::new(&brokers, "contract");
        config.group_id = "contract".into();
        config.max_in_flight = Some(3);
        config.bounded = true;
        let watch = config.held.clone();
        let gate = InFlightGate::new(1);
        let g = gate.clone();
        worker.dataflow::<u64, _, _>(move |scope| {
            kafka_source(scope, config, g).unwrap();
        });
        step_until(worker, Duration::from_secs(20), || !watch.held().is_empty());
        let held = watch.held();
        assert_eq!(held.keys().copied().collect::<Vec<_>>(), vec![1]);
        assert_eq!(held[&1].batch, 9);
        let since = held[&1].stalled_since;
        step_for(worker, Duration::from_millis(500));
        assert_eq!(watch.held()[&1].stalled_since, since);
        // Opened by hand: batch 9 goes, the lower ones behind it are out of order, the reader ends.
        gate.release(9);
    });
}

/// Held at the sink's release point, the reader takes a batch read late: a copy of batch 5 put ahead
/// of batches 3 and 4 in their partition does not push them below the frontier (without the hold they
/// would be refused as out of order, a gap). A record of a batch already released is a duplicate.
#[test]
fn held_at_release_a_batch_read_late_is_still_taken() {
    use zkstream_types::Framed;

    let broker = EmbeddedBroker::start().unwrap();
    broker.create_topic("late", 1).unwrap();
    let brokers = broker.bootstrap_servers();
    let chain = sample_chain(1, 5, 3, 1, &Digest::default());
    let records: Vec<_> = [1u64, 2, 5, 3, 4, 5]
        .iter()
        .map(|n| {
            (
                Some(n.to_be_bytes().to_vec()),
                chain[*n as usize - 1].to_frame().unwrap(),
            )
        })
        .collect();
    send_records(&brokers, "late", 0, &records);
    timely::execute_directly(move |worker| {
        let gate = InFlightGate::new(1);
        let mut config = KafkaSourceConfig::new(&brokers, "late");
        config.group_id = "late".into();
        config.bounded = true;
        config.hold_at_release = true;
        let Watched {
            seen,
            rejected,
            probe,
        } = watch_reader(worker, config, &gate);
        let mut copy_sent = false;
        let done = step_until(worker, Duration::from_secs(30), || {
            // The sink releases batches 1 and 2 once read, nothing after; then a copy of batch 2 comes
            // (before the bounded partition has been quiet long enough to end).
            if !copy_sent && seen.borrow().contains(&2) {
                gate.release(2);
                send_records(&brokers, "late", 0, &records[1..2]);
                copy_sent = true;
            }
            // Until the input ends, the frontier never passes the first batch not released.
            assert!(
                probe.done() || probe.less_equal(&(gate.released() + 1)),
                "the frontier passed the release point"
            );
            probe.done()
        });
        assert!(done, "the bounded reader ends");
        let mut got = seen.borrow().clone();
        got.sort();
        // Batch 5 twice (the copy ahead and the real one: the chain check picks), 3 and 4 taken.
        assert_eq!(got, vec![1, 2, 3, 4, 5, 5]);
        let reasons = rejected.borrow().clone();
        assert_eq!(reasons.len(), 1, "{reasons:?}");
        assert!(
            reasons[0].contains("batch 2 was already read"),
            "{reasons:?}"
        );
    });
}
