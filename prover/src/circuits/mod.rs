//! The circuits: basic circuits per request type and the recursion layers over them. Each circuit is
//! synthesized by one function for both setup (no witness) and proving (with witness), so the setup and
//! the proof can never disagree about the structure.

pub mod basic;
pub mod config;
pub mod keccak;
pub mod recursive;
pub mod user;
pub mod wrap;

use boojum::cs::traits::cs::ConstraintSystem;

pub use basic::{BasicCircuit, BasicKind};
pub use config::Layout;
pub use recursive::{
    AggregateCircuit, CompressionCircuit, SchedulerCircuit, SchedulerInputs, TipCircuit,
};
pub use user::{UserChunkCircuit, UserNodeCircuit, UserProgramCircuit};
pub use wrap::{WrapLayerCircuit, WrappedInput};

use crate::field::F;

/// A circuit that can be synthesized into a boojum constraint system.
pub trait Circuit {
    /// Which gate/lookup configuration it uses (and so which verifier its parent needs).
    fn layout(&self) -> Layout;
    /// An upper bound on its trace length (rows), used to size the constraint system.
    fn max_trace_len(&self) -> usize;
    /// Places every gate and, when the CS evaluates witnesses, every value.
    fn synthesize<CS: ConstraintSystem<F> + 'static>(&self, cs: &mut CS);
}
