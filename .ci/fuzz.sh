#!/usr/bin/env bash
# A bounded libFuzzer run of every target (tests/fuzz/run.sh) under ASan +
# UBSan, FUZZ_SECONDS each (default 60). Fails on any finding; the crashing
# input is printed as base64 so it can be turned into a regression test.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
. "$src/.ci/deps.sh"
"$src/.ci/install-deps"
ensure_packages clang libclang-rt-14-dev

export FUZZ_BUILD_DIR="${FUZZ_BUILD_DIR:-$src/build-fuzz}"
if ! "$src/tests/fuzz/run.sh" "${FUZZ_SECONDS:-60}"; then
  for f in "$FUZZ_BUILD_DIR"/fuzz-artifacts/*/*; do
    [ -f "$f" ] || continue
    echo "== finding: $f ($(stat -c %s "$f") bytes)"
    base64 "$f" | head -c 20000
    echo
  done
  exit 1
fi
