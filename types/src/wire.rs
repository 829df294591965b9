//! The framed wire format: `magic ‖ format version ‖ zstd(serde payload)`.
//!
//! * magic: 4 bytes, `b"ZKS"` followed by one byte naming the payload kind ([`FrameKind`]);
//! * format version: `u16`, big-endian; each kind names the versions it reads ([`FrameKind::version`]),
//!   never guessed: every kind is at [`FORMAT_VERSION`] except final proofs, whose version 2 carries
//!   a wrapped proof; a final proof without one is still written (and read) at version 1, so that
//!   readers built before the wrap read every unwrapped record;
//! * payload: one zstd frame holding the bincode (fixed-int, little-endian) encoding of the value.
//!
//! Decoding never panics and bounds every allocation: each way bytes can be wrong has its own
//! [`WireError`] variant.

use std::io::Read;
use std::sync::Mutex;

use bincode::Options;
use serde::{de::DeserializeOwned, Serialize};
use thiserror::Error;

use crate::artifact::{Artifact, UserArtifact};
use crate::batch::BatchInput;
use crate::proof::FinalBatchProof;
use crate::simulated::{SimulatedArtifact, SimulatedBatch, SimulatedRecord};
use crate::user::{AggregationRecord, UserSubmission};

/// The first three bytes of every frame.
pub const MAGIC_PREFIX: [u8; 3] = *b"ZKS";
/// The format version of every frame kind but [`FrameKind::FinalProof`] and
/// [`FrameKind::Aggregation`].
pub const FORMAT_VERSION: u16 = 1;
/// The format version of aggregation records that carry a wrapped proof (version 1 has no
/// [`AggregationRecord::wrap`], and is what an unwrapped one is written at).
pub const AGGREGATION_VERSION: u16 = 2;
/// The format version of final proofs that carry a wrapped proof (version 1 has no
/// [`FinalBatchProof::wrap`], and is what an unwrapped one is written at).
pub const FINAL_PROOF_VERSION: u16 = 2;
/// Header length: magic (4) + version (2).
pub const HEADER_LEN: usize = 6;
/// Largest decompressed payload accepted (a zstd bomb stops here).
pub const MAX_PAYLOAD_BYTES: u64 = 256 << 20;
/// zstd level used when encoding.
const ZSTD_LEVEL: i32 = 3;

/// What a frame carries; the fourth magic byte.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameKind {
    /// A [`BatchInput`] (`ZKSB`).
    Batch,
    /// An [`Artifact`] (`ZKSA`).
    Artifact,
    /// A [`FinalBatchProof`] (`ZKSF`).
    FinalProof,
    /// A [`UserSubmission`] (`ZKSU`).
    UserProof,
    /// An [`AggregationRecord`] (`ZKSG`).
    Aggregation,
    /// A [`UserArtifact`] (`ZKST`): one proof of user-proof mode's tree.
    UserArtifact,
    /// A [`SimulatedBatch`] (`ZKSS`): the shape of a simulated batch.
    SimulatedBatch,
    /// A [`SimulatedRecord`] (`ZKSR`): a simulated batch's final record, not a proof.
    SimulatedRecord,
    /// A [`SimulatedArtifact`] (`ZKSH`): one simulated job's hash, not a proof.
    SimulatedArtifact,
}

impl FrameKind {
    /// The fourth magic byte.
    pub fn tag(self) -> u8 {
        match self {
            FrameKind::Batch => b'B',
            FrameKind::Artifact => b'A',
            FrameKind::FinalProof => b'F',
            FrameKind::UserProof => b'U',
            FrameKind::Aggregation => b'G',
            FrameKind::UserArtifact => b'T',
            FrameKind::SimulatedBatch => b'S',
            FrameKind::SimulatedRecord => b'R',
            FrameKind::SimulatedArtifact => b'H',
        }
    }

    /// The kind with this tag, if any.
    pub fn from_tag(tag: u8) -> Option<Self> {
        match tag {
            b'B' => Some(FrameKind::Batch),
            b'A' => Some(FrameKind::Artifact),
            b'F' => Some(FrameKind::FinalProof),
            b'U' => Some(FrameKind::UserProof),
            b'G' => Some(FrameKind::Aggregation),
            b'T' => Some(FrameKind::UserArtifact),
            b'S' => Some(FrameKind::SimulatedBatch),
            b'R' => Some(FrameKind::SimulatedRecord),
            b'H' => Some(FrameKind::SimulatedArtifact),
            _ => None,
        }
    }

    /// The newest format version this build writes the kind at.
    pub fn version(self) -> u16 {
        match self {
            FrameKind::FinalProof => FINAL_PROOF_VERSION,
            FrameKind::Aggregation => AGGREGATION_VERSION,
            _ => FORMAT_VERSION,
        }
    }

    /// Whether this build reads the kind at `version`: the one it writes, and version 1 of final
    /// proofs and aggregation records.
    pub fn reads(self, version: u16) -> bool {
        version == self.version()
            || (matches!(self, FrameKind::FinalProof | FrameKind::Aggregation) && version == 1)
    }

    /// A human name.
    pub fn name(self) -> &'static str {
        match self {
            FrameKind::Batch => "batch input",
            FrameKind::Artifact => "artifact",
            FrameKind::FinalProof => "final proof",
            FrameKind::UserProof => "user proof submission",
            FrameKind::Aggregation => "aggregation record",
            FrameKind::UserArtifact => "user proof artifact",
            FrameKind::SimulatedBatch => "simulated batch",
            FrameKind::SimulatedRecord => "simulated record (not a proof)",
            FrameKind::SimulatedArtifact => "simulated artifact (not a proof)",
        }
    }
}

/// Why bytes are not a valid frame. None of these is retryable: the bytes themselves are wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WireError {
    /// Fewer bytes than a header.
    #[error("truncated frame: {len} bytes, a header needs {HEADER_LEN}")]
    Truncated {
        /// Bytes present.
        len: usize,
    },
    /// The first bytes are not `ZKS`.
    #[error("bad magic {found:02x?}: not a zkstream frame (expected \"ZKS\")")]
    BadMagic {
        /// The first three bytes.
        found: [u8; 3],
    },
    /// `ZKS` followed by an unknown kind byte.
    #[error("unknown frame kind {tag:#04x}")]
    UnknownKind {
        /// The fourth byte.
        tag: u8,
    },
    /// A different kind than the caller asked for.
    #[error("wrong frame kind: expected {expected}, found {found}")]
    WrongKind {
        /// What the caller wanted.
        expected: &'static str,
        /// What the frame holds.
        found: &'static str,
    },
    /// A format version this build does not read.
    #[error("unsupported format version {found} (this build reads version {supported})")]
    UnsupportedVersion {
        /// Version in the header.
        found: u16,
        /// The version this build supports.
        supported: u16,
    },
    /// The zstd frame is corrupt or cut short.
    #[error("corrupt zstd payload: {0}")]
    Decompress(String),
    /// The payload decompresses to more than [`MAX_PAYLOAD_BYTES`].
    #[error("payload larger than the {limit}-byte limit")]
    TooLarge {
        /// The limit.
        limit: u64,
    },
    /// The decompressed bytes are not a valid value of the kind.
    #[error("invalid {kind} payload: {reason}")]
    Payload {
        /// The frame kind.
        kind: &'static str,
        /// What bincode said.
        reason: String,
    },
    /// Encoding failed (only for values that cannot be serialized).
    #[error("cannot encode {kind}: {reason}")]
    Encode {
        /// The frame kind.
        kind: &'static str,
        /// What went wrong.
        reason: String,
    },
}

impl WireError {
    /// Whether trying again can help: never — the same bytes decode the same way every time (a bad record goes to the dead-letter topic).
    pub fn is_retryable(&self) -> bool {
        false
    }
}

fn bincode_options() -> impl Options {
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_little_endian()
        .with_limit(MAX_PAYLOAD_BYTES)
        .reject_trailing_bytes()
}

/// A value that travels in a frame.
pub trait Framed: Serialize + DeserializeOwned {
    /// Its frame kind.
    const KIND: FrameKind;

    /// Encodes the value as a frame.
    fn to_frame(&self) -> Result<Vec<u8>, WireError> {
        encode(Self::KIND, self)
    }

    /// Decodes a frame of this kind.
    fn from_frame(bytes: &[u8]) -> Result<Self, WireError> {
        let (kind, payload) = read_header(bytes)?;
        if kind != Self::KIND {
            return Err(WireError::WrongKind {
                expected: Self::KIND.name(),
                found: kind.name(),
            });
        }
        decode_payload(kind, payload)
    }
}

impl Framed for BatchInput {
    const KIND: FrameKind = FrameKind::Batch;
}
impl Framed for Artifact {
    const KIND: FrameKind = FrameKind::Artifact;
}
impl Framed for UserArtifact {
    const KIND: FrameKind = FrameKind::UserArtifact;
}
impl Framed for FinalBatchProof {
    const KIND: FrameKind = FrameKind::FinalProof;

    fn to_frame(&self) -> Result<Vec<u8>, WireError> {
        if self.wrap.is_some() {
            return encode_at(Self::KIND, FINAL_PROOF_VERSION, self);
        }
        let v1 = FinalBatchProofV1Out {
            batch_number: self.batch_number,
            protocol_version: self.protocol_version,
            previous_batch_commitment: &self.previous_batch_commitment,
            batch_commitment: &self.batch_commitment,
            aggregation_result_coords: &self.aggregation_result_coords,
            vk_set_commitment: &self.vk_set_commitment,
            proof_profile: &self.proof_profile,
            proof: &self.proof,
        };
        encode_at(Self::KIND, 1, &v1)
    }

    fn from_frame(bytes: &[u8]) -> Result<Self, WireError> {
        let (kind, version, payload) = read_versioned_header(bytes)?;
        if kind != Self::KIND {
            return Err(WireError::WrongKind {
                expected: Self::KIND.name(),
                found: kind.name(),
            });
        }
        decode_final_proof(version, payload)
    }
}

/// A final proof as format version 1 wrote it: without [`FinalBatchProof::wrap`].
#[derive(serde::Deserialize)]
#[cfg_attr(test, derive(serde::Serialize))]
struct FinalBatchProofV1 {
    batch_number: u64,
    protocol_version: u32,
    previous_batch_commitment: crate::digest::Digest,
    batch_commitment: crate::digest::Digest,
    aggregation_result_coords: Vec<crate::proof::QueueRange>,
    vk_set_commitment: crate::digest::Digest,
    proof_profile: String,
    proof: Vec<u8>,
}

/// [`FinalBatchProofV1`] as it is written, borrowing from the record (the same bincode).
#[derive(serde::Serialize)]
struct FinalBatchProofV1Out<'a> {
    batch_number: u64,
    protocol_version: u32,
    previous_batch_commitment: &'a crate::digest::Digest,
    batch_commitment: &'a crate::digest::Digest,
    aggregation_result_coords: &'a [crate::proof::QueueRange],
    vk_set_commitment: &'a crate::digest::Digest,
    proof_profile: &'a str,
    proof: &'a [u8],
}

fn decode_final_proof(version: u16, payload: &[u8]) -> Result<FinalBatchProof, WireError> {
    if version != 1 {
        return decode_payload(FrameKind::FinalProof, payload);
    }
    let v1: FinalBatchProofV1 = decode_payload(FrameKind::FinalProof, payload)?;
    Ok(FinalBatchProof {
        batch_number: v1.batch_number,
        protocol_version: v1.protocol_version,
        previous_batch_commitment: v1.previous_batch_commitment,
        batch_commitment: v1.batch_commitment,
        aggregation_result_coords: v1.aggregation_result_coords,
        vk_set_commitment: v1.vk_set_commitment,
        proof_profile: v1.proof_profile,
        proof: v1.proof,
        wrap: None,
    })
}
impl Framed for UserSubmission {
    const KIND: FrameKind = FrameKind::UserProof;
}
impl Framed for AggregationRecord {
    const KIND: FrameKind = FrameKind::Aggregation;

    fn to_frame(&self) -> Result<Vec<u8>, WireError> {
        if self.wrap.is_some() {
            return encode_at(Self::KIND, AGGREGATION_VERSION, self);
        }
        // Version 1: the same fields without `wrap` (bincode writes a struct as the tuple of its
        // fields).
        let v1 = (
            self.run,
            self.family,
            &self.aggregate_key,
            &self.root,
            &self.proof,
            self.chunks,
            &self.proofs,
            &self.blobs,
        );
        encode_at(Self::KIND, 1, &v1)
    }

    fn from_frame(bytes: &[u8]) -> Result<Self, WireError> {
        let (kind, version, payload) = read_versioned_header(bytes)?;
        if kind != Self::KIND {
            return Err(WireError::WrongKind {
                expected: Self::KIND.name(),
                found: kind.name(),
            });
        }
        decode_aggregation(version, payload)
    }
}

/// An aggregation record as format version 1 wrote it: the fields of [`AggregationRecord`] but
/// `wrap`, in order.
type AggregationRecordV1 = (
    u64,
    u64,
    [u8; 32],
    [u8; 32],
    Vec<u8>,
    u32,
    Vec<crate::user::IncludedProof>,
    Vec<crate::user::BlobRecord>,
);

fn decode_aggregation(version: u16, payload: &[u8]) -> Result<AggregationRecord, WireError> {
    if version != 1 {
        return decode_payload(FrameKind::Aggregation, payload);
    }
    let (run, family, aggregate_key, root, proof, chunks, proofs, blobs): AggregationRecordV1 =
        decode_payload(FrameKind::Aggregation, payload)?;
    Ok(AggregationRecord {
        run,
        family,
        aggregate_key,
        root,
        proof,
        chunks,
        proofs,
        blobs,
        wrap: None,
    })
}
impl Framed for SimulatedBatch {
    const KIND: FrameKind = FrameKind::SimulatedBatch;
}
impl Framed for SimulatedRecord {
    const KIND: FrameKind = FrameKind::SimulatedRecord;
}
impl Framed for SimulatedArtifact {
    const KIND: FrameKind = FrameKind::SimulatedArtifact;
}

/// Any decoded frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// A batch input.
    Batch(BatchInput),
    /// An artifact.
    Artifact(Box<Artifact>),
    /// A final proof record.
    FinalProof(Box<FinalBatchProof>),
    /// A user's proof submission.
    UserProof(Box<UserSubmission>),
    /// An aggregation run's record.
    Aggregation(Box<AggregationRecord>),
    /// One proof of user-proof mode's tree.
    UserArtifact(Box<UserArtifact>),
    /// A simulated batch's shape.
    SimulatedBatch(Box<SimulatedBatch>),
    /// A simulated batch's final record (not a proof).
    SimulatedRecord(Box<SimulatedRecord>),
    /// One simulated job's artifact (not a proof).
    SimulatedArtifact(Box<SimulatedArtifact>),
}

/// Decodes a frame of any kind.
pub fn decode_any(bytes: &[u8]) -> Result<Frame, WireError> {
    let (kind, version, payload) = read_versioned_header(bytes)?;
    Ok(match kind {
        FrameKind::Batch => Frame::Batch(decode_payload(kind, payload)?),
        FrameKind::Artifact => Frame::Artifact(Box::new(decode_payload(kind, payload)?)),
        FrameKind::FinalProof => Frame::FinalProof(Box::new(decode_final_proof(version, payload)?)),
        FrameKind::UserProof => Frame::UserProof(Box::new(decode_payload(kind, payload)?)),
        FrameKind::Aggregation => {
            Frame::Aggregation(Box::new(decode_aggregation(version, payload)?))
        }
        FrameKind::UserArtifact => Frame::UserArtifact(Box::new(decode_payload(kind, payload)?)),
        FrameKind::SimulatedBatch => {
            Frame::SimulatedBatch(Box::new(decode_payload(kind, payload)?))
        }
        FrameKind::SimulatedRecord => {
            Frame::SimulatedRecord(Box::new(decode_payload(kind, payload)?))
        }
        FrameKind::SimulatedArtifact => {
            Frame::SimulatedArtifact(Box::new(decode_payload(kind, payload)?))
        }
    })
}

fn encode<T: Serialize>(kind: FrameKind, value: &T) -> Result<Vec<u8>, WireError> {
    encode_at(kind, kind.version(), value)
}

fn encode_at<T: Serialize>(kind: FrameKind, version: u16, value: &T) -> Result<Vec<u8>, WireError> {
    let raw = bincode_options()
        .serialize(value)
        .map_err(|e| WireError::Encode {
            kind: kind.name(),
            reason: e.to_string(),
        })?;
    // The zstd frame carries a content checksum, so any corrupted byte is caught on decode.
    let compressed = compress(&raw).map_err(|e| WireError::Encode {
        kind: kind.name(),
        reason: e.to_string(),
    })?;
    let mut out = Vec::with_capacity(HEADER_LEN + compressed.len());
    out.extend_from_slice(&MAGIC_PREFIX);
    out.push(kind.tag());
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&compressed);
    Ok(out)
}

/// Most zstd contexts of each kind kept for reuse once no frame is being coded with them.
const KEPT_CONTEXTS: usize = 64;

/// Largest stated content size decoded into one allocation of that size; a larger frame (up to
/// [`MAX_PAYLOAD_BYTES`]) is streamed with a bounded window ([`MAX_WINDOW_LOG`]), so a few bytes
/// stating a large size allocate little.
const PREALLOCATED_MAX_BYTES: u64 = 16 << 20;

/// zstd contexts no frame is being coded with. Creating a context costs more than coding a small
/// frame: zstd probes the CPU's features for each (two `cpuid` instructions, which a virtual machine
/// traps; ~17 µs a context in a `perf record` of `zkstream simulate` on this project's 2-core
/// machines), and a simulated job codes one to 33 frames. One free list per process, not a context
/// per thread: 1,024 slot threads would hold one each, ~100 KiB apiece, while only a few code at once.
static COMPRESSORS: Mutex<Vec<zstd::bulk::Compressor<'static>>> = Mutex::new(Vec::new());
/// See [`COMPRESSORS`].
static DECOMPRESSORS: Mutex<Vec<zstd::bulk::Decompressor<'static>>> = Mutex::new(Vec::new());

/// Runs `code` with a context from the free list `free` (a new one when it is empty), and gives the
/// context back unless coding failed (a failed context is dropped, not trusted again) or the list
/// already holds [`KEPT_CONTEXTS`].
fn with_context<C, R>(
    free: &Mutex<Vec<C>>,
    new: impl FnOnce() -> std::io::Result<C>,
    code: impl FnOnce(&mut C) -> std::io::Result<R>,
) -> std::io::Result<R> {
    let taken = free.lock().unwrap_or_else(|p| p.into_inner()).pop();
    let mut context = match taken {
        Some(c) => c,
        None => new()?,
    };
    let result = code(&mut context);
    if result.is_ok() {
        let mut free = free.lock().unwrap_or_else(|p| p.into_inner());
        if free.len() < KEPT_CONTEXTS {
            free.push(context);
        }
    }
    result
}

/// A compression context as every frame is written: level [`ZSTD_LEVEL`], with the content size and
/// a checksum of the content (which catches any corrupted byte on decode).
fn new_compressor() -> std::io::Result<zstd::bulk::Compressor<'static>> {
    use zstd::zstd_safe::CParameter;
    let mut c = zstd::bulk::Compressor::new(ZSTD_LEVEL)?;
    c.set_parameter(CParameter::ChecksumFlag(true))?;
    c.set_parameter(CParameter::ContentSizeFlag(true))?;
    Ok(c)
}

fn compress(raw: &[u8]) -> std::io::Result<Vec<u8>> {
    with_context(&COMPRESSORS, new_compressor, |c| c.compress(raw))
}

/// Decompresses one zstd frame of at most [`MAX_PAYLOAD_BYTES`]. Every frame zkstream writes states
/// its content size: a frame stating more than the limit is refused before anything is decoded, and
/// one of up to [`PREALLOCATED_MAX_BYTES`] is decoded into one allocation of its size. Larger frames,
/// and frames that state no size, are streamed up to the limit.
fn decompress(compressed: &[u8]) -> Result<Vec<u8>, WireError> {
    let stated = zstd::zstd_safe::get_frame_content_size(compressed)
        .map_err(|e| WireError::Decompress(e.to_string()))?;
    match stated {
        Some(size) if size > MAX_PAYLOAD_BYTES => Err(WireError::TooLarge {
            limit: MAX_PAYLOAD_BYTES,
        }),
        Some(size) if size <= PREALLOCATED_MAX_BYTES => {
            with_context(&DECOMPRESSORS, zstd::bulk::Decompressor::new, |d| {
                d.decompress(compressed, size as usize)
            })
            .map_err(|e| WireError::Decompress(e.to_string()))
        }
        _ => decompress_streamed(compressed),
    }
}

/// Largest zstd window a streamed frame may use, log2 (8 MiB). Frames are written at level
/// [`ZSTD_LEVEL`], whose window is 2 MiB (a smaller frame's window is its size); without a bound, a
/// forged frame stating a large size makes the decoder reserve a window of up to 128 MiB.
const MAX_WINDOW_LOG: u32 = 23;

/// Decompresses a frame that states no content size, or one larger than
/// [`PREALLOCATED_MAX_BYTES`], stopping past [`MAX_PAYLOAD_BYTES`].
fn decompress_streamed(compressed: &[u8]) -> Result<Vec<u8>, WireError> {
    let mut decoder = zstd::stream::read::Decoder::new(compressed)
        .map_err(|e| WireError::Decompress(e.to_string()))?;
    decoder
        .window_log_max(MAX_WINDOW_LOG)
        .map_err(|e| WireError::Decompress(e.to_string()))?;
    let mut raw = Vec::new();
    decoder
        .take(MAX_PAYLOAD_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| WireError::Decompress(e.to_string()))?;
    if raw.len() as u64 > MAX_PAYLOAD_BYTES {
        return Err(WireError::TooLarge {
            limit: MAX_PAYLOAD_BYTES,
        });
    }
    Ok(raw)
}

/// Checks the header and returns the kind and the compressed payload.
pub fn read_header(bytes: &[u8]) -> Result<(FrameKind, &[u8]), WireError> {
    read_versioned_header(bytes).map(|(kind, _, payload)| (kind, payload))
}

/// Checks the header and returns the kind, its format version and the compressed payload.
fn read_versioned_header(bytes: &[u8]) -> Result<(FrameKind, u16, &[u8]), WireError> {
    if bytes.len() < HEADER_LEN {
        // Still report a wrong magic first when the bytes we have already show it.
        let n = bytes.len().min(3);
        if bytes[..n] != MAGIC_PREFIX[..n] {
            let mut found = [0u8; 3];
            found[..n].copy_from_slice(&bytes[..n]);
            return Err(WireError::BadMagic { found });
        }
        return Err(WireError::Truncated { len: bytes.len() });
    }
    let found = [bytes[0], bytes[1], bytes[2]];
    if found != MAGIC_PREFIX {
        return Err(WireError::BadMagic { found });
    }
    let kind = FrameKind::from_tag(bytes[3]).ok_or(WireError::UnknownKind { tag: bytes[3] })?;
    let version = u16::from_be_bytes([bytes[4], bytes[5]]);
    if !kind.reads(version) {
        return Err(WireError::UnsupportedVersion {
            found: version,
            supported: kind.version(),
        });
    }
    Ok((kind, version, &bytes[HEADER_LEN..]))
}

fn decode_payload<T: DeserializeOwned>(kind: FrameKind, compressed: &[u8]) -> Result<T, WireError> {
    let raw = decompress(compressed)?;
    if raw.is_empty() {
        return Err(WireError::Decompress("empty zstd payload".into()));
    }
    bincode_options()
        .deserialize(&raw)
        .map_err(|e| WireError::Payload {
            kind: kind.name(),
            reason: e.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Request;
    use crate::digest::Digest;
    use crate::family::CircuitType;
    use crate::proof::QueueRange;
    use crate::round::AggregationRound;
    use crate::ArtifactKey;
    use proptest::prelude::*;

    fn batch() -> BatchInput {
        BatchInput {
            batch_number: 42,
            protocol_version: 1,
            previous_batch_commitment: Digest([1, 2, 3, 4]),
            requests: vec![
                Request::Poseidon2Hash {
                    inputs: vec![1, 2, 3],
                },
                Request::Sha256 {
                    data: b"abc".to_vec(),
                },
            ],
        }
    }

    fn final_proof() -> FinalBatchProof {
        FinalBatchProof {
            batch_number: 42,
            protocol_version: 1,
            previous_batch_commitment: Digest::ZERO,
            batch_commitment: Digest([5, 6, 7, 8]),
            aggregation_result_coords: vec![QueueRange {
                circuit: CircuitType::SHA256,
                start: Digest::ZERO,
                end: Digest([9; 4]),
                count: 3,
            }],
            vk_set_commitment: Digest([1; 4]),
            proof_profile: "test".into(),
            proof: vec![0xAB; 300],
            wrap: None,
        }
    }

    fn artifact() -> Artifact {
        Artifact {
            key: ArtifactKey {
                protocol_version: 1,
                batch: 42,
                round: AggregationRound::Leaf,
                circuit: Some(CircuitType::POSEIDON2),
                depth: 0,
                index: 3,
            },
            vk_commitment: Digest([3; 4]),
            public_input: Digest([4; 4]),
            range: None,
            proof: vec![1, 2, 3],
        }
    }

    #[test]
    fn round_trips() {
        let b = batch();
        assert_eq!(BatchInput::from_frame(&b.to_frame().unwrap()).unwrap(), b);
        let f = final_proof();
        assert_eq!(
            FinalBatchProof::from_frame(&f.to_frame().unwrap()).unwrap(),
            f
        );
        let a = artifact();
        assert_eq!(
            decode_any(&a.to_frame().unwrap()).unwrap(),
            Frame::Artifact(Box::new(a))
        );
    }

    #[test]
    fn a_simulated_record_is_never_read_as_a_final_proof() {
        let batch = SimulatedBatch {
            batch_number: 3,
            workload: "small".into(),
            arity: 4,
            basic: vec![21, 5, 1],
        };
        let record = SimulatedRecord {
            batch: batch.clone(),
            tree_hash: [7; 32],
        };
        let frame = record.to_frame().unwrap();
        assert_eq!(&frame[..4], b"ZKSR");
        assert_eq!(
            decode_any(&frame).unwrap(),
            Frame::SimulatedRecord(Box::new(record))
        );
        assert!(matches!(
            FinalBatchProof::from_frame(&frame),
            Err(WireError::WrongKind {
                expected: "final proof",
                ..
            })
        ));
        let shape = batch.to_frame().unwrap();
        assert_eq!(SimulatedBatch::from_frame(&shape).unwrap(), batch);
        assert!(BatchInput::from_frame(&shape).is_err());
    }

    #[test]
    fn each_defect_has_its_own_error() {
        let good = batch().to_frame().unwrap();
        assert_eq!(
            BatchInput::from_frame(&[]),
            Err(WireError::Truncated { len: 0 })
        );
        assert_eq!(
            BatchInput::from_frame(b"ZKSB"),
            Err(WireError::Truncated { len: 4 })
        );
        assert!(matches!(
            BatchInput::from_frame(b"XYZB\0\x01aaaa"),
            Err(WireError::BadMagic { .. })
        ));
        assert!(matches!(
            BatchInput::from_frame(b"XY"),
            Err(WireError::BadMagic { .. })
        ));
        let mut kind = good.clone();
        kind[3] = b'Q';
        assert_eq!(
            BatchInput::from_frame(&kind),
            Err(WireError::UnknownKind { tag: b'Q' })
        );
        let mut version = good.clone();
        version[5] = 9;
        assert!(matches!(
            BatchInput::from_frame(&version),
            Err(WireError::UnsupportedVersion {
                found: 9,
                supported: 1
            })
        ));
        assert!(matches!(
            FinalBatchProof::from_frame(&good),
            Err(WireError::WrongKind {
                expected: "final proof",
                found: "batch input"
            })
        ));
        let truncated = &good[..good.len() - 3];
        assert!(matches!(
            BatchInput::from_frame(truncated),
            Err(WireError::Decompress(_))
        ));
        let mut garbage = good[..HEADER_LEN].to_vec();
        garbage.extend_from_slice(&[0xde, 0xad, 0xbe, 0xef, 1, 2, 3]);
        assert!(matches!(
            BatchInput::from_frame(&garbage),
            Err(WireError::Decompress(_))
        ));
        // Valid zstd, but not a batch.
        let mut not_a_batch = good[..HEADER_LEN].to_vec();
        not_a_batch.extend_from_slice(&zstd::bulk::compress(&[0xff; 5], 1).unwrap());
        assert!(matches!(
            BatchInput::from_frame(&not_a_batch),
            Err(WireError::Payload { .. })
        ));
    }

    #[test]
    fn zstd_bomb_is_bounded() {
        let mut bomb = batch().to_frame().unwrap()[..HEADER_LEN].to_vec();
        let zeros = vec![0u8; (MAX_PAYLOAD_BYTES + 1024) as usize];
        let header = bomb.clone();
        bomb.extend_from_slice(&zstd::bulk::compress(&zeros, 1).unwrap());
        assert_eq!(
            BatchInput::from_frame(&bomb),
            Err(WireError::TooLarge {
                limit: MAX_PAYLOAD_BYTES
            })
        );
        // A frame that does not state its size is streamed, and stopped at the limit.
        let mut unsized_bomb = header;
        let mut encoder = zstd::stream::write::Encoder::new(Vec::new(), 1).unwrap();
        encoder.include_contentsize(false).unwrap();
        std::io::Write::write_all(&mut encoder, &zeros).unwrap();
        unsized_bomb.extend_from_slice(&encoder.finish().unwrap());
        assert!(matches!(
            zstd::zstd_safe::get_frame_content_size(&unsized_bomb[HEADER_LEN..]),
            Ok(None)
        ));
        assert_eq!(
            BatchInput::from_frame(&unsized_bomb),
            Err(WireError::TooLarge {
                limit: MAX_PAYLOAD_BYTES
            })
        );
    }

    #[test]
    fn a_frame_holding_more_than_it_states_is_refused() {
        let good = batch().to_frame().unwrap();
        // A second zstd frame after the first: more bytes than the first frame's stated size.
        let mut longer = good.clone();
        longer.extend_from_slice(&good[HEADER_LEN..]);
        assert!(matches!(
            BatchInput::from_frame(&longer),
            Err(WireError::Decompress(_))
        ));
        // One frame whose stated size is one byte short of its content. The frame header: magic
        // (4 bytes), descriptor, then (not single-segment) a window byte, then the size field,
        // least significant byte first.
        let payload = &good[HEADER_LEN..];
        let stated = zstd::zstd_safe::get_frame_content_size(payload)
            .ok()
            .flatten()
            .unwrap();
        let descriptor = payload[4];
        assert_eq!(descriptor & 0x03, 0, "no dictionary id");
        let size_at = HEADER_LEN + 5 + usize::from(descriptor & 0x20 == 0);
        let mut short = good.clone();
        assert_ne!(short[size_at], 0);
        short[size_at] -= 1;
        assert_eq!(
            zstd::zstd_safe::get_frame_content_size(&short[HEADER_LEN..])
                .ok()
                .flatten(),
            Some(stated - 1)
        );
        assert!(matches!(
            BatchInput::from_frame(&short),
            Err(WireError::Decompress(_))
        ));
        // The frame carries a checksum: a changed byte in the compressed data is caught.
        assert_ne!(descriptor & 0x04, 0, "content checksum flag");
        let mut flipped = good.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 0x01;
        assert!(matches!(
            BatchInput::from_frame(&flipped),
            Err(WireError::Decompress(_))
        ));
        // Decoding a frame again, with a context that coded others since, gives the same value.
        for _ in 0..3 {
            assert_eq!(BatchInput::from_frame(&good).unwrap(), batch());
        }
    }

    /// A compression context reused for another frame still writes the content size and checksum,
    /// one context on its own and those of the free list alike.
    #[test]
    fn a_reused_compressor_writes_every_frame_alike() {
        let check = |raw: &[u8], frame: &[u8]| {
            assert_eq!(
                zstd::zstd_safe::get_frame_content_size(frame)
                    .ok()
                    .flatten(),
                Some(raw.len() as u64)
            );
            assert_ne!(frame[4] & 0x04, 0, "content checksum flag");
        };
        let mut c = new_compressor().unwrap();
        for raw in [&b"first frame"[..], &[7u8; 1000][..], &b"third"[..]] {
            check(raw, &c.compress(raw).unwrap());
            check(raw, &compress(raw).unwrap());
        }
    }

    /// A frame larger than [`PREALLOCATED_MAX_BYTES`] is streamed and decodes in full.
    #[test]
    fn a_large_frame_is_streamed() {
        let raw: Vec<u8> = (0..(PREALLOCATED_MAX_BYTES + 4096))
            .map(|i| (i % 251) as u8)
            .collect();
        let frame = compress(&raw).unwrap();
        assert!(zstd::zstd_safe::get_frame_content_size(&frame)
            .ok()
            .flatten()
            .is_some_and(|n| n > PREALLOCATED_MAX_BYTES));
        assert_eq!(decompress(&frame).unwrap(), raw);
    }

    /// A free list keeps at most [`KEPT_CONTEXTS`] contexts, and drops a context whose coding failed.
    #[test]
    fn the_free_list_is_bounded_and_drops_failed_contexts() {
        fn nest(free: &Mutex<Vec<usize>>, depth: usize) -> std::io::Result<()> {
            with_context(
                free,
                || Ok(depth),
                |_| {
                    if depth == 0 {
                        Ok(())
                    } else {
                        nest(free, depth - 1)
                    }
                },
            )
        }
        let free = Mutex::new(Vec::new());
        // KEPT_CONTEXTS + 1 contexts in use at once, each new: all but one are kept.
        nest(&free, KEPT_CONTEXTS).unwrap();
        assert_eq!(free.lock().unwrap().len(), KEPT_CONTEXTS);
        // A context taken from the list and failed is not given back.
        let failed: std::io::Result<()> = with_context(
            &free,
            || Ok(usize::MAX),
            |_| Err(std::io::Error::other("x")),
        );
        assert!(failed.is_err());
        assert_eq!(free.lock().unwrap().len(), KEPT_CONTEXTS - 1);
        // One that succeeds is, and no new one is made while the list has one.
        with_context(&free, || panic!("a free context was there"), |_| Ok(())).unwrap();
        assert_eq!(free.lock().unwrap().len(), KEPT_CONTEXTS - 1);
    }

    /// Frames coded on many threads at once, each context taken by one at a time, decode to what
    /// was encoded.
    #[test]
    fn frames_coded_on_many_threads_round_trip() {
        let threads: Vec<_> = (0..8)
            .map(|_| {
                std::thread::spawn(|| {
                    for _ in 0..200 {
                        let frame = artifact().to_frame().unwrap();
                        assert_eq!(Artifact::from_frame(&frame).unwrap(), artifact());
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 10_000, .. ProptestConfig::default() })]

        /// Random bytes, with or without a valid header, never panic.
        #[test]
        fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512), header in 0u8..3) {
            let mut input = match header {
                0 => Vec::new(),
                1 => b"ZKSB\x00\x01".to_vec(),
                _ => b"ZKSF\x00\x01".to_vec(),
            };
            input.extend_from_slice(&bytes);
            prop_assert!(decode_any(&input).is_err(), "random bytes decoded as a frame");
        }

        /// Valid frames with bytes flipped, cut, or inserted decode to an error or to some value, never panic.
        #[test]
        fn mutated_frames_never_panic(pos in any::<usize>(), byte in any::<u8>(), op in 0u8..3, which in 0u8..3) {
            let mut frame = match which {
                0 => batch().to_frame().unwrap(),
                1 => final_proof().to_frame().unwrap(),
                _ => artifact().to_frame().unwrap(),
            };
            let i = pos % frame.len();
            match op {
                0 => frame[i] ^= byte | 1,
                1 => frame.truncate(i),
                _ => frame.insert(i, byte),
            }
            let _ = decode_any(&frame);
            let _ = BatchInput::from_frame(&frame);
            if op == 1 {
                prop_assert!(decode_any(&frame).is_err(), "a truncated frame must not decode");
            }
        }
    }

    #[test]
    fn wrapped_aggregation_records_are_written_at_version_2_and_the_others_at_version_1() {
        /// The record as a build before the wrap declared it.
        #[derive(serde::Serialize)]
        struct Before {
            run: u64,
            family: u64,
            aggregate_key: [u8; 32],
            root: [u8; 32],
            proof: Vec<u8>,
            chunks: u32,
            proofs: Vec<crate::IncludedProof>,
            blobs: Vec<crate::BlobRecord>,
        }
        let old = AggregationRecord {
            run: 3,
            family: 9,
            aggregate_key: [1; 32],
            root: [2; 32],
            proof: vec![5; 100],
            chunks: 2,
            proofs: vec![crate::IncludedProof {
                proof_id: "alice-1".into(),
                commitment: [4; 32],
                index: 0,
                path: vec![[6; 32]],
            }],
            blobs: vec![crate::BlobRecord {
                data: vec![0; 64],
                kzg_commitment: vec![8; 48],
                kzg_proof: vec![9; 48],
                versioned_hash: [1; 32],
            }],
            wrap: None,
        };
        let plain = old.to_frame().unwrap();
        assert_eq!(u16::from_be_bytes([plain[4], plain[5]]), 1);
        assert_eq!(AggregationRecord::from_frame(&plain).unwrap(), old);
        let before = Before {
            run: old.run,
            family: old.family,
            aggregate_key: old.aggregate_key,
            root: old.root,
            proof: old.proof.clone(),
            chunks: old.chunks,
            proofs: old.proofs.clone(),
            blobs: old.blobs.clone(),
        };
        let mut frame = encode(FrameKind::Aggregation, &before).unwrap();
        frame[4..6].copy_from_slice(&1u16.to_be_bytes());
        assert_eq!(
            frame, plain,
            "an unwrapped record is written as before the wrap"
        );

        let mut wrapped = old.clone();
        wrapped.wrap = Some(crate::WrappedProof {
            proof: vec![7; 1624],
            wrapper_vk_commitment: [3; 32],
            crs: "4194304-00".into(),
            test_crs: false,
        });
        let frame = wrapped.to_frame().unwrap();
        assert_eq!(
            u16::from_be_bytes([frame[4], frame[5]]),
            AGGREGATION_VERSION
        );
        assert_eq!(AggregationRecord::from_frame(&frame).unwrap(), wrapped);
        assert_eq!(
            decode_any(&frame).unwrap(),
            Frame::Aggregation(Box::new(wrapped.clone()))
        );
        assert_eq!(
            decode_any(&plain).unwrap(),
            Frame::Aggregation(Box::new(old))
        );
        let mut v2_as_v1 = frame.clone();
        v2_as_v1[4..6].copy_from_slice(&1u16.to_be_bytes());
        assert!(AggregationRecord::from_frame(&v2_as_v1).is_err());
        let mut v1_as_v2 = plain;
        v1_as_v2[4..6].copy_from_slice(&2u16.to_be_bytes());
        assert!(AggregationRecord::from_frame(&v1_as_v2).is_err());
    }

    #[test]
    fn wrapped_final_proofs_are_written_at_version_2_and_the_others_at_version_1() {
        let mut wrapped = final_proof();
        wrapped.wrap = Some(crate::WrappedProof {
            proof: vec![7; 1624],
            wrapper_vk_commitment: [3; 32],
            crs: "1048576-00".into(),
            test_crs: true,
        });
        let frame = wrapped.to_frame().unwrap();
        assert_eq!(
            u16::from_be_bytes([frame[4], frame[5]]),
            FINAL_PROOF_VERSION
        );
        assert_eq!(FinalBatchProof::from_frame(&frame).unwrap(), wrapped);
        assert_eq!(
            decode_any(&frame).unwrap(),
            Frame::FinalProof(Box::new(wrapped.clone()))
        );

        let old = final_proof();
        let plain = old.to_frame().unwrap();
        assert_eq!(u16::from_be_bytes([plain[4], plain[5]]), 1);
        assert_eq!(FinalBatchProof::from_frame(&plain).unwrap(), old);
        let v1 = FinalBatchProofV1 {
            batch_number: old.batch_number,
            protocol_version: old.protocol_version,
            previous_batch_commitment: old.previous_batch_commitment,
            batch_commitment: old.batch_commitment,
            aggregation_result_coords: old.aggregation_result_coords.clone(),
            vk_set_commitment: old.vk_set_commitment,
            proof_profile: old.proof_profile.clone(),
            proof: old.proof.clone(),
        };
        // What a build before the wrap wrote is byte for byte what this one writes.
        let mut frame = encode(FrameKind::FinalProof, &v1).unwrap();
        frame[4..6].copy_from_slice(&1u16.to_be_bytes());
        assert_eq!(frame, plain);
        assert_eq!(FinalBatchProof::from_frame(&frame).unwrap(), old);
        // A version-2 payload is not read as version 1, nor the other way round.
        let mut v2_as_v1 = wrapped.to_frame().unwrap();
        v2_as_v1[4..6].copy_from_slice(&1u16.to_be_bytes());
        assert!(FinalBatchProof::from_frame(&v2_as_v1).is_err());
        frame[4..6].copy_from_slice(&2u16.to_be_bytes());
        assert!(FinalBatchProof::from_frame(&frame).is_err());
        // Other kinds stay at version 1 only.
        let mut batch2 = batch().to_frame().unwrap();
        batch2[4..6].copy_from_slice(&2u16.to_be_bytes());
        assert!(matches!(
            BatchInput::from_frame(&batch2),
            Err(WireError::UnsupportedVersion {
                found: 2,
                supported: 1
            })
        ));
    }
}
