//! Workloads: the shape of one simulated batch — how many basic jobs of each circuit type, the
//! recursion arity, and how long each kind of job takes on one prover slot (modeled seconds) — as
//! presets (`mainnet`, `small`) or a TOML file. Unknown fields are rejected by name.

use serde::Deserialize;
use thiserror::Error;
use zkstream_types::{
    CircuitFamily, CircuitType, FamilyError, NodeLayers, SimulatedBatch, TypeSpec,
};

/// A workload the presets or a file describe is not one a batch can have.
#[derive(Debug, Error, PartialEq)]
pub enum WorkloadError {
    /// No preset of this name.
    #[error("unknown workload preset {0:?} (expected mainnet or small, or a .toml file)")]
    UnknownPreset(String),
    /// The file is not valid TOML for a workload (an unknown field is named here).
    #[error("workload file: {0}")]
    Parse(String),
    /// The workload is well formed but impossible: no types, too many, a zero count, a bad duration.
    #[error("workload {name:?}: {reason}")]
    Invalid {
        /// The workload's name.
        name: String,
        /// What is wrong.
        reason: String,
    },
}

/// The basic jobs of one circuit type in a batch.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeLoad {
    /// A short name (metric labels, tables).
    pub name: String,
    /// Basic jobs of this type per batch (≥ 1).
    pub basic: u32,
    /// Modeled seconds one basic proof of this type holds a slot.
    pub basic_s: f64,
}

/// Modeled seconds one job of each recursion round holds a slot.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Durations {
    /// A leaf (verifies up to `arity` basic proofs of one type).
    pub leaf_s: f64,
    /// A node (verifies up to `arity` leaf or node proofs of one type).
    pub node_s: f64,
    /// The recursion tip (one final node proof per type).
    pub tip_s: f64,
    /// The scheduler (verifies the tip, binds the batch).
    pub scheduler_s: f64,
    /// The compression (the final proof).
    pub compression_s: f64,
}

/// The shape and modeled costs of one simulated batch.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Workload {
    /// Its name (`mainnet`, `small`, or a file's own).
    pub name: String,
    /// Children per leaf and per node.
    pub arity: u32,
    /// Each job's duration is its round's (or type's) duration × (1 + `jitter` × u), u uniform in
    /// [−1, 1], drawn from the job's place in the tree and the run's seed (so every schedule of the
    /// same batch sees the same durations). In [0, 1).
    pub jitter: f64,
    /// Recursion rounds' durations.
    pub durations: Durations,
    /// The circuit types, in id order (1..=32 of them).
    pub types: Vec<TypeLoad>,
}

impl Workload {
    /// The shape of zkSync Era mainnet batch 496134, with durations modeled on GPU provers.
    ///
    /// Sources and assumptions:
    /// - Job counts: zkSync Era's published figures for mainnet batch 496134 (17,061 basic, 544 leaf,
    ///   32 node, 1 tip, 1 scheduler jobs; about 20 basic circuit types), and the leaf and node arity 32
    ///   of zkSync's `RECURSION_ARITY` (`circuit_definitions`, recursion layer).
    /// - The split over the 20 types is **assumed**: it is not published. One dominant type (11,900
    ///   basic jobs, as the main VM and storage circuits dominate a busy batch) and 19 smaller ones with
    ///   a decaying tail, chosen so that the round counts are exactly the published ones: its 544 leaves
    ///   are Σ⌈basic/32⌉, and node rounds until one proof per type give 32 nodes (12 + 1 for the
    ///   dominant type's 372 leaves, 1 for each other type).
    /// - Durations are **assumed** for one H100-class GPU per slot with its witness generation fed by
    ///   CPUs (zkSync's circuit prover: about 1 s of GPU per circuit): basic 0.5–3.0 s by type,
    ///   leaf and node 2 s, tip 3 s, scheduler 5 s, compression 30 s (zkSync's figures for its
    ///   compression chain, 2024: five circuits of 0.5–192 s each on an NVIDIA L4; assumed several
    ///   times faster on an H100-class GPU), ±20 % jitter per job.
    pub fn mainnet() -> Self {
        const BASIC: [u32; 20] = [
            11_900, 1_024, 970, 710, 520, 400, 330, 260, 200, 170, 140, 110, 90, 70, 55, 40, 30,
            20, 12, 10,
        ];
        const BASIC_S: [f64; 20] = [
            1.5, 1.0, 2.0, 0.8, 1.2, 2.5, 0.6, 1.0, 1.8, 0.9, 3.0, 1.1, 0.7, 1.4, 2.2, 0.5, 1.3,
            0.8, 1.6, 1.0,
        ];
        Workload {
            name: "mainnet".into(),
            arity: 32,
            jitter: 0.2,
            durations: Durations {
                leaf_s: 2.0,
                node_s: 2.0,
                tip_s: 3.0,
                scheduler_s: 5.0,
                compression_s: 30.0,
            },
            types: BASIC
                .iter()
                .zip(BASIC_S)
                .enumerate()
                .map(|(i, (&basic, basic_s))| TypeLoad {
                    name: format!("t{i:02}"),
                    basic,
                    basic_s,
                })
                .collect(),
        }
    }

    /// A batch of a few seconds for tests: 3 types (21, 5 and 1 basic jobs), arity 4, so that one type
    /// has two node levels, one has a single leaf, and chunks come out partial.
    pub fn small() -> Self {
        Workload {
            name: "small".into(),
            arity: 4,
            jitter: 0.2,
            durations: Durations {
                leaf_s: 0.3,
                node_s: 0.3,
                tip_s: 0.4,
                scheduler_s: 0.5,
                compression_s: 1.0,
            },
            types: [(21, 0.2), (5, 0.4), (1, 0.3)]
                .iter()
                .enumerate()
                .map(|(i, &(basic, basic_s))| TypeLoad {
                    name: format!("t{i:02}"),
                    basic,
                    basic_s,
                })
                .collect(),
        }
    }

    /// A preset by name.
    pub fn preset(name: &str) -> Result<Self, WorkloadError> {
        match name {
            "mainnet" => Ok(Self::mainnet()),
            "small" => Ok(Self::small()),
            other => Err(WorkloadError::UnknownPreset(other.to_string())),
        }
    }

    /// A workload from a TOML file's text, checked.
    pub fn from_toml(text: &str) -> Result<Self, WorkloadError> {
        let w: Workload = toml::from_str(text).map_err(|e| WorkloadError::Parse(e.to_string()))?;
        w.check()?;
        Ok(w)
    }

    /// Rejects a workload no batch can have.
    pub fn check(&self) -> Result<(), WorkloadError> {
        let invalid = |reason: String| {
            Err(WorkloadError::Invalid {
                name: self.name.clone(),
                reason,
            })
        };
        // The family it registers: 1 to 32 types (the recursion tip verifies one final node proof
        // per type and has 32 inputs, zkSync's `RECURSION_TIP_ARITY`), unique names, arity ≥ 2.
        match self.family().check() {
            Ok(()) => {}
            Err(FamilyError::Invalid(_, reason)) => return invalid(reason),
            Err(other) => return invalid(other.to_string()),
        }
        if !(0.0..1.0).contains(&self.jitter) {
            return invalid(format!("jitter {} (in [0, 1))", self.jitter));
        }
        let d = &self.durations;
        let rounds = [
            ("leaf_s", d.leaf_s),
            ("node_s", d.node_s),
            ("tip_s", d.tip_s),
            ("scheduler_s", d.scheduler_s),
            ("compression_s", d.compression_s),
        ];
        let types = self.types.iter().map(|t| (t.name.as_str(), t.basic_s));
        for (what, s) in rounds.into_iter().chain(types) {
            if !(s.is_finite() && s > 0.0) {
                return invalid(format!(
                    "duration {what} = {s} (a positive number of seconds)"
                ));
            }
        }
        if let Some(t) = self.types.iter().find(|t| t.basic == 0) {
            return invalid(format!("type {} has no basic jobs", t.name));
        }
        // Its batches must be ones a simulated record can carry (the bound on basic jobs).
        if let Err(e) = self.batch(1).validate() {
            return invalid(e.reason);
        }
        Ok(())
    }

    /// The same workload with its basic jobs scaled to about `basic_jobs` in all (each type's count in
    /// proportion, at least one), for tables of cost against batch size.
    pub fn scaled(&self, basic_jobs: u64) -> Workload {
        let f = basic_jobs as f64 / self.basic_jobs().max(1) as f64;
        let mut w = self.clone();
        w.name = format!("{}@{basic_jobs}", self.name);
        for t in &mut w.types {
            t.basic = ((f64::from(t.basic) * f).round() as u32).max(1);
        }
        w
    }

    /// The simulated circuit family this workload registers: its types as ids `0..` in order, named
    /// as the workload names them, capacity 1 (a simulated batch carries counts of basic jobs), and
    /// node layers until one proof per type, like zkSync's.
    pub fn family(&self) -> CircuitFamily {
        self.family_with_arity(self.arity)
    }

    /// The same family at another arity (a simulated batch carries its own).
    pub fn family_with_arity(&self, arity: u32) -> CircuitFamily {
        CircuitFamily {
            name: self.name.clone(),
            types: self
                .types
                .iter()
                .enumerate()
                .map(|(i, t)| TypeSpec {
                    id: CircuitType::new(i as u8),
                    name: t.name.clone(),
                    capacity: 1,
                })
                .collect(),
            arity,
            node_layers: NodeLayers::UntilOne,
        }
    }

    /// Batch `number` of this workload: its shape, as a simulated record carries it.
    pub fn batch(&self, number: u64) -> SimulatedBatch {
        SimulatedBatch {
            batch_number: number,
            workload: self.name.clone(),
            arity: self.arity,
            basic: self.types.iter().map(|t| t.basic).collect(),
        }
    }

    /// A workload of a batch's shape with every duration 1 s and no jitter: what a tree hash is
    /// recomputed over (durations do not enter it).
    pub fn of_shape(batch: &SimulatedBatch) -> Workload {
        Workload {
            name: batch.workload.clone(),
            arity: batch.arity,
            jitter: 0.0,
            durations: Durations {
                leaf_s: 1.0,
                node_s: 1.0,
                tip_s: 1.0,
                scheduler_s: 1.0,
                compression_s: 1.0,
            },
            types: batch
                .basic
                .iter()
                .enumerate()
                .map(|(i, &basic)| TypeLoad {
                    name: format!("t{i:02}"),
                    basic,
                    basic_s: 1.0,
                })
                .collect(),
        }
    }

    /// Basic jobs per batch, all types.
    pub fn basic_jobs(&self) -> u64 {
        self.types.iter().map(|t| u64::from(t.basic)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_mainnet_has_twenty_types() {
        for name in ["mainnet", "small"] {
            Workload::preset(name).unwrap().check().unwrap();
        }
        let m = Workload::mainnet();
        assert_eq!(m.types.len(), 20);
        assert_eq!(m.basic_jobs(), 17_061);
        assert_eq!(
            Workload::preset("mainnet-2"),
            Err(WorkloadError::UnknownPreset("mainnet-2".into()))
        );
    }

    #[test]
    fn a_file_is_parsed_checked_and_unknown_fields_are_named() {
        let text = r#"
            name = "two"
            arity = 8
            jitter = 0.1
            [durations]
            leaf_s = 1.0
            node_s = 1.0
            tip_s = 1.0
            scheduler_s = 1.0
            compression_s = 2.0
            [[types]]
            name = "a"
            basic = 100
            basic_s = 0.5
            [[types]]
            name = "b"
            basic = 3
            basic_s = 0.5
        "#;
        let w = Workload::from_toml(text).unwrap();
        assert_eq!(w.basic_jobs(), 103);
        let typo = text.replace(
            "basic_s = 0.5\n            [[types]]",
            "basic_sec = 0.5\n [[types]]",
        );
        let err = Workload::from_toml(&typo).unwrap_err().to_string();
        assert!(err.contains("basic_sec"), "{err}");
        let zero = text.replace("basic = 3", "basic = 0");
        let err = Workload::from_toml(&zero).unwrap_err().to_string();
        assert!(err.contains("type b has no basic jobs"), "{err}");
        let slow = text.replace("tip_s = 1.0", "tip_s = -1.0");
        let err = Workload::from_toml(&slow).unwrap_err().to_string();
        assert!(err.contains("tip_s"), "{err}");
        let narrow = text.replace("arity = 8", "arity = 1");
        assert!(Workload::from_toml(&narrow).is_err());
    }

    #[test]
    fn a_scaled_workload_keeps_its_types_and_about_the_count() {
        let w = Workload::mainnet().scaled(1_000);
        assert_eq!(w.types.len(), 20);
        assert!(
            (990..=1_030).contains(&w.basic_jobs()),
            "{}",
            w.basic_jobs()
        );
        assert!(w.types.iter().all(|t| t.basic >= 1));
        w.check().unwrap();
    }

    #[test]
    fn more_types_than_the_tip_verifies_are_refused() {
        let mut w = Workload::small();
        w.types = (0..33)
            .map(|i| TypeLoad {
                name: format!("t{i}"),
                basic: 1,
                basic_s: 1.0,
            })
            .collect();
        assert!(w
            .check()
            .unwrap_err()
            .to_string()
            .contains("33 circuit types"));
    }
}
