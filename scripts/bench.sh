#!/usr/bin/env bash
# Builds and runs the benchmarks; prints each result and its ratio to the hand-written baseline.
#   scripts/bench.sh [--benchmark_filter=REGEX]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh proviso_bench >/dev/null
exec "${PROVISO_BUILD_DIR:-build}/bench/proviso_bench" "$@"
