#!/usr/bin/env bash
# The suite's benchmark: gas of every actor method on the real wasm through the local FVM, at
# growing state sizes, and the harness's throughput (installs the toolchain if needed, builds
# the wasm and the harness, runs it). Options go to the program:
#   scripts/bench.sh                                # full run (N = 10, 1,000, 10,000)
#   scripts/bench.sh --quick                        # smoke run (N = 10, 100)
#   scripts/bench.sh --out docs/benchmarks.md       # also write the tables as Markdown
#
# The dev profile, not --release: gas does not depend on the profile, the dev build is the one
# `scripts/test.sh` already compiled (dependencies at opt-level 1), and on 2 cores a release
# build of wasmtime and the FVM (about 9 CPU-minutes) would save only ~10 s of a ~25 s full run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo run --locked -q -p integration-tests --bin bench -- "$@"
