# Sourced by the .ci scripts: install extra Debian packages that are
# missing (.ci/install-deps has the ones every build needs), and run ctest
# under a sanitizer.
# Usage: ensure_packages pkg...
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "installing: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# Runs ctest in BUILD with ARGS... and fails when a test fails or when any
# sanitizer report was written to LOGS (child processes report there too).
# Usage: ctest_without_reports BUILD LOGS ARGS...
ctest_without_reports() {
  local build=$1 logs=$2
  shift 2
  local status=0
  (cd "$build" && ctest --output-on-failure "$@") || status=1
  if compgen -G "$logs/*" >/dev/null; then
    echo "sanitizer reports:"
    for f in "$logs"/*; do echo "== $f"; head -60 "$f"; done
    status=1
  fi
  return $status
}
