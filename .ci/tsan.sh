#!/usr/bin/env bash
# The tests that run the threaded loaders (one input split across threads,
# several files loaded at once), built with ThreadSanitizer. Any data race
# report fails the run.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
build="${TSAN_BUILD_DIR:-$src/build-tsan}"
"$src/.ci/install-deps"

# -O1 -g1 (line tables only): what the sanitizers recommend, and quicker
# to build than -O2 -g on CI's two cores.
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DGORLEAK_TSAN=ON -DGORLEAK_TESTS=ON -DGORLEAK_BENCH=OFF >/dev/null
ninja -C "$build" -j"${JOBS:-$(nproc)}" gorleak test_split test_load_many

logs="$build/tsan-logs"
rm -rf "$logs"
mkdir -p "$logs"
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:log_path=$logs/tsan"
source "$src/.ci/deps.sh"
ctest_without_reports "$build" "$logs" -R '^(test_split|test_load_many)$'
