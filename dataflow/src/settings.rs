//! Settings shared by every subcommand: where keys are cached, which proof profile and tree shape.

use std::path::PathBuf;

use zkstream_prover::{ProofProfile, TreeShape};

/// Protocol version used when none is given.
pub const DEFAULT_PROTOCOL_VERSION: u32 = 1;

/// The default key cache: `$ZKSTREAM_KEYS_DIR`, else `$XDG_CACHE_HOME/zkstream/keys`, else
/// `$HOME/.cache/zkstream/keys`, else `./zkstream-keys`.
pub fn default_keys_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("ZKSTREAM_KEYS_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("zkstream").join("keys");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h)
            .join(".cache")
            .join("zkstream")
            .join("keys");
    }
    PathBuf::from("zkstream-keys")
}

/// Proof profile and tree shape, as chosen on the command line.
#[derive(Clone, Debug)]
pub struct ProofSettings {
    /// The proof profile.
    pub profile: ProofProfile,
    /// The tree shape.
    pub shape: TreeShape,
    /// Where keys are cached.
    pub keys_dir: PathBuf,
    /// Prover threads.
    pub threads: usize,
}
