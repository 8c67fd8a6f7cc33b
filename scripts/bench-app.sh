#!/usr/bin/env bash
# Figures for the desktop app (issue 6, item 2), on the shipped build (cargo profile `dist`, what the .deb holds) under Xvfb: launch to an
# interactive window, 1,000 files in the list and scrolling, idle memory of the process tree,
# binary and .deb sizes. `make bench-app` builds (make package) and runs it. Prints a report and,
# last, one JSON line (tests/e2e/bench-app.mjs says what each figure is).
#
# Builds nothing: expects target/dist/signstash-desk (built by `make package`, i.e. tauri
# build, so it embeds ui/dist), tests/e2e/node_modules and tauri-driver, like scripts/e2e.sh.
#
# Environment:
#   APP                app binary (default: target/dist/signstash-desk)
#   TAURI_DRIVER       tauri-driver binary (default: .tools/bin/tauri-driver)
#   TAURI_DRIVER_PORT  WebDriver port (default: 4470; WebKitWebDriver gets port+1)
#   BENCH_LAUNCHES     launches timed (default 10; the first is on a fresh profile)
#   BENCH_LIST_RUNS    times the 1,000 files are listed, each way (default 5)
#
# Layers as in e2e.sh: xvfb-run → dbus-run-session → gnome-keyring unlocked on that bus → the
# --inside stage, which runs the bench with a throwaway XDG home (so the first launch is a
# real first start).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export APP=${APP:-$ROOT/target/dist/signstash-desk}
export TAURI_DRIVER=${TAURI_DRIVER:-$ROOT/.tools/bin/tauri-driver}
export TAURI_DRIVER_PORT=${TAURI_DRIVER_PORT:-4470}

if [[ ${1:-} == --inside ]]; then
  echo -n bench-keyring | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec node "$ROOT/tests/e2e/bench-app.mjs"
fi

missing=0
need() { if ! command -v "$1" >/dev/null; then echo "bench-app: '$1' not found ($2)" >&2; missing=1; fi; }
need xvfb-run "apt-get install xvfb xauth"
need dbus-run-session "apt-get install dbus"
need gnome-keyring-daemon "apt-get install gnome-keyring"
need WebKitWebDriver "apt-get install webkit2gtk-driver"
need node "Node.js 20+"
[[ -x $APP ]] || { echo "bench-app: $APP missing: run 'make package' (release build with the UI)" >&2; missing=1; }
[[ -x $TAURI_DRIVER ]] || {
  echo "bench-app: $TAURI_DRIVER missing: cargo install tauri-driver --locked --version '^2' --root $ROOT/.tools" >&2
  missing=1
}
[[ -d $ROOT/tests/e2e/node_modules ]] || { echo "bench-app: run 'npm ci' in tests/e2e first" >&2; missing=1; }
((missing)) && exit 1

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/signstash-bench-app.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
export XDG_DATA_HOME=$SCRATCH/data XDG_CONFIG_HOME=$SCRATCH/config XDG_CACHE_HOME=$SCRATCH/cache
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# As in e2e.sh: C.UTF-8 gives navigator.language "C" (Portuguese UI).
unset LC_ALL LC_MESSAGES LANGUAGE
export LANG=C.UTF-8

xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- bash "$ROOT/scripts/bench-app.sh" --inside
