//! The core sink: `POST {url}/submit_proof/{batch_number}` with the framed final proof
//! (`application/octet-stream`, header `x-zkstream-batch`). The core is idempotent per batch number, so
//! a resubmission after a crash is harmless: `2xx` and `409 Conflict` (already have it) both count as
//! accepted. `5xx`, `408`, `425`, `429` and transport errors (refused, reset, timeout) are retried with
//! capped exponential backoff for as long as the policy allows (by default: forever — the sink never skips
//! a batch). Any other `4xx` is a permanent refusal and stops delivery with [`SinkError::Refused`].
//! With a fencing epoch set ([`ProofSink::set_epoch`]) each request carries it as `x-zkstream-epoch`; a
//! core that checks it answers `412 Precondition Failed` to an epoch older than one it has seen, which
//! stops delivery with [`SinkError::Fenced`] (a newer process delivers now).
//! A `429` or `503` with a `Retry-After` of N seconds waits N seconds (at most
//! [`crate::retry::MAX_ASKED_WAIT`]) instead of the backoff.
//!
//! `https://` uses rustls with the system's roots plus, if given, a private CA's certificates
//! ([`CoreAccess::ca_file`]); a bearer token ([`CoreAccess::token`]) goes with every request as
//! `Authorization: Bearer`, and a core that refuses it (`401`, `403`) stops delivery like any other
//! permanent refusal.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use zkstream_types::FinalBatchProof;

use crate::error::frame;
use crate::{ProofSink, RetryPolicy, SinkError};

/// What one attempt came to.
enum Attempt {
    Accepted(u16),
    /// Worth another try; the wait the core asked for, if it did.
    Transient(String, Option<Duration>),
    Refused(u16, String),
    Fenced(String),
}

/// How the sink reaches the core beyond its URL.
#[derive(Clone, Default)]
pub struct CoreAccess {
    /// Sent as `Authorization: Bearer <token>` with every request.
    pub token: Option<String>,
    /// PEM certificates to trust for an `https://` core besides the system's roots (a private CA).
    pub ca_file: Option<PathBuf>,
}

impl std::fmt::Debug for CoreAccess {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CoreAccess")
            .field("token", &self.token.as_ref().map(|_| "<redacted>"))
            .field("ca_file", &self.ca_file)
            .finish()
    }
}

/// Submits final proofs to the core's HTTP endpoint.
pub struct CoreHttpSink {
    base: String,
    agent: ureq::Agent,
    retry: RetryPolicy,
    token: Option<String>,
    submissions: u64,
    retries: u64,
    epoch: Option<u64>,
}

impl CoreHttpSink {
    /// A sink for the core at `base` (e.g. `http://127.0.0.1:3320`); each request times out after
    /// `timeout`.
    pub fn new(base: &str, timeout: Duration, retry: RetryPolicy) -> Result<Self, SinkError> {
        Self::with_access(base, timeout, retry, CoreAccess::default())
    }

    /// [`CoreHttpSink::new`] with a token and trusted certificates (`https://`).
    pub fn with_access(
        base: &str,
        timeout: Duration,
        retry: RetryPolicy,
        access: CoreAccess,
    ) -> Result<Self, SinkError> {
        let config =
            |reason: String| SinkError::Config(format!("sink.core.url {base:?}: {reason}"));
        let parsed = url::Url::parse(base).map_err(|e| config(e.to_string()))?;
        let mut agent = ureq::AgentBuilder::new().timeout(timeout);
        match parsed.scheme() {
            "https" => agent = agent.tls_config(tls_config(access.ca_file.as_deref())?),
            "http" => {
                if access.ca_file.is_some() {
                    return Err(config("a ca_file needs an https:// URL".into()));
                }
                if access.token.is_some() {
                    tracing::warn!(
                        url = base,
                        "the core sink sends its bearer token over plain http"
                    );
                }
            }
            other => return Err(config(format!("{other}:// is not http:// or https://"))),
        }
        Ok(CoreHttpSink {
            base: base.trim_end_matches('/').to_string(),
            agent: agent.build(),
            retry,
            token: access.token,
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
        if let Some(token) = &self.token {
            request = request.set("authorization", &format!("Bearer {token}"));
        }
        let sent = request.send_bytes(body);
        match sent {
            Ok(response) => Attempt::Accepted(response.status()),
            Err(ureq::Error::Status(409, _)) => Attempt::Accepted(409),
            Err(ureq::Error::Status(code, response)) => {
                // Delta-seconds only (an HTTP date falls back to the backoff).
                let asked = response
                    .header("retry-after")
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .filter(|_| matches!(code, 429 | 503))
                    .map(Duration::from_secs);
                let mut text = response.into_string().unwrap_or_default();
                text.truncate(200);
                if code == 412 && self.epoch.is_some() {
                    Attempt::Fenced(text)
                } else if code >= 500 || matches!(code, 408 | 425 | 429) {
                    Attempt::Transient(format!("HTTP {code}: {text}"), asked)
                } else if matches!(code, 401 | 403) {
                    Attempt::Refused(
                        code,
                        format!("credentials refused ([sink.core] token): {text}"),
                    )
                } else {
                    Attempt::Refused(code, text)
                }
            }
            Err(ureq::Error::Transport(t)) => Attempt::Transient(t.to_string(), None),
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
                Attempt::Transient(error, asked) => {
                    self.retry
                        .wait_at_least_or_give_up("core", batch, attempt, error, asked)?;
                    self.retries += 1;
                }
            }
        }
    }
}

/// rustls with the system's roots and `ca_file`'s certificates (a core behind a private CA).
fn tls_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, SinkError> {
    let mut roots = rustls::RootCertStore::empty();
    let native = rustls_native_certs::load_native_certs();
    for cert in native.certs {
        // A system root rustls cannot parse is skipped, as every rustls client does.
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let bad = |reason: String| {
            SinkError::Config(format!("sink.core.ca_file {}: {reason}", path.display()))
        };
        let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
        let mut added = 0;
        for cert in rustls_pemfile::certs(&mut &pem[..]) {
            let cert = cert.map_err(|e| bad(e.to_string()))?;
            roots.add(cert).map_err(|e| bad(e.to_string()))?;
            added += 1;
        }
        if added == 0 {
            return Err(bad("no PEM certificate in it".into()));
        }
    }
    if roots.is_empty() {
        return Err(SinkError::Config(
            "sink.core: https:// needs trusted roots: the system has none; set ca_file".into(),
        ));
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SinkError::Config(format!("sink.core: TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}
