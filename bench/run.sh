#!/usr/bin/env bash
# Runs Vigie's benchmarks and prints the figures for docs/BENCHMARKS.md.
#   bench/run.sh            ingest (2,000 feeds × 50 items) vs feedparser and vs the floor of its parts,
#                           304 poll cycle (1,000 feeds)
# Needs: the release build, nginx, python3 (feedparser is installed into a venv under ~/.cache/vigie).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
cargo build --release -p vigie-cli >&2
VIGIE="$CARGO_TARGET_DIR/release/vigie"
work=$(mktemp -d /tmp/vigie-bench.XXXXXX)
chmod 755 "$work"   # nginx workers may run as another user
trap 'kill $(cat "$work/nginx.pid" 2>/dev/null) 2>/dev/null || true; rm -rf "$work"' EXIT

echo "== ingest: full pipeline (parse, normalise, dedupe, match 50 watches, store, index)"
"$VIGIE" --json bench ingest --feeds "${FEEDS:-2000}" --items "${ITEMS:-50}" --watches 50 --corpus "$work/corpus" | tee "$work/ingest.json"

echo "== feedparser: parse only, same corpus"
venv="${VIGIE_CACHE_DIR:-$HOME/.cache/vigie}/bench-venv"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import feedparser' 2>/dev/null || "$venv/bin/pip" install -q feedparser >&2
"$venv/bin/python" bench/feedparser_parse.py "$work/corpus" | tee "$work/feedparser.json"
python3 - "$work/ingest.json" "$work/feedparser.json" <<'PY'
import json, sys
v = json.load(open(sys.argv[1])); f = json.load(open(sys.argv[2]))
print(f"ratio: Vigie full pipeline {v['items_per_sec']:.0f} items/s vs feedparser parse-only {f['items_per_sec']:.0f} items/s = {v['items_per_sec']/f['items_per_sec']:.1f}x")
a = v["again"]
if a: print(f"again: the same feeds, every item already stored: {a['items_per_sec']:.0f} items/s ({a['dropped_before_preparing']} of {a['items']} dropped before preparing)")
PY
echo "== floor: feed-rs parsing and SQLite + FTS5 alone on the same corpus (what the parts cost)"
"$VIGIE" --json bench floor --feeds "${FEEDS:-2000}" --items "${ITEMS:-50}" | tee "$work/floor.json"
python3 - "$work/floor.json" "$work/feedparser.json" "$work/ingest.json" <<'PY'
import json, sys
fl = json.load(open(sys.argv[1])); f = json.load(open(sys.argv[2])); v = json.load(open(sys.argv[3]))
c = fl["ceiling_items_per_sec"]
print(f"floor: the two parts alone reach at most {c:.0f} items/s = {c/f['items_per_sec']:.1f}x feedparser; Vigie's pipeline runs at {v['items_per_sec']/c:.0%} of it")
d = fl["duties"]["ceiling_items_per_sec"]
print(f"floor with the issue's duties (dedupe, 50 watches matched and stored): at most {d:.0f} items/s = {d/f['items_per_sec']:.1f}x feedparser; Vigie's pipeline runs at {v['items_per_sec']/d:.0%} of it")
u = fl["duties"]["ceiling_without_matches_items_per_sec"]
print(f"  the same, storing no match rows at all: at most {u:.0f} items/s = {u/f['items_per_sec']:.1f}x feedparser")
h = fl["duties"]["ceiling_with_html_items_per_sec"]
print(f"  the same with each item's HTML sanitised and kept, as the issue says: at most {h:.0f} items/s = {h/f['items_per_sec']:.1f}x feedparser")
PY

echo "== poll cycle: ${POLL_FEEDS:-1000} feeds on nginx, all answering 304"
mkdir -p "$work/www" "$work/logs"
for i in $(seq 0 $(( ${POLL_FEEDS:-1000} - 1 ))); do cp "$work/corpus/feed-$(( i % ${FEEDS:-2000} )).xml" "$work/www/feed-$i.xml"; done
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
cat > "$work/nginx.conf" <<CONF
daemon on; worker_processes 1; pid $work/nginx.pid; error_log $work/logs/error.log;
events { worker_connections 1024; }
http { access_log off; client_body_temp_path $work/tb; proxy_temp_path $work/tp; fastcgi_temp_path $work/tf;
  uwsgi_temp_path $work/tu; scgi_temp_path $work/ts; keepalive_requests 100000;
  server { listen 127.0.0.1:$port; root $work/www; } }
CONF
nginx -p "$work" -c nginx.conf
until (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; do sleep 0.05; done
"$VIGIE" --json bench poll-cycle "http://127.0.0.1:$port" --feeds "${POLL_FEEDS:-1000}"

SHARED="${VIGIE_SHARED:-$PWD/../shared/bench}"
if [ -d "$SHARED" ]; then
  echo "== tonality: macro-F1 on the dev sets in $SHARED/tonality (loaded from there, never copied)"
  for set in umsab-fr-train umsab-fr-val umsab-en-train umsab-en-val tweeteval-en-val; do
    f="$SHARED/tonality/$set.tsv"; [ -f "$f" ] || continue
    case $set in *-fr-*) lang=fr ;; *) lang=en ;; esac
    speed=$("$VIGIE" bench tonality "$f" --lang "$lang" 2>&1 >"$work/$set.pred")
    score=$(python3 "$SHARED/tonality_score.py" "$f" "$work/$set.pred" 2>&1 | tail -1)
    echo "$set ($lang): $score | $speed"
  done
  echo "== tonality speed on one core, with the language given"
  for i in 1 2 3 4 5 6 7 8; do cat "$SHARED/tonality/tweeteval-en-val.tsv"; done > "$work/speed.tsv"
  taskset -c 0 "$VIGIE" bench tonality "$work/speed.tsv" --lang en 2>&1 >/dev/null
  echo "== NAB: the app's detector on $SHARED/nab-tweets"
  "$VIGIE" bench nab "$SHARED/nab-tweets" "$work/nab"
  python3 "$SHARED/nab_score.py" "$SHARED/nab-tweets/windows.json" "$work/nab" --profile standard --profile reward_low_FP_rate --profile reward_low_FN_rate 2>&1 | tail -12
fi
