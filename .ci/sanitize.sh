#!/usr/bin/env bash
# The whole test suite built with ASan + UBSan (-DGORLEAK_SANITIZE=ON).
# Fails on any failing test and on any sanitizer report, including reports
# from the gorleak binary that tests run as a child process: every report
# is also written under $build/sanitizer-logs, which must stay empty.
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
build="${SANITIZE_BUILD_DIR:-$src/build-sanitize}"
"$src/.ci/install-deps"

# -O1 -g1 (line tables only): what the sanitizers recommend, and quicker
# to build than -O2 -g on CI's two cores.
cmake -S "$src" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" \
  -DGORLEAK_SANITIZE=ON -DGORLEAK_TESTS=ON -DGORLEAK_BENCH=OFF >/dev/null
ninja -C "$build" -j"${JOBS:-$(nproc)}"

logs="$build/sanitizer-logs"
rm -rf "$logs"
mkdir -p "$logs"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$logs/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
export LSAN_OPTIONS="log_path=$logs/lsan"

source "$src/.ci/deps.sh"
ctest_without_reports "$build" "$logs" -j"${JOBS:-$(nproc)}"
