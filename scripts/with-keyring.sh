#!/usr/bin/env bash
# Runs a command with a real OS keyring, as on a desktop: a private D-Bus session with an unlocked
# gnome-keyring (Secret Service) and a kernel session keyring (keyutils).
set -euo pipefail
KEYRING_HOME=$(mktemp -d)
trap 'rm -rf "$KEYRING_HOME"' EXIT
export XDG_DATA_HOME="$KEYRING_HOME"
exec dbus-run-session -- bash -c '
  echo -n test-keyring-password | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
  exec keyctl session - "$@"' keyring-session "$@"
