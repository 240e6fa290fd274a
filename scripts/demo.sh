#!/usr/bin/env bash
# The main job on a built-in example: build the `my-plugin` example as a
# component, run it in the host shim, adapt it to a proxy-wasm module, start
# a real Envoy 1.40 with it in front of a local upstream, send requests and
# print what came back from both.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target/demo"

# Rust first (the builds need it); Envoy, redis and the rest install while
# cargo builds, since nothing needs them before the last step.
bash scripts/install-deps.sh rust
system_log="$target/demo/install-deps.log"
bash scripts/install-deps.sh system >"$system_log" 2>&1 &
system_pid=$!

echo "== building the example plugin (cargo build --release --target wasm32-wasip2 -p my-plugin)"
cargo build --quiet --release --target wasm32-wasip2 -p my-plugin
# Native tools build in the dev profile (optimised dependencies, no LTO):
# minutes faster than the plugins' size-optimised LTO profile, and the very
# binary the test suite builds, so `scripts/test.sh` reuses it.
echo "== building the gatewit CLI (cargo build -p gatewit-cli)"
cargo build --quiet -p gatewit-cli

if ! wait "$system_pid"; then
    cat "$system_log" >&2
    echo "demo: installing Envoy and the system packages failed (above)" >&2
    exit 1
fi
cat "$system_log" >&2
echo "== gatewit adapt"
"$target/debug/gatewit" adapt "$target/wasm32-wasip2/release/my_plugin.wasm" -o "$target/demo/my_plugin.proxy.wasm"
echo "== gatewit demo"
exec "$target/debug/gatewit" demo "$target/wasm32-wasip2/release/my_plugin.wasm" --out-dir "$target/demo"
