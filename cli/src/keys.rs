//! `zkstream keys`: precompute and inspect setup data and verification keys.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::{Args, Subcommand};

use zkstream_prover::wrap::keys::Source;
use zkstream_prover::wrap::{CrsSource, WrapKeys};

use crate::ProofOpts;

/// Arguments of `keys`.
#[derive(Args, Debug)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Subcommand, Debug)]
enum KeysCommand {
    /// Compute (or load, when cached) every circuit's setup and print each VK commitment.
    Generate {
        /// Cache directory (overrides --keys-dir).
        #[arg(long)]
        dir: Option<PathBuf>,
        /// Also the SNARK wrapper's setup and key under this CRS file (monomial form, e.g.
        /// zkSync's `setup_2^24.key`), and print the wrapper key's commitment.
        #[arg(long)]
        crs: Option<PathBuf>,
        /// Also the SNARK wrapper's setup and key under the insecure test CRS (tests and demos only).
        #[arg(long, conflicts_with = "crs")]
        test_crs: bool,
        #[command(flatten)]
        opts: ProofOpts,
    },
}

pub fn run(args: KeysArgs) -> Result<ExitCode> {
    match args.command {
        KeysCommand::Generate {
            dir,
            crs,
            test_crs,
            mut opts,
        } => {
            if dir.is_some() {
                opts.keys_dir = dir;
            }
            let keys = opts.keystore()?;
            let started = Instant::now();
            println!(
                "keys for profile {} in {}",
                keys.profile().name,
                keys.dir()
                    .map(|d| d.display().to_string())
                    .unwrap_or_default()
            );
            for (id, commitment, source) in keys.generate_all()? {
                let s = keys.get(id)?;
                println!(
                    "{:<22} {commitment}  rows {:>7}  domain {:>7}  {}",
                    id.to_string(),
                    s.rows,
                    s.vk.fixed_parameters.domain_size,
                    match source {
                        zkstream_prover::keys::KeySource::Computed => "computed",
                        zkstream_prover::keys::KeySource::Disk => "reused (disk)",
                        zkstream_prover::keys::KeySource::Memory => "reused (memory)",
                    }
                );
            }
            println!("vk set commitment      {}", keys.vk_set_commitment()?);
            let crs = match (crs, test_crs) {
                (Some(path), _) => Some(CrsSource::File(path)),
                (None, true) => Some(CrsSource::Test),
                (None, false) => None,
            };
            if let Some(crs) = crs {
                let t = Instant::now();
                let wrap = WrapKeys::prepare(&keys, &crs, opts.settings()?.threads)?;
                println!(
                    "wrapper key commitment {}  domain 2^{}  CRS {}  {} in {:.1}s{}",
                    hex::encode(wrap.pinned.commitment),
                    wrap.domain().trailing_zeros(),
                    wrap.crs_id,
                    match wrap.source {
                        Source::Loaded => "reused (disk)",
                        Source::Computed => "computed (in part or whole)",
                    },
                    t.elapsed().as_secs_f64(),
                    if wrap.test_crs() {
                        "  TEST CRS: wrapped proofs under it prove nothing"
                    } else {
                        ""
                    }
                );
            }
            println!("done in {:.1}s", started.elapsed().as_secs_f64());
            Ok(ExitCode::SUCCESS)
        }
    }
}
