//! Domain types shared by every zkstream crate (batches, circuit families and their types, rounds, release rules, artifact
//! keys, final proof records, records as read and why one is refused) and the framed wire format used for everything that crosses Kafka or the artifact store.
#![deny(missing_docs)]

pub mod artifact;
pub mod batch;
pub mod digest;
pub mod family;
pub mod proof;
pub mod record;
pub mod release;
pub mod round;
pub mod simulated;
pub mod user;
pub mod wire;

pub use artifact::{Artifact, ArtifactKey, UserArtifact, UserProofKey};
pub use batch::{BatchInput, Request, ValidationError};
pub use digest::{Digest, GOLDILOCKS_MODULUS};
pub use family::{
    real_type_name, CircuitFamily, CircuitType, FamilyError, NodeLayers, TypeSpec,
    MAX_FAMILY_TYPES, REAL_TYPES,
};
pub use proof::{FinalBatchProof, QueueRange, WrappedProof};
pub use record::{Decoded, DecodedSimulated, RawBatch, RejectReason, Rejected, SourceRecord};
pub use release::{Release, UnknownRelease};
pub use round::AggregationRound;
pub use simulated::{
    SimKey, SimulatedArtifact, SimulatedBatch, SimulatedBatchError, SimulatedRecord,
};
pub use user::{AggregationRecord, BlobRecord, IncludedProof, UserSubmission};
pub use wire::{decode_any, Frame, FrameKind, Framed, WireError, FORMAT_VERSION};
