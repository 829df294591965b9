//! The test profile's key store, shared by every test binary: one cache directory, `keys` under the
//! workspace's `target/tmp` (what `CARGO_TARGET_TMPDIR` names in every integration test), so keys are
//! computed by the first test that needs them and loaded by the rest. `CARGO_TARGET_TMPDIR` is set only
//! while a test crate compiles, hence the macros: they read it in the calling test.

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use zkstream_prover::{init_resolver_threads, KeyStore, ProofProfile, TreeShape};

/// The shared key cache under `target_tmpdir` (see [`keys_dir!`](crate::keys_dir)).
pub fn keys_dir_in(target_tmpdir: &str) -> PathBuf {
    Path::new(target_tmpdir).join("keys")
}

/// The test profile's key store (arity 2, node depth 1, protocol version 1, two threads) in the
/// shared cache, nothing set up yet: for tests that add a user-proof shape or time the setup.
pub fn open_test_keys_in(target_tmpdir: &str) -> KeyStore {
    init_resolver_threads();
    KeyStore::open(
        Some(&keys_dir_in(target_tmpdir)),
        ProofProfile::test(),
        TreeShape::default(),
        1,
        2,
    )
    .expect("opening the test key store")
}

/// [`open_test_keys_in`] with every key set up, once per test process.
pub fn test_keys_in(target_tmpdir: &str) -> Arc<KeyStore> {
    static KEYS: OnceLock<Arc<KeyStore>> = OnceLock::new();
    KEYS.get_or_init(|| {
        let k = open_test_keys_in(target_tmpdir);
        k.generate_all().expect("setting up the test keys");
        Arc::new(k)
    })
    .clone()
}

/// The shared key cache directory of the calling test.
#[macro_export]
macro_rules! keys_dir {
    () => {
        $crate::keys::keys_dir_in(env!("CARGO_TARGET_TMPDIR"))
    };
}

/// The test profile's key store in the shared cache, nothing set up yet.
#[macro_export]
macro_rules! open_test_keys {
    () => {
        $crate::keys::open_test_keys_in(env!("CARGO_TARGET_TMPDIR"))
    };
}

/// The test profile's key store in the shared cache, every key set up (once per test process).
#[macro_export]
macro_rules! test_keys {
    () => {
        $crate::keys::test_keys_in(env!("CARGO_TARGET_TMPDIR"))
    };
}
