//! `zkstream simulate`: fleet-scale orchestration measured without provers. Runs simulated batches on
//! the production path (Kafka reader, dataflow, prover pool, artifact store, ordered delivery, offset
//! commits; `dataflow/src/simulation.rs`) with simulated provers that sleep modeled durations, and
//! prints the figures beside the yardsticks computed in memory. `--compare` runs the same batches under
//! the three release rules; `--processes N` spawns a local timely cluster of N processes sharing the
//! broker and the store. **Nothing it writes is a proof.**

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::Args;
use serde::Serialize;
use zkstream_dataflow::simulation::{self, RunFigures, SimulationConfig};
use zkstream_fleet::Workload;
use zkstream_types::Release;

/// Arguments of `simulate`.
#[derive(Args, Debug)]
pub struct SimulateArgs {
    /// A workload preset (`mainnet`, `small`) or a workload file (TOML).
    #[arg(long, default_value = "mainnet")]
    workload: String,
    /// Prover slots (simulated provers) per process.
    #[arg(long, default_value_t = 256)]
    slots: usize,
    /// Timely worker threads per process.
    #[arg(long, short = 'w', default_value_t = 1)]
    workers: usize,
    /// Real seconds per modeled second.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// When a job is released: streaming, barrier or zksync.
    #[arg(long, default_value = "streaming")]
    release: Release,
    /// Batches to run.
    #[arg(long, default_value_t = 1)]
    batches: u64,
    /// A continuous stream: batches per modeled hour (default: all batches at once).
    #[arg(long)]
    rate: Option<f64>,
    /// Run the same batches under streaming, barrier and zksync release, side by side.
    #[arg(long)]
    compare: bool,
    /// Seed of the modeled durations' jitter.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// A Kafka broker (default: an embedded one).
    #[arg(long)]
    brokers: Option<String>,
    /// The artifact store URL (default: a temporary directory).
    #[arg(long)]
    store: Option<String>,
    /// Batches admitted beyond the last one delivered.
    #[arg(long, default_value_t = 8)]
    max_in_flight: u64,
    /// Write the figures as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// The timely cluster: `-n N` alone spawns N local processes; with `-p` and `-h` this process
    /// joins a cluster started elsewhere.
    #[command(flatten)]
    cluster: crate::ClusterArgs,
    /// The run's name (a cluster's processes share it; set by `-n N` when it spawns them).
    #[arg(long, hide = true)]
    run_id: Option<String>,
    /// Print help.
    #[arg(long, action = clap::ArgAction::Help)]
    help: Option<bool>,
}

/// What `--json` writes: the first run's figures at the top level, and every run.
#[derive(Serialize)]
struct Report<'a> {
    #[serde(flatten)]
    first: &'a RunFigures,
    barrier_makespan_s: Option<f64>,
    zksync_makespan_s: Option<f64>,
    processes: usize,
    runs: &'a [RunFigures],
    note: &'static str,
}

fn workload(name: &str) -> Result<Workload> {
    match Workload::preset(name) {
        Ok(w) => Ok(w),
        Err(_) if std::path::Path::new(name).exists() => {
            let text = std::fs::read_to_string(name)
                .with_context(|| format!("reading the workload file {name}"))?;
            Ok(Workload::from_toml(&text)?)
        }
        Err(e) => Err(e.into()),
    }
}

/// Runs the simulation.
pub fn run(args: SimulateArgs) -> Result<ExitCode> {
    if !args.time_scale.is_finite() || args.time_scale <= 0.0 {
        bail!("--time-scale must be a number above 0");
    }
    let workload = workload(&args.workload)?;
    let releases = if args.compare {
        vec![Release::Streaming, Release::Barrier, Release::Zksync]
    } else {
        vec![args.release]
    };
    let spawn = args.cluster.processes > 1 && args.cluster.hostfile.is_none();
    if args.cluster.hostfile.is_some() && (args.run_id.is_none() || args.brokers.is_none()) {
        bail!(
            "joining a cluster by hand (-h) needs --run-id and --brokers, and the run's topic already \
             holding its batches; `zkstream simulate -n N` starts a local cluster and does both"
        );
    }
    let mut runs = Vec::new();
    for release in releases {
        let config = SimulationConfig {
            workload: workload.clone(),
            slots: args.slots,
            workers: args.workers,
            time_scale: args.time_scale,
            release,
            batches: args.batches,
            rate: args.rate,
            seed: args.seed,
            brokers: args.brokers.clone(),
            store: args.store.clone(),
            max_in_flight: args.max_in_flight,
            cluster: if spawn { None } else { args.cluster.cluster()? },
            run_id: args.run_id.clone(),
            // A cluster's processes read what their launcher produced.
            produce: args.run_id.is_none(),
        };
        status!(
            "simulating {} batch(es) of workload {} on {} slots, {} release, time scale {} (SIMULATED provers: nothing is proved)",
            args.batches, workload.name, args.slots, release.name(), args.time_scale
        );
        let figures = if spawn {
            spawn_cluster(&args, &config)?
        } else {
            simulation::run(&config)?
        };
        runs.push(figures);
    }
    print_table(&runs);
    let makespan = |r: Release| {
        runs.iter()
            .find(|f| f.release == r.name())
            .map(|f| f.makespan_s)
    };
    let report = Report {
        first: &runs[0],
        barrier_makespan_s: makespan(Release::Barrier),
        zksync_makespan_s: makespan(Release::Zksync),
        processes: args.cluster.processes,
        runs: &runs,
        note: "SIMULATED provers: these figures measure orchestration; no record of this run is a proof",
    };
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&report)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    // Every batch's record arrived (a batch lost at the end of the input leaves no gap) and checked.
    let ok = runs.iter().all(|r| {
        r.gaps == 0 && r.trees_total as u64 == args.batches && r.trees_verified == r.trees_total
    });
    let leader = args.cluster.process == 0;
    Ok(if ok || !leader {
        ExitCode::SUCCESS
    } else {
        status!(error: "error: a simulated tree is missing or does not check");
        ExitCode::FAILURE
    })
}

fn print_table(runs: &[RunFigures]) {
    println!(
        "{:<10} {:>6} {:>6} {:>10} {:>10} {:>10} {:>10} {:>7} {:>7} {:>9} {:>9} {:>8} {:>9} {:>8} {:>6}",
        "release",
        "jobs",
        "slots",
        "makespan",
        "lower",
        "offline",
        "modeled",
        "/lower",
        "/offl",
        "hand p50",
        "hand p99",
        "cpu/job",
        "coord/job",
        "rss MiB",
        "trees"
    );
    for r in runs {
        println!(
            "{:<10} {:>6} {:>6} {:>9.1}s {:>9.1}s {:>9.1}s {:>9.1}s {:>7.3} {:>7.3} {:>7.2}ms {:>7.2}ms {:>6.0}µs {:>7.0}µs {:>8.0} {:>3}/{:<3}",
            r.release,
            r.jobs,
            r.slots,
            r.makespan_s,
            r.lower_bound_s,
            r.offline_makespan_s,
            r.modeled_makespan_s,
            r.makespan_s / r.lower_bound_s.max(1e-9),
            r.makespan_s / r.offline_makespan_s.max(1e-9),
            r.handoff_p50_ms,
            r.handoff_p99_ms,
            r.cpu_us_per_job,
            r.coordinator_cpu_us_per_job,
            r.peak_rss_mb,
            r.trees_verified,
            r.trees_total
        );
    }
    if runs.len() > 1 {
        let s = runs[0].makespan_s;
        for r in &runs[1..] {
            println!(
                "{} / {}: {:.3}",
                runs[0].release,
                r.release,
                s / r.makespan_s.max(1e-9)
            );
        }
    }
    for r in runs {
        println!(
            "{}: hand-off p99 without each slot's first job {:.2} ms",
            r.release, r.handoff_later_p99_ms
        );
    }
    for r in runs {
        println!(
            "{}: resident memory during the run: peak {:.0} MiB, growth {:+.1} MiB (the last third's median over the middle third's, {} samples)",
            r.release,
            r.rss_run_peak_mb,
            r.rss_growth_mb,
            r.rss_trace.len()
        );
    }
    for r in runs.iter().filter(|r| r.jobs_per_process.len() > 1) {
        println!(
            "{}: jobs by process {:?}, batches by process {:?}",
            r.release, r.jobs_per_process, r.batches_per_process
        );
    }
    if let Some(r) = runs.first() {
        if r.batch_latency_p99_s > 0.0 && r.trees_total > 1 {
            println!(
                "stream: {:.1} batches/modeled h, utilisation {:.3}, batch latency p50 {:.1}s p99 {:.1}s, {} store ops",
                r.throughput_per_h,
                r.utilisation,
                r.batch_latency_p50_s,
                r.batch_latency_p99_s,
                r.store_operations
            );
        }
    }
    println!("(SIMULATED provers: no record of this run is a proof)");
}

/// Starts `-n` local processes of this binary as one timely cluster sharing an embedded broker (or
/// `--brokers`) and one store directory (or `--store`), waits for them, and combines their figures:
/// the makespan spans every process's jobs; the trees are process 0's (it delivers).
fn spawn_cluster(args: &SimulateArgs, config: &SimulationConfig) -> Result<RunFigures> {
    let n = args.cluster.processes;
    let dir = tempfile::Builder::new()
        .prefix("zkstream-simulate-cluster-")
        .tempdir()?;
    let embedded = match &args.brokers {
        Some(_) => None,
        None => Some(zkstream_sources::EmbeddedBroker::start()?),
    };
    let brokers = match (&args.brokers, &embedded) {
        (Some(b), _) => b.clone(),
        (None, Some(e)) => e.bootstrap_servers(),
        (None, None) => bail!("no broker"),
    };
    let run_id = simulation::new_run_id();
    let topic = simulation::topic_of(&run_id);
    if let Some(e) = &embedded {
        e.create_topic(&topic, simulation::TOPIC_PARTITIONS)?;
    }
    simulation::produce_shapes(&brokers, &topic, config)?;
    let store = match &args.store {
        Some(s) => s.clone(),
        None => {
            let d = dir.path().join("store");
            std::fs::create_dir_all(&d)?;
            url::Url::from_directory_path(&d)
                .map_err(|()| anyhow::anyhow!("store path {}", d.display()))?
                .to_string()
        }
    };
    let hostfile = dir.path().join("hosts");
    let ports: Vec<u16> = (0..n)
        .map(|_| {
            std::net::TcpListener::bind("127.0.0.1:0")
                .and_then(|l| l.local_addr())
                .map(|a| a.port())
        })
        .collect::<std::io::Result<_>>()?;
    let hosts: String = ports.iter().map(|p| format!("127.0.0.1:{p}\n")).collect();
    std::fs::write(&hostfile, hosts)?;
    let exe = std::env::current_exe()?;
    let mut children = Vec::new();
    for p in 0..n {
        let json = dir.path().join(format!("process-{p}.json"));
        let child = std::process::Command::new(&exe)
            .arg("simulate")
            .args(["--workload", &args.workload])
            .args(["--slots", &args.slots.to_string()])
            .args(["--workers", &args.workers.to_string()])
            .args(["--time-scale", &args.time_scale.to_string()])
            .args(["--release", config.release.name()])
            .args(["--batches", &args.batches.to_string()])
            .args(["--seed", &args.seed.to_string()])
            .args(["--max-in-flight", &args.max_in_flight.to_string()])
            .args(["--brokers", &brokers])
            .args(["--store", &store])
            .args(["--run-id", &run_id])
            .args(["-n", &n.to_string(), "-p", &p.to_string()])
            .arg("-h")
            .arg(&hostfile)
            .arg("--json")
            .arg(&json)
            .args(
                args.rate
                    .map(|r| vec!["--rate".to_string(), r.to_string()])
                    .unwrap_or_default(),
            )
            .stdout(std::process::Stdio::null())
            .spawn()
            .context("starting a cluster process")?;
        children.push((child, json));
    }
    // Wait for all; one that fails stops the others (its peers would wait for it for ever).
    let mut done = vec![false; children.len()];
    while done.iter().any(|d| !d) {
        for (p, (child, _)) in children.iter_mut().enumerate() {
            if done[p] {
                continue;
            }
            if let Some(status) = child.try_wait()? {
                done[p] = true;
                if !status.success() {
                    for (other, _) in children.iter_mut() {
                        let _ = other.kill();
                        let _ = other.wait();
                    }
                    bail!("cluster process {p} failed: {status}");
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let mut figures: Vec<RunFigures> = Vec::new();
    for (p, (_, json)) in children.into_iter().enumerate() {
        let text = std::fs::read(&json).with_context(|| format!("process {p}'s figures"))?;
        let value: serde_json::Value = serde_json::from_slice(&text)?;
        let first = value
            .get("runs")
            .and_then(|r| r.get(0))
            .cloned()
            .context("a process's figures")?;
        figures.push(serde_json::from_value(first)?);
    }
    let mut combined = figures[0].clone();
    // Processes that ran no job have no span.
    let busy = || figures.iter().filter(|f| f.jobs > 0);
    let first = busy()
        .map(|f| f.first_queued_unix_s)
        .fold(f64::INFINITY, f64::min);
    let last = busy().map(|f| f.last_finished_unix_s).fold(0.0, f64::max);
    combined.jobs = figures.iter().map(|f| f.jobs).sum();
    combined.jobs_per_process = figures.iter().map(|f| f.jobs).collect();
    combined.batches_per_process = figures
        .iter()
        .flat_map(|f| f.batches_per_process.clone())
        .collect();
    combined.slots = args.slots * n;
    combined.makespan_s = (last - first) / args.time_scale;
    combined.jobs_per_s = combined.jobs as f64 / (last - first).max(1e-9);
    combined.throughput_per_h = if combined.makespan_s > 0.0 {
        combined.trees_total as f64 * 3600.0 / combined.makespan_s
    } else {
        0.0
    };
    let busy_s: f64 = figures
        .iter()
        .map(|f| f.utilisation * f.slots as f64 * f.makespan_s)
        .sum();
    combined.utilisation = busy_s / (combined.slots as f64 * combined.makespan_s).max(1e-9);
    combined.store_operations = figures.iter().map(|f| f.store_operations).sum();
    combined.peak_rss_mb = figures.iter().map(|f| f.peak_rss_mb).fold(0.0, f64::max);
    // Memory is per process: the largest run peak and growth; the trace stays process 0's.
    combined.rss_run_peak_mb = figures
        .iter()
        .map(|f| f.rss_run_peak_mb)
        .fold(0.0, f64::max);
    combined.rss_growth_mb = figures
        .iter()
        .map(|f| f.rss_growth_mb)
        .fold(f64::NEG_INFINITY, f64::max);
    // The yardsticks of the whole cluster's slots.
    let graphs = (1..=args.batches)
        .map(|b| zkstream_fleet::BatchGraph::build(&config.workload, b, args.seed))
        .collect::<Result<Vec<_>, _>>()?;
    let y = simulation::Yardsticks::of(
        &graphs,
        config.arrival_interval_s(),
        combined.slots,
        config.release,
    );
    combined.lower_bound_s = y.lower_bound_s;
    combined.offline_makespan_s = y.offline_makespan_s;
    combined.modeled_makespan_s = y.modeled_makespan_s;
    // Every process's CPU counts, the idle ones' too.
    combined.cpu_us = figures.iter().map(|f| f.cpu_us).sum();
    combined.coordinator_cpu_us = figures.iter().map(|f| f.coordinator_cpu_us).sum();
    combined.cpu_us_per_job = combined.cpu_us / combined.jobs.max(1) as f64;
    combined.coordinator_cpu_us_per_job = combined.coordinator_cpu_us / combined.jobs.max(1) as f64;
    combined.handoff_p50_ms = figures
        .iter()
        .filter(|f| f.jobs > 0)
        .map(|f| f.handoff_p50_ms)
        .fold(0.0, f64::max);
    combined.handoff_p99_ms = figures.iter().map(|f| f.handoff_p99_ms).fold(0.0, f64::max);
    combined.handoff_later_p99_ms = figures
        .iter()
        .map(|f| f.handoff_later_p99_ms)
        .fold(0.0, f64::max);
    // Each batch's latency is its owner's; the owners are spread over the processes.
    combined.batch_latencies_s = figures
        .iter()
        .flat_map(|f| f.batch_latencies_s.clone())
        .collect();
    (combined.batch_latency_p50_s, combined.batch_latency_p99_s) =
        simulation::latency_percentiles(&combined.batch_latencies_s);
    Ok(combined)
}
