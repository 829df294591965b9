//! Release rules: when a job of a batch's proof tree whose children are proved may start. zkstream
//! streams; the others are how other orchestrators release, kept to measure against.

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// When a leaf, node or later job may start once its children are proved.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Release {
    /// As soon as its own children exist (zkstream: a leaf the moment its chunk of basic proofs is
    /// proved).
    #[default]
    Streaming,
    /// When every proof of the level below of its circuit type exists (a per-type round barrier).
    Barrier,
    /// zkSync's job monitor: the per-type barrier, seen at its next poll ([`Release::POLL_S`] in each
    /// stage). The poll is a matter of time, not of order: the pipeline releases as [`Release::Barrier`]
    /// does, and the simulation that measures releases adds the poll in modeled time.
    Zksync,
}

/// A release name that is none of [`Release::ALL`].
#[derive(Debug, Error, PartialEq, Eq)]
#[error("unknown release {0:?} (expected streaming, barrier or zksync)")]
pub struct UnknownRelease(pub String);

impl Release {
    /// zkSync's `prover_job_monitor` poll interval, seconds.
    pub const POLL_S: f64 = 10.0;
    /// Every rule, in the order tables show them.
    pub const ALL: [Release; 3] = [Release::Streaming, Release::Barrier, Release::Zksync];

    /// Its name on the command line, in configuration and in tables.
    pub fn name(self) -> &'static str {
        match self {
            Release::Streaming => "streaming",
            Release::Barrier => "barrier",
            Release::Zksync => "zksync",
        }
    }
}

impl std::fmt::Display for Release {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Release {
    type Err = UnknownRelease;
    fn from_str(s: &str) -> Result<Self, UnknownRelease> {
        Release::ALL
            .into_iter()
            .find(|r| r.name() == s)
            .ok_or_else(|| UnknownRelease(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_a_typo_is_named() {
        for r in Release::ALL {
            assert_eq!(r.name().parse::<Release>(), Ok(r));
        }
        assert_eq!(
            "stream".parse::<Release>(),
            Err(UnknownRelease("stream".into()))
        );
    }
}
