#!/usr/bin/env bash
# End-to-end tests: the real app under Xvfb, driven over WebDriver by tests/e2e/run.mjs.
#
# Builds nothing: expects target/debug/signstash-desk (built after ui/dist) and
# tests/e2e/node_modules (npm ci in tests/e2e). Exit code is run.mjs's.
#
# Environment:
#   TAURI_DRIVER       tauri-driver binary (default: .tools/bin/tauri-driver)
#   APP                app binary (default: target/debug/signstash-desk)
#   TAURI_DRIVER_PORT  WebDriver port (default: 4444; WebKitWebDriver gets port+1)
#
# Layers, outermost first: xvfb-run (a display) → dbus-run-session (a private session bus) →
# gnome-keyring unlocked on that bus (the app will keep credentials in the Secret Service) →
# keyctl session (a fresh kernel session keyring, if keyutils is installed) → this script's
# --inside stage, which runs tauri-driver and the tests.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export APP=${APP:-$ROOT/target/debug/signstash-desk}
export TAURI_DRIVER=${TAURI_DRIVER:-$ROOT/.tools/bin/tauri-driver}
export TAURI_DRIVER_PORT=${TAURI_DRIVER_PORT:-4444}
LOG_DIR=$ROOT/target/e2e

inside() {
  # Unlock (creating it on first use) a login keyring in the throwaway XDG_DATA_HOME.
  echo -n e2e-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null

  # Own process group, so stopping it also stops the WebKitWebDriver it spawns (and nothing else).
  setsid "$TAURI_DRIVER" --port "$TAURI_DRIVER_PORT" --native-port "$((TAURI_DRIVER_PORT + 1))" \
    >"$LOG_DIR/tauri-driver.log" 2>&1 &
  local driver=$!
  # shellcheck disable=SC2064 # expand $driver now
  trap "kill -- -$driver 2>/dev/null || true; wait $driver 2>/dev/null || true" EXIT

  local ready=
  for _ in $(seq 1 50); do
    if curl -sf "http://127.0.0.1:$TAURI_DRIVER_PORT/status" >/dev/null; then ready=1; break; fi
    sleep 0.2
  done
  if [[ -z $ready ]]; then
    echo "e2e: tauri-driver did not answer on port $TAURI_DRIVER_PORT; see $LOG_DIR/tauri-driver.log" >&2
    echo "0 passed, 1 failed"
    return 1
  fi

  local rc=0
  node "$ROOT/tests/e2e/run.mjs" || rc=$?
  return "$rc"
}

if [[ ${1:-} == --inside ]]; then
  inside
  exit $?
fi

missing=0
need() { if ! command -v "$1" >/dev/null; then echo "e2e: '$1' not found ($2)" >&2; missing=1; fi; }
need xvfb-run "apt-get install xvfb xauth"
need dbus-run-session "apt-get install dbus"
need gnome-keyring-daemon "apt-get install gnome-keyring"
need WebKitWebDriver "apt-get install webkit2gtk-driver"
need curl "apt-get install curl"
need node "Node.js 20+"
[[ -x $APP ]] || { echo "e2e: $APP missing: build the UI, then cargo build -p signstash-desk" >&2; missing=1; }
# The e2e runs a separate sandbox (standing in for Staging) with the CLI.
SIGNSTASH=${SIGNSTASH:-$ROOT/target/debug/signstash}
export SIGNSTASH
[[ -x $SIGNSTASH ]] || { echo "e2e: $SIGNSTASH missing: cargo build -p signstash-cli" >&2; missing=1; }
need pdfsig "apt-get install poppler-utils"
need xmlsec1 "apt-get install xmlsec1"
[[ -x $TAURI_DRIVER ]] || {
  echo "e2e: $TAURI_DRIVER missing: cargo install tauri-driver --locked --version '^2' --root $ROOT/.tools" >&2
  missing=1
}
[[ -d $ROOT/tests/e2e/node_modules ]] || { echo "e2e: run 'npm ci' in tests/e2e first" >&2; missing=1; }
if ((missing)); then
  echo "0 passed, 1 failed"
  exit 1
fi

mkdir -p "$LOG_DIR"
# Throwaway per-run home for everything the app, WebKit and the keyring write, so runs do not
# depend on each other or on the user's own data.
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/signstash-e2e.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export XDG_DATA_HOME=$SCRATCH/data XDG_CONFIG_HOME=$SCRATCH/config XDG_CACHE_HOME=$SCRATCH/cache
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# Debug builds take these paths instead of opening a native file dialog, which WebDriver cannot
# reach: Export diagnostics writes the first, Choose certificate reads the second.
export SIGNSTASH_E2E_SAVE_PATH=$SCRATCH/dialogs/signstash-diagnostics.zip
export SIGNSTASH_E2E_OPEN_PATH=$SCRATCH/dialogs/extra-ca.pem
mkdir -p "$SCRATCH/dialogs"
# The UI picks its language from navigator.language, which WebKitGTK derives from the C locale
# (LANGUAGE is ignored). Measured here: LANG=C.UTF-8 -> "C" (-> Portuguese, our default); a
# locale that is not installed (e.g. pt_PT.UTF-8 on this image) -> "en-US". So pin C.UTF-8.
unset LC_ALL LC_MESSAGES LANGUAGE
export LANG=C.UTF-8

keyring_session=()
command -v keyctl >/dev/null && keyring_session=(keyctl session -)

rc=0
xvfb-run -a -s "-screen 0 1280x800x24" \
  dbus-run-session -- "${keyring_session[@]}" bash "$ROOT/scripts/e2e.sh" --inside || rc=$?
exit "$rc"
