#!/usr/bin/env bash
# The main job: the end-to-end story on a fresh local FVM devnet (installs the toolchain if
# needed, builds the wasm and the `suite` command line, runs `suite demo`). Options go to the
# demo, e.g. `scripts/demo.sh --keep /tmp/devnet` keeps the devnet for `suite --data-dir`.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
cargo run --locked -q -p suite-cli --bin suite -- demo "$@"
