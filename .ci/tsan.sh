#!/usr/bin/env bash
# The tests that run the threaded loaders (one input split across threads,
# several files loaded at once), built with ThreadSanitizer. Any data race
# report fails the run.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
build="${TSAN_BUILD_DIR:-$src/build-tsan}"
"$src/.ci/install-deps"

cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGORLEAK_TSAN=ON -DGORLEAK_TESTS=ON -DGORLEAK_BENCH=OFF >/dev/null
ninja -C "$build" -j"${JOBS:-$(nproc)}" gorleak test_split test_load_many

logs="$build/tsan-logs"
rm -rf "$logs"
mkdir -p "$logs"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$logs/tsan"
status=0
(cd "$build" && ctest --output-on-failure -R '^(test_split|test_load_many)$') || status=1
if compgen -G "$logs/*" >/dev/null; then
  echo "thread sanitizer reports:"
  for f in "$logs"/*; do echo "== $f"; head -60 "$f"; done
  status=1
fi
exit $status
