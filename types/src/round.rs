//! Aggregation rounds, numbered as in the zkSync prover (`basic_fri_types.rs`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// One layer of the proof tree.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[repr(u8)]
pub enum AggregationRound {
    /// Basic circuits: compute the requests of one circuit type.
    Basic = 0,
    /// Leaf: verifies up to ARITY basic proofs of one type.
    Leaf = 1,
    /// Node: verifies up to ARITY leaf or node proofs of one type, repeated by depth.
    Node = 2,
    /// Recursion tip: verifies the final node proof of every type present.
    RecursionTip = 3,
    /// Scheduler: verifies the tip and binds the batch commitment.
    Scheduler = 4,
    /// Compression: re-proves the scheduler proof with a smaller proof.
    Compression = 5,
    /// The SNARK wrap of the scheduler proof: a BN254-hashed layer, then a PLONK proof over BN254.
    Wrap = 6,
}

impl AggregationRound {
    /// Every round, bottom to top.
    pub const ALL: [AggregationRound; 7] = [
        AggregationRound::Basic,
        AggregationRound::Leaf,
        AggregationRound::Node,
        AggregationRound::RecursionTip,
        AggregationRound::Scheduler,
        AggregationRound::Compression,
        AggregationRound::Wrap,
    ];

    /// The round's number (0..=6).
    pub fn number(self) -> u8 {
        self as u8
    }

    /// The round with this number, if any.
    pub fn from_number(n: u8) -> Option<Self> {
        Self::ALL.get(n as usize).copied()
    }

    /// A short lower-case name, used in metric labels and artifact paths.
    pub fn name(self) -> &'static str {
        match self {
            AggregationRound::Basic => "basic",
            AggregationRound::Leaf => "leaf",
            AggregationRound::Node => "node",
            AggregationRound::RecursionTip => "tip",
            AggregationRound::Scheduler => "scheduler",
            AggregationRound::Compression => "compression",
            AggregationRound::Wrap => "wrap",
        }
    }
}

impl fmt::Display for AggregationRound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_match_zksync() {
        for (i, r) in AggregationRound::ALL.iter().enumerate() {
            assert_eq!(r.number() as usize, i);
            assert_eq!(AggregationRound::from_number(i as u8), Some(*r));
        }
        assert_eq!(AggregationRound::from_number(7), None);
        assert_eq!(AggregationRound::Scheduler.number(), 4);
    }
}
