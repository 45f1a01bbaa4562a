#!/usr/bin/env bash
# Regenerate the real-dump corpus: build every corpus program with each Go
# version, run it, capture its goroutine dumps, and write them to corpus/dumps/.
#
# usage: corpus/regen.sh [--go "1.19 1.22 1.27"] [--keep-going] [PROGRAM...]
#
#   --go LIST     space- or comma-separated Go versions (default: 1.19 1.22 1.27;
#                 1.26 is built with GOEXPERIMENT=goroutineleakprofile)
#   PROGRAM...    names of directories under corpus/programs (default: all)
#
# Toolchains: for version V the script uses, in this order, $GOROOT_V (dots
# replaced by underscores, e.g. GOROOT_1_27), /opt/go/go-V/usr/lib/go-V (the
# Debian layout), or the GOROOT printed by "$FETCH_GO V /opt/go" when FETCH_GO
# names an executable (default /work/shared/tools/fetch-go).
#
# Protocol of a program (see corpus/README.md): it prints GORLEAK-EXPECT lines,
# optionally GORLEAK-PHASES p1,p2,..., then GORLEAK-READY addr=HOST:PORT, and
# serves net/http/pprof there until killed. GORLEAK-ERROR lines make the run fail.
#
# Files written for program NAME and Go version V (phased programs insert
# ".PHASE" after "goV", and get a SIGQUIT dump only for the last phase):
#   dumps/NAME.goV.debug1.txt   /debug/pprof/goroutine?debug=1
#   dumps/NAME.goV.debug2.txt   /debug/pprof/goroutine?debug=2
#   dumps/NAME.goV.leak1.txt    /debug/pprof/goroutineleak?debug=1   (1.26+ only)
#   dumps/NAME.goV.leak2.txt    /debug/pprof/goroutineleak?debug=2   (1.26+ only)
#   dumps/NAME.goV.sigquit.txt  stderr after kill -QUIT (default GOTRACEBACK)
#   dumps/NAME.goV.goroutine.pb.gz  /debug/pprof/goroutine (protobuf), right after debug1
#   dumps/NAME.goV.expect       the GORLEAK-EXPECT lines without the prefix
#
# A program that prints "GORLEAK-CAPTURE heap" (harness.Capture) gets, per
# phase, debug1.txt and goroutine.pb.gz as above plus
#   profiles/NAME.goV.PHASE.heap.pb.gz  /debug/pprof/heap?gc=1 (protobuf)
#   profiles/NAME.goV.PHASE.heap1.txt   /debug/pprof/heap?debug=1&gc=1 (last phase only)
#   dumps/NAME.goV.PHASE.d2.gz          ?debug=2, gzipped (last phase, with
#                                       "GORLEAK-CAPTURE heap debug2" only)
# and no debug2, goroutineleak or SIGQUIT dumps (it is killed instead).
#
# Omitting files: a program whose folder has an `omit` file (one shell glob a
# line, matched against the file name, e.g. `*.leak2.txt` or
# `*-leak.go1.27.*.sigquit.txt`) still has every dump fetched but does not
# keep the files that match, to keep large dumps out of the repository.
#
# Servers: a program whose folder has a `needs` file (one name a line:
# `postgres`, `redis`) gets that server started before its first run, on
# 127.0.0.1 on a free port with a throwaway data directory under the regen
# work directory, and stopped when regen exits. The program finds it in its
# environment: GORLEAK_PG_DSN (lib/pq key=value DSN, trust auth, database
# "postgres"), GORLEAK_REDIS_ADDR (HOST:PORT). PostgreSQL runs as the
# `postgres` user when regen runs as root (initdb refuses root); its binaries
# are found in $PG_BIN or /usr/lib/postgresql/*/bin.
#
# Crash programs (a folder with a `crash` file) are not servers: each runs
# until it crashes (a panic, or the runtime's "all goroutines are asleep -
# deadlock!"), printing its GORLEAK-EXPECT lines on stdout first; its stderr
# becomes dumps/NAME.goV.crash.txt.
#
# Test packages (a directory with *_test.go files and no main.go) are run
# with `go test` after the programs: their test fails on purpose by printing
# a dump (testing/synctest's "main bubble goroutine has exited but blocked
# goroutines remain"), and the whole output becomes dumps/NAME.goV.test.txt.
# Versions older than the package's go.mod `go` line are skipped.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROGRAMS_DIR=$HERE/programs
DUMPS_DIR=$HERE/dumps
PROFILES_DIR=$HERE/profiles  # heap profiles: every file under dumps/ is a goroutine dump
GO_VERSIONS="1.19 1.22 1.27"
FETCH_GO=${FETCH_GO:-/work/shared/tools/fetch-go}
READY_TIMEOUT=${READY_TIMEOUT:-60}   # seconds to wait for GORLEAK-READY
PHASE_TIMEOUT=${PHASE_TIMEOUT:-60}   # seconds for one /phase request
FETCH_TIMEOUT=${FETCH_TIMEOUT:-30}   # seconds for one dump download
BUILD_TIMEOUT=${BUILD_TIMEOUT:-600}  # seconds for one go build
SERVER_TIMEOUT=${SERVER_TIMEOUT:-30} # seconds for PostgreSQL/Redis to accept connections
KEEP_GOING=0

usage() { sed -n '2,/^set -uo/{/^#/p}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

PROGRAMS=()
while [ $# -gt 0 ]; do
	case "$1" in
	--go) GO_VERSIONS=${2//,/ }; shift 2 ;;
	--go=*) GO_VERSIONS=${1#--go=}; GO_VERSIONS=${GO_VERSIONS//,/ }; shift ;;
	--keep-going|-k) KEEP_GOING=1; shift ;;
	-h|--help) usage; exit 0 ;;
	-*) echo "regen: unknown option $1" >&2; usage >&2; exit 2 ;;
	*) PROGRAMS+=("${1%/}"); shift ;;
	esac
done
TEST_PACKAGES=()
if [ ${#PROGRAMS[@]} -eq 0 ]; then
	for d in "$PROGRAMS_DIR"/*/; do
		if [ -f "$d/main.go" ]; then
			PROGRAMS+=("$(basename "$d")")
		elif compgen -G "$d/*_test.go" >/dev/null; then
			TEST_PACKAGES+=("$(basename "$d")")
		fi
	done
else
	named=("${PROGRAMS[@]}")
	PROGRAMS=()
	for p in "${named[@]}"; do
		if [ -f "$PROGRAMS_DIR/$p/main.go" ]; then
			PROGRAMS+=("$p")
		elif compgen -G "$PROGRAMS_DIR/$p/*_test.go" >/dev/null; then
			TEST_PACKAGES+=("$p")
		else
			echo "regen: no program $PROGRAMS_DIR/$p/main.go" >&2; exit 2
		fi
	done
fi
for p in "${PROGRAMS[@]}"; do
	if [ ! -f "$PROGRAMS_DIR/$p/main.go" ]; then
		echo "regen: no program $PROGRAMS_DIR/$p/main.go" >&2; exit 2
	fi
	if [ -f "$PROGRAMS_DIR/$p/needs" ]; then
		while read -r need _; do
			case "$need" in
			''|'#'*|postgres|redis) ;;
			*) echo "regen: $p/needs: unknown server '$need' (postgres, redis)" >&2; exit 2 ;;
			esac
		done <"$PROGRAMS_DIR/$p/needs"
	fi
done
command -v curl >/dev/null || { echo "regen: curl is required" >&2; exit 2; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/gorleak-regen.XXXXXX")
# GOPATH-mode programs (no go.mod) import the shared harness as
# "gorleakcorpus/harness" and Debian's Go libraries from /usr/share/gocode.
# The link lives at a fixed place so the paths printed in dumps are stable.
mkdir -p "$HERE/.gopath/src"
ln -sfn ../.. "$HERE/.gopath/src/gorleakcorpus"
GOPATH_DIRS="$HERE/.gopath:$WORK/gopath:/usr/share/gocode"
CACHE_ROOT=${GORLEAK_GOCACHE:-${TMPDIR:-/tmp}/gorleak-regen-gocache}
RUN_PID=""

kill_run() {
	# Kill the program we started (and its process group, e.g. children it spawned).
	if [ -n "$RUN_PID" ]; then
		kill -KILL -- "-$RUN_PID" 2>/dev/null || kill -KILL "$RUN_PID" 2>/dev/null
		wait "$RUN_PID" 2>/dev/null
		RUN_PID=""
	fi
}
cleanup() { kill_run; stop_servers; rm -rf "$WORK"; }
trap cleanup EXIT
trap 'echo "regen: interrupted" >&2; exit 130' INT TERM

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
		echo "regen: no Go $v toolchain found (set GOROOT_${v//./_})" >&2
		return 1
	fi
	echo "$root"
}

# ---- servers that programs declare in their `needs` file -------------------
PG_DIR="" PG_DSN="" PG_CTL="" REDIS_PID="" REDIS_ADDR=""

# port_free PORT: nothing accepts connections on 127.0.0.1:PORT.
port_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# free_port: print a port in 20000-29999 (below Linux's ephemeral range)
# that nothing listens on now (the server that takes it may still lose a race;
# the callers retry with another port).
free_port() {
	local i p
	for i in $(seq 50); do
		p=$(( 20000 + RANDOM % 10000 ))
		port_free "$p" && { echo "$p"; return 0; }
	done
	return 1
}

# as_owner CMD...: run CMD as the owner of the PostgreSQL data directory
# (the postgres user when regen runs as root, else ourselves).
as_owner() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

start_postgres() {
	local bin=${PG_BIN:-}
	if [ -z "$bin" ]; then
		bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
	fi
	if [ -z "$bin" ] || [ ! -x "$bin/initdb" ] || [ ! -x "$bin/pg_ctl" ]; then
		echo "regen: PostgreSQL not found (install postgresql or set PG_BIN)" >&2; return 1
	fi
	if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
		echo "regen: running as root and there is no postgres user to run PostgreSQL as" >&2; return 1
	fi
	PG_DIR=$WORK/servers/pg
	mkdir -p "$PG_DIR"
	# The postgres user must reach its directory inside our 0700 work dir.
	chmod 711 "$WORK" "$WORK/servers"
	[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
	echo "## PostgreSQL: initdb in $PG_DIR"
	if ! as_owner timeout "$SERVER_TIMEOUT" "$bin/initdb" -D "$PG_DIR/data" -U gorleak \
		--auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
		cat "$PG_DIR/initdb.log" >&2; echo "regen: initdb failed" >&2; return 1
	fi
	local try port
	for try in 1 2 3; do
		port=$(free_port) || break
		# Connections: per-call sql.DB programs hold one idle connection each.
		if as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t "$SERVER_TIMEOUT" \
			-o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DIR -c max_connections=400 -c client_connection_check_interval=1000 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
			start >"$PG_DIR/pg_ctl.log" 2>&1; then
			PG_CTL=$bin/pg_ctl
			PG_DSN="host=127.0.0.1 port=$port user=gorleak dbname=postgres sslmode=disable"
			echo "## PostgreSQL: ready on 127.0.0.1:$port"
			export GORLEAK_PG_DSN=$PG_DSN
			return 0
		fi
		# A server that did not come up in time may still be starting.
		as_owner "$bin/pg_ctl" -D "$PG_DIR/data" -m immediate -w -t 10 stop >/dev/null 2>&1
	done
	cat "$PG_DIR/pg_ctl.log" "$PG_DIR/server.log" >&2 2>/dev/null
	echo "regen: PostgreSQL did not start" >&2
	return 1
}

start_redis() {
	command -v redis-server >/dev/null || { echo "regen: redis-server not found" >&2; return 1; }
	local dir=$WORK/servers/redis try port t
	mkdir -p "$dir"
	for try in 1 2 3; do
		port=$(free_port) || break
		# Loopback only, no persistence; its files (the log) stay in the
		# work dir.
		(cd "$dir" && exec redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
			--dir "$dir" --daemonize no --logfile "$dir/redis.log" --maxclients 2000) &
		REDIS_PID=$!
		t=$(( SERVER_TIMEOUT * 10 ))
		while kill -0 "$REDIS_PID" 2>/dev/null && [ "$t" -gt 0 ]; do
			if [ "$(redis_ping "$port")" = PONG ]; then
				REDIS_ADDR=127.0.0.1:$port
				echo "## Redis: ready on $REDIS_ADDR (pid $REDIS_PID)"
				export GORLEAK_REDIS_ADDR=$REDIS_ADDR
				return 0
			fi
			sleep 0.1; t=$((t - 1))
		done
		kill -KILL "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null; REDIS_PID=""
	done
	cat "$dir/redis.log" >&2 2>/dev/null
	echo "regen: Redis did not start" >&2
	return 1
}

# redis_ping PORT: print the reply to a RESP PING ("PONG"), within 1 s.
redis_ping() {
	timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1" && printf "PING\r\n" >&3 && read -r line <&3 && printf %s "${line#+}" | tr -d "\r"' _ "$1" 2>/dev/null
}

# ensure_servers NAME: start what program NAME lists in its `needs` file and
# is not running yet.
ensure_servers() {
	local f=$PROGRAMS_DIR/$1/needs need
	[ -f "$f" ] || return 0
	while read -r need _; do
		case "$need" in
		postgres) [ -n "$PG_DSN" ] || start_postgres || return 1 ;;
		redis) [ -n "$REDIS_ADDR" ] || start_redis || return 1 ;;
		esac
	done <"$f"
	return 0
}

stop_servers() {
	if [ -n "$PG_DIR" ] && [ -f "$PG_DIR/data/postmaster.pid" ]; then
		as_owner "${PG_CTL:-pg_ctl}" -D "$PG_DIR/data" -m immediate -w -t 10 stop >/dev/null 2>&1 ||
			kill -KILL "$(head -n 1 "$PG_DIR/data/postmaster.pid")" 2>/dev/null
	fi
	PG_DIR="" PG_DSN=""
	if [ -n "$REDIS_PID" ]; then
		kill -TERM "$REDIS_PID" 2>/dev/null
		wait_exit "$REDIS_PID" 5 || kill -KILL "$REDIS_PID" 2>/dev/null
		wait "$REDIS_PID" 2>/dev/null
		REDIS_PID="" REDIS_ADDR=""
	fi
}

# fetch URL OUT: download with a time limit; fails on HTTP errors.
fetch() {
	curl -sS -f --noproxy '*' --max-time "$FETCH_TIMEOUT" -o "$2" "$1"
}

# wait_exit PID SECONDS: wait until PID is gone; returns 1 on timeout.
wait_exit() {
	local pid=$1 t=$(( $2 * 10 ))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$t" -le 0 ] && return 1
		sleep 0.1; t=$((t - 1))
	done
	return 0
}

# run_one NAME VERSION GOROOT: build one program, then run and capture it
# once, or once per variant when its folder has a `variants` file (one name
# a line: the leak and its healthy twin share one program). Variant V of
# program P gets GORLEAK_VARIANT=V and writes dumps named P-V.
run_one() {
	local name=$1 v=$2 goroot=$3
	local src=$PROGRAMS_DIR/$name
	local bin=$WORK/bin/$name.go$v
	local mod=off exp=""
	mkdir -p "$WORK/bin"
	[ -f "$src/go.mod" ] && mod=on
	case "$v" in 1.26|1.26.*) exp=goroutineleakprofile ;; esac

	ensure_servers "$name" || { echo "!! $name: needed servers did not start" >&2; return 1; }
	echo "== $name go$v: build (GO111MODULE=$mod${exp:+ GOEXPERIMENT=$exp})"
	if ! (cd "$src" && env -u GOROOT -u GOPATH -u GOFLAGS -u GOEXPERIMENT -u GOOS -u GOARCH \
		GOTOOLCHAIN=local GOFLAGS= GOPROXY=off GOENV=off GOWORK=off GOSUMDB=off \
		GO111MODULE=$mod GOCACHE="$CACHE_ROOT/go$v" GOPATH="$GOPATH_DIRS" \
		CGO_ENABLED=0 ${exp:+GOEXPERIMENT=$exp} \
		timeout "$BUILD_TIMEOUT" "$goroot/bin/go" build -o "$bin" .); then
		echo "!! $name go$v: build failed" >&2; return 1
	fi
	local variants=("") variant
	if [ -f "$src/variants" ]; then
		mapfile -t variants < <(grep -v '^[[:space:]]*\(#\|$\)' "$src/variants")
	fi
	for variant in "${variants[@]}"; do
		if [ -f "$src/crash" ]; then
			capture_crash "$name${variant:+-$variant}" "$v" "$bin" "$variant" || return 1
		else
			capture "$name${variant:+-$variant}" "$v" "$bin" "$variant" "$exp" "$src" || return 1
		fi
	done
	return 0
}

# capture_crash NAME VERSION BIN VARIANT: a program that ends in a crash
# (a folder with a `crash` file) prints its ground truth before it dies;
# what it writes to stderr, the runtime's report included, becomes
# dumps/NAME.goVERSION.crash.txt.
capture_crash() {
	local name=$1 v=$2 bin=$3 variant=$4
	local stage=$WORK/$name.go$v
	local out=$stage/stdout err=$stage/stderr status=0
	rm -rf "$stage"; mkdir -p "$stage"
	echo "   run (ends in a crash)"
	(cd "$stage" && exec env -u GODEBUG -u GOTRACEBACK -u GOMAXPROCS -u GOGC \
		GORLEAK_VARIANT="$variant" timeout "$READY_TIMEOUT" ${SETSID:-setsid} "$bin" >"$out" 2>"$err") || status=$?
	if [ "$status" = 0 ] || [ "$status" = 124 ] || grep -q '^GORLEAK-ERROR' "$out"; then
		echo "!! $name go$v: expected a crash, got exit status $status" >&2; cat "$out" "$err" >&2; return 1
	fi
	if ! grep -q '^goroutine [0-9]' "$err"; then
		echo "!! $name go$v: the crash printed no goroutine" >&2; cat "$err" >&2; return 1
	fi
	mkdir -p "$DUMPS_DIR"
	sed -n 's/^GORLEAK-EXPECT //p' "$out" >"$DUMPS_DIR/$name.go$v.expect"
	cp "$err" "$DUMPS_DIR/$name.go$v.crash.txt"
	printf '   wrote %-48s %6s bytes  %4s goroutine blocks  %s\n' "dumps/$name.go$v.crash.txt" \
		"$(wc -c <"$err")" "$(grep -c '^goroutine ' "$err")" "$(grep -m 1 -e '^panic: ' -e '^fatal error: ' "$err")"
}

# omitted FILE GLOB...: FILE matches one of the globs.
omitted() {
	local file=$1 glob; shift
	for glob in "$@"; do
		# shellcheck disable=SC2254 # the glob is meant to match
		case "$file" in $glob) return 0 ;; esac
	done
	return 1
}

# capture NAME VERSION BIN VARIANT EXPERIMENT SRC: run BIN, fetch its dumps
# in every phase, SIGQUIT it, and replace dumps/NAME.goVERSION.*. Files
# matching a glob of SRC/omit are fetched but not kept.
capture() {
	local name=$1 v=$2 bin=$3 variant=$4 exp=$5 src=$6
	local omit=()
	[ -f "$src/omit" ] && mapfile -t omit < <(grep -v '^[[:space:]]*\(#\|$\)' "$src/omit")
	local stage=$WORK/$name.go$v
	local out=$stage/stdout err=$stage/stderr
	rm -rf "$stage"; mkdir -p "$stage"

	echo "   run"
	# setsid gives the program its own process group so cleanup also reaches
	# any child processes it started.
	(cd "$stage" && exec env -u GODEBUG -u GOTRACEBACK -u GOMAXPROCS -u GOGC \
		GORLEAK_VARIANT="$variant" ${SETSID:-setsid} "$bin" >"$out" 2>"$err") &
	RUN_PID=$!
	local t=$(( READY_TIMEOUT * 10 )) addr=""
	while :; do
		addr=$(sed -n 's/^GORLEAK-READY addr=\([^ ]*\).*/\1/p' "$out" | head -n 1)
		[ -n "$addr" ] && break
		if ! kill -0 "$RUN_PID" 2>/dev/null; then
			echo "!! $name go$v: exited before READY" >&2; cat "$err" >&2; kill_run; return 1
		fi
		if [ "$t" -le 0 ]; then
			echo "!! $name go$v: no GORLEAK-READY within ${READY_TIMEOUT}s" >&2; kill_run; return 1
		fi
		sleep 0.1; t=$((t - 1))
	done
	echo "   ready at $addr (pid $RUN_PID)"
	if [ "$(readlink "/proc/$RUN_PID/exe" 2>/dev/null)" != "$bin" ] && [ -e "/proc/$RUN_PID" ]; then
		echo "   warning: pid $RUN_PID is not $bin (setsid forked?); SIGQUIT may miss" >&2
	fi

	local phases capture
	phases=$(sed -n 's/^GORLEAK-PHASES \([^ ]*\).*/\1/p' "$out" | head -n 1)
	capture=$(sed -n 's/^GORLEAK-CAPTURE \([^ ]*\).*/\1/p' "$out" | head -n 1)
	local capture_debug2=0
	grep -q '^GORLEAK-CAPTURE .* debug2' "$out" && capture_debug2=1
	local list=("")
	[ -n "$phases" ] && IFS=, read -r -a list <<<"$phases"
	local last=${list[${#list[@]}-1]} p pfx
	for p in "${list[@]}"; do
		pfx=$stage/$name.go$v${p:+.$p}
		if [ -n "$p" ]; then
			echo "   phase $p"
			local reply
			reply=$(curl -sS -f --noproxy '*' --max-time "$PHASE_TIMEOUT" \
				"http://$addr/phase?name=$p") || { echo "!! $name go$v: /phase?name=$p failed" >&2; tail -n 40 "$err" >&2; kill_run; return 1; }
			if [ "$(printf %s "$reply" | tr -d '[:space:]')" != ok ]; then
				echo "!! $name go$v: /phase?name=$p replied '$reply'" >&2; kill_run; return 1
			fi
		fi
		fetch "http://$addr/debug/pprof/goroutine?debug=1" "$pfx.debug1.txt" || { echo "!! $name go$v: fetch debug=1 failed" >&2; kill_run; return 1; }
		# The same moment in protobuf form (gorleak reads it as Form::kProto).
		fetch "http://$addr/debug/pprof/goroutine" "$pfx.goroutine.pb.gz" || { echo "!! $name go$v: fetch goroutine profile failed" >&2; kill_run; return 1; }
		if [ "$capture" = heap ]; then
			fetch "http://$addr/debug/pprof/heap?gc=1" "$pfx.heap.pb.gz" || { echo "!! $name go$v: fetch heap profile failed" >&2; kill_run; return 1; }
			if [ "$p" = "$last" ]; then
				fetch "http://$addr/debug/pprof/heap?debug=1&gc=1" "$pfx.heap1.txt" || { echo "!! $name go$v: fetch heap debug=1 failed" >&2; kill_run; return 1; }
				if [ "$capture_debug2" = 1 ]; then
					fetch "http://$addr/debug/pprof/goroutine?debug=2" "$pfx.debug2.txt" || { echo "!! $name go$v: fetch debug=2 failed" >&2; kill_run; return 1; }
					gzip -9n "$pfx.debug2.txt" && mv "$pfx.debug2.txt.gz" "$pfx.d2.gz"
				fi
			fi
			continue
		fi
		fetch "http://$addr/debug/pprof/goroutine?debug=2" "$pfx.debug2.txt" || { echo "!! $name go$v: fetch debug=2 failed" >&2; kill_run; return 1; }
		if [ -n "$exp" ] || [ "$(printf '%s\n' "$v" 1.27 | sort -V | head -n 1)" = 1.27 ]; then
			fetch "http://$addr/debug/pprof/goroutineleak?debug=1" "$pfx.leak1.txt" || { echo "!! $name go$v: fetch goroutineleak debug=1 failed" >&2; kill_run; return 1; }
			fetch "http://$addr/debug/pprof/goroutineleak?debug=2" "$pfx.leak2.txt" || { echo "!! $name go$v: fetch goroutineleak debug=2 failed" >&2; kill_run; return 1; }
		fi
	done

	if [ "$capture" = heap ]; then
		kill_run   # heap programs: no SIGQUIT dump
	else
		# SIGQUIT dump (after the last phase) from stderr.
		kill -QUIT "$RUN_PID" 2>/dev/null
		if ! wait_exit "$RUN_PID" 20; then
			echo "!! $name go$v: still alive 20s after SIGQUIT" >&2; kill_run; return 1
		fi
		kill_run   # reap, and kill children left in the process group
		cp "$err" "$stage/$name.go$v${last:+.$last}.sigquit.txt"
		if ! grep -q '^SIGQUIT' "$err"; then
			echo "!! $name go$v: no SIGQUIT dump on stderr" >&2; return 1
		fi
	fi
	if grep -q '^GORLEAK-ERROR' "$out"; then
		grep '^GORLEAK-ERROR' "$out" >&2
		echo "!! $name go$v: program reported errors" >&2; return 1
	fi
	sed -n 's/^GORLEAK-EXPECT //p' "$out" >"$stage/$name.go$v.expect"
	install_files "$name" "$v" "$stage"
	return 0
}

# install_files NAME VERSION STAGE: replace this program's files for this
# version with the ones captured in STAGE.
install_files() {
	local name=$1 v=$2 stage=$3
	mkdir -p "$DUMPS_DIR" "$PROFILES_DIR"
	rm -f "$DUMPS_DIR/$name.go$v".* "$PROFILES_DIR/$name.go$v".*
	local f dir
	for f in "$stage/$name.go$v".*; do
		if omitted "$(basename "$f")" "${omit[@]}"; then
			echo "   omitted $(basename "$f") ($(wc -c <"$f") bytes; matches the program's omit file)"; continue
		fi
		case "$f" in *.heap.pb.gz|*.heap1.txt) dir=$PROFILES_DIR ;; *) dir=$DUMPS_DIR ;; esac
		mv "$f" "$dir/"
		printf '   wrote %-48s %6s bytes' "$(basename "$dir")/$(basename "$f")" "$(wc -c <"$dir/$(basename "$f")")"
		case "$f" in
		*.debug2.txt|*.leak2.txt|*.sigquit.txt)
			printf '  %4s goroutine blocks' "$(grep -c '^goroutine ' "$dir/$(basename "$f")")" ;;
		*.debug1.txt|*.leak1.txt|*.heap1.txt)
			printf '  %s' "$(head -n 1 "$dir/$(basename "$f")")" ;;
		esac
		echo
	done
}

# run_test_one NAME VERSION GOROOT: `go test` a test package whose test
# prints a dump; its output becomes dumps/NAME.goV.test.txt.
run_test_one() {
	local name=$1 v=$2 goroot=$3 out=$WORK/$name.go$v.test.txt
	local need
	need=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$PROGRAMS_DIR/$name/go.mod" 2>/dev/null | head -n 1)
	if [ -n "$need" ] && [ "$need" != "$v" ] && \
		[ "$(printf '%s\n' "$v" "$need" | sort -V | head -n 1)" = "$v" ]; then
		echo "== $name go$v: skipped (needs go $need)"; return 0
	fi
	echo "== $name go$v: go test"
	# The test fails by design: its exit status is ignored and its output
	# checked instead. setsid lets the timeout reach the test binary too.
	(cd "$PROGRAMS_DIR/$name" && env -u GOROOT -u GOPATH -u GOFLAGS -u GOEXPERIMENT \
		-u GODEBUG -u GOTRACEBACK -u GOOS -u GOARCH \
		GOTOOLCHAIN=local GOFLAGS= GOPROXY=off GOENV=off GOWORK=off GOSUMDB=off \
		GO111MODULE=on GOCACHE="$CACHE_ROOT/go$v" GOPATH="$WORK/gopath" CGO_ENABLED=0 \
		timeout "$BUILD_TIMEOUT" ${SETSID:-setsid} "$goroot/bin/go" test -count=1 . >"$out" 2>&1)
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
	goroot=$(goroot_for "$v") || { fails+=("go$v"); [ $KEEP_GOING = 1 ] && continue; exit 1; }
	echo "## Go $v: $goroot"
	for name in "${PROGRAMS[@]+"${PROGRAMS[@]}"}"; do
		if ! run_one "$name" "$v" "$goroot"; then
			fails+=("$name.go$v")
			[ $KEEP_GOING = 1 ] || { echo "regen: FAILED ${fails[*]} (use --keep-going to continue)" >&2; exit 1; }
		fi
	done
	for name in "${TEST_PACKAGES[@]+"${TEST_PACKAGES[@]}"}"; do
		if ! run_test_one "$name" "$v" "$goroot"; then
			fails+=("$name.go$v")
			[ $KEEP_GOING = 1 ] || { echo "regen: FAILED ${fails[*]} (use --keep-going to continue)" >&2; exit 1; }
		fi
	done
done
if [ ${#fails[@]} -gt 0 ]; then
	echo "regen: FAILED ${fails[*]}" >&2; exit 1
fi
echo "regen: done (${#PROGRAMS[@]} programs, ${#TEST_PACKAGES[@]} test packages x Go $GO_VERSIONS) -> $DUMPS_DIR"
