//! Native request queues and basic witness generation.
//!
//! Per circuit type `t`, the requests of a batch in order form a queue with the Poseidon2 state chain
//! `s0 = IV(t)`, `s(i+1) = H(s(i) ‖ encode(request_i, output_i))`. The basic circuits recompute exactly
//! these functions in-circuit; the independent verifier recomputes them here.

use std::collections::BTreeMap;

use sha2::Digest as _;
use zkstream_types::batch::{MAX_POSEIDON2_INPUTS, MAX_SHA256_BYTES};
use zkstream_types::{BatchInput, CircuitType, Digest, QueueRange, Request};

use crate::error::ProverError;
use crate::field::{fe, from_digest, hash, to_digest, F};
use crate::profile::TreeShape;

/// Domain separator of the queue initial values (`"ZKSQ"`).
const IV_DOMAIN: u64 = 0x5A4B_5351;

/// SHA-256 blocks per request slot: messages up to [`MAX_SHA256_BYTES`] fit after padding.
pub const SHA_BLOCKS: usize = 2;
/// 32-bit words in one request slot's padded message.
pub const SHA_WORDS: usize = SHA_BLOCKS * 16;

/// The initial queue state of a circuit type.
pub fn iv(t: CircuitType) -> [F; 4] {
    hash(&[fe(IV_DOMAIN), fe(t.id() as u64)])
}

/// `Poseidon2Hash` output: `H(len ‖ inputs ‖ zero padding to MAX_POSEIDON2_INPUTS)`.
pub fn poseidon2_output(inputs: &[u64]) -> [F; 4] {
    hash(&poseidon2_preimage(inputs))
}

fn poseidon2_preimage(inputs: &[u64]) -> Vec<F> {
    let mut v = Vec::with_capacity(1 + MAX_POSEIDON2_INPUTS);
    v.push(fe(inputs.len() as u64));
    v.extend(inputs.iter().map(|&x| fe(x)));
    v.resize(1 + MAX_POSEIDON2_INPUTS, fe(0));
    v
}

/// SHA-256 message padding into [`SHA_BLOCKS`] blocks of big-endian words; the flag says whether the
/// second block is part of the message. Unused blocks are zero.
pub fn sha256_blocks(data: &[u8]) -> (bool, [u32; SHA_WORDS]) {
    debug_assert!(data.len() <= MAX_SHA256_BYTES);
    let mut padded = data.to_vec();
    padded.push(0x80);
    while padded.len() % 64 != 56 {
        padded.push(0);
    }
    padded.extend_from_slice(&((data.len() as u64) * 8).to_be_bytes());
    let two = padded.len() == 128;
    let mut words = [0u32; SHA_WORDS];
    for (w, chunk) in words.iter_mut().zip(padded.chunks_exact(4)) {
        *w = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    (two, words)
}

/// SHA-256 digest as eight big-endian words.
pub fn sha256_output(data: &[u8]) -> [u32; 8] {
    let d = sha2::Sha256::digest(data);
    let mut out = [0u32; 8];
    for (w, chunk) in out.iter_mut().zip(d.chunks_exact(4)) {
        *w = u32::from_be_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]);
    }
    out
}

/// The queue encoding of one request together with its output.
pub fn encode(request: &Request) -> Vec<F> {
    match request {
        Request::Poseidon2Hash { inputs } => {
            let mut v = poseidon2_preimage(inputs);
            v.extend_from_slice(&poseidon2_output(inputs));
            v
        }
        Request::Sha256 { data } => {
            let (two, words) = sha256_blocks(data);
            let mut v = Vec::with_capacity(1 + SHA_WORDS + 8);
            v.push(fe(two as u64));
            v.extend(words.iter().map(|&w| fe(w as u64)));
            v.extend(sha256_output(data).iter().map(|&w| fe(w as u64)));
            v
        }
    }
}

/// One step of the queue chain.
pub fn step(state: &[F; 4], request: &Request) -> [F; 4] {
    let mut v = state.to_vec();
    v.extend(encode(request));
    hash(&v)
}

/// The public input of a per-type proof (basic, leaf, node): `H(t, s_start, s_end, count)`.
pub fn range_public_input(range: &QueueRange) -> Digest {
    let mut v = vec![fe(range.circuit.id() as u64)];
    v.extend(from_digest(&range.start));
    v.extend(from_digest(&range.end));
    v.push(fe(range.count));
    to_digest(&hash(&v))
}

/// The recursion tip's public input: `H(per type (t, s_start, s_end, count))` over its slots in
/// `REAL_TYPES` order.
pub fn tip_public_input(ranges: &[QueueRange]) -> Digest {
    let mut v = Vec::with_capacity(ranges.len() * 10);
    for r in ranges {
        v.push(fe(r.circuit.id() as u64));
        v.extend(from_digest(&r.start));
        v.extend(from_digest(&r.end));
        v.push(fe(r.count));
    }
    to_digest(&hash(&v))
}

/// One basic circuit to prove: a capacity-bounded run of one type's queue.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct BasicJob {
    /// Index within the type's queue of basic circuits.
    pub index: usize,
    /// The queue range it covers (type, start state, end state, count).
    pub range: QueueRange,
    /// The requests, in queue order (at most the type's capacity).
    pub requests: Vec<Request>,
}

/// Everything the witness stage produces for a batch.
#[derive(Clone, Debug)]
pub struct BatchWitness {
    /// The batch number.
    pub batch_number: u64,
    /// The protocol version.
    pub protocol_version: u32,
    /// The previous batch commitment.
    pub previous_batch_commitment: Digest,
    /// Basic jobs per type, in queue order. Every type has at least one (possibly empty) job.
    pub jobs: BTreeMap<CircuitType, Vec<BasicJob>>,
    /// Whole-batch queue range per type, in circuit id order.
    pub ranges: Vec<QueueRange>,
}

impl BatchWitness {
    /// Total number of basic circuits.
    pub fn basic_count(&self) -> usize {
        self.jobs.values().map(Vec::len).sum()
    }
}

/// Splits a batch into basic circuit jobs by type and capacity and computes every queue state natively.
pub fn witness_batch(batch: &BatchInput, shape: &TreeShape) -> Result<BatchWitness, ProverError> {
    batch.validate()?;
    shape.validate()?;
    let family = shape.family();
    let mut jobs = BTreeMap::new();
    let mut ranges = Vec::new();
    for t in family.ids() {
        let queue: Vec<&Request> = batch.queue(t).collect();
        let cap = usize::try_from(family.spec(t)?.capacity).unwrap_or(usize::MAX);
        // The family's split, and its fixed node layers must reduce the type to one proof.
        let split = family.basic_circuits(t, queue.len() as u64)?;
        let needed = usize::try_from(split).unwrap_or(usize::MAX);
        if family.layers(t, split).is_err() {
            return Err(ProverError::BatchTooLarge {
                circuit: t,
                needed,
                limit: shape.max_basic_per_type(),
            });
        }
        let mut state = iv(t);
        let mut type_jobs = Vec::with_capacity(needed);
        for index in 0..needed {
            let chunk: Vec<Request> = queue
                .iter()
                .skip(index * cap)
                .take(cap)
                .map(|r| (*r).clone())
                .collect();
            let start = state;
            for r in &chunk {
                state = step(&state, r);
            }
            type_jobs.push(BasicJob {
                index,
                range: QueueRange {
                    circuit: t,
                    start: to_digest(&start),
                    end: to_digest(&state),
                    count: chunk.len() as u64,
                },
                requests: chunk,
            });
        }
        ranges.push(QueueRange {
            circuit: t,
            start: to_digest(&iv(t)),
            end: to_digest(&state),
            count: queue.len() as u64,
        });
        jobs.insert(t, type_jobs);
    }
    Ok(BatchWitness {
        batch_number: batch.batch_number,
        protocol_version: batch.protocol_version,
        previous_batch_commitment: batch.previous_batch_commitment,
        jobs,
        ranges,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(n_p: usize, n_s: usize) -> BatchInput {
        let mut requests = Vec::new();
        for i in 0..n_p.max(n_s) {
            if i < n_p {
                requests.push(Request::Poseidon2Hash {
                    inputs: vec![i as u64, 7],
                });
            }
            if i < n_s {
                requests.push(Request::Sha256 {
                    data: vec![i as u8; i * 13 % 120],
                });
            }
        }
        BatchInput {
            batch_number: 1,
            protocol_version: 1,
            previous_batch_commitment: Digest::ZERO,
            requests,
        }
    }

    #[test]
    fn sha_padding_matches_reference_block_count() {
        assert!(!sha256_blocks(&[0; 55]).0);
        assert!(sha256_blocks(&[0; 56]).0);
        assert!(sha256_blocks(&[0; 119]).0);
        let (_, w) = sha256_blocks(b"abc");
        assert_eq!(w[0], 0x6162_6380);
        assert_eq!(w[15], 24);
        assert_eq!(w[16..], [0; 16]);
        assert_eq!(sha256_output(b"abc")[0], 0xba78_16bf);
    }

    #[test]
    fn jobs_split_by_capacity_and_chain() {
        let shape = TreeShape {
            poseidon2_capacity: 3,
            sha256_capacity: 2,
            arity: 2,
            node_depth: 2,
        };
        let w = witness_batch(&batch(7, 5), &shape).unwrap();
        let p = &w.jobs[&CircuitType::POSEIDON2];
        assert_eq!(
            p.iter().map(|j| j.requests.len()).collect::<Vec<_>>(),
            vec![3, 3, 1]
        );
        for pair in p.windows(2) {
            assert_eq!(pair[0].range.end, pair[1].range.start);
        }
        assert_eq!(p[0].range.start, to_digest(&iv(CircuitType::POSEIDON2)));
        assert_eq!(w.ranges[0].end, p[2].range.end);
        assert_eq!(w.ranges[0].count, 7);
        assert_eq!(w.jobs[&CircuitType::SHA256].len(), 3);
    }

    #[test]
    fn absent_type_gets_one_empty_job_and_too_large_is_rejected() {
        let shape = TreeShape {
            poseidon2_capacity: 1,
            sha256_capacity: 1,
            arity: 2,
            node_depth: 1,
        };
        let w = witness_batch(&batch(2, 0), &shape).unwrap();
        let s = &w.jobs[&CircuitType::SHA256];
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].range.start, s[0].range.end);
        assert_eq!(s[0].range.count, 0);
        assert!(matches!(
            witness_batch(&batch(5, 0), &shape),
            Err(ProverError::BatchTooLarge {
                needed: 5,
                limit: 4,
                ..
            })
        ));
    }

    #[test]
    fn one_changed_request_changes_the_state() {
        let shape = TreeShape::default();
        let a = witness_batch(&batch(3, 3), &shape).unwrap();
        let mut b = batch(3, 3);
        if let Request::Sha256 { data } = &mut b.requests[1] {
            data.push(1);
        }
        let b = witness_batch(&b, &shape).unwrap();
        assert_eq!(a.ranges[0], b.ranges[0]);
        assert_ne!(a.ranges[1].end, b.ranges[1].end);
    }
}
