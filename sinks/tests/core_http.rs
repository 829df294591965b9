//! The core HTTP sink against a real HTTP server in the test: 5xx and timeouts are retried until the
//! core accepts, a resubmission is answered 409 and counts as delivered (idempotent per batch), a 4xx is a
//! permanent refusal, and bounded retries give up with the last error. Over https (ops/core-stub.py, a
//! Python core behind a private CA made by openssl): the token, `Retry-After` and certificate trust.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use zkstream_sinks::{CoreAccess, CoreHttpSink, ProofSink, RetryPolicy, SinkError};
use zkstream_types::{Digest, FinalBatchProof, Framed};

fn proof(n: u64) -> FinalBatchProof {
    FinalBatchProof {
        batch_number: n,
        protocol_version: 1,
        previous_batch_commitment: Digest::default(),
        batch_commitment: Digest([n; 4]),
        aggregation_result_coords: Vec::new(),
        vk_set_commitment: Digest::default(),
        proof_profile: "test".into(),
        proof: vec![1; 100],
        wrap: None,
    }
}

/// What the server answers to request number i (0-based): a status, after a delay.
type Script = Box<dyn Fn(usize) -> (u16, Duration) + Send>;

/// A core that follows `script` for fresh batches and answers 409 for batches it accepted already.
/// Returns its URL and the log of (path, status).
/// The server's log of (path, status).
type Log = Arc<Mutex<Vec<(String, u16)>>>;

fn core(script: Script) -> (String, Log) {
    let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
    let url = format!("http://{}", server.server_addr().to_ip().unwrap());
    let log = Arc::new(Mutex::new(Vec::new()));
    let l = Arc::clone(&log);
    std::thread::spawn(move || {
        let mut accepted: Vec<String> = Vec::new();
        for (i, mut request) in server.incoming_requests().enumerate() {
            let path = request.url().to_string();
            let mut body = Vec::new();
            request.as_reader().read_to_end(&mut body).unwrap();
            let framed = FinalBatchProof::from_frame(&body).is_ok();
            let (mut status, delay) = script(i);
            if status == 200 && accepted.contains(&path) {
                status = 409;
            }
            if !framed {
                status = 400;
            }
            if status == 200 {
                accepted.push(path.clone());
            }
            l.lock().unwrap().push((path, status));
            // Answer from another thread so a slow answer does not hold up the next request.
            std::thread::spawn(move || {
                std::thread::sleep(delay);
                let _ = request.respond(tiny_http::Response::empty(status));
            });
        }
    });
    (url, log)
}

fn fast(max_attempts: Option<u32>) -> RetryPolicy {
    RetryPolicy {
        initial: Duration::from_millis(10),
        max: Duration::from_millis(50),
        max_attempts,
    }
}

#[test]
fn retries_5xx_and_timeouts_then_delivers_once_and_is_idempotent() {
    let (url, log) = core(Box::new(|i| match i {
        0 | 1 => (500, Duration::ZERO),
        2 => (503, Duration::ZERO),
        // Answers too late: the client has timed out and retries.
        3 => (200, Duration::from_millis(800)),
        _ => (200, Duration::ZERO),
    }));
    let mut sink = CoreHttpSink::new(&url, Duration::from_millis(300), fast(None)).unwrap();
    sink.deliver(&proof(5)).unwrap();
    // The late answer to request 3 was accepted server-side; the retry gets 409, which is success.
    let statuses: Vec<u16> = log.lock().unwrap().iter().map(|(_, s)| *s).collect();
    assert_eq!(statuses, vec![500, 500, 503, 200, 409]);
    assert!(log
        .lock()
        .unwrap()
        .iter()
        .all(|(p, _)| p == "/submit_proof/5"));
    assert_eq!(sink.retries(), 4);
    // Submitting the same batch again (a restart) is harmless.
    sink.deliver(&proof(5)).unwrap();
    assert_eq!(log.lock().unwrap().last().unwrap().1, 409);
    sink.deliver(&proof(6)).unwrap();
    assert_eq!(
        log.lock().unwrap().last().unwrap(),
        &("/submit_proof/6".to_string(), 200)
    );
}

#[test]
fn a_4xx_is_a_permanent_refusal_and_bounded_retries_give_up() {
    let (url, _) = core(Box::new(|_| (403, Duration::ZERO)));
    let mut sink = CoreHttpSink::new(&url, Duration::from_secs(5), fast(None)).unwrap();
    match sink.deliver(&proof(1)) {
        Err(SinkError::Refused { status, batch, .. }) => assert_eq!((status, batch), (403, 1)),
        other => panic!("{other:?}"),
    }
    let (url, log) = core(Box::new(|_| (502, Duration::ZERO)));
    let mut sink = CoreHttpSink::new(&url, Duration::from_secs(5), fast(Some(3))).unwrap();
    match sink.deliver(&proof(2)) {
        Err(SinkError::GaveUp { attempts, last, .. }) => {
            assert_eq!(attempts, 3);
            assert!(last.contains("502"), "{last}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(log.lock().unwrap().len(), 3);
    // A core that is not there at all: transport errors, retried, then given up.
    let mut sink =
        CoreHttpSink::new("http://127.0.0.1:9", Duration::from_secs(1), fast(Some(2))).unwrap();
    assert!(matches!(
        sink.deliver(&proof(3)),
        Err(SinkError::GaveUp { attempts: 2, .. })
    ));
    assert!(CoreHttpSink::new("ftp://core", Duration::from_secs(1), fast(None)).is_err());
    let ca_over_http = CoreAccess {
        ca_file: Some("ca.pem".into()),
        ..CoreAccess::default()
    };
    assert!(
        CoreHttpSink::with_access(&url, Duration::from_secs(1), fast(None), ca_over_http).is_err()
    );
}

/// A CA and a certificate for 127.0.0.1 signed by it (openssl's command line), in `dir`: the paths
/// of the CA certificate, the server certificate and its key.
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    let openssl = |args: &[&str]| {
        let o = Command::new("openssl")
            .args(args)
            .current_dir(dir)
            .output()
            .expect("openssl");
        assert!(
            o.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    };
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=zkstream test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "core.key",
        "-out",
        "core.csr",
        "-subj",
        "/CN=127.0.0.1",
    ]);
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(&[
        "x509",
        "-req",
        "-in",
        "core.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "core.pem",
        "-days",
        "2",
        "-extfile",
        "san.ext",
    ]);
    (
        dir.join("ca.pem"),
        dir.join("core.pem"),
        dir.join("core.key"),
    )
}

/// The core stub of ops/core-stub.py (a real https peer: Python's ssl) on a free port.
fn https_core(dir: &Path, token: &str, busy_first: u32, retry_after_s: u32) -> (String, Child) {
    let (_, cert, key) = certificates(dir);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let stub = concat!(env!("CARGO_MANIFEST_DIR"), "/../ops/core-stub.py");
    let child = Command::new("python3")
        .arg(stub)
        .args(["--port", &port.to_string(), "--dir"])
        .arg(dir.join("received"))
        .arg("--tls-cert")
        .arg(cert)
        .arg("--tls-key")
        .arg(key)
        .args(["--token", token, "--busy-first", &busy_first.to_string()])
        .args(["--retry-after", &retry_after_s.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the core stub did not start"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (format!("https://127.0.0.1:{port}"), child)
}

/// https to a core behind a private CA, with a bearer token: a busy core's `Retry-After` is honoured
/// (the wait is the core's, not the 10-ms backoff), the proof arrives once; a wrong token is a
/// permanent refusal; without the CA the certificate is not trusted.
#[test]
fn https_with_a_private_ca_and_a_token_honours_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let (url, child) = https_core(dir.path(), "s3cret", 1, 2);
    let mut child = Reaped(child);
    let access = |token: &str, ca: bool| CoreAccess {
        token: Some(token.into()),
        ca_file: ca.then(|| dir.path().join("ca.pem")),
    };
    let mut sink = CoreHttpSink::with_access(
        &url,
        Duration::from_secs(5),
        fast(None),
        access("s3cret", true),
    )
    .unwrap();
    let t = Instant::now();
    sink.deliver(&proof(1)).unwrap();
    assert!(
        t.elapsed() >= Duration::from_secs(2),
        "Retry-After ignored: {:?}",
        t.elapsed()
    );
    assert_eq!((sink.submissions(), sink.retries()), (2, 1));
    assert!(dir.path().join("received/batch-1.proof").exists());
    // A resubmission is idempotent (409).
    sink.deliver(&proof(1)).unwrap();

    let mut wrong = CoreHttpSink::with_access(
        &url,
        Duration::from_secs(5),
        fast(None),
        access("guess", true),
    )
    .unwrap();
    match wrong.deliver(&proof(2)) {
        Err(SinkError::Refused {
            status: 401, body, ..
        }) => {
            assert!(body.contains("credentials refused"), "{body}")
        }
        other => panic!("{other:?}"),
    }
    let mut untrusted = CoreHttpSink::with_access(
        &url,
        Duration::from_secs(5),
        fast(Some(1)),
        access("s3cret", false),
    )
    .unwrap();
    match untrusted.deliver(&proof(2)) {
        Err(SinkError::GaveUp { last, .. }) => {
            assert!(last.to_lowercase().contains("certificate"), "{last}")
        }
        other => panic!("{other:?}"),
    }
    let _ = child.0.kill();
}

/// A child process killed on drop.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
