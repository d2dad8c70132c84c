#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets from the repository as it is now (nothing here is a
# copy: the seeds are the repo's own policies, goldens, examples and law files, plus a few small
# hostile shapes from issue 22 written below).
#   fuzz/seed_corpora.sh [OUT]   (default build-fuzz/seeds) -> OUT/<target>/...
# Rerunning replaces OUT. The corpora libFuzzer grows live elsewhere (fuzz/run.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${1:-build-fuzz/seeds}
rm -rf "$OUT"
mkdir -p "$OUT"/{fuzz_policy,fuzz_facts,fuzz_law,fuzz_differential,fuzz_batch}

# Copies each file to DIR under a name made from its path (policies/cn/x.proviso -> policies_cn_x.proviso).
seed() {
  local dir=$1; shift
  local f
  for f in "$@"; do
    [ -f "$f" ] && cp "$f" "$dir/$(echo "$f" | tr '/' '_')"
  done
  return 0
}

# Policy text: every policy, golden (good and bad), conformance case and benchmark policy.
shopt -s nullglob globstar
seed "$OUT/fuzz_policy" policies/**/*.proviso tests/golden/good/*.proviso tests/golden/bad/*.proviso \
  tests/golden/*/lib/*.proviso tests/conformance/dmn/*.proviso bench/*.proviso
# Shapes that once crashed or hung (issue 22): a record that contains itself, a chain of functions
# each calling the previous twice, `==` on a recursive record, deep parentheses.
cat > "$OUT/fuzz_policy/shape_recursive_record.proviso" <<'P'
policy shape
record R { name: text  kids: list<R> }
input { r: R  s: R }
output same: bool
rule eq { then same = r == s }
output n: int
rule count_kids { then n = count k in r.kids where k.name == "x" }
P
{
  echo "policy chain"
  echo "input { x: int }"
  echo "function f0(n: int): int = n + 1"
  for i in $(seq 1 40); do echo "function f$i(n: int): int = f$((i-1))(n) + f$((i-1))(n + 1)"; done
  echo "output y: int"
  echo "rule r { then y = f40(x) }"
} > "$OUT/fuzz_policy/shape_function_chain.proviso"
{
  echo "policy parens"
  echo "input { x: int }"
  echo "output y: int"
  printf 'rule r { then y = '; for _ in $(seq 200); do printf '('; done; printf 'x'
  for _ in $(seq 200); do printf ')'; done; echo ' }'
} > "$OUT/fuzz_policy/shape_deep_parens.proviso"

# Facts JSON: every example facts file, and shapes the facts path must refuse cleanly.
seed "$OUT/fuzz_facts" policies/cn/examples/*.json
printf '{"object": "core", "object": "bogus"}' > "$OUT/fuzz_facts/shape_duplicate_key.json"
python3 -c 'print("{\"a\":" * 70 + "1" + "}" * 70)' > "$OUT/fuzz_facts/shape_deep_objects.json"
python3 -c 'print("[" * 100 + "]" * 100)' > "$OUT/fuzz_facts/shape_deep_arrays.json"
printf '{"records_kept_for": "9223372036854775807 days", "call_ended_on": "9999-12-31", "n": 9223372036854775808}' \
  > "$OUT/fuzz_facts/shape_extremes.json"
printf '{"destination": "\\ud800", "approved": 1e400}' > "$OUT/fuzz_facts/shape_surrogate.json"

# Law files.
seed "$OUT/fuzz_law" policies/**/*.law tests/golden/**/*.law

# Differential: a first byte below 0xFF chooses the policy (fuzz_differential.cc sorts the corpus the same
# way), the rest seeds the generated facts; one seed per policy.
n=$(ls policies/cn/*.proviso tests/golden/good/*.proviso tests/conformance/dmn/*.proviso bench/*.proviso | wc -l)
for ((k = 0; k < n && k < 256; k++)); do
  printf "$(printf '\\%03o' "$k")seed" > "$OUT/fuzz_differential/policy_$k"
done

# ... and 0xFF then policy text: the golden programs, for the JIT on mutated programs.
for f in tests/golden/good/*.proviso tests/conformance/dmn/*.proviso; do
  { printf '\377'; cat "$f"; } > "$OUT/fuzz_differential/text_$(echo "$f" | tr '/' '_')"
done

# Batch: a first byte per batchable policy (fuzz_batch.cc keeps those of the same sorted corpus), then
# bytes read as rows; a few row counts each.
for ((k = 0; k < 64; k++)); do
  printf "$(printf '\\%03o\\%03o' "$k" $((k * 7 % 64)))\x01\x00\x02\xff" > "$OUT/fuzz_batch/policy_$k"
done

for t in fuzz_policy fuzz_facts fuzz_law fuzz_differential fuzz_batch; do
  echo "seed_corpora: $t: $(ls "$OUT/$t" | wc -l) seeds" >&2
done
