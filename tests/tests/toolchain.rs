//! The build environment every path relies on: `RUSTC_BOOTSTRAP` from `.cargo/config.toml` reaches
//! test builds (the bench asserts the same for `cargo bench`), so does the x86-64-v3 target CPU on
//! x86-64 Linux, and the resolver-thread default.

#[test]
fn rustc_bootstrap_reaches_test_builds() {
    // Set at compile time by cargo's [env]; a build without it would not have compiled boojum at all,
    // but this names the cause instead of leaving a wall of feature errors.
    assert_eq!(option_env!("RUSTC_BOOTSTRAP"), Some("1"));
}

/// `.cargo/config.toml` sets `target-cpu=x86-64-v3` for x86-64 Linux (14 % faster proving); a stray
/// `RUSTFLAGS` replaces it silently, which this names.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
#[test]
fn x86_64_builds_target_x86_64_v3() {
    let features = [
        ("avx2", cfg!(target_feature = "avx2")),
        ("bmi2", cfg!(target_feature = "bmi2")),
        ("fma", cfg!(target_feature = "fma")),
    ];
    let missing: Vec<&str> = features
        .iter()
        .filter(|(_, on)| !on)
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(
        missing,
        Vec::<&str>::new(),
        "built without target-cpu=x86-64-v3: is RUSTFLAGS set?"
    );
}

#[test]
fn resolver_threads_follow_cores_unless_set() {
    // One test touches the variable, so nothing races with it in this binary.
    std::env::remove_var("BOOJUM_CR_THREADS");
    let n = zkstream_prover::init_resolver_threads();
    let cores = std::thread::available_parallelism()
        .map(|c| c.get())
        .unwrap_or(1);
    assert_eq!(n, (cores / 4).clamp(1, 8));
    assert_eq!(std::env::var("BOOJUM_CR_THREADS").ok(), Some(n.to_string()));
    std::env::set_var("BOOJUM_CR_THREADS", "3");
    assert_eq!(
        zkstream_prover::init_resolver_threads(),
        3,
        "a user's setting wins"
    );
}
