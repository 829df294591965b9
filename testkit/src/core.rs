//! The core's proof endpoint (`POST /submit_proof/N`) as a test double: it decodes each body as the real
//! core does, answers 500 to the first requests when asked, 503 during an outage, 412 to a fencing epoch
//! (`x-zkstream-epoch`) older than the newest it has seen, 409 for a batch it already has, and records
//! every request and accepted proof.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use zkstream_types::{FinalBatchProof, Framed};

/// The core's proof endpoint, in the test: answers 500 to the first `fail_first` requests and 503 while
/// `outage` is set, then 200 for a new batch and 409 for one it already has.
#[derive(Clone)]
pub struct Core {
    /// Base URL.
    pub url: String,
    /// Every request: (batch, status). 412: an older fencing epoch than one already seen.
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
        let mut newest_epoch = 0u64;
        std::thread::spawn(move || {
            for mut request in server.incoming_requests() {
                let batch: u64 = request
                    .url()
                    .strip_prefix("/submit_proof/")
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                let epoch: Option<u64> = request
                    .headers()
                    .iter()
                    .find(|h| h.field.equiv("x-zkstream-epoch"))
                    .and_then(|h| h.value.as_str().parse().ok());
                let mut body = Vec::new();
                let _ = request.as_reader().read_to_end(&mut body);
                let status = if seen.fetch_add(1, Ordering::SeqCst) < fail_first {
                    500
                } else if c.outage.load(Ordering::SeqCst) {
                    503
                } else if epoch.is_some_and(|e| e < newest_epoch) {
                    412
                } else {
                    newest_epoch = newest_epoch.max(epoch.unwrap_or(0));
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
