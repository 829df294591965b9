//! `decode`: raw records from a source become validated [`BatchInput`]s. A record that does not decode
//! (magic, version, zstd, payload), fails validation, or whose batch number disagrees with its key is
//! rejected with a reason — the dead-letter stream — and never reaches the prover. Sources call it on
//! every record before they trust its key (a record earns its timestamp by decoding).

use zkstream_types::{BatchInput, Framed};

use crate::model::RawBatch;

/// A record refused before it reached the prover (by the source, the decoder or the chain check), with
/// the original bytes and the reason. It is a dead letter and nothing else: it never makes its batch a
/// gap or a duplicate.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Rejected {
    /// The record as read.
    pub raw: RawBatch,
    /// Why, in words (becomes the DLQ reason header).
    pub reason: String,
}

/// A record that decoded and validated: the batch, and the record it came from (kept for the dead-letter
/// topic, should a later check refuse it).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Decoded {
    /// The batch.
    pub batch: BatchInput,
    /// The record as read.
    pub raw: RawBatch,
}

/// Decodes and validates one record.
pub fn decode(raw: RawBatch) -> Result<Decoded, Rejected> {
    let checked = BatchInput::from_frame(&raw.payload)
        .map_err(|e| format!("undecodable: {e}"))
        .and_then(|batch| match batch.validate() {
            Err(e) => Err(format!("invalid: {e}")),
            Ok(()) if batch.batch_number != raw.batch_number => Err(format!(
                "key says batch {} but the payload is batch {}",
                raw.batch_number, batch.batch_number
            )),
            Ok(()) => Ok(batch),
        });
    match checked {
        Ok(batch) => Ok(Decoded { batch, raw }),
        Err(reason) => Err(Rejected { raw, reason }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_prover::sample::{sample_batch, SampleSize};
    use zkstream_types::Digest;

    fn raw(batch_number: u64, payload: Vec<u8>) -> RawBatch {
        RawBatch {
            batch_number,
            partition: 0,
            offset: 0,
            key: Some(batch_number.to_be_bytes().to_vec()),
            payload,
        }
    }

    #[test]
    fn good_bad_and_mismatched_records() {
        let batch = sample_batch(4, 1, 1, &Digest::default(), SampleSize::default());
        let bytes = batch.to_frame().unwrap();
        assert_eq!(decode(raw(4, bytes.clone())).unwrap().batch, batch);

        let r = decode(raw(5, bytes.clone())).unwrap_err();
        assert!(r.reason.contains("key says batch 5"), "{}", r.reason);

        let mut flipped = bytes.clone();
        let n = flipped.len();
        flipped[n - 1] ^= 1;
        let r = decode(raw(4, flipped)).unwrap_err();
        assert!(r.reason.starts_with("undecodable"), "{}", r.reason);
        assert_eq!(
            r.raw.payload.len(),
            n,
            "the original bytes are kept for the DLQ"
        );

        let r = decode(raw(4, b"hello".to_vec())).unwrap_err();
        assert!(r.reason.starts_with("undecodable"), "{}", r.reason);

        let mut invalid = batch.clone();
        invalid.requests.clear();
        let r = decode(raw(4, invalid.to_frame().unwrap())).unwrap_err();
        assert!(r.reason.starts_with("invalid"), "{}", r.reason);
    }
}
