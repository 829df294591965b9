//! `zkstream produce`: the load generator. Writes batches `start..start + N` of the `sample-batch` chain
//! of a seed into a topic (key = batch number, partition `(n - 1) % partitions`), creating the topic with
//! `--partitions` partitions if it does not exist. The chain's commitments depend on the VK set, so the
//! proof options must match the prover's.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use clap::Args;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use zkstream_prover::sample::sample_chain;
use zkstream_sources::kafka::produce_batches;

use crate::ProofOpts;

/// Arguments of `produce`.
#[derive(Args, Debug)]
pub struct ProduceArgs {
    /// `bootstrap.servers`.
    #[arg(long)]
    brokers: String,
    /// The batches topic.
    #[arg(long, default_value = "zkstream.batches")]
    topic: String,
    /// How many batches.
    #[arg(long)]
    batches: u64,
    /// Seed of the chain (the same chain as `sample-batch --seed S` and `demo --seed S`).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The first batch number.
    #[arg(long, default_value_t = 1)]
    start: u64,
    /// Partitions, when the topic has to be created.
    #[arg(long, default_value_t = 3)]
    partitions: i32,
    #[command(flatten)]
    opts: ProofOpts,
}

const TIMEOUT: Duration = Duration::from_secs(10);

/// The topic's partition count, creating it if needed.
fn ensure_topic(brokers: &str, topic: &str, partitions: i32) -> Result<i32> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .context("connecting to the brokers")?;
    let existing = |consumer: &BaseConsumer| -> Result<usize> {
        let metadata = consumer
            .fetch_metadata(Some(topic), TIMEOUT)
            .with_context(|| format!("metadata of {topic} from {brokers}"))?;
        Ok(metadata
            .topics()
            .iter()
            .find(|t| t.name() == topic && t.error().is_none())
            .map(|t| t.partitions().len())
            .unwrap_or(0))
    };
    let found = existing(&consumer)?;
    if found > 0 {
        return Ok(found as i32);
    }
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .context("creating the admin client")?;
    let new = NewTopic::new(topic, partitions.max(1), TopicReplication::Fixed(1));
    let results = futures::executor::block_on(admin.create_topics(
        [&new],
        &AdminOptions::new().operation_timeout(Some(TIMEOUT)),
    ))
    .context("creating the topic")?;
    for r in results {
        if let Err((name, code)) = r {
            if code != rdkafka::types::RDKafkaErrorCode::TopicAlreadyExists {
                anyhow::bail!("creating topic {name}: {code}");
            }
        }
    }
    // Wait until the metadata shows it.
    let deadline = Instant::now() + TIMEOUT;
    loop {
        let n = existing(&consumer)?;
        if n > 0 {
            return Ok(n as i32);
        }
        anyhow::ensure!(Instant::now() < deadline, "topic {topic} did not appear");
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Writes the chain.
pub fn run(args: ProduceArgs) -> Result<ExitCode> {
    anyhow::ensure!(
        args.start >= 1,
        "--start must be at least 1 (batch 0 is genesis)"
    );
    let keys = args.opts.keystore()?;
    let vk_set = keys.vk_set_commitment()?;
    let partitions = ensure_topic(&args.brokers, &args.topic, args.partitions)?;
    let chain = sample_chain(
        args.start,
        args.batches,
        args.seed,
        keys.protocol_version(),
        &vk_set,
    );
    let t = Instant::now();
    let report = produce_batches(&args.brokers, &args.topic, partitions, chain)?;
    println!(
        "produced batches {}..={} (seed {}) into {} ({partitions} partitions): {} records, {} bytes in {:.2} s",
        args.start,
        args.start + args.batches.saturating_sub(1),
        args.seed,
        args.topic,
        report.records,
        report.bytes,
        t.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}
