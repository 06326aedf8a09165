#!/usr/bin/env bash
# The one test command: installs what is missing, checks formatting and lints, then runs every
# test (host unit tests and the scenario tests on the local FVM, which build the wasm first).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh

echo "== cargo fmt --check"
cargo fmt --all -- --check

echo "== cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings

echo "== cargo test"
cargo test --workspace --locked
