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
# Lint while building, not in a second pass: `cargo clippy` is `cargo check`
# with clippy-driver as the workspace's compiler, which type-checks every
# dependency a second time (~5 of a cold run's minutes on 2 cores). Here
# clippy-driver compiles the workspace's crates for the test build itself,
# with the same lints and `-D warnings` (`CLIPPY_ARGS` is how cargo-clippy
# hands them over), so dependencies are compiled once.
channel="$(sed -n 's/^channel *= *"\([^"]*\)".*/\1/p' rust-toolchain.toml)"
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER="$(dirname "$(rustup which --toolchain "$channel" cargo)")/clippy-driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
step "build every target, linted (clippy -D warnings)"
cargo test --workspace --all-targets --no-run --quiet
step "build the wasm test programs (once; the tests reuse them)"
cargo run --quiet -p gatewit-test-programs
step "cargo test"
cargo test --workspace --no-fail-fast
step "done"
echo "== total: $((SECONDS - start)) s"
