//! The `zkstream` binary as a user runs it.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn zkstream(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zkstream"))
        .args(args)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run zkstream")
}

fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("keys")
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
    let keys = keys_dir();
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

/// The README's main command on the test profile: 2 batches over 2 workers through the embedded
/// broker; every batch gets a verified line, every written proof passes `zkstream verify`.
#[test]
fn demo_proves_verifies_and_writes_every_batch() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("proofs");
    let keys = keys_dir();
    let (keys, out_s) = (keys.to_str().unwrap(), out.to_str().unwrap());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let addr = format!("127.0.0.1:{port}");
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
    let o = zkstream(&[
        "demo",
        "--metrics-addr",
        &addr,
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
}

/// One GET /metrics over plain HTTP/1.0.
fn scrape(addr: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).ok()?;
    s.write_all(b"GET /metrics HTTP/1.0\r\nHost: zkstream\r\n\r\n")
        .ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    let (head, text) = body.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.").then(|| text.to_string())
}

/// The value of the series line starting with `series` (0 when absent).
fn value(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// Aggregation mode from the command line: sample users' proofs (two programs, one registered instead of
/// embedded), an invalid, an unsupported and an unregistered submission; the run aggregates exactly the
/// valid ones, refuses the others with reasons, publishes the commitments in a blob, and every inclusion
/// path verifies (and a wrong one does not).
#[test]
fn users_proofs_aggregate_with_inclusion_paths_and_refusals() {
    use zkstream_aggregation::{unpack_blobs, BlobData, MerkleTree};
    use zkstream_types::{AggregationRecord, Framed, UserSubmission};

    let dir = tempfile::tempdir().unwrap();
    let keys = keys_dir();
    let keys = keys.to_str().unwrap();
    let p = |name: &str| dir.path().join(name).to_str().unwrap().to_string();
    let submit = |salt: &str, secret: &str, id: &str, extra: &[&str]| {
        let out = p(&format!("{id}.sub"));
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
        let o = zkstream(&args);
        assert!(o.status.success(), "{}", stderr(&o));
        out
    };
    let a1 = submit("1", "1,2,3,4", "alice-1", &[]);
    let b1 = submit("2", "5,6,7,8", "bob-1", &[]);
    let a2 = submit("1", "9,9,9,9", "alice-2", &["--no-key"]);
    let c1 = submit("3", "1,1,1,1", "carol-1", &["--no-key"]);
    let edit = |from: &str, id: &str, f: &dyn Fn(&mut UserSubmission)| {
        let mut s = UserSubmission::from_frame(&std::fs::read(from).unwrap()).unwrap();
        s.proof_id = id.into();
        f(&mut s);
        let out = p(&format!("{id}.sub"));
        std::fs::write(&out, s.to_frame().unwrap()).unwrap();
        out
    };
    let bad = edit(&b1, "bad-1", &|s| s.public_inputs[7] ^= 1);
    let sp1 = edit(&b1, "sp1-1", &|s| s.proving_system_id = 1);
    let record_path = p("run.rec");
    let o = zkstream(&[
        "aggregate-files",
        "--profile",
        "test",
        "--keys-dir",
        keys,
        "--register",
        &a1,
        "--out",
        &record_path,
        &a1,
        &b1,
        &a2,
        &bad,
        &sp1,
        &c1,
    ]);
    let out = stdout(&o);
    assert!(o.status.success(), "{out}\n{}", stderr(&o));
    assert!(
        out.contains("refused bad-1: invalid: public inputs"),
        "{out}"
    );
    assert!(
        out.contains("refused sp1-1: unsupported: proving system sp1"),
        "{out}"
    );
    assert!(out.contains("refused carol-1: invalid: program"), "{out}");

    let record = AggregationRecord::from_frame(&std::fs::read(&record_path).unwrap()).unwrap();
    let mut ids: Vec<&str> = record.proofs.iter().map(|p| p.proof_id.as_str()).collect();
    ids.sort();
    assert_eq!(ids, vec!["alice-1", "alice-2", "bob-1"]);
    let leaves: Vec<[u8; 32]> = record.proofs.iter().map(|p| p.commitment).collect();
    assert_eq!(record.root, MerkleTree::new(&leaves).unwrap().root());
    let blobs: Vec<BlobData> = record
        .blobs
        .iter()
        .map(|b| BlobData(b.data.clone()))
        .collect();
    assert_eq!(unpack_blobs(&blobs, 3).unwrap(), leaves);

    // The user's side.
    let o = zkstream(&["inclusion", "--record", &record_path, "--proof-id", "bob-1"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let inclusion = p("bob.json");
    std::fs::write(&inclusion, stdout(&o)).unwrap();
    let v = zkstream(&["verify-inclusion", "--proof", &inclusion]);
    assert!(v.status.success(), "{}", stderr(&v));
    let alice2 = record
        .proofs
        .iter()
        .find(|p| p.proof_id == "alice-2")
        .unwrap();
    let path: Vec<String> = alice2.path.iter().map(hex::encode).collect();
    let o = zkstream(&[
        "inclusion",
        "--record",
        &record_path,
        "--commitment",
        &hex::encode(alice2.commitment),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains(&hex::encode(record.root)));
    let root = hex::encode(record.root);
    let leaf = hex::encode(alice2.commitment);
    let v = zkstream(&[
        "verify-inclusion",
        "--root",
        &root,
        "--leaf",
        &leaf,
        "--path",
        &path.join(","),
    ]);
    assert!(v.status.success(), "{}", stderr(&v));
    let wrong_leaf = hex::encode(
        record
            .proofs
            .iter()
            .find(|p| p.proof_id == "bob-1")
            .unwrap()
            .commitment,
    );
    let v = zkstream(&[
        "verify-inclusion",
        "--root",
        &root,
        "--leaf",
        &wrong_leaf,
        "--path",
        &path.join(","),
    ]);
    assert_eq!(v.status.code(), Some(1), "{}", stdout(&v));
    assert!(stderr(&v).contains("NOT included"));
    assert_clean_failure(
        &zkstream(&[
            "inclusion",
            "--record",
            &record_path,
            "--proof-id",
            "nobody",
        ]),
        "not in run 1",
    );
}
