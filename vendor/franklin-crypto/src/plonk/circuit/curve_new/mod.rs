pub mod sw_affine;
pub use self::sw_affine::*;

pub mod sw_projective;
pub use self::sw_projective::*;

pub mod secp256k1;
pub use self::secp256k1::*;
