#!/usr/bin/env bash
# A bounded fuzzing run (docs/fuzzing.md): builds the libFuzzer targets in build-fuzz/ (clang-19,
# ASan + UBSan) if needed, rebuilds the seed corpora from the repository, and runs each target for
# SECONDS (default 60) on its corpus. Exits non-zero when a target crashes, hangs (-timeout), runs
# out of memory (-rss_limit_mb) or fails to build; the input that did it is in
# build-fuzz/artifacts/<target>/ and the run's log in build-fuzz/logs/<target>.log.
#   fuzz/run.sh [SECONDS]
# Environment:
#   PROVISO_FUZZ_TARGETS   targets to run (default: all five, fuzz_policy fuzz_facts fuzz_law
#                          fuzz_differential fuzz_batch)
#   PROVISO_FUZZ_JOBS      ninja jobs for the build (default 2)
#   PROVISO_FUZZ_DIR       build folder (default build-fuzz)
#   PROVISO_FUZZ_ARGS      more libFuzzer flags (e.g. -jobs=2 -workers=2)
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET=${1:-60}
BUILD=${PROVISO_FUZZ_DIR:-build-fuzz}
TARGETS=${PROVISO_FUZZ_TARGETS:-fuzz_policy fuzz_facts fuzz_law fuzz_differential fuzz_batch}

bash scripts/setup.sh
if [ ! -f "$BUILD/build.ninja" ]; then
  # -O1 -g: libFuzzer's usual level (quick to build, readable stacks), assertions of the headers on.
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++-19 -DPROVISO_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g" >/dev/null
fi
ninja -C "$BUILD" -j"${PROVISO_FUZZ_JOBS:-2}" $TARGETS

bash fuzz/seed_corpora.sh "$BUILD/seeds"
export LSAN_OPTIONS="suppressions=$PWD/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
failed=()
for t in $TARGETS; do
  corpus="$BUILD/corpus/$t"        # what libFuzzer finds, kept between runs
  artifacts="$BUILD/artifacts/$t"  # crash-*, timeout-*, oom-*, leak-*
  mkdir -p "$corpus" "$artifacts" "$BUILD/logs"
  log="$BUILD/logs/$t.log"
  echo "fuzz: $t for ${SECONDS_PER_TARGET}s" >&2
  # The LLVM targets compile their corpus for the JIT first: more time and memory per input.
  limits="-timeout=10 -rss_limit_mb=2048"
  case $t in fuzz_differential|fuzz_batch) limits="-timeout=60 -rss_limit_mb=4096" ;; esac
  if "$BUILD/fuzz/$t" -max_total_time="$SECONDS_PER_TARGET" $limits \
       -dict=fuzz/proviso.dict -print_final_stats=1 -artifact_prefix="$artifacts/" \
       ${PROVISO_FUZZ_ARGS:-} "$corpus" "$BUILD/seeds/$t" >"$log" 2>&1; then
    echo "fuzz: $t: $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') inputs, no crash" >&2
  else
    failed+=("$t")
    echo "fuzz: $t FAILED (log $log, input in $artifacts/):" >&2
    grep -E "ERROR|SUMMARY|Test unit written|what\(\)|differ" "$log" | head -20 >&2 || tail -40 "$log" >&2
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: crashes in ${failed[*]}: reproduce with $BUILD/fuzz/<target> <input> (docs/fuzzing.md)" >&2
  exit 1
fi
