//! The `zkstream` binary as a user runs it.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use zkstream_testkit::keys_dir;

fn zkstream(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkstream"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run zkstream")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Exits non-zero, not by a panic (101), with a message on stderr.
fn assert_clean_failure(o: &Output, needle: &str) {
    let code = o.status.code();
    assert!(
        code.is_some_and(|c| c != 0 && c != 101),
        "exit code {code:?}; stderr: {}",
        stderr(o)
    );
    assert!(
        stderr(o).contains(needle),
        "stderr lacks {needle:?}: {}",
        stderr(o)
    );
    assert!(!stderr(o).contains("panicked"), "{}", stderr(o));
}

#[test]
fn every_subcommand_has_help() {
    for args in [
        vec!["--help"],
        vec!["inspect", "--help"],
        vec!["sample-batch", "--help"],
        vec!["prove", "--help"],
        vec!["verify", "--help"],
        vec!["keys", "--help"],
        vec!["keys", "generate", "--help"],
        vec!["demo", "--help"],
        vec!["run", "--help"],
        vec!["produce", "--help"],
        vec!["simulate", "--help"],
    ] {
        let o = zkstream(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("Usage"), "{args:?}");
    }
}

#[test]
fn inspect_rejects_bad_files_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    };
    let random: Vec<u8> = (0..4096u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect();
    let o = zkstream(&["inspect", write("random", &random).to_str().unwrap()]);
    assert_clean_failure(&o, "bad magic");
    let o = zkstream(&["inspect", write("empty", b"").to_str().unwrap()]);
    assert_clean_failure(&o, "truncated frame");

    let batch = dir.path().join("b1.batch");
    let o = zkstream(&[
        "sample-batch",
        "--number",
        "1",
        "--seed",
        "3",
        "--out",
        batch.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = zkstream(&["inspect", batch.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("batch number:        1"),
        "{}",
        stdout(&o)
    );

    let full = std::fs::read(&batch).unwrap();
    let o = zkstream(&[
        "inspect",
        write("truncated", &full[..full.len() / 2])
            .to_str()
            .unwrap(),
    ]);
    assert_clean_failure(&o, "corrupt zstd payload");
    let mut version = full.clone();
    version[5] = 99;
    let o = zkstream(&["inspect", write("version", &version).to_str().unwrap()]);
    assert_clean_failure(&o, "unsupported format version 99");
    let o = zkstream(&["inspect", dir.path().join("missing").to_str().unwrap()]);
    assert_clean_failure(&o, "cannot read");
}

/// A simulated record (the hash over a simulated job tree that `zkstream-fleet` defines) is accepted
/// only as simulated: exit status 3 and "NOT a proof" in the text. A tampered record, a record shown
/// with another batch, and a simulated record shown with a real batch input are rejected; `inspect`
/// says what it is.
#[test]
fn verify_accepts_a_simulated_record_only_as_simulated() {
    use zkstream_fleet::{expected_tree_hash, BatchGraph, Workload};
    use zkstream_types::{Framed, SimulatedRecord};

    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let w = Workload::small();
    let graph = BatchGraph::build(&w, 2, 9).unwrap();
    let mut record = SimulatedRecord {
        batch: w.batch(2),
        tree_hash: expected_tree_hash(&graph),
    };
    std::fs::write(path("b2.sim"), w.batch(2).to_frame().unwrap()).unwrap();
    std::fs::write(path("b3.sim"), w.batch(3).to_frame().unwrap()).unwrap();
    std::fs::write(path("r2.sim"), record.to_frame().unwrap()).unwrap();
    record.tree_hash[0] ^= 1;
    std::fs::write(path("r2-tampered.sim"), record.to_frame().unwrap()).unwrap();

    let verify = |input: &str, proof: &str| {
        zkstream(&["verify", "--input", &path(input), "--proof", &path(proof)])
    };
    let ok = verify("b2.sim", "r2.sim");
    assert_eq!(ok.status.code(), Some(3), "{}", stderr(&ok));
    assert!(
        stdout(&ok).contains("SIMULATED record, NOT a proof"),
        "{}",
        stdout(&ok)
    );
    for (input, proof) in [("b2.sim", "r2-tampered.sim"), ("b3.sim", "r2.sim")] {
        let bad = verify(input, proof);
        assert_eq!(
            bad.status.code(),
            Some(2),
            "{input} {proof}: {}",
            stderr(&bad)
        );
        assert!(
            stderr(&bad).contains("SIMULATED record REJECTED"),
            "{}",
            stderr(&bad)
        );
    }
    // A real batch input with a simulated record: refused, saying why.
    let real = zkstream(&[
        "sample-batch",
        "--number",
        "1",
        "--seed",
        "1",
        "--out",
        &path("b1.bin"),
    ]);
    assert!(real.status.success(), "{}", stderr(&real));
    assert_clean_failure(&verify("b1.bin", "r2.sim"), "not a simulated batch");
    let shown = zkstream(&["inspect", &path("r2.sim")]);
    assert!(stdout(&shown).contains("NOT a proof"), "{}", stdout(&shown));
}

/// `zkstream simulate` of the `small` workload on the production path (embedded broker, reader,
/// dataflow, pool, store, ordered delivery, commits): under each release rule and on a local cluster of
/// two processes, every batch's record arrives, its tree hash checks and is the same everywhere (it
/// depends on the shape only), every job ran once, and every offset is committed. Timings are the
/// bench's (`benches/benches/fleet.rs`): only counts and hashes are asserted here.
#[test]
fn simulate_small_runs_every_tree_once_on_the_production_path() {
    use zkstream_fleet::{BatchGraph, Workload};

    let dir = tempfile::tempdir().unwrap();
    let json = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let batches = 3u64;
    let jobs_per_batch = BatchGraph::build(&Workload::small(), 1, 1)
        .unwrap()
        .jobs
        .len();
    let run = |extra: &[&str], out: &str| -> serde_json::Value {
        let mut args = vec![
            "simulate",
            "--workload",
            "small",
            "--slots",
            "6",
            "--time-scale",
            "0.02",
            "--batches",
            "3",
            "--json",
        ];
        let path = json(out);
        args.push(&path);
        args.extend_from_slice(extra);
        let o = zkstream(&args);
        assert!(o.status.success(), "{extra:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("SIMULATED"), "{}", stdout(&o));
        serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
    };
    let compared = run(&["--compare"], "compare.json");
    for key in [
        "jobs",
        "slots",
        "makespan_s",
        "lower_bound_s",
        "offline_makespan_s",
        "barrier_makespan_s",
        "zksync_makespan_s",
        "trees_total",
        "trees_verified",
        "handoff_p50_ms",
        "handoff_p99_ms",
        "handoff_later_p99_ms",
        "cpu_us_per_job",
        "peak_rss_mb",
    ] {
        assert!(compared[key].is_number(), "{key} missing: {compared}");
    }
    let runs = compared["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 3);
    let hashes = &runs[0]["tree_hashes"];
    assert_eq!(hashes.as_object().unwrap().len(), batches as usize);
    for r in runs {
        assert_eq!(r["trees_total"], batches, "{}", r["release"]);
        assert_eq!(r["trees_verified"], batches, "{}", r["release"]);
        assert_eq!(r["gaps"], 0);
        assert_eq!(r["jobs"], batches * jobs_per_batch as u64, "each job once");
        // Memory is traced during the run, not only read at its end.
        assert!(
            r["rss_trace"].as_array().is_some_and(|t| !t.is_empty()),
            "{}",
            r["release"]
        );
        assert!(r["rss_run_peak_mb"].as_f64().unwrap() > 0.0);
        assert!(r["rss_growth_mb"].is_number());
        assert_eq!(
            &r["tree_hashes"], hashes,
            "the hash depends on the shape only"
        );
        // Every record read is settled: each of the four partitions committed past its records.
        let committed: u64 = r["committed"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(committed, batches, "{}", r["committed"]);
        let (lower, offline) = (
            r["lower_bound_s"].as_f64().unwrap(),
            r["offline_makespan_s"].as_f64().unwrap(),
        );
        assert!(0.0 < lower && lower <= offline, "{lower} {offline}");
    }
    // A stream over two processes: a batch every 30 modeled seconds (120 an hour), each owner
    // counting its batches' arrivals from the one origin the batches carry.
    let cluster = run(&["-n", "2", "--rate", "120"], "cluster.json");
    let c = &cluster["runs"][0];
    assert_eq!(c["trees_verified"], batches);
    // The last batch arrives 60 modeled seconds after the origin; and the lower bound, computed
    // with the same arrivals and durations, is one no run can beat (a slot holds each job at least
    // its modeled duration).
    let makespan = c["makespan_s"].as_f64().unwrap();
    let lower = c["lower_bound_s"].as_f64().unwrap();
    assert!(
        makespan >= (batches - 1) as f64 * 30.0 && makespan >= lower * (1.0 - 1e-6),
        "arrivals counted from the one origin: makespan {makespan}, lower bound {lower}"
    );
    assert!(c["throughput_per_h"].as_f64().unwrap() > 0.0);
    assert_eq!(
        c["jobs"],
        batches * jobs_per_batch as u64,
        "each job once, over both"
    );
    let per_process: Vec<u64> = c["jobs_per_process"]
        .as_array()
        .expect("jobs by process")
        .iter()
        .filter_map(|n| n.as_u64())
        .collect();
    assert_eq!(per_process.iter().sum::<u64>(), c["jobs"].as_u64().unwrap());
    assert_eq!(
        c["batch_latencies_s"].as_object().map(|m| m.len()),
        Some(batches as usize),
        "each batch's latency, from its owner, whichever process"
    );
    assert_eq!(
        c["batches_per_process"],
        serde_json::json!([batches, batches]),
        "every batch's jobs spread over both processes: {}",
        c["jobs_per_process"]
    );
    assert_eq!(
        &c["tree_hashes"], hashes,
        "two processes give the same hashes"
    );
}

fn flip_byte(path: &Path, at: usize) -> PathBuf {
    let mut bytes = std::fs::read(path).unwrap();
    let i = at % bytes.len();
    bytes[i] ^= 0x40;
    let out = path.with_extension(format!("flip{i}"));
    std::fs::write(&out, bytes).unwrap();
    out
}

#[test]
fn sample_prove_verify_and_tamper() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_dir!();
    let common = ["--profile", "test", "--keys-dir", keys.to_str().unwrap()];
    let path = |n: &str| dir.path().join(n).to_str().unwrap().to_owned();
    let run = |mut args: Vec<String>| {
        args.extend(common.iter().map(|s| s.to_string()));
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        zkstream(&refs)
    };
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();

    let o = run(s(&["keys", "generate", "--dir", keys.to_str().unwrap()]));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(s(&["keys", "generate", "--dir", keys.to_str().unwrap()]));
    assert!(o.status.success());
    assert!(
        !stdout(&o).contains("computed"),
        "second run must reuse every key:\n{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("compression"), "{}", stdout(&o));

    let o = run(s(&[
        "sample-batch",
        "--number",
        "2",
        "--seed",
        "11",
        "--out",
        &path("b2.batch"),
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(s(&[
        "prove",
        "--input",
        &path("b2.batch"),
        "--out",
        &path("b2.proof"),
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(s(&[
        "verify",
        "--input",
        &path("b2.batch"),
        "--proof",
        &path("b2.proof"),
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("batch 2: final proof verified"),
        "{}",
        stdout(&o)
    );

    // The next batch of the chain names this proof as its previous one.
    let o = run(s(&[
        "sample-batch",
        "--number",
        "3",
        "--seed",
        "11",
        "--previous",
        &path("b2.proof"),
        "--out",
        &path("b3.batch"),
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(s(&[
        "sample-batch",
        "--number",
        "3",
        "--seed",
        "11",
        "--out",
        &path("b3-chain.batch"),
    ]));
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(path("b3.batch")).unwrap(),
        std::fs::read(path("b3-chain.batch")).unwrap()
    );

    // Another batch, or any flipped byte of the proof file, is rejected with a reason.
    let o = run(s(&[
        "verify",
        "--input",
        &path("b3.batch"),
        "--proof",
        &path("b2.proof"),
    ]));
    assert_clean_failure(&o, "REJECTED");
    let len = std::fs::metadata(path("b2.proof")).unwrap().len() as usize;
    for at in [0, 4, 5, 7, len / 3, len / 2, len - 1] {
        let bad = flip_byte(Path::new(&path("b2.proof")), at);
        let o = run(s(&[
            "verify",
            "--input",
            &path("b2.batch"),
            "--proof",
            bad.to_str().unwrap(),
        ]));
        let needle = if stderr(&o).contains("REJECTED") {
            "REJECTED"
        } else {
            "error:"
        };
        assert_clean_failure(&o, needle);
    }
}

/// The README's main command on the test profile, its store in an S3 bucket (`--store
/// s3://bucket/prefix`, the standard environment pointing at a real S3-compatible server, moto):
/// 2 batches over 2 workers through the embedded broker; every batch gets a verified line, every
/// written proof passes `zkstream verify`, the metrics endpoint serves the whole contract while it
/// runs, and the artifacts and the progress are in the bucket. A second run on the same batches
/// and bucket proves nothing (0 generated, every proof reused from the bucket) and still verifies
/// every batch. (The default store, a temporary directory, is `ArtifactStore::local`, which the
/// pipeline tests in `dataflow/tests` use.)
#[test]
fn demo_proves_verifies_and_writes_every_batch_and_a_second_run_on_its_bucket_proves_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let s3 = zkstream_testkit::moto::moto(&dir.path().join("moto.log"));
    s3.create_bucket("zkstream-check");
    let out = dir.path().join("proofs");
    let keys = keys_dir!();
    let (keys, out_s) = (keys.to_str().unwrap(), out.to_str().unwrap());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
    // A real Prometheus server scrapes the demo every second (the test's own scraper too, every 300 ms).
    let prometheus = zkstream_testkit::prometheus::prometheus(&dir.path().join("prom"), &[&addr]);
    // Scrape /metrics every 300 ms while the demo runs.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let scraper = {
        let (stop, addr) = (std::sync::Arc::clone(&stop), addr.clone());
        std::thread::spawn(move || {
            let mut scrapes = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                if let Some(text) = scrape(&addr) {
                    scrapes.push(text);
                }
                std::thread::sleep(std::time::Duration::from_millis(300));
            }
            scrapes
        })
    };
    let demo = |extra: &[&str]| {
        let mut args = vec![
            "demo",
            "--profile",
            "test",
            "--keys-dir",
            keys,
            "--batches",
            "2",
            "--workers",
            "2",
            "--seed",
            "7",
            "--store",
            "s3://zkstream-check/run1",
        ];
        args.extend_from_slice(extra);
        Command::new(env!("CARGO_BIN_EXE_zkstream"))
            .env("RUST_LOG", "warn")
            .envs(s3.env())
            .args(&args)
            .output()
            .expect("run zkstream")
    };
    // Served 3 s past the end: Prometheus (1-s scrapes) sees the final counts.
    let o = demo(&[
        "--gpu",
        "--metrics-addr",
        &addr,
        "--metrics-linger-s",
        "3",
        "--out",
        out_s,
    ]);
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    for n in 1..=2 {
        assert!(
            stdout(&o).contains(&format!("batch {n}: final proof verified")),
            "{}",
            stdout(&o)
        );
        let input = dir.path().join(format!("b{n}.batch"));
        let s = zkstream(&[
            "sample-batch",
            "--profile",
            "test",
            "--keys-dir",
            keys,
            "--number",
            &n.to_string(),
            "--seed",
            "7",
            "--out",
            input.to_str().unwrap(),
        ]);
        assert!(s.status.success(), "{}", stderr(&s));
        let proof = out.join(format!("batch-{n}.proof"));
        let v = zkstream(&[
            "verify",
            "--profile",
            "test",
            "--keys-dir",
            keys,
            "--input",
            input.to_str().unwrap(),
            "--proof",
            proof.to_str().unwrap(),
        ]);
        assert!(v.status.success(), "batch {n}: {}", stderr(&v));
    }
    assert!(
        stdout(&o).contains("summary: 2 of 2 batches"),
        "{}",
        stdout(&o)
    );
    // `--gpu` in a binary without the GPU backend (and here without a CUDA driver): a clear line, then
    // CPU slots.
    let fallback = if zkstream_prover::discover_gpus().devices().is_empty() {
        "no CUDA driver found, using CPU slots"
    } else {
        "this binary has no GPU backend (build it with ops/build-gpu.sh); using CPU slots"
    };
    assert!(stdout(&o).contains(fallback), "{}", stdout(&o));

    // The metrics endpoint served every metric of the contract during the run, and counts grew.
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let scrapes = scraper.join().unwrap();
    assert!(scrapes.len() >= 3, "only {} scrapes", scrapes.len());
    let last = scrapes.last().unwrap();
    for name in [
        "zkstream_batches_received_total",
        "zkstream_batches_completed_total",
        "zkstream_proofs_generated_total{",
        "zkstream_proofs_reused_total{",
        "zkstream_prove_seconds_bucket{",
        "zkstream_stage_wait_seconds_bucket{",
        "zkstream_inflight_jobs{",
        "zkstream_queued_jobs{",
        "zkstream_queue_depth{",
        "zkstream_oldest_unproven_batch",
        "zkstream_batch_latency_seconds_bucket{",
        "zkstream_kafka_consumer_lag{",
        "zkstream_dlq_total{",
        "zkstream_sink_submissions_total{",
        "zkstream_verification_failures_total{",
        "zkstream_job_retries_total{",
        "zkstream_prover_slots{kind=\"cpu\"} 1",
        "zkstream_prover_slots{kind=\"gpu\"} 0",
        "slot_kind=\"cpu\"",
    ] {
        assert!(last.contains(name), "{name} missing from\n{last}");
    }
    let basic = |t: &str| {
        value(
            t,
            "zkstream_proofs_generated_total{circuit=\"sha256\",round=\"basic\"}",
        )
    };
    assert!(
        basic(last) > basic(&scrapes[0]),
        "no growth:\n{}\n{last}",
        scrapes[0]
    );
    assert_eq!(
        value(last, "zkstream_batches_received_total"),
        2.0,
        "{last}"
    );
    // Both batches went through the dataflow: at some point one was waiting to be proved.
    assert!(
        scrapes
            .iter()
            .any(|t| value(t, "zkstream_queued_jobs{round=\"basic\"}") > 0.0),
        "no scrape saw a queued basic job"
    );

    // What Prometheus recorded: the batches, the build, and every metric the dashboard queries.
    prometheus_saw_the_demo(&prometheus, 2);

    // Its work is in the bucket, under the prefix.
    let objects = s3.keys("zkstream-check");
    assert!(
        objects.iter().all(|k| k.starts_with("run1/")),
        "{objects:?}"
    );
    assert!(
        objects.iter().any(|k| k == "run1/state/delivered"),
        "the delivery progress is in the bucket: {objects:?}"
    );
    for batch in [1, 2] {
        let finals = format!("run1/v1/batch-{batch:012}/");
        assert!(
            objects.iter().any(|k| k.starts_with(&finals)),
            "batch {batch}'s artifacts are in the bucket: {objects:?}"
        );
    }
    let generated = |o: &Output| {
        stdout(o)
            .lines()
            .find_map(|l| l.trim().strip_prefix("proofs: "))
            .and_then(|l| l.split(' ').next())
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or_else(|| panic!("no proofs line: {}", stdout(o)))
    };
    assert!(generated(&o) > 0, "{}", stdout(&o));
    // The same batches on the same bucket (without the metrics and the written proofs): every proof
    // is reused from the bucket, and every batch verifies.
    let second = demo(&[]);
    assert!(
        second.status.success(),
        "{}\n{}",
        stdout(&second),
        stderr(&second)
    );
    assert_eq!(generated(&second), 0, "{}", stdout(&second));
    for n in 1..=2 {
        assert!(
            stdout(&second).contains(&format!("batch {n}: final proof verified")),
            "{}",
            stdout(&second)
        );
    }
    // No proof was added (the fence log has the second run's epoch and claims).
    let proofs = |keys: Vec<String>| {
        keys.into_iter()
            .filter(|k| k.ends_with(".artifact"))
            .count()
    };
    assert_eq!(
        proofs(s3.keys("zkstream-check")),
        proofs(objects.clone()),
        "the second run added no proof"
    );
}

/// Asserts through Prometheus's HTTP API (instant queries over the last ten minutes) that it scraped
/// a run that completed `batches` batches, the build's info with its VK set, and every metric the
/// Grafana dashboard (ops/grafana/zkstream.json) queries; and that an increase over ten minutes sees
/// the proofs.
fn prometheus_saw_the_demo(prometheus: &zkstream_testkit::prometheus::Prometheus, batches: u64) {
    let one = |expr: &str| -> f64 {
        let result = prometheus.query(expr);
        assert_eq!(result.len(), 1, "{expr}: {result:?}");
        result[0].1
    };
    assert_eq!(one("max_over_time(up{job=\"zkstream\"}[10m])"), 1.0);
    assert_eq!(
        one("max_over_time(zkstream_batches_completed_total[10m])"),
        batches as f64
    );
    assert!(one("sum(increase(zkstream_proofs_generated_total[10m]))") > 0.0);
    let info = prometheus.query("last_over_time(zkstream_build_info[10m])");
    assert!(
        info.iter().any(|(labels, v)| *v == 1.0
            && labels["vk_set"].as_str().is_some_and(|s| s.len() == 64)
            && labels["version"] == env!("CARGO_PKG_VERSION")),
        "{info:?}"
    );
    let dashboard: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../ops/grafana/zkstream.json"
        ))
        .unwrap(),
    )
    .unwrap();
    let mut names = std::collections::BTreeSet::new();
    for panel in dashboard["panels"].as_array().unwrap() {
        for target in panel["targets"].as_array().unwrap() {
            let expr = target["expr"].as_str().unwrap();
            let mut rest = expr;
            while let Some(i) = rest.find("zkstream_") {
                let tail = &rest[i..];
                let end = tail
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(tail.len());
                names.insert(tail[..end].to_string());
                rest = &tail[end..];
            }
        }
    }
    assert!(names.len() >= 10, "{names:?}");
    for name in &names {
        let series = prometheus.query(&format!("count(last_over_time({name}[10m]))"));
        assert!(
            series.first().is_some_and(|(_, n)| *n > 0.0),
            "the dashboard queries {name}, which Prometheus never scraped"
        );
    }
}

/// A second SIGTERM does not wait for the drain: the demo exits at once with status 128 + 15.
#[test]
fn a_second_sigterm_exits_at_once() {
    use std::io::{BufRead, BufReader};
    let keys = keys_dir!();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zkstream"))
        .env("RUST_LOG", "warn")
        .env_remove("ZKSTREAM_LOG_FORMAT")
        .args(["demo", "--profile", "test", "--batches", "2", "--keys-dir"])
        .arg(&keys)
        // However soon the first signal ends the drain, the process then serves its metrics for a
        // minute: the second signal always finds it still there.
        .args(["--metrics-addr", "127.0.0.1:0", "--metrics-linger-s", "60"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The service's first line comes after the handlers are installed.
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let started = line.starts_with("fence: ");
        seen.push(line);
        if started {
            break;
        }
    }
    assert!(
        seen.last().is_some_and(|l| l.starts_with("fence: ")),
        "{seen:?}"
    );
    let signalled = std::time::Instant::now();
    for _ in 0..2 {
        let kill = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status}");
    assert!(signalled.elapsed() < std::time::Duration::from_secs(10));
}

/// One GET /metrics.
fn scrape(addr: &str) -> Option<String> {
    zkstream_testkit::process::http_get(addr, "/metrics")
        .filter(|(status, _)| *status == 200)
        .map(|(_, body)| body)
}

/// The value of the series line starting with `series` (0 when absent).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// `aggregate-files` refuses what it cannot aggregate, with the reason, and says when nothing is left.
/// (The proving path runs end to end in `kafka_run.rs`'s aggregation test.)
#[test]
fn aggregate_files_refuses_unsupported_and_invalid_submissions() {
    use zkstream_types::{Framed, UserSubmission};
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, system: u16, vk: Option<Vec<u8>>| {
        let s = UserSubmission {
            proof_id: name.into(),
            proving_system_id: system,
            program_id: [7; 32],
            public_inputs: vec![1, 2, 3],
            proof: vec![0; 40],
            vk,
        };
        let p = dir.path().join(format!("{name}.sub"));
        std::fs::write(&p, s.to_frame().unwrap()).unwrap();
        p.to_str().unwrap().to_string()
    };
    let sp1 = write("sp1-1", 1, None);
    let junk = write("junk-1", 0x0b00, Some(vec![1, 2, 3]));
    let unregistered = write("nokey-1", 0x0b00, None);
    let keys = keys_dir!();
    // A real proof of the sha256 gate set, whose public inputs were changed after proving.
    let sha = dir.path().join("sha-1.sub");
    let o = zkstream(&[
        "user-proof",
        "--gate-set",
        "sha256",
        "--salt",
        "5",
        "--secret",
        "1,2,3,4",
        "--proof-id",
        "sha-1",
        "--profile",
        "test",
        "--keys-dir",
        keys.to_str().unwrap(),
        "--out",
        sha.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut forged = UserSubmission::from_frame(&std::fs::read(&sha).unwrap()).unwrap();
    forged.public_inputs[0] ^= 1;
    std::fs::write(&sha, forged.to_frame().unwrap()).unwrap();
    let sha = sha.to_str().unwrap().to_string();
    // A real proof of the recursion gate set (a leaf over a basic proof), claiming another program.
    let rec = dir.path().join("rec-1.sub");
    let o = zkstream(&[
        "user-proof",
        "--gate-set",
        "recursion",
        "--salt",
        "6",
        "--secret",
        "1,2,3,4",
        "--proof-id",
        "rec-1",
        "--profile",
        "test",
        "--keys-dir",
        keys.to_str().unwrap(),
        "--out",
        rec.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut forged = UserSubmission::from_frame(&std::fs::read(&rec).unwrap()).unwrap();
    forged.program_id[0] ^= 1;
    std::fs::write(&rec, forged.to_frame().unwrap()).unwrap();
    let rec = rec.to_str().unwrap().to_string();
    let out = dir.path().join("run.rec");
    let o = zkstream(&[
        "aggregate-files",
        "--profile",
        "test",
        "--keys-dir",
        keys.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        &sp1,
        &junk,
        &unregistered,
        &sha,
        &rec,
    ]);
    assert_clean_failure(&o, "nothing to aggregate");
    let text = stdout(&o);
    assert!(
        text.contains("refused sp1-1: unsupported: proving system sp1"),
        "{text}"
    );
    assert!(
        text.contains("refused junk-1: invalid: undecodable key"),
        "{text}"
    );
    assert!(
        text.contains("refused nokey-1: invalid: program 0707"),
        "{text}"
    );
    assert!(
        text.contains("refused sha-1: invalid: public inputs do not match"),
        "{text}"
    );
    assert!(
        text.contains("refused rec-1: invalid: program id"),
        "{text}"
    );
    assert!(!out.exists());
}

/// `bench-gpu` in the CPU-only binary: it says why there is no GPU slot, then times the circuits of
/// the types asked for on the CPU (each proof verified natively) — the same command prints the GPU/CPU
/// ratio in a GPU build. One type keeps the test short; an unknown type is refused by name.
#[test]
fn bench_gpu_without_a_gpu_backend_says_why_and_times_the_cpu() {
    let keys = keys_dir!();
    let args = |types: &'static str| {
        [
            "bench-gpu",
            "--profile",
            "test",
            "--keys-dir",
            keys.to_str().unwrap(),
            "--repeats",
            "1",
            "--types",
            types,
        ]
        .map(String::from)
    };
    let bad = zkstream(&args("sha265").each_ref().map(String::as_str));
    assert_eq!(bad.status.code(), Some(2), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("unknown circuit type \"sha265\" (expected poseidon2, sha256)"),
        "{}",
        stderr(&bad)
    );
    // Poseidon2: its basic circuit is the smaller of the two.
    let o = zkstream(&args("poseidon2").each_ref().map(String::as_str));
    assert!(o.status.success(), "{}\n{}", stdout(&o), stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("using CPU slots"), "{out}");
    for circuit in ["basic-poseidon2", "leaf-poseidon2", "node-poseidon2-d1"] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(circuit))
            .unwrap_or_else(|| panic!("no line for {circuit} in\n{out}"));
        assert!(line.contains(" cpu ") && line.contains(" s "), "{line}");
    }
    assert!(!out.contains("sha256"), "only the type asked for: {out}");
    assert!(out.contains("no GPU slot: CPU only"), "{out}");
}

/// A service that stops on an error a restart may mend (its metrics address is taken) exits 75, so a
/// supervisor restarts it; one that no restart mends (a misspelt config field, or a misspelt
/// `ZKSTREAM__` override) exits 1.
#[test]
fn the_exit_status_says_whether_a_restart_may_help() {
    let dir = tempfile::tempdir().unwrap();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let config = dir.path().join("zkstream.toml");
    std::fs::write(
        &config,
        format!(
            "[kafka]\nbrokers = \"127.0.0.1:1\"\n[store]\nurl = \"file://{}\"\n\
             [prover]\nprofile = \"test\"\nkeys_dir = \"{}\"\n",
            dir.path().join("store").display(),
            keys_dir!().display()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap();
    let o = zkstream(&[
        "run",
        "--config",
        config,
        "--bounded",
        "--metrics-addr",
        &addr,
    ]);
    assert_eq!(o.status.code(), Some(75), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("restarting may help"), "{}", stderr(&o));
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "[kafka]\nbrokrs = \"127.0.0.1:1\"\n").unwrap();
    let o = zkstream(&["run", "--config", typo.to_str().unwrap(), "--bounded"]);
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("brokrs"), "{}", stderr(&o));
    // The environment overrides the file (ZKSTREAM__SECTION__KEY): the metrics address comes from it
    // (taken: 75), and a misspelt variable is refused by its name (1).
    let with_env = |var: &str, value: &str| {
        Command::new(env!("CARGO_BIN_EXE_zkstream"))
            .args(["run", "--config", config, "--bounded"])
            .env("RUST_LOG", "warn")
            .env(var, value)
            .output()
            .expect("run zkstream")
    };
    let o = with_env("ZKSTREAM__METRICS__ADDR", &addr);
    assert_eq!(o.status.code(), Some(75), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains(&addr), "{}", stderr(&o));
    let o = with_env("ZKSTREAM__PIPELINE__DRAIN_TIMOUT_S", "5");
    assert_eq!(o.status.code(), Some(1), "stderr: {}", stderr(&o));
    assert!(
        stderr(&o).contains("ZKSTREAM__PIPELINE__DRAIN_TIMOUT_S"),
        "{}",
        stderr(&o)
    );
}
