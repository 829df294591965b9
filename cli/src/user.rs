//! Aggregation mode from the command line: make a sample user proof submission, aggregate submission
//! files in one run (the sequential reference), and the user's side — find a proof's inclusion path in a
//! run record and check a path against a root, as a contract's `MerkleProof.verify` would; and check
//! a run record's wrapped proof (`verify-aggregate`), as a contract's pairing check would.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::Args;
use zkstream_aggregation::merkle::hex32;
use zkstream_aggregation::{
    unpack_blobs, verify_blob, verify_inclusion, BlobData, BlobKzg, InclusionProof, MerkleTree,
};
use zkstream_dataflow::user_proofs::run_sequential;
use zkstream_prover::circuits::wrap::aggregate_commitment;
use zkstream_prover::field::{decode_vk, encode_vk};
use zkstream_prover::user::{program_id, public_input_bytes};
use zkstream_prover::wrap::{AggregateWrapper, CrsSource, WrapTarget, WrapperVk};
use zkstream_prover::{encode_proof, Prover, UserFamily, UserShape};
use zkstream_types::{AggregationRecord, Framed, UserSubmission};

use crate::{read_file, write_file, ProofOpts};

/// The shape of aggregation mode's circuits.
#[derive(Args, Debug, Clone)]
pub struct UserOpts {
    /// User proofs per chunk proof (a power of two).
    #[arg(long, default_value_t = UserShape::default().proofs_per_chunk)]
    proofs_per_chunk: usize,
    /// Children per node of the aggregation tree (a power of two).
    #[arg(long, default_value_t = UserShape::default().node_arity)]
    node_arity: usize,
    /// Node levels above the chunks (1 to 4).
    #[arg(long, default_value_t = UserShape::default().levels)]
    levels: u32,
    /// Hash rounds of the sample user programs.
    #[arg(long, default_value_t = UserShape::default().program_rounds)]
    program_rounds: usize,
}

impl UserOpts {
    fn prover(&self, proof: &ProofOpts) -> Result<Arc<Prover>> {
        let threads = proof.settings()?.threads;
        let keys = proof.keystore()?.with_user_shape(UserShape {
            program_rounds: self.program_rounds,
            proofs_per_chunk: self.proofs_per_chunk,
            node_arity: self.node_arity,
            levels: self.levels,
        })?;
        Ok(Arc::new(Prover::new(Arc::new(keys), threads)))
    }
}

/// The gate set of a sample user program.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum GateSet {
    /// zkstream's plain gate set: a Poseidon2 chain of `--program-rounds` rounds seeded with the salt
    /// (each salt is another program).
    Plain,
    /// The SHA-256 gate set (lookups): zkstream's SHA-256 basic circuit over salt ‖ secret (one
    /// program for every salt).
    Sha256,
    /// The recursion gate set: zkstream's Poseidon2 leaf over a basic proof hashing salt ‖ secret — a
    /// recursive proof (one program for every salt).
    Recursion,
}

/// Arguments of `user-proof`.
#[derive(Args, Debug)]
pub struct UserProofArgs {
    /// The sample program's constant (each value is a different program, with its own key).
    #[arg(long)]
    salt: u64,
    /// The sample program's gate set: each gate set (and, for plain, each size) is another family.
    #[arg(long, value_enum, default_value_t = GateSet::Plain)]
    gate_set: GateSet,
    /// The secret: four numbers, comma-separated.
    #[arg(long, value_delimiter = ',', required = true)]
    secret: Vec<u64>,
    /// The submitter's id for this proof.
    #[arg(long)]
    proof_id: String,
    /// Do not embed the key (the program must then be registered).
    #[arg(long)]
    no_key: bool,
    /// Where to write the framed submission.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    user: UserOpts,
    #[command(flatten)]
    proof: ProofOpts,
}

/// Proves the sample program and writes a submission.
pub fn user_proof(args: UserProofArgs) -> Result<ExitCode> {
    let prover = args.user.prover(&args.proof)?;
    let secret: [u64; 4] = args
        .secret
        .as_slice()
        .try_into()
        .context("--secret takes exactly four numbers")?;
    let (vk, proof) = match args.gate_set {
        GateSet::Plain => prover.prove_user_program(args.salt, secret)?,
        GateSet::Sha256 => {
            let data: Vec<u8> = std::iter::once(args.salt)
                .chain(secret)
                .flat_map(u64::to_be_bytes)
                .collect();
            prover.prove_sha_user_program(&data)?
        }
        GateSet::Recursion => {
            let inputs: Vec<u64> = std::iter::once(args.salt).chain(secret).collect();
            prover.prove_recursion_user_program(&inputs)?
        }
    };
    let sub = UserSubmission {
        proof_id: args.proof_id,
        proving_system_id: zkstream_aggregation::ProvingSystem::Boojum.id(),
        program_id: program_id(&vk),
        public_inputs: public_input_bytes(&proof),
        proof: encode_proof(&proof)?,
        vk: if args.no_key {
            None
        } else {
            Some(encode_vk(&vk)?)
        },
    };
    write_file(&args.out, &sub.to_frame()?)?;
    println!(
        "submission {}: program {}, {} proof bytes → {}",
        sub.proof_id,
        hex::encode(sub.program_id),
        sub.proof.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `aggregate-files`.
#[derive(Args, Debug)]
pub struct AggregateFilesArgs {
    /// Framed submissions (`user-proof --out`).
    #[arg(required = true)]
    submissions: Vec<PathBuf>,
    /// The run number.
    #[arg(long, default_value_t = 1)]
    run: u64,
    /// Registered keys: files written by `user-proof` whose embedded key registers its program.
    #[arg(long)]
    register: Vec<PathBuf>,
    /// Where to write the framed run record.
    #[arg(long)]
    out: PathBuf,
    /// SNARK-wrap each run's aggregated proof (a PLONK proof over BN254, ~1.6 KB), with the CRS of
    /// `--crs` or, without it, the TEST CRS (tau = 42: the wrapped proof proves nothing).
    #[arg(long)]
    wrap: bool,
    /// A CRS file in monomial form (zkSync's `setup_2^24.key`) for `--wrap`.
    #[arg(long, requires = "wrap")]
    crs: Option<PathBuf>,
    #[command(flatten)]
    user: UserOpts,
    #[command(flatten)]
    proof: ProofOpts,
}

/// One sequential aggregation run over files.
pub fn aggregate_files(args: AggregateFilesArgs) -> Result<ExitCode> {
    let prover = args.user.prover(&args.proof)?;
    let mut registry = std::collections::HashMap::new();
    for path in &args.register {
        let sub = UserSubmission::from_frame(&read_file(path)?)
            .with_context(|| format!("{} is not a submission", path.display()))?;
        let bytes = sub.vk.context("a registration file must embed its key")?;
        let vk = decode_vk(&bytes)?;
        registry.insert(program_id(&vk), vk);
    }
    let mut subs = Vec::new();
    for path in &args.submissions {
        match UserSubmission::from_frame(&read_file(path)?) {
            Ok(s) => subs.push(s),
            Err(e) => status!(error: "refused {}: undecodable: {e}", path.display()),
        }
    }
    let started = std::time::Instant::now();
    let threads = args.proof.settings()?.threads;
    let wrapper = match (args.wrap, &args.crs) {
        (false, _) => None,
        (true, Some(path)) => Some(AggregateWrapper::new(
            CrsSource::File(path.clone()),
            threads,
        )?),
        (true, None) => {
            status!("--wrap without --crs: the TEST CRS (tau = 42); wrapped proofs prove nothing");
            Some(AggregateWrapper::new(CrsSource::Test, threads)?)
        }
    };
    let (records, refused) = run_sequential(
        &prover,
        args.run,
        &|p| registry.get(p).cloned(),
        &subs,
        wrapper.as_ref(),
    )?;
    for r in &refused {
        println!("refused {}: {}", r.proof_id, r.reason);
    }
    if records.is_empty() {
        bail!("no valid submission: nothing to aggregate");
    }
    for (k, record) in records.iter().enumerate() {
        // One run per family: the first record goes to --out, the next ones beside it.
        let out = if k == 0 {
            args.out.clone()
        } else {
            run_path(&args.out, record.run)
        };
        write_file(&out, &record.to_frame()?)?;
        println!(
            "run {} (family {:016x}): {} proofs in {} chunk(s), root {}, {} blob(s), {}, {:.1} s → {}",
            record.run,
            record.family,
            record.proofs.len(),
            record.chunks,
            hex::encode(record.root),
            record.blobs.len(),
            aggregate_summary(record),
            started.elapsed().as_secs_f64(),
            out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// What a run record's aggregated proof is, for one line: its FRI proof's size, and the wrapped
/// proof's with its key (and TEST CRS when it proves nothing).
pub(crate) fn aggregate_summary(record: &AggregationRecord) -> String {
    match &record.wrap {
        None => format!("aggregated proof {} bytes (FRI)", record.proof.len()),
        Some(w) => format!(
            "wrapped proof {} bytes (PLONK/BN254, wrapper key {}{}), FRI proof {} bytes",
            w.proof.len(),
            hex::encode(&w.wrapper_vk_commitment[..8]),
            if w.test_crs {
                "; TEST CRS: proves nothing"
            } else {
                ""
            },
            record.proof.len()
        ),
    }
}

/// Arguments of `verify-aggregate`.
#[derive(Args, Debug)]
pub struct VerifyAggregateArgs {
    /// A run record (`aggregate-files --out`, or a record from the aggregates topic).
    #[arg(long)]
    record: PathBuf,
    /// Accept only the wrapper key with this commitment (hex; `zkstream keys generate` prints it).
    #[arg(long)]
    wrapper_vk_commitment: Option<String>,
    #[command(flatten)]
    proof: ProofOpts,
}

/// Checks a wrapped run record as a contract would: the root is the Merkle root of the record's
/// commitments, the blobs publish them, and the wrapped proof verifies (pairings) against a wrapper
/// key this machine computed for aggregates and the hash of the count and root. Exit 0 when it
/// holds, 2 when it does not, 3 for a test-CRS proof under the production profile.
pub fn verify_aggregate(args: VerifyAggregateArgs) -> Result<ExitCode> {
    let record = AggregationRecord::from_frame(&read_file(&args.record)?)
        .with_context(|| format!("{} is not an aggregation record", args.record.display()))?;
    let run = record.run;
    let reject = |why: String| {
        status!(error: "run {run}: REJECTED: {why}");
        Ok(ExitCode::from(2))
    };
    let Some(wrap) = &record.wrap else {
        return reject(
            "the record carries no wrapped proof (aggregate with [aggregation] wrap or --wrap)"
                .into(),
        );
    };
    let leaves: Vec<[u8; 32]> = record.proofs.iter().map(|p| p.commitment).collect();
    if leaves.is_empty() || MerkleTree::new(&leaves)?.root() != record.root {
        return reject("its root is not the Merkle root of its commitments".into());
    }
    if let Err(e) = check_blobs(&record) {
        return reject(e.to_string());
    }
    let keys = args.proof.keystore()?;
    let wanted = match &args.wrapper_vk_commitment {
        Some(h) => hex32::parse(h)?,
        None => wrap.wrapper_vk_commitment,
    };
    let target = WrapTarget::Aggregate(UserFamily(record.family));
    let Some(key) = WrapperVk::find(&keys, target, &wanted)? else {
        status!(error:
            "run {run}: wrapper key {} is not among the wrapper keys of family {}'s aggregates \
             cached in {} for profile {} and protocol version {}",
            hex::encode(wanted),
            UserFamily(record.family),
            keys.dir().map(|d| d.display().to_string()).unwrap_or_default(),
            keys.profile().name,
            keys.protocol_version()
        );
        return Ok(ExitCode::from(2));
    };
    let commitment = aggregate_commitment(leaves.len() as u64, &record.root);
    let started = std::time::Instant::now();
    if !key.verify(&wrap.proof, &commitment) {
        return reject(format!(
            "the wrapped proof does not verify under wrapper key {} for {} proofs under root {}",
            hex::encode(key.commitment),
            leaves.len(),
            hex::encode(record.root)
        ));
    }
    println!(
        "run {run}: wrapped aggregate verified (pairings, {:.1} ms; {} bytes, wrapper key {}): {} \
         proofs under root {}{}",
        started.elapsed().as_secs_f64() * 1e3,
        wrap.proof.len(),
        hex::encode(key.commitment),
        leaves.len(),
        hex::encode(record.root),
        if key.test_crs {
            "\nTEST CRS: this wrapped proof was made with the insecure test CRS (tau = 42) and \
             PROVES NOTHING; for tests and demos only"
        } else {
            ""
        }
    );
    if key.test_crs && keys.profile().name != zkstream_prover::ProofProfile::test().name {
        status!(error:
            "run {run}: wrapped with the TEST CRS under the production profile: NOT a proof \
             (exit status {})",
            crate::proving::SIMULATED_EXIT
        );
        return Ok(ExitCode::from(crate::proving::SIMULATED_EXIT));
    }
    Ok(ExitCode::SUCCESS)
}

/// Where `aggregate-files` writes run `run` when the submissions span several families: `agg.rec` →
/// `agg-run-2.rec`.
fn run_path(out: &std::path::Path, run: u64) -> PathBuf {
    let stem = out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match out.extension() {
        Some(ext) => format!("{stem}-run-{run}.{}", ext.to_string_lossy()),
        None => format!("{stem}-run-{run}"),
    };
    out.with_file_name(name)
}

/// Arguments of `inclusion`.
#[derive(Args, Debug)]
pub struct InclusionArgs {
    /// A run record (`aggregate-files --out`, or a record from the aggregates topic).
    #[arg(long)]
    record: PathBuf,
    /// The submitter's proof id.
    #[arg(
        long,
        conflicts_with = "commitment",
        required_unless_present = "commitment"
    )]
    proof_id: Option<String>,
    /// Or the proof's commitment (hex).
    #[arg(long)]
    commitment: Option<String>,
}

/// Prints a proof's inclusion path (JSON) after checking the record's blobs publish its commitment.
pub fn inclusion(args: InclusionArgs) -> Result<ExitCode> {
    let record = AggregationRecord::from_frame(&read_file(&args.record)?)
        .with_context(|| format!("{} is not an aggregation record", args.record.display()))?;
    let wanted = args.commitment.as_deref().map(hex32::parse).transpose()?;
    let Some(p) = record
        .proofs
        .iter()
        .find(|p| match (&args.proof_id, &wanted) {
            (Some(id), _) => &p.proof_id == id,
            (None, Some(c)) => &p.commitment == c,
            _ => false,
        })
    else {
        bail!("not in run {}", record.run);
    };
    check_blobs(&record)?;
    let proof = InclusionProof {
        index: p.index as usize,
        leaf: p.commitment,
        path: p.path.clone(),
        root: record.root,
    };
    if !proof.verify() {
        bail!(
            "the record's path for {} does not lead to its root",
            p.proof_id
        );
    }
    println!("{}", serde_json::to_string_pretty(&proof)?);
    Ok(ExitCode::SUCCESS)
}

/// The blobs decode to exactly the record's commitments, and each opens its KZG commitment.
fn check_blobs(record: &AggregationRecord) -> Result<()> {
    let blobs: Vec<BlobData> = record
        .blobs
        .iter()
        .map(|b| BlobData(b.data.clone()))
        .collect();
    let published = unpack_blobs(&blobs, record.proofs.len())?;
    let leaves: Vec<[u8; 32]> = record.proofs.iter().map(|p| p.commitment).collect();
    if published != leaves {
        bail!("the blobs do not publish the record's commitments");
    }
    for (i, b) in record.blobs.iter().enumerate() {
        let kzg = BlobKzg {
            commitment: b.kzg_commitment.clone(),
            proof: b.kzg_proof.clone(),
            versioned_hash: b.versioned_hash,
        };
        if !verify_blob(&blobs[i], &kzg)? {
            bail!("blob {i} does not open its KZG commitment");
        }
    }
    Ok(())
}

/// Arguments of `verify-inclusion`.
#[derive(Args, Debug)]
pub struct VerifyInclusionArgs {
    /// The inclusion proof as printed by `inclusion` (JSON); or give --root, --leaf and --path.
    #[arg(long, conflicts_with_all = ["root", "leaf", "path"])]
    proof: Option<PathBuf>,
    /// The published root (hex).
    #[arg(long, requires_all = ["leaf"])]
    root: Option<String>,
    /// The proof's commitment (hex).
    #[arg(long)]
    leaf: Option<String>,
    /// Sibling hashes, bottom up, comma-separated (hex).
    #[arg(long, value_delimiter = ',')]
    path: Vec<String>,
}

/// Exits 0 only if the path leads from the leaf to the root (sorted-pair keccak).
pub fn verify_inclusion_cmd(args: VerifyInclusionArgs) -> Result<ExitCode> {
    let (root, leaf, path) = match (&args.proof, &args.root, &args.leaf) {
        (Some(file), _, _) => {
            let p: InclusionProof = serde_json::from_slice(&read_file(file)?)
                .with_context(|| format!("{} is not an inclusion proof", file.display()))?;
            (p.root, p.leaf, p.path)
        }
        (None, Some(r), Some(l)) => {
            let parse = |t: &str| hex32::parse(t).map_err(anyhow::Error::from);
            let path = args
                .path
                .iter()
                .map(|t| parse(t))
                .collect::<Result<Vec<_>>>()?;
            (parse(r)?, parse(l)?, path)
        }
        _ => bail!("give --proof FILE, or --root, --leaf and --path"),
    };
    if verify_inclusion(&root, &leaf, &path) {
        println!(
            "included: {} is under root {}",
            hex::encode(leaf),
            hex::encode(root)
        );
        Ok(ExitCode::SUCCESS)
    } else {
        status!(error:
            "NOT included: the path does not lead from {} to {}",
            hex::encode(leaf),
            hex::encode(root)
        );
        Ok(ExitCode::FAILURE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn later_runs_are_written_beside_the_first() {
        let p = std::path::Path::new("/tmp/x/agg.rec");
        assert_eq!(run_path(p, 2), PathBuf::from("/tmp/x/agg-run-2.rec"));
        assert_eq!(
            run_path(std::path::Path::new("out"), 3),
            PathBuf::from("out-run-3")
        );
    }
}
