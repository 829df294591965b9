#!/usr/bin/env bash
# Runs every check of the project on a fresh machine: installs what the tests need, then
# formatting, clippy (warnings are errors), the alert rules' checks and unit tests (promtool), and the
# whole test suite in the release profile
# (real proofs in a debug build are far too slow).
set -euo pipefail
cd "$(dirname "$0")/.."

# boojum needs nightly features on the stable toolchain. .cargo/config.toml sets this for every cargo
# command; exporting it too covers tools that bypass cargo's [env].
export RUSTC_BOOTSTRAP=1
# boojum's witness resolver threads: its default stalls on small machines (3 threads plus a broker spin on 2 cores).
cores=$(nproc 2>/dev/null || echo 1)
export BOOJUM_CR_THREADS=${BOOJUM_CR_THREADS:-$(( cores / 4 > 0 ? cores / 4 : 1 ))}

# The release profile keeps line tables for the backtraces of a deployed binary; the suite does not read
# them, and they are most of each test binary (~200 MB, of it ~10 MB code) and much of its compile and
# link time. The same setting for every stage below, so each reuses what the one before compiled.
export CARGO_PROFILE_RELEASE_DEBUG=false

# Each stage prints the seconds since the start, so a slow CI run shows where its time went.
stage() { echo "== $1 (at ${SECONDS} s)"; }

stage "installing test dependencies"
for component in rustfmt clippy; do
  if ! cargo "${component/rustfmt/fmt}" --version >/dev/null 2>&1; then
    rustup component add "$component"
  fi
done
# Tansu, the Kafka-protocol broker the end-to-end tests start (ops/install-tansu.sh).
tansu=$(./ops/install-tansu.sh)
export ZKSTREAM_TANSU_BIN="$tansu"
echo "tansu broker: $ZKSTREAM_TANSU_BIN"
# moto, the S3-compatible server the s3:// store tests start (ops/install-moto.sh).
echo "S3 server: $(./ops/install-moto.sh)"
# Prometheus and promtool (Debian's package, ops/install-prometheus.sh): promtool checks the alert rules
# below; ZKSTREAM_PROMETHEUS_BIN is the server for the end-to-end tests that start one.
prometheus=$(./ops/install-prometheus.sh)
export ZKSTREAM_PROMETHEUS_BIN="$prometheus"
echo "prometheus: $ZKSTREAM_PROMETHEUS_BIN"

stage "cargo fmt --check"
cargo fmt --all --check

stage "cargo clippy"
cargo clippy --workspace --all-targets --release -- -D warnings

stage "alert rules and scrape configuration (promtool)"
promtool check rules ops/alerts.yml
promtool test rules ops/alerts.test.yml
promtool check config ops/prometheus.yml

stage "cargo test (release): build"
cargo test --workspace --release --no-run

# The GPU build (gpu/, its own workspace: see gpu/Cargo.toml) without the CUDA toolkit: CUDA calls are
# stubs, so it must compile, pass clippy, and its GPU tests must skip, saying why. It shares target/
# with the build above and pins the same versions and features (gpu/Cargo.lock, and the feature
# unification in prover/Cargo.toml and gpu/Cargo.toml), so it compiles only what the GPU build adds or
# changes (zkstream's own crates again, for the `cuda` feature and their paths relative to another
# workspace root; about 3 minutes of two cores).
#
# The suite leaves the cores ~14 % idle (brokers, processes starting, waits for a fault to act), so
# the GPU build compiles meanwhile at the lowest priority (nice 19: a proof in the foreground takes
# what it needs). It starts once `cargo test` has released the build directory's lock, which it holds
# only while it checks that the test binaries are fresh; its output is printed after the suite's.
export CARGO_TARGET_DIR="$PWD/target"
gpu_log="$CARGO_TARGET_DIR/gpu-stage.log"
gpu_pid=""
# The GPU build runs in a session of its own, so that an early exit stops all of it.
trap 'if [ -n "$gpu_pid" ]; then kill -- "-$gpu_pid" 2>/dev/null || true; fi' EXIT

stage "cargo test (release): run, with the GPU build beside it"
test_log="$CARGO_TARGET_DIR/test-run.log"
: > "$test_log"
cargo test --workspace --release > >(tee "$test_log") 2>&1 &
test_pid=$!
# The first test binary running means the lock is free.
while ! grep -q "Running" "$test_log" && kill -0 "$test_pid" 2>/dev/null; do sleep 1; done
# Everything but the binary, which would replace target/release/zkstream under the running suite: it
# is linked after the suite.
# A new session is also a new scheduling autogroup, which the kernel shares fairly with the suite's
# whatever its processes' nice values (ci25: the suite's first two binaries ran 2-3x slower): the
# autogroup itself gets nice 19 first (a kernel without autogroups has no file to write: said in the log).
# A script (no job control) runs its background jobs in the script's process group, so setsid need not
# fork: the job's pid is the new session's id, which the trap above signals (-w keeps the exit status
# should it fork after all; the trap could then not stop the build early).
setsid -w nice -n 19 bash -c '{ echo 19 > "/proc/$$/autogroup"; } 2>/dev/null ||
    echo "no scheduling autogroup to renice: the GPU build runs at nice 19 only"
  ./ops/build-gpu.sh --stubs --deps && ZKSYNC_USE_CUDA_STUBS=1 cargo clippy \
  --locked --manifest-path gpu/Cargo.toml --all-targets --release -- -D warnings' > "$gpu_log" 2>&1 &
gpu_pid=$!
wait "$test_pid"

stage "GPU build with CUDA stubs (compiled beside the suite), its clippy and its tests"
gpu_status=0
wait "$gpu_pid" || gpu_status=$?
gpu_pid=""
cat "$gpu_log"
if [ "$gpu_status" != 0 ]; then
  echo "the GPU build or its clippy failed (exit status $gpu_status, above)" >&2
  exit 1
fi
./ops/build-gpu.sh --stubs --test
cargo fmt --manifest-path gpu/Cargo.toml --check

# The systemd units (ops/systemd/) through `systemd-analyze verify`, and the stop timeouts of the units
# and of ops/k8s/statefulset.yaml against the drain timeout. Their ExecStart must name an existing
# executable: target/release/zkstream, which the suite built (cli/tests run it) and the GPU stage just
# relinked as the GPU build; either stands in for both units' binaries, since the check starts nothing.
stage "deployment units (systemd-analyze verify)"
./ops/check-units.sh target/release/zkstream
stage "done"
