#!/usr/bin/env bash
# Checks that a change kept gorleak's output byte for byte: runs two builds
# over every corpus dump (corpus/dumps and /work/shared/corpus-public when
# present, or the FILEs given) in every format both of them list, from the
# repository root (so the default source roots find corpus/programs), and
# prints each dump whose outputs differ.
#   bench/same-output.sh OLD_GORLEAK NEW_GORLEAK [FILE...]
# Exit 0 when every output is identical, 1 otherwise. Set FORMATS="json text"
# to choose the formats, ARGS="--full" to add options to every run.
set -uo pipefail

if [[ $# -lt 2 ]]; then
  sed -n '2,10p' "$0"; exit 2
fi
old=$(realpath "$1") new=$(realpath "$2"); shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
files=("$@")
if (( ${#files[@]} == 0 )); then
  files=(corpus/dumps/*.txt)
  [[ -d /work/shared/corpus-public ]] && files+=(/work/shared/corpus-public/*.txt)
fi
formats_of() { "$1" --help | sed -n 's/.*--format \([a-z|]*\).*/\1/p' | head -1 | tr '|' ' '; }
formats=${FORMATS:-$(comm -12 <(formats_of "$old" | tr ' ' '\n' | sort) \
                             <(formats_of "$new" | tr ' ' '\n' | sort) | tr '\n' ' ')}
tmp=$(mktemp -d /tmp/gorleak-same-XXXXXX)
trap 'rm -rf "$tmp"' EXIT

differ=0 runs=0
for f in "${files[@]}"; do
  for fmt in $formats; do
    # shellcheck disable=SC2086
    "$old" --format "$fmt" -j 1 ${ARGS:-} "$f" >"$tmp/old" 2>"$tmp/old.err"; a=$?
    # shellcheck disable=SC2086
    "$new" --format "$fmt" -j 1 ${ARGS:-} "$f" >"$tmp/new" 2>"$tmp/new.err"; b=$?
    runs=$((runs + 1))
    if [[ $a != "$b" ]] || ! cmp -s "$tmp/old" "$tmp/new" || ! cmp -s "$tmp/old.err" "$tmp/new.err"; then
      differ=$((differ + 1))
      echo "DIFFERS: --format $fmt $f (exit $a vs $b)"
      diff "$tmp/old" "$tmp/new" | head -${DIFF_LINES:-6}
    fi
  done
done
echo "same-output: $runs runs ($formats) over ${#files[@]} files, $differ differ"
(( differ == 0 ))
