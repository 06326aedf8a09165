#!/usr/bin/env bash
# The main job: an end-to-end run on a local FVM (installs the toolchain if needed, builds the
# wasm and the harness, runs the demo).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo run --locked -q -p integration-tests --bin localnet-demo
