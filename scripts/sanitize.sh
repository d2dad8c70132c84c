#!/usr/bin/env bash
# The test suite under sanitizers (docs/fuzzing.md, "Sanitizers"), each in its own clang build:
#   build-asan/  ASan + UBSan: the unit, golden, cli, lsp and differential tests (ctest), that is
#                everything but the tests that run whole policies through the CLI again (policy,
#                conformance, decision, law, fmt, doc: the same code paths, and the browser), the
#                corpus run twice with the disk cache (10 minutes under ASan) and the deliberate
#                codegen bug
#   build-tsan/  TSan: the concurrency tests (many threads evaluating; hot reload under load)
# Exits non-zero on any failing test or sanitizer report.
#   scripts/sanitize.sh [asan|tsan|all]      (default all)
# Environment: PROVISO_SANITIZE_JOBS (default 2) build and test jobs; PROVISO_SANITIZE_EXCLUDE a
# ctest -E regex instead of the default (e.g. '^$' for the whole suite).
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT=${1:-all}
JOBS=${PROVISO_SANITIZE_JOBS:-2}
bash scripts/setup.sh

# configure DIR SANITIZERS: clang at -O1 with line tables (readable reports, quick to build).
configure() {
  if [ ! -f "$1/build.ninja" ]; then
    # C too (the C ABI's test): one compiler, one sanitizer runtime.
    cmake -S . -B "$1" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 -DCMAKE_C_COMPILER=clang-19 -DPROVISO_SANITIZE="$2" \
          -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -gline-tables-only" \
          -DPython_EXECUTABLE=/usr/bin/python3 >/dev/null
  fi
}

# A report stops the process with an error (exit code 66 for ASan and TSan, the default for UBSan
# with -fno-sanitize-recover); ctest then counts the test as failed.
# detect_odr_violation=0: the compiler's static libraries are linked both into libproviso.so and into
# the test executables (which test their internals), so their globals are registered twice; that is
# the build's layout, not a defect ASan could find. Leaks: fuzz/lsan.supp (LLVM's process-lifetime
# allocations).
export ASAN_OPTIONS="detect_odr_violation=0:exitcode=66${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export TSAN_OPTIONS="halt_on_error=1:exitcode=66${TSAN_OPTIONS:+:$TSAN_OPTIONS}"

if [ "$WHAT" = all ] || [ "$WHAT" = asan ]; then
  echo "sanitize: ASan + UBSan build (build-asan/)" >&2
  configure build-asan "address,undefined"
  ninja -C build-asan -j"$JOBS"
  EXCLUDE=${PROVISO_SANITIZE_EXCLUDE:-'^(policy|policy-interp|conformance|decision|decision-unknown|law|fmt|watch|doc|sdk)/|^policy-coverage$|^differential/(with_disk_cache|detects_a_codegen_bug)$|^lsp/every-policy$'}
  (cd build-asan && ctest --output-on-failure -j"$JOBS" --timeout 600 -E "$EXCLUDE")
fi
if [ "$WHAT" = all ] || [ "$WHAT" = tsan ]; then
  echo "sanitize: TSan build (build-tsan/)" >&2
  configure build-tsan thread
  ninja -C build-tsan -j"$JOBS" proviso_concurrency_tests
  build-tsan/tests/unit/proviso_concurrency_tests
fi
