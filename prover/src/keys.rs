//! Setup and verification keys: computed once per (protocol version, circuit, geometry, proof config),
//! cached on disk and in memory, and reused by every proof through `prove_from_precomputations`.

use std::alloc::Global;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use boojum::config::{CSConfig, SetupCSConfig};
use boojum::cs::cs_builder::new_builder;
use boojum::cs::cs_builder_reference::CsReferenceImplementationBuilder;
use boojum::cs::implementations::hints::{DenseVariablesCopyHint, DenseWitnessCopyHint};
use boojum::cs::implementations::polynomial_storage::{SetupBaseStorage, SetupStorage};
use boojum::cs::implementations::reference_cs::CSReferenceAssembly;
use boojum::cs::implementations::setup::FinalizationHintsForProver;
use boojum::cs::oracle::merkle_tree::MerkleTreeWithCap;
use boojum::cs::traits::cs::ConstraintSystem;
use boojum::dag::CircuitResolverOpts;
use boojum::worker::Worker;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use zkstream_types::{AggregationRound, CircuitType, Digest};

use crate::circuits::config::{
    add_tables, configure_keccak, configure_plain, configure_recursion, configure_sha, Layout,
    GEOMETRY,
};
use crate::circuits::{
    AggregateCircuit, BasicCircuit, Circuit, CompressionCircuit, SchedulerCircuit, TipCircuit,
    UserChunkCircuit, UserNodeCircuit, UserProgramCircuit,
};
use crate::error::ProverError;
use crate::field::{fe, from_digest, hash, to_digest, vk_commitment, BVk, F, H, P};
use crate::profile::{LayerConfig, ProofProfile, TreeShape};

/// Bumped whenever a circuit changes, so stale cached keys are never loaded (2: the SHA-256 layout
/// has one lookup column set; 3: recursion circuits have the extension-field FMA gate).
const CIRCUITS_VERSION: u32 = 3;

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
    /// Aggregation mode: a sample user program of `rounds` hash rounds with this constant (tests,
    /// demo, benchmarks); programs of different sizes fall in different [`UserFamily`]s.
    UserProgram(u32, u64),
    /// Aggregation mode: a chunk of user proofs of one family.
    UserChunk(UserFamily),
    /// Aggregation mode: a node of a family's aggregation tree at a level ≥ 1 (children: chunks at
    /// level 1, nodes of the level below above it); the top level's proof is a run's aggregated proof.
    UserNode(UserFamily, u32),
}

/// A family of users' circuits: keys with the same fixed parameters (gate set, geometry, domain size,
/// public-input places), so proofs one recursive verifier — one chunk circuit — accepts. Boojum's
/// verifier is fixed when a circuit is set up, so each family has its own chunk and node keys,
/// computed when its first proof arrives. The id is a digest of those parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct UserFamily(pub u64);

impl UserFamily {
    /// The family of a key.
    pub fn of(vk: &BVk) -> Self {
        let digest = sha2::Sha256::digest(format!("{:?}", vk.fixed_parameters).as_bytes());
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        UserFamily(u64::from_be_bytes(id))
    }
}

impl fmt::Display for UserFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}", self.0)
    }
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
            // Aggregation mode reuses the round labels: user proofs, chunks, aggregates.
            CircuitId::UserProgram(..) => AggregationRound::Basic,
            CircuitId::UserChunk(_) => AggregationRound::Leaf,
            CircuitId::UserNode(..) => AggregationRound::Node,
        }
    }

    /// The circuit's configuration (and so the verifier a parent needs).
    pub fn layout(self) -> Layout {
        match self {
            CircuitId::Basic(CircuitType::Sha256) => Layout::Sha,
            CircuitId::UserChunk(_) | CircuitId::UserNode(..) => Layout::Keccak,
            CircuitId::Basic(CircuitType::Poseidon2Hash) | CircuitId::UserProgram(..) => {
                Layout::Plain
            }
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
            _ => profile.recursion,
        }
    }

    /// Every circuit of a shape, children before parents.
    pub fn all(shape: &TreeShape) -> Vec<CircuitId> {
        let mut v = Vec::new();
        for t in CircuitType::ALL {
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

/// Everything precomputed for one circuit.
#[derive(Serialize, Deserialize)]
pub struct SetupData {
    /// Base setup polynomials.
    pub base: SetupBaseStorage<F, P>,
    /// Setup polynomials in LDE form.
    pub setup: SetupStorage<F, P>,
    /// Merkle tree over the setup.
    pub tree: MerkleTreeWithCap<F, H>,
    /// The verification key.
    pub vk: BVk,
    /// Variable placement hint.
    pub vars_hint: DenseVariablesCopyHint,
    /// Witness placement hint.
    pub wits_hint: DenseWitnessCopyHint,
    /// How the trace is padded.
    pub finalization: FinalizationHintsForProver,
    /// Rows used before padding (a size figure for benches and notes).
    pub rows: usize,
}

/// Synthesizes a circuit with the given CS configuration, pads it (with a hint when proving) and
/// returns the assembly, the padding hint and the rows used.
pub(crate) fn assemble<CFG: CSConfig, C: Circuit>(
    circuit: &C,
    hint: Option<&FinalizationHintsForProver>,
) -> (
    CSReferenceAssembly<F, P, CFG, Global>,
    FinalizationHintsForProver,
    usize,
) {
    let max_trace = circuit.max_trace_len();
    macro_rules! run {
        ($configure:path) => {{
            let builder = new_builder::<_, F>(CsReferenceImplementationBuilder::<F, P, CFG>::new(
                GEOMETRY, max_trace,
            ));
            let mut cs = $configure(builder).build(CircuitResolverOpts::new(max_trace * 64));
            add_tables(&mut cs, circuit.layout());
            circuit.synthesize(&mut cs);
            let rows = cs.next_available_row();
            let hint = match hint {
                Some(h) => {
                    cs.pad_and_shrink_using_hint(h);
                    h.clone()
                }
                None => cs.pad_and_shrink().1,
            };
            (cs.into_assembly::<Global>(), hint, rows)
        }};
    }
    match circuit.layout() {
        Layout::Plain => run!(configure_plain),
        Layout::Recursion => run!(configure_recursion),
        Layout::Sha => run!(configure_sha),
        Layout::Keccak => run!(configure_keccak),
    }
}

/// Where a setup came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeySource {
    /// Already in memory.
    Memory,
    /// Loaded from the disk cache.
    Disk,
    /// Computed now (and written to the disk cache, if any).
    Computed,
}

/// The shape of aggregation mode's circuits: chunks of `proofs_per_chunk` user proofs, then `levels`
/// levels of nodes with `node_arity` children each; the top node's proof is a run's aggregated proof.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserShape {
    /// Hash rounds of the sample user programs ([`crate::circuits::UserProgramCircuit`]).
    pub program_rounds: usize,
    /// User proofs per chunk proof (a power of two; Aligned uses 512).
    pub proofs_per_chunk: usize,
    /// Children per node (a power of two).
    pub node_arity: usize,
    /// Node levels above the chunks (1 to 4).
    pub levels: u32,
}

impl Default for UserShape {
    fn default() -> Self {
        UserShape {
            program_rounds: 16,
            proofs_per_chunk: 2,
            node_arity: 2,
            levels: 1,
        }
    }
}

impl UserShape {
    /// Checks the sizes.
    pub fn validate(&self) -> Result<(), ProverError> {
        for (name, v) in [
            ("proofs_per_chunk", self.proofs_per_chunk),
            ("node_arity", self.node_arity),
        ] {
            if !v.is_power_of_two() || v > 64 {
                return Err(ProverError::Config(format!(
                    "{name} must be a power of two up to 64, not {v}"
                )));
            }
        }
        if self.node_arity < 2 {
            return Err(ProverError::Config("node_arity must be at least 2".into()));
        }
        if !(1..=4).contains(&self.levels) {
            return Err(ProverError::Config(format!(
                "levels must be between 1 and 4, not {}",
                self.levels
            )));
        }
        if self.program_rounds == 0 {
            return Err(ProverError::Config(
                "program_rounds must be at least 1".into(),
            ));
        }
        Ok(())
    }

    /// User proofs a node of `level` holds (level 0: a chunk).
    pub fn capacity_at(&self, level: u32) -> usize {
        self.proofs_per_chunk * self.node_arity.pow(level)
    }

    /// User proofs one run's aggregate holds.
    pub fn proofs_per_aggregate(&self) -> usize {
        self.capacity_at(self.levels)
    }
}

/// The setup and verification keys of one (protocol version, profile, shape), cached.
pub struct KeyStore {
    profile: ProofProfile,
    shape: TreeShape,
    user: UserShape,
    protocol_version: u32,
    dir: Option<PathBuf>,
    worker: Worker,
    loaded: Mutex<HashMap<CircuitId, Arc<SetupData>>>,
    vks: Mutex<HashMap<CircuitId, BVk>>,
    families: Mutex<HashMap<UserFamily, (Layout, BVk)>>,
}

impl KeyStore {
    /// Opens a store. With `root`, keys are cached under `root/<v, profile, parameters hash>/`.
    pub fn open(
        root: Option<&Path>,
        profile: ProofProfile,
        shape: TreeShape,
        protocol_version: u32,
        threads: usize,
    ) -> Result<Self, ProverError> {
        shape.validate()?;
        profile.validate()?;
        let dir = root.map(|r| r.join(Self::dir_name(&profile, &shape, protocol_version)));
        if let Some(d) = &dir {
            std::fs::create_dir_all(d).map_err(|e| ProverError::KeyCache {
                path: d.display().to_string(),
                reason: e.to_string(),
            })?;
        }
        Ok(KeyStore {
            profile,
            shape,
            protocol_version,
            dir,
            user: UserShape::default(),
            worker: Worker::new_with_num_threads(threads.max(1)),
            loaded: Mutex::new(HashMap::new()),
            vks: Mutex::new(HashMap::new()),
            families: Mutex::new(HashMap::new()),
        })
    }

    fn dir_name(profile: &ProofProfile, shape: &TreeShape, protocol_version: u32) -> String {
        let params =
            format!("{CIRCUITS_VERSION}|{protocol_version}|{profile:?}|{shape:?}|{GEOMETRY:?}");
        let digest = sha2::Sha256::digest(params.as_bytes());
        format!(
            "v{protocol_version}-{}-{}",
            profile.name,
            hex::encode(&digest[..6])
        )
    }

    /// Sets the shape of aggregation mode's circuits (before any of their keys is used).
    pub fn with_user_shape(mut self, user: UserShape) -> Result<Self, ProverError> {
        user.validate()?;
        self.user = user;
        Ok(self)
    }

    /// The shape of aggregation mode's circuits.
    pub fn user_shape(&self) -> &UserShape {
        &self.user
    }

    /// The profile.
    pub fn profile(&self) -> &ProofProfile {
        &self.profile
    }

    /// The tree shape.
    pub fn shape(&self) -> &TreeShape {
        &self.shape
    }

    /// The protocol version.
    pub fn protocol_version(&self) -> u32 {
        self.protocol_version
    }

    /// The cache directory, if any.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    /// The setup of a circuit, from memory, disk, or computed now.
    pub fn get(&self, id: CircuitId) -> Result<Arc<SetupData>, ProverError> {
        self.get_with_source(id).map(|(s, _)| s)
    }

    /// Like [`KeyStore::get`], also saying where the setup came from.
    pub fn get_with_source(
        &self,
        id: CircuitId,
    ) -> Result<(Arc<SetupData>, KeySource), ProverError> {
        if let Some(s) = self.lock().get(&id) {
            return Ok((s.clone(), KeySource::Memory));
        }
        let (data, source) = match self.load(id)? {
            Some(d) => (d, KeySource::Disk),
            None => {
                let d = self.compute(id)?;
                self.store(id, &d)?;
                (d, KeySource::Computed)
            }
        };
        let data = Arc::new(data);
        self.lock().insert(id, data.clone());
        self.vks
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, data.vk.clone());
        Ok((data, source))
    }

    /// Drops a setup from memory (its key stays known), when a disk cache holds it: the next proof of
    /// that circuit loads it again. Aggregation mode releases a level's setup (3.6 GB for a keccak
    /// circuit at 2^18 rows) once the level above has all its children, so a deep tree needs the
    /// memory of one or two setups at a time, not of all of them. Returns whether it was released.
    pub fn release(&self, id: CircuitId) -> bool {
        let cached = self.path(id).is_some_and(|p| p.exists());
        cached && self.lock().remove(&id).is_some()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<CircuitId, Arc<SetupData>>> {
        // A panic while holding the lock leaves the map itself consistent (inserts are atomic).
        self.loaded.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The verification key of a circuit.
    pub fn vk(&self, id: CircuitId) -> Result<BVk, ProverError> {
        if let Some(vk) = self.vks.lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
            return Ok(vk.clone());
        }
        Ok(self.get(id)?.vk.clone())
    }

    /// The commitment of a circuit's verification key.
    pub fn vk_commitment(&self, id: CircuitId) -> Result<Digest, ProverError> {
        Ok(vk_commitment(&self.vk(id)?))
    }

    /// Commitment of every key below the scheduler: basic, leaf and node keys of every type, and the tip.
    pub fn vk_set_commitment(&self) -> Result<Digest, ProverError> {
        let mut v = vec![fe(self.protocol_version as u64)];
        for id in CircuitId::all(&self.shape) {
            if matches!(id, CircuitId::Scheduler | CircuitId::Compression) {
                continue;
            }
            v.extend(from_digest(&self.vk_commitment(id)?));
        }
        Ok(to_digest(&hash(&v)))
    }

    /// Computes (or loads) every setup; returns each circuit with its VK commitment and source.
    pub fn generate_all(&self) -> Result<Vec<(CircuitId, Digest, KeySource)>, ProverError> {
        CircuitId::all(&self.shape)
            .into_iter()
            .map(|id| {
                let (s, src) = self.get_with_source(id)?;
                Ok((id, vk_commitment(&s.vk), src))
            })
            .collect()
    }

    fn path(&self, id: CircuitId) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        Some(match id {
            CircuitId::UserProgram(..) | CircuitId::UserChunk(_) | CircuitId::UserNode(..) => {
                self.user_dir(dir).join(format!("{id}.setup"))
            }
            _ => dir.join(format!("{id}.setup")),
        })
    }

    /// Aggregation mode's key directory: a node's key depends on the chunk size and the arity, not on
    /// how many levels a deployment uses. v3: a chunk and a tree per user family; v4: keccak over the
    /// XOR table alone (a 2^16 trace for small chunks), families of two gate sets; v5: 8 lookup
    /// column sets and the gates of [`Layout::Recursion`] under the keccak layout.
    fn user_dir(&self, dir: &Path) -> PathBuf {
        let u = &self.user;
        let sub = dir.join(format!("user-v5-{}x{}", u.proofs_per_chunk, u.node_arity));
        // Created on first use; a failure shows up as the write's error.
        let _ = std::fs::create_dir_all(&sub);
        sub
    }

    /// Makes a user family known (its chunk circuit's verifier is built for `layout`'s gates and
    /// `template`'s fixed parameters; the key's own cap plays no part) and keeps the template beside
    /// the keys, so a later run finds the family before any of its proofs arrives. Returns the family.
    pub fn register_user_family(
        &self,
        template: &BVk,
        layout: Layout,
    ) -> Result<UserFamily, ProverError> {
        let family = UserFamily::of(template);
        let mut known = self.families.lock().unwrap_or_else(|p| p.into_inner());
        if known.contains_key(&family) {
            return Ok(family);
        }
        if let Some(dir) = &self.dir {
            let path = self.user_dir(dir).join(format!("family-{family}.vk"));
            if !path.exists() {
                let bytes = bincode::serialize(&(layout, template))
                    .map_err(|e| Self::cache_err(&path, e))?;
                let tmp = path.with_extension(format!("tmp{}", std::process::id()));
                std::fs::write(&tmp, bytes).map_err(|e| Self::cache_err(&tmp, e))?;
                std::fs::rename(&tmp, &path).map_err(|e| Self::cache_err(&path, e))?;
            }
        }
        known.insert(family, (layout, template.clone()));
        Ok(family)
    }

    /// A known family's template key.
    pub fn user_family_template(&self, family: UserFamily) -> Result<BVk, ProverError> {
        Ok(self.user_family_record(family)?.1)
    }

    /// A known family's gate set.
    pub fn user_family_layout(&self, family: UserFamily) -> Result<Layout, ProverError> {
        Ok(self.user_family_record(family)?.0)
    }

    /// A known family's gate set and template key (from memory, or from the key directory).
    fn user_family_record(&self, family: UserFamily) -> Result<(Layout, BVk), ProverError> {
        let mut known = self.families.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(record) = known.get(&family) {
            return Ok(record.clone());
        }
        let unknown = || {
            ProverError::Config(format!(
                "user family {family} is unknown: no key of it was registered"
            ))
        };
        let dir = self.dir.as_ref().ok_or_else(unknown)?;
        let path = self.user_dir(dir).join(format!("family-{family}.vk"));
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(unknown()),
            Err(e) => return Err(Self::cache_err(&path, e)),
        };
        let record: (Layout, BVk) =
            bincode::deserialize(&bytes).map_err(|e| Self::cache_err(&path, e))?;
        if UserFamily::of(&record.1) != family || !USER_LAYOUTS.contains(&record.0) {
            return Err(Self::cache_err(
                &path,
                "the stored key is of another family",
            ));
        }
        known.insert(family, record.clone());
        Ok(record)
    }

    fn cache_err(path: &Path, e: impl fmt::Display) -> ProverError {
        ProverError::KeyCache {
            path: path.display().to_string(),
            reason: e.to_string(),
        }
    }

    fn load(&self, id: CircuitId) -> Result<Option<SetupData>, ProverError> {
        let Some(path) = self.path(id) else {
            return Ok(None);
        };
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(Self::cache_err(&path, e)),
        };
        match bincode::deserialize_from(std::io::BufReader::new(file)) {
            Ok(d) => Ok(Some(d)),
            Err(e) => {
                // A corrupt cache entry (e.g. a crash mid-write of an older version) is recomputed.
                tracing::warn!(path = %path.display(), error = %e, "discarding unreadable setup cache entry");
                Ok(None)
            }
        }
    }

    fn store(&self, id: CircuitId, data: &SetupData) -> Result<(), ProverError> {
        let Some(path) = self.path(id) else {
            return Ok(());
        };
        // Write to a temporary file and rename, so a reader never sees half a file.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        let file = std::fs::File::create(&tmp).map_err(|e| Self::cache_err(&tmp, e))?;
        let mut w = std::io::BufWriter::new(file);
        bincode::serialize_into(&mut w, data).map_err(|e| Self::cache_err(&tmp, e))?;
        use std::io::Write;
        w.flush().map_err(|e| Self::cache_err(&tmp, e))?;
        drop(w);
        std::fs::rename(&tmp, &path).map_err(|e| Self::cache_err(&path, e))
    }

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

    fn compute(&self, id: CircuitId) -> Result<SetupData, ProverError> {
        let layer = id.layer(&self.profile);
        let started = std::time::Instant::now();
        let (assembly, finalization, rows) = match id {
            CircuitId::Basic(t) => assemble::<SetupCSConfig, _>(
                &BasicCircuit {
                    circuit: t,
                    capacity: self.shape.capacity(t),
                    job: None,
                },
                None,
            ),
            CircuitId::Leaf(t) | CircuitId::Node(t, _) => {
                let child = self
                    .child_of(id)
                    .ok_or_else(|| ProverError::Config(format!("{id} has no child")))?;
                assemble::<SetupCSConfig, _>(&self.aggregate_circuit(t, child, Vec::new())?, None)
            }
            CircuitId::Tip => assemble::<SetupCSConfig, _>(&self.tip_circuit(Vec::new())?, None),
            CircuitId::Scheduler => {
                assemble::<SetupCSConfig, _>(&self.scheduler_circuit(None)?, None)
            }
            CircuitId::Compression => {
                assemble::<SetupCSConfig, _>(&self.compression_circuit(None)?, None)
            }
            CircuitId::UserProgram(rounds, salt) => assemble::<SetupCSConfig, _>(
                &UserProgramCircuit {
                    salt,
                    rounds: rounds as usize,
                    secret: None,
                },
                None,
            ),
            CircuitId::UserChunk(family) => {
                assemble::<SetupCSConfig, _>(&self.user_chunk_circuit(family, Vec::new())?, None)
            }
            CircuitId::UserNode(family, level) => assemble::<SetupCSConfig, _>(
                &self.user_node_circuit(family, level, Vec::new())?,
                None,
            ),
        };
        let (base, setup, vk, tree, vars_hint, wits_hint) =
            assembly.get_full_setup::<H>(&self.worker, layer.lde_factor, layer.cap_size);
        tracing::info!(circuit = %id, rows, domain = vk.fixed_parameters.domain_size,
            seconds = started.elapsed().as_secs_f64(), "setup computed");
        Ok(SetupData {
            base,
            setup,
            tree,
            vk,
            vars_hint,
            wits_hint,
            finalization,
            rows,
        })
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
        let slots = CircuitType::ALL
            .iter()
            .map(|&t| Ok((t, self.vk(node(t))?)))
            .collect::<Result<Vec<_>, ProverError>>()?;
        let first = node(CircuitType::ALL[0]);
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
