//! The circuit catalogue: every circuit of the batch proof tree and of user-proof mode (one
//! [`CircuitId`] each), what round and gate set it belongs to, which circuit it verifies, and how to
//! build it.

use std::fmt;

use serde::{Deserialize, Serialize};
use zkstream_types::{AggregationRound, CircuitType, REAL_TYPES};

use crate::circuits::config::Layout;
use crate::circuits::{
    AggregateCircuit, CompressionCircuit, SchedulerCircuit, TipCircuit, UserChunkCircuit,
    UserNodeCircuit,
};
use crate::error::ProverError;
use crate::field::BVk;
use crate::profile::{LayerConfig, ProofProfile, TreeShape};

use super::{KeyStore, UserFamily};

/// The gate sets users' circuits may be built with to be aggregated: zkstream's plain set (that of
/// [`crate::circuits::UserProgramCircuit`], no lookups) and its SHA-256 set (that of the `Sha256`
/// basic circuit: the same gates plus the SHA-256 lookup tables) and its recursion set (that of its
/// leaf, node, tip and scheduler circuits: the plain gates plus the extension-field FMA gate — so a
/// recursive boojum proof, zkstream's own batch proofs included, can be aggregated too). Their proofs
/// use the profile's basic FRI parameters (the recursion layers' are the same).
pub const USER_LAYOUTS: [Layout; 3] = [Layout::Plain, Layout::Sha, Layout::Recursion];

/// One circuit of the tree (one setup, one verification key).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CircuitId {
    /// Basic circuit of a type.
    Basic(CircuitType),
    /// Leaf of a type (children: basic proofs).
    Leaf(CircuitType),
    /// Node of a type at a depth ≥ 1 (children: leaves at depth 1, nodes of depth − 1 above).
    Node(CircuitType, u32),
    /// Recursion tip.
    Tip,
    /// Scheduler.
    Scheduler,
    /// Compression (the final proof).
    Compression,
    /// User-proof mode: a sample user program of `rounds` hash rounds with this constant (tests,
    /// demo, benchmarks); programs of different sizes fall in different [`UserFamily`]s.
    UserProgram(u32, u64),
    /// User-proof mode: a chunk of user proofs of one family.
    UserChunk(UserFamily),
    /// User-proof mode: a node of a family's aggregation tree at a level ≥ 1 (children: chunks at
    /// level 1, nodes of the level below above it); the top level's proof is a run's aggregated proof.
    UserNode(UserFamily, u32),
}

impl CircuitId {
    /// The aggregation round of this circuit.
    pub fn round(self) -> AggregationRound {
        match self {
            CircuitId::Basic(_) => AggregationRound::Basic,
            CircuitId::Leaf(_) => AggregationRound::Leaf,
            CircuitId::Node(..) => AggregationRound::Node,
            CircuitId::Tip => AggregationRound::RecursionTip,
            CircuitId::Scheduler => AggregationRound::Scheduler,
            CircuitId::Compression => AggregationRound::Compression,
            // User-proof mode reuses the round labels: user proofs, chunks, aggregates.
            CircuitId::UserProgram(..) => AggregationRound::Basic,
            CircuitId::UserChunk(_) => AggregationRound::Leaf,
            CircuitId::UserNode(..) => AggregationRound::Node,
        }
    }

    /// The circuit's configuration (and so the verifier a parent needs).
    pub fn layout(self) -> Layout {
        match self {
            CircuitId::Basic(CircuitType::SHA256) => Layout::Sha,
            CircuitId::UserChunk(_) | CircuitId::UserNode(..) => Layout::Keccak,
            // Poseidon2. A type id the real family does not register has no basic circuit: its
            // setup is refused (`BasicKind::of`), so no key or proof of it exists to lay out.
            CircuitId::Basic(_) | CircuitId::UserProgram(..) => Layout::Plain,
            CircuitId::Leaf(_)
            | CircuitId::Node(..)
            | CircuitId::Tip
            | CircuitId::Scheduler
            | CircuitId::Compression => Layout::Recursion,
        }
    }

    /// The FRI parameters its proofs use.
    pub fn layer(self, profile: &ProofProfile) -> LayerConfig {
        match self {
            CircuitId::Basic(_) | CircuitId::UserProgram(..) => profile.basic,
            CircuitId::Compression => profile.compression,
            CircuitId::UserChunk(_) | CircuitId::UserNode(..) => profile.user,
            _ => profile.recursion,
        }
    }

    /// Every circuit of a shape, children before parents: per type the real family registers, its
    /// basic circuit, leaf and one node per fixed layer; then the tip, scheduler and compression.
    pub fn all(shape: &TreeShape) -> Vec<CircuitId> {
        let mut v = Vec::new();
        for t in shape.family().ids() {
            v.push(CircuitId::Basic(t));
            v.push(CircuitId::Leaf(t));
            for d in 1..=shape.node_depth {
                v.push(CircuitId::Node(t, d));
            }
        }
        v.extend([CircuitId::Tip, CircuitId::Scheduler, CircuitId::Compression]);
        v
    }
}

impl fmt::Display for CircuitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CircuitId::Basic(t) => write!(f, "basic-{t}"),
            CircuitId::Leaf(t) => write!(f, "leaf-{t}"),
            CircuitId::Node(t, d) => write!(f, "node-{t}-d{d}"),
            CircuitId::Tip => f.write_str("tip"),
            CircuitId::Scheduler => f.write_str("scheduler"),
            CircuitId::Compression => f.write_str("compression"),
            CircuitId::UserProgram(rounds, salt) => write!(f, "user-program-r{rounds}-{salt:016x}"),
            CircuitId::UserChunk(family) => write!(f, "user-chunk-{family}"),
            CircuitId::UserNode(family, level) => write!(f, "user-node-{family}-l{level}"),
        }
    }
}

impl KeyStore {
    /// The key every child of `id` must verify under, with the child's layout and FRI parameters.
    pub(crate) fn child_of(&self, id: CircuitId) -> Option<CircuitId> {
        match id {
            CircuitId::Basic(_) => None,
            CircuitId::Leaf(t) => Some(CircuitId::Basic(t)),
            CircuitId::Node(t, 1) => Some(CircuitId::Leaf(t)),
            CircuitId::Node(t, d) => Some(CircuitId::Node(t, d - 1)),
            CircuitId::Tip => None,
            CircuitId::Scheduler => Some(CircuitId::Tip),
            CircuitId::Compression => Some(CircuitId::Scheduler),
            // A chunk's children are users' proofs, each under its own key (a witness).
            CircuitId::UserProgram(..) | CircuitId::UserChunk(_) => None,
            CircuitId::UserNode(_, 0) => None,
            CircuitId::UserNode(family, 1) => Some(CircuitId::UserChunk(family)),
            CircuitId::UserNode(family, level) => Some(CircuitId::UserNode(family, level - 1)),
        }
    }

    pub(crate) fn aggregate_circuit(
        &self,
        t: CircuitType,
        child: CircuitId,
        children: Vec<(crate::field::BProof, zkstream_types::QueueRange)>,
    ) -> Result<AggregateCircuit, ProverError> {
        Ok(AggregateCircuit {
            circuit: t,
            arity: self.shape.arity,
            child_vk: self.vk(child)?,
            child_layout: child.layout(),
            child_config: child.layer(&self.profile).proof_config(),
            children,
        })
    }

    pub(crate) fn tip_circuit(
        &self,
        children: Vec<(crate::field::BProof, zkstream_types::QueueRange)>,
    ) -> Result<TipCircuit, ProverError> {
        let node = |t| CircuitId::Node(t, self.shape.node_depth);
        let slots = REAL_TYPES
            .iter()
            .map(|&t| Ok((t, self.vk(node(t))?)))
            .collect::<Result<Vec<_>, ProverError>>()?;
        let first = node(REAL_TYPES[0]);
        Ok(TipCircuit {
            slots,
            child_layout: first.layout(),
            child_config: first.layer(&self.profile).proof_config(),
            children,
        })
    }

    pub(crate) fn scheduler_circuit(
        &self,
        witness: Option<(crate::field::BProof, crate::circuits::SchedulerInputs)>,
    ) -> Result<SchedulerCircuit, ProverError> {
        Ok(SchedulerCircuit {
            tip_vk: self.vk(CircuitId::Tip)?,
            child_layout: CircuitId::Tip.layout(),
            child_config: CircuitId::Tip.layer(&self.profile).proof_config(),
            vk_set_commitment: self.vk_set_commitment()?,
            witness,
        })
    }

    pub(crate) fn user_chunk_circuit(
        &self,
        family: UserFamily,
        children: Vec<(BVk, crate::field::BProof)>,
    ) -> Result<UserChunkCircuit, ProverError> {
        Ok(UserChunkCircuit {
            capacity: self.user.proofs_per_chunk,
            template_vk: self.user_family_template(family)?,
            child_layout: self.user_family_layout(family)?,
            child_config: self.profile.basic.proof_config(),
            children,
        })
    }

    pub(crate) fn user_node_circuit(
        &self,
        family: UserFamily,
        level: u32,
        children: Vec<crate::field::BProof>,
    ) -> Result<UserNodeCircuit, ProverError> {
        let id = CircuitId::UserNode(family, level);
        let child = self
            .child_of(id)
            .ok_or_else(|| ProverError::Config(format!("{id} has no child")))?;
        Ok(UserNodeCircuit {
            arity: self.user.node_arity,
            child_capacity: self.user.capacity_at(level - 1),
            child_vk: self.vk(child)?,
            child_layout: child.layout(),
            child_config: child.layer(&self.profile).proof_config(),
            children,
        })
    }

    pub(crate) fn compression_circuit(
        &self,
        witness: Option<crate::field::BProof>,
    ) -> Result<CompressionCircuit, ProverError> {
        Ok(CompressionCircuit {
            scheduler_vk: self.vk(CircuitId::Scheduler)?,
            child_layout: CircuitId::Scheduler.layout(),
            child_config: CircuitId::Scheduler.layer(&self.profile).proof_config(),
            witness,
        })
    }
}
