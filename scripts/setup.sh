#!/usr/bin/env bash
# Installs every Debian package that building, running and testing Proviso needs.
# Idempotent: packages already present are not reinstalled, and apt is not touched at all
# when everything is there. Run as root (CI and the dev machines are root) or with sudo.
set -euo pipefail

PACKAGES=(
  g++ cmake ninja-build ccache pkg-config
  antlr4 libantlr4-runtime-dev uuid-dev
  llvm-19-dev
  libfmt-dev libgtest-dev libgmock-dev libbenchmark-dev nlohmann-json3-dev libcli11-dev libz3-dev
  pybind11-dev python3-dev python3-numpy python3-pandas python3-pytest
  python3-venv python3-pip python3-setuptools python3-wheel
  python3-matplotlib python3-nbclient python3-nbformat python3-ipykernel python3-jsonschema
  python3-dask python3-distributed python3-tqdm  # tqdm: evaluate_frame(progress=True)
  valgrind
  chromium  # tests/doc/: the `proviso doc` site opened headless by puppeteer-core (Node.js, below)
  clang-19 libfuzzer-19-dev libclang-rt-19-dev  # fuzz/: libFuzzer targets with ASan + UBSan (docs/fuzzing.md)
)
# Node.js with npm: a machine may carry its own build (NodeSource bundles npm, and conflicts with Debian's
# npm package), so Debian's packages are asked for only when the commands are absent.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PACKAGES+=(nodejs npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
