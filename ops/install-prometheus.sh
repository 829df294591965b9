#!/usr/bin/env bash
# Installs Prometheus (Debian's `prometheus` package: the server and promtool) if either is missing,
# and prints the path of the `prometheus` binary. ops/test.sh checks and unit-tests ops/alerts.yml with
# promtool, and exports the path as ZKSTREAM_PROMETHEUS_BIN for the end-to-end tests that start the
# server as a separate process.
set -euo pipefail
if ! command -v prometheus >/dev/null 2>&1 || ! command -v promtool >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  install_prometheus() {
    $SUDO env DEBIAN_FRONTEND=noninteractive \
      apt-get install -y -q --no-install-recommends prometheus >&2
  }
  # A fresh machine's package lists may be missing or stale: update them only if the install fails.
  if ! install_prometheus; then
    $SUDO apt-get update -q >&2
    install_prometheus
  fi
fi
command -v prometheus
