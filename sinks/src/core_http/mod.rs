//! The core sink: `POST {url}/submit_proof/{batch_number}` with the framed final proof
//! (`application/octet-stream`, header `x-zkstream-batch`). The core is idempotent per batch number, so
//! a resubmission after a crash is harmless: `2xx` and `409 Conflict` (already have it) both count as
//! accepted. `5xx`, `408`, `425`, `429` and transport errors (refused, reset, timeout) are retried with
//! capped exponential backoff for as long as the policy allows (by default: forever — the sink never skips
//! a batch). Any other `4xx` is a permanent refusal and stops delivery with [`SinkError::Refused`].
//! With a fencing epoch set ([`ProofSink::set_epoch`]) each request carries it as `x-zkstream-epoch`; a
//! core that checks it answers `412 Precondition Failed` to an epoch older than one it has seen, which
//! stops delivery with [`SinkError::Fenced`] (a newer process delivers now).
//! Plain `http://` only (the core endpoint sits next to the prover); put TLS in a sidecar.

use std::time::Duration;

use zkstream_types::FinalBatchProof;

use crate::error::frame;
use crate::{ProofSink, RetryPolicy, SinkError};

/// What one attempt came to.
enum Attempt {
    Accepted(u16),
    Transient(String),
    Refused(u16, String),
    Fenced(String),
}

/// Submits final proofs to the core's HTTP endpoint.
pub struct CoreHttpSink {
    base: String,
    agent: ureq::Agent,
    retry: RetryPolicy,
    submissions: u64,
    retries: u64,
    epoch: Option<u64>,
}

impl CoreHttpSink {
    /// A sink for the core at `base` (e.g. `http://127.0.0.1:3320`); each request times out after
    /// `timeout`.
    pub fn new(base: &str, timeout: Duration, retry: RetryPolicy) -> Result<Self, SinkError> {
        let parsed = url::Url::parse(base)
            .map_err(|e| SinkError::Config(format!("sink.core.url {base:?}: {e}")))?;
        if parsed.scheme() != "http" {
            return Err(SinkError::Config(format!(
                "sink.core.url {base:?}: only http:// is supported (terminate TLS in a sidecar)"
            )));
        }
        Ok(CoreHttpSink {
            base: base.trim_end_matches('/').to_string(),
            agent: ureq::AgentBuilder::new().timeout(timeout).build(),
            retry,
            submissions: 0,
            retries: 0,
            epoch: None,
        })
    }

    /// The endpoint a batch goes to.
    pub fn endpoint(&self, batch_number: u64) -> String {
        format!("{}/submit_proof/{batch_number}", self.base)
    }

    /// Requests sent so far (accepted or not).
    pub fn submissions(&self) -> u64 {
        self.submissions
    }

    /// Attempts that failed transiently and were retried.
    pub fn retries(&self) -> u64 {
        self.retries
    }

    fn attempt(&mut self, url: &str, batch: u64, body: &[u8]) -> Attempt {
        self.submissions += 1;
        let mut request = self
            .agent
            .post(url)
            .set("content-type", "application/octet-stream")
            .set("x-zkstream-batch", &batch.to_string());
        if let Some(epoch) = self.epoch {
            request = request.set("x-zkstream-epoch", &epoch.to_string());
        }
        let sent = request.send_bytes(body);
        match sent {
            Ok(response) => Attempt::Accepted(response.status()),
            Err(ureq::Error::Status(409, _)) => Attempt::Accepted(409),
            Err(ureq::Error::Status(code, response)) => {
                let mut text = response.into_string().unwrap_or_default();
                text.truncate(200);
                if code == 412 && self.epoch.is_some() {
                    Attempt::Fenced(text)
                } else if code >= 500 || matches!(code, 408 | 425 | 429) {
                    Attempt::Transient(format!("HTTP {code}: {text}"))
                } else {
                    Attempt::Refused(code, text)
                }
            }
            Err(ureq::Error::Transport(t)) => Attempt::Transient(t.to_string()),
        }
    }
}

impl ProofSink for CoreHttpSink {
    fn name(&self) -> &str {
        "core"
    }

    fn set_epoch(&mut self, epoch: u64) {
        self.epoch = Some(epoch);
    }

    fn deliver(&mut self, proof: &FinalBatchProof) -> Result<(), SinkError> {
        let batch = proof.batch_number;
        let body = frame(proof)?;
        let url = self.endpoint(batch);
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            match self.attempt(&url, batch, &body) {
                Attempt::Accepted(status) => {
                    tracing::info!(batch, status, attempt, "core accepted the proof");
                    return Ok(());
                }
                Attempt::Refused(status, body) => {
                    return Err(SinkError::Refused {
                        url,
                        batch,
                        status,
                        body,
                    })
                }
                Attempt::Fenced(reason) => {
                    return Err(SinkError::Fenced {
                        sink: "core".into(),
                        batch,
                        epoch: self.epoch.unwrap_or_default(),
                        reason,
                    })
                }
                Attempt::Transient(error) => {
                    self.retry.wait_or_give_up("core", batch, attempt, error)?;
                    self.retries += 1;
                }
            }
        }
    }
}
