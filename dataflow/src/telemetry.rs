//! One process's telemetry: the Prometheus [`Metrics`] and the live [`OpsViews`], fed from one place for
//! batch-level events (read, delivered, failed) so `run` and `demo` count the same way. Also opens the
//! per-batch tracing span.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use zkstream_sources::{LagProbe, PartitionWatch};

use zkstream_operators::pool::PoolObserver;

use crate::lifecycle::{Health, Ready};
use crate::metrics::{Metrics, MetricsError, Observers};
use crate::views::OpsViews;

/// Errors starting the telemetry.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    /// The metrics registry failed.
    #[error(transparent)]
    Metrics(#[from] MetricsError),
    /// The views' thread could not start.
    #[error("starting the live views: {0}")]
    Views(#[from] std::io::Error),
}

impl TelemetryError {
    /// Whether trying again can help (the metrics' answer; the live views' thread may start later).
    pub fn is_retryable(&self) -> bool {
        match self {
            TelemetryError::Metrics(e) => e.is_retryable(),
            TelemetryError::Views(_) => true,
        }
    }
}

/// Metrics, views and the batch clock of one process.
pub struct Telemetry {
    /// The Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// The live differential views (queue depth, oldest unproven batch).
    pub views: Arc<OpsViews>,
    /// What `/healthz` and `/readyz` answer.
    pub health: Arc<Health>,
    read_at: Mutex<BTreeMap<u64, Instant>>,
}

impl Telemetry {
    /// Starts the views over the process's metrics (created, and possibly served, before the keys
    /// were ready); `first_batch` is where delivery starts.
    pub fn start(
        metrics: Arc<Metrics>,
        health: Arc<Health>,
        first_batch: u64,
    ) -> Result<Arc<Self>, TelemetryError> {
        let views = OpsViews::start(first_batch, Some(Arc::clone(&metrics)))?;
        Ok(Arc::new(Telemetry {
            metrics,
            views,
            health,
            read_at: Mutex::default(),
        }))
    }

    /// The pool observers: metrics (timings, counters) and views (job states), plus `extra`.
    pub fn observer(&self, extra: Vec<Arc<dyn PoolObserver>>) -> Arc<dyn PoolObserver> {
        let mut all: Vec<Arc<dyn PoolObserver>> = vec![
            Arc::clone(&self.metrics) as Arc<dyn PoolObserver>,
            Arc::clone(&self.views) as Arc<dyn PoolObserver>,
        ];
        all.extend(extra);
        Arc::new(Observers(all))
    }

    /// A record of batch `n` was read (the first read of a batch starts its latency clock).
    pub fn batch_read(&self, n: u64) {
        let mut read_at = self.read_at.lock().unwrap_or_else(|p| p.into_inner());
        if read_at.contains_key(&n) {
            return;
        }
        read_at.insert(n, Instant::now());
        tracing::info_span!("batch", batch = n).in_scope(|| tracing::debug!("batch read"));
        self.metrics.batches_received.inc();
        self.views.batch_read(n);
    }

    /// Batch `n`'s final proof was delivered to every sink.
    pub fn batch_delivered(&self, n: u64) {
        let read = self
            .read_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&n);
        self.metrics.batches_completed.inc();
        if let Some(t) = read {
            self.metrics
                .batch_latency_seconds
                .observe(t.elapsed().as_secs_f64());
        }
        self.views.batch_closed(n);
    }

    /// Batch `n` became a gap (refused, failed, or its proof did not verify).
    pub fn batch_failed(&self, n: u64) {
        self.read_at
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&n);
        self.views.batch_closed(n);
    }
}

/// How long a partition holds a batch with no release before the warning that names it.
const STALL_WARNING: Duration = Duration::from_secs(60);

/// The thread that keeps `zkstream_kafka_consumer_lag` and the held-partition gauges current; stops
/// (after one last reading) on drop.
pub struct LagWatcher {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Telemetry {
    /// Reads the group's lag (reported by process 0 of a cluster only: `report_lag`) and the
    /// partitions this process's readers hold back every `every` (and once more when the watcher is
    /// dropped). Whether the lag could be read is the broker's readiness (`/readyz`). A partition that has held a batch for a minute with no
    /// release is logged as a warning naming it.
    pub fn watch_lag(
        self: &Arc<Self>,
        probe: LagProbe,
        report_lag: bool,
        held: PartitionWatch,
        every: Duration,
    ) -> LagWatcher {
        let stop = Arc::new(AtomicBool::new(false));
        let (flag, telemetry) = (Arc::clone(&stop), Arc::clone(self));
        let handle = std::thread::Builder::new()
            .name("zkstream-lag".into())
            .spawn(move || {
              let mut warned = std::collections::BTreeSet::new();
              let mut reported = std::collections::BTreeSet::new();
              loop {
                let last = flag.load(Ordering::Acquire);
                let mut partitions = Vec::new();
                telemetry.health.beat("lag");
                match probe.lag() {
                    Ok(lags) => {
                        telemetry.health.set(Ready::Broker, true);
                        for (p, lag) in lags.into_iter().filter(|_| report_lag) {
                            telemetry.metrics.set_consumer_lag(p, lag);
                            partitions.push(p);
                        }
                    }
                    Err(e) => {
                        telemetry.health.set(Ready::Broker, false);
                        tracing::debug!(error = %e, "consumer lag not read");
                    }
                }
                let now_held = held.held();
                // Every partition ever reported keeps being reported (a released one reads 0).
                reported.extend(now_held.keys());
                partitions.extend(reported.iter());
                partitions.sort_unstable();
                partitions.dedup();
                telemetry.metrics.set_held_partitions(partitions, &now_held);
                for (p, h) in &now_held {
                    let stalled = h.stalled_since.elapsed();
                    if stalled >= STALL_WARNING && !warned.contains(&(*p, h.batch)) {
                        tracing::warn!(
                            partition = p,
                            batch = h.batch,
                            stalled_s = stalled.as_secs(),
                            "partition stalled: it holds a batch beyond the in-flight limit and the \
                             sink released nothing since; a batch below it may be behind it in the \
                             partition (the producer broke the partition contract)"
                        );
                        warned.insert((*p, h.batch));
                    }
                }
                if last {
                    telemetry.health.stopped("lag");
                    break;
                }
                let until = Instant::now() + every;
                while Instant::now() < until && !flag.load(Ordering::Acquire) {
                    std::thread::sleep(Duration::from_millis(50));
                }
              }
            })
            .ok();
        LagWatcher { stop, handle }
    }
}

impl Drop for LagWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
