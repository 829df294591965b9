//! Helpers for the tests that run the `zkstream` binary: the binary, the shared test keys, run configs,
//! the store's artifacts, summary counters; the rest (brokers, the core endpoint, waits) is the
//! `zkstream-testkit` crate, re-exported here.
#![allow(dead_code, unused_imports, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::SystemTime;

pub use zkstream_testkit::core::Core;
pub use zkstream_testkit::kafka::{committed, read_topic, send_records, Record};
pub use zkstream_testkit::process::{free_port, http_get, run_bounded, text, wait_for, Reaped};
pub use zkstream_testkit::tansu::tansu;
pub use zkstream_testkit::{keys_dir, test_keys};

/// The binary under test.
pub fn zkstream() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zkstream"));
    c.env("RUST_LOG", "warn");
    c
}

/// Runs the binary with `args` to its end.
pub fn zkstream_output(args: &[&str]) -> Output {
    zkstream().args(args).output().expect("run zkstream")
}

/// A finished command's stdout, then its stderr, as text.
pub fn output_text(o: &Output) -> String {
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Starts `zkstream run --config CONFIG --bounded` in the background, output to `log`; killed on drop.
pub fn spawn_run(config: &Path, log: &Path) -> Reaped {
    spawn_run_with(config, log, &[])
}

/// [`spawn_run`] with `env` added to the environment (an object store's settings).
pub fn spawn_run_with(config: &Path, log: &Path, env: &[(&str, String)]) -> Reaped {
    let log = std::fs::File::create(log).unwrap();
    let child = zkstream()
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .args(["run", "--config", config.to_str().unwrap(), "--bounded"])
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    Reaped(child)
}

/// Writes a run configuration for the test profile, its store in `dir/store`.
pub fn config(dir: &Path, brokers: &str, core: Option<&str>, extra: &str) -> PathBuf {
    let store = format!("url = \"file://{}\"", dir.join("store").display());
    config_in(dir, brokers, core, &store, extra)
}

/// Writes a run configuration for the test profile with `store` as its `[store]` table's body (`url =
/// "s3://..."`, retention settings).
pub fn config_in(
    dir: &Path,
    brokers: &str,
    core: Option<&str>,
    store: &str,
    extra: &str,
) -> PathBuf {
    let mut text = format!(
        "[kafka]\nbrokers = \"{brokers}\"\nproofs_topic = \"zkstream.proofs\"\npoll_interval_ms = 20\n\
         [store]\n{store}\n\
         [prover]\nprofile = \"test\"\nkeys_dir = \"{keys}\"\n\
         [sink.file]\ndir = \"{proofs}\"\n",
        keys = keys_dir!().display(),
        proofs = dir.join("proofs").display(),
    );
    if let Some(url) = core {
        text.push_str(&format!(
            "[sink.core]\nurl = \"{url}\"\nbackoff_ms = 50\nmax_backoff_ms = 500\n"
        ));
    }
    text.push_str(extra);
    std::fs::create_dir_all(dir.join("store")).unwrap();
    let path = dir.join("zkstream.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Every artifact file in the store with its modification time and size (the state record excluded).
pub fn artifacts(store: &Path) -> BTreeMap<PathBuf, (SystemTime, u64)> {
    let mut out = BTreeMap::new();
    let mut stack = vec![store.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let m = e.metadata().unwrap();
            if m.is_dir() {
                if p.file_name().is_some_and(|n| n != "state") {
                    stack.push(p);
                }
            } else if !p.to_string_lossy().contains("#") {
                out.insert(p, (m.modified().unwrap(), m.len()));
            }
        }
    }
    out
}

/// A counter line of the run summary (`zkstream_proofs_generated_total N`).
pub fn summary_counter(stdout: &str, name: &str) -> usize {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in the summary:\n{stdout}"))
}
