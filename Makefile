# The two commands that matter: `make run` and `make test`.
# Each installs what it needs first (scripts/setup.sh).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo
# Clippy as the compiler of the workspace's own crates, with warnings as
# errors: the debug build that the tests run is also the lint. `cargo
# clippy` does the same through `cargo check`, which compiles every
# dependency a second time in check mode: about ten minutes of a cold
# `make test` on a 2-core machine. Every debug build below goes through it,
# so the test binaries are built once. Recursive (=): rustc may only exist
# after scripts/setup.sh has run.
LINTED = RUSTC_WORKSPACE_WRAPPER="$$(rustc --print sysroot)/bin/clippy-driver" \
	CLIPPY_ARGS=-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__
# Where `make run` keeps its library, so trying Rounds never touches your own.
DEMO_DATA ?= $(CURDIR)/target/demo-data

.PHONY: setup setup-test build run test lint fmt clean bench bench-smoke soak ui ui-test e2e deb windows windows-lint

# `desktop` adds WebKitGTK, Xvfb, CJK fonts and Node.js: the workspace
# includes the desktop app (src-tauri), which every cargo build compiles.
setup:
	@scripts/setup.sh desktop

## What `make test` needs beyond `setup`: PostgreSQL for the office's tests,
## Valgrind for the benchmark's instruction counts (its smoke run is a test).
setup-test:
	@scripts/setup.sh desktop postgres bench

## Builds the UI into ui/dist, which the desktop app embeds at compile time
## (so it must exist before cargo builds src-tauri). `npm ci` runs only when
## the lockfile changed.
ui:
	@if [[ ! -f ui/node_modules/.package-lock.json || ui/package-lock.json -nt ui/node_modules/.package-lock.json ]]; then \
	  cd ui && npm ci --no-audit --no-fund; fi
	cd ui && npm run build

## The UI's logic tests (vitest).
ui-test: ui
	cd ui && npm test

## End-to-end tests: the real app driven by WebDriver (tauri-driver and
## WebKitWebDriver) under Xvfb, with a real office server; screenshots in
## target/e2e-screenshots/. The binaries are the ones `cargo test` builds
## (with the same features), so after `cargo test` nothing is compiled again.
e2e: ui
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked --version 2.1.0
	$(LINTED) $(CARGO) test --workspace --locked --no-run
	cd ui && E2E_BIN_DIR=$${CARGO_TARGET_DIR:-$(CURDIR)/target}/debug xvfb-run -a -s "-screen 0 1366x768x24" npm run e2e

build: setup ui
	$(CARGO) build --release --locked -p rounds-cli -p rounds-office -p rounds-desktop

## A Debian package of the desktop app, in target/release/bundle/deb/.
## Stripped: the release profile keeps line tables for profiling, which
## would make the package several times larger.
deb: setup ui
	CARGO_PROFILE_RELEASE_STRIP=debuginfo ui/node_modules/.bin/tauri build --bundles deb

## The Windows installer, cross-built here for Windows 10/11 x64:
## target/windows/Rounds-setup-<version>.exe, then the checks that can run
## without Windows (scripts/check-windows.sh). See docs/desktop.md.
windows:
	@scripts/setup.sh windows
	$(MAKE) ui
	scripts/windows.sh

## The whole workspace compiled and linted for Windows, as `lint` does for
## Linux: Windows-only code paths (cfg(windows)) are checked only here.
windows-lint:
	@scripts/setup.sh windows
	$(MAKE) ui
	$(CARGO) clippy --target x86_64-pc-windows-gnu --workspace --locked -- -D warnings

## Runs Rounds: the desktop app on a demo library with the samples, joined
## to a local office server (src-tauri/scripts/demo.sh; data under target/).
run: build
	@DEMO_DATA="$(DEMO_DATA)" src-tauri/scripts/demo.sh

## Runs every test, after formatting and lint checks. `--show-output` prints
## what the harness tests report: simulation, crash, hostile-input and
## de-identification counts.
test: setup-test ui lint
	$(LINTED) scripts/with-postgres.sh $(CARGO) test --workspace --locked -- --show-output
	$(MAKE) ui-test
	$(MAKE) e2e

## Runs the full benchmark (release build) and rewrites BENCHMARKS.md.
## The desktop app's part needs the release app and CLI, the UI's packages
## and tauri-driver, and a display: the whole run is under Xvfb.
bench: setup-test ui
	@command -v tauri-driver >/dev/null || $(CARGO) install tauri-driver --locked --version 2.1.0
	$(CARGO) build --release --locked -p rounds-office -p rounds-desktop -p rounds-cli
	xvfb-run -a -s "-screen 0 1366x768x24" scripts/with-postgres.sh $(CARGO) run --release --locked -p rounds-bench

## A tiny run of every part of the benchmark, to keep it working. It is a
## test of rounds-bench (crates/rounds-bench/tests/smoke.rs), so `cargo test
## --workspace` in `make test` runs it with the binaries it has just built.
bench-smoke:
	$(LINTED) scripts/with-postgres.sh $(CARGO) test --locked -p rounds-bench --test smoke -- --nocapture

## The fault simulation with many more schedules than `make test` runs.
soak: setup
	SIM_SEEDS=$${SIM_SEEDS:-400} SIM_STEPS=$${SIM_STEPS:-300} $(CARGO) test --release --locked -p rounds-tests --test sim -- --nocapture

## Formatting, then clippy over every crate of the workspace and every test,
## as the debug build the tests run (LINTED above).
lint: ui
	$(CARGO) fmt --all --check
	$(LINTED) $(CARGO) test --workspace --locked --no-run

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
