//! The crate layering, as a test: the cryptography (`prover`, `aggregation`) knows nothing of streaming
//! or Kafka, the operators know nothing of Kafka, the sources and sinks move bytes without proving, and the
//! fleet model measures orchestration without a proof system.
//! It reads `cargo metadata` and follows every crate's normal (non-dev, non-build) dependencies
//! transitively, so a rule cannot be broken through a crate in between.
#![allow(clippy::unwrap_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

/// Package name → the names of its normal dependencies, over the resolved workspace graph.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    // Only the packages this machine builds (no download of other platforms' crates).
    let rustc = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("running rustc -vV");
    let host = String::from_utf8_lossy(&rustc.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .expect("rustc -vV names the host");
    let out = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", &host])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .output()
        .expect("running cargo metadata");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let name_of: BTreeMap<&str, &str> = meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["id"].as_str().unwrap(), p["name"].as_str().unwrap()))
        .collect();
    let mut graph = BTreeMap::new();
    for node in meta["resolve"]["nodes"].as_array().unwrap() {
        let name = name_of[node["id"].as_str().unwrap()].to_string();
        let deps = node["deps"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| {
                d["dep_kinds"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|k| k["kind"].is_null())
            })
            .map(|d| name_of[d["pkg"].as_str().unwrap()].to_string())
            .collect();
        graph.insert(name, deps);
    }
    graph
}

/// Every crate `root` depends on, directly or through others.
fn closure(graph: &BTreeMap<String, BTreeSet<String>>, root: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root.to_string()];
    while let Some(n) = todo.pop() {
        for d in graph.get(&n).into_iter().flatten() {
            if seen.insert(d.clone()) {
                todo.push(d.clone());
            }
        }
    }
    seen
}

#[test]
fn crates_depend_only_downward() {
    let graph = graph();
    let rules: [(&str, &[&str]); 7] = [
        ("zkstream-prover", &["timely", "rdkafka"]),
        ("zkstream-aggregation", &["timely", "rdkafka"]),
        ("zkstream-operators", &["rdkafka"]),
        ("zkstream-sources", &["zkstream-prover"]),
        ("zkstream-sinks", &["zkstream-prover"]),
        ("zkstream-types", &["timely", "rdkafka", "boojum"]),
        // The fleet model measures orchestration without provers: it cannot reach a proof system.
        (
            "zkstream-fleet",
            &["timely", "rdkafka", "boojum", "zkstream-prover"],
        ),
    ];
    let mut broken = Vec::new();
    for (krate, forbidden) in rules {
        assert!(graph.contains_key(krate), "{krate} is not in the workspace");
        let deps = closure(&graph, krate);
        for f in forbidden {
            if deps.contains(*f) {
                broken.push(format!("{krate} depends on {f}"));
            }
        }
    }
    assert!(broken.is_empty(), "dependency rules broken: {broken:?}");
    // The test itself can fail: the application crate does depend on all of them.
    let app = closure(&graph, "zkstream-dataflow");
    for d in ["timely", "rdkafka", "zkstream-prover"] {
        assert!(app.contains(d), "zkstream-dataflow should reach {d}");
    }
}

/// `(name, version)` of every package a `Cargo.lock` pins.
fn locked(path: &str) -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {path}: {e}"));
    let mut out = BTreeSet::new();
    let mut name = None;
    for line in text.lines() {
        if let Some(n) = line.strip_prefix("name = ") {
            name = Some(n.trim_matches('"').to_string());
        } else if let (Some(v), Some(n)) = (line.strip_prefix("version = "), name.take()) {
            out.insert((n, v.trim_matches('"').to_string()));
        }
    }
    out
}

/// The semver-compatible range a version belongs to: `1.2.3` → `1`, `0.4.8` → `0.4`.
fn compatible(version: &str) -> String {
    let mut parts = version.split('.');
    match (parts.next(), parts.next()) {
        (Some("0"), Some(minor)) => format!("0.{minor}"),
        (Some(major), _) => major.to_string(),
        _ => version.to_string(),
    }
}

/// The GPU build (gpu/, a workspace of its own) shares `target/` with this one in ops/test.sh. It reuses
/// this workspace's compiled dependencies only if it pins the same versions (and features: see the
/// feature-unification entries in prover/Cargo.toml and gpu/Cargo.toml); a stale gpu/Cargo.lock
/// silently recompiles everything (about four minutes of CI).
#[test]
fn the_gpu_lock_file_pins_the_versions_of_the_main_one() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let main = locked(&format!("{root}/Cargo.lock"));
    let gpu = locked(&format!("{root}/gpu/Cargo.lock"));
    assert!(
        gpu.iter().any(|(n, _)| n == "shivini"),
        "gpu/Cargo.lock has no shivini"
    );
    let main_ranges: BTreeMap<(String, String), String> = main
        .iter()
        .map(|(n, v)| ((n.clone(), compatible(v)), v.clone()))
        .collect();
    let differing: Vec<String> = gpu
        .iter()
        .filter(|(n, _)| !n.starts_with("zkstream"))
        .filter_map(|(n, v)| {
            let ours = main_ranges.get(&(n.clone(), compatible(v)))?;
            (ours != v).then(|| format!("{n}: {v} in gpu/Cargo.lock, {ours} in Cargo.lock"))
        })
        .collect();
    assert!(
        differing.is_empty(),
        "gpu/Cargo.lock resolves these differently (copy Cargo.lock to gpu/Cargo.lock and run \
         `cargo metadata --manifest-path gpu/Cargo.toml`): {differing:?}"
    );
}
