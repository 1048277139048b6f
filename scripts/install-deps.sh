#!/usr/bin/env bash
# Installs the system packages Vigie's build and tests need on Debian 12 / Ubuntu.
# Idempotent: packages already present are skipped quickly.
#   scripts/install-deps.sh          build deps + test servers (nginx, snac2, keyring, postgres, redis)
#   scripts/install-deps.sh --app    only what building and running the app needs
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive

BUILD_PKGS=(build-essential pkg-config file libssl-dev libdbus-1-dev curl ca-certificates)
APP_PKGS=(libwebkit2gtk-4.1-dev libgtk-3-dev libsoup-3.0-dev libjavascriptcoregtk-4.1-dev
          libayatana-appindicator3-dev librsvg2-dev libxdo-dev dbus dbus-x11 gnome-keyring libsecret-tools)
TEST_PKGS=(nginx-light dbus dbus-x11 gnome-keyring libsecret-tools python3 python3-pip python3-venv
           postgresql redis-server xvfb xauth webkit2gtk-driver fonts-dejavu-core x11-utils xdotool
           imagemagick dunst libnotify-bin)

want=("${BUILD_PKGS[@]}" "${APP_PKGS[@]}")
[ "${1:-}" = "--app" ] || want+=("${TEST_PKGS[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

need_snac=0
if [ "${1:-}" != "--app" ] && ! command -v snac >/dev/null 2>&1; then need_snac=1; fi

if [ "$need_snac" = 1 ] && grep -q '^ID=debian' /etc/os-release; then
  # snac2 (the Mastodon-API test server) is in bookworm-backports: add that suite from the
  # mirror apt already uses.
  if ! grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
      uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    else
      uri=$(awk '$1=="deb" && $3=="bookworm"{print $2; exit}' /etc/apt/sources.list)
    fi
    printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
      "$uri" | $SUDO tee /etc/apt/sources.list.d/vigie-backports.sources >/dev/null
  fi
fi

if [ ${#missing[@]} -gt 0 ] || [ "$need_snac" = 1 ]; then
  $SUDO apt-get update -qq
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
if [ "$need_snac" = 1 ]; then
  if grep -q '^ID=debian' /etc/os-release; then
    $SUDO apt-get install -y -qq --no-install-recommends -t bookworm-backports snac2 >/dev/null
  else
    $SUDO apt-get install -y -qq --no-install-recommends snac2 >/dev/null
  fi
fi
# The system services must not hold the ports or data: tests start their own instances.
for svc in nginx postgresql redis-server; do
  $SUDO systemctl disable --now "$svc" >/dev/null 2>&1 || $SUDO service "$svc" stop >/dev/null 2>&1 || true
done
echo "system dependencies ready"
