pub mod bn256;
pub mod edwards;

pub use self::edwards::{CircuitTwistedEdwardsCurveImplementor, CircuitTwistedEdwardsPoint};

#[cfg(test)]
mod tests;
