#!/usr/bin/env bash
# Runs every check of the project on a fresh machine: installs what the tests need, then
# formatting, clippy (warnings are errors) and the whole test suite in the release profile
# (real proofs in a debug build are far too slow).
set -euo pipefail
cd "$(dirname "$0")/.."

# boojum needs nightly features on the stable toolchain. .cargo/config.toml sets this for every cargo
# command; exporting it too covers tools that bypass cargo's [env].
export RUSTC_BOOTSTRAP=1
# boojum's witness resolver threads: its default stalls on small machines (3 threads plus a broker spin on 2 cores).
cores=$(nproc 2>/dev/null || echo 1)
export BOOJUM_CR_THREADS=${BOOJUM_CR_THREADS:-$(( cores / 4 > 0 ? cores / 4 : 1 ))}

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

stage "cargo fmt --check"
cargo fmt --all --check

stage "cargo clippy"
cargo clippy --workspace --all-targets --release -- -D warnings

stage "cargo test (release): build"
cargo test --workspace --release --no-run
# The GPU build (gpu/, its own workspace: see gpu/Cargo.toml) without the CUDA toolkit: CUDA calls are
# stubs, so it must compile, pass clippy, and its GPU tests must skip, saying why. It is a separate
# compilation (its own lock file and features), so it runs beside the test run, at the lowest CPU
# priority: the tests wait on brokers and processes a fifth of the time, and the build fills that idle
# time instead of adding its own minutes. It has its own target directory (ops/build-gpu.sh's default),
# so the `zkstream` binary the tests run is never replaced under them.
gpu_log="$PWD/target/gpu-stage.log"
mkdir -p target
setsid nice -n 19 bash -c '
    set -euo pipefail
    unset CARGO_TARGET_DIR
    ./ops/build-gpu.sh --stubs --test
    cargo fmt --manifest-path gpu/Cargo.toml --check
    ZKSYNC_USE_CUDA_STUBS=1 CARGO_TARGET_DIR="$PWD/target/gpu-build" \
      cargo clippy --manifest-path gpu/Cargo.toml --all-targets --release -- -D warnings
' > "$gpu_log" 2>&1 &
gpu_stage=$!
# setsid: its own process group, so a failed test run stops the whole build with it.
trap 'kill -- "-$gpu_stage" 2>/dev/null || true' EXIT
stage "GPU build with CUDA stubs, its clippy and its tests: started in the background (log: $gpu_log)"

stage "cargo test (release): run"
cargo test --workspace --release

stage "GPU build with CUDA stubs, its clippy and its tests: waiting for it"
if wait "$gpu_stage"; then
  trap - EXIT
  cat "$gpu_log"
else
  cat "$gpu_log"
  echo "the GPU stage failed (its log is above)" >&2
  exit 1
fi
stage "done"
