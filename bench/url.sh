#!/usr/bin/env bash
# Reading a dump from a URL: memory stays flat however large the body is.
#   bench/url.sh [--sizes "64 256 1024"] [--no-build]
# Starts tests/live/faultserver on 127.0.0.1 (needs a Go toolchain: $GO, else
# $GORLEAK_GO, else `go` on PATH), which streams a generated debug=2 dump of
# the requested size (never held in memory), and runs
#   gorleak --format json --no-leak-profile URL > /dev/null
# under /usr/bin/time for each size in MiB. Prints a Markdown table: size,
# goroutines, wall seconds, MiB/s, peak RSS. The same bytes read from a file
# are measured too, for comparison (written to $GORLEAK_BENCH_DIR, default
# /tmp/gorleak-bench, and removed afterwards). docs/bench.md has a run.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dir=${GORLEAK_BENCH_DIR:-/tmp/gorleak-bench}
build=${GORLEAK_BENCH_BUILD:-$root/build-bench}
sizes="64 256 1024" do_build=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "url.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
go=${GO:-${GORLEAK_GO:-$(command -v go || true)}}
[[ -x $go ]] || { echo "url.sh: no Go toolchain (set GO=/path/to/go)" >&2; exit 1; }

if (( do_build )); then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$build" gorleak >/dev/null
fi
mkdir -p "$dir"
work=$(mktemp -d)
server_pid=
cleanup() { [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
(cd "$root/tests/live/faultserver" &&
  GOFLAGS= GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=0 timeout 600 "$go" build -o "$work/faultserver" .)
"$work/faultserver" -lifetime 30m >"$work/server.out" &
server_pid=$!
for _ in $(seq 100); do grep -q READY "$work/server.out" 2>/dev/null && break; sleep 0.1; done
addr=$(sed -n 's/^GORLEAK-READY addr=//p' "$work/server.out")
[[ -n $addr ]] || { echo "url.sh: the fault server did not start" >&2; exit 1; }

measure() {  # label source → one table row
  local label=$1 src=$2
  /usr/bin/time -f "%e %M" -o "$work/time" "$build/gorleak" --format json --no-leak-profile \
    "$src" >"$work/report.json"
  read -r secs kib <"$work/time"
  local total
  total=$(grep -m1 -o '"total": [0-9]*' "$work/report.json" | grep -o '[0-9]*$')
  awk -v l="$label" -v m="$mib" -v g="$total" -v s="$secs" -v k="$kib" \
    'BEGIN { printf "| %s | %d | %d | %.2f | %.0f | %.0f |\n", l, m, g, s, (s > 0 ? m / s : 0), k / 1024 }'
}

echo "| source | MiB | goroutines | seconds | MiB/s | peak RSS MiB |"
echo "|---|---:|---:|---:|---:|---:|"
for mib in $sizes; do
  bytes=$((mib * 1024 * 1024))
  measure "URL" "http://$addr/fault/generate?bytes=$bytes"
  "$build/gorleak" --no-leak-profile --save "$dir/url-bench.txt" \
    "http://$addr/fault/generate?bytes=$bytes" >/dev/null
  measure "file" "$dir/url-bench.txt"
  rm -f "$dir/url-bench.txt"
done
