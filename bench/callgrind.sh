#!/usr/bin/env bash
# Instruction counts of the ingest pipeline, per thread, with callgrind: the same from run to
# run, unlike this machine's wall clock. Used to judge small changes (docs/BENCHMARKS.md,
# session 7).
#   bench/callgrind.sh [FEEDS]     default 300 feeds × 50 items, one producer thread
#   KEEP=DIR bench/callgrind.sh    also keeps the callgrind files in DIR (callgrind_annotate)
# Prints the preparing thread's and the main thread's instructions (the main thread
# generates the corpus, then is the store writer). One pass only (`--no-again`), as in
# session 7. Needs valgrind (apt install valgrind).
# Takes ~2 minutes for 300 feeds.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
command -v valgrind >/dev/null || { echo "valgrind is missing: apt-get install -y valgrind" >&2; exit 1; }
cargo build --profile profiling -p vigie-cli >&2
work=$(mktemp -d /tmp/vigie-callgrind.XXXXXX)
trap 'rm -rf "$work"' EXIT
valgrind --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/cg.%p" \
  "$CARGO_TARGET_DIR/profiling/vigie" bench ingest --feeds "${1:-300}" --producers 1 --no-again \
  --corpus "$work/corpus" > /dev/null 2> "$work/valgrind.log" || { cat "$work/valgrind.log" >&2; exit 1; }
main=$(grep -h '^summary' "$work"/cg.*-01 | cut -d' ' -f2)
producer=$(grep -h '^summary' "$work"/cg.*-02 | cut -d' ' -f2)
printf 'instructions: preparing thread %s, main thread (corpus + writer) %s\n' "$producer" "$main"
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP" && cp "$work"/cg.* "$KEEP"/
  echo "kept in $KEEP: callgrind_annotate --inclusive=yes $KEEP/cg.*-02 (preparing), $KEEP/cg.*-01 (main)"
fi
