#!/usr/bin/env bash
# The whole gatewit test suite: installs what it needs (Rust targets, Envoy
# 1.40 in `.venv`, redis-server), then runs every tier — host shim, adapted
# module under the proxy-wasm emulator, real Envoy with real upstreams and
# real Redis — plus formatting and lint checks. Prints how long each step
# took, so a slow suite says where the time goes.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
step_start=$SECONDS
step() {
    local now=$SECONDS
    if [ -n "${step_name:-}" ]; then
        echo "== ${step_name}: $((now - step_start)) s"
    fi
    step_name="$1"
    step_start=$now
    echo "== $1"
}

step "install-deps"
bash scripts/install-deps.sh

# A whole-suite run gains nothing from incremental caches (1+ GB on disk);
# say how much room the build has, since running out shows up only as a
# linker "Bus error".
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
echo "== disk: $(df -h --output=avail . | tail -1 | tr -d ' ') free for target/"

step "cargo fmt --check"
cargo fmt --all -- --check
step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --quiet -- -D warnings
step "cargo test --no-run (build the tests)"
cargo test --workspace --no-run --quiet
step "build the wasm test programs (once; the tests reuse them)"
cargo run --quiet -p gatewit-test-programs
step "cargo test"
cargo test --workspace --no-fail-fast
step "done"
echo "== total: $((SECONDS - start)) s"
