#!/usr/bin/env bash
# The benchmark, one command:
#   bench/run.sh [--quick] [--shapes] [--runs N] [--clock wall|cpu] [--no-build] [FILE...]
# Builds gorleak and gorleak-bench in Release (build-bench/), then measures
# every input of $GORLEAK_BENCH_DIR (default /tmp/gorleak-bench; make them with
# bench/make-inputs.sh) or the FILEs given. Progress goes to stderr; the
# Markdown tables go to stdout and to $GORLEAK_BENCH_DIR/results-DATE.md.
# --quick: only the 20 MiB and 256 MiB inputs, one run each.
# --shapes: only issue 16's inputs (bench/shapes) and the 1 GiB diff pair.
# --clock cpu: rates from CPU time instead of wall time (for a busy machine;
# the run warns when the load average is above the number of cores).
# panicparse (Debian's golang-github-maruel-panicparse-dev, which
# .ci/install-deps installs) runs beside
# gorleak when its sources and a Go toolchain ($GO, or Go 1.22 under /opt/go,
# or `go` on PATH) are there: bench/peer/panicparse.go is built in GOPATH
# mode into a temporary directory, removed at exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
dir=${GORLEAK_BENCH_DIR:-/tmp/gorleak-bench}
build=${GORLEAK_BENCH_BUILD:-$root/build-bench}
runs=3 quick=0 shapes=0 do_build=1 clock=wall files=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --quick) quick=1; runs=1; shift ;;
    --shapes) shapes=1; shift ;;
    --runs) runs=$2; shift 2 ;;
    --clock) clock=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
    *) files+=("$1"); shift ;;
  esac
done

if (( do_build )); then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
  ninja -C "$build" gorleak gorleak_bench gorleak_bench_heap >/dev/null
fi

if (( ${#files[@]} == 0 )); then
  shape_names=(distinct-200k onestack-300k short-512m crashloop-460m crashes-200k)
  if (( quick )); then names=(d2-20m d2-256m)
  elif (( shapes )); then names=("${shape_names[@]}")
  else names=(d2-256m d2-512m d2-1g d2-2g d2-4g d1-512m d1-1g diff-idle.d2 diff-loaded.d2 d2-1m-direct
              "${shape_names[@]}")
  fi
  for n in "${names[@]}"; do
    [[ -s $dir/$n.txt ]] && files+=("$dir/$n.txt")
  done
  if (( ${#files[@]} == 0 )); then
    echo "run.sh: no inputs in $dir; run bench/make-inputs.sh first" >&2; exit 1
  fi
fi

extra=()
if (( ! quick )); then
  for m in 1g 512m; do
    if [[ -s $dir/diff-idle-$m.d2.txt && -s $dir/diff-loaded-$m.d2.txt ]]; then
      extra+=(--diff-pair "$dir/diff-idle-$m.d2.txt" "$dir/diff-loaded-$m.d2.txt"); break
    fi
  done
fi

# ---- panicparse, the peer, built into a temporary GOPATH ----
pp_src=/usr/share/gocode/src/github.com/maruel/panicparse/v2/stack
go_bin=${GO:-}
[[ -z $go_bin && -x /opt/go/go-1.22/usr/lib/go-1.22/bin/go ]] && go_bin=/opt/go/go-1.22/usr/lib/go-1.22/bin/go
[[ -z $go_bin ]] && go_bin=$(command -v go || true)
if (( ! quick )) && [[ -d $pp_src && -n $go_bin ]]; then
  gopath=$(mktemp -d /tmp/gorleak-bench-peer-XXXXXX)
  trap 'rm -rf "$gopath"' EXIT
  mkdir -p "$gopath/src/panicparsebench"
  cp "$here/peer/panicparse.go" "$gopath/src/panicparsebench/"
  if (cd "$gopath" && GO111MODULE=off GOPATH=$gopath:/usr/share/gocode GOFLAGS= GOTOOLCHAIN=local \
        GOPROXY=off GOCACHE=$gopath/cache "$go_bin" build -o "$gopath/panicparse-bench" panicparsebench); then
    extra+=(--panicparse "$gopath/panicparse-bench")
  else
    echo "run.sh: could not build the panicparse harness: no panicparse column" >&2
  fi
else
  (( quick )) || echo "run.sh: no panicparse sources ($pp_src; .ci/install-deps installs them) or no Go: no panicparse column" >&2
fi

load=$(cut -d' ' -f1 /proc/loadavg)
if [[ $clock == wall ]] && awk -v l="$load" -v n="$(nproc)" 'BEGIN { exit !(l > n) }'; then
  echo "run.sh: warning: load average $load on $(nproc) cores: wall-clock rates will be low" \
       "(other work competes); consider --clock cpu" >&2
fi

out=$dir/results-$(date -u +%Y%m%d-%H%M%S).md
mkdir -p "$dir"
echo "run.sh: $build/bench/gorleak-bench --runs $runs --clock $clock ${extra[*]} ${files[*]}" >&2
"$build/bench/gorleak-bench" --runs "$runs" --clock "$clock" "${extra[@]}" "${files[@]}" | tee "$out"
# Heap profiles (make-inputs.sh writes them): decode against a raw scan.
heaps=()
for n in heap-100m.pb heap-100m.pb.gz heap-100m-distinct.pb; do
  [[ -s $dir/$n ]] && heaps+=("$dir/$n")
done
if (( ${#heaps[@]} > 0 )); then
  echo "run.sh: $build/bench/gorleak-bench-heap --runs $runs ${heaps[*]}" >&2
  { echo; echo "Heap profiles (protobuf): decode against a raw scan"; echo;
    "$build/bench/gorleak-bench-heap" --runs "$runs" "${heaps[@]}"; } | tee -a "$out"
fi
echo "run.sh: tables saved to $out" >&2
