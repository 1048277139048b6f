#!/usr/bin/env bash
# Sets up and starts the Vigie desktop app on a Debian 12 / Ubuntu machine: system packages
# (WebKitGTK…), the web UI (npm), the app (cargo, release), then opens it.
#   scripts/run.sh                         data in ~/.local/share/vigie
#   VIGIE_DATA_DIR=/tmp/v scripts/run.sh   another data folder
#   scripts/run.sh --headless              the engine only (`vigie run`, no window)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed: install it with rustup (see README.md), then run this again." >&2
  exit 1
fi
bash scripts/install-deps.sh --app
if [ "${1:-}" = "--headless" ]; then
  cargo build --release --locked -p vigie-cli
  exec target/release/vigie run
fi
if ! command -v npm >/dev/null 2>&1; then
  echo "Node.js 20 or newer (with npm) is needed to build the interface: see README.md." >&2
  exit 1
fi
(cd ui && npm ci --no-audit --no-fund && npm run build)
cargo build --release --locked -p vigie-desktop
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
exec "$target_dir/release/vigie-desktop"
