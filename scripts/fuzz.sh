#!/usr/bin/env bash
# Runs the suite's libFuzzer targets (testing/fuzz: `suite-fuzz`'s targets, driven by
# testing/fuzz/libfuzzer with cargo-fuzz), each for SECONDS, from the saved corpus plus the
# targets' seeds; then minimises the corpus (`cargo fuzz cmin`) so that what is committed stays
# small, and prints each target's executions and coverage. A crash stops the script and is
# copied to testing/fuzz/crashes/<target>/, which the replay test (`cargo test -p suite-fuzz`)
# runs on every `scripts/test.sh` once the bug is fixed.
#   scripts/fuzz.sh                 # every target, 60 s each
#   scripts/fuzz.sh 600             # every target, 10 minutes each
#   scripts/fuzz.sh 60 reputation_ops
#   FUZZ_FLAGS=-max_len=512 scripts/fuzz.sh 600 market_ops   # more libFuzzer flags for the runs
# Built on the pinned stable toolchain with `-s none` (no sanitizer: the targets are safe Rust,
# and a sanitizer would need nightly); cargo-fuzz itself is installed with `cargo install` if
# missing.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null

seconds=${1:-60}
shift || true
if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz (once)" >&2
  cargo install --locked cargo-fuzz
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(sed -n 's/^name = "\(.*\)"$/\1/p' testing/fuzz/libfuzzer/Cargo.toml | grep -v '^suite-fuzz')
fi

# The seeds from the suite's own build (scripts/test.sh built it); libFuzzer's instrumented build
# keeps to a target dir of its own.
cargo run --locked -q -p suite-fuzz --bin fuzz-seeds -- testing/fuzz/corpus
export CARGO_TARGET_DIR="$PWD/target/fuzz"
fuzz() { local command=$1; shift; cargo fuzz "$command" --fuzz-dir testing/fuzz/libfuzzer -s none -O "$@"; }
fuzz build >&2

summary=()
for target in "${targets[@]}"; do
  corpus=testing/fuzz/corpus/$target
  log=target/fuzz/$target.log
  echo "fuzz.sh: $target for ${seconds}s" >&2
  if ! fuzz run "$target" "$corpus" -- \
      -max_total_time="$seconds" -print_final_stats=1 -artifact_prefix="target/fuzz/$target-" ${FUZZ_FLAGS:-} >"$log" 2>&1; then
    mkdir -p "testing/fuzz/crashes/$target"
    cp target/fuzz/"$target"-crash-* target/fuzz/"$target"-oom-* target/fuzz/"$target"-timeout-* \
      "testing/fuzz/crashes/$target/" 2>/dev/null || true
    grep -m1 -A12 "panicked\|ERROR: libFuzzer" "$log" >&2 || tail -30 "$log" >&2
    echo "fuzz.sh: $target crashed: the input is in testing/fuzz/crashes/$target/ (log $log)" >&2
    exit 1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'DONE *cov: [0-9]* ft: [0-9]*' "$log" | tail -1 | sed 's/DONE *//')
  fuzz cmin "$target" "$corpus" >"target/fuzz/$target-cmin.log" 2>&1
  files=$(find "$corpus" -type f | wc -l)
  summary+=("$target: $runs executions in ${seconds}s, $cov (coverage edges, features); corpus $files inputs after cmin")
done
printf '%s\n' "${summary[@]}"
