//! The records that flow between the operators: jobs for the prover pool, artifact
//! references, per-batch outcomes. Proof bytes never travel through timely: a [`ProofRef`] names an
//! artifact in the store, written before the reference is forwarded.

use serde::{Deserialize, Serialize};
use zkstream_prover::{BasicJob, CircuitId};
use zkstream_types::{
    AggregationRound, ArtifactKey, CircuitType, Digest, FinalBatchProof, QueueRange, SimKey,
    SimulatedRecord,
};

/// What every job and reference of a batch carries about the batch itself (a few dozen bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BatchHeader {
    /// Batch number (also the timely time).
    pub batch_number: u64,
    /// Protocol version.
    pub protocol_version: u32,
    /// Commitment of the previous batch, bound by the scheduler.
    pub previous_batch_commitment: Digest,
}

/// A reference to a verified artifact in the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofRef {
    /// Where the artifact lives.
    pub key: ArtifactKey,
    /// The batch it belongs to.
    pub header: BatchHeader,
    /// Per-type proofs: one range. Tip, scheduler, compression: every type's whole-batch range.
    pub ranges: Vec<QueueRange>,
    /// How many artifacts of this (batch, type, round, depth) level exist: what chunking counts to.
    pub siblings: u32,
}

impl ProofRef {
    /// The circuit type of a per-type proof.
    pub fn circuit(&self) -> Option<CircuitType> {
        self.key.circuit
    }

    /// The level within a type's tree: 0 basic, 1 leaf, 1 + d node of depth d.
    pub fn level(&self) -> u32 {
        level_of(&self.key)
    }
}

/// The level of a per-type artifact key: 0 basic, 1 leaf, 1 + d node of depth d.
pub fn level_of(key: &ArtifactKey) -> u32 {
    match key.round {
        AggregationRound::Basic => 0,
        AggregationRound::Leaf => 1,
        _ => 1 + key.depth,
    }
}

/// The work of one job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobKind {
    /// A basic circuit over a run of requests.
    Basic(BasicJob),
    /// A leaf or node over ≤ ARITY consecutive children of one type.
    Aggregate(Vec<ProofRef>),
    /// The recursion tip over the final node proof of every type (in `REAL_TYPES` order).
    Tip(Vec<ProofRef>),
    /// The scheduler over the tip proof.
    Scheduler(ProofRef),
    /// The compression layer over the scheduler proof.
    Compression(ProofRef),
    /// The SNARK wrap (wrap layer, then the PLONK wrapper) over the scheduler proof.
    Wrap(ProofRef),
}

/// One proving job: what to prove and where its artifact goes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// The artifact it produces.
    pub key: ArtifactKey,
    /// Its batch.
    pub header: BatchHeader,
    /// The ranges its proof will expose (same meaning as [`ProofRef::ranges`]).
    pub ranges: Vec<QueueRange>,
    /// Size of its level (carried on to the [`ProofRef`]).
    pub siblings: u32,
    /// The work.
    pub kind: JobKind,
}

impl Job {
    /// The circuit (and so the setup and VK) this job proves.
    pub fn circuit_id(&self) -> Option<CircuitId> {
        circuit_id(&self.key)
    }

    /// The keys of the artifacts it reads.
    pub fn children(&self) -> Vec<ArtifactKey> {
        match &self.kind {
            JobKind::Basic(_) => Vec::new(),
            JobKind::Aggregate(c) | JobKind::Tip(c) => c.iter().map(|r| r.key).collect(),
            JobKind::Scheduler(r) | JobKind::Compression(r) | JobKind::Wrap(r) => vec![r.key],
        }
    }

    /// The reference forwarded once the job's artifact is stored.
    pub fn output(&self) -> ProofRef {
        ProofRef {
            key: self.key,
            header: self.header,
            ranges: self.ranges.clone(),
            siblings: self.siblings,
        }
    }
}

/// The circuit an artifact key belongs to.
pub fn circuit_id(key: &ArtifactKey) -> Option<CircuitId> {
    Some(match (key.round, key.circuit) {
        (AggregationRound::Basic, Some(t)) => CircuitId::Basic(t),
        (AggregationRound::Leaf, Some(t)) => CircuitId::Leaf(t),
        (AggregationRound::Node, Some(t)) => CircuitId::Node(t, key.depth),
        (AggregationRound::RecursionTip, None) => CircuitId::Tip,
        (AggregationRound::Scheduler, None) => CircuitId::Scheduler,
        (AggregationRound::Compression, None) => CircuitId::Compression,
        _ => return None,
    })
}

/// Why a batch did not produce a final proof.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchFailure {
    /// The batch.
    pub batch_number: u64,
    /// The stage that gave up.
    pub stage: FailureStage,
    /// Why, in words.
    pub reason: String,
}

/// Where a batch gave up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FailureStage {
    /// No valid record of it arrived (the input moved past it).
    Source,
    /// Its witness: the batch does not fit the proof tree.
    Witness,
    /// A proving job, after its attempts (at once when a retry cannot help).
    Prove(ArtifactKey),
    /// A simulated job, after its attempts (a simulation's batch: no proof was ever meant).
    Simulate(SimKey),
    /// The final record did not check out.
    Finalize,
}

impl FailureStage {
    /// The bounded label: `source`, `witness`, `prove` or `finalize`.
    pub fn label(&self) -> &'static str {
        match self {
            FailureStage::Source => "source",
            FailureStage::Witness => "witness",
            FailureStage::Prove(_) | FailureStage::Simulate(_) => "prove",
            FailureStage::Finalize => "finalize",
        }
    }
}

impl std::fmt::Display for FailureStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FailureStage::Prove(key) => write!(f, "prove {key}"),
            FailureStage::Simulate(key) => write!(f, "prove {key}"),
            other => f.write_str(other.label()),
        }
    }
}

/// What the pipeline concludes about one batch: its final record (a proof, or in a simulation a
/// [`SimulatedRecord`]), or why there is none.
pub type BatchOutcome<P = FinalBatchProof> = Result<P, BatchFailure>;

/// A batch's final record, as the ordered sink stage sees it: it only needs the batch number.
pub trait FinalRecord:
    Clone + Send + Sync + Serialize + serde::de::DeserializeOwned + 'static
{
    /// The batch it closes.
    fn batch_number(&self) -> u64;
}

impl FinalRecord for FinalBatchProof {
    fn batch_number(&self) -> u64 {
        self.batch_number
    }
}

impl FinalRecord for SimulatedRecord {
    fn batch_number(&self) -> u64 {
        self.batch.batch_number
    }
}

/// What the ordered sink stage emits, strictly in batch order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery<P = FinalBatchProof> {
    /// The next batch's final record (a proof, except in a simulation).
    Proof(P),
    /// The next batch has no proof; with the default no-gap policy nothing after it is delivered.
    Gap(BatchFailure),
}

impl<P: FinalRecord> Delivery<P> {
    /// The batch it is about.
    pub fn batch_number(&self) -> u64 {
        match self {
            Delivery::Proof(p) => p.batch_number(),
            Delivery::Gap(f) => f.batch_number,
        }
    }
}
