pub mod endomorphism;
pub mod multiexp_table;
pub mod selection_table;
pub mod sw_affine;
pub mod sw_projective;

pub use self::sw_affine::*;
