# The project's interface. `make run` and `make test` work on a fresh Debian 12 machine: both first
# install what is missing (scripts/bootstrap.sh, with sudo when not root).
SHELL := /bin/bash
CARGO ?= cargo
APP := target/debug/signstash-desk

.PHONY: setup ui build run test lint test-rust test-ui e2e fuzz-smoke fuzz bench bench-memory bench-sandbox acceptance package test-package clean

setup:
	@scripts/bootstrap.sh

# The UI is built before cargo: the app embeds ui/dist at compile time.
ui: setup
	cd ui && npm run build

build: ui
	$(CARGO) build --locked --workspace

## Start the app on the Sandbox (training) environment.
run: build
	$(APP)

## Every test: lints, Rust (with a real Secret Service keyring), UI, end-to-end.
test: lint test-rust test-ui e2e fuzz-smoke

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	cd ui && npm run check

test-rust: build
	scripts/with-keyring.sh $(CARGO) test --locked --workspace
	tests/sandbox-curl.sh

test-ui: setup
	cd ui && npm test

e2e: build
	scripts/e2e.sh

## Coverage-guided fuzzing of the response parser and the PDF/XML signature checks (RELIABILITY.md):
## 20 s per target in `make test`, 10 minutes per target here.
fuzz-smoke: setup
	FUZZ_SANITIZER=none scripts/fuzz.sh 20

fuzz: setup
	scripts/fuzz.sh 600

## Figures, not pass/fail (BENCHMARKS.md): 1,000 PDFs of 200 KB signed by our engine, by the
## reference-client shape and at the sandbox's own limit, with 20 ms of latency and with none.
bench: setup
	$(CARGO) build --locked --release --bin signstash
	target/release/signstash bench --docs 1000 --size-kb 200 --latency-ms 20
	target/release/signstash bench --docs 1000 --size-kb 200 --latency-ms 0

## The client's peak memory for 100 PDFs of 20 MB (writes 2 GB of test files to the temp folder).
bench-memory: setup
	$(CARGO) build --locked --release --bin signstash
	target/release/signstash bench --docs 100 --size-kb 20480 --latency-ms 0 --baseline-docs 5
	target/release/signstash bench --docs 100 --size-kb 20480 --latency-ms 0 --baseline-docs 5 --batch-size 1

## The sandbox alone: its time for 100 x 200 KB and its memory for a 100 MB request.
bench-sandbox: setup
	$(CARGO) build --locked --release --bin signstash
	$(CARGO) run --locked --release -q -p signstash-sandbox --example scale -- target/release/signstash

## The installable Debian package: target/dist/bundle/deb/*.deb (tauri build through the npm CLI in
## ui/, a prebuilt binary). No AppImage: its bundler downloads linuxdeploy and its plugins at build time.
package: ui
	[ -x ui/node_modules/.bin/tauri ] || (cd ui && npm ci --no-audit --no-fund --loglevel=error)
	ui/node_modules/.bin/tauri build --ci --bundles deb -- --locked --profile dist
	@ls -l target/dist/bundle/deb/*.deb

## The desktop app's figures on the shipped (`dist`) build under Xvfb: launch to an interactive window,
## 1,000 files in the list and scrolling, memory of the process tree, binary and .deb sizes
## (scripts/bench-app.sh; BENCHMARKS.md, "Desktop app"). Figures, not pass/fail.
.PHONY: bench-app
bench-app: package
	[ -d tests/e2e/node_modules ] || (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
	scripts/bench-app.sh

## Inspects the .deb and runs its binary twice (single instance) under Xvfb.
test-package: package
	tests/package.sh

## The shared acceptance check of the sandbox (needs ../shared).
acceptance: setup
	../shared/acceptance/2-sandbox

clean:
	$(CARGO) clean
	rm -rf ui/dist
