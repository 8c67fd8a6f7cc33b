#!/bin/bash
# Coverage-guided fuzzing (cargo fuzz / libFuzzer) of the response parser, the PDF signature check
# and the XML signature check. Usage: scripts/fuzz.sh SECONDS_PER_TARGET
# Runs on the stable toolchain: RUSTC_BOOTSTRAP lets it take the sanitizer flags cargo fuzz passes
# (the machines have one toolchain). A crash fails the run and leaves its input in
# fuzz/artifacts/<target>/; the corpus grows in fuzz/corpus/<target>/ (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
# make fuzz-smoke (in make test) builds without AddressSanitizer: several times faster to build, and
# the fuzzed code is safe Rust; make fuzz keeps it.
sanitizer=${FUZZ_SANITIZER:-address}
export PATH="$PWD/.tools/bin:$PATH" RUSTC_BOOTSTRAP=1
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install -q cargo-fuzz --locked --root "$PWD/.tools"
fi
for target in response_parser pdf_signature_check xml_signature_check; do
  mkdir -p "fuzz/corpus/$target"
  log=$(mktemp)
  if ! cargo fuzz run --sanitizer "$sanitizer" --fuzz-dir fuzz "$target" "fuzz/corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=65536 >"$log" 2>&1; then
    tail -n 40 "$log"
    if ls "fuzz/artifacts/$target"/crash-* >/dev/null 2>&1; then
      echo "fuzz: $target CRASHED (input in fuzz/artifacts/$target/)"
    else
      echo "fuzz: $target could not be built or run"
    fi
    exit 1
  fi
  runs=$(grep -o 'Done [0-9]* runs' "$log" | grep -o '[0-9]*' || echo '?')
  echo "fuzz: $target: $runs executions in ${seconds}s, no crash, corpus $(ls "fuzz/corpus/$target" | wc -l) inputs"
  rm -f "$log"
done
