//! User-proof mode's service driven step by step (the way `zkstream aggregate` drives it) against an
//! in-process Kafka-protocol broker, on submissions that are refused before anything is proved: an
//! undecodable record, a proof of another proving system, and a boojum submission whose key does not
//! decode. Each step reads one record in order and says why it was refused; each is a dead letter with
//! its reason; the group's offset is committed past them; a restarted service reads nothing again.
//! (The proving path, with a kill -9 between runs, is `cli/tests/kafka_run.rs`'s aggregation test.)
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use zkstream_dataflow::config::Config;
use zkstream_dataflow::lifecycle::Shutdown;
use zkstream_dataflow::user_proofs::service::{self, Options, Role, UserProofService};
use zkstream_operators::store::ArtifactStore;
use zkstream_prover::ProfileKind;
use zkstream_sources::EmbeddedBroker;
use zkstream_testkit::kafka::{committed, read_topic, send_records};
use zkstream_types::{Framed, UserSubmission};

fn submission(id: &str, system: u16, vk: Option<Vec<u8>>) -> Vec<u8> {
    UserSubmission {
        proof_id: id.into(),
        proving_system_id: system,
        program_id: [7; 32],
        public_inputs: vec![1, 2, 3],
        proof: vec![0; 40],
        vk,
    }
    .to_frame()
    .unwrap()
}

fn leader(config: &Config) -> Box<UserProofService> {
    let options = Options {
        bounded: true,
        metrics_addr: None,
        cluster: None,
        say: Arc::new(|line| eprintln!("{line}")),
        shutdown: Shutdown::new(),
    };
    match service::start(config, options, &Default::default()).unwrap() {
        Role::Leader(s) => s,
        Role::Member(_) => panic!("a single process leads"),
    }
}

/// Steps until the service ends; returns what each step read: (partition, offset, refusal label).
fn drive(service: &mut UserProofService) -> Vec<(i32, i64, Option<&'static str>)> {
    let mut reads = Vec::new();
    for _ in 0..1000 {
        let step = service.step().unwrap();
        assert!(step.published.is_none(), "nothing here can be aggregated");
        if let Some((p, o, reason)) = step.read {
            reads.push((p, o, reason.map(|r| r.label())));
        }
        if step.ended {
            return reads;
        }
    }
    panic!("the service did not end after 1000 steps: {reads:?}");
}

#[test]
fn refused_submissions_are_dead_letters_step_by_step_and_commit() {
    let broker = EmbeddedBroker::start().unwrap();
    let brokers = broker.bootstrap_servers();
    for topic in [
        "zkstream.user_proofs",
        "zkstream.dlq",
        "zkstream.aggregates",
    ] {
        broker.create_topic(topic, 1).unwrap();
    }
    let records: Vec<(&str, Vec<u8>)> = vec![
        ("garbage", b"not a frame".to_vec()),
        ("sp1-1", submission("sp1-1", 1, None)),
        ("junk-1", submission("junk-1", 0x0b00, Some(vec![1, 2, 3]))),
    ];
    let keyed: Vec<(Option<Vec<u8>>, Vec<u8>)> = records
        .iter()
        .map(|(key, value)| (Some(key.as_bytes().to_vec()), value.clone()))
        .collect();
    send_records(&brokers, "zkstream.user_proofs", 0, &keyed);

    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::with_brokers(&brokers);
    config.store.url = ArtifactStore::local(&dir.path().join("store"))
        .unwrap()
        .url()
        .to_string();
    config.prover.profile = ProfileKind::Test;
    config.prover.keys_dir = Some(dir.path().join("keys"));

    let mut first = leader(&config);
    let reads = drive(&mut first);
    assert_eq!(
        reads,
        vec![
            (0, 0, Some("undecodable")),
            (0, 1, Some("unsupported")),
            (0, 2, Some("invalid")),
        ]
    );
    let c = first.counts();
    assert_eq!((c.published, c.refused, c.proved, c.reused), (0, 3, 0, 0));
    first.finish().unwrap();

    // Each a dead letter, once, with its reason.
    let letters = read_topic(&brokers, "zkstream.dlq", |r| r.len() >= 3);
    let reasons: BTreeMap<String, String> = letters
        .iter()
        .map(|(k, _, h)| {
            (
                String::from_utf8_lossy(k.as_deref().unwrap_or_default()).into_owned(),
                h["zkstream-reason"].clone(),
            )
        })
        .collect();
    assert_eq!(letters.len(), 3, "{reasons:?}");
    assert_eq!(reasons.len(), 3, "{reasons:?}");
    assert!(reasons["garbage"].starts_with("undecodable"), "{reasons:?}");
    assert!(
        reasons["sp1-1"].starts_with("unsupported: proving system sp1"),
        "{reasons:?}"
    );
    assert!(
        reasons["junk-1"].starts_with("invalid: undecodable key"),
        "{reasons:?}"
    );

    // The group's offset is past them: a restarted service reads nothing again.
    assert_eq!(
        committed(
            &brokers,
            "zkstream.user_proofs",
            &config.aggregation.group_id,
            1
        ),
        vec![3]
    );
    let mut again = leader(&config);
    assert_eq!(drive(&mut again), Vec::new());
    let c = again.counts();
    assert_eq!((c.published, c.refused, c.proved, c.reused), (0, 0, 0, 0));
    again.finish().unwrap();
}
