//! `zkstream aggregate --config FILE`: aggregation mode over Kafka. Reads users' proof submissions from
//! `[aggregation] topic`, refuses undecodable, invalid and unsupported ones to the dead-letter topic with
//! a reason, and every `interval_s` (or as soon as `max_proofs` valid proofs of one family wait) runs
//! an aggregation per waiting family (a run aggregates one family of circuits, see `UserFamily`):
//! chunk proofs, the aggregate, the root re-check, blobs, inclusion paths. The run record goes to
//! `output_topic` (key = run number) and `out_dir`; offsets commit only after that.
//!
//! Restart safety: a run's record is kept in the artifact store before it is published, and the run
//! number with its offsets is saved after — with the submissions past a partition's committed offset
//! that were already aggregated or refused (a run takes one family, possibly past a submission of
//! another still waiting); a restart skips those, republishes a stored record instead of proving the
//! same run again, and commits offsets a crash left uncommitted.
//!
//! Cluster (`-n N -p I -h HOSTS`, as `zkstream run` takes them): process 0 does all of the above; the
//! runs' chunk and node proofs spread over the workers of every process (a [`TreeService`] in each,
//! each process with its own key store). The other processes only prove and exit when process 0
//! closes; timely's cluster has a fixed membership, so a process that stops stops the others' dataflow
//! too — restart them together (process 0's restart safety above holds as before).

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use zkstream_dataflow::aggregation::{
    aggregate, check_submission, AggregationProgress, CheckedProof, TreeProving, TreeService,
};
use zkstream_dataflow::config::Config;
use zkstream_dataflow::metrics::Metrics;
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::field::{decode_vk, encode_vk, BVk};
use zkstream_prover::user::program_id;
use zkstream_prover::{KeyStore, Prover, UserFamily};
use zkstream_sinks::dlq::DeadLetter;
use zkstream_sinks::{DeadLetterSink, KafkaWriter, RetryPolicy};
use zkstream_sources::kafka::consumer_config;
use zkstream_types::{AggregationRecord, Framed, RejectReason, UserSubmission};

use crate::read_file;

/// Arguments of `aggregate`.
#[derive(Args, Debug)]
pub struct AggregateArgs {
    /// The configuration file (TOML; `[kafka]`, `[store]`, `[prover]`, `[aggregation]`).
    #[arg(long)]
    config: PathBuf,
    /// Stop once the submissions present at start are handled (the last run takes what is left).
    #[arg(long)]
    bounded: bool,
    /// Register programs first: submission files whose embedded key is stored for later submissions
    /// that name the program without embedding its key.
    #[arg(long)]
    register: Vec<PathBuf>,
    /// Serve Prometheus metrics on this address (overrides metrics.addr), e.g. 127.0.0.1:9898.
    #[arg(long)]
    metrics_addr: Option<String>,
    /// The timely cluster proving the runs' trees: process 0 reads the submissions, runs, publishes
    /// and commits; every process (0 included) proves chunks and nodes.
    #[command(flatten)]
    cluster: crate::ClusterArgs,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
}

struct Pending {
    checked: CheckedProof,
    partition: i32,
    offset: i64,
}

fn program_state(p: &[u8; 32]) -> String {
    format!("program-{}", hex::encode(p))
}

fn run_state(run: u64) -> String {
    format!("aggregation-run-{run}")
}

/// Runs aggregation mode.
pub fn run(args: AggregateArgs) -> Result<ExitCode> {
    let config = Config::load(&args.config)?;
    let a = config.aggregation.clone();
    let k = &config.kafka;
    let settings = config.proof_settings();
    let keys = KeyStore::open(
        Some(&settings.keys_dir),
        settings.profile.clone(),
        settings.shape.clone(),
        config.prover.protocol_version,
        settings.threads,
    )?
    .with_user_shape(a.shape())?;
    // Proofs run `slots` at a time and share the threads.
    let threads = (settings.threads / config.prover.slots.max(1)).max(1);
    let prover = Arc::new(Prover::new(Arc::new(keys), threads));
    // The runs' trees are proved in a timely dataflow: [pipeline] workers per process, [prover] slots
    // at once per process, over every process of the cluster.
    let cluster = args.cluster.cluster()?;
    if let Some(c) = cluster.as_ref().filter(|c| c.addresses.len() > 1) {
        // Starting the dataflow waits until every process of the cluster has connected.
        eprintln!(
            "aggregate: process {} of {}: connecting to the cluster ({})",
            c.process,
            c.addresses.len(),
            c.addresses.join(", ")
        );
    }
    let mut service = TreeService::start(
        Arc::clone(&prover),
        config.pipeline.workers,
        config.prover.slots,
        cluster.as_ref(),
    )?;
    if !service.hosts_worker_0() {
        eprintln!(
            "aggregate: process {} of {}: proving chunks and nodes for process 0 ({})",
            args.cluster.process,
            args.cluster.processes,
            cluster
                .as_ref()
                .and_then(|c| c.addresses.first())
                .map(String::as_str)
                .unwrap_or("?")
        );
        service.finish()?;
        eprintln!("aggregate: process 0 closed the cluster");
        return Ok(ExitCode::SUCCESS);
    }
    let store = ArtifactStore::open(&config.store.url)?;
    let metrics = Arc::new(Metrics::new()?);
    metrics.set_prover_slots("cpu", config.prover.slots);
    if let Some(addr) = args.metrics_addr.as_ref().or(config.metrics.addr.as_ref()) {
        let bound = metrics.serve(addr)?;
        eprintln!("metrics: http://{bound}/metrics");
    }
    for path in &args.register {
        let sub = UserSubmission::from_frame(&read_file(path)?)
            .with_context(|| format!("{} is not a submission", path.display()))?;
        let vk = decode_vk(&sub.vk.context("a registration must embed its key")?)?;
        store.put_state(&program_state(&program_id(&vk)), encode_vk(&vk)?)?;
        println!("registered program {}", hex::encode(program_id(&vk)));
    }
    let registered = |p: &[u8; 32]| -> Option<BVk> {
        let bytes = store.get_state(&program_state(p)).ok()??;
        decode_vk(&bytes).ok()
    };

    let consumer: BaseConsumer = consumer_config(&k.brokers, &a.group_id, &k.rdkafka)
        .create()
        .context("creating the submissions consumer")?;
    let timeout = Duration::from_secs(10);
    let metadata = consumer
        .fetch_metadata(Some(&a.topic), timeout)
        .context("reading the submissions topic's metadata")?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == a.topic)
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    anyhow::ensure!(
        !partitions.is_empty(),
        "topic {} has no partitions",
        a.topic
    );

    // Where we are: the stored progress wins over older committed offsets (a crash after publishing).
    let progress = match store.get_state("aggregation")? {
        Some(bytes) => AggregationProgress::decode(&String::from_utf8_lossy(&bytes))
            .map_err(anyhow::Error::msg)?,
        None => AggregationProgress::default(),
    };
    let mut tpl = TopicPartitionList::new();
    for p in &partitions {
        tpl.add_partition(&a.topic, *p);
    }
    let committed = consumer.committed_offsets(tpl, timeout)?;
    let mut assign = TopicPartitionList::new();
    let mut position: BTreeMap<i32, i64> = BTreeMap::new();
    for p in &partitions {
        let c = match committed.find_partition(&a.topic, *p).map(|e| e.offset()) {
            Some(Offset::Offset(o)) => o,
            _ => 0,
        };
        let start = c.max(progress.offsets.get(p).copied().unwrap_or(0));
        position.insert(*p, start);
        assign.add_partition_offset(&a.topic, *p, Offset::Offset(start))?;
    }
    consumer.assign(&assign)?;
    let commit = |offsets: &BTreeMap<i32, i64>| -> Result<()> {
        let mut tpl = TopicPartitionList::new();
        for (p, o) in offsets {
            tpl.add_partition_offset(&a.topic, *p, Offset::Offset(*o))?;
        }
        consumer.commit(&tpl, CommitMode::Sync)?;
        Ok(())
    };
    commit(&position)?;

    let mut dlq = DeadLetterSink::new(
        KafkaWriter::new(&k.brokers, &k.rdkafka, RetryPolicy::default())?,
        &k.dlq_topic,
    );
    let mut out = KafkaWriter::new(&k.brokers, &k.rdkafka, RetryPolicy::default())?;
    let mut run = progress.run;
    let mut handled = progress.handled.clone();
    let mut pending: Vec<Pending> = Vec::new();
    let mut last_run = Instant::now();
    let mut quiet_since = Instant::now();
    let (mut refused, mut published) = (0usize, 0usize);
    let ends: HashMap<i32, i64> = partitions
        .iter()
        .map(|p| {
            let high = consumer
                .fetch_watermarks(&a.topic, *p, timeout)
                .map(|(_, h)| h)
                .unwrap_or(0);
            (*p, high)
        })
        .collect();
    eprintln!(
        "aggregate: {} from {} (group {}), runs of up to {} proofs every {} s, last run {}",
        a.topic,
        k.brokers,
        a.group_id,
        a.max_proofs(),
        a.interval_s,
        progress.run
    );
    loop {
        let polled = match consumer.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => Some(m),
            Some(Err(e)) => {
                // Transient (a broker away, a rebalance of the cluster): librdkafka retries; the
                // position is unchanged, so nothing is skipped, and runs still go on schedule.
                tracing::warn!(error = %e, "reading submissions failed; retrying");
                None
            }
            None => None,
        };
        if let Some(msg) = polled {
            quiet_since = Instant::now();
            let (partition, offset) = (msg.partition(), msg.offset());
            position.insert(partition, offset + 1);
            if handled.contains(&(partition, offset)) {
                // Handled before a restart, past a submission that was still waiting.
                tracing::info!(partition, offset, "submission already handled");
                continue;
            }
            let payload = msg.payload().unwrap_or_default();
            let verdict = UserSubmission::from_frame(payload)
                .map_err(|e| RejectReason::Undecodable(e.to_string()))
                .and_then(|sub| check_submission(&prover, &registered, &sub));
            match verdict {
                Ok(checked) => {
                    pending.push(Pending {
                        checked,
                        partition,
                        offset,
                    });
                    metrics.aggregation_waiting_proofs.set(pending.len() as i64);
                }
                Err(reason) => {
                    tracing::warn!(partition, offset, %reason, "submission refused");
                    dlq.send(&DeadLetter {
                        topic: &a.topic,
                        partition,
                        offset,
                        key: msg.key(),
                        payload,
                        reason: &reason.to_string(),
                    })?;
                    metrics.record_dead_letter(&reason);
                    handled.insert((partition, offset));
                    refused += 1;
                }
            }
        }
        let at_end = args.bounded
            && quiet_since.elapsed() > Duration::from_millis(500)
            && ends
                .iter()
                .all(|(p, h)| position.get(p).copied().unwrap_or(0) >= *h);
        // A run aggregates one family: the families with a full run waiting, or every waiting family
        // when the interval has passed (or at the end of a bounded run).
        let mut by_family: BTreeMap<UserFamily, usize> = BTreeMap::new();
        for p in &pending {
            *by_family.entry(p.checked.family).or_default() += 1;
        }
        let all_due = (!pending.is_empty()
            && last_run.elapsed() >= Duration::from_secs(a.interval_s))
            || (at_end && !pending.is_empty());
        let families: Vec<UserFamily> = by_family
            .iter()
            .filter(|(_, n)| all_due || **n >= a.max_proofs())
            .map(|(f, _)| *f)
            .collect();
        let due = !families.is_empty();
        for family in families {
            run += 1;
            let mut batch: Vec<Pending> = Vec::new();
            let mut rest: Vec<Pending> = Vec::new();
            for p in pending.drain(..) {
                if p.checked.family == family && batch.len() < a.max_proofs() {
                    batch.push(p);
                } else {
                    rest.push(p);
                }
            }
            pending = rest;
            let started = Instant::now();
            let how = TreeProving::Dataflow(&mut service);
            let record = match prove_or_reuse(&prover, how, &store, run, &batch) {
                Ok(r) => r,
                Err(e) => {
                    metrics.record_aggregation_run(false, batch.len(), 0.0);
                    return Err(e);
                }
            };
            metrics.record_aggregation_run(true, batch.len(), started.elapsed().as_secs_f64());
            metrics.aggregation_waiting_proofs.set(pending.len() as i64);
            out.send(
                &a.output_topic,
                run,
                &run.to_be_bytes(),
                &record.to_frame()?,
                &[],
            )?;
            if let Some(dir) = &a.out_dir {
                std::fs::create_dir_all(dir)?;
                crate::write_file(&dir.join(format!("run-{run}.rec")), &record.to_frame()?)?;
            }
            // Offsets: everything read, except what still waits for a later run; what this run took
            // past a waiting submission is remembered, so a restart does not aggregate it again.
            handled.extend(batch.iter().map(|p| (p.partition, p.offset)));
            let waiting: Vec<(i32, i64)> =
                pending.iter().map(|p| (p.partition, p.offset)).collect();
            let saved = AggregationProgress::after_run(run, &position, &waiting, &handled);
            store.put_state("aggregation", saved.encode().into_bytes())?;
            handled = saved.handled;
            let offsets = saved.offsets;
            commit(&offsets)?;
            published += 1;
            println!(
                "run {run} (family {family}): {} proofs in {} chunk(s), root {}, {} blob(s) (versioned hash {})",
                record.proofs.len(),
                record.chunks,
                hex::encode(record.root),
                record.blobs.len(),
                record
                    .blobs
                    .first()
                    .map(|b| hex::encode(b.versioned_hash))
                    .unwrap_or_default()
            );
        }
        if due {
            last_run = Instant::now();
        } else if at_end {
            commit(&position)?;
            break;
        }
    }
    // Closes the dataflow here and, with it, the other processes of the cluster.
    service.finish()?;
    println!("summary: {published} run(s) published, {refused} submission(s) refused");
    Ok(ExitCode::SUCCESS)
}

/// The run's record: reused from the store when a crash interrupted its publication (same proofs),
/// otherwise proved now and stored before anything is published.
fn prove_or_reuse(
    prover: &Arc<Prover>,
    how: TreeProving<'_>,
    store: &ArtifactStore,
    run: u64,
    batch: &[Pending],
) -> Result<AggregationRecord> {
    let name = run_state(run);
    let mut wanted: Vec<[u8; 32]> = batch
        .iter()
        .map(|p| zkstream_prover::user::user_commitment(&p.checked.vk, &p.checked.proof))
        .collect();
    wanted.sort();
    if let Some(bytes) = store.get_state(&name)? {
        if let Ok(r) = AggregationRecord::from_frame(&bytes) {
            let mut have: Vec<[u8; 32]> = r.proofs.iter().map(|p| p.commitment).collect();
            have.sort();
            if have == wanted {
                eprintln!("run {run}: republishing the stored record (nothing proved again)");
                return Ok(r);
            }
        }
    }
    let checked: Vec<CheckedProof> = batch.iter().map(|p| p.checked.clone()).collect();
    let record = aggregate(prover, run, &checked, how)?;
    store.put_state(&name, record.to_frame()?)?;
    Ok(record)
}
