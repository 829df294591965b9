pub mod bn256;
pub mod edwards;
pub mod util;

#[cfg(test)]
pub mod tests;

pub use self::edwards::{GenericTwistedEdwardsCurveParams, TwistedEdwardsCurveImplementor, TwistedEdwardsCurveParams, TwistedEdwardsPoint};
