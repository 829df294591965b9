//! The SNARK wrap as a user runs it: `zkstream demo --wrap` proves a batch, wraps its final proof in a
//! PLONK proof over BN254 with the test CRS (said on the line that shows it) and writes the record;
//! `zkstream keys generate --test-crs` prints the same wrapper key commitment; `zkstream verify`
//! checks the wrapped record with pairings and says the proof is test-only; any tampered byte of the
//! wrapped proof or of the FRI proof kept beside it, a lie about the CRS or the key, a pin on another
//! key and another batch's input are rejected; a second demo on the same store reuses the wrap.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::process::Output;

use common::{keys_dir, output_text as text, zkstream_output as zkstream};
use zkstream_types::{FinalBatchProof, Framed};

/// `verify` of `record` against `input`: exit 0, or 2 with REJECTED (never a panic).
fn verify(input: &Path, record: &FinalBatchProof, dir: &Path, keys: &str) -> Output {
    verify_with(input, record, dir, keys, &[])
}

fn verify_with(
    input: &Path,
    record: &FinalBatchProof,
    dir: &Path,
    keys: &str,
    extra: &[&str],
) -> Output {
    let path = dir.join("candidate.proof");
    std::fs::write(&path, record.to_frame().unwrap()).unwrap();
    let mut args = vec![
        "verify",
        "--profile",
        "test",
        "--keys-dir",
        keys,
        "--input",
        input.to_str().unwrap(),
        "--proof",
        path.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = zkstream(&args);
    assert!(matches!(o.status.code(), Some(0 | 2)), "{}", text(&o));
    o
}

#[test]
fn demo_wraps_a_batch_and_verify_checks_it_with_pairings() {
    let dir = tempfile::tempdir().unwrap();
    let keys = keys_dir!();
    let keys = keys.to_str().unwrap();
    let out = dir.path().join("proofs");
    let store = dir.path().join("store");
    let demo = || {
        zkstream(&[
            "demo",
            "--profile",
            "test",
            "--keys-dir",
            keys,
            "--batches",
            "1",
            "--wrap",
            "--keep-fri-proof",
            "--store",
            store.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let o = demo();
    let said = text(&o);
    assert!(o.status.success(), "{said}");
    let line = said
        .lines()
        .find(|l| l.starts_with("batch 1: final proof verified"))
        .unwrap_or_else(|| panic!("no verified line: {said}"));
    assert!(line.contains("TEST CRS"), "{line}");
    assert!(line.contains("FRI proof kept"), "{line}");
    let bytes: usize = line
        .split("wrapped: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no wrapped size: {line}"));
    assert!(bytes <= 2_000, "{line}");
    assert!(said.contains("wrap: wrapper key"), "{said}");

    let record =
        FinalBatchProof::from_frame(&std::fs::read(out.join("batch-1.proof")).unwrap()).unwrap();
    let wrapped = record.wrap.clone().expect("a wrapped record");
    assert!(!record.proof.is_empty(), "--keep-fri-proof keeps it");
    assert!(wrapped.test_crs);
    assert_eq!(wrapped.proof.len(), bytes);

    // `keys generate --test-crs` shows the key the record names (read from the cache).
    let o = zkstream(&[
        "keys",
        "generate",
        "--profile",
        "test",
        "--keys-dir",
        keys,
        "--test-crs",
    ]);
    let listed = text(&o);
    assert!(o.status.success(), "{listed}");
    let commitment = hex::encode(wrapped.wrapper_vk_commitment);
    assert!(
        listed.contains(&format!("wrapper key commitment {commitment}")),
        "{listed}"
    );
    assert!(listed.contains("TEST CRS"), "{listed}");

    // The demo's chain is `sample-batch --seed 1`.
    let input = dir.path().join("b1.batch");
    let other = dir.path().join("b2.batch");
    for (n, path) in [("1", &input), ("2", &other)] {
        let o = zkstream(&[
            "sample-batch",
            "--number",
            n,
            "--seed",
            "1",
            "--profile",
            "test",
            "--keys-dir",
            keys,
            "--out",
            path.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", text(&o));
    }
    let o = verify(&input, &record, dir.path(), keys);
    let said = text(&o);
    assert!(o.status.success(), "{said}");
    assert!(
        said.contains("batch 1: wrapped final proof verified"),
        "{said}"
    );
    assert!(said.contains("PROVES NOTHING"), "{said}");
    assert!(said.contains("its FRI proof verified too"), "{said}");
    // The wrapped proof alone (what a wrapping run delivers by default) verifies, under the pinned
    // key; a pin on another key refuses it.
    let mut wrap_only = record.clone();
    wrap_only.proof.clear();
    let pin = ["--wrapper-vk-commitment", commitment.as_str()];
    let o = verify_with(&input, &wrap_only, dir.path(), keys, &pin);
    assert!(o.status.success(), "{}", text(&o));
    let other_key = "ab".repeat(32);
    let pin = ["--wrapper-vk-commitment", other_key.as_str()];
    let o = verify_with(&input, &wrap_only, dir.path(), keys, &pin);
    assert!(text(&o).contains("not cached"), "{}", text(&o));
    // A tampered FRI proof beside a good wrap is rejected too.
    let mut bad_fri = record.clone();
    let at = bad_fri.proof.len() / 2;
    bad_fri.proof[at] ^= 0x01;
    assert!(text(&verify(&input, &bad_fri, dir.path(), keys)).contains("REJECTED"));

    // A second demo on the same store proves nothing again: every proof, the wrap too, is reused.
    let o = demo();
    let said = text(&o);
    assert!(o.status.success(), "{said}");
    assert!(said.contains("proofs: 0 generated"), "{said}");
    assert!(
        said.lines().any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.first() == Some(&"wrap") && f.get(2) == Some(&"1")
        }),
        "{said}"
    );

    // Another batch's input.
    let o = verify(&other, &record, dir.path(), keys);
    assert!(text(&o).contains("REJECTED"), "{}", text(&o));
    let mut renumbered = record.clone();
    renumbered.batch_number = 2;
    let o = verify(&other, &renumbered, dir.path(), keys);
    assert!(text(&o).contains("REJECTED"), "{}", text(&o));

    // A flipped byte anywhere in the wrapped proof, or a truncated one.
    let n = wrapped.proof.len();
    for at in [0, 1, 40, n / 4, n / 2, 3 * n / 4, n - 1] {
        let mut tampered = record.clone();
        tampered.wrap.as_mut().unwrap().proof[at] ^= 0x04;
        let o = verify(&input, &tampered, dir.path(), keys);
        assert!(text(&o).contains("REJECTED"), "byte {at}: {}", text(&o));
    }
    let mut truncated = record.clone();
    truncated.wrap.as_mut().unwrap().proof.truncate(n - 32);
    assert!(text(&verify(&input, &truncated, dir.path(), keys)).contains("REJECTED"));

    // A record that hides the test CRS, or names a key nobody has, or carries no proof at all.
    let mut hidden = record.clone();
    hidden.wrap.as_mut().unwrap().test_crs = false;
    let o = verify(&input, &hidden, dir.path(), keys);
    assert!(text(&o).contains("test CRS"), "{}", text(&o));
    assert_eq!(o.status.code(), Some(2));
    let mut unknown = record.clone();
    unknown.wrap.as_mut().unwrap().wrapper_vk_commitment[0] ^= 1;
    let o = verify(&input, &unknown, dir.path(), keys);
    assert!(text(&o).contains("not cached"), "{}", text(&o));
    assert_eq!(o.status.code(), Some(2));
    // Without its wrap the record is the FRI proof it kept, which verifies on its own; without
    // either, there is nothing to verify.
    let mut fri_only = record.clone();
    fri_only.wrap = None;
    let o = verify(&input, &fri_only, dir.path(), keys);
    assert!(o.status.success(), "{}", text(&o));
    let mut empty = fri_only;
    empty.proof.clear();
    let o = verify(&input, &empty, dir.path(), keys);
    assert!(text(&o).contains("no proof"), "{}", text(&o));
}
