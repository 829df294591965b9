//! A batch: the unit of proving. It carries ordered requests of several kinds; per circuit type the
//! requests form a queue whose Poseidon2 state chain the proofs attest to.

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::digest::{Digest, GOLDILOCKS_MODULUS};
use crate::family::{CircuitType, REAL_TYPES};

/// Most field elements one `Poseidon2Hash` request may carry (the circuit's fixed slot width).
pub const MAX_POSEIDON2_INPUTS: usize = 8;
/// Most bytes one `Sha256` request may carry: two SHA-256 blocks after padding (2 × 64 − 9).
pub const MAX_SHA256_BYTES: usize = 119;
/// Most requests one batch may carry (a scheduler-capacity-like bound; larger batches are rejected).
pub const MAX_REQUESTS_PER_BATCH: usize = 1 << 16;

/// One request of a batch. Its output is computed by the basic circuit of its type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Request {
    /// `Poseidon2(len ‖ inputs ‖ zero padding)`; inputs are canonical Goldilocks elements.
    Poseidon2Hash {
        /// The field elements to hash (at most [`MAX_POSEIDON2_INPUTS`]).
        inputs: Vec<u64>,
    },
    /// SHA-256 of the bytes.
    Sha256 {
        /// The message (at most [`MAX_SHA256_BYTES`]).
        data: Vec<u8>,
    },
}

impl Request {
    /// The circuit type that proves this request.
    pub fn circuit_type(&self) -> CircuitType {
        match self {
            Request::Poseidon2Hash { .. } => CircuitType::POSEIDON2,
            Request::Sha256 { .. } => CircuitType::SHA256,
        }
    }
}

/// The input of one batch, as the core hands it to the prover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchInput {
    /// The batch number (the timely timestamp; strictly increasing along the chain).
    pub batch_number: u64,
    /// The protocol version the batch is proved under (selects the verification keys).
    pub protocol_version: u32,
    /// The batch commitment of batch `batch_number - 1` ([`Digest::ZERO`] for genesis).
    pub previous_batch_commitment: Digest,
    /// The requests, in execution order.
    pub requests: Vec<Request>,
}

/// Why a decoded batch is not acceptable. Never retryable: the input itself is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidationError {
    /// The batch has no requests at all.
    #[error("batch {0} has no requests")]
    Empty(u64),
    /// More requests than [`MAX_REQUESTS_PER_BATCH`].
    #[error("batch has {count} requests, more than the limit of {limit}")]
    TooManyRequests {
        /// Requests in the batch.
        count: usize,
        /// The limit.
        limit: usize,
    },
    /// A request is larger than its circuit's slot.
    #[error("request {index} ({circuit}) is oversized: {size} items, at most {limit}")]
    Oversized {
        /// Position of the request in the batch.
        index: usize,
        /// Its circuit type.
        circuit: CircuitType,
        /// Its size (elements or bytes).
        size: usize,
        /// The limit for that type.
        limit: usize,
    },
    /// A Poseidon2 input is not a canonical field element.
    #[error("request {index}: input {value:#x} is not a canonical Goldilocks element")]
    NonCanonicalElement {
        /// Position of the request in the batch.
        index: usize,
        /// The offending value.
        value: u64,
    },
    /// The previous batch commitment is not made of canonical field elements.
    #[error("previous batch commitment {0} is not canonical")]
    NonCanonicalCommitment(Digest),
    /// Batch number zero is reserved (genesis has no batch).
    #[error("batch number 0 is reserved for genesis")]
    ZeroBatchNumber,
}

impl ValidationError {
    /// Whether trying again can help: never — the same batch breaks the same limit every time.
    pub fn is_retryable(&self) -> bool {
        false
    }
}

impl BatchInput {
    /// Checks every limit the circuits rely on. A batch that passes can be proved.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.batch_number == 0 {
            return Err(ValidationError::ZeroBatchNumber);
        }
        if self.requests.is_empty() {
            return Err(ValidationError::Empty(self.batch_number));
        }
        if self.requests.len() > MAX_REQUESTS_PER_BATCH {
            return Err(ValidationError::TooManyRequests {
                count: self.requests.len(),
                limit: MAX_REQUESTS_PER_BATCH,
            });
        }
        if !self.previous_batch_commitment.is_canonical() {
            return Err(ValidationError::NonCanonicalCommitment(
                self.previous_batch_commitment,
            ));
        }
        for (index, r) in self.requests.iter().enumerate() {
            let (size, limit) = match r {
                Request::Poseidon2Hash { inputs } => {
                    if let Some(&value) = inputs.iter().find(|&&x| x >= GOLDILOCKS_MODULUS) {
                        return Err(ValidationError::NonCanonicalElement { index, value });
                    }
                    (inputs.len(), MAX_POSEIDON2_INPUTS)
                }
                Request::Sha256 { data } => (data.len(), MAX_SHA256_BYTES),
            };
            if size > limit {
                return Err(ValidationError::Oversized {
                    index,
                    circuit: r.circuit_type(),
                    size,
                    limit,
                });
            }
        }
        Ok(())
    }

    /// The requests of one circuit type, in queue order.
    pub fn queue(&self, t: CircuitType) -> impl Iterator<Item = &Request> + '_ {
        self.requests.iter().filter(move |r| r.circuit_type() == t)
    }

    /// How many requests of each type of the real family the batch holds, in [`REAL_TYPES`] order.
    pub fn counts(&self) -> Vec<(CircuitType, usize)> {
        REAL_TYPES
            .iter()
            .map(|&t| (t, self.queue(t).count()))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(requests: Vec<Request>) -> BatchInput {
        BatchInput {
            batch_number: 7,
            protocol_version: 1,
            previous_batch_commitment: Digest::ZERO,
            requests,
        }
    }

    #[test]
    fn validation_limits() {
        let ok = batch(vec![
            Request::Poseidon2Hash {
                inputs: vec![1; MAX_POSEIDON2_INPUTS],
            },
            Request::Sha256 {
                data: vec![0; MAX_SHA256_BYTES],
            },
        ]);
        assert_eq!(ok.validate(), Ok(()));
        assert_eq!(
            ok.counts(),
            vec![(CircuitType::POSEIDON2, 1), (CircuitType::SHA256, 1)]
        );
        assert!(matches!(
            batch(vec![Request::Sha256 {
                data: vec![0; MAX_SHA256_BYTES + 1]
            }])
            .validate(),
            Err(ValidationError::Oversized { index: 0, .. })
        ));
        assert!(matches!(
            batch(vec![Request::Poseidon2Hash {
                inputs: vec![GOLDILOCKS_MODULUS]
            }])
            .validate(),
            Err(ValidationError::NonCanonicalElement { .. })
        ));
        assert_eq!(batch(vec![]).validate(), Err(ValidationError::Empty(7)));
        let mut zero = ok.clone();
        zero.batch_number = 0;
        assert_eq!(zero.validate(), Err(ValidationError::ZeroBatchNumber));
    }
}
