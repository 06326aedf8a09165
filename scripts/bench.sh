#!/usr/bin/env bash
# The suite's benchmark on the local FVM (installs the toolchain if needed, builds the wasm and
# the harness, runs `tools/bench`, package suite-bench): gas of every exported method at growing
# state sizes, floors of the heavy flows, where a claim's gas goes, the harness's throughput,
# the wasm modules, and the same flows on the suite rebuilt at other opt-levels.
#   scripts/bench.sh                      # full run (N = 10, 1,000, 10,000): writes docs/benchmarks.md
#   scripts/bench.sh --out FILE           # full run, Markdown to FILE instead
#   scripts/bench.sh --quick              # smoke run (N = 10, 100; no rebuilds, no file)
# A full run that writes docs/benchmarks.md ends with scripts/bench-commp.sh (its CommP section).
# Other options go to the program (`--only SECTION`, `--variant LABEL=DIR`; see `--help`).
#
# A full run first builds the suite three more times (once, then cached) into
# target/bench-wasm/: `[profile.wasm]` at opt-level "s" and "z", and opt-level 3 linked with a
# 64 KiB stack instead of wasm-build's 128 KiB (a rustc wrapper appends `-zstack-size`, which
# overrides), so that the report compares their size and gas with the modules as built.
#
# The dev profile, not --release: gas does not depend on the profile, the dev build is the one
# `scripts/test.sh` already compiled (dependencies at opt-level 1), and on 2 cores a release
# build of wasmtime and the FVM (about 9 CPU-minutes) would save only seconds of the run.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh

quick=false
out=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=true ;;
    --out|--out=*) out=(none) ;;
  esac
done

args=("$@")
if ! $quick; then
  variants=target/bench-wasm
  mkdir -p "$variants"
  cargo build --locked -q -p wasm-build
  for level in s z; do
    echo "bench.sh: building the suite at opt-level $level into $variants/opt-$level" >&2
    CARGO_PROFILE_WASM_OPT_LEVEL=$level target/debug/wasm-build --group product \
      --out "$variants/opt-$level" --target-dir "$variants/target-$level" >/dev/null
    args+=(--variant "opt-level $level=$variants/opt-$level")
  done
  wrapper="$variants/stack-wrapper.sh"
  cat >"$wrapper" <<'WRAPPER'
#!/bin/sh
# rustc wrapper of scripts/bench.sh: link wasm cdylibs with a 64 KiB stack.
rustc="$1"; shift
case " $* " in
  *" --target wasm32-unknown-unknown "*) case " $* " in *" --crate-type cdylib "*)
    exec "$rustc" "$@" -Clink-arg=-zstack-size=65536 ;; esac ;;
esac
exec "$rustc" "$@"
WRAPPER
  chmod +x "$wrapper"
  echo "bench.sh: building the suite with a 64 KiB stack into $variants/stack64" >&2
  CARGO_BUILD_RUSTC_WRAPPER="$PWD/$wrapper" target/debug/wasm-build --group product \
    --out "$variants/stack64" --target-dir "$variants/target-stack64" >/dev/null
  args+=(--variant "stack 64 KiB=$variants/stack64")
  if [ ${#out[@]} -eq 0 ]; then
    args+=(--out docs/benchmarks.md)
  fi
fi
# The `suite node` section drives the `suite` binary next to the bench's.
cargo build --locked -q -p suite-cli
cargo run --locked -q -p suite-bench -- "${args[@]}"
# The report's last section, CommP next to sha256sum, comes from its own program (a release
# build of one small crate); a full run that rewrote docs/benchmarks.md adds it back.
if ! $quick && [ ${#out[@]} -eq 0 ]; then
  scripts/bench-commp.sh
fi
