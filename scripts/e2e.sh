#!/usr/bin/env bash
# End-to-end tests of the real desktop app on Debian 12 / Ubuntu: builds the web UI, the app and
# the `vigie` command (the second laptop of the approvals test),
# installs tauri-driver if missing, then runs tests/e2e under Xvfb and a private D-Bus session
# with an unlocked gnome-keyring (the real Secret Service: publishing keeps tokens there).
# Screenshots land in docs/screenshots/.
#   scripts/e2e.sh
# Needs the packages of scripts/install-deps.sh (WebKitGTK, xvfb, webkit2gtk-driver, nginx).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d ui/dist ] || [ "${VIGIE_E2E_BUILD_UI:-1}" = 1 ]; then
  (cd ui && npm ci --no-audit --no-fund && npm run build)
fi
command -v tauri-driver >/dev/null 2>&1 || cargo install tauri-driver --locked
command -v WebKitWebDriver >/dev/null 2>&1 || {
  echo "WebKitWebDriver is missing: apt-get install webkit2gtk-driver" >&2; exit 1; }

cargo build -p vigie-desktop --locked
# The `vigie` command plays the validator's laptop in tests/e2e/tests/teamwork.rs.
cargo build -p vigie-cli --locked
target_dir=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')
export VIGIE_E2E_APP="$target_dir/debug/vigie-desktop"
export VIGIE_E2E_CLI="$target_dir/debug/vigie"
# A real locale for the webview (navigator.language); the C locale has no language tag.
export LANG="${VIGIE_E2E_LANG:-fr_FR.UTF-8}"

# WebKitWebDriver can, rarely, never answer a call: a hung run fails after this many seconds
# (scripts/test.sh then retries it) instead of eating the whole CI budget.
cargo test -p vigie-e2e --locked --no-run
xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-desktop-session.sh \
  timeout --kill-after=30 "${VIGIE_E2E_TIMEOUT:-900}" \
  cargo test -p vigie-e2e --locked -- --test-threads=1 --nocapture
