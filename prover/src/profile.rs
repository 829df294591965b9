//! Proof profiles (per-layer FRI parameters) and the tree shape (capacities, arity, depth).
//!
//! Every proof-system number lives here, with the reason for it.

use boojum::cs::implementations::prover::ProofConfig;
use serde::{Deserialize, Serialize};
use zkstream_types::{CircuitFamily, CircuitType, REAL_TYPES};

use crate::error::ProverError;

/// FRI parameters of one layer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerConfig {
    /// FRI LDE factor (power of two). Larger: slower prover, fewer queries, smaller proof.
    pub lde_factor: usize,
    /// Merkle tree cap size (power of two). Larger cap: shorter paths in every query.
    pub cap_size: usize,
    /// Target security in bits; the number of FRI queries is derived from it.
    pub security_bits: usize,
    /// Proof-of-work bits ground before the queries (only for the final, natively verified layer).
    pub pow_bits: u32,
}

impl LayerConfig {
    /// boojum's proof configuration for this layer.
    pub fn proof_config(&self) -> ProofConfig {
        ProofConfig {
            fri_lde_factor: self.lde_factor,
            merkle_tree_cap_size: self.cap_size,
            fri_folding_schedule: None,
            security_level: self.security_bits,
            pow_bits: self.pow_bits,
        }
    }
}

/// Which proof profile: the names a configuration file or the command line accepts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProfileKind {
    /// 100-bit security: what a rollup runs.
    #[default]
    Production,
    /// Few FRI queries: fast, for tests and demos; never for real use.
    Test,
}

impl ProfileKind {
    /// The profile's parameters.
    pub fn profile(self) -> ProofProfile {
        match self {
            ProfileKind::Production => ProofProfile::production(),
            ProfileKind::Test => ProofProfile::test(),
        }
    }
}

impl std::str::FromStr for ProfileKind {
    type Err = ProverError;
    fn from_str(name: &str) -> Result<Self, ProverError> {
        match name {
            "production" => Ok(ProfileKind::Production),
            "test" => Ok(ProfileKind::Test),
            other => Err(ProverError::Config(format!(
                "unknown proof profile {other:?} (expected \"production\" or \"test\")"
            ))),
        }
    }
}

/// A named set of per-layer parameters. All profiles run the same circuits and the same code path;
/// only FRI parameters differ.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProofProfile {
    /// Profile name (`production` or `test`), recorded in every final proof.
    pub name: String,
    /// Basic circuits. Every basic proof is verified inside a leaf, so its LDE factor sets the
    /// leaf's cost per child: the number of FRI queries is `security / log2(LDE)` (LDE 2: 100,
    /// LDE 8: 34, LDE 16: 25), and each query is a Merkle path per oracle in the verifier circuit
    /// (measured here: 22 K vs 52 K rows to verify two children at LDE 8 vs 2).
    pub basic: LayerConfig,
    /// Leaf, node, tip and scheduler: the same trade one level up (their proofs are verified by
    /// the next layer).
    pub recursion: LayerConfig,
    /// Compression: LDE 32 means 20 instead of 34 queries at 100 bits, and 20 bits of proof of work
    /// (Blake2s, ~1 M hashes, well under a second) take it to 16 queries: a final proof under 128 KB
    /// (136 KB measured without PoW). Its prover is slower, but it runs once per batch over one child.
    /// It is the only layer with PoW, because it is verified natively, never inside another circuit.
    pub compression: LayerConfig,
    /// Aggregation mode's chunk and node circuits (users' proofs). Their trace is 2^16 rows however
    /// little they hold (the keccak layout's XOR table), and most of a proof's work is hashing its
    /// committed columns over the FRI domain (LDE factor × trace); boojum evaluates the constraints
    /// at the degree they need whatever this factor. Their proofs are verified by the next node
    /// level (and the aggregate natively).
    pub user: LayerConfig,
    /// The wrap layer (`crate::wrap`): re-proves the scheduler proof with a Merkle tree hasher and
    /// transcript over BN254, so that the PLONK wrapper can verify it. LDE 32 (20 queries at 100
    /// bits) because every query is a BN254 Poseidon2 Merkle path inside the wrapper; no proof of
    /// work, which the wrapper cannot check.
    pub wrap: LayerConfig,
}

impl ProofProfile {
    /// 100-bit security everywhere (zkSync's target), no proof of work in recursion; every proof
    /// that is verified recursively is made at LDE 8 (34 queries).
    ///
    /// LDE 8 rather than 16 because the prover is what a fleet pays for: LDE 16 (25 queries) cuts
    /// a parent's rows per child by ~22 % but costs ~1.6× the proving time per batch (measured on 2
    /// cores: a 2^15 recursion step 16.5 s instead of 9.4 s, a SHA-256 basic proof 9.2 s instead of
    /// 5.5 s). Cap 16: a cap of 64 was measured worse (the verifier selects the cap element with a
    /// binary multiplexer over the whole cap, in every query), and 8 costs a Merkle level more.
    pub fn production() -> Self {
        let layer = |lde_factor| LayerConfig {
            lde_factor,
            cap_size: 16,
            security_bits: 100,
            pow_bits: 0,
        };
        ProofProfile {
            name: "production".into(),
            basic: layer(8),
            recursion: layer(8),
            compression: LayerConfig {
                pow_bits: 20,
                ..layer(32)
            },
            user: layer(8),
            wrap: layer(32),
        }
    }

    /// The low-security *test* profile: same circuits, same recursion, real proofs, but only a few FRI
    /// queries (security_bits 12 → 4 queries at LDE 8), so recursion is cheap enough for CI on 2 cores.
    /// Never use it for anything that matters.
    ///
    /// Compression runs at LDE 8 here, not 32: at 12 bits, LDE 32 saves a single query (3 instead of
    /// 4), which a 128 KB bound never needed, while its commitments cost four times the work.
    ///
    /// Users' chunk and node proofs run at LDE 2 (12 queries): their commitments hash a quarter of
    /// what LDE 8 hashes, and a node of the default arity still verifies its children within the
    /// 2^16 rows its table takes anyway (a node of arity 2: 8,268 rows, against 4,668 at LDE 8).
    pub fn test() -> Self {
        let layer = |lde_factor| LayerConfig {
            lde_factor,
            cap_size: 16,
            security_bits: 12,
            pow_bits: 0,
        };
        ProofProfile {
            name: "test".into(),
            basic: layer(8),
            recursion: layer(8),
            compression: layer(8),
            user: layer(2),
            wrap: layer(32),
        }
    }

    /// Rejects profiles the circuits cannot use: PoW is only verified natively, so only the
    /// compression layer may grind.
    pub fn validate(&self) -> Result<(), ProverError> {
        if self.basic.pow_bits > 0
            || self.recursion.pow_bits > 0
            || self.user.pow_bits > 0
            || self.wrap.pow_bits > 0
        {
            return Err(ProverError::Config(
                "pow_bits is only supported on the compression layer (recursive verifiers run without PoW)".into(),
            ));
        }
        for (name, l) in [
            ("basic", self.basic),
            ("recursion", self.recursion),
            ("compression", self.compression),
            ("user", self.user),
            ("wrap", self.wrap),
        ] {
            if !l.lde_factor.is_power_of_two()
                || !l.cap_size.is_power_of_two()
                || l.security_bits <= l.pow_bits as usize
            {
                return Err(ProverError::Config(format!(
                    "{name} layer parameters are invalid: {l:?}"
                )));
            }
        }
        Ok(())
    }

    /// A profile by name.
    pub fn by_name(name: &str) -> Result<Self, ProverError> {
        name.parse::<ProfileKind>().map(ProfileKind::profile)
    }
}

/// The shape of every batch's proof tree: how many requests a basic circuit holds, how many children a
/// leaf or node verifies, and how many node layers sit between leaves and the tip.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TreeShape {
    /// Requests per `Poseidon2Hash` basic circuit.
    pub poseidon2_capacity: usize,
    /// Requests per `Sha256` basic circuit.
    pub sha256_capacity: usize,
    /// Children per leaf and per node (zkSync: 32; tests: 2).
    pub arity: usize,
    /// Node layers per type (at least 1). Every type is reduced to one proof at this depth, so a batch
    /// may have at most `arity^(node_depth + 1)` basic circuits of one type.
    pub node_depth: u32,
}

impl Default for TreeShape {
    fn default() -> Self {
        TreeShape {
            poseidon2_capacity: 8,
            sha256_capacity: 2,
            arity: 2,
            node_depth: 1,
        }
    }
}

impl TreeShape {
    /// zkstream's real circuit family with this shape: Poseidon2 and SHA-256 with their capacities,
    /// the arity and `node_depth` fixed node layers (one key each).
    pub fn family(&self) -> CircuitFamily {
        let narrow = |v: usize| u32::try_from(v).unwrap_or(u32::MAX);
        CircuitFamily::real(
            narrow(self.poseidon2_capacity),
            narrow(self.sha256_capacity),
            narrow(self.arity),
            self.node_depth,
        )
    }

    /// Requests per basic circuit of type `t` (its capacity in [`TreeShape::family`]); refused for
    /// a type the real family does not register.
    pub fn capacity(&self, t: CircuitType) -> Result<usize, ProverError> {
        let capacity = self.family().spec(t)?.capacity;
        Ok(usize::try_from(capacity).unwrap_or(usize::MAX))
    }

    /// The recursion-tip arity: one slot per circuit type of the real family.
    pub fn tip_arity(&self) -> usize {
        REAL_TYPES.len()
    }

    /// Most basic circuits of one type a batch may need.
    pub fn max_basic_per_type(&self) -> usize {
        self.arity.saturating_pow(self.node_depth + 1)
    }

    /// Rejects shapes the circuits cannot be built for.
    pub fn validate(&self) -> Result<(), ProverError> {
        if self.arity < 1 || self.arity > 64 {
            return Err(ProverError::Config(format!(
                "arity {} is outside 1..=64",
                self.arity
            )));
        }
        if self.node_depth < 1 || self.node_depth > 8 {
            return Err(ProverError::Config(format!(
                "node_depth {} is outside 1..=8",
                self.node_depth
            )));
        }
        for t in REAL_TYPES {
            let c = self.capacity(t)?;
            if !(1..=4096).contains(&c) {
                return Err(ProverError::Config(format!(
                    "{t} capacity {c} is outside 1..=4096"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use boojum::cs::implementations::prover::compute_fri_schedule;

    fn queries(l: LayerConfig, degree_log_two: u32) -> usize {
        compute_fri_schedule(
            l.security_bits as u32,
            l.cap_size,
            l.pow_bits,
            l.lde_factor.trailing_zeros(),
            degree_log_two,
        )
        .1
    }

    #[test]
    fn every_named_profile_is_valid_and_unknown_names_are_refused() {
        for name in ["production", "test"] {
            let p = ProofProfile::by_name(name).unwrap();
            assert_eq!(p.name, name);
            p.validate().unwrap();
        }
        let err = ProofProfile::by_name("prod").unwrap_err().to_string();
        assert!(
            err.contains("\"prod\"") && err.contains("\"production\""),
            "{err}"
        );
    }

    #[test]
    fn query_counts_follow_from_security_lde_and_pow() {
        let (p, t) = (ProofProfile::production(), ProofProfile::test());
        // 100 bits at LDE 8: 34 queries; compression at LDE 32 with 20 PoW bits: 16.
        assert_eq!(queries(p.basic, 14), 34);
        assert_eq!(queries(p.recursion, 15), 34);
        assert_eq!(queries(p.compression, 14), 16);
        // The test profile: 12 bits at LDE 8 in the batch layers: 4 queries.
        assert_eq!(queries(t.recursion, 15), 4);
        assert_eq!(queries(t.compression, 14), 4);
        // Users' chunks and nodes: at LDE 8 in production (34), at LDE 2 in the test profile (12).
        assert_eq!(queries(p.user, 16), 34);
        assert_eq!(queries(t.user, 16), 12);
    }
}
