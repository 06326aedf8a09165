#!/usr/bin/env bash
# The model-based sequences (testing/integration/tests/suite/model.rs) for as many seeds as you
# like: each seed's operations run on the real wasm in the devnet and on the model, and the
# first difference fails with the seed and the shortest sequence that still fails.
#   scripts/soak.sh               # 10,000 seeds × 50 operations
#   scripts/soak.sh 500 200       # 500 seeds × 200 operations
#   scripts/soak.sh 1000 50 20001 # seeds 20001 to 21000
# CI runs 200 × 50 inside scripts/test.sh; this is the long run. Prints the time it took, the
# escrow and market messages by exit code, and the market's by method.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null

seeds=${1:-10000}
ops=${2:-50}
first=${3:-1}
echo "soak: seeds $first to $((first + seeds - 1)), $ops operations each" >&2
start=$(date +%s)
MODEL_SEEDS=$seeds MODEL_OPS=$ops MODEL_SEED_BASE=$first \
  cargo test --locked -q -p integration-tests --test suite -- model:: --nocapture 2>&1 \
  | grep -v '^running\|^$\|^test result: ok. 0 passed'
echo "soak: done in $(( $(date +%s) - start )) s (build included)" >&2
