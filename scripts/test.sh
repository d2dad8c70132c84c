#!/usr/bin/env bash
# The whole test suite: set-up, build, then every test (GoogleTest, golden diagnostics, the
# in-language tests of policies/, differential and Python tests) through ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${PROVISO_BUILD_DIR:-build}
cd "$BUILD_DIR"
ctest --output-on-failure -j2 "$@"
