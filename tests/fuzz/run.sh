#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for
# SECONDS (default 60), as many at once as there are cores
# ($FUZZ_PARALLEL), niced so other work keeps the CPU. Exits non-zero on any finding; crash inputs land in
# $BUILD/fuzz-artifacts/<target>/. Seeds come from corpus/dumps (small
# dumps), tests/data/hostile and rules/, generated into $BUILD/fuzz-seeds each run; the grown
# corpus is kept in $BUILD/fuzz-corpus between runs.
#
#   tests/fuzz/run.sh [SECONDS]            every target
#   FUZZ_TARGETS="fuzz_parse" tests/fuzz/run.sh 600
#   build-fuzz/tests/fuzz/fuzz_parse CRASH_FILE   replay one input
set -euo pipefail

seconds="${1:-60}"
src="$(cd "$(dirname "$0")/../.." && pwd)"
build="${FUZZ_BUILD_DIR:-$src/build-fuzz}"
targets="${FUZZ_TARGETS:-fuzz_parse fuzz_rules fuzz_diff fuzz_profile}"

if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$src" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER=clang++ \
    -DGORLEAK_FUZZ=ON -DGORLEAK_TESTS=OFF -DGORLEAK_BENCH=OFF >/dev/null
fi
nice -n 10 ninja -C "$build" $targets >/dev/null

# Seeds: one byte of mode (see fuzz_parse.cpp / fuzz_diff.cpp) + real text.
seeds="$build/fuzz-seeds"
rm -rf "$seeds"
mkdir -p "$seeds/fuzz_parse" "$seeds/fuzz_rules" "$seeds/fuzz_diff" "$seeds/fuzz_profile"
max_seed=16384
n=0
for f in "$src"/corpus/dumps/*.txt; do
  [ -f "$f" ] || continue
  [ "$(stat -c %s "$f")" -le "$max_seed" ] || continue
  n=$((n + 1))
  { printf '\x00'; cat "$f"; } >"$seeds/fuzz_parse/plain-$n"
  { printf '\x18'; cat "$f"; } >"$seeds/fuzz_parse/report-$n"
  { printf '\x20'; cat "$f"; } >"$seeds/fuzz_parse/split-$n"
done
# Names a terminal, a browser or a format's syntax would interpret.
for f in "$src"/tests/data/hostile/*.txt; do
  [ -f "$f" ] || continue
  b="$(basename "$f" .txt)"
  { printf '\x18'; cat "$f"; } >"$seeds/fuzz_parse/$b"
  { printf '\x08'; cat "$f"; printf '\n=====\n'; cat "$f"; } >"$seeds/fuzz_diff/$b"
done
for f in "$src"/rules/*.yaml; do
  cp "$f" "$seeds/fuzz_rules/"
done
# Diff seeds: the idle/loaded/after series of each program, and idle/after.
for idle in "$src"/corpus/dumps/series-*.idle.*.txt; do
  [ -f "$idle" ] || continue
  loaded="${idle/.idle./.loaded.}"
  after="${idle/.idle./.after.}"
  [ -f "$loaded" ] && [ -f "$after" ] || continue
  [ "$(cat "$idle" "$loaded" "$after" | wc -c)" -le 24576 ] || continue
  base="$(basename "$idle" .txt)"
  { printf '\x08'; cat "$idle"; printf '\n=====\n'; cat "$after"; } >"$seeds/fuzz_diff/$base-2"
  { printf '\x08'; cat "$idle"; printf '\n=====\n'; cat "$loaded";
    printf '\n=====\n'; cat "$after"; } >"$seeds/fuzz_diff/$base-3"
done
n=0
for f in "$src"/corpus/dumps/*.debug1.txt; do
  [ "$(stat -c %s "$f")" -le 8192 ] || continue
  d2="${f%.debug1.txt}.debug2.txt"
  [ -f "$d2" ] && [ "$(stat -c %s "$d2")" -le 8192 ] || continue
  n=$((n + 1))
  { printf '\x00'; cat "$f"; printf '\n=====\n'; cat "$d2"; } >"$seeds/fuzz_diff/cross-$n"
done

# Profile seeds: the corpus heap profiles, protobuf (gunzipped, for the
# decoder alone: mode byte 1) and debug=1 text (front door: mode byte 0).
n=0
for f in "$src"/corpus/profiles/*.heap.pb.gz "$src"/corpus/dumps/*.goroutine.pb.gz; do
  [ -f "$f" ] || continue
  n=$((n + 1))
  { printf '\x01'; gzip -dc "$f"; } >"$seeds/fuzz_profile/pb-$n"
  { printf '\x00'; cat "$f"; } >"$seeds/fuzz_profile/gz-$n"
done
for f in "$src"/corpus/profiles/*.heap1.txt; do
  [ -f "$f" ] && [ "$(stat -c %s "$f")" -le 32768 ] || continue
  n=$((n + 1))
  { printf '\x00'; cat "$f"; } >"$seeds/fuzz_profile/text-$n"
done

# One target's run; its exit status says whether it found a problem.
run_target() {
  local t=$1 corpus="$build/fuzz-corpus/$1" artifacts="$build/fuzz-artifacts/$1" dict max_len
  mkdir -p "$corpus" "$artifacts"
  case "$t" in
    fuzz_rules) dict="$src/tests/fuzz/rules.dict"; max_len=16384 ;;
    fuzz_diff) dict="$src/tests/fuzz/parse.dict"; max_len=32768 ;;
    *) dict="$src/tests/fuzz/parse.dict"; max_len=32768 ;;
  esac
  nice -n 10 "$build/tests/fuzz/$t" "$corpus" "$seeds/$t" -dict="$dict" \
    -max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 >"$build/fuzz-$t.log" 2>&1
}

# As many targets at once as there are cores (each still gets a core for
# its $seconds), then each one's verdict in order.
parallel=${FUZZ_PARALLEL:-$(nproc)}
declare -A pid result
running=()
for t in $targets; do
  echo "== $t: ${seconds}s, log $build/fuzz-$t.log"
  run_target "$t" &
  pid[$t]=$!
  running+=("$t")
  if (( ${#running[@]} >= parallel )); then
    first=${running[0]}
    wait "${pid[$first]}" && result[$first]=0 || result[$first]=1
    running=("${running[@]:1}")
  fi
done
for t in "${running[@]}"; do
  wait "${pid[$t]}" && result[$t]=0 || result[$t]=1
done
status=0
for t in $targets; do
  if (( result[$t] != 0 )); then
    status=1
    echo "!! $t found a problem:"
    grep -E 'ERROR|invariant broken|runtime error|Test unit written' "$build/fuzz-$t.log" | head -20
  fi
  grep -E '^stat::number_of_executed_units|^Done [0-9]+ runs' "$build/fuzz-$t.log" || true
done
exit $status
