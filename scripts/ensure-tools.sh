#!/usr/bin/env bash
# Installs what building the app needs, skipping whatever is already present:
# the wasm32 target, trunk, wasm-bindgen-cli at exactly Cargo.lock's version, and
# wasm-opt from npm binaryen 132 (Debian's binaryen 108 silently breaks the app).
# Versions and timings: ../shared/TOOLCHAIN.md. Safe to run again and again.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PWD/tools/node_modules/.bin:$PATH"

TRUNK_VERSION=0.22.1
say() { printf '==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  say "installing Node.js and npm (Debian)"
  apt-get update -qq && apt-get install -y -qq nodejs npm
fi

if ! trunk --version 2>/dev/null | grep -q " ${TRUNK_VERSION}\$"; then
  say "installing trunk ${TRUNK_VERSION} (several minutes, once)"
  # trunk's own release profile is fat LTO with one codegen unit: ~11 min here.
  # Thin builds take ~6.5 min and build the app identically.
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install trunk --version "${TRUNK_VERSION}" --locked --ignore-rust-version
fi

if [ ! -f Cargo.lock ]; then cargo generate-lockfile; fi
WB_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q " ${WB_VERSION}\$"; then
  say "installing wasm-bindgen-cli ${WB_VERSION} (matches Cargo.lock)"
  # Not --locked: its lock pins a crate version this registry lacks.
  cargo install wasm-bindgen-cli --version "${WB_VERSION}" --force
fi

if ! tools/node_modules/.bin/wasm-opt --version 2>/dev/null | grep -q "version 132"; then
  say "installing wasm-opt (npm binaryen 132)"
  (cd tools && npm ci --no-audit --no-fund)
fi
