#!/usr/bin/env bash
# Runs start.mjs with the Node 22 that setup.sh installed (exec: the PID you get is node's).
#   tests/servers/bluesky/start.sh [--seed FILE.json]
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ ! -x "$HERE/.node/bin/node" ] || [ ! -e "$HERE/node_modules/@atproto/dev-env" ]; then
  echo "[bluesky] not installed: run $HERE/setup.sh first" >&2
  echo '{"ready":false,"error":"not installed: run tests/servers/bluesky/setup.sh"}'
  exit 1
fi
exec "$HERE/.node/bin/node" "$HERE/start.mjs" "$@"
