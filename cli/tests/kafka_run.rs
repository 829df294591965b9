//! `zkstream run` end to end against real Kafka-protocol brokers, started by the tests on loopback:
//! - a Tansu broker process and a moto S3 server: produce 5 batches, run on an `s3://` store, kill -9
//!   mid-way, restart as a two-process timely cluster sharing only the bucket — every batch delivered in
//!   order, once, at the core, each final proof verifying, no proof generated twice; then retention
//!   leaves only the final proofs; user-proof mode with a kill -9 between its runs;
//! - librdkafka's mock cluster (in this test process, reached over TCP by the binary): bad records go to
//!   the dead-letter topic with a reason and their offsets commit; broker faults (slow broker, request
//!   errors, broker down then up) lose nothing.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::sample::sample_chain;
use zkstream_prover::{verify_final_proof, KeyStore};
use zkstream_sources::kafka::produce_batches;
use zkstream_sources::EmbeddedBroker;
use zkstream_types::{BatchInput, Digest, Framed, Request};

/// Proving tests share two cores: run them one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

const SEED: u64 = 7;

/// Batches of the crash-and-restart test. Two reach the core before the kill; with at most three in
/// flight the fifth is admitted only once the second is released to the sink (a second or less
/// before it reaches the core), so the restart still has its jobs to spread over both processes.
const CRASH_BATCHES: u64 = 5;

fn chain(keys: &KeyStore, count: u64) -> Vec<BatchInput> {
    sample_chain(1, count, SEED, 1, &keys.vk_set_commitment().unwrap())
}

/// The distinct batch numbers among the records' keys, sorted.
fn batch_keys(records: &[Record]) -> Vec<u64> {
    let mut keys: Vec<u64> = records
        .iter()
        .filter_map(|(k, _, _)| Some(u64::from_be_bytes(k.clone()?.try_into().ok()?)))
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

fn produce_cli(brokers: &str, batches: u64) {
    let o = run_bounded(
        zkstream().args([
            "produce",
            "--brokers",
            brokers,
            "--topic",
            "zkstream.batches",
            "--batches",
            &batches.to_string(),
            "--seed",
            &SEED.to_string(),
            "--partitions",
            "3",
            "--profile",
            "test",
            "--keys-dir",
            keys_dir!().to_str().unwrap(),
        ]),
        Duration::from_secs(300),
    );
    assert!(o.status.success(), "produce: {}", text(&o.stderr));
}

/// Runs `zkstream run --bounded` as process `i` of a `-n 2` timely cluster (one worker each) over
/// `hostfile`, to its end.
fn cluster_process(
    config: &std::path::Path,
    hostfile: &std::path::Path,
    i: usize,
    env: Vec<(&'static str, String)>,
) -> std::thread::JoinHandle<std::process::Output> {
    let (config, hostfile) = (config.to_path_buf(), hostfile.to_path_buf());
    std::thread::spawn(move || {
        run_bounded(
            zkstream().envs(env).args([
                "run",
                "--config",
                config.to_str().unwrap(),
                "--bounded",
                "-w",
                "1",
                "-n",
                "2",
                "-p",
                &i.to_string(),
                "-h",
                hostfile.to_str().unwrap(),
            ]),
            Duration::from_secs(900),
        )
    })
}

/// The store is an S3 bucket on a real S3-compatible server (moto), the only thing the processes
/// share. A single process is killed with SIGKILL mid-run; the restart is a two-process timely cluster
/// (`-n 2 -p I -h HOSTFILE`, one worker each). Every batch reaches the core once and in order (delivered
/// by process 0 only, under a newer fencing epoch), each final proof verifies, no proof of the killed
/// run is proved again (its objects are untouched, and the two processes together generated exactly the
/// missing ones, both some), and the group's offsets are committed to the end. A third start, with
/// retention on, deletes every delivered batch's intermediate proofs, keeps the final ones, and
/// delivers and proves nothing.
#[test]
fn crash_and_restart_as_a_cluster_on_s3_deliver_every_batch_once_and_prove_nothing_twice() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (_tansu, brokers) = tansu(&dir.path().join("tansu.log"));
    let s3 = zkstream_testkit::moto::moto(&dir.path().join("moto.log"));
    let bucket = "zkstream-crash";
    s3.create_bucket(bucket);
    let keys = test_keys!();
    produce_cli(&brokers, CRASH_BATCHES);
    let core = Core::start(2);
    let store = format!("url = \"s3://{bucket}/fleet\"");
    let config = config_in(
        dir.path(),
        &brokers,
        Some(&core.url),
        &format!("{store}\nkeep_all = true"),
        "[pipeline]\nworkers = 2\nmax_batches_in_flight = 3\n",
    );
    let artifacts = || -> BTreeMap<String, (String, String)> {
        let mut objects = s3.objects(bucket);
        objects.retain(|k, _| k.ends_with(".artifact"));
        objects
    };

    // Run 1: killed with SIGKILL once two batches reached the core.
    let log1 = dir.path().join("run1.log");
    let mut run1 = spawn_run_with(&config, &log1, &s3.env());
    wait_for(Duration::from_secs(600), "two batches at the core", || {
        let done = core.batches().len() >= 2;
        if !done && run1.0.try_wait().ok().flatten().is_some() {
            panic!(
                "run 1 ended early:\n{}",
                std::fs::read_to_string(&log1).unwrap_or_default()
            );
        }
        done
    });
    run1.0.kill().unwrap();
    run1.0.wait().unwrap();
    let before = artifacts();
    let at_kill = core.batches();
    eprintln!(
        "killed with batches {at_kill:?} at the core; {} objects; committed offsets {:?}",
        before.len(),
        committed(&brokers, "zkstream.batches", "zkstream", 3),
    );
    assert!(
        (at_kill.len() as u64) < CRASH_BATCHES,
        "run 1 finished before the kill: {at_kill:?}"
    );

    // Run 2: two processes resume and finish.
    let hostfile = dir.path().join("hosts");
    std::fs::write(
        &hostfile,
        format!("127.0.0.1:{}\n127.0.0.1:{}\n", free_port(), free_port()),
    )
    .unwrap();
    let started = std::time::Instant::now();
    let (p0, p1) = (
        cluster_process(&config, &hostfile, 0, s3.env()),
        cluster_process(&config, &hostfile, 1, s3.env()),
    );
    let (out0, out1) = (p0.join().unwrap(), p1.join().unwrap());
    let took = started.elapsed();
    let (stdout0, stdout1) = (text(&out0.stdout), text(&out1.stdout));
    assert!(
        out0.status.success(),
        "process 0:\n{stdout0}\n{}",
        text(&out0.stderr)
    );
    assert!(
        out1.status.success(),
        "process 1:\n{stdout1}\n{}",
        text(&out1.stderr)
    );
    let after = artifacts();

    // Every batch accepted by the core exactly once, in order; the 500s were retried. A batch the core
    // acknowledged in the instant before the kill (before the delivery progress was saved) may be
    // resubmitted once and answered 409 (the core is idempotent per batch); nothing else is. Run 2's
    // process 0 delivers under epoch 2 (run 1 took epoch 1).
    assert_eq!(core.batches(), (1..=CRASH_BATCHES).collect::<Vec<_>>());
    let requests = core.requests.lock().unwrap().clone();
    assert_eq!(requests.iter().filter(|(_, s)| *s == 500).count(), 2);
    let resubmitted: Vec<u64> = requests
        .iter()
        .filter(|(_, s)| *s == 409)
        .map(|(b, _)| *b)
        .collect();
    assert!(
        resubmitted.len() <= 1 && resubmitted.iter().all(|b| at_kill.last() == Some(b)),
        "{requests:?}"
    );
    assert!(
        requests.iter().all(|(_, s)| *s != 400 && *s != 412),
        "{requests:?}"
    );
    let stderr0 = text(&out0.stderr);
    assert!(
        stderr0.contains("fence: delivering under epoch 2"),
        "{stderr0}"
    );
    // Batches whose delivery was recorded are not delivered again; process 0 delivers, process 1 only
    // proves.
    assert!(
        !stdout0.contains("batch 1: final proof delivered"),
        "{stdout0}"
    );
    assert!(
        stdout1.contains("summary: 0 batches delivered"),
        "{stdout1}"
    );
    // Each final proof verifies against its batch input.
    let inputs = chain(&keys, CRASH_BATCHES);
    for p in core.accepted.lock().unwrap().iter() {
        verify_final_proof(&keys, &inputs[p.batch_number as usize - 1], p, None).unwrap();
    }
    // No proof generated twice: every object of run 1 is untouched, and the two processes of run 2
    // together generated exactly the objects that were missing, each some of them.
    for (key, stamp) in &before {
        assert_eq!(after.get(key), Some(stamp), "{key} was rewritten");
    }
    let (g0, g1) = (
        summary_counter(&stdout0, "zkstream_proofs_generated_total"),
        summary_counter(&stdout1, "zkstream_proofs_generated_total"),
    );
    let reused = summary_counter(&stdout0, "zkstream_proofs_reused_total")
        + summary_counter(&stdout1, "zkstream_proofs_reused_total");
    assert_eq!(g0 + g1, after.len() - before.len(), "{stdout0}\n{stdout1}");
    assert!(
        g0 > 0 && g1 > 0,
        "one process did all the work: {g0} + {g1}"
    );
    eprintln!(
        "crash test on S3: {} batches at the core before the kill, {} objects; run 2 ({:.1} s) \
         generated {g0} + {g1}, reused {reused}",
        at_kill.len(),
        before.len(),
        took.as_secs_f64()
    );
    // The proofs topic has every batch; offsets are committed to the end of each partition.
    // (A batch written in the instant before the kill may be there twice: at-least-once, keyed.)
    let proofs = read_topic(&brokers, "zkstream.proofs", |r| {
        batch_keys(r).len() == CRASH_BATCHES as usize
    });
    assert_eq!(batch_keys(&proofs), (1..=CRASH_BATCHES).collect::<Vec<_>>());
    assert_eq!(
        committed(&brokers, "zkstream.batches", "zkstream", 3),
        vec![2, 2, 1],
        "batches 1 and 4 are on partition 0, 2 and 5 on 1, 3 on 2"
    );

    // Run 3, with retention: the intermediates of the delivered batches go, their final proofs
    // stay, and nothing is delivered or proved again.
    let config = config_in(
        &dir.path().join("retention"),
        &brokers,
        Some(&core.url),
        &store,
        "",
    );
    let out3 = run_bounded(
        zkstream()
            .envs(s3.env())
            .args(["run", "--config", config.to_str().unwrap(), "--bounded"]),
        Duration::from_secs(300),
    );
    let stdout3 = text(&out3.stdout);
    assert!(
        out3.status.success(),
        "run 3:\n{stdout3}\n{}",
        text(&out3.stderr)
    );
    assert!(
        stdout3.contains("summary: 0 batches delivered"),
        "{stdout3}"
    );
    assert_eq!(
        summary_counter(&stdout3, "zkstream_proofs_generated_total"),
        0
    );
    let kept = artifacts();
    assert_eq!(
        kept.keys().filter(|k| k.contains("/compression-")).count(),
        CRASH_BATCHES as usize,
        "{kept:?}"
    );
    assert_eq!(
        kept.len(),
        CRASH_BATCHES as usize,
        "only the final proofs are left: {kept:?}"
    );
    assert!(s3
        .keys(bucket)
        .contains(&"fleet/state/retained".to_string()));
    assert_eq!(core.batches(), (1..=CRASH_BATCHES).collect::<Vec<_>>());
}

/// `zkstream run` as a service: `/healthz` answers from the start and `/readyz` once keys, store,
/// brokers and dataflow are there; `zkstream_build_info` carries the version `--version` prints and
/// the VK-set commitment. SIGTERM mid-run drains: reading stops, the batches in flight are delivered
/// and committed, and the process exits 0 well within `drain_timeout_s`. A restart delivers the rest:
/// every batch reaches the core once and in order, nothing delivered is resubmitted, and no proof of
/// the drained run is proved again (its artifacts are untouched; the restart generated exactly the
/// missing ones).
#[test]
fn sigterm_drains_run_and_a_restart_proves_nothing_twice() {
    const BATCHES: u64 = 4;
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (_tansu, brokers) = tansu(&dir.path().join("tansu.log"));
    produce_cli(&brokers, BATCHES);
    let core = Core::start(0);
    let addr = format!("127.0.0.1:{}", free_port());
    let store = dir.path().join("store");
    // Intermediates are kept, so that the restart's reuse can be counted.
    let config = config_in(
        dir.path(),
        &brokers,
        Some(&core.url),
        &format!("url = \"file://{}\"\nkeep_all = true", store.display()),
        &format!(
            "[pipeline]\nmax_batches_in_flight = 2\ndrain_timeout_s = 1\n[metrics]\naddr = \"{addr}\"\n"
        ),
    );

    let log1 = dir.path().join("run1.log");
    let file = std::fs::File::create(&log1).unwrap();
    // The drain timeout comes from the environment (it overrides the file's 1 s).
    let mut run1 = Reaped(
        zkstream()
            .env("ZKSTREAM__PIPELINE__DRAIN_TIMEOUT_S", "240")
            .args(["run", "--config", config.to_str().unwrap()])
            .stdout(file.try_clone().unwrap())
            .stderr(file)
            .spawn()
            .unwrap(),
    );
    let log = || std::fs::read_to_string(&log1).unwrap_or_default();
    wait_for(Duration::from_secs(60), "/healthz", || {
        http_get(&addr, "/healthz").is_some_and(|(s, _)| s == 200)
    });
    wait_for(Duration::from_secs(300), "/readyz", || {
        assert!(
            run1.0.try_wait().unwrap().is_none(),
            "run 1 ended:\n{}",
            log()
        );
        http_get(&addr, "/readyz").is_some_and(|(s, _)| s == 200)
    });
    let (_, metrics) = http_get(&addr, "/metrics").unwrap();
    let version = text(&zkstream().arg("--version").output().unwrap().stdout);
    let keys = test_keys!();
    let build_info = format!(
        "zkstream_build_info{{protocol_version=\"1\",version=\"{}\",vk_set=\"{}\"}} 1",
        env!("CARGO_PKG_VERSION"),
        keys.vk_set_commitment().unwrap().to_hex()
    );
    assert!(
        metrics.contains(&build_info),
        "{build_info} not in\n{metrics}"
    );
    assert!(
        version.contains(&format!("zkstream {}", env!("CARGO_PKG_VERSION")))
            && version.contains("protocol versions: 1"),
        "{version}"
    );
    // Key setup's progress: every circuit of the tree counted, all of them ready.
    let gauge = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("no {name} in\n{metrics}"))
    };
    assert!(gauge("zkstream_keys_circuits ") > 0);
    assert_eq!(
        gauge("zkstream_keys_prepared "),
        gauge("zkstream_keys_circuits ")
    );
    for series in [
        "zkstream_keys_ready 1",
        "process_resident_memory_bytes ",
        "process_open_fds ",
    ] {
        assert!(metrics.contains(series), "{series} not in\n{metrics}");
    }

    // SIGTERM once the first batch reached the core.
    wait_for(Duration::from_secs(300), "a batch at the core", || {
        assert!(
            run1.0.try_wait().unwrap().is_none(),
            "run 1 ended:\n{}",
            log()
        );
        !core.batches().is_empty()
    });
    let at_signal = core.batches().len();
    let signalled = std::time::Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &run1.0.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    wait_for(Duration::from_secs(240), "run 1 to drain", || {
        run1.0.try_wait().unwrap().is_some()
    });
    let status = run1.0.wait().unwrap();
    let drained_in = signalled.elapsed();
    let out1 = log();
    assert!(status.success(), "run 1 exited {status}:\n{out1}");
    assert!(
        out1.contains("drained: reading stopped on a signal"),
        "{out1}"
    );
    let delivered = core.batches();
    assert_eq!(
        delivered,
        (1..=delivered.len() as u64).collect::<Vec<_>>(),
        "{out1}"
    );
    // The batches in flight at the signal were finished and delivered, not abandoned.
    assert!(delivered.len() > at_signal, "{out1}");
    let before = artifacts(&store);
    let generated1 = summary_counter(&out1, "zkstream_proofs_generated_total");
    assert_eq!(generated1, before.len(), "{out1}");

    // The restart delivers the rest and proves only what is missing. It logs JSON: every line on
    // stderr is a JSON object (status lines too), and stdout has the summary.
    let out2 = run_bounded(
        zkstream().env("ZKSTREAM_LOG_FORMAT", "json").args([
            "run",
            "--config",
            config.to_str().unwrap(),
            "--bounded",
        ]),
        Duration::from_secs(600),
    );
    let (stdout2, stderr2) = (text(&out2.stdout), text(&out2.stderr));
    assert!(out2.status.success(), "run 2:\n{stdout2}\n{stderr2}");
    for line in stderr2.lines() {
        let event: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {line}\n{stderr2}"));
        assert!(event["fields"]["message"].is_string(), "{line}");
    }
    assert!(
        stderr2.contains("fence: delivering under epoch 2"),
        "status lines are events: {stderr2}"
    );
    assert!(stdout2.contains("summary: "), "{stdout2}");
    assert_eq!(core.batches(), (1..=BATCHES).collect::<Vec<_>>());
    assert!(
        core.requests.lock().unwrap().iter().all(|(_, s)| *s == 200),
        "a delivered batch was resubmitted: {:?}",
        core.requests.lock().unwrap()
    );
    let after = artifacts(&store);
    for (path, stamp) in &before {
        assert_eq!(
            after.get(path),
            Some(stamp),
            "{} was rewritten",
            path.display()
        );
    }
    let generated2 = summary_counter(&stdout2, "zkstream_proofs_generated_total");
    assert_eq!(generated2, after.len() - before.len(), "{stdout2}");
    assert_eq!(
        committed(&brokers, "zkstream.batches", "zkstream", 3),
        vec![2, 1, 1],
        "batches 1 and 4 are on partition 0, 2 on 1, 3 on 2"
    );
    eprintln!(
        "sigterm: {at_signal} batch(es) at the core at the signal, {} after the drain ({:.1} s); \
         run 1 generated {generated1}, the restart {generated2}",
        delivered.len(),
        drained_in.as_secs_f64()
    );
}

/// A batch frame with its payload rewritten by `patch` (on the uncompressed bincode bytes).
fn patched(batch: &BatchInput, patch: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    let frame = batch.to_frame().unwrap();
    let mut raw = zstd::decode_all(&frame[6..]).unwrap();
    patch(&mut raw);
    let mut out = frame[..6].to_vec();
    out.extend(zstd::encode_all(&raw[..], 3).unwrap());
    out
}

/// An in-process mock broker with the batches topic (`partitions`), the DLQ and the proofs topic.
fn mock_broker(partitions: i32) -> (EmbeddedBroker, String) {
    let broker = EmbeddedBroker::start().unwrap();
    broker.create_topic("zkstream.batches", partitions).unwrap();
    broker.create_topic("zkstream.dlq", 1).unwrap();
    broker.create_topic("zkstream.proofs", 1).unwrap();
    let brokers = broker.bootstrap_servers();
    (broker, brokers)
}

#[test]
fn bad_records_go_to_the_dlq_with_a_reason_and_their_offsets_commit() {
    // No SERIAL lock: nothing here is proved (every record is bad), so it runs beside the others.
    let dir = tempfile::tempdir().unwrap();
    let (_broker, brokers) = mock_broker(1);
    let keys = test_keys!();
    let good = chain(&keys, 8);
    // Batch 1 was delivered before: the store says so, so the run starts at batch 2 and checks batch 2's
    // previous commitment against batch 1's.
    let config = config(dir.path(), &brokers, None, "");
    let state = dir.path().join("store").join("state");
    std::fs::create_dir_all(&state).unwrap();
    let c1 = zkstream_prover::batch_commitment(&good[0], &keys.vk_set_commitment().unwrap());
    std::fs::write(
        state.join("delivered"),
        format!(
            "zkstream delivery progress v1\nbatch 1\ncommitment {}\n",
            c1.to_hex()
        ),
    )
    .unwrap();

    let mut wrong_previous = good[1].clone();
    wrong_previous.previous_batch_commitment = Digest([1, 2, 3, 4]);
    let mut oversized = good[6].clone();
    oversized.requests[0] = Request::Sha256 { data: vec![7; 500] };
    let mut unknown_version = good[3].to_frame().unwrap();
    unknown_version[4..6].copy_from_slice(&99u16.to_be_bytes());
    let mut bad_zstd = good[4].to_frame().unwrap();
    let n = bad_zstd.len();
    bad_zstd[n - 5] ^= 0xFF;
    // The first request's enum tag (after number u64, version u32, commitment 4×u64, length u64).
    let unknown_kind = patched(&good[5], |raw| {
        raw[52..56].copy_from_slice(&9u32.to_le_bytes())
    });
    // (key, value, expected reason)
    type Bad = (Option<Vec<u8>>, Vec<u8>, &'static str);
    let records: Vec<Bad> = vec![
        (
            Some(2u64.to_be_bytes().to_vec()),
            wrong_previous.to_frame().unwrap(),
            "wrong previous commitment",
        ),
        (
            Some(3u64.to_be_bytes().to_vec()),
            b"JSON{\"batch\":3}".to_vec(),
            "undecodable",
        ),
        (
            Some(4u64.to_be_bytes().to_vec()),
            unknown_version,
            "undecodable",
        ),
        (Some(5u64.to_be_bytes().to_vec()), bad_zstd, "undecodable"),
        (
            Some(6u64.to_be_bytes().to_vec()),
            unknown_kind,
            "undecodable",
        ),
        (
            Some(7u64.to_be_bytes().to_vec()),
            oversized.to_frame().unwrap(),
            "oversized",
        ),
        (Some(b"nope".to_vec()), b"x".to_vec(), "key"),
        // A value longer than a dead letter carries: cut to 512 KiB, its length in a header.
        (
            Some(9u64.to_be_bytes().to_vec()),
            (0..600_000u32).map(|i| (i * 7 % 251) as u8).collect(),
            "undecodable",
        ),
    ];
    let raw: Vec<(Option<Vec<u8>>, Vec<u8>)> = records
        .iter()
        .map(|(key, value, _)| (key.clone(), value.clone()))
        .collect();
    send_records(&brokers, "zkstream.batches", 0, &raw);

    let out = run_bounded(
        zkstream().args(["run", "--config", config.to_str().unwrap(), "--bounded"]),
        Duration::from_secs(300),
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    // Bad records are dead letters and nothing else: no batch becomes a gap (a valid record of batch 2
    // could still come), and the run ends cleanly.
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(!stderr.contains("gap"), "{stderr}");
    assert!(stdout.contains("8 dead letter(s)"), "{stdout}");
    assert_eq!(
        summary_counter(&stdout, "zkstream_proofs_generated_total"),
        0
    );

    let dlq = read_topic(&brokers, "zkstream.dlq", |r| r.len() >= records.len());
    assert_eq!(dlq.len(), records.len());
    for (key, value, reason) in &records {
        let kept = zkstream_sinks::dlq::MAX_DEAD_LETTER_VALUE.min(value.len());
        let letter = dlq
            .iter()
            .find(|(k, v, _)| k == key && v[..] == value[..kept])
            .unwrap_or_else(|| panic!("no dead letter for {reason}"));
        if kept < value.len() {
            assert_eq!(letter.2["zkstream-original-bytes"], value.len().to_string());
        }
        let got = &letter.2["zkstream-reason"];
        assert!(got.contains(reason), "expected {reason:?} in {got:?}");
        assert_eq!(letter.2["zkstream-source-topic"], "zkstream.batches");
    }
    // Every dead letter's offset is committed: nothing is replayed.
    assert_eq!(
        committed(&brokers, "zkstream.batches", "zkstream", 1),
        vec![records.len() as i64]
    );
}

#[test]
fn broker_faults_lose_nothing() {
    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (broker, brokers) = mock_broker(1);
    let keys = test_keys!();
    let inputs = chain(&keys, 1);
    produce_batches(&brokers, "zkstream.batches", 1, inputs.clone()).unwrap();
    let core = Core::start(0);
    let config = config(dir.path(), &brokers, Some(&core.url), "");
    let cluster = broker.cluster();
    // A slow broker throughout, and a burst of failing fetches, produces and commits.
    cluster
        .broker_round_trip_time(1, Duration::from_millis(150))
        .unwrap();
    cluster.request_errors(
        RDKafkaApiKey::Fetch,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION; 3],
    );
    cluster.request_errors(
        RDKafkaApiKey::Produce,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS; 3],
    );
    cluster.request_errors(
        RDKafkaApiKey::OffsetCommit,
        &[RDKafkaRespErr::RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE; 2],
    );
    let mut run = spawn_run(&config, &dir.path().join("run.log"));
    // The broker goes away while batch 1 is being proved, and comes back.
    wait_for(Duration::from_secs(300), "proving to start", || {
        artifacts(&dir.path().join("store")).len() >= 2
    });
    cluster.broker_down(1).unwrap();
    std::thread::sleep(Duration::from_secs(5));
    cluster.broker_up(1).unwrap();
    let status = Arc::new(Mutex::new(None));
    wait_for(Duration::from_secs(600), "the run to end", || {
        let s = run.0.try_wait().unwrap();
        *status.lock().unwrap() = s;
        s.is_some()
    });
    let log = std::fs::read_to_string(dir.path().join("run.log")).unwrap();
    assert!(status.lock().unwrap().unwrap().success(), "{log}");
    assert_eq!(core.batches(), vec![1], "{log}");
    for p in core.accepted.lock().unwrap().iter() {
        verify_final_proof(&keys, &inputs[p.batch_number as usize - 1], p, None).unwrap();
    }
    let proofs = read_topic(&brokers, "zkstream.proofs", |r| batch_keys(r).len() == 1);
    assert_eq!(batch_keys(&proofs), vec![1], "{log}");
    assert_eq!(
        committed(&brokers, "zkstream.batches", "zkstream", 1),
        vec![1],
        "{log}"
    );
}

/// User-proof mode end to end on a Tansu broker: a mix of valid (two programs: one with a proof whose
/// key is embedded and one whose key was registered, one of the sha256 gate set — another family), invalid, unsupported and undecodable
/// submissions on `zkstream.user_proofs`; one run per family aggregates exactly the valid ones, each
/// record (topic and file) publishes its root and a blob with every commitment, every inclusion path
/// verifies (a wrong one does not), the others are dead letters with their reasons. The store is an S3
/// bucket (moto). The first process is killed after its first run: the restart (under a newer fencing
/// epoch) runs the other family only, proving and dead-lettering nothing twice, and a third finds
/// nothing to do. Last, SIGTERM in the middle of a fourth start's run: exit 0 at the drain timeout,
/// and the restart reuses the run's stored chunk proof.
#[test]
fn aggregation_mode_aggregates_valid_proofs_and_dead_letters_the_rest() {
    use zkstream_aggregation::{unpack_blobs, BlobData, MerkleTree};
    use zkstream_types::{AggregationRecord, UserSubmission};

    let _serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
    let dir = tempfile::tempdir().unwrap();
    let (_tansu, brokers) = tansu(&dir.path().join("tansu.log"));
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let keys = keys_dir!();
    let keys = keys.to_str().unwrap();
    let submit = |salt: &str, secret: &str, id: &str, extra: &[&str]| -> String {
        let out = path(&format!("{id}.sub"));
        let mut args = vec![
            "user-proof",
            "--profile",
            "test",
            "--keys-dir",
            keys,
            "--salt",
            salt,
            "--secret",
            secret,
            "--proof-id",
            id,
            "--out",
            &out,
        ];
        args.extend_from_slice(extra);
        let o = run_bounded(zkstream().args(&args), Duration::from_secs(300));
        assert!(o.status.success(), "{}", text(&o.stderr));
        out
    };
    let a1 = submit("1", "1,2,3,4", "alice-1", &[]);
    let a2 = submit("1", "9,9,9,9", "alice-2", &["--no-key"]);
    // A program of another gate set: another family of circuits, aggregated in a run of its own.
    let c1 = submit("3", "4,4,4,4", "carol-1", &["--gate-set", "sha256"]);
    let read = |p: &str| UserSubmission::from_frame(&std::fs::read(p).unwrap()).unwrap();
    let mut bad = read(&a1);
    bad.proof_id = "bad-1".into();
    bad.public_inputs[7] ^= 1;
    let mut sp1 = read(&a1);
    sp1.proof_id = "sp1-1".into();
    sp1.proving_system_id = 1;
    // Carol's submission first: whichever family runs first, a run takes submissions past one still
    // waiting for the other family's run — what the restart below must not repeat.
    let records: Vec<(String, Vec<u8>)> = vec![
        ("carol-1".into(), std::fs::read(&c1).unwrap()),
        ("alice-1".into(), std::fs::read(&a1).unwrap()),
        ("bad-1".into(), bad.to_frame().unwrap()),
        ("garbage".into(), b"not a frame".to_vec()),
        ("sp1-1".into(), sp1.to_frame().unwrap()),
        ("alice-2".into(), std::fs::read(&a2).unwrap()),
    ];
    let keyed: Vec<(Option<Vec<u8>>, Vec<u8>)> = records
        .iter()
        .map(|(key, value)| (Some(key.as_bytes().to_vec()), value.clone()))
        .collect();
    send_records(&brokers, "zkstream.user_proofs", 0, &keyed);

    // The chunk and node proofs, the records' state and the progress live in an S3 bucket (moto).
    let s3 = zkstream_testkit::moto::moto(&dir.path().join("moto.log"));
    let bucket = "zkstream-aggregation";
    s3.create_bucket(bucket);
    let out_dir = path("records");
    let config = config_in(
        dir.path(),
        &brokers,
        None,
        &format!("url = \"s3://{bucket}/users\""),
        &format!("[aggregation]\ninterval_s = 3600\nout_dir = \"{out_dir}\"\n"),
    );
    let aggregate = |extra: &[&str]| {
        let mut args = vec![
            "aggregate",
            "--config",
            config.to_str().unwrap(),
            "--bounded",
        ];
        args.extend_from_slice(extra);
        let o = run_bounded(
            zkstream().envs(s3.env()).args(&args),
            Duration::from_secs(1200),
        );
        let stdout = text(&o.stdout);
        let stderr = text(&o.stderr);
        assert!(o.status.success(), "{stdout}\n{stderr}");
        (stdout, stderr)
    };
    // Run 1, killed with SIGKILL once its first run is published and its progress saved and the
    // second family's run has stored its chunk proof (its node is then under way).
    let started = std::time::Instant::now();
    let log = dir.path().join("aggregate-1.log");
    let first = zkstream()
        .envs(s3.env())
        .args([
            "aggregate",
            "--config",
            config.to_str().unwrap(),
            "--bounded",
            "--register",
            &a1,
        ])
        .stdout(std::fs::File::create(&log).unwrap())
        .stderr(std::fs::File::create(dir.path().join("aggregate-1.err")).unwrap())
        .spawn()
        .unwrap();
    let mut first = Reaped(first);
    // Read as the processes read it (moto refuses unsigned reads of an object).
    let store = ArtifactStore::open_with(&format!("s3://{bucket}/users"), &s3.options()).unwrap();
    let progress = || {
        let bytes = store.get_state("aggregation").unwrap()?;
        Some(String::from_utf8_lossy(&bytes).into_owned())
    };
    let stored = |level: u32| -> usize {
        s3.keys(bucket)
            .iter()
            .filter(|k| {
                k.starts_with("users/v1/aggregation/run-000000000002/")
                    && k.ends_with(&format!("l{level}-i000000.artifact"))
            })
            .count()
    };
    wait_for(
        Duration::from_secs(1200),
        "the first run's progress and the second run's chunk proof",
        || {
            assert_eq!(
                stored(1),
                0,
                "run 2's node proof was stored before the kill"
            );
            progress().is_some_and(|t| t.contains("\nrun 1\n"))
                && std::fs::read_to_string(&log).is_ok_and(|t| t.contains("run 1 (family"))
                && stored(0) == 1
        },
    );
    first.0.kill().unwrap();
    first.0.wait().unwrap();
    let killed = std::fs::read_to_string(&log).unwrap();
    let saved = progress().unwrap();
    eprintln!(
        "first run published and killed at {:.1} s\n{killed}\nprogress:\n{saved}",
        started.elapsed().as_secs_f64()
    );
    assert!(!killed.contains("run 2"), "{killed}");
    assert_eq!(stored(1), 0, "the kill came before run 2's node proof");
    // The first run took submissions past one still waiting: they are remembered.
    assert!(saved.contains("handled 0 "), "{saved}");
    // The committed offset is at or below every submission not yet settled (neither in the published
    // run nor refused): the records were written in order to partition 0, offsets 0, 1, ...
    let first_run =
        AggregationRecord::from_frame(&std::fs::read(format!("{out_dir}/run-1.rec")).unwrap())
            .unwrap();
    let refused = ["bad-1", "garbage", "sp1-1"];
    let unsettled = records
        .iter()
        .position(|(id, _)| {
            !refused.contains(&id.as_str()) && !first_run.proofs.iter().any(|p| &p.proof_id == id)
        })
        .unwrap() as i64;
    let at_kill = committed(&brokers, "zkstream.user_proofs", "zkstream-aggregation", 1)[0];
    assert!(
        at_kill <= unsettled,
        "committed {at_kill} past the waiting submission at offset {unsettled}"
    );

    // The restart aggregates the other family only: nothing proved or dead-lettered twice (run 2's
    // chunk proof is reused from the store, only its node is proved). It runs as a
    // 2-process cluster (the run's one chunk and its nodes all fall to process 0's worker 0; the tree
    // on two processes is checked in `aggregation_tree.rs`): the second process only proves, and exits
    // when process 0 closes.
    let hostfile = dir.path().join("aggregation-hosts");
    std::fs::write(
        &hostfile,
        format!("127.0.0.1:{}\n127.0.0.1:{}\n", free_port(), free_port()),
    )
    .unwrap();
    let hosts = hostfile.to_str().unwrap().to_string();
    let member = {
        let (config, hosts, env) = (config.clone(), hosts.clone(), s3.env());
        std::thread::spawn(move || {
            run_bounded(
                zkstream().envs(env).args([
                    "aggregate",
                    "--config",
                    config.to_str().unwrap(),
                    "-n",
                    "2",
                    "-p",
                    "1",
                    "-h",
                    &hosts,
                ]),
                Duration::from_secs(1200),
            )
        })
    };
    let (stdout, stderr) = aggregate(&["-n", "2", "-p", "0", "-h", &hosts]);
    // The restarted leader publishes under a newer epoch than the killed one.
    assert!(
        stderr.contains("fence: publishing under epoch 2"),
        "{stderr}"
    );
    let member = member.join().unwrap();
    let member_err = text(&member.stderr);
    assert!(member.status.success(), "{member_err}");
    assert!(
        member_err.contains("process 0 closed the cluster"),
        "{member_err}"
    );
    eprintln!(
        "aggregation runs: {:.1} s\n{stdout}",
        started.elapsed().as_secs_f64()
    );
    assert!(stdout.contains("run 2 (family"), "{stdout}");
    assert!(
        stdout.contains(
            "summary: 1 run(s) published, 0 submission(s) refused, \
             1 tree proof(s) made, 1 reused"
        ),
        "{stdout}"
    );
    assert!(
        member_err.contains("(0 tree proof(s) made, 0 reused)"),
        "{member_err}"
    );
    assert_eq!(stored(1), 1, "run 2's node proof is stored");
    // One run per family: alice's proofs share one, carol's sha256 program has its own.
    let both = format!("{killed}{stdout}");
    assert!(both.contains(": 2 proofs in 1 chunk(s)"), "{both}");
    assert!(both.contains(": 1 proofs in 1 chunk(s)"), "{both}");

    // The records on the topic equal the files; together they hold exactly the valid proofs.
    let mut topic = read_topic(&brokers, "zkstream.aggregates", |r| r.len() >= 2);
    assert_eq!(topic.len(), 2);
    // The broker made the topic with several partitions: records come back in key order only per
    // partition, so order them by run number (big-endian keys).
    topic.sort_by(|a, b| a.0.cmp(&b.0));
    let mut runs: Vec<AggregationRecord> = Vec::new();
    for (n, (key, value, _)) in topic.iter().enumerate() {
        let run = n as u64 + 1;
        assert_eq!(key.as_deref(), Some(&run.to_be_bytes()[..]));
        assert_eq!(
            std::fs::read(format!("{out_dir}/run-{run}.rec")).unwrap(),
            *value
        );
        runs.push(AggregationRecord::from_frame(value).unwrap());
    }
    assert_ne!(runs[0].family, runs[1].family);
    assert_ne!(runs[0].aggregate_key, runs[1].aggregate_key);
    let big = runs.iter().position(|r| r.proofs.len() == 2).unwrap();
    let carol = &runs[1 - big];
    assert_eq!(carol.proofs.len(), 1);
    assert_eq!(carol.proofs[0].proof_id, "carol-1");
    assert_eq!(carol.root, carol.proofs[0].commitment);
    let record_file = format!("{out_dir}/run-{}.rec", big + 1);
    let record = runs[big].clone();
    let mut ids: Vec<&str> = record.proofs.iter().map(|p| p.proof_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, vec!["alice-1", "alice-2"]);
    let leaves: Vec<[u8; 32]> = record.proofs.iter().map(|p| p.commitment).collect();
    assert_eq!(record.root, MerkleTree::new(&leaves).unwrap().root());
    let blobs: Vec<BlobData> = record
        .blobs
        .iter()
        .map(|b| BlobData(b.data.clone()))
        .collect();
    assert_eq!(unpack_blobs(&blobs, 2).unwrap(), leaves);

    // Every user can show inclusion; a wrong leaf is not included.
    let carol_file = format!("{out_dir}/run-{}.rec", 2 - big);
    for (id, file) in [
        ("alice-1", &record_file),
        ("alice-2", &record_file),
        ("carol-1", &carol_file),
    ] {
        let o = run_bounded(
            zkstream().args(["inclusion", "--record", file, "--proof-id", id]),
            Duration::from_secs(60),
        );
        assert!(o.status.success(), "{}", text(&o.stderr));
        let json = path(&format!("{id}.json"));
        std::fs::write(&json, &o.stdout).unwrap();
        let v = run_bounded(
            zkstream().args(["verify-inclusion", "--proof", &json]),
            Duration::from_secs(60),
        );
        assert!(v.status.success(), "{id}: {}", text(&v.stderr));
    }
    let p = &record.proofs[0];
    let path_hex: Vec<String> = p.path.iter().map(hex::encode).collect();
    let wrong = hex::encode(record.proofs[1].commitment);
    let v = run_bounded(
        zkstream().args([
            "verify-inclusion",
            "--root",
            &hex::encode(record.root),
            "--leaf",
            &wrong,
            "--path",
            &path_hex.join(","),
        ]),
        Duration::from_secs(60),
    );
    assert_eq!(v.status.code(), Some(1));

    // The refused ones are dead letters with their reasons.
    let dlq = read_topic(&brokers, "zkstream.dlq", |r| r.len() >= 3);
    let reasons: BTreeMap<String, String> = dlq
        .iter()
        .map(|(k, _, h)| {
            (
                text(k.as_deref().unwrap_or_default()),
                h["zkstream-reason"].clone(),
            )
        })
        .collect();
    assert_eq!(dlq.len(), 3, "dead-lettered once each: {reasons:?}");
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(
        reasons["bad-1"].starts_with("invalid: public inputs"),
        "{reasons:?}"
    );
    assert!(
        reasons["sp1-1"].starts_with("unsupported: proving system sp1"),
        "{reasons:?}"
    );
    assert!(reasons["garbage"].starts_with("undecodable"), "{reasons:?}");

    // Offsets are committed: a second run has nothing to do.
    let (again, _) = aggregate(&[]);
    assert!(
        again.contains("summary: 0 run(s) published, 0 submission(s) refused"),
        "{again}"
    );

    // SIGTERM mid-run: a third submission's run is under way (its chunk proof stored, its node being
    // proved) when the leader gets SIGTERM. It reads nothing more; the run outlives the 2-s drain
    // timeout, so the leader leaves with exit status 0. The restart reuses the chunk proof and proves
    // only the node.
    let a3 = submit("1", "5,5,5,5", "alice-3", &[]);
    send_records(
        &brokers,
        "zkstream.user_proofs",
        0,
        &[(Some(b"alice-3".to_vec()), std::fs::read(&a3).unwrap())],
    );
    let drain = config_in(
        &dir.path().join("drain"),
        &brokers,
        None,
        &format!("url = \"s3://{bucket}/users\""),
        &format!(
            "[pipeline]\ndrain_timeout_s = 2\n[aggregation]\ninterval_s = 3600\nout_dir = \"{out_dir}\"\n"
        ),
    );
    let run3 = |level: u32| -> usize {
        s3.keys(bucket)
            .iter()
            .filter(|k| {
                k.starts_with("users/v1/aggregation/run-000000000003/")
                    && k.ends_with(&format!("l{level}-i000000.artifact"))
            })
            .count()
    };
    let log3 = dir.path().join("aggregate-3.log");
    let mut third = Reaped(
        zkstream()
            .envs(s3.env())
            .args([
                "aggregate",
                "--config",
                drain.to_str().unwrap(),
                "--bounded",
            ])
            .stdout(std::fs::File::create(&log3).unwrap())
            .stderr(std::fs::File::create(dir.path().join("aggregate-3.err")).unwrap())
            .spawn()
            .unwrap(),
    );
    wait_for(Duration::from_secs(600), "run 3's chunk proof", || {
        assert!(third.0.try_wait().unwrap().is_none(), "the leader ended");
        run3(0) == 1
    });
    let signalled = std::time::Instant::now();
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &third.0.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let status = third.0.wait().unwrap();
    let err3 = std::fs::read_to_string(dir.path().join("aggregate-3.err")).unwrap();
    assert!(status.success(), "exit {status}:\n{err3}");
    assert!(
        signalled.elapsed() < Duration::from_secs(15),
        "the drain took {:?}",
        signalled.elapsed()
    );
    assert!(err3.contains("drain timeout"), "{err3}");
    assert_eq!(run3(1), 0, "run 3's node was stored before the signal");
    let (resumed, _) = aggregate(&[]);
    assert!(
        resumed.contains(
            "summary: 1 run(s) published, 0 submission(s) refused, 1 tree proof(s) made, 1 reused"
        ),
        "{resumed}"
    );
    assert_eq!(run3(1), 1);
}
