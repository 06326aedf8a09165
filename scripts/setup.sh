#!/usr/bin/env bash
# Makes this machine able to build the suite's wasm actors. Idempotent.
#
# 1. If the active toolchain already has a prebuilt wasm32-unknown-unknown std: nothing to do.
# 2. Otherwise `rustup target add wasm32-unknown-unknown` (works wherever the toolchain
#    server is reachable).
# 3. Only if that fails (offline machine), on Debian: install rustc-web, rust-web-src and
#    lld-22, a system rustc with std sources; wasm-build then builds std itself
#    (-Zbuild-std with RUSTC_BOOTSTRAP=1).
set -euo pipefail

target=wasm32-unknown-unknown

have_prebuilt_std() {
  local sysroot
  sysroot=$(rustc --print sysroot 2>/dev/null) || return 1
  compgen -G "$sysroot/lib/rustlib/$target/lib/libstd-*.rlib" >/dev/null
}

have_std_sources() {
  [ -x /usr/bin/rustc ] || return 1
  local sysroot
  sysroot=$(/usr/bin/rustc --print sysroot 2>/dev/null) || return 1
  [ -f "$sysroot/lib/rustlib/src/rust/library/std/Cargo.toml" ]
}

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo is not on PATH; install Rust with rustup first" >&2
  exit 1
fi

if have_prebuilt_std; then
  echo "setup: $target std already installed ($(rustc --version))"
elif command -v rustup >/dev/null 2>&1 && rustup target add "$target"; then
  echo "setup: added $target with rustup"
elif have_std_sources; then
  echo "setup: using the system compiler's std sources ($(/usr/bin/rustc --version))"
else
  echo "setup: rustup could not add $target; falling back to Debian's rustc-web" >&2
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: no apt-get either: install a Rust toolchain with the $target std" >&2
    exit 1
  fi
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y --no-install-recommends rustc-web rust-web-src lld-22
  have_std_sources || { echo "setup: rustc-web installed but no std sources found" >&2; exit 1; }
  echo "setup: system compiler ready for -Zbuild-std ($(/usr/bin/rustc --version))"
fi

# rustfmt and clippy are part of the test command.
if command -v rustup >/dev/null 2>&1; then
  for component in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$component" || rustup component add "$component" || true
  done
fi
