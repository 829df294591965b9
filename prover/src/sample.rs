//! Deterministic synthetic batches: the `sample-batch` chain used by the demo, tests and benches.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;
use zkstream_types::batch::{MAX_POSEIDON2_INPUTS, MAX_SHA256_BYTES};
use zkstream_types::{BatchInput, Digest, Request, GOLDILOCKS_MODULUS};

use crate::verify::batch_commitment;

/// How big sample batches are.
#[derive(Clone, Copy, Debug)]
pub struct SampleSize {
    /// Poseidon2 requests, inclusive range.
    pub poseidon2: (usize, usize),
    /// SHA-256 requests, inclusive range.
    pub sha256: (usize, usize),
}

impl Default for SampleSize {
    /// 3–12 Poseidon2 requests (one or two basic circuits at the default capacity of 8) and 1–2
    /// SHA-256 requests (one basic circuit at the default capacity of 2). A SHA-256 basic circuit is a
    /// 2^16-row trace, about a quarter of a test-profile batch's proving time (7 of 29 s on 2 cores),
    /// so a second one is left to the tests that build their batches by hand (`prover/tests`).
    fn default() -> Self {
        SampleSize {
            poseidon2: (3, 12),
            sha256: (1, 2),
        }
    }
}

/// The requests of batch `number` in the chain of `seed` (independent of other batches).
pub fn sample_requests(number: u64, seed: u64, size: SampleSize) -> Vec<Request> {
    let mut rng = ChaCha20Rng::seed_from_u64(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ number);
    let n_p = rng.gen_range(size.poseidon2.0..=size.poseidon2.1);
    let n_s = rng.gen_range(size.sha256.0..=size.sha256.1);
    let mut requests: Vec<Request> = Vec::with_capacity(n_p + n_s);
    for _ in 0..n_p {
        let len = rng.gen_range(1..=MAX_POSEIDON2_INPUTS);
        requests.push(Request::Poseidon2Hash {
            inputs: (0..len)
                .map(|_| rng.gen_range(0..GOLDILOCKS_MODULUS))
                .collect(),
        });
    }
    for _ in 0..n_s {
        let len = rng.gen_range(0..=MAX_SHA256_BYTES);
        requests.push(Request::Sha256 {
            data: (0..len).map(|_| rng.gen()).collect(),
        });
    }
    // Interleave types the way a real batch would.
    for i in (1..requests.len()).rev() {
        let j = rng.gen_range(0..=i);
        requests.swap(i, j);
    }
    requests
}

/// Batch `number` of the chain of `seed`: batch 1 chains onto genesis ([`Digest::ZERO`]), batch N onto
/// the commitment of batch N−1 of the same chain (recomputed natively, no proof needed).
pub fn sample_batch(
    number: u64,
    seed: u64,
    protocol_version: u32,
    vk_set: &Digest,
    size: SampleSize,
) -> BatchInput {
    let mut previous = Digest::ZERO;
    for n in 1..number {
        let b = BatchInput {
            batch_number: n,
            protocol_version,
            previous_batch_commitment: previous,
            requests: sample_requests(n, seed, size),
        };
        previous = batch_commitment(&b, vk_set);
    }
    BatchInput {
        batch_number: number,
        protocol_version,
        previous_batch_commitment: previous,
        requests: sample_requests(number, seed, size),
    }
}

/// The batches `start..start + count` of the chain of `seed` (default sizes), each carrying the
/// commitment of the one before (genesis for batch 1). `demo` and `produce` feed it into a topic; tests
/// use it as input for the oracle.
pub fn sample_chain(
    start: u64,
    count: u64,
    seed: u64,
    protocol_version: u32,
    vk_set: &Digest,
) -> Vec<BatchInput> {
    let size = SampleSize::default();
    let mut out: Vec<BatchInput> = Vec::new();
    for n in start..start + count {
        let batch = match out.last() {
            Some(previous) => BatchInput {
                batch_number: n,
                protocol_version,
                previous_batch_commitment: batch_commitment(previous, vk_set),
                requests: sample_requests(n, seed, size),
            },
            None => sample_batch(n, seed, protocol_version, vk_set, size),
        };
        out.push(batch);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chain_links_each_batch_to_the_previous_commitment() {
        let vk_set = Digest([1, 2, 3, 4]);
        let chain = sample_chain(1, 4, 7, 1, &vk_set);
        assert_eq!(chain.len(), 4);
        assert_eq!(chain[0].previous_batch_commitment, Digest::ZERO);
        for pair in chain.windows(2) {
            assert_eq!(
                pair[1].previous_batch_commitment,
                batch_commitment(&pair[0], &vk_set)
            );
        }
        assert_eq!(sample_chain(3, 1, 7, 1, &vk_set)[0], chain[2]);
        assert_eq!(
            chain[3],
            sample_batch(4, 7, 1, &vk_set, SampleSize::default())
        );
    }

    #[test]
    fn deterministic_valid_and_chained() {
        let vk = Digest([1, 2, 3, 4]);
        let a = sample_batch(3, 9, 1, &vk, SampleSize::default());
        assert_eq!(a, sample_batch(3, 9, 1, &vk, SampleSize::default()));
        assert_ne!(
            a.requests,
            sample_batch(3, 10, 1, &vk, SampleSize::default()).requests
        );
        a.validate().unwrap();
        let b2 = sample_batch(2, 9, 1, &vk, SampleSize::default());
        assert_eq!(a.previous_batch_commitment, batch_commitment(&b2, &vk));
        assert_eq!(
            sample_batch(1, 9, 1, &vk, SampleSize::default()).previous_batch_commitment,
            Digest::ZERO
        );
    }
}
