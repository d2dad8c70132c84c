#!/usr/bin/env bash
# Installs Proviso into a temporary prefix, builds examples/embed against the installed package
# with find_package(Proviso), and runs it on a policy.
#   installed_example.sh BUILD_DIR SOURCE_DIR POLICY FACTS AS_OF EXPECTED_SUBSTRING
set -euo pipefail
build=$1 src=$2 policy=$3 facts=$4 as_of=$5 expect=$6
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$src/examples/embed" -B "$work/embed" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/embed" >/dev/null
out=$("$work/embed/embed" "$policy" "$facts" "$as_of")
echo "$out"
grep -qF -- "$expect" <<<"$out"
