# The project's interface. `make run` and `make test` work on a fresh Debian 12 machine: both first
# install what is missing (scripts/bootstrap.sh, with sudo when not root).
SHELL := /bin/bash
CARGO ?= cargo
APP := target/debug/signstash-desk

.PHONY: setup ui build run test lint test-rust test-ui e2e acceptance clean

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
test: lint test-rust test-ui e2e

lint: ui
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	cd ui && npm run check

test-rust: build
	scripts/with-keyring.sh $(CARGO) test --locked --workspace

test-ui: setup
	cd ui && npm test

e2e: build
	scripts/e2e.sh

## The shared acceptance check of the sandbox (needs ../shared).
acceptance: setup
	../shared/acceptance/2-sandbox

clean:
	$(CARGO) clean
	rm -rf ui/dist
