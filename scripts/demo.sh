#!/usr/bin/env bash
# The main job: set-up and build if needed, then check a policy from policies/, run its own tests,
# and evaluate example facts with an explanation and a what-if override.
#   scripts/demo.sh [POLICY [FACTS]]
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== building proviso (the first build takes several minutes; later ones only what changed)" >&2
bash scripts/build.sh proviso >&2
PROVISO=${PROVISO_BUILD_DIR:-build}/tools/proviso
POLICY=${1:-policies/cn/call_center.proviso}
FACTS=${2:-policies/cn/examples/$(basename "$POLICY" .proviso).json}
echo "== proviso check $POLICY"
"$PROVISO" check "$POLICY"
echo "== proviso test $POLICY"
"$PROVISO" test "$POLICY"
AS_OF=${AS_OF:-2020-09-01}
echo "== proviso eval $POLICY --facts $FACTS --as-of $AS_OF --explain"
"$PROVISO" eval "$POLICY" --facts "$FACTS" --as-of "$AS_OF" --explain
