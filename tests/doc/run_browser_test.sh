#!/usr/bin/env bash
# The browser test of `proviso doc` (tests/doc/CMakeLists.txt). Never skips: a missing tool is a failure
# that says what to install.
#   run_browser_test.sh install WORK            puppeteer-core (package-lock.json) into WORK/node_modules
#   run_browser_test.sh site PROVISO ROOT WORK  the site of ROOT/policies, opened page by page in chromium
#   run_browser_test.sh broken WORK             the check itself fails on tests/doc/broken_site
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fail() { echo "FAIL: $*" >&2; exit 1; }

need_tools() {
  command -v node >/dev/null 2>&1 || fail "node is not installed (scripts/setup.sh installs Node.js)"
  command -v npm >/dev/null 2>&1 || fail "npm is not installed (scripts/setup.sh installs Node.js with npm)"
  [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || fail "no chromium at ${CHROMIUM:-/usr/bin/chromium} (scripts/setup.sh installs Debian's chromium)"
}

check() {  # check WORK ARGS...: check_site.js with the installed puppeteer-core
  local work="$1"; shift
  [ -f "$work/node_modules/puppeteer-core/package.json" ] ||
    fail "puppeteer-core is not installed in $work (the doc/npm-install test does it: run ctest -R doc/)"
  NODE_PATH="$work/node_modules" node "$HERE/check_site.js" "$@"
}

case "${1:-}" in
  install)
    work="$2"
    need_tools
    mkdir -p "$work"
    # Idempotent: nothing to do when the lock file installed last time is the one here.
    if [ -f "$work/node_modules/puppeteer-core/package.json" ] && cmp -s "$HERE/package-lock.json" "$work/installed-lock.json"; then
      echo "puppeteer-core already installed in $work"
      exit 0
    fi
    cp "$HERE/package.json" "$HERE/package-lock.json" "$work/"
    # --prefer-offline: the npm cache is enough once it has the packages; the first install needs the registry.
    if ! (cd "$work" && npm ci --prefer-offline --no-audit --no-fund --loglevel=error); then
      fail "npm ci failed in $work (the first install needs the npm registry; later ones use npm's cache)"
    fi
    cp "$HERE/package-lock.json" "$work/installed-lock.json"
    ;;
  site)
    proviso="$2" root="$3" work="$4"
    need_tools
    site="$(mktemp -d)"
    trap 'rm -rf "$site"' EXIT
    (cd "$root" && "$proviso" doc policies --out "$site/site") || fail "proviso doc policies failed"
    check "$work" "$site/site"
    ;;
  broken)
    work="$2"
    need_tools
    check "$work" "$HERE/broken_site" --expect-problems
    ;;
  *)
    fail "usage: run_browser_test.sh install WORK | site PROVISO ROOT WORK | broken WORK"
    ;;
esac
