#!/usr/bin/env bash
# Builds the benchmark inputs into a data directory outside git:
#   bench/make-inputs.sh [--force] [--huge] [DIR]
# DIR defaults to $GORLEAK_BENCH_DIR or /tmp/gorleak-bench. Existing files are
# kept unless --force. docs/bench.md explains every file; in short:
#
#   base-d2.txt / base-d1.txt   one real dump of bench/gen: 100k goroutines,
#                               10k stack shapes, 2000 loopback conn pairs
#   d2-256m.txt d2-1g.txt d2-4g.txt
#                               base-d2 grown by bench/scale (renumbered ids,
#                               varied wait minutes, ≈10k distinct stacks)
#   d1-1g.txt                   base-d1 appended as successive profiles, counts
#                               drifting (a sidecar collecting every minute)
#   d2-20m.txt                  20 MiB debug=2 for profiling (perf, callgrind)
#   diff-idle.d2.txt diff-loaded.d2.txt (+ .d1.txt)
#                               one process, 100k goroutines, before and after
#                               20k leaking goroutines were started
#   d2-1m-direct.txt (--huge)   1M goroutines dumped directly (≈3.4 GiB; the
#                               generator needs ≈11 GiB RAM for it)
#   diff-idle-1g.d2.txt diff-loaded-1g.d2.txt
#                               the diff pair grown to 1 GiB each (diff, trend)
#
# and the shapes of issue 16, written by bench/shapes (synthetic text in Go
# 1.22's format over a large service's vocabulary; each with a .meta file):
#   distinct-200k.txt           200k goroutines, 50k distinct stacks, depths 5–40
#   onestack-300k.txt           300k goroutines, each its own stack (1–2 frames)
#   short-512m.txt              512 MiB of 1–3-frame stacks (≈500 B a goroutine)
#   crashloop-460m.txt          one crash repeated: 460 MiB of `goroutine 1 [running]:`
#   crashes-200k.txt            200k crash records, 12 causes in runs, log lines between
#
#   heap-100m.pb heap-100m.pb.gz heap-100m-distinct.pb
#                               100 MiB heap profiles (protobuf) in Go's layout
#                               from gorleak-gen-pprof (built here with CMake):
#                               10k stacks repeated, gzipped as Go serves it,
#                               and 400k distinct stacks
#
# Needs a Go toolchain (stdlib only, no network): $GO, else `go` from
# /work/shared/tools/fetch-go $GO_VERSION (default 1.22), else `go` on PATH.
set -euo pipefail

force=0 huge=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --force) force=1; shift ;;
    --huge) huge=1; shift ;;
    -h|--help) sed -n '2,32p' "$0"; exit 0 ;;
    -*) echo "make-inputs: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
dir=${1:-${GORLEAK_BENCH_DIR:-/tmp/gorleak-bench}}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir/bin"

# ---- Go toolchain ----
go_bin=${GO:-}
if [[ -z $go_bin ]]; then
  ver=${GO_VERSION:-1.22}
  if [[ -x /work/shared/tools/fetch-go ]] && root=$(timeout 600 /work/shared/tools/fetch-go "$ver" /opt/go 2>/dev/null); then
    go_bin=$root/bin/go
  elif command -v go >/dev/null; then
    go_bin=$(command -v go)
  else
    echo "make-inputs: no Go toolchain (set GO=/path/to/go)" >&2; exit 1
  fi
fi
export GOTOOLCHAIN=local GOFLAGS= GOPROXY=off GOCACHE=${GOCACHE:-/tmp/gorleak-bench-gocache}
export GOROOT=$(dirname "$(dirname "$go_bin")")
echo "make-inputs: $("$go_bin" version), data in $dir"
(cd "$here/gen" && "$go_bin" build -o "$dir/bin/gen" .)
(cd "$here/scale" && "$go_bin" build -o "$dir/bin/scale" .)
(cd "$here/shapes" && "$go_bin" build -o "$dir/bin/shapes" .)
gen=$dir/bin/gen scale=$dir/bin/scale shapes=$dir/bin/shapes

# ---- space: ~12 GiB for the full set ----
avail_gib=$(df -BG --output=avail "$dir" | tail -1 | tr -dc 0-9)
big=4G mid=1G
if (( avail_gib < 12 )); then big=2G; fi
if (( avail_gib < 6 )); then big=1G mid=512M; fi
if (( avail_gib < 3 )); then echo "make-inputs: only ${avail_gib} GiB free in $dir" >&2; exit 1; fi
[[ $big != 4G ]] && echo "make-inputs: ${avail_gib} GiB free: largest input scaled down to $big, 1 GiB ones to $mid"

# made FILE CMD...: runs CMD (which writes FILE.tmp) unless FILE exists.
made() {
  local f=$1; shift
  if [[ -s $dir/$f && $force == 0 ]]; then echo "  $f: kept"; return; fi
  "$@"
  mv "$dir/$f.tmp" "$dir/$f"
  echo "  $f: $(du -h "$dir/$f" | cut -f1)"
}
gen_base() {
  "$gen" -n 100000 -stacks 10000 -io 2000 -seed 1 \
    -debug2 "$dir/base-d2.txt.tmp" -debug1 "$dir/base-d1.txt.tmp"
  mv "$dir/base-d1.txt.tmp" "$dir/base-d1.txt"
}
gen_small() {
  "$gen" -n 6000 -stacks 1000 -io 200 -seed 2 -debug2 "$dir/small-d2.txt.tmp"
}
gen_diff() {
  "$gen" -n 100000 -stacks 1000 -io 1000 -seed 3 -leak 20000 \
    -debug2 "$dir/diff-idle.d2.txt.tmp" -debug1 "$dir/diff-idle.d1.txt" \
    -leak-debug2 "$dir/diff-loaded.d2.txt" -leak-debug1 "$dir/diff-loaded.d1.txt"
}
gen_huge() {
  "$gen" -n 1000000 -stacks 10000 -io 2000 -seed 4 -labels 0.2 -debug2 "$dir/d2-1m-direct.txt.tmp"
}

[[ -s $dir/base-d1.txt ]] || rm -f "$dir/base-d2.txt"   # both come from one run
made base-d2.txt gen_base
made small-d2.txt gen_small
made d2-20m.txt "$scale" -in "$dir/small-d2.txt" -out "$dir/d2-20m.txt.tmp" -size 20M -seed 20
made d2-256m.txt "$scale" -in "$dir/base-d2.txt" -out "$dir/d2-256m.txt.tmp" -size 256M -seed 256
made "d2-${mid,,}.txt" "$scale" -in "$dir/base-d2.txt" -out "$dir/d2-${mid,,}.txt.tmp" -size "$mid" -seed 1024
made "d2-${big,,}.txt" "$scale" -in "$dir/base-d2.txt" -out "$dir/d2-${big,,}.txt.tmp" -size "$big" -seed 4096
made "d1-${mid,,}.txt" "$scale" -in "$dir/base-d1.txt" -out "$dir/d1-${mid,,}.txt.tmp" -size "$mid" -seed 11
made diff-idle.d2.txt gen_diff
made "diff-idle-${mid,,}.d2.txt" "$scale" -in "$dir/diff-idle.d2.txt" -out "$dir/diff-idle-${mid,,}.d2.txt.tmp" -size "$mid" -seed 5
made "diff-loaded-${mid,,}.d2.txt" "$scale" -in "$dir/diff-loaded.d2.txt" -out "$dir/diff-loaded-${mid,,}.d2.txt.tmp" -size "$mid" -seed 5
made distinct-200k.txt "$shapes" -shape distinct -n 200000 -stacks 50000 -seed 16 -out "$dir/distinct-200k.txt.tmp"
made onestack-300k.txt "$shapes" -shape onestack -n 300000 -seed 17 -out "$dir/onestack-300k.txt.tmp"
made short-512m.txt "$shapes" -shape short -size 512M -stacks 2000 -seed 18 -out "$dir/short-512m.txt.tmp"
made crashloop-460m.txt "$shapes" -shape crashloop -size 460M -seed 19 -out "$dir/crashloop-460m.txt.tmp"
made crashes-200k.txt "$shapes" -shape crashes -n 200000 -seed 20 -out "$dir/crashes-200k.txt.tmp"
if (( huge )); then made d2-1m-direct.txt gen_huge; fi

# ---- heap profiles: gorleak-gen-pprof, from a CMake build of this tree ----
genpp=${GORLEAK_GEN_PPROF:-}
if [[ -z $genpp ]]; then
  build=${GORLEAK_BENCH_BUILD:-$here/../build-bench}
  cmake -S "$here/.." -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$build" gorleak_gen_pprof >/dev/null
  genpp=$build/bench/gorleak-gen-pprof
fi
made heap-100m.pb "$genpp" "$dir/heap-100m.pb.tmp" --bytes 100M --stacks 10000
made heap-100m.pb.gz "$genpp" "$dir/heap-100m.pb.gz.tmp" --bytes 100M --stacks 10000 --gzip
made heap-100m-distinct.pb "$genpp" "$dir/heap-100m-distinct.pb.tmp" --bytes 100M --stacks 400000
echo "make-inputs: done; run bench/run.sh"
ls -l "$dir"/*.txt "$dir"/*.pb*
