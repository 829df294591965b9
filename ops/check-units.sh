#!/usr/bin/env bash
# Checks the systemd units in ops/systemd/ with `systemd-analyze verify`:
#
#   ops/check-units.sh [EXECUTABLE]     # default: target/release/zkstream
#
# `systemd-analyze verify` refuses a unit whose ExecStart binary does not exist, and the units name
# their installed paths (/usr/local/bin/zkstream, /usr/local/bin/zkstream-gpu). So the units are copied
# to a temporary directory with ExecStart's binary replaced by EXECUTABLE (any executable file will do:
# the check reads the units, it does not start them), and verified there: zkstream.service, and the
# template zkstream@.service as its instance zkstream@0.service.
#
# systemd-analyze exits 0 on many mistakes (an unknown key, a value it cannot parse, both "ignoring"),
# printing them on stderr, so the check fails on its exit status and on any line of its output that
# names one of these units. Lines about other units (the system's, pulled in as dependencies) are
# shown but do not fail it.
#
# It also checks that each unit's TimeoutStopSec and the StatefulSet's terminationGracePeriodSeconds
# (ops/k8s/statefulset.yaml) exceed the drain timeout ([pipeline] drain_timeout_s in
# ops/zkstream.example.toml and ops/k8s/configmap.yaml, at least its default of 300 s), so that the
# drain is never cut short.
set -euo pipefail
cd "$(dirname "$0")/.."

exe=${1:-target/release/zkstream}
if [ ! -f "$exe" ] || [ ! -x "$exe" ]; then
  echo "check-units: $exe is not an executable file (build it, or pass another executable)" >&2
  exit 2
fi
exe=$(realpath "$exe")
case "$exe" in
  *[!A-Za-z0-9/._+-]*)
    echo "check-units: the path $exe has characters the rewrite does not handle; pass another" >&2
    exit 2 ;;
esac

# A check that is skipped checks nothing: without systemd-analyze, install it (Debian's systemd).
if ! command -v systemd-analyze >/dev/null; then
  echo "check-units: installing systemd-analyze (Debian's systemd package)" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd >&2 ||
    { $SUDO apt-get update -q >&2 &&
      $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends systemd >&2; }
fi

failed=0
fail() { echo "check-units: $*" >&2; failed=1; }

# 1. systemd-analyze verify on copies whose ExecStart runs $exe.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
units=(zkstream.service zkstream@.service)
for unit in "${units[@]}"; do
  cp "ops/systemd/$unit" "$tmp/$unit"
  sed -i -E "s#^ExecStart=/usr/local/bin/zkstream(-gpu)? #ExecStart=$exe #" "$tmp/$unit"
  if ! grep -q "^ExecStart=$exe " "$tmp/$unit"; then
    fail "$unit: no ExecStart=/usr/local/bin/zkstream[-gpu] line to rewrite (update this script)"
  fi
done
status=0
output=$(systemd-analyze verify --man=no "$tmp/zkstream.service" "$tmp/zkstream@0.service" 2>&1) ||
  status=$?
if [ -n "$output" ]; then
  echo "$output"
fi
if [ "$status" != 0 ]; then
  fail "systemd-analyze verify exited with status $status"
fi
if grep -E -q "zkstream(@0|@)?\.service|$tmp" <<<"$output"; then
  fail "systemd-analyze verify reported problems in the units (above)"
fi

# 2. Stop timeouts above the drain timeout.
# The largest drain_timeout_s of the example config and the Kubernetes ConfigMap (300 s if neither sets it).
drain=$( (echo 300; sed -n -E 's/^[[:space:]]*drain_timeout_s[[:space:]]*=[[:space:]]*([0-9]+).*/\1/p' \
  ops/zkstream.example.toml ops/k8s/configmap.yaml) | sort -n | tail -n 1)
for unit in "${units[@]}"; do
  stop=$(sed -n -E 's/^TimeoutStopSec=([0-9]+)$/\1/p' "ops/systemd/$unit")
  if [ -z "$stop" ]; then
    fail "$unit: no TimeoutStopSec=SECONDS (plain seconds, for this check)"
  elif [ "$stop" -le "$drain" ]; then
    fail "$unit: TimeoutStopSec=$stop does not exceed drain_timeout_s = $drain"
  fi
done
grace=$(sed -n -E 's/^[[:space:]]*terminationGracePeriodSeconds:[[:space:]]*([0-9]+).*/\1/p' \
  ops/k8s/statefulset.yaml)
if [ -z "$grace" ]; then
  fail "ops/k8s/statefulset.yaml: no terminationGracePeriodSeconds"
elif [ "$grace" -le "$drain" ]; then
  fail "ops/k8s/statefulset.yaml: terminationGracePeriodSeconds $grace does not exceed drain_timeout_s = $drain"
fi

if [ "$failed" != 0 ]; then
  exit 1
fi
echo "check-units: ${units[*]} verified by $(systemd-analyze --version | head -n 1) (ExecStart: $exe);" \
  "stop timeouts exceed the drain timeout ($drain s)"
