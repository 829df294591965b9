//! The artifact store on a real S3-compatible server (moto, a separate process on loopback). Artifacts and state records round-trip under the URL's prefix and are
//! seen by a second handle (a restarted process, another machine); a missing bucket and a misspelt
//! option are refused at open, by name; a server that goes away is retried with backoff, each retry
//! reported to the hook, then reported; conditional creates are exclusive there, so two processes'
//! fences on one bucket fence each other; retention deletes a batch's intermediates from the bucket.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use zkstream_operators::fence::{Claim, Fence, FenceError};
use zkstream_operators::store::{ArtifactStore, StoreError};
use zkstream_testkit::moto::moto;
use zkstream_types::{AggregationRound, Artifact, ArtifactKey, CircuitType, Digest};

fn artifact(index: u32) -> Artifact {
    Artifact {
        key: ArtifactKey {
            protocol_version: 1,
            batch: 3,
            round: AggregationRound::Leaf,
            circuit: Some(CircuitType::SHA256),
            depth: 0,
            index,
        },
        vk_commitment: Digest([1, 2, 3, 4]),
        public_input: Digest([5, 6, 7, 8]),
        range: None,
        proof: vec![index as u8; 5000],
    }
}

#[test]
fn artifacts_and_state_round_trip_in_a_bucket_under_the_prefix() {
    let dir = tempfile::tempdir().unwrap();
    let s3 = moto(&dir.path().join("moto.log"));
    s3.create_bucket("artifacts");
    let store = ArtifactStore::open_with("s3://artifacts/cluster-a", &s3.options()).unwrap();
    let a = artifact(0);
    assert_eq!(store.get::<Artifact>(&a.key).unwrap(), None);
    store.put(&a).unwrap();
    store.put_state("delivered", b"batch 3".to_vec()).unwrap();
    assert_eq!(store.get(&a.key).unwrap(), Some(a.clone()));
    // Another process (or machine) with only the bucket in common sees both.
    let other = ArtifactStore::open_with("s3://artifacts/cluster-a", &s3.options()).unwrap();
    assert_eq!(other.get(&a.key).unwrap(), Some(a.clone()));
    assert_eq!(
        other.get_state("delivered").unwrap(),
        Some(b"batch 3".to_vec())
    );
    assert_eq!(other.get_state("nothing").unwrap(), None);
    // Everything lies under the prefix, at the key's path.
    let mut keys = s3.keys("artifacts");
    keys.sort();
    assert_eq!(
        keys,
        [
            "cluster-a/state/delivered".to_string(),
            format!("cluster-a/{}", a.key.path()),
        ]
    );
    // Another prefix is another store.
    let elsewhere = ArtifactStore::open_with("s3://artifacts/cluster-b", &s3.options()).unwrap();
    assert_eq!(elsewhere.get::<Artifact>(&a.key).unwrap(), None);
}

#[test]
fn a_missing_bucket_or_a_misspelt_option_is_refused_at_open() {
    let dir = tempfile::tempdir().unwrap();
    let s3 = moto(&dir.path().join("moto.log"));
    let err = ArtifactStore::open_with("s3://no-such-bucket/x", &s3.options()).unwrap_err();
    assert!(matches!(err, StoreError::Unusable { .. }), "{err}");
    assert!(err.to_string().contains("not usable"), "{err}");
    let mut typo = s3.options();
    typo.insert("aws_endpiont".into(), s3.endpoint.clone());
    let err = ArtifactStore::open_with("s3://no-such-bucket/x", &typo).unwrap_err();
    assert!(err.to_string().contains("aws_endpiont"), "{err}");
    let options: BTreeMap<String, String> = [("aws_region".to_string(), "x".to_string())].into();
    let err = ArtifactStore::open_with("file:///tmp/x", &options).unwrap_err();
    assert!(err.to_string().contains("[store.options]"), "{err}");
}

#[test]
fn a_server_that_goes_away_is_retried_and_each_retry_is_counted() {
    let dir = tempfile::tempdir().unwrap();
    let s3 = moto(&dir.path().join("moto.log"));
    s3.create_bucket("artifacts");
    let store = ArtifactStore::open_with("s3://artifacts/p", &s3.options()).unwrap();
    let retries = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&retries);
    store.on_retry(Arc::new(move |op| {
        assert_eq!(op, "put");
        counted.fetch_add(1, Ordering::SeqCst);
    }));
    store.put(&artifact(1)).unwrap();
    assert_eq!(retries.load(Ordering::SeqCst), 0, "nothing failed yet");
    drop(s3);
    let err = store.put(&artifact(2)).unwrap_err();
    assert!(err.is_retryable(), "a server away may come back: {err}");
    assert_eq!(
        retries.load(Ordering::SeqCst),
        4,
        "five attempts, four retries"
    );
}

/// On S3 (`If-None-Match: *`) a create-only write succeeds once; two handles' fences on one bucket
/// (two process 0s on two machines) fence each other; retention deletes a batch's intermediates and
/// keeps its final proof.
#[test]
fn creates_are_exclusive_fences_hold_and_retention_deletes_in_a_bucket() {
    let dir = tempfile::tempdir().unwrap();
    let s3 = moto(&dir.path().join("moto.log"));
    s3.create_bucket("fenced");
    let url = "s3://fenced/deploy";
    let (one, two) = (
        ArtifactStore::open_with(url, &s3.options()).unwrap(),
        ArtifactStore::open_with(url, &s3.options()).unwrap(),
    );
    assert!(one.create_state("once", b"first".to_vec()).unwrap());
    assert!(!two.create_state("once", b"second".to_vec()).unwrap());
    assert_eq!(two.get_state("once").unwrap(), Some(b"first".to_vec()));

    let mut older = Fence::take(&one, "batches").unwrap();
    older.claim(Claim::Deliver(1)).unwrap();
    let mut newer = Fence::take(&two, "batches").unwrap();
    assert_eq!((older.epoch(), newer.epoch()), (1, 2));
    assert!(matches!(
        older.claim(Claim::Progress(1)),
        Err(FenceError::Fenced { ours: 1, by: 2, .. })
    ));
    for n in 1..=12 {
        newer.claim(Claim::Deliver(n)).unwrap();
    }
    let fence_records = s3
        .keys("fenced")
        .into_iter()
        .filter(|k| k.starts_with("deploy/state/batches/fence/"))
        .count();
    assert_eq!(fence_records, 8, "only the newest records are kept");

    let at = |round, index| Artifact {
        key: ArtifactKey {
            round,
            circuit: None,
            ..artifact(index).key
        },
        ..artifact(index)
    };
    for round in [AggregationRound::Basic, AggregationRound::Compression] {
        one.put(&at(round, 0)).unwrap();
        one.put(&at(round, 1)).unwrap();
    }
    let deleted = two.delete_intermediates(1, 3, None).unwrap();
    assert_eq!(deleted.objects, 2);
    assert!(deleted.bytes > 0);
    let batch: Vec<String> = s3
        .keys("fenced")
        .into_iter()
        .filter(|k| k.contains("/batch-"))
        .collect();
    assert_eq!(batch.len(), 2, "{batch:?}");
    assert!(
        batch.iter().all(|k| k.contains("/compression-all/")),
        "{batch:?}"
    );
}
