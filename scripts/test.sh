#!/usr/bin/env bash
# The whole gatewit test suite: installs what it needs (wasm targets, Envoy
# 1.40, redis-server), builds the example plugins, then runs every tier —
# host shim, adapted module under the proxy-wasm emulator, real Envoy with
# real upstreams and real Redis — plus formatting and lint checks.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

# A whole-suite run gains nothing from incremental caches (1+ GB on disk);
# say how much room the build has, since running out shows up only as a
# linker "Bus error".
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
echo "== disk: $(df -h --output=avail . | tail -1 | tr -d ' ') free for target/"

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "== cargo test"
cargo test --workspace --no-fail-fast
