//! Aggregation mode, native side: program ids, commitments and public inputs of users' boojum proofs,
//! the native checks a submission must pass before it may enter a chunk, and the sequential reference
//! aggregation (the oracle of the dataflow's aggregation mode).

use zkstream_aggregation::{commitment, keccak256, MerkleTree};

use crate::circuits::user::{root_words, BOOJUM_SYSTEM_ID, SUMMARY_PUBLIC_INPUTS};
use crate::circuits::Layout;
use crate::error::ProverError;
use crate::field::{vk_commitment, BProof, BVk};
use crate::keys::{CircuitId, UserFamily, USER_LAYOUTS};
use crate::layers::{verify_native, Prover};

/// Why a user's proof cannot be aggregated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserProofError {
    /// The key is not of a circuit zkstream can verify recursively (the reason says which part).
    #[error("unsupported circuit: {0}")]
    Unsupported(String),
    /// The proof's FRI parameters are not the supported ones.
    #[error("unsupported proof configuration")]
    UnsupportedConfig,
    /// The program id is not the commitment of the given key.
    #[error("program id {given} is not the commitment of the key ({actual})")]
    WrongProgramId {
        /// Claimed.
        given: String,
        /// Computed.
        actual: String,
    },
    /// The public inputs given are not the proof's.
    #[error("public inputs do not match the proof's")]
    WrongPublicInputs,
    /// The proof does not verify under the key.
    #[error("the proof does not verify under the program's key")]
    DoesNotVerify,
}

/// The program id of a key: the bytes of its commitment (Poseidon2 of its setup cap).
pub fn program_id(vk: &BVk) -> [u8; 32] {
    vk_commitment(vk).to_bytes()
}

/// A boojum proof's public inputs as bytes: each element's canonical value, 8 bytes big-endian.
pub fn public_input_bytes(proof: &BProof) -> Vec<u8> {
    proof
        .public_inputs
        .iter()
        .flat_map(|x| crate::field::as_u64(*x).to_be_bytes())
        .collect()
}

/// The commitment of a user's boojum proof (the leaf of its aggregate).
pub fn user_commitment(vk: &BVk, proof: &BProof) -> [u8; 32] {
    commitment(
        BOOJUM_SYSTEM_ID,
        &program_id(vk),
        &public_input_bytes(proof),
    )
}

/// What a chunk or a node proves about its leaves (its public input, see [`crate::circuits::user`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Leaves.
    pub n: u64,
    /// Aligned's root over them (padded with the last leaf to the next power of two).
    pub root: [u8; 32],
    /// The root over them padded with the last leaf to the circuit's capacity.
    pub full_root: [u8; 32],
    /// The last leaf.
    pub last: [u8; 32],
}

fn public_inputs_u64(proof: &BProof) -> Vec<u64> {
    proof
        .public_inputs
        .iter()
        .map(|x| crate::field::as_u64(*x))
        .collect()
}

fn merkle_root(leaves: &[[u8; 32]]) -> Result<[u8; 32], ProverError> {
    Ok(MerkleTree::new(leaves)
        .map_err(|e| ProverError::Config(e.to_string()))?
        .root())
}

impl Summary {
    /// The summary of `leaves` (1 to `capacity`, a power of two) in a subtree of `capacity`.
    pub fn of_leaves(leaves: &[[u8; 32]], capacity: usize) -> Result<Self, ProverError> {
        let last = *leaves
            .last()
            .ok_or_else(|| ProverError::Config("a subtree needs at least one leaf".into()))?;
        if leaves.len() > capacity || !capacity.is_power_of_two() {
            return Err(ProverError::Config(format!(
                "{} leaves in a subtree of {capacity}",
                leaves.len()
            )));
        }
        let mut padded = leaves.to_vec();
        padded.resize(capacity, last);
        Ok(Summary {
            n: leaves.len() as u64,
            root: merkle_root(leaves)?,
            full_root: merkle_root(&padded)?,
            last,
        })
    }

    /// A node's summary from its children's (each of `child_capacity` leaves, all but the last full,
    /// at most `arity`) — the native mirror of [`crate::circuits::UserNodeCircuit`].
    pub fn combine(
        children: &[Summary],
        child_capacity: usize,
        arity: usize,
    ) -> Result<Self, ProverError> {
        let (first, last) = match (children.first(), children.last()) {
            (Some(f), Some(l)) if children.len() <= arity => (f, l),
            _ => {
                return Err(ProverError::Config(format!(
                    "{} children for a node of {arity}",
                    children.len()
                )))
            }
        };
        if children[..children.len() - 1]
            .iter()
            .any(|c| c.n != child_capacity as u64)
        {
            return Err(ProverError::Config(
                "only a node's last child may be partial".into(),
            ));
        }
        let mut z = last.last;
        for _ in 0..child_capacity.trailing_zeros() {
            let mut pair = z.to_vec();
            pair.extend_from_slice(&z);
            z = keccak256(&pair);
        }
        let mut slots: Vec<[u8; 32]> = children.iter().map(|c| c.full_root).collect();
        slots.resize(arity, z);
        let root = if children.len() == 1 {
            first.root
        } else {
            merkle_root(&slots[..children.len().next_power_of_two()])?
        };
        Ok(Summary {
            n: children.iter().map(|c| c.n).sum(),
            root,
            full_root: merkle_root(&slots)?,
            last: last.last,
        })
    }

    /// As public input: `[n, root words, full root words, last leaf words]`.
    pub fn public_inputs(&self) -> Vec<u64> {
        let mut v = vec![self.n];
        v.extend(root_words(&self.root));
        v.extend(root_words(&self.full_root));
        v.extend(root_words(&self.last));
        v
    }

    /// Reads a proof's public input (`None` if it is not a summary).
    pub fn from_public_inputs(pi: &[u64]) -> Option<Self> {
        if pi.len() != SUMMARY_PUBLIC_INPUTS || pi[1..].iter().any(|w| *w > u32::MAX as u64) {
            return None;
        }
        let hash = |from: usize| {
            let mut h = [0u8; 32];
            for w in 0..8 {
                h[4 * w..4 * w + 4].copy_from_slice(&(pi[from + w] as u32).to_be_bytes());
            }
            h
        };
        Some(Summary {
            n: pi[0],
            root: hash(1),
            full_root: hash(9),
            last: hash(17),
        })
    }

    /// The summary a proof exposes.
    pub fn of_proof(proof: &BProof) -> Option<Self> {
        Self::from_public_inputs(&public_inputs_u64(proof))
    }
}

/// The largest domain of a user's circuit a chunk verifies (2^20 rows).
pub const MAX_USER_DOMAIN: u64 = 1 << 20;

/// The most public inputs a user's proof may have (each is 8 bytes of its commitment).
pub const MAX_USER_PUBLIC_INPUTS: usize = 64;

impl Prover {
    /// The family of a user's key, made known to the key store: any circuit built with one of
    /// zkstream's user gate sets ([`USER_LAYOUTS`]: the geometry, gates, lookup tables and FRI blow-up
    /// of [`crate::circuits::UserProgramCircuit`], of the `Sha256` basic circuit, or of the recursion
    /// circuits), of any domain up
    /// to [`MAX_USER_DOMAIN`] and up to [`MAX_USER_PUBLIC_INPUTS`] public inputs. Other gate sets are
    /// refused: boojum's recursive verifier is typed by the gates it evaluates, so zkstream verifies
    /// only those it was built for.
    pub fn user_family(&self, vk: &BVk) -> Result<UserFamily, UserProofError> {
        let layout = self.user_gate_set(vk)?;
        self.keys()
            .register_user_family(vk, layout)
            .map_err(|e| UserProofError::Unsupported(format!("its family cannot be kept ({e})")))
    }

    /// The user gate set a key was built with ([`Prover::user_family`]'s checks), without making its
    /// family known.
    fn user_gate_set(&self, vk: &BVk) -> Result<Layout, UserProofError> {
        let theirs = &vk.fixed_parameters;
        if theirs.domain_size > MAX_USER_DOMAIN || !theirs.domain_size.is_power_of_two() {
            return Err(UserProofError::Unsupported(format!(
                "domain of {} rows (at most {MAX_USER_DOMAIN}, a power of two)",
                theirs.domain_size
            )));
        }
        if theirs.public_inputs_locations.len() > MAX_USER_PUBLIC_INPUTS {
            return Err(UserProofError::Unsupported(format!(
                "{} public inputs (at most {MAX_USER_PUBLIC_INPUTS})",
                theirs.public_inputs_locations.len()
            )));
        }
        let columns = crate::circuits::config::GEOMETRY.num_columns_under_copy_permutation;
        if theirs
            .public_inputs_locations
            .iter()
            .any(|(column, row)| *row as u64 >= theirs.domain_size || *column >= columns)
        {
            return Err(UserProofError::Unsupported(
                "a public input outside the domain".into(),
            ));
        }
        if theirs.total_tables_len > theirs.domain_size {
            return Err(UserProofError::Unsupported(format!(
                "lookup tables of {} rows in a domain of {}",
                theirs.total_tables_len, theirs.domain_size
            )));
        }
        for layout in USER_LAYOUTS {
            let reference = self.user_reference(layout)?;
            let params = &reference.fixed_parameters;
            // Everything but the size and the public inputs' places must be the gate set's.
            let mut normalized = theirs.clone();
            normalized.domain_size = params.domain_size;
            normalized.public_inputs_locations = params.public_inputs_locations.clone();
            if normalized == *params {
                return Ok(layout);
            }
        }
        Err(UserProofError::Unsupported(
            "its gate set, geometry or FRI blow-up is none of zkstream's user-circuit gate sets \
             (plain, sha256, recursion)"
                .into(),
        ))
    }

    /// The key whose fixed parameters (but for the domain and the public inputs' places) define a
    /// user gate set.
    fn user_reference(&self, layout: Layout) -> Result<BVk, UserProofError> {
        let id = match layout {
            Layout::Plain => {
                CircuitId::UserProgram(self.keys().user_shape().program_rounds as u32, 0)
            }
            Layout::Sha => CircuitId::Basic(zkstream_types::CircuitType::Sha256),
            Layout::Recursion => CircuitId::Leaf(zkstream_types::CircuitType::Poseidon2Hash),
            Layout::Keccak => {
                return Err(UserProofError::Unsupported(format!(
                    "the {layout:?} gate set is not a user gate set"
                )))
            }
        };
        self.keys()
            .vk(id)
            .map_err(|e| UserProofError::Unsupported(format!("no reference key ({e})")))
    }

    /// Checks a user's submission natively: supported key, matching program id and public inputs, and
    /// a proof that verifies. Only submissions that pass may be chunked. Returns the key's family.
    pub fn check_user_proof(
        &self,
        program: &[u8; 32],
        public_inputs: &[u8],
        vk: &BVk,
        proof: &BProof,
    ) -> Result<UserFamily, UserProofError> {
        let layout = self.user_gate_set(vk)?;
        let expected = self.keys().profile().basic.proof_config();
        if proof.proof_config != expected {
            return Err(UserProofError::UnsupportedConfig);
        }
        let actual = program_id(vk);
        if &actual != program {
            return Err(UserProofError::WrongProgramId {
                given: hex::encode(program),
                actual: hex::encode(actual),
            });
        }
        if public_input_bytes(proof) != public_inputs {
            return Err(UserProofError::WrongPublicInputs);
        }
        if !verify_native(layout, vk, &expected, proof) {
            return Err(UserProofError::DoesNotVerify);
        }
        // Only a key with a proof that verifies makes its family known (and kept on disk).
        let family = self
            .keys()
            .register_user_family(vk, layout)
            .map_err(|e| UserProofError::Unsupported(format!("its family cannot be kept ({e})")))?;
        Ok(family)
    }

    /// Proves a sample user program of the shape's size (tests, demo, benchmarks); returns its key and
    /// proof.
    pub fn prove_user_program(
        &self,
        salt: u64,
        secret: [u64; 4],
    ) -> Result<(BVk, BProof), ProverError> {
        let rounds = self.keys().user_shape().program_rounds;
        self.prove_user_program_of(rounds, salt, secret)
    }

    /// Proves a sample user program of `rounds` hash rounds: programs of another size than the shape's
    /// are of another [`UserFamily`].
    pub fn prove_user_program_of(
        &self,
        rounds: usize,
        salt: u64,
        secret: [u64; 4],
    ) -> Result<(BVk, BProof), ProverError> {
        let id = CircuitId::UserProgram(rounds as u32, salt);
        let circuit = crate::circuits::UserProgramCircuit {
            salt,
            rounds,
            secret: Some(secret),
        };
        let proof = self.prove(id, &circuit)?;
        Ok((self.keys().vk(id)?, proof))
    }

    /// The basic proof of a one-request batch (the sample programs of the sha256 and recursion gate
    /// sets are zkstream's own circuits over it).
    fn prove_one_request(
        &self,
        request: zkstream_types::Request,
    ) -> Result<crate::layers::ChildProof, ProverError> {
        use zkstream_types::{BatchInput, Digest};
        let t = request.circuit_type();
        let batch = BatchInput {
            batch_number: 1,
            protocol_version: 1,
            previous_batch_commitment: Digest::ZERO,
            requests: vec![request],
        };
        let witness = crate::queue::witness_batch(&batch, self.keys().shape())?;
        let job = witness
            .jobs
            .get(&t)
            .and_then(|jobs| jobs.first())
            .ok_or_else(|| ProverError::Config(format!("no {t} circuit for the program")))?;
        self.prove_basic(job)
    }

    /// Proves a sample program of the *sha256* gate set (tests, demo, benchmarks): zkstream's `Sha256`
    /// basic circuit over one request of `data` — one program (one key) for every input. Returns its
    /// key and proof.
    pub fn prove_sha_user_program(&self, data: &[u8]) -> Result<(BVk, BProof), ProverError> {
        use zkstream_types::{CircuitType, Request};
        let proof = self
            .prove_one_request(Request::Sha256 {
                data: data.to_vec(),
            })?
            .proof;
        Ok((
            self.keys().vk(CircuitId::Basic(CircuitType::Sha256))?,
            proof,
        ))
    }

    /// Proves a sample program of the *recursion* gate set (tests, demo, benchmarks): zkstream's
    /// Poseidon2 leaf over one basic proof hashing `inputs` — a recursive proof, one program (one key)
    /// for every input. Returns its key and proof.
    pub fn prove_recursion_user_program(
        &self,
        inputs: &[u64],
    ) -> Result<(BVk, BProof), ProverError> {
        use zkstream_types::{CircuitType, Request};
        let t = CircuitType::Poseidon2Hash;
        let basic = self.prove_one_request(Request::Poseidon2Hash {
            inputs: inputs.to_vec(),
        })?;
        let leaf = self.prove_leaf(t, &[basic])?.proof;
        Ok((self.keys().vk(CircuitId::Leaf(t))?, leaf))
    }

    /// The one family of a run's or a chunk's proofs.
    fn family_of_all(&self, parent: &str, vks: &[&BVk]) -> Result<UserFamily, ProverError> {
        let first = vks.first().ok_or_else(|| ProverError::WrongChildCount {
            parent: parent.to_string(),
            max: self.keys().user_shape().proofs_per_chunk,
            got: 0,
        })?;
        let family = self
            .user_family(first)
            .map_err(|e| ProverError::ChildRejected {
                parent: parent.to_string(),
                index: 0,
                reason: e.to_string(),
            })?;
        if let Some(index) = vks.iter().position(|vk| UserFamily::of(vk) != family) {
            return Err(ProverError::ChildRejected {
                parent: parent.to_string(),
                index,
                reason: format!("not of family {family}: a chunk and a run hold one family"),
            });
        }
        Ok(family)
    }

    /// Proves one chunk over checked user proofs of one family (1 to `proofs_per_chunk`), in leaf
    /// order.
    pub fn prove_user_chunk(&self, proofs: &[(BVk, BProof)]) -> Result<BProof, ProverError> {
        let vks: Vec<&BVk> = proofs.iter().map(|(vk, _)| vk).collect();
        let family = self.family_of_all("user-chunk", &vks)?;
        let id = CircuitId::UserChunk(family);
        let max = self.keys().user_shape().proofs_per_chunk;
        if proofs.len() > max {
            return Err(ProverError::WrongChildCount {
                parent: id.to_string(),
                max,
                got: proofs.len(),
            });
        }
        let mut leaves = Vec::with_capacity(proofs.len());
        for (index, (vk, proof)) in proofs.iter().enumerate() {
            if self.prechecks() {
                let pi = public_input_bytes(proof);
                self.check_user_proof(&program_id(vk), &pi, vk, proof)
                    .map_err(|e| ProverError::ChildRejected {
                        parent: id.to_string(),
                        index,
                        reason: e.to_string(),
                    })?;
            }
            leaves.push(user_commitment(vk, proof));
        }
        let circuit = self.keys().user_chunk_circuit(family, proofs.to_vec())?;
        let proof = self.prove(id, &circuit)?;
        if public_inputs_u64(&proof) != Summary::of_leaves(&leaves, max)?.public_inputs() {
            return Err(ProverError::SelfCheckFailed(format!(
                "{id}: its public input is not the chunk's summary"
            )));
        }
        Ok(proof)
    }

    /// Proves a node of `family`'s tree at `level` (1 to the shape's levels) over its children's
    /// proofs (chunks at level 1, nodes of `level − 1` above), in order; every child but the last must
    /// be full.
    pub fn prove_user_node(
        &self,
        family: UserFamily,
        level: u32,
        children: &[BProof],
    ) -> Result<BProof, ProverError> {
        let id = CircuitId::UserNode(family, level);
        let shape = *self.keys().user_shape();
        if level == 0 || level > shape.levels {
            return Err(ProverError::Config(format!(
                "{id}: the shape has node levels 1 to {}",
                shape.levels
            )));
        }
        if children.is_empty() || children.len() > shape.node_arity {
            return Err(ProverError::WrongChildCount {
                parent: id.to_string(),
                max: shape.node_arity,
                got: children.len(),
            });
        }
        let child = self
            .keys()
            .child_of(id)
            .ok_or_else(|| ProverError::Config(format!("{id} has no child")))?;
        let child_capacity = shape.capacity_at(level - 1);
        let mut summaries = Vec::with_capacity(children.len());
        for (index, proof) in children.iter().enumerate() {
            let reject = |reason: String| ProverError::ChildRejected {
                parent: id.to_string(),
                index,
                reason,
            };
            let summary = Summary::of_proof(proof);
            if self.prechecks() {
                if !self.verify(child, proof)? {
                    return Err(reject(format!("does not verify against the {child} key")));
                }
                match summary {
                    None => return Err(reject("its public input is not a summary".into())),
                    Some(s) if index + 1 < children.len() && s.n != child_capacity as u64 => {
                        return Err(reject(format!(
                            "only the last child may be partial ({} of {child_capacity} leaves)",
                            s.n
                        )))
                    }
                    Some(_) => {}
                }
            }
            summaries.extend(summary);
        }
        let circuit = self
            .keys()
            .user_node_circuit(family, level, children.to_vec())?;
        let proof = self.prove(id, &circuit)?;
        let expected = Summary::combine(&summaries, child_capacity, shape.node_arity)?;
        if public_inputs_u64(&proof) != expected.public_inputs() {
            return Err(ProverError::SelfCheckFailed(format!(
                "{id}: its public input is not its children's combined summary"
            )));
        }
        Ok(proof)
    }

    /// Drops from memory the setup of `family`'s tree at `level` (0: chunks), once every proof of it
    /// exists (see [`crate::KeyStore::release`]); keys stay known, so verifying and the level above go on.
    pub fn release_user_level(&self, family: UserFamily, level: u32) -> bool {
        let id = if level == 0 {
            CircuitId::UserChunk(family)
        } else {
            CircuitId::UserNode(family, level)
        };
        self.keys().release(id)
    }

    /// The key of `family`'s aggregated proofs (its top node's).
    pub fn user_aggregate_id(&self, family: UserFamily) -> CircuitId {
        CircuitId::UserNode(family, self.keys().user_shape().levels)
    }

    /// Natively verifies a run's aggregated proof (the top node of `family`'s tree) and returns what it
    /// commits to: `(count, root)`.
    pub fn verify_user_aggregate(
        &self,
        family: UserFamily,
        proof: &BProof,
    ) -> Result<(u64, [u8; 32]), ProverError> {
        let id = self.user_aggregate_id(family);
        if !self.verify(id, proof)? {
            return Err(ProverError::ChildRejected {
                parent: "aggregate check".into(),
                index: 0,
                reason: "the aggregate proof does not verify".into(),
            });
        }
        let s = Summary::of_proof(proof)
            .ok_or_else(|| ProverError::SelfCheckFailed(format!("{id}: malformed public input")))?;
        Ok((s.n, s.root))
    }
}

/// The result of aggregating users' proofs sequentially.
#[derive(Clone, Debug)]
pub struct ReferenceAggregate {
    /// The family of every proof (a run aggregates one).
    pub family: UserFamily,
    /// The leaves, in order.
    pub leaves: Vec<[u8; 32]>,
    /// The root over them.
    pub root: [u8; 32],
    /// One proof per chunk.
    pub chunk_proofs: Vec<BProof>,
    /// Node proofs per level (level 1 first); the last level holds the aggregate alone.
    pub node_proofs: Vec<Vec<BProof>>,
    /// The aggregate proof (the top node's).
    pub proof: BProof,
}

/// How a run of `proofs` user proofs splits: chunks, then nodes per level (the last: 1).
pub fn tree_plan(shape: &crate::keys::UserShape, proofs: usize) -> Result<Vec<usize>, ProverError> {
    if proofs == 0 || proofs > shape.proofs_per_aggregate() {
        return Err(ProverError::Config(format!(
            "{proofs} proofs in one run; an aggregate holds 1 to {}",
            shape.proofs_per_aggregate()
        )));
    }
    let mut counts = vec![proofs.div_ceil(shape.proofs_per_chunk)];
    for _ in 0..shape.levels {
        let below = counts[counts.len() - 1];
        counts.push(below.div_ceil(shape.node_arity));
    }
    Ok(counts)
}

impl ReferenceAggregate {
    /// Assembles a run's result from its proofs in leaf order and its proved levels (chunks, then
    /// nodes per level); the top level must hold exactly the aggregate.
    pub fn from_levels(
        family: UserFamily,
        ordered: &[(BVk, BProof)],
        chunk_proofs: Vec<BProof>,
        node_proofs: Vec<Vec<BProof>>,
    ) -> Result<Self, ProverError> {
        let proof = match node_proofs.last().map(Vec::as_slice) {
            Some([top]) => top.clone(),
            _ => {
                return Err(ProverError::Config(
                    "the top level of a run's tree holds one proof".into(),
                ))
            }
        };
        let leaves: Vec<[u8; 32]> = ordered
            .iter()
            .map(|(vk, p)| user_commitment(vk, p))
            .collect();
        let root = merkle_root(&leaves)?;
        Ok(ReferenceAggregate {
            family,
            leaves,
            root,
            chunk_proofs,
            node_proofs,
            proof,
        })
    }
}

/// The family of a run's proofs (all must share it; see [`UserFamily`]).
pub fn run_family(prover: &Prover, proofs: &[(BVk, BProof)]) -> Result<UserFamily, ProverError> {
    let vks: Vec<&BVk> = proofs.iter().map(|(vk, _)| vk).collect();
    prover.family_of_all("user run", &vks)
}

/// The sequential reference: groups the proofs (one family) by program (stable within a program),
/// chunks them, proves every chunk, then every node level up to the aggregate, in this thread.
pub fn aggregate_user_proofs(
    prover: &Prover,
    proofs: &[(BVk, BProof)],
) -> Result<ReferenceAggregate, ProverError> {
    let shape = *prover.keys().user_shape();
    tree_plan(&shape, proofs.len())?;
    let family = run_family(prover, proofs)?;
    let ordered = order_by_program(proofs);
    let mut chunk_proofs = Vec::new();
    for chunk in ordered.chunks(shape.proofs_per_chunk) {
        chunk_proofs.push(prover.prove_user_chunk(chunk)?);
    }
    let mut node_proofs: Vec<Vec<BProof>> = Vec::new();
    for level in 1..=shape.levels {
        // The level below is complete: its setup may leave memory.
        prover.release_user_level(family, level - 1);
        let below = node_proofs.last().unwrap_or(&chunk_proofs);
        let mut this = Vec::new();
        for group in below.chunks(shape.node_arity) {
            this.push(prover.prove_user_node(family, level, group)?);
        }
        node_proofs.push(this);
    }
    ReferenceAggregate::from_levels(family, &ordered, chunk_proofs, node_proofs)
}

/// Splits checked proofs by family (families in id order, submission order kept within each): a run
/// aggregates one family.
pub fn group_by_family<T: Clone>(
    items: &[T],
    family: impl Fn(&T) -> UserFamily,
) -> Vec<(UserFamily, Vec<T>)> {
    let mut groups: std::collections::BTreeMap<UserFamily, Vec<T>> = Default::default();
    for item in items {
        groups.entry(family(item)).or_default().push(item.clone());
    }
    groups.into_iter().collect()
}

/// Groups proofs by program id (programs in ascending id order, submission order within a program).
pub fn order_by_program(proofs: &[(BVk, BProof)]) -> Vec<(BVk, BProof)> {
    let mut keyed: Vec<(usize, [u8; 32])> = proofs
        .iter()
        .enumerate()
        .map(|(i, (vk, _))| (i, program_id(vk)))
        .collect();
    keyed.sort_by_key(|(i, p)| (*p, *i));
    keyed.into_iter().map(|(i, _)| proofs[i].clone()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::UserShape;

    fn leaves(n: usize) -> Vec<[u8; 32]> {
        (0..n)
            .map(|i| keccak256(&(i as u64 * 7919).to_be_bytes()))
            .collect()
    }

    /// The node rule (children's summaries only) gives exactly the summary of the leaves — Aligned's
    /// root — for every count, chunk size, arity and depth.
    #[test]
    fn combined_summaries_are_the_summary_of_the_leaves() {
        for (chunk, arity, levels) in [(2, 2, 1), (2, 2, 2), (4, 2, 3), (2, 4, 2), (1, 2, 2)] {
            let shape = UserShape {
                program_rounds: 1,
                proofs_per_chunk: chunk,
                node_arity: arity,
                levels,
            };
            for n in 1..=shape.proofs_per_aggregate() {
                let all = leaves(n);
                let mut level: Vec<Summary> = all
                    .chunks(chunk)
                    .map(|c| Summary::of_leaves(c, chunk).unwrap())
                    .collect();
                for l in 1..=levels {
                    level = level
                        .chunks(arity)
                        .map(|g| Summary::combine(g, shape.capacity_at(l - 1), arity).unwrap())
                        .collect();
                }
                assert_eq!(level.len(), 1);
                let expected = Summary::of_leaves(&all, shape.proofs_per_aggregate()).unwrap();
                assert_eq!(
                    level[0], expected,
                    "chunk {chunk} arity {arity} levels {levels} n {n}"
                );
                assert_eq!(level[0].root, MerkleTree::new(&all).unwrap().root());
                let plan = tree_plan(&shape, n).unwrap();
                assert_eq!(plan.len() as u32, levels + 1);
                assert_eq!(plan[plan.len() - 1], 1);
                assert_eq!(
                    Summary::from_public_inputs(&expected.public_inputs()),
                    Some(expected)
                );
            }
            assert!(tree_plan(&shape, shape.proofs_per_aggregate() + 1).is_err());
        }
    }

    #[test]
    fn a_partial_child_before_the_last_is_refused() {
        let a = Summary::of_leaves(&leaves(1), 2).unwrap();
        let b = Summary::of_leaves(&leaves(2), 2).unwrap();
        assert!(Summary::combine(&[a, b], 2, 2).is_err());
        assert!(Summary::combine(&[b, a], 2, 2).is_ok());
        assert!(Summary::combine(&[b, b, a], 2, 2).is_err());
        assert!(Summary::from_public_inputs(&[1; 9]).is_none());
    }

    #[test]
    fn programs_of_other_sizes_and_gate_sets_are_other_families_and_unknown_gate_sets_are_refused()
    {
        crate::init_resolver_threads();
        let keys = crate::KeyStore::open(
            None,
            crate::ProofProfile::test(),
            crate::TreeShape::default(),
            1,
            2,
        )
        .unwrap();
        let prover = Prover::new(std::sync::Arc::new(keys), 2);
        let small = prover.keys().vk(CircuitId::UserProgram(16, 1)).unwrap();
        let other_salt = prover.keys().vk(CircuitId::UserProgram(16, 2)).unwrap();
        let big = prover.keys().vk(CircuitId::UserProgram(600, 1)).unwrap();
        eprintln!(
            "domains: 16 rounds {}, 600 rounds {}",
            small.fixed_parameters.domain_size, big.fixed_parameters.domain_size
        );
        let f = prover.user_family(&small).unwrap();
        assert_eq!(prover.user_family(&other_salt).unwrap(), f);
        let g = prover.user_family(&big).unwrap();
        assert_ne!(f, g);
        // Each family's template is known to the key store (the chunk verifier is built from it).
        assert_eq!(
            prover
                .keys()
                .user_family_template(g)
                .unwrap()
                .fixed_parameters,
            big.fixed_parameters
        );
        assert!(prover.keys().user_family_template(UserFamily(7)).is_err());
        // Any circuit built with the user gate set is supported — zkstream's own Poseidon2 basic
        // circuit is one — and a key of another geometry is refused, saying why.
        let basic = prover
            .keys()
            .vk(CircuitId::Basic(zkstream_types::CircuitType::Poseidon2Hash))
            .unwrap();
        assert!(prover.user_family(&basic).is_ok());
        // The SHA-256 basic circuit's key: the second gate set (lookups), a family of its own.
        let sha = prover
            .keys()
            .vk(CircuitId::Basic(zkstream_types::CircuitType::Sha256))
            .unwrap();
        let h = prover.user_family(&sha).unwrap();
        assert_ne!(h, f);
        assert_eq!(prover.keys().user_family_layout(h).unwrap(), Layout::Sha);
        assert_eq!(prover.keys().user_family_layout(f).unwrap(), Layout::Plain);
        // The recursion gate set: zkstream's own leaf and node keys (recursive proofs).
        let t = zkstream_types::CircuitType::Poseidon2Hash;
        let leaf = prover.keys().vk(CircuitId::Leaf(t)).unwrap();
        let node = prover.keys().vk(CircuitId::Node(t, 1)).unwrap();
        for key in [&leaf, &node] {
            let r = prover.user_family(key).unwrap();
            assert_ne!(r, f);
            assert_ne!(r, h);
            assert_eq!(
                prover.keys().user_family_layout(r).unwrap(),
                Layout::Recursion
            );
        }
        let mut other_tables = sha.clone();
        other_tables.fixed_parameters.total_tables_len += 1;
        assert!(prover.user_family(&other_tables).is_err());
        let mut other = small.clone();
        other.fixed_parameters.parameters.num_witness_columns += 1;
        match prover.user_family(&other) {
            Err(UserProofError::Unsupported(reason)) => {
                assert!(reason.contains("gate set"), "{reason}")
            }
            other => panic!("{other:?}"),
        }
        // Too many public inputs, or a domain past the limit.
        let mut wide = small.clone();
        wide.fixed_parameters.public_inputs_locations = vec![(0, 0); MAX_USER_PUBLIC_INPUTS + 1];
        assert!(prover.user_family(&wide).is_err());
        let mut huge = small.clone();
        huge.fixed_parameters.domain_size = MAX_USER_DOMAIN * 2;
        assert!(prover.user_family(&huge).is_err());
    }

    #[test]
    fn aligned_sized_runs_fit_a_two_level_tree() {
        // 6 blobs of commitments (23,808) with 32-proof chunks and 32-child nodes.
        let shape = UserShape {
            program_rounds: 16,
            proofs_per_chunk: 32,
            node_arity: 32,
            levels: 2,
        };
        assert_eq!(tree_plan(&shape, 23_808).unwrap(), vec![744, 24, 1]);
    }
}
