#!/usr/bin/env bash
# Installs moto's S3 server (PyPI: moto[server]) if it is missing. The artifact store's s3:// tests start
# it as a separate process on a free loopback port (`python3 -m moto.server`, testkit/src/moto.rs).
set -euo pipefail
if ! python3 -c 'import moto.server, flask' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check 'moto[server]' >&2
fi
python3 -c 'import moto; print("moto", moto.__version__)'
