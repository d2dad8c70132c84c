#!/usr/bin/env bash
# Installs what is missing (Debian packages), configures and builds Proviso in build/.
# Idempotent and incremental: a second run only rebuilds what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
BUILD_DIR=${PROVISO_BUILD_DIR:-build}
if [ ! -f "$BUILD_DIR/build.ninja" ]; then
  cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
fi
ninja -C "$BUILD_DIR" -j2 "$@"
