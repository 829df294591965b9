//! Prometheus metrics of a zkstream process and the `/metrics` endpoint (text format), served by its own
//! thread so a scrape never touches a timely worker. Names start with `zkstream_`; labels are bounded
//! (rounds, circuit types, sink names, a fixed set of dead-letter reasons).
//!
//! The prover pool reports job events through [`PoolObserver`]; the sink thread and the run loop call the
//! `record_*` methods. Beside its own metrics the registry carries `zkstream_build_info` and the
//! process's `process_*` metrics (CPU, resident memory, open files), and the endpoint also answers
//! `/healthz` and `/readyz` ([`crate::lifecycle::Health`]) from the moment the process starts.

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus::{
    Encoder, Gauge, Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};
use zkstream_operators::model::Job;
use zkstream_operators::pool::{JobEnd, JobError, PoolObserver, SlotInfo, Work};
use zkstream_prover::SlotKind;
use zkstream_types::{real_type_name, AggregationRound, RejectReason, REAL_TYPES};

use crate::lifecycle::Health;

/// Errors creating or serving metrics.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// A metric could not be registered.
    #[error("registering metrics: {0}")]
    Register(#[from] prometheus::Error),
    /// The endpoint could not bind its address.
    #[error("serving /metrics on {addr}: {reason}")]
    Bind {
        /// The address.
        addr: String,
        /// Why.
        reason: String,
    },
}

impl MetricsError {
    /// Whether trying again can help: an address in use may be freed; a metric that does not
    /// register is a bug.
    pub fn is_retryable(&self) -> bool {
        matches!(self, MetricsError::Bind { .. })
    }
}

/// Every metric of the process.
pub struct Metrics {
    registry: Registry,
    /// Batches read from the source and accepted by decode.
    pub batches_received: IntCounter,
    /// Batches whose final proof every sink acknowledged.
    pub batches_completed: IntCounter,
    proofs_generated: IntCounterVec,
    proofs_reused: IntCounterVec,
    prove_seconds: HistogramVec,
    stage_wait_seconds: HistogramVec,
    inflight_jobs: IntGaugeVec,
    queued_jobs: IntGaugeVec,
    queue_depth: IntGaugeVec,
    depth_series: Mutex<BTreeSet<(String, String)>>,
    /// The lowest batch read and not yet delivered (maintained by the live views).
    pub oldest_unproven_batch: IntGauge,
    /// How long ago the oldest unproven batch was read (0 when none is open).
    pub oldest_unproven_age_seconds: Gauge,
    /// Seconds from a batch being read to its proof being delivered.
    pub batch_latency_seconds: Histogram,
    kafka_consumer_lag: IntGaugeVec,
    partition_held_batch: IntGaugeVec,
    partition_stalled_seconds: IntGaugeVec,
    dlq_total: IntCounterVec,
    sink_submissions_total: IntCounterVec,
    verification_failures_total: IntCounterVec,
    job_retries_total: IntCounterVec,
    store_retries_total: IntCounterVec,
    /// Intermediate proofs of delivered batches deleted by retention.
    pub store_deleted_objects_total: IntCounter,
    /// Their bytes.
    pub store_deleted_bytes_total: IntCounter,
    prover_slots: IntGaugeVec,
    aggregation_runs_total: IntCounterVec,
    /// Users' proofs in published aggregation runs.
    pub aggregation_proofs_total: IntCounter,
    /// Valid users' proofs waiting for the next aggregation run.
    pub aggregation_waiting_proofs: IntGauge,
    /// Seconds to prove one aggregation run (its whole tree) and build its record.
    pub aggregation_run_seconds: Histogram,
    build_info: IntGaugeVec,
    /// 1 once every key of the process is loaded or computed, 0 before. In aggregation mode, 1 once
    /// the key store is open: the user-proof circuits' setups depend on the programs of a run and are
    /// computed when a run first needs them.
    pub keys_ready: IntGauge,
    /// Circuits whose keys are ready (of [`Metrics::keys_circuits`]), while keys are set up.
    pub keys_prepared: IntGauge,
    /// Circuits whose keys the process needs.
    pub keys_circuits: IntGauge,
}

/// Proving-time buckets: a test-profile basic proof takes ~0.5 s, a production recursion step ~20 s.
const PROVE_BUCKETS: [f64; 12] = [
    0.1, 0.25, 0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 30.0, 60.0, 120.0, 300.0,
];
/// Aggregation run buckets: a production run proves hundreds of proofs in several hours.
const RUN_BUCKETS: [f64; 12] = [
    60.0, 300.0, 900.0, 1800.0, 3600.0, 7200.0, 10800.0, 14400.0, 21600.0, 28800.0, 43200.0,
    86400.0,
];
/// Batch latency buckets (a batch takes tens of seconds to minutes).
const LATENCY_BUCKETS: [f64; 12] = [
    1.0, 5.0, 10.0, 20.0, 40.0, 60.0, 120.0, 240.0, 480.0, 900.0, 1800.0, 3600.0,
];

impl Metrics {
    /// Creates and registers every metric.
    pub fn new() -> Result<Self, MetricsError> {
        let registry = Registry::new();
        let counter = |name: &str, help: &str| -> Result<IntCounter, MetricsError> {
            let c = IntCounter::new(name, help)?;
            registry.register(Box::new(c.clone()))?;
            Ok(c)
        };
        let counter_vec =
            |name: &str, help: &str, labels: &[&str]| -> Result<IntCounterVec, MetricsError> {
                let c = IntCounterVec::new(Opts::new(name, help), labels)?;
                registry.register(Box::new(c.clone()))?;
                Ok(c)
            };
        let gauge_vec =
            |name: &str, help: &str, labels: &[&str]| -> Result<IntGaugeVec, MetricsError> {
                let g = IntGaugeVec::new(Opts::new(name, help), labels)?;
                registry.register(Box::new(g.clone()))?;
                Ok(g)
            };
        let histogram_vec = |name: &str,
                             help: &str,
                             labels: &[&str],
                             buckets: &[f64]|
         -> Result<HistogramVec, MetricsError> {
            let h = HistogramVec::new(
                HistogramOpts::new(name, help).buckets(buckets.to_vec()),
                labels,
            )?;
            registry.register(Box::new(h.clone()))?;
            Ok(h)
        };
        let oldest_unproven_batch = IntGauge::new(
            "zkstream_oldest_unproven_batch",
            "The lowest batch number not yet delivered",
        )?;
        registry.register(Box::new(oldest_unproven_batch.clone()))?;
        let oldest_unproven_age_seconds = Gauge::new(
            "zkstream_oldest_unproven_age_seconds",
            "Seconds since the oldest unproven batch was read (0 when none is waiting)",
        )?;
        registry.register(Box::new(oldest_unproven_age_seconds.clone()))?;
        let batch_latency_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "zkstream_batch_latency_seconds",
                "From a batch being read to its final proof being delivered",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
        )?;
        registry.register(Box::new(batch_latency_seconds.clone()))?;
        let aggregation_waiting_proofs = IntGauge::new(
            "zkstream_aggregation_waiting_proofs",
            "Valid users' proofs waiting for the next aggregation run",
        )?;
        registry.register(Box::new(aggregation_waiting_proofs.clone()))?;
        let aggregation_run_seconds = Histogram::with_opts(
            HistogramOpts::new(
                "zkstream_aggregation_run_seconds",
                "Time to prove one aggregation run's tree and build its record",
            )
            .buckets(RUN_BUCKETS.to_vec()),
        )?;
        registry.register(Box::new(aggregation_run_seconds.clone()))?;
        let gauge = |name: &str, help: &str| -> Result<IntGauge, MetricsError> {
            let g = IntGauge::new(name, help)?;
            registry.register(Box::new(g.clone()))?;
            Ok(g)
        };
        let keys_ready = gauge(
            "zkstream_keys_ready",
            "1 once every setup and verification key is loaded or computed",
        )?;
        let keys_prepared = gauge(
            "zkstream_keys_prepared",
            "Circuits whose keys are ready (of zkstream_keys_circuits) while keys are set up",
        )?;
        let keys_circuits = gauge(
            "zkstream_keys_circuits",
            "Circuits whose keys this process needs",
        )?;
        let build_info = gauge_vec(
            "zkstream_build_info",
            "Always 1: the version, the protocol version, and the VK-set commitment once keys are ready",
            &["version", "protocol_version", "vk_set"],
        )?;
        // The process collector reads /proc: on another system it exports nothing.
        registry.register(Box::new(
            prometheus::process_collector::ProcessCollector::for_self(),
        ))?;
        let metrics = Metrics {
            batches_received: counter(
                "zkstream_batches_received_total",
                "Batches read and decoded",
            )?,
            batches_completed: counter(
                "zkstream_batches_completed_total",
                "Batches whose final proof every sink acknowledged",
            )?,
            proofs_generated: counter_vec(
                "zkstream_proofs_generated_total",
                "Proofs generated by this process",
                &["round", "circuit"],
            )?,
            proofs_reused: counter_vec(
                "zkstream_proofs_reused_total",
                "Proving jobs answered by a verifying artifact already in the store",
                &["round", "circuit"],
            )?,
            prove_seconds: histogram_vec(
                "zkstream_prove_seconds",
                "Time to generate one proof",
                &["round", "circuit", "slot_kind"],
                &PROVE_BUCKETS,
            )?,
            stage_wait_seconds: histogram_vec(
                "zkstream_stage_wait_seconds",
                "From a job being ready to a prover picking it up",
                &["round"],
                &PROVE_BUCKETS,
            )?,
            inflight_jobs: gauge_vec(
                "zkstream_inflight_jobs",
                "Jobs being proved now",
                &["round"],
            )?,
            queued_jobs: gauge_vec(
                "zkstream_queued_jobs",
                "Jobs ready and waiting for a prover",
                &["round"],
            )?,
            queue_depth: gauge_vec(
                "zkstream_queue_depth",
                "Jobs ready and waiting for a prover, per round and circuit",
                &["round", "circuit"],
            )?,
            depth_series: Mutex::default(),
            oldest_unproven_batch,
            oldest_unproven_age_seconds,
            batch_latency_seconds,
            kafka_consumer_lag: gauge_vec(
                "zkstream_kafka_consumer_lag",
                "Records behind the end of the partition",
                &["partition"],
            )?,
            partition_held_batch: gauge_vec(
                "zkstream_source_partition_held_batch",
                "The batch a reader holds back at the in-flight gate (its partition is paused); 0 when none",
                &["partition"],
            )?,
            partition_stalled_seconds: gauge_vec(
                "zkstream_source_partition_stalled_seconds",
                "How long a partition has held a batch while the ordered sink released nothing (a \
                 far-future batch ahead of lower ones in its partition stalls it for good)",
                &["partition"],
            )?,
            dlq_total: counter_vec(
                "zkstream_dlq_total",
                "Records sent to the dead-letter topic",
                &["reason"],
            )?,
            sink_submissions_total: counter_vec(
                "zkstream_sink_submissions_total",
                "Final proofs handed to a sink",
                &["sink", "result"],
            )?,
            verification_failures_total: counter_vec(
                "zkstream_verification_failures_total",
                "Proofs or artifacts that failed verification",
                &["round"],
            )?,
            job_retries_total: counter_vec(
                "zkstream_job_retries_total",
                "Failed proving attempts that were retried",
                &["round"],
            )?,
            store_retries_total: counter_vec(
                "zkstream_store_retries_total",
                "Artifact store calls that failed in a way that may pass and were retried",
                &["op"],
            )?,
            store_deleted_objects_total: counter(
                "zkstream_store_deleted_objects_total",
                "Intermediate proofs of delivered batches deleted from the artifact store (retention)",
            )?,
            store_deleted_bytes_total: counter(
                "zkstream_store_deleted_bytes_total",
                "Bytes of intermediate proofs deleted from the artifact store (retention)",
            )?,
            prover_slots: gauge_vec(
                "zkstream_prover_slots",
                "Prover slots of this process, by kind",
                &["kind"],
            )?,
            aggregation_runs_total: counter_vec(
                "zkstream_aggregation_runs_total",
                "Aggregation runs, by result (published or failed)",
                &["result"],
            )?,
            aggregation_proofs_total: counter(
                "zkstream_aggregation_proofs_total",
                "Users' proofs in published aggregation runs",
            )?,
            aggregation_waiting_proofs,
            aggregation_run_seconds,
            build_info,
            keys_ready,
            keys_prepared,
            keys_circuits,
            registry,
        };
        metrics.zero_series();
        Ok(metrics)
    }

    /// Creates every bounded label combination at 0, so a scrape shows each series from the start
    /// (a counter that appears only at its first increment makes `rate()` and alerts miss that event).
    fn zero_series(&self) {
        for round in AggregationRound::ALL {
            let r = round.name();
            let circuits: Vec<&str> = if round.number() <= AggregationRound::Node.number() {
                // The real family's types: the proofs these series count are its proofs.
                REAL_TYPES
                    .iter()
                    .filter_map(|&c| real_type_name(c))
                    .collect()
            } else {
                vec!["batch"]
            };
            for c in circuits {
                self.proofs_generated.with_label_values(&[r, c]);
                self.proofs_reused.with_label_values(&[r, c]);
            }
            self.job_retries_total.with_label_values(&[r]);
            self.verification_failures_total.with_label_values(&[r]);
            self.set_round_jobs(r, 0, 0);
        }
        self.verification_failures_total
            .with_label_values(&["final"]);
        for reason in RejectReason::LABELS {
            self.dlq_total.with_label_values(&[reason]);
        }
        for result in ["published", "failed"] {
            self.aggregation_runs_total.with_label_values(&[result]);
        }
        for op in ["get", "put", "check", "head", "list", "delete"] {
            self.store_retries_total.with_label_values(&[op]);
        }
    }

    /// An aggregation run ended: published with `proofs` users' proofs, or failed.
    pub fn record_aggregation_run(&self, published: bool, proofs: usize, seconds: f64) {
        let result = if published { "published" } else { "failed" };
        self.aggregation_runs_total
            .with_label_values(&[result])
            .inc();
        if published {
            self.aggregation_proofs_total.inc_by(proofs as u64);
            self.aggregation_run_seconds.observe(seconds);
        }
    }

    /// Sets `zkstream_build_info`: this binary's version, the protocol version the process proves, and
    /// the VK-set commitment (empty until the keys are ready, and in aggregation mode, which proves no
    /// batch).
    pub fn set_build_info(&self, protocol_version: u32, vk_set: Option<&str>) {
        self.build_info.reset();
        self.build_info
            .with_label_values(&[
                env!("CARGO_PKG_VERSION"),
                &protocol_version.to_string(),
                vk_set.unwrap_or(""),
            ])
            .set(1);
    }

    /// Declares a sink, so its submission counters exist (at 0) before its first proof.
    pub fn declare_sink(&self, sink: &str) {
        for result in ["ok", "error"] {
            self.sink_submissions_total
                .with_label_values(&[sink, result]);
        }
    }

    /// The name of every metric this process exports (histograms also export `_bucket`, `_sum`, `_count`).
    pub fn metric_names(&self) -> Vec<String> {
        use prometheus::core::Collector;
        let collectors: [&dyn Collector; 31] = [
            &self.batches_received,
            &self.batches_completed,
            &self.proofs_generated,
            &self.proofs_reused,
            &self.prove_seconds,
            &self.stage_wait_seconds,
            &self.inflight_jobs,
            &self.queued_jobs,
            &self.queue_depth,
            &self.oldest_unproven_batch,
            &self.oldest_unproven_age_seconds,
            &self.batch_latency_seconds,
            &self.kafka_consumer_lag,
            &self.partition_held_batch,
            &self.partition_stalled_seconds,
            &self.dlq_total,
            &self.sink_submissions_total,
            &self.verification_failures_total,
            &self.job_retries_total,
            &self.store_retries_total,
            &self.store_deleted_objects_total,
            &self.store_deleted_bytes_total,
            &self.prover_slots,
            &self.aggregation_runs_total,
            &self.aggregation_proofs_total,
            &self.aggregation_waiting_proofs,
            &self.aggregation_run_seconds,
            &self.build_info,
            &self.keys_ready,
            &self.keys_prepared,
            &self.keys_circuits,
        ];
        collectors
            .iter()
            .flat_map(|c| c.desc().into_iter().map(|d| d.fq_name.clone()))
            .collect()
    }

    /// The text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut out);
        String::from_utf8_lossy(&out).into_owned()
    }

    /// A dead letter was written.
    pub fn record_dead_letter(&self, reason: &RejectReason) {
        self.dlq_total.with_label_values(&[reason.label()]).inc();
    }

    /// A sink took (or refused) a proof.
    pub fn record_submission(&self, sink: &str, ok: bool) {
        self.sink_submissions_total
            .with_label_values(&[sink, if ok { "ok" } else { "error" }])
            .inc();
    }

    /// Counts the artifact store's retries in `zkstream_store_retries_total{op}`.
    pub fn count_store_retries(self: &Arc<Self>, store: &zkstream_operators::store::ArtifactStore) {
        let metrics = Arc::clone(self);
        store.on_retry(Arc::new(move |op| {
            metrics.store_retries_total.with_label_values(&[op]).inc();
        }));
    }

    /// A proof failed verification in `round` (`final` for the sink's check).
    pub fn record_verification_failure(&self, round: &str) {
        self.verification_failures_total
            .with_label_values(&[round])
            .inc();
    }

    /// Queued and in-flight jobs of a round (from the live views).
    pub fn set_round_jobs(&self, round: &str, queued: i64, inflight: i64) {
        self.queued_jobs.with_label_values(&[round]).set(queued);
        self.inflight_jobs.with_label_values(&[round]).set(inflight);
    }

    /// Zeroes every queue-depth series set so far (before the views set the current ones), so a drained
    /// queue shows 0 rather than a vanished series.
    pub fn reset_queue_depth(&self) {
        let seen = self.depth_series.lock().unwrap_or_else(|p| p.into_inner());
        for (round, circuit) in seen.iter() {
            self.queue_depth.with_label_values(&[round, circuit]).set(0);
        }
    }

    /// Queued jobs of (round, circuit) (from the live views).
    pub fn set_queue_depth(&self, round: &str, circuit: &str, queued: i64) {
        self.depth_series
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert((round.to_string(), circuit.to_string()));
        self.queue_depth
            .with_label_values(&[round, circuit])
            .set(queued);
    }

    /// The number of prover slots of a kind (`cpu`, `gpu`).
    pub fn set_prover_slots(&self, kind: &str, slots: usize) {
        self.prover_slots
            .with_label_values(&[kind])
            .set(slots as i64);
    }

    /// A partition's lag.
    pub fn set_consumer_lag(&self, partition: i32, lag: i64) {
        self.kafka_consumer_lag
            .with_label_values(&[&partition.to_string()])
            .set(lag);
    }

    /// Publishes the partitions the readers hold back; `known` are the partitions to report (a partition
    /// not held reads 0).
    pub fn set_held_partitions(
        &self,
        known: impl IntoIterator<Item = i32>,
        held: &std::collections::BTreeMap<i32, zkstream_sources::Held>,
    ) {
        for p in known {
            let label = [p.to_string()];
            let (batch, stalled) = held
                .get(&p)
                .map(|h| (h.batch as i64, h.stalled_since.elapsed().as_secs() as i64))
                .unwrap_or((0, 0));
            self.partition_held_batch
                .with_label_values(&label)
                .set(batch);
            self.partition_stalled_seconds
                .with_label_values(&label)
                .set(stalled);
        }
    }

    /// Serves `/metrics`, `/healthz` and `/readyz` (200 or 503 with the reason) on `addr` from its own
    /// thread; returns the bound address.
    pub fn serve(
        self: &Arc<Self>,
        addr: &str,
        health: Arc<Health>,
    ) -> Result<SocketAddr, MetricsError> {
        let bind = |reason: String| MetricsError::Bind {
            addr: addr.to_string(),
            reason,
        };
        let server = tiny_http::Server::http(addr).map_err(|e| bind(e.to_string()))?;
        let bound = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| bind("not an IP address".into()))?;
        let metrics = Arc::clone(self);
        std::thread::Builder::new()
            .name("zkstream-metrics".into())
            .spawn(move || {
                let check = |answer: Result<(), String>| match answer {
                    Ok(()) => tiny_http::Response::from_string("ok\n"),
                    Err(why) => {
                        tiny_http::Response::from_string(format!("{why}\n")).with_status_code(503)
                    }
                };
                for request in server.incoming_requests() {
                    let response = match request.url() {
                        "/metrics" => {
                            let header = tiny_http::Header::from_bytes(
                                &b"content-type"[..],
                                &b"text/plain; version=0.0.4"[..],
                            );
                            let r = tiny_http::Response::from_string(metrics.render());
                            match header {
                                Ok(h) => r.with_header(h),
                                Err(()) => r,
                            }
                        }
                        "/healthz" => check(health.liveness()),
                        "/readyz" => check(health.readiness()),
                        _ => tiny_http::Response::from_string("see /metrics, /healthz, /readyz")
                            .with_status_code(404),
                    };
                    let _ = request.respond(response);
                }
            })
            .map_err(|e| bind(e.to_string()))?;
        Ok(bound)
    }
}

/// Every kind of pool job is measured the same way, labelled by [`Work::labels`]: the batch tree's
/// rounds and types, user-proof mode's `user_chunk`/`user_node` and family.
impl<W: Work> PoolObserver<W> for Metrics {
    // Queued and in-flight gauges come from the live views (`views.rs`), not from here.
    fn started(&self, job: &W, attempt: u32, waited: Duration) {
        if attempt <= 1 {
            self.stage_wait_seconds
                .with_label_values(&[job.labels().0])
                .observe(waited.as_secs_f64());
        }
    }

    fn retrying(&self, job: &W, _attempt: u32, error: &JobError) {
        let round = job.labels().0;
        self.job_retries_total.with_label_values(&[round]).inc();
        if error.is_verification_failure() {
            self.record_verification_failure(round);
        }
    }

    fn finished(&self, job: &W, end: &JobEnd, took: Duration, slot: SlotKind) {
        let (round, circuit) = job.labels();
        let circuit = circuit.as_str();
        match end {
            JobEnd::Proved => {
                self.proofs_generated
                    .with_label_values(&[round, circuit])
                    .inc();
                self.prove_seconds
                    .with_label_values(&[round, circuit, slot.label()])
                    .observe(took.as_secs_f64());
            }
            JobEnd::Reused => self
                .proofs_reused
                .with_label_values(&[round, circuit])
                .inc(),
            JobEnd::Failed { verification, .. } => {
                if *verification {
                    self.record_verification_failure(round);
                }
            }
        }
    }

    fn slot_lost(&self, slot: &SlotInfo, _error: &str) {
        self.prover_slots
            .with_label_values(&[slot.backend.kind.label()])
            .dec();
    }
}

/// Several pool observers as one (progress bars and metrics).
pub struct Observers(pub Vec<Arc<dyn PoolObserver>>);

impl PoolObserver for Observers {
    fn queued(&self, job: &Job) {
        self.0.iter().for_each(|o| o.queued(job));
    }

    fn started(&self, job: &Job, attempt: u32, waited: Duration) {
        self.0.iter().for_each(|o| o.started(job, attempt, waited));
    }

    fn retrying(&self, job: &Job, attempt: u32, error: &JobError) {
        self.0.iter().for_each(|o| o.retrying(job, attempt, error));
    }

    fn finished(&self, job: &Job, end: &JobEnd, took: Duration, slot: SlotKind) {
        self.0.iter().for_each(|o| o.finished(job, end, took, slot));
    }

    fn slot_lost(&self, slot: &SlotInfo, error: &str) {
        self.0.iter().for_each(|o| o.slot_lost(slot, error));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_metric_is_exported_with_bounded_labels() {
        let m = Metrics::new().unwrap();
        m.batches_received.inc();
        m.record_dead_letter(&RejectReason::Undecodable("bad magic".into()));
        m.record_dead_letter(&RejectReason::WrongPreviousCommitment {
            batch: 3,
            names: zkstream_types::Digest::ZERO,
            expected: zkstream_types::Digest::ZERO,
        });
        m.record_submission("core", true);
        m.set_consumer_lag(0, 4);
        m.batch_latency_seconds.observe(12.0);
        m.record_aggregation_run(true, 3, 400.0);
        m.record_aggregation_run(false, 2, 0.0);
        m.aggregation_waiting_proofs.set(5);
        let text = m.render();
        for name in [
            "zkstream_batches_received_total 1",
            "zkstream_dlq_total{reason=\"undecodable\"} 1",
            "zkstream_dlq_total{reason=\"wrong_previous_commitment\"} 1",
            "zkstream_sink_submissions_total{result=\"ok\",sink=\"core\"} 1",
            "zkstream_kafka_consumer_lag{partition=\"0\"} 4",
            "zkstream_batch_latency_seconds_bucket{le=\"20\"} 1",
            "zkstream_oldest_unproven_batch 0",
            "zkstream_job_retries_total{round=\"node\"} 0",
            "zkstream_dlq_total{reason=\"duplicate\"} 0",
            "zkstream_proofs_reused_total{circuit=\"sha256\",round=\"leaf\"} 0",
            "zkstream_proofs_generated_total{circuit=\"batch\",round=\"compression\"} 0",
            "zkstream_verification_failures_total{round=\"final\"} 0",
            "zkstream_aggregation_runs_total{result=\"published\"} 1",
            "zkstream_aggregation_runs_total{result=\"failed\"} 1",
            "zkstream_aggregation_proofs_total 3",
            "zkstream_aggregation_waiting_proofs 5",
            "zkstream_aggregation_run_seconds_bucket{le=\"900\"} 1",
            "zkstream_keys_ready 0",
        ] {
            assert!(text.contains(name), "{name} missing from\n{text}");
        }
    }
}
