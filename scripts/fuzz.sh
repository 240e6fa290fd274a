#!/usr/bin/env bash
# Long fuzz runs under libFuzzer (cargo-fuzz, on the stable toolchain with
# coverage instrumentation only: `-s none`).
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     default: 60 s each of adapt resp config pairs differential
#
# Knobs (environment):
#   RUNS=N        stop each target after N executions (or SECONDS, first)
#   JOBS=N        N libFuzzer processes per target sharing its corpus
#   MAX_LEN=BYTES fuzz inputs up to BYTES only, from a corpus of the inputs
#                 that small (corpus/<target>-<BYTES>); an adapt run over the
#                 small components (the goldens, fixtures, earlier mutants)
#                 runs ~30x faster than one over 12-18 MB Python/JS plugins
#
# Corpora live in fuzz/corpus/<target> (kept between runs, not committed),
# seeded with every wasm program the tests build and the parsers' seeds.
# Findings land in fuzz/artifacts/<target>; add each to the short pass
# (fuzz-targets/tests/short_pass.rs), which the test suite runs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(adapt resp config pairs differential)

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz: installing cargo-fuzz 0.13.2 (cargo install --locked)"
    cargo install --locked cargo-fuzz@0.13.2
fi

# Seeds: the programs the tests load (examples, fixtures, core modules).
cargo run -q -p gatewit-test-programs >/dev/null
cargo run -q -p gatewit-fuzz-targets --bin fuzz-seeds -- fuzz/corpus
mkdir -p fuzz/corpus/adapt
for dir in target/wasm32-wasip2/release target/wasm32-unknown-unknown/release; do
    cp "$dir"/*.wasm fuzz/corpus/adapt/ 2>/dev/null || true
done

cd fuzz
for t in "${targets[@]}"; do
    corpus="corpus/$t"
    extra=()
    if [ -n "${MAX_LEN:-}" ]; then
        corpus="corpus/$t-$MAX_LEN"
        mkdir -p "$corpus"
        find "corpus/$t" -maxdepth 1 -type f -size -"$((MAX_LEN + 1))"c -exec cp -n {} "$corpus/" \;
        extra+=(-max_len="$MAX_LEN")
    fi
    [ -z "${RUNS:-}" ] || extra+=(-runs="$RUNS")
    if [ "${JOBS:-1}" -gt 1 ]; then
        extra+=(-jobs="$JOBS" -workers="$JOBS")
    fi
    echo "fuzz: $t for ${seconds}s ${extra[*]}"
    log="$(mktemp)"
    cargo fuzz run -s none -O "$t" "$corpus" -- \
        -max_total_time="$seconds" -rss_limit_mb=4096 -timeout=30 -print_final_stats=1 "${extra[@]}" \
        2>&1 | tee "$log" | grep -E "^(#[0-9]+.*(pulse|DONE)|Done|==|SUMMARY|artifact)" || true
    # With JOBS, each process logs to fuzz-<n>.log (which the parent also
    # echoes): sum those.
    logs=("$log")
    [ "${JOBS:-1}" -le 1 ] || logs=(fuzz-*.log)
    runs="$( (cat "${logs[@]}" 2>/dev/null || true) | grep -oE 'stat::number_of_executed_units: *[0-9]+' \
        | grep -oE '[0-9]+$' | awk '{ s += $1 } END { if (NR) print s }' || true)"
    rm -f fuzz-*.log
    echo "fuzz: $t: ${runs:-?} executions in ${seconds}s; findings: $(ls "artifacts/$t" 2>/dev/null | wc -l)"
    rm -f "$log"
done
