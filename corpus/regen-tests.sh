#!/usr/bin/env bash
# Regenerate the corpus dumps that come from `go test` rather than from a
# running program: test packages under corpus/programs/ (a directory with
# *_test.go files and no main.go) whose test fails by printing a dump, such
# as testing/synctest's "main bubble goroutine has exited but blocked
# goroutines remain" panic. corpus/regen.sh calls this after its programs.
#
# usage: corpus/regen-tests.sh [--go "1.27"] [--keep-going] [PACKAGE...]
#
#   --go LIST     Go versions (default 1.27); versions older than a package's
#                 go.mod `go` line are skipped (synctest needs 1.25)
#   PACKAGE...    names of directories under corpus/programs (default: all
#                 test packages; names of non-test programs are ignored)
#
# Writes dumps/NAME.goV.test.txt: the whole `go test` output (stdout and
# stderr), which must contain a panic or a goleak report. Toolchains are
# found as in regen.sh ($GOROOT_V, /opt/go/go-V/usr/lib/go-V, $FETCH_GO).
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROGRAMS_DIR=$HERE/programs
DUMPS_DIR=$HERE/dumps
GO_VERSIONS="1.27"
FETCH_GO=${FETCH_GO:-/work/shared/tools/fetch-go}
TEST_TIMEOUT=${TEST_TIMEOUT:-300}  # seconds for one go test (build included)
KEEP_GOING=0

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

PACKAGES=()
while [ $# -gt 0 ]; do
	case "$1" in
	--go) GO_VERSIONS=${2//,/ }; shift 2 ;;
	--go=*) GO_VERSIONS=${1#--go=}; GO_VERSIONS=${GO_VERSIONS//,/ }; shift ;;
	--keep-going|-k) KEEP_GOING=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "regen-tests: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) PACKAGES+=("${1%/}"); shift ;;
	esac
done
is_test_package() {
	local d=$PROGRAMS_DIR/$1
	[ ! -f "$d/main.go" ] && compgen -G "$d/*_test.go" >/dev/null
}
if [ ${#PACKAGES[@]} -eq 0 ]; then
	for d in "$PROGRAMS_DIR"/*/; do
		is_test_package "$(basename "$d")" && PACKAGES+=("$(basename "$d")")
	done
else
	kept=()
	for p in "${PACKAGES[@]}"; do is_test_package "$p" && kept+=("$p"); done
	PACKAGES=("${kept[@]+"${kept[@]}"}")
fi
[ ${#PACKAGES[@]} -eq 0 ] && exit 0

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gorleak-regen-tests.XXXXXX")
CACHE_ROOT=${GORLEAK_GOCACHE:-${TMPDIR:-/tmp}/gorleak-regen-gocache}
trap 'rm -rf "$WORK"' EXIT

goroot_for() {
	local v=$1 var="GOROOT_${1//./_}" root
	root=${!var:-}
	if [ -z "$root" ] && [ -x "/opt/go/go-$v/usr/lib/go-$v/bin/go" ]; then
		root=/opt/go/go-$v/usr/lib/go-$v
	fi
	if [ -z "$root" ] && [ -x "$FETCH_GO" ]; then
		root=$(timeout 1200 "$FETCH_GO" "$v" /opt/go 2>/dev/null | tail -n 1)
	fi
	if [ -z "$root" ] || [ ! -x "$root/bin/go" ]; then
		echo "regen-tests: no Go $v toolchain found (set GOROOT_${v//./_})" >&2
		return 1
	fi
	echo "$root"
}

# The package's minimum Go version, from its go.mod `go` line.
min_go() { sed -n 's/^go \([0-9.]*\).*/\1/p' "$PROGRAMS_DIR/$1/go.mod" 2>/dev/null | head -n 1; }
older() { [ "$1" != "$2" ] && [ "$(printf '%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]; }

run_one() {
	local name=$1 v=$2 goroot=$3 out=$WORK/$name.go$v.test.txt
	echo "== $name go$v: go test"
	# The test is meant to fail (it prints the dump): the exit status is
	# ignored, the output is checked instead. Runs in its own session so
	# the timeout reaches the test binary too.
	(cd "$PROGRAMS_DIR/$name" && env -u GOROOT -u GOPATH -u GOFLAGS -u GOEXPERIMENT \
		-u GODEBUG -u GOTRACEBACK -u GOOS -u GOARCH \
		GOTOOLCHAIN=local GOFLAGS= GOPROXY=off GOENV=off GOWORK=off GOSUMDB=off \
		GO111MODULE=on GOCACHE="$CACHE_ROOT/go$v" GOPATH="$WORK/gopath" CGO_ENABLED=0 \
		timeout "$TEST_TIMEOUT" setsid "$goroot/bin/go" test -count=1 . >"$out" 2>&1)
	if ! grep -q -e '^panic: ' -e 'found unexpected goroutines' "$out"; then
		echo "!! $name go$v: no dump in the go test output" >&2; cat "$out" >&2; return 1
	fi
	mkdir -p "$DUMPS_DIR"
	mv "$out" "$DUMPS_DIR/"
	printf '   wrote %-48s %6s bytes  %4s goroutine blocks\n' "dumps/$name.go$v.test.txt" \
		"$(wc -c <"$DUMPS_DIR/$name.go$v.test.txt")" "$(grep -c '^goroutine ' "$DUMPS_DIR/$name.go$v.test.txt")"
}

fails=()
for v in $GO_VERSIONS; do
	goroot=""
	for name in "${PACKAGES[@]}"; do
		need=$(min_go "$name")
		if [ -n "$need" ] && older "$v" "$need"; then
			echo "== $name go$v: skipped (needs go $need)"; continue
		fi
		[ -n "$goroot" ] || goroot=$(goroot_for "$v") || { fails+=("go$v"); break; }
		if ! run_one "$name" "$v" "$goroot"; then
			fails+=("$name.go$v")
			[ $KEEP_GOING = 1 ] || { echo "regen-tests: FAILED ${fails[*]}" >&2; exit 1; }
		fi
	done
done
if [ ${#fails[@]} -gt 0 ]; then
	echo "regen-tests: FAILED ${fails[*]}" >&2; exit 1
fi
echo "regen-tests: done (${#PACKAGES[@]} test packages x Go $GO_VERSIONS) -> $DUMPS_DIR"
