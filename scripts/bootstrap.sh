#!/usr/bin/env bash
# Installs what `make run` / `make test` need on a fresh Debian 12 machine; skips what is already there.
# Uses sudo when not root. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

APT_PACKAGES=(
  build-essential pkg-config curl ca-certificates
  # Tauri / WebKitGTK
  libwebkit2gtk-4.1-dev
  # sandbox XAdES signing (xmlsec crate: libxmlsec1 + libxml2 through bindgen)
  libxmlsec1-dev libxml2-dev libclang-dev
  # headless run and end-to-end tests
  xvfb xauth webkit2gtk-driver dbus gnome-keyring keyutils imagemagick
  # independent verifiers
  poppler-utils xmlsec1 qpdf libnss3-tools python3-venv jq
  # forward proxy (with Basic auth) for the office-network tests
  tinyproxy
  # network e2e: its test CA and TLS certificate (openssl), the exported diagnostics (unzip)
  openssl unzip
  # the desktop proxy test reads GNOME's proxy settings with gsettings
  libglib2.0-bin gsettings-desktop-schemas
  # make test-package: desktop entries checked by desktop-file-validate
  desktop-file-utils
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# pyHanko (PDF signature validator) in a project-local virtualenv.
if [ ! -x .tools/venv/bin/pyhanko ]; then
  echo "bootstrap: installing pyHanko into .tools/venv"
  python3 -m venv .tools/venv
  .tools/venv/bin/pip install -q --disable-pip-version-check 'pyhanko==0.38.*' 'pyhanko-cli==0.6.*'
fi

# tauri-driver (WebDriver bridge for the end-to-end tests).
if [ ! -x .tools/bin/tauri-driver ]; then
  echo "bootstrap: installing tauri-driver into .tools"
  cargo install -q tauri-driver --locked --version '^2' --root "$PWD/.tools"
fi

# UI and end-to-end test dependencies (install scripts are off: nothing downloads a browser).
for dir in ui tests/e2e; do
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
    echo "bootstrap: npm ci in $dir/"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
echo "bootstrap: ready"
