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
cd "$(dirname "$0")/.."

target=wasm32-unknown-unknown

# rust-toolchain.toml pins an exact release ("1.95.0"). Where rustup holds that release only
# under the name "stable", give it the exact name as well (a link, as rustup itself lays out
# toolchains), so that the first cargo or rustc below does not download the same compiler again,
# or fail on a machine that cannot reach the toolchain server.
pinned=$(sed -n 's/^channel = "\(.*\)"$/\1/p' rust-toolchain.toml 2>/dev/null || true)
if [ -n "$pinned" ] && command -v rustup >/dev/null 2>&1 \
  && ! rustup toolchain list 2>/dev/null | grep -q "^$pinned-"; then
  stable_version=$(rustup run stable rustc --version 2>/dev/null | awk '{print $2}')
  host=$(rustup run stable rustc -vV 2>/dev/null | sed -n 's/^host: //p')
  toolchains="${RUSTUP_HOME:-$HOME/.rustup}/toolchains"
  if [ "$stable_version" = "$pinned" ] && [ -d "$toolchains/stable-$host" ]; then
    ln -s "stable-$host" "$toolchains/$pinned-$host"
    echo "setup: rustup's stable is $pinned, the release rust-toolchain.toml pins: linked it under that name"
  else
    echo "setup: rust-toolchain.toml pins $pinned, which rustup does not have (stable is ${stable_version:-missing}); rustup will try to install it" >&2
  fi
fi

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

# The Node.js test of `suite node` (testing/js, run by cli/tests/node.rs): iso-filecoin, glif's
# RPC client and cborg at the versions package-lock.json pins.
if ! command -v npm >/dev/null 2>&1; then
  echo "setup: npm is not on PATH; install Node.js 20 or later (apt-get install nodejs npm) for the JS test of suite node" >&2
  exit 1
fi
if [ ! -d testing/js/node_modules ] || [ testing/js/package-lock.json -nt testing/js/node_modules/.package-lock.json ]; then
  (cd testing/js && npm ci --no-audit --no-fund --loglevel=error)
  echo "setup: installed the JS test's packages (testing/js)"
else
  echo "setup: the JS test's packages are installed (testing/js)"
fi

# The browser test of the bounty board page (testing/browser, run by cli/tests/browser.rs):
# Debian's Chromium driven by playwright-core (which downloads no browser of its own).
if [ ! -x /usr/bin/chromium ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: /usr/bin/chromium is missing and there is no apt-get: install Chromium for the browser test" >&2
    exit 1
  fi
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq chromium >/dev/null
  echo "setup: installed Chromium for the browser test ($(/usr/bin/chromium --version 2>/dev/null))"
fi
if [ ! -d testing/browser/node_modules ] || [ testing/browser/package-lock.json -nt testing/browser/node_modules/.package-lock.json ]; then
  (cd testing/browser && npm ci --no-audit --no-fund --loglevel=error)
  echo "setup: installed the browser test's packages (testing/browser)"
else
  echo "setup: the browser test's packages are installed (testing/browser)"
fi
