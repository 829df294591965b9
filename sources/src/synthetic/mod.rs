//! The synthetic batch chain: batches `start..start + count` of the deterministic `sample-batch` chain
//! for a seed, each carrying the commitment of the one before (genesis for batch 1). `demo` and
//! `produce` feed it into a topic; tests use it as input for the oracle.

use zkstream_prover::sample::{sample_batch, SampleSize};
use zkstream_types::{BatchInput, Digest};

/// The batches `start..start + count` of the chain of `seed` under a VK-set commitment.
pub fn sample_chain(
    start: u64,
    count: u64,
    seed: u64,
    protocol_version: u32,
    vk_set: &Digest,
) -> Vec<BatchInput> {
    (start..start + count)
        .map(|n| sample_batch(n, seed, protocol_version, vk_set, SampleSize::default()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkstream_prover::batch_commitment;

    #[test]
    fn chain_links_each_batch_to_the_previous_commitment() {
        let vk_set = Digest([1, 2, 3, 4]);
        let chain = sample_chain(1, 4, 7, 1, &vk_set);
        assert_eq!(chain.len(), 4);
        for pair in chain.windows(2) {
            assert_eq!(
                pair[1].previous_batch_commitment,
                batch_commitment(&pair[0], &vk_set)
            );
        }
        assert_eq!(sample_chain(3, 1, 7, 1, &vk_set)[0], chain[2]);
    }
}
