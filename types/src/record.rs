//! A record as a source read it, what it decodes to, and why one is refused. Sources decode every record
//! here before they trust its key (a record earns its timestamp by decoding); the chain check refuses
//! records that do not continue the chain. A refused record is a dead letter and nothing else: it never
//! makes its batch a gap or a duplicate. [`RejectReason`] is the one list of reasons: its
//! [`label`](RejectReason::label) is the bounded metrics label, its text the dead-letter reason header.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::{BatchInput, Digest, Framed, SimulatedBatch};

/// A record as a source read it, before decoding: the source-neutral shape of a Kafka message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawBatch {
    /// Batch number the source read from the key (the record's timely time).
    pub batch_number: u64,
    /// Partition it came from (0 for non-partitioned sources).
    pub partition: i32,
    /// Offset within the partition.
    pub offset: i64,
    /// The record key as read (for the dead-letter topic; absent when the record had none).
    pub key: Option<Vec<u8>>,
    /// The framed `BatchInput` bytes, untouched.
    pub payload: Vec<u8>,
}

/// A record that decoded and validated: the batch, and the record it came from (kept for the dead-letter
/// topic, should a later check refuse it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decoded {
    /// The batch.
    pub batch: BatchInput,
    /// The record as read.
    pub raw: RawBatch,
}

/// A record refused before it reached the prover (by the source, the decoder or the chain check), with
/// the original bytes and the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejected {
    /// The record as read.
    pub raw: RawBatch,
    /// Why.
    pub reason: RejectReason,
}

/// Why a record (or a user's submission in user-proof mode) is refused. The text is the dead-letter
/// reason; [`RejectReason::label`] the metrics label.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum RejectReason {
    /// The key is missing or not an 8-byte batch number.
    #[error("record key is not an 8-byte batch number")]
    BadKey,
    /// The key names another batch than the payload.
    #[error("key says batch {key} but the payload is batch {payload}")]
    KeyMismatch {
        /// The batch number in the key.
        key: u64,
        /// The batch number in the payload.
        payload: u64,
    },
    /// The value does not decode (frame, compression, payload, or empty).
    #[error("undecodable: {0}")]
    Undecodable(String),
    /// The value is larger than a record may be; it is never decompressed.
    #[error("oversized: record value of {bytes} bytes, at most {limit}")]
    Oversized {
        /// The value's size.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// The value decodes but breaks a rule or limit.
    #[error("invalid: {0}")]
    Invalid(String),
    /// Well formed, but of a kind this deployment does not take (user-proof mode).
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// A batch below one its partition already passed.
    #[error("out of order: batch {batch} after batch {after} in partition {partition}")]
    OutOfOrder {
        /// The batch read.
        batch: u64,
        /// The batch its partition had reached.
        after: u64,
        /// The partition.
        partition: i32,
    },
    /// The batch does not continue the chain.
    #[error(
        "wrong previous commitment: batch {batch} names {}, batch {} has {}",
        .names.to_hex(), .batch - 1, .expected.to_hex()
    )]
    WrongPreviousCommitment {
        /// The batch read.
        batch: u64,
        /// The previous commitment it names.
        names: Digest,
        /// The commitment of batch `batch - 1`.
        expected: Digest,
    },
    /// A second record of a batch already read.
    #[error("batch {batch} was already read (duplicate or late record)")]
    Duplicate {
        /// The batch.
        batch: u64,
    },
}

impl RejectReason {
    /// Every value of [`RejectReason::label`].
    pub const LABELS: [&'static str; 7] = [
        "undecodable",
        "invalid",
        "unsupported",
        "wrong_previous_commitment",
        "duplicate",
        "out_of_order",
        "bad_key",
    ];

    /// The bounded label of the reason (one of [`RejectReason::LABELS`]).
    pub fn label(&self) -> &'static str {
        match self {
            RejectReason::BadKey | RejectReason::KeyMismatch { .. } => "bad_key",
            RejectReason::Undecodable(_) => "undecodable",
            RejectReason::Oversized { .. } | RejectReason::Invalid(_) => "invalid",
            RejectReason::Unsupported(_) => "unsupported",
            RejectReason::OutOfOrder { .. } => "out_of_order",
            RejectReason::WrongPreviousCommitment { .. } => "wrong_previous_commitment",
            RejectReason::Duplicate { .. } => "duplicate",
        }
    }
}

/// Decodes and validates one record: the frame, the payload, the batch's limits, and that the key names
/// the batch inside. (A refusal is boxed: it carries the record's bytes and is the rare case.)
pub fn decode(raw: RawBatch) -> Result<Decoded, Box<Rejected>> {
    let batch = decode_checked(&raw, BatchInput::validate, |b: &BatchInput| b.batch_number);
    match batch {
        Ok(batch) => Ok(Decoded { batch, raw }),
        Err(reason) => Err(Box::new(Rejected { raw, reason })),
    }
}

/// Decodes a frame of `T`, validates it, and checks that the key names the batch inside.
fn decode_checked<T: Framed, E: std::fmt::Display>(
    raw: &RawBatch,
    validate: impl Fn(&T) -> Result<(), E>,
    number: impl Fn(&T) -> u64,
) -> Result<T, RejectReason> {
    let value =
        T::from_frame(&raw.payload).map_err(|e| RejectReason::Undecodable(e.to_string()))?;
    validate(&value).map_err(|e| RejectReason::Invalid(e.to_string()))?;
    if number(&value) != raw.batch_number {
        return Err(RejectReason::KeyMismatch {
            key: raw.batch_number,
            payload: number(&value),
        });
    }
    Ok(value)
}

/// What a source makes of a record of the batches topic once it decoded and validated: a batch input
/// ([`Decoded`], the real circuit family's) or a simulated batch's shape ([`DecodedSimulated`]). The
/// reader timestamps it with [`SourceRecord::batch_number`] and otherwise treats both alike.
pub trait SourceRecord:
    Clone + std::fmt::Debug + Send + Sync + Serialize + DeserializeOwned + 'static
{
    /// Decodes and validates one record, checking that the key names the batch inside.
    fn decode(raw: RawBatch) -> Result<Self, Box<Rejected>>;
    /// The batch number inside (equal to the key's).
    fn batch_number(&self) -> u64;
    /// The record as read.
    fn raw(&self) -> &RawBatch;
    /// The record as read, for a dead letter.
    fn into_raw(self) -> RawBatch;
}

impl SourceRecord for Decoded {
    fn decode(raw: RawBatch) -> Result<Self, Box<Rejected>> {
        decode(raw)
    }
    fn batch_number(&self) -> u64 {
        self.batch.batch_number
    }
    fn raw(&self) -> &RawBatch {
        &self.raw
    }
    fn into_raw(self) -> RawBatch {
        self.raw
    }
}

/// A record that decoded to a simulated batch's shape (`ZKSS` frame) and validated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DecodedSimulated {
    /// The shape.
    pub batch: SimulatedBatch,
    /// The record as read.
    pub raw: RawBatch,
}

impl SourceRecord for DecodedSimulated {
    fn decode(raw: RawBatch) -> Result<Self, Box<Rejected>> {
        let batch = decode_checked(&raw, SimulatedBatch::validate, |b: &SimulatedBatch| {
            b.batch_number
        });
        match batch {
            Ok(batch) => Ok(DecodedSimulated { batch, raw }),
            Err(reason) => Err(Box::new(Rejected { raw, reason })),
        }
    }
    fn batch_number(&self) -> u64 {
        self.batch.batch_number
    }
    fn raw(&self) -> &RawBatch {
        &self.raw
    }
    fn into_raw(self) -> RawBatch {
        self.raw
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Request;

    fn raw(batch_number: u64, payload: Vec<u8>) -> RawBatch {
        RawBatch {
            batch_number,
            partition: 0,
            offset: 0,
            key: Some(batch_number.to_be_bytes().to_vec()),
            payload,
        }
    }

    fn batch(n: u64) -> BatchInput {
        BatchInput {
            batch_number: n,
            protocol_version: 1,
            previous_batch_commitment: Digest::ZERO,
            requests: vec![Request::Poseidon2Hash {
                inputs: vec![1, 2, 3, 4],
            }],
        }
    }

    #[test]
    fn good_bad_and_mismatched_records() {
        let b = batch(4);
        let bytes = b.to_frame().unwrap();
        assert_eq!(decode(raw(4, bytes.clone())).unwrap().batch, b);

        let r = decode(raw(5, bytes.clone())).unwrap_err();
        assert_eq!(r.reason, RejectReason::KeyMismatch { key: 5, payload: 4 });
        assert_eq!(r.reason.label(), "bad_key");
        assert!(r.reason.to_string().contains("key says batch 5"));

        let mut flipped = bytes.clone();
        let n = flipped.len();
        flipped[n - 1] ^= 1;
        let r = decode(raw(4, flipped)).unwrap_err();
        assert!(
            matches!(r.reason, RejectReason::Undecodable(_)),
            "{}",
            r.reason
        );
        assert!(r.reason.to_string().starts_with("undecodable"));
        assert_eq!(
            r.raw.payload.len(),
            bytes.len(),
            "the original bytes are kept"
        );

        let r = decode(raw(4, vec![1, 2, 3])).unwrap_err();
        assert_eq!(r.reason.label(), "undecodable");

        let mut empty = batch(4);
        empty.requests.clear();
        let r = decode(raw(4, empty.to_frame().unwrap())).unwrap_err();
        assert!(matches!(r.reason, RejectReason::Invalid(_)), "{}", r.reason);
        assert_eq!(r.reason.label(), "invalid");
    }

    #[test]
    fn every_reason_has_a_listed_label() {
        let d = Digest([1, 2, 3, 4]);
        let all = [
            RejectReason::BadKey,
            RejectReason::KeyMismatch { key: 1, payload: 2 },
            RejectReason::Undecodable("x".into()),
            RejectReason::Oversized { bytes: 2, limit: 1 },
            RejectReason::Invalid("x".into()),
            RejectReason::Unsupported("x".into()),
            RejectReason::OutOfOrder {
                batch: 1,
                after: 2,
                partition: 0,
            },
            RejectReason::WrongPreviousCommitment {
                batch: 3,
                names: d,
                expected: d,
            },
            RejectReason::Duplicate { batch: 1 },
        ];
        for r in &all {
            assert!(RejectReason::LABELS.contains(&r.label()), "{r}");
        }
        for l in RejectReason::LABELS {
            assert!(all.iter().any(|r| r.label() == l), "{l} is never used");
        }
        assert_eq!(
            all[7].to_string(),
            format!(
                "wrong previous commitment: batch 3 names {0}, batch 2 has {0}",
                d.to_hex()
            )
        );
    }

    /// A simulated batch's shape is read only as one: its own frame decodes, a batch input's frame,
    /// a mismatched key or an impossible shape is refused with the reason; and a shape, a simulated
    /// record or a simulated artifact never decodes as a batch input or a final proof.
    #[test]
    fn simulated_shapes_are_their_own_records() {
        use crate::{FinalBatchProof, SimKey, SimulatedArtifact, SimulatedRecord};
        let shape = SimulatedBatch {
            batch_number: 3,
            workload: "small".into(),
            arity: 4,
            basic: vec![2, 1],
        };
        let frame = shape.to_frame().unwrap();
        let d = DecodedSimulated::decode(raw(3, frame.clone())).unwrap();
        assert_eq!((d.batch_number(), &d.batch), (3, &shape));
        let r = DecodedSimulated::decode(raw(4, frame.clone())).unwrap_err();
        assert_eq!(r.reason, RejectReason::KeyMismatch { key: 4, payload: 3 });
        let r = DecodedSimulated::decode(raw(1, batch(1).to_frame().unwrap())).unwrap_err();
        assert!(
            matches!(r.reason, RejectReason::Undecodable(_)),
            "{}",
            r.reason
        );
        let mut impossible = shape.clone();
        impossible.arity = 1;
        let r = DecodedSimulated::decode(raw(3, impossible.to_frame().unwrap())).unwrap_err();
        assert!(matches!(r.reason, RejectReason::Invalid(_)), "{}", r.reason);
        // Nothing simulated reads as a real batch or a proof.
        assert!(decode(raw(3, frame.clone())).is_err());
        let record = SimulatedRecord {
            batch: shape,
            tree_hash: [7; 32],
        };
        let artifact = SimulatedArtifact {
            key: SimKey {
                batch: 3,
                round: crate::AggregationRound::Leaf,
                circuit: Some(crate::CircuitType::new(1)),
                depth: 0,
                index: 0,
            },
            hash: [9; 32],
        };
        for bytes in [record.to_frame().unwrap(), artifact.to_frame().unwrap()] {
            assert!(FinalBatchProof::from_frame(&bytes).is_err());
            assert!(BatchInput::from_frame(&bytes).is_err());
        }
        assert_eq!(
            SimulatedArtifact::from_frame(&artifact.to_frame().unwrap()).unwrap(),
            artifact
        );
        assert_eq!(&artifact.to_frame().unwrap()[..4], b"ZKSH");
        assert!(artifact
            .key
            .path()
            .starts_with("simulated/batch-000000000003/"));
    }
}
