//! Retry with capped exponential backoff, shared by the network sinks.

use std::time::Duration;

use crate::SinkError;

/// The longest wait a peer's `Retry-After` can impose on one attempt.
pub const MAX_ASKED_WAIT: Duration = Duration::from_secs(600);

/// How a sink retries transient failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The first wait.
    pub initial: Duration,
    /// The longest wait.
    pub max: Duration,
    /// Give up after this many attempts (`None`: never — the default, a sink never skips a batch).
    pub max_attempts: Option<u32>,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(30),
            max_attempts: None,
        }
    }
}

impl RetryPolicy {
    /// The wait after failed attempt `attempt` (1-based).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32 << attempt.saturating_sub(1).min(16);
        self.initial.saturating_mul(factor).min(self.max)
    }

    /// Whether another attempt is allowed after `attempt` failed ones.
    pub fn allows(&self, attempt: u32) -> bool {
        self.max_attempts.is_none_or(|m| attempt < m)
    }

    /// After failed attempt `attempt` of `sink` on `batch`: waits the backoff and returns `Ok` to try
    /// again, or returns [`SinkError::GaveUp`] when the policy allows no more attempts.
    pub(crate) fn wait_or_give_up(
        &self,
        sink: &str,
        batch: u64,
        attempt: u32,
        error: String,
    ) -> Result<(), SinkError> {
        self.wait_at_least_or_give_up(sink, batch, attempt, error, None)
    }

    /// [`RetryPolicy::wait_or_give_up`], waiting `asked` instead of the backoff when the peer said how
    /// long to wait (HTTP `Retry-After`; 0 means the backoff), up to [`MAX_ASKED_WAIT`].
    pub(crate) fn wait_at_least_or_give_up(
        &self,
        sink: &str,
        batch: u64,
        attempt: u32,
        error: String,
        asked: Option<Duration>,
    ) -> Result<(), SinkError> {
        if !self.allows(attempt) {
            return Err(SinkError::GaveUp {
                sink: sink.to_string(),
                batch,
                attempts: attempt,
                last: error,
            });
        }
        let wait = asked
            .filter(|a| !a.is_zero())
            .map(|a| a.min(MAX_ASKED_WAIT))
            .unwrap_or_else(|| self.backoff(attempt));
        tracing::warn!(sink, batch, attempt, %error, ?wait, "delivery failed; retrying");
        std::thread::sleep(wait);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let p = RetryPolicy {
            initial: Duration::from_millis(100),
            max: Duration::from_millis(500),
            max_attempts: Some(4),
        };
        let waits: Vec<u128> = (1..=5).map(|a| p.backoff(a).as_millis()).collect();
        assert_eq!(waits, vec![100, 200, 400, 500, 500]);
        assert!(p.allows(3));
        assert!(!p.allows(4));
        assert!(RetryPolicy::default().allows(u32::MAX - 1));
    }
}
