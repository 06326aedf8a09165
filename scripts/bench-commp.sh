#!/usr/bin/env bash
# CommP throughput next to `sha256sum` (and `openssl dgst -sha256`) of the same 1 GiB files on
# this machine, in one run, with peak memory: writes (or replaces) the "## CommP" section of
# docs/benchmarks.md, which `scripts/bench.sh` otherwise writes (a full bench.sh run calls this
# script at its end, so the section survives a regeneration).
#   scripts/bench-commp.sh                # update docs/benchmarks.md
#   scripts/bench-commp.sh --print        # print the section instead
#   scripts/bench-commp.sh --reps 5       # other options go to commp-bench (--size, --dir, --reps)
#
# Builds only `suite-commp` in release (a minute), twice: as is, and with sha2's `asm` feature
# in its own target directory (target/bench-commp-asm), so that the report shows whether that
# backend would be faster here. Needs about 1 GiB free in the temporary directory (the random
# file; the sparse one takes no space).
set -euo pipefail
cd "$(dirname "$0")/.."

print=false
args=()
for arg in "$@"; do
  case "$arg" in
    --print) print=true ;;
    *) args+=("$arg") ;;
  esac
done

if [ ! -x /usr/bin/time ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "bench-commp.sh: installing GNU time (for peak memory)" >&2
  apt-get install -y -qq time >/dev/null 2>&1 || echo "bench-commp.sh: no GNU time; peak memory not measured" >&2
fi

echo "bench-commp.sh: building suite-commp (release)" >&2
cargo build --locked --release -q -p suite-commp --bin commp-bench
if CARGO_TARGET_DIR=target/bench-commp-asm cargo build --locked --release -q -p suite-commp --features asm \
  --bin commp-bench; then
  args+=(--variant "sha2 \`asm\` feature=target/bench-commp-asm/release/commp-bench")
else
  echo "bench-commp.sh: the asm variant did not build; measuring without it" >&2
fi

section=$(mktemp)
trap 'rm -f "$section"' EXIT
echo "bench-commp.sh: measuring (about two minutes)" >&2
target/release/commp-bench "${args[@]}" --out "$section"

if $print; then
  cat "$section"
  exit 0
fi

doc=docs/benchmarks.md
mkdir -p docs
touch "$doc"
# Replace the section from "## CommP" to the next "## " heading (or the end); append it if new.
awk -v section="$section" '
  function emit() { while ((getline line < section) > 0) print line; close(section); done = 1 }
  /^## CommP$/ { skipping = 1; emit(); next }
  skipping && /^## / { skipping = 0; print ""; }
  !skipping { print }
  END { if (!done) { print ""; emit() } }
' "$doc" >"$doc.new"
mv "$doc.new" "$doc"
echo "bench-commp.sh: wrote the CommP section of $doc" >&2
