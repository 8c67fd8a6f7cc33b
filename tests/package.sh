#!/usr/bin/env bash
# Checks the .deb that `make package` built: its metadata, files, desktop entries ("Open with" /
# "Sign with Sign'Stash Desk" for PDF and XML, files passed with %F), RGBA icons; then runs the
# packaged binary twice under Xvfb with a D-Bus session and checks that the second launch hands
# its file to the first window and exits, and that files given at first launch reach the UI.
set -euo pipefail
cd "$(dirname "$0")/.."

fail() { echo "package: $*" >&2; exit 1; }
DEB=$(ls -t target/dist/bundle/deb/*.deb 2>/dev/null | head -n 1) || true
[ -n "$DEB" ] || fail "no .deb in target/dist/bundle/deb (run make package)"
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

info=$(dpkg-deb -I "$DEB")
grep -q '^ Package: ' <<<"$info" || fail "no Package field"
grep -q '^ Depends:.*libwebkit2gtk-4.1-0' <<<"$info" || fail "Depends lacks libwebkit2gtk-4.1-0"
contents=$(dpkg-deb -c "$DEB")
for path in usr/bin/signstash-desk usr/share/applications/signstash-desk-sign.desktop \
  usr/share/icons/hicolor/32x32/apps/signstash-desk.png \
  usr/share/icons/hicolor/128x128/apps/signstash-desk.png \
  usr/share/icons/hicolor/512x512/apps/signstash-desk.png; do
  grep -qE " (\./)?$path\$" <<<"$contents" || fail "$path missing from the package"
done

dpkg-deb -x "$DEB" "$WORK/root"
main_entry=$(grep -l '^Exec=signstash-desk %F' "$WORK"/root/usr/share/applications/*.desktop | grep -v -- '-sign.desktop' | head -n 1) \
  || fail "no main desktop entry with Exec=signstash-desk %F"
for entry in "$main_entry" "$WORK/root/usr/share/applications/signstash-desk-sign.desktop"; do
  grep -q '^MimeType=.*application/pdf;' "$entry" || fail "$(basename "$entry"): no PDF MimeType"
  grep -q '^MimeType=.*application/xml;' "$entry" || fail "$(basename "$entry"): no XML MimeType"
  grep -q '^Exec=signstash-desk %F$' "$entry" || fail "$(basename "$entry"): Exec does not take files (%F)"
  if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate "$entry" || fail "$(basename "$entry") is not a valid desktop entry"
  fi
done
grep -q "^Name=Sign with Sign'Stash Desk$" "$WORK/root/usr/share/applications/signstash-desk-sign.desktop" \
  || fail "no \"Sign with Sign'Stash Desk\" entry"
for icon in $(find "$WORK/root/usr/share/icons" -name '*.png'); do
  python3 - "$icon" <<'EOF' || fail "$icon is not an RGBA PNG"
import struct, sys
data = open(sys.argv[1], "rb").read(33)
assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
assert data[25] == 6, "colour type %d" % data[25]
EOF
done

# Single instance, with the packaged binary.
BIN="$WORK/root/usr/bin/signstash-desk"
# The e2e's dialog hooks (SIGNSTASH_E2E_*_PATH) are compiled into debug builds only.
grep -qa 'SIGNSTASH_E2E_' "$BIN" && fail "the packaged binary reads an e2e test hook (SIGNSTASH_E2E_*)"
mkdir -p "$WORK/home" "$WORK/docs"
printf '%%PDF-1.4\n' >"$WORK/docs/first.pdf"
printf '%%PDF-1.4\n' >"$WORK/docs/second.pdf"
cat >"$WORK/run.sh" <<'EOF'
set -u
cd "$DOCS"
"$BIN" first.pdf >"$WORK/first.log" 2>&1 &
first=$!
for _ in $(seq 150); do grep -q 'emitting files to the UI' "$WORK/first.log" && break; sleep 0.2; done
timeout 30 "$BIN" second.pdf >"$WORK/second.log" 2>&1
echo "second exit: $?" >"$WORK/second.rc"
sleep 1
kill -0 "$first" 2>/dev/null && echo alive >"$WORK/first.alive"
kill "$first"; wait "$first" 2>/dev/null
exit 0
EOF
NO_COLOR=1 HOME="$WORK/home" XDG_DATA_HOME="$WORK/home/data" RUST_LOG=info BIN="$BIN" WORK="$WORK" DOCS="$WORK/docs" \
  timeout 120 dbus-run-session -- xvfb-run -a -s "-screen 0 1024x768x24" bash "$WORK/run.sh" \
  || fail "the single-instance run failed"
grep -q 'files given on the command line count=1' "$WORK/first.log" || fail "first launch did not take its file: $(tail -n 5 "$WORK/first.log")"
grep -q 'emitting files to the UI count=1' "$WORK/first.log" || fail "first launch's file was not emitted to the UI"
[ "$(cat "$WORK/second.rc")" = "second exit: 0" ] || fail "second launch: $(cat "$WORK/second.rc"): $(tail -n 5 "$WORK/second.log")"
[ -f "$WORK/first.alive" ] || fail "the first instance did not survive the second launch"
grep -q 'second launch: handing its files to the open window count=1' "$WORK/first.log" \
  || fail "the first instance did not receive the second launch's file: $(tail -n 5 "$WORK/first.log")"
[ "$(grep -c 'emitting files to the UI count=1' "$WORK/first.log")" = 2 ] || fail "the second launch's file was not emitted to the UI"
grep -q 'starting Sign' "$WORK/second.log" && fail "the second launch started a second window"

size() { du -h "$1" | cut -f1; }
echo "package: $(basename "$DEB") ($(size "$DEB")), binary $(size "$BIN"); desktop entries, MIME types, RGBA icons and single instance OK"
