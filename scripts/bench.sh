#!/usr/bin/env bash
# The Envoy benchmark: builds the bench plugins (the empty module, the same
# header logic on the `proxy-wasm` crate, and on the gatewit SDK adapted with
# `gatewit-cli adapt`), then measures all of them and a filter-less Envoy in
# one run of `gatewit-bench` (alternating `wrk` rounds, --concurrency 1,
# direct_response route) and writes the table to BENCHMARKS.md.
#
# Knobs (environment): ROUNDS (default 8), DURATION seconds per round
# (default 3), CONNECTIONS (default 8), OUT (default BENCHMARKS.md).
# SKIP_GATEWIT=1 measures without the gatewit plugin (e.g. while the
# adapter cannot handle it yet); the report says it was not measured.
# A full run takes about (variants x ROUNDS x DURATION) + ~30 s: ~2.5 min with the six variants.
# Short rounds, many of them, in a rotating order: drift on a shared
# machine then hits every variant alike.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${ROUNDS:-8}"
DURATION="${DURATION:-3}"
CONNECTIONS="${CONNECTIONS:-8}"
OUT="${OUT:-BENCHMARKS.md}"

log() { printf '[bench] %s\n' "$*" >&2; }

for tool in envoy wrk; do
    command -v "$tool" >/dev/null || { log "\`$tool\` not found: run scripts/install-deps.sh"; exit 1; }
done

target_dir="${CARGO_TARGET_DIR:-target}"
core="$target_dir/wasm32-unknown-unknown/release"

log "building the empty module and the proxy-wasm crate plugin"
cargo build --quiet --release --target wasm32-unknown-unknown \
    -p gatewit-bench-empty -p gatewit-bench-crate-headers -p gatewit-bench-crate-noop

variants=(
    --variant "empty module=$core/gatewit_bench_empty.wasm"
    --variant "proxy-wasm crate=$core/gatewit_bench_crate_headers.wasm"
)
# Diagnostics: the same phases with no work in them, on each side.
noop_variants=(--variant "proxy-wasm crate, no-op phases=$core/gatewit_bench_crate_noop.wasm")

# The gatewit plugin: a component (wasm32-wasip2) turned into a proxy-wasm
# module by the adapter. Built whenever its crate exists; a failure stops
# the run rather than silently benchmarking without it.
if [ "${SKIP_GATEWIT:-0}" = 1 ]; then
    log "SKIP_GATEWIT=1: measuring without the gatewit plugin"
elif [ -f bench/plugins/gatewit-headers/Cargo.toml ]; then
    log "building the gatewit plugin and adapting it"
    cargo build --quiet --release --target wasm32-wasip2 \
        -p gatewit-bench-gatewit-headers -p gatewit-bench-gatewit-noop
    mkdir -p "$target_dir/bench"
    for plugin in gatewit-headers gatewit-noop; do
        cargo run --quiet -p gatewit-cli -- adapt \
            "$target_dir/wasm32-wasip2/release/gatewit_bench_${plugin//-/_}.wasm" \
            -o "$target_dir/bench/$plugin.proxy.wasm" >&2
    done
    variants+=(--variant "gatewit=$target_dir/bench/gatewit-headers.proxy.wasm")
    noop_variants+=(--variant "gatewit, no-op phases=$target_dir/bench/gatewit-noop.proxy.wasm")
else
    log "bench/plugins/gatewit-headers is missing: measuring without the gatewit plugin"
fi

log "measuring ($ROUNDS rounds x ${DURATION}s per variant)"
cargo run --quiet -p gatewit-envoy-harness --bin gatewit-bench -- \
    "${variants[@]}" "${noop_variants[@]}" \
    --rounds "$ROUNDS" --duration "$DURATION" --connections "$CONNECTIONS" \
    --out "$OUT" \
    --command "ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS${SKIP_GATEWIT:+ SKIP_GATEWIT=$SKIP_GATEWIT} scripts/bench.sh"
