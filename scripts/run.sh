#!/usr/bin/env bash
# Sets up and starts Vigie on a Debian 12 / Ubuntu machine. For now this is the headless
# engine (`vigie run`: polls every source until Ctrl-C); the desktop app comes next.
#   scripts/run.sh                 start listening with the data in ~/.local/share/vigie
#   VIGIE_DATA_DIR=/tmp/v scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed: install it with rustup (see README.md), then run this again." >&2
  exit 1
fi
bash scripts/install-deps.sh --app
cargo build --release --locked -p vigie-cli
VIGIE=target/release/vigie
if [ "$($VIGIE --json watch list)" = "[]" ]; then
  cat <<'HINT'
No watch yet. In another terminal, for example:
  target/release/vigie watch add "Ma marque" -q '"ma marque" OR mamarque*' --lang fr,en --sensitivity high
  target/release/vigie source add 'https://www.google.com/alerts/feeds/…'      # any RSS/Atom/JSON feed
  target/release/vigie source add --mastodon https://mastodon.social --tag mamarque
then watch mentions arrive with: target/release/vigie mentions
HINT
fi
exec "$VIGIE" run
