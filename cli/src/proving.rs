//! `sample-batch`, `prove` and `verify`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use zkstream_prover::sample::{sample_batch as make_batch, sample_requests, SampleSize};
use zkstream_prover::wrap::WrapperVk;
use zkstream_prover::{prove_batch, verify_final_proof, Prover};
use zkstream_types::wire::read_header;
use zkstream_types::{
    BatchInput, Digest, FinalBatchProof, FrameKind, Framed, SimulatedBatch, SimulatedRecord,
};

use crate::{read_file, write_file, ProofOpts};

/// Arguments of `sample-batch`.
#[derive(Args, Debug)]
pub struct SampleBatchArgs {
    /// Batch number (≥ 1).
    #[arg(long)]
    number: u64,
    /// Seed of the chain.
    #[arg(long)]
    seed: u64,
    /// A final proof record whose batch commitment becomes this batch's previous commitment.
    #[arg(long)]
    previous: Option<PathBuf>,
    /// Output file (framed batch input).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    opts: ProofOpts,
}

/// Arguments of `prove`.
#[derive(Args, Debug)]
pub struct ProveArgs {
    /// The framed batch input.
    #[arg(long)]
    input: PathBuf,
    /// Output file (framed final proof record).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    opts: ProofOpts,
}

/// Arguments of `verify`.
#[derive(Args, Debug)]
pub struct VerifyArgs {
    /// The framed batch input.
    #[arg(long)]
    input: PathBuf,
    /// The framed final proof record. A simulated record (`ZKSR`, with a simulated batch as `--input`)
    /// is checked as simulated and exits with status 3: it is not a proof.
    #[arg(long)]
    proof: PathBuf,
    /// The wrapper key commitment (hex SHA-256, as `keys generate --crs` prints it) a wrapped record
    /// must verify against; the key itself is the one computed in the key directory [default: the
    /// key the record names, if this key directory computed it].
    #[arg(long)]
    wrapper_vk_commitment: Option<String>,
    #[command(flatten)]
    opts: ProofOpts,
}

fn read_batch(path: &std::path::Path) -> Result<BatchInput> {
    BatchInput::from_frame(&read_file(path)?)
        .with_context(|| format!("{} is not a batch input", path.display()))
}

fn read_proof(path: &std::path::Path) -> Result<FinalBatchProof> {
    FinalBatchProof::from_frame(&read_file(path)?)
        .with_context(|| format!("{} is not a final proof", path.display()))
}

pub fn sample_batch(args: SampleBatchArgs) -> Result<ExitCode> {
    if args.number == 0 {
        bail!("batch numbers start at 1 (0 is genesis)");
    }
    let pv = args.opts.protocol_version;
    let previous = match &args.previous {
        Some(path) => {
            let p = read_proof(path)?;
            if p.batch_number + 1 != args.number {
                bail!(
                    "--previous is the proof of batch {}, not of batch {}",
                    p.batch_number,
                    args.number - 1
                );
            }
            p.batch_commitment
        }
        // Genesis needs no keys.
        None if args.number == 1 => Digest::ZERO,
        // Batch N-1's commitment, recomputed natively along the chain; it binds the VK set.
        None => {
            let vk_set = args.opts.keystore()?.vk_set_commitment()?;
            make_batch(args.number, args.seed, pv, &vk_set, SampleSize::default())
                .previous_batch_commitment
        }
    };
    let batch = BatchInput {
        batch_number: args.number,
        protocol_version: pv,
        previous_batch_commitment: previous,
        requests: sample_requests(args.number, args.seed, SampleSize::default()),
    };
    batch.validate()?;
    write_file(&args.out, &batch.to_frame()?)?;
    let counts: Vec<String> = batch
        .counts()
        .iter()
        .map(|(t, n)| format!("{n} {t}"))
        .collect();
    println!(
        "wrote batch {} ({} requests: {}) previous {} to {}",
        batch.batch_number,
        batch.requests.len(),
        counts.join(", "),
        batch.previous_batch_commitment,
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

pub fn prove(args: ProveArgs) -> Result<ExitCode> {
    let batch = read_batch(&args.input)?;
    let settings = args.opts.settings()?;
    let keys = Arc::new(args.opts.keystore()?);
    let started = Instant::now();
    keys.generate_all().context("preparing keys")?;
    let keys_s = started.elapsed().as_secs_f64();
    let prover = Prover::new(keys.clone(), settings.threads);
    let started = Instant::now();
    let (record, counts) = prove_batch(&prover, &batch)?;
    write_file(&args.out, &record.to_frame()?)?;
    println!(
        "batch {}: proved in {:.1}s (keys {:.1}s); proofs per round basic {} leaf {} node {} tip {} scheduler {} compression {}; final proof {} bytes; commitment {}",
        record.batch_number,
        started.elapsed().as_secs_f64(),
        keys_s,
        counts[0], counts[1], counts[2], counts[3], counts[4], counts[5],
        record.proof.len(),
        record.batch_commitment
    );
    Ok(ExitCode::SUCCESS)
}

/// `verify`'s exit status for a record that checks out but proves nothing: a simulated record that
/// closes its tree, or a production-profile record wrapped with the test CRS (anyone can forge
/// one).
pub const SIMULATED_EXIT: u8 = 3;

pub fn verify(args: VerifyArgs) -> Result<ExitCode> {
    let proof = read_file(&args.proof)?;
    if let Ok((FrameKind::SimulatedRecord, _)) = read_header(&proof) {
        return verify_simulated(&args, &proof);
    }
    let batch = read_batch(&args.input)?;
    let record = FinalBatchProof::from_frame(&proof)
        .with_context(|| format!("{} is not a final proof", args.proof.display()))?;
    let keys = args.opts.keystore()?;
    let pin = match &args.wrapper_vk_commitment {
        None => None,
        Some(h) => Some(
            <[u8; 32]>::try_from(hex::decode(h.trim_start_matches("0x"))?.as_slice())
                .map_err(|_| anyhow::anyhow!("--wrapper-vk-commitment is 32 bytes in hex"))?,
        ),
    };
    let wrapper = match &record.wrap {
        None => None,
        Some(w) => {
            let wanted = pin.unwrap_or(w.wrapper_vk_commitment);
            let found = WrapperVk::find(&keys, zkstream_prover::wrap::WrapTarget::Batch, &wanted)?;
            if found.is_none() {
                status!(error:
                    "batch {}: wrapper key {} is not cached in {} for profile {} and protocol \
                     version {}: compute it with `zkstream keys generate --crs FILE`",
                    batch.batch_number,
                    hex::encode(wanted),
                    keys.dir().map(|d| d.display().to_string()).unwrap_or_default(),
                    keys.profile().name,
                    keys.protocol_version()
                );
                return Ok(ExitCode::from(2));
            }
            found
        }
    };
    match verify_final_proof(&keys, &batch, &record, wrapper.as_ref()) {
        Ok(commitment) => {
            let n = batch.batch_number;
            match (&record.wrap, &wrapper) {
                (Some(w), Some(k)) => {
                    println!(
                        "batch {n}: wrapped final proof verified (pairings; {} bytes, wrapper key {}, \
                         commitment {commitment}){}{}",
                        w.proof.len(),
                        hex::encode(k.commitment),
                        if record.proof.is_empty() {
                            ""
                        } else {
                            "; its FRI proof verified too"
                        },
                        if k.test_crs {
                            "\nTEST CRS: this wrapped proof was made with the insecure test CRS \
                             (tau = 42) and PROVES NOTHING; for tests and demos only"
                        } else {
                            ""
                        }
                    );
                }
                _ => println!("batch {n}: final proof verified (commitment {commitment})"),
            }
            // Anyone can forge a proof under the test CRS: beside the test profile's own (never for
            // real use either) it passes with the warning; beside the production profile it is
            // not a proof (the status of a simulated record).
            let test_crs = wrapper.as_ref().is_some_and(|k| k.test_crs);
            if test_crs && keys.profile().name != zkstream_prover::ProofProfile::test().name {
                status!(error:
                    "batch {n}: wrapped with the TEST CRS under the production profile: NOT a proof \
                     (exit status {SIMULATED_EXIT})"
                );
                return Ok(ExitCode::from(SIMULATED_EXIT));
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            status!(error: "batch {}: final proof REJECTED: {e}", batch.batch_number);
            Ok(ExitCode::from(2))
        }
    }
}

/// A simulated record (`fleet/src/tree_hash.rs`) against its simulated batch: accepted only as simulated
/// (exit status [`SIMULATED_EXIT`]), never as a proof.
fn verify_simulated(args: &VerifyArgs, proof: &[u8]) -> Result<ExitCode> {
    let record = SimulatedRecord::from_frame(proof)
        .with_context(|| format!("{} is not a simulated record", args.proof.display()))?;
    let batch = SimulatedBatch::from_frame(&read_file(&args.input)?).with_context(|| {
        format!(
            "{} holds a SIMULATED record (not a proof); {} is not a simulated batch",
            args.proof.display(),
            args.input.display()
        )
    })?;
    let n = batch.batch_number;
    if record.batch != batch {
        status!(error:
            "batch {n}: SIMULATED record REJECTED: it is the record of another batch or shape"
        );
        return Ok(ExitCode::from(2));
    }
    match zkstream_fleet::check_record(&record) {
        Ok(()) => {
            println!(
                "batch {n}: SIMULATED record, NOT a proof: its tree hash {} closes the simulated tree \
                 of its shape (workload {}, {} circuit types, arity {})",
                hex::encode(record.tree_hash),
                batch.workload,
                batch.basic.len(),
                batch.arity
            );
            Ok(ExitCode::from(SIMULATED_EXIT))
        }
        Err(e) => {
            status!(error: "batch {n}: SIMULATED record REJECTED: {e}");
            Ok(ExitCode::from(2))
        }
    }
}
