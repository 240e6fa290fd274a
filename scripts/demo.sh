#!/usr/bin/env bash
# The main job on a built-in example: build the `my-plugin` example as a
# component, run it in the host shim, adapt it to a proxy-wasm module, start
# a real Envoy 1.40 with it in front of a local upstream, send requests and
# print what came back from both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
echo "== building the example plugin (cargo build --release --target wasm32-wasip2 -p my-plugin)"
cargo build --quiet --release --target wasm32-wasip2 -p my-plugin
echo "== building the gatewit CLI"
cargo build --quiet --release -p gatewit-cli
echo "== gatewit adapt"
mkdir -p target/demo
target/release/gatewit adapt target/wasm32-wasip2/release/my_plugin.wasm -o target/demo/my_plugin.proxy.wasm
echo "== gatewit demo"
exec target/release/gatewit demo target/wasm32-wasip2/release/my_plugin.wasm --out-dir target/demo
