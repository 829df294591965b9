#!/usr/bin/env bash
# The mixed-fault chaos harness (cli/tests/chaos.rs) for as long as asked: episodes of valid batches
# mixed with bad records of every kind, `kill -9` of `zkstream run` at random moments, a frozen broker
# (SIGSTOP/SIGCONT) and a core answering 503, each checked for lost, repeated or reordered batches,
# missing dead letters, offsets committed past unsettled records and recomputed proofs. Prints a summary
# (runs, kills, records, dead letters, recomputed proofs). The suite runs one short episode of it.
#
#   ops/chaos.sh [--minutes M] [--seed S]      (defaults: 10 minutes, a seed from the clock)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes=10
seed=$(date +%s)
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
export RUSTC_BOOTSTRAP=1
export BOOJUM_CR_THREADS=${BOOJUM_CR_THREADS:-1}
ZKSTREAM_TANSU_BIN=$(./ops/install-tansu.sh)
export ZKSTREAM_TANSU_BIN
echo "chaos: $minutes minute(s), seed $seed"
ZKSTREAM_CHAOS_MINUTES=$minutes ZKSTREAM_CHAOS_SEED=$seed \
  cargo test --release -p zkstream-cli --test chaos -- --nocapture
