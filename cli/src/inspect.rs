//! `zkstream inspect FILE`: decode any framed file and print a human summary.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use zkstream_types::{decode_any, Frame, Request};

/// Arguments of `inspect`.
#[derive(Args, Debug)]
pub struct InspectArgs {
    /// The framed file (batch input, artifact, final proof, user-proof record, simulated batch or
    /// record).
    file: PathBuf,
}

pub fn run(args: InspectArgs) -> Result<ExitCode> {
    let bytes = crate::read_file(&args.file)?;
    let frame = decode_any(&bytes)
        .with_context(|| format!("{} is not a valid zkstream frame", args.file.display()))?;
    print!("{}", summary(&frame, bytes.len()));
    Ok(ExitCode::SUCCESS)
}

fn summary(frame: &Frame, size: usize) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    match frame {
        Frame::Batch(b) => {
            let _ = writeln!(s, "batch input ({size} bytes framed)");
            let _ = writeln!(s, "  batch number:        {}", b.batch_number);
            let _ = writeln!(s, "  protocol version:    {}", b.protocol_version);
            let _ = writeln!(s, "  previous commitment: {}", b.previous_batch_commitment);
            let _ = writeln!(s, "  requests:            {}", b.requests.len());
            for (t, n) in b.counts() {
                let bytes: usize = b
                    .queue(t)
                    .map(|r| match r {
                        Request::Poseidon2Hash { inputs } => inputs.len() * 8,
                        Request::Sha256 { data } => data.len(),
                    })
                    .sum();
                let _ = writeln!(s, "    {:<10} {n:>6} requests, {bytes} payload bytes", t);
            }
            if let Err(e) = b.validate() {
                let _ = writeln!(s, "  INVALID: {e}");
            }
        }
        Frame::Artifact(a) => {
            let _ = writeln!(s, "artifact ({size} bytes framed)");
            let _ = writeln!(s, "  key:           {}", a.key);
            let _ = writeln!(s, "  path:          {}", a.key.path());
            let _ = writeln!(s, "  vk commitment: {}", a.vk_commitment);
            let _ = writeln!(s, "  public input:  {}", a.public_input);
            if let Some(r) = &a.range {
                let _ = writeln!(
                    s,
                    "  range:         {} {} → {} ({} requests)",
                    r.circuit, r.start, r.end, r.count
                );
            }
            let _ = writeln!(s, "  proof:         {} bytes", a.proof.len());
        }
        Frame::FinalProof(p) => {
            let _ = writeln!(s, "final batch proof ({size} bytes framed)");
            let _ = writeln!(s, "  batch number:        {}", p.batch_number);
            let _ = writeln!(s, "  protocol version:    {}", p.protocol_version);
            let _ = writeln!(s, "  proof profile:       {}", p.proof_profile);
            let _ = writeln!(s, "  previous commitment: {}", p.previous_batch_commitment);
            let _ = writeln!(s, "  batch commitment:    {}", p.batch_commitment);
            let _ = writeln!(s, "  vk set commitment:   {}", p.vk_set_commitment);
            for r in &p.aggregation_result_coords {
                let _ = writeln!(
                    s,
                    "    {:<10} {:>6} requests, end state {}",
                    r.circuit, r.count, r.end
                );
            }
            let _ = writeln!(s, "  proof:               {}", p.proof_summary());
            if let Some(w) = &p.wrap {
                let _ = writeln!(
                    s,
                    "  wrapper key:         {} (CRS {})",
                    hex::encode(w.wrapper_vk_commitment),
                    w.crs
                );
            }
        }
        Frame::UserProof(u) => {
            let _ = writeln!(s, "user proof submission ({size} bytes framed)");
            let _ = writeln!(s, "  proof id:          {}", u.proof_id);
            let _ = writeln!(s, "  proving system id: {:#06x}", u.proving_system_id);
            let _ = writeln!(s, "  program id:        {}", hex::encode(u.program_id));
            let _ = writeln!(s, "  public inputs:     {} bytes", u.public_inputs.len());
            let _ = writeln!(s, "  proof:             {} bytes", u.proof.len());
            let _ = writeln!(
                s,
                "  key:               {}",
                match &u.vk {
                    Some(v) => format!("embedded, {} bytes", v.len()),
                    None => "registered".into(),
                }
            );
        }
        Frame::Aggregation(a) => {
            let _ = writeln!(s, "aggregation record ({size} bytes framed)");
            let _ = writeln!(s, "  run:    {}", a.run);
            let _ = writeln!(s, "  family: {:016x}", a.family);
            let _ = writeln!(s, "  key:    {}", hex::encode(a.aggregate_key));
            let _ = writeln!(s, "  root:   {}", hex::encode(a.root));
            let _ = writeln!(s, "  proofs: {} in {} chunk(s)", a.proofs.len(), a.chunks);
            for b in &a.blobs {
                let _ = writeln!(
                    s,
                    "  blob:   versioned hash {}",
                    hex::encode(b.versioned_hash)
                );
            }
            let _ = writeln!(s, "  {}", crate::user::aggregate_summary(a));
        }
        Frame::UserArtifact(a) => {
            let _ = writeln!(s, "user proof artifact ({size} bytes framed)");
            let _ = writeln!(s, "  key:   {}", a.key);
            let _ = writeln!(s, "  vk:    {}", a.vk_commitment);
            let _ = writeln!(s, "  proof: {} bytes", a.proof.len());
        }
        Frame::SimulatedBatch(b) => {
            let _ = writeln!(s, "simulated batch ({size} bytes framed)");
            simulated_shape(&mut s, b);
        }
        Frame::SimulatedRecord(r) => {
            let _ = writeln!(
                s,
                "SIMULATED record ({size} bytes framed): a hash over a simulated job tree, NOT a proof"
            );
            simulated_shape(&mut s, &r.batch);
            let _ = writeln!(s, "  tree hash:    {}", hex::encode(r.tree_hash));
        }
        Frame::SimulatedArtifact(a) => {
            let _ = writeln!(
                s,
                "SIMULATED artifact ({size} bytes framed): a simulated job's hash, NOT a proof"
            );
            let _ = writeln!(s, "  job:          {}", a.key);
            let _ = writeln!(s, "  hash:         {}", hex::encode(a.hash));
        }
    }
    s
}

fn simulated_shape(s: &mut String, b: &zkstream_types::SimulatedBatch) {
    use std::fmt::Write;
    let total: u64 = b.basic.iter().map(|&n| u64::from(n)).sum();
    let _ = writeln!(s, "  batch number: {}", b.batch_number);
    let _ = writeln!(s, "  workload:     {}", b.workload);
    let _ = writeln!(s, "  arity:        {}", b.arity);
    let _ = writeln!(
        s,
        "  basic jobs:   {total} over {} circuit types",
        b.basic.len()
    );
}
