#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (the real
# Secret Service), with a throwaway keyring folder. The user's own keyring is never touched.
#   scripts/with-desktop-session.sh cargo test
set -euo pipefail
if [ -z "${VIGIE_IN_SESSION:-}" ]; then
  export VIGIE_IN_SESSION=1
  XDG_DATA_HOME=$(mktemp -d /tmp/vigie-keyring.XXXXXX)
  export XDG_DATA_HOME
  trap 'rm -rf "$XDG_DATA_HOME"' EXIT
  dbus-run-session -- "$0" "$@"
  exit $?
fi
export VIGIE_KEYRING_PASSWORD=vigie
echo -n "$VIGIE_KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
exec "$@"
