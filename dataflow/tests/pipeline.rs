//! Dataflow tests against the sequential oracle, through the embedded broker and the production Kafka
//! reader: the dataflow's final public inputs equal the reference prover's with 1 and 2 workers and
//! every final proof verifies; injected prover failures are retried and lose no batch; a rejected record
//! and an exhausted job become gaps at which delivery stops, and the run still terminates; two process-0s
//! on one store never both deliver (fencing).
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rdkafka::config::ClientConfig;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use zkstream_dataflow::delivery::{DeliveryProgress, DeliveryThread, Outputs, Retention, RETAINED};
use zkstream_dataflow::pipeline::{self, PipelineSpec};
use zkstream_operators::chunk::Release;
use zkstream_operators::fence::Fence;
use zkstream_operators::model::Delivery;
use zkstream_operators::order::OrderPolicy;
use zkstream_operators::pool::{
    FaultInjector, JobEnd, PoolConfig, PoolObserver, ProverPool, SlotInfo,
};
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::reference::RoundCounts;
use zkstream_prover::sample::sample_chain;
use zkstream_prover::{
    prove_batch, verify_final_proof, BackendError, BackendInfo, CircuitId, CpuBackend, KeyStore,
    Prover, ProvingBackend, ProvingJob, SlotKind,
};
use zkstream_sinks::core_http::CoreHttpSink;
use zkstream_sinks::RetryPolicy;
use zkstream_sources::kafka::{batch_key, produce_batches};
use zkstream_sources::{Delivered, EmbeddedBroker, KafkaSourceConfig};
use zkstream_testkit::core::Core;
use zkstream_testkit::process::wait_for;
use zkstream_types::Rejected;
use zkstream_types::{
    AggregationRound, Artifact, ArtifactKey, BatchInput, Digest, FinalBatchProof,
};

/// One run at a time: they share two cores.
static SERIAL: Mutex<()> = Mutex::new(());

fn keys() -> Arc<KeyStore> {
    zkstream_testkit::test_keys!()
}

fn chain(count: u64, seed: u64) -> Vec<BatchInput> {
    let vk_set = keys().vk_set_commitment().unwrap();
    sample_chain(1, count, seed, 1, &vk_set)
}

struct Run {
    deliveries: Vec<Delivery>,
    rejected: Vec<Rejected>,
    pool: Arc<ProverPool>,
}

/// Runs the pipeline over an embedded broker whose topic holds `records` (key, value, partition).
fn run(
    records: Vec<(u64, Vec<u8>, i32)>,
    batches: Vec<BatchInput>,
    workers: usize,
    max_attempts: u32,
    faults: Option<FaultInjector>,
) -> Run {
    run_with(
        records,
        batches,
        workers,
        max_attempts,
        faults,
        Vec::new(),
        None,
    )
}

/// [`run`] with accelerator slots beside the CPU slot, and an observer of the pool.
fn run_with(
    records: Vec<(u64, Vec<u8>, i32)>,
    batches: Vec<BatchInput>,
    workers: usize,
    max_attempts: u32,
    faults: Option<FaultInjector>,
    accelerators: Vec<Arc<dyn ProvingBackend>>,
    observer: Option<Arc<dyn PoolObserver>>,
) -> Run {
    let broker = EmbeddedBroker::start().unwrap();
    let brokers = broker.bootstrap_servers();
    broker.create_topic("batches", 2).unwrap();
    produce_batches(&brokers, "batches", 2, batches).unwrap();
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &brokers)
        .create()
        .unwrap();
    for (key, value, partition) in &records {
        let key = batch_key(*key);
        producer
            .send(
                BaseRecord::to("batches")
                    .key(&key[..])
                    .payload(value)
                    .partition(*partition),
            )
            .unwrap();
    }
    producer.flush(Duration::from_secs(10)).unwrap();

    let config = PoolConfig {
        slots: 1,
        threads_per_slot: 2,
        max_attempts,
        backoff: Duration::from_millis(10),
        schedule: Default::default(),
    };
    let mut builder =
        ProverPool::builder(keys(), ArtifactStore::open("memory://").unwrap(), config)
            .accelerators(accelerators);
    if let Some(f) = faults {
        builder = builder.faults(f);
    }
    if let Some(o) = observer {
        builder = builder.observer(o);
    }
    let pool = Arc::new(builder.start());
    let deliveries = Arc::new(Mutex::new(Vec::new()));
    let rejected = Arc::new(Mutex::new(Vec::new()));
    let mut source = KafkaSourceConfig::new(&brokers, "batches");
    source.bounded = true;
    let spec = PipelineSpec {
        workers,
        source,
        policy: OrderPolicy {
            start: 1,
            allow_gaps: false,
        },
        release: Release::Streaming,
        anchor: None,
        cluster: None,
        health: None,
        drain: None,
        wrap: None,
    };
    let (d, r) = (Arc::clone(&deliveries), Arc::clone(&rejected));
    pipeline::run(
        &spec,
        Arc::clone(&pool),
        pipeline::Hooks::new(
            Arc::new(move |x: &Delivery| d.lock().unwrap().push(x.clone())),
            Arc::new(move |x: &Rejected| r.lock().unwrap().push(x.clone())),
        ),
    )
    .unwrap();
    let deliveries = deliveries.lock().unwrap().clone();
    let rejected = rejected.lock().unwrap().clone();
    Run {
        deliveries,
        rejected,
        pool,
    }
}

fn proofs(run: &Run) -> Vec<FinalBatchProof> {
    run.deliveries
        .iter()
        .map(|d| match d {
            Delivery::Proof(p) => p.clone(),
            Delivery::Gap(f) => panic!("unexpected gap: {f:?}"),
        })
        .collect()
}

fn counts(pool: &ProverPool) -> RoundCounts {
    let mut c: RoundCounts = [0; 6];
    for r in pool.records() {
        assert!(matches!(r.end, JobEnd::Proved), "{:?}", r.end);
        c[r.key.round.number() as usize] += 1;
    }
    c
}

/// The reference prover's final records of `chain(2, 5)` and its proof counts, proved once for the
/// tests that need them.
fn oracle() -> &'static (BTreeMap<u64, FinalBatchProof>, RoundCounts) {
    static ORACLE: OnceLock<(BTreeMap<u64, FinalBatchProof>, RoundCounts)> = OnceLock::new();
    ORACLE.get_or_init(|| {
        let prover = Prover::new(keys(), 2);
        let mut oracle = BTreeMap::new();
        let mut counts: RoundCounts = [0; 6];
        for b in &chain(2, 5) {
            let (record, c) = prove_batch(&prover, b).unwrap();
            for (total, n) in counts.iter_mut().zip(c) {
                *total += n;
            }
            oracle.insert(b.batch_number, record);
        }
        (oracle, counts)
    })
}

#[test]
fn dataflow_matches_the_sequential_oracle_with_two_workers() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let batches = chain(2, 5);
    let (oracle, oracle_counts) = oracle();
    let oracle_counts = *oracle_counts;
    // Two workers (exchanges between them); the other tests here run one.
    for workers in [2] {
        let run = run(Vec::new(), batches.clone(), workers, 3, None);
        let got = proofs(&run);
        assert_eq!(
            got.iter().map(|p| p.batch_number).collect::<Vec<_>>(),
            [1, 2],
            "{workers} workers: in order, no gaps"
        );
        for (p, b) in got.iter().zip(&batches) {
            let o = &oracle[&p.batch_number];
            assert_eq!(p.batch_commitment, o.batch_commitment, "{workers} workers");
            assert_eq!(p.aggregation_result_coords, o.aggregation_result_coords);
            assert_eq!(p.previous_batch_commitment, o.previous_batch_commitment);
            assert_eq!(p.vk_set_commitment, o.vk_set_commitment);
            verify_final_proof(&keys(), b, p, None).unwrap();
        }
        assert_eq!(
            counts(&run.pool),
            oracle_counts,
            "{workers} workers: the same proofs as the oracle, each proved once"
        );
        assert!(run.rejected.is_empty());
    }
}

#[test]
fn injected_failures_are_retried_and_no_batch_is_lost() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let batches = chain(1, 9);
    // The first attempt of every even-indexed job fails, and the compression job fails twice.
    let faults: FaultInjector = Arc::new(|key, attempt| {
        (key.index % 2 == 0 && attempt == 1)
            || (key.round == AggregationRound::Compression && attempt <= 2)
    });
    let run = run(Vec::new(), batches.clone(), 1, 3, Some(faults));
    let got = proofs(&run);
    assert_eq!(got.len(), 1);
    verify_final_proof(&keys(), &batches[0], &got[0], None).unwrap();
    let records = run.pool.records();
    let retried: Vec<_> = records.iter().filter(|r| r.attempts > 1).collect();
    assert!(
        retried.len() >= 5,
        "every even-indexed job was retried: {}",
        retried.len()
    );
    let compression = records
        .iter()
        .find(|r| r.key.round == AggregationRound::Compression)
        .unwrap();
    assert_eq!(compression.attempts, 3);
    assert!(records.iter().all(|r| matches!(r.end, JobEnd::Proved)));
}

/// An accelerator slot for the failover test: it proves with boojum's CPU prover but reports itself
/// as a GPU, supports only basic and leaf circuits (as a GPU without some gate's kernel would), and its
/// device fails after `left` proofs.
struct FailingDevice {
    inner: CpuBackend,
    left: AtomicU32,
}

impl ProvingBackend for FailingDevice {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: SlotKind::Gpu,
            device: Some(0),
            name: "device that fails".into(),
            free_memory: Some(1 << 30),
        }
    }

    fn supports(&self, id: CircuitId) -> Result<(), BackendError> {
        match id {
            CircuitId::Basic(_) | CircuitId::Leaf(_) => Ok(()),
            other => Err(BackendError::Unsupported(format!("no kernel for {other}"))),
        }
    }

    fn prove(&self, job: ProvingJob<'_>) -> Result<zkstream_prover::field::BProof, BackendError> {
        let left = self.left.load(Ordering::SeqCst);
        if left == 0 {
            return Err(BackendError::Device("lost (test)".into()));
        }
        self.left.store(left - 1, Ordering::SeqCst);
        self.inner.prove(job)
    }
}

/// An accelerator whose device no longer answers its health probe: taken out before its first job.
struct SickDevice;

impl ProvingBackend for SickDevice {
    fn info(&self) -> BackendInfo {
        BackendInfo {
            kind: SlotKind::Gpu,
            device: Some(1),
            name: "device that is gone".into(),
            free_memory: None,
        }
    }

    fn supports(&self, _id: CircuitId) -> Result<(), BackendError> {
        Ok(())
    }

    fn prove(&self, _job: ProvingJob<'_>) -> Result<zkstream_prover::field::BProof, BackendError> {
        Err(BackendError::Job(
            "never reached: the health probe fails first".into(),
        ))
    }

    fn healthy(&self) -> Result<(), BackendError> {
        Err(BackendError::Device("device lost (test)".into()))
    }
}

/// Records the slots the pool took out.
#[derive(Default)]
struct LostSlots(Mutex<Vec<(SlotInfo, String)>>);

impl PoolObserver for LostSlots {
    fn slot_lost(&self, slot: &SlotInfo, error: &str) {
        self.0
            .lock()
            .unwrap()
            .push((slot.clone(), error.to_string()));
    }
}

#[test]
fn a_failed_gpu_slot_is_taken_out_and_its_job_proved_on_a_cpu_slot() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let batches = chain(1, 11);
    let device = Arc::new(FailingDevice {
        inner: CpuBackend::new(2),
        left: AtomicU32::new(1),
    });
    let lost = Arc::new(LostSlots::default());
    let run = run_with(
        Vec::new(),
        batches.clone(),
        1,
        3,
        None,
        vec![device as Arc<dyn ProvingBackend>, Arc::new(SickDevice)],
        Some(Arc::clone(&lost) as Arc<dyn PoolObserver>),
    );
    let got = proofs(&run);
    assert_eq!(got.len(), 1);
    verify_final_proof(&keys(), &batches[0], &got[0], None).unwrap();

    let records = run.pool.records();
    // Every job proved once (the one the device dropped, again on the CPU), the batch's one
    // compression proof among them.
    assert_eq!(
        counts(&run.pool)[AggregationRound::Compression.number() as usize],
        1
    );
    // A device failure is not the job's fault: it costs no attempt.
    assert!(records.iter().all(|r| r.attempts == 1), "{records:?}");
    // One proof on the first "GPU", of a circuit it supports (its device fails on its second job: an
    // idle GPU is offered every job it supports first, so a second one comes); none on the sick one;
    // everything else on the CPU slot.
    let on_gpu: Vec<_> = records.iter().filter(|r| r.slot == SlotKind::Gpu).collect();
    assert_eq!(on_gpu.len(), 1, "{on_gpu:?}");
    assert!(on_gpu.iter().all(|r| matches!(
        r.key.round,
        AggregationRound::Basic | AggregationRound::Leaf
    )));
    // The slot is out, and said so once.
    assert_eq!(run.pool.healthy_slots(SlotKind::Gpu), 0);
    assert_eq!(run.pool.healthy_slots(SlotKind::Cpu), 1);
    let slots = run.pool.slots();
    assert_eq!(slots.len(), 3);
    assert!(slots[1..]
        .iter()
        .all(|s| s.backend.kind == SlotKind::Gpu && !s.healthy));
    let mut lost = lost.0.lock().unwrap().clone();
    lost.sort_by_key(|(s, _)| s.index);
    assert_eq!(lost.len(), 2, "{lost:?}");
    assert_eq!(lost[0].0.index, 1);
    assert!(lost[0].1.ends_with(": lost (test)"), "{}", lost[0].1);
    assert_eq!(lost[1].0.index, 2);
    assert!(
        lost[1]
            .1
            .starts_with("health check: device failed: device lost (test)"),
        "{}",
        lost[1].1
    );
}

#[test]
fn rejected_records_are_dead_letters_missing_and_failed_batches_gaps_and_the_run_ends() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let good = chain(2, 3);
    // Batch 1 arrives corrupt (its valid bytes with one bit flipped); batch 2 is valid, but one of its
    // basic jobs fails on every attempt.
    let mut corrupt = zkstream_types::Framed::to_frame(&good[0]).unwrap();
    let n = corrupt.len();
    corrupt[n - 2] ^= 0x10;
    let faults: FaultInjector = Arc::new(|key, _| {
        key.batch == 2
            && key.round == AggregationRound::Basic
            && key.circuit == Some(zkstream_types::CircuitType::POSEIDON2)
            && key.index == 0
    });
    let run = run(
        vec![(1, corrupt, 0)],
        vec![good[1].clone()],
        2,
        2,
        Some(faults),
    );
    assert_eq!(run.rejected.len(), 1);
    assert!(
        run.rejected[0].reason.label() == "undecodable",
        "{:?}",
        run.rejected[0]
    );
    assert_eq!(run.rejected[0].raw.batch_number, 1);
    assert_eq!(
        run.deliveries.len(),
        1,
        "delivery stops at the first gap: {:?}",
        run.deliveries
    );
    match &run.deliveries[0] {
        Delivery::Gap(f) => {
            // The corrupt record is only a dead letter: batch 1 is a gap because no valid record
            // of it came before the input ended.
            assert_eq!(f.batch_number, 1);
            assert_eq!(f.stage.label(), "source");
        }
        other => panic!("{other:?}"),
    }
    let failed: Vec<_> = run
        .pool
        .records()
        .into_iter()
        .filter(|r| matches!(r.end, JobEnd::Failed { .. }))
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].attempts, 2);
}

/// A delivery thread of process 0 for `store` under `fence`, delivering to the core at `core`, paused
/// by `after_claim` if given.
fn deliverer(
    store: &ArtifactStore,
    fence: Fence,
    core: &str,
    after_claim: Option<Box<dyn Fn(u64) + Send>>,
) -> DeliveryThread {
    deliverer_with(store, fence, core, after_claim, None, Default::default())
}

/// [`deliverer`] with retention, resuming after `delivered`.
fn deliverer_with(
    store: &ArtifactStore,
    fence: Fence,
    core: &str,
    after_claim: Option<Box<dyn Fn(u64) + Send>>,
    retention: Option<Retention>,
    delivered: Delivered,
) -> DeliveryThread {
    let sink = CoreHttpSink::new(core, Duration::from_secs(10), RetryPolicy::default()).unwrap();
    DeliveryThread::start(
        Outputs {
            sinks: vec![Box::new(sink)],
            dlq: None,
            source_topic: "zkstream.batches".into(),
            committer: None,
            store: store.clone(),
            keys: keys(),
            wrapper: None,
            telemetry: None,
            allow_gaps: false,
            delivered,
            fence: Some(fence),
            after_claim,
            retention,
            on_fenced: None,
        },
        Box::new(|_| {}),
    )
    .unwrap()
}

/// Two process-0s on one store never both deliver a batch. A (epoch 1) claims batch 1 and is paused
/// before its sinks; B starts (epoch 2) and delivers batch 1; A resumes and the core refuses its older
/// fencing token, so A stops, saving no progress. Then C starts (epoch 3) while B is running: B's next
/// claim is refused by the store before any sink sees batch 2, and C delivers it.
#[test]
fn a_newer_deliverer_fences_the_older_even_between_its_claim_and_its_delivery() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (oracle, _) = oracle();
    let proof = |n: u64| Delivery::Proof(oracle[&n].clone());
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::local(dir.path()).unwrap();
    let core = Core::start(0);

    let (paused, at_pause) = std::sync::mpsc::channel();
    let (resume, go_on) = std::sync::mpsc::channel::<()>();
    let go_on = Mutex::new(go_on);
    let a = deliverer(
        &store,
        Fence::take(&store, "batches").unwrap(),
        &core.url,
        Some(Box::new(move |n| {
            paused.send(n).unwrap();
            go_on.lock().unwrap().recv().unwrap();
        })),
    );
    (a.hooks().on_delivery)(&proof(1));
    assert_eq!(at_pause.recv_timeout(Duration::from_secs(120)), Ok(1));
    assert!(core.requests.lock().unwrap().is_empty());

    let b_fence = Fence::take(&store, "batches").unwrap();
    assert_eq!(b_fence.epoch(), 2);
    let b = deliverer(&store, b_fence, &core.url, None);
    (b.hooks().on_delivery)(&proof(1));
    wait_for(Duration::from_secs(120), "B to deliver batch 1", || {
        !core.batches().is_empty()
    });
    resume.send(()).unwrap();
    (a.hooks().on_delivery)(&proof(2));
    let by_a = a.finish().unwrap();
    assert!(by_a.delivered.is_empty(), "{by_a:?}");
    let error = by_a.error.unwrap_or_default();
    assert!(
        error.contains("from epoch 1: a newer epoch delivers now"),
        "{error}"
    );
    assert!(!by_a.error_may_pass && by_a.fenced);
    // B delivered batch 1 (the core saw its token first); A's progress claim never happened.
    assert_eq!(
        DeliveryProgress::load(&store)
            .unwrap()
            .map(|p| p.batch_number),
        Some(1)
    );

    let c_fence = Fence::take(&store, "batches").unwrap();
    assert_eq!(c_fence.epoch(), 3);
    (b.hooks().on_delivery)(&proof(2));
    let by_b = b.finish().unwrap();
    assert_eq!(by_b.delivered, [1]);
    assert!(by_b.fenced);
    let error = by_b.error.unwrap_or_default();
    assert!(
        error.contains("epoch 2 of batches was superseded by epoch 3"),
        "{error}"
    );
    let c = deliverer(&store, c_fence, &core.url, None);
    (c.hooks().on_delivery)(&proof(2));
    let by_c = c.finish().unwrap();
    assert_eq!(by_c.delivered, [2], "{by_c:?}");

    assert_eq!(core.batches(), [1, 2]);
    assert_eq!(
        *core.requests.lock().unwrap(),
        [(1, 200), (1, 412), (2, 200)],
        "B's batch 1, A's refused copy, C's batch 2; B never sent batch 2"
    );
    assert_eq!(
        DeliveryProgress::load(&store)
            .unwrap()
            .map(|p| p.batch_number),
        Some(2)
    );
}

/// Retention: once a batch is delivered, its intermediate proofs are deleted and its final proof kept;
/// a later batch's are untouched until it is delivered. A restart sweeps what the batches delivered
/// before it left (here: batch 2, delivered by a run without retention) and marks how far it swept.
#[test]
fn a_delivered_batchs_intermediates_are_deleted_and_a_restart_sweeps_the_rest() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let (oracle, _) = oracle();
    let dir = tempfile::tempdir().unwrap();
    let store = ArtifactStore::local(dir.path()).unwrap();
    let core = Core::start(0);
    // Stand-in intermediates (retention reads only paths and sizes) and a final proof, per batch.
    let rounds = [
        AggregationRound::Basic,
        AggregationRound::Leaf,
        AggregationRound::Node,
        AggregationRound::Compression,
    ];
    let artifact = |batch, round| Artifact {
        key: ArtifactKey {
            protocol_version: 1,
            batch,
            round,
            circuit: None,
            depth: 0,
            index: 0,
        },
        vk_commitment: Digest::ZERO,
        public_input: Digest::ZERO,
        range: None,
        proof: vec![7; 100],
    };
    let stored = |batch| -> Vec<AggregationRound> {
        rounds
            .into_iter()
            .filter(|&r| {
                store
                    .get::<Artifact>(&artifact(batch, r).key)
                    .unwrap()
                    .is_some()
            })
            .collect()
    };
    for batch in [1, 2] {
        for round in rounds {
            store.put(&artifact(batch, round)).unwrap();
        }
    }
    let keep_none = Some(Retention {
        keep: Duration::ZERO,
        protocol_version: 1,
    });
    let first = deliverer_with(
        &store,
        Fence::take(&store, "batches").unwrap(),
        &core.url,
        None,
        keep_none,
        Delivered::default(),
    );
    (first.hooks().on_delivery)(&Delivery::Proof(oracle[&1].clone()));
    assert_eq!(first.finish().unwrap().delivered, [1]);
    assert_eq!(stored(1), [AggregationRound::Compression]);
    assert_eq!(stored(2), rounds, "batch 2 is not delivered");

    // Batch 2 delivered without retention; the restart sweeps it.
    let second = deliverer(
        &store,
        Fence::take(&store, "batches").unwrap(),
        &core.url,
        None,
    );
    (second.hooks().on_delivery)(&Delivery::Proof(oracle[&2].clone()));
    assert_eq!(second.finish().unwrap().delivered, [2]);
    assert_eq!(stored(2), rounds);
    let restart = deliverer_with(
        &store,
        Fence::take(&store, "batches").unwrap(),
        &core.url,
        None,
        keep_none,
        Delivered {
            through: 2,
            ..Delivered::default()
        },
    );
    wait_for(Duration::from_secs(30), "the sweep of batch 2", || {
        stored(2).len() == 1 && store.get_state(RETAINED).unwrap().is_some()
    });
    restart.finish().unwrap();
    assert_eq!(stored(2), [AggregationRound::Compression]);
    assert_eq!(
        store.get_state(RETAINED).unwrap().as_deref(),
        Some(&b"through 2\n"[..])
    );
    assert_eq!(core.batches(), [1, 2]);
}

/// A drain is led by process 0, also when nothing moves: a two-process cluster that follows an empty
/// topic ends soon after process 0's readers are told to stop, with no delivery to carry the news
/// (worker 0's drain signal does), and process 1's readers stop without a signal of their own.
#[test]
fn an_idle_cluster_drains_when_process_0_is_asked_to() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let broker = EmbeddedBroker::start().unwrap();
    let brokers = broker.bootstrap_servers();
    broker.create_topic("batches", 2).unwrap();
    let addresses: Vec<String> = (0..2)
        .map(|_| format!("127.0.0.1:{}", zkstream_testkit::process::free_port()))
        .collect();
    let drain = Arc::new(AtomicBool::new(false));
    let members_stop = Arc::new(AtomicBool::new(false));
    let process = |index: usize| {
        let mut source = KafkaSourceConfig::new(&brokers, "batches");
        source.poll_interval = Duration::from_millis(50);
        source.stop = Some(if index == 0 {
            Arc::clone(&drain)
        } else {
            Arc::clone(&members_stop)
        });
        let spec = PipelineSpec {
            workers: 1,
            source,
            policy: OrderPolicy {
                start: 1,
                allow_gaps: false,
            },
            release: Release::Streaming,
            anchor: None,
            cluster: Some(pipeline::Cluster {
                process: index,
                addresses: addresses.clone(),
                wrappers: Vec::new(),
            }),
            health: None,
            drain: (index == 0).then(|| Arc::clone(&drain)),
            wrap: None,
        };
        let config = PoolConfig {
            slots: 1,
            threads_per_slot: 1,
            max_attempts: 1,
            backoff: Duration::from_millis(10),
            schedule: Default::default(),
        };
        let pool = Arc::new(
            ProverPool::builder(keys(), ArtifactStore::open("memory://").unwrap(), config).start(),
        );
        std::thread::spawn(move || {
            pipeline::run(
                &spec,
                pool,
                pipeline::Hooks::new(Arc::new(|_: &Delivery| {}), Arc::new(|_: &Rejected| {})),
            )
        })
    };
    let (p0, p1) = (process(0), process(1));
    // Both follow the topic: neither ends by itself.
    std::thread::sleep(Duration::from_secs(3));
    assert!(!p0.is_finished() && !p1.is_finished());
    let asked = std::time::Instant::now();
    drain.store(true, Ordering::Release);
    wait_for(Duration::from_secs(30), "both processes to end", || {
        p0.is_finished() && p1.is_finished()
    });
    p0.join().unwrap().unwrap();
    p1.join().unwrap().unwrap();
    assert!(
        members_stop.load(Ordering::Acquire),
        "process 1's readers were not told to stop"
    );
    eprintln!(
        "idle cluster drained {:.2} s after process 0 was asked",
        asked.elapsed().as_secs_f64()
    );
}

/// Wrap jobs go only to the processes the host file tags `wrap`: in a two-process cluster where only
/// process 0 wraps (a wrap slot, the wrap's keys) and process 1 has neither (it only pins the wrapper
/// key), batch 1, whose tip and scheduler proofs are made on process 1's worker, is wrapped on process 0
/// and delivered there with a wrapped proof that verifies. Without the routing, its wrap job would
/// reach process 1's pool, which has no wrap slot, and the batch would fail.
///
/// The suite's one library-level wrapper proof (each costs ~100 s of two cores; `prover/tests/wrap.rs`
/// checks the wrap layer and the wrapper's keys without one): the delivered proof is refused for
/// another commitment (one bit, or its first element moved by the field's order), after a flipped
/// byte, and truncated.
#[test]
fn a_cluster_sends_wrap_jobs_only_to_its_wrap_processes() {
    use zkstream_operators::compress::WrapRecord;
    use zkstream_prover::wrap::keys::Source;
    use zkstream_prover::wrap::{CrsSource, WrapKeys};
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    // The wrap runs on keys read back from the cache (the layer's setup, the wrapper's setup and
    // key), as a restarted process's would be.
    drop(WrapKeys::prepare(&keys(), &CrsSource::Test, 2).unwrap());
    let wrap = Arc::new(WrapKeys::prepare(&keys(), &CrsSource::Test, 2).unwrap());
    assert_eq!(wrap.source, Source::Loaded);
    // What a process that takes no wrap job holds: the key, pinned from the cache.
    let (pinned, crs_id) = WrapKeys::pin(&keys(), &CrsSource::Test, 2).unwrap();
    assert_eq!(pinned.commitment, wrap.pinned.commitment);
    assert_eq!(crs_id, wrap.crs_id);
    let batches = chain(1, 9);
    let broker = EmbeddedBroker::start().unwrap();
    let brokers = broker.bootstrap_servers();
    broker.create_topic("batches", 2).unwrap();
    produce_batches(&brokers, "batches", 2, batches.clone()).unwrap();
    let hosts = format!(
        "127.0.0.1:{} wrap\n127.0.0.1:{}\n",
        zkstream_testkit::process::free_port(),
        zkstream_testkit::process::free_port()
    );
    let store = ArtifactStore::open("memory://").unwrap();
    let deliveries = Arc::new(Mutex::new(Vec::new()));
    let record = WrapRecord {
        wrapper_vk_commitment: pinned.commitment,
        crs: crs_id,
        test_crs: pinned.test_crs,
        keep_fri_proof: false,
    };
    let process = |index: usize| {
        let cluster = pipeline::Cluster::from_hostfile(&hosts, 2, index).unwrap();
        assert_eq!(cluster.wrappers, [0]);
        let mut source = KafkaSourceConfig::new(&brokers, "batches");
        source.bounded = true;
        let spec = PipelineSpec {
            workers: 1,
            source,
            policy: OrderPolicy {
                start: 1,
                allow_gaps: false,
            },
            release: Release::Streaming,
            anchor: None,
            cluster: Some(cluster),
            health: None,
            drain: None,
            wrap: Some(record.clone()),
        };
        let config = PoolConfig {
            slots: 1,
            threads_per_slot: 1,
            max_attempts: 1,
            backoff: Duration::from_millis(10),
            schedule: Default::default(),
        };
        let mut builder = ProverPool::builder(keys(), store.clone(), config);
        if index == 0 {
            builder = builder.wrapper(Arc::clone(&wrap), 1);
        }
        let pool = Arc::new(builder.start());
        let d = Arc::clone(&deliveries);
        let ran = Arc::clone(&pool);
        let handle = std::thread::spawn(move || {
            pipeline::run(
                &spec,
                ran,
                pipeline::Hooks::new(
                    Arc::new(move |x: &Delivery| d.lock().unwrap().push(x.clone())),
                    Arc::new(|_: &Rejected| {}),
                ),
            )
        });
        (handle, pool)
    };
    let ((h0, pool0), (h1, pool1)) = (process(0), process(1));
    h0.join().unwrap().unwrap();
    h1.join().unwrap().unwrap();
    let deliveries = deliveries.lock().unwrap().clone();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    let Delivery::Proof(p) = &deliveries[0] else {
        panic!("batch 1 was not proved: {deliveries:?}");
    };
    let wrapped = p.wrap.as_ref().expect("a wrapped record");
    assert_eq!(wrapped.wrapper_vk_commitment, pinned.commitment);
    verify_final_proof(&keys(), &batches[0], p, Some(&pinned)).unwrap();
    let (bytes, commitment) = (&wrapped.proof, p.batch_commitment.0);
    assert!(bytes.len() <= 2_000, "{} bytes", bytes.len());
    assert!(wrap.verify(bytes, &commitment));
    let mut other = commitment;
    other[2] ^= 1 << 20;
    assert!(!wrap.verify(bytes, &other), "another batch's commitment");
    // Its first element moved by the field's order (wrapping at 2^64): not the commitment.
    let mut wide = commitment;
    wide[0] = wide[0].wrapping_add(0xFFFF_FFFF_0000_0001);
    assert!(
        !wrap.verify(bytes, &wide),
        "the first element moved by the order"
    );
    for at in [0, 9, bytes.len() / 3, bytes.len() / 2, bytes.len() - 1] {
        let mut tampered = bytes.clone();
        tampered[at] ^= 0x10;
        assert!(
            !wrap.verify(&tampered, &commitment),
            "byte {at} flipped and still accepted"
        );
    }
    assert!(zkstream_prover::wrap::snark::decode(&bytes[..bytes.len() - 1]).is_err());
    let rounds = |pool: &ProverPool| -> Vec<AggregationRound> {
        pool.records().iter().map(|r| r.key.round).collect()
    };
    let (r0, r1) = (rounds(&pool0), rounds(&pool1));
    assert_eq!(
        r0.iter().filter(|r| **r == AggregationRound::Wrap).count(),
        1
    );
    assert!(!r1.contains(&AggregationRound::Wrap), "{r1:?}");
    assert!(r1.contains(&AggregationRound::Scheduler), "{r1:?}");
}
