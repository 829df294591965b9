//! Aggregation mode's wrapped run proof as a user runs it: `zkstream aggregate-files --wrap` aggregates
//! two users' proofs and wraps the run's aggregated proof in a PLONK proof over BN254 with the test CRS
//! (said on the line that shows it); `zkstream verify-aggregate` checks it with pairings against the
//! record's root and says the proof is test-only; a flipped byte of the wrapped proof, another root, a
//! pin on another key and a record without a wrap are rejected, and the wrapped proof holds for its
//! own count and root only.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{keys_dir, output_text as text, zkstream_output as zkstream};
use zkstream_prover::circuits::wrap::aggregate_commitment;
use zkstream_prover::wrap::{WrapTarget, WrapperVk};
use zkstream_prover::UserFamily;
use zkstream_types::{AggregationRecord, Framed};

/// `verify-aggregate` of `record` (written to a file in `dir`): exit 0, or 2 with REJECTED (never a
/// panic).
fn verify(record: &AggregationRecord, dir: &Path, keys: &str, extra: &[&str]) -> Output {
    let path = dir.join("candidate.rec");
    std::fs::write(&path, record.to_frame().unwrap()).unwrap();
    let mut args = vec![
        "verify-aggregate",
        "--profile",
        "test",
        "--keys-dir",
        keys,
        "--record",
        path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = zkstream(&args);
    assert!(matches!(o.status.code(), Some(0 | 2)), "{}", text(&o));
    o
}

#[test]
fn a_wrapped_aggregate_verifies_and_tampering_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_dir!();
    let keys = keys.to_str().unwrap();
    let mut subs = Vec::new();
    for (salt, name) in [("1", "alice-1"), ("2", "bob-1")] {
        let out = dir.path().join(format!("{name}.sub"));
        let o = zkstream(&[
            "user-proof",
            "--salt",
            salt,
            "--secret",
            "1,2,3,4",
            "--proof-id",
            name,
            "--profile",
            "test",
            "--keys-dir",
            keys,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
        subs.push(out.to_str().unwrap().to_string());
    }
    let out = dir.path().join("run.rec");
    let o = zkstream(&[
        "aggregate-files",
        "--wrap",
        "--profile",
        "test",
        "--keys-dir",
        keys,
        "--out",
        out.to_str().unwrap(),
        &subs[0],
        &subs[1],
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let said = text(&o);
    assert!(said.contains("TEST CRS"), "{said}");
    assert!(said.contains("wrapped proof 1624 bytes"), "{said}");
    let record = AggregationRecord::from_frame(&std::fs::read(&out).unwrap()).unwrap();
    let wrap = record.wrap.clone().expect("a wrapped record");
    assert!(wrap.test_crs && wrap.proof.len() <= 2000);
    assert_eq!(record.proofs.len(), 2);

    // The record as written verifies, and says it proves nothing.
    let o = verify(&record, dir.path(), keys, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let said = text(&o);
    assert!(said.contains("wrapped aggregate verified"), "{said}");
    assert!(said.contains("PROVES NOTHING"), "{said}");
    let o = zkstream(&["inspect", out.to_str().unwrap()]);
    assert!(
        text(&o).contains("wrapped proof 1624 bytes") && text(&o).contains("TEST CRS"),
        "{}",
        text(&o)
    );

    // Tampering.
    let reject = |r: &AggregationRecord, extra: &[&str], why: &str| {
        let o = verify(r, dir.path(), keys, extra);
        assert_eq!(o.status.code(), Some(2), "{why}: {}", text(&o));
    };
    for at in [0, wrap.proof.len() / 2, wrap.proof.len() - 1] {
        let mut r = record.clone();
        r.wrap.as_mut().unwrap().proof[at] ^= 1;
        reject(&r, &[], &format!("wrapped proof byte {at} flipped"));
    }
    let mut r = record.clone();
    r.root[0] ^= 1;
    reject(&r, &[], "another root");
    let mut r = record.clone();
    r.wrap.as_mut().unwrap().wrapper_vk_commitment[0] ^= 1;
    reject(&r, &[], "a key that is not cached");
    reject(
        &record,
        &["--wrapper-vk-commitment", &"ab".repeat(32)],
        "a pin on another key",
    );
    let mut r = record.clone();
    r.wrap = None;
    reject(&r, &[], "no wrapped proof");
    let mut r = record.clone();
    r.family ^= 1;
    reject(&r, &[], "another family");

    // The wrapped proof holds for its own count and root, not another's.
    let store = zkstream_testkit::open_test_keys!();
    let family = WrapTarget::Aggregate(UserFamily(record.family));
    let key = WrapperVk::find(&store, family, &wrap.wrapper_vk_commitment)
        .unwrap()
        .expect("the aggregate wrapper key is cached");
    assert!(key.test_crs);
    // Not a batch's key, nor another family's.
    for other in [
        WrapTarget::Batch,
        WrapTarget::Aggregate(UserFamily(record.family ^ 1)),
    ] {
        assert!(WrapperVk::find(&store, other, &wrap.wrapper_vk_commitment)
            .unwrap()
            .is_none());
    }
    let n = record.proofs.len() as u64;
    assert!(key.verify(&wrap.proof, &aggregate_commitment(n, &record.root)));
    assert!(!key.verify(&wrap.proof, &aggregate_commitment(n + 1, &record.root)));
    let mut other = record.root;
    other[31] ^= 1;
    assert!(!key.verify(&wrap.proof, &aggregate_commitment(n, &other)));
}
