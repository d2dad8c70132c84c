#!/usr/bin/env bash
# The install steps of docs/sdk-python.md in a temporary directory: a venv with the system's
# numpy/pandas, an offline pip install of the source tree, then the package used from elsewhere.
#   pip_install.sh SOURCE_DIR CMAKE_BUILD_DIR
# CMAKE_BUILD_DIR is kept between runs (incremental; ccache makes a fresh one quick).
set -euo pipefail
src=$(cd "$1" && pwd) cmake_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 -m venv --system-site-packages "$tmp/venv"
(cd "$src" && PROVISO_CMAKE_BUILD_DIR="$cmake_dir" "$tmp/venv/bin/pip" install -q --no-build-isolation --no-index .)
cd "$tmp"
env -u PYTHONPATH "$tmp/venv/bin/python" - "$src" "$tmp/venv" <<'PY'
import json, sys
from pathlib import Path

import proviso

src, venv = Path(sys.argv[1]), Path(sys.argv[2])
assert Path(proviso.__file__).resolve().is_relative_to(venv.resolve()), proviso.__file__
# The extension's runtime library is the one installed beside it, not the build tree's.
maps = Path("/proc/self/maps").read_text()
libs = {line.split()[-1] for line in maps.splitlines() if "libproviso" in line}
assert libs and all(Path(l).resolve().is_relative_to(venv.resolve()) for l in libs), libs
policy = proviso.compile(src / "policies/cn/benchmark_policy.proviso")
facts = json.loads((src / "policies/cn/examples/benchmark_policy.json").read_text())
d = policy.evaluate(facts, as_of="2020-09-01")
assert d.obligations[0].violated and d["level"] == 4, d
print("installed", proviso.__version__, "from", Path(proviso.__file__).parent, "->", d)
PY
# Nothing written into the source tree outside the CMake build directory.
cd "$src"
if [ -n "$(git status --porcelain --ignored -- build/lib* build/bdist* '*.egg-info' 2>/dev/null)" ]; then
  echo "pip install wrote into the source tree:" >&2
  git status --porcelain --ignored -- build/lib* build/bdist* '*.egg-info' >&2
  exit 1
fi
