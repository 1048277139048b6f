#!/usr/bin/env bash
# Desktop figures for docs/BENCHMARKS.md (issue 4): release binary size; idle memory of the
# running app (all processes, WebKit included) with 10 watches, 200 sources and 100,000 stored
# mentions, beside the same figure for an empty Tauri 2 window (the floor under it); time from
# launch to the dashboard showing data, under Xvfb.
#   bench/desktop.sh
# Needs the packages of scripts/install-deps.sh (WebKitGTK, xvfb, webkit2gtk-driver,
# gnome-keyring) and Node.js for the UI build.
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
if [ ! -d ui/dist ] || [ "${VIGIE_BENCH_BUILD_UI:-1}" = 1 ]; then
  (cd ui && npm ci --no-audit --no-fund >/dev/null && npm run build >/dev/null)
fi
cargo build --release -p vigie-desktop -p vigie-cli -p vigie-desktop-floor >&2
cargo build --release -p vigie-e2e --bin desktop-bench >&2
command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked
APP="$CARGO_TARGET_DIR/release/vigie-desktop"
VIGIE="$CARGO_TARGET_DIR/release/vigie"
work=$(mktemp -d /tmp/vigie-desktop-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

echo "== release binary"
echo "vigie-desktop: $(( $(stat -c %s "$APP") / 1024 )) KiB"

echo "== data: 10 watches, 200 sources, 100,000 mentions (the ingest pipeline)"
"$VIGIE" bench ingest --feeds 200 --items 510 --watches 10 --keep-data "$work/data" | tail -n 2
# The corpus's items all carry one date; spread them over the last 7 days, as a week of
# listening would, so the dashboard's 24 h and 7 d charts have data to draw.
python3 - "$work/data/vigie.db" <<'PY'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1])
c.execute("UPDATE mentions SET published_at = ? - (id * 6047) % 604800", (int(time.time()),))
c.commit()
print(", ".join(f"{c.execute('select count(*) from ' + t).fetchone()[0]} {t}" for t in ("watches", "sources", "mentions")))
PY
# The sources point at 127.0.0.1 with nothing listening: the app's first poll fails fast and
# backs off, as it would for dead feeds.

export LANG="${LANG:-fr_FR.UTF-8}"
echo "== idle memory, 30 s after launch (app + WebKit processes, PSS and RSS), then 30 s after"
echo "   the window was closed (its webview released after VIGIE_RELEASE_AFTER_SECS=5)"
xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-desktop-session.sh bash -c '
  VIGIE_DATA_DIR="$0" VIGIE_RELEASE_AFTER_SECS=5 "$1" >/dev/null 2>&1 &
  pid=$!
  sleep "${VIGIE_IDLE_WAIT:-30}"
  echo "window open: $(python3 bench/pss.py "$pid")"
  python3 tests/e2e/close_window.py Vigie
  sleep 35
  echo "window closed: $(python3 bench/pss.py "$pid")"
  kill "$pid"; wait "$pid" 2>/dev/null || true
' "$work/data" "$APP"

echo "== floor: an empty Tauri 2 window (bench/desktop-floor), Vigie's memory settings, then none"
echo "   (VIGIE_LEAN=0), 30 s after launch"
xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-desktop-session.sh bash -c '
  for lean in 1 0; do
    VIGIE_LEAN=$lean "$0" >/dev/null 2>&1 &
    pid=$!
    sleep "${VIGIE_IDLE_WAIT:-30}"
    echo "empty window, VIGIE_LEAN=$lean: $(python3 bench/pss.py "$pid")"
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
' "$CARGO_TARGET_DIR/release/vigie-desktop-floor"

echo "== launch → dashboard showing data (WebDriver; 5 runs)"
VIGIE_E2E_APP="$APP" xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-desktop-session.sh \
  "$CARGO_TARGET_DIR/release/desktop-bench" "$work/data" 5
