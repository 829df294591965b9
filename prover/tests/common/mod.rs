//! Shared fixtures: one key store per test process (test profile, arity 2), cached under target/tmp.
#![allow(clippy::unwrap_used)]
#![allow(dead_code)]

use std::path::PathBuf;
use std::sync::Arc;

use zkstream_prover::{KeyStore, Prover};
use zkstream_types::{BatchInput, Digest, Request};

/// Where test keys are cached between runs.
pub fn keys_root() -> PathBuf {
    zkstream_testkit::keys_dir!()
}

/// The test-profile key store (arity 2, node depth 1, capacities 8 and 2), every key set up.
pub fn keys() -> Arc<KeyStore> {
    zkstream_testkit::test_keys!()
}

/// A prover over [`keys`].
pub fn prover() -> Prover {
    Prover::new(keys(), 2)
}

/// A batch with `p` Poseidon2 and `s` SHA-256 requests, interleaved.
pub fn batch(number: u64, previous: Digest, p: usize, s: usize) -> BatchInput {
    let mut requests = Vec::new();
    for i in 0..p.max(s) {
        if i < p {
            requests.push(Request::Poseidon2Hash {
                inputs: (0..=(i % 8) as u64).map(|x| x * 1000 + i as u64).collect(),
            });
        }
        if i < s {
            requests.push(Request::Sha256 {
                data: vec![i as u8; (i * 37) % 120],
            });
        }
    }
    BatchInput {
        batch_number: number,
        protocol_version: 1,
        previous_batch_commitment: previous,
        requests,
    }
}
