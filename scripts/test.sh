#!/usr/bin/env bash
# The whole test suite: set-up, build, then every test (GoogleTest, golden diagnostics, the
# in-language tests of policies/, differential and Python tests) through ctest; then a bounded
# fuzzing run (fuzz/run.sh, docs/fuzzing.md): the five libFuzzer targets in their own clang build
# (build-fuzz/), PROVISO_FUZZ_SECONDS each (default 30; 0 skips it), failing on any crash; then the
# sanitizer run (scripts/sanitize.sh: ASan + UBSan and TSan builds of their own; PROVISO_SANITIZE_RUN=0
# skips it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh
BUILD_DIR=${PROVISO_BUILD_DIR:-build}
(cd "$BUILD_DIR" && ctest --output-on-failure -j2 "$@")
FUZZ_SECONDS=${PROVISO_FUZZ_SECONDS:-30}
if [ "$FUZZ_SECONDS" != 0 ]; then
  fuzz/run.sh "$FUZZ_SECONDS"
fi
if [ "${PROVISO_SANITIZE_RUN:-1}" != 0 ]; then
  bash scripts/sanitize.sh all
fi
