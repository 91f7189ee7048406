# The two commands that matter: `make run` and `make test`.
# Each installs what it needs first (scripts/setup.sh).

SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo
# Where `make run` keeps its library, so trying Rounds never touches your own.
DEMO_DATA ?= $(CURDIR)/target/demo-data

.PHONY: setup build run test lint fmt clean soak bench bench-smoke

setup:
	@scripts/setup.sh

build: setup
	$(CARGO) build --release -p rounds-cli

## Runs Rounds: for now the `rounds` CLI on a demo library with the samples.
run: build
	@target/release/rounds --data "$(DEMO_DATA)" samples
	@echo
	@target/release/rounds --data "$(DEMO_DATA)" list
	@echo
	@echo "Your demo library is in $(DEMO_DATA). Try:"
	@echo "  target/release/rounds --data $(DEMO_DATA) search 黄疸"
	@echo "  target/release/rounds --data $(DEMO_DATA) show <id from the list>"
	@echo "  target/release/rounds --help"

## Runs every test, after formatting and lint checks. `--show-output` prints
## what the harness tests report: simulation, crash, hostile-input and
## de-identification counts.
test: setup lint
	$(CARGO) test --workspace --locked -- --show-output
	$(MAKE) bench-smoke

## Runs the full benchmark (release build) and rewrites BENCHMARKS.md.
bench: setup
	$(CARGO) run --release --locked -p rounds-bench

## A tiny run of every part of the benchmark, to keep it working. Built in
## the test profile that `cargo test` has just built, so CI compiles little.
bench-smoke:
	$(CARGO) run --profile test --locked -p rounds-bench -- --quick --no-write

## The fault simulation with many more schedules than `make test` runs.
soak: setup
	SIM_SEEDS=$${SIM_SEEDS:-400} SIM_STEPS=$${SIM_STEPS:-300} $(CARGO) test --release --locked -p rounds-tests --test sim -- --nocapture

lint:
	$(CARGO) fmt --all --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

fmt:
	$(CARGO) fmt --all

clean:
	$(CARGO) clean
